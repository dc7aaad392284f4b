//go:build !go1.24 || (go1.24 && !go1.26 && !goexperiment.swissmap)

package main

import (
	"strconv"
	"unsafe"
)

const impl = "hmap"

// bucket mirrors the bucket of a map[int64]int64 (runtime/map.go: bmap,
// then 8 keys, 8 elems and the overflow pointer; 144 bytes on amd64). It
// holds no pointer the GC follows: the bucket array is noscan, overflow
// buckets are kept alive through hmap.extra.
type bucket struct {
	tophash  [8]uint8
	keys     [8]int64
	elems    [8]int64
	overflow uintptr
}

var (
	badB           map[int64]int64 // B = 200
	hugeCount      map[int64]int64 // count = 2^62 + 7
	badBuckets     map[int64]int64 // buckets -> unmapped page
	badOldbuckets  map[int64]int64 // oldbuckets -> unmapped page (a growth, as the header says)
	badNevacuate   map[int64]int64 // growing, nevacuate = 2^40 > the old bucket count
	cyclicOverflow map[int64]int64 // bucket 0 overflows into itself, 1 <-> 2
	hugeNoverflow  map[int64]int64 // noverflow = 65535 with B = 4
)

func h(v *map[int64]int64) *hmap { return (*hmap)(hp(v)) }

func corruptImpl() {
	badB = filled(1000)
	h(&badB).B = 200
	record("main.badB", &badB, "B=200")

	hugeCount = filled(1000)
	h(&hugeCount).count = 1<<62 + 7
	record("main.hugeCount", &hugeCount, "count=2^62+7")

	badBuckets = filled(1000)
	setPtr(unsafe.Pointer(&h(&badBuckets).buckets), 0x2000)
	record("main.badBuckets", &badBuckets, "buckets=0x2000 (unmapped)")

	badOldbuckets = filled(1000)
	setPtr(unsafe.Pointer(&h(&badOldbuckets).oldbuckets), 0x3000)
	record("main.badOldbuckets", &badOldbuckets, "oldbuckets=0x3000 (unmapped)")

	badNevacuate = filled(1000)
	hb := h(&badNevacuate)
	setPtr(unsafe.Pointer(&hb.oldbuckets), 0x3000)
	hb.nevacuate = 1 << 40
	record("main.badNevacuate", &badNevacuate,
		"oldbuckets=0x3000, nevacuate=2^40 (old bucket count 2^"+strconv.Itoa(int(hb.B)-1)+")")

	cyclicOverflow = filled(1000)
	hc := h(&cyclicOverflow)
	if unsafe.Sizeof(bucket{}) != 144 || hc.B < 2 {
		panic("cyclicOverflow: unexpected bucket layout, B=" + strconv.Itoa(int(hc.B)))
	}
	bs := unsafe.Slice((*bucket)(hc.buckets), 1<<hc.B)
	bs[0].overflow = uintptr(unsafe.Pointer(&bs[0]))
	bs[1].overflow = uintptr(unsafe.Pointer(&bs[2]))
	bs[2].overflow = uintptr(unsafe.Pointer(&bs[1]))
	record("main.cyclicOverflow", &cyclicOverflow,
		"bucket 0 overflow -> bucket 0; bucket 1 -> 2 -> 1")

	hugeNoverflow = filled(100)
	hn := h(&hugeNoverflow)
	hn.noverflow = 0xffff
	record("main.hugeNoverflow", &hugeNoverflow, "noverflow=65535, B="+strconv.Itoa(int(hn.B)))
}
