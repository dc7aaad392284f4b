/* test_symbols.c - symbolization (md_dwarf_func_at, md_dwarf_line_at,
 * md_dwarf_param_loc) against the testdata Go binaries.
 *
 * Usage: test_symbols [DIR...]
 *   DIR is testdata/bin (a directory of variant directories, the default)
 *   or one variant directory (testdata/bin/go1.26-pie).  The variant name
 *   "go1.NN[-MODE]" says where the DWARF is (debugfile, buildid) or that
 *   there is none (nodwarf); Swiss versus classic maps is told by the Go
 *   version the binary reports.
 *
 * Expectations come from the binaries and sources themselves, never from
 * numbers written here: function addresses and sizes from the ELF symbol
 * table (read with libelf, independently of dwarf/), the line of
 * `func main()` from testdata/maps/cmd/maptarget/main.go, the line of a
 * runtime function from /usr/lib/go-1.NN/src when it is installed.  The
 * register facts checked are those of Go's amd64 register ABI (the Nth
 * integer argument in RAX, RBX, RCX, RDI, ... = DWARF 0, 3, 2, 5).
 *
 * Per binary: every function of the symbol table by its first and last
 * byte; main.main and the map write functions by name, line and the
 * location of their map parameter at every pc; misses (pc 0, past the end
 * of text, unknown parameter, pc outside the function); the DWARF-only
 * path, on a copy whose .symtab is hidden, must name every function the
 * same; lookups are microseconds and do not grow the heap.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "md_test.h"
#include "md_testbin.h"
#include "md_dwarf.h"

/* amd64 DWARF register numbers of the first three integer arguments. */
enum { RAX = 0, RBX = 3, RCX = 2 };

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *loc_kind(md_loc_kind k)
{
	static const char *n[] = { "NONE", "REG", "CFA", "FBREG", "ADDR" };
	return (unsigned)k < 5 ? n[k] : "?";
}

/* ---- the symbol table, read independently of dwarf/ -------------------- */

/* The functions of the .symtab that have code: what every lookup must
 * name. */
static int read_syms(const char *path, tsyms *out)
{
	if (read_func_syms(path, out) != 0)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < out->n; i++) {
		if (out->v[i].size && out->v[i].defined)
			out->v[k++] = out->v[i];
		else
			free(out->v[i].name);
	}
	out->n = k;
	return k ? 0 : -1;
}

static const tsym *sym_named(const tsyms *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* Another symbol at the same address (an alias): either name is right. */
/* md_func.name holds a symbol name truncated to its size: Go's generic
 * instantiations ("slices.pdqsortCmpFunc[go.shape.struct { ... }]") run
 * longer. */
static int same_name(const char *got, const char *sym)
{
	return strncmp(got, sym, sizeof ((md_func *)0)->name - 1) == 0 &&
	       strlen(got) < sizeof ((md_func *)0)->name;
}

static int alias_of(const tsyms *s, uint64_t lo, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].lo == lo && same_name(name, s->v[i].name))
			return 1;
	return 0;
}

/* ---- sources ----------------------------------------------------------- */

/* Line n (1-based) of a file into buf; 0 if there is no such line. */
static int source_line(const char *path, int n, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int i = 0, found = 0;
	if (!f)
		return 0;
	while (fgets(buf, (int)len, f))
		if (++i == n) {
			found = 1;
			break;
		}
	fclose(f);
	return found;
}

/* The line number of the first line that starts with prefix; 0 if none. */
static int find_line(const char *path, const char *prefix)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	int i = 0, found = 0;
	if (!f)
		return 0;
	while (!found && fgets(buf, sizeof buf, f)) {
		i++;
		found = strncmp(buf, prefix, strlen(prefix)) == 0;
	}
	fclose(f);
	return found ? i : 0;
}

static char main_go[PATH_MAX]; /* testdata/maps/cmd/maptarget/main.go */
static int main_line;          /* its `func main()` line */

/* ---- per binary -------------------------------------------------------- */

