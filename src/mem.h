/* mem.h - the only code that reads target memory.
 *
 * Reads are batched: one process_vm_readv moves up to IOV_MAX pieces at once,
 * so a whole round of a read plan costs one system call.  Where
 * process_vm_readv is unavailable (ENOSYS, or EPERM under some seccomp
 * policies) it falls back to pread on /proc/PID/mem, opened read-only.
 * Every request's length is bounded by the caller; each request reports on
 * its own whether it was read whole.  Never writes.
 */
#ifndef MD_MEM_H
#define MD_MEM_H

#include <stdint.h>
#include <stdlib.h>
#include <stddef.h>
#include <sys/types.h>
#include "md_status.h"

/* Largest single request: nothing mapdiag reads is bigger (a Swiss
 * directory of MD_SWISS_MAX_DIRLEN pointers is 8 MiB). */
#define MD_MEM_MAX_READ ((size_t)8 << 20)

typedef struct md_mem {
	pid_t pid;
	int memfd;      /* /proc/PID/mem, opened lazily on fallback */
	int use_pread;  /* process_vm_readv failed with ENOSYS/EPERM */
	uint64_t syscalls;
	uint64_t bytes;
	/* scratch for coalescing, reserved ahead of time (md_mem_reserve) */
	struct md_page *pages;  /* page hash, hsize entries */
	size_t hsize;
	uint32_t gen;           /* batch number: marks live hash entries */
	uint32_t *gof;          /* request -> its read */
	struct md_read *grp;
	size_t cap;
	unsigned char *scratch;
	size_t scratch_cap;
} md_mem;

typedef struct md_read {
	uint64_t addr;
	void *buf;
	size_t len;
	int ok;         /* out: 1 if all len bytes were read */
} md_read;

/* Write one byte of every page of [p, p+n) so that a later use takes no
 * page fault: memset(0) after calloc may be optimised away, this may not. */
static inline void md_touch(void *p, size_t n)
{
	for (size_t i = 0; i < n; i += 4096)
		((volatile unsigned char *)p)[i] = ((unsigned char *)p)[i];
	if (n)
		((volatile unsigned char *)p)[n - 1] = ((unsigned char *)p)[n - 1];
}

/* calloc(n, size), every page touched (md_touch): for what a stop will use. */
static inline void *md_calloc_touched(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (p)
		md_touch(p, n * size);
	return p;
}

void md_mem_init(md_mem *m, pid_t pid);
void md_mem_close(md_mem *m);

/* Allocate, and touch, the scratch md_mem_readv needs for batches of up to
 * n requests, so that a read during a stop takes no page fault and calls no
 * allocator; larger batches still work (they allocate). */
md_status md_mem_reserve(md_mem *m, size_t n, md_err *err);

/* Read every request; sets each ok.  Returns MD_OK if all were read,
 * MD_E_MEM if some were not (their ok is 0), MD_E_EXITED if the process is
 * gone. Requests of zero length or above MD_MEM_MAX_READ are never issued
 * (ok = 0 for the latter). */
md_status md_mem_readv(md_mem *m, md_read *r, size_t n, md_err *err);

#endif
