/* md_dwarf_priv.h - private to dwarf/: the md_dwarf object and the small
 * libdwarf helpers that md_dwarf.c, md_dwvar.c, md_dwtype.c,
 * md_maplayout.c, md_dwsym.c, md_dwrange.c, md_dwloc.c, md_dwlocal.c,
 * md_dwinline.c and md_dwrtype.c share.  Nothing here is visible outside dwarf/.
 */
#ifndef MD_DWARF_PRIV_H
#define MD_DWARF_PRIV_H

#include <libdwarf.h>
#include <elf.h>
#include <dwarf.h>

#include "md_dwarf.h"

/* Go-specific DWARF attributes (cmd/internal/dwarf). */
#define MD_DW_AT_go_kind 0x2900     /* reflect.Kind of the type */
#define MD_DW_AT_go_key 0x2901      /* map key type */
#define MD_DW_AT_go_elem 0x2902     /* map/slice/chan element type */
#define MD_DW_AT_go_runtime_type 0x2904 /* offset of the type's run-time
                                           descriptor from runtime.types */

/* reflect.Kind values we act on. */
enum {
	MD_GOKIND_ARRAY = 17,
	MD_GOKIND_CHAN = 18,
	MD_GOKIND_FUNC = 19,
	MD_GOKIND_INTERFACE = 20,
	MD_GOKIND_MAP = 21,
	MD_GOKIND_PTR = 22,
	MD_GOKIND_SLICE = 23,
	MD_GOKIND_STRING = 24,
	MD_GOKIND_STRUCT = 25
};

/* Typedef chains in Go's DWARF are one or two long; anything deeper than
 * this is a cycle in a malformed file. */
#define MD_DW_MAX_DEPTH 16

/* One package-level variable, with its name as the user spells it. */
typedef struct md_dw_var {
	char *name;
	size_t len;
	uint64_t addr;
	md_type_id type;
	Dwarf_Off die;       /* its DW_TAG_variable DIE */
} md_dw_var;

/* One variable the cache remembers (<key>.vars): a hash of its full name
 * and where its DIE is.  Sorted by hash. */
typedef struct md_dw_varrec {
	uint64_t hash;
	uint64_t die;
} md_dw_varrec;

/* One Go compile unit; its variables are read on first need. */
typedef struct md_dw_cu {
	Dwarf_Off die_off;   /* global offset of the DW_TAG_compile_unit DIE */
	char *name;          /* package path, e.g. "example.com/acme/store" */
	size_t name_len;
	int loaded;          /* every top-level DIE read */
	Dwarf_Off resume;    /* else the next one to read; 0: none read yet */
	md_dw_var *vars;     /* the variables read so far, in DIE order */
	size_t nvars, cap;
} md_dw_cu;

/* ---- symbolization (md_dwsym.c, md_dwloc.c) ---- */

/* One function of the ELF symbol table; its name is at d->symstr + name
 * (the file's string table, mapped, never copied). */
typedef struct md_dw_sym {
	uint64_t lo, hi;
	uint32_t name;       /* st_name */
	uint32_t idx;        /* its place in .symtab, to break ties */
} md_dw_sym;

/* One DW_TAG_subprogram with code: [lo, hi) and its DIE; the inlined
 * calls inside it, read on first need (md_dwinline.c). */
struct md_dw_inl;
typedef struct md_dw_fn {
	uint64_t lo, hi;
	Dwarf_Off die_off;
	struct md_dw_inl *inl;
} md_dw_fn;

/* One row of a decoded line program; file indexes md_dw_code.files. */
typedef struct md_dw_row {
	uint64_t addr;
	uint32_t line;
	uint32_t file;
} md_dw_row;

/* One line sequence: rows[first, first + n) cover [lo, hi). */
typedef struct md_dw_seq {
	uint64_t lo, hi;
	size_t first, n;
} md_dw_seq;

/* One compile unit with code (Go or not, unlike md_dw_cu).  Its functions
 * and its line table are read on first need and kept. */
