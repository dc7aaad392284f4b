/* watch.c - sample map headers over a window without stopping the target
 * (see watch.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "watch.h"
#include "target.h"
#include "vars.h"
#include "session.h"
#include "gofacts.h"
#include "clock.h"

/* What one window holds. */
typedef struct watcher {
	md_target t;
	md_gofacts gf;
	md_vars vs;
	md_mem mem;
	md_session *ss;            /* NULL when no variable resolved */
	md_report r;               /* the variables: expr, status, layout */
	md_watch_report wr;
	md_watch_sample *x;        /* this sample of each map */
	int *done;
	int *again;                /* its path moved: resolve it again before
	                              the next sample */
} watcher;

static void sleep_until(uint64_t deadline)
{
	struct timespec t = { (time_t)(deadline / 1000000000u),
	                      (long)(deadline % 1000000000u) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

/* The first look: a map whose two passes read the same bytes but that
 * does not decode (an unreadable header, directory or table; an
 * implausible header) gets the error attach would report, and is not read
 * again: otherwise every sample of it would count as torn, as if it were
 * being written.  Maps that never read the same twice stay: being written
 * is what watch measures. */
static int first_look(void *arg, int i, const md_mapread *v, uint64_t t_ns)
{
	watcher *wa = arg;
	md_map_report tmp = wa->r.maps[i];
	md_map_bytes b;
	(void)t_ns;
	/* what the path led to changed since it was resolved: resolve it
	 * again and read it in the next pair */
	if (v->rstatus == MD_E_MOVED) {
		md_status s = md_vars_again(&wa->vs, i, &tmp.err);
		if (s == MD_OK)
			return 0;
		wa->r.maps[i].status = s;
		wa->r.maps[i].err = tmp.err;
		md_session_drop(wa->ss, i);
		return 1;
	}
	memset(&tmp.view, 0, sizeof tmp.view);
	md_mapread_bytes(v, &b);
	md_map_report_take(&tmp, v->rstatus, &v->rerr, &b, &wa->gf);
	md_map_view_free(&tmp.view);
	if (tmp.status != MD_OK) {
		wa->r.maps[i].status = tmp.status;
		wa->r.maps[i].err = tmp.err;
		md_session_drop(wa->ss, i);
	}
	return 1;
}

/* A sample of map i, from bytes a pair of passes agreed on: the values
 * watch follows, through the same decoder and validator as attach. */
static int sample(void *arg, int i, const md_mapread *v, uint64_t t_ns)
{
	watcher *wa = arg;
	md_watch_sample *x = &wa->x[i];
	md_map_bytes b;
	md_map_view mv;
	md_err e;
	if (v->rstatus == MD_E_MOVED) {
		/* not this sample: the path is resolved again before the next */
		wa->again[i] = 1;
		return 1;
	}
	if (v->rstatus != MD_OK)
		return 0;
	md_mapread_bytes(v, &b);
	const md_map_layout *l = wa->r.maps[i].layout;
	if (md_map_view_make(l, &b, &wa->gf, wa->r.maps[i].expr, &mv, &e) != MD_OK)
		return 0;
	md_watch_sample_of(&mv, l->impl == MD_IMPL_SWISS, x);
	md_map_view_free(&mv);
	x->t_ns = t_ns;
	x->ok = 1;
	return 1;
}

/* One sample of every watched map. */
static md_status sample_all(watcher *wa, md_err *err)
{
	int n = wa->r.nmaps;
	for (int i = 0; i < n; i++) {
		md_err e;
		wa->x[i].ok = 0;
		wa->done[i] = wa->r.maps[i].status != MD_OK;
		/* a path that still leads nowhere (its key deleted) leaves this
		 * sample out, and is tried again at the next */
		if (wa->again[i] && md_vars_again(&wa->vs, i, &e) == MD_OK)
			wa->again[i] = 0;
		wa->done[i] |= wa->again[i];
	}
	md_status s = MD_OK;
	if (wa->ss)
		s = md_session_settle(wa->ss, MD_SESSION_SAMPLE_PAIRS, wa->done, sample, wa, NULL, err);
	if (s != MD_OK)
		return s;
	uint64_t t = wa->ss ? md_session_time(wa->ss) : md_now_ns();
	for (int i = 0; i < n; i++)
		if (!wa->x[i].ok)
			wa->x[i].t_ns = t;
	return MD_OK;
}

/* Resolve, prepare, and take the first look. */
static md_status open_window(watcher *wa, const md_watch_opts *o, md_err *err)
{
	md_report *r = &wa->r;
	md_status s = md_target_open(o->pid, o->debug_file, o->debug_dir, &wa->t, err);
	md_report_init(r, o->pid, wa->t.proc.exe_path, wa->t.go_version);
	if (s != MD_OK || (s = md_gofacts_check(wa->t.go_version, err)) != MD_OK)
		return s;
	md_gofacts_for(wa->t.go_version, &wa->gf);
	/* the pid must still name the process whose executable we read */
	if ((s = md_proc_recheck(&wa->t.proc, err)) != MD_OK ||
	    (s = md_mem_open_live(&wa->mem, o->pid, 0, err)) != MD_OK ||
	    (s = md_vars_resolve(&wa->vs, wa->t.dw, wa->t.bias, &wa->mem, o->vars, o->types,
	                         o->nvars, err)) != MD_OK)
		return s;
	if (!(r->maps = calloc((size_t)o->nvars + 1, sizeof *r->maps)))
		return md_err_set(err, MD_E_NOMEM, "%d variables", o->nvars);
	if ((s = md_report_layouts(r, o->nvars, err)) != MD_OK)
		return s;
	r->nmaps = o->nvars;
	for (int i = 0; i < o->nvars; i++) {
		r->maps[i].expr = wa->vs.v[i].expr;
		r->maps[i].status = wa->vs.v[i].status;
		r->maps[i].err = wa->vs.v[i].err;
		r->layouts[i] = wa->vs.v[i].layout;
		r->maps[i].layout = &r->layouts[i];
	}
	wa->x = calloc((size_t)o->nvars + 1, sizeof *wa->x);
	wa->done = calloc((size_t)o->nvars + 1, sizeof *wa->done);
	wa->again = calloc((size_t)o->nvars + 1, sizeof *wa->again);
	if (!wa->x || !wa->done || !wa->again)
		return md_err_set(err, MD_E_NOMEM, "watch");
	if (!wa->vs.live)
		return MD_OK;
	if ((s = md_session_open(&wa->mem, wa->vs.w, wa->vs.n, &wa->ss, err)) != MD_OK)
		return s;
	for (int i = 0; i < r->nmaps; i++)
		wa->done[i] = r->maps[i].status != MD_OK;
	/* a local md_err: reads leave per-read failures in it even when they
	 * succeed, and err is printed on exit 3 */
	md_err e = { 0 };
	if ((s = md_session_settle(wa->ss, MD_SESSION_SETTLE_PAIRS, wa->done, first_look, wa,
	                           NULL, &e)) != MD_OK) {
		*err = e;
		return s;
	}
	md_report_name_errors(r);
	return MD_OK;
}

static void close_window(watcher *wa)
{
	for (int i = 0; wa->wr.maps && i < wa->wr.nmaps; i++)
		md_verdict_free(&wa->wr.maps[i].v);
	free(wa->wr.maps);
	free(wa->x);
	free(wa->done);
	free(wa->again);
	md_session_close(wa->ss);
	md_mem_close(&wa->mem);
	md_vars_free(&wa->vs);
	md_report_free(&wa->r);
	md_target_close(&wa->t);
}

static void report(const md_watch_opts *o, watcher *wa, const md_watch_sink *sink)
{
	md_watch_report *wr = &wa->wr;
	wr->now_ns = md_now_ns();
	wr->unix_time = md_unix_now();
	for (int i = 0; i < wr->nmaps; i++)
		if (wr->maps[i].status == MD_OK)
			md_watch_stat_verdict(&wr->maps[i].st, &o->th, &wr->maps[i].v);
	sink->report(sink->arg, wr);
}

md_exit md_watch_run(const md_watch_opts *o, volatile sig_atomic_t *stop,
                     const md_watch_sink *sink, md_err *err)
{
	watcher *wa = calloc(1, sizeof *wa);
	if (!wa) {
		md_err_set(err, MD_E_NOMEM, "watch");
		return MD_EXIT_UNKNOWN;
	}
	wa->t.proc.exe_fd = -1;
	md_watch_report *wr = &wa->wr;
	md_status s = open_window(wa, o, err);
	if (s == MD_OK && !(wr->maps = calloc((size_t)wa->r.nmaps + 1, sizeof *wr->maps)))
		s = md_err_set(err, MD_E_NOMEM, "watch");
	if (s != MD_OK) {
		close_window(wa);
		free(wa);
		return MD_EXIT_UNKNOWN;
	}
	wr->pid = wa->r.pid;
	wr->exe = wa->r.exe;
	wr->go_version = wa->r.go_version;
	wr->interval_ns = o->interval_ns;
	wr->nmaps = wa->r.nmaps;
	for (int i = 0; i < wa->r.nmaps; i++) {
		md_watch_map *m = &wr->maps[i];
		m->expr = wa->r.maps[i].expr;
		m->status = wa->r.maps[i].status;
		m->err = wa->r.maps[i].err;
		snprintf(m->type_name, sizeof m->type_name, "%s", wa->r.maps[i].layout->type_name);
		m->swiss = wa->r.maps[i].layout->impl == MD_IMPL_SWISS;
		md_watch_stat_init(&m->st);
	}
	sink->start(sink->arg, wr);

	wr->start_ns = md_now_ns();
	uint64_t next_report = wr->start_ns + o->every_ns;
	for (uint64_t k = 0; !(stop && *stop); k++) {
		if (o->count && k >= o->count)
			break;
		uint64_t now = md_now_ns();
		if (o->duration_ns && now - wr->start_ns >= o->duration_ns)
			break;
		md_err e;
		if (sample_all(wa, &e) == MD_E_EXITED) {
			wr->exited = 1;
			break;
		}
		for (int i = 0; i < wr->nmaps; i++)
			if (wr->maps[i].status == MD_OK)
				md_watch_stat_add(&wr->maps[i].st, &wa->x[i]);
		wr->reads = wa->mem.syscalls;
		now = md_now_ns();
		if (now >= next_report) {
			report(o, wa, sink);
			while (next_report <= now)
				next_report += o->every_ns;
		}
		uint64_t due = wr->start_ns + (k + 1) * o->interval_ns;
		if (due > now)
			sleep_until(due);
	}
	wr->final = 1;
	wr->reads = wa->mem.syscalls;
	/* an UNKNOWN says why, in the final report too (its JSON line): the
	 * maps' errors were said at the start */
	if (wr->exited)
		md_err_set(&wr->end, MD_E_EXITED, "process %d, %.2f s into the window",
		           (int)wr->pid, (double)(md_now_ns() - wr->start_ns) / 1e9);
	report(o, wa, sink);
	md_exit code = md_watch_exit_code(wr);
	if (wr->exited)
		*err = wr->end;
	close_window(wa);
	free(wa);
	return code;
}
