/* classify.c - the four-state table and the findings (see classify.h). */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include "classify.h"
#include "gofacts.h"
#include "fmt.h"

void md_thresholds_default(md_thresholds *t)
{
	t->oversized_load = 0.125;
	t->oversized_bytes = 1 << 20;
	t->overflow_ratio = 1.0;
	t->high_load = 0.9;
	t->warn_bytes = 64 << 10;
}

md_sev md_sev_for_bytes(md_sev sev, uint64_t bytes_held, const md_thresholds *t)
{
	return bytes_held < t->warn_bytes ? MD_SEV_INFO : sev;
}

/* Remove the finding code from v (a specific finding replaces it). */
static void verdict_drop(md_verdict *v, const char *code)
{
	for (int i = 0; i < v->nfindings; i++) {
		if (strcmp(v->findings[i].code, code) != 0)
			continue;
		free(v->findings[i].message);
		memmove(&v->findings[i], &v->findings[i + 1],
		        (size_t)(v->nfindings - i - 1) * sizeof v->findings[0]);
		v->nfindings--;
		i--;
	}
}

void md_verdict_add(md_verdict *v, const char *code, md_sev sev, const char *fmt, ...)
{
	if (v->nfindings >= MD_MAX_FINDINGS)
		return;
	md_finding *f = &v->findings[v->nfindings++];
	f->code = code;
	f->sev = sev;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&f->message, fmt, ap) < 0)
		f->message = NULL;
	va_end(ap);
	if (sev > v->sev)
		v->sev = sev;
}

void md_verdict_free(md_verdict *v)
{
	for (int i = 0; i < v->nfindings && i < MD_MAX_FINDINGS; i++)
		free(v->findings[i].message);
	memset(v, 0, sizeof *v);
}

md_state md_state_of(int is_nil, int writing, int growing)
{
	if (is_nil)
		return MD_STATE_NIL;
	if (writing)
		return growing ? MD_STATE_GROWING : MD_STATE_WRITING;
	return growing ? MD_STATE_GROWING_IDLE : MD_STATE_IDLE;
}

static void oversized(const md_derived *d, const md_thresholds *t, md_verdict *v)
{
	char a[32], b[32];
	uint64_t freed = d->bytes_held > d->bytes_if_rebuilt ?
	                 d->bytes_held - d->bytes_if_rebuilt : 0;
	if (md_derived_fill(d) < t->oversized_load && freed >= t->oversized_bytes)
		md_verdict_add(v, "oversized", md_sev_for_bytes(MD_SEV_WARNING, d->bytes_held, t),
		    "%llu entries in a map sized for %llu: it holds %s and a rebuilt copy "
		    "would hold %s (Go maps never shrink, golang/go#20135); copy it into "
		    "a new map and swap",
		    (unsigned long long)d->entries,
		    (unsigned long long)(d->slots * d->max_load),
		    md_fmt_bytes(d->bytes_held, a, sizeof a),
		    md_fmt_bytes(d->bytes_if_rebuilt, b, sizeof b));
}

static void writer_findings(const md_writer_facts *w, int writing_flag, md_verdict *v);

void md_classify_memory(const md_derived *d, int swiss, uint32_t noverflow, unsigned B,
                        int growing, const md_thresholds *t, md_verdict *v)
{
	oversized(d, t, v);
	if (!swiss && noverflow > 0 &&
	    (double)noverflow >= t->overflow_ratio * (double)d->overflow_threshold)
		md_verdict_add(v, "overflow-pressure",
		    md_sev_for_bytes(MD_SEV_WARNING, d->bytes_held, t),
		    "%u overflow buckets against a threshold of %llu for B=%u: "
		    "delete-heavy churn left sparse chains; %s",
		    noverflow, (unsigned long long)d->overflow_threshold, B,
		    growing ? "the growth in progress will compact them"
		            : "the next insert starts a same-size grow to compact them");
}

