/* md_cfi.c - CFA rules from .debug_frame through libdwarf (see md_cfi.h).
 *
 * Why not dwarf_get_fde_list over the whole section: it parses every FDE
 * into libdwarf's memory, and a 2,000-package service has 7 MB of
 * .debug_frame (about 200,000 FDEs), to answer for the dozens of pcs an
 * attach unwinds (BENCHMARKS.md has the cost).  So this module reads
 * only the FDE headers (length, CIE pointer, address range: fixed fields
 * at fixed places) into a sorted index, on the first question, and hands
 * libdwarf a small .debug_frame of its own: the CIEs and the FDEs of the
 * functions asked about so far, with each FDE's CIE pointer rewritten to
 * its CIE's new place.  libdwarf still parses and evaluates every rule;
 * a function not yet in the small section is appended and libdwarf is
 * restarted on it (cheap for the few FDEs an attach holds).  The bytes come from the
 * executable and are checked like any other: an entry that does not fit
 * ends the index, an FDE libdwarf rejects is left out.
 */
#include <stdlib.h>
#include <string.h>
#include "md_cfi.h"
#include "md_dwarf_priv.h"

/* amd64 DWARF register numbers */
#define REG_RBP 6
#define REG_RA  16

/* One FDE of the file's .debug_frame, as the index (and its cache file,
 * <key>.fdes) holds it; the rest is read from the entry when it is used. */
typedef struct fde_ent {
	uint64_t lo, hi;      /* link-time pc range */
	uint64_t off;         /* the entry's offset in the section */
} fde_ent;

/* An FDE of the file as used: checked, and where its CIE is. */
typedef struct fde_use {
	uint64_t off, len, cie;
} fde_use;

/* A CIE copied into the small section. */
typedef struct cie_map {
	uint64_t from, to;
} cie_map;

struct md_cfi {
	md_dwarf *d;
	const unsigned char *sec;   /* the file's .debug_frame */
	uint64_t sec_len;
	int indexed;
	fde_ent *e;           /* sorted by lo: malloc'd, or idx's records */
	size_t n;
	md_recidx idx;
	uint64_t *in, *refused;   /* FDE offsets in the small section, or not */
	size_t nin, nrefused;
	/* the small section and the libdwarf instance reading it */
	unsigned char *buf;
	size_t len, cap;
	cie_map *cies_in;
	size_t ncies_in;
	Dwarf_Debug dbg;
	md_dwsrc *src;
	Dwarf_Cie *cies;
	Dwarf_Signed ncies;
	Dwarf_Fde *fdes;
	Dwarf_Signed nfdes;
};

