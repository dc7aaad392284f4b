/* readmaps.h - reading maps whose header addresses a plan gives: the
 * shared middle of attach, watch and scan.
 *
 * For each variable (an md_rm_var) a read plan leads to a header pointer;
 * md_rm_read_all then reads every header in one batch, every Swiss directory
 * in the next and every table in the last, for all variables at once.
 * Buffers are sized by md_rm_prepare from a probe of the running target, so
 * that the read during a stop takes no page fault.  md_rm_finish decodes and
 * classifies a variable's bytes after the target runs again.
 */
#ifndef MD_READMAPS_H
#define MD_READMAPS_H

#include "md_status.h"
#include "plan.h"
#include "mem.h"
#include "report.h"
#include "gofacts.h"

/* A header larger than this is not a Go map header (they are ~48 bytes). */
#define MD_MAX_HEADER 4096

typedef struct md_rm_var {
	const md_map_layout *layout;  /* borrowed; read during the stop, so
	                              callers keep it compact and shared */
	int skip;                  /* no layout or plan: nothing to read */
	md_plan *plan;             /* borrowed; NULL: header is given */
	const char *name;          /* for messages made during the read */
	uint64_t header;           /* header address (the plan's result) */
	unsigned char *hdr;        /* header bytes */
	int hdr_ok;
	uint64_t *dir;             /* Swiss directory */
	size_t ndir;
	size_t dir_cap;            /* entries dir, tptr, tbuf, t_ok can hold */
	uint64_t *tptr;            /* distinct table pointers */
	unsigned char *tbuf;       /* their headers, table_size each */
	size_t nt;
	int *t_ok;
	md_status rstatus;         /* read-phase error of this variable */
	md_err rerr;
	/* speculation (md_rm_ctx.speculate): what the probe found, to read in
	 * one round during the stop and check after */
	int spec;                  /* 1: the probe's reads may be repeated */
	uint64_t spec_header;
	uint64_t spec_dirptr;
	size_t spec_ndir, spec_nt;
	uint64_t *spec_dir;        /* dir_cap entries each */
	uint64_t *spec_tptr;
	unsigned char *spec_steps; /* the plan's step bytes, MD_PLAN_STEP_BYTES each */
} md_rm_var;

/* Scratch of the read phase, one slot per variable plus the table reads;
 * allocated and touched before the stop (see md_rm_prepare()). */
typedef struct md_rm_ctx {
	int speculate;             /* set before md_rm_prepare: the probe reads
	                              the tables too, and md_rm_read_all first
	                              repeats all the probe's reads in one
	                              round, falling back to its rounds only if
	                              a map has changed shape */
	int speculated;            /* out: the last read was that one round */
	int cap;                   /* plans, rd, who hold this many */
	md_plan **plans;
	md_read *rd;
	int *who;
	md_read *tr;
	size_t tr_cap;
	md_read *sr;               /* speculate()'s reads */
	size_t sr_cap;
} md_rm_ctx;

/* A layout whose sizes the reads can trust: header and (Swiss) table
 * sizes in (0, MD_MAX_HEADER]; MD_E_LAYOUT otherwise. */
md_status md_rm_layout_check(const md_map_layout *l, md_err *err);

/* Free n variables' buffers and the array itself. */
void md_rm_free_vars(md_rm_var *w, int n);

/* Make v's directory buffers hold n entries of table size ts, touched. */
md_status md_rm_ensure_dir(md_rm_var *v, size_t n, size_t ts, md_err *err);

/* Read w[0..n) (those not skipped): plans, headers, directories, tables
 * (or, with c->speculate, all of them at once when nothing moved).
 * Only w and what it points to are touched: during a stop every page
 * touched costs (a TLB miss is dear under virtualisation), so reports stay
 * out of it.  probe: on the running target; 1: stop after the
 * directories, 2: read everything (for speculation).  Per-variable failures land in w[i].rstatus; returns
 * MD_E_EXITED / MD_E_SYS / MD_E_NOMEM for the whole run. */
md_status md_rm_read_all(md_mem *m, md_rm_var *w, int n, md_rm_ctx *c, int probe,
                         md_err *err);

/* Allocate and touch everything md_rm_read_all will need for up to
 * `slots` variables (>= n): a probe sizes the Swiss buffers twice what
 * they hold now. */
md_status md_rm_prepare(md_mem *m, md_rm_var *w, int n, md_rm_ctx *c, int slots,
                        md_err *err);
void md_rm_ctx_free(md_rm_ctx *c);

/* After the target runs again: decode, derive, classify one variable. */
void md_rm_finish(md_map_report *mr, md_rm_var *v, const md_gofacts *gf,
                  const md_thresholds *th);

#endif
