/* utf8.h - what is safe to show of a string that came from the target
 * (paths, names: its executable's file name, its DWARF).  Such strings are
 * bytes, not text: they may hold control characters (an ESC that would
 * drive the user's terminal) and invalid UTF-8 (which JSON and the
 * Prometheus text format do not allow).
 */
#ifndef MD_UTF8_H
#define MD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1-4) of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong forms, no surrogates, at most U+10FFFF), 0 if p starts no such
 * sequence or at a NUL.  Reads no further than the sequence's own bytes. */
size_t md_utf8_seq(const unsigned char *p, uint32_t *cp);

/* A control character: C0, DEL or C1 (U+0080-U+009F). */
int md_utf8_is_control(uint32_t cp);

/* s as text for a terminal: s itself when every byte is part of a
 * printable UTF-8 character; else a copy into buf (size n > 0, always
 * terminated, cut at a character) where each control character and each
 * byte of an invalid sequence is written \xNN, as `ls -b` does. */
const char *md_text_safe(const char *s, char *buf, size_t n);

#endif
