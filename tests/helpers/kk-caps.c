/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kk-caps: print the security-relevant lines of /proc/self/status, for integration tests
 * that run it inside a container:
 *   Uid, Gid, Groups, CapInh, CapPrm, CapEff, CapBnd, CapAmb, NoNewPrivs, Seccomp,
 *   Seccomp_filters
 * in the kernel's order and format ("CapEff:\t00000000a80425fb"). Static, no libc from the
 * image needed. Exit 0, or 1 if /proc/self/status cannot be read. */
#include <stdio.h>
#include <string.h>

static const char *const keys[] = {
    "Uid:",    "Gid:",	  "Groups:",	 "CapInh:",  "CapPrm:",		 "CapEff:",
    "CapBnd:", "CapAmb:", "NoNewPrivs:", "Seccomp:", "Seccomp_filters:",
};

int main(void)
{
	char line[4096];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f) {
		perror("kk-caps: /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strncmp(line, keys[i], strlen(keys[i])) == 0) {
				fputs(line, stdout);
				break;
			}
	}
	fclose(f);
	return fflush(stdout) == 0 ? 0 : 1;
}
