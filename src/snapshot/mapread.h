/* mapread.h - reading maps in batched rounds: the reader under attach,
 * watch and scan.
 *
 * Each map to read is an md_mapread: a read plan that leads to its header
 * (attach, watch), or a header address given (scan).  md_mapread_all reads
 * every plan's hops, then every header in one batch, every Swiss directory
 * in the next and every table in the last, for all maps at once.  Buffers
 * are sized by md_mapread_prepare from probes of the running target, so
 * that the read during a stop takes no page fault.  The reader only reads:
 * what the bytes mean is md_mapread_bytes' caller's question
 * (goruntime/mapview.h).
 */
#ifndef MD_MAPREAD_H
#define MD_MAPREAD_H

#include "md_status.h"
#include "md_dwarf.h"
#include "plan.h"
#include "mem.h"
#include "mapview.h"

typedef struct md_mapread {
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
	md_status rstatus;         /* read-phase error of this map */
	md_err rerr;
	/* speculation (md_mapread_ctx.speculate): what the probe found, to
	 * read in one round during the stop and check after */
	int spec;                  /* 1: the probe's reads may be repeated */
	uint64_t spec_header;
	uint64_t spec_dirptr;
	size_t spec_ndir, spec_nt;
	uint64_t *spec_dir;        /* dir_cap entries each */
	uint64_t *spec_tptr;
	unsigned char *spec_steps; /* the plan's step bytes, MD_PLAN_STEP_BYTES each */
} md_mapread;

/* Scratch of the reads, one slot per map plus the table reads; allocated
 * and touched before the stop (md_mapread_prepare). */
typedef struct md_mapread_ctx {
	int speculate;             /* set before md_mapread_prepare: the probe
	                              reads the tables too, and a read of
	                              record first repeats all the probe's reads
	                              in one round, falling back to the rounds
	                              only if a map has changed shape */
	int speculated;            /* out: the last read was that one round */
	int cap;                   /* plans, rd, who hold this many */
	md_plan **plans;
	md_read *rd;
	int *who;
	md_read *tr;
	size_t tr_cap;
	md_read *sr;               /* the speculative round's reads */
	size_t sr_cap;
	uint64_t grown;            /* buffers that had to grow during a read
	                              of record (the probe underestimated) */
} md_mapread_ctx;

typedef enum md_read_mode {
	MD_READ_RECORD,            /* the read that counts: during a stop, or
	                              each pass of a read without one */
	MD_READ_PROBE_SIZES,       /* a probe of the running target, up to the
	                              directories: how much to allocate */
	MD_READ_PROBE_ALL          /* a probe of everything: where it all is,
	                              for speculation */
} md_read_mode;

/* Free n maps' buffers and the array itself. */
void md_mapread_free(md_mapread *w, int n);

/* Free one map's buffers once its bytes are decoded (nothing in v may be
 * read again); md_mapread_free still frees the rest. */
void md_mapread_release(md_mapread *v);

/* Make v's directory buffers hold n entries of table size ts, touched. */
md_status md_mapread_ensure_dir(md_mapread *v, size_t n, size_t ts, md_err *err);

/* Read w[0..n) (those not skipped): plans, headers, directories, tables
 * (or, with c->speculate and MD_READ_RECORD, all at once when nothing
 * moved).  Only w and what it points to are touched: during a stop every
 * page touched costs, so reports stay out of it.  Per-map failures land in
 * w[i].rstatus; returns MD_E_EXITED / MD_E_SYS / MD_E_NOMEM for the whole
 * run. */
md_status md_mapread_all(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                         md_read_mode mode, md_err *err);

/* Allocate and touch everything md_mapread_all will need for up to
 * `slots` maps (>= n): a probe sizes the Swiss buffers twice what they
 * hold now (an eighth more for huge directories), and, with c->speculate,
 * a second probe records where everything is.  MD_E_EXITED, MD_E_NOMEM. */
md_status md_mapread_prepare(md_mem *m, md_mapread *w, int n, md_mapread_ctx *c,
                             int slots, md_err *err);
void md_mapread_ctx_free(md_mapread_ctx *c);

/* The bytes of v's last read, for md_map_view_make. */
void md_mapread_bytes(const md_mapread *v, md_map_bytes *b);

/* 1 if v's header was read and its writing flag is set (classic
 * hashWriting, Swiss Map.writing): cheap enough for the stop, which reads
 * the goroutines only when some map has it (attach's parked writers). */
int md_mapread_writing(const md_mapread *v);

/* 1 if a and b (two passes over the same maps) read the same bytes. */
int md_mapread_same(const md_mapread *a, const md_mapread *b);

#endif
