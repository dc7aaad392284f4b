/* watch_prom.c - watch --prom: the Prometheus text exposition format
 * (0.0.4), written whole at every report for node_exporter's textfile
 * collector.
 *
 * A double that is not finite is written NaN, +Inf or -Inf, as the format
 * spells them; durations are exact seconds from nanoseconds. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "print.h"
#include "publish.h"
#include "printutil.h"
#include "prom.h"

/* One file's report and the labels every series carries. */
typedef struct wprom {
	const md_watch_report *r;
	const md_prom_opts *po;
} wprom;

/* "name{pid="1",exe="x"", the --label pairs and, for a map, ",var="..."":
 * the caller adds its own labels, then one of pend_*. */
static void pstart(FILE *f, const char *name, const wprom *w, const md_watch_map *m)
{
	md_prom_start(f, name, w->r->pid, w->r->exe, w->po);
	if (m)
		md_prom_label(f, "var", m->expr);
}

static void pend_secs(FILE *f, uint64_t ns)
{
	char b[48];
	fprintf(f, "} %s\n", md_exact_decimal(ns, 9, b, sizeof b));
}

/* The same var twice on the command line would give duplicate series, which
 * a scraper rejects: only the first is exported. */
static int dup_var(const md_watch_report *r, int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(md_or_empty(r->maps[j].expr), md_or_empty(r->maps[i].expr)))
			return 1;
	return 0;
}

static int exported(const md_watch_report *r, int i)
{
	return r->maps[i].status == MD_OK && !dup_var(r, i);
}

/* The families with one series per exported map, as a table: each is a
 * value of the map's statistics, written as an integer, a double or
 * seconds. */
enum pkind { PK_U, PK_D, PK_NS };

typedef struct pval {
	enum pkind k;
	uint64_t u;
	double d;
	int absent;
} pval;

enum {
	PF_ENTRIES, PF_DUTY, PF_SAMPLES, PF_TORN, PF_WLONGEST, PF_GROWTHS, PF_GIDLE,
	PF_PARKED, PF_CLEARS, PF_ADDED, PF_REMOVED, PF_SEV, PF_HELD, PF_RECLAIM, PF_SLOTS, PF_LOAD,
	PF_MAXLOAD, PF_NSIMPLE
};

static const struct {
	const char *name, *type, *help;
} pfams[PF_NSIMPLE] = {
	[PF_ENTRIES]  = { "mapdiag_map_entries", "gauge",
	                  "Entries in the map at the last good sample (count / used)." },
	[PF_DUTY]     = { "mapdiag_map_writing_duty_ratio", "gauge",
	                  "Share of good samples with the map's writing flag set (0..1)." },
	[PF_SAMPLES]  = { "mapdiag_map_samples_total", "counter",
	                  "Good samples of the map header in this watch window." },
	[PF_TORN]     = { "mapdiag_map_torn_samples_total", "counter",
	                  "Samples discarded because two reads of the header disagreed." },
	[PF_WLONGEST] = { "mapdiag_map_writing_longest_seconds", "gauge",
	                  "Longest run of samples with the writing flag set, first to last "
	                  "sample of the run." },
	[PF_GROWTHS]  = { "mapdiag_map_growth_events_total", "counter",
	                  "Map growth events seen in this watch window." },
	[PF_GIDLE]    = { "mapdiag_map_growing_idle_seconds_total", "counter",
	                  "Time the map was seen growing with no write in progress "
	                  "(old buckets held)." },
	[PF_PARKED]   = { "mapdiag_map_growth_parked_longest_seconds", "gauge",
	                  "Longest uninterrupted growing-idle stretch." },
	[PF_CLEARS]   = { "mapdiag_map_clears_total", "counter",
	                  "Times the map was cleared (clearSeq changes); absent where the "
	                  "release has no clear counter (classic maps before Go 1.24)." },
	/* counters, not the window's average rates that JSON and the live view
	 * show: rate() over them gives the rate over any range, and they add
	 * up across maps and targets */
	[PF_ADDED]    = { "mapdiag_map_entries_added_total", "counter",
	                  "Sum of the increases of the entry count from one good sample "
	                  "to the next (inserts a delete undid in between are not seen)." },
	[PF_REMOVED]  = { "mapdiag_map_entries_removed_total", "counter",
	                  "Sum of the decreases of the entry count from one good sample "
	                  "to the next (clears included)." },
	[PF_SEV]      = { "mapdiag_map_severity", "gauge",
	                  "Worst finding of the map: 0 ok, 1 warning, 2 critical." },
	[PF_HELD]     = { "mapdiag_map_held_bytes", "gauge",
	                  "Bytes the map's structure holds (buckets or groups, tables, "
	                  "directory; not what keys and values point to), last sample." },
	[PF_RECLAIM]  = { "mapdiag_map_reclaimable_bytes", "gauge",
	                  "Bytes a rebuilt copy of the map would not hold (Go maps never "
	                  "shrink), last sample." },
	[PF_SLOTS]    = { "mapdiag_map_capacity_slots", "gauge",
	                  "Slots the map has room for, last sample." },
	[PF_LOAD]     = { "mapdiag_map_load_ratio", "gauge",
	                  "Entries over slots (0..1), as attach and scan print it." },
	[PF_MAXLOAD]  = { "mapdiag_map_max_load_ratio", "gauge",
	                  "The load at which an insert grows the map." },
};

