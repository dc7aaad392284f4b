/* md_dwdie.c - thin, leak-free wrappers over the libdwarf calls dwarf/
 * makes: every Dwarf_Die, Dwarf_Attribute, Dwarf_Block and Dwarf_Error is
 * released here or handed to a caller that releases it, so the rest of the
 * module reasons in md_status and plain values.
 *
 * DIEs are freed as soon as we step past them: libdwarf would otherwise
 * keep each one until dwarf_finish, and a walk over a large CU would grow
 * without bound.
 */
#include <stdio.h>
#include <string.h>

#include "md_dwarf_priv.h"

md_status md_dw_fail(md_dwarf *d, Dwarf_Error e, md_err *err, const char *what)
{
	const char *path = d->info.dwarf_path[0] ? d->info.dwarf_path : "DWARF";
	if (!e)
		return md_err_set(err, MD_E_DWARF, "%s: %s", path, what);
	md_err_set(err, MD_E_DWARF, "%s: %s: %s", path, what, dwarf_errmsg(e));
	dwarf_dealloc(d->dbg, e, DW_DLA_ERROR);
	return MD_E_DWARF;
}

md_status md_dw_die(md_dwarf *d, uint64_t off, Dwarf_Die *out, md_err *err)
{
	Dwarf_Error e = NULL;
	*out = NULL;
	if (off == 0)
		return md_err_set(err, MD_E_DWARF, "%s: type id 0",
		                  d->info.dwarf_path);
	int rc = dwarf_offdie_b(d->dbg, off, 1, out, &e);
	if (rc == DW_DLV_OK)
		return MD_OK;
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "bad DIE reference");
	return md_err_set(err, MD_E_DWARF, "%s: no DIE at 0x%llx",
	                  d->info.dwarf_path, (unsigned long long)off);
}

void md_dw_free_die(md_dwarf *d, Dwarf_Die die)
{
	if (die)
		dwarf_dealloc(d->dbg, die, DW_DLA_DIE);
}

