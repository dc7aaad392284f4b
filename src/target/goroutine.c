/* goroutine.c - the running g of a thread (see goroutine.h). */
#include <stdlib.h>
#include <string.h>
#include "goroutine.h"
#include "alloc.h"

/* Offset of member `name` in the (possibly pointed-to) struct type of a
 * runtime variable. */
static md_status member_of(md_dwarf *d, const char *var, const char *name,
                           uint64_t *off, md_err *err)
{
	size_t nlen;
	uint64_t addr;
	md_type_id t, mt;
	md_status s = md_dwarf_find_var(d, var, &nlen, &addr, &t, err);
	if (s == MD_NOTFOUND || (s == MD_OK && nlen != strlen(var)))
		return md_err_set(err, MD_E_LAYOUT, "no %s in DWARF", var);
	if (s != MD_OK)
		return s;
	s = md_dwarf_member(d, t, name, off, &mt, err);
	if (s == MD_NOTFOUND)
		return md_err_set(err, MD_E_LAYOUT, "%s has no member %s", var, name);
	return s;
}

/* Where the g slot is.  An internally linked binary has no runtime.tlsg in
 * its symbol table: its linker translates the runtime's 0(TLS) into
 * -8(FS), on every release (cmd/link/internal/ld/sym.go:92, "ELF uses TLS
 * offset negative from FS", the same line in Go 1.19 to 1.27).  An
 * externally linked one has it, placed by the system linker. */
static md_status tls_slot(md_dwarf *d, md_g_layout *l, md_err *err)
{
	md_err e;
	int64_t off;
	md_status s = md_dwarf_tls_offset(d, "runtime.tlsg", &off, &e);
	l->tls_g_off = -8;
	l->tls_from_pt_tls = 0;
	if (s == MD_OK) {
		l->tls_g_off = off;
		l->tls_from_pt_tls = 1;
	} else if (s != MD_NOTFOUND && s != MD_E_DWARF) {
		*err = e;
		return s;    /* out of memory */
	}
	/* a PT_TLS that contradicts itself leaves the -8 guess, which the
	 * read checks like any other (its m must name it) */
	return MD_OK;
}

md_status md_g_layout_load(md_dwarf *d, md_g_layout *l, md_err *err)
{
	md_status s;
	memset(l, 0, sizeof *l);
	if ((s = member_of(d, "runtime.g0", "goid", &l->goid_off, err)) != MD_OK ||
	    (s = member_of(d, "runtime.g0", "m", &l->m_off, err)) != MD_OK ||
	    (s = member_of(d, "runtime.m0", "curg", &l->curg_off, err)) != MD_OK ||
	    (s = member_of(d, "runtime.m0", "g0", &l->g0_off, err)) != MD_OK ||
	    (s = member_of(d, "runtime.g0", "stack", &l->stack_off, err)) != MD_OK)
		return s;
	/* runtime.stack{lo, hi}: two uintptrs, in that order since Go 1.0;
	 * checked against DWARF all the same */
	size_t nlen;
	uint64_t addr, off;
	md_type_id t, st, x;
	if (md_dwarf_find_var(d, "runtime.g0", &nlen, &addr, &t, err) != MD_OK ||
	    md_dwarf_member(d, t, "stack", &off, &st, err) != MD_OK ||
	    md_dwarf_member(d, st, "lo", &l->stack_lo_off, &x, err) != MD_OK ||
	    md_dwarf_member(d, st, "hi", &l->stack_hi_off, &x, err) != MD_OK)
		return md_err_set(err, MD_E_LAYOUT, "runtime.stack lacks lo/hi");
	md_type_id gb;
	if (md_dwarf_member(d, t, "sched", &l->sched_off, &gb, err) != MD_OK ||
	    md_dwarf_member(d, gb, "sp", &l->sched_sp_off, &x, err) != MD_OK ||
	    md_dwarf_member(d, gb, "pc", &l->sched_pc_off, &x, err) != MD_OK ||
	    md_dwarf_member(d, gb, "bp", &l->sched_bp_off, &x, err) != MD_OK)
		return md_err_set(err, MD_E_LAYOUT, "runtime.gobuf lacks sp/pc/bp");
	return tls_slot(d, l, err);
}

