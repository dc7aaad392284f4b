/* test_buildinfo.c - md_dwarf_parse_buildinfo on made-up and hostile
 * bytes, md_gofacts_map_impl's release rule, and the escapes ps prints a
 * file name with (md_ts, md_json_str).  Every buffer is
 * malloc'd to its exact length, so that a read past it is ASan's. */
#include <stdlib.h>
#include "md_test.h"
#include "md_dwarf.h"
#include "gofacts.h"
#include "json.h"
#include "printutil.h"

#define MAGIC "\xff Go buildinf:"

/* A blob: header (ptrsize 8, flags), uvarint-prefixed version and modinfo. */
static size_t blob(unsigned char *out, unsigned flags, const char *vers, const char *mod)
{
	size_t n = 0;
	memcpy(out, MAGIC, 14);
	out[14] = 8;
	out[15] = (unsigned char)flags;
	memset(out + 16, 0, 16);
	n = 32;
	const char *s[2] = { vers, mod };
	for (int k = 0; k < 2; k++) {
		if (!s[k])
			continue;
		size_t len = strlen(s[k]);
		size_t v = len;
		do {
			out[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
			v >>= 7;
		} while (v);
		memcpy(out + n, s[k], len);
		n += len;
	}
	return n;
}

/* Parse a copy of p[0..n) in a buffer of exactly n bytes. */
static int parse(const unsigned char *p, size_t n, char *v, char *x)
{
	unsigned char *c = malloc(n ? n : 1);
	memcpy(c, p, n);
	int r = md_dwarf_parse_buildinfo(c, n, v, 64, x, 32);
	free(c);
	return r;
}

#define MOD "0w\xaf\x0c\x92t\x08\x02\x41\xe1\xc1\x07\xe6\xd6\x18\xe6" \
	"path\texample.com/x\nbuild\t-compiler=gc\nbuild\tGOEXPERIMENT=noswissmap\n" \
	"build\tGOOS=linux\n\xf9" "2C1\x86\x18 r\x01\x61\x82\x42\x10\x41\x16\xd8\xf2"

static void good(void)
{
	unsigned char b[1024];
	char v[64], x[32];
	size_t n = blob(b, 2, "go1.24.4 X:noswissmap", MOD);
	T_EQ(parse(b, n, v, x), 1);
	T_STR(v, "go1.24.4 X:noswissmap");
	T_STR(x, "noswissmap");
	n = blob(b, 2, "go1.26.1", "path\tmain\n");
	T_EQ(parse(b, n, v, x), 1);
	T_STR(v, "go1.26.1");
	T_STR(x, "");
	/* the setting on the last line, without a newline */
	n = blob(b, 2, "go1.25.0", "build\tGOEXPERIMENT=a,noswissmap");
	T_EQ(parse(b, n, v, x), 1);
	T_STR(x, "a,noswissmap");
	/* a value longer than the buffer: truncated, terminated */
	n = blob(b, 2, "go1.25.0", "build\tGOEXPERIMENT=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	T_EQ(parse(b, n, v, x), 1);
	T_EQ(strlen(x), 31);
	/* control characters and high bytes in the version: '?' */
	n = blob(b, 2, "go1.2\n\x1b[31m\xff", NULL);
	T_EQ(parse(b, n, v, x), 1);
	T_STR(v, "go1.2??[31m?");
	/* pre-1.18 (pointers): Go, but no version here */
	n = blob(b, 0, NULL, NULL);
	T_EQ(parse(b, n, v, x), 1);
	T_STR(v, "");
}

static void hostile(void)
{
	unsigned char b[1024];
	char v[64], x[32];
	/* not the magic, too short, NULL */
	T_EQ(parse((const unsigned char *)"hello", 5, v, x), 0);
	size_t n = blob(b, 2, "go1.26.1", "build\tGOEXPERIMENT=x");
	T_EQ(parse(b, 31, v, x), 0);
	T_EQ(md_dwarf_parse_buildinfo(NULL, 100, v, 64, x, 32), 0);
	/* every truncation of a good blob: never past the end, always
	 * terminated */
	for (size_t k = 32; k < n; k++) {
		memset(v, 'Z', sizeof v);
		memset(x, 'Z', sizeof x);
		T_EQ(parse(b, k, v, x), 1);
		T(memchr(v, 0, sizeof v) != NULL && memchr(x, 0, sizeof x) != NULL, "k=%zu", k);
	}
	/* a bad pointer size */
	b[14] = 3;
	T_EQ(parse(b, n, v, x), 1);
	T_STR(v, "");
	/* a version length past the end; a varint of 11 bytes; a zero length */
	n = blob(b, 2, NULL, NULL);
	b[n] = 0xff, b[n + 1] = 0x7f;
	T_EQ(parse(b, n + 2, v, x), 1);
	T_STR(v, "");
	memset(b + n, 0xff, 11);
	T_EQ(parse(b, n + 11, v, x), 1);
	T_STR(v, "");
	b[n] = 0;
	T_EQ(parse(b, n + 1, v, x), 1);
	T_STR(v, "");
	/* a modinfo length of 2^63: the version, no experiment */
	n = blob(b, 2, "go1.24.1", NULL);
	memcpy(b + n, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10);
	T_EQ(parse(b, n + 10, v, x), 1);
	T_STR(v, "go1.24.1");
	T_STR(x, "");
	/* zero-sized outputs are left alone */
	n = blob(b, 2, "go1.24.1", "build\tGOEXPERIMENT=y");
	T_EQ(md_dwarf_parse_buildinfo(b, n, NULL, 0, NULL, 0), 1);
	/* random bytes after a good header: no crash, terminated */
	srand(16);
	for (int it = 0; it < 20000; it++) {
		size_t len = 32 + (size_t)(rand() % 64);
		for (size_t k = 32; k < len; k++)
			b[k] = (unsigned char)rand();
		blob(b, 0, NULL, NULL);
		b[15] = (unsigned char)(rand() & 3);
		memset(b + 16, 0xee, 16);
		parse(b, len, v, x);
		if (!T(strlen(v) < 64 && strlen(x) < 32))
			break;
	}
}

static void impl(void)
{
	T_EQ(md_gofacts_map_impl("go1.21.13", ""), MD_IMPL_HMAP);
	T_EQ(md_gofacts_map_impl("go1.23.5", "swissmap"), MD_IMPL_HMAP);
	T_EQ(md_gofacts_map_impl("go1.24.4", ""), MD_IMPL_SWISS);
	T_EQ(md_gofacts_map_impl("go1.24.4", "noswissmap"), MD_IMPL_HMAP);
	T_EQ(md_gofacts_map_impl("go1.24.4 X:noswissmap", ""), MD_IMPL_HMAP);
	T_EQ(md_gofacts_map_impl("go1.25rc1 X:noswissmap,jsonv2", ""), MD_IMPL_HMAP);
	T_EQ(md_gofacts_map_impl("go1.25.0", "noswissmap,swissmap"), MD_IMPL_SWISS);
	T_EQ(md_gofacts_map_impl("go1.25.0", "aliastypeparams,noswissmap"), MD_IMPL_HMAP);
	T_EQ(md_gofacts_map_impl("go1.25.0", "noswissmapx"), MD_IMPL_SWISS);
	T_EQ(md_gofacts_map_impl("go1.26.1", "noswissmap"), MD_IMPL_SWISS);
	T_EQ(md_gofacts_map_impl("go1.27", ""), MD_IMPL_SWISS);
	T_EQ(md_gofacts_map_impl("devel go1.27-abc", ""), 0);
	T_EQ(md_gofacts_map_impl("", ""), 0);
	T_EQ(md_gofacts_map_impl(NULL, NULL), 0);
	T_EQ(md_gofacts_map_impl("go1.x", NULL), 0);
}

/* What md_json_str wrote, as a string (static buffer). */
static const char *json_of(const char *s)
{
	static char buf[256];
	FILE *f = fmemopen(buf, sizeof buf, "w");
	md_json_str(f, s);
	fclose(f);
	return buf;
}

/* The names ps shows come from /proc: the shared escapes (test_utf8.c
 * checks them in full) on the kind of names ps meets. */
static void escapes(void)
{
	T_STR(md_ts("/srv/a b/été"), "/srv/a b/été");
	T_STR(md_ts("/x\n\x1b[2J\x7f"), "/x\\x0a\\x1b[2J\\x7f");
	T_STR(md_ts("/x\xff\xc3(\xe2\x82"), "/x\\xff\\xc3(\\xe2\\x82");
	T_STR(json_of("a\"\\\n\x01é\xff"), "\"a\\\"\\\\\\n\\u0001é\\ufffd\"");
	T_STR(json_of("\xe2\x82"), "\"\\ufffd\\ufffd\"");
}

int main(void)
{
	good();
	hostile();
	impl();
	escapes();
	return md_test_done("test_buildinfo");
}
