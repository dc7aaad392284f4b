/* gofacts.h - the facts about Go's maps that DWARF cannot tell.
 *
 * Everything structural (offsets, sizes, which members exist) comes from the
 * target's DWARF.  What remains are constants compiled into the runtime's
 * code, not its types.  They are the same in every release we support
 * (1.21 .. 1.27); each is quoted with where it lives so that a future release
 * that changes one is caught by reading one file.
 */
#ifndef MD_GOFACTS_H
#define MD_GOFACTS_H

#include <stdint.h>
#include "md_dwarf.h"

/* runtime/map.go (map_noswiss.go in 1.24/1.25) */
#define MD_HMAP_BUCKET_SLOTS   8   /* abi.OldMapBucketCount / bucketCnt */
#define MD_HMAP_LOAD_DEN       2   /* loadFactorDen; the numerator varies */
#define MD_HMAP_MAX_B          63  /* B is a shift count of a uintptr */
#define MD_HMAP_F_ITERATOR     1   /* there may be an iterator using buckets */
#define MD_HMAP_F_OLDITERATOR  2   /* ... using oldbuckets */
#define MD_HMAP_F_WRITING      4   /* hashWriting */
#define MD_HMAP_F_SAMESIZE     8   /* sameSizeGrow */

/* The largest shift (classic B, Swiss globalDepth) anything here computes
 * with: 2^62 buckets or tables are beyond any address space already, and
 * 1 << 62 still fits an int64.  A larger one is a corrupt header. */
#define MD_MAX_SHIFT           62

/* internal/runtime/maps/{group.go,table.go} */
#define MD_SWISS_GROUP_SLOTS        8    /* abi.SwissMapGroupSlots */
#define MD_SWISS_MAX_AVG_GROUP_LOAD 7    /* maxAvgGroupLoad: 7/8 full */
#define MD_SWISS_MAX_TABLE_CAPACITY 1024 /* maxTableCapacity */

/* Facts that differ between releases. */
typedef struct md_gofacts {
	int minor;              /* 21 for go1.21.13; 0 if unknown */
	unsigned hmap_load_num; /* loadFactorNum: 12 in 1.21, where it is
	                           (bucketCnt*13/16)*loadFactorDen and integer
	                           division makes the load factor 6, not 6.5;
	                           13 (6.5) from 1.22 on */
} md_gofacts;

/* Facts for a version string from build info ("go1.21.13"); an unknown or
 * development version gets the newest release's facts. */
void md_gofacts_for(const char *go_version, md_gofacts *out);

/* Name of one hmap flag bit (1, 2, 4, 8) as the runtime spells it:
 * "iterator", "oldIterator", "hashWriting", "sameSizeGrow"; else
 * "unknown". */
const char *md_hmap_flag_name(unsigned bit);

/* The hmap load factor limit, e.g. 6.5. */
double md_hmap_max_load_factor(const md_gofacts *gf);

/* Number of buckets in one bucket array of 2^B, including the overflow
 * buckets makeBucketArray preallocates for B >= 4 (2^(B-4) of them). */
uint64_t md_hmap_array_buckets(unsigned B);

/* The B a freshly built map of `count` entries gets (makemap's loop). */
unsigned md_hmap_fresh_B(const md_gofacts *gf, uint64_t count);

/* tooManyOverflowBuckets(noverflow, B): the threshold noverflow is held
 * against; reaching it makes the next insert start a same-size grow. */
uint64_t md_hmap_overflow_threshold(unsigned B);

/* Slots and tables a Swiss map built fresh with make(map, count) gets
 * (NewMap's sizing): *slots is the total capacity, *tables the directory
 * size (0 for a small map of <= 8 entries). */
void md_swiss_fresh(uint64_t count, uint64_t *slots, uint64_t *tables);

/* The map implementation a binary was built with, from its build info
 * (md_exe_info's go_version and go_experiment): go1.N with N <= 23 classic
 * (runtime/map.go; no swissmap experiment); 24 and 25 Swiss unless the
 * experiments turn swissmap off (GOEXPERIMENT, else the version's " X:"
 * list; the last of swissmap / noswissmap wins, as internal/buildcfg reads
 * them); 26 and later Swiss (map_noswiss.go and the experiment are gone).
 * 0 when the version is not go1.N (a devel build): ask DWARF.  The
 * decoders never use this: they tell the two apart by DWARF members. */
int md_gofacts_map_impl(const char *go_version, const char *go_experiment);

#endif
