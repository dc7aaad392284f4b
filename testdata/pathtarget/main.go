// Command pathtarget is the test target of mapdiag's paths (README.md,
// "Paths"): maps reached through map keys of every kind scan writes
// (strings with escapes, integers of every width, booleans, pointers, and
// by position), through a map entry's key, through interfaces (empty and
// not, dynamic types stored in the data word and pointed to by it), and
// from goroutine stacks (locals of parked goroutines, one function three
// times deep). Every map it lists has a length of its own, so a report
// that gives only a map's count (watch) still says which map it read.
//
// It prints one line
//
//	READY {"pid": N, "go_version": "go1.26.0",
//	       "maps": {path: {"addr", "len", "type"}},
//	       "stack": {path: {"addr", "len", "type"}},
//	       "errors": {path: substring of the error},
//	       "churn": {"key": path, "key_ok": addr, "key_wrong": addr,
//	                 "iface": path, "iface_ok": addr}}
//
// on stdout and runs until killed, never touching a map again. "maps" are
// paths from package variables, "stack" from goroutine frames (g<goid>/...),
// "addr" the header each must reach as the process reads it through unsafe.
// "errors" are paths that must fail, with what the one-line error says.
//
// -churn keeps two things changing until killed, for the guards that make
// a path that moved between its resolution and the stop an error instead
// of a wrong answer: main.churn's key "k" is deleted and "j" inserted (into
// the slot "k" left, in a map this small), then "j" deleted and "k"
// inserted again, each state held for a while; main.swap holds a
// map[string]int and a *main.holder by turns.
// main.churn["k"] must then read key_ok's map (or fail), never key_wrong's;
// main.swap.(map[string]int) iface_ok's (or fail).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

type holder struct {
	name string
	m    map[int]int
}

// big is pointed to by an interface's data word; one and arr1 are stored in
// it (pointer-shaped: one field or element that is a map).
type big struct {
	a, b int64
	m    map[int]int
}

type one struct{ m map[int]int }

type store interface{ Len() int }

type storeImpl struct {
	m map[int]int
	n int
}

func (s *storeImpl) Len() int { return len(s.m) }

type key struct {
	a int32
	b string
}

type registry map[string]map[int]int

var (
	byStr    map[string]map[int]int
	byI8     map[int8]map[int]int
	byI16    map[int16]map[int]int
	byI32    map[int32]map[int]int
	byI64    map[int64]map[int]int
	byInt    map[int]*holder
	byU8     map[uint8]map[int]int
	byU16    map[uint16]map[int]int
	byU64    map[uint64]map[int]int
	byUptr   map[uintptr]map[int]int
	byBool   map[bool]map[int]int
	byPtr    map[*holder]map[int]int
	byStruct map[key]map[int]int
	byFloat  map[float64]map[int]int
	byIface  map[any]int
	deep     map[string]map[string]map[int]int
	named    registry
	arrMaps  [2]map[string]map[int]int
	ptrMap   *map[string]map[int]int
	sliceMap []map[uint16]map[int]int
	anyInMap map[string]any

	anyMap   any
	anyPtr   any
	anyBig   any
	anyOne   any
	anyArr   any
	anyStr   any
	anyNil   any
	reg      struct{ s store }
	nilMapOf map[string]map[int]int

	churn map[string]map[int]int
	swap  any
)

type entry struct {
	Addr string `json:"addr"`
	Len  int    `json:"len"`
	Type string `json:"type"`
}

type oracle struct {
	Pid       int               `json:"pid"`
	GoVersion string            `json:"go_version"`
	Maps      map[string]entry  `json:"maps"`
	Stack     map[string]entry  `json:"stack"`
	Errors    map[string]string `json:"errors"`
	Churn     map[string]string `json:"churn"`
}

var (
	o      = oracle{Maps: map[string]entry{}, Stack: map[string]entry{}, Errors: map[string]string{},
		Churn: map[string]string{}}
	length = 3
	lens   = map[int]bool{}
)

