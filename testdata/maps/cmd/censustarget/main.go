// Command censustarget is the test target of the census of `mapdiag scan`
// (issue 15): maps reachable not from package variables alone but from the
// stacks of goroutines (locals and arguments live at each frame's pc),
// through interfaces (the dynamic type) and inside other maps (the values
// of a map[string]*T whose T holds a map). Each map has exactly one path.
//
// Roots (goroutine ids and pcs are in the oracle):
//
//	main.main                 g1, parked in a channel receive: two live locals
//	                          (a map, a *struct holding one) and one map local
//	                          that is dead there (optimized out)
//	main.parkedChan           a channel receive: argument map m, local map
//	main.parkedSelect         a select on two channels: argument c *conn, local
//	                          map, local map[int]*Session (values' maps)
//	main.parkedSleep          time.Sleep: argument cfg (a struct by value, in
//	                          register pieces), local map, local []item
//	main.(*worker).lockWait   sync.Mutex.Lock (held by main.holdMutex): the
//	                          receiver w (holds a map), argument extra, local
//	main.startClosure.func1   a closure parked in a channel receive: its
//	                          captured variable captured
//	main.spin                 running: reads its local map hot in a loop,
//	                          never allocating (left out by -idle)
//	main.sessions             map[string]*Session: the map and its values' maps
//	main.anyBox, main.anyPtr  interfaces (any) holding a map and a *holder
//	main.reg.s                a field of interface type store: *storeImpl
//	main.hidden               unsafe.Pointer to a hiddenBox holding a map: never
//	                          followed, never reported
//	(garbage)                 maps made unreachable and collected before READY
//
// Then it prints one line
//
//	READY {json}
//
// on stdout and runs until killed, never touching a map again (the
// spinning goroutine only reads its map).
//
// # The oracle
//
//	{"pid": N, "go_version": "go1.26.0", "impl": "hmap"|"swiss", "idle": bool,
//	 "maps": {path: {"addr", "len", "type", "header", "hops",
//	                 "root": {"kind": "global"|"stack", "variable",
//	                          "goroutine", "function", "pc"},
//	                 "via_interface": bool, "running": bool}},
//	 "aliases": [[path, ...], ...],
//	 "absent": {addr: "unsafe"|"garbage"|"dead", ...},
//	 "unsafe_only": N,
//	 "optimized_out": [path, ...],
//	 "goroutines": [{"goroutine", "status", "running",
//	                 "frames": [{"function", "pc"}, ...]}, ...]}
//
// "maps" is every map that the census of package main's roots (package
// variables main.*, and every frame of every goroutine) must list, keyed by
// the path it should print, with the header as the process itself reads it
// (package example.com/acme/internal/hdr, as in scantarget's oracle) and
// the type as DWARF spells it. Every map has a distinct len; "aliases" is
// empty (no map has two paths). Paths:
//
//	main.sessions["s3"].m                  a package variable (DWARF name), a
//	                                       field, a map value by key (strings
//	                                       Go-quoted, integers in decimal)
//	main.anyPtr.(*main.holder).m           an interface's dynamic type, as
//	                                       DWARF names it
//	g7/main.parkedSelect/bySID[2].m        g<goid>/<function>/<variable>,
//	g7/main.parkedSelect/c.m               the function as the symbol table
//	g1/main.main/mainLocal                 spells it, the variable as DWARF
//	                                       names it
//
// "hops" counts pointer, slice element, interface and map value hops (so
// main.anyBox.(map[string]int) is 1, main.anyPtr.(*main.holder).m is 2:
// the interface, then the pointer); fields and array elements are free.
// No path has more than 2, so the default --depth 3 finds every map.
//
// "root" says where the path starts: "variable" is the package variable
// (global) or the local or parameter (stack); a stack root also names its
// goroutine, its function and the frame's pc (the return address of the
// call the goroutine is parked in, as a traceback has it; no "pc" for the
// running goroutine, whose pc is wherever the stop finds it). "running"
// marks the maps of the running goroutine, "via_interface" the paths that
// go through an interface.
//
// "absent" lists map headers the census must not report: "unsafe", the map
// only reachable through main.hidden (an unsafe.Pointer: never followed,
// counted, "unsafe_only" being the number of non-nil unsafe.Pointers on the
// roots, each leading to one such map); "garbage", maps that were made
// unreachable and finalized, then collected twice before READY; "dead",
// the map of main's local dead, whose last use is before main parks.
// "optimized_out" names that local (g1/main.main/dead): it only ever lives
// in registers, and DWARF gives it no location at main's pc. (A variable
// spilled to the stack is described by Go's DWARF until the end of its
// function, live or not: such a one is not optimized out.)
//
// "goroutines" lists every goroutine that holds a map root (and
// main.holdMutex, which holds none), with its status as a traceback prints
// it (the running one's is "runnable" or "running": the traceback stops
// the world) and its frames of package main as the traceback shows them, with
// their pcs. The traceback leaves out the wrapper closure of a go
// statement (main.startChan.gowrap1; go1.21: main.startChan.func1) that is
// physically below a parked function: a DW_AT_trampoline subprogram with
// no variables. The goroutine that prints READY may still be on its way
// out when a test attaches: it holds no map.
//
// The oracle is computed by walking the roots with reflect (see walk), the
// way the census is specified to walk DWARF types, from inside each
// goroutine before it parks; READY is printed by a goroutine of its own
// (which then exits) once a traceback of all goroutines shows each one
// parked where it should be (or running), and the musts in buildOracle
// hold. The frames' pcs come from that traceback.
//
// Flags: -idle leaves the spinning goroutine out (no user goroutine is
// running after READY).
package main

