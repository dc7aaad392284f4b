/* json.h - the pieces every JSON printer shares; internal to src/report.
 *
 * Members are written as they go, without a document tree: each key
 * helper writes one member, `"k":v`, preceded by a comma when comma is
 * set (every member but an object's first). */
#ifndef MD_JSON_H
#define MD_JSON_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "report.h"
#include "print.h"

/* s as a JSON string (md_jsonout_str: controls escaped, bytes that are
 * not UTF-8 as \ufffd).  NULL prints null. */
void md_json_str(FILE *f, const char *s);

/* An object's opening, without its closing brace: `{"schema":N,
 * "mapdiag_version":..,"status":..,"exit_code":N` and, with a cause,
 * `"error":{"code":..,"message":..}`.  Every report object starts so. */
void md_json_head(FILE *f, const md_print_end *end);

/* An integer, exact: JSON numbers have no size limit, and Python, jq 1.7
 * and Go's json.Number keep a uint64 above 2^53 as it is. */
void md_json_u64(FILE *f, const char *k, uint64_t v, int comma);
void md_json_i64(FILE *f, const char *k, int64_t v, int comma);

/* A ratio or rate with six significant digits ("0.125", "1.5e+06"):
 * enough for a value that is measured, not counted.  null when not finite,
 * as JSON has no NaN or Infinity. */
void md_json_num(FILE *f, const char *k, double v, int comma);

/* An address, as a lowercase "0x..." string: people read addresses in
 * hex, and a string does not tempt a script to do arithmetic on it. */
void md_json_ptr(FILE *f, const char *k, uint64_t v, int comma);

void md_json_bool(FILE *f, const char *k, int v, int comma);

/* `"pid":..,"exe":..,"go_version":..`: the target, as every command
 * names it. */
void md_json_target(FILE *f, pid_t pid, const char *exe, const char *go_version,
                    int comma);

/* `,"error":"...","error_code":"..."`: err as its stderr line
 * (md_msg_format_safe) and its stable code (md_msg_code). */
void md_json_error(FILE *f, const md_err *err);

/* `,"state":..,"severity":..,"findings":[...]`: a verdict, as attach,
 * scan and watch print it. */
void md_json_verdict(FILE *f, const md_verdict *v);

/* A snapshot's object up to its maps, without a comma or closing brace:
 * md_json_head, then `"pid":..,..,"threads_stopped":N`.  attach and scan
 * print it. */
void md_json_report_open(FILE *f, const md_report *r, const md_print_end *end);

/* ,"crash":{...} of a core of a concurrent-map fatal error (nothing
 * otherwise). */
void md_json_crash(FILE *f, const md_report *r);

/* One map's object without its closing brace (the caller may add
 * members), as attach prints it. */
void md_json_map_open(FILE *f, const md_report *r, const md_map_report *m);

#endif
