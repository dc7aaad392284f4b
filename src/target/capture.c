/* capture.c - per-thread snapshot (see capture.h). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "capture.h"
#include "alloc.h"

/* Both stack windows of one thread in one mapping, populated by the
 * kernel: no page fault is left for the stopped phase, and populating the
 * pages in one call costs a fraction of faulting them in one by one. */
static unsigned char *windows(void)
{
	void *p = mmap(NULL, 2 * MD_STACK_WINDOW, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static md_status grow(md_threads *ts, int cap, const md_g_layout *gl, md_err *err)
{
	if (cap <= ts->cap)
		return MD_OK;
	md_thread *t = realloc(ts->t, (size_t)cap * sizeof *t);
	if (!t)
		return md_err_set(err, MD_E_NOMEM, "%d threads", cap);
	ts->t = t;
	for (int i = ts->cap; i < cap; i++) {
		memset(&t[i], 0, sizeof t[i]);
		t[i].buf = windows();
		if (!t[i].buf) {
			ts->cap = i;
			return md_err_set(err, MD_E_NOMEM, "stack copies");
		}
		t[i].cbuf = t[i].buf + MD_STACK_WINDOW;
	}
	ts->cap = cap;
	/* the capture's own arrays, touched: no page fault in the stop */
	free(ts->rd);
	free(ts->rg);
	free(ts->gi);
	free(ts->gok);
	ts->rd = md_calloc_touched(2 * (size_t)cap + 1, sizeof *ts->rd);
	ts->rg = md_calloc_touched((size_t)cap, sizeof *ts->rg);
	ts->gi = md_calloc_touched((size_t)cap, sizeof *ts->gi);
	ts->gok = md_calloc_touched((size_t)cap, sizeof *ts->gok);
	if (!ts->rd || !ts->rg || !ts->gi || !ts->gok)
		return md_err_set(err, MD_E_NOMEM, "thread scratch");
	if (gl)
		return md_g_scratch_prepare(&ts->gs, gl, cap, err);
	return MD_OK;
}

md_status md_threads_prepare(md_threads *ts, int expect, const md_g_layout *gl,
                             md_mem *m, md_err *err)
{
	/* slack for threads born between the listing and the stop */
	int cap = expect + expect / 4 + 4;
	/* reads nothing until a thread is found in C code, after the release;
	 * without memory for it there are no C frames, nothing worse */
	if (!ts->cu)
		ts->cu = md_cunw_new();
	md_status s = grow(ts, cap, gl, err);
	if (s != MD_OK)
		return s;
	/* the stack round is the largest: two reads per thread */
	return md_mem_reserve(m, 2 * (size_t)cap + 1, err);
}

/* Given every thread's tid and registers: the g each runs and its
 * stack copies, in a few batched rounds of reads. */
static md_status fill(md_threads *ts, md_mem *m, const md_g_layout *gl, md_err *err)
{
	int n = ts->n;
	md_read *rd = ts->rd;
	int k = 0;
	md_status st;
	/* every thread's g in a few batched rounds */
	if (gl) {
		for (int i = 0; i < n; i++)
			ts->rg[i] = ts->t[i].regs;
		if (md_g_read_all(m, gl, ts->rg, n, ts->gi, ts->gok, &ts->gs, err) == MD_OK)
			for (int i = 0; i < n; i++) {
				ts->t[i].g_ok = ts->t[i].regs_ok && ts->gok[i];
				ts->t[i].g = ts->gi[i];
			}
	}
	for (int i = 0; i < n; i++) {
		md_thread *t = &ts->t[i];
		if (!t->regs_ok)
			continue;
		uint64_t sp = t->regs.r[MD_REG_RSP];
		size_t len;
		if (t->g_ok && sp >= t->g.stack_lo && sp < t->g.stack_hi)
			len = t->g.stack_hi - sp;      /* the whole used stack */
		else
			len = 4096 - (sp & 4095);      /* its page: surely mapped */
		if (len > MD_STACK_WINDOW)
			len = MD_STACK_WINDOW;
		t->stack.base = sp;
		rd[k++] = (md_read){ sp, t->buf, len, 0 };
		/* on g0 or gsignal for a goroutine: that goroutine's stack as
		 * well, whole when it fits the window: a signal handler
		 * interrupted it below where curg.sched.sp says it stopped */
		uint64_t csp = t->g.curg_sp, clo = t->g.curg_stack_lo, chi = t->g.curg_stack_hi;
		if (t->g_ok && t->g.curg && t->g.curg != t->g.g && csp && csp < chi) {
			if (clo && clo <= csp && chi - clo <= MD_STACK_WINDOW)
				csp = clo;
			size_t clen = chi - csp;
			if (clen > MD_STACK_WINDOW)
				clen = MD_STACK_WINDOW;
			t->cstack.base = csp;
			rd[k++] = (md_read){ csp, t->cbuf, clen, 0 };
		} else if (t->g_ok && t->g.g && t->g.stack_lo && t->g.stack_lo < t->g.stack_hi &&
		           (sp < t->g.stack_lo || sp >= t->g.stack_hi) &&
		           t->g.stack_hi - t->g.stack_lo <= MD_STACK_WINDOW) {
			/* its g's stack while it runs elsewhere: a signal handler
			 * on the signal stack before it switched to gsignal */
			t->cstack.base = t->g.stack_lo;
			rd[k++] = (md_read){ t->g.stack_lo, t->cbuf,
			                     (size_t)(t->g.stack_hi - t->g.stack_lo), 0 };
		}
	}
	st = md_mem_readv(m, rd, (size_t)k, err);
	k = 0;
	for (int i = 0; i < n; i++) {
		md_thread *t = &ts->t[i];
		if (!t->regs_ok)
			continue;
		t->stack.len = rd[k].ok ? rd[k].len : 0;
		k++;
		if (t->cstack.base) {
			t->cstack.len = rd[k].ok ? rd[k].len : 0;
			k++;
		}
	}
	return st == MD_E_EXITED || st == MD_E_SYS ? st : MD_OK;
}

/* A thread as a capture starts it: tid, no g, no stack copies yet. */
static void reset_thread(md_thread *t, pid_t tid, md_cunw *cu)
{
	t->tid = tid;
	t->g_ok = 0;
	t->cu = cu;
	t->stack = (md_memcopy){ 0, t->buf, 0 };
	t->cstack = (md_memcopy){ 0, t->cbuf, 0 };
}

md_status md_threads_capture(md_threads *ts, md_stop *s, md_mem *m,
                             const md_g_layout *gl, uint64_t *grown, md_err *err)
{
	const pid_t *tids;
	int n = md_stop_threads(s, &tids);
	*grown += n > ts->cap;   /* more threads than prepared */
	md_status st = grow(ts, n, gl, err);
	if (st != MD_OK)
		return st;
	ts->n = n;
	for (int i = 0; i < n; i++) {
		md_thread *t = &ts->t[i];
		reset_thread(t, tids[i], ts->cu);
		md_err e;
		t->regs_ok = md_stop_regs(s, t->tid, &t->regs, &e) == MD_OK;
	}
	return fill(ts, m, gl, err);
}

md_status md_threads_from_core(md_threads *ts, const md_core *c, const char *exe,
                               md_mem *m, const md_g_layout *gl, md_err *err)
{
	_Static_assert(sizeof(struct user_regs_struct) == MD_CORE_NGREG * 8, "user_regs_struct");
	int n = c->nthreads > (size_t)INT_MAX / 4 ? INT_MAX / 4 : (int)c->nthreads;
	md_status st = grow(ts, n, gl, err);
	if (st != MD_OK)
		return st;
	ts->n = n;
	/* the files of the core's process, read on the first C frame; without
	 * memory for it there are no C frames, nothing worse */
	if (!ts->cu)
		ts->cu = md_cunw_new_core(c, exe);
	for (int i = 0; i < n; i++) {
		md_thread *t = &ts->t[i];
		struct user_regs_struct u;
		memcpy(&u, c->threads[i].gregs, sizeof u);
		reset_thread(t, c->threads[i].tid, ts->cu);
		md_regs_from_user(&u, &t->regs);
		t->regs_ok = 1;
	}
	return fill(ts, m, gl, err);
}

void md_threads_free(md_threads *ts)
{
	for (int i = 0; i < ts->cap; i++) {
		munmap(ts->t[i].buf, 2 * MD_STACK_WINDOW);
	}
	free(ts->t);
	free(ts->rd);
	free(ts->rg);
	free(ts->gi);
	free(ts->gok);
	md_g_scratch_free(&ts->gs);
	md_cunw_free(ts->cu);
	memset(ts, 0, sizeof *ts);
}
