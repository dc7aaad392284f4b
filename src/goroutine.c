/* goroutine.c - the running g of a thread (see goroutine.h). */
#include <stdlib.h>
#include <string.h>
#include "goroutine.h"

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
	return MD_OK;
}

/* Per-thread work of the batched read: two candidate g's (TLS, R14). */
typedef struct gwork {
	uint64_t tls;
	uint64_t cand[2], m[2], g0[2], curg[2];
	uint64_t goid, lo, hi, cgoid, csp, cpc, cbp, chi;
} gwork;

/* Add a read of one word; skipped (left 0) when addr is 0. */
static void want(md_read *rd, size_t *k, uint64_t addr, uint64_t *dst)
{
	*dst = 0;
	if (addr)
		rd[(*k)++] = (md_read){ addr, dst, 8, 0 };
}

md_status md_g_read_all(md_mem *m, const md_g_layout *l, const md_regs *r,
                        int n, md_ginfo *out, int *ok, md_err *err)
{
	gwork *w = calloc((size_t)n, sizeof *w);
	md_read *rd = calloc((size_t)n * 10 + 1, sizeof *rd);
	md_status st = MD_OK;
	if (!w || !rd) {
		st = md_err_set(err, MD_E_NOMEM, "goroutine reads");
		goto out;
	}
	size_t k = 0;
	/* 1: the TLS slot */
	for (int i = 0; i < n; i++)
		want(rd, &k, r[i].fs_base > 8 ? r[i].fs_base - 8 : 0, &w[i].tls);
	if ((st = md_mem_readv(m, rd, k, err)) == MD_E_EXITED || st == MD_E_SYS)
		goto out;
	/* 2: each candidate's m; a candidate must be an aligned pointer */
	k = 0;
	for (int i = 0; i < n; i++) {
		w[i].cand[0] = w[i].tls;
		w[i].cand[1] = r[i].r[MD_REG_R14];
		for (int c = 0; c < 2; c++)
			want(rd, &k, w[i].cand[c] && !(w[i].cand[c] & 7) ?
			     w[i].cand[c] + l->m_off : 0, &w[i].m[c]);
	}
	if ((st = md_mem_readv(m, rd, k, err)) == MD_E_EXITED || st == MD_E_SYS)
		goto out;
	/* 3: m.g0 and m.curg, to check a candidate against its m */
	k = 0;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < 2; c++) {
			want(rd, &k, w[i].m[c] ? w[i].m[c] + l->g0_off : 0, &w[i].g0[c]);
			want(rd, &k, w[i].m[c] ? w[i].m[c] + l->curg_off : 0, &w[i].curg[c]);
		}
	if ((st = md_mem_readv(m, rd, k, err)) == MD_E_EXITED || st == MD_E_SYS)
		goto out;
	/* 4: the chosen g's goid and stack, and its m's curg */
	k = 0;
	for (int i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof out[i]);
		ok[i] = 0;
		for (int c = 0; c < 2 && !ok[i]; c++) {
			uint64_t g = w[i].cand[c];
			if (w[i].m[c] && g && (w[i].g0[c] == g || w[i].curg[c] == g)) {
				ok[i] = 1;
				out[i].g = g;
				out[i].curg = w[i].curg[c];
			}
		}
		if (!ok[i])
			continue;
		uint64_t g = out[i].g, cg = out[i].curg;
		want(rd, &k, g + l->goid_off, &w[i].goid);
		want(rd, &k, g + l->stack_off + l->stack_lo_off, &w[i].lo);
		want(rd, &k, g + l->stack_off + l->stack_hi_off, &w[i].hi);
		if (cg) {
			want(rd, &k, cg + l->goid_off, &w[i].cgoid);
			if (cg != g) {
				uint64_t sb = cg + l->sched_off;
				want(rd, &k, sb + l->sched_sp_off, &w[i].csp);
				want(rd, &k, sb + l->sched_pc_off, &w[i].cpc);
				want(rd, &k, sb + l->sched_bp_off, &w[i].cbp);
				want(rd, &k, cg + l->stack_off + l->stack_hi_off, &w[i].chi);
			}
		}
	}
	if ((st = md_mem_readv(m, rd, k, err)) == MD_E_EXITED || st == MD_E_SYS)
		goto out;
	st = MD_OK;
	for (int i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		out[i].goid = (int64_t)w[i].goid;
		out[i].stack_lo = w[i].lo;
		out[i].stack_hi = w[i].hi;
		out[i].curg_goid = (int64_t)w[i].cgoid;
		out[i].curg_sp = w[i].csp;
		out[i].curg_pc = w[i].cpc;
		out[i].curg_bp = w[i].cbp;
		out[i].curg_stack_hi = w[i].chi;
	}
out:
	free(w);
	free(rd);
	return st;
}

md_status md_g_read(md_mem *m, const md_g_layout *l, const md_regs *r,
                    md_ginfo *out, md_err *err)
{
	int ok = 0;
	md_status s = md_g_read_all(m, l, r, 1, out, &ok, err);
	if (s != MD_OK)
		return s;
	return ok ? MD_OK : MD_NOTFOUND;
}
