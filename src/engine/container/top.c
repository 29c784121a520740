/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "top.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "engine/container/user.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "runtime/caps.h"

struct idmap_line {
	uint32_t inside, outside, count;
};

struct proc_info {
	pid_t hpid, hppid;
	pid_t nspid, nsppid, nspgid;
	char state;
	char comm[64];
	char *cmdline;
	unsigned uid[2], gid[2]; /* real, effective (host view) */
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int seccomp;
	long nice;
	unsigned long long utime, stime, starttime, vsize;
	long rss_kb;
	unsigned tty_nr;
	char label[256];
};

struct top_ctx {
	int rootfd; /* the container's root, for passwd/group */
	struct idmap_line umap[16], gmap[16];
	size_t n_umap, n_gmap;
	long ticks, page_kb;
	double boot_time; /* seconds since the epoch */
	struct proc_info *procs;
	size_t n_procs;
};

typedef char *(*desc_fn)(const struct top_ctx *c, const struct proc_info *p);

/* ---- /proc reading ---- */

static size_t read_map(pid_t pid, const char *file, struct idmap_line *out, size_t max)
{
	char path[64];
	cleanup_free char *d = NULL;
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (fs_read_file_at(AT_FDCWD, path, 65536, &d, NULL) < 0)
		return 0;
	size_t n = 0;
	char *save = NULL;
	for (char *l = strtok_r(d, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save))
		if (sscanf(l, "%u %u %u", &out[n].inside, &out[n].outside, &out[n].count) == 3)
			n++;
	return n;
}

/* Host id -> the id the container sees (its user namespace's view); -1 if unmapped. */
static long long to_inside(const struct idmap_line *m, size_t n, unsigned id)
{
	if (n == 0)
		return id;
	for (size_t i = 0; i < n; i++)
		if (id >= m[i].outside && (uint64_t)id < (uint64_t)m[i].outside + m[i].count)
			return (long long)m[i].inside + (id - m[i].outside);
	return -1;
}

