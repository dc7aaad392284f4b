/* md_core.c - index a core file: segments and notes (see md_core.h).
 *
 * libelf reads the headers and notes (elf_memory over the mapping,
 * gelf_getnote), as it does for executables in md_elf.c; the layouts of
 * the notes' descriptors are the kernel's (linux/elfcore.h), which glibc's
 * sys/procfs.h mirrors for x86-64, the only machine read here. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <unistd.h>
#include "md_core.h"
#include "md_core_priv.h"

/* What a file that is not an ELF core is, by its first bytes. */
static const char *sniff(const unsigned char *p, size_t n)
{
	static const struct { const char *what; unsigned char m[6]; size_t n; } magic[] = {
		{ "gzip-compressed", { 0x1f, 0x8b }, 2 },
		{ "zstd-compressed", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
		{ "xz-compressed", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6 },
		{ "bzip2-compressed", { 'B', 'Z', 'h' }, 3 },
		{ "lz4-compressed", { 0x04, 0x22, 0x4d, 0x18 }, 4 },
	};
	for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (n >= magic[i].n && !memcmp(p, magic[i].m, magic[i].n))
			return magic[i].what;
	return NULL;
}

static md_status check_header(const md_core *c, Elf *e, const char *path, md_err *err)
{
	const char *what = sniff(c->map, c->size);
	if (what)
		return md_err_set(err, MD_E_CORE, "%s is %s: decompress it first", path, what);
	GElf_Ehdr eh;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh))
		return md_err_set(err, MD_E_CORE, "%s is not an ELF file", path);
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh.e_machine != EM_X86_64)
		return md_err_set(err, MD_E_CORE, "%s is a core of another machine (e_machine %u, "
		                  "class %u): mapdiag reads x86-64 cores", path,
		                  (unsigned)eh.e_machine, (unsigned)eh.e_ident[EI_CLASS]);
	if (eh.e_type != ET_CORE)
		return md_err_set(err, MD_E_CORE, "%s is %s, not a core", path,
		                  eh.e_type == ET_EXEC || eh.e_type == ET_DYN ? "an executable" :
		                  "an ELF file");
	return MD_OK;
}

static int seg_cmp(const void *a, const void *b)
{
	const md_core_seg *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static md_status add_seg(md_core *c, const GElf_Phdr *ph, md_err *err)
{
	if (!ph->p_memsz)
		return MD_OK;
	if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr || ph->p_filesz > ph->p_memsz)
		return md_err_set(err, MD_E_CORE, "segment at 0x%llx has impossible sizes",
		                  (unsigned long long)ph->p_vaddr);
	md_core_seg *s = &c->segs[c->nsegs++];
	memset(s, 0, sizeof *s);
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->flags = (unsigned)ph->p_flags;
	s->present = ph->p_filesz;
	if (ph->p_offset >= c->size) {
		s->cut = s->present != 0;
		s->present = 0;
	} else if (s->present > c->size - ph->p_offset) {
		s->present = c->size - ph->p_offset;
		s->cut = 1;
	}
	s->bytes = c->map + (ph->p_offset < c->size ? ph->p_offset : 0);
	c->cut |= s->cut;
	return MD_OK;
}

/* NT_FILE: count, page size, count (start, end, page offset), count
 * strings. */
