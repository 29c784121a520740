/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-workload: what an ordinary program does, each step checked, so that a seccomp profile
 * that breaks ordinary programs shows up as a named failure instead of a mysterious crash.
 *
 * Threads, fork, exec, posix_spawn, pipes, Unix and loopback TCP/UDP sockets (lo is brought
 * up when it is down and CAP_NET_ADMIN allows it), fd passing, mmap/mprotect/mremap/madvise,
 * memfd, signals (handlers, masks, signalfd, sigtimedwait, alarm), timers (nanosleep, POSIX
 * timers, timerfd, itimers), poll/select/epoll/eventfd, files and directories, xattrs on
 * tmpfs-backed /tmp when supported, inotify, futexes, System V and POSIX IPC, resource
 * limits, scheduling, getrandom.
 *
 * Prints one line per failed check ("FAIL name: strerror (errno N)") and at the end
 * "kk-workload: N checks, M failed"; exits 1 if any failed. `kk-workload --child` is what it
 * execs to test execve. `kk-workload --sigsys` calls getppid(2) with a SIGSYS handler and
 * prints what the handler saw ("SIGSYS si_code=SYS_SECCOMP si_syscall=getppid"), for
 * SCMP_ACT_TRAP. Static, so it needs nothing from the image. */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/select.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int n_checks, n_failed;
static const char *self_path = "/proc/self/exe";

/* ok(name, cond): cond true = passed; else report errno as it is now. */
static void check(const char *name, int cond)
{
	int e = errno;
	n_checks++;
	if (cond)
		return;
	n_failed++;
	printf("FAIL %s: %s (errno %d)\n", name, strerror(e), e);
	fflush(stdout);
}

#define CHECK_OK(name, expr) check(name, (expr) >= 0)

/* --- threads and futexes ------------------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int counter;
static __thread int tls_value;

static void *thread_main(void *arg)
{
	tls_value = (int)(long)arg;
	pthread_mutex_lock(&mu);
	counter += tls_value;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return (void *)(long)(tls_value * 2);
}

static void test_threads(void)
{
	pthread_t t[4];
	int created = 0;
	long sum = 0;

	tls_value = 100;
	for (long i = 0; i < 4; i++) {
		int r = pthread_create(&t[i], NULL, thread_main, (void *)(i + 1));
		errno = r;
		check("pthread_create", r == 0);
		if (r == 0)
			created++;
	}
	for (int i = 0; i < created; i++) {
		void *ret = NULL;
		int r = pthread_join(t[i], &ret);
		errno = r;
		check("pthread_join", r == 0);
		sum += (long)ret;
	}
	errno = 0;
	check("threads ran with their own TLS", created == 4 && counter == 10 && sum == 20 && tls_value == 100);

	/* A timed condition wait: futex with a timeout. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mu);
	int r = pthread_cond_timedwait(&cv, &mu, &ts);
	pthread_mutex_unlock(&mu);
	errno = r;
	check("pthread_cond_timedwait times out", r == ETIMEDOUT);
}

/* --- processes ----------------------------------------------------------------------------- */

