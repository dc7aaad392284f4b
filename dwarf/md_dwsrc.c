/* md_dwsrc.c - where libdwarf's bytes come from: the DWARF sections of a
 * file, mapped, never copied; compressed ones decompressed once each into
 * a persistent cache file and mapped from there.
 *
 * Why: libdwarf's own reader (dwarf_init_b) reads every section it touches
 * into malloc'd memory and decompresses SHF_COMPRESSED ones there, so a
 * service with 100 MB of DWARF costs 100 MB of RSS and a full
 * decompression on every run.  Through libdwarf's object-access interface
 * (dwarf_object_init_b) it reads instead straight from our mappings: pages
 * it never touches are never loaded, and a warm run decompresses nothing.
 *
 * Only what a run reads is decompressed: the sections every run needs
 * (eager()) when the file is opened, the largest of them on a second
 * thread, and the others (line tables, location lists) when libdwarf
 * first asks.  On a large Go binary that is 130 MB of 280, and a cold
 * start waits for .debug_info alone.
 *
 * The cache: $MAPDIAG_CACHE_DIR, else $XDG_CACHE_HOME/mapdiag, else
 * $HOME/.cache/mapdiag; MAPDIAG_CACHE_DIR="" turns it off.  One file per
 * decompressed section, "<key>.debug_info", the key over what identifies
 * the file's DWARF: the file size, the build id, and each debug section's
 * name, offset, sizes and a CRC-32 of its first and last 4 KiB of
 * compressed bytes.  The key and the section's facts are stored in the
 * file's header and checked against the executable on every use, with
 * the file's size; anything that does not match is rebuilt, never used.
 * Files are written whole before they get their name (md_cache_put), so
 * two runs sharing the cache see either nothing or a whole file, and a run
 * killed while writing leaves nothing.  Without a usable cache directory
 * the run decompresses into memory: as lean, just not remembered.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libdeflate.h>
#include <libelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "md_dwarf_priv.h"

#define MAX_SECS      32
#define SEC_MAGIC     "MDDWSEC1"
/* The section the main libdwarf instance does not see.  libdwarf
 * 20210528 reads every .debug_loclists header the first time it loads
 * .debug_info, so a run that needs no location list would still
 * decompress all of them: 105 MB on a large go1.26 binary, more than
 * .debug_info itself.  Only a parameter's location needs them
 * (md_dwloc.c), and it asks a second instance that sees everything
 * (md_dwsrc_open_all). */
#define HIDDEN        ".debug_loclists"
#define DATA_OFF      4096
#define SAMPLE        4096
/* A section claiming more than this decompressed is taken as hostile. */
#define MAX_SECTION   ((uint64_t)4 << 30)
/* The cache keeps at most this much; the oldest files go first. */
#define CACHE_BUDGET  ((uint64_t)2 << 30)

typedef struct sec {
	char name[32];        /* as libdwarf wants it: ".debug_info" */
	uint64_t off, size;   /* in the file: raw bytes */
	int kind;             /* 0 plain, 1 SHF_COMPRESSED, 2 .zdebug */
	uint64_t usize;       /* decompressed size */
	uint32_t crc_head, crc_tail;
	const unsigned char *data;   /* usize bytes, once loaded; else NULL */
	void *cmap;           /* its cache file (or memfd), mapped */
	size_t cmap_len;
	md_dwarf_cache cache; /* how it was loaded */
	int failed;           /* decompressing it failed: not tried again */
	int hidden;           /* not shown to the main libdwarf (see HIDDEN) */
	int unwritten;        /* decompressed, for the writer thread to keep */
	int written;          /* the writer thread kept it: swap_in may map it */
	unsigned char *inflating;  /* the buffer being decompressed into, while
	                              it is (atomic: trim_behind reads it) */
} sec;

/* What one libdwarf instance sees of the sections: all of them, or all but
 * the hidden ones. */
typedef struct view {
	struct md_dwsrc *s;
	int all;
	Dwarf_Obj_Access_Interface iface;
} view;

