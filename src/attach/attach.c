/* attach.c - the flow of one attach (see attach.h and ../shared/DESIGN.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "attach.h"
#include "target.h"
#include "vars.h"
#include "snapshot.h"
#include "session.h"
#include "md_cfi.h"
#include "goroutine.h"
#include "capture.h"
#include "writers.h"
#include "parked.h"
#include "crash.h"
#include "gofacts.h"
#include "clock.h"

/* A map entry from the bytes of its last read. */
static void take(md_map_report *mr, const md_mapread *v, const md_gofacts *gf)
{
	md_map_bytes b;
	md_mapread_bytes(v, &b);
	md_map_report_take(mr, v->rstatus, &v->rerr, &b, gf);
}

/* After the release: walk the stacks, name the frames, find the writers
 * and give each map its writer facts. */
static void attribute_writers(md_dwarf *dw, md_report *r, const md_threads *ts, md_cfi *cfi,
                              uint64_t bias, const md_gofacts *gf)
{
	uint64_t t0 = md_now_ns();
	int swiss = -1;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK && !r->maps[i].view.is_nil)
			swiss = r->maps[i].layout->impl == MD_IMPL_SWISS;
	md_err err;
	if (swiss < 0 || md_writers_analyse(dw, cfi, ts, bias, gf->minor, swiss,
	                                    r->threads_mode == MD_THREADS_ALL, &r->analysis,
	                                    &err) != MD_OK) {
		r->analyse_ns = md_now_ns() - t0;
		return;   /* no decoded map to attribute to, or out of memory */
	}
	int unidentified = 0;
	for (int k = 0; k < r->analysis.n; k++)
		unidentified += r->analysis.t[k].writer && !r->analysis.t[k].map;
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *m = &r->maps[i];
		if (m->status != MD_OK || m->view.is_nil)
			continue;
		m->wf.analysed = 1;
		m->wf.unidentified = unidentified;
		for (int k = 0; k < r->analysis.n; k++) {
			const md_thread_info *t = &r->analysis.t[k];
			if (!t->writer || t->map != m->view.addr)
				continue;
			m->wf.proven++;
			m->wf.growing += t->growing;
			if (m->nwriters < MD_MAX_WRITERS)
				m->writers[m->nwriters++] = k;
		}
	}
	r->analyse_ns = md_now_ns() - t0;
}

/* The map's writing flag, as decoded. */
static int flag_set(const md_map_report *m)
{
	if (m->status != MD_OK || m->view.is_nil)
		return 0;
	return m->layout->impl == MD_IMPL_SWISS ? m->view.s.writing != 0
	                                        : (m->view.h.flags & MD_HMAP_F_WRITING) != 0;
}

/* What the goroutines of the stop tell about maps whose writing flag is
 * set and that no thread writes: walked only then (a stack walk of every
 * parked goroutine, while the target runs). */
static void attribute_parked(md_report *r, md_parked_src *ps, const md_parked *pk, int all)
{
	int need = 0;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].wf.analysed && (all || (flag_set(&r->maps[i]) && !r->maps[i].wf.proven))) {
			need = 1;
			ps->swiss = r->maps[i].layout->impl == MD_IMPL_SWISS;
		}
	md_err err;
	if (!need || !ps->at_stop || !ps->at_stop->ok ||
	    md_parked_find(pk, ps, &r->analysis, &err) != MD_OK)
		return;   /* not asked, not read in the stop, or out of memory */
	const md_thread_analysis *a = &r->analysis;
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *mr = &r->maps[i];
		if (!mr->wf.analysed || (!all && (!flag_set(mr) || mr->wf.proven)))
			continue;
		mr->wf.parked_analysed = 1;
		/* a goroutine whose stack was not the snapshot's may have been
		 * inside a write of this map, and so may one whose map is not
		 * proven: no claim of staleness then */
		mr->wf.parked_unsure = (int)(a->parked_unknown < 1000000 ? a->parked_unknown : 1000000);
		for (int k = 0; k < a->nparked; k++) {
			const md_thread_info *t = &a->parked[k];
			if (!t->map) {
				mr->wf.parked_unsure++;
				continue;
			}
			if (t->map != mr->view.addr)
				continue;
			if (!mr->wf.parked++) {
				mr->wf.parked_goid = t->goid;
				mr->wf.parked_state = t->gstate;
			}
			mr->wf.growing += t->growing;
			if (mr->nparked < MD_MAX_WRITERS)
				mr->parked[mr->nparked++] = k;
		}
	}
}

/* --no-stop: each map as soon as a pair of passes agrees on it. */
typedef struct unstopped {
	md_report *r;
	const md_gofacts *gf;
	const md_thresholds *th;
} unstopped;

static int take_unstopped(void *arg, int i, const md_mapread *v, uint64_t t_ns)
{
	unstopped *u = arg;
	(void)t_ns;
	take(&u->r->maps[i], v, u->gf);
	md_map_report_classify(&u->r->maps[i], u->th);
	return 1;
}

