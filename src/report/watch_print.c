/* print_watch.c - printers of mapdiag watch (see watch.h): JSON Lines, the
 * Prometheus textfile, the live terminal view and the end-of-window summary.
 *
 * They print what the sampler and src/watchstat.c decided; they decide
 * nothing.  Every number may be zero or huge: no division without a guard,
 * durations are printed from exact nanoseconds, and a non-finite double
 * becomes null (JSON), NaN/+Inf (Prometheus) or "-" (people).  Strings from
 * the target or the command line (var, exe, messages) are escaped for JSON
 * and Prometheus labels, and stripped of control characters on a terminal so
 * a newline in a name cannot break the redraw. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "print.h"
#include "json.h"
#include "fmt.h"
#include "publish.h"
#include "msg.h"
#include "pen.h"

/* ---- shared helpers ---------------------------------------------------- */

static const char *S(const char *s)
{
	return s ? s : "";
}

static const char *finding_sev(md_sev s)
{
	return s == MD_SEV_INFO ? "info" : md_sev_name(s);
}

static const char *base(const char *path)
{
	const char *s = strrchr(S(path), '/');
	return s ? s + 1 : S(path);
}

static uint64_t elapsed_ns(const md_watch_report *r)
{
	return r->now_ns > r->start_ns ? r->now_ns - r->start_ns : 0;
}

/* Exact seconds from nanoseconds: "0", "1.5", "12.000000001". */
static const char *secs(uint64_t ns, char *buf, size_t n)
{
	uint64_t s = ns / 1000000000u, frac = ns % 1000000000u;
	if (!frac) {
		snprintf(buf, n, "%" PRIu64, s);
		return buf;
	}
	int w = 9;
	while (frac % 10 == 0) {
		frac /= 10;
		w--;
	}
	snprintf(buf, n, "%" PRIu64 ".%0*" PRIu64, s, w, frac);
	return buf;
}

/* The worst finding of a verdict (the first of equals), or NULL. */
static const md_finding *worst_finding(const md_verdict *v)
{
	const md_finding *w = NULL;
	int n = v->nfindings < 0 ? 0 : v->nfindings > MD_MAX_FINDINGS ? MD_MAX_FINDINGS
	                                                               : v->nfindings;
	for (int i = 0; i < n; i++)
		if (!w || v->findings[i].sev > w->sev)
			w = &v->findings[i];
	return w;
}

static int nfindings(const md_verdict *v)
{
	return v->nfindings < 0 ? 0 : v->nfindings > MD_MAX_FINDINGS ? MD_MAX_FINDINGS
	                                                             : v->nfindings;
}

/* ---- JSON Lines --------------------------------------------------------- */

static void ku(FILE *f, const char *k, uint64_t v)
{
	fprintf(f, ",\"%s\":%" PRIu64, k, v);
}

/* A double with a fixed number of decimals; null when not finite. */
static void kf(FILE *f, const char *k, double v, int decimals)
{
	if (isfinite(v))
		fprintf(f, ",\"%s\":%.*f", k, decimals, v);
	else
		fprintf(f, ",\"%s\":null", k);
}

static void kg(FILE *f, const char *k, double v)
{
	if (isfinite(v))
		fprintf(f, ",\"%s\":%.6g", k, v);
	else
		fprintf(f, ",\"%s\":null", k);
}

static void ksecs(FILE *f, const char *k, uint64_t ns)
{
	char b[48];
	fprintf(f, ",\"%s\":%s", k, secs(ns, b, sizeof b));
}

static void kbool(FILE *f, const char *k, int v)
{
	fprintf(f, ",\"%s\":%s", k, v ? "true" : "false");
}

