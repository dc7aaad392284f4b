/* msg.h - the one place that talks to the user on stderr.
 *
 * A table maps each md_status to a one-line message and a hint on how to fix
 * it; md_msg_error() prints "mapdiag: <message>: <detail> (<hint>)".  All
 * output is printf-checked.  Modules never print; they fill an md_err.
 */
#ifndef MD_MSG_H
#define MD_MSG_H

#include <stdarg.h>
#include <stddef.h>
#include "md_status.h"

/* Format err as one line (no "mapdiag: " prefix, no newline). */
void md_msg_format(const md_err *err, char *buf, size_t n);

/* Print err as one line on stderr. */
void md_msg_error(const md_err *err);
/* The same with "; <note>" at the end ("not listed: --top 3"). */
void md_msg_error_note(const md_err *err, const char *note);
/* A line of its own: "mapdiag: <message>". */
void md_msg_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A bad command line: "mapdiag: <message> (see mapdiag --help)" on
 * stderr. */
void md_msg_vusage(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* The same for command cmd: "... (see mapdiag <cmd> --help)". */
void md_msg_usage_for(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
