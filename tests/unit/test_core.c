/* test_core.c - the core reader (dwarf/md_core.c) and the memory source
 * over it (src/target/mem_core.c).
 *
 *   test_core                          cores made here, byte by byte: notes,
 *                                      segments, pages left out and read
 *                                      from their file, spans across
 *                                      segments, truncation, and every
 *                                      refusal
 *   test_core --make FILE              the good core made here, for the
 *                                      fuzzer's corpus
 *   test_core --compare CORE PID SPEC...
 *       A:L    [A, A+L) read from the core equals the live process's bytes
 *              (the process must be idle: tests/integration/test_core.py
 *              takes the core with gcore), and the core's threads are the
 *              process's;
 *       A=V    the word at A is V (PID may be "-": a process that is gone,
 *              whose core the kernel wrote);
 *       sig=N  the first thread took signal N.
 */
#include <dirent.h>
#include <elf.h>
#include <stdlib.h>
#include <sys/procfs.h>
#include <unistd.h>
#include "md_test.h"
#include "md_core.h"
#include "mem.h"

static char dir[] = "/tmp/md-test-core.XXXXXX";
static char corep[128], filep[128];

/* ---- a core, made ---- */

typedef struct buf { unsigned char *p; size_t n, cap; } buf;

static void put(buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

/* Core notes are 4-byte aligned, even in ELF64 (the kernel's elfcore) */
static void pad4(buf *b)
{
	static const unsigned char z[4];
	put(b, z, (4 - b->n % 4) % 4);
}

static void note(buf *b, unsigned type, const void *d, size_t n)
{
	Elf64_Nhdr h = { 5, (Elf64_Word)n, type };
	put(b, &h, sizeof h);
	put(b, "CORE\0\0\0", 8);
	put(b, d, n);
	pad4(b);
}

typedef struct seg { uint64_t vaddr, memsz, filesz; unsigned char fill; } seg;

enum { BAD_NONE, BAD_CLASS, BAD_MACHINE, BAD_TYPE, BAD_NTFILE, BAD_NOTHREAD };

/* A core of nseg segments; segment i's present bytes are fill+offset. */
static buf make_core(const seg *sg, int nseg, int bad)
{
	buf notes = { 0 }, out = { 0 };
	struct elf_prstatus ps;
	memset(&ps, 0, sizeof ps);
	ps.pr_pid = 4242;
	ps.pr_cursig = 6;
	ps.pr_reg[16] = 0x401000;   /* rip */
	ps.pr_reg[21] = 0x7000;     /* fs_base */
	if (bad != BAD_NOTHREAD)
		note(&notes, NT_PRSTATUS, &ps, sizeof ps);
	ps.pr_pid = 4243;
	ps.pr_cursig = 0;
	if (bad != BAD_NOTHREAD)
		note(&notes, NT_PRSTATUS, &ps, sizeof ps);
	struct elf_prpsinfo pi;
	memset(&pi, 0, sizeof pi);
	pi.pr_pid = 4242;
	memcpy(pi.pr_fname, "svc-with-a-long-name", 16);   /* no NUL */
	snprintf(pi.pr_psargs, sizeof pi.pr_psargs, "svc -flag");
	note(&notes, NT_PRPSINFO, &pi, sizeof pi);
	uint64_t auxv[] = { AT_PHDR, 0x400040, AT_ENTRY, 0x401000, AT_NULL, 0 };
	note(&notes, NT_AUXV, auxv, sizeof auxv);
	/* NT_FILE: [0x10000, 0x12000) is filep from its page 1 */
	buf f = { 0 };
	/* [0x10000, 0x12000) and [0x50000, 0x51000) are filep from its page
	 * 1 and 0 (the second has no segment: gcore leaves read-only file
	 * mappings out); the third entry is nonsense */
	uint64_t hdr[] = { bad == BAD_NTFILE ? 1ull << 40 : 3, 4096,
	                   0x10000, 0x12000, 1, 0x50000, 0x51000, 0, 0x70000, 0x60000, 0 };
	put(&f, hdr, sizeof hdr);
	put(&f, filep, strlen(filep) + 1);
	put(&f, filep, strlen(filep) + 1);
	put(&f, "/nonexistent/lib.so", 20);
	note(&notes, NT_FILE, f.p, f.n);
	free(f.p);

	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = bad == BAD_CLASS ? ELFCLASS32 : ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = bad == BAD_TYPE ? ET_EXEC : ET_CORE;
	eh.e_machine = bad == BAD_MACHINE ? EM_AARCH64 : EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof eh;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)(1 + nseg);
	put(&out, &eh, sizeof eh);
	uint64_t off = sizeof eh + (1 + (uint64_t)nseg) * sizeof(Elf64_Phdr);
	Elf64_Phdr ph = { PT_NOTE, 0, off, 0, 0, notes.n, 0, 4 };
	put(&out, &ph, sizeof ph);
	off += notes.n;
	for (int i = 0; i < nseg; i++) {
		Elf64_Phdr l = { PT_LOAD, PF_R | PF_W, off, sg[i].vaddr, 0, sg[i].filesz,
		                 sg[i].memsz, 4096 };
		put(&out, &l, sizeof l);
		off += sg[i].filesz;
	}
	put(&out, notes.p, notes.n);
	free(notes.p);
	for (int i = 0; i < nseg; i++)
		for (uint64_t k = 0; k < sg[i].filesz; k++) {
			unsigned char c = (unsigned char)(sg[i].fill + k);
			put(&out, &c, 1);
		}
	return out;
}

