/* md_testmaps.h - Swiss maps laid out in our own memory the way a Go
 * 1.24+ runtime lays them out, and the layout DWARF would give for them:
 * for the tests that read maps from a process (ours, or a fork of it).
 * Header-only. */
#ifndef MD_TESTMAPS_H
#define MD_TESTMAPS_H

#include <stdint.h>
#include <string.h>
#include "md_dwarf.h"

/* A Swiss header as a Go 1.24+ internal/runtime/maps.Map lays it out. */
typedef struct swiss {
	uint64_t used, seed;
	uint64_t *dir;
	int64_t dirLen;
	uint8_t globalDepth, globalShift, writing, tombstonePossible;
	uint32_t pad;
	uint64_t clearSeq;
} swiss;

typedef struct table {
	uint64_t used, capacity, growthLeft, localDepth;
} table;

static md_field F(int64_t off, uint32_t size)
{
	return (md_field){ off, size };
}

static void swiss_layout(md_map_layout *l)
{
	memset(l, 0, sizeof *l);
	l->impl = MD_IMPL_SWISS;
	l->header_size = sizeof(swiss);
	l->used = F(0, 8);
	l->seed = F(8, 8);
	l->dirPtr = F(16, 8);
	l->dirLen = F(24, 8);
	l->globalDepth = F(32, 1);
	l->globalShift = F(33, 1);
	l->writing = F(34, 1);
	l->tombstonePossible = F(35, 1);
	l->clearSeq = F(40, 8);
	l->table_size = sizeof(table);
}

#endif
