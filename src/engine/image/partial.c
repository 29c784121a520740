/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "partial.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"

#define PARTIAL_DIR "tmp/.partial"

static void partial_rel(const char *digest, char buf[static 96])
{
	snprintf(buf, 96, PARTIAL_DIR "/%s", digest_hex(digest));
}

int partial_open(struct store *s, const char *digest, uint64_t *ret_size)
{
	char rel[96];
	if (!digest_valid(digest))
		return -EINVAL;
	if (mkdirat(s->rootfd, PARTIAL_DIR, 0700) < 0 && errno != EEXIST)
		return log_debug_errno(-errno, "Failed to create %s/" PARTIAL_DIR ": %m", s->root);
	partial_rel(digest, rel);
	/* A partial can be renamed away (committed) or removed between our open and our
	 * flock; then the lock is on an inode nobody else will look at again, and appending
	 * to it would be writing into a committed blob. Retry until the name and the locked
	 * inode agree. */
	for (int attempt = 0; attempt < 5; attempt++) {
		cleanup_close int fd = openat(s->rootfd, rel, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		struct stat a, b;
		if (fd < 0)
			return log_debug_errno(-errno, "Failed to open %s/%s: %m", s->root, rel);
		if (flock(fd, LOCK_EX | LOCK_NB) < 0)
			return errno == EWOULDBLOCK ? -EBUSY : -errno;
		if (fstat(fd, &a) < 0)
			return -errno;
		if (fstatat(s->rootfd, rel, &b, AT_SYMLINK_NOFOLLOW) < 0 || a.st_ino != b.st_ino ||
		    a.st_dev != b.st_dev)
			continue;
		if (!S_ISREG(a.st_mode))
			return -EINVAL;
		*ret_size = (uint64_t)a.st_size;
		return TAKE_FD(fd);
	}
	return -EBUSY;
}

int partial_take(struct store *s, const char *digest, const char *tmpname)
{
	char rel[96];
	int tfd = store_tmp(s, NULL);
	if (tfd < 0)
		return tfd;
	partial_rel(digest, rel);
	if (renameat(s->rootfd, rel, tfd, tmpname) < 0)
		return log_error_errno(-errno, "Failed to move %s/%s into the scratch dir: %m", s->root, rel);
	return 0;
}

void partial_remove(struct store *s, const char *digest)
{
	char rel[96];
	partial_rel(digest, rel);
	(void)unlinkat(s->rootfd, rel, 0);
}

unsigned partial_gc(struct store *s)
{
	int fd = openat(s->rootfd, PARTIAL_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	unsigned n = 0;
	time_t now = time(NULL);
	if (!d) {
		safe_close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		char digest[DIGEST_STRING_SIZE] = "";
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) == 64)
			snprintf(digest, sizeof(digest), DIGEST_PREFIX "%.64s", de->d_name);
		cleanup_close int pfd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (pfd >= 0 && flock(pfd, LOCK_EX | LOCK_NB) < 0)
			continue; /* a live pull is writing it */
		bool doomed = pfd < 0 || !digest_valid(digest) || store_blob_exists(s, digest) ||
			      fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode) || now - st.st_mtime > PARTIAL_MAX_AGE_SEC;
		if (doomed && unlinkat(dirfd(d), de->d_name, 0) == 0) {
			log_debug("removed partial download %s", de->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}
