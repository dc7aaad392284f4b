/* derive.h - what follows from a decoded map header: entries against
 * capacity, load, growth progress, and the bytes the map's structure holds
 * now and would hold if rebuilt.  Pure; the header must have passed
 * validate.h (derive saturates rather than trusting, all the same).
 */
#ifndef MD_DERIVE_H
#define MD_DERIVE_H

#include <stdint.h>
#include <stddef.h>
#include "md_dwarf.h"
#include "decode.h"
#include "gofacts.h"

/* Values derived from the header (and Swiss tables).  Byte counts are the
 * runtime's own allocations for the map structure (buckets, groups,
 * directory, tables); they exclude what keys and values point to. */
typedef struct md_derived {
	uint64_t entries;        /* count / used */
	uint64_t slots;          /* capacity in slots */
	double load;             /* entries / slots: THE load, the one number
	                            every output shows under that name */
	double max_load;         /* the load at which an insert grows the map:
	                            6.5/8 classic (6/8 in Go 1.21), 8/8 for a
	                            one-bucket classic map (it grows past 8
	                            entries only), 7/8 Swiss tables, 8/8 a small
	                            Swiss map */
	uint64_t bytes_held;
	uint64_t bytes_if_rebuilt; /* a fresh map of `entries` entries */
	/* classic */
	uint64_t nbuckets;       /* 2^B */
	double load_factor;      /* count / 2^B ... (the runtime's own terms,
	                            for the verbose view) */
	double max_load_factor;  /* ... against 6.5 (6 in Go 1.21) */
	int growing;             /* oldbuckets != nil */
	int same_size_grow;
	uint64_t noldbuckets;    /* 0 when not growing */
	double evacuation;       /* nevacuate / noldbuckets, -1 if not growing */
	uint64_t overflow_threshold;
	uint64_t bytes_buckets, bytes_oldbuckets, bytes_overflow;
	/* Swiss */
	int small;               /* dirLen == 0: one group, no tables */
	uint64_t ntables;        /* distinct tables */
	uint64_t growth_left;    /* inserts before some table must grow */
	uint64_t bytes_groups, bytes_tables, bytes_directory;
} md_derived;

/* Load as a share of max_load (0 with no slots): what the thresholds of
 * classify.h are shares of. */
double md_derived_fill(const md_derived *d);

void md_hmap_derive(const md_map_layout *l, const md_gofacts *gf,
                    const md_hmap_hdr *h, md_derived *d);
void md_swiss_derive(const md_map_layout *l, const md_swiss_hdr *h,
                     const md_swiss_table *t, size_t nt, md_derived *d);

#endif
