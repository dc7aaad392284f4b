// Command crashtarget dies of "fatal error: concurrent map writes" on
// purpose, for mapdiag's post-mortem tests: two goroutines, each locked to
// its own thread, write one map (main.shared, reached from a package
// variable; main.owner.m reaches it too) with no lock until the runtime
// catches them. With -mode readwrite one of them reads instead, and the
// runtime says "concurrent map read and map write".
//
// Before the race it prints its oracle on stdout,
//
//	READY {"pid":N,"go_version":...,"mode":...,"map":"0x...",
//	       "writers":[{"goid":G,"tid":T,"func":"main.writeA",
//	                   "file":".../main.go","line":L},...],
//	       "spinner":{"goid":G,"tid":T,"func":"main.spin",...}}
//
// (map: the header address, the map argument of the runtime's write
// paths; line: the line of each goroutine's map access; the spinner is a
// third goroutine in a busy loop on its own thread), then waits for
// one line on stdin (or its end) and starts the race. Run it with
// GOTRACEBACK=crash and a core size limit to get a core.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

type holder struct{ m map[int]int }

var (
	shared map[int]int
	owner  *holder
	sink   int
)

type writer struct {
	Goid int64  `json:"goid"`
	Tid  int    `json:"tid"`
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

func goid() int64 {
	var b [64]byte
	s := strings.TrimPrefix(string(b[:runtime.Stack(b[:], false)]), "goroutine ")
	id, _ := strconv.ParseInt(s[:strings.IndexByte(s, ' ')], 10, 64)
	return id
}

// here: the function, file and line of its caller's call site.
func here() (string, string, int) {
	pc, file, line, _ := runtime.Caller(1)
	return runtime.FuncForPC(pc).Name(), file, line
}

//go:noinline
func writeA(start <-chan struct{}, me chan<- writer) {
	runtime.LockOSThread()
	f, file, line := here()
	me <- writer{goid(), syscall.Gettid(), f, file, line + 4} // the map access
	<-start
	for i := 0; ; i++ {
		shared[i&1023] = i
	}
}

//go:noinline
func writeB(start <-chan struct{}, me chan<- writer) {
	runtime.LockOSThread()
	f, file, line := here()
	me <- writer{goid(), syscall.Gettid(), f, file, line + 4} // the map access
	<-start
	for i := 0; ; i++ {
		shared[(i*7)&1023] = -i
	}
}

// spin runs on its own thread until the process dies: at the crash the
// runtime interrupts it with a signal, so its core shows it inside Go's
// signal handler, its own frames only in the signal's saved context.
//
//go:noinline
func spin(me chan<- writer) {
	runtime.LockOSThread()
	f, file, line := here()
	me <- writer{goid(), syscall.Gettid(), f, file, line + 3} // the loop's body
	for i := 0; ; i++ {
		sink += i
	}
}

//go:noinline
func readB(start <-chan struct{}, me chan<- writer) {
	runtime.LockOSThread()
	f, file, line := here()
	me <- writer{goid(), syscall.Gettid(), f, file, line + 4} // the map access
	<-start
	for i := 0; ; i++ {
		sink += shared[(i*7)&1023]
	}
}

func main() {
	mode := flag.String("mode", "writes", "writes or readwrite")
	flag.Parse()
	runtime.GOMAXPROCS(4)
	shared = make(map[int]int, 1024)
	for i := 0; i < 1024; i++ {
		shared[i] = i
	}
	owner = &holder{shared}
	start := make(chan struct{})
	me := make(chan writer, 2)
	var once sync.Once
	go writeA(start, me)
	if *mode == "readwrite" {
		go readB(start, me)
	} else {
		go writeB(start, me)
	}
	ws := []writer{<-me, <-me}
	sp := make(chan writer, 1)
	go spin(sp)
	spinner := <-sp
	out, _ := json.Marshal(map[string]any{
		"pid": os.Getpid(), "go_version": runtime.Version(), "mode": *mode,
		"map": fmt.Sprintf("%#x", *(*uintptr)(unsafe.Pointer(&shared))), "writers": ws,
		"spinner": spinner,
	})
	fmt.Printf("READY %s\n", out)
	bufio.NewReader(os.Stdin).ReadString('\n')
	once.Do(func() { close(start) })
	select {}
}
