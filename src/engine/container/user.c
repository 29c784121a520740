/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "user.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/path.h"

#define DB_MAX (4u << 20)

void ctr_user_clear(struct ctr_user *u)
{
	free(u->groups);
	free(u->name);
	free(u->home);
	*u = (struct ctr_user){0};
}

/* The whole file (at most DB_MAX), NULL if it is missing or unreadable. O_NOFOLLOW is not
 * needed: the in-root resolution keeps symlinks inside the root. */
static char *read_db(int rootfd, const char *path)
{
	cleanup_close int fd = path_open_in_root(rootfd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, 0);
	size_t len = 0, cap = 4096;
	char *data;
	if (fd < 0 || !(data = malloc(cap)))
		return NULL;
	for (;;) {
		if (len + 1 >= cap) {
			char *n = cap >= DB_MAX ? NULL : realloc(data, cap * 2);
			if (!n) {
				free(data);
				return NULL;
			}
			data = n;
			cap *= 2;
		}
		ssize_t k = read(fd, data + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			free(data);
			return NULL;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	data[len] = 0;
	return data;
}

static bool parse_num(const char *s, unsigned *ret)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return false;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || v > 0xFFFFFFFEUL)
		return false;
	*ret = (unsigned)v;
	return true;
}

/* Splits a colon-separated line in place into at most max fields. */
static int fields(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = 0;
			f[n++] = p + 1;
		}
	return n;
}

/* Finds a passwd entry by name (or by uid when name is NULL). */
static bool passwd_find(char *db, const char *name, unsigned uid, unsigned *ret_uid, unsigned *ret_gid, char **ret_name,
			char **ret_home)
{
	char *save = NULL;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *f[7] = {0};
		int n = fields(line, f, 7);
		if (line[0] == '#' || n < 4)
			continue;
		unsigned u, g;
		if (!parse_num(f[2], &u) || !parse_num(f[3], &g))
			continue;
		if (name ? STREQ(f[0], name) : u == uid) {
			*ret_uid = u;
			*ret_gid = g;
			*ret_name = strdup(f[0]);
			*ret_home = strdup(n > 5 && f[5][0] == '/' ? f[5] : "/");
			return true;
		}
	}
	return false;
}

static bool group_find(char *db, const char *name, unsigned *ret_gid)
{
	char *save = NULL;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		unsigned g;
		if (line[0] == '#' || fields(line, f, 4) < 3 || !parse_num(f[2], &g))
			continue;
		if (STREQ(f[0], name)) {
			*ret_gid = g;
			return true;
		}
	}
	return false;
}

static int add_gid(struct ctr_user *u, gid_t g)
{
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == g)
			return 0;
	gid_t *n = realloc(u->groups, (u->n_groups + 1) * sizeof(gid_t));
	if (!n)
		return -ENOMEM;
	u->groups = n;
	u->groups[u->n_groups++] = g;
	return 0;
}

/* Every group whose member list names the user. */
static int member_groups(char *db, const char *user, struct ctr_user *u)
{
	char *save = NULL;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		unsigned g;
		if (line[0] == '#' || fields(line, f, 4) < 4 || !parse_num(f[2], &g))
			continue;
		char *s2 = NULL;
		for (char *m = strtok_r(f[3], ",", &s2); m; m = strtok_r(NULL, ",", &s2))
			if (STREQ(m, user) && add_gid(u, g) < 0)
				return -ENOMEM;
	}
	return 0;
}

int ctr_user_resolve(int rootfd, const char *spec, char *const *extra_groups, struct ctr_user *ret, char **ret_err)
{
	struct ctr_user u = {0};
	cleanup_free char *user = strdup(spec && *spec ? spec : "0");
	cleanup_free char *passwd = read_db(rootfd, "/etc/passwd");
	cleanup_free char *group = read_db(rootfd, "/etc/group");
	char *gpart = NULL, *colon;
	unsigned id = 0;
	if (!user)
		return -ENOMEM;
	if ((colon = strchr(user, ':'))) {
		*colon = 0;
		gpart = colon + 1;
	}
	/* ":GROUP" is root; not a new string: gpart points into user. */
	const char *uname = *user ? user : "0";
	cleanup_free char *pw1 = passwd ? strdup(passwd) : NULL;
	unsigned puid = 0, pgid = 0;
	char *pname = NULL, *phome = NULL;
	bool numeric = parse_num(uname, &id);
	bool found = passwd_find(pw1, numeric ? NULL : uname, numeric ? id : 0, &puid, &pgid, &pname, &phome);
	if (!found && !numeric) {
		if (asprintf(ret_err, "unable to find user %s: no matching entries in passwd file", uname) < 0)
			*ret_err = NULL;
		return -ENOENT;
	}
	u.uid = numeric ? id : puid;
	u.gid = found ? pgid : 0;
	u.name = pname;
	u.home = phome ? phome : strdup("/");
	if (gpart && *gpart) {
		unsigned g;
		cleanup_free char *gr = group ? strdup(group) : NULL;
		if (parse_num(gpart, &g)) {
			u.gid = g;
		} else if (group_find(gr, gpart, &g)) {
			u.gid = g;
		} else {
			if (asprintf(ret_err, "unable to find group %s: no matching entries in group file", gpart) < 0)
				*ret_err = NULL;
			ctr_user_clear(&u);
			return -ENOENT;
		}
	}
	/* Membership groups only in the implicit form, as runc/docker/podman: "-u app:grp"
	 * asks for exactly that group (plus --group-add), not app's memberships too. */
	if (u.name && group && !(gpart && *gpart)) {
		cleanup_free char *gr = strdup(group);
		if (!gr || member_groups(gr, u.name, &u) < 0) {
			ctr_user_clear(&u);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; extra_groups && extra_groups[i]; i++) {
		unsigned g;
		cleanup_free char *gr = group ? strdup(group) : NULL;
		if (!parse_num(extra_groups[i], &g) && !group_find(gr, extra_groups[i], &g)) {
			if (asprintf(ret_err, "unable to find group %s: no matching entries in group file",
				     extra_groups[i]) < 0)
				*ret_err = NULL;
			ctr_user_clear(&u);
			return -ENOENT;
		}
		if (add_gid(&u, g) < 0) {
			ctr_user_clear(&u);
			return -ENOMEM;
		}
	}
	if (!u.home) {
		ctr_user_clear(&u);
		return -ENOMEM;
	}
	*ret = u;
	return 0;
}

char *ctr_user_name_of(int rootfd, unsigned id, int grp)
{
	cleanup_free char *db = read_db(rootfd, grp ? "/etc/group" : "/etc/passwd");
	char *save = NULL;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		unsigned v;
		if (line[0] == '#' || fields(line, f, 4) < 3 || !parse_num(f[2], &v))
			continue;
		if (v == id)
			return strdup(f[0]);
	}
	return NULL;
}
