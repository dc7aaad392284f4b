/* walk_priv.h - the walk of mapdiag scan: from package variables, through
 * pointers and slices, to map header addresses, one batched read per hop.
 *
 * The walk only indexes precomputed shapes (src/scan/shape_priv.h) and reads memory
 * through md_mem; it allocates only if a run finds more than the previous
 * run did, so a probe run on the running target followed by
 * md_walk_reserve makes the run during the stop allocation-free (unless the
 * target changed a lot in between).  Everything read is bounded: slice
 * lengths by MD_SCAN_MAX_ELEMS, a round by MD_SCAN_MAX_ITEMS, the maps by
 * MD_SCAN_MAX_MAPS, the hops by the shapes' depth.
 */
#ifndef MD_WALK_PRIV_H
#define MD_WALK_PRIV_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "mem.h"
#include "shape_priv.h"

/* Bounds on what one walk reads, whatever the target's memory says. */
#define MD_SCAN_MAX_ELEMS   65536      /* elements of one slice followed */
#define MD_SCAN_MAX_ITEMS   (1 << 21)  /* reads of one round */
#define MD_SCAN_MAX_MAPS    (1 << 20)  /* maps found */

typedef struct md_walk_root {
	const char *name;      /* borrowed */
	uint64_t addr;         /* run-time address */
	int shape;
} md_walk_root;

/* A value the walk stood in: a root, a pointee or a slice element.  Its
 * path is its parent's, then suffix (the slot it was reached through),
 * then "[index]" for a slice element. */
typedef struct md_walk_node {
	int parent;            /* -1 for a root */
	int root;              /* roots[] index, for a root */
	uint32_t suffix;
	int64_t index;         /* slice element, else -1 */
} md_walk_node;

typedef struct md_walk_item {
	uint64_t addr;
	int node;
	uint32_t slot;         /* index into shapes->slots */
	unsigned char buf[MD_SLICE_HDR_MAX]; /* map value, pointer or slice header */
} md_walk_item;

typedef struct md_walk_found {   /* a map, an alias or a note */
	uint64_t header;       /* maps and aliases */
	int node;
	uint32_t slot;
	int depth;
	int of;                /* aliases: index of the map */
} md_walk_found;

struct md_walk_set;

typedef struct md_walk {
	const md_shapes *sh;
	const md_walk_root *roots;
	int nroots;
	md_walk_item *cur, *next;
	size_t ncur, nnext, cap_cur, cap_next;
	md_read *rd;
	int *who;
	size_t cap_rd, cap_who;
	md_walk_node *nodes;
	size_t nnodes, cap_nodes;
	md_walk_found *maps, *aliases, *notes;
	size_t nmaps, naliases, nnotes, cap_maps, cap_aliases, cap_notes;
	struct md_walk_set *visited, *headers;
	/* results besides the lists */
	uint64_t truncated, unreadable, rounds;
	size_t peak_items;
	uint64_t grown;        /* arrays that grew, over all runs */
	md_status nomem;       /* MD_E_NOMEM once an allocation failed */
} md_walk;

void md_walk_init(md_walk *w, const md_shapes *sh, const md_walk_root *roots, int nroots);
void md_walk_free(md_walk *w);

/* Run the walk over the target (stopped or not).  Returns MD_OK,
 * MD_E_EXITED, MD_E_SYS or MD_E_NOMEM. */
md_status md_walk_run(md_walk *w, md_mem *m, md_err *err);

/* Make every buffer twice what the last run used, touched. */
md_status md_walk_reserve(md_walk *w, md_err *err);

/* The path of what slot `slot` of node `node` holds, e.g.
 * "main.shards[3].m"; truncated to n bytes.  Returns its length. */
size_t md_walk_path(const md_walk *w, int node, uint32_t slot, char *buf, size_t n);

#endif
