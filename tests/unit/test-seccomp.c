/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiles filters from hand-built struct oci_seccomp and installs them in forked children;
 * each child reports what it saw through its exit status. */
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/seccomp.h"
#include "tap.h"

/* Exit codes of children. */
enum { C_OK = 0, C_INSTALL = 90, C_WRONG = 91, C_OTHER = 92 };

static struct seccomp_prog *compile_or_null(const struct oci_seccomp *s)
{
	struct seccomp_prog *p = NULL;
	int r = seccomp_compile(s, &p);
	if (r < 0) {
		printf("#   seccomp_compile failed: %s\n", strerror(-r));
		return NULL;
	}
	return p;
}

/* Fork; in the child set no_new_privs, install prog and return fn()'s value as the exit
 * status. Returns the exit status, or 128+signal. */
static int run_filtered(struct seccomp_prog *prog, int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int lfd;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(C_INSTALL);
		if (seccomp_install(prog, &lfd) < 0)
			_exit(C_INSTALL);
		_exit(fn());
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Returns errno of a failed call, 0 on success. */
static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

static int do_uname(void)
{
	struct utsname u;
	return err_of(syscall(SYS_uname, &u));
}

static int do_getpriority(int which, int who)
{
	return err_of(syscall(SYS_getpriority, which, who));
}

#define NAMES(...) ((char *[]){__VA_ARGS__, NULL})

/* ---- actions ------------------------------------------------------------------------ */

static int child_uname_exdev(void)
{
	if (do_uname() != EXDEV)
		return C_WRONG;
	if (getpid() <= 0 || do_getpriority(PRIO_PROCESS, 0) != 0) /* default ALLOW */
		return C_OTHER;
	return C_OK;
}

TEST(errno_action_returns_errno_ret)
{
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = EXDEV},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p != NULL);
	CHECK(run_filtered(p, child_uname_exdev) == C_OK);
	seccomp_prog_free(p);
}

static int child_uname_eperm(void)
{
	return do_uname() == EPERM ? C_OK : C_WRONG;
}

TEST(errno_action_defaults_to_eperm)
{
	struct oci_seccomp_syscall sc[] = {{.names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO}};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_uname_eperm) == C_OK);
	seccomp_prog_free(p);
}

static int child_default_enosys(void)
{
	if (do_uname() != ENOSYS)
		return C_WRONG;
	if (do_getpriority(PRIO_PROCESS, 0) != 0) /* allowed */
		return C_OTHER;
	return C_OK;
}

TEST(default_errno_ret)
{
	/* Deny by default with ENOSYS; allow what the child (and ASan at exit) needs. */
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("exit_group", "exit", "getpriority", "getpid", "write", "rt_sigreturn", "rt_sigprocmask",
			    "mmap", "munmap", "madvise", "sigaltstack", "prctl", "futex", "gettid", "sched_yield",
			    "close", "openat", "read", "fstat", "newfstatat"),
	     .action = OCI_SCMP_ACT_ALLOW},
	};
	struct oci_seccomp s = {.present = true,
				.default_action = OCI_SCMP_ACT_ERRNO,
				.has_default_errno_ret = true,
				.default_errno_ret = ENOSYS,
				.syscalls = sc,
				.n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_default_enosys) == C_OK);
	seccomp_prog_free(p);
}

static int child_just_uname(void)
{
	do_uname();
	return C_OK;
}

static int action_outcome(int action)
{
	struct oci_seccomp_syscall sc[] = {{.names = NAMES("uname"), .action = action}};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	if (!p)
		return -1;
	int r = run_filtered(p, child_just_uname);
	seccomp_prog_free(p);
	return r;
}

TEST(kill_actions_kill_with_sigsys)
{
	CHECK(action_outcome(OCI_SCMP_ACT_KILL_PROCESS) == 128 + SIGSYS);
	CHECK(action_outcome(OCI_SCMP_ACT_KILL_THREAD) == 128 + SIGSYS); /* single thread */
	CHECK(action_outcome(OCI_SCMP_ACT_KILL) == 128 + SIGSYS);
	CHECK(action_outcome(OCI_SCMP_ACT_TRAP) == 128 + SIGSYS); /* default disposition */
}

static int child_uname_ok(void)
{
	return do_uname() == 0 ? C_OK : C_WRONG;
}

