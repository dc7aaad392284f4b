/* mem.c - batched reads of target memory (see mem.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "mem.h"

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

#define MD_PAGE 4096u
#define MERGED 0x80000000u
#define NONE   0xffffffffu

/* One page that requests fall in: the span [lo, hi) they cover. */
struct md_page {
	uint64_t page;
	uint64_t lo, hi;
	uint32_t count;
	uint32_t g;        /* its group, once made */
	uint32_t gen;      /* the entry is live only in batch `gen` */
};

void md_mem_init(md_mem *m, pid_t pid)
{
	memset(m, 0, sizeof *m);
	m->pid = pid;
	m->memfd = -1;
}

void md_mem_close(md_mem *m)
{
	if (m->memfd >= 0)
		close(m->memfd);
	m->memfd = -1;
	free(m->pages);
	free(m->gof);
	free(m->grp);
	free(m->scratch);
	m->pages = NULL;
	m->gof = NULL;
	m->grp = NULL;
	m->scratch = NULL;
	m->cap = m->scratch_cap = m->hsize = 0;
}

/* Merged spans hold the requests plus the gaps between them in a page: for
 * small headers packed in the heap's size-class spans, ~1.5x the requests.
 * Reserve 64 bytes a request and 64 KiB; past that a batch allocates. */
md_status md_mem_reserve(md_mem *m, size_t n, md_err *err)
{
	if (n <= m->cap)
		return MD_OK;
	free(m->pages);
	free(m->gof);
	free(m->grp);
	free(m->scratch);
	m->cap = 0;
	m->hsize = 16;
	while (m->hsize < 2 * n)
		m->hsize <<= 1;
	m->scratch_cap = n * 64 + (64u << 10);
	m->pages = malloc(m->hsize * sizeof *m->pages);
	m->gof = malloc(n * sizeof *m->gof);
	m->grp = malloc(n * sizeof *m->grp);
	m->scratch = malloc(m->scratch_cap);
	if (!m->pages || !m->gof || !m->grp || !m->scratch) {
		m->scratch_cap = 0;
		return md_err_set(err, MD_E_NOMEM, "read scratch for %zu requests", n);
	}
	/* touch it all now: no page fault is left for a read during a stop */
	memset(m->pages, 0, m->hsize * sizeof *m->pages);
	memset(m->gof, 0, n * sizeof *m->gof);
	memset(m->grp, 0, n * sizeof *m->grp);
	memset(m->scratch, 0, m->scratch_cap);
	/* the compiler may turn malloc + memset(0) into calloc's lazy zero
	 * pages: make sure they are really there */
	md_touch(m->pages, m->hsize * sizeof *m->pages);
	md_touch(m->gof, n * sizeof *m->gof);
	md_touch(m->grp, n * sizeof *m->grp);
	md_touch(m->scratch, m->scratch_cap);
	m->cap = n;
	return MD_OK;
}

static int read_pread(md_mem *m, md_read *r)
{
	if (m->memfd < 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/mem", (int)m->pid);
		m->memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (m->memfd < 0)
			return -errno;
	}
	size_t got = 0;
	while (got < r->len) {
		ssize_t n = pread(m->memfd, (char *)r->buf + got, r->len - got,
		                  (off_t)(r->addr + got));
		m->syscalls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		got += (size_t)n;
	}
	m->bytes += got;
	r->ok = 1;
	return 0;
}

/* One process_vm_readv over r[0..n): the kernel stops at the first piece it
 * cannot read, so whole pieces up to that point are good; the failed piece is
 * marked bad and the rest are retried by the caller's loop. Returns how many
 * requests were settled (>= 1), or -errno. */
