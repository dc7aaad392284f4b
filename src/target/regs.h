/* regs.h - the registers of one stopped thread, in DWARF numbering, so that
 * CFI rules and parameter locations index them directly. amd64 only. */
#ifndef MD_REGS_H
#define MD_REGS_H

#include <stdint.h>

enum {
	MD_REG_RAX = 0, MD_REG_RDX, MD_REG_RCX, MD_REG_RBX, MD_REG_RSI, MD_REG_RDI,
	MD_REG_RBP, MD_REG_RSP, MD_REG_R8, MD_REG_R9, MD_REG_R10, MD_REG_R11,
	MD_REG_R12, MD_REG_R13, MD_REG_R14, MD_REG_R15, MD_REG_RIP, MD_NREGS
};

typedef struct md_regs {
	uint64_t r[MD_NREGS];
	uint64_t fs_base;   /* TLS base: the g slot is at an offset from it (goroutine.h) */
} md_regs;

#endif
