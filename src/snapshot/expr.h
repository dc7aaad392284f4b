/* expr.h - the path language: what scan prints, attach and watch take.
 *
 *   <path>     := <global> | <stack> | <header>
 *   <global>   := <package path>.<name> <selector>*
 *   <stack>    := g<goid>/<function>[#k]/<variable> <selector>*
 *   <header>   := 0x<hex>                        (a map header's address)
 *   <selector> := .<field>                       a struct field
 *               | .(<type>)                      an interface's dynamic type,
 *                                                as DWARF names it
 *               | [<key>]                        an array or slice element
 *                                                ([N]), or a map's value
 *               | #key[<key>]                    a map entry's key
 *   <key>      := N | -N | 0x<hex> | true | false | "<string>" | #N
 *
 * Strings are Go-quoted: the backslash escapes \" \\ and \xNN; any other
 * byte but a control character stands for itself.  #N is the N-th full
 * slot of the map in storage order (mapiter.h).
 *
 * Where a name ends is decided by DWARF, not here: package paths contain
 * dots and slashes ("example.com/acme/store.Sessions"; the longest
 * variable name that is a prefix wins, see md_dwarf_find_var), and
 * function names contain slashes and dots ("example.com/x.(*T).run"): the
 * function of a stack path ends at the LAST '/' followed by a variable of
 * that frame.  This module checks the whole path's syntax, lists the
 * places a stack path's function may end, and splits the selectors that
 * follow a name into segments.
 */
#ifndef MD_EXPR_H
#define MD_EXPR_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"

#define MD_EXPR_MAX_LEN    1024
#define MD_EXPR_MAX_SEGS   32
#define MD_EXPR_MAX_SPLITS 16
#define MD_EXPR_MAX_KEY    255   /* bytes of a string key */

typedef enum md_seg_kind {
	MD_SEG_FIELD,      /* .name */
	MD_SEG_INDEX,      /* [key] or #key[key] */
	MD_SEG_TYPE        /* .(T) */
} md_seg_kind;

typedef enum md_lit_kind {
	MD_LIT_UINT = 0,   /* decimal digits: an index, or an integer key */
	MD_LIT_INT,        /* -digits: a negative integer key */
	MD_LIT_PTR,        /* 0x<hex>: a pointer key */
	MD_LIT_BOOL,       /* true, false */
	MD_LIT_STRING,     /* "...": str[0..len) */
	MD_LIT_POS         /* #N: the N-th full slot */
} md_lit_kind;

typedef struct md_seg {
	md_seg_kind kind;
	char name[512];     /* MD_SEG_FIELD: the field; MD_SEG_TYPE: the type */
	md_lit_kind lit;    /* MD_SEG_INDEX */
	uint64_t index;     /* MD_SEG_INDEX: the value (MD_LIT_INT: two's
	                       complement; MD_LIT_BOOL: 0 or 1) */
	int is_key;         /* #key[...]: the entry's key, not its value */
	unsigned char str[MD_EXPR_MAX_KEY + 1];   /* MD_LIT_STRING, unquoted */
	size_t len;
	int end;            /* offset in the whole expression just past it */
} md_seg;

typedef enum md_path_kind { MD_PATH_GLOBAL = 0, MD_PATH_STACK, MD_PATH_ADDR } md_path_kind;

/* One place a stack path's function may end. */
typedef struct md_stack_split {
	int func_start, func_end;  /* expr[func_start..func_end): the function */
	int occurrence;            /* #k: the k-th outer frame of it; 0 */
	int var_start, var_end;    /* the variable; selectors from var_end */
} md_stack_split;

typedef struct md_path_root {
	md_path_kind kind;
	int name_end;              /* MD_PATH_GLOBAL: the variable's name ends
	                              at or before this offset (DWARF says
	                              where): selectors follow */
	uint64_t addr;             /* MD_PATH_ADDR */
	int64_t goid;              /* MD_PATH_STACK */
	int nsplits;               /* MD_PATH_STACK: candidates whose selectors
	                              parse, the last '/' first */
	md_stack_split splits[MD_EXPR_MAX_SPLITS];
} md_path_root;

/* Check a whole path and say what its root is.  MD_E_BADEXPR with the
 * reason (and the offset) otherwise. */
md_status md_expr_root(const char *expr, md_path_root *out, md_err *err);

/* md_expr_root, for its verdict alone. */
md_status md_expr_check(const char *expr, md_err *err);

/* Split expr + start (the selectors after a name) into segments.
 * MD_E_BADEXPR on bad syntax or more than MD_EXPR_MAX_SEGS segments. */
md_status md_expr_split(const char *expr, int start, md_seg *segs, int *nsegs,
                        md_err *err);

#endif
