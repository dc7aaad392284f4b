/* md_dwtype.c - Go types as described by DWARF, and struct members.
 *
 * Shapes Go's linker writes (cmd/link/internal/ld/dwarf.go), verified with
 * readelf on Go 1.21..1.27:
 *   - every named or composite type T is a "real" DIE (base, pointer,
 *     structure, array, subroutine, or a typedef for map/chan/interface)
 *     followed by a plain DW_TAG_typedef T -> real DIE, and references
 *     point at the plain typedef.  So `var x main.Outer` has type
 *     typedef "main.Outer" -> structure "main.Outer".
 *   - maps are DW_TAG_typedef with DW_AT_go_kind 21 whose DW_AT_type is a
 *     pointer "*hash<K,V>" (classic) or "*map<K,V>" (Swiss) to the header
 *     struct; no plain typedef is added for "map[...]" names, and a named
 *     map type (`type Cache map[string]int`) is itself such a typedef,
 *     named "main.Cache".  We still follow typedef chains in case a
 *     release wraps it.
 *   - chans are typedefs with go_kind 18 -> "*hchan<T>"; interfaces are
 *     typedefs with go_kind 20 -> runtime.eface / runtime.iface;
 *     slices/strings are structures with go_kind 23/24; unsafe.Pointer is
 *     a pointer DIE without DW_AT_type; pointer DIEs carry no byte size.
 */
#include <stdio.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* Tag and Go kind (0 when absent) of the DIE at off. */
static md_status die_kind(md_dwarf *d, Dwarf_Die die, Dwarf_Half *tag,
                          Dwarf_Unsigned *go_kind, md_err *err)
{
	md_status st = md_dw_tag(d, die, tag, err);
	if (st != MD_OK)
		return st;
	*go_kind = 0;
	st = md_dw_udata(d, die, MD_DW_AT_go_kind, go_kind, err);
	return st == MD_NOTFOUND ? MD_OK : st;
}

md_status md_dw_strip_typedefs(md_dwarf *d, uint64_t off, uint64_t *out,
                               md_err *err)
{
	for (int depth = 0; depth < MD_DW_MAX_DEPTH; depth++) {
		Dwarf_Die die;
		Dwarf_Half tag = 0;
		md_status st = md_dw_die(d, off, &die, err);
		if (st != MD_OK)
			return st;
		st = md_dw_tag(d, die, &tag, err);
		if (st == MD_OK && tag != DW_TAG_typedef) {
			md_dw_free_die(d, die);
			*out = off;
			return MD_OK;
		}
		uint64_t next = 0;
		if (st == MD_OK)
			st = md_dw_ref(d, die, DW_AT_type, &next, err);
		md_dw_free_die(d, die);
		if (st == MD_NOTFOUND) {
			*out = off; /* a typedef of nothing: stop here */
			return MD_OK;
		}
		if (st != MD_OK)
			return st;
		off = next;
	}
	return md_err_set(err, MD_E_DWARF, "%s: typedef cycle at 0x%llx",
	                  d->info.dwarf_path, (unsigned long long)off);
}

