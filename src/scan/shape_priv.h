/* shape_priv.h - where the maps are inside a type, for mapdiag scan.
 *
 * The shape of a type at depth k lists the slots of a value of that type
 * through which a map can be reached with at most k pointer or slice hops:
 * the map values themselves, the pointers and slices to follow, and the
 * values that hold something that is not a map (a Go 1.24+ sync.Map).
 * Structs and arrays are flattened (their slots carry their offset inside
 * the value and the path suffix that names them: ".inner.m", "[3]"); a
 * pointer or slice slot names the shape of what it leads to at depth k-1.
 * A shape with no slot is not kept: index -1 means "no map down here".
 *
 * Built from DWARF while the target runs; read-only afterwards, so the
 * walk during the stop only indexes arrays.
 */
#ifndef MD_SHAPE_PRIV_H
#define MD_SHAPE_PRIV_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "slicehdr.h"
#include "mapiter.h"
#include "rtype.h"

/* Limits that keep a hostile or huge type from exhausting memory. */
#define MD_SHAPE_MAX_SLOTS  65536  /* slots of one flattened shape */
#define MD_SHAPE_MAX_DEPTH  16     /* --depth */

typedef enum md_slot_kind {
	MD_SLOT_MAP = 1,   /* a map value (pointer to its header): target is
	                      a layout index */
	MD_SLOT_PTR,       /* a pointer: target is the pointee's shape */
	MD_SLOT_SLICE,     /* a slice header: target is the element's shape */
	MD_SLOT_NOTE,      /* a value holding no map that users think of as
	                      one: target indexes md_shape_notes */
	MD_SLOT_IFACE,     /* an interface (16 bytes: type or itab, data):
	                      target is the depth left for its dynamic type;
	                      elem_size 1 for a non-empty one (itab) */
	MD_SLOT_UNSAFE,    /* an unsafe.Pointer: not followed, counted */
	MD_SLOT_CUT        /* a pointer, slice or interface that could reach a
	                      map beyond the depth bound: not followed,
	                      counted when not nil; target is MD_CUT_* */
} md_slot_kind;

enum { MD_CUT_PTR = 0, MD_CUT_SLICE, MD_CUT_IFACE, MD_CUT_ENTRIES };

typedef struct md_slot {
	md_slot_kind kind;
	int target;
	uint64_t off;          /* inside the value */
	uint64_t elem_size;    /* SLICE: element size */
	md_slice_hdr hdr;      /* SLICE: its header's array, len and cap */
	uint32_t suffix;       /* offset of the path suffix in the pool */
	int entries;           /* MAP: md_shapes.entries index when its keys or
	                          values can reach a map within the depth
	                          left, else -1; CUT_ENTRIES when beyond it */
} md_slot;

/* Where the keys and values of one map type lie (mapiter.h), and the
 * shapes to walk them with. */
typedef struct md_entries {
	int layout;            /* md_shapes.layouts index */
	int key_shape, val_shape;   /* at the depth left; -1: nothing */
	md_map_geom g;
} md_entries;

typedef struct md_shape {
	size_t first, n;       /* slots[first .. first+n) */
	md_type_id type;       /* the type it is the shape of */
} md_shape;

typedef struct md_layout_ent {
	md_type_id type;
	md_status status;      /* of md_dwarf_map_layout + md_layout_check */
	md_err err;
	md_map_layout layout;
} md_layout_ent;

/* Why a slot holds no decodable map. */
typedef struct md_shape_note {
	char type[256];
	const char *reason;
} md_shape_note;

typedef struct md_shapes {
	md_dwarf *d;
	md_shape *shapes;
	size_t nshapes, shapes_cap;
	md_slot *slots;
	size_t nslots, slots_cap;
	char *pool;            /* NUL-terminated suffixes */
	size_t npool, pool_cap;
	md_layout_ent *layouts;
	size_t nlayouts, layouts_cap;
	md_shape_note *notes;
	size_t nnotes, notes_cap;
	md_entries *entries;
	size_t nentries, entries_cap;
	struct md_reach *reach;      /* type -> can it reach a map at all */
	size_t reach_n, reach_cap;
	struct md_dyn *dyn;          /* run-time type -> DWARF type, suffix */
	size_t dyn_n, dyn_cap;
	uint64_t types_base;         /* run-time address of runtime.types; 0
	                                when unknown (interfaces not followed) */
	uint64_t itab_type_off;      /* offset of the type in an itab */
	md_rtypes rt;                /* the same, and the descriptors' layout */
	md_mem *mem;                 /* where type descriptors are read */
	struct md_shape_memo *memo;  /* (type, depth) -> shape or -1 */
	size_t memo_n, memo_cap;
	uint64_t truncated;    /* array elements left out (MD_SHAPE_MAX_SLOTS) */
} md_shapes;

void md_shapes_init(md_shapes *s, md_dwarf *d);
void md_shapes_free(md_shapes *s);

/* The shape of type at depth k (0..MD_SHAPE_MAX_DEPTH): *out is its index
 * or -1 when no map can be reached.  Errors: MD_E_DWARF, MD_E_NOMEM. */
md_status md_shapes_get(md_shapes *s, md_type_id type, int k, int *out, md_err *err);

/* The shape, at depth k, of the dynamic type of an interface whose type
 * descriptor is at run-time address rtype: *shape (-1: no map down
 * there), *direct (the value is the interface's data word itself, not
 * what it points to: as the descriptor read from mem says, else as
 * DWARF guesses; md_rtype_direct_at), *suffix (".(T)" in the pool).
 *   MD_NOTFOUND  no DWARF type for that descriptor (or types_base is 0) */
md_status md_shapes_dynamic(md_shapes *s, uint64_t rtype, int k, int *shape, int *direct,
                            uint32_t *suffix, md_err *err);

/* Whether a value of type `type` can reach a map through any number of
 * hops (interfaces can). */
int md_shapes_reach(md_shapes *s, md_type_id type);

/* Add a suffix to the pool (for paths made outside the shapes). */
md_status md_shapes_suffix(md_shapes *s, const char *text, uint32_t *out, md_err *err);

static inline const char *md_slot_suffix(const md_shapes *s, const md_slot *sl)
{
	return s->pool + sl->suffix;
}

#endif
