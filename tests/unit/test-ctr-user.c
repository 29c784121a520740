/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/user.c: "-u user[:group]" resolved in a container root's own
 * /etc/passwd and /etc/group, given as an open dirfd of a scratch directory: names, numbers,
 * numeric ids with no passwd entry, supplementary groups, --group-add, podman's exact
 * "unable to find user" text, malformed and hostile entries, and symlinked databases that
 * must resolve inside the root (never the host's files). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/container/user.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

static char tmp[PATH_MAX];
static char root[PATH_MAX + 16];
static int rootfd = -EBADF;

static const char passwd_std[] = "root:x:0:0:root:/root:/bin/sh\n"
				 "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				 "# a comment:x:5:5::/c:/bin/sh\n"
				 "app:x:1000:1000:App User:/home/app:/bin/sh\n"
				 "app2:x:1001:1001::/home/app2:/bin/sh\n"
				 "relhome:x:1002:1002::home/rel:/bin/sh\n"
				 "nohome:x:1003:1003\n";
static const char group_std[] = "root:x:0:\n"
				"wheel:x:10:root,app\n"
				"audio:x:29:bob,app,carol\n"
				"video:x:44:app2\n"
				"app:x:1000:\n"
				"staff:x:50:bob\n";

/* Writes root/rel (making its directory). */
static void put(const char *rel, const char *text)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	char *slash = strrchr(path, '/');
	*slash = 0;
	fs_mkdir_p(path, 0755);
	*slash = '/';
	if (fs_write_atomic(path, text, strlen(text), 0644) < 0)
		abort();
}

/* A fresh scratch dir: tmp/root (the container root, rootfd) and tmp/outside (the "host"). */
static void setup(const char *passwd, const char *group)
{
	if (rootfd >= 0)
		close(rootfd);
	if (tmp[0])
		fs_rm_rf(tmp);
	snprintf(tmp, sizeof(tmp), "/tmp/kk-ctr-user-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	snprintf(root, sizeof(root), "%s/root", tmp);
	if (fs_mkdir_p(root, 0755) < 0)
		abort();
	if (passwd)
		put("etc/passwd", passwd);
	if (group)
		put("etc/group", group);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		abort();
}

static bool has_gid(const struct ctr_user *u, gid_t g)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == g)
			return true;
	return false;
}

/* Resolves spec and expects success with uid:gid, name (NULL: none) and home. */
static struct ctr_user resolve_ok(const char *spec, char *const *extra, uid_t uid, gid_t gid, const char *name,
				  const char *home)
{
	struct ctr_user u = {0};
	char *err = NULL;
	int r = ctr_user_resolve(rootfd, spec, extra, &u, &err);
	if (r < 0)
		printf("#   '%s': unexpected error %d: %s\n", spec ? spec : "(null)", r, err ? err : "(none)");
	CHECK(r == 0);
	CHECK(err == NULL);
	free(err);
	if (r < 0)
		return u;
	if (u.uid != uid || u.gid != gid) {
		printf("#   '%s': got %u:%u, expected %u:%u\n", spec ? spec : "(null)", (unsigned)u.uid,
		       (unsigned)u.gid, (unsigned)uid, (unsigned)gid);
		tap_cur_failed = 1;
	}
	if (name)
		CHECK_STREQ(u.name, name);
	else
		CHECK(u.name == NULL);
	CHECK_STREQ(u.home, home);
	return u;
}

static void resolve_fails(const char *spec, char *const *extra, const char *want)
{
	struct ctr_user u = {.uid = 4711};
	char *err = NULL;
	int r = ctr_user_resolve(rootfd, spec, extra, &u, &err);
	CHECK(r == -ENOENT);
	CHECK_STREQ(err, want);
	CHECK(u.uid == 4711 && u.groups == NULL); /* *ret untouched on failure */
	free(err);
	if (r == 0)
		ctr_user_clear(&u);
}

