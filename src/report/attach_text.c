/* attach_text.c - attach for people: the verdict first (a monitoring
 * plugin's status line), then one row per map and, for a map with a
 * warning, what it is and what to do.  -v adds each map's header fields,
 * tables and memory; --explain the four-state table, once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include "print.h"
#include "msg.h"
#include "fmt.h"
#include "printutil.h"
#include "plugin.h"
#include "fit.h"


/* "SIGABRT", as kill -l and the runtime's crash message name it. */
static const char *signame(int n, char *buf, size_t len)
{
	const char *a = sigabbrev_np(n);
	if (a)
		snprintf(buf, len, "SIG%s", a);
	else
		snprintf(buf, len, "signal %d", n);
	return buf;
}

/* The four-state table, rows of the states some map is in marked. */
static void state_table(const md_pen *p, const md_report *r)
{
	static const struct {
		md_state s;
		const char *w, *g;
	} rows[] = {
		{ MD_STATE_IDLE, "0", "no " },
		{ MD_STATE_WRITING, "1", "no " },
		{ MD_STATE_GROWING, "1", "yes" },
		{ MD_STATE_GROWING_IDLE, "0", "yes" },
	};
	FILE *f = p->f;
	int swiss = 0, classic = 0;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK) {
			swiss |= r->maps[i].layout->impl == MD_IMPL_SWISS;
			classic |= r->maps[i].layout->impl != MD_IMPL_SWISS;
		}
	fprintf(f, "\n%sthe four states%s (writing flag x growth):\n", md_pen_bold(p), md_pen_off(p));
	fprintf(f, "  %s   writing  growing  state         meaning%s\n", md_pen_dim(p), md_pen_off(p));
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int cur = 0;
		for (int k = 0; k < r->nmaps; k++)
			cur |= r->maps[k].status == MD_OK && r->maps[k].view.v.state == rows[i].s;
		/* Swiss maps hold no old buckets: their growth is a table rehashed
		 * or split inside one write, and it never parks */
		const char *meaning = md_state_meaning(rows[i].s);
		if (swiss && !classic && rows[i].s == MD_STATE_GROWING)
			meaning = "a write is growing a table (rehash or split), inside that write";
		else if (swiss && !classic && rows[i].s == MD_STATE_GROWING_IDLE)
			meaning = "not for Swiss maps: their growth never outlives the write";
		fprintf(f, "  %s%s %-7s  %-8s %-13s %s%s\n", cur ? md_pen_bold(p) : "",
		        cur ? ">" : " ", rows[i].w, rows[i].g, md_state_name(rows[i].s), meaning,
		        cur ? md_pen_off(p) : "");
	}
	if (classic && swiss)
		fprintf(f, "  %sgrowing, for a Swiss map: a write is rehashing or splitting a table; "
		        "Swiss maps are never growing-idle%s\n", md_pen_dim(p), md_pen_off(p));
	fprintf(f, "  %sLOAD is entries over slots; a map grows when it reaches its limit "
	        "(classic 6.5 per bucket of 8 slots, 81.25%%; Swiss 7 of 8, 87.5%%)%s\n",
	        md_pen_dim(p), md_pen_off(p));
}

static void hmap_text(const md_pen *p, const md_map_report *m)
{
	FILE *f = p->f;
	const md_hmap_hdr *h = &m->view.h;
	const md_derived *d = &m->view.d;
	char a[32], b[32], c[32], e[32], g[32];
	fprintf(f, "  count %" PRIu64 "  B %u (%" PRIu64 " buckets)  load %.1f%% (grows at %.1f%%)"
	        "  noverflow %u (threshold %" PRIu64 ")\n",
	        h->count, h->B, d->nbuckets, 100 * d->load, 100 * d->max_load, h->noverflow,
	        d->overflow_threshold);
	fprintf(f, "  flags 0x%02x", h->flags);
	int any = 0;
	for (unsigned bit = 1; bit < 256; bit <<= 1)
		if (h->flags & bit)
			fprintf(f, "%s%s", any++ ? "|" : " (", md_hmap_flag_name(bit));
	fprintf(f, "%s  hash0 0x%08x  buckets 0x%" PRIx64 "  oldbuckets 0x%" PRIx64
	        "  nevacuate %" PRIu64 "  extra 0x%" PRIx64,
	        any ? ")" : "", h->hash0, h->buckets, h->oldbuckets, h->nevacuate, h->extra);
	if (h->has_clearSeq)
		fprintf(f, "  clearSeq %" PRIu64, h->clearSeq);
	fputc('\n', f);
	if (d->growing)
		fprintf(f, "  growth: %s, %" PRIu64 " of %" PRIu64 " old buckets evacuated (%.1f%%)\n",
		        d->same_size_grow ? "same-size (compacting overflow)" : "doubling",
		        h->nevacuate, d->noldbuckets, d->evacuation * 100);
	fprintf(f, "  memory: %s held (buckets %s, old buckets %s, extra overflow %s); "
	        "rebuilt: %s\n",
	        md_fmt_bytes(d->bytes_held, a, sizeof a), md_fmt_bytes(d->bytes_buckets, b, sizeof b),
	        md_fmt_bytes(d->bytes_oldbuckets, c, sizeof c),
	        md_fmt_bytes(d->bytes_overflow, e, sizeof e),
	        md_fmt_bytes(d->bytes_if_rebuilt, g, sizeof g));
}

