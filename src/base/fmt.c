/* fmt.c - numbers for people (see fmt.h). */
#include <stdio.h>
#include "fmt.h"

const char *md_fmt_bytes(uint64_t b, char *buf, size_t n)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double x = (double)b;
	int i = 0;
	while (x >= 1024 && i < 4) {
		x /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)b);
	else
		snprintf(buf, n, "%.1f %s", x, unit[i]);
	return buf;
}
