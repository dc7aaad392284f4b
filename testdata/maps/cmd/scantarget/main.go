// Command scantarget is the test target of `mapdiag scan`. It sets up a few
// hundred maps of known sizes and states, reachable from package-level
// variables in every way scan looks for them (map-typed globals, fields of
// global structs, nested structs, arrays, two-dimensional arrays, behind one
// and two pointers, in slices of structs, of pointers and of maps, a *map and
// a **map, a named map type, embedded structs by value and by pointer, an
// atomic.Pointer, a sync.Map, a second package), plus oversized and (classic
// builds) growing-idle maps, aliases, a ring of nodes and maps only reachable
// at depth 4 and 5. Then it prints one line
//
//	READY {json}
//
// on stdout, the oracle, and runs until killed, never touching a map again.
//
// # The oracle
//
//	{"pid": N, "go_version": "go1.26.0", "impl": "hmap"|"swiss",
//	 "maps": {path: {"addr", "var_addr", "nil", "len", "type", "depth", "header"}},
//	 "aliases": [[path, path, ...], ...],
//	 "alias_depths": {path: depth, ...},
//	 "deep": {path: {"depth", "addr", "len", "type"}, ...},
//	 "sync_maps": [path, ...],
//	 "prefix_counts": {"main.": N, "example.com/acme/inventory.": N},
//	 "findings": {path: [code, ...], ...},
//	 "many": N}
//
// "maps" is exactly what `mapdiag scan PID --var-prefix main. --var-prefix
// example.com/acme/` must list at its default --depth 3: one entry per map
// (per distinct header for a non-nil map, per location for a nil one),
// keyed by the path scan should print it under. "header" is as maptarget's
// oracle has it (package example.com/acme/internal/hdr), null for a nil map;
// "addr" is the header address ("0x0" when nil), "var_addr" where the map
// pointer of the key path is stored, "depth" the pointer and slice hops of
// the key path, "type" the map's type as DWARF spells it (package paths in
// full).
//
// An alias group is one map header reached by several paths. "maps" holds
// it once, under the group's first path; "aliases" lists every group in
// full, ordered by hops (then by declaration), the key first. When several
// paths share the fewest hops (a tie) scan may print any one of them, with
// all the others as its "aliases": "alias_depths" gives the hops of every
// path of every group, so a test can tell which paths may be the key.
//
// "deep" holds the maps found with --depth 5 and not with --depth 3, under
// their (single) path. No map found at depth 3 gains a path at depth 4 or
// 5 (checked here), so --depth 5 lists "maps" plus "deep" with the same
// aliases. "sync_maps" names every sync.Map that holds no Go map (Go 1.24+:
// a hash-trie; scan lists it under not_decoded); on Go ≤ 1.23 a sync.Map's
// maps, main.sm.read.v.m (Go 1.19: main.sm.read.v.(sync.readOnly).m) and
// main.sm.dirty, are ordinary entries of "maps".
// "prefix_counts" counts the entries of "maps" per package; "findings" the
// warning codes scan must report on a map (every other map is ok); "many"
// is the -many argument.
//
// All of it is computed by walking the registered variables with reflect
// (see walk), the way scan is specified to walk DWARF types, and then
// checked against what this file declares (the musts in buildOracle).
//
// Flags: -threads N busy goroutines (default 2); -tick prints "TICK <n>" to
// stderr every 10ms; -many N adds N small maps (1..16 entries) in
// main.buckets, a []*Bucket (depth 2 each).
package main

import (
	"encoding/json"
	"example.com/acme/internal/live"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"example.com/acme/internal/hdr"
	"example.com/acme/inventory"
)

type Key struct {
	A int32
	B string
}

type Val struct{ X, Y int64 }

type Inner struct {
	pad [3]int64
	m   map[int]string
}

type Deep struct{ m map[uint16]uint16 }

type Holder struct {
	name  string
	m     map[string]int
	inner *Inner
	deep  Deep
	nilM  map[int]int // always nil
}

type Slot struct {
	id int
	m  map[string]int
}

type Shard struct {
	mu sync.Mutex
	m  map[string]int
}

type Registry map[string]int

type Base struct{ tags map[string]string }

type Service struct {
	Base
	name   string
	routes map[string]int
}

type Wrapper struct {
	*Base
	id int
}

