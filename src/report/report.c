/* report.c - freeing reports, filling a map entry, and the exit-code rule
 * (see report.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

md_exit md_exit_code(int failed, md_sev worst)
{
	if (failed)
		return MD_EXIT_UNKNOWN;
	return worst == MD_SEV_CRITICAL ? MD_EXIT_CRITICAL
	       : worst == MD_SEV_WARNING ? MD_EXIT_WARNING : MD_EXIT_OK;
}

const char *md_exit_name(md_exit code)
{
	static const char *names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	return (unsigned)code < 4 ? names[code] : "UNKNOWN";
}

static void thread_analysis_free(md_thread_analysis *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->t[i].frames);
	free(a->t);
	for (int i = 0; i < a->nparked; i++)
		free(a->parked[i].frames);
	free(a->parked);
	memset(a, 0, sizeof *a);
}

void md_map_report_take(md_map_report *mr, md_status rstatus, const md_err *rerr,
                        const md_map_bytes *b, const md_gofacts *gf)
{
	if (mr->status != MD_OK)
		return;
	if (rstatus != MD_OK) {
		mr->status = rstatus;
		mr->err = *rerr;
		return;
	}
	mr->status = md_map_view_make(mr->layout, b, gf, mr->expr, &mr->view, &mr->err);
}

void md_map_report_classify(md_map_report *mr, const md_thresholds *th)
{
	if (mr->status == MD_OK)
		md_map_view_classify(mr->layout, &mr->view, &mr->wf, th);
}

void md_report_init(md_report *r, pid_t pid, const char *exe, const char *go_version)
{
	memset(r, 0, sizeof *r);
	r->pid = pid;
	snprintf(r->exe, sizeof r->exe, "%s", exe);
	snprintf(r->go_version, sizeof r->go_version, "%s", go_version);
}

void md_report_stopped(md_report *r, uint64_t pause_ns, int threads, uint64_t reads)
{
	r->stopped = 1;
	r->pause_ns = pause_ns;
	r->threads_stopped = threads;
	r->reads = reads;
}

int md_thread_user_frame(const md_thread_info *t)
{
	if (t->first_user >= 0)
		return t->first_user;
	/* a reader or iterator that caught a writer: below the runtime's
	 * frames (fatal, the map operation) */
	int rt = 0;
	for (int k = 0; k < t->nframes; k++) {
		if (t->frames[k].runtime)
			rt = 1;
		else if (rt && strcmp(t->frames[k].func, "?"))
			return k;
	}
	return -1;
}

void md_report_core(md_report *r, const char *path, int signo, int exe_checked)
{
	snprintf(r->core, sizeof r->core, "%s", path);
	r->core_signal = signo;
	r->core_exe_checked = exe_checked;
}

void md_report_name_errors(md_report *r)
{
	for (int i = 0; i < r->nmaps; i++) {
		md_map_report *m = &r->maps[i];
		if (m->status != MD_E_MEM || !m->expr || strstr(m->err.detail, m->expr))
			continue;
		char d[sizeof m->err.detail];
		snprintf(d, sizeof d, "%s", m->err.detail);
		md_err_set(&m->err, m->status, "%s: %s", m->expr, d);
	}
}

md_status md_report_layouts(md_report *r, int n, md_err *err)
{
	free(r->layouts);
	r->nlayouts = 0;
	if (!(r->layouts = calloc((size_t)n + 1, sizeof *r->layouts)))
		return md_err_set(err, MD_E_NOMEM, "%d layouts", n);
	r->nlayouts = n;
	return MD_OK;
}

void md_report_free(md_report *r)
{
	if (!r)
		return;
	free(r->layouts);
	r->layouts = NULL;
	r->nlayouts = 0;
	thread_analysis_free(&r->analysis);
	for (int i = 0; i < r->nmaps; i++)
		md_map_view_free(&r->maps[i].view);
	free(r->maps);
	r->maps = NULL;
	r->nmaps = 0;
}

static md_exit maps_exit_code(const md_map_report *m, int n)
{
	md_sev worst = MD_SEV_INFO;
	for (int i = 0; i < n; i++) {
		if (m[i].status != MD_OK)
			return md_exit_code(1, worst);
		if (m[i].view.v.sev > worst)
			worst = m[i].view.v.sev;
	}
	return md_exit_code(0, worst);
}

md_exit md_report_exit_code(const md_report *r)
{
	md_exit e = maps_exit_code(r->maps, r->nmaps);
	/* the process died of a concurrent map access: critical, unless a map
	 * could not be read (unknown says more) */
	return r->crash.found && e != MD_EXIT_UNKNOWN ? MD_EXIT_CRITICAL : e;
}

const md_err *md_report_cause(const md_report *r)
{
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status != MD_OK)
			return &r->maps[i].err;
	return NULL;
}

int md_report_failed(const md_report *r)
{
	int n = 0;
	for (int i = 0; i < r->nmaps; i++)
		n += r->maps[i].status != MD_OK;
	return n;
}

const char *const md_scan_nf_names[MD_SCAN_NF_N] = {
	"unsafe_pointer", "interface_no_dwarf", "optimized_out", "register_lost",
	"running_goroutine", "depth", "slice_bound", "map_bound", "walk_bound",
	"unreadable", "moved",
};

