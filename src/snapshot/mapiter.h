/* mapiter.h - the entries of a map, in storage order.
 *
 * Where the keys and values of one map type lie in its buckets (classic)
 * or groups (Swiss), from the DWARF of the runtime's per-type structs, and
 * a walk over the full slots of one map read through a memory source.
 * Scan's walk follows what the slots hold; path resolution finds the slot
 * a path's [K] or [#N] names.  Both go through here, so the order of
 * [#N] and the spelling of keys are one definition (README "Paths"):
 *
 *   classic: the buckets array in order, each bucket's 8 slots then its
 *     overflow chain, then the old buckets array if growing; slots whose
 *     tophash is at least 5 (minTopHash, runtime/map.go: below are the
 *     empty and evacuated marks);
 *   Swiss: a small map's one group at dirPtr (dirLen 0), else the
 *     directory's distinct tables in directory order, each table's groups
 *     in order; slots whose control byte has its top bit clear (full:
 *     internal/runtime/maps/group.go).
 *
 * Reads are bounded (buckets or groups walked, overflow chain length)
 * whatever the target's memory says; what a bound leaves out is counted.
 */
#ifndef MD_MAPITER_H
#define MD_MAPITER_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"

#define MD_MAPITER_MAX_BUCKETS (1 << 17)   /* buckets or groups of one map */
#define MD_MAPITER_MAX_CHAIN   1024        /* overflow buckets of one bucket */
#define MD_MAPITER_CHUNK       ((size_t)256 << 10)  /* bytes of one read */
#define MD_MAPITER_SCRATCH     (2 * MD_MAPITER_CHUNK)  /* the caller's buffer */

/* How a map's key is written in a path: m["k"], m[42], m[true],
 * m[0xc000..], else by its position in the map's storage, m[#3]. */
typedef enum md_key_fmt {
	MD_KEY_POS = 0, MD_KEY_STRING, MD_KEY_INT, MD_KEY_UINT, MD_KEY_BOOL, MD_KEY_PTR
} md_key_fmt;

/* Keys longer than this are written by position. */
#define MD_KEY_MAX_STRING 64

typedef struct md_map_geom {
	md_map_impl impl;
	md_key_fmt key_fmt;
	uint64_t key_bytes;    /* MD_KEY_INT/UINT: its size */
	md_type_id key_type, val_type;
	/* classic: bucket<K,V> */
	uint64_t b_size, b_tophash, b_keys, b_vals, b_overflow, key_size, val_size;
	/* Swiss: noalg.map.group[K]V.  Slot i's key is at g_key0 + i *
	 * g_key_stride, its elem at g_elem0 + i * g_elem_stride: interleaved
	 * groups ("slots" [8]struct{key; elem}) have both strides the slot's
	 * size; split groups (Go 1.27 GOEXPERIMENT=mapsplitgroup: "keys" [8]K
	 * then "elems" [8]V) the key's and the elem's sizes. */
	uint64_t g_size, g_ctrl, g_key0, g_key_stride, g_elem0, g_elem_stride;
	int g_split;
} md_map_geom;

/* The geometry of map type map_type (an MD_TK_MAP id) whose header layout
 * is l.  MD_NOTFOUND when DWARF lacks a member it needs. */
md_status md_map_geom_get(md_dwarf *d, md_type_id map_type, const md_map_layout *l,
                          md_map_geom *g, md_err *err);

/* One full slot, as the iteration hands it over. */
typedef struct md_map_slot {
	uint64_t pos;          /* full slots before it, in storage order */
	const unsigned char *key;   /* its key's bytes (key_size), valid
	                               during the call */
	uint64_t key_addr, val_addr;
	uint64_t ctrl_addr;    /* its tophash (classic) or control byte */
	unsigned char ctrl;
	uint64_t dir_at;       /* Swiss: the directory entry that named its
	                          table, 0 for a small map or classic */
	uint64_t table;        /* Swiss: its table's header, else 0 */
} md_map_slot;

/* Returns non-zero to stop the iteration. */
typedef int (*md_map_slot_fn)(void *arg, const md_map_slot *s);

/* What the bounds and unreadable memory left out. */
typedef struct md_mapiter_nf {
	uint64_t unreadable;   /* buckets, groups, tables that failed to read */
	uint64_t map_bound;    /* entries beyond MD_MAPITER_MAX_BUCKETS */
} md_mapiter_nf;

/* Every full slot of the map whose header bytes (l->header_size) are hdr,
 * in storage order, through m; scratch holds MD_MAPITER_SCRATCH bytes.
 * Returns 1 if fn stopped it, else 0.  Allocates nothing. */
int md_map_iter(md_mem *m, const md_map_layout *l, const md_map_geom *g,
                const unsigned char *hdr, unsigned char *scratch, md_map_slot_fn fn,
                void *arg, md_mapiter_nf *nf);

/* How the key kb of the slot at position pos is written in a path
 * ("\"k\"", "42", "true", "0xc000123450", "#3"); a string key's bytes are
 * read through m. */
void md_map_key_text(md_mem *m, const md_map_geom *g, const unsigned char *kb, uint64_t pos,
                     char *out, size_t cap);

/* The integer a key of format MD_KEY_INT / MD_KEY_UINT holds (sign-
 * extended for INT). */
uint64_t md_map_key_int(const md_map_geom *g, const unsigned char *kb);

#endif
