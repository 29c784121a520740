/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/path.h"

struct default_dev {
	const char *name;
	char type;
	unsigned major, minor;
};

static const struct default_dev defaults[] = {
    {"null", 'c', 1, 3}, {"zero", 'c', 1, 5},	 {"full", 'c', 1, 7}, {"random", 'c', 1, 8},   {"urandom", 'c', 1, 9},
    {"tty", 'c', 5, 0},	 {"console", 'c', 5, 1}, {"ptmx", 'c', 5, 2}, {"pts/ptmx", 'c', 5, 2},
};

bool audit_device_is_default(const char *relpath, char type, unsigned major, unsigned minor)
{
	/* The console is a pty of the engine's (136..143 are the Unix98 pty slave majors). */
	bool pty = type == 'c' && major >= 136 && major <= 143;
	if (STREQ(relpath, "console") && pty)
		return true;
	if (strncmp(relpath, "pts/", 4) == 0 && pty)
		return true;
	for (size_t i = 0; i < ELEMENTSOF(defaults); i++)
		if (STREQ(relpath, defaults[i].name))
			return type == defaults[i].type && major == defaults[i].major && minor == defaults[i].minor;
	return false;
}

static int add(struct audit_devices *d, const char *rel, char type, dev_t rdev)
{
	struct audit_device *nv = realloc(d->extra, (d->n_extra + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	d->extra = nv;
	struct audit_device *x = &d->extra[d->n_extra++];
	if (snprintf(x->path, sizeof(x->path), "/dev/%s", rel) >= (int)sizeof(x->path))
		memcpy(x->path + sizeof(x->path) - 4, "...", 4); /* shown, not used as a path */
	x->type = type;
	x->major = major(rdev);
	x->minor = minor(rdev);
	if (type == 'b')
		d->n_block++;
	return 0;
}

static int scan_dir(int dfd, const char *prefix, int depth, struct audit_devices *d)
{
	DIR *dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return 0;
	}
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(dir))) {
		if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
			continue;
		char rel[AUDIT_DEV_REL_MAX];
		/* Names too long for the table are no device of the default set either; a
		 * truncated name is still reported (as extra), never matched as default. */
		bool cut = snprintf(rel, sizeof(rel), "%s%s", prefix, de->d_name) >= (int)sizeof(rel);
		struct stat st;
		if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			char type = S_ISCHR(st.st_mode) ? 'c' : 'b';
			if (cut || !audit_device_is_default(rel, type, major(st.st_rdev), minor(st.st_rdev)))
				r = add(d, rel, type, st.st_rdev);
		} else if (S_ISDIR(st.st_mode) && depth < 3 && !cut &&
			   !(depth == 0 &&
			     (STREQ(de->d_name, "pts") || STREQ(de->d_name, "shm") || STREQ(de->d_name, "mqueue")))) {
			int sub = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				char pre[AUDIT_DEV_REL_MAX + 2];
				snprintf(pre, sizeof(pre), "%s/", rel);
				r = scan_dir(sub, pre, depth + 1, d);
			}
		}
	}
	closedir(dir);
	return r;
}

int audit_devices_scan(pid_t pid, struct audit_devices *ret)
{
	struct audit_devices d = {0};
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	cleanup_close int root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		d.error = errno;
		*ret = d;
		return 0;
	}
	int dev = path_open_in_root(root, "/dev", O_RDONLY | O_DIRECTORY, 0);
	if (dev < 0) {
		d.error = -dev;
		*ret = d;
		return 0;
	}
	int r = scan_dir(dev, "", 0, &d);
	if (r < 0) {
		audit_devices_done(&d);
		return r;
	}
	*ret = d;
	return 0;
}

void audit_devices_done(struct audit_devices *d)
{
	free(d->extra);
	d->extra = NULL;
	d->n_extra = d->n_block = 0;
}
