/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli/engine/cli.h"
#include "lib/log.h"

int verb_login(int argc, char **argv)
{
	log_error("login: not implemented yet");
	return EXIT_ENGINE;
}

int verb_logout(int argc, char **argv)
{
	log_error("logout: not implemented yet");
	return EXIT_ENGINE;
}
