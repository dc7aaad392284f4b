// Command maptarget is a test target for mapdiag. It puts maps into known
// states (idle, empty, small, nil, growing-idle, writing, huge, oversized,
// reached through struct fields, arrays, slices, pointers, named types and a
// package path with dots), then prints one line
//
//	READY {"pid":...,"go_version":...,"impl":"hmap"|"swiss","maps":{...},"errors":{...}}
//
// on stdout: the oracle. Each map's header is read from inside the process
// through unsafe, by mirroring the runtime structs of the Go release it was
// built with (classic runtime.hmap, or Swiss internal/runtime/maps.Map; see
// package example.com/acme/internal/hdr). It then runs until killed, never
// touching the maps again.
//
// Flags: -tick prints "TICK <n>" to stderr every 10ms; -threads N starts N
// goroutines that alternate 1ms of computing with 1ms of sleep.
package main

import (
	"encoding/json"
	"example.com/acme/internal/live"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unsafe"

	"example.com/acme/internal/hdr"
	"example.com/acme/store"
)

type Inner struct {
	pad [3]int64
	m   map[int]string
}

type Holder struct {
	name  string
	m     map[string]int
	inner *Inner
}

type Shard struct {
	mu sync.Mutex
	m  map[string]int
}

type Cache map[string]int

// The maps. Every one is a global, so it stays reachable (and its header
// stays where the oracle says) for the life of the process.
var (
	idle        map[string]int
	empty       = make(map[string]int)
	small       map[int]int
	nilMap      map[string]int
	growingIdle map[int64]int64
	writing     map[int]int
	million     map[int64]int64
	oversized   map[int]int
	holder      Holder
	arr         [4]map[int]int
	shards      []Shard
	pmap        *map[string]int
	named       Cache
	ptrToHolder *Holder
	nilHolder   *Holder
	// padded's slot has 7 bytes of padding when keys and elems interleave
	// (struct{int64; bool}), none in a split group (keys, then elems):
	// its group size tells the two layouts apart.
	padded map[int64]bool
	// badPtr holds a map pointer into memory that is never mapped (below
	// vm.mmap_min_addr): the tool must say it cannot read the header. The
	// GC ignores pointers outside the heap, and Go code never touches it.
	badPtr map[int]int
)

// Sizes, so that tests need not hard-code them.
const (
	nIdle         = 100
	nSmall        = 3
	nGrowingFloor = 1000 // classic: growth that begins once len >= this
	nGrowingSwiss = 1000
	nWriting      = 10
	nMillion      = 1000000
	nOversizedMax = 200000
	nOversized    = 10
	nHolderM      = 12
	nHolderInner  = 20
	nPtrHolderM   = 4
	nPtrInner     = 45
	nShards       = 5
	nPmap         = 5
	nNamed        = 7
)

var arrSizes = [4]int{0, 1, 60, 3000} // arr[0] is empty (non-nil)

