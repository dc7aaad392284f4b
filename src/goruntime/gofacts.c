/* gofacts.c - the runtime's sizing rules, transcribed from the Go source
 * (see gofacts.h); kept in one place so that they are checked in one place. */
#include <stdlib.h>
#include <string.h>
#include "gofacts.h"

void md_gofacts_for(const char *v, md_gofacts *gf)
{
	memset(gf, 0, sizeof *gf);
	if (v && strncmp(v, "go1.", 4) == 0)
		gf->minor = atoi(v + 4);
	gf->hmap_load_num = gf->minor && gf->minor <= 21 ? 12 : 13;
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
	if (!v || strncmp(v, "go1.", 4) != 0 || v[4] < '0' || v[4] > '9')
		return 0;
	int minor = atoi(v + 4);
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
