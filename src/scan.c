/* scan.c - the flow of one mapdiag scan (see scan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "scanwalk.h"
#include "shape.h"
#include "readmaps.h"
#include "target.h"
#include "stop.h"

/* What one scan holds until its report is freed: the shapes (the notes'
 * type names live there). */
typedef struct scan_priv {
	md_shapes sh;
} scan_priv;

typedef struct root_list {
	md_sw_root *v;
	md_type_id *types;
	int n, cap;
	uint64_t bias;
	int nomem;
} root_list;

static int add_root(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	root_list *l = arg;
	if (l->n == l->cap) {
		int nc = l->cap ? 2 * l->cap : 256;
		md_sw_root *v = realloc(l->v, (size_t)nc * sizeof *v);
		if (v)
			l->v = v;
		md_type_id *t = v ? realloc(l->types, (size_t)nc * sizeof *t) : NULL;
		if (!v || !t) {
			l->nomem = 1;
			return 1;
		}
		l->types = t;
		l->cap = nc;
	}
	char *dup = strdup(name);
	if (!dup) {
		l->nomem = 1;
		return 1;
	}
	l->v[l->n] = (md_sw_root){ dup, addr + l->bias, -1 };
	l->types[l->n++] = type;
	return 0;
}

static void roots_free(root_list *l)
{
	for (int i = 0; i < l->n; i++)
		free((char *)l->v[i].name);
	free(l->v);
	free(l->types);
}

/* Every package variable under the prefixes, once, with its shape; the
 * variables whose shape is empty are dropped. */
static md_status find_roots(const md_scan_opts *o, md_target *t, md_shapes *sh,
                            root_list *l, md_scan_report *sr, md_err *err)
{
	l->bias = t->bias;
	md_status s = MD_OK;
	if (o->nprefixes == 0)
		s = md_dwarf_each_var(t->dw, "", add_root, l, err);
	for (int i = 0; s == MD_OK && i < o->nprefixes; i++) {
		/* a prefix inside an earlier one adds nothing */
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= strncmp(o->prefixes[i], o->prefixes[j], strlen(o->prefixes[j])) == 0;
		if (!dup)
			s = md_dwarf_each_var(t->dw, o->prefixes[i], add_root, l, err);
	}
	if (s == MD_OK && l->nomem)
		s = md_err_set(err, MD_E_NOMEM, "variable list");
	if (s != MD_OK)
		return s;
	/* overlapping prefixes ("main.", "main.c") may list a name twice */
	int k = 0;
	for (int i = 0; i < l->n; i++) {
		int seen = 0;
		for (int j = 0; o->nprefixes > 1 && j < k && !seen; j++)
			seen = l->v[j].addr == l->v[i].addr && strcmp(l->v[j].name, l->v[i].name) == 0;
		if (seen) {
			free((char *)l->v[i].name);
			continue;
		}
		sr->variables++;
		int shape = -1;
		if ((s = md_shapes_get(sh, l->types[i], o->depth, &shape, err)) != MD_OK)
			return s;
		if (shape < 0) {
			free((char *)l->v[i].name);
			continue;
		}
		l->v[k] = l->v[i];
		l->v[k].shape = shape;
		l->types[k++] = l->types[i];
	}
	l->n = k;
	return MD_OK;
}

/* Placeholder for a map's name in messages made during the stop, when
 * paths are not built yet (building them would lengthen the pause). */
static const char UNNAMED[] = "the map";

/* Point vars[0..w->nmaps) at what the walk found: layout and header
 * address.  Runs during the stop, so it touches only vars (small, in one
 * array) and the shared layouts: the reports are filled after release. */
static md_status set_vars(md_rm_var **vars, int *cap, const md_walk *w, const md_shapes *sh,
                          size_t hdr_max, md_err *err)
{
	if ((int)w->nmaps > *cap) {
		int nc = (int)w->nmaps + (int)w->nmaps / 4 + 16;
		md_rm_var *v = realloc(*vars, (size_t)nc * sizeof *v);
		if (!v)
			return md_err_set(err, MD_E_NOMEM, "%zu maps", w->nmaps);
		*vars = v;
		memset(v + *cap, 0, (size_t)(nc - *cap) * sizeof *v);
		for (int i = *cap; i < nc; i++) {
			*cap = i + 1;   /* what md_rm_free_vars must free */
			if (!(v[i].hdr = malloc(hdr_max)))
				return md_err_set(err, MD_E_NOMEM, "header buffers");
			memset(v[i].hdr, 0xff, hdr_max);   /* touched: no fault in the stop */
		}
	}
	for (size_t i = 0; i < w->nmaps; i++) {
		const md_layout_ent *le = &sh->layouts[sh->slots[w->maps[i].slot].target];
		md_rm_var *v = &(*vars)[i];
		v->layout = &le->layout;
		v->skip = le->status != MD_OK;
		v->plan = NULL;
		v->name = UNNAMED;
		v->header = w->maps[i].header;
	}
	return MD_OK;
}