type AliasHolder struct {
	note string
	m    map[string]int
}

type Config struct {
	name   string
	values map[string]string
}

type Node struct {
	id   int
	next *Node
	m    map[int]int
}

type L1 struct{ next *L2 }
type L2 struct {
	next *L3
	m    map[string]int
}
type L3 struct{ next *L4 }
type L4 struct {
	next *L5
	m    map[string]int
}
type L5 struct{ m map[string]int }

type Leaf struct{ m map[int]int }

type Bucket struct {
	id int
	m  map[int]int32
}

// Every package-level variable of package main that can reach a map (each
// is registered in roots()). Nothing else in package main may hold one.
var (
	idle        map[string]int
	empty       = make(map[string]int)
	nilMap      map[string]int
	nilInts     map[int64]int64
	ints        map[int64]int64
	strs        map[string]string
	big         map[int]int
	keys16      map[[16]byte]uint32
	floats      map[float64]bool
	ifaces      map[any]int
	structs     map[Key]Val
	sets        map[string]struct{}
	nested      map[string]map[string]int // the inner maps are values: one hop
	growingIdle map[int64]int64
	oversizedS  map[int]int
	oversizedM  map[int]int
	oversizedL  map[int]int

	holder      Holder
	ptrToHolder *Holder
	ppHolder    **Holder
	nilHolder   *Holder
	arr         [16]map[int]int
	slots       [64]Slot
	grid        [3][4]map[int8]int8
	shards      []Shard
	pshards     []*Shard
	mapSlice    []map[int]bool
	pages       []map[int]uint8
	emptySlice  []Shard
	pmap        *map[string]int
	ppmap       **map[string]int
	registry    Registry
	svc         Service
	wrapper     Wrapper
	atomicInner atomic.Pointer[Inner]

	aliasMap    map[string]int
	aliasHolder AliasHolder
	cfg         map[string]string
	cfgPtr      *Config
	sharedA     *Inner
	sharedB     *Inner

	ring      *Node
	deepChain *L1
	cube      [][][]*Leaf

	sm sync.Map

	buckets []*Bucket
)

// roots: every variable above, by its DWARF name, and inventory's.
func roots() []root {
	r := []root{
		{"main.idle", &idle}, {"main.empty", &empty}, {"main.nilMap", &nilMap},
		{"main.nilInts", &nilInts}, {"main.ints", &ints}, {"main.strs", &strs},
		{"main.big", &big}, {"main.keys16", &keys16}, {"main.floats", &floats},
		{"main.ifaces", &ifaces}, {"main.structs", &structs}, {"main.sets", &sets},
		{"main.nested", &nested}, {"main.growingIdle", &growingIdle},
		{"main.oversizedS", &oversizedS}, {"main.oversizedM", &oversizedM},
		{"main.oversizedL", &oversizedL},
		{"main.holder", &holder}, {"main.ptrToHolder", &ptrToHolder},
		{"main.ppHolder", &ppHolder}, {"main.nilHolder", &nilHolder},
		{"main.arr", &arr}, {"main.slots", &slots}, {"main.grid", &grid},
		{"main.shards", &shards}, {"main.pshards", &pshards},
		{"main.mapSlice", &mapSlice}, {"main.pages", &pages}, {"main.emptySlice", &emptySlice},
		{"main.pmap", &pmap}, {"main.ppmap", &ppmap}, {"main.registry", &registry},
		{"main.svc", &svc}, {"main.wrapper", &wrapper}, {"main.atomicInner", &atomicInner},
		{"main.aliasMap", &aliasMap}, {"main.aliasHolder", &aliasHolder},
		{"main.cfg", &cfg}, {"main.cfgPtr", &cfgPtr},
		{"main.sharedA", &sharedA}, {"main.sharedB", &sharedB},
		{"main.ring", &ring}, {"main.deepChain", &deepChain}, {"main.cube", &cube},
		{"main.sm", &sm}, {"main.buckets", &buckets},
	}
	inv := inventory.Vars()
	names := make([]string, 0, len(inv))
	for n := range inv {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		r = append(r, root{n, inv[n]})
	}
	return r
}

