/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `kakuri audit --suggest CONTAINER`: capability advice (cli/engine/audit-suggest.c).
 * `kakuri audit` (cli/engine/audit.c) hands its whole argv to it when --suggest is among
 * the arguments. Returns the exit status. */
#pragma once

int cli_audit_suggest(int argc, char **argv);