static pval pget(int fam, const md_watch_map *m)
{
	const md_watch_stat *st = &m->st;
	pval v = { PK_U, 0, 0, 0 };
	switch (fam) {
	case PF_ENTRIES:
		v.u = st->last.count;
		v.absent = !st->have_last;
		break;
	case PF_DUTY: v.k = PK_D; v.d = md_watch_stat_duty(st); break;
	case PF_SAMPLES: v.u = st->samples; break;
	case PF_TORN: v.u = st->torn; break;
	case PF_WLONGEST: v.k = PK_NS; v.u = st->longest_writing_ns; break;
	case PF_GROWTHS: v.u = st->growths; break;
	case PF_GIDLE: v.k = PK_NS; v.u = st->growing_idle_ns; break;
	case PF_PARKED: v.k = PK_NS; v.u = st->longest_parked_ns; break;
	case PF_CLEARS:
		v.u = st->clears;
		v.absent = !st->have_last || !st->last.has_clearSeq;
		break;
	case PF_ADDED: v.u = st->count_up; break;
	case PF_REMOVED: v.u = st->count_down; break;
	case PF_SEV:
		/* the values the HELP text promises, whatever md_sev's numbering */
		v.u = m->v.sev == MD_SEV_CRITICAL ? 2 : m->v.sev == MD_SEV_WARNING ? 1 : 0;
		break;
	case PF_HELD:
	case PF_RECLAIM:
	case PF_SLOTS:
	case PF_LOAD:
	case PF_MAXLOAD: {
		const md_derived *d = &st->last.d;
		v.absent = !st->have_last || st->last.is_nil;
		if (fam == PF_HELD)
			v.u = d->bytes_held;
		else if (fam == PF_RECLAIM)
			v.u = d->bytes_held > d->bytes_if_rebuilt ? d->bytes_held - d->bytes_if_rebuilt : 0;
		else if (fam == PF_SLOTS)
			v.u = d->slots;
		else {
			v.k = PK_D;
			v.d = fam == PF_LOAD ? d->load : d->max_load;
		}
		break;
	}
	}
	return v;
}

static void simple_families(FILE *f, const wprom *w)
{
	const md_watch_report *r = w->r;
	for (int fam = 0; fam < PF_NSIMPLE; fam++) {
		md_prom_family(f, pfams[fam].name, pfams[fam].type, pfams[fam].help);
		for (int i = 0; i < r->nmaps; i++) {
			if (!exported(r, i))
				continue;
			pval v = pget(fam, &r->maps[i]);
			if (v.absent)
				continue;
			pstart(f, pfams[fam].name, w, &r->maps[i]);
			if (v.k == PK_U)
				md_prom_end_u64(f, v.u);
			else if (v.k == PK_NS)
				pend_secs(f, v.u);
			else
				md_prom_end_double(f, v.d);
		}
	}
}

/* An enum the Prometheus way: a series per state, 1 for the current one,
 * so a query selects a state by its label. */
