/* testhook.c - see testhook.h; empty outside test builds. */
#include "testhook.h"

#ifdef MD_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>

void md_test_hook(const char *point)
{
	const char *e = getenv("MAPDIAG_TEST_SIGSTOP");
	if (e && !strcmp(e, point))
		raise(SIGSTOP);
}
#endif
