// Command corrupt is a test target for mapdiag's robustness against hostile
// target memory. It builds maps, then corrupts their runtime headers through
// unsafe (classic runtime.hmap or Swiss internal/runtime/maps.Map, whichever
// the Go release it is built with uses: see classic.go and swiss.go), one
// corruption per package-level variable (main.badB, main.hugeDir, ...), and
// prints one line
//
//	READY {"pid":N,"go_version":...,"impl":"hmap"|"swiss",
//	       "healthy":{"main.healthy":{"addr":...,"len":N}},
//	       "corrupt":{"main.badB":{"addr":...,"did":"B=200"},...}}
//
// on stdout. From then on Go code never touches a corrupted map again.
//
// The garbage collector does scan them (every map variable is a live
// global), so only what the GC tolerates is corrupted: integer fields (count,
// B, noverflow, dirLen, globalDepth, a table's capacity...) and pointer
// fields set to addresses outside the Go heap, which the GC ignores
// (runtime.spanOf finds no span for them): pages in the first 64 KiB of the
// address space (0x2000..0x6fff: nothing is mapped there in a Go process,
// checked with mincore before READY), non-canonical addresses, and pages
// mmap'd outside the heap. A cyclic overflow chain lives
// in a bucket array of a map[int64]int64, whose buckets the GC never scans
// (they hold no pointers). -gc runs a full collection every 5 ms to prove
// that the target survives all of this: -tick prints "TICK <n> <numgc>" to
// stderr every 10 ms.
//
// Other flags: -exit-after D exits (status 0) D after READY (races with an
// attach in progress); -churn creates and destroys OS threads continuously;
// -threads N starts N goroutines that alternate ~200us of work with 1ms of
// sleep. Standard library only.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const pageSize = 4096

// healthy is a control: a map left intact, in the same process.
var healthy map[int64]int64

const nHealthy = 1000

// The maps whose header pointer itself is bad; the same on both
// implementations (the others are in classic.go or swiss.go).
var (
	hdrUnmapped map[int64]int64 // header pointer non-canonical: no such address
	hdrStraddle map[int64]int64 // header begins 16 bytes before an unmapped page
	garbageHdr  map[int64]int64 // header in a page of pseudo-random bytes
	onesHdr     map[int64]int64 // header in a page of 0xff bytes
)

type entry struct {
	Addr string `json:"addr"`
	Did  string `json:"did,omitempty"`
	Len  int    `json:"len,omitempty"`
}

type oracleJSON struct {
	Pid       int               `json:"pid"`
	GoVersion string            `json:"go_version"`
	Impl      string            `json:"impl"`
	Healthy   map[string]*entry `json:"healthy"`
	Corrupt   map[string]*entry `json:"corrupt"`
}

var oracle = oracleJSON{Healthy: map[string]*entry{}, Corrupt: map[string]*entry{}}

func hex(p uintptr) string { return "0x" + strconv.FormatUint(uint64(p), 16) }

// hp is the header pointer of the map variable at v.
func hp(v *map[int64]int64) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(v)) }

// setHP points the map variable at v to addr, without a write barrier (the
// old header becomes garbage; addr is never a Go heap address).
func setHP(v *map[int64]int64, addr uintptr) { *(*uintptr)(unsafe.Pointer(v)) = addr }

// setPtr stores addr into the pointer-sized field at p, without a write
// barrier: addr is never a Go heap address.
func setPtr(p unsafe.Pointer, addr uintptr) { *(*uintptr)(p) = addr }

// record lists a corrupted map for the READY line.
func record(name string, v *map[int64]int64, did string) {
	if _, dup := oracle.Corrupt[name]; dup {
		panic("duplicate " + name)
	}
	oracle.Corrupt[name] = &entry{Addr: hex(uintptr(hp(v))), Did: did}
}

// filled returns a fresh map with n entries, made with a size hint so that
// it never grows (no classic growth left in progress whatever the seed).
func filled(n int) map[int64]int64 {
	m := make(map[int64]int64, n)
	for i := int64(0); i < int64(n); i++ {
		m[i] = i * 7
	}
	return m
}

// mmapPages maps n anonymous read-write pages outside the Go heap.
func mmapPages(n int) uintptr {
	b, err := syscall.Mmap(-1, 0, n*pageSize, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic("mmap: " + err.Error())
	}
	return uintptr(unsafe.Pointer(&b[0]))
}

func munmap(addr uintptr, n int) {
	if _, _, e := syscall.Syscall(syscall.SYS_MUNMAP, addr, uintptr(n), 0); e != 0 {
		panic("munmap: " + e.Error())
	}
}

func bytesAt(addr uintptr, n int) []byte { return unsafe.Slice((*byte)(unsafe.Pointer(addr)), n) }

