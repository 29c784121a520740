/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-probe PROBE [ARGS]: perform one named syscall and report the outcome, for integration
 * tests of capabilities, seccomp profiles and namespaces inside a container.
 *
 * Output: "ok" and exit 0 if the call succeeded, else "errno=NAME" (e.g. errno=EPERM) and
 * exit 1; exit 2 for usage errors. Static, no libc from the image needed.
 *
 * Probes are built to be harmless when allowed: where a real success would change the system
 * (kexec, reboot, mount, module loading, swap, accounting) the arguments are invalid in a way
 * the kernel checks only after the permission check, so "errno=EPERM" means "refused by
 * seccomp or by a missing capability" and any other errno means "reached the kernel and was
 * permitted". `kk-probe list` prints each probe with what its outcomes mean. */
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOPATH "/nonexistent-kk-probe"

/* Each returns 0 on success or a positive errno. */
typedef int (*probe_fn)(int argc, char **argv);

static int ret_of(long r)
{
	return r < 0 ? errno : 0;
}

static int ret_fd(long fd)
{
	if (fd < 0)
		return errno;
	close((int)fd);
	return 0;
}

static int p_getppid(int argc, char **argv)
{
	return ret_of(syscall(SYS_getppid));
}

static int do_unshare(int flags)
{
	return ret_of(unshare(flags));
}

static int p_unshare_user(int argc, char **argv)
{
	return do_unshare(CLONE_NEWUSER);
}
static int p_unshare_mount(int argc, char **argv)
{
	return do_unshare(CLONE_NEWNS);
}
static int p_unshare_net(int argc, char **argv)
{
	return do_unshare(CLONE_NEWNET);
}
static int p_unshare_pid(int argc, char **argv)
{
	return do_unshare(CLONE_NEWPID);
}
static int p_unshare_ipc(int argc, char **argv)
{
	return do_unshare(CLONE_NEWIPC);
}
static int p_unshare_uts(int argc, char **argv)
{
	return do_unshare(CLONE_NEWUTS);
}
static int p_unshare_cgroup(int argc, char **argv)
{
	return do_unshare(CLONE_NEWCGROUP);
}
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
static int p_unshare_time(int argc, char **argv)
{
	return do_unshare(CLONE_NEWTIME);
}

/* clone(2) itself, since seccomp profiles filter its flags argument separately from
 * unshare(2). The child exits at once. */
static int p_clone_newuser(int argc, char **argv)
{
	long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), NULL, NULL, NULL, NULL);
	if (pid < 0)
		return errno;
	if (pid == 0)
		syscall(SYS_exit_group, 0);
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

static int p_keyctl(int argc, char **argv)
{
	return ret_of(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
}

/* The key lands in the process keyring, which goes away when we exit. */
static int p_add_key(int argc, char **argv)
{
	return ret_of(syscall(SYS_add_key, "user", "kk-probe", "x", (size_t)1, KEY_SPEC_PROCESS_KEYRING));
}

/* Invalid flags: checked after CAP_SYS_BOOT, so EINVAL means permitted. */
static int p_kexec(int argc, char **argv)
{
	return ret_of(syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xfff00000UL));
}

static int p_kexec_file(int argc, char **argv)
{
	return ret_of(syscall(SYS_kexec_file_load, -1, -1, 0UL, NULL, 0xfff00000UL));
}

/* PTRACE_TRACEME in a child, so the probe itself is not traced. */
static int p_ptrace(int argc, char **argv)
{
	int st = 0;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

/* A well-formed but bogus handle (inode 0): without CAP_DAC_READ_SEARCH EPERM; with it the
 * decode fails (ESTALE or similar). Nothing is opened. */
static int p_open_by_handle_at(int argc, char **argv)
{
	struct {
		unsigned int handle_bytes;
		int handle_type;
		unsigned char f_handle[8];
	} h = {.handle_bytes = 8, .handle_type = 1 /* FILEID_INO32_GEN */};
	return ret_fd(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY));
}

static int p_chroot(int argc, char **argv)
{
	return ret_of(chroot(argc > 2 ? argv[2] : "/"));
}

/* Bind mount of a missing source onto "/": the capability check comes first (EPERM), the
 * source lookup after (ENOENT), so nothing is ever mounted. */
static int p_mount(int argc, char **argv)
{
	return ret_of(mount(NOPATH, "/", NULL, MS_BIND, NULL));
}

static int p_bpf(int argc, char **argv)
{
	union {
		unsigned int map_type;
		char pad[128];
	} attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = 1; /* BPF_MAP_TYPE_HASH, key/value size 0: invalid */
	return ret_fd(syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, &attr, sizeof(attr)));
}

