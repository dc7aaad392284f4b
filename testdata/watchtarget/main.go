// Command watchtarget is a test target for `mapdiag watch`: it keeps one map
// in a known, measurable pattern of activity and reports, from inside, the
// ground truth that mapdiag's sampling from outside should find. -mode
// selects what runs:
//
//	burst  main.bursty (map[int]int, 1024 keys: never grows) is written
//	       nonstop by one thread for -on in every -period, idle otherwise.
//	       A second thread reads the map's writing flag every -sample
//	       (classic hmap.flags&4, Swiss Map.writing; a plain racy load, as
//	       mapdiag's) and counts: the duty cycle as the target sees it.
//	stuck  main.stuck (map[int]int, 10 entries) has its writing flag forced
//	       on and is never touched again (as testdata/writers -mode stale).
//	grow   main.growth (map[int64]int64) gets -rate inserts/s of new keys,
//	       up to -max entries, then clear() (clearSeq changes), forever; the
//	       writer counts growth events after every insert (see grow.go for
//	       the exact definition) and waits -gap after each one.
//	work   main.workmap (map[int]int, 4096 keys) is read and written in
//	       fixed units of -unit lookups+assignments by one thread, which
//	       times each unit: how much an observer slows the target down.
//
// Once set up it prints one line on stdout,
//
//	READY {"pid":N,"go_version":"go1.26.1","impl":"hmap"|"swiss","mode":M,
//	       "unix":T,"stats_every_s":S,
//	       "maps":{"main.bursty":{"addr":"0x...","var_addr":"0x...",
//	                              "type":"map[int]int"}},
//	       ...mode fields}
//
// (unix: wall-clock seconds, as a float, when READY was printed; addr is the
// map header, var_addr the variable; threads: the -threads busy goroutines),
// then, every stats_every_s seconds (0.2; 1 in work mode), one line
//
//	STATS {...,"elapsed_s":E,"unix":T}
//
// with the mode's counters, cumulative since READY unless said otherwise
// (elapsed_s: seconds since READY, monotonic); burst.go, stuck.go, grow.go
// and work.go list them. Runs until killed. Nobody need read the STATS
// lines: once the pipe is full only the printing goroutine blocks. Standard
// library only; Linux only (burst's sampler uses nanosleep/prctl).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
	"unsafe"
)

// The reported maps: globals, so mapdiag finds them through DWARF and their
// headers stay put for the life of the process.
var (
	bursty  map[int]int
	stuck   map[int]int
	growth  map[int64]int64
	workmap map[int]int
)

type mapJSON struct {
	Addr    string `json:"addr"`
	VarAddr string `json:"var_addr"`
	Type    string `json:"type"`
}

// ready is the READY line: the common fields, then Extra's (mode fields).
type ready struct {
	Pid         int                 `json:"pid"`
	GoVersion   string              `json:"go_version"`
	Impl        string              `json:"impl"`
	Mode        string              `json:"mode"`
	Unix        float64             `json:"unix"`
	StatsEveryS float64             `json:"stats_every_s"`
	Threads     int                 `json:"threads"`
	Maps        map[string]*mapJSON `json:"maps"`
	Extra       map[string]any      `json:"-"`
}

var oracle = ready{Maps: map[string]*mapJSON{}, Extra: map[string]any{}}

func hex(p uintptr) string { return "0x" + strconv.FormatUint(uint64(p), 16) }

// header returns the map header the variable at v points to.
func header[M ~map[K]V, K comparable, V any](v *M) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(v))
}

// addMap records the map variable at v (non-nil map) under expr.
func addMap[M ~map[K]V, K comparable, V any](expr string, v *M) unsafe.Pointer {
	hp := header(v)
	if hp == nil {
		panic(expr + ": nil map")
	}
	oracle.Maps[expr] = &mapJSON{Addr: hex(uintptr(hp)), VarAddr: hex(uintptr(unsafe.Pointer(v))),
		Type: reflect.TypeOf(*v).String()}
	return hp
}

// unixNow is the wall clock in float seconds.
func unixNow() float64 { return float64(time.Now().UnixNano()) / 1e9 }

// t0 is the monotonic origin of elapsed_s: when READY was printed.
var t0 time.Time

func elapsed() float64 { return time.Since(t0).Seconds() }

