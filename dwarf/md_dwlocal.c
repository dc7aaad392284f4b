/* md_dwlocal.c - the parameters and local variables of a frame: those of
 * a function's DW_TAG_subprogram that are in scope at a pc, with where
 * each lives there (md_dwloc.c reads the locations).
 *
 * In scope: the subprogram's own DW_TAG_formal_parameter and
 * DW_TAG_variable children, and those of the DW_TAG_lexical_block
 * children (recursively) whose address ranges hold pc.  Inlined
 * subroutines are left out: their variables belong to another function's
 * frame layout, which a caller asking about f does not want.
 *
 * The walk first collects the DIE offsets in scope, then evaluates and
 * reports them one by one, so that fn runs with d as the caller knows it
 * (d->dbg the main libdwarf instance) and may call into dwarf/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* Go nests blocks as deep as its source does, a few levels; deeper than
 * this is a corrupt file. */
#define MAX_NEST 64
/* DIEs looked at in one function (its children and its blocks'): Go's
 * largest functions have a few thousand.  More is a corrupt file (a
 * sibling chain that loops), not a function. */
#define MAX_DIES (1u << 18)

/* One DIE in scope. */
typedef struct in_scope {
	uint64_t die;
	int is_param;
} in_scope;

typedef struct scope_walk {
	uint64_t pc;
	in_scope *v;
	size_t n, cap;
	size_t seen;         /* DIEs looked at, against MAX_DIES */
} scope_walk;

static md_status keep(md_dwarf *d, scope_walk *w, Dwarf_Die die, int is_param,
                      md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;
	if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a DIE offset");
	if (w->n == w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 32;
		in_scope *v = realloc(w->v, ncap * sizeof *v);
		if (!v)
			return md_err_set(err, MD_E_NOMEM, "locals of a function");
		w->v = v;
		w->cap = ncap;
	}
	w->v[w->n++] = (in_scope){ off, is_param };
	return MD_OK;
}

struct pc_hit {
	uint64_t pc;
	int yes;
};

static md_status holds_pc(md_dwarf *d, void *arg, uint64_t lo, uint64_t hi, md_err *err)
{
	(void)d;
	(void)err;
	struct pc_hit *h = arg;
	h->yes |= lo <= h->pc && h->pc < hi;
	return MD_OK;
}

/* Whether one of block's ranges holds pc.  A block without address
 * attributes holds nothing we can place. */
static md_status block_holds(md_dwarf *d, Dwarf_Die block, uint64_t pc, int *yes,
                             md_err *err)
{
	struct pc_hit h = { pc, 0 };
	md_status st = md_dw_each_range(d, block, holds_pc, &h, err);
	*yes = st == MD_OK && h.yes;
	return st == MD_NOTFOUND ? MD_OK : st;
}

/* Collect the variables of parent (a subprogram or a lexical block)
 * that are in scope at w->pc, in DIE order. */
static md_status walk_scope(md_dwarf *d, scope_walk *w, Dwarf_Die parent, int depth,
                            md_err *err)
{
	if (depth > MAX_NEST)
		return md_err_set(err, MD_E_DWARF, "%s: lexical blocks nested deeper than %d",
		                  d->info.dwarf_path, MAX_NEST);
	Dwarf_Die die = NULL;
	md_status st = md_dw_child(d, parent, &die, err);
	while (st == MD_OK && die) {
		Dwarf_Half tag = 0;
		if (++w->seen > MAX_DIES)
			st = md_err_set(err, MD_E_DWARF, "%s: a function with more than %u DIEs",
			                d->info.dwarf_path, MAX_DIES);
		if (st == MD_OK)
			st = md_dw_tag(d, die, &tag, err);
		if (st == MD_OK && (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable))
			st = keep(d, w, die, tag == DW_TAG_formal_parameter, err);
		if (st == MD_OK && tag == DW_TAG_lexical_block) {
			int in = 0;
			st = block_holds(d, die, w->pc, &in, err);
			if (st == MD_OK && in)
				st = walk_scope(d, w, die, depth + 1, err);
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

/* DW_AT_type of a variable DIE or, when it has none, of its
 * DW_AT_abstract_origin (the out-of-line copy of an inlined function
 * types its variables only there); 0 when neither has one. */
static md_status var_type(md_dwarf *d, Dwarf_Die die, uint64_t *type, md_err *err)
{
	uint64_t origin = 0;
	Dwarf_Die o = NULL;
	*type = 0;
	md_status st = md_dw_ref(d, die, DW_AT_type, type, err);
	if (st != MD_NOTFOUND)
		return st;
	/* Origins do not chain in Go's DWARF: one step. */
	st = md_dw_ref(d, die, DW_AT_abstract_origin, &origin, err);
	if (st == MD_OK)
		st = md_dw_die(d, origin, &o, err);
	if (st == MD_OK)
		st = md_dw_ref(d, o, DW_AT_type, type, err);
	md_dw_free_die(d, o);
	return st == MD_NOTFOUND ? MD_OK : st;
}

/* Fill l for the variable DIE at off, at pc (a pc outside the function:
 * no pieces). */
static md_status read_local(md_dwarf *d, const md_func *f, const in_scope *v,
                            uint64_t pc, int cfa_base, md_local *l, md_err *err)
{
	Dwarf_Die die = NULL;
	memset(l, 0, sizeof *l);
	l->is_param = v->is_param;
	md_status st = md_dw_die(d, v->die, &die, err);
	if (st == MD_OK)
		st = md_dw_origin_name(d, die, l->name, sizeof l->name, err);
	if (st == MD_OK)
		st = var_type(d, die, &l->type, err);
	/* A location list says nothing outside its function; a plain
	 * expression would, wrongly. */
	if (st == MD_OK && pc >= f->lo && pc < f->hi)
		st = md_dw_location(d, die, pc, cfa_base, l, err);
	md_dw_free_die(d, die);
	return st;
}

/* The DIEs in scope at pc of the subprogram at off, and whether its frame
 * base is the CFA there. */
static md_status collect(md_dwarf *d, uint64_t off, scope_walk *w, int *cfa_base,
                         md_err *err)
{
	Dwarf_Die fn = NULL;
	md_status st = md_dw_subprogram(d, off, &fn, err);
	if (st == MD_OK)
		st = md_dw_frame_base_is_cfa(d, fn, w->pc, cfa_base, err);
	if (st == MD_OK)
		st = walk_scope(d, w, fn, 0, err);
	md_dw_free_die(d, fn);
	return st;
}

md_status md_dwarf_each_local(md_dwarf *d, const md_func *f, uint64_t pc,
                              md_local_fn fn, void *arg, md_err *err)
{
	uint64_t off = 0;
	Dwarf_Debug main = NULL;
	scope_walk w = { .pc = pc };
	int cfa_base = 0;
	md_status st = md_dw_func_off(d, f, &off, err);
	if (st != MD_OK)
		return st;
	if (md_dw_all_begin(d, &main, err) != MD_OK)
		return MD_E_DWARF;
	st = collect(d, off, &w, &cfa_base, err);
	md_dw_all_end(d, main);
	for (size_t i = 0; st == MD_OK && i < w.n; i++) {
		md_local l;
		if (md_dw_all_begin(d, &main, err) != MD_OK) {
			st = MD_E_DWARF;
			break;
		}
		st = read_local(d, f, &w.v[i], pc, cfa_base, &l, err);
		md_dw_all_end(d, main);
		if (st == MD_OK && fn(arg, &l))
			break;
	}
	free(w.v);
	return st;
}
