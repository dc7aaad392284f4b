/* fuzz_dwarf.c - the ELF/DWARF loader (dwarf/) on arbitrary files.
 *
 * The input is a whole file: it goes to a memfd, md_dwarf_open reads it as
 * the executable, and if it opens every entry point of dwarf/'s contract
 * runs on it: variables by name and by prefix, types, members, map layouts,
 * functions, lines, parameter locations, the locals of a frame, run-time
 * types by offset and by name, CFI, read plans (src/snapshot/plan.h) and
 * scan shapes (src/scan/shape_priv.h) at depth 3.  Whatever the bytes, the loader
 * must answer with a status, never crash, hang or read out of bounds, and
 * what it answers must satisfy the contract (FUZZ_CHECK below).
 *
 * MAPDIAG_CACHE_DIR="" keeps decompressed DWARF in a memfd: nothing is
 * written to disk.  debug_dir points nowhere, and exe_path is NULL, so no
 * debug file is searched for on this machine.
 *
 * Seeds: tests/fuzz/seed/mini.S (a 13 KB Go-like binary, built by
 * tests/fuzz/mkseeds.sh, plain and with compressed DWARF) and real Go
 * binaries from testdata/bin (copied at run time, never committed).
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "md_dwarf.h"
#include "md_elfimg.h"
#include "md_cfi.h"
#include "shape_priv.h"
#include "plan.h"
#include "expr.h"
#include "validate.h"

/* Work bounds per input, so that a big real binary stays in the ms. */
#define MAX_VARS 24        /* variables collected from each_var */
#define TYPE_BUDGET 160    /* md_dwarf_type calls in one explore */
#define MAX_MEMBERS 12

typedef struct ctx {
	md_dwarf *d;
	md_shapes *sh;
	int budget;
	struct { char name[128]; md_type_id type; uint64_t addr; } vars[MAX_VARS];
	int nvars;
	int seen;      /* callbacks of the current each_var */
	int limit;     /* stop the walk after this many */
} ctx;

static void check_field(const md_field *f, uint64_t size, const char *what)
{
	if (f->off < 0)
		return;
	FUZZ_CHECK(f->size > 0 && (uint64_t)f->off <= size && f->size <= size - (uint64_t)f->off,
	           "layout field %s (off %lld size %u) outside %llu", what, (long long)f->off,
	           f->size, (unsigned long long)size);
}

/* md_dwarf_map_layout: on MD_OK every field it gives lies inside the struct
 * it belongs to and the required ones are there. */
static void check_layout(const md_map_layout *l)
{
	FUZZ_CHECK(FZ_TERMINATED(l->type_name) && FZ_TERMINATED(l->header_type), "names");
	FUZZ_CHECK(l->impl == MD_IMPL_HMAP || l->impl == MD_IMPL_SWISS, "impl %d", l->impl);
	uint64_t hs = l->header_size;
	if (l->impl == MD_IMPL_HMAP) {
		FUZZ_CHECK(l->count.off >= 0 && l->B.off >= 0 && l->flags.off >= 0 &&
		           l->buckets.off >= 0 && l->oldbuckets.off >= 0 && l->nevacuate.off >= 0,
		           "hmap layout without a required field");
		check_field(&l->count, hs, "count");
		check_field(&l->flags, hs, "flags");
		check_field(&l->B, hs, "B");
		check_field(&l->noverflow, hs, "noverflow");
		check_field(&l->hash0, hs, "hash0");
		check_field(&l->buckets, hs, "buckets");
		check_field(&l->oldbuckets, hs, "oldbuckets");
		check_field(&l->nevacuate, hs, "nevacuate");
		check_field(&l->extra, hs, "extra");
		FUZZ_CHECK(l->bucket_size > 0, "bucket size 0");
	} else {
		FUZZ_CHECK(l->used.off >= 0 && l->dirPtr.off >= 0 && l->dirLen.off >= 0 &&
		           l->t_used.off >= 0 && l->t_capacity.off >= 0 &&
		           l->t_groups_data.off >= 0 && l->t_groups_lengthMask.off >= 0,
		           "swiss layout without a required field");
		check_field(&l->used, hs, "used");
		check_field(&l->seed, hs, "seed");
		check_field(&l->dirPtr, hs, "dirPtr");
		check_field(&l->dirLen, hs, "dirLen");
		check_field(&l->globalDepth, hs, "globalDepth");
		check_field(&l->globalShift, hs, "globalShift");
		check_field(&l->writing, hs, "writing");
		check_field(&l->tombstonePossible, hs, "tombstonePossible");
		uint64_t ts = l->table_size;
		check_field(&l->t_used, ts, "t_used");
		check_field(&l->t_capacity, ts, "t_capacity");
		check_field(&l->t_growthLeft, ts, "t_growthLeft");
		check_field(&l->t_localDepth, ts, "t_localDepth");
		check_field(&l->t_index, ts, "t_index");
		check_field(&l->t_groups_data, ts, "t_groups_data");
		check_field(&l->t_groups_lengthMask, ts, "t_groups_lengthMask");
		FUZZ_CHECK(l->group_size > 0, "group size 0");
	}
	check_field(&l->clearSeq, hs, "clearSeq");
}

