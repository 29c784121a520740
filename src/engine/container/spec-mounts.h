/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The mounts and devices of config.json: the standard filesystems (/proc, /dev, /dev/pts,
 * /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup), /etc/hosts, /etc/hostname and
 * /etc/resolv.conf from the bundle, then -v, --tmpfs, --read-only's tmpfs, --device and
 * --privileged's host devices. A user mount on the destination of a standard one replaces
 * it. */
#pragma once

#include <stdbool.h>

struct json_object;
struct ctr_opts;

struct ctr_mounts_ctx {
	const struct ctr_opts *opts;
	const char *store_root; /* named volumes live in STORE/volumes/NAME/_data */
	const char *userdata;
	bool rootless;	    /* in the storage user namespace: no mknod, no sysfs without a netns */
	bool netns;	    /* the container has its own network namespace */
	bool nested_userns; /* keep-id / nomap */
	bool no_hosts;
	char **image_volumes;
	const char *init_path; /* --init: bound read-only at CTR_INIT_DEST (spec-opts.h), or NULL */
};

/* Fills root.mounts, linux.devices and the device cgroup rules (devices_rules, an array
 * the caller puts into linux.resources). Errors name the option. */
int ctr_mounts_build(const struct ctr_mounts_ctx *m, struct json_object *root, struct json_object *linux_,
		     struct json_object *devices_rules);
