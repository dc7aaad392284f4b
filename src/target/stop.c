/* stop.c - stop and release every thread of a process (see stop.h).
 *
 * Order of work, chosen to keep the pause short:
 *   1. list /proc/PID/task and PTRACE_SEIZE every thread, and list again
 *      until a listing shows no thread we do not hold.  Seizing stops
 *      nothing, so this costs the target nothing, and threads born later
 *      are mostly cloned by held threads, attached to us by
 *      PTRACE_O_TRACECLONE;
 *   2. PTRACE_INTERRUPT them all back to back: the pause starts here;
 *   3. collect the stops with waitpid(__WALL), reading each thread's
 *      registers as its stop arrives (when asked to) while the others are
 *      still on their way: those reads cost the pause nothing.  A clone
 *      caught in flight shows up as a PTRACE_EVENT_CLONE stop of its
 *      parent, and the child is collected too;
 *   4. check with one fstat (num_threads) that we hold every thread (see
 *      md_stop_all); list again only if not.  A listing inside the pause
 *      would cost more and can miss threads.
 * Release detaches each thread with the signal (if any) it stopped on.
 *
 * From the first interrupt to the last detach this thread runs SCHED_FIFO
 * when it may (root, CAP_SYS_NICE or an RLIMIT_RTPRIO): each interrupt and
 * each detach wakes a target thread, and on a machine whose CPUs the
 * target keeps busy the woken thread would preempt us, so our loop of
 * interrupts (or detaches) would wait behind the very threads it woke
 * (BENCHMARKS.md has the numbers).  The policy is restored right after the
 * last detach (and is reset in any child, SCHED_RESET_ON_FORK); in between
 * run only the reads of the snapshot, which never wait.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "stop.h"
#include "proc.h"
#include "alloc.h"
#include "clock.h"
#include "testhook.h"

#define MD_MAX_THREADS 65536
#define MD_LIST_ROUNDS 64

typedef struct thr {
	pid_t tid;
	int stopped;
	int pendsig;     /* signal to hand back at detach */
	int regs_ok;     /* regs read when its stop arrived */
	struct user_regs_struct regs;
} thr;

struct md_stop {
	pid_t pid;
	unsigned long long start;    /* checked once seized; 0: not */
	thr *t;
	int n;
	size_t cap;
	pid_t *tids;     /* scratch for listings and md_stop_threads */
	sigset_t oldmask;
	struct sigaction oldalrm;
	uint64_t t0, tstopped;
	long faults0;                /* page faults before the first interrupt */
	int exited, group, fwd;
	int want_regs;               /* MD_STOP_REGS */
	int released;
	int boosted;                 /* this thread is SCHED_FIFO: restore */
	int oldpol;
	struct sched_param oldparam;
};

static volatile sig_atomic_t alarm_fired;

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
}

/* Page faults this thread has taken so far (minor and major). */
static long faults_now(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return ru.ru_minflt + ru.ru_majflt;
}

static thr *find(md_stop *s, pid_t tid)
{
	for (int i = 0; i < s->n; i++)
		if (s->t[i].tid == tid)
			return &s->t[i];
	return NULL;
}

static thr *add(md_stop *s, pid_t tid)
{
	if (!md_grow((void **)&s->t, &s->cap, (size_t)s->n + 1, sizeof *s->t, 64))
		return NULL;
	thr *t = &s->t[s->n++];
	t->tid = tid;
	t->stopped = 0;
	t->pendsig = 0;
	t->regs_ok = 0;
	return t;
}

static void drop(md_stop *s, thr *t)
{
	*t = s->t[--s->n];
}

static int unstopped(const md_stop *s)
{
	int k = 0;
	for (int i = 0; i < s->n; i++)
		k += !s->t[i].stopped;
	return k;
}

/* What one listing found besides the threads it seized (seize_new's
 * return value). */
typedef struct listing {
	int gone;     /* listed, but ended before we could seize them */
	int dead;     /* listed zombies (a leader that exited before its
	                 threads): counted in num_threads, never seizable */
} listing;

/* Seize every listed thread not yet held (nothing stops).  Returns the
 * number of new threads, or -1 with err set. */
