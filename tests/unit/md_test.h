/* md_test.h - the smallest test harness that does the job.
 *
 * Each CHECK prints nothing on success and one "FAIL file:line: expr" line on
 * failure; md_test_done() prints "N passed, N failed" for the runner and
 * returns the exit status.  Header-only: each test program is one file. */
#ifndef MD_TEST_H
#define MD_TEST_H
#include <stdio.h>
#include <stdarg.h>
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

/* What is being tested (a binary, a variant), printed in T's FAIL lines. */
static char md_t_ctx[4160];

/* T(cond, fmt, ...): a check with context and a message; returns cond.  The
 * message arguments are evaluated only on failure. */
#define T(cond, ...) \
	((cond) ? md_t_ok() : md_t_bad(__FILE__, __LINE__, #cond, __VA_ARGS__))

static inline int md_t_ok(void)
{
	md_t_pass++;
	return 1;
}

static int md_t_bad(const char *file, int line, const char *cond,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5), unused));
static int md_t_bad(const char *file, int line, const char *cond,
                    const char *fmt, ...)
{
	va_list ap;
	md_t_fail++;
	fprintf(stderr, "FAIL %s:%d: [%s] %s", file, line, md_t_ctx, cond);
	if (fmt && *fmt) {
		fputs(": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	return 0;
}

static inline int md_test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, md_t_pass, md_t_fail);
	return md_t_fail ? 1 : 0;
}
#endif
