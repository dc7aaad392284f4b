/* test_writepaths.c - the write-path table of src/goruntime/gofacts_write.c against
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
#include "md_testbin.h"
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
		T(p->growth == (p->kind == MD_WRITE_GROW));
		ngrow += p->growth;
		nw += p->kind == MD_WRITE_WRITE;
		nd += p->kind == MD_WRITE_DELETE;
		nc += p->kind == MD_WRITE_CLEAR;
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
	test_table(19, 0);
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
	T(p && p->kind == MD_WRITE_WRITE && !p->growth && strcmp(p->param, "h") == 0);
	p = md_write_path_find(25, 0, "runtime.evacuate_faststr");
	T(p && p->kind == MD_WRITE_GROW && p->growth);
	p = md_write_path_find(23, 0, "runtime.hashGrow");
	T(p && p->growth);
	p = md_write_path_find(23, 0, "runtime.mapdelete_faststr");
	T(p && p->kind == MD_WRITE_DELETE);
	p = md_write_path_find(21, 0, "runtime.mapclear");
	T(p && p->kind == MD_WRITE_CLEAR);
	T(md_write_path_find(21, 0, "runtime.(*hmap).incrnoverflow") == NULL); /* inlined */
	T(md_write_path_find(22, 0, "runtime.(*hmap).incrnoverflow") != NULL);

	p = md_write_path_find(26, 1, "runtime.mapassign_faststr");
	T(p && p->kind == MD_WRITE_WRITE && strcmp(p->param, "m") == 0);
	p = md_write_path_find(24, 1, "internal/runtime/maps.(*table).split");
	T(p && p->growth && strcmp(p->param, "m") == 0);
	p = md_write_path_find(27, 1, "internal/runtime/maps.(*table).uncheckedPutSlot");
	T(p && p->growth && strcmp(p->param, "t") == 0);
	p = md_write_path_find(26, 1, "internal/runtime/maps.(*Map).Clear");
	T(p && p->kind == MD_WRITE_CLEAR);
	p = md_write_path_find(25, 1, "internal/runtime/maps.(*Map).growToTable");
	T(p && p->growth);
	T(md_write_path_find(24, 1, "internal/runtime/maps.(*Map).PutSlot") != NULL);
	T(md_write_path_find(25, 1, "internal/runtime/maps.(*Map).PutSlot") == NULL);
	T(md_write_path_find(24, 1, "internal/runtime/maps.(*table).pruneTombstones") == NULL);
	T(md_write_path_find(25, 1, "internal/runtime/maps.(*table).pruneTombstones") != NULL);
	T(md_write_path_find(26, 1, "internal/runtime/maps.(*table).uncheckedPutSlotForAssignFast64") == NULL);
	T(md_write_path_find(27, 1, "internal/runtime/maps.(*table).uncheckedPutSlotForAssignFast64") != NULL);
	T(md_write_path_find(26, 1, "internal/runtime/maps.(*Map).Clone") == NULL);

	T_STR(md_write_kind_name(MD_WRITE_WRITE), "write");
	T_STR(md_write_kind_name(MD_WRITE_DELETE), "delete");
	T_STR(md_write_kind_name(MD_WRITE_CLEAR), "clear");
	T_STR(md_write_kind_name(MD_WRITE_GROW), "grow");
}

/* ---- one binary -------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const tsym *)a)->name, ((const tsym *)b)->name);
}

/* The function symbols of path's .symtab, sorted by name. */
static int read_funcs(const char *path, tsyms *out)
{
	if (read_func_syms(path, out) != 0)
		return 0;
	qsort(out->v, out->n, sizeof *out->v, cmp_name);
	return 1;
}

static int has_func(const tsyms *s, const char *name)
{
	tsym key = { .name = (char *)name };
	return s->n && bsearch(&key, s->v, s->n, sizeof *s->v, cmp_name) != NULL;
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

/* The variants writers is built for: go1.NN and go1.NN-noswiss; whether
 * its maps are Swiss ones in *swiss. */
static int writers_variant(const variant *v, int *swiss)
{
	if (v->minor <= 0 || !(v->mode[0] == '\0' || is_mode(v, "noswiss") ||
	                       is_mode(v, "splitgroup")))
		return 0;
	*swiss = v->minor >= 24 && !is_mode(v, "noswiss");
	return 1;
}

static int nbin; /* writers binaries tested */

static void test_binary(const char *path, const variant *v)
{
	int swiss;
	if (!writers_variant(v, &swiss))
		return;
	nbin++;
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", path);
	const md_write_path *wp = md_write_paths(v->minor, swiss);
	if (!T(wp != NULL, "no write-path table for go1.%d %s", v->minor,
	       swiss ? "swiss" : "classic"))
		return;
	tsyms funcs;
	int ok = read_funcs(path, &funcs);
	if (!T(ok && funcs.n > 1000, "cannot read the .symtab")) {
		free_func_syms(&funcs);
		return;
	}
	int n = 0;
	while (wp[n].func)
		n++;
	char *subfound = calloc((size_t)n + 1, 1), *pfound = calloc((size_t)n + 1, 1);
	if (T(subfound && pfound)) {
		int dok = read_params(path, wp, n, subfound, pfound);
		T(dok, "cannot read the DWARF");
		for (int i = 0; i < n; i++) {
			T(has_func(&funcs, wp[i].func), "%s is not a function symbol",
			  wp[i].func);
			if (dok)
				T(subfound[i] && pfound[i], "%s: %s%s", wp[i].func,
				  subfound[i] ? "no DWARF parameter named " : "no DWARF subprogram",
				  subfound[i] ? wp[i].param : "");
		}
		/* and the ones left out really are absent */
		T(!has_func(&funcs, "runtime.mapassign_fast32ptr"));
	}
	free(subfound);
	free(pfound);
	free_func_syms(&funcs);
}

int main(int argc, char **argv)
{
	test_lookup();

	variant v;
	int s = 0;
	parse_variant("testdata/bin/go1.21", &v);
	T(writers_variant(&v, &s) && v.minor == 21 && s == 0);
	parse_variant("go1.24", &v);
	T(writers_variant(&v, &s) && v.minor == 24 && s == 1);
	parse_variant("go1.25-noswiss", &v);
	T(writers_variant(&v, &s) && v.minor == 25 && s == 0);
	parse_variant("go1.27-splitgroup", &v);
	T(writers_variant(&v, &s) && v.minor == 27 && s == 1);
	parse_variant("go1.19", &v);
	T(writers_variant(&v, &s) && v.minor == 19 && s == 0);
	parse_variant("go1.26-pie", &v);
	T(v.minor == 26 && is_mode(&v, "pie") && !writers_variant(&v, &s));
	parse_variant("demo", &v);
	T(v.minor == 0 && !writers_variant(&v, &s));

	const char *dir = argc > 1 ? argv[1] : "testdata/bin";
	test_tree(dir, "writers", test_binary);
	/* every variant: go1.19, go1.21 .. go1.27, two noswiss builds and
	 * the splitgroup one */
	md_t_ctx[0] = '\0';
	T(nbin >= 11, "%d writers binaries under %s, want 11 (run tests/build-targets.sh)",
	  nbin, dir);
	return md_test_done("writepaths");
}