static int read_stat(pid_t pid, struct proc_info *p)
{
	char path[64];
	cleanup_free char *d = NULL;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (fs_read_file_at(AT_FDCWD, path, 4096, &d, NULL) < 0)
		return -ESRCH;
	char *open = strchr(d, '('), *close = strrchr(d, ')');
	if (!open || !close || close < open)
		return -EBADMSG;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close - open - 1), open + 1);
	char *f[64] = {0};
	int n = 0;
	char *save = NULL;
	for (char *t = strtok_r(close + 2, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
		f[n++] = t;
	/* f[0] is field 3 (state). */
	if (n < 22)
		return -EBADMSG;
	p->state = f[0][0];
	p->hppid = (pid_t)atoi(f[1]);
	p->tty_nr = (unsigned)strtoul(f[4], NULL, 10);
	p->utime = strtoull(f[11], NULL, 10);
	p->stime = strtoull(f[12], NULL, 10);
	p->nice = strtol(f[16], NULL, 10);
	p->starttime = strtoull(f[19], NULL, 10);
	p->vsize = strtoull(f[20], NULL, 10);
	return 0;
}

static void read_status(pid_t pid, struct proc_info *p)
{
	char path[64];
	cleanup_free char *d = NULL;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (fs_read_file_at(AT_FDCWD, path, 65536, &d, NULL) < 0)
		return;
	char *save = NULL;
	for (char *l = strtok_r(d, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned a, b;
		if (sscanf(l, "Uid: %u %u", &a, &b) == 2) {
			p->uid[0] = a;
			p->uid[1] = b;
		} else if (sscanf(l, "Gid: %u %u", &a, &b) == 2) {
			p->gid[0] = a;
			p->gid[1] = b;
		} else if (strncmp(l, "NSpid:", 6) == 0) {
			char *last = strrchr(l, '\t');
			if (!last)
				last = strrchr(l, ' ');
			p->nspid = last ? (pid_t)atoi(last + 1) : 0;
		} else if (strncmp(l, "NSpgid:", 7) == 0) {
			char *last = strrchr(l, '\t');
			p->nspgid = last ? (pid_t)atoi(last + 1) : 0;
		} else if (strncmp(l, "CapInh:", 7) == 0) {
			p->cap_inh = strtoull(l + 7, NULL, 16);
		} else if (strncmp(l, "CapPrm:", 7) == 0) {
			p->cap_prm = strtoull(l + 7, NULL, 16);
		} else if (strncmp(l, "CapEff:", 7) == 0) {
			p->cap_eff = strtoull(l + 7, NULL, 16);
		} else if (strncmp(l, "CapBnd:", 7) == 0) {
			p->cap_bnd = strtoull(l + 7, NULL, 16);
		} else if (strncmp(l, "CapAmb:", 7) == 0) {
			p->cap_amb = strtoull(l + 7, NULL, 16);
		} else if (strncmp(l, "Seccomp:", 8) == 0) {
			p->seccomp = atoi(l + 8);
		} else if (strncmp(l, "VmRSS:", 6) == 0) {
			p->rss_kb = strtol(l + 6, NULL, 10);
		}
	}
}

static char *read_cmdline(pid_t pid)
{
	char path[64];
	char *d = NULL;
	size_t len = 0;
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (fs_read_file_at(AT_FDCWD, path, 1u << 20, &d, &len) < 0)
		return NULL;
	while (len > 0 && d[len - 1] == 0)
		len--;
	for (size_t i = 0; i < len; i++)
		if (d[i] == 0)
			d[i] = ' ';
	d[len] = 0;
	return d;
}

static void read_label(pid_t pid, struct proc_info *p)
{
	char path[64];
	cleanup_free char *d = NULL;
	snprintf(path, sizeof(path), "/proc/%d/attr/current", (int)pid);
	if (fs_read_file_at(AT_FDCWD, path, 4096, &d, NULL) == 0) {
		d[strcspn(d, "\n")] = 0;
		snprintf(p->label, sizeof(p->label), "%s", d);
	}
	if (!p->label[0])
		snprintf(p->label, sizeof(p->label), "-");
}

static bool same_pidns(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

/* ---- descriptors ---- */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static char *id_name(const struct top_ctx *c, unsigned host_id, bool group)
{
	long long in = to_inside(group ? c->gmap : c->umap, group ? c->n_gmap : c->n_umap, host_id);
	if (in < 0)
		return fmt("%u", host_id);
	char *n = c->rootfd >= 0 ? ctr_user_name_of(c->rootfd, (unsigned)in, group) : NULL;
	return n ? n : fmt("%lld", in);
}

static char *d_user(const struct top_ctx *c, const struct proc_info *p)
{
	return id_name(c, p->uid[1], false);
}
static char *d_ruser(const struct top_ctx *c, const struct proc_info *p)
{
	return id_name(c, p->uid[0], false);
}
static char *d_group(const struct top_ctx *c, const struct proc_info *p)
{
	return id_name(c, p->gid[1], true);
}
static char *d_rgroup(const struct top_ctx *c, const struct proc_info *p)
{
	return id_name(c, p->gid[0], true);
}
static char *d_uid(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%lld", to_inside(c->umap, c->n_umap, p->uid[1]));
}
static char *d_huser(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%u", p->uid[1]);
}
static char *d_hgroup(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%u", p->gid[1]);
}
static char *d_pid(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%d", (int)p->nspid);
}
static char *d_hpid(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%d", (int)p->hpid);
}
static char *d_pgid(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%d", (int)p->nspgid);
}
static char *d_ppid(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%d", (int)p->nsppid);
}
static char *d_comm(const struct top_ctx *c, const struct proc_info *p)
{
	return strdup(p->comm);
}
static char *d_args(const struct top_ctx *c, const struct proc_info *p)
{
	return p->cmdline && *p->cmdline ? strdup(p->cmdline) : fmt("[%s]", p->comm);
}
static char *d_nice(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%ld", p->nice);
}
static char *d_state(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%c", p->state);
}
static char *d_vsz(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%llu", p->vsize / 1024);
}
static char *d_rss(const struct top_ctx *c, const struct proc_info *p)
{
	return fmt("%ld", p->rss_kb);
}
static char *d_label(const struct top_ctx *c, const struct proc_info *p)
{
	return strdup(p->label);
}
static char *d_seccomp(const struct top_ctx *c, const struct proc_info *p)
{
	return strdup(p->seccomp == 0 ? "disabled" : p->seccomp == 1 ? "strict" : p->seccomp == 2 ? "filter" : "?");
}

static double elapsed_s(const struct top_ctx *c, const struct proc_info *p)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double start = c->boot_time + (double)p->starttime / (double)c->ticks;
	double e = (double)ts.tv_sec + ts.tv_nsec / 1e9 - start;
	return e > 0 ? e : 0;
}

static char *d_etime(const struct top_ctx *c, const struct proc_info *p)
{
	char b[64];
	cu_fmt_go_duration((int64_t)(elapsed_s(c, p) * 1e9), b);
	return strdup(b);
}

static char *d_time(const struct top_ctx *c, const struct proc_info *p)
{
	char b[64];
	/* Whole ticks: Go prints the CPU time psgo computes from them the same way. */
	int64_t ns = (int64_t)((p->utime + p->stime) * (1000000000LL / c->ticks));
	cu_fmt_go_duration(ns, b);
	return strdup(b);
}

static char *d_pcpu(const struct top_ctx *c, const struct proc_info *p)
{
	double e = elapsed_s(c, p);
	double cpu = (double)(p->utime + p->stime) / (double)c->ticks;
	return fmt("%.3f", e > 0 ? 100.0 * cpu / e : 0.0);
}

static char *d_stime(const struct top_ctx *c, const struct proc_info *p)
{
	time_t t = (time_t)(c->boot_time + (double)p->starttime / (double)c->ticks);
	struct tm tm;
	char b[64];
	localtime_r(&t, &tm);
	strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	return strdup(b);
}

static char *d_tty(const struct top_ctx *c, const struct proc_info *p)
{
	if (p->tty_nr == 0)
		return strdup("?");
	unsigned maj = major(p->tty_nr), min = minor(p->tty_nr);
	if (maj >= 136 && maj <= 143)
		return fmt("pts/%u", (maj - 136) * 256 + min);
	if (maj == 4)
		return fmt("tty%u", min);
	if (maj == 5 && min == 1)
		return strdup("console");
	return fmt("%u:%u", maj, min);
}

static char *caps_text(uint64_t mask)
{
	int last = caps_last_cap();
	uint64_t full = last >= 63 ? UINT64_MAX : ((1ULL << (last + 1)) - 1);
	if (mask == full)
		return strdup("full");
	if (mask == 0)
		return strdup("none");
	cleanup_strv char **names = calloc(1, sizeof(char *));
	for (int i = 0; names && i < 64; i++)
		if (mask & (1ULL << i)) {
			const char *n = caps_to_name(i);
			char num[16];
			snprintf(num, sizeof(num), "%d", i);
			cu_strv_append(&names, n ? n + 4 : num);
		}
	/* psgo sorts the names. */
	size_t k = cu_strv_length(names);
	for (size_t i = 1; i < k; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	return cu_strv_join(names, ",");
}

static char *d_capeff(const struct top_ctx *c, const struct proc_info *p)
{
	return caps_text(p->cap_eff);
}
static char *d_capprm(const struct top_ctx *c, const struct proc_info *p)
{
	return caps_text(p->cap_prm);
}
static char *d_capbnd(const struct top_ctx *c, const struct proc_info *p)
{
	return caps_text(p->cap_bnd);
}
static char *d_capinh(const struct top_ctx *c, const struct proc_info *p)
{
	return caps_text(p->cap_inh);
}
static char *d_capamb(const struct top_ctx *c, const struct proc_info *p)
{
	return caps_text(p->cap_amb);
}

static const struct {
	const char *code, *name, *header;
	desc_fn fn;
} descs[] = {
    {"%C", "pcpu", "%CPU", d_pcpu},
    {"%G", "group", "GROUP", d_group},
    {"%P", "ppid", "PPID", d_ppid},
    {"%U", "user", "USER", d_user},
    {NULL, "uid", "UID", d_uid},
    {"%a", "args", "COMMAND", d_args},
    {"%c", "comm", "COMMAND", d_comm},
    {"%g", "rgroup", "RGROUP", d_rgroup},
    {"%n", "nice", "NI", d_nice},
    {"%p", "pid", "PID", d_pid},
    {"%r", "pgid", "PGID", d_pgid},
    {"%t", "etime", "ELAPSED", d_etime},
    {"%u", "ruser", "RUSER", d_ruser},
    {"%x", "time", "TIME", d_time},
    {"%y", "tty", "TTY", d_tty},
    {"%z", "vsz", "VSZ", d_vsz},
    {NULL, "capamb", "AMBIENT CAPS", d_capamb},
    {NULL, "capinh", "INHERITED CAPS", d_capinh},
    {NULL, "capprm", "PERMITTED CAPS", d_capprm},
    {NULL, "capeff", "EFFECTIVE CAPS", d_capeff},
    {NULL, "capbnd", "BOUNDING CAPS", d_capbnd},
    {NULL, "seccomp", "SECCOMP", d_seccomp},
    {NULL, "label", "LABEL", d_label},
    {NULL, "hpid", "HPID", d_hpid},
    {NULL, "huser", "HUSER", d_huser},
    {NULL, "huid", "HUID", d_huser},
    {NULL, "hgroup", "HGROUP", d_hgroup},
    {NULL, "rss", "RSS", d_rss},
    {NULL, "state", "STATE", d_state},
    {NULL, "stime", "STIME", d_stime},
};

static const char *const default_descs[] = {"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args", NULL};

static int find_desc(const char *d)
{
	for (size_t i = 0; i < ELEMENTSOF(descs); i++)
		if ((descs[i].code && STREQ(d, descs[i].code)) || STREQ(d, descs[i].name))
			return (int)i;
	return -1;
}

/* ---- collection ---- */

static double boot_time(void)
{
	cleanup_free char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, "/proc/stat", 1u << 20, &d, NULL) == 0) {
		char *b = strstr(d, "\nbtime ");
		if (b)
			return strtod(b + 7, NULL);
	}
	struct timespec rt, mono;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &mono);
	return (double)rt.tv_sec - (double)mono.tv_sec;
}

