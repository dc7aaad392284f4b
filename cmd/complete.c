/* complete.c - `mapdiag __complete`: the hidden helper of the shell
 * completions (completion/mapdiag.bash, completion/_mapdiag).  Not listed
 * in any help text.
 *
 *   mapdiag __complete pids
 *       one line per Go process whose executable we can open:
 *       "<pid>\t<comm>", in /proc order.  Go is recognised cheaply from
 *       the ELF alone (a .go.buildinfo or .note.go.buildid section, or a
 *       "Go" build-id note in a PT_NOTE segment): no DWARF, no ptrace.
 *   mapdiag __complete vars <pid> [<prefix>]
 *       the package-level variables of <pid> whose name starts with
 *       <prefix> and whose static type is a map or leads to one (through
 *       pointers, struct fields, arrays and slices; interfaces are not
 *       followed: their dynamic type needs the target's memory), one per
 *       line.  From the executable's DWARF only (md_target_open: /proc and
 *       the file, never ptrace, never a stop).
 *
 * Completion must not chatter: errors print nothing.  Exit 0 with what was
 * found, 3 on bad usage.
 */
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cmd.h"
#include "args.h"
#include "report.h"
#include "md_dwarf.h"
#include "target.h"

/* ---- pids ------------------------------------------------------------- */

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
	return pread(fd, buf, n, (off_t)off) == (ssize_t)n ? 0 : -1;
}

/* A "Go" note of type 4 (NT_GO_BUILDID) among the notes in [off, off+size). */
static int has_go_note(int fd, uint64_t off, uint64_t size)
{
	unsigned char buf[4096];
	if (size > sizeof buf)
		size = sizeof buf;
	if (size < sizeof(Elf64_Nhdr) || read_at(fd, buf, size, off))
		return 0;
	for (uint64_t p = 0; p + sizeof(Elf64_Nhdr) <= size;) {
		Elf64_Nhdr nh;
		memcpy(&nh, buf + p, sizeof nh);
		uint64_t name = p + sizeof nh;
		uint64_t desc = name + ((nh.n_namesz + 3ull) & ~3ull);
		if (nh.n_namesz == 3 && nh.n_type == 4 && name + 3 <= size &&
		    !memcmp(buf + name, "Go", 3))
			return 1;
		p = desc + ((nh.n_descsz + 3ull) & ~3ull);
	}
	return 0;
}

static int is_go_elf(int fd)
{
	Elf64_Ehdr eh;
	if (read_at(fd, &eh, sizeof eh, 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		return 0;
	if (eh.e_shoff && eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum > 0 &&
	    eh.e_shnum < 4096 && eh.e_shstrndx < eh.e_shnum) {
		Elf64_Shdr sh[eh.e_shnum];
		if (!read_at(fd, sh, sizeof sh, eh.e_shoff)) {
			uint64_t n = sh[eh.e_shstrndx].sh_size;
			char *names = n && n < (1u << 20) ? malloc(n + 1) : NULL;
			int go = 0;
			if (names && !read_at(fd, names, n, sh[eh.e_shstrndx].sh_offset)) {
				names[n] = '\0';
				for (int i = 0; i < eh.e_shnum && !go; i++)
					go = sh[i].sh_name < n &&
					     (!strcmp(names + sh[i].sh_name, ".go.buildinfo") ||
					      !strcmp(names + sh[i].sh_name, ".note.go.buildid"));
			}
			free(names);
			if (go)
				return 1;
		}
	}
	if (eh.e_phoff && eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum < 256) {
		Elf64_Phdr ph[eh.e_phnum ? eh.e_phnum : 1];
		if (eh.e_phnum && !read_at(fd, ph, sizeof(Elf64_Phdr) * eh.e_phnum, eh.e_phoff))
			for (int i = 0; i < eh.e_phnum; i++)
				if (ph[i].p_type == PT_NOTE && has_go_note(fd, ph[i].p_offset, ph[i].p_filesz))
					return 1;
	}
	return 0;
}

static int complete_pids(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	pid_t self = getpid();
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == self)
			continue;
		char path[300], comm[64] = "";
		snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		int go = is_go_elf(fd);
		close(fd);
		if (!go)
			continue;
		snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "re");
		if (f) {
			if (fgets(comm, sizeof comm, f))
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		printf("%s\t%s\n", e->d_name, comm);
	}
	closedir(d);
	return 0;
}

/* ---- vars: can a type reach a map? ------------------------------------ */

/* A memo of type ids: 0 unknown, 1 yes, 2 no, 3 + depth while being
 * visited (a cycle back to it is "no" for the cycle, and the answer is
 * memoized only by the type the cycle closes on). */
