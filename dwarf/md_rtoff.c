/* md_rtoff.c - the run-time type descriptor of a DWARF type: the reverse
 * of md_dwarf_type_of_runtime (see md_dwarf.h).
 *
 * Go's linker writes DW_AT_go_runtime_type on every type DIE whose
 * descriptor it emitted, as the descriptor's offset from runtime.types
 * (DW_FORM_addr in the Go releases we read; a data form is read too).
 * Types it synthesized for the debugger (bucket<K,V>, map<K,V>, ...) carry
 * 0: they have no descriptor.  A named type's references point at a plain
 * typedef whose target carries the attribute, so typedefs are followed.
 * Go 1.21 and 1.22 write uintptr's as runtime.types + offset: a value past
 * the descriptors that is one of them by address is turned back into an
 * offset, as md_dwrtype.c's index does.
 */
#include "md_dwarf_priv.h"

#define MD_DW_AT_go_runtime_type 0x2904

/* The attribute of one DIE: MD_OK, MD_NOTFOUND or MD_E_DWARF. */
static md_status rt_attr(md_dwarf *d, Dwarf_Die die, uint64_t *out, md_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	int rc = dwarf_attr(die, MD_DW_AT_go_runtime_type, &a, &e);
	if (rc == DW_DLV_NO_ENTRY)
		return MD_NOTFOUND;
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_go_runtime_type");
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return md_dw_fail(d, e, err, "reading DW_AT_go_runtime_type");
	}
	if (form == DW_FORM_addr) {
		Dwarf_Addr v = 0;
		rc = dwarf_formaddr(a, &v, &e);
		*out = v;
	} else {
		Dwarf_Unsigned v = 0;
		rc = dwarf_formudata(a, &v, &e);
		*out = v;
	}
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_go_runtime_type");
	return MD_OK;
}

/* v as an offset from runtime.types. */
static uint64_t as_offset(md_dwarf *d, uint64_t v)
{
	uint64_t types, etypes;
	md_err e;
	if (md_dwarf_types_base(d, &types, &e) == MD_OK &&
	    md_dw_sym_value(d, "runtime.etypes", &etypes, &e) == MD_OK && etypes > types &&
	    v >= etypes - types && v >= types && v < etypes)
		return v - types;
	return v;
}

md_status md_dwarf_runtime_off(md_dwarf *d, md_type_id type, uint64_t *off, md_err *err)
{
	uint64_t id = type;
	for (int depth = 0; depth < MD_DW_MAX_DEPTH; depth++) {
		Dwarf_Die die;
		Dwarf_Half tag = 0;
		md_status st = md_dw_die(d, id, &die, err);
		if (st != MD_OK)
			return st;
		uint64_t v = 0;
		st = rt_attr(d, die, &v, err);
		if (st == MD_OK && v) {
			md_dw_free_die(d, die);
			*off = as_offset(d, v);
			return MD_OK;
		}
		if (st == MD_OK || st == MD_NOTFOUND)
			st = md_dw_tag(d, die, &tag, err);
		if (st == MD_OK && tag == DW_TAG_typedef)
			st = md_dw_ref(d, die, DW_AT_type, &id, err);
		else if (st == MD_OK)
			st = MD_NOTFOUND;
		md_dw_free_die(d, die);
		if (st != MD_OK)
			return st == MD_NOTFOUND ?
			       md_err_set(err, MD_NOTFOUND, "no run-time type descriptor") : st;
	}
	return md_err_set(err, MD_E_DWARF, "%s: typedef chain too long at 0x%llx",
	                  md_dwarf_exe(d)->dwarf_path, (unsigned long long)type);
}
