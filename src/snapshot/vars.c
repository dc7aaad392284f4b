/* vars.c - maps named by paths (see vars.h). */
#include <stdlib.h>
#include <string.h>
#include "vars.h"
#include "expr.h"
#include "validate.h"

/* A header address and its map type: no plan, the header is given. */
static md_status header_at(md_vars *vs, int i, uint64_t addr, md_type_id *map_type,
                           md_err *err)
{
	md_var *v = &vs->v[i];
	md_type t;
	md_err e;
	if (!v->type)
		return md_err_set(err, MD_E_USAGE,
		                  "%s: a map header's address needs its map type (--type)", v->expr);
	md_status s = md_dwarf_type_by_name(vs->dw, v->type, map_type, &e);
	if (s == MD_NOTFOUND)
		return md_err_set(err, MD_E_NOTMAP, "%s: no type named %s in the DWARF", v->expr,
		                  v->type);
	if (s == MD_OK)
		s = md_dwarf_type(vs->dw, *map_type, &t, &e);
	if (s != MD_OK) {
		*err = e;
		return s;
	}
	if (t.kind != MD_TK_MAP)
		return md_err_set(err, MD_E_NOTMAP, "%s: --type %s is not a map type", v->expr,
		                  v->type);
	vs->w[i].plan = NULL;
	vs->w[i].header = addr;
	return MD_OK;
}

/* The plan (or header) of variable i, and its map type. */
static md_status plan_of(md_vars *vs, int i, md_type_id *map_type, md_err *err)
{
	md_path_root root;
	md_status s = md_expr_root(vs->v[i].expr, &root, err);
	if (s == MD_OK && root.kind == MD_PATH_ADDR)
		return header_at(vs, i, root.addr, map_type, err);
	if (s == MD_OK)
		s = md_plan_path(vs->res, vs->dw, vs->v[i].expr, vs->bias, &vs->plans[i], err);
	*map_type = vs->plans[i].map_type;
	return s;
}

md_status md_vars_resolve(md_vars *vs, md_dwarf *dw, uint64_t bias, md_mem *live,
                          const char *const *exprs, const char *const *types, int n,
                          md_err *err)
{
	memset(vs, 0, sizeof *vs);
	vs->dw = dw;
	vs->bias = bias;
	vs->v = calloc((size_t)n + 1, sizeof *vs->v);
	vs->plans = calloc((size_t)n + 1, sizeof *vs->plans);
	vs->w = calloc((size_t)n + 1, sizeof *vs->w);
	if (!vs->v || !vs->plans || !vs->w)
		return md_err_set(err, MD_E_NOMEM, "%d variables", n);
	md_status s = md_resolver_open(dw, bias, live, &vs->res, err);
	if (s != MD_OK)
		return s;
	vs->n = n;
	for (int i = 0; i < n; i++) {
		md_var *v = &vs->v[i];
		md_mapread *w = &vs->w[i];
		md_type_id map_type = 0;
		v->expr = exprs[i];
		v->type = types ? types[i] : NULL;
		w->plan = &vs->plans[i];
		v->status = plan_of(vs, i, &map_type, &v->err);
		if (v->status == MD_E_EXITED || v->status == MD_E_NOMEM) {
			*err = v->err;
			return v->status;
		}
		if (v->status == MD_OK)
			v->status = md_dwarf_map_layout(dw, map_type, &v->layout, &v->err);
		if (v->status == MD_OK)
			v->status = md_layout_check(&v->layout, &v->err);
		w->name = exprs[i];
		w->layout = &v->layout;
		w->skip = v->status != MD_OK;
		if (v->status != MD_OK)
			continue;
		if (!(w->hdr = calloc(1, v->layout.header_size)))
			return md_err_set(err, MD_E_NOMEM, "header buffer");
		vs->live++;
	}
	return MD_OK;
}

md_status md_vars_again(md_vars *vs, int i, md_err *err)
{
	md_type_id map_type;
	if (!vs->w[i].plan)
		return MD_OK;   /* a header address does not move */
	return plan_of(vs, i, &map_type, err);
}

void md_vars_free(md_vars *vs)
{
	if (vs->w)
		md_mapread_free(vs->w, vs->n);
	md_resolver_close(vs->res);
	free(vs->plans);
	free(vs->v);
	memset(vs, 0, sizeof *vs);
}
