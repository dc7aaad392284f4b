/* mapread.c - read map headers, Swiss directories and tables in batched
 * rounds (see mapread.h). */
#include <stdlib.h>
#include <string.h>
#include "mapread.h"
#include "alloc.h"
#include "validate.h"
#include "gofacts.h"

/* Tables are read in two rounds: each map's first FIRST_TABLES, then the
 * rest only for maps whose first ones all read.  A directory of garbage
 * pointers (up to 2^20 of them) then costs one failed round, not a million
 * failed reads inside the stop. */
#define FIRST_TABLES 64

void md_mapread_release(md_mapread *v)
{
	free(v->hdr);
	free(v->dir);
	free(v->tptr);
	free(v->tbuf);
	free(v->t_ok);
	free(v->spec_dir);
	free(v->spec_tptr);
	free(v->spec_steps);
	v->hdr = NULL;
	v->dir = NULL;
	v->tptr = NULL;
	v->tbuf = NULL;
	v->t_ok = NULL;
	v->spec_dir = NULL;
	v->spec_tptr = NULL;
	v->spec_steps = NULL;
}

void md_mapread_free(md_mapread *w, int n)
{
	for (int i = 0; i < n; i++)
		md_mapread_release(&w[i]);
	free(w);
}

/* Make the per-variable scratch of c hold n variables, touched. */
static md_status ctx_fit(md_mapread_ctx *c, int n, md_err *err)
{
	if (n <= c->cap)
		return MD_OK;
	free(c->plans);
	free(c->rd);
	free(c->who);
	c->cap = 0;
	/* touched now: large callocs are fresh pages that fault on first use */
	c->plans = md_calloc_touched((size_t)n, sizeof *c->plans);
	c->rd = md_calloc_touched((size_t)n, sizeof *c->rd);
	c->who = md_calloc_touched((size_t)n, sizeof *c->who);
	if (!c->plans || !c->rd || !c->who)
		return md_err_set(err, MD_E_NOMEM, "read plans for %d maps", n);
	c->cap = n;
	return MD_OK;
}

md_status md_mapread_ensure_dir(md_mapread *v, size_t n, size_t ts, md_err *err)
{
	if (n <= v->dir_cap)
		return MD_OK;
	free(v->dir);
	free(v->tptr);
	free(v->tbuf);
	free(v->t_ok);
	free(v->spec_dir);
	free(v->spec_tptr);
	v->spec = 0;
	v->dir = calloc(n, sizeof *v->dir);
	v->tptr = calloc(n, sizeof *v->tptr);
	v->tbuf = calloc(n, ts);
	v->t_ok = calloc(n, sizeof *v->t_ok);
	v->spec_dir = calloc(n, sizeof *v->spec_dir);
	v->spec_tptr = calloc(n, sizeof *v->spec_tptr);
	v->dir_cap = 0;
	if (!v->dir || !v->tptr || !v->tbuf || !v->t_ok || !v->spec_dir || !v->spec_tptr)
		return md_err_set(err, MD_E_NOMEM, "directory of %zu entries", n);
	memset(v->dir, 0xff, n * sizeof *v->dir);
	memset(v->tptr, 0xff, n * sizeof *v->tptr);
	memset(v->tbuf, 0xff, n * ts);
	memset(v->t_ok, 0xff, n * sizeof *v->t_ok);
	memset(v->spec_dir, 0xff, n * sizeof *v->spec_dir);
	memset(v->spec_tptr, 0xff, n * sizeof *v->spec_tptr);
	v->dir_cap = n;
	return MD_OK;
}

/* One round for all: every read the probe made (each plan's hops, the
 * header, a Swiss map's directory and tables) at the addresses the probe
 * found, then a check that each led where it did: the plan replays to the
 * same header, the header names the same directory, the directory holds
 * the same tables.  The reads of one round all see the stopped target, so
 * when the checks pass they are exactly what the rounds would have read,
 * in one system call instead of five.  MD_NOTFOUND: a map changed shape
 * since the probe (or was never probed): read in rounds. */
