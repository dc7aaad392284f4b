/* hash.h - the one integer mix of the open-addressing tables (pages of a
 * batched read, shape memo, the scan walk's sets): Fibonacci hashing, whose
 * high bits are the well-mixed ones. */
#ifndef MD_HASH_H
#define MD_HASH_H

#include <stdint.h>

#define MD_HASH_GOLDEN 0x9e3779b97f4a7c15ull

/* A 64-bit mix of x: take the high bits for a table of 2^k entries
 * (md_hash_slot), or fold with the low ones. */
static inline uint64_t md_hash64(uint64_t x)
{
	uint64_t h = x * MD_HASH_GOLDEN;
	return h ^ (h >> 31);
}

#endif
