/* target.c - open the process being looked at (see target.h). */
#include <stdio.h>
#include <string.h>
#include "target.h"

md_status md_target_open(pid_t pid, const char *debug_file, const char *debug_dir,
                         md_target *t, md_err *err)
{
	memset(t, 0, sizeof *t);
	t->proc.exe_fd = -1;
	md_status s = md_proc_open(pid, &t->proc, err);
	if (s != MD_OK)
		return s;
	md_dwarf_opts dop = { t->proc.exe_path, t->proc.exe_fd, debug_file, debug_dir };
	if ((s = md_dwarf_open(&dop, &t->dw, err)) != MD_OK)
		return s;
	const md_exe_info *xi = md_dwarf_exe(t->dw);
	snprintf(t->go_version, sizeof t->go_version, "%s", xi->go_version);
	if (xi->pie)
		return md_proc_load_bias(&t->proc, xi->load_vaddr, &t->bias, err);
	return MD_OK;
}

void md_target_close(md_target *t)
{
	md_dwarf_free(t->dw);
	md_proc_close(&t->proc);
	memset(t, 0, sizeof *t);
	t->proc.exe_fd = -1;
}
