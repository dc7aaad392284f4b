/* cfiles.h - where the files a process mapped are, for the C-frame
 * unwinder (cunwind.h), which is the same for a live process and a core
 * and asks only this: the list of file mappings, and each file opened.
 *
 *   - live: /proc/PID/maps lists them; a file is opened under
 *     /proc/PID/root (the process's root: a container's) and only if its
 *     inode is still the mapped one;
 *   - core: the NT_FILE note lists them (without permissions: the file's
 *     own program headers then say which mappings are code); a file is
 *     opened by the path the note gives, only if it is a regular file (the
 *     note is hostile: it may name a FIFO or a device) and only if it is
 *     the build that was mapped, where the core can tell: the build id of
 *     the core's copy of its first page against the file's (the bytes
 *     themselves when that page has none).  The process's executable is
 *     the file mapped at the auxiliary vector's AT_PHDR, else AT_ENTRY.
 *
 * No memory of the process is read here: the stack is the copy the
 * capture took (from /proc or from the core), the rest comes from files.
 */
#ifndef MD_CFILES_H
#define MD_CFILES_H

#include <stdint.h>
#include <sys/types.h>
#include "md_core.h"

/* Beyond these the rest is not listed (their frames end the walk): a
 * process has a few hundred mappings.  Paths of MD_CFILES_PATH bytes or
 * more are not listed from a core (a live one's are cut, and then fail
 * the inode check). */
#define MD_CFILES_MAX_MAPS 1024
#define MD_CFILES_PATH 512

typedef struct md_cfiles {
	pid_t pid;             /* live: a thread of the process; 0 for a core */
	const md_core *core;   /* a core (borrowed, outlives this); NULL live */
	const char *exe;       /* a core: the executable file to open for the
	                          one the note names (--exe: a copy taken
	                          elsewhere), checked the same way; NULL: the
	                          note's path.  Borrowed. */
} md_cfiles;

typedef struct md_cmap {
	uint64_t lo, hi;       /* [lo, hi) in the process, lo < hi */
	uint64_t off;          /* the file offset mapped at lo */
	int exec;              /* 1 mapped executable, 0 not, -1 unknown (a
	                          core: as the opened file says) */
	int exe;               /* a mapping of the process's executable */
	uint64_t ino;          /* live: the file's inode; a core: 0 */
	const char *path;      /* absolute; valid during the call only */
} md_cmap;

typedef void md_cmap_fn(void *arg, const md_cmap *m);

/* Each file mapping of the process, in address order, to fn.  Nothing
 * when the list cannot be read (the process is gone, the core has no
 * NT_FILE note). */
void md_cfiles_list(const md_cfiles *s, md_cmap_fn *fn, void *arg);

/* The file path (with inode ino, live) opened read-only, if it is the
 * file that was mapped: a descriptor to close, or -1 (gone, replaced,
 * "(deleted)", not a regular file, another build). */
int md_cfiles_open(const md_cfiles *s, const char *path, uint64_t ino);

#endif
