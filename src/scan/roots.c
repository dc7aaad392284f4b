/* roots.c - where scan's walk starts (see roots_priv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "roots_priv.h"
#include "gofacts_write.h"
#include "alloc.h"

void md_roots_free(md_roots *r)
{
	for (size_t i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r->v);
	md_stackvars_free(&r->sv);
	memset(r, 0, sizeof *r);
}

static const char *own(md_roots *r, const char *s)
{
	char *d = strdup(s);
	if (!d || !md_grow((void **)&r->owned, &r->cap_owned, r->nowned + 1, sizeof *r->owned, 64)) {
		free(d);
		return NULL;
	}
	return r->owned[r->nowned++] = d;
}

static int push(md_roots *r, md_walk_root root)
{
	if (!md_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v, 256))
		return 0;
	r->v[r->n++] = root;
	return 1;
}

/* ---- package variables ------------------------------------------------ */

typedef struct gctx {
	md_roots *r;
	md_shapes *sh;
	int depth;
	uint64_t bias;
	md_mem *m;
	md_status st;
	md_err *err;
} gctx;

static int is_unsafe(md_shapes *sh, md_type_id type)
{
	md_type t;
	md_err e;
	return md_dwarf_type(sh->d, type, &t, &e) == MD_OK && t.kind == MD_TK_POINTER && !t.target;
}

static int add_global(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	gctx *g = arg;
	md_roots *r = g->r;
	addr += g->bias;
	/* overlapping prefixes ("main.", "main.c") may list a name twice */
	for (size_t j = 0; j < r->n; j++)
		if (r->v[j].addr == addr && !strcmp(r->v[j].name, name))
			return 0;
	r->variables++;
	if (is_unsafe(g->sh, type)) {
		uint64_t v;
		r->nf.unsafe_ptr += md_mem_read64(g->m, addr, &v) && v;
		return 0;
	}
	int shape = -1;
	if ((g->st = md_shapes_get(g->sh, type, g->depth, &shape, g->err)) != MD_OK)
		return 1;
	if (shape < 0)
		return 0;
	const char *nm = own(r, name);
	if (!nm || !push(r, (md_walk_root){ nm, addr, shape, MD_ROOT_GLOBAL, 0, NULL })) {
		g->st = md_err_set(g->err, MD_E_NOMEM, "variable list");
		return 1;
	}
	return 0;
}

md_status md_roots_globals(md_roots *r, md_dwarf *d, uint64_t bias, const char *const *prefixes,
                           int nprefixes, md_shapes *sh, int depth, md_mem *m, md_err *err)
{
	gctx g = { r, sh, depth, bias, m, MD_OK, err };
	md_status s = MD_OK;
	if (nprefixes == 0)
		s = md_dwarf_each_var(d, "", add_global, &g, err);
	for (int i = 0; s == MD_OK && g.st == MD_OK && i < nprefixes; i++) {
		/* a prefix inside an earlier one adds nothing */
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= strncmp(prefixes[i], prefixes[j], strlen(prefixes[j])) == 0;
		if (!dup)
			s = md_dwarf_each_var(d, prefixes[i], add_global, &g, err);
	}
	r->nglobals = r->n;
	return s != MD_OK ? s : g.st;
}

/* ---- goroutine stacks ------------------------------------------------- */

void md_roots_clear_stacks(md_roots *r)
{
	r->n = r->nglobals;
	md_stackvars_reset(&r->sv);
	uint64_t unsafe_globals = r->nf.unsafe_ptr;
	memset(&r->nf, 0, sizeof r->nf);
	r->nf.unsafe_ptr = unsafe_globals;
}

typedef struct sctx {
	md_roots *r;
	md_shapes *sh;
	int depth;
	md_mem *m;
	const char *const *prefixes;
	int nprefixes;
	md_status st;
	md_err *err;
} sctx;

static int want_func(void *arg, const char *func)
{
	const sctx *c = arg;
	if (md_func_is_runtime(func))
		return 0;
	for (int i = 0; i < c->nprefixes; i++)
		if (!strncmp(func, c->prefixes[i], strlen(c->prefixes[i])))
			return 1;
	return c->nprefixes == 0;
}

static int want_var(void *arg, const md_local *l, const md_type *t)
{
	sctx *c = arg;
	return (t->kind == MD_TK_POINTER && !t->target) || md_shapes_reach(c->sh, l->type);
}

static int on_var(void *arg, const md_stackvar *v)
{
	sctx *c = arg;
	md_roots *r = c->r;
	if (v->status == MD_SV_OPTIMIZED_OUT) {
		r->nf.optimized_out++;
		return 0;
	}
	if (v->status == MD_SV_REGISTER_LOST) {
		r->nf.register_lost++;
		return 0;
	}
	if (v->size_type.kind == MD_TK_POINTER && !v->size_type.target) {
		uint64_t p;
		r->nf.unsafe_ptr += md_mem_read64(c->m, v->addr, &p) && p;
		return 0;
	}
	int shape = -1;
	if ((c->st = md_shapes_get(c->sh, v->local->type, c->depth, &shape, c->err)) != MD_OK)
		return 1;
	if (shape < 0)
		return 0;
	char name[1024];
	if (v->occurrence)
		snprintf(name, sizeof name, "g%lld/%s#%d/%s", (long long)v->goid, v->func,
		         v->occurrence, v->local->name);
	else
		snprintf(name, sizeof name, "g%lld/%s/%s", (long long)v->goid, v->func,
		         v->local->name);
	const char *nm = own(r, name), *fn = own(r, v->func);
	if (!nm || !fn || !push(r, (md_walk_root){ nm, v->addr, shape, MD_ROOT_STACK, v->goid, fn })) {
		c->st = md_err_set(c->err, MD_E_NOMEM, "stack roots");
		return 1;
	}
	return 0;
}

md_status md_roots_stacks(md_roots *r, const md_stack_src *src, md_mem *m, md_shapes *sh,
                          int depth, const char *const *prefixes, int nprefixes, md_err *err)
{
	sctx c = { r, sh, depth, m, prefixes, nprefixes, MD_OK, err };
	md_sv_visit v = { -1, want_func, want_var, on_var, &c };
	md_status s = md_stackvars_each(&r->sv, src, m, &v, err);
	r->nf.running = r->sv.running;
	r->nf.unreadable += r->sv.unreadable;
	return c.st != MD_OK ? c.st : s;
}
