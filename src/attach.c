/* attach.c - the flow of one attach (see attach.h and ../shared/DESIGN.md). */
#include <stdlib.h>
#include <string.h>
#include "attach.h"
#include "plan.h"
#include "readmaps.h"
#include "proc.h"
#include "target.h"
#include "stop.h"
#include "mem.h"
#include "md_cfi.h"
#include "goroutine.h"
#include "threads.h"
#include "writers.h"
#include "gofacts.h"
#include <time.h>


void md_report_free(md_report *r)
{
	if (!r)
		return;
	md_tanalysis_free(&r->ta);
	for (int i = 0; i < r->nmaps; i++)
		free(r->maps[i].tables);
	free(r->maps);
	r->maps = NULL;
	r->nmaps = 0;
}

int md_report_exit_code(const md_report *r)
{
	int worst = 0;
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status != MD_OK)
			return 3;
		if ((int)r->maps[i].v.sev > worst)
			worst = (int)r->maps[i].v.sev;
	}
	return worst;
}







/* Reads without a stop can be torn: a writer may change the map between
 * the reads of one pass.  A map is taken when two passes in a row read the
 * same bytes (plan result, header, directory, tables); after this many
 * passes a map that never settled is reported as torn, never decoded from
 * bytes that disagree. */
#define MD_NOSTOP_TRIES 8

static int same_reads(const md_rm_var *a, const md_rm_var *b, const md_map_layout *l)
{
	if (a->rstatus != b->rstatus || a->header != b->header || a->hdr_ok != b->hdr_ok ||
	    a->ndir != b->ndir || a->nt != b->nt)
		return 0;
	if (a->hdr_ok && memcmp(a->hdr, b->hdr, l->header_size))
		return 0;
	if (a->ndir && memcmp(a->dir, b->dir, a->ndir * sizeof *a->dir))
		return 0;
	if (a->nt && (memcmp(a->tptr, b->tptr, a->nt * sizeof *a->tptr) ||
	              memcmp(a->t_ok, b->t_ok, a->nt * sizeof *a->t_ok) ||
	              memcmp(a->tbuf, b->tbuf, a->nt * l->table_size)))
		return 0;
	return 1;
}

/* --no-stop: pairs of passes over the running target until each map reads
 * the same twice.  w2 mirrors w (same plans, own buffers). */
static md_status sample_unstopped(md_mem *m, md_report *r, md_rm_var *w, md_rm_var *w2,
                                  md_rm_ctx *c, const md_gofacts *gf,
                                  const md_thresholds *th, md_err *err)
{
	int n = r->nmaps, left = 0;
	int *done = calloc((size_t)n + 1, sizeof *done);
	if (!done)
		return md_err_set(err, MD_E_NOMEM, "no-stop");
	for (int i = 0; i < n; i++) {
		done[i] = r->maps[i].status != MD_OK;
		left += !done[i];
	}
	md_status s = MD_OK;
	for (r->tries = 0; left && r->tries < MD_NOSTOP_TRIES; r->tries++) {
		if ((s = md_rm_read_all(m, w, r->nmaps, c, 0, err)) != MD_OK ||
		    (s = md_rm_read_all(m, w2, r->nmaps, c, 0, err)) != MD_OK)
			break;
		for (int i = 0; i < n; i++) {
			if (done[i] || !same_reads(&w[i], &w2[i], &r->maps[i].layout))
				continue;
			md_rm_finish(&r->maps[i], &w[i], gf, th);
			done[i] = 1;
			left--;
		}
	}
	for (int i = 0; s == MD_OK && i < n; i++)
		if (!done[i])
			r->maps[i].status = md_err_set(&r->maps[i].err, MD_E_TORN,
			                               "%s changed during each of %d pairs of reads",
			                               r->maps[i].expr, MD_NOSTOP_TRIES);
	free(done);
	return s;
}

/* An unreadable map's error names the variable: some details do not
 * ("implausible directory length -1"), and with several variables the
 * stderr line would not say which map it is about (found by
 * tests/integration/test_safety.py).  Errors of the expression itself
 * already name what they are about. */