static void explore(ctx *c, md_type_id t, int depth);

typedef struct members {
	struct { char name[64]; uint64_t off; md_type_id type; } m[MAX_MEMBERS];
	int n, calls;
} members;

static int collect_member(void *arg, const char *name, uint64_t off, md_type_id type)
{
	members *ms = arg;
	FUZZ_CHECK(name != NULL, "member without a name pointer");
	ms->calls++;
	if (ms->n < MAX_MEMBERS) {
		snprintf(ms->m[ms->n].name, sizeof ms->m[ms->n].name, "%s", name);
		ms->m[ms->n].off = off;
		ms->m[ms->n].type = type;
		ms->n++;
	}
	return ms->calls >= 4 * MAX_MEMBERS;  /* stop early: the stop path too */
}

static void explore(ctx *c, md_type_id t, int depth)
{
	md_type ty;
	md_err e;
	if (!t || depth > 5 || c->budget-- <= 0)
		return;
	if (md_dwarf_type(c->d, t, &ty, &e) != MD_OK)
		return;
	FUZZ_CHECK(FZ_TERMINATED(ty.name), "type name not terminated");
	FZ_SAY("%*stype %#llx kind %d %s size %llu\n", 2 * depth, "", (unsigned long long)t,
	       ty.kind, ty.name, (unsigned long long)ty.size);
	switch (ty.kind) {
	case MD_TK_MAP: {
		md_map_layout l;
		md_status st = md_dwarf_map_layout(c->d, t, &l, &e);
		FZ_SAY("%*slayout: %d %s\n", 2 * depth, "", st, st ? e.detail : l.header_type);
		if (st == MD_OK) {
			check_layout(&l);
			(void)md_layout_check(&l, &e);
		}
		explore(c, ty.target, depth + 1);
		break;
	}
	case MD_TK_STRUCT:
	case MD_TK_SLICE:
	case MD_TK_STRING: {
		members ms = { .n = 0 };
		uint64_t off;
		md_type_id mt;
		(void)md_dwarf_each_member(c->d, t, collect_member, &ms, &e);
		for (int i = 0; i < ms.n; i++)
			explore(c, ms.m[i].type, depth + 1);
		/* by name: the first member of that name (names may repeat) */
		if (ms.n && ms.calls <= MAX_MEMBERS &&
		    md_dwarf_member(c->d, t, ms.m[ms.n - 1].name, &off, &mt, &e) == MD_OK) {
			int k = 0;
			while (strcmp(ms.m[k].name, ms.m[ms.n - 1].name))
				k++;
			FUZZ_CHECK(off == ms.m[k].off, "member %s at %llu, each_member said %llu",
			           ms.m[k].name, (unsigned long long)off,
			           (unsigned long long)ms.m[k].off);
		}
		(void)md_dwarf_member(c->d, t, "no-such-member", &off, &mt, &e);
		FUZZ_CHECK(FZ_TERMINATED(e.detail), "detail");
		if (ty.kind == MD_TK_SLICE)
			explore(c, ty.target, depth + 1);
		break;
	}
	case MD_TK_POINTER:
	case MD_TK_TYPEDEF:
	case MD_TK_ARRAY:
	case MD_TK_CHAN:
	case MD_TK_INTERFACE:
		explore(c, ty.target, depth + 1);
		break;
	default:
		break;
	}
}

