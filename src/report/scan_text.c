/* scan_text.c - scan for people: the verdict first (a monitoring plugin's
 * status line), one row per map, ranked as cmd/ ordered them, then what
 * the maps hold in total and what scan left out.  -v: every column, every
 * reason at length. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "print.h"
#include "msg.h"
#include "fmt.h"
#include "printutil.h"
#include "plugin.h"
#include "fit.h"

/* "global", or "g42 main.run" for a goroutine's variable. */
static const char *root_of(const md_scan_map *x, char *buf, size_t n)
{
	if (x->root != MD_SCAN_ROOT_STACK)
		return "global";
	snprintf(buf, n, "g%" PRId64 " %s", x->goroutine, md_ts(x->function ? x->function : "?"));
	return buf;
}

/* "  [oversized,high-load]": the findings shown (-v: info too). */
static void codes(const md_pen *p, const md_verdict *v, int verbose)
{
	int nf = md_verdict_nfindings(v), k = 0;
	for (int i = 0; i < nf; i++) {
		if (!verbose && v->findings[i].sev < MD_SEV_WARNING)
			continue;
		fprintf(p->f, "%s%s%s%s", k++ ? "," : "  [", md_pen_sev(p, v->findings[i].sev),
		        v->findings[i].code, md_pen_off(p));
	}
	if (k)
		fputc(']', p->f);
}

static void row(const md_pen *p, const md_scan_report *sr, int i, int verbose, int wstate)
{
	FILE *f = p->f;
	const md_map_report *m = &sr->r.maps[i];
	const md_scan_map *x = &sr->x[i];
	char held[32], frees[32], line[1024], rootb[300], count[32], load[32];
	const char *root = root_of(x, rootb, sizeof rootb);
	if (m->status != MD_OK) {
		md_msg_format(&m->err, line, sizeof line);
		if (verbose)
			fprintf(f, "  %-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %s%-8s%s  %-16s  %s\n",
			        "-", "-", "-", "-", "-", "-", "-", md_pen_red(p), "unknown", md_pen_off(p),
			        root, md_ts(line));
		else
			fprintf(f, "  %-9s %-9s %8s %6s  %s%s%s  %s\n", "-", "-", "-", "-",
			        md_pen_red(p), "unreadable", md_pen_off(p), md_ts(line));
		return;
	}
	int nil = m->view.is_nil;
	md_fmt_bytes(m->view.d.bytes_held, held, sizeof held);
	if (x->reclaimable)
		md_fmt_bytes(x->reclaimable, frees, sizeof frees);
	else
		snprintf(frees, sizeof frees, "-");
	snprintf(count, sizeof count, nil ? "nil" : "%" PRIu64, m->view.d.entries);
	snprintf(load, sizeof load, nil ? "-" : "%.1f%%", m->view.d.load * 100);
	if (verbose)
		fprintf(f, "  %-9s  %s%-9s%s  %9s  %9" PRIu64 "  %6s  %-5s  %-12s  %s%-8s%s"
		        "  %-16s  %s  %s%s%s",
		        held, x->oversized ? md_pen_yellow(p) : "", frees,
		        x->oversized ? md_pen_off(p) : "", count, m->view.d.slots, load,
		        md_impl_name(m->layout->impl), md_state_name(m->view.v.state),
		        md_pen_sev(p, m->view.v.sev), md_sev_name(m->view.v.sev), md_pen_off(p), root,
		        md_ts(m->expr), md_pen_dim(p), md_ts(m->layout->type_name), md_pen_off(p));
	else
	{
		/* the findings before the type: a narrow terminal cuts the type */
		fprintf(f, "  %-9s %s%-9s%s %8s %6s  %-*s  %s",
		        held, x->oversized ? md_pen_yellow(p) : "", frees,
		        x->oversized ? md_pen_off(p) : "", count, load, wstate,
		        md_state_name(m->view.v.state), md_ts(m->expr));
		codes(p, &m->view.v, verbose);
		fprintf(f, "  %s%s%s\n", md_pen_dim(p), md_ts(m->layout->type_name), md_pen_off(p));
		return;
	}
	codes(p, &m->view.v, verbose);
	/* one alias says the map is shared; --json lists them */
	if (verbose && x->naliases)
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
static void not_followed(const md_pen *p, const md_scan_report *sr, int verbose)
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
	if (!verbose) {
		/* one line: the counts by their JSON names; -v says why */
		for (int k = 0; k < MD_SCAN_NF_N; k++)
			if (v[k])
				fprintf(p->f, "%s%" PRIu64 " %s", any++ ? ", " : "not followed: ", v[k],
				        md_scan_nf_names[k]);
		if (any)
			fputs(" (-v: why)\n", p->f);
		return;
	}
	for (int k = 0; k < MD_SCAN_NF_N; k++) {
		if (!v[k])
			continue;
		if (!any++)
			fprintf(p->f, "%snot followed:%s\n", md_pen_dim(p), md_pen_off(p));
		fprintf(p->f, "  %s%10" PRIu64 "  %s%s\n", md_pen_dim(p), v[k], why[k], md_pen_off(p));
	}
}

