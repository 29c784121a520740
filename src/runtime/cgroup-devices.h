/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device allow-list (linux.resources.devices).
 *
 * Semantics (as runc): the effective list is "deny everything", then the config's rules in
 * order, then allow rwm for the devices every container gets (null, zero, full, random,
 * urandom, tty, console, ptmx, every pts) and for each linux.devices entry. For every access
 * bit (r, w, m) of a request, the last rule that matches the device and holds that bit
 * decides; all requested bits must be allowed. A rule of type 'a' is "every device, rwm"
 * whatever its numbers and access say, because that is how the v1 kernel reads it.
 *
 * v1: "a" is written to devices.deny, then each rule to devices.allow/deny (the kernel's
 * own exception list then matches the semantics above). v2 has no devices controller: a
 * BPF_PROG_TYPE_CGROUP_DEVICE program evaluating the same list is attached to the cgroup.
 * cgroup_devices_allowed() is the reference the program must agree with (unit-tested by
 * running the program in a small interpreter). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

struct json_object;

enum {
	CGROUP_DEV_MKNOD = 1, /* = BPF_DEVCG_ACC_MKNOD */
	CGROUP_DEV_READ = 2,  /* = BPF_DEVCG_ACC_READ */
	CGROUP_DEV_WRITE = 4, /* = BPF_DEVCG_ACC_WRITE */
	CGROUP_DEV_RWM = 7,
};

struct cgroup_device_rule {
	bool allow;
	char type;             /* 'a', 'c', 'b' */
	int64_t major, minor;  /* -1: any */
	unsigned access;       /* CGROUP_DEV_* bits */
};

/* linux.resources.devices (a JSON array) → rules. Messages name "devices[2].access" etc. */
int cgroup_device_rules_from_json(struct json_object *arr, struct cgroup_device_rule **ret, size_t *ret_n,
				  char **ret_err);
/* "rwm" → bits; -EINVAL for other letters. Empty/NULL → rwm. */
int cgroup_device_access_parse(const char *s, unsigned *ret);
/* "c 1:3 rwm", "a", "b 8:* r" (v1 devices.allow syntax). buf >= 64 bytes. */
void cgroup_device_rule_format(const struct cgroup_device_rule *r, char *buf, size_t size);
/* Parse that syntax back (allow is given). */
int cgroup_device_rule_parse(const char *s, bool allow, struct cgroup_device_rule *ret);

/* The effective list: deny-all + cfg + standard devices + extra (linux.devices, allowed
 * rwm). *ret caller frees. */
int cgroup_device_rules_effective(const struct cgroup_device_rule *cfg, size_t n_cfg,
				  const struct cgroup_device_rule *extra, size_t n_extra,
				  struct cgroup_device_rule **ret, size_t *ret_n);
/* The standard devices' allow rules (static). */
const struct cgroup_device_rule *cgroup_device_defaults(size_t *ret_n);

/* Would the list allow access (CGROUP_DEV_* bits) to device type ('c'/'b') major:minor? */
bool cgroup_devices_allowed(const struct cgroup_device_rule *rules, size_t n, char type, uint32_t major,
			    uint32_t minor, unsigned access);

/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the list. *ret caller frees. */
int cgroup_devices_bpf_build(const struct cgroup_device_rule *rules, size_t n, struct bpf_insn **ret,
			     size_t *ret_n);
/* Load the program and attach it to the cgroup dir fd (BPF_F_ALLOW_MULTI), then detach the
 * programs that were attached there before (an update replaces the filter without a gap).
 * Logs a message naming what the host refused. */
int cgroup_devices_bpf_apply(int cgroup_fd, const char *dir, const struct bpf_insn *prog, size_t n);
/* v1: write the list to DIR/devices.deny and devices.allow. Logs. */
int cgroup_devices_v1_apply(const char *dir, const struct cgroup_device_rule *rules, size_t n);