static void map_jsonl(FILE *f, const md_watch_map *m)
{
	const md_watch_stat *st = &m->st;
	fputs("{\"var\":", f);
	md_json_str(f, S(m->expr));
	if (m->status != MD_OK) {
		char line[1024];
		md_msg_format(&m->err, line, sizeof line);
		fputs(",\"error\":", f);
		md_json_str(f, line);
		fputs("}", f);
		return;
	}
	fputs(",\"type\":", f);
	md_json_str(f, m->type_name);
	fprintf(f, ",\"impl\":\"%s\"", m->swiss ? "swiss" : "hmap");
	ku(f, "samples", st->samples);
	ku(f, "torn", st->torn);
	kf(f, "duty", md_watch_stat_duty(st), 4);
	ku(f, "writing_samples", st->writing);
	ksecs(f, "longest_writing_s", st->longest_writing_ns);
	ku(f, "growths", st->growths);
	ksecs(f, "growing_idle_s", st->growing_idle_ns);
	ksecs(f, "longest_parked_s", st->longest_parked_ns);
	ku(f, "clears", st->clears);
	kg(f, "inserts_per_s", st->inserts_per_s);
	kg(f, "deletes_per_s", st->deletes_per_s);
	ku(f, "evacuated", st->evacuated);
	kg(f, "evac_per_s", st->evac_per_s);
	/* header values of the last good sample; null before the first one and
	 * for a nil map, which has no header */
	int have = st->have_last && !st->last.is_nil;
	if (st->have_last)
		ku(f, "count", st->last.count);
	else
		fputs(",\"count\":null", f);
	if (m->swiss) {
		if (have) {
			fprintf(f, ",\"dirLen\":%" PRId64, st->last.dirLen);
			ku(f, "globalDepth", st->last.globalDepth);
			ku(f, "capacity", st->last.capacity);
		} else {
			fputs(",\"dirLen\":null,\"globalDepth\":null,\"capacity\":null", f);
		}
	} else {
		if (have) {
			ku(f, "B", st->last.B);
			kbool(f, "growing", st->last.growing);
			ku(f, "nevacuate", st->last.nevacuate);
			ku(f, "noldbuckets", st->last.noldbuckets);
		} else {
			fputs(",\"B\":null,\"growing\":null,\"nevacuate\":null,\"noldbuckets\":null", f);
		}
	}
	fputs(",\"state\":", f);
	md_json_str(f, md_state_name(m->v.state));
	fputs(",\"severity\":", f);
	md_json_str(f, md_sev_name(m->v.sev));
	fputs(",\"findings\":[", f);
	for (int i = 0; i < nfindings(&m->v); i++) {
		const md_finding *x = &m->v.findings[i];
		fputs(i ? ",{\"code\":" : "{\"code\":", f);
		md_json_str(f, S(x->code));
		fputs(",\"severity\":", f);
		md_json_str(f, finding_sev(x->sev));
		fputs(",\"message\":", f);
		md_json_str(f, x->message);
		fputs("}", f);
	}
	fputs("]}", f);
}

void md_print_watch_jsonl(FILE *f, const md_watch_report *r)
{
	char b[48];
	if (isfinite(r->unix_time))
		fprintf(f, "{\"time\":%.3f", r->unix_time);
	else
		fputs("{\"time\":null", f);
	fprintf(f, ",\"elapsed_s\":%s,\"pid\":%d,\"exe\":", secs(elapsed_ns(r), b, sizeof b),
	        (int)r->pid);
	md_json_str(f, r->exe);
	fputs(",\"go_version\":", f);
	md_json_str(f, r->go_version);
	kbool(f, "final", r->final);
	kbool(f, "exited", r->exited);
	/* microseconds, exact: "100", "1.5" */
	uint64_t us = r->interval_ns / 1000, ns = r->interval_ns % 1000;
	fprintf(f, ",\"interval_us\":%" PRIu64, us);
	if (ns) {
		int w = 3;
		while (ns % 10 == 0) {
			ns /= 10;
			w--;
		}
		fprintf(f, ".%0*" PRIu64, w, ns);
	}
	ku(f, "reads", r->reads);
	fputs(",\"maps\":[", f);
	for (int i = 0; i < r->nmaps; i++) {
		if (i)
			fputc(',', f);
		map_jsonl(f, &r->maps[i]);
	}
	fputs("]}\n", f);
}

