/* msg.h - the one place that talks to the user on stderr.
 *
 * A table maps each md_status to a one-line message and a hint on how to fix
 * it; md_msg_error() prints "mapdiag: <message>: <detail> (<hint>)".  All
 * output is printf-checked.  Modules never print; they fill an md_err.
 */
#ifndef MD_MSG_H
#define MD_MSG_H

#include <stddef.h>
#include <stdint.h>
#include "md_status.h"

/* Format err as one line (no "mapdiag: " prefix, no newline). */
void md_msg_format(const md_err *err, char *buf, size_t n);

/* Print err as one line on stderr. */
void md_msg_error(const md_err *err);

/* Print a free-form one-line error or warning on stderr. */
void md_msg_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void md_msg_warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A byte count for people: "812 B", "38.2 KiB", "16.5 MiB". */
const char *md_msg_bytes(uint64_t b, char *buf, size_t n);

/* Name of one hmap flag bit (1, 2, 4, 8) as the runtime spells it. */
const char *md_msg_hmap_flag(unsigned bit);

#endif
