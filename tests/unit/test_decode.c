/* test_decode.c - decoders, sizing rules and the classifier on synthetic
 * headers laid out the way Go's DWARF describes them on amd64. */
#include <stdlib.h>
#include "md_test.h"
#include "decode.h"
#include "derive.h"
#include "validate.h"
#include "classify.h"
#include "gofacts.h"

static void put(unsigned char *b, int off, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		b[off + i] = (unsigned char)(v >> (8 * i));
}

#define F(o, s) ((md_field){ (o), (s) })
#define NOF F(-1, 0)

/* runtime.hmap of Go 1.23 (no clearSeq), map[int64]int64: bucket 144 bytes */
static md_map_layout hmap_layout(int with_clearseq)
{
	md_map_layout l;
	memset(&l, 0, sizeof l);
	l.impl = MD_IMPL_HMAP;
	l.count = F(0, 8); l.flags = F(8, 1); l.B = F(9, 1); l.noverflow = F(10, 2);
	l.hash0 = F(12, 4); l.buckets = F(16, 8); l.oldbuckets = F(24, 8);
	l.nevacuate = F(32, 8);
	if (with_clearseq) {
		l.clearSeq = F(40, 8); l.extra = F(48, 8); l.header_size = 56;
	} else {
		l.clearSeq = NOF; l.extra = F(40, 8); l.header_size = 48;
	}
	l.bucket_size = 144;
	return l;
}

static md_map_layout swiss_layout(void)
{
	md_map_layout l;
	memset(&l, 0, sizeof l);
	l.impl = MD_IMPL_SWISS;
	l.used = F(0, 8); l.seed = F(8, 8); l.dirPtr = F(16, 8); l.dirLen = F(24, 8);
	l.globalDepth = F(32, 1); l.globalShift = F(33, 1); l.writing = F(34, 1);
	l.tombstonePossible = F(35, 1); l.clearSeq = F(40, 8); l.header_size = 48;
	l.t_used = F(0, 2); l.t_capacity = F(2, 2); l.t_growthLeft = F(4, 2);
	l.t_localDepth = F(6, 1); l.t_index = F(8, 8); l.t_groups_data = F(16, 8);
	l.t_groups_lengthMask = F(24, 8); l.table_size = 32;
	l.group_size = 136;
	return l;
}

static md_gofacts GF;   /* go1.23 */

static void test_facts(void)
{
	md_gofacts g21, g27, gdev;
	md_gofacts_for("go1.21.13", &g21);
	md_gofacts_for("go1.27.4", &g27);
	md_gofacts_for("devel go1.28-abcdef", &gdev);
	T_EQ(g21.minor, 21);
	T_EQ(g21.hmap_load_num, 12);     /* (8*13/16)*2: load factor 6 */
	T_EQ(GF.hmap_load_num, 13);      /* 2*8*13/16: 6.5 */
	T_EQ(g27.hmap_load_num, 13);
	T_EQ(gdev.hmap_load_num, 13);
	/* ERRATA: make(map, 100) picks B=4 (100 <= 6.5*16), not 128 buckets;
	 * on 1.21 B=5 (100 > 6*16) */
	T_EQ(md_hmap_fresh_B(&GF, 100), 4);
	T_EQ(md_hmap_fresh_B(&g21, 100), 5);
	T_EQ(md_hmap_fresh_B(&g21, 96), 4);
	T_EQ(md_hmap_fresh_B(&GF, 0), 0);
	T_EQ(md_hmap_fresh_B(&GF, 8), 0);
	T_EQ(md_hmap_fresh_B(&GF, 9), 1);
	T_EQ(md_hmap_fresh_B(&GF, 13), 1);
	T_EQ(md_hmap_fresh_B(&GF, 14), 2);
	T_EQ(md_hmap_fresh_B(&GF, 1000000), 18);
	T_EQ(md_hmap_array_buckets(3), 8);
	T_EQ(md_hmap_array_buckets(4), 17);
	T_EQ(md_hmap_array_buckets(10), 1024 + 64);
	T_EQ(md_hmap_overflow_threshold(4), 16);
	T_EQ(md_hmap_overflow_threshold(20), 32768);
	uint64_t slots, tables;
	md_swiss_fresh(5, &slots, &tables);
	T_EQ(slots, 8);
	T_EQ(tables, 0);
	md_swiss_fresh(100, &slots, &tables);   /* 100*8/7 = 114 -> 128 */
	T_EQ(slots, 128);
	T_EQ(tables, 1);
	md_swiss_fresh(10000, &slots, &tables); /* 11428 -> 16 tables of 1024 */
	T_EQ(tables, 16);
	T_EQ(slots, 16 * 1024);
}

