/* test_cunwind.c - the C unwinder (src/target/cunwind.c) on this very
 * process: a thread three C calls deep takes its registers (getcontext)
 * and a copy of its stack, and the walk over that copy, with .eh_frame
 * and symbols read from this program's file and libc's, must name the
 * calls in order; a copy full of garbage, one cut short and a thread id
 * that names nothing must end the walk without a crash.  No Go text here
 * (this program has no runtime.text): every file-backed pc is C code.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include "md_test.h"
#include "stackwalk.h"

static md_regs regs;
static unsigned char *copy;
static size_t copy_len;
static uint64_t copy_base;

/* The registers where f3 stands, and the stack from there to its end. */
__attribute__((noinline)) static int f3(int x)
{
	ucontext_t uc;
	getcontext(&uc);
	static const int map[] = { REG_RAX, REG_RDX, REG_RCX, REG_RBX, REG_RSI, REG_RDI,
	                           REG_RBP, REG_RSP, REG_R8, REG_R9, REG_R10, REG_R11,
	                           REG_R12, REG_R13, REG_R14, REG_R15, REG_RIP };
	for (int i = 0; i < MD_NREGS; i++)
		regs.r[i] = (uint64_t)uc.uc_mcontext.gregs[map[i]];
	pthread_attr_t a;
	void *lo;
	size_t size;
	if (pthread_getattr_np(pthread_self(), &a) == 0 &&
	    pthread_attr_getstack(&a, &lo, &size) == 0) {
		uint64_t sp = regs.r[MD_REG_RSP], hi = (uint64_t)(uintptr_t)lo + size;
		/* read as mapdiag reads a target (process_vm_readv): the
		 * sanitizers' redzones on this stack are no business of ours */
		md_mem m;
		md_err e;
		copy_len = hi - sp;
		copy = malloc(copy_len);
		md_read rd = { sp, copy, copy_len, 0 };
		if (copy && md_mem_open_live(&m, getpid(), 0, &e) == MD_OK) {
			md_mem_readv(&m, &rd, 1, &e);
			md_mem_close(&m);
		}
		if (!rd.ok) {
			free(copy);
			copy = NULL;
		}
		copy_base = sp;
		pthread_attr_destroy(&a);
	}
	__asm__ volatile("" ::: "memory");
	return x + 1;
}

__attribute__((noinline)) static int f2(int x)
{
	int r = f3(x * 3);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

__attribute__((noinline)) static void *f1(void *arg)
{
	int r = f2((int)(intptr_t)arg);
	__asm__ volatile("" ::: "memory");
	return (void *)(intptr_t)r;
}

static int walk(md_cunw *c, pid_t tid, const md_memcopy *mc, md_frame *f, md_regs *go)
{
	md_mem src;
	md_mem_open_copy(&src, mc);
	return md_cunw_walk(c, tid, &src, &regs, f, MD_UNWIND_MAX, go);
}

int main(void)
{
	pthread_t th;
	T(pthread_create(&th, NULL, f1, (void *)7) == 0 && pthread_join(th, NULL) == 0);
	if (!T(copy != NULL, "no stack copy"))
		return md_test_done("cunwind");
	pid_t me = getpid();
	md_cunw *c = md_cunw_new();
	md_frame f[MD_UNWIND_MAX];
	md_regs go;
	T_EQ(md_cunw_code(c, me, regs.r[MD_REG_RIP]), MD_CODE_C);
	md_memcopy mc = { copy_base, copy, copy_len };
	int n = walk(c, me, &mc, f, &go);
	if (T(n >= 4, "%d frames", n)) {
		T_STR(f[0].sym, "f3");
		T_STR(f[1].sym, "f2");
		T_STR(f[2].sym, "f1");
		T(f[0].via == MD_UNW_REGS && f[1].via == MD_UNW_EHFRAME);
		for (int i = 1; i < n; i++)
			T(f[i].sp > f[i - 1].sp, "frame %d sp does not grow", i);
	}
	T(go.r[MD_REG_RIP] == 0, "no Go text in this program");
	/* the walk through md_unwind_c: the same frames */
	md_mem src;
	md_mem_open_copy(&src, &mc);
	md_frame g[MD_UNWIND_MAX];
	int m = md_unwind_c(c, me, &src, NULL, 0, &regs, g, MD_UNWIND_MAX);
	T(m == n && m >= 3 && !strcmp(g[2].sym, "f1"), "%d vs %d frames", m, n);

	/* the copy cut after f3's frame: f3, then nothing readable */
	md_memcopy cut = { copy_base, copy, 16 };
	n = walk(c, me, &cut, f, &go);
	T(n >= 1 && n <= 2 && !strcmp(f[0].sym, "f3"), "%d frames", n);
	/* garbage where the stack was: bounded, no crash */
	for (size_t i = 0; i < copy_len; i++)
		copy[i] = (unsigned char)(i * 131 + 7);
	n = walk(c, me, &mc, f, &go);
	T(n >= 1 && n <= MD_UNWIND_MAX);
	md_cunw_free(c);

	/* a process that is not there: no files, nothing named */
	c = md_cunw_new();
	T_EQ(md_cunw_code(c, 0x7fffffff, regs.r[MD_REG_RIP]), MD_CODE_NONE);
	T(md_cunw_name(c, 0x7fffffff, regs.r[MD_REG_RIP], 1) == NULL);
	md_cunw_free(c);
	free(copy);
	return md_test_done("cunwind");
}