TEST(empty_spec_is_root)
{
	setup(passwd_std, group_std);
	struct ctr_user u = resolve_ok("", NULL, 0, 0, "root", "/root");
	CHECK(has_gid(&u, 10)); /* root is a member of wheel */
	CHECK(u.n_groups == 1);
	ctr_user_clear(&u);
	u = resolve_ok(NULL, NULL, 0, 0, "root", "/root");
	ctr_user_clear(&u);
	u = resolve_ok("0", NULL, 0, 0, "root", "/root");
	ctr_user_clear(&u);
	CHECK(u.name == NULL && u.groups == NULL && u.home == NULL); /* clear zeroes it */
}

TEST(name_gives_uid_gid_home_and_member_groups)
{
	setup(passwd_std, group_std);
	struct ctr_user u = resolve_ok("app", NULL, 1000, 1000, "app", "/home/app");
	CHECK(u.n_groups == 2);
	CHECK(has_gid(&u, 10) && has_gid(&u, 29));
	CHECK(!has_gid(&u, 44)); /* video lists app2, not app: no prefix matching */
	ctr_user_clear(&u);
	u = resolve_ok("app2", NULL, 1001, 1001, "app2", "/home/app2");
	CHECK(u.n_groups == 1 && has_gid(&u, 44));
	ctr_user_clear(&u);
	u = resolve_ok("daemon", NULL, 1, 1, "daemon", "/usr/sbin");
	CHECK(u.n_groups == 0);
	ctr_user_clear(&u);
}

TEST(uid_with_a_passwd_entry_takes_its_name_and_group)
{
	setup(passwd_std, group_std);
	struct ctr_user u = resolve_ok("1000", NULL, 1000, 1000, "app", "/home/app");
	CHECK(has_gid(&u, 29));
	ctr_user_clear(&u);
}

/* docker/podman: a number with no passwd entry is used as is, gid 0, HOME "/". */
TEST(uid_without_a_passwd_entry_is_used_as_is)
{
	setup(passwd_std, group_std);
	struct ctr_user u = resolve_ok("4242", NULL, 4242, 0, NULL, "/");
	CHECK(u.n_groups == 0);
	ctr_user_clear(&u);
	u = resolve_ok("4242:4343", NULL, 4242, 4343, NULL, "/");
	ctr_user_clear(&u);
	u = resolve_ok("4294967294", NULL, 4294967294u, 0, NULL, "/");
	ctr_user_clear(&u);
	/* No passwd file at all: numbers still work, names do not. */
	setup(NULL, NULL);
	u = resolve_ok("123:456", NULL, 123, 456, NULL, "/");
	ctr_user_clear(&u);
	u = resolve_ok("", NULL, 0, 0, NULL, "/");
	ctr_user_clear(&u);
	resolve_fails("root", NULL, "unable to find user root: no matching entries in passwd file");
}

TEST(missing_user_is_podmans_exact_error)
{
	setup(passwd_std, group_std);
	resolve_fails("nobody_here", NULL, "unable to find user nobody_here: no matching entries in passwd file");
	resolve_fails("nobody_here:audio", NULL, "unable to find user nobody_here: no matching entries in passwd file");
	resolve_fails("ap", NULL, "unable to find user ap: no matching entries in passwd file");
	resolve_fails("APP", NULL, "unable to find user APP: no matching entries in passwd file");
	/* The comment line is not an entry. */
	resolve_fails("# a comment", NULL, "unable to find user # a comment: no matching entries in passwd file");
	/* Not a number: "-1", "1e3", "0x10", a uid past 2^32-2 are names, and not found. */
	resolve_fails("-1", NULL, "unable to find user -1: no matching entries in passwd file");
	resolve_fails("0x10", NULL, "unable to find user 0x10: no matching entries in passwd file");
	resolve_fails("4294967295", NULL, "unable to find user 4294967295: no matching entries in passwd file");
	resolve_fails("99999999999999999999", NULL,
		      "unable to find user 99999999999999999999: no matching entries in passwd file");
}