static void test_hmap(void)
{
	md_map_layout l = hmap_layout(0);
	unsigned char b[48] = { 0 };
	put(b, 0, 100, 8);
	put(b, 8, MD_HMAP_F_WRITING | MD_HMAP_F_ITERATOR, 1);
	put(b, 9, 4, 1);
	put(b, 10, 3, 2);
	put(b, 12, 0xdeadbeef, 4);
	put(b, 16, 0xc000100000, 8);
	put(b, 24, 0, 8);
	put(b, 32, 0, 8);
	put(b, 40, 0xc000200000, 8);
	md_hmap_hdr h;
	md_err err;
	T(md_hmap_decode(&l, b, sizeof b, &h, &err) == MD_OK);
	T_EQ(h.count, 100);
	T_EQ(h.flags, 5);
	T_EQ(h.B, 4);
	T_EQ(h.noverflow, 3);
	T_EQ(h.hash0, 0xdeadbeef);
	T_EQ(h.buckets, 0xc000100000);
	T_EQ(h.extra, 0xc000200000);
	T(!h.has_clearSeq);

	md_derived d;
	md_hmap_derive(&l, &GF, &h, &d);
	T_EQ(d.nbuckets, 16);
	T(d.load_factor > 6.24 && d.load_factor < 6.26);
	/* load: entries over slots, one number with its growth point */
	T(d.load > 0.781 && d.load < 0.782);        /* 100 of 128 slots */
	T(d.max_load > 0.8124 && d.max_load < 0.8126);   /* 6.5 of 8 */
	{
		/* one bucket fills its 8 slots before the map grows
		 * (overLoadFactor: count > 8 && count > 6.5 * 2^B) */
		md_hmap_hdr one = h;
		md_derived d1;
		one.B = 0;
		one.count = 8;
		one.noverflow = 0;
		md_hmap_derive(&l, &GF, &one, &d1);
		T(d1.load == 1.0 && d1.max_load == 1.0);
		T(md_derived_fill(&d1) <= 1.0);
	}
	T(!d.growing);
	T_EQ(d.bytes_buckets, 17 * 144);  /* 16 + 1 preallocated overflow */
	T_EQ(d.bytes_overflow, 2 * 144);  /* 3 in use, 1 preallocated */
	T_EQ(d.bytes_held, 48 + 17 * 144 + 2 * 144);

	md_thresholds th;
	md_thresholds_default(&th);
	md_verdict v = { 0 };
	md_classify_hmap(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_WRITING);
	T(v.sev == MD_SEV_INFO);

	/* growing-idle: oldbuckets held, no writer */
	put(b, 8, 0, 1);
	put(b, 9, 5, 1);
	put(b, 24, 0xc000300000, 8);
	put(b, 32, 3, 8);
	T(md_hmap_decode(&l, b, sizeof b, &h, &err) == MD_OK);
	md_hmap_derive(&l, &GF, &h, &d);
	T(d.growing);
	T_EQ(d.noldbuckets, 16);
	T(d.evacuation > 0.18 && d.evacuation < 0.19);
	T_EQ(d.bytes_oldbuckets, 17 * 144);
	md_classify_hmap(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_GROWING_IDLE);
	/* a map of 7 KiB: under --warn-bytes (64 KiB), parked growth is info */
	T(v.sev == MD_SEV_INFO);
	th.warn_bytes = 0;
	md_classify_hmap(&h, &d, NULL, &th, &v);
	th.warn_bytes = 64 << 10;
	T(v.sev == MD_SEV_WARNING);
	T_STR(v.findings[0].code, "growing-idle");
	T(strstr(v.findings[0].message, "3 of 16") != NULL);

	/* growing: same, with the writer inside */
	put(b, 8, MD_HMAP_F_WRITING, 1);
	md_hmap_decode(&l, b, sizeof b, &h, &err);
	md_hmap_derive(&l, &GF, &h, &d);
	md_classify_hmap(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_GROWING);
	T(v.sev == MD_SEV_INFO);

	/* same-size grow: noldbuckets is 2^B */
	put(b, 8, MD_HMAP_F_SAMESIZE, 1);
	md_hmap_decode(&l, b, sizeof b, &h, &err);
	md_hmap_derive(&l, &GF, &h, &d);
	T(d.same_size_grow);
	T_EQ(d.noldbuckets, 32);

	/* idle */
	put(b, 8, 0, 1);
	put(b, 24, 0, 8);
	md_hmap_decode(&l, b, sizeof b, &h, &err);
	md_hmap_derive(&l, &GF, &h, &d);
	md_classify_hmap(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_IDLE);

	/* overflow pressure: noverflow >= 2^B */
	put(b, 9, 4, 1);
	put(b, 10, 16, 2);
	md_hmap_decode(&l, b, sizeof b, &h, &err);
	md_hmap_derive(&l, &GF, &h, &d);
	md_classify_hmap(&h, &d, NULL, &th, &v);
	int found = 0;
	for (int i = 0; i < v.nfindings; i++)
		found |= !strcmp(v.findings[i].code, "overflow-pressure");
	T(found);
	T(v.sev == MD_SEV_INFO);
	th.warn_bytes = 0;
	md_classify_hmap(&h, &d, NULL, &th, &v);
	th.warn_bytes = 64 << 10;
	T(v.sev == MD_SEV_WARNING);

	/* oversized: B=17, 10 entries */
	put(b, 0, 10, 8);
	put(b, 9, 17, 1);
	put(b, 10, 0, 2);
	md_hmap_decode(&l, b, sizeof b, &h, &err);
	md_hmap_derive(&l, &GF, &h, &d);
	md_classify_hmap(&h, &d, NULL, &th, &v);
	T(v.nfindings >= 1 && !strcmp(v.findings[0].code, "oversized"));
	T(d.bytes_if_rebuilt == 48 + 2 * 144);   /* B=1 for 10 entries */

	/* clearSeq when the release has it; truncated buffers are refused */
	md_map_layout l2 = hmap_layout(1);
	unsigned char b2[56] = { 0 };
	put(b2, 40, 7, 8);
	T(md_hmap_decode(&l2, b2, sizeof b2, &h, &err) == MD_OK);
	T(h.has_clearSeq);
	T_EQ(h.clearSeq, 7);
	T(md_hmap_decode(&l2, b2, 40, &h, &err) == MD_E_LAYOUT);
	md_map_layout l3 = hmap_layout(0);
	l3.count.off = 1 << 30;
	T(md_hmap_decode(&l3, b, sizeof b, &h, &err) == MD_E_LAYOUT);
	l3 = hmap_layout(0);
	l3.flags.size = 9;
	T(md_hmap_decode(&l3, b, sizeof b, &h, &err) == MD_E_LAYOUT);

	/* hostile B never makes a shift overflow */
	put(b, 9, 200, 1);
	md_hmap_decode(&l, b, sizeof b, &h, &err);
	md_hmap_derive(&l, &GF, &h, &d);
	T(d.nbuckets == (uint64_t)1 << 63);
	md_verdict_free(&v);
}