typedef struct reach {
	md_dwarf *dw;
	uint64_t *key;
	unsigned *val;
	size_t cap, n;
	long budget;       /* type visits left: a pathological DWARF ends */
} reach;

#define REACH_MAX_DEPTH 32

static unsigned *slot(reach *r, md_type_id t)
{
	if (2 * (r->n + 1) > r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 1024;
		uint64_t *k = calloc(cap, sizeof *k);
		unsigned *v = calloc(cap, sizeof *v);
		if (!k || !v) {
			free(k);
			free(v);
			return NULL;
		}
		for (size_t i = 0; i < r->cap; i++) {
			if (!r->key[i])
				continue;
			size_t j = (size_t)(r->key[i] * 0x9e3779b97f4a7c15ull) & (cap - 1);
			while (k[j])
				j = (j + 1) & (cap - 1);
			k[j] = r->key[i];
			v[j] = r->val[i];
		}
		free(r->key);
		free(r->val);
		r->key = k;
		r->val = v;
		r->cap = cap;
	}
	size_t j = (size_t)(t * 0x9e3779b97f4a7c15ull) & (r->cap - 1);
	while (r->key[j] && r->key[j] != t)
		j = (j + 1) & (r->cap - 1);
	if (!r->key[j]) {
		r->key[j] = t;
		r->n++;
	}
	return &r->val[j];
}

static int reaches(reach *r, md_type_id t, int depth, int *cycle);

typedef struct member_walk {
	reach *r;
	int depth, found, cycle;
} member_walk;

static int on_member(void *arg, const char *name, uint64_t off, md_type_id type)
{
	member_walk *w = arg;
	(void)name;
	(void)off;
	w->found = reaches(w->r, type, w->depth + 1, &w->cycle);
	return w->found;
}

/* 1 if a value of type t is a map or leads to one.  *cycle receives the
 * least depth of a type being visited that the search ran into. */
static int reaches(reach *r, md_type_id t, int depth, int *cycle)
{
	if (!t || depth > REACH_MAX_DEPTH || --r->budget < 0)
		return 0;
	unsigned *v = slot(r, t);
	if (!v)
		return 0;
	if (*v == 1 || *v == 2)
		return *v == 1;
	if (*v >= 3) {
		if ((int)*v - 3 < *cycle)
			*cycle = (int)*v - 3;
		return 0;
	}
	*v = 3 + (unsigned)depth;
	md_type ty;
	md_err err = { 0 };
	int yes = 0, cyc = REACH_MAX_DEPTH + 1;
	if (md_dwarf_type(r->dw, t, &ty, &err) == MD_OK) {
		switch (ty.kind) {
		case MD_TK_MAP:
			yes = 1;
			break;
		case MD_TK_POINTER:
		case MD_TK_TYPEDEF:
		case MD_TK_ARRAY:
		case MD_TK_SLICE:
			yes = reaches(r, ty.target, depth + 1, &cyc);
			break;
		case MD_TK_STRUCT: {
			member_walk w = { r, depth, 0, cyc };
			md_dwarf_each_member(r->dw, t, on_member, &w, &err);
			yes = w.found;
			cyc = w.cycle;
			break;
		}
		default:
			break;
		}
	}
	/* slot() may have moved the table: look t up again */
	v = slot(r, t);
	if (!v)
		return yes;
	if (yes || cyc >= depth)
		*v = yes ? 1 : 2;
	else
		*v = 0;   /* "no" only within a cycle still open above us */
	if (!yes && cyc < *cycle)
		*cycle = cyc;
	return yes;
}

typedef struct var_walk {
	reach r;
} var_walk;

static int on_var(void *arg, const char *name, uint64_t addr, md_type_id type)
{
	var_walk *w = arg;
	int cycle = REACH_MAX_DEPTH + 1;
	(void)addr;
	if (reaches(&w->r, type, 0, &cycle))
		printf("%s\n", name);
	return 0;
}

static int complete_vars(const char *pidarg, const char *prefix)
{
	pid_t pid;
	if (md_arg_pid(pidarg, &pid))
		return MD_EXIT_UNKNOWN;
	md_target t;
	md_err err = { 0 };
	if (md_target_open(pid, NULL, NULL, &t, &err) == MD_OK) {
		var_walk w = { { t.dw, NULL, NULL, 0, 0, 2000000 } };
		md_dwarf_each_var(t.dw, prefix, on_var, &w, &err);
		free(w.r.key);
		free(w.r.val);
	}
	md_target_close(&t);
	return 0;
}

static int run(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "pids"))
		return complete_pids();
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "vars"))
		return complete_vars(argv[2], argc == 4 ? argv[3] : "");
	return md_arg_usage("__complete: pids | vars <pid> [<prefix>]");
}

const md_command md_cmd_complete = { "__complete", run };
