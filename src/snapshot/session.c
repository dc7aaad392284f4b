/* session.c - reads without a stop, two passes agreeing (see session.h). */
#include <stdlib.h>
#include <string.h>
#include "session.h"
#include "clock.h"

struct md_session {
	md_mem *m;
	md_mapread *w;             /* the caller's: the first pass */
	md_mapread *w2;            /* the second pass: own buffers, same plans */
	int n;
	md_mapread_ctx ctx;
	uint64_t t_ns;
};

void md_session_close(md_session *ss)
{
	if (!ss)
		return;
	md_mapread_ctx_free(&ss->ctx);
	if (ss->w2)
		md_mapread_free(ss->w2, ss->n);
	free(ss);
}

md_status md_session_open(md_mem *m, md_mapread *w, int n, md_session **out, md_err *err)
{
	md_session *ss = calloc(1, sizeof *ss);
	if (!ss)
		return md_err_set(err, MD_E_NOMEM, "session");
	ss->m = m;
	ss->w = w;
	ss->n = n;
	md_status s = md_mapread_prepare(m, w, n, &ss->ctx, n, err);
	if (s == MD_OK && !(ss->w2 = calloc((size_t)n + 1, sizeof *ss->w2)))
		s = md_err_set(err, MD_E_NOMEM, "second-pass buffers");
	for (int i = 0; s == MD_OK && i < n; i++) {
		md_mapread *a = &w[i], *b = &ss->w2[i];
		b->plan = a->plan;   /* shared: each pass copies out its result */
		b->header = a->header;   /* given, when there is no plan */
		b->name = a->name;
		b->layout = a->layout;
		b->skip = a->skip;
		if (a->skip)
			continue;
		if (!(b->hdr = calloc(1, a->layout->header_size)))
			s = md_err_set(err, MD_E_NOMEM, "header buffer");
		else if (a->dir_cap)
			s = md_mapread_ensure_dir(b, a->dir_cap, a->layout->table_size, err);
	}
	if (s != MD_OK) {
		md_session_close(ss);
		return s;
	}
	*out = ss;
	return MD_OK;
}

md_status md_session_settle(md_session *ss, int pairs, int *done, md_session_fn fn,
                            void *arg, int *taken, md_err *err)
{
	int left = 0, k = 0;
	md_status s = MD_OK;
	for (int i = 0; i < ss->n; i++)
		left += !done[i];
	ss->t_ns = md_now_ns();
	for (; left && k < pairs; k++) {
		if ((s = md_mapread_all(ss->m, ss->w, ss->n, &ss->ctx, MD_READ_RECORD, err)) != MD_OK ||
		    (s = md_mapread_all(ss->m, ss->w2, ss->n, &ss->ctx, MD_READ_RECORD, err)) != MD_OK)
			break;
		ss->t_ns = md_now_ns();
		for (int i = 0; i < ss->n; i++) {
			if (done[i] || !md_mapread_same(&ss->w[i], &ss->w2[i]))
				continue;
			if (fn(arg, i, &ss->w[i], ss->t_ns)) {
				done[i] = 1;
				left--;
			}
		}
	}
	if (taken)
		*taken = k;
	return s;
}

uint64_t md_session_time(const md_session *ss)
{
	return ss->t_ns;
}

void md_session_drop(md_session *ss, int i)
{
	ss->w[i].skip = ss->w2[i].skip = 1;
}