static char *path_dup(const md_walk *w, const md_sw_found *f)
{
	char buf[2048];
	md_walk_path(w, f->node, f->slot, buf, sizeof buf);
	return strdup(buf);
}

/* After the release: names, decoding, aliases, notes, totals. */
static md_status finish(md_scan_report *sr, const md_walk *w, const md_shapes *sh,
                        md_rm_var *vars, const md_gofacts *gf, const md_thresholds *th,
                        md_err *err)
{
	md_report *r = &sr->r;
	r->maps = calloc(w->nmaps + 1, sizeof *r->maps);
	sr->x = calloc(w->nmaps + 1, sizeof *sr->x);
	sr->notes = calloc(w->nnotes + 1, sizeof *sr->notes);
	if (!r->maps || !sr->x || !sr->notes)
		return md_err_set(err, MD_E_NOMEM, "scan report");
	r->nmaps = (int)w->nmaps;
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *mr = &r->maps[i];
		const md_layout_ent *le = &sh->layouts[sh->slots[w->maps[i].slot].target];
		mr->layout = le->layout;
		mr->status = le->status;
		if (mr->status != MD_OK)
			mr->err = le->err;
		char *path = path_dup(w, &w->maps[i]);
		if (!path)
			return md_err_set(err, MD_E_NOMEM, "paths");
		mr->expr = path;
		sr->x[i].depth = w->maps[i].depth;
		md_rm_var *v = &vars[i];
		if (v->rstatus != MD_OK) {
			/* messages made during the stop say "the map": name it */
			md_err e = v->rerr;
			v->rerr.code = MD_OK;
			md_err_set(&v->rerr, e.code, "%s: %s", path, e.detail);
		}
		md_rm_finish(mr, v, gf, th);
		if (mr->status != MD_OK)
			continue;
		if (mr->is_nil) {
			sr->nil_maps++;
			continue;
		}
		sr->bytes_held += mr->d.bytes_held;
		if (mr->d.bytes_held > mr->d.bytes_if_rebuilt)
			sr->x[i].reclaimable = mr->d.bytes_held - mr->d.bytes_if_rebuilt;
		for (int f = 0; f < mr->v.nfindings; f++)
			if (strcmp(mr->v.findings[f].code, "oversized") == 0)
				sr->x[i].oversized = 1;
		if (sr->x[i].oversized) {
			sr->oversized++;
			sr->reclaimable += sr->x[i].reclaimable;
		}
	}
	for (size_t a = 0; a < w->naliases; a++) {
		md_scan_map *x = &sr->x[w->aliases[a].of];
		if (x->naliases < MD_SCAN_MAX_ALIASES) {
			if (!(x->aliases[x->naliases] = path_dup(w, &w->aliases[a])))
				return md_err_set(err, MD_E_NOMEM, "paths");
		}
		x->naliases++;
	}
	for (size_t n = 0; n < w->nnotes; n++) {
		const md_slot *sl = &sh->slots[w->notes[n].slot];
		md_scan_note *no = &sr->notes[sr->nnotes];
		if (!(no->var = path_dup(w, &w->notes[n])))
			return md_err_set(err, MD_E_NOMEM, "paths");
		no->type = sh->notes[sl->target].type;
		no->reason = sh->notes[sl->target].reason;
		sr->nnotes++;
	}
	sr->truncated = w->truncated + sh->truncated;
	sr->unreadable = w->unreadable;
	return MD_OK;
}

