/* md_cfi.h - call frame information: how to find a frame's caller.
 *
 * Go (internally linked) describes its frames only in .debug_frame, which
 * Debian's libunwind cannot read (it is built without .debug_frame support,
 * and Go emits no .eh_frame); libdwarf reads it, compressed or not.  For a pc
 * this answers the one rule Go's CFI states, CFA = SP + offset, and where the
 * return address and the caller's frame pointer are saved.
 *
 * Part of dwarf/: no libdwarf type escapes.  Addresses are link-time ones.
 */
#ifndef MD_CFI_H
#define MD_CFI_H

#include <stdint.h>
#include "md_dwarf.h"

typedef struct md_cfi md_cfi;

typedef struct md_cfa {
	int cfa_reg;        /* DWARF register the CFA is based on (7 = rsp) */
	int64_t cfa_off;    /* CFA = reg + cfa_off */
	int64_t ra_off;     /* return address saved at CFA + ra_off (-8) */
	int bp_saved;       /* 1: the caller's frame pointer is at CFA + bp_off */
	int64_t bp_off;
	uint64_t lo, hi;    /* the function (FDE) range the rule came from */
} md_cfa;

/* Prepare to answer from d's .debug_frame; nothing is parsed until the
 * first md_cfi_at, and then only FDE headers and the FDEs asked about, so
 * this is cheap on any size of binary.  MD_NOTFOUND when there is no
 * .debug_frame (then callers fall back to frame pointers).  d must
 * outlive the md_cfi. */
md_status md_cfi_open(md_dwarf *d, md_cfi **out, md_err *err);
void md_cfi_free(md_cfi *c);

/* The rule at pc.  MD_NOTFOUND: no FDE covers pc, or its CFA rule is not
 * register+offset. */
md_status md_cfi_at(md_cfi *c, uint64_t pc, md_cfa *out, md_err *err);

#endif
