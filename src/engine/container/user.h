/* SPDX-License-Identifier: GPL-2.0-or-later */
/* "-u user[:group]" resolved in the container's own /etc/passwd and /etc/group (never the
 * host's), read through an in-root dirfd so that an image's symlinks cannot point the
 * lookup at host files. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct ctr_user {
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary groups from /etc/group (+ extra), caller frees */
	size_t n_groups;
	char *name; /* NULL when the uid has no passwd entry */
	char *home; /* "/" when unknown */
};

/* spec "" means root. extra_groups: names or numbers (--group-add), may be NULL. On a
 * missing name: -ENOENT with *ret_err "unable to find user NAME: no matching entries in
 * passwd file" (or the group equivalent); caller frees *ret_err. */
int ctr_user_resolve(int rootfd, const char *spec, char *const *extra_groups, struct ctr_user *ret, char **ret_err);
void ctr_user_clear(struct ctr_user *u);

/* Name of uid (or gid when group) in the root's passwd/group: caller frees; NULL if none. */
char *ctr_user_name_of(int rootfd, unsigned id, int group);
