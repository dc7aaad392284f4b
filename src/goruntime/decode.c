/* decode.c - classic hmap and Swiss map decoders (see decode.h). */
#include <string.h>
#include "decode.h"

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

