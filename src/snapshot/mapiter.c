/* mapiter.c - the entries of a map, in storage order (see mapiter.h). */
#include <stdio.h>
#include <string.h>
#include "mapiter.h"
#include "validate.h"

/* ---- geometry, from DWARF -------------------------------------------- */

static int member_at(md_dwarf *d, md_type_id st, const char *name, uint64_t *off,
                     md_type_id *type)
{
	md_err e;
	return md_dwarf_member(d, st, name, off, type, &e) == MD_OK;
}

/* The target of pointer type `p` (levels times). */
static md_type_id deref(md_dwarf *d, md_type_id p, int levels)
{
	md_err e;
	for (int i = 0; i < levels && p; i++) {
		md_type t;
		if (md_dwarf_type(d, p, &t, &e) != MD_OK || t.kind != MD_TK_POINTER)
			return 0;
		p = t.target;
	}
	return p;
}

/* The type under named types (the linker names the arrays and structs of
 * buckets and groups: "noalg.[8]struct { key K; elem V }"). */
static md_type_id strip(md_dwarf *d, md_type_id type)
{
	md_type t;
	md_err e;
	for (int i = 0; i < 8 && type; i++) {
		if (md_dwarf_type(d, type, &t, &e) != MD_OK || t.kind != MD_TK_TYPEDEF)
			return type;
		type = t.target;
	}
	return type;
}

/* An [8]X array member: X and its size. */
static int array8(md_dwarf *d, md_type_id st, const char *name, uint64_t *off,
                  md_type_id *elem, uint64_t *size)
{
	md_type_id at;
	md_type t, et;
	md_err e;
	if (!member_at(d, st, name, off, &at) || md_dwarf_type(d, at = strip(d, at), &t, &e) != MD_OK ||
	    t.kind != MD_TK_ARRAY || t.count != 8 ||
	    md_dwarf_type(d, t.target, &et, &e) != MD_OK)
		return 0;
	*elem = t.target;
	*size = et.size;
	return 1;
}

static void key_format(md_dwarf *d, md_type_id key, md_map_geom *g)
{
	md_type t;
	md_err e;
	g->key_fmt = MD_KEY_POS;
	for (int i = 0; i < 8 && md_dwarf_type(d, key, &t, &e) == MD_OK; i++) {
		if (t.kind == MD_TK_TYPEDEF) {
			key = t.target;
			continue;
		}
		if (t.kind == MD_TK_STRING)
			g->key_fmt = MD_KEY_STRING;
		else if (t.kind == MD_TK_POINTER)
			g->key_fmt = MD_KEY_PTR;
		else if (t.kind == MD_TK_BASE && !strcmp(t.name, "bool"))
			g->key_fmt = MD_KEY_BOOL;
		else if (t.kind == MD_TK_BASE && t.size && t.size <= 8 &&
		         (!strncmp(t.name, "int", 3) || !strncmp(t.name, "uint", 4))) {
			g->key_fmt = t.name[0] == 'u' ? MD_KEY_UINT : MD_KEY_INT;
			g->key_bytes = t.size;
		}
		return;
	}
}

static int geom_classic(md_dwarf *d, md_type_id hdr, md_map_geom *g)
{
	uint64_t off;
	md_type_id t, bt;
	md_type bty;
	md_err e;
	if (!member_at(d, hdr, "buckets", &off, &t) || !(bt = strip(d, deref(d, t, 1))) ||
	    md_dwarf_type(d, bt, &bty, &e) != MD_OK ||
	    !member_at(d, bt, "tophash", &g->b_tophash, &t) ||
	    !array8(d, bt, "keys", &g->b_keys, &g->key_type, &g->key_size) ||
	    !(array8(d, bt, "values", &g->b_vals, &g->val_type, &g->val_size) ||
	      array8(d, bt, "elems", &g->b_vals, &g->val_type, &g->val_size)) ||
	    !member_at(d, bt, "overflow", &g->b_overflow, &t))
		return 0;
	g->b_size = bty.size;
	return g->b_size >= g->b_overflow + 8;
}

