/* scan.c - the flow of one mapdiag scan (see scan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scan.h"
#include "walk_priv.h"
#include "shape_priv.h"
#include "roots_priv.h"
#include "clock.h"
#include "mapread.h"
#include "snapshot.h"
#include "writers.h"
#include "parked.h"
#include "crash.h"
#include "target.h"
#include "gofacts.h"
#include "alloc.h"
#include "rtype.h"

/* Placeholder for a map's name in messages made during the stop, when
 * paths are not built yet (building them would lengthen the pause). */
static const char UNNAMED[] = "the map";

/* What the census works with, from the DWARF, before anything is read. */
typedef struct census {
	const md_scan_opts *o;
	md_target *t;
	md_shapes sh;
	md_roots roots;
	md_walk w;
	md_mem live, mem;          /* mem: live under the roots' synthetic values */
	md_overlay ov;
	md_stack_src src;          /* src.gl NULL: no goroutine stacks */
	md_g_layout gl;
	md_allgs_loc al;
	md_threads ts;
	md_status stacks_status;   /* why stacks are not walked, if not */
	md_err stacks_err;
	/* the snapshot's view of what the walk found */
	size_t hdr_max;            /* the largest header of any layout */
	md_mapread *maps;
	int cap;                   /* entries of maps, each with a header buffer */
	md_read *vrd;              /* the last hops re-read in the stop */
	uint64_t *vval;
	size_t vcap;
	unsigned char *moved;      /* per map: its last hop changed */
	uint64_t nmoved;
	uint64_t ngarbage;         /* maps from stack slots whose header was
	                              unreadable: garbage, not listed */
} census;

/* Point maps[0..w->nmaps) at what the walk found: layout and header
 * address.  Runs during the stop, so it touches only the maps (small, in
 * one array) and the shared layouts: reports are filled after release. */
static md_status bind_maps(census *c, uint64_t *grown, md_err *err)
{
	const md_walk *w = &c->w;
	/* every map of one binary has the same runtime header; the buffers
	 * are sized by the first layouts seen (a bigger one is refused by the
	 * reader, not overrun) */
	for (size_t i = 0; !c->cap && i < c->sh.nlayouts; i++)
		if (c->sh.layouts[i].status == MD_OK && c->sh.layouts[i].layout.header_size > c->hdr_max)
			c->hdr_max = c->sh.layouts[i].layout.header_size;
	if ((int)w->nmaps > c->cap) {
		/* --consistent walks again in the stop and may find more maps
		 * than its probe: room for a quarter more.  The default reads
		 * in the stop exactly the maps its walk found. */
		int nc = (int)w->nmaps + (c->o->consistent ? (int)w->nmaps / 4 + 16 : 0);
		md_mapread *v = realloc(c->maps, (size_t)nc * sizeof *v);
		if (!v)
			return md_err_set(err, MD_E_NOMEM, "%zu maps", w->nmaps);
		(*grown)++;
		c->maps = v;
		memset(v + c->cap, 0, (size_t)(nc - c->cap) * sizeof *v);
		for (int i = c->cap; i < nc; i++) {
			c->cap = i + 1;   /* what md_mapread_free must free */
			if (!(v[i].hdr = md_calloc_touched(1, c->hdr_max)))
				return md_err_set(err, MD_E_NOMEM, "header buffers");
		}
	}
	for (size_t i = 0; i < w->nmaps; i++) {
		const md_layout_ent *le = &c->sh.layouts[c->sh.slots[w->maps[i].slot].target];
		md_mapread *v = &c->maps[i];
		v->layout = &le->layout;
		v->skip = le->status != MD_OK || le->layout.header_size > c->hdr_max;
		v->plan = NULL;
		v->name = UNNAMED;
		v->header = w->maps[i].header;
	}
	return MD_OK;
}

