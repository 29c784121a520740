/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "oci/features.h"

#include <ctype.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "oci/spec-internal.h"

#ifndef KAKURI_VERSION
#define KAKURI_VERSION "unknown"
#endif
#ifndef KAKURI_COMMIT
#define KAKURI_COMMIT "unknown"
#endif

/* Mount options the runtime recognizes (not filesystem data options, per features.md). */
static const char *const mount_options[] = {
    "async",
    "atime",
    "bind",
    "defaults",
    "dev",
    "diratime",
    "dirsync",
    "exec",
    "iversion",
    "lazytime",
    "loud",
    "mand",
    "noatime",
    "nodev",
    "nodiratime",
    "noexec",
    "noiversion",
    "nolazytime",
    "nomand",
    "norelatime",
    "nostrictatime",
    "nosuid",
    "nosymfollow",
    "private",
    "ratime",
    "rbind",
    "rdev",
    "rdiratime",
    "relatime",
    "remount",
    "rexec",
    "rnoatime",
    "rnodev",
    "rnodiratime",
    "rnoexec",
    "rnorelatime",
    "rnostrictatime",
    "rnosuid",
    "rnosymfollow",
    "ro",
    "rprivate",
    "rrelatime",
    "rro",
    "rrw",
    "rshared",
    "rslave",
    "rstrictatime",
    "rsuid",
    "rsymfollow",
    "runbindable",
    "rw",
    "shared",
    "silent",
    "slave",
    "strictatime",
    "suid",
    "sync",
    "symfollow",
    "unbindable",
    "idmap",
    "ridmap",
    NULL,
};

/* In capability-number order, 0 (CAP_CHOWN) to 40 (CAP_CHECKPOINT_RESTORE). */
static const char *const capabilities[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
    NULL,
};

static struct json_object *bool_object(bool *oom, const char *key, bool value)
{
	struct json_object *o = json_object_new_object();

	spec_json_add(oom, o, key, json_object_new_boolean(value));
	return o;
}

/* "SCMP_ARCH_X86_64" is libseccomp's "x86_64". */
static bool libseccomp_knows_arch(const char *name)
{
	char lower[32];
	const char *suffix = name + strlen("SCMP_ARCH_");
	size_t i;

	for (i = 0; suffix[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)suffix[i]);
	lower[i] = 0;
	return seccomp_arch_resolve_name(lower) != 0;
}

/* seccomp_api_get() probes the kernel: level 2 has TSYNC, 3 adds LOG, 4 SPEC_ALLOW, and 7
 * (with libseccomp >= 2.6, which has the filter attribute) WAIT_KILLABLE_RECV. */
static bool seccomp_flag_supported(const char *flag, unsigned api)
{
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
		return api >= 2;
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_LOG") == 0)
		return api >= 3;
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
		return api >= 4;
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
		return api >= 7;
#endif
	return false;
}

static struct json_object *seccomp_json(bool *oom)
{
	struct json_object *s = json_object_new_object(), *archs = json_object_new_array(),
			   *supported = json_object_new_array();
	unsigned api = seccomp_api_get();

	for (const char *const *a = spec_seccomp_arch_names; *a; a++)
		if (libseccomp_knows_arch(*a))
			spec_json_push(oom, archs, json_object_new_string(*a));
	for (const char *const *f = spec_seccomp_flag_names; *f; f++)
		if (seccomp_flag_supported(*f, api))
			spec_json_push(oom, supported, json_object_new_string(*f));
	spec_json_add(oom, s, "enabled", json_object_new_boolean(1));
	spec_json_add(oom, s, "actions", spec_json_strv(oom, spec_seccomp_action_names));
	spec_json_add(oom, s, "operators", spec_json_strv(oom, spec_seccomp_op_names));
	spec_json_add(oom, s, "archs", archs);
	spec_json_add(oom, s, "knownFlags", spec_json_strv(oom, spec_seccomp_flag_names));
	spec_json_add(oom, s, "supportedFlags", supported);
	return s;
}

static bool apparmor_active(void)
{
	cleanup_free char *s = NULL;

	if (fs_read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", 16, &s, NULL) < 0)
		return false;
	return s[0] == 'Y';
}

static bool selinux_active(void)
{
	/* selinuxfs is mounted (and has "enforce") only when SELinux is enabled. */
	return access("/sys/fs/selinux/enforce", F_OK) == 0;
}

static struct json_object *linux_json(bool *oom)
{
	struct json_object *l = json_object_new_object(), *cg = json_object_new_object(),
			   *ext = json_object_new_object();

	spec_json_add(oom, cg, "v1", json_object_new_boolean(1));
	spec_json_add(oom, cg, "v2", json_object_new_boolean(1));
	spec_json_add(oom, cg, "systemd", json_object_new_boolean(0));
	spec_json_add(oom, cg, "systemdUser", json_object_new_boolean(0));
	spec_json_add(oom, ext, "idmap", bool_object(oom, "enabled", true));

	spec_json_add(oom, l, "namespaces", spec_json_strv(oom, spec_ns_names));
	spec_json_add(oom, l, "capabilities", spec_json_strv(oom, capabilities));
	spec_json_add(oom, l, "cgroup", cg);
	spec_json_add(oom, l, "seccomp", seccomp_json(oom));
	spec_json_add(oom, l, "apparmor", bool_object(oom, "enabled", apparmor_active()));
	spec_json_add(oom, l, "selinux", bool_object(oom, "enabled", selinux_active()));
	spec_json_add(oom, l, "intelRdt", bool_object(oom, "enabled", false));
	spec_json_add(oom, l, "mountExtensions", ext);
	return l;
}

char *spec_features_json(void)
{
	struct json_object *top = json_object_new_object(), *ann = json_object_new_object();
	const struct scmp_version *sv = seccomp_version();
	char libseccomp[64];
	const char *text;
	char *out = NULL;
	bool oom = !top;

	snprintf(libseccomp, sizeof(libseccomp), "%u.%u.%u", sv ? sv->major : 0, sv ? sv->minor : 0,
		 sv ? sv->micro : 0);
	spec_json_add(&oom, ann, "io.github.kakuri.version", json_object_new_string(KAKURI_VERSION));
	spec_json_add(&oom, ann, "io.github.kakuri.commit", json_object_new_string(KAKURI_COMMIT));
	spec_json_add(&oom, ann, "io.github.seccomp.libseccomp.version", json_object_new_string(libseccomp));

	spec_json_add(&oom, top, "ociVersionMin", json_object_new_string("1.0.0"));
	spec_json_add(&oom, top, "ociVersionMax", json_object_new_string("1.2.0"));
	spec_json_add(&oom, top, "hooks", spec_json_strv(&oom, spec_hook_names));
	spec_json_add(&oom, top, "mountOptions", spec_json_strv(&oom, mount_options));
	spec_json_add(&oom, top, "linux", linux_json(&oom));
	spec_json_add(&oom, top, "annotations", ann);
	if (!oom) {
		text =
		    json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB |
							    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
		if (text)
			out = strdup(text);
	}
	json_object_put(top);
	return out;
}
