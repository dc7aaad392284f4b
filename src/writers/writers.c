/* writers.c - threads in map write paths, and the maps they write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "writers.h"
#include "stackwalk.h"
#include "writers_priv.h"

/* The pc to look up: a return address points after its call. */
static uint64_t look_pc(const md_frame *f, int first, uint64_t bias)
{
	return (first ? f->pc : f->pc - 1) - bias;
}

static void name_frame(md_dwarf *d, const md_frame *f, int first, uint64_t bias,
                       md_frame_info *s, md_func *fn, int *have)
{
	md_err e;
	memset(s, 0, sizeof *s);
	s->pc = f->pc;
	*have = 0;
	if (f->sym) {
		/* C code: named from its file's symbols by the C unwinder */
		memset(fn, 0, sizeof *fn);
		snprintf(s->func, sizeof s->func, "%s", f->sym);
		*have = 1;
		return;
	}
	md_status st = md_dwarf_func_name_at(d, look_pc(f, first, bias), fn, &e);
	if ((st == MD_OK || st == MD_E_DWARF) && fn->name[0]) {
		snprintf(s->func, sizeof s->func, "%s", fn->name);
		/* the symbol table names assembly functions with their ABI
		 * ("runtime.futex.abi0"); gdb and delve show the Go name */
		size_t n = strlen(s->func);
		if (n > 5 && !strcmp(s->func + n - 5, ".abi0"))
			s->func[n - 5] = '\0';
		*have = 1;
	} else {
		snprintf(s->func, sizeof s->func, "?");
	}
	s->runtime = *have && md_func_is_runtime(s->func);
}

static void add_line(md_dwarf *d, const md_frame *f, int first, uint64_t bias, md_frame_info *s)
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
                       const md_regs *regs, md_mem *src, uint64_t *v)
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
		return md_mem_read64(src, f->cfa + (uint64_t)loc.off, v) && *v != 0;
	default:
		return 0;
	}
}

/* Room for extra more frames in t->frames (*cap of them now): 0 if
 * there is none, and the frame then stays unexpanded. */
static int frames_room(md_thread_info *t, int *cap, int extra)
{
	md_frame_info *p = realloc(t->frames, (size_t)(*cap + extra) * sizeof *p);
	if (!p)
		return 0;
	t->frames = p;
	*cap += extra;
	return 1;
}

/* The physical frame just named (the last of t->frames) becomes its
 * inlined frames, innermost first, then itself at the line of the
 * outermost inlined call (md_dwarf_inline_at): gdb and delve show them
 * so, and the line table alone gives the outer function the innermost
 * callee's line.  Every frame but the innermost comes with its line (a
 * call site); the innermost gets its own when lines is set. */
static void expand_inline(md_dwarf *d, md_thread_info *t, int *cap, const md_frame *f,
                          int first, uint64_t bias, int lines)
{
	md_inline inl;
	md_err e;
	md_frame_info *s = &t->frames[t->nframes - 1];
	if (md_dwarf_inline_at(d, look_pc(f, first, bias), lines, &inl, &e) != MD_OK ||
	    (inl.n > 0 && !frames_room(t, cap, inl.n))) {
		if (lines)
			add_line(d, f, first, bias, s);
		return;
	}
	s = &t->frames[t->nframes - 1];
	md_frame_info phys = *s;
	snprintf(phys.file, sizeof phys.file, "%s", inl.file);
	phys.line = inl.line;
	for (int k = 0; k < inl.n; k++) {
		md_frame_info *x = &t->frames[t->nframes - 1 + k];
		memset(x, 0, sizeof *x);
		x->pc = phys.pc;
		snprintf(x->func, sizeof x->func, "%s", inl.f[k].func);
		snprintf(x->file, sizeof x->file, "%s", inl.f[k].file);
		x->line = inl.f[k].line;
		x->runtime = md_func_is_runtime(x->func);
		x->inlined = 1;
	}
	t->frames[t->nframes - 1 + inl.n] = phys;
	t->nframes += inl.n;
}

/* Name the frames of one stack (the thread's own, or its curg's) into
 * t->frames (*cap of them, grown for inlined frames), noting write-path
 * frames, inlined ones included, and the map they write. */