/* Find the stack roots again (the globals stay) and walk. */
static md_status walk_all(census *c, md_mem *m, const md_threads *ts, md_err *err)
{
	md_status s;
	if (c->src.gl) {
		md_roots_clear_stacks(&c->roots);
		c->src.ts = ts;
		s = md_roots_stacks(&c->roots, &c->src, &c->live, &c->sh, c->o->depth,
		                    c->o->prefixes, c->o->nprefixes, err);
		if (s == MD_E_EXITED || s == MD_E_SYS || s == MD_E_NOMEM)
			return s;
		if (s != MD_OK)   /* allgs unreadable: the globals still count */
			c->roots.nf.unreadable++;
	}
	c->w.roots = c->roots.v;
	c->w.nroots = (int)c->roots.n;
	return md_walk_run(&c->w, m, err);
}

/* --consistent: the whole census inside the stop, after a probe census
 * of the running target has sized every buffer. */
static md_status walk_find(void *arg, md_mem *m, md_find_mode mode, md_mapread **maps,
                           int *n, int *slots, uint64_t *grown, md_err *err)
{
	census *c = arg;
	uint64_t walk_grown = c->w.grown;
	md_status s = walk_all(c, m, mode == MD_FIND_RECORD ? &c->ts : NULL, err);
	if (mode == MD_FIND_PROBE) {
		/* a probe that could not read everything still sizes what it saw */
		if (s == MD_E_EXITED || s == MD_E_NOMEM)
			return s;
		if ((s = md_walk_reserve(&c->w, err)) != MD_OK)
			return s;
	} else {
		*grown += c->w.grown - walk_grown;
		if (s != MD_OK)
			return s;
	}
	if ((s = bind_maps(c, grown, err)) != MD_OK)
		return s;
	*maps = c->maps;
	*n = (int)c->w.nmaps;
	*slots = c->cap;
	if (mode == MD_FIND_PROBE)
		return md_mem_reserve(m, 2 * c->w.peak_items + (size_t)c->cap + 64, err);
	return MD_OK;
}

/* Default: the census ran while the target ran; in the stop each map's
 * last hop (the word its map value was read from) is read again, and a
 * map it no longer points at is left out (counted as moved). */
static md_status verify_find(void *arg, md_mem *m, md_find_mode mode, md_mapread **maps,
                             int *n, int *slots, uint64_t *grown, md_err *err)
{
	census *c = arg;
	const md_walk *w = &c->w;
	md_status s;
	if (mode == MD_FIND_PROBE) {
		if ((s = bind_maps(c, grown, err)) != MD_OK)
			return s;
		size_t want = w->nmaps + 1;
		if (want > c->vcap) {
			free(c->vrd);
			free(c->vval);
			free(c->moved);
			c->vrd = md_calloc_touched(want, sizeof *c->vrd);
			c->vval = md_calloc_touched(want, sizeof *c->vval);
			c->moved = md_calloc_touched(want, 1);
			if (!c->vrd || !c->vval || !c->moved)
				return md_err_set(err, MD_E_NOMEM, "%zu maps", w->nmaps);
			c->vcap = want;
		}
		*maps = c->maps;
		*n = (int)w->nmaps;
		*slots = c->cap;
		return md_mem_reserve(m, w->nmaps + 64, err);
	}
	for (size_t i = 0; i < w->nmaps; i++)
		c->vrd[i] = (md_read){ w->maps[i].via, &c->vval[i], 8, 0 };
	s = md_mem_readv(m, c->vrd, w->nmaps, err);
	if (s == MD_E_EXITED || s == MD_E_SYS)
		return s;
	for (size_t i = 0; i < w->nmaps; i++) {
		c->moved[i] = !c->vrd[i].ok || c->vval[i] != w->maps[i].header;
		c->maps[i].skip |= c->moved[i];
	}
	*maps = c->maps;
	*n = (int)w->nmaps;
	*slots = c->cap;
	return MD_OK;
}

static char *path_dup(const md_walk *w, const md_walk_found *f)
{
	char buf[4096];
	md_walk_path(w, f->node, f->slot, buf, sizeof buf);
	return strdup(buf);
}

/* One map's entry: its path, its root, its bytes made sense of, its share
 * of the totals. */
/* What a map's entry needs of the walk's nodes, taken before they are
 * freed. */
typedef struct named {
	char *path;            /* owned until it moves into the report */
	int root;              /* roots[] index or -1 */
	int via_interface;
} named;

