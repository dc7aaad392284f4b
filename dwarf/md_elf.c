/* md_elf.c - facts about an ELF file: Go version, PIE, load address, build
 * id, debuglink, and whether it carries DWARF.
 *
 * libelf is used for the headers and the tables it already bounds-checks
 * (section headers, program headers, notes, symbols).  The few small
 * sections whose bytes we parse ourselves (.go.buildinfo, .gnu_debuglink)
 * are read with pread after checking offset and size against the file
 * size, so a lying header can neither make us read out of bounds nor make
 * us allocate much.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "md_elf_priv.h"

/* Go's build info: a 32-byte header (16 bytes of magic, pointer size and
 * flags, then two pointer slots unused since Go 1.18) followed, when the
 * "inline version" flag is set, by uvarint-length-prefixed strings:
 * the Go version first.  See debug/buildinfo in the Go tree. */
#define BI_MAGIC "\xff Go buildinf:"
#define BI_MAGIC_LEN 14
#define BI_HDR 32
#define BI_FLAG_INLINE 0x2
/* Enough for the header, the version and the module info, whose build
 * settings come last, after one line per dependency. */
#define BI_READ (1u << 20)
/* How much of the data segment we search when there is no .go.buildinfo
 * section (section headers stripped); the linker puts it first. */
#define BI_SCAN_MAX (1u << 20)

#define NT_GNU_BUILD_ID_TYPE 3
/* A note section bigger than this is not something a linker wrote. */
#define NOTE_MAX (64u * 1024)
#define DEBUGLINK_MAX 4096

/* Read exactly n bytes at off, or fail; retries short reads and EINTR. */
static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	unsigned char *p = buf;
	while (n > 0) {
		ssize_t r = pread(fd, p, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

/* Is [off, off+size) inside a file of fsize bytes? (overflow-safe) */
static int in_file(uint64_t off, uint64_t size, uint64_t fsize)
{
	return off <= fsize && size <= fsize - off;
}

/* A uvarint at p[*i..n): 0, or -1 when it runs past n or 64 bits. */
static int uvarint(const unsigned char *p, size_t n, size_t *i, uint64_t *v)
{
	*v = 0;
	for (unsigned shift = 0; shift <= 63; shift += 7) {
		if (*i >= n)
			return -1;
		unsigned char b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* p[0..len) into out (outsz > 0), printable ASCII only, truncated. */
static void copy_printable(const unsigned char *p, size_t len, char *out, size_t outsz)
{
	size_t k = len < outsz - 1 ? len : outsz - 1;
	for (size_t j = 0; j < k; j++)
		out[j] = (p[j] >= 0x20 && p[j] < 0x7f) ? (char)p[j] : '?';
	out[k] = '\0';
}

/* The value of the "build\tGOEXPERIMENT=" line of module info m[0..n). */
static void find_experiment(const unsigned char *m, size_t n, char *out, size_t outsz)
{
	static const char key[] = "build\tGOEXPERIMENT=";
	const size_t klen = sizeof key - 1;
	for (size_t i = 0; i < n;) {
		const unsigned char *nl = memchr(m + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - m) : n;
		if (end - i >= klen && memcmp(m + i, key, klen) == 0) {
			copy_printable(m + i + klen, end - i - klen, out, outsz);
			return;
		}
		i = end + 1;
	}
}

int md_dwarf_parse_buildinfo(const unsigned char *p, size_t n, char *version, size_t nv,
                             char *experiment, size_t ne)
{
	if (nv)
		version[0] = '\0';
	if (ne)
		experiment[0] = '\0';
	if (!p || n < BI_HDR || memcmp(p, BI_MAGIC, BI_MAGIC_LEN) != 0)
		return 0;
	unsigned ptrsize = p[14], flags = p[15];
	if ((ptrsize != 4 && ptrsize != 8) || !(flags & BI_FLAG_INLINE))
		return 1; /* pre-1.18 layout: version only via pointers */

	uint64_t len;
	size_t i = BI_HDR;
	if (uvarint(p, n, &i, &len) != 0 || len == 0 || len > n - i)
		return 1;
	if (nv)
		copy_printable(p + i, (size_t)len, version, nv);
	i += (size_t)len;
	if (uvarint(p, n, &i, &len) != 0 || len > n - i)
		return 1;
	if (ne)
		find_experiment(p + i, (size_t)len, experiment, ne);
	return 1;
}

static int parse_buildinfo(const unsigned char *p, size_t n, md_exe_info *info)
{
	return md_dwarf_parse_buildinfo(p, n, info->go_version, sizeof info->go_version,
	                                info->go_experiment, sizeof info->go_experiment);
}

/* Read a .go.buildinfo section (at most BI_READ bytes) and parse it. */
static int buildinfo_from_section(int fd, uint64_t fsize, const GElf_Shdr *sh,
                                  md_exe_info *info)
{
	if (sh->sh_type == SHT_NOBITS || !in_file(sh->sh_offset, sh->sh_size, fsize))
		return 0;
	size_t n = sh->sh_size < BI_READ ? (size_t)sh->sh_size : BI_READ;
	if (n < BI_HDR)
		return 0;
	unsigned char *buf = malloc(n);
	int found = buf && pread_full(fd, buf, n, sh->sh_offset) == 0 &&
	            parse_buildinfo(buf, n, info);
	free(buf);
	return found;
}

/* No .go.buildinfo section (section headers stripped): search the start of
 * the first writable PT_LOAD at 16-byte alignment, as debug/buildinfo does
 * with the data segment. */
static int buildinfo_from_segments(Elf *elf, int fd, uint64_t fsize,
                                   md_exe_info *info)
{
	size_t nph;
	if (elf_getphdrnum(elf, &nph) != 0)
		return 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_W) || !in_file(ph.p_offset, ph.p_filesz, fsize))
			continue;
		size_t n = ph.p_filesz < BI_SCAN_MAX ? (size_t)ph.p_filesz : BI_SCAN_MAX;
		unsigned char *buf = malloc(n ? n : 1);
		int found = 0;
		if (buf && n >= BI_HDR && pread_full(fd, buf, n, ph.p_offset) == 0) {
			for (size_t o = 0; o + BI_HDR <= n && !found; o += 16)
				found = parse_buildinfo(buf + o, n - o, info);
		}
		free(buf);
		return found; /* only the first writable segment holds it */
	}
	return 0;
}

/* Scan notes in an Elf_Data for NT_GNU_BUILD_ID; returns 1 when found. */
static int build_id_from_notes(Elf_Data *data, md_exe_info *info)
{
	size_t off = 0, noff, doff;
	GElf_Nhdr nh;
	while (data && off < data->d_size &&
	       (off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
		if (nh.n_type != NT_GNU_BUILD_ID_TYPE || nh.n_namesz != 4 ||
		    memcmp((const char *)data->d_buf + noff, "GNU", 4) != 0 ||
		    nh.n_descsz == 0)
			continue;
		static const char hex[] = "0123456789abcdef";
		const unsigned char *id = (const unsigned char *)data->d_buf + doff;
		size_t n = nh.n_descsz;
		if (n > (sizeof info->build_id - 1) / 2)
			n = (sizeof info->build_id - 1) / 2;
		for (size_t i = 0; i < n; i++) {
			info->build_id[2 * i] = hex[id[i] >> 4];
			info->build_id[2 * i + 1] = hex[id[i] & 15];
		}
		info->build_id[2 * n] = '\0';
		return 1;
	}
	return 0;
}

/* Section headers stripped: notes are still reachable via PT_NOTE. */
static void build_id_from_segments(Elf *elf, uint64_t fsize, md_exe_info *info)
{
	size_t nph;
	if (elf_getphdrnum(elf, &nph) != 0)
		return;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE ||
		    ph.p_filesz == 0 || ph.p_filesz > NOTE_MAX ||
		    !in_file(ph.p_offset, ph.p_filesz, fsize))
			continue;
		Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset,
		                                   ph.p_filesz, ELF_T_NHDR);
		if (build_id_from_notes(d, info))
			return;
	}
}

