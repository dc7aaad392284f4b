/* vars.c - maps named by expressions (see vars.h). */
#include <stdlib.h>
#include <string.h>
#include "vars.h"
#include "validate.h"

md_status md_vars_resolve(md_vars *vs, md_dwarf *dw, uint64_t bias,
                          const char *const *exprs, int n, md_err *err)
{
	memset(vs, 0, sizeof *vs);
	vs->v = calloc((size_t)n + 1, sizeof *vs->v);
	vs->plans = calloc((size_t)n + 1, sizeof *vs->plans);
	vs->w = calloc((size_t)n + 1, sizeof *vs->w);
	if (!vs->v || !vs->plans || !vs->w)
		return md_err_set(err, MD_E_NOMEM, "%d variables", n);
	vs->n = n;
	for (int i = 0; i < n; i++) {
		md_var *v = &vs->v[i];
		md_mapread *w = &vs->w[i];
		v->expr = exprs[i];
		v->status = md_plan_build(dw, exprs[i], bias, &vs->plans[i], &v->err);
		if (v->status == MD_OK)
			v->status = md_dwarf_map_layout(dw, vs->plans[i].map_type, &v->layout, &v->err);
		if (v->status == MD_OK)
			v->status = md_layout_check(&v->layout, &v->err);
		w->plan = &vs->plans[i];
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

void md_vars_free(md_vars *vs)
{
	if (vs->w)
		md_mapread_free(vs->w, vs->n);
	free(vs->plans);
	free(vs->v);
	memset(vs, 0, sizeof *vs);
}