/* The reads are of whole blocks, not words: one iovec brings every field
 * of a g we use (g.stack, g.m, g.sched, g.goid: within ~200 bytes), one
 * the two of an m (m.g0, m.curg).  A read system call costs far more than
 * its bytes, and these run during the stop. */
static void span(uint64_t *lo, uint64_t *hi, uint64_t off)
{
	if (off < *lo)
		*lo = off;
	if (off + 8 > *hi)
		*hi = off + 8;
}

static void blocks_of(const md_g_layout *l, uint64_t *glo, uint64_t *ghi,
                      uint64_t *mlo, uint64_t *mhi)
{
	*glo = *mlo = UINT64_MAX;
	*ghi = *mhi = 0;
	span(glo, ghi, l->goid_off);
	span(glo, ghi, l->m_off);
	span(glo, ghi, l->stack_off + l->stack_lo_off);
	span(glo, ghi, l->stack_off + l->stack_hi_off);
	span(glo, ghi, l->sched_off + l->sched_sp_off);
	span(glo, ghi, l->sched_off + l->sched_pc_off);
	span(glo, ghi, l->sched_off + l->sched_bp_off);
	span(mlo, mhi, l->g0_off);
	span(mlo, mhi, l->curg_off);
}

/* Per thread: the candidates for its g (R14, which needs no read to be
 * known, and the TLS slot's), what was read of them, and the choice. */
typedef struct md_gwork {
	uint64_t tls, cand[2];
	int gok[2], mok[2];
	int pending;              /* waits for its TLS g's m block */
	int pick;                 /* -1: no g; else the candidate that is g */
	uint64_t curg;
	int cok;                  /* curg's block was read */
} md_gwork;

enum { C_R14, C_TLS };                 /* candidates; also their blocks */
enum { B_CURG = 2, NGB = 3, NMB = 2 };

/* Which thread, which buffer and which candidate one request of a round
 * was for. */
typedef struct md_gtag {
	int i;
	int kind;
	int c;
} md_gtag;
enum { K_TLS, K_G, K_M, K_CURG };

md_status md_g_scratch_prepare(md_g_scratch *sc, const md_g_layout *l, int n,
                               md_err *err)
{
	uint64_t glo, ghi, mlo, mhi;
	blocks_of(l, &glo, &ghi, &mlo, &mhi);
	size_t gsz = (size_t)(ghi - glo), msz = (size_t)(mhi - mlo);
	if (gsz > 4096 || msz > 4096)
		return md_err_set(err, MD_E_LAYOUT, "runtime.g/m fields spread over %zu/%zu bytes",
		                  gsz, msz);
	if (n <= sc->cap && gsz == sc->gsz && msz == sc->msz)
		return MD_OK;
	md_g_scratch_free(sc);
	size_t per = NGB * gsz + NMB * msz, nrd = 2 * (size_t)n + 1;
	/* touched now: no page fault is left for the stop */
	sc->w = md_calloc_touched((size_t)n, sizeof *sc->w);
	sc->rd = md_calloc_touched(nrd, sizeof *sc->rd);
	sc->tag = md_calloc_touched(nrd, sizeof *sc->tag);
	sc->blocks = md_calloc_touched((size_t)n, per);
	if (!sc->w || !sc->rd || !sc->tag || !sc->blocks) {
		md_g_scratch_free(sc);
		return md_err_set(err, MD_E_NOMEM, "goroutine reads for %d threads", n);
	}
	sc->cap = n;
	sc->gsz = gsz;
	sc->msz = msz;
	return MD_OK;
}

void md_g_scratch_free(md_g_scratch *sc)
{
	free(sc->w);
	free(sc->rd);
	free(sc->tag);
	free(sc->blocks);
	memset(sc, 0, sizeof *sc);
}

/* A plausible pointer: not in the lowest page, 8-aligned. */
static int ptr_ok(uint64_t p)
{
	return p >= 4096 && !(p & 7);
}

static uint64_t word(const unsigned char *blk, uint64_t blo, uint64_t off)
{
	uint64_t v;
	memcpy(&v, blk + (off - blo), 8);
	return v;
}

/* One md_g_read_all: the layout's block spans, the scratch, and the
 * requests of the round being built. */
