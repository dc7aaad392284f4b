/* vars.h - maps named by paths (attach, watch): each resolved into a read
 * plan and a layout, with its own error, and given the buffers mapread
 * needs.  All of it while the target runs.
 *
 * A path is resolved by resolve.h: from DWARF alone when it is plain,
 * reading the running target when it goes through a goroutine's stack,
 * an interface or a map entry.  A map header's address (0x...) needs its
 * map type by name (--type); it has no plan: its header is given.
 */
#ifndef MD_VARS_H
#define MD_VARS_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"
#include "plan.h"
#include "mapread.h"
#include "resolve.h"

typedef struct md_var {
	const char *expr;          /* borrowed */
	const char *type;          /* borrowed: a header address's map type */
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
	md_resolver *res;          /* reads the target for paths that need it */
	md_dwarf *dw;
	uint64_t bias;
} md_vars;

/* Resolve exprs[0..n) (types[i]: the map type of a header address; types
 * may be NULL): a plan (md_plan_path, reading through live when the path
 * needs it), a layout (md_dwarf_map_layout) that reads can trust
 * (md_layout_check).  Errors of one expression stay with it; MD_E_NOMEM
 * and MD_E_EXITED are returned. */
md_status md_vars_resolve(md_vars *vs, md_dwarf *dw, uint64_t bias, md_mem *live,
                          const char *const *exprs, const char *const *types, int n,
                          md_err *err);

/* Resolve path i again (its plan moved: MD_E_MOVED), into the same plan;
 * its layout stays (a path's map type does not depend on the target).
 * The path's error, or MD_OK. */
md_status md_vars_again(md_vars *vs, int i, md_err *err);

void md_vars_free(md_vars *vs);

#endif
