/* rtype.h - run-time types: what an interface value holds.
 *
 * An interface is two words: a type word (an empty interface's *_type; a
 * non-empty one's *itab, whose type member names the dynamic type) and a
 * data word.  A type descriptor at run-time address A is the DWARF type
 * whose DW_AT_go_runtime_type is A - (runtime.types + load bias)
 * (md_dwarf_type_of_runtime / md_dwarf_runtime_off).  Pointer-shaped
 * dynamic types travel in the data word itself; the others are pointed
 * to by it.  Shared by scan's walk (which follows every interface) and
 * path resolution (whose .(T) names one).
 */
#ifndef MD_RTYPE_H
#define MD_RTYPE_H

#include <stdint.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mem.h"

typedef struct md_rtypes {
	uint64_t types_base;       /* run-time address of runtime.types */
	uint64_t itab_type_off;    /* offset of the type in an itab */
	uint64_t size_off;         /* offsets of a type descriptor's size */
	uint64_t ptrdata_off;      /* and pointer-prefix size */
} md_rtypes;

/* From DWARF and the symbol table: the itab's type member is Type of
 * internal/abi.ITab, or _type of runtime.itab in older releases (8, after
 * the interface type, when DWARF has neither).
 *   MD_NOTFOUND  no runtime.types symbol: interfaces cannot be followed */
md_status md_rtypes_load(md_dwarf *d, uint64_t bias, md_rtypes *out, md_err *err);

/* The compiler's types.IsDirectIface as DWARF can tell it: pointers, maps,
 * chans, funcs, and structs of one such field or arrays of one such
 * element are stored in an interface's data word itself.  DWARF cannot
 * tell a pointer to a not-in-heap type (runtime.pollDesc), which is
 * stored indirectly: prefer md_rtype_direct_at. */
int md_rtype_direct(md_dwarf *d, md_type_id type);

/* The same from the type descriptor at run-time address rtype, which is
 * the truth: a value is stored in the data word exactly when its size and
 * its pointer prefix are both one word (Go 1.26 caches that as
 * TFlagDirectIface; older releases as KindDirectIface, set by the same
 * rule).  *direct is set; MD_E_MEM when the descriptor is unreadable. */
md_status md_rtype_direct_at(md_mem *m, const md_rtypes *rt, uint64_t rtype, int *direct,
                             md_err *err);

#endif
