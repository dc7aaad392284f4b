// Command writers is a test target for mapdiag's "who is writing": it keeps
// threads inside the runtime's map write paths. -mode selects what runs:
//
//	hot    -n writers per key kind (-kinds, default int,str,generic; "del"
//	       adds a deleter), each on its own thread and writing its own map
//	       in a tight loop: main.hotInt (mapassign_fast64), main.hotStr
//	       (faststr), main.hotGeneric ([16]byte keys: generic mapassign),
//	       main.hotDel (mapdelete_fast64); writer j >= 1 of a kind writes
//	       main.hotIntMore[j-1] etc.
//	grow   main.growing is refilled from empty to 2^17 entries forever (its
//	       header reset in place in between, so every refill grows it all
//	       the way), and -n churners build and drop maps of 2^13 entries of
//	       each kind in turn: growth is on the stack most of the time
//	       (GC percent 1000, so that GC seldom stops the writers).
//	parked GOMAXPROCS 1 and two goroutines, each overwriting its own map
//	       (main.parkedA, main.parkedB, parkedKey keys) forever: the one
//	       not running was preempted, most often inside a write of its map
//	       (its writing flag set, the goroutine on no thread; see parkedKey
//	       in writers.go). Writers are not locked to threads ("tid" 0).
//	stale  main.stale has its writing flag forced on (classic hmap.flags
//	       |= hashWriting, Swiss Map.writing = 1) and nobody ever writes
//	       it; -idle goroutines block forever (channel, mutex, sleep; in
//	       parked mode too).
//
// Once set up it prints one line on stdout, the oracle,
//
//	READY {"pid":...,"go_version":...,"impl":"hmap"|"swiss","mode":...,
//	       "maps":{"main.hotInt":{"addr":"0x...","var_addr":...,"type":...},...},
//	       "writers":{"main.hotInt":{"func":"main.hotWriterInt",
//	                  "file":".../writers.go","line":N,"goid":G,"tid":T},...},
//	       "churners":[{"goid":G,"tid":T,"sites":[{"func":"main.churnInt",
//	                    "file","line"},... churnStr, churnGeneric]},...],
//	       "idle":[goid,...]}
//
// (addr is the map header, the map argument of the runtime's write paths;
// line is the line of the writer's map write, measured at run time; every
// writer and churner is locked to its thread tid), then runs until killed.
// Every write path of the runtime runs once at startup (exercise.go).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// The reported maps: globals, so the tool finds them through DWARF and
// their headers stay put for the life of the process.
var (
	hotInt         map[int]int
	hotStr         map[string]int
	hotGeneric     map[[16]byte]int
	hotDel         map[int]int
	hotIntMore     []map[int]int
	hotStrMore     []map[string]int
	hotGenericMore []map[[16]byte]int
	hotDelMore     []map[int]int

	growing map[int]int
	stale   map[int]int

	parkedA, parkedB map[parkedKey]int
)

const (
	nGrowing = 1 << 17 // main.growing is refilled to this many entries
	nChurn   = 1 << 13 // entries of each churned map
	nStale   = 100
)

var (
	strKeys   [1024]string
	churnKeys [nChurn]string
)

func init() {
	for i := range strKeys {
		strKeys[i] = "hot-key-" + strconv.Itoa(i)
	}
	for i := range churnKeys {
		churnKeys[i] = "churn-key-" + strconv.Itoa(i)
	}
}

type mapJSON struct {
	Addr    string `json:"addr"`
	VarAddr string `json:"var_addr"`
	Type    string `json:"type"`
	Len     *int   `json:"len,omitempty"`     // stale only: the others change
	Writing *bool  `json:"writing,omitempty"` // stale only
}

type oracleJSON struct {
	Pid       int                 `json:"pid"`
	GoVersion string              `json:"go_version"`
	Impl      string              `json:"impl"`
	Mode      string              `json:"mode"`
	Maps      map[string]*mapJSON `json:"maps"`
	Writers   map[string]*site    `json:"writers"`
	Churners  []*churner          `json:"churners"`
	Idle      []int64             `json:"idle"`
}

