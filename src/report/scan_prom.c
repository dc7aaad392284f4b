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
} scan_prom;

static void start(FILE *f, const char *name, const md_scan_report *sr)
{
	fprintf(f, "%s{pid=\"%d\"", name, (int)sr->r.pid);
	md_prom_label(f, "exe", sr->r.exe);
}

static void map_series(FILE *f, const char *name, const md_scan_report *sr, int i, uint64_t v)
{
	const md_map_report *m = &sr->r.maps[i];
	const md_scan_map *x = &sr->x[i];
	start(f, name, sr);
	md_prom_label(f, "path", m->expr);
	md_prom_label(f, "type", m->layout->type_name);
	md_prom_label(f, "owner", x->owner);
	md_prom_end_u64(f, v);
}

static void write_all(FILE *f, void *arg)
{
	const scan_prom *sp = arg;
	const md_scan_report *sr = sp->sr;
	static const struct {
		const char *name, *help;
	} fam[3] = {
		{ "mapdiag_scan_map_bytes_held", "Bytes the map's buckets or groups, tables and "
		  "directory hold." },
		{ "mapdiag_scan_map_bytes_reclaimable", "Bytes a rebuilt copy of the map would "
		  "not hold (Go maps never shrink)." },
		{ "mapdiag_scan_map_entries", "Entries in the map." },
	};
	for (int k = 0; k < 3; k++) {
		md_prom_family(f, fam[k].name, "gauge", fam[k].help);
		for (int j = 0; j < sp->n; j++) {
			int i = sp->order[j];
			const md_map_report *m = &sr->r.maps[i];
			if (m->status != MD_OK || m->view.is_nil)
				continue;
			uint64_t v = k == 0 ? m->view.d.bytes_held :
			             k == 1 ? sr->x[i].reclaimable : m->view.d.entries;
			map_series(f, fam[k].name, sr, i, v);
		}
	}
	md_prom_family(f, "mapdiag_scan_maps", "gauge", "Maps the census found.");
	start(f, "mapdiag_scan_maps", sr);
	md_prom_end_u64(f, (uint64_t)sr->r.nmaps);
	md_prom_family(f, "mapdiag_scan_bytes_held", "gauge", "Bytes all maps found hold.");
	start(f, "mapdiag_scan_bytes_held", sr);
	md_prom_end_u64(f, sr->bytes_held);
	md_prom_family(f, "mapdiag_scan_pause_seconds", "gauge",
	               "How long the census stopped the target.");
	start(f, "mapdiag_scan_pause_seconds", sr);
	md_prom_end_double(f, (double)sr->r.pause_ns / 1e9);
	md_prom_family(f, "mapdiag_scan_not_followed", "gauge",
	               "What the census saw and did not follow, by reason.");
	uint64_t v[MD_SCAN_NF_N];
	md_scan_nf_values(sr, v);
	for (int k = 0; k < MD_SCAN_NF_N; k++) {
		start(f, "mapdiag_scan_not_followed", sr);
		md_prom_label(f, "reason", md_scan_nf_names[k]);
		md_prom_end_u64(f, v[k]);
	}
}

md_status md_print_scan_prom(const char *path, const md_scan_report *sr, const int *order,
                             int n, md_err *err)
{
	scan_prom sp = { sr, order, n };
	return md_prom_publish(path, write_all, &sp, err);
}
