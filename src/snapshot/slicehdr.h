/* slicehdr.h - where a Go slice header keeps its array pointer and length.
 *
 * Read plans (plan.h) and the scan walk (src/scan/walk_priv.h) read slice headers of
 * the target into buffers of MD_SLICE_HDR_MAX bytes.  The two offsets come
 * from DWARF (the slice type's `array` and `len` members), so a malformed
 * or hostile file can name any: md_slice_hdr_get is where they are
 * checked, and what it accepts fits those buffers.
 */
#ifndef MD_SLICEHDR_H
#define MD_SLICEHDR_H

#include <stddef.h>
#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"

/* The buffers a slice header is read into.  Go's header is {array at 0,
 * len at 8, cap at 16}: 24 bytes, of which 16 are read. */
#define MD_SLICE_HDR_MAX 32

typedef struct md_slice_hdr {
	uint32_t off_data, off_len;   /* each + 8 <= MD_SLICE_HDR_MAX */
} md_slice_hdr;

/* The header of slice type `slice` (an MD_TK_SLICE id).
 *   MD_E_DWARF  no array or len member, or one that ends past
 *               MD_SLICE_HDR_MAX */
md_status md_slice_hdr_get(md_dwarf *d, md_type_id slice, md_slice_hdr *out, md_err *err);

/* Bytes to read at a slice for both words: at most MD_SLICE_HDR_MAX for a
 * header md_slice_hdr_get gave. */
static inline size_t md_slice_hdr_len(const md_slice_hdr *h)
{
	return (size_t)(h->off_data > h->off_len ? h->off_data : h->off_len) + 8;
}

#endif
