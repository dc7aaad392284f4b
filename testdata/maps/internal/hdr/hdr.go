// Package hdr reads Go map headers from inside the process, for the test
// targets of mapdiag (cmd/maptarget, cmd/scantarget): it mirrors the runtime
// structs of the Go release it is built with (classic runtime.hmap, or Swiss
// internal/runtime/maps.Map; see the build-constrained hmap_*.go and
// swiss*.go files) and snapshots them through unsafe.
//
//	ReadHeader(p)      the header at p as JSON-ready fields, and its count
//	Impl               "hmap" or "swiss"
//	Growing(p)         a classic growth is in progress (oldbuckets != nil)
//	IsSmall(p)         a Swiss small map (dirLen 0)
//	SetWriting(p), IsWriting(p), FillGrowingIdle(m, floor), CheckImpl(name, p)
//	Ptr(m)             the header pointer of a map value
//	Settle(m, absent)  finish an incremental growth
//	Sizes(m)           the bucket or group size of m's type, and (Swiss) the
//	                   bytes of all its groups
package hdr

import (
	"strconv"
	"unsafe"
)

// Hex formats a pointer as the oracles do: lowercase "0x...".
func Hex(p uintptr) string { return "0x" + strconv.FormatUint(uint64(p), 16) }

// Ptr returns the header pointer of the map m (nil for a nil map).
func Ptr[M ~map[K]V, K comparable, V any](m M) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&m))
}

// Settle finishes an incremental growth a classic map may be in after its
// last insert (deletes of an absent key do growWork too), so that every map
// but a deliberately growing-idle one is deterministically not growing
// whatever the hash seed. Needed: Go 1.21 grows at load factor 6 (1.22+:
// 6.5), so e.g. 100 string keys leave a 1.21 map halfway through its growth
// from B=4 to B=5. A no-op on Swiss maps, which never grow incrementally.
func Settle[M ~map[K]V, K comparable, V any](m M, absent K) {
	if _, ok := m[absent]; ok {
		panic("settle: key is present")
	}
	for i := 0; Growing(*(*unsafe.Pointer)(unsafe.Pointer(&m))); i++ {
		if i > 1<<22 {
			panic("settle: growth never finished")
		}
		delete(m, absent)
	}
}

// typeWord is the type descriptor of the dynamic type of m (the runtime's
// *maptype for a map): the first word of an interface.
func typeWord(m any) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(&m))[0] }
