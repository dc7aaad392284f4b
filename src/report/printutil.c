/* printutil.c - helpers shared by the printers (see printutil.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "printutil.h"
#include "utf8.h"

const char *md_or_empty(const char *s)
{
	return s ? s : "";
}

const char *md_path_base(const char *path)
{
	const char *s = strrchr(md_or_empty(path), '/');
	return s ? s + 1 : md_or_empty(path);
}

const char *md_impl_name(md_map_impl impl)
{
	return impl == MD_IMPL_SWISS ? "swiss" : "hmap";
}

const char *md_finding_sev_name(md_sev s)
{
	return s == MD_SEV_INFO ? "info" : md_sev_name(s);
}

int md_verdict_nfindings(const md_verdict *v)
{
	return v->nfindings < 0 ? 0 : v->nfindings > MD_MAX_FINDINGS ? MD_MAX_FINDINGS
	                                                             : v->nfindings;
}

const char *md_exact_decimal(uint64_t v, int decimals, char *buf, size_t n)
{
	uint64_t scale = 1;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	uint64_t whole = v / scale, frac = v % scale;
	if (!frac) {
		snprintf(buf, n, "%" PRIu64, whole);
		return buf;
	}
	int w = decimals;
	while (frac % 10 == 0) {
		frac /= 10;
		w--;
	}
	snprintf(buf, n, "%" PRIu64 ".%0*" PRIu64, whole, w, frac);
	return buf;
}

uint64_t md_watch_elapsed_ns(const md_watch_report *r)
{
	return r->now_ns > r->start_ns ? r->now_ns - r->start_ns : 0;
}

void md_text_exit(const md_pen *p, md_exit code)
{
	const char *c = code == MD_EXIT_OK ? md_pen_green(p)
	                : code == MD_EXIT_WARNING ? md_pen_yellow(p) : md_pen_red(p);
	fprintf(p->f, "%s%s%s\n", c, md_exit_name(code), md_pen_off(p));
}

const char *md_ts(const char *s)
{
	static char ring[8][4 * 4096 + 1];
	static unsigned next;
	char *b = ring[next++ % 8];
	return md_text_safe(s, b, sizeof ring[0]);
}
