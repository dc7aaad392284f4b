/* md_dwvar.c - package-level variables: name -> address and type.
 *
 * Go emits one compile unit per package (sometimes several with the same
 * name, e.g. runtime), named by the package path, whose DW_TAG_variable
 * children carry full names ("main.cache") and DW_OP_addr locations.  A
 * lookup therefore reads only the CUs whose name + "." prefixes the
 * expression.  The first lookup builds a CU index (one pass over the CU
 * headers and their root DIEs, not over their contents); a CU's variables
 * are read once, on first need, and kept until md_dwarf_free.  Only a
 * failed lookup whose package matches no CU reads every CU, to suggest
 * names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "md_dwarf_priv.h"

#define MAX_SUGGEST 3
/* Names longer than this are compared by their first MAX_CMP bytes. */
#define MAX_CMP 128

static char *dupn(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* One CU of the index: Go CUs with a name only. */
static md_status index_one(md_dwarf *d, Dwarf_Die cu, Dwarf_Half ver, void *arg,
                           md_err *err)
{
	(void)ver;
	size_t *cap = arg;
	Dwarf_Error e = NULL;
	Dwarf_Unsigned lang = 0;
	Dwarf_Off off = 0;
	char name[1024];
	/* cgo and external linking add C CUs: not Go packages. */
	md_status ls = md_dw_udata(d, cu, DW_AT_language, &lang, err);
	if (ls == MD_E_DWARF || md_dw_name(d, cu, name, sizeof name, err) != MD_OK ||
	    dwarf_dieoffset(cu, &off, &e) != DW_DLV_OK)
		return e ? md_dw_fail(d, e, err, "reading a CU") : MD_E_DWARF;
	if ((ls == MD_OK && lang != DW_LANG_Go) || !name[0])
		return MD_OK;
	if (d->ncus == *cap) {
		size_t ncap = *cap ? 2 * *cap : 64;
		md_dw_cu *n = realloc(d->cus, ncap * sizeof *n);
		if (!n)
			return md_err_set(err, MD_E_NOMEM, "CU index");
		d->cus = n;
		*cap = ncap;
	}
	md_dw_cu *c = &d->cus[d->ncus];
	memset(c, 0, sizeof *c);
	c->die_off = off;
	c->name_len = strlen(name);
	c->name = dupn(name, c->name_len);
	if (!c->name)
		return md_err_set(err, MD_E_NOMEM, "CU index");
	d->ncus++;
	return MD_OK;
}

void md_dw_cus_free(md_dwarf *d)
{
	for (size_t i = 0; i < d->ncus; i++) {
		for (size_t j = 0; j < d->cus[i].nvars; j++)
			free(d->cus[i].vars[j].name);
		free(d->cus[i].vars);
		free(d->cus[i].name);
	}
	free(d->cus);
	d->cus = NULL;
	d->ncus = 0;
}

/* Read the CU headers once and remember each Go CU's name and root DIE
 * (from the cache when it has them); a failure poisons the index. */
static md_status index_cus(md_dwarf *d, md_err *err)
{
	if (d->cus_state == 1)
		return MD_OK;
	if (d->cus_state == -1)
		return md_err_set(err, MD_E_DWARF, "%s: unreadable compile units",
		                  d->info.dwarf_path);
	if (!d->cus_stale && md_cuidx_load(d) == MD_OK) {
		d->cus_state = 1;
		d->cus_cached = 1;
		return MD_OK;
	}
	size_t cap = 0;
	md_status st = md_dw_each_cu(d, index_one, &cap, err);
	d->cus_state = st == MD_OK ? 1 : -1;
	if (st == MD_OK)
		md_cuidx_save(d);
	return st;
}

/* Forget a cached index that proved wrong (or might be, before a "not
 * found") and read the CU headers instead. */
static md_status reindex(md_dwarf *d, md_err *err)
{
	md_dw_cus_free(d);
	d->cus_state = 0;
	d->cus_cached = 0;
	d->cus_stale = 1;   /* not from the file again */
	md_cache_drop(d, "cus");
	return index_cus(d, err);
}

/* Go's linker names symbols with the package path escaped as by
 * objabi.PathToPrefix: '%xx' for control characters, space, '%', '"',
 * bytes >= 0x7f and '.' in the last path element ("lib.v3" ->
 * "lib%2ev3"), while the CU keeps the plain path.  Escape a CU name the
 * same way to recognise its variables.  Returns the length written, or 0
 * if it would not fit. */
static size_t path_to_prefix(const char *s, size_t n, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const char *slash = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/')
			slash = s + i;
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int esc = c <= ' ' || c == '%' || c == '"' || c >= 0x7f ||
		          (c == '.' && (!slash || s + i > slash));
		if (w + (esc ? 3 : 1) >= cap)
			return 0;
		if (esc) {
			out[w++] = '%';
			out[w++] = hex[c >> 4];
			out[w++] = hex[c & 15];
		} else {
			out[w++] = (char)c;
		}
	}
	out[w] = '\0';
	return w;
}

