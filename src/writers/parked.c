/* parked.c - goroutines on no thread inside a map write (see parked.h). */
#include <stdlib.h>
#include <string.h>
#include "parked.h"
#include "writers_priv.h"
#include "stackwalk.h"
#include "alloc.h"
#include "clock.h"
#include "gofacts_park.h"

/* A goroutine's stack is copied from g.sched.sp to the end of its stack,
 * at most this much (as a thread's: capture.h); most goroutine stacks are
 * a few KiB, so 10,000 idle goroutines cost a few MB of reads. */
#define PARKED_WINDOW MD_STACK_WINDOW
/* All the copies together: a bound that a garbage allgs cannot push. */
#define PARKED_MAX_BYTES ((size_t)256 << 20)
/* Reads per batched round. */
#define BATCH 1024

void md_parked_free(md_parked *pk)
{
	free(pk->g);
	free(pk->stack);
	free(pk->moved);
	free(pk->bytes);
	memset(pk, 0, sizeof *pk);
}

static int on_thread(const md_threads *ts, uint64_t g)
{
	for (int i = 0; ts && i < ts->n; i++) {
		const md_thread *th = &ts->t[i];
		if (th->g_ok && (th->g.g == g || th->g.curg == g))
			return 1;
	}
	return 0;
}

/* A goroutine that stopped where g.sched says and that no thread runs: a
 * running or in-syscall one is on a thread, and a copystack one's stack
 * is being moved. */
static int parked_g(const md_parked_src *src, const md_gstate *g)
{
	if (g->status != MD_G_RUNNABLE && g->status != MD_G_WAITING &&
	    g->status != MD_G_PREEMPTED)
		return 0;
	if (!g->pc || !g->stack_lo || g->sp < g->stack_lo || g->sp >= g->stack_hi)
		return 0;
	return !on_thread(src->ts, g->g);
}

/* Whether a goroutine on no thread may be inside a map write: preempted,
 * or parked by what a write can park in (gofacts_park.h).  A runnable one
 * stopped in gopark (where mcall(park_m) saved g.sched) was woken and has
 * not run since: its g.waitreason is still why it parked (only gdestroy
 * clears it); any other runnable or preempted one stopped wherever it was
 * preempted. */
static int may_write(const md_parked_src *src, const md_gstate *g)
{
	if (!src->al->has_waitreason)
		return 1;
	if (g->status != MD_G_WAITING) {
		md_func f;
		md_err e;
		if (md_dwarf_func_name_at(src->d, g->pc - 1 - src->bias, &f, &e) != MD_OK ||
		    strcmp(f.name, "runtime.gopark"))
			return 1;
	}
	return md_wait_may_write(src->minor, g->waitreason);
}

static size_t window(const md_gstate *g)
{
	uint64_t n = g->stack_hi - g->sp;
	return n < PARKED_WINDOW ? (size_t)n : PARKED_WINDOW;
}

/* Choose the goroutines and lay their copies out in pk->bytes. */
static md_status plan(md_parked *pk, const md_parked_src *src, md_err *err)
{
	const md_allgs_buf *at = src->at_stop;
	size_t total = 0;
	pk->g = calloc(at->n + 1, sizeof *pk->g);
	pk->stack = calloc(at->n + 1, sizeof *pk->stack);
	pk->moved = calloc(at->n + 1, sizeof *pk->moved);
	if (!pk->g || !pk->stack || !pk->moved)
		return md_err_set(err, MD_E_NOMEM, "parked goroutines");
	for (size_t i = 0; i < at->n; i++) {
		const md_gstate *g = &at->g[i];
		if (!parked_g(src, g))
			continue;
		if (total + window(g) > PARKED_MAX_BYTES) {
			pk->left_out += may_write(src, g);
			continue;
		}
		pk->stack[pk->n] = (md_memcopy){ g->sp, NULL, window(g) };
		pk->g[pk->n++] = g;
		total += window(g);
	}
	if (!(pk->bytes = malloc(total + 1)))
		return md_err_set(err, MD_E_NOMEM, "%zu bytes of goroutine stacks", total);
	for (size_t i = 0, at_ = 0; i < pk->n; i++) {
		pk->stack[i].bytes = pk->bytes + at_;
		at_ += pk->stack[i].len;
	}
	return MD_OK;
}

/* Copy every planned stack, in batched rounds; an unreadable one is left
 * out (moved: it is not judged). */
static md_status copy_all(md_parked *pk, md_mem *m, md_err *err)
{
	md_read rd[BATCH];
	for (size_t i = 0; i < pk->n; i += BATCH) {
		size_t k = pk->n - i < BATCH ? pk->n - i : BATCH;
		for (size_t j = 0; j < k; j++)
			rd[j] = (md_read){ pk->stack[i + j].base, (void *)pk->stack[i + j].bytes,
			                   pk->stack[i + j].len, 0 };
		md_status s = md_mem_readv(m, rd, k, err);
		if (s == MD_E_EXITED || s == MD_E_SYS)
			return s;
		for (size_t j = 0; j < k; j++)
			pk->moved[i + j] |= !rd[j].ok;
	}
	return MD_OK;
}

