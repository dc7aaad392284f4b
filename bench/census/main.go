// Command census is the target of bench/census.py: a generated "service"
// whose maps live where `mapdiag scan` has to look for them, mostly in the
// locals of parked goroutines, next to a heap of a chosen size that holds no
// maps at all.
//
// Flags:
//
//	-heap MiB        live heap to reach (default 1024): after the maps are
//	                 built, ballast fills the rest, half pointer-free
//	                 ([][]byte chunks of 1 MiB, every page touched) and half
//	                 pointer-rich (64-byte nodes in 1,024 linked chains)
//	-goroutines N    parked worker goroutines (default 1000): by id mod 4
//	                 parked in a channel receive, a select, time.Sleep or a
//	                 sync.Mutex held forever by main
//	-maps N          maps in all (default 100000), counted exactly:
//	                   locals      the rest (about 80%): each worker has a
//	                               local workerState whose slice holds
//	                               *Session, each Session three small maps
//	                               (every 50th: one of 200 entries); plus
//	                               one goroutine (probe) with a local
//	                               map[string]int of 1,000 entries, the map
//	                               bench/census.py has gdb print
//	                   interfaces  10%: workerState.handler (interface
//	                               Handler) holding a *routeTable with a map
//	                               (in up to half of them), and main.registry
//	                               (an `any`) holding a *pluginSet whose
//	                               plugins each hold a map
//	                   map values  10%: main.sessionIndex, a
//	                               map[string]*Session (itself one map)
//	                 Each map is reachable by one path only.
//	-rt              the tickers' threads SCHED_FIFO priority 1 (root)
//	-gogc N          GOGC once everything is built (default -1: off, so that
//	                 no forced GC of a multi-GiB heap runs during a
//	                 measurement; the target allocates next to nothing)
//
// When everything is built and parked it prints one line on stdout,
// READY {"pid":...,"maps":N,"heap_mib":...,...}, then answers lines on
// stdin: "QUIT" (or EOF) ends it, and "GAP" is answered with one line of
// JSON about the time since the previous GAP,
//
//	{"ticks":N,"gaps":[[ticker, from, to, stopped, slices], ...]}
//
// Two tickers, each a locked OS thread pinned to its own CPU (CPUs 0 and 1
// where there are two), loop on nanosleep(100us) with 1 ns timer slack and
// log every gap between two of their ticks longer than 250 us: when it
// began and ended (Unix ns), how much of it the thread was neither on a
// CPU nor waiting for one beyond the 100 us it asked to sleep (ns), and how
// many times it got onto a CPU, both from its /proc/thread-self/schedstat.
// A ptrace stop of the process freezes both tickers at once: two
// overlapping gaps, mostly "stopped", each with a second time on a CPU (the
// stop interrupts the sleep: the thread runs into the stop, and again when
// released). A thread of another process holding a CPU (the machine is
// shared) delays one ticker, as time waiting for a CPU; a stall of the
// whole VM delays both, as a late wake-up with one time on a CPU.
// bench/census.py takes the longest gap of either ticker that overlaps one
// of the other, both looking like a stop, as the stop: about the pause plus
// up to one period plus the wake-up latency.
//
// Standard library only; builds with go1.21 and later (Swiss maps from
// go1.24, classic hmap before).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Session is what most maps hang off: three small maps each.
type Session struct {
	id       int64
	user     string
	attrs    map[string]string
	counters map[string]int
	seen     map[int64]struct{}
	last     time.Time
}

// Handler is the interface a workerState's maps may hide behind.
type Handler interface {
	Handle(key string) int
}

type routeTable struct {
	name   string
	routes map[string]int
}

func (r *routeTable) Handle(key string) int { return r.routes[key] }

type nopHandler struct{ n int }

func (h *nopHandler) Handle(string) int { return h.n }

// workerState is a parked worker's local: more than four fields, so that
// the compiler keeps it as one value in the frame (not split into
// registers), live across the blocking call because it is used after it.
type workerState struct {
	id       int
	name     string
	sessions []*Session
	handler  Handler
	served   [4]int64
	started  time.Time
}

type plugin struct {
	name  string
	hooks map[string]int
}

