/* test_mem.c - batched reads, page coalescing and exact per-request results,
 * exercised on our own process (process_vm_readv works on oneself). */
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>
#include "md_test.h"
#include "mem.h"

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	/* three pages: data, a hole, data */
	unsigned char *base = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE,
	                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(base != MAP_FAILED);
	for (long i = 0; i < 3 * pg; i++)
		base[i] = (unsigned char)(i * 7 + 3);
	T(munmap(base + pg, pg) == 0);

	md_mem m;
	md_err err;
	T(md_mem_open_live(&m, getpid(), 0, &err) == MD_OK);

	/* 200 small reads over the first page, out of order: coalesced */
	enum { N = 200 };
	md_read r[N + 3];
	unsigned char buf[N + 3][32];
	for (int i = 0; i < N; i++) {
		int off = (int)((i * 37) % (pg - 32));
		r[i] = (md_read){ (uint64_t)(uintptr_t)(base + off), buf[i], 32, 0 };
	}
	/* one in the hole, one straddling into the hole, one in the last page */
	r[N] = (md_read){ (uint64_t)(uintptr_t)(base + pg + 100), buf[N], 16, 0 };
	r[N + 1] = (md_read){ (uint64_t)(uintptr_t)(base + pg - 8), buf[N + 1], 16, 0 };
	r[N + 2] = (md_read){ (uint64_t)(uintptr_t)(base + 2 * pg + 5), buf[N + 2], 8, 0 };
	uint64_t calls0 = m.syscalls;
	T(md_mem_readv(&m, r, N + 3, &err) == MD_E_MEM);
	int good = 1;
	for (int i = 0; i < N; i++) {
		int off = (int)((i * 37) % (pg - 32));
		good &= r[i].ok && memcmp(buf[i], base + off, 32) == 0;
	}
	T(good);
	T(!r[N].ok);
	T(!r[N + 1].ok);
	T(r[N + 2].ok && memcmp(buf[N + 2], base + 2 * pg + 5, 8) == 0);
	/* 200 pieces in one page cost a handful of system calls, not 200 */
	T(m.syscalls - calls0 < 10);

	/* the same through reserved scratch, with two pieces in the hole (a
	 * merged read that fails and is settled piece by piece) and two pieces
	 * that overlap */
	T(md_mem_reserve(&m, N + 8, &err) == MD_OK);
	md_read r2[6];
	unsigned char b2[6][32];
	r2[0] = (md_read){ (uint64_t)(uintptr_t)(base + pg + 8), b2[0], 8, 0 };
	r2[1] = (md_read){ (uint64_t)(uintptr_t)(base + pg + 64), b2[1], 8, 0 };
	r2[2] = (md_read){ (uint64_t)(uintptr_t)(base + 100), b2[2], 32, 0 };
	r2[3] = (md_read){ (uint64_t)(uintptr_t)(base + 110), b2[3], 32, 0 };
	r2[4] = (md_read){ (uint64_t)(uintptr_t)(base + 2 * pg), b2[4], 16, 0 };
	r2[5] = (md_read){ (uint64_t)(uintptr_t)(base + 2 * pg + 4000), b2[5], 32, 0 };
	T(md_mem_readv(&m, r2, 6, &err) == MD_E_MEM);
	T(!r2[0].ok && !r2[1].ok);
	T(r2[2].ok && memcmp(b2[2], base + 100, 32) == 0);
	T(r2[3].ok && memcmp(b2[3], base + 110, 32) == 0);
	T(r2[4].ok && memcmp(b2[4], base + 2 * pg, 16) == 0);
	T(r2[5].ok && memcmp(b2[5], base + 2 * pg + 4000, 32) == 0);
	calls0 = m.syscalls;
	T(md_mem_readv(&m, r, N, &err) == MD_OK);
	T_EQ(m.syscalls - calls0, 1);   /* 200 pieces, one page, one call */

	/* all good: MD_OK */
	T(md_mem_readv(&m, r, N, &err) == MD_OK);
	/* zero-length and oversized requests */
	md_read z[2] = { { (uint64_t)(uintptr_t)base, buf[0], 0, 0 },
	                 { (uint64_t)(uintptr_t)base, buf[1], MD_MEM_MAX_READ + 1, 0 } };
	T(md_mem_readv(&m, z, 2, &err) == MD_E_MEM);
	T(z[0].ok && !z[1].ok);
	/* a vanished process */
	md_mem gone;
	T(md_mem_open_live(&gone, 0x3ffffff, 0, &err) == MD_OK);
	T(md_mem_readv(&gone, r, 1, &err) == MD_E_EXITED);
	md_mem_close(&gone);
	md_mem_close(&m);
	munmap(base, pg);
	munmap(base + 2 * pg, pg);
	return md_test_done("mem");
}
