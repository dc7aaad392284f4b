/* md_core_exe.c - place the executable of a core that names no files
 * (see md_core_place_exe in md_core.h).
 *
 * dlv dump writes no NT_FILE note: the executable must be given, and the
 * core's own record of the entry point (AT_ENTRY in NT_AUXV, which delve
 * copies from /proc, else its header's "Entry Point") is what ties the
 * file to the addresses, as it does for gdb. */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include "md_core.h"

#define MAX_LOADS 64   /* Go's linker writes 3 or 4; C toolchains a few more */

static md_status add_loads(md_core *c, Elf *e, const char *path, uint64_t bias, md_err *err)
{
	size_t nph;
	if (elf_getphdrnum(e, &nph) != 0)
		return md_err_set(err, MD_E_CORE, "%s: unreadable program headers", path);
	md_core_file add[MAX_LOADS];
	size_t n = 0;
	uint64_t pg = c->page_size ? c->page_size : 4096;
	for (size_t i = 0; i < nph && n < MAX_LOADS; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		uint64_t lo = ph.p_vaddr + bias, hi = lo + ph.p_filesz;
		if (lo < bias || hi < lo || (ph.p_vaddr & (pg - 1)) != (ph.p_offset & (pg - 1)))
			continue;   /* wraps, or no page maps it: not believed */
		add[n].start = lo & ~(pg - 1);
		add[n].end = hi;
		add[n].offset = ph.p_offset & ~(pg - 1);
		add[n].path = NULL;
		n++;
	}
	if (!n)
		return md_err_set(err, MD_E_CORE, "%s has no loadable segment", path);
	md_core_file *f = realloc(c->files, (c->nfiles + n) * sizeof *f);
	if (f)
		c->files = f;
	free(c->exe_copy);
	if (!f || !(c->exe_copy = strdup(path)))
		return md_err_set(err, MD_E_NOMEM, "core file list");
	for (size_t i = 0; i < n; i++) {
		add[i].path = c->exe_copy;
		c->files[c->nfiles++] = add[i];
	}
	return MD_OK;
}

md_status md_core_place_exe(md_core *c, int fd, const char *path, uint64_t *bias,
                            int *entry_agrees, md_err *err)
{
	*bias = 0;
	*entry_agrees = 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	md_status s = MD_OK;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64 ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)) {
		s = md_err_set(err, MD_E_CORE, "%s is not an x86-64 executable", path);
		goto out;
	}
	uint64_t entry = c->at_entry ? c->at_entry : c->delve_entry;
	*entry_agrees = eh.e_type == ET_EXEC && entry == eh.e_entry;
	if (eh.e_type == ET_DYN) {
		if (!entry) {
			s = md_err_set(err, MD_E_CORE, "%s is position-independent and the core "
			               "records neither its files nor its entry point", path);
			goto out;
		}
		*bias = entry - eh.e_entry;
		if ((*bias & 0xfff) || entry < eh.e_entry) {
			s = md_err_set(err, MD_E_CORE, "%s cannot be this core's executable: its "
			               "entry point 0x%llx does not fall on a page-aligned load "
			               "address for the core's 0x%llx", path,
			               (unsigned long long)eh.e_entry, (unsigned long long)entry);
			goto out;
		}
		*entry_agrees = 1;   /* by construction: it is what placed the file */
	}
	s = add_loads(c, e, path, *bias, err);
out:
	if (e)
		elf_end(e);
	return s;
}
