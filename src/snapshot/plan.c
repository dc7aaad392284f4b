/* plan.c - build and run read plans (see plan.h). */
#include <stdio.h>
#include <string.h>
#include "plan.h"
#include "expr.h"

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
static md_status find_var(md_dwarf *d, const char *expr, uint64_t bias, md_plan *p,
                          size_t *nlen, md_type_id *tid, md_err *err)
{
	uint64_t addr;
	md_status s = md_dwarf_find_var(d, expr, nlen, &addr, tid, err);
	if (s == MD_NOTFOUND) {
		char hint[sizeof err->detail];
		snprintf(hint, sizeof hint, "%s", err->detail);
		return md_err_set(err, MD_E_NOVAR, "%s%s%s", expr, hint[0] ? "; " : "", hint);
	}
	if (s == MD_OK)
		p->base = addr + bias;
	return s;
}

/* Go selects through pointers (p.f and p[i] on *struct, *array): a
 * dereference per pointer, until *t is what they point at.  untyped: the
 * error for a pointer without a pointee type; NULL to stop there. */
static md_status deref_all(md_dwarf *d, md_plan *p, int path, const char *untyped,
                           md_type_id *tid, md_type *t, md_err *err)
{
	md_status s;
	if ((s = strip(d, *tid, t, err)) != MD_OK)
		return s;
	while (t->kind == MD_TK_POINTER) {
		if (!t->target) {
			if (!untyped)
				return MD_OK;
			return md_err_set(err, MD_E_NOFIELD, "%.*s %s", path, p->expr, untyped);
		}
		if ((s = push(p, MD_STEP_DEREF, path, err)) != MD_OK)
			return s;
		*tid = t->target;
		if ((s = strip(d, *tid, t, err)) != MD_OK)
			return s;
	}
	return MD_OK;
}

/* .name on a struct: its member's offset folds into the plan. */
static md_status select_field(md_dwarf *d, md_plan *p, const md_seg *g, int path,
                              md_type_id *tid, const md_type *t, md_err *err)
{
	tname_buf tn;
	if (t->kind != MD_TK_STRUCT)
		return md_err_set(err, MD_E_NOFIELD, "%.*s is %s, not a struct: no field '%s'",
		                  path, p->expr, tname(d, *tid, &tn), g->name);
	uint64_t off;
	md_type_id mt;
	md_status s = md_dwarf_member(d, *tid, g->name, &off, &mt, err);
	if (s == MD_NOTFOUND) {
		char hint[sizeof err->detail];
		snprintf(hint, sizeof hint, "%s", err->detail);
		return md_err_set(err, MD_E_NOFIELD, "%s has no field '%s'%s%s",
		                  tname(d, *tid, &tn), g->name, hint[0] ? "; " : "", hint);
	}
	if (s != MD_OK)
		return s;
	offset(p, off);
	*tid = mt;
	return MD_OK;
}

/* [N] on an array (an offset, checked now) or a slice (a step: the bound
 * is checked when the header is read). */
static md_status select_index(md_dwarf *d, md_plan *p, const md_seg *g, int path,
                              md_type_id *tid, const md_type *t, md_err *err)
{
	md_status s;
	md_type et;
	tname_buf tn;
	if (t->kind == MD_TK_ARRAY) {
		if ((s = md_dwarf_type(d, t->target, &et, err)) != MD_OK)
			return s;
		if (g->index >= t->count)
			return md_err_set(err, MD_E_RANGE, "%.*s: index %llu out of range [0:%llu]",
			                  path, p->expr, (unsigned long long)g->index,
			                  (unsigned long long)t->count);
		offset(p, g->index * et.size);
		*tid = t->target;
		return MD_OK;
	}
	if (t->kind != MD_TK_SLICE)
		return md_err_set(err, MD_E_NOTINDEX, "%.*s is %s: cannot index it", path, p->expr,
		                  tname(d, *tid, &tn));
	md_slice_hdr h;
	if ((s = md_slice_hdr_get(d, *tid, &h, err)) != MD_OK ||
	    (s = md_dwarf_type(d, t->target, &et, err)) != MD_OK ||
	    (s = push(p, MD_STEP_SLICE, path, err)) != MD_OK)
		return s;
	md_step *st = &p->steps[p->nsteps - 1];
	st->hdr = h;
	st->index = g->index;
	st->elem_size = et.size;
	*tid = t->target;
	return MD_OK;
}

md_status md_plan_build(md_dwarf *d, const char *expr, uint64_t bias,
                        md_plan *p, md_err *err)
{
	memset(p, 0, sizeof *p);
	p->expr = expr;
	md_status s = md_expr_check(expr, err);
	if (s != MD_OK)
		return s;
	size_t nlen;
	md_type_id tid;
	if ((s = find_var(d, expr, bias, p, &nlen, &tid, err)) != MD_OK)
		return s;
	md_seg segs[MD_EXPR_MAX_SEGS];
	int nseg;
	if ((s = md_expr_split(expr, (int)nlen, segs, &nseg, err)) != MD_OK)
		return s;

	int path = (int)nlen;   /* expr[0..path) is what we stand on */
	md_type t;
	for (int i = 0; i < nseg; i++) {
		const md_seg *g = &segs[i];
		if ((s = deref_all(d, p, path, "is an untyped pointer", &tid, &t, err)) != MD_OK)
			return s;
		s = g->kind == MD_SEG_FIELD ? select_field(d, p, g, path, &tid, &t, err)
		                            : select_index(d, p, g, path, &tid, &t, err);
		if (s != MD_OK)
			return s;
		path = g->end;
	}

	/* The end must be a map, or pointers to one. */
	if ((s = deref_all(d, p, path, NULL, &tid, &t, err)) != MD_OK)
		return s;
	if (t.kind != MD_TK_MAP) {
		tname_buf tn;
		return md_err_set(err, MD_E_NOTMAP, "%s is %s", expr, tname(d, tid, &tn));
	}
	p->map_type = tid;
	/* the map value: a pointer to the header */
	return push(p, MD_STEP_DEREF, path, err);
}

