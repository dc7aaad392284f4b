/* gofacts.c - the runtime's sizing rules, transcribed from the Go source
 * (see gofacts.h); kept in one place so that they are checked in one place.
 *
 * Where each fact comes from, per release (paths under /usr/lib/go-1.NN/src;
 * tests/unit/test_gofacts.c reads each cited line):
 *
 * loadFactorNum, loadFactorDen (classic hmap; md_gofacts.hmap_load_num)
 *   1.19  runtime/map.go:71           loadFactorNum = 13  (6.5)
 *   1.21  runtime/map.go:73           (bucketCnt * 13 / 16) * loadFactorDen = 12 (6)
 *   1.22  runtime/map.go:73           loadFactorDen * bucketCnt * 13 / 16 = 13
 *   1.23  runtime/map.go:72           ... abi.MapBucketCount * 13 / 16 = 13
 *   1.24  runtime/map_noswiss.go:77   ... abi.OldMapBucketCount * 13 / 16 = 13
 *   1.25  runtime/map_noswiss.go:78   the same
 *   1.26, 1.27: no classic maps (map_noswiss.go is gone); 13 is never used.
 * bucketCnt = 8 (MD_HMAP_BUCKET_SLOTS)
 *   1.19  runtime/map.go:66 (bucketCntBits = 3)
 *   1.21, 1.22  internal/abi/map.go:10; 1.23 internal/abi/map.go:11
 *   1.24, 1.25  internal/abi/map_noswiss.go:15
 * hashWriting = 4 (and iterator 1, oldIterator 2, sameSizeGrow 8 above it)
 *   1.19 runtime/map.go:103; 1.21, 1.22 map.go:104; 1.23 map.go:96;
 *   1.24 map_noswiss.go:101; 1.25 map_noswiss.go:102
 * makeBucketArray preallocates 2^(B-4) overflow buckets from B = 4
 *   1.19 runtime/map.go:350; 1.21, 1.22 map.go:351; 1.23 map.go:364;
 *   1.24 map_noswiss.go:370; 1.25 map_noswiss.go:371
 * tooManyOverflowBuckets caps B at 15
 *   1.19 runtime/map.go:1097; 1.21 map.go:1114; 1.22 map.go:1109;
 *   1.23 map.go:1195; 1.24 map_noswiss.go:1174; 1.25 map_noswiss.go:1175
 * Swiss group slots 8, maxAvgGroupLoad 7, maxTableCapacity 1024
 *   1.24, 1.25 internal/abi/map_swiss.go:18; 1.26, 1.27 internal/abi/map.go:18
 *   1.24 .. 1.27 internal/runtime/maps/group.go:20;
 *   table.go:20 (1.26: table.go:19)
 * The write-path functions: gofacts_write.c (1.19 has the classic set of
 *   1.21 without runtime.mapclone2, which 1.21 added; incrnoverflow is
 *   inlined, as in 1.21).
 * g in R14 on amd64 (register ABI, ABIInternal): 1.19 .. 1.27
 *   cmd/compile/abi-internal.md:413 ("R14 | Current goroutine"), 1.17 on.
 * g's TLS slot at -8(FS) for internally linked ELF executables:
 *   1.19 cmd/link/internal/ld/sym.go:89 ("Translate 0(FS) and 8(FS) into
 *   -16(FS) and -8(FS)"), unchanged to 1.27.  src/target/goroutine.c uses
 *   both, and checks each candidate g against the DWARF layout of runtime.g.
 * g, m, stack bounds (g.stack.lo/hi), g.sched: from DWARF in every release.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gofacts.h"

/* go1.N's N, or 0 when v is not "go1.N..." (a devel build, or empty). */
static int minor_of(const char *v)
{
	if (!v || strncmp(v, "go1.", 4) != 0 || v[4] < '0' || v[4] > '9')
		return 0;
	long n = strtol(v + 4, NULL, 10);
	return n > 0 && n < 1000 ? (int)n : 0;
}

int md_gofacts_release_read(int minor)
{
	return minor == 19 || (minor >= 21 && minor <= MD_GOFACTS_NEWEST);
}

void md_gofacts_for(const char *v, md_gofacts *gf)
{
	memset(gf, 0, sizeof *gf);
	gf->release = minor_of(v);
	if (md_gofacts_release_read(gf->release))
		gf->minor = gf->release;
	else if (gf->release && gf->release < MD_GOFACTS_OLDEST)
		gf->minor = MD_GOFACTS_OLDEST;
	else if (gf->release == 20)
		gf->minor = 19;   /* refused by md_gofacts_check; never read */
	else
		gf->minor = MD_GOFACTS_NEWEST;
	gf->known = gf->minor == gf->release;
	gf->tested = gf->known;
	gf->hmap_load_num = gf->minor == 21 ? 12 : 13;
}

md_status md_gofacts_check(const char *v, md_err *err)
{
	int minor = minor_of(v);
	if (!minor || minor > MD_GOFACTS_NEWEST || md_gofacts_release_read(minor))
		return MD_OK;
	return md_err_set(err, MD_E_RELEASE,
	                  "%.40s: its runtime's facts were never read (mapdiag knows go1.%d, "
	                  "go1.21 .. go1.%d)", v, MD_GOFACTS_OLDEST, MD_GOFACTS_NEWEST);
}

