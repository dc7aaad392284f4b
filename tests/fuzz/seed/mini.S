/* mini.S - the smallest executable that looks like a Go binary to dwarf/:
 * a seed for fuzz_dwarf of a few KB (a real Go binary is 2-5 MB, so a
 * mutation of one mostly lands in .text and one execution takes
 * milliseconds; here every byte is something the loader parses).
 *
 * Built by tests/fuzz/mkseeds.sh (cc -c; ld -static), nothing else needed:
 *   - Go build info (.go.buildinfo, inline version "go1.23.5") and the
 *     symbols runtime.main / runtime.buildVersion (is_go both ways);
 *   - a GNU build id (ld --build-id);
 *   - DWARF 4 as Go's linker writes it (cmd/link/internal/ld/dwarf.go):
 *     CUs "main" and "runtime" with DW_LANG_Go, package variables with
 *     DW_OP_addr locations, map typedefs with DW_AT_go_kind 21 pointing at
 *     *hash<K,V> (classic) and *map<K,V> (Swiss, with table<K,V> and
 *     groupReference<K,V>), a named struct holding a map two levels down,
 *     a pointer, a slice (go_kind 23) and an array of maps, a string;
 *   - two functions with DW_TAG_subprogram, a parameter in a location list
 *     (.debug_loc) and one on the stack (DW_OP_call_frame_cfa), a line
 *     table (.loc) and .debug_frame CFI (.cfi_sections .debug_frame);
 *   - in main.main a local, a lexical block with a string in two pieces
 *     and a composite with an empty piece, and an inlined call with a
 *     parameter of its own (md_dwarf_each_local);
 *   - run-time types: runtime.types / runtime.etypes around two type
 *     descriptors in .rodata, and type DIEs in the runtime CU with
 *     DW_AT_go_runtime_type (one of them 0: no descriptor).
 * Names with dots are quoted symbols (GNU as >= 2.26).
 *
 * With -DDWARF5 (mini5: Go >= 1.25 writes DWARF 5) the units are version
 * 5, the CUs' code is in .debug_rnglists, function addresses are indexes
 * into .debug_addr (DW_FORM_addrx) and location lists are in
 * .debug_loclists, as Go writes them.
 */

#ifdef DWARF5
#define GOVERSION "go1.26.1"
#else
#define GOVERSION "go1.23.5"
#endif
#define GOVERSION_LEN 8

	.cfi_sections .debug_frame

/* ---- code ---------------------------------------------------------- */
	.text
	.file 1 "/src/main.go"
	.file 2 "/goroot/src/runtime/map.go"

	.globl _start
	.globl "main.main"
	.type "main.main", @function
_start:
"main.main":
	.cfi_startproc
	.loc 1 10
	subq $24, %rsp
	.cfi_def_cfa_offset 32
.Lblk_lo:
	.loc 1 11
	movq %rax, 8(%rsp)
	.loc 1 12
	call "runtime.mapassign"
.Lmain_mid:
	.loc 1 13
	addq $24, %rsp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
.Lmain_end:
	.size "main.main", .-"main.main"

	.globl "runtime.mapassign"
	.type "runtime.mapassign", @function
"runtime.mapassign":
	.cfi_startproc
	.loc 2 600
	pushq %rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq %rsp, %rbp
	.loc 2 601
	movq %rax, %rbx
.Lassign_mid:
	.loc 2 602
	popq %rbp
	.cfi_def_cfa_offset 8
	ret
	.cfi_endproc
.Lassign_end:
	.size "runtime.mapassign", .-"runtime.mapassign"

	.globl "runtime.main"
	.type "runtime.main", @function
"runtime.main":
	.cfi_startproc
	.loc 2 100
	ret
	.cfi_endproc
	.size "runtime.main", .-"runtime.main"
.Ltext_end:

/* ---- data: the variables ------------------------------------------- */
	.data
	.balign 8
	.globl "main.idle", "main.sw", "main.holder", "main.arr", "main.sl"
	.globl "main.pm", "runtime.buildVersion"
