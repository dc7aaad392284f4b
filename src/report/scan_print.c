/* print_scan.c - the scan report: a ranked table (text) or one JSON object
 * whose maps are the objects attach prints, plus depth and aliases. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "print.h"
#include "json.h"
#include "msg.h"
#include "fmt.h"
#include "pen.h"

static const char *impl_name(const md_map_report *m)
{
	return m->layout.impl == MD_IMPL_SWISS ? "swiss" : "hmap";
}

static void row(const pen *p, const md_scan_report *sr, int i)
{
	FILE *f = p->f;
	const md_map_report *m = &sr->r.maps[i];
	const md_scan_map *x = &sr->x[i];
	char held[32], frees[32], line[1024];
	if (m->status != MD_OK) {
		md_msg_format(&m->err, line, sizeof line);
		fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %s\n", "-", "-", "-",
		        "-", "-", "-", "-", RED(p), "unknown", OFF(p), line);
		return;
	}
	if (m->view.is_nil) {
		fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %s  %s%s%s\n", "0 B",
		        "-", "nil", "-", "-", impl_name(m), "nil", GRN(p), "ok", OFF(p), m->expr,
		        DIM(p), m->layout.type_name, OFF(p));
		return;
	}
	md_fmt_bytes(m->view.d.bytes_held, held, sizeof held);
	if (x->reclaimable)
		md_fmt_bytes(x->reclaimable, frees, sizeof frees);
	else
		snprintf(frees, sizeof frees, "-");
	fprintf(f, "  %-9s  %s%-9s%s  %9" PRIu64 "  %9" PRIu64 "  %5.1f%%  %-5s  %-12s  %s%-8s%s  %s  %s%s%s",
	        held, x->oversized ? YEL(p) : "", frees, x->oversized ? OFF(p) : "", m->view.d.entries,
	        m->view.d.slots, m->view.d.load * 100, impl_name(m), md_state_name(m->view.v.state),
	        md_pen_sev(p, m->view.v.sev), md_sev_name(m->view.v.sev), OFF(p), m->expr, DIM(p),
	        m->layout.type_name, OFF(p));
	for (int k = 0; k < m->view.v.nfindings; k++)
		fprintf(f, "%s%s", k ? "," : "  [", m->view.v.findings[k].code);
	if (m->view.v.nfindings)
		fputc(']', f);
	if (x->naliases)
		fprintf(f, "  %s(also %s%s)%s", DIM(p), x->aliases[0],
		        x->naliases > 1 ? ", ..." : "", OFF(p));
	fputc('\n', f);
}

void md_print_scan_text(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const md_print_opts *o)
{
	pen pp = { f, o->color }, *p = &pp;
	const md_report *r = &sr->r;
	char a[32], b[32];
	fprintf(f, "%spid %d%s  %s  %s  %" PRIu64 " variables, %d maps (%" PRIu64 " nil), "
	        "depth %d; stopped %d threads for %.0f us (%" PRIu64 " reads)\n\n",
	        BOLD(p), (int)r->pid, OFF(p), r->exe, r->go_version, sr->variables, r->nmaps,
	        sr->nil_maps, sr->depth, r->threads_stopped, (double)r->pause_ns / 1000.0, r->reads);
	if (n) {
		fprintf(f, "  %s%-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %-8s  %s%s\n", DIM(p), "HELD",
		        "FREES", "COUNT", "SLOTS", "LOAD", "IMPL", "STATE", "SEVERITY",
		        "VARIABLE  TYPE  [FINDINGS]", OFF(p));
		for (int i = 0; i < n; i++)
			row(p, sr, order[i]);
		fputc('\n', f);
	}
	if (n < r->nmaps)
		fprintf(f, "showing %d of %d maps (--top, --min-bytes)\n", n, r->nmaps);
	fprintf(f, "%d maps hold %s", r->nmaps - (int)sr->nil_maps,
	        md_fmt_bytes(sr->bytes_held, a, sizeof a));
	if (sr->oversized)
		fprintf(f, "; %s%" PRIu64 " oversized map%s would free %s if rebuilt%s (Go maps never "
		        "shrink: copy the live entries into a new map and drop the old one)",
		        YEL(p), sr->oversized, sr->oversized == 1 ? "" : "s",
		        md_fmt_bytes(sr->reclaimable, b, sizeof b), OFF(p));
	fputs(".\n", f);
	for (int i = 0; i < sr->nnotes; i++)
		fprintf(f, "not decoded: %s (%s): %s\n", sr->notes[i].var, sr->notes[i].type,
		        sr->notes[i].reason);
	if (sr->truncated)
		fprintf(f, "%s%" PRIu64 " elements or reads left out by scan's bounds (slices are "
		        "followed to %d elements)%s\n", YEL(p), sr->truncated, sr->max_elems,
		        OFF(p));
	if (sr->unreadable)
		fprintf(f, "%s%" PRIu64 " pointers or slices could not be followed (unmapped "
		        "memory)%s\n", DIM(p), sr->unreadable, OFF(p));
	md_exit code = md_scan_exit_code(sr);
	fprintf(f, "%s%s%s\n", code == MD_EXIT_UNKNOWN ? RED(p) : md_pen_sev(p, (md_sev)code),
	        md_exit_name(code),
	        OFF(p));
}

void md_print_scan_json(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const char *sort)
{
	const md_report *r = &sr->r;
	fprintf(f, "{\"pid\":%d,\"exe\":", (int)r->pid);
	md_json_str(f, r->exe);
	fputs(",\"go_version\":", f);
	md_json_str(f, r->go_version);
	fprintf(f, ",\"stopped\":%s,\"pause_us\":%.1f,\"threads_stopped\":%d,\"reads\":%" PRIu64
	        ",\"rounds\":%" PRIu64 ",\"depth\":%d,\"sort\":",
	        r->stopped ? "true" : "false", (double)r->pause_ns / 1000.0, r->threads_stopped, r->reads,
	        sr->rounds, sr->depth);
	md_json_str(f, sort);
	fputs(",\"maps\":[", f);
	for (int k = 0; k < n; k++) {
		int i = order[k];
		const md_scan_map *x = &sr->x[i];
		fputs(k ? "," : "", f);
		md_json_map_open(f, r, &r->maps[i]);
		fprintf(f, ",\"depth\":%d,\"reclaimable_bytes\":%" PRIu64 ",\"aliases\":[", x->depth,
		        x->reclaimable);
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
	fprintf(f, "],\"summary\":{\"variables\":%" PRIu64 ",\"maps\":%d,\"listed\":%d,\"nil\":%" PRIu64
	        ",\"bytes_held\":%" PRIu64 ",\"reclaimable_bytes\":%" PRIu64 ",\"oversized\":%" PRIu64
	        ",\"truncated\":%" PRIu64 ",\"unreadable\":%" PRIu64 ",\"exit_code\":%d}}\n",
	        sr->variables, r->nmaps, n, sr->nil_maps, sr->bytes_held, sr->reclaimable,
	        sr->oversized, sr->truncated, sr->unreadable, md_scan_exit_code(sr));
}
