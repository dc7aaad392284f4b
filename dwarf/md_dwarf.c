/* md_dwarf.c - open an executable and find the DWARF that describes it.
 *
 * Order (md_dwarf.h): the executable itself; --debug-file; the
 * .gnu_debuglink name in the exe's directory, its .debug/ subdirectory and
 * debug_dir/<exe dir>/; debug_dir/.build-id/xx/rest.debug.  A separate
 * file is trusted only when it provably belongs to the executable (same
 * GNU build id, else the CRC32 the debuglink promises): DWARF from another
 * build would give wrong addresses without any error.
 *
 * Opening is cheap: libdwarf reads sections lazily, and the CU index is
 * built on the first variable lookup (md_dwvar.c).  Because of that lazy
 * reading libdwarf always gets a descriptor we own (see reopen), so the
 * caller's exe_fd is only used during md_dwarf_open and never moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "md_dwarf_priv.h"
#include "md_elf_priv.h"

#define DEFAULT_DEBUG_DIR "/usr/lib/debug"

/* How a candidate debug file may be accepted without a proof of identity:
 * only the one the user named explicitly. */
enum cand_kind { CAND_EXPLICIT, CAND_SEARCH };

/* State of one DWARF search: what the exe promises, and the first reason a
 * candidate was rejected (reported if nothing is found). */
typedef struct search {
	const md_elf_facts *exe_facts;
	struct stat exe_st;
	int have_exe_st;
	int locate_only;   /* md_dwarf_locate: verify, do not start libdwarf */
	char why[384];
} search;

/* Remember only the first rejection: it is the most specific one. */
static void note(search *s, const char *path, const char *reason)
{
	if (!s->why[0])
		snprintf(s->why, sizeof s->why, "%s: %s", path, reason);
}

/* libdwarf reads sections lazily, with lseek+read, for as long as the
 * Dwarf_Debug lives.  Give it a descriptor of its own, with its own file
 * offset and lifetime, instead of the caller's borrowed one: reopening
 * /proc/self/fd/N gives a new open file description of the same inode
 * (even if the executable was deleted); dup() is the fallback without
 * /proc, sharing the offset but not the lifetime. */
static int reopen(int fd)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	int r = open(p, O_RDONLY | O_CLOEXEC);
	if (r < 0)
		r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return r;
}

/* Start libdwarf on fd's sections (md_dwsrc.c).  MD_NOTFOUND when the
 * file has no .debug_info. */
static md_status init_dwarf(md_dwarf *d, int fd, md_err *err)
{
	d->dbg = NULL;
	return md_dwsrc_open(d, fd, &d->dbg, err);
}

/* Does the candidate belong to the executable? */
static int verify(md_dwarf *d, search *s, int fd, const md_exe_info *ci,
                  enum cand_kind kind, const char *path)
{
	if (d->info.build_id[0] && ci->build_id[0]) {
		if (strcmp(d->info.build_id, ci->build_id) == 0)
			return 1;
		note(s, path, "build id does not match the executable");
		return 0;
	}
	if (s->exe_facts->has_debuglink) {
		uint32_t crc;
		if (md_elf_file_crc32(fd, &crc) != 0) {
			note(s, path, strerror(errno));
			return 0;
		}
		if (crc == s->exe_facts->debuglink_crc)
			return 1;
		note(s, path, "CRC does not match the executable's debuglink");
		return 0;
	}
	if (kind == CAND_EXPLICIT)
		return 1; /* nothing to check against; the user vouches */
	note(s, path, "cannot be verified (no build id, no debuglink CRC)");
	return 0;
}

/* Try one candidate debug file.  MD_OK (d->dbg set), MD_NOTFOUND (not
 * usable; try the next) or an error that ends the search. */
static md_status try_file(md_dwarf *d, search *s, const char *path,
                          enum cand_kind kind, md_dwarf_from from, md_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			note(s, path, strerror(errno));
		else if (kind == CAND_EXPLICIT)
			note(s, path, "no such file");
		return MD_NOTFOUND;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && s->have_exe_st && st.st_dev == s->exe_st.st_dev &&
	    st.st_ino == s->exe_st.st_ino) {
		close(fd); /* the executable itself: already looked there */
		return MD_NOTFOUND;
	}
	md_exe_info ci;
	md_elf_facts cf;
	md_err ignored;
	if (md_elf_read(fd, path, &ci, &cf, &ignored) != MD_OK) {
		note(s, path, "not a 64-bit little-endian ELF file");
		close(fd);
		return MD_NOTFOUND;
	}
	if (!cf.has_debug_info) {
		note(s, path, "has no .debug_info");
		close(fd);
		return MD_NOTFOUND;
	}
	if (!verify(d, s, fd, &ci, kind, path)) {
		close(fd);
		return MD_NOTFOUND;
	}
	snprintf(d->info.dwarf_path, sizeof d->info.dwarf_path, "%s", path);
	d->info.dwarf_compressed = cf.debug_compressed;
	d->info.dwarf_external = 1;
	d->info.dwarf_from = from;
	if (s->locate_only) {
		close(fd);
		return MD_OK;
	}
	md_status st2 = init_dwarf(d, fd, err);
	if (st2 != MD_OK) {
		close(fd);
		if (st2 == MD_NOTFOUND)
			note(s, path, "has no usable .debug_info");
		d->info.dwarf_path[0] = '\0';
		d->info.dwarf_compressed = d->info.dwarf_external = 0;
		d->info.dwarf_from = MD_DWARF_FROM_NONE;
		return st2;
	}
	d->own_fd = fd;
	return MD_OK;
}

