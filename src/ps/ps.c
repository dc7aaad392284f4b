/* ps.c - the Go processes of the machine (see ps.h).
 *
 * Per process: its stat (kernel threads and zombies are left out before
 * anything else is opened), /proc/PID/exe opened, its effective uid.  Per
 * executable file (device, inode and path: many processes share one): the
 * ELF facts and the DWARF search of md_dwarf_locate, done once.  A process
 * that exits at any step is simply not listed, as ps does.
 */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ps.h"
#include "proc.h"
#include "gofacts.h"
#include "md_dwarf.h"
#include "clock.h"

#define DELETED " (deleted)"

/* What one executable file is. */
typedef struct exe_fact {
	dev_t dev;
	ino_t ino;
	char *path;
	md_status st;              /* of md_dwarf_locate */
	md_err err;
	md_exe_info *info;
} exe_fact;

typedef struct user_name {
	uid_t uid;
	char name[64];
} user_name;

typedef struct ps_state {
	const md_ps_opts *o;
	md_ps_report *r;
	exe_fact *exes;
	int nexes, capexes;
	user_name *users;
	int nusers, capusers;
	int capprocs, capmissing;
} ps_state;

/* Grow *p (of *cap elements of size sz) to hold n + 1. */
static int grow(void *pp, int *cap, int n, size_t sz)
{
	void **p = pp;
	if (n < *cap)
		return 0;
	int nc = *cap ? *cap * 2 : 16;
	void *q = realloc(*p, (size_t)nc * sz);
	if (!q)
		return -1;
	*p = q;
	*cap = nc;
	return 0;
}

