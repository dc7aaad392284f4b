/* walk.c - the walk of mapdiag scan (see walk_priv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "walk_priv.h"
#include "alloc.h"
#include "hash.h"

/* ---- a set of (address, tag) with O(1) reset ------------------------- */

struct walk_ent {
	uint64_t key, tag;
	uint32_t gen;       /* live when equal to the set's gen */
	int val;
};

struct md_walk_set {
	struct walk_ent *t;
	size_t cap, n;      /* cap: a power of two */
	uint32_t gen;
};

static void set_reset(struct md_walk_set *s)
{
	s->n = 0;
	if (++s->gen == 0) {   /* wrapped: old entries would look live */
		if (s->t)
			memset(s->t, 0, s->cap * sizeof *s->t);
		s->gen = 1;
	}
}

static size_t set_slot(uint64_t key, uint64_t tag, size_t mask)
{
	uint64_t h = (key ^ (tag << 47) ^ (tag >> 17)) * MD_HASH_GOLDEN;
	return (size_t)(h ^ (h >> 31)) & mask;
}

static int set_resize(struct md_walk_set *s, size_t ncap)
{
	struct walk_ent *old = s->t;
	size_t ocap = s->cap;
	struct walk_ent *t = md_calloc_touched(ncap, sizeof *t);
	if (!t)
		return 0;
	uint32_t gen = s->gen ? s->gen : 1;
	for (size_t i = 0; i < ocap; i++) {
		if (old[i].gen != s->gen)
			continue;
		size_t j = set_slot(old[i].key, old[i].tag, ncap - 1);
		while (t[j].gen == gen)
			j = (j + 1) & (ncap - 1);
		t[j] = old[i];
		t[j].gen = gen;
	}
	free(old);
	s->t = t;
	s->cap = ncap;
	s->gen = gen;
	return 1;
}

/* Insert (key, tag) -> val unless present.  Returns 1 and the value
 * present in *val, 0 after inserting, -1 when out of memory. */
static int set_put(struct md_walk_set *s, uint64_t key, uint64_t tag, int *val)
{
	if (2 * (s->n + 1) > s->cap && !set_resize(s, s->cap ? 2 * s->cap : 1024))
		return -1;
	size_t mask = s->cap - 1;
	size_t i = set_slot(key, tag, mask);
	for (; s->t[i].gen == s->gen; i = (i + 1) & mask)
		if (s->t[i].key == key && s->t[i].tag == tag) {
			*val = s->t[i].val;
			return 1;
		}
	s->t[i] = (struct walk_ent){ key, tag, s->gen, *val };
	s->n++;
	return 0;
}

/* ---- growth of the walk's arrays ------------------------------------- */

/* Make *p hold want elements of size sz (during a stop this allocates
 * only when the probe underestimated: counted in w->grown). */
static int fit(md_walk *w, void **p, size_t *cap, size_t want, size_t sz)
{
	if (want <= *cap)
		return 1;
	w->grown++;
	if (md_grow(p, cap, want, sz, 256))
		return 1;
	w->nomem = MD_E_NOMEM;
	return 0;
}

void md_walk_init(md_walk *w, const md_shapes *sh, const md_walk_root *roots, int nroots)
{
	memset(w, 0, sizeof *w);
	w->sh = sh;
	w->roots = roots;
	w->nroots = nroots;
}

void md_walk_free(md_walk *w)
{
	free(w->cur);
	free(w->next);
	free(w->rd);
	free(w->who);
	free(w->nodes);
	free(w->maps);
	free(w->aliases);
	free(w->notes);
	if (w->visited)
		free(w->visited->t);
	if (w->headers)
		free(w->headers->t);
	free(w->visited);
	free(w->headers);
	memset(w, 0, sizeof *w);
}

static int new_node(md_walk *w, int parent, int root, uint32_t suffix, int64_t index)
{
	if (w->nnodes >= INT32_MAX ||
	    !fit(w, (void **)&w->nodes, &w->cap_nodes, w->nnodes + 1, sizeof *w->nodes))
		return -1;
	w->nodes[w->nnodes] = (md_walk_node){ parent, root, suffix, index };
	return (int)w->nnodes++;
}

/* Queue the slots of shape `shape` of the value at base for the next round. */
static void expand(md_walk *w, int shape, uint64_t base, int node)
{
	const md_shape *sh = &w->sh->shapes[shape];
	if (w->nnext + sh->n > MD_SCAN_MAX_ITEMS) {
		w->truncated += sh->n;
		return;
	}
	if (!fit(w, (void **)&w->next, &w->cap_next, w->nnext + sh->n, sizeof *w->next))
		return;
	for (size_t i = 0; i < sh->n; i++) {
		md_walk_item *it = &w->next[w->nnext++];
		it->addr = base + w->sh->slots[sh->first + i].off;
		it->node = node;
		it->slot = (uint32_t)(sh->first + i);
	}
}

