/* ps_json.c - `mapdiag ps --json`: one object, the processes and the
 * counts of the summary line (schema in README.md, "mapdiag ps"). */
#include <stdio.h>
#include "json.h"
#include "msg.h"
#include "print.h"
#include "printutil.h"

static const char *from_name(md_dwarf_from w)
{
	switch (w) {
	case MD_DWARF_FROM_EXE: return "exe";
	case MD_DWARF_FROM_DEBUG_FILE: return "file";
	case MD_DWARF_FROM_DEBUGLINK: return "debuglink";
	case MD_DWARF_FROM_BUILD_ID: return "build-id";
	case MD_DWARF_FROM_NONE: break;
	}
	return "missing";
}

static void one(FILE *f, const md_ps_entry *e)
{
	const md_exe_info *in = &e->info;
	fprintf(f, "{\"pid\":%d,\"uid\":%lu,\"user\":", (int)e->pid, (unsigned long)e->uid);
	md_json_str(f, e->user);
	fputs(",\"exe\":", f);
	md_json_str(f, e->exe);
	md_json_bool(f, "deleted", e->deleted, 1);
	fputs(",\"go_version\":", f);
	md_json_str(f, in->go_version[0] ? in->go_version : NULL);
	fputs(",\"goexperiment\":", f);
	md_json_str(f, in->go_experiment[0] ? in->go_experiment : NULL);
	fputs(",\"impl\":", f);
	md_json_str(f, e->impl ? md_impl_name((md_map_impl)e->impl) : NULL);
	fprintf(f, ",\"dwarf\":\"%s\",\"dwarf_file\":", from_name(in->dwarf_from));
	md_json_str(f, in->dwarf_from != MD_DWARF_FROM_NONE ? in->dwarf_path : NULL);
	md_json_bool(f, "dwarf_compressed",
	             in->dwarf_from != MD_DWARF_FROM_NONE && in->dwarf_compressed, 1);
	fputc('}', f);
}

void md_print_ps_json(FILE *f, const md_ps_report *r, const md_print_end *end)
{
	md_json_head(f, end);
	fputs(",\"processes\":[", f);
	for (int i = 0; i < r->nprocs; i++) {
		if (i)
			fputc(',', f);
		one(f, &r->procs[i]);
	}
	fputs("],\"missing\":[", f);
	for (int i = 0; i < r->nmissing; i++) {
		fprintf(f, "%s{\"pid\":%d", i ? "," : "", (int)r->missing[i].pid);
		md_json_error(f, &r->missing[i].err);
		fputc('}', f);
	}
	fputc(']', f);
	md_json_u64(f, "go_processes", (uint64_t)r->nprocs, 1);
	md_json_u64(f, "examined", (uint64_t)r->examined, 1);
	md_json_u64(f, "unreadable", (uint64_t)r->unreadable, 1);
	md_json_u64(f, "euid", (uint64_t)r->euid, 1);
	md_json_num(f, "elapsed_ms", (double)r->elapsed_ns / 1e6, 1);
	fputs("}\n", f);
}