type pluginSet struct {
	version  int
	plugins  []*plugin
	loadedAt time.Time
}

// node is the pointer-rich ballast: no map is reachable from it.
type node struct {
	next *node
	peer *node
	vals [6]uint64
}

var (
	registry     any                 // *pluginSet: maps only through an interface
	sessionIndex map[string]*Session // maps only inside another map's values

	ballastBytes  [][]byte // pointer-free ballast
	ballastChains []*node  // pointer-rich ballast

	blockMu  sync.Mutex          // held by main forever: workers park on it
	never    = make(chan int)    // nobody sends
	never2   = make(chan string) // nobody sends
	probeGid = make(chan int64, 1)

	gapMu  sync.Mutex
	gapLog [2][]gapRec // per ticker, the gaps longer than gapLogMin since the last GAP
	ticks  atomic.Int64
	sink   atomic.Int64
)

const (
	prSetTimerslack = 29 // PR_SET_TIMERSLACK
	schedFIFO       = 1  // SCHED_FIFO
	probeEntries    = 1000
	gapLogMin       = 250 * time.Microsecond
	gapLogMax       = 1 << 16 // per ticker and GAP window (a minute of a busy VM); more are dropped
)

// gapRec is one gap between two ticks: when (Unix ns), and how much of it
// the thread was neither on a CPU nor waiting for one (from
// /proc/thread-self/schedstat), less the period it asked to sleep: the time
// it was held stopped (or the whole machine was); and how many times it
// got onto a CPU during it: once for a late sleep, twice for a sleep a
// ptrace stop interrupted (woken into the stop, then released).
type gapRec struct{ from, to, stopped, slices int64 }

func newSession(id int) *Session {
	s := &Session{
		id:       int64(id),
		user:     "user-" + strconv.Itoa(id),
		attrs:    map[string]string{"region": "eu-" + strconv.Itoa(id%7), "agent": "bench"},
		counters: make(map[string]int),
		seen:     map[int64]struct{}{int64(id): {}, int64(id) + 1: {}},
		last:     time.Unix(int64(id), 0),
	}
	n := 3
	if id%50 == 0 {
		n = 200
	}
	for i := 0; i < n; i++ {
		s.counters["c"+strconv.Itoa(i)] = i + id
	}
	return s
}

//go:noinline
func use(w workerState) int {
	return w.id + len(w.name) + len(w.sessions) + w.handler.Handle("x") + int(w.served[0])
}

// worker parks for ever in one of four ways; w is used after the blocking
// call, so it is live (and described by DWARF) at the parked pc.
func worker(id int, sessions []*Session, h Handler) {
	w := workerState{id: id, name: "worker-" + strconv.Itoa(id), sessions: sessions,
		handler: h, started: time.Now()}
	for {
		switch id % 4 {
		case 0:
			w.served[0] += int64(<-never)
		case 1:
			select {
			case v := <-never:
				w.served[1] += int64(v)
			case s := <-never2:
				w.served[1] += int64(len(s))
			}
		case 2:
			time.Sleep(24 * time.Hour)
			w.served[2]++
		default:
			blockMu.Lock()
			w.served[3]++
			blockMu.Unlock()
		}
		sink.Add(int64(use(w)))
	}
}

// newProbeMap is not inlined so that the map escapes to the heap: a map
// that does not escape may have its header on the stack, and then the
// compiler describes no variable for it at all.
//
//go:noinline
func newProbeMap() map[string]int {
	m := make(map[string]int)
	for i := 0; i < probeEntries; i++ {
		m["probe-"+strconv.Itoa(i)] = i
	}
	return m
}

// probe holds the one map bench/census.py asks gdb to print: a local map
// variable of a goroutine parked in a channel receive.
func probe() {
	m := newProbeMap()
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	var gid int64
	fmt.Sscanf(string(buf), "goroutine %d ", &gid)
	probeGid <- gid
	for {
		v := <-never
		m["probe-0"] += v
		sink.Add(int64(len(m)))
	}
}

type counts struct {
	Locals, Interfaces, MapValues, LocalSessions, Handlers, Registry, IndexSessions int
}

