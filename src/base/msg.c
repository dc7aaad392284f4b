/* msg.c - error messages and hints, and the JSON error object of a
 * fatal error (see msg.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "msg.h"
#include "jsonout.h"
#include "utf8.h"

/* Each status: its stable name for scripts (the JSON error object's
 * "code": never renamed, doc/json-schema.md lists them), its message and
 * its hint. */
static const struct {
	const char *code;
	const char *what;
	const char *hint;
} table[MD_STATUS_COUNT] = {
	[MD_OK]            = { "ok",
	                       "ok", NULL },
	[MD_NOTFOUND]      = { "not-found",
	                       "not found", NULL },
	[MD_E_USAGE]       = { "usage",
	                       "usage", "see mapdiag --help" },
	[MD_E_BADEXPR]     = { "bad-expression",
	                       "bad variable expression",
	                       "write pkg/path.name, then .field and [N] selectors" },
	[MD_E_NOPROC]      = { "no-such-process",
	                       "no such process", "check the pid with ps" },
	[MD_E_ZOMBIE]      = { "zombie",
	                       "process is exiting (zombie)", "nothing left to inspect" },
	[MD_E_PERM]        = { "permission-denied",
	                       "not permitted",
	                       "run as root or with CAP_SYS_PTRACE; as the target's own user "
	                       "kernel.yama.ptrace_scope must be 0" },
	[MD_E_TRACED]      = { "already-traced",
	                       "already traced", "detach the other debugger (gdb, strace, dlv) first" },
	[MD_E_NOEXE]       = { "no-executable",
	                       "cannot open the executable", NULL },
	[MD_E_NOTELF]      = { "not-elf",
	                       "not a 64-bit little-endian ELF executable", NULL },
	[MD_E_NOTGO]       = { "not-go",
	                       "not a Go binary", "mapdiag reads Go maps only" },
	[MD_E_NODWARF]     = { "no-dwarf",
	                       "no DWARF debug info",
	                       "pass its debug file with --debug-file PATH, or rebuild "
	                       "without -w / without stripping" },
	[MD_E_DWARF]       = { "bad-dwarf",
	                       "unreadable DWARF", "the debug info is corrupt or unsupported" },
	[MD_E_NOVAR]       = { "unknown-variable",
	                       "unknown variable",
	                       "a package-level variable by its full path as DWARF spells it, e.g. main.cache; a goroutine's local as g<id>/<function>/<name>, as mapdiag scan prints it" },
	[MD_E_NOFIELD]     = { "no-such-field",
	                       "no such field", NULL },
	[MD_E_NOTINDEX]    = { "cannot-index",
	                       "cannot index",
	                       "[N] indexes arrays and slices; a map takes [key] of its key's "
	                       "kind, or [#N] by position" },
	[MD_E_RANGE]       = { "index-out-of-range",
	                       "index out of range", NULL },
	[MD_E_NILPTR]      = { "nil-pointer",
	                       "nil pointer on the path", NULL },
	[MD_E_NOTMAP]      = { "not-a-map",
	                       "not a map", "name a map, or a pointer to one" },
	[MD_E_LAYOUT]      = { "unsupported-layout",
	                       "unsupported map layout",
	                       "this Go release's map header is not one mapdiag knows" },
	[MD_E_MEM]         = { "unreadable-memory",
	                       "unreadable target memory", "the map header or a pointer is invalid" },
	[MD_E_TORN]        = { "torn-read",
	                       "torn read",
	                       "the map is being written; drop --no-stop to take a stopped snapshot" },
	[MD_E_EXITED]      = { "target-exited",
	                       "target exited", NULL },
	[MD_E_STOPTIMEOUT] = { "stop-timeout",
	                       "target did not stop in time",
	                       "threads in uninterruptible sleep? retry, or raise --stop-timeout" },
	[MD_E_PIDREUSE]    = { "pid-reused",
	                       "pid now names another process", "the target exited; find it again" },
	[MD_E_NOMEM]       = { "out-of-memory",
	                       "out of memory", NULL },
	[MD_E_SYS]         = { "system-error",
	                       "system error", NULL },
	[MD_E_INTERRUPTED] = { "interrupted",
	                       "interrupted", NULL },
	[MD_E_MOVED]       = { "target-changed",
	                       "target changed", "run again" },
	[MD_E_DYNTYPE]     = { "dynamic-type-changed",
	                       "interface holds another type",
	                       "a path's .(T) names the type the interface holds now; "
	                       "mapdiag scan prints current paths" },
	[MD_E_NOKEY]       = { "no-such-key",
	                       "no such key", NULL },
	[MD_E_NOSTACK]     = { "stack-variable-gone",
	                       "stack variable not available",
	                       "goroutines move on; mapdiag scan prints current paths" },
	[MD_E_CORE]        = { "bad-core",
	                       "unusable core file", NULL },
	[MD_E_RELEASE]     = { "unsupported-go-release",
	                       "unsupported Go release",
	                       "README, \"Supported Go releases\", lists the ones mapdiag reads" },
};

