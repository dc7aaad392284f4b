/* mem_live.c - the live process as a memory source (see mem.h).
 *
 * Reads are batched: one process_vm_readv moves up to IOV_MAX pieces, so
 * a round of reads costs one system call.  Requests that fall in one page
 * are read with one iovec (the kernel pins a remote page per iovec, so
 * thousands of 32-byte table headers as separate pieces are dear); the
 * pages are found with a hash table, in O(n), because sorting the
 * requests cost more than the reads.  A merged read spans [lowest,
 * highest) of its page's requests, so it never touches a page that a
 * request does not; if it fails, its requests are retried one by one, so
 * each request's ok stays exact.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include "mem.h"
#include "alloc.h"
#include "hash.h"

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

typedef struct live {
	pid_t pid;
	int memfd;         /* /proc/PID/mem, opened lazily on fallback */
	int use_pread;     /* process_vm_readv refused (ENOSYS/EPERM) */
	/* scratch for coalescing, reserved ahead of time */
	struct md_page *pages;  /* page hash, hsize entries */
	size_t hsize;
	uint32_t gen;           /* batch number: marks live hash entries */
	uint32_t *gof;          /* request -> its read */
	md_read *grp;
	size_t cap;
	unsigned char *scratch;
	size_t scratch_cap;
} live;

static void free_scratch(live *L)
{
	free(L->pages);
	free(L->gof);
	free(L->grp);
	free(L->scratch);
	L->pages = NULL;
	L->gof = NULL;
	L->grp = NULL;
	L->scratch = NULL;
	L->cap = L->scratch_cap = L->hsize = 0;
}

static void live_close(md_mem *m)
{
	live *L = m->impl;
	if (!L)
		return;
	if (L->memfd >= 0)
		close(L->memfd);
	free_scratch(L);
	free(L);
	m->impl = NULL;
}

/* Merged spans hold the requests plus the gaps between them in a page: for
 * small headers packed in the heap's size-class spans, ~1.5x the requests.
 * Reserve 64 bytes a request and 64 KiB; past that a batch allocates. */
static md_status live_reserve(md_mem *m, size_t n, md_err *err)
{
	live *L = m->impl;
	if (n <= L->cap)
		return MD_OK;
	free_scratch(L);
	size_t hsize = 16;
	while (hsize < 2 * n)
		hsize <<= 1;
	size_t scap = n * 64 + (64u << 10);
	L->pages = md_calloc_touched(hsize, sizeof *L->pages);
	L->gof = md_calloc_touched(n, sizeof *L->gof);
	L->grp = md_calloc_touched(n, sizeof *L->grp);
	L->scratch = md_calloc_touched(scap, 1);
	if (!L->pages || !L->gof || !L->grp || !L->scratch) {
		free_scratch(L);
		return md_err_set(err, MD_E_NOMEM, "read scratch for %zu requests", n);
	}
	L->hsize = hsize;
	L->scratch_cap = scap;
	L->cap = n;
	return MD_OK;
}

