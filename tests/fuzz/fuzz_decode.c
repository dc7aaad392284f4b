/* fuzz_decode.c - the map decoders, the Swiss read path and the printers
 * on arbitrary header, directory and table bytes.
 *
 * Input: a control byte, then what it selects.
 *   bits 0-1  layout: 0 Go 1.23 hmap, 1 Go 1.24/1.25 noswiss hmap (with
 *             clearSeq), 2 Swiss (Go 1.24+), 3 drawn from the input (bit 2:
 *             Swiss), sizes within md_layout_check but offsets anywhere
 *   bit 3     0: pure decoders on the bytes (decode, check_dir, the
 *             directory collapse, table decode, derive, classify);
 *             1: the real read path, md_mapread_prepare + md_mapread_all +
 *             md_map_report_take, reading this process's own memory: an arena
 *             holding the input, where every 8-byte word whose top byte is
 *             0xa5 becomes a pointer into the arena (offset = low 24 bits),
 *             so the input can plant directories and tables
 *   bits 4-7  Go release (21 + n % 8; 8..15: "" / "devel")
 * then thresholds (one byte: 0 default, else drawn within the command
 * line's ranges), then the header bytes (and for the pure mode the
 * directory and table bytes).
 *
 * What must hold whatever the bytes: no crash, no UB, no allocation or
 * read beyond the bounds the read path promises (dirLen <= 2^20, a
 * directory read <= MD_MEM_MAX_READ), md_swiss_dir_tables never writes past
 * n, byte counts exact or saturated (never wrapped) for B <= 62, no NaN or
 * infinity, and the JSON report parses.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "decode.h"
#include "classify.h"
#include "gofacts.h"
#include "derive.h"
#include "validate.h"
#include "mem.h"
#include "mapread.h"
#include "report.h"
#include "print.h"

#define F(o, s) ((md_field){ (o), (s) })
#define NOF F(-1, 0)

static void layout_none(md_map_layout *l)
{
	memset(l, 0, sizeof *l);
	md_field n = NOF;
	l->count = l->flags = l->B = l->noverflow = l->hash0 = n;
	l->buckets = l->oldbuckets = l->nevacuate = l->extra = n;
	l->used = l->seed = l->dirPtr = l->dirLen = n;
	l->globalDepth = l->globalShift = l->writing = l->tombstonePossible = n;
	l->t_used = l->t_capacity = l->t_growthLeft = l->t_localDepth = n;
	l->t_index = l->t_groups_data = l->t_groups_lengthMask = l->clearSeq = n;
}

/* The amd64 layouts of tests/unit/test_decode.c (map[int64]int64). */
static void layout_hmap(md_map_layout *l, int with_clearseq)
{
	layout_none(l);
	l->impl = MD_IMPL_HMAP;
	snprintf(l->type_name, sizeof l->type_name, "map[int64]int64");
	snprintf(l->header_type, sizeof l->header_type, "hash<int64,int64>");
	l->count = F(0, 8); l->flags = F(8, 1); l->B = F(9, 1); l->noverflow = F(10, 2);
	l->hash0 = F(12, 4); l->buckets = F(16, 8); l->oldbuckets = F(24, 8);
	l->nevacuate = F(32, 8);
	if (with_clearseq) {
		l->clearSeq = F(40, 8); l->extra = F(48, 8); l->header_size = 56;
	} else {
		l->extra = F(40, 8); l->header_size = 48;
	}
	l->bucket_size = 144;
}

static void layout_swiss(md_map_layout *l)
{
	layout_none(l);
	l->impl = MD_IMPL_SWISS;
	snprintf(l->type_name, sizeof l->type_name, "map[int64]int64");
	snprintf(l->header_type, sizeof l->header_type, "map<int64,int64>");
	l->used = F(0, 8); l->seed = F(8, 8); l->dirPtr = F(16, 8); l->dirLen = F(24, 8);
	l->globalDepth = F(32, 1); l->globalShift = F(33, 1); l->writing = F(34, 1);
	l->tombstonePossible = F(35, 1); l->clearSeq = F(40, 8); l->header_size = 48;
	l->t_used = F(0, 2); l->t_capacity = F(2, 2); l->t_growthLeft = F(4, 2);
	l->t_localDepth = F(6, 1); l->t_index = F(8, 8); l->t_groups_data = F(16, 8);
	l->t_groups_lengthMask = F(24, 8); l->table_size = 32;
	l->group_size = 136;
}