struct md_dwsrc {
	int nsec;
	sec s[MAX_SECS + 1];  /* s[0]: the empty section 0 libdwarf expects */
	unsigned char *map;   /* the whole DWARF file */
	size_t map_len;
	view main, all;       /* the two libdwarf instances' views */
	uint64_t key, file_size;  /* what the cache files are keyed by */
	const char *path;         /* the DWARF file, for messages */
	char dir[3900];           /* the cache directory; "" if none */
	char base[4000];          /* dir + "/" + key in hex; "" if none */
	int writer_started;       /* start_writer ran: write at once now */
	int writer_running;       /* writer is to be joined */
	pthread_t writer;
};

/* ---- libdwarf's object-access methods ---------------------------------- */

static md_status load(md_dwsrc *s, int i, int defer, md_err *err);

static int get_section_info(void *obj, Dwarf_Half i, Dwarf_Obj_Access_Section *r, int *error)
{
	const view *v = obj;
	md_dwsrc *s = v->s;
	if (i > s->nsec) {
		*error = DW_DLE_MDE;
		return DW_DLV_NO_ENTRY;
	}
	memset(r, 0, sizeof *r);
	r->type = i ? SHT_PROGBITS : SHT_NULL;
	r->size = s->s[i].usize;
	r->name = s->s[i].name;
	if (s->s[i].hidden && !v->all) {
		/* a name libdwarf does not know: it never looks at it */
		r->size = 0;
		r->name = ".mapdiag.hidden";
	}
	return DW_DLV_OK;
}

static Dwarf_Endianness get_byte_order(void *obj)
{
	(void)obj;
	return DW_OBJECT_LSB;
}

static Dwarf_Small get_length_size(void *obj)
{
	(void)obj;
	return 4;
}

static Dwarf_Small get_pointer_size(void *obj)
{
	(void)obj;
	return 8;
}

static Dwarf_Unsigned get_section_count(void *obj)
{
	return (Dwarf_Unsigned)((view *)obj)->s->nsec + 1;
}

static int load_section(void *obj, Dwarf_Half i, Dwarf_Small **data, int *error)
{
	const view *v = obj;
	md_dwsrc *s = v->s;
	if (i == 0 || i > s->nsec || (s->s[i].hidden && !v->all)) {
		*error = DW_DLE_MDE;
		return DW_DLV_NO_ENTRY;
	}
	md_err e;
	if (load(s, i, 0, &e) != MD_OK) {
		*error = DW_DLE_ZLIB_UNCOMPRESS_ERROR;
		return DW_DLV_ERROR;
	}
	*data = (Dwarf_Small *)s->s[i].data;
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods methods = {
	get_section_info, get_byte_order, get_length_size, get_pointer_size,
	get_section_count, load_section, NULL
};

/* Start libdwarf on s's sections through view v; what names them in an
 * error. */
static md_status init_dbg(md_dwsrc *s, view *v, int all, const char *what, Dwarf_Debug *dbg,
                          md_err *err)
{
	v->s = s;
	v->all = all;
	v->iface.object = v;
	v->iface.methods = &methods;
	Dwarf_Error e = NULL;
	int r = dwarf_object_init_b(&v->iface, NULL, NULL, DW_GROUPNUMBER_ANY, dbg, &e);
	if (r == DW_DLV_OK)
		return MD_OK;
	md_status st = r == DW_DLV_NO_ENTRY ? MD_NOTFOUND :
	               md_err_set(err, MD_E_DWARF, "%s: %s", what,
	                          e ? dwarf_errmsg(e) : "libdwarf cannot read it");
	if (e)
		dwarf_dealloc(NULL, e, DW_DLA_ERROR);
	*dbg = NULL;
	return st;
}

/* ---- the sections of the file ------------------------------------------ */

static uint64_t rd64be(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* The debug sections of the mapped file, with their decompressed sizes. */
static md_status find_sections(md_dwsrc *s, Elf *elf, const char *path, md_err *err)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return md_err_set(err, MD_E_DWARF, "%s: no section names", path);
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		const char *n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!n || (strncmp(n, ".debug_", 7) && strncmp(n, ".zdebug_", 8)))
			continue;
		if (sh.sh_offset > s->map_len || sh.sh_size > s->map_len - sh.sh_offset)
			return md_err_set(err, MD_E_DWARF, "%s: section %s lies outside the file",
			                  path, n);
		if (s->nsec == MAX_SECS)
			return md_err_set(err, MD_E_DWARF, "%s: more than %d debug sections", path,
			                  MAX_SECS);
		sec *x = &s->s[++s->nsec];
		memset(x, 0, sizeof *x);
		int z = n[1] == 'z';
		snprintf(x->name, sizeof x->name, ".%s", n + 1 + z);
		x->off = sh.sh_offset;
		x->size = sh.sh_size;
		x->usize = sh.sh_size;
		x->hidden = !strcmp(x->name, HIDDEN);
		const unsigned char *raw = s->map + sh.sh_offset;
		if (sh.sh_flags & SHF_COMPRESSED) {
			Elf64_Chdr ch;
			if (sh.sh_size < sizeof ch)
				return md_err_set(err, MD_E_DWARF, "%s: %s: truncated header", path, n);
			memcpy(&ch, raw, sizeof ch);
			if (ch.ch_type != ELFCOMPRESS_ZLIB)
				return md_err_set(err, MD_E_DWARF, "%s: %s: compression type %u is "
				                  "not zlib", path, n, ch.ch_type);
			x->kind = 1;
			x->usize = ch.ch_size;
		} else if (z) {
			if (sh.sh_size < 12 || memcmp(raw, "ZLIB", 4))
				return md_err_set(err, MD_E_DWARF, "%s: %s: no ZLIB header", path, n);
			x->kind = 2;
			x->usize = rd64be(raw + 4);
		}
		if (x->usize > MAX_SECTION)
			return md_err_set(err, MD_E_DWARF, "%s: %s claims %llu bytes decompressed",
			                  path, n, (unsigned long long)x->usize);
		if (x->kind) {
			size_t h = sh.sh_size < SAMPLE ? sh.sh_size : SAMPLE;
			x->crc_head = (uint32_t)crc32(0, raw, (uInt)h);
			x->crc_tail = (uint32_t)crc32(0, raw + sh.sh_size - h, (uInt)h);
		} else {
			x->data = raw;
		}
	}
	return MD_OK;
}

