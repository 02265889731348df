/* host-probe.c: what one kernel entry and one process wake-up cost on this machine.
 *
 * Every figure of bench/all is made of round trips between processes (wrk, nginx, camp-web,
 * PostgreSQL) on 2 cores; the same code gives very different figures on a host where a
 * system call or a context switch costs ten times more (a nested or paravirtualised guest).
 * bench/all prints this line above its table so that two tables can be compared honestly.
 *
 * Prints one line: "host: syscall X us, pipe round trip Y us (two processes, one byte)". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* the median of five runs of fn, in microseconds per operation */
static double median5(double (*fn)(void))
{
	double v[5];
	for (int i = 0; i < 5; i++) {
		v[i] = fn();
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
	return v[2];
}

static double syscall_us(void)
{
	enum { N = 100000 };
	double t = now();
	for (int i = 0; i < N; i++)
		syscall(SYS_getppid);
	return (now() - t) / N * 1e6;
}

static double pipe_us(void)
{
	enum { N = 20000 };
	int to[2], back[2];
	char c = 0;
	if (pipe(to) != 0 || pipe(back) != 0)
		exit(1);
	pid_t child = fork();
	if (child < 0)
		exit(1);
	/* each side closes the ends it does not use: a peer that dies gives end-of-file, not a
	 * probe blocked for ever inside bench/all */
	if (child == 0) {
		close(to[1]);
		close(back[0]);
		for (int i = 0; i < N; i++)
			if (read(to[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to[0]);
	close(back[1]);
	double t = now();
	for (int i = 0; i < N; i++)
		if (write(to[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			exit(1);
	double us = (now() - t) / N * 1e6;
	close(to[1]);
	close(back[0]);
	waitpid(child, NULL, 0);
	return us;
}

int main(void)
{
	printf("host: syscall %.2f us, pipe round trip %.1f us (two processes, one byte; median of 5)\n",
	       median5(syscall_us), median5(pipe_us));
	return 0;
}