static int collect_var(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	ctx *c = arg;
	FUZZ_CHECK(name && !strstr(name, ".."), "each_var gave a compiler temporary: %s",
	           name ? name : "(null)");
	c->seen++;
	if (c->nvars < MAX_VARS) {
		snprintf(c->vars[c->nvars].name, sizeof c->vars[c->nvars].name, "%s", name);
		c->vars[c->nvars].type = type;
		c->vars[c->nvars].addr = addr;
		c->nvars++;
	}
	return c->seen >= c->limit;
}

static void find(ctx *c, const char *expr)
{
	size_t nl = 0;
	uint64_t addr = 0;
	md_type_id t = 0;
	md_err e;
	md_status st = md_dwarf_find_var(c->d, expr, &nl, &addr, &t, &e);
	FZ_SAY("find %s: %d %s\n", expr, st, st ? e.detail : "");
	FUZZ_CHECK(FZ_TERMINATED(e.detail), "detail");
	if (st != MD_OK)
		return;
	FUZZ_CHECK(nl > 0 && nl <= strlen(expr) &&
	           (expr[nl] == '\0' || expr[nl] == '.' || expr[nl] == '['),
	           "name_len %zu for %s", nl, expr);
	explore(c, t, 0);
	md_plan p;
	st = md_plan_build(c->d, expr, 0x1000, &p, &e);
	FZ_SAY("plan %s: %d %s\n", expr, st, st ? e.detail : "");
	if (st == MD_OK)
		FUZZ_CHECK(p.nsteps >= 1 && p.nsteps <= MD_PLAN_MAX_STEPS, "nsteps %d", p.nsteps);
}

/* md_dwarf_each_local's answers obey its contract. */
typedef struct locals {
	int calls, limit;
} locals;

static int check_local(void *arg, const md_local *l)
{
	locals *ls = arg;
	ls->calls++;
	FUZZ_CHECK(FZ_TERMINATED(l->name), "local name not terminated");
	FUZZ_CHECK(l->is_param == 0 || l->is_param == 1, "is_param %d", l->is_param);
	FUZZ_CHECK(l->npieces >= 0 && l->npieces <= MD_LOCAL_MAX_PIECES, "npieces %d",
	           l->npieces);
	FUZZ_CHECK(!l->not_understood || l->npieces == 0, "not understood with %d pieces",
	           l->npieces);
	for (int k = 0; k < l->npieces; k++) {
		const md_piece *p = &l->pieces[k];
		FUZZ_CHECK(p->loc.kind >= MD_LOC_NONE && p->loc.kind <= MD_LOC_ADDR,
		           "piece kind %d", p->loc.kind);
		FUZZ_CHECK(l->npieces == 1 || p->size > 0, "piece %d of %d has no bytes", k,
		           l->npieces);
	}
	FZ_SAY("  local %s%s type %#llx pieces %d%s\n", l->is_param ? "param " : "", l->name,
	       (unsigned long long)l->type, l->npieces, l->not_understood ? " (not understood)" : "");
	return ls->calls >= ls->limit;  /* stop early: the stop path too */
}

static void frame_locals(ctx *c, const md_func *f, uint64_t pc)
{
	md_err e;
	locals ls = { 0, 48 };
	md_status st = md_dwarf_each_local(c->d, f, pc, check_local, &ls, &e);
	FZ_SAY("locals of %s at %#llx: %d, %d\n", f->name, (unsigned long long)pc, st, ls.calls);
	FUZZ_CHECK(FZ_TERMINATED(e.detail), "detail");
	FUZZ_CHECK(ls.calls <= ls.limit, "each_local went on after fn returned non-zero");
}

/* Run-time types: by name (then described), and by offsets that are,
 * or are not, those of the names found. */
