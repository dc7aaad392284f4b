/* print_json.c - the --json report: one object, schema in README.md.
 *
 * Integers are printed as exact JSON numbers (a uintptr seed above 2^53
 * included: JSON numbers have no size limit, and Python, jq 1.7 and Go's
 * json.Number keep them exact); pointers as lowercase "0x..." strings. */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "json.h"
#include "msg.h"

static void kptr(FILE *f, const char *k, uint64_t v, int comma)
{
	fprintf(f, "%s\"%s\":\"0x%" PRIx64 "\"", comma ? "," : "", k, v);
}

static void ku(FILE *f, const char *k, uint64_t v, int comma)
{
	fprintf(f, "%s\"%s\":%" PRIu64, comma ? "," : "", k, v);
}

static void kd(FILE *f, const char *k, double v, int comma)
{
	fprintf(f, "%s\"%s\":%.6g", comma ? "," : "", k, v);
}

static const char *finding_sev(md_sev s)
{
	return s == MD_SEV_INFO ? "info" : md_sev_name(s);
}

static void hmap_json(FILE *f, const md_map_report *m)
{
	const md_hmap_hdr *h = &m->view.h;
	const md_derived *d = &m->view.d;
	fputs("\"header\":{", f);
	ku(f, "count", h->count, 0);
	ku(f, "flags", h->flags, 1);
	ku(f, "B", h->B, 1);
	ku(f, "noverflow", h->noverflow, 1);
	ku(f, "hash0", h->hash0, 1);
	kptr(f, "buckets", h->buckets, 1);
	kptr(f, "oldbuckets", h->oldbuckets, 1);
	ku(f, "nevacuate", h->nevacuate, 1);
	kptr(f, "extra", h->extra, 1);
	if (h->has_clearSeq)
		ku(f, "clearSeq", h->clearSeq, 1);
	fputs("},\"derived\":{\"flag_names\":[", f);
	int c = 0;
	for (int b = 0; b < 8; b++)
		if (h->flags & (1u << b)) {
			fprintf(f, "%s", c++ ? "," : "");
			md_json_str(f, md_hmap_flag_name(1u << b));
		}
	fputs("]", f);
	ku(f, "buckets", d->nbuckets, 1);
	ku(f, "slots", d->slots, 1);
	kd(f, "load_factor", d->load_factor, 1);
	kd(f, "max_load_factor", d->max_load_factor, 1);
	kd(f, "load", d->load, 1);
	fprintf(f, ",\"growing\":%s,\"same_size_grow\":%s", d->growing ? "true" : "false",
	        d->same_size_grow ? "true" : "false");
	ku(f, "noldbuckets", d->noldbuckets, 1);
	if (d->growing)
		kd(f, "evacuation_progress", d->evacuation, 1);
	else
		fputs(",\"evacuation_progress\":null", f);
	ku(f, "overflow_threshold", d->overflow_threshold, 1);
	kd(f, "overflow_pressure", d->overflow_threshold ?
	   (double)h->noverflow / (double)d->overflow_threshold : 0, 1);
	ku(f, "bytes_buckets", d->bytes_buckets, 1);
	ku(f, "bytes_oldbuckets", d->bytes_oldbuckets, 1);
	ku(f, "bytes_overflow", d->bytes_overflow, 1);
	ku(f, "bytes_held", d->bytes_held, 1);
	ku(f, "bytes_if_rebuilt", d->bytes_if_rebuilt, 1);
	ku(f, "bucket_size", m->layout.bucket_size, 1);
	fputs("}", f);
}

static void swiss_json(FILE *f, const md_map_report *m)
{
	const md_swiss_hdr *s = &m->view.s;
	const md_derived *d = &m->view.d;
	fputs("\"header\":{", f);
	ku(f, "used", s->used, 0);
	ku(f, "seed", s->seed, 1);
	kptr(f, "dirPtr", s->dirPtr, 1);
	fprintf(f, ",\"dirLen\":%" PRId64, s->dirLen);
	ku(f, "globalDepth", s->globalDepth, 1);
	ku(f, "globalShift", s->globalShift, 1);
	ku(f, "writing", s->writing, 1);
	if (s->has_tombstonePossible)
		fprintf(f, ",\"tombstonePossible\":%s", s->tombstonePossible ? "true" : "false");
	if (s->has_clearSeq)
		ku(f, "clearSeq", s->clearSeq, 1);
	fputs("},\"tables\":[", f);
	for (size_t i = 0; i < m->view.ntables; i++) {
		const md_swiss_table *t = &m->view.tables[i];
		fprintf(f, "%s{", i ? "," : "");
		kptr(f, "addr", t->addr, 0);
		ku(f, "used", t->used, 1);
		ku(f, "capacity", t->capacity, 1);
		ku(f, "growthLeft", t->growthLeft, 1);
		ku(f, "localDepth", t->localDepth, 1);
		fprintf(f, ",\"index\":%" PRId64, t->index);
		kptr(f, "groups", t->groups, 1);
		fputs("}", f);
	}
	fputs("],\"derived\":{", f);
	fprintf(f, "\"small\":%s", d->small ? "true" : "false");
	ku(f, "tables", d->ntables, 1);
	ku(f, "slots", d->slots, 1);
	kd(f, "load", d->load, 1);
	kd(f, "max_load", d->max_load, 1);
	ku(f, "growth_left", d->growth_left, 1);
	ku(f, "bytes_groups", d->bytes_groups, 1);
	ku(f, "bytes_tables", d->bytes_tables, 1);
	ku(f, "bytes_directory", d->bytes_directory, 1);
	ku(f, "bytes_held", d->bytes_held, 1);
	ku(f, "bytes_if_rebuilt", d->bytes_if_rebuilt, 1);
	ku(f, "group_size", m->layout.group_size, 1);
	fputs("}", f);
}

