/* md_dwarf.h - ELF and DWARF resolution: the whole contract of dwarf/.
 *
 * This is the only module that sees libelf or libdwarf.  It turns a Go
 * executable (and, where its DWARF lives elsewhere, a separate debug file)
 * into a small model that mapdiag owns:
 *
 *   - facts about the executable (Go version from build info, PIE, build id),
 *   - package-level variables: name -> link-time address and type,
 *   - types: kind, size, members with offsets, element / pointee types,
 *   - the layout of a map type (member offsets of runtime.hmap or of
 *     internal/runtime/maps.Map and its table and group types).
 *
 * Nothing of libdwarf escapes.  Every offset and size read from the file is
 * checked; a malformed file yields MD_E_DWARF, never a crash.  Addresses are
 * link-time addresses: the caller adds the load bias of a PIE.
 *
 * Only 64-bit little-endian ELF is supported (amd64, arm64): Go's 32-bit
 * targets are rare in production and their headers differ in pointer size.
 */
#ifndef MD_DWARF_H
#define MD_DWARF_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"

typedef struct md_dwarf md_dwarf;

/* A type is named by an opaque non-zero id (a DIE offset inside dwarf/). */
typedef uint64_t md_type_id;

/* ---- the executable ---------------------------------------------------- */

/* How compressed DWARF was had. */
typedef enum md_dwarf_cache {
	MD_DWARF_IN_PLACE = 0,   /* not compressed: read in place */
	MD_DWARF_CACHE_FOUND,    /* a decompressed copy found in the cache */
	MD_DWARF_CACHE_KEPT,     /* decompressed now and kept in the cache */
	MD_DWARF_CACHE_NONE      /* decompressed now, not kept (no cache
	                            directory) */
} md_dwarf_cache;

/* Where the DWARF was found (md_dwarf_open, md_dwarf_locate). */
typedef enum md_dwarf_from {
	MD_DWARF_FROM_NONE = 0,  /* nowhere */
	MD_DWARF_FROM_EXE,       /* the executable itself */
	MD_DWARF_FROM_DEBUG_FILE,/* the file named by --debug-file */
	MD_DWARF_FROM_DEBUGLINK, /* .gnu_debuglink, in the exe's directory,
	                            its .debug/ or debug_dir */
	MD_DWARF_FROM_BUILD_ID   /* debug_dir/.build-id/xx/yyy.debug */
} md_dwarf_from;

typedef struct md_exe_info {
	char go_version[64];   /* "go1.24.4", "go1.24.4 X:noswissmap" (the
	                          linker adds non-default experiments); ""
	                          if no Go build info */
	char go_experiment[128]; /* the GOEXPERIMENT build setting of the
	                          build info's module info ("noswissmap");
	                          "" if none.  Both strings printable ASCII,
	                          anything else read as '?' */
	int is_go;             /* build info or runtime symbols present */
	int pie;               /* ET_DYN: addresses need the load bias */
	uint64_t load_vaddr;   /* p_vaddr of the PT_LOAD with p_offset 0,
	                          rounded down to its p_align; the load bias is
	                          (start of that mapping) - load_vaddr */
	char build_id[129];    /* GNU build id, lowercase hex; "" if none */
	char debuglink[256];   /* .gnu_debuglink file name; "" if none */
	char dwarf_path[4096]; /* the file that supplied the DWARF */
	int dwarf_compressed;  /* its .debug_info is SHF_COMPRESSED/.zdebug */
	int dwarf_external;    /* DWARF came from a separate debug file */
	md_dwarf_from dwarf_from; /* which search step found it */
	md_dwarf_cache dwarf_cache;  /* how .debug_info was had */
	char dwarf_cache_path[4096]; /* the cache file, with FOUND and KEPT */
} md_exe_info;

typedef struct md_dwarf_opts {
	const char *exe_path;   /* path of the executable for messages and for
	                           the debuglink search (the readlink of
	                           /proc/PID/exe); may be NULL */
	int exe_fd;             /* open fd of the executable (/proc/PID/exe);
	                           borrowed, not closed */
	const char *debug_file; /* --debug-file: use this file's DWARF; NULL */
	const char *debug_dir;  /* root for .build-id/ and debuglink lookups;
	                           NULL means /usr/lib/debug */
} md_dwarf_opts;