// mk makes a map[int]int of a length no other map here has.
func mk() map[int]int {
	m := make(map[int]int)
	for i := 0; i < length; i++ {
		m[i] = i
	}
	lens[length] = true
	length++
	return m
}

func hdr(m any) uintptr {
	v := reflect.ValueOf(m)
	if v.Kind() != reflect.Map {
		panic("not a map")
	}
	return v.Pointer()
}

func hex(p uintptr) string { return fmt.Sprintf("%#x", p) }

func put(where map[string]entry, path string, m any) {
	if _, dup := where[path]; dup {
		panic("path twice: " + path)
	}
	where[path] = entry{hex(hdr(m)), reflect.ValueOf(m).Len(), reflect.TypeOf(m).String()}
}

func globals() {
	// strings: what scan writes as it is, with escapes, by position (longer
	// than 64 bytes)
	byStr = map[string]map[int]int{}
	for _, k := range []string{"plain", "with \"quote\"", `back\slash`, "nul\x00byte", "tab\tx",
		"caf\u00e9", "sp ] . / # (", "", strings.Repeat("L", 70)} {
		byStr[k] = mk()
		if len(k) <= 64 {
			put(o.Maps, "main.byStr["+quote(k)+"]", byStr[k])
		}
	}
	byI8 = map[int8]map[int]int{math.MinInt8: mk(), 0: mk(), math.MaxInt8: mk()}
	for k, m := range byI8 {
		put(o.Maps, fmt.Sprintf("main.byI8[%d]", k), m)
	}
	byI16 = map[int16]map[int]int{-300: mk()}
	put(o.Maps, "main.byI16[-300]", byI16[-300])
	byI32 = map[int32]map[int]int{-70000: mk(), 70000: mk()}
	put(o.Maps, "main.byI32[-70000]", byI32[-70000])
	put(o.Maps, "main.byI32[70000]", byI32[70000])
	byI64 = map[int64]map[int]int{math.MinInt64: mk(), math.MaxInt64: mk()}
	put(o.Maps, "main.byI64[-9223372036854775808]", byI64[math.MinInt64])
	put(o.Maps, "main.byI64[9223372036854775807]", byI64[math.MaxInt64])
	byInt = map[int]*holder{7: {"seven", mk()}}
	put(o.Maps, "main.byInt[7].m", byInt[7].m)
	byU8 = map[uint8]map[int]int{255: mk()}
	put(o.Maps, "main.byU8[255]", byU8[255])
	byU16 = map[uint16]map[int]int{65535: mk()}
	put(o.Maps, "main.byU16[65535]", byU16[65535])
	byU64 = map[uint64]map[int]int{math.MaxUint64: mk()}
	put(o.Maps, "main.byU64[18446744073709551615]", byU64[math.MaxUint64])
	byUptr = map[uintptr]map[int]int{0xdeadbeef: mk()}
	put(o.Maps, "main.byUptr[3735928559]", byUptr[0xdeadbeef])
	byBool = map[bool]map[int]int{true: mk(), false: mk()}
	put(o.Maps, "main.byBool[true]", byBool[true])
	put(o.Maps, "main.byBool[false]", byBool[false])
	h1, h2 := &holder{"h1", mk()}, &holder{"h2", mk()}
	byPtr = map[*holder]map[int]int{h1: mk(), h2: mk()}
	for h, m := range byPtr {
		p := hex(uintptr(unsafe.Pointer(h)))
		put(o.Maps, "main.byPtr["+p+"]", m)
		put(o.Maps, "main.byPtr#key["+p+"].m", h.m)
	}
	byStruct = map[key]map[int]int{{1, "a"}: mk(), {2, "b"}: mk()}
	byFloat = map[float64]map[int]int{1.5: mk(), -2: mk()}
	byIface = map[any]int{&holder{"iface key", mk()}: 1, 5: 2}
	deep = map[string]map[string]map[int]int{"a": {"b": mk(), "c": mk()}}
	put(o.Maps, `main.deep["a"]["b"]`, deep["a"]["b"])
	put(o.Maps, `main.deep["a"]["c"]`, deep["a"]["c"])
	named = registry{"x": mk()}
	put(o.Maps, `main.named["x"]`, named["x"])
	arrMaps[1] = map[string]map[int]int{"k": mk()}
	put(o.Maps, `main.arrMaps[1]["k"]`, arrMaps[1]["k"])
	pm := map[string]map[int]int{"k": mk()}
	ptrMap = &pm
	put(o.Maps, `main.ptrMap["k"]`, pm["k"])
	sliceMap = []map[uint16]map[int]int{{9: mk()}}
	put(o.Maps, "main.sliceMap[0][9]", sliceMap[0][9])
	anyInMap = map[string]any{"x": mk(), "y": &holder{"y", mk()}}
	put(o.Maps, `main.anyInMap["x"].(map[int]int)`, anyInMap["x"])
	put(o.Maps, `main.anyInMap["y"].(*main.holder).m`, anyInMap["y"].(*holder).m)
}

