/* mem_core.c - the memory source over a core file (see mem.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "mem.h"

/* Files kept open for the pages a core left out: a Go process maps its
 * executable and a few libraries; more are opened and closed in turn. */
#define CORE_FDS 8

typedef struct core_src {
	const md_core *c;
	const char *exe;   /* read for the executable's NT_FILE path, or NULL */
	struct { const char *path; int fd; } fds[CORE_FDS];
	unsigned next;   /* slot to reuse next */
} core_src;

static int file_fd(core_src *s, const char *path)
{
	for (unsigned i = 0; i < CORE_FDS; i++)
		if (s->fds[i].path == path)
			return s->fds[i].fd;
	unsigned k = s->next++ % CORE_FDS;
	if (s->fds[k].path && s->fds[k].fd >= 0)
		close(s->fds[k].fd);
	s->fds[k].path = path;
	s->fds[k].fd = md_core_open_mapped(s->c, path, s->exe);
	return s->fds[k].fd;
}

/* Up to len bytes at addr, which a segment spans but the core left out:
 * from the file NT_FILE maps there, all of them or none.  The bytes read
 * (at most to the mapping's end), 0 on failure. */
static size_t from_file(md_mem *m, core_src *s, uint64_t addr, unsigned char *buf,
                        size_t len)
{
	const md_core_file *f = md_core_file_at(s->c, addr);
	if (!f)
		return 0;
	if (len > f->end - addr)
		len = (size_t)(f->end - addr);
	int fd = file_fd(s, f->path);
	if (fd < 0)
		return 0;
	uint64_t off = f->offset + (addr - f->start);
	if (off < f->offset)
		return 0;
	m->syscalls++;
	ssize_t got = pread(fd, buf, len, (off_t)off);
	return got == (ssize_t)len ? len : 0;
}

/* One request; 0 and *bad set to the first address not held. */
static int core_read(md_mem *m, core_src *s, md_read *r, uint64_t *bad)
{
	uint64_t addr = r->addr;
	unsigned char *out = r->buf;
	size_t left = r->len;
	while (left) {
		const md_core_seg *g = md_core_seg_at(s->c, addr);
		if (!g) {
			/* gcore leaves read-only file mappings out altogether (no
			 * segment at all, where the kernel writes an empty one):
			 * their bytes are the file's */
			size_t n = from_file(m, s, addr, out, left);
			if (!n) {
				*bad = addr;
				return 0;
			}
			addr += n;
			out += n;
			left -= n;
			continue;
		}
		uint64_t off = addr - g->vaddr;
		size_t n = left;
		if (n > g->memsz - off)
			n = (size_t)(g->memsz - off);
		if (off < g->present) {
			if (n > g->present - off)
				n = (size_t)(g->present - off);
			memcpy(out, g->bytes + off, n);
		} else if (!(n = from_file(m, s, addr, out, n))) {
			*bad = addr;
			return 0;
		}
		addr += n;
		out += n;
		left -= n;
	}
	m->bytes += r->len;
	return 1;
}

static md_status core_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	core_src *s = m->impl;
	size_t bad = 0;
	uint64_t first = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t at = 0;
		r[i].ok = r[i].len == 0 ||
		          (r[i].len <= MD_MEM_MAX_READ && r[i].addr + r[i].len >= r[i].addr &&
		           core_read(m, s, &r[i], &at));
		if (!r[i].ok && !bad++)
			first = at ? at : r[i].addr;
	}
	if (bad)
		return md_err_set(err, MD_E_MEM, "the core holds no bytes at 0x%llx%s (%zu of %zu "
		                  "reads)", (unsigned long long)first,
		                  s->c->cut ? ", and it is truncated" : "", bad, n);
	return MD_OK;
}

static void core_close(md_mem *m)
{
	core_src *s = m->impl;
	if (!s)
		return;
	for (unsigned i = 0; i < CORE_FDS; i++)
		if (s->fds[i].path && s->fds[i].fd >= 0)
			close(s->fds[i].fd);
	free(s);
	m->impl = NULL;
}

static const md_mem_ops core_ops = { core_readv, NULL, core_close };

md_status md_mem_open_core(md_mem *m, const md_core *c, const char *exe, md_err *err)
{
	memset(m, 0, sizeof *m);
	core_src *s = calloc(1, sizeof *s);
	if (!s)
		return md_err_set(err, MD_E_NOMEM, "core memory source");
	s->c = c;
	s->exe = exe;
	m->ops = &core_ops;
	m->impl = s;
	return MD_OK;
}
