package main

import "time"

const nStuck = 10

// setupStuck fills main.stuck, then forces its writing flag on; no Go code
// touches the map again. READY reports when: stuck_since (unix seconds).
//
// STATS, every 0.2 s: writing (the flag, read now: always true), stuck_s
// (seconds since stuck_since), elapsed_s, unix.
func setupStuck() func() {
	// Sized up front: a classic map never starts growing (no oldbuckets).
	stuck = make(map[int]int, nStuck)
	for i := 0; i < nStuck; i++ {
		stuck[i] = i
	}
	hp := addMap("main.stuck", &stuck)
	setWriting(hp)
	since := unixNow()
	if !isWriting(hp) {
		panic("stuck: writing flag not set")
	}
	oracle.Extra["stuck_since"] = round(since, 6)
	oracle.Extra["writing"] = true
	oracle.Extra["len"] = nStuck
	return func() {
		go statsLoop(200*time.Millisecond, func() {
			emit("STATS", map[string]any{"writing": isWriting(hp),
				"stuck_s": round(unixNow()-since, 6)})
		})
	}
}
