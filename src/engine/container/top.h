/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `top`: the processes of a container (every process in its init's pid namespace), with
 * podman's (psgo's) descriptors, read from /proc without entering the container:
 *
 *   pid ppid pgid      in the container's pid namespace      hpid   the host's pid
 *   user group         effective ids as the container sees them (through its uid_map),
 *   ruser rgroup       named through the container's own /etc/passwd and /etc/group
 *   uid                (opened via /proc/PID/root, in-root resolution)
 *   huser hgroup huid  the ids in the host's user namespace (numbers: a host passwd name
 *                      for a container's uid would mislead, 5 is "games" on Debian)
 *   args comm etime time stime tty nice vsz rss state pcpu label seccomp
 *   capeff capprm capbnd capinh capamb   "full", "none" or the names (CHOWN,KILL,…)
 * Also the AIX codes %C %G %P %U %a %c %g %n %p %r %t %u %x %y %z. Default: user pid ppid
 * pcpu etime tty time args (podman's `ps -ef`-like set). */
#pragma once

#include <sys/types.h>

/* Rows of cells, the first being the headers. *ret_rows: n_rows arrays of n_cols strings. */
struct ctr_top {
	char ***rows;
	size_t n_rows, n_cols;
};

/* descriptors: strv (NULL or empty: the default). An unknown one: -EINVAL, logged with the
 * list of known ones. */
int ctr_top_collect(pid_t init_pid, char *const *descriptors, struct ctr_top *ret);
void ctr_top_free(struct ctr_top *t);