static void rtypes(ctx *c)
{
	static const char *tnames[] = { "int", "string", "*main.Holder", "map[string]int",
		"main.Cache", "internal/abi.Type", "runtime.main", "", "nosuch" };
	md_err e;
	uint64_t base = 0;
	md_status st = md_dwarf_types_base(c->d, &base, &e);
	FZ_SAY("types base: %d %#llx\n", st, (unsigned long long)base);
	FUZZ_CHECK(st == MD_OK || st == MD_NOTFOUND, "types_base: %d", st);
	for (size_t i = 0; i < sizeof tnames / sizeof *tnames; i++) {
		md_type_id t = 0;
		st = md_dwarf_type_by_name(c->d, tnames[i], &t, &e);
		FZ_SAY("type %s: %d %#llx\n", tnames[i], st, (unsigned long long)t);
		FUZZ_CHECK(FZ_TERMINATED(e.detail), "detail");
		FUZZ_CHECK((st == MD_OK) == (t != 0), "type_by_name: %d with id %#llx", st,
		           (unsigned long long)t);
		if (st == MD_OK) {
			c->budget = TYPE_BUDGET / 8;
			explore(c, t, 0);
		}
	}
	for (uint64_t off = 0; off < 0x400; off += 0x60) {
		md_type_id t = 0;
		st = md_dwarf_type_of_runtime(c->d, off, &t, &e);
		FUZZ_CHECK((st == MD_OK) == (t != 0), "type_of_runtime: %d with id %#llx", st,
		           (unsigned long long)t);
		if (st == MD_OK) {
			c->budget = TYPE_BUDGET / 16;
			explore(c, t, 0);
		}
	}
}

static const uint64_t PCS[] = {
	0, 1, 0x1000, 0x401000, 0x401001, 0x401004, 0x401008, 0x40100d, 0x401013,
	0x401014, 0x401018, 0x40101c, 0x403110, 0x403280, 0x45a000, 0x460000,
	0x490880, 0x4908a0, UINT64_MAX,
};

/* md_dwarf_inline_at's answers obey its contract, with and without the
 * innermost line. */
static void inlined(ctx *c, uint64_t pc)
{
	md_inline in;
	md_err e;
	for (int want = 0; want < 2; want++) {
		md_status st = md_dwarf_inline_at(c->d, pc, want, &in, &e);
		FUZZ_CHECK(in.n >= 0 && in.n <= MD_INLINE_MAX, "inline n %d", in.n);
		FUZZ_CHECK(st == MD_OK || in.n == 0, "inline status %d with n %d", st, in.n);
		FUZZ_CHECK(!in.truncated || in.n == MD_INLINE_MAX, "truncated at n %d", in.n);
		FUZZ_CHECK(FZ_TERMINATED(in.file), "inline file not terminated");
		for (int k = 0; k < in.n; k++) {
			FUZZ_CHECK(in.f[k].func[0] && FZ_TERMINATED(in.f[k].func) &&
			           FZ_TERMINATED(in.f[k].file), "inline frame %d", k);
			FZ_SAY("pc %#llx: inlined %s at %s:%d\n", (unsigned long long)pc,
			       in.f[k].func, in.f[k].file, in.f[k].line);
		}
	}
}

