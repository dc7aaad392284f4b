//go:build !go1.24 || (go1.24 && !go1.26 && !goexperiment.swissmap)

package main

import "unsafe"

const impl = "hmap"

const flagHashWriting = 4 // hashWriting, runtime/map.go

// setWriting turns hashWriting on, as a writer inside mapassign would.
// The map must never be touched again by Go code.
func setWriting(p unsafe.Pointer) { (*hmap)(p).flags |= flagHashWriting }

func isWriting(p unsafe.Pointer) bool { return (*hmap)(p).flags&flagHashWriting != 0 }

// resetHeader makes the map whose header is at dst empty and small again,
// as if freshly made, without moving its header: it copies the header of
// the fresh map at src (B=0, no buckets yet). Go maps never shrink (clear
// keeps the bucket array), so this is how a refill can grow every time.
// src must never be used again.
func resetHeader(dst, src unsafe.Pointer) { *(*hmap)(dst) = *(*hmap)(src) }