"main.idle":	.quad 0
"main.sw":	.quad 0
"main.holder":	.quad 0, 0, 0
"main.arr":	.quad 0, 0
"main.sl":	.quad 0, 0, 0
"main.pm":	.quad 0
"runtime.buildVersion":	.quad 0, 0

/* Type descriptors (internal/abi.Type: Size_, PtrBytes, Hash, TFlag,
 * Align_, FieldAlign_, Kind_) at offsets 0x20 (int) and 0x40
 * (*main.Holder) from runtime.types, as the runtime CU's DIEs say. */
	.section .rodata, "a"
	.balign 32
"runtime.types":
	.quad 0, 0, 0, 0
	.quad 8, 0; .long 0; .byte 0, 8, 8, 2; .quad 0
	.quad 8, 8; .long 0; .byte 0, 8, 8, 22; .quad 0
"runtime.etypes":

/* Go build info: magic, pointer size 8, flags 2 (inline strings), two
 * unused pointer slots, then the version as a uvarint-prefixed string. */
	.section .go.buildinfo, "aw"
	.balign 16
	.ascii "\377 Go buildinf:"
	.byte 8, 2
	.quad 0, 0
	.byte GOVERSION_LEN
	.ascii GOVERSION
	.byte 0
	.balign 16

/* ---- .debug_abbrev ------------------------------------------------- */
#define DW_FORM_addr 0x01
#define DW_FORM_data1 0x0b
#define DW_FORM_data4 0x06
#define DW_FORM_udata 0x0f
#define DW_FORM_string 0x08
#define DW_FORM_block1 0x0a
#define DW_FORM_flag 0x0c
#define DW_FORM_ref_addr 0x10
#define DW_FORM_sec_offset 0x17
#define DW_FORM_addrx 0x1b

	.section .debug_abbrev, "", @progbits
.Labbrev:
	/* 1: compile unit */
	.uleb128 1; .uleb128 0x11; .byte 1
	.uleb128 0x03; .uleb128 DW_FORM_string      /* name */
	.uleb128 0x13; .uleb128 DW_FORM_data1       /* language */
	.uleb128 0x10; .uleb128 DW_FORM_sec_offset  /* stmt_list */
	.uleb128 0x11; .uleb128 DW_FORM_addr        /* low_pc */
#ifdef DWARF5
	.uleb128 0x55; .uleb128 DW_FORM_sec_offset  /* ranges */
#else
	.uleb128 0x12; .uleb128 DW_FORM_addr        /* high_pc */
#endif
	.uleb128 0x1b; .uleb128 DW_FORM_string      /* comp_dir */
	.uleb128 0x25; .uleb128 DW_FORM_string      /* producer */
	.uleb128 0x2905; .uleb128 DW_FORM_string    /* go package name */
#ifdef DWARF5
	.uleb128 0x73; .uleb128 DW_FORM_sec_offset  /* addr_base */
#endif
	.byte 0, 0
	/* 2: variable */
	.uleb128 2; .uleb128 0x34; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x02; .uleb128 DW_FORM_block1      /* location */
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr    /* type */
	.uleb128 0x3f; .uleb128 DW_FORM_flag        /* external */
	.byte 0, 0
	/* 3: map typedef (go_kind, go_key, go_elem) */
	.uleb128 3; .uleb128 0x16; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.uleb128 0x2901; .uleb128 DW_FORM_ref_addr
	.uleb128 0x2902; .uleb128 DW_FORM_ref_addr
	.byte 0, 0
	/* 4: pointer type */
	.uleb128 4; .uleb128 0x0f; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.byte 0, 0
	/* 5: structure type */
	.uleb128 5; .uleb128 0x13; .byte 1
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x0b; .uleb128 DW_FORM_udata       /* byte_size */
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.byte 0, 0
	/* 6: member */
	.uleb128 6; .uleb128 0x0d; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x38; .uleb128 DW_FORM_udata       /* data_member_location */
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.byte 0, 0
	/* 7: base type */
	.uleb128 7; .uleb128 0x24; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x3e; .uleb128 DW_FORM_data1       /* encoding */
	.uleb128 0x0b; .uleb128 DW_FORM_data1
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.byte 0, 0
	/* 8: plain typedef */
	.uleb128 8; .uleb128 0x16; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.byte 0, 0
	/* 9: subprogram */
	.uleb128 9; .uleb128 0x2e; .byte 1
	.uleb128 0x03; .uleb128 DW_FORM_string
