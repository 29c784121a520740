/* SPDX-License-Identifier: GPL-2.0-or-later */
/* runtime/mount: option parsing (no root needed). */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include "runtime/mount.h"
#include "tap.h"

static struct mount_options parse(const char *const *opts)
{
	struct mount_options o;
	int r = mount_options_parse((char *const *)opts, &o);
	CHECK(r == 0);
	return o;
}

#define PARSE(...) parse((const char *const[]){__VA_ARGS__, NULL})

TEST(no_options_is_empty)
{
	struct mount_options o;
	CHECK(mount_options_parse(NULL, &o) == 0);
	CHECK(o.flags == 0 && o.cleared == 0 && o.data == NULL && o.n_propagation == 0);
	CHECK(o.attr_set == 0 && o.attr_clr == 0 && !o.idmap && !o.has_atime);
	mount_options_done(&o);
	o = PARSE("defaults", "");
	CHECK(o.flags == 0 && o.data == NULL);
	mount_options_done(&o);
}

static void check_set(const char *name, unsigned long flag)
{
	struct mount_options o = PARSE(name);
	if (o.flags != flag || o.data)
		printf("#   option %s: flags %#lx, want %#lx\n", name, o.flags, flag);
	CHECK(o.flags == flag && o.data == NULL);
	mount_options_done(&o);
}

static void check_clear(const char *set, const char *clear, unsigned long flag)
{
	struct mount_options o = PARSE(set, clear);
	if (o.flags & flag || !(o.cleared & flag))
		printf("#   option %s after %s: flags %#lx cleared %#lx\n", clear, set, o.flags, o.cleared);
	CHECK(!(o.flags & flag) && (o.cleared & flag) && o.data == NULL);
	mount_options_done(&o);
	o = PARSE(clear, set); /* last one wins */
	CHECK((o.flags & flag) && !(o.cleared & flag));
	mount_options_done(&o);
}

TEST(flag_options)
{
	check_set("ro", MS_RDONLY);
	check_set("bind", MS_BIND);
	check_set("rbind", MS_BIND | MS_REC);
	check_set("nosuid", MS_NOSUID);
	check_set("nodev", MS_NODEV);
	check_set("noexec", MS_NOEXEC);
	check_set("sync", MS_SYNCHRONOUS);
	check_set("dirsync", MS_DIRSYNC);
	check_set("remount", MS_REMOUNT);
	check_set("mand", MS_MANDLOCK);
	check_set("noatime", MS_NOATIME);
	check_set("nodiratime", MS_NODIRATIME);
	check_set("relatime", MS_RELATIME);
	check_set("strictatime", MS_STRICTATIME);
	check_set("lazytime", MS_LAZYTIME);
	check_set("silent", MS_SILENT);
	check_set("iversion", MS_I_VERSION);
	check_set("nosymfollow", MS_NOSYMFOLLOW);
}

TEST(clearing_options)
{
	check_clear("ro", "rw", MS_RDONLY);
	check_clear("nosuid", "suid", MS_NOSUID);
	check_clear("nodev", "dev", MS_NODEV);
	check_clear("noexec", "exec", MS_NOEXEC);
	check_clear("sync", "async", MS_SYNCHRONOUS);
	check_clear("mand", "nomand", MS_MANDLOCK);
	check_clear("nodiratime", "diratime", MS_NODIRATIME);
	check_clear("lazytime", "nolazytime", MS_LAZYTIME);
	check_clear("silent", "loud", MS_SILENT);
	check_clear("iversion", "noiversion", MS_I_VERSION);
	check_clear("nosymfollow", "symfollow", MS_NOSYMFOLLOW);
	check_clear("noatime", "atime", MS_NOATIME);
	check_clear("relatime", "norelatime", MS_RELATIME);
	check_clear("strictatime", "nostrictatime", MS_STRICTATIME);
}

TEST(atime_modes_are_exclusive)
{
	struct mount_options o = PARSE("noatime", "strictatime");
	CHECK(o.has_atime);
	CHECK((o.flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) == MS_STRICTATIME);
	CHECK(o.cleared & MS_NOATIME);
	mount_options_done(&o);
	o = PARSE("strictatime", "relatime", "nodiratime");
	CHECK((o.flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) == MS_RELATIME);
	CHECK(o.flags & MS_NODIRATIME);
	mount_options_done(&o);
	o = PARSE("nosuid");
	CHECK(!o.has_atime);
	mount_options_done(&o);
}