/* ---- the cache files --------------------------------------------------- */

/* One cache file per decompressed section, "<key>.debug_info": this
 * header, then the bytes from DATA_OFF (page-aligned, to map them). */
typedef struct sec_hdr {
	char magic[8];
	uint64_t key;
	uint64_t file_size;   /* of the DWARF file it was made from */
	char name[32];
	uint64_t off, size, usize;
	uint32_t crc_head, crc_tail;
} sec_hdr;

static uint64_t cache_key(const md_dwsrc *s, uint64_t file_size, const char *build_id)
{
	uint64_t h = md_fnv64(MD_FNV64_INIT, &file_size, sizeof file_size);
	h = md_fnv64(h, build_id, strlen(build_id));
	for (int i = 1; i <= s->nsec; i++) {
		const sec *x = &s->s[i];
		uint64_t v[4] = { x->off, x->size, x->usize, (uint64_t)x->crc_head << 32 | x->crc_tail };
		h = md_fnv64(h, x->name, strlen(x->name));
		h = md_fnv64(h, v, sizeof v);
	}
	return h;
}

/* The cache directory, created if missing; "" when there is none. */
static void cache_dir(char *out, size_t n)
{
	const char *e = getenv("MAPDIAG_CACHE_DIR");
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	out[0] = '\0';
	if (e)
		snprintf(out, n, "%s", e);
	else if (x && x[0] == '/')
		snprintf(out, n, "%s/mapdiag", x);
	else if (home && home[0] == '/')
		snprintf(out, n, "%s/.cache/mapdiag", home);
	if (!out[0])
		return;
	/* mkdir -p, private to the user */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", out);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0700);
			*p = '/';
		}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		out[0] = '\0';
}

static void fill_hdr(const md_dwsrc *s, const sec *x, sec_hdr *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, SEC_MAGIC, 8);
	h->key = s->key;
	h->file_size = s->file_size;
	snprintf(h->name, sizeof h->name, "%s", x->name);
	h->off = x->off;
	h->size = x->size;
	h->usize = x->usize;
	h->crc_head = x->crc_head;
	h->crc_tail = x->crc_tail;
}

/* Map cache file fd if it holds section x of this file: the same header
 * (key, file, the section's place, sizes and samples) and long enough.
 * 0 on success. */
