/* readmaps.c - read map headers, Swiss directories and tables in batched
 * rounds, and decode them (see readmaps.h). */
#include <stdlib.h>
#include <string.h>
#include "readmaps.h"

/* Tables are read in two rounds: each map's first MD_RM_FIRST_TABLES,
 * then the rest only for maps whose first ones all read.  A directory of
 * garbage pointers (up to 2^20 of them) then costs one failed round, not a
 * million failed reads inside the stop (tests/integration/test_safety.py). */
#define MD_RM_FIRST_TABLES 64

void md_rm_free_vars(md_rm_var *w, int n)
{
	for (int i = 0; i < n; i++) {
		free(w[i].hdr);
		free(w[i].dir);
		free(w[i].tptr);
		free(w[i].tbuf);
		free(w[i].t_ok);
		free(w[i].spec_dir);
		free(w[i].spec_tptr);
		free(w[i].spec_steps);
	}
	free(w);
}

md_status md_rm_layout_check(const md_map_layout *l, md_err *err)
{
	if (l->header_size == 0 || l->header_size > MD_MAX_HEADER)
		return md_err_set(err, MD_E_LAYOUT, "header size %llu",
		                  (unsigned long long)l->header_size);
	if (l->impl == MD_IMPL_SWISS && (l->table_size == 0 || l->table_size > MD_MAX_HEADER))
		return md_err_set(err, MD_E_LAYOUT, "table size %llu",
		                  (unsigned long long)l->table_size);
	return MD_OK;
}

/* Make the per-variable scratch of c hold n variables, touched. */
static md_status ctx_fit(md_rm_ctx *c, int n, md_err *err)
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

/* Make v's directory buffers hold n entries of a table_size ts, touching
 * them so that no page fault is left for later (see md_rm_prepare()). */
md_status md_rm_ensure_dir(md_rm_var *v, size_t n, size_t ts, md_err *err)
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
 * when the checks pass they are exactly what the rounds would have read.
 * Five rounds (plan, header, directory, two of tables) were 20-25 us of
 * the pause for main.cache of the bench; one is 5-8.  MD_NOTFOUND: a map
 * changed shape since the probe (or was never probed): read in rounds. */
static md_status speculate(md_mem *m, md_rm_var *w, int n, md_rm_ctx *c, md_err *err)
{
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		if (w[i].skip)
			continue;
		if (!w[i].spec)
			return MD_NOTFOUND;
		total += (w[i].plan ? (size_t)w[i].plan->nsteps : 0) + 2 + w[i].spec_nt;
	}
	if (total > c->sr_cap)
		return MD_NOTFOUND;   /* sized by the probe; a map added since */
	md_read *rd = c->sr;
	size_t k = 0;
	for (int i = 0; i < n; i++) {
		md_rm_var *v = &w[i];
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
		md_rm_var *v = &w[i];
		if (v->skip)
			continue;
		if (v->plan) {
			same = md_plan_spec_check(v->plan, rd + k, v->spec_steps);
			k += (size_t)v->plan->nsteps;
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
			memcpy(v->tptr, v->spec_tptr, v->nt * sizeof *v->tptr);
		}
	}
	return same ? MD_OK : MD_NOTFOUND;
}

/* After a full read on the running target: remember where everything was,
 * for speculate() during the stop. */