func interfaces() {
	anyMap = map[string]int{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9,
		"j": 10, "k": 11, "l": 12, "m": 13, "n": 14, "o": 15, "p": 16, "q": 17, "r": 18, "s": 19,
		"t": 20, "u": 21, "v": 22, "w": 23, "x": 24, "y": 25, "z": 26, "A": 27, "B": 28, "C": 29,
		"D": 30, "E": 31, "F": 32, "G": 33, "H": 34, "I": 35, "J": 36, "K": 37, "L": 38, "M": 39,
		"N": 40, "O": 41, "P": 42, "Q": 43, "R": 44, "S": 45, "T": 46, "U": 47, "V": 48, "W": 49,
		"X": 50, "Y": 51, "Z": 52, "0": 53, "1": 54, "2": 55, "3": 56, "4": 57, "5": 58, "6": 59,
		"7": 60, "8": 61, "9": 62, "-": 63, "+": 64, "*": 65, "/": 66, "=": 67, "!": 68, "?": 69,
		"@": 70, "$": 71, "%": 72, "^": 73, "&": 74, "~": 75, "|": 76, ":": 77, ";": 78, ",": 79,
		"<": 80, ">": 81, "'": 82, "`": 83, "_": 84, ".": 85, "#": 86, "(": 87, ")": 88, "[": 89}
	put(o.Maps, "main.anyMap.(map[string]int)", anyMap)
	hp := &holder{"ptr", mk()}
	anyPtr = hp
	put(o.Maps, "main.anyPtr.(*main.holder).m", hp.m)
	bg := big{1, 2, mk()}
	anyBig = bg
	put(o.Maps, "main.anyBig.(main.big).m", bg.m)
	on := one{mk()}
	anyOne = on
	put(o.Maps, "main.anyOne.(main.one).m", on.m)
	ar := [1]map[int]int{mk()}
	anyArr = ar
	put(o.Maps, "main.anyArr.([1]map[int]int)[0]", ar[0])
	anyStr = "no map here"
	// kept nil, referenced so that the linker keeps them
	if anyNil != nil || nilMapOf != nil {
		panic("not nil")
	}
	si := &storeImpl{mk(), 1}
	reg.s = si
	put(o.Maps, "main.reg.s.(*main.storeImpl).m", si.m)

	o.Errors["main.anyMap.(map[string]string)"] = "main.anyMap holds a map[string]int, not a map[string]string"
	o.Errors["main.anyPtr.(*main.storeImpl).m"] = "main.anyPtr holds a *main.holder, not a *main.storeImpl"
	o.Errors["main.anyNil.(map[string]int)"] = "main.anyNil is a nil interface"
	o.Errors["main.reg.s.(*main.holder).m"] = "main.reg.s holds a *main.storeImpl, not a *main.holder"
	o.Errors["main.byStr.(map[int]int)"] = "not an interface"
	o.Errors[`main.byStr["absent"]`] = "no such key"
	o.Errors["main.byStr[1]"] = "its keys are strings"
	o.Errors["main.byI8[-129]"] = "no such key"
	o.Errors["main.byU8[-1]"] = "its keys are unsigned integers"
	o.Errors["main.byStruct[1]"] = "name an entry by position"
	o.Errors["main.byStruct[#2]"] = "the map has 2 entries"
	o.Errors[`main.nilMapOf["k"]`] = "main.nilMapOf is a nil map"
	o.Errors[`main.byStr["x"`] = "missing ']'"
	o.Errors[`main.byStr["\q"]`] = "bad escape"
	o.Errors["main.byStr.x"] = "not a struct"
	o.Errors["main.byBool#key[true]"] = "is bool"
}

