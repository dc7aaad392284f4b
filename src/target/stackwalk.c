/* stackwalk.c - stack walking by CFI, else frame pointers (see stackwalk.h). */
#include <string.h>
#include "stackwalk.h"

int md_unwind(md_mem *src, md_cfi *cfi, uint64_t bias, const md_regs *r, md_frame *out,
              int max)
{
	uint64_t pc = r->r[MD_REG_RIP], sp = r->r[MD_REG_RSP], bp = r->r[MD_REG_RBP];
	md_unw_via via = MD_UNW_REGS;
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

		uint64_t ra = 0, cbp = bp, csp;
		md_cfa rule;
		md_err err;
		/* a return address points after the call: look up the call */
		uint64_t look = (n == 1 ? pc : pc - 1) - bias;
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
