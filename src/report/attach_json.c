/* attach_json.c - attach --json: one object, schema in README.md.  The map
 * objects are also scan's (md_json_map_open). */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "json.h"
#include "printutil.h"

static void hmap_json(FILE *f, const md_map_report *m)
{
	const md_hmap_hdr *h = &m->view.h;
	const md_derived *d = &m->view.d;
	fputs("\"header\":{", f);
	md_json_u64(f, "count", h->count, 0);
	md_json_u64(f, "flags", h->flags, 1);
	md_json_u64(f, "B", h->B, 1);
	md_json_u64(f, "noverflow", h->noverflow, 1);
	md_json_u64(f, "hash0", h->hash0, 1);
	md_json_ptr(f, "buckets", h->buckets, 1);
	md_json_ptr(f, "oldbuckets", h->oldbuckets, 1);
	md_json_u64(f, "nevacuate", h->nevacuate, 1);
	md_json_ptr(f, "extra", h->extra, 1);
	if (h->has_clearSeq)
		md_json_u64(f, "clearSeq", h->clearSeq, 1);
	fputs("},\"derived\":{\"flag_names\":[", f);
	int c = 0;
	for (int b = 0; b < 8; b++)
		if (h->flags & (1u << b)) {
			fprintf(f, "%s", c++ ? "," : "");
			md_json_str(f, md_hmap_flag_name(1u << b));
		}
	fputs("]", f);
	md_json_u64(f, "buckets", d->nbuckets, 1);
	md_json_u64(f, "slots", d->slots, 1);
	md_json_num(f, "load_factor", d->load_factor, 1);
	md_json_num(f, "max_load_factor", d->max_load_factor, 1);
	md_json_num(f, "load", d->load, 1);
	md_json_num(f, "max_load", d->max_load, 1);
	md_json_bool(f, "growing", d->growing, 1);
	md_json_bool(f, "same_size_grow", d->same_size_grow, 1);
	md_json_u64(f, "noldbuckets", d->noldbuckets, 1);
	/* no growth, no progress to report: null rather than a made-up 0 or 1 */
	if (d->growing)
		md_json_num(f, "evacuation_progress", d->evacuation, 1);
	else
		fputs(",\"evacuation_progress\":null", f);
	md_json_u64(f, "overflow_threshold", d->overflow_threshold, 1);
	md_json_num(f, "overflow_pressure", d->overflow_threshold ?
	            (double)h->noverflow / (double)d->overflow_threshold : 0, 1);
	md_json_u64(f, "bytes_buckets", d->bytes_buckets, 1);
	md_json_u64(f, "bytes_oldbuckets", d->bytes_oldbuckets, 1);
	md_json_u64(f, "bytes_overflow", d->bytes_overflow, 1);
	md_json_u64(f, "bytes_held", d->bytes_held, 1);
	md_json_u64(f, "bytes_if_rebuilt", d->bytes_if_rebuilt, 1);
	md_json_u64(f, "bucket_size", m->layout->bucket_size, 1);
	fputs("}", f);
}

static void swiss_json(FILE *f, const md_map_report *m)
{
	const md_swiss_hdr *s = &m->view.s;
	const md_derived *d = &m->view.d;
	fputs("\"header\":{", f);
	md_json_u64(f, "used", s->used, 0);
	md_json_u64(f, "seed", s->seed, 1);
	md_json_ptr(f, "dirPtr", s->dirPtr, 1);
	md_json_i64(f, "dirLen", s->dirLen, 1);
	md_json_u64(f, "globalDepth", s->globalDepth, 1);
	md_json_u64(f, "globalShift", s->globalShift, 1);
	md_json_u64(f, "writing", s->writing, 1);
	if (s->has_tombstonePossible)
		md_json_bool(f, "tombstonePossible", s->tombstonePossible, 1);
	if (s->has_clearSeq)
		md_json_u64(f, "clearSeq", s->clearSeq, 1);
	fputs("},\"tables\":[", f);
	for (size_t i = 0; i < m->view.ntables; i++) {
		const md_swiss_table *t = &m->view.tables[i];
		fprintf(f, "%s{", i ? "," : "");
		md_json_ptr(f, "addr", t->addr, 0);
		md_json_u64(f, "used", t->used, 1);
		md_json_u64(f, "capacity", t->capacity, 1);
		md_json_u64(f, "growthLeft", t->growthLeft, 1);
		md_json_u64(f, "localDepth", t->localDepth, 1);
		md_json_i64(f, "index", t->index, 1);
		md_json_ptr(f, "groups", t->groups, 1);
		fputs("}", f);
	}
	fputs("],\"derived\":{", f);
	md_json_bool(f, "small", d->small, 0);
	md_json_u64(f, "tables", d->ntables, 1);
	md_json_u64(f, "slots", d->slots, 1);
	md_json_num(f, "load", d->load, 1);
	md_json_num(f, "max_load", d->max_load, 1);
	md_json_u64(f, "growth_left", d->growth_left, 1);
	md_json_u64(f, "bytes_groups", d->bytes_groups, 1);
	md_json_u64(f, "bytes_tables", d->bytes_tables, 1);
	md_json_u64(f, "bytes_directory", d->bytes_directory, 1);
	md_json_u64(f, "bytes_held", d->bytes_held, 1);
	md_json_u64(f, "bytes_if_rebuilt", d->bytes_if_rebuilt, 1);
	md_json_u64(f, "group_size", m->layout->group_size, 1);
	fputs("}", f);
}

