/* test_dwarf.c - dwarf/ against real Go binaries.
 *
 * Usage: test_dwarf PATH...
 *   PATH is a binary, a variant directory (testdata/bin/go1.24-noswiss) or
 *   a directory of variant directories (testdata/bin).  Expectations come
 *   from the variant name "go1.NN[-MODE]" (MODE: noswiss pie extld
 *   trimpath nocompress debugfile buildid nodwarf); other names (demo) get
 *   the generic checks only.  The Go version is compared with the first
 *   line of /usr/lib/go-1.NN/VERSION when that file exists.
 *
 * Per binary: md_dwarf_open and md_exe_info; every variable of package
 * main: lookup by name, with field/index suffixes, type description, map
 * layout of every map-typed one (exact amd64 offsets per release);
 * misspelled and unknown names; and, for testdata's maptarget, the named
 * types, struct members, arrays, slices, pointers and the dotted package
 * path it was written to exercise, and the locals in scope at every pc of
 * its main.main and live.Spin; run-time types (runtime.types, every entry
 * of the offset and name index, checked against the descriptors in the
 * executable's own bytes).  Once per run: NOTELF/NOTGO inputs,
 * every debug-file search location and the build-id / CRC rejections
 * (built in a temporary directory from the debugfile/buildid variants),
 * and opening a binary whose .debug_info has been corrupted, many times:
 * any status but a crash, leak or invalid access is fine.
 *
 * White-box: it includes md_dwarf_priv.h to list package main's variables,
 * so that the checks follow whatever testdata declares.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md_test.h"
#include "md_testbin.h"
#include "shape_priv.h"
#include "md_dwarf.h"
#include "md_dwarf_priv.h"
#include "md_cfi.h"

/* Swiss maps: Go 1.24+, unless built with GOEXPERIMENT=noswissmap. */
static md_map_impl impl_of(const char *go_version)
{
	int minor = 0;
	if (sscanf(go_version, "go1.%d", &minor) != 1)
		return 0;
	return minor >= 24 && !strstr(go_version, "noswissmap") ? MD_IMPL_SWISS
	                                                        : MD_IMPL_HMAP;
}

static int go_minor(const char *go_version)
{
	int minor = 0;
	return sscanf(go_version, "go1.%d", &minor) == 1 ? minor : 0;
}

/* ---- opening ----------------------------------------------------------- */

typedef struct opened {
	int fd;
	md_dwarf *d;
	md_status st;
	md_err err;
} opened;

static void open_bin(opened *o, const char *path, const char *exe_path,
                     const char *debug_file, const char *debug_dir)
{
	memset(o, 0, sizeof *o);
	o->fd = open(path, O_RDONLY | O_CLOEXEC);
	md_dwarf_opts opts = { exe_path, o->fd, debug_file, debug_dir };
	o->st = md_dwarf_open(&opts, &o->d, &o->err);
}

static void close_bin(opened *o)
{
	md_dwarf_free(o->d);
	if (o->fd >= 0)
		close(o->fd);
	o->d = NULL;
	o->fd = -1;
}

/* ---- types and layouts ------------------------------------------------- */

/* Follow MD_TK_TYPEDEF to the underlying description. */
static int resolve(md_dwarf *d, md_type_id id, md_type *t, md_type_id *out)
{
	md_err e;
	for (int i = 0; i < 16; i++) {
		if (md_dwarf_type(d, id, t, &e) != MD_OK)
			return T(0, "md_dwarf_type(0x%llx): %s", (unsigned long long)id,
			         e.detail);
		if (t->kind != MD_TK_TYPEDEF) {
			if (out)
				*out = id;
			return 1;
		}
		if (!T(t->target != 0, "typedef %s without target", t->name))
			return 0;
		id = t->target;
	}
	return T(0, "typedef chain too long");
}

#define FLD(f, o, s) \
	T(l.f.off == (o) && l.f.size == (s), "%s: " #f " = %lld/%u, want %d/%d", \
	  l.type_name, (long long)l.f.off, l.f.size, (int)(o), (int)(s))
#define ABSENT(f) T(l.f.off == -1, "%s: " #f " at %lld", l.type_name, \
	                (long long)l.f.off)

static void check_layout(md_dwarf *d, md_type_id id, const char *var)
{
	const md_exe_info *x = md_dwarf_exe(d);
	md_map_layout l;
	md_err e;
	md_status st = md_dwarf_map_layout(d, id, &l, &e);
	if (!T(st == MD_OK, "layout of %s: %d %s", var, st, e.detail))
		return;
	md_map_impl want = impl_of(x->go_version);
	int minor = go_minor(x->go_version);
	T(l.impl == want, "%s: impl %d, want %d", var, l.impl, want);
	T(l.type_name[0] != '\0', "%s: no type name", var);
	T(strncmp(l.header_type, l.impl == MD_IMPL_SWISS ? "map<" : "hash<",
	          l.impl == MD_IMPL_SWISS ? 4 : 5) == 0,
	  "%s: header type %s", var, l.header_type);
	/* Every present field lies inside its struct. */
	const md_field *hdr[] = { &l.count, &l.flags, &l.B, &l.noverflow,
		&l.hash0, &l.buckets, &l.oldbuckets, &l.nevacuate, &l.extra,
		&l.used, &l.seed, &l.dirPtr, &l.dirLen, &l.globalDepth,
		&l.globalShift, &l.writing, &l.tombstonePossible, &l.clearSeq };
	for (size_t i = 0; i < sizeof hdr / sizeof *hdr; i++)
		T(hdr[i]->off < 0 || (uint64_t)hdr[i]->off + hdr[i]->size <= l.header_size,
		  "%s: header field %zu outside %llu bytes", var, i,
		  (unsigned long long)l.header_size);
	const md_field *tab[] = { &l.t_used, &l.t_capacity, &l.t_growthLeft,
		&l.t_localDepth, &l.t_index, &l.t_groups_data,
		&l.t_groups_lengthMask };
	for (size_t i = 0; i < sizeof tab / sizeof *tab; i++)
		T(tab[i]->off < 0 || (uint64_t)tab[i]->off + tab[i]->size <= l.table_size,
		  "%s: table field %zu outside %llu bytes", var, i,
		  (unsigned long long)l.table_size);

#if X86
	if (l.impl == MD_IMPL_HMAP) {
		/* clearSeq exists only in 1.24/1.25 noswiss hmap. */
		int cs = minor >= 24;
		FLD(count, 0, 8);
		FLD(flags, 8, 1);
		FLD(B, 9, 1);
		FLD(noverflow, 10, 2);
		FLD(hash0, 12, 4);
		FLD(buckets, 16, 8);
		FLD(oldbuckets, 24, 8);
		FLD(nevacuate, 32, 8);
		if (cs)
			FLD(clearSeq, 40, 8);
		else
			ABSENT(clearSeq);
		FLD(extra, cs ? 48 : 40, 8);
		T(l.header_size == (cs ? 56u : 48u), "%s: header %llu", var,
		  (unsigned long long)l.header_size);
		T(l.bucket_size > 8 && l.bucket_size % 8 == 0, "%s: bucket %llu",
		  var, (unsigned long long)l.bucket_size);
		if (strcmp(l.type_name, "map[string]int") == 0)
			T(l.bucket_size == 208, "bucket<string,int> is %llu",
			  (unsigned long long)l.bucket_size);
		if (strcmp(l.type_name, "map[int]int") == 0)
			T(l.bucket_size == 144, "bucket<int,int> is %llu",
			  (unsigned long long)l.bucket_size);
		ABSENT(used);
		ABSENT(dirPtr);
		ABSENT(t_groups_data);
		T(l.group_size == 0 && l.table_size == 0, "%s: Swiss sizes set", var);
	} else {
		FLD(used, 0, 8);
		FLD(seed, 8, 8);
		FLD(dirPtr, 16, 8);
		FLD(dirLen, 24, 8);
		FLD(globalDepth, 32, 1);
		FLD(globalShift, 33, 1);
		FLD(writing, 34, 1);
		if (minor >= 25)
			FLD(tombstonePossible, 35, 1);
		else
			ABSENT(tombstonePossible);
		FLD(clearSeq, 40, 8);
		T(l.header_size == 48, "%s: header %llu", var,
		  (unsigned long long)l.header_size);
		T(l.table_size == 32, "%s: table %llu", var,
		  (unsigned long long)l.table_size);
		FLD(t_used, 0, 2);
		FLD(t_capacity, 2, 2);
		FLD(t_growthLeft, 4, 2);
		FLD(t_localDepth, 6, 1);
		FLD(t_index, 8, 8);
		FLD(t_groups_data, 16, 8);
		FLD(t_groups_lengthMask, 24, 8);
		T(l.group_size > 8 && (l.group_size - 8) % 8 == 0, "%s: group %llu",
		  var, (unsigned long long)l.group_size);
		if (strcmp(l.type_name, "map[string]int") == 0)
			T(l.group_size == 200, "group[string]int is %llu",
			  (unsigned long long)l.group_size);
		if (strcmp(l.type_name, "map[int]int") == 0)
			T(l.group_size == 136, "group[int]int is %llu",
			  (unsigned long long)l.group_size);
		ABSENT(count);
		ABSENT(buckets);
		T(l.bucket_size == 0, "%s: bucket size set", var);
	}
#else
	(void)minor;
#endif
}

/* ---- variables --------------------------------------------------------- */

/* find_var expecting success with the given name length. */
static int find_ok(md_dwarf *d, const char *expr, size_t want_len,
                   uint64_t *addr, md_type_id *type)
{
	size_t n = 0;
	uint64_t a = 0;
	md_type_id t = 0;
	md_err e;
	md_status st = md_dwarf_find_var(d, expr, &n, &a, &t, &e);
	if (!T(st == MD_OK, "find_var(%s): %d %s", expr, st, e.detail))
		return 0;
	T(n == want_len, "find_var(%s): name_len %zu, want %zu", expr, n, want_len);
	T(a != 0 && t != 0, "find_var(%s): addr 0x%llx type 0x%llx", expr,
	  (unsigned long long)a, (unsigned long long)t);
	if (addr)
		*addr = a;
	if (type)
		*type = t;
	return 1;
}

/* find_var expecting MD_NOTFOUND; detail must contain `hint` if given. */
static void find_missing(md_dwarf *d, const char *expr, const char *hint)
{
	size_t n;
	uint64_t a;
	md_type_id t;
	md_err e = { 0 };
	md_status st = md_dwarf_find_var(d, expr, &n, &a, &t, &e);
	T(st == MD_NOTFOUND, "find_var(%s): %d, want NOTFOUND", expr, st);
	if (hint)
		T(strstr(e.detail, hint) != NULL, "find_var(%s): detail '%s' lacks '%s'",
		  expr, e.detail, hint);
	else
		T(strstr(e.detail, "did you mean") == e.detail || !e.detail[0],
		  "find_var(%s): odd detail '%s'", expr, e.detail);
}

/* The variables of package main, read through the private CU list. */
static size_t main_vars(md_dwarf *d, const md_dw_var **out, size_t cap)
{
	size_t n = 0, len;
	uint64_t a;
	md_type_id t;
	md_err e;
	/* Any lookup in main loads main's CUs. */
	md_dwarf_find_var(d, "main.\x01", &len, &a, &t, &e);
	for (size_t i = 0; i < d->ncus; i++)
		if (strcmp(d->cus[i].name, "main") == 0 && d->cus[i].loaded)
			for (size_t j = 0; j < d->cus[i].nvars && n < cap; j++)
				out[n++] = &d->cus[i].vars[j];
	return n;
}

