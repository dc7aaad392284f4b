/* test_watchstat.c - statistics of sampled headers on made-up sequences. */
#include "md_test.h"
#include "watchstat.h"

#define MS 1000000ull
#define S  1000000000ull

static md_watch_sample cl(uint64_t t, uint64_t count, int writing, unsigned B, int growing)
{
	md_watch_sample x;
	memset(&x, 0, sizeof x);
	x.t_ns = t;
	x.ok = 1;
	x.count = count;
	x.writing = writing;
	x.B = B;
	x.growing = growing;
	return x;
}

static int has(const md_verdict *v, const char *code, md_sev sev)
{
	for (int i = 0; i < v->nfindings; i++)
		if (!strcmp(v->findings[i].code, code) && v->findings[i].sev == sev)
			return 1;
	return 0;
}

int main(void)
{
	md_watch_thresholds th;
	md_watch_thresholds_default(&th);
	md_watch_stat s;
	md_verdict v = { 0 };

	/* duty cycle and the longest writing run; torn samples are skipped */
	md_watch_stat_init(&s);
	int w[12] = { 0, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0 };
	for (int i = 0; i < 12; i++)
		md_watch_stat_add(&s, &(md_watch_sample){ 0 }), /* a torn one each time */
		md_watch_stat_add(&s, &(md_watch_sample){ .t_ns = (uint64_t)(i + 1) * MS, .ok = 1,
		                                .writing = w[i], .count = 10 });
	T_EQ(s.samples, 12);
	T_EQ(s.torn, 12);
	T_EQ(s.writing, 6);
	T(md_watch_stat_duty(&s) > 0.49 && md_watch_stat_duty(&s) < 0.51);
	T_EQ(s.longest_writing_ns, 3 * MS);  /* samples 2..5 */
	md_watch_stat_verdict(&s, &th, &v);
	T(v.nfindings == 0);                    /* 50% is not above 0.5 */
	th.hot = 0.4;
	md_watch_stat_verdict(&s, &th, &v);
	T(has(&v, "hot-map", MD_SEV_WARNING));
	md_watch_thresholds_default(&th);

	/* a flag set for 1.5 s: writer-stuck */
	md_watch_stat_init(&s);
	for (uint64_t t = 0; t <= 1500; t += 10)
		md_watch_stat_add(&s, &(md_watch_sample){ .t_ns = S + t * MS, .ok = 1, .writing = 1 });
	md_watch_stat_verdict(&s, &th, &v);
	T(has(&v, "writer-stuck", MD_SEV_CRITICAL));
	T(v.sev == MD_SEV_CRITICAL);
	T(v.state == MD_STATE_WRITING);
	/* written all the time too, but the stuck writer says it better */
	T(!has(&v, "hot-map", MD_SEV_WARNING));

	/* attach's findings about memory, on the last sample: a map sized for
	 * far more than it holds is oversized in watch as in attach */
	md_watch_stat_init(&s);
	{
		md_watch_sample big = { .t_ns = S, .ok = 1, .count = 10 };
		big.d = (md_derived){ .entries = 10, .slots = 1 << 20, .load = 10.0 / (1 << 20),
		                      .max_load = 0.8125, .bytes_held = 20 << 20,
		                      .bytes_if_rebuilt = 4096 };
		md_watch_stat_add(&s, &big);
		md_watch_stat_verdict(&s, &th, &v);
		T(has(&v, "oversized", MD_SEV_WARNING));
		T(v.sev == MD_SEV_WARNING);
		th.map.oversized_bytes = 64ull << 20;   /* --oversized-bytes 64M */
		md_watch_stat_verdict(&s, &th, &v);
		T(!has(&v, "oversized", MD_SEV_WARNING));
		md_watch_thresholds_default(&th);
	}

	/* classic growth events: B steps, and a same-size grow */
	md_watch_stat_init(&s);
	md_watch_sample x[] = {
		cl(1 * MS, 100, 0, 4, 0), cl(2 * MS, 120, 1, 5, 1),  /* doubling: +1 */
		cl(3 * MS, 130, 0, 5, 1), cl(4 * MS, 300, 0, 7, 0),  /* two more */
		cl(5 * MS, 300, 0, 7, 1),                           /* same-size */
		cl(6 * MS, 250, 0, 7, 1),
	};
	for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
		md_watch_stat_add(&s, &x[i]);
	T_EQ(s.growths, 4);
	T_EQ(s.count_up, 200);
	T_EQ(s.count_down, 50);
	T(s.state == MD_STATE_GROWING_IDLE);
	T(s.inserts_per_s > 39999 && s.inserts_per_s < 40001);   /* 200 in 5 ms */

	/* Swiss: directory and capacity changes; clearSeq counts clears */
	md_watch_stat_init(&s);
	md_watch_sample y = { .ok = 1, .swiss = 1, .capacity = 8, .has_clearSeq = 1 };
	y.t_ns = 1 * MS; md_watch_stat_add(&s, &y);
	y.t_ns = 2 * MS; y.capacity = 1024; md_watch_stat_add(&s, &y);
	y.t_ns = 3 * MS; md_watch_stat_add(&s, &y);
	y.t_ns = 4 * MS; y.dirLen = 2; y.globalDepth = 1; y.capacity = 2048; md_watch_stat_add(&s, &y);
	y.t_ns = 5 * MS; y.clearSeq = 3; md_watch_stat_add(&s, &y);
	T_EQ(s.growths, 2);
	T_EQ(s.clears, 3);

	/* growth parked for 12 s: growth-parked; evacuation progress measured */
	md_watch_stat_init(&s);
	for (uint64_t t = 0; t <= 12; t++) {
		md_watch_sample g = cl(S + t * S, 1000, 0, 9, 1);
		g.nevacuate = 1;
		md_watch_stat_add(&s, &g);
	}
	md_watch_stat_verdict(&s, &th, &v);
	/* the samples hold no bytes: under --warn-bytes, parked growth is
	 * info; with --warn-bytes 0 a warning */
	T(has(&v, "growth-parked", MD_SEV_INFO));
	th.map.warn_bytes = 0;
	md_watch_stat_verdict(&s, &th, &v);
	th.map.warn_bytes = 64 << 10;
	T(has(&v, "growth-parked", MD_SEV_WARNING));
	T_EQ(s.growing_idle_ns, 12 * S);
	T_EQ(s.evacuated, 0);

	/* nothing sampled: no verdict, no division by zero */
	md_watch_stat_init(&s);
	md_watch_stat_verdict(&s, &th, &v);
	T(v.nfindings == 0);
	T(md_watch_stat_duty(&s) == 0);
	md_verdict_free(&v);
	return md_test_done("watchstat");
}
