/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

/* Indexed by capability number, as in <linux/capability.h> up to CAP_CHECKPOINT_RESTORE. */
static const char *const cap_names[] = {
    [0] = "CAP_CHOWN",
    [1] = "CAP_DAC_OVERRIDE",
    [2] = "CAP_DAC_READ_SEARCH",
    [3] = "CAP_FOWNER",
    [4] = "CAP_FSETID",
    [5] = "CAP_KILL",
    [6] = "CAP_SETGID",
    [7] = "CAP_SETUID",
    [8] = "CAP_SETPCAP",
    [9] = "CAP_LINUX_IMMUTABLE",
    [10] = "CAP_NET_BIND_SERVICE",
    [11] = "CAP_NET_BROADCAST",
    [12] = "CAP_NET_ADMIN",
    [13] = "CAP_NET_RAW",
    [14] = "CAP_IPC_LOCK",
    [15] = "CAP_IPC_OWNER",
    [16] = "CAP_SYS_MODULE",
    [17] = "CAP_SYS_RAWIO",
    [18] = "CAP_SYS_CHROOT",
    [19] = "CAP_SYS_PTRACE",
    [20] = "CAP_SYS_PACCT",
    [21] = "CAP_SYS_ADMIN",
    [22] = "CAP_SYS_BOOT",
    [23] = "CAP_SYS_NICE",
    [24] = "CAP_SYS_RESOURCE",
    [25] = "CAP_SYS_TIME",
    [26] = "CAP_SYS_TTY_CONFIG",
    [27] = "CAP_MKNOD",
    [28] = "CAP_LEASE",
    [29] = "CAP_AUDIT_WRITE",
    [30] = "CAP_AUDIT_CONTROL",
    [31] = "CAP_SETFCAP",
    [32] = "CAP_MAC_OVERRIDE",
    [33] = "CAP_MAC_ADMIN",
    [34] = "CAP_SYSLOG",
    [35] = "CAP_WAKE_ALARM",
    [36] = "CAP_BLOCK_SUSPEND",
    [37] = "CAP_AUDIT_READ",
    [38] = "CAP_PERFMON",
    [39] = "CAP_BPF",
    [40] = "CAP_CHECKPOINT_RESTORE",
};

#define CAPS_TABLE_LAST ((int)ELEMENTSOF(cap_names) - 1)

int caps_from_name(const char *name)
{
	if (!name)
		return -ENOENT;
	for (int i = 0; i <= CAPS_TABLE_LAST; i++)
		if (STREQ(cap_names[i], name))
			return i;
	return -ENOENT;
}

const char *caps_to_name(int cap)
{
	if (cap < 0 || cap > CAPS_TABLE_LAST)
		return NULL;
	return cap_names[cap];
}

/* Without /proc (or with a container /proc that lies), ask the kernel directly:
 * PR_CAPBSET_READ fails with EINVAL for numbers it does not know. */
