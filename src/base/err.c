/* err.c - filling an md_err.  Kept apart from msg.c so that every module
 * (dwarf/ included) can record an error without pulling in the printer. */
#include <stdarg.h>
#include <stdio.h>
#include "md_status.h"

md_status md_err_set(md_err *err, md_status code, const char *fmt, ...)
{
	if (err) {
		err->code = code;
		err->detail[0] = '\0';
		if (fmt) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(err->detail, sizeof err->detail, fmt, ap);
			va_end(ap);
		}
	}
	return code;
}