static void check_var(md_dwarf *d, const md_dw_var *v)
{
	char expr[1200];
	uint64_t a = 0;
	md_type_id t = 0;
	if (!find_ok(d, v->name, v->len, &a, &t))
		return;
	T(a == v->addr && t == v->type, "%s: lookup differs from the CU list",
	  v->name);
	/* Field and index suffixes do not change the variable. */
	snprintf(expr, sizeof expr, "%s.f.g", v->name);
	find_ok(d, expr, v->len, NULL, NULL);
	snprintf(expr, sizeof expr, "%s[3].x", v->name);
	find_ok(d, expr, v->len, NULL, NULL);
	snprintf(expr, sizeof expr, "%s[\"k.e[y\"]", v->name);
	find_ok(d, expr, v->len, NULL, NULL);
	/* A longer identifier is a different name. */
	snprintf(expr, sizeof expr, "%sQzx", v->name);
	find_missing(d, expr, NULL);

	md_type ty;
	md_type_id rid;
	if (!resolve(d, t, &ty, &rid))
		return;
	md_err e;
	md_type top;
	T(md_dwarf_type(d, t, &top, &e) == MD_OK && top.name[0], "%s: unnamed type",
	  v->name);
	if (ty.kind == MD_TK_MAP) {
		T(ty.size == 8 && ty.target != 0, "%s: map size %llu target %llx",
		  v->name, (unsigned long long)ty.size, (unsigned long long)ty.target);
		check_layout(d, rid, v->name);
	} else if (ty.kind == MD_TK_STRUCT) {
		uint64_t off;
		md_type_id mt;
		md_status st = md_dwarf_member(d, t, "no_such_member", &off, &mt, &e);
		T(st == MD_NOTFOUND && (strncmp(e.detail, "members: ", 9) == 0 ||
		                        strcmp(e.detail, "no members") == 0),
		  "%s: member lookup %d '%s'", v->name, st, e.detail);
	} else if (ty.kind == MD_TK_SLICE) {
		uint64_t o1, o2, o3;
		md_type_id m1, m2, m3;
		T(ty.target != 0 && ty.size == 24, "%s: slice elem/size", v->name);
		T(md_dwarf_member(d, t, "array", &o1, &m1, &e) == MD_OK &&
		  md_dwarf_member(d, t, "len", &o2, &m2, &e) == MD_OK &&
		  md_dwarf_member(d, t, "cap", &o3, &m3, &e) == MD_OK &&
		  o1 == 0 && o2 == 8 && o3 == 16, "%s: slice members", v->name);
	} else if (ty.kind == MD_TK_ARRAY) {
		md_type et;
		T(ty.target && md_dwarf_type(d, ty.target, &et, &e) == MD_OK &&
		  ty.size == ty.count * et.size, "%s: array %llu x %llu != %llu",
		  v->name, (unsigned long long)ty.count, (unsigned long long)et.size,
		  (unsigned long long)ty.size);
	}
}

/* Swap the last two letters of main's first suitable variable: the
 * lookup must fail and suggest the real name. */
static void check_misspelling(md_dwarf *d, const md_dw_var **vars, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = vars[i]->name;
		size_t len = vars[i]->len;
		if (len < 10 || strstr(name, "..") || name[len - 1] == name[len - 2])
			continue;
		char bad[1100];
		snprintf(bad, sizeof bad, "%s", name);
		bad[len - 1] = name[len - 2];
		bad[len - 2] = name[len - 1];
		int clash = 0;
		for (size_t j = 0; j < n; j++)
			clash |= strcmp(vars[j]->name, bad) == 0;
		if (clash)
			continue;
		find_missing(d, bad, name);
		strcat(bad, ".field");
		find_missing(d, bad, name);
		return;
	}
	T(0, "no variable of main fit for a misspelling test");
}

/* testdata/maps/cmd/maptarget: the shapes it declares for mapdiag. */
static void check_maptarget(md_dwarf *d)
{
	md_type_id t, mt, it;
	md_type ty;
	uint64_t off;
	md_err e;

	if (find_ok(d, "main.holder.m", 11, NULL, &t)) {
		md_type_id st;
		if (resolve(d, t, &ty, &st)) {
			T(ty.kind == MD_TK_STRUCT && strcmp(ty.name, "main.Holder") == 0,
			  "holder: %d %s", ty.kind, ty.name);
			T(md_dwarf_member(d, t, "m", &off, &mt, &e) == MD_OK && off == 16,
			  "Holder.m at %llu", (unsigned long long)off);
			T(md_dwarf_type(d, mt, &ty, &e) == MD_OK && ty.kind == MD_TK_MAP &&
			  strcmp(ty.name, "map[string]int") == 0, "Holder.m: %s", ty.name);
			T(md_dwarf_member(d, t, "inner", &off, &it, &e) == MD_OK && off == 24,
			  "Holder.inner");
			T(md_dwarf_type(d, it, &ty, &e) == MD_OK && ty.kind == MD_TK_POINTER &&
			  ty.target, "Holder.inner is a pointer");
			T(ty.target && md_dwarf_member(d, ty.target, "m", &off, &mt, &e) ==
			  MD_OK && off == 24, "Inner.m at %llu", (unsigned long long)off);
			md_status s = md_dwarf_member(d, t, "nosuch", &off, &mt, &e);
			T(s == MD_NOTFOUND && strcmp(e.detail, "members: name, m, inner") == 0,
			  "Holder.nosuch: %d '%s'", s, e.detail);
		}
	}
	if (find_ok(d, "main.arr[2]", 8, NULL, &t) && resolve(d, t, &ty, NULL)) {
		T(ty.kind == MD_TK_ARRAY && ty.count == 4 && ty.size == 32, "arr");
		T(md_dwarf_type(d, ty.target, &ty, &e) == MD_OK && ty.kind == MD_TK_MAP &&
		  strcmp(ty.name, "map[int]int") == 0, "arr elem %s", ty.name);
	}
	if (find_ok(d, "main.shards[1].m", 11, NULL, &t) && resolve(d, t, &ty, NULL)) {
		T(ty.kind == MD_TK_SLICE && ty.size == 24 && ty.target, "shards");
		md_type et;
		T(resolve(d, ty.target, &et, NULL) && et.kind == MD_TK_STRUCT &&
		  strcmp(et.name, "main.Shard") == 0, "shards elem %s", et.name);
		T(md_dwarf_member(d, ty.target, "m", &off, &mt, &e) == MD_OK && off == 8,
		  "Shard.m at %llu", (unsigned long long)off);
	}
	if (find_ok(d, "main.named", 10, NULL, &t)) {
		T(md_dwarf_type(d, t, &ty, &e) == MD_OK && ty.kind == MD_TK_MAP &&
		  strcmp(ty.name, "main.Cache") == 0, "named: %d %s", ty.kind, ty.name);
		md_map_layout l;
		T(md_dwarf_map_layout(d, t, &l, &e) == MD_OK &&
		  strcmp(l.type_name, "main.Cache") == 0, "named layout %s", l.type_name);
	}
	if (find_ok(d, "main.pmap", 9, NULL, &t)) {
		T(md_dwarf_type(d, t, &ty, &e) == MD_OK && ty.kind == MD_TK_POINTER,
		  "pmap");
		T(md_dwarf_type(d, ty.target, &ty, &e) == MD_OK && ty.kind == MD_TK_MAP,
		  "*pmap");
	}
	find_ok(d, "main.ptrToHolder.inner.m", 16, NULL, NULL);
	if (find_ok(d, "example.com/acme/store.Sessions", 31, NULL, &t))
		T(md_dwarf_type(d, t, &ty, &e) == MD_OK && ty.kind == MD_TK_MAP,
		  "Sessions");
	find_ok(d, "example.com/acme/store.Sessions[\"a.b\"]", 31, NULL, NULL);
	find_missing(d, "example.com/acme/store.Sesions",
	             "example.com/acme/store.Sessions");
	find_missing(d, "main.idel", "did you mean main.idle");
	find_missing(d, "exampel.com/acme/store.Sessions",
	             "example.com/acme/store.Sessions");
	/* a short package name: the full path that ends with it, with the
	 * selectors after it (issue 16) */
	find_missing(d, "store.Sessions", "did you mean example.com/acme/store.Sessions?");
	find_missing(d, "acme/store.Sessions[\"a.b\"]",
	             "did you mean example.com/acme/store.Sessions[\"a.b\"]?");
	find_missing(d, "cpu.X86.HasAVX2", "did you mean internal/cpu.X86.HasAVX2?");
	find_missing(d, "ore.Sessions", NULL);

	/* A non-map is refused by the layout reader. */
	if (find_ok(d, "main.holder", 11, NULL, &t)) {
		md_map_layout l;
		T(md_dwarf_map_layout(d, t, &l, &e) == MD_E_NOTMAP, "layout of a struct");
	}
}

/* ---- what scan asks of dwarf/: variables by prefix, members, shapes ---- */

typedef struct names {
	char v[64][128];
	int n;
} names;

static int collect_name(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	names *x = arg;
	if (x->n < 64 && addr && type)
		snprintf(x->v[x->n++], sizeof x->v[0], "%s", name);
	return 0;
}

static int has_name(const names *x, const char *s)
{
	for (int i = 0; i < x->n; i++)
		if (!strcmp(x->v[i], s))
			return 1;
	return 0;
}

static void check_scan(md_dwarf *d, int minor)
{
	md_err e;
	names x = { .n = 0 };
	T(md_dwarf_each_var(d, "example.com/acme/store.", collect_name, &x, &e) == MD_OK &&
	  x.n == 1 && has_name(&x, "example.com/acme/store.Sessions"), "store vars: %d", x.n);
	x.n = 0;
	T(md_dwarf_each_var(d, "main.", collect_name, &x, &e) == MD_OK && x.n >= 15 &&
	  has_name(&x, "main.holder") && has_name(&x, "main.shards") &&
	  !has_name(&x, "example.com/acme/store.Sessions"), "main vars: %d", x.n);
	for (int i = 0; i < x.n; i++)
		T(!strstr(x.v[i], ".."), "compiler temporary %s listed", x.v[i]);

	/* main.holder: .m at 16 and .inner (a pointer) whose .m is at 24 */
	md_type_id t;
	md_shapes sh;
	md_shapes_init(&sh, d);
	int s0 = -1, s3 = -1;
	if (find_ok(d, "main.holder", 11, NULL, &t) &&
	    T(md_shapes_get(&sh, t, 0, &s0, &e) == MD_OK && s0 >= 0, "shape 0") &&
	    T(md_shapes_get(&sh, t, 3, &s3, &e) == MD_OK && s3 >= 0, "shape 3")) {
		const md_shape *a = &sh.shapes[s0], *b = &sh.shapes[s3];
		const md_slot *m = &sh.slots[a->first];
		/* at depth 0 the pointer to Inner is cut, and counted */
		const md_slot *cut = &sh.slots[a->first + 1];
		T(a->n == 2 && m->kind == MD_SLOT_MAP && m->off == 16 &&
		  !strcmp(md_slot_suffix(&sh, m), ".m") && cut->kind == MD_SLOT_CUT &&
		  cut->target == MD_CUT_PTR && cut->off == 24,
		  "depth 0: .m and the cut .inner (%zu slots)", a->n);
		T(b->n == 2, "depth 3: %zu slots", b->n);
		const md_slot *p = &sh.slots[b->first + 1];
		if (T(b->n == 2 && p->kind == MD_SLOT_PTR && p->off == 24 &&
		      !strcmp(md_slot_suffix(&sh, p), ".inner"), "inner")) {
			const md_shape *in = &sh.shapes[p->target];
			const md_slot *im = &sh.slots[in->first];
			T(in->n == 1 && im->kind == MD_SLOT_MAP && im->off == 24, "Inner.m");
		}
	}
	/* main.arr: four map slots [0]..[3], 8 bytes apart */
	int sa = -1;
	if (find_ok(d, "main.arr", 8, NULL, &t) &&
	    T(md_shapes_get(&sh, t, 3, &sa, &e) == MD_OK && sa >= 0, "arr shape")) {
		const md_shape *a = &sh.shapes[sa];
		const md_slot *l = &sh.slots[a->first + 3];
		T(a->n == 4 && l->off == 24 && !strcmp(md_slot_suffix(&sh, l), "[3]"), "arr[3]");
	}
	/* sync.Map: two maps through atomic.Pointer up to 1.23, a note after */
	int sm = -1;
	if (find_ok(d, "reflect.ptrMap", 14, NULL, &t) &&
	    T(md_shapes_get(&sh, t, 3, &sm, &e) == MD_OK && sm >= 0, "sync.Map shape")) {
		const md_shape *a = &sh.shapes[sm];
		if (minor && minor <= 19) {
			/* read is an atomic.Value, an interface: no pointer slot
			 * .read.v (an interface slot if the shapes follow
			 * interfaces), and the dirty map */
			int dirty = 0, bad = 0;
			for (size_t i = 0; i < a->n; i++) {
				const md_slot *r = &sh.slots[a->first + i];
				const char *suf = md_slot_suffix(&sh, r);
				dirty += r->kind == MD_SLOT_MAP && !strcmp(suf, ".dirty");
				bad += !strcmp(suf, ".read.v") && r->kind != MD_SLOT_IFACE;
			}
			T(dirty == 1 && !bad, "sync.Map 1.19: %d slots, dirty %d", (int)a->n, dirty);
		} else if (minor && minor <= 23) {
			const md_slot *r = &sh.slots[a->first], *dm = &sh.slots[a->first + 1];
			T(a->n == 2 && r->kind == MD_SLOT_PTR &&
			  !strcmp(md_slot_suffix(&sh, r), ".read.v") && dm->kind == MD_SLOT_MAP &&
			  !strcmp(md_slot_suffix(&sh, dm), ".dirty"), "sync.Map <= 1.23");
			uint64_t off;
			md_type_id rt, vt;
			md_type ty;
			T(md_dwarf_member(d, t, "read", &off, &rt, &e) == MD_OK &&
			  md_dwarf_member(d, rt, "v", &off, &vt, &e) == MD_OK &&
			  md_dwarf_type(d, vt, &ty, &e) == MD_OK && ty.kind == MD_TK_POINTER &&
			  md_dwarf_type(d, ty.target, &ty, &e) == MD_OK &&
			  !strcmp(ty.name, "sync.readOnly"), "atomic.Pointer.v is *sync.readOnly");
		} else {
			T(a->n == 1 && sh.slots[a->first].kind == MD_SLOT_NOTE, "sync.Map >= 1.24");
		}
	}
	md_shapes_free(&sh);
}