static int last_cap_probe(void)
{
	int lo = 0, hi = 63;
	if (prctl(PR_CAPBSET_READ, 0, 0, 0, 0) < 0)
		return -errno;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (prctl(PR_CAPBSET_READ, (unsigned long)mid, 0, 0, 0) >= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

int caps_last_cap(void)
{
	/* Cached: the init calls this again after pivot_root, when /proc may be the container's
	 * (or absent). The value is a property of the kernel, so the first answer holds. */
	static int cached = -1;
	cleanup_free char *buf = NULL;
	int r;

	if (cached >= 0)
		return cached;
	r = fs_read_file_at(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", 64, &buf, NULL);
	if (r >= 0) {
		char *end = NULL;
		errno = 0;
		long v = strtol(buf, &end, 10);
		if (errno == 0 && end != buf && (*end == '\n' || *end == 0) && v >= 0 && v < 64)
			cached = (int)v;
	}
	if (cached < 0) {
		r = last_cap_probe();
		if (r < 0) {
			(void)log_debug_errno(r, "Failed to determine the last capability, assuming %s: %m",
					      cap_names[CAPS_TABLE_LAST]);
			return CAPS_TABLE_LAST;
		}
		cached = r;
	}
	return cached;
}

/* field is used only for messages; NULL means "no field" (the public converter). Names the
 * kernel does not know are dropped, with a warning if warn. */
static int mask_from_strv(char **names, const char *field, bool warn, uint64_t *ret_mask, const char **ret_bad)
{
	uint64_t mask = 0;
	int last = caps_last_cap();

	for (char **n = names; n && *n; n++) {
		int c = caps_from_name(*n);
		if (c < 0) {
			if (ret_bad)
				*ret_bad = *n;
			return -EINVAL;
		}
		if (c > last) {
			if (warn) {
				if (field)
					log_warn("%s: capability '%s' is not supported by this kernel (last capability "
						 "is %s), ignoring it",
						 field, *n, caps_to_name(last) ?: "?");
				else
					log_warn("capability '%s' is not supported by this kernel (last capability is "
						 "%s), ignoring it",
						 *n, caps_to_name(last) ?: "?");
			}
			continue;
		}
		mask |= UINT64_C(1) << c;
	}
	*ret_mask = mask;
	return 0;
}

int caps_mask_from_strv(char **names, uint64_t *ret_mask, const char **ret_bad)
{
	return mask_from_strv(names, NULL, true, ret_mask, ret_bad);
}

/* First capability in mask, for messages. */
static const char *first_cap_name(uint64_t mask)
{
	for (int c = 0; c < 64; c++)
		if (mask & (UINT64_C(1) << c))
			return caps_to_name(c) ?: "?";
	return "?";
}

struct caps_masks {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

/* Converts all five sets; logs an error naming the set and the name for unknown ones. */
static int masks_from_caps(const struct oci_capabilities *caps, bool warn, struct caps_masks *ret)
{
	struct {
		char **names;
		const char *field;
		uint64_t *out;
	} sets[] = {
	    {caps->bounding, "process.capabilities.bounding", &ret->bounding},
	    {caps->effective, "process.capabilities.effective", &ret->effective},
	    {caps->permitted, "process.capabilities.permitted", &ret->permitted},
	    {caps->inheritable, "process.capabilities.inheritable", &ret->inheritable},
	    {caps->ambient, "process.capabilities.ambient", &ret->ambient},
	};

	for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
		const char *bad = NULL;
		int r = mask_from_strv(sets[i].names, sets[i].field, warn, sets[i].out, &bad);
		if (r < 0)
			return log_error_errno(r, "%s: unknown capability '%s'", sets[i].field, bad);
	}
	return 0;
}

/* The capset/ambient rules the kernel enforces at caps_apply() time; checked here too so
 * `create` fails early, with the capability named. */
static int masks_check_consistent(const struct caps_masks *m)
{
	uint64_t bad = m->effective & ~m->permitted;
	if (bad)
		return log_error_errno(-EINVAL, "process.capabilities.effective: %s must also be in permitted",
				       first_cap_name(bad));
	/* The kernel raises an ambient cap only if it is permitted and inheritable. Configs in
	 * the wild (older runc/Docker specs) list ambient caps alone; like runc we warn and do
	 * not raise them, rather than refuse the container. */
	bad = m->ambient & ~(m->permitted & m->inheritable);
	if (bad)
		log_warn("process.capabilities.ambient: %s is not also in inheritable and permitted: not raised",
			 first_cap_name(bad));
	return 0;
}

int caps_validate(const struct oci_capabilities *caps)
{
	struct caps_masks m;
	int r = masks_from_caps(caps, true, &m);
	if (r < 0)
		return r;
	return masks_check_consistent(&m);
}

int caps_drop_bounding(const struct oci_capabilities *caps)
{
	struct caps_masks m;
	int last, r;

	r = masks_from_caps(caps, false, &m);
	if (r < 0)
		return r;
	last = caps_last_cap();
	for (int c = 0; c <= last; c++) {
		if (m.bounding & (UINT64_C(1) << c))
			continue;
		/* Skip caps already gone, so a bounding set that only shrinks nothing works
		 * without CAP_SETPCAP (e.g. exec into a container with a reduced set). */
		r = prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0);
		if (r == 0)
			continue;
		if (r < 0 && errno == EINVAL)
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) < 0) {
			r = -errno;
			if (r == -EPERM)
				return log_error_errno(r,
						       "process.capabilities.bounding: cannot drop %s from the "
						       "bounding set: %m (CAP_SETPCAP is required)",
						       caps_to_name(c) ?: "?");
			return log_error_errno(
			    r, "process.capabilities.bounding: cannot drop %s from the bounding set: %m",
			    caps_to_name(c) ?: "?");
		}
	}
	return 0;
}

