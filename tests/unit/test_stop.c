/* test_stop.c - src/target/stop.c on a live child: every thread held while
 * stopped, all running again after the release, registers read during the
 * stop equal to the held thread's, our scheduling policy raised to
 * SCHED_FIFO only for the stop (when we may) and restored after; and on a
 * child whose threads come and go without pause, every thread held at each
 * of many stops (no listing happens inside the pause: a thread born after
 * the last one must come to us through PTRACE_O_TRACECLONE).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md_test.h"
#include "proc.h"
#include "stop.h"

#define KIDS 3

static void *spin(void *arg)
{
	(void)arg;
	for (volatile unsigned long i = 0;; i++)
		;
	return NULL;
}

/* A child of KIDS + 1 busy threads. */
static pid_t start_child(void)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (int i = 0; i < KIDS; i++) {
			pthread_t t;
			pthread_create(&t, NULL, spin, NULL);
		}
		ssize_t r = write(p[1], "x", 1);
		(void)r;
		spin(NULL);
	}
	close(p[1]);
	char c;
	ssize_t r = read(p[0], &c, 1);
	close(p[0]);
	return r == 1 ? pid : -1;
}

/* A thread that starts its successor and ends: threads come and go
 * for as long as the child lives. */
static void *relay(void *arg)
{
	pthread_t t;
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	while (pthread_create(&t, &a, relay, arg) != 0)
		;
	return NULL;
}

/* A child with one busy thread and CHURN relays. */
#define CHURN 4
static pid_t start_churn(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (int i = 0; i < CHURN; i++)
			relay(NULL);
		spin(NULL);
	}
	return pid;
}

/* How many of pid's threads are in state st ('t': tracing stop), of how
 * many (src/target/proc.c reads /proc for both). */
static int threads_in(pid_t pid, char st, int *total)
{
	pid_t tids[64];
	int n = 0;
	*total = md_proc_tids(pid, tids, 64);
	for (int i = 0; i < *total; i++)
		n += md_proc_task_state(pid, tids[i]) == st;
	return n;
}

/* May this process run SCHED_FIFO?  Tried and undone. */
static int may_fifo(void)
{
	struct sched_param old, fifo = { .sched_priority = 1 };
	int pol = sched_getscheduler(0);
	if (sched_getparam(0, &old) != 0 || sched_setscheduler(0, SCHED_FIFO, &fifo) != 0)
		return 0;
	sched_setscheduler(0, pol, &old);
	return 1;
}

/* Dead threads not yet reaped may still be listed. */
static int threads_live_unheld(pid_t pid, int *total)
{
	pid_t tids[256];
	int n = 0;
	*total = md_proc_tids(pid, tids, 256);
	for (int i = 0; i < *total; i++) {
		int st = md_proc_task_state(pid, tids[i]);
		n += st != 't' && st != 'Z' && st != 'X' && st > 0;
	}
	return n;
}

static void check_churn(void)
{
	pid_t pid = start_churn();
	T(pid > 0);
	if (pid <= 0)
		return;
	usleep(20000);
	int rounds = 0, unheld = 0, born = 0, failed = 0;
	pid_t first = 0;
	for (int k = 0; k < 40; k++) {
		md_stop *s = NULL;
		md_err err;
		if (md_stop_all(&(md_stop_opts){ pid, 0, 2000, 0 }, &s, &err) != MD_OK) {
			failed++;
			continue;
		}
		int total = 0;
		unheld += threads_live_unheld(pid, &total);
		const pid_t *tids;
		int n = md_stop_threads(s, &tids);
		for (int i = 0; i < n; i++)
			if (tids[i] != pid && (!first || tids[i] > first))
				born++;
		if (!first && n > 1)
			first = tids[n - 1];
		md_stop_stats stats;
		md_stop_release(s, &stats);
		rounds++;
		usleep(2000);
	}
	T_EQ(failed, 0);
	T_EQ(rounds, 40);
	T_EQ(unheld, 0);   /* every live thread held at every stop */
	T(born > 0);         /* threads really came and went */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

int main(void)
{
	int fifo_ok = may_fifo();
	pid_t pid = start_child();
	T(pid > 0);
	if (pid <= 0)
		return md_test_done("stop");
	md_stop *s = NULL;
	md_err err;
	md_status st = md_stop_all(&(md_stop_opts){ pid, 0, 2000, MD_STOP_REGS }, &s, &err);
	T_EQ(st, MD_OK);
	if (st == MD_OK) {
		int total = 0;
		int held = threads_in(pid, 't', &total);
		T_EQ(total, KIDS + 1);
		T_EQ(held, total);
		const pid_t *tids;
		T_EQ(md_stop_threads(s, &tids), KIDS + 1);
		/* registers read as the stops came in are the held threads' own */
		int same = 0;
		for (int i = 0; i < KIDS + 1; i++) {
			md_regs r;
			struct user_regs_struct u;
			memset(&u, 0, sizeof u);
			if (md_stop_regs(s, tids[i], &r, &err) == MD_OK &&
			    ptrace(PTRACE_GETREGS, tids[i], 0, &u) == 0 &&
			    r.r[MD_REG_RIP] == u.rip && r.r[MD_REG_RSP] == u.rsp &&
			    r.fs_base == u.fs_base && u.rip != 0)
				same++;
		}
		T_EQ(same, KIDS + 1);
		/* raised for the stop only, and never inherited */
		T_EQ(sched_getscheduler(0), fifo_ok ? SCHED_FIFO | SCHED_RESET_ON_FORK : SCHED_OTHER);
		pid_t k = fork();
		if (k == 0)
			_exit(sched_getscheduler(0) == SCHED_OTHER ? 0 : 1);
		int ws = 0;
		T(k > 0 && waitpid(k, &ws, 0) == k && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

		md_stop_stats stats;
		md_stop_release(s, &stats);
		T_EQ(stats.threads, KIDS + 1);
		T(stats.pause_ns > 0 && stats.stop_ns <= stats.pause_ns);
		T_EQ(sched_getscheduler(0), SCHED_OTHER);
		held = threads_in(pid, 't', &total);
		T_EQ(held, 0);
		T_EQ(total, KIDS + 1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	check_churn();
	printf("stop: SCHED_FIFO %s\n", fifo_ok ? "allowed (checked)" : "not allowed here");
	return md_test_done("stop");
}
