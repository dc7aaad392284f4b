/* test_walk.c - the walk of mapdiag scan over our own memory, with
 * hand-made shapes (no DWARF): paths, depth, aliases, cycles, notes,
 * unreadable pointers, and the bounds hostile slice lengths must meet. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "md_test.h"
#include "walk_priv.h"
#include "scan.h"

/* A ring node as a Go struct { m map; next *node; pad [2]uint64 } */
struct node {
	uint64_t m;
	struct node *next;
	uint64_t pad[2];
};

/* A Go slice header. */
struct slice {
	void *data;
	int64_t len, cap;
};

static uint32_t str(md_shapes *s, const char *x)
{
	uint32_t off = (uint32_t)s->npool;
	size_t n = strlen(x) + 1;
	s->pool = realloc(s->pool, s->npool + n);
	memcpy(s->pool + s->npool, x, n);
	s->npool += n;
	return off;
}

static int add_shape(md_shapes *s, const md_slot *v, size_t n)
{
	s->slots = realloc(s->slots, (s->nslots + n) * sizeof *s->slots);
	memcpy(s->slots + s->nslots, v, n * sizeof *v);
	s->shapes = realloc(s->shapes, (s->nshapes + 1) * sizeof *s->shapes);
	s->shapes[s->nshapes] = (md_shape){ s->nslots, n, (md_type_id)(s->nshapes + 1) };
	s->nslots += n;
	return (int)s->nshapes++;
}

static const md_walk_found *find_map(const md_walk *w, const char *path, char *buf)
{
	for (size_t i = 0; i < w->nmaps; i++) {
		md_walk_path(w, w->maps[i].node, w->maps[i].slot, buf, 256);
		if (!strcmp(buf, path))
			return &w->maps[i];
	}
	return NULL;
}

