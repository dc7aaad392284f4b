/* report.h - what one run found, for the printers.
 *
 * Filled by md_attach (src/attach.c); printed by src/print_text.c and
 * src/print_json.c, which decide nothing: every judgement is already here.
 */
#ifndef MD_REPORT_H
#define MD_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "md_status.h"
#include "md_dwarf.h"
#include "decode.h"
#include "classify.h"
#include "writers.h"

#define MD_MAX_WRITERS 16

typedef struct md_map_report {
	const char *expr;          /* as given */
	md_status status;          /* MD_OK or this variable's error */
	md_err err;
	md_map_layout layout;      /* impl and type name */
	uint64_t addr;             /* header address; 0 for a nil map */
	int is_nil;
	md_hmap_hdr h;             /* impl == MD_IMPL_HMAP */
	md_swiss_hdr s;            /* impl == MD_IMPL_SWISS */
	md_swiss_table *tables;    /* distinct tables in directory order */
	size_t ntables;
	md_derived d;
	md_verdict v;
	md_writer_facts wf;
	int nwriters;              /* proven writers: indices into r->ta.t */
	int writers[MD_MAX_WRITERS];
} md_map_report;

typedef struct md_report {
	pid_t pid;
	char exe[4096];
	char go_version[64];
	int stopped;               /* 0 with --no-stop */
	int tries;                 /* --no-stop: read pairs taken */
	uint64_t pause_ns;         /* how long the target was stopped */
	int threads;               /* threads stopped */
	uint64_t reads;            /* read system calls during the stop */
	int nmaps;
	md_map_report *maps;
	int threads_mode;          /* 0 --no-threads, 1 writers, 2 --threads */
	md_tanalysis ta;           /* every thread, analysed */
	uint64_t analyse_ns;       /* unwinding and symbolizing, after release */
} md_report;

void md_report_free(md_report *r);

/* The run's verdict: 3 if any variable failed, else the worst severity
 * (0 ok, 1 warning, 2 critical) - the monitoring-plugin exit codes. */
int md_report_exit_code(const md_report *r);

typedef struct md_print_opts {
	int color;                 /* ANSI colour (tty and no NO_COLOR) */
} md_print_opts;

void md_print_text(FILE *f, const md_report *r, const md_print_opts *o);
void md_print_json(FILE *f, const md_report *r);

/* Pieces of the JSON printer other reports reuse: a JSON string, and one
 * map's object without its closing brace (the caller may add members). */
void md_json_str(FILE *f, const char *s);
void md_json_map_open(FILE *f, const md_report *r, const md_map_report *m);

#endif
