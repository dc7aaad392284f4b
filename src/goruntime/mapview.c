/* mapview.c - decode, validate, derive, classify one map (see mapview.h). */
#include <stdlib.h>
#include <string.h>
#include "mapview.h"
#include "validate.h"

/* A validator's detail, prefixed with the map's name. */
static md_status named(md_err *err, const char *name, const md_err *e)
{
	return md_err_set(err, e->code, "%s: %s", name, e->detail);
}

static md_status make_hmap(const md_map_layout *l, const md_map_bytes *b,
                           const md_gofacts *gf, const char *name, md_map_view *mv,
                           md_err *err)
{
	md_err e;
	md_status s = md_hmap_decode(l, b->hdr, l->header_size, &mv->h, err);
	if (s != MD_OK)
		return s;
	if (md_hmap_validate(&mv->h, mv->addr, &e) != MD_OK)
		return named(err, name, &e);
	md_hmap_derive(l, gf, &mv->h, &mv->d);
	return MD_OK;
}

static md_status make_swiss(const md_map_layout *l, const md_map_bytes *b,
                            const char *name, md_map_view *mv, md_err *err)
{
	md_err e;
	md_status s = md_swiss_decode(l, b->hdr, l->header_size, &mv->s, err);
	if (s != MD_OK)
		return s;
	if (b->nt && !(mv->tables = calloc(b->nt, sizeof *mv->tables)))
		return md_err_set(err, MD_E_NOMEM, "tables");
	for (size_t t = 0; t < b->nt; t++) {
		if (!b->t_ok[t])
			continue;
		if (md_swiss_table_decode(l, b->tptr[t], b->tbuf + t * l->table_size,
		                          l->table_size, &mv->tables[mv->ntables], &e) == MD_OK)
			mv->ntables++;
	}
	if (mv->ntables < b->nt)
		return md_err_set(err, MD_E_MEM, "%s: %zu of %zu tables unreadable", name,
		                  b->nt - mv->ntables, b->nt);
	if (md_swiss_validate(&mv->s, mv->addr, mv->tables, mv->ntables, &e) != MD_OK)
		return named(err, name, &e);
	md_swiss_derive(l, &mv->s, mv->tables, mv->ntables, &mv->d);
	return MD_OK;
}

md_status md_map_view_make(const md_map_layout *l, const md_map_bytes *b,
                           const md_gofacts *gf, const char *name, md_map_view *out,
                           md_err *err)
{
	memset(out, 0, sizeof *out);
	out->addr = b->header;
	if (!b->header) {
		out->is_nil = 1;
		return MD_OK;
	}
	md_status s = l->impl == MD_IMPL_HMAP ? make_hmap(l, b, gf, name, out, err)
	                                      : make_swiss(l, b, name, out, err);
	if (s != MD_OK)
		md_map_view_free(out);
	return s;
}

void md_map_view_classify(const md_map_layout *l, md_map_view *mv,
                          const md_writer_facts *w, const md_thresholds *th)
{
	if (mv->is_nil)
		md_classify_nil(&mv->v);
	else if (l->impl == MD_IMPL_HMAP)
		md_classify_hmap(&mv->h, &mv->d, w, th, &mv->v);
	else
		md_classify_swiss(&mv->s, &mv->d, w, th, &mv->v);
}

void md_map_view_free(md_map_view *mv)
{
	free(mv->tables);
	mv->tables = NULL;
	md_verdict_free(&mv->v);
	mv->ntables = 0;
}
