/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "namespaces.h"

#include <json-c/json.h>

uint64_t audit_ns_initial_inode(int type)
{
	switch (type) {
	case AUDIT_NS_IPC:
		return 0xEFFFFFFFU;
	case AUDIT_NS_UTS:
		return 0xEFFFFFFEU;
	case AUDIT_NS_USER:
		return 0xEFFFFFFDU;
	case AUDIT_NS_PID:
		return 0xEFFFFFFCU;
	case AUDIT_NS_CGROUP:
		return 0xEFFFFFFBU;
	case AUDIT_NS_TIME:
		return 0xEFFFFFFAU;
	default:
		return 0;
	}
}

void audit_ns_host(uint64_t ret[AUDIT_NS_COUNT], const char *ret_ref[AUDIT_NS_COUNT])
{
	for (int i = 0; i < AUDIT_NS_COUNT; i++) {
		ret[i] = 0;
		ret_ref[i] = NULL;
		if (audit_ns_inode(1, audit_ns_names[i], &ret[i]) == 0) {
			ret_ref[i] = "/proc/1/ns";
		} else if ((ret[i] = audit_ns_initial_inode(i))) {
			ret_ref[i] = "initial namespace";
		} else if (audit_ns_inode(0, audit_ns_names[i], &ret[i]) == 0) {
			ret_ref[i] = "the auditor's own";
		} else {
			ret[i] = 0;
		}
	}
}

void audit_ns_compare(const uint64_t ns[AUDIT_NS_COUNT], const uint64_t host[AUDIT_NS_COUNT],
		      const char *const ref[AUDIT_NS_COUNT], struct audit_ns_entry ret[AUDIT_NS_COUNT])
{
	for (int i = 0; i < AUDIT_NS_COUNT; i++)
		ret[i] = (struct audit_ns_entry){
		    .type = audit_ns_names[i],
		    .inode = ns[i],
		    .host = host[i],
		    .shared = ns[i] && host[i] && ns[i] == host[i],
		    .reference = ref ? ref[i] : NULL,
		};
}

struct json_object *audit_ns_json(const struct audit_ns_entry e[AUDIT_NS_COUNT])
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < AUDIT_NS_COUNT; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "type", json_object_new_string(e[i].type));
		json_object_object_add(o, "inode", e[i].inode ? json_object_new_int64((int64_t)e[i].inode) : NULL);
		json_object_object_add(o, "host", e[i].host ? json_object_new_int64((int64_t)e[i].host) : NULL);
		json_object_object_add(o, "shared", json_object_new_boolean(e[i].shared));
		json_object_object_add(o, "reference", e[i].reference ? json_object_new_string(e[i].reference) : NULL);
		json_object_array_add(a, o);
	}
	return a;
}
