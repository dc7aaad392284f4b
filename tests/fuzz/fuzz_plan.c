/* fuzz_plan.c - read plans, scan shapes and the map reads, built from the
 * DWARF of an arbitrary file and run against memory of this process.
 *
 * The input is a whole file, as for fuzz_dwarf.  If md_dwarf_open takes
 * it, the harness collects a bounded number of package variables
 * (md_dwarf_each_var) and lays out a value of each one's type in an arena
 * of its own memory, as the DWARF describes it (whatever the member
 * offsets and sizes say, hostile ones included): structs member by member,
 * arrays element by element, slices as a header at the DWARF's `array`,
 * `len` and `cap` offsets pointing at two elements, pointers at a pointee,
 * maps at a header laid out by md_dwarf_map_layout (classic; Swiss with
 * one group or with a directory of two tables).  Then, against the arena:
 *
 *   - md_plan_build for "<var>", "<var>[0..2]", "<var>.<member>" and
 *     "<var>.<member>[0]", with the load bias chosen so that the variable
 *     lands on its arena copy; md_plan_run on all of them at once;
 *   - md_mapread_prepare + md_mapread_all (speculation on, so both the rounds
 *     and the one-round path run) + md_map_report_take on the plans that reach
 *     a map;
 *   - md_shapes_get at depth 3, md_walk_run from the arena copies, and
 *     md_mapread_all + md_map_report_take on the maps the walk found.
 *
 * Memory is read through md_mem opened with MD_MEM_PREAD (/proc/self/mem):
 * ASan intercepts pread (not process_vm_readv), so every byte a read
 * writes into a buffer of mapdiag's is checked against that buffer.
 *
 * Properties beyond "no crash" (FUZZ_CHECK): every plan ends with a status
 * plan.h allows; every step reads at most MD_PLAN_STEP_BYTES; a model of
 * the plan's steps (plan.h's description of them, run on the arena with
 * memcpy) ends with the same status and header; every slice slot of a
 * shape reads a header that fits md_walk_item.buf (an overrun there stays
 * inside the walk's item array, where ASan cannot see it); the walk and
 * the reads stay within their bounds.
 *
 * MAPDIAG_CACHE_DIR="" and debug_dir pointing nowhere: nothing is written
 * to disk and no debug file of this machine is searched for.
 *
 * Seeds: those of fuzz_dwarf (build/fuzz/seeds: tests/fuzz/seed/mini.S,
 * whose main.sl is a []main.Cache of Swiss maps; real Go binaries copied
 * from testdata/bin at run time).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "md_dwarf.h"
#include "plan.h"
#include "shape_priv.h"
#include "walk_priv.h"
#include "mapread.h"
#include "validate.h"
#include "report.h"
#include "gofacts.h"

/* Work bounds per input, so that a real binary stays in the ms. */
#define ARENA_SIZE ((size_t)1 << 20)
#define MAX_VARS 16
#define MAX_PLANS 96
#define MAX_MEMBERS 16
#define LAY_BUDGET 400      /* values laid out per input */
#define LAY_DEPTH 6         /* nesting of pointers, structs, arrays, slices */
#define MAX_BLOCK 4096      /* largest block one value gets */
#define SLICE_ELEMS 2       /* elements behind each slice */
#define ARRAY_ELEMS 4       /* elements of an array laid out */
#define MAX_WALK_MAPS 32    /* maps of the walk read afterwards */

static unsigned char *arena;
static size_t arena_used;   /* bump allocator; dirty up to here */

typedef struct var {
	char name[128];
	uint64_t addr;
	md_type_id type;
	size_t block;       /* arena offset of its value */
} var;

typedef struct ctx {
	md_dwarf *d;
	var vars[MAX_VARS];
	int nvars, seen, limit;
	int budget;
	unsigned nmaps;     /* maps laid out: picks the kind of the next */
} ctx;

static uint64_t at(size_t off)
{
	return (uint64_t)(uintptr_t)arena + off;
}

