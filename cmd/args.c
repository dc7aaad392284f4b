/* args.c - parsing of command-line values shared by the commands (see
 * args.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "args.h"
#include "gofacts.h"
#include "msg.h"
#include "report.h"

int md_arg_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	md_msg_vusage(fmt, ap);
	va_end(ap);
	return MD_EXIT_UNKNOWN;
}

int md_arg_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int md_arg_bytes(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	if (*s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end == 'i' && shift)
		end++;
	if (*end == 'B' && shift)
		end++;
	if (*end || v > (ULLONG_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

/* "250us", "10ms", "1s", "1.5s", "2m", "1h" (also "ns", "\xc2\xb5s"); a bare
 * number is seconds, for every option.  Overflow-safe: anything that
 * does not fit 2^63 ns (292 years) is refused. */
int md_arg_duration(const char *s, uint64_t *out)
{
	char *end;
	/* strtod also takes "inf", "nan", hex and leading blanks */
	if (!((*s >= '0' && *s <= '9') || *s == '.') || strpbrk(s, "xXpP"))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0))
		return -1;
	double mul;
	if (!strcmp(end, "ns"))
		mul = 1;
	else if (!strcmp(end, "us") || !strcmp(end, "\xc2\xb5s"))
		mul = 1e3;
	else if (!strcmp(end, "ms"))
		mul = 1e6;
	else if (!strcmp(end, "s") || !*end)
		mul = 1e9;
	else if (!strcmp(end, "m"))
		mul = 60e9;
	else if (!strcmp(end, "h"))
		mul = 3600e9;
	else
		return -1;
	if (!(v * mul < 9.2e18))
		return -1;
	*out = (uint64_t)(v * mul + 0.5);
	return 0;
}

/* "250us", "10ms", "1.5s", "2m": the shortest exact spelling of ns. */
static const char *duration_str(uint64_t ns, char *buf, size_t n)
{
	static const struct { uint64_t mul; const char *unit; } u[] = {
		{ 3600000000000ull, "h" }, { 60000000000ull, "m" }, { 1000000000ull, "s" },
		{ 1000000ull, "ms" }, { 1000ull, "us" }, { 1, "ns" },
	};
	size_t i = 0;
	while (i + 1 < sizeof u / sizeof u[0] && (ns < u[i].mul || ns % u[i].mul))
		i++;
	snprintf(buf, n, "%llu%s", (unsigned long long)(ns / u[i].mul), u[i].unit);
	return buf;
}

int md_arg_duration_opt(const char *opt, const char *s, uint64_t lo, uint64_t hi,
                        uint64_t *out)
{
	uint64_t v;
	if (!md_arg_duration(s, &v) && v >= lo && v <= hi) {
		*out = v;
		return 0;
	}
	char a[32], b[32], ms[64] = "";
	/* a bare number that fits as milliseconds (what --stop-timeout's
	 * bare numbers once were) */
	if (!md_arg_duration(s, &v) && !strpbrk(s, "smhun\xc2") && v / 1000 >= lo &&
	    v / 1000 <= hi)
		snprintf(ms, sizeof ms, "; did you mean %sms?", s);
	md_arg_usage("%s: '%s' is not a duration from %s to %s (%s)%s", opt, s,
	             lo ? duration_str(lo, a, sizeof a) : "0", duration_str(hi, b, sizeof b),
	             MD_ARG_DURATION_HELP, ms);
	return -1;
}

