/* md_dwrtype.c - run-time types: from a type descriptor's offset, or a
 * type's name, to its DWARF type.
 *
 * Go's linker writes every type DIE as a top-level child of a compile
 * unit named "runtime" (the runtime package has several CUs; one holds
 * the types), and gives each the attribute DW_AT_go_runtime_type: the
 * offset of its run-time descriptor from the symbol runtime.types
 * (DW_FORM_addr, though it is not an address).  Delve maps descriptors to
 * DIEs the same way; it reads the top level of every CU, which on a large
 * service is all of .debug_info, so only the runtime CUs are read here.
 *
 * One pass over the top level of those CUs builds two sorted arrays,
 * kept until md_dwarf_free: offset -> DIE, and hash of name -> DIE.  The
 * name array holds no names: a lookup reads the DIE the hash points at
 * and compares its name, so a hash collision costs a DIE read, and the
 * index stays 16 bytes a type.  Where several DIEs share an offset or a
 * name, the first in .debug_info wins, as in delve.  Offset 0 is not
 * indexed: the linker writes it for types without a descriptor (a
 * thousand of them in a small program), and the runtime reads a type
 * offset of 0 as nil (resolveTypeOff).  When the symbol table says where
 * the descriptors end (runtime.etypes), a value past them is dropped,
 * unless it is one of them by address: Go 1.21 and 1.22 write uintptr's
 * attribute as runtime.types + offset.
 */
#include <stdlib.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* A DIE takes at least a byte; when .debug_info's size is unknown, this
 * bounds the walk instead. */
#define MAX_DIES_FALLBACK ((size_t)1 << 28)

typedef struct rt_build {
	md_dw_tkey *off, *name;
	size_t noff, nname, capoff, capname;
	size_t seen, max;    /* DIEs looked at, and the most there can be */
	uint64_t types, span; /* runtime.types, runtime.etypes - runtime.types;
	                         span 0 when the symbols are unknown */
} rt_build;

static int tkey_cmp(const void *a, const void *b)
{
	const md_dw_tkey *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->die < y->die ? -1 : x->die > y->die;
}

static md_status push(md_dw_tkey **arr, size_t *n, size_t *cap, uint64_t key,
                      uint64_t die, md_err *err)
{
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 1024;
		md_dw_tkey *p = realloc(*arr, ncap * sizeof *p);
		if (!p)
			return md_err_set(err, MD_E_NOMEM, "run-time type index");
		*arr = p;
		*cap = ncap;
	}
	(*arr)[(*n)++] = (md_dw_tkey){ key, die };
	return MD_OK;
}

/* The tags of the DIEs that name types (what a name lookup may return):
 * not the functions, variables and constants that share the CU. */
static int is_type_tag(Dwarf_Half tag)
{
	switch (tag) {
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_typedef:
	case DW_TAG_array_type:
	case DW_TAG_subroutine_type:
	case DW_TAG_unspecified_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
		return 1;
	default:
		return 0;
	}
}

/* DW_AT_go_runtime_type of die: MD_OK, MD_NOTFOUND when it has none (or
 * in a form that holds no number), MD_E_DWARF. */
static md_status runtime_off(md_dwarf *d, Dwarf_Die die, uint64_t *off, md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Attribute a = NULL;
	Dwarf_Half form = 0;
	int rc = dwarf_attr(die, MD_DW_AT_go_runtime_type, &a, &e);
	if (rc == DW_DLV_NO_ENTRY)
		return MD_NOTFOUND;
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_go_runtime_type");
	md_status st = MD_NOTFOUND;
	rc = dwarf_whatform(a, &form, &e);
	if (rc == DW_DLV_OK && form == DW_FORM_addr) {
		Dwarf_Addr v = 0;
		rc = dwarf_formaddr(a, &v, &e);
		*off = v;
		st = MD_OK;
	} else if (rc == DW_DLV_OK && (form == DW_FORM_data1 || form == DW_FORM_data2 ||
	                               form == DW_FORM_data4 || form == DW_FORM_data8 ||
	                               form == DW_FORM_udata)) {
		Dwarf_Unsigned v = 0;
		rc = dwarf_formudata(a, &v, &e);
		*off = v;
		st = MD_OK;
	}
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_go_runtime_type");
	return st;
}

