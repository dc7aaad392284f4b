/* alloc.c - the growable-array rule (see alloc.h). */
#include <stdint.h>
#include "alloc.h"

int md_grow(void **p, size_t *cap, size_t want, size_t sz, size_t first)
{
	if (want <= *cap)
		return 1;
	size_t nc = *cap ? *cap : (first ? first : 1);
	while (nc < want) {
		if (nc > SIZE_MAX / 2)
			return 0;
		nc *= 2;
	}
	if (sz && nc > SIZE_MAX / sz)
		return 0;
	void *q = realloc(*p, nc * sz);
	if (!q)
		return 0;
	*p = q;
	*cap = nc;
	return 1;
}
