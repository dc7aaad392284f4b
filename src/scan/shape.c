/* shape.c - where the maps are inside a type (see shape_priv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "shape_priv.h"
#include "rtype.h"
#include "validate.h"
#include "alloc.h"
#include "hash.h"

struct md_shape_memo {
	md_type_id type;   /* 0: empty bucket */
	int k;
	int shape;
};

/* What Go 1.24+ made of sync.Map: recognised by its members, not by the
 * version (GOEXPERIMENT=nosynchashtriemap keeps the old one). */
static const char SYNCMAP_TRIE[] =
	"sync.Map is a hash-trie since Go 1.24 (internal/sync.HashTrieMap), not a Go map: "
	"not decoded";

void md_shapes_init(md_shapes *s, md_dwarf *d)
{
	memset(s, 0, sizeof *s);
	s->d = d;
}

void md_shapes_free(md_shapes *s)
{
	free(s->shapes);
	free(s->slots);
	free(s->pool);
	free(s->layouts);
	free(s->notes);
	free(s->memo);
	free(s->entries);
	free(s->dyn);
	memset(s, 0, sizeof *s);
}

/* Grow *p (n used, *cap allocated, elements of size sz) to hold one more. */
static int grow(void **p, size_t n, size_t *cap, size_t sz)
{
	return md_grow(p, cap, n + 1, sz, 64);
}

static uint64_t memo_hash(md_type_id t, int k)
{
	/* k is -4 .. MD_SHAPE_MAX_DEPTH: the memo also keeps REACH_K and DYN_K */
	return md_hash64(t << 5 | (uint64_t)(k + 8));
}

static struct md_shape_memo *memo_find(md_shapes *s, md_type_id t, int k)
{
	if (!s->memo_cap)
		return NULL;
	size_t mask = s->memo_cap - 1;
	for (size_t i = memo_hash(t, k) & mask;; i = (i + 1) & mask) {
		struct md_shape_memo *e = &s->memo[i];
		if (!e->type)
			return NULL;
		if (e->type == t && e->k == k)
			return e;
	}
}

static int memo_put(md_shapes *s, md_type_id t, int k, int shape)
{
	if (2 * (s->memo_n + 1) > s->memo_cap) {
		size_t nc = s->memo_cap ? 2 * s->memo_cap : 256;
		struct md_shape_memo *old = s->memo;
		size_t oc = s->memo_cap;
		s->memo = calloc(nc, sizeof *s->memo);
		if (!s->memo) {
			s->memo = old;
			return 0;
		}
		s->memo_cap = nc;
		s->memo_n = 0;
		for (size_t i = 0; i < oc; i++)
			if (old[i].type)
				memo_put(s, old[i].type, old[i].k, old[i].shape);
		free(old);
	}
	size_t mask = s->memo_cap - 1;
	size_t i = memo_hash(t, k) & mask;
	while (s->memo[i].type)
		i = (i + 1) & mask;
	s->memo[i] = (struct md_shape_memo){ t, k, shape };
	s->memo_n++;
	return 1;
}

/* Append a suffix "<pre><mid><rest>" to the pool; returns its offset. */
static md_status pool_add(md_shapes *s, const char *pre, const char *rest, uint32_t *out,
                          md_err *err)
{
	size_t n = strlen(pre) + strlen(rest) + 1;
	if (s->npool + n > UINT32_MAX)
		return md_err_set(err, MD_E_NOMEM, "path suffixes");
	while (s->npool + n > s->pool_cap) {
		size_t nc = s->pool_cap ? 2 * s->pool_cap : 4096;
		char *q = realloc(s->pool, nc);
		if (!q)
			return md_err_set(err, MD_E_NOMEM, "path suffixes");
		s->pool = q;
		s->pool_cap = nc;
	}
	*out = (uint32_t)s->npool;
	s->npool += (size_t)snprintf(s->pool + s->npool, n, "%s%s", pre, rest) + 1;
	return MD_OK;
}

/* A shape under construction: its slots gathered apart, appended whole
 * at the end (children are built, and append theirs, meanwhile). */
typedef struct building {
	md_slot *v;
	size_t n, cap;
} building;

