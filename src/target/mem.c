/* mem.c - the memory-source interface, and the source over a copy (see
 * mem.h).  The live process is mem_live.c. */
#include <string.h>
#include "mem.h"

md_status md_mem_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	return m->ops->readv(m, r, n, err);
}

md_status md_mem_reserve(md_mem *m, size_t n, md_err *err)
{
	return m->ops->reserve ? m->ops->reserve(m, n, err) : MD_OK;
}

int md_mem_read64(md_mem *m, uint64_t addr, uint64_t *out)
{
	unsigned char b[8];
	md_read r = { addr, b, 8, 0 };
	md_err err;
	md_mem_readv(m, &r, 1, &err);
	if (!r.ok)
		return 0;
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*out = v;
	return 1;
}

void md_mem_close(md_mem *m)
{
	if (m->ops && m->ops->close)
		m->ops->close(m);
	memset(m, 0, sizeof *m);
}

/* Serves one read from a copy if the copy holds all of it. */
static int copy_serve(const md_memcopy *c, md_read *r)
{
	uint64_t a = r->addr;
	if (r->len == 0)
		return 1;
	if (!r->buf || r->len > MD_MEM_MAX_READ || a < c->base || a - c->base > c->len ||
	    c->len - (a - c->base) < r->len)
		return 0;
	memcpy(r->buf, c->bytes + (a - c->base), r->len);
	return 1;
}

static md_status copy_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	const md_memcopy *c = m->impl;
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		r[i].ok = copy_serve(c, &r[i]);
		bad += !r[i].ok;
	}
	if (bad)
		return md_err_set(err, MD_E_MEM, "%zu of %zu reads outside the copy", bad, n);
	return MD_OK;
}

static const md_mem_ops copy_ops = { copy_readv, NULL, NULL };

void md_mem_open_copy(md_mem *m, const md_memcopy *c)
{
	memset(m, 0, sizeof *m);
	m->ops = &copy_ops;
	m->impl = (void *)c;
}

/* The whole batch goes to the source underneath (one system call), then
 * what a copy holds replaces what was read, even where that read worked (a
 * copy is what the memory was at the stop): simpler than splitting the
 * batch, and the reads a copy serves are few (stack roots). */
static md_status overlay_readv(md_mem *m, md_read *r, size_t n, md_err *err)
{
	md_overlay *o = m->impl;
	md_err e2;
	md_status s = o->under->ops->readv(o->under, r, n, &e2);
	if (s == MD_E_EXITED || s == MD_E_SYS) {
		*err = e2;
		return s;
	}
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		/* checked per read without formatting an error: a census asks
		 * the overlay for millions of heap words that no copy holds */
		for (size_t c = 0; r[i].len && c < o->n; c++)
			if (copy_serve(&o->copies[c], &r[i])) {
				r[i].ok = 1;
				break;
			}
		bad += !r[i].ok;
	}
	m->syscalls = o->under->syscalls;
	m->bytes = o->under->bytes;
	if (bad)
		return md_err_set(err, MD_E_MEM, "%zu of %zu reads failed", bad, n);
	return MD_OK;
}

static md_status overlay_reserve(md_mem *m, size_t n, md_err *err)
{
	md_overlay *o = m->impl;
	return md_mem_reserve(o->under, n, err);
}

static const md_mem_ops overlay_ops = { overlay_readv, overlay_reserve, NULL };

void md_mem_open_overlay(md_mem *m, md_overlay *o)
{
	memset(m, 0, sizeof *m);
	m->ops = &overlay_ops;
	m->impl = o;
}
