/* publish.h - write a file whole or not at all.
 *
 * The content goes to an unnamed file (O_TMPFILE) in the destination's
 * directory, or, on a file system without O_TMPFILE, to a temporary name
 * "<path>.tmp-<pid>-<n>"; it is named only once whole, and renamed over
 * path.  A reader (a second mapdiag sharing the DWARF cache, a Prometheus
 * textfile collector) sees the old file or the new one, never a part; a
 * writer killed midway leaves nothing, or at worst a ".tmp-" file.
 */
#ifndef MD_PUBLISH_H
#define MD_PUBLISH_H

#include <stddef.h>
#include <sys/types.h>

/* Write the content to fd (from offset 0): 0, or -1 with errno set. */
typedef int (*md_publish_fn)(int fd, void *arg);

/* What failed, for a message: the step ("create a temporary file in",
 * "write", "fsync", "link", "rename") and its errno. */
typedef struct md_publish_err {
	const char *step;
	int err;
} md_publish_err;

/* Publish path with the given mode (umask ignored); with sync, the
 * content reaches the disk before the name does.  0 on success, -1 with
 * *e filled. */
int md_publish(const char *path, mode_t mode, int sync, md_publish_fn fn, void *arg,
               md_publish_err *e);

/* Whether md_publish could write path, without touching it: path is not
 * a directory, and a temporary file can be made next to it (made and
 * dropped).  0, or -1 with *e filled. */
int md_publish_check(const char *path, md_publish_err *e);

#endif
