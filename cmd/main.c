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
#include "msg.h"

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
	"  ps [<pid>...]           list Go processes: version, map implementation,\n"
	"                          where their DWARF is; no ptrace (see mapdiag ps --help)\n"
	"\n"
	"  help <command>          that command's --help\n"
	"  version                 the version\n"
	"\n"
	"options:\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n"
	"\n"
	"Durations are a number with a unit, 250us, 10ms, 1s, 2m, 1h, for every\n"
	"option; a bare number is seconds.  NO_COLOR or TERM=dumb: no colour unless\n"
	"--color always.\n"
	"\n"
	"exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (error)\n";

/* Signals that end us outside the stop window (inside it, src/target/stop.c blocks
 * them until every thread is released): one line (and with --json the
 * error object) and exit 3.  SIGPIPE is
 * ignored instead: a reader that goes away ("| head") makes writes fail
 * with EPIPE, and the commands end quietly with the status of what they
 * printed (md_arg_flush_stdout). */
static void on_signal(int sig)
{
	(void)sig;
	md_msg_interrupted();
	_exit(MD_EXIT_UNKNOWN);
}

/* --json among the arguments (up to a "--"): a script reads stdout, so
 * every fatal error is the JSON error object there too (msg.h), from the
 * first instant: a usage error before getopt reaches --json, or a signal
 * before the command has parsed anything.  The commands also say so when
 * getopt reads it (an abbreviation, --js). */
static void json_errors_if_asked(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json")) {
			md_msg_json_errors();
			return;
		}
}

static void install_signals(void)
{
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

static const md_command *const commands[] = {
	&md_cmd_attach, &md_cmd_watch, &md_cmd_scan,
	&md_cmd_ps,
	&md_cmd_complete,   /* hidden: the shell completions' helper */
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const md_command *command_named(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

/* "unknown command 'atach'; did you mean attach?" (exit 3) */
static int unknown_command(const char *what, const char *name)
{
	const char *names[NCOMMANDS + 2];
	int n = 0;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i]->name[0] != '_')
			names[n++] = commands[i]->name;
	names[n++] = "help";
	names[n++] = "version";
	const char *near = md_arg_closest(name, names, n);
	return md_arg_usage("%sunknown command '%s'%s%s%s", what, name, near ? "; did you mean " : "",
	                    near ? near : "", near ? "?" : "");
}

int main(int argc, char **argv)
{
	json_errors_if_asked(argc, argv);
	install_signals();
	if (argc < 2) {
		fputs(usage_top, stderr);
		return MD_EXIT_UNKNOWN;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "help") && argc > 2) {
		/* mapdiag help CMD: CMD --help */
		const md_command *c = command_named(argv[2]);
		char *hargv[] = { argv[2], "--help", NULL };
		return c ? c->run(2, hargv) : unknown_command("help: ", argv[2]);
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(usage_top, stdout);
		return md_arg_flush_stdout(0);
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		printf("mapdiag %s\n", MD_VERSION);
		return md_arg_flush_stdout(0);
	}
	const md_command *c = command_named(cmd);
	if (c)
		return c->run(argc - 1, argv + 1);
	return unknown_command("", cmd);
}
