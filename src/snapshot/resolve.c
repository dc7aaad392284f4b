/* resolve.c - from a path to a read plan (see resolve.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resolve.h"
#include "expr.h"
#include "mapiter.h"
#include "rtype.h"
#include "stackvars.h"
#include "allgs.h"
#include "goroutine.h"
#include "md_cfi.h"
#include "validate.h"

struct md_resolver {
	md_dwarf *d;
	uint64_t bias;
	md_mem *live;              /* borrowed */
	md_mem mem;                /* live, under the stack values held apart */
	md_overlay ov;
	int rt_loaded;             /* run-time types, on the first .(T) */
	md_status rt_status;
	md_err rt_err;
	md_rtypes rt;
	int st_loaded;             /* goroutine stacks, on the first stack path */
	md_status st_status;
	md_err st_err;
	md_g_layout gl;
	md_allgs_loc al;
	md_cfi *cfi;
	md_stack_src src;
	md_stackvars sv;
	unsigned char *scratch;    /* MD_MAPITER_SCRATCH, on the first map key */
};

md_status md_resolver_open(md_dwarf *d, uint64_t bias, md_mem *live, md_resolver **out,
                           md_err *err)
{
	md_resolver *r = calloc(1, sizeof *r);
	if (!r)
		return md_err_set(err, MD_E_NOMEM, "path resolution");
	r->d = d;
	r->bias = bias;
	r->live = live;
	md_stackvars_reset(&r->sv);
	r->ov = (md_overlay){ live, &r->sv.synth_copy, 1 };
	md_mem_open_overlay(&r->mem, &r->ov);
	*out = r;
	return MD_OK;
}

void md_resolver_close(md_resolver *r)
{
	if (!r)
		return;
	md_mem_close(&r->mem);
	md_stackvars_free(&r->sv);
	md_cfi_free(r->cfi);
	free(r->scratch);
	free(r);
}

/* ---- one path ---------------------------------------------------------- */

/* A stack variable whose value was assembled from pieces (stackvars.h:
 * at a synthetic address): where each of its bytes really is. */
typedef struct held {
	uint64_t base, size;       /* the synthetic copy */
	uint64_t cfa;
	md_local local;
} held;

typedef struct build {
	md_resolver *r;            /* NULL: DWARF only */
	md_dwarf *d;
	uint64_t bias;
	md_plan *p;
	const char *expr;
	md_type_id tid;            /* the type of what the plan stands on */
	int path;                  /* expr[0..path) names it */
	int has_held;
	held h;
	md_err *err;
} build;

/* A type's name for messages ("*main.Holder", "[4]map[int]int"), into
 * buf, which it returns. */
typedef struct tname_buf {
	char s[256];
} tname_buf;

static const char *tname(md_dwarf *d, md_type_id id, tname_buf *buf)
{
	md_type t;
	md_err e;
	if (!id || md_dwarf_type(d, id, &t, &e) != MD_OK || !t.name[0])
		return "an unnamed type";
	snprintf(buf->s, sizeof buf->s, "%s", t.name);
	return buf->s;
}

/* Follow typedefs of non-map named types down to the underlying type. */
static md_status strip(md_dwarf *d, md_type_id id, md_type *t, md_err *err)
{
	for (int i = 0; i < 32; i++) {
		md_status s = md_dwarf_type(d, id, t, err);
		if (s != MD_OK)
			return s;
		if (t->kind != MD_TK_TYPEDEF)
			return MD_OK;
		id = t->target;
	}
	return md_err_set(err, MD_E_DWARF, "typedef chain too long");
}

