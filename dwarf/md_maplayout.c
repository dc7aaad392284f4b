/* md_maplayout.c - the memory layout of a Go map, read from DWARF.
 *
 * The linker synthesizes per-map-type structs from the runtime's own:
 *   classic (Go <= 1.23, and 1.24/1.25 with GOEXPERIMENT=noswissmap):
 *     *hash<K,V> -> {count, flags, B, noverflow, hash0, buckets (*bucket<K,V>),
 *                    oldbuckets, nevacuate, [clearSeq,] extra}
 *   Swiss (Go >= 1.24):
 *     *map<K,V> -> {used, seed, dirPtr (**table<K,V>), dirLen, globalDepth,
 *                   globalShift, writing, [tombstonePossible,] clearSeq}
 *     table<K,V> -> {used, capacity, growthLeft, localDepth, index,
 *                    groups (groupReference<K,V> {data, lengthMask})}
 *     data -> *noalg.map.group[K]V
 * Members move between releases, so every offset and size comes from the
 * DWARF of the binary at hand; nothing is hard-coded but member names.
 * Optional members a release lacks get off = -1.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* Runtime headers have about ten members; more means "not a header". */
#define MAX_MEMBERS 48
/* Minimum size of a pointer member: resolved to ptr_size. */
#define PTR 0

typedef struct member {
	char name[32];
	uint64_t off, size;
	md_type_id type;
} member;

/* One member the decoder knows: where it goes in md_map_layout, the least
 * size it can have, and whether its absence makes the layout unusable. */
typedef struct want {
	const char *name;
	size_t field;
	uint32_t min_size;
	int required;
} want;

#define F(name, min, req) { #name, offsetof(md_map_layout, name), min, req }
static const want hmap_wants[] = {
	F(count, 4, 1),   F(flags, 1, 1),      F(B, 1, 1),
	F(noverflow, 1, 0), F(hash0, 4, 0),    F(buckets, PTR, 1),
	F(oldbuckets, PTR, 1), F(nevacuate, 4, 1), F(extra, PTR, 0),
	F(clearSeq, 1, 0),
};
static const want swiss_wants[] = {
	F(used, 4, 1),        F(seed, 1, 0),        F(dirPtr, PTR, 1),
	F(dirLen, 4, 1),      F(globalDepth, 1, 0), F(globalShift, 1, 0),
	F(writing, 1, 0),     F(tombstonePossible, 1, 0), F(clearSeq, 1, 0),
};
#undef F
#define T(name, fld, min, req) { #name, offsetof(md_map_layout, fld), min, req }
static const want table_wants[] = {
	T(used, t_used, 2, 1),           T(capacity, t_capacity, 2, 1),
	T(growthLeft, t_growthLeft, 2, 0), T(localDepth, t_localDepth, 1, 0),
	T(index, t_index, 4, 0),
};
#undef T

/* Read up to MAX_MEMBERS members (name, offset, size, type) of the struct
 * at off, and its byte size. */
static md_status read_struct(md_dwarf *d, md_type_id off, member *m, size_t *n,
                             uint64_t *size, char *name, size_t name_sz,
                             md_err *err)
{
	Dwarf_Die s = NULL, c = NULL;
	Dwarf_Half tag = 0;
	Dwarf_Unsigned bs = 0;
	*n = 0;
	*size = 0;
	md_status st = md_dw_die(d, off, &s, err);
	if (st == MD_OK)
		st = md_dw_tag(d, s, &tag, err);
	if (st == MD_OK)
		st = md_dw_name(d, s, name, name_sz, err);
	if (st != MD_OK)
		goto out;
	if (tag != DW_TAG_structure_type) {
		st = md_err_set(err, MD_E_LAYOUT, "%s is not a struct",
		                name[0] ? name : "map header");
		goto out;
	}
	st = md_dw_udata(d, s, DW_AT_byte_size, &bs, err);
	if (st == MD_NOTFOUND)
		st = md_err_set(err, MD_E_LAYOUT, "%s has no size", name);
	if (st != MD_OK)
		goto out;
	*size = bs;
	st = md_dw_child(d, s, &c, err);
	while (st == MD_OK && c) {
		st = md_dw_tag(d, c, &tag, err);
		if (st == MD_OK && tag == DW_TAG_member) {
			if (*n == MAX_MEMBERS) {
				st = md_err_set(err, MD_E_LAYOUT, "%s: too many members",
				                name);
				break;
			}
			member *mm = &m[*n];
			char full[256];
			st = md_dw_name(d, c, full, sizeof full, err);
			if (st == MD_OK)
				st = md_dw_member_offset(d, c, &mm->off, err);
			if (st == MD_OK)
				st = md_dw_ref(d, c, DW_AT_type, &mm->type, err);
			if (st == MD_OK)
				st = md_dw_type_size(d, mm->type, &mm->size, err);
			if (st == MD_NOTFOUND)
				st = md_err_set(err, MD_E_LAYOUT, "%s.%s has no type",
				                name, full);
			/* Names we look for are short; longer ones are skipped. */
			if (st == MD_OK && strlen(full) < sizeof mm->name) {
				strcpy(mm->name, full);
				(*n)++;
			}
		}
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, c, &next, err);
		md_dw_free_die(d, c);
		c = next;
	}
