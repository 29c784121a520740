/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Messages between the runtime and the container's setup processes over a
 * SOCK_SEQPACKET socketpair. An error message carries {-errno, text} so the child's one error
 * is printed once, by the parent. A pid travels as SCM_CREDENTIALS so the kernel translates
 * it into the receiver's pid namespace. */
#pragma once

#include <sys/types.h>

enum sync_type {
	SYNC_ERROR = 1,     /* value = -errno, text = message */
	SYNC_USERMAP,       /* child: "write my uid/gid maps"; value = pid (as sent) */
	SYNC_USERMAP_DONE,  /* parent: maps written */
	SYNC_PID,           /* child: the init pid, in SCM_CREDENTIALS */
	SYNC_CGROUP_DONE,   /* parent: the init is in its cgroup (now unshare the cgroup ns) */
	SYNC_HOOKS,         /* child: mounts done, run prestart/createRuntime */
	SYNC_HOOKS_DONE,    /* parent: hooks ran */
	SYNC_CREATED,       /* child: ready, waiting for start */
	SYNC_EXEC_OK,       /* exec child: about to exec */
};

struct sync_msg {
	int type;
	int value;
	char text[3072];
};

/* Socketpair SOCK_SEQPACKET|SOCK_CLOEXEC; fds[0] parent, fds[1] child. */
int sync_pair(int fds[2]);
int sync_send(int fd, int type, int value, const char *text);
/* Send our pid with SCM_CREDENTIALS (the receiver must have SO_PASSCRED set). */
int sync_send_pid(int fd, int type);
/* Receive one message. If it carries credentials, *ret_pid gets the pid (translated);
 * EOF → -EPIPE. */
int sync_recv(int fd, struct sync_msg *ret, pid_t *ret_pid);
/* Wait for a message of type `want`; an SYNC_ERROR instead is returned as its value with the
 * text copied into err (size errlen). */
int sync_expect(int fd, int want, struct sync_msg *ret, pid_t *ret_pid);
/* In a child: send the captured error (log_captured()) with r, then _exit(1). */
__attribute__((noreturn)) void sync_fail(int fd, int r);
