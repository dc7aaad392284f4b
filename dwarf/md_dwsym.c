/* md_dwsym.c - symbolization: the function and the source line of a pc.
 *
 * Functions come from the ELF symbol table first: Go writes every function
 * there with its size, so one sorted array answers a lookup by binary
 * search without touching DWARF.  It is read from the file libdwarf reads
 * (objcopy --only-keep-debug keeps .symtab in a debug file), once.
 *
 * The function's DIE (for its parameters, md_dwloc.c) and the source line
 * need DWARF.  The compile unit containing a pc is found through an index
 * of every CU's address ranges, built once from the CU root DIEs alone
 * (md_dwrange.c reads them).  Of that CU only the top-level
 * DW_TAG_subprogram entries (Go puts every function there) and only its
 * line program are read, once, into sorted arrays.  A pc that the
 * symbol table does not cover (no .symtab; C code without a size) falls
 * back to those DW_TAG_subprogram entries.
 *
 * The caches are plain arrays: nothing libdwarf allocates outlives a call.
 */
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_dwarf_priv.h"

/* ---- sorted arrays ----------------------------------------------------- */

/* Every array we search starts with its uint64_t lo, so one binary search
 * serves them all. */
_Static_assert(offsetof(md_dw_sym, lo) == 0, "lo first");
_Static_assert(offsetof(md_dw_fn, lo) == 0, "lo first");
_Static_assert(offsetof(md_dw_seq, lo) == 0, "lo first");
_Static_assert(offsetof(md_dw_range, lo) == 0, "lo first");

/* The number of elements whose lo is <= pc (the last of them, if any, is
 * the only candidate to contain pc). */
