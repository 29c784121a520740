/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --seccomp-record FILE (docs/audit.md): the engine's half of seccomp profile recording.
 * The runtime's half (the recording filter and the recorder process) is
 * runtime/seccomp-record.h; the engine passes FILE to it as the annotation
 * io.kakuri.seccomp.record. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>

#include "engine/container/spec.h"

/* At create, after ctr_spec_build wrote config_path: with o->seccomp_record, checks that
 * runtime (a path) is kakuri-runtime, resolves FILE against the current directory, checks
 * that its directory exists and is writable, and adds the annotation to config_path. Errors
 * name --seccomp-record. Nothing to do (0) without the option. */
int ctr_spec_seccomp_record(const struct ctr_opts *o, const char *runtime, const char *config_path);

/* What is at path now (st_ino 0 when nothing), to tell a newly written profile from it. */
void ctr_seccomp_record_snapshot(const char *path, struct stat *ret);
/* Waits (at most timeout_ms) until path is a file other than before: the recorder writes it
 * (rename) right after the last process of the container is gone. Returns 0, or -ETIMEDOUT. */
int ctr_seccomp_record_wait(const char *path, const struct stat *before, int timeout_ms);
