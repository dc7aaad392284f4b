//go:build !go1.21

package main

// cloneLen: Go 1.19 has neither package maps nor runtime.mapclone2, so there
// is no clone write path to exercise.
func cloneLen[M ~map[K]V, K comparable, V any](m M) int { return len(m) }
