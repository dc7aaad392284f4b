/* md_dwloc.c - where a function's parameter or variable lives at a pc.
 *
 * Go describes a parameter or local with DW_AT_location: a location list
 * (DWARF 4 .debug_loc up to Go 1.24, DWARF 5 .debug_loclists from Go
 * 1.25) whose entries say, per pc range, register (DW_OP_regN: the
 * argument register at entry under the register ABI), spill slot
 * (DW_OP_fbreg with DW_OP_call_frame_cfa as the frame base; or
 * DW_OP_call_frame_cfa alone for the slot at CFA+0) or, for multi-word
 * values, DW_OP_piece compositions of those.  dwarf_get_loclist_c reads
 * all these forms (and a plain expression) behind one interface and
 * applies base addresses, so the entry bounds we compare with pc are
 * addresses.
 *
 * Only those simple forms are evaluated: anything else means "not
 * available here", which a caller must handle anyway, since Go's lists
 * do not cover the whole function (typically not the morestack tail, nor
 * stretches where the value is dead).  One walker reads an expression
 * into pieces (md_local's); md_dwarf_param_loc takes the first piece of
 * it, md_dwlocal.c all of them.
 */
#include <stdio.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* Go's parameter names are short; longer ones cannot match a name a
 * caller asks for and are compared truncated. */
#define MAX_NAME 256
/* The bytes a composite may describe.  Go splits only values of up to
 * four words into pieces; anything near this bound is a corrupt file, and
 * a caller sizing a buffer from the pieces must not be led far. */
#define MAX_COMPOSITE 65536

/* The operations of one simple location (between two DW_OP_piece, or
 * the whole expression): none of the forms we read has more than 3. */
typedef struct simple {
	Dwarf_Small op[3];
	Dwarf_Unsigned arg[3];
	size_t n;
} simple;

/* Decode a simple location: 1 and *out when it is a form we read (no
 * operations at all is MD_LOC_NONE: the value, or this piece of it, is
 * not available), 0 when it is not. */
static int decode_simple(const simple *s, int cfa_base, md_loc *out)
{
	const Dwarf_Small *op = s->op;
	const Dwarf_Unsigned *arg = s->arg;
	memset(out, 0, sizeof *out);
	out->kind = MD_LOC_NONE;
	if (s->n == 0)
		return 1;
	if (s->n == 1 && op[0] >= DW_OP_reg0 && op[0] <= DW_OP_reg31) {
		out->kind = MD_LOC_REG;
		out->reg = op[0] - DW_OP_reg0;
	} else if (s->n == 1 && op[0] == DW_OP_regx && arg[0] <= 0xffff) {
		out->kind = MD_LOC_REG;
		out->reg = (int)arg[0];
	} else if (s->n == 1 && op[0] == DW_OP_fbreg && cfa_base) {
		/* libdwarf sign-extends the SLEB128 operand into the unsigned. */
		out->kind = MD_LOC_FBREG;
		out->off = (int64_t)arg[0];
	} else if (s->n == 1 && op[0] == DW_OP_call_frame_cfa) {
		out->kind = MD_LOC_CFA;
		out->off = 0;
	} else if (s->n == 2 && op[0] == DW_OP_call_frame_cfa &&
	           op[1] == DW_OP_plus_uconst) {
		out->kind = MD_LOC_CFA;
		out->off = (int64_t)arg[1];
	} else if (s->n == 3 && op[0] == DW_OP_call_frame_cfa &&
	           (op[1] == DW_OP_consts || op[1] == DW_OP_constu) &&
	           op[2] == DW_OP_plus) {
		out->kind = MD_LOC_CFA;
		out->off = (int64_t)arg[1];
	} else if (s->n == 1 && op[0] == DW_OP_addr) {
		out->kind = MD_LOC_ADDR;
		out->addr = arg[0];
	} else {
		return 0;
	}
	return 1;
}

/* The answer for an expression we do not read: no pieces. */
static md_status not_understood(md_local *out)
{
	out->npieces = 0;
	out->not_understood = 1;
	return MD_OK;
}

/* Read the nops operations of one location description into out's
 * pieces: a simple location is one piece of size 0, a composite one
 * piece per DW_OP_piece (MD_LOC_NONE for an empty one), an empty
 * expression none.  first_only: stop after the first DW_OP_piece
 * (md_dwarf_param_loc's contract), so that what follows it, read or not,
 * does not matter.  More pieces than MD_LOCAL_MAX_PIECES, a piece of no
 * bytes, a composite of more than MAX_COMPOSITE bytes or operations
 * after the last piece are not understood, like an unknown operation. */
