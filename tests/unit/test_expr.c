/* test_expr.c - the path syntax (README "Paths"): every form scan prints,
 * their escapes, and a clear error for each bad input. */
#include <stdlib.h>
#include "md_test.h"
#include "expr.h"

static int ok(const char *e)
{
	md_err err;
	return md_expr_check(e, &err) == MD_OK;
}

/* e is refused with a message that contains what. */
static int refused(const char *e, const char *what)
{
	md_err err = { MD_OK, "" };
	md_status s = md_expr_check(e, &err);
	return T(s == MD_E_BADEXPR && strstr(err.detail, what), "'%s': %d '%s', want '%s'", e, s,
	         err.detail, what);
}

/* The selectors of e after its first n bytes, n of them wanted. */
static md_seg *split(const char *e, int start, int want)
{
	static md_seg s[MD_EXPR_MAX_SEGS];
	int n = -1;
	md_err err = { MD_OK, "" };
	md_status st = md_expr_split(e, start, s, &n, &err);
	T(st == MD_OK && n == want, "'%s' from %d: %d, %d segments, want %d: %s", e, start, st, n,
	  want, err.detail);
	return s;
}

static void plain(void)
{
	md_err err;
	T(ok("main.cache"));
	T(ok("example.com/acme/store.Sessions"));
	T(ok("main.srv.sessions"));
	T(ok("main.shards[2].m"));
	T(ok("main.a[0][12].b"));
	T(ok("gopkg.in/yaml.v3.cache"));
	T(ok("main.caf\xc3\xa9"));          /* UTF-8 identifiers */
	T(!ok(""));
	T(md_expr_check("", &err) == MD_E_BADEXPR);
	/* the messages attach has always printed */
	refused("cache", "expected a package-qualified name such as main.cache");
	refused("main[1].x", "expected a package-qualified name");
	refused("main.", "empty name at offset 4");
	refused(".main.x", "empty name at offset 0");
	refused("main..x", "empty name at offset 4");
	refused("main.[1]", "empty name at offset 4");
	refused("main.x[]", "bad key at offset 6");
	refused("main.x[1", "missing ']'");
	refused("main.x]", "unbalanced ']'");
	refused("main.x[1]y", "unexpected 'y' after ']'");
	refused("main.x y", "unexpected character at offset 6");
	refused("main.x\n", "unexpected character");
	char longe[2000];
	memset(longe, 'a', sizeof longe);
	memcpy(longe, "main.", 5);
	longe[sizeof longe - 1] = 0;
	refused(longe, "longer than");

	md_seg *s = split("main.shards[3].m", 11, 2);
	T(s[0].kind == MD_SEG_INDEX && s[0].lit == MD_LIT_UINT && !s[0].is_key);
	T_EQ(s[0].index, 3);
	T_EQ(s[0].end, 14);
	T(s[1].kind == MD_SEG_FIELD);
	T_STR(s[1].name, "m");
	T_EQ(s[1].end, 16);
	split("main.x", 6, 0);
	s = split("main.x.a.b[7]", 6, 3);
	T_STR(s[0].name, "a");
	T_STR(s[1].name, "b");
	T_EQ(s[2].index, 7);
	int n;
	T(md_expr_split("main.x[99999999999999999999]", 6, s, &n, &err) == MD_E_BADEXPR);
	/* more selectors than the limit */
	char many[4 * MD_EXPR_MAX_SEGS + 16] = "main.x";
	for (int i = 0; i <= MD_EXPR_MAX_SEGS; i++)
		strcat(many, "[1]");
	T(md_expr_split(many, 6, s, &n, &err) == MD_E_BADEXPR && strstr(err.detail, "selectors"));
	md_path_root r;
	T(md_expr_root("example.com/acme/store.Sessions[2].m", &r, &err) == MD_OK &&
	  r.kind == MD_PATH_GLOBAL);
	T_EQ(r.name_end, 31);   /* DWARF picks a prefix of the name part */
}

