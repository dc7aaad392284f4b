/* stackvars.c - the variables of every goroutine's frames (see
 * stackvars.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stackvars.h"
#include "stackwalk.h"
#include "gofacts_write.h"
#include "alloc.h"

void md_stackvars_reset(md_stackvars *sv)
{
	sv->nsynth = 0;
	sv->goroutines = sv->frames = sv->running = sv->unreadable = 0;
	sv->synth_copy = (md_memcopy){ MD_MEM_SYNTH_BASE, sv->synth, 0 };
}

void md_stackvars_free(md_stackvars *sv)
{
	free(sv->synth);
	memset(sv, 0, sizeof *sv);
}

/* Room for n synthetic bytes: their offset, or -1. */
static int64_t synth(md_stackvars *sv, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!md_grow((void **)&sv->synth, &sv->cap_synth, sv->nsynth + n, 1, 4096))
		return -1;
	memset(sv->synth + sv->nsynth, 0, n);
	sv->nsynth += n;
	sv->synth_copy = (md_memcopy){ MD_MEM_SYNTH_BASE, sv->synth, sv->nsynth };
	return (int64_t)(sv->nsynth - n);
}

typedef struct frame_ctx {
	md_stackvars *sv;
	const md_sv_visit *v;
	md_dwarf *d;
	md_mem *m;
	const md_frame *fr;
	const md_regs *regs;       /* innermost frame of a running goroutine */
	uint64_t bias;
	md_stackvar var;
	md_status st;
	md_err *err;
} frame_ctx;

/* Where piece p's bytes are: 1 with *addr (memory) or *val (a register
 * value, *is_reg), 0 when not known here. */
static int piece_at(const frame_ctx *c, const md_piece *p, uint64_t *addr, int *is_reg,
                    uint64_t *val)
{
	*is_reg = 0;
	switch (p->loc.kind) {
	case MD_LOC_CFA:
	case MD_LOC_FBREG:
		if (!c->fr->cfa)
			return 0;
		*addr = c->fr->cfa + (uint64_t)p->loc.off;
		return 1;
	case MD_LOC_ADDR:
		*addr = p->loc.addr + c->bias;
		return 1;
	case MD_LOC_REG:
		if (!c->regs || p->loc.reg < 0 || p->loc.reg >= MD_NREGS)
			return 0;
		*is_reg = 1;
		*val = c->regs->r[p->loc.reg];
		return 1;
	default:
		return 0;
	}
}

/* The address a variable's value can be read at: its memory when it is
 * one piece in memory, else a synthetic copy assembled from its pieces.
 * 1, 0 (not known here), -1 (out of memory). */
static int value_addr(frame_ctx *c, const md_local *l, uint64_t size, uint64_t *out)
{
	uint64_t addr, val;
	int reg;
	if (l->npieces == 1 && l->pieces[0].size == 0) {
		if (!piece_at(c, &l->pieces[0], &addr, &reg, &val))
			return 0;
		if (!reg) {
			*out = addr;
			return 1;
		}
		int64_t o = synth(c->sv, 8);
		if (o < 0)
			return -1;
		memcpy(c->sv->synth + o, &val, 8);
		*out = MD_MEM_SYNTH_BASE + (uint64_t)o;
		return 1;
	}
	if (!size || size > 4096)
		return 0;
	int64_t o = synth(c->sv, size);
	if (o < 0)
		return -1;
	uint64_t at = 0;
	for (int i = 0; i < l->npieces && at < size; i++) {
		const md_piece *p = &l->pieces[i];
		uint64_t n = p->size ? p->size : size - at;
		if (n > size - at)
			n = size - at;
		if (p->loc.kind != MD_LOC_NONE) {
			if (!piece_at(c, p, &addr, &reg, &val))
				return 0;
			if (reg) {
				memcpy(c->sv->synth + o + at, &val, n < 8 ? n : 8);
			} else {
				md_read rd = { addr, c->sv->synth + o + at, (size_t)n, 0 };
				md_err e;
				if (md_mem_readv(c->m, &rd, 1, &e) != MD_OK)
					return 0;
			}
		}
		at += n;
	}
	*out = MD_MEM_SYNTH_BASE + (uint64_t)o;
	return 1;
}

static int on_local(void *arg, const md_local *l)
{
	frame_ctx *c = arg;
	md_stackvar *v = &c->var;
	md_err e;
	if (md_dwarf_type(c->d, l->type, &v->size_type, &e) != MD_OK)
		return 0;
	if (c->v->want && !c->v->want(c->v->arg, l, &v->size_type))
		return 0;
	v->local = l;
	v->addr = 0;
	v->status = MD_SV_OPTIMIZED_OUT;
	if (l->npieces) {
		int got = value_addr(c, l, v->size_type.size, &v->addr);
		if (got < 0) {
			c->st = md_err_set(c->err, MD_E_NOMEM, "stack variables");
			return 1;
		}
		v->status = got ? MD_SV_OK : MD_SV_REGISTER_LOST;
	}
	return c->v->fn(c->v->arg, v);
}

