/* test_msg.c - the one place that talks to the user (msg.c): every status
 * has a stable code for scripts; a fatal error is one line on stderr and,
 * once --json was seen, one JSON error object on stdout, at most one per
 * run, whose message is the stderr line byte for byte (escaped for JSON);
 * the signal path writes the same object without stdio.  stdout and stderr
 * are captured through files, as a script would see them. */
#include <ctype.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "md_test.h"
#include "msg.h"
#include "jsonout.h"

/* What a scenario wrote to fds 1 and 2 (static buffers, NUL-terminated).
 * Each runs in a child of its own: msg.c's --json state is per process,
 * and at most one error object is ever written. */
static char out[8192], err[8192];

static void slurp(FILE *f, char *buf, size_t n)
{
	rewind(f);
	size_t k = fread(buf, 1, n - 1, f);
	buf[k] = '\0';
	fclose(f);
}

static void in_child(void (*fn)(void))
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fileno(fo), 1);
		dup2(fileno(fe), 2);
		fn();
		fflush(NULL);
		_exit(0);
	}
	int st = 0;
	T(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child");
	slurp(fo, out, sizeof out);
	slurp(fe, err, sizeof err);
}

static void codes(void)
{
	for (int c = MD_NOTFOUND; c < MD_STATUS_COUNT; c++) {
		const char *k = md_msg_code((md_status)c);
		snprintf(md_t_ctx, sizeof md_t_ctx, "status %d", c);
		if (!T(k && *k, "no code"))
			continue;
		int ok = 1;
		for (const char *p = k; *p; p++)
			ok &= islower((unsigned char)*p) || *p == '-';
		T(ok, "code '%s' is not lowercase words joined by '-'", k);
		for (int d = MD_NOTFOUND; d < c; d++)
			T(strcmp(k, md_msg_code((md_status)d)), "'%s' also names status %d", k, d);
	}
	md_t_ctx[0] = '\0';
	T_STR(md_msg_code(MD_E_NOPROC), "no-such-process");
	T_STR(md_msg_code((md_status)9999), "system-error");
}

/* a detail from the target: an ESC sequence and a byte that is not UTF-8 */
static md_err hostile;

static void fatal(void)
{
	md_msg_fatal(&hostile);
}

static void json_fatal_twice(void)
{
	md_msg_json_errors();
	md_msg_fatal(&hostile);
	md_msg_fatal(&hostile);
	md_msg_usage_for("attach", "attach: unknown option '%s'", "--x");
	md_msg_interrupted();
}

static void json_usage(void)
{
	md_msg_json_errors();
	md_msg_usage_for("scan", "--top: '%s' is not a number", "x\"y");
}

static void json_interrupted(void)
{
	md_msg_json_errors();
	md_msg_interrupted();
}

/* the object msg.c must write: code, and message as JSON text */
static const char *object(const char *code, const char *message_json)
{
	static char buf[2048];
	snprintf(buf, sizeof buf,
	         "{\"schema\":%d,\"mapdiag_version\":\"%s\",\"status\":\"UNKNOWN\","
	         "\"exit_code\":3,\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
	         MD_JSON_SCHEMA, md_jsonout_version(), code, message_json);
	return buf;
}

int main(void)
{
	codes();
	md_err_set(&hostile, MD_E_NOVAR, "main.\x1b[31m\xff");
	/* the stderr line: the target's bytes as \xNN, no ESC reaches a terminal */
	const char *line = "mapdiag: unknown variable: main.\\x1b[31m\\xff (a package-level "
	                   "variable by its full path as DWARF spells it, e.g. main.cache; a "
	                   "goroutine's local as g<id>/<function>/<name>, as mapdiag scan prints "
	                   "it)\n";

	/* before --json: text only */
	in_child(fatal);
	T_STR(err, line);
	T_STR(out, "");

	/* with --json: one object, the first fatal's, whatever follows; its
	 * message is the stderr line, its backslashes escaped for JSON */
	in_child(json_fatal_twice);
	T(!strncmp(err, line, strlen(line)) && !strncmp(err + strlen(line), line, strlen(line)),
	  "%s", err);
	T(strstr(err, "mapdiag: attach: unknown option '--x' (see mapdiag attach --help)\n") &&
	  strstr(err, "mapdiag: interrupted\n"), "%s", err);
	T_STR(out, object("unknown-variable", "unknown variable: main.\\\\x1b[31m\\\\xff (a "
	                  "package-level variable by its full path as DWARF spells it, e.g. "
	                  "main.cache; a goroutine's local as g<id>/<function>/<name>, as mapdiag "
	                  "scan prints it)"));

	in_child(json_usage);
	T_STR(err, "mapdiag: --top: 'x\"y' is not a number (see mapdiag scan --help)\n");
	T_STR(out, object("usage", "--top: 'x\\\"y' is not a number (see mapdiag scan --help)"));

	/* the signal path: made ahead, written with write(2) */
	in_child(json_interrupted);
	T_STR(err, "mapdiag: interrupted\n");
	T_STR(out, object("interrupted", "interrupted"));
	return md_test_done("test_msg");
}
