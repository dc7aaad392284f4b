/* expr.c - parse paths (see expr.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "expr.h"

/* Bytes of a field or variable name: Go identifiers are Unicode letters
 * and digits; DWARF adds '&' and '~' ("&x", "~r0").  Anything printable
 * but the selector syntax itself and '/' (which ends a stack path's
 * function). */
static int field_byte(unsigned char c)
{
	return c >= 0x80 || (isgraph(c) && !strchr(".[]()\"#/", c));
}

/* Bytes of a package variable's name: package paths add '.' and '/'. */
static int name_byte(unsigned char c)
{
	return field_byte(c) || c == '.' || c == '/';
}

static int ctrl_byte(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (unsigned char)tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A quoted string key at e[i] == '"': into g; the offset after the
 * closing quote, or -1. */
static int parse_string(const char *e, int i, md_seg *g, md_err *err)
{
	int j = i + 1;
	g->len = 0;
	for (;;) {
		unsigned char c = (unsigned char)e[j];
		if (c == '\0')
			return md_err_set(err, MD_E_BADEXPR, "'%s': unterminated string at offset %d", e, i),
			       -1;
		if (c == '"')
			return j + 1;
		if (ctrl_byte(c))
			return md_err_set(err, MD_E_BADEXPR,
			                  "'%s': control character in the key at offset %d (write it \\xNN)",
			                  e, j), -1;
		if (g->len == MD_EXPR_MAX_KEY)
			return md_err_set(err, MD_E_BADEXPR, "'%s': key longer than %d bytes at offset %d",
			                  e, MD_EXPR_MAX_KEY, i), -1;
		if (c != '\\') {
			g->str[g->len++] = c;
			j++;
			continue;
		}
		unsigned char n = (unsigned char)e[j + 1];
		if (n == '"' || n == '\\') {
			g->str[g->len++] = n;
			j += 2;
		} else if (n == 'x' && hexval((unsigned char)e[j + 2]) >= 0 &&
		           hexval((unsigned char)e[j + 3]) >= 0) {
			g->str[g->len++] = (unsigned char)(hexval((unsigned char)e[j + 2]) * 16 +
			                                   hexval((unsigned char)e[j + 3]));
			j += 4;
		} else {
			return md_err_set(err, MD_E_BADEXPR,
			                  "'%s': bad escape at offset %d (the escapes are \\\", \\\\ and "
			                  "\\xNN)", e, j), -1;
		}
	}
}

/* Digits at e[j] in base 10 or 16 into *v: the offset after them, or -1
 * when there are none or they overflow 64 bits. */
static int parse_number(const char *e, int j, int base, uint64_t *v)
{
	int k = j;
	uint64_t x = 0;
	for (;; k++) {
		int d = base == 16 ? hexval((unsigned char)e[k]) :
		        isdigit((unsigned char)e[k]) ? e[k] - '0' : -1;
		if (d < 0)
			break;
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return -1;
		x = x * (uint64_t)base + (uint64_t)d;
	}
	*v = x;
	return k > j ? k : -1;
}

static int bad_key(const char *e, int i, md_err *err)
{
	md_err_set(err, MD_E_BADEXPR,
	           "'%s': bad key at offset %d (write [N], [-N], [0x...], [true], [\"key\"] or "
	           "[#N])", e, i);
	return -1;
}

/* A bracket at e[i] == '[': the key into g; the offset after ']', or -1. */
static int parse_key(const char *e, int i, md_seg *g, md_err *err)
{
	int j = i + 1, k;
	g->kind = MD_SEG_INDEX;
	if (e[j] == '"') {
		g->lit = MD_LIT_STRING;
		k = parse_string(e, j, g, err);
		if (k < 0)
			return -1;
	} else if (e[j] == '#') {
		g->lit = MD_LIT_POS;
		k = parse_number(e, j + 1, 10, &g->index);
	} else if (e[j] == '-') {
		g->lit = MD_LIT_INT;
		k = parse_number(e, j + 1, 10, &g->index);
		if (k >= 0 && g->index > (uint64_t)1 << 63)
			k = -1;
		g->index = (uint64_t)0 - g->index;
	} else if (e[j] == '0' && (e[j + 1] == 'x' || e[j + 1] == 'X')) {
		g->lit = MD_LIT_PTR;
		k = parse_number(e, j + 2, 16, &g->index);
	} else if (isdigit((unsigned char)e[j])) {
		g->lit = MD_LIT_UINT;
		k = parse_number(e, j, 10, &g->index);
	} else if (!strncmp(e + j, "true]", 5) || !strncmp(e + j, "false]", 6)) {
		g->lit = MD_LIT_BOOL;
		g->index = e[j] == 't';
		k = j + (e[j] == 't' ? 4 : 5);
	} else {
		return bad_key(e, i, err);
	}
	if (k < 0)
		return bad_key(e, i, err);
	if (e[k] != ']')
		return md_err_set(err, MD_E_BADEXPR, "'%s': missing ']' after offset %d", e, i), -1;
	return k + 1;
}

/* A type assertion at e[i] == '.', e[i+1] == '(': its type into g; the
 * offset after ')', or -1.  Type names hold parentheses (func types) and
 * quoted struct tags, but always in balance. */
static int parse_type(const char *e, int i, md_seg *g, md_err *err)
{
	int j = i + 2, depth = 1;
	for (; e[j] && depth; j++) {
		if (ctrl_byte((unsigned char)e[j]))
			return md_err_set(err, MD_E_BADEXPR,
			                  "'%s': unexpected character in the type at offset %d", e, j), -1;
		if (e[j] == '"') {   /* a struct tag: skip to its end */
			for (j++; e[j] && e[j] != '"'; j++)
				if (e[j] == '\\' && e[j + 1])
					j++;
			if (!e[j])
				break;
		} else if (e[j] == '(') {
			depth++;
		} else if (e[j] == ')') {
			depth--;
		}
	}
	if (depth)
		return md_err_set(err, MD_E_BADEXPR, "'%s': missing ')' after the type at offset %d",
		                  e, i), -1;
	int len = j - 1 - (i + 2);
	if (len <= 0 || len >= (int)sizeof g->name)
		return md_err_set(err, MD_E_BADEXPR, "'%s': %s type at offset %d", e,
		                  len <= 0 ? "empty" : "too long a", i), -1;
	g->kind = MD_SEG_TYPE;
	memcpy(g->name, e + i + 2, (size_t)len);
	g->name[len] = '\0';
	return j;
}

/* One selector at e[i]: the offset after it, or -1. */
static int parse_sel(const char *e, int i, md_seg *g, md_err *err)
{
	memset(g, 0, offsetof(md_seg, str));
	g->len = 0;
	if (e[i] == '.' && e[i + 1] == '(')
		return parse_type(e, i, g, err);
	if (e[i] == '.') {
		int j = i + 1;
		while (e[j] && field_byte((unsigned char)e[j]))
			j++;
		int len = j - i - 1;
		if (len <= 0 || len >= (int)sizeof g->name)
			return md_err_set(err, MD_E_BADEXPR, "'%s': bad field name at offset %d", e, i),
			       -1;
		g->kind = MD_SEG_FIELD;
		memcpy(g->name, e + i + 1, (size_t)len);
		return j;
	}
	if (e[i] == '[')
		return parse_key(e, i, g, err);
	if (e[i] == '#') {
		if (strncmp(e + i, "#key[", 5))
			return md_err_set(err, MD_E_BADEXPR,
			                  "'%s': unexpected '#' at offset %d (#key[K] names a map "
			                  "entry's key)", e, i), -1;
		int k = parse_key(e, i + 4, g, err);
		g->is_key = 1;
		return k;
	}
	if (e[i] == ']')
		return md_err_set(err, MD_E_BADEXPR, "'%s': unbalanced ']' at offset %d", e, i), -1;
	if (i > 0 && e[i - 1] == ']')
		return md_err_set(err, MD_E_BADEXPR, "'%s': unexpected '%c' after ']'", e, e[i]), -1;
	return md_err_set(err, MD_E_BADEXPR, "'%s': unexpected character at offset %d", e, i), -1;
}

md_status md_expr_split(const char *e, int start, md_seg *segs, int *nsegs, md_err *err)
{
	int n = 0;
	int i = start;
	*nsegs = 0;
	while (e[i]) {
		if (n == MD_EXPR_MAX_SEGS)
			return md_err_set(err, MD_E_BADEXPR, "'%s': more than %d selectors", e,
			                  MD_EXPR_MAX_SEGS);
		int j = parse_sel(e, i, &segs[n], err);
		if (j < 0)
			return MD_E_BADEXPR;
		segs[n].end = i = j;
		n++;
	}
	*nsegs = n;
	return MD_OK;
}

/* A package variable's path: a name (where it ends is DWARF's to say: any
 * of its dots may start a selector) and selectors. */
static md_status check_global(const char *e, size_t n, md_path_root *out, md_seg *scratch,
                              md_err *err)
{
	const char *br = strchr(e, '[');
	const char *dot = strchr(e, '.');
	if (!dot || (br && br < dot))
		return md_err_set(err, MD_E_BADEXPR,
		                  "'%s': expected a package-qualified name such as main.cache", e);
	size_t i = 0;
	while (i < n && name_byte((unsigned char)e[i]))
		i++;
	if (i > 0 && e[i - 1] == '.' && e[i] == '(')
		i--;   /* the dot of a .(T) */
	for (size_t j = 0; j < i; j++)
		if (e[j] == '.' && (j == 0 || j + 1 == n || e[j + 1] == '.' || e[j + 1] == '[' ||
		                    j + 1 == i))
			return md_err_set(err, MD_E_BADEXPR, "'%s': empty name at offset %zu", e, j);
	int nseg;
	out->kind = MD_PATH_GLOBAL;
	out->name_end = (int)i;
	return md_expr_split(e, (int)i, scratch, &nseg, err);
}

static md_status check_addr(const char *e, md_path_root *out, md_err *err)
{
	int k = parse_number(e, 2, 16, &out->addr);
	if (k < 0 || e[k] || !out->addr)
		return md_err_set(err, MD_E_BADEXPR,
		                  "'%s': a map header's address is 0x and up to 16 hex digits, "
		                  "not 0, and takes no selectors", e);
	out->kind = MD_PATH_ADDR;
	return MD_OK;
}

/* A stack variable's path: every '/' followed by a variable name and
 * selectors that parse is a place the function may end (the last first). */
static md_status check_stack(const char *e, int start, md_path_root *out, md_seg *scratch,
                             md_err *err)
{
	md_err first = { MD_OK, "" };
	int n = (int)strlen(e);
	for (int j = start; j < n; j++)
		if (ctrl_byte((unsigned char)e[j]))
			return md_err_set(err, MD_E_BADEXPR, "'%s': unexpected character at offset %d",
			                  e, j);
	for (int j = n - 1; j > start && out->nsplits < MD_EXPR_MAX_SPLITS; j--) {
		if (e[j] != '/')
			continue;
		md_stack_split sp = { start, j, 0, j + 1, j + 1 };
		while (e[sp.var_end] && field_byte((unsigned char)e[sp.var_end]))
			sp.var_end++;
		int nseg;
		md_err e2;
		if (sp.var_end == sp.var_start ||
		    md_expr_split(e, sp.var_end, scratch, &nseg, &e2) != MD_OK) {
			if (first.code == MD_OK)
				first = sp.var_end == sp.var_start ? (md_err){ MD_OK, "" } : e2;
			continue;
		}
		/* "#k" at the function's end: its k-th outer frame */
		int h = j - 1;
		while (h > start && isdigit((unsigned char)e[h]))
			h--;
		if (h > start && e[h] == '#' && h < j - 1) {
			uint64_t occ;
			if (parse_number(e, h + 1, 10, &occ) != j || occ > 4096)
				continue;
			sp.occurrence = (int)occ;
			sp.func_end = h;
		}
		if (sp.func_end > sp.func_start)
			out->splits[out->nsplits++] = sp;
	}
	if (out->nsplits)
		return MD_OK;
	if (first.code != MD_OK) {
		*err = first;
		return first.code;
	}
	return md_err_set(err, MD_E_BADEXPR,
	                  "'%s': expected g<goroutine>/<function>/<variable>, then selectors", e);
}

md_status md_expr_root(const char *e, md_path_root *out, md_err *err)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(e);
	if (n == 0)
		return md_err_set(err, MD_E_BADEXPR, "empty variable name");
	if (n > MD_EXPR_MAX_LEN)
		return md_err_set(err, MD_E_BADEXPR, "variable expression longer than %d bytes",
		                  MD_EXPR_MAX_LEN);
	if (e[0] == '0' && (e[1] == 'x' || e[1] == 'X'))
		return check_addr(e, out, err);
	md_seg *scratch = malloc(MD_EXPR_MAX_SEGS * sizeof *scratch);
	if (!scratch)
		return md_err_set(err, MD_E_NOMEM, "path");
	md_status s;
	uint64_t goid;
	int k = e[0] == 'g' ? parse_number(e, 1, 10, &goid) : -1;
	if (k > 0 && e[k] == '/') {
		out->kind = MD_PATH_STACK;
		out->goid = (int64_t)goid;
		s = goid > INT64_MAX ? md_err_set(err, MD_E_BADEXPR, "'%s': goroutine id too large", e)
		                     : check_stack(e, k + 1, out, scratch, err);
	} else {
		s = check_global(e, n, out, scratch, err);
	}
	free(scratch);
	return s;
}

md_status md_expr_check(const char *e, md_err *err)
{
	md_path_root r;
	return md_expr_root(e, &r, err);
}
