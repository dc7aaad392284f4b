// Package store holds a map in a package whose import path has dots and
// slashes (example.com/acme/store), so that its DWARF name is
// "example.com/acme/store.Sessions".
package store

import "strconv"

// NSessions is the number of entries in Sessions.
const NSessions = 37

// Sessions is filled once at init and never written again.
var Sessions map[string]int

func init() {
	Sessions = make(map[string]int)
	for i := 0; i < NSessions; i++ {
		Sessions["session-"+strconv.Itoa(i)] = i
	}
}