static int use_cache(const md_dwsrc *s, sec *x, int fd)
{
	struct stat st;
	sec_hdr h, want;
	fill_hdr(s, x, &want);
	if (fstat(fd, &st) != 0 || pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(&h, &want, sizeof h) || (uint64_t)st.st_size < DATA_OFF ||
	    (uint64_t)st.st_size - DATA_OFF < x->usize)
		return -1;
	size_t len = (size_t)(DATA_OFF + x->usize);
	void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	x->cmap = m;
	x->cmap_len = len;
	x->data = (unsigned char *)m + DATA_OFF;
	return 0;
}

/* The cache file of section x: "<dir>/<key>.debug_info". */
static void sec_path(const md_dwsrc *s, const sec *x, char *out, size_t n)
{
	snprintf(out, n, "%s.%s", s->base, x->name + 1);
}

/* The compressed bytes of section x: its zlib stream, after the ELF
 * compression header (SHF_COMPRESSED) or the "ZLIB" + size (.zdebug). */
static const unsigned char *zstream(const md_dwsrc *s, const sec *x, size_t *len)
{
	uint64_t skip = x->kind == 1 ? sizeof(Elf64_Chdr) : 12;
	*len = (size_t)(x->size - skip);
	return s->map + x->off + skip;
}

/* Keep the cache under its budget: drop the least recently used files. */
/* A file of ours: the key (16 hex digits), a dot and an extension with no
 * dot in it (".debug_info", ".cus", ...); a temporary file, which has one
 * more suffix, is not one until it is renamed. */