static int in_arena(uint64_t a, size_t n)
{
	uint64_t lo = (uint64_t)(uintptr_t)arena;
	return a >= lo && n <= ARENA_SIZE && a - lo <= ARENA_SIZE - n;
}

/* A block of n bytes (16-aligned), or 0 when the arena is full. */
static size_t alloc(uint64_t n)
{
	size_t o = (arena_used + 15) & ~(size_t)15;
	if (n == 0)
		n = 8;
	if (n > MAX_BLOCK || o + n > ARENA_SIZE)
		return 0;
	arena_used = o + (size_t)n;
	return o;
}

/* Write the low n bytes of v at arena offset base + off (off comes from
 * DWARF and may be anything: what falls outside the arena is dropped). */
static void put(size_t base, uint64_t off, unsigned n, uint64_t v)
{
	if (n == 0 || n > 8 || off > ARENA_SIZE || base > ARENA_SIZE - off ||
	    base + off > ARENA_SIZE - n)
		return;
	for (unsigned i = 0; i < n; i++)
		arena[base + off + i] = (unsigned char)(v >> (8 * i));
}

static void put_field(size_t base, md_field f, uint64_t v)
{
	if (f.off >= 0)
		put(base, (uint64_t)f.off, f.size < 8 ? f.size : 8, v);
}

/* ---- laying values out as DWARF describes them ------------------------ */

static void lay(ctx *c, md_type_id t, size_t off, int depth);

static void lay_map(ctx *c, md_type_id t, size_t off)
{
	md_map_layout l;
	md_err e;
	if (md_dwarf_map_layout(c->d, t, &l, &e) != MD_OK || md_layout_check(&l, &e) != MD_OK)
		return;
	unsigned kind = c->nmaps++ % 3;
	size_t h = alloc(l.header_size);
	if (!h)
		return;
	if (l.impl == MD_IMPL_HMAP) {
		put_field(h, l.count, 5 + kind);
		put_field(h, l.B, kind);
		put_field(h, l.hash0, 0x1234);
		size_t b = alloc(l.bucket_size);
		put_field(h, l.buckets, b ? at(b) : 0);
		if (kind == 2) {   /* growing: old buckets, half evacuated */
			size_t ob = alloc(l.bucket_size);
			put_field(h, l.oldbuckets, ob ? at(ob) : 0);
			put_field(h, l.nevacuate, 1);
		}
	} else {
		put_field(h, l.used, 3 + kind);
		put_field(h, l.seed, 0x5678);
		if (kind != 2) {   /* small: one group, no directory */
			size_t g = alloc(l.group_size);
			put_field(h, l.dirPtr, g ? at(g) : 0);
		} else {           /* a directory of two tables */
			size_t dir = alloc(16);
			put_field(h, l.dirLen, 2);
			put_field(h, l.globalDepth, 1);
			put_field(h, l.globalShift, 63);
			put_field(h, l.dirPtr, dir ? at(dir) : 0);
			for (int i = 0; dir && i < 2; i++) {
				size_t tb = alloc(l.table_size);
				if (!tb)
					break;
				put(dir, (uint64_t)i * 8, 8, at(tb));
				put_field(tb, l.t_used, 2 + i);
				put_field(tb, l.t_capacity, 8);
				put_field(tb, l.t_growthLeft, 5 - i);
				put_field(tb, l.t_localDepth, 1);
				put_field(tb, l.t_index, (uint64_t)i);
				size_t g = alloc(l.group_size);
				put_field(tb, l.t_groups_data, g ? at(g) : 0);
				put_field(tb, l.t_groups_lengthMask, 0);
			}
		}
	}
	put(off, 0, 8, at(h));
}

typedef struct members {
	struct { char name[64]; uint64_t off; md_type_id type; } m[MAX_MEMBERS];
	int n;
} members;

static int collect_member(void *arg, const char *name, uint64_t off, md_type_id type)
{
	members *ms = arg;
	snprintf(ms->m[ms->n].name, sizeof ms->m[ms->n].name, "%s", name);
	ms->m[ms->n].off = off;
	ms->m[ms->n].type = type;
	return ++ms->n == MAX_MEMBERS;
}