static void swiss_text(const md_pen *p, const md_map_report *m)
{
	FILE *f = p->f;
	const md_swiss_hdr *s = &m->view.s;
	const md_derived *d = &m->view.d;
	char a[32], b[32], c[32];
	if (d->small)
		fprintf(f, "  used %" PRIu64 "  small map (one group of 8 slots, no tables)"
		        "  growth left %" PRIu64 "\n", s->used, d->growth_left);
	else
		fprintf(f, "  used %" PRIu64 "  capacity %" PRIu64 " slots in %" PRIu64
		        " %s  load %.1f%% (grows at %.1f%%)  growth left %" PRIu64 "\n",
		        s->used, d->slots, d->ntables, d->ntables == 1 ? "table" : "tables",
		        100 * d->load, 100 * d->max_load, d->growth_left);
	fprintf(f, "  seed 0x%" PRIx64 "  dirPtr 0x%" PRIx64 "  dirLen %" PRId64
	        "  globalDepth %u  globalShift %u  writing %u",
	        s->seed, s->dirPtr, s->dirLen, s->globalDepth, s->globalShift, s->writing);
	if (s->has_tombstonePossible)
		fprintf(f, "  tombstonePossible %s", s->tombstonePossible ? "true" : "false");
	if (s->has_clearSeq)
		fprintf(f, "  clearSeq %" PRIu64, s->clearSeq);
	fputc('\n', f);
	/* eight tables show the shape; a large map has thousands */
	size_t show = m->view.ntables < 8 ? m->view.ntables : 8;
	for (size_t i = 0; i < show; i++) {
		const md_swiss_table *t = &m->view.tables[i];
		fprintf(f, "    table %" PRId64 " @0x%" PRIx64 ": used %u/%u  growthLeft %u"
		        "  localDepth %u\n", t->index, t->addr, t->used, t->capacity,
		        t->growthLeft, t->localDepth);
	}
	if (m->view.ntables > show)
		fprintf(f, "    ... %zu more tables (--json lists all)\n", m->view.ntables - show);
	fprintf(f, "  memory: %s held (groups %s); rebuilt: %s\n",
	        md_fmt_bytes(d->bytes_held, a, sizeof a), md_fmt_bytes(d->bytes_groups, b, sizeof b),
	        md_fmt_bytes(d->bytes_if_rebuilt, c, sizeof c));
}

/* Goroutines parked inside a write of the map: one line each, naming the
 * first frame of user code (-v: three). */
static void parked_text(const md_pen *p, const md_print_opts *o, const md_report *r,
                        const md_map_report *m)
{
	FILE *f = p->f;
	for (int i = 0; i < m->nparked; i++) {
		const md_thread_info *t = &r->analysis.parked[m->parked[i]];
		fprintf(f, "  %swriter%s  goroutine %lld (%s, parked in a write): %s in %s%s",
		        md_pen_bold(p), md_pen_off(p), (long long)t->goid, t->gstate ? t->gstate : "?",
		        t->wp ? md_write_kind_name(t->wp->kind) : "write", t->wp ? t->wp->func : "?",
		        t->growing ? ", growing" : "");
		int k = t->first_user, end = k + (o->verbose ? 3 : 1);
		for (; k >= 0 && k < t->nframes && k < end; k++) {
			fputs(k == t->first_user ? ", from " : "; ", f);
			md_frame_text(f, &t->frames[k], 0);
		}
		fputc('\n', f);
	}
}

/* Who writes the map.  Default: one line per writer thread, naming the
 * first frame of user code; -v: three such frames, and "none" said too. */
