package main

import (
	"strconv"
	"strings"
	"sync/atomic"
)

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

// parkedKey is the key of the parked writers' maps: too big for a fast
// path, so the generic mapassign, which sets the map's writing flag after
// hashing the key and before comparing it with the slot's key
// (type:.eq.[2]string) and copying it in (typedmemmove: strings need
// their key updated). The runtime itself is never preempted
// asynchronously (runtime/preempt.go isAsyncSafePoint), so a preemption
// requested while it hashes or compares (the long strings make those most
// of the time) lands at the next function call's stack check: the
// comparison's or the copy's, inside the write. The goroutine is then
// parked mid-write, on no thread, its map's writing flag set.
type parkedKey [2]string

// parkedKeys[s][i] are equal for every s, with different bytes behind
// them: a comparison of a key with the copy of the other set, which the
// map holds since the last write of that key, reads all the bytes
// (memequal returns at once for equal pointers).
var parkedKeys [2][1024]parkedKey

func init() {
	for i := range parkedKeys[0] {
		a := strconv.Itoa(i) + strings.Repeat("k", 2000)
		for s := range parkedKeys {
			parkedKeys[s][i] = parkedKey{strings.Clone(a), strings.Clone(a)}
		}
	}
}

// parkedWriter overwrites 1024 keys of m forever, from each set of keys
// in turn; with GOMAXPROCS 1 and two of them, the one not running was
// preempted, most often inside a write (see parkedKey).
//
//go:noinline
func parkedWriter(m map[parkedKey]int, stop *atomic.Bool, s *site) {
	for i := 0; !stop.Load(); i++ {
		m[parkedKeys[i>>10&1][i&1023]] = i + s.at(i)
	}
}