/* A field drawn from the input: mostly inside a struct of `size` bytes,
 * sometimes not (the decoders must refuse it), sometimes absent. */
static md_field draw_field(fz_in *in, uint64_t size, int optional)
{
	uint8_t a = fz_u8(in), b = fz_u8(in);
	if (optional && (a & 0x80))
		return NOF;
	static const uint32_t sizes[] = { 1, 2, 4, 8, 8, 4, 0, 9 };
	uint32_t sz = sizes[b & 7];
	int64_t off = size ? (int64_t)(a % (size + 8)) : a;
	return F(off, sz);
}

static void layout_drawn(md_map_layout *l, fz_in *in, int swiss)
{
	layout_none(l);
	/* sizes as md_layout_check lets through: (0, MD_MAX_HEADER] */
	l->header_size = 1 + fz_u16(in) % MD_MAX_HEADER;
	if (!swiss) {
		l->impl = MD_IMPL_HMAP;
		l->count = draw_field(in, l->header_size, 0);
		l->flags = draw_field(in, l->header_size, 0);
		l->B = draw_field(in, l->header_size, 0);
		l->noverflow = draw_field(in, l->header_size, 1);
		l->hash0 = draw_field(in, l->header_size, 1);
		l->buckets = draw_field(in, l->header_size, 0);
		l->oldbuckets = draw_field(in, l->header_size, 0);
		l->nevacuate = draw_field(in, l->header_size, 0);
		l->extra = draw_field(in, l->header_size, 1);
		l->clearSeq = draw_field(in, l->header_size, 1);
		l->bucket_size = fz_u32(in);
	} else {
		l->impl = MD_IMPL_SWISS;
		l->used = draw_field(in, l->header_size, 0);
		l->seed = draw_field(in, l->header_size, 1);
		l->dirPtr = draw_field(in, l->header_size, 0);
		l->dirLen = draw_field(in, l->header_size, 0);
		l->globalDepth = draw_field(in, l->header_size, 1);
		l->globalShift = draw_field(in, l->header_size, 1);
		l->writing = draw_field(in, l->header_size, 1);
		l->tombstonePossible = draw_field(in, l->header_size, 1);
		l->clearSeq = draw_field(in, l->header_size, 1);
		l->table_size = 1 + fz_u16(in) % MD_MAX_HEADER;
		l->t_used = draw_field(in, l->table_size, 0);
		l->t_capacity = draw_field(in, l->table_size, 0);
		l->t_growthLeft = draw_field(in, l->table_size, 1);
		l->t_localDepth = draw_field(in, l->table_size, 1);
		l->t_index = draw_field(in, l->table_size, 1);
		l->t_groups_data = draw_field(in, l->table_size, 0);
		l->t_groups_lengthMask = draw_field(in, l->table_size, 0);
		l->group_size = fz_u32(in);
	}
	snprintf(l->type_name, sizeof l->type_name, "main.M");
	snprintf(l->header_type, sizeof l->header_type, swiss ? "map<K,V>" : "hash<K,V>");
}

static void thresholds(md_thresholds *th, fz_in *in)
{
	md_thresholds_default(th);
	if (!fz_u8(in))
		return;
	/* the ranges cmd/main.c accepts */
	th->oversized_load = fz_u16(in) / 65535.0;
	th->oversized_bytes = fz_u64(in);
	th->overflow_ratio = fz_u32(in) / 4294967295.0 * 1e6;
	th->high_load = fz_u16(in) / 65535.0 * 10;
}

/* ---- a small JSON checker: the whole text is one value ---------------- */

typedef struct js { const char *p, *end; int depth; } js;

static void js_ws(js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' || *j->p == '\t' || *j->p == '\r'))
		j->p++;
}

static int js_value(js *j);

static int js_lit(js *j, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, s, n))
		return 0;
	j->p += n;
	return 1;
}