static void write_file(const char *path, const void *d, size_t n);

/* A note with any owner name, counted without its NUL as delve counts it. */
static void named_note(buf *b, const char *name, unsigned type, const void *d, size_t n)
{
	Elf64_Nhdr h = { (Elf64_Word)strlen(name), (Elf64_Word)n, type };
	put(b, &h, sizeof h);
	put(b, name, strlen(name));
	pad4(b);
	put(b, d, n);
	pad4(b);
}

/* delve's register list entry: u16 name length, name, u16 value length,
 * value */
static void dlv_reg(buf *b, const char *name, const void *v, uint16_t vn)
{
	uint16_t nn = (uint16_t)strlen(name);
	put(b, &nn, 2);
	put(b, name, nn);
	put(b, &vn, 2);
	put(b, v, vn);
}

enum { DLV_NATIVE, DLV_OWN, DLV_FOREIGN, DLV_CUT, DLV_NOHEADER };

/* What dlv dump writes: its header note, then the kernel's notes with no
 * owner name (native Linux backend) or its own DLVT thread notes (other
 * backends); one segment; no NT_FILE. */
static buf make_delve(int kind)
{
	buf notes = { 0 }, out = { 0 };
	const char *hdr = kind == DLV_FOREIGN ?
		"darwin/amd64\nVersion: 1.20.2\nTarget Pid: 77\nEntry Point: 0x401000\n" :
		"linux/amd64\nVersion: 1.20.2\nBuild: $Id: x $\nTarget Pid: 77\n"
		"Entry Point: 0x46ee20\n";
	if (kind != DLV_NOHEADER)
		named_note(&notes, "Delve Header", 0x444C5645, hdr, strlen(hdr));
	if (kind == DLV_NATIVE || kind == DLV_NOHEADER) {
		struct elf_prstatus ps;
		memset(&ps, 0, sizeof ps);
		ps.pr_pid = 78;
		ps.pr_reg[16] = 0x46ee20;
		ps.pr_reg[1] = 0xc000001234;   /* r14 */
		named_note(&notes, "", NT_PRSTATUS, &ps, sizeof ps);
	} else {
		buf t = { 0 };
		uint64_t w[] = { 79, 0x401111, 0x7ffc0000, 0x7ffc0100, 0x7f0000001000 };
		put(&t, w, sizeof w);
		unsigned char has_g = 1;
		uint64_t g = 0xc000000111;
		put(&t, &has_g, 1);
		put(&t, &g, 8);
		uint32_t n = 5;
		put(&t, &n, 4);
		uint64_t r14 = 0xc000000222, rip = 0x999, fl = 0x246;
		unsigned char xmm[16] = { 1 };
		dlv_reg(&t, "R14", &r14, 8);
		dlv_reg(&t, "Rip", &rip, 8);   /* the note's head says otherwise */
		dlv_reg(&t, "Rflags", &fl, 8);
		dlv_reg(&t, "XMM0", xmm, sizeof xmm);
		/* the cut case claims more value bytes than the note has left */
		static const unsigned char big[200];
		if (kind == DLV_CUT)
			dlv_reg(&t, "Rbx", big, sizeof big);
		else
			dlv_reg(&t, "Rbx", &fl, 8);
		named_note(&notes, "", 0x444C5654, t.p, kind == DLV_CUT ? t.n - 3 : t.n);
		free(t.p);
	}
	Elf64_Ehdr eh;
	memset(&eh, 0, sizeof eh);
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof eh;
	eh.e_ehsize = sizeof eh;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 2;
	put(&out, &eh, sizeof eh);
	uint64_t off = sizeof eh + 2 * sizeof(Elf64_Phdr);
	Elf64_Phdr ph = { PT_NOTE, 0, off, 0, 0, notes.n, 0, 0 };
	put(&out, &ph, sizeof ph);
	Elf64_Phdr l = { PT_LOAD, PF_R | PF_W, off + notes.n, 0xc000000000, 0, 16, 16, 0 };
	put(&out, &l, sizeof l);
	put(&out, notes.p, notes.n);
	put(&out, "0123456789abcdef", 16);
	free(notes.p);
	return out;
}