static void keys(void)
{
	md_seg *s = split("main.m[42][-3][0][18446744073709551615]", 6, 4);
	T(s[0].lit == MD_LIT_UINT && s[0].index == 42);
	T(s[1].lit == MD_LIT_INT && (int64_t)s[1].index == -3);
	T(s[2].lit == MD_LIT_UINT && s[2].index == 0);
	T(s[3].lit == MD_LIT_UINT && s[3].index == UINT64_MAX);
	s = split("main.m[-9223372036854775808]", 6, 1);
	T(s[0].lit == MD_LIT_INT && (int64_t)s[0].index == INT64_MIN);
	s = split("main.m[true][false][0xc000123450][0XAbC][#0][#17]", 6, 6);
	T(s[0].lit == MD_LIT_BOOL && s[0].index == 1);
	T(s[1].lit == MD_LIT_BOOL && s[1].index == 0);
	T(s[2].lit == MD_LIT_PTR && s[2].index == 0xc000123450ull);
	T(s[3].lit == MD_LIT_PTR && s[3].index == 0xabc);
	T(s[4].lit == MD_LIT_POS && s[4].index == 0);
	T(s[5].lit == MD_LIT_POS && s[5].index == 17 && s[5].end == 49);
	/* strings: the escapes scan writes, and bytes that stand for themselves */
	s = split("main.m[\"k\"][\"\"][\"a\\\"b\\\\c\\x00\\xFf\"][\"sp ] . / # ( \xc3\xa9\"]", 6, 4);
	T(s[0].lit == MD_LIT_STRING && s[0].len == 1 && s[0].str[0] == 'k');
	T(s[1].lit == MD_LIT_STRING && s[1].len == 0);
	T(s[2].len == 7 && !memcmp(s[2].str, "a\"b\\c\0\xff", 7));
	T(s[3].len == 15 && !memcmp(s[3].str, "sp ] . / # ( \xc3\xa9", 15));
	/* an entry's key */
	s = split("main.m#key[#3].x#key[\"k\"]", 6, 3);
	T(s[0].kind == MD_SEG_INDEX && s[0].is_key && s[0].lit == MD_LIT_POS && s[0].index == 3);
	T(s[1].kind == MD_SEG_FIELD && !s[1].is_key);
	T(s[2].is_key && s[2].lit == MD_LIT_STRING);
	T(ok("main.sessions[\"s3\"].m"));
	T(ok("main.m[0xc000123450].x"));

	refused("main.m[0x]", "bad key");
	refused("main.m[--1]", "bad key");
	refused("main.m[-]", "bad key");
	refused("main.m[#]", "bad key");
	refused("main.m[#-1]", "bad key");
	refused("main.m[+1]", "bad key");
	refused("main.m[tru]", "bad key");
	refused("main.m[truex]", "bad key");
	refused("main.m[k]", "bad key");
	refused("main.m[1.5]", "missing ']'");
	refused("main.m[0x12345678901234567]", "bad key");
	refused("main.m[-9223372036854775809]", "bad key");
	refused("main.m[\"abc]", "unterminated string");
	refused("main.m[\"abc\"", "missing ']'");
	refused("main.m[\"a\\q\"]", "bad escape");
	refused("main.m[\"a\\x4\"]", "bad escape");
	refused("main.m[\"a\\n\"]", "bad escape");
	refused("main.m[\"a\tb\"]", "control character");
	refused("main.m#key", "#key[K]");
	refused("main.m#keys[1]", "#key[K]");
	refused("main.m#2", "#key[K]");
	refused("main.m#key[]", "bad key");
	char big[400] = "main.m[\"";
	memset(big + 8, 'a', 300);
	strcpy(big + 308, "\"]");
	refused(big, "key longer than 255 bytes");
}

static void types(void)
{
	md_seg *s = split("main.anyBox.(map[string]int)", 11, 1);
	T(s[0].kind == MD_SEG_TYPE);
	T_STR(s[0].name, "map[string]int");
	s = split("main.reg.s.(*main.storeImpl).m", 10, 2);
	T_STR(s[0].name, "*main.storeImpl");
	T_STR(s[1].name, "m");
	s = split("main.anyPtr.(*example.com/acme/store.impl).byKey", 11, 2);
	T_STR(s[0].name, "*example.com/acme/store.impl");
	s = split("main.x.(map[interface {}]int).(func(int) (string, error))", 6, 2);
	T_STR(s[0].name, "map[interface {}]int");
	T_STR(s[1].name, "func(int) (string, error)");
	s = split("main.x.(struct { A int \"json:\\\")\\\"\" }).m", 6, 2);
	T_STR(s[0].name, "struct { A int \"json:\\\")\\\"\" }");
	T(ok("main.anyBox.(map[string]int)"));
	T(ok("main.x.(map[interface {}]int)[\"k\"].(*main.T).m"));
	md_path_root r;
	md_err err;
	T(md_expr_root("main.anyBox.(map[string]int)", &r, &err) == MD_OK);
	T_EQ(r.name_end, 11);
	T(md_expr_root("main.m#key[1]", &r, &err) == MD_OK);
	T_EQ(r.name_end, 6);

	refused("main.x.()", "empty type");
	refused("main.x.(map[string]int", "missing ')'");
	refused("main.x.(func(int)", "missing ')'");
	refused("main.x.(T)y", "unexpected character at offset 10");
	refused("main.x.(T\x01)", "unexpected character in the type");
	refused("main.x.(", "missing ')'");
	refused("main.x).m", "unexpected character");
}