void md_scan_nf_values(const md_scan_report *sr, uint64_t out[MD_SCAN_NF_N])
{
	const struct md_scan_nf *n = &sr->nf;
	uint64_t v[MD_SCAN_NF_N] = {
		n->unsafe_pointer, n->interface_no_dwarf, n->optimized_out, n->register_lost,
		n->running_goroutine, n->depth, n->slice_bound, n->map_bound, n->walk_bound,
		n->unreadable, n->moved,
	};
	memcpy(out, v, sizeof v);
}

void md_scan_report_free(md_scan_report *sr)
{
	if (!sr)
		return;
	for (int i = 0; sr->x && i < sr->r.nmaps; i++) {
		free((char *)sr->r.maps[i].expr);
		sr->r.maps[i].expr = NULL;
		for (int a = 0; a < sr->x[i].naliases && a < MD_SCAN_MAX_ALIASES; a++)
			free(sr->x[i].aliases[a]);
		free(sr->x[i].function);
		free(sr->x[i].owner);
	}
	for (int n = 0; n < sr->nnotes; n++) {
		free(sr->notes[n].var);
		free(sr->notes[n].type);
	}
	free(sr->x);
	free(sr->notes);
	md_report_free(&sr->r);
	memset(sr, 0, sizeof *sr);
}

md_exit md_scan_exit_code(const md_scan_report *sr)
{
	return md_report_exit_code(&sr->r);
}

md_exit md_watch_maps_exit_code(const md_watch_report *r)
{
	md_sev worst = MD_SEV_INFO;
	for (int i = 0; i < r->nmaps; i++) {
		if (r->maps[i].status != MD_OK)
			return md_exit_code(1, worst);
		if (r->maps[i].v.sev > worst)
			worst = r->maps[i].v.sev;
	}
	return md_exit_code(0, worst);
}

md_exit md_watch_exit_code(const md_watch_report *r)
{
	return r->exited ? MD_EXIT_UNKNOWN : md_watch_maps_exit_code(r);
}

const md_err *md_watch_cause(const md_watch_report *r)
{
	if (r->end.code != MD_OK)
		return &r->end;
	for (int i = 0; i < r->nmaps; i++)
		if (r->maps[i].status != MD_OK)
			return &r->maps[i].err;
	return NULL;
}

void md_go_package(const char *sym, char *out, size_t n)
{
	const char *slash = strrchr(sym, '/');
	const char *dot = strchr(slash ? slash : sym, '.');
	size_t len = dot ? (size_t)(dot - sym) : strlen(sym);
	snprintf(out, n, "%.*s", (int)len, sym);
}

/* Add one map to the owner named name in *v (found or appended). */
static int owner_add(md_scan_owner **v, int *n, const char *name, const md_map_report *m,
                     const md_scan_map *x)
{
	int i = 0;
	while (i < *n && strcmp((*v)[i].name, name))
		i++;
	if (i == *n) {
		md_scan_owner *q = realloc(*v, (size_t)(*n + 1) * sizeof *q);
		if (!q)
			return 0;
		*v = q;
		memset(&q[i], 0, sizeof q[i]);
		snprintf(q[i].name, sizeof q[i].name, "%s", name);
		(*n)++;
	}
	(*v)[i].maps++;
	if (m->status == MD_OK && !m->view.is_nil)
		(*v)[i].bytes_held += m->view.d.bytes_held;
	(*v)[i].reclaimable += x->reclaimable;
	return 1;
}

static int owner_cmp(const void *a, const void *b)
{
	const md_scan_owner *x = a, *y = b;
	if (x->bytes_held != y->bytes_held)
		return x->bytes_held > y->bytes_held ? -1 : 1;
	return strcmp(x->name, y->name);
}

md_status md_scan_owners_of(const md_scan_report *sr, md_scan_owners *o, md_err *err)
{
	memset(o, 0, sizeof *o);
	for (int i = 0; i < sr->r.nmaps; i++) {
		const md_scan_map *x = &sr->x[i];
		const char *own = x->owner ? x->owner : "?";
		char pkg[512];
		md_go_package(own, pkg, sizeof pkg);
		if (!owner_add(&o->owners, &o->nowners, own, &sr->r.maps[i], x) ||
		    !owner_add(&o->packages, &o->npackages, pkg, &sr->r.maps[i], x)) {
			md_scan_owners_free(o);
			return md_err_set(err, MD_E_NOMEM, "owners");
		}
	}
	if (o->nowners)
		qsort(o->owners, (size_t)o->nowners, sizeof *o->owners, owner_cmp);
	if (o->npackages)
		qsort(o->packages, (size_t)o->npackages, sizeof *o->packages, owner_cmp);
	return MD_OK;
}

void md_scan_owners_free(md_scan_owners *o)
{
	free(o->owners);
	free(o->packages);
	memset(o, 0, sizeof *o);
}

void md_ps_report_free(md_ps_report *r)
{
	if (!r)
		return;
	for (int i = 0; i < r->nprocs; i++)
		free(r->procs[i].exe);
	free(r->procs);
	free(r->missing);
	r->procs = NULL;
	r->missing = NULL;
	r->nprocs = r->nmissing = 0;
}

md_exit md_ps_exit_code(const md_ps_report *r)
{
	return r->nmissing ? MD_EXIT_UNKNOWN : MD_EXIT_OK;
}

const md_err *md_ps_cause(const md_ps_report *r)
{
	return r->nmissing ? &r->missing[0].err : NULL;
}