/* Index one top-level DIE of a runtime CU. */
static md_status index_die(md_dwarf *d, rt_build *b, Dwarf_Die die, md_err *err)
{
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;
	Dwarf_Half tag = 0;
	uint64_t rt = 0;
	md_status st = md_dw_tag(d, die, &tag, err);
	if (st != MD_OK)
		return st;
	if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a DIE offset");
	st = runtime_off(d, die, &rt, err);
	/* Go 1.21 and 1.22 write uintptr's as an address (types + offset);
	 * what lies in neither range describes nothing. */
	if (st == MD_OK && b->span && rt >= b->span)
		rt = rt >= b->types && rt - b->types < b->span ? rt - b->types : 0;
	if (st == MD_OK && rt)
		st = push(&b->off, &b->noff, &b->capoff, rt, off, err);
	if (st != MD_OK && st != MD_NOTFOUND)
		return st;
	if (!is_type_tag(tag))
		return MD_OK;
	char *name = NULL;
	int rc = dwarf_diename(die, &name, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading DW_AT_name");
	if (rc != DW_DLV_OK || !name || !name[0])
		return MD_OK;
	return push(&b->name, &b->nname, &b->capname,
	            md_fnv64(MD_FNV64_INIT, name, strlen(name)), off, err);
}

/* The top level of a CU named "runtime" (the others hold no types). */
static md_status index_cu(md_dwarf *d, Dwarf_Die cu, Dwarf_Half ver, void *arg,
                          md_err *err)
{
	(void)ver;
	rt_build *b = arg;
	Dwarf_Error e = NULL;
	char *cu_name = NULL;
	int rc = dwarf_diename(cu, &cu_name, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading a CU's name");
	if (rc != DW_DLV_OK || !cu_name || strcmp(cu_name, "runtime") != 0)
		return MD_OK;
	Dwarf_Die die = NULL;
	md_status st = md_dw_child(d, cu, &die, err);
	while (st == MD_OK && die) {
		if (++b->seen > b->max)
			st = md_err_set(err, MD_E_DWARF, "%s: more DIEs than .debug_info has bytes",
			                d->info.dwarf_path);
		if (st == MD_OK)
			st = index_die(d, b, die, err);
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, die, &next, err);
		md_dw_free_die(d, die);
		die = next;
	}
	md_dw_free_die(d, die);
	return st;
}

void md_dw_rtypes_free(md_dwarf *d)
{
	free(d->rt_off);
	free(d->rt_name);
	d->rt_off = d->rt_name = NULL;
	d->nrt_off = d->nrt_name = 0;
	d->rtypes_state = 0;
}

/* Build the index once; a malformed file poisons it (every later lookup
 * says MD_E_DWARF), running out of memory does not. */
static md_status build(md_dwarf *d, md_err *err)
{
	if (d->rtypes_state == 1)
		return MD_OK;
	if (d->rtypes_state == -1)
		return md_err_set(err, MD_E_DWARF, "%s: unreadable type DIEs",
		                  d->info.dwarf_path);
	rt_build b = { .max = MAX_DIES_FALLBACK };
	const unsigned char *p = NULL;
	uint64_t info = 0;
	if (md_dwsrc_section(d->src, ".debug_info", &p, &info) && info < b.max)
		b.max = (size_t)info;
	uint64_t etypes = 0;
	md_err ignored;
	if (md_dwarf_types_base(d, &b.types, &ignored) == MD_OK &&
	    md_dw_sym_value(d, "runtime.etypes", &etypes, &ignored) == MD_OK &&
	    etypes > b.types)
		b.span = etypes - b.types;
	md_status st = md_dw_each_cu(d, index_cu, &b, err);
	if (st != MD_OK) {
		free(b.off);
		free(b.name);
		d->rtypes_state = st == MD_E_NOMEM ? 0 : -1;
		return st;
	}
	/* NULL when empty: qsort(NULL, 0, ...) is undefined. */
	if (b.noff > 1)
		qsort(b.off, b.noff, sizeof *b.off, tkey_cmp);
	if (b.nname > 1)
		qsort(b.name, b.nname, sizeof *b.name, tkey_cmp);
	d->rt_off = b.off;
	d->nrt_off = b.noff;
	d->rt_name = b.name;
	d->nrt_name = b.nname;
	d->rtypes_state = 1;
	return MD_OK;
}

/* The first entry of arr[0, n) whose key is >= key. */
static size_t lower_bound(const md_dw_tkey *arr, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (arr[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

md_status md_dwarf_types_base(md_dwarf *d, uint64_t *base, md_err *err)
{
	*base = 0;
	if (d->types_base_state == 0) {
		md_err e;
		md_status st = md_dw_sym_value(d, "runtime.types", &d->types_base, &e);
		d->types_base_state = st == MD_OK ? 1 : -1;
	}
	if (d->types_base_state < 0)
		return md_err_set(err, MD_NOTFOUND, "%s: no symbol runtime.types",
		                  d->info.dwarf_path);
	*base = d->types_base;
	return MD_OK;
}

md_status md_dwarf_type_of_runtime(md_dwarf *d, uint64_t off, md_type_id *out,
                                   md_err *err)
{
	*out = 0;
	md_status st = build(d, err);
	if (st != MD_OK)
		return st;
	size_t i = lower_bound(d->rt_off, d->nrt_off, off);
	if (i == d->nrt_off || d->rt_off[i].key != off)
		return md_err_set(err, MD_NOTFOUND, "no type has run-time offset 0x%llx",
		                  (unsigned long long)off);
	*out = d->rt_off[i].die;
	return MD_OK;
}

/* Whether the DIE at off is named name. */
static md_status named(md_dwarf *d, uint64_t off, const char *name, int *yes,
                       md_err *err)
{
	Dwarf_Die die = NULL;
	Dwarf_Error e = NULL;
	char *s = NULL;
	*yes = 0;
	md_status st = md_dw_die(d, off, &die, err);
	if (st != MD_OK)
		return st;
	int rc = dwarf_diename(die, &s, &e);
	if (rc == DW_DLV_ERROR)
		st = md_dw_fail(d, e, err, "reading DW_AT_name");
	else
		*yes = rc == DW_DLV_OK && s && strcmp(s, name) == 0;
	md_dw_free_die(d, die);
	return st;
}

md_status md_dwarf_type_by_name(md_dwarf *d, const char *name, md_type_id *out,
                                md_err *err)
{
	*out = 0;
	md_status st = build(d, err);
	if (st != MD_OK)
		return st;
	uint64_t h = md_fnv64(MD_FNV64_INIT, name, strlen(name));
	/* Entries of one hash are in DIE order: the first match is the
	 * first such DIE. */
	for (size_t i = lower_bound(d->rt_name, d->nrt_name, h);
	     i < d->nrt_name && d->rt_name[i].key == h; i++) {
		int yes = 0;
		st = named(d, d->rt_name[i].die, name, &yes, err);
		if (st != MD_OK)
			return st;
		if (yes) {
			*out = d->rt_name[i].die;
			return MD_OK;
		}
	}
	return md_err_set(err, MD_NOTFOUND, "no type named %s", name);
}
