/* md_core_priv.h - what md_core.c shares with the readers of its notes
 * (md_core_dlv.c: delve's own notes).  Not part of md_core's contract. */
#ifndef MD_CORE_PRIV_H
#define MD_CORE_PRIV_H

#include "md_core.h"

/* Note types of delve's elfwriter (pkg/elfwriter/delvecore.go): "DLVE" and
 * "DLVT" in the note type word. */
#define MD_NT_DELVE_HEADER 0x444C5645u
#define MD_NT_DELVE_THREAD 0x444C5654u

/* *out: a new zeroed thread at the end of c->threads.  MD_E_CORE when
 * the count is at its bound, MD_E_NOMEM. */
md_status md_core_new_thread(md_core *c, md_core_thread **out, md_err *err);

/* Delve's header note: "goos/goarch\nVersion: ...\nBuild: ...\nTarget
 * Pid: N\nEntry Point: 0x...\n".  Sets c->delve and whatever lines it
 * understands; nonsense lines are ignored. */
void md_core_take_delve_header(md_core *c, const unsigned char *d, size_t n);

/* One DLVT thread note into a new thread. MD_E_CORE when it is cut
 * short; registers with names not of user_regs_struct are skipped. */
md_status md_core_take_delve_thread(md_core *c, const unsigned char *d, size_t n,
                                    md_err *err);

#endif
