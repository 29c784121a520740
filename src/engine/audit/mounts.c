/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "mounts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"

const char *const audit_masked_paths[] = {
    "/proc/acpi",	 "/proc/asound",
    "/proc/interrupts",	 "/proc/kcore",
    "/proc/keys",	 "/proc/latency_stats",
    "/proc/sched_debug", "/proc/scsi",
    "/proc/timer_list",	 "/proc/timer_stats",
    "/sys/firmware",	 "/sys/devices/virtual/powercap",
    "/sys/fs/selinux",	 NULL,
};
const char *const audit_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

static const char *const engine_sockets[] = {
    "docker.sock",     "podman.sock",	 "containerd.sock", "crio.sock", "cri-dockerd.sock",
    "dockershim.sock", "buildkitd.sock", "kakuri.sock",	    NULL,
};
static const char *const engine_run_dirs[] = {
    "/run/docker", "/var/run/docker", "/run/podman", "/var/run/podman", "/run/containerd", "/var/run/containerd",
    "/run/crio",   "/var/run/crio",   NULL,
};

const char *audit_mount_kind_id(enum audit_mount_kind k)
{
	switch (k) {
	case AUDIT_MNT_HOST_ROOT:
		return "host-root";
	case AUDIT_MNT_ROOTFS_HOST:
		return "rootfs-host";
	case AUDIT_MNT_ENGINE_SOCKET:
		return "engine-socket";
	case AUDIT_MNT_HOST_PROC:
		return "host-proc";
	case AUDIT_MNT_HOST_SYS:
		return "host-sys";
	case AUDIT_MNT_SYS_RW:
		return "sys-rw";
	case AUDIT_MNT_HOST_DEV:
		return "host-dev";
	case AUDIT_MNT_CGROUP_RW:
		return "cgroup-rw";
	}
	return "?";
}

/* Hidden by a later mount at the same mount point? */
static bool is_hidden(const struct mountinfo *mi, size_t i)
{
	for (size_t j = i + 1; j < mi->n; j++)
		if (STREQ(mi->entries[j].mountpoint, mi->entries[i].mountpoint))
			return true;
	return false;
}

const struct mountinfo_entry *audit_mount_top(const struct mountinfo *mi, const char *mountpoint)
{
	for (size_t i = mi->n; i > 0; i--)
		if (STREQ(mi->entries[i - 1].mountpoint, mountpoint))
			return &mi->entries[i - 1];
	return NULL;
}

void audit_host_ref_from(const struct mountinfo *host, struct audit_host_ref *ret)
{
	struct audit_host_ref h = {0};
	const struct mountinfo_entry *e;
	if ((e = audit_mount_top(host, "/"))) {
		h.have_root = true;
		h.root_major = e->major;
		h.root_minor = e->minor;
	}
	if ((e = audit_mount_top(host, "/proc")) && STREQ(e->fstype, "proc")) {
		h.have_proc = true;
		h.proc_major = e->major;
		h.proc_minor = e->minor;
	}
	if ((e = audit_mount_top(host, "/sys")) && STREQ(e->fstype, "sysfs")) {
		h.have_sys = true;
		h.sys_major = e->major;
		h.sys_minor = e->minor;
	}
	if ((e = audit_mount_top(host, "/dev")) && STREQ(e->fstype, "devtmpfs")) {
		h.have_dev = true;
		h.dev_major = e->major;
		h.dev_minor = e->minor;
	}
	*ret = h;
}

/* The mount a path lives on: the top mount at the longest mount point that is a prefix. */
static const struct mountinfo_entry *covering(const struct mountinfo *mi, const char *path)
{
	const struct mountinfo_entry *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < mi->n; i++) {
		const char *mp = mi->entries[i].mountpoint;
		size_t n = strlen(mp);
		bool prefix = STREQ(mp, "/") || (strncmp(path, mp, n) == 0 && (path[n] == '/' || path[n] == 0));
		if (prefix && (n >= best_len || !best)) {
			best = &mi->entries[i];
			best_len = n;
		}
	}
	return best;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (STREQ(list[i], s))
			return true;
	return false;
}