static int is_cache_file_prefix(const char *n)
{
	for (int i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", n[i]) || !n[i])
			return 0;
	return n[16] == '.';
}

static int is_cache_file(const char *n)
{
	return is_cache_file_prefix(n) && n[17] && !strchr(n + 17, '.');
}

static void prune(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct ent { char name[64]; time_t t; uint64_t size; } v[256];
	int n = 0;
	uint64_t total = 0;
	struct dirent *de;
	time_t now = time(NULL);
	while ((de = readdir(dp)) && n < 256) {
		size_t l = strlen(de->d_name);
		struct stat st;
		/* a temporary an older mapdiag (or one on a file system without
		 * O_TMPFILE) left when it died: gone after a day */
		if (strstr(de->d_name, ".tmp-") && is_cache_file_prefix(de->d_name) &&
		    fstatat(dirfd(dp), de->d_name, &st, 0) == 0 && now - st.st_mtime > 86400) {
			unlinkat(dirfd(dp), de->d_name, 0);
			continue;
		}
		if (l >= sizeof v[0].name || !is_cache_file(de->d_name) ||
		    fstatat(dirfd(dp), de->d_name, &st, 0) != 0)
			continue;
		snprintf(v[n].name, sizeof v[n].name, "%s", de->d_name);
		v[n].t = st.st_atime > st.st_mtime ? st.st_atime : st.st_mtime;
		v[n].size = (uint64_t)st.st_size;
		total += v[n++].size;
	}
	while (total > CACHE_BUDGET && n > 1) {
		int old = 0;
		for (int i = 1; i < n; i++)
			if (v[i].t < v[old].t)
				old = i;
		unlinkat(dirfd(dp), v[old].name, 0);
		total -= v[old].size;
		v[old] = v[--n];
	}
	closedir(dp);
}

/* Start fn(arg) on a thread that takes no signals: the signals the CLI
 * handles, and the stop's SIGALRM timer, must reach the thread that
 * traces the target (src/target/stop.c blocks some of them there while the
 * target is stopped).  0 on success. */
static int spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

/* Copy the decompressed section x (with its header page) into its cache
 * file; 0 when done. */
static int write_cache(md_dwsrc *s, sec *x)
{
	char final[4200];
	sec_path(s, x, final, sizeof final);
	struct iovec v = { x->cmap, x->cmap_len };
	if (md_cache_put(final, &v, 1) != 0)
		return -1;
	prune(s->dir);
	return 0;
}

/* Put section x's cache file, just written, in the place of its
 * anonymous copy: the same bytes at the same address (libdwarf holds
 * pointers into them), now counted in our RSS only where touched.  The
 * file is mapped elsewhere first and checked as any cache file is; only
 * then moved over the copy (mremap, which replaces the old pages in one
 * step).  On any failure the copy stays. */
static void swap_in(md_dwsrc *s, sec *x)
{
	char final[4200];
	sec_path(s, x, final, sizeof final);
	int fd = open(final, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	sec tmp = *x;
	if (use_cache(s, &tmp, fd) == 0) {
		if (tmp.cmap_len != x->cmap_len ||
		    mremap(tmp.cmap, tmp.cmap_len, x->cmap_len, MREMAP_MAYMOVE | MREMAP_FIXED,
		           x->cmap) == MAP_FAILED)
			munmap(tmp.cmap, tmp.cmap_len);
	}
	close(fd);
}

/* Keep x in its cache file now, and read it from there: the file's pages
 * count in our RSS only where they are touched, the anonymous copy
 * wholly. */
static void keep_now(md_dwsrc *s, sec *x)
{
	if (write_cache(s, x) == 0)
		swap_in(s, x);
}

static void *run_writer(void *arg)
{
	md_dwsrc *s = arg;
	for (int i = 1; i <= s->nsec; i++)
		if (s->s[i].unwritten)
			s->s[i].written = write_cache(s, &s->s[i]) == 0;
	return NULL;
}

/* Write the sections decompressed so far to the cache while the run goes
 * on: 100 MB of .debug_info take tens of milliseconds to copy, which a
 * second thread overlaps with the index and the attach.  md_dwsrc_free
 * waits for it.  Sections decompressed later are written at once. */
static void start_writer(md_dwsrc *s)
{
	int any = 0;
	for (int i = 1; i <= s->nsec; i++)
		any |= s->s[i].unwritten;
	s->writer_started = 1;
	if (!any)
		return;
	if (spawn(&s->writer, run_writer, s) == 0)
		s->writer_running = 1;
	else
		run_writer(s);
}

/* Decompress section x into memory of its own, then keep a copy in a new
 * cache file when there is a cache directory.  libdeflate decompresses the
 * whole section in one call: about twice zlib's speed.  It reads the
 * compressed bytes from our mapping of the file, whose pages are dropped
 * afterwards.  (Decompressing straight into a shared mapping of the cache
 * file is slower: each page of the new file is first read, that is
 * zeroed, then dirtied.) */
static md_status make_cache(md_dwsrc *s, sec *x, int defer, md_err *err)
{
	size_t len = (size_t)(DATA_OFF + x->usize);
	unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	                        -1, 0);
	if (m == MAP_FAILED)
		return md_err_set(err, MD_E_NOMEM, "%s: %llu bytes for %s", s->path,
		                  (unsigned long long)x->usize, x->name);
	/* Fewer page faults: 2 MiB pages where the kernel has them to give,
	 * and the compressed bytes read ahead in one go. */
	madvise(m, len, MADV_HUGEPAGE);
	size_t in_len, got = 0;
	const unsigned char *in = zstream(s, x, &in_len);
	md_status st = MD_OK;
	{
		uintptr_t a0 = (uintptr_t)in & ~(uintptr_t)4095;
		madvise((void *)a0, (uintptr_t)in + in_len - a0, MADV_POPULATE_READ);
	}
	struct libdeflate_decompressor *dc = libdeflate_alloc_decompressor();
	if (!dc)
		st = md_err_set(err, MD_E_NOMEM, "libdeflate");
	else {
		__atomic_store_n(&x->inflating, m, __ATOMIC_RELEASE);
		if (libdeflate_zlib_decompress(dc, in, in_len, m + DATA_OFF, (size_t)x->usize,
		                               &got) != LIBDEFLATE_SUCCESS || got != x->usize)
			st = md_err_set(err, MD_E_DWARF, "%s: %s does not decompress to the %llu "
			                "bytes its header says", s->path, x->name,
			                (unsigned long long)x->usize);
		__atomic_store_n(&x->inflating, NULL, __ATOMIC_RELEASE);
	}
	libdeflate_free_decompressor(dc);
	/* the compressed pages are not needed again: out of our RSS */
	uintptr_t a = ((uintptr_t)in + 4095) & ~(uintptr_t)4095;
	uintptr_t b = ((uintptr_t)in + in_len) & ~(uintptr_t)4095;
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
	if (st != MD_OK) {
		munmap(m, len);
		return st;
	}
	sec_hdr h;
	fill_hdr(s, x, &h);
	memcpy(m, &h, sizeof h);
	mprotect(m, len, PROT_READ);
	x->cmap = m;
	x->cmap_len = len;
	x->data = m + DATA_OFF;
	x->cache = MD_DWARF_CACHE_NONE;
	if (s->base[0]) {
		/* kept: by the writer thread (start_writer) if deferred, else
		 * now */
		x->cache = MD_DWARF_CACHE_KEPT;
		if (defer && !s->writer_started)
			x->unwritten = 1;
		else
			keep_now(s, x);
	}
	return MD_OK;
}

/* Make section i's bytes available: in place, from its cache file, or
 * decompressed now.  Safe to run for different sections at once. */
static md_status load(md_dwsrc *s, int i, int defer, md_err *err)
{
	sec *x = &s->s[i];
	if (x->data)
		return MD_OK;
	if (x->failed)
		return md_err_set(err, MD_E_DWARF, "%s: %s could not be read", s->path, x->name);
	if (x->usize == 0) {
		static const unsigned char empty[1];
		x->data = empty;
		return MD_OK;
	}
	if (s->base[0]) {
		char final[4200];
		sec_path(s, x, final, sizeof final);
		int fd = open(final, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			int ok = use_cache(s, x, fd) == 0;
			close(fd);
			if (ok) {
				x->cache = MD_DWARF_CACHE_FOUND;
				return MD_OK;
			}
		}
	}
	md_status st = make_cache(s, x, defer, err);
	x->failed = st != MD_OK;
	return st;
}

/* The sections every run reads, loaded when the file is opened; the rest
 * (line tables, location lists, ...) only when libdwarf asks for them. */
static int eager(const char *name)
{
	static const char *const v[] = {
		".debug_info", ".debug_abbrev", ".debug_rnglists", ".debug_addr",
		".debug_str", ".debug_str_offsets", ".debug_line_str", ".debug_frame",
	};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (!strcmp(name, v[i]))
			return 1;
	return 0;
}

typedef struct job {
	md_dwsrc *s;
	int i;
	md_status st;
	md_err err;
	int done;     /* atomic */
} job;

static void *run_job(void *arg)
{
	job *j = arg;
	j->st = load(j->s, j->i, 1, &j->err);
	__atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* While section x decompresses on the other thread, drop from our RSS the
 * compressed pages it has read.  libdeflate reads its input and writes its
 * output in order, so the resident prefix of the output (mincore) tells
 * how far it is.  A page dropped too early is only read again from the
 * page cache: the estimate needs a margin, not precision.  Otherwise a
 * cold start's peak RSS holds all of the compressed .debug_info beside the
 * decompressed one. */
static void trim_behind(md_dwsrc *s, sec *x, const int *done)
{
	const uint64_t margin = 4u << 20;
	size_t in_len;
	uintptr_t in = (uintptr_t)zstream(s, x, &in_len);
	uintptr_t dropped = (in + 4095) & ~(uintptr_t)4095;
	size_t npages = (size_t)((DATA_OFF + x->usize + 4095) / 4096);
	while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
		struct timespec ts = { 0, 2000000 };
		nanosleep(&ts, NULL);
		unsigned char *m = __atomic_load_n(&x->inflating, __ATOMIC_ACQUIRE);
		if (!m || !x->usize)
			continue;
		/* the last resident page: output pages are touched in order */
		size_t lo = 0, hi = npages;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			unsigned char v = 0;
			if (mincore(m + mid * 4096, 4096, &v) == 0 && (v & 1))
				lo = mid;
			else
				hi = mid;
		}
		uint64_t out = (uint64_t)lo * 4096;
		uint64_t read = (uint64_t)((unsigned __int128)out * in_len / x->usize);
		if (read <= margin)
			continue;
		uintptr_t upto = (in + (uintptr_t)(read - margin)) & ~(uintptr_t)4095;
		if (upto > dropped) {
			madvise((void *)dropped, upto - dropped, MADV_DONTNEED);
			dropped = upto;
		}
	}
}