var oracle = oracleJSON{Maps: map[string]*mapJSON{}, Writers: map[string]*site{}, Churners: []*churner{}, Idle: []int64{}}

func hex(p uintptr) string { return "0x" + strconv.FormatUint(uint64(p), 16) }

func header[M ~map[K]V, K comparable, V any](v *M) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(v))
}

// addMap records the map variable at v (non-nil map) under expr.
func addMap[M ~map[K]V, K comparable, V any](expr string, v *M) *mapJSON {
	hp := header(v)
	if hp == nil {
		panic(expr + ": nil map")
	}
	if _, dup := oracle.Maps[expr]; dup {
		panic("duplicate expression " + expr)
	}
	e := &mapJSON{Addr: hex(uintptr(hp)), VarAddr: hex(uintptr(unsafe.Pointer(v))), Type: reflect.TypeOf(*v).String()}
	oracle.Maps[expr] = e
	return e
}

var (
	stop  atomic.Bool // never set: the writers run until the process is killed
	ready sync.WaitGroup
)

// spawn starts fn on a new goroutine locked to its own thread, with a site
// that fn's writes record; the site is complete once ready is done.
func spawn(fn func(s *site)) *site {
	s := &site{ready: &ready}
	ready.Add(1)
	go func() {
		s.pin()
		fn(s)
		panic("writer returned")
	}()
	return s
}

// hotKind starts n writers of one key kind: the first writes *first
// (reported as main.<name>), the others the maps of *more.
func hotKind[K comparable](name string, n int, first *map[K]int, more *[]map[K]int,
	fill func(map[K]int), writer func(map[K]int, *atomic.Bool, *site)) {
	*more = make([]map[K]int, n-1)
	for j := 0; j < n; j++ {
		v, expr := first, "main."+name
		if j > 0 {
			v, expr = &(*more)[j-1], fmt.Sprintf("main.%sMore[%d]", name, j-1)
		}
		*v = make(map[K]int)
		if fill != nil {
			fill(*v)
		}
		addMap(expr, v)
		m := *v
		oracle.Writers[expr] = spawn(func(s *site) { writer(m, &stop, s) })
	}
}

func runHot(n int, kinds string) {
	for _, k := range strings.Split(kinds, ",") {
		switch k {
		case "int":
			hotKind("hotInt", n, &hotInt, &hotIntMore, nil, hotWriterInt)
		case "str":
			hotKind("hotStr", n, &hotStr, &hotStrMore, nil, hotWriterStr)
		case "generic":
			hotKind("hotGeneric", n, &hotGeneric, &hotGenericMore, nil, hotWriterGeneric)
		case "del":
			// One key that is never deleted keeps the map non-empty.
			hotKind("hotDel", n, &hotDel, &hotDelMore, func(m map[int]int) { m[1<<20] = 1 }, hotDeleterInt)
		default:
			fatalf("unknown kind %q (kinds: int,str,generic,del)", k)
		}
	}
}

func runGrow(n int) {
	// The garbage of the refills and churns would otherwise start a GC
	// cycle every few milliseconds, and a writer that is stopped for it,
	// assisting it or parked (its thread in stoplockedm) is not seen in a
	// write path: with 1000 the heap peaks near 100 MB and the writers are
	// in a write path nearly always (GOGC=100: half the time).
	debug.SetGCPercent(1000)
	growing = make(map[int]int)
	addMap("main.growing", &growing)
	oracle.Writers["main.growing"] = spawn(func(s *site) {
		for {
			// Reset the header in place: a fresh map's header over the
			// full one (Go maps never shrink; clear keeps the buckets).
			fresh := newIntMap()
			resetHeader(header(&growing), header(&fresh))
			growFill(growing, nGrowing, s)
		}
	})
	for j := 0; j < n; j++ {
		c := &churner{Sites: []*site{{ready: &ready}, {ready: &ready}, {ready: &ready}}}
		ready.Add(len(c.Sites))
		oracle.Churners = append(oracle.Churners, c)
		go func() {
			c.pin()
			for r, sum := 0, 0; ; r++ {
				switch r % 3 {
				case 0:
					sum += churnInt(nChurn, c.Sites[0])
				case 1:
					sum += churnStr(nChurn, c.Sites[1])
				case 2:
					sum += churnGeneric(nChurn, c.Sites[2])
				}
				sink.Store(uint64(sum))
			}
		}()
	}
}

