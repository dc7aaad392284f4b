//go:build go1.25 && (go1.26 || goexperiment.swissmap)

package main

import "unsafe"

// swissMap mirrors internal/runtime/maps.Map of Go 1.25 and later
// (src/internal/runtime/maps/map.go).
type swissMap struct {
	used              uint64
	seed              uintptr
	dirPtr            unsafe.Pointer
	dirLen            int
	globalDepth       uint8
	globalShift       uint8
	writing           uint8
	tombstonePossible bool
	clearSeq          uint64
}
