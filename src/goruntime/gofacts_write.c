/* gofacts_write.c - the map write paths of each Go release, transcribed from
 * the runtime source (see gofacts_write.h for what is listed and why), and
 * checked against the .symtab of testdata/bin/<variant>/writers by
 * tests/unit/test_writepaths.c.
 *
 * Classic hmap: src/runtime/map.go, map_fast32.go, map_fast64.go,
 * map_faststr.go (1.19, 1.21 .. 1.23); map_noswiss.go, map_fast*_noswiss.go
 * (1.24, 1.25 with GOEXPERIMENT=noswissmap).  Removed in 1.26.
 * Swiss: src/internal/runtime/maps/ (1.24 ..), plus runtime's own mapdelete
 * and mapclear (src/runtime/map_swiss.go in 1.24/1.25, map.go from 1.26).
 */
#include <stddef.h>
#include <string.h>
#include "gofacts_write.h"

#define W(f, p) { f, MD_WRITE_WRITE, p, 0 }
#define D(f, p) { f, MD_WRITE_DELETE, p, 0 }
#define C(f, p) { f, MD_WRITE_CLEAR, p, 0 }
#define G(f, p) { f, MD_WRITE_GROW, p, 1 }
#define END     { NULL, MD_WRITE_WRITE, NULL, 0 }

#define RT "runtime."
#define MAPS "internal/runtime/maps."

/* ---- classic hmap ------------------------------------------------------- */

/* Every classic release.  mapassign_fast32ptr (map_fast32.go) is left out:
 * 32-bit targets only.  Inlined everywhere, never a frame: mapclear's
 * markBucketsEmpty closure, bucketEvacuated, (*hmap).growing,
 * (*hmap).sameSizeGrow, tooManyOverflowBuckets, overLoadFactor. */
#define CLASSIC_COMMON \
	/* map.go / map_noswiss.go */ \
	W(RT "mapassign", "h"), \
	D(RT "mapdelete", "h"), \
	C(RT "mapclear", "h"), \
	W(RT "(*hmap).newoverflow", "h"), \
	G(RT "hashGrow", "h"), \
	G(RT "growWork", "h"), \
	G(RT "evacuate", "h"), \
	G(RT "advanceEvacuationMark", "h"), \
	/* map_fast32.go / map_fast32_noswiss.go */ \
	W(RT "mapassign_fast32", "h"), \
	D(RT "mapdelete_fast32", "h"), \
	G(RT "growWork_fast32", "h"), \
	G(RT "evacuate_fast32", "h"), \
	/* map_fast64.go / map_fast64_noswiss.go */ \
	W(RT "mapassign_fast64", "h"), \
	W(RT "mapassign_fast64ptr", "h"), \
	D(RT "mapdelete_fast64", "h"), \
	G(RT "growWork_fast64", "h"), \
	G(RT "evacuate_fast64", "h"), \
	/* map_faststr.go / map_faststr_noswiss.go */ \
	W(RT "mapassign_faststr", "h"), \
	D(RT "mapdelete_faststr", "h"), \
	G(RT "growWork_faststr", "h"), \
	G(RT "evacuate_faststr", "h")

/* Go 1.19 and 1.21: (*hmap).incrnoverflow is inlined into newoverflow.
 * 1.19 has every function of CLASSIC_COMMON (runtime/map.go: mapassign
 * :578, mapdelete :695, mapclear :993, newoverflow :246, hashGrow :1041,
 * growWork :1128, evacuate :1152, advanceEvacuationMark :1266; the fast
 * variants in map_fast32.go, map_fast64.go, map_faststr.go); mapclone2,
 * not listed anyway, is new in 1.21. */
static const md_write_path classic_121[] = {
	CLASSIC_COMMON,
	END
};

/* Go 1.22 .. 1.25 (noswissmap): incrnoverflow has a frame of its own
 * (called from newoverflow; map.go / map_noswiss.go). */
static const md_write_path classic_122[] = {
	CLASSIC_COMMON,
	W(RT "(*hmap).incrnoverflow", "h"),
	END
};

/* ---- Swiss tables -------------------------------------------------------- */

/* Every Swiss release.  The runtime_mapassign* and runtime_mapdelete_fast*
 * of internal/runtime/maps are linknamed to runtime.mapassign* and
 * runtime.mapdelete_fast*.  Inlined everywhere, never a frame:
 * (*Map).directoryAt, directoryIndex, directorySet, replaceTable,
 * (*table).resetGrowthLeft / maxGrowthLeft, tombstones, checkInvariants. */
