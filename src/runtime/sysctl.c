/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/procfs.h"

int sysctl_key_to_path(const char *key, char **ret)
{
	char sep = strchr(key, '/') ? '/' : '.';
	size_t len = strlen(key);
	char *out;

	if (len == 0)
		return -EINVAL;
	out = malloc(len + 5);
	if (!out)
		return -ENOMEM;
	memcpy(out, "sys/", 4);
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (key[i] != sep && key[i] != 0) {
			out[4 + i] = key[i];
			continue;
		}
		size_t n = i - start;
		if (n == 0 || (n == 1 && key[start] == '.') || (n == 2 && key[start] == '.' && key[start + 1] == '.')) {
			free(out);
			return -EINVAL;
		}
		out[4 + i] = key[i] ? '/' : 0;
		start = i + 1;
	}
	*ret = out;
	return 0;
}

int sysctl_apply(const struct oci_linux *lnx)
{
	cleanup_close int procfd = -EBADF;

	if (!lnx || lnx->n_sysctls == 0)
		return 0;
	procfd = procfs_open();
	if (procfd < 0)
		return log_error_errno(procfd,
				       "linux.sysctl: no trustworthy procfs to write sysctls through "
				       "(a private procfs instance is refused and /proc is not our procfs): %m");

	for (size_t i = 0; i < lnx->n_sysctls; i++) {
		const struct oci_sysctl *s = &lnx->sysctls[i];
		cleanup_free char *path = NULL;
		cleanup_close int fd = -EBADF;
		int r;

		r = sysctl_key_to_path(s->key, &path);
		if (r == -EINVAL)
			return log_error_errno(r, "linux.sysctl: '%s': not a valid sysctl name", s->key);
		if (r < 0)
			return log_error_errno(r, "Out of memory");
		fd = procfs_open_at(procfd, path, O_WRONLY);
		if (fd == -ENOENT)
			return log_error_errno(fd, "linux.sysctl: '%s': no such sysctl (/proc/%s)", s->key, path);
		if (fd < 0)
			return log_error_errno(fd, "linux.sysctl: '%s': opening /proc/%s failed: %m", s->key, path);
		r = fs_write_all(fd, s->value, strlen(s->value));
		if (r < 0)
			return log_error_errno(r, "linux.sysctl: '%s': writing '%s' failed: %m", s->key, s->value);
	}
	return 0;
}
