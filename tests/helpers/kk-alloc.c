/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Resource-limit exercisers for the cgroup integration tests. Static, no libc from the
 * image needed.
 *
 *   kk-alloc mem MIB     allocate MIB MiB in 1 MiB steps, touching every page (so the
 *                        memory is charged), printing "allocated N MiB" after each step;
 *                        exit 0 when all is allocated. Under a lower memory limit the
 *                        kernel's OOM killer ends it with SIGKILL.
 *   kk-alloc forks N     fork up to N children that sleep; print "forked N" and, when a
 *                        fork fails, "fork failed after N: errno=EAGAIN"; then kill the
 *                        children and exit 0 (1 if a fork failed with another errno).
 *   kk-alloc spin SECS   burn CPU in one thread for SECS seconds of wall time.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int mem(long mib)
{
	for (long i = 1; i <= mib; i++) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("mmap failed after %ld MiB: errno=%d\n", i - 1, errno);
			return 1;
		}
		memset(p, 0x5a, 1 << 20);
		printf("allocated %ld MiB\n", i);
		fflush(stdout);
	}
	return 0;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case EPERM:
		return "EPERM";
	default:
		return "other";
	}
}

static int forks(long n)
{
	pid_t *kids = calloc((size_t)n, sizeof(pid_t));
	long k = 0;
	int rc = 0;
	if (!kids)
		return 1;
	for (; k < n; k++) {
		pid_t p = fork();
		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			printf("fork failed after %ld: errno=%s\n", k, errno_name(errno));
			rc = errno == EAGAIN ? 0 : 1;
			break;
		}
		kids[k] = p;
	}
	printf("forked %ld\n", k);
	fflush(stdout);
	for (long i = 0; i < k; i++)
		kill(kids[i], SIGKILL);
	while (wait(NULL) > 0)
		;
	free(kids);
	return rc;
}

static int spin(long secs)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 1000000; i++)
			x++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000000000L + (now.tv_nsec - start.tv_nsec) < secs * 1000000000L);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: kk-alloc mem MIB | forks N | spin SECS\n");
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	if (strcmp(argv[1], "mem") == 0)
		return mem(n);
	if (strcmp(argv[1], "forks") == 0)
		return forks(n);
	if (strcmp(argv[1], "spin") == 0)
		return spin(n);
	fprintf(stderr, "kk-alloc: unknown mode '%s'\n", argv[1]);
	return 2;
}
