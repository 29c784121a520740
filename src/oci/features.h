/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `kakuri-runtime features` document (runtime-spec features.md, features-linux.md). */
#pragma once

/* Pretty-printed (tab-indented) JSON without a trailing newline (the CLI puts() it);
 * caller frees, NULL on allocation failure. The name lists are the parser's own tables
 * (spec-internal.h), so the document claims exactly what spec_parse_*() accepts.
 * Host-dependent parts: seccomp archs (those the linked libseccomp resolves), seccomp
 * supportedFlags (libseccomp API level, which probes the kernel), and apparmor/selinux
 * "enabled" (whether the LSM is active on this host, as the lead asked; features-linux.md
 * defines it as whether the runtime supports the LSM). */
char *spec_features_json(void);
