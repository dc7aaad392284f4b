/* md_dwinline.c - the inlined calls at a pc (md_dwarf_inline_at).
 *
 * Go's compiler writes an inlined call as a DW_TAG_inlined_subroutine
 * inside the DW_TAG_subprogram it was inlined into (or inside the inlined
 * call, or lexical block, that holds it): its code (DW_AT_low_pc/high_pc
 * or DW_AT_ranges), the function (DW_AT_abstract_origin, whose DW_AT_name
 * is "runtime.mPark"), and where the call is (DW_AT_call_file, a file
 * number of the compile unit's line program, and DW_AT_call_line).  The
 * line table at a pc inside inlined code gives the innermost callee's
 * line, so without these the physical frame is named after the outer
 * function with a line of the inner one.
 *
 * A function's inlined calls are read once, on first need, into flat
 * arrays kept on its md_dw_fn (md_dwsym.c's per-CU function list): the
 * calls, each with its parent, name and call position resolved (through
 * the file table of the CU's line program, not its rows), and their
 * address ranges.  A lookup then reads no DWARF but, when asked, the line
 * table row at pc.  Every DIE is hostile: nesting, the number of calls and of ranges
 * are bounded, parents always come before their children (no cycle can
 * form), and a call without an origin name or a call position keeps "?"
 * or 0 rather than failing the frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* Go's inliner nests a few calls deep (its budget stops long chains);
 * deeper DIE nesting than this is a malformed file. */
#define INL_MAX_NEST   64
/* runtime.schedule, among the largest, has a few hundred inlined calls;
 * more than this is not a function Go compiled. */
#define INL_MAX_NODES  20000
#define INL_MAX_RANGES 60000

#define NO_PARENT UINT32_MAX

/* One inlined call. */
typedef struct inl_node {
	uint32_t parent;    /* the inlined call holding this one, or NO_PARENT */
	uint32_t depth;     /* 0 for a call made by the function itself */
	int call_line;      /* 0 when DWARF has none */
	char *name;         /* the inlined function's name; "?" if none */
	char *call_file;    /* where the call is; "" if unknown */
} inl_node;

/* One address range of an inlined call. */
typedef struct inl_range {
	uint64_t lo, hi;
	uint32_t node;
} inl_range;

struct md_dw_inl {
	int state;          /* 1 read, -1 failed (not tried again) */
	inl_node *nodes;
	size_t nnodes, ncap;
	inl_range *ranges;
	size_t nranges, rcap;
};

void md_dw_inl_free(struct md_dw_inl *inl)
{
	if (!inl)
		return;
	for (size_t i = 0; i < inl->nnodes; i++) {
		free(inl->nodes[i].name);
		free(inl->nodes[i].call_file);
	}
	free(inl->nodes);
	free(inl->ranges);
	free(inl);
}

/* The walk of one function's DIE tree. */
typedef struct inl_walk {
	struct md_dw_inl *inl;
	uint64_t fn_lo;     /* a pc of the function: finds its CU's files */
	uint32_t node;      /* the call whose ranges are being added */
} inl_walk;

static md_status add_range(md_dwarf *d, void *arg, uint64_t lo, uint64_t hi, md_err *err)
{
	(void)d;
	inl_walk *w = arg;
	struct md_dw_inl *inl = w->inl;
	if (inl->nranges == INL_MAX_RANGES)
		return md_err_set(err, MD_E_DWARF, "more than %d inlined ranges in one function",
		                  INL_MAX_RANGES);
	if (inl->nranges == inl->rcap) {
		size_t cap = inl->rcap ? 2 * inl->rcap : 16;
		inl_range *r = realloc(inl->ranges, cap * sizeof *r);
		if (!r)
			return md_err_set(err, MD_E_NOMEM, "inlined calls");
		inl->ranges = r;
		inl->rcap = cap;
	}
	inl->ranges[inl->nranges++] = (inl_range){ lo, hi, w->node };
	return MD_OK;
}

/* The call position of an inlined call DIE: file name and line, left ""
 * and 0 where DWARF lacks them or names a file that is not there. */