md_status md_dw_tag(md_dwarf *d, Dwarf_Die die, Dwarf_Half *tag, md_err *err)
{
	Dwarf_Error e = NULL;
	if (dwarf_tag(die, tag, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a DIE tag");
	return MD_OK;
}

md_status md_dw_name(md_dwarf *d, Dwarf_Die die, char *buf, size_t n,
                     md_err *err)
{
	Dwarf_Error e = NULL;
	char *name = NULL;
	buf[0] = '\0';
	/* The string points into the section data; libdwarf owns it. */
	int rc = dwarf_diename(die, &name, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading DW_AT_name");
	if (rc == DW_DLV_OK && name)
		snprintf(buf, n, "%s", name);
	return MD_OK;
}

/* Fetch one attribute; MD_NOTFOUND when the DIE lacks it. */
static md_status get_attr(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                          Dwarf_Attribute *out, md_err *err)
{
	Dwarf_Error e = NULL;
	int rc = dwarf_attr(die, attr, out, &e);
	if (rc == DW_DLV_OK)
		return MD_OK;
	if (rc == DW_DLV_NO_ENTRY)
		return MD_NOTFOUND;
	return md_dw_fail(d, e, err, "reading an attribute");
}

md_status md_dw_udata(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                      Dwarf_Unsigned *out, md_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	md_status st = get_attr(d, die, attr, &a, err);
	if (st != MD_OK)
		return st;
	int rc = dwarf_formudata(a, out, &e);
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a constant attribute");
	return MD_OK;
}

md_status md_dw_ref(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                    uint64_t *out, md_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Off ref = 0;
	md_status st = get_attr(d, die, attr, &a, err);
	if (st != MD_OK)
		return st;
	/* Go writes DW_FORM_ref_addr (types live in another CU); the global
	 * form also handles CU-relative refs from other producers. */
	int rc = dwarf_global_formref(a, &ref, &e);
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a type reference");
	*out = ref;
	return MD_OK;
}

md_status md_dw_child(md_dwarf *d, Dwarf_Die die, Dwarf_Die *out, md_err *err)
{
	Dwarf_Error e = NULL;
	*out = NULL;
	int rc = dwarf_child(die, out, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "walking DIE children");
	if (rc == DW_DLV_NO_ENTRY)
		*out = NULL;
	return MD_OK;
}

md_status md_dw_sibling(md_dwarf *d, Dwarf_Die die, Dwarf_Die *out,
                        md_err *err)
{
	Dwarf_Error e = NULL;
	*out = NULL;
	int rc = dwarf_siblingof_b(d->dbg, die, 1, out, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "walking DIE siblings");
	if (rc == DW_DLV_NO_ENTRY)
		*out = NULL;
	return MD_OK;
}

/* Decode an unsigned LEB128 within [p, end); returns bytes used or 0. */
static size_t uleb(const unsigned char *p, const unsigned char *end,
                   uint64_t *v)
{
	uint64_t r = 0;
	for (size_t i = 0; p + i < end && i < 10; i++) {
		r |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = r;
			return i + 1;
		}
	}
	return 0;
}

md_status md_dw_member_offset(md_dwarf *d, Dwarf_Die member, uint64_t *off,
                              md_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	md_status st = get_attr(d, member, DW_AT_data_member_location, &a, err);
	if (st == MD_NOTFOUND) {
		*off = 0; /* DWARF: no location means offset 0 (unions) */
		return MD_OK;
	}
	if (st != MD_OK)
		return st;
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return md_dw_fail(d, e, err, "reading a member location");
	}
	/* Go writes a constant; older producers a DW_OP_plus_uconst block. */
	if (form == DW_FORM_block1 || form == DW_FORM_block2 ||
	    form == DW_FORM_block4 || form == DW_FORM_block) {
		Dwarf_Block *b = NULL;
		int rc = dwarf_formblock(a, &b, &e);
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		if (rc != DW_DLV_OK)
			return md_dw_fail(d, e, err, "reading a member location");
		const unsigned char *p = b->bl_data;
		size_t used = 0;
		if (b->bl_len >= 2 && p[0] == DW_OP_plus_uconst)
			used = uleb(p + 1, p + b->bl_len, off);
		dwarf_dealloc(d->dbg, b, DW_DLA_BLOCK);
		if (!used)
			return md_err_set(err, MD_E_DWARF,
			                  "%s: unsupported member location",
			                  d->info.dwarf_path);
		return MD_OK;
	}
	Dwarf_Unsigned v = 0;
	int rc = dwarf_formudata(a, &v, &e);
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a member location");
	*off = v;
	return MD_OK;
}

static int next_cu(md_dwarf *d, Dwarf_Half *ver, Dwarf_Error *e)
{
	Dwarf_Unsigned hlen = 0, typeoff = 0, next = 0;
	Dwarf_Half asz = 0, lsz = 0, esz = 0, utype = 0;
	Dwarf_Off abbr = 0;
	Dwarf_Sig8 sig;
	return dwarf_next_cu_header_d(d->dbg, 1, &hlen, ver, &abbr, &asz, &lsz,
	                              &esz, &sig, &typeoff, &next, &utype, e);
}

md_status md_dw_each_cu(md_dwarf *d, md_dw_cu_fn fn, void *arg, md_err *err)
{
	md_status st = MD_OK;
	for (;;) {
		Dwarf_Error e = NULL;
		Dwarf_Half ver = 0;
		int rc = next_cu(d, &ver, &e);
		if (rc == DW_DLV_NO_ENTRY)
			return MD_OK;
		if (rc != DW_DLV_OK) {
			st = md_dw_fail(d, e, err, "reading a CU header");
			break;
		}
		Dwarf_Die cu = NULL;
		rc = dwarf_siblingof_b(d->dbg, NULL, 1, &cu, &e);
		if (rc != DW_DLV_OK) {
			st = rc == DW_DLV_ERROR ? md_dw_fail(d, e, err, "reading a CU")
			                        : md_err_set(err, MD_E_DWARF,
			                                     "%s: CU without a DIE",
			                                     d->info.dwarf_path);
			break;
		}
		st = fn(d, cu, ver, arg, err);
		md_dw_free_die(d, cu);
		if (st != MD_OK)
			break;
	}
	/* Drain the cursor so libdwarf's state is not left mid-way. */
	Dwarf_Error e = NULL;
	Dwarf_Half ver = 0;
	int rc;
	while ((rc = next_cu(d, &ver, &e)) == DW_DLV_OK)
		;
	if (rc == DW_DLV_ERROR)
		dwarf_dealloc(d->dbg, e, DW_DLA_ERROR);
	return st;
}