static int seize_new(md_stop *s, listing *ls, md_err *err)
{
	memset(ls, 0, sizeof *ls);
	int n = md_proc_tids(s->pid, s->tids, MD_MAX_THREADS);
	if (n < 0) {
		md_err_set(err, s->n ? MD_E_EXITED : MD_E_NOPROC, "process %d", (int)s->pid);
		return -1;
	}
	if (n == 0 && s->n == 0) {
		md_err_set(err, MD_E_ZOMBIE, "process %d has no threads", (int)s->pid);
		return -1;
	}
	int first = s->n;
	for (int i = 0; i < n; i++) {
		pid_t tid = s->tids[i];
		if (find(s, tid))
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0, (void *)(long)PTRACE_O_TRACECLONE) != 0) {
			/* saved: the /proc reads below may change errno */
			int e = errno;
			if (e == ESRCH) {
				ls->gone++;    /* exited between listing and seizing */
				continue;
			}
			if (e == EPERM && md_proc_tracer(tid) == getpid()) {
				/* Cloned by a thread we hold: PTRACE_O_TRACECLONE
				 * attached it to us already, and its first stop is on
				 * its way to waitpid. */
				if (!add(s, tid)) {
					md_err_set(err, MD_E_NOMEM, "thread table");
					return -1;
				}
				continue;
			}
			/* EPERM, not ESRCH, is what an exiting thread gives (the
			 * kernel refuses PF_EXITING tasks): if it turns out to be
			 * going away, it is as ESRCH, not a permission problem. */
			if (e == EPERM && md_proc_task_ending(s->pid, tid)) {
				if (md_proc_task_state(s->pid, tid) == 'Z')
					ls->dead++;
				else
					ls->gone++;
				continue;
			}
			if (e == EPERM) {
				md_proc_diagnose_eperm(s->pid, err);
				return -1;
			}
			md_err_set(err, MD_E_SYS, "PTRACE_SEIZE %d: %s", (int)tid, strerror(e));
			return -1;
		}
		if (!add(s, tid)) {
			/* keep the kernel's and our view equal: let it go */
			ptrace(PTRACE_DETACH, tid, 0, 0);
			md_err_set(err, MD_E_NOMEM, "thread table");
			return -1;
		}
	}
	/* Nothing is stopped yet.  The pid may have been given to another
	 * process since the caller looked the target up (it exited, its pid
	 * was reused); now that we hold its threads it cannot change again,
	 * so check here, before the pause begins. */
	if (first == 0 && s->n > 0 && s->start &&
	    md_proc_verify(s->pid, s->start, err) != MD_OK)
		return -1;
	return s->n - first;
}

/* Interrupt the held threads from index `from` on. */
static int interrupt_from(md_stop *s, int from, md_err *err)
{
	/* (a thread already in a stop of its own, an adopted clone child or a
	 * clone event, is interrupted too: harmless, detaching clears it) */
	for (int i = from; i < s->n; i++)
		if (ptrace(PTRACE_INTERRUPT, s->t[i].tid, 0, 0) != 0 && errno != ESRCH) {
			md_err_set(err, MD_E_SYS, "PTRACE_INTERRUPT %d: %s", (int)s->t[i].tid,
			           strerror(errno));
			return -1;
		}
	return 0;
}

/* Account for one wait status of tid. */
static void note_status(md_stop *s, pid_t tid, int st)
{
	thr *t = find(s, tid);
	if (!t) {
		/* a thread auto-attached through PTRACE_O_TRACECLONE */
		t = add(s, tid);
		if (!t)
			return;
	}
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		drop(s, t);
		s->exited++;
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	int sig = WSTOPSIG(st), ev = (unsigned)st >> 16;
	t->stopped = 1;
	/* now, while other threads are still on their way to their stops */
	if (s->want_regs && !t->regs_ok)
		t->regs_ok = ptrace(PTRACE_GETREGS, tid, 0, &t->regs) == 0;
	if (ev == PTRACE_EVENT_STOP) {
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
			s->group = 1;
	} else if (ev == PTRACE_EVENT_CLONE || ev == PTRACE_EVENT_FORK ||
	           ev == PTRACE_EVENT_VFORK) {
		unsigned long child = 0;
		if (ev == PTRACE_EVENT_CLONE &&
		    ptrace(PTRACE_GETEVENTMSG, tid, 0, &child) == 0 && child &&
		    !find(s, (pid_t)child))
			add(s, (pid_t)child);
	} else if (ev == 0) {
		/* signal-delivery-stop: the signal is handed back at detach */
		t->pendsig = sig;
	}
}