static int read_pread(md_mem *m, live *L, md_read *r)
{
	if (L->memfd < 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/mem", (int)L->pid);
		L->memfd = open(path, O_RDONLY | O_CLOEXEC);
		if (L->memfd < 0)
			return -errno;
	}
	size_t got = 0;
	while (got < r->len) {
		ssize_t n = pread(L->memfd, (char *)r->buf + got, r->len - got,
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
 * cannot read, so whole pieces up to that point are good; the failed piece
 * is marked bad and the rest are retried by the caller's loop.  Returns how
 * many requests were settled (>= 1), or -errno. */
static long readv_batch(md_mem *m, live *L, md_read *r, size_t n)
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
		got = process_vm_readv(L->pid, local, n, remote, n, 0);
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
	size_t i = 0, acc = 0;
	while (i < n && acc + r[i].len <= (size_t)got) {
		r[i].ok = 1;
		acc += r[i].len;
		i++;
	}
	if (i == n)
		return (long)n;
	r[i].ok = 0;   /* cut short: bad */
	return (long)(i + 1);
}

static int issuable(const md_read *r)
{
	return r->len > 0 && r->len <= MD_MEM_MAX_READ && r->buf;
}

/* Read a run r[0..n) of issuable requests; counts the failed ones. */
static md_status read_run(md_mem *m, live *L, md_read *r, size_t n, size_t *bad,
                          md_err *err)
{
	size_t k = 0;
	while (k < n) {
		if (L->use_pread) {
			int e = read_pread(m, L, &r[k]);
			if (e == -ESRCH || e == -ENOENT)
				return md_err_set(err, MD_E_EXITED, "process %d", (int)L->pid);
			*bad += e < 0;
			k++;
			continue;
		}
		long done = readv_batch(m, L, &r[k], n - k);
		if (done == -ENOSYS || done == -EPERM) {
			L->use_pread = 1;
			continue;
		}
		if (done == -ESRCH)
			return md_err_set(err, MD_E_EXITED, "process %d", (int)L->pid);
		if (done < 0)
			return md_err_set(err, MD_E_SYS, "process_vm_readv: %s", strerror((int)-done));
		for (long q = 0; q < done; q++)
			*bad += !r[k + (size_t)q].ok;
		k += (size_t)done;
	}
	return MD_OK;
}

/* Every request on its own (no coalescing). */
static md_status readv_plain(md_mem *m, live *L, md_read *r, size_t n, md_err *err)
{
	size_t bad = 0, i = 0;
	while (i < n) {
		if (!issuable(&r[i])) {
			r[i].ok = r[i].len == 0;
			bad += !r[i].ok;
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && issuable(&r[j]))
			j++;
		md_status s = read_run(m, L, &r[i], j - i, &bad, err);
		if (s != MD_OK)
			return s;
		i = j;
	}
	if (bad)
		return md_err_set(err, MD_E_MEM, "%zu of %zu reads failed", bad, n);
	return MD_OK;
}

/* ---- coalescing -------------------------------------------------------- */

/* The scratch of one coalesced batch: reserved, or its own. */
typedef struct batch {
	struct md_page *pages;
	size_t hsize;
	uint32_t gen;
	uint32_t *gof;     /* request -> its group, MERGED if a shared page */
	md_read *grp;      /* what is read: requests and merged spans */
	size_t ng;
	unsigned char *scratch;
	int own, own_scratch;
} batch;

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

static int batch_begin(md_mem *m, live *L, batch *b, size_t n)
{
	memset(b, 0, sizeof *b);
	b->own = n > L->cap;
	/* a table of twice the batch: small batches probe a small prefix */
	b->hsize = pow2_at_least(2 * n);
	if (b->own) {
		m->unreserved++;
		b->pages = calloc(b->hsize, sizeof *b->pages);
		b->gof = malloc(n * sizeof *b->gof);
		b->grp = malloc(n * sizeof *b->grp);
		b->gen = 1;
		return b->pages && b->gof && b->grp;
	}
	b->pages = L->pages;
	b->gof = L->gof;
	b->grp = L->grp;
	/* entries of earlier batches are dead by generation: no clearing */
	if ((b->gen = ++L->gen) == 0) {
		memset(L->pages, 0, L->hsize * sizeof *L->pages);
		b->gen = L->gen = 1;
	}
	return 1;
}

static void batch_end(batch *b)
{
	if (b->own) {
		free(b->pages);
		free(b->gof);
		free(b->grp);
	}
	if (b->own_scratch)
		free(b->scratch);
}

/* The page of every mergeable request, with the span its requests cover. */
static void index_pages(batch *b, const md_read *r, size_t n)
{
	unsigned shift = 64 - (unsigned)__builtin_ctzll(b->hsize);
	for (size_t i = 0; i < n; i++) {
		b->gof[i] = NONE;
		if (!mergeable(&r[i]))
			continue;
		uint64_t pg = r[i].addr / MD_PAGE;
		size_t h = (size_t)((pg * MD_HASH_GOLDEN) >> shift);
		while (b->pages[h].gen == b->gen && b->pages[h].page != pg)
			h = (h + 1) & (b->hsize - 1);
		struct md_page *e = &b->pages[h];
		if (e->gen != b->gen) {
			*e = (struct md_page){ pg, r[i].addr, r[i].addr + r[i].len, 0, NONE, b->gen };
		} else {
			if (r[i].addr < e->lo)
				e->lo = r[i].addr;
			if (r[i].addr + r[i].len > e->hi)
				e->hi = r[i].addr + r[i].len;
		}
		e->count++;
		b->gof[i] = (uint32_t)h;
	}
}

/* Groups: a request alone in its page is read as it is; the requests of a
 * shared page are read as its span, into scratch.  Returns the scratch
 * bytes the spans need (their buf holds an offset into it until
 * place_spans). */
static size_t make_groups(batch *b, const md_read *r, size_t n)
{
	size_t used = 0;
	b->ng = 0;
	for (size_t i = 0; i < n; i++) {
		struct md_page *e = b->gof[i] == NONE ? NULL : &b->pages[b->gof[i]];
		if (!e || e->count == 1) {
			b->grp[b->ng] = r[i];
			b->grp[b->ng].ok = 0;
			b->gof[i] = (uint32_t)b->ng++;
			continue;
		}
		if (e->g == NONE) {
			e->g = (uint32_t)b->ng;
			b->grp[b->ng++] = (md_read){ e->lo, (void *)(uintptr_t)used,
			                             (size_t)(e->hi - e->lo), -1 };
			used += (size_t)(e->hi - e->lo);
		}
		b->gof[i] = e->g | MERGED;
	}
	return used;
}

/* Point every span (ok == -1) at its place in scratch. */
static int place_spans(live *L, batch *b, size_t used)
{
	if (used <= L->scratch_cap) {
		b->scratch = L->scratch;
	} else if ((b->scratch = malloc(used))) {
		b->own_scratch = 1;
	} else {
		return 0;
	}
	for (size_t g = 0; g < b->ng; g++)
		if (b->grp[g].ok == -1) {
			b->grp[g].buf = b->scratch + (uintptr_t)b->grp[g].buf;
			b->grp[g].ok = 0;
		}
	return 1;
}

/* Every request from its group: copied out of a span that was read, or,
 * if its span failed, read on its own. */
static md_status settle(md_mem *m, live *L, batch *b, md_read *r, size_t n, md_err *err)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		md_read *g = &b->grp[b->gof[i] & ~MERGED];
		if (!(b->gof[i] & MERGED)) {
			r[i].ok = g->ok;
		} else if (g->ok == 1) {
			memcpy(r[i].buf, (unsigned char *)g->buf + (r[i].addr - g->addr), r[i].len);
			r[i].ok = 1;
		} else {
			md_status s = readv_plain(m, L, &r[i], 1, err);
			if (s == MD_E_EXITED || s == MD_E_SYS)
				return s;
		}
		bad += !r[i].ok;
	}
	return bad ? md_err_set(err, MD_E_MEM, "%zu of %zu reads failed", bad, n) : MD_OK;
}

