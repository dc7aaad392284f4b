/* watch_tty.c - watch for people: the live view, one line per map redrawn
 * in place, and the summary at the end of the window.
 *
 * Strings from the target or the command line are shown with control
 * characters as \xNN (md_ts): a newline or an escape in a name would break
 * the redraw, or drive the terminal.  A double that is not finite is shown
 * as "-".  At a terminal narrower than the full view, the columns a person
 * can do without (size, growths, rates) are left out, and every line is
 * cut at the edge with "…" (fit.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "print.h"
#include "msg.h"
#include "printutil.h"
#include "fit.h"

/* The full view's width; below it, the narrow one. */
#define WIDE_VIEW 118

/* Up to width characters of s (UTF-8 counted by code points; width < 0: no
 * limit), control characters shown as '?'; a longer s keeps its tail behind
 * a '~' (Go names differ at the end: pkg/path.var.field).  Pads to width
 * when pad.  Returns the characters printed. */
static int put_clean(FILE *f, const char *s, int width, int pad)
{
	const unsigned char *p = (const unsigned char *)md_ts(md_or_empty(s));
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

/* A rate for people: "0.0", "123.4", "1234567", "1.23e+10", "-"; never
 * wider than the live view's 10-character column. */
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

/* The worst finding of a verdict (the first of equals), or NULL. */
static const md_finding *worst_finding(const md_verdict *v)
{
	const md_finding *w = NULL;
	for (int i = 0; i < md_verdict_nfindings(v); i++)
		if (!w || v->findings[i].sev > w->sev)
			w = &v->findings[i];
	return w;
}

/* "    warning hot-map: written 100% ...", the severity padded to width */
static void finding_line(const md_pen *p, const md_finding *x, int width)
{
	fprintf(p->f, "    %s%-*s%s ", md_pen_sev(p, x->sev), width, md_finding_sev_name(x->sev),
	        md_pen_off(p));
	put_clean(p->f, x->code, -1, 0);
	fputs(": ", p->f);
	put_clean(p->f, x->message ? x->message : "", -1, 0);
	fputc('\n', p->f);
}

/* "<lead>error: message" with the label in red, the message cleaned; no
 * newline */
static void error_text(const md_pen *p, const char *lead, const char *label,
                       const md_err *err)
{
	char line[1024];
	md_msg_format(err, line, sizeof line);
	fprintf(p->f, "%s%s%s%s ", lead, md_pen_red(p), label, md_pen_off(p));
	put_clean(p->f, line, -1, 0);
}

static void tty_map(const md_pen *p, const md_watch_map *m, int wvar, int narrow)
{
	FILE *f = p->f;
	const md_watch_stat *st = &m->st;
	char cnt[24], sz[32], duty[32], lw[32], ins[32], del[32];
	put_clean(f, m->expr, wvar, 1);
	if (m->status != MD_OK) {
		error_text(p, " ", "error:", &m->err);
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
	if (narrow) {
		fprintf(f, " %10s %-12s %6s %8s %s%s%s\n", cnt, md_state_name(m->v.state), duty, lw,
		        md_pen_sev(p, m->v.sev), md_sev_name(m->v.sev), md_pen_off(p));
		return;
	}
	fprintf(f, " %12s %-10s %-12s %6s %10s %7" PRIu64 " %10s %10s %s%s%s\n", cnt,
	        size_str(m, sz, sizeof sz), md_state_name(m->v.state), duty, lw, st->growths,
	        rate_str(st->inserts_per_s, ins, sizeof ins),
	        rate_str(st->deletes_per_s, del, sizeof del), md_pen_sev(p, m->v.sev),
	        md_sev_name(m->v.sev), md_pen_off(p));
}

void md_print_watch_tty(FILE *f, const md_watch_report *r, int first, int color, int width)
{
	static int last_lines;  /* lines drawn by the previous call */
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len); /* one write per frame */
	FILE *o = mem ? mem : f;
	md_pen p = { o, color };
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
	uint64_t el = md_watch_elapsed_ns(r);
	if (el)
		rate_str((double)total * 1e9 / (double)el, b, sizeof b);
	else
		snprintf(b, sizeof b, "-");
	/* the executable's base name: the header has to fit one line */
	fprintf(o, "\033[2K%spid %d%s  ", md_pen_bold(&p), (int)r->pid, md_pen_off(&p));
	put_clean(o, md_path_base(r->exe), -1, 0);
	fputs("  ", o);
	put_clean(o, r->go_version, -1, 0);
	fprintf(o, "  elapsed %.1f s  %s samples/s  %" PRIu64 " torn", (double)el / 1e9, b,
	        torn);
	if (r->exited)
		fprintf(o, "  %starget exited%s", md_pen_red(&p), md_pen_off(&p));
	fputc('\n', o);
	lines++;
	int narrow = width > 0 && width < WIDE_VIEW;
	int wvar = 28;
	if (narrow) {
		wvar = width - 49;
		wvar = wvar < 12 ? 12 : wvar > 28 ? 28 : wvar;
		fprintf(o, "\033[2K%s%-*s %10s %-12s %6s %8s %s%s\n", md_pen_dim(&p), wvar, "VAR",
		        "COUNT", "STATE", "DUTY%", "WRITE-ms", "SEVERITY", md_pen_off(&p));
	} else {
		fprintf(o, "\033[2K%s%-28s %12s %-10s %-12s %6s %10s %7s %10s %10s %s%s\n",
		        md_pen_dim(&p), "VAR", "COUNT", "SIZE", "STATE", "DUTY%", "WRITE-ms",
		        "GROWTHS", "INS/s", "DEL/s", "SEVERITY", md_pen_off(&p));
	}
	lines++;
	for (int i = 0; i < r->nmaps; i++) {
		const md_watch_map *m = &r->maps[i];
		fputs("\033[2K", o);
		tty_map(&p, m, wvar, narrow);
		lines++;
		if (m->status != MD_OK)
			continue;
		const md_finding *w = worst_finding(&m->v);
		/* the worst finding only: the view keeps one or two lines a map */
		if (w) {
			fputs("\033[2K", o);
			finding_line(&p, w, 0);
			lines++;
		}
	}
	/* a shorter frame than the last: clear what is left below */
	fputs("\033[J\033[?7h", o);
	last_lines = lines;

	if (mem) {
		fclose(mem);
		if (buf)
			md_fit_write(f, buf, len, width);
		free(buf);
	}
	fflush(f);
}

static void summary_map(const md_pen *p, const md_watch_report *r, const md_watch_map *m,
                        int width)
{
	FILE *f = p->f;
	const md_watch_stat *st = &m->st;
	char a[48], b[48], c[48];
	fprintf(f, "%s", md_pen_bold(p));
	put_clean(f, m->expr, -1, 0);
	fprintf(f, "%s", md_pen_off(p));
	if (m->status != MD_OK) {
		error_text(p, "  ", "not watched:", &m->err);
		fputs("\n\n", f);
		return;
	}
	if (m->type_name[0]) {
		fputs("  ", f);
		put_clean(f, m->type_name, -1, 0);
	}
	fprintf(f, "  %s\n", md_impl_name(m->swiss ? MD_IMPL_SWISS : MD_IMPL_HMAP));

	fprintf(f, "  samples   %" PRIu64 " (%" PRIu64 " torn) in a window of %s\n", st->samples,
	        st->torn, dur_str(md_watch_elapsed_ns(r), a, sizeof a));
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
		fprintf(f, "; net %s inserts/s, %s deletes/s; ",
		        rate_str(st->inserts_per_s, a, sizeof a),
		        rate_str(st->deletes_per_s, b, sizeof b));
		if (st->last.has_clearSeq)
			fprintf(f, "%" PRIu64 " clear%s\n", st->clears, st->clears == 1 ? "" : "s");
		else
			fputs("clears unknown (no clear counter before Go 1.24)\n", f);
	}
	fprintf(f, "  state     %s%s%s  severity %s%s%s\n", md_pen_bold(p),
	        md_state_name(m->v.state), md_pen_off(p), md_pen_sev(p, m->v.sev),
	        md_sev_name(m->v.sev), md_pen_off(p));
	if (md_verdict_nfindings(&m->v)) {
		fputs("  findings:\n", f);
		for (int i = 0; i < md_verdict_nfindings(&m->v); i++) {
			const md_finding *x = &m->v.findings[i];
			char *line = NULL;
			fprintf(f, "    %s%-8s%s ", md_pen_sev(p, x->sev), md_finding_sev_name(x->sev),
			        md_pen_off(p));
			if (asprintf(&line, "%s: %s", md_ts(x->code),
			             md_ts(x->message ? x->message : "")) < 0)
				line = NULL;
			md_fit_wrap(f, line ? line : x->code, 13, 6, width, 0);
			free(line);
		}
	}
	fputc('\n', f);
}

void md_print_watch_summary(FILE *out, const md_watch_report *r, int color, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = width > 0 ? open_memstream(&buf, &len) : NULL;
	if (!f)
		f = out;
	md_pen p = { f, color };
	char a[48];
	fprintf(f, "%spid %d%s  ", md_pen_bold(&p), (int)r->pid, md_pen_off(&p));
	put_clean(f, md_path_base(r->exe), -1, 0);
	fputs("  ", f);
	put_clean(f, r->go_version, -1, 0);
	fprintf(f, "  watched %s, %" PRIu64 " reads%s\n\n",
	        dur_str(md_watch_elapsed_ns(r), a, sizeof a), r->reads,
	        r->exited ? "; the target exited during the window" : "");
	for (int i = 0; i < r->nmaps; i++)
		summary_map(&p, r, &r->maps[i], width);
	/* the status word is the exit code's: UNKNOWN when the target
	 * exited (said above, and on stderr) */
	md_text_exit(&p, md_watch_exit_code(r));
	if (f != out) {
		fclose(f);
		md_fit_write(out, buf, len, width);
		free(buf);
	}
}