static int child_uname_enosys(void)
{
	return do_uname() == ENOSYS ? C_OK : C_WRONG;
}

TEST(log_allows_and_trace_without_tracer_is_enosys)
{
	struct oci_seccomp_syscall sc[] = {{.names = NAMES("uname"), .action = OCI_SCMP_ACT_LOG}};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_uname_ok) == C_OK);
	seccomp_prog_free(p);

	sc[0].action = OCI_SCMP_ACT_TRACE;
	sc[0].has_errno_ret = true;
	sc[0].errno_ret = 1234;
	p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_uname_enosys) == C_OK);
	seccomp_prog_free(p);
}

TEST(rule_with_default_action_is_skipped)
{
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("getpid"), .action = OCI_SCMP_ACT_ALLOW},
	    {.names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = EXDEV},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 2};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_uname_exdev) == C_OK);
	seccomp_prog_free(p);

	/* Same errno as the default: skipped too; a different one is a real rule. */
	struct oci_seccomp_syscall sc2[] = {
	    {.names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO},
	};
	struct oci_seccomp s2 = {
	    .present = true, .default_action = OCI_SCMP_ACT_ERRNO, .syscalls = sc2, .n_syscalls = 1};
	p = NULL;
	CHECK(seccomp_compile(&s2, &p) == 0 && p);
	seccomp_prog_free(p);
}

TEST(unknown_syscall_names_are_skipped)
{
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("kakuri_no_such_syscall", "uname", "another_bogus_one"),
	     .action = OCI_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV},
	    {.names = NAMES("only_bogus"), .action = OCI_SCMP_ACT_KILL_PROCESS},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 2};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_uname_exdev) == C_OK);
	seccomp_prog_free(p);
}

/* ---- arguments ---------------------------------------------------------------------- */

static int child_prio_eq(void)
{
	if (do_getpriority(PRIO_PROCESS, 0) != 0)
		return C_OTHER;
	if (do_getpriority(PRIO_PGRP, 0) != EXDEV)
		return C_WRONG;
	return C_OK;
}

TEST(args_eq_distinguishes_values)
{
	struct oci_seccomp_arg a[] = {{.index = 0, .value = PRIO_PGRP, .op = OCI_SCMP_CMP_EQ}};
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("getpriority"),
	     .action = OCI_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV,
	     .args = a,
	     .n_args = 1},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_prio_eq) == C_OK);
	seccomp_prog_free(p);
}

static int child_getrandom_masked(void)
{
	char b[4];
	if (err_of(syscall(SYS_getrandom, b, sizeof(b), 0)) != 0)
		return C_OTHER;
	if (err_of(syscall(SYS_getrandom, b, sizeof(b), GRND_NONBLOCK)) != EXDEV)
		return C_WRONG;
	if (err_of(syscall(SYS_getrandom, b, sizeof(b), GRND_NONBLOCK | GRND_RANDOM)) != EXDEV)
		return C_WRONG;
	if (err_of(syscall(SYS_getrandom, b, sizeof(b), GRND_RANDOM)) == EXDEV)
		return C_WRONG;
	return C_OK;
}

TEST(args_masked_eq_uses_value_as_mask)
{
	/* runtime-spec: MASKED_EQ is (arg & value) == valueTwo. */
	struct oci_seccomp_arg a[] = {
	    {.index = 2, .value = GRND_NONBLOCK, .value_two = GRND_NONBLOCK, .op = OCI_SCMP_CMP_MASKED_EQ},
	};
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("getrandom"),
	     .action = OCI_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV,
	     .args = a,
	     .n_args = 1},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_getrandom_masked) == C_OK);
	seccomp_prog_free(p);
}

static int child_prio_or(void)
{
	if (do_getpriority(PRIO_PROCESS, 0) != 0)
		return C_OTHER;
	if (do_getpriority(PRIO_PGRP, 0) != EXDEV || do_getpriority(PRIO_USER, 0) != EXDEV)
		return C_WRONG;
	return C_OK;
}

TEST(args_with_repeated_index_become_separate_rules)
{
	struct oci_seccomp_arg a[] = {
	    {.index = 0, .value = PRIO_PGRP, .op = OCI_SCMP_CMP_EQ},
	    {.index = 0, .value = PRIO_USER, .op = OCI_SCMP_CMP_EQ},
	};
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("getpriority"),
	     .action = OCI_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV,
	     .args = a,
	     .n_args = 2},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_prio_or) == C_OK);
	seccomp_prog_free(p);
}

