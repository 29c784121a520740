/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri cp [-a] SRC DST: one of them is CONTAINER:PATH. The container side is resolved in
 * the container's root (engine/container/cp.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/container/cp.h"
#include "engine/container/lifecycle.h"
#include "lib/cleanup.h"
#include "lib/log.h"

/* "NAME:PATH" (not "/x:y" or "./x:y", which are host paths with a colon). */
static bool container_ref(const char *a, char **ret_ctr, const char **ret_path)
{
	const char *colon = strchr(a, ':');
	if (!colon || a[0] == '/' || a[0] == '.' || colon == a)
		return false;
	*ret_ctr = strndup(a, (size_t)(colon - a));
	*ret_path = colon + 1;
	return *ret_ctr != NULL;
}

int verb_cp(int argc, char **argv)
{
	static const struct cli_option opts[] = {
	    {"archive", 'a', false, 1}, {"overwrite", 0, false, 2}, {"follow-link", 'L', false, 3}, {0}};
	struct cli_parser p = {argc, argv, 1, 0, opts, "cp", false};
	const char *v;
	bool archive = false;
	int id;
	while ((id = cli_next(&p, &v)) > 0)
		if (id == 1)
			archive = cli_bool_val(v);
	if (id < 0)
		return EXIT_ENGINE;
	if (argc - p.i != 2)
		return cli_usage_error("cp", "expected SRC and DST, one of them CONTAINER:PATH");
	cleanup_free char *sc = NULL, *dc = NULL;
	const char *sp = NULL, *dp = NULL;
	bool s_ctr = container_ref(argv[p.i], &sc, &sp), d_ctr = container_ref(argv[p.i + 1], &dc, &dp);
	if (s_ctr == d_ctr)
		return cli_usage_error("cp", "exactly one of SRC and DST must be CONTAINER:PATH");
	if (STREQ(s_ctr ? argv[p.i + 1] : argv[p.i], "-"))
		return cli_usage_error("cp", "tar streams ('-') are not supported yet");
	struct engine_config cfg = {0};
	cleanup_store struct store *s = NULL;
	cleanup_free char *cid = NULL;
	struct ctr_record *rec = NULL;
	int rc = EXIT_ENGINE;
	if (cli_ctr_setup(&cfg, &s) < 0)
		return EXIT_ENGINE;
	if (ctr_lookup(s, s_ctr ? sc : dc, &cid) == 0 && ctr_record_load(s, cid, &rec) == 0) {
		const char *cpath = s_ctr ? sp : dp, *hpath = s_ctr ? argv[p.i + 1] : argv[p.i];
		if (!*cpath)
			cpath = "/";
		ctr_status_live(s, rec);
		rc = ctr_cp(s, rec, hpath, cpath, !s_ctr, archive) < 0 ? EXIT_ENGINE : 0;
	}
	ctr_record_free(rec);
	engine_config_free(&cfg);
	return rc;
}
