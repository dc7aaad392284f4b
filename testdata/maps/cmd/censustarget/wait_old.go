//go:build !go1.20

package main

// mutexWait: Go 1.19 has no waitReasonSyncMutexLock; a goroutine blocked in
// sync.Mutex.Lock shows waitReasonSemacquire (runtime/runtime2.go:1087).
const mutexWait = "semacquire"