static void test_processes(void)
{
	int st = 0;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	check("fork", pid > 0);
	if (pid > 0)
		check("waitpid", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7);

	pid = fork();
	if (pid == 0) {
		char *args[] = {"kk-workload", "--child", NULL};
		execve(self_path, args, environ);
		_exit(126);
	}
	check("fork for execve", pid > 0);
	if (pid > 0)
		check("execve of itself", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42);

	char *args[] = {"kk-workload", "--child", NULL};
	int r = posix_spawn(&pid, self_path, NULL, NULL, args, environ);
	errno = r;
	check("posix_spawn", r == 0);
	if (r == 0)
		check("posix_spawn child exit", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42);

	pid = vfork();
	if (pid == 0)
		_exit(3);
	check("vfork", pid > 0 && waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 3);

	siginfo_t si;
	pid = fork();
	if (pid == 0)
		_exit(5);
	check("waitid", pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED) == 0 && si.si_status == 5);

	check("getpid/getppid/gettid", getpid() > 0 && getppid() >= 0 && syscall(SYS_gettid) > 0);
	/* In a child: the container's init may be a session leader (runc makes it one), and a
	 * session leader cannot change its process group. */
	pid = fork();
	if (pid == 0)
		_exit(setpgid(0, 0) == 0 && getpgid(0) == getpid() ? 0 : errno);
	st = 0;
	errno = pid > 0 && waitpid(pid, &st, 0) == pid ? WEXITSTATUS(st) : errno;
	check("setpgid/getpgid", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	check("getsid", getsid(0) >= 0); /* 0 when the session leader is outside the pid namespace */
	check("prctl PR_SET_NAME", prctl(PR_SET_NAME, "kk-workload", 0, 0, 0) == 0);
	struct rlimit rl;
	check("getrlimit/setrlimit", getrlimit(RLIMIT_NOFILE, &rl) == 0 && setrlimit(RLIMIT_NOFILE, &rl) == 0);
	check("prlimit", prlimit(0, RLIMIT_CORE, NULL, &rl) == 0);
	struct rusage ru;
	check("getrusage", getrusage(RUSAGE_SELF, &ru) == 0);
	cpu_set_t set;
	check("sched_getaffinity", sched_getaffinity(0, sizeof(set), &set) == 0);
	check("sched_yield", sched_yield() == 0);
	check("sched_getscheduler", sched_getscheduler(0) >= 0);
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, 0);
	check("getpriority/setpriority", errno == 0 && setpriority(PRIO_PROCESS, 0, prio < 19 ? prio + 1 : prio) == 0);
	unsigned cpu;
	check("getcpu", syscall(SYS_getcpu, &cpu, NULL, NULL) == 0);
	check("personality query", syscall(SYS_personality, 0xffffffffUL) >= 0);
	struct utsname u;
	struct sysinfo info;
	check("uname/sysinfo", uname(&u) == 0 && sysinfo(&info) == 0);
	char rnd[16];
	check("getrandom", getrandom(rnd, sizeof(rnd), 0) == (ssize_t)sizeof(rnd));
	check("getuid/getgid/getgroups", getuid() != (uid_t)-1 && getgid() != (gid_t)-1 && getgroups(0, NULL) >= 0);
	check("setresuid to itself", setresuid((uid_t)-1, (uid_t)-1, (uid_t)-1) == 0);
	umask(022);
	check("umask", umask(022) == 022);
}

/* --- memory -------------------------------------------------------------------------------- */