/* Open the executable and locate its DWARF: the executable itself; else
 * opts->debug_file; else .gnu_debuglink in the exe's directory, its .debug/
 * subdirectory and debug_dir/<exe dir>/; else debug_dir/.build-id/xx/yyy.debug.
 * A debug file is used only if its build id (when both have one) or its
 * debuglink CRC matches.
 *   MD_E_NOTELF  not a readable 64-bit little-endian ELF file
 *   MD_E_NOTGO   no Go build info and no runtime symbols
 *   MD_E_NODWARF no .debug_info anywhere (built with -ldflags=-w)
 *   MD_E_DWARF   DWARF present but libdwarf cannot read it
 * On success *out is set; free it with md_dwarf_free. */
md_status md_dwarf_open(const md_dwarf_opts *opts, md_dwarf **out, md_err *err);
void md_dwarf_free(md_dwarf *d);

/* Where md_dwarf_open would find the DWARF, without starting libdwarf or
 * decompressing anything: the executable's ELF facts, then the same search
 * in the same order, each debug file verified the same way (same build id,
 * else the debuglink's CRC of the whole file).  The executable counts when
 * it has a non-empty .debug_info (md_dwarf_open also needs libdwarf to
 * accept it).  Fills *info: dwarf_from, dwarf_path, dwarf_compressed and
 * dwarf_external of the file found (dwarf_cache stays MD_DWARF_IN_PLACE).
 *   MD_OK         found
 *   MD_E_NODWARF  not found: *info is filled with dwarf_from NONE, err says
 *                 what was looked at
 *   MD_E_NOEXE, MD_E_NOTELF, MD_E_NOTGO  as md_dwarf_open (*info is
 *                 filled as far as it was read) */
md_status md_dwarf_locate(const md_dwarf_opts *opts, md_exe_info *info, md_err *err);

/* Parse Go's build info blob (debug/buildinfo: the 16-byte-aligned
 * "\xff Go buildinf:" header of 32 bytes, then, since Go 1.18, the version
 * and the module info as uvarint-length-prefixed strings) at p[0..n), every
 * byte untrusted.  Returns 1 if the magic is there (a Go binary), 0 if not.
 * Copies into version (nv bytes) and experiment (ne bytes) what the blob
 * holds of the Go version and of the "build\tGOEXPERIMENT=" line of the
 * module info, printable ASCII only ('?' for any other byte), truncated to
 * fit; "" for what it lacks (pre-1.18 blobs, which point elsewhere; a
 * length past n). */
int md_dwarf_parse_buildinfo(const unsigned char *p, size_t n, char *version, size_t nv,
                             char *experiment, size_t ne);
/* Finish what d does in the background (a cold start writes the
 * decompressed DWARF to the cache on a second thread): call before
 * stopping the target, so the stop has every CPU.  md_dwarf_free does it
 * too. */
void md_dwarf_settle(md_dwarf *d);
const md_exe_info *md_dwarf_exe(const md_dwarf *d);

/* ---- variables --------------------------------------------------------- */

/* Find the package-level variable whose full DWARF name (e.g. "main.cache",
 * "example.com/acme/store.Sessions") is the LONGEST prefix of expr that ends
 * at the end of expr, at a '.' or at a '['.  Sets *name_len to that prefix's
 * length, *addr to its link-time address (DW_OP_addr) and *type to its type.
 * Only compile units whose name is a prefix of expr are visited, so a lookup
 * does not walk all of .debug_info.
 *   MD_NOTFOUND  no such variable; err->detail lists up to three close
 *                names ("did you mean main.cache, main.caches?") or is empty.
 *                When no package matches and expr starts with a short
 *                package name (the part of a path after a '/'), the full
 *                names that end so come first, with the rest of expr:
 *                "store.Sessions[\"a\"]" gives "did you mean
 *                example.com/acme/store.Sessions[\"a\"]?"
 *   MD_E_DWARF   malformed DWARF */
md_status md_dwarf_find_var(md_dwarf *d, const char *expr, size_t *name_len,
                            uint64_t *addr, md_type_id *type, md_err *err);

/* Call fn for every package-level variable with an address whose full name
 * starts with prefix ("" or NULL: all), in compile-unit order: name, link-
 * time address, type.  Compiler temporaries (names with "..") are left
 * out.  Only the compile units whose package could hold such a name are
 * read.  fn returns non-zero to stop early.
 *   MD_E_DWARF   malformed DWARF */