/* ---- locals of a frame ------------------------------------------------- */

static uint64_t sym_lo(const char *bin, const char *name);

#define MAX_SEEN 64

/* What md_dwarf_each_local reported at one pc. */
typedef struct frame {
	md_local v[MAX_SEEN];
	int n, calls;
} frame;

static int collect_local(void *arg, const md_local *l)
{
	frame *f = arg;
	f->calls++;
	if (f->n < MAX_SEEN)
		f->v[f->n++] = *l;
	return 0;
}

static int stop_local(void *arg, const md_local *l)
{
	(void)l;
	int *calls = arg;
	++*calls;
	return 1;
}

static const md_local *local_named(const frame *f, const char *name)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

/* The locals of f at pc into fr; the status of each_local. */
static md_status locals_at(md_dwarf *d, const md_func *f, uint64_t pc, frame *fr,
                           md_err *e)
{
	fr->n = fr->calls = 0;
	return md_dwarf_each_local(d, f, pc, collect_local, fr, e);
}

/* Whether l's type is named name (md_dwarf_type). */
static int type_is(md_dwarf *d, const md_local *l, const char *name)
{
	md_type t;
	md_err e;
	return l && l->type && md_dwarf_type(d, l->type, &t, &e) == MD_OK &&
	       strcmp(t.name, name) == 0;
}

/* The function of symbol name, with its DIE. */
static int func_named(md_dwarf *d, const char *bin, const char *name, md_func *f)
{
	md_err e;
	uint64_t lo = sym_lo(bin, name);
	if (!T(lo != 0, "no symbol %s", name))
		return 0;
	md_status st = md_dwarf_func_at(d, lo, f, &e);
	return T(st == MD_OK && f->lo == lo && f->die, "func_at(%s): %d %s", name, st,
	         e.detail);
}

/* What is true of every local at every pc: a name, a type, a parameter
 * only if it is one, pieces within bounds and sizes that make sense. */
static int local_sane(const md_local *l, int want_param)
{
	if (!l->name[0] || !l->type || l->is_param != want_param || l->npieces < 0 ||
	    l->npieces > MD_LOCAL_MAX_PIECES || (l->not_understood && l->npieces))
		return 0;
	for (int k = 0; k < l->npieces; k++)
		if ((l->npieces == 1) != (l->pieces[k].size == 0) ||
		    l->pieces[k].loc.kind < MD_LOC_NONE || l->pieces[k].loc.kind > MD_LOC_ADDR)
			return 0;
	return 1;
}

/* testdata/maps/cmd/maptarget's main.main: locals tickFlag, threads,
 * churnFlag (pointers, spilled to the frame), line (a []byte in three
 * pieces), and one lexical block each for p, i and err; no parameters;
 * flag.Bool and flag.Int are inlined, with parameters of their own. */
static void check_main_locals(md_dwarf *d, const char *bin, frame *fr)
{
	static const char *const blocks[] = { "p", "i", "err" };
	static const char *const inlined[] = { "name", "value", "usage" };
	md_func f;
	md_err e;
	if (!func_named(d, bin, "main.main", &f))
		return;
	int failed = 0, insane = 0, both = 0, stack = 0, line3 = 0, saw_i = 0, saw_err = 0;
	int inl = 0, nu = 0;
	uint64_t at_i = 0;
	for (uint64_t pc = f.lo; pc < f.hi; pc++) {
		if (locals_at(d, &f, pc, fr, &e) != MD_OK) {
			failed++;
			continue;
		}
		for (int i = 0; i < fr->n; i++)
			insane += !local_sane(&fr->v[i], 0);
		for (size_t k = 0; k < sizeof inlined / sizeof *inlined; k++)
			inl += local_named(fr, inlined[k]) != NULL;
		const md_local *tick = local_named(fr, "tickFlag"), *line = local_named(fr, "line");
		const md_local *i = local_named(fr, "i"), *err = local_named(fr, "err");
		both += i && local_named(fr, "p");
		stack += type_is(d, tick, "*bool") && tick->npieces == 1 &&
		         (tick->pieces[0].loc.kind == MD_LOC_FBREG ||
		          tick->pieces[0].loc.kind == MD_LOC_CFA);
		line3 += type_is(d, line, "[]uint8") && line->npieces == 3 &&
		         line->pieces[0].size == 8 && line->pieces[1].size == 8 &&
		         line->pieces[2].size == 8;
		if (type_is(d, i, "int") && !at_i)
			at_i = pc;
		saw_i += i != NULL;
		saw_err += type_is(d, err, "error");
		for (int k = 0; k < fr->n; k++)
			nu += fr->v[k].not_understood;
	}
	T(failed == 0, "each_local(main.main) failed at %d pcs: %s", failed, e.detail);
	T(insane == 0, "main.main: %d odd locals", insane);
	T(inl == 0, "main.main: %d locals of inlined calls listed", inl);
	T(both == 0, "main.main: p and i, of two blocks, listed together at %d pcs", both);
	T(stack > 0, "main.main: tickFlag never in the frame");
	T(line3 > 0, "main.main: line never in three pieces");
	T(at_i != 0 && saw_err > 0, "main.main: block variables i %d, err %d", saw_i, saw_err);
	T(nu == 0, "main.main: %d locations not understood", nu);

	/* At the entry no block has begun; past the end nothing is
	 * available. */
	uint64_t pcs[2] = { f.lo, f.hi };
	for (int k = 0; k < 2; k++) {
		if (!T(locals_at(d, &f, pcs[k], fr, &e) == MD_OK, "each_local: %s", e.detail))
			continue;
		T(local_named(fr, "tickFlag") && local_named(fr, "threads") &&
		  local_named(fr, "churnFlag") && local_named(fr, "line"),
		  "main.main at +%llu: the function's own locals",
		  (unsigned long long)(pcs[k] - f.lo));
		for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++)
			T(!local_named(fr, blocks[b]), "main.main at +%llu: block variable %s",
			  (unsigned long long)(pcs[k] - f.lo), blocks[b]);
		for (int i = 0; k == 1 && i < fr->n; i++)
			T(fr->v[i].npieces == 0, "%s available past the end", fr->v[i].name);
	}

	/* Without its DIE, the function is found as param_loc finds it. */
	if (at_i && locals_at(d, &f, at_i, fr, &e) == MD_OK) {
		int n = fr->n;
		md_func nodie = f;
		nodie.die = 0;
		T(locals_at(d, &nodie, at_i, fr, &e) == MD_OK && fr->n == n &&
		  local_named(fr, "i"), "each_local without a DIE: %d locals, want %d", fr->n, n);
		nodie.lo = nodie.hi = 0;
		md_status st = locals_at(d, &nodie, at_i, fr, &e);
		T(st == MD_NOTFOUND && fr->calls == 0, "each_local of no function: %d", st);
	}
	/* fn stops the walk. */
	int calls = 0;
	md_status st = md_dwarf_each_local(d, &f, f.lo, stop_local, &calls, &e);
	T(st == MD_OK && calls == 1, "each_local after fn stopped: %d, %d calls", st, calls);
}

/* testdata/maps/internal/live.Spin(id int): x, and i in a block; an
 * inlined sync/atomic.(*Uint64).Add with its parameter delta. */
static void check_spin_locals(md_dwarf *d, const char *bin, frame *fr)
{
	md_func f;
	md_err e;
	if (!func_named(d, bin, "example.com/acme/internal/live.Spin", &f))
		return;
	if (T(locals_at(d, &f, f.lo, fr, &e) == MD_OK, "each_local(Spin): %s", e.detail)) {
		const md_local *id = local_named(fr, "id"), *x = local_named(fr, "x");
		/* amd64's first integer argument register is RAX (DWARF 0) */
		T(id && id->is_param && type_is(d, id, "int") && id->npieces == 1 &&
		  id->pieces[0].size == 0 && id->pieces[0].loc.kind == MD_LOC_REG &&
		  (!X86 || id->pieces[0].loc.reg == 0), "Spin's id at entry");
		T(x && !x->is_param && type_is(d, x, "uint64"), "Spin's x");
		T(!local_named(fr, "i"), "Spin's i before its block");
		md_loc l;
		T(id && md_dwarf_param_loc(d, &f, "id", f.lo, &l, &e) == MD_OK &&
		  l.kind == id->pieces[0].loc.kind && l.reg == id->pieces[0].loc.reg,
		  "param_loc and each_local disagree on id");
	}
	int failed = 0, insane = 0, saw_i = 0, delta = 0;
	for (uint64_t pc = f.lo; pc < f.hi; pc++) {
		if (locals_at(d, &f, pc, fr, &e) != MD_OK) {
			failed++;
			continue;
		}
		for (int i = 0; i < fr->n; i++)
			insane += !local_sane(&fr->v[i], strcmp(fr->v[i].name, "id") == 0);
		saw_i += type_is(d, local_named(fr, "i"), "int");
		delta += local_named(fr, "delta") != NULL;
	}
	T(failed == 0, "each_local(Spin) failed at %d pcs: %s", failed, e.detail);
	T(insane == 0, "Spin: %d odd locals", insane);
	T(saw_i > 0, "Spin: i never in scope");
	T(delta == 0, "Spin: the inlined Add's delta listed at %d pcs", delta);
}

static void check_locals(md_dwarf *d, const char *bin)
{
	frame *fr = malloc(sizeof *fr);
	if (!T(fr != NULL, "malloc"))
		return;
	check_main_locals(d, bin, fr);
	check_spin_locals(d, bin, fr);
	free(fr);
}

/* ---- inlined calls ----------------------------------------------------- */

/* The number of the first line of file that holds text; 0 if none. */
static int src_line(const char *file, const char *text)
{
	FILE *f = fopen(file, "r");
	char buf[512];
	int n = 0, found = 0;
	while (f && !found && fgets(buf, sizeof buf, f)) {
		n++;
		found = strstr(buf, text) != NULL;
	}
	if (f)
		fclose(f);
	return found ? n : 0;
}

/* What holds at every pc of f: md_dwarf_inline_at answers, its innermost
 * frame has the line table's position, names are there.  Counts pcs
 * whose chain is want[0..nwant) (innermost first) into *hits, the first
 * of them into *at. */
static void inline_walk(md_dwarf *d, const md_func *f, const char *const *want, int nwant,
                        int *hits, uint64_t *at)
{
	md_inline in;
	md_err e;
	int failed = 0, bad = 0;
	*hits = 0;
	*at = 0;
	for (uint64_t pc = f->lo; pc < f->hi; pc++) {
		if (md_dwarf_inline_at(d, pc, 1, &in, &e) != MD_OK) {
			failed++;
			continue;
		}
		char file[256];
		int line = 0;
		if (md_dwarf_line_at(d, pc, file, sizeof file, &line, &e) == MD_OK)
			bad += in.n ? strcmp(in.f[0].file, file) || in.f[0].line != line
			            : strcmp(in.file, file) || in.line != line;
		bad += in.n < 0 || in.n > MD_INLINE_MAX || in.truncated;
		for (int k = 0; k < in.n && k < MD_INLINE_MAX; k++)
			bad += !in.f[k].func[0] || (k > 0 && (!in.f[k].file[0] || in.f[k].line <= 0));
		int match = in.n == nwant;
		for (int k = 0; match && k < nwant; k++)
			match = strcmp(in.f[k].func, want[k]) == 0;
		if (match && !(*hits)++)
			*at = pc;
	}
	T(failed == 0, "inline_at(%s) failed at %d pcs: %s", f->name, failed, e.detail);
	T(bad == 0, "inline_at(%s): %d pcs with odd frames", f->name, bad);
}