static md_status take_files(md_core *c, const unsigned char *d, size_t n, md_err *err)
{
	if (c->has_file_note || n < 16)
		return MD_OK;   /* one note only; a short one says nothing */
	uint64_t count, page;
	memcpy(&count, d, 8);
	memcpy(&page, d + 8, 8);
	if (count > MD_CORE_MAX_FILES || count * 24 > n - 16 || !page ||
	    (page & (page - 1)) || page > (1u << 30))
		return md_err_set(err, MD_E_CORE, "the NT_FILE note is corrupt");
	const unsigned char *names = d + 16 + count * 24, *end = d + n;
	c->strings = malloc((size_t)(end - names) + 1);
	c->files = calloc(count ? count : 1, sizeof *c->files);
	if (!c->strings || !c->files)
		return md_err_set(err, MD_E_NOMEM, "core file list");
	memcpy(c->strings, names, (size_t)(end - names));
	c->strings[end - names] = '\0';
	const char *p = c->strings, *pe = c->strings + (end - names);
	for (uint64_t i = 0; i < count; i++) {
		md_core_file *f = &c->files[c->nfiles];
		uint64_t pg;
		memcpy(&f->start, d + 16 + i * 24, 8);
		memcpy(&f->end, d + 24 + i * 24, 8);
		memcpy(&pg, d + 32 + i * 24, 8);
		f->path = p < pe ? p : "";
		p += strnlen(p, (size_t)(pe - p)) + 1;
		if (p > pe)
			p = pe;
		if (f->end <= f->start || pg > UINT64_MAX / page)
			continue;   /* a nonsense entry is dropped, not believed */
		f->offset = pg * page;
		c->nfiles++;
	}
	c->page_size = page;
	c->has_file_note = 1;
	return MD_OK;
}

md_status md_core_new_thread(md_core *c, md_core_thread **out, md_err *err)
{
	if (c->nthreads >= MD_CORE_MAX_THREADS)
		return md_err_set(err, MD_E_CORE, "more than %u threads", MD_CORE_MAX_THREADS);
	size_t n0 = c->nthreads;
	if (!n0 || (n0 >= 8 && !(n0 & (n0 - 1)))) {   /* 8, then doubling */
		size_t cap = n0 ? n0 * 2 : 8;
		md_core_thread *t = realloc(c->threads, cap * sizeof *t);
		if (!t)
			return md_err_set(err, MD_E_NOMEM, "core threads");
		c->threads = t;
	}
	*out = &c->threads[c->nthreads++];
	memset(*out, 0, sizeof **out);
	return MD_OK;
}

static md_status take_thread(md_core *c, const unsigned char *d, size_t n, md_err *err)
{
	if (n < sizeof(struct elf_prstatus))
		return md_err_set(err, MD_E_CORE, "an NT_PRSTATUS note is %zu bytes, not %zu", n,
		                  sizeof(struct elf_prstatus));
	md_core_thread *t;
	md_status s = md_core_new_thread(c, &t, err);
	if (s != MD_OK)
		return s;
	int16_t sig;
	memcpy(&t->tid, d + offsetof(struct elf_prstatus, pr_pid), 4);
	memcpy(&sig, d + offsetof(struct elf_prstatus, pr_cursig), 2);
	t->signo = sig;
	_Static_assert(sizeof(((struct elf_prstatus *)0)->pr_reg) == MD_CORE_NGREG * 8,
	               "x86-64 user_regs_struct");
	memcpy(t->gregs, d + offsetof(struct elf_prstatus, pr_reg), MD_CORE_NGREG * 8);
	return MD_OK;
}

static void take_psinfo(md_core *c, const unsigned char *d, size_t n)
{
	if (n < sizeof(struct elf_prpsinfo))
		return;
	memcpy(&c->pid, d + offsetof(struct elf_prpsinfo, pr_pid), 4);
	memcpy(c->fname, d + offsetof(struct elf_prpsinfo, pr_fname), 16);
	c->fname[16] = '\0';
	memcpy(c->psargs, d + offsetof(struct elf_prpsinfo, pr_psargs), 80);
	c->psargs[80] = '\0';
}

static void take_auxv(md_core *c, const unsigned char *d, size_t n)
{
	for (size_t i = 0; i + 16 <= n; i += 16) {
		uint64_t k, v;
		memcpy(&k, d + i, 8);
		memcpy(&v, d + i + 8, 8);
		if (k == AT_ENTRY)
			c->at_entry = v;
		else if (k == AT_PHDR)
			c->at_phdr = v;
		else if (k == AT_NULL)
			break;
	}
}

