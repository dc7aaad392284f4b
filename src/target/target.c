/* target.c - open the process being looked at (see target.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "target.h"

/* The executable's DWARF and Go version, for a process or a core. */
static md_status open_dwarf(md_target *t, const char *debug_file, const char *debug_dir,
                            const md_exe_info **xi, md_err *err)
{
	md_dwarf_opts dop = { t->proc.exe_path, t->proc.exe_fd, debug_file, debug_dir };
	md_status s = md_dwarf_open(&dop, &t->dw, err);
	if (s != MD_OK)
		return s;
	*xi = md_dwarf_exe(t->dw);
	snprintf(t->go_version, sizeof t->go_version, "%s", (*xi)->go_version);
	return MD_OK;
}

md_status md_target_open(pid_t pid, const char *debug_file, const char *debug_dir,
                         md_target *t, md_err *err)
{
	memset(t, 0, sizeof *t);
	t->proc.exe_fd = -1;
	md_status s = md_proc_open(pid, &t->proc, err);
	const md_exe_info *xi;
	if (s != MD_OK || (s = open_dwarf(t, debug_file, debug_dir, &xi, err)) != MD_OK)
		return s;
	if (xi->pie)
		return md_proc_load_bias(&t->proc, xi->load_vaddr, &t->bias, err);
	return MD_OK;
}

/* The NT_FILE mapping the executable's program headers are in (the
 * auxiliary vector's AT_PHDR, else AT_ENTRY), and the one of the same
 * file at offset 0: where its first page is. */
static const md_core_file *exe_mapping(const md_core *c, const md_core_file **first)
{
	const md_core_file *f = md_core_file_at(c, c->at_phdr);
	if (!f)
		f = md_core_file_at(c, c->at_entry);
	*first = NULL;
	for (size_t i = 0; f && i < c->nfiles; i++)
		if (!c->files[i].offset && !strcmp(c->files[i].path, f->path) &&
		    (!*first || c->files[i].start < (*first)->start))
			*first = &c->files[i];
	return f;
}

/* The core's own copy of the first page at addr against the file's.
 * MD_NOTFOUND when the core left that page out. */
static md_status same_exe(md_target *t, uint64_t addr, const char *exe, md_err *err)
{
	const md_core_seg *g = md_core_seg_at(&t->core, addr);
	unsigned char page[4096];
	if (!g || addr - g->vaddr > g->present || g->present - (addr - g->vaddr) < sizeof page)
		return MD_NOTFOUND;
	const unsigned char *mine = g->bytes + (addr - g->vaddr);
	ssize_t n = pread(t->proc.exe_fd, page, sizeof page, 0);
	if (n > 0 && !memcmp(page, mine, (size_t)n)) {
		t->exe_checked = 1;
		return MD_OK;
	}
	char a[129] = "none", b[129] = "none";
	md_core_page_build_id(mine, sizeof page, a, sizeof a);
	if (n > 0)
		md_core_page_build_id(page, (size_t)n, b, sizeof b);
	return md_err_set(err, MD_E_CORE, "%s is not the executable this core ran (build id "
	                  "%s in the core, %s in the file)", exe, a, b);
}

static md_status open_core_exe(md_target *t, const char *exe, const md_core_file **first,
                               md_err *err)
{
	const md_core_file *f = exe_mapping(&t->core, first);
	if (!exe) {
		if (!f)
			return md_err_set(err, MD_E_NOEXE, "the core names no executable (no NT_FILE "
			                  "note%s): give it with --exe",
			                  t->core.delve ? ": dlv dump writes none" : " or auxiliary vector");
		exe = f->path;
	}
	snprintf(t->proc.exe_path, sizeof t->proc.exe_path, "%s", exe);
	size_t n = strlen(exe);
	if (n > 10 && !strcmp(exe + n - 10, " (deleted)"))
		return md_err_set(err, MD_E_NOEXE, "%s: the executable was replaced or removed "
		                  "after the core's process started: give a copy with --exe", exe);
	t->proc.exe_fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (t->proc.exe_fd < 0)
		return md_err_set(err, MD_E_NOEXE, "%s: %s%s", exe, strerror(errno),
		                  f ? " (give the executable with --exe)" : "");
	if (!*first)
		return MD_OK;
	md_status s = same_exe(t, (*first)->start, exe, err);
	return s == MD_NOTFOUND ? MD_OK : s;
}

/* A core with no NT_FILE note: the file placed by the core's entry point,
 * and checked by its first page, else by that entry point. */
static md_status place_exe(md_target *t, const md_exe_info *xi, md_err *err)
{
	int entry_agrees;
	md_status s = md_core_place_exe(&t->core, t->proc.exe_fd, t->proc.exe_path, &t->bias,
	                                &entry_agrees, err);
	if (s != MD_OK)
		return s;
	s = same_exe(t, xi->load_vaddr + t->bias, t->proc.exe_path, err);
	if (s != MD_NOTFOUND || entry_agrees)
		return s == MD_NOTFOUND ? MD_OK : s;
	return md_err_set(err, MD_E_CORE, "%s is not the executable this core ran (its entry "
	                  "point is not the one the core recorded; build id %s in the file)",
	                  t->proc.exe_path, xi->build_id[0] ? xi->build_id : "none");
}

md_status md_target_open_core(const char *core, const char *exe, const char *debug_file,
                              const char *debug_dir, md_target *t, md_err *err)
{
	memset(t, 0, sizeof *t);
	t->proc.exe_fd = -1;
	t->is_core = 1;
	snprintf(t->core_path, sizeof t->core_path, "%s", core);
	md_status s = md_core_open(core, &t->core, err);
	if (s != MD_OK)
		return s;
	t->proc.pid = t->core.pid;
	snprintf(t->proc.comm, sizeof t->proc.comm, "%s", t->core.fname);
	const md_core_file *first;
	const md_exe_info *xi;
	if ((s = open_core_exe(t, exe, &first, err)) != MD_OK ||
	    (s = open_dwarf(t, debug_file, debug_dir, &xi, err)) != MD_OK)
		return s;
	if (!t->core.has_file_note)
		return place_exe(t, xi, err);
	if (!xi->pie)
		return MD_OK;
	if (!first)
		return md_err_set(err, MD_E_CORE, "%s is position-independent and the core does "
		                  "not say where it was loaded (no NT_FILE entry for it)",
		                  t->proc.exe_path);
	t->bias = first->start - xi->load_vaddr;
	return MD_OK;
}

md_status md_target_open_spec(const md_target_spec *sp, md_target *t, md_mem *m,
                              md_err *err)
{
	md_status s;
	if (sp->core) {
		s = md_target_open_core(sp->core, sp->exe, sp->debug_file, sp->debug_dir, t, err);
		return s == MD_OK ? md_mem_open_core(m, &t->core, t->proc.exe_path, err) : s;
	}
	s = md_target_open(sp->pid, sp->debug_file, sp->debug_dir, t, err);
	if (s == MD_OK && sp->recheck)
		s = md_proc_recheck(&t->proc, err);
	return s == MD_OK ? md_mem_open_live(m, sp->pid, 0, err) : s;
}

void md_target_close(md_target *t)
{
	md_core_close(&t->core);
	md_dwarf_free(t->dw);
	md_proc_close(&t->proc);
	memset(t, 0, sizeof *t);
	t->proc.exe_fd = -1;
}