typedef struct md_dw_code {
	Dwarf_Off die_off;
	int fns_loaded;
	md_dw_fn *fns;        /* sorted by lo */
	size_t nfns;
	int lines_loaded;
	Dwarf_Unsigned line_ver; /* the line program's version: how its file
	                            numbers count (md_dw_file_name) */
	md_dw_row *rows;
	size_t nrows;
	md_dw_seq *seqs;      /* sorted by lo */
	size_t nseqs;
	char **files;         /* the line program's file names, in its order */
	size_t nfiles;
	int files_loaded;     /* files read (with the lines, or alone: the
	                         header is cheap, the rows of a big CU not) */
} md_dw_code;

/* One entry of the run-time type index (md_dwrtype.c): a key (a
 * DW_AT_go_runtime_type offset, or a hash of a type's name) and the type's
 * DIE.  Sorted by key, then DIE. */
typedef struct md_dw_tkey {
	uint64_t key;
	uint64_t die;
} md_dw_tkey;

/* One address range of a compile unit: codes[cu] covers [lo, hi). */
typedef struct md_dw_range {
	uint64_t lo, hi;
	size_t cu;
} md_dw_range;

/* md_recidx.c: a sorted table of fixed-size records (symbols, FDEs) kept
 * in the cache directory as <key>.<ext> and used in place, mapped, so that
 * a repeat run finds a pc's function without reading 300,000 symbols or
 * 200,000 FDE headers.  md_recidx_map: 1 and *out when the file exists and
 * its header checks (key, file size, record size, length), else 0.  The
 * records are only claims: each user checks the one it finds against the
 * bytes it points at, and rebuilds (md_cache_drop, then _save) on a
 * mismatch. */
typedef struct md_recidx {
	void *map;
	size_t map_len;
	const unsigned char *recs;
	size_t n;
	uint64_t aux;        /* one word the writer chose */
} md_recidx;
struct md_dwarf {
	md_exe_info info;
	Dwarf_Debug dbg;
	Dwarf_Debug dbg_all; /* md_dwsrc_open_all's, for location lists; NULL
	                        until md_dwloc.c first needs it */
	struct md_dwsrc *src; /* the bytes libdwarf reads (md_dwsrc.c) */
	int own_fd;          /* the fd libdwarf reads (ours, not the caller's) */
	unsigned ptr_size;   /* 8: only 64-bit ELF is accepted */

	/* CU index, built on the first variable lookup (md_dwvar.c), or read
	 * from the cache (md_cuidx.c). */
	int cus_state;       /* 0 not built, 1 built, -1 failed */
	int cus_cached;      /* 1: read from the cache, not yet proven whole */
	int cus_stale;       /* 1: a CU's root DIE disagreed with the cache */
	/* Variables found by walking a CU: the cache's list (<key>.vars,
	 * mapped on the first lookup), those to add to it at md_dwarf_free,
	 * and the ones the cache has found (kept apart from the CUs' lists,
	 * which hold a CU's variables in DIE order). */
	int varidx_tried;
	md_recidx varidx;
	md_dw_varrec *newvars;
	size_t nnewvars;
	md_dw_var *hits;
	size_t nhits;
	md_dw_cu *cus;
	size_t ncus;

	/* Symbol table index, built on the first md_dwarf_func_at. */
	int symtab_state;    /* .symtab: 0 not looked at, 1 mapped, -1 none */
	int syms_built;
	md_dw_sym *syms;     /* sorted by lo, one per address */
	size_t nsyms;
	uint64_t syms_end;   /* the highest hi of syms */
	Elf *symelf;         /* kept open (mapped) for the names */
	const char *symstr;  /* .strtab of .symtab, symstr_len bytes */
	size_t symstr_len;
	const Elf64_Sym *symtab;  /* .symtab itself, nsymtab entries */
	size_t nsymtab;
	md_recidx symidx;    /* syms is this file's records when it is mapped */

	/* Compile units with code and their ranges, built on first need. */
	int codes_state;     /* 0 not built, 1 built, -1 failed */
	md_dw_code *codes;
	size_t ncodes;
	md_dw_range *ranges; /* sorted by lo */
	size_t nranges;

	/* Run-time types (md_dwrtype.c), built on first need. */
	int rtypes_state;    /* 0 not built, 1 built, -1 failed */
	md_dw_tkey *rt_off;  /* DW_AT_go_runtime_type -> DIE */
	size_t nrt_off;
	md_dw_tkey *rt_name; /* hash of DW_AT_name -> DIE */
	size_t nrt_name;
	int types_base_state; /* 0 not looked up, 1 found, -1 no symbol */
	uint64_t types_base;
};

