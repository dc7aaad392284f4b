/* scan.h - mapdiag scan: every map reachable from package-level variables,
 * found and decoded in one stop.
 *
 * Before the stop: the variables (md_dwarf_each_var, limited to prefixes),
 * the shape of each one's type (src/shape.h: where maps, pointers and
 * slices sit inside it, to --depth hops), and a probe walk of the running
 * target that sizes every buffer.  During the stop: the walk again, one
 * batched read per hop for all variables at once (a round reads every map
 * value, pointer and slice header at that depth), then md_rm_read_all's
 * three rounds for the headers, Swiss directories and tables of every map
 * found.  After the release: paths, decoding, classification, ranking.
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

/* Bounds on what one scan reads, whatever the target's memory says. */
#define MD_SCAN_MAX_ELEMS   65536      /* elements of one slice followed */
#define MD_SCAN_MAX_ITEMS   (1 << 21)  /* reads of one round */
#define MD_SCAN_MAX_MAPS    (1 << 20)  /* maps found */
#define MD_SCAN_MAX_ALIASES 4          /* alias paths kept per map */
#define MD_SCAN_MAX_DEPTH   16         /* --depth (= MD_SHAPE_MAX_DEPTH) */

typedef struct md_scan_opts {
	pid_t pid;
	const char *const *prefixes;   /* --var-prefix; none: every package */
	int nprefixes;
	int depth;                     /* --depth: pointer/slice hops, 0..16 */
	const char *debug_file;
	const char *debug_dir;
	int stop_timeout_ms;
	md_thresholds th;
} md_scan_opts;

typedef struct md_scan_map {       /* parallel to r.maps */
	int depth;                     /* hops from the variable */
	int naliases;                  /* other paths to the same header */
	char *aliases[MD_SCAN_MAX_ALIASES];
	uint64_t reclaimable;          /* bytes_held - bytes_if_rebuilt, >= 0 */
	int oversized;                 /* has the oversized finding */
} md_scan_map;

typedef struct md_scan_note {      /* something found that is not decoded */
	char *var;
	const char *type;
	const char *reason;
} md_scan_note;

typedef struct md_scan_report {
	md_report r;                   /* r.maps[i].expr: owned path strings */
	md_scan_map *x;
	md_scan_note *notes;
	int nnotes;
	int depth;
	/* summary */
	uint64_t variables;            /* package variables examined */
	uint64_t nil_maps;
	uint64_t bytes_held;           /* every decoded map */
	uint64_t reclaimable;          /* oversized maps: what rebuilding frees */
	uint64_t oversized;
	uint64_t truncated;            /* array or slice elements, reads or maps
	                                  left out by the bounds above */
	uint64_t unreadable;           /* pointers or slices that could not be
	                                  followed (unmapped memory) */
	uint64_t rounds;               /* batched reads during the stop */
	void *priv;                    /* what the report's strings live in */
} md_scan_report;

/* Find, read, decode and classify.  Returns MD_OK with sr filled (maps
 * may carry their own errors) or a process-level error.  sr is always
 * safe to free. */
md_status md_scan(const md_scan_opts *o, md_scan_report *sr, md_err *err);
void md_scan_report_free(md_scan_report *sr);

typedef enum md_scan_sort {
	MD_SORT_BYTES = 0,   /* bytes held, largest first */
	MD_SORT_SEVERITY,    /* unknown (errors), critical, warning, ok */
	MD_SORT_COUNT,       /* entries */
	MD_SORT_LOAD         /* load: share of the capacity in use */
} md_scan_sort;

/* The order to list maps in: indices into sr->r.maps, ties broken by
 * bytes then path; only maps holding at least min_bytes, at most top of
 * them (0: all).  Returns how many were written to order (sized
 * sr->r.nmaps). */
int md_scan_rank(const md_scan_report *sr, md_scan_sort by, uint64_t min_bytes, int top,
                 int *order);

/* Exit code: 3 if a map could not be read, else the worst severity. */
int md_scan_exit_code(const md_scan_report *sr);

void md_print_scan_text(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const md_print_opts *o);
void md_print_scan_json(FILE *f, const md_scan_report *sr, const int *order, int n,
                        const char *sort);

#endif
