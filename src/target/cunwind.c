/* cunwind.c - C frames through libunwind over copies (see cunwind.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libunwind.h>

#include "cunwind.h"
#include "stackwalk.h"
#include "md_elfimg.h"
#include "cfiles.h"

/* libunwind's own search of a binary-search table (.eh_frame_hdr) in a
 * remote address space: exported by libunwind-x86_64 but declared only in
 * its private headers, so declared here as libunwind-ptrace and perf
 * (util/unwind-libunwind-local.c) declare it. */
extern int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip,
                                              unw_dyn_info_t *di, unw_proc_info_t *pi,
                                              int need_unwind_info, void *arg);

#define MAX_FILES 256

typedef struct cfile {
	char path[MD_CFILES_PATH];
	uint64_t ino;
	int exe;               /* the process's executable */
	int lazy;              /* which mappings are code: as the file says */
	int tried;             /* opened (or failed to) */
	md_elfimg *im;
	md_elfimg *dbg;        /* its debug file's symbols, when installed */
	uint64_t bias;         /* run-time address - link-time address */
	uint64_t lo, hi;       /* every mapping of the file */
	uint64_t xlo, xhi;     /* its executable mappings */
	uint64_t xoff;         /* file offset of the first executable one */
} cfile;

struct md_cunw {
	int loaded;            /* the mappings listed (or failed to be) */
	md_cfiles src;         /* where they and their files are */
	cfile *files;
	int nfiles;
	cfile *exe;
	uint64_t go_lo, go_hi; /* run-time [runtime.text, runtime.etext) */
	unw_addr_space_t as;
};

/* One walk: what the accessors read. */
typedef struct walkctx {
	md_cunw *c;
	md_mem *src;
	const md_regs *r;
} walkctx;

md_cunw *md_cunw_new(void)
{
	return calloc(1, sizeof(md_cunw));
}

md_cunw *md_cunw_new_core(const md_core *core, const char *exe)
{
	md_cunw *c = calloc(1, sizeof(md_cunw));
	if (c) {
		c->src.core = core;
		c->src.exe = exe;
	}
	return c;
}

void md_cunw_free(md_cunw *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->nfiles; i++) {
		md_elfimg_free(c->files[i].im);
		md_elfimg_free(c->files[i].dbg);
	}
	free(c->files);
	if (c->as)
		unw_destroy_addr_space(c->as);
	free(c);
}

static cfile *file_of(md_cunw *c, const char *path, uint64_t ino)
{
	for (int i = 0; i < c->nfiles; i++)
		if (c->files[i].ino == ino && !strcmp(c->files[i].path, path))
			return &c->files[i];
	if (c->nfiles == MAX_FILES)
		return NULL;
	cfile *f = &c->files[c->nfiles++];
	memset(f, 0, sizeof *f);
	snprintf(f->path, sizeof f->path, "%s", path);
	f->ino = ino;
	f->lo = f->xlo = UINT64_MAX;
	return f;
}

static void code_map(cfile *f, const md_cmap *m)
{
	if (m->lo < f->xlo) {
		f->xlo = m->lo;
		f->xoff = m->off;
	}
	if (m->hi > f->xhi)
		f->xhi = m->hi;
}

/* One mapping of a file, into that file's ranges. */
static void add_map(void *arg, const md_cmap *m)
{
	md_cunw *c = arg;
	cfile *f = file_of(c, m->path, m->ino);
	if (!f)
		return;
	if (m->lo < f->lo)
		f->lo = m->lo;
	if (m->hi > f->hi)
		f->hi = m->hi;
	f->exe |= m->exe;
	if (m->exec < 0)
		f->lazy = 1;
	else if (m->exec)
		code_map(f, m);
}

/* A mapping of an opened file whose permissions were not listed: code if
 * the file maps code at its offset (ld.so maps each PT_LOAD on its own,
 * with the segment's permissions). */
static void lazy_map(void *arg, const md_cmap *m)
{
	cfile *f = arg;
	uint64_t va;
	if (m->exec < 0 && m->ino == f->ino && !strncmp(m->path, f->path, sizeof f->path) &&
	    md_elfimg_vaddr_of(f->im, m->off, 1, &va))
		code_map(f, m);
}

/* A library's local functions (start_thread, clone3) are only in the
 * .symtab that its distribution strips into a debug file; where that is
 * installed under /usr/lib/debug/.build-id/ (libc6-dbg), its symbols name
 * the frames, as gdb does.  Matched by build id, so a container's library
 * finds only its own build's file. */
