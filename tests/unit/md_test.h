/* md_test.h - the smallest test harness that does the job.
 *
 * Each CHECK prints nothing on success and one "FAIL file:line: expr" line on
 * failure; md_test_done() prints "N passed, N failed" for the runner and
 * returns the exit status.  Header-only: each test program is one file. */
#ifndef MD_TEST_H
#define MD_TEST_H
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int md_t_pass, md_t_fail;

#define CHECK(cond) do { \
	if (cond) md_t_pass++; \
	else { md_t_fail++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_EQ_U(a, b) do { \
	unsigned long long md_a_ = (unsigned long long)(a), md_b_ = (unsigned long long)(b); \
	if (md_a_ == md_b_) md_t_pass++; \
	else { md_t_fail++; fprintf(stderr, "FAIL %s:%d: %s == %s (%llu != %llu)\n", \
		__FILE__, __LINE__, #a, #b, md_a_, md_b_); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *md_a_ = (a), *md_b_ = (b); \
	if (md_a_ && md_b_ && strcmp(md_a_, md_b_) == 0) md_t_pass++; \
	else { md_t_fail++; fprintf(stderr, "FAIL %s:%d: %s == %s (\"%s\" != \"%s\")\n", \
		__FILE__, __LINE__, #a, #b, md_a_ ? md_a_ : "(null)", md_b_ ? md_b_ : "(null)"); } \
} while (0)

static inline int md_test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, md_t_pass, md_t_fail);
	return md_t_fail ? 1 : 0;
}
#endif
