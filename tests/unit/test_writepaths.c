/* test_writepaths.c - the write-path table of src/gofacts_write.c against
 * real binaries.
 *
 *   build/tests/test_writepaths [testdata/bin]
 *
 * For every variant directory go1.NN[-noswiss] under the given directory
 * that holds a `writers` binary (testdata/writers, which runs every map
 * write path once), every name md_write_paths(NN, swiss) lists must be a
 * function symbol of its .symtab, and a DWARF subprogram with a formal
 * parameter named as the entry's `param`.  Also: the table's own invariants
 * for every release, lookups, and NULL for releases that do not exist. */
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libdwarf.h>
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "md_test.h"
#include "gofacts_write.h"

/* ---- the table itself -------------------------------------------------- */

static void test_table(int minor, int swiss)
{
	const md_write_path *wp = md_write_paths(minor, swiss);
	T(wp != NULL);
	if (!wp)
		return;
	int n = 0, ngrow = 0, nw = 0, nd = 0, nc = 0;
	for (const md_write_path *p = wp; p->func; p++, n++) {
		T(p->growth == (p->kind == MD_WP_GROW));
		ngrow += p->growth;
		nw += p->kind == MD_WP_WRITE;
		nd += p->kind == MD_WP_DELETE;
		nc += p->kind == MD_WP_CLEAR;
		T(strncmp(p->func, "runtime.", 8) == 0 ||
		  (swiss && strncmp(p->func, "internal/runtime/maps.", 22) == 0));
		if (swiss)
			T(strcmp(p->param, "m") == 0 || strcmp(p->param, "t") == 0);
		else
			T_STR(p->param, "h");
		for (const md_write_path *q = wp; q != p; q++)
			if (strcmp(q->func, p->func) == 0) {
				fprintf(stderr, "go1.%d%s: %s listed twice\n", minor,
				        swiss ? "" : " classic", p->func);
				T(!"duplicate name");
			}
		T(md_write_path_find(minor, swiss, p->func) == p);
	}
	T(n >= 20);
	T(ngrow >= 5 && nw >= 5 && nd >= 4 && nc >= 1);
	/* the entry points, in both implementations */
	static const char *const entry[] = {
		"runtime.mapassign", "runtime.mapassign_fast32",
		"runtime.mapassign_fast64", "runtime.mapassign_fast64ptr",
		"runtime.mapassign_faststr", "runtime.mapdelete",
		"runtime.mapdelete_fast32", "runtime.mapdelete_fast64",
		"runtime.mapdelete_faststr", "runtime.mapclear",
	};
	for (size_t i = 0; i < sizeof entry / sizeof entry[0]; i++) {
		const md_write_path *p = md_write_path_find(minor, swiss, entry[i]);
		T(p != NULL);
		if (p)
			T_STR(p->param, swiss ? "m" : "h");
	}
}