import (
	"bytes"
	"encoding/json"
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
)

// ---- types ----

type Session struct {
	id string
	m  map[int]int
}

type holder struct {
	note string
	m    map[string]int
}

type store interface{ Len() int }

type storeImpl struct {
	name string
	m    map[string]int
}

func (s *storeImpl) Len() int { return len(s.m) }

type registry struct {
	name string
	s    store
}

type hiddenBox struct {
	id int
	m  map[int]int
}

type conn struct {
	name string
	m    map[int]int
}

type sleepCfg struct {
	id int
	m  map[string]bool
}

type item struct {
	name string
	m    map[string]int
}

type worker struct {
	mu   sync.Mutex
	name string
	m    map[string]int
}

type config struct {
	name string
	m    map[int]string
}

// Every package-level variable of package main that can reach a map (each
// is in globalRoots). Nothing else in package main may hold one.
var (
	sessions map[string]*Session
	anyBox   any
	anyPtr   any
	reg      registry
	hidden   unsafe.Pointer
)

// The other package variables: none reaches a map.
var (
	forever = make(chan int)          // never sent on: what main and the closure park on
	regs    = make(chan frameReg, 16) // each goroutine's roots, to the announcer
	sink    atomic.Uint64
)

func globalRoots() []root {
	return []root{{"main.sessions", &sessions}, {"main.anyBox", &anyBox}, {"main.anyPtr", &anyPtr},
		{"main.reg", &reg}, {"main.hidden", &hidden}}
}

// unsafeTarget: what an unsafe.Pointer on the roots points at (the walk
// does not know). Not a package-level map: that would be a root.
func unsafeTarget(path string) reflect.Type {
	if path == "main.hidden" {
		return reflect.TypeOf(hiddenBox{})
	}
	return nil
}

// Sizes: every map has its own len, so that a test can tell them apart by
// it as well as by address.
const (
	nSessions   = 5 // main.sessions; their maps hold 11..15
	nAnyBox     = 21
	nAnyPtr     = 22
	nStore      = 23
	nHidden     = 24
	nMainLocal  = 31
	nMainCfg    = 32
	nDead       = 33
	nChanArg    = 41
	nChanLocal  = 42
	nSelConn    = 51
	nSelLocal   = 52
	nBySID      = 3 // g/main.parkedSelect/bySID; their maps hold 53..55
	nSleepCfg   = 61
	nSleepLocal = 62
	nItems      = 4 // g/main.parkedSleep/items; their maps hold 63..66
	nWorker     = 71
	nExtra      = 72
	nLockLocal  = 73
	nCaptured   = 81
	nHot        = 91
	nGarbage    = 2 // 101, 102
	maxHops     = 6
)

// ---- making maps ----
//
// Every constructor is noinline and returns its map, so every header is on
// the heap: a header on a goroutine's stack would move when the stack does.

func fill[M ~map[K]V, K comparable, V any](m M, n int, key func(int) K, val func(int) V, absent K) M {
	for i := 0; i < n; i++ {
		m[key(i)] = val(i)
	}
	hdr.Settle(m, absent)
	return m
}

func itoa(i int) string { return strconv.Itoa(i) }

//go:noinline
func strInt(prefix string, n int) map[string]int {
	return fill(make(map[string]int), n, func(i int) string { return prefix + itoa(i) },
		func(i int) int { return i }, "absent")
}

//go:noinline
// intIntAddr is intInt, and the map's header address.
func intIntAddr(n, mul int) (map[int]int, uintptr) {
	m := intInt(n, mul)
	return m, uintptr(hdr.Ptr(m))
}

func intInt(n, mul int) map[int]int {
	return fill(make(map[int]int), n, func(i int) int { return i }, func(i int) int { return i * mul }, -1)
}

//go:noinline
func intStr(n int) map[int]string {
	return fill(make(map[int]string), n, func(i int) int { return i }, func(i int) string { return "v" + itoa(i) }, -1)
}

