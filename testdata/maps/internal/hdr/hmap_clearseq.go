//go:build go1.24 && !go1.26 && !goexperiment.swissmap

package hdr

import "unsafe"

// hmap mirrors runtime.hmap of Go 1.24 / 1.25 built with
// GOEXPERIMENT=noswissmap (src/runtime/map_noswiss.go): clearSeq was added
// between nevacuate and extra.
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

func (h *hmap) clearSeqField() *uint64 { v := h.clearSeq; return &v }
