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

typedef struct md_rtypes {
	uint64_t types_base;       /* run-time address of runtime.types */
	uint64_t itab_type_off;    /* offset of the type in an itab */
} md_rtypes;

/* From DWARF and the symbol table: the itab's type member is Type of
 * internal/abi.ITab, or _type of runtime.itab in older releases (8, after
 * the interface type, when DWARF has neither).
 *   MD_NOTFOUND  no runtime.types symbol: interfaces cannot be followed */
md_status md_rtypes_load(md_dwarf *d, uint64_t bias, md_rtypes *out, md_err *err);

/* The compiler's types.IsDirectIface: pointers, maps, chans, funcs, and
 * structs of one such field or arrays of one such element are stored in
 * an interface's data word itself. */
int md_rtype_direct(md_dwarf *d, md_type_id type);

#endif
