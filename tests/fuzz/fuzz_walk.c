/* fuzz_walk.c - the walk of mapdiag scan (src/scan/walk_priv.h) over this
 * process's own memory, with shapes and memory drawn from the input.
 *
 * Input: a shape count byte, then per shape a slot count and per slot 4
 * bytes (kind, target, offset, slice element size / header offsets), then
 * up to 4 roots (shape, offset in the arena), then the arena's bytes.  The
 * arena is 1 MiB of our memory; every 8-byte word of it whose top byte is
 * 0xa5 becomes a pointer into the arena (offset = low 20 bits), so the
 * input can build rings, shared pointees, slices of slices and slices
 * claiming up to 2^63 elements.  Shapes may be cyclic (the walk must end
 * anyway: pointees are visited once per type, rounds are bounded).
 *
 * The interface step: when the shape count byte has bit 7 set, a byte
 * follows it (bits 0-1 the Go binary of fuzz_gobin.h, 2 interfaces not
 * followed (w->dyn NULL), 3 no memory to read descriptors from (DWARF
 * guesses direct), 4 no types base), slots may be of every kind
 * (interfaces: target the depth left, 1-7; elem_size 1 for an itab; cuts;
 * unsafe.Pointers), the shapes are those of the binary's DWARF as the walk
 * grows them (md_shapes_dynamic, sharing the walk's md_shapes as scan
 * does), with runtime.types at the arena's start: an arena word whose top
 * byte is 0xa6 becomes the address of a real type descriptor of the binary
 * (types_base + a run-time type offset of fuzz_gobin.h's table, low 16
 * bits), and a 0xa5 word is a type word of any offset; the descriptor's
 * size and ptrdata words are the arena's at that offset, so
 * md_rtype_direct_at says direct or not as the input chose.  Reads go
 * through pread (MD_MEM_PREAD) so that ASan checks the buffers they fill;
 * a guard after the arena fails reads past it.
 *
 * Properties: the walk ends, every list stays under its MD_SCAN_MAX_*
 * bound, every path is printable and terminated, and (for walks of up to
 * 2^16 items) a second run after md_walk_reserve finds the same.  The
 * counters agree (truncated = walk_bound + slice_bound; unreadable within
 * nf.unreadable); an interface hop's ".(T)" is in the pool, none without
 * dynamic types, and a map found through one says so (md_walk_root_of);
 * the shapes the walk grew point only at shapes that exist.
 * libFuzzer's -malloc_limit_mb and -timeout catch a walk that allocates
 * or loops without bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "fuzz_gobin.h"
#include "walk_priv.h"
#include "rtype.h"

#define ARENA_SIZE ((size_t)1 << 20)
#define MAX_SHAPES 8
#define MAX_SLOTS 6
#define GUARD_SIZE ((size_t)1 << 16)
static unsigned char *arena;
static size_t arena_dirty;
static fz_gobin bins[FZ_MAX_GOBINS];
static md_rtypes rts[FZ_MAX_GOBINS];
static int nbins;

static uint32_t pool_add(md_shapes *s, const char *x)
{
	uint32_t off = (uint32_t)s->npool;
	size_t n = strlen(x) + 1;
	s->pool = realloc(s->pool, s->npool + n);
	if (!s->pool)
		abort();
	memcpy(s->pool + s->npool, x, n);
	s->npool += n;
	s->pool_cap = s->npool;
	return off;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_verbose();
	/* reads past the arena fail, whatever lies after it */
	arena = fz_arena(ARENA_SIZE + GUARD_SIZE);
	if (mprotect(arena + ARENA_SIZE, GUARD_SIZE, PROT_NONE) != 0)
		abort();
	nbins = fz_gobins_load(bins, "fuzz_walk");
	for (int i = 0; i < nbins; i++) {
		md_err e;
		md_rtypes_load(bins[i].d, 0, &rts[i], &e);
		for (size_t k = 0; k < bins[i].ntoffs; k++)
			if (bins[i].toffs[k] + 64 > ARENA_SIZE)
				bins[i].toffs[k] = 0;   /* would lie past the arena */
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	md_shapes sh;
	uint8_t first = fz_u8(&in);
	int iface = first & 0x80;
	uint8_t cfg = iface ? fz_u8(&in) : 0;
	const fz_gobin *bin = iface ? &bins[(cfg & 3) % nbins] : NULL;
	md_shapes_init(&sh, bin ? bin->d : NULL);
	pool_add(&sh, "");

	int nshapes = 1 + first % MAX_SHAPES;
	int nslots[MAX_SHAPES];
	for (int i = 0; i < nshapes; i++)
		nslots[i] = 1 + fz_u8(&in) % MAX_SLOTS;
	sh.shapes = calloc((size_t)nshapes, sizeof *sh.shapes);
	sh.slots = calloc((size_t)nshapes * MAX_SLOTS, sizeof *sh.slots);
	sh.shapes_cap = (size_t)nshapes;
	sh.slots_cap = (size_t)nshapes * MAX_SLOTS;
	for (int i = 0; i < nshapes; i++) {
		sh.shapes[i] = (md_shape){ sh.nslots, (size_t)nslots[i], (md_type_id)(i + 1) };
		for (int j = 0; j < nslots[i]; j++) {
			uint8_t a = fz_u8(&in), b = fz_u8(&in), c = fz_u8(&in), d = fz_u8(&in);
			md_slot *sl = &sh.slots[sh.nslots++];
			char name[32];
			sl->kind = (md_slot_kind)(1 + a % (iface ? 7 : 4));
			sl->target = sl->kind == MD_SLOT_MAP || sl->kind == MD_SLOT_NOTE ||
			             sl->kind == MD_SLOT_UNSAFE ? 0 : b % nshapes;
			sl->entries = -1;   /* no map's entries are walked here */
			sl->off = (uint64_t)(c & 0x3f) * 8 + (c >> 6);   /* mostly aligned */
			if (sl->kind == MD_SLOT_IFACE) {
				sl->target = 1 + b % 7;     /* the depth left */
				sl->elem_size = d & 1;      /* an itab */
			}
			if (sl->kind == MD_SLOT_CUT)
				sl->target = b % 3;         /* MD_CUT_PTR, _SLICE, _IFACE */
			if (sl->kind == MD_SLOT_SLICE ||
			    (sl->kind == MD_SLOT_CUT && sl->target == MD_CUT_SLICE)) {
				sl->elem_size = (d & 0x0f) * 8 + ((d >> 4) & 1);   /* 0 too */
				sl->hdr.off_data = (d >> 5) & 1 ? 8 : 0;
				sl->hdr.off_len = sl->hdr.off_data ? 0 : 8;
				sl->hdr.off_cap = 16;
			}
			snprintf(name, sizeof name, ".f%d_%d", i, j);
			sl->suffix = pool_add(&sh, name);
		}
	}
	sh.nshapes = (size_t)nshapes;

	md_walk_root roots[4];
	static const char *names[4] = { "main.a", "main.b", "example.com/p.c", "main.d" };
	int nroots = 1 + fz_u8(&in) % 4;
	for (int r = 0; r < nroots; r++) {
		roots[r].name = names[r];
		roots[r].shape = fz_u8(&in) % nshapes;
		roots[r].addr = (uint64_t)(uintptr_t)arena + (fz_u16(&in) % 4096) * 8;
	}

	/* the arena */
	size_t n = in.n < ARENA_SIZE ? in.n : ARENA_SIZE;
	memset(arena, 0, arena_dirty);
	memcpy(arena, in.p, n);
	arena_dirty = n;
	for (size_t o = 0; o + 8 <= n; o += 8) {
		uint64_t w;
		memcpy(&w, arena + o, 8);
		if ((w >> 56) == 0xa5) {
			w = (uint64_t)(uintptr_t)arena + (w & (ARENA_SIZE - 1));
			memcpy(arena + o, &w, 8);
		} else if ((w >> 56) == 0xa6 && bin && bin->ntoffs) {
			/* a real type descriptor's address (runtime.types = arena) */
			w = (uint64_t)(uintptr_t)arena + bin->toffs[(w & 0xffff) % bin->ntoffs];
			memcpy(arena + o, &w, 8);
		}
	}

	md_walk w;
	md_mem m;
	md_err err;
	if (md_mem_open_live(&m, getpid(), iface ? MD_MEM_PREAD : 0, NULL) != MD_OK)
		abort();
	md_walk_init(&w, &sh, roots, nroots);
	if (iface) {
		sh.rt = rts[bin - bins];
		sh.rt.types_base = cfg & 0x10 ? 0 : (uint64_t)(uintptr_t)arena;
		sh.types_base = sh.rt.types_base;
		sh.itab_type_off = sh.rt.itab_type_off;
		sh.mem = cfg & 8 ? NULL : &m;
		w.dyn = cfg & 4 ? NULL : &sh;   /* as scan.c: the walk's own shapes */
	}
	md_status st = md_walk_run(&w, &m, &err);
	FZ_SAY("walk: %d, %zu maps %zu aliases %zu notes, %llu rounds, %llu truncated, "
	       "%llu unreadable, %zu nodes, peak %zu\n", st, w.nmaps, w.naliases, w.nnotes,
	       (unsigned long long)w.rounds, (unsigned long long)w.truncated,
	       (unsigned long long)w.unreadable, w.nnodes, w.peak_items);
	FUZZ_CHECK(st == MD_OK || st == MD_E_NOMEM, "walk: %d %s", st, err.detail);
	FUZZ_CHECK(w.nmaps <= MD_SCAN_MAX_MAPS && w.naliases <= MD_SCAN_MAX_MAPS &&
	           w.nnotes <= MD_SCAN_MAX_MAPS, "lists past MD_SCAN_MAX_MAPS");
	FUZZ_CHECK(w.peak_items <= MD_SCAN_MAX_ITEMS, "peak %zu items", w.peak_items);
	FUZZ_CHECK(w.rounds <= MD_SHAPE_MAX_DEPTH + 2, "%llu rounds",
	           (unsigned long long)w.rounds);
	FZ_SAY("nf: %llu iface_no_dwarf, %llu unsafe, %llu depth, %llu unreadable; "
	       "%zu shapes, %zu dynamic types\n", (unsigned long long)w.nf.iface_no_dwarf,
	       (unsigned long long)w.nf.unsafe_ptr, (unsigned long long)w.nf.depth,
	       (unsigned long long)w.nf.unreadable, sh.nshapes, sh.dyn_n);
	FUZZ_CHECK(w.truncated == w.nf.walk_bound + w.nf.slice_bound,
	           "truncated %llu, walk_bound %llu + slice_bound %llu",
	           (unsigned long long)w.truncated, (unsigned long long)w.nf.walk_bound,
	           (unsigned long long)w.nf.slice_bound);
	FUZZ_CHECK(w.unreadable <= w.nf.unreadable, "unreadable %llu > nf %llu",
	           (unsigned long long)w.unreadable, (unsigned long long)w.nf.unreadable);
	FUZZ_CHECK(iface || (!w.nf.iface_no_dwarf && !w.nf.unsafe_ptr && !w.nf.depth),
	           "interfaces, cuts or unsafe.Pointers counted without such slots");
	for (size_t i = 0; i < sh.nslots; i++) {
		const md_slot *x = &sh.slots[i];
		FUZZ_CHECK(x->suffix < sh.npool, "slot %zu: suffix past the pool", i);
		if (x->kind == MD_SLOT_PTR || x->kind == MD_SLOT_SLICE)
			FUZZ_CHECK(x->target >= 0 && (size_t)x->target < sh.nshapes,
			           "slot %zu: shape %d of %zu", i, x->target, sh.nshapes);
		if (x->kind == MD_SLOT_IFACE)
			FUZZ_CHECK(x->target >= 0 && x->target <= MD_SHAPE_MAX_DEPTH,
			           "slot %zu: interface depth %d", i, x->target);
	}
	for (size_t i = 0; i < w.nnodes; i++) {
		const md_walk_node *nd = &w.nodes[i];
		if (!nd->dyn)
			continue;
		FUZZ_CHECK(w.dyn && sh.types_base, "an interface hop without dynamic types");
		FUZZ_CHECK(nd->dyn - 1 < sh.npool, "node %zu: .(T) past the pool", i);
		const char *t = sh.pool + nd->dyn - 1;
		size_t tl = strnlen(t, sh.npool - (nd->dyn - 1));
		FUZZ_CHECK(tl >= 3 && tl < sh.npool - (nd->dyn - 1) && !strncmp(t, ".(", 2) &&
		           t[tl - 1] == ')', "node %zu: interface suffix \"%.40s\"", i, t);
	}
	if (st == MD_OK) {
		char path[4096];
		size_t lists[3] = { w.nmaps, w.naliases, w.nnotes };
		const md_walk_found *lv[3] = { w.maps, w.aliases, w.notes };
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < lists[k] && i < 64; i++) {
				size_t len = md_walk_path(&w, lv[k][i].node, lv[k][i].slot, path, sizeof path);
				FUZZ_CHECK(len < sizeof path && strlen(path) == len, "path length");
				int via = 0;
				int r = md_walk_root_of(&w, lv[k][i].node, &via);
				FUZZ_CHECK(r >= 0 && r < nroots, "root %d", r);
				FUZZ_CHECK(!via || len == sizeof path - 1 || strstr(path, ".("),
				           "via an interface, but the path is %s", path);
				FUZZ_CHECK(k != 1 || (lv[k][i].of >= 0 && (size_t)lv[k][i].of < w.nmaps),
				           "alias of %d", lv[k][i].of);
			}
		/* the second run only for walks of moderate size: reserve doubles
		 * every buffer, and a walk at the MD_SCAN_MAX_* bounds is already
		 * hundreds of MB under ASan */
		size_t nmaps = w.nmaps, naliases = w.naliases, nnotes = w.nnotes;
		if (w.peak_items <= (1u << 16) && w.nnodes <= (1u << 16) &&
		    md_walk_reserve(&w, &err) == MD_OK && md_walk_run(&w, &m, &err) == MD_OK)
			FUZZ_CHECK(w.nmaps == nmaps && w.naliases == naliases && w.nnotes == nnotes,
			           "second run differs");
	}
	md_walk_free(&w);
	md_mem_close(&m);
	md_shapes_free(&sh);
	return 0;
}
