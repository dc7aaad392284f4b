/* rtype.c - run-time types (see rtype.h). */
#include "rtype.h"

md_status md_rtypes_load(md_dwarf *d, uint64_t bias, md_rtypes *out, md_err *err)
{
	uint64_t base, off;
	md_type_id t, mt;
	md_err e;
	out->types_base = 0;
	out->itab_type_off = 8;   /* {inter, type, ...} since Go 1.0 */
	out->size_off = 0;        /* {size, ptrdata, ...} since Go 1.0 */
	out->ptrdata_off = 8;
	md_status s = md_dwarf_types_base(d, &base, err);
	if (s != MD_OK)
		return s;
	out->types_base = base + bias;
	if ((md_dwarf_type_by_name(d, "internal/abi.ITab", &t, &e) == MD_OK &&
	     md_dwarf_member(d, t, "Type", &off, &mt, &e) == MD_OK) ||
	    (md_dwarf_type_by_name(d, "runtime.itab", &t, &e) == MD_OK &&
	     md_dwarf_member(d, t, "_type", &off, &mt, &e) == MD_OK))
		out->itab_type_off = off;
	uint64_t so, po;
	if (((md_dwarf_type_by_name(d, "internal/abi.Type", &t, &e) == MD_OK &&
	      md_dwarf_member(d, t, "Size_", &so, &mt, &e) == MD_OK &&
	      md_dwarf_member(d, t, "PtrBytes", &po, &mt, &e) == MD_OK) ||
	     (md_dwarf_type_by_name(d, "runtime._type", &t, &e) == MD_OK &&
	      md_dwarf_member(d, t, "size", &so, &mt, &e) == MD_OK &&
	      md_dwarf_member(d, t, "ptrdata", &po, &mt, &e) == MD_OK)) &&
	    so < 256 && po < 256) {
		out->size_off = so;
		out->ptrdata_off = po;
	}
	return MD_OK;
}

md_status md_rtype_direct_at(md_mem *m, const md_rtypes *rt, uint64_t rtype, int *direct,
                             md_err *err)
{
	uint64_t size, ptrdata;
	if (!md_mem_read64(m, rtype + rt->size_off, &size) ||
	    !md_mem_read64(m, rtype + rt->ptrdata_off, &ptrdata))
		return md_err_set(err, MD_E_MEM, "type descriptor at %#llx unreadable",
		                  (unsigned long long)rtype);
	*direct = size == 8 && ptrdata == 8;
	return MD_OK;
}

typedef struct one_member {
	int n;
	md_type_id type;
} one_member;

static int count_member(void *arg, const char *name, uint64_t off, md_type_id type)
{
	one_member *m = arg;
	(void)name;
	(void)off;
	m->type = type;
	return ++m->n > 1;
}

static int direct(md_dwarf *d, md_type_id type, int depth)
{
	md_type t;
	md_err err;
	if (depth > 16 || md_dwarf_type(d, type, &t, &err) != MD_OK)
		return 0;
	switch (t.kind) {
	case MD_TK_POINTER: case MD_TK_MAP: case MD_TK_CHAN: case MD_TK_FUNC:
		return 1;
	case MD_TK_TYPEDEF:
		return direct(d, t.target, depth + 1);
	case MD_TK_ARRAY:
		return t.count == 1 && direct(d, t.target, depth + 1);
	case MD_TK_STRUCT: {
		one_member m = { 0, 0 };
		md_dwarf_each_member(d, type, count_member, &m, &err);
		return m.n == 1 && direct(d, m.type, depth + 1);
	}
	default:
		return 0;
	}
}

int md_rtype_direct(md_dwarf *d, md_type_id type)
{
	return direct(d, type, 0);
}
