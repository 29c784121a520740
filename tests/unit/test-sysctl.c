/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtime/sysctl: key to /proc/sys path mapping (no root needed). */
#include <errno.h>
#include <stdlib.h>

#include "runtime/sysctl.h"
#include "tap.h"

static void check_key(const char *key, const char *want)
{
	char *p = NULL;
	int r = sysctl_key_to_path(key, &p);
	if (want) {
		CHECK(r == 0);
		CHECK_STREQ(p, want);
	} else {
		if (r != -EINVAL)
			printf("#   key '%s' accepted as '%s'\n", key, p ? p : "");
		CHECK(r == -EINVAL);
	}
	free(p);
}

TEST(sysctl_keys_map_to_proc_sys_paths)
{
	check_key("net.ipv4.ip_forward", "sys/net/ipv4/ip_forward");
	check_key("kernel.shmmax", "sys/kernel/shmmax");
	check_key("net/ipv4/conf/eth0.100/forwarding", "sys/net/ipv4/conf/eth0.100/forwarding");
	check_key("", NULL);
	check_key("net..ipv4", NULL);
	check_key(".net", NULL);
	check_key("net.", NULL);
	check_key("net/../../../etc", NULL);
	check_key("/etc/passwd", NULL);
	check_key("net/./x", NULL);
}

TAP_MAIN
