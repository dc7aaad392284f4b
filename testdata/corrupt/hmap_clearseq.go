//go:build go1.24 && !go1.26 && !goexperiment.swissmap

package main

import "unsafe"

// hmap mirrors runtime.hmap of Go 1.24 / 1.25 built with
// GOEXPERIMENT=noswissmap (src/runtime/map_noswiss.go).
type hmap struct {
	count     int
	flags     uint8
	B         uint8
	noverflow uint16
	hash0     uint32

	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr
	clearSeq   uint64

	extra unsafe.Pointer // *mapextra
}