static void name_errors(md_report *r)
{
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *m = &r->maps[i];
		if (m->status != MD_E_MEM || !m->expr || strstr(m->err.detail, m->expr))
			continue;
		char d[sizeof m->err.detail];
		snprintf(d, sizeof d, "%s", m->err.detail);
		md_err_set(&m->err, m->status, "%s: %s", m->expr, d);
	}
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* After the release: walk the stacks, name the frames, find the writers and
 * fold them into each map's verdict. */
static void attribute(md_dwarf *dw, md_report *r, md_threads *ts, md_cfi *cfi,
                      uint64_t bias, const md_gofacts *gf)
{
	uint64_t t0 = now_ns();
	int swiss = -1;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK && !r->maps[i].is_nil)
			swiss = r->maps[i].layout.impl == MD_IMPL_SWISS;
	md_err err;
	md_threads_unwind(ts, cfi, bias);
	if (swiss < 0 || md_writers_analyse(dw, ts, bias, gf->minor, swiss,
	                                    r->threads_mode == 2, &r->ta, &err) != MD_OK) {
		r->analyse_ns = now_ns() - t0;
		return;   /* no decoded map to attribute to, or out of memory */
	}
	int unidentified = 0;
	for (int k = 0; k < r->ta.n; k++)
		unidentified += r->ta.t[k].writer && !r->ta.t[k].map;
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *m = &r->maps[i];
		if (m->status != MD_OK || m->is_nil)
			continue;
		m->wf.analysed = 1;
		m->wf.unidentified = unidentified;
		for (int k = 0; k < r->ta.n; k++) {
			const md_tinfo *t = &r->ta.t[k];
			if (!t->writer || t->map != m->addr)
				continue;
			m->wf.proven++;
			m->wf.growing += t->growing;
			if (m->nwriters < MD_MAX_WRITERS)
				m->writers[m->nwriters++] = k;
		}
		int flag = m->layout.impl == MD_IMPL_SWISS ? m->s.writing != 0
		                                           : (m->h.flags & MD_HMAP_F_WRITING) != 0;
		md_classify_writers(&m->wf, flag, m->layout.impl == MD_IMPL_SWISS, &m->v);
	}
	r->analyse_ns = now_ns() - t0;
}

/* What one attach or watch holds between resolving and reading. */
struct md_session {
	md_target t;
	md_plan *plans;            /* one per variable */
	md_rm_var *w, *w2;          /* w2: a second pass's buffers (no stop) */
	md_rm_ctx ctx;
	md_mem mem;
	int mem_open;
	int n, live;
};

static void session_close(md_session *ss)
{
	if (ss->mem_open)
		md_mem_close(&ss->mem);
	md_rm_ctx_free(&ss->ctx);
	if (ss->w)
		md_rm_free_vars(ss->w, ss->n);
	if (ss->w2)
		md_rm_free_vars(ss->w2, ss->n);
	free(ss->plans);
	md_target_close(&ss->t);
	memset(ss, 0, sizeof *ss);
	ss->t.proc.exe_fd = -1;
}

/* Everything before reading: the process, its DWARF and load bias, a read
 * plan and layout per variable (errors stay with their variable), and every
 * buffer the reads need, sized by a probe of the running target.  With
 * two_passes, a second set of buffers for reads without a stop. */
