package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Grow mode. Ground truth for mapdiag's growth events, insert/delete rates
// and clears.
//
// One thread inserts new keys 0, 1, 2, ... into main.growth at -rate
// inserts/s (paced against the clock, in batches of at most 64 with short
// sleeps between), until the map holds -max entries; then clear(growth)
// (count to 0, clearSeq+1 where the header has one) and again from key 0,
// forever. After every insert it reads the header and counts a growth event
// when grew(before, after) (classic.go, swiss.go):
//
//	classic hmap: B increased, or oldbuckets went nil -> non-nil. A doubling
//	  growth sets B+1 and oldbuckets in the same write: one event, counted
//	  when it starts (its end, oldbuckets back to nil some writes later, is
//	  not an event). A growth from an array of 1 or 2 buckets (to B = 1 or
//	  2) also finishes inside the write that starts it (that write
//	  evacuates two old buckets): B increased, oldbuckets nil before and
//	  after: still one event, and an observer that samples between writes
//	  sees it only as B increasing. A same-size grow (B unchanged,
//	  oldbuckets nil -> non-nil) is one event; this mode does not make them
//	  in practice (no deletes but clear(), which resets noverflow), but
//	  would count them. (One from a 1- or 2-bucket array would be invisible
//	  to this definition: B unchanged, oldbuckets nil before and after.)
//	Swiss: dirLen changed (0 -> 1 when the small map becomes a table;
//	  doubling of the directory), or globalDepth changed, or the sum of the
//	  capacities of the distinct tables changed (a table rehashed to double
//	  capacity, or split in two tables of 1024). A small map counts as
//	  capacity 8, allocated or not: its first insert is not growth.
//	Neither: allocating the first bucket/group, clear() (keeps B, the tables
//	  and their capacities), or the end of a classic growth.
//
// One write starts at most one growth, so this counts every growth exactly.
// After each one the writer pauses -gap (default 5ms, with the pacing clock
// shifted by the pause: no catch-up burst), so consecutive growth events are
// always at least -gap apart: an observer sampling every gap/2 or more often
// (mapdiag watch --interval 1ms) sees each growth in an interval of its own,
// and can count one event per sample-to-sample change. Without the gap
// growths come a few inserts apart, well inside 1 ms at 20000 inserts/s:
// the first ones of a classic fill (Go >= 1.22: at 9, 14, 27, 53 ...
// entries; 1.21, load factor 6: 9, 13, 25, 49 ...), and the table splits
// of a Swiss map, whose tables all reach 7/8 full at about the same time.
//
// Growth happens during the first fill; later fills grow only where a
// table (Swiss) or bucket array (classic) is too small for the reseeded
// hash spread, i.e. rarely.
//
// STATS, every 0.2 s, cumulative since READY:
//
//	growths    growth events (definition above)
//	inserts    insertions of new keys
//	deletes    entries removed (by clear: the count just before it)
//	clears     clear() calls
//	count      len(growth) now
//	growing_s  classic: total time with oldbuckets != nil (a growth in
//	           progress; nearly all of it growing-idle, since the writer
//	           sleeps between batches); Swiss: always 0
//	clearSeq   the header's clearSeq now (absent before Go 1.24 classic)
//	shape      classic {"B","growing"}; Swiss {"dirLen","globalDepth",
//	           "capacity"} as of the last insert
//	last_growth_unix  wall-clock time of the last growth event (0: none)
//	growth_unix  wall-clock times of the growth events since the previous
//	           STATS line (not cumulative), to count the events of any
//	           window exactly
//	elapsed_s, unix
//
// READY fields: rate, max, gap_s.

var (
	gInserts, gDeletes, gClears, gGrowths, gGrowingNs, gCount atomic.Uint64
	gGrowingSince, gLastGrowth                                atomic.Int64 // unix ns, 0: none
	gShape                                                    atomic.Pointer[shape]
	gClearSeq                                                 atomic.Pointer[uint64]

	gTimesMu sync.Mutex
	gTimes   []float64 // growth events since the last STATS line, unix s
)

const batchMax = 64