const char *md_msg_code(md_status c)
{
	if ((unsigned)c >= MD_STATUS_COUNT || !table[c].code)
		c = MD_E_SYS;
	return table[c].code;
}

void md_msg_format(const md_err *err, char *buf, size_t n)
{
	md_status c = err->code;
	if ((unsigned)c >= MD_STATUS_COUNT || !table[c].what)
		c = MD_E_SYS;
	const char *hint = table[c].hint;
	snprintf(buf, n, "%s%s%s%s%s%s", table[c].what, err->detail[0] ? ": " : "",
	         err->detail, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

void md_msg_format_safe(const md_err *err, char *buf, size_t n)
{
	char line[1024];
	md_msg_format(err, line, sizeof line);
	/* messages name variables and files of the target: no control
	 * character of theirs reaches the terminal */
	const char *safe = md_text_safe(line, buf, n);
	if (safe != buf)
		snprintf(buf, n, "%s", safe);
}

/* --json: fatal errors also go to stdout as one object, at most one (a
 * script reads one document); the "interrupted" one is made ahead, as a
 * signal handler cannot format. */
static int json_errors, json_said;
static char json_interrupted[256];
static size_t json_interrupted_len;

/* The error object on stdout, with --json: a fatal error is always
 * UNKNOWN, exit code 3 (the monitoring-plugin convention, report.h). */
static void json_fatal(const char *code, const char *line)
{
	if (!json_errors || json_said)
		return;
	json_said = 1;
	md_jsonout_open(stdout);
	fputs(",\"status\":\"UNKNOWN\",\"exit_code\":3", stdout);
	md_jsonout_error(stdout, code, line);
	fputs("}\n", stdout);
	fflush(stdout);
}

void md_msg_json_errors(void)
{
	json_errors = 1;
	int n = snprintf(json_interrupted, sizeof json_interrupted,
	                 "{\"schema\":%d,\"mapdiag_version\":\"%s\",\"status\":\"UNKNOWN\","
	                 "\"exit_code\":3,\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
	                 MD_JSON_SCHEMA, md_jsonout_version(), table[MD_E_INTERRUPTED].code,
	                 table[MD_E_INTERRUPTED].what);
	json_interrupted_len = n > 0 && (size_t)n < sizeof json_interrupted ? (size_t)n : 0;
}

void md_msg_error(const md_err *err)
{
	char safe[4096];
	md_msg_format_safe(err, safe, sizeof safe);
	fprintf(stderr, "mapdiag: %s\n", safe);
}

void md_msg_fatal(const md_err *err)
{
	char safe[4096];
	md_msg_format_safe(err, safe, sizeof safe);
	fprintf(stderr, "mapdiag: %s\n", safe);
	json_fatal(md_msg_code(err->code), safe);
}

void md_msg_interrupted(void)
{
	static const char msg[] = "mapdiag: interrupted\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
	if (json_errors && !json_said && json_interrupted_len)
		r = write(STDOUT_FILENO, json_interrupted, json_interrupted_len);
	(void)r;
}

void md_msg_error_note(const md_err *err, const char *note)
{
	char safe[4096];
	md_msg_format_safe(err, safe, sizeof safe);
	fprintf(stderr, "mapdiag: %s; %s\n", safe, note);
}

void md_msg_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mapdiag: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A usage error: "<message> (see mapdiag[ cmd] --help)", the one line on
 * stderr and, with --json, the error object's message. */
static void usage(const char *cmd, const char *fmt, va_list ap)
{
	char what[1024], line[1200];
	vsnprintf(what, sizeof what, fmt, ap);
	snprintf(line, sizeof line, "%s (see mapdiag%s%s --help)", what, cmd ? " " : "",
	         cmd ? cmd : "");
	fprintf(stderr, "mapdiag: %s\n", line);
	json_fatal(table[MD_E_USAGE].code, line);
}

void md_msg_vusage(const char *fmt, va_list ap)
{
	usage(NULL, fmt, ap);
}

void md_msg_usage_for(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	usage(cmd, fmt, ap);
	va_end(ap);
}
