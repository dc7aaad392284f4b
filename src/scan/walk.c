/* walk.c - the walk of mapdiag scan (see walk_priv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "walk_priv.h"
#include "alloc.h"
#include "hash.h"
#include "validate.h"

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
	free(w->kpool);
	free(w->scratch);
	if (w->visited)
		free(w->visited->t);
	if (w->headers)
		free(w->headers->t);
	free(w->visited);
	free(w->headers);
	memset(w, 0, sizeof *w);
}

void md_walk_trim(md_walk *w)
{
	free(w->cur);
	free(w->next);
	free(w->rd);
	free(w->who);
	free(w->scratch);
	w->cur = w->next = NULL;
	w->rd = NULL;
	w->who = NULL;
	w->scratch = NULL;
	w->ncur = w->nnext = w->cap_cur = w->cap_next = w->cap_rd = w->cap_who = 0;
	w->cap_scratch = 0;
	struct md_walk_set **sets[2] = { &w->visited, &w->headers };
	for (int i = 0; i < 2; i++) {
		if (*sets[i])
			free((*sets[i])->t);
		free(*sets[i]);
		*sets[i] = NULL;
	}
}

void md_walk_drop_nodes(md_walk *w)
{
	free(w->nodes);
	free(w->kpool);
	w->nodes = NULL;
	w->kpool = NULL;
	w->nnodes = w->cap_nodes = 0;
	w->nkpool = w->cap_kpool = 0;
}

static int new_node(md_walk *w, int parent, int root, uint32_t suffix, int64_t index)
{
	if (w->nnodes >= INT32_MAX ||
	    !fit(w, (void **)&w->nodes, &w->cap_nodes, w->nnodes + 1, sizeof *w->nodes))
		return -1;
	w->nodes[w->nnodes] = (md_walk_node){ parent, root, suffix, index, 0, 0 };
	return (int)w->nnodes++;
}

/* Queue the slots of shape `shape` of the value at base for the next round. */
static void expand(md_walk *w, int shape, uint64_t base, int node)
{
	const md_shape *sh = &w->sh->shapes[shape];
	if (w->nnext + sh->n > MD_SCAN_MAX_ITEMS) {
		w->truncated += sh->n;
		w->nf.walk_bound += sh->n;
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
		w->nf.walk_bound++;
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
	if (sl->kind == MD_SLOT_SLICE || (sl->kind == MD_SLOT_CUT && sl->target == MD_CUT_SLICE))
		return md_slice_hdr_len_cap(&sl->hdr);
	if (sl->kind == MD_SLOT_IFACE || (sl->kind == MD_SLOT_CUT && sl->target == MD_CUT_IFACE))
		return 16;
	return 8;
}

/* ---- map entries ----------------------------------------------------- */

/* Append text to the key pool: 1 + its offset, 0 when out of memory. */
static uint32_t key_add(md_walk *w, const char *text)
{
	size_t n = strlen(text) + 1;
	if (w->nkpool + n >= UINT32_MAX ||
	    !fit(w, (void **)&w->kpool, &w->cap_kpool, w->nkpool + n, 1))
		return 0;
	memcpy(w->kpool + w->nkpool, text, n);
	w->nkpool += n;
	return (uint32_t)(w->nkpool - n + 1);
}

typedef struct iter {
	md_walk *w;
	const md_entries *en;
	int node;              /* the map's node and slot: entries hang there */
	uint32_t suffix;
} iter;

/* One full slot: its value (and key) walked on. */
static int entry(void *arg, const md_map_slot *sl)
{
	iter *x = arg;
	md_walk *w = x->w;
	char k[MD_KEY_MAX_STRING * 4 + 8], t[sizeof k + 16];
	md_map_key_text(w->m, &x->en->g, sl->key, sl->pos, k, sizeof k);
	for (int side = 0; side < 2; side++) {
		int shape = side ? x->en->key_shape : x->en->val_shape;
		if (shape < 0)
			continue;
		snprintf(t, sizeof t, "%s[%s]", side ? "#key" : "", k);
		int n = new_node(w, x->node, -1, x->suffix, -1);
		if (n < 0)
			return 0;
		if (!(w->nodes[n].key = key_add(w, t)))
			return 0;
		expand(w, shape, side ? sl->key_addr : sl->val_addr, n);
	}
	return 0;
}

/* The entries of a map just found, when its keys or values lead on. */
static void iterate(md_walk *w, const md_walk_item *it, const md_slot *sl, uint64_t header)
{
	const md_entries *en = &w->sh->entries[sl->entries];
	const md_map_layout *l = &w->sh->layouts[en->layout].layout;
	unsigned char h[512];
	md_err e;
	if (l->header_size > sizeof h ||
	    !fit(w, (void **)&w->scratch, &w->cap_scratch, MD_MAPITER_SCRATCH, 1))
		return;
	md_read r = { header, h, (size_t)l->header_size, 0 };
	if (md_mem_readv(w->m, &r, 1, &e) != MD_OK) {
		w->nf.unreadable++;
		return;
	}
	iter x = { w, en, it->node, sl->suffix };
	md_mapiter_nf nf = { 0, 0 };
	md_map_iter(w->m, l, &en->g, h, w->scratch, entry, &x, &nf);
	w->nf.unreadable += nf.unreadable;
	w->nf.map_bound += nf.map_bound;
}

/* ---- interfaces ------------------------------------------------------ */

static void take_iface(md_walk *w, const md_walk_item *it, const md_slot *sl)
{
	uint64_t w0 = le64(it->buf), data = le64(it->buf + 8), rtype = w0;
	/* md_shapes_dynamic may add shapes to w->dyn, which is the walk's
	 * own shapes (scan.c): their slots move, and sl with them.  Keep
	 * what is needed of it. */
	const uint32_t via = sl->suffix;
	if (!w0)
		return;
	if (!w->dyn) {
		w->nf.iface_no_dwarf++;
		return;
	}
	/* a non-empty interface holds an itab, whose type word follows the
	 * interface type's (runtime.itab / internal/abi.ITab) */
	if (sl->elem_size && !md_mem_read64(w->m, w0 + w->dyn->itab_type_off, &rtype)) {
		w->nf.unreadable++;
		return;
	}
	int shape = -1, direct = 0;
	uint32_t suffix = 0;
	md_err e;
	md_status s = md_shapes_dynamic(w->dyn, rtype, sl->target, &shape, &direct, &suffix, &e);
	if (s == MD_E_NOMEM)
		w->nomem = MD_E_NOMEM;
	if (s == MD_NOTFOUND)
		w->nf.iface_no_dwarf++;
	if (s != MD_OK || shape < 0)
		return;
	/* direct: the value is the data word itself, inside the interface */
	uint64_t base = direct ? it->addr + 8 : data;
	int v = 0;
	if (!direct && !data)
		return;
	int had = set_put(w->visited, base, w->sh->shapes[shape].type, &v);
	if (had < 0)
		w->nomem = MD_E_NOMEM;
	if (had)
		return;
	int n = new_node(w, it->node, -1, via, -1);
	if (n < 0)
		return;
	w->nodes[n].dyn = suffix + 1;
	expand(w, shape, base, n);
}

static void take_cut(md_walk *w, const md_walk_item *it, const md_slot *sl)
{
	if (sl->target == MD_CUT_SLICE) {
		int64_t len = (int64_t)le64(it->buf + sl->hdr.off_len);
		int64_t cap = (int64_t)le64(it->buf + sl->hdr.off_cap);
		if (!le64(it->buf + sl->hdr.off_data) || len == 0)
			return;
		/* a header no slice can have was not cut: it was never a slice */
		if (md_slice_hdr_plausible(len, cap, sl->elem_size))
			w->nf.depth++;
		else
			w->nf.unreadable++;
	} else
		w->nf.depth += le64(it->buf) != 0;
}

/* A map value: a map found (or an alias of one), its entries walked on. */
static void take_map(md_walk *w, const md_walk_item *it, const md_slot *sl, int depth)
{
	md_walk_found f = { le64(it->buf), it->addr, it->node, it->slot, depth, -1 };
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
		if (f.header && sl->entries >= 0)
			iterate(w, it, sl, f.header);
		else if (f.header && sl->entries == -2)
			w->nf.depth++;
	}
}