/* testdata/inlinetarget: main.readLoop inlines waitByte, which inlines
 * readOne; main.spin inlines spinLoop; runtime.stopm inlines mPark in
 * every release.  Call lines come from the source, found by their text. */
static void check_inline(md_dwarf *d, const char *bin)
{
	static const char *const rd[] = { "main.readOne", "main.waitByte" };
	static const char *const sp[] = { "main.spinLoop" };
	static const char *const park[] = { "runtime.mPark" };
	md_func f;
	md_inline in, again;
	md_err e;
	int hits;
	uint64_t at;
	if (func_named(d, bin, "main.readLoop", &f)) {
		inline_walk(d, &f, rd, 2, &hits, &at);
		if (T(hits > 0, "readLoop: no pc in readOne inlined into waitByte") &&
		    T(md_dwarf_inline_at(d, at, 0, &in, &e) == MD_OK, "inline_at: %s", e.detail)) {
			const char *src = in.f[1].file;
			T(ends_with(src, "/inlinetarget/main.go") && !strcmp(in.file, src),
			  "call files %s, %s", src, in.file);
			T(in.f[1].line == src_line(src, "return readOne(fd, b)") && in.f[1].line > 0,
			  "waitByte at line %d", in.f[1].line);
			T(in.line == src_line(src, "if waitByte(fd, &b) <= 0") && in.line > 0,
			  "readLoop at line %d", in.line);
			/* the second lookup comes from the function's cache */
			T(md_dwarf_inline_at(d, at, 0, &again, &e) == MD_OK &&
			  !memcmp(&in, &again, sizeof in), "a second lookup differs");
		}
		T(md_dwarf_inline_at(d, at, 0, &in, &e) == MD_OK, "inline_at: %s", e.detail);
		/* the innermost line only when asked */
		T(md_dwarf_inline_at(d, at, 1, &again, &e) == MD_OK && again.n == 2 &&
		  again.f[0].line > 0 && in.f[0].line == 0 && !in.f[0].file[0] &&
		  !strcmp(again.f[1].file, in.f[1].file) && again.line == in.line,
		  "innermost line %d without want_line, %d with", in.f[0].line, again.f[0].line);
		/* the entry is in no inlined call: a line only when asked */
		T(md_dwarf_inline_at(d, f.lo, 0, &in, &e) == MD_OK && in.n == 0 && !in.file[0] &&
		  in.line == 0, "readLoop entry without a line: n %d line %d", in.n, in.line);
		T(md_dwarf_inline_at(d, f.lo, 1, &in, &e) == MD_OK && in.n == 0 &&
		  ends_with(in.file, "/inlinetarget/main.go") && in.line > 0,
		  "readLoop entry with its line: n %d %s:%d", in.n, in.file, in.line);
	}
	if (func_named(d, bin, "main.spin", &f)) {
		inline_walk(d, &f, sp, 1, &hits, &at);
		if (T(hits > 0, "spin: no pc in spinLoop") &&
		    T(md_dwarf_inline_at(d, at, 0, &in, &e) == MD_OK, "inline_at: %s", e.detail))
			T(in.line == src_line(in.file, "\tspinLoop(&spun)") && in.line > 0,
			  "spin at %s:%d", in.file, in.line);
	}
	if (func_named(d, bin, "runtime.stopm", &f)) {
		inline_walk(d, &f, park, 1, &hits, &at);
		T(hits > 0, "stopm: no pc in runtime.mPark");
	}
	T(md_dwarf_inline_at(d, 0, 1, &in, &e) == MD_NOTFOUND && in.n == 0,
	  "inline_at(0) found something");
}

/* ---- run-time types ---------------------------------------------------- */

/* The PROGBITS sections of an executable, to read what lies at a
 * link-time address. */
typedef struct image {
	int fd;
	struct { uint64_t addr, size, off; } sec[64];
	int n;
} image;

static int image_open(image *im, const char *bin)
{
	memset(im, 0, sizeof *im);
	im->fd = open(bin, O_RDONLY | O_CLOEXEC);
	Elf *e = im->fd >= 0 ? elf_begin(im->fd, ELF_C_READ, NULL) : NULL;
	for (Elf_Scn *s = NULL; e && im->n < 64 && (s = elf_nextscn(e, s));) {
		GElf_Shdr sh;
		if (gelf_getshdr(s, &sh) && sh.sh_type == SHT_PROGBITS && sh.sh_addr)
			im->sec[im->n].addr = sh.sh_addr, im->sec[im->n].size = sh.sh_size,
			im->sec[im->n++].off = sh.sh_offset;
	}
	if (e)
		elf_end(e);
	return im->n > 0;
}

static void image_close(image *im)
{
	if (im->fd >= 0)
		close(im->fd);
}

static int image_read(const image *im, uint64_t addr, void *buf, size_t n)
{
	for (int i = 0; i < im->n; i++)
		if (addr >= im->sec[i].addr && addr - im->sec[i].addr <= im->sec[i].size &&
		    n <= im->sec[i].size - (addr - im->sec[i].addr))
			return pread(im->fd, buf, n, (off_t)(im->sec[i].off + addr -
			                                     im->sec[i].addr)) == (ssize_t)n;
	return 0;
}

/* The DIE's DW_AT_go_runtime_type, read with libdwarf here: 0 if none. */
static uint64_t die_rtoff(md_dwarf *d, uint64_t die_off)
{
	Dwarf_Die die = NULL;
	Dwarf_Attribute a = NULL;
	Dwarf_Addr v = 0;
	md_err e;
	if (md_dw_die(d, die_off, &die, &e) != MD_OK)
		return 0;
	if (dwarf_attr(die, MD_DW_AT_go_runtime_type, &a, NULL) == DW_DLV_OK) {
		if (dwarf_formaddr(a, &v, NULL) != DW_DLV_OK)
			v = 0;
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	}
	md_dw_free_die(d, die);
	return v;
}

static int die_name(md_dwarf *d, uint64_t die_off, char *buf, size_t n)
{
	Dwarf_Die die = NULL;
	md_err e;
	buf[0] = '\0';
	int ok = md_dw_die(d, die_off, &die, &e) == MD_OK &&
	         md_dw_name(d, die, buf, n, &e) == MD_OK;
	md_dw_free_die(d, die);
	return ok;
}

/* Does the run-time descriptor at types + off agree with the DIE: its
 * Size_ (offset 0 of internal/abi.Type) with DW_AT_byte_size, its Kind_
 * (offset 23, flags above bit 5) with DW_AT_go_kind, where the DIE has
 * them? */
static int descriptor_agrees(md_dwarf *d, const image *im, uint64_t types, uint64_t off,
                             uint64_t die_off)
{
	unsigned char b[24];
	Dwarf_Die die = NULL;
	Dwarf_Unsigned size = 0, kind = 0;
	md_err e;
	if (!image_read(im, types + off, b, sizeof b) ||
	    md_dw_die(d, die_off, &die, &e) != MD_OK)
		return 0;
	uint64_t rsize;
	memcpy(&rsize, b, 8);
	int ok = 1;
	if (md_dw_udata(d, die, DW_AT_byte_size, &size, &e) == MD_OK)
		ok &= size == rsize;
	/* 0 (reflect.Invalid): the linker's own pointer types in Go 1.21 */
	if (md_dw_udata(d, die, MD_DW_AT_go_kind, &kind, &e) == MD_OK && kind)
		ok &= kind == (b[23] & 0x1fu);
	md_dw_free_die(d, die);
	return ok;
}

/* A type found by name: its DW_AT_go_runtime_type leads back to it, and
 * its descriptor agrees.  0 if it has no run-time type. */
static uint64_t check_named(md_dwarf *d, const image *im, uint64_t types, const char *name)
{
	md_type_id t = 0, back = 0;
	md_err e;
	char got[256];
	md_status st = md_dwarf_type_by_name(d, name, &t, &e);
	if (!T(st == MD_OK, "type_by_name(%s): %d %s", name, st, e.detail))
		return 0;
	T(die_name(d, t, got, sizeof got) && strcmp(got, name) == 0,
	  "type_by_name(%s) gave %s", name, got);
	uint64_t off = die_rtoff(d, t);
	if (!off)
		return 0;
	st = md_dwarf_type_of_runtime(d, off, &back, &e);
	T(st == MD_OK && back == t, "type_of_runtime(%#llx) = %#llx, want %s at %#llx",
	  (unsigned long long)off, (unsigned long long)back, name, (unsigned long long)t);
	T(descriptor_agrees(d, im, types, off, t), "%s: descriptor at +%#llx disagrees",
	  name, (unsigned long long)off);
	return off;
}

/* Every entry of the index: type_of_runtime finds the first DIE of its
 * offset, which lies inside runtime.types..runtime.etypes and whose
 * descriptor agrees; type_by_name finds a DIE of its name, the first. */
static void check_index(md_dwarf *d, const image *im, uint64_t types, uint64_t etypes)
{
	size_t bad_off = 0, outside = 0, disagree = 0, bad_name = 0, nnames = 0;
	for (size_t i = 0; i < d->nrt_off; i++) {
		const md_dw_tkey *k = &d->rt_off[i];
		md_type_id t = 0;
		md_err e;
		if (i && d->rt_off[i - 1].key == k->key)
			continue;
		bad_off += md_dwarf_type_of_runtime(d, k->key, &t, &e) != MD_OK || t != k->die;
		outside += k->key >= etypes - types;
		disagree += !descriptor_agrees(d, im, types, k->key, k->die);
	}
	for (size_t i = 0; i < d->nrt_name; i++) {
		char name[256], got[256];
		md_type_id t = 0;
		md_err e;
		if (!die_name(d, d->rt_name[i].die, name, sizeof name) ||
		    strlen(name) == sizeof name - 1)
			continue; /* truncated: not a name to look up */
		nnames++;
		bad_name += md_dwarf_type_by_name(d, name, &t, &e) != MD_OK ||
		            t > d->rt_name[i].die || !die_name(d, t, got, sizeof got) ||
		            strcmp(got, name) != 0;
	}
	T(d->nrt_off > 100 && nnames > 100, "index of %zu offsets, %zu names", d->nrt_off,
	  nnames);
	T(bad_off == 0, "%zu offsets not found back", bad_off);
	T(outside == 0, "%zu offsets outside runtime.types", outside);
	T(disagree == 0, "%zu descriptors disagree with their DIEs", disagree);
	T(bad_name == 0, "%zu names not found back", bad_name);
}

/* Go 1.21 and 1.22 write uintptr's DW_AT_go_runtime_type as an address:
 * it is found by its offset all the same. */
static void check_uintptr(md_dwarf *d, const image *im, uint64_t types)
{
	md_type_id t = 0, back = 0;
	md_err e;
	uint64_t raw = 0;
	if (!T(md_dwarf_type_by_name(d, "uintptr", &t, &e) == MD_OK, "uintptr: %s", e.detail))
		return;
	raw = die_rtoff(d, t);
	uint64_t off = raw >= types ? raw - types : raw;
	T(raw && md_dwarf_type_of_runtime(d, off, &back, &e) == MD_OK && back == t &&
	  descriptor_agrees(d, im, types, off, t), "uintptr at %#llx: %#llx",
	  (unsigned long long)raw, (unsigned long long)back);
}

