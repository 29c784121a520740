/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "findings.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/cleanup.h"

static const char *const sev_names[] = {"info", "low", "medium", "high", "critical"};

const char *audit_severity_name(enum audit_severity s)
{
	return (unsigned)s < ELEMENTSOF(sev_names) ? sev_names[s] : "?";
}

int audit_severity_parse(const char *s, enum audit_severity *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(sev_names); i++)
		if (strcasecmp(s, sev_names[i]) == 0) {
			*ret = (enum audit_severity)i;
			return 0;
		}
	return -EINVAL;
}

int audit_findings_add(struct audit_findings *f, const char *id, enum audit_severity sev, const char *remedy,
		       const char *title_fmt, ...)
{
	struct audit_finding *nv = realloc(f->v, (f->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	f->v = nv;
	char *title = NULL;
	va_list ap;
	va_start(ap, title_fmt);
	int r = vasprintf(&title, title_fmt, ap);
	va_end(ap);
	char *i = strdup(id), *rem = strdup(remedy ? remedy : "");
	if (r < 0 || !i || !rem) {
		if (r >= 0)
			free(title);
		free(i);
		free(rem);
		return -ENOMEM;
	}
	f->v[f->n++] = (struct audit_finding){i, sev, title, rem};
	return 0;
}

bool audit_findings_has(const struct audit_findings *f, const char *id)
{
	for (size_t i = 0; i < f->n; i++)
		if (STREQ(f->v[i].id, id))
			return true;
	return false;
}

int audit_findings_max(const struct audit_findings *f)
{
	int m = -1;
	for (size_t i = 0; i < f->n; i++)
		if ((int)f->v[i].severity > m)
			m = (int)f->v[i].severity;
	return m;
}

void audit_findings_sort(struct audit_findings *f)
{
	/* Insertion sort: stable, and the lists are short. */
	for (size_t i = 1; i < f->n; i++) {
		struct audit_finding x = f->v[i];
		size_t j = i;
		while (j > 0 && f->v[j - 1].severity < x.severity) {
			f->v[j] = f->v[j - 1];
			j--;
		}
		f->v[j] = x;
	}
}

void audit_findings_done(struct audit_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].id);
		free(f->v[i].title);
		free(f->v[i].remedy);
	}
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

struct json_object *audit_findings_json(const struct audit_findings *f)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < f->n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(f->v[i].id));
		json_object_object_add(o, "severity", json_object_new_string(audit_severity_name(f->v[i].severity)));
		json_object_object_add(o, "title", json_object_new_string(f->v[i].title));
		json_object_object_add(o, "remedy", json_object_new_string(f->v[i].remedy));
		json_object_array_add(a, o);
	}
	return a;
}