#ifdef DWARF5
	.uleb128 0x11; .uleb128 DW_FORM_addrx       /* low_pc: .debug_addr index */
	.uleb128 0x12; .uleb128 DW_FORM_data4       /* high_pc: length */
#else
	.uleb128 0x11; .uleb128 DW_FORM_addr
	.uleb128 0x12; .uleb128 DW_FORM_addr
#endif
	.uleb128 0x40; .uleb128 DW_FORM_block1      /* frame_base */
	.uleb128 0x3a; .uleb128 DW_FORM_data4       /* decl_file */
	.uleb128 0x3f; .uleb128 DW_FORM_flag
	.byte 0, 0
	/* 10: parameter, location list */
	.uleb128 10; .uleb128 0x05; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x4b; .uleb128 DW_FORM_flag        /* variable_parameter */
	.uleb128 0x02; .uleb128 DW_FORM_sec_offset
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.byte 0, 0
	/* 11: parameter, one expression */
	.uleb128 11; .uleb128 0x05; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x4b; .uleb128 DW_FORM_flag
	.uleb128 0x02; .uleb128 DW_FORM_block1
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.byte 0, 0
	/* 12: array type (children: subrange) */
	.uleb128 12; .uleb128 0x01; .byte 1
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.uleb128 0x0b; .uleb128 DW_FORM_udata
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.byte 0, 0
	/* 13: subrange */
	.uleb128 13; .uleb128 0x21; .byte 0
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.uleb128 0x37; .uleb128 DW_FORM_udata       /* count */
	.byte 0, 0
	/* 14: slice structure (go_elem) */
	.uleb128 14; .uleb128 0x13; .byte 1
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x0b; .uleb128 DW_FORM_udata
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.uleb128 0x2902; .uleb128 DW_FORM_ref_addr
	.byte 0, 0
	/* 15: unsafe.Pointer (no type) */
	.uleb128 15; .uleb128 0x0f; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.byte 0, 0
	/* 16: base type with a run-time type */
	.uleb128 16; .uleb128 0x24; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x3e; .uleb128 DW_FORM_data1
	.uleb128 0x0b; .uleb128 DW_FORM_data1
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.uleb128 0x2904; .uleb128 DW_FORM_addr      /* go_runtime_type */
	.byte 0, 0
	/* 17: pointer type with a run-time type */
	.uleb128 17; .uleb128 0x0f; .byte 0
	.uleb128 0x03; .uleb128 DW_FORM_string
	.uleb128 0x49; .uleb128 DW_FORM_ref_addr
	.uleb128 0x2900; .uleb128 DW_FORM_data1
	.uleb128 0x2904; .uleb128 DW_FORM_addr
	.byte 0, 0
	/* 18: lexical block */
	.uleb128 18; .uleb128 0x0b; .byte 1
#ifdef DWARF5
	.uleb128 0x55; .uleb128 DW_FORM_sec_offset  /* ranges */
#else
	.uleb128 0x11; .uleb128 DW_FORM_addr
	.uleb128 0x12; .uleb128 DW_FORM_data4       /* high_pc: length */
#endif
	.byte 0, 0
	/* 19: inlined subroutine */
	.uleb128 19; .uleb128 0x1d; .byte 1
	.uleb128 0x11; .uleb128 DW_FORM_addr
	.uleb128 0x12; .uleb128 DW_FORM_data4
	.byte 0, 0
	.byte 0

/* ---- .debug_info --------------------------------------------------- */
/* References are DW_FORM_ref_addr: offsets from the start of the
 * section, as Go writes them. */
#define REF(l) .long l - .Linfo
#define ADDR(sym) .byte 9, 3; .quad sym   /* block1: DW_OP_addr sym */

	.section .debug_info, "", @progbits
.Linfo:
	.long .Lcu1_end - .Lcu1_start
.Lcu1_start:
#ifdef DWARF5
	.short 5
	.byte 1, 8                 /* DW_UT_compile, address size */
	.long .Labbrev
