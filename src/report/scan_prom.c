/* scan_prom.c - scan --prom: the listed maps' held and reclaimable bytes
 * and the census's counts, in the Prometheus text format, for a timer
 * feeding node_exporter's textfile collector. */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "prom.h"

typedef struct scan_prom {
	const md_scan_report *sr;
	const int *order;
	int n;
	const md_prom_opts *po;
} scan_prom;

static void start(FILE *f, const char *name, const scan_prom *sp)
{
	md_prom_start(f, name, sp->sr->r.pid, sp->sr->r.exe, sp->po);
}

static void map_series(FILE *f, const char *name, const scan_prom *sp, int i, uint64_t v)
{
	const md_scan_report *sr = sp->sr;
	const md_map_report *m = &sr->r.maps[i];
	const md_scan_map *x = &sr->x[i];
	start(f, name, sp);
	md_prom_label(f, "path", m->expr);
	md_prom_label(f, "type", m->layout->type_name);
	md_prom_label(f, "owner", x->owner);
	md_prom_end_u64(f, v);
}

/* The implementation the census decoded maps with (every map of a
 * process has the same), 0 if it decoded none. */
static int decoded_impl(const md_report *r)
{
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK && r->maps[i].layout)
			return r->maps[i].layout->impl;
	return 0;
}

static void write_all(FILE *f, void *arg)
{
	const scan_prom *sp = arg;
	const md_scan_report *sr = sp->sr;
	/* the unit last, as the conventions want it; the watch families of the
	 * same meaning are mapdiag_map_held_bytes etc. (other labels: var) */
	static const struct {
		const char *name, *help;
	} fam[3] = {
		{ "mapdiag_scan_map_held_bytes", "Bytes the map's buckets or groups, tables and "
		  "directory hold." },
		{ "mapdiag_scan_map_reclaimable_bytes", "Bytes a rebuilt copy of the map would "
		  "not hold (Go maps never shrink)." },
		{ "mapdiag_scan_map_entries", "Entries in the map." },
	};
	md_prom_build_info(f, "scan", sr->r.pid, sr->r.exe, sr->r.go_version,
	                   md_prom_impl(decoded_impl(&sr->r), sr->r.go_version), sp->po);
	for (int k = 0; k < 3; k++) {
		md_prom_family(f, fam[k].name, "gauge", fam[k].help);
		for (int j = 0; j < sp->n; j++) {
			int i = sp->order[j];
			const md_map_report *m = &sr->r.maps[i];
			if (m->status != MD_OK || m->view.is_nil)
				continue;
			uint64_t v = k == 0 ? m->view.d.bytes_held :
			             k == 1 ? sr->x[i].reclaimable : m->view.d.entries;
			map_series(f, fam[k].name, sp, i, v);
		}
	}
	md_prom_family(f, "mapdiag_scan_maps", "gauge", "Maps the census found.");
	start(f, "mapdiag_scan_maps", sp);
	md_prom_end_u64(f, (uint64_t)sr->r.nmaps);
	md_prom_family(f, "mapdiag_scan_held_bytes", "gauge", "Bytes all maps found hold.");
	start(f, "mapdiag_scan_held_bytes", sp);
	md_prom_end_u64(f, sr->bytes_held);
	md_prom_family(f, "mapdiag_scan_pause_seconds", "gauge",
	               "How long the census stopped the target.");
	start(f, "mapdiag_scan_pause_seconds", sp);
	md_prom_end_double(f, (double)sr->r.pause_ns / 1e9);
	/* a count of this census, not a running total: a gauge */
	md_prom_family(f, "mapdiag_scan_not_followed", "gauge",
	               "What the census saw and did not follow, by reason.");
	uint64_t v[MD_SCAN_NF_N];
	md_scan_nf_values(sr, v);
	for (int k = 0; k < MD_SCAN_NF_N; k++) {
		start(f, "mapdiag_scan_not_followed", sp);
		md_prom_label(f, "reason", md_scan_nf_names[k]);
		md_prom_end_u64(f, v[k]);
	}
	/* the file stays after scan exits, as a cron job's does: this is what
	 * a staleness alert compares with time() */
	md_prom_family(f, "mapdiag_scan_last_report_timestamp_seconds", "gauge",
	               "When this census was taken (Unix time).");
	start(f, "mapdiag_scan_last_report_timestamp_seconds", sp);
	md_prom_end_double(f, sp->po ? sp->po->unix_time : 0);
}

md_status md_print_scan_prom(const char *path, const md_scan_report *sr, const int *order,
                             int n, const md_prom_opts *po, md_err *err)
{
	scan_prom sp = { sr, order, n, po };
	return md_prom_publish(path, write_all, &sp, err);
}