static void name_frames(md_dwarf *d, md_thread_info *t, int *cap, const md_frame *fr, int nf,
                        const md_regs *regs, md_mem *src, uint64_t bias, int minor,
                        int swiss, int lines, int *last_wp)
{
	for (int i = 0; i < nf; i++) {
		int g0 = t->nframes;
		md_frame_info *s = &t->frames[t->nframes++];
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
		if (!have) {
			if (lines)
				add_line(d, &fr[i], first, bias, s);
			continue;
		}
		expand_inline(d, t, cap, &fr[i], first, bias, lines);
		if (md_func_is_stack_root(t->frames[t->nframes - 1].func))
			nf = i + 1;   /* the walk's last good frame */
		/* innermost first, so the outermost listed frame is the last
		 * kept; an inlined write function counts like one with a frame */
		for (int k = g0; k < t->nframes; k++) {
			const md_write_path *wp = md_write_path_find(minor, swiss, t->frames[k].func);
			if (!wp)
				continue;
			t->writer = 1;
			t->wp = wp;
			t->growing |= wp->growth;
			*last_wp = k;
			uint64_t v;
			/* an inlined call's parameters are not the physical
			 * function's: only the latter's are looked up */
			if (!t->map && !t->frames[k].inlined && strcmp(wp->param, "t") &&
			    param_value(d, &fn, wp->param, &fr[i], first, bias, regs, src, &v))
				t->map = v;
		}
	}
}

/* A thread's stacks, walked: its own from its registers, and, when it
 * runs g0 on behalf of a goroutine, that goroutine's from where it stopped
 * (curg.sched: a resume pc, its sp and bp). */
typedef struct walked {
	md_frame own[MD_UNWIND_MAX], cur[MD_UNWIND_MAX];
	int nown, ncur;
	md_mem own_src, cur_src;
	int sig;             /* cur was walked from a signal's context */
	md_regs sregs;       /* ... these registers, exact */
} walked;

/* The kernel's order of uc_mcontext.gregs (sys/ucontext.h, REG_R8 ..
 * REG_RIP), as DWARF registers. */
static const int greg_dwarf[17] = {
	MD_REG_R8, MD_REG_R9, MD_REG_R10, MD_REG_R11, MD_REG_R12, MD_REG_R13, MD_REG_R14,
	MD_REG_R15, MD_REG_RDI, MD_REG_RSI, MD_REG_RBP, MD_REG_RBX, MD_REG_RDX, MD_REG_RAX,
	MD_REG_RCX, MD_REG_RSP, MD_REG_RIP
};

/* A thread in Go's signal handler (runtime.sigtramp, on the gsignal
 * stack) interrupted its goroutine, whose curg.sched is then stale: the
 * registers it was interrupted with are in the ucontext the kernel put on
 * the signal stack, right above sigtramp's return address (the
 * rt_sigframe: pretcode, then the ucontext), so at sigtramp's CFA;
 * uc_mcontext.gregs is 40 bytes into it (uc_flags, uc_link, uc_stack).
 * Taken only when the interrupted sp lies in the goroutine stack copied
 * (capture.h: curg's, or the thread's g's while the thread runs on the
 * signal stack): 1 and *r. */
static int signal_regs(md_dwarf *d, const md_thread *th, walked *w, uint64_t bias, md_regs *r)
{
	const md_memcopy *c = &th->cstack;
	if (!th->g_ok || !c->len)
		return 0;
	for (int i = 0; i < w->nown; i++) {
		md_func fn;
		md_err e;
		/* an assembly function: "runtime.sigtramp.abi0" in .symtab */
		if (!w->own[i].cfa ||
		    md_dwarf_func_name_at(d, look_pc(&w->own[i], i == 0, bias), &fn, &e) != MD_OK ||
		    strncmp(fn.name, "runtime.sigtramp", 16) ||
		    (fn.name[16] && strcmp(fn.name + 16, ".abi0")))
			continue;
		memset(r, 0, sizeof *r);
		for (int k = 0; k < 17; k++)
			if (!md_mem_read64(&w->own_src, w->own[i].cfa + 40 + 8 * (uint64_t)k,
			                   &r->r[greg_dwarf[k]]))
				return 0;
		uint64_t sp = r->r[MD_REG_RSP];
		return r->r[MD_REG_RIP] && sp >= c->base && sp - c->base < c->len;
	}
	return 0;
}

