/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

static bool maps_are_self(const struct oci_id_mapping *m, size_t n, uint32_t self)
{
	return n == 1 && m[0].host_id == self && m[0].size == 1;
}

int userns_default_maps(struct oci_linux *l, bool rootless)
{
	if (!l->namespaces[OCI_NS_USER].present || l->namespaces[OCI_NS_USER].path)
		return 0;
	if (l->n_uid_mappings > 0 && l->n_gid_mappings > 0)
		return 0;
	if (!rootless && geteuid() == 0) {
		if (l->n_uid_mappings == 0)
			return log_error_errno(-EINVAL, "config.json: linux.uidMappings: required when a new user namespace is requested as root");
		return log_error_errno(-EINVAL, "config.json: linux.gidMappings: required when a new user namespace is requested as root");
	}
	if (l->n_uid_mappings == 0) {
		l->uid_mappings = calloc(1, sizeof(*l->uid_mappings));
		if (!l->uid_mappings)
			return -ENOMEM;
		l->uid_mappings[0] = (struct oci_id_mapping){ 0, geteuid(), 1 };
		l->n_uid_mappings = 1;
	}
	if (l->n_gid_mappings == 0) {
		l->gid_mappings = calloc(1, sizeof(*l->gid_mappings));
		if (!l->gid_mappings)
			return -ENOMEM;
		l->gid_mappings[0] = (struct oci_id_mapping){ 0, getegid(), 1 };
		l->n_gid_mappings = 1;
	}
	return 0;
}

/* Does /etc/sub{u,g}id delegate [start, start+size) to this user (by name or number)? */
static bool subid_covers(const char *file, const char *name, uint32_t id, uint64_t start, uint64_t size)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	char line[512], idbuf[16];
	if (!f)
		return false;
	snprintf(idbuf, sizeof(idbuf), "%u", id);
	while (fgets(line, sizeof(line), f)) {
		char *user = strtok(line, ":"), *s = strtok(NULL, ":"), *c = strtok(NULL, ":\n");
		if (!user || !s || !c)
			continue;
		if (!(name && STREQ(user, name)) && !STREQ(user, idbuf))
			continue;
		uint64_t rs = strtoull(s, NULL, 10), rc = strtoull(c, NULL, 10);
		if (start >= rs && start + size <= rs + rc)
			return true;
	}
	return false;
}

static int check_one(const char *field, const char *file, const char *helper,
		     const struct oci_id_mapping *m, size_t n, uint32_t self, const char *name)
{
	if (maps_are_self(m, n, self))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (m[i].host_id == self && m[i].size == 1)
			continue;
		if (!subid_covers(file, name, self, m[i].host_id, m[i].size))
			return log_error_errno(-EPERM,
					       "config.json: %s[%zu]: host ids %u-%llu are not delegated to user '%s' in %s "
					       "(add a line '%s:%u:%u' to %s, e.g. with `usermod --add-subuids %u-%llu %s`)",
					       field, i, m[i].host_id, (unsigned long long)m[i].host_id + m[i].size - 1,
					       name ? name : "?", file, name ? name : "?", m[i].host_id, m[i].size, file,
					       m[i].host_id, (unsigned long long)m[i].host_id + m[i].size - 1,
					       name ? name : "?");
	}
	char path[64];
	snprintf(path, sizeof(path), "/usr/bin/%s", helper);
	if (access(path, X_OK) < 0)
		return log_error_errno(-ENOENT, "config.json: %s: mapping more than your own id needs %s (install the 'uidmap' package)",
				       field, helper);
	return 0;
}

int userns_check_maps(const struct oci_linux *l)
{
	if (!l->namespaces[OCI_NS_USER].present || l->namespaces[OCI_NS_USER].path || geteuid() == 0)
		return 0;
	struct passwd *pw = getpwuid(geteuid());
	const char *name = pw ? pw->pw_name : NULL;
	int r = check_one("linux.uidMappings", "/etc/subuid", "newuidmap", l->uid_mappings, l->n_uid_mappings,
			  geteuid(), name);
	if (r < 0)
		return r;
	return check_one("linux.gidMappings", "/etc/subgid", "newgidmap", l->gid_mappings, l->n_gid_mappings,
			 getegid(), name);
}