static void code(ctx *c)
{
	md_err e;
	md_cfi *cfi = NULL;
	md_status cst = md_cfi_open(c->d, &cfi, &e);
	FZ_SAY("cfi: %d\n", cst);
	for (size_t i = 0; i < sizeof PCS / sizeof *PCS; i++) {
		uint64_t pc = PCS[i];
		md_func f;
		char file[64];
		int line = -1;
		memset(&f, 0, sizeof f);
		md_status st = md_dwarf_func_at(c->d, pc, &f, &e);
		if (st == MD_OK || (st == MD_E_DWARF && f.name[0])) {
			FUZZ_CHECK(FZ_TERMINATED(f.name), "func name");
			FZ_SAY("pc %#llx: %s [%#llx,%#llx) die %#llx\n", (unsigned long long)pc, f.name,
			       (unsigned long long)f.lo, (unsigned long long)f.hi,
			       (unsigned long long)f.die);
		}
		if (st == MD_OK) {
			FUZZ_CHECK(f.lo <= pc && pc < f.hi, "func_at %#llx gave [%#llx,%#llx)",
			           (unsigned long long)pc, (unsigned long long)f.lo,
			           (unsigned long long)f.hi);
			md_func nodie = f;
			nodie.die = 0;
			frame_locals(c, &f, pc);
			frame_locals(c, &nodie, f.lo);
			static const char *params[] = { "m", "h", "n", "" };
			for (int k = 0; k < 4; k++) {
				md_loc loc;
				uint64_t at[3] = { pc, f.lo, f.hi - 1 };
				for (int j = 0; j < 3; j++)
					if (md_dwarf_param_loc(c->d, &f, params[k], at[j], &loc, &e) == MD_OK) {
						FUZZ_CHECK(loc.kind >= MD_LOC_NONE && loc.kind <= MD_LOC_ADDR,
						           "loc kind %d", loc.kind);
						if (loc.kind != MD_LOC_NONE)
							FZ_SAY("pc %#llx: %s at %#llx: kind %d reg %d off %lld\n",
							       (unsigned long long)pc, params[k],
							       (unsigned long long)at[j], loc.kind, loc.reg,
							       (long long)loc.off);
					}
			}
		}
		st = md_dwarf_line_at(c->d, pc, file, sizeof file, &line, &e);
		if (st == MD_OK) {
			FUZZ_CHECK(FZ_TERMINATED(file), "file not terminated");
			FZ_SAY("pc %#llx: %s:%d\n", (unsigned long long)pc, file, line);
		}
		(void)md_dwarf_line_at(c->d, pc, NULL, 0, NULL, &e);
		inlined(c, pc);
		if (cst == MD_OK) {
			md_cfa cfa;
			if (md_cfi_at(cfi, pc, &cfa, &e) == MD_OK) {
				FZ_SAY("pc %#llx: cfa r%d%+lld ra %+lld\n", (unsigned long long)pc,
				       cfa.cfa_reg, (long long)cfa.cfa_off, (long long)cfa.ra_off);
				/* libdwarf's FDE range is inclusive: [lo, hi] */
				FUZZ_CHECK(cfa.lo <= pc && pc <= cfa.hi, "cfi range [%#llx,%#llx]",
				           (unsigned long long)cfa.lo, (unsigned long long)cfa.hi);
			}
		}
	}
	if (cst == MD_OK)
		md_cfi_free(cfi);
}

static void shapes(ctx *c)
{
	md_shapes sh;
	md_err e;
	md_shapes_init(&sh, c->d);
	for (int i = 0; i < c->nvars && i < 12; i++) {
		int s = -1;
		md_status st = md_shapes_get(&sh, c->vars[i].type, 3, &s, &e);
		FZ_SAY("shape of %s: %d -> %d\n", c->vars[i].name, st, s);
		if (st != MD_OK)
			continue;
		FUZZ_CHECK(s >= -1 && (s < 0 || (size_t)s < sh.nshapes), "shape index %d", s);
	}
	/* every shape's slots are in range, and what they name exists */
	for (size_t i = 0; i < sh.nshapes; i++) {
		const md_shape *x = &sh.shapes[i];
		FUZZ_CHECK(x->first <= sh.nslots && x->n <= sh.nslots - x->first, "shape slots");
		for (size_t j = 0; j < x->n; j++) {
			const md_slot *sl = &sh.slots[x->first + j];
			FUZZ_CHECK(sl->suffix < sh.npool, "suffix");
			switch (sl->kind) {
			case MD_SLOT_MAP:
				FUZZ_CHECK(sl->target >= 0 && (size_t)sl->target < sh.nlayouts, "map target");
				break;
			case MD_SLOT_PTR:
			case MD_SLOT_SLICE:
				FUZZ_CHECK(sl->target >= 0 && (size_t)sl->target < sh.nshapes, "shape target");
				break;
			case MD_SLOT_NOTE:
				FUZZ_CHECK(sl->target >= 0 && (size_t)sl->target < sh.nnotes, "note target");
				break;
			default:
				FUZZ_CHECK(0, "slot kind %d", sl->kind);
			}
		}
	}
	FUZZ_CHECK(sh.nslots <= (size_t)MD_SHAPE_MAX_SLOTS * (sh.nshapes + 1), "slots");
	md_shapes_free(&sh);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("MAPDIAG_CACHE_DIR", "", 1);
	fz_init_verbose();
	return 0;
}

/* The same file as a mapped library for C-frame unwinding
 * (md_elfimg.h): segments by address, the unwind table, symbols. */
