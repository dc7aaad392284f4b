/* md_testbin.h - the Go binaries of testdata/bin, for the unit tests that
 * read real binaries (test_dwarf.c, test_symbols.c, test_writepaths.c).
 *
 * testdata/bin holds a directory per variant, named go1.NN[-MODE] (MODE:
 * noswiss pie extld trimpath nocompress debugfile buildid nodwarf); the
 * name says what to expect of the binaries in it.  Other names (demo) are
 * not variants: their binaries get the checks that need no expectation.
 *
 *   test_tree(path, name, test)  calls test(binary, variant) for path (a
 *                                binary), for the binaries of path (a
 *                                variant directory), or for those of each
 *                                directory in path (testdata/bin)
 *   read_func_syms(path, syms)   the functions of a binary's .symtab, read
 *                                with libelf alone: the truth dwarf/ is
 *                                compared with
 *
 * Header-only, like md_test.h. */
#ifndef MD_TESTBIN_H
#define MD_TESTBIN_H
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__)
#define X86 1
#else
#define X86 0
#endif

/* ---- the variant a binary was built as --------------------------------- */

typedef struct variant {
	int minor;          /* NN of go1.NN; 0 when the name is not a variant */
	char mode[32];      /* "" or the MODE */
	char dir[PATH_MAX]; /* the variant directory */
	char version[96];   /* expected go_version; "" when the toolchain's
	                       VERSION file is not installed */
} variant;

static inline int is_mode(const variant *v, const char *m)
{
	return strcmp(v->mode, m) == 0;
}

/* The variant of directory dir; the Go version from the first line of
 * /usr/lib/go-1.NN/VERSION when that file exists. */
static inline void parse_variant(const char *dir, variant *v)
{
	const char *base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	memset(v, 0, sizeof *v);
	snprintf(v->dir, sizeof v->dir, "%s", dir);
	int n = 0;
	if (sscanf(base, "go1.%d%n", &v->minor, &n) != 1) {
		v->minor = 0;
		return;
	}
	if (base[n] == '-')
		snprintf(v->mode, sizeof v->mode, "%s", base + n + 1);
	char path[64], line[64] = "";
	snprintf(path, sizeof path, "/usr/lib/go-1.%d/VERSION", v->minor);
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(line, sizeof line, f))
			line[strcspn(line, "\r\n")] = '\0';
		fclose(f);
	}
	if (line[0])
		snprintf(v->version, sizeof v->version, "%s%s", line,
		         is_mode(v, "noswiss") ? " X:noswissmap" :
		         is_mode(v, "splitgroup") ? "-X:mapsplitgroup" : "");
}

/* ---- walking testdata/bin ---------------------------------------------- */

static inline int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static inline int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static inline int is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static inline int skip_entry(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

typedef void (*binary_test)(const char *path, const variant *v);

/* Test dir's binary called name, or, when name is NULL, each executable
 * file of dir that is not a separate debug file (*.debug).  Returns how
 * many were tested. */
static inline int test_variant_dir(const char *dir, const char *name,
                                   binary_test test)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, skip_entry, alphasort), tested = 0;
	variant v;
	parse_variant(dir, &v);
	for (int i = 0; i < n; i++) {
		char p[PATH_MAX];
		int len = snprintf(p, sizeof p, "%s/%s", dir, ents[i]->d_name);
		if (len > 0 && (size_t)len < sizeof p &&
		    (name ? strcmp(ents[i]->d_name, name) == 0 : !ends_with(p, ".debug")) &&
		    is_file(p) && access(p, X_OK) == 0) {
			test(p, &v);
			tested++;
		}
		free(ents[i]);
	}
	free(n >= 0 ? ents : NULL);
	return tested;
}

/* path: a binary (its directory names the variant), a variant directory,
 * or a directory of variant directories.  Returns how many binaries were
 * tested. */
static inline int test_tree(const char *path, const char *name, binary_test test)
{
	if (is_file(path)) {
		char dir[PATH_MAX];
		variant v;
		snprintf(dir, sizeof dir, "%s", path);
		char *s = strrchr(dir, '/');
		if (s)
			*s = '\0';
		else
			snprintf(dir, sizeof dir, ".");
		parse_variant(dir, &v);
		test(path, &v);
		return 1;
	}
	int tested = test_variant_dir(path, name, test);
	if (tested > 0)
		return tested;
	struct dirent **ents;
	int n = scandir(path, &ents, skip_entry, alphasort);
	for (int i = 0; i < n; i++) {
		char sub[PATH_MAX];
		int len = snprintf(sub, sizeof sub, "%s/%s", path, ents[i]->d_name);
		if (len > 0 && (size_t)len < sizeof sub && is_dir(sub))
			tested += test_variant_dir(sub, name, test);
		free(ents[i]);
	}
	free(n >= 0 ? ents : NULL);
	return tested;
}

/* ---- the symbol table, read independently of dwarf/ -------------------- */

typedef struct tsym {
	char *name;
	uint64_t lo, size;
	int defined; /* in a section of this binary (not SHN_UNDEF) */
} tsym;

typedef struct tsyms {
	tsym *v;
	size_t n;
} tsyms;

static inline void free_func_syms(tsyms *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* Every STT_FUNC symbol with a name in path's .symtab, in table order.
 * Returns 0 when a symbol table was read, -1 otherwise (none, not ELF,
 * out of memory). */
static inline int read_func_syms(const char *path, tsyms *out)
{
	memset(out, 0, sizeof *out);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	size_t cap = 0;
	int read = 0, nomem = 0;
	for (Elf_Scn *scn = NULL; elf && !nomem && (scn = elf_nextscn(elf, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = data ? data->d_size / sh.sh_entsize : 0;
		read |= data != NULL;
		for (size_t i = 0; i < n && !nomem; i++) {
			GElf_Sym s;
			const char *name;
			if (!gelf_getsym(data, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
			    !(name = elf_strptr(elf, sh.sh_link, s.st_name)) || !name[0])
				continue;
			if (out->n == cap) {
				size_t ncap = cap ? 2 * cap : 4096;
				tsym *nv = realloc(out->v, ncap * sizeof *nv);
				if (!nv) {
					nomem = 1;
					break;
				}
				out->v = nv;
				cap = ncap;
			}
			out->v[out->n] = (tsym){ strdup(name), s.st_value, s.st_size,
			                         s.st_shndx != SHN_UNDEF };
			if (!out->v[out->n].name)
				nomem = 1;
			else
				out->n++;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
	if (!read || nomem) {
		free_func_syms(out);
		return -1;
	}
	return 0;
}
#endif