/* md_dwsym.c: the DW_TAG_subprogram DIE of the function starting at lo
 * (0 if DWARF has none). */
md_status md_dw_func_die(md_dwarf *d, uint64_t lo, uint64_t *die, md_err *err);
/* md_dwsym.c: the top-level DW_TAG_subprogram whose code holds pc, with
 * what md_dwinline.c keeps on it: *out NULL when none does. */
md_status md_dw_fn_at(md_dwarf *d, uint64_t pc, md_dw_fn **out, md_err *err);
/* md_dwsym.c: the name of file number fno (DW_AT_call_file, numbered as
 * the line program of the compile unit holding pc numbers its rows)
 * copied into buf; MD_E_DWARF for a number outside its file table. */
md_status md_dw_file_name(md_dwarf *d, uint64_t pc, uint64_t fno, char *buf, size_t n,
                          md_err *err);
/* md_dwinline.c: free what a function's inlined calls hold. */
void md_dw_inl_free(struct md_dw_inl *inl);
/* md_dwsym.c: the value of the first defined .symtab symbol called name:
 * MD_OK, or MD_NOTFOUND (no such symbol, no .symtab). */
md_status md_dw_sym_value(md_dwarf *d, const char *name, uint64_t *value, md_err *err);

/* md_dwrange.c: the address ranges of a DIE (a compile unit, a lexical
 * block): fn(d, arg, lo, hi, err) for each non-empty [lo, hi) of its
 * DW_AT_ranges (.debug_ranges or .debug_rnglists), else of its
 * DW_AT_low_pc/high_pc; MD_OK to go on, anything else stops the walk and
 * is returned.  MD_NOTFOUND when the DIE has no address attributes. */
typedef md_status (*md_dw_range_fn)(md_dwarf *d, void *arg, uint64_t lo, uint64_t hi,
                                    md_err *err);
md_status md_dw_each_range(md_dwarf *d, Dwarf_Die die, md_dw_range_fn fn, void *arg,
                           md_err *err);
/* DW_AT_low_pc and DW_AT_high_pc (an address, or a length in DWARF 4+):
 * MD_NOTFOUND when the DIE lacks either. */
md_status md_dw_pc_range(md_dwarf *d, Dwarf_Die die, uint64_t *lo, uint64_t *hi,
                         md_err *err);

/* md_dwloc.c: DIEs whose location lists are read must come from the
 * libdwarf instance that sees them (d->dbg_all, md_dwsrc_open_all), which
 * the md_dw_* helpers then use too: md_dw_all_begin opens it when needed
 * and switches d->dbg to it, saving the main one in *main for
 * md_dw_all_end.  Offsets are the same in both. */
md_status md_dw_all_begin(md_dwarf *d, Dwarf_Debug *main, md_err *err);
void md_dw_all_end(md_dwarf *d, Dwarf_Debug main);
/* md_dwloc.c: the DW_TAG_subprogram DIE offset of f: f->die, else looked
 * up from f->lo (with the main instance).  MD_NOTFOUND when DWARF has
 * none. */
md_status md_dw_func_off(md_dwarf *d, const md_func *f, uint64_t *off, md_err *err);
/* md_dwloc.c: the DIE at off, which must be a DW_TAG_subprogram
 * (MD_E_DWARF if not). */
md_status md_dw_subprogram(md_dwarf *d, uint64_t off, Dwarf_Die *out, md_err *err);
/* md_dwloc.c: whether fn's DW_AT_frame_base is DW_OP_call_frame_cfa at
 * pc, as Go always writes it, so that DW_OP_fbreg offsets are CFA
 * offsets. */
md_status md_dw_frame_base_is_cfa(md_dwarf *d, Dwarf_Die fn, uint64_t pc, int *yes,
                                  md_err *err);
/* md_dwloc.c: where the value of a variable or parameter DIE lives at pc:
 * its DW_AT_location (a list, or an expression that holds everywhere)
 * read into out->npieces, pieces and not_understood as md_dwarf.h
 * describes them.  cfa_base: from md_dw_frame_base_is_cfa.  The caller
 * checks that pc is inside the DIE's function. */