/* ---- Prometheus text exposition 0.0.4 ----------------------------------- */

/* A label value: backslash, double quote and newline escaped. */
static void plabel(FILE *f, const char *name, const char *v)
{
	fprintf(f, ",%s=\"", name);
	for (const char *p = S(v); *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void pfam(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* "name{pid="1",exe="x"" and, for a map, ",var="..."": the caller adds its
 * own labels, then one of pend_*. */
static void pstart(FILE *f, const char *name, const md_watch_report *r, const md_watch_map *m)
{
	fprintf(f, "%s{pid=\"%d\"", name, (int)r->pid);
	plabel(f, "exe", r->exe);
	if (m)
		plabel(f, "var", m->expr);
}

static void pend_u(FILE *f, uint64_t v)
{
	fprintf(f, "} %" PRIu64 "\n", v);
}

static void pend_d(FILE *f, double v)
{
	if (isnan(v))
		fputs("} NaN\n", f);
	else if (isinf(v))
		fputs(v > 0 ? "} +Inf\n" : "} -Inf\n", f);
	else {
		/* the shortest of %.15g..%.17g that reads back exactly: 0.8, not
		 * 0.80000000000000004 */
		char b[40];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(b, sizeof b, "%.*g", prec, v);
			if (strtod(b, NULL) == v)
				break;
		}
		fprintf(f, "} %s\n", b);
	}
}

static void pend_secs(FILE *f, uint64_t ns)
{
	char b[48];
	fprintf(f, "} %s\n", secs(ns, b, sizeof b));
}

/* The same var twice on the command line would give duplicate series, which
 * a scraper rejects: only the first is exported. */
static int dup_var(const md_watch_report *r, int i)
{
	for (int j = 0; j < i; j++)
		if (!strcmp(S(r->maps[j].expr), S(r->maps[i].expr)))
			return 1;
	return 0;
}

static int exported(const md_watch_report *r, int i)
{
	return r->maps[i].status == MD_OK && !dup_var(r, i);
}

enum pkind { PK_U, PK_D, PK_NS };

typedef struct pval {
	enum pkind k;
	uint64_t u;
	double d;
	int absent;
} pval;

enum {
	PF_ENTRIES, PF_DUTY, PF_SAMPLES, PF_TORN, PF_WLONGEST, PF_GROWTHS, PF_GIDLE,
	PF_PARKED, PF_CLEARS, PF_INS, PF_DEL, PF_SEV, PF_NSIMPLE
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
	                  "Times the map was cleared (clearSeq changes)." },
	[PF_INS]      = { "mapdiag_map_inserts_per_second", "gauge",
	                  "Net increase of the entry count per second." },
	[PF_DEL]      = { "mapdiag_map_deletes_per_second", "gauge",
	                  "Net decrease of the entry count per second." },
	[PF_SEV]      = { "mapdiag_map_severity", "gauge",
	                  "Worst finding of the map: 0 ok, 1 warning, 2 critical." },
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
	case PF_CLEARS: v.u = st->clears; break;
	case PF_INS: v.k = PK_D; v.d = st->inserts_per_s; break;
	case PF_DEL: v.k = PK_D; v.d = st->deletes_per_s; break;
	case PF_SEV:
		v.u = m->v.sev == MD_SEV_CRITICAL ? 2 : m->v.sev == MD_SEV_WARNING ? 1 : 0;
		break;
	}
	return v;
}