static uint64_t rd(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* The entry at off: its whole length (header included), the size of its
 * length field (4 or 12) and its id (CIE pointer, or all ones for a CIE).
 * 0 when it does not fit in the section. */
static int entry_at(const unsigned char *s, uint64_t n, uint64_t off, uint64_t *total,
                    int *idsz, uint64_t *id)
{
	if (off > n || n - off < 8)
		return 0;
	uint64_t len = rd(s + off, 4), hl = 4;
	*idsz = 4;
	if (len == 0xffffffff) {
		if (n - off < 20)
			return 0;
		len = rd(s + off + 4, 8);
		hl = 12;
		*idsz = 8;
	} else if (len >= 0xfffffff0) {
		return 0;   /* reserved */
	}
	if (len < (uint64_t)*idsz || len > n - off - hl)
		return 0;
	*total = hl + len;
	*id = rd(s + off + hl, *idsz);
	if (*idsz == 4 && *id == 0xffffffff)
		*id = UINT64_MAX;
	return 1;
}

static int ent_cmp(const void *a, const void *b)
{
	const fde_ent *x = a, *y = b;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The FDE at off, whose CIE pointer names a CIE and whose range is not
 * empty: 1 with *lo, *hi and where it is (*u).  0 for anything else (a
 * CIE, a bad entry); *total is the entry's length when it fits at all,
 * else 0. */
static int parse_fde(const md_cfi *c, uint64_t off, uint64_t *total, uint64_t *lo,
                     uint64_t *hi, fde_use *u)
{
	uint64_t id, t2, id2;
	int idsz, idsz2;
	*total = 0;
	if (!entry_at(c->sec, c->sec_len, off, total, &idsz, &id))
		return 0;
	if (id == UINT64_MAX || *total - (uint64_t)idsz - (idsz == 8 ? 12 : 4) < 16 ||
	    !entry_at(c->sec, c->sec_len, id, &t2, &idsz2, &id2) || id2 != UINT64_MAX)
		return 0;
	const unsigned char *h = c->sec + off + (idsz == 8 ? 12 : 4) + idsz;
	uint64_t range = rd(h + 8, 8);
	*lo = rd(h, 8);
	*hi = *lo + range;
	*u = (fde_use){ off, *total, id };
	return range && *hi > *lo;
}

/* Whether index entry f is what the section says, and where it is. */
static int check_fde(const md_cfi *c, const fde_ent *f, fde_use *u)
{
	uint64_t total, lo, hi;
	return parse_fde(c, f->off, &total, &lo, &hi, u) && lo == f->lo && hi == f->hi;
}

/* The FDE headers, sorted by address (Go writes them sorted: the check is
 * one pass).  Only FDEs whose CIE pointer names a CIE are kept. */
static md_status scan_index(md_cfi *c, md_err *err)
{
	uint64_t n = c->sec_len, off = 0;
	size_t cap = 0;
	int sorted = 1;
	while (off < n) {
		uint64_t total, lo, hi;
		fde_use u;
		if (n - off >= 4 && rd(c->sec + off, 4) == 0) {
			off += 4;   /* padding */
			continue;
		}
		int fde = parse_fde(c, off, &total, &lo, &hi, &u);
		if (!total)
			break;
		if (fde) {
			if (c->n == cap) {
				size_t ncap = cap ? 2 * cap : 1024;
				fde_ent *p = realloc(c->e, ncap * sizeof *p);
				if (!p)
					return md_err_set(err, MD_E_NOMEM, "CFI index");
				c->e = p;
				cap = ncap;
			}
			fde_ent *f = &c->e[c->n++];
			*f = (fde_ent){ lo, hi, off };
			if (c->n > 1 && ent_cmp(&c->e[c->n - 2], f) > 0)
				sorted = 0;
		}
		off += total;
	}
	if (!sorted)
		qsort(c->e, c->n, sizeof *c->e, ent_cmp);
	return MD_OK;
}

static void drop_index(md_cfi *c)
{
	if (c->idx.map)
		md_recidx_unmap(&c->idx);
	else
		free(c->e);
	c->e = NULL;
	c->n = 0;
}

/* The index scanned from the section, and cached for the next run. */
static md_status rescan(md_cfi *c, md_err *err)
{
	drop_index(c);
	md_status st = scan_index(c, err);
	if (st != MD_OK) {
		drop_index(c);
		return st;
	}
	md_recidx_save(c->d, "fdes", c->e, sizeof *c->e, c->n, 0);
	return MD_OK;
}

/* The index: from the cache when it is there, else scanned and cached. */
static md_status build_index(md_cfi *c, md_err *err)
{
	c->indexed = 1;
	if (md_recidx_map(c->d, "fdes", sizeof *c->e, &c->idx)) {
		c->e = (fde_ent *)c->idx.recs;
		c->n = c->idx.n;
		return MD_OK;
	}
	return rescan(c, err);
}
/* The FDE covering pc, or NULL. */
static fde_ent *find(md_cfi *c, uint64_t pc)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].lo <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the nearest start at or below pc; an earlier FDE could be wider
	 * only in a malformed file, which libdwarf then reads as it is */
	return lo && pc < c->e[lo - 1].hi ? &c->e[lo - 1] : NULL;
}