static md_status session_open(md_session *ss, const md_attach_opts *o, md_report *r,
                              int two_passes, md_err *err)
{
	memset(ss, 0, sizeof *ss);
	memset(r, 0, sizeof *r);
	r->pid = o->pid;
	ss->n = o->nvars;
	md_status s = md_target_open(o->pid, o->debug_file, o->debug_dir, &ss->t, err);
	snprintf(r->exe, sizeof r->exe, "%s", ss->t.proc.exe_path);
	snprintf(r->go_version, sizeof r->go_version, "%s", ss->t.go_version);
	if (s != MD_OK)
		return s;

	r->nmaps = o->nvars;
	r->maps = calloc((size_t)o->nvars, sizeof *r->maps);
	ss->w = calloc((size_t)o->nvars, sizeof *ss->w);
	ss->plans = calloc((size_t)o->nvars, sizeof *ss->plans);
	if (!r->maps || !ss->w || !ss->plans)
		return md_err_set(err, MD_E_NOMEM, "%d variables", o->nvars);

	/* All DWARF work, while the target runs. */
	for (int i = 0; i < o->nvars; i++) {
		md_map_report *mr = &r->maps[i];
		md_rm_var *w = &ss->w[i];
		mr->expr = o->vars[i];
		w->plan = &ss->plans[i];
		w->name = o->vars[i];
		mr->status = md_plan_build(ss->t.dw, o->vars[i], ss->t.bias, w->plan, &mr->err);
		if (mr->status == MD_OK)
			mr->status = md_dwarf_map_layout(ss->t.dw, w->plan->map_type, &mr->layout,
			                                 &mr->err);
		if (mr->status == MD_OK)
			mr->status = md_rm_layout_check(&mr->layout, &mr->err);
		w->layout = &mr->layout;
		w->skip = mr->status != MD_OK;
		if (mr->status == MD_OK) {
			if (!(w->hdr = calloc(1, mr->layout.header_size)))
				return md_err_set(err, MD_E_NOMEM, "header buffer");
			ss->live++;
		}
	}
	if (!ss->live)
		return MD_OK;

	/* The pid must still name the process whose executable we read. */
	if ((s = md_proc_recheck(&ss->t.proc, err)) != MD_OK)
		return s;
	md_mem_init(&ss->mem, o->pid);
	ss->mem_open = 1;
	/* one read of every map during the stop, when nothing moved */
	ss->ctx.speculate = !two_passes;
	if ((s = md_rm_prepare(&ss->mem, ss->w, r->nmaps, &ss->ctx, r->nmaps, err)) != MD_OK)
		return s;
	if (!two_passes)
		return MD_OK;
	ss->w2 = calloc((size_t)o->nvars, sizeof *ss->w2);
	if (!ss->w2)
		return md_err_set(err, MD_E_NOMEM, "second-pass buffers");
	for (int i = 0; i < o->nvars; i++) {
		ss->w2[i].plan = ss->w[i].plan;   /* shared: each pass copies out its result */
		ss->w2[i].name = ss->w[i].name;
		ss->w2[i].layout = ss->w[i].layout;
		ss->w2[i].skip = ss->w[i].skip;
		if (r->maps[i].status != MD_OK)
			continue;
		if (!(ss->w2[i].hdr = calloc(1, r->maps[i].layout.header_size)))
			return md_err_set(err, MD_E_NOMEM, "header buffer");
		if (ss->w[i].dir_cap &&
		    (s = md_rm_ensure_dir(&ss->w2[i], ss->w[i].dir_cap, r->maps[i].layout.table_size,
		                    err)) != MD_OK)
			return s;
	}
	return MD_OK;
}

