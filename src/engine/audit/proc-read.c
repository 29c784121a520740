/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "proc-read.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

const char *const audit_ns_names[AUDIT_NS_COUNT] = {
    [AUDIT_NS_CGROUP] = "cgroup", [AUDIT_NS_IPC] = "ipc",   [AUDIT_NS_MNT] = "mnt",   [AUDIT_NS_NET] = "net",
    [AUDIT_NS_PID] = "pid",	  [AUDIT_NS_TIME] = "time", [AUDIT_NS_USER] = "user", [AUDIT_NS_UTS] = "uts",
};

/* The value of "Key:\t..." in status text, or NULL. */
static const char *status_field(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == '\t' || *p == ' ')
				p++;
			return p;
		}
	return NULL;
}

static int parse_hex64(const char *v, uint64_t *ret)
{
	char *end;
	if (!v)
		return -EINVAL;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 16);
	if (errno || end == v || (*end && *end != '\n'))
		return -EINVAL;
	*ret = x;
	return 0;
}

static int parse_int(const char *v, int *ret)
{
	char *end;
	if (!v)
		return -EINVAL;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || (*end && *end != '\n') || x < 0 || x > INT32_MAX)
		return -EINVAL;
	*ret = (int)x;
	return 0;
}

static int parse_ids(const char *v, uint32_t out[4])
{
	unsigned long long x[4];
	if (!v || sscanf(v, "%llu %llu %llu %llu", &x[0], &x[1], &x[2], &x[3]) != 4)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		if (x[i] > UINT32_MAX)
			return -EINVAL;
		out[i] = (uint32_t)x[i];
	}
	return 0;
}

int audit_status_parse(const char *text, struct audit_status *ret)
{
	struct audit_status s = {.no_new_privs = -1, .seccomp = -1, .seccomp_filters = -1};
	const char *v = status_field(text, "Name");
	if (v) {
		size_t n = strcspn(v, "\n");
		if (n >= sizeof(s.name))
			n = sizeof(s.name) - 1;
		memcpy(s.name, v, n);
	}
	if (parse_ids(status_field(text, "Uid"), s.uid) < 0 || parse_ids(status_field(text, "Gid"), s.gid) < 0)
		return -EINVAL;
	s.have_ids = true;
	if (parse_hex64(status_field(text, "CapInh"), &s.cap_inh) < 0 ||
	    parse_hex64(status_field(text, "CapPrm"), &s.cap_prm) < 0 ||
	    parse_hex64(status_field(text, "CapEff"), &s.cap_eff) < 0 ||
	    parse_hex64(status_field(text, "CapBnd"), &s.cap_bnd) < 0)
		return -EINVAL;
	/* CapAmb exists since 4.3; treat its absence as empty. */
	if ((v = status_field(text, "CapAmb")) && parse_hex64(v, &s.cap_amb) < 0)
		return -EINVAL;
	s.have_caps = true;
	if ((v = status_field(text, "NoNewPrivs")) && parse_int(v, &s.no_new_privs) < 0)
		return -EINVAL;
	if ((v = status_field(text, "Seccomp")) && parse_int(v, &s.seccomp) < 0)
		return -EINVAL;
	if ((v = status_field(text, "Seccomp_filters")) && parse_int(v, &s.seccomp_filters) < 0)
		return -EINVAL;
	*ret = s;
	return 0;
}

int audit_idmap_parse(const char *text, struct audit_idmap *ret)
{
	ret->n = 0;
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[128];
		unsigned long long a, b, c;
		char extra;
		if (len >= sizeof(line))
			return -EINVAL;
		memcpy(line, p, len);
		line[len] = 0;
		p = nl ? nl + 1 : p + len;
		if (strspn(line, " \t") == len)
			continue;
		if (sscanf(line, "%llu %llu %llu %c", &a, &b, &c, &extra) != 3 || a > UINT32_MAX || b > UINT32_MAX ||
		    c == 0 || c > UINT32_MAX || ret->n >= AUDIT_IDMAP_MAX)
			return -EINVAL;
		ret->e[ret->n++] = (struct audit_idmap_extent){(uint32_t)a, (uint32_t)b, (uint32_t)c};
	}
	return 0;
}

int audit_idmap_to_outside(const struct audit_idmap *m, uint32_t inside, uint32_t *ret)
{
	for (size_t i = 0; i < m->n; i++)
		if (inside >= m->e[i].inside && (uint64_t)inside - m->e[i].inside < m->e[i].count) {
			*ret = m->e[i].outside + (inside - m->e[i].inside);
			return 0;
		}
	return -ENOENT;
}

int audit_idmap_to_inside(const struct audit_idmap *m, uint32_t outside, uint32_t *ret)
{
	for (size_t i = 0; i < m->n; i++)
		if (outside >= m->e[i].outside && (uint64_t)outside - m->e[i].outside < m->e[i].count) {
			*ret = m->e[i].inside + (outside - m->e[i].outside);
			return 0;
		}
	return -ENOENT;
}

