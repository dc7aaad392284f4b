/* prom.h - the Prometheus text exposition format (0.0.4), shared by
 * watch --prom and scan --prom: label escaping, families, values, and a
 * file published whole (publish.h) for node_exporter's textfile
 * collector. */
#ifndef MD_PROM_H
#define MD_PROM_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "md_status.h"

/* --label key=value: added to every series of the file, after pid and
 * exe.  The strings are the caller's (argv). */
#define MD_PROM_MAX_LABELS 32
typedef struct md_prom_kv {
	const char *key, *value;
} md_prom_kv;

/* What every series of one file carries, and what build_info says. */
typedef struct md_prom_opts {
	const md_prom_kv *labels;
	int nlabels;
	double unix_time;          /* scan: when the census was taken */
} md_prom_opts;

/* Why key cannot be a --label name (not [a-zA-Z_][a-zA-Z0-9_]*, starts
 * with "__", or one of the labels mapdiag writes itself), or NULL. */
const char *md_prom_label_refused(const char *key);

/* ",name=\"v\"" with the format's three escapes. */
void md_prom_label(FILE *f, const char *name, const char *v);
/* "name{pid=\"1\",exe=\"x\"" and the --label pairs: the caller adds its
 * own labels, then one of md_prom_end_*. */
void md_prom_start(FILE *f, const char *name, pid_t pid, const char *exe,
                   const md_prom_opts *po);
/* mapdiag_build_info, the _info convention: value 1, the facts as labels
 * (version: mapdiag's; go_version and impl, hmap|swiss|unknown: the
 * target's; command: watch|scan, so that a watch and a scan of the same
 * process can share a textfile directory without a duplicate series). */
void md_prom_build_info(FILE *f, const char *command, pid_t pid, const char *exe,
                        const char *go_version, const char *impl, const md_prom_opts *po);
/* The target's map implementation for build_info: the one its maps were
 * decoded with (impl, 0 when none was), else the one its Go version
 * implies, else "unknown". */
const char *md_prom_impl(int impl, const char *go_version);
/* "# HELP" and "# TYPE" lines. */
void md_prom_family(FILE *f, const char *name, const char *type, const char *help);
/* "} v\n": an integer, a double (NaN, +Inf, -Inf; the shortest exact). */
void md_prom_end_u64(FILE *f, uint64_t v);
void md_prom_end_double(FILE *f, double v);

/* Write path whole with fn's content, or a one-line error naming what
 * failed (MD_E_SYS). */
typedef void (*md_prom_fn)(FILE *f, void *arg);
md_status md_prom_publish(const char *path, md_prom_fn fn, void *arg, md_err *err);
/* Whether md_prom_publish could write path (before the first sample),
 * with the same message if not. */
md_status md_prom_check(const char *path, md_err *err);

#endif