static md_status speculate(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c, md_err *err)
{
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		if (w[i].skip)
			continue;
		if (!w[i].spec)
			return MD_NOTFOUND;
		total += (w[i].plan ? (size_t)md_plan_nreads(w[i].plan) : 0) + 2 + w[i].spec_nt;
	}
	if (total > c->sr_cap)
		return MD_NOTFOUND;   /* sized by the probe; a map added since */
	md_read *rd = c->sr;
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		md_mapread *v = &w[i];
		v->hdr_ok = 0;
		v->ndir = v->nt = 0;
		v->rstatus = MD_OK;
		if (v->skip)
			continue;
		if (v->plan) {
			int ns = md_plan_spec_reads(v->plan, rd + k, v->spec_steps);
			if (ns < 0)
				return MD_NOTFOUND;
			k += (size_t)ns;
		}
		rd[k++] = (md_read){ v->spec_header, v->hdr, v->layout->header_size, 0 };
		if (v->spec_ndir) {
			rd[k++] = (md_read){ v->spec_dirptr, v->dir, v->spec_ndir * sizeof *v->dir, 0 };
			size_t ts = v->layout->table_size;
			for (size_t t = 0; t < v->spec_nt; t++)
				rd[k++] = (md_read){ v->spec_tptr[t], v->tbuf + t * ts, ts, 0 };
		}
	}
	md_status s = md_mem_readv(m, rd, k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		return s;
	k = 0;
	int same = 1;
	for (int i = 0; i < n && same; i++) {
		md_mapread *v = &w[i];
		if (v->skip)
			continue;
		if (v->plan) {
			same = md_plan_spec_check(v->plan, rd + k, v->spec_steps);
			k += (size_t)md_plan_nreads(v->plan);
		}
		const md_read *h = &rd[k++];
		same = same && h->ok;
		if (same && v->layout->impl == MD_IMPL_SWISS) {
			md_swiss_hdr sh;
			md_err e;
			same = md_swiss_decode(v->layout, v->hdr, v->layout->header_size, &sh,
			                       &e) == MD_OK &&
			       (uint64_t)sh.dirLen == v->spec_ndir &&
			       (!v->spec_ndir || sh.dirPtr == v->spec_dirptr);
		}
		if (same && v->spec_ndir) {
			same = rd[k].ok &&
			       memcmp(v->dir, v->spec_dir, v->spec_ndir * sizeof *v->dir) == 0;
			k++;
			for (size_t t = 0; t < v->spec_nt; t++)
				same = same && (v->t_ok[t] = rd[k++].ok);
		}
		if (same) {
			v->header = v->spec_header;
			v->hdr_ok = 1;
			v->ndir = v->spec_ndir;
			v->nt = v->spec_nt;
			if (v->nt)   /* no directory: tptr may be NULL */
				memcpy(v->tptr, v->spec_tptr, v->nt * sizeof *v->tptr);
		}
	}
	return same ? MD_OK : MD_NOTFOUND;
}

/* After a full read on the running target: remember where everything was,
 * for speculate() during the stop. */
static void remember(md_mapread *w, int n)
{
	for (int i = 0; i < n; i++) {
		md_mapread *v = &w[i];
		v->spec = 0;
		if (v->skip || v->rstatus != MD_OK || !v->hdr_ok || !v->header)
			continue;
		if (v->plan && v->plan->status != MD_OK)
			continue;
		v->spec_header = v->header;
		v->spec_ndir = v->spec_nt = 0;
		v->spec_dirptr = 0;
		if (v->layout->impl == MD_IMPL_SWISS && v->ndir) {
			md_swiss_hdr sh;
			md_err e;
			if (md_swiss_decode(v->layout, v->hdr, v->layout->header_size, &sh,
			                    &e) != MD_OK || (uint64_t)sh.dirLen != v->ndir)
				continue;
			int all = 1;
			for (size_t t = 0; t < v->nt; t++)
				all &= v->t_ok[t] == 1;
			if (!all || v->ndir > v->dir_cap)
				continue;
			v->spec_dirptr = sh.dirPtr;
			v->spec_ndir = v->ndir;
			v->spec_nt = v->nt;
			memcpy(v->spec_dir, v->dir, v->ndir * sizeof *v->dir);
			memcpy(v->spec_tptr, v->tptr, v->nt * sizeof *v->tptr);
		}
		v->spec = 1;
	}
}

