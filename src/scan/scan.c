/* scan.c - the flow of one mapdiag scan (see scan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "walk_priv.h"
#include "shape_priv.h"
#include "mapread.h"
#include "snapshot.h"
#include "target.h"
#include "gofacts.h"
#include "alloc.h"

typedef struct root_list {
	md_walk_root *v;
	md_type_id *types;
	size_t n, cap;
	uint64_t bias;
	int nomem;
} root_list;

static int add_root(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	root_list *l = arg;
	size_t vcap = l->cap, tcap = l->cap;
	if (!md_grow((void **)&l->v, &vcap, l->n + 1, sizeof *l->v, 256) ||
	    !md_grow((void **)&l->types, &tcap, l->n + 1, sizeof *l->types, 256)) {
		l->nomem = 1;
		return 1;
	}
	l->cap = vcap < tcap ? vcap : tcap;
	char *dup = strdup(name);
	if (!dup) {
		l->nomem = 1;
		return 1;
	}
	l->v[l->n] = (md_walk_root){ dup, addr + l->bias, -1 };
	l->types[l->n++] = type;
	return 0;
}

static void roots_free(root_list *l)
{
	for (size_t i = 0; i < l->n; i++)
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
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		int seen = 0;
		for (size_t j = 0; o->nprefixes > 1 && j < k && !seen; j++)
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

/* The walk as the snapshot's finder: what it found, as maps to read. */
typedef struct walk_finder {
	md_walk *w;
	const md_shapes *sh;
	size_t hdr_max;            /* the largest header of any layout */
	md_mapread *maps;
	int cap;                   /* entries of maps, each with a header buffer */
} walk_finder;

/* Point maps[0..w->nmaps) at what the walk found: layout and header
 * address.  Runs during the stop, so it touches only the maps (small, in
 * one array) and the shared layouts: reports are filled after release. */
static md_status bind_maps(walk_finder *wf, uint64_t *grown, md_err *err)
{
	const md_walk *w = wf->w;
	if ((int)w->nmaps > wf->cap) {
		int nc = (int)w->nmaps + (int)w->nmaps / 4 + 16;
		md_mapread *v = realloc(wf->maps, (size_t)nc * sizeof *v);
		if (!v)
			return md_err_set(err, MD_E_NOMEM, "%zu maps", w->nmaps);
		(*grown)++;
		wf->maps = v;
		memset(v + wf->cap, 0, (size_t)(nc - wf->cap) * sizeof *v);
		for (int i = wf->cap; i < nc; i++) {
			wf->cap = i + 1;   /* what md_mapread_free must free */
			if (!(v[i].hdr = md_calloc_touched(1, wf->hdr_max)))
				return md_err_set(err, MD_E_NOMEM, "header buffers");
		}
	}
	for (size_t i = 0; i < w->nmaps; i++) {
		const md_layout_ent *le = &wf->sh->layouts[wf->sh->slots[w->maps[i].slot].target];
		md_mapread *v = &wf->maps[i];
		v->layout = &le->layout;
		v->skip = le->status != MD_OK;
		v->plan = NULL;
		v->name = UNNAMED;
		v->header = w->maps[i].header;
	}
	return MD_OK;
}

static md_status walk_find(void *arg, md_mem *m, md_find_mode mode, md_mapread **maps,
                           int *n, int *slots, uint64_t *grown, md_err *err)
{
	walk_finder *wf = arg;
	uint64_t walk_grown = wf->w->grown;
	md_status s = md_walk_run(wf->w, m, err);
	if (mode == MD_FIND_PROBE) {
		/* a probe that could not read everything still sizes what it saw */
		if (s == MD_E_EXITED || s == MD_E_NOMEM)
			return s;
		if ((s = md_walk_reserve(wf->w, err)) != MD_OK)
			return s;
	} else {
		*grown += wf->w->grown - walk_grown;
		if (s != MD_OK)
			return s;
	}
	if ((s = bind_maps(wf, grown, err)) != MD_OK)
		return s;
	*maps = wf->maps;
	*n = (int)wf->w->nmaps;
	*slots = wf->cap;
	if (mode == MD_FIND_PROBE)
		return md_mem_reserve(m, 2 * wf->w->peak_items + (size_t)wf->cap + 64, err);
	return MD_OK;
}

static char *path_dup(const md_walk *w, const md_walk_found *f)
{
	char buf[2048];
	md_walk_path(w, f->node, f->slot, buf, sizeof buf);
	return strdup(buf);
}

/* One map's entry: its path, its bytes made sense of, its share of the
 * totals. */
static md_status finish_map(md_scan_report *sr, int i, const md_walk *w, const md_shapes *sh,
                            md_mapread *v, const md_gofacts *gf, const md_thresholds *th,
                            md_err *err)
{
	md_map_report *mr = &sr->r.maps[i];
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
	if (v->rstatus != MD_OK) {
		/* messages made during the stop say "the map": name it */
		md_err e = v->rerr;
		v->rerr.code = MD_OK;
		md_err_set(&v->rerr, e.code, "%s: %s", path, e.detail);
	}
	md_map_bytes b;
	md_mapread_bytes(v, &b);
	md_map_report_take(mr, v->rstatus, &v->rerr, &b, gf);
	md_map_report_classify(mr, th);
	if (mr->status != MD_OK)
		return MD_OK;
	if (mr->view.is_nil) {
		sr->nil_maps++;
		return MD_OK;
	}
	const md_derived *d = &mr->view.d;
	sr->bytes_held += d->bytes_held;
	if (d->bytes_held > d->bytes_if_rebuilt)
		sr->x[i].reclaimable = d->bytes_held - d->bytes_if_rebuilt;
	for (int f = 0; f < mr->view.v.nfindings; f++)
		if (strcmp(mr->view.v.findings[f].code, "oversized") == 0)
			sr->x[i].oversized = 1;
	if (sr->x[i].oversized) {
		sr->oversized++;
		sr->reclaimable += sr->x[i].reclaimable;
	}
	return MD_OK;
}