out:
	md_dw_free_die(d, c);
	md_dw_free_die(d, s);
	return st;
}

static const member *find(const member *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].name, name) == 0)
			return &m[i];
	return NULL;
}

/* Copy the wanted members into the layout; check each fits in its struct
 * and that required ones are there and big enough. */
static md_status fill(md_dwarf *d, const member *m, size_t n, uint64_t base,
                      uint64_t struct_size, const char *sname, const want *w,
                      size_t nw, md_map_layout *out, md_err *err)
{
	for (size_t i = 0; i < nw; i++) {
		md_field *f = (md_field *)((char *)out + w[i].field);
		const member *mm = find(m, n, w[i].name);
		if (!mm) {
			if (w[i].required)
				return md_err_set(err, MD_E_LAYOUT, "%s has no member %s",
				                  sname, w[i].name);
			continue;
		}
		uint32_t min = w[i].min_size == PTR ? d->ptr_size : w[i].min_size;
		if (mm->size > struct_size || mm->off > struct_size - mm->size ||
		    mm->size > UINT32_MAX)
			return md_err_set(err, MD_E_LAYOUT,
			                  "%s.%s (offset %llu, size %llu) lies outside "
			                  "the %llu-byte struct", sname, w[i].name,
			                  (unsigned long long)mm->off,
			                  (unsigned long long)mm->size,
			                  (unsigned long long)struct_size);
		if (w[i].required && mm->size < min)
			return md_err_set(err, MD_E_LAYOUT,
			                  "%s.%s is %llu bytes, need at least %u", sname,
			                  w[i].name, (unsigned long long)mm->size, min);
		f->off = (int64_t)(base + mm->off);
		f->size = (uint32_t)mm->size;
	}
	return MD_OK;
}

/* Follow `levels` pointers from type id (typedefs stripped at each step)
 * to the struct at the end; MD_E_LAYOUT if the shape differs. */
static md_status deref(md_dwarf *d, md_type_id id, int levels, md_type_id *out,
                       const char *what, md_err *err)
{
	for (int i = 0; i <= levels; i++) {
		md_type t;
		md_status st = md_dw_strip_typedefs(d, id, &id, err);
		if (st == MD_OK)
			st = md_dwarf_type(d, id, &t, err);
		if (st != MD_OK)
			return st;
		if (i == levels) {
			if (t.kind != MD_TK_STRUCT)
				return md_err_set(err, MD_E_LAYOUT,
				                  "%s: %s is not a struct", what, t.name);
			*out = id;
			return MD_OK;
		}
		if (t.kind != MD_TK_POINTER || !t.target)
			return md_err_set(err, MD_E_LAYOUT,
			                  "%s: %s is not a typed pointer", what, t.name);
		id = t.target;
	}
	return MD_OK; /* not reached */
}

/* Byte size of the struct at the end of `levels` pointers; must be > 0. */
static md_status pointee_size(md_dwarf *d, md_type_id id, int levels,
                              uint64_t *size, md_type_id *sid,
                              const char *what, md_err *err)
{
	md_type_id s = 0;
	md_status st = deref(d, id, levels, &s, what, err);
	if (st == MD_OK)
		st = md_dw_type_size(d, s, size, err);
	if (st == MD_OK && *size == 0)
		st = md_err_set(err, MD_E_LAYOUT, "%s has size 0", what);
	if (sid)
		*sid = s;
	return st;
}

static md_status classic(md_dwarf *d, const member *m, size_t n,
                         md_map_layout *out, md_err *err)
{
	out->impl = MD_IMPL_HMAP;
	md_status st = fill(d, m, n, 0, out->header_size, out->header_type,
	                    hmap_wants, sizeof hmap_wants / sizeof *hmap_wants,
	                    out, err);
	if (st != MD_OK)
		return st;
	const member *b = find(m, n, "buckets");
	return pointee_size(d, b->type, 1, &out->bucket_size, NULL,
	                    "bucket type of map header", err);
}