typedef int (*md_var_fn)(void *arg, const char *name, uint64_t addr, md_type_id type);
md_status md_dwarf_each_var(md_dwarf *d, const char *prefix, md_var_fn fn, void *arg,
                            md_err *err);

/* ---- types ------------------------------------------------------------- */

typedef enum md_type_kind {
	MD_TK_OTHER = 0,
	MD_TK_BASE,      /* integers, floats, bool, uintptr, unsafe.Pointer */
	MD_TK_POINTER,   /* target = pointee (0 for unsafe.Pointer) */
	MD_TK_STRUCT,    /* members via md_dwarf_member */
	MD_TK_ARRAY,     /* target = element type, count = length */
	MD_TK_SLICE,     /* Go slice: target = element type; members array,
	                    len, cap via md_dwarf_member */
	MD_TK_STRING,
	MD_TK_MAP,       /* Go map: target = header struct (hash<K,V> or
	                    map<K,V>); size is 8 (a map value is a pointer) */
	MD_TK_TYPEDEF,   /* a named type that is not itself a map; target =
	                    the underlying type */
	MD_TK_INTERFACE,
	MD_TK_FUNC,
	MD_TK_CHAN
} md_type_kind;

typedef struct md_type {
	md_type_kind kind;
	char name[256];   /* the DWARF name, truncated if longer */
	uint64_t size;    /* byte size; 0 when DWARF has none */
	md_type_id target;
	uint64_t count;   /* MD_TK_ARRAY only */
} md_type;

/* Describe a type.  A typedef whose Go kind is map (named map types such as
 * `type Cache map[string]int` are typedefs of typedefs) resolves to
 * MD_TK_MAP with the name of the outermost typedef. */
md_status md_dwarf_type(md_dwarf *d, md_type_id id, md_type *out, md_err *err);

/* Look up a member of a struct (or slice/string header) by name.
 *   MD_NOTFOUND  no member of that name; err->detail lists the members
 *                ("members: a, b, c") for the user. */
md_status md_dwarf_member(md_dwarf *d, md_type_id struct_id, const char *name,
                          uint64_t *offset, md_type_id *type, md_err *err);

/* Call fn for each member of a struct, in order, with its name, offset and
 * type; fn returns non-zero to stop.  A sync/atomic.Pointer[T]'s member v
 * (an unsafe.Pointer) is given the type *T, taken from its `_ [0]*T`
 * member, here and in md_dwarf_member.
 *   MD_NOTFOUND  not a struct;  MD_E_DWARF  malformed DWARF */
typedef int (*md_member_fn)(void *arg, const char *name, uint64_t off, md_type_id type);
md_status md_dwarf_each_member(md_dwarf *d, md_type_id struct_id, md_member_fn fn,
                               void *arg, md_err *err);

/* ---- map layouts ------------------------------------------------------- */

typedef enum md_map_impl { MD_IMPL_HMAP = 1, MD_IMPL_SWISS = 2 } md_map_impl;

/* One member of a runtime struct: offset < 0 means the release lacks it. */
typedef struct md_field {
	int64_t off;
	uint32_t size;
} md_field;

typedef struct md_map_layout {
	md_map_impl impl;          /* told apart by DWARF members: buckets
	                              (classic) versus dirPtr (Swiss) */
	char type_name[256];       /* "map[string]int" or "main.Cache" */
	char header_type[256];     /* "hash<string,int>", "map<string,int>" */
	uint64_t header_size;

	/* classic runtime.hmap */
	md_field count, flags, B, noverflow, hash0, buckets, oldbuckets,
		nevacuate, extra;
	uint64_t bucket_size;      /* byte size of bucket<K,V> */

	/* Swiss internal/runtime/maps.Map */
	md_field used, seed, dirPtr, dirLen, globalDepth, globalShift, writing,
		tombstonePossible;
	uint64_t table_size;       /* byte size of table<K,V> */
	md_field t_used, t_capacity, t_growthLeft, t_localDepth, t_index,
		t_groups_data, t_groups_lengthMask;
	uint64_t group_size;       /* byte size of the group type
	                              (noalg.map.group[K]V) */

	/* both: clearSeq exists in Swiss maps and in 1.24/1.25 noswiss hmap */
	md_field clearSeq;
} md_map_layout;

/* Fill the layout of map type `map_type` (an MD_TK_MAP id) from DWARF.
 *   MD_E_LAYOUT  the header is neither hmap-like nor Map-like, or a member
 *                the decoder needs is missing or too small */