// Sizes.
const (
	nIdle        = 100
	nInts        = 1000
	nStrs        = 3000
	nBig         = 20000 // the largest map that is not oversized (~0.5 MiB)
	nKeys16      = 300
	nFloats      = 6 // a small map (Swiss: no directory)
	nIfaces      = 50
	nStructs     = 200
	nSets        = 77
	nNested      = 10
	nGrowing     = 1000 // classic: growth begins once len >= this
	nOversized   = 10   // what the oversized maps keep
	nOversizedS  = 80000
	nOversizedM  = 250000 // 3x apart: their bytes held cannot tie whatever
	nOversizedL  = 800000 // the hash seed does to Swiss table splits
	nRing        = 6
	nSyncStored  = 20
	nPages       = 100
	maxDepthDflt = 3
	maxDepthDeep = 5
)

func fill[M ~map[K]V, K comparable, V any](m M, n int, key func(int) K, val func(int) V, absent K) M {
	for i := 0; i < n; i++ {
		m[key(i)] = val(i)
	}
	hdr.Settle(m, absent)
	return m
}

// fillAny is fill for map[any]int: before Go 1.20 any does not satisfy
// comparable, so hdr.Settle cannot take this map.
func fillAny(m map[any]int, n int, key func(int) any, absent any) map[any]int {
	for i := 0; i < n; i++ {
		m[key(i)] = i
	}
	for i := 0; hdr.Growing(*(*unsafe.Pointer)(unsafe.Pointer(&m))); i++ {
		if i > 1<<22 {
			panic("fillAny: growth never finished")
		}
		delete(m, absent)
	}
	return m
}

func itoa(i int) string { return strconv.Itoa(i) }
func skey(p string) func(int) string {
	return func(i int) string { return p + strconv.Itoa(i) }
}
func ident(i int) int { return i }

func strMap(p string, n int) map[string]int {
	return fill(make(map[string]int), n, skey(p), ident, "absent")
}

func intStr(n int) map[int]string {
	return fill(make(map[int]string), n, ident, func(i int) string { return "v" + itoa(i) }, -1)
}

func intInt(n int) map[int]int {
	return fill(make(map[int]int), n, ident, ident, -1)
}

func oversize(max int) map[int]int {
	m := make(map[int]int)
	for i := 0; i < max; i++ {
		m[i] = i
	}
	for i := nOversized; i < max; i++ {
		delete(m, i)
	}
	hdr.Settle(m, -1)
	return m
}

func newHolder(name string, nm, ninner, ndeep int) *Holder {
	h := &Holder{name: name, m: strMap(name+"-", nm), inner: &Inner{m: intStr(ninner)}}
	h.deep.m = fill(make(map[uint16]uint16), ndeep, func(i int) uint16 { return uint16(i) },
		func(i int) uint16 { return uint16(i * 2) }, 65535)
	h.inner.pad = [3]int64{1, 2, 3}
	return h
}