int main(void)
{
	md_shapes sh;
	md_shapes_init(&sh, NULL);
	/* shape 0: a ring node, its map and a pointer to the next (itself) */
	md_slot node_slots[] = {
		{ .kind = MD_SLOT_MAP, .target = 0, .off = 0, .suffix = str(&sh, ".m"), .entries = -1 },
		{ .kind = MD_SLOT_PTR, .target = 0, .off = 8, .suffix = str(&sh, ".next") },
	};
	int s_node = add_shape(&sh, node_slots, 2);
	/* shape 1: a map value alone (elements of a []map) */
	md_slot map_slot[] = { { .kind = MD_SLOT_MAP, .target = 0, .suffix = str(&sh, ""), .entries = -1 } };
	int s_map = add_shape(&sh, map_slot, 1);
	/* shape 2: struct { s []map; note sync.Map } */
	md_slot holder[] = {
		{ .kind = MD_SLOT_SLICE, .target = s_map, .off = 0, .elem_size = 8,
		  .hdr = { .off_data = 0, .off_len = 8, .off_cap = 16 }, .suffix = str(&sh, ".s") },
		{ .kind = MD_SLOT_NOTE, .target = 0, .off = 24, .suffix = str(&sh, ".sm") },
	};
	int s_holder = add_shape(&sh, holder, 2);
	/* shape 3: a pointer to a node */
	md_slot ptr[] = { { .kind = MD_SLOT_PTR, .target = s_node, .suffix = str(&sh, "") } };
	int s_ptr = add_shape(&sh, ptr, 1);

	/* a ring of three nodes with distinct "headers" */
	static struct node ring[3];
	for (int i = 0; i < 3; i++) {
		ring[i].m = 0x10000 * (uint64_t)(i + 1);
		ring[i].next = &ring[(i + 1) % 3];
	}
	/* a slice claiming 2^40 elements over a zeroed buffer of 2^16+ */
	size_t nel = MD_SCAN_MAX_ELEMS + 16;
	uint64_t *zero = calloc(nel, 8);
	static struct { struct slice s; uint64_t sm; } hold;
	hold.s = (struct slice){ zero, (int64_t)1 << 40, (int64_t)1 << 40 };
	/* a small slice of two maps, one of them ring[1]'s header (an alias) */
	static uint64_t two[2] = { 0x20000, 0x90000 };
	static struct { struct slice s; uint64_t sm; } small = { { two, 2, 2 }, 0 };
	static struct node *pring = &ring[0];
	static struct node *bad = (struct node *)0x1000;   /* unmapped */
	/* headers no slice can have, over real map values: len above cap
	 * (a dead stack slot's garbage), and a cap past 2^47 bytes */
	static uint64_t three[3] = { 0xa0000, 0xb0000, 0xc0000 };
	static struct { struct slice s; uint64_t sm; } torn = { { three, 3, 2 }, 0 };
	static struct { struct slice s; uint64_t sm; } huge = { { three, 3, (int64_t)1 << 45 }, 0 };

	md_walk_root roots[] = {
		{ "main.ring", (uint64_t)(uintptr_t)&ring[0], s_node },
		{ "main.small", (uint64_t)(uintptr_t)&small, s_holder },
		{ "main.pring", (uint64_t)(uintptr_t)&pring, s_ptr },
		{ "main.bad", (uint64_t)(uintptr_t)&bad, s_ptr },
		{ "main.hold", (uint64_t)(uintptr_t)&hold, s_holder },
		{ "main.torn", (uint64_t)(uintptr_t)&torn, s_holder },
		{ "main.huge", (uint64_t)(uintptr_t)&huge, s_holder },
	};
	md_walk w;
	md_mem m;
	md_err err;
	char buf[256];
	T(md_mem_open_live(&m, getpid(), 0, &err) == MD_OK);
	md_walk_init(&w, &sh, roots, 7);
	T(md_walk_run(&w, &m, &err) == MD_OK);

	/* the ring: each node once (the cycle ends), with its hops */
	const md_walk_found *f = find_map(&w, "main.ring.m", buf);
	T(f && f->header == 0x10000 && f->depth == 0, "ring.m");
	f = find_map(&w, "main.ring.next.m", buf);
	T(f && f->header == 0x20000 && f->depth == 1, "ring.next.m");
	f = find_map(&w, "main.ring.next.next.m", buf);
	T(f && f->header == 0x30000 && f->depth == 2, "ring.next.next.m");
	T(find_map(&w, "main.ring.next.next.next.m", buf) == NULL);
	/* the small slice: element 1 is new, element 0 aliases ring[1] */
	f = find_map(&w, "main.small.s[1]", buf);
	T(f && f->header == 0x90000 && f->depth == 1, "small.s[1]");
	int alias_ok = 0;
	for (size_t i = 0; i < w.naliases; i++) {
		md_walk_path(&w, w.aliases[i].node, w.aliases[i].slot, buf, sizeof buf);
		if (!strcmp(buf, "main.small.s[0]"))
			alias_ok = w.maps[w.aliases[i].of].header == 0x20000;
	}
	T(alias_ok, "main.small.s[0] is an alias of the map at 0x20000");
	/* main.pring points at ring[0], walked already through main.ring?  No:
	 * main.ring is a root value, not a pointee, so pring's node is new and
	 * its maps are aliases of the ring's. */
	T(find_map(&w, "main.pring.m", buf) == NULL);
	/* the hostile slice: 2^16 elements followed, the rest counted */
	size_t nil = 0;
	for (size_t i = 0; i < w.nmaps; i++)
		nil += w.maps[i].header == 0;
	T_EQ(nil, MD_SCAN_MAX_ELEMS);
	T_EQ(w.truncated, ((uint64_t)1 << 40) - MD_SCAN_MAX_ELEMS);
	/* the implausible headers: not one element followed, each counted
	 * as unreadable (not as a failed read) */
	T(find_map(&w, "main.torn.s[0]", buf) == NULL, "len > cap followed");
	T(find_map(&w, "main.huge.s[0]", buf) == NULL, "cap past 2^47 bytes followed");
	size_t torn_maps = 0;
	for (size_t i = 0; i < w.nmaps; i++)
		torn_maps += w.maps[i].header >= 0xa0000 && w.maps[i].header <= 0xc0000;
	T_EQ(torn_maps, 0);
	/* notes, once per holder */
	T_EQ(w.nnotes, 4);
	md_walk_path(&w, w.notes[0].node, w.notes[0].slot, buf, sizeof buf);
	T_STR(buf, "main.small.sm");
	/* main.bad's pointee is unmapped: both its slots unreadable; the
	 * two implausible slices too, though their reads succeeded */
	T_EQ(w.unreadable, 2);
	T_EQ(w.nf.unreadable, 4);
	/* rounds: root values, pointees / slice elements, two more ring hops */
	T(w.rounds >= 3 && w.rounds <= 4, "rounds %llu", (unsigned long long)w.rounds);

	/* a second run after reserve finds the same, allocation-free */
	size_t nmaps = w.nmaps, naliases = w.naliases;
	T(md_walk_reserve(&w, &err) == MD_OK);
	md_walk_item *cur = w.cur;
	md_walk_node *nodes = w.nodes;
	T(md_walk_run(&w, &m, &err) == MD_OK);
	T_EQ(w.nmaps, nmaps);
	T_EQ(w.naliases, naliases);
	T(w.nodes == nodes, "nodes were not reallocated");
	T(w.cur == cur || w.next == cur, "item buffers were not reallocated");

	/* paths are truncated, never overflowed */
	char tiny[8];
	size_t n = md_walk_path(&w, w.maps[0].node, w.maps[0].slot, tiny, sizeof tiny);
	T(n < sizeof tiny && strlen(tiny) == n);

	md_walk_free(&w);
	md_mem_close(&m);
	md_shapes_free(&sh);
	free(zero);
	(void)s_map;
	return md_test_done("walk");
}