func setup() {
	*(*uintptr)(unsafe.Pointer(&badPtr)) = 0x1000
	idle = make(map[string]int)
	for i := 0; i < nIdle; i++ {
		idle["idle-"+strconv.Itoa(i)] = i
	}
	hdr.Settle(idle, "absent")

	small = map[int]int{}
	for i := 1; i <= nSmall; i++ {
		small[i] = i * 10
	}
	hdr.Settle(small, -1)

	growingIdle = make(map[int64]int64)
	if hdr.Impl == "hmap" {
		hdr.FillGrowingIdle(growingIdle, nGrowingFloor)
	} else {
		hdr.FillGrowingIdle(growingIdle, nGrowingSwiss)
	}

	writing = make(map[int]int)
	for i := 0; i < nWriting; i++ {
		writing[i] = i
	}
	hdr.Settle(writing, -1)

	million = make(map[int64]int64)
	for i := int64(0); i < nMillion; i++ {
		million[i] = i
	}
	hdr.Settle(million, -1)

	padded = make(map[int64]bool)
	for i := int64(0); i < 100; i++ {
		padded[i] = i%2 == 0
	}
	hdr.Settle(padded, -1)

	oversized = make(map[int]int)
	for i := 0; i < nOversizedMax; i++ {
		oversized[i] = i
	}
	for i := nOversized; i < nOversizedMax; i++ {
		delete(oversized, i)
	}
	hdr.Settle(oversized, -1)

	holder = Holder{name: "holder", m: make(map[string]int), inner: &Inner{m: make(map[int]string)}}
	for i := 0; i < nHolderM; i++ {
		holder.m["h-"+strconv.Itoa(i)] = i
	}
	for i := 0; i < nHolderInner; i++ {
		holder.inner.m[i] = "inner-" + strconv.Itoa(i)
	}
	hdr.Settle(holder.m, "absent")
	hdr.Settle(holder.inner.m, -1)
	holder.inner.pad = [3]int64{1, 2, 3}

	for i := range arr {
		arr[i] = make(map[int]int)
		for k := 0; k < arrSizes[i]; k++ {
			arr[i][k] = k
		}
		hdr.Settle(arr[i], -1)
	}

	shards = make([]Shard, nShards)
	for i := range shards {
		shards[i].m = make(map[string]int)
		for k := 0; k < 10*(i+1)+1; k++ { // 11, 21, 31, 41, 51
			shards[i].m["s"+strconv.Itoa(i)+"-"+strconv.Itoa(k)] = k
		}
		hdr.Settle(shards[i].m, "absent")
	}

	pm := make(map[string]int)
	for i := 0; i < nPmap; i++ {
		pm["p-"+strconv.Itoa(i)] = i
	}
	hdr.Settle(pm, "absent")
	pmap = &pm

	named = make(Cache)
	for i := 0; i < nNamed; i++ {
		named["n-"+strconv.Itoa(i)] = i
	}
	hdr.Settle(named, "absent")

	ptrToHolder = &Holder{name: "ptr", m: make(map[string]int), inner: &Inner{m: make(map[int]string)}}
	for i := 0; i < nPtrHolderM; i++ {
		ptrToHolder.m["q-"+strconv.Itoa(i)] = i
	}
	for i := 0; i < nPtrInner; i++ {
		ptrToHolder.inner.m[i] = "pi-" + strconv.Itoa(i)
	}
	hdr.Settle(ptrToHolder.m, "absent")
	hdr.Settle(ptrToHolder.inner.m, -1)
	hdr.Settle(store.Sessions, "absent")
	ptrToHolder.inner.pad = [3]int64{4, 5, 6}

	// Last: from here on this map must never be touched by Go code again.
	hdr.SetWriting(*(*unsafe.Pointer)(unsafe.Pointer(&writing)))
}

// ---- the oracle ----

type mapJSON struct {
	Addr    string `json:"addr"`
	VarAddr string `json:"var_addr"` // where the map pointer itself is stored
	Type    string `json:"type"`
	Nil     bool   `json:"nil"`
	Len     int    `json:"len"`
	Header  any    `json:"header"`
	// The bucket (classic) or group (Swiss) size of the map's type, from
	// its type descriptor, and (Swiss) the bytes of its groups.
	Sizes map[string]uint64 `json:"sizes"`

	hdr unsafe.Pointer
}

type oracleJSON struct {
	Pid       int                 `json:"pid"`
	GoVersion string              `json:"go_version"`
	Impl      string              `json:"impl"`
	Maps      map[string]*mapJSON `json:"maps"`
	Errors    map[string]string   `json:"errors"`
}

var oracle = oracleJSON{Maps: map[string]*mapJSON{}, Errors: map[string]string{}}

