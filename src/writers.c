/* writers.c - threads in map write paths, and the maps they write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "writers.h"

static int is_runtime(const char *f)
{
	return !strncmp(f, "runtime.", 8) || !strncmp(f, "internal/runtime/", 17) ||
	       !strncmp(f, "internal/abi.", 13);
}

/* Where a goroutine's or a thread's stack begins: nothing real is below. */
static int is_root(const char *f)
{
	return !strncmp(f, "runtime.goexit", 14) || !strncmp(f, "runtime.clone", 13) ||
	       !strncmp(f, "runtime.rt0_go", 14) || !strncmp(f, "runtime.mstart.", 15) ||
	       !strcmp(f, "runtime.mstart");
}

/* The pc to look up: a return address points after its call. */
static uint64_t look_pc(const md_frame *f, int first, uint64_t bias)
{
	return (first ? f->pc : f->pc - 1) - bias;
}

static void name_frame(md_dwarf *d, const md_frame *f, int first, uint64_t bias,
                       md_sframe *s, md_func *fn, int *have)
{
	md_err e;
	memset(s, 0, sizeof *s);
	s->pc = f->pc;
	*have = 0;
	md_status st = md_dwarf_func_name_at(d, look_pc(f, first, bias), fn, &e);
	if ((st == MD_OK || st == MD_E_DWARF) && fn->name[0]) {
		snprintf(s->func, sizeof s->func, "%s", fn->name);
		*have = 1;
	} else {
		snprintf(s->func, sizeof s->func, "?");
	}
	s->runtime = *have && is_runtime(s->func);
}

static void add_line(md_dwarf *d, const md_frame *f, int first, uint64_t bias, md_sframe *s)
{
	md_err e;
	if (md_dwarf_line_at(d, look_pc(f, first, bias), s->file, sizeof s->file, &s->line,
	                     &e) != MD_OK) {
		s->file[0] = '\0';
		s->line = 0;
	}
}

/* The map parameter's value in frame i, if DWARF says where it is. */
static int param_value(md_dwarf *d, const md_func *fn, const char *param,
                       const md_frame *f, int first, uint64_t bias,
                       const md_regs *regs, const md_memsrc *src, uint64_t *v)
{
	md_loc loc;
	md_err e;
	if (md_dwarf_param_loc(d, fn, param, look_pc(f, first, bias), &loc, &e) != MD_OK)
		return 0;
	switch (loc.kind) {
	case MD_LOC_REG:
		/* only the innermost frame's registers are known: Go's ABI has
		 * no callee-saved registers to recover for outer frames */
		if (!first || !regs || loc.reg < 0 || loc.reg >= MD_NREGS)
			return 0;
		*v = regs->r[loc.reg];
		return *v != 0;
	case MD_LOC_CFA:
	case MD_LOC_FBREG:
		if (!f->cfa)
			return 0;
		return src->read64(src->ctx, f->cfa + (uint64_t)loc.off, v) && *v != 0;
	default:
		return 0;
	}
}

/* Walk one stack (the thread's own, or its curg's) into t->frames. */
static void scan(md_dwarf *d, md_tinfo *t, const md_frame *fr, int nf,
                 const md_regs *regs, const md_memsrc *src, uint64_t bias,
                 int minor, int swiss, int lines, int *last_wp)
{
	for (int i = 0; i < nf; i++) {
		md_sframe *s = &t->frames[t->nframes++];
		md_func fn;
		int have;
		/* only a live frame 0 has an exact pc; a goroutine's saved pc
		 * (sched.pc) is a resume address, like a return address */
		int first = i == 0 && regs;
		name_frame(d, &fr[i], first, bias, s, &fn, &have);
		if (!have && i > 0) {
			/* a return address outside every function: the walk went
			 * past the stack's real end (frame 0 may be in the vDSO) */
			t->nframes--;
			break;
		}
		if (lines)
			add_line(d, &fr[i], first, bias, s);
		if (!have)
			continue;
		if (is_root(s->func))
			nf = i + 1;   /* the walk's last good frame */
		const md_write_path *wp = md_write_path_find(minor, swiss, s->func);
		if (!wp)
			continue;
		t->writer = 1;
		t->wp = wp;                       /* outermost wins: keep going */
		t->growing |= wp->growth;
		*last_wp = t->nframes - 1;
		uint64_t v;
		if (!t->map && strcmp(wp->param, "t") &&
		    param_value(d, &fn, wp->param, &fr[i], first, bias, regs, src, &v))
			t->map = v;
	}
}

md_status md_writers_analyse(md_dwarf *d, const md_threads *ts, uint64_t bias,
                             int minor, int swiss, int lines,
                             md_tanalysis *out, md_err *err)
{
	memset(out, 0, sizeof *out);
	if (ts->n <= 0)
		return MD_OK;
	out->t = calloc((size_t)ts->n, sizeof *out->t);
	if (!out->t)
		return md_err_set(err, MD_E_NOMEM, "thread analysis");
	for (int i = 0; i < ts->n; i++) {
		const md_thread *th = &ts->t[i];
		md_tinfo *t = &out->t[out->n++];
		t->tid = th->tid;
		t->first_user = -1;
		if (th->g_ok) {
			t->g = th->g.g;
			t->goid = th->g.goid ? th->g.goid : th->g.curg_goid;
		}
		int nf = th->nframes + th->ncframes;
		if (!nf)
			continue;
		t->frames = calloc((size_t)nf, sizeof *t->frames);
		if (!t->frames)
			return md_err_set(err, MD_E_NOMEM, "frames");
		int last_wp = -1;
		md_memsrc src = md_memsrc_copy(&th->stack);
		scan(d, t, th->frames, th->nframes, &th->regs, &src, bias, minor, swiss, lines,
		     &last_wp);
		t->ncur = t->nframes;
		if (th->ncframes) {
			md_memsrc cs = md_memsrc_copy(&th->cstack);
			scan(d, t, th->cframes, th->ncframes, NULL, &cs, bias, minor, swiss, lines,
			     &last_wp);
		}
		if (!t->writer)
			continue;
		for (int k = last_wp + 1; k < t->nframes; k++)
			if (strcmp(t->frames[k].func, "?") && !t->frames[k].runtime) {
				t->first_user = k;
				break;
			}
		/* the user code that writes: its file:line, whatever `lines` */
		if (!lines && t->first_user >= 0) {
			for (int k = t->first_user; k < t->nframes && k < t->first_user + 3; k++) {
				int own = k < t->ncur;
				const md_frame *f = own ? &th->frames[k] : &th->cframes[k - t->ncur];
				add_line(d, f, k == 0, bias, &t->frames[k]);
			}
		}
	}
	return MD_OK;
}

void md_tanalysis_free(md_tanalysis *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->t[i].frames);
	free(a->t);
	memset(a, 0, sizeof *a);
}
