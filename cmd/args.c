/* args.c - parsing of command-line values shared by the commands (see
 * args.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "args.h"
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

/* "500us", "10ms", "2s", "5m", "1h", "1.5s"; a plain number is seconds. */
int md_arg_duration(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0) || v > 1e7)
		return -1;
	double mul = 1e9;
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
	*out = (uint64_t)(v * mul);
	return 0;
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

/* auto: colour on a terminal, unless NO_COLOR is set and not empty */
int md_arg_resolve_color(int color)
{
	if (color >= 0)
		return color;
	const char *nc = getenv("NO_COLOR");
	return isatty(STDOUT_FILENO) && !(nc && *nc);
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

/* getopt_long's '?' for `cmd`: exit code 3 after the usage message. */
int md_arg_bad_option(const char *cmd, char **argv)
{
	if (optopt && optopt < 256)
		return md_arg_usage("%s: option -%c is unknown or lacks its value", cmd, optopt);
	return md_arg_usage("%s: option '%s' is unknown or lacks its value", cmd, argv[optind - 1]);
}

int md_arg_common(int c, const char *arg, md_common_opts *co)
{
	double dv;
	switch (c) {
	case OPT_DEBUG_FILE:
		co->debug_file = arg;
		return 1;
	case OPT_DEBUG_DIR:
		co->debug_dir = arg;
		return 1;
	case OPT_STOP_TIMEOUT:
		if (md_arg_double(arg, 1, 600000, &dv)) {
			md_arg_usage("--stop-timeout: '%s' is not a number of milliseconds from 1 "
			            "to 600000", arg);
			return -1;
		}
		co->stop_timeout_ms = (int)dv;
		return 1;
	case OPT_COLOR:
		if (parse_color(arg, &co->color)) {
			md_arg_usage("--color: '%s' is not auto, always or never", arg);
			return -1;
		}
		return 1;
	case OPT_NO_COLOR:
		co->color = 0;
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
