/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Audit findings: an id (stable, for scripts: "seccomp-off", "cap-sys-admin"), a severity,
 * a one-line title and a one-line remedy naming the flag to change. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum audit_severity {
	AUDIT_INFO,
	AUDIT_LOW,
	AUDIT_MEDIUM,
	AUDIT_HIGH,
	AUDIT_CRITICAL,
};

struct audit_finding {
	char *id;
	enum audit_severity severity;
	char *title;
	char *remedy;
};

struct audit_findings {
	struct audit_finding *v;
	size_t n;
};

/* "info", "low", "medium", "high", "critical". */
const char *audit_severity_name(enum audit_severity s);
/* Parses a name (case-insensitive); -EINVAL. */
int audit_severity_parse(const char *s, enum audit_severity *ret);

/* Adds a finding (title is a printf format); -ENOMEM. */
int audit_findings_add(struct audit_findings *f, const char *id, enum audit_severity sev, const char *remedy,
		       const char *title_fmt, ...) __attribute__((format(printf, 5, 6)));
bool audit_findings_has(const struct audit_findings *f, const char *id);
/* The highest severity present; -1 if there are none. */
int audit_findings_max(const struct audit_findings *f);
/* Sorts by severity, highest first (stable within one severity). */
void audit_findings_sort(struct audit_findings *f);
void audit_findings_done(struct audit_findings *f);

struct json_object;
/* [{"id","severity","title","remedy"}...]: a new array. */
struct json_object *audit_findings_json(const struct audit_findings *f);
