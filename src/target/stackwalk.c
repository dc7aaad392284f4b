/* stackwalk.c - stack walking by CFI, else frame pointers (see stackwalk.h). */
#include <string.h>
#include "stackwalk.h"

/* From pc, sp, bp: exact says whether pc is where the thread stands (frame
 * 0) rather than a return address, which points after its call. */
static int go_walk(md_mem *src, md_cfi *cfi, uint64_t bias, const md_regs *r, int exact,
                   md_unw_via via, md_frame *out, int max)
{
	uint64_t pc = r->r[MD_REG_RIP], sp = r->r[MD_REG_RSP], bp = r->r[MD_REG_RBP];
	int n = 0;
	if (max > MD_UNWIND_MAX)
		max = MD_UNWIND_MAX;
	while (n < max && pc) {
		md_frame *f = &out[n++];
		f->pc = pc;
		f->sp = sp;
		f->bp = bp;
		f->cfa = 0;
		f->via = via;
		f->sym = NULL;

		uint64_t ra = 0, cbp = bp, csp;
		md_cfa rule;
		md_err err;
		/* a return address points after the call: look up the call */
		uint64_t look = (n == 1 && exact ? pc : pc - 1) - bias;
		if (cfi && md_cfi_at(cfi, look, &rule, &err) == MD_OK &&
		    rule.cfa_reg == MD_REG_RSP && rule.cfa_off > 0) {
			uint64_t cfa = sp + (uint64_t)rule.cfa_off;
			uint64_t saved_bp = 0;
			int ok = md_mem_read64(src, cfa + (uint64_t)rule.ra_off, &ra) &&
			         (!rule.bp_saved ||
			          md_mem_read64(src, cfa + (uint64_t)rule.bp_off, &saved_bp));
			if (!ok)
				break;
			if (rule.bp_saved)
				cbp = saved_bp;
			f->cfa = cfa;
			csp = cfa;
			via = MD_UNW_CFI;
		} else {
			/* no rule: the frame-pointer chain */
			if (!bp || bp < sp || (bp & 7))
				break;
			if (!md_mem_read64(src, bp, &cbp) ||
			    !md_mem_read64(src, bp + 8, &ra))
				break;
			csp = bp + 16;
			via = MD_UNW_FP;
		}
		/* callers live at higher addresses; anything else is a stack
		 * switch (g0 <-> goroutine) or corruption: stop either way */
		if (csp <= sp)
			break;
		pc = ra;
		sp = csp;
		bp = cbp;
	}
	return n;
}

int md_unwind(md_mem *src, md_cfi *cfi, uint64_t bias, const md_regs *r, md_frame *out,
              int max)
{
	return go_walk(src, cfi, bias, r, 1, MD_UNW_REGS, out, max);
}

int md_unwind_c(md_cunw *cu, pid_t tid, md_mem *src, md_cfi *cfi, uint64_t bias,
                const md_regs *r, md_frame *out, int max)
{
	if (max > MD_UNWIND_MAX)
		max = MD_UNWIND_MAX;
	/* Go code has CFI: the common case asks nothing of the C unwinder,
	 * which then never reads a file */
	md_cfa rule;
	md_err e;
	uint64_t pc = r->r[MD_REG_RIP];
	if (!cu || max <= 0 || (cfi && md_cfi_at(cfi, pc - bias, &rule, &e) == MD_OK) ||
	    md_cunw_code(cu, tid, pc) != MD_CODE_C)
		return md_unwind(src, cfi, bias, r, out, max);
	md_regs go;
	int n = md_cunw_walk(cu, tid, src, r, out, max, &go);
	if (n <= 1 && !go.r[MD_REG_RIP])
		return md_unwind(src, cfi, bias, r, out, max);
	if (!go.r[MD_REG_RIP] || n >= max)
		return n;
	const char *fn = md_cunw_name(cu, tid, go.r[MD_REG_RIP], 0);
	/* the symbol table names it with its ABI ("runtime.asmcgocall.abi0") */
	int boundary = fn && !strncmp(fn, "runtime.asmcgocall", 18) &&
	               (!fn[18] || !strcmp(fn + 18, ".abi0"));
	int m = go_walk(src, cfi, bias, &go, 0, MD_UNW_EHFRAME, out + n, boundary ? 1 : max - n);
	return n + m;
}