static void remember(md_rm_var *w, int n)
{
	for (int i = 0; i < n; i++) {
		md_rm_var *v = &w[i];
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

/* Read everything while the target is stopped: the plans' pointer hops, the
 * headers, then for Swiss maps the directories and the tables.  Each phase is
 * one batched read over every variable.  With probe set it runs on the
 * running target and stops after the directories: a torn but good-enough
 * look at how much the real read will need (see md_rm_prepare()). */
md_status md_rm_read_all(md_mem *m, md_rm_var *w, int n, md_rm_ctx *c,
                          int probe, md_err *err)
{
	if (ctx_fit(c, n, err) != MD_OK)   /* only if more maps than prepared */
		return MD_E_NOMEM;
	c->speculated = 0;
	if (c->speculate && !probe) {
		md_status ss = speculate(m, w, n, c, err);
		if (ss == MD_OK)
			c->speculated = 1;
		if (ss != MD_NOTFOUND)
			return ss;
	}
	md_plan **plans = c->plans;
	md_read *rd = c->rd;
	int *who = c->who;
	md_status s;
	int np = 0;
	for (int i = 0; i < n; i++) {
		w[i].hdr_ok = 0;
		w[i].ndir = w[i].nt = 0;
		w[i].rstatus = MD_OK;
		if (!w[i].skip && w[i].plan)
			plans[np++] = w[i].plan;
	}
	s = md_plan_run(m, plans, np, err);
	if (s != MD_OK)
		goto out;

	/* headers */
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (w[i].skip)
			continue;
		if (w[i].plan) {
			if (w[i].plan->status != MD_OK) {
				w[i].rstatus = w[i].plan->status;
				w[i].rerr = w[i].plan->err;
				continue;
			}
			w[i].header = w[i].plan->header;
		}
		if (!w[i].header)
			continue;  /* nil map */
		rd[k] = (md_read){ w[i].header, w[i].hdr, w[i].layout->header_size, 0 };
		who[k++] = i;
	}
	s = md_mem_readv(m, rd, (size_t)k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto out;
	s = MD_OK;
	for (int j = 0; j < k; j++) {
		md_rm_var *v = &w[who[j]];
		v->hdr_ok = rd[j].ok;
		if (!rd[j].ok)
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "cannot read the map header of %s at 0x%llx",
			                        v->name, (unsigned long long)rd[j].addr);
	}

	/* Swiss directories */
	k = 0;
	for (int i = 0; i < n; i++) {
		md_rm_var *v = &w[i];
		const md_map_layout *l = v->layout;
		if (!v->hdr_ok || l->impl != MD_IMPL_SWISS)
			continue;
		md_swiss_hdr h;
		if (md_swiss_decode(l, v->hdr, l->header_size, &h,
		                    &v->rerr) != MD_OK) {
			v->rstatus = v->rerr.code;
			continue;
		}
		if (h.dirLen == 0)
			continue;
		if (md_swiss_check_dir(&h, &v->rerr) != MD_OK) {
			v->rstatus = v->rerr.code;
			continue;
		}
		/* Every directory entry may be a table of table_size bytes to
		 * buffer (twice, in md_rm_prepare) and read.  A Go table is 32
		 * bytes: 2^20 entries are 32 MiB.  A larger table (DWARF allows
		 * up to MD_MAX_HEADER) with a garbage dirLen made a 4 GiB calloc
		 * here and 8 GiB in md_rm_prepare (tests/fuzz/fuzz_decode). */
		if ((uint64_t)h.dirLen * l->table_size > ((uint64_t)64 << 20)) {
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "implausible directory of %s: %lld tables of %llu bytes",
			                        v->name, (long long)h.dirLen,
			                        (unsigned long long)l->table_size);
			continue;
		}
		v->ndir = (size_t)h.dirLen;
		/* normally prepared before the stop; grows only if the map grew */
		s = md_rm_ensure_dir(v, v->ndir, l->table_size, err);
		if (s != MD_OK)
			goto out;
		rd[k] = (md_read){ h.dirPtr, v->dir, v->ndir * sizeof *v->dir, 0 };
		who[k++] = i;
	}
	s = md_mem_readv(m, rd, (size_t)k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto out;
	s = MD_OK;
	if (probe == 1)
		goto out;

	/* Swiss tables: one request per distinct table, all maps together */
	size_t total = 0;
	for (int j = 0; j < k; j++) {
		md_rm_var *v = &w[who[j]];
		if (!rd[j].ok) {
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "cannot read the directory of %s at 0x%llx",
			                        v->name, (unsigned long long)rd[j].addr);
			continue;
		}
		v->nt = md_swiss_dir_tables(v->dir, v->ndir, v->tptr);
		total += v->nt;
	}
	if (total) {
		if (total > c->tr_cap) {
			/* normally prepared before the stop; only if a map grew */
			free(c->tr);
			c->tr_cap = 0;
			if (!(c->tr = calloc(total, sizeof *c->tr))) {
				s = md_err_set(err, MD_E_NOMEM, "table reads");
				goto out;
			}
			c->tr_cap = total;
		}
		md_read *tr = c->tr;
		for (int pass = 0; pass < 2; pass++) {
			size_t q = 0;
			for (int i = 0; i < n; i++) {
				md_rm_var *v = &w[i];
				size_t ts = v->nt ? v->layout->table_size : 0;
				size_t t0 = pass ? MD_RM_FIRST_TABLES : 0;
				size_t t1 = pass ? v->nt : (v->nt < MD_RM_FIRST_TABLES ? v->nt : MD_RM_FIRST_TABLES);
				if (pass) {
					int bad = 0;
					for (size_t t = 0; t < MD_RM_FIRST_TABLES && t < v->nt; t++)
						bad |= !v->t_ok[t];
					if (bad) {
						for (size_t t = t0; t < v->nt; t++)
							v->t_ok[t] = 0;
						continue;
					}
				}
				for (size_t t = t0; t < t1; t++)
					tr[q++] = (md_read){ v->tptr[t], v->tbuf + t * ts, ts, 0 };
			}
			s = q ? md_mem_readv(m, tr, q, err) : MD_OK;
			q = 0;
			for (int i = 0; i < n; i++) {
				md_rm_var *v = &w[i];
				size_t t0 = pass ? MD_RM_FIRST_TABLES : 0;
				size_t t1 = pass ? v->nt : (v->nt < MD_RM_FIRST_TABLES ? v->nt : MD_RM_FIRST_TABLES);
				if (pass) {
					int bad = 0;
					for (size_t t = 0; t < MD_RM_FIRST_TABLES && t < v->nt; t++)
						bad |= !v->t_ok[t];
					if (bad)
						continue;
				}
				for (size_t t = t0; t < t1; t++)
					v->t_ok[t] = tr[q++].ok;
			}
			if (s == MD_E_EXITED || s == MD_E_SYS)
				goto out;
			s = MD_OK;
		}
	}
out:
	return s;
}