/* --color WHEN: -1 auto, 1 always, 0 never */
static int parse_color(const char *s, int *out)
{
	if (!strcmp(s, "auto"))
		*out = -1;
	else if (!strcmp(s, "always"))
		*out = 1;
	else if (!strcmp(s, "never"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* auto: colour on a terminal, unless NO_COLOR is set and not empty or
 * the terminal is TERM=dumb */
int md_arg_resolve_color(int color)
{
	if (color >= 0)
		return color;
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return isatty(STDOUT_FILENO) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
}

int md_arg_width(int wide)
{
	if (wide || !isatty(STDOUT_FILENO))
		return 0;
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col < 20 ? 20 : ws.ws_col;
	/* a terminal that does not say its size (a serial console) */
	const char *c = getenv("COLUMNS");
	long v = c ? strtol(c, NULL, 10) : 0;
	return v >= 20 && v <= 10000 ? (int)v : 80;
}

void md_arg_print_opts(const md_common_opts *co, int color, md_print_opts *po)
{
	memset(po, 0, sizeof *po);
	po->color = color;
	po->width = md_arg_width(co->wide);
	po->verbose = co->verbose;
	po->explain = co->explain;
	po->perfdata = co->wide || !isatty(STDOUT_FILENO);
}

int md_arg_pid(const char *s, pid_t *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -1;
	*out = (pid_t)v;
	return 0;
}

/* Edit distance (optimal string alignment: insertions, deletions,
 * substitutions, transpositions) of two short strings; longer ones are
 * compared by their first 63 bytes. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, 63), lb = strnlen(b, 63);
	size_t row[2][64], row2[64] = { 0 };   /* rows i, i-1 and i-2 */
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = row[i & 1], *prev = row[(i - 1) & 1];
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			/* a transposition counts as one edit ("tpo", "scna") */
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    row2[j - 2] + 1 < v)
				v = row2[j - 2] + 1;
			cur[j] = v;
		}
		memcpy(row2, prev, sizeof row2);
	}
	return row[la & 1][lb];
}

const char *md_arg_closest(const char *word, const char *const *names, int n)
{
	const char *best = NULL;
	size_t len = strlen(word), bd = 0;
	/* a third of the word may differ, at least 1, at most 3 */
	size_t limit = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
	for (int i = 0; i < n; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d <= limit && (!best || d < bd)) {
			best = names[i];
			bd = d;
		}
	}
	return best;
}

/* getopt_long's '?' for `cmd` and its option table: exit code 3 after one
 * line naming the option, the nearest long option when there is one, and
 * the command's help. */
int md_arg_bad_option(const char *cmd, char **argv, const struct option *opts)
{
	const char *names[64];
	int n = 0;
	for (const struct option *o = opts; o->name && n < 64; o++) {
		if (optopt && o->val == optopt && o->has_arg == required_argument) {
			md_msg_usage_for(cmd, "%s: option --%s needs a value", cmd, o->name);
			return MD_EXIT_UNKNOWN;
		}
		names[n++] = o->name;
	}
	if (optopt && optopt < 256) {
		md_msg_usage_for(cmd, "%s: option -%c is unknown or lacks its value", cmd, optopt);
		return MD_EXIT_UNKNOWN;
	}
	const char *arg = argv[optind - 1];
	char word[64];
	snprintf(word, sizeof word, "%.*s", (int)strcspn(arg, "="), arg);
	const char *w = word + strspn(word, "-");
	/* an abbreviation of several options */
	char amb[256];
	size_t k = 0, nw = strlen(w);
	amb[0] = '\0';
	for (int i = 0; nw && i < n && k < sizeof amb; i++)
		if (!strncmp(names[i], w, nw)) {
			int r = snprintf(amb + k, sizeof amb - k, "%s--%s", k ? ", " : "", names[i]);
			k += r > 0 ? (size_t)r : 0;
		}
	if (strchr(amb, ','))
		md_msg_usage_for(cmd, "%s: option '%s' is ambiguous: %s", cmd, word, amb);
	else if ((w = md_arg_closest(w, names, n)))
		md_msg_usage_for(cmd, "%s: unknown option '%s'; did you mean --%s?", cmd, word, w);
	else
		md_msg_usage_for(cmd, "%s: unknown option '%s'", cmd, word);
	return MD_EXIT_UNKNOWN;
}

int md_arg_fatal(const md_err *err)
{
	md_msg_fatal(err);
	return MD_EXIT_UNKNOWN;
}

void md_arg_json(void)
{
	md_msg_json_errors();
}

int md_arg_flush_stdout(int code)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return code;
	int e = errno;
	/* the reader went away (| head): what was printed stands, quietly, as
	 * coreutils do; a pipe without readers polls as an error */
	struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };
	if (e == EPIPE || (poll(&p, 1, 0) == 1 && (p.revents & POLLERR)))
		return code;
	md_err err = { 0 };
	md_err_set(&err, MD_E_SYS, "cannot write to stdout: %s", strerror(e ? e : EIO));
	/* not md_msg_fatal: stdout is what failed */
	md_msg_error(&err);
	return MD_EXIT_UNKNOWN;
}