TEST(user_colon_group_forms)
{
	setup(passwd_std, group_std);
	/* An explicit group is the only one: no memberships from /etc/group (runc's rule,
	 * which docker and podman share). */
	struct ctr_user u = resolve_ok("app:audio", NULL, 1000, 29, "app", "/home/app");
	CHECK(u.n_groups == 0);
	ctr_user_clear(&u);
	u = resolve_ok("app:5555", NULL, 1000, 5555, "app", "/home/app");
	CHECK(u.n_groups == 0);
	ctr_user_clear(&u);
	u = resolve_ok("1000:staff", NULL, 1000, 50, "app", "/home/app");
	CHECK(u.n_groups == 0);
	ctr_user_clear(&u);
	u = resolve_ok("4242:video", NULL, 4242, 44, NULL, "/");
	ctr_user_clear(&u);
	/* --group-add still adds to it. */
	char *extra[] = {"wheel", NULL};
	u = resolve_ok("app:audio", extra, 1000, 29, "app", "/home/app");
	CHECK(u.n_groups == 1 && has_gid(&u, 10));
	ctr_user_clear(&u);
	/* "app:" is the implicit form: the primary group and the memberships. */
	u = resolve_ok("app:", NULL, 1000, 1000, "app", "/home/app");
	CHECK(u.n_groups == 2 && has_gid(&u, 10) && has_gid(&u, 29));
	ctr_user_clear(&u);
	resolve_fails("app:nogroup", NULL, "unable to find group nogroup: no matching entries in group file");
	resolve_fails("4242:nogroup", NULL, "unable to find group nogroup: no matching entries in group file");
}

/* ":GROUP" is root with that group (an empty user part). */
TEST(empty_user_part_is_root)
{
	setup(passwd_std, group_std);
	struct ctr_user u = resolve_ok(":1000", NULL, 0, 1000, "root", "/root");
	ctr_user_clear(&u);
	u = resolve_ok(":audio", NULL, 0, 29, "root", "/root");
	ctr_user_clear(&u);
	u = resolve_ok(":", NULL, 0, 0, "root", "/root");
	ctr_user_clear(&u);
	resolve_fails(":nogroup", NULL, "unable to find group nogroup: no matching entries in group file");
}

TEST(group_add_by_name_and_number)
{
	setup(passwd_std, group_std);
	char *extra[] = {"video", "777", "audio", "29", NULL};
	struct ctr_user u = resolve_ok("app", extra, 1000, 1000, "app", "/home/app");
	CHECK(has_gid(&u, 10) && has_gid(&u, 29) && has_gid(&u, 44) && has_gid(&u, 777));
	CHECK(u.n_groups == 4); /* no duplicates */
	ctr_user_clear(&u);
	char *bad[] = {"video", "nosuchgroup", NULL};
	resolve_fails("app", bad, "unable to find group nosuchgroup: no matching entries in group file");
	/* Without a group file numbers still work. */
	setup(passwd_std, NULL);
	char *nums[] = {"5", "6", NULL};
	u = resolve_ok("app", nums, 1000, 1000, "app", "/home/app");
	CHECK(u.n_groups == 2 && has_gid(&u, 5) && has_gid(&u, 6));
	ctr_user_clear(&u);
}

TEST(home_falls_back_to_slash)
{
	setup(passwd_std, group_std);
	struct ctr_user u = resolve_ok("relhome", NULL, 1002, 1002, "relhome", "/");
	ctr_user_clear(&u);
	u = resolve_ok("nohome", NULL, 1003, 1003, "nohome", "/");
	ctr_user_clear(&u);
}

/* Entries an image could ship to confuse the parser: each is skipped, none crashes, and the
 * good entry after them is still found. */
