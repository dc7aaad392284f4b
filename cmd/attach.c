/* attach.c - `mapdiag attach`: options in, md_attach, one printer. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cmd.h"
#include "args.h"
#include "attach.h"
#include "scan.h"
#include "print.h"
#include "msg.h"

static const char usage_attach[] =
	"usage: mapdiag attach [options] <pid> <var> [<var>...]\n"
	"       mapdiag attach [options] --core <core> [--exe <exe>] <var> [<var>...]\n"
	"\n"
	"Stop every thread of <pid> for as short a time as possible, read the header\n"
	"of each map <var> and every thread's registers and stack, resume the\n"
	"process, and report each map's state and which threads are writing it.\n"
	"\n"
	"<var> is a path as mapdiag scan prints it (README.md, \"Paths\"): a\n"
	"package-level variable by its full Go name as DWARF spells it, or a\n"
	"goroutine's variable g<goid>/<function>/<name>; then any .field, [N]\n"
	"(array or slice element), .(T) (an interface's dynamic type), [key] or\n"
	"[#N] (a map's value by key or position), #key[key] (a map entry's key);\n"
	"pointers are followed.  Or a map header's address, 0x...:\n"
	"  main.cache   example.com/acme/store.Sessions   main.srv.sessions\n"
	"  main.shards[2].m   main.sessions[\"s3\"].m   main.anyBox.(map[string]int)\n"
	"  g23/main.(*T).run/s.m   0xc000123450 --type 'map[string]int'\n"
	"\n"
	"With --core, read a core file instead (the kernel's, gcore's): the same\n"
	"report, of the process as it was when the core was written.\n"
	"\n"
	"options:\n"
	"  --core FILE             read the core FILE, not a live process\n"
	"  --exe FILE              the core's executable (default: the path the core\n"
	"                          names; it must be the same build)\n"
	"  --type T                the map type (as DWARF names it) of the header\n"
	"                          addresses given; without it, mapdiag scan's census\n"
	"                          finds each address among the maps it lists\n"
	"  --json                  print one JSON object (mapdiag(1), JSON OUTPUT)\n"
	"  -v, --verbose           also each map's header fields, tables, memory and\n"
	"                          every finding (info too)\n"
	"  --explain               also the four-state table and what LOAD means\n"
	"  --wide                  do not cut lines to the terminal's width; with\n"
	"                          it, the status line has its perfdata there too\n"
	"  --debug-file PATH       read DWARF from PATH (a separate debug file)\n"
	"  --debug-dir DIR         root of .build-id/ and debuglink lookups\n"
	"                          (default /usr/lib/debug)\n"
	"  --stop-timeout D        give up if threads do not stop within D (default\n"
	"                          1s, at most 1m)\n"
	"  --threads               also print every thread's stack with its goroutine\n"
	"                          id and source lines (JSON: a \"threads\" array)\n"
	"  --no-threads            do not look for writers (no registers, no stacks:\n"
	"                          the shortest stop)\n"
	"  --no-stop               do not stop the target at all: read until two\n"
	"                          passes agree (a map being written may never\n"
	"                          settle: exit 3, torn read); no writer detection\n"
	"  --color WHEN            auto (default: on a terminal, unless NO_COLOR is set\n"
	"                          or TERM=dumb), always or never\n"
	"  --no-color              same as --color never\n"
	"thresholds:\n"
	"  --oversized-load F      oversized when load is below F of the growth\n"
	"                          threshold (default 0.125) ...\n"
	"  --oversized-bytes N     ... and a rebuild frees at least N bytes (default 1M;\n"
	"                          K, M, G suffixes)\n"
	"  --overflow-ratio F      overflow pressure when noverflow >= F times the\n"
	"                          runtime's same-size-grow threshold (default 1.0)\n"
	"  --high-load F           note load at or above F of the limit (default 0.9)\n"
	"  --warn-bytes N          a map holding less than N never warns about memory\n"
	"                          or parked growth: info (default 64K)\n"
	"\n"
	"D is a number with a unit: 250us, 10ms, 1s, 2m (a bare number is seconds).\n"
	"The first line is a monitoring plugin's: MAPDIAG <STATUS> - <the worst map\n"
	"and why> | <perfdata: bytes, entries, load per map> (perfdata when stdout\n"
	"is not a terminal, or with --wide).\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (error)\n";

/* The map type of every header address among o->vars (types[i], NULL for
 * a path): --type, or else the type of the map the census finds at that
 * address (names kept in *owned, freed by the caller).  0, or
 * MD_EXIT_UNKNOWN after the message. */