/* A batch of reads that failed for the whole run (the process is gone,
 * the source broke) ends it; failed pieces are each map's business. */
static int fatal(md_status s)
{
	return s == MD_E_EXITED || s == MD_E_SYS;
}

/* Every plan's hops, in one round per hop for all maps; a map's header is
 * where its plan led. */
static md_status read_plans(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c, md_err *err)
{
	int np = 0;
	for (int i = 0; i < n; i++) {
		w[i].hdr_ok = 0;
		w[i].ndir = w[i].nt = 0;
		w[i].rstatus = MD_OK;
		if (!w[i].skip && w[i].plan)
			c->plans[np++] = w[i].plan;
	}
	md_status s = md_plan_run(m, c->plans, np, err);
	if (s != MD_OK)
		return s;
	for (int i = 0; i < n; i++) {
		md_mapread *v = &w[i];
		if (v->skip || !v->plan)
			continue;
		if (v->plan->status != MD_OK) {
			v->rstatus = v->plan->status;
			v->rerr = v->plan->err;
		} else {
			v->header = v->plan->header;
		}
	}
	return MD_OK;
}

/* Every header, in one round. */
static md_status read_headers(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                              md_err *err)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (w[i].skip || w[i].rstatus != MD_OK || !w[i].header)
			continue;   /* nothing to read, the plan failed, or a nil map */
		c->rd[k] = (md_read){ w[i].header, w[i].hdr, w[i].layout->header_size, 0 };
		c->who[k++] = i;
	}
	md_status s = md_mem_readv(m, c->rd, (size_t)k, err);
	if (fatal(s))
		return s;
	for (int j = 0; j < k; j++) {
		md_mapread *v = &w[c->who[j]];
		v->hdr_ok = c->rd[j].ok;
		if (!c->rd[j].ok)
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "cannot read the map header of %s at 0x%llx",
			                        v->name, (unsigned long long)c->rd[j].addr);
	}
	return MD_OK;
}

/* Queue the directory of Swiss map v, if it has one worth reading: 1 if
 * queued, 0 if not (an error is v's), -1 when out of memory. */
static int queue_dir(md_mapread *v, md_read *rd, md_err *err)
{
	const md_map_layout *l = v->layout;
	md_swiss_hdr h;
	if (md_swiss_decode(l, v->hdr, l->header_size, &h, &v->rerr) != MD_OK ||
	    (h.dirLen && (md_swiss_check_dir(&h, &v->rerr) != MD_OK ||
	                  md_swiss_check_dir_bytes(&h, l, v->name, &v->rerr) != MD_OK))) {
		v->rstatus = v->rerr.code;
		return 0;
	}
	if (h.dirLen == 0)
		return 0;
	v->ndir = (size_t)h.dirLen;
	if (md_mapread_ensure_dir(v, v->ndir, l->table_size, err) != MD_OK)
		return -1;
	*rd = (md_read){ h.dirPtr, v->dir, v->ndir * sizeof *v->dir, 0 };
	return 1;
}

/* Every Swiss directory, in one round; each map's distinct tables. */
static md_status read_dirs(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                           md_read_mode mode, md_err *err)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		md_mapread *v = &w[i];
		if (!v->hdr_ok || v->layout->impl != MD_IMPL_SWISS)
			continue;
		size_t cap = v->dir_cap;
		int q = queue_dir(v, &c->rd[k], err);
		if (q < 0)
			return MD_E_NOMEM;
		c->grown += mode == MD_READ_RECORD && v->dir_cap != cap;
		if (q)
			c->who[k++] = i;
	}
	md_status s = md_mem_readv(m, c->rd, (size_t)k, err);
	if (fatal(s))
		return s;
	if (mode == MD_READ_PROBE_SIZES)
		return MD_OK;
	for (int j = 0; j < k; j++) {
		md_mapread *v = &w[c->who[j]];
		if (!c->rd[j].ok) {
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "cannot read the directory of %s at 0x%llx",
			                        v->name, (unsigned long long)c->rd[j].addr);
			continue;
		}
		v->nt = md_swiss_dir_tables(v->dir, v->ndir, v->tptr);
	}
	return MD_OK;
}

