/* plugin.c - the monitoring-plugins status line (see plugin.h). */
#include <inttypes.h>
#include <string.h>
#include "plugin.h"
#include "printutil.h"
#include "fmt.h"
#include "msg.h"

void md_plugin_begin(const md_pen *p, md_exit code)
{
	const char *c = code == MD_EXIT_OK ? md_pen_green(p) :
	                code == MD_EXIT_WARNING ? md_pen_yellow(p) : md_pen_red(p);
	fprintf(p->f, "MAPDIAG %s%s%s - ", c, md_exit_name(code), md_pen_off(p));
}

const char *md_finding_brief(const md_map_report *m, const md_finding *x, char *buf, size_t n)
{
	const md_derived *d = &m->view.d;
	char a[32], b[32];
	if (!strcmp(x->code, "oversized"))
		snprintf(buf, n, "oversized: holds %s, %s if rebuilt",
		         md_fmt_bytes(d->bytes_held, a, sizeof a),
		         md_fmt_bytes(d->bytes_if_rebuilt, b, sizeof b));
	else if (!strcmp(x->code, "growing-idle"))
		snprintf(buf, n, "growing-idle: growth parked, %s of old buckets held",
		         md_fmt_bytes(d->bytes_oldbuckets, a, sizeof a));
	else if (!strcmp(x->code, "overflow-pressure"))
		snprintf(buf, n, "overflow-pressure: %u overflow buckets", m->view.h.noverflow);
	else if (!strcmp(x->code, "concurrent-writers"))
		snprintf(buf, n, "concurrent-writers: %d threads writing at once", m->wf.proven);
	else if (!strcmp(x->code, "stale-writing-flag"))
		snprintf(buf, n, "stale-writing-flag: flag set, no thread writing");
	else if (!strcmp(x->code, "parked-writer"))
		snprintf(buf, n, "parked-writer: goroutine %lld parked mid-write",
		         (long long)m->wf.parked_goid);
	else if (!strcmp(x->code, "unidentified-writers"))
		snprintf(buf, n, "unidentified-writers: %d threads writing unknown maps",
		         m->wf.unidentified);
	else
		snprintf(buf, n, "%s", x->code);
	return buf;
}

/* The map and finding that decide the status: the worst severity, then
 * the most bytes held. */
static int worst(const md_report *r, int *mi, int *fi)
{
	int best = -1;
	*mi = *fi = -1;
	for (int i = 0; i < r->nmaps; i++) {
		const md_map_report *m = &r->maps[i];
		if (m->status != MD_OK || m->view.is_nil || m->view.v.sev == MD_SEV_INFO)
			continue;
		int sev = (int)m->view.v.sev;
		if (sev < best || (sev == best && m->view.d.bytes_held <=
		                   r->maps[*mi].view.d.bytes_held))
			continue;
		best = sev;
		*mi = i;
	}
	if (*mi < 0)
		return 0;
	const md_verdict *v = &r->maps[*mi].view.v;
	for (int k = 0; k < md_verdict_nfindings(v); k++)
		if (*fi < 0 || v->findings[k].sev > v->findings[*fi].sev)
			*fi = k;
	return 1;
}

void md_plugin_summary(FILE *f, const md_report *r, const md_scan_report *sr)
{
	char buf[512], a[32];
	int failed = md_report_failed(r);
	if (failed) {
		for (int i = 0; i < r->nmaps; i++) {
			if (r->maps[i].status == MD_OK)
				continue;
			md_msg_format(&r->maps[i].err, buf, sizeof buf);
			fputs(md_ts(buf), f);
			break;
		}
		if (failed > 1)
			fprintf(f, "; %d more maps unreadable", failed - 1);
		return;
	}
	if (r->crash.found) {
		const md_crash *c = &r->crash;
		fprintf(f, "fatal error: %s", c->what);
		if (c->var)
			fprintf(f, " on %s", md_ts(c->var));
		else if (c->map)
			fprintf(f, " on the map at 0x%llx", (unsigned long long)c->map);
		fprintf(f, ", caught by goroutine %lld; %d other%s in a write",
		        (long long)r->analysis.t[c->detector].goid, c->nothers,
		        c->nothers == 1 ? "" : "s");
		return;
	}
	int mi, fi;
	if (worst(r, &mi, &fi)) {
		const md_map_report *m = &r->maps[mi];
		md_sev sev = m->view.v.sev;
		fprintf(f, "%s %s", md_ts(m->expr),
		        fi >= 0 ? md_finding_brief(m, &m->view.v.findings[fi], buf, sizeof buf) : "");
		int more = 0;
		for (int i = 0; i < r->nmaps; i++)
			more += i != mi && r->maps[i].status == MD_OK && r->maps[i].view.v.sev != MD_SEV_INFO;
		if (more)
			fprintf(f, "; %d more map%s with %s", more, more == 1 ? "" : "s",
			        sev == MD_SEV_CRITICAL ? "findings" : "warnings");
		return;
	}
	uint64_t held = 0;
	int nils = 0;
	for (int i = 0; i < r->nmaps; i++) {
		held += r->maps[i].view.d.bytes_held;
		nils += r->maps[i].view.is_nil;
	}
	if (sr)
		held = sr->bytes_held;
	fprintf(f, "%d map%s%s hold%s %s, no warning", r->nmaps, r->nmaps == 1 ? "" : "s",
	        nils ? " (some nil)" : "", r->nmaps == 1 ? "s" : "",
	        md_fmt_bytes(held, a, sizeof a));
}

/* 'label_suffix': a quote or '=' would end the label early; spaces are
 * fine inside the quotes. */
static void perf_label(FILE *f, const char *label, const char *suffix)
{
	fputs(" '", f);
	for (const char *s = md_ts(label); *s; s++)
		fputc(*s == '\'' || *s == '=' ? '_' : *s, f);
	if (suffix && *suffix)
		fprintf(f, "_%s", suffix);
	fputs("'=", f);
}

void md_plugin_perf_u64(FILE *f, const char *label, const char *suffix, uint64_t v,
                        const char *uom)
{
	perf_label(f, label, suffix);
	fprintf(f, "%" PRIu64 "%s;;;0", v, uom);
}

void md_plugin_perf_double(FILE *f, const char *label, const char *suffix, double v,
                           const char *uom)
{
	perf_label(f, label, suffix);
	fprintf(f, "%.6g%s;;;0", v, uom);
}
