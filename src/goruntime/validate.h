/* validate.h - can these values be those of a live Go map?
 *
 * One validator for every command: a header that attach refuses, watch and
 * scan refuse too.  Values that size a read (a layout's sizes, a Swiss
 * directory's length) are checked before the read; the others once the
 * bytes are in.  An implausible value is MD_E_MEM (the memory read is not
 * a map: corruption, or a pointer that led elsewhere), or MD_E_LAYOUT for a
 * DWARF layout we cannot trust; details name the address and the values,
 * and callers add which map it is.
 */
#ifndef MD_VALIDATE_H
#define MD_VALIDATE_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "decode.h"

/* A header or table larger than this is not a Go map's (they are ~48 and
 * ~32 bytes): a layout that says so is not trusted to size reads. */
#define MD_MAX_HEADER 4096

/* Largest Swiss directory read: 2^20 entries (8 MiB) covers a map of about
 * a billion entries; anything larger is taken as corruption. */
#define MD_SWISS_MAX_DIRLEN ((int64_t)1 << 20)

/* Largest total of table headers one directory may make us buffer (each
 * buffered twice, see snapshot/mapread.c): a Go table is 32 bytes, so this
 * only bites for a table size that a hostile layout made large. */
#define MD_SWISS_MAX_DIR_BYTES ((uint64_t)64 << 20)

/* Sizes a read can trust: header and (Swiss) table sizes in
 * (0, MD_MAX_HEADER]. */
md_status md_layout_check(const md_map_layout *l, md_err *err);

/* Whether the directory a Swiss header describes is plausible enough to
 * read: 0 < dirLen <= MD_SWISS_MAX_DIRLEN, dirLen == 2^globalDepth,
 * dirPtr != 0.  MD_OK for a small map too (dirLen 0: nothing to read). */
md_status md_swiss_check_dir(const md_swiss_hdr *h, md_err *err);

/* ... and its tables' headers fit MD_SWISS_MAX_DIR_BYTES; `name` says
 * which map in the message. */
md_status md_swiss_check_dir_bytes(const md_swiss_hdr *h, const md_map_layout *l,
                                   const char *name, md_err *err);

/* A classic header at addr: B and count within reach, nevacuate within the
 * old buckets while growing. */
md_status md_hmap_validate(const md_hmap_hdr *h, uint64_t addr, md_err *err);

/* A Swiss header at addr with its decoded tables: each table's capacity a
 * power of two in [8, 1024], used and growthLeft within it, localDepth
 * within globalDepth, index within the directory (a table's index may be
 * -1 while a split replaces it); the map's used within its slots. */
md_status md_swiss_validate(const md_swiss_hdr *h, uint64_t addr, const md_swiss_table *t,
                            size_t nt, md_err *err);

#endif
