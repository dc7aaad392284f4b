/* expr.c - parse variable expressions (see expr.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "expr.h"

static int ident_byte(unsigned char c)
{
	/* Go identifiers are Unicode letters/digits/_; package paths add / . -
	 * ~ +.  Accept any non-space printable or UTF-8 byte except the
	 * selector syntax itself. */
	return c >= 0x80 || (isgraph(c) && c != '[' && c != ']' && c != '.');
}

md_status md_expr_check(const char *e, md_err *err)
{
	size_t n = strlen(e);
	if (n == 0)
		return md_err_set(err, MD_E_BADEXPR, "empty variable name");
	if (n > MD_EXPR_MAX_LEN)
		return md_err_set(err, MD_E_BADEXPR, "variable expression longer than %d bytes",
		                  MD_EXPR_MAX_LEN);
	const char *br = strchr(e, '[');
	const char *dot = strchr(e, '.');
	if (!dot || (br && br < dot))
		return md_err_set(err, MD_E_BADEXPR,
		                  "'%s': expected a package-qualified name such as main.cache", e);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)e[i];
		if (c == '.') {
			if (i == 0 || i + 1 == n || e[i + 1] == '.' || e[i + 1] == '[')
				return md_err_set(err, MD_E_BADEXPR, "'%s': empty name at offset %zu", e, i);
		} else if (c == '[') {
			size_t j = i + 1;
			if (!isdigit((unsigned char)e[j]))
				return md_err_set(err, MD_E_BADEXPR,
				                  "'%s': index at offset %zu is not a decimal number", e, i);
			while (isdigit((unsigned char)e[j]))
				j++;
			if (e[j] != ']')
				return md_err_set(err, MD_E_BADEXPR, "'%s': missing ']' after offset %zu", e, i);
			if (e[j + 1] && e[j + 1] != '.' && e[j + 1] != '[')
				return md_err_set(err, MD_E_BADEXPR,
				                  "'%s': unexpected '%c' after ']'", e, e[j + 1]);
			i = j;
		} else if (c == ']') {
			return md_err_set(err, MD_E_BADEXPR, "'%s': unbalanced ']' at offset %zu", e, i);
		} else if (!ident_byte(c)) {
			return md_err_set(err, MD_E_BADEXPR, "'%s': unexpected character at offset %zu", e, i);
		}
	}
	return MD_OK;
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
		md_seg *s = &segs[n];
		memset(s, 0, sizeof *s);
		if (e[i] == '.') {
			int j = i + 1;
			while (e[j] && ident_byte((unsigned char)e[j]))
				j++;
			int len = j - i - 1;
			if (len <= 0 || len >= (int)sizeof s->name)
				return md_err_set(err, MD_E_BADEXPR, "'%s': bad field name at offset %d", e, i);
			s->kind = MD_SEG_FIELD;
			memcpy(s->name, e + i + 1, (size_t)len);
			i = j;
		} else if (e[i] == '[') {
			char *endp;
			errno = 0;
			unsigned long long v = strtoull(e + i + 1, &endp, 10);
			if (errno || endp == e + i + 1 || *endp != ']' || v > INT64_MAX)
				return md_err_set(err, MD_E_BADEXPR, "'%s': bad index at offset %d", e, i);
			s->kind = MD_SEG_INDEX;
			s->index = v;
			i = (int)(endp - e) + 1;
		} else {
			return md_err_set(err, MD_E_BADEXPR, "'%s': unexpected '%c' at offset %d", e,
			                  e[i], i);
		}
		s->end = i;
		n++;
	}
	*nsegs = n;
	return MD_OK;
}