// corruptCommon: bad header pointers, whatever the implementation.
func corruptCommon() {
	hdrUnmapped = filled(10)
	setHP(&hdrUnmapped, 0xdead0000beef0000)
	record("main.hdrUnmapped", &hdrUnmapped, "header pointer 0xdead0000beef0000 (non-canonical)")

	g := mmapPages(1)
	x := uint64(0x9e3779b97f4a7c15)
	page := bytesAt(g, pageSize)
	for i := range page {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		page[i] = byte(x >> 32)
	}
	garbageHdr = filled(1)
	setHP(&garbageHdr, g+64)
	record("main.garbageHdr", &garbageHdr, "header in pseudo-random bytes")

	o := mmapPages(1)
	for i, p := 0, bytesAt(o, pageSize); i < len(p); i++ {
		p[i] = 0xff
	}
	onesHdr = filled(1)
	setHP(&onesHdr, o+64)
	record("main.onesHdr", &onesHdr, "header of 0xff bytes")
}

// straddle makes main.hdrStraddle: two pages, the second unmapped again,
// the first 16 bytes of a real header at the end of the first page, the rest
// in the hole. Made after every other mapping of ours, which the kernel
// would otherwise be free to place in the hole; checked with mincore at
// READY time (ENOMEM: nothing mapped there).
var straddleHole uintptr

func straddle() {
	src := filled(100)
	two := mmapPages(2)
	munmap(two+pageSize, pageSize)
	at := two + pageSize - 16
	copy(bytesAt(at, 16), unsafe.Slice((*byte)(hp(&src)), 16))
	hdrStraddle = filled(1)
	setHP(&hdrStraddle, at)
	record("main.hdrStraddle", &hdrStraddle, "header 16 bytes before an unmapped page")

	straddleHole = two + pageSize
}

// unmapped reports whether nothing is mapped in the page at addr.
func unmapped(addr uintptr) bool {
	var vec [1]byte
	_, _, e := syscall.Syscall(syscall.SYS_MINCORE, addr&^(pageSize-1), pageSize,
		uintptr(unsafe.Pointer(&vec[0])))
	return e == syscall.ENOMEM
}

// ---- liveness helpers ----

var sink atomic.Uint64

func spin(id int) {
	x := uint64(id) + 1
	for {
		deadline := time.Now().Add(200 * time.Microsecond)
		for time.Now().Before(deadline) {
			for i := 0; i < 1000; i++ {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
			}
		}
		sink.Add(x & 1)
		time.Sleep(time.Millisecond)
	}
}

func churn() {
	for {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread()
			time.Sleep(100 * time.Microsecond)
			close(done)
		}()
		<-done
	}
}

func collect() {
	for {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
}

func tick() {
	var n uint64
	var ms runtime.MemStats
	for {
		time.Sleep(10 * time.Millisecond)
		n++
		runtime.ReadMemStats(&ms)
		os.Stderr.WriteString("TICK " + strconv.FormatUint(n, 10) + " " +
			strconv.FormatUint(uint64(ms.NumGC), 10) + "\n")
	}
}

func main() {
	tickFlag := flag.Bool("tick", false, "print TICK <n> <numgc> to stderr every 10ms")
	gcFlag := flag.Bool("gc", false, "run a full GC every 5ms")
	threads := flag.Int("threads", 2, "busy goroutines (compute 200us, sleep 1ms)")
	churnFlag := flag.Bool("churn", false, "create and destroy OS threads continuously")
	exitAfter := flag.Duration("exit-after", 0, "exit (status 0) this long after READY")
	flag.Parse()

	healthy = filled(nHealthy)
	oracle.Healthy["main.healthy"] = &entry{Addr: hex(uintptr(hp(&healthy))), Len: len(healthy)}
	corruptCommon()
	corruptImpl()
	straddle()
	runtime.GC() // the collector has seen every corruption once before READY

	for _, a := range []uintptr{straddleHole, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000} {
		if !unmapped(a) {
			panic("page " + hex(a) + " is mapped: a corrupted pointer would be readable")
		}
	}
	oracle.Pid = os.Getpid()
	oracle.GoVersion = runtime.Version()
	oracle.Impl = impl
	b, err := json.Marshal(&oracle)
	if err != nil {
		panic(err)
	}
	line := append(append([]byte("READY "), b...), '\n')

	if p := *threads + 2; p > runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(p)
	}
	for i := 0; i < *threads; i++ {
		go spin(i)
	}
	if *gcFlag {
		go collect()
	}
	if *tickFlag {
		go tick()
	}
	if *churnFlag {
		go churn()
	}
	if _, err := os.Stdout.Write(line); err != nil {
		os.Exit(1)
	}
	if *exitAfter > 0 {
		time.Sleep(*exitAfter)
		os.Exit(0)
	}
	for {
		time.Sleep(time.Hour)
	}
}
