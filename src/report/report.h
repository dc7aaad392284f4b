/* report.h - what a run found: the model every printer prints.
 *
 * The engines (src/attach, src/scan, src/watch) and the thread analysis
 * (src/writers) fill these structs; the printers (print.h) decide nothing:
 * every judgement is already here.  One exit-code rule serves every
 * command.  Nothing here reaches below src/goruntime: a printer cannot see
 * ptrace or the reader.
 */
#ifndef MD_REPORT_H
#define MD_REPORT_H

#include <stdint.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "mapview.h"
#include "classify.h"
#include "watchstat.h"
#include "gofacts_write.h"

/* ---- exit codes: the monitoring-plugin convention ---- */

typedef enum md_exit {
	MD_EXIT_OK = 0,
	MD_EXIT_WARNING = 1,
	MD_EXIT_CRITICAL = 2,
	MD_EXIT_UNKNOWN = 3        /* any error, bad usage included */
} md_exit;

/* The one rule: UNKNOWN when anything asked for could not be read, else
 * the worst severity found. */
md_exit md_exit_code(int failed, md_sev worst);

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *md_exit_name(md_exit code);

/* ---- threads: who is writing ---- */

typedef enum md_threads_mode {
	MD_THREADS_NONE = 0,       /* --no-threads: no registers, no stacks */
	MD_THREADS_WRITERS,        /* find the writers (default) */
	MD_THREADS_ALL             /* --threads: every stack, with lines */
} md_threads_mode;

/* One frame of a thread's stack, named.  A physical frame whose pc is in
 * inlined code comes as several, innermost first (md_dwarf_inline_at):
 * each inlined function with inlined set, then the function whose code it
 * is; all of them carry the physical frame's pc. */
typedef struct md_frame_info {
	uint64_t pc;               /* run-time address */
	char func[256];            /* "?" when no function contains pc */
	char file[256];            /* "" unless asked for, or unknown */
	int line;
	int runtime;               /* runtime or internal/runtime code */
	int inlined;               /* an inlined call inside the next frame */
} md_frame_info;

/* One thread at the snapshot. */
typedef struct md_thread_info {
	pid_t tid;
	uint64_t g;                /* the g the thread ran */
	int64_t goid;              /* its goid, or curg's when on g0; 0 if none */
	int nframes;               /* frames of the thread's stack, then (when
	                              on g0 for a goroutine) the goroutine's */
	int ncur;                  /* how many of them are the thread's own */
	md_frame_info *frames;
	int writer;                /* a frame is in a map write path */
	const md_write_path *wp;   /* the outermost such frame's entry */
	int growing;               /* a growth function is on the stack */
	uint64_t map;              /* the header it writes, when proven; else 0 */
	int first_user;            /* first frame outside the runtime below the
	                              write path (-1 if none) */
	/* a goroutine on no thread (analysis.parked; tid 0), unwound from
	 * g.sched: */
	const char *gstate;        /* "runnable", "waiting", "preempted", ... */
} md_thread_info;

typedef struct md_thread_analysis {
	md_thread_info *t;
	int n;
	/* goroutines on no thread found inside a map write (writers/parked.h),
	 * looked for only when a map's writing flag is set with no thread
	 * writing it */
	md_thread_info *parked;
	int nparked;
	int parked_walked;         /* the walk ran */
	uint64_t parked_goroutines;   /* goroutines unwound */
	uint64_t parked_unknown;   /* goroutines on no thread that may have
	                              been inside a write but whose stack is
	                              not the snapshot's (they ran before it
	                              was copied) or was not copied */
	uint64_t parked_ns;        /* the walk and its guard, target running */
} md_thread_analysis;

/* ---- attach: named maps, one snapshot ---- */

#define MD_MAX_WRITERS 16