static md_status push(md_plan *p, md_step_kind kind, int path_len, md_err *err)
{
	if (p->nsteps == MD_PLAN_MAX_STEPS)
		return md_err_set(err, MD_E_BADEXPR, "'%s': more than %d pointer hops",
		                  p->expr, MD_PLAN_MAX_STEPS);
	md_step *s = &p->steps[p->nsteps++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->path_len = path_len;
	return MD_OK;
}

/* Add a constant offset: to the last step's `add`, or to base. */
static void offset(md_plan *p, uint64_t off)
{
	if (p->nsteps)
		p->steps[p->nsteps - 1].add += off;
	else
		p->base += off;
}

/* Where the expression's variable is: the plan's base, its type, and how
 * much of expr names it (the longest variable name that is a prefix). */
static md_status find_var(build *b, int name_end, size_t *nlen, md_err *err)
{
	uint64_t addr;
	/* DWARF looks for the name ending at a '.', a '[' or the end: give it
	 * the name alone, not what follows ('#key[', '.(T)') */
	char name[MD_EXPR_MAX_LEN + 1];
	snprintf(name, sizeof name, "%.*s", name_end, b->expr);
	md_status s = md_dwarf_find_var(b->d, name, nlen, &addr, &b->tid, err);
	if (s == MD_NOTFOUND) {
		char hint[sizeof err->detail];
		snprintf(hint, sizeof hint, "%s", err->detail);
		return md_err_set(err, MD_E_NOVAR, "%s%s%s", b->expr, hint[0] ? "; " : "", hint);
	}
	if (s == MD_OK)
		b->p->base = addr + b->bias;
	return s;
}

/* Go selects through pointers (p.f and p[i] on *struct, *array): a
 * dereference per pointer, until *t is what they point at.  untyped: the
 * error for a pointer without a pointee type; NULL to stop there. */
static md_status deref_all(build *b, const char *untyped, md_type *t, md_err *err)
{
	md_status s;
	if ((s = strip(b->d, b->tid, t, err)) != MD_OK)
		return s;
	while (t->kind == MD_TK_POINTER) {
		if (!t->target) {
			if (!untyped)
				return MD_OK;
			return md_err_set(err, MD_E_NOFIELD, "%.*s %s", b->path, b->expr, untyped);
		}
		if ((s = push(b->p, MD_STEP_DEREF, b->path, err)) != MD_OK)
			return s;
		b->tid = t->target;
		if ((s = strip(b->d, b->tid, t, err)) != MD_OK)
			return s;
	}
	return MD_OK;
}

/* .name on a struct: its member's offset folds into the plan. */
static md_status select_field(build *b, const md_seg *g, const md_type *t, md_err *err)
{
	tname_buf tn;
	if (t->kind == MD_TK_INTERFACE)
		return md_err_set(err, MD_E_NOFIELD,
		                  "%.*s is %s, an interface: no field '%s' until its dynamic type is "
		                  "named, %.*s.(T).%s (mapdiag scan prints such paths)",
		                  b->path, b->expr, tname(b->d, b->tid, &tn), g->name, b->path,
		                  b->expr, g->name);
	if (t->kind != MD_TK_STRUCT)
		return md_err_set(err, MD_E_NOFIELD, "%.*s is %s, not a struct: no field '%s'",
		                  b->path, b->expr, tname(b->d, b->tid, &tn), g->name);
	uint64_t off;
	md_type_id mt;
	md_status s = md_dwarf_member(b->d, b->tid, g->name, &off, &mt, err);
	if (s == MD_NOTFOUND) {
		char hint[sizeof err->detail];
		snprintf(hint, sizeof hint, "%s", err->detail);
		return md_err_set(err, MD_E_NOFIELD, "%s has no field '%s'%s%s",
		                  tname(b->d, b->tid, &tn), g->name, hint[0] ? "; " : "", hint);
	}
	if (s != MD_OK)
		return s;
	offset(b->p, off);
	b->tid = mt;
	return MD_OK;
}

/* [N] on an array (an offset, checked now) or a slice (a step: the bound
 * is checked when the header is read). */
static md_status select_index(build *b, const md_seg *g, const md_type *t, md_err *err)
{
	md_status s;
	md_type et;
	tname_buf tn;
	if (t->kind != MD_TK_ARRAY && t->kind != MD_TK_SLICE)
		return md_err_set(err, MD_E_NOTINDEX, "%.*s is %s: cannot index it", b->path,
		                  b->expr, tname(b->d, b->tid, &tn));
	if (g->is_key || g->lit != MD_LIT_UINT)
		return md_err_set(err, MD_E_NOTINDEX, "%.*s is %s: its index is a decimal number",
		                  b->path, b->expr, tname(b->d, b->tid, &tn));
	if (t->kind == MD_TK_ARRAY) {
		if ((s = md_dwarf_type(b->d, t->target, &et, err)) != MD_OK)
			return s;
		if (g->index >= t->count)
			return md_err_set(err, MD_E_RANGE, "%.*s: index %llu out of range [0:%llu]",
			                  b->path, b->expr, (unsigned long long)g->index,
			                  (unsigned long long)t->count);
		offset(b->p, g->index * et.size);
		b->tid = t->target;
		return MD_OK;
	}
	md_slice_hdr h;
	if ((s = md_slice_hdr_get(b->d, b->tid, &h, err)) != MD_OK ||
	    (s = md_dwarf_type(b->d, t->target, &et, err)) != MD_OK ||
	    (s = push(b->p, MD_STEP_SLICE, b->path, err)) != MD_OK)
		return s;
	md_step *st = &b->p->steps[b->p->nsteps - 1];
	st->hdr = h;
	st->index = g->index;
	st->elem_size = et.size;
	b->tid = t->target;
	return MD_OK;
}

/* ---- reading the running target --------------------------------------- */

static uint64_t le64(const unsigned char *x)
{
	uint64_t v;
	memcpy(&v, x, 8);
	return v;
}

/* Where [addr, addr+len) of a value held apart really is: 1 with *real,
 * 0 when those bytes are not all in one piece of target memory (a piece
 * the compiler kept nowhere at this pc). */
static int held_real(const build *b, uint64_t addr, uint64_t len, uint64_t *real)
{
	const held *h = &b->h;
	uint64_t o = addr - h->base, at = 0;
	for (int i = 0; i < h->local.npieces && at < h->size; i++) {
		const md_piece *pc = &h->local.pieces[i];
		uint64_t n = pc->size ? pc->size : h->size - at;
		if (o >= at && o + len <= at + n) {
			if (pc->loc.kind == MD_LOC_CFA || pc->loc.kind == MD_LOC_FBREG) {
				*real = h->cfa + (uint64_t)pc->loc.off + (o - at);
				return h->cfa != 0;
			}
			if (pc->loc.kind == MD_LOC_ADDR) {
				*real = pc->loc.addr + b->bias + (o - at);
				return 1;
			}
			return 0;
		}
		at += n;
	}
	return 0;
}

static int is_held(const build *b, uint64_t addr)
{
	return b->has_held && addr >= b->h.base && addr - b->h.base < b->h.size;
}

/* Add a guard: the len bytes at addr must still be want (SAME), or the
 * int64 there still above want's (ABOVE). */
static md_status guard(build *b, uint64_t addr, const void *want, uint32_t len,
                       md_guard_kind kind, int path_len, md_err *err)
{
	md_plan *p = b->p;
	if (is_held(b, addr) && !held_real(b, addr, len, &addr))
		return md_err_set(err, MD_E_NOSTACK, "%.*s is optimized out (in part) here",
		                  path_len, b->expr);
	if (p->nguards == MD_PLAN_MAX_GUARDS)
		return md_err_set(err, MD_E_BADEXPR,
		                  "'%s': more than %d words to check again at the stop (fewer "
		                  "interface, key and stack hops)", b->expr, MD_PLAN_MAX_GUARDS);
	md_guard *g = &p->guards[p->nguards++];
	memset(g, 0, sizeof *g);
	g->addr = addr;
	g->len = len > MD_GUARD_MAX ? MD_GUARD_MAX : len;
	g->kind = kind;
	g->path_len = path_len;
	memcpy(g->want, want, g->len);
	return MD_OK;
}

/* Read len bytes at addr from the running target, and guard them (when
 * kind >= 0).  A stack value held apart is read where its piece is. */
static md_status rd(build *b, uint64_t addr, void *buf, size_t len, int kind, int path_len,
                    md_err *err)
{
	if (is_held(b, addr)) {
		uint64_t real;
		if (!held_real(b, addr, len, &real))
			return md_err_set(err, MD_E_NOSTACK, "%.*s is optimized out (in part) here",
			                  path_len, b->expr);
	}
	md_read r = { addr, buf, len, 0 };
	md_err e;
	md_status s = md_mem_readv(&b->r->mem, &r, 1, &e);
	if (s == MD_E_EXITED || s == MD_E_SYS) {
		*err = e;
		return s;
	}
	if (!r.ok)
		return md_err_set(err, MD_E_MEM, "cannot read %.*s at 0x%llx", path_len, b->expr,
		                  (unsigned long long)addr);
	if (kind < 0)
		return MD_OK;
	return guard(b, addr, buf, (uint32_t)len, (md_guard_kind)kind, path_len, err);
}

/* Follow the plan's steps now, on the running target, guarding every
 * word they read: the plan then starts where they led. */
static md_status fold(build *b, md_err *err)
{
	md_plan *p = b->p;
	if (!b->r)
		return md_err_set(err, MD_E_BADEXPR,
		                  "'%s': a path through a goroutine, an interface or a map "
		                  "entry needs the running target", b->expr);
	uint64_t cur = p->base;
	md_status s;
	for (int i = 0; i < p->nsteps; i++) {
		const md_step *st = &p->steps[i];
		unsigned char w[8];
		if (st->kind == MD_STEP_DEREF) {
			if ((s = rd(b, cur, w, 8, MD_GUARD_SAME, st->path_len, err)) != MD_OK)
				return s;
			if (!le64(w))
				return md_err_set(err, MD_E_NILPTR, "%.*s is a nil pointer",
				                  st->path_len, b->expr);
			cur = le64(w) + st->add;
			continue;
		}
		unsigned char len[8];
		uint64_t want = st->index;
		if ((s = rd(b, cur + st->hdr.off_data, w, 8, MD_GUARD_SAME, st->path_len, err)) ||
		    (s = rd(b, cur + st->hdr.off_len, len, 8, -1, st->path_len, err)) ||
		    (s = guard(b, cur + st->hdr.off_len, &want, 8, MD_GUARD_ABOVE, st->path_len, err)))
			return s;
		if ((int64_t)le64(len) <= (int64_t)st->index)
			return md_err_set(err, MD_E_RANGE, "%.*s: index %llu out of range [0:%lld]",
			                  st->path_len, b->expr, (unsigned long long)st->index,
			                  (long long)le64(len));
		if (!le64(w))
			return md_err_set(err, MD_E_NILPTR, "%.*s has a nil backing array",
			                  st->path_len, b->expr);
		cur = le64(w) + st->index * st->elem_size + st->add;
	}
	p->base = cur;
	p->nsteps = 0;
	return MD_OK;
}

/* ---- .(T) -------------------------------------------------------------- */

static md_status rtypes(build *b, md_err *err)
{
	md_resolver *r = b->r;
	if (!r->rt_loaded) {
		r->rt_status = md_rtypes_load(r->d, r->bias, &r->rt, &r->rt_err);
		r->rt_loaded = 1;
	}
	if (r->rt_status == MD_OK)
		return MD_OK;
	return md_err_set(err, MD_E_DYNTYPE,
	                  "%.*s: the executable has no runtime.types symbol, so no interface "
	                  "can be followed", b->path, b->expr);
}

/* The name of the type whose descriptor is at run-time address rtype. */
static void dyn_name(build *b, uint64_t rtype, tname_buf *tn)
{
	md_type_id t;
	md_err e;
	if (rtype < b->r->rt.types_base ||
	    md_dwarf_type_of_runtime(b->d, rtype - b->r->rt.types_base, &t, &e) != MD_OK)
		snprintf(tn->s, sizeof tn->s, "type at 0x%llx", (unsigned long long)rtype);
	else
		tname(b->d, t, tn);
}

/* Which type .(T) names, and where its descriptor is in the process. */
static md_status want_type(build *b, const md_seg *g, md_type_id *type, uint64_t *rtype,
                           md_err *err)
{
	uint64_t off;
	md_err e;
	md_status s = md_dwarf_type_by_name(b->d, g->name, type, &e);
	if (s == MD_NOTFOUND)
		return md_err_set(err, MD_E_DYNTYPE, "%.*s: no type named %s in the DWARF",
		                  g->end, b->expr, g->name);
	if (s == MD_OK)
		s = md_dwarf_runtime_off(b->d, *type, &off, &e);
	if (s == MD_NOTFOUND)
		return md_err_set(err, MD_E_DYNTYPE,
		                  "%.*s: %s has no run-time type descriptor, so no interface holds it",
		                  g->end, b->expr, g->name);
	if (s != MD_OK) {
		*err = e;
		return s;
	}
	*rtype = b->r->rt.types_base + off;
	return MD_OK;
}

/* .(T) on an interface: its type word (an itab's type member for a
 * non-empty interface) must be T's descriptor; the value is the data word
 * itself (pointer-shaped T) or what it points to. */
static md_status iface_hop(build *b, const md_seg *g, const md_type *t, md_err *err)
{
	md_status s;
	tname_buf tn, hn;
	if (t->kind != MD_TK_INTERFACE)
		return md_err_set(err, MD_E_DYNTYPE, "%.*s is %s, not an interface: no .(%s)",
		                  b->path, b->expr, tname(b->d, b->tid, &tn), g->name);
	uint64_t off, rtype, want = 0, data;
	md_type_id mt, type;
	md_err e;
	int nonempty = md_dwarf_member(b->d, t->target, "tab", &off, &mt, &e) == MD_OK;
	unsigned char w[8];
	if ((s = fold(b, err)) != MD_OK || (s = rtypes(b, err)) != MD_OK ||
	    (s = want_type(b, g, &type, &want, err)) != MD_OK)
		return s;
	/* both words: an interface is assigned a word at a time, so a stop can
	 * find a new type word with the old data word, or the reverse */
	uint64_t at = b->p->base;
	unsigned char iw[16];
	if ((s = rd(b, at, iw, 8, MD_GUARD_SAME, b->path, err)) != MD_OK ||
	    (s = rd(b, at + 8, iw + 8, 8, MD_GUARD_SAME, b->path, err)) != MD_OK)
		return s;
	if (!(rtype = le64(iw)))
		return md_err_set(err, MD_E_NILPTR, "%.*s is a nil interface", b->path, b->expr);
	/* itabs never change: the guard on the itab pointer covers its type */
	if (nonempty && (s = rd(b, rtype + b->r->rt.itab_type_off, w, 8, -1, b->path, err)))
		return s;
	if (nonempty)
		rtype = le64(w);
	if (rtype != want) {
		dyn_name(b, rtype, &hn);
		return md_err_set(err, MD_E_DYNTYPE, "%.*s holds a %s, not a %s", b->path, b->expr,
		                  hn.s, g->name);
	}
	data = le64(iw + 8);
	/* the descriptor, not DWARF, says how the value travels: a pointer
	 * to a not-in-heap type is boxed */
	int direct = md_rtype_direct(b->d, type);
	md_err e2;
	md_rtype_direct_at(&b->r->mem, &b->r->rt, rtype, &direct, &e2);
	if (direct)
		b->p->base = at + 8;
	else if (data)
		b->p->base = data;
	else
		return md_err_set(err, MD_E_NILPTR, "%.*s holds a nil %s", b->path, b->expr, g->name);
	b->tid = type;
	return MD_OK;
}

/* ---- [K], [#N], #key[K] on a map --------------------------------------- */

static const char *key_kind(md_key_fmt f)
{
	switch (f) {
	case MD_KEY_STRING: return "strings";
	case MD_KEY_INT: return "integers";
	case MD_KEY_UINT: return "unsigned integers";
	case MD_KEY_BOOL: return "booleans";
	case MD_KEY_PTR: return "pointers";
	default: return "neither strings, integers, booleans nor pointers";
	}
}

/* Does the key literal fit the map's keys? */
static int lit_fits(md_lit_kind lit, md_key_fmt f)
{
	switch (lit) {
	case MD_LIT_POS: return 1;
	case MD_LIT_STRING: return f == MD_KEY_STRING;
	case MD_LIT_UINT: return f == MD_KEY_INT || f == MD_KEY_UINT;
	case MD_LIT_INT: return f == MD_KEY_INT;
	case MD_LIT_BOOL: return f == MD_KEY_BOOL;
	case MD_LIT_PTR: return f == MD_KEY_PTR;
	}
	return 0;
}

typedef struct finder {
	build *b;
	const md_seg *g;
	const md_map_geom *geom;
	int found;
	md_map_slot slot;
	unsigned char key[MD_GUARD_MAX];
} finder;

static int key_is(finder *f, const md_map_slot *s)
{
	const md_seg *g = f->g;
	const md_map_geom *geom = f->geom;
	switch (g->lit) {
	case MD_LIT_POS:
		return s->pos == g->index;
	case MD_LIT_BOOL:
		return (s->key[0] != 0) == (g->index != 0);
	case MD_LIT_PTR:
		return le64(s->key) == g->index;
	case MD_LIT_INT:
	case MD_LIT_UINT:
		return md_map_key_int(geom, s->key) == g->index;
	case MD_LIT_STRING: {
		unsigned char sb[MD_EXPR_MAX_KEY];
		if (le64(s->key + 8) != g->len)
			return 0;
		md_read r = { le64(s->key), sb, g->len, 0 };
		md_err e;
		return g->len == 0 ||
		       (md_mem_readv(&f->b->r->mem, &r, 1, &e), r.ok && !memcmp(sb, g->str, g->len));
	}
	}
	return 0;
}

static int find_slot(void *arg, const md_map_slot *s)
{
	finder *f = arg;
	if (!key_is(f, s))
		return 0;
	f->found = 1;
	f->slot = *s;
	size_t n = f->geom->key_size < MD_GUARD_MAX ? f->geom->key_size : MD_GUARD_MAX;
	memcpy(f->key, s->key, n);
	f->slot.key = f->key;
	return 1;
}

/* The map's header (its layout checked) and the words that say where its
 * storage is, guarded: a growth or a clear moves them. */
static md_status map_header(build *b, const md_map_layout *l, unsigned char *h, md_err *err)
{
	unsigned char w[8];
	md_status s;
	uint64_t at = b->p->base;
	if ((s = rd(b, at, w, 8, MD_GUARD_SAME, b->path, err)) != MD_OK)
		return s;
	if (!le64(w))
		return md_err_set(err, MD_E_NOKEY, "%.*s is a nil map: it has no entries", b->path,
		                  b->expr);
	uint64_t hdr = le64(w);
	if ((s = rd(b, hdr, h, l->header_size, -1, b->path, err)) != MD_OK)
		return s;
	const md_field *f[2] = { &l->buckets, &l->oldbuckets };
	if (l->impl == MD_IMPL_SWISS) {
		f[0] = &l->dirPtr;
		f[1] = &l->dirLen;
	}
	for (int i = 0; i < 2; i++)
		if (f[i]->off >= 0 && (s = guard(b, hdr + (uint64_t)f[i]->off, h + f[i]->off,
		                                 f[i]->size, MD_GUARD_SAME, b->path, err)) != MD_OK)
			return s;
	return MD_OK;
}

/* What a search that found nothing says. */
static md_status not_found(build *b, const md_seg *g, const md_mapiter_nf *nf,
                           uint64_t full, md_err *err)
{
	int n = g->end;
	if (nf->map_bound)
		return md_err_set(err, MD_E_NOKEY,
		                  "%.*s: not found among the entries mapdiag searches (it reads at "
		                  "most %d buckets or groups of a map)", n, b->expr,
		                  MD_MAPITER_MAX_BUCKETS);
	if (g->lit == MD_LIT_POS)
		return md_err_set(err, MD_E_RANGE, "%.*s: the map has %llu entries", n, b->expr,
		                  (unsigned long long)full);
	return md_err_set(err, MD_E_NOKEY, "%.*s: the map has no such key%s", n, b->expr,
	                  nf->unreadable ? " among the buckets mapdiag could read" : "");
}

static int count_slot(void *arg, const md_map_slot *s)
{
	(void)s;
	(*(uint64_t *)arg)++;
	return 0;
}

/* The guards of the entry found, and the plan then starts at its value
 * (or key).  The slot must still be full and hold the same key bytes: not
 * the same control byte, as a map that was emptied takes a new hash seed
 * (runtime: mapdelete, deleteSmall), so the same key comes back with
 * another tophash or H2, in the same slot; an emptied or evacuated slot,
 * or one another key took, fails. */
static md_status take_slot(build *b, const md_seg *g, const md_map_layout *l,
                           const md_map_geom *geom, const finder *f, md_err *err)
{
	const md_map_slot *s = &f->slot;
	md_status st;
	uint64_t kn = geom->key_size < MD_GUARD_MAX ? geom->key_size : MD_GUARD_MAX;
	md_guard_kind full = l->impl == MD_IMPL_SWISS ? MD_GUARD_CTRL : MD_GUARD_TOPHASH;
	if ((st = guard(b, s->ctrl_addr, &s->ctrl, 1, full, g->end, err)) != MD_OK ||
	    (kn && (st = guard(b, s->key_addr, f->key, (uint32_t)kn, MD_GUARD_SAME, g->end,
	                       err)) != MD_OK))
		return st;
	unsigned char w[8];
	if (s->dir_at && (st = rd(b, s->dir_at, w, 8, MD_GUARD_SAME, g->end, err)) != MD_OK)
		return st;
	if (s->table && l->t_groups_data.off >= 0 &&
	    (st = rd(b, s->table + (uint64_t)l->t_groups_data.off, w, 8, MD_GUARD_SAME, g->end,
	             err)) != MD_OK)
		return st;
	b->p->base = g->is_key ? s->key_addr : s->val_addr;
	b->tid = g->is_key ? geom->key_type : geom->val_type;
	return MD_OK;
}

static md_status map_entry(build *b, const md_seg *g, md_err *err)
{
	md_map_layout l;
	md_map_geom geom;
	tname_buf tn;
	md_status s = md_dwarf_map_layout(b->d, b->tid, &l, err);
	if (s == MD_OK)
		s = md_layout_check(&l, err);
	if (s == MD_OK && (s = md_map_geom_get(b->d, b->tid, &l, &geom, err)) == MD_NOTFOUND)
		s = md_err_set(err, MD_E_LAYOUT, "%.*s: the DWARF does not describe %s's %s",
		               b->path, b->expr, tname(b->d, b->tid, &tn),
		               l.impl == MD_IMPL_SWISS ? "groups" : "buckets");
	if (s != MD_OK)
		return s;
	if (!lit_fits(g->lit, geom.key_fmt))
		return md_err_set(err, MD_E_NOTINDEX,
		                  "%.*s is %s: cannot index it with that key: its keys are %s%s",
		                  b->path, b->expr, tname(b->d, b->tid, &tn), key_kind(geom.key_fmt),
		                  geom.key_fmt == MD_KEY_POS ? " (name an entry by position: [#N])" : "");
	unsigned char h[512];
	if (l.header_size > sizeof h)
		return md_err_set(err, MD_E_LAYOUT, "%s: map header of %llu bytes", l.type_name,
		                  (unsigned long long)l.header_size);
	if ((s = fold(b, err)) != MD_OK || (s = map_header(b, &l, h, err)) != MD_OK)
		return s;
	if (!b->r->scratch && !(b->r->scratch = malloc(MD_MAPITER_SCRATCH)))
		return md_err_set(err, MD_E_NOMEM, "map search");
	finder f = { b, g, &geom, 0, { 0 }, { 0 } };
	md_mapiter_nf nf = { 0, 0 };
	md_map_iter(&b->r->mem, &l, &geom, h, b->r->scratch, find_slot, &f, &nf);
	if (!f.found) {
		uint64_t full = 0;
		if (g->lit == MD_LIT_POS)
			md_map_iter(&b->r->mem, &l, &geom, h, b->r->scratch, count_slot, &full, &nf);
		return not_found(b, g, &nf, full, err);
	}
	return take_slot(b, g, &l, &geom, &f, err);
}

/* ---- g<goid>/<function>/<variable> ------------------------------------- */

static md_status stacks(build *b, md_err *err)
{
	md_resolver *r = b->r;
	if (!r->st_loaded) {
		r->st_loaded = 1;
		r->st_status = md_g_layout_load(r->d, &r->gl, &r->st_err);
		if (r->st_status == MD_OK)
			r->st_status = md_allgs_locate(r->d, r->bias, &r->al, &r->st_err);
		if (r->st_status == MD_OK && md_cfi_open(r->d, &r->cfi, &r->st_err) != MD_OK)
			r->cfi = NULL;   /* frame pointers only */
		r->src = (md_stack_src){ r->d, r->cfi, r->bias, &r->gl, &r->al, NULL };
	}
	if (r->st_status == MD_OK)
		return MD_OK;
	return md_err_set(err, MD_E_NOSTACK, "%s: the runtime's DWARF does not describe its "
	                  "goroutines: %s", b->expr, r->st_err.detail);
}

/* What the walk of one goroutine found for each place its path's
 * function may end. */
typedef struct stack_find {
	build *b;
	const md_path_root *root;
	const char *func;          /* the frame being looked at */
	int frames_of[MD_EXPR_MAX_SPLITS];   /* frames of each split's function */
	int found[MD_EXPR_MAX_SPLITS];
	md_stackvar var[MD_EXPR_MAX_SPLITS];
	md_local local[MD_EXPR_MAX_SPLITS];
	uint64_t size[MD_EXPR_MAX_SPLITS];
} stack_find;

static int split_func_is(const stack_find *c, int i, const char *func)
{
	const md_stack_split *sp = &c->root->splits[i];
	size_t n = (size_t)(sp->func_end - sp->func_start);
	return strlen(func) == n && !memcmp(func, c->b->expr + sp->func_start, n);
}

static int split_var_is(const stack_find *c, int i, const char *name)
{
	const md_stack_split *sp = &c->root->splits[i];
	size_t n = (size_t)(sp->var_end - sp->var_start);
	return strlen(name) == n && !memcmp(name, c->b->expr + sp->var_start, n);
}

static int sf_func(void *arg, const char *func)
{
	stack_find *c = arg;
	int want = 0;
	c->func = func;
	for (int i = 0; i < c->root->nsplits; i++)
		if (split_func_is(c, i, func)) {
			c->frames_of[i]++;
			want = 1;
		}
	return want;
}

static int sf_want(void *arg, const md_local *l, const md_type *t)
{
	stack_find *c = arg;
	(void)t;
	for (int i = 0; i < c->root->nsplits; i++)
		if (split_func_is(c, i, c->func) && split_var_is(c, i, l->name))
			return 1;
	return 0;
}

static int sf_var(void *arg, const md_stackvar *v)
{
	stack_find *c = arg;
	for (int i = 0; i < c->root->nsplits; i++)
		if (!c->found[i] && split_func_is(c, i, v->func) &&
		    split_var_is(c, i, v->local->name) &&
		    v->occurrence == c->root->splits[i].occurrence) {
			c->found[i] = 1;
			c->var[i] = *v;
			c->local[i] = *v->local;
			c->size[i] = v->size_type.size;
		}
	return 0;
}

/* Why no split was found: the goroutine, the frame or the variable. */
static md_status stack_missing(build *b, const stack_find *c, const md_stackvars *sv,
                               md_err *err)
{
	const md_stack_split *sp = &c->root->splits[0];
	int fl = sp->func_end - sp->func_start;
	const char *fn = b->expr + sp->func_start;
	if (sv->goroutines == 0 && sv->running)
		return md_err_set(err, MD_E_NOSTACK,
		                  "%s: goroutine %lld is running on a thread: its frames are only "
		                  "known inside a stop (mapdiag scan --consistent)", b->expr,
		                  (long long)c->root->goid);
	for (int i = 0; i < c->root->nsplits; i++)
		if (c->frames_of[i] > c->root->splits[i].occurrence) {
			sp = &c->root->splits[i];
			return md_err_set(err, MD_E_NOSTACK, "%s: %.*s has no variable %.*s at its pc",
			                  b->expr, sp->func_end - sp->func_start, b->expr + sp->func_start,
			                  sp->var_end - sp->var_start, b->expr + sp->var_start);
		}
	if (c->frames_of[0] && sp->occurrence)
		return md_err_set(err, MD_E_NOSTACK, "%s: goroutine %lld has %d frames of %.*s, no #%d",
		                  b->expr, (long long)c->root->goid, c->frames_of[0], fl, fn,
		                  sp->occurrence);
	return md_err_set(err, MD_E_NOSTACK, "%s: goroutine %lld has no frame of %.*s", b->expr,
	                  (long long)c->root->goid, fl, fn);
}

/* The frame is still there, the goroutine still that one, its stack not
 * moved: its id, its stack bounds and the frame's return address. */
static md_status stack_guards(build *b, const md_stackvar *v, md_err *err)
{
	md_resolver *r = b->r;
	uint64_t at[4] = { v->g + r->gl.goid_off, v->g + r->gl.stack_off + r->gl.stack_lo_off,
	                   v->g + r->gl.stack_off + r->gl.stack_hi_off, v->cfa - 8 };
	int n = v->cfa ? 4 : 3;
	unsigned char w[8];
	for (int i = 0; i < n; i++) {
		md_status s = rd(b, at[i], w, 8, MD_GUARD_SAME, b->path, err);
		if (s != MD_OK)
			return s;
	}
	return MD_OK;
}

static md_status stack_root(build *b, const md_path_root *root, int *var_end, md_err *err)
{
	md_status s;
	if (!b->r)
		return md_err_set(err, MD_E_BADEXPR, "'%s': a stack path needs the running target",
		                  b->expr);
	if ((s = stacks(b, err)) != MD_OK)
		return s;
	stack_find *c = calloc(1, sizeof *c);
	if (!c)
		return md_err_set(err, MD_E_NOMEM, "stack path");
	c->b = b;
	c->root = root;
	md_stackvars_reset(&b->r->sv);
	md_sv_visit v = { root->goid, sf_func, sf_want, sf_var, c };
	md_err e;
	s = md_stackvars_each(&b->r->sv, &b->r->src, &b->r->mem, &v, &e);
	int i = 0;
	while (s == MD_OK && i < root->nsplits && !c->found[i])
		i++;
	if (s == MD_NOTFOUND)
		s = md_err_set(err, MD_E_NOSTACK, "%s: no goroutine %lld (it has exited?)", b->expr,
		               (long long)root->goid);
	else if (s != MD_OK)
		*err = e;
	else if (i == root->nsplits)
		s = stack_missing(b, c, &b->r->sv, err);
	if (s == MD_OK) {
		const md_stack_split *sp = &root->splits[i];
		const md_stackvar *sv = &c->var[i];
		b->path = *var_end = sp->var_end;
		if (sv->status == MD_SV_OPTIMIZED_OUT)
			s = md_err_set(err, MD_E_NOSTACK, "%s is optimized out at the frame's pc (the "
			               "compiler keeps no value for it there)", b->expr);
		else if (sv->status == MD_SV_REGISTER_LOST)
			s = md_err_set(err, MD_E_NOSTACK, "%s is in a register at the frame's pc, which "
			               "is not saved anywhere mapdiag can read", b->expr);
		else {
			b->p->base = sv->addr;
			b->tid = c->local[i].type;
			if (sv->addr >= MD_MEM_SYNTH_BASE) {
				b->has_held = 1;
				b->h = (held){ sv->addr, c->size[i], sv->cfa, c->local[i] };
			}
			s = stack_guards(b, sv, err);
		}
	}
	free(c);
	return s;
}

/* A plan that starts inside a stack value held apart starts where that
 * word really is; when its first read spans pieces, that read is made now. */
static md_status real_base(build *b, md_err *err)
{
	md_plan *p = b->p;
	while (p->nsteps && is_held(b, p->base)) {
		uint64_t real, len = p->steps[0].kind == MD_STEP_SLICE ?
		                     md_slice_hdr_len(&p->steps[0].hdr) : 8;
		if (held_real(b, p->base, len, &real)) {
			p->base = real;
			return MD_OK;
		}
		/* one step now, the rest in the stop */
		md_step rest[MD_PLAN_MAX_STEPS];
		int n = p->nsteps - 1;
		memcpy(rest, p->steps + 1, (size_t)n * sizeof *rest);
		p->nsteps = 1;
		md_status s = fold(b, err);
		if (s != MD_OK)
			return s;
		memcpy(p->steps, rest, (size_t)n * sizeof *rest);
		p->nsteps = n;
	}
	return MD_OK;
}

/* ---- the whole path ----------------------------------------------------- */

/* One selector applied to what the plan stands on. */
static md_status apply(build *b, const md_seg *g, md_err *err)
{
	md_type t;
	md_status s = deref_all(b, "is an untyped pointer", &t, err);
	if (s != MD_OK)
		return s;
	if (g->kind == MD_SEG_FIELD)
		return select_field(b, g, &t, err);
	if (g->kind == MD_SEG_TYPE)
		return iface_hop(b, g, &t, err);
	if (t.kind != MD_TK_MAP)
		return g->is_key ? md_err_set(err, MD_E_NOTINDEX, "%.*s is not a map: no #key[...]",
		                              b->path, b->expr)
		                 : select_index(b, g, &t, err);
	if (!b->r)
		return fold(b, err);   /* says why not */
	return map_entry(b, g, err);
}

md_status md_plan_path(md_resolver *r, md_dwarf *d, const char *expr, uint64_t bias,
                       md_plan *p, md_err *err)
{
	memset(p, 0, sizeof *p);
	p->expr = expr;
	md_path_root *root = malloc(sizeof *root);
	md_seg *segs = malloc(MD_EXPR_MAX_SEGS * sizeof *segs);
	build b = { r, d, bias, p, expr, 0, 0, 0, { 0 }, err };
	int nseg = 0, start = 0;
	size_t nlen;
	md_status s = root && segs ? md_expr_root(expr, root, err)
	                           : md_err_set(err, MD_E_NOMEM, "path");
	if (s == MD_OK && root->kind == MD_PATH_ADDR)
		s = md_err_set(err, MD_E_BADEXPR, "'%s': a header address is not a path", expr);
	if (s == MD_OK && root->kind == MD_PATH_GLOBAL &&
	    (s = find_var(&b, root->name_end, &nlen, err)) == MD_OK)
		b.path = start = (int)nlen;
	else if (s == MD_OK && root->kind == MD_PATH_STACK)
		s = stack_root(&b, root, &start, err);
	if (s == MD_OK)
		s = md_expr_split(expr, start, segs, &nseg, err);
	for (int i = 0; s == MD_OK && i < nseg; i++) {
		s = apply(&b, &segs[i], err);
		b.path = segs[i].end;
	}
	/* The end must be a map, or pointers to one. */
	md_type t;
	/* named as declared: "*prometheus.CounterVec", not what it points at */
	md_type_id declared = b.tid;
	if (s == MD_OK && (s = deref_all(&b, NULL, &t, err)) == MD_OK && t.kind != MD_TK_MAP) {
		tname_buf tn;
		s = md_err_set(err, MD_E_NOTMAP, "%s is %s", expr, tname(d, declared, &tn));
	}
	if (s == MD_OK) {
		p->map_type = b.tid;
		s = push(p, MD_STEP_DEREF, b.path, err);   /* the map value */
	}
	if (s == MD_OK)
		s = real_base(&b, err);
	free(root);
	free(segs);
	return s;
}

md_status md_plan_build(md_dwarf *d, const char *expr, uint64_t bias, md_plan *p, md_err *err)
{
	return md_plan_path(NULL, d, expr, bias, p, err);
}