/* After the release: names, decoding, aliases, notes, totals. */
static md_status finish(md_scan_report *sr, const md_walk *w, const md_shapes *sh,
                        md_mapread *vars, const md_gofacts *gf, const md_thresholds *th,
                        md_err *err)
{
	md_report *r = &sr->r;
	r->maps = calloc(w->nmaps + 1, sizeof *r->maps);
	sr->x = calloc(w->nmaps + 1, sizeof *sr->x);
	sr->notes = calloc(w->nnotes + 1, sizeof *sr->notes);
	if (!r->maps || !sr->x || !sr->notes)
		return md_err_set(err, MD_E_NOMEM, "scan report");
	r->nmaps = (int)w->nmaps;
	md_status s;
	for (int i = 0; i < r->nmaps; i++)
		if ((s = finish_map(sr, i, w, sh, &vars[i], gf, th, err)) != MD_OK)
			return s;
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
		if (!(no->var = path_dup(w, &w->notes[n])) ||
		    !(no->type = strdup(sh->notes[sl->target].type)))
			return md_err_set(err, MD_E_NOMEM, "paths");
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
	sr->depth = o->depth;
	sr->max_elems = MD_SCAN_MAX_ELEMS;

	md_target t;
	md_shapes sh;
	root_list roots = { 0 };
	md_walk w;
	md_mem mem = { 0 };
	md_gofacts gf;
	walk_finder wf = { &w, &sh, 8, NULL, 0 };
	md_snapshot_finder finder = { walk_find, &wf };
	md_snapshot sn = { .mem = &mem, .stop_timeout_ms = o->stop_timeout_ms, .finder = &finder };
	md_shapes_init(&sh, NULL);
	md_walk_init(&w, &sh, NULL, 0);

	md_status s = md_target_open(o->pid, o->debug_file, o->debug_dir, &t, err);
	md_report_init(r, o->pid, t.proc.exe_path, t.go_version);
	if (s != MD_OK)
		goto out;
	md_gofacts_for(t.go_version, &gf);
	md_shapes_init(&sh, t.dw);

	/* all DWARF work, while the target runs */
	if ((s = find_roots(o, &t, &sh, &roots, sr, err)) != MD_OK)
		goto out;
	for (size_t i = 0; i < sh.nlayouts; i++)
		if (sh.layouts[i].status == MD_OK && sh.layouts[i].layout.header_size > wf.hdr_max)
			wf.hdr_max = sh.layouts[i].layout.header_size;
	md_walk_init(&w, &sh, roots.v, (int)roots.n);
	if ((s = md_mem_open_live(&mem, o->pid, 0, err)) != MD_OK)
		goto out;
	sn.proc = &t.proc;
	sn.dw = t.dw;
	/* a probe walk of the running target sizes every buffer */
	if ((s = md_snapshot_prepare(&sn, err)) != MD_OK)
		goto out;
	s = md_snapshot_take(&sn, err);
	md_report_stopped(r, sn.stop.pause_ns, sn.stop.threads, sn.reads);
	sr->rounds = w.rounds;
	if (s == MD_OK)
		s = finish(sr, &w, &sh, wf.maps, &gf, &o->th, err);
out:
	md_snapshot_free(&sn);
	md_mem_close(&mem);
	if (wf.maps)
		md_mapread_free(wf.maps, wf.cap);
	md_walk_free(&w);
	roots_free(&roots);
	md_shapes_free(&sh);
	md_target_close(&t);
	return s;
}

/* ---- ranking ----------------------------------------------------------- */

static const char *const sort_names[] = { "bytes", "severity", "count", "load" };

const char *md_scan_sort_name(md_scan_sort by)
{
	return (unsigned)by < 4 ? sort_names[by] : "bytes";
}

int md_scan_sort_parse(const char *s, md_scan_sort *out)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, sort_names[i])) {
			*out = (md_scan_sort)i;
			return 0;
		}
	return -1;
}

static int sev_rank(const md_map_report *m)
{
	return m->status != MD_OK ? 3 : (int)m->view.v.sev;
}

static uint64_t bytes_of(const md_map_report *m)
{
	return m->status == MD_OK && !m->view.is_nil ? m->view.d.bytes_held : 0;
}

static double key_of(const md_map_report *m, md_scan_sort by)
{
	int ok = m->status == MD_OK && !m->view.is_nil;
	switch (by) {
	case MD_SORT_SEVERITY: return sev_rank(m);
	case MD_SORT_COUNT: return ok ? (double)m->view.d.entries : -1;
	case MD_SORT_LOAD: return ok ? m->view.d.load : -1;
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
