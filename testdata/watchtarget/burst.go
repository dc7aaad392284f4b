package main

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Burst mode. Ground truth for mapdiag's write duty cycle: the target
// samples its own map's writing flag, the same byte mapdiag reads with
// process_vm_readv, far more often than mapdiag does.
//
// READY fields: on_s, period_s, design_duty (on/period), sample_s,
// sampler ("spin"|"sleep"). Burst k (k = 0, 1, ...) starts at READY's
// unix + k*period_s (the first right after READY).
//
// STATS, every 0.2 s, cumulative since READY:
//
//	samples      flag samples taken
//	writing      samples that saw the flag set
//	duty         writing/samples (0 before the first sample)
//	sampled_s    time covered by the samples: each sample stands for the
//	             time since the previous one
//	writing_s    the part of sampled_s whose sample saw the flag set
//	duty_time    writing_s/sampled_s: the duty cycle weighted by time. It
//	             differs from duty when the sampler is descheduled more
//	             during bursts than between them (busy machine, few cores):
//	             then duty under-counts the bursts and duty_time does not.
//	             Compare an observer's duty with duty_time: on 2 cores with
//	             mapdiag watch --interval 1ms running, duty came out 30-50%
//	             low, duty_time within 0.01 of mapdiag's.
//	design_duty  on/period
//	bursts       bursts started
//	burst_s      time spent inside bursts (writer clock)
//	writes       map assignments done in finished bursts
//	elapsed_s, unix

var (
	bSamples, bWriting, bBursts, bWrites, bBurstNs atomic.Uint64
	bSampledNs, bWritingNs                         atomic.Uint64
)

const burstKeys = 1024

func setupBurst(on, period, sample time.Duration, spin bool) func() {
	// Sized up front and filled before READY: the writes only overwrite,
	// the map never grows (classic: never growing either).
	bursty = make(map[int]int, burstKeys)
	for i := 0; i < burstKeys; i++ {
		bursty[i] = i
	}
	hp := addMap("main.bursty", &bursty)
	design := float64(on) / float64(period)
	sampler := "sleep"
	if spin {
		sampler = "spin"
	}
	oracle.Extra["on_s"] = on.Seconds()
	oracle.Extra["period_s"] = period.Seconds()
	oracle.Extra["design_duty"] = design
	oracle.Extra["sample_s"] = sample.Seconds()
	oracle.Extra["sampler"] = sampler
	return func() {
		go burstWriter(bursty, on, period)
		go flagSampler(hp, sample, spin)
		go statsLoop(200*time.Millisecond, func() {
			// Parts before totals (the sampler adds totals first):
			// writing <= samples, writing_s <= sampled_s.
			w, wns := bWriting.Load(), bWritingNs.Load()
			s, sns := bSamples.Load(), bSampledNs.Load()
			duty, dutyTime := 0.0, 0.0
			if s > 0 {
				duty = float64(w) / float64(s)
			}
			if sns > 0 {
				dutyTime = float64(wns) / float64(sns)
			}
			emit("STATS", map[string]any{
				"samples": s, "writing": w, "duty": round(duty, 6),
				"duty_time": round(dutyTime, 6),
				"sampled_s": round(float64(sns)/1e9, 6), "writing_s": round(float64(wns)/1e9, 6),
				"design_duty": design, "bursts": bBursts.Load(),
				"burst_s": round(float64(bBurstNs.Load())/1e9, 6),
				"writes":  bWrites.Load(),
			})
		})
	}
}

// burstWriter writes m nonstop from t0+k*period for on, for k = 0, 1, ...
// on a thread of its own.
func burstWriter(m map[int]int, on, period time.Duration) {
	runtime.LockOSThread()
	for k := 0; ; k++ {
		begin := t0.Add(time.Duration(k) * period)
		if d := time.Until(begin); d > 0 {
			time.Sleep(d)
		}
		start := time.Now()
		end := begin.Add(on)
		if !start.Before(end) {
			continue // fell a whole burst behind: skip it
		}
		bBursts.Add(1)
		n := burstWrite(m, end)
		bBurstNs.Add(uint64(time.Since(start)))
		bWrites.Add(uint64(n))
	}
}

// burstWrite overwrites the 1024 keys of m round and round until end,
// looking at the clock every 256 writes (about 2-3 us).
//
//go:noinline
func burstWrite(m map[int]int, end time.Time) int {
	n := 0
	for {
		for j := 0; j < 256; j++ {
			m[(n+j)&(burstKeys-1)] = n + j
		}
		n += 256
		if !time.Now().Before(end) {
			return n
		}
	}
}

// flagSampler reads the writing flag of the map header at hp every
// interval, on a thread of its own, and counts. The read is a plain load,
// racy by design like mapdiag's. Waiting: spin busy-waits on the monotonic
// clock (exact, costs a whole core); otherwise nanosleep with the thread's
// timer slack at 1 ns (a 20us interval then comes out at ~35-40us on a
// 2-core VM, for about half a core). Either way the
// sample times do not depend on the writer's state, so writing/samples
// estimates the share of time the flag is set, as long as the sampler gets
// a CPU as readily during bursts as between them; writing_s/sampled_s
// (each sample weighted by the time since the previous one) does not need
// that. A sampler that falls more than one interval behind (descheduled)
// skips ahead rather than catching up in a burst.
func flagSampler(hp unsafe.Pointer, interval time.Duration, spin bool) {
	runtime.LockOSThread()
	if !spin {
		const prSetTimerslack = 29
		syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, 1, 0)
	}
	next := time.Since(t0)
	prev := next
	for {
		w := isWriting(hp)
		now := time.Since(t0)
		// Time weight: this sample stands for the time since the last one.
		dt := uint64(now - prev)
		prev = now
		// Totals before parts (the reporter loads parts first).
		bSampledNs.Add(dt)
		bSamples.Add(1)
		if w {
			bWriting.Add(1)
			bWritingNs.Add(dt)
		}
		next += interval
		if spin {
			for now < next {
				now = time.Since(t0)
			}
		} else if d := next - now; d > 0 {
			ts := syscall.NsecToTimespec(int64(d))
			syscall.Nanosleep(&ts, nil)
			now = time.Since(t0)
		}
		if now > next+interval {
			next = now
		}
	}
}
