/* test_gofacts.c - the per-release facts of gofacts.c, each against the line
 * of the runtime source it is transcribed from.
 *
 * Every fact below cites file:line of a release's source; the test reads
 * that line in the installed toolchain (/usr/lib/go-1.NN/src, or the
 * directory given as argv[1] holding go-1.NN/) and checks that it says what
 * the fact was read from, then checks md_gofacts_for's value for that
 * release.  A toolchain that is not installed is reported and its citations
 * skipped (scripts/setup.sh installs them all).  Then: the releases mapdiag
 * refuses (go1.17, go1.18, go1.20: never read), and those it reads with
 * borrowed facts (newer, devel), with their messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "md_test.h"
#include "gofacts.h"
#include "gofacts_write.h"

static const char *golib = "/usr/lib";

typedef struct cite {
	int minor;
	const char *file;  /* under src/ */
	int line;
	const char *text;  /* what the line holds */
} cite;

/* Line `line` of go-1.<minor>/src/<file> into buf; 0 if the file is not
 * there (toolchain not installed), -1 if it has fewer lines. */
static int read_line(int minor, const char *file, int line, char *buf, size_t n)
{
	char path[512];
	snprintf(path, sizeof path, "%s/go-1.%d/src/%s", golib, minor, file);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int at = 0, r = -1;
	while (fgets(buf, (int)n, f))
		if (++at == line) {
			r = 1;
			break;
		}
	fclose(f);
	return r;
}

static int nskipped;

/* The cited line holds text; 0 (and a note) when its toolchain is absent. */
static int check_cite(const cite *c)
{
	char buf[1024];
	snprintf(md_t_ctx, sizeof md_t_ctx, "go1.%d %s:%d", c->minor, c->file, c->line);
	int r = read_line(c->minor, c->file, c->line, buf, sizeof buf);
	if (r == 0) {
		printf("skip go1.%d %s: toolchain not installed\n", c->minor, c->file);
		nskipped++;
		return 0;
	}
	T(r > 0 && strstr(buf, c->text), "line says %s, want \"%s\"", r > 0 ? buf : "(none)\n",
	  c->text);
	return 1;
}

/* loadFactorNum, as md_gofacts_for gives it, for each release with
 * classic maps; the line it is read from. */
static const struct {
	cite c;
	unsigned num;
} load_num[] = {
	{ { 19, "runtime/map.go", 71, "loadFactorNum = 13" }, 13 },
	{ { 19, "runtime/map.go", 72, "loadFactorDen = 2" }, 13 },
	{ { 21, "runtime/map.go", 73, "loadFactorNum = (bucketCnt * 13 / 16) * loadFactorDen" }, 12 },
	{ { 22, "runtime/map.go", 73, "loadFactorNum = loadFactorDen * bucketCnt * 13 / 16" }, 13 },
	{ { 23, "runtime/map.go", 72, "loadFactorNum = loadFactorDen * abi.MapBucketCount * 13 / 16" },
	  13 },
	{ { 24, "runtime/map_noswiss.go", 77,
	    "loadFactorNum = loadFactorDen * abi.OldMapBucketCount * 13 / 16" }, 13 },
	{ { 25, "runtime/map_noswiss.go", 78,
	    "loadFactorNum = loadFactorDen * abi.OldMapBucketCount * 13 / 16" }, 13 },
};