static void test_memory(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, (size_t)page * 4, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check("mmap", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	memset(p, 1, (size_t)page * 4);
	check("mprotect", mprotect(p, (size_t)page, PROT_READ) == 0);
	check("madvise", madvise(p + page, (size_t)page, MADV_DONTNEED) == 0);
	check("mlock/munlock", mlock(p + 2 * page, (size_t)page) == 0 && munlock(p + 2 * page, (size_t)page) == 0);
	check("msync", msync(p, (size_t)page, MS_ASYNC) == 0);
	unsigned char vec[4];
	check("mincore", mincore(p, (size_t)page * 4, vec) == 0);
	/* mremap needs one mapping: undo the split mprotect made. */
	check("mprotect back", mprotect(p, (size_t)page, PROT_READ | PROT_WRITE) == 0);
	char *q = mremap(p, (size_t)page * 4, (size_t)page * 8, MREMAP_MAYMOVE);
	check("mremap", q != MAP_FAILED);
	if (q != MAP_FAILED)
		p = q;
	check("munmap", munmap(p, (size_t)page * 8) == 0);
	check("brk via malloc", malloc(1 << 20) != NULL);

	int fd = (int)syscall(SYS_memfd_create, "kk", MFD_CLOEXEC);
	check("memfd_create", fd >= 0);
	if (fd >= 0) {
		check("ftruncate memfd", ftruncate(fd, page) == 0);
		char *m = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		check("mmap memfd shared", m != MAP_FAILED);
		if (m != MAP_FAILED)
			munmap(m, (size_t)page);
		close(fd);
	}
}

/* --- signals ------------------------------------------------------------------------------- */

static volatile sig_atomic_t got_usr1, got_alrm;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

static void on_alrm(int sig)
{
	got_alrm = 1;
}

static void test_signals(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigset_t set, old;

	sigemptyset(&sa.sa_mask);
	check("sigaction", sigaction(SIGUSR1, &sa, NULL) == 0);
	check("kill self", kill(getpid(), SIGUSR1) == 0);
	check("handler ran", got_usr1 == 1);
	check("tgkill", syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), 0) == 0);

	stack_t ss = {.ss_sp = malloc(65536), .ss_size = 65536};
	check("sigaltstack", ss.ss_sp && sigaltstack(&ss, NULL) == 0);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	check("sigprocmask", sigprocmask(SIG_BLOCK, &set, &old) == 0);
	raise(SIGUSR2);
	sigset_t pending;
	check("sigpending", sigpending(&pending) == 0 && sigismember(&pending, SIGUSR2));
	struct timespec zero = {0, 0};
	check("sigtimedwait", sigtimedwait(&set, NULL, &zero) == SIGUSR2);

	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	check("signalfd", sfd >= 0);
	if (sfd >= 0) {
		struct signalfd_siginfo si;
		raise(SIGUSR2);
		check("read signalfd", read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGUSR2);
		close(sfd);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);

	struct sigaction sa2 = {.sa_handler = on_alrm};
	sigemptyset(&sa2.sa_mask);
	sigaction(SIGALRM, &sa2, NULL);
	struct itimerval it = {.it_value = {0, 1000}};
	check("setitimer", setitimer(ITIMER_REAL, &it, NULL) == 0);
	for (int i = 0; i < 1000 && !got_alrm; i++)
		usleep(1000);
	check("SIGALRM from setitimer", got_alrm == 1);
	got_alrm = 0;
	alarm(0);
}

/* --- time ---------------------------------------------------------------------------------- */

static void test_time(void)
{
	struct timespec ts, res;
	check("clock_gettime", clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && clock_gettime(CLOCK_REALTIME, &ts) == 0);
	check("clock_getres", clock_getres(CLOCK_MONOTONIC, &res) == 0);
	struct timeval tv;
	check("gettimeofday", gettimeofday(&tv, NULL) == 0);
	check("time", time(NULL) > 0);
	struct timespec d = {0, 100000};
	check("nanosleep", nanosleep(&d, NULL) == 0);
	check("clock_nanosleep", clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL) == 0);

	timer_t t;
	struct sigevent sev = {.sigev_notify = SIGEV_NONE};
	check("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
	struct itimerspec its = {.it_value = {1, 0}}, cur;
	check("timer_settime/gettime/delete",
	      timer_settime(t, 0, &its, NULL) == 0 && timer_gettime(t, &cur) == 0 && timer_delete(t) == 0);

	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	check("timerfd_create", tfd >= 0);
	if (tfd >= 0) {
		struct itimerspec one = {.it_value = {0, 1000000}};
		uint64_t n = 0;
		check("timerfd_settime", timerfd_settime(tfd, 0, &one, NULL) == 0);
		check("read timerfd", read(tfd, &n, sizeof(n)) == sizeof(n) && n >= 1);
		close(tfd);
	}
}

/* --- fds: pipes, poll, epoll, eventfd, splice ------------------------------------------------ */