static void test_swiss(void)
{
	md_map_layout l = swiss_layout();
	unsigned char b[48] = { 0 };
	md_swiss_hdr h;
	md_err err;
	/* small map: dirLen 0, dirPtr at one group */
	put(b, 0, 3, 8);
	put(b, 8, 0xfedcba9876543210ull, 8);
	put(b, 16, 0xc000400000, 8);
	T(md_swiss_decode(&l, b, sizeof b, &h, &err) == MD_OK);
	T_EQ(h.used, 3);
	T_EQ(h.seed, 0xfedcba9876543210ull);
	T(h.dirLen == 0);
	T(h.has_tombstonePossible && h.has_clearSeq);
	T(md_swiss_check_dir(&h, &err) == MD_OK);
	md_derived d;
	md_swiss_derive(&l, &h, NULL, 0, &d);
	T(d.small);
	T_EQ(d.slots, 8);
	T_EQ(d.growth_left, 5);
	T_EQ(d.bytes_held, 48 + 136);
	T(d.load > 0.37 && d.load < 0.38);   /* 3 of 8 slots: no 7/8 limit */
	md_thresholds th;
	md_thresholds_default(&th);
	md_verdict v = { 0 };
	md_classify_swiss(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_IDLE);

	/* negative dirLen (an int) and implausible directories */
	put(b, 24, (uint64_t)-4, 8);
	md_swiss_decode(&l, b, sizeof b, &h, &err);
	T(h.dirLen == -4);
	T(md_swiss_check_dir(&h, &err) == MD_E_MEM);
	put(b, 24, (uint64_t)1 << 40, 8);
	put(b, 32, 40, 1);
	md_swiss_decode(&l, b, sizeof b, &h, &err);
	T(md_swiss_check_dir(&h, &err) == MD_E_MEM);
	put(b, 24, 4, 8);
	put(b, 32, 3, 1);   /* 4 != 2^3 */
	md_swiss_decode(&l, b, sizeof b, &h, &err);
	T(md_swiss_check_dir(&h, &err) == MD_E_MEM);
	put(b, 32, 2, 1);
	put(b, 34, 1, 1);
	md_swiss_decode(&l, b, sizeof b, &h, &err);
	T(md_swiss_check_dir(&h, &err) == MD_OK);
	T_EQ(h.writing, 1);

	/* directory of 4 entries over 3 tables (the first has localDepth 1) */
	uint64_t dir[4] = { 0xa000, 0xa000, 0xb000, 0xc000 }, tp[4];
	T_EQ(md_swiss_dir_tables(dir, 4, tp), 3);
	T_EQ(tp[0], 0xa000);
	T_EQ(tp[2], 0xc000);
	uint64_t dir2[3] = { 0, 0xa000, 0 };
	T_EQ(md_swiss_dir_tables(dir2, 3, tp), 1);

	md_swiss_table t[3];
	unsigned char tb[32] = { 0 };
	put(tb, 0, 700, 2);
	put(tb, 2, 1024, 2);
	put(tb, 4, 196, 2);
	put(tb, 6, 1, 1);
	put(tb, 8, 0, 8);
	put(tb, 16, 0xc000500000, 8);
	put(tb, 24, 127, 8);
	T(md_swiss_table_decode(&l, 0xa000, tb, sizeof tb, &t[0], &err) == MD_OK);
	T_EQ(t[0].used, 700);
	T_EQ(t[0].capacity, 1024);
	T_EQ(t[0].growthLeft, 196);
	T_EQ(t[0].localDepth, 1);
	T_EQ(t[0].groups, 0xc000500000);
	T_EQ(t[0].lengthMask, 127);
	T(md_swiss_table_decode(&l, 0xa000, tb, 20, &t[0], &err) == MD_E_LAYOUT);
	t[1] = t[0];
	t[2] = t[0];
	put(b, 0, 2100, 8);
	md_swiss_decode(&l, b, sizeof b, &h, &err);
	md_swiss_derive(&l, &h, t, 3, &d);
	T(!d.small);
	T_EQ(d.ntables, 3);
	T_EQ(d.slots, 3072);
	T_EQ(d.growth_left, 588);
	T_EQ(d.bytes_groups, 3 * 128 * 136);
	T_EQ(d.bytes_directory, 32);
	T_EQ(d.bytes_tables, 96);
	md_classify_swiss(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_WRITING);

	/* oversized Swiss map: 10 entries in 3 full-size tables is below the
	 * byte threshold by default, above it with a low one */
	put(b, 0, 10, 8);
	put(b, 34, 0, 1);
	md_swiss_decode(&l, b, sizeof b, &h, &err);
	md_swiss_derive(&l, &h, t, 3, &d);
	md_classify_swiss(&h, &d, NULL, &th, &v);
	T(v.nfindings == 0);
	th.oversized_bytes = 1000;
	th.warn_bytes = 0;
	md_classify_swiss(&h, &d, NULL, &th, &v);
	T(v.nfindings == 1 && !strcmp(v.findings[0].code, "oversized"));
	T(v.sev == MD_SEV_WARNING);
	/* the same map under a --warn-bytes above what it holds: info */
	th.warn_bytes = d.bytes_held + 1;
	md_classify_swiss(&h, &d, NULL, &th, &v);
	T(v.nfindings == 1 && v.sev == MD_SEV_INFO);
	th.warn_bytes = 64 << 10;
	md_verdict_free(&v);
}

