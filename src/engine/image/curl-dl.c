/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "curl-dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/log.h"

struct curl_dl curl_dl;

static const struct {
	const char *name;
	size_t off;
} curl_syms[] = {
#define S(field, sym) {sym, offsetof(struct curl_dl, field)}
    S(global_init, "curl_global_init"),
    S(easy_init, "curl_easy_init"),
    S(easy_setopt, "curl_easy_setopt"),
    S(easy_getinfo, "curl_easy_getinfo"),
    S(easy_perform, "curl_easy_perform"),
    S(easy_pause, "curl_easy_pause"),
    S(easy_cleanup, "curl_easy_cleanup"),
    S(easy_strerror, "curl_easy_strerror"),
    S(easy_escape, "curl_easy_escape"),
    S(free, "curl_free"),
    S(slist_append, "curl_slist_append"),
    S(slist_free_all, "curl_slist_free_all"),
    S(multi_init, "curl_multi_init"),
    S(multi_setopt, "curl_multi_setopt"),
    S(multi_add_handle, "curl_multi_add_handle"),
    S(multi_remove_handle, "curl_multi_remove_handle"),
    S(multi_perform, "curl_multi_perform"),
    S(multi_poll, "curl_multi_poll"),
    S(multi_info_read, "curl_multi_info_read"),
    S(multi_cleanup, "curl_multi_cleanup"),
#undef S
};

int curl_dl_load(void)
{
	static bool loaded;
	if (loaded)
		return 0;
	/* Never unloaded: libcurl keeps global state (TLS library init) for the process. */
	void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return log_error_errno(-ENOENT, "Failed to load libcurl.so.4 (Debian package libcurl4): %s",
				       dlerror());
	for (size_t i = 0; i < sizeof(curl_syms) / sizeof(curl_syms[0]); i++) {
		void *f = dlsym(h, curl_syms[i].name);
		if (!f)
			return log_error_errno(-ENOENT, "libcurl.so.4 has no %s: too old", curl_syms[i].name);
		*(void **)((char *)&curl_dl + curl_syms[i].off) = f;
	}
	loaded = true;
	return 0;
}
