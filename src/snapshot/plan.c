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

md_status md_plan_build(md_dwarf *d, const char *expr, uint64_t bias,
                        md_plan *p, md_err *err)
{
	memset(p, 0, sizeof *p);
	p->expr = expr;
	md_status s = md_expr_check(expr, err);
	if (s != MD_OK)
		return s;

	size_t nlen;
	uint64_t addr;
	md_type_id tid;
	s = md_dwarf_find_var(d, expr, &nlen, &addr, &tid, err);
	if (s == MD_NOTFOUND) {
		char hint[sizeof err->detail];
		snprintf(hint, sizeof hint, "%s", err->detail);
		return md_err_set(err, MD_E_NOVAR, "%s%s%s", expr, hint[0] ? "; " : "", hint);
	}
	if (s != MD_OK)
		return s;
	p->base = addr + bias;

	md_seg segs[MD_EXPR_MAX_SEGS];
	int nseg;
	s = md_expr_split(expr, (int)nlen, segs, &nseg, err);
	if (s != MD_OK)
		return s;

	int path = (int)nlen;   /* expr[0..path) is what we stand on */
	md_type t;
	tname_buf tn;
	for (int i = 0; i < nseg; i++) {
		const md_seg *g = &segs[i];
		if ((s = strip(d, tid, &t, err)) != MD_OK)
			return s;
		/* Go selects through pointers: p.f and p[i] on *struct, *array */
		while (t.kind == MD_TK_POINTER) {
			if (!t.target)
				return md_err_set(err, MD_E_NOFIELD, "%.*s is an untyped pointer",
				                  path, expr);
			if ((s = push(p, MD_STEP_DEREF, path, err)) != MD_OK)
				return s;
			tid = t.target;
			if ((s = strip(d, tid, &t, err)) != MD_OK)
				return s;
		}
		if (g->kind == MD_SEG_FIELD) {
			if (t.kind != MD_TK_STRUCT)
				return md_err_set(err, MD_E_NOFIELD, "%.*s is %s, not a struct: no field '%s'",
				                  path, expr, tname(d, tid, &tn), g->name);
			uint64_t off;
			md_type_id mt;
			s = md_dwarf_member(d, tid, g->name, &off, &mt, err);
			if (s == MD_NOTFOUND) {
				char hint[sizeof err->detail];
				snprintf(hint, sizeof hint, "%s", err->detail);
				return md_err_set(err, MD_E_NOFIELD, "%s has no field '%s'%s%s",
				                  tname(d, tid, &tn), g->name, hint[0] ? "; " : "", hint);
			}
			if (s != MD_OK)
				return s;
			offset(p, off);
			tid = mt;
		} else if (t.kind == MD_TK_ARRAY) {
			md_type et;
			if ((s = md_dwarf_type(d, t.target, &et, err)) != MD_OK)
				return s;
			if (g->index >= t.count)
				return md_err_set(err, MD_E_RANGE, "%.*s: index %llu out of range [0:%llu]",
				                  path, expr, (unsigned long long)g->index,
				                  (unsigned long long)t.count);
			offset(p, g->index * et.size);
			tid = t.target;
		} else if (t.kind == MD_TK_SLICE) {
			uint64_t od, ol;
			md_type_id x;
			md_type et;
			if (md_dwarf_member(d, tid, "array", &od, &x, err) != MD_OK ||
			    md_dwarf_member(d, tid, "len", &ol, &x, err) != MD_OK)
				return md_err_set(err, MD_E_DWARF, "slice type %s lacks array/len",
				                  tname(d, tid, &tn));
			if ((s = md_dwarf_type(d, t.target, &et, err)) != MD_OK)
				return s;
			if ((s = push(p, MD_STEP_SLICE, path, err)) != MD_OK)
				return s;
			md_step *st = &p->steps[p->nsteps - 1];
			st->off_data = od;
			st->off_len = ol;
			st->index = g->index;
			st->elem_size = et.size;
			if (od > 4096 || ol > 4096)
				return md_err_set(err, MD_E_DWARF, "slice header offsets out of range");
			tid = t.target;
		} else {
			return md_err_set(err, MD_E_NOTINDEX, "%.*s is %s: cannot index it",
			                  path, expr, tname(d, tid, &tn));
		}
		path = g->end;
	}

	/* The end must be a map, or pointers to one. */
	if ((s = strip(d, tid, &t, err)) != MD_OK)
		return s;
	while (t.kind == MD_TK_POINTER && t.target) {
		if ((s = push(p, MD_STEP_DEREF, path, err)) != MD_OK)
			return s;
		tid = t.target;
		if ((s = strip(d, tid, &t, err)) != MD_OK)
			return s;
	}
	if (t.kind != MD_TK_MAP)
		return md_err_set(err, MD_E_NOTMAP, "%s is %s", expr, tname(d, tid, &tn));
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
	if (s->kind == MD_STEP_SLICE)
		return (s->off_data > s->off_len ? s->off_data : s->off_len) + 8;
	return 8;
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
		uint64_t data = le64(buf + st->off_data);
		int64_t len = (int64_t)le64(buf + st->off_len);
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
	enum { SCRATCH = 64 };
	md_read rd[n > 0 ? n : 1];
	unsigned char buf[n > 0 ? n : 1][SCRATCH];
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