/* The type under typedefs of non-map types (maps resolve to MD_TK_MAP). */
static int strip(ctx *c, md_type_id *t, md_type *ty)
{
	md_err e;
	for (int i = 0; i < 32 && *t; i++) {
		if (md_dwarf_type(c->d, *t, ty, &e) != MD_OK)
			return 0;
		if (ty->kind != MD_TK_TYPEDEF)
			return 1;
		*t = ty->target;
	}
	return 0;
}

static void lay(ctx *c, md_type_id t, size_t off, int depth)
{
	md_type ty;
	md_err e;
	if (depth > LAY_DEPTH || c->budget-- <= 0 || !strip(c, &t, &ty))
		return;
	switch (ty.kind) {
	case MD_TK_MAP:
		lay_map(c, t, off);
		break;
	case MD_TK_POINTER: {
		md_type pt;
		md_type_id tt = ty.target;
		if (!tt || !strip(c, &tt, &pt))
			break;
		size_t b = alloc(pt.size);
		if (!b)
			break;
		lay(c, tt, b, depth + 1);
		put(off, 0, 8, at(b));
		break;
	}
	case MD_TK_STRUCT: {
		members ms = { .n = 0 };
		(void)md_dwarf_each_member(c->d, t, collect_member, &ms, &e);
		for (int i = 0; i < ms.n; i++)
			if (ms.m[i].off < ARENA_SIZE && off + ms.m[i].off < ARENA_SIZE)
				lay(c, ms.m[i].type, off + (size_t)ms.m[i].off, depth + 1);
		break;
	}
	case MD_TK_ARRAY: {
		md_type et;
		md_type_id tt = ty.target;
		if (!tt || !strip(c, &tt, &et))
			break;
		for (uint64_t i = 0; i < ty.count && i < ARRAY_ELEMS; i++)
			if (et.size && i * et.size < ARENA_SIZE && off + i * et.size < ARENA_SIZE)
				lay(c, ty.target, off + (size_t)(i * et.size), depth + 1);
		break;
	}
	case MD_TK_SLICE: {
		uint64_t od, ol, oc;
		md_type_id x;
		md_type et;
		md_type_id tt = ty.target;
		if (md_dwarf_member(c->d, t, "array", &od, &x, &e) != MD_OK ||
		    md_dwarf_member(c->d, t, "len", &ol, &x, &e) != MD_OK)
			break;
		if (md_dwarf_member(c->d, t, "cap", &oc, &x, &e) != MD_OK)
			oc = UINT64_MAX;
		if (!tt || !strip(c, &tt, &et))
			break;
		size_t b = et.size && et.size <= MAX_BLOCK / SLICE_ELEMS ?
		           alloc(et.size * SLICE_ELEMS) : 0;
		for (int i = 0; b && i < SLICE_ELEMS; i++)
			lay(c, ty.target, b + (size_t)i * et.size, depth + 1);
		put(off, od, 8, b ? at(b) : 0);
		put(off, ol, 8, SLICE_ELEMS);
		put(off, oc, 8, SLICE_ELEMS);
		break;
	}
	default:
		break;   /* strings, interfaces, numbers: zero */
	}
}

static int collect_var(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	ctx *c = arg;
	c->seen++;
	for (int i = 0; i < c->nvars; i++)
		if (strcmp(c->vars[i].name, name) == 0)
			return c->seen >= c->limit;
	if (c->nvars < MAX_VARS && strlen(name) < sizeof c->vars[0].name) {
		var *v = &c->vars[c->nvars++];
		snprintf(v->name, sizeof v->name, "%s", name);
		v->addr = addr;
		v->type = type;
	}
	return c->seen >= c->limit || c->nvars == MAX_VARS;
}

/* ---- plans ------------------------------------------------------------ */

/* Bytes a step reads, as plan.h describes the steps. */
static uint64_t step_bytes(const md_step *s)
{
	if (s->kind != MD_STEP_SLICE)
		return 8;
	return (s->hdr.off_data > s->hdr.off_len ? s->hdr.off_data : s->hdr.off_len) + 8;
}

