/* scan.h - mapdiag scan: every map reachable from package-level variables,
 * found and decoded in one stop.
 *
 * Before the stop: the variables (md_dwarf_each_var, limited to prefixes),
 * the shape of each one's type (shape_priv.h: where maps, pointers and slices
 * sit inside it, to --depth hops), and a probe walk of the running target
 * that sizes every buffer.  During the stop (src/snapshot, with the walk
 * as its finder): the walk again, one batched read per hop for all
 * variables at once (a round reads every map value, pointer and slice
 * header at that depth), then the reader's rounds for the headers, Swiss
 * directories and tables of every map found.  After the release: paths,
 * decoding, classification, ranking.
 *
 * A header reached by several paths is one map (the first path, which has
 * the fewest hops, names it; the others are its aliases); a pointee reached
 * twice is walked once, so cycles end.
 */
#ifndef MD_SCAN_H
#define MD_SCAN_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "report.h"
#include "classify.h"

#define MD_SCAN_MAX_DEPTH   16         /* --depth (= MD_SHAPE_MAX_DEPTH) */
/* Deep enough for a service's working maps (a goroutine's local, a
 * pointer to its server, an interface, a map of sessions, the session's
 * map is five hops); the walk prunes by type, so depth costs only where
 * maps can be. */
#define MD_SCAN_DEFAULT_DEPTH 8

typedef struct md_scan_opts {
	pid_t pid;
	const char *core;              /* --core: a core file, not process pid:
	                                  the census runs whole on it, as
	                                  --consistent does in a stop */
	const char *exe;               /* --exe: the core's executable */
	const char *const *prefixes;   /* --var-prefix; none: every package */
	int nprefixes;
	int depth;                     /* --depth: pointer, slice, interface and
	                                  map-entry hops, 0..16 */
	int stacks;                    /* walk goroutine stacks too */
	int consistent;                /* --consistent: the whole walk inside
	                                  the stop */
	const char *debug_file;
	const char *debug_dir;
	int stop_timeout_ms;
	md_thresholds th;
} md_scan_opts;

/* Find, read, decode and classify.  Returns MD_OK with sr filled (maps
 * may carry their own errors) or a process-level error.  sr is always
 * safe to free. */
md_status md_scan(const md_scan_opts *o, md_scan_report *sr, md_err *err);

typedef enum md_scan_sort {
	MD_SORT_BYTES = 0,   /* bytes held, largest first */
	MD_SORT_SEVERITY,    /* unknown (errors), critical, warning, ok */
	MD_SORT_COUNT,       /* entries */
	MD_SORT_LOAD         /* load: share of the capacity in use */
} md_scan_sort;

/* "bytes", "severity", "count", "load" */
const char *md_scan_sort_name(md_scan_sort by);
/* The key named s: 0, or -1 when none is. */
int md_scan_sort_parse(const char *s, md_scan_sort *out);

/* The order to list maps in: indices into sr->r.maps, ties broken by
 * bytes then path; only maps holding at least min_bytes, at most top of
 * them (0: all).  Returns how many were written to order (sized
 * sr->r.nmaps). */
int md_scan_rank(const md_scan_report *sr, md_scan_sort by, uint64_t min_bytes, int top,
                 int *order);

#endif
