/* decode.h - map decoders: pure functions from raw bytes + DWARF layout to
 * header values.  No I/O and no printing, so unit tests feed them made-up
 * buffers.
 *
 * Every byte is treated as hostile: a field whose offset+size does not fit
 * the buffer is an error (MD_E_LAYOUT).  Decoding checks nothing else:
 * whether the values can be those of a live map is validate.h's question,
 * and what follows from them is derive.h's.
 */
#ifndef MD_DECODE_H
#define MD_DECODE_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"

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

/* Decode a classic hmap from buf (layout->header_size bytes). */
md_status md_hmap_decode(const md_map_layout *l, const void *buf, size_t len,
                         md_hmap_hdr *out, md_err *err);

/* Decode a Swiss Map header. */
md_status md_swiss_decode(const md_map_layout *l, const void *buf, size_t len,
                          md_swiss_hdr *out, md_err *err);
/* Decode one table header read at addr. */
md_status md_swiss_table_decode(const md_map_layout *l, uint64_t addr,
                                const void *buf, size_t len,
                                md_swiss_table *out, md_err *err);
/* Distinct table pointers of a directory, in order: consecutive equal
 * entries collapse (a table of localDepth < globalDepth fills
 * 2^(globalDepth-localDepth) neighbouring slots).  Returns the count written
 * to out (at most n); nil entries are skipped. */
size_t md_swiss_dir_tables(const uint64_t *dir, size_t n, uint64_t *out);

#endif