static const exe_fact *exe_lookup(ps_state *s, int fd, const char *path, md_err *err)
{
	struct stat st;
	if (fstat(fd, &st) != 0) {
		md_err_set(err, MD_E_NOEXE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (int i = 0; i < s->nexes; i++)
		if (s->exes[i].dev == st.st_dev && s->exes[i].ino == st.st_ino &&
		    !strcmp(s->exes[i].path, path))
			return &s->exes[i];
	if (grow(&s->exes, &s->capexes, s->nexes, sizeof *s->exes)) {
		md_err_set(err, MD_E_NOMEM, "executables");
		return NULL;
	}
	exe_fact *x = &s->exes[s->nexes];
	memset(x, 0, sizeof *x);
	x->dev = st.st_dev;
	x->ino = st.st_ino;
	x->path = strdup(path);
	x->info = malloc(sizeof *x->info);
	if (!x->path || !x->info) {
		free(x->path);
		free(x->info);
		md_err_set(err, MD_E_NOMEM, "executables");
		return NULL;
	}
	/* the debuglink is looked for next to the file's own name */
	char dpath[sizeof ((md_proc *)0)->exe_path];
	snprintf(dpath, sizeof dpath, "%s", path);
	size_t n = strlen(dpath), dl = sizeof DELETED - 1;
	if (n > dl && !strcmp(dpath + n - dl, DELETED))
		dpath[n - dl] = '\0';
	md_dwarf_opts dopts = { .exe_path = dpath[0] ? dpath : NULL, .exe_fd = fd,
	                        .debug_dir = s->o->debug_dir };
	x->st = md_dwarf_locate(&dopts, x->info, &x->err);
	s->nexes++;
	return x;
}

static const char *user_of(ps_state *s, uid_t uid)
{
	for (int i = 0; i < s->nusers; i++)
		if (s->users[i].uid == uid)
			return s->users[i].name;
	static char num[32];
	if (grow(&s->users, &s->capusers, s->nusers, sizeof *s->users)) {
		snprintf(num, sizeof num, "%lu", (unsigned long)uid);
		return num;
	}
	user_name *u = &s->users[s->nusers++];
	u->uid = uid;
	struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name && strlen(pw->pw_name) < sizeof u->name)
		snprintf(u->name, sizeof u->name, "%s", pw->pw_name);
	else
		snprintf(u->name, sizeof u->name, "%lu", (unsigned long)uid);
	return u->name;
}

static md_status miss(ps_state *s, pid_t pid, const md_err *e, md_err *err)
{
	md_ps_report *r = s->r;
	if (grow(&r->missing, &s->capmissing, r->nmissing, sizeof *r->missing))
		return md_err_set(err, MD_E_NOMEM, "ps");
	r->missing[r->nmissing].pid = pid;
	r->missing[r->nmissing].err = *e;
	r->nmissing++;
	return MD_OK;
}

/* One process: listed, counted, skipped, or (an operand) missing. */
static md_status one(ps_state *s, pid_t pid, int operand, md_err *err)
{
	md_ps_report *r = s->r;
	md_proc p;
	md_err e = { 0 };
	md_status st = md_proc_open(pid, &p, &e);
	if (st == MD_E_PERM) {
		r->examined++;
		r->unreadable++;
	}
	if (st != MD_OK) {
		md_proc_close(&p);
		return operand ? miss(s, pid, &e, err) : MD_OK;
	}
	const exe_fact *x = exe_lookup(s, p.exe_fd, p.exe_path, &e);
	uid_t uid = 0;
	md_status ust = x && (x->st == MD_OK || x->st == MD_E_NODWARF)
	                ? md_proc_euid(pid, &uid, &e) : MD_OK;
	md_proc_close(&p);
	if (!x && e.code == MD_E_NOMEM)
		return md_err_set(err, MD_E_NOMEM, "%s", e.detail);
	if (ust != MD_OK)   /* gone meanwhile */
		return operand ? miss(s, pid, &e, err) : MD_OK;
	r->examined++;
	if (!x)
		return operand ? miss(s, pid, &e, err) : MD_OK;
	if (x->st != MD_OK && x->st != MD_E_NODWARF)
		return operand ? miss(s, pid, &x->err, err) : MD_OK;

	if (grow(&r->procs, &s->capprocs, r->nprocs, sizeof *r->procs))
		return md_err_set(err, MD_E_NOMEM, "ps");
	md_ps_entry *pe = &r->procs[r->nprocs];
	memset(pe, 0, sizeof *pe);
	if (!(pe->exe = strdup(p.exe_path)))
		return md_err_set(err, MD_E_NOMEM, "ps");
	size_t n = strlen(pe->exe), dl = sizeof DELETED - 1;
	pe->deleted = n > dl && !strcmp(pe->exe + n - dl, DELETED);
	pe->pid = pid;
	pe->uid = uid;
	snprintf(pe->user, sizeof pe->user, "%s", user_of(s, uid));
	pe->info = *x->info;
	pe->impl = md_gofacts_map_impl(pe->info.go_version, pe->info.go_experiment);
	r->nprocs++;
	return MD_OK;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

static int cmp_entry(const void *a, const void *b)
{
	return cmp_pid(&((const md_ps_entry *)a)->pid, &((const md_ps_entry *)b)->pid);
}

/* Every numeric entry of /proc, ascending, into *out. */
static md_status all_pids(pid_t **out, int *n, md_err *err)
{
	DIR *d = opendir("/proc");
	if (!d)
		return md_err_set(err, MD_E_SYS, "cannot read /proc: %s", strerror(errno));
	pid_t *v = NULL;
	int cap = 0, k = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		char *end;
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > 0x7fffffffL)
			continue;
		if (grow(&v, &cap, k, sizeof *v)) {
			closedir(d);
			free(v);
			return md_err_set(err, MD_E_NOMEM, "pids");
		}
		v[k++] = (pid_t)pid;
	}
	closedir(d);
	qsort(v, (size_t)k, sizeof *v, cmp_pid);
	*out = v;
	*n = k;
	return MD_OK;
}

md_status md_ps(const md_ps_opts *o, md_ps_report *r, md_err *err)
{
	memset(r, 0, sizeof *r);
	r->euid = geteuid();
	uint64_t t0 = md_now_ns();
	ps_state s = { .o = o, .r = r };
	pid_t *all = NULL;
	int n = 0;
	md_status st = MD_OK;
	if (!o->npids)
		st = all_pids(&all, &n, err);
	for (int i = 0; st == MD_OK && i < (o->npids ? o->npids : n); i++) {
		pid_t pid = o->npids ? o->pids[i] : all[i];
		int dup = 0;
		for (int j = 0; o->npids && j < i; j++)
			dup |= o->pids[j] == pid;
		if (!dup)
			st = one(&s, pid, o->npids > 0, err);
	}
	free(all);
	/* by pid, as the report says, also when the operands came in
	 * another order */
	if (r->nprocs > 1)
		qsort(r->procs, (size_t)r->nprocs, sizeof *r->procs, cmp_entry);
	for (int i = 0; i < s.nexes; i++) {
		free(s.exes[i].path);
		free(s.exes[i].info);
	}
	free(s.exes);
	free(s.users);
	r->elapsed_ns = md_now_ns() - t0;
	return st;
}