static void debug_file(cfile *f)
{
	const unsigned char *id;
	size_t n = md_elfimg_build_id(f->im, &id);
	if (n < 2 || n > 64)
		return;
	char p[200];
	int k = snprintf(p, sizeof p, "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (size_t i = 1; i < n; i++)
		k += snprintf(p + k, sizeof p - (size_t)k, "%02x", id[i]);
	snprintf(p + k, sizeof p - (size_t)k, ".debug");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	md_err e;
	if (fd < 0)
		return;
	if (md_elfimg_open(fd, &f->dbg, &e) != MD_OK)
		f->dbg = NULL;
	close(fd);
}

/* The executable's Go text, when the executable is opened. */
static void go_text(md_cunw *c, cfile *f)
{
	uint64_t t, et;
	if (md_elfimg_sym(f->im, "runtime.text", &t) && md_elfimg_sym(f->im, "runtime.etext", &et) &&
	    t < et) {
		c->go_lo = t + f->bias;
		c->go_hi = et + f->bias;
	}
}

/* Open a file, only if it is the mapped one (cfiles.h), and only if it
 * maps code. */
static void open_file(md_cunw *c, cfile *f)
{
	f->tried = 1;
	int fd = md_cfiles_open(&c->src, f->path, f->ino);
	md_err e;
	uint64_t va;
	if (fd < 0)
		return;
	if (md_elfimg_open(fd, &f->im, &e) != MD_OK)
		f->im = NULL;
	else if (f->lazy)
		md_cfiles_list(&c->src, lazy_map, f);
	if (f->im && f->xlo < f->xhi && md_elfimg_vaddr_of(f->im, f->xoff, 1, &va)) {
		f->bias = f->xlo - va;
		debug_file(f);
		if (f == c->exe)
			go_text(c, f);
	} else {
		md_elfimg_free(f->im);
		f->im = NULL;
	}
	close(fd);
}

static void load(md_cunw *c, pid_t tid)
{
	c->loaded = 1;
	if (!c->src.core)
		c->src.pid = tid;
	if (!(c->files = calloc(MAX_FILES, sizeof *c->files)))
		return;
	md_cfiles_list(&c->src, add_map, c);
	for (int i = 0; i < c->nfiles; i++)
		if (c->files[i].exe && (c->files[i].lazy || c->files[i].xlo < c->files[i].xhi))
			c->exe = &c->files[i];
}

/* The file at a whose code ranges are known only once it is open (a
 * core's): opened now.  The executable is opened on the first pc inside
 * it, which gives its Go text: a thread in a library or in the vDSO needs
 * no look at the executable. */
static void settle(md_cunw *c, uint64_t a)
{
	for (int i = 0; i < c->nfiles; i++) {
		cfile *f = &c->files[i];
		if (f->lazy && !f->tried && a >= f->lo && a < f->hi)
			open_file(c, f);
	}
	if (c->exe && !c->exe->tried && a >= c->exe->xlo && a < c->exe->xhi)
		open_file(c, c->exe);
}

/* The file mapped at a (any of its mappings), opened. */
static cfile *file_at(md_cunw *c, uint64_t a, int exec)
{
	settle(c, a);
	for (int i = 0; i < c->nfiles; i++) {
		cfile *f = &c->files[i];
		if (exec ? (a >= f->xlo && a < f->xhi) : (a >= f->lo && a < f->hi)) {
			if (!f->tried)
				open_file(c, f);
			return f->im ? f : NULL;
		}
	}
	return NULL;
}

md_code md_cunw_code(md_cunw *c, pid_t tid, uint64_t pc)
{
	if (!c->loaded)
		load(c, tid);
	settle(c, pc);
	if (pc >= c->go_lo && pc < c->go_hi)
		return MD_CODE_GO;
	for (int i = 0; i < c->nfiles; i++)
		if (pc >= c->files[i].xlo && pc < c->files[i].xhi)
			return MD_CODE_C;
	return MD_CODE_NONE;
}

const char *md_cunw_name(md_cunw *c, pid_t tid, uint64_t pc, int first)
{
	if (!c->loaded)
		load(c, tid);
	uint64_t look = first ? pc : pc - 1, lo;
	cfile *f = file_at(c, look, 1);
	const char *name;
	if (!f)
		return NULL;
	if (f->dbg && md_elfimg_func_at(f->dbg, look - f->bias, &name, &lo))
		return name;
	if (!md_elfimg_func_at(f->im, look - f->bias, &name, &lo))
		return NULL;
	return name;
}

/* ---- libunwind's accessors: the stack copy and the files, read-only ---- */

/* The unwind table of the file whose code holds ip, in the form
 * libunwind's table search reads through access_mem: .eh_frame_hdr's
 * sorted (initial location, FDE) pairs, both datarel sdata4. */
static int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
                          int need_unwind_info, void *arg)
{
	walkctx *w = arg;
	cfile *f = file_at(w->c, ip, 1);
	uint64_t a, size;
	unsigned char h[12];
	if (!f || !md_elfimg_eh_frame_hdr(f->im, &a, &size) || size < sizeof h ||
	    !md_elfimg_read(f->im, a, h, sizeof h))
		return -UNW_ENOINFO;
	/* version 1; eh_frame_ptr a 4-byte encoding; fde_count udata4;
	 * table datarel|sdata4: what every linker writes (LSB 5.0,
	 * "Exception Frame Header") */
	uint32_t count;
	memcpy(&count, h + 8, 4);
	if (h[0] != 1 || (h[1] & 0x0f) != 0x0b || h[2] != 0x03 || h[3] != 0x3b ||
	    (uint64_t)count * 8 > size - sizeof h)
		return -UNW_ENOINFO;
	unw_dyn_info_t di;
	memset(&di, 0, sizeof di);
	di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
	di.start_ip = f->xlo;
	di.end_ip = f->xhi;
	di.u.rti.segbase = a + f->bias;
	di.u.rti.table_data = a + sizeof h + f->bias;
	di.u.rti.table_len = (uint64_t)count * 8 / sizeof(unw_word_t);
	return UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi, need_unwind_info, arg);
}

