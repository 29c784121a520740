/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Capability sets for containers: names, "all", and docker's --cap-add/--cap-drop rules. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>

#include "engine/container/spec.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "runtime/caps.h"

/* ---- capabilities ---- */

char **ctr_caps_all(void)
{
	char **v = calloc(1, sizeof(char *));
	int last = caps_last_cap();
	for (int i = 0; v && i <= last; i++) {
		/* "All" is all we have: a capability outside our own bounding set (a root
		 * without CAP_SYS_RESOURCE, say) cannot be granted, and rootless never exceeds
		 * what the user has. */
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) != 1)
			continue;
		const char *n = caps_to_name(i);
		if (n && cu_strv_append(&v, n) < 0) {
			cu_strv_free(v);
			return NULL;
		}
	}
	return v;
}

char *ctr_cap_normalize(const char *name)
{
	char buf[64];
	size_t n = strlen(name);
	if (n + 5 >= sizeof(buf))
		return NULL;
	bool pre = strncasecmp(name, "CAP_", 4) == 0;
	snprintf(buf, sizeof(buf), "%s%s", pre ? "" : "CAP_", name);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	if (caps_from_name(buf) < 0)
		return NULL;
	return strdup(buf);
}

static bool is_all(const char *s)
{
	return strcasecmp(s, "ALL") == 0 || strcasecmp(s, "CAP_ALL") == 0;
}

/* Normalized copies of names (ALL skipped); *ret_all tells whether ALL was there. */
static int caps_normalize_list(char *const *in, char ***ret, bool *ret_all, const char **ret_bad)
{
	char **v = calloc(1, sizeof(char *));
	bool all = false;
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; in && in[i]; i++) {
		if (is_all(in[i])) {
			all = true;
			continue;
		}
		char *c = ctr_cap_normalize(in[i]);
		if (!c) {
			*ret_bad = in[i];
			cu_strv_free(v);
			return -EINVAL;
		}
		if (cu_strv_contains(v, c))
			free(c);
		else if (cu_strv_consume(&v, c) < 0) {
			cu_strv_free(v);
			return -ENOMEM;
		}
	}
	*ret = v;
	*ret_all = all;
	return 0;
}

int ctr_caps_compute(char *const *base, char *const *add, char *const *drop, char ***ret, const char **ret_bad)
{
	cleanup_strv char **a = NULL, **d = NULL;
	bool add_all, drop_all;
	int r = caps_normalize_list(add, &a, &add_all, ret_bad);
	if (r < 0)
		return r;
	r = caps_normalize_list(drop, &d, &drop_all, ret_bad);
	if (r < 0)
		return r;
	char **out;
	if (add_all) {
		out = ctr_caps_all();
		for (size_t i = 0; out && d[i]; i++)
			cu_strv_remove(out, d[i]);
	} else if (drop_all) {
		out = cu_strv_copy_of(a);
	} else {
		out = cu_strv_copy_of(base);
		for (size_t i = 0; out && d[i]; i++)
			cu_strv_remove(out, d[i]);
		for (size_t i = 0; out && a[i]; i++)
			if (!cu_strv_contains(out, a[i]) && cu_strv_append(&out, a[i]) < 0) {
				cu_strv_free(out);
				out = NULL;
			}
	}
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}