static uint64_t rd64(uint64_t a)
{
	uint64_t v;
	memcpy(&v, (const void *)(uintptr_t)a, 8);
	return v;
}

/* plan.h's steps run on the arena: 1 with the status and header a run
 * must end with, 0 when a read leaves the arena (no prediction). */
static int model(const md_plan *p, md_status *st, uint64_t *header)
{
	uint64_t cur = p->base;
	*header = 0;
	for (int i = 0; i < p->nsteps; i++) {
		const md_step *s = &p->steps[i];
		int last = i == p->nsteps - 1;
		uint64_t v;
		if (!in_arena(cur, step_bytes(s)))
			return 0;
		if (s->kind == MD_STEP_DEREF) {
			v = rd64(cur);
			if (v == 0 && !last) {
				*st = MD_E_NILPTR;
				return 1;
			}
		} else {
			uint64_t data = rd64(cur + s->hdr.off_data);
			int64_t len = (int64_t)rd64(cur + s->hdr.off_len);
			if (len < 0 || s->index >= (uint64_t)len) {
				*st = MD_E_RANGE;
				return 1;
			}
			if (data == 0) {
				*st = MD_E_NILPTR;
				return 1;
			}
			v = data + s->index * s->elem_size;
		}
		if (last) {
			*st = MD_OK;
			*header = v;
			return 1;
		}
		cur = v + s->add;
	}
	*st = MD_OK;   /* no step: no header */
	return 1;
}

typedef struct plans {
	md_plan p[MAX_PLANS];
	char expr[MAX_PLANS][160];
	int n;
} plans;

static void plan_add(ctx *c, plans *ps, const var *v, const char *expr)
{
	if (ps->n == MAX_PLANS)
		return;
	for (int k = 0; k < ps->n; k++)
		if (strcmp(ps->expr[k], expr) == 0)
			return;
	int i = ps->n;
	snprintf(ps->expr[i], sizeof ps->expr[i], "%s", expr);
	md_err e;
	uint64_t bias = at(v->block) - v->addr;
	md_status st = md_plan_build(c->d, ps->expr[i], bias, &ps->p[i], &e);
	FZ_SAY("plan %s: %d %s\n", expr, st, st ? e.detail : "");
	FUZZ_CHECK(FZ_TERMINATED(e.detail), "detail");
	if (st != MD_OK)
		return;
	FUZZ_CHECK(ps->p[i].nsteps >= 1 && ps->p[i].nsteps <= MD_PLAN_MAX_STEPS, "nsteps %d",
	           ps->p[i].nsteps);
	ps->n++;
}

/* Expressions naming the maps a shape reaches: its map slots, through
 * pointers (expressions select through them) and slices (elements 0, 1). */
static void shape_exprs(ctx *c, plans *ps, const var *v, const md_shapes *sh, int shape,
                        const char *prefix, int depth, int *left)
{
	const md_shape *x = &sh->shapes[shape];
	char expr[160];
	for (size_t j = 0; j < x->n && *left > 0; j++) {
		const md_slot *sl = &sh->slots[x->first + j];
		int w = snprintf(expr, sizeof expr, "%s%s", prefix, md_slot_suffix(sh, sl));
		if (w < 0 || (size_t)w >= sizeof expr - 4)
			continue;
		if (sl->kind == MD_SLOT_MAP) {
			plan_add(c, ps, v, expr);
			--*left;
		} else if (sl->kind == MD_SLOT_PTR && depth < 4) {
			shape_exprs(c, ps, v, sh, sl->target, expr, depth + 1, left);
		} else if (sl->kind == MD_SLOT_SLICE && depth < 4) {
			for (int k = 0; k < 2; k++) {
				char e2[160];
				snprintf(e2, sizeof e2, "%s[%d]", expr, k);
				shape_exprs(c, ps, v, sh, sl->target, e2, depth + 1, left);
			}
		}
	}
}