static void prom_write(FILE *f, const md_watch_report *r)
{
	for (int fam = 0; fam < PF_NSIMPLE; fam++) {
		pfam(f, pfams[fam].name, pfams[fam].type, pfams[fam].help);
		for (int i = 0; i < r->nmaps; i++) {
			if (!exported(r, i))
				continue;
			pval v = pget(fam, &r->maps[i]);
			if (v.absent)
				continue;
			pstart(f, pfams[fam].name, r, &r->maps[i]);
			if (v.k == PK_U)
				pend_u(f, v.u);
			else if (v.k == PK_NS)
				pend_secs(f, v.u);
			else
				pend_d(f, v.d);
		}
	}

	static const md_state states[] = { MD_STATE_IDLE, MD_STATE_WRITING, MD_STATE_GROWING,
	                                   MD_STATE_GROWING_IDLE, MD_STATE_NIL };
	pfam(f, "mapdiag_map_state", "gauge",
	     "Current state of the map: 1 for the current state, 0 for the others.");
	for (int i = 0; i < r->nmaps; i++) {
		if (!exported(r, i))
			continue;
		for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
			pstart(f, "mapdiag_map_state", r, &r->maps[i]);
			plabel(f, "state", md_state_name(states[k]));
			pend_u(f, r->maps[i].v.state == states[k]);
		}
	}

	pfam(f, "mapdiag_map_finding", "gauge",
	     "Findings of the watch window, one series per finding code and severity.");
	for (int i = 0; i < r->nmaps; i++) {
		if (!exported(r, i))
			continue;
		const md_verdict *v = &r->maps[i].v;
		for (int k = 0; k < nfindings(v); k++) {
			const md_finding *x = &v->findings[k];
			int seen = 0;   /* same code and severity twice: one series */
			for (int j = 0; j < k && !seen; j++)
				seen = !strcmp(S(v->findings[j].code), S(x->code)) &&
				       v->findings[j].sev == x->sev;
			if (seen)
				continue;
			pstart(f, "mapdiag_map_finding", r, &r->maps[i]);
			plabel(f, "code", x->code);
			plabel(f, "severity", finding_sev(x->sev));
			pend_u(f, 1);
		}
	}

	pfam(f, "mapdiag_map_error", "gauge",
	     "1 for a variable that is not watched (it did not resolve to a readable map).");
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status == MD_OK || dup_var(r, i))
			continue;
		pstart(f, "mapdiag_map_error", r, &r->maps[i]);
		pend_u(f, 1);
	}

	pfam(f, "mapdiag_watch_reads_total", "counter",
	     "Read system calls mapdiag made on the target in this watch window.");
	pstart(f, "mapdiag_watch_reads_total", r, NULL);
	pend_u(f, r->reads);
	pfam(f, "mapdiag_watch_target_up", "gauge",
	     "1 while the target process runs, 0 once it exited.");
	pstart(f, "mapdiag_watch_target_up", r, NULL);
	pend_u(f, !r->exited);
}

/* md_publish's writer: the exposition through a FILE of our own. */
static int prom_to_fd(int fd, void *arg)
{
	int d = dup(fd);
	FILE *f = d >= 0 ? fdopen(d, "w") : NULL;
	if (!f) {
		if (d >= 0)
			close(d);
		return -1;
	}
	errno = 0;
	prom_write(f, arg);
	int bad = fflush(f) != 0 || ferror(f);
	int e = errno;
	bad |= fclose(f) != 0;
	if (!bad)
		return 0;
	errno = e ? e : EIO;
	return -1;
}

md_status md_print_watch_prom(const char *path, const md_watch_report *r, md_err *err)
{
	const char *b = base(path);
	if (!path || !*b)
		return md_err_set(err, MD_E_SYS, "cannot write metrics to \"%s\": not a file name",
		                  S(path));
	md_publish_err e;
	if (md_publish(path, 0644, 1, prom_to_fd, (void *)r, &e) == 0)
		return MD_OK;
	size_t dlen = (size_t)(b - path);
	if (!strcmp(e.step, "create a temporary file in"))
		return md_err_set(err, MD_E_SYS, "cannot write metrics to %s: cannot create a "
		                  "temporary file in %.*s: %s", path, dlen ? (int)dlen : 1,
		                  dlen ? path : ".", strerror(e.err));
	return md_err_set(err, MD_E_SYS, "cannot write metrics to %s: %s: %s", path, e.step,
	                  strerror(e.err));
}

