/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kakuri audit` of one process: reads the kernel's view (proc-read.h), decides the tier
 * (tier.h), states every layer and derives the findings with severities and remedies.
 * The result is JSON (schema in docs/audit.md); the CLI renders it as a table. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

struct json_object;

struct audit_target {
	pid_t pid;
	uint64_t start_time; /* 0: any; else the process must have this start time (a record's) */
	const char *name;    /* container name, or NULL for --pid */
	const char *id;	     /* container ID, or NULL */
};

/* Audits t->pid. *ret: {"target", "tier", "tierName", "mode", "reason", "layers",
 * "findings"}; *ret_max: the highest finding severity (-1: none). -ESRCH when the process
 * is gone or its start time differs (logged by the caller), -errno otherwise. */
int audit_process(const struct audit_target *t, struct json_object **ret, int *ret_max);