static void build_plans(ctx *c, plans *ps, const md_shapes *sh, const int *shape)
{
	char expr[160];
	for (int i = 0; i < c->nvars; i++) {
		const var *v = &c->vars[i];
		plan_add(c, ps, v, v->name);
		/* indexes of what can be indexed: 2 is out of a slice's range */
		md_type ty;
		md_type_id t = v->type;
		int ok = strip(c, &t, &ty);
		if (ok && ty.kind == MD_TK_POINTER && ty.target) {
			t = ty.target;
			ok = strip(c, &t, &ty);
		}
		for (int k = 0; ok && k < 3 && (ty.kind == MD_TK_SLICE || ty.kind == MD_TK_ARRAY); k++) {
			snprintf(expr, sizeof expr, "%s[%d]", v->name, k);
			plan_add(c, ps, v, expr);
		}
		int left = 6;
		if (shape[i] >= 0)
			shape_exprs(c, ps, v, sh, shape[i], v->name, 0, &left);
	}
}

/* What every run of p must satisfy. */
static void check_plan(const md_plan *p)
{
	FUZZ_CHECK(p->done, "%s: not done", p->expr);
	FUZZ_CHECK(p->status == MD_OK || p->status == MD_E_NILPTR || p->status == MD_E_RANGE ||
	           p->status == MD_E_MEM, "%s: status %d", p->expr, p->status);
	FUZZ_CHECK(FZ_TERMINATED(p->err.detail), "detail");
	for (int i = 0; i < p->nsteps; i++)
		FUZZ_CHECK(step_bytes(&p->steps[i]) <= MD_PLAN_STEP_BYTES,
		           "%s: step %d reads %llu bytes, more than MD_PLAN_STEP_BYTES (%d)",
		           p->expr, i, (unsigned long long)step_bytes(&p->steps[i]),
		           MD_PLAN_STEP_BYTES);
	md_status st;
	uint64_t header;
	if (model(p, &st, &header))
		FUZZ_CHECK(p->status == st && (st != MD_OK || p->header == header),
		           "%s: status %d header %#llx, the model says %d %#llx", p->expr, p->status,
		           (unsigned long long)p->header, st, (unsigned long long)header);
}

/* Read and decode n variables as attach and scan do. */
static void read_maps(md_mem *m, md_mapread *w, md_map_layout *l, int n, int speculate,
                      const md_gofacts *gf)
{
	md_mapread_ctx rc;
	md_err e;
	md_thresholds th;
	memset(&rc, 0, sizeof rc);
	rc.speculate = speculate;
	md_thresholds_default(&th);
	md_status st = md_mapread_prepare(m, w, n, &rc, n, &e);
	FZ_SAY("prepare %d maps: %d\n", n, st);
	if (st == MD_OK) {
		st = md_mapread_all(m, w, n, &rc, MD_READ_RECORD, &e);
		FZ_SAY("read_all: %d, speculated %d\n", st, rc.speculated);
		FUZZ_CHECK(st == MD_OK || st == MD_E_NOMEM, "read_all: %d %s", st, e.detail);
	}
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(w[i].ndir <= (size_t)MD_SWISS_MAX_DIRLEN && w[i].nt <= w[i].ndir,
		           "directory of %zu entries, %zu tables", w[i].ndir, w[i].nt);
		if (st != MD_OK || w[i].skip)
			continue;
		md_map_report mr;
		memset(&mr, 0, sizeof mr);
		mr.expr = w[i].name;
		mr.layout = &l[i];
		md_map_bytes b;
		md_mapread_bytes(&w[i], &b);
		md_map_report_take(&mr, w[i].rstatus, &w[i].rerr, &b, gf);
		md_map_report_classify(&mr, &th);
		FZ_SAY("  %s: %d %s\n", w[i].name, mr.status, mr.status ? mr.err.detail : "");
		FUZZ_CHECK(FZ_TERMINATED(mr.err.detail), "detail");
		md_map_view_free(&mr.view);
	}
	md_mapread_ctx_free(&rc);
}