static int is_swiss(md_dwarf *d)
{
	const char *gv = md_dwarf_exe(d)->go_version;
	int minor = 0;
	return sscanf(gv, "go1.%d", &minor) == 1 && minor >= 24 &&
	       !strstr(gv, "noswissmap");
}

static md_dwarf *open_dwarf(const char *path, const char *debug_dir,
                            md_status *st, md_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	md_dwarf *d = NULL;
	md_dwarf_opts o = { path, fd, NULL, debug_dir };
	*st = fd < 0 ? MD_E_NOEXE : md_dwarf_open(&o, &d, err);
	if (fd >= 0)
		close(fd); /* borrowed only during md_dwarf_open */
	return d;
}

/* Every function by its first and last byte: name and bounds as the
 * symbol table says, and a real source file: Go's DWARF 5 line tables
 * leave the file register at its initial 1 for the first function of a CU
 * and for assembly, which libdwarf 20210528 reads as file 0, the
 * placeholder "?".  Returns how many functions have a DIE. */
static size_t check_all_funcs(md_dwarf *d, const tsyms *s)
{
	size_t bad = 0, bad_file = 0, with_die = 0;
	for (size_t i = 0; i < s->n; i++) {
		const tsym *y = &s->v[i];
		uint64_t pcs[2] = { y->lo, y->lo + y->size - 1 };
		for (int k = 0; k < 2; k++) {
			md_func f;
			md_err e;
			char file[PATH_MAX];
			int line = 0;
			md_status st = md_dwarf_line_at(d, pcs[k], file, sizeof file, &line,
			                                &e);
			if ((st == MD_OK && (!file[0] || strcmp(file, "?") == 0 ||
			                     ends_with(file, "/?") || line <= 0)) ||
			    (st != MD_OK && st != MD_NOTFOUND)) {
				if (bad_file++ < 5)
					T(0, "line_at(0x%llx) in %s = %d %s:%d %s",
					  (unsigned long long)pcs[k], y->name, st, file, line,
					  st ? e.detail : "");
			}
			st = md_dwarf_func_at(d, pcs[k], &f, &e);
			if (st != MD_OK || f.lo != y->lo || f.hi != y->lo + y->size ||
			    (!same_name(f.name, y->name) && !alias_of(s, y->lo, f.name))) {
				if (bad++ < 5)
					T(0, "func_at(0x%llx) = %d %s [0x%llx,0x%llx), want %s "
					  "[0x%llx,+%llu): %s", (unsigned long long)pcs[k], st,
					  f.name, (unsigned long long)f.lo,
					  (unsigned long long)f.hi, y->name,
					  (unsigned long long)y->lo, (unsigned long long)y->size,
					  st ? e.detail : "");
			} else if (k == 0 && f.die) {
				with_die++;
			}
		}
	}
	T(bad == 0, "%zu of %zu function lookups wrong", bad, 2 * s->n);
	T(bad_file == 0, "%zu of %zu line lookups wrong", bad_file, 2 * s->n);
	return with_die;
}

/* func_at and line_at of a function's entry: its name, its bounds, a DIE,
 * and the `func` line of its source. */
static int check_func(md_dwarf *d, const tsym *y, md_func *f)
{
	md_err e;
	md_status st = md_dwarf_func_at(d, y->lo, f, &e);
	if (!T(st == MD_OK, "func_at(%s): %d %s", y->name, st, e.detail))
		return 0;
	T(strcmp(f->name, y->name) == 0, "func_at(0x%llx) = %s, want %s",
	  (unsigned long long)y->lo, f->name, y->name);
	T(f->lo == y->lo && f->hi == y->lo + y->size, "%s: [0x%llx,0x%llx)",
	  y->name, (unsigned long long)f->lo, (unsigned long long)f->hi);
	T(f->die != 0, "%s: no DIE", y->name);
	md_func g;
	st = md_dwarf_func_at(d, y->lo + 5, &g, &e);
	T(st == MD_OK && strcmp(g.name, y->name) == 0 && g.lo == y->lo &&
	  g.die == f->die, "func_at(%s+5): %d %s", y->name, st, g.name);
	return 1;
}

