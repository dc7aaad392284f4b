/* md_dwsrc.c - where libdwarf's bytes come from: the DWARF sections of a
 * file, mapped, never copied; compressed ones decompressed once into a
 * persistent cache file and mapped from there.
 *
 * Why: libdwarf's own reader (dwarf_init_b) reads every section it touches
 * into malloc'd memory and decompresses SHF_COMPRESSED ones there, so a
 * service with 100 MB of DWARF costs 100 MB of RSS and a full
 * decompression on every run.  Through libdwarf's object-access interface
 * (dwarf_object_init_b) it reads instead straight from our mappings: pages
 * it never touches are never loaded, and a warm run decompresses nothing.
 *
 * The cache: $MAPDIAG_CACHE_DIR, else $XDG_CACHE_HOME/mapdiag, else
 * $HOME/.cache/mapdiag; MAPDIAG_CACHE_DIR="" turns it off.  One file per
 * DWARF file, named by a key over what identifies its DWARF: the file
 * size, the build id, and each debug section's name, offset, sizes and a
 * CRC-32 of its first and last 4 KiB of compressed bytes.  The key and
 * those facts are stored in the file's header and checked against the
 * executable on every use, with the header's offsets against the file's
 * size; anything that does not match is rebuilt, never used.  A file is
 * written under a temporary name and renamed into place, so two runs
 * sharing the cache see either nothing or a whole file.  Without a usable
 * cache directory the decompressed bytes go to an anonymous memfd: the run
 * is as lean, just not remembered.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "md_dwarf_priv.h"

#define MAX_SECS      32
#define CACHE_MAGIC   "MDDWRF02"
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
	const unsigned char *data;   /* usize bytes, once mapped */
	uint64_t cache_off;   /* in the cache file */
} sec;

struct md_dwsrc {
	int nsec;
	sec s[MAX_SECS + 1];  /* s[0]: the empty section 0 libdwarf expects */
	unsigned char *map;   /* the whole DWARF file */
	size_t map_len;
	unsigned char *cmap;  /* the cache file */
	size_t cmap_len;
	Dwarf_Obj_Access_Interface iface;
	uint64_t key, file_size;  /* what the cache files are keyed by */
	char base[4000];          /* cache dir + "/" + key in hex; "" if none */
};

/* ---- libdwarf's object-access methods ---------------------------------- */

static int get_section_info(void *obj, Dwarf_Half i, Dwarf_Obj_Access_Section *r, int *error)
{
	md_dwsrc *s = obj;
	if (i > s->nsec) {
		*error = DW_DLE_MDE;
		return DW_DLV_NO_ENTRY;
	}
	memset(r, 0, sizeof *r);
	r->type = i ? SHT_PROGBITS : SHT_NULL;
	r->size = s->s[i].usize;
	r->name = s->s[i].name;
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
	return (Dwarf_Unsigned)((md_dwsrc *)obj)->nsec + 1;
}

static int load_section(void *obj, Dwarf_Half i, Dwarf_Small **data, int *error)
{
	md_dwsrc *s = obj;
	if (i == 0 || i > s->nsec || !s->s[i].data) {
		*error = DW_DLE_MDE;
		return DW_DLV_NO_ENTRY;
	}
	*data = (Dwarf_Small *)s->s[i].data;
	return DW_DLV_OK;
}

static const Dwarf_Obj_Access_Methods methods = {
	get_section_info, get_byte_order, get_length_size, get_pointer_size,
	get_section_count, load_section, NULL
};

