/* md_dwloc.c - where a function's parameter lives at a pc.
 *
 * Go describes a parameter with DW_AT_location: a location list (DWARF 4
 * .debug_loc up to Go 1.24, DWARF 5 .debug_loclists from Go 1.25) whose
 * entries say, per pc range, register (DW_OP_regN: the argument register
 * at entry under the register ABI), spill slot (DW_OP_fbreg with
 * DW_OP_call_frame_cfa as the frame base; or DW_OP_call_frame_cfa alone
 * for the slot at CFA+0) or, for multi-word values, DW_OP_piece
 * compositions of those.  dwarf_get_loclist_c reads all these forms (and a
 * plain expression) behind one interface and applies base addresses, so
 * the entry bounds we compare with pc are addresses.
 *
 * Only those simple forms are evaluated: anything else means "not
 * available here" (MD_LOC_NONE), which a caller must handle anyway, since
 * Go's lists do not cover the whole function (typically not the
 * morestack tail, nor stretches where the value is dead).
 */
#include <stdio.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* Go's parameter names are short; longer ones cannot match a name a
 * caller asks for and are compared truncated. */
#define MAX_NAME 256

/* Decode the operations of one location description up to the first
 * DW_OP_piece into out.  The first piece is used only if it holds at
 * least a pointer (the pointer of a string, of an interface's data, or a
 * pointer parameter split oddly); an empty first piece means "not here". */
static md_status eval_ops(md_dwarf *d, Dwarf_Locdesc_c ld, Dwarf_Unsigned nops,
                          int cfa_base, md_loc *out, md_err *err)
{
	Dwarf_Small op[3] = { 0, 0, 0 };
	Dwarf_Unsigned arg[3] = { 0, 0, 0 };
	size_t n = 0;
	out->kind = MD_LOC_NONE;
	for (Dwarf_Unsigned i = 0; i < nops; i++) {
		Dwarf_Error e = NULL;
		Dwarf_Small atom = 0;
		Dwarf_Unsigned o1 = 0, o2 = 0, o3 = 0, branch = 0;
		if (dwarf_get_location_op_value_c(ld, i, &atom, &o1, &o2, &o3, &branch,
		                                  &e) != DW_DLV_OK)
			return md_dw_fail(d, e, err, "reading a location operation");
		if (atom == DW_OP_piece) {
			if (o1 < d->ptr_size)
				return MD_OK;
			break;
		}
		if (n == 3)
			return MD_OK; /* longer than any form we know */
		op[n] = atom;
		arg[n] = o1;
		n++;
	}
	if (n == 1 && op[0] >= DW_OP_reg0 && op[0] <= DW_OP_reg31) {
		out->kind = MD_LOC_REG;
		out->reg = op[0] - DW_OP_reg0;
	} else if (n == 1 && op[0] == DW_OP_regx && arg[0] <= 0xffff) {
		out->kind = MD_LOC_REG;
		out->reg = (int)arg[0];
	} else if (n == 1 && op[0] == DW_OP_fbreg && cfa_base) {
		/* libdwarf sign-extends the SLEB128 operand into the unsigned. */
		out->kind = MD_LOC_FBREG;
		out->off = (int64_t)arg[0];
	} else if (n == 1 && op[0] == DW_OP_call_frame_cfa) {
		out->kind = MD_LOC_CFA;
		out->off = 0;
	} else if (n == 2 && op[0] == DW_OP_call_frame_cfa &&
	           op[1] == DW_OP_plus_uconst) {
		out->kind = MD_LOC_CFA;
		out->off = (int64_t)arg[1];
	} else if (n == 3 && op[0] == DW_OP_call_frame_cfa &&
	           (op[1] == DW_OP_consts || op[1] == DW_OP_constu) &&
	           op[2] == DW_OP_plus) {
		out->kind = MD_LOC_CFA;
		out->off = (int64_t)arg[1];
	} else if (n == 1 && op[0] == DW_OP_addr) {
		out->kind = MD_LOC_ADDR;
		out->addr = arg[0];
	}
	return MD_OK;
}

/* Is an entry of this kind bounded by [lo, hi)?  Base address entries and
 * the end marker carry no location; DWARF 5's default location applies
 * only where no bounded entry does. */
static int bounded(Dwarf_Small lle)
{
	return lle == DW_LLE_offset_pair || lle == DW_LLE_start_end ||
	       lle == DW_LLE_start_length || lle == DW_LLE_startx_endx ||
	       lle == DW_LLE_startx_length;
}

/* Evaluate attribute attr of die (DW_AT_location, DW_AT_frame_base) at pc.
 * MD_LOC_NONE when no entry covers pc or its expression is not one we
 * know. */
