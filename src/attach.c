/* attach.c - the flow of one attach (see attach.h and ../shared/DESIGN.md). */
#include <stdlib.h>
#include <string.h>
#include "attach.h"
#include "plan.h"
#include "proc.h"
#include "stop.h"
#include "mem.h"
#include "md_cfi.h"
#include "goroutine.h"
#include "threads.h"
#include "writers.h"
#include "gofacts.h"
#include <time.h>

/* A header larger than this is not a Go map header (they are ~48 bytes). */
#define MD_MAX_HEADER 4096

typedef struct var_work {
	md_plan plan;
	unsigned char *hdr;        /* header bytes */
	int hdr_ok;
	uint64_t *dir;             /* Swiss directory */
	size_t ndir;
	size_t dir_cap;            /* entries dir, tptr, tbuf, t_ok can hold */
	uint64_t *tptr;            /* distinct table pointers */
	unsigned char *tbuf;       /* their headers, table_size each */
	size_t nt;
	int *t_ok;
	md_status rstatus;         /* read-phase error of this variable */
	md_err rerr;
} var_work;

/* Scratch of the read phase, one slot per variable plus the table reads;
 * allocated and touched before the stop (see prepare()). */
typedef struct read_ctx {
	md_plan **plans;
	md_read *rd;
	int *who;
	md_read *tr;
	size_t tr_cap;
} read_ctx;

void md_report_free(md_report *r)
{
	if (!r)
		return;
	md_tanalysis_free(&r->ta);
	for (int i = 0; i < r->nmaps; i++)
		free(r->maps[i].tables);
	free(r->maps);
	r->maps = NULL;
	r->nmaps = 0;
}

int md_report_exit_code(const md_report *r)
{
	int worst = 0;
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status != MD_OK)
			return 3;
		if ((int)r->maps[i].v.sev > worst)
			worst = (int)r->maps[i].v.sev;
	}
	return worst;
}

static void work_free(var_work *w, int n)
{
	for (int i = 0; i < n; i++) {
		free(w[i].hdr);
		free(w[i].dir);
		free(w[i].tptr);
		free(w[i].tbuf);
		free(w[i].t_ok);
	}
	free(w);
}

/* Make v's directory buffers hold n entries of a table_size ts, touching
 * them so that no page fault is left for later (see prepare()). */
static md_status ensure_dir(var_work *v, size_t n, size_t ts, md_err *err)
{
	if (n <= v->dir_cap)
		return MD_OK;
	free(v->dir);
	free(v->tptr);
	free(v->tbuf);
	free(v->t_ok);
	v->dir = calloc(n, sizeof *v->dir);
	v->tptr = calloc(n, sizeof *v->tptr);
	v->tbuf = calloc(n, ts);
	v->t_ok = calloc(n, sizeof *v->t_ok);
	v->dir_cap = 0;
	if (!v->dir || !v->tptr || !v->tbuf || !v->t_ok)
		return md_err_set(err, MD_E_NOMEM, "directory of %zu entries", n);
	memset(v->dir, 0xff, n * sizeof *v->dir);
	memset(v->tptr, 0xff, n * sizeof *v->tptr);
	memset(v->tbuf, 0xff, n * ts);
	memset(v->t_ok, 0xff, n * sizeof *v->t_ok);
	v->dir_cap = n;
	return MD_OK;
}

/* Read everything while the target is stopped: the plans' pointer hops, the
 * headers, then for Swiss maps the directories and the tables.  Each phase is
 * one batched read over every variable.  With probe set it runs on the
 * running target and stops after the directories: a torn but good-enough
 * look at how much the real read will need (see prepare()). */
