/* cfiles.c - a process's mapped files, live or from a core (see cfiles.h). */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cfiles.h"

/* ---- live: /proc/PID/maps ---- */

/* One line of /proc/PID/maps: "lo-hi perms off dev ino path". */
static void map_line(const char *line, uint64_t exe_ino, md_cmap_fn *fn, void *arg)
{
	md_cmap m;
	char perms[8];
	int pos = 0;
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %" SCNu64 " %n", &m.lo,
	           &m.hi, perms, &m.off, &m.ino, &pos) < 5 || !pos || line[pos] != '/' ||
	    m.lo >= m.hi)
		return;
	char path[MD_CFILES_PATH];
	snprintf(path, sizeof path, "%s", line + pos);
	path[strcspn(path, "\n")] = '\0';
	m.exec = perms[2] == 'x';
	m.exe = m.ino == exe_ino;
	m.path = path;
	fn(arg, &m);
}

static void list_live(pid_t pid, md_cmap_fn *fn, void *arg)
{
	char p[64];
	struct stat st;
	uint64_t exe_ino = 0;
	snprintf(p, sizeof p, "/proc/%d/exe", (int)pid);
	if (stat(p, &st) == 0)
		exe_ino = (uint64_t)st.st_ino;
	snprintf(p, sizeof p, "/proc/%d/maps", (int)pid);
	FILE *fp = fopen(p, "re");
	if (!fp)
		return;
	char line[1024];
	for (int n = 0; n < MD_CFILES_MAX_MAPS && fgets(line, sizeof line, fp); n++)
		map_line(line, exe_ino, fn, arg);
	fclose(fp);
}

/* A file as the process sees it (its root: a container's), and only if
 * it is still the mapped one. */
static int open_live(pid_t pid, const char *path, uint64_t ino)
{
	char p[600];
	snprintf(p, sizeof p, "/proc/%d/root%s", (int)pid, path);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != ino)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* ---- a core: NT_FILE ---- */

/* The executable: the file mapped where its program headers were (or its
 * entry point), as md_target finds it. */
static const char *core_exe(const md_core *c)
{
	const md_core_file *f = md_core_file_at(c, c->at_phdr);
	if (!f)
		f = md_core_file_at(c, c->at_entry);
	return f ? f->path : NULL;
}

static void list_core(const md_core *c, md_cmap_fn *fn, void *arg)
{
	const char *exe = core_exe(c);
	for (size_t i = 0; i < c->nfiles && i < MD_CFILES_MAX_MAPS; i++) {
		const md_core_file *f = &c->files[i];
		if (f->start >= f->end || !f->path || f->path[0] != '/' ||
		    strnlen(f->path, MD_CFILES_PATH) >= MD_CFILES_PATH)
			continue;
		md_cmap m = { f->start, f->end, f->offset, -1, exe && !strcmp(exe, f->path), 0,
		              f->path };
		fn(arg, &m);
	}
}

/* The bytes the core holds of path's first page (the mapping of it at
 * offset 0 lowest in memory): *n of them, or NULL when the core left the
 * page out (gcore keeps it with the file's other read-only mappings, the
 * kernel by coredump_filter's ELF-headers bit). */
#define FIRST_PAGE 4096

static const unsigned char *first_page(const md_core *c, const char *path, size_t *n)
{
	const md_core_file *first = NULL;
	for (size_t i = 0; i < c->nfiles; i++)
		if (!c->files[i].offset && c->files[i].path && !strcmp(c->files[i].path, path) &&
		    (!first || c->files[i].start < first->start))
			first = &c->files[i];
	const md_core_seg *g = first ? md_core_seg_at(c, first->start) : NULL;
	if (!g || first->start - g->vaddr >= g->present)
		return NULL;
	uint64_t have = g->present - (first->start - g->vaddr);
	if (have > first->end - first->start)
		have = first->end - first->start;
	*n = have < FIRST_PAGE ? (size_t)have : FIRST_PAGE;
	return g->bytes + (first->start - g->vaddr);
}

/* The file on fd is the build the core's process mapped at path, as far
 * as the core can tell: the same build id in the same first bytes, or,
 * when those bytes have none, the same bytes. */
static int same_build(const md_core *c, const char *path, int fd)
{
	size_t n = 0;
	const unsigned char *mine = first_page(c, path, &n);
	if (!mine)
		return 1;   /* nothing to compare with */
	unsigned char page[FIRST_PAGE];
	if (pread(fd, page, n, 0) != (ssize_t)n)
		return 0;
	char a[160], b[160];
	if (md_core_page_build_id(mine, n, a, sizeof a) != MD_OK)
		return !memcmp(mine, page, n);
	return md_core_page_build_id(page, n, b, sizeof b) == MD_OK && !strcmp(a, b);
}

/* path as the note names it; file: what to open for it (the same, or the
 * executable given with --exe), checked against the core's copy of
 * path's first page. */
static int open_core(const md_core *c, const char *path, const char *file)
{
	/* a path the note marks "(deleted)" names another file now, or none */
	size_t n = strlen(file);
	if (n > 10 && !strcmp(file + n - 10, " (deleted)"))
		return -1;
	/* a FIFO the note names must not block us, a device must not be read */
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !same_build(c, path, fd))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void md_cfiles_list(const md_cfiles *s, md_cmap_fn *fn, void *arg)
{
	if (s->core)
		list_core(s->core, fn, arg);
	else
		list_live(s->pid, fn, arg);
}

int md_cfiles_open(const md_cfiles *s, const char *path, uint64_t ino)
{
	if (!s->core)
		return open_live(s->pid, path, ino);
	const char *exe = core_exe(s->core);
	return open_core(s->core, path, s->exe && exe && !strcmp(path, exe) ? s->exe : path);
}