static void record(md_walk *w, md_walk_found **list, size_t *n, size_t *cap,
                   const md_walk_found *f)
{
	if (*n >= MD_SCAN_MAX_MAPS) {
		w->truncated++;
		return;
	}
	if (fit(w, (void **)list, cap, *n + 1, sizeof **list))
		(*list)[(*n)++] = *f;
}

static uint64_t le64(const unsigned char *b)
{
	uint64_t v;
	memcpy(&v, b, 8);   /* amd64 and arm64 are little-endian */
	return v;
}

static size_t read_len(const md_slot *sl)
{
	return sl->kind == MD_SLOT_SLICE ? md_slice_hdr_len(&sl->hdr) : 8;
}

/* What one read item yields: a map, a pointee to walk, slice elements. */
static void take(md_walk *w, const md_walk_item *it, int depth)
{
	const md_slot *sl = &w->sh->slots[it->slot];
	if (sl->kind == MD_SLOT_MAP) {
		md_walk_found f = { le64(it->buf), it->node, it->slot, depth, -1 };
		int idx = (int)w->nmaps;
		/* a nil map is its own map; equal headers are one map */
		int had = f.header ? set_put(w->headers, f.header, 0, &idx) : 0;
		if (had < 0) {
			w->nomem = MD_E_NOMEM;
			return;
		}
		if (had) {
			f.of = idx;
			record(w, &w->aliases, &w->naliases, &w->cap_aliases, &f);
		} else {
			record(w, &w->maps, &w->nmaps, &w->cap_maps, &f);
		}
		return;
	}
	if (sl->kind == MD_SLOT_PTR) {
		uint64_t p = le64(it->buf);
		int v = 0;
		if (!p)
			return;
		/* A pointee is walked once per type: the first visit, at the
		 * fewest hops, has the most depth left, so a later one could
		 * only find the same maps again.  Cycles end here. */
		int had = set_put(w->visited, p, w->sh->shapes[sl->target].type, &v);
		if (had < 0)
			w->nomem = MD_E_NOMEM;
		if (had)
			return;
		int n = new_node(w, it->node, -1, sl->suffix, -1);
		if (n >= 0)
			expand(w, sl->target, p, n);
		return;
	}
	/* a slice: its elements */
	uint64_t data = le64(it->buf + sl->hdr.off_data);
	int64_t len = (int64_t)le64(it->buf + sl->hdr.off_len);
	if (!data || len <= 0)
		return;
	if (len > MD_SCAN_MAX_ELEMS) {
		w->truncated += (uint64_t)len - MD_SCAN_MAX_ELEMS;
		len = MD_SCAN_MAX_ELEMS;
	}
	size_t per = w->sh->shapes[sl->target].n;
	for (int64_t i = 0; i < len; i++) {
		/* Once the round is full, expand() drops the element's slots, so
		 * make no node for it either: otherwise a slice of slice headers
		 * each claiming 65536 elements (garbage memory) would make
		 * billions of nodes. */
		if (w->nnext + per > MD_SCAN_MAX_ITEMS) {
			w->truncated += (uint64_t)(len - i) * per;
			return;
		}
		int n = new_node(w, it->node, -1, sl->suffix, i);
		if (n < 0)
			return;
		expand(w, sl->target, data + (uint64_t)i * sl->elem_size, n);
	}
}

md_status md_walk_run(md_walk *w, md_mem *m, md_err *err)
{
	if (!w->visited && !(w->visited = calloc(1, sizeof *w->visited)))
		return md_err_set(err, MD_E_NOMEM, "scan");
	if (!w->headers && !(w->headers = calloc(1, sizeof *w->headers)))
		return md_err_set(err, MD_E_NOMEM, "scan");
	set_reset(w->visited);
	set_reset(w->headers);
	w->nnodes = w->nmaps = w->naliases = w->nnotes = 0;
	w->truncated = w->unreadable = w->rounds = 0;
	w->nomem = MD_OK;
	w->nnext = 0;
	for (int r = 0; r < w->nroots; r++) {
		int n = new_node(w, -1, r, 0, -1);
		if (n >= 0)
			expand(w, w->roots[r].shape, w->roots[r].addr, n);
	}
	for (int depth = 0; w->nnext && depth <= MD_SHAPE_MAX_DEPTH + 1; depth++) {
		/* this round's items are the last round's "next" */
		md_walk_item *t = w->cur;
		size_t tc = w->cap_cur;
		w->cur = w->next;
		w->cap_cur = w->cap_next;
		w->ncur = w->nnext;
		w->next = t;
		w->cap_next = tc;
		w->nnext = 0;
		if (w->ncur > w->peak_items)
			w->peak_items = w->ncur;
		if (!fit(w, (void **)&w->rd, &w->cap_rd, w->ncur, sizeof *w->rd) ||
		    !fit(w, (void **)&w->who, &w->cap_who, w->ncur, sizeof *w->who))
			break;
		size_t k = 0;
		for (size_t i = 0; i < w->ncur; i++) {
			md_walk_item *it = &w->cur[i];
			const md_slot *sl = &w->sh->slots[it->slot];
			if (sl->kind == MD_SLOT_NOTE) {
				md_walk_found f = { 0, it->node, it->slot, depth, -1 };
				record(w, &w->notes, &w->nnotes, &w->cap_notes, &f);
				continue;
			}
			w->rd[k] = (md_read){ it->addr, it->buf, read_len(sl), 0 };
			w->who[k++] = (int)i;
		}
		md_status s = md_mem_readv(m, w->rd, k, err);
		w->rounds++;
		if (s == MD_E_EXITED || s == MD_E_SYS)
			return s;
		for (size_t j = 0; j < k; j++) {
			if (!w->rd[j].ok) {
				w->unreadable++;
				continue;
			}
			take(w, &w->cur[w->who[j]], depth);
		}
		if (w->nomem != MD_OK)
			break;
	}
	if (w->nomem != MD_OK)
		return md_err_set(err, MD_E_NOMEM, "scan: out of memory while walking");
	return MD_OK;
}