/* Load the eager sections.  When more than one must be decompressed, the
 * largest goes to a second thread while this one does the rest: on a
 * large Go binary .debug_info is 100 MB, and the rest about a third of
 * that, so a cold start waits for .debug_info alone.  The rest are kept in
 * the cache and re-read from there at once (keep_now), so that their
 * anonymous copies are gone before .debug_info's peaks (its decompressed
 * copy and the compressed input, together). */
static md_status load_eager(md_dwsrc *s, md_err *err)
{
	int big = 0, todo = 0;
	for (int i = 1; i <= s->nsec; i++) {
		if (!eager(s->s[i].name) || !s->s[i].kind)
			continue;
		todo++;
		if (!big || s->s[i].usize > s->s[big].usize)
			big = i;
	}
	job j = { .s = s, .i = big, .st = MD_OK };
	pthread_t t;
	int threaded = todo > 1 && spawn(&t, run_job, &j) == 0;
	md_status st = MD_OK;
	for (int i = 1; i <= s->nsec; i++) {
		if (!eager(s->s[i].name) || (threaded && i == big))
			continue;
		md_status r = load(s, i, i == big, err);
		if (r != MD_OK && st == MD_OK)
			st = r;
	}
	if (threaded) {
		trim_behind(s, &s->s[big], &j.done);
		pthread_join(t, NULL);
		if (j.st != MD_OK && st == MD_OK) {
			st = j.st;
			*err = j.err;
		}
	}
	return st;
}