static int js_string(js *j)
{
	if (j->p >= j->end || *j->p != '"')
		return 0;
	for (j->p++; j->p < j->end; j->p++) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++j->p >= j->end)
				return 0;
			if (*j->p == 'u') {
				for (int k = 0; k < 4; k++)
					if (++j->p >= j->end || !strchr("0123456789abcdefABCDEF", *j->p))
						return 0;
			} else if (!strchr("\"\\/bfnrt", *j->p)) {
				return 0;
			}
		}
	}
	return 0;
}

static int js_number(js *j)
{
	const char *s = j->p;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return 0;
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int js_seq(js *j, char close, int object)
{
	j->p++;
	js_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 1;
	}
	for (;;) {
		js_ws(j);
		if (object) {
			if (!js_string(j))
				return 0;
			js_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return 0;
		}
		if (!js_value(j))
			return 0;
		js_ws(j);
		if (j->p >= j->end)
			return 0;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == close) {
			j->p++;
			return 1;
		}
		return 0;
	}
}

static int js_value(js *j)
{
	js_ws(j);
	if (j->p >= j->end || ++j->depth > 64)
		return 0;
	int ok;
	switch (*j->p) {
	case '{': ok = js_seq(j, '}', 1); break;
	case '[': ok = js_seq(j, ']', 0); break;
	case '"': ok = js_string(j); break;
	case 't': ok = js_lit(j, "true"); break;
	case 'f': ok = js_lit(j, "false"); break;
	case 'n': ok = js_lit(j, "null"); break;
	default: ok = js_number(j); break;
	}
	j->depth--;
	return ok;
}

static int json_ok(const char *s, size_t n)
{
	js j = { s, s + n, 0 };
	if (!js_value(&j))
		return 0;
	js_ws(&j);
	return j.p == j.end;
}

/* ---- properties ------------------------------------------------------ */

/* A "nan" or "inf" word (printf's rendering of a non-finite double), not
 * part of a longer word such as "info". */
static const char *nonfinite(const char *s)
{
	static const char *w[] = { "nan", "inf" };
	for (int k = 0; k < 2; k++)
		for (const char *p = s; (p = strstr(p, w[k])) != NULL; p++) {
			int before = p > s && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z'));
			int after = (p[3] >= 'a' && p[3] <= 'z') || (p[3] >= 'A' && p[3] <= 'Z');
			if (!before && !after)
				return p;
		}
	return NULL;
}

static void check_finite(double x, const char *what)
{
	FUZZ_CHECK(isfinite(x), "%s is %f", what, x);
}

static uint64_t sat(unsigned __int128 x)
{
	return x > UINT64_MAX ? UINT64_MAX : (uint64_t)x;
}

static void check_hmap(const md_map_layout *l, const md_hmap_hdr *h, const md_derived *d)
{
	unsigned B = h->B > 63 ? 63 : h->B;
	FUZZ_CHECK(d->nbuckets == (uint64_t)1 << B, "nbuckets %llu for B %u",
	           (unsigned long long)d->nbuckets, h->B);
	check_finite(d->load, "load");
	check_finite(d->load_factor, "load_factor");
	check_finite(d->max_load, "max_load");
	check_finite(d->evacuation, "evacuation");
	FUZZ_CHECK(d->load >= 0 && d->load_factor >= 0, "negative load");
	FUZZ_CHECK(d->evacuation == -1 || (d->evacuation >= 0 && d->evacuation <= 1),
	           "evacuation %f", d->evacuation);
	FUZZ_CHECK(!d->growing || d->noldbuckets == (uint64_t)1 << B ||
	           d->noldbuckets == (uint64_t)1 << (B - 1), "noldbuckets");
	if (B > 62)
		return;
	/* exact (or saturated), never wrapped */
	unsigned __int128 bs = l->bucket_size;
	unsigned __int128 arr = ((unsigned __int128)1 << B) + (B >= 4 ? (unsigned __int128)1 << (B - 4) : 0);
	unsigned __int128 want_b = h->buckets ? arr * bs : 0;
	FUZZ_CHECK(d->bytes_buckets == sat(want_b), "bytes_buckets %llu",
	           (unsigned long long)d->bytes_buckets);
	unsigned __int128 held = (unsigned __int128)l->header_size + d->bytes_buckets +
	                         d->bytes_oldbuckets + d->bytes_overflow;
	FUZZ_CHECK(d->bytes_held == sat(held), "bytes_held %llu",
	           (unsigned long long)d->bytes_held);
	FUZZ_CHECK(d->bytes_held >= d->bytes_buckets && d->bytes_held >= d->bytes_oldbuckets &&
	           d->bytes_held >= d->bytes_overflow && d->bytes_held >= l->header_size,
	           "bytes_held below a part");
	FUZZ_CHECK(d->bytes_if_rebuilt >= l->header_size, "bytes_if_rebuilt");
}