func setup(many int) {
	idle = strMap("idle-", nIdle)
	ints = fill(make(map[int64]int64), nInts, func(i int) int64 { return int64(i) },
		func(i int) int64 { return int64(i) * 7 }, -1)
	strs = fill(make(map[string]string), nStrs, skey("k"), func(i int) string { return "v" + itoa(i) }, "absent")
	big = intInt(nBig)
	keys16 = fill(make(map[[16]byte]uint32), nKeys16, func(i int) [16]byte {
		var k [16]byte
		k[0], k[1], k[15] = byte(i), byte(i>>8), 0x5a
		return k
	}, func(i int) uint32 { return uint32(i) }, [16]byte{})
	floats = fill(make(map[float64]bool), nFloats, func(i int) float64 { return float64(i) + 0.25 },
		func(i int) bool { return i%2 == 0 }, -1)
	ifaces = fillAny(make(map[any]int), nIfaces, func(i int) any {
		if i%2 == 0 {
			return i
		}
		return "s" + itoa(i)
	}, any(-1))
	structs = fill(make(map[Key]Val), nStructs, func(i int) Key { return Key{int32(i), "k" + itoa(i)} },
		func(i int) Val { return Val{int64(i), int64(-i)} }, Key{-1, ""})
	sets = fill(make(map[string]struct{}), nSets, skey("set-"), func(int) struct{} { return struct{}{} }, "absent")
	nested = fill(make(map[string]map[string]int), nNested, skey("n"),
		func(i int) map[string]int { return strMap("in-", 3) }, "absent")

	growingIdle = make(map[int64]int64)
	hdr.FillGrowingIdle(growingIdle, nGrowing)

	oversizedS = oversize(nOversizedS)
	oversizedM = oversize(nOversizedM)
	oversizedL = oversize(nOversizedL)

	holder = *newHolder("holder", 12, 20, 9)
	ptrToHolder = newHolder("ptr", 4, 45, 2)
	hp := newHolder("pp", 6, 13, 1)
	ppHolder = &hp

	for i := range arr {
		switch i % 4 {
		case 0: // nil
		case 1:
			arr[i] = make(map[int]int)
		default:
			arr[i] = intInt(3 * i * i)
		}
	}
	for i := range slots {
		slots[i].id = i
		if i != 5 {
			slots[i].m = strMap("slot-", i%16*2+1)
		}
	}
	for i := range grid {
		for j := range grid[i] {
			grid[i][j] = fill(make(map[int8]int8), i*4+j+1, func(k int) int8 { return int8(k) },
				func(k int) int8 { return int8(-k) }, -1)
		}
	}
	shards = make([]Shard, 6)
	for i := range shards {
		shards[i].m = strMap("s"+itoa(i)+"-", 10*(i+1)+1)
	}
	pshards = make([]*Shard, 5)
	for i := range pshards {
		if i != 2 { // pshards[2] is a nil pointer
			pshards[i] = &Shard{m: strMap("ps-", 5+i)}
		}
	}
	mapSlice = []map[int]bool{
		fill(make(map[int]bool), 3, ident, func(int) bool { return true }, -1),
		nil,
		{},
		fill(make(map[int]bool), 40, ident, func(int) bool { return false }, -1),
	}
	emptySlice = make([]Shard, 0, 4)
	pages = make([]map[int]uint8, nPages)
	for i := range pages {
		if i%7 != 3 { // every 7th is nil
			pages[i] = fill(make(map[int]uint8), i%20, ident, func(k int) uint8 { return uint8(k) }, -1)
		}
	}

	pm := strMap("p-", 5)
	pmap = &pm
	ppm := strMap("pp-", 8)
	pppm := &ppm
	ppmap = &pppm

	registry = Registry(strMap("r-", 7))
	svc.name = "svc"
	svc.tags = fill(make(map[string]string), 4, skey("t"), skey("v"), "absent")
	svc.routes = strMap("/route/", 15)
	wrapper = Wrapper{Base: &Base{tags: fill(make(map[string]string), 3, skey("w"), skey("x"), "absent")}, id: 1}
	atomicInner.Store(&Inner{m: intStr(11)})

	aliasMap = strMap("alias-", 33)
	aliasHolder = AliasHolder{note: "same map as main.aliasMap", m: aliasMap}
	cfg = fill(make(map[string]string), 9, skey("c"), skey("v"), "absent")
	cfgPtr = &Config{name: "cfg", values: cfg}
	sharedA = &Inner{m: intStr(17)}
	sharedB = sharedA

	nodes := make([]*Node, nRing)
	for i := range nodes {
		nodes[i] = &Node{id: i, m: intInt(100 + i)}
	}
	for i := range nodes {
		nodes[i].next = nodes[(i+1)%nRing]
	}
	ring = nodes[0]

	l5 := &L5{m: strMap("l5-", 23)}
	l4 := &L4{next: l5, m: strMap("l4-", 22)}
	deepChain = &L1{next: &L2{next: &L3{next: l4}, m: strMap("l2-", 21)}}

	cube = [][][]*Leaf{{{&Leaf{intInt(30)}, &Leaf{intInt(31)}}}, {{&Leaf{intInt(32)}, &Leaf{intInt(33)}}}}

	// sync.Map: stores go to the dirty map; as many missed loads promote
	// it to read; one more store makes a new dirty map (a copy of read
	// plus the new key). Go <= 1.23: read.m 20 entries, dirty 21.
	for i := 0; i < nSyncStored; i++ {
		sm.Store("k"+itoa(i), i)
	}
	for i := 0; i < nSyncStored; i++ {
		sm.Load("k" + itoa(i))
	}
	sm.Store("late", -1)

	if many > 0 {
		buckets = make([]*Bucket, many)
		for i := range buckets {
			buckets[i] = &Bucket{id: i, m: fill(make(map[int]int32), 1+i%16, ident,
				func(k int) int32 { return int32(k) }, -1)}
		}
	}
}

