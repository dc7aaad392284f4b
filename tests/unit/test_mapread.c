/* test_mapread.c - src/snapshot/mapread.c's speculation, on maps laid out in our
 * own memory (process_vm_readv works on oneself): after the probe, a read
 * of a map that kept its shape is one syscall and sees the current bytes;
 * a map whose plan, header or directory moved since is read in rounds and
 * read right; nothing is ever reported from the probe's stale addresses.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "md_test.h"
#include "mapread.h"
#include "md_testmaps.h"

/* A struct whose field holds the map: the plan takes two hops. */
typedef struct holder {
	uint64_t pad[3];
	swiss *m;
} holder;

/* holder *root -> holder.m -> swiss: two DEREF steps */
static void plan_for(md_plan *p, holder **root)
{
	memset(p, 0, sizeof *p);
	p->expr = "main.root.m";
	p->base = (uint64_t)(uintptr_t)root;
	p->nsteps = 2;
	p->steps[0] = (md_step){ .kind = MD_STEP_DEREF, .add = offsetof(holder, m),
	                         .path_len = 9 };
	p->steps[1] = (md_step){ .kind = MD_STEP_DEREF, .path_len = 11 };
}

static holder *root;

int main(void)
{
	md_map_layout l;
	swiss_layout(&l);
	static table t[4] = { { 10, 16, 4, 2 }, { 20, 32, 8, 2 }, { 30, 64, 9, 2 },
	                      { 40, 128, 1, 2 } };
	static uint64_t dir[4];
	dir[0] = dir[1] = (uint64_t)(uintptr_t)&t[0];
	dir[2] = dir[3] = (uint64_t)(uintptr_t)&t[1];
	static swiss m1 = { .used = 30, .dirLen = 4, .globalDepth = 2 };
	m1.dir = dir;
	static swiss m2 = { .used = 7 };   /* a small map: no directory */
	static holder h1, h2;
	h1.m = &m1;
	h2.m = &m2;
	root = &h1;

	md_mem mem;
	md_err err;
	T(md_mem_open_live(&mem, getpid(), 0, &err) == MD_OK);
	md_plan plan;
	plan_for(&plan, &root);
	md_mapread *w = calloc(1, sizeof *w);
	md_mapread_ctx c = { 0 };
	T(w != NULL);
	w->layout = &l;
	w->plan = &plan;
	w->name = "main.root.m";
	w->hdr = calloc(1, l.header_size);
	c.speculate = 1;

	T_EQ(md_mapread_prepare(&mem, w, 1, &c, 1, &err), MD_OK);
	T_EQ(w->spec, 1);
	T_EQ(w->spec_nt, 2);

	/* 1. nothing moved: one syscall, and the bytes of now (the count and a
	 * table changed in place: same shape, new content) */
	m1.used = 31;
	t[1].used = 21;
	uint64_t calls = mem.syscalls;
	T_EQ(md_mapread_all(&mem, w, 1, &c, MD_READ_RECORD, &err), MD_OK);
	T_EQ(c.speculated, 1);
	T_EQ(mem.syscalls - calls, 1);
	T_EQ(w->rstatus, MD_OK);
	T_EQ(w->header, (uint64_t)(uintptr_t)&m1);
	T_EQ(((swiss *)w->hdr)->used, 31);
	T_EQ(w->ndir, 4);
	T_EQ(w->nt, 2);
	T(w->t_ok[0] == 1 && w->t_ok[1] == 1);
	T_EQ(((table *)w->tbuf)[1].used, 21);
	T_EQ(plan.header, (uint64_t)(uintptr_t)&m1);

	/* 2. the directory changed (a table split): rounds, and the new table */
	dir[3] = (uint64_t)(uintptr_t)&t[2];
	calls = mem.syscalls;
	T_EQ(md_mapread_all(&mem, w, 1, &c, MD_READ_RECORD, &err), MD_OK);
	T_EQ(c.speculated, 0);
	T(mem.syscalls - calls > 1);
	T_EQ(w->nt, 3);
	T_EQ(((table *)w->tbuf)[2].used, 30);

	/* 3. the header moved to a new directory (the map grew) */
	static uint64_t dir2[8];
	for (int i = 0; i < 8; i++)
		dir2[i] = (uint64_t)(uintptr_t)&t[i / 2];
	m1.dir = dir2;
	m1.dirLen = 8;
	m1.globalDepth = 3;
	T_EQ(md_mapread_all(&mem, w, 1, &c, MD_READ_RECORD, &err), MD_OK);
	T_EQ(c.speculated, 0);
	T_EQ(w->ndir, 8);
	T_EQ(w->nt, 4);
	T_EQ(((table *)w->tbuf)[3].used, 40);

	/* 4. a hop of the plan leads elsewhere: another map, small */
	root = &h2;
	T_EQ(md_mapread_all(&mem, w, 1, &c, MD_READ_RECORD, &err), MD_OK);
	T_EQ(c.speculated, 0);
	T_EQ(w->header, (uint64_t)(uintptr_t)&m2);
	T_EQ(((swiss *)w->hdr)->used, 7);
	T_EQ(w->ndir, 0);

	/* 5. probed again now: speculation holds for the small map too */
	T_EQ(md_mapread_prepare(&mem, w, 1, &c, 1, &err), MD_OK);
	m2.used = 8;
	calls = mem.syscalls;
	T_EQ(md_mapread_all(&mem, w, 1, &c, MD_READ_RECORD, &err), MD_OK);
	T_EQ(c.speculated, 1);
	T_EQ(mem.syscalls - calls, 1);
	T_EQ(((swiss *)w->hdr)->used, 8);

	/* 6. the map became nil: rounds, and a nil map */
	h2.m = NULL;
	T_EQ(md_mapread_all(&mem, w, 1, &c, MD_READ_RECORD, &err), MD_OK);
	T_EQ(c.speculated, 0);
	T_EQ(w->header, 0);
	T_EQ(w->hdr_ok, 0);

	md_mapread_ctx_free(&c);
	md_mapread_free(w, 1);
	md_mem_close(&mem);
	return md_test_done("mapread");
}
