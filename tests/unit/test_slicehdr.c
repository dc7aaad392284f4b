/* test_slicehdr.c - a slice header's layout from the DWARF of real Go
 * binaries (every variant's writers: go1.19 .. go1.27, noswiss,
 * splitgroup), and which len/cap pairs md_slice_hdr_plausible lets the
 * census walk follow.
 *
 *   build/tests/test_slicehdr [testdata/bin]
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include "md_test.h"
#include "md_testbin.h"
#include "slicehdr.h"

static int nbin;

/* Slice types every Go binary's DWARF has. */
static const char *const slice_types[] = { "[]uint8", "[]string" };

static void test_binary(const char *path, const variant *v)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	md_dwarf_opts opts = { path, fd, NULL, NULL };
	md_dwarf *d = NULL;
	md_err e;
	md_status st = md_dwarf_open(&opts, &d, &e);
	if (T(st == MD_OK, "md_dwarf_open: %d %s", st, e.detail)) {
		nbin++;
		for (size_t i = 0; i < sizeof slice_types / sizeof *slice_types; i++) {
			md_type_id id;
			md_slice_hdr h = { 99, 99, 99 };
			snprintf(md_t_ctx, sizeof md_t_ctx, "%s %s", path, slice_types[i]);
			if (!T(md_dwarf_type_by_name(d, slice_types[i], &id, &e) == MD_OK, "%s",
			       e.detail))
				continue;
			if (!T(md_slice_hdr_get(d, id, &h, &e) == MD_OK, "%s", e.detail))
				continue;
			/* Go's runtime.slice: {array, len, cap}, three words */
			T_EQ(h.off_data, 0);
			T_EQ(h.off_len, 8);
			T_EQ(h.off_cap, 16);
			T_EQ(md_slice_hdr_len(&h), 16);
			T_EQ(md_slice_hdr_len_cap(&h), 24);
		}
		/* not a slice: no array/len/cap members, a clean MD_E_DWARF */
		md_type_id id;
		md_slice_hdr h;
		if (T(md_dwarf_type_by_name(d, "runtime.hmap", &id, &e) == MD_OK ||
		      md_dwarf_type_by_name(d, "internal/runtime/maps.Map", &id, &e) == MD_OK,
		      "no map header type"))
			T(md_slice_hdr_get(d, id, &h, &e) == MD_E_DWARF && strstr(e.detail, "cap"),
			  "%s", e.detail);
	}
	(void)v;
	md_dwarf_free(d);
	if (fd >= 0)
		close(fd);
	md_t_ctx[0] = '\0';
}

static void test_plausible(void)
{
	/* what the runtime makes: 0 <= len <= cap */
	T(md_slice_hdr_plausible(0, 0, 8));
	T(md_slice_hdr_plausible(3, 4, 24));
	T(md_slice_hdr_plausible(4, 4, 24));
	/* a dead stack slot seen on go1.19: a pointer where len was */
	T(!md_slice_hdr_plausible(0xc000102080ll, 3, 24));
	T(!md_slice_hdr_plausible(5, 4, 8));
	T(!md_slice_hdr_plausible(-1, 4, 8));
	T(!md_slice_hdr_plausible(0, -1, 8));
	T(!md_slice_hdr_plausible(INT64_MIN, INT64_MIN, 8));
	/* the backing array must fit 2^47 bytes */
	const int64_t most = (int64_t)(MD_SLICE_MAX_BYTES / 24);
	T(md_slice_hdr_plausible(1, most, 24));
	T(!md_slice_hdr_plausible(1, most + 1, 24));
	T(!md_slice_hdr_plausible(INT64_MAX, INT64_MAX, 1));
	/* zero-size elements: the bound is on the count alone */
	T(md_slice_hdr_plausible((int64_t)MD_SLICE_MAX_BYTES, (int64_t)MD_SLICE_MAX_BYTES, 0));
	T(!md_slice_hdr_plausible(1, (int64_t)MD_SLICE_MAX_BYTES + 1, 0));
	/* a layout whose cap word comes first still reads all three */
	md_slice_hdr h = { 8, 16, 0 };
	T_EQ(md_slice_hdr_len_cap(&h), 24);
	md_slice_hdr g = { 0, 8, 24 };
	T_EQ(md_slice_hdr_len_cap(&g), MD_SLICE_HDR_MAX);
}

int main(int argc, char **argv)
{
	test_plausible();
	const char *dir = argc > 1 ? argv[1] : "testdata/bin";
	test_tree(dir, "writers", test_binary);
	/* go1.19, go1.21 .. go1.27, two noswiss builds and the splitgroup one */
	T(nbin >= 11, "%d writers binaries under %s, want 11 (run tests/build-targets.sh)", nbin,
	  dir);
	return md_test_done("slicehdr");
}