/* The registers a goroutine's walk starts from: a running one's thread's
 * (0 if no thread has it), else what it saved in g.sched.  *live: they
 * are a thread's own, so the innermost frame's registers are known. */
static int start_regs(const md_stack_src *src, const md_gstate *g, md_regs *out, int *live)
{
	memset(out, 0, sizeof *out);
	*live = 0;
	if (g->status != MD_G_RUNNING) {
		out->r[MD_REG_RIP] = g->pc;
		out->r[MD_REG_RSP] = g->sp;
		out->r[MD_REG_RBP] = g->bp;
		return g->pc && g->sp;
	}
	for (int i = 0; src->ts && i < src->ts->n; i++) {
		const md_thread *th = &src->ts->t[i];
		if (!th->regs_ok || !th->g_ok)
			continue;
		if (th->g.g == g->g) {
			*out = th->regs;
			*live = 1;
			return 1;
		}
		if (th->g.curg == g->g && th->g.curg_pc) {   /* on g0 for it */
			out->r[MD_REG_RIP] = th->g.curg_pc;
			out->r[MD_REG_RSP] = th->g.curg_sp;
			out->r[MD_REG_RBP] = th->g.curg_bp;
			return 1;
		}
	}
	return 0;
}

/* Frames of the runtime are not looked into by default: their locals are
 * the runtime's bookkeeping (a map's *hmap, never a map value). */
static int want_func(const md_sv_visit *v, const char *name)
{
	return v->func ? v->func(v->arg, name) : !md_func_is_runtime(name);
}

static md_status one_goroutine(md_stackvars *sv, const md_stack_src *src, const md_gstate *g,
                               md_mem *m, const md_sv_visit *v, md_frame *fr,
                               char (*seen)[256], md_err *err)
{
	md_regs regs;
	int live;
	if (!start_regs(src, g, &regs, &live)) {
		sv->running += g->status == MD_G_RUNNING;
		return MD_OK;
	}
	sv->goroutines++;
	int nf = md_unwind(m, src->cfi, src->bias, &regs, fr, MD_UNWIND_MAX);
	sv->frames += (uint64_t)nf;
	for (int i = 0; i < nf; i++) {
		md_func f;
		md_err e;
		/* a caller's pc is a return address: minus one is its call */
		uint64_t pc = fr[i].pc - src->bias - (i ? 1 : 0);
		seen[i][0] = '\0';
		if (md_dwarf_func_name_at(src->d, pc, &f, &e) != MD_OK)
			continue;
		snprintf(seen[i], 256, "%s", f.name);
		if (!want_func(v, f.name))
			continue;
		int occ = 0;
		for (int j = 0; j < i; j++)
			occ += !strcmp(seen[j], seen[i]);
		frame_ctx c = { sv, v, src->d, m, &fr[i], i == 0 && live ? &regs : NULL, src->bias,
		                { g->goid, g->status, f.name, occ, i, NULL, { 0 }, 0, 0 },
		                MD_OK, err };
		c.var.g = g->g;
		c.var.cfa = fr[i].cfa;
		md_status s = md_dwarf_each_local(src->d, &f, pc, on_local, &c, &e);
		if (c.st != MD_OK)
			return c.st;
		if (s == MD_E_NOMEM) {
			*err = e;
			return s;
		}
	}
	return MD_OK;
}

md_status md_stackvars_each(md_stackvars *sv, const md_stack_src *src, md_mem *m,
                            const md_sv_visit *v, md_err *err)
{
	md_gstate *gs = NULL;
	size_t ng = 0;
	uint64_t unreadable = 0;
	md_status s = md_allgs_read(m, src->gl, src->al, &gs, &ng, &unreadable, err);
	sv->unreadable += unreadable;
	if (s != MD_OK)
		return s;
	md_frame *fr = malloc(MD_UNWIND_MAX * sizeof *fr);
	char (*seen)[256] = malloc(MD_UNWIND_MAX * sizeof *seen);
	if (!fr || !seen) {
		free(fr);
		free(seen);
		free(gs);
		return md_err_set(err, MD_E_NOMEM, "stack variables");
	}
	int found = v->goid < 0;
	for (size_t i = 0; s == MD_OK && i < ng; i++) {
		if (v->goid >= 0 && gs[i].goid != v->goid)
			continue;
		found = 1;
		s = one_goroutine(sv, src, &gs[i], m, v, fr, seen, err);
	}
	free(fr);
	free(seen);
	free(gs);
	if (s == MD_OK && !found)
		return md_err_set(err, MD_NOTFOUND, "no goroutine %lld", (long long)v->goid);
	return s;
}
