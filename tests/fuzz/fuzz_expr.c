/* fuzz_expr.c - the variable expression language (src/snapshot/expr.h) on arbitrary
 * strings, and the read plans built from them (src/snapshot/plan.h) against a small
 * Go-like binary's DWARF (tests/fuzz/seed/mini.S, loaded once).
 *
 * The input, cut at its first NUL, is the expression.  Properties:
 *   - md_expr_check accepts only what its contract says: at most
 *     MD_EXPR_MAX_LEN bytes, a '.' before any '[', no empty selector, no
 *     space or control byte, brackets holding decimal digits;
 *   - md_expr_split, from the start of every selector, gives at most
 *     MD_EXPR_MAX_SEGS segments, each ending after the last, the last at
 *     the end of the string, field names non-empty and terminated;
 *   - md_plan_build never accepts an expression md_expr_check refuses, and
 *     gives at most MD_PLAN_MAX_STEPS steps whose path lengths lie inside
 *     the expression.
 * The mini binary is build/fuzz/seeds/mini (next to this program) or
 * $FUZZ_MINI.
 */
#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "expr.h"
#include "plan.h"
#include "md_dwarf.h"

static md_dwarf *mini;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init_verbose();
	setenv("MAPDIAG_CACHE_DIR", "", 1);
	char path[PATH_MAX];
	const char *env = getenv("FUZZ_MINI");
	if (env && *env) {
		snprintf(path, sizeof path, "%s", env);
	} else {
		char self[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
		if (n <= 0)
			abort();
		self[n] = '\0';
		snprintf(path, sizeof path, "%s/seeds/mini", dirname(self));
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	md_dwarf_opts o = { .exe_path = path, .exe_fd = fd, .debug_dir = "/nonexistent" };
	md_err e;
	if (fd < 0 || md_dwarf_open(&o, &mini, &e) != MD_OK) {
		fprintf(stderr, "fuzz_expr: cannot load %s (make fuzz-build makes it; or set FUZZ_MINI)\n",
		        path);
		exit(1);
	}
	close(fd);
	return 0;
}

/* The contract of md_expr_check, restated independently. */
static int check_model(const char *e)
{
	size_t n = strlen(e);
	if (n == 0 || n > MD_EXPR_MAX_LEN)
		return 0;
	const char *br = strchr(e, '['), *dot = strchr(e, '.');
	if (!dot || (br && br < dot))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (c == '.') {
			if (i == 0 || i + 1 == n || e[i + 1] == '.' || e[i + 1] == '[')
				return 0;
		} else if (c == '[') {
			size_t j = i + 1;
			if (!isdigit((unsigned char)e[j]))
				return 0;
			while (isdigit((unsigned char)e[j]))
				j++;
			if (e[j] != ']' || (e[j + 1] && e[j + 1] != '.' && e[j + 1] != '['))
				return 0;
			i = j;
		} else if (c == ']' || (c < 0x80 && !isgraph(c))) {
			return 0;
		}
	}
	return 1;
}

static void split_from(const char *e, int start)
{
	md_seg segs[MD_EXPR_MAX_SEGS];
	int n = -1;
	md_err err;
	md_status st = md_expr_split(e, start, segs, &n, &err);
	FUZZ_CHECK(FZ_TERMINATED(err.detail), "detail");
	if (st != MD_OK)
		return;
	int len = (int)strlen(e);
	FUZZ_CHECK(n >= 0 && n <= MD_EXPR_MAX_SEGS, "nsegs %d", n);
	int prev = start;
	for (int i = 0; i < n; i++) {
		FUZZ_CHECK(segs[i].end > prev && segs[i].end <= len, "segment end %d after %d",
		           segs[i].end, prev);
		if (segs[i].kind == MD_SEG_FIELD)
			FUZZ_CHECK(segs[i].name[0] && FZ_TERMINATED(segs[i].name), "field name");
		else
			FUZZ_CHECK(segs[i].kind == MD_SEG_INDEX && segs[i].index <= INT64_MAX, "index");
		prev = segs[i].end;
	}
	FUZZ_CHECK(prev == len, "segments end at %d of %d", prev, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4 * MD_EXPR_MAX_LEN)
		return 0;
	char *e = malloc(size + 1);
	memcpy(e, data, size);
	e[size] = '\0';
	md_err err;
	md_status st = md_expr_check(e, &err);
	int model = check_model(e);
	FZ_SAY("check '%s': %d (model %d) %s\n", e, st, model, st ? err.detail : "");
	FUZZ_CHECK((st == MD_OK) == model, "md_expr_check says %d, the contract %d", st, model);
	FUZZ_CHECK(st == MD_OK || st == MD_E_BADEXPR, "status %d", st);
	FUZZ_CHECK(FZ_TERMINATED(err.detail), "detail");

	/* split from wherever a variable name could end */
	int len = (int)strlen(e);
	int splits = 0;
	for (int i = 0; i <= len && splits < 64; i++)
		if (e[i] == '.' || e[i] == '[' || e[i] == '\0') {
			split_from(e, i);
			splits++;
		}

	md_plan p;
	st = md_plan_build(mini, e, 0x1000, &p, &err);
	FZ_SAY("plan: %d %s\n", st, st ? err.detail : "");
	FUZZ_CHECK(FZ_TERMINATED(err.detail), "detail");
	if (st == MD_OK) {
		FUZZ_CHECK(model, "a plan for an expression md_expr_check refuses");
		FUZZ_CHECK(p.nsteps >= 1 && p.nsteps <= MD_PLAN_MAX_STEPS, "nsteps %d", p.nsteps);
		for (int i = 0; i < p.nsteps; i++)
			FUZZ_CHECK(p.steps[i].path_len > 0 && p.steps[i].path_len <= len,
			           "step %d path_len %d", i, p.steps[i].path_len);
		FUZZ_CHECK(p.map_type != 0, "no map type");
	}
	free(e);
	return 0;
}