/* The file and line of a function's entry: file is checked by the caller;
 * the line must be the `func` line of the source (found through
 * /usr/lib/go-1.NN/src for runtime files, which -trimpath shortens). */
static void check_entry_line(md_dwarf *d, const variant *v, const tsym *y,
                             char *file, size_t n, int *line)
{
	md_err e;
	md_status st = md_dwarf_line_at(d, y->lo, file, n, line, &e);
	if (!T(st == MD_OK, "line_at(%s): %d %s", y->name, st, e.detail))
		return;
	char path[PATH_MAX + 64], text[4096];
	if (file[0] == '/')
		snprintf(path, sizeof path, "%s", file);
	else
		snprintf(path, sizeof path, "/usr/lib/go-1.%d/src/%s", v->minor, file);
	if (v->minor && access(path, R_OK) == 0)
		T(source_line(path, *line, text, sizeof text) &&
		  strncmp(text, "func ", 5) == 0,
		  "%s: %s:%d is not a func line", y->name, file, *line);
}

/* Swiss or classic: the map parameter of the functions that write maps,
 * and the argument register it arrives in (its position in the Go
 * signature, e.g. runtime.mapassign(t, h, key): second, RBX). */
typedef struct mapfn {
	const char *name;
	const char *param;
	int reg;
} mapfn;

static const mapfn classic_fns[] = {
	{ "runtime.mapassign_faststr", "h", RBX },
	{ "runtime.mapassign", "h", RBX },
	{ "runtime.mapassign_fast32", "h", RBX },
	{ "runtime.mapassign_fast64", "h", RBX },
	{ "runtime.mapassign_fast64ptr", "h", RBX },
	{ "runtime.mapdelete", "h", RBX },
	{ "runtime.mapdelete_faststr", "h", RBX },
	{ "runtime.mapdelete_fast64", "h", RBX },
	{ "runtime.mapclear", "h", RBX },
	{ "runtime.growWork", "h", RBX },
	{ "runtime.evacuate", "h", RBX },
	{ "runtime.hashGrow", "h", RBX },
	{ NULL, NULL, 0 }
};

static const mapfn swiss_fns[] = {
	{ "runtime.mapassign_faststr", "m", RBX },
	{ "runtime.mapassign", "m", RBX },
	{ "runtime.mapassign_fast32", "m", RBX },
	{ "runtime.mapassign_fast64", "m", RBX },
	{ "runtime.mapassign_fast64ptr", "m", RBX },
	{ "runtime.mapdelete", "m", RBX },
	{ "runtime.mapdelete_faststr", "m", RBX },
	{ "internal/runtime/maps.(*Map).PutSlot", "m", RAX },
	{ "internal/runtime/maps.(*Map).putSlotSmall", "m", RAX },
	{ "internal/runtime/maps.(*Map).Delete", "m", RAX },
	{ "internal/runtime/maps.(*Map).Clear", "m", RAX },
	{ "internal/runtime/maps.(*Map).growToTable", "m", RAX },
	{ "internal/runtime/maps.(*table).grow", "m", RCX },
	{ "internal/runtime/maps.(*table).split", "m", RCX },
	{ "internal/runtime/maps.(*table).rehash", "m", RCX },
	{ NULL, NULL, 0 }
};

/* The map parameter of one write function at every pc: in its argument
 * register at entry, never anything but a register or a CFA-relative
 * slot, and nothing outside the function. */