static md_status finish_map(md_scan_report *sr, int i, const census *c, int wi,
                            named *nm, md_mapread *v, const md_gofacts *gf,
                            const md_thresholds *th, md_err *err)
{
	const md_walk *w = &c->w;
	const md_shapes *sh = &c->sh;
	md_map_report *mr = &sr->r.maps[i];
	md_scan_map *x = &sr->x[i];
	const md_layout_ent *le = &sh->layouts[sh->slots[w->maps[wi].slot].target];
	mr->layout = &sr->r.layouts[sh->slots[w->maps[wi].slot].target];
	mr->status = le->status;
	if (mr->status != MD_OK)
		mr->err = le->err;
	const char *path = nm->path;
	mr->expr = nm->path;
	nm->path = NULL;
	x->depth = w->maps[wi].depth;
	x->via_interface = nm->via_interface;
	int ri = nm->root;
	if (ri >= 0 && w->roots[ri].kind == MD_ROOT_STACK) {
		x->root = MD_SCAN_ROOT_STACK;
		x->goroutine = w->roots[ri].goid;
		if (!(x->function = strdup(w->roots[ri].func ? w->roots[ri].func : "")))
			return md_err_set(err, MD_E_NOMEM, "paths");
	}
	if (ri >= 0 && !(x->owner = strdup(x->function ? x->function : w->roots[ri].name)))
		return md_err_set(err, MD_E_NOMEM, "paths");
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
		x->reclaimable = d->bytes_held - d->bytes_if_rebuilt;
	for (int f = 0; f < mr->view.v.nfindings; f++)
		if (strcmp(mr->view.v.findings[f].code, "oversized") == 0)
			x->oversized = 1;
	if (x->oversized) {
		sr->oversized++;
		sr->reclaimable += x->reclaimable;
	}
	return MD_OK;
}

static void finish_counts(md_scan_report *sr, const census *c)
{
	const md_walk_nf *wn = &c->w.nf;
	const md_roots_nf *rn = &c->roots.nf;
	struct md_scan_nf *n = &sr->nf;
	n->unsafe_pointer = wn->unsafe_ptr + rn->unsafe_ptr;
	n->interface_no_dwarf = wn->iface_no_dwarf;
	n->optimized_out = rn->optimized_out;
	n->register_lost = rn->register_lost;
	n->running_goroutine = rn->running;
	n->depth = wn->depth;
	n->slice_bound = wn->slice_bound;
	n->map_bound = wn->map_bound;
	n->walk_bound = wn->walk_bound + c->sh.truncated;
	n->unreadable = wn->unreadable + rn->unreadable + c->ngarbage;
	n->moved = c->nmoved;
	sr->truncated = c->w.truncated + c->sh.truncated;
	sr->unreadable = c->w.unreadable;
	sr->variables = c->roots.variables;
	sr->goroutines = c->roots.sv.goroutines;
	sr->frames = c->roots.sv.frames;
}

/* Every name the report will hold, made from the walk's nodes, which are
 * then freed (with the walk's rounds and sets): the reports are the
 * largest thing a census makes, and the peak is then them, not their sum
 * with the walk's. */
static md_status take_names(census *c, md_scan_report *sr, named **out, char ***apaths,
                            md_err *err)
{
	md_walk *w = &c->w;
	const md_shapes *sh = &c->sh;
	md_walk_trim(w);
	named *nm = calloc(w->nmaps + 1, sizeof *nm);
	char **ap = calloc(w->naliases + 1, sizeof *ap);
	sr->notes = calloc(w->nnotes + 1, sizeof *sr->notes);
	*out = nm;
	*apaths = ap;
	if (!nm || !ap || !sr->notes)
		return md_err_set(err, MD_E_NOMEM, "scan report");
	for (size_t i = 0; i < w->nmaps; i++) {
		if (c->moved && c->moved[i])
			continue;
		nm[i].root = md_walk_root_of(w, w->maps[i].node, &nm[i].via_interface);
		if (!(nm[i].path = path_dup(w, &w->maps[i])))
			return md_err_set(err, MD_E_NOMEM, "paths");
	}
	for (size_t a = 0; a < w->naliases; a++)
		if (!(c->moved && c->moved[w->aliases[a].of]) &&
		    !(ap[a] = path_dup(w, &w->aliases[a])))
			return md_err_set(err, MD_E_NOMEM, "paths");
	for (size_t n = 0; n < w->nnotes; n++) {
		const md_slot *sl = &sh->slots[w->notes[n].slot];
		md_scan_note *no = &sr->notes[sr->nnotes];
		if (!(no->var = path_dup(w, &w->notes[n])) ||
		    !(no->type = strdup(sh->notes[sl->target].type)))
			return md_err_set(err, MD_E_NOMEM, "paths");
		no->reason = sh->notes[sl->target].reason;
		sr->nnotes++;
	}
	md_walk_drop_nodes(w);
	return MD_OK;
}

