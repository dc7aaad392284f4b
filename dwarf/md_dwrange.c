/* md_dwrange.c - the address ranges of a DIE: a compile unit's (for the
 * index of code, md_dwsym.c) or a lexical block's (for the locals in
 * scope at a pc, md_dwlocal.c).
 *
 * DW_AT_ranges in .debug_ranges (DWARF 4, Go <= 1.24) or .debug_rnglists
 * (DWARF 5, Go 1.25+), else DW_AT_low_pc/high_pc.  Go 1.21-1.24 write
 * both kinds for lexical blocks: low/high for one stretch of code,
 * .debug_ranges (with a base address entry) for several.
 */
#include "md_dwarf_priv.h"

md_status md_dw_pc_range(md_dwarf *d, Dwarf_Die die, uint64_t *lo, uint64_t *hi,
                         md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Addr low = 0, high = 0;
	Dwarf_Half form = 0;
	enum Dwarf_Form_Class cls = DW_FORM_CLASS_UNKNOWN;
	int rc = dwarf_lowpc(die, &low, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading DW_AT_low_pc");
	if (rc == DW_DLV_NO_ENTRY)
		return MD_NOTFOUND;
	rc = dwarf_highpc_b(die, &high, &form, &cls, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading DW_AT_high_pc");
	if (rc == DW_DLV_NO_ENTRY)
		return MD_NOTFOUND;
	if (cls == DW_FORM_CLASS_CONSTANT)
		high += low;
	*lo = low;
	*hi = high;
	return MD_OK;
}

/* Hand [lo, hi) to fn unless it is empty (or wrapped, in a corrupt
 * file). */
static md_status emit(md_dwarf *d, md_dw_range_fn fn, void *arg, uint64_t lo,
                      uint64_t hi, md_err *err)
{
	return hi > lo ? fn(d, arg, lo, hi, err) : MD_OK;
}

/* The base address of the offsets in a .debug_ranges list: the
 * DW_AT_low_pc of die's compile unit, 0 when it has none. */
static md_status cu_base(md_dwarf *d, Dwarf_Die die, uint64_t *base, md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Off cu_off = 0, off = 0;
	*base = 0;
	if (dwarf_CU_dieoffset_given_die(die, &cu_off, &e) != DW_DLV_OK ||
	    dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a DIE's compile unit");
	Dwarf_Die cu = die;
	if (cu_off != off) {
		md_status st = md_dw_die(d, cu_off, &cu, err);
		if (st != MD_OK)
			return st;
	}
	Dwarf_Addr low = 0;
	int rc = dwarf_lowpc(cu, &low, &e);
	if (cu != die)
		md_dw_free_die(d, cu);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading DW_AT_low_pc");
	if (rc == DW_DLV_OK)
		*base = low;
	return MD_OK;
}

/* DWARF 2-4: a .debug_ranges list.  libdwarf returns the raw entries:
 * offsets from the CU's base address until a base address selection
 * entry changes it. */
static md_status debug_ranges(md_dwarf *d, Dwarf_Die die, Dwarf_Attribute a,
                              Dwarf_Half form, md_dw_range_fn fn, void *arg,
                              md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;
	uint64_t base = 0;
	int rc;
	if (form == DW_FORM_data4 || form == DW_FORM_data8) {
		Dwarf_Unsigned v = 0; /* DWARF 2/3 spell the offset as data */
		rc = dwarf_formudata(a, &v, &e);
		off = v;
	} else {
		rc = dwarf_global_formref(a, &off, &e);
	}
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_ranges");
	md_status st = cu_base(d, die, &base, err);
	if (st != MD_OK)
		return st;
	Dwarf_Ranges *r = NULL;
	Dwarf_Signed n = 0;
	Dwarf_Unsigned bytes = 0;
	Dwarf_Off real = 0;
	rc = dwarf_get_ranges_b(d->dbg, off, die, &real, &r, &n, &bytes, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading .debug_ranges");
	if (rc == DW_DLV_NO_ENTRY)
		return MD_OK;
	for (Dwarf_Signed i = 0; i < n && st == MD_OK; i++) {
		if (r[i].dwr_type == DW_RANGES_END)
			break;
		if (r[i].dwr_type == DW_RANGES_ADDRESS_SELECTION)
			base = r[i].dwr_addr2;
		else
			st = emit(d, fn, arg, base + r[i].dwr_addr1, base + r[i].dwr_addr2,
			          err);
	}
	dwarf_ranges_dealloc(d->dbg, r, n);
	return st;
}

/* DWARF 5: a .debug_rnglists list; libdwarf applies base addresses and
 * .debug_addr indexes ("cooked" values). */
static md_status rnglists(md_dwarf *d, Dwarf_Attribute a, Dwarf_Half form,
                          md_dw_range_fn fn, void *arg, md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Unsigned val = 0;
	int rc;
	if (form == DW_FORM_rnglistx) {
		rc = dwarf_formudata(a, &val, &e);
	} else {
		Dwarf_Off off = 0;
		rc = dwarf_global_formref(a, &off, &e);
		val = off;
	}
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_ranges");
	Dwarf_Rnglists_Head h = NULL;
	Dwarf_Unsigned count = 0, goff = 0;
	rc = dwarf_rnglists_get_rle_head(a, form, val, &h, &count, &goff, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading .debug_rnglists");
	if (rc == DW_DLV_NO_ENTRY)
		return MD_OK;
	md_status st = MD_OK;
	for (Dwarf_Unsigned i = 0; i < count && st == MD_OK; i++) {
		unsigned len = 0, kind = 0;
		Dwarf_Unsigned raw1 = 0, raw2 = 0, lo = 0, hi = 0;
		Dwarf_Bool unavailable = 0;
		rc = dwarf_get_rnglists_entry_fields_a(h, i, &len, &kind, &raw1, &raw2,
		                                       &unavailable, &lo, &hi, &e);
		if (rc == DW_DLV_ERROR) {
			st = md_dw_fail(d, e, err, "reading .debug_rnglists");
			break;
		}
		if (rc != DW_DLV_OK || unavailable)
			continue;
		switch (kind) {
		case DW_RLE_startx_endx:
		case DW_RLE_startx_length:
		case DW_RLE_offset_pair:
		case DW_RLE_start_end:
		case DW_RLE_start_length:
			st = emit(d, fn, arg, lo, hi, err);
			break;
		default: /* end of list, base address entries */
			break;
		}
	}
	dwarf_dealloc_rnglists_head(h);
	return st;
}

md_status md_dw_each_range(md_dwarf *d, Dwarf_Die die, md_dw_range_fn fn, void *arg,
                           md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute a = NULL;
	int rc = dwarf_attr(die, DW_AT_ranges, &a, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading DW_AT_ranges");
	if (rc == DW_DLV_NO_ENTRY) {
		uint64_t lo = 0, hi = 0;
		md_status st = md_dw_pc_range(d, die, &lo, &hi, err);
		return st == MD_OK ? emit(d, fn, arg, lo, hi, err) : st;
	}
	Dwarf_Half form = 0, ver = 0, offset_size = 0;
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return md_dw_fail(d, e, err, "reading DW_AT_ranges");
	}
	md_status st;
	if (dwarf_get_version_of_die(die, &ver, &offset_size) != DW_DLV_OK)
		st = md_err_set(err, MD_E_DWARF, "%s: a DIE without a compile unit version",
		                d->info.dwarf_path);
	else if (ver >= 5 || form == DW_FORM_rnglistx)
		st = rnglists(d, a, form, fn, arg, err);
	else
		st = debug_ranges(d, die, a, form, fn, arg, err);
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	return st;
}