static void frames_json(FILE *f, const md_frame_info *fr, int from, int to)
{
	fputs("[", f);
	for (int i = from; i < to; i++) {
		fprintf(f, "%s{", i > from ? "," : "");
		md_json_ptr(f, "pc", fr[i].pc, 0);
		fputs(",\"func\":", f);
		md_json_str(f, fr[i].func);
		if (fr[i].file[0]) {
			fputs(",\"file\":", f);
			md_json_str(f, fr[i].file);
			fprintf(f, ",\"line\":%d", fr[i].line);
		}
		md_json_bool(f, "inlined", fr[i].inlined, 1);
		fputs("}", f);
	}
	fputs("]", f);
}

/* ,"user":[...]: up to max frames of user code from frame `first`, or
 * none when first is negative (no user frame was found). */
static void user_json(FILE *f, const md_thread_info *t, int first, int max)
{
	int from = first >= 0 ? first : t->nframes;
	int to = from + max < t->nframes ? from + max : t->nframes;
	fputs(",\"user\":", f);
	frames_json(f, t->frames, from, to);
}

/* ,"function":…,"kind":…,"growing":…: the write a writer is inside. */
static void write_json(FILE *f, const md_thread_info *t)
{
	fputs(",\"function\":", f);
	md_json_str(f, t->wp ? t->wp->func : "?");
	fprintf(f, ",\"kind\":\"%s\"", t->wp ? md_write_kind_name(t->wp->kind) : "?");
	md_json_bool(f, "growing", t->growing, 1);
}

/* A writer with the first three frames of user code below the write path:
 * enough to find the line that writes, short enough for every writer. */
static void writer_json(FILE *f, const md_thread_info *t)
{
	fprintf(f, "{\"tid\":%d", (int)t->tid);
	md_json_i64(f, "goid", t->goid, 1);
	write_json(f, t);
	user_json(f, t, t->first_user, 3);
	fputs("}", f);
}

/* A goroutine parked inside a write: its whole stack (a few frames, all
 * with file:line), since no thread shows it. */
static void parked_json(FILE *f, const md_thread_info *t)
{
	fputs("{", f);
	md_json_i64(f, "goid", t->goid, 0);
	fputs(",\"status\":", f);
	md_json_str(f, t->gstate ? t->gstate : "?");
	write_json(f, t);
	user_json(f, t, t->first_user, 3);
	fputs(",\"frames\":", f);
	frames_json(f, t->frames, 0, t->nframes);
	fputs("}", f);
}

void md_json_map_open(FILE *f, const md_report *r, const md_map_report *m)
{
	fputs("{\"var\":", f);
	md_json_str(f, m->expr);
	if (m->status != MD_OK) {
		md_json_error(f, &m->err);
		/* a map that could not be read makes the run UNKNOWN */
		fputs(",\"severity\":\"unknown\"", f);
		return;
	}
	fputs(",\"type\":", f);
	md_json_str(f, m->layout->type_name);
	fprintf(f, ",\"impl\":\"%s\"", md_impl_name(m->layout->impl));
	md_json_ptr(f, "addr", m->view.addr, 1);
	fputs(",", f);
	if (m->view.is_nil)
		fputs("\"header\":null,\"derived\":null", f);
	else if (m->layout->impl == MD_IMPL_SWISS)
		swiss_json(f, m);
	else
		hmap_json(f, m);
	/* absent, not empty, when threads were not looked at (--no-threads,
	 * --no-stop): [] would claim that nothing writes */
	if (m->wf.analysed) {
		fputs(",\"writers\":[", f);
		for (int i = 0; i < m->nwriters; i++) {
			if (i)
				fputc(',', f);
			writer_json(f, &r->analysis.t[m->writers[i]]);
		}
		fputs("]", f);
	}
	/* present when goroutines on no thread were looked at: the writing
	 * flag was set and no thread was writing */
	if (m->wf.parked_analysed) {
		fputs(",\"parked_writers\":[", f);
		for (int i = 0; i < m->nparked; i++) {
			if (i)
				fputc(',', f);
			parked_json(f, &r->analysis.parked[m->parked[i]]);
		}
		fputs("]", f);
		/* goroutines that may be inside a write of it too: no claim */
		md_json_i64(f, "parked_unknown", m->wf.parked_unsure, 1);
	}
	md_json_verdict(f, &m->view.v);
}

