/* fuzz_stack.c - the stack steps of the census on hostile memory: the
 * goroutine list (src/target/allgs.h), the unwinder (src/target/
 * stackwalk.h), the live locals of each frame with their values or
 * synthetic copies (src/snapshot/stackvars.h, dwarf/'s md_dwloc*), and
 * scan's stack roots walked on (src/scan/roots_priv.h, walk_priv.h), with
 * the DWARF and CFI of real Go binaries loaded once (fuzz_gobin.h).
 *
 * Memory is the harness's own: a source that serves a few regions and
 * nothing else (runtime.allgs's slice header at its link-time address, the
 * array of g pointers, the g's, one stack), so every read is seen, and
 * every buffer it fills is checked by ASan.  Input:
 *   byte 0  flags: bit 0-1 the binary, 2 no CFI (frame pointers only),
 *           3 runtime frames too, 4 only the first goroutine's goid,
 *           5 scan's stack roots and a walk from them, 6 a garbage allgs
 *           header (length and array from the input), 7 captured threads
 *           for the running goroutines
 *   byte 1  goroutines (1..4), then per goroutine 16 bytes: status (low
 *           nibble, 0x10: the _Gscan bit), goid, pc (index into the pc
 *           table; 0xffff: raw), sp and bp (stack offsets), the g's
 *           pointer slot (0: nil), stack bounds (0: the real ones), the
 *           thread (0x80: on g0 for it) and 4 bytes of register seed
 *   rest    the stack (up to 16 KiB at 0xc000100000): an 8-byte word whose
 *           top byte is 0xa5 becomes an address in the stack (low 16
 *           bits), 0xa6 a pc of the table (low 16 bits, plus bit 16)
 * Properties: md_allgs_read gives only live goroutines of the array, its
 * status without the scan bit; md_unwind ends within MD_UNWIND_MAX
 * frames, frame 0 at the registers, every caller's sp strictly above its
 * callee's and inside the stack (the source serves nothing else), a CFI
 * frame's CFA its caller's sp; md_stackvars_each visits only frames it
 * unwound (frame, occurrence, goroutine, g, function named), a variable is
 * optimized out exactly when it has no pieces, and a synthetic value lies
 * inside the synthetic buffer (which no read writes past the used part
 * of) and reads back whole through an overlay; the counters are bounded
 * by the goroutines; md_roots_stacks's roots name a goroutine given and a
 * walk from them ends within its bounds.  No crash, UB, leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "fuzz_gobin.h"
#include "allgs.h"
#include "stackwalk.h"
#include "stackvars.h"
#include "roots_priv.h"
#include "walk_priv.h"
#include "shape_priv.h"

#define MAX_GS 4
#define STACK_MAX (16u << 10)
#define STACK_LO 0xc000100000ull
#define GARR 0xc000010000ull
#define GBASE 0xc000020000ull
#define GSTRIDE 0x800ull

typedef struct layout {
	md_g_layout gl;
	md_allgs_loc al;
	size_t gsz;          /* bytes of a g block the layout reaches */
} layout;

static fz_gobin bins[FZ_MAX_GOBINS];
static layout lays[FZ_MAX_GOBINS];
static int nbins;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_verbose();
	nbins = fz_gobins_load(bins, "fuzz_stack");
	for (int i = 0; i < nbins; i++) {
		layout *l = &lays[i];
		md_err e;
		if (md_g_layout_load(bins[i].d, &l->gl, &e) != MD_OK ||
		    md_allgs_locate(bins[i].d, 0, &l->al, &e) != MD_OK) {
			/* mini has no runtime.g: a layout of our own */
			l->gl = (md_g_layout){ .goid_off = 0x98, .m_off = 0x30, .curg_off = 0xc0,
			                       .g0_off = 0, .stack_off = 0, .stack_lo_off = 0,
			                       .stack_hi_off = 8, .sched_off = 0x38,
			                       .sched_sp_off = 0, .sched_pc_off = 8,
			                       .sched_bp_off = 0x30, .tls_g_off = -8 };
			l->al = (md_allgs_loc){ .allgs = 0x5a0000, .status_off = 0x90 };
		}
		uint64_t hi = 0, f[] = {
			l->gl.goid_off + 8, l->al.status_off + 4,
			l->gl.stack_off + l->gl.stack_lo_off + 8, l->gl.stack_off + l->gl.stack_hi_off + 8,
			l->gl.sched_off + l->gl.sched_sp_off + 8, l->gl.sched_off + l->gl.sched_pc_off + 8,
			l->gl.sched_off + l->gl.sched_bp_off + 8,
		};
		for (size_t k = 0; k < sizeof f / sizeof *f; k++)
			hi = f[k] > hi ? f[k] : hi;
		if (hi > GSTRIDE) {
			fprintf(stderr, "fuzz_stack: %s: g layout reaches %#llx\n", bins[i].path,
			        (unsigned long long)hi);
			exit(1);
		}
		l->gsz = (size_t)hi;
		FZ_SAY("fuzz_stack: %s: allgs %#llx, g block %zu bytes\n", bins[i].path,
		       (unsigned long long)l->al.allgs, l->gsz);
	}
	return 0;
}

