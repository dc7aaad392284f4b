/* attach.c - `mapdiag attach`: options in, md_attach, one printer. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "args.h"
#include "attach.h"
#include "print.h"
#include "msg.h"

static const char usage_attach[] =
	"usage: mapdiag attach [options] <pid> <var> [<var>...]\n"
	"\n"
	"Stop every thread of <pid> for as short a time as possible, read the header\n"
	"of each map <var> and every thread's registers and stack, resume the\n"
	"process, and report each map's state and which threads are writing it.\n"
	"\n"
	"<var> is a package-level variable by its full Go name as DWARF spells it,\n"
	"followed by any .field selectors and [N] indexes; pointers (to structs,\n"
	"arrays or the map itself) are followed:\n"
	"  main.cache   example.com/acme/store.Sessions   main.srv.sessions\n"
	"  main.shards[2].m   main.registry.byName\n"
	"\n"
	"options:\n"
	"  --json                  print one JSON object (schema in README.md)\n"
	"  --debug-file PATH       read DWARF from PATH (a separate debug file)\n"
	"  --debug-dir DIR         root of .build-id/ and debuglink lookups\n"
	"                          (default /usr/lib/debug)\n"
	"  --stop-timeout MS       give up if threads do not stop in MS (default 1000)\n"
	"  --threads               also print every thread's stack with its goroutine\n"
	"                          id and source lines (JSON: a \"threads\" array)\n"
	"  --no-threads            do not look for writers (no registers, no stacks:\n"
	"                          the shortest stop)\n"
	"  --no-stop               do not stop the target at all: read until two\n"
	"                          passes agree (a map being written may never\n"
	"                          settle: exit 3, torn read); no writer detection\n"
	"  --color WHEN            auto (default), always or never; NO_COLOR is honoured\n"
	"  --no-color              same as --color never\n"
	"thresholds:\n"
	"  --oversized-load F      oversized when load is below F of the growth\n"
	"                          threshold (default 0.125) ...\n"
	"  --oversized-bytes N     ... and a rebuild frees at least N bytes (default 1M;\n"
	"                          K, M, G suffixes)\n"
	"  --overflow-ratio F      overflow pressure when noverflow >= F times the\n"
	"                          runtime's same-size-grow threshold (default 1.0)\n"
	"  --high-load F           note load at or above F of the limit (default 0.9)\n"
	"\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (error)\n";

static int run(int argc, char **argv)
{
	enum {
		O_JSON = 256, O_OVF_RATIO, O_HIGH_LOAD, O_THREADS, O_NO_THREADS, O_NO_STOP
	};
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, O_JSON },
		COMMON_TARGET_OPTS,
		COMMON_STOP_OPTS,
		COMMON_OVS_OPTS,
		{ "overflow-ratio", required_argument, NULL, O_OVF_RATIO },
		{ "high-load", required_argument, NULL, O_HIGH_LOAD },
		{ "threads", no_argument, NULL, O_THREADS },
		{ "no-threads", no_argument, NULL, O_NO_THREADS },
		{ "no-stop", no_argument, NULL, O_NO_STOP },
		{ NULL, 0, NULL, 0 }
	};
	md_attach_opts o;
	memset(&o, 0, sizeof o);
	o.stop_timeout_ms = 1000;
	o.threads = MD_THREADS_WRITERS;
	md_thresholds_default(&o.th);
	int json = 0;
	md_common_opts co = { .stop_timeout_ms = 1000, .color = -1, .th = &o.th };

	opterr = 0;
	optind = 1;
	int c, rc;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_attach, stdout);
			return 0;
		case O_JSON:
			json = 1;
			break;
		case O_THREADS:
			o.threads = MD_THREADS_ALL;
			break;
		case O_NO_THREADS:
			o.threads = MD_THREADS_NONE;
			break;
		case O_NO_STOP:
			o.no_stop = 1;
			break;
		case O_OVF_RATIO:
			if (md_arg_double(optarg, 0, 1e6, &o.th.overflow_ratio))
				return md_arg_usage("--overflow-ratio: '%s' is not a positive number",
				                   optarg);
			break;
		case O_HIGH_LOAD:
			if (md_arg_double(optarg, 0, 10, &o.th.high_load))
				return md_arg_usage("--high-load: '%s' is not a number from 0 to 10",
				                   optarg);
			break;
		default:
			if ((rc = md_arg_common(c, optarg, &co)) < 0)
				return MD_EXIT_UNKNOWN;
			if (rc == 0)
				return md_arg_bad_option("attach", argv);
		}
	}
	o.debug_file = co.debug_file;
	o.debug_dir = co.debug_dir;
	o.stop_timeout_ms = co.stop_timeout_ms;
	int color = co.color;
	if (o.no_stop && o.threads == MD_THREADS_ALL)
		return md_arg_usage("attach: --threads needs a stopped snapshot; drop --no-stop");
	if (md_arg_targets("attach", argc, argv, &o.pid, &o.vars, &o.nvars))
		return MD_EXIT_UNKNOWN;

	color = md_arg_resolve_color(color);

	md_report r;
	md_err err = { 0 };
	md_status s = md_attach(&o, &r, &err);
	if (s != MD_OK) {
		md_msg_error(&err);
		md_report_free(&r);
		return MD_EXIT_UNKNOWN;
	}
	if (json) {
		md_print_attach_json(stdout, &r);
	} else {
		md_print_opts po = { color };
		md_print_attach_text(stdout, &r, &po);
	}
	/* Per-variable errors also go to stderr, one line each, for scripts
	 * that only look there. */
	for (int i = 0; i < r.nmaps; i++)
		if (r.maps[i].status != MD_OK)
			md_msg_error(&r.maps[i].err);
	md_exit code = md_report_exit_code(&r);
	md_report_free(&r);
	if (fflush(stdout) != 0)
		return MD_EXIT_UNKNOWN;
	return code;
}

const md_command md_cmd_attach = { "attach", run };