static void check_rtypes(md_dwarf *d, const char *bin)
{
	uint64_t base = 0, types = sym_lo(bin, "runtime.types");
	uint64_t etypes = sym_lo(bin, "runtime.etypes"), off = 0;
	md_type_id t = 0, member = 0;
	md_type ty;
	md_err e;
	md_status st = md_dwarf_types_base(d, &base, &e);
	T(st == MD_OK && types && base == types, "types_base: %d %#llx, symbol %#llx", st,
	  (unsigned long long)base, (unsigned long long)types);
	image im;
	if (!T(image_open(&im, bin), "sections of %s", bin)) {
		image_close(&im);
		return;
	}
	/* the run-time type header: runtime._type before Go 1.21 */
	int old_rt = go_minor(md_dwarf_exe(d)->go_version) < 21;
	const char *const common[] = { "int", "string", "uint8", "unsafe.Pointer",
		old_rt ? "runtime._type" : "internal/abi.Type",
		old_rt ? "*runtime._type" : "*internal/abi.Type", "error" };
	for (size_t i = 0; i < sizeof common / sizeof *common; i++)
		check_named(d, &im, types, common[i]);
	check_uintptr(d, &im, types);
	if (ends_with(bin, "/maptarget")) {
		static const char *const mt[] = { "*main.Holder", "main.Holder",
			"map[string]int", "main.Cache" };
		for (size_t i = 0; i < sizeof mt / sizeof *mt; i++)
			T(check_named(d, &im, types, mt[i]) != 0, "%s has no run-time type", mt[i]);
		md_type_id st_id = 0;
		if (md_dwarf_type_by_name(d, "*main.Holder", &t, &e) == MD_OK &&
		    T(md_dwarf_type(d, t, &ty, &e) == MD_OK && ty.kind == MD_TK_POINTER &&
		      ty.size == 8, "*main.Holder: %d %s", ty.kind, ty.name) &&
		    T(md_dwarf_type(d, ty.target, &ty, &e) == MD_OK &&
		      strcmp(ty.name, "main.Holder") == 0, "*main.Holder points to %s", ty.name))
			T(resolve(d, ty.target, &ty, &st_id) && ty.kind == MD_TK_STRUCT &&
			  ty.size == 32 && md_dwarf_member(d, st_id, "inner", &off, &member, &e) == MD_OK &&
			  off == 24, "main.Holder: %d size %llu", ty.kind, (unsigned long long)ty.size);
		if (md_dwarf_type_by_name(d, "main.Cache", &t, &e) == MD_OK)
			T(md_dwarf_type(d, t, &ty, &e) == MD_OK && ty.kind == MD_TK_MAP,
			  "main.Cache: %d", ty.kind);
	}
	static const char *const none[] = { "main.zz_no_such_type", "runtime.main",
		"runtime.g0", "", "int " };
	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		st = md_dwarf_type_by_name(d, none[i], &t, &e);
		T(st == MD_NOTFOUND && t == 0, "type_by_name('%s'): %d", none[i], st);
	}
	/* 0 is what the linker writes for a type without a descriptor */
	static const uint64_t no_off[] = { 0, UINT64_MAX };
	for (size_t i = 0; i < sizeof no_off / sizeof *no_off; i++) {
		st = md_dwarf_type_of_runtime(d, no_off[i], &t, &e);
		T(st == MD_NOTFOUND && t == 0, "type_of_runtime(%#llx): %d",
		  (unsigned long long)no_off[i], st);
	}
	if (d->nrt_off) {
		uint64_t odd = d->rt_off[0].key + 1;
		int taken = d->nrt_off > 1 && d->rt_off[1].key == odd;
		st = md_dwarf_type_of_runtime(d, odd, &t, &e);
		T(taken || st == MD_NOTFOUND, "type_of_runtime(%#llx): %d",
		  (unsigned long long)odd, st);
	}
	check_index(d, &im, types, etypes);
	image_close(&im);
}

static void check_info(md_dwarf *d, const variant *v, const char *path)
{
	const md_exe_info *x = md_dwarf_exe(d);
	int external = is_mode(v, "debugfile") || is_mode(v, "buildid");
	if (!T(x != NULL, "no md_exe_info"))
		return;
	T(x->is_go, "is_go");
	T(strncmp(x->go_version, "go1.", 4) == 0, "go_version '%s'", x->go_version);
	if (v->version[0])
		T(strcmp(x->go_version, v->version) == 0, "go_version '%s', want '%s'",
		  x->go_version, v->version);
	else if (v->minor)
		T(go_minor(x->go_version) == v->minor, "go_version '%s'", x->go_version);
	if (v->minor && !is_mode(v, "extld"))
		T(x->pie == is_mode(v, "pie"), "pie %d", x->pie);
	T(x->load_vaddr % 4096 == 0, "load_vaddr 0x%llx",
	  (unsigned long long)x->load_vaddr);
#if X86
	if (v->minor && !is_mode(v, "extld"))
		T(x->load_vaddr == 0x400000, "load_vaddr 0x%llx",
		  (unsigned long long)x->load_vaddr);
#endif
	if (v->minor) {
		T(x->dwarf_external == external, "dwarf_external %d", x->dwarf_external);
		T(x->dwarf_compressed == !is_mode(v, "nocompress"), "dwarf_compressed %d",
		  x->dwarf_compressed);
	}
	if (external)
		T(ends_with(x->dwarf_path, ".debug"), "dwarf_path %s", x->dwarf_path);
	else
		T(strcmp(x->dwarf_path, path) == 0, "dwarf_path %s", x->dwarf_path);
	if (is_mode(v, "debugfile")) {
		const char *b = strrchr(path, '/');
		char want[PATH_MAX];
		snprintf(want, sizeof want, "%s.debug", b ? b + 1 : path);
		T(strcmp(x->debuglink, want) == 0, "debuglink '%s'", x->debuglink);
	}
	if (is_mode(v, "buildid")) {
		char want[64];
		snprintf(want, sizeof want, "/.build-id/%.2s/%s.debug", x->build_id,
		         x->build_id + 2);
		T(strlen(x->build_id) >= 40 && strstr(x->dwarf_path, want),
		  "build id %s, dwarf_path %s", x->build_id, x->dwarf_path);
	}
}

static void test_binary(const char *path, const variant *v)
{
	opened o;
	char droot[PATH_MAX + 16];
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", path);
	snprintf(droot, sizeof droot, "%s/debugroot", v->dir);
	open_bin(&o, path, path, NULL, is_mode(v, "buildid") ? droot : NULL);
	if (!T(o.fd >= 0, "open: %s", strerror(errno)))
		return;
	if (is_mode(v, "nodwarf")) {
		T(o.st == MD_E_NODWARF && strstr(o.err.detail, "-ldflags=-w") &&
		  strstr(o.err.detail, path), "open: %d '%s'", o.st, o.err.detail);
		close_bin(&o);
		return;
	}
	if (!T(o.st == MD_OK, "md_dwarf_open: %d %s", o.st, o.err.detail)) {
		close_bin(&o);
		return;
	}
	check_info(o.d, v, path);

	/* Every Go binary has this one; its CU is not main's. */
	md_type_id t;
	md_type ty;
	md_err e;
	if (find_ok(o.d, "runtime.buildVersion", 20, NULL, &t))
		T(md_dwarf_type(o.d, t, &ty, &e) == MD_OK && ty.kind == MD_TK_STRING &&
		  ty.size == 16, "runtime.buildVersion is a string");

	const md_dw_var *vars[512];
	size_t n = main_vars(o.d, vars, 512);
	T(n > 0, "package main has no variables");
	for (size_t i = 0; i < n; i++)
		check_var(o.d, vars[i]);
	check_misspelling(o.d, vars, n);
	find_missing(o.d, "main.zz_no_such_variable_zz", NULL);
	find_missing(o.d, "no/such/pkg.Var", NULL);
	find_missing(o.d, "main", NULL);
	find_missing(o.d, "main.", NULL);
	find_missing(o.d, "", NULL);
	if (ends_with(path, "/maptarget")) {
		check_maptarget(o.d);
		check_scan(o.d, go_minor(md_dwarf_exe(o.d)->go_version));
		check_locals(o.d, path);
	}
	if (ends_with(path, "/inlinetarget"))
		check_inline(o.d, path);
	check_rtypes(o.d, path);
	/* The caller's descriptor is borrowed: its offset is not ours to move. */
	T(lseek(o.fd, 0, SEEK_CUR) == 0, "exe_fd offset moved");
	close_bin(&o);

	/* ... nor must it outlive md_dwarf_open: libdwarf reads lazily. */
	open_bin(&o, path, path, NULL, is_mode(v, "buildid") ? droot : NULL);
	close(o.fd);
	o.fd = -1;
	if (T(o.st == MD_OK, "reopen: %d %s", o.st, o.err.detail))
		find_ok(o.d, "runtime.buildVersion", 20, NULL, NULL);
	close_bin(&o);
}

/* ---- walking the command line ------------------------------------------ */

static void test_path(const char *p)
{
	int tested = test_tree(p, NULL, test_binary);
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", p);
	T(tested > 0, "no binaries to test");
}

/* ---- inputs that are not Go, or not ELF -------------------------------- */

static char tmpdir[64];

static int write_file(const char *path, const void *buf, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, buf, n);
	close(fd);
	return w == (ssize_t)n ? 0 : -1;
}

static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), rc = -1;
	if (in < 0)
		return -1;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out >= 0) {
		char buf[65536];
		ssize_t r;
		rc = 0;
		while ((r = read(in, buf, sizeof buf)) > 0)
			if (write(out, buf, (size_t)r) != r)
				rc = -1;
		if (r < 0)
			rc = -1;
		close(out);
	}
	close(in);
	return rc;
}

