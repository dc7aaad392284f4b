package main

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// site is where a writer writes its map, measured from inside the writer
// (see writers.go), and which goroutine and thread run it.
type site struct {
	Func string `json:"func"`           // e.g. "main.hotWriterInt"
	File string `json:"file"`           // absolute path of writers.go
	Line int    `json:"line"`           // line of the map write statement
	Goid int64  `json:"goid,omitempty"` // of the writer; not in a churner's sites
	Tid  int    `json:"tid,omitempty"`

	done  atomic.Bool
	ready *sync.WaitGroup // Done once the line is known
}

// at is called on the line of a map write, with the loop counter: it
// records the line on the first iteration and adds nothing to the value.
func (s *site) at(i int) int {
	if i == 0 {
		s.record()
	}
	return 0
}

// record stores the function and line of the first caller outside site.
//
//go:noinline
func (s *site) record() {
	if s.done.Load() {
		return
	}
	pcs := make([]uintptr, 16)
	n := runtime.Callers(1, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "main.(*site).") {
			s.Func, s.File, s.Line = f.Function, f.File, f.Line
			break
		}
		if !more {
			panic("site.record: no caller outside site")
		}
	}
	s.done.Store(true)
	if s.ready != nil {
		s.ready.Done()
	}
}

// pin locks the calling goroutine to its thread (so that the oracle's tid
// stays true) and records both ids in s.
func (s *site) pin() {
	runtime.LockOSThread()
	s.Goid = goid()
	s.Tid = syscall.Gettid()
}

// churner is a goroutine, locked to thread Tid, that runs the churn*
// functions in turn: one site for each.
type churner struct {
	Goid  int64   `json:"goid"`
	Tid   int     `json:"tid"`
	Sites []*site `json:"sites"`
}

func (c *churner) pin() {
	runtime.LockOSThread()
	c.Goid = goid()
	c.Tid = syscall.Gettid()
}

// goid is the current goroutine's id, from the header of its traceback:
// "goroutine 18 [running]:".
func goid() int64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	f := strings.Fields(string(b))
	if len(f) < 2 || f[0] != "goroutine" {
		panic("goid: unexpected traceback " + strconv.Quote(string(b)))
	}
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		panic("goid: " + err.Error())
	}
	return id
}