/* ---- the memory: a few regions, every read checked ---- */

enum { R_ALLGS, R_GARR, R_GS, R_STACK, NREG };

typedef struct spy {
	md_memcopy reg[NREG];
	const md_stackvars *sv;   /* whose synthetic buffer reads must respect */
	uint64_t reads, bytes;
} spy;

static md_status spy_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	spy *s = m->impl;
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		md_read *x = &r[i];
		x->ok = 0;
		s->reads++;
		if (x->len == 0) {
			x->ok = 1;
			continue;
		}
		FUZZ_CHECK(x->buf != NULL, "read of %zu bytes into NULL", x->len);
		const md_stackvars *sv = s->sv;
		if (sv && sv->synth) {
			const unsigned char *b = x->buf, *lo = sv->synth;
			if (b >= lo && b < lo + sv->cap_synth)
				FUZZ_CHECK(b + x->len <= lo + sv->nsynth,
				           "read of %zu bytes at synth+%zu, %zu used", x->len,
				           (size_t)(b - lo), sv->nsynth);
		}
		for (int k = 0; k < NREG; k++) {
			const md_memcopy *c = &s->reg[k];
			if (x->len <= MD_MEM_MAX_READ && x->addr >= c->base &&
			    x->addr - c->base <= c->len && c->len - (x->addr - c->base) >= x->len) {
				memcpy(x->buf, c->bytes + (x->addr - c->base), x->len);
				s->bytes += x->len;
				x->ok = 1;
				break;
			}
		}
		bad += !x->ok;
	}
	if (bad)
		return md_err_set(err, MD_E_MEM, "%zu of %zu reads outside the regions", bad, n);
	return MD_OK;
}

static const md_mem_ops spy_ops = { spy_readv, NULL, NULL };

/* ---- the input ---- */

typedef struct gin {
	uint64_t g;           /* its address (0: a nil slot of allgs) */
	uint32_t status;
	int64_t goid;
	uint64_t pc, sp, bp, lo, hi;
	int thread;           /* 0 none, 1 its own thread, 2 on g0 for it */
	uint32_t seed;
} gin;

typedef struct ctx {
	const fz_gobin *b;
	const layout *l;
	gin gs[MAX_GS];
	int ngs;
	uint64_t stack_hi;
	spy *sp;
	md_stackvars *sv;
	md_mem *over;         /* spy under the synthetic copies */
	uint64_t visited;
} ctx;