static void state_family(FILE *f, const wprom *w)
{
	const md_watch_report *r = w->r;
	static const md_state states[] = { MD_STATE_IDLE, MD_STATE_WRITING, MD_STATE_GROWING,
	                                   MD_STATE_GROWING_IDLE, MD_STATE_NIL };
	md_prom_family(f, "mapdiag_map_state", "gauge",
	     "Current state of the map: 1 for the current state, 0 for the others.");
	for (int i = 0; i < r->nmaps; i++) {
		if (!exported(r, i))
			continue;
		for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
			pstart(f, "mapdiag_map_state", w, &r->maps[i]);
			md_prom_label(f, "state", md_state_name(states[k]));
			md_prom_end_u64(f, r->maps[i].v.state == states[k]);
		}
	}
}

/* Finding k has the code and severity of an earlier one: the series is
 * written already, and a second would be a duplicate. */
static int finding_seen(const md_verdict *v, int k)
{
	const md_finding *x = &v->findings[k];
	for (int j = 0; j < k; j++)
		if (v->findings[j].sev == x->sev &&
		    !strcmp(md_or_empty(v->findings[j].code), md_or_empty(x->code)))
			return 1;
	return 0;
}

static void finding_family(FILE *f, const wprom *w)
{
	const md_watch_report *r = w->r;
	md_prom_family(f, "mapdiag_map_finding", "gauge",
	     "Findings of the watch window, one series per finding code and severity.");
	for (int i = 0; i < r->nmaps; i++) {
		if (!exported(r, i))
			continue;
		const md_verdict *v = &r->maps[i].v;
		for (int k = 0; k < md_verdict_nfindings(v); k++) {
			if (finding_seen(v, k))
				continue;
			pstart(f, "mapdiag_map_finding", w, &r->maps[i]);
			md_prom_label(f, "code", v->findings[k].code);
			md_prom_label(f, "severity", md_finding_sev_name(v->findings[k].sev));
			md_prom_end_u64(f, 1);
		}
	}
}

/* The implementation the maps were decoded with, 0 if none was. */
static int decoded_impl(const md_watch_report *r)
{
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK)
			return r->maps[i].swiss ? MD_IMPL_SWISS : MD_IMPL_HMAP;
	return 0;
}

/* The file stays when watch ends (a textfile collector's convention: the
 * last complete file, not none): its last write says the window is over
 * (running 0), and the timestamp lets an alert see a file no one
 * rewrites any more, also after a kill -9. */
static void watch_families(FILE *f, const wprom *w)
{
	const md_watch_report *r = w->r;
	md_prom_family(f, "mapdiag_watch_reads_total", "counter",
	     "Read system calls mapdiag made on the target in this watch window.");
	pstart(f, "mapdiag_watch_reads_total", w, NULL);
	md_prom_end_u64(f, r->reads);
	md_prom_family(f, "mapdiag_watch_target_up", "gauge",
	     "1 while the target process runs, 0 once it exited.");
	pstart(f, "mapdiag_watch_target_up", w, NULL);
	md_prom_end_u64(f, !r->exited);
	md_prom_family(f, "mapdiag_watch_running", "gauge",
	     "1 while watch samples, 0 in the last report of the window (the file "
	     "stays with it).");
	pstart(f, "mapdiag_watch_running", w, NULL);
	md_prom_end_u64(f, !r->final);
	md_prom_family(f, "mapdiag_watch_last_report_timestamp_seconds", "gauge",
	     "When this report was written (Unix time): alert on time() minus this.");
	pstart(f, "mapdiag_watch_last_report_timestamp_seconds", w, NULL);
	md_prom_end_double(f, r->unix_time);
}

static void prom_write(FILE *f, const wprom *w)
{
	const md_watch_report *r = w->r;
	md_prom_build_info(f, "watch", r->pid, r->exe, r->go_version,
	                   md_prom_impl(decoded_impl(r), r->go_version), w->po);
	simple_families(f, w);
	state_family(f, w);
	finding_family(f, w);

	md_prom_family(f, "mapdiag_map_error", "gauge",
	     "1 for a variable that is not watched (it did not resolve to a readable map).");
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status == MD_OK || dup_var(r, i))
			continue;
		pstart(f, "mapdiag_map_error", w, &r->maps[i]);
		md_prom_end_u64(f, 1);
	}
	watch_families(f, w);
}

static void prom_write_v(FILE *f, void *arg)
{
	prom_write(f, arg);
}

md_status md_print_watch_prom(const char *path, const md_watch_report *r,
                              const md_prom_opts *po, md_err *err)
{
	wprom w = { r, po };
	return md_prom_publish(path, prom_write_v, &w, err);
}
