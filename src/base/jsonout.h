/* jsonout.h - what every JSON object mapdiag prints shares, reports and
 * error objects alike: its first members (the schema version and
 * mapdiag's version) and the one string escaper.  In base, because the
 * error object of a fatal error is written by msg.c, below the printers of
 * src/report; doc/json-schema.md is the schema.
 */
#ifndef MD_JSONOUT_H
#define MD_JSONOUT_H

#include <stdio.h>

/* The version of the JSON schema (doc/json-schema.md, "Versions"): raised
 * when a member is removed, renamed or changes type or meaning; a member
 * added leaves it as it is. */
#define MD_JSON_SCHEMA 1

/* mapdiag's version, as `mapdiag --version` prints it after "mapdiag "
 * (the Makefile passes MD_VERSION). */
const char *md_jsonout_version(void);

/* s as a JSON string: quotes, backslashes and control characters (C0, DEL
 * and C1) escaped, \u00XX; a byte that is not part of well-formed UTF-8 (a
 * file name from the target) written \ufffd, so the document is valid
 * UTF-8.  NULL prints null. */
void md_jsonout_str(FILE *f, const char *s);

/* An object's opening: `{"schema":N,"mapdiag_version":"..."` without a
 * closing brace; the caller adds its members, each after a comma. */
void md_jsonout_open(FILE *f);

/* `,"error":{"code":"<code>","message":"<message>"}`: code is a stable
 * name from msg.c's table (md_msg_code), message the stderr line. */
void md_jsonout_error(FILE *f, const char *code, const char *message);

#endif