#define SWISS_COMMON \
	/* maps/runtime_swiss.go (1.24, 1.25), maps/runtime.go (1.26 ..) */ \
	W(RT "mapassign", "m"), \
	/* maps/runtime_fast32_swiss.go (1.24, 1.25), runtime_fast32.go */ \
	W(RT "mapassign_fast32", "m"), \
	D(RT "mapdelete_fast32", "m"), \
	W(MAPS "(*Map).putSlotSmallFast32", "m"), \
	/* maps/runtime_fast64_swiss.go (1.24, 1.25), runtime_fast64.go */ \
	W(RT "mapassign_fast64", "m"), \
	W(RT "mapassign_fast64ptr", "m"), \
	D(RT "mapdelete_fast64", "m"), \
	W(MAPS "(*Map).putSlotSmallFast64", "m"), \
	W(MAPS "(*Map).putSlotSmallFastPtr", "m"), \
	/* maps/runtime_faststr_swiss.go (1.24, 1.25), runtime_faststr.go */ \
	W(RT "mapassign_faststr", "m"), \
	D(RT "mapdelete_faststr", "m"), \
	W(MAPS "(*Map).putSlotSmallFastStr", "m"), \
	/* runtime/map_swiss.go (1.24, 1.25), runtime/map.go (1.26 ..) */ \
	D(RT "mapdelete", "m"), \
	C(RT "mapclear", "m"), \
	/* maps/map.go */ \
	W(MAPS "(*Map).putSlotSmall", "m"), \
	D(MAPS "(*Map).Delete", "m"), \
	D(MAPS "(*Map).deleteSmall", "m"), \
	C(MAPS "(*Map).Clear", "m"), \
	C(MAPS "(*Map).clearSmall", "m"), \
	G(MAPS "(*Map).growToSmall", "m"), \
	G(MAPS "(*Map).growToTable", "m"), \
	G(MAPS "(*Map).installTableSplit", "m"), \
	/* maps/table.go */ \
	D(MAPS "(*table).Delete", "m"), \
	C(MAPS "(*table).Clear", "t"), \
	G(MAPS "(*table).rehash", "m"), \
	G(MAPS "(*table).grow", "m"), \
	G(MAPS "(*table).split", "m"), \
	G(MAPS "(*table).uncheckedPutSlot", "t")

/* Go 1.24: (*Map).PutSlot and (*table).PutSlot (map.go, table.go) are
 * reached from (*Map).Put, which runtime.mapclone2 (map_swiss.go) uses to
 * build a clone.  The runtime_mapassign* entry points do not use them. */
static const md_write_path swiss_124[] = {
	SWISS_COMMON,
	W(MAPS "(*Map).PutSlot", "m"),
	W(MAPS "(*table).PutSlot", "m"),
	END
};

/* Go 1.25, 1.26: (*table).pruneTombstones (table.go) is new, called when a
 * table is out of growth room, before it grows.  (*Map).PutSlot and
 * (*table).PutSlot still exist in the source but nothing in the runtime
 * reaches them any more (mapclone2 uses (*Map).Clone), so the linker drops
 * them. */
static const md_write_path swiss_125[] = {
	SWISS_COMMON,
	W(MAPS "(*table).pruneTombstones", "m"),
	END
};

/* Go 1.27: the key that turns a small map into a table is inserted, after
 * growToTable, by the new (*table).uncheckedPutSlotForAssign* (table.go,
 * runtime_fast32.go, runtime_fast64.go, runtime_faststr.go). */
static const md_write_path swiss_127[] = {
	SWISS_COMMON,
	W(MAPS "(*table).pruneTombstones", "m"),
	W(MAPS "(*table).uncheckedPutSlotForAssign", "t"),
	W(MAPS "(*table).uncheckedPutSlotForAssignFast32", "t"),
	W(MAPS "(*table).uncheckedPutSlotForAssignFast64", "t"),
	W(MAPS "(*table).uncheckedPutSlotForAssignFastPtr", "t"),
	W(MAPS "(*table).uncheckedPutSlotForAssignFastStr", "t"),
	END
};

const md_write_path *md_write_paths(int minor, int swiss)
{
	if (swiss) {
		switch (minor) {
		case 24: return swiss_124;
		case 25: case 26: return swiss_125;
		case 27: return swiss_127;
		default: return NULL;
		}
	}
	switch (minor) {
	case 19: case 21: return classic_121;
	case 22: case 23: case 24: case 25: return classic_122;
	default: return NULL;
	}
}

const md_write_path *md_write_path_find(int minor, int swiss, const char *func)
{
	const md_write_path *wp = md_write_paths(minor, swiss);
	if (!wp || !func)
		return NULL;
	for (; wp->func; wp++)
		if (strcmp(wp->func, func) == 0)
			return wp;
	return NULL;
}

const char *md_write_kind_name(md_write_kind kind)
{
	switch (kind) {
	case MD_WRITE_WRITE: return "write";
	case MD_WRITE_DELETE: return "delete";
	case MD_WRITE_CLEAR: return "clear";
	case MD_WRITE_GROW: return "grow";
	}
	return "?";
}

int md_func_is_runtime(const char *f)
{
	return !strncmp(f, "runtime.", 8) || !strncmp(f, "internal/runtime/", 17) ||
	       !strncmp(f, "internal/abi.", 13);
}

int md_func_is_stack_root(const char *f)
{
	return !strncmp(f, "runtime.goexit", 14) || !strncmp(f, "runtime.clone", 13) ||
	       !strncmp(f, "runtime.rt0_go", 14) || !strncmp(f, "runtime.mstart.", 15) ||
	       !strcmp(f, "runtime.mstart");
}