static void writers_text(const md_pen *p, const md_print_opts *o, const md_report *r,
                         const md_map_report *m)
{
	FILE *f = p->f;
	if (!m->wf.analysed)
		return;
	parked_text(p, o, r, m);
	if (!m->nwriters) {
		if (o->verbose && !m->nparked)
			fprintf(f, "  writers: none on any thread%s%s\n",
			        m->wf.unidentified ? " (some threads write maps that could not be "
			                             "identified)" : "",
			        m->wf.parked_analysed ? ", none parked in a write" : "");
		return;
	}
	for (int i = 0; i < m->nwriters; i++) {
		const md_thread_info *t = &r->analysis.t[m->writers[i]];
		fprintf(f, "  %swriter%s  thread %d, goroutine %lld: %s in %s%s", md_pen_bold(p),
		        md_pen_off(p), (int)t->tid, (long long)t->goid,
		        t->wp ? md_write_kind_name(t->wp->kind) : "write", t->wp ? t->wp->func : "?",
		        t->growing ? (m->layout->impl == MD_IMPL_SWISS ? ", growing a table"
		                                                     : ", evacuating") : "");
		int k = t->first_user;
		if (!o->verbose) {
			if (k >= 0 && k < t->nframes) {
				fputs(", from ", f);
				md_frame_text(f, &t->frames[k], 0);
			}
			fputc('\n', f);
			continue;
		}
		fputc('\n', f);
		/* three frames of user code locate the write; --threads shows all */
		for (; k >= 0 && k < t->nframes && k < t->first_user + 3; k++) {
			fputs("      from ", f);
			md_frame_text(f, &t->frames[k], 0);
			fputc('\n', f);
		}
	}
}