static md_status call_pos(md_dwarf *d, Dwarf_Die die, uint64_t fn_lo, char *file, size_t n,
                          int *line, md_err *err)
{
	Dwarf_Unsigned v = 0;
	file[0] = '\0';
	*line = 0;
	md_status st = md_dw_udata(d, die, DW_AT_call_line, &v, err);
	if (st == MD_OK)
		*line = v > 0x7fffffff ? 0x7fffffff : (int)v;
	else if (st != MD_NOTFOUND)
		return st;
	st = md_dw_udata(d, die, DW_AT_call_file, &v, err);
	if (st == MD_OK) {
		md_err e;
		if (md_dw_file_name(d, fn_lo, v, file, n, &e) != MD_OK)
			file[0] = '\0';
	} else if (st != MD_NOTFOUND) {
		return st;
	}
	return MD_OK;
}

/* Add the inlined call at die (child of parent) and its ranges. */
static md_status add_node(md_dwarf *d, inl_walk *w, Dwarf_Die die, uint32_t parent,
                          uint32_t depth, md_err *err)
{
	struct md_dw_inl *inl = w->inl;
	if (inl->nnodes == INL_MAX_NODES)
		return md_err_set(err, MD_E_DWARF, "more than %d inlined calls in one function",
		                  INL_MAX_NODES);
	if (inl->nnodes == inl->ncap) {
		size_t cap = inl->ncap ? 2 * inl->ncap : 16;
		inl_node *p = realloc(inl->nodes, cap * sizeof *p);
		if (!p)
			return md_err_set(err, MD_E_NOMEM, "inlined calls");
		inl->nodes = p;
		inl->ncap = cap;
	}
	char name[256], file[256];
	int line = 0;
	md_status st = md_dw_origin_name(d, die, name, sizeof name, err);
	if (st == MD_OK)
		st = call_pos(d, die, w->fn_lo, file, sizeof file, &line, err);
	if (st != MD_OK)
		return st;
	inl_node *x = &inl->nodes[inl->nnodes];
	x->parent = parent;
	x->depth = depth;
	x->call_line = line;
	x->name = strdup(name[0] ? name : "?");
	x->call_file = strdup(file);
	if (!x->name || !x->call_file) {
		free(x->name);
		free(x->call_file);
		return md_err_set(err, MD_E_NOMEM, "inlined calls");
	}
	w->node = (uint32_t)inl->nnodes++;
	st = md_dw_each_range(d, die, add_range, w, err);
	return st == MD_NOTFOUND ? MD_OK : st;   /* a call without code */
}

/* Walk the children of die: inlined calls (and what they hold) and
 * lexical blocks (which may hold calls); parent is the inlined call die
 * is, or NO_PARENT for the function itself. */
static md_status walk(md_dwarf *d, inl_walk *w, Dwarf_Die die, uint32_t parent, uint32_t depth,
                      int nest, md_err *err)
{
	if (nest > INL_MAX_NEST)
		return md_err_set(err, MD_E_DWARF, "inlined calls nested more than %d deep",
		                  INL_MAX_NEST);
	Dwarf_Die c = NULL;
	md_status st = md_dw_child(d, die, &c, err);
	while (st == MD_OK && c) {
		Dwarf_Half tag = 0;
		st = md_dw_tag(d, c, &tag, err);
		if (st == MD_OK && tag == DW_TAG_inlined_subroutine) {
			st = add_node(d, w, c, parent, depth, err);
			if (st == MD_OK)
				st = walk(d, w, c, w->node, depth + 1, nest + 1, err);
		} else if (st == MD_OK && tag == DW_TAG_lexical_block) {
			st = walk(d, w, c, parent, depth, nest + 1, err);
		}
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, c, &next, err);
		md_dw_free_die(d, c);
		c = next;
	}
	md_dw_free_die(d, c);
	return st;
}

static int range_cmp(const void *a, const void *b)
{
	const inl_range *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->node < y->node ? -1 : x->node > y->node;
}