typedef struct gread {
	md_mem *m;
	const md_g_layout *l;
	md_g_scratch *sc;
	uint64_t glo, mlo;
	size_t per;            /* bytes of blocks per thread */
	int *ok;
	size_t k;              /* requests asked for the next round */
} gread;

static unsigned char *gblock(const gread *c, int i, int b)
{
	return c->sc->blocks + (size_t)i * c->per + (size_t)b * c->sc->gsz;
}

static unsigned char *mblock(const gread *c, int i, int b)
{
	return c->sc->blocks + (size_t)i * c->per + NGB * c->sc->gsz + (size_t)b * c->sc->msz;
}

static void ask(gread *c, int i, int kind, int cand, uint64_t addr, void *buf, size_t len)
{
	c->sc->rd[c->k] = (md_read){ addr, buf, len, 0 };
	c->sc->tag[c->k++] = (md_gtag){ i, kind, cand };
}

static uint64_t m_word(const gread *c, int i, int cand, uint64_t off)
{
	return word(mblock(c, i, cand), c->mlo, off);
}

/* A candidate is the thread's g when its m names it as g0 or curg. */
static int names(const gread *c, int i, int cand)
{
	const md_gwork *x = &c->sc->w[i];
	return x->mok[cand] && (m_word(c, i, cand, c->l->g0_off) == x->cand[cand] ||
	                        m_word(c, i, cand, c->l->curg_off) == x->cand[cand]);
}

/* Take candidate cand as the thread's g; ask for curg's block when the
 * thread runs g0 on its behalf. */
static void resolve(gread *c, int i, int cand)
{
	md_gwork *x = &c->sc->w[i];
	x->pick = cand;
	c->ok[i] = 1;
	x->curg = m_word(c, i, cand, c->l->curg_off);
	if (ptr_ok(x->curg) && x->curg != x->cand[cand])
		ask(c, i, K_CURG, 0, x->curg + c->glo, gblock(c, i, B_CURG), c->sc->gsz);
}

/* Round 1: the TLS slot, and R14's g block on the chance that R14 is g. */
static void ask_first(gread *c, const md_regs *r, int n)
{
	for (int i = 0; i < n; i++) {
		md_gwork *x = &c->sc->w[i];
		memset(x, 0, sizeof *x);
		x->pick = -1;
		c->ok[i] = 0;
		/* the slot, when fs_base is set and the address does not wrap */
		uint64_t slot = r[i].fs_base + (uint64_t)c->l->tls_g_off;
		if (r[i].fs_base && (c->l->tls_g_off < 0 ? slot < r[i].fs_base
		                                          : slot >= r[i].fs_base))
			ask(c, i, K_TLS, 0, slot, &x->tls, 8);
		if (ptr_ok(r[i].r[MD_REG_R14])) {
			x->cand[C_R14] = r[i].r[MD_REG_R14];
			ask(c, i, K_G, C_R14, x->cand[C_R14] + c->glo, gblock(c, i, C_R14), c->sc->gsz);
		}
	}
}

/* What the last round's requests brought. */
static void note_round(gread *c, size_t k)
{
	for (size_t q = 0; q < k; q++) {
		md_gwork *x = &c->sc->w[c->sc->tag[q].i];
		int cand = c->sc->tag[q].c, got = c->sc->rd[q].ok;
		switch (c->sc->tag[q].kind) {
		case K_TLS:
			if (!got)
				x->tls = 0;
			break;
		case K_G:
			x->gok[cand] = got;
			break;
		case K_M:
			x->mok[cand] = got;
			break;
		case K_CURG:
			x->cok = got;
			break;
		}
	}
}

/* After round 1: R14's m block; the TLS g's block if it differs. */
static void after_tls(gread *c, int i)
{
	md_gwork *x = &c->sc->w[i];
	if (x->gok[C_R14]) {
		uint64_t mp = word(gblock(c, i, C_R14), c->glo, c->l->m_off);
		if (ptr_ok(mp))
			ask(c, i, K_M, C_R14, mp + c->mlo, mblock(c, i, C_R14), c->sc->msz);
	}
	if (ptr_ok(x->tls) && x->tls != x->cand[C_R14]) {
		x->cand[C_TLS] = x->tls;
		ask(c, i, K_G, C_TLS, x->tls + c->glo, gblock(c, i, C_TLS), c->sc->gsz);
	}
}

