/* crash.c - the concurrent-map fatal error of a core (see crash.h). */
#include <string.h>
#include "crash.h"

/* The runtime functions a map operation reports the race through:
 * runtime.fatal since Go 1.19 (runtime/map.go: fatal("concurrent map
 * writes"); internal/runtime/maps links its own fatal to it), throw in
 * older releases. */
static int is_fatal(const char *f)
{
	return !strcmp(f, "runtime.fatal") || !strcmp(f, "runtime.throw") ||
	       !strcmp(f, "runtime.fatalthrow") || !strcmp(f, "internal/runtime/maps.fatal");
}

/* The message a map operation's frame gives, or NULL if it is none:
 * writes are the write paths (writers.c sets t->wp), reads the
 * mapaccess* entry points and Swiss (*Map).getWithKey..., iteration
 * mapiternext and Swiss (*Iter).Next. */
static const char *op_of(const char *f)
{
	if (!strncmp(f, "runtime.mapaccess", 17) ||
	    !strncmp(f, "internal/runtime/maps.(*Map).get", 32) ||
	    !strncmp(f, "internal/runtime/maps.runtime_mapaccess", 39))
		return "concurrent map read and map write";
	if (!strcmp(f, "runtime.mapiternext") || !strcmp(f, "internal/runtime/maps.(*Iter).Next"))
		return "concurrent map iteration and map write";
	return NULL;
}

/* A thread caught the race: runtime.fatal, then (below it) a map
 * operation.  Its message, or NULL. */
static const char *caught(const md_thread_info *t)
{
	int fatal = 0;
	for (int k = 0; k < t->nframes; k++) {
		const char *f = t->frames[k].func;
		if (is_fatal(f)) {
			fatal = 1;
			continue;
		}
		if (!fatal)
			continue;
		const char *op = op_of(f);
		if (op)
			return op;
	}
	return fatal && t->writer ? "concurrent map writes" : NULL;
}

/* t is inside a write: of the caught map, or of one DWARF cannot name at
 * its pc (a parked goroutine's map parameter is often in a register that
 * was not saved): both are the other side, the second said unproven. */
static void add_other(md_crash *c, const md_thread_info *t, int parked, int i)
{
	if (c->map && t->map && t->map != c->map)
		return;
	if (c->nothers < MD_CRASH_MAX_OTHERS) {
		c->others[c->nothers].parked = parked;
		c->others[c->nothers].i = i;
		c->others[c->nothers].unproven = !t->map;
	}
	c->nothers++;
}

void md_crash_find(md_report *r)
{
	md_crash *c = &r->crash;
	const md_thread_analysis *a = &r->analysis;
	memset(c, 0, sizeof *c);
	for (int i = 0; i < a->n && !c->found; i++) {
		if (!(c->what = caught(&a->t[i])))
			continue;
		c->found = 1;
		c->detector = i;
		c->map = a->t[i].map;
	}
	if (!c->found)
		return;
	for (int i = 0; i < r->nmaps; i++)
		if (c->map && r->maps[i].status == MD_OK && r->maps[i].view.addr == c->map)
			c->var = r->maps[i].expr;
	/* the other side: inside a write of the same map (of any map, when
	 * the caught one is not proven) */
	for (int i = 0; i < a->n; i++)
		if (i != c->detector && a->t[i].writer)
			add_other(c, &a->t[i], 0, i);
	for (int i = 0; i < a->nparked; i++)
		add_other(c, &a->parked[i], 1, i);
}
