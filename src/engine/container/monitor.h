/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The per-container monitor (kakuri's conmon). Forked from the CLI, setsid and double-
 * forked so that it outlives it; one per started container, living exactly as long as it:
 *
 *   1. rootless: enters a fresh storage user namespace + mount namespace (idmap.h), which
 *      the container then shares: the runtime runs as root there, so the image's owners
 *      (subordinate ids on disk) are the container's, container root is the user;
 *   2. takes the container lock, marks the record "starting" with its own pid;
 *   3. mounts the root filesystem, resolves the user in the image (ctr_spec_finalize);
 *   4. makes the container's stdio (pipes, or a pty through --console-socket), subreaper,
 *      runs `RUNTIME run --detach` (with PDEATHSIG: if we die, it dies; with a network to
 *      attach: `create`, the network (spec-network.h), `start`), reads the pid file,
 *      marks the record "running" (pid + start time + boot id), unlocks, tells the client;
 *   5. relays output into the log (logfile.h) and to attached clients (attach.h), input
 *      from the clients into the container, until the init exits; reaps it;
 *   6. marks the record "exited" with the code, `RUNTIME delete`, unmounts, removes the
 *      container when --rm, sends the exit code to the clients, exits.
 * Any failure before 4 is reported to the first client ('E') and recorded in the record's
 * error field, and leaves the container in state "created" (removed when --rm).
 *
 * If the monitor is killed, nothing is lost that `ps` needs: the record names the init by
 * pid + start time, the runtime still knows the container, and `rm -f` cleans up. */
#pragma once

/* Starts the monitor for container id of the store at store_root. *ret_client is the
 * caller's end of the first client connection (attach.h protocol). The monitor's own
 * start-up is not waited for: read the first message ('S' or 'E'). */
struct ctr_start_opts {
	unsigned short rows, cols; /* the caller's terminal size for a -t container (0: unknown) */
};
int ctr_monitor_spawn(const char *store_root, const char *id, const struct ctr_start_opts *o, int *ret_client);