/* Interleaved group: ctrl, then slots [8]struct { key K; elem V }. */
static int group_slots(md_dwarf *d, md_type_id gt, md_map_geom *g)
{
	uint64_t slots, slot_size, s_key, s_elem;
	md_type_id slot;
	md_type sty;
	md_err e;
	if (!array8(d, gt, "slots", &slots, &slot, &slot_size) ||
	    md_dwarf_type(d, slot = strip(d, slot), &sty, &e) != MD_OK ||
	    !member_at(d, slot, "key", &s_key, &g->key_type) ||
	    !member_at(d, slot, "elem", &s_elem, &g->val_type))
		return 0;
	md_type kt, vt;
	if (md_dwarf_type(d, g->key_type, &kt, &e) != MD_OK ||
	    md_dwarf_type(d, g->val_type, &vt, &e) != MD_OK)
		return 0;
	g->key_size = kt.size;
	g->val_size = vt.size;
	g->g_key0 = slots + s_key;
	g->g_elem0 = slots + s_elem;
	g->g_key_stride = g->g_elem_stride = slot_size;
	/* the key and the elem lie inside their slot, the slots inside the
	 * group (hostile DWARF: checked before any offset is used) */
	return slot_size && s_key + g->key_size <= slot_size &&
	       s_elem + g->val_size <= slot_size && g->g_size >= slots + 8 * slot_size;
}

/* Split group (GOEXPERIMENT=mapsplitgroup, cmd/compile/internal/
 * reflectdata/map.go of 1.27): ctrl, keys [8]K, elems [8]V. */
static int group_split(md_dwarf *d, md_type_id gt, md_map_geom *g)
{
	if (!array8(d, gt, "keys", &g->g_key0, &g->key_type, &g->key_size) ||
	    !array8(d, gt, "elems", &g->g_elem0, &g->val_type, &g->val_size))
		return 0;
	g->g_key_stride = g->key_size;
	g->g_elem_stride = g->val_size;
	g->g_split = 1;
	return g->g_size >= g->g_key0 + 8 * g->key_size &&
	       g->g_size >= g->g_elem0 + 8 * g->val_size;
}

static int geom_swiss(md_dwarf *d, md_type_id hdr, md_map_geom *g)
{
	uint64_t off, goff;
	md_type_id t, tab, gref, gt;
	md_type gty;
	md_err e;
	if (!member_at(d, hdr, "dirPtr", &off, &t) || !(tab = strip(d, deref(d, t, 2))) ||
	    !member_at(d, tab, "groups", &goff, &gref) ||
	    !member_at(d, strip(d, gref), "data", &off, &t) ||
	    !(gt = strip(d, deref(d, t, 1))) || md_dwarf_type(d, gt, &gty, &e) != MD_OK ||
	    !member_at(d, gt, "ctrl", &g->g_ctrl, &t) || g->g_ctrl + 8 > gty.size)
		return 0;
	g->g_size = gty.size;
	return group_slots(d, gt, g) || group_split(d, gt, g);
}

md_status md_map_geom_get(md_dwarf *d, md_type_id map_type, const md_map_layout *l,
                          md_map_geom *g, md_err *err)
{
	md_type mt;
	memset(g, 0, sizeof *g);
	g->impl = l->impl;
	md_status s = md_dwarf_type(d, map_type, &mt, err);
	if (s != MD_OK)
		return s;
	int ok = mt.target && (l->impl == MD_IMPL_HMAP ? geom_classic(d, mt.target, g)
	                                               : geom_swiss(d, mt.target, g));
	if (!ok)
		return md_err_set(err, MD_NOTFOUND, "%s: no bucket or group layout in DWARF",
		                  mt.name);
	key_format(d, g->key_type, g);
	return MD_OK;
}

/* ---- iteration --------------------------------------------------------- */

static uint64_t le64(const unsigned char *b)
{
	uint64_t v;
	memcpy(&v, b, 8);   /* amd64 and arm64 are little-endian */
	return v;
}

static uint64_t lefld(const unsigned char *b, const md_field *f)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < f->size && i < 8; i++)
		v |= (uint64_t)b[f->off + i] << (8 * i);
	return v;
}

typedef struct iter {
	md_mem *m;
	const md_map_layout *l;
	const md_map_geom *g;
	unsigned char *scratch;
	md_map_slot_fn fn;
	void *arg;
	md_mapiter_nf *nf;
	uint64_t pos;
	uint64_t dir_at, table;
	int stop;
} iter;

static void give(iter *x, md_map_slot *s)
{
	s->pos = x->pos++;
	s->dir_at = x->dir_at;
	s->table = x->table;
	if (x->fn(x->arg, s))
		x->stop = 1;
}

