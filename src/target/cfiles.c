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

static void list_core(const md_core *c, md_cmap_fn *fn, void *arg)
{
	const char *exe = md_core_exe_path(c);
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

void md_cfiles_list(const md_cfiles *s, md_cmap_fn *fn, void *arg)
{
	if (s->core)
		list_core(s->core, fn, arg);
	else
		list_live(s->pid, fn, arg);
}

int md_cfiles_open(const md_cfiles *s, const char *path, uint64_t ino)
{
	return s->core ? md_core_open_mapped(s->core, path, s->exe)
	               : open_live(s->pid, path, ino);
}