static void check_map_param(md_dwarf *d, const mapfn *m, const md_func *f,
                            int *saw_slot)
{
	md_loc l;
	md_err e;
	md_status st = md_dwarf_param_loc(d, f, m->param, f->lo, &l, &e);
	if (!T(st == MD_OK, "param_loc(%s, %s): %d %s", f->name, m->param, st,
	       e.detail))
		return;
	T(l.kind == MD_LOC_REG || l.kind == MD_LOC_FBREG, "%s %s at entry: %s",
	  f->name, m->param, loc_kind(l.kind));
	if (X86)
		T(l.kind == MD_LOC_REG && l.reg == m->reg, "%s %s at entry: %s %d, "
		  "want register %d", f->name, m->param, loc_kind(l.kind), l.reg,
		  m->reg);
	size_t bad = 0;
	for (uint64_t pc = f->lo; pc < f->hi; pc++) {
		st = md_dwarf_param_loc(d, f, m->param, pc, &l, &e);
		int ok = st == MD_OK && l.kind != MD_LOC_ADDR &&
		         (l.kind != MD_LOC_REG || (l.reg >= 0 && l.reg <= 16)) &&
		         ((l.kind != MD_LOC_FBREG && l.kind != MD_LOC_CFA) ||
		          (l.off >= 0 && l.off < 64 && l.off % 8 == 0));
		if (!ok && bad++ < 3)
			T(0, "%s %s at +0x%llx: %d %s reg %d off %lld", f->name, m->param,
			  (unsigned long long)(pc - f->lo), st, loc_kind(l.kind), l.reg,
			  (long long)l.off);
		/* The slot a spilled argument gets in the caller's frame. */
		if (st == MD_OK && (l.kind == MD_LOC_FBREG || l.kind == MD_LOC_CFA))
			*saw_slot = 1;
	}
	T(bad == 0, "%s %s: %zu bad locations", f->name, m->param, bad);
	st = md_dwarf_param_loc(d, f, m->param, f->hi, &l, &e);
	T(st == MD_OK && l.kind == MD_LOC_NONE, "%s %s past the end: %d %s",
	  f->name, m->param, st, loc_kind(l.kind));
	st = md_dwarf_param_loc(d, f, m->param, f->lo - 1, &l, &e);
	T(st == MD_OK && l.kind == MD_LOC_NONE, "%s %s before the start: %d %s",
	  f->name, m->param, st, loc_kind(l.kind));
}

static void check_map_writers(md_dwarf *d, const variant *v, const tsyms *s)
{
	int swiss = is_swiss(d);
	const mapfn *fns = swiss ? swiss_fns : classic_fns;
	const char *other = swiss ? "h" : "m";
	int found = 0, saw_slot = 0;
	for (const mapfn *m = fns; m->name; m++) {
		const tsym *y = sym_named(s, m->name);
		md_func f;
		if (!y) {
			/* Always present: the fast string assign. */
			T(m != fns, "no %s in the symbol table", m->name);
			continue;
		}
		if (!check_func(d, y, &f))
			continue;
		found++;
		char file[PATH_MAX];
		int line = 0;
		check_entry_line(d, v, y, file, sizeof file, &line);
		/* Swiss maps are implemented in internal/runtime/maps (the
		 * runtime.mapassign* symbols are linknamed there), classic ones in
		 * runtime/map*.go; wrappers such as Swiss runtime.mapdelete stay
		 * in runtime/map.go. */
		const char *dir = m != fns ? "runtime/"
		                  : swiss ? "internal/runtime/maps/" : "runtime/map";
		const char *p = strstr(file, dir);
		T(p && (p == file || p[-1] == '/') &&
		  (swiss || !strstr(file, "internal/runtime/maps/")),
		  "%s in %s, want a file under %s", m->name, file, dir);
		if (is_mode(v, "trimpath"))
			T(file[0] != '/' && (strncmp(file, "runtime/", 8) == 0 ||
			                     strncmp(file, "internal/runtime/", 17) == 0),
			  "-trimpath: %s", file);
		else if (v->minor)
			T(strncmp(file, "/usr/lib/go-1.", 14) == 0, "not in GOROOT: %s",
			  file);
		check_map_param(d, m, &f, &saw_slot);

		md_loc l;
		md_err e;
		md_status st = md_dwarf_param_loc(d, &f, other, f.lo, &l, &e);
		T(st == MD_NOTFOUND && strstr(e.detail, other),
		  "%s has a parameter %s: %d", m->name, other, st);
		st = md_dwarf_param_loc(d, &f, "", f.lo, &l, &e);
		T(st == MD_NOTFOUND, "%s has a parameter named \"\"", m->name);
		/* die 0 (md_dwarf_func_name_at leaves it so) is looked up from lo */
		md_func nodie = f;
		md_loc l2;
		nodie.die = 0;
		md_status s1 = md_dwarf_param_loc(d, &f, m->param, f.lo, &l, &e);
		st = md_dwarf_param_loc(d, &nodie, m->param, f.lo, &l2, &e);
		T(st == s1 && l2.kind == l.kind && l2.reg == l.reg && l2.off == l.off,
		  "die 0 looked up: %d/%d", st, s1);
		nodie.lo = 0;
		st = md_dwarf_param_loc(d, &nodie, m->param, f.lo, &l2, &e);
		T(st == MD_NOTFOUND && l2.kind == MD_LOC_NONE, "no die, no lo: %d", st);
	}
	T(found >= 3, "only %d map write functions found", found);
	T(saw_slot, "the map parameter is never in a stack slot");
}