static int child_prio_and(void)
{
	if (do_getpriority(PRIO_PROCESS, 0) == EXDEV) /* arg1 differs */
		return C_WRONG;
	if (do_getpriority(PRIO_PGRP, 777777) == EXDEV) /* arg0 differs */
		return C_WRONG;
	if (do_getpriority(PRIO_PROCESS, 777777) != EXDEV)
		return C_WRONG;
	return C_OK;
}

TEST(args_on_distinct_indexes_are_anded)
{
	struct oci_seccomp_arg a[] = {
	    {.index = 0, .value = PRIO_PROCESS, .op = OCI_SCMP_CMP_EQ},
	    {.index = 1, .value = 777777, .op = OCI_SCMP_CMP_EQ},
	};
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("getpriority"),
	     .action = OCI_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV,
	     .args = a,
	     .n_args = 2},
	};
	struct oci_seccomp s = {.present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_prio_and) == C_OK);
	seccomp_prog_free(p);
}

/* Bit i set: getpriority(PRIO_PROCESS, 900000 + i - 1) is denied, i = 0..2. */
static int child_deny_pattern(void)
{
	int bits = 0;
	for (int i = 0; i < 3; i++)
		if (do_getpriority(PRIO_PROCESS, 900000 + i - 1) == EXDEV)
			bits |= 1 << i;
	return bits;
}

TEST(args_comparison_operators)
{
	static const struct {
		int op;
		int want; /* bits for who = 899999, 900000, 900001 */
	} cases[] = {
	    {OCI_SCMP_CMP_NE, 0x5}, {OCI_SCMP_CMP_LT, 0x1}, {OCI_SCMP_CMP_LE, 0x3},
	    {OCI_SCMP_CMP_EQ, 0x2}, {OCI_SCMP_CMP_GE, 0x6}, {OCI_SCMP_CMP_GT, 0x4},
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct oci_seccomp_arg a[] = {{.index = 1, .value = 900000, .op = cases[i].op}};
		struct oci_seccomp_syscall sc[] = {
		    {.names = NAMES("getpriority"),
		     .action = OCI_SCMP_ACT_ERRNO,
		     .has_errno_ret = true,
		     .errno_ret = EXDEV,
		     .args = a,
		     .n_args = 1},
		};
		struct oci_seccomp s = {
		    .present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
		struct seccomp_prog *p = compile_or_null(&s);
		int got = p ? run_filtered(p, child_deny_pattern) : -1;
		if (got != cases[i].want)
			printf("#   op %d: got 0x%x, want 0x%x\n", cases[i].op, got, cases[i].want);
		CHECK(got == cases[i].want);
		seccomp_prog_free(p);
	}
}

/* ---- architectures, flags, errors --------------------------------------------------- */

TEST(architectures_and_flags)
{
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = EXDEV},
	};
	struct oci_seccomp s = {
	    .present = true,
	    .default_action = OCI_SCMP_ACT_ALLOW,
	    .syscalls = sc,
	    .n_syscalls = 1,
	    .architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
	    .flags = NAMES("SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
			   "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"),
	};
	struct seccomp_prog *p = compile_or_null(&s);
	CHECK(p && run_filtered(p, child_uname_exdev) == C_OK);
	seccomp_prog_free(p);
}

static void check_compile_error(const struct oci_seccomp *s, const char *msg)
{
	struct seccomp_prog *p = NULL;
	log_set_capture(true);
	CHECK(seccomp_compile(s, &p) == -EINVAL);
	CHECK(p == NULL);
	CHECK_STREQ(log_captured(), msg);
	log_set_capture(false);
}