TEST(malformed_entries_are_skipped)
{
	static const char pw[] = "\n"
				 "::0:0::/:/bin/sh\n"
				 "short:x\n"
				 "short2:x:7\n"
				 "nonnum:x:abc:0::/n:/bin/sh\n"
				 "neg:x:-1:0::/n:/bin/sh\n"
				 "plus:x:+5:0::/n:/bin/sh\n"
				 "huge:x:4294967295:0::/n:/bin/sh\n"
				 "trail:x:12junk:0::/n:/bin/sh\n"
				 "badgid:x:12:zz::/n:/bin/sh\n"
				 "emptyuid:x::0::/n:/bin/sh\n"
				 "extra:x:31:32:gecos:/home/extra:/bin/sh:more:colons:here\n"
				 "crlf:x:33:33::/crlf:/bin/sh\r\n"
				 "good:x:2000:2000::/home/good:/bin/sh";
	static const char gr[] = "broken\n"
				 "nonnum:x:abc:good\n"
				 "g1:x:300:,,good,,\n"
				 "g2:x:301\n"
				 "g3:x:302:goodie,xgood,good2\n"
				 "g4::303:good";
	setup(pw, gr);
	const char *skipped[] = {"short", "short2", "nonnum", "neg", "plus", "huge", "trail", "badgid", "emptyuid"};
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
		char want[128];
		snprintf(want, sizeof(want), "unable to find user %s: no matching entries in passwd file", skipped[i]);
		resolve_fails(skipped[i], NULL, want);
	}
	/* The last line has no newline; its groups: g1 (empty members around it) and g4. */
	struct ctr_user u = resolve_ok("good", NULL, 2000, 2000, "good", "/home/good");
	CHECK(u.n_groups == 2 && has_gid(&u, 300) && has_gid(&u, 303));
	ctr_user_clear(&u);
	/* Extra colons end up in the shell field, not in home. */
	u = resolve_ok("extra", NULL, 31, 32, "extra", "/home/extra");
	ctr_user_clear(&u);
	/* A group line without its member list still names a group. */
	u = resolve_ok("good:g2", NULL, 2000, 301, "good", "/home/good");
	ctr_user_clear(&u);
	resolve_fails("good:nonnum", NULL, "unable to find group nonnum: no matching entries in group file");
}

TEST(name_of_uid_and_gid)
{
	setup(passwd_std, group_std);
	cleanup_free char *a = ctr_user_name_of(rootfd, 1000, 0);
	cleanup_free char *b = ctr_user_name_of(rootfd, 29, 1);
	cleanup_free char *c = ctr_user_name_of(rootfd, 4242, 0);
	cleanup_free char *d = ctr_user_name_of(rootfd, 0, 0);
	cleanup_free char *e = ctr_user_name_of(rootfd, 5, 0); /* only in the comment line */
	CHECK_STREQ(a, "app");
	CHECK_STREQ(b, "audio");
	CHECK(c == NULL);
	CHECK_STREQ(d, "root");
	CHECK(e == NULL);
	setup(NULL, NULL);
	cleanup_free char *f = ctr_user_name_of(rootfd, 0, 0);
	CHECK(f == NULL);
}

/* The "host" files an image's symlinks try to reach: tmp/outside/{passwd,group}. */
static const char host_passwd[] = "evil:x:6666:6666::/evil:/bin/sh\nroot:x:0:0::/hostroot:/bin/sh\n";
static const char host_group[] = "evilgrp:x:6667:app\n";

static void put_outside(void)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/outside", tmp);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/outside/passwd", tmp);
	CHECK(fs_write_atomic(path, host_passwd, strlen(host_passwd), 0644) == 0);
	snprintf(path, sizeof(path), "%s/outside/group", tmp);
	CHECK(fs_write_atomic(path, host_group, strlen(host_group), 0644) == 0);
}

static void link_in_root(const char *target, const char *rel)
{
	char path[PATH_MAX * 2];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	CHECK(symlink(target, path) == 0);
}

/* /etc/passwd -> ../../outside/passwd: ".." stops at the root, so this is /outside/passwd
 * of the container (missing here, then an in-root file), never tmp/outside/passwd. */
TEST(relative_symlink_out_of_the_root_resolves_inside)
{
	setup(passwd_std, group_std);
	put_outside();
	link_in_root("../../outside/passwd", "etc/passwd");
	link_in_root("../../../../../../outside/group", "etc/group");
	resolve_fails("evil", NULL, "unable to find user evil: no matching entries in passwd file");
	struct ctr_user u = resolve_ok("6666", NULL, 6666, 0, NULL, "/");
	ctr_user_clear(&u);
	u = resolve_ok("", NULL, 0, 0, NULL, "/");
	ctr_user_clear(&u);
	resolve_fails("6666:evilgrp", NULL, "unable to find group evilgrp: no matching entries in group file");
	cleanup_free char *n = ctr_user_name_of(rootfd, 6666, 0);
	CHECK(n == NULL);
	/* The same relative link finds the container's own /outside/passwd. */
	put("outside/passwd", "inroot:x:7777:7778::/in:/bin/sh\n");
	u = resolve_ok("inroot", NULL, 7777, 7778, "inroot", "/in");
	ctr_user_clear(&u);
	resolve_fails("evil", NULL, "unable to find user evil: no matching entries in passwd file");
}