/* Would libdwarf accept every header of a DWARF 5 .debug_rnglists section?
 * libdwarf 20210528 (Debian 12) reads them all when it first loads
 * .debug_info, and on a header it rejects it frees the context and its
 * chain but goes on using them: a double free (fixed upstream since).
 * So the same checks run here first, and such a file is MD_E_DWARF.  They
 * mirror libdwarf's internal_read_header: the unit length (4 bytes, or
 * 0xffffffff and 8 bytes) not above the section size, version 5, address
 * size 2, 4 or 8, and every header field inside the section.  (A bad
 * .debug_loclists header only makes libdwarf return an error.) */
static int rnglists_headers_ok(const unsigned char *p, uint64_t n)
{
	uint64_t off = 0;
	while (off < n) {
		uint64_t rem = n - off, len = 0, hl = 4;
		if (rem < 4)
			return 0;
		for (int i = 0; i < 4; i++)
			len |= (uint64_t)p[off + i] << (8 * i);
		if (len == 0xffffffff) {
			if (rem < 12)
				return 0;
			len = 0;
			for (int i = 0; i < 8; i++)
				len |= (uint64_t)p[off + 4 + i] << (8 * i);
			hl = 12;
		}
		if (len > n || rem - hl < 8)   /* version, sizes, offset count */
			return 0;
		const unsigned char *q = p + off + hl;
		if ((q[0] | q[1] << 8) != 5 || (q[2] != 2 && q[2] != 4 && q[2] != 8))
			return 0;
		off += len + hl;
	}
	return 1;
}

md_status md_dwsrc_open(md_dwarf *d, int fd, Dwarf_Debug *dbg, md_err *err)
{
	const char *path = d->info.dwarf_path;
	md_dwsrc *s = calloc(1, sizeof *s);
	if (!s)
		return md_err_set(err, MD_E_NOMEM, "DWARF sections");
	s->path = path;
	struct stat st;
	md_status rc = MD_OK;
	Elf *elf = NULL;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		rc = md_err_set(err, MD_E_DWARF, "%s: %s", path, strerror(errno));
		goto out;
	}
	s->map_len = (size_t)st.st_size;
	s->map = mmap(NULL, s->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (s->map == MAP_FAILED) {
		s->map = NULL;
		rc = md_err_set(err, MD_E_DWARF, "%s: mmap: %s", path, strerror(errno));
		goto out;
	}
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)s->map, s->map_len);
	if (!elf) {
		rc = md_err_set(err, MD_E_DWARF, "%s: libelf: %s", path, elf_errmsg(-1));
		goto out;
	}
	if ((rc = find_sections(s, elf, path, err)) != MD_OK)
		goto out;
	int info = 0;
	for (int i = 1; i <= s->nsec; i++)
		if (!strcmp(s->s[i].name, ".debug_info") && s->s[i].usize > 0)
			info = i;
	if (!info) {
		rc = MD_NOTFOUND;
		goto out;
	}
	s->key = cache_key(s, (uint64_t)st.st_size, d->info.build_id);
	s->file_size = (uint64_t)st.st_size;
	cache_dir(s->dir, sizeof s->dir);
	if (s->dir[0])
		snprintf(s->base, sizeof s->base, "%.3800s/%016llx", s->dir,
		         (unsigned long long)s->key);
	if ((rc = load_eager(s, err)) != MD_OK)
		goto out;
	/* what the cache did for .debug_info, the section every run reads */
	d->info.dwarf_cache = s->s[info].cache;
	d->info.dwarf_cache_path[0] = '\0';
	if (s->s[info].cache == MD_DWARF_CACHE_FOUND || s->s[info].cache == MD_DWARF_CACHE_KEPT)
		snprintf(d->info.dwarf_cache_path, sizeof d->info.dwarf_cache_path, "%.3800s.%s",
		         s->base, s->s[info].name + 1);
	for (int i = 1; i <= s->nsec; i++)
		if (!strcmp(s->s[i].name, ".debug_rnglists") && s->s[i].data &&
		    !rnglists_headers_ok(s->s[i].data, s->s[i].usize)) {
			rc = md_err_set(err, MD_E_DWARF, "%s: malformed %s header", path,
			                s->s[i].name);
			goto out;
		}
	if ((rc = init_dbg(s, &s->main, 0, path, dbg, err)) != MD_OK)
		goto out;
	start_writer(s);
	d->src = s;
	s = NULL;