static int p_perf_event_open(int argc, char **argv)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return ret_fd(syscall(SYS_perf_event_open, &a, 0, -1, -1, 0UL));
}

static int p_userfaultfd(int argc, char **argv)
{
	return ret_fd(syscall(SYS_userfaultfd, O_CLOEXEC));
}

static int p_io_uring(int argc, char **argv)
{
	char params[120]; /* struct io_uring_params */
	memset(params, 0, sizeof(params));
	return ret_fd(syscall(SYS_io_uring_setup, 1U, params));
}

static int p_init_module(int argc, char **argv)
{
	return ret_of(syscall(SYS_init_module, NULL, 0UL, ""));
}

static int p_finit_module(int argc, char **argv)
{
	return ret_of(syscall(SYS_finit_module, -1, "", 0));
}

static int p_delete_module(int argc, char **argv)
{
	return ret_of(syscall(SYS_delete_module, "kk_probe_no_such_module", O_NONBLOCK));
}

/* Wrong magic: checked after CAP_SYS_BOOT, so EINVAL means permitted. */
static int p_reboot(int argc, char **argv)
{
	return ret_of(syscall(SYS_reboot, 0, 0, 0, NULL));
}

static int p_swapon(int argc, char **argv)
{
	return ret_of(swapon(NOPATH, 0));
}

static int p_acct(int argc, char **argv)
{
	return ret_of(acct(NOPATH));
}

/* Invalid nanoseconds: EINVAL once past seccomp (the range check precedes CAP_SYS_TIME). */
static int p_clock_settime(int argc, char **argv)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 2000000000L};
	return ret_of(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
}

static int p_syslog(int argc, char **argv)
{
	return ret_of(klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0));
}

