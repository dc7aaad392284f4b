/* printutil.c - helpers shared by the printers (see printutil.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "printutil.h"

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

int md_utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	int n;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	unsigned cp = c & (0x7fu >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)   /* a NUL stops here too */
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void md_text_safe(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		int n = *p >= 0x80 ? md_utf8_len(p) : 1;
		/* C1 controls: U+0080..U+009F, 0xc2 0x80..0x9f */
		if (n == 0 || *p < 0x20 || *p == 0x7f || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			fputc('?', f);
			p += n ? n : 1;
			continue;
		}
		fwrite(p, 1, (size_t)n, f);
		p += n;
	}
}
