/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Workload for the seccomp recording tests (static, runs in any rootfs).
 *   kk-rec record     main thread: times(); a second thread: getcpu(); a forked child:
 *                     sysinfo(). Prints "recorded" when all three returned.
 *   kk-rec call NAME  makes syscall NAME (getcpu, sysinfo, times, getpriority, chroot,
 *                     sched_getparam, mincore) and prints "NAME=ok" or "NAME=errno N"
 *                     (e.g. 38 for ENOSYS): what a profile does with it.
 *   kk-rec int80      x86_64 only: getpid(2) through the 32-bit entry (int $0x80, i386
 *                     number 20), which seccomp sees as AUDIT_ARCH_I386. Prints
 *                     "int80=PID" or "int80=errno N". */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long call(const char *name)
{
	static char buf[4096] __attribute__((aligned(4096)));
	unsigned cpu, node;
	long a[6] = {0};
	long nr = -1;
	if (!strcmp(name, "getcpu")) {
		nr = SYS_getcpu;
		a[0] = (long)&cpu;
		a[1] = (long)&node;
	} else if (!strcmp(name, "sysinfo")) {
		nr = SYS_sysinfo;
		a[0] = (long)buf;
	} else if (!strcmp(name, "times")) {
		nr = SYS_times;
		a[0] = (long)buf;
	} else if (!strcmp(name, "getpriority")) {
		nr = SYS_getpriority;
	} else if (!strcmp(name, "chroot")) {
		nr = SYS_chroot;
		a[0] = (long)"/";
	} else if (!strcmp(name, "sched_getparam")) {
		nr = SYS_sched_getparam;
		a[1] = (long)buf;
	} else if (!strcmp(name, "mincore")) {
		nr = SYS_mincore;
		a[0] = (long)buf;
		a[1] = 4096;
		a[2] = (long)(buf + 64);
	} else {
		errno = EINVAL;
		return -2;
	}
	return syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void *thread_main(void *arg)
{
	return (void *)(long)(call("getcpu") < 0 ? errno : 0);
}

static int int80(void)
{
#ifdef __x86_64__
	long r = 20; /* i386 __NR_getpid */
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	if (r < 0 && r > -4096)
		printf("int80=errno %ld\n", -r);
	else
		printf("int80=%ld\n", r);
	return 0;
#else
	fprintf(stderr, "kk-rec: int80 is x86_64 only\n");
	return 2;
#endif
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "int80"))
		return int80();
	if (argc == 3 && !strcmp(argv[1], "call")) {
		long r = call(argv[2]);
		if (r == -2) {
			fprintf(stderr, "kk-rec: unknown syscall '%s'\n", argv[2]);
			return 2;
		}
		if (r < 0)
			printf("%s=errno %d\n", argv[2], errno);
		else
			printf("%s=ok\n", argv[2]);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "record")) {
		fprintf(stderr, "usage: kk-rec record | kk-rec call NAME\n");
		return 2;
	}
	if (call("times") < 0) {
		perror("times");
		return 1;
	}
	pthread_t t;
	void *res;
	if (pthread_create(&t, NULL, thread_main, NULL) != 0 || pthread_join(t, &res) != 0 || res) {
		fprintf(stderr, "kk-rec: getcpu in a thread failed\n");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0)
		_exit(call("sysinfo") < 0 ? 1 : 0);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "kk-rec: sysinfo in a child failed\n");
		return 1;
	}
	printf("recorded\n");
	return 0;
}