md_status md_attach(const md_attach_opts *o, md_report *r, md_err *err)
{
	md_session ss;
	md_cfi *cfi = NULL;
	md_g_layout gl;
	int have_gl = 0;
	md_threads ts = { 0 };
	md_status s = session_open(&ss, o, r, o->no_stop, err);
	if (s != MD_OK || !ss.live)
		goto out;
	if (o->no_stop) {
		s = sample_unstopped(&ss.mem, r, ss.w, ss.w2, &ss.ctx, &ss.t.gf, &o->th, err);
		r->reads = ss.mem.syscalls;
		goto out;
	}
	/* who is writing: CFI and g layout from DWARF, stack buffers, now */
	r->threads_mode = o->threads;
	if (r->threads_mode) {
		if (md_cfi_open(ss.t.dw, &cfi, err) != MD_OK)
			cfi = NULL;   /* frame pointers only */
		have_gl = md_g_layout_load(ss.t.dw, &gl, err) == MD_OK;
		pid_t tmp[4096];
		int nt = md_proc_tids(o->pid, tmp, 4096);
		if ((s = md_threads_prepare(&ts, nt > 0 ? nt : 8, have_gl ? &gl : NULL,
		                            &ss.mem, err)) != MD_OK)
			goto out;
	}
	md_dwarf_settle(ss.t.dw);
	r->stopped = 1;
	md_stop *stop = NULL;
	if ((s = md_stop_all(o->pid, o->stop_timeout_ms,
	                       o->threads ? MD_STOP_REGS : 0, &stop, err)) != MD_OK)
		goto out;
	/* ---- the target is stopped ---- */
	uint64_t syscalls0 = ss.mem.syscalls;
	md_status rs = md_rm_read_all(&ss.mem, ss.w, r->nmaps, &ss.ctx, 0, err);
	if (rs == MD_OK && o->threads)
		rs = md_threads_capture(&ts, stop, &ss.mem, have_gl ? &gl : NULL, err);
	md_err rerr = *err;
	md_stop_stats st;
	md_stop_release(stop, &st, err);
	/* ---- the target runs ---- */
	r->pause_ns = st.pause_ns;
	r->threads = st.threads;
	r->reads = ss.mem.syscalls - syscalls0;
	if (rs != MD_OK) {
		*err = rerr;
		s = rs;
		goto out;
	}
	for (int i = 0; i < o->nvars; i++)
		md_rm_finish(&r->maps[i], &ss.w[i], &ss.t.gf, &o->th);
	if (o->threads)
		attribute(ss.t.dw, r, &ts, cfi, ss.t.bias, &ss.t.gf);
out:
	if (s == MD_OK)
		name_errors(r);
	md_threads_free(&ts);
	md_cfi_free(cfi);
	session_close(&ss);
	return s;
}

/* ---- sessions for mapdiag watch ---------------------------------------- */

/* Before watching: a map whose two passes read the same bytes but that does
 * not decode (an unreadable header, directory or table; an implausible
 * header) gets the error attach would report, and is not read again.
 * Without this, watch counted every sample of such a map as torn - a map
 * being written - and ended with exit 0 and no message (found by
 * tests/integration/test_safety.py on testdata/corrupt).  Maps that never
 * read the same twice stay: being written is what watch measures. */
static md_status session_check(md_session *ss, const md_attach_opts *o, md_report *r,
                               md_err *err)
{
	int n = r->nmaps, left = 0;
	int *done = calloc((size_t)n + 1, sizeof *done);
	md_map_report *tmp = calloc(1, sizeof *tmp);
	md_status s = MD_OK;
	if (!done || !tmp) {
		s = md_err_set(err, MD_E_NOMEM, "watch");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		done[i] = r->maps[i].status != MD_OK;
		left += !done[i];
	}
	for (int k = 0; left && k < MD_NOSTOP_TRIES; k++) {
		/* a local md_err: reads leave per-read failures in it even when
		 * they succeed, and watch prints err on exit 3 */
		md_err e = { 0 };
		if ((s = md_rm_read_all(&ss->mem, ss->w, n, &ss->ctx, 0, &e)) != MD_OK ||
		    (s = md_rm_read_all(&ss->mem, ss->w2, n, &ss->ctx, 0, &e)) != MD_OK) {
			*err = e;
			goto out;
		}
		for (int i = 0; i < n; i++) {
			if (done[i] || !same_reads(&ss->w[i], &ss->w2[i], &r->maps[i].layout))
				continue;
			done[i] = 1;
			left--;
			*tmp = r->maps[i];
			tmp->tables = NULL;
			md_rm_finish(tmp, &ss->w[i], &ss->t.gf, &o->th);
			free(tmp->tables);
			if (tmp->status != MD_OK) {
				r->maps[i].status = tmp->status;
				r->maps[i].err = tmp->err;
				ss->w[i].skip = ss->w2[i].skip = 1;
			}
		}
	}
	name_errors(r);
out:
	free(done);
	free(tmp);
	return s;
}

