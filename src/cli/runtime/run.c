/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "runtime/container.h"
#include "runtime/terminal.h"

int verb_run(int argc, char **argv)
{
	struct create_opts o = { 0 };
	bool detach = false, keep = false, terminal = false;
	cleanup_close int master = -EBADF, pidfd = -EBADF;
	int sp[2] = { -EBADF, -EBADF };
	pid_t pid;
	int r = cli_parse_create(argc, argv, &o, true, &detach, &keep);
	if (r != 0)
		return r;
	/* The init is a grandchild (stage-1 exits): as subreaper we get it back to wait for. */
	if (!detach)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* Foreground with a terminal and no --console-socket: we hold the pty ourselves. */
	if (!detach && !o.console_socket) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
			return cli_exit(log_error_errno(-errno, "socketpair failed: %m"));
		o.console_fd = sp[1];
	}
	r = container_create(&o, &pid, &terminal);
	safe_close(sp[1]);
	if (r < 0) {
		safe_close(sp[0]);
		return cli_exit(r);
	}
	if (terminal && sp[0] >= 0) {
		r = terminal_recv_fd(sp[0], &master);
		if (r < 0) {
			log_error_errno(r, "receiving the container's pty failed: %m");
			container_delete(o.root, o.id, true);
			safe_close(sp[0]);
			return 1;
		}
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	}
	safe_close(sp[0]);
	r = container_start(o.root, o.id);
	if (r < 0) {
		container_delete(o.root, o.id, true);
		return cli_exit(r);
	}
	if (detach)
		return 0;
	if (master >= 0 && pidfd >= 0)
		terminal_proxy(master, pidfd);
	int status = container_wait(pid);
	if (!keep)
		container_delete(o.root, o.id, true);
	return status < 0 ? 1 : status;
}
