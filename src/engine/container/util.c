/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/cleanup.h"

/* ---- json-c ---- */

void ju_putp(struct json_object **o)
{
	if (*o)
		json_object_put(*o);
}

void ju_add_str(json_object *o, const char *key, const char *v)
{
	if (v)
		json_object_object_add(o, key, json_object_new_string(v));
}

json_object *ju_strv(char *const *v)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i]; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

void ju_add_strv(json_object *o, const char *key, char *const *v)
{
	json_object_object_add(o, key, ju_strv(v));
}

const char *ju_str(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

char *ju_dup_str(json_object *o, const char *key)
{
	const char *s = ju_str(o, key);
	return s ? strdup(s) : NULL;
}

char **ju_dup_strv(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_array))
		return NULL;
	size_t n = json_object_array_length(v);
	char **r = calloc(n + 1, sizeof(char *));
	if (!r)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(v, i);
		if (json_object_is_type(e, json_type_string))
			r[k++] = strdup(json_object_get_string(e));
	}
	return r;
}

int64_t ju_int64(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return 0;
	return json_object_get_int64(v);
}

bool ju_bool(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v))
		return false;
	return json_object_get_boolean(v);
}

json_object *ju_obj(json_object *o, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_object))
		return v;
	v = json_object_new_object();
	json_object_object_add(o, key, v);
	return v;
}

json_object *ju_arr(json_object *o, const char *key)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array))
		return v;
	v = json_object_new_array();
	json_object_object_add(o, key, v);
	return v;
}

/* ---- strv ---- */

size_t cu_strv_length(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

int cu_strv_consume(char ***v, char *s)
{
	if (!s)
		return -ENOMEM;
	size_t n = cu_strv_length(*v);
	char **nv = realloc(*v, (n + 2) * sizeof(char *));
	if (!nv) {
		free(s);
		return -ENOMEM;
	}
	nv[n] = s;
	nv[n + 1] = NULL;
	*v = nv;
	return 0;
}

int cu_strv_append(char ***v, const char *s)
{
	return cu_strv_consume(v, strdup(s));
}

bool cu_strv_contains(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (STREQ(v[i], s))
			return true;
	return false;
}

void cu_strv_remove(char **v, const char *s)
{
	size_t o = 0;
	for (size_t i = 0; v && v[i]; i++) {
		if (STREQ(v[i], s))
			free(v[i]);
		else
			v[o++] = v[i];
	}
	if (v)
		v[o] = NULL;
}

char **cu_strv_copy_of(char *const *v)
{
	size_t n = cu_strv_length(v);
	char **r = calloc(n + 1, sizeof(char *));
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(r[i] = strdup(v[i]))) {
			cleanup_strvp(&r);
			return NULL;
		}
	return r;
}

void cu_strv_free(char **v)
{
	cleanup_strvp(&v);
}

int cu_strv_env_set(char ***v, const char *kv)
{
	size_t k = strcspn(kv, "=");
	for (size_t i = 0; *v && (*v)[i]; i++)
		if (strncmp((*v)[i], kv, k) == 0 && ((*v)[i][k] == '=' || (*v)[i][k] == 0)) {
			char *d = strdup(kv);
			if (!d)
				return -ENOMEM;
			free((*v)[i]);
			(*v)[i] = d;
			return 0;
		}
	return cu_strv_append(v, kv);
}

const char *cu_strv_env_get(char *const *v, const char *name)
{
	size_t k = strlen(name);
	for (size_t i = 0; v && v[i]; i++)
		if (strncmp(v[i], name, k) == 0 && v[i][k] == '=')
			return v[i] + k + 1;
	return NULL;
}

char *cu_strv_join(char *const *v, const char *sep)
{
	size_t len = 1, sl = strlen(sep);
	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + sl;
	char *s = malloc(len), *p = s;
	if (!s)
		return NULL;
	*p = 0;
	for (size_t i = 0; v && v[i]; i++) {
		if (i > 0) {
			memcpy(p, sep, sl);
			p += sl;
		}
		size_t l = strlen(v[i]);
		memcpy(p, v[i], l);
		p += l;
	}
	*p = 0;
	return s;
}

char **cu_strv_split(const char *s, char c)
{
	char **v = calloc(1, sizeof(char *));
	if (!v)
		return NULL;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, c);
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (cu_strv_consume(&v, strndup(p, l)) < 0) {
			cleanup_strvp(&v);
			return NULL;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return v;
}

/* ---- time ---- */

void cu_fmt_rfc3339(int64_t ns, char buf[64])
{
	time_t sec = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char d[32];
	gmtime_r(&sec, &tm);
	strftime(d, sizeof(d), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 64, "%s.%09lldZ", d, (long long)(ns % 1000000000LL));
}

void cu_fmt_human_duration(int64_t ns, char buf[64])
{
	int64_t s = ns / 1000000000LL;
	if (s < 1)
		snprintf(buf, 64, "Less than a second");
	else if (s == 1)
		snprintf(buf, 64, "1 second");
	else if (s < 60)
		snprintf(buf, 64, "%lld seconds", (long long)s);
	else if (s / 60 == 1)
		snprintf(buf, 64, "About a minute");
	else if (s < 3600)
		snprintf(buf, 64, "%lld minutes", (long long)(s / 60));
	else {
		/* From here on go-units counts rounded hours: int(d.Hours() + 0.5). */
		int64_t h = (ns + 1800 * 1000000000LL) / (3600 * 1000000000LL);
		if (h == 1)
			snprintf(buf, 64, "About an hour");
		else if (h < 48)
			snprintf(buf, 64, "%lld hours", (long long)h);
		else if (h < 24 * 7 * 2)
			snprintf(buf, 64, "%lld days", (long long)(h / 24));
		else if (h < 24 * 30 * 2)
			snprintf(buf, 64, "%lld weeks", (long long)(h / 24 / 7));
		else if (h < 24 * 365 * 2)
			snprintf(buf, 64, "%lld months", (long long)(h / 24 / 30));
		else
			snprintf(buf, 64, "%lld years", (long long)(s / 3600 / 24 / 365));
	}
}