/* snprintf into a PATH_MAX buffer; 0 if it would not fit. */
static int mkpath(char *buf, size_t n, const char *a, const char *b,
                  const char *c)
{
	int r = snprintf(buf, n, "%s%s%s", a, b, c);
	return r > 0 && (size_t)r < n;
}

/* The debuglink locations, in gdb's order. */
static md_status try_debuglink(md_dwarf *d, search *s, const char *exe_path,
                               const char *debug_dir, md_err *err)
{
	const char *link = d->info.debuglink;
	char dir[PATH_MAX], path[PATH_MAX];
	const char *slash = strrchr(exe_path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (slash == exe_path)
		snprintf(dir, sizeof dir, "/");
	else if ((size_t)(slash - exe_path) < sizeof dir)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - exe_path), exe_path);
	else
		return MD_NOTFOUND;
	const char *sep = dir[strlen(dir) - 1] == '/' ? "" : "/";

	md_status st = MD_NOTFOUND;
	char sub[PATH_MAX];
	if (mkpath(path, sizeof path, dir, sep, link))
		st = try_file(d, s, path, CAND_SEARCH, MD_DWARF_FROM_DEBUGLINK, err);
	if (st == MD_NOTFOUND && mkpath(sub, sizeof sub, dir, sep, ".debug/") &&
	    mkpath(path, sizeof path, sub, link, ""))
		st = try_file(d, s, path, CAND_SEARCH, MD_DWARF_FROM_DEBUGLINK, err);
	if (st != MD_NOTFOUND)
		return st;
	/* debug_dir mirrors the absolute directory of the executable. */
	char *abs = dir[0] == '/' ? NULL : realpath(dir, NULL);
	const char *adir = dir[0] == '/' ? dir : abs;
	if (adir && mkpath(sub, sizeof sub, debug_dir, adir, "/") &&
	    mkpath(path, sizeof path, sub, link, ""))
		st = try_file(d, s, path, CAND_SEARCH, MD_DWARF_FROM_DEBUGLINK, err);
	free(abs);
	return st;
}

static md_status try_build_id(md_dwarf *d, search *s, const char *debug_dir,
                              md_err *err)
{
	const char *id = d->info.build_id;
	char path[PATH_MAX];
	if (strlen(id) < 3)
		return MD_NOTFOUND;
	int r = snprintf(path, sizeof path, "%s/.build-id/%.2s/%s.debug",
	                 debug_dir, id, id + 2);
	if (r <= 0 || (size_t)r >= sizeof path)
		return MD_NOTFOUND;
	return try_file(d, s, path, CAND_SEARCH, MD_DWARF_FROM_BUILD_ID, err);
}

/* md_dwarf_open, or with locate_only md_dwarf_locate's search: the same
 * steps, without libdwarf. */