// quote writes a key the way mapdiag's paths do: Go's quoting for
// printable ASCII, \xNN for every other byte.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func goid() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	f := strings.Fields(string(buf))
	id, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		panic(err)
	}
	return id
}

type found struct {
	path string
	m    any
}

//go:noinline
func parkedLocal(out chan<- []found, block <-chan struct{}, h *holder) {
	local := mk()
	g := goid()
	out <- []found{{fmt.Sprintf("g%d/main.parkedLocal/local", g), local},
		{fmt.Sprintf("g%d/main.parkedLocal/h.m", g), h.m}}
	<-block
	runtime.KeepAlive(local)
	runtime.KeepAlive(h)
}

//go:noinline
func recurse(n int, out chan<- []found, block <-chan struct{}, acc []found) {
	m := mk()
	g := goid()
	path := fmt.Sprintf("g%d/main.recurse", g)
	// the innermost frame (n == 0) is written without #
	acc = append(acc, found{path, m})
	if n > 0 {
		recurse(n-1, out, block, acc)
	} else {
		for i := range acc {
			k := len(acc) - 1 - i
			if k == 0 {
				acc[i].path += "/m"
			} else {
				acc[i].path += fmt.Sprintf("#%d/m", k)
			}
		}
		out <- acc
		<-block
	}
	runtime.KeepAlive(m)
}

func stacks() {
	out := make(chan []found)
	block := make(chan struct{})
	go parkedLocal(out, block, &holder{"argument", mk()})
	go recurse(2, out, block, nil)
	for i := 0; i < 2; i++ {
		for _, f := range <-out {
			put(o.Stack, f.path, f.m)
		}
	}
}

var spins uint64

//go:noinline
func busy() {
	for i := 0; i < 20000; i++ {
		spins += uint64(i)
	}
}

func churning() {
	kOK, kWrong := mk(), mk()
	churn = map[string]map[int]int{"k": kOK}
	iOK := map[string]int{"only": 1}
	hw := &holder{"swap", mk()}
	swap = iOK
	o.Churn["key"] = `main.churn["k"]`
	o.Churn["key_ok"] = hex(hdr(kOK))
	o.Churn["key_wrong"] = hex(hdr(kWrong))
	o.Churn["iface"] = "main.swap.(map[string]int)"
	o.Churn["iface_ok"] = hex(hdr(iOK))
	// each state holds for a while (a few tens of microseconds), so that
	// a resolution finds "k" and an interface holding a map about half of
	// the time, and a stop finds them changed about half of the time
	go func() {
		for {
			delete(churn, "k")
			churn["j"] = kWrong
			swap = hw
			busy()
			delete(churn, "j")
			churn["k"] = kOK
			swap = iOK
			busy()
		}
	}()
}

func main() {
	churnMode := flag.Bool("churn", false, "keep main.churn and main.swap changing")
	flag.Parse()
	globals()
	interfaces()
	stacks()
	if *churnMode {
		churning()
	}
	o.Pid = os.Getpid()
	o.GoVersion = runtime.Version()
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	fmt.Printf("READY %s\n", b)
	// a sleeping goroutine is not a deadlock: the parked ones stay parked
	for {
		time.Sleep(time.Hour)
	}
}