md_status md_dw_location(md_dwarf *d, Dwarf_Die die, uint64_t pc, int cfa_base,
                         md_local *out, md_err *err);
/* md_dwrtype.c: free the run-time type index. */
void md_dw_rtypes_free(md_dwarf *d);

/* FNV-1a, 64 bits: the cache key, and the variable index's name hash. */
#define MD_FNV64_INIT 0xcbf29ce484222325ull
static inline uint64_t md_fnv64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

/* md_cuidx.c: the CU index (d->cus: each Go CU's name and root DIE) kept
 * in the cache directory as <key>.cus, so that a repeat run does not walk
 * every CU header of .debug_info (2,000 CUs spread over 100 MB on a large
 * service: every page of it mapped).  md_cuidx_load fills d->cus from the file: MD_OK, or
 * MD_NOTFOUND when there is none or it does not check (key, sizes, every
 * offset inside .debug_info, every name well-formed).  What it says is
 * still only a claim: md_dwvar.c checks each CU's root DIE against it
 * before use and rebuilds from the headers on any mismatch, and before it
 * answers "not found".  md_cuidx_save writes d->cus (atomically, by
 * rename); md_cache_drop(d, "cus") deletes it. */
md_status md_cuidx_load(md_dwarf *d);
void md_cuidx_save(const md_dwarf *d);
/* md_dwvar.c: write the variables found this run into <key>.vars, free
 * what the variable lookups hold beyond d->cus. */
void md_dwvar_close(md_dwarf *d);
/* md_dwvar.c: free d->cus, their variables and names. */
void md_dw_cus_free(md_dwarf *d);

int md_recidx_map(const md_dwarf *d, const char *ext, size_t recsz, md_recidx *out);
void md_recidx_unmap(md_recidx *r);
void md_recidx_save(const md_dwarf *d, const char *ext, const void *recs, size_t recsz,
                    size_t n, uint64_t aux);
/* Any cache file beside the DWARF cache (md_recidx.c): its path for ext,
 * with the key and file size it must repeat (0 without a cache
 * directory); written whole (a, then b) under a temporary name and
 * renamed into place; deleted. */
int md_cache_path(const md_dwarf *d, const char *ext, char *out, size_t n,
                  uint64_t *key, uint64_t *file_size);
void md_cache_write(const md_dwarf *d, const char *ext, const void *a, size_t alen,
                    const void *b, size_t blen);
void md_cache_drop(const md_dwarf *d, const char *ext);
/* Publish the concatenation of v[0..n) as cache file path: written whole
 * before it gets the name, so a reader sees no file or a whole one, and a
 * writer that dies leaves nothing.  0 when done. */
struct iovec;
int md_cache_put(const char *path, const struct iovec *v, int n);

/* md_dwsrc.c: start libdwarf on fd's DWARF sections, mapped (compressed
 * ones through the persistent cache, each decompressed section in a file
 * of its own); sets d->src and d->info.dwarf_cache (for .debug_info).
 * The sections every run needs are loaded here, the others when libdwarf
 * first asks for them.  MD_NOTFOUND when the file has no .debug_info. */
typedef struct md_dwsrc md_dwsrc;
md_status md_dwsrc_open(md_dwarf *d, int fd, Dwarf_Debug *dbg, md_err *err);
void md_dwsrc_free(md_dwsrc *s);
/* Wait for the cache writer thread, if one runs. */
void md_dwsrc_settle(md_dwsrc *s);
/* Where this file's cache files go: the cache directory and the key in
 * hex, to which each kind of file adds its extension (".debug_info",
 * ".cus"); NULL when there is no cache directory.  *key and *file_size are
 * what a cache file must repeat to be used. */
const char *md_dwsrc_cache_base(const md_dwsrc *s, uint64_t *key, uint64_t *file_size);
/* A second libdwarf instance over s that also sees the sections the first
 * one (main, from md_dwsrc_open) does not: location lists.  *dbg is main
 * itself when nothing is hidden from it; finish it only when it is not. */
md_status md_dwsrc_open_all(md_dwsrc *s, Dwarf_Debug main, Dwarf_Debug *dbg, md_err *err);
/* The bytes of section name (".debug_frame"), decompressed (now, if no
 * one asked before): 1 and *p, *n when s has it, else 0.  Valid until
 * md_dwsrc_free. */
