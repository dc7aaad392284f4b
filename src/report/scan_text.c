/* scan_text.c - scan for people: one row per map, ranked as cmd/ ordered
 * them, then what the maps hold in total and what scan left out. */
#include <inttypes.h>
#include <stdio.h>
#include "print.h"
#include "msg.h"
#include "fmt.h"
#include "printutil.h"

/* "global", or "g42 main.run" for a goroutine's variable. */
static const char *root_of(const md_scan_map *x, char *buf, size_t n)
{
	if (x->root != MD_SCAN_ROOT_STACK)
		return "global";
	snprintf(buf, n, "g%" PRId64 " %s", x->goroutine, md_ts(x->function ? x->function : "?"));
	return buf;
}

static void row(const md_pen *p, const md_scan_report *sr, int i)
{
	FILE *f = p->f;
	const md_map_report *m = &sr->r.maps[i];
	const md_scan_map *x = &sr->x[i];
	char held[32], frees[32], line[1024], rootb[300];
	const char *root = root_of(x, rootb, sizeof rootb);
	if (m->status != MD_OK) {
		md_msg_format(&m->err, line, sizeof line);
		fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %-16s  %s\n", "-", "-",
		        "-", "-", "-", "-", "-", md_pen_red(p), "unknown", md_pen_off(p), root, line);
		return;
	}
	if (m->view.is_nil) {
		fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %-16s  %s  %s%s%s\n",
		        "0 B", "-", "nil", "-", "-", md_impl_name(m->layout->impl), "nil",
		        md_pen_green(p), "ok", md_pen_off(p), root, md_ts(m->expr), md_pen_dim(p),
		        md_ts(m->layout->type_name), md_pen_off(p));
		return;
	}
	md_fmt_bytes(m->view.d.bytes_held, held, sizeof held);
	if (x->reclaimable)
		md_fmt_bytes(x->reclaimable, frees, sizeof frees);
	else
		snprintf(frees, sizeof frees, "-");
	fprintf(f, "  %-9s  %s%-9s%s  %9" PRIu64 "  %9" PRIu64 "  %5.1f%%  %-5s  %-12s  %s%-8s%s"
	        "  %-16s  %s  %s%s%s",
	        held, x->oversized ? md_pen_yellow(p) : "", frees,
	        x->oversized ? md_pen_off(p) : "", m->view.d.entries, m->view.d.slots, m->view.d.load * 100,
	        md_impl_name(m->layout->impl), md_state_name(m->view.v.state),
	        md_pen_sev(p, m->view.v.sev), md_sev_name(m->view.v.sev), md_pen_off(p), root,
	        md_ts(m->expr), md_pen_dim(p), md_ts(m->layout->type_name), md_pen_off(p));
	int nf = md_verdict_nfindings(&m->view.v);
	for (int k = 0; k < nf; k++)
		fprintf(f, "%s%s", k ? "," : "  [", m->view.v.findings[k].code);
	if (nf)
		fputc(']', f);
	/* one alias says the map is shared; --json lists them */
	if (x->naliases)
		fprintf(f, "  %s(also %s%s)%s", md_pen_dim(p), md_ts(x->aliases[0]),
		        x->naliases > 1 ? ", ..." : "", md_pen_off(p));
	fputc('\n', f);
}

/* The maps that could not be read, whether listed or not (--top and
 * --min-bytes never hide why the status is UNKNOWN): the count and the
 * first names; each one's error is on stderr. */
static void failed(const md_pen *p, const md_report *r)
{
	int n = md_report_failed(r), k = 0;
	if (!n)
		return;
	fprintf(p->f, "%s%d map%s could not be read%s ", md_pen_red(p), n, n == 1 ? "" : "s",
	        md_pen_off(p));
	for (int i = 0; i < r->nmaps && k < 3; i++)
		if (r->maps[i].status != MD_OK)
			fprintf(p->f, "%s%s", k++ ? ", " : "(", r->maps[i].expr);
	fprintf(p->f, "%s): the error%s on stderr\n", n > k ? ", ..." : "",
	        n == 1 ? " is" : "s are");
}

/* Nothing silent: every reason something was not followed, with its
 * count and what to do about it. */
