/* gofacts_write.h - the runtime functions that write maps, per Go release.
 *
 * "Who is writing" unwinds every stopped thread and looks each frame's
 * function up here (by its .symtab name): a thread is inside a map write if
 * any frame of its stack is listed, and it is growing that map if any listed
 * frame has `growth` set (a helper such as classic (*hmap).newoverflow runs
 * below mapassign and below evacuate alike; the outermost listed frame, the
 * entry point, says whether the write is an assign, a delete or a clear).
 * Take the map from the innermost listed frame whose "h" or "m" is readable:
 * the entry points often lose it (gdb shows runtime.mapdelete_fast64 with
 * m=<optimized out> while (*Map).Delete below it has m).
 *
 * Listed: every function that sets the map's writing flag (classic
 * hmap.flags hashWriting, Swiss Map.writing), and every function that runs
 * only while it is set, on behalf of that map -- if it exists in .symtab.
 * Not listed:
 *   - functions the compiler inlines everywhere (they never have a frame of
 *     their own; the frame is their caller's), noted in gofacts_write.c;
 *   - helpers shared with other paths (hashing, typedmemmove, mallocgc,
 *     classic makeBucketArray and Swiss newTable / (*table).reset, which
 *     makemap also calls): a frame above them is listed;
 *   - clones (classic mapclone2, Swiss (*Map).Clone from 1.25): they build a
 *     map nobody else sees yet, and never set its writing flag; Swiss
 *     (*Map).Put, which only wraps PutSlot;
 *   - reflect's entry points (reflect_mapassign -> mapassign, ...): the
 *     function they call is listed;
 *   - mapassign_fast32ptr: the compiler uses it only where pointers are 4
 *     bytes, and mapdiag reads 64-bit targets only (the linker drops it).
 *
 * Names are as in the binary's .symtab.  On Swiss maps the runtime_* entry
 * points of internal/runtime/maps are linknamed into package runtime, so
 * they are named like the classic ones ("runtime.mapassign_fast64");
 * methods are "internal/runtime/maps.(*Map).PutSlot",
 * "internal/runtime/maps.(*table).rehash".
 *
 * tests/unit/test_writepaths.c checks every name against the .symtab of the
 * testdata/writers binary of each variant, which runs every path, and each
 * `param` against the DWARF formal parameters of the function.
 */
#ifndef MD_GOFACTS_WRITE_H
#define MD_GOFACTS_WRITE_H

typedef enum {
	MD_WRITE_WRITE,  /* assign (m[k] = v) */
	MD_WRITE_DELETE, /* delete(m, k) */
	MD_WRITE_CLEAR,  /* clear(m), and the range-delete idiom */
	MD_WRITE_GROW    /* growth; reached from a write or, classic, a delete */
} md_write_kind;

typedef struct md_write_path {
	const char *func;  /* .symtab name, e.g. "runtime.mapassign_fast64" */
	md_write_kind kind;
	const char *param; /* the DWARF name of the parameter (or receiver)
	                      that holds the map header: "h" (classic *hmap),
	                      "m" (Swiss *maps.Map); "t" where a Swiss function
	                      only has the *table being written (the map is the
	                      "m" of a frame above).  Classic functions also
	                      have a "t", the *maptype: never named here. */
	int growth;        /* 1: classic hashGrow, growWork*, evacuate*,
	                      advanceEvacuationMark; Swiss growToSmall,
	                      growToTable, installTableSplit, (*table).rehash,
	                      grow, split, uncheckedPutSlot.
	                      growth == (kind == MD_WRITE_GROW). */
} md_write_path;

/* The map write-path functions of a Go release (minor = 19, 21..27) and map
 * implementation (swiss = 0: classic hmap, 1.19, 1.21 .. 1.25 (1.24 and 1.25
 * with GOEXPERIMENT=noswissmap); swiss = 1: 1.24 ..), terminated by an
 * entry whose func is NULL; NULL for an unknown release or a combination
 * that does not exist. */
const md_write_path *md_write_paths(int minor, int swiss);

/* Look a symbol name up: the entry or NULL. */
const md_write_path *md_write_path_find(int minor, int swiss, const char *func);

/* Runtime code (package runtime, internal/runtime/..., internal/abi):
 * frames that are not the user's. */
int md_func_is_runtime(const char *func);

/* Where a goroutine's or a thread's stack begins (runtime.goexit,
 * runtime.mstart, runtime.rt0_go, runtime.clone): nothing real is
 * below. */
int md_func_is_stack_root(const char *func);

/* "write", "delete", "clear", "grow". */
const char *md_write_kind_name(md_write_kind kind);

#endif