int md_arg_core_check(const char *cmd, const md_common_opts *co)
{
	if (co->exe && !co->core)
		return md_arg_usage("%s: --exe names a core's executable; give --core too", cmd);
	return 0;
}

int md_arg_common(int c, const char *arg, md_common_opts *co)
{
	switch (c) {
	case OPT_DEBUG_FILE:
		co->debug_file = arg;
		return 1;
	case OPT_DEBUG_DIR:
		co->debug_dir = arg;
		return 1;
	case OPT_STOP_TIMEOUT: {
		uint64_t ns;
		/* at most a minute: every stopped thread waits that long for
		 * one that does not stop (a bare number was milliseconds until
		 * it became seconds: the usual 100 to 5000 are refused rather
		 * than taken as minutes) */
		if (md_arg_duration_opt("--stop-timeout", arg, 1000000ull, 60000000000ull, &ns))
			return -1;
		co->stop_timeout_ms = (int)((ns + 999999) / 1000000);
		return 1;
	}
	case OPT_COLOR:
		if (parse_color(arg, &co->color)) {
			md_arg_usage("--color: '%s' is not auto, always or never", arg);
			return -1;
		}
		return 1;
	case OPT_NO_COLOR:
		co->color = 0;
		return 1;
	case OPT_CORE:
		co->core = arg;
		return 1;
	case OPT_EXE:
		co->exe = arg;
		return 1;
	case 'v':
		co->verbose = 1;
		return 1;
	case OPT_EXPLAIN:
		co->explain = 1;
		return 1;
	case OPT_WIDE:
		co->wide = 1;
		return 1;
	case OPT_OVS_LOAD:
		if (!co->th)
			return 0;
		if (md_arg_double(arg, 0, 1, &co->th->oversized_load)) {
			md_arg_usage("--oversized-load: '%s' is not a number from 0 to 1", arg);
			return -1;
		}
		return 1;
	case OPT_OVS_BYTES:
		if (!co->th)
			return 0;
		if (md_arg_bytes(arg, &co->th->oversized_bytes)) {
			md_arg_usage("--oversized-bytes: '%s' is not a byte count", arg);
			return -1;
		}
		return 1;
	case OPT_WARN_BYTES:
		if (!co->th)
			return 0;
		if (md_arg_bytes(arg, &co->th->warn_bytes)) {
			md_arg_usage("--warn-bytes: '%s' is not a byte count", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int md_arg_targets(const char *cmd, int argc, char **argv, pid_t *pid,
                   const char *const **vars, int *nvars)
{
	if (argc - optind < 2)
		return md_arg_usage("%s: missing %s", cmd,
		                    argc - optind < 1 ? "<pid> and <var>" : "<var>");
	if (md_arg_pid(argv[optind], pid))
		return md_arg_usage("%s: '%s' is not a process id", cmd, argv[optind]);
	*vars = (const char *const *)&argv[optind + 1];
	*nvars = argc - optind - 1;
	return 0;
}

int md_arg_label(char *arg, md_prom_kv *labels, int *n)
{
	char *eq = strchr(arg, '=');
	if (!eq)
		return md_arg_usage("--label: '%s' is not key=value", arg);
	*eq = '\0';
	const char *why = md_prom_label_refused(arg);
	if (why) {
		int rc = md_arg_usage("--label: '%s' cannot be a label name: %s", arg, why);
		*eq = '=';
		return rc;
	}
	if (!eq[1]) {
		*eq = '=';
		return md_arg_usage("--label: '%s' has an empty value (an empty label is no label)",
		                    arg);
	}
	for (int i = 0; i < *n; i++)
		if (!strcmp(labels[i].key, arg))
			return md_arg_usage("--label: %s given twice", arg);
	if (*n == MD_PROM_MAX_LABELS)
		return md_arg_usage("--label: more than %d labels", MD_PROM_MAX_LABELS);
	labels[*n].key = arg;
	labels[*n].value = eq + 1;
	++*n;
	return 0;
}

void md_arg_release_warning(const char *go_version)
{
	char line[256];
	if (md_gofacts_warning(go_version, line, sizeof line))
		md_msg_line("warning: %s", line);
}
