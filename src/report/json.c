/* json.c - the JSON escaper and member writers every JSON printer uses
 * (see json.h). */
#include <inttypes.h>
#include <math.h>
#include "json.h"
#include "gofacts.h"
#include "jsonout.h"
#include "msg.h"
#include "printutil.h"

void md_json_str(FILE *f, const char *s)
{
	md_jsonout_str(f, s);
}

static void key(FILE *f, const char *k, int comma)
{
	fprintf(f, "%s\"%s\":", comma ? "," : "", k);
}

void md_json_u64(FILE *f, const char *k, uint64_t v, int comma)
{
	key(f, k, comma);
	fprintf(f, "%" PRIu64, v);
}

void md_json_i64(FILE *f, const char *k, int64_t v, int comma)
{
	key(f, k, comma);
	fprintf(f, "%" PRId64, v);
}

void md_json_num(FILE *f, const char *k, double v, int comma)
{
	key(f, k, comma);
	if (isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

void md_json_ptr(FILE *f, const char *k, uint64_t v, int comma)
{
	key(f, k, comma);
	fprintf(f, "\"0x%" PRIx64 "\"", v);
}

void md_json_bool(FILE *f, const char *k, int v, int comma)
{
	key(f, k, comma);
	fputs(v ? "true" : "false", f);
}

void md_json_target(FILE *f, pid_t pid, const char *exe, const char *go_version,
                    int comma)
{
	key(f, "pid", comma);
	fprintf(f, "%d,\"exe\":", (int)pid);
	md_json_str(f, exe);
	fputs(",\"go_version\":", f);
	md_json_str(f, go_version);
	/* whose runtime facts (load factor, write paths) were used: the
	 * binary's own release, or for one mapdiag does not know the newest
	 * release's (gofacts.h) */
	md_gofacts gf;
	md_gofacts_for(go_version, &gf);
	fprintf(f, ",\"facts_from\":\"go1.%d\"", gf.minor);
	md_json_bool(f, "release_known", gf.known, 1);
	md_json_bool(f, "release_tested", gf.tested, 1);
}

void md_json_error(FILE *f, const md_err *err)
{
	char line[4096];
	md_msg_format_safe(err, line, sizeof line);
	fputs(",\"error\":", f);
	md_json_str(f, line);
	fputs(",\"error_code\":", f);
	md_json_str(f, md_msg_code(err->code));
}

void md_json_head(FILE *f, const md_print_end *end)
{
	md_jsonout_open(f);
	fputs(",\"status\":", f);
	md_json_str(f, md_exit_name(end->code));
	fprintf(f, ",\"exit_code\":%d", (int)end->code);
	if (end->cause) {
		char line[4096];
		md_msg_format_safe(end->cause, line, sizeof line);
		md_jsonout_error(f, md_msg_code(end->cause->code), line);
	}
}

void md_json_verdict(FILE *f, const md_verdict *v)
{
	fputs(",\"state\":", f);
	md_json_str(f, md_state_name(v->state));
	fputs(",\"severity\":", f);
	md_json_str(f, md_sev_name(v->sev));
	fputs(",\"findings\":[", f);
	for (int i = 0; i < md_verdict_nfindings(v); i++) {
		const md_finding *x = &v->findings[i];
		fputs(i ? ",{\"code\":" : "{\"code\":", f);
		md_json_str(f, md_or_empty(x->code));
		fputs(",\"severity\":", f);
		md_json_str(f, md_finding_sev_name(x->sev));
		fputs(",\"message\":", f);
		md_json_str(f, x->message ? x->message : "");
		fputs("}", f);
	}
	fputs("]", f);
}