//go:noinline
func strBool(n int) map[string]bool {
	return fill(make(map[string]bool), n, func(i int) string { return "b" + itoa(i) },
		func(i int) bool { return i%2 == 0 }, "absent")
}

//go:noinline
func i64(n int) map[int64]int64 {
	return fill(make(map[int64]int64), n, func(i int) int64 { return int64(i) },
		func(i int) int64 { return int64(i) << 20 }, -1)
}

//go:noinline
func newSession(id string, n int) *Session { return &Session{id: id, m: intInt(n, 3)} }

//go:noinline
func bySIDMap(base int) map[int]*Session {
	m := make(map[int]*Session)
	for i := 1; i <= nBySID; i++ {
		m[i] = newSession("local-"+itoa(i), base+i-1)
	}
	hdr.Settle(m, -1)
	return m
}

func setupGlobals() {
	sessions = make(map[string]*Session)
	for i := 1; i <= nSessions; i++ {
		sessions["s"+itoa(i)] = newSession("s"+itoa(i), 10+i)
	}
	hdr.Settle(sessions, "absent")
	anyBox = strInt("box-", nAnyBox)
	anyPtr = &holder{note: "behind an any", m: strInt("ptr-", nAnyPtr)}
	reg = registry{name: "reg", s: &storeImpl{name: "impl", m: strInt("store-", nStore)}}
	hidden = unsafe.Pointer(&hiddenBox{id: 7, m: intInt(nHidden, 5)})
}

// ---- the parked goroutines ----
//
// Each parked function is noinline (its variables belong to its own
// subprogram, not to an inlined copy) and uses every root after the call
// it parks in, so that each is live, hence described by DWARF, at the
// return address of that call.

//go:noinline
func parkedChan(m map[string]int, ch chan int) {
	local := strInt("chan-local-", nChanLocal)
	register("chan receive", false, rt("m", m), rt("local", local))
	v := <-ch
	runtime.KeepAlive(m)
	runtime.KeepAlive(local)
	sink.Add(uint64(v))
}

//go:noinline
func parkedSelect(c *conn, a, b chan int) {
	local := intStr(nSelLocal)
	bySID := bySIDMap(53)
	register("select", false, rt("c", c), rt("local", local), rt("bySID", bySID))
	var v int
	select {
	case v = <-a:
	case v = <-b:
	}
	runtime.KeepAlive(c)
	runtime.KeepAlive(local)
	runtime.KeepAlive(bySID)
	sink.Add(uint64(v))
}

//go:noinline
func parkedSleep(cfg sleepCfg) {
	local := i64(nSleepLocal)
	// items has its address taken (by rtp, which does not keep it), so it
	// lives in one stack slot for the whole function, which DWARF says
	// with one location. Kept in registers and spill slots instead, it is
	// described wrongly: go1.21 gives a slice that a call returned and
	// another was passed four 8-byte pieces (the pointer twice); go1.27
	// adds variables items.ptr, items.len, items.cap for the spill slots
	// of a slice built by append in a loop (a second path to items[0].m).
	var items []item
	for i := 0; i < nItems; i++ {
		items = append(items, item{name: "item" + itoa(i), m: strInt("it"+itoa(i)+"-", 63+i)})
	}
	register("sleep", false, rt("cfg", cfg), rt("local", local), rtp("items", &items))
	time.Sleep(1 << 62)
	useCfg(cfg)
	useItems(items)
	runtime.KeepAlive(local)
}

//go:noinline
func useCfg(c sleepCfg) { sink.Add(uint64(c.id + len(c.m))) }

//go:noinline
func useItems(s []item) { sink.Add(uint64(len(s) + cap(s) + len(s[0].m))) }

//go:noinline
func (w *worker) lockWait(extra map[int]int) {
	local := strBool(nLockLocal)
	register(mutexWait, false, rt("w", w), rt("extra", extra), rt("local", local))
	w.mu.Lock()
	runtime.KeepAlive(w)
	runtime.KeepAlive(extra)
	runtime.KeepAlive(local)
}

// holdMutex locks mu for ever: lockWait parks on it.
//
//go:noinline
func holdMutex(mu *sync.Mutex, locked chan<- struct{}) {
	mu.Lock()
	register("chan receive", false)
	locked <- struct{}{}
	v := <-forever
	sink.Add(uint64(v))
}

//go:noinline
func spin() {
	hot := intInt(nHot, 7)
	register("running", true, rt("hot", hot))
	s := 0
	for i := 0; ; i++ {
		s += hot[i%nHot]
		if i&0xfffff == 0 {
			sink.Store(uint64(s))
		}
	}
}

// The starters make each goroutine's maps, so that no other frame ever
// holds them.