md_status md_dwarf_map_layout(md_dwarf *d, md_type_id map_type,
                              md_map_layout *out, md_err *err);

/* ---- code: functions, lines, parameters -------------------------------- */

/* Symbolization of stack PCs (who is writing to a map).  A pc is a
 * link-time address: the caller subtracts the load bias of a PIE.  For the
 * return address of a caller frame, pass ra - 1, so that a call that ends
 * its function is not attributed to the next function.  Indexes are built
 * on first use and kept until md_dwarf_free: the symbol table on the first
 * md_dwarf_func_at, the compile units' address ranges on the first lookup
 * that needs DWARF, and per compile unit its functions and line table
 * only when a pc falls inside it.  None of this may run between the stop
 * and the release if the caller cares about the pause: warm it before. */

typedef struct md_func {
	char name[256];   /* the symbol's name ("runtime.mapassign_faststr"),
	                     else DWARF's (which lacks the ".abi0" of assembly
	                     functions); truncated if longer (generic
	                     instantiations can be) */
	uint64_t lo, hi;  /* the function's code is [lo, hi) */
	uint64_t die;     /* opaque: the DW_TAG_subprogram DIE offset, 0 if
	                     only the symbol table knew it */
} md_func;

/* The function containing pc: from the ELF symbol table (every Go function
 * is there, with its size) when it has one, else from DWARF's
 * DW_TAG_subprogram entries; die is looked up in DWARF either way.
 *   MD_NOTFOUND  no function contains pc
 *   MD_E_DWARF   the DWARF lookup failed; *out still holds what the
 *                symbol table said (die 0) if it knew the function */
md_status md_dwarf_func_at(md_dwarf *d, uint64_t pc, md_func *out,
                           md_err *err);

/* As md_dwarf_func_at, from the symbol table alone when it knows pc: die
 * is then left 0 (md_dwarf_param_loc finds it when asked).  Naming every
 * frame of every thread this way reads no DWARF at all; on a binary of
 * hundreds of MB of DWARF, the compile units' address ranges that a DIE
 * lookup needs cost tens of ms. */
md_status md_dwarf_func_name_at(md_dwarf *d, uint64_t pc, md_func *out, md_err *err);

/* The source position of pc from the line program of the compile unit that
 * contains it: the row with the greatest address <= pc in the sequence
 * that contains pc.  file receives the path as DWARF spells it (absolute,
 * "$GOROOT/src/..." style, or package-relative with -trimpath), truncated
 * to n bytes; file may be NULL when n is 0, line may be NULL.
 *   MD_NOTFOUND  no compile unit or line sequence covers pc */
md_status md_dwarf_line_at(md_dwarf *d, uint64_t pc, char *file, size_t n,
                           int *line, md_err *err);

/* Inlined calls.  One physical frame whose pc is inside code the compiler
 * inlined is several frames for the reader, as gdb and delve print them:
 * the inlined function, innermost first, each with its own line, then the
 * function whose code it is (e.g. runtime.mPark at proc.go:1761, inlined
 * into runtime.stopm at proc.go:2782, the line of the call). */

/* Deeper chains are cut (md_inline.truncated). */
#define MD_INLINE_MAX 16

typedef struct md_inline_frame {
	char func[256];   /* the inlined function's DWARF name (that of its
	                     DW_AT_abstract_origin): "runtime.mPark"; "?" if
	                     it has none */
	char file[256];   /* its position: the line table's at pc for f[0]
	                     (when asked: want_line), else the call site of
	                     the call inlined into it (DW_AT_call_file,
	                     DW_AT_call_line); "" and 0 when DWARF lacks them */
	int line;
} md_inline_frame;

typedef struct md_inline {
	int n;            /* inlined calls holding pc, 0..MD_INLINE_MAX */
	int truncated;    /* more than MD_INLINE_MAX: f holds the innermost,
	                     file:line is still the outermost call's site */
	md_inline_frame f[MD_INLINE_MAX];
	char file[256];   /* the position in the containing (physical)
	                     function: the call site of the outermost inlined
	                     call; with n == 0, the line table's at pc when
	                     asked (want_line), else "" and 0 */
	int line;
} md_inline;