TEST(errors_name_the_field)
{
	struct oci_seccomp_arg bad_index[] = {{.index = 6, .op = OCI_SCMP_CMP_EQ}};
	struct oci_seccomp_arg bad_op[] = {{.index = 0, .op = 42}};
	struct oci_seccomp_syscall sc[] = {
	    {.names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO},
	};
	struct oci_seccomp s = {.present = true,
				.default_action = OCI_SCMP_ACT_ALLOW,
				.architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_VAX")};
	check_compile_error(&s, "linux.seccomp.architectures[1]: unknown architecture 'SCMP_ARCH_VAX'");

	s = (struct oci_seccomp){
	    .present = true, .default_action = OCI_SCMP_ACT_ALLOW, .flags = NAMES("SECCOMP_FILTER_FLAG_BOGUS")};
	check_compile_error(&s, "linux.seccomp.flags[0]: unknown flag 'SECCOMP_FILTER_FLAG_BOGUS'");

	s = (struct oci_seccomp){.present = true, .default_action = OCI_SCMP_ACT_NOTIFY};
	check_compile_error(&s, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

	sc[0].action = OCI_SCMP_ACT_NOTIFY;
	s = (struct oci_seccomp){
	    .present = true, .default_action = OCI_SCMP_ACT_ALLOW, .syscalls = sc, .n_syscalls = 1};
	check_compile_error(&s, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");

	sc[0] = (struct oci_seccomp_syscall){
	    .names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO, .args = bad_index, .n_args = 1};
	check_compile_error(&s, "linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0-5)");

	sc[0].args = bad_op;
	check_compile_error(&s, "linux.seccomp.syscalls[0].args[0].op: unknown operator 42");

	sc[0] = (struct oci_seccomp_syscall){
	    .names = NAMES("uname"), .action = OCI_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = 70000};
	check_compile_error(&s, "linux.seccomp.syscalls[0].action: errnoRet 70000 is out of range (at most 65535)");

	sc[0] = (struct oci_seccomp_syscall){.names = NAMES("uname"), .action = 99};
	check_compile_error(&s, "linux.seccomp.syscalls[0].action: unknown action 99");
}

TEST(absent_seccomp_compiles_to_null)
{
	struct oci_seccomp s = {.present = false};
	struct seccomp_prog *p = (struct seccomp_prog *)1;
	int fd = 5;
	CHECK(seccomp_compile(&s, &p) == 0);
	CHECK(p == NULL);
	CHECK(seccomp_compile(NULL, &p) == 0 && p == NULL);
	CHECK(seccomp_install(NULL, &fd) == 0);
	CHECK(fd == -EBADF);
	seccomp_prog_free(NULL);
}

/* ---- notify ------------------------------------------------------------------------- */

static int send_fd(int sock, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c = {};
	char x = 'x';
	struct iovec iov = {.iov_base = &x, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof(c.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

/* Receives up to len-1 bytes as a string plus one fd. */
static int recv_fd(int sock, char *buf, size_t len, int *ret_fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c = {};
	struct iovec iov = {.iov_base = buf, .iov_len = len - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b)};
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(ret_fd, CMSG_DATA(cm), sizeof(int));
	return (int)n;
}

static struct seccomp_prog *notify_prog;
static int notify_sock = -1;

static int child_notify(void)
{
	int lfd = -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(notify_prog, &lfd) < 0)
		return C_INSTALL;
	if (lfd < 0 || !(fcntl(lfd, F_GETFD) & FD_CLOEXEC))
		return C_OTHER;
	if (send_fd(notify_sock, lfd) < 0)
		return C_OTHER;
	close(lfd);
	/* Blocks until the agent answers. */
	return do_getpriority(PRIO_PROCESS, 0) == EXDEV ? C_OK : C_WRONG;
}

TEST(notify_listener_fd_reaches_the_agent)
{
	char dir[] = "/tmp/kk-test-seccomp-XXXXXX", path[128], buf[4096];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int sp[2], lsock, conn, fd = -1, fd2 = -1, st = 0;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	strcpy(sa.sun_path, path);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(lsock >= 0 && bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(lsock, 1) == 0);

	struct oci_seccomp_syscall sc[] = {{.names = NAMES("getpriority"), .action = OCI_SCMP_ACT_NOTIFY}};
	struct oci_seccomp s = {.present = true,
				.default_action = OCI_SCMP_ACT_ALLOW,
				.syscalls = sc,
				.n_syscalls = 1,
				.listener_path = path,
				.listener_metadata = "hello=world",
				.flags = NAMES("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_TSYNC")};
	notify_prog = compile_or_null(&s);
	CHECK(notify_prog != NULL);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
	notify_sock = sp[1];

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(child_notify());
	close(sp[1]);

	/* runtime side: gets the fd from the init, hands it to the agent */
	CHECK(recv_fd(sp[0], buf, sizeof(buf), &fd) > 0);
	int agent = seccomp_connect_listener(&s);
	CHECK(agent >= 0);
	CHECK(seccomp_send_listener(
		  &s, agent, fd,
		  "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":4242,\"bundle\":\"/b\"}") ==
	      0);
	close(fd);
	close(agent);

	/* agent side */
	conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
	CHECK(conn >= 0);
	CHECK(recv_fd(conn, buf, sizeof(buf), &fd2) > 0);
	json_object *o = json_tokener_parse(buf), *v, *state;
	CHECK(o != NULL);
	if (o) {
		CHECK(json_object_object_get_ex(o, "ociVersion", &v) && STREQ(json_object_get_string(v), "1.2.0"));
		CHECK(json_object_object_get_ex(o, "fds", &v) && json_object_array_length(v) == 1 &&
		      STREQ(json_object_get_string(json_object_array_get_idx(v, 0)), "seccompFd"));
		CHECK(json_object_object_get_ex(o, "pid", &v) && json_object_get_int(v) == 4242);
		CHECK(json_object_object_get_ex(o, "metadata", &v) && STREQ(json_object_get_string(v), "hello=world"));
		CHECK(json_object_object_get_ex(o, "state", &state) && json_object_object_get_ex(state, "id", &v) &&
		      STREQ(json_object_get_string(v), "c1"));
		json_object_put(o);
	}

	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	memset(&req, 0, sizeof(req));
	CHECK(ioctl(fd2, SECCOMP_IOCTL_NOTIF_RECV, &req) == 0);
	CHECK(req.data.nr == SYS_getpriority);
	CHECK(req.pid == (uint32_t)pid);
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -EXDEV;
	CHECK(ioctl(fd2, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0);

	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == C_OK);
	close(fd2);
	close(conn);
	close(lsock);
	close(sp[0]);
	unlink(path);
	rmdir(dir);
	seccomp_prog_free(TAKE_PTR(notify_prog));
}

TEST(send_listener_errors_name_the_path)
{
	struct oci_seccomp s = {.present = true, .listener_path = "/nonexistent/kakuri-agent.sock"};
	log_set_capture(true);
	CHECK(seccomp_connect_listener(&s) == -ENOENT);
	CHECK_CONTAINS(log_captured(), "linux.seccomp.listenerPath '/nonexistent/kakuri-agent.sock': cannot connect");
	log_set_capture(false);
}

/* ---- timing ------------------------------------------------------------------------- */

TEST(compile_time_of_a_large_allow_list)
{
	char *names[400];
	size_t n = 0;
	for (int nr = 0; nr < 600 && n < 350; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name)
			names[n++] = name;
	}
	names[n] = NULL;
	struct oci_seccomp_arg a[] = {{.index = 0, .value = 0x7E020000, .value_two = 0, .op = OCI_SCMP_CMP_MASKED_EQ}};
	struct oci_seccomp_syscall sc[] = {
	    {.names = names, .action = OCI_SCMP_ACT_ALLOW},
	    {.names = NAMES("clone"), .action = OCI_SCMP_ACT_ALLOW, .args = a, .n_args = 1},
	    {.names = NAMES("kexec_load", "open_by_handle_at"), .action = OCI_SCMP_ACT_ERRNO},
	};
	/* Docker-style: unknown syscalls ENOSYS; three arches. */
	struct oci_seccomp s = {.present = true,
				.default_action = OCI_SCMP_ACT_ERRNO,
				.has_default_errno_ret = true,
				.default_errno_ret = ENOSYS,
				.syscalls = sc,
				.n_syscalls = 3,
				.architectures = NAMES("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")};
	/* clone must not be in the unconditional list for the conditional rule to add. */
	for (size_t i = 0; i < n; i++)
		if (STREQ(names[i], "clone")) {
			free(names[i]);
			names[i] = names[--n];
			names[n] = NULL;
		}

	struct seccomp_prog *p = NULL;
	struct timespec t0, t1;
	double best = 1e9;
	for (int round = 0; round < 5; round++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int r = seccomp_compile(&s, &p);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		CHECK(r == 0 && p);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms < best)
			best = ms;
		if (round < 4)
			seccomp_prog_free(TAKE_PTR(p));
	}
	printf("# seccomp_compile: %zu syscalls, 3 arches: %.2f ms (best of 5)\n", n, best);
	CHECK(p && run_filtered(p, child_uname_ok) == C_OK);
	seccomp_prog_free(p);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
}

TAP_MAIN
