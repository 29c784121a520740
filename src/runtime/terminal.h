/* SPDX-License-Identifier: GPL-2.0-or-later */
/* process.terminal: a pty is allocated inside the container (its own devpts instance), the
 * master is sent to --console-socket with SCM_RIGHTS, and the slave becomes the process's
 * controlling terminal and stdio (and, for the init, is bind-mounted on /dev/console). */
#pragma once

#include <stdbool.h>

#include "oci/spec.h"

/* Connect to the console socket path (AF_UNIX stream). Returns fd. */
int terminal_connect(const char *path);
/* Runs in the container (after pivot_root / setns). size may be NULL. */
int terminal_setup(int console_sock, const struct oci_console_size *size, bool mount_console);
int terminal_send_fd(int sock, int fd, const char *name);
/* Foreground `run` without --console-socket: copy between our stdin/stdout and the pty
 * master (stdin in raw mode when it is a tty, window size followed) until pidfd signals
 * that the process exited and the master has drained. */
int terminal_proxy(int master, int pidfd);
/* Receive one fd sent by terminal_send_fd. */
int terminal_recv_fd(int sock, int *ret_fd);
