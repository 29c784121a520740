/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/cp.c against a "running container" made of a child process chrooted
 * into a scratch directory (in a user namespace of its own when we are not root), so that
 * ctr_cp() takes its root from /proc/PID/root as it does for a real container. What it
 * proves: docker's destination rules (an existing directory receives SRC's basename, or its
 * contents for "SRC/."), symlinks copied as symlinks, and every container-side path resolved
 * in the container's root: absolute and ".." symlinks in the image that point at host paths
 * (CVE-2018-15664 class) land inside the root, never on the host. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container/cp.h"
#include "engine/container/record.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

static char tmp[PATH_MAX];
static char root[PATH_MAX + 16], host[PATH_MAX + 16], outside[PATH_MAX + 16];
static pid_t child = -1;
static struct ctr_record rec;

/* The "container": chroot(root), then wait to be killed. Reports 'k' or the errno. */
static pid_t start_chrooted(const char *dir, int *ret_err)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t c = fork();
	if (c == 0) {
		close(p[0]);
		int e = 0;
		if (geteuid() != 0 && unshare(CLONE_NEWUSER) < 0)
			e = errno;
		if (!e && chroot(dir) < 0)
			e = errno;
		if (!e && chdir("/") < 0)
			e = errno;
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		if (e)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	int e = EIO;
	if (c < 0 || read(p[0], &e, sizeof(e)) != sizeof(e))
		e = c < 0 ? errno : EIO;
	close(p[0]);
	*ret_err = e;
	if (e && c > 0) {
		waitpid(c, NULL, 0);
		return -1;
	}
	return c;
}

static void stop_child(void)
{
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	child = -1;
}

static void mkpath(const char *base, const char *rel, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", base, rel);
}

static void put(const char *base, const char *rel, const char *text)
{
	char path[PATH_MAX * 3];
	mkpath(base, rel, path, sizeof(path));
	char *slash = strrchr(path, '/');
	*slash = 0;
	fs_mkdir_p(path, 0755);
	*slash = '/';
	CHECK(fs_write_atomic(path, text, strlen(text), 0644) == 0);
}

static char *get(const char *base, const char *rel)
{
	char path[PATH_MAX * 3];
	char *d = NULL;
	mkpath(base, rel, path, sizeof(path));
	return fs_read_file_at(AT_FDCWD, path, 1 << 20, &d, NULL) == 0 ? d : NULL;
}

static bool exists(const char *base, const char *rel)
{
	char path[PATH_MAX * 3];
	struct stat st;
	mkpath(base, rel, path, sizeof(path));
	return lstat(path, &st) == 0;
}

static void link_at(const char *base, const char *rel, const char *target)
{
	char path[PATH_MAX * 3];
	mkpath(base, rel, path, sizeof(path));
	CHECK(symlink(target, path) == 0);
}

/* Scratch tree: root/ (the container), host/ (our side), outside/ (host files the image's
 * symlinks aim at), and a fresh chrooted child whose record says running. */
