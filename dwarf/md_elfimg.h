/* md_elfimg.h - an ELF file that a process has mapped (a shared library,
 * or the executable's C part), as much of it as C-frame unwinding needs:
 * its loadable segments' bytes by link-time address (what .eh_frame_hdr
 * and .eh_frame hold), where PT_GNU_EH_FRAME is, and the function symbols
 * (.symtab when the file has one, else .dynsym) that name its frames.
 *
 * Part of dwarf/, the only module that sees libelf.  The file is mapped
 * read-only, never written; every offset, size and index from it is
 * checked (a truncated or hostile file gives MD_E_NOTELF or "not found",
 * never a crash).  Addresses are link-time: the caller adds the bias of
 * the mapping.  64-bit little-endian ELF only, as md_dwarf.h.
 */
#ifndef MD_ELFIMG_H
#define MD_ELFIMG_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"

typedef struct md_elfimg md_elfimg;

/* Open the file on fd (borrowed; it may be closed afterwards).  A file
 * without loadable segments (a debug file of objcopy --only-keep-debug)
 * opens for its symbols.
 *   MD_E_NOTELF  not a readable 64-bit little-endian ELF file
 *   MD_E_NOMEM */
md_status md_elfimg_open(int fd, md_elfimg **out, md_err *err);
void md_elfimg_free(md_elfimg *im);

/* The link-time address of file offset off inside a PT_LOAD segment that
 * is executable (exec != 0) or any: 1 if one holds it. */
int md_elfimg_vaddr_of(const md_elfimg *im, uint64_t off, int exec, uint64_t *vaddr);

/* n bytes at link-time address a, from the file contents of the PT_LOAD
 * holding them (bytes past its file size read as zero, as in memory): 1 if
 * [a, a+n) lies inside one segment. */
int md_elfimg_read(const md_elfimg *im, uint64_t a, void *buf, size_t n);

/* PT_GNU_EH_FRAME (.eh_frame_hdr): its link-time address and size; 0 if
 * the file has none. */
int md_elfimg_eh_frame_hdr(const md_elfimg *im, uint64_t *a, uint64_t *size);

/* The function symbol whose [value, value+size) holds link-time address a
 * (a sized STT_FUNC or STT_GNU_IFUNC of .symtab, else of .dynsym).  Of
 * aliases (one address, several names: "read" and "__read") the GLOBAL,
 * then WEAK, then LOCAL one, then the one with fewer leading underscores,
 * then the first in the table.  *name points into the file's mapping,
 * valid until md_elfimg_free.  1 if found. */
int md_elfimg_func_at(md_elfimg *im, uint64_t a, const char **name, uint64_t *lo);

/* The GNU build id (NT_GNU_BUILD_ID of a PT_NOTE): its length in bytes
 * (up to 64) and *id pointing at them, or 0. */
size_t md_elfimg_build_id(const md_elfimg *im, const unsigned char **id);

/* The value of the first defined symbol called name (.symtab, else
 * .dynsym): 1 if found. */
int md_elfimg_sym(md_elfimg *im, const char *name, uint64_t *value);

#endif