/* ---- terminal ----------------------------------------------------------- */

/* Up to width characters of s (UTF-8 counted by code points; width < 0: no
 * limit), control characters shown as '?'; a longer s keeps its tail behind
 * a '~' (Go names differ at the end: pkg/path.var.field).  Pads to width
 * when pad.  Returns the characters printed. */
static int put_clean(FILE *f, const char *s, int width, int pad)
{
	const unsigned char *p = (const unsigned char *)S(s);
	int chars = 0;
	for (const unsigned char *q = p; *q; q++)
		chars += (*q & 0xc0) != 0x80;
	int out = 0;
	if (width >= 0 && chars > width) {
		int skip = chars - (width - 1);
		while (*p && skip) {    /* skip whole code points */
			p++;
			if ((*p & 0xc0) != 0x80)
				skip--;
		}
		if (width > 0) {
			fputc('~', f);
			out++;
		}
	}
	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			fputc('?', f);
			out++;
		} else {
			fputc(*p, f);
			out += (*p & 0xc0) != 0x80;
		}
	}
	for (; pad && width >= 0 && out < width; out++)
		fputc(' ', f);
	return out;
}

/* A rate for people: "0.0", "123.4", "1234567", "1.23e+10", "-". */
static const char *rate_str(double v, char *buf, size_t n)
{
	if (!isfinite(v))
		snprintf(buf, n, "-");
	else if (fabs(v) < 1e5)
		snprintf(buf, n, "%.1f", v);
	else if (fabs(v) < 1e9)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.3g", v);
	return buf;
}

static const char *pct_str(double ratio, char *buf, size_t n)
{
	if (!isfinite(ratio))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f", ratio * 100.0);
	return buf;
}

/* A duration for people: "0 s", "812 ns", "4.5 us", "12.3 ms", "3.20 s". */
static const char *dur_str(uint64_t ns, char *buf, size_t n)
{
	if (ns == 0)
		snprintf(buf, n, "0 s");
	else if (ns < 1000)
		snprintf(buf, n, "%" PRIu64 " ns", ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%.1f us", (double)ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.2f s", (double)ns / 1e9);
	return buf;
}

/* "B=9" / "cap 2048" / "-" */
static const char *size_str(const md_watch_map *m, char *buf, size_t n)
{
	const md_watch_stat *st = &m->st;
	if (!st->have_last || st->last.is_nil)
		snprintf(buf, n, "-");
	else if (m->swiss)
		snprintf(buf, n, "cap %" PRIu64, st->last.capacity);
	else
		snprintf(buf, n, "B=%u", st->last.B);
	return buf;
}

static void tty_map(const pen *p, const md_watch_map *m)
{
	FILE *f = p->f;
	const md_watch_stat *st = &m->st;
	char cnt[24], sz[32], duty[32], lw[32], ins[32], del[32];
	put_clean(f, m->expr, 28, 1);
	if (m->status != MD_OK) {
		char line[1024];
		md_msg_format(&m->err, line, sizeof line);
		fprintf(f, " %serror:%s ", RED(p), OFF(p));
		put_clean(f, line, -1, 0);
		fputc('\n', f);
		return;
	}
	if (st->have_last)
		snprintf(cnt, sizeof cnt, "%" PRIu64, st->last.count);
	else
		snprintf(cnt, sizeof cnt, "-");
	if (st->samples)
		pct_str(md_watch_stat_duty(st), duty, sizeof duty);
	else
		snprintf(duty, sizeof duty, "-");
	snprintf(lw, sizeof lw, "%.1f", (double)st->longest_writing_ns / 1e6);
	fprintf(f, " %12s %-10s %-12s %6s %10s %7" PRIu64 " %10s %10s %s%s%s\n", cnt,
	        size_str(m, sz, sizeof sz), md_state_name(m->v.state), duty, lw, st->growths,
	        rate_str(st->inserts_per_s, ins, sizeof ins),
	        rate_str(st->deletes_per_s, del, sizeof del), md_pen_sev(p, m->v.sev),
	        md_sev_name(m->v.sev), OFF(p));
}

