/* session.h - reading maps without stopping the target (attach --no-stop,
 * watch).
 *
 * Reads of a running target can be torn: a writer may change a map between
 * the reads of one pass.  A session reads every map in pairs of passes,
 * into two sets of buffers, and takes a map when both passes of a pair
 * read the same bytes (plan result, header, directory, tables); a map
 * still changing after the pairs allowed is left to the caller to call
 * torn, never decoded from bytes that disagree.  No ptrace: the target
 * never stops.
 */
#ifndef MD_SESSION_H
#define MD_SESSION_H

#include <stdint.h>
#include "md_status.h"
#include "mem.h"
#include "mapread.h"

/* The retry policy, in pairs of passes.  A read that stands for itself
 * (attach --no-stop; watch's first look at each map) may wait for a busy
 * map to settle; each of watch's samples takes at most two pairs, so that
 * a map written nonstop is torn for that sample rather than holding up
 * the sample grid. */
#define MD_SESSION_SETTLE_PAIRS 8
#define MD_SESSION_SAMPLE_PAIRS 2

typedef struct md_session md_session;

/* A session over maps w[0..n) (borrowed; their plans and layouts stay
 * with the caller), read through m: prepares the buffers of both passes
 * (md_mapread_prepare, without speculation) while the target runs.
 * MD_E_EXITED, MD_E_NOMEM. */
md_status md_session_open(md_mem *m, md_mapread *w, int n, md_session **out, md_err *err);

/* Called for map i as soon as a pair of passes agrees on it, with the
 * bytes of the first pass (valid until the next pass) and the time the
 * pair ended.  Returns 1 when the map is settled, 0 to read it again in
 * the next pair. */
typedef int (*md_session_fn)(void *arg, int i, const md_mapread *v, uint64_t t_ns);

/* Pairs of passes, at most `pairs`, until every map whose done[i] is 0
 * has settled (done[i] is set as it does).  *taken: the pairs completed.
 * Per-map read failures are bytes like any others (two passes agree that
 * a header is unreadable); MD_E_EXITED / MD_E_SYS / MD_E_NOMEM end the
 * session's read with err set. */
md_status md_session_settle(md_session *ss, int pairs, int *done, md_session_fn fn,
                            void *arg, int *taken, md_err *err);

/* When the last pair ended (or the last settle began, if it took none). */
uint64_t md_session_time(const md_session *ss);

/* Do not read map i any more (its bytes will never decode). */
void md_session_drop(md_session *ss, int i);

void md_session_close(md_session *ss);

#endif
