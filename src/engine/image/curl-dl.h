/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libcurl, loaded when the first registry is opened instead of when kakuri starts.
 * Linking it costs every command (run, ps, rm, ...) ~3 ms to map and relocate libcurl and the
 * TLS, HTTP/2, SSH, LDAP, IDN and Kerberos libraries it pulls in, although only pull, login
 * and search-like commands talk HTTP. Include this header instead of <curl/curl.h>: it maps
 * the curl_* calls the engine makes onto a table filled by curl_dl_load(), which every entry
 * point (registry_global_init) calls first. The ABI is libcurl.so.4's, which has been stable
 * since 2006. */
#pragma once

/* curl's gcc type-check wrappers are macros named like the functions we redirect. */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

struct curl_dl {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_pause)(CURL *, int);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
};
extern struct curl_dl curl_dl;

/* dlopen()s libcurl.so.4 once. 0, or -ENOENT with the error logged (which file, which
 * package). */
int curl_dl_load(void);

#define curl_global_init(...) (curl_dl.global_init(__VA_ARGS__))
#define curl_easy_init(...) (curl_dl.easy_init(__VA_ARGS__))
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_easy_setopt(...) (curl_dl.easy_setopt(__VA_ARGS__))
#define curl_easy_getinfo(...) (curl_dl.easy_getinfo(__VA_ARGS__))
#define curl_easy_perform(...) (curl_dl.easy_perform(__VA_ARGS__))
#define curl_easy_pause(...) (curl_dl.easy_pause(__VA_ARGS__))
#define curl_easy_cleanup(...) (curl_dl.easy_cleanup(__VA_ARGS__))
#define curl_easy_strerror(...) (curl_dl.easy_strerror(__VA_ARGS__))
#define curl_easy_escape(...) (curl_dl.easy_escape(__VA_ARGS__))
#define curl_free(...) (curl_dl.free(__VA_ARGS__))
#define curl_slist_append(...) (curl_dl.slist_append(__VA_ARGS__))
#define curl_slist_free_all(...) (curl_dl.slist_free_all(__VA_ARGS__))
#define curl_multi_init(...) (curl_dl.multi_init(__VA_ARGS__))
#define curl_multi_setopt(...) (curl_dl.multi_setopt(__VA_ARGS__))
#define curl_multi_add_handle(...) (curl_dl.multi_add_handle(__VA_ARGS__))
#define curl_multi_remove_handle(...) (curl_dl.multi_remove_handle(__VA_ARGS__))
#define curl_multi_perform(...) (curl_dl.multi_perform(__VA_ARGS__))
#define curl_multi_poll(...) (curl_dl.multi_poll(__VA_ARGS__))
#define curl_multi_info_read(...) (curl_dl.multi_info_read(__VA_ARGS__))
#define curl_multi_cleanup(...) (curl_dl.multi_cleanup(__VA_ARGS__))
