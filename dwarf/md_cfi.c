/* md_cfi.c - CFA rules from .debug_frame through libdwarf (see md_cfi.h). */
#include <stdlib.h>
#include <string.h>
#include "md_cfi.h"
#include "md_dwarf_priv.h"

/* amd64 DWARF register numbers */
#define REG_RBP 6
#define REG_RA  16

struct md_cfi {
	md_dwarf *d;
	Dwarf_Cie *cies;
	Dwarf_Signed ncies;
	Dwarf_Fde *fdes;
	Dwarf_Signed nfdes;
};

md_status md_cfi_open(md_dwarf *d, md_cfi **out, md_err *err)
{
	md_cfi *c = calloc(1, sizeof *c);
	if (!c)
		return md_err_set(err, MD_E_NOMEM, "CFI");
	c->d = d;
	/* Rules for registers an FDE never mentions: "same value", so that an
	 * unmentioned frame pointer reads as unchanged, not as garbage. */
	dwarf_set_frame_rule_initial_value(d->dbg, DW_FRAME_SAME_VAL);
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_list(d->dbg, &c->cies, &c->ncies, &c->fdes, &c->nfdes, &e);
	if (rc == DW_DLV_NO_ENTRY) {
		free(c);
		return MD_NOTFOUND;
	}
	if (rc != DW_DLV_OK) {
		free(c);
		return md_dw_fail(d, e, err, "reading .debug_frame");
	}
	*out = c;
	return MD_OK;
}

void md_cfi_free(md_cfi *c)
{
	if (!c)
		return;
	if (c->fdes || c->cies)
		dwarf_fde_cie_list_dealloc(c->d->dbg, c->cies, c->ncies, c->fdes, c->nfdes);
	free(c);
}

/* One register's rule at pc: offset from the CFA if saved there. */
static int saved_at(md_cfi *c, Dwarf_Fde fde, Dwarf_Half reg, uint64_t pc, int64_t *off)
{
	Dwarf_Small vt = 0;
	Dwarf_Signed rel = 0, r = 0, o = 0;
	Dwarf_Ptr blk = NULL;
	Dwarf_Addr row = 0, next = 0;
	Dwarf_Bool more = 0;
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_info_for_reg3_b(fde, reg, pc, &vt, &rel, &r, &o, &blk, &row,
	                                       &more, &next, &e);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc(c->d->dbg, e, DW_DLA_ERROR);
		return 0;
	}
	if (rc != DW_DLV_OK || vt != DW_EXPR_OFFSET || !rel || r != DW_FRAME_CFA_COL3)
		return 0;
	*off = o;
	return 1;
}

md_status md_cfi_at(md_cfi *c, uint64_t pc, md_cfa *out, md_err *err)
{
	(void)err;
	memset(out, 0, sizeof *out);
	Dwarf_Fde fde = NULL;
	Dwarf_Addr lo = 0, hi = 0;
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_at_pc(c->fdes, pc, &fde, &lo, &hi, &e);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc(c->d->dbg, e, DW_DLA_ERROR);
		return MD_NOTFOUND;
	}
	if (rc != DW_DLV_OK)
		return MD_NOTFOUND;

	Dwarf_Small vt = 0;
	Dwarf_Signed rel = 0, reg = 0, off = 0;
	Dwarf_Ptr blk = NULL;
	Dwarf_Addr row = 0, next = 0;
	Dwarf_Bool more = 0;
	rc = dwarf_get_fde_info_for_cfa_reg3_b(fde, pc, &vt, &rel, &reg, &off, &blk, &row,
	                                       &more, &next, &e);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc(c->d->dbg, e, DW_DLA_ERROR);
		return MD_NOTFOUND;
	}
	if (rc != DW_DLV_OK || vt != DW_EXPR_OFFSET || !rel)
		return MD_NOTFOUND;
	out->cfa_reg = (int)reg;
	out->cfa_off = off;
	out->lo = lo;
	out->hi = hi;
	if (!saved_at(c, fde, REG_RA, pc, &out->ra_off))
		out->ra_off = -8;   /* the CIE's rule on amd64: RA at CFA-8 */
	int64_t bo;
	if (saved_at(c, fde, REG_RBP, pc, &bo)) {
		out->bp_saved = 1;
		out->bp_off = bo;
	} else if (out->cfa_reg == 7 && out->cfa_off >= 16) {
		/* Go's CFI never mentions BP, but every Go function with a frame
		 * starts with PUSHQ BP: once the CFA is 16 or more above SP the
		 * caller's BP sits just below the return address. */
		out->bp_saved = 1;
		out->bp_off = -16;
	}
	return MD_OK;
}