/* Element count of an array DIE from its subrange child. */
static md_status array_count(md_dwarf *d, Dwarf_Die arr, uint64_t *count,
                             md_err *err)
{
	Dwarf_Die c = NULL;
	*count = 0;
	md_status st = md_dw_child(d, arr, &c, err);
	while (st == MD_OK && c) {
		Dwarf_Half tag = 0;
		st = md_dw_tag(d, c, &tag, err);
		if (st == MD_OK && tag == DW_TAG_subrange_type) {
			Dwarf_Unsigned v = 0;
			st = md_dw_udata(d, c, DW_AT_count, &v, err);
			if (st == MD_OK) {
				*count = v;
			} else if (st == MD_NOTFOUND) {
				/* Other producers write an upper bound. */
				st = md_dw_udata(d, c, DW_AT_upper_bound, &v, err);
				if (st == MD_OK && v != (Dwarf_Unsigned)-1)
					*count = v + 1;
				if (st == MD_NOTFOUND)
					st = MD_OK;
			}
			md_dw_free_die(d, c);
			return st;
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

md_status md_dw_type_size(md_dwarf *d, uint64_t off, uint64_t *size,
                          md_err *err)
{
	*size = 0;
	for (int depth = 0; depth < MD_DW_MAX_DEPTH; depth++) {
		Dwarf_Die die;
		Dwarf_Half tag = 0;
		Dwarf_Unsigned kind = 0, bs = 0;
		md_status st = md_dw_die(d, off, &die, err);
		if (st != MD_OK)
			return st;
		st = die_kind(d, die, &tag, &kind, err);
		if (st != MD_OK)
			goto out_die;
		if (tag == DW_TAG_pointer_type ||
		    (tag == DW_TAG_typedef &&
		     (kind == MD_GOKIND_MAP || kind == MD_GOKIND_CHAN))) {
			*size = d->ptr_size; /* a map or chan value is a pointer */
			goto out_die;
		}
		if (tag == DW_TAG_typedef) {
			uint64_t next = 0;
			st = md_dw_ref(d, die, DW_AT_type, &next, err);
			md_dw_free_die(d, die);
			if (st != MD_OK)
				return st == MD_NOTFOUND ? MD_OK : st;
			off = next;
			continue;
		}
		st = md_dw_udata(d, die, DW_AT_byte_size, &bs, err);
		if (st == MD_OK) {
			*size = bs;
		} else if (st == MD_NOTFOUND && tag == DW_TAG_array_type) {
			/* No byte size: count * element size. */
			uint64_t n = 0, esz = 0;
			uint64_t elem = 0;
			st = array_count(d, die, &n, err);
			if (st == MD_OK)
				st = md_dw_ref(d, die, DW_AT_type, &elem, err);
			if (st == MD_OK)
				st = md_dw_type_size(d, elem, &esz, err);
			if (st == MD_OK && (esz == 0 || n <= UINT64_MAX / esz))
				*size = n * esz;
			if (st == MD_NOTFOUND)
				st = MD_OK;
		} else if (st == MD_NOTFOUND) {
			st = MD_OK;
		}
	out_die:
		md_dw_free_die(d, die);
		return st;
	}
	return md_err_set(err, MD_E_DWARF, "%s: typedef cycle at 0x%llx",
	                  d->info.dwarf_path, (unsigned long long)off);
}

/* The struct a map/chan typedef's pointer points at: typedefs stripped on
 * both sides of the pointer.  0 when the shape is not that. */
static md_status pointee_struct(md_dwarf *d, Dwarf_Die td, uint64_t *out,
                                md_err *err)
{
	uint64_t p = 0, s = 0;
	Dwarf_Die die;
	Dwarf_Half tag = 0;
	*out = 0;
	md_status st = md_dw_ref(d, td, DW_AT_type, &p, err);
	if (st == MD_OK)
		st = md_dw_strip_typedefs(d, p, &p, err);
	if (st != MD_OK)
		return st == MD_NOTFOUND ? MD_OK : st;
	st = md_dw_die(d, p, &die, err);
	if (st != MD_OK)
		return st;
	st = md_dw_tag(d, die, &tag, err);
	if (st == MD_OK && tag == DW_TAG_pointer_type)
		st = md_dw_ref(d, die, DW_AT_type, &s, err);
	md_dw_free_die(d, die);
	if (st == MD_OK && s)
		st = md_dw_strip_typedefs(d, s, &s, err);
	if (st == MD_OK)
		*out = s;
	return st == MD_NOTFOUND ? MD_OK : st;
}

/* Classify a DW_TAG_typedef: map (anywhere along the typedef chain),
 * chan, interface, or a plain named type. */
static md_status describe_typedef(md_dwarf *d, uint64_t id, Dwarf_Die die,
                                  Dwarf_Unsigned go_kind, md_type *out,
                                  md_err *err)
{
	uint64_t target = 0;
	md_status st = md_dw_ref(d, die, DW_AT_type, &target, err);
	if (st == MD_NOTFOUND)
		target = 0;
	else if (st != MD_OK)
		return st;

	if (go_kind == MD_GOKIND_CHAN || go_kind == MD_GOKIND_INTERFACE) {
		out->kind = go_kind == MD_GOKIND_CHAN ? MD_TK_CHAN : MD_TK_INTERFACE;
		if (go_kind == MD_GOKIND_CHAN) {
			out->size = d->ptr_size;
			return pointee_struct(d, die, &out->target, err); /* hchan<T> */
		}
		out->target = target; /* runtime.eface / runtime.iface */
		return target ? md_dw_type_size(d, target, &out->size, err) : MD_OK;
	}

	/* Look for a map typedef at this level or behind plain typedefs. */
	uint64_t cur = id;
	for (int depth = 0; depth < MD_DW_MAX_DEPTH; depth++) {
		Dwarf_Die cd;
		Dwarf_Half tag = 0;
		Dwarf_Unsigned kind = 0;
		uint64_t next = 0;
		st = md_dw_die(d, cur, &cd, err);
		if (st != MD_OK)
			return st;
		st = die_kind(d, cd, &tag, &kind, err);
		if (st == MD_OK && tag == DW_TAG_typedef && kind == MD_GOKIND_MAP) {
			out->kind = MD_TK_MAP;
			out->size = d->ptr_size;
			st = pointee_struct(d, cd, &out->target, err);
			md_dw_free_die(d, cd);
			return st;
		}
		int go_on = st == MD_OK && tag == DW_TAG_typedef && kind == 0;
		if (go_on)
			st = md_dw_ref(d, cd, DW_AT_type, &next, err);
		md_dw_free_die(d, cd);
		if (st == MD_NOTFOUND || (st == MD_OK && !go_on))
			break;
		if (st != MD_OK)
			return st;
		cur = next;
	}

	out->kind = MD_TK_TYPEDEF;
	out->target = target;
	return target ? md_dw_type_size(d, target, &out->size, err) : MD_OK;
}

md_status md_dwarf_type(md_dwarf *d, md_type_id id, md_type *out, md_err *err)
{
	Dwarf_Die die;
	Dwarf_Half tag = 0;
	Dwarf_Unsigned kind = 0, v = 0;
	memset(out, 0, sizeof *out);
	md_status st = md_dw_die(d, id, &die, err);
	if (st != MD_OK)
		return st;
	st = die_kind(d, die, &tag, &kind, err);
	if (st == MD_OK)
		st = md_dw_name(d, die, out->name, sizeof out->name, err);
	if (st != MD_OK)
		goto out;

	switch (tag) {
	case DW_TAG_typedef:
		st = describe_typedef(d, id, die, kind, out, err);
		goto out;
	case DW_TAG_pointer_type:
		out->kind = MD_TK_POINTER;
		out->size = d->ptr_size;
		st = md_dw_ref(d, die, DW_AT_type, &out->target, err);
		if (st == MD_NOTFOUND) /* unsafe.Pointer */
			st = MD_OK;
		goto out;
	case DW_TAG_base_type:
		out->kind = MD_TK_BASE;
		break;
	case DW_TAG_structure_type:
		out->kind = kind == MD_GOKIND_SLICE    ? MD_TK_SLICE
		            : kind == MD_GOKIND_STRING ? MD_TK_STRING
		                                       : MD_TK_STRUCT;
		if (out->kind == MD_TK_SLICE) {
			st = md_dw_ref(d, die, MD_DW_AT_go_elem, &out->target, err);
			if (st == MD_NOTFOUND) {
				/* No go_elem: the element is what `array` points to. */
				uint64_t moff;
				md_type_id arr = 0;
				md_err e2;
				st = MD_OK;
				if (md_dwarf_member(d, id, "array", &moff, &arr, &e2) == MD_OK) {
					md_type pt;
					if (md_dwarf_type(d, arr, &pt, &e2) == MD_OK &&
					    pt.kind == MD_TK_POINTER)
						out->target = pt.target;
				}
			}
		}
		break;
	case DW_TAG_array_type:
		out->kind = MD_TK_ARRAY;
		st = md_dw_ref(d, die, DW_AT_type, &out->target, err);
		if (st == MD_NOTFOUND)   /* Go names every array's element type */
			st = md_err_set(err, MD_E_DWARF, "%s: array type at 0x%llx has no element type",
			                d->info.dwarf_path, (unsigned long long)id);
		if (st == MD_OK)
			st = array_count(d, die, &out->count, err);
		if (st != MD_OK)
			goto out;
		break;
	case DW_TAG_subroutine_type:
		out->kind = MD_TK_FUNC;
		out->size = d->ptr_size; /* a func value is a pointer */
		break;
	default:
		out->kind = MD_TK_OTHER;
		break;
	}
	/* Sizes (arrays without DW_AT_byte_size are computed). */
	if (tag == DW_TAG_array_type) {
		st = md_dw_type_size(d, id, &out->size, err);
	} else {
		st = md_dw_udata(d, die, DW_AT_byte_size, &v, err);
		if (st == MD_OK)
			out->size = v;
		else if (st == MD_NOTFOUND)
			st = MD_OK;
	}
out:
	md_dw_free_die(d, die);
	return st;
}

/* Append ", name" (or "members: name") to the member list for messages. */
static void list_member(char *buf, size_t cap, size_t *w, const char *name)
{
	if (*w >= cap - 1)
		return;
	int r = snprintf(buf + *w, cap - *w, "%s%s", *w ? ", " : "members: ", name);
	if (r < 0 || (size_t)r >= cap - *w) {
		/* Out of room: end with an ellipsis if it fits. */
		if (cap >= 4)
			memcpy(buf + cap - 4, "...", 4);
		*w = cap - 1;
		return;
	}
	*w += (size_t)r;
}

/* sync/atomic.Pointer[T] keeps its value in `v unsafe.Pointer`; the type
 * T survives only in the zero-length member `_ [0]*T`.  Selecting v gives
 * that element type, a *T, so that paths go on through atomic pointers
 * (sync.Map's read field in Go <= 1.23 is one). */
#define ATOMIC_POINTER "sync/atomic.Pointer["

md_status md_dwarf_each_member(md_dwarf *d, md_type_id struct_id, md_member_fn fn,
                               void *arg, md_err *err)
{
	uint64_t off = 0;
	Dwarf_Die sdie = NULL, m = NULL;
	Dwarf_Half tag = 0;
	char sname[256], mname[256];
	md_type_id atomic_elem = 0;
	/* Callers may hand us the plain typedef of a named struct. */
	md_status st = md_dw_strip_typedefs(d, struct_id, &off, err);
	if (st == MD_OK)
		st = md_dw_die(d, off, &sdie, err);
	if (st == MD_OK)
		st = md_dw_tag(d, sdie, &tag, err);
	if (st == MD_OK)
		st = md_dw_name(d, sdie, sname, sizeof sname, err);
	if (st != MD_OK)
		goto out;
	if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type) {
		st = md_err_set(err, MD_NOTFOUND, "%s is not a struct",
		                sname[0] ? sname : "type");
		goto out;
	}
	int is_atomic = strncmp(sname, ATOMIC_POINTER, strlen(ATOMIC_POINTER)) == 0;
	st = md_dw_child(d, sdie, &m, err);
	while (st == MD_OK && m) {
		st = md_dw_tag(d, m, &tag, err);
		if (st == MD_OK && tag == DW_TAG_member) {
			uint64_t moff = 0;
			md_type_id mt = 0;
			st = md_dw_name(d, m, mname, sizeof mname, err);
			if (st == MD_OK)
				st = md_dw_member_offset(d, m, &moff, err);
			if (st == MD_OK)
				st = md_dw_ref(d, m, DW_AT_type, &mt, err);
			if (st == MD_NOTFOUND)
				st = md_err_set(err, MD_E_DWARF, "%s: member %s of %s has no type",
				                d->info.dwarf_path, mname, sname);
			if (st == MD_OK && is_atomic && strcmp(mname, "_") == 0 && !atomic_elem) {
				md_type at;
				if (md_dwarf_type(d, mt, &at, err) == MD_OK &&
				    at.kind == MD_TK_ARRAY && at.count == 0)
					atomic_elem = at.target;
			}
			if (st == MD_OK && is_atomic && atomic_elem && strcmp(mname, "v") == 0)
				mt = atomic_elem;
			if (st == MD_OK && fn(arg, mname, moff, mt))
				goto out;
		}
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, m, &next, err);
		md_dw_free_die(d, m);
		m = next;
	}
out:
	md_dw_free_die(d, m);
	md_dw_free_die(d, sdie);
	return st;
}

typedef struct member_find {
	const char *name;
	uint64_t *offset;
	md_type_id *type;
	int found;
	char list[sizeof ((md_err *)0)->detail];
	size_t w;
} member_find;

static int find_one(void *arg, const char *name, uint64_t off, md_type_id type)
{
	member_find *f = arg;
	if (strcmp(name, f->name) == 0) {
		*f->offset = off;
		*f->type = type;
		f->found = 1;
		return 1;
	}
	list_member(f->list, sizeof f->list, &f->w, name);
	return 0;
}

md_status md_dwarf_member(md_dwarf *d, md_type_id struct_id, const char *name,
                          uint64_t *offset, md_type_id *type, md_err *err)
{
	member_find f = { .name = name, .offset = offset, .type = type };
	md_status st = md_dwarf_each_member(d, struct_id, find_one, &f, err);
	if (st != MD_OK || f.found)
		return st;
	return md_err_set(err, MD_NOTFOUND, "%s", f.w ? f.list : "no members");
}
