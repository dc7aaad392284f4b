/* md_core_files.c - the files a core's process mapped, opened for what
 * the core left out of them (see md_core_exe_path, md_core_open_mapped). */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "md_core.h"

#define FIRST_PAGE 4096

const char *md_core_exe_path(const md_core *c)
{
	const md_core_file *f = md_core_file_at(c, c->at_phdr);
	if (!f)
		f = md_core_file_at(c, c->at_entry);
	return f ? f->path : NULL;
}

/* The bytes the core holds of path's first page (the mapping of it at
 * offset 0 lowest in memory): *n of them, or NULL when the core left the
 * page out (gcore keeps it with the file's other read-only mappings, the
 * kernel by coredump_filter's ELF-headers bit). */
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

int md_core_open_mapped(const md_core *c, const char *path, const char *exe)
{
	const char *x = exe ? md_core_exe_path(c) : NULL;
	const char *file = x && !strcmp(path, x) ? exe : path;
	/* a path the note marks "(deleted)" names another file now, or none */
	size_t n = strlen(file);
	if (n > 10 && !strcmp(file + n - 10, " (deleted)"))
		return -1;
	/* the note is hostile: a FIFO it names must not block us, a device
	 * must not be read */
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !same_build(c, path, fd))) {
		close(fd);
		fd = -1;
	}
	return fd;
}
