/* watchstat.h - statistics of a map sampled over time (mapdiag watch).
 *
 * Pure: samples in (decoded headers with their timestamps), numbers and
 * findings out.  No I/O, so unit tests feed it made-up sequences.  Printers
 * (src/report/watch_*.c) read md_watch_stat and print; they decide nothing.
 *
 * A sample is one header (and, for Swiss maps, table summary) read without
 * stopping the target; torn samples (two reads disagreed) are counted and
 * otherwise ignored.
 */
#ifndef MD_WATCHSTAT_H
#define MD_WATCHSTAT_H

#include <stdint.h>
#include "decode.h"
#include "classify.h"
#include "mapview.h"

/* One sample of one map, as the sampler decoded it. */
typedef struct md_watch_sample {
	uint64_t t_ns;          /* monotonic time of the sample */
	int ok;                 /* 0: torn or unreadable (counted, skipped) */
	int is_nil;
	int swiss;
	uint64_t count;         /* count / used */
	int writing;            /* hashWriting / writing */
	int growing;            /* classic: oldbuckets != nil */
	unsigned B;             /* classic */
	uint64_t nevacuate;     /* classic */
	uint64_t noldbuckets;   /* classic, 0 if not growing */
	int64_t dirLen;         /* Swiss */
	unsigned globalDepth;   /* Swiss */
	uint64_t capacity;      /* Swiss: sum of table capacities (8 if small) */
	uint64_t clearSeq;
	int has_clearSeq;
	uint32_t noverflow;     /* classic */
	md_derived d;           /* what attach derives: bytes, load */
} md_watch_sample;

typedef struct md_watch_thresholds {
	uint64_t stuck_ns;      /* writing continuously this long: writer-stuck */
	uint64_t parked_ns;     /* growing-idle this long: growth-parked */
	double hot;             /* duty cycle above this: hot-map */
	md_thresholds map;      /* attach's, for the findings about memory */
} md_watch_thresholds;

void md_watch_thresholds_default(md_watch_thresholds *t);

/* The sampled values of a map view (md_map_view_make succeeded); t_ns and
 * ok are the caller's. */
void md_watch_sample_of(const md_map_view *mv, int swiss, md_watch_sample *x);

/* Running statistics of one map. */
typedef struct md_watch_stat {
	/* totals over the whole window */
	uint64_t samples;       /* good samples */
	uint64_t torn;          /* discarded samples */
	uint64_t writing;       /* good samples with the writing flag set */
	uint64_t first_ns, last_ns;        /* first and last good sample */
	uint64_t longest_writing_ns;       /* longest run of writing samples,
	                                      first to last sample of the run */
	uint64_t growths;       /* growth events seen */
	uint64_t growing_idle_ns;          /* total time seen growing-idle */
	uint64_t longest_parked_ns;        /* longest growing-idle stretch */
	uint64_t clears;        /* clearSeq changes; unknown (0) unless
	                           last.has_clearSeq: Go 1.23 and older
	                           classic maps have no clear counter */
	uint64_t evacuated;     /* classic: nevacuate advanced by this much */
	double evac_per_s;      /* ... per second while growing */
	double inserts_per_s;   /* net count increase per second, >= 0 */
	double deletes_per_s;   /* net count decrease per second, >= 0 */
	/* current state (the last good sample) */
	md_watch_sample last;
	int have_last;
	md_state state;         /* idle/writing/growing/growing-idle/nil */
	/* run tracking */
	int in_run, in_park;
	uint64_t run_start_ns;  /* first sample of the current writing run */
	uint64_t park_start_ns; /* first sample of the current growing-idle run */
	uint64_t count_up, count_down;     /* summed net count changes */
	uint64_t growing_ns;    /* time seen growing (for evac_per_s) */
} md_watch_stat;

void md_watch_stat_init(md_watch_stat *s);

/* Account one sample (samples of a map arrive in time order). */
void md_watch_stat_add(md_watch_stat *s, const md_watch_sample *x);

/* Duty cycle: share of good samples with the writing flag set (0..1). */
double md_watch_stat_duty(const md_watch_stat *s);

/* Findings of the window so far: writer-stuck (critical), growth-parked
 * (warning), hot-map (warning, left out next to writer-stuck, which says
 * more), then attach's findings about memory on the last sample
 * (md_classify_memory: oversized, overflow-pressure); v->state is the
 * current state. */
void md_watch_stat_verdict(const md_watch_stat *s, const md_watch_thresholds *t, md_verdict *v);

#endif
