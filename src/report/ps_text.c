/* ps_text.c - `mapdiag ps` as a table: one line per Go process, columns
 * sized to their contents, then one summary line. */
#include <stdio.h>
#include <string.h>
#include "print.h"
#include "printutil.h"

/* The GO column: the version up to its " X:" experiments (JSON has it
 * all). */
static int go_len(const md_ps_entry *e)
{
	const char *v = e->info.go_version;
	return v[0] ? (int)strcspn(v, " ") : 1;
}

static const char *impl_name(const md_ps_entry *e)
{
	return e->impl ? md_impl_name((md_map_impl)e->impl) : "?";
}

/* "exe", "debuglink", "build-id", "file", "missing"; "+z" when the
 * sections are compressed. */
static void dwarf_word(const md_ps_entry *e, char *buf, size_t n)
{
	const char *w = "missing";
	switch (e->info.dwarf_from) {
	case MD_DWARF_FROM_EXE: w = "exe"; break;
	case MD_DWARF_FROM_DEBUG_FILE: w = "file"; break;
	case MD_DWARF_FROM_DEBUGLINK: w = "debuglink"; break;
	case MD_DWARF_FROM_BUILD_ID: w = "build-id"; break;
	case MD_DWARF_FROM_NONE: break;
	}
	snprintf(buf, n, "%s%s", w,
	         e->info.dwarf_from != MD_DWARF_FROM_NONE && e->info.dwarf_compressed ? "+z" : "");
}

void md_print_ps_text(FILE *f, const md_ps_report *r)
{
	int wpid = 3, wuser = 4, wgo = 2, wmaps = 4, wdw = 5;
	char buf[32];
	for (int i = 0; i < r->nprocs; i++) {
		const md_ps_entry *e = &r->procs[i];
		int n = snprintf(buf, sizeof buf, "%d", (int)e->pid);
		wpid = n > wpid ? n : wpid;
		n = (int)strlen(e->user);
		wuser = n > wuser ? n : wuser;
		n = go_len(e);
		wgo = n > wgo ? n : wgo;
		n = (int)strlen(impl_name(e));
		wmaps = n > wmaps ? n : wmaps;
		dwarf_word(e, buf, sizeof buf);
		n = (int)strlen(buf);
		wdw = n > wdw ? n : wdw;
	}
	fprintf(f, "%*s %-*s %-*s %-*s %-*s %s\n", wpid, "PID", wuser, "USER", wgo, "GO",
	        wmaps, "MAPS", wdw, "DWARF", "EXE");
	for (int i = 0; i < r->nprocs; i++) {
		const md_ps_entry *e = &r->procs[i];
		dwarf_word(e, buf, sizeof buf);
		fprintf(f, "%*d %-*s %-*.*s %-*s %-*s ", wpid, (int)e->pid, wuser, e->user, wgo,
		        go_len(e), e->info.go_version[0] ? e->info.go_version : "?", wmaps,
		        impl_name(e), wdw, buf);
		fputs(md_ts(e->exe), f);
		if (e->info.dwarf_external) {
			fputs("  (DWARF: ", f);
			fputs(md_ts(e->info.dwarf_path), f);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	fprintf(f, "%d Go process%s of %d examined in %.1f ms", r->nprocs,
	        r->nprocs == 1 ? "" : "es", r->examined, (double)r->elapsed_ns / 1e6);
	if (r->unreadable && r->euid == 0)
		fprintf(f, "; %d not readable (permission denied even as root: another user "
		        "namespace, or a security module)", r->unreadable);
	else if (r->unreadable)
		fprintf(f, "; %d not readable as uid %lu (other users' processes: run as root "
		        "or with CAP_SYS_PTRACE to see them)", r->unreadable,
		        (unsigned long)r->euid);
	fputc('\n', f);
}