//go:noinline
func startChan() { go parkedChan(strInt("chan-arg-", nChanArg), make(chan int)) }

//go:noinline
func startSelect() {
	go parkedSelect(&conn{name: "conn", m: intInt(nSelConn, 2)}, make(chan int), make(chan int))
}

//go:noinline
func startSleep() { go parkedSleep(sleepCfg{id: 3, m: strBool(nSleepCfg)}) }

//go:noinline
func startMutex() {
	w := &worker{name: "worker", m: strInt("worker-", nWorker)}
	locked := make(chan struct{})
	go holdMutex(&w.mu, locked)
	<-locked
	go w.lockWait(intInt(nExtra, 9))
}

//go:noinline
func startClosure() {
	captured := strInt("captured-", nCaptured)
	go func() {
		register("chan receive", false, rt("captured", captured))
		v := <-forever
		runtime.KeepAlive(captured)
		sink.Add(uint64(v))
	}()
}

// ---- garbage ----

// makeGarbage makes n maps, drops them, and returns their header
// addresses once each has been finalized (so it was unreachable) and two
// more collections have freed it. keep stays reachable meanwhile.
//
//go:noinline
func makeGarbage(n int, keep map[int]int) []uintptr {
	var fin atomic.Int32
	addrs := make([]uintptr, n)
	for i := range addrs {
		addrs[i] = garbageMap(101+i, &fin)
	}
	for i := 0; i < 200 && int(fin.Load()) < n; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	must(int(fin.Load()) == n, "%d of %d garbage maps finalized", fin.Load(), n)
	runtime.GC()
	runtime.GC()
	runtime.KeepAlive(keep)
	return addrs
}

// garbageMap returns the header address of a map of n entries that
// nothing references. The finalizer is set on the header itself (the start
// of its allocation: new(hmap), new(maps.Map)), through a pointer type of
// our own.
//
//go:noinline
func garbageMap(n int, fin *atomic.Int32) uintptr {
	p := (*[2]uintptr)(hdr.Ptr(intInt(n, 11)))
	runtime.SetFinalizer(p, func(*[2]uintptr) { fin.Add(1) })
	return uintptr(unsafe.Pointer(p))
}

// ---- main ----

func main() {
	idle := flag.Bool("idle", false, "no running goroutine: leave out main.spin")
	flag.Parse()

	setupGlobals()
	startChan()
	startSelect()
	startSleep()
	startMutex()
	startClosure()
	want := 6 // goroutines that register: the five parked, holdMutex
	if !*idle {
		if runtime.GOMAXPROCS(0) < 2 {
			runtime.GOMAXPROCS(2)
		}
		go spin()
		want++
	}

	mainLocal := strInt("main-local-", nMainLocal)
	mainCfg := &config{name: "cfg", m: intStr(nMainCfg)}
	register("chan receive", false, rt("mainLocal", mainLocal), rt("mainCfg", mainCfg))
	// dead is never live across a call in main (Go's DWARF describes a
	// variable spilled to the stack until the end of the function, live
	// or not): it lives in registers only, its last use the argument of
	// makeGarbage, which keeps the map alive while it makes the garbage.
	// So every absent address is distinct, and none is a reported map's.
	// (Its address comes back with it: Go 1.19 does not inline the generic
	// hdr.Ptr, and a call here would keep dead across it, spilled.)
	dead, deadAddr := intIntAddr(nDead, 13)
	n := len(dead)
	garbage := makeGarbage(nGarbage, dead)
	go announce(want+1, *idle, deadAddr, garbage)

	v := <-forever
	runtime.KeepAlive(mainLocal)
	runtime.KeepAlive(mainCfg)
	sink.Add(uint64(v + n))
}

// announce waits for every goroutine's roots and for each to be parked
// where it should be (main included), then prints the oracle and exits:
// its own frame holds no map when READY is out.
func announce(want int, idle bool, deadAddr uintptr, garbage []uintptr) {
	frames := make([]frameReg, 0, want)
	for len(frames) < want {
		frames = append(frames, <-regs)
	}
	waitParked(frames)
	line := buildOracle(frames, idle, deadAddr, garbage)
	if _, err := os.Stdout.Write(line); err != nil {
		os.Exit(1)
	}
}

// ---- registering a frame's roots ----

// root is a variable: for a package variable, a pointer to it; for a
// frame's, its value (rt: taking the address of a local that is not
// address-taken anyway changes how DWARF describes it, see rtp).
type root struct {
	name string
	val  any
}

// rt makes a frame's root. Not inlined: converting a struct variable to
// an interface in the frame itself would take its address, and Go's DWARF
// then no longer describes where the variable lives.
//
//go:noinline
func rt[T any](name string, v T) root { return root{name, v} }

// rtp makes a frame's root of the variable at p, which it does not keep.
//
//go:noinline
func rtp[T any](name string, p *T) root { return root{name, *p} }