typedef struct md_map_report {
	const char *expr;          /* as given (scan: the path, owned) */
	md_status status;          /* MD_OK or this map's error */
	md_err err;
	const md_map_layout *layout;  /* impl and type name: never NULL once
	                              set; in the report's layouts, or the
	                              caller's, which outlive the report */
	md_map_view view;          /* decoded, derived, classified */
	md_writer_facts wf;
	int nwriters;              /* proven writers: indices into analysis.t */
	int writers[MD_MAX_WRITERS];
	int nparked;               /* goroutines parked inside a write of it:
	                              indices into analysis.parked */
	int parked[MD_MAX_WRITERS];
} md_map_report;

/* A core written at the runtime's "concurrent map ..." fatal error
 * (writers/crash.h finds it): the goroutine that caught the race, the map,
 * and every other goroutine inside a write of that map when the core was
 * written, on a thread or parked. */
#define MD_CRASH_MAX_OTHERS 16
typedef struct md_crash {
	int found;
	const char *what;          /* the runtime's message: "concurrent map
	                              writes", "concurrent map read and map
	                              write", "concurrent map iteration and map
	                              write" */
	int detector;              /* index into analysis.t */
	uint64_t map;              /* its header, when proven; else 0 */
	const char *var;           /* the report's name for it, or NULL */
	int nothers;               /* others inside a write of it: */
	struct {
		int parked;            /* 0: analysis.t[i]; 1: analysis.parked[i] */
		int i;
		int unproven;          /* in a write of some map: which one, DWARF
		                          does not say at its pc */
	} others[MD_CRASH_MAX_OTHERS];
} md_crash;

/* The first frame of t outside the runtime below its map operation (its
 * first_user when it writes), or -1. */
int md_thread_user_frame(const md_thread_info *t);

typedef struct md_report {
	pid_t pid;
	char exe[4096];
	char go_version[64];
	int stopped;               /* 0 with --no-stop */
	int tries;                 /* --no-stop: read pairs taken */
	uint64_t pause_ns;         /* how long the target was stopped */
	int threads_stopped;       /* threads held during the stop */
	uint64_t reads;            /* read system calls during the stop */
	int nmaps;
	md_map_report *maps;
	md_map_layout *layouts;    /* owned: what maps[].layout point at (a
	                              copy per map type, not per map: a scan
	                              holds 100,000 maps of a few types) */
	int nlayouts;
	md_threads_mode threads_mode;
	md_thread_analysis analysis;   /* every thread, analysed */
	uint64_t analyse_ns;       /* unwinding and symbolizing, after release */
	/* read from a core instead of a process (attach --core) */
	char core[4096];           /* the core's path; "" when live */
	int core_signal;           /* the signal its first thread took; 0 none */
	int core_exe_checked;      /* the executable's first page equals the
	                              core's copy (0: the core left it out) */
	md_crash crash;            /* a core of a concurrent-map fatal error */
} md_report;

/* A map entry from the bytes a snapshot read: nothing when the entry
 * already failed; the read's error (rstatus, rerr) when the read failed;
 * else decoded, validated and derived (md_map_view_make), errors named
 * after the entry.  The verdict comes with md_map_report_classify. */
/* Room for n layouts in r->layouts (zeroed).  MD_E_NOMEM. */
md_status md_report_layouts(md_report *r, int n, md_err *err);

void md_map_report_take(md_map_report *mr, md_status rstatus, const md_err *rerr,
                        const md_map_bytes *b, const md_gofacts *gf);

/* The verdict of an entry that md_map_report_take decoded. */
void md_map_report_classify(md_map_report *mr, const md_thresholds *th);

/* A fresh report of process pid, whose executable and Go version these
 * are (either may be empty when the process could not be opened). */
void md_report_init(md_report *r, pid_t pid, const char *exe, const char *go_version);

/* The target was stopped for pause_ns, holding `threads` threads, and
 * `reads` read system calls were made meanwhile. */
void md_report_stopped(md_report *r, uint64_t pause_ns, int threads, uint64_t reads);

