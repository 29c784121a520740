/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `update [--resources FILE|-] [flags] ID`: change the resources of a live container, as
 * runc. The flags are applied on top of the --resources object:
 *   --memory, --memory-reservation, --memory-swap (sizes: "64m", "1g", -1), --kernel-memory,
 *   --kernel-memory-tcp, --pids-limit, --cpu-share, --cpu-quota, --cpu-period,
 *   --cpu-rt-period, --cpu-rt-runtime, --cpuset-cpus, --cpuset-mems, --blkio-weight. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runtime/cli.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/cgroup-resources.h"
#include "runtime/container-cgroup.h"

enum value_kind { V_SIZE, V_INT, V_UINT, V_STR };

static const struct flag {
	const char *name;
	const char *section, *key;
	enum value_kind kind;
} flags[] = {
	{ "memory", "memory", "limit", V_SIZE },
	{ "memory-reservation", "memory", "reservation", V_SIZE },
	{ "memory-swap", "memory", "swap", V_SIZE },
	{ "kernel-memory", "memory", "kernel", V_SIZE },
	{ "kernel-memory-tcp", "memory", "kernelTCP", V_SIZE },
	{ "pids-limit", "pids", "limit", V_INT },
	{ "cpu-share", "cpu", "shares", V_UINT },
	{ "cpu-quota", "cpu", "quota", V_INT },
	{ "cpu-period", "cpu", "period", V_UINT },
	{ "cpu-rt-period", "cpu", "realtimePeriod", V_UINT },
	{ "cpu-rt-runtime", "cpu", "realtimeRuntime", V_INT },
	{ "cpuset-cpus", "cpu", "cpus", V_STR },
	{ "cpuset-mems", "cpu", "mems", V_STR },
	{ "blkio-weight", "blockIO", "weight", V_UINT },
};

static int read_resources(const char *path, struct json_object **ret)
{
	cleanup_free char *text = NULL;
	int r = fs_read_file_at(AT_FDCWD, STREQ(path, "-") ? "/dev/stdin" : path, 0, &text, NULL);
	if (r < 0)
		return log_error_errno(r, "update: --resources '%s': %m", path);
	enum json_tokener_error jerr;
	struct json_object *o = json_tokener_parse_verbose(text, &jerr);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return log_error_errno(-EINVAL, "update: --resources '%s': not a JSON object (%s)", path,
				       o ? "wrong type" : json_tokener_error_desc(jerr));
	}
	*ret = o;
	return 0;
}

static int set_flag(struct json_object *res, const struct flag *f, const char *val)
{
	struct json_object *sect, *v;
	int64_t n;
	char *end;
	switch (f->kind) {
	case V_SIZE:
		if (cgroup_parse_size(val, &n) < 0)
			return log_error_errno(-EINVAL, "update: --%s: '%s' is not a size (like 64m, 1g or -1)", f->name, val);
		v = json_object_new_int64(n);
		break;
	case V_INT:
		errno = 0;
		n = strtoll(val, &end, 10);
		if (!*val || *end || errno)
			return log_error_errno(-EINVAL, "update: --%s: '%s' is not a number", f->name, val);
		v = json_object_new_int64(n);
		break;
	case V_UINT: {
		errno = 0;
		unsigned long long u = strtoull(val, &end, 10);
		if (!*val || *end || errno || val[0] == '-')
			return log_error_errno(-EINVAL, "update: --%s: '%s' is not a non-negative number", f->name, val);
		v = json_object_new_uint64(u);
		break;
	}
	default:
		v = json_object_new_string(val);
		break;
	}
	if (!json_object_object_get_ex(res, f->section, &sect) || !json_object_is_type(sect, json_type_object)) {
		sect = json_object_new_object();
		json_object_object_add(res, f->section, sect);
	}
	json_object_object_add(sect, f->key, v);
	return 0;
}

static void usage(void)
{
	printf("usage: kakuri-runtime update [--resources FILE|-] [flags] ID\n  -r, --resources FILE  a linux.resources JSON object ('-': stdin)\n");
	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		printf("  --%-20s linux.resources.%s.%s\n", flags[i].name, flags[i].section, flags[i].key);
}

int verb_update(int argc, char **argv)
{
	struct option opts[ELEMENTSOF(flags) + 5];
	const char *values[ELEMENTSOF(flags)] = { 0 };
	const char *resources = NULL;
	size_t k = 0;
	int c, ret = 1;

	for (size_t i = 0; i < ELEMENTSOF(flags); i++)
		opts[k++] = (struct option){ flags[i].name, required_argument, NULL, 256 + (int)i };
	opts[k++] = (struct option){ "resources", required_argument, NULL, 'r' };
	opts[k++] = (struct option){ "help", no_argument, NULL, 'h' };
	/* runc's Intel RDT flags: no resctrl support here, said clearly below. */
	opts[k++] = (struct option){ "l3-cache-schema", required_argument, NULL, 'L' };
	opts[k++] = (struct option){ "mem-bw-schema", required_argument, NULL, 'L' };
	opts[k] = (struct option){ 0 };
	while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
		if (c >= 256 && c < 256 + (int)ELEMENTSOF(flags)) {
			values[c - 256] = optarg;
		} else if (c == 'r') {
			resources = optarg;
		} else if (c == 'h') {
			usage();
			return 0;
		} else if (c == 'L') {
			log_error("update: Intel RDT (--l3-cache-schema, --mem-bw-schema) is not supported by kakuri");
			return 1;
		} else {
			return cli_usage_error("update", "invalid option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("update", "expects exactly one container ID");
	struct json_object *res = NULL;
	if (resources) {
		if (read_resources(resources, &res) < 0)
			return 1;
	} else {
		res = json_object_new_object();
	}
	bool any = resources != NULL;
	for (size_t i = 0; i < ELEMENTSOF(flags); i++) {
		if (!values[i])
			continue;
		any = true;
		if (set_flag(res, &flags[i], values[i]) < 0)
			goto out;
	}
	if (!any) {
		ret = cli_usage_error("update", "nothing to update: give --resources or a flag like --memory");
		goto out;
	}
	ret = cli_exit(container_update(arg_root, argv[optind], json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN)));
out:
	json_object_put(res);
	return ret;
}