static int same_g(const md_gstate *a, const md_gstate *b)
{
	return a->g == b->g && a->goid == b->goid && a->status == b->status && a->pc == b->pc &&
	       a->sp == b->sp && a->bp == b->bp && a->stack_hi == b->stack_hi;
}

/* The guard: allgs again, after every stack was copied.  A goroutine
 * whose g changed has run since the stop (or is gone). */
static md_status guard(md_parked *pk, const md_parked_src *src, md_mem *m, md_err *err)
{
	md_allgs_buf now = { 0 };
	md_status s = md_allgs_capture(&now, m, src->gl, src->al, err);
	if (s == MD_E_EXITED || s == MD_E_SYS || s == MD_E_NOMEM) {
		md_allgs_buf_free(&now);
		return s;
	}
	/* both lists are in allgs order, which only grows at its end */
	size_t j = 0;
	for (size_t i = 0; i < pk->n; i++) {
		while (s == MD_OK && j < now.n && now.g[j].g != pk->g[i]->g)
			j++;
		if (s != MD_OK || j == now.n) {
			pk->moved[i] = 1;
			j = 0;
			continue;
		}
		pk->moved[i] |= !same_g(&now.g[j], pk->g[i]);
	}
	md_allgs_buf_free(&now);
	return MD_OK;
}

md_status md_parked_copy(md_parked *pk, const md_parked_src *src, md_mem *m, md_err *err)
{
	md_status s;
	memset(pk, 0, sizeof *pk);
	if (!src->at_stop || !src->at_stop->ok)
		return MD_OK;
	if ((s = plan(pk, src, err)) != MD_OK || (s = copy_all(pk, m, err)) != MD_OK)
		return s;
	return pk->n ? guard(pk, src, m, err) : MD_OK;
}

/* One goroutine's stack copy, unwound and judged; a writer is appended to
 * out->parked with its frames named again, this time with lines (the
 * first pass leaves lines out: the line tables of every compile unit a
 * parked stack passes through would cost far more than the writers). */
static md_status judge(const md_parked_src *s, const md_gstate *g, const md_memcopy *c,
                       md_frame *fr, size_t *cap, md_thread_analysis *o, md_err *err)
{
	md_mem src;
	md_mem_open_copy(&src, c);
	md_regs regs;
	memset(&regs, 0, sizeof regs);
	regs.r[MD_REG_RIP] = g->pc;
	regs.r[MD_REG_RSP] = g->sp;
	regs.r[MD_REG_RBP] = g->bp;
	int nf = md_unwind(&src, s->cfi, s->bias, &regs, fr, MD_UNWIND_MAX);
	o->parked_goroutines++;
	md_thread_info t = { 0 };
	md_status st = md_writers_name_stack(s->d, &t, fr, nf, &src, s->bias, s->minor, s->swiss,
	                                     0, err);
	free(t.frames);
	if (st != MD_OK || !t.writer)
		return st;
	if (!md_grow((void **)&o->parked, cap, (size_t)o->nparked + 1, sizeof *o->parked, 4))
		return md_err_set(err, MD_E_NOMEM, "parked writers");
	md_thread_info *p = &o->parked[o->nparked];
	memset(p, 0, sizeof *p);
	st = md_writers_name_stack(s->d, p, fr, nf, &src, s->bias, s->minor, s->swiss, 1, err);
	if (st != MD_OK)
		return st;
	p->g = g->g;
	p->goid = g->goid;
	p->gstate = md_gstatus_name(g->status);
	o->nparked++;
	return MD_OK;
}

md_status md_parked_find(const md_parked *pk, const md_parked_src *src,
                         md_thread_analysis *out, md_err *err)
{
	uint64_t t0 = md_now_ns();
	size_t cap = 0;
	md_status s = MD_OK;
	out->parked = NULL;
	out->nparked = 0;
	out->parked_goroutines = 0;
	out->parked_unknown = pk->left_out;
	md_frame *fr = malloc(MD_UNWIND_MAX * sizeof *fr);
	if (!fr)
		s = md_err_set(err, MD_E_NOMEM, "parked goroutines");
	for (size_t i = 0; s == MD_OK && i < pk->n; i++) {
		/* one that ran before its stack was copied counts only if it
		 * may have been inside a write at the stop */
		if (pk->moved[i]) {
			out->parked_unknown += may_write(src, pk->g[i]);
			continue;
		}
		s = judge(src, pk->g[i], &pk->stack[i], fr, &cap, out, err);
	}
	free(fr);
	out->parked_walked = s == MD_OK && src->at_stop && src->at_stop->ok;
	out->parked_ns = md_now_ns() - t0;
	return s;
}