static void check_swiss(const md_map_layout *l, const md_swiss_hdr *h,
                        const md_swiss_table *t, size_t nt, const md_derived *d)
{
	check_finite(d->load, "load");
	check_finite(d->max_load, "max_load");
	FUZZ_CHECK(d->load >= 0, "negative load");
	unsigned __int128 slots = 0, groups = 0;
	for (size_t i = 0; i < nt; i++) {
		slots += t[i].capacity;
		groups += (unsigned __int128)(t[i].capacity / MD_SWISS_GROUP_SLOTS) * l->group_size;
	}
	if (h->dirLen != 0) {
		FUZZ_CHECK(d->slots == sat(slots), "slots");
		FUZZ_CHECK(d->ntables == nt, "ntables");
		if (h->dirLen > 0)
			FUZZ_CHECK(d->bytes_directory == sat((unsigned __int128)h->dirLen * 8), "dir bytes");
		if (groups <= UINT64_MAX)
			FUZZ_CHECK(d->bytes_groups == (uint64_t)groups, "bytes_groups");
	}
	FUZZ_CHECK(d->bytes_held >= l->header_size && d->bytes_held >= d->bytes_groups &&
	           d->bytes_held >= d->bytes_tables && d->bytes_held >= d->bytes_directory,
	           "bytes_held below a part");
}

static void check_verdict(const md_verdict *v)
{
	FUZZ_CHECK(v->nfindings >= 0 && v->nfindings <= MD_MAX_FINDINGS, "nfindings");
	FUZZ_CHECK(v->sev >= MD_SEV_INFO && v->sev <= MD_SEV_CRITICAL, "sev");
	for (int i = 0; i < v->nfindings; i++) {
		const md_finding *f = &v->findings[i];
		FUZZ_CHECK(f->code && f->message && strlen(f->message) < 4096, "finding");
		FUZZ_CHECK(!nonfinite(f->message), "finding message: %s", f->message);
	}
}

/* Print the report both ways; the JSON must parse and hold no NaN/inf. */
static void print_report(md_map_report *mr)
{
	md_report r;
	memset(&r, 0, sizeof r);
	r.pid = 1;
	snprintf(r.exe, sizeof r.exe, "/fuzz");
	snprintf(r.go_version, sizeof r.go_version, "go1.26.0");
	r.stopped = 1;
	r.nmaps = 1;
	r.maps = mr;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	if (!f)
		abort();
	md_print_end end = { md_report_exit_code(&r), md_report_cause(&r) };
	md_print_attach_json(f, &r, &end);
	fclose(f);
	FUZZ_CHECK(json_ok(buf, n), "JSON does not parse: %.*s", (int)(n < 4000 ? n : 4000), buf);
	FUZZ_CHECK(!nonfinite(buf), "NaN/inf in JSON: %s", buf);
	FZ_SAY("%s\n", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &n);
	if (!f)
		abort();
	md_print_opts po = { 0 };
	md_print_attach_text(f, &r, &po);
	fclose(f);
	FUZZ_CHECK(!nonfinite(buf), "NaN/inf in text: %s", buf);
	free(buf);
}

/* ---- pure decoders ---------------------------------------------------- */