md_status md_walk_reserve(md_walk *w, md_err *err)
{
	size_t items = 2 * w->peak_items + 64;
	int ok = fit(w, (void **)&w->cur, &w->cap_cur, items, sizeof *w->cur) &&
	         fit(w, (void **)&w->next, &w->cap_next, items, sizeof *w->next) &&
	         fit(w, (void **)&w->rd, &w->cap_rd, items, sizeof *w->rd);
	ok = ok && fit(w, (void **)&w->who, &w->cap_who, items, sizeof *w->who);
	ok = ok && fit(w, (void **)&w->nodes, &w->cap_nodes, 2 * w->nnodes + 64, sizeof *w->nodes) &&
	     fit(w, (void **)&w->maps, &w->cap_maps, 2 * w->nmaps + 16, sizeof *w->maps) &&
	     fit(w, (void **)&w->aliases, &w->cap_aliases, 2 * w->naliases + 16,
	         sizeof *w->aliases) &&
	     fit(w, (void **)&w->notes, &w->cap_notes, 2 * w->nnotes + 16, sizeof *w->notes);
	if (ok && w->visited && w->visited->cap < 4 * (w->visited->n + 64))
		ok = set_resize(w->visited, 4 * (w->visited->n + 64) > 1024 ?
		                (size_t)1 << (64 - __builtin_clzll(4 * (w->visited->n + 64))) : 1024);
	if (ok && w->headers && w->headers->cap < 4 * (w->headers->n + 64))
		ok = set_resize(w->headers, 4 * (w->headers->n + 64) > 1024 ?
		                (size_t)1 << (64 - __builtin_clzll(4 * (w->headers->n + 64))) : 1024);
	if (!ok)
		return md_err_set(err, MD_E_NOMEM, "scan buffers");
	/* touch: no page fault is left for the stop */
	memset(w->cur, 0, w->cap_cur * sizeof *w->cur);
	memset(w->next, 0, w->cap_next * sizeof *w->next);
	memset(w->rd, 0, w->cap_rd * sizeof *w->rd);
	memset(w->who, 0, w->cap_who * sizeof *w->who);
	memset(w->nodes, 0, w->cap_nodes * sizeof *w->nodes);
	memset(w->maps, 0, w->cap_maps * sizeof *w->maps);
	memset(w->aliases, 0, w->cap_aliases * sizeof *w->aliases);
	memset(w->notes, 0, w->cap_notes * sizeof *w->notes);
	return MD_OK;
}

size_t md_walk_path(const md_walk *w, int node, uint32_t slot, char *buf, size_t n)
{
	int chain[2 * MD_SHAPE_MAX_DEPTH + 8];
	int depth = 0;
	size_t len = 0;
	if (!n)
		return 0;
	buf[0] = '\0';
	for (int x = node; x >= 0 && depth < (int)(sizeof chain / sizeof *chain);
	     x = w->nodes[x].parent)
		chain[depth++] = x;
	for (int i = depth - 1; i >= 0; i--) {
		const md_walk_node *nd = &w->nodes[chain[i]];
		int r;
		if (nd->parent < 0)
			r = snprintf(buf + len, n - len, "%s", w->roots[nd->root].name);
		else if (nd->index >= 0)
			r = snprintf(buf + len, n - len, "%s[%lld]", w->sh->pool + nd->suffix,
			             (long long)nd->index);
		else
			r = snprintf(buf + len, n - len, "%s", w->sh->pool + nd->suffix);
		if (r < 0 || (size_t)r >= n - len)
			return n - 1;
		len += (size_t)r;
	}
	int r = snprintf(buf + len, n - len, "%s", w->sh->pool + w->sh->slots[slot].suffix);
	if (r < 0 || (size_t)r >= n - len)
		return n - 1;
	return len + (size_t)r;
}