/* CU c's name as its symbols spell it (into esc, 1024 bytes) and its
 * length; 0 when nothing needs escaping and names already match. */
static size_t cu_escape(const md_dw_cu *c, char *esc)
{
	size_t n = path_to_prefix(c->name, c->name_len, esc, 1024);
	return n == c->name_len ? 0 : n;
}

/* The address of a DW_OP_addr location; MD_NOTFOUND for anything else
 * (location lists, registers: not a package-level variable we can read). */
static md_status var_addr(md_dwarf *d, Dwarf_Die die, uint64_t *addr,
                          md_err *err)
{
	Dwarf_Attribute a;
	Dwarf_Error e = NULL;
	Dwarf_Half form = 0;
	int rc = dwarf_attr(die, DW_AT_location, &a, &e);
	if (rc == DW_DLV_NO_ENTRY)
		return MD_NOTFOUND;
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_location");
	const unsigned char *p = NULL;
	Dwarf_Unsigned len = 0;
	Dwarf_Block *b = NULL;
	if (dwarf_whatform(a, &form, &e) != DW_DLV_OK) {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return md_dw_fail(d, e, err, "reading DW_AT_location");
	}
	if (form == DW_FORM_exprloc) {
		Dwarf_Ptr ptr = NULL;
		rc = dwarf_formexprloc(a, &len, &ptr, &e);
		p = ptr;
	} else if (form == DW_FORM_block1 || form == DW_FORM_block2 ||
	           form == DW_FORM_block4 || form == DW_FORM_block) {
		rc = dwarf_formblock(a, &b, &e); /* Go writes block1 */
		if (rc == DW_DLV_OK) {
			p = b->bl_data;
			len = b->bl_len;
		}
	} else {
		dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
		return MD_NOTFOUND;
	}
	dwarf_dealloc(d->dbg, a, DW_DLA_ATTR);
	if (rc != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading DW_AT_location");
	md_status st = MD_NOTFOUND;
	if (p && len == 1 + d->ptr_size && p[0] == DW_OP_addr) {
		uint64_t v = 0;
		for (unsigned i = 0; i < d->ptr_size; i++)
			v |= (uint64_t)p[1 + i] << (8 * i);
		*addr = v;
		st = MD_OK;
	}
	if (b)
		dwarf_dealloc(d->dbg, b, DW_DLA_BLOCK);
	return st;
}

static md_status add_var(md_dw_cu *c, const char *name, size_t len, uint64_t addr,
                         md_type_id type, Dwarf_Off die, md_err *err)
{
	if (c->nvars == c->cap) {
		size_t ncap = c->cap ? 2 * c->cap : 16;
		md_dw_var *n = realloc(c->vars, ncap * sizeof *n);
		if (!n)
			return md_err_set(err, MD_E_NOMEM, "variable list");
		c->vars = n;
		c->cap = ncap;
	}
	md_dw_var *v = &c->vars[c->nvars];
	v->name = dupn(name, len);
	if (!v->name)
		return md_err_set(err, MD_E_NOMEM, "variable list");
	v->len = len;
	v->addr = addr;
	v->type = type;
	v->die = die;
	c->nvars++;
	return MD_OK;
}

/* Read one variable DIE of CU c: its name as users write it (into out,
 * 1024 bytes), address and type.  MD_NOTFOUND for what is not a package
 * variable with a name, an address and a type. */
static md_status read_var(md_dwarf *d, const md_dw_cu *c, Dwarf_Die die, const char *esc,
                          size_t esc_len, char *out, uint64_t *addr, uint64_t *type,
                          md_err *err)
{
	char name[1024];
	md_status st = md_dw_name(d, die, name, sizeof name, err);
	if (st != MD_OK)
		return st;
	if (!name[0])
		return MD_NOTFOUND;
	if ((st = var_addr(d, die, addr, err)) != MD_OK ||
	    (st = md_dw_ref(d, die, DW_AT_type, type, err)) != MD_OK)
		return st;
	/* "example.com/x/lib%2ev3.V" -> "example.com/x/lib.v3.V". */
	if (esc_len && strncmp(name, esc, esc_len) == 0 && name[esc_len] == '.')
		snprintf(out, 1024, "%s%s", c->name, name + esc_len);
	else
		memcpy(out, name, sizeof name);
	return MD_OK;
}

/* Read one variable DIE into the CU's list (skipping what is not a
 * package variable with an address and a type). */
static md_status load_var(md_dwarf *d, md_dw_cu *c, Dwarf_Die die, const char *esc,
                          size_t esc_len, md_err *err)
{
	char name[1024];
	uint64_t addr = 0, type = 0;
	Dwarf_Off off = 0;
	Dwarf_Error e = NULL;
	md_status st = read_var(d, c, die, esc, esc_len, name, &addr, &type, err);
	if (st != MD_OK)
		return st == MD_NOTFOUND ? MD_OK : st;
	if (dwarf_dieoffset(die, &off, &e) != DW_DLV_OK)
		return md_dw_fail(d, e, err, "reading a DIE offset");
	return add_var(c, name, strlen(name), addr, type, off, err);
}

static int is_var(const md_dw_var *v, const char *want, size_t wlen)
{
	return v->len == wlen && memcmp(v->name, want, wlen) == 0;
}

/* Read the CU's top-level DW_TAG_variable children, from where the last
 * call stopped, until the variable named want (wlen bytes) has been read
 * or, with want NULL, to the end.  Why not always to the end: the runtime
 * has a CU that holds every type of the program (26 MB of DIEs in a
 * 2,000-package service), and the runtime's variables come before it, so
 * writer detection's lookups of runtime.g0 and runtime.m0 would read
 * every type only to find nothing there. */
static md_status load_cu_until(md_dwarf *d, md_dw_cu *c, const char *want, size_t wlen,
                               md_err *err)
{
	if (c->loaded)
		return MD_OK;
	char esc[1024];
	size_t esc_len = cu_escape(c, esc);
	Dwarf_Die cu = NULL, die = NULL;
	md_status st;
	if (c->resume) {
		st = md_dw_die(d, c->resume, &die, err);
	} else {
		st = md_dw_die(d, c->die_off, &cu, err);
		if (d->cus_cached) {
			/* the cache's claim, checked against the DIE it points at */
			Dwarf_Half tag = 0;
			char name[1024];
			if (st != MD_OK || md_dw_tag(d, cu, &tag, err) != MD_OK ||
			    tag != DW_TAG_compile_unit ||
			    md_dw_name(d, cu, name, sizeof name, err) != MD_OK ||
			    strcmp(name, c->name) != 0) {
				d->cus_stale = 1;
				st = md_err_set(err, MD_E_DWARF, "%s: the cached CU index does not "
				                "match its DWARF", d->info.dwarf_path);
			}
		}
		if (st == MD_OK)
			st = md_dw_child(d, cu, &die, err);
	}
	int found = 0;
	while (st == MD_OK && die && !found) {
		Dwarf_Half tag = 0;
		size_t before = c->nvars;
		st = md_dw_tag(d, die, &tag, err);
		if (st == MD_OK && tag == DW_TAG_variable)
			st = load_var(d, c, die, esc, esc_len, err);
		found = st == MD_OK && want && c->nvars > before &&
		        is_var(&c->vars[c->nvars - 1], want, wlen);
		Dwarf_Die next = NULL;
		if (st == MD_OK)
			st = md_dw_sibling(d, die, &next, err);
		md_dw_free_die(d, die);
		die = next;
	}
	Dwarf_Off next_off = 0;
	if (st == MD_OK && die) {
		Dwarf_Error e = NULL;
		if (dwarf_dieoffset(die, &next_off, &e) != DW_DLV_OK)
			st = md_dw_fail(d, e, err, "reading a DIE offset");
	}
	md_dw_free_die(d, die);
	md_dw_free_die(d, cu);
	if (st == MD_OK) {
		c->resume = next_off;
		c->loaded = next_off == 0;
	} else {
		/* Start afresh next time rather than keep half a list. */
		for (size_t i = 0; i < c->nvars; i++)
			free(c->vars[i].name);
		free(c->vars);
		c->vars = NULL;
		c->nvars = c->cap = 0;
		c->resume = 0;
	}
	return st;
}

static md_status load_cu(md_dwarf *d, md_dw_cu *c, md_err *err)
{
	return load_cu_until(d, c, NULL, 0, err);
}

static int cu_matches(const md_dw_cu *c, const char *expr, size_t elen)
{
	return c->name_len < elen && expr[c->name_len] == '.' &&
	       memcmp(expr, c->name, c->name_len) == 0;
}

/* Levenshtein distance of two short strings (two rows, on the stack). */
static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t row[2][MAX_CMP + 1];
	if (la > MAX_CMP)
		la = MAX_CMP;
	if (lb > MAX_CMP)
		lb = MAX_CMP;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = row[i & 1], *prev = row[(i - 1) & 1];
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			cur[j] = v;
		}
	}
	return row[la & 1][lb];
}

