// Package cblock is the C side of cgotarget (see its main.go): the cgo
// preamble lives here, not in package main, so that cgo's linknamed
// variable (runtime.cgoAlwaysFalse, declared in the package that imports
// "C") stays out of main's compile unit, whose every variable the dwarf/
// unit test looks up by name.
package cblock

/*
#define _GNU_SOURCE
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <pthread.h>

// Thread-local C data: .tdata is laid out before the Go object's .tbss
// (runtime.tlsg) and .tbss after it, so the g slot ends up neither first
// nor last in the executable's TLS block.
__thread volatile uint64_t cg_tdata[4] = { 1, 2, 3, 4 };
__thread volatile uint64_t cg_tbss[24];

static volatile long cg_tid;
static int cg_pipe[2];

static volatile long cg_ftid;
static int cg_fpipe[2];

int cg_setup(void) { return pipe(cg_pipe) || pipe(cg_fpipe); }
long cg_foreign_tid(void) { return __atomic_load_n(&cg_ftid, __ATOMIC_SEQ_CST); }

// A thread of C's own: no g, no Go frame, only .eh_frame.
__attribute__((noinline, noclone)) static int cg_fg(int fd)
{
	char c;
	__atomic_store_n(&cg_ftid, (long)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	int n = (int)read(fd, &c, 1);
	__asm__ volatile("" ::: "memory");
	return n + 1;
}

__attribute__((noinline, noclone)) static void *cg_fthread(void *arg)
{
	int r = cg_fg(cg_fpipe[0]);
	__asm__ volatile("" ::: "memory");
	return (void *)(long)r + (long)arg;
}

int cg_start_foreign(void)
{
	pthread_t t;
	return pthread_create(&t, NULL, cg_fthread, NULL);
}
long cg_blocked_tid(void) { return __atomic_load_n(&cg_tid, __ATOMIC_SEQ_CST); }
int cg_tls_sizes(int which) { return which ? (int)sizeof cg_tbss : (int)sizeof cg_tdata; }

// noinline and noclone: the two frames must stay frames.
__attribute__((noinline, noclone)) int cg_f2(int fd)
{
	char c;
	cg_tbss[23] = 0xdeadbeefcafef00dull;   // the word at fs_base-8, nonzero
	cg_tdata[0]++;
	// R14 holds g while Go code runs; clobber it here (the compiler saves
	// and restores it around this function, R14 being callee-saved).
	__asm__ volatile("xor %%r14d, %%r14d" ::: "r14");
	__atomic_store_n(&cg_tid, (long)syscall(SYS_gettid), __ATOMIC_SEQ_CST);
	int n = (int)read(fd, &c, 1);
	__asm__ volatile("" ::: "memory");
	return n + 1;
}

__attribute__((noinline, noclone)) int cg_f1(void)
{
	int r = cg_f2(cg_pipe[0]);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}
*/
import "C"

// Setup makes the pipes the C calls block on.
func Setup() bool { return C.cg_setup() == 0 }

// StartForeign starts the thread of C's own.
func StartForeign() bool { return C.cg_start_foreign() == 0 }

// BlockedTid is the thread blocked in cg_f2, once it is (else 0).
func BlockedTid() int64 { return int64(C.cg_blocked_tid()) }

// ForeignTid is the thread C created, once it blocks (else 0).
func ForeignTid() int64 { return int64(C.cg_foreign_tid()) }

// TLSSizes are the sizes of the C thread-locals before and after the g
// slot.
func TLSSizes() (tdata, tbss int) { return int(C.cg_tls_sizes(0)), int(C.cg_tls_sizes(1)) }

// F1 calls C: cg_f1 -> cg_f2 -> read(2), which never returns.
//
//go:noinline
func F1() { C.cg_f1() }
