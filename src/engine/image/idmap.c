/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"
#include "oci/spec.h"
#include "runtime/userns.h"

bool idmap_in_userns(void)
{
	const char *e = getenv(IDMAP_ENV);
	return e && *e && geteuid() == 0;
}

bool idmap_rootless(void)
{
	return geteuid() != 0 || idmap_in_userns();
}

uid_t idmap_user_uid(void)
{
	if (idmap_in_userns())
		return (uid_t)strtoul(getenv(IDMAP_ENV), NULL, 10);
	return geteuid();
}

static int find_range(const char *file, const char *name, unsigned id, uint32_t *ret_start, uint32_t *ret_count)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[512], idbuf[16];
	if (!f)
		return -errno;
	snprintf(idbuf, sizeof(idbuf), "%u", id);
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL;
		char *user = strtok_r(line, ":", &save), *s = strtok_r(NULL, ":", &save),
		     *c = strtok_r(NULL, ":\n", &save);
		if (!user || !s || !c || (!(name && STREQ(user, name)) && !STREQ(user, idbuf)))
			continue;
		unsigned long start = strtoul(s, NULL, 10), count = strtoul(c, NULL, 10);
		if (count == 0 || start > UINT32_MAX || count > UINT32_MAX - start)
			continue;
		*ret_start = (uint32_t)start;
		*ret_count = (uint32_t)count;
		return 0;
	}
	return -ENOENT;
}

int idmap_load(struct idmap *ret)
{
	struct idmap m = {.uid = geteuid(), .gid = getegid()};
	struct passwd *pw = getpwuid(m.uid);
	const char *name = pw ? pw->pw_name : NULL;
	int r;

	r = find_range("/etc/subuid", name, m.uid, &m.uid_start, &m.uid_count);
	if (r < 0)
		return log_error_errno(
		    r == -ENOENT ? -EPERM : r,
		    "No subordinate uid range for user '%s' in /etc/subuid: rootless image storage needs one "
		    "(as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s)",
		    name ? name : "?", name ? name : "USER");
	r = find_range("/etc/subgid", name, m.uid, &m.gid_start, &m.gid_count);
	if (r < 0)
		return log_error_errno(
		    r == -ENOENT ? -EPERM : r,
		    "No subordinate gid range for user '%s' in /etc/subgid: rootless image storage needs one "
		    "(as root: usermod --add-subgids 100000-165535 %s)",
		    name ? name : "?", name ? name : "USER");
	if (access("/usr/bin/newuidmap", X_OK) < 0 || access("/usr/bin/newgidmap", X_OK) < 0)
		return log_error_errno(
		    -ENOENT, "Rootless image storage needs newuidmap and newgidmap (install the 'uidmap' package)");
	*ret = m;
	return 0;
}

static int write_maps(pid_t pid, const struct idmap *m)
{
	struct oci_id_mapping um[2] = {{0, m->uid, 1}, {1, m->uid_start, m->uid_count}};
	struct oci_id_mapping gm[2] = {{0, m->gid, 1}, {1, m->gid_start, m->gid_count}};
	struct oci_linux l = {0};
	l.uid_mappings = um;
	l.gid_mappings = gm;
	l.n_uid_mappings = l.n_gid_mappings = 2;
	return userns_write_maps(pid, &l);
}

static int become_root(void)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return -errno;
	/* newgidmap leaves setgroups allowed: drop the supplementary groups we inherited
	 * (unmapped, they would show as nogroup). */
	if (setgroups(0, NULL) < 0)
		return -errno;
	return 0;
}

pid_t idmap_fork(const struct idmap *m, bool new_mountns)
{
	int to_parent[2], to_child[2];
	char c = 0;

	if (!idmap_rootless() || idmap_in_userns()) {
		pid_t pid = fork();
		if (pid < 0)
			return log_error_errno(-errno, "fork failed: %m");
		if (pid == 0 && new_mountns && unshare(CLONE_NEWNS) < 0) {
			log_error_errno(-errno, "unshare(CLONE_NEWNS) failed: %m");
			_exit(EPERM);
		}
		return pid;
	}
	if (pipe2(to_parent, O_CLOEXEC) < 0)
		return log_error_errno(-errno, "pipe failed: %m");
	if (pipe2(to_child, O_CLOEXEC) < 0) {
		close(to_parent[0]);
		close(to_parent[1]);
		return log_error_errno(-errno, "pipe failed: %m");
	}
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(to_parent[0]);
		close(to_parent[1]);
		close(to_child[0]);
		close(to_child[1]);
		return log_error_errno(r, "fork failed: %m");
	}
	if (pid == 0) {
		close(to_parent[0]);
		close(to_child[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int r = unshare(CLONE_NEWUSER | (new_mountns ? CLONE_NEWNS : 0)) < 0 ? -errno : 0;
		c = r < 0 ? 'E' : 'U';
		if (write(to_parent[1], &c, 1) != 1 || r < 0) {
			log_error_errno(r < 0 ? r : -EIO, "Failed to create a user namespace: %m");
			_exit(EPERM);
		}
		if (read(to_child[0], &c, 1) != 1 || c != 'M')
			_exit(EPERM); /* the parent reported the error */
		r = become_root();
		if (r < 0) {
			log_error_errno(r, "Failed to become root in the user namespace: %m");
			_exit(EPERM);
		}
		close(to_parent[1]);
		close(to_child[0]);
		char buf[16];
		snprintf(buf, sizeof(buf), "%u", (unsigned)m->uid);
		setenv(IDMAP_ENV, buf, 1);
		return 0;
	}
	close(to_parent[1]);
	close(to_child[0]);
	int r = 0;
	if (read(to_parent[0], &c, 1) != 1 || c != 'U')
		r = -EPERM;
	if (r == 0)
		r = write_maps(pid, m);
	c = r < 0 ? 'E' : 'M';
	if (write(to_child[1], &c, 1) != 1 && r == 0)
		r = -EIO;
	close(to_parent[0]);
	close(to_child[1]);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return r;
	}
	return pid;
}

int idmap_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return -WEXITSTATUS(status);
	return -ECHILD;
}

int idmap_unshare_self(const struct idmap *m)
{
	int go[2];
	char c = 0;
	if (pipe2(go, O_CLOEXEC) < 0)
		return log_error_errno(-errno, "pipe failed: %m");
	pid_t self = getpid();
	pid_t helper = fork();
	if (helper < 0)
		return log_error_errno(-errno, "fork failed: %m");
	if (helper == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1 || c != 'U')
			_exit(1);
		_exit(write_maps(self, m) < 0 ? 1 : 0);
	}
	close(go[0]);
	int r = unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0 ? -errno : 0;
	c = r < 0 ? 'E' : 'U';
	if (write(go[1], &c, 1) != 1 && r == 0)
		r = -EIO;
	close(go[1]);
	int st = idmap_wait(helper);
	if (r < 0)
		return log_error_errno(r, "Failed to create a user namespace: %m");
	if (st < 0)
		return log_error_errno(-EPERM, "Failed to write the user namespace maps (newuidmap/newgidmap)");
	r = become_root();
	if (r < 0)
		return log_error_errno(r, "Failed to become root in the user namespace: %m");
	char buf[16];
	snprintf(buf, sizeof(buf), "%u", (unsigned)m->uid);
	setenv(IDMAP_ENV, buf, 1);
	return 0;
}