static void elfimg(int fd)
{
	md_elfimg *im;
	md_err e;
	md_status st = md_elfimg_open(fd, &im, &e);
	FZ_SAY("elfimg: %d\n", st);
	if (st != MD_OK) {
		FUZZ_CHECK(im == NULL, "failed elfimg open left *out set");
		return;
	}
	uint64_t a, size, va, v, lo;
	unsigned char buf[64];
	const char *name;
	if (md_elfimg_eh_frame_hdr(im, &a, &size)) {
		md_elfimg_read(im, a, buf, sizeof buf);
		for (uint64_t k = 0; k < 64; k++)
			if (md_elfimg_func_at(im, a + k * 4099, &name, &lo))
				FUZZ_CHECK(lo <= a + k * 4099 && strlen(name) < (1u << 24), "func_at");
	}
	for (uint64_t off = 0; off < (1u << 16); off += 4096)
		if (md_elfimg_vaddr_of(im, off, off & 4096, &va)) {
			md_elfimg_read(im, va, buf, sizeof buf);
			if (md_elfimg_func_at(im, va + 16, &name, &lo))
				FUZZ_CHECK(lo <= va + 16, "func_at below its lo");
		}
	md_elfimg_read(im, UINT64_MAX - 4, buf, 8);
	md_elfimg_sym(im, "runtime.text", &v);
	md_elfimg_free(im);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fz_memfd("fuzz_dwarf", data, size);
	md_dwarf_opts o = { .exe_path = NULL, .exe_fd = fd, .debug_file = NULL,
	                    .debug_dir = "/nonexistent/mapdiag-fuzz" };
	md_dwarf *d = NULL;
	md_err e;
	elfimg(fd);
	md_status st = md_dwarf_open(&o, &d, &e);
	FZ_SAY("open: %d %s\n", st, st ? e.detail : "");
	FUZZ_CHECK(FZ_TERMINATED(e.detail), "detail");
	if (st != MD_OK) {
		FUZZ_CHECK(d == NULL, "failed open left *out set");
		close(fd);
		return 0;
	}
	/* libdwarf reads through its own descriptor: ours may go now */
	close(fd);
	const md_exe_info *x = md_dwarf_exe(d);
	FUZZ_CHECK(FZ_TERMINATED(x->go_version) && FZ_TERMINATED(x->build_id) &&
	           FZ_TERMINATED(x->debuglink) && FZ_TERMINATED(x->dwarf_path) &&
	           FZ_TERMINATED(x->dwarf_cache_path), "exe info strings");
	FUZZ_CHECK(x->dwarf_cache == MD_DWARF_IN_PLACE || x->dwarf_cache == MD_DWARF_CACHE_NONE,
	           "cache %d with MAPDIAG_CACHE_DIR empty", x->dwarf_cache);
	FZ_SAY("go %s pie %d build id %s compressed %d cache %d\n", x->go_version, x->pie,
	       x->build_id, x->dwarf_compressed, x->dwarf_cache);

	ctx c = { .d = d, .budget = TYPE_BUDGET };
	static const char *names[] = {
		"main.idle", "main.holder.inner.m", "runtime.buildVersion", "main.idel",
		"main.sw", "main.holder.p.s", "main.arr[1]", "main.sl[3]", "main.pm",
		"main.holder.inner.nope", "nosuch/pkg.x", "main.idle[0]",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		find(&c, names[i]);

	static const struct { const char *prefix; int limit; } pre[] = {
		{ "main.", 64 }, { "runtime.b", 16 }, { "", 48 }, { "nosuch/", 4 }, { "main.h", 1 },
	};
	for (size_t i = 0; i < sizeof pre / sizeof *pre; i++) {
		c.seen = 0;
		c.limit = pre[i].limit;
		st = md_dwarf_each_var(d, pre[i].prefix, collect_var, &c, &e);
		FZ_SAY("each_var '%s': %d, %d seen\n", pre[i].prefix, st, c.seen);
		FUZZ_CHECK(c.seen <= c.limit, "each_var went on after fn returned non-zero");
	}
	for (int i = 0; i < c.nvars; i++) {
		c.budget = TYPE_BUDGET / 4;
		explore(&c, c.vars[i].type, 0);
	}
	code(&c);
	rtypes(&c);
	shapes(&c);
	int64_t tls;
	st = md_dwarf_tls_offset(d, "runtime.tlsg", &tls, &e);
	FZ_SAY("tls: %d %lld\n", st, (long long)tls);
	FUZZ_CHECK(st != MD_OK || (tls <= -8 && tls >= -(1 << 20)), "g slot %lld", (long long)tls);
	md_dwarf_free(d);
	return 0;
}