/* Everything the stopped phase will touch is allocated and touched here,
 * while the target runs: a probe (md_rm_read_all on the running target, torn reads
 * and all) tells each Swiss map's directory size, and buffers get twice
 * that.  Page faults on fresh memory are expensive (~250 us of a 480 us
 * pause for a map of 2,040 tables on a VM before this); the probe also
 * warms the caches the real read will use. */
md_status md_rm_prepare(md_mem *m, md_rm_var *w, int n, md_rm_ctx *c, int slots,
                        md_err *err)
{
	md_status s0 = ctx_fit(c, slots > n ? slots : n, err);
	if (s0 != MD_OK)
		return s0;
	md_err perr;
	if (md_rm_read_all(m, w, n, c, 1, &perr) == MD_E_EXITED)
		return md_err_set(err, MD_E_EXITED, "process %d", (int)m->pid);
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		if (w[i].skip || w[i].layout->impl != MD_IMPL_SWISS)
			continue;
		/* room to grow: twice for ordinary maps, an eighth more for huge
		 * directories (a 2^20-entry one, real or garbage, would otherwise
		 * cost twice its ~300 MB of buffers) */
		size_t nd = w[i].ndir;
		size_t want = nd > 4096 ? nd + nd / 8 : 2 * nd;
		md_status s = md_rm_ensure_dir(&w[i], want, w[i].layout->table_size, err);
		if (s != MD_OK)
			return s;
		total += want;
	}
	if (total) {
		c->tr = calloc(total, sizeof *c->tr);
		if (!c->tr)
			return md_err_set(err, MD_E_NOMEM, "table reads");
		memset(c->tr, 0xff, total * sizeof *c->tr);
		c->tr_cap = total;
	}
	size_t steps = 0;
	for (int i = 0; i < n; i++)
		steps += w[i].plan ? (size_t)w[i].plan->nsteps + 2 : 2;
	if (c->speculate) {
		/* a second probe, a whole read now that the buffers are made:
		 * where everything is, for the one round of speculate() */
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
		if (md_rm_read_all(m, w, n, c, 2, &perr) == MD_E_EXITED)
			return md_err_set(err, MD_E_EXITED, "process %d", (int)m->pid);
		remember(w, n);
	}
	return md_mem_reserve(m, total + steps + (size_t)n, err);
}

void md_rm_ctx_free(md_rm_ctx *c)
{
	free(c->plans);
	free(c->rd);
	free(c->who);
	free(c->tr);
	free(c->sr);
}