/* The ELF spec counts the name's NUL in n_namesz; delve's writer does not. */
static int is_name(const char *name, const GElf_Nhdr *nh, const char *want)
{
	size_t n = strlen(want);
	return (nh->n_namesz == n + 1 && !memcmp(name, want, n + 1)) ||
	       (nh->n_namesz == n && !memcmp(name, want, n));
}

/* The kernel and gdb name their notes "CORE"; delve leaves the names of
 * the same notes empty and says who it is in a note of its own, which
 * comes first but is looked for before anything is taken all the same. */
static md_status take_notes(md_core *c, Elf *e, const GElf_Phdr *ph, md_err *err)
{
	if (ph->p_offset >= c->size || ph->p_filesz > c->size - ph->p_offset)
		return md_err_set(err, MD_E_CORE, "truncated before its notes end");
	Elf_Data *data = elf_getdata_rawchunk(e, (int64_t)ph->p_offset, ph->p_filesz,
	                                      ELF_T_NHDR);
	if (!data)
		return md_err_set(err, MD_E_CORE, "unreadable notes: %s", elf_errmsg(-1));
	GElf_Nhdr nh;
	size_t off = 0, noff, doff;
	while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0)
		if (nh.n_type == MD_NT_DELVE_HEADER &&
		    is_name((const char *)data->d_buf + noff, &nh, "Delve Header"))
			md_core_take_delve_header(c, (const unsigned char *)data->d_buf + doff,
			                          nh.n_descsz);
	md_status s = MD_OK;
	off = 0;
	while (s == MD_OK && (off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
		const char *name = (const char *)data->d_buf + noff;
		const unsigned char *d = (const unsigned char *)data->d_buf + doff;
		if (!is_name(name, &nh, "CORE") && !(c->delve && nh.n_namesz == 0))
			continue;
		switch (nh.n_type) {
		case NT_PRSTATUS: s = take_thread(c, d, nh.n_descsz, err); break;
		case NT_PRPSINFO: take_psinfo(c, d, nh.n_descsz); break;
		case NT_AUXV: take_auxv(c, d, nh.n_descsz); break;
		case NT_FILE: s = take_files(c, d, nh.n_descsz, err); break;
		case MD_NT_DELVE_THREAD:
			if (c->delve)
				s = md_core_take_delve_thread(c, d, nh.n_descsz, err);
			break;
		}
	}
	return s;
}

static md_status index_core(md_core *c, Elf *e, md_err *err)
{
	size_t nph;
	if (elf_getphdrnum(e, &nph) != 0)
		return md_err_set(err, MD_E_CORE, "truncated before its program headers end");
	if (nph > MD_CORE_MAX_SEGS)
		return md_err_set(err, MD_E_CORE, "%zu segments", nph);
	c->segs = calloc(nph ? nph : 1, sizeof *c->segs);
	if (!c->segs)
		return md_err_set(err, MD_E_NOMEM, "core segments");
	md_status s = MD_OK;
	int notes = 0;
	for (size_t i = 0; i < nph && s == MD_OK; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph))
			return md_err_set(err, MD_E_CORE, "unreadable program header %zu", i);
		if (ph.p_type == PT_LOAD)
			s = add_seg(c, &ph, err);
		else if (ph.p_type == PT_NOTE && (notes = 1))
			s = take_notes(c, e, &ph, err);
	}
	if (s != MD_OK)
		return s;
	if (c->delve_foreign)
		return md_err_set(err, MD_E_CORE, "it is a dlv dump of a process that was not "
		                  "linux/amd64: mapdiag reads those only");
	if (!notes || !c->nthreads)
		return md_err_set(err, MD_E_CORE, "it has no thread (no NT_PRSTATUS note)");
	qsort(c->segs, c->nsegs, sizeof *c->segs, seg_cmp);
	for (size_t i = 1; i < c->nsegs; i++)
		if (c->segs[i].vaddr < c->segs[i - 1].vaddr + c->segs[i - 1].memsz)
			return md_err_set(err, MD_E_CORE, "segments overlap at 0x%llx",
			                  (unsigned long long)c->segs[i].vaddr);
	if (!c->page_size)
		c->page_size = 4096;
	return MD_OK;
}

