/* msg.c - error messages and hints (see msg.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "msg.h"
#include "utf8.h"

static const struct {
	const char *what;
	const char *hint;
} table[MD_STATUS_COUNT] = {
	[MD_OK]            = { "ok", NULL },
	[MD_NOTFOUND]      = { "not found", NULL },
	[MD_E_USAGE]       = { "usage", "see mapdiag --help" },
	[MD_E_BADEXPR]     = { "bad variable expression",
	                       "write pkg/path.name, then .field and [N] selectors" },
	[MD_E_NOPROC]      = { "no such process", "check the pid with ps" },
	[MD_E_ZOMBIE]      = { "process is exiting (zombie)", "nothing left to inspect" },
	[MD_E_PERM]        = { "not permitted",
	                       "run as root or with CAP_SYS_PTRACE; as the target's own user "
	                       "kernel.yama.ptrace_scope must be 0" },
	[MD_E_TRACED]      = { "already traced", "detach the other debugger (gdb, strace, dlv) first" },
	[MD_E_NOEXE]       = { "cannot open the executable", "is it a kernel thread?" },
	[MD_E_NOTELF]      = { "not a 64-bit little-endian ELF executable", NULL },
	[MD_E_NOTGO]       = { "not a Go binary", "mapdiag reads Go maps only" },
	[MD_E_NODWARF]     = { "no DWARF debug info",
	                       "pass its debug file with --debug-file PATH, or rebuild "
	                       "without -w / without stripping" },
	[MD_E_DWARF]       = { "unreadable DWARF", "the debug info is corrupt or unsupported" },
	[MD_E_NOVAR]       = { "unknown variable",
	                       "use the full package path as DWARF spells it, e.g. main.cache" },
	[MD_E_NOFIELD]     = { "no such field", NULL },
	[MD_E_NOTINDEX]    = { "cannot index",
	                       "[N] indexes arrays and slices; a map takes [key] of its key's "
	                       "kind, or [#N] by position" },
	[MD_E_RANGE]       = { "index out of range", NULL },
	[MD_E_NILPTR]      = { "nil pointer on the path", NULL },
	[MD_E_NOTMAP]      = { "not a map", "name a map, or a pointer to one" },
	[MD_E_LAYOUT]      = { "unsupported map layout",
	                       "this Go release's map header is not one mapdiag knows" },
	[MD_E_MEM]         = { "unreadable target memory", "the map header or a pointer is invalid" },
	[MD_E_TORN]        = { "torn read",
	                       "the map is being written; drop --no-stop to take a stopped snapshot" },
	[MD_E_EXITED]      = { "target exited", NULL },
	[MD_E_STOPTIMEOUT] = { "target did not stop in time",
	                       "threads in uninterruptible sleep? retry, or raise --stop-timeout" },
	[MD_E_PIDREUSE]    = { "pid now names another process", "the target exited; find it again" },
	[MD_E_NOMEM]       = { "out of memory", NULL },
	[MD_E_SYS]         = { "system error", NULL },
	[MD_E_INTERRUPTED] = { "interrupted", NULL },
	[MD_E_MOVED]       = { "target changed", "run again" },
	[MD_E_DYNTYPE]     = { "interface holds another type",
	                       "a path's .(T) names the type the interface holds now; "
	                       "mapdiag scan prints current paths" },
	[MD_E_NOKEY]       = { "no such key", NULL },
	[MD_E_NOSTACK]     = { "stack variable not available",
	                       "goroutines move on; mapdiag scan prints current paths" },
};

void md_msg_format(const md_err *err, char *buf, size_t n)
{
	md_status c = err->code;
	if ((unsigned)c >= MD_STATUS_COUNT || !table[c].what)
		c = MD_E_SYS;
	const char *hint = table[c].hint;
	snprintf(buf, n, "%s%s%s%s%s%s", table[c].what, err->detail[0] ? ": " : "",
	         err->detail, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

void md_msg_error(const md_err *err)
{
	char line[1024], safe[4 * sizeof line];
	md_msg_format(err, line, sizeof line);
	/* messages name variables and files of the target: no control
	 * character of theirs reaches the terminal */
	fprintf(stderr, "mapdiag: %s\n", md_text_safe(line, safe, sizeof safe));
}

void md_msg_error_note(const md_err *err, const char *note)
{
	char line[1024];
	md_msg_format(err, line, sizeof line);
	fprintf(stderr, "mapdiag: %s; %s\n", line, note);
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

void md_msg_vusage(const char *fmt, va_list ap)
{
	fputs("mapdiag: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see mapdiag --help)\n", stderr);
}

void md_msg_usage_for(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mapdiag: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see mapdiag %s --help)\n", cmd);
}
