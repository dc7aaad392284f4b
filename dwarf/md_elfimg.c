/* md_elfimg.c - a mapped ELF file's segments, unwind table and function
 * symbols (md_elfimg.h). */
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "md_elfimg.h"

/* Nothing a linker makes has more; more is a hostile file. */
#define MAX_LOADS 64
#define MAX_SYMS ((size_t)1 << 22)

typedef struct seg {
	uint64_t vaddr, memsz, off, filesz;
	int exec;
} seg;

typedef struct esym {
	uint64_t lo, hi;
	uint32_t name;     /* offset in strtab */
	uint32_t rank;     /* lower is preferred among aliases */
} esym;

struct md_elfimg {
	unsigned char *map;
	size_t size;
	Elf *elf;
	seg loads[MAX_LOADS];
	int nloads;
	uint64_t ehdr_a, ehdr_size;   /* PT_GNU_EH_FRAME */
	const char *strtab;
	size_t strtab_len;
	esym *syms;
	size_t nsyms;
	unsigned char build_id[64];
	size_t build_id_len;
};

/* NT_GNU_BUILD_ID in one PT_NOTE's bytes: 4-byte namesz, descsz, type,
 * then the name and the descriptor, each padded to 4. */
static void notes(md_elfimg *im, uint64_t off, uint64_t size)
{
	if (off > im->size || size > im->size - off)
		return;
	const unsigned char *p = im->map + off, *end = p + size;
	while (end - p >= 12) {
		uint32_t nsz, dsz, type;
		memcpy(&nsz, p, 4);
		memcpy(&dsz, p + 4, 4);
		memcpy(&type, p + 8, 4);
		uint64_t na = ((uint64_t)nsz + 3) & ~3ull, da = ((uint64_t)dsz + 3) & ~3ull;
		if (na + da > (uint64_t)(end - p) - 12)
			return;
		if (type == NT_GNU_BUILD_ID && nsz == 4 && !memcmp(p + 12, "GNU", 4) && dsz &&
		    dsz <= sizeof im->build_id) {
			memcpy(im->build_id, p + 12 + na, dsz);
			im->build_id_len = dsz;
			return;
		}
		p += 12 + na + da;
	}
}

static md_status segments(md_elfimg *im, md_err *err)
{
	size_t n;
	if (elf_getphdrnum(im->elf, &n) != 0)
		return md_err_set(err, MD_E_NOTELF, "no program headers");
	for (size_t i = 0; i < n && i < 4096; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(im->elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_NOTE && !im->build_id_len)
			notes(im, ph.p_offset, ph.p_filesz);
		if (ph.p_type == PT_GNU_EH_FRAME) {
			im->ehdr_a = ph.p_vaddr;
			im->ehdr_size = ph.p_memsz;
		}
		if (ph.p_type != PT_LOAD || im->nloads == MAX_LOADS)
			continue;
		/* the file part must be in the file; the memory part must not
		 * wrap */
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > im->size ||
		    ph.p_filesz > im->size - ph.p_offset || ph.p_vaddr + ph.p_memsz < ph.p_vaddr)
			continue;
		im->loads[im->nloads++] = (seg){ ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz,
		                                 !!(ph.p_flags & PF_X) };
	}
	(void)err;
	return MD_OK;   /* without loads: a debug file, for its symbols */
}

static uint32_t bind_rank(unsigned char info)
{
	switch (ELF64_ST_BIND(info)) {
	case STB_GLOBAL: return 0;
	case STB_WEAK: return 1;
	default: return 2;
	}
}

static int esym_cmp(const void *a, const void *b)
{
	const esym *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* The function symbols of one symbol table section. */
static md_status load_syms(md_elfimg *im, Elf_Scn *scn, const GElf_Shdr *sh, md_err *err)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	Elf_Scn *str = elf_getscn(im->elf, sh->sh_link);
	Elf_Data *sd = str ? elf_getdata(str, NULL) : NULL;
	if (!data || !data->d_buf || !sd || !sd->d_buf || !sd->d_size ||
	    sh->sh_entsize != sizeof(Elf64_Sym))
		return MD_NOTFOUND;
	const Elf64_Sym *tab = data->d_buf;
	size_t n = data->d_size / sizeof *tab;
	if (n > MAX_SYMS)
		n = MAX_SYMS;
	im->syms = calloc(n ? n : 1, sizeof *im->syms);
	if (!im->syms)
		return md_err_set(err, MD_E_NOMEM, "%zu symbols", n);
	im->strtab = sd->d_buf;
	im->strtab_len = sd->d_size;
	for (size_t i = 0; i < n; i++) {
		const Elf64_Sym *s = &tab[i];
		int t = ELF64_ST_TYPE(s->st_info);
		if ((t != STT_FUNC && t != STT_GNU_IFUNC) || !s->st_size ||
		    s->st_shndx == SHN_UNDEF || !s->st_name || s->st_name >= im->strtab_len ||
		    s->st_value + s->st_size < s->st_value)
			continue;
		const char *nm = im->strtab + s->st_name;
		uint32_t under = 0;
		while (under < 3 && nm[under] == '_')
			under++;
		/* binding first, then fewer leading underscores, then table
		 * order (the index makes the sort's result unique) */
		uint32_t rank = (bind_rank(s->st_info) << 28) | (under << 24) | (uint32_t)(i & 0xffffff);
		im->syms[im->nsyms++] = (esym){ s->st_value, s->st_value + s->st_size,
		                                (uint32_t)s->st_name, rank };
	}
	qsort(im->syms, im->nsyms, sizeof *im->syms, esym_cmp);
	return MD_OK;
}