static void walk_thread(md_dwarf *d, const md_thread *th, md_cfi *cfi, uint64_t bias, walked *w)
{
	w->nown = w->ncur = 0;
	w->sig = 0;
	md_mem_open_copy(&w->own_src, &th->stack);
	md_mem_open_copy(&w->cur_src, &th->cstack);
	if (!th->regs_ok)
		return;
	w->nown = md_unwind_c(th->cu, th->tid, &w->own_src, cfi, bias, &th->regs, w->own,
	                      MD_UNWIND_MAX);
	if (!th->cstack.len)
		return;
	if ((w->sig = signal_regs(d, th, w, bias, &w->sregs))) {
		w->ncur = md_unwind(&w->cur_src, cfi, bias, &w->sregs, w->cur, MD_UNWIND_MAX);
		return;
	}
	md_regs cregs;
	memset(&cregs, 0, sizeof cregs);
	cregs.r[MD_REG_RIP] = th->g.curg_pc;
	cregs.r[MD_REG_RSP] = th->g.curg_sp;
	cregs.r[MD_REG_RBP] = th->g.curg_bp;
	w->ncur = md_unwind(&w->cur_src, cfi, bias, &cregs, w->cur, MD_UNWIND_MAX);
}

/* The first frame outside the runtime below the write path, and, unless
 * every frame has its line already, the file:line of the user code that
 * writes.  A frame without one is the innermost of its physical frame
 * (the others have their call sites), whose pc is exact only at 0. */
static void find_user(md_dwarf *d, md_thread_info *t, int last_wp, uint64_t bias, int lines)
{
	for (int k = last_wp + 1; k < t->nframes; k++)
		if (strcmp(t->frames[k].func, "?") && !t->frames[k].runtime) {
			t->first_user = k;
			break;
		}
	if (lines || t->first_user < 0)
		return;
	for (int k = t->first_user; k < t->nframes && k < t->first_user + 3; k++) {
		md_frame_info *s = &t->frames[k];
		md_err e;
		if (s->file[0])
			continue;
		if (md_dwarf_line_at(d, s->pc - bias - (k == 0 ? 0 : 1), s->file, sizeof s->file,
		                     &s->line, &e) != MD_OK) {
			s->file[0] = '\0';
			s->line = 0;
		}
	}
}

md_status md_writers_analyse(md_dwarf *d, md_cfi *cfi, const md_threads *ts, uint64_t bias,
                             int minor, int swiss, int lines, md_thread_analysis *out,
                             md_err *err)
{
	memset(out, 0, sizeof *out);
	if (ts->n <= 0)
		return MD_OK;
	out->t = calloc((size_t)ts->n, sizeof *out->t);
	walked *w = malloc(sizeof *w);
	if (!out->t || !w) {
		free(w);
		return md_err_set(err, MD_E_NOMEM, "thread analysis");
	}
	md_status s = MD_OK;
	for (int i = 0; i < ts->n; i++) {
		const md_thread *th = &ts->t[i];
		md_thread_info *t = &out->t[out->n++];
		t->tid = th->tid;
		t->first_user = -1;
		if (th->g_ok) {
			t->g = th->g.g;
			t->goid = th->g.goid ? th->g.goid : th->g.curg_goid;
		}
		walk_thread(d, th, cfi, bias, w);
		int nf = w->nown + w->ncur;
		if (!nf)
			continue;
		t->frames = calloc((size_t)nf, sizeof *t->frames);
		if (!t->frames) {
			s = md_err_set(err, MD_E_NOMEM, "frames");
			break;
		}
		int last_wp = -1, cap = nf;
		name_frames(d, t, &cap, w->own, w->nown, &th->regs, &w->own_src, bias, minor, swiss,
		            lines, &last_wp);
		t->ncur = t->nframes;
		if (w->ncur)   /* a signal's context is exact, registers too */
			name_frames(d, t, &cap, w->cur, w->ncur, w->sig ? &w->sregs : NULL,
			            &w->cur_src, bias, minor, swiss, lines, &last_wp);
		if (t->writer)
			find_user(d, t, last_wp, bias, lines);
	}
	free(w);
	return s;
}

md_status md_writers_name_stack(md_dwarf *d, md_thread_info *t, const md_frame *fr, int nf,
                                md_mem *src, uint64_t bias, int minor, int swiss, int lines,
                                md_err *err)
{
	t->first_user = -1;
	t->nframes = 0;
	if (nf <= 0)
		return MD_OK;
	/* name_frames grows the array where frames expand into inlined calls */
	int cap = nf;
	if (!(t->frames = calloc((size_t)cap, sizeof *t->frames)))
		return md_err_set(err, MD_E_NOMEM, "frames");
	int last_wp = -1;
	name_frames(d, t, &cap, fr, nf, NULL, src, bias, minor, swiss, lines, &last_wp);
	if (t->writer)
		find_user(d, t, last_wp, bias, 1);
	return MD_OK;
}