/* A map reached from a goroutine's stack whose header cannot be read or
 * is not a map's: a DWARF location list can call a slot live at a pc
 * where it is dead (Go 1.19's are loose), and a dead slot holds whatever
 * was last written there, so what it leads to proves nothing about the
 * program's maps.  Counted as unreadable, not listed as a broken map.  A
 * global's slot is always live, so its broken map stays an error. */
static void drop_garbage(md_scan_report *sr, census *c, int *at, int i)
{
	md_report *r = &sr->r;
	md_map_report *mr = &r->maps[at[i]];
	md_scan_map *x = &sr->x[at[i]];
	md_map_view_free(&mr->view);
	free((char *)mr->expr);
	free(x->function);
	free(x->owner);
	memset(mr, 0, sizeof *mr);
	memset(x, 0, sizeof *x);
	r->nmaps--;
	at[i] = -1;
	c->ngarbage++;
}

/* After the release: names, decoding, aliases, notes, totals.  Maps that
 * moved are left out (and counted); an alias of one goes with it. */
static md_status finish(md_scan_report *sr, census *c, const md_gofacts *gf,
                        const md_thresholds *th, md_err *err)
{
	const md_walk *w = &c->w;
	md_report *r = &sr->r;
	named *nm = NULL;
	char **ap = NULL;
	int *at = NULL;   /* walk index -> report index */
	md_status s = take_names(c, sr, &nm, &ap, err);
	if (s == MD_OK) {
		s = md_report_layouts(r, (int)c->sh.nlayouts, err);
		for (size_t k = 0; s == MD_OK && k < c->sh.nlayouts; k++)
			r->layouts[k] = c->sh.layouts[k].layout;
		at = calloc(w->nmaps + 1, sizeof *at);
		r->maps = calloc(w->nmaps + 1, sizeof *r->maps);
		sr->x = calloc(w->nmaps + 1, sizeof *sr->x);
		if (s == MD_OK && (!at || !r->maps || !sr->x))
			s = md_err_set(err, MD_E_NOMEM, "scan report");
	}
	for (size_t i = 0; i < w->nmaps && s == MD_OK; i++) {
		if (c->moved && c->moved[i]) {
			c->nmoved++;
			at[i] = -1;
			continue;
		}
		at[i] = r->nmaps++;
		s = finish_map(sr, at[i], c, (int)i, &nm[i], &c->maps[i], gf, th, err);
		if (s == MD_OK && r->maps[at[i]].status != MD_OK && nm[i].root >= 0 &&
		    w->roots[nm[i].root].kind == MD_ROOT_STACK)
			drop_garbage(sr, c, at, (int)i);
		/* decoded: its buffers make room for the next reports */
		md_mapread_release(&c->maps[i]);
	}
	for (size_t a = 0; s == MD_OK && a < w->naliases; a++) {
		if (at[w->aliases[a].of] < 0)
			continue;
		md_scan_map *x = &sr->x[at[w->aliases[a].of]];
		if (x->naliases < MD_SCAN_MAX_ALIASES) {
			x->aliases[x->naliases] = ap[a];
			ap[a] = NULL;
		}
		x->naliases++;
	}
	for (size_t i = 0; nm && i < w->nmaps; i++)
		free(nm[i].path);
	for (size_t a = 0; ap && a < w->naliases; a++)
		free(ap[a]);
	free(nm);
	free(ap);
	free(at);
	if (s == MD_OK)
		finish_counts(sr, c);
	return s;
}