static md_status live_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	live *L = m->impl;
	if (n < 2 || n >= MERGED)
		return readv_plain(m, L, r, n, err);
	batch b;
	md_status s;
	if (!batch_begin(m, L, &b, n)) {
		s = readv_plain(m, L, r, n, err);
		goto out;
	}
	index_pages(&b, r, n);
	size_t used = make_groups(&b, r, n);
	if (b.ng == n || !place_spans(L, &b, used)) {   /* nothing shares a page */
		s = readv_plain(m, L, r, n, err);
		goto out;
	}
	s = readv_plain(m, L, b.grp, b.ng, err);
	if (s != MD_E_EXITED && s != MD_E_SYS)
		s = settle(m, L, &b, r, n, err);
out:
	batch_end(&b);
	return s;
}

static const md_mem_ops live_ops = { live_readv, live_reserve, live_close };

md_status md_mem_open_live(md_mem *m, pid_t pid, unsigned flags, md_err *err)
{
	memset(m, 0, sizeof *m);
	live *L = calloc(1, sizeof *L);
	if (!L)
		return md_err_set(err, MD_E_NOMEM, "memory source");
	L->pid = pid;
	L->memfd = -1;
	L->use_pread = (flags & MD_MEM_PREAD) != 0;
	m->ops = &live_ops;
	m->impl = L;
	return MD_OK;
}
