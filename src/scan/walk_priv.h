/* walk_priv.h - the walk of mapdiag scan: from package variables, through
 * pointers and slices, to map header addresses, one batched read per hop.
 *
 * The walk only indexes precomputed shapes (src/scan/shape_priv.h) and reads memory
 * through md_mem; it allocates only if a run finds more than the previous
 * run did, so a probe run on the running target followed by
 * md_walk_reserve makes the run during the stop allocation-free (unless the
 * target changed a lot in between).  Everything read is bounded: slice
 * headers by md_slice_hdr_plausible (len <= cap, within the address
 * space; others are unreadable), slice lengths by MD_SCAN_MAX_ELEMS, a
 * round by MD_SCAN_MAX_ITEMS, the maps by MD_SCAN_MAX_MAPS, the hops by
 * the shapes' depth.
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
/* the entries of one map: MD_MAPITER_MAX_BUCKETS, _MAX_CHAIN (mapiter.h) */

typedef enum md_root_kind { MD_ROOT_GLOBAL = 0, MD_ROOT_STACK } md_root_kind;

typedef struct md_walk_root {
	const char *name;      /* borrowed: "main.cache", "g42/main.run/m" */
	uint64_t addr;         /* run-time address (MD_MEM_SYNTH_BASE and up:
	                          a value the memory source holds apart) */
	int shape;
	md_root_kind kind;
	int64_t goid;          /* MD_ROOT_STACK */
	const char *func;      /* MD_ROOT_STACK: borrowed */
} md_walk_root;

/* A value the walk stood in: a root, a pointee or a slice element.  Its
 * path is its parent's, then suffix (the slot it was reached through),
 * then "[index]" for a slice element. */
typedef struct md_walk_node {
	int parent;            /* -1 for a root */
	int root;              /* roots[] index, for a root */
	uint32_t suffix;
	int64_t index;         /* slice element, else -1 */
	uint32_t dyn;          /* interface hop: 1 + its ".(T)" in the shapes'
	                          pool, else 0 */
	uint32_t key;          /* map entry: 1 + its "[K]" in the walk's key
	                          pool, else 0 */
} md_walk_node;

typedef struct md_walk_item {
	uint64_t addr;
	int node;
	uint32_t slot;         /* index into shapes->slots */
	unsigned char buf[MD_SLICE_HDR_MAX]; /* map value, pointer or slice header */
} md_walk_item;

typedef struct md_walk_found {   /* a map, an alias or a note */
	uint64_t header;       /* maps and aliases */
	uint64_t via;          /* where the map value was read (its last hop) */
	int node;
	uint32_t slot;
	int depth;
	int of;                /* aliases: index of the map */
} md_walk_found;

/* What the walk saw and did not follow, by reason. */
typedef struct md_walk_nf {
	uint64_t unsafe_ptr;      /* non-nil unsafe.Pointer values */
	uint64_t iface_no_dwarf;  /* interfaces whose dynamic type has no DWARF
	                             type (or no types base to find it by) */
	uint64_t depth;           /* pointers, slices, interfaces, map entries
	                             cut by the depth bound */
	uint64_t slice_bound;     /* slice elements beyond MD_SCAN_MAX_ELEMS */
	uint64_t map_bound;       /* entries of maps beyond MD_MAPITER_MAX_BUCKETS */
	uint64_t walk_bound;      /* reads or maps beyond the walk's bounds */
	uint64_t unreadable;      /* pointers, slices, buckets that could not be
	                             read; slice headers no slice can have */
} md_walk_nf;

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
	md_shapes *dyn;        /* interfaces' dynamic types (the same shapes,
	                          not const: they grow); NULL: not followed */
	md_mem *m;             /* during md_walk_run */
	char *kpool;           /* map keys as paths write them */
	size_t nkpool, cap_kpool;
	unsigned char *scratch;   /* MD_MAPITER_SCRATCH: buckets, groups */
	size_t cap_scratch;
	md_walk_nf nf;
	/* results besides the lists */
	uint64_t truncated, unreadable, rounds;
	size_t peak_items;
	uint64_t grown;        /* arrays that grew, over all runs */
	md_status nomem;       /* MD_E_NOMEM once an allocation failed */
} md_walk;

void md_walk_init(md_walk *w, const md_shapes *sh, const md_walk_root *roots, int nroots);
void md_walk_free(md_walk *w);

/* Free what only a run uses (its rounds of items, reads, scratch, the
 * visited sets), keeping the results: the lists, nodes and keys that
 * paths are made of.  A run after it allocates them again. */
void md_walk_trim(md_walk *w);

/* Free the nodes and keys, once every path needed is made: md_walk_path
 * and md_walk_root_of must not be called after it (until another run). */
void md_walk_drop_nodes(md_walk *w);

/* Run the walk over the target (stopped or not).  Returns MD_OK,
 * MD_E_EXITED, MD_E_SYS or MD_E_NOMEM. */
md_status md_walk_run(md_walk *w, md_mem *m, md_err *err);

/* Make every buffer twice what the last run used, touched. */
md_status md_walk_reserve(md_walk *w, md_err *err);

/* The path of what slot `slot` of node `node` holds, e.g.
 * "main.shards[3].m", "g42/main.run/s.(*main.store).byKey[\"k\"].m";
 * truncated to n bytes.  Returns its length. */
size_t md_walk_path(const md_walk *w, int node, uint32_t slot, char *buf, size_t n);

/* The root a node descends from, and whether its path has an interface
 * hop. */
int md_walk_root_of(const md_walk *w, int node, int *via_iface);

#endif
