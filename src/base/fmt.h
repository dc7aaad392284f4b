/* fmt.h - numbers for people, shared by the classifier's messages and the
 * printers. */
#ifndef MD_FMT_H
#define MD_FMT_H

#include <stddef.h>
#include <stdint.h>

/* A byte count: "812 B", "38.2 KiB", "16.5 MiB".  Returns buf. */
const char *md_fmt_bytes(uint64_t b, char *buf, size_t n);

#endif
