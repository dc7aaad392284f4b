//go:build go1.24 && (go1.26 || goexperiment.swissmap)

package main

import (
	"strconv"
	"unsafe"
)

const impl = "swiss"

// table mirrors internal/runtime/maps.table (Go 1.24 .. 1.27).
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

// maxDirLen is the longest directory mapdiag accepts as plausible
// (src/decode.h MD_SWISS_MAX_DIRLEN); main.maxDir has exactly this many
// entries, each a different unreadable table.
const maxDirLen = 1 << 20

var (
	hugeDir        map[int64]int64 // dirLen = 2^40, globalDepth 40 (consistent, absurd)
	dirMismatch    map[int64]int64 // dirLen = 8x the real one, globalDepth unchanged
	negDir         map[int64]int64 // dirLen = -1
	maxDir         map[int64]int64 // dirLen = 2^20 (the limit) in an mmap'd directory of unreadable tables
	badDirPtr      map[int64]int64 // dirPtr -> unmapped page
	badDirEntries  map[int64]int64 // every directory entry -> a different unmapped address
	badCapacity    map[int64]int64 // table 0: capacity, growthLeft, localDepth, index garbage
	hugeUsed       map[int64]int64 // used = 2^63 + 5
	smallBadDirPtr map[int64]int64 // small map (dirLen 0), group pointer -> unmapped page
)

func sm(v *map[int64]int64) *swissMap { return (*swissMap)(hp(v)) }

// directory returns the directory entries of a map with tables.
func directory(m *swissMap) []uintptr {
	if m.dirLen <= 0 {
		panic("no directory")
	}
	return unsafe.Slice((*uintptr)(m.dirPtr), m.dirLen)
}

// big is a map with a directory of several tables.
func big() map[int64]int64 {
	m := filled(4000)
	if sm(&m).dirLen < 2 {
		panic("expected a directory, dirLen=" + strconv.Itoa(sm(&m).dirLen))
	}
	return m
}

func corruptImpl() {
	hugeDir = big()
	s := sm(&hugeDir)
	s.dirLen, s.globalDepth, s.globalShift = 1<<40, 40, 24
	record("main.hugeDir", &hugeDir, "dirLen=2^40 globalDepth=40")

	dirMismatch = big()
	s = sm(&dirMismatch)
	real := s.dirLen
	s.dirLen = real * 8
	record("main.dirMismatch", &dirMismatch, "dirLen="+strconv.Itoa(s.dirLen)+
		" globalDepth="+strconv.Itoa(int(s.globalDepth))+" (real dirLen "+strconv.Itoa(real)+")")

	negDir = big()
	sm(&negDir).dirLen = -1
	record("main.negDir", &negDir, "dirLen=-1")

	// A directory of maxDirLen entries outside the heap, each naming a
	// different non-canonical (unreadable) table address.
	maxDir = big()
	s = sm(&maxDir)
	d := mmapPages(maxDirLen * 8 / pageSize)
	ents := unsafe.Slice((*uintptr)(unsafe.Pointer(d)), maxDirLen)
	for i := range ents {
		ents[i] = 0xdead000000000000 + uintptr(i)*64
	}
	setPtr(unsafe.Pointer(&s.dirPtr), d)
	s.dirLen, s.globalDepth, s.globalShift = maxDirLen, 20, 44
	record("main.maxDir", &maxDir, "dirLen=2^20 globalDepth=20, every entry a different unreadable table")

	badDirPtr = big()
	setPtr(unsafe.Pointer(&sm(&badDirPtr).dirPtr), 0x4000)
	record("main.badDirPtr", &badDirPtr, "dirPtr=0x4000 (unmapped)")

	badDirEntries = big()
	dir := directory(sm(&badDirEntries))
	for i := range dir {
		dir[i] = 0x5000 + uintptr(i)*8 // a []uintptr view: no write barrier
	}
	record("main.badDirEntries", &badDirEntries, "every directory entry -> 0x5000+8i (unmapped)")

	badCapacity = big()
	t := (*table)(unsafe.Pointer(directory(sm(&badCapacity))[0]))
	t.capacity, t.growthLeft, t.localDepth, t.index = 0xfff3, 0xffff, 200, -5
	record("main.badCapacity", &badCapacity,
		"table 0: capacity=65523 growthLeft=65535 localDepth=200 index=-5")

	hugeUsed = big()
	sm(&hugeUsed).used = 1<<63 + 5
	record("main.hugeUsed", &hugeUsed, "used=2^63+5")

	smallBadDirPtr = filled(3)
	s = sm(&smallBadDirPtr)
	if s.dirLen != 0 {
		panic("expected a small map")
	}
	setPtr(unsafe.Pointer(&s.dirPtr), 0x6000)
	record("main.smallBadDirPtr", &smallBadDirPtr, "small map, group pointer=0x6000 (unmapped)")
}