/* Fractional part without trailing zeros: ".5", "" for none. */
static void frac(char *out, size_t n, int64_t v, int digits)
{
	char d[16];
	snprintf(d, sizeof(d), "%0*lld", digits, (long long)v);
	int l = digits;
	while (l > 0 && d[l - 1] == '0')
		l--;
	if (l == 0)
		out[0] = 0;
	else
		snprintf(out, n, ".%.*s", l, d);
}

void cu_fmt_go_duration(int64_t ns, char buf[64])
{
	char f[16];
	const char *neg = ns < 0 ? "-" : "";
	if (ns < 0)
		ns = -ns;
	if (ns == 0) {
		snprintf(buf, 64, "0s");
	} else if (ns < 1000) {
		snprintf(buf, 64, "%s%lldns", neg, (long long)ns);
	} else if (ns < 1000000) {
		frac(f, sizeof(f), ns % 1000, 3);
		snprintf(buf, 64, "%s%lld%sµs", neg, (long long)(ns / 1000), f);
	} else if (ns < 1000000000LL) {
		frac(f, sizeof(f), ns % 1000000, 6);
		snprintf(buf, 64, "%s%lld%sms", neg, (long long)(ns / 1000000), f);
	} else {
		int64_t s = ns / 1000000000LL, h = s / 3600, m = (s / 60) % 60;
		frac(f, sizeof(f), ns % 1000000000LL, 9);
		if (h > 0)
			snprintf(buf, 64, "%s%lldh%lldm%lld%ss", neg, (long long)h, (long long)m, (long long)(s % 60),
				 f);
		else if (m > 0)
			snprintf(buf, 64, "%s%lldm%lld%ss", neg, (long long)m, (long long)(s % 60), f);
		else
			snprintf(buf, 64, "%s%lld%ss", neg, (long long)s, f);
	}
}

int cu_parse_duration_seconds(const char *s, double *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || isnan(v))
		return -EINVAL;
	if (*end == 0 || STREQ(end, "s"))
		;
	else if (STREQ(end, "ms"))
		v /= 1000;
	else if (STREQ(end, "m"))
		v *= 60;
	else if (STREQ(end, "h"))
		v *= 3600;
	else
		return -EINVAL;
	*ret = v;
	return 0;
}

int cu_parse_size(const char *s, int64_t *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || isnan(v))
		return -EINVAL;
	double mul = 1;
	switch (tolower((unsigned char)*end)) {
	case 0:
		break;
	case 'b':
		end++;
		break;
	case 'k':
		mul = 1024.0, end++;
		break;
	case 'm':
		mul = 1024.0 * 1024, end++;
		break;
	case 'g':
		mul = 1024.0 * 1024 * 1024, end++;
		break;
	case 't':
		mul = 1024.0 * 1024 * 1024 * 1024, end++;
		break;
	default:
		return -EINVAL;
	}
	if (mul > 1 && (strcasecmp(end, "b") == 0 || strcasecmp(end, "ib") == 0))
		end += strlen(end);
	if (*end)
		return -EINVAL;
	v *= mul;
	if (v > 9.2e18)
		return -ERANGE;
	*ret = (int64_t)v;
	return 0;
}

/* ---- signals ---- */

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},	      {"QUIT", SIGQUIT}, {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT}, {"IOT", SIGIOT},	      {"BUS", SIGBUS},	 {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},     {"USR2", SIGUSR2}, {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"POLL", SIGPOLL}, {"PWR", SIGPWR},	      {"SYS", SIGSYS},
};

int cu_signal_parse(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (end != s && *end == 0)
		return n > 0 && n < 65 ? (int)n : -EINVAL;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ELEMENTSOF(signals); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	/* RTMIN, RTMIN+N, RTMAX-N, RTMAX: N a plain number, the result in SIGRTMIN..SIGRTMAX. */
	bool rtmin = strncasecmp(s, "RTMIN", 5) == 0, rtmax = strncasecmp(s, "RTMAX", 5) == 0;
	if (rtmin || rtmax) {
		long k = 0;
		if (s[5]) {
			if (s[5] != (rtmin ? '+' : '-') || s[6] < '0' || s[6] > '9')
				return -EINVAL;
			errno = 0;
			k = strtol(s + 6, &end, 10);
			if (*end || errno || k > SIGRTMAX - SIGRTMIN)
				return -EINVAL;
		}
		return rtmin ? SIGRTMIN + (int)k : SIGRTMAX - (int)k;
	}
	return -EINVAL;
}

const char *cu_signal_name(int sig)
{
	static char buf[32]; /* "SIGRTMIN+" and an int */
	for (size_t i = 0; i < ELEMENTSOF(signals); i++)
		if (signals[i].sig == sig) {
			snprintf(buf, sizeof(buf), "SIG%s", signals[i].name);
			return buf;
		}
	/* Real-time signals as kill -l names them, so that cu_signal_parse() reads them back. */
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		int lo = sig - SIGRTMIN, hi = SIGRTMAX - sig;
		if (lo == 0)
			snprintf(buf, sizeof(buf), "SIGRTMIN");
		else if (hi == 0)
			snprintf(buf, sizeof(buf), "SIGRTMAX");
		else if (lo <= hi)
			snprintf(buf, sizeof(buf), "SIGRTMIN+%d", lo);
		else
			snprintf(buf, sizeof(buf), "SIGRTMAX-%d", hi);
		return buf;
	}
	return NULL;
}
