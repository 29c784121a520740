/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-getppid-loop [N [SYSCALL]]: the per-call cost of a cheap syscall, for bench/seccomp.sh.
 *
 * Makes N (default 2000000) raw calls of SYSCALL and prints "ns_per_call=X" (the best of 5
 * rounds of N/5, so that one preemption does not count). SYSCALL is
 *   getppid      (default) the cheapest syscall there is: what a filter adds shows at once;
 *   personality  personality(0xffffffff), a query. A profile that allows it only for some
 *                argument values makes the kernel run the filter's BPF on every call (no
 *                constant-action shortcut), so this measures the program itself.
 * Static: runs in any rootfs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000000;
	const char *which = argc > 2 ? argv[2] : "getppid";
	long nr, arg = 0;
	double best = -1;

	if (n < 5) {
		fprintf(stderr, "kk-getppid-loop: N must be at least 5\n");
		return 2;
	}
	if (strcmp(which, "getppid") == 0) {
		nr = SYS_getppid;
	} else if (strcmp(which, "personality") == 0) {
		nr = SYS_personality;
		arg = 0xffffffffL;
	} else {
		fprintf(stderr, "kk-getppid-loop: unknown syscall '%s' (getppid, personality)\n", which);
		return 2;
	}
	for (int round = 0; round < 5; round++) {
		long per = n / 5;
		double t0 = now_ns();
		for (long i = 0; i < per; i++)
			if (syscall(nr, arg) < 0) {
				perror("kk-getppid-loop");
				return 1;
			}
		double ns = (now_ns() - t0) / (double)per;
		if (best < 0 || ns < best)
			best = ns;
	}
	printf("ns_per_call=%.1f\n", best);
	return 0;
}