void md_json_report_open(FILE *f, const md_report *r, const md_print_end *end)
{
	md_json_head(f, end);
	md_json_target(f, r->pid, r->exe, r->go_version, 1);
	fputs(",\"source\":", f);
	md_json_str(f, r->core[0] ? "core" : "live");
	if (r->core[0]) {
		fputs(",\"core\":", f);
		md_json_str(f, r->core);
		fprintf(f, ",\"core_signal\":%d", r->core_signal);
		md_json_bool(f, "exe_verified", r->core_exe_checked, 1);
	}
	md_json_bool(f, "stopped", r->stopped, 1);
	/* tenths of a microsecond: the clock's resolution is finer, the
	 * pause's noise coarser */
	fprintf(f, ",\"pause_us\":%.1f,\"threads_stopped\":%d", (double)r->pause_ns / 1000.0,
	        r->threads_stopped);
}

/* One side of a crash: its goroutine, thread, user frame and write. */
static void side_json(FILE *f, const md_thread_info *t, const char *status, int unproven)
{
	fputs("{", f);
	md_json_i64(f, "goid", t->goid, 0);
	fprintf(f, ",\"tid\":%d,\"status\":", (int)t->tid);
	md_json_str(f, status);
	fputs(",\"write\":", f);
	if (t->wp)
		md_json_str(f, t->wp->func);
	else
		fputs("null", f);
	md_json_bool(f, "map_proven", !unproven, 1);
	user_json(f, t, md_thread_user_frame(t), 1);
	fputs("}", f);
}

void md_json_crash(FILE *f, const md_report *r)
{
	const md_crash *c = &r->crash;
	const md_thread_analysis *a = &r->analysis;
	if (!c->found)
		return;
	fputs(",\"crash\":{\"error\":", f);
	md_json_str(f, c->what);
	fputs(",\"map\":", f);
	if (c->map)
		fprintf(f, "\"0x%llx\"", (unsigned long long)c->map);
	else
		fputs("null", f);
	fputs(",\"var\":", f);
	if (c->var)
		md_json_str(f, c->var);
	else
		fputs("null", f);
	fputs(",\"caught_by\":", f);
	side_json(f, &a->t[c->detector], "running", !c->map);
	fputs(",\"others\":[", f);
	for (int i = 0; i < c->nothers && i < MD_CRASH_MAX_OTHERS; i++) {
		int pk = c->others[i].parked;
		const md_thread_info *t = pk ? &a->parked[c->others[i].i] : &a->t[c->others[i].i];
		if (i)
			fputc(',', f);
		side_json(f, t, pk ? (t->gstate ? t->gstate : "?") : "running", c->others[i].unproven);
	}
	fputs("]", f);
	md_json_bool(f, "other_left", c->nothers == 0, 1);
	fputs("}", f);
}

void md_print_attach_json(FILE *f, const md_report *r, const md_print_end *end)
{
	md_json_report_open(f, r, end);
	md_json_crash(f, r);
	fputs(",\"maps\":[", f);
	for (int i = 0; i < r->nmaps; i++) {
		if (i)
			fputc(',', f);
		md_json_map_open(f, r, &r->maps[i]);
		fputs("}", f);
	}
	fputs("]", f);
	if (r->threads_mode == MD_THREADS_ALL) {
		fputs(",\"threads\":[", f);
		for (int i = 0; i < r->analysis.n; i++) {
			const md_thread_info *t = &r->analysis.t[i];
			fprintf(f, "%s{\"tid\":%d", i ? "," : "", (int)t->tid);
			md_json_i64(f, "goid", t->goid, 1);
			md_json_ptr(f, "g", t->g, 1);
			md_json_bool(f, "writer", t->writer, 1);
			/* the map it writes, when the analysis proved which */
			if (t->writer && t->map)
				md_json_ptr(f, "writes", t->map, 1);
			else
				fputs(",\"writes\":null", f);
			fputs(",\"frames\":", f);
			frames_json(f, t->frames, 0, t->nframes);
			fputs("}", f);
		}
		fputs("]", f);
	}
	fputs("}\n", f);
}
