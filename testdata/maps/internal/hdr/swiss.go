//go:build go1.24 && (go1.26 || goexperiment.swissmap)

package hdr

import (
	"fmt"
	"unsafe"
)

const Impl = "swiss"

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

type tableJSON struct {
	Addr       string `json:"addr"`
	Used       uint16 `json:"used"`
	Capacity   uint16 `json:"capacity"`
	GrowthLeft uint16 `json:"growthLeft"`
	LocalDepth uint8  `json:"localDepth"`
	Index      int    `json:"index"`
}

// swissHeader is the JSON form of a maps.Map; fields in runtime order, named
// as in the runtime, plus the distinct tables of the directory.
type swissHeader struct {
	Used              uint64      `json:"used"`
	Seed              uint64      `json:"seed"`
	DirPtr            string      `json:"dirPtr"`
	DirLen            int         `json:"dirLen"`
	GlobalDepth       uint8       `json:"globalDepth"`
	GlobalShift       uint8       `json:"globalShift"`
	Writing           uint8       `json:"writing"`
	TombstonePossible *bool       `json:"tombstonePossible,omitempty"`
	ClearSeq          uint64      `json:"clearSeq"`
	Tables            []tableJSON `json:"tables"`
}

// directory returns the directory entries of m (empty for a small map).
func directory(m *swissMap) []*table {
	if m.dirLen <= 0 {
		return nil
	}
	return unsafe.Slice((**table)(m.dirPtr), m.dirLen)
}

func ReadHeader(p unsafe.Pointer) (any, int) {
	m := (*swissMap)(p)
	h := &swissHeader{
		Used:              m.used,
		Seed:              uint64(m.seed),
		DirPtr:            Hex(uintptr(m.dirPtr)),
		DirLen:            m.dirLen,
		GlobalDepth:       m.globalDepth,
		GlobalShift:       m.globalShift,
		Writing:           m.writing,
		TombstonePossible: m.tombstonePossibleField(),
		ClearSeq:          m.clearSeq,
		Tables:            []tableJSON{},
	}
	// Distinct tables in directory order: a table of local depth d occupies
	// 2^(globalDepth-d) consecutive entries, starting at t.index.
	dir := directory(m)
	for i := 0; i < len(dir); i++ {
		t := dir[i]
		if i > 0 && dir[i-1] == t {
			continue
		}
		h.Tables = append(h.Tables, tableJSON{
			Addr:       Hex(uintptr(unsafe.Pointer(t))),
			Used:       t.used,
			Capacity:   t.capacity,
			GrowthLeft: t.growthLeft,
			LocalDepth: t.localDepth,
			Index:      t.index,
		})
	}
	return h, int(m.used)
}

// SetWriting turns writing on, as Map.PutSlot does (m.writing ^= 1).
// The map must never be touched again by Go code.
func SetWriting(p unsafe.Pointer) { (*swissMap)(p).writing = 1 }

func IsWriting(p unsafe.Pointer) bool { return (*swissMap)(p).writing != 0 }

// IsSmall: a small map has dirLen 0 and dirPtr at its single group (or nil
// before the first insert).
func IsSmall(p unsafe.Pointer) bool { return (*swissMap)(p).dirLen == 0 }

// Growing: Swiss tables grow inside one write; there is no idle growth.
func Growing(p unsafe.Pointer) bool { return false }

// FillGrowingIdle: Swiss maps have no incremental growth; just fill.
func FillGrowingIdle(m map[int64]int64, n int) {
	for k := int64(0); k < int64(n); k++ {
		m[k] = k * 3
	}
}

// CheckImpl verifies the directory invariants the oracle relies on.
func CheckImpl(name string, p unsafe.Pointer) {
	m := (*swissMap)(p)
	if m.dirLen == 0 {
		if m.used > 8 {
			panic(fmt.Sprintf("%s: small map with used=%d", name, m.used))
		}
		return
	}
	if m.dirLen != 1<<m.globalDepth {
		panic(fmt.Sprintf("%s: dirLen %d != 1<<globalDepth %d", name, m.dirLen, m.globalDepth))
	}
	if m.globalDepth > 0 && int(m.globalShift) != 64-int(m.globalDepth) {
		panic(fmt.Sprintf("%s: globalShift %d, globalDepth %d", name, m.globalShift, m.globalDepth))
	}
	dir := directory(m)
	var sum uint64
	for i := 0; i < len(dir); {
		t := dir[i]
		if t.localDepth > m.globalDepth {
			panic(fmt.Sprintf("%s: table %d localDepth %d > globalDepth %d", name, i, t.localDepth, m.globalDepth))
		}
		n := 1 << (m.globalDepth - t.localDepth)
		if t.index != i || i+n > len(dir) {
			panic(fmt.Sprintf("%s: table at entry %d has index %d, span %d", name, i, t.index, n))
		}
		for j := i; j < i+n; j++ {
			if dir[j] != t {
				panic(fmt.Sprintf("%s: entry %d is not the table of entry %d", name, j, i))
			}
		}
		if t.used > t.capacity || t.capacity == 0 || t.capacity&(t.capacity-1) != 0 {
			panic(fmt.Sprintf("%s: table %d used %d capacity %d", name, i, t.used, t.capacity))
		}
		sum += uint64(t.used)
		i += n
	}
	if sum != m.used {
		panic(fmt.Sprintf("%s: tables hold %d entries, used=%d", name, sum, m.used))
	}
}

// mapType mirrors the start of internal/abi.SwissMapType (Go 1.24, 1.25)
// and abi.MapType (1.26 ..): the 48-byte type header, key, elem, group,
// hasher, then GroupSize, whatever the group layout (interleaved slots, or
// with GOEXPERIMENT=mapsplitgroup keys then elems).
type mapType struct {
	typ       [48]byte
	key       unsafe.Pointer
	elem      unsafe.Pointer
	group     unsafe.Pointer
	hasher    uintptr
	groupSize uintptr
}

// Sizes returns the group size of m's type (key "group_size") and, for
// the map at p (nil: none), the bytes of all its groups: a small map's one
// group, or each distinct table's capacity/8 groups.
func Sizes(m any, p unsafe.Pointer) (string, uint64, *uint64) {
	gs := uint64((*mapType)(typeWord(m)).groupSize)
	if p == nil {
		return "group_size", gs, nil
	}
	var n uint64
	sm := (*swissMap)(p)
	if sm.dirLen == 0 {
		if sm.dirPtr != nil {
			n = gs
		}
		return "group_size", gs, &n
	}
	dir := directory(sm)
	for i, t := range dir {
		if i > 0 && dir[i-1] == t {
			continue
		}
		n += uint64(t.capacity) / 8 * gs
	}
	return "group_size", gs, &n
}
