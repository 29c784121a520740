/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri image SUBCOMMAND: the image verbs under one name (podman's spelling), plus prune
 * and exists. */
#include <stdio.h>
#include <string.h>

#include "cli/engine/cli.h"
#include "engine/image/image.h"
#include "lib/cleanup.h"

int verb_image_prune(int argc, char **argv)
{
	bool all = false;
	for (int i = 1; i < argc; i++) {
		if (STREQ(argv[i], "-a") || cli_flag(argv[i], "all"))
			all = true;
		else if (STREQ(argv[i], "-f") || cli_flag(argv[i], "force"))
			;
		else if (STREQ(argv[i], "-h") || cli_flag(argv[i], "help")) {
			printf("usage: kakuri image prune [-a]\nRemoves images without a name (-a: every image no "
			       "container uses).\n");
			return 0;
		} else
			return cli_usage_error("image prune", "unexpected argument '%s'", argv[i]);
	}
	cleanup_store struct store *s = NULL;
	if (cli_open_store(&s) < 0)
		return EXIT_ENGINE;
	return image_prune(s, all, NULL) < 0 ? EXIT_ENGINE : 0;
}

static int image_exists(int argc, char **argv)
{
	if (argc != 2)
		return cli_usage_error("image exists", "expected one image");
	cleanup_store struct store *s = NULL;
	struct image_list l = {0};
	if (cli_open_store(&s) < 0 || store_lock(s, false) < 0)
		return EXIT_ENGINE;
	int r = store_images_load(s, &l);
	store_unlock(s);
	if (r < 0)
		return EXIT_ENGINE;
	r = image_list_find(&l, argv[1]);
	image_list_clear(&l);
	return r >= 0 ? 0 : 1;
}

int verb_image(int argc, char **argv)
{
	static const struct verb sub[] = {
	    {"ls", NULL, verb_images},	    {"list", NULL, verb_images},       {"rm", NULL, verb_rmi},
	    {"tag", NULL, verb_tag},	    {"inspect", NULL, verb_inspect},   {"prune", NULL, verb_image_prune},
	    {"pull", NULL, verb_pull},	    {"load", NULL, verb_load},	       {"save", NULL, verb_save},
	    {"import", NULL, verb_import},  {"mount", NULL, verb_image_mount}, {"umount", NULL, verb_image_umount},
	    {"exists", NULL, image_exists},
	};
	if (argc < 2 || STREQ(argv[1], "-h") || cli_flag(argv[1], "help")) {
		printf("usage: kakuri image ls|rm|tag|inspect|prune|pull|load|save|import|mount|umount|exists ...\n");
		return argc < 2 ? EXIT_ENGINE : 0;
	}
	for (size_t i = 0; i < ELEMENTSOF(sub); i++)
		if (STREQ(argv[1], sub[i].name))
			return sub[i].run(argc - 1, argv + 1);
	return cli_usage_error("image", "unknown subcommand '%s'", argv[1]);
}
