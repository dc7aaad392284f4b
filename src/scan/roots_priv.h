/* roots_priv.h - where scan's walk starts: package variables and the
 * locals and arguments of every goroutine's frames.
 *
 * A stack root is a variable of a goroutine's frame (stackvars.h) whose
 * type can reach a map, named "g<goid>/<function>/<variable>".
 */
#ifndef MD_ROOTS_PRIV_H
#define MD_ROOTS_PRIV_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "md_cfi.h"
#include "mem.h"
#include "stackvars.h"
#include "walk_priv.h"

typedef struct md_roots_nf {       /* variables not followed, by reason */
	uint64_t optimized_out;    /* no location at the frame's pc */
	uint64_t register_lost;    /* in a register of a frame whose registers
	                              are not known */
	uint64_t running;          /* goroutines running with no captured
	                              registers: not unwound */
	uint64_t unsafe_ptr;       /* unsafe.Pointer roots, not nil */
	uint64_t unreadable;       /* goroutines or values not readable */
} md_roots_nf;

typedef struct md_roots {
	md_walk_root *v;
	size_t n, cap;
	char **owned;              /* names and functions, freed with the set */
	size_t nowned, cap_owned;
	md_stackvars sv;           /* sv.synth_copy: the stack roots' values
	                              held apart (registers, pieces) */
	size_t nglobals;           /* v[0 .. nglobals) are package variables */
	uint64_t variables;        /* package variables under the prefixes */
	md_roots_nf nf;
} md_roots;

void md_roots_free(md_roots *r);

/* Every package variable under the prefixes (none: all) whose type can
 * reach a map within depth hops. */
md_status md_roots_globals(md_roots *r, md_dwarf *d, uint64_t bias, const char *const *prefixes,
                           int nprefixes, md_shapes *sh, int depth, md_mem *m, md_err *err);

/* Drop the stack roots (keep the globals), to find them again. */
void md_roots_clear_stacks(md_roots *r);

/* Every goroutine's frames' variables that can reach a map within depth
 * hops (frames of the functions under the prefixes; none: all).  MD_E_EXITED / MD_E_SYS / MD_E_NOMEM / MD_E_DWARF; an unreadable
 * allgs is MD_E_MEM. */
md_status md_roots_stacks(md_roots *r, const md_stack_src *src, md_mem *m, md_shapes *sh,
                          int depth, const char *const *prefixes, int nprefixes, md_err *err);

#endif
