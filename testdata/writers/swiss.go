//go:build go1.24 && (go1.26 || goexperiment.swissmap)

package main

import "unsafe"

const impl = "swiss"

// setWriting turns writing on, as Map.PutSlot does (m.writing ^= 1).
// The map must never be touched again by Go code.
func setWriting(p unsafe.Pointer) { (*swissMap)(p).writing = 1 }

func isWriting(p unsafe.Pointer) bool { return (*swissMap)(p).writing != 0 }

// resetHeader makes the map whose header is at dst empty and small again,
// as if freshly made, without moving its header: it copies the header of
// the fresh map at src (no directory, no group yet). Go maps never shrink
// (clear keeps the tables), so this is how a refill can grow every time.
// src must never be used again.
func resetHeader(dst, src unsafe.Pointer) { *(*swissMap)(dst) = *(*swissMap)(src) }