static md_status read_unstopped(md_mem *m, md_vars *vs, md_report *r, const md_gofacts *gf,
                                const md_thresholds *th, md_err *err)
{
	md_session *ss = NULL;
	int *done = calloc((size_t)r->nmaps + 1, sizeof *done);
	md_status s = done ? md_session_open(m, vs->w, vs->n, &ss, err)
	                   : md_err_set(err, MD_E_NOMEM, "no-stop");
	if (s != MD_OK)
		goto out;
	for (int i = 0; i < r->nmaps; i++)
		done[i] = r->maps[i].status != MD_OK;
	unstopped u = { r, gf, th };
	s = md_session_settle(ss, MD_SESSION_SETTLE_PAIRS, done, take_unstopped, &u, &r->tries,
	                      err);
	for (int i = 0; s == MD_OK && i < r->nmaps; i++)
		if (!done[i])
			r->maps[i].status = md_err_set(&r->maps[i].err, MD_E_TORN,
			                               "%s changed during each of %d pairs of reads",
			                               r->maps[i].expr, MD_SESSION_SETTLE_PAIRS);
	r->reads = m->syscalls;
out:
	md_session_close(ss);
	free(done);
	return s;
}

/* The stopped snapshot, then the maps and the writers. */
static md_status read_stopped(const md_attach_opts *o, md_target *t, md_mem *m, md_vars *vs,
                              md_report *r, const md_gofacts *gf, md_err *err)
{
	md_cfi *cfi = NULL;
	md_g_layout gl;
	int have_gl = 0;
	md_threads ts = { 0 };
	md_allgs_buf gs = { 0 };
	md_allgs_loc al;
	md_snapshot sn = { .proc = &t->proc, .dw = t->dw, .mem = m,
	                   .stop_timeout_ms = o->stop_timeout_ms, .maps = vs->w,
	                   .nmaps = vs->n, .speculate = 1 };
	r->threads_mode = o->threads;
	if (o->threads != MD_THREADS_NONE) {
		/* who is writing: CFI and the g layout from DWARF, now */
		if (md_cfi_open(t->dw, &cfi, err) != MD_OK)
			cfi = NULL;   /* frame pointers only */
		have_gl = md_g_layout_load(t->dw, &gl, err) == MD_OK;
		sn.threads = &ts;
		sn.gl = have_gl ? &gl : NULL;
		/* a writer parked mid-write is on no thread: the goroutines too,
		 * read in the stop only if a map's writing flag is set */
		md_err e;
		if (have_gl && md_allgs_locate(t->dw, t->bias, &al, &e) == MD_OK) {
			sn.goroutines = &gs;
			sn.al = &al;
		}
	}
	md_status s = md_snapshot_prepare(&sn, err);
	if (s == MD_OK) {
		s = md_snapshot_take(&sn, err);
		md_report_stopped(r, sn.stop.pause_ns, sn.stop.threads, sn.reads);
	}
	md_parked pk = { 0 };
	md_parked_src ps = { t->dw, cfi, t->bias, gf->minor, 0, &gl, &al, sn.goroutines, &ts };
	/* first thing after the release: the stacks of the goroutines that
	 * were parked, before they run (only if a writing flag was set) */
	int pk_ok = s == MD_OK && sn.goroutines;
	if (pk_ok && (s = md_parked_copy(&pk, &ps, m, err)) == MD_E_NOMEM) {
		s = MD_OK;   /* the threads' analysis still stands */
		pk_ok = 0;
	}
	if (s == MD_OK) {
		for (int i = 0; i < r->nmaps; i++)
			take(&r->maps[i], &vs->w[i], gf);
		if (o->threads != MD_THREADS_NONE) {
			attribute_writers(t->dw, r, &ts, cfi, t->bias, gf);
			if (pk_ok)
				attribute_parked(r, &ps, &pk, 0);
		}
		for (int i = 0; i < r->nmaps; i++)
			md_map_report_classify(&r->maps[i], &o->th);
	}
	md_snapshot_free(&sn);
	md_threads_free(&ts);
	md_allgs_buf_free(&gs);
	md_parked_free(&pk);
	md_cfi_free(cfi);
	return s;
}

/* A core: each map's bytes (a pair of passes agrees at once: nothing
 * changes), then its threads as a stop would have captured them. */
typedef struct cored { md_report *r; const md_gofacts *gf; } cored;

static int take_cored(void *arg, int i, const md_mapread *v, uint64_t t_ns)
{
	cored *c = arg;
	(void)t_ns;
	take(&c->r->maps[i], v, c->gf);
	return 1;
}

/* Who was writing when the core was written: its threads, and every
 * goroutine on no thread (in a core they cannot have moved, so they are
 * always looked at: a crash's other writer is often one of them), then
 * the concurrent-map fatal error, if that is what the core is of. */
