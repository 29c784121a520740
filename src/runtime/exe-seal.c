/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "exe-seal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: an executable memfd where vm.memfd_noexec asks */
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020 /* Linux 6.3: the mode bits are frozen too */
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)
/* Set right before the re-exec and removed first thing after it (never reaches hooks or
 * containers): if the new image does not show the seals, we must not loop. */
#define REEXEC_ENV "_KAKURI_EXE_SEALED"

extern char **environ;

bool exe_seal_is_sealed(pid_t pid)
{
	char path[64];
	cleanup_close int fd = -EBADF;
	int seals;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/exe");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

static bool strv_has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (STREQ(*v, s))
			return true;
	return false;
}

static bool same_ns(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool exe_seal_needed_for_create(const struct oci_spec *spec)
{
	const struct oci_namespace *u = &spec->linux_.namespaces[OCI_NS_USER];

	/* In a user namespace of its own, no container capability counts in ours. */
	if (u->present && (!u->path || !same_ns(u->path, "/proc/self/ns/user")))
		return false;
	return spec->process && strv_has(spec->process->caps.bounding, "CAP_SYS_PTRACE");
}

/* Any process in the mount namespace of init_pid with CAP_SYS_PTRACE in its bounding set.
 * Bounding sets only shrink, and new processes there descend from these or come from an
 * exec, which is checked separately. */
static bool container_may_ptrace(pid_t init_pid)
{
	char mnt[64];
	DIR *d;
	struct dirent *de;
	bool found = false;

	snprintf(mnt, sizeof(mnt), "/proc/%d/ns/mnt", (int)init_pid);
	d = opendir("/proc");
	if (!d)
		return true; /* cannot tell: assume the worst */
	while (!found && (de = readdir(d))) {
		char p[300];
		cleanup_free char *status = NULL;
		const char *bnd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%s/ns/mnt", de->d_name);
		if (!same_ns(p, mnt))
			continue;
		snprintf(p, sizeof(p), "/proc/%s/status", de->d_name);
		if (fs_read_file_at(AT_FDCWD, p, 65536, &status, NULL) < 0)
			continue; /* gone */
		bnd = strstr(status, "\nCapBnd:");
		if (bnd && (strtoull(bnd + 8, NULL, 16) & (UINT64_C(1) << CAP_SYS_PTRACE)))
			found = true;
	}
	closedir(d);
	return found;
}

bool exe_seal_needed_for_exec(pid_t init_pid, const struct oci_process *p)
{
	char user[64];

	snprintf(user, sizeof(user), "/proc/%d/ns/user", (int)init_pid);
	if (!same_ns(user, "/proc/self/ns/user"))
		return false;
	return (p && strv_has(p->caps.bounding, "CAP_SYS_PTRACE")) || container_may_ptrace(init_pid);
}

static int make_copy(void)
{
	cleanup_close int src = -EBADF, mfd = -EBADF;
	struct stat st;
	off_t off = 0;

	src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	if (fstat(src, &st) < 0)
		return -errno;
	mfd = memfd_create("kakuri-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (mfd < 0 && errno == EINVAL) /* a kernel older than 6.3 does not know MFD_EXEC */
		mfd = memfd_create("kakuri-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the binary shrank under us */
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS | F_SEAL_EXEC) < 0 && fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return -errno;
	return TAKE_FD(mfd);
}

/* Our argv, NUL-separated in /proc/self/cmdline. *ret caller frees (one block). */
static int read_argv(char ***ret)
{
	cleanup_free char *buf = NULL;
	size_t len = 0, n = 0;
	char **argv;
	int r;

	r = fs_read_file_at(AT_FDCWD, "/proc/self/cmdline", 1 << 20, &buf, &len);
	if (r < 0)
		return r;
	for (size_t i = 0; i < len; i++)
		n += buf[i] == 0;
	if (n == 0)
		return -EINVAL;
	argv = malloc((n + 1) * sizeof(char *) + len);
	if (!argv)
		return -ENOMEM;
	char *copy = (char *)(argv + n + 1);
	memcpy(copy, buf, len);
	for (size_t i = 0, k = 0; k < n; k++) {
		argv[k] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[n] = NULL;
	*ret = argv;
	return 0;
}

int exe_seal_ensure(bool needed)
{
	cleanup_close int mfd = -EBADF;
	cleanup_free char **argv = NULL;
	int r;

	if (getenv(REEXEC_ENV)) {
		unsetenv(REEXEC_ENV);
		if (!needed || exe_seal_is_sealed(0))
			return 0;
		return log_error_errno(-EPERM, "re-executed from a sealed copy of the runtime binary, but "
					       "/proc/self/exe does not carry the seals");
	}
	if (!needed || exe_seal_is_sealed(0))
		return 0;
	r = read_argv(&argv);
	if (r < 0)
		return log_error_errno(r, "reading /proc/self/cmdline to re-execute from a sealed copy: %m");
	mfd = make_copy();
	if (mfd < 0)
		return log_error_errno(mfd, "cannot make a sealed copy of the runtime binary: %m; it is needed because "
					    "the container may hold CAP_SYS_PTRACE in the runtime's user namespace "
					    "(CVE-2019-5736)");
	log_debug("the container may ptrace the runtime: re-executing from a sealed copy of the binary");
	if (setenv(REEXEC_ENV, "1", 1) < 0)
		return log_error_errno(-errno, "re-executing from a sealed copy: setenv: %m");
	fflush(NULL);
	syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
	r = -errno;
	unsetenv(REEXEC_ENV);
	return log_error_errno(r, "cannot re-execute from a sealed copy of the runtime binary: %m; it is needed "
				  "because the container may hold CAP_SYS_PTRACE in the runtime's user namespace "
				  "(CVE-2019-5736)");
}
