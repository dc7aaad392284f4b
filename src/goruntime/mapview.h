/* mapview.h - one map's bytes, as a snapshot read them, made sense of:
 * decode -> validate -> derive, then classify.  Every command goes through
 * here, so a map that one command refuses, all refuse.  Pure: no I/O.
 */
#ifndef MD_MAPVIEW_H
#define MD_MAPVIEW_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "decode.h"
#include "derive.h"
#include "classify.h"
#include "gofacts.h"

/* The bytes of one map (borrowed from the reader's buffers). */
typedef struct md_map_bytes {
	uint64_t header;              /* header address; 0 for a nil map */
	const unsigned char *hdr;     /* layout->header_size bytes */
	size_t nt;                    /* Swiss: distinct tables read */
	const uint64_t *tptr;         /* their addresses */
	const unsigned char *tbuf;    /* their headers, table_size each */
	const int *t_ok;              /* which were read */
} md_map_bytes;

/* What the map is. */
typedef struct md_map_view {
	uint64_t addr;                /* header address; 0 for a nil map */
	int is_nil;
	md_hmap_hdr h;                /* impl == MD_IMPL_HMAP */
	md_swiss_hdr s;               /* impl == MD_IMPL_SWISS */
	md_swiss_table *tables;       /* distinct tables in directory order
	                                 (owned: md_map_view_free) */
	size_t ntables;
	md_derived d;
	md_verdict v;                 /* after md_map_view_classify */
} md_map_view;

/* Decode, validate and derive.  `name` says which map in messages.
 *   MD_E_LAYOUT  a field the layout puts outside the bytes
 *   MD_E_MEM     unreadable tables, or values no live map holds
 *   MD_E_NOMEM
 * On error out holds nothing to free. */
md_status md_map_view_make(const md_map_layout *l, const md_map_bytes *b,
                           const md_gofacts *gf, const char *name, md_map_view *out,
                           md_err *err);

/* The verdict, from the view and (w: NULL or not analysed when threads
 * were not looked at) the writers. */
void md_map_view_classify(const md_map_layout *l, md_map_view *mv,
                          const md_writer_facts *w, const md_thresholds *th);

void md_map_view_free(md_map_view *mv);

#endif
