/* decode.c - classic hmap and Swiss map decoders (see decode.h). */
#include <string.h>
#include "decode.h"
#include "gofacts.h"

/* Read an unsigned little-endian field of 1..8 bytes; MD_E_LAYOUT when the
 * layout puts it outside the buffer (a layout bug or a hostile DWARF). */
static md_status field_u(const void *buf, size_t len, md_field f,
                         const char *name, uint64_t *v, md_err *err)
{
	if (f.off < 0 || f.size == 0 || f.size > 8 || (uint64_t)f.off > len ||
	    len - (uint64_t)f.off < f.size)
		return md_err_set(err, MD_E_LAYOUT,
		                  "field %s (offset %lld, size %u) is outside the %zu-byte header",
		                  name, (long long)f.off, f.size, len);
	const unsigned char *p = (const unsigned char *)buf + f.off;
	uint64_t x = 0;
	for (uint32_t i = 0; i < f.size; i++)
		x |= (uint64_t)p[i] << (8 * i);
	*v = x;
	return MD_OK;
}

#define GET(f, dst) do { \
	uint64_t v_; \
	md_status s_ = field_u(buf, len, l->f, #f, &v_, err); \
	if (s_ != MD_OK) return s_; \
	(dst) = v_; \
} while (0)

md_status md_hmap_decode(const md_map_layout *l, const void *buf, size_t len,
                         md_hmap_hdr *h, md_err *err)
{
	memset(h, 0, sizeof *h);
	GET(count, h->count);
	GET(flags, h->flags);
	GET(B, h->B);
	GET(noverflow, h->noverflow);
	GET(hash0, h->hash0);
	GET(buckets, h->buckets);
	GET(oldbuckets, h->oldbuckets);
	GET(nevacuate, h->nevacuate);
	GET(extra, h->extra);
	if (l->clearSeq.off >= 0) {
		h->has_clearSeq = 1;
		GET(clearSeq, h->clearSeq);
	}
	return MD_OK;
}

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
	d->max_load = d->max_load_factor / MD_HMAP_BUCKET_SLOTS;
	d->load = d->load_factor / d->max_load_factor;
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

md_status md_swiss_decode(const md_map_layout *l, const void *buf, size_t len,
                          md_swiss_hdr *s, md_err *err)
{
	uint64_t dl;
	memset(s, 0, sizeof *s);
	GET(used, s->used);
	GET(seed, s->seed);
	GET(dirPtr, s->dirPtr);
	GET(dirLen, dl);
	/* dirLen is a Go int: sign-extend from its DWARF size. */
	if (l->dirLen.size < 8 && (dl >> (8 * l->dirLen.size - 1)) & 1)
		dl |= ~(uint64_t)0 << (8 * l->dirLen.size);
	s->dirLen = (int64_t)dl;
	GET(globalDepth, s->globalDepth);
	GET(globalShift, s->globalShift);
	GET(writing, s->writing);
	if (l->tombstonePossible.off >= 0) {
		s->has_tombstonePossible = 1;
		GET(tombstonePossible, s->tombstonePossible);
	}
	if (l->clearSeq.off >= 0) {
		s->has_clearSeq = 1;
		GET(clearSeq, s->clearSeq);
	}
	return MD_OK;
}

md_status md_swiss_check_dir(const md_swiss_hdr *h, md_err *err)
{
	if (h->dirLen == 0)
		return MD_OK;
	if (h->dirLen < 0 || h->dirLen > MD_SWISS_MAX_DIRLEN)
		return md_err_set(err, MD_E_MEM, "implausible directory length %lld",
		                  (long long)h->dirLen);
	if (h->globalDepth > 62 || ((int64_t)1 << h->globalDepth) != h->dirLen)
		return md_err_set(err, MD_E_MEM,
		                  "directory length %lld does not match globalDepth %u",
		                  (long long)h->dirLen, h->globalDepth);
	if (h->dirPtr == 0)
		return md_err_set(err, MD_E_MEM, "directory of %lld entries at nil",
		                  (long long)h->dirLen);
	return MD_OK;
}

md_status md_swiss_table_decode(const md_map_layout *l, uint64_t addr,
                                const void *buf, size_t len,
                                md_swiss_table *t, md_err *err)
{
	uint64_t idx;
	memset(t, 0, sizeof *t);
	t->addr = addr;
	GET(t_used, t->used);
	GET(t_capacity, t->capacity);
	GET(t_growthLeft, t->growthLeft);
	GET(t_localDepth, t->localDepth);
	GET(t_index, idx);
	t->index = (int64_t)idx;
	GET(t_groups_data, t->groups);
	GET(t_groups_lengthMask, t->lengthMask);
	return MD_OK;
}

size_t md_swiss_dir_tables(const uint64_t *dir, size_t n, uint64_t *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (dir[i] == 0)
			continue;
		if (k > 0 && out[k - 1] == dir[i])
			continue;
		out[k++] = dir[i];
	}
	return k;
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
		d->load = (double)d->entries / ((double)d->slots * d->max_load);

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