/* The chain of DW_TAG_inlined_subroutine entries whose code holds pc (a
 * link-time address; ra - 1 for a return address, as md_dwarf_line_at),
 * innermost first, in the DW_TAG_subprogram that holds pc.  The name of
 * the containing function itself is md_dwarf_func_name_at's.  Indexes
 * are those of md_dwarf_line_at (compile units' ranges, a CU's functions
 * and line table); each function's inlined calls are read on its first
 * lookup and kept until md_dwarf_free, so a lookup after the first reads
 * no DWARF but the line table row; without want_line not even that (call
 * sites need only the file table of the CU's line program, not its rows,
 * which are slow to decode in a big CU).  Not for the pause.
 *   MD_OK        *out filled, n == 0 when pc is in no inlined call
 *   MD_NOTFOUND  no DWARF function holds pc (n == 0)
 *   MD_E_DWARF   malformed DWARF (also on later lookups in the same
 *                function); MD_E_NOMEM */
md_status md_dwarf_inline_at(md_dwarf *d, uint64_t pc, int want_line, md_inline *out,
                             md_err *err);

/* Where a value lives at one pc.  The CFA (canonical frame address) is the
 * caller's stack pointer before the call, as in .debug_frame / .eh_frame. */
typedef enum md_loc_kind {
	MD_LOC_NONE = 0, /* not available at this pc */
	MD_LOC_REG,      /* in DWARF register reg (amd64: 0 rax, 1 rdx, 2 rcx,
	                    3 rbx, 4 rsi, 5 rdi, 6 rbp, 7 rsp, 8-15 r8-r15,
	                    16 rip) */
	MD_LOC_CFA,      /* in memory at CFA + off (DW_OP_call_frame_cfa,
	                    possibly plus a constant) */
	MD_LOC_FBREG,    /* in memory at frame base + off (DW_OP_fbreg); only
	                    reported when the function's frame base is
	                    DW_OP_call_frame_cfa, so the address is CFA + off */
	MD_LOC_ADDR      /* in memory at the link-time address addr */
} md_loc_kind;

typedef struct md_loc {
	md_loc_kind kind;
	int reg;       /* MD_LOC_REG */
	int64_t off;   /* MD_LOC_CFA, MD_LOC_FBREG */
	uint64_t addr; /* MD_LOC_ADDR */
} md_loc;

/* The location at pc of function f's parameter named param (f as filled by
 * md_dwarf_func_at or md_dwarf_func_name_at: a die of 0 is looked up).  Only the forms Go writes are understood: a register,
 * a stack slot relative to the CFA, a static address; of a composite
 * (DW_OP_piece) only a first piece of at least pointer size.  Anything
 * else, a pc outside [f->lo, f->hi) or outside every entry of the
 * parameter's location list, is MD_LOC_NONE with MD_OK: Go's lists leave
 * out stretches where the value is dead and the morestack tail.  In any
 * frame but the innermost, MD_LOC_REG is only as good as the unwinder's
 * value of that register (Go's ABI has no callee-saved registers).  Each
 * call reads the function's DIE and its children: microseconds, no cache.
 *   MD_NOTFOUND  f has no DWARF (f->die 0) or no parameter of that name */
md_status md_dwarf_param_loc(md_dwarf *d, const md_func *f, const char *param,
                             uint64_t pc, md_loc *out, md_err *err);

/* ---- locals of a frame (scan's stack roots) ---------------------------- */

/* One piece of a value: where its bytes [at, at+size) live at one pc. */
typedef struct md_piece {
	md_loc loc;      /* MD_LOC_NONE: this piece is not available */
	uint64_t size;   /* bytes (DW_OP_piece); 0 with npieces 1: the whole
	                    value */
} md_piece;

#define MD_LOCAL_MAX_PIECES 8

typedef struct md_local {
	char name[256];          /* as DWARF spells it ("m", "&x", "~r0") */
	md_type_id type;
	int is_param;            /* DW_TAG_formal_parameter */
	int npieces;             /* 0: not available at this pc (optimized out,
	                            dead here, or a form not understood) */
	md_piece pieces[MD_LOCAL_MAX_PIECES];
	int not_understood;      /* npieces 0 because a location expression
	                            used an operation mapdiag does not read */
} md_local;