static int add_issue(struct audit_mounts *m, enum audit_mount_kind k, const struct mountinfo_entry *e)
{
	struct audit_mount_issue *nv = realloc(m->issues, (m->n_issues + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	m->issues = nv;
	m->issues[m->n_issues++] =
	    (struct audit_mount_issue){k, e->mountpoint, e->root, e->fstype, mountinfo_opts_has(e->options, "ro")};
	return 0;
}

static int check_entry(struct audit_mounts *m, const struct mountinfo_entry *e, const struct audit_host_ref *h,
		       bool pidns_shared, bool netns_shared)
{
	bool ro = mountinfo_opts_has(e->options, "ro");
	bool root_dir = STREQ(e->root, "/");
	int r = 0;

	if (h->have_root && e->major == h->root_major && e->minor == h->root_minor && root_dir)
		r = add_issue(m, STREQ(e->mountpoint, "/") ? AUDIT_MNT_ROOTFS_HOST : AUDIT_MNT_HOST_ROOT, e);
	if (r == 0 && (in_list(engine_sockets, base_name(e->mountpoint)) ||
		       in_list(engine_sockets, base_name(e->root)) || in_list(engine_run_dirs, e->root)))
		r = add_issue(m, AUDIT_MNT_ENGINE_SOCKET, e);
	if (r == 0 && STREQ(e->fstype, "proc") && !pidns_shared && h->have_proc && e->major == h->proc_major &&
	    e->minor == h->proc_minor)
		r = add_issue(m, AUDIT_MNT_HOST_PROC, e);
	if (r == 0 && STREQ(e->fstype, "sysfs") && !netns_shared && h->have_sys && e->major == h->sys_major &&
	    e->minor == h->sys_minor)
		r = add_issue(m, AUDIT_MNT_HOST_SYS, e);
	if (r == 0 && STREQ(e->fstype, "sysfs") && !ro)
		r = add_issue(m, AUDIT_MNT_SYS_RW, e);
	/* Single device files bound from the host's devtmpfs (rootless /dev/null, ...) are
	 * judged by the device scan; the whole devtmpfs is every device. */
	if (r == 0 && root_dir &&
	    (STREQ(e->fstype, "devtmpfs") || (h->have_dev && e->major == h->dev_major && e->minor == h->dev_minor)))
		r = add_issue(m, AUDIT_MNT_HOST_DEV, e);
	if (r == 0 && (STREQ(e->fstype, "cgroup") || STREQ(e->fstype, "cgroup2")) && !ro)
		r = add_issue(m, AUDIT_MNT_CGROUP_RW, e);
	return r;
}

static int push(const char ***v, size_t *n, const char *s)
{
	const char **nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

int audit_mounts_check(const struct mountinfo *mi, const struct audit_host_ref *host, bool pidns_shared,
		       bool netns_shared, bool (*exists)(const char *path, void *data), void *data,
		       struct audit_mounts *ret)
{
	struct audit_mounts m = {0};
	const struct mountinfo_entry *e;
	size_t nu = 0, nw = 0;
	int r = 0;

	if ((e = audit_mount_top(mi, "/"))) {
		m.have_rootfs = true;
		m.rootfs_ro = mountinfo_opts_has(e->options, "ro");
		m.rootfs_fstype = e->fstype;
	}
	for (size_t i = 0; i < mi->n && r == 0; i++)
		if (!is_hidden(mi, i))
			r = check_entry(&m, &mi->entries[i], host, pidns_shared, netns_shared);
	e = audit_mount_top(mi, "/proc");
	m.have_proc = e && STREQ(e->fstype, "proc");
	bool have_sys = (e = audit_mount_top(mi, "/sys")) && STREQ(e->fstype, "sysfs");
	for (size_t i = 0; audit_masked_paths[i] && r == 0; i++) {
		const char *p = audit_masked_paths[i];
		bool under_proc = strncmp(p, "/proc/", 6) == 0;
		if ((under_proc && !m.have_proc) || (!under_proc && !have_sys) || (exists && !exists(p, data)))
			continue;
		m.n_masked_checked++;
		if (!audit_mount_top(mi, p))
			r = push(&m.unmasked, &nu, p);
	}
	for (size_t i = 0; audit_readonly_paths[i] && r == 0 && m.have_proc; i++) {
		const char *p = audit_readonly_paths[i];
		if (exists && !exists(p, data))
			continue;
		m.n_readonly_checked++;
		e = covering(mi, p);
		if (!e || !mountinfo_opts_has(e->options, "ro"))
			r = push(&m.writable, &nw, p);
	}
	if (r < 0) {
		audit_mounts_done(&m);
		return r;
	}
	*ret = m;
	return 0;
}

void audit_mounts_done(struct audit_mounts *m)
{
	free(m->issues);
	free(m->unmasked);
	free(m->writable);
	*m = (struct audit_mounts){0};
}
