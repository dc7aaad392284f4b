package main

import (
	"runtime"
	"sort"
	"time"
)

// Work mode. What watching costs the target (bench/watch_impact.py): one
// thread does fixed units of work on main.workmap (map[int]int, 4096 keys,
// filled before READY: the count never changes, the map never grows), each
// unit -unit lookups+assignments m[k] = m[k]+1 of pseudo-random keys, and
// times every unit.
//
// STATS, every 1 s, for the last interval (not cumulative) unless said:
//
//	interval_s   length of the interval (worker clock)
//	units        units finished in it
//	units_per_s  units / interval_s
//	mean_us, p50_us, p99_us, max_us   unit latency
//	total_units  cumulative since READY
//	elapsed_s, unix
//
// READY fields: unit_ops.

const workKeys = 4096

type workInterval struct {
	dur  time.Duration
	lats []int64 // ns per unit
}

func setupWork(unitOps int) func() {
	workmap = make(map[int]int, workKeys)
	for i := 0; i < workKeys; i++ {
		workmap[i] = i
	}
	addMap("main.workmap", &workmap)
	oracle.Extra["unit_ops"] = unitOps
	return func() {
		full := make(chan workInterval, 4)
		free := make(chan []int64, 4)
		go worker(workmap, unitOps, full, free)
		go workReporter(full, free)
	}
}

//go:noinline
func workUnit(m map[int]int, x uint64, n int) uint64 {
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		k := int(x & (workKeys - 1))
		m[k] = m[k] + 1
	}
	return x
}

func worker(m map[int]int, unitOps int, full chan<- workInterval, free chan []int64) {
	runtime.LockOSThread()
	x := uint64(88172645463325252)
	lats := make([]int64, 0, 1<<16)
	start := t0
	next := t0.Add(time.Second)
	last := time.Now()
	for {
		x = workUnit(m, x, unitOps)
		now := time.Now()
		lats = append(lats, int64(now.Sub(last)))
		last = now
		if !now.Before(next) {
			select {
			case full <- workInterval{dur: now.Sub(start), lats: lats}:
			default: // reporter stuck (stdout not read): drop the interval
			}
			select {
			case lats = <-free:
			default:
				lats = make([]int64, 0, 1<<16)
			}
			start = now
			for !now.Before(next) {
				next = next.Add(time.Second)
			}
			// Include the hand-over in the next unit's time: it is work
			// the thread does.
		}
	}
}

func workReporter(full <-chan workInterval, free chan<- []int64) {
	var total uint64
	for iv := range full {
		l := iv.lats
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		n := len(l)
		total += uint64(n)
		var sum int64
		for _, v := range l {
			sum += v
		}
		pct := func(p float64) float64 {
			if n == 0 {
				return 0
			}
			i := int(p*float64(n-1) + 0.5)
			return round(float64(l[i])/1e3, 3)
		}
		mean := 0.0
		if n > 0 {
			mean = float64(sum) / float64(n) / 1e3
		}
		secs := iv.dur.Seconds()
		ups := 0.0
		if secs > 0 {
			ups = float64(n) / secs
		}
		emit("STATS", map[string]any{
			"interval_s": round(secs, 6), "units": n, "units_per_s": round(ups, 1),
			"mean_us": round(mean, 3), "p50_us": pct(0.50), "p99_us": pct(0.99),
			"max_us": pct(1), "total_units": total,
		})
		select {
		case free <- l[:0]:
		default:
		}
	}
}
