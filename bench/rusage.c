/* bench/rusage.c - run a command, then write its wall time and peak RSS.
 *
 *     rusage OUTFILE command [args...]
 *
 * Writes "wall_ns maxrss_kib status" (status as from wait4) to OUTFILE and
 * exits with the command's exit code (128+signal if killed).
 *
 * Why not os.wait4 in Python: a child forked by Python inherits Python's
 * resident-set high-water mark across exec (Linux keeps the larger of the
 * old mm's peak and the new one in ru_maxrss), so every command would
 * report at least Python's ~20 MiB. Forked from this small process, the
 * floor is this process's ~1 MiB. Built by bench/vs_gdb.py.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE command [args...]\n");
		return 125;
	}
	FILE *out = fopen(argv[1], "w");
	if (!out) {
		perror(argv[1]);
		return 125;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	int st;
	struct rusage ru;
	if (wait4(pid, &st, 0, &ru) < 0) {
		perror("wait4");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long long ns = (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	fprintf(out, "%lld %ld %d\n", ns, ru.ru_maxrss, st);
	fclose(out);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}