static int append(md_cfi *c, const unsigned char *p, uint64_t n)
{
	if (n > c->cap - c->len) {
		size_t ncap = c->cap ? c->cap : 4096;
		while (ncap - c->len < n)
			ncap *= 2;
		unsigned char *b = realloc(c->buf, ncap);
		if (!b)
			return 0;
		c->buf = b;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	return 1;
}

static void close_small(md_cfi *c)
{
	if (c->fdes || c->cies)
		dwarf_fde_cie_list_dealloc(c->dbg, c->cies, c->ncies, c->fdes, c->nfdes);
	c->cies = NULL;
	c->fdes = NULL;
	c->ncies = c->nfdes = 0;
	md_dwsrc_close_mem(c->dbg, c->src);
	c->dbg = NULL;
	c->src = NULL;
}

static int open_small(md_cfi *c)
{
	md_err e2;
	if (!c->len || md_dwsrc_open_mem(".debug_frame", c->buf, c->len, &c->dbg, &c->src,
	                                 &e2) != MD_OK)
		return 0;
	/* Rules for registers an FDE never mentions: "same value", so that an
	 * unmentioned frame pointer reads as unchanged, not as garbage. */
	dwarf_set_frame_rule_initial_value(c->dbg, DW_FRAME_SAME_VAL);
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_list(c->dbg, &c->cies, &c->ncies, &c->fdes, &c->nfdes, &e);
	if (rc == DW_DLV_ERROR)
		dwarf_dealloc(c->dbg, e, DW_DLA_ERROR);
	if (rc != DW_DLV_OK) {
		c->cies = NULL;
		c->fdes = NULL;
		close_small(c);
		return 0;
	}
	return 1;
}

/* Put f (and its CIE, once) into the small section and restart libdwarf
 * on it.  On failure the section is as it was and f is refused. */
static int has(const uint64_t *v, size_t n, uint64_t x)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static int push(uint64_t **v, size_t *n, uint64_t x)
{
	uint64_t *p = realloc(*v, (*n + 1) * sizeof *p);
	if (!p)
		return 0;
	*v = p;
	p[(*n)++] = x;
	return 1;
}

static int add_fde(md_cfi *c, const fde_use *f)
{
	size_t keep = c->len, keep_cies = c->ncies_in;
	close_small(c);
	uint64_t to = UINT64_MAX;
	for (size_t i = 0; i < c->ncies_in; i++)
		if (c->cies_in[i].from == f->cie)
			to = c->cies_in[i].to;
	int ok = 1;
	if (to == UINT64_MAX) {
		uint64_t total, id;
		int idsz;
		cie_map *m = realloc(c->cies_in, (c->ncies_in + 1) * sizeof *m);
		ok = m && entry_at(c->sec, c->sec_len, f->cie, &total, &idsz, &id);
		if (m)
			c->cies_in = m;
		if (ok) {
			to = c->len;
			ok = append(c, c->sec + f->cie, total);
			if (ok)
				c->cies_in[c->ncies_in++] = (cie_map){ f->cie, to };
		}
	}
	if (ok) {
		size_t at = c->len;
		ok = append(c, c->sec + f->off, f->len);
		if (ok) {
			/* the CIE pointer: 4 bytes after a 4-byte length, 8 after
			 * a 12-byte one */
			int wide = rd(c->buf + at, 4) == 0xffffffff;
			unsigned char *ptr = c->buf + at + (wide ? 12 : 4);
			for (int i = 0; i < (wide ? 8 : 4); i++)
				ptr[i] = (unsigned char)(to >> (8 * i));
		}
	}
	if (ok && push(&c->in, &c->nin, f->off) && open_small(c))
		return 1;
	if (ok && c->nin && c->in[c->nin - 1] == f->off)
		c->nin--;
	push(&c->refused, &c->nrefused, f->off);
	c->len = keep;
	c->ncies_in = keep_cies;
	open_small(c);
	return 0;
}

md_status md_cfi_open(md_dwarf *d, md_cfi **out, md_err *err)
{
	const unsigned char *p = NULL;
	uint64_t n = 0;
	if (!md_dwsrc_section(d->src, ".debug_frame", &p, &n) || !n)
		return MD_NOTFOUND;
	md_cfi *c = calloc(1, sizeof *c);
	if (!c)
		return md_err_set(err, MD_E_NOMEM, "CFI");
	c->d = d;
	c->sec = p;
	c->sec_len = n;
	*out = c;
	return MD_OK;
}

void md_cfi_free(md_cfi *c)
{
	if (!c)
		return;
	close_small(c);
	drop_index(c);
	free(c->buf);
	free(c->cies_in);
	free(c->in);
	free(c->refused);
	free(c);
}

/* One register's rule at pc: offset from the CFA if saved there. */
static int saved_at(md_cfi *c, Dwarf_Fde fde, Dwarf_Half reg, uint64_t pc, int64_t *off)
{
	Dwarf_Small vt = 0;
	Dwarf_Signed rel = 0, r = 0, o = 0;
	Dwarf_Ptr blk = NULL;
	Dwarf_Addr row = 0, next = 0;
	Dwarf_Bool more = 0;
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_info_for_reg3_b(fde, reg, pc, &vt, &rel, &r, &o, &blk, &row,
	                                       &more, &next, &e);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc(c->dbg, e, DW_DLA_ERROR);
		return 0;
	}
	if (rc != DW_DLV_OK || vt != DW_EXPR_OFFSET || !rel || r != DW_FRAME_CFA_COL3)
		return 0;
	*off = o;
	return 1;
}