out:
	if (elf)
		elf_end(elf);
	if (s)
		md_dwsrc_free(s);
	return rc;
}

md_status md_dwsrc_open_all(md_dwsrc *s, Dwarf_Debug main, Dwarf_Debug *dbg, md_err *err)
{
	int any = 0;
	for (int i = 1; i <= s->nsec; i++)
		any |= s->s[i].hidden;
	if (!any) {
		*dbg = main;
		return MD_OK;
	}
	return init_dbg(s, &s->all, 1, s->path, dbg, err);
}

const char *md_dwsrc_cache_base(const md_dwsrc *s, uint64_t *key, uint64_t *file_size)
{
	if (!s || !s->base[0])
		return NULL;
	*key = s->key;
	*file_size = s->file_size;
	return s->base;
}

int md_dwsrc_section(md_dwsrc *s, const char *name, const unsigned char **p, uint64_t *n)
{
	md_err e;
	for (int i = 1; s && i <= s->nsec; i++)
		if (!strcmp(s->s[i].name, name) && load(s, i, 0, &e) == MD_OK) {
			*p = s->s[i].data;
			*n = s->s[i].usize;
			return 1;
		}
	return 0;
}

md_status md_dwsrc_open_mem(const char *name, const unsigned char *p, uint64_t n,
                            Dwarf_Debug *dbg, md_dwsrc **out, md_err *err)
{
	*dbg = NULL;
	*out = NULL;
	md_dwsrc *s = calloc(1, sizeof *s);
	if (!s)
		return md_err_set(err, MD_E_NOMEM, "DWARF sections");
	s->nsec = 1;
	snprintf(s->s[1].name, sizeof s->s[1].name, "%s", name);
	s->s[1].size = s->s[1].usize = n;
	s->s[1].data = p;
	md_status st = init_dbg(s, &s->main, 0, name, dbg, err);
	if (st != MD_OK) {
		free(s);
		return st;
	}
	*out = s;
	return MD_OK;
}

void md_dwsrc_close_mem(Dwarf_Debug dbg, md_dwsrc *s)
{
	if (dbg)
		dwarf_object_finish(dbg, NULL);
	free(s);
}

void md_dwsrc_settle(md_dwsrc *s)
{
	if (!s || !s->writer_running)
		return;
	pthread_join(s->writer, NULL);
	s->writer_running = 0;
	for (int i = 1; i <= s->nsec; i++)
		if (s->s[i].written) {
			swap_in(s, &s->s[i]);
			s->s[i].written = 0;
		}
}

void md_dwsrc_free(md_dwsrc *s)
{
	if (!s)
		return;
	if (s->writer_running)
		pthread_join(s->writer, NULL);
	if (s->map)
		munmap(s->map, s->map_len);
	for (int i = 1; i <= s->nsec; i++)
		if (s->s[i].cmap)
			munmap(s->s[i].cmap, s->s[i].cmap_len);
	free(s);
}