static void check_misses(md_dwarf *d, const tsyms *s)
{
	md_func f;
	md_err e;
	char file[256];
	int line = -1;
	uint64_t text_end = 0; /* end of the last function */
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].lo + s->v[i].size > text_end)
			text_end = s->v[i].lo + s->v[i].size;
	uint64_t past[] = { 0, 1, text_end + 0x100000, UINT64_MAX,
		            UINT64_MAX - 1 };
	for (size_t i = 0; i < sizeof past / sizeof past[0]; i++) {
		md_status st = md_dwarf_func_at(d, past[i], &f, &e);
		T(st == MD_NOTFOUND && f.name[0] == '\0' && f.die == 0,
		  "func_at(0x%llx): %d %s", (unsigned long long)past[i], st, f.name);
		st = md_dwarf_line_at(d, past[i], file, sizeof file, &line, &e);
		T(st == MD_NOTFOUND && file[0] == '\0' && line == 0,
		  "line_at(0x%llx): %d %s:%d", (unsigned long long)past[i], st, file,
		  line);
	}
	/* No buffer: only the line is wanted. */
	const tsym *y = sym_named(s, "main.main");
	if (y)
		T(md_dwarf_line_at(d, y->lo, NULL, 0, &line, &e) == MD_OK &&
		  line == main_line, "line_at without a file buffer: %d", line);
	/* A tiny buffer truncates. */
	if (y && md_dwarf_line_at(d, y->lo, file, 4, &line, &e) == MD_OK)
		T(strlen(file) == 3, "truncated to '%s'", file);
}

/* Repeated lookups: microseconds each (binary searches over cached
 * arrays) and no growth of the heap (nothing libdwarf hands out is kept).
 * The bound is loose enough for valgrind. */
static void check_speed(md_dwarf *d, const tsyms *s, const char *param,
                        const char *fn)
{
	const tsym *y = sym_named(s, fn);
	md_func f;
	md_loc l;
	md_err e;
	char file[512];
	int line;
	if (!y || md_dwarf_func_at(d, y->lo, &f, &e) != MD_OK)
		return;
	/* Warm every cache the loops below touch: the heap may grow then,
	 * and only then. */
	const int rounds = 20000;
	for (size_t i = 0; i < s->n; i++) {
		const tsym *z = &s->v[i];
		md_dwarf_func_at(d, z->lo + z->size / 2, &f, &e);
		md_dwarf_line_at(d, z->lo + z->size / 2, file, sizeof file, &line, &e);
	}
	md_dwarf_func_at(d, y->lo, &f, &e);
	md_dwarf_param_loc(d, &f, param, f.lo, &l, &e);
	struct mallinfo2 before = mallinfo2();
	double t0 = now_us();
	for (int i = 0; i < rounds; i++) {
		const tsym *z = &s->v[(size_t)i * 7 % s->n];
		md_dwarf_func_at(d, z->lo + z->size / 2, &f, &e);
	}
	double t1 = now_us();
	for (int i = 0; i < rounds; i++) {
		const tsym *z = &s->v[(size_t)i * 7 % s->n];
		md_dwarf_line_at(d, z->lo + z->size / 2, file, sizeof file, &line, &e);
	}
	double t2 = now_us();
	md_dwarf_func_at(d, y->lo, &f, &e);
	for (int i = 0; i < rounds / 10; i++)
		md_dwarf_param_loc(d, &f, param, f.lo + (uint64_t)i % (f.hi - f.lo),
		                   &l, &e);
	double t3 = now_us();
	struct mallinfo2 after = mallinfo2();
	T((t1 - t0) / rounds < 50, "func_at: %.2f us per call", (t1 - t0) / rounds);
	T((t2 - t1) / rounds < 50, "line_at: %.2f us per call", (t2 - t1) / rounds);
	T((t3 - t2) / (rounds / 10) < 500, "param_loc: %.2f us per call",
	  (t3 - t2) / (rounds / 10));
	/* ASan's allocator reports 0 here; then the check says nothing. */
	T(after.uordblks <= before.uordblks + 64 * 1024,
	  "heap grew by %zu bytes over repeated lookups",
	  after.uordblks - before.uordblks);
}

