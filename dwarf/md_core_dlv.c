/* md_core_dlv.c - delve's own notes in its dumps (see md_core_priv.h).
 *
 * The layouts are delve's (pkg/proc/dump.go, dumpThreadNotes; read back
 * by pkg/proc/core/delve_core.go): a text header, and for each thread
 * the tid, pc, sp, bp and tls words, a has-g byte and the g word, then
 * counted (name, value) pairs.  All little-endian, no padding. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "md_core_priv.h"

static int line_value(const char *line, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);
	if (n < k || memcmp(line, key, k))
		return 0;
	*v = line + k;
	*vn = n - k;
	return 1;
}

void md_core_take_delve_header(md_core *c, const unsigned char *d, size_t n)
{
	c->delve = 1;
	const char *p = (const char *)d, *end = p + n;
	/* GOOS/GOARCH of the process: delve dumps darwin and windows
	 * processes as ELF cores too */
	c->delve_foreign = n < 12 || memcmp(p, "linux/amd64\n", 12);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p), vn;
		const char *v;
		char num[32];
		if (line_value(p, len, "Version: ", &v, &vn)) {
			if (vn >= sizeof c->delve_version)
				vn = sizeof c->delve_version - 1;
			for (size_t i = 0; i < vn; i++)
				c->delve_version[i] = v[i] > ' ' && v[i] < 127 ? v[i] : '?';
			c->delve_version[vn] = '\0';
		} else if (line_value(p, len, "Target Pid: ", &v, &vn) && vn < sizeof num) {
			memcpy(num, v, vn);
			num[vn] = '\0';
			char *e;
			long pid = strtol(num, &e, 10);
			if (!*e && pid > 0 && pid < (1l << 22) && !c->pid)
				c->pid = (int32_t)pid;
		} else if (line_value(p, len, "Entry Point: ", &v, &vn) && vn < sizeof num) {
			memcpy(num, v, vn);
			num[vn] = '\0';
			char *e;
			unsigned long long a = strtoull(num, &e, 0);
			if (!*e)
				c->delve_entry = a;
		}
		p += len + 1;
	}
}

/* user_regs_struct's slots (md_core.h) by the names delve gives them;
 * delve says Rflags where the kernel's struct says eflags. */
static int greg_slot(const char *name, size_t n)
{
	static const char *const names[MD_CORE_NGREG] = {
		"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
		"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags",
		"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
	};
	if (n == 6 && !strncasecmp(name, "rflags", 6))
		return 18;
	for (int i = 0; i < MD_CORE_NGREG; i++)
		if (strlen(names[i]) == n && !strncasecmp(name, names[i], n))
			return i;
	return -1;
}

typedef struct cursor {
	const unsigned char *p, *end;
} cursor;

static int take(cursor *c, void *out, size_t n)
{
	if ((size_t)(c->end - c->p) < n)
		return 0;
	memcpy(out, c->p, n);
	c->p += n;
	return 1;
}

md_status md_core_take_delve_thread(md_core *c, const unsigned char *d, size_t n,
                                    md_err *err)
{
	cursor k = { d, d + n };
	uint64_t id, pc, sp, bp, tls, g;
	uint8_t has_g;
	uint32_t count;
	if (!take(&k, &id, 8) || !take(&k, &pc, 8) || !take(&k, &sp, 8) || !take(&k, &bp, 8) ||
	    !take(&k, &tls, 8) || !take(&k, &has_g, 1) || !take(&k, &g, 8) ||
	    !take(&k, &count, 4))
		return md_err_set(err, MD_E_CORE, "a delve thread note is cut short");
	md_core_thread *t;
	md_status s = md_core_new_thread(c, &t, err);
	if (s != MD_OK)
		return s;
	t->tid = id <= INT32_MAX ? (int32_t)id : 0;
	/* named registers first, the words of the note's head over them:
	 * those are what delve itself unwinds from */
	for (uint32_t i = 0; i < count; i++) {
		uint16_t nl, vl;
		const unsigned char *name, *val;
		if (!take(&k, &nl, 2) || (size_t)(k.end - k.p) < nl)
			return md_err_set(err, MD_E_CORE, "thread %llu's delve note is cut short",
			                  (unsigned long long)id);
		name = k.p;
		k.p += nl;
		if (!take(&k, &vl, 2) || (size_t)(k.end - k.p) < vl)
			return md_err_set(err, MD_E_CORE, "thread %llu's delve note is cut short",
			                  (unsigned long long)id);
		val = k.p;
		k.p += vl;
		int slot = greg_slot((const char *)name, nl);
		if (slot >= 0 && vl == 8)
			memcpy(&t->gregs[slot], val, 8);
	}
	t->gregs[16] = pc;
	t->gregs[19] = sp;
	t->gregs[4] = bp;
	if (tls)
		t->gregs[21] = tls;
	return MD_OK;
}