static md_status add(building *b, md_slot sl, md_err *err)
{
	if (b->n >= MD_SHAPE_MAX_SLOTS)
		return MD_NOTFOUND;   /* full: the caller counts what it drops */
	if (!grow((void **)&b->v, b->n, &b->cap, sizeof *b->v))
		return md_err_set(err, MD_E_NOMEM, "shape");
	b->v[b->n++] = sl;
	return MD_OK;
}

/* Copy shape `child` into b at offset off, prefixing its suffixes. */
static md_status add_child(md_shapes *s, building *b, int child, uint64_t off,
                           const char *prefix, md_err *err)
{
	md_shape sh = s->shapes[child];
	for (size_t i = 0; i < sh.n; i++) {
		md_slot sl = s->slots[sh.first + i];
		/* s->pool may move in pool_add: copy the old suffix first */
		char rest[512];
		snprintf(rest, sizeof rest, "%s", s->pool + sl.suffix);
		md_status st = pool_add(s, prefix, rest, &sl.suffix, err);
		if (st != MD_OK)
			return st;
		sl.off += off;
		if ((st = add(b, sl, err)) != MD_OK)
			return st;
	}
	return MD_OK;
}

static md_status layout_of(md_shapes *s, md_type_id map_type, int *out, md_err *err)
{
	for (size_t i = 0; i < s->nlayouts; i++)
		if (s->layouts[i].type == map_type) {
			*out = (int)i;
			return MD_OK;
		}
	if (!grow((void **)&s->layouts, s->nlayouts, &s->layouts_cap, sizeof *s->layouts))
		return md_err_set(err, MD_E_NOMEM, "layouts");
	md_layout_ent *e = &s->layouts[s->nlayouts];
	memset(e, 0, sizeof *e);
	e->type = map_type;
	e->status = md_dwarf_map_layout(s->d, map_type, &e->layout, &e->err);
	if (e->status == MD_OK)
		e->status = md_layout_check(&e->layout, &e->err);
	if (e->status == MD_E_DWARF || e->status == MD_E_NOMEM) {
		*err = e->err;
		return e->status;
	}
	*out = (int)s->nlayouts++;
	return MD_OK;
}

static md_status note(md_shapes *s, building *b, const char *type, const char *reason,
                      md_err *err)
{
	if (!grow((void **)&s->notes, s->nnotes, &s->notes_cap, sizeof *s->notes))
		return md_err_set(err, MD_E_NOMEM, "notes");
	md_shape_note *n = &s->notes[s->nnotes];
	snprintf(n->type, sizeof n->type, "%s", type);
	n->reason = reason;
	md_slot sl = { .kind = MD_SLOT_NOTE, .target = (int)s->nnotes++ };
	md_status st = pool_add(s, "", "", &sl.suffix, err);
	return st == MD_OK ? add(b, sl, err) : st;
}

typedef struct member {
	char name[256];
	uint64_t off;
	md_type_id type;
} member;

typedef struct members {
	member *v;
	size_t n, cap;
	int has_dirty;
	int nomem;
} members;

static int collect(void *arg, const char *name, uint64_t off, md_type_id type)
{
	members *m = arg;
	if (!grow((void **)&m->v, m->n, &m->cap, sizeof *m->v)) {
		m->nomem = 1;
		return 1;
	}
	member *x = &m->v[m->n++];
	snprintf(x->name, sizeof x->name, "%s", name);
	x->off = off;
	x->type = type;
	m->has_dirty |= strcmp(name, "dirty") == 0;
	return 0;
}

static md_status build(md_shapes *s, md_type_id type, int k, building *b, md_err *err);

/* A slot with an empty suffix. */
static md_status add_plain(md_shapes *s, building *b, md_slot sl, md_err *err)
{
	md_status st = pool_add(s, "", "", &sl.suffix, err);
	return st == MD_OK ? add(b, sl, err) : st;
}

md_status md_shapes_suffix(md_shapes *s, const char *text, uint32_t *out, md_err *err)
{
	return pool_add(s, "", text, out, err);
}

/* ---- can a type reach a map at all ----------------------------------- */

/* The memo holds it under k = REACH_K: 1 yes, 0 no.  A type met again
 * while its own answer is being worked out (a cycle) counts as "no" for
 * that path; a "no" that leaned on such a guess is not kept, so a type on
 * a cycle is asked again from the top and gets its true answer. */