static void test_lookup(void)
{
	for (int minor = 21; minor <= 25; minor++)
		test_table(minor, 0);
	for (int minor = 24; minor <= 27; minor++)
		test_table(minor, 1);

	/* releases and combinations that do not exist */
	T(md_write_paths(20, 0) == NULL);
	T(md_write_paths(28, 0) == NULL);
	T(md_write_paths(28, 1) == NULL);
	T(md_write_paths(0, 0) == NULL);
	T(md_write_paths(-1, 1) == NULL);
	T(md_write_paths(23, 1) == NULL); /* no Swiss maps before 1.24 */
	T(md_write_paths(26, 0) == NULL); /* no classic maps from 1.26 */
	T(md_write_path_find(20, 0, "runtime.mapassign") == NULL);
	T(md_write_path_find(26, 0, "runtime.mapassign") == NULL);
	T(md_write_path_find(21, 0, NULL) == NULL);
	T(md_write_path_find(21, 0, "") == NULL);
	T(md_write_path_find(21, 0, "runtime.mapaccess1_fast64") == NULL);
	T(md_write_path_find(26, 1, "runtime.mapaccess2_faststr") == NULL);
	T(md_write_path_find(26, 1, "runtime.mapassign_fast32ptr") == NULL);
	T(md_write_path_find(26, 1, "runtime.growWork") == NULL);
	T(md_write_path_find(23, 0, "internal/runtime/maps.(*table).grow") == NULL);

	const md_write_path *p = md_write_path_find(21, 0, "runtime.mapassign_fast64");
	T(p && p->kind == MD_WP_WRITE && !p->growth && strcmp(p->param, "h") == 0);
	p = md_write_path_find(25, 0, "runtime.evacuate_faststr");
	T(p && p->kind == MD_WP_GROW && p->growth);
	p = md_write_path_find(23, 0, "runtime.hashGrow");
	T(p && p->growth);
	p = md_write_path_find(23, 0, "runtime.mapdelete_faststr");
	T(p && p->kind == MD_WP_DELETE);
	p = md_write_path_find(21, 0, "runtime.mapclear");
	T(p && p->kind == MD_WP_CLEAR);
	T(md_write_path_find(21, 0, "runtime.(*hmap).incrnoverflow") == NULL); /* inlined */
	T(md_write_path_find(22, 0, "runtime.(*hmap).incrnoverflow") != NULL);

	p = md_write_path_find(26, 1, "runtime.mapassign_faststr");
	T(p && p->kind == MD_WP_WRITE && strcmp(p->param, "m") == 0);
	p = md_write_path_find(24, 1, "internal/runtime/maps.(*table).split");
	T(p && p->growth && strcmp(p->param, "m") == 0);
	p = md_write_path_find(27, 1, "internal/runtime/maps.(*table).uncheckedPutSlot");
	T(p && p->growth && strcmp(p->param, "t") == 0);
	p = md_write_path_find(26, 1, "internal/runtime/maps.(*Map).Clear");
	T(p && p->kind == MD_WP_CLEAR);
	p = md_write_path_find(25, 1, "internal/runtime/maps.(*Map).growToTable");
	T(p && p->growth);
	T(md_write_path_find(24, 1, "internal/runtime/maps.(*Map).PutSlot") != NULL);
	T(md_write_path_find(25, 1, "internal/runtime/maps.(*Map).PutSlot") == NULL);
	T(md_write_path_find(24, 1, "internal/runtime/maps.(*table).pruneTombstones") == NULL);
	T(md_write_path_find(25, 1, "internal/runtime/maps.(*table).pruneTombstones") != NULL);
	T(md_write_path_find(26, 1, "internal/runtime/maps.(*table).uncheckedPutSlotForAssignFast64") == NULL);
	T(md_write_path_find(27, 1, "internal/runtime/maps.(*table).uncheckedPutSlotForAssignFast64") != NULL);
	T(md_write_path_find(26, 1, "internal/runtime/maps.(*Map).Clone") == NULL);

	T_STR(md_wp_kind_name(MD_WP_WRITE), "write");
	T_STR(md_wp_kind_name(MD_WP_DELETE), "delete");
	T_STR(md_wp_kind_name(MD_WP_CLEAR), "clear");
	T_STR(md_wp_kind_name(MD_WP_GROW), "grow");
}

/* ---- one binary -------------------------------------------------------- */

typedef struct {
	char **v;
	size_t n, cap;
} strset;

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int strset_has(const strset *s, const char *name)
{
	return s->n && bsearch(&name, s->v, s->n, sizeof *s->v, cmpstr) != NULL;
}

