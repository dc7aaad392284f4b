/* scan.c - `mapdiag scan`: options in, md_scan, ranking, one printer. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "args.h"
#include "scan.h"
#include "print.h"
#include "msg.h"
#include "clock.h"
#include "prom.h"

#define MAX_PREFIXES 64

static const char usage_scan[] =
	"usage: mapdiag scan [options] <pid>\n"
	"       mapdiag scan [options] --core <core> [--exe <exe>]\n"
	"\n"
	"Find every map of <pid> reachable from its package-level variables and from\n"
	"the locals and arguments of every goroutine's frames: through struct\n"
	"fields, arrays, pointers, slices, interfaces and the values of other maps,\n"
	"to --depth hops; walk while the target runs, then re-read every map found in\n"
	"one short stop; rank them by the memory they hold and say which could give\n"
	"memory back if rebuilt (Go maps never shrink).  Each map is named by a path\n"
	"(README.md, \"Paths\"); what could not be followed is counted by reason.\n"
	"With --core, the same census of a core file, whole (nothing runs).\n"
	"\n"
	"options:\n"
	"  --core FILE             read the core FILE, not a live process\n"
	"  --exe FILE              the core's executable (default: the path the core\n"
	"                          names; it must be the same build)\n"
	"  --var-prefix P          only variables, and frames of functions, whose name\n"
	"                          starts with P, e.g. main. or example.com/acme/\n"
	"                          (repeatable)\n"
	"  --depth N               pointer, slice, interface and map-value hops to\n"
	"                          follow (default 8, max 16)\n"
	"  --globals-only          roots are package variables only (no stacks)\n"
	"  --consistent            walk inside the stop: a strict snapshot, a longer\n"
	"                          pause (reported)\n"
	"  --sort KEY              bytes (default), severity, count or load\n"
	"  --top N                 list only the first N maps (0: all; on a terminal\n"
	"                          the text lists 20 and says how many more)\n"
	"  --min-bytes SIZE        list only maps holding at least SIZE (K, M, G)\n"
	"  --by owner              roll bytes up by owner (a stack root's function or a\n"
	"                          package variable) and by package\n"
	"  --json                  print one JSON object (mapdiag(1), JSON OUTPUT)\n"
	"  --prom FILE             also write the listed maps' bytes (the first 100\n"
	"                          unless --top) and the census's counts as\n"
	"                          Prometheus text to FILE, atomically\n"
	"  --label KEY=VALUE       add this label to every --prom series (repeatable)\n"
	"  --oversized-load F, --oversized-bytes N, --warn-bytes N: thresholds as\n"
	"                          for attach\n"
	"  -v, --verbose, --explain, --wide, --debug-file PATH, --debug-dir DIR,\n"
	"  --stop-timeout D, --color WHEN, --no-color: as for attach\n"
	"\n"
	"The first line is a monitoring plugin's: MAPDIAG <STATUS> - <the worst map\n"
	"and why> | <perfdata: maps, bytes held, reclaimable, ...> (perfdata when\n"
	"stdout is not a terminal, or with --wide).\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL (worst map), 3 UNKNOWN (error)\n";

/* Every map that could not be read, on stderr (the first MAX_ERRORS):
 * also those --top and --min-bytes leave out of the listing, so that an
 * UNKNOWN always says why. */
#define MAX_ERRORS 10
static void say_failures(const md_scan_report *sr, const int *order, int n, int by_owner)
{
	const md_report *r = &sr->r;
	int said = 0, left = 0;
	char *listed = calloc((size_t)r->nmaps + 1, 1);
	for (int i = 0; listed && i < n; i++)
		listed[order[i]] = 1;
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status == MD_OK)
			continue;
		if (said == MAX_ERRORS) {
			left++;
			continue;
		}
		said++;
		if (by_owner || !listed || listed[i])
			md_msg_error(&r->maps[i].err);
		else
			md_msg_error_note(&r->maps[i].err, "not listed (--top, --min-bytes)");
	}
	if (left)
		md_msg_line("%d more maps could not be read (--json lists each with its error)", left);
	free(listed);
}