/* The part of expr that names the variable, as the user meant it: the
 * package path, a dot, and the identifier up to the next '.' or '['.  With
 * a matched CU the package is known; otherwise the package ends at the
 * first '.' after the last '/' (paths like "example.com/x" have dots).
 * Returns its length; *ident_len is the identifier's. */
static size_t wanted_len(const char *expr, size_t pkg_len, size_t *ident_len)
{
	size_t n = strcspn(expr, "[");
	size_t start = pkg_len;
	*ident_len = n;
	if (!start) {
		const char *slash = memrchr(expr, '/', n);
		const char *from = slash ? slash : expr;
		const char *dot = memchr(from, '.', n - (size_t)(from - expr));
		if (!dot)
			return n;
		start = (size_t)(dot - expr);
	}
	if (start >= n)
		return n;
	const char *dot = memchr(expr + start + 1, '.', n - start - 1);
	size_t end = dot ? (size_t)(dot - expr) : n;
	*ident_len = end - start - 1;
	return end;
}

typedef struct suggest {
	const char *want;
	size_t want_len;
	size_t limit;
	const md_dw_var *best[MAX_SUGGEST];
	size_t dist[MAX_SUGGEST];
	size_t n;
} suggest;

static void consider(suggest *s, const md_dw_var *v)
{
	/* Compiler temporaries ("main..stmp_0") are not names users type. */
	if (strstr(v->name, ".."))
		return;
	size_t dd = edit_distance(s->want, s->want_len, v->name, v->len);
	if (dd > s->limit)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->best[i]->name, v->name) == 0)
			return; /* duplicate CUs can repeat a name */
	size_t i = s->n < MAX_SUGGEST ? s->n++ : MAX_SUGGEST;
	if (i == MAX_SUGGEST) {
		if (dd >= s->dist[MAX_SUGGEST - 1])
			return;
		i = MAX_SUGGEST - 1;
	}
	/* Insertion into the sorted short list. */
	while (i > 0 && s->dist[i - 1] > dd) {
		s->best[i] = s->best[i - 1];
		s->dist[i] = s->dist[i - 1];
		i--;
	}
	s->best[i] = v;
	s->dist[i] = dd;
}

