//go:build go1.21

package main

import "maps"

// cloneLen clones m with maps.Clone (runtime.mapclone2, Go 1.21 on).
func cloneLen[M ~map[K]V, K comparable, V any](m M) int { return len(maps.Clone(m)) }
