/* validate.c - plausibility of decoded maps (see validate.h). */
#include "validate.h"
#include "gofacts.h"

md_status md_layout_check(const md_map_layout *l, md_err *err)
{
	if (l->header_size == 0 || l->header_size > MD_MAX_HEADER)
		return md_err_set(err, MD_E_LAYOUT, "header size %llu",
		                  (unsigned long long)l->header_size);
	if (l->impl == MD_IMPL_SWISS && (l->table_size == 0 || l->table_size > MD_MAX_HEADER))
		return md_err_set(err, MD_E_LAYOUT, "table size %llu",
		                  (unsigned long long)l->table_size);
	return MD_OK;
}

md_status md_swiss_check_dir(const md_swiss_hdr *h, md_err *err)
{
	if (h->dirLen == 0)
		return MD_OK;
	if (h->dirLen < 0 || h->dirLen > MD_SWISS_MAX_DIRLEN)
		return md_err_set(err, MD_E_MEM, "implausible directory length %lld",
		                  (long long)h->dirLen);
	if (h->globalDepth > MD_MAX_SHIFT || ((int64_t)1 << h->globalDepth) != h->dirLen)
		return md_err_set(err, MD_E_MEM,
		                  "directory length %lld does not match globalDepth %u",
		                  (long long)h->dirLen, h->globalDepth);
	if (h->dirPtr == 0)
		return md_err_set(err, MD_E_MEM, "directory of %lld entries at nil",
		                  (long long)h->dirLen);
	return MD_OK;
}

md_status md_swiss_check_dir_bytes(const md_swiss_hdr *h, const md_map_layout *l,
                                   const char *name, md_err *err)
{
	if ((uint64_t)h->dirLen * l->table_size > MD_SWISS_MAX_DIR_BYTES)
		return md_err_set(err, MD_E_MEM, "implausible directory of %s: %lld tables of %llu bytes",
		                  name, (long long)h->dirLen, (unsigned long long)l->table_size);
	return MD_OK;
}

md_status md_hmap_validate(const md_hmap_hdr *h, uint64_t addr, md_err *err)
{
	if (h->B > MD_MAX_SHIFT || h->count > ((uint64_t)1 << MD_MAX_SHIFT))
		return md_err_set(err, MD_E_MEM, "implausible header at 0x%llx (B=%u, count=%llu)",
		                  (unsigned long long)addr, h->B, (unsigned long long)h->count);
	if (h->oldbuckets) {
		unsigned ob = (h->flags & MD_HMAP_F_SAMESIZE) || !h->B ? h->B : h->B - 1;
		if (h->nevacuate > ((uint64_t)1 << ob))
			return md_err_set(err, MD_E_MEM,
			        "implausible header at 0x%llx (nevacuate %llu of %llu old buckets)",
			        (unsigned long long)addr, (unsigned long long)h->nevacuate,
			        (unsigned long long)1 << ob);
	}
	return MD_OK;
}

static int table_ok(const md_swiss_hdr *h, const md_swiss_table *tb)
{
	return tb->capacity >= MD_SWISS_GROUP_SLOTS &&
	       tb->capacity <= MD_SWISS_MAX_TABLE_CAPACITY &&
	       !(tb->capacity & (tb->capacity - 1)) && tb->used <= tb->capacity &&
	       tb->growthLeft <= tb->capacity && tb->localDepth <= h->globalDepth &&
	       tb->index < h->dirLen;
}

md_status md_swiss_validate(const md_swiss_hdr *h, uint64_t addr, const md_swiss_table *t,
                            size_t nt, md_err *err)
{
	uint64_t cap = 0;
	for (size_t i = 0; i < nt; i++) {
		const md_swiss_table *tb = &t[i];
		if (!table_ok(h, tb))
			return md_err_set(err, MD_E_MEM,
			        "implausible table at 0x%llx (used %u, capacity %u, localDepth %u, index %lld)",
			        (unsigned long long)tb->addr, tb->used, tb->capacity, tb->localDepth,
			        (long long)tb->index);
		cap += tb->capacity;
	}
	uint64_t slots = h->dirLen ? cap : MD_SWISS_GROUP_SLOTS;
	if (h->used > slots)
		return md_err_set(err, MD_E_MEM, "implausible header at 0x%llx (used %llu, %llu slots)",
		                  (unsigned long long)addr, (unsigned long long)h->used,
		                  (unsigned long long)slots);
	return MD_OK;
}
