/* md_elf_priv.h - private to dwarf/: what md_elf.c learns from an ELF file.
 *
 * md_dwarf.c needs a few facts beyond md_exe_info to locate DWARF (is there
 * a .debug_info in this file, what CRC does the debuglink promise), and it
 * asks the same questions of the executable and of candidate debug files,
 * so one reader serves both.
 */
#ifndef MD_ELF_PRIV_H
#define MD_ELF_PRIV_H

#include <stdint.h>
#include "md_dwarf.h"

typedef struct md_elf_facts {
	int has_debug_info;      /* a .debug_info/.zdebug_info with contents */
	int debug_compressed;    /* ... and it is SHF_COMPRESSED or .zdebug */
	int has_debuglink;       /* info->debuglink is set ... */
	uint32_t debuglink_crc;  /* ... and this is the CRC32 it promises */
} md_elf_facts;

/* Read the facts of the 64-bit little-endian ELF file open on fd (path is
 * only for messages).  Fills every md_exe_info field except dwarf_path,
 * dwarf_compressed and dwarf_external, which belong to the DWARF search.
 *   MD_E_NOTELF  not a readable ELFCLASS64/ELFDATA2LSB file */
md_status md_elf_read(int fd, const char *path, md_exe_info *info,
                      md_elf_facts *facts, md_err *err);

/* CRC32 (the zlib / .gnu_debuglink polynomial) of the whole file on fd.
 * Returns 0 on success, -1 on a read error. */
int md_elf_file_crc32(int fd, uint32_t *crc);

#endif
