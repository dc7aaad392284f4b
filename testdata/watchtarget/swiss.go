//go:build go1.24 && (go1.26 || goexperiment.swissmap)

package main

import "unsafe"

const impl = "swiss"

// table mirrors internal/runtime/maps.table (table.go); identical in
// Go 1.24 .. 1.27.
type table struct {
	used       uint16
	capacity   uint16
	growthLeft uint16
	localDepth uint8
	index      int
	groups     struct {
		data       unsafe.Pointer
		lengthMask uint64
	}
}

// smallCapacity is the capacity of a small map (dirLen 0): one group of
// abi.MapGroupSlots slots, whether or not the group is allocated yet.
const smallCapacity = 8

// setWriting turns writing on, as Map.PutSlot does (m.writing ^= 1).
// The map must never be touched again by Go code.
func setWriting(p unsafe.Pointer) { (*swissMap)(p).writing = 1 }

// isWriting is a plain, racy load of Map.writing, as mapdiag's
// process_vm_readv sees it (the runtime itself writes it non-atomically).
func isWriting(p unsafe.Pointer) bool { return (*swissMap)(p).writing != 0 }

// shape is what a growth event is judged on (see grew).
type shape struct {
	dirLen      int
	globalDepth uint8
	capacity    uint64 // sum of the capacities of the distinct tables
}

// readShape reads the header and walks the directory, table by table: a
// table of local depth d fills 2^(globalDepth-d) consecutive entries, so
// the walk costs one load per distinct table, not per entry.
func readShape(p unsafe.Pointer) shape {
	m := (*swissMap)(p)
	s := shape{dirLen: m.dirLen, globalDepth: m.globalDepth}
	if m.dirLen <= 0 {
		s.capacity = smallCapacity
		return s
	}
	dir := unsafe.Slice((**table)(m.dirPtr), m.dirLen)
	for i := 0; i < len(dir); {
		t := dir[i]
		s.capacity += uint64(t.capacity)
		step := 1
		if d := int(m.globalDepth) - int(t.localDepth); d > 0 {
			step = 1 << d
		}
		i += step
	}
	return s
}

// grew reports whether one growth event happened between a and b, two
// shapes read before and after one map write: dirLen changed (small map to
// first table: 0 -> 1; directory doubled), or globalDepth changed, or the
// total capacity of the tables changed (a table grown to double capacity,
// or split in two). Swiss growth is not incremental: it happens entirely
// inside one write, and one write grows at most one table.
func grew(a, b shape) bool {
	return a.dirLen != b.dirLen || a.globalDepth != b.globalDepth || a.capacity != b.capacity
}

// isGrowing: a Swiss map is never growing between writes.
func (s shape) isGrowing() bool { return false }

func (s shape) stats() map[string]any {
	return map[string]any{"dirLen": s.dirLen, "globalDepth": s.globalDepth, "capacity": s.capacity}
}

func clearSeqOf(p unsafe.Pointer) *uint64 { v := (*swissMap)(p).clearSeq; return &v }
