/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linux.sysctl: written through a verified procfs handle (lib/procfs.h: a private procfs
 * instance when possible), never through the container's /proc path, and each file opened
 * below it without symlinks and without crossing mounts, so neither the image nor anything
 * mounted over /proc/sys can redirect the write (CVE-2019-16884, CVE-2025-52881 classes).
 * Keys use dots ("net.ipv4.ip_forward") or slashes ("net/ipv4/conf/eth0.100/forwarding",
 * for names containing dots). Which keys are allowed (namespaced ones) is decided by spec
 * validation; this only refuses keys that are not plain relative paths. */
#pragma once

#include "oci/spec.h"

/* "net.ipv4.ip_forward" -> "sys/net/ipv4/ip_forward". Returns 0, -EINVAL (empty, "..",
 * "." or empty components, leading/trailing separator) or -ENOMEM. *ret caller frees. */
int sysctl_key_to_path(const char *key, char **ret);

/* Write every linux.sysctl entry. Logs one error naming the key. */
int sysctl_apply(const struct oci_linux *lnx);