/* After the target runs again: decode, derive, classify one variable. */
void md_rm_finish(md_map_report *mr, md_rm_var *v, const md_gofacts *gf,
                       const md_thresholds *th)
{
	if (mr->status != MD_OK)
		return;
	if (v->rstatus != MD_OK) {
		mr->status = v->rstatus;
		mr->err = v->rerr;
		return;
	}
	mr->addr = v->header;
	if (!v->header) {
		mr->is_nil = 1;
		md_classify_nil(&mr->v);
		return;
	}
	const md_map_layout *l = &mr->layout;
	if (l->impl == MD_IMPL_HMAP) {
		if (md_hmap_decode(l, v->hdr, l->header_size, &mr->h, &mr->err) != MD_OK) {
			mr->status = mr->err.code;
			return;
		}
		if (mr->h.B > 62 || mr->h.count > ((uint64_t)1 << 62)) {
			mr->status = md_err_set(&mr->err, MD_E_MEM,
			                        "%s: implausible header at 0x%llx (B=%u, count=%llu)",
			                        mr->expr, (unsigned long long)mr->addr, mr->h.B,
			                        (unsigned long long)mr->h.count);
			return;
		}
		if (mr->h.oldbuckets) {
			unsigned ob = (mr->h.flags & MD_HMAP_F_SAMESIZE) || !mr->h.B ? mr->h.B : mr->h.B - 1;
			if (mr->h.nevacuate > ((uint64_t)1 << ob)) {
				mr->status = md_err_set(&mr->err, MD_E_MEM,
				        "%s: implausible header at 0x%llx (nevacuate %llu of %llu old buckets)",
				        mr->expr, (unsigned long long)mr->addr,
				        (unsigned long long)mr->h.nevacuate, (unsigned long long)1 << ob);
				return;
			}
		}
		md_hmap_derive(l, gf, &mr->h, &mr->d);
		md_classify_hmap(&mr->h, &mr->d, th, &mr->v);
		return;
	}
	if (md_swiss_decode(l, v->hdr, l->header_size, &mr->s, &mr->err) != MD_OK) {
		mr->status = mr->err.code;
		return;
	}
	if (v->nt) {
		mr->tables = calloc(v->nt, sizeof *mr->tables);
		if (!mr->tables) {
			mr->status = md_err_set(&mr->err, MD_E_NOMEM, "tables");
			return;
		}
	}
	for (size_t t = 0; t < v->nt; t++) {
		if (!v->t_ok[t]) {
			mr->d.tables_dropped++;
			continue;
		}
		if (md_swiss_table_decode(l, v->tptr[t], v->tbuf + t * l->table_size,
		                          l->table_size, &mr->tables[mr->ntables],
		                          &mr->err) == MD_OK)
			mr->ntables++;
	}
	if (v->nt && mr->ntables < v->nt) {
		mr->status = md_err_set(&mr->err, MD_E_MEM,
		                        "%s: %zu of %zu tables unreadable", mr->expr,
		                        v->nt - mr->ntables, v->nt);
		return;
	}
	/* Values no live map can hold (found on corrupted headers by
	 * tests/integration/test_safety.py): an error, not a diagnosis.  A
	 * table's index may be -1 while a split replaces it, so only a too
	 * large index is refused. */
	uint64_t cap = 0;
	for (size_t t = 0; t < mr->ntables; t++) {
		const md_swiss_table *tb = &mr->tables[t];
		if (tb->capacity < 8 || tb->capacity > 1024 || (tb->capacity & (tb->capacity - 1)) ||
		    tb->used > tb->capacity || tb->growthLeft > tb->capacity ||
		    tb->localDepth > mr->s.globalDepth || tb->index >= mr->s.dirLen) {
			mr->status = md_err_set(&mr->err, MD_E_MEM,
			        "%s: implausible table at 0x%llx (used %u, capacity %u, localDepth %u, index %lld)",
			        mr->expr, (unsigned long long)tb->addr, tb->used, tb->capacity,
			        tb->localDepth, (long long)tb->index);
			return;
		}
		cap += tb->capacity;
	}
	if (mr->s.used > (mr->s.dirLen ? cap : 8)) {
		mr->status = md_err_set(&mr->err, MD_E_MEM,
		        "%s: implausible header at 0x%llx (used %llu, %llu slots)", mr->expr,
		        (unsigned long long)mr->addr, (unsigned long long)mr->s.used,
		        (unsigned long long)(mr->s.dirLen ? cap : 8));
		return;
	}
	md_swiss_derive(l, &mr->s, mr->tables, mr->ntables, &mr->d);
	md_classify_swiss(&mr->s, &mr->d, th, &mr->v);
}
