/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/mountinfo: parsing /proc/PID/mountinfo lines (no root needed). */
#include <errno.h>
#include <string.h>

#include "lib/mountinfo.h"
#include "tap.h"

static const char sample[] = "27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
			     "36 27 98:0 /mnt1 /mnt\\040with\\040space rw,noatime master:1 propagate_from:2 - ext3 "
			     "/dev/root rw,errors=continue\n"
			     "84 83 0:29 / /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
			     "90 27 0:50 / /tmp rw - tmpfs tmpfs\\134x rw,size=4k\n";

TEST(parses_fields)
{
	struct mountinfo mi;
	CHECK(mountinfo_parse(sample, &mi) == 0);
	CHECK(mi.n == 4);
	const struct mountinfo_entry *e = &mi.entries[0];
	CHECK(e->id == 27 && e->parent_id == 1 && e->major == 254 && e->minor == 0);
	CHECK_STREQ(e->root, "/");
	CHECK_STREQ(e->mountpoint, "/");
	CHECK_STREQ(e->options, "rw,relatime");
	CHECK_STREQ(e->optional, "shared:1");
	CHECK_STREQ(e->fstype, "ext4");
	CHECK_STREQ(e->source, "/dev/vda");
	CHECK_STREQ(e->super_options, "rw,discard");
	e = &mi.entries[1];
	CHECK_STREQ(e->root, "/mnt1");
	CHECK_STREQ(e->mountpoint, "/mnt with space");
	CHECK_STREQ(e->optional, "master:1 propagate_from:2");
	CHECK(mountinfo_has_tag(e, "master") && mountinfo_has_tag(e, "propagate_from"));
	CHECK(!mountinfo_has_tag(e, "shared") && !mountinfo_has_tag(e, "mast"));
	CHECK(mountinfo_has_tag(&mi.entries[0], "shared"));
	e = &mi.entries[2];
	CHECK_STREQ(e->optional, "");
	CHECK(mountinfo_opts_has(e->super_options, "cpuacct") && mountinfo_opts_has(e->super_options, "cpu"));
	CHECK(!mountinfo_opts_has(e->super_options, "cpuset"));
	CHECK_STREQ(mi.entries[3].source, "tmpfs\\x");
	CHECK(mountinfo_find_id(&mi, 84) == &mi.entries[2]);
	CHECK(mountinfo_find_id(&mi, 5) == NULL);
	mountinfo_done(&mi);
	mountinfo_done(&mi); /* idempotent */
}

TEST(rejects_malformed)
{
	struct mountinfo mi;
	CHECK(mountinfo_parse("27 1 254:0 / / rw shared:1 ext4 /dev/vda rw\n", &mi) == -EINVAL);
	CHECK(mountinfo_parse("x\n", &mi) == -EINVAL);
	CHECK(mountinfo_parse("", &mi) == 0 && mi.n == 0);
	mountinfo_done(&mi);
}

TEST(reads_own_mountinfo)
{
	struct mountinfo mi;
	CHECK(mountinfo_read(NULL, &mi) == 0);
	CHECK(mi.n > 0);
	bool root = false;
	for (size_t i = 0; i < mi.n; i++)
		root |= strcmp(mi.entries[i].mountpoint, "/") == 0;
	CHECK(root);
	mountinfo_done(&mi);
}

TAP_MAIN
