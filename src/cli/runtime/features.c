/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <stdlib.h>

#include "cli/runtime/cli.h"
#include "oci/features.h"

int verb_features(int argc, char **argv)
{
	char *json = spec_features_json();
	if (!json)
		return 1;
	puts(json);
	free(json);
	return 0;
}