// frameReg is what a goroutine tells of its frame: no map in it, only
// addresses and the headers as read when the walk is done.
type frameReg struct {
	goid    int
	fn      string
	entry   uintptr
	wait    string // the status a traceback will show once parked
	running bool
	hits    []hit
	entries []funcEntry // the functions of package main on the stack (no map here: see announce)
	// from the traceback (waitParked)
	status string
	pc     uintptr
	frames []frameJSON
}

type funcEntry struct {
	name  string
	entry uintptr
}

// register walks the caller's roots and sends them to the announcer.
//
//go:noinline
func register(wait string, running bool, roots ...root) {
	pc, _, _, ok := runtime.Caller(1)
	must(ok, "runtime.Caller")
	f := runtime.FuncForPC(pc)
	r := frameReg{goid: curGoid(), fn: f.Name(), entry: f.Entry(), wait: wait, running: running}
	pcs := make([]uintptr, 64)
	for _, pc := range pcs[:runtime.Callers(2, pcs)] {
		if f := runtime.FuncForPC(pc - 1); f != nil && strings.HasPrefix(f.Name(), "main.") {
			r.entries = append(r.entries, funcEntry{f.Name(), f.Entry()})
		}
	}
	w := &walker{}
	for _, rt := range roots {
		t := reflect.TypeOf(rt.val)
		box := reflect.New(t)
		box.Elem().Set(reflect.ValueOf(rt.val))
		w.root = rt.name
		w.walk(t, box.UnsafePointer(), "g"+itoa(r.goid)+"/"+r.fn+"/"+rt.name, 0, false)
	}
	w.finish()
	must(len(w.unsafes) == 0, "%s: an unsafe.Pointer on a stack", r.fn)
	r.hits = w.hits
	regs <- r
}

// curGoid: the id on the first line of the goroutine's own traceback,
// "goroutine 42 [running]:".
func curGoid() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	must(len(f) >= 2 && f[0] == "goroutine", "traceback starts %q", buf)
	id, err := strconv.Atoi(f[1])
	must(err == nil, "goroutine id in %q", buf)
	return id
}

// ---- the walk: the census's specification, in reflect ----

type hit struct {
	root   string // the variable the path starts from
	path   string
	hops   int
	hp     unsafe.Pointer // the header, until finish
	hdr    uintptr        // the header's address, from finish on
	n      int
	typ    string
	iface  bool
	header any
}

type unsafeRef struct {
	path string
	p    unsafe.Pointer
}

type walker struct {
	root    string // the variable being walked
	hits    []hit
	unsafes []unsafeRef
}

// walk visits the value of type t at p, reached by path after hops hops.
// A map is recorded, then the values of its entries are walked (if they
// can hold a map and its keys are strings or integers), each a hop, under
// [key]. Pointers (a nil one ends the path) and slice elements are a hop
// each, struct fields and array elements free. A non-nil interface is a
// hop to its dynamic type, .(T), whose value is walked as T. A non-nil
// unsafe.Pointer is counted, not followed. Nothing else is followed.
func (w *walker) walk(t reflect.Type, p unsafe.Pointer, path string, hops int, iface bool) {
	must(hops <= maxHops, "%s: %d hops", path, hops)
	switch t.Kind() {
	case reflect.Map:
		h := *(*unsafe.Pointer)(p)
		must(h != nil, "%s: a nil map", path)
		v := reflect.NewAt(t, p).Elem()
		w.hits = append(w.hits, hit{root: w.root, path: path, hops: hops, hp: h, hdr: uintptr(h), n: v.Len(), typ: typeName(t), iface: iface})
		if !mayHoldMap(t.Elem(), map[reflect.Type]bool{}) {
			return
		}
		var keys []reflect.Value
		for it := v.MapRange(); it.Next(); {
			keys = append(keys, it.Key())
		}
		sort.Slice(keys, func(i, j int) bool { return keyString(keys[i]) < keyString(keys[j]) })
		for _, k := range keys {
			box := reflect.New(t.Elem())
			box.Elem().Set(v.MapIndex(k))
			w.walk(t.Elem(), box.UnsafePointer(), path+"["+keyString(k)+"]", hops+1, iface)
		}
	case reflect.Pointer:
		if q := *(*unsafe.Pointer)(p); q != nil {
			w.walk(t.Elem(), q, path, hops+1, iface)
		}
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			w.walk(f.Type, unsafe.Add(p, f.Offset), path+"."+f.Name, hops, iface)
		}
	case reflect.Array:
		for i := 0; i < t.Len(); i++ {
			w.walk(t.Elem(), unsafe.Add(p, uintptr(i)*t.Elem().Size()), path+"["+itoa(i)+"]", hops, iface)
		}
	case reflect.Slice:
		v := reflect.NewAt(t, p).Elem()
		for i := 0; i < v.Len(); i++ {
			w.walk(t.Elem(), unsafe.Add(v.UnsafePointer(), uintptr(i)*t.Elem().Size()), path+"["+itoa(i)+"]", hops+1, iface)
		}
	case reflect.Interface:
		v := reflect.NewAt(t, p).Elem()
		if v.IsNil() {
			return
		}
		dt := v.Elem().Type()
		// Both kinds are pointer-shaped: the data word is the value.
		must(dt.Kind() == reflect.Map || dt.Kind() == reflect.Pointer, "%s: dynamic type %s", path, dt)
		w.walk(dt, unsafe.Add(p, unsafe.Sizeof(uintptr(0))), path+".("+typeName(dt)+")", hops+1, true)
	case reflect.UnsafePointer:
		if q := *(*unsafe.Pointer)(p); q != nil {
			w.unsafes = append(w.unsafes, unsafeRef{path, q})
		}
	}
}

