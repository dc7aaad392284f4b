/* decode.h - map decoders: pure functions from raw bytes + DWARF layout to
 * header values and derived values.  No I/O and no printing, so unit tests
 * feed them made-up buffers.
 *
 * Every byte is treated as hostile: a field whose offset+size does not fit
 * the buffer is an error, and values that size later reads (B, dirLen,
 * globalDepth, table capacities) are checked here and flagged, never trusted.
 */
#ifndef MD_DECODE_H
#define MD_DECODE_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "gofacts.h"

/* Largest Swiss directory we will read: 2^20 entries (8 MiB) covers a map of
 * about a billion entries; anything larger is taken as corruption. */
#define MD_SWISS_MAX_DIRLEN ((int64_t)1 << 20)

typedef struct md_hmap_hdr {
	uint64_t count;
	uint8_t flags;
	uint8_t B;
	uint16_t noverflow;
	uint32_t hash0;
	uint64_t buckets, oldbuckets, nevacuate, extra;
	int has_clearSeq;
	uint64_t clearSeq;
} md_hmap_hdr;

typedef struct md_swiss_hdr {
	uint64_t used;
	uint64_t seed;
	uint64_t dirPtr;
	int64_t dirLen;
	uint8_t globalDepth, globalShift, writing;
	int has_tombstonePossible;
	uint8_t tombstonePossible;
	int has_clearSeq;
	uint64_t clearSeq;
} md_swiss_hdr;

typedef struct md_swiss_table {
	uint64_t addr;
	uint16_t used, capacity, growthLeft;
	uint8_t localDepth;
	int64_t index;
	uint64_t groups;      /* groups.data */
	uint64_t lengthMask;  /* groups.lengthMask */
} md_swiss_table;

/* Values derived from the header (and Swiss tables).  Byte counts are the
 * runtime's own allocations for the map structure (buckets, groups,
 * directory, tables); they exclude what keys and values point to. */
typedef struct md_derived {
	uint64_t entries;        /* count / used */
	uint64_t slots;          /* capacity in slots */
	double load;             /* entries / (slots at the max load factor) */
	double max_load;         /* 6.5/8 classic, 7/8 Swiss, as a slot share */
	uint64_t bytes_held;
	uint64_t bytes_if_rebuilt; /* a fresh map of `entries` entries */
	/* classic */
	uint64_t nbuckets;       /* 2^B */
	double load_factor;      /* count / 2^B ... */
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
	uint64_t tables_dropped; /* directory entries that could not be read */
} md_derived;

/* Decode a classic hmap from buf (layout->header_size bytes). */
md_status md_hmap_decode(const md_map_layout *l, const void *buf, size_t len,
                         md_hmap_hdr *out, md_err *err);
void md_hmap_derive(const md_map_layout *l, const md_gofacts *gf,
                    const md_hmap_hdr *h, md_derived *d);

/* Decode a Swiss Map header. */
md_status md_swiss_decode(const md_map_layout *l, const void *buf, size_t len,
                          md_swiss_hdr *out, md_err *err);
/* Whether the directory the header describes is plausible enough to read:
 * 0 < dirLen <= MD_SWISS_MAX_DIRLEN, dirLen == 2^globalDepth, dirPtr != 0.
 * Returns MD_OK for a small map too (dirLen == 0, nothing to read). */
md_status md_swiss_check_dir(const md_swiss_hdr *h, md_err *err);
/* Decode one table header read at addr. */
md_status md_swiss_table_decode(const md_map_layout *l, uint64_t addr,
                                const void *buf, size_t len,
                                md_swiss_table *out, md_err *err);
/* Distinct table pointers of a directory, in order: consecutive equal
 * entries collapse (a table of localDepth < globalDepth fills
 * 2^(globalDepth-localDepth) neighbouring slots).  Returns the count written
 * to out (at most n); nil entries are skipped. */
size_t md_swiss_dir_tables(const uint64_t *dir, size_t n, uint64_t *out);
void md_swiss_derive(const md_map_layout *l, const md_swiss_hdr *h,
                     const md_swiss_table *t, size_t nt, md_derived *d);

#endif
