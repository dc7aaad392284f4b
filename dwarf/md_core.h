/* md_core.h - a core file as a model: what the process was when the core
 * was written.
 *
 * An ELF ET_CORE file (written by the kernel, by gdb's gcore, by dlv dump)
 * holds the process's memory as PT_LOAD segments and its state as notes:
 * NT_PRSTATUS (one per thread: tid, signal, general registers including
 * fs_base), NT_PRPSINFO (pid, command name and arguments), NT_AUXV (entry
 * point and program headers: the load bias of a PIE), NT_FILE (the files
 * mapped, with their ranges and offsets). A segment may hold fewer bytes
 * than it spans (p_filesz < p_memsz): the kernel leaves out what it can
 * read again from a file (coredump_filter), and a truncated core ends
 * before its last segments do. This module says which bytes are present
 * and where; reading what is absent from the mapped files is the memory
 * source's job (src/target/mem_core.c).
 *
 * The file is mapped read-only, never read whole. Everything in it is
 * hostile: every offset and size is checked against the file, counts are
 * bounded, strings are bounded and NUL-terminated here. Only ELF64
 * little-endian x86-64 cores are read; compressed ones (gzip, zstd, xz,
 * bzip2, lz4) are recognised and refused by name.
 */
#ifndef MD_CORE_H
#define MD_CORE_H

#include <stdint.h>
#include <stddef.h>
#include "md_status.h"

#define MD_CORE_MAX_SEGS    (1u << 20)
#define MD_CORE_MAX_THREADS (1u << 16)
#define MD_CORE_MAX_FILES   (1u << 20)

/* user_regs_struct of x86-64, in its order (sys/user.h): r15 r14 r13 r12
 * rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss
 * fs_base gs_base ds es fs gs. */
#define MD_CORE_NGREG 27

typedef struct md_core_seg {
	uint64_t vaddr, memsz;
	uint64_t present;           /* bytes of it in the core, from vaddr on
	                               (p_filesz, cut at the file's end) */
	const unsigned char *bytes; /* the present bytes, in the mapping */
	unsigned flags;             /* PF_R | PF_W | PF_X */
	int cut;                    /* the file ends before p_filesz does */
} md_core_seg;

typedef struct md_core_file {
	uint64_t start, end;        /* [start, end) of the process */
	uint64_t offset;            /* file offset of start, in bytes */
	const char *path;           /* as the note spells it (may be gone,
	                               or "(deleted)") */
} md_core_file;

typedef struct md_core_thread {
	int32_t tid;
	int signo;                  /* pr_cursig: the signal being delivered */
	uint64_t gregs[MD_CORE_NGREG];
} md_core_thread;

typedef struct md_core {
	const unsigned char *map;   /* the whole file, mapped */
	size_t size;
	md_core_seg *segs;          /* sorted by vaddr, none overlapping */
	size_t nsegs;
	md_core_file *files;        /* as listed; may overlap segments freely */
	size_t nfiles;
	uint64_t page_size;         /* NT_FILE's unit, 4096 if absent */
	md_core_thread *threads;    /* in note order: the first is the thread
	                               the kernel took the signal on */
	size_t nthreads;
	int32_t pid;                /* 0 if there is no NT_PRPSINFO */
	char fname[17];             /* pr_fname */
	char psargs[81];            /* pr_psargs */
	uint64_t at_entry, at_phdr; /* 0 if there is no NT_AUXV */
	int cut;                    /* some segment ends past the file */
	int has_file_note;
	char *strings;              /* owned copies of NT_FILE's paths */
	int delve;                  /* written by dlv dump: a "Delve Header" note */
	char delve_version[32];     /* its "Version: 1.20.2" line's value */
	int delve_foreign;          /* its first line is not "linux/amd64" */
	uint64_t delve_entry;       /* its "Entry Point:", 0 if none */
	char *exe_copy;             /* owned path of md_core_place_exe's files */
} md_core;

/* Open and index path.  Delve's dumps are read as well: their notes of
 * the kernel's types carry no owner name, and the threads of a dump
 * delve took from something other than a live Linux process (a core, rr)
 * are in delve's own note (DLVT: tid, pc, sp, bp, tls and named
 * registers), read into the same md_core_thread. MD_E_CORE when it cannot be opened or is not a
 * core we read (with what it is instead: "gzip-
 * compressed", "an executable, not a core", "ELF for another machine",
 * "truncated before its notes"); MD_E_NOMEM. *c is zeroed first. */
md_status md_core_open(const char *path, md_core *c, md_err *err);

/* The segment holding addr, or NULL. */
const md_core_seg *md_core_seg_at(const md_core *c, uint64_t addr);

/* The NT_FILE mapping holding addr, or NULL. */
const md_core_file *md_core_file_at(const md_core *c, uint64_t addr);

/* The path NT_FILE gives the executable: the file mapped where the
 * auxiliary vector puts the program headers (AT_PHDR), else the entry
 * point; NULL if none. */
const char *md_core_exe_path(const md_core *c);

/* The file the core's process mapped at path (an NT_FILE path), opened
 * read-only for what the core left out of it: a descriptor to close, or
 * -1 when it is gone, "(deleted)", not a regular file (the note is
 * hostile: a FIFO must not block, a device must not be read), or another
 * build than the one mapped, as far as the core can tell (the build id
 * of the core's copy of its first page, the bytes themselves when that
 * page has none; nothing to compare when the core left it out).  For
 * the executable's path (md_core_exe_path), exe is opened instead where
 * not NULL (the file given with --exe), checked the same way. */
int md_core_open_mapped(const md_core *c, const char *path, const char *exe);

/* The build id of an ELF file from its first bytes (header, program
 * headers and the notes they point to, all within n): the GNU one
 * (NT_GNU_BUILD_ID) in lowercase hex, else Go's (.note.go.buildid) as
 * "go:<its printable text>", cut to hexn.  MD_NOTFOUND if the bytes hold
 * neither.  For messages: which build a file is. */
md_status md_core_page_build_id(const unsigned char *page, size_t n, char *hex, size_t hexn);

/* Release (safe on a zeroed md_core, and twice). */
/* A core that names no files (dlv dump writes no NT_FILE note) does not
 * say where its executable was loaded nor where to read what it left of
 * it.  Place the executable open on fd (path for messages and for the
 * memory source to open again): *bias is where the core's entry point
 * (AT_ENTRY, else delve's header) puts it (0 for ET_EXEC), and its
 * PT_LOAD segments join c->files as mappings at vaddr + *bias.
 * *entry_agrees: the core recorded an entry point and it is the file's
 * (always, for a PIE: the entry point is what placed it); a fixed
 * executable whose entry point differs from the core's is another build.
 *   MD_E_CORE   fd is not an x86-64 executable, or a PIE whose core
 *               records no entry point, or one that puts it nowhere sane
 *   MD_E_NOMEM */
md_status md_core_place_exe(md_core *c, int fd, const char *path, uint64_t *bias,
                            int *entry_agrees, md_err *err);

void md_core_close(md_core *c);

#endif
