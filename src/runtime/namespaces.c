/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"

#ifndef NS_GET_NSTYPE
#define NS_GET_NSTYPE _IO(0xb7, 0x3)
#endif

int ns_open_paths(const struct oci_linux *l, int fds[OCI_NS_MAX])
{
	for (int t = 0; t < OCI_NS_MAX; t++)
		fds[t] = -EBADF;
	for (int t = 0; t < OCI_NS_MAX; t++) {
		const struct oci_namespace *ns = &l->namespaces[t];
		if (!ns->present || !ns->path)
			continue;
		int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			int r = log_error_errno(-errno, "config.json: linux.namespaces (type %s): path '%s': %m",
						spec_ns_name(t), ns->path);
			ns_close_all(fds);
			return r;
		}
		fds[t] = fd;
		int type = ioctl(fd, NS_GET_NSTYPE);
		if (type >= 0 && type != spec_ns_clone_flag(t)) {
			ns_close_all(fds);
			return log_error_errno(-EINVAL, "config.json: linux.namespaces (type %s): path '%s' is not a %s namespace",
					       spec_ns_name(t), ns->path, spec_ns_name(t));
		}
		if (type < 0 && errno == ENOTTY) {
			ns_close_all(fds);
			return log_error_errno(-EINVAL, "config.json: linux.namespaces (type %s): path '%s' is not a namespace file",
					       spec_ns_name(t), ns->path);
		}
	}
	return 0;
}

void ns_close_all(int fds[OCI_NS_MAX])
{
	for (int t = 0; t < OCI_NS_MAX; t++)
		fds[t] = safe_close(fds[t]);
}

int ns_new_flags(const struct oci_linux *l)
{
	int flags = 0;
	for (int t = 0; t < OCI_NS_MAX; t++)
		if (t != OCI_NS_USER && t != OCI_NS_CGROUP && l->namespaces[t].present && !l->namespaces[t].path)
			flags |= spec_ns_clone_flag(t);
	return flags;
}

int ns_join_user(int fds[OCI_NS_MAX])
{
	if (fds[OCI_NS_USER] < 0)
		return 0;
	if (setns(fds[OCI_NS_USER], CLONE_NEWUSER) < 0)
		return log_error_errno(-errno, "Failed to join the user namespace: %m");
	fds[OCI_NS_USER] = safe_close(fds[OCI_NS_USER]);
	return 0;
}

int ns_join_others(int fds[OCI_NS_MAX])
{
	/* The mount namespace last: after it, paths of the others may no longer resolve, but
	 * they are already open fds, so the order only matters for privileges. */
	static const int order[] = { OCI_NS_PID, OCI_NS_NETWORK, OCI_NS_IPC, OCI_NS_UTS, OCI_NS_CGROUP,
				     OCI_NS_TIME, OCI_NS_MOUNT };
	for (size_t i = 0; i < ELEMENTSOF(order); i++) {
		int t = order[i];
		if (fds[t] < 0)
			continue;
		if (setns(fds[t], spec_ns_clone_flag(t)) < 0)
			return log_error_errno(-errno, "Failed to join the %s namespace: %m", spec_ns_name(t));
		fds[t] = safe_close(fds[t]);
	}
	return 0;
}

int ns_loopback_up(void)
{
	struct ifreq ifr = {0};
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return log_error_errno(-errno, "Failed to bring up the loopback: socket: %m");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return log_error_errno(-errno, "Failed to bring up the loopback: %m");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return log_error_errno(-errno, "Failed to bring up the loopback: %m");
	return 0;
}
