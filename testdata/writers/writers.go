package main

import "sync/atomic"

// The map writers. None may be inlined: the tool finds each one as the
// caller of a runtime write path, and the oracle reports its name and the
// line of its map write. That line is measured at run time: s.at(i), on the
// same line as the write, is an inlined test that on the first iteration
// calls s.record(), which reads its caller's file:line with runtime.Callers
// (site.go). It adds 0 to the value and does not change which runtime path
// the write takes.
//
// Runtime paths taken (amd64): int keys mapassign_fast64, string keys
// mapassign_faststr, [16]byte keys the generic mapassign; on Swiss maps
// these are internal/runtime/maps.runtime_mapassign* (linknamed into
// package runtime under the same names).

// hotWriterInt overwrites 1024 int keys forever: after the first 1024
// iterations no growth, only the fast64 assign path.
//
//go:noinline
func hotWriterInt(m map[int]int, stop *atomic.Bool, s *site) {
	for i := 0; !stop.Load(); i++ {
		m[i&1023] = i + s.at(i)
	}
}

// hotWriterStr is hotWriterInt with string keys (faststr path).
//
//go:noinline
func hotWriterStr(m map[string]int, stop *atomic.Bool, s *site) {
	for i := 0; !stop.Load(); i++ {
		m[strKeys[i&1023]] = i + s.at(i)
	}
}

// hotWriterGeneric is hotWriterInt with [16]byte keys: too big for a fast
// path, so the generic mapassign.
//
//go:noinline
func hotWriterGeneric(m map[[16]byte]int, stop *atomic.Bool, s *site) {
	var k [16]byte
	for i := 0; !stop.Load(); i++ {
		k[0], k[1] = byte(i), byte(i>>8&3)
		m[k] = i + s.at(i)
	}
}

// hotDeleterInt deletes absent keys from a map that keeps one entry (an
// empty map returns before the write path proper): mapdelete_fast64.
//
//go:noinline
func hotDeleterInt(m map[int]int, stop *atomic.Bool, s *site) {
	for i := 0; !stop.Load(); i++ {
		delete(m, i&1023+s.at(i))
	}
}

// growFill inserts keys 0..n-1 into m, which starts empty and small, so it
// grows all the way (classic: hashGrow, then growWork/evacuate on the next
// inserts; Swiss: growToSmall, growToTable, table grow/rehash/split).
//
//go:noinline
func growFill(m map[int]int, n int, s *site) {
	for i := 0; i < n; i++ {
		m[i] = i + s.at(i)
	}
}

// churnInt, churnStr and churnGeneric build a map of n entries from empty
// and drop it: growth of maps nobody else sees (n <= len(churnKeys)).
//
//go:noinline
func churnInt(n int, s *site) int {
	m := make(map[int]int)
	for i := 0; i < n; i++ {
		m[i] = i + s.at(i)
	}
	return len(m)
}

//go:noinline
func churnStr(n int, s *site) int {
	m := make(map[string]int)
	for i := 0; i < n; i++ {
		m[churnKeys[i]] = i + s.at(i)
	}
	return len(m)
}

//go:noinline
func churnGeneric(n int, s *site) int {
	m := make(map[[16]byte]int)
	var k [16]byte
	for i := 0; i < n; i++ {
		k[0], k[1], k[2] = byte(i), byte(i>>8), byte(i>>16)
		m[k] = i + s.at(i)
	}
	return len(m)
}

// floatKey is the key of the parked writers' maps: float64 elements are
// not compared as memory (NaN, -0), so the compiler generates an equality
// function for the array (type:.eq.[64]float64), which the runtime's
// generic mapassign calls with the map's writing flag already set. That
// function is ordinary Go code: a goroutine can be preempted inside it
// (asynchronously, or at a call's stack check), and is then parked in the
// middle of the write, on no thread. The runtime itself is never
// preempted asynchronously (runtime/preempt.go isAsyncSafePoint).
type floatKey [64]float64

// parkedWriter overwrites 1024 keys of m forever; with GOMAXPROCS 1 and
// two of them, the one not running was preempted, most often inside the
// key comparison of a write (see floatKey).
//
//go:noinline
func parkedWriter(m map[floatKey]int, stop *atomic.Bool, s *site) {
	var k floatKey
	for i := 0; !stop.Load(); i++ {
		k[0] = float64(i & 1023)
		m[k] = i + s.at(i)
	}
}
