/* test_expr.c - the variable expression syntax. */
#include "md_test.h"
#include "expr.h"

static int ok(const char *e)
{
	md_err err;
	return md_expr_check(e, &err) == MD_OK;
}

int main(void)
{
	md_err err;
	CHECK(ok("main.cache"));
	CHECK(ok("example.com/acme/store.Sessions"));
	CHECK(ok("main.srv.sessions"));
	CHECK(ok("main.shards[2].m"));
	CHECK(ok("main.a[0][12].b"));
	CHECK(ok("gopkg.in/yaml.v3.cache"));
	CHECK(ok("main.caf\xc3\xa9"));          /* UTF-8 identifiers */
	CHECK(!ok(""));
	CHECK(!ok("cache"));                      /* not package-qualified */
	CHECK(!ok("main[1].x"));
	CHECK(!ok("main."));
	CHECK(!ok(".main.x"));
	CHECK(!ok("main..x"));
	CHECK(!ok("main.x[]"));
	CHECK(!ok("main.x[-1]"));
	CHECK(!ok("main.x[1"));
	CHECK(!ok("main.x]"));
	CHECK(!ok("main.x[1]y"));
	CHECK(!ok("main.x[0x10]"));
	CHECK(!ok("main.x y"));
	CHECK(!ok("main.x\n"));
	char longe[2000];
	memset(longe, 'a', sizeof longe);
	memcpy(longe, "main.", 5);
	longe[sizeof longe - 1] = 0;
	CHECK(!ok(longe));
	CHECK(md_expr_check("", &err) == MD_E_BADEXPR);

	md_seg s[MD_EXPR_MAX_SEGS];
	int n;
	const char *e = "main.shards[3].m";
	CHECK(md_expr_split(e, 11, s, &n, &err) == MD_OK);
	CHECK_EQ_U(n, 2);
	CHECK(s[0].kind == MD_SEG_INDEX);
	CHECK_EQ_U(s[0].index, 3);
	CHECK_EQ_U(s[0].end, 14);
	CHECK(s[1].kind == MD_SEG_FIELD);
	CHECK_STR(s[1].name, "m");
	CHECK_EQ_U(s[1].end, 16);

	CHECK(md_expr_split("main.x", 6, s, &n, &err) == MD_OK);
	CHECK_EQ_U(n, 0);
	CHECK(md_expr_split("main.x.a.b[7]", 6, s, &n, &err) == MD_OK);
	CHECK_EQ_U(n, 3);
	CHECK_STR(s[0].name, "a");
	CHECK_STR(s[1].name, "b");
	CHECK_EQ_U(s[2].index, 7);
	CHECK(md_expr_split("main.x[99999999999999999999]", 6, s, &n, &err) == MD_E_BADEXPR);

	/* more selectors than the limit */
	char many[4 * MD_EXPR_MAX_SEGS + 16] = "main.x";
	for (int i = 0; i <= MD_EXPR_MAX_SEGS; i++)
		strcat(many, "[1]");
	CHECK(md_expr_split(many, 6, s, &n, &err) == MD_E_BADEXPR);
	return md_test_done("expr");
}