// finish reads the headers, after the walk (iterating a classic map sets
// flags in its header), and drops the pointers: a frameReg holds none.
func (w *walker) finish() {
	for i := range w.hits {
		h := &w.hits[i]
		var count int
		h.header, count = hdr.ReadHeader(h.hp)
		must(count == h.n, "%s: header says %d entries, len() says %d", h.path, count, h.n)
		hdr.CheckImpl(h.path, h.hp)
		must(!hdr.Growing(h.hp), "%s is growing", h.path)
		h.hp = nil
	}
}

func mayHoldMap(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Map, reflect.Interface, reflect.UnsafePointer:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return mayHoldMap(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if mayHoldMap(t.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}

// keyString: a string key Go-quoted, an integer in decimal.
func keyString(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return strconv.Quote(k.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	panic("key of kind " + k.Kind().String())
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
	}
	return t.String()
}

// ---- parked? ----

// waitParked takes tracebacks of all goroutines until each registered one
// shows its status and its function's frame (the first of package main),
// and records the pcs of its frames of package main: the +0x offsets are
// frame pc - function entry, the pc being a return address but for the
// innermost frame (always the runtime's here).
func waitParked(frames []frameReg) {
	deadline := time.Now().Add(10 * time.Second)
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		dump := parseTraceback(string(buf[:n]))
		ok := true
		for i := range frames {
			ok = ok && parked(&frames[i], dump)
		}
		if ok {
			return
		}
		must(time.Now().Before(deadline), "goroutines not parked after 10s:\n%s", buf[:n])
		time.Sleep(time.Millisecond)
	}
}

type tbGoroutine struct {
	status string
	frames []tbFrame
}

type tbFrame struct {
	fn  string
	off uintptr // 0: none printed (an inlined frame)
}

func parseTraceback(s string) map[int]*tbGoroutine {
	gs := map[int]*tbGoroutine{}
	var cur *tbGoroutine
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "goroutine ") {
			f := strings.SplitN(l, " ", 3)
			id, err := strconv.Atoi(f[1])
			must(err == nil && len(f) == 3, "traceback line %q", l)
			st := strings.TrimSuffix(strings.TrimPrefix(f[2], "["), "]:")
			if c := strings.Index(st, ","); c >= 0 {
				st = st[:c] // "chan receive, 2 minutes"
			}
			cur = &tbGoroutine{status: st}
			gs[id] = cur
			continue
		}
		if cur == nil || l == "" || strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "created by ") {
			if strings.HasPrefix(l, "created by ") {
				i++ // its file:line
			}
			continue
		}
		fr := tbFrame{fn: l}
		if p := strings.LastIndex(l, "("); p > 0 {
			fr.fn = l[:p]
		}
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			i++
			if p := strings.Index(lines[i], " +0x"); p >= 0 {
				off, err := strconv.ParseUint(strings.Fields(lines[i][p+2:])[0], 0, 64)
				must(err == nil, "offset in %q", lines[i])
				fr.off = uintptr(off)
			}
		}
		cur.frames = append(cur.frames, fr)
	}
	return gs
}

func parked(r *frameReg, dump map[int]*tbGoroutine) bool {
	g := dump[r.goid]
	if g == nil {
		return false
	}
	if r.running {
		if g.status != "running" && g.status != "runnable" {
			return false
		}
	} else if g.status != r.wait {
		return false
	}
	r.status, r.frames = g.status, nil
	first := true
	for _, f := range g.frames {
		if !strings.HasPrefix(f.fn, "main.") {
			continue
		}
		if first && f.fn != r.fn {
			return false // not yet in its function
		}
		var pc uintptr
		if f.off != 0 {
			fn := r.entry
			if !first {
				fn = r.funcEntry(f.fn)
			}
			pc = fn + f.off
		}
		if first {
			if !r.running && pc == 0 {
				return false
			}
			if !r.running {
				r.pc = pc
			}
		}
		fj := frameJSON{Function: f.fn}
		if !(first && r.running) {
			fj.PC = hdr.Hex(pc)
		}
		r.frames = append(r.frames, fj)
		first = false
	}
	return !first
}

