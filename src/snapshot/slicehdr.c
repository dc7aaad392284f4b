/* slicehdr.c - a slice type's header layout from DWARF (see slicehdr.h). */
#include "slicehdr.h"

md_status md_slice_hdr_get(md_dwarf *d, md_type_id slice, md_slice_hdr *out, md_err *err)
{
	uint64_t od, ol, oc;
	md_type_id x;
	md_type t;
	md_err e;
	const char *name = md_dwarf_type(d, slice, &t, &e) == MD_OK && t.name[0] ?
	                   t.name : "an unnamed type";
	/* every Go release's DWARF names all three (go1.19 .. go1.27 checked);
	 * without cap no header could be judged (md_slice_hdr_plausible) */
	if (md_dwarf_member(d, slice, "array", &od, &x, err) != MD_OK ||
	    md_dwarf_member(d, slice, "len", &ol, &x, err) != MD_OK ||
	    md_dwarf_member(d, slice, "cap", &oc, &x, err) != MD_OK)
		return md_err_set(err, MD_E_DWARF, "slice type %s lacks array/len/cap", name);
	if (od > MD_SLICE_HDR_MAX - 8 || ol > MD_SLICE_HDR_MAX - 8 || oc > MD_SLICE_HDR_MAX - 8)
		return md_err_set(err, MD_E_DWARF,
		                  "slice type %s: array at %llu, len at %llu, cap at %llu: not "
		                  "within a %d-byte slice header", name, (unsigned long long)od,
		                  (unsigned long long)ol, (unsigned long long)oc, MD_SLICE_HDR_MAX);
	out->off_data = (uint32_t)od;
	out->off_len = (uint32_t)ol;
	out->off_cap = (uint32_t)oc;
	return MD_OK;
}
