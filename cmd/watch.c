/* watch.c - `mapdiag watch`: options in, md_watch_run, and the printers
 * its reports go to. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cmd.h"
#include "args.h"
#include "watch.h"
#include "print.h"
#include "msg.h"
#include "prom.h"

static const char usage_watch[] =
	"usage: mapdiag watch [options] <pid> <var> [<var>...]\n"
	"\n"
	"Sample the headers of the maps <var> again and again WITHOUT stopping the\n"
	"process (process_vm_readv only, no ptrace), and report how they behave:\n"
	"write duty cycle, longest writing stretch, growths, parked growth, insert\n"
	"and delete rates.  <var> as for attach; a path that moves (an interface that\n"
	"comes to hold another value, a map entry deleted and added again) is\n"
	"resolved again, its samples in between left out.\n"
	"\n"
	"options:\n"
	"  --interval D            between samples (default 10ms)\n"
	"  --every D               between reports (default 1s)\n"
	"  --duration D            stop after D (default: until Ctrl-C) ...\n"
	"  --count N               ... or after N samples\n"
	"  --json                  JSON Lines, one object per report (the default when\n"
	"                          stdout is not a terminal; on a terminal: a live view)\n"
	"  --prom FILE             write Prometheus text exposition to FILE at every\n"
	"                          report (atomically: node_exporter textfile collector);\n"
	"                          checked before the first sample; left in place at\n"
	"                          the end (mapdiag_watch_running 0)\n"
	"  --label KEY=VALUE       add this label to every --prom series (repeatable)\n"
	"  --stuck D               writer-stuck: flag set continuously for D (default 1s)\n"
	"  --parked D              growth-parked: growing-idle for D (default 10s)\n"
	"  --hot F                 hot-map: written more than F of the time (default 0.5)\n"
	"  --oversized-load F, --oversized-bytes N, --warn-bytes N: as for attach;\n"
	"                          every report\n"
	"                          also makes attach's findings about memory\n"
	"                          (oversized, overflow-pressure) on the last sample\n"
	"  --type T                the map type of the header addresses (0x...) given:\n"
	"                          needed, as watch never stops the target to look\n"
	"  --debug-file PATH, --debug-dir DIR, --color WHEN, --no-color: as for attach\n"
	"\n"
	"D is a number with a unit: 250us, 10ms, 1s, 2m, 1h (a bare number is seconds).\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (error, or the target\n"
	"exited), over the window; a --prom FILE that cannot be written is an error\n"
	"before the first sample.\n";


/* Where the reports go: the Prometheus file, and JSON Lines or the live
 * view on stdout. */
typedef struct printer {
	const char *prom;          /* --prom FILE */
	md_prom_opts po;           /* --label */
	int json, tty, color;
	int first;                 /* the live view has not been drawn yet */
	int reported;              /* a report was printed (its JSON line says
	                              how the window ended) */
	int prom_failing;          /* the last --prom write failed (said once) */
	md_err prom_err;
	volatile sig_atomic_t *stop;   /* set when stdout's reader went away */
} printer;

static void start(void *arg, const md_watch_report *r)
{
	printer *pr = arg;
	pr->first = 1;
	md_arg_release_warning(r->go_version);
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status != MD_OK)
			md_msg_error(&r->maps[i].err);
}

static void report(void *arg, const md_watch_report *r)
{
	printer *pr = arg;
	/* keep watching when the metrics cannot be written: the next write may
	 * succeed; said once, when it starts failing; a last write that fails
	 * makes the exit UNKNOWN (run) */
	if (pr->prom) {
		int was = pr->prom_failing;
		pr->prom_failing = md_print_watch_prom(pr->prom, r, &pr->po, &pr->prom_err) != MD_OK;
		if (pr->prom_failing && !was)
			md_msg_error(&pr->prom_err);
	}
	if (pr->json) {
		/* the status so far; the final line's is the exit status: a last
		 * --prom write that failed makes it UNKNOWN (run) */
		md_print_end end = { md_watch_exit_code(r), NULL };
		if (r->final && pr->prom_failing)
			end.code = MD_EXIT_UNKNOWN;
		if (end.code == MD_EXIT_UNKNOWN && !(end.cause = md_watch_cause(r)) &&
		    pr->prom_failing)
			end.cause = &pr->prom_err;
		md_print_watch_jsonl(stdout, r, &end);
	} else if (pr->tty) {
		md_print_watch_tty(stdout, r, pr->first, pr->color, md_arg_width(0));
		pr->first = 0;
	}
	if (r->final && pr->tty)
		md_print_watch_summary(stdout, r, pr->color, md_arg_width(0));
	pr->reported = 1;
	/* the reader went away ("| head -2"): end the window quietly */
	if (fflush(stdout) != 0 || ferror(stdout))
		*pr->stop = 1;
}

/* the longest --duration, --stuck or --parked: a year */
#define MAX_WINDOW (366ull * 86400 * 1000000000)

static volatile sig_atomic_t watch_stop;