#else
	.short 4
	.long .Labbrev
	.byte 8
#endif
	.uleb128 1
	.asciz "main"
	.byte 22
	.long 0
	.quad "main.main"
#ifdef DWARF5
	.long .Lrng_cu1
#else
	.quad .Ltext_end
#endif
	.asciz "."
	.asciz "Go cmd/compile " GOVERSION "; regabi"
	.asciz "main"
#ifdef DWARF5
	.long .Laddr_base - .Laddr
#endif

	/* variables */
	.uleb128 2; .asciz "main.idle"; ADDR("main.idle"); REF(.Tmap_classic); .byte 1
	.uleb128 2; .asciz "main.sw"; ADDR("main.sw"); REF(.Tmap_swiss); .byte 1
	.uleb128 2; .asciz "main.holder"; ADDR("main.holder"); REF(.Tholder_td); .byte 1
	.uleb128 2; .asciz "main.arr"; ADDR("main.arr"); REF(.Tarr); .byte 1
	.uleb128 2; .asciz "main.sl"; ADDR("main.sl"); REF(.Tslice); .byte 1
	.uleb128 2; .asciz "main.pm"; ADDR("main.pm"); REF(.Tpmap); .byte 1
	.uleb128 2; .asciz "main..stmp_0"; ADDR("main.pm"); REF(.Tint); .byte 0

	/* func main.main(m map[int64]int64) */
#ifdef DWARF5
	.uleb128 9; .asciz "main.main"; .uleb128 0; .long .Lmain_end - "main.main"
#else
	.uleb128 9; .asciz "main.main"; .quad "main.main"; .quad .Lmain_end
#endif
	.byte 1, 0x9c; .long 1; .byte 1
	.uleb128 10; .asciz "m"; .byte 0; .long .Lloc_m; REF(.Tmap_classic)
	.uleb128 11; .asciz "n"; .byte 0; .byte 2, 0x91, 8; REF(.Tint)
	/* locals: k at CFA+0; in a block, s (a string: rax, then fbreg 16)
	 * and e (its first piece empty); x of an inlined call */
	.uleb128 2; .asciz "k"; .byte 1, 0x9c; REF(.Tint); .byte 0
#ifdef DWARF5
	.uleb128 18; .long .Lrng_blk
#else
	.uleb128 18; .quad .Lblk_lo; .long .Lmain_mid - .Lblk_lo
#endif
	.uleb128 2; .asciz "s"; .byte 7, 0x50, 0x93, 8, 0x91, 0x10, 0x93, 8; REF(.Tstring); .byte 0
	.uleb128 2; .asciz "e"; .byte 5, 0x93, 8, 0x50, 0x93, 8; REF(.Tstring); .byte 0
	.byte 0
	.uleb128 19; .quad .Lmain_mid; .long .Lmain_end - .Lmain_mid
	.uleb128 11; .asciz "x"; .byte 0; .byte 1, 0x51; REF(.Tint)
	.byte 0
	.byte 0

	/* ---- types ---- */
.Tint:	.uleb128 7; .asciz "int"; .byte 5, 8, 2
.Tint64:	.uleb128 7; .asciz "int64"; .byte 5, 8, 6
.Tuint8:	.uleb128 7; .asciz "uint8"; .byte 8, 1, 8
.Tuint16:	.uleb128 7; .asciz "uint16"; .byte 7, 2, 9
.Tuint32:	.uleb128 7; .asciz "uint32"; .byte 7, 4, 10
.Tuint64:	.uleb128 7; .asciz "uint64"; .byte 7, 8, 11
.Tuintptr:	.uleb128 7; .asciz "uintptr"; .byte 7, 8, 12
.Tbool:	.uleb128 7; .asciz "bool"; .byte 2, 1, 1
.Tunsafe:	.uleb128 15; .asciz "unsafe.Pointer"

	/* classic: map[int64]int64 -> *hash<int64,int64> */
.Tmap_classic:
	.uleb128 3; .asciz "map[int64]int64"; REF(.Tphash); .byte 21; REF(.Tint64); REF(.Tint64)
