/* md_cuidx.c - the CU index kept in the cache directory (see
 * md_dwarf_priv.h).
 *
 * The file: a header (magic, the cache key, the DWARF file's size, the
 * size of .debug_info, the number of CUs and of name bytes), then per CU
 * its root DIE's offset and name length, then the names.  Everything in it
 * is checked before use, and it is written under a temporary name and
 * renamed into place, so two runs sharing the cache read either nothing
 * or a whole file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "md_dwarf_priv.h"

#define CUIDX_MAGIC "MDCUIX01"
/* More than this is not an index we wrote (2,000 packages: 60 KB). */
#define CUIDX_MAX   ((size_t)64 << 20)

typedef struct cuidx_hdr {
	char magic[8];
	uint64_t key, file_size, info_size;
	uint32_t ncus, pad;
	uint64_t names_len;
} cuidx_hdr;

typedef struct cuidx_ent {
	uint64_t die_off;
	uint32_t name_len, pad;
} cuidx_ent;

static int path_of(const md_dwarf *d, char *out, size_t n, cuidx_hdr *h)
{
	const unsigned char *p;
	memset(h, 0, sizeof *h);
	memcpy(h->magic, CUIDX_MAGIC, 8);
	return md_dwsrc_section(d->src, ".debug_info", &p, &h->info_size) &&
	       md_cache_path(d, "cus", out, n, &h->key, &h->file_size);
}

md_status md_cuidx_load(md_dwarf *d)
{
	char path[4096];
	cuidx_hdr want, h;
	if (!path_of(d, path, sizeof path, &want))
		return MD_NOTFOUND;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return MD_NOTFOUND;
	md_status st = MD_NOTFOUND;
	unsigned char *buf = NULL;
	struct stat sb;
	if (fstat(fd, &sb) != 0 || sb.st_size < (off_t)sizeof h ||
	    (size_t)sb.st_size > CUIDX_MAX)
		goto out;
	size_t size = (size_t)sb.st_size;
	buf = malloc(size);
	if (!buf || pread(fd, buf, size, 0) != (ssize_t)size)
		goto out;
	memcpy(&h, buf, sizeof h);
	if (memcmp(h.magic, want.magic, 8) || h.key != want.key ||
	    h.file_size != want.file_size || h.info_size != want.info_size || !h.ncus ||
	    h.ncus > (size - sizeof h) / sizeof(cuidx_ent) ||
	    h.names_len != size - sizeof h - (size_t)h.ncus * sizeof(cuidx_ent))
		goto out;
	const unsigned char *ents = buf + sizeof h;
	const char *names = (const char *)ents + (size_t)h.ncus * sizeof(cuidx_ent);
	d->cus = calloc(h.ncus, sizeof *d->cus);
	if (!d->cus)
		goto out;
	uint64_t at = 0;
	for (uint32_t i = 0; i < h.ncus; i++) {
		cuidx_ent e;
		memcpy(&e, ents + (size_t)i * sizeof e, sizeof e);
		if (e.die_off >= h.info_size || !e.name_len || e.name_len > 1023 ||
		    e.name_len > h.names_len - at || memchr(names + at, '\0', e.name_len)) {
			md_dw_cus_free(d);
			goto out;
		}
		md_dw_cu *c = &d->cus[d->ncus++];
		c->die_off = e.die_off;
		c->name_len = e.name_len;
		c->name = malloc(e.name_len + 1);
		if (!c->name) {
			d->ncus--;
			md_dw_cus_free(d);
			goto out;
		}
		memcpy(c->name, names + at, e.name_len);
		c->name[e.name_len] = '\0';
		at += e.name_len;
	}
	st = at == h.names_len ? MD_OK : MD_NOTFOUND;
	if (st != MD_OK)
		md_dw_cus_free(d);
out:
	free(buf);
	close(fd);
	return st;
}

void md_cuidx_save(const md_dwarf *d)
{
	char path[4096];
	cuidx_hdr h;
	if (!d->ncus || d->ncus > UINT32_MAX || !path_of(d, path, sizeof path, &h))
		return;
	size_t names = 0;
	for (size_t i = 0; i < d->ncus; i++)
		names += d->cus[i].name_len;
	h.ncus = (uint32_t)d->ncus;
	h.names_len = names;
	size_t size = sizeof h + d->ncus * sizeof(cuidx_ent) + names;
	if (size > CUIDX_MAX)
		return;
	unsigned char *buf = malloc(size);
	if (!buf)
		return;
	memcpy(buf, &h, sizeof h);
	unsigned char *ents = buf + sizeof h;
	char *np = (char *)ents + d->ncus * sizeof(cuidx_ent);
	for (size_t i = 0; i < d->ncus; i++) {
		cuidx_ent e = { d->cus[i].die_off, (uint32_t)d->cus[i].name_len, 0 };
		memcpy(ents + i * sizeof e, &e, sizeof e);
		memcpy(np, d->cus[i].name, d->cus[i].name_len);
		np += d->cus[i].name_len;
	}
	md_cache_write(d, "cus", buf, size, NULL, 0);
	free(buf);
}
