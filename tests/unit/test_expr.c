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
	T(ok("main.cache"));
	T(ok("example.com/acme/store.Sessions"));
	T(ok("main.srv.sessions"));
	T(ok("main.shards[2].m"));
	T(ok("main.a[0][12].b"));
	T(ok("gopkg.in/yaml.v3.cache"));
	T(ok("main.caf\xc3\xa9"));          /* UTF-8 identifiers */
	T(!ok(""));
	T(!ok("cache"));                      /* not package-qualified */
	T(!ok("main[1].x"));
	T(!ok("main."));
	T(!ok(".main.x"));
	T(!ok("main..x"));
	T(!ok("main.x[]"));
	T(!ok("main.x[-1]"));
	T(!ok("main.x[1"));
	T(!ok("main.x]"));
	T(!ok("main.x[1]y"));
	T(!ok("main.x[0x10]"));
	T(!ok("main.x y"));
	T(!ok("main.x\n"));
	char longe[2000];
	memset(longe, 'a', sizeof longe);
	memcpy(longe, "main.", 5);
	longe[sizeof longe - 1] = 0;
	T(!ok(longe));
	T(md_expr_check("", &err) == MD_E_BADEXPR);

	md_seg s[MD_EXPR_MAX_SEGS];
	int n;
	const char *e = "main.shards[3].m";
	T(md_expr_split(e, 11, s, &n, &err) == MD_OK);
	T_EQ(n, 2);
	T(s[0].kind == MD_SEG_INDEX);
	T_EQ(s[0].index, 3);
	T_EQ(s[0].end, 14);
	T(s[1].kind == MD_SEG_FIELD);
	T_STR(s[1].name, "m");
	T_EQ(s[1].end, 16);

	T(md_expr_split("main.x", 6, s, &n, &err) == MD_OK);
	T_EQ(n, 0);
	T(md_expr_split("main.x.a.b[7]", 6, s, &n, &err) == MD_OK);
	T_EQ(n, 3);
	T_STR(s[0].name, "a");
	T_STR(s[1].name, "b");
	T_EQ(s[2].index, 7);
	T(md_expr_split("main.x[99999999999999999999]", 6, s, &n, &err) == MD_E_BADEXPR);

	/* more selectors than the limit */
	char many[4 * MD_EXPR_MAX_SEGS + 16] = "main.x";
	for (int i = 0; i <= MD_EXPR_MAX_SEGS; i++)
		strcat(many, "[1]");
	T(md_expr_split(many, 6, s, &n, &err) == MD_E_BADEXPR);
	return md_test_done("expr");
}
