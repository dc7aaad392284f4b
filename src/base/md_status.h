/* md_status.h - status codes shared by every module.
 *
 * Every fallible function in mapdiag returns an md_status.  MD_OK is success;
 * MD_NOTFOUND means "looked, and it is not there" (a lookup that a caller may
 * answer differently, e.g. try the next debug-file location); every other
 * value is an error with a fixed user-facing meaning, turned into one line of
 * text by src/msg.c and nowhere else.  Modules never print: they fill an
 * md_err with the code and a short detail (a name, a path, an address) and
 * return the code.
 */
#ifndef MD_STATUS_H
#define MD_STATUS_H

#include <stddef.h>

typedef enum md_status {
	MD_OK = 0,
	MD_NOTFOUND,      /* not there; not an error by itself */

	MD_E_USAGE,       /* bad command line */
	MD_E_BADEXPR,     /* variable expression does not parse */
	MD_E_NOPROC,      /* no such process */
	MD_E_ZOMBIE,      /* process is a zombie / exiting */
	MD_E_PERM,        /* ptrace or /proc access not permitted */
	MD_E_TRACED,      /* already traced by another tracer */
	MD_E_NOEXE,       /* cannot open the executable */
	MD_E_NOTELF,      /* executable is not a readable ELF file */
	MD_E_NOTGO,       /* not a Go binary */
	MD_E_NODWARF,     /* no DWARF in exe, and no usable debug file */
	MD_E_DWARF,       /* DWARF present but malformed */
	MD_E_NOVAR,       /* no such variable */
	MD_E_NOFIELD,     /* no such field / not a struct on the path */
	MD_E_NOTINDEX,    /* [N] applied to something that is not array/slice */
	MD_E_RANGE,       /* index out of range */
	MD_E_NILPTR,      /* nil pointer on the path */
	MD_E_NOTMAP,      /* the expression does not name a map */
	MD_E_LAYOUT,      /* map type's DWARF layout is not one we understand */
	MD_E_MEM,         /* target memory unreadable */
	MD_E_TORN,        /* unstopped reads never agreed (--no-stop) */
	MD_E_EXITED,      /* target exited during the attach */
	MD_E_STOPTIMEOUT, /* a thread did not stop in time */
	MD_E_PIDREUSE,    /* pid now names another process */
	MD_E_NOMEM,       /* out of memory in mapdiag */
	MD_E_SYS,         /* other system call failure */
	MD_E_INTERRUPTED, /* mapdiag was signalled */
	MD_E_MOVED,       /* what a path led to changed between its
	                     resolution and the read (a guard failed) */
	MD_E_DYNTYPE,     /* an interface holds another type than the path's
	                     .(T) */
	MD_E_NOKEY,       /* a map has no entry with the path's key */
	MD_E_NOSTACK,     /* a stack path's goroutine, frame or variable is not
	                     there, or has no value at the frame's pc */
	MD_E_CORE,        /* a core file that is not one mapdiag reads */
	MD_E_RELEASE,     /* the binary's Go release is one whose runtime facts
	                     mapdiag never read (gofacts.h) */
	MD_STATUS_COUNT
} md_status;

/* Error context: the code plus a short, already-formatted detail. */
typedef struct md_err {
	md_status code;
	char detail[512];
} md_err;

/* Record an error; returns code so callers can `return md_err_set(...)`. */
md_status md_err_set(md_err *err, md_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