/* .gnu_debuglink: a NUL-terminated file name, padding to 4, a CRC32. */
static void read_debuglink(int fd, uint64_t fsize, const GElf_Shdr *sh,
                           md_exe_info *info, md_elf_facts *facts)
{
	unsigned char buf[DEBUGLINK_MAX];
	if (sh->sh_type == SHT_NOBITS || sh->sh_size < 8 ||
	    sh->sh_size > sizeof buf || !in_file(sh->sh_offset, sh->sh_size, fsize))
		return;
	size_t n = (size_t)sh->sh_size;
	if (pread_full(fd, buf, n, sh->sh_offset) < 0)
		return;
	size_t len = strnlen((const char *)buf, n);
	size_t crc_off = (len + 1 + 3) & ~(size_t)3;
	/* A bare file name only: a '/' would let a crafted file send us to
	 * an arbitrary path. */
	if (len == 0 || len >= sizeof info->debuglink || crc_off + 4 > n ||
	    memchr(buf, '/', len) || strcmp((const char *)buf, ".") == 0 ||
	    strcmp((const char *)buf, "..") == 0)
		return;
	memcpy(info->debuglink, buf, len + 1);
	facts->debuglink_crc = (uint32_t)buf[crc_off] |
	                       (uint32_t)buf[crc_off + 1] << 8 |
	                       (uint32_t)buf[crc_off + 2] << 16 |
	                       (uint32_t)buf[crc_off + 3] << 24;
	facts->has_debuglink = 1;
}

/* Look for runtime.main / runtime.buildVersion in a symbol table: the Go
 * marker for binaries whose build info is missing or unreadable. */
static int has_go_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || sh->sh_entsize == 0)
		return 0;
	size_t n = data->d_size / sh->sh_entsize;
	for (size_t i = 0; i < n; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			break;
		const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && name[0] == 'r' &&
		    (strcmp(name, "runtime.main") == 0 ||
		     strcmp(name, "runtime.buildVersion") == 0))
			return 1;
	}
	return 0;
}

