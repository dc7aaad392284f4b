/* test_stackwalk.c - the frame-pointer walk on synthetic stack copies: a good
 * chain, and every way a hostile one could make it loop or run away. */
#include <stdlib.h>
#include "md_test.h"
#include "stackwalk.h"

#define BASE 0x7f0000000000ull
static unsigned char stack[4096];

static void put(uint64_t addr, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		stack[addr - BASE + i] = (unsigned char)(v >> (8 * i));
}

static int walk(uint64_t pc, uint64_t sp, uint64_t bp, md_frame *f, int max)
{
	md_memcopy c = { BASE, stack, sizeof stack };
	md_mem src;
	md_mem_open_copy(&src, &c);
	md_regs r = { 0 };
	r.r[MD_REG_RIP] = pc;
	r.r[MD_REG_RSP] = sp;
	r.r[MD_REG_RBP] = bp;
	return md_unwind(&src, NULL, 0, &r, f, max);
}

int main(void)
{
	md_frame f[MD_UNWIND_MAX];

	/* three frames: [bp] = caller's bp, [bp+8] = return address */
	memset(stack, 0, sizeof stack);
	put(BASE + 0x100, BASE + 0x200);
	put(BASE + 0x108, 0x401111);
	put(BASE + 0x200, BASE + 0x300);
	put(BASE + 0x208, 0x402222);
	put(BASE + 0x300, 0);
	put(BASE + 0x308, 0);          /* return address 0: the end */
	int n = walk(0x400000, BASE + 0x80, BASE + 0x100, f, MD_UNWIND_MAX);
	T_EQ(n, 3);
	T_EQ(f[0].pc, 0x400000);
	T_EQ(f[1].pc, 0x401111);
	T_EQ(f[2].pc, 0x402222);
	T(f[0].via == MD_UNW_REGS && f[1].via == MD_UNW_FP);
	T_EQ(f[1].sp, BASE + 0x110);

	/* a frame pointer that points at itself: no loop */
	memset(stack, 0, sizeof stack);
	put(BASE + 0x100, BASE + 0x100);
	put(BASE + 0x108, 0x401111);
	n = walk(0x400000, BASE + 0x80, BASE + 0x100, f, MD_UNWIND_MAX);
	T(n <= 3);

	/* a chain that goes back down the stack: stops */
	memset(stack, 0, sizeof stack);
	put(BASE + 0x200, BASE + 0x100);
	put(BASE + 0x208, 0x401111);
	put(BASE + 0x100, BASE + 0x200);
	put(BASE + 0x108, 0x402222);
	n = walk(0x400000, BASE + 0x180, BASE + 0x200, f, MD_UNWIND_MAX);
	T(n <= 3);

	/* frame pointer outside the copy, misaligned, or below sp */
	T_EQ(walk(0x400000, BASE + 0x80, BASE + 0x100000, f, 64), 1);
	T_EQ(walk(0x400000, BASE + 0x80, BASE + 0x103, f, 64), 1);
	T_EQ(walk(0x400000, BASE + 0x80, BASE + 0x40, f, 64), 1);
	T_EQ(walk(0x400000, BASE + 0x80, 0, f, 64), 1);
	T_EQ(walk(0, BASE + 0x80, BASE + 0x100, f, 64), 0);

	/* an ever-rising chain is cut by the frame bound */
	memset(stack, 0, sizeof stack);
	for (uint64_t a = BASE + 0x10; a + 16 <= BASE + sizeof stack; a += 16) {
		put(a, a + 16);
		put(a + 8, 0x400000 + a - BASE);
	}
	n = walk(0x400000, BASE, BASE + 0x10, f, 20);
	T_EQ(n, 20);
	n = walk(0x400000, BASE, BASE + 0x10, f, 100000);
	T(n <= MD_UNWIND_MAX);

	/* random garbage: always terminates within the bound */
	srand(7);
	int ok = 1;
	for (int round = 0; round < 2000; round++) {
		for (size_t i = 0; i < sizeof stack; i++)
			stack[i] = (unsigned char)rand();
		/* some plausible pointers into the copy */
		for (int k = 0; k < 40; k++) {
			uint64_t a = BASE + (uint64_t)(rand() % (int)(sizeof stack / 8)) * 8;
			if (a + 8 <= BASE + sizeof stack)
				put(a, BASE + (uint64_t)(rand() % (int)sizeof stack));
		}
		n = walk(0x400000, BASE + 8 * (uint64_t)(rand() % 64),
		         BASE + 8 * (uint64_t)(rand() % 512), f, MD_UNWIND_MAX);
		ok &= n >= 1 && n <= MD_UNWIND_MAX;
		for (int k = 1; k < n; k++)
			ok &= f[k].sp > f[k - 1].sp;   /* strictly rising */
	}
	T(ok);
	return md_test_done("stackwalk");
}
