/* testhook.h - stop points for tests, compiled only into test builds.
 *
 * With -DMD_TEST_HOOKS (make's build/hooks/mapdiag) md_test_hook(point)
 * makes mapdiag raise SIGSTOP at `point` when the environment variable
 * MAPDIAG_TEST_SIGSTOP equals it, so that a test can change the world (kill
 * the target, reuse its pid) at a known moment.  Points: "open" (the
 * process was looked up), "seize" (the stop begins).  In the production
 * binary it is nothing at all.
 */
#ifndef MD_TESTHOOK_H
#define MD_TESTHOOK_H

#ifdef MD_TEST_HOOKS
void md_test_hook(const char *point);
#else
static inline void md_test_hook(const char *point)
{
	(void)point;
}
#endif

#endif