/* Start libdwarf on s's sections; what names them in an error. */
static md_status init_dbg(md_dwsrc *s, const char *what, Dwarf_Debug *dbg, md_err *err)
{
	s->iface.object = s;
	s->iface.methods = &methods;
	Dwarf_Error e = NULL;
	int r = dwarf_object_init_b(&s->iface, NULL, NULL, DW_GROUPNUMBER_ANY, dbg, &e);
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

/* ---- the cache file ----------------------------------------------------- */

typedef struct cache_hdr {
	char magic[8];
	uint64_t key;
	uint64_t file_size;   /* of the DWARF file it was made from */
	uint32_t nsec, pad;
} cache_hdr;

typedef struct cache_sec {
	char name[32];
	uint64_t off, size, usize, cache_off;
	uint32_t crc_head, crc_tail;
} cache_sec;

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

/* Sections' places in a cache file: after the header, page-aligned. */
static uint64_t layout(md_dwsrc *s)
{
	uint64_t off = sizeof(cache_hdr) + (uint64_t)s->nsec * sizeof(cache_sec);
	for (int i = 1; i <= s->nsec; i++) {
		if (!s->s[i].kind)
			continue;
		off = (off + 4095) & ~(uint64_t)4095;
		s->s[i].cache_off = off;
		off += s->s[i].usize;
	}
	return off;
}

/* Map cache file fd if it is the one for s (same key and facts, offsets
 * inside it); point the compressed sections at it.  0 on success. */
static int use_cache(md_dwsrc *s, int fd, uint64_t key, uint64_t file_size)
{
	struct stat st;
	cache_hdr h;
	if (fstat(fd, &st) != 0 || pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h.magic, CACHE_MAGIC, 8) || h.key != key || h.file_size != file_size ||
	    h.nsec != (uint32_t)s->nsec)
		return -1;
	cache_sec cs[MAX_SECS];
	size_t want = (size_t)s->nsec * sizeof *cs;
	if (pread(fd, cs, want, sizeof h) != (ssize_t)want)
		return -1;
	uint64_t size = (uint64_t)st.st_size;
	for (int i = 1; i <= s->nsec; i++) {
		const sec *x = &s->s[i];
		const cache_sec *c = &cs[i - 1];
		if (strncmp(c->name, x->name, sizeof c->name) || c->off != x->off ||
		    c->size != x->size || c->usize != x->usize || c->crc_head != x->crc_head ||
		    c->crc_tail != x->crc_tail)
			return -1;
		if (x->kind && (c->cache_off > size || c->usize > size - c->cache_off))
			return -1;
	}
	void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	s->cmap = m;
	s->cmap_len = (size_t)size;
	for (int i = 1; i <= s->nsec; i++)
		if (s->s[i].kind)
			s->s[i].data = s->cmap + cs[i - 1].cache_off;
	return 0;
}

/* Inflate section x of the file (read through src_fd, not the mapping:
 * mapped pages would count in our RSS, the whole compressed section of it)
 * into fd at x->cache_off: exactly usize bytes, or an error. */
static md_status inflate_to(const sec *x, int src_fd, int fd, const char *path, md_err *err)
{
	uint64_t skip = x->kind == 1 ? sizeof(Elf64_Chdr) : 12;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit(&z) != Z_OK)
		return md_err_set(err, MD_E_NOMEM, "zlib");
	static unsigned char in[1 << 18], buf[1 << 18];
	uint64_t pos = x->off + skip, end = x->off + x->size, done = 0;
	int rc = Z_OK;
	while (rc != Z_STREAM_END) {
		if (z.avail_in == 0) {
			size_t want = end - pos < sizeof in ? (size_t)(end - pos) : sizeof in;
			ssize_t k = want ? pread(src_fd, in, want, (off_t)pos) : 0;
			if (k <= 0) {
				rc = Z_DATA_ERROR;   /* the stream ends before its end */
				break;
			}
			pos += (uint64_t)k;
			z.next_in = in;
			z.avail_in = (uInt)k;
		}
		z.next_out = buf;
		z.avail_out = sizeof buf;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		size_t got = sizeof buf - z.avail_out;
		if (got > x->usize - done) {
			rc = Z_DATA_ERROR;   /* more than the header promised */
			break;
		}
		for (size_t w = 0; w < got;) {
			ssize_t k = pwrite(fd, buf + w, got - w, (off_t)(x->cache_off + done + w));
			if (k <= 0) {
				int e = errno;
				inflateEnd(&z);
				return md_err_set(err, MD_E_SYS, "%s: writing decompressed %s: %s", path,
				                  x->name, strerror(k < 0 ? e : ENOSPC));
			}
			w += (size_t)k;
		}
		done += got;
	}
	inflateEnd(&z);
	if (rc != Z_STREAM_END || done != x->usize)
		return md_err_set(err, MD_E_DWARF, "%s: %s does not decompress to the %llu bytes "
		                  "its header says", path, x->name, (unsigned long long)x->usize);
	return MD_OK;
}