/* Interfaces are followed when the DWARF can name run-time types. */
static void dynamic_types(census *c)
{
	md_err e;
	md_rtypes rt;
	if (md_rtypes_load(c->t->dw, c->t->bias, &rt, &e) != MD_OK)
		return;
	c->sh.types_base = rt.types_base;
	c->sh.itab_type_off = rt.itab_type_off;
	c->sh.rt = rt;
	c->w.dyn = &c->sh;
}

/* Goroutine stacks are walked when the runtime's DWARF describes them. */
static void stack_source(census *c, md_cfi **cfi)
{
	md_dwarf *d = c->t->dw;
	c->stacks_status = md_g_layout_load(d, &c->gl, &c->stacks_err);
	if (c->stacks_status == MD_OK)
		c->stacks_status = md_allgs_locate(d, c->t->bias, &c->al, &c->stacks_err);
	if (c->stacks_status != MD_OK)
		return;
	if (md_cfi_open(d, cfi, &c->stacks_err) != MD_OK)
		*cfi = NULL;   /* frame pointers only */
	c->src = (md_stack_src){ d, *cfi, c->t->bias, &c->gl, &c->al, NULL };
}

static void census_free(census *c)
{
	md_mem_close(&c->mem);
	md_mem_close(&c->live);
	if (c->maps)
		md_mapread_free(c->maps, c->cap);
	free(c->vrd);
	free(c->vval);
	free(c->moved);
	md_threads_free(&c->ts);
	md_walk_free(&c->w);
	md_roots_free(&c->roots);
	md_shapes_free(&c->sh);
}

static md_status census_run(census *c, md_scan_report *sr, md_err *err)
{
	const md_scan_opts *o = c->o;
	md_status s;
	md_snapshot_finder finder = { o->consistent ? walk_find : verify_find, c };
	md_snapshot sn = { .mem = &c->mem, .stop_timeout_ms = o->stop_timeout_ms,
	                   .finder = &finder, .proc = &c->t->proc, .dw = c->t->dw };
	if (o->consistent && c->src.gl) {
		sn.threads = &c->ts;
		sn.gl = &c->gl;
	}
	uint64_t t0 = md_now_ns(), b0 = c->live.bytes;
	if (!o->consistent && (s = walk_all(c, &c->mem, NULL, err)) != MD_OK)
		goto out;
	sr->walk_ns = md_now_ns() - t0;
	if ((s = md_snapshot_prepare(&sn, err)) != MD_OK)
		goto out;
	if (o->consistent)
		sr->walk_ns = 0;
	sr->bytes_walked = c->live.bytes - b0;
	s = md_snapshot_take(&sn, err);
	md_report_stopped(&sr->r, sn.stop.pause_ns, sn.stop.threads, sn.reads);
	sr->rounds = c->w.rounds;
	sr->consistent = o->consistent;
out:
	md_snapshot_free(&sn);
	return s;
}

/* A core: nothing runs, so the census is consistent without a stop: the
 * threads from the core (the running goroutines' registers), the walk,
 * then every map found read once. */
static md_status census_run_core(census *c, md_scan_report *sr, md_err *err)
{
	uint64_t t0 = md_now_ns(), b0 = c->live.bytes, grown = 0;
	md_mapread_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	md_status s = MD_OK;
	if (c->src.gl)
		s = md_threads_from_core(&c->ts, &c->t->core, c->t->proc.exe_path, &c->live, &c->gl, err);
	if (s == MD_OK)
		s = walk_all(c, &c->mem, c->src.gl ? &c->ts : NULL, err);
	if (s == MD_OK)
		s = bind_maps(c, &grown, err);
	int n = (int)c->w.nmaps;
	if (s == MD_OK && n)
		s = md_mapread_prepare(&c->mem, c->maps, n, &ctx, c->cap, err);
	if (s == MD_OK && n)
		s = md_mapread_all(&c->mem, c->maps, n, &ctx, MD_READ_RECORD, err);
	md_mapread_ctx_free(&ctx);
	sr->walk_ns = md_now_ns() - t0;
	sr->bytes_walked = c->live.bytes - b0;
	sr->rounds = c->w.rounds;
	sr->consistent = 1;
	sr->r.reads = c->live.syscalls;
	return s;
}