static int mkdirs(const char *path)
{
	char p[PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void expect_open(const char *file, md_status want, const char *hint)
{
	opened o;
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", file);
	open_bin(&o, file, file, NULL, NULL);
	T(o.st == want, "open: %d, want %d (%s)", o.st, want, o.err.detail);
	if (hint)
		T(strstr(o.err.detail, hint) != NULL, "detail '%s' lacks '%s'",
		  o.err.detail, hint);
	T(o.d == NULL || o.st == MD_OK, "handle set on failure");
	close_bin(&o);
}

static void test_not_go(void)
{
	char p[PATH_MAX];
	expect_open("/proc/self/exe", MD_E_NOTGO, "no Go build info");

	snprintf(p, sizeof p, "%s/text", tmpdir);
	T(write_file(p, "hello\n", 6, 0644) == 0, "write %s", p);
	expect_open(p, MD_E_NOTELF, NULL);

	snprintf(p, sizeof p, "%s/empty", tmpdir);
	T(write_file(p, "", 0, 0644) == 0, "write %s", p);
	expect_open(p, MD_E_NOTELF, NULL);

	/* Minimal ELF32 and big-endian ELF64 headers. */
	unsigned char h[64] = { 0x7f, 'E', 'L', 'F', 1, 1, 1 };
	h[16] = 2;  /* ET_EXEC */
	h[18] = 3;  /* EM_386 */
	h[20] = 1;  /* EV_CURRENT */
	h[40] = 52; /* e_ehsize */
	snprintf(p, sizeof p, "%s/elf32", tmpdir);
	T(write_file(p, h, 52, 0644) == 0, "write %s", p);
	expect_open(p, MD_E_NOTELF, "64-bit");
	memset(h, 0, sizeof h);
	memcpy(h, "\x7f" "ELF\x02\x02\x01", 7);
	h[17] = 2;  /* ET_EXEC, big-endian */
	h[19] = 21; /* EM_PPC64 */
	h[23] = 1;
	h[53] = 64;
	snprintf(p, sizeof p, "%s/elf64be", tmpdir);
	T(write_file(p, h, 64, 0644) == 0, "write %s", p);
	expect_open(p, MD_E_NOTELF, "little-endian");

	md_dwarf_opts bad = { "x", -1, NULL, NULL };
	md_dwarf *d = (md_dwarf *)1;
	md_err e;
	snprintf(md_t_ctx, sizeof md_t_ctx, "fd -1");
	T(md_dwarf_open(&bad, &d, &e) == MD_E_NOEXE && d == NULL, "bad fd");
}

/* ---- separate debug files ---------------------------------------------- */

/* Open exe (as exe_path) and expect `want`; on success the DWARF must come
 * from want_path and main.idle must resolve. */
static void expect_debug(const char *what, const char *exe, const char *dfile,
                         const char *ddir, md_status want, const char *want_path,
                         const char *hint)
{
	opened o;
	snprintf(md_t_ctx, sizeof md_t_ctx, "debug file: %s", what);
	open_bin(&o, exe, exe, dfile, ddir);
	T(o.st == want, "open: %d, want %d (%s)", o.st, want, o.err.detail);
	if (hint)
		T(strstr(o.err.detail, hint) != NULL, "detail '%s' lacks '%s'",
		  o.err.detail, hint);
	if (o.st == MD_OK) {
		const md_exe_info *x = md_dwarf_exe(o.d);
		if (want_path)
			T(strcmp(x->dwarf_path, want_path) == 0 && x->dwarf_external,
			  "dwarf_path %s, want %s", x->dwarf_path, want_path);
		find_ok(o.d, "main.idle", 9, NULL, NULL);
	}
	close_bin(&o);
}

static void test_debug_files(const char *root)
{
	char e23[PATH_MAX], d23[PATH_MAX], e26[PATH_MAX], d26[PATH_MAX];
	char plain[PATH_MAX], bidroot[PATH_MAX];
	char ddir[PATH_MAX + 16];
	snprintf(e23, sizeof e23, "%s/go1.23-debugfile/maptarget", root);
	snprintf(d23, sizeof d23, "%s/go1.23-debugfile/maptarget.debug", root);
	snprintf(e26, sizeof e26, "%s/go1.26-debugfile/maptarget", root);
	snprintf(d26, sizeof d26, "%s/go1.26-debugfile/maptarget.debug", root);
	snprintf(plain, sizeof plain, "%s/go1.23/maptarget", root);
	snprintf(bidroot, sizeof bidroot, "%s/go1.26-buildid/debugroot", root);
	if (!is_file(e23) || !is_file(d23) || !is_file(e26) || !is_file(d26))
		return;

	char dir[PATH_MAX], exe[PATH_MAX + 32], dbg[PATH_MAX * 2 + 32];
	/* exe dir/.debug/ */
	snprintf(dir, sizeof dir, "%s/sub/.debug", tmpdir);
	snprintf(exe, sizeof exe, "%s/sub/maptarget", tmpdir);
	snprintf(dbg, sizeof dbg, "%s/maptarget.debug", dir);
	T(mkdirs(dir) == 0 && copy_file(e23, exe) == 0 && copy_file(d23, dbg) == 0,
	  "setup .debug/");
	expect_debug(".debug/", exe, NULL, NULL, MD_OK, dbg, NULL);

	/* debug_dir/<exe dir>/ */
	snprintf(dir, sizeof dir, "%s/mirror", tmpdir);
	snprintf(exe, sizeof exe, "%s/maptarget", dir);
	snprintf(ddir, sizeof ddir, "%s/root", tmpdir);
	snprintf(dbg, sizeof dbg, "%s%s", ddir, dir);
	T(mkdirs(dir) == 0 && mkdirs(dbg) == 0 && copy_file(e23, exe) == 0,
	  "setup mirror");
	strcat(dbg, "/maptarget.debug");
	T(copy_file(d23, dbg) == 0, "copy %s", dbg);
	expect_debug("debug_dir mirror", exe, NULL, ddir, MD_OK, dbg, NULL);

	/* --debug-file, nothing next to the exe */
	snprintf(dir, sizeof dir, "%s/explicit", tmpdir);
	snprintf(exe, sizeof exe, "%s/maptarget", dir);
	T(mkdirs(dir) == 0 && copy_file(e23, exe) == 0, "setup explicit");
	expect_debug("explicit", exe, d23, NULL, MD_OK, d23, NULL);
	/* ... and nothing anywhere */
	expect_debug("none", exe, NULL, NULL, MD_E_NODWARF, NULL, "maptarget.debug");
	/* ... or another build's: Go 1.23 has no build id, so the CRC decides */
	expect_debug("explicit, wrong CRC", exe, d26, NULL, MD_E_NODWARF, NULL, "CRC");
	/* an exe with its own DWARF ignores --debug-file */
	opened o;
	open_bin(&o, plain, plain, d26, NULL);
	snprintf(md_t_ctx, sizeof md_t_ctx, "debug file: exe has DWARF");
	T(o.st == MD_OK && !md_dwarf_exe(o.d)->dwarf_external, "open: %d %s", o.st,
	  o.err.detail);
	close_bin(&o);

	/* debuglink name found, but it is another build's file */
	snprintf(dir, sizeof dir, "%s/crc", tmpdir);
	snprintf(exe, sizeof exe, "%s/maptarget", dir);
	snprintf(dbg, sizeof dbg, "%s/maptarget.debug", dir);
	T(mkdirs(dir) == 0 && copy_file(e23, exe) == 0 && copy_file(d26, dbg) == 0,
	  "setup crc");
	expect_debug("debuglink, wrong CRC", exe, NULL, NULL, MD_E_NODWARF, NULL,
	             "CRC does not match");

	/* Both have build ids and they differ: refused even when named. */
	DIR *bd;
	char bid[PATH_MAX * 3] = "";
	snprintf(ddir, sizeof ddir, "%s/.build-id", bidroot);
	if ((bd = opendir(ddir)) != NULL) {
		struct dirent *de;
		while (!bid[0] && (de = readdir(bd)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			char sub[PATH_MAX * 2];
			snprintf(sub, sizeof sub, "%s/%s", ddir, de->d_name);
			DIR *sd = opendir(sub);
			struct dirent *f;
			while (sd && (f = readdir(sd)) != NULL)
				if (ends_with(f->d_name, ".debug"))
					snprintf(bid, sizeof bid, "%s/%s", sub, f->d_name);
			if (sd)
				closedir(sd);
		}
		closedir(bd);
	}
	if (bid[0]) {
		snprintf(dir, sizeof dir, "%s/bid", tmpdir);
		snprintf(exe, sizeof exe, "%s/maptarget", dir);
		T(mkdirs(dir) == 0 && copy_file(e26, exe) == 0, "setup bid");
		expect_debug("explicit, wrong build id", exe, bid, NULL, MD_E_NODWARF,
		             NULL, "build id does not match");
		/* and the right one, found through .build-id in a debug dir */
		expect_debug("explicit, right one", exe, d26, NULL, MD_OK, d26, NULL);
	}

	/* exe_path NULL: no debuglink search, but the exe's own DWARF works */
	open_bin(&o, plain, NULL, NULL, NULL);
	snprintf(md_t_ctx, sizeof md_t_ctx, "exe_path NULL");
	T(o.st == MD_OK, "open: %d %s", o.st, o.err.detail);
	if (o.st == MD_OK)
		find_ok(o.d, "main.idle", 9, NULL, NULL);
	close_bin(&o);
}

/* ---- corrupted DWARF --------------------------------------------------- */

/* Where .debug_info lies in the file at path (0 size if absent). */
static void debug_info_range(const char *path, uint64_t *off, uint64_t *size)
{
	*off = *size = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE)
		goto out;
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t shstr;
	if (elf && elf_getshdrstrndx(elf, &shstr) == 0) {
		for (Elf_Scn *s = NULL; (s = elf_nextscn(elf, s)) != NULL;) {
			GElf_Shdr sh;
			const char *nm;
			if (gelf_getshdr(s, &sh) && (nm = elf_strptr(elf, shstr, sh.sh_name)) &&
			    strcmp(nm, ".debug_info") == 0 && !(sh.sh_flags & SHF_COMPRESSED)) {
				*off = sh.sh_offset;
				*size = sh.sh_size;
			}
		}
	}
	elf_end(elf);
out:
	if (fd >= 0)
		close(fd);
}

/* Exercise everything on one (possibly broken) file; only crashes and
 * memory errors fail, which the sanitizer / valgrind runs report. */
static unsigned tally[MD_STATUS_COUNT]; /* find_var results, for -v */
static unsigned tally_local[MD_STATUS_COUNT], tally_type[MD_STATUS_COUNT];

static void count(unsigned *t, md_status st)
{
	t[st < MD_STATUS_COUNT ? st : 0]++;
}

static int count_local(void *arg, const md_local *l)
{
	int *n = arg;
	*n += l->npieces >= 0 && l->npieces <= MD_LOCAL_MAX_PIECES;
	return 0;
}

/* The locals and run-time types of a (possibly broken) file: main.main's
 * locals at pcs spread over lo's function, types by name and by offset. */
static void poke_code(md_dwarf *d, uint64_t lo)
{
	static const char *tnames[] = { "*main.Holder", "map[string]int", "int", "nosuch" };
	md_err e;
	md_func f;
	md_type_id t;
	md_type ty;
	uint64_t base;
	int n = 0;
	md_dwarf_types_base(d, &base, &e);
	for (size_t i = 0; i < sizeof tnames / sizeof *tnames; i++) {
		md_status st = md_dwarf_type_by_name(d, tnames[i], &t, &e);
		count(tally_type, st);
		if (st == MD_OK)
			md_dwarf_type(d, t, &ty, &e);
	}
	for (size_t i = 0; i < 8; i++) {
		uint64_t off = i < d->nrt_off ? d->rt_off[i * d->nrt_off / 8].key : i * 0x40;
		md_status st = md_dwarf_type_of_runtime(d, off, &t, &e);
		count(tally_type, st);
		if (st == MD_OK)
			md_dwarf_type(d, t, &ty, &e);
	}
	md_status st = md_dwarf_func_at(d, lo, &f, &e);
	if (st != MD_OK && !(st == MD_E_DWARF && f.name[0]))
		return;
	for (uint64_t pc = f.lo; pc < f.hi; pc += 37) {
		md_inline in;
		count(tally_local, md_dwarf_each_local(d, &f, pc, count_local, &n, &e));
		count(tally_local, md_dwarf_inline_at(d, pc, 1, &in, &e));
	}
	md_func nodie = f;
	nodie.die = 0;
	md_dwarf_each_local(d, &nodie, f.lo + 1, count_local, &n, &e);
}

static void poke(const char *path, uint64_t lo)
{
	static const char *exprs[] = { "main.idle", "main.holder.m", "main.named",
		"main.arr[1]", "runtime.buildVersion", "nosuch.x", "main.idel" };
	opened o;
	open_bin(&o, path, path, NULL, NULL);
	for (size_t i = 0; o.st == MD_OK && i < sizeof exprs / sizeof *exprs; i++) {
		size_t n;
		uint64_t a;
		md_type_id t;
		md_err e;
		md_status st = md_dwarf_find_var(o.d, exprs[i], &n, &a, &t, &e);
		count(tally, st);
		if (st != MD_OK)
			continue;
		for (int k = 0; k < 8 && t; k++) {
			md_type ty;
			md_map_layout l;
			uint64_t off;
			md_type_id mt;
			if (md_dwarf_type(o.d, t, &ty, &e) != MD_OK)
				break;
			md_dwarf_map_layout(o.d, t, &l, &e);
			md_dwarf_member(o.d, t, "m", &off, &mt, &e);
			t = ty.target;
		}
	}
	if (o.st == MD_OK)
		poke_code(o.d, lo);
	close_bin(&o);
}

static void test_corrupt(const char *root)
{
	char src[PATH_MAX], p[PATH_MAX];
	snprintf(src, sizeof src, "%s/go1.23-nocompress/maptarget", root);
	snprintf(p, sizeof p, "%s/corrupt", tmpdir);
	if (!is_file(src))
		return;
	snprintf(md_t_ctx, sizeof md_t_ctx, "corrupt DWARF");
	uint64_t off, size, lo = sym_lo(src, "main.main");
	if (!T(copy_file(src, p) == 0, "copy") )
		return;
	debug_info_range(p, &off, &size);
	if (!T(size > 1024, ".debug_info of %s", src))
		return;
	int fd = open(p, O_RDWR | O_CLOEXEC);
	if (!T(fd >= 0, "open %s", p))
		return;
	/* Deterministic: a 64-bit LCG.  Each round flips a few bytes, runs
	 * everything, and restores them. */
	uint64_t seed = 0x2545F4914F6CDD1DULL;
	int rounds = getenv("MD_CORRUPT_ROUNDS") ? atoi(getenv("MD_CORRUPT_ROUNDS"))
	                                         : 60;
	for (int r = 0; r < rounds; r++) {
		enum { K = 16 };
		uint64_t where[K];
		unsigned char old[K];
		for (int k = 0; k < K; k++) {
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			/* Half the hits go to the first 64 KiB: CU headers, main. */
			uint64_t span = (k & 1) && size > 65536 ? 65536 : size;
			where[k] = off + (seed >> 20) % span;
			unsigned char b = (unsigned char)(seed >> 8);
			if (pread(fd, &old[k], 1, (off_t)where[k]) != 1 ||
			    pwrite(fd, &b, 1, (off_t)where[k]) != 1)
				T(0, "pread/pwrite");
		}
		poke(p, lo);
		for (int k = K - 1; k >= 0; k--)
			if (pwrite(fd, &old[k], 1, (off_t)where[k]) != 1)
				T(0, "restore");
	}
	close(fd);
	/* Truncated in the middle of .debug_info. */
	T(truncate(p, (off_t)(off + size / 2)) == 0, "truncate");
	poke(p, lo);
	md_t_pass++; /* reaching here is the test */
	if (getenv("MD_CORRUPT_VERBOSE"))
		printf("# corrupt: find_var ok %u, notfound %u, dwarf error %u; each_local "
		       "%u, %u, %u; type lookups %u, %u, %u\n",
		       tally[MD_OK], tally[MD_NOTFOUND], tally[MD_E_DWARF], tally_local[MD_OK],
		       tally_local[MD_NOTFOUND], tally_local[MD_E_DWARF], tally_type[MD_OK],
		       tally_type[MD_NOTFOUND], tally_type[MD_E_DWARF]);
}

/* Overwrite one 64-bit field of the named section's header in an
 * ELF64 little-endian file (sh_offset is at 0x18, sh_size at 0x20). */
static int patch_shdr(const char *path, const char *sec, int field, uint64_t v)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), done = -1;
	unsigned char eh[64], sh[64];
	if (fd < 0)
		return -1;
	if (pread(fd, eh, 64, 0) == 64) {
		uint64_t shoff = 0, stroff = 0;
		uint16_t shentsize = (uint16_t)(eh[0x3a] | eh[0x3b] << 8);
		uint16_t shnum = (uint16_t)(eh[0x3c] | eh[0x3d] << 8);
		uint16_t shstrndx = (uint16_t)(eh[0x3e] | eh[0x3f] << 8);
		memcpy(&shoff, eh + 0x28, 8);
		if (shentsize == 64 &&
		    pread(fd, sh, 64, (off_t)(shoff + 64u * shstrndx)) == 64)
			memcpy(&stroff, sh + 0x18, 8);
		for (unsigned i = 0; stroff && i < shnum && done < 0; i++) {
			char name[32] = "";
			uint32_t n;
			if (pread(fd, sh, 64, (off_t)(shoff + 64u * i)) != 64)
				break;
			memcpy(&n, sh, 4);
			if (pread(fd, name, sizeof name - 1, (off_t)(stroff + n)) <= 0)
				break;
			if (strcmp(name, sec) == 0 &&
			    pwrite(fd, &v, 8, (off_t)(shoff + 64u * i + (unsigned)field)) == 8)
				done = 0;
		}
	}
	close(fd);
	return done;
}

