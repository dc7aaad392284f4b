/* scan_json.c - scan --json: one object whose maps are the objects attach
 * prints plus depth and aliases, then what was not decoded and a summary. */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "json.h"

static void owners_json(FILE *f, const char *key, const md_scan_owner *v, int n)
{
	fprintf(f, "\"%s\":[", key);
	for (int i = 0; i < n; i++) {
		fputs(i ? ",{\"name\":" : "{\"name\":", f);
		md_json_str(f, v[i].name);
		md_json_u64(f, "maps", v[i].maps, 1);
		md_json_u64(f, "bytes_held", v[i].bytes_held, 1);
		md_json_u64(f, "reclaimable_bytes", v[i].reclaimable, 1);
		fputc('}', f);
	}
	fputc(']', f);
}

void md_print_scan_json(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const md_scan_owners *owners, const char *sort,
                        const md_print_end *end)
{
	const md_report *r = &sr->r;
	md_json_report_open(f, r, end);
	md_json_crash(f, r);
	md_json_u64(f, "reads", r->reads, 1);
	md_json_u64(f, "rounds", sr->rounds, 1);
	fprintf(f, ",\"depth\":%d,\"sort\":", sr->depth);
	md_json_str(f, sort);
	fputs(",\"maps\":[", f);
	for (int k = 0; k < n; k++) {
		int i = order[k];
		const md_scan_map *x = &sr->x[i];
		fputs(k ? "," : "", f);
		md_json_map_open(f, r, &r->maps[i]);
		fputs(",\"path\":", f);
		md_json_str(f, r->maps[i].expr);
		if (x->root == MD_SCAN_ROOT_STACK) {
			fprintf(f, ",\"root\":{\"kind\":\"stack\",\"goroutine\":%" PRId64
			        ",\"function\":", x->goroutine);
			md_json_str(f, x->function ? x->function : "");
			fputs("}", f);
		} else {
			fputs(",\"root\":{\"kind\":\"global\"}", f);
		}
		fprintf(f, ",\"via_interface\":%s", x->via_interface ? "true" : "false");
		if (x->moved)
			fputs(",\"moved\":true", f);
		fprintf(f, ",\"depth\":%d", x->depth);
		md_json_u64(f, "reclaimable_bytes", x->reclaimable, 1);
		/* the first MD_SCAN_MAX_ALIASES paths; aliases_total counts all */
		fputs(",\"aliases\":[", f);
		for (int a = 0; a < x->naliases && a < MD_SCAN_MAX_ALIASES; a++) {
			fputs(a ? "," : "", f);
			md_json_str(f, x->aliases[a]);
		}
		fprintf(f, "],\"aliases_total\":%d}", x->naliases);
	}
	fputs("],\"not_decoded\":[", f);
	for (int i = 0; i < sr->nnotes; i++) {
		fputs(i ? ",{\"var\":" : "{\"var\":", f);
		md_json_str(f, sr->notes[i].var);
		fputs(",\"type\":", f);
		md_json_str(f, sr->notes[i].type);
		fputs(",\"reason\":", f);
		md_json_str(f, sr->notes[i].reason);
		fputs("}", f);
	}
	fputc(']', f);
	if (owners) {
		fputs(",\"owners\":{", f);
		owners_json(f, "functions", owners->owners, owners->nowners);
		fputc(',', f);
		owners_json(f, "packages", owners->packages, owners->npackages);
		fputc('}', f);
	}
	fputs(",\"summary\":{", f);
	md_json_u64(f, "variables", sr->variables, 0);
	fprintf(f, ",\"maps\":%d,\"listed\":%d", r->nmaps, n);
	md_json_u64(f, "nil", sr->nil_maps, 1);
	md_json_u64(f, "bytes_held", sr->bytes_held, 1);
	md_json_u64(f, "reclaimable_bytes", sr->reclaimable, 1);
	md_json_u64(f, "oversized", sr->oversized, 1);
	md_json_u64(f, "truncated", sr->truncated, 1);
	md_json_u64(f, "unreadable", sr->unreadable, 1);
	fprintf(f, ",\"failed\":%d", md_report_failed(r));
	md_json_u64(f, "goroutines", sr->goroutines, 1);
	md_json_u64(f, "frames", sr->frames, 1);
	md_json_u64(f, "bytes_walked", sr->bytes_walked, 1);
	fprintf(f, ",\"walk_ms\":%.3f,\"consistent\":%s", (double)sr->walk_ns / 1e6,
	        sr->consistent ? "true" : "false");
	fputs(",\"not_followed\":{", f);
	uint64_t v[MD_SCAN_NF_N];
	md_scan_nf_values(sr, v);
	for (int k = 0; k < MD_SCAN_NF_N; k++)
		md_json_u64(f, md_scan_nf_names[k], v[k], k > 0);
	/* kept from before the top-level one (schema 1 has both) */
	fprintf(f, "},\"exit_code\":%d}}\n", (int)end->code);
}