/* A pointer: its pointee walked, once per type. */
static void take_ptr(md_walk *w, const md_walk_item *it, const md_slot *sl)
{
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
}

/* What one read item yields: a map, a pointee to walk, slice elements. */
static void take(md_walk *w, const md_walk_item *it, int depth)
{
	const md_slot *sl = &w->sh->slots[it->slot];
	switch (sl->kind) {
	case MD_SLOT_IFACE:
		take_iface(w, it, sl);
		return;
	case MD_SLOT_CUT:
		take_cut(w, it, sl);
		return;
	case MD_SLOT_UNSAFE:
		w->nf.unsafe_ptr += le64(it->buf) != 0;
		return;
	case MD_SLOT_MAP:
		take_map(w, it, sl, depth);
		return;
	case MD_SLOT_PTR:
		take_ptr(w, it, sl);
		return;
	default:
		break;
	}
	/* a slice: its elements */
	uint64_t data = le64(it->buf + sl->hdr.off_data);
	int64_t len = (int64_t)le64(it->buf + sl->hdr.off_len);
	int64_t cap = (int64_t)le64(it->buf + sl->hdr.off_cap);
	if (!data || len == 0)
		return;
	/* A header no slice can have (len above cap, or more than the
	 * address space holds) is a torn read or a slot holding something
	 * else, such as a dead stack slot: its elements are not there to
	 * count or follow. */
	if (!md_slice_hdr_plausible(len, cap, sl->elem_size)) {
		w->nf.unreadable++;
		return;
	}
	if (len > MD_SCAN_MAX_ELEMS) {
		w->truncated += (uint64_t)len - MD_SCAN_MAX_ELEMS;
		w->nf.slice_bound += (uint64_t)len - MD_SCAN_MAX_ELEMS;
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
			w->nf.walk_bound += (uint64_t)(len - i) * per;
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
	w->nkpool = 0;
	memset(&w->nf, 0, sizeof w->nf);
	w->m = m;
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
				md_walk_found f = { 0, it->addr, it->node, it->slot, depth, -1 };
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
				w->nf.unreadable++;
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
	if (ok && w->sh->nentries)
		ok = fit(w, (void **)&w->scratch, &w->cap_scratch, MD_MAPITER_SCRATCH, 1) &&
		     fit(w, (void **)&w->kpool, &w->cap_kpool, 2 * w->nkpool + 4096, 1);
	if (!ok)
		return md_err_set(err, MD_E_NOMEM, "scan buffers");
	if (w->scratch)
		memset(w->scratch, 0, w->cap_scratch);
	if (w->kpool)
		memset(w->kpool, 0, w->cap_kpool);
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
			r = snprintf(buf + len, n - len, "%s%s%s", w->sh->pool + nd->suffix,
			             nd->dyn ? w->sh->pool + nd->dyn - 1 : "",
			             nd->key ? w->kpool + nd->key - 1 : "");
		if (r < 0 || (size_t)r >= n - len)
			return n - 1;
		len += (size_t)r;
	}
	int r = snprintf(buf + len, n - len, "%s", w->sh->pool + w->sh->slots[slot].suffix);
	if (r < 0 || (size_t)r >= n - len)
		return n - 1;
	return len + (size_t)r;
}

int md_walk_root_of(const md_walk *w, int node, int *via_iface)
{
	*via_iface = 0;
	int x = node;
	for (int guard = 0; x >= 0 && w->nodes[x].parent >= 0 && guard < (1 << 20); guard++) {
		*via_iface |= w->nodes[x].dyn != 0;
		x = w->nodes[x].parent;
	}
	return x >= 0 ? w->nodes[x].root : -1;
}
