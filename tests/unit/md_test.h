/* md_test.h - the smallest test harness that does the job.
 *
 * One way to write a check, T, with two shorthands for comparisons:
 *
 *   T(cond)                 T(cond, fmt, ...)    a condition, and what to
 *                                                say when it fails
 *   T_EQ(a, b)                                   a == b as unsigned long long
 *   T_STR(a, b)                                  equal C strings (NULL fails)
 *
 * Each returns whether it held, so that a check can guard the ones that
 * depend on it: if (T(d != NULL, "open: %d", st)) ...  A check prints
 * nothing when it holds and one line when it fails:
 *
 *   FAIL file:line: [context] expression: message
 *
 * where the context is what is being tested (a binary, a variant), set with
 * snprintf(md_t_ctx, ...) and printed when not empty; T_EQ and T_STR say
 * both values.  The message arguments are evaluated only on failure, and
 * the format must be a string literal.  md_test_done() prints
 * "name: N passed, N failed" for tests/run.sh and returns the exit status.
 * Header-only: each test program is one file. */
#ifndef MD_TEST_H
#define MD_TEST_H
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <inttypes.h>

static int md_t_pass, md_t_fail;

/* What is being tested, printed in FAIL lines when not empty. */
static char md_t_ctx[4160];

/* The format is pasted after a space so that T(cond) has one too; the
 * space is skipped when printing. */
#define T(cond, ...) \
	((cond) ? md_t_ok() : md_t_bad(__FILE__, __LINE__, #cond, " " __VA_ARGS__))

#define T_EQ(a, b) \
	md_t_eq(__FILE__, __LINE__, #a " == " #b, \
	        (unsigned long long)(a), (unsigned long long)(b))

#define T_STR(a, b) md_t_str(__FILE__, __LINE__, #a " == " #b, (a), (b))


static inline int md_t_ok(void)
{
	md_t_pass++;
	return 1;
}

static int md_t_bad(const char *file, int line, const char *what,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5), unused));
static int md_t_bad(const char *file, int line, const char *what,
                    const char *fmt, ...)
{
	va_list ap;
	md_t_fail++;
	fprintf(stderr, "FAIL %s:%d: ", file, line);
	if (md_t_ctx[0])
		fprintf(stderr, "[%s] ", md_t_ctx);
	fputs(what, stderr);
	if (fmt[0] == ' ' && fmt[1]) {
		fputs(": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt + 1, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	return 0;
}

static inline int md_t_eq(const char *file, int line, const char *what,
                          unsigned long long a, unsigned long long b)
{
	if (a == b)
		return md_t_ok();
	return md_t_bad(file, line, what, " %llu != %llu", a, b);
}

static inline int md_t_str(const char *file, int line, const char *what,
                           const char *a, const char *b)
{
	if (a && b && strcmp(a, b) == 0)
		return md_t_ok();
	return md_t_bad(file, line, what, " \"%s\" != \"%s\"",
	                a ? a : "(null)", b ? b : "(null)");
}

static inline int md_test_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, md_t_pass, md_t_fail);
	return md_t_fail ? 1 : 0;
}
#endif
