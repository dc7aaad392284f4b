// Command cgotarget is mapdiag's test target for threads in C code (issue
// 17): a goroutine calls C, and the C code blocks two calls deep,
//
//	main.blockInC -> cblock.F1 -> C.cg_f1 -> cg_f2 -> read(2) on a pipe nobody writes
//
// so that its thread's stack is C frames (read in libc, cg_f2, cg_f1, the
// cgo wrapper) on the system stack, then runtime.asmcgocall, then the
// goroutine's own Go frames.  cg_f2 zeroes R14 before it blocks, so that a
// tool that takes R14 for g while the thread is in C finds nothing, and the
// C code has thread-local variables on both sides of the Go runtime's g
// slot (runtime.tlsg), so that the slot is not at fs_base-8 and only the
// PT_TLS layout finds it.  A thread that C created (pthread_create, no g)
// blocks likewise: cg_fthread -> cg_fg -> read(2).  It prints one line on
// stdout,
//
//	READY {"pid":...,"go_version":...,"tid":T,"goid":G,"go_frames":[...],
//	       "foreign_tid":F,
//	       "tls":{"tdata":N,"tbss":N},"maps":{"main.cgoMap":{"len":N}}}
//
// (tid: the thread blocked in C, as gettid(2) said inside cg_f2; goid: the
// goroutine that called C, from its own runtime.Stack; go_frames: that
// goroutine's functions as the runtime's own traceback of every goroutine
// names them, innermost first; foreign_tid: the thread C created), then
// runs until killed.  Standard library and the cgo preamble only (in
// package cblock).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"example.com/cgotarget/cblock"
)

// The map mapdiag attaches to.
var cgoMap map[string]int

var goidc = make(chan int64, 1)

// goid of the calling goroutine, from the first line of its own trace
// ("goroutine 18 [running]:").
func goid() int64 {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	if i := strings.IndexByte(s, ' '); i > 0 {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic("goid: " + err.Error())
	}
	return n
}

// goFrames: the functions of goroutine g in the traceback of all
// goroutines ("goroutine 19 [syscall]:", then a "pkg.func(args)" line and
// a "\tfile:line" line per frame, then "created by ...").
func goFrames(g int64) []string {
	buf := make([]byte, 1<<20)
	all := string(buf[:runtime.Stack(buf, true)])
	var out []string
	for _, block := range strings.Split(all, "\n\n") {
		if !strings.HasPrefix(block, "goroutine "+strconv.FormatInt(g, 10)+" [") {
			continue
		}
		for _, line := range strings.Split(block, "\n")[1:] {
			if line == "" || line[0] == '\t' || strings.HasPrefix(line, "created by ") {
				continue
			}
			if i := strings.LastIndexByte(line, '('); i > 0 {
				line = line[:i]
			}
			out = append(out, line)
		}
	}
	return out
}

//go:noinline
func blockInC() {
	goidc <- goid()
	cblock.F1()
}

func main() {
	if !cblock.Setup() {
		fmt.Fprintln(os.Stderr, "cgotarget: pipe failed")
		os.Exit(2)
	}
	cgoMap = make(map[string]int)
	for i := 0; i < 100; i++ {
		cgoMap["k"+strconv.Itoa(i)] = i
	}
	if !cblock.StartForeign() {
		fmt.Fprintln(os.Stderr, "cgotarget: pthread_create failed")
		os.Exit(2)
	}
	go blockInC()
	g := <-goidc
	var tid int64
	for deadline := time.Now().Add(10 * time.Second); tid == 0 || cblock.ForeignTid() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "cgotarget: the C call did not start")
			os.Exit(2)
		}
		tid = cblock.BlockedTid()
	}
	// cg_tid is stored just before read(2); give the thread time to enter it
	time.Sleep(50 * time.Millisecond)
	frames := goFrames(g)
	tdata, tbss := cblock.TLSSizes()
	b, _ := json.Marshal(map[string]any{
		"pid":         os.Getpid(),
		"go_version":  runtime.Version(),
		"tid":         tid,
		"goid":        g,
		"go_frames":   frames,
		"foreign_tid": cblock.ForeignTid(),
		"tls":         map[string]int{"tdata": tdata, "tbss": tbss},
		"maps":        map[string]any{"main.cgoMap": map[string]int{"len": len(cgoMap)}},
	})
	os.Stdout.Write(append(append([]byte("READY "), b...), '\n'))
	for {
		time.Sleep(time.Hour)
	}
}