static md_status open_delve(int kind, md_core *c, md_err *e)
{
	buf b = make_delve(kind);
	write_file(corep, b.p, b.n);
	free(b.p);
	return md_core_open(corep, c, e);
}

static void test_delve(void)
{
	md_core c;
	md_err e;
	snprintf(md_t_ctx, sizeof md_t_ctx, "dlv dump, native notes");
	if (T(open_delve(DLV_NATIVE, &c, &e) == MD_OK, "%s", e.detail)) {
		T(c.delve && !c.has_file_note && c.nfiles == 0);
		T_EQ(c.pid, 77);
		T_EQ(c.delve_entry, 0x46ee20);
		T(!strcmp(c.delve_version, "1.20.2"), "%s", c.delve_version);
		T_EQ(c.nthreads, 1);
		T_EQ(c.threads[0].tid, 78);
		T_EQ(c.threads[0].gregs[16], 0x46ee20);
		T_EQ(c.threads[0].gregs[1], 0xc000001234);
		md_core_close(&c);
	}
	snprintf(md_t_ctx, sizeof md_t_ctx, "dlv dump, delve's thread notes");
	if (T(open_delve(DLV_OWN, &c, &e) == MD_OK, "%s", e.detail)) {
		T_EQ(c.nthreads, 1);
		const md_core_thread *t = &c.threads[0];
		T_EQ(t->tid, 79);
		T_EQ(t->gregs[16], 0x401111);         /* rip from the head, not "Rip" */
		T_EQ(t->gregs[19], 0x7ffc0000);       /* rsp */
		T_EQ(t->gregs[4], 0x7ffc0100);        /* rbp */
		T_EQ(t->gregs[21], 0x7f0000001000);   /* fs_base: the tls word */
		T_EQ(t->gregs[1], 0xc000000222);      /* R14 by name */
		T_EQ(t->gregs[18], 0x246);            /* Rflags is eflags */
		T_EQ(t->gregs[5], 0x246);             /* Rbx */
		md_core_close(&c);
	}
	snprintf(md_t_ctx, sizeof md_t_ctx, "dlv dump, refused");
	T(open_delve(DLV_FOREIGN, &c, &e) == MD_E_CORE && strstr(e.detail, "linux/amd64"), "%s",
	  e.detail);
	T(open_delve(DLV_CUT, &c, &e) == MD_E_CORE && strstr(e.detail, "cut short"), "%s",
	  e.detail);
	/* unnamed notes are only believed when delve's header says whose they are */
	T(open_delve(DLV_NOHEADER, &c, &e) == MD_E_CORE && strstr(e.detail, "no thread"), "%s",
	  e.detail);
}

static void write_file(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(d, 1, n, f) != n)
		perror(path), exit(2);
	fclose(f);
}

/* The mapped file: byte k is k*7. */
static void make_mapped_file(void)
{
	unsigned char b[0x3000];
	for (size_t k = 0; k < sizeof b; k++)
		b[k] = (unsigned char)(k * 7);
	write_file(filep, b, sizeof b);
}

static const seg segs[] = {
	{ 0x10000, 0x2000, 0x1000, 0x10 },   /* page 2 left out: from filep */
	{ 0x20000, 0x1000, 0x1000, 0x20 },
	{ 0x21000, 0x1000, 0x1000, 0x30 },   /* adjacent: reads span both */
	{ 0x40000, 0x1000, 0, 0 },           /* none of it, file is gone */
};