static int p_socket_raw(int argc, char **argv)
{
	return ret_fd(socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
}

static int p_socket_packet(int argc, char **argv)
{
	return ret_fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
}

static int p_bind_low(int argc, char **argv)
{
	int port = argc > 2 ? atoi(argv[2]) : 80, r;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	sa.sin_addr.s_addr = htonl(INADDR_ANY);
	r = ret_of(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	return r;
}

static int p_setuid(int argc, char **argv)
{
	return ret_of(setuid((uid_t)strtoul(argc > 2 ? argv[2] : "0", NULL, 10)));
}

static int p_kill(int argc, char **argv)
{
	if (argc < 3)
		return EINVAL;
	return ret_of(kill((pid_t)atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 0));
}

static int p_mknod(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/tmp/kk-probe-null";
	if (mknod(path, S_IFCHR | 0600, makedev(1, 3)) < 0)
		return errno;
	unlink(path);
	return 0;
}

static int p_chown(int argc, char **argv)
{
	if (argc < 5)
		return EINVAL;
	return ret_of(chown(argv[2], (uid_t)strtoul(argv[3], NULL, 10), (gid_t)strtoul(argv[4], NULL, 10)));
}

/* open PATH [r|w]: open (never create or truncate) and close. */
static int p_open(int argc, char **argv)
{
	if (argc < 3)
		return EINVAL;
	int flags = argc > 3 && argv[3][0] == 'w' ? O_WRONLY : O_RDONLY;
	return ret_fd(open(argv[2], flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
}

static int p_personality(int argc, char **argv)
{
	unsigned long v = argc > 2 ? strtoul(argv[2], NULL, 0) : 0xffffffffUL;
	return ret_of(syscall(SYS_personality, v));
}

/* Lower our own nice value by one: needs CAP_SYS_NICE (or RLIMIT_NICE). */
static int p_nice(int argc, char **argv)
{
	errno = 0;
	int cur = getpriority(PRIO_PROCESS, 0);
	if (cur == -1 && errno)
		return errno;
	return ret_of(setpriority(PRIO_PROCESS, 0, cur - 1));
}

/* Raise our own RLIMIT_NOFILE hard limit by one: needs CAP_SYS_RESOURCE. */
static int p_rlimit_raise(int argc, char **argv)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return errno;
	if (rl.rlim_max == RLIM_INFINITY)
		return 0;
	rl.rlim_max++;
	return ret_of(setrlimit(RLIMIT_NOFILE, &rl));
}

static const struct probe {
	const char *name, *usage, *meaning;
	probe_fn fn;
} probes[] = {
    {"getppid", "", "always allowed", p_getppid},
    {"unshare-user", "", "new user namespace", p_unshare_user},
    {"unshare-mount", "", "new mount namespace (CAP_SYS_ADMIN)", p_unshare_mount},
    {"unshare-net", "", "new network namespace (CAP_SYS_ADMIN)", p_unshare_net},
    {"unshare-pid", "", "new pid namespace (CAP_SYS_ADMIN)", p_unshare_pid},
    {"unshare-ipc", "", "new ipc namespace (CAP_SYS_ADMIN)", p_unshare_ipc},
    {"unshare-uts", "", "new uts namespace (CAP_SYS_ADMIN)", p_unshare_uts},
    {"unshare-cgroup", "", "new cgroup namespace (CAP_SYS_ADMIN)", p_unshare_cgroup},
    {"unshare-time", "", "new time namespace (CAP_SYS_ADMIN)", p_unshare_time},
    {"clone-newuser", "", "clone(CLONE_NEWUSER)", p_clone_newuser},
    {"keyctl", "", "keyctl(GET_KEYRING_ID, session)", p_keyctl},
    {"add_key", "", "add_key to the process keyring", p_add_key},
    {"kexec", "", "EPERM: refused; EINVAL: permitted (bad flags)", p_kexec},
    {"kexec_file", "", "EPERM: refused; EINVAL/EBADF: permitted", p_kexec_file},
    {"ptrace", "", "PTRACE_TRACEME in a child", p_ptrace},
    {"open_by_handle_at", "", "EPERM: refused; ESTALE etc.: permitted (bogus handle)", p_open_by_handle_at},
    {"chroot", "[DIR]", "chroot(DIR, default /) (CAP_SYS_CHROOT)", p_chroot},
    {"mount", "", "EPERM: refused; ENOENT: permitted (missing bind source)", p_mount},
    {"bpf", "", "EPERM: refused; EINVAL: permitted (bad map)", p_bpf},
    {"perf_event_open", "", "software counter on self", p_perf_event_open},
    {"userfaultfd", "", "userfaultfd(O_CLOEXEC)", p_userfaultfd},
    {"io_uring", "", "io_uring_setup(1)", p_io_uring},
    {"init_module", "", "EPERM: refused; other: permitted (empty image)", p_init_module},
    {"finit_module", "", "EPERM: refused; EBADF: permitted", p_finit_module},
    {"delete_module", "", "EPERM: refused; ENOENT: permitted", p_delete_module},
    {"reboot", "", "EPERM: refused; EINVAL: permitted (bad magic)", p_reboot},
    {"swapon", "", "EPERM: refused; ENOENT: permitted", p_swapon},
    {"acct", "", "EPERM: refused; ENOENT: permitted", p_acct},
    {"clock_settime", "", "EPERM: refused by seccomp; EINVAL: reached the kernel", p_clock_settime},
    {"syslog", "", "klogctl(SIZE_BUFFER) (CAP_SYSLOG or dmesg_restrict=0)", p_syslog},
    {"socket-raw", "", "AF_INET SOCK_RAW (CAP_NET_RAW)", p_socket_raw},
    {"socket-packet", "", "AF_PACKET SOCK_RAW (CAP_NET_RAW)", p_socket_packet},
    {"bind-low", "[PORT]", "bind TCP PORT (default 80): EACCES without CAP_NET_BIND_SERVICE", p_bind_low},
    {"setuid", "[UID]", "setuid(UID, default 0)", p_setuid},
    {"kill", "PID [SIG]", "kill(PID, SIG default 0)", p_kill},
    {"mknod", "[PATH]", "char device 1:3 at PATH (default /tmp/kk-probe-null), removed again", p_mknod},
    {"chown", "PATH UID GID", "chown(PATH)", p_chown},
    {"open", "PATH [r|w]", "open for reading or writing (no create, no truncate)", p_open},
    {"personality", "[VALUE]", "personality(VALUE, default query)", p_personality},
    {"nice", "", "lower our nice value by one (CAP_SYS_NICE)", p_nice},
    {"rlimit-raise", "", "raise RLIMIT_NOFILE hard by one (CAP_SYS_RESOURCE)", p_rlimit_raise},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: kk-probe PROBE [ARGS]   (kk-probe list: all probes)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "list") == 0) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
			printf("%-18s %-14s %s\n", probes[i].name, probes[i].usage, probes[i].meaning);
		return 0;
	}
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strcmp(argv[1], probes[i].name) != 0)
			continue;
		int e = probes[i].fn(argc, argv);
		if (e == 0) {
			puts("ok");
			return 0;
		}
		const char *n = strerrorname_np(e);
		if (n)
			printf("errno=%s\n", n);
		else
			printf("errno=%d\n", e);
		return 1;
	}
	fprintf(stderr, "kk-probe: unknown probe '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
