/* test_snapshot.c - src/snapshot/snapshot.c on a live child: the engine
 * stops every thread, reads the maps and captures the threads, releases,
 * and keeps its invariant: on a target that does not change, nothing
 * between the stop and the release allocates (pause_allocs) or takes a
 * page fault (stop.faults) once the code has run once; the maps read are
 * the child's, and a child whose map grew since the probe is read right
 * (the buffers grow, and the snapshot says so).
 *
 * The child is a fork of this process: the maps laid out here before the
 * fork are at the same addresses there, and only the child changes them
 * after.
 */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "md_test.h"
#include "snapshot.h"
#include "md_testmaps.h"

static table tables[64];
static uint64_t dir4[4], dir64[64];
static swiss m = { .used = 30, .dirLen = 4, .globalDepth = 2 };
static swiss *root = &m;   /* the plan: one hop from root to the header */
static int ctl[2];         /* parent -> child: "grow" */
static int ready[2];       /* child -> parent: its threads run */

static void *spin(void *arg)
{
	(void)arg;
	for (volatile unsigned long i = 0;; i++)
		;
	return NULL;
}

/* The child: two busy threads, and on a byte from the parent the map
 * grows to a directory of 64 tables, the header moved to it. */
static void child(void)
{
	pthread_t t;
	pthread_create(&t, NULL, spin, NULL);
	pthread_create(&t, NULL, spin, NULL);
	char c = 'r';
	if (write(ready[1], &c, 1) != 1)
		_exit(1);
	if (read(ctl[0], &c, 1) == 1) {
		for (int i = 0; i < 64; i++) {
			tables[i] = (table){ 5, 1024, 800, 6 };
			dir64[i] = (uint64_t)(uintptr_t)&tables[i];
		}
		m.dir = dir64;
		m.globalDepth = 6;
		m.dirLen = 64;
		m.used = 320;
	}
	for (;;)
		pause();
}

int main(void)
{
	for (int i = 0; i < 4; i++) {
		tables[i] = (table){ 7, 16, 4, 2 };
		dir4[i] = (uint64_t)(uintptr_t)&tables[i];
	}
	m.dir = dir4;
	T(pipe(ctl) == 0 && pipe(ready) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(ctl[1]);
		close(ready[0]);
		child();
	}
	close(ctl[0]);
	close(ready[1]);
	char c;
	T(read(ready[0], &c, 1) == 1);
	/* this process's copy now differs: only the child's can be read */
	m.used = 999;

	md_err err;
	md_proc proc;
	md_mem mem;
	T_EQ(md_proc_open(pid, &proc, &err), MD_OK);
	T_EQ(md_mem_open_live(&mem, pid, 0, &err), MD_OK);
	md_map_layout l;
	swiss_layout(&l);
	md_plan plan;
	memset(&plan, 0, sizeof plan);
	plan.expr = "main.root";
	plan.base = (uint64_t)(uintptr_t)&root;
	plan.nsteps = 1;
	plan.steps[0] = (md_step){ .kind = MD_STEP_DEREF, .path_len = 9 };
	md_mapread *w = calloc(1, sizeof *w);
	w->layout = &l;
	w->plan = &plan;
	w->name = "main.root";
	w->hdr = calloc(1, l.header_size);
	md_threads ts = { 0 };
	md_snapshot sn = { .proc = &proc, .mem = &mem, .stop_timeout_ms = 2000, .maps = w,
	                   .nmaps = 1, .speculate = 1, .threads = &ts };

	T_EQ(md_snapshot_prepare(&sn, &err), MD_OK);
	for (int round = 0; round < 3; round++) {
		T_EQ(md_snapshot_take(&sn, &err), MD_OK);
		T_EQ(w->rstatus, MD_OK);
		T_EQ(((swiss *)w->hdr)->used, 30);
		T_EQ(w->nt, 4);
		T_EQ(sn.stop.threads, 3);
		T_EQ(ts.n, 3);
		T_EQ(sn.pause_allocs, 0);
		T_EQ(sn.ctx.speculated, 1);
		T_EQ(sn.reads, 2);   /* the maps in one round, the stacks in one */
		/* the first take runs the stop's code for the first time: its
		 * pages may fault in then, never again */
		if (round > 0)
			T_EQ(sn.stop.faults, 0);
		else
			printf("first take: %ld page faults in the pause\n", sn.stop.faults);
		int regs = 0;
		for (int i = 0; i < ts.n; i++)
			regs += ts.t[i].regs_ok && ts.t[i].stack.len > 0;
		T_EQ(regs, 3);
	}

	/* the map grows past what the probe sized: read right, and counted */
	T(write(ctl[1], "g", 1) == 1);
	for (int i = 0; i < 200 && md_snapshot_take(&sn, &err) == MD_OK && w->ndir != 64; i++)
		usleep(5000);
	T_EQ(w->ndir, 64);
	T_EQ(w->nt, 64);
	T_EQ(((swiss *)w->hdr)->used, 320);
	T_EQ(((table *)w->tbuf)[63].capacity, 1024);
	T(sn.pause_allocs > 0);
	T_EQ(sn.ctx.speculated, 0);

	/* released: the child runs (not in a ptrace stop) */
	char path[64], st[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	T(f && fgets(st, sizeof st, f));
	if (f)
		fclose(f);
	const char *r = strrchr(st, ')');
	T(r && (r[2] == 'R' || r[2] == 'S'));

	md_snapshot_free(&sn);
	md_threads_free(&ts);
	md_mapread_free(w, 1);
	md_mem_close(&mem);
	md_proc_close(&proc);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return md_test_done("snapshot");
}
