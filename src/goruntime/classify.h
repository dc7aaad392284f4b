/* classify.h - from decoded values to a state, findings and a severity.
 *
 * A pure function: decoded header and derived values in, verdict out.  The
 * thresholds come in as a struct filled from command-line flags.  Meanings
 * follow the runtime (see ../shared/seed/ERRATA.md): hashWriting is a
 * best-effort race detector, not a lock; growth of classic maps advances only
 * inside writes, so a map that stops being written mid-growth keeps its old
 * buckets (and their memory) until the next write.
 */
#ifndef MD_CLASSIFY_H
#define MD_CLASSIFY_H

#include <stdint.h>
#include "decode.h"
#include "derive.h"

typedef enum md_state {
	MD_STATE_NIL = 0,
	MD_STATE_IDLE,          /* not writing, not growing */
	MD_STATE_WRITING,       /* writing flag set, not growing */
	MD_STATE_GROWING,       /* writing and old buckets held */
	MD_STATE_GROWING_IDLE   /* not writing, old buckets held */
} md_state;

/* Severity of a finding and of a run.  INFO findings explain; they do not
 * raise the exit code. Values are ordered: the run takes the maximum. */
typedef enum md_sev {
	MD_SEV_INFO = 0,
	MD_SEV_WARNING = 1,
	MD_SEV_CRITICAL = 2
} md_sev;

typedef struct md_thresholds {
	double oversized_load;      /* load below this share of the growth
	                               threshold ...                          */
	uint64_t oversized_bytes;   /* ... and at least this many bytes a
	                               rebuild would free: "oversized"        */
	double overflow_ratio;      /* noverflow >= ratio * runtime threshold */
	double high_load;           /* load at or above this share: info      */
	uint64_t warn_bytes;        /* a map holding less than this: findings
	                               about memory or parked growth are info,
	                               so a check on a tiny map cannot flap
	                               with the hash seed (default 64 KiB)    */
} md_thresholds;

void md_thresholds_default(md_thresholds *t);

#define MD_MAX_FINDINGS 8

typedef struct md_finding {
	const char *code;      /* stable identifier, e.g. "growing-idle" */
	md_sev sev;
	char *message;         /* one line: what it is and what to do (owned;
	                          NULL when out of memory) */
} md_finding;

typedef struct md_verdict {
	md_state state;
	md_sev sev;            /* worst finding; INFO when none */
	int nfindings;
	md_finding findings[MD_MAX_FINDINGS];
} md_verdict;

/* Append a finding (dropped past MD_MAX_FINDINGS) and raise v's severity to
 * it: the one way findings are made, by this module and by watchstat.
 * The message is allocated (a scan holds a verdict per map, and most have
 * no finding): md_verdict_free. */
void md_verdict_add(md_verdict *v, const char *code, md_sev sev, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Free the findings' messages and empty v.  A zeroed verdict is empty;
 * the classifiers below start with this, so v must be empty or made by
 * them. */
void md_verdict_free(md_verdict *v);

/* sev, or INFO when the map holds less than t->warn_bytes: the severity
 * of a finding about memory or parked growth. */
md_sev md_sev_for_bytes(md_sev sev, uint64_t bytes_held, const md_thresholds *t);

/* The findings about what a map's structure holds, as attach makes them
 * and watch makes them at every report: oversized, and for a classic map
 * (noverflow, B, growing from its header) overflow-pressure. */
void md_classify_memory(const md_derived *d, int swiss, uint32_t noverflow, unsigned B,
                        int growing, const md_thresholds *t, md_verdict *v);

/* What the thread analysis found about one map (src/writers). */
typedef struct md_writer_facts {
	int analysed;       /* threads were captured and walked */
	int proven;         /* threads proven to be writing this map */
	int growing;        /* ... of which inside growth (Swiss: table growth,
	                       split, rehash; classic: growWork/evacuate) */
	int unidentified;   /* writer threads whose map could not be proven */
	/* goroutines on no thread (preempted or parked inside a write), looked
	 * for when the writing flag is set and no thread writes the map: */
	int parked_analysed;   /* they were looked for */
	int parked;            /* proven inside a write of this map */
	int64_t parked_goid;   /* the first of them */
	const char *parked_state;  /* its status: "runnable", "waiting", ... */
	int parked_unsure;     /* inside a write of a map not proven, or moved
	                          on before their stacks were read */
} md_writer_facts;

/* The four-state table: a map's state from its writing flag and whether
 * it holds old buckets (classic) or a writer is growing it (Swiss). */
md_state md_state_of(int is_nil, int writing, int growing);

/* A verdict from the header, derived values and, when threads were
 * analysed (w non-NULL and w->analysed), the writers: Swiss "growing" when
 * a proven writer is inside table growth; critical concurrent-writers for
 * two proven writers; a warning for a writing flag no thread and no
 * goroutine accounts for (stale-writing-flag), an explanation naming the
 * goroutine parked inside the write (parked-writer), and a warning for
 * several writers of unidentified maps. */
void md_classify_hmap(const md_hmap_hdr *h, const md_derived *d, const md_writer_facts *w,
                      const md_thresholds *t, md_verdict *v);
void md_classify_swiss(const md_swiss_hdr *h, const md_derived *d,
                       const md_writer_facts *w, const md_thresholds *t, md_verdict *v);
void md_classify_nil(md_verdict *v);

/* The four-state table, for printers: label and meaning of each state. */
const char *md_state_name(md_state s);
const char *md_state_meaning(md_state s);
const char *md_sev_name(md_sev s);   /* "ok" for INFO, "warning", "critical" */

#endif