static md_status symbols(md_elfimg *im, md_err *err)
{
	Elf_Scn *dyn = NULL;
	GElf_Shdr dsh;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->elf, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB) {
			md_status s = load_syms(im, scn, &sh, err);
			if (s != MD_NOTFOUND)
				return s;
		} else if (sh.sh_type == SHT_DYNSYM && !dyn) {
			dyn = scn;
			dsh = sh;
		}
	}
	if (dyn) {
		md_status s = load_syms(im, dyn, &dsh, err);
		return s == MD_NOTFOUND ? MD_OK : s;
	}
	return MD_OK;   /* no symbols: frames go unnamed */
}

md_status md_elfimg_open(int fd, md_elfimg **out, md_err *err)
{
	*out = NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
		return md_err_set(err, MD_E_NOTELF, "not a regular ELF file");
	md_elfimg *im = calloc(1, sizeof *im);
	if (!im)
		return md_err_set(err, MD_E_NOMEM, "ELF image");
	im->size = (size_t)st.st_size;
	/* private and writable: libelf may not write a shared read-only
	 * mapping, and nothing reaches the file */
	im->map = mmap(NULL, im->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	md_status s = MD_OK;
	if (im->map == MAP_FAILED) {
		im->map = NULL;
		s = md_err_set(err, MD_E_NOTELF, "cannot map the file");
	} else if (elf_version(EV_CURRENT) == EV_NONE ||
	           !(im->elf = elf_memory((char *)im->map, im->size)) ||
	           elf_kind(im->elf) != ELF_K_ELF || gelf_getclass(im->elf) != ELFCLASS64 ||
	           im->map[EI_DATA] != ELFDATA2LSB) {
		s = md_err_set(err, MD_E_NOTELF, "not a 64-bit little-endian ELF file");
	}
	if (s == MD_OK)
		s = segments(im, err);
	if (s == MD_OK)
		s = symbols(im, err);
	if (s != MD_OK) {
		md_elfimg_free(im);
		return s;
	}
	*out = im;
	return MD_OK;
}

void md_elfimg_free(md_elfimg *im)
{
	if (!im)
		return;
	if (im->elf)
		elf_end(im->elf);
	if (im->map)
		munmap(im->map, im->size);
	free(im->syms);
	free(im);
}

int md_elfimg_vaddr_of(const md_elfimg *im, uint64_t off, int exec, uint64_t *vaddr)
{
	for (int i = 0; i < im->nloads; i++) {
		const seg *g = &im->loads[i];
		/* a mapping's offset is page-aligned, the segment's need not be */
		uint64_t goff = g->off & ~(uint64_t)4095, gva = g->vaddr & ~(uint64_t)4095;
		if ((!exec || g->exec) && off >= goff && off - goff < g->filesz + (g->off - goff)) {
			*vaddr = gva + (off - goff);
			return 1;
		}
	}
	return 0;
}

int md_elfimg_read(const md_elfimg *im, uint64_t a, void *buf, size_t n)
{
	for (int i = 0; i < im->nloads; i++) {
		const seg *g = &im->loads[i];
		if (a < g->vaddr || a - g->vaddr > g->memsz || n > g->memsz - (a - g->vaddr))
			continue;
		uint64_t rel = a - g->vaddr;
		size_t have = rel < g->filesz ? (size_t)(g->filesz - rel) : 0;
		if (have > n)
			have = n;
		memcpy(buf, im->map + g->off + rel, have);
		memset((unsigned char *)buf + have, 0, n - have);
		return 1;
	}
	return 0;
}

int md_elfimg_eh_frame_hdr(const md_elfimg *im, uint64_t *a, uint64_t *size)
{
	*a = im->ehdr_a;
	*size = im->ehdr_size;
	return im->ehdr_size != 0;
}

int md_elfimg_func_at(md_elfimg *im, uint64_t a, const char **name, uint64_t *lo)
{
	size_t l = 0, h = im->nsyms;
	while (l < h) {
		size_t mid = l + (h - l) / 2;
		if (im->syms[mid].lo <= a)
			l = mid + 1;
		else
			h = mid;
	}
	if (!l)
		return 0;
	/* the preferred alias is the first of its address */
	size_t j = l - 1;
	while (j > 0 && im->syms[j - 1].lo == im->syms[l - 1].lo)
		j--;
	for (; j < l; j++) {
		const esym *s = &im->syms[j];
		if (a < s->hi && memchr(im->strtab + s->name, '\0', im->strtab_len - s->name)) {
			*name = im->strtab + s->name;
			*lo = s->lo;
			return 1;
		}
	}
	return 0;
}

size_t md_elfimg_build_id(const md_elfimg *im, const unsigned char **id)
{
	*id = im->build_id;
	return im->build_id_len;
}

int md_elfimg_sym(md_elfimg *im, const char *name, uint64_t *value)
{
	size_t len = strlen(name);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->elf, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    sh.sh_entsize != sizeof(Elf64_Sym))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		Elf_Scn *str = elf_getscn(im->elf, sh.sh_link);
		Elf_Data *sd = str ? elf_getdata(str, NULL) : NULL;
		if (!data || !data->d_buf || !sd || !sd->d_buf)
			continue;
		const Elf64_Sym *tab = data->d_buf;
		const char *strs = sd->d_buf;
		for (size_t i = 0; i < data->d_size / sizeof *tab; i++) {
			const Elf64_Sym *s = &tab[i];
			if (s->st_shndx == SHN_UNDEF || s->st_name >= sd->d_size ||
			    sd->d_size - s->st_name <= len)
				continue;
			if (!memcmp(strs + s->st_name, name, len) && strs[s->st_name + len] == '\0') {
				*value = s->st_value;
				return 1;
			}
		}
	}
	return 0;
}
