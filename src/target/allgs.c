/* allgs.c - every goroutine of the process (see allgs.h). */
#include <stdlib.h>
#include <string.h>
#include "allgs.h"

static uint64_t le(const unsigned char *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

md_status md_allgs_locate(md_dwarf *d, uint64_t bias, md_allgs_loc *out, md_err *err)
{
	size_t nlen;
	uint64_t addr, off;
	md_type_id t, gt, st;
	md_type ty;
	memset(out, 0, sizeof *out);
	md_status s = md_dwarf_find_var(d, "runtime.allgs", &nlen, &addr, &t, err);
	if (s == MD_NOTFOUND || (s == MD_OK && nlen != strlen("runtime.allgs")))
		return md_err_set(err, MD_E_LAYOUT, "no runtime.allgs in DWARF");
	if (s != MD_OK)
		return s;
	out->allgs = addr + bias;
	/* g's type from g0's; atomicstatus is an atomic.Uint32 (a struct
	 * whose member value holds it) since Go 1.20, a uint32 before */
	if ((s = md_dwarf_find_var(d, "runtime.g0", &nlen, &addr, &gt, err)) != MD_OK)
		return s == MD_NOTFOUND ? md_err_set(err, MD_E_LAYOUT, "no runtime.g0") : s;
	if (md_dwarf_member(d, gt, "atomicstatus", &out->status_off, &st, err) != MD_OK)
		return md_err_set(err, MD_E_LAYOUT, "runtime.g has no atomicstatus");
	if (md_dwarf_type(d, st, &ty, err) == MD_OK && ty.kind == MD_TK_STRUCT &&
	    md_dwarf_member(d, st, "value", &off, &t, err) == MD_OK)
		out->status_off += off;
	return MD_OK;
}

static void span(uint64_t *lo, uint64_t *hi, uint64_t off, uint64_t len)
{
	if (off < *lo)
		*lo = off;
	if (off + len > *hi)
		*hi = off + len;
}

md_status md_allgs_read(md_mem *m, const md_g_layout *l, const md_allgs_loc *loc,
                        md_gstate **out, size_t *n, uint64_t *unreadable, md_err *err)
{
	*out = NULL;
	*n = 0;
	unsigned char hdr[24];
	md_read r = { loc->allgs, hdr, sizeof hdr, 0 };
	md_status s = md_mem_readv(m, &r, 1, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		return s;
	if (!r.ok)
		return md_err_set(err, MD_E_MEM, "runtime.allgs unreadable");
	uint64_t arr = le(hdr, 8), len = le(hdr + 8, 8);
	if (len > MD_ALLGS_MAX || (len && !arr))
		return md_err_set(err, MD_E_MEM, "runtime.allgs: implausible length %llu",
		                  (unsigned long long)len);
	if (!len)
		return MD_OK;
	uint64_t lo = UINT64_MAX, hi = 0;
	span(&lo, &hi, l->goid_off, 8);
	span(&lo, &hi, loc->status_off, 4);
	span(&lo, &hi, l->stack_off + l->stack_lo_off, 8);
	span(&lo, &hi, l->stack_off + l->stack_hi_off, 8);
	span(&lo, &hi, l->sched_off + l->sched_sp_off, 8);
	span(&lo, &hi, l->sched_off + l->sched_pc_off, 8);
	span(&lo, &hi, l->sched_off + l->sched_bp_off, 8);
	size_t blk = (size_t)(hi - lo);
	uint64_t *gs = calloc(len, 8);
	unsigned char *b = calloc(len, blk);
	md_read *rd = calloc(len, sizeof *rd);
	md_gstate *g = calloc(len, sizeof *g);
	if (!gs || !b || !rd || !g) {
		s = md_err_set(err, MD_E_NOMEM, "%llu goroutines", (unsigned long long)len);
		goto fail;
	}
	r = (md_read){ arr, gs, len * 8, 0 };
	s = md_mem_readv(m, &r, 1, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto fail;
	if (!r.ok) {
		s = md_err_set(err, MD_E_MEM, "runtime.allgs array unreadable");
		goto fail;
	}
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (!gs[i])
			continue;
		rd[k] = (md_read){ gs[i] + lo, b + k * blk, blk, 0 };
		k++;
	}
	s = md_mem_readv(m, rd, k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto fail;
	size_t ng = 0;
	for (size_t i = 0; i < k; i++) {
		if (!rd[i].ok) {
			(*unreadable)++;
			continue;
		}
		const unsigned char *p = rd[i].buf;
		md_gstate x = { rd[i].addr - lo, 0, 0, 0, 0, 0, 0, 0 };
		x.status = (uint32_t)le(p + (loc->status_off - lo), 4) & ~MD_G_SCAN;
		if (x.status == MD_G_DEAD || x.status == MD_G_IDLE)
			continue;
		x.goid = (int64_t)le(p + (l->goid_off - lo), 8);
		x.sp = le(p + (l->sched_off + l->sched_sp_off - lo), 8);
		x.pc = le(p + (l->sched_off + l->sched_pc_off - lo), 8);
		x.bp = le(p + (l->sched_off + l->sched_bp_off - lo), 8);
		x.stack_lo = le(p + (l->stack_off + l->stack_lo_off - lo), 8);
		x.stack_hi = le(p + (l->stack_off + l->stack_hi_off - lo), 8);
		g[ng++] = x;
	}
	free(gs);
	free(b);
	free(rd);
	*out = g;
	*n = ng;
	return MD_OK;
fail:
	free(gs);
	free(b);
	free(rd);
	free(g);
	return s;
}
