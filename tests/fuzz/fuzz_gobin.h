/* fuzz_gobin.h - real Go binaries loaded once, for the harnesses that run
 * the census over hostile memory with real DWARF (fuzz_walk's interface
 * step, fuzz_stack).
 *
 * Which binaries: $FUZZ_GOBIN (paths separated by ':'), else
 * testdata/bin/go1.23/censustarget (DWARF 4, classic maps) and
 * testdata/bin/go1.26/censustarget (DWARF 5, Swiss maps) next to the
 * harness (build/fuzz/<h> -> ../../testdata/bin: `make targets` builds
 * them, as `make check` does before the fuzz step), else
 * build/fuzz/seeds/mini (tests/fuzz/seed/mini.S, always there after `make
 * fuzz-build`: two type descriptors, three functions).  What an input
 * means therefore depends on which were found: run.sh says so.
 *
 * Of each: its DWARF (md_dwarf), its CFI (md_cfi, NULL if none), a table
 * of pcs (every function of package main and of a sample of the others,
 * at its entry, a third and two thirds in: link-time addresses from the
 * ELF symbol table) and a table of run-time type descriptor offsets (of
 * the types named in fz_type_names that the binary has:
 * md_dwarf_runtime_off).  Inputs index the tables modulo their size.
 */
#ifndef FUZZ_GOBIN_H
#define FUZZ_GOBIN_H

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "md_dwarf.h"
#include "md_cfi.h"

#define FZ_MAX_GOBINS 3
#define FZ_MAX_PCS 4096
#define FZ_MAX_TOFFS 64

typedef struct fz_gobin {
	char path[PATH_MAX];
	md_dwarf *d;
	md_cfi *cfi;
	uint64_t pcs[FZ_MAX_PCS];
	size_t npcs;
	uint64_t toffs[FZ_MAX_TOFFS];
	size_t ntoffs;
} fz_gobin;

static const char *const fz_type_names[] = {
	/* censustarget's: the dynamic types of its interfaces and more */
	"*main.holder", "*main.storeImpl", "map[string]int", "main.holder",
	"*main.Session", "map[string]*main.Session", "map[int]int", "*main.conn",
	"main.conn", "*main.worker", "[]main.item", "main.sleepCfg", "main.registry",
	"*main.registry", "map[int]*main.Session", "*main.hiddenBox", "main.config",
	"map[int]string", "map[string]bool", "*main.config", "[1]map[string]int",
	/* anything's */
	"int", "string", "*int", "[]int", "error", "*errors.errorString",
	"sync.Mutex", "*sync.Mutex", "sync.Map", "*sync.Map", "map[string]interface {}",
	"[]interface {}", "*os.File", "time.Duration",
	/* mini's */
	"*main.Holder", "main.Holder",
};

/* The functions of the ELF symbol table: package main's all, one in 8 of
 * the others. */
static void fz_gobin_pcs(fz_gobin *g, int fd)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	size_t other = 0;
	while (e && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; data && i < n && g->npcs + 3 <= FZ_MAX_PCS; i++) {
			GElf_Sym s;
			if (!gelf_getsym(data, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !s.st_value)
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (!name)
				continue;
			if (strncmp(name, "main.", 5) != 0 && other++ % 8 != 0)
				continue;
			g->pcs[g->npcs++] = s.st_value;
			if (s.st_size >= 3) {
				g->pcs[g->npcs++] = s.st_value + s.st_size / 3;
				g->pcs[g->npcs++] = s.st_value + 2 * s.st_size / 3;
			}
		}
	}
	if (e)
		elf_end(e);
}

static int fz_gobin_load(fz_gobin *g, const char *path)
{
	memset(g, 0, sizeof *g);
	snprintf(g->path, sizeof g->path, "%s", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	md_dwarf_opts o = { .exe_path = path, .exe_fd = fd, .debug_dir = "/nonexistent" };
	md_err e;
	if (md_dwarf_open(&o, &g->d, &e) != MD_OK) {
		close(fd);
		return 0;
	}
	fz_gobin_pcs(g, fd);
	close(fd);
	if (md_cfi_open(g->d, &g->cfi, &e) != MD_OK)
		g->cfi = NULL;
	for (size_t i = 0; i < sizeof fz_type_names / sizeof *fz_type_names; i++) {
		md_type_id t;
		uint64_t off;
		if (md_dwarf_type_by_name(g->d, fz_type_names[i], &t, &e) == MD_OK &&
		    md_dwarf_runtime_off(g->d, t, &off, &e) == MD_OK && g->ntoffs < FZ_MAX_TOFFS)
			g->toffs[g->ntoffs++] = off;
	}
	return 1;
}

/* Load the binaries (see above) into out[0..FZ_MAX_GOBINS): how many. */
static int fz_gobins_load(fz_gobin *out, const char *harness)
{
	char self[PATH_MAX], dir[PATH_MAX], p[2 * PATH_MAX];
	int n = 0;
	setenv("MAPDIAG_CACHE_DIR", "", 1);
	ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
	if (k <= 0)
		abort();
	self[k] = '\0';
	snprintf(dir, sizeof dir, "%s", dirname(self));
	const char *env = getenv("FUZZ_GOBIN");
	if (env && *env) {
		char *list = strdup(env), *save = NULL;
		for (char *t = strtok_r(list, ":", &save); t && n < FZ_MAX_GOBINS;
		     t = strtok_r(NULL, ":", &save))
			n += fz_gobin_load(&out[n], t);
		free(list);
	} else {
		static const char *const def[] = { "go1.23/censustarget", "go1.26/censustarget" };
		for (size_t i = 0; i < sizeof def / sizeof *def && n < FZ_MAX_GOBINS; i++) {
			snprintf(p, sizeof p, "%s/../../testdata/bin/%s", dir, def[i]);
			n += fz_gobin_load(&out[n], p);
		}
	}
	if (!n) {
		snprintf(p, sizeof p, "%s/seeds/mini", dir);
		n += fz_gobin_load(&out[n], p);
		fprintf(stderr, "%s: no Go test binaries (make targets; or FUZZ_GOBIN): "
		        "using %s\n", harness, p);
	}
	if (!n) {
		fprintf(stderr, "%s: cannot load any binary (make fuzz-build makes seeds/mini)\n",
		        harness);
		exit(1);
	}
	for (int i = 0; i < n; i++)
		FZ_SAY("%s: %s: %zu pcs, %zu type descriptors, %s\n", harness, out[i].path,
		       out[i].npcs, out[i].ntoffs, out[i].cfi ? "CFI" : "no CFI");
	return n;
}

#endif
