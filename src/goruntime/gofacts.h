/* gofacts.h - the facts about Go's runtime that DWARF cannot tell.
 *
 * Everything structural (offsets, sizes, which members exist) comes from the
 * target's DWARF.  What remains are constants compiled into the runtime's
 * code, not its types.  Each is quoted with where it lives, per release, in
 * gofacts.c, and tests/unit/test_gofacts.c reads every cited line in the
 * installed toolchains' sources, so that a release that changes one is
 * caught by reading one file.
 *
 * Releases (md_gofacts_for):
 *   tested       go1.19, go1.21 .. go1.27: facts read from the release's own
 *                runtime source, and the test bed runs processes built by
 *                it (tests/build-targets.sh VARIANTS);
 *   unread       go1.17, go1.18, go1.20: no toolchain here and no copy of
 *                their runtime source to read the facts from, so they are
 *                refused (MD_E_RELEASE) rather than guessed; so is every
 *                release older than go1.19, whose facts were never read
 *                either (and before go1.17 g is not in R14);
 *   unknown      newer than go1.27, or a development build: the newest
 *                release's facts are used, and said to be borrowed
 *                (known = 0; the reports print one warning line).
 */
#ifndef MD_GOFACTS_H
#define MD_GOFACTS_H

#include <stddef.h>
#include <stdint.h>
#include "md_dwarf.h"
#include "md_status.h"

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

/* The releases whose facts were read, oldest and newest (go1.20 between
 * them was not: md_gofacts_release_read). */
#define MD_GOFACTS_OLDEST 19
#define MD_GOFACTS_NEWEST 27

/* Facts that differ between releases. */
typedef struct md_gofacts {
	int minor;              /* the release these facts are from: 21 for
	                           go1.21.13; a known one always */
	int release;            /* the binary's own go1.N: N; 0 when its
	                           version is not go1.N (a devel build) */
	int known;              /* release == minor: the binary's release has
	                           facts of its own; 0: borrowed (newer than
	                           MD_GOFACTS_NEWEST, or devel) */
	int tested;             /* the facts were checked against processes
	                           built by that release (all known ones are,
	                           today) */
	unsigned hmap_load_num; /* loadFactorNum: 13 (6.5) in 1.19; 12 in 1.21,
	                           where it is (bucketCnt*13/16)*loadFactorDen
	                           and integer division makes the load factor
	                           6, not 6.5; 13 again from 1.22 on */
} md_gofacts;

/* Facts for a version string from build info ("go1.21.13"); a release
 * newer than MD_GOFACTS_NEWEST or a development version gets the newest
 * release's facts (known = 0), one older than MD_GOFACTS_OLDEST the
 * oldest's (md_gofacts_check refuses those). */
void md_gofacts_for(const char *go_version, md_gofacts *out);

/* 1 if the facts of go1.minor were read from its runtime source (19, 21 ..
 * 27), else 0. */
int md_gofacts_release_read(int minor);

/* MD_OK when mapdiag may read a binary of this version: a release whose
 * facts were read, a newer one or a devel build (with borrowed facts).
 * MD_E_RELEASE for go1.20 and releases older than go1.19, whose facts were
 * never read: guessed facts would give wrong load factors and writers. */
md_status md_gofacts_check(const char *go_version, md_err *err);

/* The warning a report prints for borrowed facts, one line without
 * "mapdiag: " and newline, e.g. "go1.29.4 is newer than the releases
 * mapdiag knows (go1.19 .. go1.27): read with go1.27's runtime facts";
 * 0 and buf untouched when the facts are the binary's own. */
int md_gofacts_warning(const char *go_version, char *buf, size_t n);

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