/* The places a stack path's function may end. */
static md_path_root *stack(const char *e, int nsplits)
{
	static md_path_root r;
	md_err err = { MD_OK, "" };
	md_status s = md_expr_root(e, &r, &err);
	T(s == MD_OK && r.kind == MD_PATH_STACK && r.nsplits == nsplits,
	  "'%s': %d kind %d, %d splits, want %d: %s", e, s, r.kind, r.nsplits, nsplits, err.detail);
	return &r;
}

static int split_is(const char *e, const md_stack_split *sp, const char *func, int occ,
                    const char *var)
{
	char f[256], v[256];
	snprintf(f, sizeof f, "%.*s", sp->func_end - sp->func_start, e + sp->func_start);
	snprintf(v, sizeof v, "%.*s", sp->var_end - sp->var_start, e + sp->var_start);
	return T(!strcmp(f, func) && sp->occurrence == occ && !strcmp(v, var),
	         "'%s': %s #%d / %s, want %s #%d / %s", e, f, sp->occurrence, v, func, occ, var);
}

static void stacks(void)
{
	const char *e = "g23/main.parkedChan/local";
	md_path_root *r = stack(e, 1);
	T_EQ(r->goid, 23);
	split_is(e, &r->splits[0], "main.parkedChan", 0, "local");
	e = "g23/main.(*T).run/s.m";
	r = stack(e, 1);
	split_is(e, &r->splits[0], "main.(*T).run", 0, "s");
	e = "g1/main.main/&x.field";
	split_is(e, &stack(e, 1)->splits[0], "main.main", 0, "&x");
	e = "g1/main.main/~r0";
	split_is(e, &stack(e, 1)->splits[0], "main.main", 0, "~r0");
	/* '/' in the function (package paths), in a quoted key, in a type */
	e = "g7/example.com/acme/store.(*S).Get#2/m[\"a/b\"]";
	r = stack(e, 1);
	T_EQ(r->goid, 7);
	split_is(e, &r->splits[0], "example.com/acme/store.(*S).Get", 2, "m");
	e = "g1/main.f/x.(*example.com/acme/store.impl).m";
	split_is(e, &stack(e, 1)->splits[0], "main.f", 0, "x");
	/* only a '/' followed by a variable and selectors that parse ends the
	 * function ("/d" is no selector) */
	e = "g5/a.b/c/d";
	split_is(e, &stack(e, 1)->splits[0], "a.b/c", 0, "d");
	e = "g5/main.F[go.shape.struct { a int }]/x";
	split_is(e, &stack(e, 1)->splits[0], "main.F[go.shape.struct { a int }]", 0, "x");
	e = "g1/main.rec#10/m";
	split_is(e, &stack(e, 1)->splits[0], "main.rec", 10, "m");

	refused("g1/main.main", "expected g<goroutine>/<function>/<variable>");
	refused("g1/", "expected g<goroutine>/<function>/<variable>");
	refused("g1//x", "expected g<goroutine>/<function>/<variable>");
	refused("g1/main.f/", "expected g<goroutine>/<function>/<variable>");
	refused("g1/main.f/x[", "bad key");
	refused("g1/main.f/x\x01", "unexpected character");
	refused("g9223372036854775808/main.f/x", "goroutine id too large");
	/* not a goroutine: a package path */
	T(ok("gx/y.z"));
}

static void headers(void)
{
	md_path_root r;
	md_err err;
	T(md_expr_root("0xc000123450", &r, &err) == MD_OK && r.kind == MD_PATH_ADDR &&
	  r.addr == 0xc000123450ull);
	T(md_expr_root("0XFFFFFFFFFFFFFFFF", &r, &err) == MD_OK && r.addr == UINT64_MAX);
	refused("0x", "map header's address");
	refused("0x0", "not 0");
	refused("0xzz", "map header's address");
	refused("0xc000.m", "takes no selectors");
	refused("0x10000000000000000", "map header's address");
}

int main(void)
{
	plain();
	keys();
	types();
	stacks();
	headers();
	return md_test_done("expr");
}