md_status md_session_open(const md_attach_opts *o, md_report *r, md_session **out,
                          md_err *err)
{
	md_session *ss = malloc(sizeof *ss);
	if (!ss)
		return md_err_set(err, MD_E_NOMEM, "session");
	md_status s = session_open(ss, o, r, 1, err);
	if (s == MD_OK && ss->live)
		s = session_check(ss, o, r, err);
	if (s != MD_OK) {
		session_close(ss);
		free(ss);
		return s;
	}
	*out = ss;
	return MD_OK;
}

void md_session_close(md_session *ss)
{
	if (!ss)
		return;
	session_close(ss);
	free(ss);
}

uint64_t md_session_reads(const md_session *ss)
{
	return ss->mem.syscalls;
}

/* The few values watch follows, from bytes two passes agreed on. */
static void to_sample(const md_map_report *mr, const md_rm_var *v, const md_gofacts *gf,
                      md_wsample *x)
{
	const md_map_layout *l = &mr->layout;
	md_err e;
	x->ok = 0;
	if (v->rstatus != MD_OK)
		return;
	x->swiss = l->impl == MD_IMPL_SWISS;
	if (!v->header) {
		x->is_nil = 1;
		x->ok = 1;
		return;
	}
	if (!x->swiss) {
		md_hmap_hdr h;
		md_derived d;
		if (md_hmap_decode(l, v->hdr, l->header_size, &h, &e) != MD_OK || h.B > 62)
			return;
		md_hmap_derive(l, gf, &h, &d);
		x->count = h.count;
		x->writing = (h.flags & MD_HMAP_F_WRITING) != 0;
		x->growing = h.oldbuckets != 0;
		x->B = h.B;
		x->nevacuate = h.nevacuate;
		x->noldbuckets = d.noldbuckets;
		x->has_clearSeq = h.has_clearSeq;
		x->clearSeq = h.clearSeq;
		x->ok = 1;
		return;
	}
	md_swiss_hdr h;
	if (md_swiss_decode(l, v->hdr, l->header_size, &h, &e) != MD_OK ||
	    md_swiss_check_dir(&h, &e) != MD_OK)
		return;
	x->count = h.used;
	x->writing = h.writing != 0;
	x->dirLen = h.dirLen;
	x->globalDepth = h.globalDepth;
	x->has_clearSeq = h.has_clearSeq;
	x->clearSeq = h.clearSeq;
	x->capacity = h.dirLen == 0 ? (h.dirPtr ? 8 : 0) : 0;
	for (size_t t = 0; t < v->nt; t++) {
		md_swiss_table tb;
		if (!v->t_ok[t] || md_swiss_table_decode(l, v->tptr[t], v->tbuf + t * l->table_size,
		                                         l->table_size, &tb, &e) != MD_OK)
			return;
		x->capacity += tb.capacity;
	}
	x->ok = 1;
}

md_status md_session_sample(md_session *ss, md_report *r, int tries, md_wsample *x,
                            md_err *err)
{
	int n = r->nmaps, left = 0;
	for (int i = 0; i < n; i++) {
		x[i].ok = 0;
		left += r->maps[i].status == MD_OK;
	}
	uint64_t t = now_ns();
	for (int k = 0; left && k < tries; k++) {
		md_status s;
		if ((s = md_rm_read_all(&ss->mem, ss->w, r->nmaps, &ss->ctx, 0, err)) != MD_OK ||
		    (s = md_rm_read_all(&ss->mem, ss->w2, r->nmaps, &ss->ctx, 0, err)) != MD_OK)
			return s;
		t = now_ns();
		for (int i = 0; i < n; i++) {
			if (r->maps[i].status != MD_OK || x[i].ok)
				continue;
			if (!same_reads(&ss->w[i], &ss->w2[i], &r->maps[i].layout))
				continue;
			to_sample(&r->maps[i], &ss->w[i], &ss->t.gf, &x[i]);
			x[i].t_ns = t;
			left -= x[i].ok;
		}
	}
	for (int i = 0; i < n; i++)
		if (!x[i].ok)
			x[i].t_ns = t;
	return MD_OK;
}
