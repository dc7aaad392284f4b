//go:build !go1.24

package hdr

import "unsafe"

// hmap mirrors runtime.hmap of Go 1.19 .. 1.23 (src/runtime/map.go).
type hmap struct {
	count     int
	flags     uint8
	B         uint8
	noverflow uint16
	hash0     uint32

	buckets    unsafe.Pointer
	oldbuckets unsafe.Pointer
	nevacuate  uintptr

	extra unsafe.Pointer // *mapextra
}

// clearSeqField: this release's hmap has no clearSeq.
func (h *hmap) clearSeqField() *uint64 { return nil }