/* ---- the DWARF-only path: a copy whose .symtab is hidden ---------------- */

static char tmpdir[64];

/* Copy src to dst with the SHT_SYMTAB section header's type changed to
 * SHT_PROGBITS: the symbols are still in the file, but no reader sees a
 * symbol table. */
static int copy_without_symtab(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	int rc = -1;
	char buf[65536];
	ssize_t r;
	while (in >= 0 && out >= 0 && (r = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)r) != r)
			goto out;
	Elf64_Ehdr eh;
	if (in < 0 || out < 0 || pread(in, &eh, sizeof eh, 0) != sizeof eh)
		goto out;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		off_t off = (off_t)(eh.e_shoff + (uint64_t)i * eh.e_shentsize);
		if (pread(in, &sh, sizeof sh, off) != sizeof sh)
			goto out;
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		sh.sh_type = SHT_PROGBITS;
		if (pwrite(out, &sh, sizeof sh, off) != sizeof sh)
			goto out;
		rc = 0;
	}
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}

/* Copy s with each U+00B7 (middle dot) replaced by '.'. */
static void undot(char *out, size_t n, const char *s)
{
	size_t w = 0;
	for (; *s && w + 1 < n; s++) {
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xb7) {
			out[w++] = '.';
			s++;
		} else {
			out[w++] = *s;
		}
	}
	out[w] = '\0';
}

/* Without a symbol table, DWARF alone names the functions: the same
 * names and bounds for every function DWARF describes (abstract origins
 * included), and main.main's DIE is the one the symbol path found. */
static void check_dwarf_only(const char *path, const tsyms *s,
                             uint64_t main_die)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof copy, "%s/nosymtab", tmpdir);
	if (!T(copy_without_symtab(path, copy) == 0, "cannot hide .symtab")) {
		unlink(copy);
		return;
	}
	md_status st;
	md_err e;
	md_dwarf *d = open_dwarf(copy, NULL, &st, &e);
	if (!T(st == MD_OK, "open without .symtab: %d %s", st, e.detail)) {
		unlink(copy);
		return;
	}
	size_t named = 0, bad = 0;
	for (size_t i = 0; i < s->n; i++) {
		const tsym *y = &s->v[i];
		md_func f;
		st = md_dwarf_func_at(d, y->lo + y->size - 1, &f, &e);
		if (st == MD_NOTFOUND)
			continue; /* no DWARF for it (markers, some C code) */
		named++;
		/* The symbol table marks assembly functions of Go's ABI0 with a
		 * ".abi0" suffix that DWARF does not have, and spells '.' what
		 * DWARF spells U+00B7 in some generated names
		 * ("type:.eq.runtime.untracedG\xc2\xb77"). */
		char want[1024], got[sizeof f.name];
		snprintf(want, sizeof want, "%s", y->name);
		if (ends_with(want, ".abi0"))
			want[strlen(want) - 5] = '\0';
		undot(got, sizeof got, st == MD_OK ? f.name : "");
		if ((st != MD_OK || f.lo != y->lo || f.hi != y->lo + y->size ||
		     f.die == 0 || !same_name(got, want)) && bad++ < 5)
			T(0, "DWARF-only func_at(%s) = %d %s [0x%llx,0x%llx)", y->name,
			  st, f.name, (unsigned long long)f.lo, (unsigned long long)f.hi);
		if (strcmp(y->name, "main.main") == 0)
			T(f.die == main_die, "main.main DIE 0x%llx, want 0x%llx",
			  (unsigned long long)f.die, (unsigned long long)main_die);
	}
	T(bad == 0, "%zu DWARF-only lookups wrong", bad);
	T(named > s->n * 9 / 10, "DWARF names only %zu of %zu functions", named,
	  s->n);
	md_dwarf_free(d);
	unlink(copy);
}

