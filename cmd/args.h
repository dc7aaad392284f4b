/* args.h - parsing of command-line values, shared by the commands.  Each
 * parser returns 0, or -1 for a value it rejects (the caller names the
 * option in its message). */
#ifndef MD_ARGS_H
#define MD_ARGS_H

#include <getopt.h>
#include <stdint.h>
#include <sys/types.h>
#include "classify.h"
#include "print.h"
#include "prom.h"

/* "mapdiag: <message> (see mapdiag --help)" on stderr; returns
 * MD_EXIT_UNKNOWN. */
int md_arg_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The error that ends a command (md_msg_fatal: stderr, and with --json
 * the error object on stdout); returns MD_EXIT_UNKNOWN. */
int md_arg_fatal(const md_err *err);
/* --json was read (main.c also looks for it before any parsing): from now
 * on a usage or fatal error is also a JSON error object on stdout
 * (msg.h), so a script reading stdout always gets one object. */
void md_arg_json(void);
/* A binary of a Go release mapdiag has no facts of its own for (newer
 * than it knows, or a devel build): one warning line on stderr naming the
 * release whose facts were used (gofacts.h); nothing otherwise.  The JSON
 * reports say it in facts_from / release_known. */
void md_arg_release_warning(const char *go_version);
/* getopt_long's '?' for `cmd` with its option table opts: "unknown
 * option '--jsn'; did you mean --json? (see mapdiag attach --help)", an
 * ambiguous abbreviation, or an option that lacks its value; returns
 * MD_EXIT_UNKNOWN. */
int md_arg_bad_option(const char *cmd, char **argv, const struct option *opts);
/* The one of names[0..n) within a few edits of word, the closest; NULL if
 * none is. */
const char *md_arg_closest(const char *word, const char *const *names, int n);

int md_arg_double(const char *s, double lo, double hi, double *out);
int md_arg_bytes(const char *s, uint64_t *out);     /* 10, 4K, 1M, 2GiB */
/* Durations, one syntax for every option: 250us, 10ms, 1s, 1.5s, 2m, 1h
 * (also ns); a bare number is seconds.  In ns. */
int md_arg_duration(const char *s, uint64_t *out);
#define MD_ARG_DURATION_HELP "a number with a unit: 250us, 10ms, 1s, 2m, 1h; a bare number " \
	"is seconds"
/* md_arg_duration within [lo, hi] ns, else the usage message for option
 * opt (-1). */
int md_arg_duration_opt(const char *opt, const char *s, uint64_t lo, uint64_t hi,
                        uint64_t *out);
/* auto -> a terminal, unless NO_COLOR is set or TERM=dumb */
int md_arg_resolve_color(int color);
int md_arg_pid(const char *s, pid_t *out);
/* After the report went to stdout: flush it, and return code, also when
 * its reader went away (EPIPE, "| head": quietly, with the status of what
 * was printed); MD_EXIT_UNKNOWN after a message when the write failed
 * otherwise. */
int md_arg_flush_stdout(int code);

/* "<pid> <var> [<var>...]" after the options of `cmd` (getopt's optind):
 * 0, or MD_EXIT_UNKNOWN after the usage message. */
int md_arg_targets(const char *cmd, int argc, char **argv, pid_t *pid,
                   const char *const **vars, int *nvars);

/* Options the commands share: their getopt_long codes, table entries and
 * one parser.  A command lists COMMON_TARGET_OPTS (plus COMMON_STOP_OPTS
 * if it stops the target, COMMON_OVS_OPTS if it takes the oversized
 * thresholds) in its table and hands any code it does not know to
 * md_arg_common. */
enum {
	OPT_DEBUG_FILE = 1000, OPT_DEBUG_DIR, OPT_STOP_TIMEOUT, OPT_COLOR, OPT_NO_COLOR,
	OPT_OVS_LOAD, OPT_OVS_BYTES, OPT_WARN_BYTES, OPT_EXPLAIN, OPT_WIDE, OPT_CORE, OPT_EXE
};
#define COMMON_TARGET_OPTS \
	{ "debug-file", required_argument, NULL, OPT_DEBUG_FILE }, \
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR }, \
	{ "color", required_argument, NULL, OPT_COLOR }, \
	{ "no-color", no_argument, NULL, OPT_NO_COLOR }
/* How attach and scan print: -v, --explain, --wide (getopt short "v"). */
#define COMMON_OUT_OPTS \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "explain", no_argument, NULL, OPT_EXPLAIN }, \
	{ "wide", no_argument, NULL, OPT_WIDE }
/* A core file instead of a process (attach, scan). */
#define COMMON_CORE_OPTS \
	{ "core", required_argument, NULL, OPT_CORE }, \
	{ "exe", required_argument, NULL, OPT_EXE }
#define COMMON_STOP_OPTS \
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT }
#define COMMON_OVS_OPTS \
	{ "oversized-load", required_argument, NULL, OPT_OVS_LOAD }, \
	{ "oversized-bytes", required_argument, NULL, OPT_OVS_BYTES }, \
	{ "warn-bytes", required_argument, NULL, OPT_WARN_BYTES }

typedef struct md_common_opts {
	const char *debug_file, *debug_dir;
	int stop_timeout_ms;       /* default 1000 (--stop-timeout 1s) */
	int color;                 /* -1 auto */
	md_thresholds *th;         /* NULL: no thresholds taken */
	int verbose, explain, wide;   /* COMMON_OUT_OPTS */
	const char *core, *exe;    /* COMMON_CORE_OPTS */
} md_common_opts;

/* With --core the operands are what follows the pid otherwise: 0, or
 * MD_EXIT_UNKNOWN after the usage message for --exe without --core. */
int md_arg_core_check(const char *cmd, const md_common_opts *co);

/* 1 when c was a common option (stored), 0 when it is not one, -1 after
 * the usage message for a bad value (exit 3). */
int md_arg_common(int c, const char *arg, md_common_opts *co);

/* The columns of the terminal on stdout, 0 when stdout is not one or with
 * --wide: TIOCGWINSZ, else $COLUMNS, else 80. */
int md_arg_width(int wide);

/* How to print, from the common options and the resolved colour. */
void md_arg_print_opts(const md_common_opts *co, int color, md_print_opts *po);
/* --label key=value (repeatable) into labels[*n], at most
 * MD_PROM_MAX_LABELS: the key a label name that is not mapdiag's own (see
 * md_prom_label_refused), not given twice, the value not empty (an empty
 * label is no label).  arg is split in place; labels point into it.  0,
 * or MD_EXIT_UNKNOWN after the one-line usage message. */
int md_arg_label(char *arg, md_prom_kv *labels, int *n);

#endif
