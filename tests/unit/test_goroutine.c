/* test_goroutine.c - src/target/goroutine.c's batched reads of each thread's g,
 * on g and m structs laid out in our own memory (process_vm_readv works on
 * oneself): the TLS slot's g wins when its m names it, R14's g when the
 * TLS slot says nothing usable (unreadable, no m, or a g its m does not
 * name), g0 running for a goroutine brings that goroutine's saved state,
 * and a thread with neither is left without a g.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "md_test.h"
#include "goroutine.h"

typedef struct fake_g {
	uint64_t lo, hi;         /* runtime.stack */
	uint64_t guard[2];
	uint64_t m;
	struct {
		uint64_t sp, pc, ctxt, ret, lr, bp;
	} sched;
	uint64_t pad[5];
	int64_t goid;
} fake_g;

typedef struct fake_m {
	uint64_t g0;
	uint64_t pad[6];
	uint64_t curg;
} fake_m;

#define P(x) ((uint64_t)(uintptr_t)(x))

static fake_g g1, g0b, g2, g3, g4, gx, gnom;
static fake_m m1, m2, m3, m4, mx;
/* TLS areas: fs_base points just past the slot, as Go's settls does */
static uint64_t tls[8][2];

static void set_g(fake_g *g, int64_t goid, fake_m *m, uint64_t lo)
{
	g->goid = goid;
	g->m = P(m);
	g->lo = lo;
	g->hi = lo + 0x2000;
	g->sched.sp = lo + 0x1f00;
	g->sched.pc = 0x401000 + (uint64_t)goid;
	g->sched.bp = lo + 0x1f80;
}

int main(void)
{
	md_g_layout l = {
		.goid_off = offsetof(fake_g, goid), .m_off = offsetof(fake_g, m),
		.curg_off = offsetof(fake_m, curg), .g0_off = offsetof(fake_m, g0),
		.stack_off = 0, .stack_lo_off = 0, .stack_hi_off = 8,
		.sched_off = offsetof(fake_g, sched), .sched_sp_off = 0, .sched_pc_off = 8,
		.sched_bp_off = 40, .tls_g_off = -8,
	};
	/* an aligned address nothing is mapped at */
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *hole = mmap(NULL, (size_t)pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	                           -1, 0);
	T(hole != MAP_FAILED && munmap(hole, (size_t)pg) == 0);

	set_g(&g1, 11, &m1, 0x100000);
	m1.curg = P(&g1);
	set_g(&g0b, 0, &m2, 0x200000);
	set_g(&g2, 22, &m2, 0x300000);
	m2.g0 = P(&g0b);
	m2.curg = P(&g2);
	set_g(&g3, 33, &m3, 0x400000);
	m3.curg = P(&g3);
	set_g(&g4, 44, &m4, 0x500000);
	m4.curg = P(&g4);
	set_g(&gx, 55, &mx, 0x600000);    /* its m names another g */
	mx.curg = P(&g1);
	set_g(&gnom, 66, NULL, 0x700000); /* no m at all */

	enum { N = 7 };
	md_regs r[N];
	memset(r, 0, sizeof r);
	uint64_t slot[N] = {
		P(&g1),    /* 0: TLS and R14 agree */
		P(&g0b),   /* 1: g0 running for g2; R14 garbage */
		P(hole),   /* 2: TLS slot unreadable as a g; R14 is g3 */
		P(&gnom),  /* 3: TLS g has no m; R14 is g3 */
		P(&g4),    /* 4: TLS g4, R14 a stale g1: TLS wins */
		P(&gx),    /* 5: TLS g not named by its m, no R14: no g */
		P(&gx),    /* 6: the same, R14 is g1 whose m names it */
	};
	uint64_t r14[N] = { P(&g1), 0x13, P(&g3), P(&g3), P(&g1), 0, P(&g1) };
	for (int i = 0; i < N; i++) {
		tls[i][0] = slot[i];
		r[i].fs_base = P(&tls[i][1]);
		r[i].r[MD_REG_R14] = r14[i];
	}

	md_mem mem;
	md_err err;
	T(md_mem_open_live(&mem, getpid(), 0, &err) == MD_OK);
	md_g_scratch sc = { 0 };
	T_EQ(md_g_scratch_prepare(&sc, &l, N, &err), MD_OK);
	md_ginfo gi[N];
	int ok[N];
	uint64_t calls = mem.syscalls;
	T_EQ(md_g_read_all(&mem, &l, r, N, gi, ok, &sc, &err), MD_OK);
	T(mem.syscalls - calls >= 2);

	T(ok[0] && gi[0].g == P(&g1) && gi[0].goid == 11 && gi[0].curg == P(&g1) &&
	  gi[0].curg_goid == 11 && gi[0].stack_lo == 0x100000 && gi[0].stack_hi == 0x102000);
	T(ok[1] && gi[1].g == P(&g0b) && gi[1].goid == 0 && gi[1].curg == P(&g2) &&
	  gi[1].curg_goid == 22 && gi[1].curg_sp == 0x301f00 && gi[1].curg_pc == 0x401016 &&
	  gi[1].curg_bp == 0x301f80 && gi[1].curg_stack_hi == 0x302000);
	T(ok[2] && gi[2].g == P(&g3) && gi[2].goid == 33);
	T(ok[3] && gi[3].g == P(&g3) && gi[3].goid == 33);
	T(ok[4] && gi[4].g == P(&g4) && gi[4].goid == 44);
	T(!ok[5] && gi[5].g == 0);
	T(ok[6] && gi[6].g == P(&g1) && gi[6].goid == 11);

	/* without prepared scratch: the same answers */
	md_ginfo gj[N];
	int okj[N];
	T_EQ(md_g_read_all(&mem, &l, r, N, gj, okj, NULL, &err), MD_OK);
	T(memcmp(gi, gj, sizeof gi) == 0 && memcmp(ok, okj, sizeof ok) == 0);

	/* an externally linked binary: the slot 0xd0 below fs_base (C
	 * thread-locals around it), the word at fs_base-8 a decoy g whose m
	 * names it, R14 zeroed by C code: only the PT_TLS slot finds g0b, and
	 * through it the goroutine g2 that called C */
	static uint64_t ctls[32];
	md_g_layout lx = l;
	lx.tls_g_off = -0xd0;
	md_regs rc;
	memset(&rc, 0, sizeof rc);
	rc.fs_base = P(&ctls[32]);
	ctls[32 - 0xd0 / 8] = P(&g0b);
	ctls[31] = P(&g1);
	md_ginfo gc;
	int okc;
	T_EQ(md_g_read_all(&mem, &lx, &rc, 1, &gc, &okc, NULL, &err), MD_OK);
	T(okc && gc.g == P(&g0b) && gc.curg == P(&g2) && gc.curg_goid == 22);
	/* the same thread read with the internal linker's -8: the decoy */
	T_EQ(md_g_read_all(&mem, &l, &rc, 1, &gc, &okc, NULL, &err), MD_OK);
	T(okc && gc.g == P(&g1));

	md_g_scratch_free(&sc);
	md_mem_close(&mem);
	return md_test_done("goroutine");
}