static long readv_batch(md_mem *m, md_read *r, size_t n)
{
	struct iovec local[IOV_MAX], remote[IOV_MAX];
	if (n > IOV_MAX)
		n = IOV_MAX;
	size_t want = 0;
	for (size_t i = 0; i < n; i++) {
		local[i].iov_base = r[i].buf;
		local[i].iov_len = r[i].len;
		remote[i].iov_base = (void *)(uintptr_t)r[i].addr;
		remote[i].iov_len = r[i].len;
		want += r[i].len;
	}
	ssize_t got;
	do {
		got = process_vm_readv(m->pid, local, n, remote, n, 0);
	} while (got < 0 && errno == EINTR);
	m->syscalls++;
	if (got < 0) {
		if (errno == EFAULT) {
			/* the very first piece is unreadable */
			r[0].ok = 0;
			return 1;
		}
		return -errno;
	}
	m->bytes += (uint64_t)got;
	if ((size_t)got == want) {
		for (size_t i = 0; i < n; i++)
			r[i].ok = 1;
		return (long)n;
	}
	size_t i = 0, acc = 0;
	while (i < n && acc + r[i].len <= (size_t)got) {
		r[i].ok = 1;
		acc += r[i].len;
		i++;
	}
	/* r[i] was cut short: it is bad. */
	r[i].ok = 0;
	return (long)(i + 1);
}

/* The per-request work: what md_mem_readv did before coalescing. */
static md_status readv_plain(md_mem *m, md_read *r, size_t n, md_err *err)
{
	/* Pack only the requests worth issuing; settle the others first. */
	size_t bad = 0;
	size_t i = 0;
	while (i < n) {
		if (r[i].len == 0) {
			r[i].ok = 1;
			i++;
			continue;
		}
		if (r[i].len > MD_MEM_MAX_READ || !r[i].buf) {
			r[i].ok = 0;
			bad++;
			i++;
			continue;
		}
		/* a run of valid requests */
		size_t j = i;
		while (j < n && r[j].len > 0 && r[j].len <= MD_MEM_MAX_READ && r[j].buf)
			j++;
		size_t k = i;
		while (k < j) {
			if (m->use_pread) {
				int e = read_pread(m, &r[k]);
				if (e == -ESRCH || e == -ENOENT)
					return md_err_set(err, MD_E_EXITED, "process %d", (int)m->pid);
				if (e < 0)
					bad++;
				k++;
				continue;
			}
			long done = readv_batch(m, &r[k], j - k);
			if (done == -ENOSYS || done == -EPERM) {
				m->use_pread = 1;
				continue;
			}
			if (done == -ESRCH)
				return md_err_set(err, MD_E_EXITED, "process %d", (int)m->pid);
			if (done < 0)
				return md_err_set(err, MD_E_SYS, "process_vm_readv: %s",
				                  strerror((int)-done));
			for (long q = 0; q < done; q++)
				if (!r[k + (size_t)q].ok)
					bad++;
			k += (size_t)done;
		}
		i = j;
	}
	if (bad)
		return md_err_set(err, MD_E_MEM, "%zu of %zu reads failed", bad, n);
	return MD_OK;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 16;
	while (p < n)
		p <<= 1;
	return p;
}

static int mergeable(const md_read *r)
{
	return r->buf && r->len > 0 && r->len <= MD_PAGE && r->addr + r->len > r->addr &&
	       (r->addr / MD_PAGE) == ((r->addr + r->len - 1) / MD_PAGE);
}

/* Requests that fall in one page are read with one iovec: the kernel pins a
 * remote page per iovec, so 2,000 32-byte Swiss table headers cost ~1 ms as
 * separate pieces.  Pages are found with a hash table, in O(n): sorting the
 * requests instead cost more than the reads (170 us for 2,000).  A merged
 * read spans [lowest, highest) of its page's requests, so it never touches a
 * page that a request does not; if it fails, its requests are retried one by
 * one, so each request's ok stays exact. */