static md_status find_dwarf(const md_dwarf_opts *opts, int locate_only, md_dwarf **out,
                            md_err *err)
{
	*out = NULL;
	if (!opts || opts->exe_fd < 0)
		return md_err_set(err, MD_E_NOEXE, "no executable to read");
	const char *label = opts->exe_path ? opts->exe_path : "executable";
	const char *debug_dir = opts->debug_dir ? opts->debug_dir
	                                        : DEFAULT_DEBUG_DIR;
	md_dwarf *d = calloc(1, sizeof *d);
	if (!d)
		return md_err_set(err, MD_E_NOMEM, "md_dwarf_open");
	d->own_fd = -1;
	d->ptr_size = 8;

	md_elf_facts ef;
	md_status st = md_elf_read(opts->exe_fd, label, &d->info, &ef, err);
	if (st != MD_OK)
		goto fail;
	if (!d->info.is_go) {
		st = md_err_set(err, MD_E_NOTGO,
		                "%s: no Go build info and no runtime symbols", label);
		goto fail;
	}

	st = MD_NOTFOUND;
	if (ef.has_debug_info && locate_only) {
		snprintf(d->info.dwarf_path, sizeof d->info.dwarf_path, "%s", label);
		d->info.dwarf_compressed = ef.debug_compressed;
		d->info.dwarf_from = MD_DWARF_FROM_EXE;
		st = MD_OK;
	} else if (ef.has_debug_info) {
		int fd = reopen(opts->exe_fd);
		if (fd < 0) {
			st = md_err_set(err, MD_E_NOEXE, "%s: %s", label, strerror(errno));
			goto fail;
		}
		snprintf(d->info.dwarf_path, sizeof d->info.dwarf_path, "%s", label);
		st = init_dwarf(d, fd, err);
		if (st == MD_OK) {
			d->own_fd = fd;
			d->info.dwarf_compressed = ef.debug_compressed;
			d->info.dwarf_external = 0;
			d->info.dwarf_from = MD_DWARF_FROM_EXE;
		} else {
			close(fd);
			d->info.dwarf_path[0] = '\0';
		}
	}
	if (st != MD_NOTFOUND)
		goto done;

	search s = { .exe_facts = &ef, .locate_only = locate_only };
	s.have_exe_st = fstat(opts->exe_fd, &s.exe_st) == 0;
	if (opts->debug_file)
		st = try_file(d, &s, opts->debug_file, CAND_EXPLICIT, MD_DWARF_FROM_DEBUG_FILE,
		              err);
	if (st == MD_NOTFOUND && d->info.debuglink[0] && opts->exe_path)
		st = try_debuglink(d, &s, opts->exe_path, debug_dir, err);
	if (st == MD_NOTFOUND && d->info.build_id[0])
		st = try_build_id(d, &s, debug_dir, err);
	if (st == MD_NOTFOUND && s.why[0])
		st = md_err_set(err, MD_E_NODWARF,
		                "%s has no DWARF (built with -ldflags=-w?); %s", label,
		                s.why);
	else if (st == MD_NOTFOUND && (d->info.debuglink[0] || d->info.build_id[0]))
		st = md_err_set(err, MD_E_NODWARF,
		                "%s has no DWARF (built with -ldflags=-w?) and no "
		                "debug file was found (%s%s%s%s%s%s)", label,
		                d->info.debuglink[0] ? "debuglink " : "",
		                d->info.debuglink,
		                d->info.debuglink[0] && d->info.build_id[0] ? "; " : "",
		                d->info.build_id[0] ? "build id " : "",
		                d->info.build_id[0] ? d->info.build_id : "",
		                d->info.build_id[0] ? (opts->debug_dir ? " under the debug dir"
		                                                       : " under " DEFAULT_DEBUG_DIR)
		                                    : "");
	else if (st == MD_NOTFOUND)
		st = md_err_set(err, MD_E_NODWARF,
		                "%s has no DWARF (built with -ldflags=-w?)", label);
done:
	if (st != MD_OK)
		goto fail;
	*out = d;
	return MD_OK;
fail:
	if (locate_only) {
		*out = d;   /* the caller copies what was read, then frees */
		return st;
	}
	md_dwarf_free(d);
	return st;
}

md_status md_dwarf_open(const md_dwarf_opts *opts, md_dwarf **out, md_err *err)
{
	return find_dwarf(opts, 0, out, err);
}

md_status md_dwarf_locate(const md_dwarf_opts *opts, md_exe_info *info, md_err *err)
{
	md_dwarf *d = NULL;
	memset(info, 0, sizeof *info);
	md_status st = find_dwarf(opts, 1, &d, err);
	if (d) {
		*info = d->info;
		md_dwarf_free(d);
	}
	return st;
}

void md_dwarf_free(md_dwarf *d)
{
	if (!d)
		return;
	md_dwvar_close(d);
	md_dw_cus_free(d);
	md_dw_sym_free(d);
	md_dw_rtypes_free(d);
	if (d->dbg_all && d->dbg_all != d->dbg)
		dwarf_object_finish(d->dbg_all, NULL);
	if (d->dbg) {
		Dwarf_Error e = NULL;
		/* An error here cannot be freed (the dbg is gone) nor acted on. */
		dwarf_object_finish(d->dbg, &e);
	}
	md_dwsrc_free(d->src);   /* after libdwarf: it points into it */
	if (d->own_fd >= 0)
		close(d->own_fd);
	free(d);
}

void md_dwarf_settle(md_dwarf *d)
{
	if (d)
		md_dwsrc_settle(d->src);
}

const md_exe_info *md_dwarf_exe(const md_dwarf *d)
{
	return &d->info;
}