/* The report is of a core: its path, the signal its first thread took
 * and whether the executable was checked against it. */
void md_report_core(md_report *r, const char *path, int signo, int exe_checked);

/* An unreadable map's error names it: some details do not ("implausible
 * directory length -1"), and with several maps the line would not say
 * which one it is about.  Errors of the expression itself already name
 * what they are about. */
void md_report_name_errors(md_report *r);

void md_report_free(md_report *r);

/* 3 if any map failed, else the worst severity. */
md_exit md_report_exit_code(const md_report *r);
/* Why it is UNKNOWN: the first map's error; NULL when every map was read. */
const md_err *md_report_cause(const md_report *r);
/* How many of r's maps could not be read (status not MD_OK). */
int md_report_failed(const md_report *r);

/* ---- scan: every map reachable ---- */

#define MD_SCAN_MAX_ALIASES 4      /* alias paths kept per map */

typedef enum md_scan_root { MD_SCAN_ROOT_GLOBAL = 0, MD_SCAN_ROOT_STACK } md_scan_root;

typedef struct md_scan_map {       /* parallel to r.maps */
	int depth;                     /* hops from the variable */
	md_scan_root root;             /* where its path starts */
	int64_t goroutine;             /* MD_SCAN_ROOT_STACK: the goroutine id */
	char *function;                /* MD_SCAN_ROOT_STACK: owned */
	char *owner;                   /* the root: the package variable, or
	                                  the stack root's function; owned */
	int via_interface;             /* its path has an interface hop */
	int moved;                     /* its last hop no longer pointed at it
	                                  at the stop: not read */
	int naliases;                  /* other paths to the same header */
	char *aliases[MD_SCAN_MAX_ALIASES];
	uint64_t reclaimable;          /* bytes_held - bytes_if_rebuilt, >= 0 */
	int oversized;                 /* has the oversized finding */
} md_scan_map;

typedef struct md_scan_note {      /* something found that is not decoded */
	char *var;
	char *type;
	const char *reason;            /* static text */
} md_scan_note;

typedef struct md_scan_report {
	md_report r;                   /* r.maps[i].expr: owned path strings */
	md_scan_map *x;
	md_scan_note *notes;
	int nnotes;
	int depth;                     /* --depth */
	int max_elems;                 /* slice elements followed at most */
	/* summary */
	uint64_t variables;            /* package variables examined */
	uint64_t nil_maps;
	uint64_t bytes_held;           /* every decoded map */
	uint64_t reclaimable;          /* oversized maps: what rebuilding frees */
	uint64_t oversized;
	uint64_t truncated;            /* array or slice elements, reads or maps
	                                  left out by the bounds */
	uint64_t unreadable;           /* pointers or slices that could not be
	                                  followed (unmapped memory) */
	uint64_t rounds;               /* batched reads during the stop */
	int consistent;                /* the walk ran inside the stop */
	uint64_t goroutines;           /* goroutines whose stacks were walked */
	uint64_t frames;
	uint64_t walk_ns;              /* the walk, while the target ran (or
	                                  inside the stop: consistent) */
	uint64_t bytes_walked;         /* bytes the walk read */
	/* not followed, by reason (JSON summary.not_followed) */
	struct md_scan_nf {
		uint64_t unsafe_pointer, interface_no_dwarf, optimized_out,
			register_lost, running_goroutine, depth, slice_bound,
			map_bound, walk_bound, unreadable, moved;
	} nf;
} md_scan_report;

/* Bytes rolled up by owner (--by owner): the maps of each root function
 * (a package variable counts as its own owner) and of each package. */
typedef struct md_scan_owner {
	char name[512];
	uint64_t maps, bytes_held, reclaimable;
} md_scan_owner;

typedef struct md_scan_owners {
	md_scan_owner *owners, *packages;   /* largest bytes_held first */
	int nowners, npackages;
} md_scan_owners;

/* The package of a Go symbol or variable name: "example.com/acme/store"
 * of "example.com/acme/store.(*S).run". */