/* A core of a concurrent-map fatal error: its threads and parked
 * goroutines judged as attach --core judges them, after the census, so
 * that the caught map is named by its census path. */
static void core_crash(census *c, md_cfi *cfi, md_scan_report *sr, const md_gofacts *gf)
{
	md_report *r = &sr->r;
	int swiss = -1;
	for (int i = 0; i < r->nmaps && swiss < 0; i++)
		if (r->maps[i].status == MD_OK)
			swiss = r->maps[i].layout->impl == MD_IMPL_SWISS;
	md_err e;
	if (swiss < 0 || !c->src.gl ||
	    md_writers_analyse(c->t->dw, cfi, &c->ts, c->t->bias, gf->minor, swiss, 1, &r->analysis,
	                       &e) != MD_OK)
		return;
	md_allgs_buf gs = { 0 };
	md_parked pk = { 0 };
	md_parked_src ps = { c->t->dw, cfi, c->t->bias, gf->minor, swiss, &c->gl, &c->al, &gs,
	                     &c->ts };
	if (md_allgs_prepare(&gs, &c->live, &c->gl, &c->al, &e) == MD_OK &&
	    md_allgs_capture(&gs, &c->live, &c->gl, &c->al, &e) == MD_OK &&
	    md_parked_copy(&pk, &ps, &c->live, &e) == MD_OK)
		md_parked_find(&pk, &ps, &r->analysis, &e);
	md_crash_find(r);
	md_parked_free(&pk);
	md_allgs_buf_free(&gs);
}

md_status md_scan(const md_scan_opts *o, md_scan_report *sr, md_err *err)
{
	memset(sr, 0, sizeof *sr);
	md_report *r = &sr->r;
	sr->depth = o->depth;
	sr->max_elems = MD_SCAN_MAX_ELEMS;

	md_target t;
	md_gofacts gf;
	md_cfi *cfi = NULL;
	census c;
	memset(&c, 0, sizeof c);
	c.o = o;
	c.t = &t;
	c.hdr_max = 8;
	md_shapes_init(&c.sh, NULL);
	md_walk_init(&c.w, &c.sh, NULL, 0);

	md_target_spec sp = { o->pid, o->core, o->exe, o->debug_file, o->debug_dir, 0 };
	md_status s = md_target_open_spec(&sp, &t, &c.live, err);
	md_report_init(r, o->core ? t.proc.pid : o->pid, t.proc.exe_path, t.go_version);
	if (o->core)
		md_report_core(r, o->core, t.core.nthreads ? t.core.threads[0].signo : 0,
		               t.exe_checked);
	if (s != MD_OK || (s = md_gofacts_check(t.go_version, err)) != MD_OK)
		goto out;
	md_gofacts_for(t.go_version, &gf);
	md_shapes_init(&c.sh, t.dw);
	dynamic_types(&c);
	c.ov = (md_overlay){ &c.live, &c.roots.sv.synth_copy, 1 };
	md_mem_open_overlay(&c.mem, &c.ov);
	c.sh.mem = &c.live;   /* type descriptors: read-only data */

	/* all DWARF work for the package variables, while the target runs */
	if ((s = md_roots_globals(&c.roots, t.dw, t.bias, o->prefixes, o->nprefixes, &c.sh,
	                          o->depth, &c.live, err)) != MD_OK)
		goto out;
	if (o->stacks)
		stack_source(&c, &cfi);
	s = o->core ? census_run_core(&c, sr, err) : census_run(&c, sr, err);
	if (s == MD_OK)
		s = finish(sr, &c, &gf, &o->th, err);
	if (s == MD_OK && o->core)
		core_crash(&c, cfi, sr, &gf);
out:
	census_free(&c);
	md_cfi_free(cfi);
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
