/* md_dwarf_priv.h - private to dwarf/: the md_dwarf object and the small
 * libdwarf helpers that md_dwarf.c, md_dwvar.c, md_dwtype.c and
 * md_maplayout.c share.  Nothing here is visible outside dwarf/.
 */
#ifndef MD_DWARF_PRIV_H
#define MD_DWARF_PRIV_H

#include <libdwarf.h>
#include <dwarf.h>

#include "md_dwarf.h"

/* Go-specific DWARF attributes (cmd/internal/dwarf). */
#define MD_DW_AT_go_kind 0x2900     /* reflect.Kind of the type */
#define MD_DW_AT_go_key 0x2901      /* map key type */
#define MD_DW_AT_go_elem 0x2902     /* map/slice/chan element type */

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
} md_dw_var;

/* One Go compile unit; its variables are read on first need. */
typedef struct md_dw_cu {
	Dwarf_Off die_off;   /* global offset of the DW_TAG_compile_unit DIE */
	char *name;          /* package path, e.g. "example.com/acme/store" */
	size_t name_len;
	int loaded;
	md_dw_var *vars;
	size_t nvars;
} md_dw_cu;

struct md_dwarf {
	md_exe_info info;
	Dwarf_Debug dbg;
	int own_fd;          /* the fd libdwarf reads (ours, not the caller's) */
	unsigned ptr_size;   /* 8: only 64-bit ELF is accepted */

	/* CU index, built on the first variable lookup. */
	int cus_state;       /* 0 not built, 1 built, -1 failed */
	md_dw_cu *cus;
	size_t ncus;
};

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

#endif