var sink atomic.Uint64

// newIntMap returns a fresh empty map whose header is on the heap, with no
// bucket or group yet. (A map made by a function it does not escape from
// gets its header and first bucket on the stack: never copy such a header.)
//
//go:noinline
func newIntMap() map[int]int { return make(map[int]int) }

func runParked() {
	for _, e := range []struct {
		expr string
		v    *map[parkedKey]int
	}{{"main.parkedA", &parkedA}, {"main.parkedB", &parkedB}} {
		*e.v = make(map[parkedKey]int)
		addMap(e.expr, e.v)
		m := *e.v
		s := &site{ready: &ready}
		ready.Add(1)
		ids := make(chan int64)
		go func() {
			ids <- goid()
			parkedWriter(m, &stop, s)
			panic("writer returned")
		}()
		s.Goid = <-ids
		oracle.Writers[e.expr] = s
	}
}

func runStale(idle int) {
	// Sized up front: a classic map then never starts growing, and stays
	// "writing, not growing" (no oldbuckets).
	stale = make(map[int]int, nStale)
	for i := 0; i < nStale; i++ {
		stale[i] = i
	}
	hp := header(&stale)
	e := addMap("main.stale", &stale)
	l := len(stale)
	e.Len = &l
	// From here on no Go code touches stale again.
	setWriting(hp)
	w := isWriting(hp)
	if !w {
		panic("stale: writing flag not set")
	}
	e.Writing = &w
	runIdle(idle)
}

// runIdle starts idle goroutines, parked in different ways: a channel
// receive, a mutex, a sleep (parked mode: -idle 10000 measures the cost of
// looking at every goroutine).
func runIdle(idle int) {
	var mu sync.Mutex
	mu.Lock()
	ids := make(chan int64)
	for i := 0; i < idle; i++ {
		go func(i int) {
			ids <- goid()
			switch i % 3 {
			case 0:
				<-make(chan int)
			case 1:
				mu.Lock()
			}
			for {
				time.Sleep(time.Hour)
			}
		}(i)
	}
	for i := 0; i < idle; i++ {
		oracle.Idle = append(oracle.Idle, <-ids)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "writers: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	mode := flag.String("mode", "hot", "hot, grow, parked or stale")
	n := flag.Int("n", 1, "hot: writers per key kind; grow: churners")
	kinds := flag.String("kinds", "int,str,generic", "hot: key kinds to write (int,str,generic,del)")
	idle := flag.Int("idle", 4, "stale, parked: idle goroutines")
	flag.Parse()
	if flag.NArg() > 0 {
		fatalf("unexpected arguments %q", flag.Args())
	}
	if *n < 1 {
		fatalf("-n must be >= 1")
	}

	exercise()

	oracle.Pid = os.Getpid()
	oracle.GoVersion = runtime.Version()
	oracle.Impl = impl
	oracle.Mode = *mode

	threads := 0
	switch *mode {
	case "hot":
		threads = *n * len(strings.Split(*kinds, ","))
	case "grow":
		threads = *n + 1
	case "stale", "parked":
	default:
		fatalf("unknown mode %q (hot, grow, parked, stale)", *mode)
	}
	// Each writer on its own P, plus two for the rest; parked: one P for
	// both writers, so that one is always off its thread.
	if p := threads + 2; p > runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(p)
	}
	if *mode == "parked" {
		runtime.GOMAXPROCS(1)
	}
	switch *mode {
	case "hot":
		runHot(*n, *kinds)
	case "grow":
		runGrow(*n)
	case "parked":
		runParked()
		runIdle(*idle)
	case "stale":
		runStale(*idle)
	}
	ready.Wait()

	b, err := json.Marshal(&oracle)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(append([]byte("READY "), b...), '\n'))
	// Sleep, not select{}: with every goroutine parked (stale mode) the
	// runtime would report a deadlock, but never while a timer is pending.
	for {
		time.Sleep(time.Hour)
	}
}
