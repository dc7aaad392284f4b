//go:build go1.24 && !go1.25 && goexperiment.swissmap

package hdr

import "unsafe"

// swissMap mirrors internal/runtime/maps.Map of Go 1.24
// (src/internal/runtime/maps/map.go).
type swissMap struct {
	used        uint64
	seed        uintptr
	dirPtr      unsafe.Pointer
	dirLen      int
	globalDepth uint8
	globalShift uint8
	writing     uint8
	clearSeq    uint64
}

// tombstonePossibleField: not present before Go 1.25.
func (m *swissMap) tombstonePossibleField() *bool { return nil }