static void test_fds(void)
{
	int p[2], q[2];
	char buf[64];

	check("pipe2", pipe2(p, O_CLOEXEC) == 0);
	check("pipe", pipe(q) == 0);
	check("write pipe", write(p[1], "hello", 5) == 5);
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	check("poll", poll(&pf, 1, 1000) == 1 && (pf.revents & POLLIN));
	struct timespec zero = {0, 0};
	check("ppoll", ppoll(&pf, 1, &zero, NULL) == 1);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	struct timeval tv = {1, 0};
	check("select", select(p[0] + 1, &rs, NULL, NULL, &tv) == 1);
	check("pselect", pselect(p[0] + 1, &rs, NULL, NULL, &zero, NULL) == 1);
	int avail = 0;
	check("ioctl FIONREAD", ioctl(p[0], FIONREAD, &avail) == 0 && avail == 5);
	check("splice pipe to pipe", splice(p[0], NULL, q[1], NULL, 5, 0) == 5);
	check("read spliced data", read(q[0], buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	check("epoll_create1", ep >= 0);
	int ev = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	check("eventfd", ev >= 0);
	if (ep >= 0 && ev >= 0) {
		struct epoll_event e = {.events = EPOLLIN, .data.fd = ev}, out;
		uint64_t one = 1;
		check("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) == 0);
		check("write eventfd", write(ev, &one, sizeof(one)) == sizeof(one));
		check("epoll_wait", epoll_wait(ep, &out, 1, 1000) == 1 && out.data.fd == ev);
		sigset_t none;
		sigemptyset(&none);
		check("epoll_pwait", epoll_pwait(ep, &out, 1, 0, &none) == 1);
	}
	int d = dup(p[0]);
	check("dup/dup2/dup3", d >= 0 && dup2(d, d + 10) == d + 10 && dup3(d, d + 11, O_CLOEXEC) == d + 11);
	check("fcntl",
	      fcntl(d, F_SETFD, FD_CLOEXEC) == 0 && fcntl(d, F_GETFL) >= 0 && fcntl(d, F_DUPFD_CLOEXEC, 0) >= 0);
	check("close_range (or its fallback)", syscall(SYS_close_range, d + 10, d + 11, 0) == 0 || errno == ENOSYS);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(ep);
	close(ev);
}

/* --- files --------------------------------------------------------------------------------- */

static void test_files(void)
{
	char dir[] = "/tmp/kk-workload.XXXXXX", path[128], path2[128], buf[64];
	struct stat st;

	check("mkdtemp", mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/f", dir);
	snprintf(path2, sizeof(path2), "%s/g", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	check("open O_CREAT", fd >= 0);
	if (fd < 0)
		return;
	check("write", write(fd, "0123456789", 10) == 10);
	check("pwrite/pread", pwrite(fd, "ab", 2, 2) == 2 && pread(fd, buf, 4, 0) == 4 && memcmp(buf, "01ab", 4) == 0);
	struct iovec iov[2] = {{buf, 3}, {buf + 3, 3}};
	check("lseek/readv", lseek(fd, 0, SEEK_SET) == 0 && readv(fd, iov, 2) == 6);
	check("fstat", fstat(fd, &st) == 0 && st.st_size == 10);
	check("fsync/fdatasync", fsync(fd) == 0 && fdatasync(fd) == 0);
	check("ftruncate", ftruncate(fd, 4) == 0);
	check("fallocate", fallocate(fd, 0, 0, 4096) == 0 || errno == EOPNOTSUPP);
	check("flock", flock(fd, LOCK_EX) == 0 && flock(fd, LOCK_UN) == 0);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	check("fcntl lock", fcntl(fd, F_SETLK, &fl) == 0);
	check("fchmod/fchown", fchmod(fd, 0640) == 0 && fchown(fd, getuid(), getgid()) == 0);
	struct timespec times[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	check("futimens", futimens(fd, times) == 0);
	if (fsetxattr(fd, "user.kk", "1", 1, 0) == 0)
		check("fgetxattr", fgetxattr(fd, "user.kk", buf, sizeof(buf)) == 1);
	else
		check("fsetxattr (EOPNOTSUPP allowed)", errno == EOPNOTSUPP || errno == ENOTSUP);
	close(fd);

	struct statx stx;
	check("statx", statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) == 0);
	check("stat/lstat", stat(path, &st) == 0 && lstat(path, &st) == 0);
	check("access/faccessat", access(path, R_OK) == 0 && faccessat(AT_FDCWD, path, R_OK, AT_EACCESS) == 0);
	check("rename", rename(path, path2) == 0);
	check("link", link(path2, path) == 0);
	snprintf(buf, sizeof(buf), "%s/l", dir);
	check("symlink/readlink", symlink("g", buf) == 0 && readlink(buf, path, sizeof(path)) == 1);
	snprintf(path, sizeof(path), "%s/f", dir);
	check("chmod/chown", chmod(path2, 0600) == 0 && lchown(buf, getuid(), getgid()) == 0);
	check("utimensat", utimensat(AT_FDCWD, path2, NULL, 0) == 0);
	check("truncate", truncate(path2, 1) == 0);
	snprintf(path, sizeof(path), "%s/sub", dir);
	check("mkdir", mkdir(path, 0700) == 0);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	check("open directory", dfd >= 0);
	if (dfd >= 0) {
		char dents[4096];
		check("getdents64", syscall(SYS_getdents64, dfd, dents, sizeof(dents)) > 0);
		check("fstatat/openat/unlinkat", fstatat(dfd, "g", &st, 0) == 0 &&
						     openat(dfd, "g", O_RDONLY | O_CLOEXEC) >= 0 &&
						     unlinkat(dfd, "l", 0) == 0);
		check("fchdir/getcwd", fchdir(dfd) == 0 && getcwd(buf, sizeof(buf)) != NULL && chdir("/") == 0);
		close(dfd);
	}
	int in = inotify_init1(IN_CLOEXEC);
	check("inotify", in >= 0 && inotify_add_watch(in, dir, IN_CREATE) >= 0);
	if (in >= 0)
		close(in);
	check("rmdir/unlink", rmdir(path) == 0 && unlink(path2) == 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	check("unlink hard link", unlink(path) == 0);
	check("rmdir tmp", rmdir(dir) == 0);

	int fd2 = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	check("read /proc/self/status", fd2 >= 0 && read(fd2, buf, sizeof(buf)) > 0);
	if (fd2 >= 0)
		close(fd2);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	check("sendfile", null >= 0 && (fd2 = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) >= 0 &&
			      sendfile(null, fd2, NULL, 4096) > 0);
	check("ioctl TCGETS on /dev/null is ENOTTY", ioctl(null, TCGETS, buf) < 0 && errno == ENOTTY);
}

/* --- sockets ------------------------------------------------------------------------------- */

static void lo_up(void)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		check("bring lo up (needs CAP_NET_ADMIN in a new network namespace)",
		      ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
	}
	close(s);
}

static void test_sockets(void)
{
	int sv[2];
	char buf[64];

	check("socketpair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	check("send/recv", send(sv[0], "x", 1, 0) == 1 && recv(sv[1], buf, 1, 0) == 1);
	/* fd passing */
	int pfd[2];
	pipe2(pfd, O_CLOEXEC);
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl = {0};
	struct iovec iov = {.iov_base = "f", .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pfd[0], sizeof(int));
	check("sendmsg SCM_RIGHTS", sendmsg(sv[0], &mh, 0) == 1);
	char rb[1];
	struct iovec riov = {.iov_base = rb, .iov_len = 1};
	struct msghdr rmh = {.msg_iov = &riov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b)};
	check("recvmsg SCM_RIGHTS", recvmsg(sv[1], &rmh, MSG_CMSG_CLOEXEC) == 1 && CMSG_FIRSTHDR(&rmh));
	close(sv[0]);
	close(sv[1]);

	/* A named unix socket. */
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	snprintf(un.sun_path, sizeof(un.sun_path), "/tmp/kk-workload-%d.sock", getpid());
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	check("bind/listen AF_UNIX",
	      ls >= 0 && bind(ls, (struct sockaddr *)&un, sizeof(un)) == 0 && listen(ls, 1) == 0);
	int cs = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	check("connect/accept AF_UNIX", cs >= 0 && connect(cs, (struct sockaddr *)&un, sizeof(un)) == 0 &&
					    accept4(ls, NULL, NULL, SOCK_CLOEXEC) >= 0);
	unlink(un.sun_path);
	close(ls);
	close(cs);

	/* TCP and UDP on loopback. */
	lo_up();
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int one = 1;
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	check("socket AF_INET", t >= 0);
	check("setsockopt/getsockopt", setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
					   getsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, &len) == 0);
	len = sizeof(sa);
	check("bind/listen 127.0.0.1", bind(t, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(t, 4) == 0 &&
					   getsockname(t, (struct sockaddr *)&sa, &len) == 0);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool connected = c >= 0 && connect(c, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	check("connect 127.0.0.1", connected);
	if (!connected) {
		close(c);
		close(t);
		return;
	}
	int a = accept4(t, NULL, NULL, SOCK_CLOEXEC);
	check("accept4", a >= 0);
	check("TCP round trip", write(c, "ping", 4) == 4 && read(a, buf, 4) == 4 && memcmp(buf, "ping", 4) == 0);
	struct sockaddr_in peer;
	len = sizeof(peer);
	check("getpeername", getpeername(c, (struct sockaddr *)&peer, &len) == 0);
	check("shutdown", shutdown(c, SHUT_WR) == 0 && read(a, buf, 4) == 0);
	close(a);
	close(c);
	close(t);

	int u1 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), u2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in ua = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	len = sizeof(ua);
	check("UDP bind", u1 >= 0 && u2 >= 0 && bind(u1, (struct sockaddr *)&ua, sizeof(ua)) == 0 &&
			      getsockname(u1, (struct sockaddr *)&ua, &len) == 0);
	struct timeval rto = {2, 0};
	setsockopt(u1, SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof(rto));
	check("sendto/recvfrom", sendto(u2, "d", 1, 0, (struct sockaddr *)&ua, sizeof(ua)) == 1 &&
				     recvfrom(u1, buf, 1, 0, NULL, NULL) == 1);
	struct mmsghdr mm = {.msg_hdr = {.msg_iov = &iov, .msg_iovlen = 1, .msg_name = &ua, .msg_namelen = sizeof(ua)}};
	check("sendmmsg", sendmmsg(u2, &mm, 1, 0) == 1);
	close(u1);
	close(u2);
}

/* --- IPC ----------------------------------------------------------------------------------- */

static void test_ipc(void)
{
	int shm = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	check("shmget", shm >= 0);
	if (shm >= 0) {
		void *p = shmat(shm, NULL, 0);
		check("shmat/shmdt", p != (void *)-1 && shmdt(p) == 0);
		check("shmctl IPC_RMID", shmctl(shm, IPC_RMID, NULL) == 0);
	}
	int sem = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	struct sembuf op = {0, 1, 0};
	check("semget/semop/semctl", sem >= 0 && semop(sem, &op, 1) == 0 && semctl(sem, 0, IPC_RMID) == 0);
	int mq = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	check("msgget/msgctl", mq >= 0 && msgctl(mq, IPC_RMID, NULL) == 0);
	char name[64];
	snprintf(name, sizeof(name), "/kk-workload-%d", getpid());
	struct mq_attr attr = {.mq_maxmsg = 4, .mq_msgsize = 16};
	mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
	check("mq_open", q != (mqd_t)-1);
	if (q != (mqd_t)-1) {
		char m[16];
		check("mq_send/mq_receive", mq_send(q, "m", 1, 0) == 0 && mq_receive(q, m, sizeof(m), NULL) == 1);
		mq_close(q);
		check("mq_unlink", mq_unlink(name) == 0);
	}
}

/* --sigsys: what SCMP_ACT_TRAP delivers for getppid(2). */
static volatile sig_atomic_t sigsys_code = -1, sigsys_nr = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	sigsys_code = si->si_code;
	sigsys_nr = si->si_syscall;
}

static int trap_getppid(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0)
		return 1;
	long r = syscall(SYS_getppid);
	if (sigsys_code < 0) {
		printf("no SIGSYS: getppid returned %ld\n", r);
		return 1;
	}
	printf("SIGSYS si_code=%s si_syscall=%s\n", sigsys_code == 1 /* SYS_SECCOMP */ ? "SYS_SECCOMP" : "other",
	       sigsys_nr == SYS_getppid ? "getppid" : "other");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--child") == 0)
		return 42;
	if (argc > 1 && strcmp(argv[1], "--sigsys") == 0)
		return trap_getppid();
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_threads();
	test_processes();
	test_memory();
	test_signals();
	test_time();
	test_fds();
	test_files();
	test_sockets();
	test_ipc();
	printf("kk-workload: %d checks, %d failed\n", n_checks, n_failed);
	return n_failed ? 1 : 0;
}