/* Keep the cache under its budget: drop the least recently used files. */
/* A file of ours: the key (16 hex digits), a dot and an extension with no
 * dot in it (".dwarf", ".cus", ...); a temporary file, which has one more
 * suffix, is not one until it is renamed. */
static int is_cache_file(const char *n)
{
	for (int i = 0; i < 16; i++)
		if (!strchr("0123456789abcdef", n[i]) || !n[i])
			return 0;
	return n[16] == '.' && n[17] && !strchr(n + 17, '.');
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
	while ((de = readdir(dp)) && n < 256) {
		size_t l = strlen(de->d_name);
		struct stat st;
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

/* Decompress every compressed section into a new cache file (or a memfd)
 * and map it. */
static md_status build_cache(md_dwsrc *s, int src_fd, uint64_t key, uint64_t file_size,
                             const char *dir, const char *final, const char *path,
                             md_exe_info *info, md_err *err)
{
	char tmp[4200];
	int fd = -1;
	if (dir[0]) {
		snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", dir);
		fd = mkostemp(tmp, O_CLOEXEC);
	}
	if (fd < 0) {
		fd = memfd_create("mapdiag-dwarf", MFD_CLOEXEC);
		tmp[0] = '\0';
		if (fd < 0)
			return md_err_set(err, MD_E_SYS, "memfd_create: %s", strerror(errno));
	}
	uint64_t total = layout(s);
	cache_hdr h = { .key = key, .file_size = file_size, .nsec = (uint32_t)s->nsec };
	memcpy(h.magic, CACHE_MAGIC, 8);
	cache_sec cs[MAX_SECS];
	memset(cs, 0, sizeof cs);
	for (int i = 1; i <= s->nsec; i++) {
		const sec *x = &s->s[i];
		cache_sec *c = &cs[i - 1];
		snprintf(c->name, sizeof c->name, "%s", x->name);
		c->off = x->off;
		c->size = x->size;
		c->usize = x->usize;
		c->cache_off = x->cache_off;
		c->crc_head = x->crc_head;
		c->crc_tail = x->crc_tail;
	}
	md_status st = MD_OK;
	if (ftruncate(fd, (off_t)total) != 0)
		st = md_err_set(err, MD_E_SYS, "%s: %s", tmp[0] ? tmp : "memfd", strerror(errno));
	for (int i = 1; st == MD_OK && i <= s->nsec; i++)
		if (s->s[i].kind)
			st = inflate_to(&s->s[i], src_fd, fd, path, err);
	/* the header last: a torn file never has a valid one */
	size_t hl = (size_t)s->nsec * sizeof *cs;
	if (st == MD_OK && (pwrite(fd, cs, hl, sizeof h) != (ssize_t)hl ||
	                    pwrite(fd, &h, sizeof h, 0) != (ssize_t)sizeof h))
		st = md_err_set(err, MD_E_SYS, "writing the DWARF cache: %s", strerror(errno));
	if (st == MD_OK && use_cache(s, fd, key, file_size) != 0)
		st = md_err_set(err, MD_E_SYS, "the DWARF cache just written does not check");
	if (tmp[0]) {
		if (st == MD_OK && rename(tmp, final) == 0) {
			info->dwarf_cache = 2;
			snprintf(info->dwarf_cache_path, sizeof info->dwarf_cache_path, "%s", final);
			prune(dir);
		} else {
			unlink(tmp);
			info->dwarf_cache = 3;
		}
	} else {
		info->dwarf_cache = 3;
	}
	close(fd);
	return st;
}

/* Would libdwarf accept every header of a DWARF 5 .debug_rnglists section?
 * libdwarf 20210528 (Debian 12) reads them all when it first loads
 * .debug_info, and on a header it rejects it frees the context and its
 * chain but goes on using them: a double free (found by
 * tests/fuzz/fuzz_dwarf on a mutated go1.26 binary; fixed upstream since).
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
	int has_info = 0, compressed = 0;
	for (int i = 1; i <= s->nsec; i++) {
		has_info |= !strcmp(s->s[i].name, ".debug_info") && s->s[i].usize > 0;
		compressed |= s->s[i].kind != 0;
	}
	if (!has_info) {
		rc = MD_NOTFOUND;
		goto out;
	}
	d->info.dwarf_cache = 0;
	d->info.dwarf_cache_path[0] = '\0';
	uint64_t key = cache_key(s, (uint64_t)st.st_size, d->info.build_id);
	char dir[3900];
	cache_dir(dir, sizeof dir);
	s->key = key;
	s->file_size = (uint64_t)st.st_size;
	if (dir[0])
		snprintf(s->base, sizeof s->base, "%.3900s/%016llx", dir, (unsigned long long)key);
	if (compressed) {
		char final[4096];
		snprintf(final, sizeof final, "%.3900s/%016llx.dwarf", dir, (unsigned long long)key);
		layout(s);
		int cfd = dir[0] ? open(final, O_RDONLY | O_CLOEXEC) : -1;
		if (cfd >= 0 && use_cache(s, cfd, key, (uint64_t)st.st_size) == 0) {
			d->info.dwarf_cache = 1;
			snprintf(d->info.dwarf_cache_path, sizeof d->info.dwarf_cache_path, "%s",
			         final);
		} else if ((rc = build_cache(s, fd, key, (uint64_t)st.st_size, dir, final, path,
		                             &d->info, err)) != MD_OK) {
			if (cfd >= 0)
				close(cfd);
			goto out;
		}
		if (cfd >= 0)
			close(cfd);
	}
	for (int i = 1; i <= s->nsec; i++)
		if (!strcmp(s->s[i].name, ".debug_rnglists") && s->s[i].data &&
		    !rnglists_headers_ok(s->s[i].data, s->s[i].usize)) {
			rc = md_err_set(err, MD_E_DWARF, "%s: malformed %s header", path,
			                s->s[i].name);
			goto out;
		}
	if ((rc = init_dbg(s, path, dbg, err)) != MD_OK)
		goto out;
	d->src = s;
	s = NULL;
out:
	if (elf)
		elf_end(elf);
	if (s)
		md_dwsrc_free(s);
	return rc;
}

const char *md_dwsrc_cache_base(const md_dwsrc *s, uint64_t *key, uint64_t *file_size)
{
	if (!s || !s->base[0])
		return NULL;
	*key = s->key;
	*file_size = s->file_size;
	return s->base;
}

int md_dwsrc_section(const md_dwsrc *s, const char *name, const unsigned char **p,
                     uint64_t *n)
{
	for (int i = 1; s && i <= s->nsec; i++)
		if (!strcmp(s->s[i].name, name) && s->s[i].data) {
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
	md_status st = init_dbg(s, name, dbg, err);
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

void md_dwsrc_free(md_dwsrc *s)
{
	if (!s)
		return;
	if (s->map)
		munmap(s->map, s->map_len);
	if (s->cmap)
		munmap(s->cmap, s->cmap_len);
	free(s);
}