static int same_note(const md_scan_note *a, const md_scan_note *b)
{
	return a->reason == b->reason && !strcmp(md_or_empty(a->type), md_or_empty(b->type));
}

/* What was found and not decoded, each reason once with the variables it
 * applies to (six sync.Maps share one explanation). */
static void notes_text(FILE *f, const md_scan_report *sr)
{
	for (int i = 0; i < sr->nnotes; i++) {
		int first = 1;
		for (int k = 0; k < i && first; k++)
			first = !same_note(&sr->notes[k], &sr->notes[i]);
		if (!first)
			continue;
		fputs("not decoded:", f);
		for (int k = i, c = 0; k < sr->nnotes; k++)
			if (same_note(&sr->notes[k], &sr->notes[i]))
				fprintf(f, "%s %s", c++ ? "," : "", md_ts(sr->notes[k].var));
		fprintf(f, " (%s): %s\n", md_ts(sr->notes[i].type), sr->notes[i].reason);
	}
}

/* Line 1: the status, the worst map and why, and perfdata: the census's
 * totals and the first five listed maps' bytes. */
static void status_line(const md_pen *p, const md_scan_report *sr, const int *order, int n,
                        const md_print_opts *o)
{
	FILE *f = p->f;
	md_plugin_begin(p, md_scan_exit_code(sr));
	md_plugin_summary(f, &sr->r, sr);
	if (o->perfdata) {
		fputs(" |", f);
		md_plugin_perf_u64(f, "maps", NULL, (uint64_t)sr->r.nmaps, "");
		md_plugin_perf_u64(f, "bytes_held", NULL, sr->bytes_held, "B");
		md_plugin_perf_u64(f, "reclaimable", NULL, sr->reclaimable, "B");
		md_plugin_perf_u64(f, "oversized", NULL, sr->oversized, "");
		md_plugin_perf_u64(f, "unreadable", NULL, (uint64_t)md_report_failed(&sr->r), "");
		if (!sr->r.core[0])   /* a core was never stopped */
			md_plugin_perf_double(f, "pause", NULL, (double)sr->r.pause_ns / 1e9, "s");
		md_plugin_perf_double(f, "walk", NULL, (double)sr->walk_ns / 1e9, "s");
		for (int i = 0, k = 0; i < n && k < 5; i++) {
			const md_map_report *m = &sr->r.maps[order[i]];
			if (m->status != MD_OK || m->view.is_nil)
				continue;
			md_plugin_perf_u64(f, m->expr, "bytes", m->view.d.bytes_held, "B");
			k++;
		}
	}
	fputc('\n', f);
}