// ---- the walk: scan's specification, in reflect ----

type root struct {
	name string
	ptr  any // a pointer to the variable
}

// hit is one path to one map value.
type hit struct {
	path string
	hops int
	hdr  unsafe.Pointer // the map header (nil for a nil map)
	loc  unsafe.Pointer // where the map pointer is stored
	typ  reflect.Type
	n    int
	seq  int
}

type walker struct {
	max      int
	hits     []hit
	syncMaps []string
}

// walk visits the value of type t at p, reached by path after hops pointer
// and slice hops: map values are recorded; pointers (a nil one ends the
// path) and slice elements cost a hop each and are not followed past max;
// struct fields (an embedded one named by its type) and array elements are
// free. A sync/atomic.Pointer[T] is followed through its v field as a *T.
// A sync.Map that is a hash-trie (Go 1.24+) is recorded, not entered.
// The values of a map cost a hop (keys are not followed; a value is named
// by its key, quoted when a string).  Interfaces, channels, functions,
// strings and unsafe.Pointers are not followed.
func (w *walker) walk(t reflect.Type, p unsafe.Pointer, path string, hops int) {
	switch t.Kind() {
	case reflect.Map:
		w.hits = append(w.hits, hit{path: path, hops: hops, hdr: *(*unsafe.Pointer)(p), loc: p,
			typ: t, n: reflect.NewAt(t, p).Elem().Len(), seq: len(w.hits)})
		// the values of a map cost a hop; a value is walked from a copy
		// (map values have no address), which shares what it points to
		if hops+1 > w.max {
			return
		}
		it := reflect.NewAt(t, p).Elem().MapRange()
		for it.Next() {
			k := it.Key()
			var ks string
			switch k.Kind() {
			case reflect.String:
				ks = strconv.Quote(k.String())
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				ks = strconv.FormatInt(k.Int(), 10)
			default:
				continue
			}
			c := reflect.New(t.Elem())
			c.Elem().Set(it.Value())
			w.walk(t.Elem(), c.UnsafePointer(), path+"["+ks+"]", hops+1)
		}
	case reflect.Pointer:
		q := *(*unsafe.Pointer)(p)
		if q != nil && hops+1 <= w.max {
			w.walk(t.Elem(), q, path, hops+1)
		}
	case reflect.Struct:
		if t == reflect.TypeOf((*sync.Map)(nil)).Elem() {
			if _, ok := t.FieldByName("read"); !ok {
				w.syncMaps = append(w.syncMaps, path)
				return
			}
		}
		if t == reflect.TypeOf(atomic.Value{}) {
			w.atomicValue(p, path, hops)
			return
		}
		if t.PkgPath() == "sync/atomic" && strings.HasPrefix(t.Name(), "Pointer[") {
			f, ok := t.FieldByName("v")
			if !ok || t.Field(0).Type.Kind() != reflect.Array {
				panic("unexpected layout of " + t.String())
			}
			q := *(*unsafe.Pointer)(unsafe.Add(p, f.Offset))
			if q != nil && hops+1 <= w.max {
				w.walk(t.Field(0).Type.Elem().Elem(), q, path+".v", hops+1)
			}
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Name != "_" {
				w.walk(f.Type, unsafe.Add(p, f.Offset), path+"."+f.Name, hops)
			}
		}
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			w.walk(t.Elem(), unsafe.Add(p, uintptr(i)*t.Elem().Size()), path+"["+itoa(i)+"]", hops)
		}
	case reflect.Slice:
		v := reflect.NewAt(t, p).Elem()
		if v.Len() == 0 || hops+1 > w.max {
			return
		}
		data := v.UnsafePointer()
		for i := 0; i < v.Len() && i < 65536; i++ {
			w.walk(t.Elem(), unsafe.Add(data, uintptr(i)*t.Elem().Size()), path+"["+itoa(i)+"]", hops+1)
		}
	}
}