static md_status core_writers(md_target *t, md_mem *m, md_report *r, const md_gofacts *gf,
                              md_err *err)
{
	md_cfi *cfi = NULL;
	md_threads ts = { 0 };
	md_allgs_buf gs = { 0 };
	md_allgs_loc al;
	md_g_layout gl;
	md_parked pk = { 0 };
	md_err e;
	if (md_cfi_open(t->dw, &cfi, &e) != MD_OK)
		cfi = NULL;   /* frame pointers only */
	int have_gl = md_g_layout_load(t->dw, &gl, &e) == MD_OK;
	md_status s = md_threads_from_core(&ts, &t->core, t->proc.exe_path, m, have_gl ? &gl : NULL, err);
	int pk_ok = s == MD_OK && have_gl && md_allgs_locate(t->dw, t->bias, &al, &e) == MD_OK &&
	            md_allgs_prepare(&gs, m, &gl, &al, &e) == MD_OK &&
	            md_allgs_capture(&gs, m, &gl, &al, &e) == MD_OK;
	md_parked_src ps = { t->dw, cfi, t->bias, gf->minor, 0, &gl, &al, pk_ok ? &gs : NULL, &ts };
	if (pk_ok && md_parked_copy(&pk, &ps, m, &e) != MD_OK)
		pk_ok = 0;
	if (s == MD_OK) {
		attribute_writers(t->dw, r, &ts, cfi, t->bias, gf);
		if (pk_ok)
			attribute_parked(r, &ps, &pk, 1);
		md_crash_find(r);
	}
	md_parked_free(&pk);
	md_allgs_buf_free(&gs);
	md_threads_free(&ts);
	md_cfi_free(cfi);
	return s;
}

static md_status read_core(const md_attach_opts *o, md_target *t, md_mem *m, md_vars *vs,
                           md_report *r, const md_gofacts *gf, md_err *err)
{
	md_session *ss = NULL;
	int *done = calloc((size_t)r->nmaps + 1, sizeof *done);
	md_status s = done ? md_session_open(m, vs->w, vs->n, &ss, err)
	                   : md_err_set(err, MD_E_NOMEM, "core");
	for (int i = 0; s == MD_OK && i < r->nmaps; i++)
		done[i] = r->maps[i].status != MD_OK;
	cored c = { r, gf };
	if (s == MD_OK)
		s = md_session_settle(ss, 1, done, take_cored, &c, &r->tries, err);
	r->threads_mode = o->threads;
	if (s == MD_OK && o->threads != MD_THREADS_NONE)
		s = core_writers(t, m, r, gf, err);
	for (int i = 0; s == MD_OK && i < r->nmaps; i++)
		md_map_report_classify(&r->maps[i], &o->th);
	r->reads = m->syscalls;
	md_session_close(ss);
	free(done);
	return s;
}

md_status md_attach(const md_attach_opts *o, md_report *r, md_err *err)
{
	md_target t;
	md_vars vs = { 0 };
	md_mem m = { 0 };
	md_gofacts gf;
	/* with --no-stop the pid must still name the process whose
	 * executable was read: no stop pins it */
	md_target_spec sp = { o->pid, o->core, o->exe, o->debug_file, o->debug_dir, o->no_stop };
	md_status s = md_target_open_spec(&sp, &t, &m, err);
	md_report_init(r, o->core ? t.proc.pid : o->pid, t.proc.exe_path, t.go_version);
	if (o->core)
		md_report_core(r, o->core, t.core.nthreads ? t.core.threads[0].signo : 0,
		               t.exe_checked);
	if (s != MD_OK || (s = md_gofacts_check(t.go_version, err)) != MD_OK)
		goto out;
	md_gofacts_for(t.go_version, &gf);

	/* all DWARF work, and the paths that need it followed, while the
	 * target runs */
	if ((s = md_vars_resolve(&vs, t.dw, t.bias, &m, o->vars, o->types, o->nvars, err)) != MD_OK)
		goto out;
	if (!(r->maps = calloc((size_t)o->nvars + 1, sizeof *r->maps))) {
		s = md_err_set(err, MD_E_NOMEM, "%d variables", o->nvars);
		goto out;
	}
	if ((s = md_report_layouts(r, o->nvars, err)) != MD_OK)
		goto out;
	r->nmaps = o->nvars;
	for (int i = 0; i < o->nvars; i++) {
		r->maps[i].expr = vs.v[i].expr;
		r->maps[i].status = vs.v[i].status;
		r->maps[i].err = vs.v[i].err;
		r->layouts[i] = vs.v[i].layout;
		r->maps[i].layout = &r->layouts[i];
	}
	if (!vs.live)
		goto out;
	if (o->core)
		s = read_core(o, &t, &m, &vs, r, &gf, err);
	else if (o->no_stop)
		s = read_unstopped(&m, &vs, r, &gf, &o->th, err);
	else
		s = read_stopped(o, &t, &m, &vs, r, &gf, err);
out:
	if (s == MD_OK)
		md_report_name_errors(r);
	md_mem_close(&m);
	md_vars_free(&vs);
	md_target_close(&t);
	return s;
}
