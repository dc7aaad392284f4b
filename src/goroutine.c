/* goroutine.c - the running g of a thread (see goroutine.h). */
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

static int rd64(md_mem *m, uint64_t a, uint64_t *v)
{
	md_err e;
	md_read r = { a, v, 8, 0 };
	if (!a)
		return 0;
	md_mem_readv(m, &r, 1, &e);
	return r.ok;
}

/* A g is plausible if its m's g0 or curg points back at it. */
static int g_ok(md_mem *m, const md_g_layout *l, uint64_t g, uint64_t *mp)
{
	uint64_t g0 = 0, curg = 0;
	if (!g || (g & 7) || !rd64(m, g + l->m_off, mp) || !*mp)
		return 0;
	rd64(m, *mp + l->g0_off, &g0);
	rd64(m, *mp + l->curg_off, &curg);
	return g0 == g || curg == g;
}

md_status md_g_read(md_mem *m, const md_g_layout *l, const md_regs *r,
                    md_ginfo *out, md_err *err)
{
	(void)err;
	memset(out, 0, sizeof *out);
	uint64_t g = 0, mp = 0;
	if (!(r->fs_base > 8 && rd64(m, r->fs_base - 8, &g) && g_ok(m, l, g, &mp))) {
		g = r->r[MD_REG_R14];
		if (!g_ok(m, l, g, &mp))
			return MD_NOTFOUND;
	}
	out->g = g;
	uint64_t v;
	rd64(m, g + l->stack_off + l->stack_lo_off, &out->stack_lo);
	rd64(m, g + l->stack_off + l->stack_hi_off, &out->stack_hi);
	if (rd64(m, g + l->goid_off, &v))
		out->goid = (int64_t)v;
	if (rd64(m, mp + l->curg_off, &out->curg) && out->curg &&
	    rd64(m, out->curg + l->goid_off, &v))
		out->curg_goid = (int64_t)v;
	if (out->curg && out->curg != g) {
		uint64_t sb = out->curg + l->sched_off;
		rd64(m, sb + l->sched_sp_off, &out->curg_sp);
		rd64(m, sb + l->sched_pc_off, &out->curg_pc);
		rd64(m, sb + l->sched_bp_off, &out->curg_bp);
		rd64(m, out->curg + l->stack_off + l->stack_hi_off, &out->curg_stack_hi);
	}
	return MD_OK;
}
