/* regs.h - the registers of one stopped thread, in DWARF numbering, so that
 * CFI rules and parameter locations index them directly. amd64 only. */
#ifndef MD_REGS_H
#define MD_REGS_H

#include <stdint.h>
#include <string.h>
#include <sys/user.h>

enum {
	MD_REG_RAX = 0, MD_REG_RDX, MD_REG_RCX, MD_REG_RBX, MD_REG_RSI, MD_REG_RDI,
	MD_REG_RBP, MD_REG_RSP, MD_REG_R8, MD_REG_R9, MD_REG_R10, MD_REG_R11,
	MD_REG_R12, MD_REG_R13, MD_REG_R14, MD_REG_R15, MD_REG_RIP, MD_NREGS
};

typedef struct md_regs {
	uint64_t r[MD_NREGS];
	uint64_t fs_base;   /* TLS base: the g slot is at an offset from it (goroutine.h) */
} md_regs;

/* From the kernel's layout (PTRACE_GETREGS; a core's NT_PRSTATUS). */
static inline void md_regs_from_user(const struct user_regs_struct *u, md_regs *out)
{
	memset(out, 0, sizeof *out);
	out->r[MD_REG_RAX] = u->rax;
	out->r[MD_REG_RDX] = u->rdx;
	out->r[MD_REG_RCX] = u->rcx;
	out->r[MD_REG_RBX] = u->rbx;
	out->r[MD_REG_RSI] = u->rsi;
	out->r[MD_REG_RDI] = u->rdi;
	out->r[MD_REG_RBP] = u->rbp;
	out->r[MD_REG_RSP] = u->rsp;
	out->r[MD_REG_R8] = u->r8;
	out->r[MD_REG_R9] = u->r9;
	out->r[MD_REG_R10] = u->r10;
	out->r[MD_REG_R11] = u->r11;
	out->r[MD_REG_R12] = u->r12;
	out->r[MD_REG_R13] = u->r13;
	out->r[MD_REG_R14] = u->r14;
	out->r[MD_REG_R15] = u->r15;
	out->r[MD_REG_RIP] = u->rip;
	out->fs_base = u->fs_base;
}

#endif
