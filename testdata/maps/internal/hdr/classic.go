//go:build !go1.24 || (go1.24 && !go1.26 && !goexperiment.swissmap)

package hdr

import "unsafe"

const Impl = "hmap"

// Flag bits of hmap.flags (runtime/map.go).
const (
	flagIterator     = 1
	flagOldIterator  = 2
	flagHashWriting  = 4
	flagSameSizeGrow = 8
)

// classicHeader is the JSON form of an hmap; fields in runtime order, named
// as in the runtime.
type classicHeader struct {
	Count      int     `json:"count"`
	Flags      uint8   `json:"flags"`
	B          uint8   `json:"B"`
	Noverflow  uint16  `json:"noverflow"`
	Hash0      uint32  `json:"hash0"`
	Buckets    string  `json:"buckets"`
	Oldbuckets string  `json:"oldbuckets"`
	Nevacuate  uint64  `json:"nevacuate"`
	ClearSeq   *uint64 `json:"clearSeq,omitempty"`
	Extra      string  `json:"extra"`
}

// ReadHeader snapshots the header at p (non-nil) and returns it together with
// the live-entry count it records.
func ReadHeader(p unsafe.Pointer) (any, int) {
	h := (*hmap)(p)
	return &classicHeader{
		Count:      h.count,
		Flags:      h.flags,
		B:          h.B,
		Noverflow:  h.noverflow,
		Hash0:      h.hash0,
		Buckets:    Hex(uintptr(h.buckets)),
		Oldbuckets: Hex(uintptr(h.oldbuckets)),
		Nevacuate:  uint64(h.nevacuate),
		ClearSeq:   h.clearSeqField(),
		Extra:      Hex(uintptr(h.extra)),
	}, h.count
}

// SetWriting turns hashWriting on, as a writer inside mapassign would.
// The map must never be touched again by Go code.
func SetWriting(p unsafe.Pointer) { (*hmap)(p).flags |= flagHashWriting }

func IsWriting(p unsafe.Pointer) bool { return (*hmap)(p).flags&flagHashWriting != 0 }

// Growing is runtime.(*hmap).growing: oldbuckets != nil.
func Growing(p unsafe.Pointer) bool { return p != nil && (*hmap)(p).oldbuckets != nil }

// IsSmall: classic maps have no small-map form.
func IsSmall(p unsafe.Pointer) bool { return false }

// FillGrowingIdle inserts keys into m until a growth has just begun: the
// first insertion, once the map holds at least floor entries, after which
// oldbuckets is non-nil. Growths of maps with one or two old buckets finish
// inside the insert that starts them (growWork evacuates two buckets per
// write), which is why a size floor is useful: it yields a growth that is
// left with 2^(B-1) old buckets, nearly all unevacuated.
func FillGrowingIdle(m map[int64]int64, floor int) {
	for k := int64(0); ; k++ {
		m[k] = k * 3
		if len(m) >= floor && Growing(*(*unsafe.Pointer)(unsafe.Pointer(&m))) {
			return
		}
		if k > 1<<24 {
			panic("fillGrowingIdle: growth never began")
		}
	}
}

// CheckImpl runs the per-implementation self checks.
func CheckImpl(name string, p unsafe.Pointer) {}

// mapType mirrors the start of runtime.maptype (Go 1.19 .. 1.23,
// src/runtime/type.go; internal/abi.MapType from 1.21, OldMapType in 1.24
// and 1.25): the 48-byte type header, then key, elem, bucket, hasher,
// keysize, elemsize, bucketsize.
type mapType struct {
	typ        [48]byte
	key        unsafe.Pointer
	elem       unsafe.Pointer
	bucket     unsafe.Pointer
	hasher     uintptr
	keysize    uint8
	elemsize   uint8
	bucketsize uint16
}

// Sizes returns the bucket size of m's type (the size key "bucket_size")
// as the runtime sees it; classic maps report no group bytes.
func Sizes(m any, p unsafe.Pointer) (string, uint64, *uint64) {
	return "bucket_size", uint64((*mapType)(typeWord(m)).bucketsize), nil
}
