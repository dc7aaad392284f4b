/* test_stop.c - src/stop.c on a live child: every thread held while
 * stopped, all running again after the release, and our scheduling policy
 * raised to SCHED_FIFO only for the stop (when we may) and restored after.
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "md_test.h"
#include "../../src/proc.h"
#include "../../src/stop.h"

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

/* How many of pid's threads are in state st ('t': tracing stop), of how
 * many (src/proc.c reads /proc for both). */
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

int main(void)
{
	int fifo_ok = may_fifo();
	pid_t pid = start_child();
	CHECK(pid > 0);
	if (pid <= 0)
		return md_test_done("stop");
	md_stop *s = NULL;
	md_err err;
	md_status st = md_stop_all(pid, 2000, &s, &err);
	CHECK_EQ_U(st, MD_OK);
	if (st == MD_OK) {
		int total = 0;
		int held = threads_in(pid, 't', &total);
		CHECK_EQ_U(total, KIDS + 1);
		CHECK_EQ_U(held, total);
		const pid_t *tids;
		CHECK_EQ_U(md_stop_threads(s, &tids), KIDS + 1);
		/* raised for the stop only, and never inherited */
		CHECK_EQ_U(sched_getscheduler(0), fifo_ok ? SCHED_FIFO | SCHED_RESET_ON_FORK : SCHED_OTHER);
		pid_t k = fork();
		if (k == 0)
			_exit(sched_getscheduler(0) == SCHED_OTHER ? 0 : 1);
		int ws = 0;
		CHECK(k > 0 && waitpid(k, &ws, 0) == k && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);

		md_stop_stats stats;
		CHECK_EQ_U(md_stop_release(s, &stats, &err), MD_OK);
		CHECK_EQ_U(stats.threads, KIDS + 1);
		CHECK(stats.pause_ns > 0 && stats.stop_ns <= stats.pause_ns);
		CHECK_EQ_U(sched_getscheduler(0), SCHED_OTHER);
		held = threads_in(pid, 't', &total);
		CHECK_EQ_U(held, 0);
		CHECK_EQ_U(total, KIDS + 1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("stop: SCHED_FIFO %s\n", fifo_ok ? "allowed (checked)" : "not allowed here");
	return md_test_done("stop");
}