static size_t count_le(const void *base, size_t n, size_t size, uint64_t pc)
{
	const char *p = base;
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v;
		memcpy(&v, p + mid * size, sizeof v);
		if (v <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cmp_lo(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Same address: the wider entry first, then the earlier symbol (symbol
 * table order), so the result does not depend on qsort. */
static int sym_cmp(const void *a, const void *b)
{
	const md_dw_sym *x = a, *y = b;
	if (x->lo != y->lo)
		return cmp_lo(x->lo, y->lo);
	if (x->hi != y->hi)
		return x->hi > y->hi ? -1 : 1;
	return cmp_lo(x->idx, y->idx);
}

static int fn_cmp(const void *a, const void *b)
{
	const md_dw_fn *x = a, *y = b;
	if (x->lo != y->lo)
		return cmp_lo(x->lo, y->lo);
	return cmp_lo(x->die_off, y->die_off);
}

static int seq_cmp(const void *a, const void *b)
{
	const md_dw_seq *x = a, *y = b;
	if (x->lo != y->lo)
		return cmp_lo(x->lo, y->lo);
	return cmp_lo(x->first, y->first);
}

static int range_cmp(const void *a, const void *b)
{
	const md_dw_range *x = a, *y = b;
	if (x->lo != y->lo)
		return cmp_lo(x->lo, y->lo);
	return cmp_lo(x->cu, y->cu);
}

/* Room for one more than n elements of size in arr (of *cap): returns the
 * array, perhaps moved, or NULL with arr and *cap untouched. */
static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? 2 * *cap : 64;
	void *p = realloc(arr, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

/* ---- the symbol table -------------------------------------------------- */

/* Find .symtab and its string table in libelf's mapping: 1 when found. */
static int find_symtab(md_dwarf *d, Elf *elf)
{
	if (gelf_getclass(elf) != ELFCLASS64)
		return 0;   /* md_dwarf_open accepts only 64-bit ELF */
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    sh.sh_entsize != sizeof(Elf64_Sym))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		Elf_Scn *str = elf_getscn(elf, sh.sh_link);
		Elf_Data *sd = str ? elf_getdata(str, NULL) : NULL;
		if (!data || !data->d_buf || !sd || !sd->d_buf || !sd->d_size)
			return 0;
		d->symstr = sd->d_buf;
		d->symstr_len = sd->d_size;
		d->symtab = data->d_buf;
		d->nsymtab = data->d_size / sizeof(Elf64_Sym);
		if (d->nsymtab > UINT32_MAX)
			d->nsymtab = UINT32_MAX;
		return 1; /* one .symtab per file */
	}
	return 0;
}

/* Whether symbol i of .symtab is a function we index, as y says. */
static int sym_ok(const md_dwarf *d, size_t i, const md_dw_sym *y)
{
	if (i >= d->nsymtab)
		return 0;
	const Elf64_Sym *s = &d->symtab[i];
	/* Size 0: markers (runtime.text) and C symbols without a size; they
	 * cannot say where a function ends. */
	if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || s->st_size == 0 ||
	    s->st_shndx == SHN_UNDEF || s->st_value + s->st_size < s->st_value ||
	    s->st_name == 0 || s->st_name >= d->symstr_len)
		return 0;
	return !y || (y->lo == s->st_value && y->hi == s->st_value + s->st_size &&
	              y->name == s->st_name);
}

/* Index the functions of .symtab (only .symtab: Go's .dynsym lists
 * imports, not its code) straight from libelf's mapping: a 2,000-package
 * service has 300,000 symbols, too many to copy each through gelf_getsym
 * and its name into an arena on every run. */
static md_status read_symtab(md_dwarf *d, md_err *err)
{
	size_t cap = 0;
	for (size_t i = 0; i < d->nsymtab; i++) {
		if (!sym_ok(d, i, NULL))
			continue;
		const Elf64_Sym *s = &d->symtab[i];
		md_dw_sym *syms = grow(d->syms, &cap, d->nsyms, sizeof *syms);
		if (!syms)
			return md_err_set(err, MD_E_NOMEM, "symbol table");
		d->syms = syms;
		d->syms[d->nsyms++] = (md_dw_sym){ s->st_value, s->st_value + s->st_size,
		                                   s->st_name, (uint32_t)i };
	}
	return MD_OK;
}

/* Sort by sym_cmp, cheaply when the table is nearly sorted, as Go's
 * linker writes it (text symbols in address order after a few markers):
 * a bottom-up merge of the runs already in order, O(n log runs). */
static int sort_syms(md_dw_sym *a, size_t n)
{
	size_t runs = 1;
	for (size_t i = 1; i < n; i++)
		runs += sym_cmp(&a[i - 1], &a[i]) > 0;
	if (runs == 1)
		return 1;
	md_dw_sym *tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return 0;
	md_dw_sym *src = a, *dst = tmp;
	while (runs > 1) {
		size_t i = 0, w = 0;
		runs = 0;
		while (i < n) {
			size_t m = i + 1;   /* [i, m) and [m, e): two runs */
			while (m < n && sym_cmp(&src[m - 1], &src[m]) <= 0)
				m++;
			size_t e = m;
			if (e < n) {
				e++;
				while (e < n && sym_cmp(&src[e - 1], &src[e]) <= 0)
					e++;
			}
			size_t x = i, y = m;
			while (x < m && y < e)
				dst[w++] = sym_cmp(&src[y], &src[x]) < 0 ? src[y++] : src[x++];
			while (x < m)
				dst[w++] = src[x++];
			while (y < e)
				dst[w++] = src[y++];
			runs++;
			i = e;
		}
		md_dw_sym *t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
	free(tmp);
	return 1;
}

static void drop_syms(md_dwarf *d)
{
	if (d->symidx.map)
		md_recidx_unmap(&d->symidx);
	else
		free(d->syms);
	d->syms = NULL;
	d->nsyms = 0;
	d->syms_end = 0;
}

/* The sorted index from .symtab, and into the cache for the next run. */
static md_status index_syms(md_dwarf *d, md_err *err)
{
	md_status st = read_symtab(d, err);
	if (st == MD_OK && d->nsyms > 1 && !sort_syms(d->syms, d->nsyms))
		st = md_err_set(err, MD_E_NOMEM, "symbol table");
	if (st != MD_OK) {
		drop_syms(d);
		return st;
	}
	if (d->nsyms > 1) {
		/* Aliases share an address: keep the first (widest) one. */
		size_t w = 1;
		for (size_t i = 1; i < d->nsyms; i++)
			if (d->syms[i].lo != d->syms[w - 1].lo)
				d->syms[w++] = d->syms[i];
		d->nsyms = w;
	}
	for (size_t i = 0; i < d->nsyms; i++)
		if (d->syms[i].hi > d->syms_end)
			d->syms_end = d->syms[i].hi;
	md_recidx_save(d, "syms", d->syms, sizeof *d->syms, d->nsyms, d->syms_end);
	return MD_OK;
}

/* Map .symtab and its strings, once: 1 when the file has them.  A file
 * without .symtab, or one libelf cannot read, has none: not an error. */
static int open_symtab(md_dwarf *d)
{
	if (d->symtab_state)
		return d->symtab_state > 0;
	Elf *elf = NULL;
	if (elf_version(EV_CURRENT) != EV_NONE)
		elf = elf_begin(d->own_fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !find_symtab(d, elf)) {
		if (elf)
			elf_end(elf);
		d->symstr = NULL;
		d->symtab = NULL;
		d->symstr_len = d->nsymtab = 0;
		d->symtab_state = -1;
		return 0;
	}
	d->symelf = elf;   /* names and the checks read its mapping */
	d->symtab_state = 1;
	return 1;
}

/* The symbol index: the cached one when there is one, else built.
 * Without .symtab it stays empty and DWARF answers alone. */
static md_status build_syms(md_dwarf *d, md_err *err)
{
	if (d->syms_built)
		return MD_OK;
	if (!open_symtab(d)) {
		d->syms_built = 1;
		return MD_OK;
	}
	if (md_recidx_map(d, "syms", sizeof *d->syms, &d->symidx)) {
		d->syms = (md_dw_sym *)d->symidx.recs;
		d->nsyms = d->symidx.n;
		d->syms_end = d->symidx.aux;
	} else {
		md_status st = index_syms(d, err);
		if (st != MD_OK)
			return st;   /* out of memory: afresh next time */
	}
	d->syms_built = 1;
	return MD_OK;
}

md_status md_dw_sym_value(md_dwarf *d, const char *name, uint64_t *value, md_err *err)
{
	*value = 0;
	if (!open_symtab(d))
		return md_err_set(err, MD_NOTFOUND, "%s: no symbol table", d->info.dwarf_path);
	size_t len = strlen(name);
	for (size_t i = 0; i < d->nsymtab; i++) {
		const Elf64_Sym *s = &d->symtab[i];
		if (s->st_shndx == SHN_UNDEF || s->st_name >= d->symstr_len ||
		    d->symstr_len - s->st_name <= len)
			continue;
		const char *p = d->symstr + s->st_name;
		if (memcmp(p, name, len) == 0 && p[len] == '\0') {
			*value = s->st_value;
			return MD_OK;
		}
	}
	return md_err_set(err, MD_NOTFOUND, "%s: no symbol %s", d->info.dwarf_path, name);
}

/* A symbol's name: NUL-terminated inside the string table, or "?". */
static const char *sym_name(const md_dwarf *d, const md_dw_sym *s)
{
	const char *p = d->symstr + s->name;
	return memchr(p, '\0', d->symstr_len - s->name) ? p : "?";
}

static const md_dw_sym *sym_lookup(const md_dwarf *d, uint64_t pc)
{
	size_t k = count_le(d->syms, d->nsyms, sizeof *d->syms, pc);
	if (k == 0 || pc >= d->syms[k - 1].hi)
		return NULL;
	return &d->syms[k - 1];
}

/* The symbol covering pc.  One from the cached index is checked against
 * the .symtab entry it names; on a mismatch the cache is rebuilt. */
static const md_dw_sym *sym_at(md_dwarf *d, uint64_t pc)
{
	const md_dw_sym *s = sym_lookup(d, pc);
	if (!s || !d->symidx.map || sym_ok(d, s->idx, s))
		return s;
	md_err e;
	drop_syms(d);
	md_cache_drop(d, "syms");
	if (index_syms(d, &e) != MD_OK)
		return NULL;
	return sym_lookup(d, pc);
}

/* ---- compile units with code ------------------------------------------- */

static md_status add_range(md_dwarf *d, size_t *cap, uint64_t lo,
                           uint64_t hi, size_t cu, md_err *err)
{
	if (hi <= lo)
		return MD_OK; /* empty, or wrapped in a corrupt file */
	md_dw_range *r = grow(d->ranges, cap, d->nranges, sizeof *r);
	if (!r)
		return md_err_set(err, MD_E_NOMEM, "compile unit ranges");
	d->ranges = r;
	d->ranges[d->nranges++] = (md_dw_range){ lo, hi, cu };
	return MD_OK;
}

/* One range of the CU being indexed (struct code_walk) into d->ranges. */
struct range_arg {
	size_t *cap;
	size_t cu;
};

static md_status range_one(md_dwarf *d, void *arg, uint64_t lo, uint64_t hi,
                           md_err *err)
{
	const struct range_arg *r = arg;
	return add_range(d, r->cap, lo, hi, r->cu, err);
}

/* Append the address ranges of one CU (none for a CU without code). */
static md_status cu_ranges(md_dwarf *d, Dwarf_Die cu, size_t idx, size_t *cap,
                           md_err *err)
{
	struct range_arg r = { cap, idx };
	md_status st = md_dw_each_range(d, cu, range_one, &r, err);
	return st == MD_NOTFOUND ? MD_OK : st;
}

static void free_lines(md_dw_code *c)
{
	free(c->rows);
	free(c->seqs);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	c->rows = NULL;
	c->seqs = NULL;
	c->files = NULL;
	c->nrows = c->nseqs = c->nfiles = 0;
	c->files_loaded = 0;
}

/* Read every CU header and root DIE once and index the CUs that have
 * code by address.  Like md_dwvar.c's index, the libdwarf CU cursor is
 * always run to its end, and a failure poisons the index. */
struct code_walk {
	size_t ccap, rcap;
};

/* One CU of the index: only CUs with code get an entry. */
static md_status code_one(md_dwarf *d, Dwarf_Die cu, Dwarf_Half ver, void *arg,
                          md_err *err)
{
	(void)ver;
	struct code_walk *w = arg;
	Dwarf_Error e = NULL;
	Dwarf_Off off = 0;
	size_t before = d->nranges;
	if (dwarf_dieoffset(cu, &off, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a CU");
	md_status st = cu_ranges(d, cu, d->ncodes, &w->rcap, err);
	if (st != MD_OK)
		return st;
	if (d->nranges == before)
		return MD_OK; /* no code (or an empty range) */
	md_dw_code *codes = grow(d->codes, &w->ccap, d->ncodes, sizeof *codes);
	if (!codes)
		return md_err_set(err, MD_E_NOMEM, "compile unit index");
	d->codes = codes;
	memset(&d->codes[d->ncodes], 0, sizeof *d->codes);
	d->codes[d->ncodes++].die_off = off;
	return MD_OK;
}

/* Read every CU header and root DIE once and index the CUs that have code
 * by address; a failure poisons the index. */
static md_status index_codes(md_dwarf *d, md_err *err)
{
	if (d->codes_state == 1)
		return MD_OK;
	if (d->codes_state == -1)
		return md_err_set(err, MD_E_DWARF, "%s: unreadable compile units",
		                  d->info.dwarf_path);
	struct code_walk w = { 0, 0 };
	md_status st = md_dw_each_cu(d, code_one, &w, err);
	if (st != MD_OK) {
		free(d->codes);
		free(d->ranges);
		d->codes = NULL;
		d->ranges = NULL;
		d->ncodes = d->nranges = 0;
		d->codes_state = -1;
		return st;
	}
	/* Guarded like the other sorts: when no CU has code, ranges is NULL,
	 * and qsort(NULL, 0, ...) is undefined. */
	if (d->nranges > 1)
		qsort(d->ranges, d->nranges, sizeof *d->ranges, range_cmp);
	d->codes_state = 1;
	return MD_OK;
}

/* The CU whose ranges contain pc, or NULL. */
static md_dw_code *code_at(md_dwarf *d, uint64_t pc)
{
	size_t k = count_le(d->ranges, d->nranges, sizeof *d->ranges, pc);
	if (k == 0 || pc >= d->ranges[k - 1].hi)
		return NULL;
	return &d->codes[d->ranges[k - 1].cu];
}

/* ---- functions of a CU ------------------------------------------------- */

static md_status add_fn(md_dwarf *d, md_dw_code *c, size_t *cap,
                        Dwarf_Die die, md_err *err)
{
	uint64_t lo = 0, hi = 0;
	Dwarf_Off off = 0;
	Dwarf_Error e = NULL;
	md_status st = md_dw_pc_range(d, die, &lo, &hi, err);
	if (st != MD_OK)
		return st == MD_NOTFOUND ? MD_OK : st; /* abstract: no code */
	if (hi <= lo)
		return MD_OK;
	if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a DIE offset");
	md_dw_fn *fns = grow(c->fns, cap, c->nfns, sizeof *fns);
	if (!fns)
		return md_err_set(err, MD_E_NOMEM, "function list");
	c->fns = fns;
	c->fns[c->nfns++] = (md_dw_fn){ lo, hi, off, NULL };
	return MD_OK;
}

/* Read the CU's top-level DW_TAG_subprogram entries with code, once. */
static md_status load_fns(md_dwarf *d, md_dw_code *c, md_err *err)
{
	if (c->fns_loaded)
		return MD_OK;
	Dwarf_Die cu = NULL, die = NULL;
	size_t cap = 0;
	md_status st = md_dw_die(d, c->die_off, &cu, err);
	if (st == MD_OK)
		st = md_dw_child(d, cu, &die, err);
	while (st == MD_OK && die) {
		Dwarf_Half tag = 0;
		st = md_dw_tag(d, die, &tag, err);
		if (st == MD_OK && tag == DW_TAG_subprogram)
			st = add_fn(d, c, &cap, die, err);
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, die, &next, err);
		md_dw_free_die(d, die);
		die = next;
	}
	md_dw_free_die(d, die);
	md_dw_free_die(d, cu);
	if (st != MD_OK) {
		free(c->fns); /* start afresh next time */
		c->fns = NULL;
		c->nfns = 0;
		return st;
	}
	/* fns is NULL for a CU without functions: qsort(NULL, 0, ...) is
	 * undefined. */
	if (c->nfns > 1)
		qsort(c->fns, c->nfns, sizeof *c->fns, fn_cmp);
	c->fns_loaded = 1;
	return MD_OK;
}

/* The DW_TAG_subprogram whose code contains pc: *out NULL if none. */
static md_status fn_at(md_dwarf *d, uint64_t pc, md_dw_fn **out,
                       md_err *err)
{
	*out = NULL;
	md_status st = index_codes(d, err);
	if (st != MD_OK)
		return st;
	md_dw_code *c = code_at(d, pc);
	if (!c)
		return MD_OK;
	st = load_fns(d, c, err);
	if (st != MD_OK)
		return st;
	size_t k = count_le(c->fns, c->nfns, sizeof *c->fns, pc);
	if (k > 0 && pc < c->fns[k - 1].hi)
		*out = &c->fns[k - 1];
	return MD_OK;
}

md_status md_dw_origin_name(md_dwarf *d, Dwarf_Die die, char *buf, size_t n,
                            md_err *err)
{
	md_status st = md_dw_name(d, die, buf, n, err);
	Dwarf_Die cur = NULL;
	/* Origins do not chain in Go's DWARF; the bound only stops a cycle. */
	for (int i = 0; st == MD_OK && !buf[0] && i < MD_DW_MAX_DEPTH; i++) {
		uint64_t ref = 0;
		st = md_dw_ref(d, cur ? cur : die, DW_AT_abstract_origin, &ref, err);
		if (st == MD_NOTFOUND) {
			st = MD_OK;
			break;
		}
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_die(d, ref, &next, err);
		md_dw_free_die(d, cur);
		cur = next;
		if (st == MD_OK)
			st = md_dw_name(d, cur, buf, n, err);
	}
	md_dw_free_die(d, cur);
	return st;
}

md_status md_dwarf_func_at(md_dwarf *d, uint64_t pc, md_func *out,
                           md_err *err)
{
	memset(out, 0, sizeof *out);
	md_status st = build_syms(d, err);
	if (st != MD_OK)
		return st;
	const md_dw_sym *s = sym_at(d, pc);
	md_dw_fn *fn = NULL;
	if (s) {
		snprintf(out->name, sizeof out->name, "%s", sym_name(d, s));
		out->lo = s->lo;
		out->hi = s->hi;
		/* The DIE of the function starting where the symbol does. */
		st = fn_at(d, s->lo, &fn, err);
		if (st == MD_OK && fn)
			out->die = fn->die_off;
		return st;
	}
	st = fn_at(d, pc, &fn, err);
	if (st != MD_OK)
		return st;
	if (!fn)
		return md_err_set(err, MD_NOTFOUND, "no function at 0x%llx",
		                  (unsigned long long)pc);
	Dwarf_Die die = NULL;
	st = md_dw_die(d, fn->die_off, &die, err);
	if (st == MD_OK)
		st = md_dw_origin_name(d, die, out->name, sizeof out->name, err);
	md_dw_free_die(d, die);
	if (st != MD_OK) {
		out->name[0] = '\0';
		return st;
	}
	out->lo = fn->lo;
	out->hi = fn->hi;
	out->die = fn->die_off;
	return MD_OK;
}

md_status md_dwarf_func_name_at(md_dwarf *d, uint64_t pc, md_func *out, md_err *err)
{
	memset(out, 0, sizeof *out);
	md_status st = build_syms(d, err);
	if (st != MD_OK)
		return st;
	const md_dw_sym *s = sym_at(d, pc);
	/* Outside every symbol (the vDSO, a C library, garbage): DWARF
	 * knows no more, and asking it would index every CU's ranges. */
	if (!s && d->nsyms && (pc < d->syms[0].lo || pc >= d->syms_end))
		return md_err_set(err, MD_NOTFOUND, "no function at 0x%llx",
		                  (unsigned long long)pc);
	if (!s)
		return md_dwarf_func_at(d, pc, out, err);
	snprintf(out->name, sizeof out->name, "%s", sym_name(d, s));
	out->lo = s->lo;
	out->hi = s->hi;
	return MD_OK;
}

md_status md_dw_fn_at(md_dwarf *d, uint64_t pc, md_dw_fn **out, md_err *err)
{
	return fn_at(d, pc, out, err);
}

md_status md_dw_func_die(md_dwarf *d, uint64_t lo, uint64_t *die, md_err *err)
{
	md_dw_fn *fn = NULL;
	*die = 0;
	md_status st = fn_at(d, lo, &fn, err);
	if (st == MD_OK && fn)
		*die = fn->die_off;
	return st;
}

/* ---- line tables ------------------------------------------------------- */

/* Go's compile directory is "." and, in DWARF 5, so is include directory
 * 0; libdwarf joins them in ("././<autogenerated>", "./internal/..." with
 * -trimpath), which is not how DWARF spells the path. */
static const char *strip_dot(const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	return p;
}

/* Copy the CU's file names (libdwarf joins directory and name). */
static md_status load_files(md_dwarf *d, md_dw_code *c, Dwarf_Die cu,
                            md_err *err)
{
	if (c->files_loaded)
		return MD_OK;
	Dwarf_Error e = NULL;
	char **names = NULL;
	Dwarf_Signed n = 0;
	int rc = dwarf_srcfiles(cu, &names, &n, &e);
	if (rc == DW_DLV_ERROR)
		return md_dw_fail(d, e, err, "reading line table file names");
	if (rc == DW_DLV_NO_ENTRY || n <= 0)
		return MD_OK;
	md_status st = MD_OK;
	c->files = calloc((size_t)n, sizeof *c->files);
	if (!c->files)
		st = md_err_set(err, MD_E_NOMEM, "line table");
	else
		c->nfiles = (size_t)n;
	for (Dwarf_Signed i = 0; i < n; i++) {
		if (st == MD_OK && !(c->files[i] = strdup(strip_dot(names[i]))))
			st = md_err_set(err, MD_E_NOMEM, "line table");
		dwarf_dealloc(d->dbg, names[i], DW_DLA_STRING);
	}
	dwarf_dealloc(d->dbg, names, DW_DLA_LIST);
	c->files_loaded = st == MD_OK;
	return st;
}

/* The index into c->files of a row's file number.  DWARF 2-4 number
 * files from 1, DWARF 5 from 0.  Go's DWARF 5 tables have a placeholder
 * "?" as file 0, never referred to, and leave the file register at its
 * initial value 1 for a sequence in file 1 (assembly CUs, a CU's first
 * function); libdwarf 20210528 starts that register at 0 instead of 1
 * (DWARF 5 table 6.4; later libdwarf releases fixed it), so a 0 there
 * means 1. */
static md_status file_index(md_dwarf *d, const md_dw_code *c,
                            Dwarf_Unsigned ver, Dwarf_Unsigned fno,
                            uint32_t *idx, md_err *err)
{
	if (ver >= 5 && fno == 0 && c->nfiles > 1 &&
	    strcmp(c->files[0], "?") == 0)
		fno = 1;
	else if (ver < 5)
		fno--; /* 0, no file, wraps and fails the check below */
	if (fno >= c->nfiles)
		return md_err_set(err, MD_E_DWARF, "%s: line table file number %llu "
		                  "of %zu", d->info.dwarf_path,
		                  (unsigned long long)fno, c->nfiles);
	*idx = (uint32_t)fno;
	return MD_OK;
}

static md_status end_seq(md_dw_code *c, size_t *cap, size_t first,
                         uint64_t hi, md_err *err)
{
	md_dw_seq *seqs = grow(c->seqs, cap, c->nseqs, sizeof *seqs);
	if (!seqs)
		return md_err_set(err, MD_E_NOMEM, "line table");
	c->seqs = seqs;
	c->seqs[c->nseqs++] = (md_dw_seq){ c->rows[first].addr, hi, first,
	                                   c->nrows - first };
	return MD_OK;
}

/* Copy libdwarf's rows into our arrays: one md_dw_row per row, one
 * md_dw_seq per sequence (Go writes one per function). */
static md_status decode_lines(md_dwarf *d, md_dw_code *c, Dwarf_Unsigned ver,
                              Dwarf_Line *lines, Dwarf_Signed n, md_err *err)
{
	size_t scap = 0, first = 0;
	int open = 0;
	if (n <= 0)
		return MD_OK;
	c->rows = malloc((size_t)n * sizeof *c->rows);
	if (!c->rows)
		return md_err_set(err, MD_E_NOMEM, "line table");
	for (Dwarf_Signed i = 0; i < n; i++) {
		Dwarf_Error e = NULL;
		Dwarf_Addr addr = 0;
		Dwarf_Bool end = 0;
		Dwarf_Unsigned lno = 0, fno = 0;
		if (dwarf_lineaddr(lines[i], &addr, &e) != DW_DLV_OK ||
		    dwarf_lineendsequence(lines[i], &end, &e) != DW_DLV_OK)
			return md_dw_fail(d, e, err, "reading a line table row");
		if (end) {
			md_status st = open ? end_seq(c, &scap, first, addr, err)
			                    : MD_OK;
			if (st != MD_OK)
				return st;
			open = 0;
			continue;
		}
		if (dwarf_lineno(lines[i], &lno, &e) != DW_DLV_OK ||
		    dwarf_line_srcfileno(lines[i], &fno, &e) != DW_DLV_OK)
			return md_dw_fail(d, e, err, "reading a line table row");
		/* The spec wants addresses non-decreasing within a sequence;
		 * the binary search relies on it. */
		if (open && addr < c->rows[c->nrows - 1].addr)
			return md_err_set(err, MD_E_DWARF,
			                  "%s: line table addresses go back at 0x%llx",
			                  d->info.dwarf_path, (unsigned long long)addr);
		uint32_t file = 0;
		md_status st = file_index(d, c, ver, fno, &file, err);
		if (st != MD_OK)
			return st;
		if (!open) {
			first = c->nrows;
			open = 1;
		}
		c->rows[c->nrows++] = (md_dw_row){
			addr, lno > UINT32_MAX ? UINT32_MAX : (uint32_t)lno, file
		};
	}
	/* A sequence without its end_sequence row: where it ends is unknown,
	 * so its last row covers nothing. */
	if (open)
		return end_seq(c, &scap, first, c->rows[c->nrows - 1].addr, err);
	return MD_OK;
}

/* Decode the CU's line program once. */
static md_status load_lines(md_dwarf *d, md_dw_code *c, md_err *err)
{
	if (c->lines_loaded)
		return MD_OK;
	Dwarf_Die cu = NULL;
	md_status st = md_dw_die(d, c->die_off, &cu, err);
	if (st != MD_OK)
		return st;
	Dwarf_Error e = NULL;
	Dwarf_Unsigned ver = 0;
	Dwarf_Small ntables = 0;
	Dwarf_Line_Context ctx = NULL;
	int rc = dwarf_srclines_b(cu, &ver, &ntables, &ctx, &e);
	c->line_ver = ver;
	if (rc == DW_DLV_OK) {
		Dwarf_Line *lines = NULL;
		Dwarf_Signed n = 0;
		rc = dwarf_srclines_from_linecontext(ctx, &lines, &n, &e);
		st = rc == DW_DLV_OK ? load_files(d, c, cu, err)
		                     : md_dw_fail(d, e, err, "reading a line table");
		if (st == MD_OK)
			st = decode_lines(d, c, ver, lines, n, err);
		dwarf_srclines_dealloc_b(ctx);
	} else if (rc == DW_DLV_ERROR) {
		st = md_dw_fail(d, e, err, "reading a line table");
	}
	md_dw_free_die(d, cu);
	if (st != MD_OK) {
		free_lines(c); /* start afresh next time */
		return st;
	}
	if (c->nseqs > 1)
		qsort(c->seqs, c->nseqs, sizeof *c->seqs, seq_cmp);
	c->lines_loaded = 1;
	return MD_OK;
}

md_status md_dwarf_line_at(md_dwarf *d, uint64_t pc, char *file, size_t n,
                           int *line, md_err *err)
{
	if (file && n)
		file[0] = '\0';
	if (line)
		*line = 0;
	md_status st = index_codes(d, err);
	if (st != MD_OK)
		return st;
	md_dw_code *c = code_at(d, pc);
	if (!c)
		return md_err_set(err, MD_NOTFOUND, "no compile unit covers 0x%llx",
		                  (unsigned long long)pc);
	st = load_lines(d, c, err);
	if (st != MD_OK)
		return st;
	size_t k = count_le(c->seqs, c->nseqs, sizeof *c->seqs, pc);
	if (k == 0 || pc >= c->seqs[k - 1].hi)
		return md_err_set(err, MD_NOTFOUND, "no line information for 0x%llx",
		                  (unsigned long long)pc);
	const md_dw_seq *q = &c->seqs[k - 1];
	/* Rows sharing an address: the last one is the one in effect. */
	size_t r = count_le(c->rows + q->first, q->n, sizeof *c->rows, pc);
	const md_dw_row *row = &c->rows[q->first + (r ? r - 1 : 0)];
	if (file && n)
		snprintf(file, n, "%s", c->files[row->file]);
	if (line)
		*line = row->line > INT_MAX ? INT_MAX : (int)row->line;
	return MD_OK;
}

md_status md_dw_file_name(md_dwarf *d, uint64_t pc, uint64_t fno, char *buf, size_t n,
                          md_err *err)
{
	buf[0] = '\0';
	md_status st = index_codes(d, err);
	if (st != MD_OK)
		return st;
	md_dw_code *c = code_at(d, pc);
	if (!c)
		return md_err_set(err, MD_NOTFOUND, "no compile unit covers 0x%llx",
		                  (unsigned long long)pc);
	/* the file table alone (the line program's header): naming inlined
	 * calls must not decode every row of the runtime's line table */
	if (!c->files_loaded) {
		Dwarf_Die cu = NULL;
		Dwarf_Half ver = 0, osz = 0;
		st = md_dw_die(d, c->die_off, &cu, err);
		if (st != MD_OK)
			return st;
		if (!c->lines_loaded && dwarf_get_version_of_die(cu, &ver, &osz) == DW_DLV_OK)
			c->line_ver = ver;  /* Go's line programs are v5 iff its CUs are */
		st = load_files(d, c, cu, err);
		md_dw_free_die(d, cu);
		if (st != MD_OK) {
			for (size_t i = 0; i < c->nfiles; i++)
				free(c->files[i]);
			free(c->files);
			c->files = NULL;
			c->nfiles = 0;
			return st;
		}
	}
	uint32_t idx = 0;
	st = file_index(d, c, c->line_ver, fno, &idx, err);
	if (st == MD_OK)
		snprintf(buf, n, "%s", c->files[idx]);
	return st;
}

void md_dw_sym_free(md_dwarf *d)
{
	drop_syms(d);
	if (d->symelf)
		elf_end(d->symelf);
	d->symelf = NULL;
	d->symstr = NULL;
	d->symtab = NULL;
	d->symstr_len = d->nsymtab = 0;
	d->symtab_state = 0;
	for (size_t i = 0; i < d->ncodes; i++) {
		for (size_t j = 0; j < d->codes[i].nfns; j++)
			md_dw_inl_free(d->codes[i].fns[j].inl);
		free(d->codes[i].fns);
		free_lines(&d->codes[i]);
	}
	free(d->codes);
	free(d->ranges);
	d->syms = NULL;
	d->syms_end = 0;
	d->codes = NULL;
	d->ranges = NULL;
	d->nsyms = d->ncodes = d->nranges = 0;
}