/* Read fn's inlined calls, once; a failure is remembered. */
static md_status load(md_dwarf *d, md_dw_fn *fn, md_err *err)
{
	if (fn->inl)
		return fn->inl->state > 0 ? MD_OK :
		       md_err_set(err, MD_E_DWARF, "%s: unreadable inlined calls at 0x%llx",
		                  d->info.dwarf_path, (unsigned long long)fn->lo);
	struct md_dw_inl *inl = calloc(1, sizeof *inl);
	if (!inl)
		return md_err_set(err, MD_E_NOMEM, "inlined calls");
	inl_walk w = { inl, fn->lo, 0 };
	Dwarf_Die die = NULL;
	md_status st = md_dw_die(d, fn->die_off, &die, err);
	if (st == MD_OK)
		st = walk(d, &w, die, NO_PARENT, 0, 0, err);
	md_dw_free_die(d, die);
	if (st == MD_E_NOMEM) {
		md_dw_inl_free(inl);     /* afresh next time */
		return st;
	}
	if (st == MD_OK && inl->nranges > 1)
		qsort(inl->ranges, inl->nranges, sizeof *inl->ranges, range_cmp);
	inl->state = st == MD_OK ? 1 : -1;
	fn->inl = inl;
	return st;
}

/* The innermost inlined call whose ranges hold pc: the deepest such
 * (ranges of nested calls nest); NO_PARENT when none does. */
static uint32_t innermost(const struct md_dw_inl *inl, uint64_t pc)
{
	size_t lo = 0, hi = inl->nranges;
	while (lo < hi) {   /* the ranges with lo <= pc: [0, lo) */
		size_t mid = lo + (hi - lo) / 2;
		if (inl->ranges[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t best = NO_PARENT;
	for (size_t i = 0; i < lo; i++) {
		const inl_range *r = &inl->ranges[i];
		if (pc < r->hi && (best == NO_PARENT ||
		                   inl->nodes[r->node].depth > inl->nodes[best].depth))
			best = r->node;
	}
	return best;
}

md_status md_dwarf_inline_at(md_dwarf *d, uint64_t pc, int want_line, md_inline *out,
                             md_err *err)
{
	memset(out, 0, sizeof *out);
	md_dw_fn *fn = NULL;
	md_status st = md_dw_fn_at(d, pc, &fn, err);
	if (st != MD_OK)
		return st;
	if (!fn)
		return md_err_set(err, MD_NOTFOUND, "no function at 0x%llx",
		                  (unsigned long long)pc);
	if ((st = load(d, fn, err)) != MD_OK)
		return st;
	const struct md_dw_inl *inl = fn->inl;
	uint32_t k = innermost(inl, pc);
	/* innermost first; a parent precedes its child, so depth bounds the
	 * chain, and the count bounds it again */
	int n = 0;
	const char *file = NULL;
	int line = 0;
	for (size_t guard = 0; k != NO_PARENT && guard <= inl->nnodes; guard++) {
		const inl_node *x = &inl->nodes[k];
		if (n < MD_INLINE_MAX) {
			md_inline_frame *f = &out->f[n++];
			snprintf(f->func, sizeof f->func, "%s", x->name);
			if (file) {
				snprintf(f->file, sizeof f->file, "%s", file);
				f->line = line;
			}
		} else {
			out->truncated = 1;
		}
		file = x->call_file;
		line = x->call_line;
		k = x->parent;
	}
	out->n = n;
	if (n > 0) {
		snprintf(out->file, sizeof out->file, "%s", file);
		out->line = line;
	}
	/* the innermost position is the line table's: a big CU's rows cost
	 * more to decode than everything else here, so only when asked */
	if (want_line) {
		md_err e;
		char *f = n > 0 ? out->f[0].file : out->file;
		int *l = n > 0 ? &out->f[0].line : &out->line;
		if (md_dwarf_line_at(d, pc, f, sizeof out->file, l, &e) != MD_OK) {
			f[0] = '\0';
			*l = 0;
		}
	}
	return MD_OK;
}