// funcEntry: the entry of a function of package main on r's stack (the
// wrapper closure of a go statement), as register found it.
func (r *frameReg) funcEntry(name string) uintptr {
	for _, e := range r.entries {
		if e.name == name {
			return e.entry
		}
	}
	must(false, "entry of %s unknown", name)
	return 0
}

// ---- the oracle ----

type rootJSON struct {
	Kind      string `json:"kind"`
	Variable  string `json:"variable"`
	Goroutine int    `json:"goroutine,omitempty"`
	Function  string `json:"function,omitempty"`
	PC        string `json:"pc,omitempty"`
}

type mapJSON struct {
	Addr         string   `json:"addr"`
	Len          int      `json:"len"`
	Type         string   `json:"type"`
	Header       any      `json:"header"`
	Hops         int      `json:"hops"`
	Root         rootJSON `json:"root"`
	ViaInterface bool     `json:"via_interface"`
	Running      bool     `json:"running"`
}

type frameJSON struct {
	Function string `json:"function"`
	PC       string `json:"pc,omitempty"`
}

type goroutineJSON struct {
	Goroutine int         `json:"goroutine"`
	Status    string      `json:"status"`
	Running   bool        `json:"running"`
	Frames    []frameJSON `json:"frames"`
}

type oracleJSON struct {
	Pid          int                 `json:"pid"`
	GoVersion    string              `json:"go_version"`
	Impl         string              `json:"impl"`
	Idle         bool                `json:"idle"`
	Maps         map[string]*mapJSON `json:"maps"`
	Aliases      [][]string          `json:"aliases"`
	Absent       map[string]string   `json:"absent"`
	UnsafeOnly   int                 `json:"unsafe_only"`
	OptimizedOut []string            `json:"optimized_out"`
	Goroutines   []goroutineJSON     `json:"goroutines"`
}

func must(ok bool, what string, args ...any) {
	if !ok {
		panic("self-check failed: " + fmt.Sprintf(what, args...))
	}
}