// emit prints one "<tag> {json}" line on stdout: fields, plus elapsed_s and
// unix for STATS lines.
func emit(tag string, fields map[string]any) {
	if tag == "STATS" {
		fields["elapsed_s"] = round(elapsed(), 6)
		fields["unix"] = round(unixNow(), 6)
	}
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	os.Stdout.Write(append(append([]byte(tag+" "), b...), '\n'))
}

func round(x float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	if x < 0 {
		return -float64(int64(-x*p+0.5)) / p
	}
	return float64(int64(x*p+0.5)) / p
}

// statsLoop calls f every d, from t0 on, forever.
func statsLoop(d time.Duration, f func()) {
	for k := 1; ; k++ {
		time.Sleep(time.Until(t0.Add(time.Duration(k) * d)))
		f()
	}
}

var sink atomic.Uint64

// spin alternates ~200us of arithmetic with 1ms of sleep, forever (as
// testdata/maps -threads): threads that are busy at random moments.
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

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "watchtarget: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	mode := flag.String("mode", "burst", "burst, stuck, grow or work")
	on := flag.Duration("on", 100*time.Millisecond, "burst: write nonstop this long ...")
	period := flag.Duration("period", time.Second, "burst: ... in every period")
	sample := flag.Duration("sample", 20*time.Microsecond, "burst: sampler interval")
	sampler := flag.String("sampler", "spin", "burst: how the sampler waits: spin (busy, a whole core) or sleep (nanosleep, 1ns timer slack)")
	rate := flag.Float64("rate", 20000, "grow: inserts per second")
	maxN := flag.Int("max", 1000000, "grow: entries before clear()")
	gap := flag.Duration("gap", 5*time.Millisecond, "grow: pause after each growth event")
	unit := flag.Int("unit", 1000, "work: map lookups+assignments per unit")
	threads := flag.Int("threads", 0, "busy goroutines (compute 200us, sleep 1ms)")
	flag.Parse()
	if flag.NArg() > 0 {
		fatalf("unexpected arguments %q", flag.Args())
	}
	if *threads < 0 {
		*threads = 0
	}

	oracle.Pid = os.Getpid()
	oracle.GoVersion = runtime.Version()
	oracle.Impl = impl
	oracle.Mode = *mode
	oracle.Threads = *threads
	oracle.StatsEveryS = 0.2

	// Each locked thread on its own P, plus two for the rest.
	locked := 0
	var run func() // starts the mode's goroutines, after READY
	switch *mode {
	case "burst":
		if *on <= 0 || *period <= 0 || *on > *period || *sample <= 0 {
			fatalf("burst: need 0 < -on <= -period and -sample > 0")
		}
		if *sampler != "spin" && *sampler != "sleep" {
			fatalf("burst: -sampler must be spin or sleep")
		}
		locked = 2
		run = setupBurst(*on, *period, *sample, *sampler == "spin")
	case "stuck":
		run = setupStuck()
	case "grow":
		if *rate <= 0 || *maxN < 1 || *gap < 0 {
			fatalf("grow: need -rate > 0, -max >= 1, -gap >= 0")
		}
		locked = 1
		run = setupGrow(*rate, *maxN, *gap)
	case "work":
		if *unit < 1 {
			fatalf("work: -unit must be >= 1")
		}
		locked = 1
		oracle.StatsEveryS = 1
		run = setupWork(*unit)
	default:
		fatalf("unknown mode %q (burst, stuck, grow, work)", *mode)
	}
	if p := locked + *threads + 2; p > runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(p)
	}
	for i := 0; i < *threads; i++ {
		go spin(i)
	}

	b, err := json.Marshal(&oracle)
	if err != nil {
		panic(err)
	}
	fields := map[string]any{}
	if err := json.Unmarshal(b, &fields); err != nil {
		panic(err)
	}
	for k, v := range oracle.Extra {
		fields[k] = v
	}
	t0 = time.Now()
	fields["unix"] = round(unixNow(), 6)
	emit("READY", fields)
	if run != nil {
		run()
	}
	// Sleep, not select{}: with every goroutine parked (stuck mode) the
	// runtime would report a deadlock, but never while a timer is pending.
	for {
		time.Sleep(time.Hour)
	}
}