static int read1(md_mem *m, uint64_t addr, void *out, size_t n, md_err *e)
{
	md_read r = { addr, out, n, 0 };
	return md_mem_readv(m, &r, 1, e) == MD_OK && r.ok;
}

static void test_good(void)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "good core");
	buf b = make_core(segs, 4, BAD_NONE);
	write_file(corep, b.p, b.n);
	make_mapped_file();
	md_core c;
	md_err e;
	if (!T(md_core_open(corep, &c, &e) == MD_OK, "%s", e.detail))
		goto out;
	T_EQ(c.nthreads, 2);
	T_EQ(c.threads[0].tid, 4242);
	T_EQ(c.threads[0].signo, 6);
	T_EQ(c.threads[0].gregs[16], 0x401000);
	T_EQ(c.threads[0].gregs[21], 0x7000);
	T_EQ(c.threads[1].tid, 4243);
	T_EQ(c.pid, 4242);
	T_STR(c.fname, "svc-with-a-long-");
	T_STR(c.psargs, "svc -flag");
	T_EQ(c.at_entry, 0x401000);
	T_EQ(c.at_phdr, 0x400040);
	T_EQ(c.nsegs, 4);
	T_EQ(c.nfiles, 2);   /* the third entry ends before it starts: dropped */
	T_EQ(c.cut, 0);
	T(md_core_seg_at(&c, 0x11fff) == &c.segs[0]);
	T(md_core_seg_at(&c, 0x12000) == NULL);
	T(md_core_file_at(&c, 0x11000) != NULL);

	md_mem m;
	T(md_mem_open_core(&m, &c, NULL, &e) == MD_OK);
	unsigned char x[32];
	/* present bytes */
	T(read1(&m, 0x10010, x, 4, &e) && x[0] == 0x20 && x[3] == 0x23);
	/* half present, half from the file: address 0x11000 is file offset
	 * 0x1000 (page 1) + 0x1000 */
	if (T(read1(&m, 0x10ff8, x, 16, &e), "%s", e.detail)) {
		T_EQ(x[7], (unsigned char)(0x10 + 0xfff));
		T_EQ(x[8], (unsigned char)(0x2000 * 7));
		T_EQ(x[15], (unsigned char)(0x2007 * 7));
	}
	/* no segment, a file mapping: the file's bytes, to the mapping's end */
	if (T(read1(&m, 0x50010, x, 8, &e), "%s", e.detail))
		T_EQ(x[0], (unsigned char)(0x10 * 7));
	T(!read1(&m, 0x50ffc, x, 8, &e));
	/* across two segments */
	if (T(read1(&m, 0x20ff0, x, 32, &e), "%s", e.detail)) {
		T_EQ(x[15], (unsigned char)(0x20 + 0xfff));
		T_EQ(x[16], 0x30);
	}
	/* past a segment's end into nothing, in nothing, in a file gone */
	T(!read1(&m, 0x11ff8, x, 16, &e));
	T(strstr(e.detail, "0x12000") != NULL, "%s", e.detail);
	T(!read1(&m, 0x30000, x, 8, &e) && strstr(e.detail, "0x30000"), "%s", e.detail);
	T(!read1(&m, 0x40000, x, 8, &e) && strstr(e.detail, "0x40000"), "%s", e.detail);
	/* zero-length, and a batch with one bad read */
	md_read rs[3] = { { 0x20000, x, 8, 0 }, { 0x30000, x + 8, 8, 0 }, { 0x99, x, 0, 0 } };
	T(md_mem_readv(&m, rs, 3, &e) == MD_E_MEM && rs[0].ok && !rs[1].ok && rs[2].ok);
	T(!read1(&m, UINT64_MAX - 3, x, 8, &e));
	/* the file gone: its pages with it, the core's own bytes stay */
	md_mem_close(&m);
	unlink(filep);
	T(md_mem_open_core(&m, &c, NULL, &e) == MD_OK);
	T(!read1(&m, 0x11000, x, 8, &e));
	T(read1(&m, 0x10000, x, 8, &e));
	md_mem_close(&m);
	md_core_close(&c);
out:
	free(b.p);
}