void md_go_package(const char *sym, char *out, size_t n);
md_status md_scan_owners_of(const md_scan_report *sr, md_scan_owners *o, md_err *err);
void md_scan_owners_free(md_scan_owners *o);

/* The names of md_scan_report.nf's counters, in order, and their values. */
#define MD_SCAN_NF_N 11
extern const char *const md_scan_nf_names[MD_SCAN_NF_N];
void md_scan_nf_values(const md_scan_report *sr, uint64_t out[MD_SCAN_NF_N]);

void md_scan_report_free(md_scan_report *sr);

/* 3 if a map could not be read, else the worst severity. */
md_exit md_scan_exit_code(const md_scan_report *sr);

/* ---- watch: maps sampled over time, without stopping ---- */

typedef struct md_watch_map {
	const char *expr;          /* as given */
	char type_name[256];       /* "map[string]int" */
	int swiss;                 /* impl */
	md_status status;          /* MD_OK, or why this variable is not
	                              watched */
	md_err err;
	md_watch_stat st;          /* statistics of the window so far */
	md_verdict v;              /* state + findings so far */
} md_watch_map;

typedef struct md_watch_report {
	pid_t pid;
	const char *exe;
	const char *go_version;
	uint64_t start_ns, now_ns; /* monotonic: window start, this report */
	double unix_time;          /* wall-clock time of this report */
	uint64_t interval_ns;      /* sampling interval */
	uint64_t reads;            /* read system calls so far */
	int final;                 /* the summary at the end of the window */
	int exited;                /* the target exited during the window */
	md_err end;                /* why the window ended in error (the target
	                              exited), for the final report; code MD_OK
	                              otherwise */
	int nmaps;
	md_watch_map *maps;
} md_watch_report;

/* 3 if the target exited or a variable is not watched, else the worst
 * severity of the window. */
md_exit md_watch_exit_code(const md_watch_report *r);
/* Why it is UNKNOWN: the end of the window (the target exited), else the
 * first variable not watched; NULL when there is none. */
const md_err *md_watch_cause(const md_watch_report *r);

/* The same rule for the maps alone, whether or not the target exited: the
 * verdict line of the summary. */
md_exit md_watch_maps_exit_code(const md_watch_report *r);

/* ---- ps: the Go processes of the machine, without ptrace ---- */

typedef struct md_ps_entry {
	pid_t pid;
	uid_t uid;                 /* effective uid */
	char user[64];             /* its name, or the number */
	char *exe;                 /* readlink of /proc/PID/exe, raw bytes
	                              (" (deleted)" kept) */
	int deleted;               /* the executable was deleted or replaced */
	md_exe_info info;          /* go_version, go_experiment, dwarf_from,
	                              dwarf_path, dwarf_compressed */
	int impl;                  /* md_map_impl from the build info, 0 unknown */
} md_ps_entry;

/* A PID operand that is not listed, and why. */
typedef struct md_ps_miss {
	pid_t pid;
	md_err err;
} md_ps_miss;

typedef struct md_ps_report {
	md_ps_entry *procs;        /* by pid */
	int nprocs;
	md_ps_miss *missing;       /* PID operands not listed, in the order given */
	int nmissing;
	int examined;              /* processes looked at (kernel threads, zombies
	                              and processes gone mid-listing left out) */
	int unreadable;            /* of them, executables not readable
	                              (another user's, without CAP_SYS_PTRACE) */
	uid_t euid;                /* mapdiag's, for the summary */
	uint64_t elapsed_ns;
} md_ps_report;

void md_ps_report_free(md_ps_report *r);

/* 0 when every PID operand (if any) was listed; 3 otherwise. */
md_exit md_ps_exit_code(const md_ps_report *r);
/* Why it is UNKNOWN: the first PID operand not listed; NULL when none. */
const md_err *md_ps_cause(const md_ps_report *r);

#endif
