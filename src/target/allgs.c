/* allgs.c - every goroutine of the process (see allgs.h). */
#include <stdlib.h>
#include <string.h>
#include "allgs.h"
#include "alloc.h"

static uint64_t le(const unsigned char *b, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

const char *md_gstatus_name(uint32_t status)
{
	/* runtime/traceback.go gStatusStrings */
	static const char *const names[] = {
		[MD_G_IDLE] = "idle", [MD_G_RUNNABLE] = "runnable", [MD_G_RUNNING] = "running",
		[MD_G_SYSCALL] = "syscall", [MD_G_WAITING] = "waiting", [MD_G_DEAD] = "dead",
		[MD_G_COPYSTACK] = "copystack", [MD_G_PREEMPTED] = "preempted",
	};
	return status < sizeof names / sizeof names[0] && names[status] ? names[status] : "?";
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
	md_err e;   /* optional: without it every waiting g may be a writer */
	out->has_waitreason = md_dwarf_member(d, gt, "waitreason", &out->waitreason_off, &t,
	                                      &e) == MD_OK;
	return MD_OK;
}

static void span(uint64_t *lo, uint64_t *hi, uint64_t off, uint64_t len)
{
	if (off < *lo)
		*lo = off;
	if (off + len > *hi)
		*hi = off + len;
}

/* The span of a g that holds every field we read: [*lo, *lo + return). */
static size_t g_span(const md_g_layout *l, const md_allgs_loc *loc, uint64_t *lo)
{
	uint64_t hi = 0;
	*lo = UINT64_MAX;
	span(lo, &hi, l->goid_off, 8);
	span(lo, &hi, loc->status_off, 4);
	span(lo, &hi, l->stack_off + l->stack_lo_off, 8);
	span(lo, &hi, l->stack_off + l->stack_hi_off, 8);
	span(lo, &hi, l->sched_off + l->sched_sp_off, 8);
	span(lo, &hi, l->sched_off + l->sched_pc_off, 8);
	span(lo, &hi, l->sched_off + l->sched_bp_off, 8);
	if (loc->has_waitreason)
		span(lo, &hi, loc->waitreason_off, 1);
	return (size_t)(hi - *lo);
}

void md_allgs_buf_free(md_allgs_buf *b)
{
	free(b->gs);
	free(b->blk);
	free(b->rd);
	free(b->g);
	memset(b, 0, sizeof *b);
}

/* Room for n g's of blk bytes each (touched: a stop may use it). */
static int room(md_allgs_buf *b, size_t n, size_t blk)
{
	md_allgs_buf x = { .cap = n };
	x.gs = md_calloc_touched(n, 8);
	x.blk = md_calloc_touched(n, blk);
	x.rd = md_calloc_touched(n, sizeof *x.rd);
	x.g = md_calloc_touched(n, sizeof *x.g);
	if (!x.gs || !x.blk || !x.rd || !x.g) {
		md_allgs_buf_free(&x);
		return 0;
	}
	x.grown = b->grown;
	md_allgs_buf_free(b);
	*b = x;
	return 1;
}

/* allgs' slice header: its array and length. */
static md_status slice(md_mem *m, const md_allgs_loc *loc, uint64_t *arr, uint64_t *len,
                       md_err *err)
{
	unsigned char hdr[24];
	md_read r = { loc->allgs, hdr, sizeof hdr, 0 };
	md_status s = md_mem_readv(m, &r, 1, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		return s;
	if (!r.ok)
		return md_err_set(err, MD_E_MEM, "runtime.allgs unreadable");
	*arr = le(hdr, 8);
	*len = le(hdr + 8, 8);
	if (*len > MD_ALLGS_MAX || (*len && !*arr))
		return md_err_set(err, MD_E_MEM, "runtime.allgs: implausible length %llu",
		                  (unsigned long long)*len);
	return MD_OK;
}

md_status md_allgs_prepare(md_allgs_buf *b, md_mem *m, const md_g_layout *l,
                           const md_allgs_loc *loc, md_err *err)
{
	uint64_t arr, len, lo;
	md_status s = slice(m, loc, &arr, &len, err);
	if (s != MD_OK)
		return s;
	/* goroutines made between now and the stop fit in the slack */
	size_t want = (size_t)len + (size_t)len / 4 + 256;
	if (b->cap < want && !room(b, want, g_span(l, loc, &lo)))
		return md_err_set(err, MD_E_NOMEM, "%zu goroutines", want);
	return md_mem_reserve(m, b->cap, err);
}

/* Decode the g's that were read into b->g: the live ones. */
static void take_gs(md_allgs_buf *b, size_t k, const md_g_layout *l, const md_allgs_loc *loc,
                    uint64_t lo)
{
	b->n = 0;
	for (size_t i = 0; i < k; i++) {
		if (!b->rd[i].ok) {
			b->unreadable++;
			continue;
		}
		const unsigned char *p = b->rd[i].buf;
		md_gstate x = { .g = b->rd[i].addr - lo };
		x.status = (uint32_t)le(p + (loc->status_off - lo), 4) & ~MD_G_SCAN;
		if (x.status == MD_G_DEAD || x.status == MD_G_IDLE)
			continue;
		x.goid = (int64_t)le(p + (l->goid_off - lo), 8);
		x.sp = le(p + (l->sched_off + l->sched_sp_off - lo), 8);
		x.pc = le(p + (l->sched_off + l->sched_pc_off - lo), 8);
		x.bp = le(p + (l->sched_off + l->sched_bp_off - lo), 8);
		x.stack_lo = le(p + (l->stack_off + l->stack_lo_off - lo), 8);
		x.stack_hi = le(p + (l->stack_off + l->stack_hi_off - lo), 8);
		if (loc->has_waitreason)
			x.waitreason = (uint8_t)le(p + (loc->waitreason_off - lo), 1);
		b->g[b->n++] = x;
	}
}

md_status md_allgs_capture(md_allgs_buf *b, md_mem *m, const md_g_layout *l,
                           const md_allgs_loc *loc, md_err *err)
{
	uint64_t arr, len, lo;
	size_t blk = g_span(l, loc, &lo);
	b->ok = 0;
	b->n = 0;
	b->unreadable = 0;
	md_status s = slice(m, loc, &arr, &len, err);
	if (s != MD_OK || !len) {
		b->ok = s == MD_OK;
		return s;
	}
	if (len > b->cap) {
		/* more goroutines than prepared for: the one allocation a stop
		 * may make, counted */
		if (!room(b, (size_t)len + (size_t)len / 8, blk))
			return md_err_set(err, MD_E_NOMEM, "%llu goroutines", (unsigned long long)len);
		b->grown++;
	}
	md_read r = { arr, b->gs, len * 8, 0 };
	s = md_mem_readv(m, &r, 1, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		return s;
	if (!r.ok)
		return md_err_set(err, MD_E_MEM, "runtime.allgs array unreadable");
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		if (b->gs[i]) {
			b->rd[k] = (md_read){ b->gs[i] + lo, b->blk + k * blk, blk, 0 };
			k++;
		}
	s = md_mem_readv(m, b->rd, k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		return s;
	take_gs(b, k, l, loc, lo);
	b->ok = 1;
	return MD_OK;
}

md_status md_allgs_read(md_mem *m, const md_g_layout *l, const md_allgs_loc *loc,
                        md_gstate **out, size_t *n, uint64_t *unreadable, md_err *err)
{
	md_allgs_buf b = { 0 };
	*out = NULL;
	*n = 0;
	md_status s = md_allgs_capture(&b, m, l, loc, err);
	*unreadable += b.unreadable;
	if (s == MD_OK) {
		*out = b.g;   /* handed over */
		*n = b.n;
		b.g = NULL;
	}
	md_allgs_buf_free(&b);
	return s;
}
