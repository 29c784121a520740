/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "capset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "runtime/caps.h"

struct cap_rule {
	int cap;
	enum audit_severity sev;
	const char *why;
};

/* Why each one matters (capabilities(7); the container escapes they enabled). */
static const struct cap_rule rules[] = {
    {21, AUDIT_CRITICAL, "mount, namespaces, BPF, cgroup release_agent: nearly root (CVE-2022-0492)"},
    {16, AUDIT_CRITICAL, "loads kernel modules: arbitrary kernel code"},
    {17, AUDIT_CRITICAL, "raw I/O ports and /dev/mem: the host's memory and disks"},
    {2, AUDIT_CRITICAL, "open_by_handle_at reads any host file (the 'shocker' escape)"},
    {19, AUDIT_HIGH, "ptrace any process it can see, including the runtime's"},
    {12, AUDIT_HIGH, "reconfigures networking, firewall and routes of its namespace"},
    {39, AUDIT_HIGH, "loads BPF programs: kernel attack surface, reads kernel memory"},
    {38, AUDIT_HIGH, "perf events: kernel attack surface and side channels"},
    {22, AUDIT_HIGH, "reboot and kexec"},
    {25, AUDIT_HIGH, "sets the host's clock"},
    {33, AUDIT_HIGH, "changes the LSM policy"},
    {32, AUDIT_HIGH, "overrides the LSM policy"},
    {34, AUDIT_HIGH, "reads the kernel log and kernel addresses"},
    {30, AUDIT_HIGH, "changes the audit rules"},
    {27, AUDIT_MEDIUM, "creates device nodes"},
    {13, AUDIT_MEDIUM, "raw and packet sockets: spoofing, sniffing its namespace"},
    {9, AUDIT_MEDIUM, "clears the immutable and append-only flags"},
    {24, AUDIT_MEDIUM, "overrides resource limits and quotas"},
    {23, AUDIT_MEDIUM, "raises priorities, realtime scheduling: starves the host"},
    {14, AUDIT_MEDIUM, "locks memory"},
    {15, AUDIT_MEDIUM, "bypasses IPC permission checks"},
    {40, AUDIT_MEDIUM, "checkpoint/restore: sets pids, reads other processes' state"},
    {20, AUDIT_MEDIUM, "process accounting to any file"},
    {26, AUDIT_MEDIUM, "configures ttys"},
    {36, AUDIT_MEDIUM, "blocks system suspend"},
    {35, AUDIT_LOW, "sets wake alarms"},
    {28, AUDIT_LOW, "file leases on files it does not own"},
    {11, AUDIT_LOW, "broadcast and multicast"},
    {37, AUDIT_LOW, "reads the audit log through netlink"},
    {29, AUDIT_LOW, "writes audit records"},
};

uint64_t audit_caps_all(void)
{
	int last = caps_last_cap();
	if (last < 0 || last > 63)
		last = 40;
	return last == 63 ? UINT64_MAX : (UINT64_C(1) << (last + 1)) - 1;
}

char **audit_caps_names(uint64_t mask)
{
	char **v = calloc(1, sizeof(char *));
	if (!v)
		return NULL;
	for (int c = 0; c < 64; c++) {
		if (!(mask & (UINT64_C(1) << c)))
			continue;
		const char *n = caps_to_name(c);
		char buf[16];
		if (n && strncmp(n, "CAP_", 4) == 0)
			n += 4;
		if (!n) {
			snprintf(buf, sizeof(buf), "%d", c);
			n = buf;
		}
		if (cu_strv_append(&v, n) < 0) {
			cu_strv_free(v);
			return NULL;
		}
	}
	return v;
}

enum audit_severity audit_cap_severity(int cap)
{
	for (size_t i = 0; i < ELEMENTSOF(rules); i++)
		if (rules[i].cap == cap)
			return rules[i].sev;
	return AUDIT_MEDIUM;
}

const char *audit_cap_why(int cap)
{
	for (size_t i = 0; i < ELEMENTSOF(rules); i++)
		if (rules[i].cap == cap)
			return rules[i].why;
	return "not in the default set";
}
