/* ps.c - `mapdiag ps`: options in, md_ps, one printer, a line on stderr
 * for each PID operand not listed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "args.h"
#include "ps.h"
#include "print.h"
#include "msg.h"

#define MAX_PIDS 4096

static const char usage_ps[] =
	"usage: mapdiag ps [options] [<pid>...]\n"
	"\n"
	"List the Go processes of this machine (or the <pid>s given, also as\n"
	"1,2,3): pid, user, Go version, map implementation, where the DWARF that\n"
	"attach and scan need is, and the executable.  Reads /proc and the\n"
	"executables' files only: no ptrace, nothing stopped, nothing in the\n"
	"targets' memory read.  Processes whose executable cannot be opened\n"
	"(another user's, without root or CAP_SYS_PTRACE) are counted in the\n"
	"summary line; kernel threads and zombies are left out.\n"
	"\n"
	"columns:\n"
	"  GO      the build info's Go version (JSON: with its X: experiments)\n"
	"  MAPS    hmap (classic maps: Go <= 1.23, 1.24/1.25 built with\n"
	"          GOEXPERIMENT=noswissmap) or swiss; ? for a devel build\n"
	"  DWARF   exe (in the executable), debuglink (its .gnu_debuglink file),\n"
	"          build-id (<debug dir>/.build-id/), missing (give attach and scan\n"
	"          the debug file); +z: compressed, decompressed once by attach\n"
	"  EXE     the executable, control characters and bytes that are not UTF-8\n"
	"          as \\xNN; then the separate DWARF file, if any\n"
	"\n"
	"options:\n"
	"  --json                  print one JSON object (mapdiag(1), JSON OUTPUT)\n"
	"  --debug-dir DIR         root of .build-id/ and debuglink lookups\n"
	"                          (default /usr/lib/debug)\n"
	"\n"
	"exit codes: 0 listed (also when no Go process runs), 3 UNKNOWN: bad usage,\n"
	"or a <pid> given that is not listed (gone, not Go, not readable: one line\n"
	"each on stderr)\n";

/* "12" or "12,13": appended to pids; -1 on a bad pid. */
static int add_pids(const char *arg, pid_t *pids, int *n)
{
	char buf[256];
	const char *p = arg;
	do {
		size_t len = strcspn(p, ",");
		if (len == 0 || len >= sizeof buf || *n == MAX_PIDS)
			return -1;
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (md_arg_pid(buf, &pids[*n]))
			return -1;
		(*n)++;
		p += len;
	} while (*p++ == ',');
	return 0;
}

static int run(int argc, char **argv)
{
	enum { P_JSON = 256, P_DEBUG_DIR };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, P_JSON },
		{ "debug-dir", required_argument, NULL, P_DEBUG_DIR },
		{ NULL, 0, NULL, 0 }
	};
	static pid_t pids[MAX_PIDS];
	md_ps_opts o = { .pids = pids };
	int json = 0, c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_ps, stdout);
			return 0;
		case P_JSON:
			json = 1;
			md_arg_json();
			break;
		case P_DEBUG_DIR:
			if (!*optarg)
				return md_arg_usage("--debug-dir: empty directory name");
			o.debug_dir = optarg;
			break;
		default:
			return md_arg_bad_option("ps", argv, opts);
		}
	}
	for (int i = optind; i < argc; i++)
		if (add_pids(argv[i], pids, &o.npids))
			return md_arg_usage("ps: '%s' is not a process id (or a comma-separated "
			                   "list of them, at most %d)", argv[i], MAX_PIDS);

	md_ps_report r;
	md_err err = { 0 };
	md_status s = md_ps(&o, &r, &err);
	if (s != MD_OK) {
		md_ps_report_free(&r);
		return md_arg_fatal(&err);
	}
	md_print_end end = { md_ps_exit_code(&r), md_ps_cause(&r) };
	if (json)
		md_print_ps_json(stdout, &r, &end);
	else
		md_print_ps_text(stdout, &r);
	/* The listing first, then what could not be listed. */
	int code = md_arg_flush_stdout(end.code);
	for (int i = 0; i < r.nmissing; i++)
		md_msg_error(&r.missing[i].err);
	md_ps_report_free(&r);
	return code;
}

const md_command md_cmd_ps = { "ps", run };
