/* test_rtoff.c - md_dwarf_runtime_off against md_dwarf_type_of_runtime on
 * the real scantargets of every release: a path's .(T) is T's descriptor
 * (runtime_off of the type found by name), and the interface's type word
 * names T back (type_of_runtime).  Go 1.21 and 1.22 write uintptr's
 * attribute as an address: it must come back as an offset.
 *
 * How a descriptor says its value travels in an interface
 * (md_rtype_direct_at) is read from the binary's own loaded bytes: DWARF
 * alone calls runtime.pdEface's *runtime.pollDesc direct, but pollDesc is
 * not in the heap and the compiler boxes pointers to it.
 *
 *   test_rtoff [BINDIR]     (default testdata/bin; run from the top)
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gelf.h>
#include <stdlib.h>
#include "md_test.h"
#include "md_dwarf.h"
#include "rtype.h"

static const char *const variants[] = {
	"go1.21", "go1.22", "go1.23", "go1.24", "go1.24-noswiss", "go1.25", "go1.25-noswiss",
	"go1.26", "go1.27",
};

/* Types every scantarget has a descriptor of; their DWARF names. */
static const char *const names[] = {
	"map[string]int", "map[int]int", "*main.Holder", "main.Holder", "uintptr", "string",
	"[]uint8", "int",
};

/* The file's loaded segments as memory (the link-time addresses of a
 * non-PIE binary are its run-time ones): what static data holds before
 * the program runs. */
#define MAX_SEGS 8
typedef struct image {
	md_memcopy seg[MAX_SEGS];
	size_t n;
	md_memcopy none;
	md_mem under, mem;
	md_overlay ov;
} image;

static int image_load(image *im, int fd)
{
	memset(im, 0, sizeof *im);
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t np;
	if (!e || elf_getphdrnum(e, &np) != 0) {
		if (e)
			elf_end(e);
		return 0;
	}
	for (size_t i = 0; i < np && im->n < MAX_SEGS; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		unsigned char *b = malloc(ph.p_filesz);
		if (!b || pread(fd, b, ph.p_filesz, (off_t)ph.p_offset) != (ssize_t)ph.p_filesz) {
			free(b);
			continue;
		}
		im->seg[im->n++] = (md_memcopy){ ph.p_vaddr, b, ph.p_filesz };
	}
	elf_end(e);
	md_mem_open_copy(&im->under, &im->none);
	im->ov = (md_overlay){ &im->under, im->seg, im->n };
	md_mem_open_overlay(&im->mem, &im->ov);
	return im->n > 0;
}

static void image_free(image *im)
{
	for (size_t i = 0; i < im->n; i++)
		free((void *)im->seg[i].bytes);
}

static void direct_iface(md_dwarf *d, int fd)
{
	image im;
	md_rtypes rt;
	md_err err;
	if (!T(image_load(&im, fd), "cannot load the segments") ||
	    !T(md_rtypes_load(d, 0, &rt, &err) == MD_OK, "%s", err.detail)) {
		image_free(&im);
		return;
	}
	T(rt.size_off == 0 && rt.ptrdata_off == 8, "descriptor layout: size at %llu, ptrdata at %llu",
	  (unsigned long long)rt.size_off, (unsigned long long)rt.ptrdata_off);
	/* pointer-shaped types and others: the descriptor agrees with DWARF */
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		md_type_id t;
		uint64_t off;
		int dir = -1;
		if (md_dwarf_type_by_name(d, names[i], &t, &err) != MD_OK ||
		    md_dwarf_runtime_off(d, t, &off, &err) != MD_OK)
			continue;
		md_status st = md_rtype_direct_at(&im.mem, &rt, rt.types_base + off, &dir, &err);
		T(st == MD_OK && dir == md_rtype_direct(d, t), "%s: direct %d (DWARF: %d): %s",
		  names[i], dir, md_rtype_direct(d, t), st ? err.detail : "");
		if (!strcmp(names[i], "*main.Holder") || !strcmp(names[i], "map[string]int"))
			T(dir == 1, "%s travels in the data word", names[i]);
	}
	/* runtime.pdEface = (*pollDesc)(nil): the type word names a pointer
	 * that DWARF calls direct, the descriptor says boxed */
	size_t nl;
	uint64_t at, tw, box, inbox;
	md_type_id vt, pt;
	md_type ptt;
	int dir = -1;
	if (T(md_dwarf_find_var(d, "runtime.pdEface", &nl, &at, &vt, &err) == MD_OK, "%s",
	      err.detail) &&
	    T(md_mem_read64(&im.mem, at, &tw) && md_mem_read64(&im.mem, at + 8, &box),
	      "runtime.pdEface at 0x%llx is not in the file", (unsigned long long)at) &&
	    T(md_dwarf_type_of_runtime(d, tw - rt.types_base, &pt, &err) == MD_OK &&
	      md_dwarf_type(d, pt, &ptt, &err) == MD_OK, "pdEface's type word: %s", err.detail)) {
		T(!strcmp(ptt.name, "*runtime.pollDesc"), "pdEface holds a %s", ptt.name);
		T(md_rtype_direct(d, pt) == 1, "DWARF alone calls *runtime.pollDesc direct");
		T(md_rtype_direct_at(&im.mem, &rt, tw, &dir, &err) == MD_OK && dir == 0,
		  "the descriptor of *runtime.pollDesc says boxed: %d", dir);
		/* the box holds the nil pointer (the box may be in .bss, not in
		 * the file: then it is not checked) */
		if (box && md_mem_read64(&im.mem, box, &inbox))
			T(inbox == 0, "pdEface's box holds 0x%llx", (unsigned long long)inbox);
	}
	image_free(&im);
}

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
		direct_iface(d, fd);
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
