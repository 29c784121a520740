/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lsm.h"

#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"

void audit_lsm_host(struct audit_lsm *ret)
{
	struct audit_lsm l = {0};
	cleanup_free char *s = NULL;
	struct stat st;
	if (fs_read_file_at(AT_FDCWD, "/sys/kernel/security/lsm", 4096, &s, NULL) == 0) {
		s[strcspn(s, "\n")] = 0;
		snprintf(l.active, sizeof(l.active), "%s", s);
		l.from_securityfs = true;
	} else {
		cleanup_free char *aa = NULL;
		bool apparmor =
		    fs_read_file_at(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", 64, &aa, NULL) == 0 &&
		    aa[0] == 'Y';
		bool selinux = stat("/sys/fs/selinux/enforce", &st) == 0;
		bool smack = stat("/sys/fs/smackfs", &st) == 0;
		snprintf(l.active, sizeof(l.active), "%s%s%s%s%s", apparmor ? "apparmor" : "",
			 apparmor && (selinux || smack) ? "," : "", selinux ? "selinux" : "",
			 selinux && smack ? "," : "", smack ? "smack" : "");
	}
	cleanup_strv char **v = cu_strv_split(l.active, ',');
	for (size_t i = 0; v && v[i]; i++)
		if (STREQ(v[i], "apparmor") || STREQ(v[i], "selinux") || STREQ(v[i], "smack"))
			l.confinable = true;
	*ret = l;
}

void audit_lsm_read(const char *label, int label_errno, struct audit_lsm *ret)
{
	audit_lsm_host(ret);
	ret->label = label && *label ? label : NULL;
	if (!ret->confinable || !ret->label) {
		ret->state = ret->confinable ? "unconfined" : "inactive";
		ret->confined = false;
		return;
	}
	/* AppArmor: "unconfined" or "PROFILE (enforce)"; SELinux: "u:r:unconfined_t:s0";
	 * Smack: "_" is the floor label everyone has by default. */
	ret->confined = !(STREQ(ret->label, "unconfined") || strstr(ret->label, ":unconfined_t:") ||
			  STREQ(ret->label, "_") || strstr(ret->label, "(unconfined)"));
	ret->state = ret->confined ? "confined" : "unconfined";
}

struct json_object *audit_lsm_json(const struct audit_lsm *l)
{
	json_object *o = json_object_new_object();
	cleanup_strv char **v = cu_strv_split(l->active, ',');
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		if (*v[i])
			json_object_array_add(a, json_object_new_string(v[i]));
	json_object_object_add(o, "active", a);
	ju_add_str(o, "activeFrom",
		   l->from_securityfs ? "/sys/kernel/security/lsm" : "module parameters and LSM filesystems");
	ju_add_str(o, "state", l->state);
	json_object_object_add(o, "label", l->label ? json_object_new_string(l->label) : NULL);
	return o;
}