// plan splits n maps exactly over the three kinds of roots.
func plan(n, goroutines int) counts {
	var c counts
	c.IndexSessions = (n/10 - 1) / 3
	if c.IndexSessions < 0 {
		c.IndexSessions = 0
	}
	c.MapValues = 1 + 3*c.IndexSessions
	iface := n / 10
	c.Handlers = iface / 2
	if c.Handlers > goroutines {
		c.Handlers = goroutines
	}
	c.LocalSessions = (n - c.MapValues - iface - 1) / 3
	c.Locals = 3*c.LocalSessions + 1 // + the probe's map
	c.Registry = n - c.MapValues - c.Locals - c.Handlers
	c.Interfaces = c.Handlers + c.Registry
	return c
}

// spawn starts the workers; what it builds is reachable afterwards only
// from their stacks (main's frame holds none of it at its parked pc).
func spawn(c counts, goroutines int) {
	per := make([][]*Session, goroutines)
	for i := 0; i < c.LocalSessions; i++ {
		g := i % goroutines
		per[g] = append(per[g], newSession(i))
	}
	for g := 0; g < goroutines; g++ {
		var h Handler = &nopHandler{n: g}
		if g < c.Handlers {
			rt := &routeTable{name: "routes-" + strconv.Itoa(g), routes: make(map[string]int)}
			for k := 0; k < 4; k++ {
				rt.routes["/v1/"+strconv.Itoa(k)] = k
			}
			h = rt
		}
		go worker(g, per[g], h)
		per[g] = nil
	}
}

func buildGlobals(c counts) {
	ps := &pluginSet{version: 3, loadedAt: time.Now()}
	for i := 0; i < c.Registry; i++ {
		ps.plugins = append(ps.plugins, &plugin{name: "plugin-" + strconv.Itoa(i),
			hooks: map[string]int{"init": i, "stop": -i}})
	}
	registry = ps
	sessionIndex = make(map[string]*Session, c.IndexSessions)
	for i := 0; i < c.IndexSessions; i++ {
		sessionIndex["s-"+strconv.Itoa(i)] = newSession(1_000_000 + i)
	}
}

func buildBallast(bytes int64) {
	if bytes <= 0 {
		return
	}
	const chunk = 1 << 20
	for n := bytes / 2 / chunk; n > 0; n-- {
		b := make([]byte, chunk)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1 // resident, not just reserved
		}
		ballastBytes = append(ballastBytes, b)
	}
	nodes := bytes / 2 / int64(unsafe.Sizeof(node{}))
	ballastChains = make([]*node, 1024)
	for i := int64(0); i < nodes; i++ {
		k := i % int64(len(ballastChains))
		nd := &node{next: ballastChains[k]}
		nd.vals[0] = uint64(i)
		if nd.next != nil {
			nd.peer = nd.next.next
		}
		ballastChains[k] = nd
	}
}

func ticker(id int, rt bool, period time.Duration) {
	runtime.LockOSThread()
	if rt {
		prio := int32(1)
		if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, 0, schedFIFO,
			uintptr(unsafe.Pointer(&prio))); e != 0 {
			fmt.Fprintf(os.Stderr, "sched_setscheduler: %v\n", e)
			os.Exit(2)
		}
	}
	if runtime.NumCPU() > 1 {
		mask := uint64(1) << (id % 64)
		syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(mask),
			uintptr(unsafe.Pointer(&mask)))
	}
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
	fd, err := syscall.Open("/proc/thread-self/schedstat", syscall.O_RDONLY, 0)
	if err != nil {
		fd = -1 // no schedstat: every gap counts as stopped
	}
	var buf [128]byte
	ts := syscall.NsecToTimespec(int64(period))
	last := time.Now()
	lastBusy, lastSlices := schedstat(fd, buf[:])
	for {
		syscall.Nanosleep(&ts, nil) // EINTR (a ptrace stop) just ends it early
		now := time.Now()
		busy, slices := schedstat(fd, buf[:])
		gap := now.Sub(last)
		ticks.Add(1)
		if gap > gapLogMin {
			stopped := int64(gap) - (busy - lastBusy) - int64(period)
			gapMu.Lock()
			if len(gapLog[id]) < gapLogMax {
				gapLog[id] = append(gapLog[id],
					gapRec{last.UnixNano(), now.UnixNano(), stopped, slices - lastSlices})
			}
			gapMu.Unlock()
		}
		last, lastBusy, lastSlices = now, busy, slices
	}
}

