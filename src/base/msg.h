/* msg.h - the one place that talks to the user on stderr, and that says a
 * fatal error to a script reading --json on stdout.
 *
 * A table maps each md_status to a stable code for scripts, a one-line
 * message and a hint on how to fix it; md_msg_error() prints "mapdiag:
 * <message>: <detail> (<hint>)".  All output is printf-checked.  Modules
 * never print; they fill an md_err.
 *
 * A fatal error (md_msg_fatal, the usage messages, md_msg_interrupted)
 * ends the run with exit code 3.  Once md_msg_json_errors was called
 * (--json is on the command line), a fatal error also writes one JSON
 * error object on stdout (doc/json-schema.md, "The error object"):
 *   {"schema":1,"mapdiag_version":"...","status":"UNKNOWN","exit_code":3,
 *    "error":{"code":"no-such-process","message":"<the stderr line>"}}
 * at most one per run, message being the stderr line after "mapdiag: ".
 */
#ifndef MD_MSG_H
#define MD_MSG_H

#include <stdarg.h>
#include <stddef.h>
#include "md_status.h"

/* The stable name of c for scripts: "no-such-process", "unknown-variable"
 * (MD_E_SYS's for a code outside the table). */
const char *md_msg_code(md_status c);

/* Format err as one line (no "mapdiag: " prefix, no newline). */
void md_msg_format(const md_err *err, char *buf, size_t n);
/* The same as md_msg_error prints it: control characters and bytes that
 * are not UTF-8 (from the target's names) written \xNN. */
void md_msg_format_safe(const md_err *err, char *buf, size_t n);

/* From now on a fatal error also writes its JSON error object on stdout. */
void md_msg_json_errors(void);

/* Print err as one line on stderr: a failure the run goes on from (one
 * variable of several), which the report also states. */
void md_msg_error(const md_err *err);
/* The error that ends the run (exit 3): the line on stderr, and the JSON
 * error object after md_msg_json_errors. */
void md_msg_fatal(const md_err *err);
/* The same for a signal: async-signal-safe ("mapdiag: interrupted"). */
void md_msg_interrupted(void);
/* The same as md_msg_error with "; <note>" at the end ("not listed: --top
 * 3"). */
void md_msg_error_note(const md_err *err, const char *note);
/* A line of its own: "mapdiag: <message>". */
void md_msg_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A bad command line, fatal: "mapdiag: <message> (see mapdiag --help)" on
 * stderr. */
void md_msg_vusage(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The same for command cmd: "... (see mapdiag <cmd> --help)". */
void md_msg_usage_for(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