/* Call fn for each parameter and local variable of function f (as filled
 * by md_dwarf_func_at / md_dwarf_func_name_at) that is in scope at pc:
 * the subprogram's own, and those of the lexical blocks whose ranges hold
 * pc; not those of inlined subroutines.  They come in DIE order, a
 * block's where the block is.  Each comes with where it lives at pc
 * (pieces as md_dwarf_param_loc reads them: register, CFA or frame-base
 * relative slot, static address): a simple location is one piece of size
 * 0, a DW_OP_piece composite one piece per DW_OP_piece (MD_LOC_NONE for
 * an empty one).  A variable without a DW_AT_location, whose location
 * list has no entry for pc, or whose function does not hold pc (its own
 * variables are still listed) comes with npieces 0.  So does, with
 * not_understood, a location with an operation or a form mapdiag does not
 * read, a composite of more than MD_LOCAL_MAX_PIECES pieces, of a piece
 * of 0 bytes or of more than 64 KiB.  A lexical block without address
 * attributes holds no pc.  fn runs after the walk, with nothing of
 * libdwarf's held, and may call into md_dwarf; it returns non-zero to
 * stop.
 *   MD_NOTFOUND  f has no DWARF (f->die 0 and none found)
 *   MD_E_DWARF   malformed DWARF */
typedef int (*md_local_fn)(void *arg, const md_local *l);
md_status md_dwarf_each_local(md_dwarf *d, const md_func *f, uint64_t pc,
                              md_local_fn fn, void *arg, md_err *err);

/* ---- run-time types ---------------------------------------------------- */

/* The link-time address of the module's type descriptors (the symbol
 * runtime.types): a run-time type descriptor at address A (in the
 * running process, bias added) is DWARF type off = A - (base + bias).
 *   MD_NOTFOUND  no such symbol */
md_status md_dwarf_types_base(md_dwarf *d, uint64_t *base, md_err *err);

/* The DWARF type whose DW_AT_go_runtime_type is off (see above), as
 * delve's runtimeTypeToDIE.  The index (offset -> type, and name -> type)
 * is built on the first call of this or md_dwarf_type_by_name, in one pass
 * over the top level of the compile units named "runtime" (where Go's
 * linker writes every type), and kept until md_dwarf_free.  Where several
 * DIEs share an offset, the first in .debug_info wins.  0 is no type's:
 * the linker writes it for types without a descriptor.  Go 1.21 and 1.22
 * write uintptr's as an address (runtime.types + off); it is found by
 * off all the same.
 *   MD_NOTFOUND  no type has that offset
 *   MD_E_DWARF   malformed DWARF (and every later call: the index is not
 *                built again) */
md_status md_dwarf_type_of_runtime(md_dwarf *d, uint64_t off, md_type_id *out,
                                   md_err *err);

/* The reverse of md_dwarf_type_of_runtime: the offset from runtime.types
 * of type's run-time type descriptor (DW_AT_go_runtime_type, through
 * typedefs; Go 1.21 and 1.22's address for uintptr turned into an offset).
 * Reads the DIE and the symbol table: no index.
 *   MD_NOTFOUND  the type has no descriptor (the attribute is absent or 0:
 *                types the linker synthesized for debuggers) */
md_status md_dwarf_runtime_off(md_dwarf *d, md_type_id type, uint64_t *off, md_err *err);

/* A type by its DWARF name ("map[string]int", "*main.T", "runtime.itab",
 * "internal/abi.ITab").  Same index; only type DIEs (not the functions
 * and variables of those CUs) have names in it.  Where several types
 * share a name, the first in .debug_info wins.
 *   MD_NOTFOUND  no type of that name
 *   MD_E_DWARF   malformed DWARF */
md_status md_dwarf_type_by_name(md_dwarf *d, const char *name, md_type_id *out,
                                md_err *err);

/* ---- thread-local storage ---------------------------------------------- */

/* Where the executable's thread-local symbol name (a STT_TLS symbol of its
 * .symtab, e.g. "runtime.tlsg") lives, as a signed offset from the thread
 * pointer (fs_base on amd64): on ELF's TLS variant II the executable's
 * block is the first one below the thread pointer, placed by its PT_TLS
 * segment's size and alignment.  Checked: the symbol and its 8 bytes lie
 * inside the segment, the alignment is a power of two up to a page.
 *   MD_NOTFOUND  no such TLS symbol, or no PT_TLS (an internally linked Go
 *                binary has neither: its g slot is fixed by the linker)
 *   MD_E_DWARF   a PT_TLS or symbol that contradicts itself */
md_status md_dwarf_tls_offset(md_dwarf *d, const char *name, int64_t *off, md_err *err);

#endif
