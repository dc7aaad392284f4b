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
#include "cmd.h"
#include "args.h"
#include "report.h"

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

/* Signals that end us outside the stop window (inside it, src/target/stop.c blocks
 * them until every thread is released): one line and exit 3. */
static void on_signal(int sig)
{
	static const char msg[] = "mapdiag: interrupted\n";
	(void)sig;
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)r;
	_exit(MD_EXIT_UNKNOWN);
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

static const md_command *const commands[] = {
	&md_cmd_attach, &md_cmd_watch, &md_cmd_scan,
	&md_cmd_complete,   /* hidden: the shell completions' helper */
};

int main(int argc, char **argv)
{
	install_signals();
	if (argc < 2) {
		fputs(usage_top, stderr);
		return MD_EXIT_UNKNOWN;
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
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(cmd, commands[i]->name))
			return commands[i]->run(argc - 1, argv + 1);
	return md_arg_usage("unknown command '%s'", cmd);
}
