/* attach_text.c - attach for people: header values, the four-state table
 * with the current row marked, writers, findings with what to do. */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "msg.h"
#include "fmt.h"
#include "printutil.h"

static void state_table(const md_pen *p, const md_map_report *m)
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
	int swiss = m->layout->impl == MD_IMPL_SWISS;
	fprintf(f, "  %s   writing  %-11s state         meaning%s\n", md_pen_dim(p),
	        swiss ? "growing" : "oldbuckets", md_pen_off(p));
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int cur = rows[i].s == m->view.v.state;
		fprintf(f, "  %s%s %-7s  %-11s %-13s %s%s\n", cur ? md_pen_bold(p) : "",
		        cur ? ">" : " ", rows[i].w, rows[i].g, md_state_name(rows[i].s),
		        md_state_meaning(rows[i].s), cur ? md_pen_off(p) : "");
	}
	if (swiss)
		fprintf(f, "  %s  (Swiss maps hold no old buckets: growth happens inside one "
		        "write)%s\n", md_pen_dim(p), md_pen_off(p));
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

/* "main.hotWriter (writers.go:24)" */
static void frame_text(FILE *f, const md_frame_info *fr, int full)
{
	fputs(fr->func, f);
	if (fr->file[0])
		fprintf(f, " (%s:%d)", full ? fr->file : md_path_base(fr->file), fr->line);
}

static void writers_text(const md_pen *p, const md_report *r, const md_map_report *m)
{
	FILE *f = p->f;
	if (!m->wf.analysed)
		return;
	if (!m->nwriters) {
		fprintf(f, "  writers: none on any thread%s\n",
		        m->wf.unidentified ? " (some threads write maps that could not be "
		                             "identified)" : "");
		return;
	}
	fputs("  writers:\n", f);
	for (int i = 0; i < m->nwriters; i++) {
		const md_thread_info *t = &r->analysis.t[m->writers[i]];
		fprintf(f, "    thread %d, goroutine %lld: %s in %s%s\n", (int)t->tid,
		        (long long)t->goid, t->wp ? md_write_kind_name(t->wp->kind) : "write",
		        t->wp ? t->wp->func : "?",
		        t->growing ? (m->layout->impl == MD_IMPL_SWISS ? ", growing a table"
		                                                     : ", evacuating") : "");
		/* three frames of user code locate the write; --threads shows all */
		for (int k = t->first_user; k >= 0 && k < t->nframes && k < t->first_user + 3; k++) {
			fputs("      from ", f);
			frame_text(f, &t->frames[k], 0);
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
			frame_text(f, &t->frames[k], 1);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void map_text(const md_pen *p, const md_report *r, const md_map_report *m)
{
	FILE *f = p->f;
	/* a variable that failed is reported on stderr, once (cmd/) */
	if (m->status != MD_OK)
		return;
	fprintf(f, "%s%s%s  %s  %s  @0x%" PRIx64 "\n", md_pen_bold(p), md_ts(m->expr), md_pen_off(p),
	        md_ts(m->layout->type_name), md_impl_name(m->layout->impl), m->view.addr);
	fprintf(f, "  state: %s%s%s  severity: %s%s%s\n", md_pen_bold(p),
	        md_state_name(m->view.v.state), md_pen_off(p), md_pen_sev(p, m->view.v.sev),
	        md_sev_name(m->view.v.sev), md_pen_off(p));
	if (m->view.is_nil) {
		fprintf(f, "  %s\n\n", md_state_meaning(MD_STATE_NIL));
		return;
	}
	if (m->layout->impl == MD_IMPL_SWISS)
		swiss_text(p, m);
	else
		hmap_text(p, m);
	writers_text(p, r, m);
	fputc('\n', f);
	state_table(p, m);
	int nf = md_verdict_nfindings(&m->view.v);
	if (nf) {
		fputs("\n  findings:\n", f);
		for (int i = 0; i < nf; i++) {
			const md_finding *x = &m->view.v.findings[i];
			fprintf(f, "    %s%-8s%s %s: %s\n", md_pen_sev(p, x->sev),
			        md_finding_sev_name(x->sev), md_pen_off(p), x->code, x->message ? x->message : "");
		}
	}
	fputc('\n', f);
}

void md_print_attach_text(FILE *f, const md_report *r, const md_print_opts *o)
{
	md_pen p = { f, o && o->color };
	int ok = 0;
	for (int i = 0; i < r->nmaps; i++)
		ok += r->maps[i].status == MD_OK;
	/* nothing was read: the errors on stderr are the whole report */
	if (!ok)
		return;
	if (r->stopped)
		fprintf(f, "%spid %d%s  %s  %s  stopped %d threads for %.0f us\n\n",
		        md_pen_bold(&p), (int)r->pid, md_pen_off(&p), md_ts(r->exe), r->go_version,
		        r->threads_stopped, (double)r->pause_ns / 1000.0);
	else
		fprintf(f, "%spid %d%s  %s  %s  not stopped: %d pair%s of reads until they "
		        "agreed\n\n", md_pen_bold(&p), (int)r->pid, md_pen_off(&p), md_ts(r->exe),
		        r->go_version, r->tries, r->tries == 1 ? "" : "s");
	for (int i = 0; i < r->nmaps; i++)
		map_text(&p, r, &r->maps[i]);
	if (r->threads_mode == MD_THREADS_ALL)
		threads_text(&p, r);
	md_text_exit(&p, md_report_exit_code(r));
}