static void frames_json(FILE *f, const md_frame_info *fr, int from, int to)
{
	fputs("[", f);
	for (int i = from; i < to; i++) {
		fprintf(f, "%s{\"pc\":\"0x%" PRIx64 "\",\"func\":", i > from ? "," : "", fr[i].pc);
		md_json_str(f, fr[i].func);
		if (fr[i].file[0]) {
			fputs(",\"file\":", f);
			md_json_str(f, fr[i].file);
			fprintf(f, ",\"line\":%d", fr[i].line);
		}
		fputs("}", f);
	}
	fputs("]", f);
}

static void writer_json(FILE *f, const md_thread_info *t)
{
	fprintf(f, "{\"tid\":%d,\"goid\":%" PRId64 ",\"function\":", (int)t->tid, t->goid);
	md_json_str(f, t->wp ? t->wp->func : "?");
	fprintf(f, ",\"kind\":\"%s\",\"growing\":%s,\"user\":",
	        t->wp ? md_wp_kind_name(t->wp->kind) : "?", t->growing ? "true" : "false");
	int from = t->first_user >= 0 ? t->first_user : t->nframes;
	int to = from + 3 < t->nframes ? from + 3 : t->nframes;
	frames_json(f, t->frames, from, to);
	fputs("}", f);
}

void md_json_map_open(FILE *f, const md_report *r, const md_map_report *m)
{
	fputs("{\"var\":", f);
	md_json_str(f, m->expr);
	if (m->status != MD_OK) {
		fputs(",\"error\":", f);
		char line[1024];
		md_msg_format(&m->err, line, sizeof line);
		md_json_str(f, line);
		fputs(",\"severity\":\"unknown\"", f);
		return;
	}
	fputs(",\"type\":", f);
	md_json_str(f, m->layout.type_name);
	fprintf(f, ",\"impl\":\"%s\"", m->layout.impl == MD_IMPL_SWISS ? "swiss" : "hmap");
	kptr(f, "addr", m->view.addr, 1);
	fputs(",", f);
	if (m->view.is_nil)
		fputs("\"header\":null,\"derived\":null", f);
	else if (m->layout.impl == MD_IMPL_SWISS)
		swiss_json(f, m);
	else
		hmap_json(f, m);
	if (m->wf.analysed) {
		fputs(",\"writers\":[", f);
		for (int i = 0; i < m->nwriters; i++) {
			if (i)
				fputc(',', f);
			writer_json(f, &r->analysis.t[m->writers[i]]);
		}
		fputs("]", f);
	}
	fprintf(f, ",\"state\":\"%s\",\"severity\":\"%s\",\"findings\":[",
	        md_state_name(m->view.v.state), md_sev_name(m->view.v.sev));
	for (int i = 0; i < m->view.v.nfindings; i++) {
		const md_finding *x = &m->view.v.findings[i];
		fprintf(f, "%s{\"code\":\"%s\",\"severity\":\"%s\",\"message\":", i ? "," : "",
		        x->code, finding_sev(x->sev));
		md_json_str(f, x->message);
		fputs("}", f);
	}
	fputs("]", f);
}

static void map_json(FILE *f, const md_report *r, const md_map_report *m)
{
	md_json_map_open(f, r, m);
	fputs("}", f);
}

void md_print_attach_json(FILE *f, const md_report *r)
{
	fprintf(f, "{\"pid\":%d,\"exe\":", (int)r->pid);
	md_json_str(f, r->exe);
	fputs(",\"go_version\":", f);
	md_json_str(f, r->go_version);
	fprintf(f, ",\"stopped\":%s,\"pause_us\":%.1f,\"threads_stopped\":%d,\"maps\":[",
	        r->stopped ? "true" : "false", (double)r->pause_ns / 1000.0, r->threads_stopped);
	for (int i = 0; i < r->nmaps; i++) {
		if (i)
			fputc(',', f);
		map_json(f, r, &r->maps[i]);
	}
	fputs("]", f);
	if (r->threads_mode == MD_THREADS_ALL) {
		fputs(",\"threads\":[", f);
		for (int i = 0; i < r->analysis.n; i++) {
			const md_thread_info *t = &r->analysis.t[i];
			fprintf(f, "%s{\"tid\":%d,\"goid\":%" PRId64 ",\"g\":\"0x%" PRIx64 "\","
			        "\"writer\":%s,\"writes\":",
			        i ? "," : "", (int)t->tid, t->goid, t->g, t->writer ? "true" : "false");
			if (t->writer && t->map)
				fprintf(f, "\"0x%" PRIx64 "\"", t->map);
			else
				fputs("null", f);
			fputs(",\"frames\":", f);
			frames_json(f, t->frames, 0, t->nframes);
			fputs("}", f);
		}
		fputs("]", f);
	}
	fputs("}\n", f);
}