static void test_cut(void)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "truncated core");
	buf b = make_core(segs, 3, BAD_NONE);
	make_mapped_file();
	/* ends 0x800 into the last segment */
	write_file(corep, b.p, b.n - 0x800);
	md_core c;
	md_err e;
	if (T(md_core_open(corep, &c, &e) == MD_OK, "%s", e.detail)) {
		T_EQ(c.cut, 1);
		md_mem m;
		unsigned char x[8];
		md_mem_open_core(&m, &c, NULL, &e);
		T(read1(&m, 0x21000, x, 8, &e));
		T(!read1(&m, 0x21800, x, 8, &e) && strstr(e.detail, "truncated"), "%s", e.detail);
		md_mem_close(&m);
		md_core_close(&c);
	}
	/* truncated inside the notes */
	write_file(corep, b.p, 64 + 4 * 56 + 100);
	T(md_core_open(corep, &c, &e) == MD_E_CORE);
	/* and inside the program headers */
	write_file(corep, b.p, 100);
	T(md_core_open(corep, &c, &e) == MD_E_CORE);
	free(b.p);
}

static void refused(int bad, const char *why)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "refused: %s", why);
	buf b = make_core(segs, 3, bad);
	write_file(corep, b.p, b.n);
	md_core c;
	md_err e;
	T(md_core_open(corep, &c, &e) == MD_E_CORE && strstr(e.detail, why), "%s", e.detail);
	T(c.map == NULL && c.segs == NULL);
	free(b.p);
}

static void test_refused(void)
{
	refused(BAD_CLASS, "another machine");
	refused(BAD_MACHINE, "another machine");
	refused(BAD_TYPE, "an executable");
	refused(BAD_NTFILE, "NT_FILE");
	refused(BAD_NOTHREAD, "no thread");
	seg over[] = { { 0x10000, 0x2000, 0x10, 1 }, { 0x11000, 0x1000, 0x10, 2 } };
	buf b = make_core(over, 2, BAD_NONE);
	write_file(corep, b.p, b.n);
	md_core c;
	md_err e;
	snprintf(md_t_ctx, sizeof md_t_ctx, "refused: overlap");
	T(md_core_open(corep, &c, &e) == MD_E_CORE && strstr(e.detail, "overlap"), "%s",
	  e.detail);
	static const unsigned char gz[64] = { 0x1f, 0x8b, 8 }, zs[64] = { 0x28, 0xb5, 0x2f, 0xfd };
	write_file(corep, gz, sizeof gz);
	T(md_core_open(corep, &c, &e) == MD_E_CORE && strstr(e.detail, "gzip"), "%s", e.detail);
	write_file(corep, zs, sizeof zs);
	T(md_core_open(corep, &c, &e) == MD_E_CORE && strstr(e.detail, "zstd"), "%s", e.detail);
	write_file(corep, "x", 1);
	T(md_core_open(corep, &c, &e) == MD_E_CORE);
	T(md_core_open("/nonexistent/core", &c, &e) == MD_E_CORE &&
	  strstr(e.detail, "/nonexistent/core"), "%s", e.detail);
	T(md_core_open("/tmp", &c, &e) == MD_E_CORE);
	free(b.p);
}

/* An executable's first page: a GNU build id wins over Go's, Go's is
 * printable text, a note past the page or a bad header is no id. */
static void test_build_id(void)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "build id");
	unsigned char page[4096];
	memset(page, 0, sizeof page);
	Elf64_Ehdr eh = { .e_phoff = 64, .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = 1 };
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	memcpy(page, &eh, sizeof eh);
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_offset = 0x200, .p_filesz = 16 + 8 + 16 + 8 };
	memcpy(page + 64, &ph, sizeof ph);
	uint32_t go[3] = { 4, 8, 4 }, gnu[3] = { 4, 4, NT_GNU_BUILD_ID };
	memcpy(page + 0x200, go, 12);
	memcpy(page + 0x20c, "Go\0\0abc/def\x01", 12);
	memcpy(page + 0x218, gnu, 12);
	memcpy(page + 0x224, "GNU\0\xde\xad\xbe\xef", 8);
	char id[129];
	T(md_core_page_build_id(page, sizeof page, id, sizeof id) == MD_OK);
	T_STR(id, "deadbeef");
	gnu[2] = 99;   /* not a build id: Go's, up to its first unprintable byte */
	memcpy(page + 0x218, gnu, 12);
	T(md_core_page_build_id(page, sizeof page, id, sizeof id) == MD_OK);
	T_STR(id, "go:abc/def");
	ph.p_filesz = 4096;   /* notes past the bytes given */
	memcpy(page + 64, &ph, sizeof ph);
	T(md_core_page_build_id(page, sizeof page, id, sizeof id) == MD_NOTFOUND);
	page[0] = 0;
	T(md_core_page_build_id(page, sizeof page, id, sizeof id) == MD_NOTFOUND);
	T(md_core_page_build_id(page, 10, id, sizeof id) == MD_NOTFOUND);
}

