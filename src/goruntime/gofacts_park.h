/* gofacts_park.h - which parked goroutines may be inside a map write.
 *
 * A goroutine on no thread is inside a map write only if it stopped in
 * the middle of one: preempted (status runnable or preempted), or parked
 * by something a write can reach.  Map writes park in two ways only: the
 * GC assist of the allocation they make (mallocgc -> gcAssistAlloc ->
 * gcParkAssist, waitReasonGCAssistWait) and the semaphores of a GC start
 * that allocation can trigger (mallocgc -> gcStart -> semacquire,
 * waitReasonSemacquire).  A goroutine waiting for anything else (a
 * channel, a select, a sleep, a mutex, I/O) is not inside a write.  The
 * values of g.waitreason are an iota list that changes between releases
 * (runtime/runtime2.go, "type waitReason uint8"): cited per release in
 * gofacts_park.c.
 */
#ifndef MD_GOFACTS_PARK_H
#define MD_GOFACTS_PARK_H

#include <stdint.h>

/* 1 if a goroutine waiting with g.waitreason `reason` may be inside a map
 * write on release 1.<minor>; 1 for a release whose values are not known
 * (no claim is better than a wrong one). */
int md_wait_may_write(int minor, uint8_t reason);

#endif
