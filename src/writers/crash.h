/* crash.h - a core of "fatal error: concurrent map writes", explained.
 *
 * The runtime's check is best effort: a map operation that finds the
 * map's writing flag set (hashWriting, Swiss Map.writing) calls
 * runtime.fatal with "concurrent map writes", "concurrent map read and
 * map write" or "concurrent map iteration and map write" and, under
 * GOTRACEBACK=crash, the process dies of SIGABRT with a core.  The message
 * names one side only (golang/go#26703, #46995).  In the core the catching
 * goroutine is the thread in runtime.fatal (or runtime.throw) with the map
 * operation below it; the other side is whoever else is inside a write of
 * the same map: a thread (the threads' analysis) or a goroutine on no
 * thread, preempted or parked mid-write (parked.h).  When nobody is, the
 * other writer had already left its write when the runtime looked.
 */
#ifndef MD_CRASH_H
#define MD_CRASH_H

#include "report.h"

/* Fill r->crash from r->analysis (threads and parked goroutines) and
 * r->maps (the name of the map): found = 0 when no thread is in a
 * concurrent-map fatal error.  Pure: reads the report, writes r->crash. */
void md_crash_find(md_report *r);

#endif