static md_status wait_all(md_stop *s, md_err *err)
{
	while (unstopped(s) > 0) {
		if (alarm_fired)
			return md_err_set(err, MD_E_STOPTIMEOUT,
			                  "%d of %d threads of process %d did not stop",
			                  unstopped(s), s->n, (int)s->pid);
		int st;
		pid_t w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD) {
				/* nothing left to wait for: the threads are gone */
				for (int i = s->n - 1; i >= 0; i--)
					if (!s->t[i].stopped) {
						drop(s, &s->t[i]);
						s->exited++;
					}
				break;
			}
			return md_err_set(err, MD_E_SYS, "waitpid: %s", strerror(errno));
		}
		note_status(s, w, st);
	}
	if (s->n == 0)
		return md_err_set(err, MD_E_EXITED, "process %d", (int)s->pid);
	return MD_OK;
}

static void timer_arm(int ms)
{
	struct itimerval it = { 0 };
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	/* re-fire: a signal landing just before waitpid blocks is not lost */
	it.it_interval.tv_usec = 10000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void timer_disarm(void)
{
	struct itimerval it = { 0 };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void release_threads(md_stop *s)
{
	for (int i = 0; i < s->n; i++) {
		thr *t = &s->t[i];
		if (!t->stopped) {
			/* only on error paths: bring it to a stop so it can be
			 * detached; give up after ~100 ms (our exit detaches it) */
			ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
			for (int k = 0; k < 100 && !t->stopped; k++) {
				int st;
				pid_t w = waitpid(t->tid, &st, __WALL | WNOHANG);
				if (w == t->tid) {
					if (WIFEXITED(st) || WIFSIGNALED(st))
						break;
					if (WIFSTOPPED(st)) {
						t->stopped = 1;
						if (((unsigned)st >> 16) == 0)
							t->pendsig = WSTOPSIG(st);
					}
				} else if (w < 0) {
					break;
				} else {
					struct timespec ts = { 0, 1000000 };
					nanosleep(&ts, NULL);
				}
			}
			if (!t->stopped)
				continue;
		}
		if (ptrace(PTRACE_DETACH, t->tid, 0, (void *)(long)t->pendsig) == 0 &&
		    t->pendsig)
			s->fwd++;
	}
}

/* Run at real-time priority until unboost (see the top of this file);
 * silently not when we may not. */
static void boost(md_stop *s)
{
	struct sched_param fifo = { .sched_priority = 1 };
	s->oldpol = sched_getscheduler(0);   /* with its SCHED_RESET_ON_FORK bit */
	int base = s->oldpol & ~SCHED_RESET_ON_FORK;
	if (s->oldpol < 0 || (base != SCHED_OTHER && base != SCHED_BATCH && base != SCHED_IDLE))
		return;   /* already real-time, or unknown: leave it */
	if (sched_getparam(0, &s->oldparam) != 0)
		return;
	s->boosted = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &fifo) == 0;
}

static void unboost(md_stop *s)
{
	if (s->boosted)
		sched_setscheduler(0, s->oldpol, &s->oldparam);
	s->boosted = 0;
}

static void unblock(md_stop *s)
{
	timer_disarm();
	sigaction(SIGALRM, &s->oldalrm, NULL);
	/* signals that arrived during the stop are delivered here */
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
}

/* Block the signals that would end us, and arm the stop timeout. */
static void block(md_stop *s, int timeout_ms)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGPIPE);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_BLOCK, &set, &s->oldmask);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;   /* no SA_RESTART: waitpid must see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &s->oldalrm);
	alarm_fired = 0;
	timer_arm(timeout_ms > 0 ? timeout_ms : 1000);
}

/* Seize every thread, listing again until a listing shows nothing new
 * (nothing stops yet). */
static md_status seize_all(md_stop *s, listing *ls, md_err *err)
{
	int rounds = 0, nnew;
	do {
		nnew = seize_new(s, ls, err);
	} while ((nnew > 0 || ls->gone > 0) && ++rounds < MD_LIST_ROUNDS);
	if (nnew < 0)
		return err->code;
	if (nnew > 0)
		return md_err_set(err, MD_E_STOPTIMEOUT, "process %d kept creating threads",
		                  (int)s->pid);
	return MD_OK;
}

