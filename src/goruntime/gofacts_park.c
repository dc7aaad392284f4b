/* gofacts_park.c - wait reasons a map write can park with (see
 * gofacts_park.h). */
#include "gofacts_park.h"

typedef struct wait_facts {
	int minor;
	uint8_t gc_assist_wait, semacquire;
} wait_facts;

/* runtime/runtime2.go of each release, the position of each constant in
 * the "waitReasonZero waitReason = iota" list: */
static const wait_facts facts[] = {
	{ 19, 11, 18 },   /* go-1.19 runtime2.go:1050, :1057 */
	{ 21, 11, 18 },   /* go-1.21 runtime2.go:1069, :1076 */
	{ 22, 11, 18 },   /* go-1.22 runtime2.go:1106, :1113 */
	{ 23, 11, 18 },   /* go-1.23 runtime2.go:1073, :1080 */
	{ 24, 11, 18 },   /* go-1.24 runtime2.go:1055, :1062 */
	{ 25, 11, 19 },   /* go-1.25 runtime2.go:1067, :1075 (UpdateGOMAXPROCSIdle added before it) */
	{ 26, 7, 13 },    /* go-1.26 runtime2.go:1230, :1236 (the list was reordered) */
	{ 27, 7, 13 },    /* go-1.27 runtime2.go:1231, :1237 */
};

int md_wait_may_write(int minor, uint8_t reason)
{
	for (unsigned i = 0; i < sizeof facts / sizeof facts[0]; i++)
		if (facts[i].minor == minor)
			return reason == facts[i].gc_assist_wait || reason == facts[i].semacquire;
	return 1;
}