int md_dwsrc_section(md_dwsrc *s, const char *name, const unsigned char **p, uint64_t *n);
/* A second libdwarf instance over one section held in memory (n bytes at
 * p, which must outlive it): md_cfi.c hands libdwarf a .debug_frame of the
 * few FDEs it needs.  Free with md_dwsrc_close_mem. */
md_status md_dwsrc_open_mem(const char *name, const unsigned char *p, uint64_t n,
                            Dwarf_Debug *dbg, md_dwsrc **out, md_err *err);
void md_dwsrc_close_mem(Dwarf_Debug dbg, md_dwsrc *s);

/* Visit the root DIE of every compile unit, in order: fn(d, cu, version,
 * arg, err) returns MD_OK to go on, anything else stops the walk and is
 * returned.  libdwarf's CU cursor (dwarf_next_cu_header_d) resets only after
 * it reports the end, so the walk always runs it to completion, also after
 * a stop.  The DIE is freed when fn returns. */
typedef md_status (*md_dw_cu_fn)(md_dwarf *d, Dwarf_Die cu, Dwarf_Half ver,
                                 void *arg, md_err *err);
md_status md_dw_each_cu(md_dwarf *d, md_dw_cu_fn fn, void *arg, md_err *err);

/* Turn a libdwarf error into MD_E_DWARF ("what: message") and free it. */
md_status md_dw_fail(md_dwarf *d, Dwarf_Error e, md_err *err, const char *what);

/* The DIE at a global .debug_info offset; free with md_dw_free_die. */
md_status md_dw_die(md_dwarf *d, uint64_t off, Dwarf_Die *out, md_err *err);
void md_dw_free_die(md_dwarf *d, Dwarf_Die die);

md_status md_dw_tag(md_dwarf *d, Dwarf_Die die, Dwarf_Half *tag, md_err *err);

/* DW_AT_name copied into buf (truncated); "" when absent.  Returns MD_OK or
 * MD_E_DWARF. */
md_status md_dw_name(md_dwarf *d, Dwarf_Die die, char *buf, size_t n,
                     md_err *err);

/* An unsigned constant attribute: MD_OK, MD_NOTFOUND or MD_E_DWARF. */
md_status md_dw_udata(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                      Dwarf_Unsigned *out, md_err *err);

/* Offsets are plain uint64_t (= md_type_id), converted from Dwarf_Off
 * inside the wrappers.
 * A reference attribute as a global offset: MD_OK, MD_NOTFOUND, MD_E_DWARF. */
md_status md_dw_ref(md_dwarf *d, Dwarf_Die die, Dwarf_Half attr,
                    uint64_t *out, md_err *err);

/* Step to the first child / next sibling (*out NULL when there is none). */
md_status md_dw_child(md_dwarf *d, Dwarf_Die die, Dwarf_Die *out, md_err *err);
md_status md_dw_sibling(md_dwarf *d, Dwarf_Die die, Dwarf_Die *out,
                        md_err *err);

/* A struct member's DW_AT_data_member_location as a byte offset. */
md_status md_dw_member_offset(md_dwarf *d, Dwarf_Die member, uint64_t *off,
                              md_err *err);

/* Follow DW_TAG_typedef links from off to the first non-typedef DIE. */
md_status md_dw_strip_typedefs(md_dwarf *d, uint64_t off, uint64_t *out,
                               md_err *err);

/* Byte size of the type at off: DW_AT_byte_size, the pointer size for
 * pointers and Go map/chan typedefs, through typedefs; 0 if unknown. */
md_status md_dw_type_size(md_dwarf *d, uint64_t off, uint64_t *size,
                          md_err *err);

/* Free what md_dwsym.c built (called by md_dwarf_free before
 * dwarf_finish). */
void md_dw_sym_free(md_dwarf *d);

/* DW_AT_name of a DIE or, when it has none, of its DW_AT_abstract_origin
 * (out-of-line copies of inlined functions and their parameters carry
 * their names only there).  "" when neither has one. */
md_status md_dw_origin_name(md_dwarf *d, Dwarf_Die die, char *buf, size_t n,
                            md_err *err);

#endif
