/* clock.h - the clocks mapdiag reads: monotonic nanoseconds for every
 * duration, wall-clock seconds only for timestamps shown to people. */
#ifndef MD_CLOCK_H
#define MD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t md_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline double md_unix_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#endif
