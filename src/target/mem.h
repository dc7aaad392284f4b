/* mem.h - memory sources: the only way mapdiag reads target memory.
 *
 * Every engine reads through an md_mem, whatever holds the bytes:
 *   - the live process (mem_live.c): batched process_vm_readv, one system
 *     call for a whole round of reads, falling back to pread on
 *     /proc/PID/mem (opened read-only) where process_vm_readv is refused
 *     (ENOSYS, or EPERM under some seccomp policies);
 *   - a copy of target memory taken during a stop (a thread's stack), so
 *     that work on it (unwinding) runs after the target is released;
 *   - a core file (mem_core.c): the process as it was when it died or was
 *     dumped.  Requests are batched; each reports
 * on its own whether it was read whole; every length is bounded by the
 * caller and by MD_MEM_MAX_READ.  Nothing here writes target memory.
 */
#ifndef MD_MEM_H
#define MD_MEM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_core.h"

/* Largest single request: nothing mapdiag reads is bigger (a Swiss
 * directory of 2^20 pointers is 8 MiB). */
#define MD_MEM_MAX_READ ((size_t)8 << 20)

typedef struct md_read {
	uint64_t addr;
	void *buf;
	size_t len;
	int ok;         /* out: 1 if all len bytes were read */
} md_read;

typedef struct md_mem md_mem;

/* What a source implements. */
typedef struct md_mem_ops {
	md_status (*readv)(md_mem *m, md_read *r, size_t n, md_err *err);
	md_status (*reserve)(md_mem *m, size_t n, md_err *err);
	void (*close)(md_mem *m);
} md_mem_ops;

struct md_mem {
	const md_mem_ops *ops;
	void *impl;              /* the source's own state */
	uint64_t syscalls;       /* read system calls made so far */
	uint64_t bytes;          /* bytes read so far */
	uint64_t unreserved;     /* batches that had to allocate scratch (more
	                            requests than md_mem_reserve prepared) */
};

/* Read every request; sets each ok.  MD_OK if all were read, MD_E_MEM if
 * some were not (their ok is 0), MD_E_EXITED if the process is gone,
 * MD_E_SYS for another failure of the source.  Requests of zero length are
 * ok without a read; requests above MD_MEM_MAX_READ are never issued (ok =
 * 0). */
md_status md_mem_readv(md_mem *m, md_read *r, size_t n, md_err *err);

/* Prepare, and touch, what batches of up to n requests need, so that a
 * read during a stop takes no page fault and calls no allocator (larger
 * batches still work: they allocate, and count in m->unreserved). */
md_status md_mem_reserve(md_mem *m, size_t n, md_err *err);

/* One 8-byte little-endian word: 1 if it was read. */
int md_mem_read64(md_mem *m, uint64_t addr, uint64_t *out);

/* Release the source (safe on a zeroed md_mem, and twice). */
void md_mem_close(md_mem *m);

/* ---- the live process ---- */

#define MD_MEM_PREAD 1u      /* /proc/PID/mem only (tests, fuzzing: reads
                                that sanitizers can see) */

/* A source over process pid.  MD_E_NOMEM only: a process that is gone
 * shows at the first read (MD_E_EXITED). */
md_status md_mem_open_live(md_mem *m, pid_t pid, unsigned flags, md_err *err);

/* ---- a copy ---- */

/* [base, base+len) of target memory, copied to bytes. */
typedef struct md_memcopy {
	uint64_t base;
	const unsigned char *bytes;
	size_t len;
} md_memcopy;

/* A source over c (borrowed, not copied): reads outside it fail. */
void md_mem_open_copy(md_mem *m, const md_memcopy *c);

/* ---- copies over another source ---- */

/* Reads that fall wholly inside one of the n copies are served from it;
 * every other read goes to under.  For values that are not in the
 * target's memory as it is now: a thread's stack as it was at a stop, a
 * variable that lives in a register (at an address of its own choosing,
 * MD_MEM_SYNTH_BASE and up, which no user-space mapping can have).
 * Nothing is copied: under and the copies are borrowed, and may be
 * changed (more copies added) between reads. */
#define MD_MEM_SYNTH_BASE 0xffff900000000000ull

typedef struct md_overlay {
	md_mem *under;
	const md_memcopy *copies;
	size_t n;
} md_overlay;

void md_mem_open_overlay(md_mem *m, md_overlay *o);

/* ---- a core file ---- */

/* A source over c (borrowed: close the source first).  Bytes the core
 * holds come from its mapping; bytes a segment spans that the core left
 * out (coredump_filter skips file-backed pages; gcore leaves read-only
 * file mappings out without a segment) are read from the file its
 * NT_FILE note names there, if it can still be opened, is the build that
 * was mapped (md_core_open_mapped) and is long enough; for the
 * executable, from exe where not NULL (the file md_target opened: --exe
 * for a core taken elsewhere; borrowed).  Anything else fails (ok = 0,
 * MD_E_MEM naming the first address): a core never reads as zeros where
 * it holds nothing.  MD_E_NOMEM. */
md_status md_mem_open_core(md_mem *m, const md_core *c, const char *exe, md_err *err);

#endif
