/* vars.h - maps named by expressions (attach, watch): each resolved
 * against DWARF into a read plan and a layout, with its own error, and
 * given the buffers mapread needs.  All of it while the target runs.
 */
#ifndef MD_VARS_H
#define MD_VARS_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "plan.h"
#include "mapread.h"

typedef struct md_var {
	const char *expr;          /* borrowed */
	md_status status;          /* MD_OK, or why it cannot be read */
	md_err err;
	md_map_layout layout;
} md_var;

typedef struct md_vars {
	int n;
	int live;                  /* resolved: status MD_OK */
	md_var *v;                 /* n of them */
	md_plan *plans;            /* n */
	md_mapread *w;             /* n; w[i].layout points at v[i].layout */
} md_vars;

/* Resolve exprs[0..n): a plan (md_plan_build), a layout
 * (md_dwarf_map_layout) that reads can trust (md_layout_check).  Errors
 * of one expression stay with it; MD_E_NOMEM is returned. */
md_status md_vars_resolve(md_vars *vs, md_dwarf *dw, uint64_t bias,
                          const char *const *exprs, int n, md_err *err);

void md_vars_free(md_vars *vs);

#endif
