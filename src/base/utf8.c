/* utf8.c - safe display of strings from the target (see utf8.h). */
#include <stdio.h>
#include <string.h>
#include "utf8.h"

size_t md_utf8_seq(const unsigned char *p, uint32_t *cp)
{
	unsigned char c = p[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return c != 0;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	/* each continuation byte is checked before the next is read: a NUL
	 * ends the string and fails the check */
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

int md_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

const char *md_text_safe(const char *s, char *buf, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	uint32_t cp;
	size_t k;
	const unsigned char *q = p;
	while (*q && (k = md_utf8_seq(q, &cp)) && !md_utf8_is_control(cp))
		q += k;
	if (!*q)
		return (const char *)p;
	size_t o = 0;
	while (*p) {
		k = md_utf8_seq(p, &cp);
		if (k && !md_utf8_is_control(cp)) {
			if (o + k >= n)
				break;
			memcpy(buf + o, p, k);
			o += k;
			p += k;
			continue;
		}
		/* a control character: its bytes; an invalid sequence: one byte */
		size_t bad = k ? k : 1;
		if (o + 4 * bad >= n)
			break;
		for (size_t i = 0; i < bad; i++)
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", p[i]);
		p += bad;
	}
	buf[o] = '\0';
	return buf;
}