void ctr_top_free(struct ctr_top *t)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		for (size_t c = 0; t->rows[r] && c < t->n_cols; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	free(t->rows);
	*t = (struct ctr_top){0};
}

static int by_nspid(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;
	return (x->nspid > y->nspid) - (x->nspid < y->nspid);
}

int ctr_top_collect(pid_t init_pid, char *const *descriptors, struct ctr_top *ret)
{
	/* Descriptors may also come as one comma- or space-separated word (podman accepts both). */
	cleanup_strv char **want = calloc(1, sizeof(char *));
	for (size_t i = 0; want && descriptors && descriptors[i]; i++) {
		cleanup_free char *w = strdup(descriptors[i]);
		char *save = NULL;
		for (char *t = w ? strtok_r(w, ", ", &save) : NULL; t; t = strtok_r(NULL, ", ", &save))
			cu_strv_append(&want, t);
	}
	if (!want)
		return -ENOMEM;
	if (!want[0])
		for (size_t i = 0; default_descs[i]; i++)
			cu_strv_append(&want, default_descs[i]);
	size_t nd = cu_strv_length(want);
	int *idx = calloc(nd, sizeof(int));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < nd; i++) {
		idx[i] = find_desc(want[i]);
		if (idx[i] < 0) {
			free(idx);
			return log_error_errno(
			    -EINVAL,
			    "'%s': unknown descriptor (known: pid ppid pgid hpid user ruser uid group rgroup "
			    "huser hgroup args comm etime time stime tty nice vsz rss state pcpu label "
			    "seccomp capeff capprm capbnd capinh capamb)",
			    want[i]);
		}
	}

	struct top_ctx c = {.rootfd = -1, .ticks = sysconf(_SC_CLK_TCK), .boot_time = boot_time()};
	char path[64];
	struct stat ns;
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)init_pid);
	if (stat(path, &ns) < 0) {
		free(idx);
		return log_error_errno(-errno, "cannot read the pid namespace of the container's init %d: %m",
				       (int)init_pid);
	}
	snprintf(path, sizeof(path), "/proc/%d/root", (int)init_pid);
	c.rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	c.n_umap = read_map(init_pid, "uid_map", c.umap, ELEMENTSOF(c.umap));
	c.n_gmap = read_map(init_pid, "gid_map", c.gmap, ELEMENTSOF(c.gmap));

	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		if (!same_pidns(pid, &ns))
			continue;
		struct proc_info *np = realloc(c.procs, (c.n_procs + 1) * sizeof(*np));
		if (!np)
			break;
		c.procs = np;
		struct proc_info *p = &c.procs[c.n_procs];
		*p = (struct proc_info){.hpid = pid};
		if (read_stat(pid, p) < 0)
			continue;
		read_status(pid, p);
		read_label(pid, p);
		p->cmdline = read_cmdline(pid);
		c.n_procs++;
	}
	if (d)
		closedir(d);
	/* Parent pids as the container sees them (0 for the init, whose parent is outside). */
	for (size_t i = 0; i < c.n_procs; i++) {
		c.procs[i].nsppid = 0;
		for (size_t k = 0; k < c.n_procs; k++)
			if (c.procs[k].hpid == c.procs[i].hppid)
				c.procs[i].nsppid = c.procs[k].nspid;
	}
	qsort(c.procs, c.n_procs, sizeof(*c.procs), by_nspid);

	struct ctr_top t = {.n_cols = nd, .n_rows = c.n_procs + 1};
	t.rows = calloc(t.n_rows, sizeof(char **));
	for (size_t r = 0; t.rows && r < t.n_rows; r++) {
		t.rows[r] = calloc(nd, sizeof(char *));
		for (size_t k = 0; t.rows[r] && k < nd; k++)
			t.rows[r][k] = r == 0 ? strdup(descs[idx[k]].header) : descs[idx[k]].fn(&c, &c.procs[r - 1]);
	}
	for (size_t i = 0; i < c.n_procs; i++)
		free(c.procs[i].cmdline);
	free(c.procs);
	free(idx);
	safe_close(c.rootfd);
	if (!t.rows)
		return -ENOMEM;
	*ret = t;
	return 0;
}