#define REACH_K  (-2)
#define REACH_BUSY 2

static int reach(md_shapes *s, md_type_id type, int depth, int *guessed)
{
	if (!type || depth > 64)
		return 0;
	struct md_shape_memo *e = memo_find(s, type, REACH_K);
	if (e) {
		if (e->shape == REACH_BUSY)
			*guessed = 1;
		return e->shape == 1;
	}
	md_type t;
	md_err err;
	if (md_dwarf_type(s->d, type, &t, &err) != MD_OK)
		return 0;
	int r = 0, g = 0;
	switch (t.kind) {
	case MD_TK_MAP:
	case MD_TK_INTERFACE:
		r = 1;
		break;
	case MD_TK_POINTER:
	case MD_TK_SLICE:
	case MD_TK_ARRAY:
	case MD_TK_TYPEDEF:
		if (!memo_put(s, type, REACH_K, REACH_BUSY))
			return 0;
		r = reach(s, t.target, depth + 1, &g);
		break;
	case MD_TK_STRUCT: {
		members m = { 0 };
		if (!memo_put(s, type, REACH_K, REACH_BUSY))
			return 0;
		md_dwarf_each_member(s->d, type, collect, &m, &err);
		for (size_t i = 0; i < m.n && !r; i++)
			r = reach(s, m.v[i].type, depth + 1, &g);
		free(m.v);
		break;
	}
	default:
		return 0;
	}
	e = memo_find(s, type, REACH_K);
	if (e)
		e->shape = r;
	if (!r && g) {
		*guessed = 1;
		if (e)   /* forget the guess: an entry no lookup matches */
			e->k = REACH_K - 1;
	}
	return r;
}

int md_shapes_reach(md_shapes *s, md_type_id type)
{
	int guessed = 0;
	return reach(s, type, 0, &guessed);
}

/* ---- the dynamic type of an interface -------------------------------- */

#define DYN_K (-4)

struct md_dyn {
	md_type_id type;
	int direct;
	uint32_t suffix;
	md_status status;
};

md_status md_shapes_dynamic(md_shapes *s, uint64_t rtype, int k, int *shape, int *direct,
                            uint32_t *suffix, md_err *err)
{
	*shape = -1;
	if (!s->types_base || rtype < s->types_base)
		return MD_NOTFOUND;
	uint64_t off = rtype - s->types_base;
	/* the memo's key 0 means "empty": offsets are stored plus one */
	struct md_shape_memo *e = memo_find(s, off + 1, DYN_K);
	int idx;
	if (e) {
		idx = e->shape;
	} else {
		if (!grow((void **)&s->dyn, s->dyn_n, &s->dyn_cap, sizeof *s->dyn))
			return md_err_set(err, MD_E_NOMEM, "dynamic types");
		struct md_dyn *d = &s->dyn[s->dyn_n];
		memset(d, 0, sizeof *d);
		md_err e2;
		d->status = md_dwarf_type_of_runtime(s->d, off, &d->type, &e2);
		if (d->status == MD_E_NOMEM) {
			*err = e2;
			return d->status;
		}
		if (d->status == MD_OK) {
			md_type t;
			char buf[300];
			d->status = md_dwarf_type(s->d, d->type, &t, &e2);
			snprintf(buf, sizeof buf, ".(%s)", t.name);
			d->direct = md_rtype_direct(s->d, d->type);
			if (s->mem)
				md_rtype_direct_at(s->mem, &s->rt, rtype, &d->direct, &e2);
			if (d->status == MD_OK && pool_add(s, "", buf, &d->suffix, err) != MD_OK)
				return MD_E_NOMEM;
		}
		idx = (int)s->dyn_n++;
		if (!memo_put(s, off + 1, DYN_K, idx))
			return md_err_set(err, MD_E_NOMEM, "dynamic types");
	}
	const struct md_dyn *d = &s->dyn[idx];
	if (d->status != MD_OK)
		return MD_NOTFOUND;
	*direct = d->direct;
	*suffix = d->suffix;
	return md_shapes_get(s, d->type, k, shape, err);
}

/* ---- where a map's keys and values are ------------------------------- */