/* Lying section headers: caught by libdwarf at init or on first use. */
static void test_bad_headers(const char *root)
{
	char src[PATH_MAX], p[PATH_MAX];
	snprintf(src, sizeof src, "%s/go1.23-nocompress/maptarget", root);
	snprintf(p, sizeof p, "%s/badhdr", tmpdir);
	if (!is_file(src))
		return;
	opened o;
	size_t n;
	uint64_t a;
	md_type_id t;
	md_err e;
	snprintf(md_t_ctx, sizeof md_t_ctx, "bad .symtab size");
	T(copy_file(src, p) == 0 && patch_shdr(p, ".symtab", 0x20, 1ull << 40) == 0,
	  "patch");
	open_bin(&o, p, p, NULL, NULL);
	/* DWARF does not read .symtab (md_dwsrc maps only .debug_*): the
	 * open succeeds; libelf refuses the table, and function lookups fall
	 * back to DWARF's subprograms */
	if (T(o.st == MD_OK, "open: %d %s", o.st, o.err.detail)) {
		md_func f;
		md_status st = md_dwarf_func_at(o.d, 0x401000, &f, &e);
		T((st == MD_OK && f.name[0] && f.die) || st == MD_NOTFOUND,
		  "func_at with a lying .symtab: %d %s", st, f.name);
	}
	close_bin(&o);

	snprintf(md_t_ctx, sizeof md_t_ctx, "bad .debug_info offset");
	T(copy_file(src, p) == 0 &&
	  patch_shdr(p, ".debug_info", 0x18, 1ull << 40) == 0, "patch");
	open_bin(&o, p, p, NULL, NULL);
	/* caught when the sections are mapped, before libdwarf sees them */
	T(o.st == MD_E_DWARF && o.d == NULL && strstr(o.err.detail, "outside the file"),
	  "open: %d %s", o.st, o.err.detail);
	(void)n, (void)a, (void)t;
	close_bin(&o);
}

static int rm_entry(const char *p, const struct stat *sb, int flag,
                    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

/* ---- the persistent cache of decompressed DWARF (md_dwsrc.c) ---------- */

static int cache_state(const char *bin, char *path_out, size_t n)
{
	opened o;
	open_bin(&o, bin, bin, NULL, NULL);
	int st = -1;
	if (T(o.st == MD_OK, "open: %d %s", o.st, o.err.detail)) {
		st = md_dwarf_exe(o.d)->dwarf_cache;
		if (path_out)
			snprintf(path_out, n, "%s", md_dwarf_exe(o.d)->dwarf_cache_path);
		find_ok(o.d, "main.idle", 9, NULL, NULL);
	}
	close_bin(&o);
	return st;
}

/* Call fn on bin's .symtab (its data, entry count and string section
 * index); 0 if bin has none. */
typedef int (*symtab_fn)(Elf *e, Elf_Data *d, size_t cnt, size_t strndx, void *arg);
static int with_symtab(const char *bin, symtab_fn fn, void *arg)
{
	int fd = open(bin, O_RDONLY | O_CLOEXEC), r = 0;
	Elf *e = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	for (Elf_Scn *scn = NULL; e && (scn = elf_nextscn(e, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		r = fn(e, d, d ? d->d_size / sh.sh_entsize : 0, sh.sh_link, arg);
		break;
	}
	if (e)
		elf_end(e);
	if (fd >= 0)
		close(fd);
	return r;
}

typedef struct sym_want { const char *name; uint64_t lo; } sym_want;

static int find_sym(Elf *e, Elf_Data *d, size_t cnt, size_t strndx, void *arg)
{
	sym_want *w = arg;
	for (size_t i = 0; i < cnt && !w->lo; i++) {
		GElf_Sym y;
		const char *n = gelf_getsym(d, (int)i, &y) ? elf_strptr(e, strndx, y.st_name) : NULL;
		if (n && !strcmp(n, w->name))
			w->lo = y.st_value;
	}
	return 0;
}

/* The address of function name in bin's .symtab; 0 if none. */
static uint64_t sym_lo(const char *bin, const char *name)
{
	sym_want w = { name, 0 };
	with_symtab(bin, find_sym, &w);
	return w.lo;
}

/* Files in dir whose names contain part. */
static int count_files(const char *dir, const char *part)
{
	DIR *dp = opendir(dir);
	int n = 0;
	for (struct dirent *de; dp && (de = readdir(dp));)
		n += strstr(de->d_name, part) != NULL;
	if (dp)
		closedir(dp);
	return n;
}

/* Sections are decompressed when first needed, each into a cache file of
 * its own: a variable lookup makes none for the line table or the
 * location lists (which libdwarf would read whole on its first look at
 * .debug_info, were they not hidden from it); a parameter's location
 * makes the location lists' and answers from them. */
static void check_lazy(const char *bin, const char *dir, const char *cpath)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: lazy sections");
	char base[4096], p[4200];
	snprintf(base, sizeof base, "%s", cpath);
	char *dot = strrchr(base, '.');
	if (!T(dot && !strcmp(dot, ".debug_info"), "cache file %s", cpath))
		return;
	*dot = '\0';
	const char *eager[] = { "debug_abbrev", "debug_rnglists", "debug_addr", "debug_frame" };
	for (size_t i = 0; i < sizeof eager / sizeof *eager; i++) {
		snprintf(p, sizeof p, "%s.%s", base, eager[i]);
		T(is_file(p), "%s made at open", p);
	}
	snprintf(p, sizeof p, "%s.debug_line", base);
	T(!is_file(p), "%s made though no one read it", p);
	snprintf(p, sizeof p, "%s.debug_loclists", base);
	T(!is_file(p), "%s made though no one read it", p);
	T(count_files(dir, ".tmp-") == 0, "%d temporary files left", count_files(dir, ".tmp-"));

	uint64_t lo = sym_lo(bin, "runtime.mapassign_faststr");
	opened o;
	open_bin(&o, bin, bin, NULL, NULL);
	if (T(lo && o.st == MD_OK, "open: %d %s", o.st, o.err.detail)) {
		md_func f;
		md_loc l;
		md_err e;
		md_status st = md_dwarf_func_at(o.d, lo, &f, &e);
		if (T(st == MD_OK, "func_at: %d %s", st, e.detail)) {
			st = md_dwarf_param_loc(o.d, &f, "m", lo, &l, &e);
			T(st == MD_OK && l.kind == MD_LOC_REG, "param m at entry: %d %d %s", st,
			  l.kind, e.detail);
		}
		T(is_file(p), "%s not made for a location list", p);
		/* the main instance still answers after the second one opened */
		find_ok(o.d, "main.idle", 9, NULL, NULL);
	}
	close_bin(&o);
}

/* Is file path mapped into this process? */
static int mapped(const char *path)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[8192];
	int yes = 0;
	size_t n = strlen(path);
	while (f && !yes && fgets(line, sizeof line, f)) {
		size_t l = strlen(line);
		if (l && line[l - 1] == '\n')
			line[--l] = '\0';
		yes = l >= n && !strcmp(line + l - n, path);
	}
	if (f)
		fclose(f);
	return yes;
}

/* A cold start decompresses .debug_info into memory of its own and a
 * second thread keeps it in the cache; md_dwarf_settle then puts the cache
 * file's pages in place of that memory, under libdwarf, which must go on
 * answering as before. */
static void check_swap(const char *bin, const char *dir)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: swapped in");
	setenv("MAPDIAG_CACHE_DIR", dir, 1);
	opened o;
	open_bin(&o, bin, bin, NULL, NULL);
	if (T(o.st == MD_OK && md_dwarf_exe(o.d)->dwarf_cache == MD_DWARF_CACHE_KEPT, "cold open: %d %s", o.st,
	      o.err.detail)) {
		const char *cpath = md_dwarf_exe(o.d)->dwarf_cache_path;
		uint64_t a1 = 0, a2 = 0;
		md_type_id t1 = 0, t2 = 0;
		md_type ty1, ty2;
		md_err e;
		find_ok(o.d, "main.idle", 9, &a1, &t1);
		T(md_dwarf_type(o.d, t1, &ty1, &e) == MD_OK, "type: %s", e.detail);
		T(!mapped(cpath), "%s mapped before the writer is done", cpath);
		md_dwarf_settle(o.d);
		T(mapped(cpath), "%s not mapped after md_dwarf_settle", cpath);
		find_ok(o.d, "main.million", 12, NULL, NULL);
		find_ok(o.d, "runtime.g0", 10, NULL, NULL);
		md_dwarf_settle(o.d);   /* again: nothing to do */
		find_ok(o.d, "main.idle", 9, &a2, &t2);
		T(a1 == a2 && t1 == t2, "main.idle: 0x%llx/0x%llx then 0x%llx/0x%llx",
		  (unsigned long long)a1, (unsigned long long)t1, (unsigned long long)a2,
		  (unsigned long long)t2);
		T(md_dwarf_type(o.d, t2, &ty2, &e) == MD_OK && ty1.kind == ty2.kind &&
		  ty1.size == ty2.size && !strcmp(ty1.name, ty2.name), "type after the swap: %s",
		  ty2.name);
	}
	close_bin(&o);
}

