/* watchstat.c - statistics of sampled headers (see watchstat.h). */
#include <stdio.h>
#include <string.h>
#include "watchstat.h"

void md_watch_thresholds_default(md_watch_thresholds *t)
{
	t->stuck_ns = 1000000000ull;      /* 1 s: writes take microseconds */
	t->parked_ns = 10000000000ull;    /* 10 s of growing-idle */
	t->hot = 0.5;                     /* written half the time */
	md_thresholds_default(&t->map);
}

void md_watch_stat_init(md_watch_stat *s)
{
	memset(s, 0, sizeof *s);
}

void md_watch_sample_of(const md_map_view *mv, int swiss, md_watch_sample *x)
{
	x->swiss = swiss;
	x->is_nil = mv->is_nil;
	if (mv->is_nil)
		return;
	x->d = mv->d;
	if (!swiss) {
		x->count = mv->h.count;
		x->writing = (mv->h.flags & MD_HMAP_F_WRITING) != 0;
		x->growing = mv->h.oldbuckets != 0;
		x->B = mv->h.B;
		x->nevacuate = mv->h.nevacuate;
		x->noldbuckets = mv->d.noldbuckets;
		x->has_clearSeq = mv->h.has_clearSeq;
		x->clearSeq = mv->h.clearSeq;
		x->noverflow = mv->h.noverflow;
		return;
	}
	x->count = mv->s.used;
	x->writing = mv->s.writing != 0;
	x->dirLen = mv->s.dirLen;
	x->globalDepth = mv->s.globalDepth;
	x->has_clearSeq = mv->s.has_clearSeq;
	x->clearSeq = mv->s.clearSeq;
	x->capacity = mv->d.slots;
}

static md_state state_of(const md_watch_sample *x)
{
	return md_state_of(x->is_nil, x->writing, x->growing);
}

/* Growth events between two samples of the same map.  Classic: each B
 * increase is a doubling growth begun (hashGrow raises B as it installs
 * oldbuckets); oldbuckets appearing with B unchanged is a same-size grow.
 * Swiss: the directory (dirLen, globalDepth) or the total table capacity
 * changed: a table grew, or split.  Several growths between two samples
 * count as one (Swiss) or by their B steps (classic). */
static uint64_t growths(const md_watch_sample *a, const md_watch_sample *b)
{
	if (a->is_nil || b->is_nil || a->swiss != b->swiss)
		return 0;
	if (b->swiss)
		return b->dirLen != a->dirLen || b->globalDepth != a->globalDepth ||
		       b->capacity != a->capacity;
	if (b->B > a->B)
		return b->B - a->B;
	return b->growing && !a->growing;
}

void md_watch_stat_add(md_watch_stat *s, const md_watch_sample *x)
{
	if (!x->ok) {
		s->torn++;
		return;
	}
	if (!s->samples)
		s->first_ns = x->t_ns;
	s->samples++;
	if (s->have_last && x->t_ns >= s->last.t_ns) {
		const md_watch_sample *a = &s->last;
		uint64_t dt = x->t_ns - a->t_ns;
		s->growths += growths(a, x);
		if (x->has_clearSeq && a->has_clearSeq && x->clearSeq > a->clearSeq)
			s->clears += x->clearSeq - a->clearSeq;
		if (!x->is_nil && !a->is_nil) {
			if (x->count > a->count)
				s->count_up += x->count - a->count;
			else
				s->count_down += a->count - x->count;
		}
		if (!x->swiss && x->growing && a->growing && x->B == a->B) {
			if (x->nevacuate > a->nevacuate)
				s->evacuated += x->nevacuate - a->nevacuate;
			s->growing_ns += dt;
		}
		if (state_of(x) == MD_STATE_GROWING_IDLE && state_of(a) == MD_STATE_GROWING_IDLE)
			s->growing_idle_ns += dt;
	}

	/* a run of writing samples: first to last sample of the run */
	if (x->writing) {
		s->writing++;
		if (!s->in_run) {
			s->in_run = 1;
			s->run_start_ns = x->t_ns;
		}
		if (x->t_ns - s->run_start_ns > s->longest_writing_ns)
			s->longest_writing_ns = x->t_ns - s->run_start_ns;
	} else {
		s->in_run = 0;
	}
	s->state = state_of(x);
	if (s->state == MD_STATE_GROWING_IDLE) {
		if (!s->in_park) {
			s->in_park = 1;
			s->park_start_ns = x->t_ns;
		}
		if (x->t_ns - s->park_start_ns > s->longest_parked_ns)
			s->longest_parked_ns = x->t_ns - s->park_start_ns;
	} else {
		s->in_park = 0;
	}

	s->last = *x;
	s->have_last = 1;
	s->last_ns = x->t_ns;
	double win = (double)(s->last_ns - s->first_ns) / 1e9;
	if (win > 0) {
		s->inserts_per_s = (double)s->count_up / win;
		s->deletes_per_s = (double)s->count_down / win;
	}
	if (s->growing_ns)
		s->evac_per_s = (double)s->evacuated / ((double)s->growing_ns / 1e9);
}

double md_watch_stat_duty(const md_watch_stat *s)
{
	return s->samples ? (double)s->writing / (double)s->samples : 0.0;
}

void md_watch_stat_verdict(const md_watch_stat *s, const md_watch_thresholds *t, md_verdict *v)
{
	md_verdict_free(v);
	v->state = s->have_last ? s->state : MD_STATE_IDLE;
	if (!s->samples)
		return;
	if (s->longest_writing_ns >= t->stuck_ns)
		md_verdict_add(v, "writer-stuck", MD_SEV_CRITICAL,
		    "the writing flag stayed set for %.3f s without a break (threshold %.3f s): "
		    "a write takes microseconds, so a writer is parked inside one (e.g. a GC "
		    "assist) or left the flag behind (a recovered panic); any other writer "
		    "dies with \"concurrent map writes\"",
		    (double)s->longest_writing_ns / 1e9, (double)t->stuck_ns / 1e9);
	if (s->longest_parked_ns >= t->parked_ns)
		md_verdict_add(v, "growth-parked",
		    md_sev_for_bytes(MD_SEV_WARNING, s->have_last ? s->last.d.bytes_held : 0, &t->map),
		    "growth stayed parked (old buckets held, no writer) for %.1f s: "
		    "evacuation advances only inside writes, and the old array stays "
		    "allocated until they finish it",
		    (double)s->longest_parked_ns / 1e9);
	double duty = md_watch_stat_duty(s);
	/* a stuck writer also makes the map look written all the time: the
	 * specific finding replaces the generic one */
	if (s->samples >= 10 && duty > t->hot && s->longest_writing_ns < t->stuck_ns)
		md_verdict_add(v, "hot-map", MD_SEV_WARNING,
		    "written %.0f%% of the time (threshold %.0f%%): a single write-heavy map "
		    "serialises its writers; shard it or batch the writes",
		    duty * 100, t->hot * 100);
	/* what attach says of the map's memory, on the last sample */
	const md_watch_sample *x = &s->last;
	if (s->have_last && !x->is_nil)
		md_classify_memory(&x->d, x->swiss, x->noverflow, x->B, x->growing, &t->map, v);
}
