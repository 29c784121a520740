/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `inspect` for containers: podman's field names (Id, State.Status, Config.Env, …) from the
 * record and config.json; and the Go-template subset --format takes: text with {{.A.B}}
 * (a field), {{json .A}} (as JSON), {{.A}} of a string printed raw, of anything else as
 * JSON; `{{ }}` spacing free. */
#pragma once

#include "engine/container/record.h"

struct json_object;

/* rec's status should be current (ctr_status_live). *ret caller json_object_put()s. */
int ctr_inspect_json(struct store *s, const struct ctr_record *rec, struct json_object **ret);
/* -EINVAL for a template it does not understand. *ret caller frees. */
int ctr_template_render(const char *tmpl, struct json_object *o, char **ret);
