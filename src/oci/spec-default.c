/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "oci/spec-default.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "oci/spec-internal.h"

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};

/* /work/shared/SECURITY-NOTES.md, "Defaults". */
static const char *const masked_paths[] = {
    "/proc/acpi",	 "/proc/asound",
    "/proc/interrupts",	 "/proc/kcore",
    "/proc/keys",	 "/proc/latency_stats",
    "/proc/sched_debug", "/proc/scsi",
    "/proc/timer_list",	 "/proc/timer_stats",
    "/sys/firmware",	 "/sys/devices/virtual/powercap",
    "/sys/fs/selinux",	 NULL,
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

struct default_mount {
	const char *destination, *type, *source;
	const char *options[8]; /* NULL-terminated */
};

static const struct default_mount default_mounts[] = {
    {"/proc", "proc", "proc", {NULL}},
    {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
    {"/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
    {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
    {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
    {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
    {"/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}},
};

static const struct default_mount rootless_sys = {"/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}};

static struct json_object *process_json(bool *oom)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
					  "TERM=xterm", NULL};
	struct json_object *proc = json_object_new_object(), *user = json_object_new_object(),
			   *caps = json_object_new_object(), *rl = json_object_new_object(),
			   *rls = json_object_new_array();

	spec_json_add(oom, user, "uid", json_object_new_int(0));
	spec_json_add(oom, user, "gid", json_object_new_int(0));
	spec_json_add(oom, caps, "bounding", spec_json_strv(oom, default_caps));
	spec_json_add(oom, caps, "effective", spec_json_strv(oom, default_caps));
	spec_json_add(oom, caps, "permitted", spec_json_strv(oom, default_caps));
	spec_json_add(oom, rl, "type", json_object_new_string("RLIMIT_NOFILE"));
	spec_json_add(oom, rl, "hard", json_object_new_int(1024));
	spec_json_add(oom, rl, "soft", json_object_new_int(1024));
	spec_json_push(oom, rls, rl);

	spec_json_add(oom, proc, "terminal", json_object_new_boolean(1));
	spec_json_add(oom, proc, "user", user);
	spec_json_add(oom, proc, "args", spec_json_strv(oom, args));
	spec_json_add(oom, proc, "env", spec_json_strv(oom, env));
	spec_json_add(oom, proc, "cwd", json_object_new_string("/"));
	spec_json_add(oom, proc, "capabilities", caps);
	spec_json_add(oom, proc, "rlimits", rls);
	spec_json_add(oom, proc, "noNewPrivileges", json_object_new_boolean(1));
	return proc;
}

static struct json_object *mount_json(bool *oom, const struct default_mount *m, bool rootless)
{
	struct json_object *o = json_object_new_object();

	spec_json_add(oom, o, "destination", json_object_new_string(m->destination));
	spec_json_add(oom, o, "type", json_object_new_string(m->type));
	spec_json_add(oom, o, "source", json_object_new_string(m->source));
	if (m->options[0]) {
		struct json_object *opts = json_object_new_array();

		for (const char *const *opt = m->options; *opt; opt++) {
			/* Rootless: a size-1 id map has no gid 5 (runc drops uid=/gid= too). */
			if (rootless && (strncmp(*opt, "uid=", 4) == 0 || strncmp(*opt, "gid=", 4) == 0))
				continue;
			spec_json_push(oom, opts, json_object_new_string(*opt));
		}
		spec_json_add(oom, o, "options", opts);
	}
	return o;
}

static struct json_object *mapping_json(bool *oom, unsigned id)
{
	struct json_object *a = json_object_new_array(), *m = json_object_new_object();

	spec_json_add(oom, m, "containerID", json_object_new_int(0));
	spec_json_add(oom, m, "hostID", json_object_new_int64(id));
	spec_json_add(oom, m, "size", json_object_new_int(1));
	spec_json_push(oom, a, m);
	return a;
}

static struct json_object *namespace_json(bool *oom, const char *type)
{
	struct json_object *o = json_object_new_object();

	spec_json_add(oom, o, "type", json_object_new_string(type));
	return o;
}

static struct json_object *linux_json(bool *oom, bool rootless)
{
	static const char *const namespaces[] = {"pid", "network", "ipc", "uts", "mount", "cgroup", NULL};
	struct json_object *l = json_object_new_object(), *ns = json_object_new_array();

	for (const char *const *n = namespaces; *n; n++)
		if (!rootless || strcmp(*n, "network") != 0)
			spec_json_push(oom, ns, namespace_json(oom, *n));
	if (rootless) {
		spec_json_push(oom, ns, namespace_json(oom, "user"));
		/* The effective ids: an unprivileged writer of uid_map may map only its own. */
		spec_json_add(oom, l, "uidMappings", mapping_json(oom, geteuid()));
		spec_json_add(oom, l, "gidMappings", mapping_json(oom, getegid()));
	} else {
		struct json_object *res = json_object_new_object(), *devs = json_object_new_array(),
				   *deny = json_object_new_object();

		spec_json_add(oom, deny, "allow", json_object_new_boolean(0));
		spec_json_add(oom, deny, "access", json_object_new_string("rwm"));
		spec_json_push(oom, devs, deny);
		spec_json_add(oom, res, "devices", devs);
		spec_json_add(oom, l, "resources", res);
	}
	spec_json_add(oom, l, "namespaces", ns);
	spec_json_add(oom, l, "maskedPaths", spec_json_strv(oom, masked_paths));
	spec_json_add(oom, l, "readonlyPaths", spec_json_strv(oom, readonly_paths));
	return l;
}

char *spec_default_json(bool rootless)
{
	struct json_object *top = json_object_new_object(), *root = json_object_new_object(),
			   *mounts = json_object_new_array();
	const char *text;
	char *out = NULL;
	bool oom = !top;

	spec_json_add(&oom, root, "path", json_object_new_string("rootfs"));
	spec_json_add(&oom, root, "readonly", json_object_new_boolean(1));
	for (size_t i = 0; i < ELEMENTSOF(default_mounts); i++) {
		const struct default_mount *m = &default_mounts[i];

		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		spec_json_push(&oom, mounts, mount_json(&oom, m, rootless));
	}
	spec_json_add(&oom, top, "ociVersion", json_object_new_string("1.2.0"));
	spec_json_add(&oom, top, "process", process_json(&oom));
	spec_json_add(&oom, top, "root", root);
	spec_json_add(&oom, top, "hostname", json_object_new_string("kakuri"));
	spec_json_add(&oom, top, "mounts", mounts);
	spec_json_add(&oom, top, "linux", linux_json(&oom, rootless));
	if (!oom) {
		text =
		    json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
							    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text && asprintf(&out, "%s\n", text) < 0)
			out = NULL;
	}
	json_object_put(top);
	return out;
}
