/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/engine/cli.h"
#include "lib/log.h"

int verb_unshare(int argc, char **argv)
{
	log_error("unshare: not implemented yet");
	return EXIT_ENGINE;
}

int verb_image_mount(int argc, char **argv)
{
	log_error("image mount: not implemented yet");
	return EXIT_ENGINE;
}

int verb_image_umount(int argc, char **argv)
{
	log_error("image umount: not implemented yet");
	return EXIT_ENGINE;
}
