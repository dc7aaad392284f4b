/* fuzz_core.c - the core reader (dwarf/md_core.h) and the memory source
 * over it (src/target/mem.h, md_mem_open_core) on hostile core files.
 *
 * Input: a whole core file (seeds: tests/fuzz/corpus/fuzz_core/, made by
 * build/tests/test_core --make and --make-delve), handed over through a memfd so that the
 * reader maps it as it maps a real one.
 * Properties: md_core_open either refuses (MD_E_CORE, MD_E_NOMEM) with a
 * zeroed md_core, or gives segments sorted and disjoint, each with its
 * present bytes inside the file and within its span, at least one thread,
 * files with start < end and NUL-terminated paths; reads through the
 * source never crash or hang (NT_FILE may name anything: FIFOs, devices),
 * and a read that lies in one segment's present bytes returns exactly
 * them.  No crash, UB, leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "md_core.h"
#include "mem.h"

static void check_model(const md_core *c)
{
	for (size_t i = 0; i < c->nsegs; i++) {
		const md_core_seg *s = &c->segs[i];
		if (s->present > s->memsz || !s->memsz)
			abort();
		if (s->present && (s->bytes < c->map || s->bytes + s->present > c->map + c->size))
			abort();
		if (i && s->vaddr < c->segs[i - 1].vaddr + c->segs[i - 1].memsz)
			abort();
	}
	if (!c->nthreads)
		abort();
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].start >= c->files[i].end || strlen(c->files[i].path) > 1u << 24)
			abort();
}

static void check_reads(const md_core *c)
{
	md_mem m;
	md_err e;
	if (md_mem_open_core(&m, c, NULL, &e) != MD_OK)
		return;
	unsigned char buf[64];
	for (size_t i = 0; i < c->nsegs && i < 64; i++) {
		const md_core_seg *s = &c->segs[i];
		uint64_t at[3] = { s->vaddr, s->vaddr + s->present - (s->present ? 1 : 0),
		                   s->vaddr + s->memsz - 1 };
		for (int k = 0; k < 3; k++) {
			md_read r = { at[k], buf, sizeof buf, 0 };
			md_mem_readv(&m, &r, 1, &e);
			uint64_t off = at[k] - s->vaddr;
			if (r.ok && off + sizeof buf <= s->present &&
			    memcmp(buf, s->bytes + off, sizeof buf))
				abort();
		}
	}
	md_mem_close(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("core", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	md_core c;
	md_err e;
	md_status st = md_core_open(path, &c, &e);
	if (st == MD_OK) {
		check_model(&c);
		check_reads(&c);
		md_core_close(&c);
	} else if (c.map || c.segs || c.threads || c.files || c.strings) {
		abort();
	}
	close(fd);
	return 0;
}
