/* watch_jsonl.c - watch --json: one JSON object per report, one report per
 * line (JSON Lines), so a consumer can act on each as it arrives.
 *
 * Every number may be zero or huge: durations are printed from exact
 * nanoseconds, and a double that is not finite becomes null. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include "print.h"
#include "json.h"
#include "printutil.h"

/* A ratio with a fixed number of decimals, so that a column of them lines
 * up in a log; null when not finite. */
static void kfixed(FILE *f, const char *k, double v, int decimals)
{
	if (isfinite(v))
		fprintf(f, ",\"%s\":%.*f", k, decimals, v);
	else
		fprintf(f, ",\"%s\":null", k);
}

/* nanoseconds as exact seconds */
static void ksecs(FILE *f, const char *k, uint64_t ns)
{
	char b[48];
	fprintf(f, ",\"%s\":%s", k, md_exact_decimal(ns, 9, b, sizeof b));
}

static void map_jsonl(FILE *f, const md_watch_map *m)
{
	const md_watch_stat *st = &m->st;
	fputs("{\"var\":", f);
	md_json_str(f, md_or_empty(m->expr));
	if (m->status != MD_OK) {
		md_json_error(f, &m->err);
		fputs("}", f);
		return;
	}
	fputs(",\"type\":", f);
	md_json_str(f, m->type_name);
	fprintf(f, ",\"impl\":\"%s\"", md_impl_name(m->swiss ? MD_IMPL_SWISS : MD_IMPL_HMAP));
	md_json_u64(f, "samples", st->samples, 1);
	md_json_u64(f, "torn", st->torn, 1);
	kfixed(f, "duty", md_watch_stat_duty(st), 4);
	md_json_u64(f, "writing_samples", st->writing, 1);
	ksecs(f, "longest_writing_s", st->longest_writing_ns);
	md_json_u64(f, "growths", st->growths, 1);
	ksecs(f, "growing_idle_s", st->growing_idle_ns);
	ksecs(f, "longest_parked_s", st->longest_parked_ns);
	/* no clear counter (classic maps before Go 1.24): unknown, not 0 */
	if (st->have_last && st->last.has_clearSeq)
		md_json_u64(f, "clears", st->clears, 1);
	else
		fputs(",\"clears\":null", f);
	md_json_num(f, "inserts_per_s", st->inserts_per_s, 1);
	md_json_num(f, "deletes_per_s", st->deletes_per_s, 1);
	md_json_u64(f, "evacuated", st->evacuated, 1);
	md_json_num(f, "evac_per_s", st->evac_per_s, 1);
	/* header values of the last good sample; null before the first one and
	 * for a nil map, which has no header */
	int have = st->have_last && !st->last.is_nil;
	if (st->have_last)
		md_json_u64(f, "count", st->last.count, 1);
	else
		fputs(",\"count\":null", f);
	if (m->swiss) {
		if (have) {
			md_json_i64(f, "dirLen", st->last.dirLen, 1);
			md_json_u64(f, "globalDepth", st->last.globalDepth, 1);
			md_json_u64(f, "capacity", st->last.capacity, 1);
		} else {
			fputs(",\"dirLen\":null,\"globalDepth\":null,\"capacity\":null", f);
		}
	} else {
		if (have) {
			md_json_u64(f, "B", st->last.B, 1);
			md_json_bool(f, "growing", st->last.growing, 1);
			md_json_u64(f, "nevacuate", st->last.nevacuate, 1);
			md_json_u64(f, "noldbuckets", st->last.noldbuckets, 1);
		} else {
			fputs(",\"B\":null,\"growing\":null,\"nevacuate\":null,\"noldbuckets\":null", f);
		}
	}
	md_json_verdict(f, &m->v);
	fputs("}", f);
}

void md_print_watch_jsonl(FILE *f, const md_watch_report *r, const md_print_end *end)
{
	char b[48];
	md_json_head(f, end);
	/* wall-clock seconds to the millisecond, to line reports up with logs */
	if (isfinite(r->unix_time))
		fprintf(f, ",\"time\":%.3f", r->unix_time);
	else
		fputs(",\"time\":null", f);
	fprintf(f, ",\"elapsed_s\":%s", md_exact_decimal(md_watch_elapsed_ns(r), 9, b, sizeof b));
	md_json_target(f, r->pid, r->exe, r->go_version, 1);
	md_json_bool(f, "final", r->final, 1);
	md_json_bool(f, "exited", r->exited, 1);
	/* exact microseconds: an interval of 1500ns is "1.5", not "1" */
	fprintf(f, ",\"interval_us\":%s", md_exact_decimal(r->interval_ns, 3, b, sizeof b));
	md_json_u64(f, "reads", r->reads, 1);
	fputs(",\"maps\":[", f);
	for (int i = 0; i < r->nmaps; i++) {
		if (i)
			fputc(',', f);
		map_jsonl(f, &r->maps[i]);
	}
	fputs("]}\n", f);
}
