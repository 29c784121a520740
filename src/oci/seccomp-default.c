/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kakuri's default seccomp profile, data/seccomp/default.json, embedded at build time with
 * the assembler's .incbin (the Makefile makes this object depend on the JSON file; the path
 * is relative to the top of the tree, where make runs the compiler). Embedding instead of
 * reading KAKURI_DATADIR at run time means `spec --seccomp default` gives the profile this
 * binary was built and tested with, from any install location. */
#include "oci/seccomp-profile.h"

__asm__(".pushsection .rodata\n"
	".balign 16\n"
	".globl seccomp_profile_default_json\n"
	".hidden seccomp_profile_default_json\n"
	".type seccomp_profile_default_json, @object\n"
	"seccomp_profile_default_json:\n"
	".incbin \"data/seccomp/default.json\"\n"
	".byte 0\n"
	".size seccomp_profile_default_json, . - seccomp_profile_default_json\n"
	".popsection\n");
