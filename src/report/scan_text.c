/* scan_text.c - scan for people: one row per map, ranked as cmd/ ordered
 * them, then what the maps hold in total and what scan left out. */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "msg.h"
#include "fmt.h"
#include "printutil.h"

static void row(const md_pen *p, const md_scan_report *sr, int i)
{
	FILE *f = p->f;
	const md_map_report *m = &sr->r.maps[i];
	const md_scan_map *x = &sr->x[i];
	char held[32], frees[32], line[1024];
	if (m->status != MD_OK) {
		md_msg_format(&m->err, line, sizeof line);
		fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %s\n", "-", "-", "-",
		        "-", "-", "-", "-", md_pen_red(p), "unknown", md_pen_off(p), line);
		return;
	}
	if (m->view.is_nil) {
		fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %s  %s%s%s\n", "0 B",
		        "-", "nil", "-", "-", md_impl_name(m->layout.impl), "nil", md_pen_green(p),
		        "ok", md_pen_off(p), m->expr, md_pen_dim(p), m->layout.type_name,
		        md_pen_off(p));
		return;
	}
	md_fmt_bytes(m->view.d.bytes_held, held, sizeof held);
	if (x->reclaimable)
		md_fmt_bytes(x->reclaimable, frees, sizeof frees);
	else
		snprintf(frees, sizeof frees, "-");
	fprintf(f, "  %-9s  %s%-9s%s  %9" PRIu64 "  %9" PRIu64 "  %5.1f%%  %-5s  %-12s  %s%-8s%s"
	        "  %s  %s%s%s",
	        held, x->oversized ? md_pen_yellow(p) : "", frees,
	        x->oversized ? md_pen_off(p) : "", m->view.d.entries, m->view.d.slots, m->view.d.load * 100,
	        md_impl_name(m->layout.impl), md_state_name(m->view.v.state),
	        md_pen_sev(p, m->view.v.sev), md_sev_name(m->view.v.sev), md_pen_off(p), m->expr,
	        md_pen_dim(p), m->layout.type_name, md_pen_off(p));
	int nf = md_verdict_nfindings(&m->view.v);
	for (int k = 0; k < nf; k++)
		fprintf(f, "%s%s", k ? "," : "  [", m->view.v.findings[k].code);
	if (nf)
		fputc(']', f);
	/* one alias says the map is shared; --json lists them */
	if (x->naliases)
		fprintf(f, "  %s(also %s%s)%s", md_pen_dim(p), x->aliases[0],
		        x->naliases > 1 ? ", ..." : "", md_pen_off(p));
	fputc('\n', f);
}

void md_print_scan_text(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const md_print_opts *o)
{
	md_pen pp = { f, o->color }, *p = &pp;
	const md_report *r = &sr->r;
	char a[32], b[32];
	fprintf(f, "%spid %d%s  %s  %s  %" PRIu64 " variables, %d maps (%" PRIu64 " nil), "
	        "depth %d; stopped %d threads for %.0f us (%" PRIu64 " reads)\n\n",
	        md_pen_bold(p), (int)r->pid, md_pen_off(p), r->exe, r->go_version, sr->variables,
	        r->nmaps, sr->nil_maps, sr->depth, r->threads_stopped,
	        (double)r->pause_ns / 1000.0, r->reads);
	if (n) {
		fprintf(f, "  %s%-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %-8s  %s%s\n",
		        md_pen_dim(p), "HELD", "FREES", "COUNT", "SLOTS", "LOAD", "IMPL", "STATE",
		        "SEVERITY", "VARIABLE  TYPE  [FINDINGS]", md_pen_off(p));
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
		        md_pen_yellow(p), sr->oversized, sr->oversized == 1 ? "" : "s",
		        md_fmt_bytes(sr->reclaimable, b, sizeof b), md_pen_off(p));
	fputs(".\n", f);
	for (int i = 0; i < sr->nnotes; i++)
		fprintf(f, "not decoded: %s (%s): %s\n", sr->notes[i].var, sr->notes[i].type,
		        sr->notes[i].reason);
	if (sr->truncated)
		fprintf(f, "%s%" PRIu64 " elements or reads left out by scan's bounds (slices are "
		        "followed to %d elements)%s\n", md_pen_yellow(p), sr->truncated,
		        sr->max_elems, md_pen_off(p));
	if (sr->unreadable)
		fprintf(f, "%s%" PRIu64 " pointers or slices could not be followed (unmapped "
		        "memory)%s\n", md_pen_dim(p), sr->unreadable, md_pen_off(p));
	md_text_exit(p, md_scan_exit_code(sr));
}
