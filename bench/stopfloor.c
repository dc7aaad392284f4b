/* bench/stopfloor.c - the floor of a ptrace stop: stop every thread of a
 * process and let it go again, and nothing else.
 *
 *     stopfloor [--normal] PID
 *
 * Seizes every thread of PID (PTRACE_SEIZE stops nothing), then, like
 * src/target/stop.c, at SCHED_FIFO priority 1 when allowed (--normal: not):
 * PTRACE_INTERRUPT every thread, collect every stop with waitpid, and
 * PTRACE_DETACH every thread.  No registers, no memory, no /proc in
 * between.  Prints one line of JSON:
 *
 *     {"pause_us":P,"threads_stopped":N,"interrupt_us":I,"stopped_us":S}
 *
 * pause_us is measured as mapdiag measures its own (first interrupt to last
 * detach), so the difference between the two is what mapdiag's reads,
 * checks and bookkeeping add.  Any tool that stops a process with ptrace
 * pays at least this much.  Threads that appear meanwhile are not chased
 * (mapdiag does; this is a measurement, not a tool): a thread that
 * exits is simply not counted.  Built by bench/vs_gdb.py.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

#define MAXT 65536

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static pid_t tids[MAXT];

int main(int argc, char **argv)
{
	int fifo = 1, a = 1;
	if (a < argc && strcmp(argv[a], "--normal") == 0) {
		fifo = 0;
		a++;
	}
	if (a + 1 != argc) {
		fprintf(stderr, "usage: stopfloor [--normal] PID\n");
		return 3;
	}
	pid_t pid = (pid_t)atoi(argv[a]);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "stopfloor: %s: %s\n", path, strerror(errno));
		return 3;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < MAXT)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9') {
			pid_t t = (pid_t)atoi(e->d_name);
			if (ptrace(PTRACE_SEIZE, t, 0, 0) == 0)
				tids[n++] = t;
		}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "stopfloor: could not seize any thread of %d\n", (int)pid);
		return 3;
	}
	struct sched_param fp = { .sched_priority = 1 }, op = { .sched_priority = 0 };
	if (fifo)
		sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &fp);
	double t0 = now_us();
	for (int i = 0; i < n; i++)
		ptrace(PTRACE_INTERRUPT, tids[i], 0, 0);
	double t1 = now_us();
	int stopped = 0, held = n;
	while (stopped < held) {
		int st;
		pid_t w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFSTOPPED(st))
			stopped++;
		else if (WIFEXITED(st) || WIFSIGNALED(st))
			held--;
	}
	double t2 = now_us();
	for (int i = 0; i < n; i++)
		ptrace(PTRACE_DETACH, tids[i], 0, 0);
	double t3 = now_us();
	if (fifo)
		sched_setscheduler(0, SCHED_OTHER, &op);
	printf("{\"pause_us\":%.1f,\"threads_stopped\":%d,\"interrupt_us\":%.1f,"
	       "\"stopped_us\":%.1f}\n", t3 - t0, held, t1 - t0, t2 - t0);
	return 0;
}
