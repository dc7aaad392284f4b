/* watch.c - sample map headers over a window without stopping the target
 * (see watch.h).  Sampling runs on absolute deadlines, so a slow report does
 * not shift the sample grid; reports go out every every_ns. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "watch.h"
#include "msg.h"

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static double unix_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(uint64_t deadline)
{
	struct timespec t = { (time_t)(deadline / 1000000000u),
	                      (long)(deadline % 1000000000u) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

static int exit_code(const md_watch_report *r)
{
	int worst = 0;
	if (r->exited)
		return 3;
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status != MD_OK)
			return 3;
		if ((int)r->maps[i].v.sev > worst)
			worst = (int)r->maps[i].v.sev;
	}
	return worst;
}

static void report(const md_watch_opts *o, md_watch_report *wr, int *first, md_err *err)
{
	wr->now_ns = mono_ns();
	wr->unix_time = unix_now();
	for (int i = 0; i < wr->nmaps; i++)
		if (wr->maps[i].status == MD_OK)
			md_wstat_verdict(&wr->maps[i].st, &o->th, &wr->maps[i].v);
	if (o->prom && md_print_watch_prom(o->prom, wr, err) != MD_OK)
		md_msg_error(err);   /* keep watching: the next write may succeed */
	if (o->json)
		md_print_watch_jsonl(stdout, wr);
	else if (o->tty) {
		md_print_watch_tty(stdout, wr, *first, o->color);
		*first = 0;
	}
	fflush(stdout);
}

int md_watch_run(const md_watch_opts *o, volatile int *stop, md_err *err)
{
	md_report r;
	md_session *ss = NULL;
	md_status s = md_session_open(&o->a, &r, &ss, err);
	if (s != MD_OK) {
		md_report_free(&r);
		return 3;
	}
	md_watch_report wr;
	memset(&wr, 0, sizeof wr);
	wr.pid = r.pid;
	wr.exe = r.exe;
	wr.go_version = r.go_version;
	wr.interval_ns = o->interval_ns;
	wr.nmaps = r.nmaps;
	wr.maps = calloc((size_t)r.nmaps + 1, sizeof *wr.maps);
	md_wsample *x = calloc((size_t)r.nmaps + 1, sizeof *x);
	if (!wr.maps || !x) {
		md_err_set(err, MD_E_NOMEM, "watch");
		free(wr.maps);
		free(x);
		md_session_close(ss);
		md_report_free(&r);
		return 3;
	}
	for (int i = 0; i < r.nmaps; i++) {
		md_wmap *m = &wr.maps[i];
		m->expr = r.maps[i].expr;
		m->status = r.maps[i].status;
		m->err = r.maps[i].err;
		snprintf(m->type_name, sizeof m->type_name, "%s", r.maps[i].layout.type_name);
		m->swiss = r.maps[i].layout.impl == MD_IMPL_SWISS;
		md_wstat_init(&m->st);
		if (m->status != MD_OK)
			md_msg_error(&m->err);
	}

	int first = 1;
	wr.start_ns = mono_ns();
	uint64_t next_report = wr.start_ns + o->every_ns;
	for (uint64_t k = 0; !(stop && *stop); k++) {
		if (o->count && k >= o->count)
			break;
		uint64_t now = mono_ns();
		if (o->duration_ns && now - wr.start_ns >= o->duration_ns)
			break;
		md_err e;
		/* two pairs of passes at most: a map written nonstop stays torn
		 * for this sample rather than holding up the sample grid */
		s = md_session_sample(ss, &r, 2, x, &e);
		if (s == MD_E_EXITED) {
			wr.exited = 1;
			break;
		}
		for (int i = 0; i < r.nmaps; i++)
			if (wr.maps[i].status == MD_OK)
				md_wstat_add(&wr.maps[i].st, &x[i]);
		wr.reads = md_session_reads(ss);
		now = mono_ns();
		if (now >= next_report) {
			report(o, &wr, &first, err);
			while (next_report <= now)
				next_report += o->every_ns;
		}
		uint64_t due = wr.start_ns + (k + 1) * o->interval_ns;
		if (due > now)
			sleep_until(due);
	}
	wr.final = 1;
	wr.reads = md_session_reads(ss);
	report(o, &wr, &first, err);
	if (o->tty)
		md_print_watch_summary(stdout, &wr, o->color);
	int code = exit_code(&wr);
	free(wr.maps);
	free(x);
	md_session_close(ss);
	md_report_free(&r);
	return code;
}
