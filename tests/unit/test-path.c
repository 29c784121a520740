/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/path: in-root resolution must stay inside the root whatever symlinks the image holds.
 * Runs without root: builds a throwaway tree under /tmp. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/path.h"
#include "tap.h"

static char root[64];
static int rootfd = -EBADF;
static char outside[64];

static void mk(const char *rel, bool dir)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (dir) {
		CHECK(mkdir(p, 0755) == 0);
	} else {
		int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		CHECK(fd >= 0);
		safe_close(fd);
	}
}

static void ln(const char *target, const char *rel)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	CHECK(symlink(target, p) == 0);
}

/* Does fd refer to the same inode as root/rel (host path, no resolution tricks)? */
static bool same_inode(int fd, const char *rel)
{
	char p[256];
	struct stat a, b;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (fd < 0 || fstat(fd, &a) < 0 || lstat(p, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool host_exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

TEST(setup_temp_root)
{
	char outlink[128];
	strcpy(root, "/tmp/kk-test-path-XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	strcpy(outside, "/tmp/kk-test-outside-XXXXXX");
	CHECK(mkdtemp(outside) != NULL);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	mk("marker", false);
	mk("sub", true);
	mk("sub/f", false);
	mk("file", false);
	ln("/", "slash");
	ln("../../..", "up");
	ln("/sub", "abs");
	ln(outside, "evil"); /* absolute, points at a real host dir */
	ln("../../../../kk-outside-rel", "evil-rel");
	snprintf(outlink, sizeof(outlink), "%s/victim", outside);
	ln(outlink, "evil-file"); /* dangling inside the root */
	ln("loop-b", "loop-a");
	ln("loop-a", "loop-b");
	ln("/proc/self/root", "proc-abs");
}

TEST(symlink_to_slash_resolves_inside_root)
{
	cleanup_close int fd = path_open_in_root(rootfd, "slash/marker", O_RDONLY, 0);
	CHECK(same_inode(fd, "marker"));
	cleanup_close int fd2 = path_open_in_root(rootfd, "slash/../../slash/sub/f", O_RDONLY, 0);
	CHECK(same_inode(fd2, "sub/f"));
}

TEST(dotdot_symlink_is_clamped_at_root)
{
	cleanup_close int fd = path_open_in_root(rootfd, "up/marker", O_RDONLY, 0);
	CHECK(same_inode(fd, "marker"));
	/* /etc/passwd of the host must not be reachable through the link */
	CHECK(path_open_in_root(rootfd, "up/etc/passwd", O_RDONLY, 0) == -ENOENT);
	CHECK(path_open_in_root(rootfd, "../../../../etc/passwd", O_RDONLY, 0) == -ENOENT);
}

TEST(absolute_symlink_resolves_relative_to_root)
{
	cleanup_close int fd = path_open_in_root(rootfd, "/abs/f", O_RDONLY, 0);
	CHECK(same_inode(fd, "sub/f"));
	cleanup_close int fd2 = path_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY, 0);
	CHECK(same_inode(fd2, "."));
	cleanup_close int fd3 = path_open_in_root(rootfd, "", O_PATH | O_DIRECTORY, 0);
	CHECK(same_inode(fd3, "."));
}

TEST(o_nofollow_applies_to_last_component)
{
	cleanup_close int fd = path_open_in_root(rootfd, "abs", O_PATH | O_NOFOLLOW, 0);
	struct stat st;
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(path_open_in_root(rootfd, "abs", O_RDONLY | O_NOFOLLOW, 0) == -ELOOP);
}

TEST(magic_links_are_rejected)
{
	cleanup_close int hostroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(hostroot >= 0);
	CHECK(path_open_in_root(hostroot, "/proc/self/root/etc", O_PATH, 0) == -ELOOP);
	CHECK(path_open_in_root(hostroot, "/proc/self/exe", O_RDONLY, 0) == -ELOOP);
	/* and in the image an absolute link to /proc/... is just a path inside the root */
	CHECK(path_open_in_root(rootfd, "proc-abs/etc", O_PATH, 0) == -ENOENT);
}

TEST(mkdir_p_creates_every_component)
{
	cleanup_close int fd = path_mkdir_p_in_root(rootfd, "/a/b//c/./d/", 0755);
	CHECK(same_inode(fd, "a/b/c/d"));
	/* existing: same dir back */
	cleanup_close int fd2 = path_mkdir_p_in_root(rootfd, "a/b/c/d", 0755);
	CHECK(same_inode(fd2, "a/b/c/d"));
	cleanup_close int fd3 = path_mkdir_p_in_root(rootfd, "/", 0755);
	CHECK(same_inode(fd3, "."));
}

TEST(mkdir_p_through_symlink_to_outside_stays_inside)
{
	char p[256];
	cleanup_close int fd = path_mkdir_p_in_root(rootfd, "evil/newdir/deeper", 0755);
	CHECK(fd >= 0);
	snprintf(p, sizeof(p), "%s/newdir", outside);
	CHECK(!host_exists(p));
	snprintf(p, sizeof(p), "%s%s/newdir/deeper", root, outside);
	CHECK(host_exists(p));

	cleanup_close int fd2 = path_mkdir_p_in_root(rootfd, "evil-rel/x", 0755);
	CHECK(same_inode(fd2, "kk-outside-rel/x"));
	CHECK(!host_exists("/tmp/kk-outside-rel"));
}

TEST(mkdir_p_through_slash_symlinks)
{
	cleanup_close int fd = path_mkdir_p_in_root(rootfd, "up/../slash/viaslash", 0755);
	CHECK(same_inode(fd, "viaslash"));
}

TEST(mkdir_p_errors)
{
	CHECK(path_mkdir_p_in_root(rootfd, "file/x", 0755) == -ENOTDIR);
	CHECK(path_mkdir_p_in_root(rootfd, "file", 0755) == -ENOTDIR);
	CHECK(path_mkdir_p_in_root(rootfd, "loop-a/x", 0755) == -ELOOP);
}

TEST(mkfile_creates_empty_file_and_parents)
{
	struct stat st;
	cleanup_close int fd = path_mkfile_in_root(rootfd, "/etc/resolv.conf", 0644);
	CHECK(same_inode(fd, "etc/resolv.conf"));
	CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	/* existing file is returned as is */
	cleanup_close int fd2 = path_mkfile_in_root(rootfd, "marker", 0644);
	CHECK(same_inode(fd2, "marker"));
	CHECK(path_mkfile_in_root(rootfd, "sub", 0644) == -EISDIR);
	CHECK(path_mkfile_in_root(rootfd, "/", 0644) == -EISDIR);
	CHECK(path_mkfile_in_root(rootfd, "sub/..", 0644) == -EISDIR);
	CHECK(path_mkfile_in_root(rootfd, "nonexistent/..", 0644) == -EINVAL);
}

TEST(mkfile_through_dangling_symlink_stays_inside)
{
	char p[256];
	cleanup_close int fd = path_mkfile_in_root(rootfd, "evil-file", 0644);
	CHECK(fd >= 0);
	snprintf(p, sizeof(p), "%s/victim", outside);
	CHECK(!host_exists(p));
	snprintf(p, sizeof(p), "%s%s/victim", root, outside);
	CHECK(host_exists(p));
	cleanup_close int fd2 = path_mkfile_in_root(rootfd, "evil/sub2/file", 0644);
	snprintf(p, sizeof(p), "%s/sub2", outside);
	CHECK(fd2 >= 0 && !host_exists(p));
}

TEST(open_parent_returns_last_component)
{
	const char *name = NULL;
	size_t n = 0;
	cleanup_close int fd = path_open_parent_in_root(rootfd, "/abs/f/", false, 0, &name, &n);
	CHECK(same_inode(fd, "sub"));
	CHECK(name && n == 1 && name[0] == 'f');
	cleanup_close int fd2 = path_open_parent_in_root(rootfd, "top", false, 0, &name, &n);
	CHECK(same_inode(fd2, "."));
	CHECK(n == 3 && strncmp(name, "top", 3) == 0);
	CHECK(path_open_parent_in_root(rootfd, "nope/x", false, 0, &name, &n) == -ENOENT);
}

TEST(proc_fd_string)
{
	char buf[PATH_PROC_FD_MAX];
	CHECK(path_proc_fd(7, buf) == 0);
	CHECK_STREQ(buf, "/proc/self/fd/7");
	CHECK(path_proc_fd(-1, buf) == -EBADF);
}

TEST(escapes_and_dotdot)
{
	CHECK(!path_escapes("/a/b"));
	CHECK(!path_escapes("a/../b"));
	CHECK(!path_escapes("/a/./../b/.."));
	CHECK(path_escapes(".."));
	CHECK(path_escapes("/.."));
	CHECK(path_escapes("a/../../b"));
	CHECK(path_escapes("/x/../../etc"));
	CHECK(!path_escapes("..."));
	CHECK(!path_escapes("a/..b"));
	CHECK(path_has_dotdot("a/../b"));
	CHECK(path_has_dotdot(".."));
	CHECK(path_has_dotdot("/x/.."));
	CHECK(!path_has_dotdot("/x/..y/.z"));
}

static void check_norm(const char *in, const char *want)
{
	cleanup_free char *out = NULL;
	CHECK(path_normalize(in, &out) == 0);
	CHECK_STREQ(out, want);
}

TEST(normalize)
{
	check_norm("/", "/");
	check_norm("", ".");
	check_norm("//a//b/", "/a/b");
	check_norm("/a/./b/../c", "/a/c");
	check_norm("/../../x", "/x");
	check_norm("a/..", ".");
	check_norm("../a/../..", "../..");
	check_norm("./a/b/../../..", "..");
	check_norm("/a/b/../..", "/");
}

TEST(cleanup_temp_root)
{
	safe_close(rootfd);
	CHECK(fs_rm_rf(root) == 0);
	CHECK(fs_rm_rf(outside) == 0);
}

TAP_MAIN