static uint64_t pc_of(const fz_gobin *b, uint64_t sel)
{
	return b->npcs ? b->pcs[sel % b->npcs] : sel;
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static const gin *gin_of(const ctx *c, uint64_t g)
{
	for (int i = 0; i < c->ngs; i++)
		if (c->gs[i].g && c->gs[i].g == g)
			return &c->gs[i];
	return NULL;
}

static int all_funcs(void *arg, const char *func)
{
	(void)arg;
	(void)func;
	return 1;
}

static int on_var(void *arg, const md_stackvar *v)
{
	ctx *c = arg;
	const md_stackvars *sv = c->sv;
	const md_local *l = v->local;
	c->visited++;
	FUZZ_CHECK(v->frame >= 0 && v->frame < MD_UNWIND_MAX, "frame %d", v->frame);
	FUZZ_CHECK(v->occurrence >= 0 && v->occurrence <= v->frame, "occurrence %d of frame %d",
	           v->occurrence, v->frame);
	FUZZ_CHECK(v->func && *v->func && strlen(v->func) < 256, "function name");
	FUZZ_CHECK(l && FZ_TERMINATED(l->name), "local name");
	FUZZ_CHECK(l->npieces >= 0 && l->npieces <= MD_LOCAL_MAX_PIECES, "%d pieces", l->npieces);
	const gin *g = gin_of(c, v->g);
	FUZZ_CHECK(g != NULL, "a variable of g %#llx, not one of allgs", (unsigned long long)v->g);
	FUZZ_CHECK(v->goid == g->goid && v->gstatus == (g->status & ~MD_G_SCAN),
	           "goid %lld status %u", (long long)v->goid, v->gstatus);
	FUZZ_CHECK(v->gstatus != MD_G_DEAD && v->gstatus != MD_G_IDLE, "status %u", v->gstatus);
	FUZZ_CHECK(v->status == MD_SV_OK || v->status == MD_SV_OPTIMIZED_OUT ||
	           v->status == MD_SV_REGISTER_LOST, "status %d", v->status);
	FUZZ_CHECK((v->status == MD_SV_OPTIMIZED_OUT) == (l->npieces == 0),
	           "%s: status %d with %d pieces", l->name, v->status, l->npieces);
	FUZZ_CHECK(sv->synth_copy.base == MD_MEM_SYNTH_BASE && sv->synth_copy.bytes == sv->synth &&
	           sv->synth_copy.len == sv->nsynth && sv->nsynth <= sv->cap_synth,
	           "synth_copy out of step");
	if (v->status != MD_SV_OK || v->addr < MD_MEM_SYNTH_BASE)
		return 0;
	/* a synthetic value: inside the buffer, readable whole */
	uint64_t off = v->addr - MD_MEM_SYNTH_BASE;
	int whole = l->npieces == 1 && l->pieces[0].size == 0;
	uint64_t size = whole ? 8 : v->size_type.size;
	FUZZ_CHECK(whole || (size && size <= 4096), "synthetic copy of %llu bytes",
	           (unsigned long long)size);
	FUZZ_CHECK(off < sv->nsynth && sv->nsynth - off >= size,
	           "%s: synthetic value at +%llu, %llu bytes, %zu used", l->name,
	           (unsigned long long)off, (unsigned long long)size, sv->nsynth);
	unsigned char buf[4096];
	md_read r = { v->addr, buf, (size_t)size, 0 };
	md_err e;
	md_mem_readv(c->over, &r, 1, &e);
	FUZZ_CHECK(r.ok, "%s: synthetic value unreadable through the overlay", l->name);
	return 0;
}

/* md_unwind from a goroutine's saved registers, on the stack alone. */
static void check_unwind(ctx *c, const gin *g, md_cfi *cfi)
{
	md_regs regs;
	memset(&regs, 0, sizeof regs);
	regs.r[MD_REG_RIP] = g->pc;
	regs.r[MD_REG_RSP] = g->sp;
	regs.r[MD_REG_RBP] = g->bp;
	md_frame fr[MD_UNWIND_MAX + 1];
	md_mem m = { &spy_ops, c->sp, 0, 0, 0 };
	int n = md_unwind(&m, cfi, 0, &regs, fr, MD_UNWIND_MAX + 1);
	FUZZ_CHECK(n >= 0 && n <= MD_UNWIND_MAX, "%d frames", n);
	FUZZ_CHECK((n == 0) == (g->pc == 0), "%d frames from pc %#llx", n,
	           (unsigned long long)g->pc);
	if (n)
		FUZZ_CHECK(fr[0].pc == g->pc && fr[0].sp == g->sp && fr[0].via == MD_UNW_REGS,
		           "frame 0 is not the registers");
	for (int i = 1; i < n; i++) {
		FUZZ_CHECK(fr[i].pc != 0, "frame %d at pc 0", i);
		FUZZ_CHECK(fr[i].via == MD_UNW_CFI || fr[i].via == MD_UNW_FP, "frame %d via %d", i,
		           fr[i].via);
		FUZZ_CHECK(fr[i].sp > fr[i - 1].sp, "frame %d: sp %#llx after %#llx", i,
		           (unsigned long long)fr[i].sp, (unsigned long long)fr[i - 1].sp);
		/* the return address was read inside the stack, just below */
		FUZZ_CHECK(fr[i].sp > STACK_LO && fr[i].sp <= c->stack_hi + 64,
		           "frame %d: sp %#llx outside the stack", i, (unsigned long long)fr[i].sp);
		if (fr[i].via == MD_UNW_CFI)
			FUZZ_CHECK(fr[i - 1].cfa == fr[i].sp, "frame %d: sp is not the CFA", i);
	}
	/* the same again: nothing depends on earlier walks */
	md_frame again[MD_UNWIND_MAX + 1];
	int n2 = md_unwind(&m, cfi, 0, &regs, again, MD_UNWIND_MAX + 1);
	FUZZ_CHECK(n2 == n, "a second walk: %d frames, not %d", n2, n);
	for (int i = 0; i < n; i++)
		FUZZ_CHECK(fr[i].pc == again[i].pc && fr[i].sp == again[i].sp &&
		           fr[i].bp == again[i].bp && fr[i].cfa == again[i].cfa &&
		           fr[i].via == again[i].via, "a second walk differs at frame %d", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_in in = { data, size };
	ctx c;
	memset(&c, 0, sizeof c);
	uint8_t flags = fz_u8(&in);
	int bi = (flags & 3) % nbins;
	c.b = &bins[bi];
	c.l = &lays[bi];
	md_cfi *cfi = flags & 4 ? NULL : c.b->cfi;

	/* the goroutines */
	c.ngs = 1 + fz_u8(&in) % MAX_GS;
	static unsigned char gblk[MAX_GS * GSTRIDE];
	static unsigned char stack[STACK_MAX];
	unsigned char garr[MAX_GS * 8], hdr[24];
	memset(gblk, 0, sizeof gblk);
	for (int i = 0; i < c.ngs; i++) {
		gin *g = &c.gs[i];
		uint8_t st = fz_u8(&in);
		g->status = (st & 0x0f) | (st & 0x10 ? MD_G_SCAN : 0);
		g->goid = fz_u16(&in);
		uint16_t pcsel = fz_u16(&in);
		g->pc = pcsel == 0xffff ? fz_u8(&in) : pc_of(c.b, pcsel);
		g->sp = STACK_LO + (fz_u16(&in) % (STACK_MAX + 64));
		uint16_t bp = fz_u16(&in);
		g->bp = bp ? STACK_LO + bp % (STACK_MAX + 64) : 0;
		uint8_t slot = fz_u8(&in);
		g->g = slot ? GBASE + (uint64_t)i * GSTRIDE : 0;
		uint16_t bounds = fz_u16(&in);
		uint8_t th = fz_u8(&in);
		g->thread = !(flags & 0x80) || !(th & 1) ? 0 : th & 0x80 ? 2 : 1;
		g->seed = fz_u32(&in);
		g->lo = bounds ? STACK_LO + (bounds & 0xff) * 64 : STACK_LO;
		g->hi = bounds ? STACK_LO + (bounds >> 8) * 64 : STACK_LO + STACK_MAX;
		unsigned char *p = gblk + (size_t)i * GSTRIDE;
		const md_g_layout *gl = &c.l->gl;
		put64(p + gl->goid_off, (uint64_t)g->goid);
		put64(p + gl->stack_off + gl->stack_lo_off, g->lo);
		put64(p + gl->stack_off + gl->stack_hi_off, g->hi);
		put64(p + gl->sched_off + gl->sched_sp_off, g->sp);
		put64(p + gl->sched_off + gl->sched_pc_off, g->pc);
		put64(p + gl->sched_off + gl->sched_bp_off, g->bp);
		put32(p + c.l->al.status_off, g->status);
		put64(garr + 8 * i, g->g);
	}
	uint64_t len = (uint64_t)c.ngs, arr = GARR;
	if (flags & 0x40) {
		len = fz_u32(&in);
		arr = fz_u8(&in) & 1 ? GARR + fz_u8(&in) : 0;
	}
	put64(hdr, arr);
	put64(hdr + 8, len);
	put64(hdr + 16, len);

	/* the stack */
	size_t n = in.n < STACK_MAX ? in.n : STACK_MAX;
	memcpy(stack, in.p, n);
	for (size_t o = 0; o + 8 <= n; o += 8) {
		uint64_t w;
		memcpy(&w, stack + o, 8);
		if ((w >> 56) == 0xa5)
			put64(stack + o, STACK_LO + (w & 0xffff));
		else if ((w >> 56) == 0xa6)
			put64(stack + o, pc_of(c.b, w & 0xffff) + ((w >> 16) & 1));
	}
	c.stack_hi = STACK_LO + n;

	spy s;
	memset(&s, 0, sizeof s);
	s.reg[R_ALLGS] = (md_memcopy){ c.l->al.allgs, hdr, sizeof hdr };
	s.reg[R_GARR] = (md_memcopy){ GARR, garr, (size_t)c.ngs * 8 };
	s.reg[R_GS] = (md_memcopy){ GBASE, gblk, (size_t)(c.ngs - 1) * GSTRIDE + c.l->gsz };
	s.reg[R_STACK] = (md_memcopy){ STACK_LO, stack, n };
	c.sp = &s;
	md_mem m = { &spy_ops, &s, 0, 0, 0 };

	/* 1. the goroutine list */
	md_gstate *gs = NULL;
	size_t ng = 0;
	uint64_t unreadable = 0;
	md_err err;
	md_status st = md_allgs_read(&m, &c.l->gl, &c.l->al, &gs, &ng, &unreadable, &err);
	FZ_SAY("allgs: %d, %zu goroutines, %llu unreadable\n", st, ng,
	       (unsigned long long)unreadable);
	FUZZ_CHECK(st == MD_OK || st == MD_E_MEM || st == MD_E_NOMEM, "allgs: %d %s", st,
	           err.detail);
	FUZZ_CHECK(st == MD_OK || (!gs && !ng), "allgs failed with a list");
	FUZZ_CHECK(ng <= len && unreadable <= len, "%zu goroutines, %llu unreadable of %llu", ng,
	           (unsigned long long)unreadable, (unsigned long long)len);
	for (size_t i = 0; i < ng; i++) {
		const gin *g = gin_of(&c, gs[i].g);
		FUZZ_CHECK(g != NULL, "g %#llx is not in allgs", (unsigned long long)gs[i].g);
		FUZZ_CHECK(gs[i].status == (g->status & ~MD_G_SCAN) && gs[i].status != MD_G_DEAD &&
		           gs[i].status != MD_G_IDLE, "status %u", gs[i].status);
		FUZZ_CHECK(gs[i].goid == g->goid && gs[i].pc == g->pc && gs[i].sp == g->sp &&
		           gs[i].bp == g->bp && gs[i].stack_lo == g->lo && gs[i].stack_hi == g->hi,
		           "g %#llx read wrong", (unsigned long long)gs[i].g);
	}
	free(gs);

	/* 2. the unwinder, from each goroutine's saved registers */
	for (int i = 0; i < c.ngs; i++)
		check_unwind(&c, &c.gs[i], cfi);

	/* 3. the locals of every frame */
	md_threads ts;
	md_thread th[MAX_GS];
	memset(&ts, 0, sizeof ts);
	memset(th, 0, sizeof th);
	ts.t = th;
	for (int i = 0; i < c.ngs; i++) {
		const gin *g = &c.gs[i];
		if (!g->thread)
			continue;
		md_thread *t = &th[ts.n++];
		t->regs_ok = t->g_ok = 1;
		for (int r = 0; r < MD_NREGS; r++) {
			uint32_t x = g->seed * (uint32_t)(2 * r + 1);
			t->regs.r[r] = x & 1 ? STACK_LO + (x >> 8) % (STACK_MAX + 64) : x >> 4;
		}
		t->regs.r[MD_REG_RIP] = g->pc;
		t->regs.r[MD_REG_RSP] = g->sp;
		t->regs.r[MD_REG_RBP] = g->bp;
		if (g->thread == 1) {
			t->g.g = g->g;
		} else {
			t->g.curg = g->g;
			t->g.curg_pc = pc_of(c.b, g->seed);
			t->g.curg_sp = g->sp + 64;
			t->g.curg_bp = g->bp;
		}
	}
	md_stack_src src = { c.b->d, cfi, 0, &c.l->gl, &c.l->al, flags & 0x80 ? &ts : NULL };
	md_stackvars sv;
	memset(&sv, 0, sizeof sv);
	md_stackvars_reset(&sv);
	s.sv = &sv;
	c.sv = &sv;
	md_mem over;
	md_overlay ov = { &m, &sv.synth_copy, 1 };
	md_mem_open_overlay(&over, &ov);
	c.over = &over;
	md_sv_visit v = { flags & 0x10 ? c.gs[0].goid : -1, flags & 8 ? all_funcs : NULL, NULL,
	                  on_var, &c };
	st = md_stackvars_each(&sv, &src, &m, &v, &err);
	FZ_SAY("stackvars: %d, %llu goroutines, %llu frames, %llu running, %llu unreadable, "
	       "%llu variables, %zu synthetic bytes\n", st, (unsigned long long)sv.goroutines,
	       (unsigned long long)sv.frames, (unsigned long long)sv.running,
	       (unsigned long long)sv.unreadable, (unsigned long long)c.visited, sv.nsynth);
	FUZZ_CHECK(st == MD_OK || st == MD_E_MEM || st == MD_NOTFOUND || st == MD_E_NOMEM,
	           "stackvars: %d %s", st, err.detail);
	FUZZ_CHECK(st != MD_NOTFOUND || (flags & 0x10), "MD_NOTFOUND without a goid asked");
	FUZZ_CHECK(sv.goroutines + sv.running <= (uint64_t)c.ngs &&
	           sv.frames <= sv.goroutines * MD_UNWIND_MAX && sv.unreadable <= len,
	           "counters: %llu goroutines %llu running %llu frames",
	           (unsigned long long)sv.goroutines, (unsigned long long)sv.running,
	           (unsigned long long)sv.frames);
	md_mem_close(&over);
	md_stackvars_free(&sv);

	/* 4. scan's stack roots, and a walk from them */
	if (flags & 0x20) {
		md_roots r;
		md_shapes sh;
		md_walk w;
		memset(&r, 0, sizeof r);
		md_shapes_init(&sh, c.b->d);
		md_stackvars_reset(&r.sv);
		s.sv = &r.sv;
		c.sv = &r.sv;
		int depth = 1 + (int)(c.gs[0].seed % 3);
		st = md_roots_stacks(&r, &src, &m, &sh, depth, NULL, 0, &err);
		FUZZ_CHECK(st == MD_OK || st == MD_E_MEM || st == MD_E_NOMEM, "roots: %d %s", st,
		           err.detail);
		for (size_t i = 0; i < r.n; i++) {
			const md_walk_root *x = &r.v[i];
			FUZZ_CHECK(x->kind == MD_ROOT_STACK && x->name && x->func, "root %zu", i);
			FUZZ_CHECK(x->shape >= 0 && (size_t)x->shape < sh.nshapes, "root shape %d",
			           x->shape);
			int known = 0;
			for (int k = 0; k < c.ngs; k++)
				known |= c.gs[k].g && c.gs[k].goid == x->goid;
			FUZZ_CHECK(known, "root of goroutine %lld", (long long)x->goid);
			FUZZ_CHECK(x->addr < MD_MEM_SYNTH_BASE ||
			           x->addr - MD_MEM_SYNTH_BASE < r.sv.nsynth, "root %s outside synth",
			           x->name);
		}
		ov = (md_overlay){ &m, &r.sv.synth_copy, 1 };
		md_mem_open_overlay(&over, &ov);
		md_walk_init(&w, &sh, r.v, (int)r.n);
		st = md_walk_run(&w, &over, &err);
		FZ_SAY("roots: %zu, walk: %d, %zu maps, %llu rounds\n", r.n, st, w.nmaps,
		       (unsigned long long)w.rounds);
		FUZZ_CHECK(st == MD_OK || st == MD_E_NOMEM, "walk: %d %s", st, err.detail);
		FUZZ_CHECK(w.rounds <= MD_SHAPE_MAX_DEPTH + 2 && w.peak_items <= MD_SCAN_MAX_ITEMS,
		           "walk bounds");
		md_walk_free(&w);
		md_mem_close(&over);
		md_roots_free(&r);
		md_shapes_free(&sh);
	}
	FUZZ_CHECK(s.bytes <= ((uint64_t)64 << 20), "%llu bytes read", (unsigned long long)s.bytes);
	return 0;
}