static md_status read_all(md_mem *m, md_report *r, var_work *w, read_ctx *c,
                          int probe, md_err *err)
{
	int n = r->nmaps;
	md_plan **plans = c->plans;
	md_read *rd = c->rd;
	int *who = c->who;
	md_status s;
	int np = 0;
	for (int i = 0; i < n; i++) {
		w[i].hdr_ok = 0;
		w[i].ndir = w[i].nt = 0;
		w[i].rstatus = MD_OK;
		if (r->maps[i].status == MD_OK)
			plans[np++] = &w[i].plan;
	}
	s = md_plan_run(m, plans, np, err);
	if (s != MD_OK)
		goto out;

	/* headers */
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (r->maps[i].status != MD_OK)
			continue;
		if (w[i].plan.status != MD_OK) {
			w[i].rstatus = w[i].plan.status;
			w[i].rerr = w[i].plan.err;
			continue;
		}
		if (!w[i].plan.header)
			continue;  /* nil map */
		rd[k] = (md_read){ w[i].plan.header, w[i].hdr, r->maps[i].layout.header_size, 0 };
		who[k++] = i;
	}
	s = md_mem_readv(m, rd, (size_t)k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto out;
	s = MD_OK;
	for (int j = 0; j < k; j++) {
		var_work *v = &w[who[j]];
		v->hdr_ok = rd[j].ok;
		if (!rd[j].ok)
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "cannot read the map header of %s at 0x%llx",
			                        v->plan.expr, (unsigned long long)rd[j].addr);
	}

	/* Swiss directories */
	k = 0;
	for (int i = 0; i < n; i++) {
		md_map_report *mr = &r->maps[i];
		var_work *v = &w[i];
		if (!v->hdr_ok || mr->layout.impl != MD_IMPL_SWISS)
			continue;
		md_swiss_hdr h;
		if (md_swiss_decode(&mr->layout, v->hdr, mr->layout.header_size, &h,
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
		v->ndir = (size_t)h.dirLen;
		/* normally prepared before the stop; grows only if the map grew */
		s = ensure_dir(v, v->ndir, mr->layout.table_size, err);
		if (s != MD_OK)
			goto out;
		rd[k] = (md_read){ h.dirPtr, v->dir, v->ndir * sizeof *v->dir, 0 };
		who[k++] = i;
	}
	s = md_mem_readv(m, rd, (size_t)k, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		goto out;
	s = MD_OK;
	if (probe)
		goto out;

	/* Swiss tables: one request per distinct table, all maps together */
	size_t total = 0;
	for (int j = 0; j < k; j++) {
		var_work *v = &w[who[j]];
		if (!rd[j].ok) {
			v->rstatus = md_err_set(&v->rerr, MD_E_MEM,
			                        "cannot read the directory of %s at 0x%llx",
			                        v->plan.expr, (unsigned long long)rd[j].addr);
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
		size_t q = 0;
		for (int i = 0; i < n; i++) {
			var_work *v = &w[i];
			size_t ts = r->maps[i].layout.table_size;
			for (size_t t = 0; t < v->nt; t++)
				tr[q++] = (md_read){ v->tptr[t], v->tbuf + t * ts, ts, 0 };
		}
		s = md_mem_readv(m, tr, total, err);
		q = 0;
		for (int i = 0; i < n; i++)
			for (size_t t = 0; t < w[i].nt; t++)
				w[i].t_ok[t] = tr[q++].ok;
		if (s == MD_E_EXITED || s == MD_E_SYS)
			goto out;
		s = MD_OK;
	}
out:
	return s;
}

/* Everything the stopped phase will touch is allocated and touched here,
 * while the target runs: a probe (read_all on the running target, torn reads
 * and all) tells each Swiss map's directory size, and buffers get twice
 * that.  Page faults on fresh memory are expensive (~250 us of a 480 us
 * pause for a map of 2,040 tables on a VM before this); the probe also
 * warms the caches the real read will use. */
static md_status prepare(md_mem *m, md_report *r, var_work *w, read_ctx *c,
                         md_err *err)
{
	int n = r->nmaps;
	c->plans = calloc((size_t)n, sizeof *c->plans);
	c->rd = calloc((size_t)n, sizeof *c->rd);
	c->who = calloc((size_t)n, sizeof *c->who);
	if (!c->plans || !c->rd || !c->who)
		return md_err_set(err, MD_E_NOMEM, "read plans");
	md_err perr;
	if (read_all(m, r, w, c, 1, &perr) == MD_E_EXITED)
		return md_err_set(err, MD_E_EXITED, "process %d", (int)r->pid);
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		if (r->maps[i].status != MD_OK || r->maps[i].layout.impl != MD_IMPL_SWISS)
			continue;
		size_t want = w[i].ndir ? 2 * w[i].ndir : 0;
		md_status s = ensure_dir(&w[i], want, r->maps[i].layout.table_size, err);
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
	return md_mem_reserve(m, total + (size_t)n, err);
}

static void ctx_free(read_ctx *c)
{
	free(c->plans);
	free(c->rd);
	free(c->who);
	free(c->tr);
}

/* After the target runs again: decode, derive, classify one variable. */
static void finish_one(md_map_report *mr, var_work *v, const md_gofacts *gf,
                       const md_thresholds *th)
{
	if (mr->status != MD_OK)
		return;
	if (v->rstatus != MD_OK) {
		mr->status = v->rstatus;
		mr->err = v->rerr;
		return;
	}
	mr->addr = v->plan.header;
	if (!v->plan.header) {
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
	md_swiss_derive(l, &mr->s, mr->tables, mr->ntables, &mr->d);
	md_classify_swiss(&mr->s, &mr->d, th, &mr->v);
}

/* Reads without a stop can be torn: a writer may change the map between
 * the reads of one pass.  A map is taken when two passes in a row read the
 * same bytes (plan result, header, directory, tables); after this many
 * passes a map that never settled is reported as torn, never decoded from
 * bytes that disagree. */
#define MD_NOSTOP_TRIES 8

static int same_reads(const var_work *a, const var_work *b, const md_map_layout *l)
{
	if (a->rstatus != b->rstatus || a->plan.status != b->plan.status ||
	    a->plan.header != b->plan.header || a->hdr_ok != b->hdr_ok ||
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

/* --no-stop: pairs of passes over the running target until each map reads
 * the same twice.  w2 mirrors w (same plans, own buffers). */
static md_status sample_unstopped(md_mem *m, md_report *r, var_work *w, var_work *w2,
                                  read_ctx *c, const md_gofacts *gf,
                                  const md_thresholds *th, md_err *err)
{
	int n = r->nmaps, left = 0;
	int *done = calloc((size_t)n + 1, sizeof *done);
	if (!done)
		return md_err_set(err, MD_E_NOMEM, "no-stop");
	for (int i = 0; i < n; i++) {
		done[i] = r->maps[i].status != MD_OK;
		left += !done[i];
	}
	md_status s = MD_OK;
	for (r->tries = 0; left && r->tries < MD_NOSTOP_TRIES; r->tries++) {
		if ((s = read_all(m, r, w, c, 0, err)) != MD_OK ||
		    (s = read_all(m, r, w2, c, 0, err)) != MD_OK)
			break;
		for (int i = 0; i < n; i++) {
			if (done[i] || !same_reads(&w[i], &w2[i], &r->maps[i].layout))
				continue;
			finish_one(&r->maps[i], &w[i], gf, th);
			done[i] = 1;
			left--;
		}
	}
	for (int i = 0; s == MD_OK && i < n; i++)
		if (!done[i])
			r->maps[i].status = md_err_set(&r->maps[i].err, MD_E_TORN,
			                               "%s changed during each of %d pairs of reads",
			                               r->maps[i].expr, MD_NOSTOP_TRIES);
	free(done);
	return s;
}

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* After the release: walk the stacks, name the frames, find the writers and
 * fold them into each map's verdict. */
static void attribute(md_dwarf *dw, md_report *r, md_threads *ts, md_cfi *cfi,
                      uint64_t bias, const md_gofacts *gf)
{
	uint64_t t0 = now_ns();
	int swiss = -1;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status == MD_OK && !r->maps[i].is_nil)
			swiss = r->maps[i].layout.impl == MD_IMPL_SWISS;
	md_err err;
	md_threads_unwind(ts, cfi, bias);
	if (swiss < 0 || md_writers_analyse(dw, ts, bias, gf->minor, swiss,
	                                    r->threads_mode == 2, &r->ta, &err) != MD_OK) {
		r->analyse_ns = now_ns() - t0;
		return;   /* no decoded map to attribute to, or out of memory */
	}
	int unidentified = 0;
	for (int k = 0; k < r->ta.n; k++)
		unidentified += r->ta.t[k].writer && !r->ta.t[k].map;
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *m = &r->maps[i];
		if (m->status != MD_OK || m->is_nil)
			continue;
		m->wf.analysed = 1;
		m->wf.unidentified = unidentified;
		for (int k = 0; k < r->ta.n; k++) {
			const md_tinfo *t = &r->ta.t[k];
			if (!t->writer || t->map != m->addr)
				continue;
			m->wf.proven++;
			m->wf.growing += t->growing;
			if (m->nwriters < MD_MAX_WRITERS)
				m->writers[m->nwriters++] = k;
		}
		int flag = m->layout.impl == MD_IMPL_SWISS ? m->s.writing != 0
		                                           : (m->h.flags & MD_HMAP_F_WRITING) != 0;
		md_classify_writers(&m->wf, flag, m->layout.impl == MD_IMPL_SWISS, &m->v);
	}
	r->analyse_ns = now_ns() - t0;
}

/* What one attach or watch holds between resolving and reading. */
struct md_session {
	md_proc proc;
	md_dwarf *dw;
	uint64_t bias;
	var_work *w, *w2;          /* w2: a second pass's buffers (no stop) */
	read_ctx ctx;
	md_mem mem;
	int mem_open;
	int n, live;
	md_gofacts gf;
};

static void session_close(md_session *ss)
{
	if (ss->mem_open)
		md_mem_close(&ss->mem);
	ctx_free(&ss->ctx);
	if (ss->w)
		work_free(ss->w, ss->n);
	if (ss->w2)
		work_free(ss->w2, ss->n);
	md_dwarf_free(ss->dw);
	md_proc_close(&ss->proc);
	memset(ss, 0, sizeof *ss);
	ss->proc.exe_fd = -1;
}

/* Everything before reading: the process, its DWARF and load bias, a read
 * plan and layout per variable (errors stay with their variable), and every
 * buffer the reads need, sized by a probe of the running target.  With
 * two_passes, a second set of buffers for reads without a stop. */
static md_status session_open(md_session *ss, const md_attach_opts *o, md_report *r,
                              int two_passes, md_err *err)
{
	memset(ss, 0, sizeof *ss);
	memset(r, 0, sizeof *r);
	r->pid = o->pid;
	ss->n = o->nvars;
	md_status s = md_proc_open(o->pid, &ss->proc, err);
	if (s != MD_OK)
		return s;
	snprintf(r->exe, sizeof r->exe, "%s", ss->proc.exe_path);

	md_dwarf_opts dop = { ss->proc.exe_path, ss->proc.exe_fd, o->debug_file, o->debug_dir };
	if ((s = md_dwarf_open(&dop, &ss->dw, err)) != MD_OK)
		return s;
	const md_exe_info *xi = md_dwarf_exe(ss->dw);
	snprintf(r->go_version, sizeof r->go_version, "%s", xi->go_version);
	md_gofacts_for(r->go_version, &ss->gf);
	if (xi->pie && (s = md_proc_load_bias(&ss->proc, xi->load_vaddr, &ss->bias, err)) != MD_OK)
		return s;

	r->nmaps = o->nvars;
	r->maps = calloc((size_t)o->nvars, sizeof *r->maps);
	ss->w = calloc((size_t)o->nvars, sizeof *ss->w);
	if (!r->maps || !ss->w)
		return md_err_set(err, MD_E_NOMEM, "%d variables", o->nvars);

	/* All DWARF work, while the target runs. */
	for (int i = 0; i < o->nvars; i++) {
		md_map_report *mr = &r->maps[i];
		var_work *w = &ss->w[i];
		mr->expr = o->vars[i];
		mr->status = md_plan_build(ss->dw, o->vars[i], ss->bias, &w->plan, &mr->err);
		if (mr->status == MD_OK)
			mr->status = md_dwarf_map_layout(ss->dw, w->plan.map_type, &mr->layout,
			                                 &mr->err);
		if (mr->status == MD_OK && (mr->layout.header_size == 0 ||
		                            mr->layout.header_size > MD_MAX_HEADER))
			mr->status = md_err_set(&mr->err, MD_E_LAYOUT, "header size %llu",
			                        (unsigned long long)mr->layout.header_size);
		if (mr->status == MD_OK && mr->layout.impl == MD_IMPL_SWISS &&
		    (mr->layout.table_size == 0 || mr->layout.table_size > MD_MAX_HEADER))
			mr->status = md_err_set(&mr->err, MD_E_LAYOUT, "table size %llu",
			                        (unsigned long long)mr->layout.table_size);
		if (mr->status == MD_OK) {
			if (!(w->hdr = calloc(1, mr->layout.header_size)))
				return md_err_set(err, MD_E_NOMEM, "header buffer");
			ss->live++;
		}
	}
	if (!ss->live)
		return MD_OK;

	/* The pid must still name the process whose executable we read. */
	if ((s = md_proc_recheck(&ss->proc, err)) != MD_OK)
		return s;
	md_mem_init(&ss->mem, o->pid);
	ss->mem_open = 1;
	if ((s = prepare(&ss->mem, r, ss->w, &ss->ctx, err)) != MD_OK)
		return s;
	if (!two_passes)
		return MD_OK;
	ss->w2 = calloc((size_t)o->nvars, sizeof *ss->w2);
	if (!ss->w2)
		return md_err_set(err, MD_E_NOMEM, "second-pass buffers");
	for (int i = 0; i < o->nvars; i++) {
		ss->w2[i].plan = ss->w[i].plan;
		if (r->maps[i].status != MD_OK)
			continue;
		if (!(ss->w2[i].hdr = calloc(1, r->maps[i].layout.header_size)))
			return md_err_set(err, MD_E_NOMEM, "header buffer");
		if (ss->w[i].dir_cap &&
		    (s = ensure_dir(&ss->w2[i], ss->w[i].dir_cap, r->maps[i].layout.table_size,
		                    err)) != MD_OK)
			return s;
	}
	return MD_OK;
}

md_status md_attach(const md_attach_opts *o, md_report *r, md_err *err)
{
	md_session ss;
	md_cfi *cfi = NULL;
	md_g_layout gl;
	int have_gl = 0;
	md_threads ts = { 0 };
	md_status s = session_open(&ss, o, r, o->no_stop, err);
	if (s != MD_OK || !ss.live)
		goto out;
	if (o->no_stop) {
		s = sample_unstopped(&ss.mem, r, ss.w, ss.w2, &ss.ctx, &ss.gf, &o->th, err);
		r->reads = ss.mem.syscalls;
		goto out;
	}
	/* who is writing: CFI and g layout from DWARF, stack buffers, now */
	r->threads_mode = o->threads;
	if (r->threads_mode) {
		if (md_cfi_open(ss.dw, &cfi, err) != MD_OK)
			cfi = NULL;   /* frame pointers only */
		have_gl = md_g_layout_load(ss.dw, &gl, err) == MD_OK;
		pid_t tmp[4096];
		int nt = md_proc_tids(o->pid, tmp, 4096);
		if ((s = md_threads_prepare(&ts, nt > 0 ? nt : 8, err)) != MD_OK)
			goto out;
	}
	r->stopped = 1;
	md_stop *stop = NULL;
	if ((s = md_stop_all(o->pid, o->stop_timeout_ms, &stop, err)) != MD_OK)
		goto out;
	/* ---- the target is stopped ---- */
	uint64_t syscalls0 = ss.mem.syscalls;
	md_status rs = read_all(&ss.mem, r, ss.w, &ss.ctx, 0, err);
	if (rs == MD_OK && o->threads)
		rs = md_threads_capture(&ts, stop, &ss.mem, have_gl ? &gl : NULL, err);
	md_err rerr = *err;
	md_stop_stats st;
	md_stop_release(stop, &st, err);
	/* ---- the target runs ---- */
	r->pause_ns = st.pause_ns;
	r->threads = st.threads;
	r->reads = ss.mem.syscalls - syscalls0;
	if (rs != MD_OK) {
		*err = rerr;
		s = rs;
		goto out;
	}
	for (int i = 0; i < o->nvars; i++)
		finish_one(&r->maps[i], &ss.w[i], &ss.gf, &o->th);
	if (o->threads)
		attribute(ss.dw, r, &ts, cfi, ss.bias, &ss.gf);
out:
	md_threads_free(&ts);
	md_cfi_free(cfi);
	session_close(&ss);
	return s;
}

/* ---- sessions for mapdiag watch ---------------------------------------- */

md_status md_session_open(const md_attach_opts *o, md_report *r, md_session **out,
                          md_err *err)
{
	md_session *ss = malloc(sizeof *ss);
	if (!ss)
		return md_err_set(err, MD_E_NOMEM, "session");
	md_status s = session_open(ss, o, r, 1, err);
	if (s != MD_OK) {
		session_close(ss);
		free(ss);
		return s;
	}
	*out = ss;
	return MD_OK;
}

void md_session_close(md_session *ss)
{
	if (!ss)
		return;
	session_close(ss);
	free(ss);
}

uint64_t md_session_reads(const md_session *ss)
{
	return ss->mem.syscalls;
}

/* The few values watch follows, from bytes two passes agreed on. */
static void to_sample(const md_map_report *mr, const var_work *v, const md_gofacts *gf,
                      md_wsample *x)
{
	const md_map_layout *l = &mr->layout;
	md_err e;
	x->ok = 0;
	if (v->rstatus != MD_OK)
		return;
	x->swiss = l->impl == MD_IMPL_SWISS;
	if (!v->plan.header) {
		x->is_nil = 1;
		x->ok = 1;
		return;
	}
	if (!x->swiss) {
		md_hmap_hdr h;
		md_derived d;
		if (md_hmap_decode(l, v->hdr, l->header_size, &h, &e) != MD_OK || h.B > 62)
			return;
		md_hmap_derive(l, gf, &h, &d);
		x->count = h.count;
		x->writing = (h.flags & MD_HMAP_F_WRITING) != 0;
		x->growing = h.oldbuckets != 0;
		x->B = h.B;
		x->nevacuate = h.nevacuate;
		x->noldbuckets = d.noldbuckets;
		x->has_clearSeq = h.has_clearSeq;
		x->clearSeq = h.clearSeq;
		x->ok = 1;
		return;
	}
	md_swiss_hdr h;
	if (md_swiss_decode(l, v->hdr, l->header_size, &h, &e) != MD_OK ||
	    md_swiss_check_dir(&h, &e) != MD_OK)
		return;
	x->count = h.used;
	x->writing = h.writing != 0;
	x->dirLen = h.dirLen;
	x->globalDepth = h.globalDepth;
	x->has_clearSeq = h.has_clearSeq;
	x->clearSeq = h.clearSeq;
	x->capacity = h.dirLen == 0 ? (h.dirPtr ? 8 : 0) : 0;
	for (size_t t = 0; t < v->nt; t++) {
		md_swiss_table tb;
		if (!v->t_ok[t] || md_swiss_table_decode(l, v->tptr[t], v->tbuf + t * l->table_size,
		                                         l->table_size, &tb, &e) != MD_OK)
			return;
		x->capacity += tb.capacity;
	}
	x->ok = 1;
}

md_status md_session_sample(md_session *ss, md_report *r, int tries, md_wsample *x,
                            md_err *err)
{
	int n = r->nmaps, left = 0;
	for (int i = 0; i < n; i++) {
		x[i].ok = 0;
		left += r->maps[i].status == MD_OK;
	}
	uint64_t t = now_ns();
	for (int k = 0; left && k < tries; k++) {
		md_status s;
		if ((s = read_all(&ss->mem, r, ss->w, &ss->ctx, 0, err)) != MD_OK ||
		    (s = read_all(&ss->mem, r, ss->w2, &ss->ctx, 0, err)) != MD_OK)
			return s;
		t = now_ns();
		for (int i = 0; i < n; i++) {
			if (r->maps[i].status != MD_OK || x[i].ok)
				continue;
			if (!same_reads(&ss->w[i], &ss->w2[i], &r->maps[i].layout))
				continue;
			to_sample(&r->maps[i], &ss->w[i], &ss->gf, &x[i]);
			x[i].t_ns = t;
			left -= x[i].ok;
		}
	}
	for (int i = 0; i < n; i++)
		if (!x[i].ok)
			x[i].t_ns = t;
	return MD_OK;
}