static uint64_t le64(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

/* Plans run together in chunks of at most this many, so that the scratch
 * stays a small stack array whatever the number of variables. */
#define MD_PLAN_CHUNK 256

static md_status run_chunk(md_mem *m, md_plan **plans, int n, md_err *err);

md_status md_plan_run(md_mem *m, md_plan **plans, int n, md_err *err)
{
	for (int i = 0; i < n; i += MD_PLAN_CHUNK) {
		md_status s = run_chunk(m, plans + i, n - i < MD_PLAN_CHUNK ? n - i : MD_PLAN_CHUNK,
		                        err);
		if (s != MD_OK)
			return s;
	}
	return MD_OK;
}

/* Bytes one step reads. */
static size_t step_len(const md_step *s)
{
	return s->kind == MD_STEP_SLICE ? md_slice_hdr_len(&s->hdr) : 8;
}

/* Apply the plan's next step to the bytes read at p->cur (ok: they were
 * read): advance, or finish with a header or an error. */
static void step(md_plan *p, const unsigned char *buf, int ok)
{
	const md_step *st = &p->steps[p->next];
	int last = p->next == p->nsteps - 1;
	p->at[p->next] = p->cur;
	if (!ok) {
		p->status = md_err_set(&p->err, MD_E_MEM, "cannot read %.*s at 0x%llx",
		                       st->path_len, p->expr, (unsigned long long)p->cur);
		p->done = 1;
		return;
	}
	uint64_t v;
	if (st->kind == MD_STEP_DEREF) {
		v = le64(buf);
		if (v == 0 && !last) {
			p->status = md_err_set(&p->err, MD_E_NILPTR, "%.*s is a nil pointer",
			                       st->path_len, p->expr);
			p->done = 1;
			return;
		}
	} else {
		uint64_t data = le64(buf + st->hdr.off_data);
		int64_t len = (int64_t)le64(buf + st->hdr.off_len);
		if (len < 0 || st->index >= (uint64_t)len) {
			p->status = md_err_set(&p->err, MD_E_RANGE,
			                       "%.*s: index %llu out of range [0:%lld]",
			                       st->path_len, p->expr,
			                       (unsigned long long)st->index, (long long)len);
			p->done = 1;
			return;
		}
		if (data == 0) {
			p->status = md_err_set(&p->err, MD_E_NILPTR,
			                       "%.*s has a nil backing array", st->path_len, p->expr);
			p->done = 1;
			return;
		}
		v = data + st->index * st->elem_size;
	}
	if (last) {
		p->header = v;
		p->done = 1;
	} else {
		p->cur = v + st->add;
		p->next++;
	}
}

static void start(md_plan *p)
{
	p->next = 0;
	p->cur = p->base;
	p->done = p->nsteps == 0;
	p->status = MD_OK;
	p->header = 0;
}

static md_status run_chunk(md_mem *m, md_plan **plans, int n, md_err *err)
{
	/* one slot of scratch per plan per round: a slice header or a pointer */
	md_read rd[n > 0 ? n : 1];
	unsigned char buf[n > 0 ? n : 1][MD_PLAN_STEP_BYTES];
	int who[n > 0 ? n : 1];

	for (int i = 0; i < n; i++)
		start(plans[i]);
	for (int round = 0; round <= MD_PLAN_MAX_STEPS; round++) {
		int k = 0;
		for (int i = 0; i < n; i++) {
			md_plan *p = plans[i];
			if (p->done)
				continue;
			rd[k] = (md_read){ p->cur, buf[k], step_len(&p->steps[p->next]), 0 };
			who[k++] = i;
		}
		if (k == 0)
			return MD_OK;
		md_status s = md_mem_readv(m, rd, (size_t)k, err);
		if (s == MD_E_EXITED || s == MD_E_SYS)
			return s;
		for (int j = 0; j < k; j++)
			step(plans[who[j]], buf[j], rd[j].ok);
	}
	return MD_OK;
}

int md_plan_spec_reads(const md_plan *p, md_read *rd, unsigned char *buf)
{
	if (p->nsteps == 0 || !p->done || p->status != MD_OK)
		return -1;
	for (int i = 0; i < p->nsteps; i++) {
		if (step_len(&p->steps[i]) > MD_PLAN_STEP_BYTES)
			return -1;
		rd[i] = (md_read){ p->at[i], buf + (size_t)i * MD_PLAN_STEP_BYTES,
		                   step_len(&p->steps[i]), 0 };
	}
	return p->nsteps;
}

int md_plan_spec_check(md_plan *p, const md_read *rd, const unsigned char *buf)
{
	uint64_t at[MD_PLAN_MAX_STEPS], header = p->header;
	memcpy(at, p->at, sizeof at);
	start(p);
	while (!p->done) {
		int i = p->next;
		if (p->cur != at[i])
			break;   /* a hop led elsewhere than before */
		step(p, buf + (size_t)i * MD_PLAN_STEP_BYTES, rd[i].ok);
	}
	return p->done && p->status == MD_OK && p->header == header;
}