static void pure(const md_map_layout *l, const md_gofacts *gf, const md_thresholds *th,
                 fz_in *in)
{
	md_err e;
	md_map_report mr;
	memset(&mr, 0, sizeof mr);
	mr.expr = "main.m";
	mr.layout = l;
	mr.view.addr = 0xc000010000;
	/* the header: as many bytes as the input has, up to header_size */
	size_t len = in->n < l->header_size ? in->n : (size_t)l->header_size;
	unsigned char *hdr = malloc(len ? len : 1);
	memcpy(hdr, in->p, len);
	in->p += len;
	in->n -= len;

	if (l->impl == MD_IMPL_HMAP) {
		md_status st = md_hmap_decode(l, hdr, len, &mr.view.h, &e);
		free(hdr);
		if (st != MD_OK)
			return;
		md_hmap_derive(l, gf, &mr.view.h, &mr.view.d);
		check_hmap(l, &mr.view.h, &mr.view.d);
		md_classify_hmap(&mr.view.h, &mr.view.d, NULL, th, &mr.view.v);
		check_verdict(&mr.view.v);
		print_report(&mr);
		md_verdict_free(&mr.view.v);
		return;
	}
	md_status st = md_swiss_decode(l, hdr, len, &mr.view.s, &e);
	free(hdr);
	if (st != MD_OK)
		return;
	const md_swiss_hdr *h = &mr.view.s;
	st = md_swiss_check_dir(h, &e);
	if (st != MD_OK)
		return;
	/* what the read path relies on before it allocates and reads */
	FUZZ_CHECK(h->dirLen >= 0 && h->dirLen <= MD_SWISS_MAX_DIRLEN, "dirLen %lld",
	           (long long)h->dirLen);
	FUZZ_CHECK((uint64_t)h->dirLen * 8 <= MD_MEM_MAX_READ, "directory read");
	FUZZ_CHECK(h->dirLen == 0 || (h->dirPtr && h->dirLen == (int64_t)1 << h->globalDepth),
	           "dirLen %lld globalDepth %u", (long long)h->dirLen, h->globalDepth);

	size_t n = (size_t)h->dirLen;
	uint64_t *dir = NULL, *out = NULL;
	size_t nt = 0;
	if (n) {
		/* entries: a byte each, 0 nil, else one of 255 table addresses, so
		 * that runs of equal entries (localDepth < globalDepth) occur */
		dir = malloc(n * sizeof *dir);
		out = malloc(n * sizeof *out);   /* exactly n: ASan sees any overrun */
		for (size_t i = 0; i < n; i++) {
			uint8_t b = fz_u8(in);
			dir[i] = b ? 0xc000100000ull + 0x40ull * b : 0;
		}
		nt = md_swiss_dir_tables(dir, n, out);
		FUZZ_CHECK(nt <= n, "%zu tables from %zu entries", nt, n);
		for (size_t i = 0; i < nt; i++) {
			FUZZ_CHECK(out[i] != 0, "nil table kept");
			FUZZ_CHECK(i == 0 || out[i] != out[i - 1], "equal neighbours kept");
		}
	}
	md_swiss_table *t = nt ? calloc(nt, sizeof *t) : NULL;
	size_t ok = 0;
	unsigned char *tb = malloc(l->table_size ? l->table_size : 1);
	for (size_t i = 0; i < nt; i++) {
		size_t tl = in->n < l->table_size ? in->n : (size_t)l->table_size;
		memcpy(tb, in->p, tl);
		in->p += tl;
		in->n -= tl;
		if (md_swiss_table_decode(l, out[i], tb, tl, &t[ok], &e) == MD_OK)
			ok++;
	}
	free(tb);
	mr.view.tables = t;
	mr.view.ntables = ok;
	md_swiss_derive(l, h, t, ok, &mr.view.d);
	check_swiss(l, h, t, ok, &mr.view.d);
	md_classify_swiss(h, &mr.view.d, NULL, th, &mr.view.v);
	check_verdict(&mr.view.v);
	print_report(&mr);
	md_verdict_free(&mr.view.v);
	free(t);
	free(dir);
	free(out);
}

/* ---- the read path on our own memory ---------------------------------- */

/* Big enough for the largest directory the read path accepts (8 MiB). */
#define ARENA_SIZE (((size_t)9) << 20)
static unsigned char *arena;
static size_t arena_dirty;