/* Do we hold every thread?  The listings cannot say: a thread that was
 * inside clone() when we seized it may have made a child that
 * PTRACE_O_TRACECLONE did not cover (the kernel decides that on entry to
 * clone), and a listing of /proc/PID/task ends early or skips a thread
 * when one exits as it is read.  The count can: once every thread we know
 * of is stopped, nothing can start a thread unless a thread we do not hold
 * exists, and then num_threads is larger than what we hold (plus a zombie
 * leader).  One fstat; only on a mismatch do we list again and take the
 * newcomers. */
static md_status hold_all(md_stop *s, int taskfd, listing *ls, md_err *err)
{
	for (int rounds = 0;; rounds++) {
		int count = taskfd >= 0 ? md_proc_nthreads(taskfd) : -1;
		if (count == s->n + ls->dead)
			return MD_OK;
		if (count < 0 && rounds > 0)
			return MD_OK;   /* no count: the listing of the last round decides */
		if (rounds == MD_LIST_ROUNDS)
			return md_err_set(err, MD_E_STOPTIMEOUT,
			                  "process %d: %d threads counted, %d held", (int)s->pid,
			                  count, s->n);
		int first = s->n;
		if (seize_new(s, ls, err) < 0 || interrupt_from(s, first, err) != 0)
			return err->code;
		md_status st = wait_all(s, err);
		if (st != MD_OK)
			return st;
	}
}

static void stop_free(md_stop *s)
{
	free(s->t);
	free(s->tids);
	free(s);
}

md_status md_stop_all(const md_stop_opts *o, md_stop **out, md_err *err)
{
	md_test_hook("seize");
	md_stop *s = calloc(1, sizeof *s);
	if (!s || !(s->tids = malloc(MD_MAX_THREADS * sizeof *s->tids))) {
		free(s);
		return md_err_set(err, MD_E_NOMEM, "thread table");
	}
	s->pid = o->pid;
	s->start = o->start;
	s->want_regs = (o->flags & MD_STOP_REGS) != 0;
	block(s, o->timeout_ms);

	listing ls;
	md_status st = seize_all(s, &ls, err);
	int taskfd = st == MD_OK ? md_proc_task_fd(s->pid) : -1;
	if (st == MD_OK) {
		boost(s);
		s->faults0 = faults_now();
		s->t0 = md_now_ns();   /* the pause starts with the first interrupt */
		if (interrupt_from(s, 0, err) != 0)
			st = err->code;
		else
			st = wait_all(s, err);
	}
	if (st == MD_OK)
		st = hold_all(s, taskfd, &ls, err);
	if (taskfd >= 0)
		close(taskfd);
	if (st != MD_OK) {
		release_threads(s);
		unboost(s);
		unblock(s);
		stop_free(s);
		return st;
	}
	s->tstopped = md_now_ns();
	timer_disarm();
	*out = s;
	return MD_OK;
}

md_status md_stop_regs(md_stop *s, pid_t tid, md_regs *out, md_err *err)
{
	thr *t = find(s, tid);
	if (!t || !t->stopped)
		return MD_NOTFOUND;
	if (!t->regs_ok) {
		if (ptrace(PTRACE_GETREGS, tid, 0, &t->regs) != 0)
			return md_err_set(err, errno == ESRCH ? MD_E_EXITED : MD_E_SYS,
			                  "PTRACE_GETREGS %d: %s", (int)tid, strerror(errno));
		t->regs_ok = 1;
	}
	md_regs_from_user(&t->regs, out);
	return MD_OK;
}

int md_stop_threads(md_stop *s, const pid_t **tids)
{
	for (int i = 0; i < s->n; i++)
		s->tids[i] = s->t[i].tid;
	*tids = s->tids;
	return s->n;
}

void md_stop_release(md_stop *s, md_stop_stats *stats)
{
	release_threads(s);
	uint64_t t1 = md_now_ns();
	long faults1 = faults_now();
	unboost(s);
	if (stats) {
		memset(stats, 0, sizeof *stats);
		stats->pause_ns = s->t0 ? t1 - s->t0 : 0;
		stats->stop_ns = s->t0 ? s->tstopped - s->t0 : 0;
		stats->threads = s->n;
		stats->threads_exited = s->exited;
		stats->signals_forwarded = s->fwd;
		stats->group_stopped = s->group;
		stats->faults = faults1 - s->faults0;
	}
	unblock(s);
	stop_free(s);
}