md_status md_cfi_at(md_cfi *c, uint64_t pc, md_cfa *out, md_err *err)
{
	memset(out, 0, sizeof *out);
	if (!c->indexed) {
		md_status st = build_index(c, err);
		if (st != MD_OK)
			return st;
	}
	fde_ent *f = find(c, pc);
	fde_use u;
	if (f && !check_fde(c, f, &u) && c->idx.map) {
		/* the cached index is wrong about this FDE: rebuild it */
		md_cache_drop(c->d, "fdes");
		md_status st = rescan(c, err);
		if (st != MD_OK)
			return st;
		f = find(c, pc);
	}
	if (!f || !check_fde(c, f, &u) || has(c->refused, c->nrefused, u.off) ||
	    (!has(c->in, c->nin, u.off) && !add_fde(c, &u)) || !c->fdes)
		return MD_NOTFOUND;

	Dwarf_Fde fde = NULL;
	Dwarf_Addr lo = 0, hi = 0;
	Dwarf_Error e = NULL;
	int rc = dwarf_get_fde_at_pc(c->fdes, pc, &fde, &lo, &hi, &e);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc(c->dbg, e, DW_DLA_ERROR);
		return MD_NOTFOUND;
	}
	if (rc != DW_DLV_OK)
		return MD_NOTFOUND;

	Dwarf_Small vt = 0;
	Dwarf_Signed rel = 0, reg = 0, off = 0;
	Dwarf_Ptr blk = NULL;
	Dwarf_Addr row = 0, next = 0;
	Dwarf_Bool more = 0;
	rc = dwarf_get_fde_info_for_cfa_reg3_b(fde, pc, &vt, &rel, &reg, &off, &blk, &row,
	                                       &more, &next, &e);
	if (rc == DW_DLV_ERROR) {
		dwarf_dealloc(c->dbg, e, DW_DLA_ERROR);
		return MD_NOTFOUND;
	}
	if (rc != DW_DLV_OK || vt != DW_EXPR_OFFSET || !rel)
		return MD_NOTFOUND;
	out->cfa_reg = (int)reg;
	out->cfa_off = off;
	out->lo = lo;
	out->hi = hi;
	if (!saved_at(c, fde, REG_RA, pc, &out->ra_off))
		out->ra_off = -8;   /* the CIE's rule on amd64: RA at CFA-8 */
	int64_t bo;
	if (saved_at(c, fde, REG_RBP, pc, &bo)) {
		out->bp_saved = 1;
		out->bp_off = bo;
	} else if (out->cfa_reg == 7 && out->cfa_off >= 16) {
		/* Go's CFI never mentions BP, but every Go function with a frame
		 * starts with PUSHQ BP: once the CFA is 16 or more above SP the
		 * caller's BP sits just below the return address. */
		out->bp_saved = 1;
		out->bp_off = -16;
	}
	return MD_OK;
}