TEST(propagation_options)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} t[] = {
	    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
	    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
	    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct mount_options o = PARSE(t[i].name);
		CHECK(o.n_propagation == 1 && o.propagation[0] == t[i].flag && o.flags == 0 && !o.data);
		mount_options_done(&o);
		unsigned long f = 0;
		CHECK(mount_propagation_parse(t[i].name, &f) == 0 && f == t[i].flag);
	}
	struct mount_options o = PARSE("rbind", "rprivate", "unbindable");
	CHECK(o.flags == (MS_BIND | MS_REC));
	CHECK(o.n_propagation == 2 && o.propagation[0] == (MS_PRIVATE | MS_REC) && o.propagation[1] == MS_UNBINDABLE);
	mount_options_done(&o);
	unsigned long f = 0;
	CHECK(mount_propagation_parse("bogus", &f) == -EINVAL);
	CHECK(mount_propagation_parse(NULL, &f) == -EINVAL);
}

static void check_attr(const char *name, uint64_t set, uint64_t clr)
{
	struct mount_options o = PARSE(name);
	if (o.attr_set != set || o.attr_clr != clr)
		printf("#   option %s: set %#llx clr %#llx\n", name, (unsigned long long)o.attr_set,
		       (unsigned long long)o.attr_clr);
	CHECK(o.attr_set == set && o.attr_clr == clr && o.flags == 0 && !o.data);
	mount_options_done(&o);
}

TEST(recursive_attr_options)
{
	check_attr("rro", MOUNT_ATTR_RDONLY, 0);
	check_attr("rrw", 0, MOUNT_ATTR_RDONLY);
	check_attr("rnosuid", MOUNT_ATTR_NOSUID, 0);
	check_attr("rsuid", 0, MOUNT_ATTR_NOSUID);
	check_attr("rnodev", MOUNT_ATTR_NODEV, 0);
	check_attr("rdev", 0, MOUNT_ATTR_NODEV);
	check_attr("rnoexec", MOUNT_ATTR_NOEXEC, 0);
	check_attr("rexec", 0, MOUNT_ATTR_NOEXEC);
	check_attr("rnodiratime", MOUNT_ATTR_NODIRATIME, 0);
	check_attr("rdiratime", 0, MOUNT_ATTR_NODIRATIME);
	check_attr("rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0);
	check_attr("rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW);
	/* atime is an enum in mount_setattr: all of __ATIME cleared, the mode set */
	check_attr("rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME);
	check_attr("ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME);
	check_attr("rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME);
	check_attr("rnorelatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME);
	check_attr("rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME);
	check_attr("rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME);

	struct mount_options o = PARSE("rnoatime", "rstrictatime", "rro", "rrw", "rnosuid");
	CHECK(o.attr_set == (MOUNT_ATTR_STRICTATIME | MOUNT_ATTR_NOSUID));
	CHECK(o.attr_clr == (MOUNT_ATTR__ATIME | MOUNT_ATTR_RDONLY));
	mount_options_done(&o);
}

TEST(idmap_options)
{
	struct mount_options o = PARSE("rbind", "idmap");
	CHECK(o.idmap && !o.idmap_recursive && !o.data);
	mount_options_done(&o);
	o = PARSE("ridmap");
	CHECK(o.idmap && o.idmap_recursive && !o.data);
	mount_options_done(&o);
	o = PARSE("tmpcopyup");
	CHECK(o.tmpcopyup && !o.data);
	mount_options_done(&o);
}

TEST(unknown_options_go_to_data_in_order)
{
	struct mount_options o = PARSE("nosuid", "mode=755", "strictatime", "size=65536k");
	CHECK(o.flags == (MS_NOSUID | MS_STRICTATIME));
	CHECK_STREQ(o.data, "mode=755,size=65536k");
	mount_options_done(&o);
	o = PARSE("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
	CHECK(o.flags == (MS_NOSUID | MS_NOEXEC));
	CHECK_STREQ(o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mount_options_done(&o);
	/* near-misses of known names are data, not flags */
	o = PARSE("RO", "ro=1", "rbind2");
	CHECK(o.flags == 0);
	CHECK_STREQ(o.data, "RO,ro=1,rbind2");
	mount_options_done(&o);
	mount_options_done(NULL);
}

TEST(typical_runtime_spec_mounts)
{
	struct mount_options o = PARSE("nosuid", "noexec", "nodev", "relatime", "ro");
	CHECK(o.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY));
	CHECK(o.data == NULL && o.has_atime);
	mount_options_done(&o);
	o = PARSE("rbind", "rw", "rprivate");
	CHECK(o.flags == (MS_BIND | MS_REC) && (o.cleared & MS_RDONLY));
	mount_options_done(&o);
}

TAP_MAIN