void md_classify_hmap(const md_hmap_hdr *h, const md_derived *d, const md_writer_facts *w,
                      const md_thresholds *t, md_verdict *v)
{
	char a[32];
	md_verdict_free(v);
	int writing = (h->flags & MD_HMAP_F_WRITING) != 0;
	int growing = h->oldbuckets != 0;
	v->state = md_state_of(0, writing, growing);

	if (v->state == MD_STATE_GROWING_IDLE)
		md_verdict_add(v, "growing-idle", md_sev_for_bytes(MD_SEV_WARNING, d->bytes_held, t),
		    "growth parked at %llu of %llu old buckets evacuated; the old array "
		    "(%s) stays allocated until writes finish evacuating it: any insert "
		    "or delete advances it",
		    (unsigned long long)h->nevacuate, (unsigned long long)d->noldbuckets,
		    md_fmt_bytes(d->bytes_oldbuckets, a, sizeof a));
	else if (v->state == MD_STATE_GROWING)
		md_verdict_add(v, "growing", MD_SEV_INFO,
		    "a write is in progress and growth is under way (%llu of %llu old "
		    "buckets evacuated); each write evacuates up to two more",
		    (unsigned long long)h->nevacuate, (unsigned long long)d->noldbuckets);
	else if (v->state == MD_STATE_WRITING)
		md_verdict_add(v, "writing", MD_SEV_INFO,
		    "a write was in progress at the snapshot; a second concurrent writer "
		    "would make the runtime die with \"concurrent map writes\"");

	md_classify_memory(d, 0, h->noverflow, h->B, growing, t, v);

	if (!growing && h->count > 8 && md_derived_fill(d) >= t->high_load) {
		/* Saturate before converting: with a B near 62 (a garbage header
		 * and a low --high-load) 6.5 * 2^B exceeds 2^64, and converting an
		 * out-of-range double to uint64_t is undefined. */
		double cap = d->max_load_factor * (double)d->nbuckets;
		uint64_t room = cap >= 18446744073709551616.0 ? UINT64_MAX : (uint64_t)cap;
		room = room > h->count ? room - h->count : 0;
		md_verdict_add(v, "high-load", MD_SEV_INFO,
		    "load %.1f%%, growth at %.1f%%: about %llu more inserts start a "
		    "growth to %llu buckets (the old array stays until evacuated)",
		    100 * d->load, 100 * d->max_load, (unsigned long long)room,
		    (unsigned long long)d->nbuckets * 2);
	}
	writer_findings(w, writing, v);
}

void md_classify_swiss(const md_swiss_hdr *h, const md_derived *d,
                       const md_writer_facts *w, const md_thresholds *t, md_verdict *v)
{
	md_verdict_free(v);
	/* Swiss maps hold no old buckets: "growing" is a proven writer inside
	 * table growth, which only the thread analysis can see */
	int growing = h->writing && w && w->analysed && w->growing;
	v->state = md_state_of(0, h->writing, growing);
	if (growing)
		md_verdict_add(v, "growing", MD_SEV_INFO,
		    "a write is growing the map: a table is being rehashed to double its "
		    "capacity, or split in two, inside this one write");
	else if (h->writing)
		md_verdict_add(v, "writing", MD_SEV_INFO,
		    "a write was in progress at the snapshot (growth of Swiss tables "
		    "happens inside one write); a second concurrent writer would make the "
		    "runtime die with \"concurrent map writes\"");
	md_classify_memory(d, 1, 0, 0, 0, t, v);
	if (d->small && d->slots && md_derived_fill(d) >= t->high_load)
		md_verdict_add(v, "high-load", MD_SEV_INFO,
		    "small map with %llu of %d slots used: %llu more inserts fit before it "
		    "becomes a full table",
		    (unsigned long long)d->entries, MD_SWISS_GROUP_SLOTS,
		    (unsigned long long)d->growth_left);
	else if (d->slots && md_derived_fill(d) >= t->high_load)
		md_verdict_add(v, "high-load", MD_SEV_INFO,
		    "load %.1f%%, growth at %.1f%%: %llu more inserts fit before a "
		    "table grows or splits",
		    100 * d->load, 100 * d->max_load, (unsigned long long)d->growth_left);
	writer_findings(w, h->writing != 0, v);
}