.Tphash:	.uleb128 4; .asciz "*hash<int64,int64>"; REF(.Thash); .byte 22
.Thash:	.uleb128 5; .asciz "hash<int64,int64>"; .uleb128 48; .byte 25
	.uleb128 6; .asciz "count"; .uleb128 0; REF(.Tint)
	.uleb128 6; .asciz "flags"; .uleb128 8; REF(.Tuint8)
	.uleb128 6; .asciz "B"; .uleb128 9; REF(.Tuint8)
	.uleb128 6; .asciz "noverflow"; .uleb128 10; REF(.Tuint16)
	.uleb128 6; .asciz "hash0"; .uleb128 12; REF(.Tuint32)
	.uleb128 6; .asciz "buckets"; .uleb128 16; REF(.Tpbucket)
	.uleb128 6; .asciz "oldbuckets"; .uleb128 24; REF(.Tpbucket)
	.uleb128 6; .asciz "nevacuate"; .uleb128 32; REF(.Tuintptr)
	.uleb128 6; .asciz "extra"; .uleb128 40; REF(.Tunsafe)
	.byte 0
.Tpbucket:	.uleb128 4; .asciz "*bucket<int64,int64>"; REF(.Tbucket); .byte 22
.Tbucket:	.uleb128 5; .asciz "bucket<int64,int64>"; .uleb128 144; .byte 25
	.uleb128 6; .asciz "tophash"; .uleb128 0; REF(.Ttophash)
	.uleb128 6; .asciz "overflow"; .uleb128 136; REF(.Tunsafe)
	.byte 0
.Ttophash:	.uleb128 12; .asciz "[8]uint8"; REF(.Tuint8); .uleb128 8; .byte 17
	.uleb128 13; REF(.Tint); .uleb128 8
	.byte 0

	/* Swiss: main.Cache (map[int64]int64) -> *map<int64,int64> */
.Tmap_swiss:
	.uleb128 3; .asciz "main.Cache"; REF(.Tpsmap); .byte 21; REF(.Tint64); REF(.Tint64)
.Tpsmap:	.uleb128 4; .asciz "*map<int64,int64>"; REF(.Tsmap); .byte 22
.Tsmap:	.uleb128 5; .asciz "map<int64,int64>"; .uleb128 48; .byte 25
	.uleb128 6; .asciz "used"; .uleb128 0; REF(.Tuint64)
	.uleb128 6; .asciz "seed"; .uleb128 8; REF(.Tuintptr)
	.uleb128 6; .asciz "dirPtr"; .uleb128 16; REF(.Tpptable)
	.uleb128 6; .asciz "dirLen"; .uleb128 24; REF(.Tint)
	.uleb128 6; .asciz "globalDepth"; .uleb128 32; REF(.Tuint8)
	.uleb128 6; .asciz "globalShift"; .uleb128 33; REF(.Tuint8)
	.uleb128 6; .asciz "writing"; .uleb128 34; REF(.Tuint8)
	.uleb128 6; .asciz "tombstonePossible"; .uleb128 35; REF(.Tbool)
	.uleb128 6; .asciz "clearSeq"; .uleb128 40; REF(.Tuint64)
	.byte 0
.Tpptable:	.uleb128 4; .asciz "**table<int64,int64>"; REF(.Tptable); .byte 22
.Tptable:	.uleb128 4; .asciz "*table<int64,int64>"; REF(.Ttable); .byte 22
.Ttable:	.uleb128 5; .asciz "table<int64,int64>"; .uleb128 32; .byte 25
	.uleb128 6; .asciz "used"; .uleb128 0; REF(.Tuint16)
	.uleb128 6; .asciz "capacity"; .uleb128 2; REF(.Tuint16)
	.uleb128 6; .asciz "growthLeft"; .uleb128 4; REF(.Tuint16)
	.uleb128 6; .asciz "localDepth"; .uleb128 6; REF(.Tuint8)
	.uleb128 6; .asciz "index"; .uleb128 8; REF(.Tint)
	.uleb128 6; .asciz "groups"; .uleb128 16; REF(.Tgref)
	.byte 0
