// Command demo is a small "session cache service" for mapdiag demos: a few
// maps set up once at start (no writes afterwards, so their state is
// deterministic), a couple of goroutines doing periodic reads, and
// "READY <pid>" on stdout when set up. It runs until killed.
//
// Maps (expressions for mapdiag):
//
//	main.sessions        map[string]*Session  ~50k entries
//	main.routes          map[string]int       a handful of entries
//	main.stale           map[int64][]byte     filled with 300k, deleted down to 2k:
//	                                         oversized, its memory never returned
//	main.stats.counters  map[string]uint64    a map in a struct field
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type Session struct {
	ID      string
	User    string
	Created time.Time
	Hits    int64
	Roles   []string
}

type Stats struct {
	mu       sync.Mutex
	started  time.Time
	counters map[string]uint64
}

const (
	nSessions = 50000
	nStaleMax = 300000
	nStale    = 2000
)

var (
	sessions map[string]*Session
	routes   map[string]int
	stale    map[int64][]byte
	stats    Stats

	lookups atomic.Uint64 // read by nobody; keeps the readers' work alive
)

func setup() {
	now := time.Unix(1700000000, 0)
	sessions = make(map[string]*Session)
	for i := 0; i < nSessions; i++ {
		id := fmt.Sprintf("sess-%08x", i*2654435761%(1<<32))
		sessions[id] = &Session{
			ID:      id,
			User:    "user" + strconv.Itoa(i%977),
			Created: now.Add(time.Duration(i) * time.Second),
			Roles:   []string{"reader"},
		}
	}

	routes = map[string]int{
		"/login":   1,
		"/logout":  2,
		"/session": 3,
		"/healthz": 4,
		"/metrics": 5,
	}

	// A cache that once held 300k entries and was trimmed to 2k: Go maps
	// never shrink, so its tables (or buckets) stay sized for 300k.
	stale = make(map[int64][]byte)
	for i := int64(0); i < nStaleMax; i++ {
		stale[i] = make([]byte, 32)
	}
	for i := int64(nStale); i < nStaleMax; i++ {
		delete(stale, i)
	}

	stats = Stats{started: now, counters: map[string]uint64{}}
	for i, r := range []string{"requests", "hits", "misses", "evictions", "errors", "logins", "logouts", "timeouts"} {
		stats.counters[r] = uint64(1000 * (i + 1))
	}
}

// reader periodically looks keys up; maps are never written after setup.
func reader(id int, every time.Duration) {
	keys := make([]string, 0, 64)
	for k := range sessions {
		keys = append(keys, k)
		if len(keys) == cap(keys) {
			break
		}
	}
	var n uint64
	for i := 0; ; i++ {
		time.Sleep(every)
		if s, ok := sessions[keys[i%len(keys)]]; ok && s != nil {
			n++
		}
		if _, ok := routes["/session"]; ok {
			n++
		}
		if _, ok := stale[int64(i%nStale)]; ok {
			n++
		}
		n += stats.counters["hits"] & 1
		lookups.Add(n)
		_ = id
	}
}

func main() {
	setup()
	go reader(1, 5*time.Millisecond)
	go reader(2, 20*time.Millisecond)
	fmt.Printf("READY %d\n", os.Getpid())
	for {
		time.Sleep(time.Hour)
	}
}