static md_status walk_ops(md_dwarf *d, Dwarf_Locdesc_c ld, Dwarf_Unsigned nops,
                          int cfa_base, int first_only, md_local *out, md_err *err)
{
	simple cur = { .n = 0 };
	int composite = 0;
	uint64_t total = 0;
	out->npieces = 0;
	out->not_understood = 0;
	for (Dwarf_Unsigned i = 0; i < nops; i++) {
		Dwarf_Error e = NULL;
		Dwarf_Small atom = 0;
		Dwarf_Unsigned o1 = 0, o2 = 0, o3 = 0, branch = 0;
		if (dwarf_get_location_op_value_c(ld, i, &atom, &o1, &o2, &o3, &branch,
		                                  &e) != DW_DLV_OK)
			return md_dw_fail(d, e, err, "reading a location operation");
		if (atom != DW_OP_piece) {
			if (cur.n == 3)
				return not_understood(out);
			cur.op[cur.n] = atom;
			cur.arg[cur.n++] = o1;
			continue;
		}
		md_piece *p = &out->pieces[out->npieces];
		composite = 1;
		if (out->npieces == MD_LOCAL_MAX_PIECES || o1 == 0 ||
		    o1 > MAX_COMPOSITE - total || !decode_simple(&cur, cfa_base, &p->loc))
			return not_understood(out);
		p->size = o1;
		total += o1;
		out->npieces++;
		cur.n = 0;
		if (first_only)
			return MD_OK;
	}
	if (composite)
		return cur.n ? not_understood(out) : MD_OK;
	if (cur.n == 0)
		return MD_OK; /* an empty expression: optimized out */
	if (!decode_simple(&cur, cfa_base, &out->pieces[0].loc))
		return not_understood(out);
	out->pieces[0].size = 0;
	out->npieces = 1;
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

/* The location description of head that applies at pc: *hit NULL when no
 * entry covers it.  count comes from libdwarf, which read that many
 * entries from the section. */
static md_status pick_entry(md_dwarf *d, Dwarf_Loc_Head_c head, Dwarf_Unsigned count,
                            uint64_t pc, Dwarf_Locdesc_c *hit, Dwarf_Unsigned *hit_ops,
                            md_err *err)
{
	Dwarf_Error e = NULL;
	unsigned kind = DW_LKIND_unknown;
	*hit = NULL;
	*hit_ops = 0;
	if (dwarf_get_loclist_head_kind(head, &kind, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a location list");
	/* A plain expression holds everywhere: its entry's bounds mean
	 * nothing. */
	int whole = kind == DW_LKIND_expression;
	Dwarf_Locdesc_c fallback = NULL;
	Dwarf_Unsigned fallback_ops = 0;
	for (Dwarf_Unsigned i = 0; i < count && !*hit; i++) {
		Dwarf_Small lle = 0, source = 0;
		Dwarf_Unsigned rawlo = 0, rawhi = 0, nops = 0, exoff = 0, ldoff = 0;
		Dwarf_Bool unavailable = 0;
		Dwarf_Addr lo = 0, hi = 0;
		Dwarf_Locdesc_c ld = NULL;
		int rc = dwarf_get_locdesc_entry_d(head, i, &lle, &rawlo, &rawhi,
		                                   &unavailable, &lo, &hi, &nops, &ld,
		                                   &source, &exoff, &ldoff, &e);
		if (rc == DW_DLV_ERROR)
			return md_dw_fail(d, e, err, "reading a location list entry");
		if (rc != DW_DLV_OK || unavailable)
			continue;
		if (whole || (bounded(lle) && lo <= pc && pc < hi)) {
			*hit = ld;
			*hit_ops = nops;
		} else if (lle == DW_LLE_default_location) {
			fallback = ld;
			fallback_ops = nops;
		}
	}
	if (!*hit) {
		*hit = fallback;
		*hit_ops = fallback_ops;
	}
	return MD_OK;
}

/* Evaluate attribute attr of die (DW_AT_location, DW_AT_frame_base) at pc
 * into out's pieces (walk_ops): none when the DIE lacks it or no entry
 * covers pc. */
static md_status eval_attr(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                           uint64_t pc, int cfa_base, int first_only,
                           md_local *out, md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute a = NULL;
	out->npieces = 0;
	out->not_understood = 0;
	int rc = dwarf_attr(die, attr, &a, &e);
	if (rc == DW_DLV_NO_ENTRY)
		return MD_OK; /* optimized away */
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a location attribute");
	Dwarf_Loc_Head_c head = NULL;
	Dwarf_Unsigned count = 0;
	rc = dwarf_get_loclist_c(a, &head, &count, &e);
	if (rc == DW_DLV_NO_ENTRY) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return MD_OK;
	}
	if (rc != DW_DLV_OK) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return md_dw_fail(d, e, err, "reading a location list");
	}
	Dwarf_Locdesc_c hit = NULL;
	Dwarf_Unsigned nops = 0;
	md_status st = pick_entry(d, head, count, pc, &hit, &nops, err);
	if (st == MD_OK && hit)
		st = walk_ops(d, hit, nops, cfa_base, first_only, out, err);
	dwarf_loc_head_c_dealloc(head);
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	return st;
}

md_status md_dw_location(md_dwarf *d, Dwarf_Die die, uint64_t pc, int cfa_base,
                         md_local *out, md_err *err)
{
	return eval_attr(d, die, DW_AT_location, pc, cfa_base, 0, out, err);
}

md_status md_dw_frame_base_is_cfa(md_dwarf *d, Dwarf_Die fn, uint64_t pc, int *yes,
                                  md_err *err)
{
	md_local fb;
	md_status st = eval_attr(d, fn, DW_AT_frame_base, pc, 0, 0, &fb, err);
	*yes = st == MD_OK && fb.npieces == 1 && fb.pieces[0].size == 0 &&
	       fb.pieces[0].loc.kind == MD_LOC_CFA && fb.pieces[0].loc.off == 0;
	return st;
}

md_status md_dw_all_begin(md_dwarf *d, Dwarf_Debug *main, md_err *err)
{
	*main = d->dbg;
	if (!d->dbg_all && md_dwsrc_open_all(d->src, d->dbg, &d->dbg_all, err) != MD_OK)
		return MD_E_DWARF;
	d->dbg = d->dbg_all;
	return MD_OK;
}

void md_dw_all_end(md_dwarf *d, Dwarf_Debug main)
{
	d->dbg = main;
}

md_status md_dw_func_off(md_dwarf *d, const md_func *f, uint64_t *off, md_err *err)
{
	*off = f->die;
	if (!*off && f->lo && md_dw_func_die(d, f->lo, off, err) == MD_E_DWARF)
		return MD_E_DWARF;
	if (!*off)
		return md_err_set(err, MD_NOTFOUND, "%s: no DWARF for this function",
		                  f->name);
	return MD_OK;
}

md_status md_dw_subprogram(md_dwarf *d, uint64_t off, Dwarf_Die *out, md_err *err)
{
	Dwarf_Half tag = 0;
	md_status st = md_dw_die(d, off, out, err);
	if (st == MD_OK)
		st = md_dw_tag(d, *out, &tag, err);
	if (st == MD_OK && tag != DW_TAG_subprogram)
		st = md_err_set(err, MD_E_DWARF, "%s: DIE 0x%llx is not a function",
		                d->info.dwarf_path, (unsigned long long)off);
	if (st != MD_OK) {
		md_dw_free_die(d, *out);
		*out = NULL;
	}
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
	uint64_t die_off = 0;
	Dwarf_Debug main = NULL;
	md_status st = md_dw_func_off(d, f, &die_off, err);
	if (st != MD_OK)
		return st;
	if (md_dw_all_begin(d, &main, err) != MD_OK)
		return MD_E_DWARF;
	Dwarf_Die fn = NULL, p = NULL;
	st = md_dw_subprogram(d, die_off, &fn, err);
	if (st == MD_OK)
		st = find_param(d, fn, param, &p, err);
	if (st == MD_OK && !p)
		st = md_err_set(err, MD_NOTFOUND, "%s has no parameter %s", f->name,
		                param);
	/* A location list says nothing outside its function; a plain
	 * expression would, wrongly. */
	if (st == MD_OK && pc >= f->lo && pc < f->hi) {
		int cfa_base = 0;
		md_local v;
		st = md_dw_frame_base_is_cfa(d, fn, pc, &cfa_base, err);
		if (st == MD_OK)
			st = eval_attr(d, p, DW_AT_location, pc, cfa_base, 1, &v, err);
		/* Of a composite, only a first piece that holds at least a
		 * pointer (that of a string, of an interface's data, or a
		 * pointer split oddly). */
		if (st == MD_OK && v.npieces == 1 &&
		    (v.pieces[0].size == 0 || v.pieces[0].size >= d->ptr_size))
			*out = v.pieces[0].loc;
	}
	md_dw_free_die(d, p);
	md_dw_free_die(d, fn);
	md_dw_all_end(d, main);
	return st;
}