/* ---- a real core against its live process ---- */

/* The core's threads are pid's, all of them. */
static void same_threads(const md_core *c, pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", pid);
	DIR *d = opendir(path);
	size_t live = 0;
	T(d != NULL, "%s", path);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		live++;
		int found = 0;
		for (size_t i = 0; i < c->nthreads; i++)
			found |= c->threads[i].tid == atoi(de->d_name);
		T(found, "thread %s is not in the core", de->d_name);
	}
	if (d)
		closedir(d);
	T_EQ(c->nthreads, live);
}

/* One A:L spec: the core's bytes are the live process's. */
static void same_bytes(md_mem *cm, md_mem *lm, const char *spec, uint64_t a, uint64_t l)
{
	md_err e;
	if (!T(lm != NULL && l && l <= (1u << 20), "%s needs a live process", spec))
		return;
	unsigned char *x = malloc(l), *y = malloc(l);
	md_read rc = { a, x, l, 0 }, rl = { a, y, l, 0 };
	md_mem_readv(cm, &rc, 1, &e);
	T(rc.ok, "core read of %s: %s", spec, e.detail);
	md_mem_readv(lm, &rl, 1, &e);
	T(rl.ok, "live read of %s", spec);
	T(rc.ok && rl.ok && !memcmp(x, y, l), "%s differs", spec);
	free(x);
	free(y);
}

static int compare(int argc, char **argv)
{
	const char *core = argv[2];
	pid_t pid = strcmp(argv[3], "-") ? (pid_t)atoi(argv[3]) : 0;
	md_core c;
	md_err e;
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", core);
	if (!T(md_core_open(core, &c, &e) == MD_OK, "%s", e.detail))
		return md_test_done("core-compare");
	T_EQ(c.cut, 0);
	T(c.nthreads > 0);
	md_mem cm, lm;
	T(md_mem_open_core(&cm, &c, NULL, &e) == MD_OK);
	if (pid) {
		T_EQ(c.pid, pid);
		same_threads(&c, pid);
		T(md_mem_open_live(&lm, pid, 0, &e) == MD_OK);
	}
	for (int i = 4; i < argc; i++) {
		unsigned long long a = 0, v = 0;
		int n = -1;
		if (sscanf(argv[i], "sig=%d", &n) == 1) {
			T_EQ(c.threads[0].signo, n);
		} else if (sscanf(argv[i], "%llx:%llu", &a, &v) == 2) {
			same_bytes(&cm, pid ? &lm : NULL, argv[i], a, v);
		} else if (sscanf(argv[i], "%llx=%llx", &a, &v) == 2) {
			uint64_t w = 0;
			T(md_mem_read64(&cm, a, &w) && w == v, "%s: the core has 0x%llx", argv[i],
			  (unsigned long long)w);
		} else {
			T(0, "bad spec %s", argv[i]);
		}
	}
	md_mem_close(&cm);
	if (pid)
		md_mem_close(&lm);
	md_core_close(&c);
	return md_test_done("core-compare");
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "--compare"))
		return compare(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "--make")) {
		/* the fuzzer's seed (tests/fuzz/corpus/fuzz_core/) */
		snprintf(filep, sizeof filep, "/nonexistent/mapped");
		buf b = make_core(segs, 4, BAD_NONE);
		write_file(argv[2], b.p, b.n);
		free(b.p);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--make-delve")) {
		buf b = make_delve(DLV_OWN);
		write_file(argv[2], b.p, b.n);
		free(b.p);
		return 0;
	}
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 2;
	snprintf(corep, sizeof corep, "%s/core", dir);
	snprintf(filep, sizeof filep, "%s/mapped", dir);
	test_good();
	test_cut();
	test_refused();
	test_build_id();
	test_delve();
	md_t_ctx[0] = '\0';
	unlink(corep);
	unlink(filep);
	rmdir(dir);
	return md_test_done("core");
}