// schedstat is the time this thread has been on a CPU or waiting for one
// (the first two fields of its schedstat) and how many times it got onto
// a CPU (the third), or zeros without one.
func schedstat(fd int, buf []byte) (busy, slices int64) {
	if fd < 0 {
		return 0, 0
	}
	n, err := syscall.Pread(fd, buf, 0)
	if err != nil {
		return 0, 0
	}
	var f [3]int64
	k := 0
	for _, c := range buf[:n] {
		if c >= '0' && c <= '9' {
			f[k] = f[k]*10 + int64(c-'0')
			continue
		}
		if k++; k == len(f) {
			break
		}
	}
	return f[0] + f[1], f[2]
}

// gaps answers a GAP line: every gap logged since the previous one, as
// JSON, and resets the logs.
func gaps() string {
	gapMu.Lock()
	logs := gapLog
	gapLog[0] = make([]gapRec, 0, gapLogMax)
	gapLog[1] = make([]gapRec, 0, gapLogMax)
	gapMu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, `{"ticks":%d,"gaps":[`, ticks.Swap(0))
	sep := ""
	for id, l := range logs {
		for _, g := range l {
			fmt.Fprintf(&b, "%s[%d,%d,%d,%d,%d]", sep, id, g.from, g.to, g.stopped, g.slices)
			sep = ","
		}
	}
	b.WriteString("]}")
	return b.String()
}

func main() {
	heap := flag.Int64("heap", 1024, "live heap to reach, MiB")
	goroutines := flag.Int("goroutines", 1000, "parked worker goroutines")
	nmaps := flag.Int("maps", 100000, "maps in all")
	rt := flag.Bool("rt", false, "the tickers' threads SCHED_FIFO (needs CAP_SYS_NICE)")
	gogc := flag.Int("gogc", -1, "GOGC once built (-1: off)")
	flag.Parse()
	if *goroutines < 1 || *nmaps < 10 {
		fmt.Fprintln(os.Stderr, "need -goroutines >= 1 and -maps >= 10")
		os.Exit(2)
	}
	t0 := time.Now()
	debug.SetGCPercent(-1) // one collection at the end, not dozens on the way
	c := plan(*nmaps, *goroutines)
	buildGlobals(c)
	spawn(c, *goroutines)
	go probe()
	gid := <-probeGid
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	buildBallast(*heap<<20 - int64(ms.HeapAlloc))
	runtime.GC()
	debug.SetGCPercent(*gogc)
	runtime.ReadMemStats(&ms)

	blockMu.Lock() // the mutex workers park on; never released
	// Two Ps more, for the tickers: with GOMAXPROCS 2 on 2 CPUs the two of
	// them, in and out of nanosleep 10,000 times a second, waited for each
	// other's P on the way out of the system call, for up to 185 ms.
	runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 2)
	gaps()
	go ticker(0, *rt, 100*time.Microsecond)
	go ticker(1, *rt, 100*time.Microsecond)
	time.Sleep(50 * time.Millisecond) // every worker parked, the tickers ticking
	gaps()
	ready, _ := json.Marshal(map[string]any{
		"pid": os.Getpid(), "maps": *nmaps, "heap_mib": float64(ms.HeapAlloc) / (1 << 20),
		"goroutines": runtime.NumGoroutine(), "workers": *goroutines,
		"locals": c.Locals, "interfaces": c.Interfaces, "map_values": c.MapValues,
		"probe_goid": gid, "probe_entries": probeEntries, "probe_func": "main.probe",
		"probe_var": "m", "go": runtime.Version(), "build_s": time.Since(t0).Seconds(),
	})
	fmt.Printf("READY %s\n", ready)

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "GAP":
			fmt.Println(gaps())
		case "QUIT":
			os.Exit(0)
		}
	}
}