// atomicValue follows the atomic.Value at p through its interface v, as
// scan does: Go 1.19's sync.Map keeps its readOnly there (1.20 on, in an
// atomic.Pointer).  The dynamic type is named as in a type assertion; a
// value that is not pointer-shaped is what the data word points to (a
// hop), a pointer-shaped one the data word itself.
func (w *walker) atomicValue(p unsafe.Pointer, path string, hops int) {
	x := (*atomic.Value)(p).Load()
	if x == nil {
		return
	}
	dt := reflect.TypeOf(x)
	eface := (*[2]unsafe.Pointer)(p) // atomic.Value{v any}: v is all of it
	name := path + ".v.(" + dt.String() + ")"
	switch dt.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		w.walk(dt, unsafe.Pointer(&eface[1]), name, hops)
	default:
		if eface[1] != nil && hops+1 <= w.max {
			w.walk(dt, eface[1], name, hops+1)
		}
	}
}

// group: the paths to one map (one header, or one nil map's location),
// in order of hops, then of discovery.
type group []hit

func walkAll(rs []root, max int) (*walker, []group) {
	w := &walker{max: max}
	for _, r := range rs {
		v := reflect.ValueOf(r.ptr)
		w.walk(v.Type().Elem(), v.UnsafePointer(), r.name, 0)
	}
	idx := map[unsafe.Pointer]int{}
	var gs []group
	for _, h := range w.hits {
		k := h.hdr
		if k == nil {
			k = h.loc
		}
		i, ok := idx[k]
		if !ok {
			i = len(gs)
			idx[k] = i
			gs = append(gs, nil)
		}
		gs[i] = append(gs[i], h)
	}
	for _, g := range gs {
		sort.SliceStable(g, func(a, b int) bool { return g[a].hops < g[b].hops })
	}
	return w, gs
}

// typeName spells t as Go's DWARF does: full package paths.
func typeName(t reflect.Type) string {
	if t.Name() != "" {
		if t.PkgPath() != "" {
			return t.PkgPath() + "." + t.Name()
		}
		return t.Name()
	}
	switch t.Kind() {
	case reflect.Map:
		return "map[" + typeName(t.Key()) + "]" + typeName(t.Elem())
	case reflect.Pointer:
		return "*" + typeName(t.Elem())
	case reflect.Slice:
		return "[]" + typeName(t.Elem())
	case reflect.Array:
		return "[" + itoa(t.Len()) + "]" + typeName(t.Elem())
	case reflect.Interface:
		if t.NumMethod() == 0 {
			return "interface {}"
		}
	case reflect.Struct:
		if t.NumField() == 0 {
			return "struct {}"
		}
	}
	return t.String()
}

// ---- the oracle ----

type mapJSON struct {
	Addr    string `json:"addr"`
	VarAddr string `json:"var_addr"`
	Nil     bool   `json:"nil"`
	Len     int    `json:"len"`
	Type    string `json:"type"`
	Depth   int    `json:"depth"`
	Header  any    `json:"header"`
}

type deepJSON struct {
	Depth int    `json:"depth"`
	Addr  string `json:"addr"`
	Len   int    `json:"len"`
	Type  string `json:"type"`
}

type oracleJSON struct {
	Pid          int                  `json:"pid"`
	GoVersion    string               `json:"go_version"`
	Impl         string               `json:"impl"`
	Maps         map[string]*mapJSON  `json:"maps"`
	Aliases      [][]string           `json:"aliases"`
	AliasDepths  map[string]int       `json:"alias_depths"`
	Deep         map[string]*deepJSON `json:"deep"`
	SyncMaps     []string             `json:"sync_maps"`
	PrefixCounts map[string]int       `json:"prefix_counts"`
	Findings     map[string][]string  `json:"findings"`
	Many         int                  `json:"many"`
}

func must(ok bool, what string, args ...any) {
	if !ok {
		panic("self-check failed: " + fmt.Sprintf(what, args...))
	}
}

func paths(g group) []string {
	var s []string
	for _, h := range g {
		s = append(s, h.path)
	}
	return s
}