static void on_watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static int run(int argc, char **argv)
{
	enum {
		W_JSON = 256, W_PROM, W_INTERVAL, W_EVERY, W_DURATION, W_COUNT, W_STUCK,
		W_PARKED, W_HOT, W_TYPE, W_LABEL
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
		{ "type", required_argument, NULL, W_TYPE },
		{ "label", required_argument, NULL, W_LABEL },
		COMMON_TARGET_OPTS,
		COMMON_OVS_OPTS,
		{ NULL, 0, NULL, 0 }
	};
	md_watch_opts o;
	memset(&o, 0, sizeof o);
	printer pr = { 0 };
	static md_prom_kv labels[MD_PROM_MAX_LABELS];
	pr.po.labels = labels;
	o.interval_ns = 10000000ull;
	o.every_ns = 1000000000ull;
	md_watch_thresholds_default(&o.th);
	int json = 0, r;
	const char *type = NULL;
	md_common_opts co = { .stop_timeout_ms = 1000, .color = -1, .th = &o.th.map };
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
			md_arg_json();
			break;
		case W_PROM:
			pr.prom = optarg;
			break;
		case W_INTERVAL:
			if (md_arg_duration_opt("--interval", optarg, 1000ull, 3600000000000ull,
			                        &o.interval_ns))
				return MD_EXIT_UNKNOWN;
			break;
		case W_EVERY:
			if (md_arg_duration_opt("--every", optarg, 1000000ull, 86400000000000ull,
			                        &o.every_ns))
				return MD_EXIT_UNKNOWN;
			break;
		case W_DURATION:
			if (md_arg_duration_opt("--duration", optarg, 1000000ull, MAX_WINDOW,
			                        &o.duration_ns))
				return MD_EXIT_UNKNOWN;
			break;
		case W_COUNT:
			if (md_arg_double(optarg, 1, 1e15, &dv))
				return md_arg_usage("--count: '%s' is not a positive number", optarg);
			o.count = (uint64_t)dv;
			break;
		case W_STUCK:
			if (md_arg_duration_opt("--stuck", optarg, 0, MAX_WINDOW, &o.th.stuck_ns))
				return MD_EXIT_UNKNOWN;
			break;
		case W_PARKED:
			if (md_arg_duration_opt("--parked", optarg, 0, MAX_WINDOW, &o.th.parked_ns))
				return MD_EXIT_UNKNOWN;
			break;
		case W_TYPE:
			type = optarg;
			break;
		case W_LABEL:
			if (md_arg_label(optarg, labels, &pr.po.nlabels))
				return MD_EXIT_UNKNOWN;
			break;
		case W_HOT:
			if (md_arg_double(optarg, 0, 1, &o.th.hot))
				return md_arg_usage("--hot: '%s' is not a number from 0 to 1", optarg);
			break;
		default:
			if ((r = md_arg_common(c, optarg, &co)) < 0)
				return MD_EXIT_UNKNOWN;
			if (r == 0)
				return md_arg_bad_option("watch", argv, opts);
		}
	}
	o.debug_file = co.debug_file;
	o.debug_dir = co.debug_dir;
	int color = co.color;
	if (md_arg_targets("watch", argc, argv, &o.pid, &o.vars, &o.nvars))
		return MD_EXIT_UNKNOWN;
	/* a header address's type: attach finds it with scan's census, which
	 * stops the target; watch never does */
	const char *types[o.nvars];
	int any = 0;
	for (int i = 0; i < o.nvars; i++) {
		int addr = !strncasecmp(o.vars[i], "0x", 2);
		if (addr && !type)
			return md_arg_usage("watch: %s is a map header's address: give its map type "
			                    "with --type (watch never stops the target to find it)",
			                    o.vars[i]);
		types[i] = addr ? type : NULL;
		any |= addr;
	}
	if (type && !any)
		return md_arg_usage("watch: --type names the map type of a header address (0x...), "
		                    "and no address is given");
	o.types = types;
	if (pr.po.nlabels && !pr.prom)
		return md_arg_usage("watch: --label labels the series of --prom FILE, and there "
		                    "is no --prom");
	int tty = isatty(STDOUT_FILENO);
	pr.json = json || !tty;
	pr.tty = !pr.json;
	/* JSON Lines on stdout without --json too: an error is a line of them */
	if (pr.json)
		md_arg_json();
	pr.color = md_arg_resolve_color(color);

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
	/* an output that cannot be written is an error now, not at every
	 * report of a run that looks fine */
	if (pr.prom && md_prom_check(pr.prom, &err) != MD_OK)
		return md_arg_fatal(&err);
	pr.stop = &watch_stop;
	md_watch_sink sink = { start, report, &pr };
	md_exit code = md_watch_run(&o, &watch_stop, &sink, &err);
	/* the window's end was in its final report; an error before it is
	 * the one thing said */
	if (err.code != MD_OK && code == MD_EXIT_UNKNOWN && pr.reported)
		md_msg_error(&err);
	else if (err.code != MD_OK && code == MD_EXIT_UNKNOWN)
		md_msg_fatal(&err);
	if (pr.prom_failing) {
		/* the file holds an older report, or none: said again at the end */
		md_msg_error(&pr.prom_err);
		code = MD_EXIT_UNKNOWN;
	}
	return md_arg_flush_stdout(code);
}

const md_command md_cmd_watch = { "watch", run };