static int has(const md_verdict *v, const char *code, md_sev sev)
{
	for (int i = 0; i < v->nfindings; i++)
		if (!strcmp(v->findings[i].code, code) && v->findings[i].sev == sev)
			return 1;
	return 0;
}

static void test_writers(void)
{
	md_verdict v = { 0 };
	md_writer_facts w;
	md_swiss_hdr h;
	memset(&h, 0, sizeof h);
	h.writing = 1;
	md_derived d;
	memset(&d, 0, sizeof d);
	md_thresholds th;
	md_thresholds_default(&th);

	/* not analysed (--no-threads): the header alone decides */
	memset(&w, 0, sizeof w);
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(v.state == MD_STATE_WRITING && v.nfindings == 1 && has(&v, "writing", MD_SEV_INFO));
	md_classify_swiss(&h, &d, NULL, &th, &v);
	T(v.state == MD_STATE_WRITING && v.nfindings == 1 && has(&v, "writing", MD_SEV_INFO));

	/* Swiss writer inside table growth: growing, in the writing note's place */
	w = (md_writer_facts){ 1, 1, 1, 0 };
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(v.state == MD_STATE_GROWING);
	T(has(&v, "growing", MD_SEV_INFO) && !strcmp(v.findings[0].code, "growing"));
	T(!has(&v, "writing", MD_SEV_INFO));
	T(v.sev == MD_SEV_INFO);

	/* two proven writers: critical */
	w = (md_writer_facts){ 1, 2, 0, 0 };
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(has(&v, "concurrent-writers", MD_SEV_CRITICAL));
	T(v.sev == MD_SEV_CRITICAL);
	/* the specific finding replaces the generic "writing" note */
	T(!has(&v, "writing", MD_SEV_INFO));
	T(v.state == MD_STATE_WRITING);

	/* flag set, nobody writing anything: stale */
	w = (md_writer_facts){ 1, 0, 0, 0 };
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(has(&v, "stale-writing-flag", MD_SEV_WARNING));
	T(!has(&v, "writing", MD_SEV_INFO));
	/* ... but not while a writer of an unknown map exists */
	w = (md_writer_facts){ 1, 0, 0, 1 };
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(!has(&v, "stale-writing-flag", MD_SEV_WARNING));
	T(!has(&v, "unidentified-writers", MD_SEV_WARNING));
	w.unidentified = 3;
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(has(&v, "unidentified-writers", MD_SEV_WARNING));

	/* no thread, but a goroutine parked inside a write of this map: named,
	 * not stale, and the specific note replaces "writing" */
	w = (md_writer_facts){ 1, 0, 0, 0 };
	w.parked_analysed = 1;
	w.parked = 1;
	w.parked_goid = 18;
	w.parked_state = "runnable";
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(has(&v, "parked-writer", MD_SEV_INFO));
	T(!has(&v, "stale-writing-flag", MD_SEV_WARNING));
	T(!has(&v, "writing", MD_SEV_INFO));
	T(v.sev == MD_SEV_INFO && v.state == MD_STATE_WRITING);
	T(v.findings[0].message && strstr(v.findings[0].message, "goroutine 18 is parked") &&
	  strstr(v.findings[0].message, "(runnable,"));
	/* ... a parked writer inside growth makes a Swiss map growing */
	w.growing = 1;
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(v.state == MD_STATE_GROWING && has(&v, "parked-writer", MD_SEV_INFO));
	/* a thread writing it wins: no parked note */
	w = (md_writer_facts){ 1, 1, 0, 0 };
	w.parked = 1;
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(!has(&v, "parked-writer", MD_SEV_INFO) && has(&v, "writing", MD_SEV_INFO));
	/* a goroutine in a write of a map not proven (or moved on): no claim */
	w = (md_writer_facts){ 1, 0, 0, 0 };
	w.parked_analysed = 1;
	w.parked_unsure = 1;
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(!has(&v, "stale-writing-flag", MD_SEV_WARNING) && !has(&v, "parked-writer", MD_SEV_INFO));
	T(has(&v, "writing", MD_SEV_INFO));
	/* goroutines looked at, none in a write: stale, and it says so */
	w.parked_unsure = 0;
	md_classify_swiss(&h, &d, &w, &th, &v);
	T(has(&v, "stale-writing-flag", MD_SEV_WARNING));
	T(v.findings[0].message && strstr(v.findings[0].message, "no thread and no goroutine"));
	/* classic alike */
	{
		md_hmap_hdr ph;
		memset(&ph, 0, sizeof ph);
		ph.flags = MD_HMAP_F_WRITING;
		ph.B = 1;
		w = (md_writer_facts){ 1, 0, 0, 0 };
		w.parked_analysed = 1;
		w.parked = 1;
		w.parked_goid = 7;
		w.parked_state = "preempted";
		md_classify_hmap(&ph, &d, &w, &th, &v);
		T(has(&v, "parked-writer", MD_SEV_INFO) && !has(&v, "stale-writing-flag",
		                                               MD_SEV_WARNING));
	}

	/* classic: an evacuating writer keeps the header's state */
	md_hmap_hdr hh;
	memset(&hh, 0, sizeof hh);
	hh.flags = MD_HMAP_F_WRITING;
	hh.oldbuckets = 0x1000;
	hh.B = 1;
	w = (md_writer_facts){ 1, 1, 1, 0 };
	md_classify_hmap(&hh, &d, &w, &th, &v);
	T(v.state == MD_STATE_GROWING && v.nfindings == 1 && has(&v, "growing", MD_SEV_INFO));
	/* no flag, no writer: silence */
	memset(&hh, 0, sizeof hh);
	w = (md_writer_facts){ 1, 0, 0, 0 };
	md_classify_hmap(&hh, &d, &w, &th, &v);
	T(v.state == MD_STATE_IDLE && v.nfindings == 0);
	md_verdict_free(&v);
}

int main(void)
{
	md_gofacts_for("go1.23.5", &GF);
	test_writers();
	test_facts();
	test_hmap();
	test_swiss();
	md_verdict v = { 0 };
	md_classify_nil(&v);
	T(v.state == MD_STATE_NIL);
	T_STR(md_state_name(MD_STATE_GROWING_IDLE), "growing-idle");
	T_STR(md_sev_name(MD_SEV_INFO), "ok");
	return md_test_done("decode");
	md_verdict_free(&v);
}
