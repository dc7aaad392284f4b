// Package live keeps a test target's process busy and visibly alive, for
// the targets of this module (maptarget, scantarget).
package live

import (
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"
)

var sink atomic.Uint64

// Spin alternates ~200us of arithmetic with 1ms of sleep, forever: threads
// that are busy at random moments without saturating a 2-core test machine.
func Spin(id int) {
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

// Churn makes the runtime create and destroy OS threads continuously: a
// goroutine that exits while locked to its thread takes the thread with it,
// and the next one needs a new thread.
func Churn() {
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

// Tick prints "TICK <n>" to stderr every 10ms, forever.
func Tick() {
	var n uint64
	for {
		time.Sleep(10 * time.Millisecond)
		n++
		os.Stderr.WriteString("TICK " + strconv.FormatUint(n, 10) + "\n")
	}
}
