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

#define MD_PAGE 4096u

static int by_addr(const void *a, const void *b)
{
	const md_read *x = *(md_read *const *)a, *y = *(md_read *const *)b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Requests that fall in one page are read with one iovec: the kernel pins a
 * remote page per iovec, so 2,000 32-byte Swiss table headers cost ~1 ms as
 * separate pieces and a few dozen pieces merged.  Merging never reaches
 * outside a page that a request already touches, so it cannot fault where
 * the separate reads would not have.  A merged read that fails is retried
 * piece by piece, so each request's ok stays exact. */
md_status md_mem_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	if (n < 2)
		return readv_plain(m, r, n, err);
	md_read **ix = malloc(n * sizeof *ix);
	md_read *grp = malloc(n * sizeof *grp);
	unsigned char *scratch = NULL;
	if (!ix || !grp) {
		free(ix);
		free(grp);
		return readv_plain(m, r, n, err);
	}
	for (size_t i = 0; i < n; i++)
		ix[i] = &r[i];
	qsort(ix, n, sizeof *ix, by_addr);

	/* Build groups: [first, last) of ix, read as grp[g]. */
	size_t *start = malloc((n + 1) * sizeof *start);
	size_t ng = 0, used = 0;
	int merged_any = 0;
	if (!start)
		goto plain;
	for (size_t i = 0; i < n;) {
		md_read *a = ix[i];
		uint64_t page_end = (a->addr & ~(uint64_t)(MD_PAGE - 1)) + MD_PAGE;
		uint64_t hi = a->addr + a->len;
		size_t j = i + 1;
		if (a->len > 0 && a->len <= MD_PAGE && a->buf && hi >= a->addr) {
			while (j < n && ix[j]->buf && ix[j]->len > 0 && ix[j]->addr >= a->addr &&
			       ix[j]->addr + ix[j]->len <= page_end &&
			       ix[j]->addr + ix[j]->len >= ix[j]->addr) {
				if (ix[j]->addr + ix[j]->len > hi)
					hi = ix[j]->addr + ix[j]->len;
				j++;
			}
		}
		start[ng] = i;
		if (j - i > 1 && hi <= page_end) {
			/* buf holds the offset into scratch until it exists */
			grp[ng] = (md_read){ a->addr, (void *)(uintptr_t)used,
			                     (size_t)(hi - a->addr), -1 };
			used += (size_t)(hi - a->addr);
			merged_any = 1;
		} else {
			j = i + 1;
			grp[ng] = *a;
		}
		ng++;
		i = j;
	}
	start[ng] = n;
	if (!merged_any || !(scratch = malloc(used)))
		goto plain;
	for (size_t g = 0; g < ng; g++)
		if (grp[g].ok == -1)
			grp[g].buf = scratch + (uintptr_t)grp[g].buf;

	md_status s = readv_plain(m, grp, ng, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto out_s;
	size_t bad = 0;
	for (size_t g = 0; g < ng; g++) {
		size_t cnt = start[g + 1] - start[g];
		if (cnt == 1) {
			ix[start[g]]->ok = grp[g].ok;
			bad += !grp[g].ok;
			continue;
		}
		if (grp[g].ok) {
			for (size_t k = start[g]; k < start[g + 1]; k++) {
				memcpy(ix[k]->buf, (unsigned char *)grp[g].buf + (ix[k]->addr - grp[g].addr),
				       ix[k]->len);
				ix[k]->ok = 1;
			}
			continue;
		}
		/* the merged read failed: settle each piece on its own */
		md_read *one = malloc(cnt * sizeof *one);
		if (!one) {
			s = md_err_set(err, MD_E_NOMEM, "read retry");
			goto out_s;
		}
		for (size_t k = 0; k < cnt; k++)
			one[k] = *ix[start[g] + k];
		s = readv_plain(m, one, cnt, err);
		for (size_t k = 0; k < cnt; k++) {
			ix[start[g] + k]->ok = one[k].ok;
			bad += !one[k].ok;
		}
		free(one);
		if (s == MD_E_EXITED || s == MD_E_SYS)
			goto out_s;
	}
	s = bad ? md_err_set(err, MD_E_MEM, "%zu of %zu reads failed", bad, n) : MD_OK;
out_s:
	free(start);
	free(ix);
	free(grp);
	free(scratch);
	return s;
plain:
	free(start);
	free(ix);
	free(grp);
	free(scratch);
	return readv_plain(m, r, n, err);
}
