/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "seccomp-record.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "oci/seccomp-profile.h"

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif
#define X32_SYSCALL_BIT 0x40000000

/* The init's two syscalls that the recording filter lets through without a notification,
 * because nobody could answer it yet: sendmsg() handing the listener to the recorder, and
 * exit_group() when that send failed. Both are matched on an argument value no program
 * passes (a flag combination on the socket's fd number; an exit status with high bits set,
 * which the kernel ignores: the status is 126). */
#define RECORD_SEND_FLAGS (MSG_NOSIGNAL | MSG_DONTWAIT | MSG_CONFIRM | MSG_EOR)
#define RECORD_EXIT_MAGIC 0x5ecc007eU

static const struct {
	uint32_t token;
	const char *name;
} arch_names[] = {
    {SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64"},
    {SCMP_ARCH_X86, "SCMP_ARCH_X86"},
    {SCMP_ARCH_X32, "SCMP_ARCH_X32"},
    {SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64"},
    {SCMP_ARCH_ARM, "SCMP_ARCH_ARM"},
    {SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE"},
    {SCMP_ARCH_PPC64, "SCMP_ARCH_PPC64"},
    {SCMP_ARCH_PPC, "SCMP_ARCH_PPC"},
    {SCMP_ARCH_S390X, "SCMP_ARCH_S390X"},
    {SCMP_ARCH_S390, "SCMP_ARCH_S390"},
    {SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64"},
    {SCMP_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64"},
    {SCMP_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL"},
    {SCMP_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32"},
#ifdef SCMP_ARCH_LOONGARCH64
    {SCMP_ARCH_LOONGARCH64, "SCMP_ARCH_LOONGARCH64"},
#endif
};

static const char *arch_name(uint32_t token)
{
	for (size_t i = 0; i < ELEMENTSOF(arch_names); i++)
		if (arch_names[i].token == token)
			return arch_names[i].name;
	return NULL;
}

void seccomp_record_set_add(struct seccomp_record_set *set, uint32_t audit_arch, int nr)
{
	/* x32 shares AUDIT_ARCH_X86_64 and marks its numbers; libseccomp has a token for it. */
	if (audit_arch == AUDIT_ARCH_X86_64 && (nr & X32_SYSCALL_BIT)) {
		audit_arch = SCMP_ARCH_X32;
		nr &= ~X32_SYSCALL_BIT;
	}
	if (nr < 0 || nr >= SECCOMP_RECORD_MAX_NR) {
		set->dropped++;
		return;
	}
	size_t i;
	for (i = 0; i < set->n && set->a[i].arch != audit_arch; i++)
		;
	if (i == set->n) {
		if (set->n == SECCOMP_RECORD_MAX_ARCH) {
			set->dropped++;
			return;
		}
		set->a[set->n++].arch = audit_arch;
	}
	set->a[i].seen[nr / 8] |= (uint8_t)(1u << (nr % 8));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted, unique names of set (strv, caller frees). */
static int observed_names(const struct seccomp_record_set *set, char ***ret)
{
	size_t n = 0, cap = 64;
	char **v = calloc(cap, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t a = 0; a < set->n; a++)
		for (int nr = 0; nr < SECCOMP_RECORD_MAX_NR; nr++) {
			if (!(set->a[a].seen[nr / 8] & (1u << (nr % 8))))
				continue;
			char *name = seccomp_syscall_resolve_num_arch(set->a[a].arch, nr);
			if (!name)
				continue; /* unknown to libseccomp: no name a profile could use */
			if (n + 1 >= cap) {
				char **nv = realloc(v, 2 * cap * sizeof(char *));
				if (!nv) {
					free(name);
					goto oom;
				}
				v = nv;
				cap *= 2;
			}
			v[n++] = name;
		}
	qsort(v, n, sizeof(char *), cmp_str);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (o > 0 && STREQ(v[o - 1], v[i]))
			free(v[i]);
		else
			v[o++] = v[i];
	}
	v[o] = NULL;
	*ret = v;
	return 0;
oom:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

static bool names_contain(json_object *rule, const char *name)
{
	json_object *names, *one;
	if (json_object_object_get_ex(rule, "name", &one) && json_object_is_type(one, json_type_string) &&
	    STREQ(json_object_get_string(one), name))
		return true;
	if (!json_object_object_get_ex(rule, "names", &names) || !json_object_is_type(names, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(names); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(names, i));
		if (s && STREQ(s, name))
			return true;
	}
	return false;
}

static bool nonempty(json_object *rule, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(rule, key, &v) || !v)
		return false;
	if (json_object_is_type(v, json_type_array))
		return json_object_array_length(v) > 0;
	if (json_object_is_type(v, json_type_object))
		return json_object_object_length(v) > 0;
	return true;
}

/* A base rule that restricts its names beyond "allowed": argument tests or conditions. */
static bool rule_is_conditional(json_object *rule)
{
	return nonempty(rule, "args") || nonempty(rule, "includes") || nonempty(rule, "excludes");
}

/* base's rules for name, each narrowed to that name, appended to out. Returns how many. */
static int copy_base_rules(json_object *base_rules, const char *name, json_object *out)
{
	int n = 0;
	for (size_t i = 0; i < json_object_array_length(base_rules); i++) {
		json_object *rule = json_object_array_get_idx(base_rules, i), *copy = NULL;
		if (!json_object_is_type(rule, json_type_object) || !names_contain(rule, name))
			continue;
		if (json_object_deep_copy(rule, &copy, NULL) < 0 || !copy)
			return -ENOMEM;
		json_object_object_del(copy, "name");
		json_object *names = json_object_new_array();
		json_object_array_add(names, json_object_new_string(name));
		json_object_object_add(copy, "names", names);
		json_object_array_add(out, copy);
		n++;
	}
	return n;
}

static bool name_is_conditional(json_object *base_rules, const char *name)
{
	for (size_t i = 0; base_rules && i < json_object_array_length(base_rules); i++) {
		json_object *rule = json_object_array_get_idx(base_rules, i);
		if (json_object_is_type(rule, json_type_object) && names_contain(rule, name) &&
		    rule_is_conditional(rule))
			return true;
	}
	return false;
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

int seccomp_record_profile_json(const struct seccomp_record_set *set, const char *base, char **ret)
{
	CLEANUP(json_putp) json_object *prof = NULL, *base_obj = NULL;
	cleanup_strv char **names = NULL;
	json_object *base_rules = NULL;
	uint32_t native = seccomp_arch_native();
	int r;

	r = observed_names(set, &names);
	if (r < 0)
		return r;
	if (base) {
		base_obj = json_tokener_parse(base);
		if (!base_obj || !json_object_object_get_ex(base_obj, "syscalls", &base_rules) ||
		    !json_object_is_type(base_rules, json_type_array))
			return -EINVAL;
	}

	prof = json_object_new_object();
	if (!prof)
		return -ENOMEM;
	json_object_object_add(prof, "defaultAction", json_object_new_string("SCMP_ACT_ERRNO"));
	json_object_object_add(prof, "defaultErrnoRet", json_object_new_int(ENOSYS));

	json_object *arch_map = json_object_new_array(), *entry = json_object_new_object(),
		    *subs = json_object_new_array();
	const char *nat = arch_name(native);
	json_object_object_add(entry, "architecture", json_object_new_string(nat ? nat : "SCMP_ARCH_NATIVE"));
	for (size_t a = 0; a < set->n; a++) {
		const char *s = arch_name(set->a[a].arch);
		if (set->a[a].arch != native && s)
			json_object_array_add(subs, json_object_new_string(s));
	}
	json_object_object_add(entry, "subArchitectures", subs);
	json_object_array_add(arch_map, entry);
	json_object_object_add(prof, "archMap", arch_map);

	CLEANUP(json_putp) json_object *cond = json_object_new_array();
	json_object *rules = json_object_new_array(), *plain = json_object_new_array();
	json_object_object_add(prof, "syscalls", rules);
	json_object *allow = json_object_new_object();
	json_object_object_add(allow, "names", plain);
	json_object_object_add(allow, "action", json_object_new_string("SCMP_ACT_ALLOW"));
	json_object_object_add(allow, "comment", json_object_new_string("observed by kakuri --seccomp-record"));
	for (char **n = names; *n; n++) {
		if (name_is_conditional(base_rules, *n)) {
			r = copy_base_rules(base_rules, *n, cond);
			if (r < 0) {
				json_object_put(allow);
				return r;
			}
		} else {
			json_object_array_add(plain, json_object_new_string(*n));
		}
	}
	/* The plain rule first; none at all when everything observed was conditional (a rule
	 * needs at least one name). */
	if (json_object_array_length(plain) > 0)
		json_object_array_add(rules, allow);
	else
		json_object_put(allow);
	for (size_t i = 0; i < json_object_array_length(cond); i++)
		json_object_array_add(rules, json_object_get(json_object_array_get_idx(cond, i)));

	const char *s = json_object_to_json_string_ext(prof, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	if (asprintf(ret, "%s\n", s) < 0)
		return -ENOMEM;
	return 0;
}

/* ---- the recorder process ---- */

static int write_profile(int dirfd, const char *name, const struct seccomp_record_set *set)
{
	cleanup_free char *text = NULL, *tmp = NULL;
	int r = seccomp_record_profile_json(set, seccomp_profile_default_json, &text);
	if (r < 0)
		return r;
	if (asprintf(&tmp, ".%s.%d.tmp", name, (int)getpid()) < 0)
		return -ENOMEM;
	cleanup_close int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	r = fs_write_all(fd, text, strlen(text));
	if (r >= 0 && fchmod(fd, 0644) < 0)
		r = -errno;
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

static int recv_listener(int sock)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {};
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -EPIPE; /* the init died (or create failed) before the filter went in */
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EBADMSG;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Answers every notification with CONTINUE until no task uses the filter any more. Never
 * logs: the runtime's log fds are gone, and nobody would read it. */
static _Noreturn void recorder_main(int sock, int dirfd, const char *name)
{
	static struct seccomp_record_set set;
	int listener = recv_listener(sock);
	close(sock);
	if (listener < 0)
		_exit(0);
	for (;;) {
		struct pollfd pfd = {.fd = listener, .events = POLLIN};
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		if (pfd.revents & POLLIN) {
			struct seccomp_notif req;
			memset(&req, 0, sizeof(req));
			if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
				continue; /* EINTR, or ENOENT: the task died while we looked */
			seccomp_record_set_add(&set, req.data.arch, req.data.nr);
			struct seccomp_notif_resp resp = {.id = req.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
			(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
			continue;
		}
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
	}
	close(listener);
	_exit(write_profile(dirfd, name, &set) < 0 ? 1 : 0);
}

/* In the recorder: stdio on /dev/null, every other fd but keep[] closed, default signals. */
static void recorder_isolate(int *pa, int *pb)
{
	/* A runtime started with stdio closed may have got these as 0..2: move them first. */
	for (int *p = pa; p; p = p == pa ? pb : NULL)
		if (*p < 3 && (*p = fcntl(*p, F_DUPFD_CLOEXEC, 3)) < 0)
			_exit(1);
	int a = *pa, b = *pb;
	int lo = a < b ? a : b, hi = a < b ? b : a;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		_exit(1);
	for (int fd = 0; fd < 3; fd++)
		if (fd != devnull && dup2(devnull, fd) < 0)
			_exit(1);
	if (devnull > 2 && devnull != lo && devnull != hi)
		close(devnull);
	if (lo > 3)
		syscall(SYS_close_range, 3U, (unsigned)lo - 1, 0U);
	if (hi > lo + 1)
		syscall(SYS_close_range, (unsigned)lo + 1, (unsigned)hi - 1, 0U);
	syscall(SYS_close_range, (unsigned)hi + 1, ~0U, 0U);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* A signal to the runtime's process group or session (a terminal's ^C) is not for us:
	 * we end when the container does. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if (chdir("/") < 0)
		_exit(1);
}

#define RECORD_FIELD "annotations[\"" SECCOMP_RECORD_ANNOTATION "\"]"

int seccomp_record_spawn(const struct oci_spec *spec, int *ret_fd)
{
	const char *path = spec_annotation(spec, SECCOMP_RECORD_ANNOTATION);
	cleanup_free char *dir = NULL;
	cleanup_close int dirfd = -EBADF;
	int sv[2];

	*ret_fd = -EBADF;
	if (!path)
		return 0;
	if (path[0] != '/')
		return log_error_errno(-EINVAL, "config.json: " RECORD_FIELD ": '%s' is not an absolute path", path);
	const char *base = strrchr(path, '/') + 1;
	if (!*base || STREQ(base, ".") || STREQ(base, "..") || strlen(path) >= PATH_MAX)
		return log_error_errno(-EINVAL, "config.json: " RECORD_FIELD ": '%s' does not name a file", path);
	if (spec->linux_.seccomp.listener_path)
		return log_error_errno(-EINVAL, "config.json: " RECORD_FIELD
						": cannot be combined with linux.seccomp.listenerPath (the recording "
						"filter would take every notification of the agent's)");
	dir = base - path > 1 ? strndup(path, (size_t)(base - path - 1)) : strdup("/");
	if (!dir)
		return -ENOMEM;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return log_error_errno(-errno, "config.json: " RECORD_FIELD ": directory '%s': %m", dir);
	if (faccessat(dirfd, ".", W_OK | X_OK, AT_EACCESS) < 0)
		return log_error_errno(-errno, "config.json: " RECORD_FIELD ": directory '%s' is not writable: %m",
				       dir);
	struct stat st;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
		return log_error_errno(-EISDIR, "config.json: " RECORD_FIELD ": '%s' is a directory", path);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return log_error_errno(-errno, "seccomp recording: socketpair: %m");

	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(sv[0]);
		close(sv[1]);
		return log_error_errno(r, "seccomp recording: fork: %m");
	}
	if (pid == 0) {
		/* Double fork + setsid: the recorder is nobody's child in our session, outlives
		 * create and start, and gets no terminal signals. */
		close(sv[1]);
		if (setsid() < 0)
			_exit(1);
		pid_t rec = fork();
		if (rec != 0)
			_exit(rec < 0);
		recorder_isolate(&sv[0], &dirfd);
		recorder_main(sv[0], dirfd, base);
	}
	close(sv[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		close(sv[1]);
		return log_error_errno(-ECHILD, "seccomp recording: cannot start the recorder");
	}
	*ret_fd = sv[1];
	return 0;
}

/* ---- the init side ---- */

#if __BYTE_ORDER == __LITTLE_ENDIAN
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif
/* A jump at instruction `at` to instruction numbers t (true) and f (false). */
#define JEQ(at, k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t) - (at)-1, (f) - (at)-1)

int seccomp_record_install(int fd)
{
	enum { L_EXIT = 8, L_ALLOW = 11, L_NOTIF = 12 };
	struct sock_filter insns[] = {
	    /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    /* 1 */ JEQ(1, seccomp_arch_native(), 2, L_NOTIF),
	    /* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    /* 3 */ JEQ(3, __NR_sendmsg, 4, L_EXIT),
	    /* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
	    /* 5 */ JEQ(5, (uint32_t)fd, 6, L_NOTIF),
	    /* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	    /* 7 */ JEQ(7, RECORD_SEND_FLAGS, L_ALLOW, L_NOTIF),
	    /* 8 */ JEQ(8, __NR_exit_group, 9, L_NOTIF),
	    /* 9 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
	    /* 10 */ JEQ(10, RECORD_EXIT_MAGIC, L_ALLOW, L_NOTIF),
	    /* 11 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	    /* 12 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
	};
	struct sock_fprog prog = {.len = ELEMENTSOF(insns), .filter = insns};

	long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		int r = -errno;
		close(fd);
		return log_error_errno(r, "seccomp recording: cannot install the recording filter: %m");
	}
	/* From here every syscall but the two above waits for the recorder, which does not
	 * have the listener yet: build the message on the stack and send it with the raw
	 * syscall, nothing in between. */
	int lfd = (int)listener;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof(control));
	char byte = 'L';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &lfd, sizeof(int));
	if (syscall(SYS_sendmsg, (long)fd, &mh, (long)RECORD_SEND_FLAGS) != 1) {
		/* The recorder is gone: no syscall could complete any more (each would wait for
		 * a listener nobody reads), except this exit. Status 126: cannot invoke. */
		syscall(SYS_exit_group, (long)RECORD_EXIT_MAGIC);
		__builtin_unreachable();
	}
	close(lfd);
	close(fd);
	return 0;
}