.Tgref:	.uleb128 5; .asciz "groupReference<int64,int64>"; .uleb128 16; .byte 25
	.uleb128 6; .asciz "data"; .uleb128 0; REF(.Tpgroup)
	.uleb128 6; .asciz "lengthMask"; .uleb128 8; REF(.Tuint64)
	.byte 0
.Tpgroup:	.uleb128 4; .asciz "*noalg.map.group[int64]int64"; REF(.Tgroup); .byte 22
.Tgroup:	.uleb128 5; .asciz "noalg.map.group[int64]int64"; .uleb128 136; .byte 25
	.uleb128 6; .asciz "ctrl"; .uleb128 0; REF(.Tuint64)
	.byte 0

	/* main.Holder { inner main.Inner; p *main.Inner } ; main.Inner { m map } */
.Tholder_td:	.uleb128 8; .asciz "main.Holder"; REF(.Tholder)
.Tholder:	.uleb128 5; .asciz "main.Holder"; .uleb128 24; .byte 25
	.uleb128 6; .asciz "inner"; .uleb128 0; REF(.Tinner_td)
	.uleb128 6; .asciz "p"; .uleb128 16; REF(.Tpinner)
	.byte 0
.Tinner_td:	.uleb128 8; .asciz "main.Inner"; REF(.Tinner)
.Tinner:	.uleb128 5; .asciz "main.Inner"; .uleb128 16; .byte 25
	.uleb128 6; .asciz "m"; .uleb128 0; REF(.Tmap_classic)
	.uleb128 6; .asciz "s"; .uleb128 8; REF(.Tmap_swiss)
	.byte 0
.Tpinner:	.uleb128 4; .asciz "*main.Inner"; REF(.Tinner_td); .byte 22

	/* [2]map[int64]int64 */
.Tarr:	.uleb128 12; .asciz "[2]map[int64]int64"; REF(.Tmap_classic); .uleb128 16; .byte 17
	.uleb128 13; REF(.Tint); .uleb128 2
	.byte 0
	/* []main.Cache */
.Tslice:	.uleb128 14; .asciz "[]main.Cache"; .uleb128 24; .byte 23; REF(.Tmap_swiss)
	.uleb128 6; .asciz "array"; .uleb128 0; REF(.Tpcache)
	.uleb128 6; .asciz "len"; .uleb128 8; REF(.Tint)
	.uleb128 6; .asciz "cap"; .uleb128 16; REF(.Tint)
	.byte 0
.Tpcache:	.uleb128 4; .asciz "*main.Cache"; REF(.Tmap_swiss); .byte 22
	/* *map[int64]int64 */
.Tpmap:	.uleb128 4; .asciz "*map[int64]int64"; REF(.Tmap_classic); .byte 22
	/* string */
.Tstring:	.uleb128 5; .asciz "string"; .uleb128 16; .byte 24
	.uleb128 6; .asciz "str"; .uleb128 0; REF(.Tpuint8)
	.uleb128 6; .asciz "len"; .uleb128 8; REF(.Tint)
	.byte 0
.Tpuint8:	.uleb128 4; .asciz "*uint8"; REF(.Tuint8); .byte 22
	.byte 0
.Lcu1_end:

	/* CU 2: runtime */
	.long .Lcu2_end - .Lcu2_start
.Lcu2_start:
#ifdef DWARF5
	.short 5
	.byte 1, 8
	.long .Labbrev
#else
	.short 4
	.long .Labbrev
	.byte 8
#endif
	.uleb128 1
	.asciz "runtime"
	.byte 22
	.long 0
	.quad "runtime.mapassign"
#ifdef DWARF5
	.long .Lrng_cu2
#else
	.quad .Ltext_end
#endif
	.asciz "."
	.asciz "Go cmd/compile " GOVERSION "; regabi"
	.asciz "runtime"
#ifdef DWARF5
	.long .Laddr_base - .Laddr
#endif
	.uleb128 2; .asciz "runtime.buildVersion"; ADDR("runtime.buildVersion"); REF(.Tstring); .byte 1
	/* func runtime.mapassign(h *hash<int64,int64>) */
#ifdef DWARF5
	.uleb128 9; .asciz "runtime.mapassign"; .uleb128 1
	.long .Lassign_end - "runtime.mapassign"