md_status md_core_open(const char *path, md_core *c, md_err *err)
{
	memset(c, 0, sizeof *c);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return md_err_set(err, MD_E_CORE, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 64) {
		close(fd);
		return md_err_set(err, MD_E_CORE, "%s is not a regular file of an ELF header's size",
		                  path);
	}
	c->size = (size_t)st.st_size;
	/* private and writable only so that libelf may convert in place if
	 * it wants to: nothing reaches the file */
	void *m = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return md_err_set(err, MD_E_CORE, "cannot map %s: %s", path, strerror(errno));
	c->map = m;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)m, c->size);
	md_status s = e ? check_header(c, e, path, err)
	                : md_err_set(err, MD_E_CORE, "%s: %s", path, elf_errmsg(-1));
	if (s == MD_OK)
		s = index_core(c, e, err);
	if (e)
		elf_end(e);
	if (s != MD_OK)
		md_core_close(c);
	return s;
}

const md_core_seg *md_core_seg_at(const md_core *c, uint64_t addr)
{
	size_t lo = 0, hi = c->nsegs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const md_core_seg *s = &c->segs[mid];
		if (addr < s->vaddr)
			hi = mid;
		else if (addr - s->vaddr >= s->memsz)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

const md_core_file *md_core_file_at(const md_core *c, uint64_t addr)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (addr >= c->files[i].start && addr < c->files[i].end)
			return &c->files[i];
	return NULL;
}

md_status md_core_page_build_id(const unsigned char *page, size_t n, char *hex, size_t hexn)
{
	Elf64_Ehdr eh;
	if (n < sizeof eh || hexn < 3)
		return MD_NOTFOUND;
	memcpy(&eh, page, sizeof eh);
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > n || eh.e_phnum > (n - eh.e_phoff) / sizeof(Elf64_Phdr))
		return MD_NOTFOUND;
	int go = 0;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, page + eh.e_phoff + i * sizeof ph, sizeof ph);
		if (ph.p_type != PT_NOTE || ph.p_offset > n || ph.p_filesz > n - ph.p_offset)
			continue;
		/* notes are 4-aligned here; walk them by hand over the bytes given */
		for (uint64_t o = ph.p_offset, end = ph.p_offset + ph.p_filesz; o + 12 <= end;) {
			uint32_t nh[3];
			memcpy(nh, page + o, 12);
			uint64_t name = o + 12, desc = name + ((nh[0] + 3ull) & ~3ull);
			uint64_t next = desc + ((nh[1] + 3ull) & ~3ull);
			if (next > end || next <= o)
				break;
			if (nh[2] == NT_GNU_BUILD_ID && nh[0] == 4 && !memcmp(page + name, "GNU", 4) &&
			    nh[1] && nh[1] * 2 + 1 <= hexn) {
				for (uint32_t k = 0; k < nh[1]; k++)
					snprintf(hex + 2 * k, 3, "%02x", page[desc + k]);
				return MD_OK;
			}
			/* Go's own (cmd/link: .note.go.buildid, type 4, name "Go"):
			 * the only one a PT_NOTE covers in internally linked
			 * binaries; printable, "actionID/contentID" */
			if (nh[2] == 4 && nh[0] == 4 && !memcmp(page + name, "Go\0\0", 4) && nh[1] &&
			    nh[1] + 4 <= hexn && !go) {
				size_t k = 0;
				memcpy(hex, "go:", 3);
				for (; k < nh[1] && page[desc + k] >= 0x21 && page[desc + k] < 0x7f; k++)
					hex[3 + k] = (char)page[desc + k];
				hex[3 + k] = '\0';
				go = 1;
			}
			o = next;
		}
	}
	return go ? MD_OK : MD_NOTFOUND;
}

void md_core_close(md_core *c)
{
	if (c->map)
		munmap((void *)c->map, c->size);
	free(c->segs);
	free(c->files);
	free(c->threads);
	free(c->strings);
	free(c->exe_copy);
	memset(c, 0, sizeof *c);
}
