package main

// exercise runs every map write path of the runtime once (assign, delete,
// clear and growth, for each fast path and the generic one), so that all of
// them are linked into the binary: the unit test tests/unit/test_writepaths.c
// checks src/gofacts_write.c's table of write-path symbols against this
// binary's symbol table. Not reached on 64-bit: mapassign_fast32ptr (the
// compiler uses it only where pointers are 4 bytes).

type obj struct{ x int }

var exSink int

//go:noinline
func exercise() {
	const n = 5000 // enough to grow every kind several times

	m32 := make(map[int32]int) // mapassign_fast32
	m64 := make(map[int64]int) // mapassign_fast64
	mp := make(map[*obj]int)   // mapassign_fast64ptr
	ms := make(map[string]int) // mapassign_faststr
	mg := make(map[[16]byte]int)
	objs := make([]obj, n)
	var k [16]byte
	for i := 0; i < n; i++ {
		m32[int32(i)] = i
		m64[int64(i)] = i
		mp[&objs[i]] = i
		ms[churnKeys[i]] = i
		k[0], k[1] = byte(i), byte(i>>8)
		mg[k] = i
	}
	for i := 0; i < n; i += 2 {
		delete(m32, int32(i))
		delete(m64, int64(i))
		delete(mp, &objs[i])
		delete(ms, churnKeys[i])
		k[0], k[1] = byte(i), byte(i>>8)
		delete(mg, k)
	}
	exSink = len(m32) + len(m64) + len(mp) + len(ms) + len(mg)
	// maps.Clone (runtime.mapclone2, Go 1.21 on): Go 1.24's Swiss clone
	// inserts with (*Map).Put, the only caller of (*Map).PutSlot and
	// (*table).PutSlot. clone_old.go: Go 1.19 has neither.
	exSink += cloneLen(mg) + cloneLen(ms)
	clearMap(m32) // mapclear
	clearMap(m64)
	clearMap(mp)
	clearMap(ms)
	clearMap(mg)

	// Small maps (Swiss: the single-group form; deleteSmall, clearSmall).
	small := make(map[[16]byte]int)
	small[k] = 1
	delete(small, k)
	small[k] = 2
	clearMap(small)
	s64 := map[int64]int{1: 1}
	delete(s64, 1)
	s64[2] = 2
	clearMap(s64)
	exSink += len(small) + len(s64)
}

// clearMap is clear(m) for every release: the language of this module is
// Go 1.19 (go.mod), which has no clear builtin, but the compiler turns this
// loop into one call of runtime.mapclear, as clear(m) is (Go 1.11 on, see
// isMapClear in cmd/compile/internal/walk/range.go).
func clearMap[M ~map[K]V, K comparable, V any](m M) {
	for k := range m {
		delete(m, k)
	}
}
