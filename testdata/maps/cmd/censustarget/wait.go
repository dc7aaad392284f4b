//go:build go1.20

package main

// mutexWait is how a traceback shows a goroutine blocked in sync.Mutex.Lock:
// Go 1.20 on, waitReasonSyncMutexLock (runtime/runtime2.go).
const mutexWait = "sync.Mutex.Lock"