/* Whether variable v is what expr names by a short package name: after
 * one of v's '/'s, v's name starts expr, up to its end, a '.' or a '['
 * ("store.Sessions" for "example.com/acme/store.Sessions",
 * "cache.Default.Index" for ".../internal/cache.Default").  The length of
 * that part of v's name, 0 if none. */
static size_t short_pkg_match(const md_dw_var *v, const char *expr)
{
	if (strstr(v->name, ".."))
		return 0;
	for (const char *sl = memchr(v->name, '/', v->len); sl;
	     sl = memchr(sl + 1, '/', v->len - (size_t)(sl + 1 - v->name))) {
		size_t tl = v->len - (size_t)(sl + 1 - v->name);
		if (memchr(sl + 1, '.', tl) && strncmp(expr, sl + 1, tl) == 0 &&
		    (expr[tl] == '\0' || expr[tl] == '.' || expr[tl] == '['))
			return tl;
	}
	return 0;
}

/* "did you mean <full>?" for the variables short_pkg_match finds, each
 * followed by the rest of expr (its selectors); 0 if none. */
static int short_pkg_names(md_dwarf *d, const char *expr, char *buf, size_t n)
{
	const md_dw_var *seen[MAX_SUGGEST];
	size_t w = 0, found = 0;
	for (size_t i = 0; i < d->ncus && found < MAX_SUGGEST; i++) {
		md_dw_cu *c = &d->cus[i];
		if (!memchr(c->name, '/', c->name_len))
			continue;
		for (size_t j = 0; j < c->nvars && found < MAX_SUGGEST; j++) {
			const md_dw_var *v = &c->vars[j];
			size_t k = 0, tl = short_pkg_match(v, expr);
			if (!tl)
				continue;
			/* duplicate CUs can repeat a name */
			while (k < found && strcmp(seen[k]->name, v->name))
				k++;
			if (k < found)
				continue;
			int r = snprintf(buf + w, n - w, "%s%s%s", found ? ", " : "did you mean ",
			                 v->name, expr + tl);
			if (r < 0 || (size_t)r >= n - w)
				break;
			w += (size_t)r;
			seen[found++] = v;
		}
	}
	if (found && w + 2 <= n)
		snprintf(buf + w, n - w, "?");
	return found > 0;
}

