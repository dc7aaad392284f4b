/* resolve.h - from a path (expr.h) to a read plan (plan.h).
 *
 * A plain path (a package variable, .field, [N] on arrays and slices,
 * pointers followed) becomes a plan from DWARF alone, as it always did:
 * its hops are read during the stop, in batched rounds.
 *
 * A path that goes through a goroutine's stack (g<goid>/<function>/<var>),
 * an interface (.(T)) or a map entry ([K], [#N], #key[K]) cannot be
 * followed that way: a stack variable's address needs the goroutine
 * unwound, and a map entry needs the map's buckets or groups searched.
 * Those are resolved here, BEFORE the stop, while the target runs: the
 * plan's prefix up to the last such hop is followed once on the live
 * process, and the plan starts at the address it led to.  Every word that
 * resolution read and that the answer depends on becomes a guard (plan.h)
 * that the stop reads again and compares: the goroutine's id and stack
 * bounds and the frame's return address (the frame is still there, its
 * stack not moved), each pointer and slice on the way, an interface's
 * type word (and data word), a map's bucket, directory and group
 * pointers, the entry's control byte and key.  So the pause stays what it
 * is for a plain path (one more batch of reads, in the first round), the
 * search costs nothing while the target is held, and a change between
 * resolution and stop is an error (MD_E_MOVED: run again; watch resolves
 * again) rather than a header the path no longer leads to.  Searching
 * inside the stop instead would make the pause grow with the map.
 */
#ifndef MD_RESOLVE_H
#define MD_RESOLVE_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"
#include "plan.h"

typedef struct md_resolver md_resolver;

/* A resolver over the running target, read through live (borrowed): the
 * load bias, and what it loads from d on first use (run-time types, the
 * goroutine layout and CFI).  MD_E_NOMEM. */
md_status md_resolver_open(md_dwarf *d, uint64_t bias, md_mem *live, md_resolver **out,
                           md_err *err);
void md_resolver_close(md_resolver *r);

/* Build the plan of expr (a global or stack path, not a header address).
 * r NULL: plain paths only (the others are MD_E_BADEXPR).  Errors of the
 * path, each with a detail naming what failed: MD_E_BADEXPR MD_E_NOVAR
 * MD_E_NOFIELD MD_E_NOTINDEX MD_E_RANGE MD_E_NOTMAP MD_E_NILPTR
 * MD_E_DYNTYPE MD_E_NOKEY MD_E_NOSTACK MD_E_LAYOUT MD_E_MEM MD_E_DWARF;
 * and MD_E_EXITED, MD_E_NOMEM. */
md_status md_plan_path(md_resolver *r, md_dwarf *d, const char *expr, uint64_t bias,
                       md_plan *p, md_err *err);

#endif