static void run_plans(ctx *c, md_mem *m, const md_gofacts *gf, const md_shapes *sh,
                      const int *shape)
{
	plans *ps = calloc(1, sizeof *ps);
	md_plan *pp[MAX_PLANS];
	md_err e;
	if (!ps)
		abort();
	build_plans(c, ps, sh, shape);
	/* each plan alone: its scratch is then exactly one row, so a read
	 * past the row leaves the array and ASan sees it */
	md_status alone[MAX_PLANS];
	uint64_t alone_header[MAX_PLANS];
	md_status st;
	for (int i = 0; i < ps->n; i++) {
		pp[i] = &ps->p[i];
		st = md_plan_run(m, &pp[i], 1, &e);
		FUZZ_CHECK(st == MD_OK, "plan_run: %d %s", st, e.detail);
		FZ_SAY("run %s: %d header %#llx\n", ps->p[i].expr, ps->p[i].status,
		       (unsigned long long)ps->p[i].header);
		check_plan(&ps->p[i]);
		alone[i] = ps->p[i].status;
		alone_header[i] = ps->p[i].header;
	}
	/* all at once (one batch per round, reads merged by page): the same */
	st = md_plan_run(m, pp, ps->n, &e);
	FUZZ_CHECK(st == MD_OK, "plan_run: %d %s", st, e.detail);
	for (int i = 0; i < ps->n; i++) {
		check_plan(&ps->p[i]);
		FUZZ_CHECK(ps->p[i].status == alone[i] && ps->p[i].header == alone_header[i],
		           "%s: %d %#llx run with the others, %d %#llx alone", ps->p[i].expr,
		           ps->p[i].status, (unsigned long long)ps->p[i].header, alone[i],
		           (unsigned long long)alone_header[i]);
	}

	/* the plans that reach a map, read as attach does: those that ended
	 * in a header with speculation (which needs them all to), then all */
	for (int pass = 0; pass < 2; pass++) {
		md_mapread *w = calloc(MAX_PLANS, sizeof *w);
		md_map_layout *l = calloc(MAX_PLANS, sizeof *l);
		int n = 0;
		if (!w || !l)
			abort();
		for (int i = 0; i < ps->n; i++) {
			if (pass == 0 && ps->p[i].status != MD_OK)
				continue;
			if (md_dwarf_map_layout(c->d, ps->p[i].map_type, &l[n], &e) != MD_OK ||
			    md_layout_check(&l[n], &e) != MD_OK)
				continue;
			w[n].layout = &l[n];
			w[n].plan = &ps->p[i];
			w[n].name = ps->p[i].expr;
			if (!(w[n].hdr = calloc(1, l[n].header_size)))
				abort();
			n++;
		}
		read_maps(m, w, l, n, pass == 0, gf);
		for (int i = 0; i < n; i++)
			check_plan(w[i].plan);
		md_mapread_free(w, n);
		free(l);
	}
	free(ps);
}

/* ---- shapes and the walk ---------------------------------------------- */

/* What md_shapes_get gives: slots in range, naming what exists. */
static void check_shapes(const md_shapes *sh)
{
	for (size_t i = 0; i < sh->nshapes; i++) {
		const md_shape *x = &sh->shapes[i];
		FUZZ_CHECK(x->first <= sh->nslots && x->n <= sh->nslots - x->first, "shape slots");
		for (size_t j = 0; j < x->n; j++) {
			const md_slot *sl = &sh->slots[x->first + j];
			FUZZ_CHECK(sl->suffix < sh->npool, "suffix");
			switch (sl->kind) {
			case MD_SLOT_MAP:
				FUZZ_CHECK(sl->target >= 0 && (size_t)sl->target < sh->nlayouts, "map target");
				break;
			case MD_SLOT_SLICE:
				FUZZ_CHECK(sl->elem_size > 0, "slice of 0-byte elements");
				/* fall through */
			case MD_SLOT_PTR:
				FUZZ_CHECK(sl->target >= 0 && (size_t)sl->target < sh->nshapes, "shape target");
				break;
			case MD_SLOT_NOTE:
				FUZZ_CHECK(sl->target >= 0 && (size_t)sl->target < sh->nnotes, "note target");
				break;
			default:
				FUZZ_CHECK(0, "slot kind %d", sl->kind);
			}
		}
	}
}

