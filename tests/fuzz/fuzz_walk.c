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
 * Properties: the walk ends, every list stays under its MD_SCAN_MAX_*
 * bound, every path is printable and terminated, and (for walks of up to
 * 2^16 items) a second run after md_walk_reserve finds the same.  libFuzzer's -malloc_limit_mb and
 * -timeout catch a walk that allocates or loops without bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "walk_priv.h"

#define ARENA_SIZE ((size_t)1 << 20)
#define MAX_SHAPES 8
#define MAX_SLOTS 6
static unsigned char *arena;
static size_t arena_dirty;

static uint32_t pool_add(md_shapes *s, const char *x)
{
	uint32_t off = (uint32_t)s->npool;
	size_t n = strlen(x) + 1;
	s->pool = realloc(s->pool, s->npool + n);
	memcpy(s->pool + s->npool, x, n);
	s->npool += n;
	return off;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_verbose();
	arena = fz_arena(ARENA_SIZE);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	md_shapes sh;
	md_shapes_init(&sh, NULL);
	pool_add(&sh, "");

	int nshapes = 1 + fz_u8(&in) % MAX_SHAPES;
	int nslots[MAX_SHAPES];
	for (int i = 0; i < nshapes; i++)
		nslots[i] = 1 + fz_u8(&in) % MAX_SLOTS;
	sh.shapes = calloc((size_t)nshapes, sizeof *sh.shapes);
	sh.slots = calloc((size_t)nshapes * MAX_SLOTS, sizeof *sh.slots);
	for (int i = 0; i < nshapes; i++) {
		sh.shapes[i] = (md_shape){ sh.nslots, (size_t)nslots[i], (md_type_id)(i + 1) };
		for (int j = 0; j < nslots[i]; j++) {
			uint8_t a = fz_u8(&in), b = fz_u8(&in), c = fz_u8(&in), d = fz_u8(&in);
			md_slot *sl = &sh.slots[sh.nslots++];
			char name[32];
			sl->kind = (md_slot_kind)(1 + a % 4);
			sl->target = sl->kind == MD_SLOT_MAP || sl->kind == MD_SLOT_NOTE ? 0 : b % nshapes;
			sl->entries = -1;   /* no map's entries are walked here */
			sl->off = (uint64_t)(c & 0x3f) * 8 + (c >> 6);   /* mostly aligned */
			if (sl->kind == MD_SLOT_SLICE) {
				sl->elem_size = (d & 0x0f) * 8 + ((d >> 4) & 1);   /* 0 too */
				sl->hdr.off_data = (d >> 5) & 1 ? 8 : 0;
				sl->hdr.off_len = sl->hdr.off_data ? 0 : 8;
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
		}
	}

	md_walk w;
	md_mem m;
	md_err err;
	if (md_mem_open_live(&m, getpid(), 0, NULL) != MD_OK)
		abort();
	md_walk_init(&w, &sh, roots, nroots);
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
	if (st == MD_OK) {
		char path[512];
		size_t lists[3] = { w.nmaps, w.naliases, w.nnotes };
		const md_walk_found *lv[3] = { w.maps, w.aliases, w.notes };
		for (int k = 0; k < 3; k++)
			for (size_t i = 0; i < lists[k] && i < 64; i++) {
				size_t len = md_walk_path(&w, lv[k][i].node, lv[k][i].slot, path, sizeof path);
				FUZZ_CHECK(len < sizeof path && strlen(path) == len, "path length");
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