func setupGrow(rate float64, max int, gap time.Duration) func() {
	growth = make(map[int64]int64)
	addMap("main.growth", &growth)
	oracle.Extra["rate"] = rate
	oracle.Extra["max"] = max
	oracle.Extra["gap_s"] = gap.Seconds()
	hp := header(&growth)
	s := readShape(hp)
	gShape.Store(&s)
	gClearSeq.Store(clearSeqOf(hp))
	return func() {
		go growWriter(growth, rate, max, gap)
		go statsLoop(200*time.Millisecond, func() {
			growingNs := gGrowingNs.Load()
			if since := gGrowingSince.Load(); since != 0 {
				if d := time.Now().UnixNano() - since; d > 0 {
					growingNs += uint64(d)
				}
			}
			f := map[string]any{
				"growths": gGrowths.Load(), "inserts": gInserts.Load(),
				"deletes": gDeletes.Load(), "clears": gClears.Load(),
				"count": gCount.Load(), "growing_s": round(float64(growingNs)/1e9, 6),
				"shape":            gShape.Load().stats(),
				"last_growth_unix": round(float64(gLastGrowth.Load())/1e9, 6),
			}
			if cs := gClearSeq.Load(); cs != nil {
				f["clearSeq"] = *cs
			}
			gTimesMu.Lock()
			times := gTimes
			gTimes = nil
			gTimesMu.Unlock()
			if times == nil {
				times = []float64{}
			}
			f["growth_unix"] = times
			emit("STATS", f)
		})
	}
}

//go:noinline
func insert(m map[int64]int64, k int64) { m[k] = k }

func growWriter(m map[int64]int64, rate float64, max int, gap time.Duration) {
	runtime.LockOSThread()
	hp := header(&growth)
	prev := readShape(hp)
	sched := time.Now() // pacing: inserts due = rate * (now - sched) - done
	done := 0.0
	key := int64(0)
	// growingEdge accounts for a change of the classic "growing" state.
	growingEdge := func(was, is bool) {
		if was == is {
			return
		}
		now := time.Now().UnixNano()
		if is {
			gGrowingSince.Store(now)
		} else {
			gGrowingNs.Add(uint64(now - gGrowingSince.Load()))
			gGrowingSince.Store(0)
		}
	}
	for {
		due := rate*time.Since(sched).Seconds() - done
		if due < 1 {
			time.Sleep(time.Duration((1 - due) / rate * 1e9))
			continue
		}
		if due > rate/100+batchMax { // more than 10ms behind: drop the backlog
			done += due - batchMax
			due = batchMax
		}
		n := int(due)
		if n > batchMax {
			n = batchMax
		}
		for i := 0; i < n; i++ {
			if int(key) >= max {
				gDeletes.Add(uint64(len(m)))
				clearMap(m)
				gClears.Add(1)
				gCount.Store(0)
				gClearSeq.Store(clearSeqOf(hp))
				key = 0
				cur := readShape(hp)
				growingEdge(prev.isGrowing(), cur.isGrowing())
				if grew(prev, cur) {
					panic("clear changed the map's shape")
				}
				prev = cur
				c := cur
				gShape.Store(&c)
			}
			insert(m, key)
			key++
			done++
			gInserts.Add(1)
			gCount.Store(uint64(key))
			cur := readShape(hp)
			growingEdge(prev.isGrowing(), cur.isGrowing())
			g := grew(prev, cur)
			if g || cur.isGrowing() != prev.isGrowing() {
				c := cur
				gShape.Store(&c)
			}
			prev = cur
			if g {
				now := time.Now().UnixNano()
				gGrowths.Add(1)
				gLastGrowth.Store(now)
				gTimesMu.Lock()
				gTimes = append(gTimes, round(float64(now)/1e9, 6))
				gTimesMu.Unlock()
				if gap > 0 {
					t := time.Now()
					time.Sleep(gap)
					sched = sched.Add(time.Since(t))
				}
				break
			}
		}
	}
}

// clearMap is clear(m) for every release: the language of this module is
// Go 1.19 (go.mod), which has no clear builtin, but the compiler turns this
// loop into one call of runtime.mapclear, as clear(m) is (Go 1.11 on, see
// isMapClear in cmd/compile/internal/walk/range.go).
func clearMap[M ~map[K]V, K comparable, V any](m M) {
	for k := range m {
		delete(m, k)
	}
}
