/* plan.c - run read plans (see plan.h; they are built in resolve.c). */
#include <stdio.h>
#include <string.h>
#include "plan.h"

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

/* Queue the guards of plans[0..n) after the k reads in rd. */
static size_t queue_guards(md_plan **plans, int n, md_read *rd, size_t k)
{
	for (int i = 0; i < n; i++)
		for (int g = 0; g < plans[i]->nguards; g++) {
			md_guard *gd = &plans[i]->guards[g];
			rd[k++] = (md_read){ gd->addr, gd->got, gd->len, 0 };
		}
	return k;
}

/* Does guard g hold on what was read (ok: it was)? */
static int guard_holds(const md_guard *g, int ok)
{
	if (!ok)
		return 0;
	switch (g->kind) {
	case MD_GUARD_ABOVE:
		return (int64_t)le64(g->got) > (int64_t)le64(g->want);
	case MD_GUARD_TOPHASH:
		return g->got[0] >= 5;
	case MD_GUARD_CTRL:
		return !(g->got[0] & 0x80);
	default:
		return memcmp(g->got, g->want, g->len) == 0;
	}
}

/* After the first round: a plan whose guard no longer holds ends here. */
static void check_guards(md_plan *p, const md_read *rd)
{
	for (int g = 0; g < p->nguards; g++) {
		const md_guard *gd = &p->guards[g];
		if (p->done || guard_holds(gd, rd[g].ok))
			continue;
		p->status = md_err_set(&p->err, MD_E_MOVED, "%.*s moved while mapdiag looked",
		                       gd->path_len, p->expr);
		p->done = 1;
	}
}

static md_status run_chunk(md_mem *m, md_plan **plans, int n, md_err *err)
{
	/* one slot of scratch per plan per round: a slice header or a pointer;
	 * the first round also reads every guard */
	int ng = 0;
	for (int i = 0; i < n; i++)
		ng += plans[i]->nguards;
	md_read rd[n + ng > 0 ? n + ng : 1];
	unsigned char buf[n > 0 ? n : 1][MD_PLAN_STEP_BYTES];
	int who[n > 0 ? n : 1];

	for (int i = 0; i < n; i++)
		start(plans[i]);
	for (int round = 0; round <= MD_PLAN_MAX_STEPS; round++) {
		size_t k = 0;
		for (int i = 0; i < n; i++) {
			md_plan *p = plans[i];
			if (p->done)
				continue;
			rd[k] = (md_read){ p->cur, buf[k], step_len(&p->steps[p->next]), 0 };
			who[k++] = i;
		}
		if (k == 0)
			return MD_OK;
		size_t kg = round == 0 ? queue_guards(plans, n, rd, k) : k;
		md_status s = md_mem_readv(m, rd, kg, err);
		if (s == MD_E_EXITED || s == MD_E_SYS)
			return s;
		for (int i = 0, g = (int)k; round == 0 && i < n; g += plans[i++]->nguards)
			check_guards(plans[i], rd + g);
		for (size_t j = 0; j < k; j++)
			if (!plans[who[j]]->done)
				step(plans[who[j]], buf[j], rd[j].ok);
	}
	return MD_OK;
}

int md_plan_spec_reads(md_plan *p, md_read *rd, unsigned char *buf)
{
	if (p->nsteps == 0 || !p->done || p->status != MD_OK)
		return -1;
	for (int i = 0; i < p->nsteps; i++) {
		if (step_len(&p->steps[i]) > MD_PLAN_STEP_BYTES)
			return -1;
		rd[i] = (md_read){ p->at[i], buf + (size_t)i * MD_PLAN_STEP_BYTES,
		                   step_len(&p->steps[i]), 0 };
	}
	for (int g = 0; g < p->nguards; g++) {
		md_guard *gd = &p->guards[g];
		rd[p->nsteps + g] = (md_read){ gd->addr, gd->got, gd->len, 0 };
	}
	return md_plan_nreads(p);
}

int md_plan_spec_check(md_plan *p, const md_read *rd, const unsigned char *buf)
{
	for (int g = 0; g < p->nguards; g++)
		if (!guard_holds(&p->guards[g], rd[p->nsteps + g].ok))
			return 0;   /* the rounds will say what moved */
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