int md_gofacts_warning(const char *v, char *buf, size_t n)
{
	md_gofacts gf;
	md_gofacts_for(v, &gf);
	if (gf.known)
		return 0;
	if (gf.release > MD_GOFACTS_NEWEST)
		snprintf(buf, n, "%.40s is newer than the releases mapdiag knows (go1.%d .. go1.%d): "
		         "read with go1.%d's runtime facts", v, MD_GOFACTS_OLDEST, MD_GOFACTS_NEWEST,
		         gf.minor);
	else if (gf.release)   /* md_gofacts_check refuses these first */
		snprintf(buf, n, "%.40s has no runtime facts of its own in mapdiag (it knows go1.%d, "
		         "go1.21 .. go1.%d): read with go1.%d's", v, MD_GOFACTS_OLDEST,
		         MD_GOFACTS_NEWEST, gf.minor);
	else
		snprintf(buf, n, "%.40s is not a Go release mapdiag knows (go1.%d .. go1.%d): "
		         "read with go1.%d's runtime facts", v && *v ? v : "(no version)",
		         MD_GOFACTS_OLDEST, MD_GOFACTS_NEWEST, gf.minor);
	return 1;
}

const char *md_hmap_flag_name(unsigned bit)
{
	switch (bit) {
	case MD_HMAP_F_ITERATOR: return "iterator";
	case MD_HMAP_F_OLDITERATOR: return "oldIterator";
	case MD_HMAP_F_WRITING: return "hashWriting";
	case MD_HMAP_F_SAMESIZE: return "sameSizeGrow";
	}
	return "unknown";
}

double md_hmap_max_load_factor(const md_gofacts *gf)
{
	return (double)gf->hmap_load_num / MD_HMAP_LOAD_DEN;
}

uint64_t md_hmap_array_buckets(unsigned B)
{
	if (B > MD_HMAP_MAX_B)
		return 0;
	uint64_t n = (uint64_t)1 << B;
	if (B >= 4)
		n += (uint64_t)1 << (B - 4);
	return n;
}

/* overLoadFactor(count, B) of the runtime. */
static int over_load(const md_gofacts *gf, uint64_t count, unsigned B)
{
	if (B >= MD_HMAP_MAX_B)
		return 0;
	/* count > bucketCnt && count > loadFactorNum*(2^B/loadFactorDen) */
	uint64_t half = ((uint64_t)1 << B) / MD_HMAP_LOAD_DEN;
	return count > MD_HMAP_BUCKET_SLOTS && count > gf->hmap_load_num * half;
}

unsigned md_hmap_fresh_B(const md_gofacts *gf, uint64_t count)
{
	unsigned B = 0;
	while (B < MD_MAX_SHIFT && over_load(gf, count, B))
		B++;
	return B;
}

uint64_t md_hmap_overflow_threshold(unsigned B)
{
	if (B > 15)
		B = 15;
	return (uint64_t)1 << B;
}

static uint64_t align_up_pow2(uint64_t n)
{
	uint64_t p = 1;
	while (p < n && p < ((uint64_t)1 << MD_MAX_SHIFT))
		p <<= 1;
	return p;
}

void md_swiss_fresh(uint64_t count, uint64_t *slots, uint64_t *tables)
{
	if (count <= MD_SWISS_GROUP_SLOTS) {
		*slots = MD_SWISS_GROUP_SLOTS;
		*tables = 0;
		return;
	}
	uint64_t target = count * MD_SWISS_GROUP_SLOTS / MD_SWISS_MAX_AVG_GROUP_LOAD;
	uint64_t dir = align_up_pow2((target + MD_SWISS_MAX_TABLE_CAPACITY - 1) /
	                             MD_SWISS_MAX_TABLE_CAPACITY);
	uint64_t per = target / dir;
	if (per < MD_SWISS_GROUP_SLOTS)
		per = MD_SWISS_GROUP_SLOTS;
	per = align_up_pow2(per);
	*slots = per * dir;
	*tables = dir;
}

/* 1 swissmap on, 0 off, -1 not named, in a comma-separated list read up to
 * its end or a space. */
static int swiss_in(const char *list)
{
	int on = -1;
	for (const char *p = list; p && *p && *p != ' ';) {
		size_t n = strcspn(p, ", ");
		if (n == 8 && !strncmp(p, "swissmap", 8))
			on = 1;
		else if (n == 10 && !strncmp(p, "noswissmap", 10))
			on = 0;
		p += n;
		if (*p == ',')
			p++;
	}
	return on;
}

int md_gofacts_map_impl(const char *v, const char *exp)
{
	int minor = minor_of(v);
	if (!minor)
		return 0;
	if (minor <= 23)
		return MD_IMPL_HMAP;
	if (minor >= 26)
		return MD_IMPL_SWISS;
	int on = exp && *exp ? swiss_in(exp) : -1;
	const char *x = strstr(v, " X:");
	if (on < 0 && x)
		on = swiss_in(x + 3);
	return on == 0 ? MD_IMPL_HMAP : MD_IMPL_SWISS;
}
