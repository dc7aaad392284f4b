/* json.c - the JSON escaper and member writers every JSON printer uses
 * (see json.h). */
#include <inttypes.h>
#include <math.h>
#include "json.h"
#include "msg.h"
#include "printutil.h"

void md_json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		/* runs that need no escape go out in one write: a scan's JSON
		 * is tens of megabytes of paths */
		const unsigned char *q = p;
		while (*q && *q != '"' && *q != '\\' && *q >= 0x20 && *q != 0x7f)
			q++;
		if (q > p)
			fwrite(p, 1, (size_t)(q - p), f);
		if (!*q)
			break;
		switch (*q) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default: fprintf(f, "\\u%04x", *q);
		}
		p = q + 1;
	}
	fputc('"', f);
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
}

void md_json_error(FILE *f, const md_err *err)
{
	char line[1024];
	md_msg_format(err, line, sizeof line);
	fputs(",\"error\":", f);
	md_json_str(f, line);
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

void md_json_str_utf8(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p >= 0x80 ? md_utf8_len(p) : 1;
		if (n == 0) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fwrite(p, 1, (size_t)n, f);
		}
		p += n;
	}
	fputc('"', f);
}