/* What dwarf_search_unwind_table gives is libunwind's to release (it
 * frees its own table-format info; perf does nothing here either). */
static void put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
	(void)as, (void)pi, (void)arg;
}

static int get_dyn_info_list_addr(unw_addr_space_t as, unw_word_t *dil, void *arg)
{
	(void)as, (void)dil, (void)arg;
	return -UNW_ENOINFO;
}

/* Stack words from the copy; anything else from a mapped file's
 * contents (its unwind tables, its code).  Never a write. */
static int access_mem(unw_addr_space_t as, unw_word_t a, unw_word_t *v, int write, void *arg)
{
	walkctx *w = arg;
	(void)as;
	if (write)
		return -UNW_EREADONLYREG;
	uint64_t x;
	if (md_mem_read64(w->src, a, &x)) {
		*v = x;
		return 0;
	}
	cfile *f = file_at(w->c, a, 0);
	if (f && md_elfimg_read(f->im, a - f->bias, &x, 8)) {
		*v = x;
		return 0;
	}
	return -UNW_EINVAL;
}

/* The innermost frame's registers; libunwind numbers them as DWARF does,
 * as md_regs does. */
static int access_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *v, int write,
                      void *arg)
{
	walkctx *w = arg;
	(void)as;
	if (write || reg < 0 || reg >= MD_NREGS)
		return -UNW_EBADREG;
	*v = w->r->r[reg];
	return 0;
}

static int access_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *v, int write,
                        void *arg)
{
	(void)as, (void)reg, (void)v, (void)write, (void)arg;
	return -UNW_EBADREG;
}

static int resume(unw_addr_space_t as, unw_cursor_t *cur, void *arg)
{
	(void)as, (void)cur, (void)arg;
	return -UNW_EINVAL;
}

static int get_proc_name(unw_addr_space_t as, unw_word_t a, char *buf, size_t len,
                         unw_word_t *off, void *arg)
{
	(void)as, (void)a, (void)buf, (void)len, (void)off, (void)arg;
	return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
	find_proc_info, put_unwind_info, get_dyn_info_list_addr, access_mem,
	access_reg, access_fpreg, resume, get_proc_name
};

int md_cunw_walk(md_cunw *c, pid_t tid, md_mem *src, const md_regs *r,
                 md_frame *out, int max, md_regs *go)
{
	memset(go, 0, sizeof *go);
	if (!c->loaded)
		load(c, tid);
	if (!c->as) {
		if (!(c->as = unw_create_addr_space(&accessors, 0)))
			return 0;
		/* every thread of the snapshot shares the files' tables */
		unw_set_caching_policy(c->as, UNW_CACHE_GLOBAL);
	}
	walkctx w = { c, src, r };
	unw_cursor_t cur;
	if (unw_init_remote(&cur, c->as, &w) < 0)
		return 0;
	int n = 0;
	uint64_t last_sp = 0;
	while (n < max) {
		unw_word_t pc, sp, bp;
		if (unw_get_reg(&cur, UNW_REG_IP, &pc) < 0 || unw_get_reg(&cur, UNW_REG_SP, &sp) < 0 ||
		    unw_get_reg(&cur, UNW_X86_64_RBP, &bp) < 0 || !pc)
			break;
		/* callers live at higher addresses: a hostile or misread
		 * stack ends the walk instead of looping */
		if (n && sp <= last_sp)
			break;
		if (n && md_cunw_code(c, tid, pc) == MD_CODE_GO) {
			go->r[MD_REG_RIP] = pc;
			go->r[MD_REG_RSP] = sp;
			go->r[MD_REG_RBP] = bp;
			break;
		}
		md_frame *f = &out[n];
		*f = (md_frame){ pc, sp, bp, 0, n ? MD_UNW_EHFRAME : MD_UNW_REGS, NULL };
		f->sym = md_cunw_name(c, tid, pc, n == 0);
		if (!f->sym)
			f->sym = "?";
		n++;
		last_sp = sp;
		if (unw_step(&cur) <= 0)
			break;
	}
	return n;
}
