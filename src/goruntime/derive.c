/* derive.c - values that follow from a decoded header (see derive.h). */
#include <string.h>
#include "derive.h"

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;
	if (__builtin_mul_overflow(a, b, &r))
		return UINT64_MAX;
	return r;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

double md_derived_fill(const md_derived *d)
{
	return d->max_load > 0 ? d->load / d->max_load : 0;
}

void md_hmap_derive(const md_map_layout *l, const md_gofacts *gf,
                    const md_hmap_hdr *h, md_derived *d)
{
	memset(d, 0, sizeof *d);
	unsigned B = h->B > MD_HMAP_MAX_B ? MD_HMAP_MAX_B : h->B;
	uint64_t bs = l->bucket_size;

	d->entries = h->count;
	d->nbuckets = (uint64_t)1 << B;
	d->slots = mul_sat(d->nbuckets, MD_HMAP_BUCKET_SLOTS);
	d->load_factor = (double)h->count / (double)d->nbuckets;
	d->max_load_factor = md_hmap_max_load_factor(gf);
	/* overLoadFactor: count > bucketCnt && count > 6.5 * 2^B, so one
	 * bucket fills all 8 slots before the map grows */
	d->max_load = B == 0 ? 1.0 : d->max_load_factor / MD_HMAP_BUCKET_SLOTS;
	d->load = (double)h->count / (double)d->slots;
	d->overflow_threshold = md_hmap_overflow_threshold(B);
	d->growing = h->oldbuckets != 0;
	d->same_size_grow = (h->flags & MD_HMAP_F_SAMESIZE) != 0;
	d->evacuation = -1;

	/* An empty map made without a hint has no bucket array yet. */
	if (h->buckets)
		d->bytes_buckets = mul_sat(md_hmap_array_buckets(B), bs);
	uint64_t prealloc = md_hmap_array_buckets(B) - ((uint64_t)1 << B);
	if (d->growing) {
		/* noldbuckets(): 2^(B-1), or 2^B for a same-size grow. */
		unsigned oldB = d->same_size_grow || B == 0 ? B : B - 1;
		d->noldbuckets = (uint64_t)1 << oldB;
		d->evacuation = (double)h->nevacuate / (double)d->noldbuckets;
		if (d->evacuation > 1)
			d->evacuation = 1;
		d->bytes_oldbuckets = mul_sat(md_hmap_array_buckets(oldB), bs);
	}
	/* noverflow counts every overflow bucket in use, preallocated ones
	 * included; only those beyond the preallocation are extra memory. */
	if (h->noverflow > prealloc)
		d->bytes_overflow = mul_sat(h->noverflow - prealloc, bs);
	d->bytes_held = add_sat(add_sat(add_sat(l->header_size, d->bytes_buckets),
	                                d->bytes_oldbuckets), d->bytes_overflow);

	unsigned fb = md_hmap_fresh_B(gf, h->count);
	d->bytes_if_rebuilt = l->header_size;
	if (h->count > 0)
		d->bytes_if_rebuilt = add_sat(d->bytes_if_rebuilt,
		                              mul_sat(md_hmap_array_buckets(fb), bs));
}

void md_swiss_derive(const md_map_layout *l, const md_swiss_hdr *h,
                     const md_swiss_table *t, size_t nt, md_derived *d)
{
	memset(d, 0, sizeof *d);
	d->entries = h->used;
	d->max_load = (double)MD_SWISS_MAX_AVG_GROUP_LOAD / MD_SWISS_GROUP_SLOTS;
	d->evacuation = -1;
	d->bytes_held = l->header_size;
	if (h->dirLen == 0) {
		d->small = 1;
		/* a small map fills all 8 slots of its group before it turns into
		 * a table (no 7/8 limit) */
		d->max_load = 1.0;
		/* A small map allocates its one group on first insert. */
		if (h->dirPtr) {
			d->slots = MD_SWISS_GROUP_SLOTS;
			d->bytes_groups = l->group_size;
			d->growth_left = h->used < MD_SWISS_GROUP_SLOTS ?
			                 MD_SWISS_GROUP_SLOTS - h->used : 0;
		}
	} else {
		d->ntables = nt;
		d->bytes_directory = mul_sat((uint64_t)h->dirLen, 8);
		d->bytes_tables = mul_sat(nt, l->table_size);
		for (size_t i = 0; i < nt; i++) {
			d->slots = add_sat(d->slots, t[i].capacity);
			d->growth_left = add_sat(d->growth_left, t[i].growthLeft);
			d->bytes_groups = add_sat(d->bytes_groups,
				mul_sat(t[i].capacity / MD_SWISS_GROUP_SLOTS, l->group_size));
		}
	}
	d->bytes_held = add_sat(add_sat(add_sat(d->bytes_held, d->bytes_groups),
	                                d->bytes_tables), d->bytes_directory);
	if (d->slots)
		d->load = (double)d->entries / (double)d->slots;

	uint64_t fslots, ftables;
	md_swiss_fresh(h->used, &fslots, &ftables);
	d->bytes_if_rebuilt = l->header_size;
	if (h->used > 0) {
		d->bytes_if_rebuilt = add_sat(d->bytes_if_rebuilt,
			mul_sat(fslots / MD_SWISS_GROUP_SLOTS, l->group_size));
		d->bytes_if_rebuilt = add_sat(d->bytes_if_rebuilt,
			add_sat(mul_sat(ftables, l->table_size), mul_sat(ftables, 8)));
	}
}