/* The tables of v a table round reads: the first FIRST_TABLES in round 0;
 * the rest in round 1, unless one of the first failed (then the rest are
 * taken as failed, unread).  0 when there are none to read. */
static int table_range(md_mapread *v, int round, size_t *t0, size_t *t1)
{
	*t0 = round ? FIRST_TABLES : 0;
	*t1 = round ? v->nt : (v->nt < FIRST_TABLES ? v->nt : FIRST_TABLES);
	if (!round)
		return *t0 < *t1;
	for (size_t t = 0; t < FIRST_TABLES && t < v->nt; t++)
		if (!v->t_ok[t])
			return 0;
	return *t0 < *t1;
}

/* Every table header of every Swiss map, in two rounds (see FIRST_TABLES). */
static md_status read_tables(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                             md_read_mode mode, md_err *err)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += w[i].rstatus == MD_OK ? w[i].nt : 0;
	if (!total)
		return MD_OK;
	if (total > c->tr_cap) {
		/* normally prepared before the stop; only if a map grew */
		c->grown += mode == MD_READ_RECORD;
		free(c->tr);
		c->tr_cap = 0;
		if (!(c->tr = calloc(total, sizeof *c->tr)))
			return md_err_set(err, MD_E_NOMEM, "table reads");
		c->tr_cap = total;
	}
	for (int round = 0; round < 2; round++) {
		size_t q = 0, t0, t1;
		for (int i = 0; i < n; i++) {
			md_mapread *v = &w[i];
			if (v->rstatus != MD_OK)
				continue;
			if (!table_range(v, round, &t0, &t1)) {
				for (size_t t = t0; round && t < v->nt; t++)
					v->t_ok[t] = 0;
				continue;
			}
			size_t ts = v->layout->table_size;
			for (size_t t = t0; t < t1; t++)
				c->tr[q++] = (md_read){ v->tptr[t], v->tbuf + t * ts, ts, 0 };
		}
		md_status s = q ? md_mem_readv(m, c->tr, q, err) : MD_OK;
		q = 0;
		for (int i = 0; i < n; i++) {
			md_mapread *v = &w[i];
			if (v->rstatus != MD_OK || !table_range(v, round, &t0, &t1))
				continue;
			for (size_t t = t0; t < t1; t++)
				v->t_ok[t] = c->tr[q++].ok;
		}
		if (fatal(s))
			return s;
	}
	return MD_OK;
}

md_status md_mapread_all(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                         md_read_mode mode, md_err *err)
{
	if (n > c->cap) {
		c->grown += mode == MD_READ_RECORD;   /* more maps than prepared */
		if (ctx_fit(c, n, err) != MD_OK)
			return MD_E_NOMEM;
	}
	c->speculated = 0;
	if (c->speculate && mode == MD_READ_RECORD) {
		md_status ss = speculate(m, w, n, c, err);
		if (ss == MD_OK)
			c->speculated = 1;
		if (ss != MD_NOTFOUND)
			return ss;
	}
	md_status s;
	if ((s = read_plans(m, w, n, c, err)) != MD_OK ||
	    (s = read_headers(m, w, n, c, err)) != MD_OK ||
	    (s = read_dirs(m, w, n, c, mode, err)) != MD_OK)
		return s;
	if (mode == MD_READ_PROBE_SIZES)
		return MD_OK;
	return read_tables(m, w, n, c, mode, err);
}

/* Everything a read of record will touch is allocated and touched here,
 * while the target runs: a probe (torn reads and all) tells each Swiss
 * map's directory size, and buffers get twice that.  Page faults on fresh
 * memory are dear inside a stop; the probe also warms the caches the real
 * read will use. */