void md_print_watch_tty(FILE *f, const md_watch_report *r, int first, int color)
{
	static int last_lines;  /* lines drawn by the previous call */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len); /* one write per frame */
	FILE *o = mem ? mem : f;
	pen p = { o, color };
	char b[48];

	if (first)
		last_lines = 0;
	/* no autowrap while drawing: a line wider than the terminal is cut at the
	 * edge instead of taking two rows the cursor-up would not count */
	fputs("\033[?7l", o);
	if (last_lines > 0)
		fprintf(o, "\r\033[%dA", last_lines);
	int lines = 0;

	uint64_t total = 0, torn = 0;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK) {
			total += r->maps[i].st.samples + r->maps[i].st.torn;
			torn += r->maps[i].st.torn;
		}
	uint64_t el = elapsed_ns(r);
	if (el)
		rate_str((double)total * 1e9 / (double)el, b, sizeof b);
	else
		snprintf(b, sizeof b, "-");
	fprintf(o, "\033[2K%spid %d%s  ", BOLD(&p), (int)r->pid, OFF(&p));
	put_clean(o, base(r->exe), -1, 0);
	fputs("  ", o);
	put_clean(o, r->go_version, -1, 0);
	fprintf(o, "  elapsed %.1f s  %s samples/s  %" PRIu64 " torn", (double)el / 1e9, b, torn);
	if (r->exited)
		fprintf(o, "  %starget exited%s", RED(&p), OFF(&p));
	fputc('\n', o);
	lines++;
	fprintf(o, "\033[2K%s%-28s %12s %-10s %-12s %6s %10s %7s %10s %10s %s%s\n", DIM(&p),
	        "VAR", "COUNT", "SIZE", "STATE", "DUTY%", "WRITE-ms", "GROWTHS", "INS/s",
	        "DEL/s", "SEVERITY", OFF(&p));
	lines++;
	for (int i = 0; i < r->nmaps; i++) {
		const md_watch_map *m = &r->maps[i];
		fputs("\033[2K", o);
		tty_map(&p, m);
		lines++;
		if (m->status != MD_OK)
			continue;
		const md_finding *w = worst_finding(&m->v);
		if (w) {
			fprintf(o, "\033[2K    %s%s%s ", md_pen_sev(&p, w->sev), finding_sev(w->sev),
			        OFF(&p));
			put_clean(o, w->code, -1, 0);
			fputs(": ", o);
			put_clean(o, w->message, -1, 0);
			fputc('\n', o);
			lines++;
		}
	}
	/* a shorter frame than the last: clear what is left below */
	fputs("\033[J\033[?7h", o);
	last_lines = lines;

	if (mem) {
		fclose(mem);
		if (buf)
			fwrite(buf, 1, len, f);
		free(buf);
	}
	fflush(f);
}

/* ---- summary ------------------------------------------------------------ */

