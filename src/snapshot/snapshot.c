/* snapshot.c - prepare, stop, read, capture, release (see snapshot.h).
 *
 * The invariant this file keeps: between md_stop_all and md_stop_release
 * run only md_snapshot_finder.find in MD_FIND_RECORD mode, md_mapread_all,
 * md_threads_capture and md_allgs_capture, on buffers md_snapshot_prepare sized from probes
 * of the running target and touched.  Whatever they had to grow anyway is
 * counted (pause_allocs), and so are the page faults this thread takes
 * in the pause (stop.faults): tests/unit/test_snapshot.c holds both to
 * zero on a target that does not change.
 */
#include <string.h>
#include "snapshot.h"

md_status md_snapshot_prepare(md_snapshot *sn, md_err *err)
{
	md_status s;
	md_err e;
	if ((s = md_proc_recheck(sn->proc, err)) != MD_OK)
		return s;
	sn->ctx.speculate = sn->speculate;
	sn->slots = sn->nmaps;
	if (sn->finder) {
		uint64_t grown = 0;
		s = sn->finder->find(sn->finder->arg, sn->mem, MD_FIND_PROBE, &sn->maps, &sn->nmaps,
		                     &sn->slots, &grown, err);
		if (s != MD_OK)
			return s;
	}
	if ((s = md_mapread_prepare(sn->mem, sn->maps, sn->nmaps, &sn->ctx, sn->slots, err)) !=
	    MD_OK)
		return s;
	if (sn->threads) {
		/* slack for threads born before the stop is md_threads_prepare's */
		int nt = md_proc_count_threads(sn->proc->pid);
		if ((s = md_threads_prepare(sn->threads, nt > 0 ? nt : 8, sn->gl, sn->mem, err)) !=
		    MD_OK)
			return s;
	}
	/* allgs unreadable now: no goroutines in the stop either, and the
	 * writers on threads are still found */
	if (sn->goroutines && (!sn->gl || !sn->al ||
	                       md_allgs_prepare(sn->goroutines, sn->mem, sn->gl, sn->al, &e) !=
	                       MD_OK))
		sn->goroutines = NULL;
	/* a finder's probe took time: the pid may name another process now */
	if (sn->finder && (s = md_proc_recheck(sn->proc, err)) != MD_OK)
		return s;
	md_dwarf_settle(sn->dw);
	return MD_OK;
}

/* During the stop, after the maps: the goroutines, if a map's writing
 * flag asks who holds it (three batched reads; BENCHMARKS.md has their
 * cost).  Only the process's end fails the snapshot. */
static md_status goroutines(md_snapshot *sn, md_err *err)
{
	int want = sn->goroutines_always;
	for (int i = 0; !want && i < sn->nmaps; i++)
		want = md_mapread_writing(&sn->maps[i]);
	sn->goroutines->ok = 0;
	if (!want)
		return MD_OK;
	md_err e;
	uint64_t grown0 = sn->goroutines->grown;
	md_status s = md_allgs_capture(sn->goroutines, sn->mem, sn->gl, sn->al, &e);
	sn->pause_allocs += sn->goroutines->grown - grown0;
	if (s == MD_E_EXITED || s == MD_E_SYS) {
		*err = e;
		return s;
	}
	return MD_OK;
}

md_status md_snapshot_take(md_snapshot *sn, md_err *err)
{
	md_stop_opts so = { sn->proc->pid, sn->proc->start, sn->stop_timeout_ms,
	                    sn->threads ? MD_STOP_REGS : 0 };
	md_stop *stop = NULL;
	sn->pause_allocs = 0;
	uint64_t grown = 0, unreserved0 = sn->mem->unreserved, ctx_grown0 = sn->ctx.grown;
	md_status s = md_stop_all(&so, &stop, err);
	if (s != MD_OK)
		return s;
	/* ---- the target is stopped ---- */
	uint64_t syscalls0 = sn->mem->syscalls;
	/* threads first: a finder that walks goroutine stacks (scan
	 * --consistent) needs the running ones' registers */
	if (sn->threads)
		s = md_threads_capture(sn->threads, stop, sn->mem, sn->gl, &grown, err);
	if (s == MD_OK && sn->finder)
		s = sn->finder->find(sn->finder->arg, sn->mem, MD_FIND_RECORD, &sn->maps, &sn->nmaps,
		                     &sn->slots, &grown, err);
	if (s == MD_OK)
		s = md_mapread_all(sn->mem, sn->maps, sn->nmaps, &sn->ctx, MD_READ_RECORD, err);
	if (s == MD_OK && sn->goroutines)
		s = goroutines(sn, err);
	uint64_t syscalls1 = sn->mem->syscalls;
	md_stop_release(stop, &sn->stop);
	/* ---- the target runs ---- */
	sn->reads = syscalls1 - syscalls0;
	sn->pause_allocs += grown + (sn->mem->unreserved - unreserved0) +
	                   (sn->ctx.grown - ctx_grown0);
	return s;
}

void md_snapshot_free(md_snapshot *sn)
{
	md_mapread_ctx_free(&sn->ctx);
	memset(&sn->ctx, 0, sizeof sn->ctx);
}