/* After round 2: the TLS g's m block; or, when the TLS slot agrees with
 * R14, says nothing or names no readable g with an m, R14 decides now. */
static void after_g(gread *c, int i)
{
	md_gwork *x = &c->sc->w[i];
	uint64_t mp = x->gok[C_TLS] ? word(gblock(c, i, C_TLS), c->glo, c->l->m_off) : 0;
	if (ptr_ok(mp)) {
		x->pending = 1;
		ask(c, i, K_M, C_TLS, mp + c->mlo, mblock(c, i, C_TLS), c->sc->msz);
	} else if (names(c, i, C_R14)) {
		resolve(c, i, C_R14);
	}
}

/* After round 3: the TLS slot is the runtime's own record and wins when
 * its m names it; R14 is g only while Go code runs. */
static void after_m(gread *c, int i)
{
	md_gwork *x = &c->sc->w[i];
	if (!x->pending)
		return;
	x->pending = 0;
	if (names(c, i, C_TLS))
		resolve(c, i, C_TLS);
	else if (names(c, i, C_R14))
		resolve(c, i, C_R14);
}

static void fill_out(const gread *c, int n, md_ginfo *out)
{
	const md_g_layout *l = c->l;
	for (int i = 0; i < n; i++) {
		const md_gwork *x = &c->sc->w[i];
		memset(&out[i], 0, sizeof out[i]);
		if (x->pick < 0)
			continue;
		const unsigned char *gb = gblock(c, i, x->pick);
		out[i].g = x->cand[x->pick];
		out[i].goid = (int64_t)word(gb, c->glo, l->goid_off);
		out[i].stack_lo = word(gb, c->glo, l->stack_off + l->stack_lo_off);
		out[i].stack_hi = word(gb, c->glo, l->stack_off + l->stack_hi_off);
		out[i].curg = ptr_ok(x->curg) ? x->curg : 0;
		if (out[i].curg == out[i].g) {
			out[i].curg_goid = out[i].goid;
		} else if (out[i].curg && x->cok) {
			const unsigned char *cb = gblock(c, i, B_CURG);
			out[i].curg_goid = (int64_t)word(cb, c->glo, l->goid_off);
			out[i].curg_sp = word(cb, c->glo, l->sched_off + l->sched_sp_off);
			out[i].curg_pc = word(cb, c->glo, l->sched_off + l->sched_pc_off);
			out[i].curg_bp = word(cb, c->glo, l->sched_off + l->sched_bp_off);
			out[i].curg_stack_hi = word(cb, c->glo, l->stack_off + l->stack_hi_off);
			out[i].curg_stack_lo = word(cb, c->glo, l->stack_off + l->stack_lo_off);
		}
	}
}

md_status md_g_read_all(md_mem *m, const md_g_layout *l, const md_regs *r,
                        int n, md_ginfo *out, int *ok, md_g_scratch *sc, md_err *err)
{
	md_g_scratch local = { 0 };
	md_status st;
	if (!sc || sc->cap < n) {
		/* normally prepared before the stop; only if threads came */
		sc = &local;
		if ((st = md_g_scratch_prepare(sc, l, n, err)) != MD_OK)
			return st;
	}
	uint64_t ghi, mhi;
	gread c = { m, l, sc, 0, 0, 0, ok, 0 };
	blocks_of(l, &c.glo, &ghi, &c.mlo, &mhi);
	c.per = NGB * sc->gsz + NMB * sc->msz;
	ask_first(&c, r, n);
	for (int round = 1; c.k; round++) {
		if ((st = md_mem_readv(m, sc->rd, c.k, err)) == MD_E_EXITED || st == MD_E_SYS)
			goto out;
		size_t k = c.k;
		c.k = 0;
		note_round(&c, k);
		for (int i = 0; i < n; i++) {
			if (round == 1)
				after_tls(&c, i);
			else if (round == 2)
				after_g(&c, i);
			else if (round == 3)
				after_m(&c, i);
		}
	}
	fill_out(&c, n, out);
	st = MD_OK;
out:
	if (sc == &local)
		md_g_scratch_free(&local);
	return st;
}