/* The constants every release shares (gofacts.h), where each says so. */
static const cite shared[] = {
	/* bucketCnt = 8 (MD_HMAP_BUCKET_SLOTS) */
	{ 19, "runtime/map.go", 66, "bucketCntBits = 3" },
	{ 21, "internal/abi/map.go", 10, "MapBucketCountBits = 3" },
	{ 22, "internal/abi/map.go", 10, "MapBucketCountBits = 3" },
	{ 23, "internal/abi/map.go", 11, "MapBucketCountBits = 3" },
	{ 24, "internal/abi/map_noswiss.go", 15, "OldMapBucketCountBits = 3" },
	{ 25, "internal/abi/map_noswiss.go", 15, "OldMapBucketCountBits = 3" },
	/* hashWriting = 4 (MD_HMAP_F_WRITING) */
	{ 19, "runtime/map.go", 103, "hashWriting  = 4" },
	{ 21, "runtime/map.go", 104, "hashWriting  = 4" },
	{ 22, "runtime/map.go", 104, "hashWriting  = 4" },
	{ 23, "runtime/map.go", 96, "hashWriting  = 4" },
	{ 24, "runtime/map_noswiss.go", 101, "hashWriting  = 4" },
	{ 25, "runtime/map_noswiss.go", 102, "hashWriting  = 4" },
	/* makeBucketArray's preallocated overflow buckets from B = 4
	 * (md_hmap_array_buckets) */
	{ 19, "runtime/map.go", 350, "if b >= 4 {" },
	{ 21, "runtime/map.go", 351, "if b >= 4 {" },
	{ 22, "runtime/map.go", 351, "if b >= 4 {" },
	{ 23, "runtime/map.go", 364, "if b >= 4 {" },
	{ 24, "runtime/map_noswiss.go", 370, "if b >= 4 {" },
	{ 25, "runtime/map_noswiss.go", 371, "if b >= 4 {" },
	/* tooManyOverflowBuckets caps B at 15 (md_hmap_overflow_threshold) */
	{ 19, "runtime/map.go", 1097, "if B > 15 {" },
	{ 21, "runtime/map.go", 1114, "if B > 15 {" },
	{ 22, "runtime/map.go", 1109, "if B > 15 {" },
	{ 23, "runtime/map.go", 1195, "if B > 15 {" },
	{ 24, "runtime/map_noswiss.go", 1174, "if B > 15 {" },
	{ 25, "runtime/map_noswiss.go", 1175, "if B > 15 {" },
	/* Swiss: 8 slots a group, 7/8 load, 1024 slots a table */
	{ 24, "internal/abi/map_swiss.go", 18, "SwissMapGroupSlots = 1 << SwissMapGroupSlotsBits // 8" },
	{ 25, "internal/abi/map_swiss.go", 18, "SwissMapGroupSlots = 1 << SwissMapGroupSlotsBits // 8" },
	{ 26, "internal/abi/map.go", 18, "MapGroupSlots = 1 << MapGroupSlotsBits // 8" },
	{ 27, "internal/abi/map.go", 18, "MapGroupSlots = 1 << MapGroupSlotsBits // 8" },
	{ 24, "internal/runtime/maps/group.go", 20, "maxAvgGroupLoad = 7" },
	{ 25, "internal/runtime/maps/group.go", 20, "maxAvgGroupLoad = 7" },
	{ 26, "internal/runtime/maps/group.go", 20, "maxAvgGroupLoad = 7" },
	{ 27, "internal/runtime/maps/group.go", 20, "maxAvgGroupLoad = 7" },
	{ 24, "internal/runtime/maps/table.go", 20, "const maxTableCapacity = 1024" },
	{ 25, "internal/runtime/maps/table.go", 20, "const maxTableCapacity = 1024" },
	{ 26, "internal/runtime/maps/table.go", 19, "const maxTableCapacity = 1024" },
	{ 27, "internal/runtime/maps/table.go", 20, "const maxTableCapacity = 1024" },
	/* g in R14 (register ABI) and its TLS slot at -8(FS): what
	 * src/target/goroutine.c reads a thread's g from */
	{ 19, "cmd/compile/abi-internal.md", 413, "| R14 | Current goroutine |" },
	{ 27, "cmd/compile/abi-internal.md", 413, "| R14 | Current goroutine |" },
	{ 19, "cmd/link/internal/ld/sym.go", 89, "into -16(FS) and -8(FS)" },
	/* go1.19's classic write paths (gofacts_write.c classic_121) */
	{ 19, "runtime/map.go", 578, "func mapassign(t *maptype, h *hmap" },
	{ 19, "runtime/map.go", 695, "func mapdelete(t *maptype, h *hmap" },
	{ 19, "runtime/map.go", 993, "func mapclear(t *maptype, h *hmap)" },
	{ 19, "runtime/map.go", 246, "func (h *hmap) newoverflow(" },
	{ 19, "runtime/map.go", 1041, "func hashGrow(t *maptype, h *hmap)" },
	{ 19, "runtime/map.go", 1128, "func growWork(t *maptype, h *hmap" },
	{ 19, "runtime/map.go", 1152, "func evacuate(t *maptype, h *hmap" },
	{ 19, "runtime/map.go", 1266, "func advanceEvacuationMark(h *hmap" },
};

static void test_load_factor(void)
{
	for (size_t i = 0; i < sizeof load_num / sizeof *load_num; i++) {
		char v[32];
		md_gofacts gf;
		check_cite(&load_num[i].c);
		snprintf(v, sizeof v, "go1.%d.3", load_num[i].c.minor);
		md_gofacts_for(v, &gf);
		T(gf.minor == load_num[i].c.minor && gf.known && gf.tested, "%s: minor %d", v,
		  gf.minor);
		T_EQ(gf.hmap_load_num, load_num[i].num);
	}
	md_t_ctx[0] = '\0';
	md_gofacts gf;
	md_gofacts_for("go1.19.8", &gf);
	/* 6.5 on 1.19: 100 entries fit 2^4 buckets (104), not 1.21's 96 */
	T(md_hmap_max_load_factor(&gf) == 6.5);
	T_EQ(md_hmap_fresh_B(&gf, 100), 4);
	T_EQ(md_hmap_fresh_B(&gf, 105), 5);
	md_gofacts_for("go1.21.13", &gf);
	T(md_hmap_max_load_factor(&gf) == 6.0);
	T_EQ(md_hmap_fresh_B(&gf, 100), 5);
}