/* A classic bucket (its bytes at b). */
static void bucket(iter *x, uint64_t addr, const unsigned char *b)
{
	const md_map_geom *g = x->g;
	for (int i = 0; i < 8 && !x->stop; i++) {
		unsigned char th = b[g->b_tophash + (uint64_t)i];
		if (th < 5)
			continue;
		uint64_t ko = g->b_keys + (uint64_t)i * g->key_size;
		md_map_slot s = { 0, b + ko, addr + ko, addr + g->b_vals + (uint64_t)i * g->val_size,
		                  addr + g->b_tophash + (uint64_t)i, th, 0, 0 };
		give(x, &s);
	}
}

/* A Swiss group. */
static void group(iter *x, uint64_t addr, const unsigned char *gb)
{
	const md_map_geom *g = x->g;
	uint64_t ctrl = le64(gb + g->g_ctrl);
	for (int i = 0; i < 8 && !x->stop; i++) {
		unsigned char c = (unsigned char)(ctrl >> (8 * i));
		if (c & 0x80)
			continue;
		uint64_t ko = g->g_key0 + (uint64_t)i * g->g_key_stride;
		uint64_t eo = g->g_elem0 + (uint64_t)i * g->g_elem_stride;
		md_map_slot s = { 0, gb + ko, addr + ko, addr + eo, addr + g->g_ctrl + (uint64_t)i, c,
		                  0, 0 };
		give(x, &s);
	}
}

/* A classic bucket's overflow chain, a bucket at a time, into the
 * scratch's second half. */
static void chain(iter *x, const unsigned char *b, uint64_t sz)
{
	md_err e;
	unsigned char *ob = x->scratch + MD_MAPITER_CHUNK;
	uint64_t of = le64(b + x->g->b_overflow);
	for (int c = 0; of && c < MD_MAPITER_MAX_CHAIN && !x->stop; c++) {
		md_read orr = { of, ob, (size_t)sz, 0 };
		if (md_mem_readv(x->m, &orr, 1, &e) != MD_OK) {
			x->nf->unreadable++;
			break;
		}
		bucket(x, of, ob);
		of = le64(ob + x->g->b_overflow);
	}
}

/* n blocks of size sz at addr, read a chunk at a time. */
static void blocks(iter *x, uint64_t addr, uint64_t n, uint64_t sz, int classic)
{
	md_err e;
	uint64_t per = MD_MAPITER_CHUNK / sz;
	for (uint64_t i = 0; i < n && !x->stop; i += per) {
		uint64_t k = n - i < per ? n - i : per;
		md_read r = { addr + i * sz, x->scratch, (size_t)(k * sz), 0 };
		if (md_mem_readv(x->m, &r, 1, &e) != MD_OK) {
			x->nf->unreadable++;
			continue;
		}
		for (uint64_t j = 0; j < k && !x->stop; j++) {
			const unsigned char *b = x->scratch + j * sz;
			if (!classic) {
				group(x, addr + (i + j) * sz, b);
				continue;
			}
			bucket(x, addr + (i + j) * sz, b);
			chain(x, b, sz);
		}
	}
}

static void iter_classic(iter *x, const unsigned char *h)
{
	const md_map_layout *l = x->l;
	uint64_t B = lefld(h, &l->B), count = lefld(h, &l->count);
	uint64_t sz = x->g->b_size;
	if (B > 31 || (1ull << B) > MD_MAPITER_MAX_BUCKETS) {
		x->nf->map_bound += count;
		return;
	}
	uint64_t nb = 1ull << B;
	uint64_t bk = lefld(h, &l->buckets), old = lefld(h, &l->oldbuckets);
	/* sameSizeGrow (flags & 8, runtime/map.go) keeps the old array's size */
	uint64_t nold = lefld(h, &l->flags) & 8 ? nb : nb / 2;
	if (bk)
		blocks(x, bk, nb, sz, 1);
	if (old && nold)
		blocks(x, old, nold, sz, 1);
}