static int header_types(md_attach_opts *o, const char *type, const char **types,
                        char **owned, const md_common_opts *co)
{
	int need = 0, any = 0;
	for (int i = 0; i < o->nvars; i++) {
		int addr = !strncmp(o->vars[i], "0x", 2) || !strncmp(o->vars[i], "0X", 2);
		types[i] = addr ? type : NULL;
		any |= addr;
		need |= addr && !type;
	}
	if (type && !any)
		return md_arg_usage("attach: --type names the map type of a header address (0x...), "
		                    "and no address is given");
	if (!need)
		return 0;
	if (o->core)
		return md_arg_usage("attach: with --core, give a header address's map type with "
		                    "--type");
	md_scan_opts so = { .pid = o->pid, .depth = MD_SCAN_DEFAULT_DEPTH, .stacks = 1,
	                    .debug_file = co->debug_file, .debug_dir = co->debug_dir,
	                    .stop_timeout_ms = co->stop_timeout_ms };
	md_thresholds_default(&so.th);
	md_scan_report sr;
	md_err err = { 0 };
	md_status s = md_scan(&so, &sr, &err);
	for (int i = 0; s == MD_OK && i < o->nvars; i++) {
		if (types[i] || strncasecmp(o->vars[i], "0x", 2))
			continue;
		unsigned long long a = strtoull(o->vars[i], NULL, 16);
		for (int k = 0; !types[i] && k < sr.r.nmaps; k++) {
			const md_map_report *m = &sr.r.maps[k];
			if (m->status == MD_OK && !m->view.is_nil && m->view.addr == a &&
			    !(types[i] = owned[i] = strdup(m->layout->type_name)))
				s = md_err_set(&err, MD_E_NOMEM, "type names");
		}
		if (s == MD_OK && !types[i])
			s = md_err_set(&err, MD_E_NOTMAP,
			               "no map at %s among the %d maps scan found; give --type",
			               o->vars[i], sr.r.nmaps);
	}
	md_scan_report_free(&sr);
	if (s == MD_OK)
		return 0;
	return md_arg_fatal(&err);
}

static int run(int argc, char **argv)
{
	enum {
		O_JSON = 256, O_OVF_RATIO, O_HIGH_LOAD, O_THREADS, O_NO_THREADS, O_NO_STOP, O_TYPE
	};
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, O_JSON },
		COMMON_TARGET_OPTS,
		COMMON_CORE_OPTS,
		COMMON_STOP_OPTS,
		COMMON_OVS_OPTS,
		COMMON_OUT_OPTS,
		{ "overflow-ratio", required_argument, NULL, O_OVF_RATIO },
		{ "high-load", required_argument, NULL, O_HIGH_LOAD },
		{ "threads", no_argument, NULL, O_THREADS },
		{ "no-threads", no_argument, NULL, O_NO_THREADS },
		{ "no-stop", no_argument, NULL, O_NO_STOP },
		{ "type", required_argument, NULL, O_TYPE },
		{ NULL, 0, NULL, 0 }
	};
	md_attach_opts o;
	memset(&o, 0, sizeof o);
	o.stop_timeout_ms = 1000;
	o.threads = MD_THREADS_WRITERS;
	md_thresholds_default(&o.th);
	int json = 0;
	const char *type = NULL;
	md_common_opts co = { .stop_timeout_ms = 1000, .color = -1, .th = &o.th };

	opterr = 0;
	optind = 1;
	int c, rc;
	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_attach, stdout);
			return 0;
		case O_JSON:
			json = 1;
			md_arg_json();
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
		case O_TYPE:
			type = optarg;
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
				return md_arg_bad_option("attach", argv, opts);
		}
	}
	o.debug_file = co.debug_file;
	o.debug_dir = co.debug_dir;
	o.stop_timeout_ms = co.stop_timeout_ms;
	int color = co.color;
	if (o.no_stop && o.threads == MD_THREADS_ALL)
		return md_arg_usage("attach: --threads needs a stopped snapshot; drop --no-stop");
	o.core = co.core;
	o.exe = co.exe;
	if (md_arg_core_check("attach", &co))
		return MD_EXIT_UNKNOWN;
	if (o.core && o.no_stop)
		return md_arg_usage("attach: a core never changes: --no-stop has no meaning with "
		                    "--core");
	if (o.core) {
		if (argc - optind < 1)
			return md_arg_usage("attach: missing <var>");
		o.vars = (const char *const *)&argv[optind];
		o.nvars = argc - optind;
	} else if (md_arg_targets("attach", argc, argv, &o.pid, &o.vars, &o.nvars)) {
		return MD_EXIT_UNKNOWN;
	}

	color = md_arg_resolve_color(color);

	const char **types = calloc((size_t)o.nvars, sizeof *types);
	char **owned = calloc((size_t)o.nvars, sizeof *owned);
	if (!types || !owned) {
		free(types);
		free(owned);
		md_err err = { 0 };
		md_err_set(&err, MD_E_NOMEM, "attach: %d variables", o.nvars);
		return md_arg_fatal(&err);
	}
	int hrc = header_types(&o, type, types, owned, &co);
	o.types = types;
	md_report r;
	md_err err = { 0 };
	md_status s = hrc ? MD_E_USAGE : md_attach(&o, &r, &err);
	for (int i = 0; i < o.nvars; i++)
		free(owned[i]);
	free(owned);
	free(types);
	if (hrc)
		return hrc;
	if (s != MD_OK) {
		md_report_free(&r);
		return md_arg_fatal(&err);
	}
	md_arg_release_warning(r.go_version);
	md_exit code = md_report_exit_code(&r);
	if (json) {
		md_print_end end = { code, code == MD_EXIT_UNKNOWN ? md_report_cause(&r) : NULL };
		md_print_attach_json(stdout, &r, &end);
	} else {
		md_print_opts po;
		md_arg_print_opts(&co, color, &po);
		md_print_attach_text(stdout, &r, &po);
	}
	/* Per-variable errors also go to stderr, one line each, for scripts
	 * that only look there. */
	for (int i = 0; i < r.nmaps; i++)
		if (r.maps[i].status != MD_OK)
			md_msg_error(&r.maps[i].err);
	md_report_free(&r);
	return md_arg_flush_stdout(code);
}

const md_command md_cmd_attach = { "attach", run };
