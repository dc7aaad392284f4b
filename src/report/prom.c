/* prom.c - the Prometheus text exposition format (see prom.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "prom.h"
#include "utf8.h"
#include "publish.h"
#include "printutil.h"
#include "gofacts.h"

#ifndef MD_VERSION
#define MD_VERSION "0.0.0"
#endif

/* Every label name mapdiag writes in either file: a --label of the same
 * name would make a series with the label twice, which a scraper
 * rejects. */
static const char *const own_labels[] = {
	"pid", "exe", "var", "state", "code", "severity", "path", "type", "owner",
	"reason", "version", "go_version", "impl", "command",
};

const char *md_prom_label_refused(const char *key)
{
	if (!key || !*key)
		return "empty label name";
	for (const char *p = key; *p; p++) {
		int alpha = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
		if (!alpha && (p == key || *p < '0' || *p > '9'))
			return "not a label name ([a-zA-Z_][a-zA-Z0-9_]*)";
	}
	if (!strncmp(key, "__", 2))
		return "names starting with __ are reserved to Prometheus";
	for (size_t i = 0; i < sizeof own_labels / sizeof own_labels[0]; i++)
		if (!strcmp(key, own_labels[i]))
			return "mapdiag writes that label itself";
	return NULL;
}

void md_prom_start(FILE *f, const char *name, pid_t pid, const char *exe,
                   const md_prom_opts *po)
{
	fprintf(f, "%s{pid=\"%d\"", name, (int)pid);
	md_prom_label(f, "exe", exe);
	for (int i = 0; po && i < po->nlabels; i++)
		md_prom_label(f, po->labels[i].key, po->labels[i].value);
}

const char *md_prom_impl(int impl, const char *go_version)
{
	if (!impl)
		impl = md_gofacts_map_impl(go_version, NULL);
	return impl ? md_impl_name((md_map_impl)impl) : "unknown";
}

void md_prom_build_info(FILE *f, const char *command, pid_t pid, const char *exe,
                        const char *go_version, const char *impl, const md_prom_opts *po)
{
	md_prom_family(f, "mapdiag_build_info", "gauge",
	               "Always 1: mapdiag's version, the target's Go version and map "
	               "implementation, and the command that wrote the file, as labels.");
	md_prom_start(f, "mapdiag_build_info", pid, exe, po);
	md_prom_label(f, "version", MD_VERSION);
	md_prom_label(f, "go_version", go_version);
	md_prom_label(f, "impl", impl);
	md_prom_label(f, "command", command);
	md_prom_end_u64(f, 1);
}

/* A label value: backslash, double quote and newline escaped, the only
 * escapes the exposition format has (JSON's \uXXXX would be read as six
 * characters of the value). */
void md_prom_label(FILE *f, const char *name, const char *v)
{
	/* a label value is UTF-8 with \\, \" and \n escaped: control characters
	 * and bytes that are not UTF-8 (a file name from the target) are
	 * shown as the text \xNN, as the text reports show them */
	static char safe[4 * 4096 + 1];
	fprintf(f, ",%s=\"", name);
	for (const char *p = md_text_safe(md_or_empty(v), safe, sizeof safe); *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void md_prom_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void md_prom_end_u64(FILE *f, uint64_t v)
{
	fprintf(f, "} %" PRIu64 "\n", v);
}

void md_prom_end_double(FILE *f, double v)
{
	if (isnan(v))
		fputs("} NaN\n", f);
	else if (isinf(v))
		fputs(v > 0 ? "} +Inf\n" : "} -Inf\n", f);
	else {
		/* the shortest of %.15g..%.17g that reads back exactly: 0.8, not
		 * 0.80000000000000004 */
		char b[40];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(b, sizeof b, "%.*g", prec, v);
			if (strtod(b, NULL) == v)
				break;
		}
		fprintf(f, "} %s\n", b);
	}
}

/* md_publish's writer: the exposition through a FILE of our own. */
typedef struct job {
	md_prom_fn fn;
	void *arg;
} job;

static int prom_to_fd(int fd, void *arg)
{
	int d = dup(fd);
	FILE *f = d >= 0 ? fdopen(d, "w") : NULL;
	if (!f) {
		if (d >= 0)
			close(d);
		return -1;
	}
	errno = 0;
	const job *j = arg;
	j->fn(f, j->arg);
	int bad = fflush(f) != 0 || ferror(f);
	int e = errno;
	bad |= fclose(f) != 0;
	if (!bad)
		return 0;
	errno = e ? e : EIO;
	return -1;
}

/* md_prom_publish, or with fn NULL only md_publish_check. */
static md_status publish(const char *path, md_prom_fn fn, void *arg, md_err *err)
{
	const char *b = md_path_base(path);
	if (!path || !*b)
		return md_err_set(err, MD_E_SYS, "cannot write metrics to \"%s\": not a file name",
		                  md_or_empty(path));
	md_publish_err e;
	job j = { fn, arg };
	if (fn ? md_publish(path, 0644, 1, prom_to_fd, &j, &e) == 0
	       : md_publish_check(path, &e) == 0)
		return MD_OK;
	/* the temporary file goes next to path: say which directory refused
	 * it ("." for a bare file name) */
	size_t dlen = (size_t)(b - path);
	if (!strcmp(e.step, "create a temporary file in"))
		return md_err_set(err, MD_E_SYS, "cannot write metrics to %s: cannot create a "
		                  "temporary file in %.*s: %s", path, dlen ? (int)dlen : 1,
		                  dlen ? path : ".", strerror(e.err));
	return md_err_set(err, MD_E_SYS, "cannot write metrics to %s: %s: %s", path, e.step,
	                  strerror(e.err));
}

md_status md_prom_publish(const char *path, md_prom_fn fn, void *arg, md_err *err)
{
	return publish(path, fn, arg, err);
}

md_status md_prom_check(const char *path, md_err *err)
{
	return publish(path, NULL, NULL, err);
}