static void iter_swiss(iter *x, const unsigned char *h)
{
	const md_map_layout *l = x->l;
	int64_t dirlen = (int64_t)lefld(h, &l->dirLen);
	uint64_t dir = lefld(h, &l->dirPtr);
	md_err e;
	if (!dir)
		return;
	if (dirlen == 0) {   /* a small map: one group, no table */
		blocks(x, dir, 1, x->g->g_size, 0);
		return;
	}
	if (dirlen < 0 || dirlen > MD_SWISS_MAX_DIRLEN) {
		x->nf->map_bound += lefld(h, &l->used);
		return;
	}
	uint64_t prev = 0, groups_walked = 0;
	unsigned char tb[512];
	if (l->table_size > sizeof tb)
		return;
	for (int64_t i = 0; i < dirlen && !x->stop; i++) {
		uint64_t t;
		if (!md_mem_read64(x->m, dir + 8 * (uint64_t)i, &t)) {
			x->nf->unreadable++;
			return;
		}
		if (!t || t == prev)   /* tables span 2^(global-local) entries */
			continue;
		prev = t;
		md_read r = { t, tb, (size_t)l->table_size, 0 };
		if (md_mem_readv(x->m, &r, 1, &e) != MD_OK) {
			x->nf->unreadable++;
			continue;
		}
		uint64_t data = lefld(tb, &l->t_groups_data);
		uint64_t ng = lefld(tb, &l->t_groups_lengthMask) + 1;
		if (!data || ng > MD_MAPITER_MAX_BUCKETS || groups_walked + ng > MD_MAPITER_MAX_BUCKETS) {
			x->nf->map_bound += lefld(tb, &l->t_used);
			continue;
		}
		groups_walked += ng;
		x->dir_at = dir + 8 * (uint64_t)i;
		x->table = t;
		blocks(x, data, ng, x->g->g_size, 0);
	}
}

int md_map_iter(md_mem *m, const md_map_layout *l, const md_map_geom *g,
                const unsigned char *hdr, unsigned char *scratch, md_map_slot_fn fn,
                void *arg, md_mapiter_nf *nf)
{
	if (g->b_size > MD_MAPITER_CHUNK || g->g_size > MD_MAPITER_CHUNK)
		return 0;
	iter x = { m, l, g, scratch, fn, arg, nf, 0, 0, 0, 0 };
	if (l->impl == MD_IMPL_HMAP)
		iter_classic(&x, hdr);
	else
		iter_swiss(&x, hdr);
	return x.stop;
}

/* ---- keys as paths write them ----------------------------------------- */

/* Go's strconv.Quote for the printable ASCII keys paths are made of;
 * anything else is written \xNN, which the path parser (expr.h) reads back
 * the same. */
static void quote(const unsigned char *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n && o + 6 < cap; i++) {
		unsigned c = p[i];
		if (c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
	}
	out[o++] = '"';
	out[o] = '\0';
}

uint64_t md_map_key_int(const md_map_geom *g, const unsigned char *kb)
{
	uint64_t v = 0;
	memcpy(&v, kb, g->key_bytes);
	if (g->key_fmt == MD_KEY_INT && g->key_bytes < 8 && (v >> (8 * g->key_bytes - 1) & 1))
		v |= ~0ull << (8 * g->key_bytes);   /* sign-extend */
	return v;
}

void md_map_key_text(md_mem *m, const md_map_geom *g, const unsigned char *kb, uint64_t pos,
                     char *out, size_t cap)
{
	switch (g->key_fmt) {
	case MD_KEY_STRING: {
		uint64_t p = le64(kb), n = le64(kb + 8);
		unsigned char sb[MD_KEY_MAX_STRING];
		md_read r = { p, sb, (size_t)n, 0 };
		md_err e;
		if (n <= MD_KEY_MAX_STRING && (n == 0 || (md_mem_readv(m, &r, 1, &e), r.ok))) {
			quote(sb, (size_t)n, out, cap);
			return;
		}
		break;
	}
	case MD_KEY_INT:
	case MD_KEY_UINT:
		snprintf(out, cap, g->key_fmt == MD_KEY_INT ? "%lld" : "%llu",
		         (long long)md_map_key_int(g, kb));
		return;
	case MD_KEY_BOOL:
		snprintf(out, cap, "%s", kb[0] ? "true" : "false");
		return;
	case MD_KEY_PTR:
		snprintf(out, cap, "0x%llx", (unsigned long long)le64(kb));
		return;
	default:
		break;
	}
	snprintf(out, cap, "#%llu", (unsigned long long)pos);
}
