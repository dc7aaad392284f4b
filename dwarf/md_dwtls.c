/* md_dwtls.c - the thread-pointer offset of a TLS symbol (md_dwarf.h).
 *
 * An externally linked Go binary (cgo) reaches its g slot through
 * runtime.tlsg, a TLS symbol that the system linker places among the C
 * code's own thread-locals: the Go linker emits R_X86_64_TPOFF32 against it
 * (cmd/link/internal/amd64/asm.go:459 in Go 1.26), so its place is
 * whatever ld gave it.  On amd64 (TLS variant II) the executable's TLS
 * block ends at the thread pointer: glibc puts it at
 *     tp - (roundup(memsz - firstbyte, align) + firstbyte),
 *     firstbyte = -p_vaddr & (align - 1)
 * (elf/dl-tls.c, _dl_determine_tlsoffset, the TLS_TCB_AT_TP branch: the
 * executable is the first module placed), and a TLS symbol's st_value is
 * its offset inside that block.
 */
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* The PT_TLS segment of the file the symbol table was read from. */
static int tls_segment(Elf *elf, GElf_Phdr *out)
{
	size_t n;
	if (!elf || elf_getphdrnum(elf, &n) != 0)
		return 0;
	for (size_t i = 0; i < n && i < 4096; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_TLS) {
			*out = ph;
			return 1;
		}
	}
	return 0;
}

/* The STT_TLS symbol called name in .symtab. */
static const Elf64_Sym *tls_sym(const md_dwarf *d, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < d->nsymtab; i++) {
		const Elf64_Sym *s = &d->symtab[i];
		if (ELF64_ST_TYPE(s->st_info) != STT_TLS || s->st_shndx == SHN_UNDEF ||
		    s->st_name >= d->symstr_len || d->symstr_len - s->st_name <= len)
			continue;
		const char *p = d->symstr + s->st_name;
		if (memcmp(p, name, len) == 0 && p[len] == '\0')
			return s;
	}
	return NULL;
}

md_status md_dwarf_tls_offset(md_dwarf *d, const char *name, int64_t *off, md_err *err)
{
	uint64_t v;
	*off = 0;
	/* opens .symtab (once) and says whether the name is there at all */
	md_status s = md_dw_sym_value(d, name, &v, err);
	if (s != MD_OK)
		return s;
	const Elf64_Sym *sym = tls_sym(d, name);
	GElf_Phdr ph;
	if (!sym || !tls_segment(d->symelf, &ph))
		return md_err_set(err, MD_NOTFOUND, "%s: no TLS symbol %s with a PT_TLS",
		                  d->info.dwarf_path, name);
	uint64_t align = ph.p_align ? ph.p_align : 1;
	/* a page of alignment and a MiB of thread-locals are far beyond
	 * anything a linker makes; more is a hostile file */
	if ((align & (align - 1)) || align > 4096 || ph.p_memsz > ((uint64_t)1 << 20) ||
	    ph.p_filesz > ph.p_memsz || sym->st_value > ph.p_memsz ||
	    ph.p_memsz - sym->st_value < 8)
		return md_err_set(err, MD_E_DWARF, "%s: %s at %#llx of a PT_TLS of %#llx bytes "
		                  "aligned %#llx", d->info.dwarf_path, name,
		                  (unsigned long long)sym->st_value,
		                  (unsigned long long)ph.p_memsz, (unsigned long long)align);
	uint64_t first = -ph.p_vaddr & (align - 1);
	uint64_t block = ((ph.p_memsz - (first < ph.p_memsz ? first : 0) + align - 1) &
	                  ~(align - 1)) + first;
	*off = (int64_t)sym->st_value - (int64_t)block;
	return MD_OK;
}