void md_classify_nil(md_verdict *v)
{
	md_verdict_free(v);
	v->state = MD_STATE_NIL;
}

static void writer_findings(const md_writer_facts *w, int writing_flag, md_verdict *v)
{
	if (!w || !w->analysed)
		return;
	if (w->proven >= 2)
		md_verdict_add(v, "concurrent-writers", MD_SEV_CRITICAL,
		    "%d threads are inside writes of this map at once: the runtime is about "
		    "to die with \"concurrent map writes\" (if its race check sees it); guard "
		    "the map with a sync.Mutex or give each goroutine its own",
		    w->proven);
	/* the flag with no thread in a write: a goroutine parked inside one,
	 * else (when the goroutines were looked at, none was) a stale flag */
	int no_thread = writing_flag && w->proven == 0 && w->unidentified == 0;
	int stale = no_thread && !w->parked && !w->parked_unsure;
	if (no_thread && w->parked)
		md_verdict_add(v, "parked-writer", MD_SEV_INFO,
		    "goroutine %lld is parked inside a write of this map (%s, on no thread: "
		    "preempted or blocked mid-write, e.g. in a GC assist); the write "
		    "finishes when it runs again%s",
		    (long long)w->parked_goid, w->parked_state ? w->parked_state : "?",
		    w->parked >= 2 ? "; more than one goroutine is inside a write of it: the "
		                     "runtime dies with \"concurrent map writes\" when they run" : "");
	else if (stale && w->parked_analysed)
		md_verdict_add(v, "stale-writing-flag", MD_SEV_WARNING,
		    "the writing flag is set but no thread and no goroutine is inside a write "
		    "of this map: a writer that panicked mid-write (and was recovered), or "
		    "memory corruption; every later write of this map will die with "
		    "\"concurrent map writes\"");
	else if (stale)
		md_verdict_add(v, "stale-writing-flag", MD_SEV_WARNING,
		    "the writing flag is set but no thread is inside a write of this map: a "
		    "writer that panicked mid-write (and was recovered), a writer parked "
		    "inside the write (e.g. in a GC assist), or memory corruption; every "
		    "later write of this map will die with \"concurrent map writes\"");
	if (w->unidentified >= 2)
		md_verdict_add(v, "unidentified-writers", MD_SEV_WARNING,
		    "%d threads are writing maps that could not be identified: if two of "
		    "them write the same map, the runtime dies with \"concurrent map writes\"",
		    w->unidentified);
	/* a specific finding about the write replaces the generic "writing" */
	if (w->proven >= 2 || stale || (no_thread && w->parked))
		verdict_drop(v, "writing");
}

const char *md_state_name(md_state s)
{
	switch (s) {
	case MD_STATE_NIL: return "nil";
	case MD_STATE_IDLE: return "idle";
	case MD_STATE_WRITING: return "writing";
	case MD_STATE_GROWING: return "growing";
	case MD_STATE_GROWING_IDLE: return "growing-idle";
	}
	return "?";
}

const char *md_state_meaning(md_state s)
{
	switch (s) {
	case MD_STATE_NIL: return "nil map: reads see it empty; a write panics";
	case MD_STATE_IDLE: return "no write in progress, no growth";
	case MD_STATE_WRITING: return "a write is in progress (race detector flag, not a lock)";
	case MD_STATE_GROWING: return "a write is evacuating old buckets";
	case MD_STATE_GROWING_IDLE: return "growth parked until the next write; old buckets still held";
	}
	return "?";
}

const char *md_sev_name(md_sev s)
{
	switch (s) {
	case MD_SEV_INFO: return "ok";
	case MD_SEV_WARNING: return "warning";
	case MD_SEV_CRITICAL: return "critical";
	}
	return "?";
}