/* Fill err with NOTFOUND and the closest names among the matched CUs or,
 * if the package matched none, among all Go CUs; a short package name
 * ("store.Sessions") is completed to the full ones that end with it. */
static md_status not_found(md_dwarf *d, const char *expr, size_t pkg_len,
                           int any_matched, md_err *err)
{
	size_t elen = strlen(expr);
	size_t ident = 0;
	suggest s = { .want = expr, .want_len = wanted_len(expr, pkg_len, &ident) };
	/* Allow about a third of the identifier to differ (typos, case,
	 * transpositions), at least 2 edits but only 1 on tiny names, where 2
	 * would match anything; a misspelt package adds its own edits, so
	 * without a matched package allow a quarter of the whole name. */
	s.limit = ident <= 3 ? 1 : ident / 3 > 2 ? ident / 3 : 2;
	if (!any_matched && s.want_len / 4 > s.limit)
		s.limit = s.want_len / 4;
	for (size_t i = 0; i < d->ncus; i++) {
		md_dw_cu *c = &d->cus[i];
		if (any_matched && !cu_matches(c, expr, elen))
			continue;
		md_status st = load_cu(d, c, err);
		if (st != MD_OK)
			return st;
		for (size_t j = 0; j < c->nvars; j++)
			consider(&s, &c->vars[j]);
	}
	char buf[sizeof err->detail];
	size_t w = 0;
	buf[0] = '\0';
	if (!any_matched && short_pkg_names(d, expr, buf, sizeof buf))
		return md_err_set(err, MD_NOTFOUND, "%s", buf);
	for (size_t i = 0; i < s.n; i++) {
		int r = snprintf(buf + w, sizeof buf - w, "%s%s",
		                 i ? ", " : "did you mean ", s.best[i]->name);
		if (r < 0 || (size_t)r >= sizeof buf - w)
			break;
		w += (size_t)r;
	}
	if (s.n && w + 2 <= sizeof buf)
		snprintf(buf + w, sizeof buf - w, "?");
	return md_err_set(err, MD_NOTFOUND, "%s", buf);
}

static uint64_t name_hash(const char *p, size_t n)
{
	return md_fnv64(MD_FNV64_INIT, p, n);
}

/* The variable named want (wlen bytes) of CU c, if the cache knows its
 * DIE: the DIE itself must say so (a DW_TAG_variable of that name with an
 * address and a type), else the record is ignored. */