static int run(int argc, char **argv)
{
	enum { S_JSON = 256, S_DEPTH, S_PREFIX, S_SORT, S_TOP, S_MIN_BYTES, S_GLOBALS,
	       S_CONSISTENT, S_BY, S_PROM, S_LABEL };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, S_JSON },
		{ "depth", required_argument, NULL, S_DEPTH },
		{ "var-prefix", required_argument, NULL, S_PREFIX },
		{ "sort", required_argument, NULL, S_SORT },
		{ "top", required_argument, NULL, S_TOP },
		{ "min-bytes", required_argument, NULL, S_MIN_BYTES },
		{ "globals-only", no_argument, NULL, S_GLOBALS },
		{ "consistent", no_argument, NULL, S_CONSISTENT },
		{ "by", required_argument, NULL, S_BY },
		{ "prom", required_argument, NULL, S_PROM },
		{ "label", required_argument, NULL, S_LABEL },
		COMMON_TARGET_OPTS,
		COMMON_CORE_OPTS,
		COMMON_STOP_OPTS,
		COMMON_OVS_OPTS,
		COMMON_OUT_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *prefixes[MAX_PREFIXES];
	md_scan_opts o;
	memset(&o, 0, sizeof o);
	o.depth = MD_SCAN_DEFAULT_DEPTH;
	o.stacks = 1;
	o.prefixes = prefixes;
	md_thresholds_default(&o.th);
	md_scan_sort sort = MD_SORT_BYTES;
	uint64_t min_bytes = 0;
	int json = 0, top = -1, by_owner = 0, r;
	const char *prom = NULL;
	static md_prom_kv labels[MD_PROM_MAX_LABELS];
	md_prom_opts prom_po = { labels, 0, 0 };
	double dv;
	md_common_opts co = { .stop_timeout_ms = 1000, .color = -1, .th = &o.th };

	opterr = 0;
	optind = 1;
	int c;
	/* options may follow the pid ("scan 4242 --json"): getopt permutes */
	while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_scan, stdout);
			return 0;
		case S_JSON:
			json = 1;
			md_arg_json();
			break;
		case S_GLOBALS:
			o.stacks = 0;
			break;
		case S_CONSISTENT:
			o.consistent = 1;
			break;
		case S_BY:
			if (strcmp(optarg, "owner"))
				return md_arg_usage("--by: '%s' is not owner", optarg);
			by_owner = 1;
			break;
		case S_PROM:
			if (!*optarg)
				return md_arg_usage("--prom: empty file name");
			prom = optarg;
			break;
		case S_LABEL:
			if (md_arg_label(optarg, labels, &prom_po.nlabels))
				return MD_EXIT_UNKNOWN;
			break;
		case S_DEPTH:
			if (md_arg_double(optarg, 0, MD_SCAN_MAX_DEPTH, &dv) || dv != (int)dv)
				return md_arg_usage("--depth: '%s' is not a whole number from 0 to %d",
				                   optarg, MD_SCAN_MAX_DEPTH);
			o.depth = (int)dv;
			break;
		case S_PREFIX:
			if (o.nprefixes == MAX_PREFIXES)
				return md_arg_usage("--var-prefix: more than %d prefixes", MAX_PREFIXES);
			if (!*optarg)
				return md_arg_usage("--var-prefix: empty prefix");
			prefixes[o.nprefixes++] = optarg;
			break;
		case S_SORT:
			if (md_scan_sort_parse(optarg, &sort))
				return md_arg_usage("--sort: '%s' is not bytes, severity, count or load",
				                   optarg);
			break;
		case S_TOP:
			if (md_arg_double(optarg, 0, 1e9, &dv) || dv != (int)dv)
				return md_arg_usage("--top: '%s' is not a whole number (0: all)",
				                   optarg);
			top = (int)dv;
			break;
		case S_MIN_BYTES:
			if (md_arg_bytes(optarg, &min_bytes))
				return md_arg_usage("--min-bytes: '%s' is not a byte count", optarg);
			break;
		default:
			if ((r = md_arg_common(c, optarg, &co)) < 0)
				return MD_EXIT_UNKNOWN;
			if (r == 0)
				return md_arg_bad_option("scan", argv, opts);
		}
	}
	o.debug_file = co.debug_file;
	o.debug_dir = co.debug_dir;
	o.stop_timeout_ms = co.stop_timeout_ms;
	int color = co.color;
	o.core = co.core;
	o.exe = co.exe;
	if (md_arg_core_check("scan", &co))
		return MD_EXIT_UNKNOWN;
	if (o.core && argc - optind > 0)
		return md_arg_usage("scan: with --core there is no <pid>; '%s' is extra",
		                    argv[optind]);
	if (!o.core && argc - optind < 1)
		return md_arg_usage("scan: missing <pid>");
	if (!o.core && argc - optind > 1)
		return md_arg_usage("scan: one <pid> only; '%s' is extra (limit variables with "
		                   "--var-prefix)", argv[optind + 1]);
	if (!o.core && md_arg_pid(argv[optind], &o.pid))
		return md_arg_usage("scan: '%s' is not a process id", argv[optind]);
	if (prom_po.nlabels && !prom)
		return md_arg_usage("scan: --label labels the series of --prom FILE, and there "
		                    "is no --prom");
	color = md_arg_resolve_color(color);
	md_err err = { 0 };
	/* before the stop, not after it: a path that cannot be written */
	if (prom && md_prom_check(prom, &err) != MD_OK)
		return md_arg_fatal(&err);

	md_scan_report sr;
	md_status s = md_scan(&o, &sr, &err);
	prom_po.unix_time = md_unix_now();
	if (s != MD_OK) {
		md_scan_report_free(&sr);
		return md_arg_fatal(&err);
	}
	md_arg_release_warning(sr.r.go_version);
	int *order = calloc((size_t)sr.r.nmaps + 1, sizeof *order);
	if (!order) {
		md_scan_report_free(&sr);
		md_err_set(&err, MD_E_NOMEM, "scan order");
		return md_arg_fatal(&err);
	}
	md_print_opts po;
	md_arg_print_opts(&co, color, &po);
	/* a person at a terminal reads the top 20, told how many more there
	 * are; a pipe, JSON and --prom get what --top says (all by default) */
	int shown_top = top < 0 && po.width > 0 && !json && !by_owner ? 20 : 0;
	if (top < 0)
		top = 0;
	int n = md_scan_rank(&sr, sort, min_bytes, top, order);
	int shown = shown_top && n > shown_top ? shown_top : n;
	md_scan_owners ow = { 0 };
	if (by_owner && (s = md_scan_owners_of(&sr, &ow, &err)) != MD_OK) {
		free(order);
		md_scan_report_free(&sr);
		return md_arg_fatal(&err);
	}
	/* the metrics before the report, so that the report's exit code is
	 * the one mapdiag exits with; their error is said after the maps' */
	md_err prom_err = { 0 };
	/* a timer feeding a textfile collector wants the largest, not 100k */
	int prom_failed = prom && md_print_scan_prom(prom, &sr, order, top || n < 100 ? n : 100,
	                                             &prom_po, &prom_err) != MD_OK;
	md_exit code = prom_failed ? MD_EXIT_UNKNOWN : md_scan_exit_code(&sr);
	const md_err *cause = md_report_cause(&sr.r);
	md_print_end end = { code, code != MD_EXIT_UNKNOWN ? NULL : cause ? cause : &prom_err };
	if (json)
		md_print_scan_json(stdout, &sr, order, n, by_owner ? &ow : NULL,
		                   md_scan_sort_name(sort), &end);
	else if (by_owner)
		md_print_scan_owners_text(stdout, &sr, &ow, top, &po);
	else
		md_print_scan_text(stdout, &sr, order, shown, n, &po);
	md_scan_owners_free(&ow);
	fflush(stdout);
	say_failures(&sr, order, json ? n : shown, by_owner);
	if (prom_failed)
		md_msg_error(&prom_err);
	free(order);
	md_scan_report_free(&sr);
	return md_arg_flush_stdout(code);
}

const md_command md_cmd_scan = { "scan", run };
