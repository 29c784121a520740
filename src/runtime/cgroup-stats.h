/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Statistics and OOM notifications of a container cgroup (events --stats, events).
 *
 * cgroup_stats_json() returns the "data" object of runc's stats event, same field names and
 * units (nanoseconds, bytes), from whichever version serves each controller:
 *   {"cpu":{"usage":{"total","percpu","percpu_kernel","percpu_user","kernel","user"},
 *           "throttling":{"periods","throttled_periods","throttled_time"}},
 *    "memory":{"cache","usage":{"limit","usage","max","failcnt"},"swap":{…},"kernel":{…},
 *              "kernelTCP":{…},"raw":{memory.stat}},
 *    "pids":{"current","limit"}, "blkio":{"ioServiceBytesRecursive":[…],
 *    "ioServicedRecursive":[…]}, "hugetlb":{"2MB":{"usage","max","failcnt"}}}
 * Sections whose controller the container does not have are left out.
 *
 * OOM: the count is v2 memory.events "oom_kill" (or "oom"), v1 memory.oom_control
 * "oom_kill". cgroup_oom_watch() gives an fd that polls readable when it may have changed:
 * v1 an eventfd registered on memory.oom_control through cgroup.event_control, v2 an inotify
 * watch on memory.events (the kernel notifies modifications of that file). The count, not
 * the wakeup, says whether an OOM kill happened: the v1 eventfd also fires when the cgroup
 * is removed. */
#pragma once

#include <stdint.h>

#include "runtime/cgroup.h"

int cgroup_stats_json(const struct cgroup *cg, char **ret);
/* -ENOTSUP if the container has no memory controller. */
int cgroup_oom_count(const struct cgroup *cg, uint64_t *ret);
/* Returns an fd (caller closes) or -errno; -ENOTSUP without a memory controller. */
int cgroup_oom_watch(const struct cgroup *cg);
/* Clear a wakeup of that fd (nonblocking). */
void cgroup_oom_watch_drain(int fd);