static const md_dw_var *cached_var(md_dwarf *d, const md_dw_cu *c, const char *want,
                                   size_t wlen)
{
	if (!d->varidx_tried) {
		d->varidx_tried = 1;
		md_recidx_map(d, "vars", sizeof(md_dw_varrec), &d->varidx);
	}
	for (size_t i = 0; i < d->nhits; i++)
		if (is_var(&d->hits[i], want, wlen))
			return &d->hits[i];
	const md_dw_varrec *r = (const md_dw_varrec *)d->varidx.recs;
	size_t lo = 0, hi = d->varidx.n;
	uint64_t h = name_hash(want, wlen);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	char esc[1024], name[1024];
	size_t esc_len = cu_escape(c, esc);
	for (; lo < d->varidx.n && r[lo].hash == h; lo++) {
		md_err e;
		Dwarf_Die die = NULL;
		Dwarf_Half tag = 0;
		uint64_t addr = 0, type = 0;
		if (md_dw_die(d, r[lo].die, &die, &e) != MD_OK)
			continue;
		int ok = md_dw_tag(d, die, &tag, &e) == MD_OK && tag == DW_TAG_variable &&
		         read_var(d, c, die, esc, esc_len, name, &addr, &type, &e) == MD_OK &&
		         strlen(name) == wlen && memcmp(name, want, wlen) == 0;
		md_dw_free_die(d, die);
		md_dw_var *n = ok ? realloc(d->hits, (d->nhits + 1) * sizeof *n) : NULL;
		char *nm = n ? malloc(wlen + 1) : NULL;
		if (n)
			d->hits = n;
		if (!nm)
			continue;
		memcpy(nm, want, wlen);
		nm[wlen] = '\0';
		d->hits[d->nhits] = (md_dw_var){ nm, wlen, addr, type, r[lo].die };
		return &d->hits[d->nhits++];
	}
	return NULL;
}

/* Remember a variable found by a walk, for the cache. */
static void remember(md_dwarf *d, const md_dw_var *v)
{
	md_dw_varrec *n = realloc(d->newvars, (d->nnewvars + 1) * sizeof *n);
	if (!n)
		return;
	d->newvars = n;
	n[d->nnewvars++] = (md_dw_varrec){ name_hash(v->name, v->len), v->die };
}

static int rec_cmp(const void *a, const void *b)
{
	const md_dw_varrec *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->die < y->die ? -1 : x->die > y->die;
}

void md_dwvar_close(md_dwarf *d)
{
	if (d->nnewvars && d->varidx.n < 65536) {
		size_t n = d->varidx.n + d->nnewvars;
		md_dw_varrec *all = malloc(n * sizeof *all);
		if (all) {
			if (d->varidx.n)
				memcpy(all, d->varidx.recs, d->varidx.n * sizeof *all);
			memcpy(all + d->varidx.n, d->newvars, d->nnewvars * sizeof *all);
			qsort(all, n, sizeof *all, rec_cmp);
			size_t w = 0;
			for (size_t i = 0; i < n; i++)
				if (!w || rec_cmp(&all[w - 1], &all[i]))
					all[w++] = all[i];
			md_recidx_save(d, "vars", all, sizeof *all, w, 0);
			free(all);
		}
	}
	md_recidx_unmap(&d->varidx);
	free(d->newvars);
	for (size_t i = 0; i < d->nhits; i++)
		free(d->hits[i].name);
	free(d->hits);
	d->newvars = NULL;
	d->hits = NULL;
	d->nnewvars = d->nhits = 0;
}

/* The variable a CU named c would hold for expr: its name runs from the
 * package path through the identifier, to the next '.' or '[' (a Go
 * identifier has neither). */
static size_t var_len(const md_dw_cu *c, const char *expr, size_t elen)
{
	size_t n = c->name_len + 1;
	while (n < elen && expr[n] != '.' && expr[n] != '[')
		n++;
	return n;
}