static void summary_map(const pen *p, const md_watch_report *r, const md_watch_map *m)
{
	FILE *f = p->f;
	const md_watch_stat *st = &m->st;
	char a[48], b[48], c[48];
	fprintf(f, "%s", BOLD(p));
	put_clean(f, m->expr, -1, 0);
	fprintf(f, "%s", OFF(p));
	if (m->status != MD_OK) {
		char line[1024];
		md_msg_format(&m->err, line, sizeof line);
		fprintf(f, "  %snot watched:%s ", RED(p), OFF(p));
		put_clean(f, line, -1, 0);
		fputs("\n\n", f);
		return;
	}
	if (m->type_name[0]) {
		fputs("  ", f);
		put_clean(f, m->type_name, -1, 0);
	}
	fprintf(f, "  %s\n", m->swiss ? "swiss" : "hmap");

	fprintf(f, "  samples   %" PRIu64 " (%" PRIu64 " torn) in a window of %s\n", st->samples,
	        st->torn, dur_str(elapsed_ns(r), a, sizeof a));
	if (!st->samples) {
		fputs("            no good sample: nothing to say about this map yet\n", f);
	} else {
		fprintf(f, "  writing   duty cycle %s%% (%" PRIu64 " of %" PRIu64 " samples), "
		        "longest writing run %s\n", pct_str(md_watch_stat_duty(st), a, sizeof a),
		        st->writing, st->samples, dur_str(st->longest_writing_ns, b, sizeof b));
		fprintf(f, "  growth    %" PRIu64 " growth%s; growing-idle %s in total, longest "
		        "parked stretch %s", st->growths, st->growths == 1 ? "" : "s",
		        dur_str(st->growing_idle_ns, a, sizeof a),
		        dur_str(st->longest_parked_ns, b, sizeof b));
		if (!m->swiss)
			fprintf(f, "; %" PRIu64 " old buckets evacuated (%s/s while growing)",
			        st->evacuated, rate_str(st->evac_per_s, c, sizeof c));
		fputc('\n', f);
		fprintf(f, "  entries   ");
		if (!st->have_last)
			fputs("-", f);
		else if (st->last.is_nil)
			fputs("nil map", f);
		else if (m->swiss)
			fprintf(f, "%" PRIu64 " (capacity %" PRIu64 " slots, dirLen %" PRId64
			        ", globalDepth %u)", st->last.count, st->last.capacity,
			        st->last.dirLen, st->last.globalDepth);
		else
			fprintf(f, "%" PRIu64 " (B %u%s)", st->last.count, st->last.B,
			        st->last.growing ? ", growing" : "");
		fprintf(f, "; net %s inserts/s, %s deletes/s; %" PRIu64 " clear%s\n",
		        rate_str(st->inserts_per_s, a, sizeof a),
		        rate_str(st->deletes_per_s, b, sizeof b), st->clears,
		        st->clears == 1 ? "" : "s");
	}
	fprintf(f, "  state     %s%s%s  severity %s%s%s\n", BOLD(p), md_state_name(m->v.state),
	        OFF(p), md_pen_sev(p, m->v.sev), md_sev_name(m->v.sev), OFF(p));
	if (nfindings(&m->v)) {
		fputs("  findings:\n", f);
		for (int i = 0; i < nfindings(&m->v); i++) {
			const md_finding *x = &m->v.findings[i];
			fprintf(f, "    %s%-8s%s ", md_pen_sev(p, x->sev), finding_sev(x->sev), OFF(p));
			put_clean(f, x->code, -1, 0);
			fputs(": ", f);
			put_clean(f, x->message, -1, 0);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

void md_print_watch_summary(FILE *f, const md_watch_report *r, int color)
{
	pen p = { f, color };
	char a[48];
	fprintf(f, "%spid %d%s  ", BOLD(&p), (int)r->pid, OFF(&p));
	put_clean(f, r->exe, -1, 0);
	fputs("  ", f);
	put_clean(f, r->go_version, -1, 0);
	fprintf(f, "  watched %s, %" PRIu64 " reads%s\n\n", dur_str(elapsed_ns(r), a, sizeof a),
	        r->reads, r->exited ? "; the target exited during the window" : "");
	/* same convention as md_report_exit_code / md_print_text */
	int code = 0;
	for (int i = 0; i < r->nmaps; i++) {
		summary_map(&p, r, &r->maps[i]);
		if (r->maps[i].status != MD_OK)
			code = 3;
		else if (code < 3 && (int)r->maps[i].v.sev > code)
			code = (int)r->maps[i].v.sev;
	}
	if (code > 3 || code < 0)
		code = 3;
	static const char *names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	fprintf(f, "%s%s%s\n", code == 0 ? GRN(&p) : code == 1 ? YEL(&p) : RED(&p), names[code],
	        OFF(&p));
}
