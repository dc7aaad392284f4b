/* main.c - the mapdiag command line: parse arguments into options, call one
 * entry point, print, map the result to an exit code.
 *
 * Exit codes are the monitoring-plugin convention: 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN (any error, including bad usage).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "attach.h"
#include "watch.h"
#include "msg.h"
#include "report.h"
#include "args.h"

int cmd_scan(int argc, char **argv);   /* cmd/scan.c */

#ifndef MD_VERSION
#define MD_VERSION "0.0.0"
#endif


static const char usage_top[] =
	"usage: mapdiag <command> [options] ...\n"
	"\n"
	"Diagnose Go maps in a live process: find a map through DWARF, stop the\n"
	"process for microseconds, read the map's runtime header, say what state it\n"
	"is in and what that means.\n"
	"\n"
	"commands:\n"
	"  attach <pid> <var>...   snapshot the named maps (see mapdiag attach --help)\n"
	"  watch <pid> <var>...    sample them over time without stopping the process\n"
	"                          (see mapdiag watch --help)\n"
	"  scan <pid>              find every map reachable from package variables,\n"
	"                          ranked by memory held (see mapdiag scan --help)\n"
	"\n"
	"options:\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n"
	"\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (error)\n";

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

static const char usage_watch[] =
	"usage: mapdiag watch [options] <pid> <var> [<var>...]\n"
	"\n"
	"Sample the headers of the maps <var> again and again WITHOUT stopping the\n"
	"process (process_vm_readv only, no ptrace), and report how they behave:\n"
	"write duty cycle, longest writing stretch, growths, parked growth, insert\n"
	"and delete rates.  <var> as for attach.\n"
	"\n"
	"options:\n"
	"  --interval D            between samples (default 10ms)\n"
	"  --every D               between reports (default 1s)\n"
	"  --duration D            stop after D (default: until Ctrl-C) ...\n"
	"  --count N               ... or after N samples\n"
	"  --json                  JSON Lines, one object per report (the default when\n"
	"                          stdout is not a terminal; on a terminal: a live view)\n"
	"  --prom FILE             write Prometheus text exposition to FILE at every\n"
	"                          report (atomically: node_exporter textfile collector)\n"
	"  --stuck D               writer-stuck: flag set continuously for D (default 1s)\n"
	"  --parked D              growth-parked: growing-idle for D (default 10s)\n"
	"  --hot F                 hot-map: written more than F of the time (default 0.5)\n"
	"  --debug-file PATH, --debug-dir DIR, --color WHEN, --no-color: as for attach\n"
	"\n"
	"D is a number with a unit: 500us, 10ms, 2s, 5m, 1h (plain numbers are seconds).\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (error), over the window\n";


/* Signals that end us outside the stop window (inside it, src/stop.c blocks
 * them until every thread is released): one line and exit 3. */
static void on_signal(int sig)
{
	static const char msg[] = "mapdiag: interrupted\n";
	(void)sig;
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	_exit(EXIT_UNKNOWN);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}







/* "<pid> <var> [<var>...]" after the options of `cmd`; 0, or exit code 3
 * after the usage message. */
static int parse_targets(const char *cmd, int argc, char **argv, md_attach_opts *a)
{
	if (argc - optind < 2)
		return usage_error("%s: missing %s", cmd,
		                   argc - optind < 1 ? "<pid> and <var>" : "<var>");
	if (parse_pid(argv[optind], &a->pid))
		return usage_error("%s: '%s' is not a process id", cmd, argv[optind]);
	a->vars = (const char *const *)&argv[optind + 1];
	a->nvars = argc - optind - 1;
	return 0;
}


static int cmd_attach(int argc, char **argv)
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
	o.threads = 1;
	md_thresholds_default(&o.th);
	int json = 0;
	common_opts co = { .stop_timeout_ms = 1000, .color = -1, .th = &o.th };

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
			o.threads = 2;
			break;
		case O_NO_THREADS:
			o.threads = 0;
			break;
		case O_NO_STOP:
			o.no_stop = 1;
			break;
		case O_OVF_RATIO:
			if (parse_double(optarg, 0, 1e6, &o.th.overflow_ratio))
				return usage_error("--overflow-ratio: '%s' is not a positive number",
				                   optarg);
			break;
		case O_HIGH_LOAD:
			if (parse_double(optarg, 0, 10, &o.th.high_load))
				return usage_error("--high-load: '%s' is not a number from 0 to 10",
				                   optarg);
			break;
		default:
			if ((rc = parse_common(c, optarg, &co)) < 0)
				return EXIT_UNKNOWN;
			if (rc == 0)
				return bad_option("attach", argv);
		}
	}
	o.debug_file = co.debug_file;
	o.debug_dir = co.debug_dir;
	o.stop_timeout_ms = co.stop_timeout_ms;
	int color = co.color;
	if (o.no_stop && o.threads == 2)
		return usage_error("attach: --threads needs a stopped snapshot; drop --no-stop");
	if (parse_targets("attach", argc, argv, &o))
		return EXIT_UNKNOWN;

	color = resolve_color(color);

	md_report r;
	md_err err = { 0 };
	md_status s = md_attach(&o, &r, &err);
	if (s != MD_OK) {
		md_msg_error(&err);
		md_report_free(&r);
		return EXIT_UNKNOWN;
	}
	if (json) {
		md_print_json(stdout, &r);
	} else {
		md_print_opts po = { color };
		md_print_text(stdout, &r, &po);
	}
	/* Per-variable errors also go to stderr, one line each, for scripts
	 * that only look there. */
	for (int i = 0; i < r.nmaps; i++)
		if (r.maps[i].status != MD_OK)
			md_msg_error(&r.maps[i].err);
	int code = md_report_exit_code(&r);
	md_report_free(&r);
	if (fflush(stdout) != 0)
		return EXIT_UNKNOWN;
	return code;
}