static md_status eval_attr(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                           uint64_t pc, int cfa_base, md_loc *out,
                           md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute a = NULL;
	memset(out, 0, sizeof *out);
	out->kind = MD_LOC_NONE;
	int rc = dwarf_attr(die, attr, &a, &e);
	if (rc == DW_DLV_NO_ENTRY)
		return MD_OK; /* optimized away */
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a location attribute");
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0;
	unsigned kind = DW_LKIND_unknown;
	rc = dwarf_get_loclist_c(a, &head, &count, &e);
	if (rc == DW_DLV_NO_ENTRY) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return MD_OK;
	}
	if (rc != DW_DLV_OK) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return md_dw_fail(d, e, err, "reading a location list");
	}
	md_status st = MD_OK;
	if (dwarf_get_loclist_head_kind(head, &kind, &e) != DW_DLV_OK)
		st = md_dw_fail(d, e, err, "reading a location list");
	/* A plain expression holds everywhere: its entry's bounds mean
	 * nothing. */
	int whole = kind == DW_LKIND_expression;
	Dwarf_Locdesc_c fallback = NULL;
	Dwarf_Unsigned fallback_ops = 0;
	Dwarf_Locdesc_c hit = NULL;
	Dwarf_Unsigned hit_ops = 0;
	for (Dwarf_Unsigned i = 0; st == MD_OK && i < count && !hit; i++) {
		Dwarf_Small lle = 0, source = 0;
		Dwarf_Unsigned rawlo = 0, rawhi = 0, nops = 0, exoff = 0, ldoff = 0;
		Dwarf_Bool unavailable = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c ld = NULL;
		rc = dwarf_get_locdesc_entry_d(head, i, &lle, &rawlo, &rawhi,
		                               &unavailable, &lo, &hi, &nops, &ld,
		                               &source, &exoff, &ldoff, &e);
		if (rc == DW_DLV_ERROR) {
			st = md_dw_fail(d, e, err, "reading a location list entry");
			break;
		}
		if (rc != DW_DLV_OK || unavailable)
			continue;
		if (whole) {
			hit = ld;
			hit_ops = nops;
		} else if (lle == DW_LLE_default_location) {
			fallback = ld;
			fallback_ops = nops;
		} else if (bounded(lle) && lo <= pc && pc < hi) {
			hit = ld;
			hit_ops = nops;
		}
	}
	if (st == MD_OK && !hit) {
		hit = fallback;
		hit_ops = fallback_ops;
	}
	if (st == MD_OK && hit)
		st = eval_ops(d, hit, hit_ops, cfa_base, out, err);
	dwarf_loc_head_c_dealloc(head);
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	return st;
}

/* Does the function's DW_AT_frame_base say DW_OP_call_frame_cfa (as Go
 * always writes), so that DW_OP_fbreg offsets are CFA offsets? */
static md_status frame_base_is_cfa(md_dwarf *d, Dwarf_Die fn, uint64_t pc,
                                   int *yes, md_err *err)
{
	md_loc fb;
	md_status st = eval_attr(d, fn, DW_AT_frame_base, pc, 0, &fb, err);
	*yes = st == MD_OK && fb.kind == MD_LOC_CFA && fb.off == 0;
	return st;
}

/* The first DW_TAG_formal_parameter child of fn named name: *out NULL if
 * none.  Out-of-line copies of inlined functions name their parameters
 * through DW_AT_abstract_origin. */
static md_status find_param(md_dwarf *d, Dwarf_Die fn, const char *name,
                            Dwarf_Die *out, md_err *err)
{
	Dwarf_Die die = NULL;
	*out = NULL;
	md_status st = md_dw_child(d, fn, &die, err);
	while (st == MD_OK && die) {
		Dwarf_Half tag = 0;
		char buf[MAX_NAME];
		st = md_dw_tag(d, die, &tag, err);
		if (st == MD_OK && tag == DW_TAG_formal_parameter)
			st = md_dw_origin_name(d, die, buf, sizeof buf, err);
		if (st == MD_OK && tag == DW_TAG_formal_parameter &&
		    strcmp(buf, name) == 0) {
			*out = die;
			return MD_OK;
		}
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, die, &next, err);
		md_dw_free_die(d, die);
		die = next;
	}
	md_dw_free_die(d, die);
	return st;
}

md_status md_dwarf_param_loc(md_dwarf *d, const md_func *f, const char *param,
                             uint64_t pc, md_loc *out, md_err *err)
{
	memset(out, 0, sizeof *out);
	out->kind = MD_LOC_NONE;
	uint64_t die_off = f->die;
	if (!die_off && f->lo && md_dw_func_die(d, f->lo, &die_off, err) == MD_E_DWARF)
		return MD_E_DWARF;
	if (!die_off)
		return md_err_set(err, MD_NOTFOUND, "%s: no DWARF for this function",
		                  f->name);
	/* The function's DIEs are read through the libdwarf instance that
	 * sees the location lists (md_dwsrc_open_all), by the same offsets;
	 * d->dbg is switched to it for the md_dw_* helpers, and back. */
	if (!d->dbg_all && md_dwsrc_open_all(d->src, d->dbg, &d->dbg_all, err) != MD_OK)
		return MD_E_DWARF;
	Dwarf_Debug main = d->dbg;
	d->dbg = d->dbg_all;
	Dwarf_Die fn = NULL, p = NULL;
	Dwarf_Half tag = 0;
	md_status st = md_dw_die(d, die_off, &fn, err);
	if (st == MD_OK)
		st = md_dw_tag(d, fn, &tag, err);
	if (st == MD_OK && tag != DW_TAG_subprogram)
		st = md_err_set(err, MD_E_DWARF, "%s: DIE 0x%llx is not a function",
		                d->info.dwarf_path, (unsigned long long)die_off);
	if (st == MD_OK)
		st = find_param(d, fn, param, &p, err);
	if (st == MD_OK && !p)
		st = md_err_set(err, MD_NOTFOUND, "%s has no parameter %s", f->name,
		                param);
	/* A location list says nothing outside its function; a plain
	 * expression would, wrongly. */
	if (st == MD_OK && pc >= f->lo && pc < f->hi) {
		int cfa_base = 0;
		st = frame_base_is_cfa(d, fn, pc, &cfa_base, err);
		if (st == MD_OK)
			st = eval_attr(d, p, DW_AT_location, pc, cfa_base, out, err);
	}
	md_dw_free_die(d, p);
	md_dw_free_die(d, fn);
	d->dbg = main;
	return st;
}