static void test_cache(const char *root)
{
	char bin[PATH_MAX], plain[PATH_MAX], dir[PATH_MAX + 16], cpath[4096];
	snprintf(bin, sizeof bin, "%s/go1.26/maptarget", root);
	snprintf(plain, sizeof plain, "%s/go1.26-nocompress/maptarget", root);
	snprintf(dir, sizeof dir, "%s/cache", tmpdir);
	if (!is_file(bin))
		return;
	char *old = getenv("MAPDIAG_CACHE_DIR") ? strdup(getenv("MAPDIAG_CACHE_DIR")) : NULL;
	setenv("MAPDIAG_CACHE_DIR", dir, 1);
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: cold");
	T(cache_state(bin, cpath, sizeof cpath) == 2 && is_file(cpath), "made and kept");
	check_lazy(bin, dir, cpath);
	{
		char dir3[PATH_MAX + 16];
		snprintf(dir3, sizeof dir3, "%s/cache3", tmpdir);
		check_swap(bin, dir3);
		setenv("MAPDIAG_CACHE_DIR", dir, 1);
	}
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: warm");
	T(cache_state(bin, NULL, 0) == 1, "found");

	/* a torn file (a crash while writing, a full disk): rebuilt */
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: truncated");
	struct stat st;
	T(stat(cpath, &st) == 0 && truncate(cpath, st.st_size / 2) == 0, "truncate");
	T(cache_state(bin, NULL, 0) == 2, "rebuilt");
	/* a header that does not match the executable: rebuilt, never used */
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: wrong key");
	int fd = open(cpath, O_WRONLY);
	unsigned char junk[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	T(fd >= 0 && pwrite(fd, junk, 8, 8) == 8, "patch the key");
	if (fd >= 0)
		close(fd);
	T(cache_state(bin, NULL, 0) == 2, "rebuilt");
	/* decompressed bytes that differ from the executable's are not caught
	 * by the key (it samples the compressed bytes); a section's size is */
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: wrong section size");
	fd = open(cpath, O_WRONLY);
	uint64_t huge = 1ull << 40;
	/* sec_hdr.usize: magic, key, file size, name[32], off, size, usize */
	T(fd >= 0 && pwrite(fd, &huge, 8, 24 + 32 + 16) == 8, "patch a size");
	if (fd >= 0)
		close(fd);
	T(cache_state(bin, NULL, 0) == 2, "rebuilt");

	/* several runs at once, sharing an empty cache */
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: concurrent");
	char dir2[PATH_MAX + 16];
	snprintf(dir2, sizeof dir2, "%s/cache2", tmpdir);
	setenv("MAPDIAG_CACHE_DIR", dir2, 1);
	pid_t kids[4];
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			int c = cache_state(bin, NULL, 0);
			_exit(md_t_fail == 0 && (c == 1 || c == 2) ? 0 : 1);
		}
	}
	int good = 0;
	for (int i = 0; i < 4; i++) {
		int wst = 0;
		good += kids[i] > 0 && waitpid(kids[i], &wst, 0) == kids[i] && WIFEXITED(wst) &&
		        WEXITSTATUS(wst) == 0;
	}
	T(good == 4, "%d of 4 concurrent runs read their DWARF", good);
	T(cache_state(bin, NULL, 0) == 1, "one whole file left");
	T(count_files(dir2, ".tmp-") == 0, "%d temporary files left", count_files(dir2, ".tmp-"));

	/* no cache directory: decompressed into memory, not kept */
	snprintf(md_t_ctx, sizeof md_t_ctx, "cache: off");
	setenv("MAPDIAG_CACHE_DIR", "", 1);
	T(cache_state(bin, NULL, 0) == 3, "not kept");
	/* uncompressed DWARF is read in place */
	if (is_file(plain)) {
		snprintf(md_t_ctx, sizeof md_t_ctx, "cache: uncompressed");
		setenv("MAPDIAG_CACHE_DIR", dir, 1);
		T(cache_state(plain, NULL, 0) == 0, "read in place");
	}
	if (old) {
		setenv("MAPDIAG_CACHE_DIR", old, 1);
		free(old);
	} else {
		unsetenv("MAPDIAG_CACHE_DIR");
	}
}

/* ---- the index caches (md_cuidx.c, md_recidx.c) ------------------------ */

#define IX_VARS 4
#define IX_PCS  64
static const char *const ix_vars[IX_VARS] = { "main.idle", "runtime.g0", "runtime.m0",
                                              "main.million" };

/* What the indexes answer: variables, the functions and CFA rules of
 * pcs. */
typedef struct ix_answers {
	uint64_t addr[IX_VARS], type[IX_VARS];
	char fn[IX_PCS][256];
	int64_t cfa[IX_PCS];
	int ok;
} ix_answers;

/* pcs inside the executable's functions, from .symtab read here. */
static int spread_pcs(Elf *e, Elf_Data *d, size_t cnt, size_t strndx, void *arg)
{
	(void)e;
	(void)strndx;
	uint64_t *pcs = arg;
	int n = 0;
	size_t step = cnt / IX_PCS + 1;
	for (size_t i = 0; i < cnt && n < IX_PCS; i += step) {
		/* the next function of some size from i on */
		for (size_t j = i; j < cnt && j < i + step; j++) {
			GElf_Sym y;
			if (gelf_getsym(d, (int)j, &y) && GELF_ST_TYPE(y.st_info) == STT_FUNC &&
			    y.st_size > 8) {
				pcs[n++] = y.st_value + y.st_size / 2;
				break;
			}
		}
	}
	return n;
}

static int ix_pcs(const char *bin, uint64_t *pcs)
{
	return with_symtab(bin, spread_pcs, pcs);
}

static void ix_ask(const char *bin, const uint64_t *pcs, int npcs, ix_answers *a)
{
	memset(a, 0, sizeof *a);
	opened o;
	open_bin(&o, bin, bin, NULL, NULL);
	if (!T(o.st == MD_OK, "open: %d %s", o.st, o.err.detail)) {
		close_bin(&o);
		return;
	}
	a->ok = 1;
	for (int i = 0; i < IX_VARS; i++) {
		size_t n;
		md_err e;
		md_status st = md_dwarf_find_var(o.d, ix_vars[i], &n, &a->addr[i], &a->type[i], &e);
		if (!T(st == MD_OK, "find_var(%s): %d %s", ix_vars[i], st, e.detail))
			a->ok = 0;
	}
	md_cfi *cfi = NULL;
	md_err e;
	T(md_cfi_open(o.d, &cfi, &e) == MD_OK, "cfi_open");
	for (int i = 0; i < npcs; i++) {
		md_func f;
		md_cfa c;
		if (md_dwarf_func_name_at(o.d, pcs[i], &f, &e) == MD_OK)
			snprintf(a->fn[i], sizeof a->fn[i], "%s", f.name);
		a->cfa[i] = cfi && md_cfi_at(cfi, pcs[i], &c, &e) == MD_OK ?
		            c.cfa_off * 1000 + c.cfa_reg : -1;
	}
	md_cfi_free(cfi);
	close_bin(&o);
}

static int ix_same(const ix_answers *a, const ix_answers *b, int npcs)
{
	int same = a->ok && b->ok;
	for (int i = 0; i < IX_VARS; i++)
		if (a->addr[i] != b->addr[i] || a->type[i] != b->type[i]) {
			T(0, "%s: 0x%llx/0x%llx, was 0x%llx/0x%llx", ix_vars[i],
			  (unsigned long long)b->addr[i], (unsigned long long)b->type[i],
			  (unsigned long long)a->addr[i], (unsigned long long)a->type[i]);
			same = 0;
		}
	for (int i = 0; i < npcs; i++)
		if (strcmp(a->fn[i], b->fn[i]) || a->cfa[i] != b->cfa[i]) {
			T(0, "pc 0x%llx: %s %lld, was %s %lld", (unsigned long long)0, b->fn[i],
			  (long long)b->cfa[i], a->fn[i], (long long)a->cfa[i]);
			same = 0;
		}
	return same;
}

/* The one cache file of dir ending in ext, or "" */
static void ix_file(const char *dir, const char *ext, char *out, size_t n)
{
	out[0] = '\0';
	DIR *dp = opendir(dir);
	struct dirent *de;
	while (dp && (de = readdir(dp))) {
		size_t l = strlen(de->d_name), x = strlen(ext);
		if (l > x && !strcmp(de->d_name + l - x, ext))
			snprintf(out, n, "%s/%s", dir, de->d_name);
	}
	if (dp)
		closedir(dp);
}

/* Overwrite 8 bytes at off of file path with v. */
static int ix_poke(const char *path, off_t off, uint64_t v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ok = fd >= 0 && pwrite(fd, &v, 8, off) == 8;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void test_index_cache(const char *root)
{
	char bin[PATH_MAX], dir[PATH_MAX + 16];
	snprintf(bin, sizeof bin, "%s/go1.26/maptarget", root);
	snprintf(dir, sizeof dir, "%s/ixcache", tmpdir);
	if (!is_file(bin))
		return;
	char *old = getenv("MAPDIAG_CACHE_DIR") ? strdup(getenv("MAPDIAG_CACHE_DIR")) : NULL;
	setenv("MAPDIAG_CACHE_DIR", dir, 1);
	uint64_t pcs[IX_PCS];
	int npcs = ix_pcs(bin, pcs);
	T(npcs >= 32, "%d pcs from .symtab", npcs);

	ix_answers cold, warm, again;
	snprintf(md_t_ctx, sizeof md_t_ctx, "index cache: cold");
	ix_ask(bin, pcs, npcs, &cold);
	T(cold.ok, "every variable found");
	int named = 0, ruled = 0;
	for (int i = 0; i < npcs; i++) {
		named += cold.fn[i][0] != 0;
		ruled += cold.cfa[i] >= 0;
	}
	T(named == npcs && ruled >= npcs / 2, "%d of %d pcs named, %d with a CFA rule",
	  named, npcs, ruled);
	const char *exts[] = { ".cus", ".syms", ".fdes", ".vars" };
	char f[4][PATH_MAX + 300];
	for (int i = 0; i < 4; i++) {
		ix_file(dir, exts[i], f[i], sizeof f[i]);
		T(f[i][0] && is_file(f[i]), "%s written", exts[i]);
	}
	snprintf(md_t_ctx, sizeof md_t_ctx, "index cache: warm");
	ix_ask(bin, pcs, npcs, &warm);
	T(ix_same(&cold, &warm, npcs), "the same answers from the cache");

	/* Files whose headers check but whose records lie: every answer is
	 * checked against the bytes it points at, so the answers stay right
	 * and the file is rebuilt. */
	struct {
		int file;
		off_t off;
		uint64_t v;
		const char *what;
	} lies[] = {
		/* .cus: 48-byte header, then {die_off, name_len} per CU */
		{ 0, 48, 0, "first CU's offset moved" },
		{ 0, 48 + 16, 11, "second CU's offset into the first" },
		/* .syms, .fdes, .vars: 48-byte header, then records */
		{ 1, 48, 0x401000, "a symbol's start" },
		{ 1, 48 + 24 * 5 + 8, 0x10, "a symbol's end" },
		{ 2, 48 + 24 * 3 + 16, 0, "an FDE's offset" },
		{ 3, 48 + 8, 12, "a variable's DIE" },
	};
	for (size_t k = 0; k < sizeof lies / sizeof *lies; k++) {
		snprintf(md_t_ctx, sizeof md_t_ctx, "index cache: %s", lies[k].what);
		T(ix_poke(f[lies[k].file], lies[k].off, lies[k].v), "poke");
		ix_ask(bin, pcs, npcs, &again);
		T(ix_same(&cold, &again, npcs), "the same answers");
	}

	/* An index that lacks a CU is not believed for a "not found". */
	snprintf(md_t_ctx, sizeof md_t_ctx, "index cache: a CU missing");
	{
		int fd = open(f[0], O_RDWR | O_CLOEXEC);
		unsigned char h[48 + 16];
		if (T(fd >= 0 && pread(fd, h, sizeof h, 0) == (ssize_t)sizeof h, "read .cus")) {
			/* keep the first CU only: count 1, its name's bytes */
			uint32_t one = 1, nl;
			uint64_t nbytes;
			memcpy(&nl, h + 48 + 8, 4);
			nbytes = nl;
			char name[1024];
			uint32_t ncus;
			memcpy(&ncus, h + 32, 4);
			T(pread(fd, name, nl, 48 + (off_t)ncus * 16) == (ssize_t)nl, "name");
			memcpy(h + 32, &one, 4);
			memcpy(h + 40, &nbytes, 8);
			T(ftruncate(fd, 0) == 0 && pwrite(fd, h, sizeof h, 0) == (ssize_t)sizeof h &&
			  pwrite(fd, name, nl, sizeof h) == (ssize_t)nl, "write a one-CU index");
		}
		if (fd >= 0)
			close(fd);
		ix_ask(bin, pcs, npcs, &again);
		T(ix_same(&cold, &again, npcs), "every variable still found");
	}

	/* A torn file is not mapped; nothing changes. */
	snprintf(md_t_ctx, sizeof md_t_ctx, "index cache: truncated");
	for (int i = 0; i < 4; i++) {
		struct stat sb;
		T(stat(f[i], &sb) == 0 && truncate(f[i], sb.st_size - 3) == 0, "truncate %s",
		  exts[i]);
	}
	ix_ask(bin, pcs, npcs, &again);
	T(ix_same(&cold, &again, npcs), "the same answers");

	if (old) {
		setenv("MAPDIAG_CACHE_DIR", old, 1);
		free(old);
	} else {
		unsetenv("MAPDIAG_CACHE_DIR");
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s BINARY|DIR...\n", argv[0]);
		return 2;
	}
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_dwarf.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		test_path(argv[i]);
	test_not_go();
	for (int i = 1; i < argc; i++) {
		if (is_dir(argv[i])) {
			test_debug_files(argv[i]);
			test_corrupt(argv[i]);
			test_bad_headers(argv[i]);
			test_cache(argv[i]);
			test_index_cache(argv[i]);
		}
	}
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return md_test_done("test_dwarf");
}