/* Every read the walk makes for a slot fits md_walk_item.buf, where it
 * lands: a slice slot reads its header up to the end of the last of its
 * array, len and cap words. */
static void check_slot_reads(const md_shapes *sh)
{
	const size_t bufsize = sizeof ((md_walk_item *)0)->buf;
	for (size_t i = 0; i < sh->nshapes; i++)
		for (size_t j = 0; j < sh->shapes[i].n; j++) {
			const md_slot *sl = &sh->slots[sh->shapes[i].first + j];
			if (sl->kind != MD_SLOT_SLICE)
				continue;
			const md_slice_hdr *h = &sl->hdr;
			uint64_t n = (uint64_t)(h->off_data > h->off_len ? h->off_data : h->off_len);
			n = (h->off_cap > n ? h->off_cap : n) + 8;
			FUZZ_CHECK(n <= bufsize,
			           "slice slot %zu '%s' of the shape of type %#llx reads a %llu-byte "
			           "header into md_walk_item.buf[%zu] (array at %llu, len at %llu, "
			           "cap at %llu)", j, md_slot_suffix(sh, sl),
			           (unsigned long long)sh->shapes[i].type, (unsigned long long)n, bufsize,
			           (unsigned long long)h->off_data, (unsigned long long)h->off_len,
			           (unsigned long long)h->off_cap);
		}
}

static void run_walk(ctx *c, md_mem *m, const md_gofacts *gf, const md_shapes *sh,
                     const int *shape)
{
	md_err e;
	md_walk_root roots[MAX_VARS];
	int nroots = 0;
	for (int i = 0; i < c->nvars; i++)
		if (shape[i] >= 0)
			roots[nroots++] = (md_walk_root){ c->vars[i].name, at(c->vars[i].block), shape[i] };

	md_walk w;
	md_walk_init(&w, sh, roots, nroots);
	md_status st = md_walk_run(&w, m, &e);
	FZ_SAY("walk: %d, %zu maps %zu aliases %zu notes, %llu rounds, %llu unreadable\n", st,
	       w.nmaps, w.naliases, w.nnotes, (unsigned long long)w.rounds,
	       (unsigned long long)w.unreadable);
	FUZZ_CHECK(st == MD_OK || st == MD_E_NOMEM, "walk: %d %s", st, e.detail);
	FUZZ_CHECK(w.nmaps <= MD_SCAN_MAX_MAPS && w.naliases <= MD_SCAN_MAX_MAPS &&
	           w.nnotes <= MD_SCAN_MAX_MAPS, "lists past MD_SCAN_MAX_MAPS");
	FUZZ_CHECK(w.peak_items <= MD_SCAN_MAX_ITEMS, "peak %zu items", w.peak_items);
	FUZZ_CHECK(w.rounds <= MD_SHAPE_MAX_DEPTH + 2, "%llu rounds",
	           (unsigned long long)w.rounds);

	/* the maps it found, read as scan does */
	if (st == MD_OK && w.nmaps) {
		int n = w.nmaps < MAX_WALK_MAPS ? (int)w.nmaps : MAX_WALK_MAPS;
		md_mapread *v = calloc((size_t)n, sizeof *v);
		md_map_layout *l = calloc((size_t)n, sizeof *l);
		char (*names)[256] = calloc((size_t)n, sizeof *names);
		if (!v || !l || !names)
			abort();
		for (int i = 0; i < n; i++) {
			const md_slot *sl = &sh->slots[w.maps[i].slot];
			const md_layout_ent *le = &sh->layouts[sl->target];
			size_t len = md_walk_path(&w, w.maps[i].node, w.maps[i].slot, names[i],
			                          sizeof names[i]);
			FUZZ_CHECK(len < sizeof names[i] && strlen(names[i]) == len, "path length");
			l[i] = le->layout;
			v[i].layout = &l[i];
			v[i].skip = le->status != MD_OK;
			v[i].name = names[i];
			v[i].header = w.maps[i].header;
			if (!(v[i].hdr = calloc(1, le->status == MD_OK ? l[i].header_size : 1)))
				abort();
		}
		read_maps(m, v, l, n, 0, gf);
		md_mapread_free(v, n);
		free(l);
		free(names);
	}
	md_walk_free(&w);
}