static int format_map(const struct oci_id_mapping *m, size_t n, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf + o, len - o, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
		if (k < 0 || (size_t)k >= len - o)
			return -E2BIG;
		o += (size_t)k;
	}
	return (int)o;
}

/* Starts helper (newuidmap/newgidmap) for pid; *ret_child to be passed to wait_helper(). */
static int spawn_helper(const char *helper, pid_t pid, const struct oci_id_mapping *m, size_t n, pid_t *ret_child)
{
	char *argv[3 + 3 * 340 + 1];
	char strs[3 * 340][12];
	char pidbuf[16];
	size_t a = 0, s = 0;

	if (n > 340)
		return -E2BIG;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	argv[a++] = (char *)helper;
	argv[a++] = pidbuf;
	for (size_t i = 0; i < n; i++) {
		snprintf(strs[s], 12, "%u", m[i].container_id);
		argv[a++] = strs[s++];
		snprintf(strs[s], 12, "%u", m[i].host_id);
		argv[a++] = strs[s++];
		snprintf(strs[s], 12, "%u", m[i].size);
		argv[a++] = strs[s++];
	}
	argv[a] = NULL;
	pid_t child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		execv(helper, argv);
		_exit(127);
	}
	*ret_child = child;
	return 0;
}

static int wait_helper(const char *helper, pid_t pid, pid_t child)
{
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return log_error_errno(-EPERM, "%s %d failed (status %d): check /etc/subuid and /etc/subgid", helper,
				       (int)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n)
{
	char path[64], buf[4096];
	int len = format_map(m, n, buf, sizeof(buf));
	if (len < 0)
		return log_error_errno(len, "Failed to format %s: %m", file);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int r = fs_write_file_at(AT_FDCWD, path, buf, (size_t)len);
	if (r < 0)
		return log_error_errno(r, "Failed to write %s: %m", path);
	return 0;
}

int userns_write_maps(pid_t pid, const struct oci_linux *l)
{
	static const char newuidmap[] = "/usr/bin/newuidmap", newgidmap[] = "/usr/bin/newgidmap";
	bool root = geteuid() == 0;
	bool uid_helper = !root && !maps_are_self(l->uid_mappings, l->n_uid_mappings, geteuid());
	bool gid_helper = !root && !maps_are_self(l->gid_mappings, l->n_gid_mappings, getegid());
	pid_t uid_child = -1, gid_child = -1;
	int r = 0, k;

	/* Both helpers at once: each is a setuid exec (~1.5 ms here), and they write different
	 * files of the same namespace. */
	if (uid_helper)
		r = spawn_helper(newuidmap, pid, l->uid_mappings, l->n_uid_mappings, &uid_child);
	if (r >= 0 && gid_helper)
		r = spawn_helper(newgidmap, pid, l->gid_mappings, l->n_gid_mappings, &gid_child);
	if (r >= 0 && !uid_helper)
		r = write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings);
	if (r >= 0 && !gid_helper) {
		if (!root) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
			r = fs_write_file_at(AT_FDCWD, path, "deny", 4);
			if (r < 0)
				log_error_errno(r, "Failed to write %s: %m", path);
		}
		if (r >= 0)
			r = write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings);
	}
	if (uid_child > 0 && (k = wait_helper(newuidmap, pid, uid_child)) < 0 && r >= 0)
		r = k;
	if (gid_child > 0 && (k = wait_helper(newgidmap, pid, gid_child)) < 0 && r >= 0)
		r = k;
	return r;
}

bool userns_running_nested(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	/* The initial user namespace maps every id: exactly "0 0 4294967295". */
	char buf[128] = "";
	int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	unsigned long a, b, c;
	int k = 0;
	if (n <= 0)
		cached = 0; /* no /proc yet: assume the initial namespace, as before */
	else
		cached = !(sscanf(buf, "%lu %lu %lu%n", &a, &b, &c, &k) == 3 && a == 0 && b == 0 && c == 4294967295UL &&
			   buf[k + strspn(buf + k, " \n")] == 0);
	return cached;
}