func buildOracle(frames []frameReg, idle bool, deadAddr uintptr, garbage []uintptr) []byte {
	o := oracleJSON{
		Pid: os.Getpid(), GoVersion: runtime.Version(), Impl: hdr.Impl, Idle: idle,
		Maps: map[string]*mapJSON{}, Aliases: [][]string{}, Absent: map[string]string{},
		OptimizedOut: []string{"g1/main.main/dead"}, Goroutines: []goroutineJSON{},
	}
	type rooted struct {
		hit
		root    rootJSON
		running bool
	}
	var all []rooted
	var unsafes []unsafeRef

	gw := &walker{}
	for _, r := range globalRoots() {
		v := reflect.ValueOf(r.val)
		gw.root = r.name
		gw.walk(v.Type().Elem(), v.UnsafePointer(), r.name, 0, false)
	}
	gw.finish()
	for _, h := range gw.hits {
		all = append(all, rooted{h, rootJSON{Kind: "global", Variable: h.root}, false})
	}
	unsafes = append(unsafes, gw.unsafes...)

	sort.Slice(frames, func(i, j int) bool { return frames[i].goid < frames[j].goid })
	byFn := map[string]*frameReg{}
	for i := range frames {
		f := &frames[i]
		_, dup := byFn[f.fn]
		must(!dup, "two goroutines in %s", f.fn)
		byFn[f.fn] = f
		o.Goroutines = append(o.Goroutines, goroutineJSON{Goroutine: f.goid, Status: f.status,
			Running: f.running, Frames: f.frames})
		for _, h := range f.hits {
			rj := rootJSON{Kind: "stack", Variable: h.root, Goroutine: f.goid, Function: f.fn}
			if !f.running {
				rj.PC = hdr.Hex(f.pc)
			}
			all = append(all, rooted{h, rj, f.running})
		}
	}

	// Group by header; the fewest hops first.
	groups := map[uintptr][]rooted{}
	var order []uintptr
	for _, h := range all {
		if _, ok := groups[h.hdr]; !ok {
			order = append(order, h.hdr)
		}
		groups[h.hdr] = append(groups[h.hdr], h)
	}
	lens := map[int]string{}
	for _, a := range order {
		g := groups[a]
		sort.SliceStable(g, func(i, j int) bool { return g[i].hops < g[j].hops })
		h := g[0]
		_, dup := o.Maps[h.path]
		must(!dup, "duplicate path %s", h.path)
		o.Maps[h.path] = &mapJSON{Addr: hdr.Hex(h.hdr), Len: h.n, Type: h.typ, Header: h.header, Hops: h.hops,
			Root: h.root, ViaInterface: h.iface, Running: h.running}
		if len(g) > 1 {
			var ps []string
			for _, x := range g {
				ps = append(ps, x.path)
			}
			o.Aliases = append(o.Aliases, ps)
		}
		must(lens[h.n] == "", "%s and %s both hold %d entries", h.path, lens[h.n], h.n)
		lens[h.n] = h.path
	}

	// What the unsafe.Pointers lead to, were they followed.
	for _, u := range unsafes {
		t := unsafeTarget(u.path)
		must(t != nil, "unsafe.Pointer %s: target type unknown", u.path)
		uw := &walker{}
		uw.walk(t, u.p, "unsafe:"+u.path, 0, false)
		uw.finish()
		must(len(uw.hits) == 1 && groups[uw.hits[0].hdr] == nil,
			"%s leads to %d maps, or to one reported", u.path, len(uw.hits))
		o.Absent[hdr.Hex(uw.hits[0].hdr)] = "unsafe"
		o.UnsafeOnly++
	}
	for _, a := range garbage {
		must(groups[a] == nil && o.Absent[hdr.Hex(a)] == "", "garbage %#x is reported", a)
		o.Absent[hdr.Hex(a)] = "garbage"
	}
	must(groups[deadAddr] == nil && o.Absent[hdr.Hex(deadAddr)] == "", "dead %#x is reported", deadAddr)
	o.Absent[hdr.Hex(deadAddr)] = "dead"

	// ---- self-checks: the walk found what this file declares ----
	g := func(fn string) string {
		f := byFn[fn]
		must(f != nil, "no goroutine registered in %s", fn)
		return "g" + itoa(f.goid) + "/" + fn + "/"
	}
	closure := ""
	for fn := range byFn {
		if strings.HasPrefix(fn, "main.startClosure.") {
			closure = fn
		}
	}
	must(closure != "", "closure not registered")
	want := map[string]int{ // path -> hops
		"main.sessions": 0, "main.anyBox.(map[string]int)": 1, "main.anyPtr.(*main.holder).m": 2,
		"main.reg.s.(*main.storeImpl).m": 2,
		g("main.main") + "mainLocal":     0, g("main.main") + "mainCfg.m": 1,
		g("main.parkedChan") + "m": 0, g("main.parkedChan") + "local": 0,
		g("main.parkedSelect") + "c.m": 1, g("main.parkedSelect") + "local": 0,
		g("main.parkedSelect") + "bySID": 0,
		g("main.parkedSleep") + "cfg.m":  0, g("main.parkedSleep") + "local": 0,
		g("main.(*worker).lockWait") + "w.m": 1, g("main.(*worker).lockWait") + "extra": 0,
		g("main.(*worker).lockWait") + "local": 0,
		g(closure) + "captured":                0,
	}
	for i := 1; i <= nSessions; i++ {
		want["main.sessions[\"s"+itoa(i)+"\"].m"] = 2
	}
	for i := 1; i <= nBySID; i++ {
		want[g("main.parkedSelect")+"bySID["+itoa(i)+"].m"] = 2
	}
	for i := 0; i < nItems; i++ {
		want[g("main.parkedSleep")+"items["+itoa(i)+"].m"] = 1
	}
	if !idle {
		want[g("main.spin")+"hot"] = 0
	}
	for p, hops := range want {
		e := o.Maps[p]
		must(e != nil && e.Hops == hops, "%s: %+v, want %d hops", p, e, hops)
		iface := strings.HasPrefix(p, "main.any") || strings.HasPrefix(p, "main.reg.")
		must(e.ViaInterface == iface, "%s: via_interface %v", p, e.ViaInterface)
		must(e.Running == strings.Contains(p, "/main.spin/"), "%s: running %v", p, e.Running)
	}
	must(len(o.Maps) == len(want), "%d maps, want %d", len(o.Maps), len(want))
	must(len(o.Aliases) == 0, "aliases %v", o.Aliases)
	must(o.UnsafeOnly == 1 && len(o.Absent) == 2+nGarbage, "unsafe_only %d, absent %v", o.UnsafeOnly, o.Absent)
	must(o.Maps["main.anyBox.(map[string]int)"].Len == nAnyBox && o.Maps[g("main.main")+"mainLocal"].Len == nMainLocal,
		"sizes")
	if byFn["main.holdMutex"] == nil || len(byFn["main.holdMutex"].hits) != 0 {
		must(false, "holdMutex: registered without maps")
	}

	b, err := json.Marshal(&o)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	out.WriteString("READY ")
	out.Write(b)
	out.WriteByte('\n')
	return out.Bytes()
}