// add records the map variable at v under the expression expr, reading its
// header through unsafe and checking it against len().
func add[M ~map[K]V, K comparable, V any](expr string, v *M) *mapJSON {
	hp := *(*unsafe.Pointer)(unsafe.Pointer(v))
	e := &mapJSON{
		Addr:    hdr.Hex(uintptr(hp)),
		VarAddr: hdr.Hex(uintptr(unsafe.Pointer(v))),
		Type:    reflect.TypeOf(*v).String(),
		Nil:     hp == nil,
		Len:     len(*v),
		Sizes:   map[string]uint64{},
		hdr:     hp,
	}
	key, size, groups := hdr.Sizes(*v, hp)
	e.Sizes[key] = size
	if groups != nil {
		e.Sizes["bytes_groups"] = *groups
	}
	if (*v == nil) != (hp == nil) {
		panic(expr + ": nil-ness of the map and of its header pointer disagree")
	}
	if hp != nil {
		var count int
		e.Header, count = hdr.ReadHeader(hp)
		if count != len(*v) {
			panic(fmt.Sprintf("%s: header says %d entries, len() says %d", expr, count, len(*v)))
		}
		hdr.CheckImpl(expr, hp)
	}
	if _, dup := oracle.Maps[expr]; dup {
		panic("duplicate expression " + expr)
	}
	oracle.Maps[expr] = e
	return e
}

func must(ok bool, what string) {
	if !ok {
		panic("self-check failed: " + what)
	}
}

func buildOracle() []byte {
	oracle.Pid = os.Getpid()
	oracle.GoVersion = runtime.Version()
	oracle.Impl = hdr.Impl

	add("main.idle", &idle)
	add("main.empty", &empty)
	add("main.small", &small)
	add("main.nilMap", &nilMap)
	add("main.growingIdle", &growingIdle)
	add("main.writing", &writing)
	add("main.million", &million)
	add("main.oversized", &oversized)
	add("main.holder.m", &holder.m)
	add("main.holder.inner.m", &holder.inner.m)
	for i := range arr {
		add("main.arr["+strconv.Itoa(i)+"]", &arr[i])
	}
	for i := range shards {
		add("main.shards["+strconv.Itoa(i)+"].m", &shards[i].m)
	}
	add("main.pmap", pmap) // the tool dereferences the pointer: the map is *pmap
	add("main.named", &named)
	add("main.padded", &padded)
	add("main.ptrToHolder.m", &ptrToHolder.m)
	add("main.ptrToHolder.inner.m", &ptrToHolder.inner.m)
	add("example.com/acme/store.Sessions", &store.Sessions)
	if nilHolder == nil {
		oracle.Errors["main.nilHolder.m"] = "nil"
	}
	oracle.Errors["main.badPtr"] = "unreadable"

	// State self-checks: the states the tests rely on must really hold.
	hp := func(p unsafe.Pointer) unsafe.Pointer { return *(*unsafe.Pointer)(p) }
	must(len(idle) == nIdle && len(small) == nSmall && len(empty) == 0, "sizes")
	must(nilMap == nil && hp(unsafe.Pointer(&empty)) != nil, "nil / empty")
	must(hdr.IsWriting(hp(unsafe.Pointer(&writing))), "writing flag set")
	must(len(oversized) == nOversized && len(million) == nMillion, "million / oversized sizes")
	must(len(store.Sessions) == store.NSessions, "store.Sessions size")
	if hdr.Impl == "hmap" {
		must(hdr.Growing(hp(unsafe.Pointer(&growingIdle))), "growingIdle is growing (oldbuckets != nil)")
		for expr, e := range oracle.Maps {
			must(expr == "main.growingIdle" || !hdr.Growing(e.hdr), expr+" is not growing")
		}
	} else {
		must(hdr.IsSmall(hp(unsafe.Pointer(&small))), "small is a small map (dirLen 0)")
		must(!hdr.IsSmall(hp(unsafe.Pointer(&million))), "million has a directory")
	}

	b, err := json.Marshal(&oracle)
	if err != nil {
		panic(err)
	}
	return b
}

func main() {
	tickFlag := flag.Bool("tick", false, "print TICK <n> to stderr every 10ms")
	threads := flag.Int("threads", 4, "number of busy goroutines (compute 200us, sleep 1ms)")
	churnFlag := flag.Bool("churn", false, "create and destroy OS threads continuously")
	flag.Parse()

	setup()
	line := append([]byte("READY "), buildOracle()...)
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
	if *churnFlag {
		go live.Churn()
	}

	if _, err := os.Stdout.Write(line); err != nil {
		os.Exit(1)
	}
	for {
		time.Sleep(time.Hour)
	}
}