static md_status swiss(md_dwarf *d, const member *m, size_t n,
                       md_map_layout *out, md_err *err)
{
	out->impl = MD_IMPL_SWISS;
	md_status st = fill(d, m, n, 0, out->header_size, out->header_type,
	                    swiss_wants, sizeof swiss_wants / sizeof *swiss_wants,
	                    out, err);
	if (st != MD_OK)
		return st;

	/* dirPtr is **table<K,V>. */
	member tm[MAX_MEMBERS], gm[MAX_MEMBERS];
	size_t tn = 0, gn = 0;
	char tname[256], gname[256];
	md_type_id table = 0, gref = 0;
	uint64_t gsize = 0;
	st = deref(d, find(m, n, "dirPtr")->type, 2, &table, "map directory", err);
	if (st == MD_OK)
		st = read_struct(d, table, tm, &tn, &out->table_size, tname,
		                 sizeof tname, err);
	if (st == MD_OK)
		st = fill(d, tm, tn, 0, out->table_size, tname, table_wants,
		          sizeof table_wants / sizeof *table_wants, out, err);
	if (st != MD_OK)
		return st;

	/* groups is a groupReference<K,V> value inside the table. */
	const member *g = find(tm, tn, "groups");
	if (!g)
		return md_err_set(err, MD_E_LAYOUT, "%s has no member groups", tname);
	if (g->size > out->table_size || g->off > out->table_size - g->size)
		return md_err_set(err, MD_E_LAYOUT, "%s.groups lies outside it", tname);
	st = deref(d, g->type, 0, &gref, "table groups", err);
	if (st == MD_OK)
		st = read_struct(d, gref, gm, &gn, &gsize, gname, sizeof gname, err);
	if (st != MD_OK)
		return st;
	if (gsize > g->size)
		return md_err_set(err, MD_E_LAYOUT, "%s is larger than %s.groups",
		                  gname, tname);
	const want gw[] = {
		{ "data", offsetof(md_map_layout, t_groups_data), PTR, 1 },
		{ "lengthMask", offsetof(md_map_layout, t_groups_lengthMask), 4, 1 },
	};
	/* Offsets within the table: groups' offset plus the member's. */
	st = fill(d, gm, gn, g->off, gsize, gname, gw, 2, out, err);
	if (st != MD_OK)
		return st;
	return pointee_size(d, find(gm, gn, "data")->type, 1, &out->group_size,
	                    NULL, "map group type", err);
}

md_status md_dwarf_map_layout(md_dwarf *d, md_type_id map_type,
                              md_map_layout *out, md_err *err)
{
	md_field none = { -1, 0 };
	memset(out, 0, sizeof *out);
	out->count = out->flags = out->B = out->noverflow = out->hash0 = none;
	out->buckets = out->oldbuckets = out->nevacuate = out->extra = none;
	out->used = out->seed = out->dirPtr = out->dirLen = none;
	out->globalDepth = out->globalShift = out->writing = none;
	out->tombstonePossible = none;
	out->t_used = out->t_capacity = out->t_growthLeft = out->t_localDepth = none;
	out->t_index = out->t_groups_data = out->t_groups_lengthMask = none;
	out->clearSeq = none;

	md_type t;
	md_status st = md_dwarf_type(d, map_type, &t, err);
	if (st != MD_OK)
		return st;
	if (t.kind != MD_TK_MAP)
		return md_err_set(err, MD_E_NOTMAP, "%s is not a map type",
		                  t.name[0] ? t.name : "type");
	snprintf(out->type_name, sizeof out->type_name, "%s", t.name);
	if (!t.target)
		return md_err_set(err, MD_E_LAYOUT,
		                  "%s: DWARF has no map header type", t.name);

	member m[MAX_MEMBERS];
	size_t n = 0;
	st = read_struct(d, t.target, m, &n, &out->header_size, out->header_type,
	                 sizeof out->header_type, err);
	if (st != MD_OK)
		return st;
	if (find(m, n, "buckets"))
		st = classic(d, m, n, out, err);
	else if (find(m, n, "dirPtr"))
		st = swiss(d, m, n, out, err);
	else
		st = md_err_set(err, MD_E_LAYOUT,
		                "%s (%s) is neither a classic (buckets) nor a Swiss "
		                "(dirPtr) map header", out->header_type, t.name);
	if (st != MD_OK)
		out->impl = 0;
	return st;
}
