/* test_rtoff.c - md_dwarf_runtime_off against md_dwarf_type_of_runtime on
 * the real scantargets of every release: a path's .(T) is T's descriptor
 * (runtime_off of the type found by name), and the interface's type word
 * names T back (type_of_runtime).  Go 1.21 and 1.22 write uintptr's
 * attribute as an address: it must come back as an offset.
 *
 *   test_rtoff [BINDIR]     (default testdata/bin; run from the top)
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "md_test.h"
#include "md_dwarf.h"

static const char *const variants[] = {
	"go1.21", "go1.22", "go1.23", "go1.24", "go1.24-noswiss", "go1.25", "go1.25-noswiss",
	"go1.26", "go1.27",
};

/* Types every scantarget has a descriptor of; their DWARF names. */
static const char *const names[] = {
	"map[string]int", "map[int]int", "*main.Holder", "main.Holder", "uintptr", "string",
	"[]uint8", "int",
};

static void one(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("skip %s: %s\n", path, strerror(errno));
		return;
	}
	md_dwarf_opts o = { path, fd, NULL, "/nonexistent" };
	md_dwarf *d = NULL;
	md_err err;
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", path);
	if (T(md_dwarf_open(&o, &d, &err) == MD_OK, "%s", err.detail)) {
		for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
			md_type_id t, back;
			md_type bt;
			uint64_t off;
			if (!T(md_dwarf_type_by_name(d, names[i], &t, &err) == MD_OK, "%s: %s", names[i],
			       err.detail))
				continue;
			if (!T(md_dwarf_runtime_off(d, t, &off, &err) == MD_OK, "%s: %s", names[i],
			       err.detail))
				continue;
			if (!T(md_dwarf_type_of_runtime(d, off, &back, &err) == MD_OK,
			       "%s: offset 0x%llx: %s", names[i], (unsigned long long)off, err.detail))
				continue;
			T(md_dwarf_type(d, back, &bt, &err) == MD_OK && !strcmp(bt.name, names[i]),
			  "%s: offset 0x%llx names %s", names[i], (unsigned long long)off, bt.name);
		}
		/* a type the linker made for debuggers has no descriptor */
		md_type_id t;
		uint64_t off;
		if (T(md_dwarf_type_by_name(d, "map.hdr[string]int", &t, &err) == MD_OK ||
		      md_dwarf_type_by_name(d, "map<string,int>", &t, &err) == MD_OK ||
		      md_dwarf_type_by_name(d, "hash<string,int>", &t, &err) == MD_OK,
		      "no map header type"))
			T(md_dwarf_runtime_off(d, t, &off, &err) == MD_NOTFOUND, "header type: 0x%llx",
			  (unsigned long long)off);
		md_dwarf_free(d);
	}
	close(fd);
	md_t_ctx[0] = '\0';
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "testdata/bin";
	for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s/scantarget", dir, variants[i]);
		one(path);
	}
	return md_test_done("rtoff");
}
