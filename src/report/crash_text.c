/* crash_text.c - a frame, and the crash block of a core (printutil.h). */
#include <stdio.h>
#include "printutil.h"

/* "main.hotWriter (writers.go:24)"; a call inlined into the next frame
 * says so, as lldb marks it: "runtime.mPark (proc.go:1761) [inlined]" */
void md_frame_text(FILE *f, const md_frame_info *fr, int full)
{
	fputs(fr->func, f);
	if (fr->file[0])
		fprintf(f, " (%s:%d)", full ? fr->file : md_path_base(fr->file), fr->line);
	if (fr->inlined)
		fputs(" [inlined]", f);
}

/* A core of a concurrent-map fatal error: who caught it, on which map,
 * and who else was inside a write of it (the side the runtime's message
 * leaves out). */
void md_crash_text(const md_pen *p, const md_report *r)
{
	const md_crash *c = &r->crash;
	const md_thread_analysis *a = &r->analysis;
	FILE *f = p->f;
	const md_thread_info *d = &a->t[c->detector];
	fprintf(f, "%scrash%s  fatal error: %s", md_pen_bold(p), md_pen_off(p), c->what);
	if (c->map)
		fprintf(f, ", on %s%s0x%llx%s", c->var ? md_ts(c->var) : "", c->var ? " (" : "",
		        (unsigned long long)c->map, c->var ? ")" : "");
	fprintf(f, "\n  caught by goroutine %lld (thread %d)", (long long)d->goid, (int)d->tid);
	int k = md_thread_user_frame(d);
	if (k >= 0) {
		fputs(" in ", f);
		md_frame_text(f, &d->frames[k], 0);
	}
	fputc('\n', f);
	for (int i = 0; i < c->nothers && i < MD_CRASH_MAX_OTHERS; i++) {
		int pk = c->others[i].parked;
		const md_thread_info *t = pk ? &a->parked[c->others[i].i] : &a->t[c->others[i].i];
		fprintf(f, "  also in a write: goroutine %lld", (long long)t->goid);
		if (pk)
			fprintf(f, " (%s, parked in the write)", t->gstate ? t->gstate : "?");
		else
			fprintf(f, " (thread %d)", (int)t->tid);
		if ((k = md_thread_user_frame(t)) >= 0) {
			fputs(" in ", f);
			md_frame_text(f, &t->frames[k], 0);
		}
		fprintf(f, ", inside %s%s\n", t->wp ? t->wp->func : "a write",
		        c->others[i].unproven ? " (of this map? its pc does not say)" : "");
	}
	if (!c->nothers)
		fputs("  nobody else was inside a write of it when the core was written: the other "
		      "writer had already left its write (the runtime's check is best effort, "
		      "golang/go#26703)\n", f);
}