static void test_binary(const char *path, const variant *v)
{
	char droot[PATH_MAX + 32];
	md_status st;
	md_err e;
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", path);
	snprintf(droot, sizeof droot, "%s/debugroot", v->dir);
	md_dwarf *d = open_dwarf(path, is_mode(v, "buildid") ? droot : NULL, &st,
	                         &e);
	if (is_mode(v, "nodwarf")) {
		T(st == MD_E_NODWARF, "open: %d %s", st, e.detail);
		md_dwarf_free(d);
		return;
	}
	if (!T(st == MD_OK, "md_dwarf_open: %d %s", st, e.detail))
		return;
	tsyms s;
	if (!T(read_syms(path, &s) == 0, "no symbol table")) {
		md_dwarf_free(d);
		return;
	}

	/* The first lookup builds the symbol index. */
	const tsym *mm = sym_named(&s, "main.main");
	md_func f;
	if (T(mm != NULL, "no main.main") && check_func(d, mm, &f)) {
		char file[PATH_MAX];
		int line = 0;
		st = md_dwarf_line_at(d, mm->lo, file, sizeof file, &line, &e);
		T(st == MD_OK && ends_with(file, "cmd/maptarget/main.go") &&
		  line == main_line, "line_at(main.main) = %d %s:%d, want main.go:%d",
		  st, file, line, main_line);
		if (is_mode(v, "trimpath"))
			T(file[0] != '/', "-trimpath path %s", file);
	}
	size_t with_die = check_all_funcs(d, &s);
	T(with_die > s.n * 9 / 10, "only %zu of %zu functions have a DIE",
	  with_die, s.n);
	check_map_writers(d, v, &s);
	check_misses(d, &s);
	check_speed(d, &s, is_swiss(d) ? "m" : "h", "runtime.mapassign_faststr");
	if (mm && !is_mode(v, "debugfile") && !is_mode(v, "buildid"))
		check_dwarf_only(path, &s, f.die);
	md_dwarf_free(d);
	free_func_syms(&s);
}

/* ---- walking the command line ------------------------------------------ */

/* testdata/maps/cmd/maptarget/main.go, next to testdata/bin. */
static void find_source(const char *dir)
{
	const char *ups[] = { "/..", "/../.." };
	for (size_t i = 0; i < 2 && !main_line; i++) {
		snprintf(main_go, sizeof main_go, "%s%s/maps/cmd/maptarget/main.go",
		         dir, ups[i]);
		main_line = find_line(main_go, "func main()");
	}
}

static void test_path(const char *p)
{
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", p);
	find_source(p);
	if (!T(main_line > 0, "no func main() in %s", main_go))
		return;
	int tested = test_tree(p, "maptarget", test_binary);
	snprintf(md_t_ctx, sizeof md_t_ctx, "%s", p);
	T(tested > 0, "%s: no variant directories with maptarget", p);
}

int main(int argc, char **argv)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_symbols.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}
	if (argc < 2)
		test_path("testdata/bin");
	for (int i = 1; i < argc; i++)
		test_path(argv[i]);
	rmdir(tmpdir);
	return md_test_done("test_symbols");
}