#else
	.uleb128 9; .asciz "runtime.mapassign"; .quad "runtime.mapassign"; .quad .Lassign_end
#endif
	.byte 1, 0x9c; .long 2; .byte 1
	.uleb128 10; .asciz "h"; .byte 0; .long .Lloc_h; REF(.Tphash)
	.byte 0
	/* types, as Go's linker puts them: at the top of a runtime CU */
	.uleb128 16; .asciz "int"; .byte 5, 8, 2; .quad 0x20
	.uleb128 17; .asciz "*main.Holder"; REF(.Tholder_td); .byte 22; .quad 0x40
	.uleb128 16; .asciz "uintptr"; .byte 7, 8, 12; .quad 0
	.byte 0
.Lcu2_end:

#ifdef DWARF5
/* ---- .debug_addr, .debug_rnglists, .debug_loclists (DWARF 5) ---------- */
	.section .debug_addr, "", @progbits
.Laddr:
	.long .Laddr_end - .Laddr_start
.Laddr_start:
	.short 5
	.byte 8, 0
.Laddr_base:
	.quad "main.main", "runtime.mapassign", "runtime.main"
.Laddr_end:

	.section .debug_rnglists, "", @progbits
	.long .Lrng_end - .Lrng_start
.Lrng_start:
	.short 5
	.byte 8, 0
	.long 0
.Lrng_cu1:                               /* base_addressx 0; offset_pair */
	.byte 1; .uleb128 0
	.byte 4; .uleb128 0; .uleb128 .Lmain_end - "main.main"
	.byte 0
.Lrng_cu2:                               /* start_end */
	.byte 6; .quad "runtime.mapassign", .Ltext_end
	.byte 0
.Lrng_blk:                               /* main.main's block */
	.byte 1; .uleb128 0
	.byte 4; .uleb128 .Lblk_lo - "main.main"; .uleb128 .Lmain_mid - "main.main"
	.byte 0
.Lrng_end:

	.section .debug_loclists, "", @progbits
	.long .Lll_end - .Lll_start
.Lll_start:
	.short 5
	.byte 8, 0
	.long 0
.Lloc_m:
	.byte 1; .uleb128 0                  /* base_addressx 0 */
	.byte 4; .uleb128 0; .uleb128 .Lmain_mid - "main.main"
	.uleb128 1; .byte 0x50               /* DW_OP_reg0 */
	.byte 4; .uleb128 .Lmain_mid - "main.main"; .uleb128 .Lmain_end - "main.main"
	.uleb128 3; .byte 0x9c, 0x23, 8      /* call_frame_cfa; plus_uconst 8 */
	.byte 0
.Lloc_h:
	.byte 1; .uleb128 1
	.byte 4; .uleb128 0; .uleb128 .Lassign_mid - "runtime.mapassign"
	.uleb128 1; .byte 0x50
	.byte 4; .uleb128 .Lassign_mid - "runtime.mapassign"
	.uleb128 .Lassign_end - "runtime.mapassign"
	.uleb128 2; .byte 0x91, 0x08         /* DW_OP_fbreg 8 */
	.byte 0
.Lll_end:
#else
/* ---- .debug_loc (DWARF 4 location lists) ---------------------------- */
/* Entries are offsets from the CU's low_pc, or from the address of a base
 * address selection entry (-1, address) as Go writes them. */
	.section .debug_loc, "", @progbits
.Lloc_m:
	.quad 0, .Lmain_mid - "main.main"
	.short 1; .byte 0x50                 /* DW_OP_reg0 (rax) */
	.quad .Lmain_mid - "main.main", .Lmain_end - "main.main"
	.short 3; .byte 0x9c, 0x23, 8        /* DW_OP_call_frame_cfa; plus_uconst 8 */
	.quad 0, 0
.Lloc_h:
	.quad -1, "runtime.mapassign"
	.quad 0, .Lassign_mid - "runtime.mapassign"
	.short 1; .byte 0x50
	.quad .Lassign_mid - "runtime.mapassign", .Lassign_end - "runtime.mapassign"
	.short 2; .byte 0x91, 0x08           /* DW_OP_fbreg 8 */
	.quad 0, 0
#endif
