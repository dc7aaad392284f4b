// Command benchtarget is the target of bench/vs_gdb.py: a small "service"
// with one large map and one small one, some busy threads, and a ticker that
// measures from inside the process how long it was stopped.
//
//	main.cache  map[string]int  -entries entries (default 100,000)
//	main.small  map[int]int     16 entries
//
// Flags:
//
//	-threads N   N busy goroutines, each locked to its own OS thread
//	             (runtime.LockOSThread), alternating -busy of compute and
//	             -sleep of sleep (default 200us / 1ms)
//	-tick MODE   how the ticker waits between ticks: "nanosleep" (default;
//	             a nanosleep(2) of -period on its locked thread, no Go
//	             scheduler involved), "sleep" (time.Sleep(period)) or "spin"
//	             (runtime.Gosched until -period has passed: burns a core)
//	-period D    the ticker's period (default 100us)
//	-rt          the ticker's thread SCHED_FIFO priority 1 (root or
//	             CAP_SYS_NICE): its wake-up no longer waits for a busy
//	             thread's scheduler slice, so the gap resolves shorter stops
//
// On start it prints "READY <pid>" on stdout. Each line "GAP" on stdin is
// answered with one line: the largest gap in nanoseconds between two
// consecutive ticks since the previous GAP line (which resets it), the
// number of ticks in that window, and when the largest gap ended (Unix
// time in ns), separated by spaces. "QUIT" (or EOF) ends it.
//
// A stop by ptrace (every thread of the process stopped) shows up as one
// long gap: the ticker thread cannot tick while it is stopped. The gap is
// the pause plus at most one period and the wake-up latency of the ticker.
//
// Standard library only. bench/gen_large.py copies this file into the large
// generated program (where extra.go adds thousands of packages).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

var (
	cache map[string]int
	small map[int]int

	maxGap atomic.Int64  // largest gap (ns) since the last GAP line
	maxEnd atomic.Int64  // when it ended (Unix ns)
	ticks  atomic.Int64  // ticks since the last GAP line
	sink   atomic.Uint64 // keeps the busy loops' work alive
)

const (
	prSetTimerslack = 29 // PR_SET_TIMERSLACK, linux/prctl.h
	schedFIFO       = 1  // SCHED_FIFO, linux/sched.h
)

// extraInit is set by the generated extra.go of the large target.
var extraInit func() int

func busy(d, sleep time.Duration, seed uint64) {
	runtime.LockOSThread()
	x := seed | 1
	for {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			for i := 0; i < 200; i++ {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
			}
		}
		sink.Add(x & 1)
		time.Sleep(sleep)
	}
}

func ticker(mode string, period time.Duration, rt bool) {
	runtime.LockOSThread()
	if rt {
		// SCHED_FIFO priority 1 for this thread only: woken, it runs at once
		// instead of waiting up to a scheduler slice behind busy threads.
		prio := int32(1)
		if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, 0, schedFIFO,
			uintptr(unsafe.Pointer(&prio))); e != 0 {
			fmt.Fprintf(os.Stderr, "sched_setscheduler: %v\n", e)
			os.Exit(2)
		}
	}
	// The kernel lets a normal thread's timers fire up to 50us late (timer
	// slack) to batch wake-ups; 1ns makes nanosleep(100us) about 100us.
	syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
	ts := syscall.NsecToTimespec(int64(period))
	last := time.Now()
	for {
		switch mode {
		case "sleep":
			time.Sleep(period)
		case "spin":
			for time.Since(last) < period {
				runtime.Gosched()
			}
		default:
			// EINTR (a ptrace stop may interrupt it) just ends the sleep early.
			syscall.Nanosleep(&ts, nil)
		}
		now := time.Now()
		gap := int64(now.Sub(last))
		last = now
		ticks.Add(1)
		for {
			m := maxGap.Load()
			if gap <= m {
				break
			}
			if maxGap.CompareAndSwap(m, gap) {
				maxEnd.Store(now.UnixNano())
				break
			}
		}
	}
}

func main() {
	threads := flag.Int("threads", 8, "busy goroutines, each on its own locked OS thread")
	busyFor := flag.Duration("busy", 200*time.Microsecond, "compute time of each busy round")
	sleepFor := flag.Duration("sleep", time.Millisecond, "sleep between busy rounds")
	entries := flag.Int("entries", 100000, "entries of main.cache")
	mode := flag.String("tick", "nanosleep", "ticker wait: nanosleep, sleep or spin")
	period := flag.Duration("period", 100*time.Microsecond, "ticker period")
	rt := flag.Bool("rt", false, "run the ticker's thread SCHED_FIFO (needs CAP_SYS_NICE)")
	flag.Parse()

	// Enough Ps that no locked thread ever waits for one.
	if n := *threads + 4; n > runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(n)
	}

	cache = make(map[string]int)
	for i := 0; i < *entries; i++ {
		cache["key-"+strconv.Itoa(i)] = i
	}
	small = make(map[int]int)
	for i := 0; i < 16; i++ {
		small[i] = i * i
	}
	extra := 0
	if extraInit != nil {
		extra = extraInit()
	}

	go ticker(*mode, *period, *rt)
	for i := 0; i < *threads; i++ {
		go busy(*busyFor, *sleepFor, uint64(i)*0x9e3779b97f4a7c15)
	}
	time.Sleep(20 * time.Millisecond) // let every thread start
	maxGap.Store(0)
	ticks.Store(0)
	fmt.Printf("READY %d\n", os.Getpid())
	if extraInit != nil {
		fmt.Fprintf(os.Stderr, "extra: %d\n", extra)
	}

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "GAP":
			fmt.Printf("%d %d %d\n", maxGap.Swap(0), ticks.Swap(0), maxEnd.Load())
		case "QUIT":
			os.Exit(0)
		}
	}
	_ = len(cache) + len(small)
}