bool audit_idmap_is_identity(const struct audit_idmap *m)
{
	return m->n == 1 && m->e[0].inside == 0 && m->e[0].outside == 0 && m->e[0].count == UINT32_MAX;
}

uint64_t audit_ns_inode_parse(const char *link)
{
	const char *b = strchr(link, '[');
	char *end;
	if (!b)
		return 0;
	errno = 0;
	unsigned long long x = strtoull(b + 1, &end, 10);
	if (errno || end == b + 1 || *end != ']')
		return 0;
	return x;
}

int audit_ns_inode(pid_t pid, const char *type, uint64_t *ret)
{
	char path[64], buf[128];
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	uint64_t ino = audit_ns_inode_parse(buf);
	if (!ino)
		return -EINVAL;
	*ret = ino;
	return 0;
}

int audit_stat_start_time(const char *text, uint64_t *ret, char *ret_state)
{
	/* comm may contain spaces and parentheses: the fields start after the last ')'. */
	const char *p = strrchr(text, ')');
	if (!p || p[1] != ' ')
		return -EINVAL;
	p += 2;
	char state = *p;
	/* p points at field 3 (state); field 22 is 19 fields further. */
	for (int f = 3; f < 22; f++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	char *end;
	errno = 0;
	unsigned long long t = strtoull(p, &end, 10);
	if (errno || end == p)
		return -EINVAL;
	*ret = t;
	if (ret_state)
		*ret_state = state;
	return 0;
}

static int read_proc(pid_t pid, const char *what, char **ret)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, what);
	return fs_read_file_at(AT_FDCWD, path, 16u << 20, ret, NULL);
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == 0))
		s[--n] = 0;
}

int audit_proc_read(pid_t pid, struct audit_proc *ret)
{
	struct audit_proc p = {.pid = pid};
	cleanup_free char *stat = NULL, *status = NULL, *um = NULL, *gm = NULL;
	char state = 0;
	int r;

	if (pid <= 0)
		return -ESRCH;
	r = read_proc(pid, "stat", &stat);
	if (r < 0)
		return r == -ENOENT ? -ESRCH : r;
	if (audit_stat_start_time(stat, &p.start_time, &state) < 0)
		return -EINVAL;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	if ((r = read_proc(pid, "status", &status)) < 0)
		return r == -ENOENT ? -ESRCH : r;
	if ((r = audit_status_parse(status, &p.st)) < 0)
		return log_debug_errno(r, "pid %d: cannot parse /proc/%d/status", (int)pid, (int)pid);
	if ((r = read_proc(pid, "uid_map", &um)) < 0 || (r = audit_idmap_parse(um, &p.uidmap)) < 0 ||
	    (r = read_proc(pid, "gid_map", &gm)) < 0 || (r = audit_idmap_parse(gm, &p.gidmap)) < 0)
		return r == -ENOENT ? -ESRCH : r;
	for (int i = 0; i < AUDIT_NS_COUNT; i++) {
		r = audit_ns_inode(pid, audit_ns_names[i], &p.ns[i]);
		if (r < 0 && r != -ENOENT && !p.ns_errno)
			p.ns_errno = -r;
	}
	r = read_proc(pid, "mountinfo", &p.mountinfo);
	if (r < 0)
		p.mountinfo_errno = -r;
	(void)read_proc(pid, "cgroup", &p.cgroup);
	/* AppArmor has its own directory since 5.1 (stacking); attr/current is whichever
	 * LSM owns the legacy interface. EINVAL from both: no LSM provides a label. */
	r = read_proc(pid, "attr/apparmor/current", &p.lsm_label);
	if (r < 0)
		r = read_proc(pid, "attr/current", &p.lsm_label);
	if (r < 0) {
		p.lsm_errno = -r;
		p.lsm_label = NULL;
	} else {
		trim(p.lsm_label);
	}
	/* The process may have exited (and its pid been reused) while we read: check that the
	 * start time is still the one we began with. */
	if (!audit_proc_same(pid, p.start_time)) {
		audit_proc_done(&p);
		return -ESRCH;
	}
	*ret = p;
	return 0;
}

bool audit_proc_same(pid_t pid, uint64_t start)
{
	cleanup_free char *stat = NULL;
	uint64_t t;
	char state;
	return read_proc(pid, "stat", &stat) == 0 && audit_stat_start_time(stat, &t, &state) == 0 && t == start &&
	       state != 'Z' && state != 'X';
}

void audit_proc_done(struct audit_proc *p)
{
	free(p->mountinfo);
	free(p->cgroup);
	free(p->lsm_label);
	p->mountinfo = p->cgroup = p->lsm_label = NULL;
}
