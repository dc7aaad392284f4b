/* fuzz_expr.c - the variable expression language (src/snapshot/expr.h) on arbitrary
 * strings, and the read plans built from them (src/snapshot/plan.h) against a small
 * Go-like binary's DWARF (tests/fuzz/seed/mini.S, loaded once).
 *
 * The input, cut at its first NUL, is the expression.  Properties:
 *   - md_expr_check accepts exactly what its contract (expr.h, README
 *     "Paths") says, restated here on its own: at most MD_EXPR_MAX_LEN
 *     bytes; a header address 0x<1..16 hex digits>, not 0, alone; a stack
 *     path g<goid>/<function>[#k]/<variable> whose function ends at some
 *     '/' followed by a variable and selectors that parse; else a package
 *     variable, a '.' before any '[', no empty name, then selectors:
 *     .field, .(type) with balanced parentheses, [N], [-N], [0x..],
 *     [true|false], [#N], ["..."] with \" \\ \xNN escapes, #key[...];
 *   - md_expr_split, from the start of every selector, gives at most
 *     MD_EXPR_MAX_SEGS segments, each ending after the last, the last at
 *     the end of the string, names non-empty and terminated, string keys
 *     within MD_EXPR_MAX_KEY bytes;
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
static int m_ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int m_field(unsigned char c)
{
	return c >= 0x80 || (isgraph(c) && c != '.' && c != '[' && c != ']' && c != '(' &&
	                     c != ')' && c != '"' && c != '#' && c != '/');
}

/* Digits of base at e+i: how many (0 if none or over 64 bits). */
static int m_digits(const char *e, int i, int base, uint64_t *v)
{
	int k = 0;
	unsigned __int128 x = 0;
	for (;; k++) {
		int c = (unsigned char)e[i + k], d;
		if (isdigit(c))
			d = c - '0';
		else if (base == 16 && isxdigit(c))
			d = tolower(c) - 'a' + 10;
		else
			break;
		x = x * (unsigned)base + (unsigned)d;
		if (x > UINT64_MAX)
			return 0;
	}
	*v = (uint64_t)x;
	return k;
}

/* A key at e+i (after '['): the offset of its ']', or -1. */
static int m_key(const char *e, int i)
{
	uint64_t v;
	int k;
	if (e[i] == '"') {
		int n = 0;
		for (i++; e[i] != '"'; n++) {
			if (!e[i] || m_ctrl((unsigned char)e[i]) || n == MD_EXPR_MAX_KEY)
				return -1;
			if (e[i] != '\\')
				i++;
			else if (e[i + 1] == '"' || e[i + 1] == '\\')
				i += 2;
			else if (e[i + 1] == 'x' && isxdigit((unsigned char)e[i + 2]) &&
			         isxdigit((unsigned char)e[i + 3]))
				i += 4;
			else
				return -1;
		}
		return e[i + 1] == ']' ? i + 1 : -1;
	}
	if (!strncmp(e + i, "true]", 5))
		return i + 4;
	if (!strncmp(e + i, "false]", 6))
		return i + 5;
	if (e[i] == '0' && (e[i + 1] == 'x' || e[i + 1] == 'X'))
		k = m_digits(e, i + 2, 16, &v), i += 2;
	else if (e[i] == '#')
		k = m_digits(e, i + 1, 10, &v), i += 1;
	else if (e[i] == '-')
		k = m_digits(e, i + 1, 10, &v), k = k && v <= (uint64_t)1 << 63 ? k : 0, i += 1;
	else
		k = m_digits(e, i, 10, &v);
	return k && e[i + k] == ']' ? i + k : -1;
}

/* Selectors from e+i to the end. */
static int m_selectors(const char *e, int i)
{
	int n = 0;
	while (e[i]) {
		if (++n > MD_EXPR_MAX_SEGS)
			return 0;
		if (e[i] == '.' && e[i + 1] == '(') {
			int depth = 1, j = i + 2;
			for (; e[j] && depth; j++) {
				if (m_ctrl((unsigned char)e[j]))
					return 0;
				if (e[j] == '"') {
					for (j++; e[j] && e[j] != '"'; j++)
						if (e[j] == '\\' && e[j + 1])
							j++;
					if (!e[j])
						return 0;
				}
				depth += (e[j] == '(') - (e[j] == ')');
			}
			if (depth || j - 1 - (i + 2) <= 0 || j - 1 - (i + 2) >= 512)
				return 0;
			i = j;
		} else if (e[i] == '.') {
			int j = i + 1;
			while (m_field((unsigned char)e[j]))
				j++;
			if (j == i + 1 || j - i - 1 >= 512)
				return 0;
			i = j;
		} else if (e[i] == '[' || !strncmp(e + i, "#key[", 5)) {
			int k = m_key(e, e[i] == '[' ? i + 1 : i + 5);
			if (k < 0)
				return 0;
			i = k + 1;
		} else {
			return 0;
		}
	}
	return 1;
}

static int check_model(const char *e)
{
	size_t n = strlen(e);
	uint64_t v;
	if (n == 0 || n > MD_EXPR_MAX_LEN)
		return 0;
	if (e[0] == '0' && (e[1] == 'x' || e[1] == 'X')) {
		int k = m_digits(e, 2, 16, &v);
		return k && !e[2 + k] && v;
	}
	int k = e[0] == 'g' ? m_digits(e, 1, 10, &v) : 0;
	if (k && e[1 + k] == '/') {
		int start = 2 + k;
		if (v > INT64_MAX)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (m_ctrl((unsigned char)e[i]))
				return 0;
		for (int j = (int)n - 1; j > start; j--) {
			if (e[j] != '/')
				continue;
			int ve = j + 1;
			while (m_field((unsigned char)e[ve]))
				ve++;
			int fe = j, h = j - 1;
			uint64_t occ;
			while (h > start && isdigit((unsigned char)e[h]))
				h--;
			if (h > start && e[h] == '#' && h < j - 1) {
				if (m_digits(e, h + 1, 10, &occ) != j - h - 1 || occ > 4096)
					continue;
				fe = h;
			}
			if (ve > j + 1 && fe > start && m_selectors(e, ve))
				return 1;
		}
		return 0;
	}
	const char *br = strchr(e, '['), *dot = strchr(e, '.');
	if (!dot || (br && br < dot))
		return 0;
	size_t i = 0;
	while (i < n && (m_field((unsigned char)e[i]) || e[i] == '.' || e[i] == '/'))
		i++;
	if (i > 0 && e[i - 1] == '.' && e[i] == '(')
		i--;
	for (size_t j = 0; j < i; j++)
		if (e[j] == '.' && (j == 0 || j + 1 == n || e[j + 1] == '.' || e[j + 1] == '[' ||
		                    j + 1 == i))
			return 0;
	return m_selectors(e, (int)i);
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
		if (segs[i].kind == MD_SEG_FIELD || segs[i].kind == MD_SEG_TYPE)
			FUZZ_CHECK(segs[i].name[0] && FZ_TERMINATED(segs[i].name), "name");
		else
			FUZZ_CHECK(segs[i].kind == MD_SEG_INDEX && segs[i].lit <= MD_LIT_POS &&
			           segs[i].len <= MD_EXPR_MAX_KEY, "index");
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
