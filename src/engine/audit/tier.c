/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tier.h"

#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"

static const char *const tier_names[] = {
    "?",
    "privileged + root inside",
    "privileged + non-root inside",
    "rootful + root inside",
    "rootful + non-root inside",
    "rootless + root inside",
    "rootless + non-root inside",
};

const char *audit_tier_name(int tier)
{
	return tier >= 1 && tier <= 6 ? tier_names[tier] : tier_names[0];
}

static void signals_text(const struct audit_tier_input *in, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", in->seccomp_off ? ", seccomp off" : "", in->sys_rw ? ", /sys read-write" : "",
		 in->host_devices ? ", host devices" : "");
}

void audit_tier_decide(const struct audit_tier_input *in, struct audit_tier *ret)
{
	struct audit_tier t = {0};
	char who[96], inside[64], sig[96];
	bool rootless = !in->root_mapped || in->host_uid_of_root != 0;

	t.privileged = in->full_caps && (in->seccomp_off || in->sys_rw || in->host_devices);
	t.root_inside = in->uid_inside_known && in->uid_inside == 0;
	if (!in->root_mapped)
		snprintf(who, sizeof(who), "container root is not mapped to any host uid (user namespace)");
	else if (in->in_initial_userns)
		snprintf(who, sizeof(who), "container root is host uid 0 (no user namespace)");
	else
		snprintf(who, sizeof(who), "container root is host uid %u (user namespace)", in->host_uid_of_root);
	if (in->uid_inside_known)
		snprintf(inside, sizeof(inside), "runs as uid %u inside (host uid %u)", in->uid_inside, in->host_euid);
	else
		snprintf(inside, sizeof(inside), "runs as host uid %u, unmapped inside", in->host_euid);
	signals_text(in, sig, sizeof(sig));

	if (rootless) {
		t.mode = "rootless";
		t.tier = t.root_inside ? 5 : 6;
		snprintf(t.reason, sizeof(t.reason), "rootless: %s; %s%s", who, inside,
			 t.privileged ? "; privileged within its user namespace only" : "");
	} else if (t.privileged) {
		t.mode = "privileged";
		t.tier = t.root_inside ? 1 : 2;
		snprintf(t.reason, sizeof(t.reason), "privileged: the host's full capability bounding set%s; %s; %s",
			 sig, who, inside);
	} else {
		t.mode = "rootful";
		t.tier = t.root_inside ? 3 : 4;
		snprintf(t.reason, sizeof(t.reason), "rootful: %s; %s", who, inside);
	}
	*ret = t;
}