static volatile int watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static int cmd_watch(int argc, char **argv)
{
	enum {
		W_JSON = 256, W_PROM, W_INTERVAL, W_EVERY, W_DURATION, W_COUNT, W_STUCK,
		W_PARKED, W_HOT
	};
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, W_JSON },
		{ "prom", required_argument, NULL, W_PROM },
		{ "interval", required_argument, NULL, W_INTERVAL },
		{ "every", required_argument, NULL, W_EVERY },
		{ "duration", required_argument, NULL, W_DURATION },
		{ "count", required_argument, NULL, W_COUNT },
		{ "stuck", required_argument, NULL, W_STUCK },
		{ "parked", required_argument, NULL, W_PARKED },
		{ "hot", required_argument, NULL, W_HOT },
		COMMON_TARGET_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	md_watch_opts o;
	memset(&o, 0, sizeof o);
	o.interval_ns = 10000000ull;
	o.every_ns = 1000000000ull;
	md_wthresholds_default(&o.th);
	int json = 0, r;
	common_opts co = { .stop_timeout_ms = 1000, .color = -1 };
	double dv;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_watch, stdout);
			return 0;
		case W_JSON:
			json = 1;
			break;
		case W_PROM:
			o.prom = optarg;
			break;
		case W_INTERVAL:
			if (parse_duration(optarg, &o.interval_ns) || o.interval_ns == 0)
				return usage_error("--interval: '%s' is not a duration above 0", optarg);
			break;
		case W_EVERY:
			if (parse_duration(optarg, &o.every_ns) || o.every_ns == 0)
				return usage_error("--every: '%s' is not a duration above 0", optarg);
			break;
		case W_DURATION:
			if (parse_duration(optarg, &o.duration_ns) || o.duration_ns == 0)
				return usage_error("--duration: '%s' is not a duration above 0", optarg);
			break;
		case W_COUNT:
			if (parse_double(optarg, 1, 1e15, &dv))
				return usage_error("--count: '%s' is not a positive number", optarg);
			o.count = (uint64_t)dv;
			break;
		case W_STUCK:
			if (parse_duration(optarg, &o.th.stuck_ns))
				return usage_error("--stuck: '%s' is not a duration", optarg);
			break;
		case W_PARKED:
			if (parse_duration(optarg, &o.th.parked_ns))
				return usage_error("--parked: '%s' is not a duration", optarg);
			break;
		case W_HOT:
			if (parse_double(optarg, 0, 1, &o.th.hot))
				return usage_error("--hot: '%s' is not a number from 0 to 1", optarg);
			break;
		default:
			if ((r = parse_common(c, optarg, &co)) < 0)
				return EXIT_UNKNOWN;
			if (r == 0)
				return bad_option("watch", argv);
		}
	}
	o.a.debug_file = co.debug_file;
	o.a.debug_dir = co.debug_dir;
	int color = co.color;
	if (parse_targets("watch", argc, argv, &o.a))
		return EXIT_UNKNOWN;
	int tty = isatty(STDOUT_FILENO);
	o.json = json || !tty;
	o.tty = !o.json;
	o.color = resolve_color(color);

	/* No ptrace here, nothing to release: Ctrl-C ends the window with its
	 * summary instead of killing us. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_watch_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	md_err err = { 0 };
	int code = md_watch_run(&o, &watch_stop, &err);
	if (err.code != MD_OK && code == 3)
		md_msg_error(&err);
	return code;
}

int main(int argc, char **argv)
{
	install_signals();
	if (argc < 2) {
		fputs(usage_top, stderr);
		return EXIT_UNKNOWN;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage_top, stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("mapdiag %s\n", MD_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "attach"))
		return cmd_attach(argc - 1, argv + 1);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(argc - 1, argv + 1);
	if (!strcmp(cmd, "scan"))
		return cmd_scan(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", cmd);
}