static void threads_text(const md_pen *p, const md_report *r)
{
	FILE *f = p->f;
	fprintf(f, "%sthreads%s (%d):\n", md_pen_bold(p), md_pen_off(p), r->analysis.n);
	for (int i = 0; i < r->analysis.n; i++) {
		const md_thread_info *t = &r->analysis.t[i];
		fprintf(f, "\n  %sThread %d%s", md_pen_bold(p), (int)t->tid, md_pen_off(p));
		if (t->goid)
			fprintf(f, " (goroutine %lld)", (long long)t->goid);
		if (t->writer) {
			if (t->map)
				fprintf(f, ": writing the map at 0x%" PRIx64, t->map);
			else
				fputs(": writing an unidentified map", f);
		}
		fputc('\n', f);
		for (int k = 0; k < t->nframes; k++) {
			if (k == t->ncur && k > 0)
				fprintf(f, "    %s-- on behalf of goroutine %lld (its own stack) --%s\n",
				        md_pen_dim(p), (long long)t->goid, md_pen_off(p));
			fputs("    ", f);
			md_frame_text(f, &t->frames[k], 1);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

/* The findings to show: all with -v; else warnings and worse (an info
 * finding explains a healthy map, which is one line). */
static int shown(const md_print_opts *o, const md_finding *x)
{
	return o->verbose || x->sev >= MD_SEV_WARNING;
}

/* A map's findings under its row: "  warning  code: message", wrapped.
 * Without -v the block stays within three lines, the worst first. */
static void findings_text(const md_pen *p, const md_print_opts *o, const md_verdict *v)
{
	int nf = md_verdict_nfindings(v), order[MD_MAX_FINDINGS], n = 0;
	for (int sev = MD_SEV_CRITICAL; sev >= MD_SEV_INFO; sev--)
		for (int i = 0; i < nf; i++)
			if ((int)v->findings[i].sev == sev && shown(o, &v->findings[i]))
				order[n++] = i;
	int budget = 3;
	for (int k = 0; k < n; k++) {
		const md_finding *x = &v->findings[order[k]];
		int lines = o->verbose ? 0 : budget - (n - k - 1);
		if (!o->verbose && lines < 1) {
			fprintf(p->f, "    %s(%d more: -v)%s\n", md_pen_dim(p), n - k, md_pen_off(p));
			return;
		}
		fprintf(p->f, "  %s%-8s%s ", md_pen_sev(p, x->sev), md_finding_sev_name(x->sev),
		        md_pen_off(p));
		char *line = NULL;
		if (asprintf(&line, "%s: %s", x->code, x->message ? x->message : "") < 0)
			line = NULL;
		budget -= md_fit_wrap(p->f, line ? line : x->code, 11, 4, o->width, lines);
		free(line);
	}
}

/* The columns of the map rows: names as wide as the widest (up to 40). */
typedef struct cols {
	int name, type;
} cols;

static void row_text(const md_pen *p, const cols *c, const md_map_report *m)
{
	FILE *f = p->f;
	char held[32], entries[32], load[32];
	if (m->status != MD_OK) {
		fprintf(f, "%s%-*s%s  %s%-12s%s  %s\n", md_pen_bold(p), c->name, md_ts(m->expr),
		        md_pen_off(p), md_pen_red(p), "unreadable", md_pen_off(p),
		        "(the error is on stderr)");
		return;
	}
	if (m->view.is_nil) {
		snprintf(entries, sizeof entries, "-");
		snprintf(load, sizeof load, "-");
	} else {
		snprintf(entries, sizeof entries, "%" PRIu64, m->view.d.entries);
		snprintf(load, sizeof load, "%.1f%%", 100 * m->view.d.load);
	}
	md_fmt_bytes(m->view.d.bytes_held, held, sizeof held);
	fprintf(f, "%s%-*s%s  %-12s %8s %6s %9s  %s\n", md_pen_bold(p), c->name, md_ts(m->expr),
	        md_pen_off(p), md_state_name(m->view.v.state), entries, load, held,
	        md_ts(m->layout->type_name));
}

static void map_text(const md_pen *p, const md_print_opts *o, const cols *c, const md_report *r,
                     const md_map_report *m)
{
	row_text(p, c, m);
	if (m->status != MD_OK || m->view.is_nil)
		return;
	if (o->verbose) {
		fprintf(p->f, "  %s  %s  @0x%" PRIx64 "\n", md_impl_name(m->layout->impl),
		        md_ts(m->layout->type_name), m->view.addr);
		if (m->layout->impl == MD_IMPL_SWISS)
			swiss_text(p, m);
		else
			hmap_text(p, m);
	}
	writers_text(p, o, r, m);
	findings_text(p, o, &m->view.v);
}

void md_print_attach_text(FILE *out, const md_report *r, const md_print_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	/* written whole, then fitted to the terminal: one place cuts lines */
	FILE *f = o->width > 0 ? open_memstream(&buf, &len) : NULL;
	if (!f)
		f = out;
	md_pen p = { f, o->color };
	md_exit code = md_report_exit_code(r);

	md_plugin_begin(&p, code);
	md_plugin_summary(f, r, NULL);
	int nperf = r->stopped;
	for (int i = 0; i < r->nmaps; i++)
		nperf += r->maps[i].status == MD_OK;
	if (o->perfdata && nperf) {
		fputs(" |", f);
		for (int i = 0; i < r->nmaps; i++) {
			const md_map_report *m = &r->maps[i];
			if (m->status != MD_OK)
				continue;
			md_plugin_perf_u64(f, m->expr, "bytes", m->view.d.bytes_held, "B");
			md_plugin_perf_u64(f, m->expr, "entries", m->view.d.entries, "");
			md_plugin_perf_double(f, m->expr, "load", 100 * m->view.d.load, "%");
		}
		if (r->stopped)
			md_plugin_perf_double(f, "pause", NULL, (double)r->pause_ns / 1e9, "s");
	}
	fputc('\n', f);

	int ok = 0;
	for (int i = 0; i < r->nmaps; i++)
		ok += r->maps[i].status == MD_OK;
	/* nothing was read: the status line and the errors on stderr are the
	 * whole report */
	if (ok) {
		const char *exe = o->verbose ? r->exe : md_path_base(r->exe);
		char sig[32];
		if (r->core[0]) {
			fprintf(f, "%score %s%s  pid %d  %s  %s  %s%s\n", md_pen_bold(&p),
			        md_ts(o->verbose ? r->core : md_path_base(r->core)), md_pen_off(&p),
			        (int)r->pid, md_ts(exe), r->go_version,
			        r->core_signal ? "died of " : "no signal",
			        r->core_signal ? signame(r->core_signal, sig, sizeof sig) : "");
			if (r->crash.found)
				md_crash_text(&p, r);
		} else if (r->stopped)
			fprintf(f, "%spid %d%s  %s  %s  stopped %d threads for %.0f us\n",
			        md_pen_bold(&p), (int)r->pid, md_pen_off(&p), md_ts(exe), r->go_version,
			        r->threads_stopped, (double)r->pause_ns / 1000.0);
		else
			fprintf(f, "%spid %d%s  %s  %s  not stopped: %d pair%s of reads until they "
			        "agreed\n", md_pen_bold(&p), (int)r->pid, md_pen_off(&p), md_ts(exe),
			        r->go_version, r->tries, r->tries == 1 ? "" : "s");
		cols c = { 3, 4 };
		for (int i = 0; i < r->nmaps; i++) {
			const char *e = md_ts(r->maps[i].expr);
			int w = md_fit_cols(e, strlen(e));
			c.name = w > c.name ? (w > 40 ? 40 : w) : c.name;
		}
		fprintf(f, "%s%-*s  %-12s %8s %6s %9s  %s%s\n", md_pen_dim(&p), c.name, "MAP",
		        "STATE", "ENTRIES", "LOAD", "HELD", "TYPE", md_pen_off(&p));
		for (int i = 0; i < r->nmaps; i++)
			map_text(&p, o, &c, r, &r->maps[i]);
		if (r->threads_mode == MD_THREADS_ALL)
			threads_text(&p, r);
		if (o->explain)
			state_table(&p, r);
		else if (o->width > 0 && !o->verbose)
			fprintf(f, "%s-v: header fields and tables; --explain: the four states%s\n",
			        md_pen_dim(&p), md_pen_off(&p));
	}
	if (f != out) {
		fclose(f);
		md_fit_write(out, buf, len, o->width);
		free(buf);
	}
}
