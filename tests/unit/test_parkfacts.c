/* test_parkfacts.c - gofacts_park.c's wait reasons against the runtime
 * source of every toolchain installed (/usr/lib/go-1.NN/src/runtime/
 * runtime2.go): the position of each constant in the "waitReasonZero
 * waitReason = iota" list is its value.  A release whose source is absent
 * is skipped (and said); the table must agree with every one present. */
#include <stdlib.h>
#include "md_test.h"
#include "gofacts_park.h"

/* Value of each waitReason constant of a runtime2.go: names[i] gets i. */
static int wait_reasons(const char *path, char names[64][64], int *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[512];
	int on = 0;
	*n = 0;
	while (fgets(line, sizeof line, f) && *n < 64) {
		char name[64];
		if (strstr(line, "waitReasonZero") && strstr(line, "iota"))
			on = 1;
		if (!on)
			continue;
		if (line[0] == ')')
			break;
		if (sscanf(line, " %63[A-Za-z0-9_]", name) == 1 && !strncmp(name, "waitReason", 10))
			snprintf(names[(*n)++], 64, "%s", name);
	}
	fclose(f);
	return on;
}

static int value_of(char names[64][64], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int main(void)
{
	static const int minors[] = { 19, 21, 22, 23, 24, 25, 26, 27 };
	int checked = 0;
	for (unsigned k = 0; k < sizeof minors / sizeof minors[0]; k++) {
		char path[128], names[64][64];
		int n;
		snprintf(path, sizeof path, "/usr/lib/go-1.%d/src/runtime/runtime2.go", minors[k]);
		snprintf(md_t_ctx, sizeof md_t_ctx, "go1.%d", minors[k]);
		if (!wait_reasons(path, names, &n)) {
			printf("skip %s: not installed\n", path);
			continue;
		}
		checked++;
		/* what a write can park in */
		int a = value_of(names, n, "waitReasonGCAssistWait");
		int s = value_of(names, n, "waitReasonSemacquire");
		T(a > 0 && md_wait_may_write(minors[k], (uint8_t)a), "GCAssistWait = %d", a);
		T(s > 0 && md_wait_may_write(minors[k], (uint8_t)s), "Semacquire = %d", s);
		/* and what it cannot: every other reason */
		for (int i = 0; i < n; i++)
			if (i != a && i != s)
				T(!md_wait_may_write(minors[k], (uint8_t)i), "%s = %d", names[i], i);
	}
	md_t_ctx[0] = '\0';
	T(checked > 0, "no toolchain installed");
	/* a release the table does not know: no claim */
	T(md_wait_may_write(99, 4) && md_wait_may_write(17, 0));
	return md_test_done("parkfacts");
}
