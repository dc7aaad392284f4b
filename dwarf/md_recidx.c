/* md_recidx.c - sorted tables of fixed-size records kept in the cache
 * directory, mapped in place (see md_dwarf_priv.h).
 *
 * The file: a header (magic, the cache key, the DWARF file's size, the
 * record size and count, one word the caller defines), then the records.
 * The header is checked on every use; the records are the caller's to
 * check against the bytes each points at before believing one.  Written
 * whole or not at all (md_publish), so two runs sharing the cache map
 * either nothing or a whole file.  The helpers for any cache
 * file beside the DWARF cache (md_cache_*) live here too.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "md_dwarf_priv.h"
#include "publish.h"

#define RECIDX_MAGIC "MDRECX01"
/* Larger than any table we write (300,000 symbols: 7 MB). */
#define RECIDX_MAX   ((uint64_t)1 << 30)

typedef struct recidx_hdr {
	char magic[8];
	uint64_t key, file_size;
	uint64_t recsz, n, aux;
} recidx_hdr;

int md_cache_path(const md_dwarf *d, const char *ext, char *out, size_t n,
                  uint64_t *key, uint64_t *file_size)
{
	const char *base = md_dwsrc_cache_base(d->src, key, file_size);
	return base && snprintf(out, n, "%s.%s", base, ext) < (int)n;
}

/* Write all of v[0..n) to fd from its start. */
static int write_parts(int fd, const struct iovec *v, int n)
{
	off_t off = 0;
	for (int i = 0; i < n; i++) {
		const unsigned char *p = v[i].iov_base;
		size_t left = v[i].iov_len;
		while (left) {
			/* in pieces: the page cache then holds the file in folios
			 * of at most this size, and a reader that touches one byte
			 * maps (and counts in its RSS) one folio, not 2 MiB */
			size_t piece = left < 256 * 1024 ? left : 256 * 1024;
			ssize_t k = pwrite(fd, p, piece, off);
			if (k <= 0)
				return -1;
			p += k;
			left -= (size_t)k;
			off += k;
		}
	}
	return 0;
}

struct parts {
	const struct iovec *v;
	int n;
};

static int write_all(int fd, void *arg)
{
	const struct parts *p = arg;
	return write_parts(fd, p->v, p->n);
}

int md_cache_put(const char *path, const struct iovec *v, int n)
{
	struct parts p = { v, n };
	md_publish_err e;
	return md_publish(path, 0600, 0, write_all, &p, &e);
}

void md_cache_write(const md_dwarf *d, const char *ext, const void *a, size_t alen,
                    const void *b, size_t blen)
{
	char path[4096];
	uint64_t key, fsize;
	if (!md_cache_path(d, ext, path, sizeof path, &key, &fsize))
		return;
	struct iovec v[2] = { { (void *)a, alen }, { (void *)b, blen } };
	md_cache_put(path, v, 2);
}

void md_cache_drop(const md_dwarf *d, const char *ext)
{
	char path[4096];
	uint64_t key, fsize;
	if (md_cache_path(d, ext, path, sizeof path, &key, &fsize))
		unlink(path);
}

static int path_of(const md_dwarf *d, const char *ext, char *out, size_t n, recidx_hdr *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, RECIDX_MAGIC, 8);
	return md_cache_path(d, ext, out, n, &h->key, &h->file_size);
}

int md_recidx_map(const md_dwarf *d, const char *ext, size_t recsz, md_recidx *out)
{
	memset(out, 0, sizeof *out);
	char path[4096];
	recidx_hdr want, h;
	if (!path_of(d, ext, path, sizeof path, &want))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	int ok = fstat(fd, &st) == 0 && (uint64_t)st.st_size >= sizeof h &&
	         (uint64_t)st.st_size <= RECIDX_MAX &&
	         pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h &&
	         !memcmp(h.magic, want.magic, 8) && h.key == want.key &&
	         h.file_size == want.file_size && h.recsz == recsz && h.n &&
	         h.n <= ((uint64_t)st.st_size - sizeof h) / recsz &&
	         sizeof h + h.n * recsz == (uint64_t)st.st_size;
	if (ok) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			ok = 0;
		} else {
			out->map = m;
			out->map_len = (size_t)st.st_size;
			out->recs = (const unsigned char *)m + sizeof h;
			out->n = (size_t)h.n;
			out->aux = h.aux;
		}
	}
	close(fd);
	return ok;
}

void md_recidx_unmap(md_recidx *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	memset(r, 0, sizeof *r);
}

void md_recidx_save(const md_dwarf *d, const char *ext, const void *recs, size_t recsz,
                    size_t n, uint64_t aux)
{
	char path[4096];
	recidx_hdr h;
	if (!n || !path_of(d, ext, path, sizeof path, &h) ||
	    (uint64_t)n * recsz > RECIDX_MAX - sizeof h)
		return;
	h.recsz = recsz;
	h.n = n;
	h.aux = aux;
	md_cache_write(d, ext, &h, sizeof h, recs, n * recsz);
}