/* p_vaddr of the PT_LOAD mapping file offset 0, rounded down to p_align.
 * If no segment starts at offset 0, use where offset 0 would map given the
 * lowest segment (p_vaddr and p_offset are congruent modulo p_align). */
static void read_load_vaddr(Elf *elf, md_exe_info *info)
{
	size_t nph;
	int have = 0;
	uint64_t best = 0;
	if (elf_getphdrnum(elf, &nph) != 0)
		return;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    ph.p_vaddr < ph.p_offset)
			continue;
		uint64_t v = ph.p_vaddr - ph.p_offset;
		if (ph.p_align > 1 && (ph.p_align & (ph.p_align - 1)) == 0)
			v &= ~(ph.p_align - 1);
		if (ph.p_offset == 0) {
			info->load_vaddr = v;
			return;
		}
		if (!have || v < best)
			best = v;
		have = 1;
	}
	info->load_vaddr = best;
}

md_status md_elf_read(int fd, const char *path, md_exe_info *info,
                      md_elf_facts *facts, md_err *err)
{
	const char *label = path ? path : "executable";
	struct stat st;
	memset(facts, 0, sizeof *facts);
	info->go_version[0] = info->go_experiment[0] = '\0';
	info->build_id[0] = info->debuglink[0] = '\0';
	info->is_go = info->pie = 0;
	info->load_vaddr = 0;

	if (fstat(fd, &st) != 0)
		return md_err_set(err, MD_E_NOTELF, "%s: %s", label, strerror(errno));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return md_err_set(err, MD_E_NOTELF, "libelf: %s", elf_errmsg(-1));
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf)
		return md_err_set(err, MD_E_NOTELF, "%s: %s", label, elf_errmsg(-1));

	md_status rc = MD_OK;
	size_t idlen = 0;
	const char *ident = elf_getident(elf, &idlen);
	GElf_Ehdr eh;
	if (elf_kind(elf) != ELF_K_ELF || !ident || idlen < EI_NIDENT ||
	    !gelf_getehdr(elf, &eh)) {
		rc = md_err_set(err, MD_E_NOTELF, "%s: not an ELF file", label);
		goto out;
	}
	if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB) {
		rc = md_err_set(err, MD_E_NOTELF,
		                "%s: not a 64-bit little-endian ELF file", label);
		goto out;
	}
	uint64_t fsize = (uint64_t)st.st_size;
	info->pie = eh.e_type == ET_DYN;
	read_load_vaddr(elf, info);

	size_t shstrndx;
	int have_bi = 0, have_sections = 0, have_syms = 0, have_bid = 0;
	Elf_Scn *symtabs[2] = { NULL, NULL };
	GElf_Shdr symhdrs[2];
	if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
		for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh))
				continue;
			have_sections = 1;
			const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
			if (!name)
				continue;
			if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
				int k = sh.sh_type == SHT_SYMTAB ? 0 : 1;
				symtabs[k] = scn;
				symhdrs[k] = sh;
				have_syms = 1;
			} else if (sh.sh_type == SHT_NOTE && !have_bid &&
			           sh.sh_size <= NOTE_MAX &&
			           in_file(sh.sh_offset, sh.sh_size, fsize)) {
				have_bid = build_id_from_notes(elf_getdata(scn, NULL), info);
			} else if (strcmp(name, ".go.buildinfo") == 0) {
				have_bi = buildinfo_from_section(fd, fsize, &sh, info);
			} else if (strcmp(name, ".gnu_debuglink") == 0) {
				read_debuglink(fd, fsize, &sh, info, facts);
			} else if ((strcmp(name, ".debug_info") == 0 ||
			            strcmp(name, ".zdebug_info") == 0) &&
			           sh.sh_type != SHT_NOBITS && sh.sh_size > 0) {
				facts->has_debug_info = 1;
				facts->debug_compressed = name[1] == 'z' ||
				                          (sh.sh_flags & SHF_COMPRESSED);
			}
		}
	}
	if (!have_sections) {
		have_bi = buildinfo_from_segments(elf, fd, fsize, info);
		build_id_from_segments(elf, fsize, info);
	}
	info->is_go = have_bi;
	/* Symbols only when build info is missing: they are the slow path. */
	for (int k = 0; k < 2 && !info->is_go && have_syms; k++)
		if (symtabs[k])
			info->is_go = has_go_symbols(elf, symtabs[k], &symhdrs[k]);
out:
	elf_end(elf);
	return rc;
}

int md_elf_file_crc32(int fd, uint32_t *crc)
{
	unsigned char buf[64 * 1024];
	uLong c = crc32(0L, Z_NULL, 0);
	uint64_t off = 0;
	for (;;) {
		ssize_t r = pread(fd, buf, sizeof buf, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		c = crc32(c, buf, (uInt)r);
		off += (uint64_t)r;
	}
	*crc = (uint32_t)c;
	return 0;
}
