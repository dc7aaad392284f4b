/* slicehdr.h - where a Go slice header keeps its array pointer, length and
 * capacity, and which of its values a real slice can have.
 *
 * Read plans (plan.h) and the scan walk (src/scan/walk_priv.h) read slice headers of
 * the target into buffers of MD_SLICE_HDR_MAX bytes.  The three offsets
 * come from DWARF (the slice type's `array`, `len` and `cap` members), so a
 * malformed or hostile file can name any: md_slice_hdr_get is where they
 * are checked, and what it accepts fits those buffers.
 */
#ifndef MD_SLICEHDR_H
#define MD_SLICEHDR_H

#include <stddef.h>
#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"

/* The buffers a slice header is read into.  Go's header is {array at 0,
 * len at 8, cap at 16}: 24 bytes. */
#define MD_SLICE_HDR_MAX 32

/* No slice is larger than the user address space: 2^47 bytes. */
#define MD_SLICE_MAX_BYTES (1ull << 47)

typedef struct md_slice_hdr {
	uint32_t off_data, off_len, off_cap;   /* each + 8 <= MD_SLICE_HDR_MAX */
} md_slice_hdr;

/* The header of slice type `slice` (an MD_TK_SLICE id).
 *   MD_E_DWARF  no array, len or cap member, or one that ends past
 *               MD_SLICE_HDR_MAX */
md_status md_slice_hdr_get(md_dwarf *d, md_type_id slice, md_slice_hdr *out, md_err *err);

/* Bytes to read at a slice for its array and len words (what indexing
 * needs): at most MD_SLICE_HDR_MAX for a header md_slice_hdr_get gave. */
static inline size_t md_slice_hdr_len(const md_slice_hdr *h)
{
	return (size_t)(h->off_data > h->off_len ? h->off_data : h->off_len) + 8;
}

/* Bytes to read at a slice for all three words: at most MD_SLICE_HDR_MAX
 * for a header md_slice_hdr_get gave. */
static inline size_t md_slice_hdr_len_cap(const md_slice_hdr *h)
{
	size_t n = md_slice_hdr_len(h);
	return h->off_cap + 8 > n ? (size_t)h->off_cap + 8 : n;
}

/* Whether len and cap, read as a slice of elem_size-byte elements, can be
 * a real slice's: the runtime keeps 0 <= len <= cap, and a backing array
 * of cap elements must fit the address space.  A header that fails is a
 * torn read or memory that is not a slice header. */
static inline int md_slice_hdr_plausible(int64_t len, int64_t cap, uint64_t elem_size)
{
	if (len < 0 || cap < len)
		return 0;
	return (uint64_t)cap <= MD_SLICE_MAX_BYTES / (elem_size ? elem_size : 1);
}

#endif