static md_status find_var(md_dwarf *d, const char *expr, size_t *name_len,
                          uint64_t *addr, md_type_id *type, md_err *err)
{
	md_status st = index_cus(d, err);
	if (st != MD_OK)
		return st;
	size_t elen = strlen(expr);
	size_t pkg_len = 0;
	int matched = 0;
	/* The longest package path that matches names the longest variable
	 * (its name then extends further into expr), so CUs are tried from
	 * the longest matching name down; among CUs of one name (the
	 * runtime has several), the first that holds the variable wins. */
	size_t len = SIZE_MAX;
	for (;;) {
		size_t cur = 0;
		for (size_t i = 0; i < d->ncus; i++) {
			const md_dw_cu *c = &d->cus[i];
			if (c->name_len < len && c->name_len > cur && cu_matches(c, expr, elen))
				cur = c->name_len;
		}
		if (!cur)
			break;
		len = cur;
		if (!matched)
			pkg_len = cur;
		matched = 1;
		int asked = 0;
		for (size_t i = 0; i < d->ncus; i++) {
			md_dw_cu *c = &d->cus[i];
			if (c->name_len != len || !cu_matches(c, expr, elen))
				continue;
			size_t wlen = var_len(c, expr, elen);
			size_t have = c->nvars;
			const md_dw_var *v = NULL;
			for (size_t j = 0; j < have && !v; j++)
				if (is_var(&c->vars[j], expr, wlen))
					v = &c->vars[j];
			/* the cache answers by name, so once for all these CUs */
			if (!v && !c->loaded && !asked) {
				asked = 1;
				v = cached_var(d, c, expr, wlen);
			}
			if (!v && !c->loaded) {
				if ((st = load_cu_until(d, c, expr, wlen, err)) != MD_OK)
					return st;
				for (size_t j = have; j < c->nvars && !v; j++)
					if (is_var(&c->vars[j], expr, wlen))
						v = &c->vars[j];
				if (v)
					remember(d, v);
			}
			if (v) {
				*name_len = v->len;
				*addr = v->addr;
				*type = v->type;
				return MD_OK;
			}
		}
	}
	return not_found(d, expr, pkg_len, matched, err);
}

md_status md_dwarf_find_var(md_dwarf *d, const char *expr, size_t *name_len,
                            uint64_t *addr, md_type_id *type, md_err *err)
{
	md_status st = find_var(d, expr, name_len, addr, type, err);
	/* A cached index is trusted for what it finds, once its CU is
	 * checked, but not for what it lacks. */
	if (d->cus_cached && (st == MD_NOTFOUND || d->cus_stale)) {
		if ((st = reindex(d, err)) == MD_OK)
			st = find_var(d, expr, name_len, addr, type, err);
	}
	return st;
}

/* Whether CU c can hold variables named with prefix: the prefix lies
 * inside "<cu>." or extends it. */
static int cu_may_hold(const md_dw_cu *c, const char *prefix, size_t plen)
{
	if (plen <= c->name_len)
		return memcmp(prefix, c->name, plen) == 0;
	return prefix[c->name_len] == '.' && memcmp(prefix, c->name, c->name_len) == 0;
}

/* Read every CU that can hold variables named with prefix. */
static md_status load_prefix(md_dwarf *d, const char *prefix, size_t plen, md_err *err)
{
	md_status st = index_cus(d, err);
	for (size_t i = 0; st == MD_OK && i < d->ncus; i++)
		if (cu_may_hold(&d->cus[i], prefix, plen))
			st = load_cu(d, &d->cus[i], err);
	return st;
}

md_status md_dwarf_each_var(md_dwarf *d, const char *prefix, md_var_fn fn, void *arg,
                            md_err *err)
{
	if (!prefix)
		prefix = "";
	size_t plen = strlen(prefix);
	/* All CUs first, then the callbacks: a cached index that proves
	 * wrong is replaced before anything has been reported from it. */
	md_status st = load_prefix(d, prefix, plen, err);
	if (st != MD_OK && d->cus_stale && d->cus_cached &&
	    (st = reindex(d, err)) == MD_OK)
		st = load_prefix(d, prefix, plen, err);
	if (st != MD_OK)
		return st;
	for (size_t i = 0; i < d->ncus; i++) {
		md_dw_cu *c = &d->cus[i];
		if (!cu_may_hold(c, prefix, plen))
			continue;
		for (size_t j = 0; j < c->nvars; j++) {
			const md_dw_var *v = &c->vars[j];
			if (v->len < plen || memcmp(v->name, prefix, plen) != 0 ||
			    strstr(v->name, ".."))
				continue;
			if (fn(arg, v->name, v->addr, v->type))
				return MD_OK;
		}
	}
	return MD_OK;
}