static void strset_free(strset *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* The names of the STT_FUNC symbols of path's .symtab, sorted; 0 on error. */
static int read_funcs(const char *path, strset *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	int ok = 0;
	for (Elf_Scn *s = NULL; elf && (s = elf_nextscn(elf, s)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(s, NULL);
		size_t nsym = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; data && i < nsym; i++) {
			GElf_Sym sym;
			const char *nm;
			if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !(nm = elf_strptr(elf, sh.sh_link, sym.st_name)) || !*nm)
				continue;
			if (out->n == out->cap) {
				size_t ncap = out->cap ? 2 * out->cap : 4096;
				char **nv = realloc(out->v, ncap * sizeof *nv);
				if (!nv)
					goto done;
				out->v = nv;
				out->cap = ncap;
			}
			if (!(out->v[out->n] = strdup(nm)))
				goto done;
			out->n++;
		}
		ok = data != NULL;
	}
done:
	if (elf)
		elf_end(elf);
	close(fd);
	qsort(out->v, out->n, sizeof *out->v, cmpstr);
	return ok;
}

/* Which entries of wp (n of them) have a DWARF subprogram of that name
 * (subfound[i]) with a formal parameter named entry->param (pfound[i]).
 * Subprograms are children of their CU in Go's DWARF; a function that is
 * also inlined somewhere has its names on the abstract DIE, which is the
 * one named.  0 if the DWARF cannot be read. */
static int read_params(const char *path, const md_write_path *wp, int n,
                       char *subfound, char *pfound)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	Dwarf_Debug dbg = NULL;
	Dwarf_Error e = NULL;
	if (dwarf_init_b(fd, DW_DLC_READ, DW_GROUPNUMBER_ANY, NULL, NULL, &dbg, &e) != DW_DLV_OK) {
		close(fd);
		return 0;
	}
	int ok = 1;
	for (;;) {
		Dwarf_Unsigned hlen = 0, typeoff = 0, next = 0;
		Dwarf_Half ver = 0, asz = 0, lsz = 0, esz = 0, utype = 0;
		Dwarf_Off abbr = 0;
		Dwarf_Sig8 sig;
		int rc = dwarf_next_cu_header_d(dbg, 1, &hlen, &ver, &abbr, &asz, &lsz,
		                                &esz, &sig, &typeoff, &next, &utype, &e);
		if (rc == DW_DLV_NO_ENTRY)
			break;
		Dwarf_Die cu = NULL, die = NULL;
		if (rc != DW_DLV_OK || dwarf_siblingof_b(dbg, NULL, 1, &cu, &e) != DW_DLV_OK) {
			ok = 0;
			break;
		}
		rc = dwarf_child(cu, &die, &e);
		dwarf_dealloc(dbg, cu, DW_DLA_DIE);
		while (rc == DW_DLV_OK) {
			Dwarf_Half tag = 0;
			char *name = NULL;
			int idx = -1;
			if (dwarf_tag(die, &tag, &e) == DW_DLV_OK && tag == DW_TAG_subprogram &&
			    dwarf_diename(die, &name, &e) == DW_DLV_OK && name)
				for (int i = 0; i < n; i++)
					if (strcmp(wp[i].func, name) == 0)
						idx = i;
			if (idx >= 0) {
				subfound[idx] = 1;
				Dwarf_Die kid = NULL;
				int krc = dwarf_child(die, &kid, &e);
				while (krc == DW_DLV_OK) {
					char *pn = NULL;
					if (dwarf_tag(kid, &tag, &e) == DW_DLV_OK &&
					    tag == DW_TAG_formal_parameter &&
					    dwarf_diename(kid, &pn, &e) == DW_DLV_OK && pn &&
					    strcmp(pn, wp[idx].param) == 0)
						pfound[idx] = 1;
					Dwarf_Die nk = NULL;
					krc = dwarf_siblingof_b(dbg, kid, 1, &nk, &e);
					dwarf_dealloc(dbg, kid, DW_DLA_DIE);
					kid = nk;
				}
			}
			Dwarf_Die nd = NULL;
			rc = dwarf_siblingof_b(dbg, die, 1, &nd, &e);
			dwarf_dealloc(dbg, die, DW_DLA_DIE);
			die = nd;
		}
	}
	dwarf_finish(dbg, &e);
	close(fd);
	return ok;
}