static bool setup(void)
{
	stop_child();
	if (tmp[0])
		fs_rm_rf(tmp);
	snprintf(tmp, sizeof(tmp), "/tmp/kk-ctr-cp-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	chmod(tmp, 0755);
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(host, sizeof(host), "%s/host", tmp);
	snprintf(outside, sizeof(outside), "%s/outside", tmp);
	mkdir(root, 0755);
	mkdir(host, 0755);
	mkdir(outside, 0755);
	put(root, "etc/hostname", "container-hostname\n");
	put(outside, "hostname", "HOST FILE\n");
	put(outside, "victim", "HOST VICTIM\n");
	int e = 0;
	child = start_chrooted(root, &e);
	CHECK(child > 0);
	if (child < 0)
		return false;
	uint64_t t = 0;
	CHECK(ctr_proc_start_time(child, &t) == 0);
	rec = (struct ctr_record){.id = "cafe", .name = "cp-test", .state = CTR_RUNNING, .pid = child, .pid_start = t};
	return true;
}

static int cp_in(const char *hpath, const char *cpath)
{
	return ctr_cp(NULL, &rec, hpath, cpath, true, false);
}

static int cp_out(const char *cpath, const char *hpath)
{
	return ctr_cp(NULL, &rec, hpath, cpath, false, false);
}

static char *hp(const char *rel)
{
	static char buf[4][PATH_MAX * 2];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", host, rel);
	return buf[i];
}

TEST(copy_a_file_out_and_in)
{
	setup();
	/* Into an existing directory: it receives the basename. */
	CHECK(cp_out("/etc/hostname", host) == 0);
	cleanup_free char *a = get(host, "hostname");
	CHECK_STREQ(a, "container-hostname\n");
	/* To a new name. */
	CHECK(cp_out("/etc/hostname", hp("renamed")) == 0);
	cleanup_free char *b = get(host, "renamed");
	CHECK_STREQ(b, "container-hostname\n");
	put(host, "in.txt", "from the host\n");
	CHECK(cp_in(hp("in.txt"), "/etc") == 0);
	cleanup_free char *c = get(root, "etc/in.txt");
	CHECK_STREQ(c, "from the host\n");
	CHECK(cp_in(hp("in.txt"), "/etc/other.txt") == 0);
	cleanup_free char *d = get(root, "etc/other.txt");
	CHECK_STREQ(d, "from the host\n");
	/* Overwriting an existing file replaces its content. */
	put(host, "in.txt", "v2\n");
	CHECK(cp_in(hp("in.txt"), "/etc/other.txt") == 0);
	cleanup_free char *e = get(root, "etc/other.txt");
	CHECK_STREQ(e, "v2\n");
}

TEST(directories_and_contents_form)
{
	setup();
	put(root, "data/a.txt", "A");
	put(root, "data/sub/b.txt", "B");
	link_at(root, "data/sub/link", "../a.txt");
	CHECK(cp_out("/data", host) == 0);
	cleanup_free char *a = get(host, "data/a.txt"), *b = get(host, "data/sub/b.txt");
	CHECK_STREQ(a, "A");
	CHECK_STREQ(b, "B");
	char target[64] = "";
	char lp[PATH_MAX * 2];
	snprintf(lp, sizeof(lp), "%s/data/sub/link", host);
	ssize_t n = readlink(lp, target, sizeof(target) - 1);
	CHECK(n > 0);
	target[n > 0 ? n : 0] = 0;
	CHECK_STREQ(target, "../a.txt");
	/* "SRC/." copies the contents into an existing directory. */
	mkdir(hp("flat"), 0755);
	CHECK(cp_out("/data/.", hp("flat")) == 0);
	CHECK(exists(host, "flat/a.txt") && exists(host, "flat/sub/b.txt") && !exists(host, "flat/data"));
	/* A new destination name for a directory. */
	CHECK(cp_out("/data", hp("copy")) == 0);
	CHECK(exists(host, "copy/a.txt") && exists(host, "copy/sub/link"));
	/* The container's root itself. */
	mkdir(hp("whole"), 0755);
	CHECK(cp_out("/", hp("whole")) == 0);
	CHECK(exists(host, "whole/etc/hostname") && exists(host, "whole/data/a.txt"));
	/* "/." is the root's contents too (docker cp CTR:/. DIR). */
	mkdir(hp("dot"), 0755);
	CHECK(cp_out("/.", hp("dot")) == 0);
	CHECK(exists(host, "dot/etc/hostname") && exists(host, "dot/data/sub/b.txt"));
	/* And into the container: a host directory's contents into /. */
	put(host, "src/one", "1");
	put(host, "src/deep/two", "2");
	CHECK(cp_in(hp("src/."), "/") == 0);
	CHECK(exists(root, "one") && exists(root, "deep/two") && !exists(root, "src"));
}

TEST(errors_name_the_path_and_create_nothing)
{
	setup();
	CHECK(cp_out("/nope", hp("x")) == -ENOENT);
	CHECK(!exists(host, "x"));
	put(host, "f", "f");
	CHECK(cp_in(hp("f"), "/missing/dir/") < 0);
	CHECK(!exists(root, "missing"));
	CHECK(cp_in(hp("f"), "/nodir/f") < 0); /* the parent must exist */
	CHECK(!exists(root, "nodir"));
	/* A directory onto an existing file. */
	put(root, "d/x", "x");
	put(host, "d", "a file");
	CHECK(cp_out("/d", hp("d")) == -ENOTDIR);
	cleanup_free char *f = get(host, "d");
	CHECK_STREQ(f, "a file");
}

/* The image's /etc is a symlink to the host's copy (absolute): read as ROOT/that/path. */
TEST(absolute_symlink_on_the_way_out_stays_in_root)
{
	setup();
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/etc", root);
	fs_rm_rf(p);
	link_at(root, "etc", outside);
	/* ROOT/<outside>/hostname is what the container sees. */
	char inroot[PATH_MAX * 3];
	snprintf(inroot, sizeof(inroot), "%s%s", root, outside);
	put(inroot, "hostname", "in-root copy\n");
	CHECK(cp_out("/etc/hostname", hp("got")) == 0);
	cleanup_free char *g = get(host, "got");
	CHECK_STREQ(g, "in-root copy\n");
	/* A symlink as the source is copied as a symlink, never followed to the host file. */
	char hl[PATH_MAX * 2];
	snprintf(hl, sizeof(hl), "%s/hostname", outside);
	link_at(root, "direct", hl);
	CHECK(cp_out("/direct", hp("direct")) == 0);
	struct stat st;
	CHECK(lstat(hp("direct"), &st) == 0 && S_ISLNK(st.st_mode));
	char t[PATH_MAX];
	ssize_t n = readlink(hp("direct"), t, sizeof(t) - 1);
	t[n > 0 ? n : 0] = 0;
	CHECK_STREQ(t, hl);
}

/* ".." symlinks clamp at the root too. */
TEST(dotdot_symlink_on_the_way_out_stays_in_root)
{
	setup();
	link_at(root, "up", "../../../../../../../../..");
	/* ROOT/up/<outside>/hostname would be the host's file if resolution escaped. */
	char src[PATH_MAX * 2];
	snprintf(src, sizeof(src), "/up%s/hostname", outside);
	CHECK(cp_out(src, hp("got")) == -ENOENT);
	CHECK(!exists(host, "got"));
	char inroot[PATH_MAX * 3];
	snprintf(inroot, sizeof(inroot), "%s%s", root, outside);
	put(inroot, "hostname", "in-root\n");
	CHECK(cp_out(src, hp("got")) == 0);
	cleanup_free char *g = get(host, "got");
	CHECK_STREQ(g, "in-root\n");
}

/* Copying in through symlinks that aim at host directories and files. */
TEST(symlinks_on_the_way_in_stay_in_root)
{
	setup();
	put(host, "payload", "PAYLOAD\n");
	/* ROOT/evil -> <outside> (absolute): the copy goes to ROOT/<outside>/, if it exists. */
	link_at(root, "evil", outside);
	char dst[PATH_MAX * 2];
	snprintf(dst, sizeof(dst), "/evil/payload");
	CHECK(cp_in(hp("payload"), dst) < 0);
	CHECK(!exists(outside, "payload"));
	char inroot[PATH_MAX * 3];
	snprintf(inroot, sizeof(inroot), "%s%s", root, outside);
	CHECK(fs_mkdir_p(inroot, 0755) == 0);
	CHECK(cp_in(hp("payload"), "/evil/") == 0);
	CHECK(!exists(outside, "payload"));
	cleanup_free char *g = get(inroot, "payload");
	CHECK_STREQ(g, "PAYLOAD\n");
	/* ROOT/up -> ../../..: "/up/<outside>" is ROOT/<outside>, not the host's. */
	link_at(root, "up", "../../../../../../../..");
	snprintf(dst, sizeof(dst), "/up%s/second", outside);
	CHECK(cp_in(hp("payload"), dst) == 0);
	CHECK(!exists(outside, "second"));
	cleanup_free char *h = get(inroot, "second");
	CHECK_STREQ(h, "PAYLOAD\n");
	/* ROOT/victim -> the host file: the link itself is replaced, the host file untouched. */
	char victim[PATH_MAX * 2];
	snprintf(victim, sizeof(victim), "%s/victim", outside);
	link_at(root, "victim", victim);
	CHECK(cp_in(hp("payload"), "/victim") == 0);
	cleanup_free char *v = get(outside, "victim");
	CHECK_STREQ(v, "HOST VICTIM\n");
	struct stat st;
	char rv[PATH_MAX * 2];
	snprintf(rv, sizeof(rv), "%s/victim", root);
	CHECK(lstat(rv, &st) == 0 && S_ISREG(st.st_mode));
	cleanup_free char *w = get(root, "victim");
	CHECK_STREQ(w, "PAYLOAD\n");
	/* A dangling link inside a copied directory is recreated as a link, not followed. */
	put(host, "tree/file", "T");
	char hostlink[PATH_MAX * 2];
	snprintf(hostlink, sizeof(hostlink), "%s/tree/out", host);
	CHECK(symlink(victim, hostlink) == 0);
	CHECK(cp_in(hp("tree"), "/") == 0);
	char ro[PATH_MAX * 2];
	snprintf(ro, sizeof(ro), "%s/tree/out", root);
	CHECK(lstat(ro, &st) == 0 && S_ISLNK(st.st_mode));
	cleanup_free char *v2 = get(outside, "victim");
	CHECK_STREQ(v2, "HOST VICTIM\n");
	/* A directory copied onto a symlink to a host directory: refused, not followed. */
	put(host, "sub/planted", "P");
	link_at(root, "sub", outside);
	CHECK(cp_in(hp("sub"), "/") == -ENOTDIR);
	CHECK(!exists(outside, "planted"));
}

/* A record that is not running (its pid gone) does not use /proc/PID/root. */
TEST(stopped_record_is_not_copied_from_a_dead_pid)
{
	setup();
	struct ctr_record r = rec;
	r.pid_start += 1; /* a reused pid */
	/* Without a store the stopped path cannot find a root filesystem: an error, no copy. */
	struct store s = {.root = tmp, .rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	r.id = "0000000000000000000000000000000000000000000000000000000000000000";
	cleanup_free char *cdir = NULL;
	CHECK(asprintf(&cdir, "%s/containers/%s", tmp, r.id) > 0 && fs_mkdir_p(cdir, 0700) == 0);
	CHECK(ctr_cp(&s, &r, hp("x"), "/etc/hostname", false, false) == -ENOENT);
	CHECK(!exists(host, "x"));
	close(s.rootfd);
}

TEST(cleanup_scratch)
{
	stop_child();
	CHECK(fs_rm_rf(tmp) == 0);
}

struct tap_test tap_tests[512];
int tap_n_tests;
int tap_cur_failed;

int main(void)
{
	int failed = 0, e = 0;
	char probe[] = "/tmp/kk-ctr-cp-probe-XXXXXX";
	if (!mkdtemp(probe))
		return 1;
	pid_t c = start_chrooted(probe, &e);
	if (c > 0) {
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
	}
	rmdir(probe);
	if (c < 0) {
		printf("1..0 # SKIP cannot chroot a child (no root and no unprivileged user namespace: %s)\n",
		       strerror(e));
		return 0;
	}
	printf("1..%d\n", tap_n_tests);
	for (int i = 0; i < tap_n_tests; i++) {
		tap_cur_failed = 0;
		tap_tests[i].fn();
		printf("%sok %d - %s\n", tap_cur_failed ? "not " : "", i + 1, tap_tests[i].name);
		failed |= tap_cur_failed;
		fflush(stdout);
	}
	stop_child();
	return failed;
}