func buildOracle(many int) []byte {
	o := oracleJSON{
		Pid: os.Getpid(), GoVersion: runtime.Version(), Impl: hdr.Impl,
		Maps: map[string]*mapJSON{}, Aliases: [][]string{}, AliasDepths: map[string]int{},
		Deep: map[string]*deepJSON{}, SyncMaps: []string{},
		PrefixCounts: map[string]int{"main.": 0, "example.com/acme/inventory.": 0},
		Findings:     map[string][]string{}, Many: many,
	}
	rs := roots()
	w3, g3 := walkAll(rs, maxDepthDflt)
	w5, g5 := walkAll(rs, maxDepthDeep)

	byPath := map[string]hit{} // every path found at depth 3
	for _, g := range g3 {
		h := g[0]
		e := &mapJSON{Addr: hdr.Hex(uintptr(h.hdr)), VarAddr: hdr.Hex(uintptr(h.loc)), Nil: h.hdr == nil,
			Len: h.n, Type: typeName(h.typ), Depth: h.hops}
		if h.hdr != nil {
			var count int
			e.Header, count = hdr.ReadHeader(h.hdr)
			must(count == h.n, "%s: header says %d entries, len() says %d", h.path, count, h.n)
			hdr.CheckImpl(h.path, h.hdr)
			must(h.path == "main.growingIdle" || !hdr.Growing(h.hdr), "%s is growing", h.path)
		} else {
			must(len(g) == 1, "nil map %s reached by %d paths", h.path, len(g))
		}
		_, dup := o.Maps[h.path]
		must(!dup, "duplicate path %s", h.path)
		o.Maps[h.path] = e
		if len(g) > 1 {
			o.Aliases = append(o.Aliases, paths(g))
			for _, a := range g {
				o.AliasDepths[a.path] = a.hops
			}
		}
		for p := range o.PrefixCounts {
			if strings.HasPrefix(h.path, p) {
				o.PrefixCounts[p]++
			}
		}
		for _, a := range g {
			byPath[a.path] = a
		}
	}
	// Depth 5: what depth 3 found, unchanged, plus single-path deep maps.
	for _, g := range g5 {
		h := g[0]
		if h.hops <= maxDepthDflt {
			e := o.Maps[h.path]
			must(e != nil && e.Addr == hdr.Hex(uintptr(h.hdr)), "%s: found at depth 5 under another key", h.path)
			for _, a := range g {
				_, ok := byPath[a.path]
				must(ok, "%s: a new path to %s at depth %d", a.path, h.path, a.hops)
			}
			continue
		}
		must(len(g) == 1 && h.hdr != nil, "deep map %s: %d paths", h.path, len(g))
		o.Deep[h.path] = &deepJSON{Depth: h.hops, Addr: hdr.Hex(uintptr(h.hdr)), Len: h.n, Type: typeName(h.typ)}
	}
	must(len(w5.hits)-len(w3.hits) == len(o.Deep), "depth 5 found %d more paths, %d deep maps",
		len(w5.hits)-len(w3.hits), len(o.Deep))
	seen := map[string]bool{}
	for _, s := range w3.syncMaps {
		if !seen[s] {
			seen[s] = true
			o.SyncMaps = append(o.SyncMaps, s)
		}
	}
	for _, p := range []string{"main.oversizedS", "main.oversizedM", "main.oversizedL"} {
		o.Findings[p] = []string{"oversized"}
	}
	if hdr.Impl == "hmap" {
		o.Findings["main.growingIdle"] = []string{"growing-idle"}
	}

	// ---- self-checks: the walk found what this file declares ----
	depthOf := func(p string) int {
		h, ok := byPath[p]
		must(ok, "%s not found", p)
		return h.hops
	}
	want := map[string]int{
		"main.idle": 0, "main.nilMap": 0, "main.holder.m": 0, "main.holder.deep.m": 0,
		"main.holder.nilM": 0, "main.holder.inner.m": 1, "main.ptrToHolder.m": 1,
		"main.ptrToHolder.inner.m": 2, "main.ppHolder.m": 2, "main.ppHolder.inner.m": 3,
		"main.arr[0]": 0, "main.arr[15]": 0, "main.slots[5].m": 0, "main.grid[2][3]": 0,
		"main.shards[3].m": 1, "main.pshards[4].m": 2, "main.mapSlice[1]": 1,
		"main.pmap": 1, "main.pages[99]": 1, "main.slots[63].m": 0, "main.ppmap": 2,
		"main.registry": 0, "main.svc.Base.tags": 0,
		"main.svc.routes": 0, "main.wrapper.Base.tags": 1, "main.atomicInner.v.m": 1,
		"main.aliasMap": 0, "main.aliasHolder.m": 0, "main.cfg": 0, "main.cfgPtr.values": 1,
		"main.sharedA.m": 1, "main.sharedB.m": 1, "main.ring.m": 1, "main.ring.next.m": 2,
		"main.ring.next.next.m": 3, "main.deepChain.next.m": 2,
		"example.com/acme/inventory.Stock": 0, "example.com/acme/inventory.Missing": 0,
		"example.com/acme/inventory.Warehouses[2].Bins": 2,
	}
	for p, d := range want {
		must(depthOf(p) == d, "%s at depth %d, want %d", p, depthOf(p), d)
	}
	wantDeep := map[string]int{
		"main.ring.next.next.next.m": 4, "main.ring.next.next.next.next.m": 5,
		"main.deepChain.next.next.next.m": 4, "main.deepChain.next.next.next.next.m": 5,
		"main.cube[0][0][0].m": 4, "main.cube[1][0][1].m": 4,
	}
	for p, d := range wantDeep {
		must(o.Deep[p] != nil && o.Deep[p].Depth == d, "deep %s: %+v, want depth %d", p, o.Deep[p], d)
	}
	must(len(o.Deep) == 8, "%d deep maps, want 8", len(o.Deep))
	must(len(o.Aliases) == 3, "%d alias groups, want 3: %v", len(o.Aliases), o.Aliases)
	for p := range byPath {
		must(!strings.HasPrefix(p, "main.pshards[2]") && !strings.HasPrefix(p, "main.emptySlice") &&
			!strings.HasPrefix(p, "main.nilHolder") && !strings.HasPrefix(p, "main.nested."),
			"%s: a nil pointer, an empty slice or a map's contents entered", p)
	}
	must(o.Maps["main.nilMap"].Nil && o.Maps["main.holder.nilM"].Nil && o.Maps["main.arr[4]"].Nil &&
		!o.Maps["main.arr[5]"].Nil && o.Maps["main.arr[5]"].Len == 0 && !o.Maps["main.empty"].Nil,
		"nil / empty maps")
	must(len(oversizedS) == nOversized && len(oversizedM) == nOversized && len(oversizedL) == nOversized,
		"oversized sizes")
	must(len(big) == nBig && len(idle) == nIdle, "sizes")
	if hdr.Impl == "hmap" {
		must(hdr.Growing(hdr.Ptr(growingIdle)), "growingIdle is growing (oldbuckets != nil)")
	} else {
		must(hdr.IsSmall(hdr.Ptr(floats)), "floats is a small map")
		must(!hdr.IsSmall(hdr.Ptr(big)), "big has a directory")
	}
	if len(o.SyncMaps) == 0 { // Go <= 1.23: the maps inside main.sm
		// Go 1.20 on: read is an atomic.Pointer[readOnly]; Go 1.19: an
		// atomic.Value holding a readOnly, a path through an interface.
		read := "main.sm.read.v.m"
		for p := range byPath {
			if strings.HasPrefix(p, "main.sm.read.") && strings.HasSuffix(p, ".m") {
				read = p
			}
		}
		must(depthOf(read) == 1 && byPath[read].n == nSyncStored &&
			depthOf("main.sm.dirty") == 0 && byPath["main.sm.dirty"].n == nSyncStored+1,
			"sync.Map: %s %d entries, dirty %d", read, byPath[read].n, byPath["main.sm.dirty"].n)
	} else {
		must(len(o.SyncMaps) == 1 && o.SyncMaps[0] == "main.sm", "sync maps %v", o.SyncMaps)
	}
	if many > 0 {
		must(depthOf("main.buckets["+itoa(many-1)+"].m") == 2, "buckets depth")
	}

	b, err := json.Marshal(&o)
	if err != nil {
		panic(err)
	}
	return b
}

func main() {
	tickFlag := flag.Bool("tick", false, "print TICK <n> to stderr every 10ms")
	threads := flag.Int("threads", 2, "number of busy goroutines (compute 200us, sleep 1ms)")
	many := flag.Int("many", 0, "add N small maps (1..16 entries) in main.buckets")
	flag.Parse()

	setup(*many)
	line := append([]byte("READY "), buildOracle(*many)...)
	line = append(line, '\n')

	if *threads < 0 {
		*threads = 0
	}
	if p := *threads + 2; p > runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(p)
	}
	for i := 0; i < *threads; i++ {
		go live.Spin(i)
	}
	if *tickFlag {
		go live.Tick()
	}
	if _, err := os.Stdout.Write(line); err != nil {
		os.Exit(1)
	}
	for {
		time.Sleep(time.Hour)
	}
}