/* The entries record of map layout li at depth k: *out -1 when neither
 * keys nor values can reach a map, MD_CUT_ENTRIES-style cut handled by the
 * caller through out == -2 (could reach one, but k is 0). */
static md_status entries_of(md_shapes *s, int li, int k, int *out, md_err *err)
{
	*out = -1;
	const md_layout_ent *le = &s->layouts[li];
	if (le->status != MD_OK)
		return MD_OK;
	md_entries en = { .layout = li, .key_shape = -1, .val_shape = -1 };
	md_err e;
	if (md_map_geom_get(s->d, le->type, &le->layout, &en.g, &e) != MD_OK)
		return MD_OK;
	md_type_id kt = en.g.key_type, vt = en.g.val_type;
	if (!md_shapes_reach(s, kt) && !md_shapes_reach(s, vt))
		return MD_OK;
	if (k == 0) {
		*out = -2;
		return MD_OK;
	}
	md_status st;
	if ((st = md_shapes_get(s, kt, k - 1, &en.key_shape, err)) != MD_OK ||
	    (st = md_shapes_get(s, vt, k - 1, &en.val_shape, err)) != MD_OK)
		return st;
	if (en.key_shape < 0 && en.val_shape < 0)
		return MD_OK;
	if (!grow((void **)&s->entries, s->nentries, &s->entries_cap, sizeof *s->entries))
		return md_err_set(err, MD_E_NOMEM, "map entries");
	s->entries[s->nentries] = en;
	*out = (int)s->nentries++;
	return MD_OK;
}

md_status md_shapes_get(md_shapes *s, md_type_id type, int k, int *out, md_err *err)
{
	*out = -1;
	if (!type || k < 0)
		return MD_OK;
	const struct md_shape_memo *e = memo_find(s, type, k);
	if (e) {
		*out = e->shape;
		return MD_OK;
	}
	building b = { 0 };
	md_status st = build(s, type, k, &b, err);
	/* unsafe.Pointers are counted where the walk goes anyway, not a
	 * reason to go somewhere */
	size_t useful = 0;
	for (size_t i = 0; i < b.n; i++)
		useful += b.v[i].kind != MD_SLOT_UNSAFE;
	if (st == MD_OK && useful) {
		if (!grow((void **)&s->shapes, s->nshapes, &s->shapes_cap, sizeof *s->shapes))
			st = md_err_set(err, MD_E_NOMEM, "shapes");
		while (st == MD_OK && s->nslots + b.n > s->slots_cap) {
			size_t nc = s->slots_cap ? 2 * s->slots_cap : 1024;
			md_slot *q = realloc(s->slots, nc * sizeof *q);
			if (!q)
				st = md_err_set(err, MD_E_NOMEM, "shapes");
			else {
				s->slots = q;
				s->slots_cap = nc;
			}
		}
		if (st == MD_OK) {
			memcpy(s->slots + s->nslots, b.v, b.n * sizeof *b.v);
			s->shapes[s->nshapes] = (md_shape){ s->nslots, b.n, type };
			s->nslots += b.n;
			*out = (int)s->nshapes++;
		}
	}
	free(b.v);
	if (st == MD_OK && !memo_put(s, type, k, *out))
		st = md_err_set(err, MD_E_NOMEM, "shapes");
	return st;
}

/* One hop (pointer or slice) to a shape at depth k-1; -1 if nothing. */
static md_status hop(md_shapes *s, md_type_id to, int k, int *out, md_err *err)
{
	*out = -1;
	return k > 0 ? md_shapes_get(s, to, k - 1, out, err) : MD_OK;
}