md_status md_mem_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	if (n < 2)
		return readv_plain(m, r, n, err);
	int own = n > m->cap;
	/* a table of twice the batch: small batches probe a small prefix */
	size_t hsize = pow2_at_least(2 * n);
	struct md_page *pages = own ? malloc(hsize * sizeof *pages) : m->pages;
	uint32_t *gof = own ? malloc(n * sizeof *gof) : m->gof;
	md_read *grp = own ? malloc(n * sizeof *grp) : m->grp;
	unsigned char *scratch = NULL;
	int own_scratch = 0;
	md_status s;
	if (!pages || !gof || !grp || n >= MERGED) {
		s = readv_plain(m, r, n, err);
		goto out;
	}
	/* Entries of earlier batches are dead by generation: no clearing. */
	uint32_t gen;
	if (own) {
		memset(pages, 0, hsize * sizeof *pages);
		gen = 1;
	} else if ((gen = ++m->gen) == 0) {
		memset(pages, 0, m->hsize * sizeof *pages);
		gen = m->gen = 1;
	}
	unsigned shift = 64 - (unsigned)__builtin_ctzll(hsize);

	/* pass 1: the page of every mergeable request */
	for (size_t i = 0; i < n; i++) {
		gof[i] = NONE;
		if (!mergeable(&r[i]))
			continue;
		uint64_t pg = r[i].addr / MD_PAGE;
		size_t h = (size_t)((pg * 0x9E3779B97F4A7C15ull) >> shift);
		while (pages[h].gen == gen && pages[h].page != pg)
			h = (h + 1) & (hsize - 1);
		struct md_page *e = &pages[h];
		if (e->gen != gen) {
			e->gen = gen;
			e->count = 0;
			e->page = pg;
			e->lo = r[i].addr;
			e->hi = r[i].addr + r[i].len;
			e->g = NONE;
		} else {
			if (r[i].addr < e->lo)
				e->lo = r[i].addr;
			if (r[i].addr + r[i].len > e->hi)
				e->hi = r[i].addr + r[i].len;
		}
		e->count++;
		gof[i] = (uint32_t)h;
	}
	/* pass 2: groups; merged spans get offsets into scratch */
	size_t ng = 0, used = 0;
	for (size_t i = 0; i < n; i++) {
		struct md_page *e = gof[i] == NONE ? NULL : &pages[gof[i]];
		if (!e || e->count == 1) {
			grp[ng] = r[i];
			grp[ng].ok = 0;
			gof[i] = (uint32_t)ng++;
			continue;
		}
		if (e->g == NONE) {
			e->g = (uint32_t)ng;
			grp[ng++] = (md_read){ e->lo, (void *)(uintptr_t)used, (size_t)(e->hi - e->lo), -1 };
			used += (size_t)(e->hi - e->lo);
		}
		gof[i] = e->g | MERGED;
	}
	if (ng == n) {   /* nothing shares a page */
		s = readv_plain(m, r, n, err);
		goto out;
	}
	if (used <= m->scratch_cap) {
		scratch = m->scratch;
	} else if ((scratch = malloc(used))) {
		own_scratch = 1;
	} else {
		s = readv_plain(m, r, n, err);
		goto out;
	}
	/* merged groups (ok == -1) hold an offset into scratch until now */
	for (size_t g = 0; g < ng; g++)
		if (grp[g].ok == -1) {
			grp[g].buf = scratch + (uintptr_t)grp[g].buf;
			grp[g].ok = 0;
		}

	s = readv_plain(m, grp, ng, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto out;
	/* pass 3: settle every request */
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		md_read *g = &grp[gof[i] & ~MERGED];
		if (!(gof[i] & MERGED)) {
			r[i].ok = g->ok;
		} else if (g->ok == 1) {
			memcpy(r[i].buf, (unsigned char *)g->buf + (r[i].addr - g->addr), r[i].len);
			r[i].ok = 1;
		} else {
			/* the merged read failed: this piece on its own */
			s = readv_plain(m, &r[i], 1, err);
			if (s == MD_E_EXITED || s == MD_E_SYS)
				goto out;
		}
		bad += !r[i].ok;
	}
	s = bad ? md_err_set(err, MD_E_MEM, "%zu of %zu reads failed", bad, n) : MD_OK;
out:
	if (own) {
		free(pages);
		free(gof);
		free(grp);
	}
	if (own_scratch)
		free(scratch);
	return s;
}