md_status md_mapread_prepare(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                             int slots, md_err *err)
{
	md_status s0 = ctx_fit(c, slots > n ? slots : n, err);
	if (s0 != MD_OK)
		return s0;
	md_err perr;
	if (md_mapread_all(m, w, n, c, MD_READ_PROBE_SIZES, &perr) == MD_E_EXITED)
		return md_err_set(err, MD_E_EXITED, "%s", perr.detail);
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		if (w[i].skip || w[i].layout->impl != MD_IMPL_SWISS)
			continue;
		/* room to grow: twice for ordinary maps, an eighth more for huge
		 * directories (a 2^20-entry one, real or garbage, would otherwise
		 * cost twice its ~300 MB of buffers) */
		size_t nd = w[i].ndir;
		size_t want = nd > 4096 ? nd + nd / 8 : 2 * nd;
		md_status s = md_mapread_ensure_dir(&w[i], want, w[i].layout->table_size, err);
		if (s != MD_OK)
			return s;
		total += want;
	}
	if (total) {
		free(c->tr);
		c->tr = md_calloc_touched(total, sizeof *c->tr);
		if (!c->tr)
			return md_err_set(err, MD_E_NOMEM, "table reads");
		c->tr_cap = total;
	}
	size_t steps = 0;
	for (int i = 0; i < n; i++)
		steps += w[i].plan ? (size_t)md_plan_nreads(w[i].plan) + 2 : 2;
	if (c->speculate) {
		for (int i = 0; i < n; i++) {
			free(w[i].spec_steps);
			size_t ns = w[i].plan ? (size_t)w[i].plan->nsteps : 0;
			w[i].spec_steps = md_calloc_touched(ns + 1, MD_PLAN_STEP_BYTES);
			if (!w[i].spec_steps)
				return md_err_set(err, MD_E_NOMEM, "speculation");
		}
		free(c->sr);
		c->sr_cap = total + steps;
		if (!(c->sr = md_calloc_touched(c->sr_cap, sizeof *c->sr)))
			return md_err_set(err, MD_E_NOMEM, "speculation");
		if (md_mapread_all(m, w, n, c, MD_READ_PROBE_ALL, &perr) == MD_E_EXITED)
			return md_err_set(err, MD_E_EXITED, "%s", perr.detail);
		remember(w, n);
	}
	return md_mem_reserve(m, total + steps + (size_t)n, err);
}

void md_mapread_bytes(const md_mapread *v, md_map_bytes *b)
{
	*b = (md_map_bytes){ v->header, v->hdr, v->nt, v->tptr, v->tbuf, v->t_ok };
}

int md_mapread_writing(const md_mapread *v)
{
	md_err e;
	if (v->skip || !v->hdr_ok || !v->layout)
		return 0;
	if (v->layout->impl == MD_IMPL_SWISS) {
		md_swiss_hdr sh;
		return md_swiss_decode(v->layout, v->hdr, v->layout->header_size, &sh, &e) ==
		       MD_OK && sh.writing;
	}
	md_hmap_hdr hh;
	return md_hmap_decode(v->layout, v->hdr, v->layout->header_size, &hh, &e) == MD_OK &&
	       (hh.flags & MD_HMAP_F_WRITING);
}

int md_mapread_same(const md_mapread *a, const md_mapread *b)
{
	const md_map_layout *l = a->layout;
	if (a->rstatus != b->rstatus || a->header != b->header || a->hdr_ok != b->hdr_ok ||
	    a->ndir != b->ndir || a->nt != b->nt)
		return 0;
	if (a->hdr_ok && memcmp(a->hdr, b->hdr, l->header_size))
		return 0;
	if (a->ndir && memcmp(a->dir, b->dir, a->ndir * sizeof *a->dir))
		return 0;
	if (a->nt && (memcmp(a->tptr, b->tptr, a->nt * sizeof *a->tptr) ||
	              memcmp(a->t_ok, b->t_ok, a->nt * sizeof *a->t_ok) ||
	              memcmp(a->tbuf, b->tbuf, a->nt * l->table_size)))
		return 0;
	return 1;
}

void md_mapread_ctx_free(md_mapread_ctx *c)
{
	free(c->plans);
	free(c->rd);
	free(c->who);
	free(c->tr);
	free(c->sr);
}