static void test_shared(void)
{
	for (size_t i = 0; i < sizeof shared / sizeof *shared; i++)
		check_cite(&shared[i]);
	md_t_ctx[0] = '\0';
	T_EQ(MD_HMAP_BUCKET_SLOTS, 8);
	T_EQ(MD_HMAP_F_WRITING, 4);
	T_EQ(md_hmap_array_buckets(3), 8);
	T_EQ(md_hmap_array_buckets(4), 17);
	T_EQ(md_hmap_overflow_threshold(20), 1u << 15);
	T_EQ(MD_SWISS_GROUP_SLOTS, 8);
	T_EQ(MD_SWISS_MAX_AVG_GROUP_LOAD, 7);
	T_EQ(MD_SWISS_MAX_TABLE_CAPACITY, 1024);
	/* go1.19 has a write-path table of its own: the classic one */
	T(md_write_paths(19, 0) != NULL && md_write_paths(19, 1) == NULL);
	T(md_write_path_find(19, 0, "runtime.mapclear") != NULL);
	T(md_write_paths(20, 0) == NULL && md_write_paths(18, 0) == NULL);
}

/* Releases whose facts were never read: refused, one line naming them. */
static void test_refused(void)
{
	static const char *const refused[] = { "go1.17.13", "go1.18.10", "go1.20.14", "go1.16",
		                               "go1.4" };
	for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
		md_err e = { 0 };
		snprintf(md_t_ctx, sizeof md_t_ctx, "%s", refused[i]);
		T_EQ(md_gofacts_check(refused[i], &e), MD_E_RELEASE);
		T(strstr(e.detail, refused[i]) && strstr(e.detail, "never read") &&
		  !strchr(e.detail, '\n'), "%s", e.detail);
		T(!md_gofacts_release_read(atoi(refused[i] + 4)));
	}
	md_t_ctx[0] = '\0';
	static const char *const read[] = { "go1.19.8", "go1.21.0", "go1.24.4 X:noswissmap",
		                            "go1.27.4-X:mapsplitgroup", "go1.29.4", "devel go1.28-abc",
		                            "" };
	for (size_t i = 0; i < sizeof read / sizeof *read; i++) {
		md_err e = { 0 };
		T(md_gofacts_check(read[i], &e) == MD_OK, "%s", read[i]);
	}
}

/* Newer releases and devel builds: the newest facts, said to be borrowed. */
static void test_borrowed(void)
{
	md_gofacts gf;
	char w[256];
	md_gofacts_for("go1.29.4", &gf);
	T(gf.minor == MD_GOFACTS_NEWEST && gf.release == 29 && !gf.known && !gf.tested);
	T(md_gofacts_warning("go1.29.4", w, sizeof w) == 1);
	T(strstr(w, "go1.29.4 is newer") && strstr(w, "go1.27's runtime facts"), "%s", w);
	md_gofacts_for("devel go1.28-abcdef", &gf);
	T(gf.minor == MD_GOFACTS_NEWEST && gf.release == 0 && !gf.known);
	T(md_gofacts_warning("devel go1.28-abcdef", w, sizeof w) == 1);
	T(strstr(w, "devel go1.28-abcdef is not a Go release mapdiag knows"), "%s", w);
	T(md_gofacts_warning("", w, sizeof w) == 1 && strstr(w, "(no version)"), "%s", w);
	md_gofacts_for("go1.27.4-X:mapsplitgroup", &gf);
	T(gf.minor == 27 && gf.known && gf.tested);
	T(md_gofacts_warning("go1.27.4", w, sizeof w) == 0);
	T(md_gofacts_warning("go1.19.8", w, sizeof w) == 0);
	/* refused before any report, but never called newer */
	T(md_gofacts_warning("go1.20.14", w, sizeof w) == 1 && !strstr(w, "newer") &&
	  strstr(w, "go1.19's"), "%s", w);
	/* a hostile version string: no overflow, still one line */
	char big[300];
	memset(big, '9', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	memcpy(big, "go1.", 4);
	md_gofacts_for(big, &gf);
	T(gf.minor == MD_GOFACTS_NEWEST && !gf.known);
	T(md_gofacts_warning(big, w, sizeof w) == 1 && strlen(w) < sizeof w);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		golib = argv[1];
	test_load_factor();
	test_shared();
	test_refused();
	test_borrowed();
	if (nskipped)
		printf("%d citations skipped: toolchains missing under %s\n", nskipped, golib);
	return md_test_done("gofacts");
}
