// Command inlinetarget is a test target for mapdiag's inlined frames
// (tests/integration/test_inline.py): threads that stay at known places
// inside calls the compiler inlines, so that mapdiag's `attach --threads`
// frames can be compared, frame by frame, with gdb's `thread apply all bt`.
//
//	reader  a goroutine locked to its OS thread, blocked in read(2) on a
//	        pipe nobody writes: readLoop -> waitByte (inlined) -> readOne
//	        (inlined) -> syscall.Syscall -> ...
//	spinner a goroutine locked to its OS thread, spinning in spinLoop's
//	        one-line loop, inlined into spin: every pc of the loop is
//	        inside the inlined call, so the frames do not depend on where
//	        the thread is stopped.
//
// `go build -gcflags=-m` must say "can inline waitByte", "can inline
// readOne", "can inline spinLoop", "inlining call to waitByte", "inlining
// call to readOne" and "inlining call to spinLoop" (the test checks the
// DWARF instead: an inlined subroutine of each at the pc it finds).
//
// Run it with GODEBUG=asyncpreemptoff=1 for threads that stay put: else
// sysmon preempts the spinner every 10 ms, and the hand-offs of its locked
// thread wake the idle ones.
//
// Once set up it prints one line on stdout,
//
//	READY {"pid":N,"go_version":"go1.26.1","tids":{"reader":T,"spinner":T},
//	       "maps":{"main.counts":{...}}}
//
// and runs until killed.  Standard library only; Linux only (gettid).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// counts is the map the test names on mapdiag's command line; nothing
// writes it after start-up.
var counts = map[string]int{"a": 1, "b": 2}

var spun uint64

// readOne reads one byte from fd into *b; small enough to be inlined
// (syscall.Read would not leave room for a second level).
func readOne(fd int, b *byte) int {
	n, _, _ := syscall.Syscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(b)), 1)
	return int(n)
}

// waitByte waits for one byte: a second level of inlining.
func waitByte(fd int, b *byte) int {
	return readOne(fd, b)
}

//go:noinline
func readLoop(fd int, ready chan<- int) {
	runtime.LockOSThread()
	ready <- syscall.Gettid()
	var b byte
	for {
		if waitByte(fd, &b) <= 0 {
			return
		}
	}
}

// spinLoop never returns.  Its loop is one line, and its store is atomic
// so that the compiler keeps it: a plain store in a loop that never exits
// was dropped, leaving a nop and a jump back that the line table puts on
// line 1, so the line depended on where the thread stopped.
func spinLoop(p *uint64) {
	for atomic.AddUint64(p, 1) != 0 {
	}
}

//go:noinline
func spin(ready chan<- int) {
	runtime.LockOSThread()
	ready <- syscall.Gettid()
	spinLoop(&spun)
}

func main() {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		fmt.Fprintln(os.Stderr, "pipe:", err)
		os.Exit(1)
	}
	rd, sp := make(chan int), make(chan int)
	go readLoop(fds[0], rd)
	go spin(sp)
	out := map[string]any{
		"pid":        os.Getpid(),
		"go_version": runtime.Version(),
		"tids":       map[string]int{"reader": <-rd, "spinner": <-sp},
		"maps":       map[string]any{"main.counts": map[string]any{"len": len(counts)}},
	}
	line, _ := json.Marshal(out)
	fmt.Printf("READY %s\n", line)
	select {}
}