static void arena_fill(const uint8_t *p, size_t n)
{
	if (n > ARENA_SIZE)
		n = ARENA_SIZE;
	memset(arena, 0, arena_dirty);
	memcpy(arena, p, n);
	arena_dirty = n;
	for (size_t o = 0; o + 8 <= n; o += 8) {
		uint64_t w;
		memcpy(&w, arena + o, 8);
		if ((w >> 56) == 0xa5) {
			w = (uint64_t)(uintptr_t)arena + (w & 0xffffff) % ARENA_SIZE;
			memcpy(arena + o, &w, 8);
		}
	}
}

static void readpath(const md_map_layout *l, const md_gofacts *gf, const md_thresholds *th,
                     fz_in *in)
{
	md_err e;
	md_mem m;
	md_mapread_ctx c;
	memset(&c, 0, sizeof c);
	if (md_mem_open_live(&m, getpid(), 0, &e) != MD_OK)
		abort();
	arena_fill(in->p, in->n);
	md_mapread *v = calloc(1, sizeof *v);
	v->layout = l;
	v->name = "main.m";
	v->header = (uint64_t)(uintptr_t)arena;
	v->hdr = calloc(1, l->header_size);
	md_status st = md_mapread_prepare(&m, v, 1, &c, 1, &e);
	if (st == MD_OK) {
		st = md_mapread_all(&m, v, 1, &c, MD_READ_RECORD, &e);
		FUZZ_CHECK(st == MD_OK || st == MD_E_NOMEM, "read_all: %d %s", st, e.detail);
	}
	FUZZ_CHECK(v->ndir <= (size_t)MD_SWISS_MAX_DIRLEN && v->ndir * 8 <= MD_MEM_MAX_READ,
	           "directory of %zu entries", v->ndir);
	FUZZ_CHECK(v->nt <= v->ndir, "%zu tables of %zu entries", v->nt, v->ndir);
	if (st == MD_OK) {
		md_map_report mr;
		memset(&mr, 0, sizeof mr);
		mr.expr = "main.m";
		mr.layout = l;
		md_map_bytes b;
		md_mapread_bytes(v, &b);
		md_map_report_take(&mr, v->rstatus, &v->rerr, &b, gf);
		md_map_report_classify(&mr, th);
		FUZZ_CHECK(FZ_TERMINATED(mr.err.detail), "detail");
		if (mr.status == MD_OK && !mr.view.is_nil) {
			if (l->impl == MD_IMPL_HMAP) {
				check_hmap(l, &mr.view.h, &mr.view.d);
			} else {
				FUZZ_CHECK(mr.view.ntables <= v->nt, "ntables");
				check_swiss(l, &mr.view.s, mr.view.tables, mr.view.ntables, &mr.view.d);
			}
			check_verdict(&mr.view.v);
		}
		print_report(&mr);
		md_map_view_free(&mr.view);
	}
	md_mapread_free(v, 1);
	md_mapread_ctx_free(&c);
	md_mem_close(&m);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_verbose();
	arena = fz_arena(ARENA_SIZE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	uint8_t ctl = fz_u8(&in);
	md_map_layout l;
	switch (ctl & 3) {
	case 0: layout_hmap(&l, 0); break;
	case 1: layout_hmap(&l, 1); break;
	case 2: layout_swiss(&l); break;
	default: layout_drawn(&l, &in, (ctl >> 2) & 1); break;
	}
	md_err e;
	if (md_layout_check(&l, &e) != MD_OK)
		return 0;
	md_gofacts gf;
	unsigned rel = ctl >> 4;
	char ver[32];
	if (rel < 8)
		snprintf(ver, sizeof ver, "go1.%u.3", 21 + rel);
	else
		snprintf(ver, sizeof ver, "%s", rel & 1 ? "devel go1.28-abcdef" : "");
	md_gofacts_for(ver, &gf);
	md_thresholds th;
	thresholds(&th, &in);
	FZ_SAY("layout %d impl %d header %llu, %s, %s\n", ctl & 3, l.impl,
	       (unsigned long long)l.header_size, ver, ctl & 8 ? "read path" : "pure");
	if (ctl & 8)
		readpath(&l, &gf, &th, &in);
	else
		pure(&l, &gf, &th, &in);
	return 0;
}
