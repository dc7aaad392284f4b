//go:build !go1.24 || (go1.24 && !go1.26 && !goexperiment.swissmap)

package main

import "unsafe"

const impl = "hmap"

const flagHashWriting = 4 // hashWriting, runtime/map.go

// setWriting turns hashWriting on, as a writer inside mapassign would.
// The map must never be touched again by Go code.
func setWriting(p unsafe.Pointer) { (*hmap)(p).flags |= flagHashWriting }

// isWriting is a plain, racy load of the flags byte, as mapdiag's
// process_vm_readv sees it (the runtime itself writes it non-atomically).
func isWriting(p unsafe.Pointer) bool { return (*hmap)(p).flags&flagHashWriting != 0 }

// shape is what a growth event is judged on (see grew).
type shape struct {
	B       uint8
	growing bool // oldbuckets != nil
}

func readShape(p unsafe.Pointer) shape {
	h := (*hmap)(p)
	return shape{B: h.B, growing: h.oldbuckets != nil}
}

// grew reports whether one growth event happened between a and b, two
// shapes read before and after one map write: B increased (a doubling
// growth, whether it is still in progress or already finished inside that
// write), or oldbuckets went from nil to non-nil with B unchanged (a
// same-size grow). A doubling growth sets B+1 and oldbuckets together, so it
// counts once; its end (oldbuckets back to nil, some writes later) is not an
// event. One write starts at most one growth.
func grew(a, b shape) bool {
	return b.B > a.B || (!a.growing && b.growing)
}

func (s shape) isGrowing() bool { return s.growing }

func (s shape) stats() map[string]any {
	return map[string]any{"B": s.B, "growing": s.growing}
}

func clearSeqOf(p unsafe.Pointer) *uint64 { return (*hmap)(p).clearSeqField() }