static md_status build(md_shapes *s, md_type_id type, int k, building *b, md_err *err)
{
	md_type t;
	md_status st;
	/* named non-map types: the underlying type has the members */
	for (int i = 0;; i++) {
		if ((st = md_dwarf_type(s->d, type, &t, err)) != MD_OK)
			return st;
		if (t.kind != MD_TK_TYPEDEF)
			break;
		if (i == 32 || !t.target)
			return MD_OK;
		type = t.target;
	}
	int sub = -1;
	switch (t.kind) {
	case MD_TK_MAP: {
		int li = -1;
		if ((st = layout_of(s, type, &li, err)) != MD_OK)
			return st;
		md_slot sl = { .kind = MD_SLOT_MAP, .target = li, .entries = -1 };
		if ((st = entries_of(s, li, k, &sl.entries, err)) != MD_OK ||
		    (st = pool_add(s, "", "", &sl.suffix, err)) != MD_OK)
			return st;
		return add(b, sl, err);
	}
	case MD_TK_POINTER:
		if (!t.target)
			return add_plain(s, b, (md_slot){ .kind = MD_SLOT_UNSAFE }, err);
		if ((st = hop(s, t.target, k, &sub, err)) != MD_OK)
			return st;
		if (sub < 0)
			return k == 0 && md_shapes_reach(s, t.target) ?
			       add_plain(s, b, (md_slot){ .kind = MD_SLOT_CUT, .target = MD_CUT_PTR }, err) :
			       MD_OK;
		return add_plain(s, b, (md_slot){ .kind = MD_SLOT_PTR, .target = sub }, err);
	case MD_TK_INTERFACE: {
		if (!s->types_base)
			return MD_OK;
		uint64_t off;
		md_type_id mt;
		md_err e2;
		int nonempty = md_dwarf_member(s->d, t.target, "tab", &off, &mt, &e2) == MD_OK;
		md_slot sl = k == 0 ? (md_slot){ .kind = MD_SLOT_CUT, .target = MD_CUT_IFACE } :
		             (md_slot){ .kind = MD_SLOT_IFACE, .target = k - 1,
		                        .elem_size = (uint64_t)nonempty };
		return add_plain(s, b, sl, err);
	}
	case MD_TK_SLICE: {
		if ((st = hop(s, t.target, k, &sub, err)) != MD_OK)
			return st;
		md_slice_hdr h;
		md_type et;
		if (md_slice_hdr_get(s->d, type, &h, err) != MD_OK ||
		    md_dwarf_type(s->d, t.target, &et, err) != MD_OK || !et.size)
			return MD_OK;   /* not a slice we understand: nothing to follow */
		if (sub < 0 && !(k == 0 && md_shapes_reach(s, t.target)))
			return MD_OK;
		md_slot sl = { .kind = sub < 0 ? MD_SLOT_CUT : MD_SLOT_SLICE,
		               .target = sub < 0 ? MD_CUT_SLICE : sub, .elem_size = et.size,
		               .hdr = h };
		return add_plain(s, b, sl, err);
	}
	case MD_TK_ARRAY: {
		md_type et;
		if (!t.count || (st = md_shapes_get(s, t.target, k, &sub, err)) != MD_OK || sub < 0)
			return st;
		if ((st = md_dwarf_type(s->d, t.target, &et, err)) != MD_OK)
			return st;
		for (uint64_t i = 0; i < t.count; i++) {
			char pre[32];
			snprintf(pre, sizeof pre, "[%llu]", (unsigned long long)i);
			st = add_child(s, b, sub, i * et.size, pre, err);
			if (st == MD_NOTFOUND) {
				s->truncated += t.count - i;
				return MD_OK;
			}
			if (st != MD_OK)
				return st;
		}
		return MD_OK;
	}
	case MD_TK_STRUCT: {
		members m = { 0 };
		st = md_dwarf_each_member(s->d, type, collect, &m, err);
		if (st == MD_OK && m.nomem)
			st = md_err_set(err, MD_E_NOMEM, "members");
		if (st == MD_OK && strcmp(t.name, "sync.Map") == 0 && !m.has_dirty)
			st = note(s, b, t.name, SYNCMAP_TRIE, err);
		else
			for (size_t i = 0; st == MD_OK && i < m.n; i++) {
				if ((st = md_shapes_get(s, m.v[i].type, k, &sub, err)) != MD_OK || sub < 0)
					continue;
				char pre[260];
				snprintf(pre, sizeof pre, ".%s", m.v[i].name);
				st = add_child(s, b, sub, m.v[i].off, pre, err);
				if (st == MD_NOTFOUND) {
					s->truncated++;
					st = MD_OK;
					break;
				}
			}
		free(m.v);
		return st == MD_NOTFOUND ? MD_OK : st;
	}
	default:
		return MD_OK;   /* strings, funcs, chans: no map to reach */
	}
}