static int capset_masks(uint64_t effective, uint64_t permitted, uint64_t inheritable)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
	    {.effective = (uint32_t)effective, .permitted = (uint32_t)permitted, .inheritable = (uint32_t)inheritable},
	    {.effective = (uint32_t)(effective >> 32),
	     .permitted = (uint32_t)(permitted >> 32),
	     .inheritable = (uint32_t)(inheritable >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

static int capget_masks(uint64_t *ret_effective, uint64_t *ret_permitted, uint64_t *ret_inheritable)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {};
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	*ret_effective = data[0].effective | ((uint64_t)data[1].effective << 32);
	*ret_permitted = data[0].permitted | ((uint64_t)data[1].permitted << 32);
	*ret_inheritable = data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
	return 0;
}

int caps_apply(const struct oci_capabilities *caps)
{
	struct caps_masks m;
	uint64_t cur_eff = 0, cur_prm = 0, cur_inh = 0, bad;
	int last, r;

	r = masks_from_caps(caps, false, &m);
	if (r < 0)
		return r;

	/* Check the kernel's capset rules ourselves so the error names the capability and the
	 * set instead of a bare EPERM. */
	r = masks_check_consistent(&m);
	if (r < 0)
		return r;
	r = capget_masks(&cur_eff, &cur_prm, &cur_inh);
	if (r < 0)
		return log_error_errno(r, "process.capabilities: capget failed: %m");
	bad = m.permitted & ~cur_prm;
	if (bad)
		return log_error_errno(-EPERM,
				       "process.capabilities.permitted: %s is not held by the runtime, cannot grant it",
				       first_cap_name(bad));

	r = capset_masks(m.effective, m.permitted, m.inheritable);
	if (r == -EPERM)
		return log_error_errno(
		    r, "process.capabilities.inheritable: cannot set inheritable to the listed capabilities: %m (each "
		       "must be in permitted or in the bounding set with CAP_SETPCAP)");
	if (r < 0)
		return log_error_errno(r, "process.capabilities: capset failed: %m");

	/* Ambient: cleared first so nothing inherited from the runtime survives, then raised.
	 * The kernel only raises a cap that is in both permitted and inheritable. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		r = -errno;
		/* EINVAL: kernel < 4.3 without ambient capabilities; fine if none requested. */
		if (r != -EINVAL || m.ambient)
			return log_error_errno(r, "process.capabilities.ambient: cannot clear the ambient set: %m");
		return 0;
	}
	last = caps_last_cap();
	for (int c = 0; c <= last; c++) {
		uint64_t bit = UINT64_C(1) << c;
		if (!(m.ambient & bit))
			continue;
		if (!(m.permitted & bit) || !(m.inheritable & bit))
			continue; /* warned about by caps_validate() */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)c, 0, 0) < 0) {
			r = -errno;
			if (r == -EPERM)
				return log_error_errno(
				    r,
				    "process.capabilities.ambient: cannot raise %s: %m (it must also be in inheritable "
				    "and permitted, and SECBIT_NO_CAP_AMBIENT_RAISE must be clear)",
				    caps_to_name(c) ?: "?");
			return log_error_errno(r, "process.capabilities.ambient: cannot raise %s: %m",
					       caps_to_name(c) ?: "?");
		}
	}
	return 0;
}