/* An absolute link to the host's copy is read as ROOT/that/path. */
TEST(absolute_symlink_to_a_host_path_resolves_inside)
{
	setup(passwd_std, group_std);
	put_outside();
	char target[PATH_MAX * 2];
	snprintf(target, sizeof(target), "%s/outside/passwd", tmp);
	link_in_root(target, "etc/passwd");
	resolve_fails("evil", NULL, "unable to find user evil: no matching entries in passwd file");
	/* /etc/passwd -> /etc/passwd: a loop inside the root, not the host's root entry. */
	link_in_root("/etc/passwd", "etc/passwd");
	struct ctr_user u = {0};
	char *err = NULL;
	CHECK(ctr_user_resolve(rootfd, "root", NULL, &u, &err) == -ENOENT);
	CHECK_STREQ(err, "unable to find user root: no matching entries in passwd file");
	free(err);
	/* And the in-root target is followed. */
	put("srv/passwd", "linked:x:88:89::/l:/bin/sh\n");
	link_in_root("/srv/passwd", "etc/passwd");
	u = resolve_ok("linked", NULL, 88, 89, "linked", "/l");
	ctr_user_clear(&u);
}

/* /etc itself a symlink out of the root. */
TEST(symlinked_etc_directory_resolves_inside)
{
	setup(NULL, NULL);
	put_outside();
	char etc[PATH_MAX * 2];
	snprintf(etc, sizeof(etc), "%s/etc", root);
	rmdir(etc);
	char target[PATH_MAX * 2];
	snprintf(target, sizeof(target), "%s/outside", tmp);
	CHECK(symlink(target, etc) == 0);
	resolve_fails("evil", NULL, "unable to find user evil: no matching entries in passwd file");
	unlink(etc);
	CHECK(symlink("../outside", etc) == 0);
	resolve_fails("evil", NULL, "unable to find user evil: no matching entries in passwd file");
	struct ctr_user u = resolve_ok("0", NULL, 0, 0, NULL, "/");
	ctr_user_clear(&u);
}

/* A FIFO, a directory or an oversized file as /etc/passwd: no hang, no crash, no user. */
TEST(hostile_file_types)
{
	setup(NULL, group_std);
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/etc/passwd", root);
	CHECK(mkfifo(p, 0644) == 0);
	resolve_fails("root", NULL, "unable to find user root: no matching entries in passwd file");
	unlink(p);
	CHECK(mkdir(p, 0755) == 0);
	resolve_fails("root", NULL, "unable to find user root: no matching entries in passwd file");
	rmdir(p);
	/* 5 MiB of entries (past the 4 MiB bound), the wanted one at the end. */
	size_t n = 5u << 20;
	char *big = malloc(n + 64);
	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, '#', n);
	for (size_t i = 79; i < n; i += 80)
		big[i] = '\n';
	snprintf(big + n, 64, "\nlast:x:9:9::/:/bin/sh\n");
	CHECK(fs_write_atomic(p, big, strlen(big), 0644) == 0);
	free(big);
	resolve_fails("last", NULL, "unable to find user last: no matching entries in passwd file");
	/* Under the bound is read whole. */
	size_t m = 3u << 20;
	big = malloc(m + 64);
	CHECK(big != NULL);
	if (!big)
		return;
	memset(big, '#', m);
	for (size_t i = 79; i < m; i += 80)
		big[i] = '\n';
	snprintf(big + m, 64, "\nlast:x:9:9::/:/bin/sh\n");
	CHECK(fs_write_atomic(p, big, strlen(big), 0644) == 0);
	free(big);
	struct ctr_user u = resolve_ok("last", NULL, 9, 9, "last", "/");
	ctr_user_clear(&u);
}

TEST(cleanup_scratch)
{
	if (rootfd >= 0)
		close(rootfd);
	rootfd = -EBADF;
	CHECK(fs_rm_rf(tmp) == 0);
}

TAP_MAIN
