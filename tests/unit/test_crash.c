/* test_crash.c - writers/crash.c on made-up analyses: which thread caught
 * a concurrent map access, which error it was, and who else was inside a
 * write of the map (threads, and goroutines parked mid-write, proven or
 * not); no crash without runtime.fatal. */
#include <stdlib.h>
#include "md_test.h"
#include "crash.h"
#include "gofacts_write.h"

static md_frame_info fr(const char *f, int rt)
{
	md_frame_info x;
	memset(&x, 0, sizeof x);
	snprintf(x.func, sizeof x.func, "%s", f);
	x.runtime = rt;
	return x;
}

static md_thread_info th(md_frame_info *f, int n, int writer, uint64_t map, int64_t goid)
{
	md_thread_info t;
	memset(&t, 0, sizeof t);
	t.frames = f;
	t.nframes = n;
	t.writer = writer;
	t.map = map;
	t.goid = goid;
	t.tid = (pid_t)(100 + goid);
	t.first_user = -1;
	return t;
}

int main(void)
{
	static md_write_path wp = { "runtime.mapassign_fast64", MD_WRITE_WRITE, "h", 0 };
	md_frame_info caught[] = { fr("runtime.raise", 1), fr("runtime.fatalthrow", 1),
	                           fr("runtime.fatal", 1), fr("runtime.mapassign_fast64", 1),
	                           fr("main.writeB", 0) };
	md_frame_info idle[] = { fr("runtime.futex", 1), fr("runtime.mstart", 1) };
	md_frame_info wr[] = { fr("runtime.mapassign_fast64", 1), fr("main.writeA", 0) };
	md_frame_info rd[] = { fr("runtime.fatal", 1), fr("runtime.mapaccess1_fast64", 1),
	                       fr("main.readB", 0) };
	md_thread_info t[4] = {
		th(idle, 2, 0, 0, 0), th(caught, 5, 1, 0xc000, 5), th(wr, 2, 1, 0xd000, 7),
		th(wr, 2, 1, 0xc000, 8),
	};
	t[1].wp = t[2].wp = t[3].wp = &wp;
	t[1].first_user = 4;
	md_thread_info parked[2] = { th(wr, 2, 1, 0, 4), th(wr, 2, 1, 0xd000, 9) };
	md_map_report maps[1];
	memset(maps, 0, sizeof maps);
	maps[0].expr = "main.shared";
	maps[0].view.addr = 0xc000;
	md_report r;
	memset(&r, 0, sizeof r);
	r.maps = maps;
	r.nmaps = 1;
	r.analysis.t = t;
	r.analysis.n = 4;
	r.analysis.parked = parked;
	r.analysis.nparked = 2;

	snprintf(md_t_ctx, sizeof md_t_ctx, "writes");
	md_crash_find(&r);
	T(r.crash.found);
	T_STR(r.crash.what, "concurrent map writes");
	T_EQ(r.crash.detector, 1);
	T_EQ(r.crash.map, 0xc000);
	T_STR(r.crash.var, "main.shared");
	/* thread 3 (same map), parked 0 (map unproven); not thread 2 or
	 * parked 1 (another map) */
	T_EQ(r.crash.nothers, 2);
	T(!r.crash.others[0].parked && r.crash.others[0].i == 3 && !r.crash.others[0].unproven);
	T(r.crash.others[1].parked && r.crash.others[1].i == 0 && r.crash.others[1].unproven);
	T_EQ(md_thread_user_frame(&t[1]), 4);

	snprintf(md_t_ctx, sizeof md_t_ctx, "read");
	t[1] = th(rd, 3, 0, 0, 5);
	md_crash_find(&r);
	T(r.crash.found);
	T_STR(r.crash.what, "concurrent map read and map write");
	T_EQ(r.crash.map, 0);
	T(r.crash.var == NULL);
	T_EQ(r.crash.nothers, 4);   /* the map unknown: every writer */
	T_EQ(md_thread_user_frame(&t[1]), 2);

	snprintf(md_t_ctx, sizeof md_t_ctx, "no crash");
	t[1] = th(wr, 2, 1, 0xc000, 5);
	md_crash_find(&r);
	T(!r.crash.found);
	r.analysis.n = 0;
	r.analysis.nparked = 0;
	md_crash_find(&r);
	T(!r.crash.found);
	return md_test_done("crash");
}