void md_print_scan_text(FILE *out, const md_scan_report *sr, const int *order, int n,
                        int listed, const md_print_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = o->width > 0 ? open_memstream(&buf, &len) : NULL;
	if (!f)
		f = out;
	md_pen pp = { f, o->color }, *p = &pp;
	const md_report *r = &sr->r;
	char a[32], b[32];
	status_line(p, sr, order, listed, o);
	/* the state column as wide as the states shown ("growing-idle" is
	 * rare; "idle" is most) */
	int wstate = 5;
	for (int i = 0; i < n; i++) {
		const md_map_report *m = &r->maps[order[i]];
		int w = m->status == MD_OK ? (int)strlen(md_state_name(m->view.v.state)) : 10;
		wstate = w > wstate ? w : wstate;
	}
	const char *exe = o->verbose ? r->exe : md_path_base(r->exe);
	if (r->core[0])
		fprintf(f, "%score %s%s  pid %d  %s  %s  %d maps, %" PRIu64 " vars, %" PRIu64
		        " goroutines; signal %d\n", md_pen_bold(p),
		        md_ts(o->verbose ? r->core : md_path_base(r->core)), md_pen_off(p),
		        (int)r->pid, md_ts(exe), r->go_version, r->nmaps, sr->variables,
		        sr->goroutines, r->core_signal);
	if (r->core[0] && r->crash.found)
		md_crash_text(p, r);
	else if (o->verbose)
		fprintf(f, "%spid %d%s  %s  %s  %" PRIu64 " variables, %" PRIu64 " goroutines, %d maps "
		        "(%" PRIu64 " nil), depth %d; walked %s in %.1f ms; stopped %d threads for "
		        "%.0f us (%" PRIu64 " reads)\n",
		        md_pen_bold(p), (int)r->pid, md_pen_off(p), md_ts(exe), r->go_version,
		        sr->variables, sr->goroutines, r->nmaps, sr->nil_maps, sr->depth,
		        sr->consistent ? "inside the stop" : "while it ran", (double)sr->walk_ns / 1e6,
		        r->threads_stopped, (double)r->pause_ns / 1000.0, r->reads);
	else
		fprintf(f, "%spid %d%s  %s  %s  %d maps, %" PRIu64 " vars, %" PRIu64
		        " goroutines; stopped %.0f us\n",
		        md_pen_bold(p), (int)r->pid, md_pen_off(p), md_ts(exe), r->go_version,
		        r->nmaps, sr->variables, sr->goroutines, (double)r->pause_ns / 1000.0);
	if (n) {
		if (o->verbose)
			fprintf(f, "  %s%-9s  %-9s  %9s  %9s  %6s  %-5s  %-12s  %-8s  %s%s\n",
			        md_pen_dim(p), "HELD", "FREES", "COUNT", "SLOTS", "LOAD", "IMPL", "STATE",
			        "SEVERITY", "ROOT              PATH  TYPE  [FINDINGS]", md_pen_off(p));
		else
			fprintf(f, "  %s%-9s %-9s %8s %6s  %-*s  %s%s\n", md_pen_dim(p), "HELD",
			        "FREES", "COUNT", "LOAD", wstate, "STATE", "PATH  [FINDINGS]  TYPE",
			        md_pen_off(p));
		for (int i = 0; i < n; i++)
			row(p, sr, order[i], o->verbose, wstate);
	}
	if (n < listed)
		fprintf(f, "  %s… %d more (--top 0: all)%s\n", md_pen_dim(p), listed - n, md_pen_off(p));
	if (listed < r->nmaps)
		fprintf(f, "showing %d of %d maps (--top, --min-bytes)\n", listed, r->nmaps);
	fprintf(f, "%d maps hold %s", r->nmaps - (int)sr->nil_maps,
	        md_fmt_bytes(sr->bytes_held, a, sizeof a));
	if (sr->oversized)
		fprintf(f, "; %s%" PRIu64 " oversized map%s would free %s if rebuilt%s (Go maps never "
		        "shrink: copy the live entries into a new map and drop the old one)",
		        md_pen_yellow(p), sr->oversized, sr->oversized == 1 ? "" : "s",
		        md_fmt_bytes(sr->reclaimable, b, sizeof b), md_pen_off(p));
	fputs(".\n", f);
	failed(p, r);
	if (o->verbose)
		notes_text(f, sr);
	else if (sr->nnotes)
		fprintf(f, "not decoded: %d variable%s (-v: which and why)\n", sr->nnotes,
		        sr->nnotes == 1 ? "" : "s");
	not_followed(p, sr, o->verbose);
	if (o->width > 0 && !o->verbose)
		fprintf(f, "%s-v: every column and reason; --by owner: bytes by function and "
		        "package%s\n", md_pen_dim(p), md_pen_off(p));
	if (f != out) {
		fclose(f);
		md_fit_write(out, buf, len, o->width);
		free(buf);
	}
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
	md_plugin_begin(p, md_scan_exit_code(sr));
	md_plugin_summary(f, r, sr);
	fputc('\n', f);
	fprintf(f, "%spid %d%s  %s  %s  %d maps by owner\n\n", md_pen_bold(p), (int)r->pid,
	        md_pen_off(p), md_ts(md_path_base(r->exe)), r->go_version, r->nmaps);
	owner_table(p, "OWNER (root function or package variable)", ow->owners, ow->nowners, top);
	owner_table(p, "PACKAGE", ow->packages, ow->npackages, top);
	fprintf(f, "%d maps hold %s.\n", r->nmaps - (int)sr->nil_maps,
	        md_fmt_bytes(sr->bytes_held, a, sizeof a));
	failed(p, r);
	not_followed(p, sr, o->verbose);
}