/* go1.NN or go1.NN-noswiss -> minor, swiss; 0 for any other name. */
static int parse_variant(const char *name, int *minor, int *swiss)
{
	int m = 0, len = 0;
	if (sscanf(name, "go1.%d%n", &m, &len) != 1 || m <= 0)
		return 0;
	if (name[len] == '\0')
		*swiss = m >= 24;
	else if (strcmp(name + len, "-noswiss") == 0)
		*swiss = 0;
	else
		return 0;
	*minor = m;
	return 1;
}

static void test_binary(const char *variant, const char *path, int minor, int swiss)
{
	const md_write_path *wp = md_write_paths(minor, swiss);
	T(wp != NULL);
	if (!wp) {
		fprintf(stderr, "%s: no write-path table for go1.%d %s\n", variant, minor,
		        swiss ? "swiss" : "classic");
		return;
	}
	strset funcs;
	int ok = read_funcs(path, &funcs);
	T(ok && funcs.n > 1000);
	if (!ok) {
		fprintf(stderr, "%s: cannot read the .symtab of %s\n", variant, path);
		strset_free(&funcs);
		return;
	}
	int n = 0;
	while (wp[n].func)
		n++;
	char *subfound = calloc((size_t)n + 1, 1), *pfound = calloc((size_t)n + 1, 1);
	T(subfound && pfound);
	if (subfound && pfound) {
		int dok = read_params(path, wp, n, subfound, pfound);
		T(dok);
		if (!dok)
			fprintf(stderr, "%s: cannot read the DWARF of %s\n", variant, path);
		for (int i = 0; i < n; i++) {
			int has = strset_has(&funcs, wp[i].func);
			T(has);
			if (!has)
				fprintf(stderr, "%s: %s is not a function symbol of %s\n",
				        variant, wp[i].func, path);
			if (dok) {
				T(subfound[i] && pfound[i]);
				if (!subfound[i])
					fprintf(stderr, "%s: %s: no DWARF subprogram\n", variant, wp[i].func);
				else if (!pfound[i])
					fprintf(stderr, "%s: %s: no parameter \"%s\" in DWARF\n",
					        variant, wp[i].func, wp[i].param);
			}
		}
		/* and the ones left out really are absent */
		T(!strset_has(&funcs, "runtime.mapassign_fast32ptr"));
	}
	free(subfound);
	free(pfound);
	strset_free(&funcs);
}

static int test_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "writepaths: cannot open %s\n", dir);
		return 0;
	}
	int nbin = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		int minor = 0, swiss = 0;
		if (!parse_variant(de->d_name, &minor, &swiss))
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s/writers", dir, de->d_name);
		if (access(path, R_OK) != 0)
			continue;
		test_binary(de->d_name, path, minor, swiss);
		nbin++;
	}
	closedir(d);
	return nbin;
}

int main(int argc, char **argv)
{
	test_lookup();

	int v = 0, s = 0;
	T(parse_variant("go1.21", &v, &s) && v == 21 && s == 0);
	T(parse_variant("go1.24", &v, &s) && v == 24 && s == 1);
	T(parse_variant("go1.25-noswiss", &v, &s) && v == 25 && s == 0);
	T(!parse_variant("go1.26-pie", &v, &s));
	T(!parse_variant("demo", &v, &s));

	const char *dir = argc > 1 ? argv[1] : "testdata/bin";
	int nbin = test_dir(dir);
	/* every variant: go1.21 .. go1.27 and two noswiss builds */
	T(nbin >= 9);
	if (nbin < 9)
		fprintf(stderr, "writepaths: %d writers binaries under %s, want 9 "
		        "(run tests/build-targets.sh)\n", nbin, dir);
	return md_test_done("writepaths");
}
