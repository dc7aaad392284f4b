/* expr.h - the variable expression language.
 *
 *   <var> := <package path>.<name> <selector>*
 *   <selector> := "." <field> | "[" <index> "]"
 *
 * Package paths contain dots and slashes ("example.com/acme/store.Sessions"),
 * so where the variable name ends is decided by DWARF (the longest variable
 * name that is a prefix wins, see md_dwarf_find_var); this module checks the
 * whole expression's syntax and splits the selector suffix that follows the
 * variable name into segments.
 */
#ifndef MD_EXPR_H
#define MD_EXPR_H

#include <stdint.h>
#include "md_status.h"

#define MD_EXPR_MAX_LEN  1024
#define MD_EXPR_MAX_SEGS 32

typedef enum md_seg_kind { MD_SEG_FIELD, MD_SEG_INDEX } md_seg_kind;

typedef struct md_seg {
	md_seg_kind kind;
	char name[128];     /* MD_SEG_FIELD */
	uint64_t index;     /* MD_SEG_INDEX */
	int end;            /* offset in the whole expression just past it */
} md_seg;

/* Check a whole expression: printable, no spaces, brackets hold decimal
 * indexes, no empty selectors, a '.' before the first '[' (a package-level
 * name).  MD_E_BADEXPR with the reason otherwise. */
md_status md_expr_check(const char *expr, md_err *err);

/* Split expr + start (the selectors after the variable name) into segments.
 * MD_E_BADEXPR on bad syntax or more than MD_EXPR_MAX_SEGS segments. */
md_status md_expr_split(const char *expr, int start, md_seg *segs, int *nsegs,
                        md_err *err);

#endif
