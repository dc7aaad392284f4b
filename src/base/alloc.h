/* alloc.h - allocation helpers for our own memory.
 *
 * md_touch and md_calloc_touched are for buffers a stop of the target will
 * use: a page touched before the stop takes no fault during it.  md_grow is
 * the one growable-array rule (double from a first size, never overflow).
 */
#ifndef MD_ALLOC_H
#define MD_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

/* Write one byte of every page of [p, p+n) so that a later use takes no
 * page fault: memset(0) after calloc may be optimised away, this may not.
 * The write is an atomic or of 0 (contents kept): a plain read first
 * would fault the zero page in, and the write then fault again to copy
 * it, twice the faults on every fresh page. */
static inline void md_touch(void *p, size_t n)
{
	unsigned char *b = p;
	for (size_t i = 0; i < n; i += 4096)
		__atomic_fetch_or(b + i, 0, __ATOMIC_RELAXED);
	if (n)
		__atomic_fetch_or(b + n - 1, 0, __ATOMIC_RELAXED);
}

/* calloc(n, size), every page touched (md_touch). */
static inline void *md_calloc_touched(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p)
		md_touch(p, n * size);
	return p;
}

/* Make *p, an array of elements of size sz with room for *cap of them,
 * hold at least want: the room doubles, starting from first.  Returns 1,
 * or 0 when out of memory or the size would overflow (*p and *cap are
 * then unchanged). */
int md_grow(void **p, size_t *cap, size_t want, size_t sz, size_t first);

#endif