static void not_followed(const md_pen *p, const md_scan_report *sr)
{
	static const char *const why[MD_SCAN_NF_N] = {
		"unsafe.Pointer values (untyped: not followed)",
		"interfaces whose dynamic type has no DWARF type",
		"variables optimized out at their frame's pc",
		"variables in registers of frames whose registers are lost",
		"goroutines running while the walk ran (--consistent walks them)",
		"pointers, slices, interfaces or map entries beyond --depth",
		"slice elements beyond the element bound",
		"map entries beyond the bucket bound",
		"reads or maps beyond the walk's bounds",
		"pointers, slices or buckets in unreadable memory",
		"maps whose last hop changed before the stop (run again)",
	};
	uint64_t v[MD_SCAN_NF_N];
	md_scan_nf_values(sr, v);
	int any = 0;
	for (int k = 0; k < MD_SCAN_NF_N; k++) {
		if (!v[k])
			continue;
		if (!any++)
			fprintf(p->f, "%snot followed:%s\n", md_pen_dim(p), md_pen_off(p));
		fprintf(p->f, "  %s%10" PRIu64 "  %s%s\n", md_pen_dim(p), v[k], why[k], md_pen_off(p));
	}
}

void md_print_scan_text(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const md_print_opts *o)
{
	md_pen pp = { f, o->color }, *p = &pp;
	const md_report *r = &sr->r;
	char a[32], b[32];
	fprintf(f, "%spid %d%s  %s  %s  %" PRIu64 " variables, %" PRIu64 " goroutines, %d maps "
	        "(%" PRIu64 " nil), depth %d; walked %s in %.1f ms; stopped %d threads for %.0f us "
	        "(%" PRIu64 " reads)\n\n",
	        md_pen_bold(p), (int)r->pid, md_pen_off(p), md_ts(r->exe), r->go_version, sr->variables,
	        sr->goroutines, r->nmaps, sr->nil_maps, sr->depth,
	        sr->consistent ? "inside the stop" : "while it ran", (double)sr->walk_ns / 1e6,
	        r->threads_stopped, (double)r->pause_ns / 1000.0, r->reads);
	if (n) {
		fprintf(f, "  %s%-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %-8s  %s%s\n",
		        md_pen_dim(p), "HELD", "FREES", "COUNT", "SLOTS", "LOAD", "IMPL", "STATE",
		        "SEVERITY", "ROOT              PATH  TYPE  [FINDINGS]", md_pen_off(p));
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
	failed(p, r);
	for (int i = 0; i < sr->nnotes; i++)
		fprintf(f, "not decoded: %s (%s): %s\n", md_ts(sr->notes[i].var), md_ts(sr->notes[i].type),
		        sr->notes[i].reason);
	not_followed(p, sr);
	md_text_exit(p, md_scan_exit_code(sr));
}

static void owner_table(const md_pen *p, const char *title, const md_scan_owner *v, int n,
                        int top)
{
	char held[32], frees[32];
	fprintf(p->f, "  %s%-9s  %-9s  %7s  %s%s\n", md_pen_dim(p), "HELD", "FREES", "MAPS", title,
	        md_pen_off(p));
	for (int i = 0; i < n && (!top || i < top); i++) {
		md_fmt_bytes(v[i].bytes_held, held, sizeof held);
		if (v[i].reclaimable)
			md_fmt_bytes(v[i].reclaimable, frees, sizeof frees);
		else
			snprintf(frees, sizeof frees, "-");
		fprintf(p->f, "  %-9s  %-9s  %7" PRIu64 "  %s\n", held, frees, v[i].maps, md_ts(v[i].name));
	}
	if (top && n > top)
		fprintf(p->f, "  ... %d more\n", n - top);
	fputc('\n', p->f);
}

void md_print_scan_owners_text(FILE *f, const md_scan_report *sr, const md_scan_owners *ow,
                               int top, const md_print_opts *o)
{
	md_pen pp = { f, o->color }, *p = &pp;
	const md_report *r = &sr->r;
	char a[32];
	fprintf(f, "%spid %d%s  %s  %s  %d maps by owner\n\n", md_pen_bold(p), (int)r->pid,
	        md_pen_off(p), md_ts(r->exe), r->go_version, r->nmaps);
	owner_table(p, "OWNER (root function or package variable)", ow->owners, ow->nowners, top);
	owner_table(p, "PACKAGE", ow->packages, ow->npackages, top);
	fprintf(f, "%d maps hold %s.\n", r->nmaps - (int)sr->nil_maps,
	        md_fmt_bytes(sr->bytes_held, a, sizeof a));
	failed(p, r);
	not_followed(p, sr);
	md_text_exit(p, md_scan_exit_code(sr));
}