md_status md_scan(const md_scan_opts *o, md_scan_report *sr, md_err *err)
{
	memset(sr, 0, sizeof *sr);
	md_report *r = &sr->r;
	r->pid = o->pid;
	sr->depth = o->depth;
	scan_priv *pv = calloc(1, sizeof *pv);
	if (!pv)
		return md_err_set(err, MD_E_NOMEM, "scan");
	sr->priv = pv;

	md_target t;
	root_list roots = { 0 };
	md_walk w;
	md_rm_var *vars = NULL;
	int cap = 0;
	md_rm_ctx ctx = { 0 };
	md_mem mem;
	int mem_open = 0;
	md_stop *stop = NULL;
	md_walk_init(&w, &pv->sh, NULL, 0);

	md_status s = md_target_open(o->pid, o->debug_file, o->debug_dir, &t, err);
	snprintf(r->exe, sizeof r->exe, "%s", t.proc.exe_path);
	snprintf(r->go_version, sizeof r->go_version, "%s", t.go_version);
	if (s != MD_OK)
		goto out;
	md_shapes_init(&pv->sh, t.dw);

	/* ---- all DWARF work, while the target runs ---- */
	if ((s = find_roots(o, &t, &pv->sh, &roots, sr, err)) != MD_OK)
		goto out;
	size_t hdr_max = 8;
	for (size_t i = 0; i < pv->sh.nlayouts; i++)
		if (pv->sh.layouts[i].status == MD_OK &&
		    pv->sh.layouts[i].layout.header_size > hdr_max)
			hdr_max = pv->sh.layouts[i].layout.header_size;

	/* ---- a probe of the running target sizes every buffer ---- */
	if ((s = md_proc_recheck(&t.proc, err)) != MD_OK)
		goto out;
	md_mem_init(&mem, o->pid);
	mem_open = 1;
	md_walk_init(&w, &pv->sh, roots.v, roots.n);
	s = md_walk_run(&w, &mem, err);
	if (s == MD_E_EXITED || s == MD_E_NOMEM)
		goto out;
	if ((s = md_walk_reserve(&w, err)) != MD_OK ||
	    (s = set_vars(&vars, &cap, &w, &pv->sh, hdr_max, err)) != MD_OK ||
	    (s = md_rm_prepare(&mem, vars, (int)w.nmaps, &ctx, cap, err)) != MD_OK ||
	    (s = md_mem_reserve(&mem, 2 * w.peak_items + (size_t)cap + 64, err)) != MD_OK)
		goto out;
	if ((s = md_proc_recheck(&t.proc, err)) != MD_OK)
		goto out;

	md_dwarf_settle(t.dw);
	/* ---- the target is stopped ---- */
	r->stopped = 1;
	if ((s = md_stop_all(o->pid, o->stop_timeout_ms, 0, &stop, err)) != MD_OK)
		goto out;
	uint64_t sys0 = mem.syscalls;
	md_status rs = md_walk_run(&w, &mem, err);
	if (rs == MD_OK)
		rs = set_vars(&vars, &cap, &w, &pv->sh, hdr_max, err);
	if (rs == MD_OK)
		rs = md_rm_read_all(&mem, vars, (int)w.nmaps, &ctx, 0, err);
	md_err rerr = *err;
	md_stop_stats st;
	md_stop_release(stop, &st, err);
	/* ---- the target runs ---- */
	r->pause_ns = st.pause_ns;
	r->threads = st.threads;
	r->reads = mem.syscalls - sys0;
	sr->rounds = w.rounds;
	if (rs != MD_OK) {
		*err = rerr;
		s = rs;
		goto out;
	}
	s = finish(sr, &w, &pv->sh, vars, &t.gf, &o->th, err);
out:
	if (mem_open)
		md_mem_close(&mem);
	md_rm_ctx_free(&ctx);
	if (vars)
		md_rm_free_vars(vars, cap);
	md_walk_free(&w);
	roots_free(&roots);
	md_target_close(&t);
	return s;
}

void md_scan_report_free(md_scan_report *sr)
{
	if (!sr)
		return;
	for (int i = 0; sr->x && i < sr->r.nmaps; i++) {
		free((char *)sr->r.maps[i].expr);
		sr->r.maps[i].expr = NULL;
		for (int a = 0; a < sr->x[i].naliases && a < MD_SCAN_MAX_ALIASES; a++)
			free(sr->x[i].aliases[a]);
	}
	for (int n = 0; n < sr->nnotes; n++)
		free(sr->notes[n].var);
	free(sr->x);
	free(sr->notes);
	md_report_free(&sr->r);
	scan_priv *pv = sr->priv;
	if (pv) {
		md_shapes_free(&pv->sh);
		free(pv);
	}
	memset(sr, 0, sizeof *sr);
}

/* ---- ranking ----------------------------------------------------------- */

static int sev_rank(const md_map_report *m)
{
	return m->status != MD_OK ? 3 : (int)m->v.sev;
}

static uint64_t bytes_of(const md_map_report *m)
{
	return m->status == MD_OK && !m->is_nil ? m->d.bytes_held : 0;
}

static double key_of(const md_map_report *m, md_scan_sort by)
{
	int ok = m->status == MD_OK && !m->is_nil;
	switch (by) {
	case MD_SORT_SEVERITY: return sev_rank(m);
	case MD_SORT_COUNT: return ok ? (double)m->d.entries : -1;
	case MD_SORT_LOAD: return ok ? m->d.load : -1;
	default: return (double)bytes_of(m);
	}
}

static int cmp_rank(const void *a, const void *b, void *arg)
{
	const md_scan_report *sr = ((const void **)arg)[0];
	md_scan_sort by = *(const md_scan_sort *)((const void **)arg)[1];
	const md_map_report *x = &sr->r.maps[*(const int *)a], *y = &sr->r.maps[*(const int *)b];
	double kx = key_of(x, by), ky = key_of(y, by);
	if (kx != ky)
		return kx > ky ? -1 : 1;
	uint64_t bx = bytes_of(x), by_ = bytes_of(y);
	if (bx != by_)
		return bx > by_ ? -1 : 1;
	return strcmp(x->expr, y->expr);
}

int md_scan_rank(const md_scan_report *sr, md_scan_sort by, uint64_t min_bytes, int top,
                 int *order)
{
	int n = 0;
	for (int i = 0; i < sr->r.nmaps; i++)
		if (!min_bytes || bytes_of(&sr->r.maps[i]) >= min_bytes)
			order[n++] = i;
	const void *ctx[2] = { sr, &by };
	qsort_r(order, (size_t)n, sizeof *order, cmp_rank, ctx);
	return top > 0 && top < n ? top : n;
}

int md_scan_exit_code(const md_scan_report *sr)
{
	return md_report_exit_code(&sr->r);
}