/* ---- the input -------------------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("MAPDIAG_CACHE_DIR", "", 1);
	fz_init_verbose();
	arena = fz_arena(ARENA_SIZE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fz_memfd("fuzz_plan", data, size);
	md_dwarf_opts o = { .exe_path = NULL, .exe_fd = fd, .debug_file = NULL,
	                    .debug_dir = "/nonexistent/mapdiag-fuzz" };
	md_dwarf *d = NULL;
	md_err e;
	md_status st = md_dwarf_open(&o, &d, &e);
	close(fd);
	FZ_SAY("open: %d %s\n", st, st ? e.detail : "");
	if (st != MD_OK)
		return 0;

	ctx *c = calloc(1, sizeof *c);
	if (!c)
		abort();
	c->d = d;
	c->budget = LAY_BUDGET;
	/* the program's own variables first, then whatever comes */
	static const struct { const char *prefix; int limit; } pre[] = {
		{ "main.", 64 }, { "", 24 },
	};
	for (size_t i = 0; i < sizeof pre / sizeof *pre && c->nvars < MAX_VARS; i++) {
		c->seen = 0;
		c->limit = pre[i].limit;
		(void)md_dwarf_each_var(d, pre[i].prefix, collect_var, c, &e);
	}

	/* the arena: a copy of each variable, laid out from its type */
	memset(arena, 0, arena_used);
	arena_used = 64;   /* offset 0 means "no block" */
	for (int i = 0; i < c->nvars; i++) {
		var *v = &c->vars[i];
		md_type ty;
		md_type_id t = v->type;
		uint64_t sz = strip(c, &t, &ty) ? ty.size : 8;
		v->block = alloc(sz < 8 ? 8 : sz > MAX_BLOCK ? MAX_BLOCK : sz);
		if (!v->block) {
			c->nvars = i;
			break;
		}
		lay(c, v->type, v->block, 0);
		FZ_SAY("var %s at %#llx: arena +%zu (%llu bytes)\n", v->name,
		       (unsigned long long)v->addr, v->block, (unsigned long long)sz);
	}
	FZ_SAY("arena: %zu bytes, %d maps\n", arena_used, c->nmaps);

	md_gofacts gf;
	md_gofacts_for(md_dwarf_exe(d)->go_version, &gf);
	md_mem m;
	/* pread: ASan sees what it writes, not what process_vm_readv writes */
	if (md_mem_open_live(&m, getpid(), MD_MEM_PREAD, &e) != MD_OK)
		abort();

	/* shapes at depth 3: for the walk, and paths to maps for plans */
	md_shapes sh;
	int shape[MAX_VARS];
	md_shapes_init(&sh, d);
	for (int i = 0; i < c->nvars; i++) {
		shape[i] = -1;
		st = md_shapes_get(&sh, c->vars[i].type, 3, &shape[i], &e);
		FZ_SAY("shape of %s: %d -> %d\n", c->vars[i].name, st, shape[i]);
		FUZZ_CHECK(st == MD_OK || st == MD_E_DWARF || st == MD_E_NOMEM, "shapes_get: %d", st);
		FUZZ_CHECK(shape[i] >= -1 && (shape[i] < 0 || (size_t)shape[i] < sh.nshapes),
		           "shape index %d", shape[i]);
		if (st != MD_OK)
			shape[i] = -1;
	}
	check_shapes(&sh);
	check_slot_reads(&sh);

	run_plans(c, &m, &gf, &sh, shape);
	run_walk(c, &m, &gf, &sh, shape);
	md_shapes_free(&sh);
	md_mem_close(&m);
	free(c);
	md_dwarf_free(d);
	return 0;
}
