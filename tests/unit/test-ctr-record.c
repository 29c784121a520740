/* SPDX-License-Identifier: GPL-2.0-or-later */
/* engine/container/record.c on a scratch store (no root needed): the JSON round trip of
 * every field, the atomic replacement of container.json, corrupt and missing records,
 * listing and lookup (name, ID, prefix, ambiguity), names and IDs, and the derived status:
 * a record is only "running" while its pid is alive with the recorded start time in the
 * recorded boot (a reused pid, a zombie or "ps after a reboot" are exited). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "tap.h"

static char tmp[PATH_MAX];
static struct store st = {.rootfd = -EBADF, .lockfd = -EBADF, .tmpfd = -EBADF};

/* A fresh, empty store directory. The record code only uses root and rootfd. */
static struct store *setup(void)
{
	if (st.rootfd >= 0)
		close(st.rootfd);
	if (tmp[0])
		fs_rm_rf(tmp);
	snprintf(tmp, sizeof(tmp), "/tmp/kk-ctr-record-XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	st.root = tmp;
	st.rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st.rootfd < 0)
		abort();
	return &st;
}

static void mkid(char id[CTR_ID_LEN + 1], char c)
{
	memset(id, c, CTR_ID_LEN);
	id[CTR_ID_LEN] = 0;
}

/* Makes containers/ID/ (what create does before the first save). */
static void mkdir_ctr(struct store *s, const char *id)
{
	cleanup_free char *p = ctr_path(s, id, NULL);
	CHECK(p && fs_mkdir_p(p, 0700) == 0);
}

static char **strv(const char *a, const char *b)
{
	char **v = calloc(1, sizeof(char *));
	if (a)
		cu_strv_append(&v, a);
	if (b)
		cu_strv_append(&v, b);
	return v;
}

/* Every field set to something other than its zero value. */
static struct ctr_record *full_record(const char *id)
{
	struct ctr_record *r = calloc(1, sizeof(*r));
	r->id = strdup(id);
	r->name = strdup("web_1");
	r->image = strdup("docker.io/library/busybox:latest");
	r->image_id = strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	r->image_name = strdup("docker.io/library/busybox:latest");
	r->command = strv("/bin/sh", "-c \"echo hi\" \\ / ünïcode\n\ttab");
	r->created = 1714564800123456789LL;
	r->state = CTR_EXITED;
	r->pid = 4242;
	r->pid_start = 1ull << 40;
	r->monitor_pid = 4241;
	r->monitor_start = 987654321;
	r->started_at = 1714564801000000001LL;
	r->finished_at = 1714564802000000002LL;
	r->exit_code = -1;
	r->error = strdup("exec: \"nope\": executable file not found in $PATH");
	r->boot_id = strdup("8d3a5b1c-1111-2222-3333-444455556666");
	r->restart_count = 7;
	r->auto_remove = r->tty = r->stdin_open = r->privileged = r->rootless = r->read_only = true;
	r->runtime = strdup("/usr/bin/crun");
	r->runtime_root = strdup("/run/kakuri-engine/abc/runtime");
	r->user = strdup("app:audio");
	r->group_add = strv("wheel", "777");
	r->caps_nonroot = strv("CAP_NET_ADMIN", NULL);
	r->userns = strdup("keep-id");
	r->network = strdup("host");
	r->hostname = strdup("myhost");
	r->stop_signal = strdup("SIGQUIT");
	r->stop_timeout = 33;
	r->log_size_max = 1ll << 33;
	r->home_set = true;
	return r;
}

static void check_strv_eq(char *const *a, char *const *b)
{
	cleanup_free char *x = cu_strv_join(a, "|"), *y = cu_strv_join(b, "|");
	CHECK_STREQ(x, y);
	CHECK(cu_strv_length(a) == cu_strv_length(b));
}

/* Equal strings, or both NULL. */
#define CHECK_STR_OR_NULL(a, b)                                                                                        \
	do {                                                                                                           \
		const char *x_ = (a), *y_ = (b);                                                                       \
		if (x_ || y_)                                                                                          \
			CHECK_STREQ(x_, y_);                                                                           \
	} while (0)

static void check_same(const struct ctr_record *a, const struct ctr_record *b)
{
	CHECK_STR_OR_NULL(a->id, b->id);
	CHECK_STR_OR_NULL(a->name, b->name);
	CHECK_STR_OR_NULL(a->image, b->image);
	CHECK_STR_OR_NULL(a->image_id, b->image_id);
	CHECK_STR_OR_NULL(a->image_name, b->image_name);
	check_strv_eq(a->command, b->command);
	CHECK(a->created == b->created);
	CHECK(a->state == b->state);
	CHECK(a->pid == b->pid);
	CHECK(a->pid_start == b->pid_start);
	CHECK(a->monitor_pid == b->monitor_pid);
	CHECK(a->monitor_start == b->monitor_start);
	CHECK(a->started_at == b->started_at);
	CHECK(a->finished_at == b->finished_at);
	CHECK(a->exit_code == b->exit_code);
	CHECK_STR_OR_NULL(a->error, b->error);
	CHECK_STR_OR_NULL(a->boot_id, b->boot_id);
	CHECK(a->restart_count == b->restart_count);
	CHECK(a->auto_remove == b->auto_remove);
	CHECK(a->tty == b->tty);
	CHECK(a->stdin_open == b->stdin_open);
	CHECK(a->privileged == b->privileged);
	CHECK(a->rootless == b->rootless);
	CHECK(a->read_only == b->read_only);
	CHECK_STR_OR_NULL(a->runtime, b->runtime);
	CHECK_STR_OR_NULL(a->runtime_root, b->runtime_root);
	CHECK_STR_OR_NULL(a->user, b->user);
	check_strv_eq(a->group_add, b->group_add);
	check_strv_eq(a->caps_nonroot, b->caps_nonroot);
	CHECK_STR_OR_NULL(a->userns, b->userns);
	CHECK_STR_OR_NULL(a->network, b->network);
	CHECK_STR_OR_NULL(a->hostname, b->hostname);
	CHECK_STR_OR_NULL(a->stop_signal, b->stop_signal);
	CHECK(a->stop_timeout == b->stop_timeout);
	CHECK(a->log_size_max == b->log_size_max);
	CHECK(a->home_set == b->home_set);
}

TEST(every_field_round_trips)
{
	struct store *s = setup();
	char id[CTR_ID_LEN + 1];
	mkid(id, 'a');
	mkdir_ctr(s, id);
	cleanup_ctr_record struct ctr_record *r = full_record(id);
	CHECK(ctr_record_save(s, r) == 0);
	cleanup_ctr_record struct ctr_record *back = NULL;
	CHECK(ctr_record_load(s, id, &back) == 0);
	if (back)
		check_same(r, back);
	/* Every state name survives too. */
	for (int state = CTR_CREATED; state <= CTR_REMOVING; state++) {
		r->state = (enum ctr_state)state;
		CHECK(ctr_record_save(s, r) == 0);
		cleanup_ctr_record struct ctr_record *b2 = NULL;
		CHECK(ctr_record_load(s, id, &b2) == 0);
		CHECK(b2 && b2->state == (enum ctr_state)state);
	}
}

/* The zero record (only id and name set): optional strings stay NULL, not "". */
TEST(zero_fields_round_trip)
{
	struct store *s = setup();
	char id[CTR_ID_LEN + 1];
	mkid(id, 'b');
	mkdir_ctr(s, id);
	struct ctr_record r = {.id = id, .name = "n"};
	CHECK(ctr_record_save(s, &r) == 0);
	cleanup_ctr_record struct ctr_record *back = NULL;
	CHECK(ctr_record_load(s, id, &back) == 0);
	if (!back)
		return;
	check_same(&r, back);
	CHECK(back->image == NULL && back->error == NULL && back->boot_id == NULL && back->user == NULL);
	/* Absent arrays come back as empty vectors ("[]" in the file). */
	CHECK(back->command && !back->command[0]);
}

TEST(json_names_every_field)
{
	char id[CTR_ID_LEN + 1];
	mkid(id, 'c');
	cleanup_ctr_record struct ctr_record *r = full_record(id);
	cleanup_free char *j = ctr_record_to_json(r);
	CHECK(j != NULL);
	static const char *const keys[] = {
	    "\"id\"",		"\"name\"",	     "\"image\"",	  "\"image_id\"",     "\"image_name\"",
	    "\"command\"",	"\"created\"",	     "\"state\"",	  "\"pid\"",	      "\"pid_start\"",
	    "\"monitor_pid\"",	"\"monitor_start\"", "\"started_at\"",	  "\"finished_at\"",  "\"exit_code\"",
	    "\"error\"",	"\"boot_id\"",	     "\"restart_count\"", "\"auto_remove\"",  "\"tty\"",
	    "\"stdin_open\"",	"\"privileged\"",    "\"rootless\"",	  "\"read_only\"",    "\"runtime\"",
	    "\"runtime_root\"", "\"user\"",	     "\"caps_nonroot\"",  "\"group_add\"",    "\"userns\"",
	    "\"network\"",	"\"hostname\"",	     "\"stop_signal\"",	  "\"stop_timeout\"", "\"log_size_max\"",
	    "\"home_set\"",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		CHECK_CONTAINS(j, keys[i]);
	CHECK_CONTAINS(j, "\"exited\"");
}

static void write_raw(struct store *s, const char *id, const char *text)
{
	cleanup_free char *p = ctr_path(s, id, "container.json");
	mkdir_ctr(s, id);
	CHECK(p && fs_write_atomic(p, text, strlen(text), 0600) == 0);
}

TEST(corrupt_and_missing_records)
{
	struct store *s = setup();
	char id[CTR_ID_LEN + 1];
	struct ctr_record *r = (struct ctr_record *)0x1;
	mkid(id, 'd');
	CHECK(ctr_record_load(s, id, &r) == -ENOENT);
	write_raw(s, id, "{ not json");
	CHECK(ctr_record_load(s, id, &r) == -EBADMSG);
	write_raw(s, id, "[1,2]");
	CHECK(ctr_record_load(s, id, &r) == -EBADMSG);
	write_raw(s, id, "{\"id\":\"abc\",\"name\":\"x\"}"); /* short id */
	CHECK(ctr_record_load(s, id, &r) == -EBADMSG);
	char text[256];
	snprintf(text, sizeof(text), "{\"id\":\"%s\"}", id); /* no name */
	write_raw(s, id, text);
	CHECK(ctr_record_load(s, id, &r) == -EBADMSG);
	write_raw(s, id, "");
	CHECK(ctr_record_load(s, id, &r) == -EBADMSG);
	/* A valid record in the wrong directory (another container's, copied). */
	char other[CTR_ID_LEN + 1];
	mkid(other, 'e');
	snprintf(text, sizeof(text), "{\"id\":\"%s\",\"name\":\"x\"}", other);
	write_raw(s, id, text);
	CHECK(ctr_record_load(s, id, &r) == -EBADMSG);
	CHECK(r == (struct ctr_record *)0x1);
	/* Wrong types and an unknown state: defaults, not a crash. */
	snprintf(text, sizeof(text),
		 "{\"id\":\"%s\",\"name\":\"x\",\"state\":\"flying\",\"command\":\"sh\",\"tty\":\"yes\",\"user\":5}",
		 id);
	write_raw(s, id, text);
	cleanup_ctr_record struct ctr_record *ok = NULL;
	CHECK(ctr_record_load(s, id, &ok) == 0);
	CHECK(ok && ok->state == CTR_CREATED && ok->command == NULL && ok->user == NULL);
}

/* container.json is replaced by rename: a reader that opened the old one reads it whole,
 * the path shows the new one, no temporary file is left, the file is 0600. */
TEST(save_replaces_the_file_atomically)
{
	struct store *s = setup();
	char id[CTR_ID_LEN + 1];
	mkid(id, 'e');
	mkdir_ctr(s, id);
	cleanup_ctr_record struct ctr_record *r = full_record(id);
	CHECK(ctr_record_save(s, r) == 0);
	cleanup_free char *path = ctr_path(s, id, "container.json");
	cleanup_close int old = open(path, O_RDONLY | O_CLOEXEC);
	struct stat a, b;
	CHECK(old >= 0 && fstat(old, &a) == 0);
	CHECK((a.st_mode & 07777) == 0600);
	free(r->name);
	r->name = strdup("renamed");
	CHECK(ctr_record_save(s, r) == 0);
	CHECK(stat(path, &b) == 0 && a.st_ino != b.st_ino);
	char buf[16384];
	ssize_t n = pread(old, buf, sizeof(buf) - 1, 0);
	CHECK(n > 0);
	buf[n > 0 ? n : 0] = 0;
	CHECK_CONTAINS(buf, "\"web_1\"");
	CHECK(strstr(buf, "renamed") == NULL);
	cleanup_ctr_record struct ctr_record *back = NULL;
	CHECK(ctr_record_load(s, id, &back) == 0);
	CHECK(back && STREQ(back->name, "renamed"));
	cleanup_free char *dir = ctr_path(s, id, NULL);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fdopendir(dup(dfd));
	int entries = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.') {
			entries++;
			CHECK_STREQ(e->d_name, "container.json");
		}
	if (d)
		closedir(d);
	CHECK(entries == 1);
	/* Saving a container whose directory is gone fails and creates nothing. */
	char gone[CTR_ID_LEN + 1];
	mkid(gone, 'f');
	free(r->id);
	r->id = strdup(gone);
	CHECK(ctr_record_save(s, r) == -ENOENT);
	cleanup_free char *gp = ctr_path(s, gone, NULL);
	CHECK(access(gp, F_OK) < 0 && errno == ENOENT);
}

static void save_simple(struct store *s, const char *id, const char *name, int64_t created)
{
	mkdir_ctr(s, id);
	struct ctr_record r = {.id = (char *)id, .name = (char *)name, .created = created};
	CHECK(ctr_record_save(s, &r) == 0);
}

TEST(list_is_newest_first_and_skips_junk)
{
	struct store *s = setup();
	char a[CTR_ID_LEN + 1], b[CTR_ID_LEN + 1], c[CTR_ID_LEN + 1], d[CTR_ID_LEN + 1];
	mkid(a, '1');
	mkid(b, '2');
	mkid(c, '3');
	mkid(d, '4');
	save_simple(s, a, "old", 100);
	save_simple(s, b, "new", 300);
	save_simple(s, c, "mid", 200);
	write_raw(s, d, "garbage"); /* unreadable: skipped with a warning */
	cleanup_free char *half = ctr_path(s, "5555555555555555555555555555555555555555555555555555555555555555", NULL);
	CHECK(fs_mkdir_p(half, 0700) == 0); /* being created: no record yet */
	cleanup_free char *other = ctr_path(s, "not-an-id", NULL);
	CHECK(fs_mkdir_p(other, 0700) == 0);
	struct ctr_record **v = NULL;
	size_t n = 0;
	CHECK(ctr_list(s, &v, &n) == 0);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STREQ(v[0]->name, "new");
		CHECK_STREQ(v[1]->name, "mid");
		CHECK_STREQ(v[2]->name, "old");
	}
	ctr_list_free(v, n);
	/* An empty store lists nothing (and makes containers/). */
	s = setup();
	CHECK(ctr_list(s, &v, &n) == 0);
	CHECK(n == 0);
	ctr_list_free(v, n);
}

TEST(lookup_by_name_id_and_prefix)
{
	struct store *s = setup();
	char a[CTR_ID_LEN + 1], b[CTR_ID_LEN + 1], c[CTR_ID_LEN + 1];
	mkid(a, 'a');
	mkid(b, 'a');
	b[CTR_ID_LEN - 1] = 'b'; /* shares a 63-digit prefix with a */
	mkid(c, 'c');
	save_simple(s, a, "alpha", 1);
	save_simple(s, b, "beta", 2);
	save_simple(s, c, "aaa", 3); /* a name that is also a prefix of a and b */
	char *id = NULL;
	CHECK(ctr_lookup(s, a, &id) == 0 && id && STREQ(id, a));
	free(id);
	id = NULL;
	CHECK(ctr_lookup(s, "beta", &id) == 0 && id && STREQ(id, b));
	free(id);
	id = NULL;
	CHECK(ctr_lookup(s, "c", &id) == 0 && id && STREQ(id, c));
	free(id);
	id = NULL;
	/* An exact name beats an ID prefix. */
	CHECK(ctr_lookup(s, "aaa", &id) == 0 && id && STREQ(id, c));
	free(id);
	id = NULL;
	CHECK(ctr_lookup(s, "aaaa", &id) == -EEXIST);
	CHECK(id == NULL);
	CHECK(ctr_lookup(s, "zzz", &id) == -ENOENT);
	CHECK(ctr_lookup(s, "", &id) == -ENOENT);
	CHECK(id == NULL);
	CHECK(ctr_name_taken(s, "alpha", &id) && id && STREQ(id, a));
	free(id);
	CHECK(!ctr_name_taken(s, "gamma", NULL));
	CHECK(!ctr_name_taken(s, "alph", NULL));
}

TEST(lock_and_remove)
{
	struct store *s = setup();
	char a[CTR_ID_LEN + 1], gone[CTR_ID_LEN + 1];
	mkid(a, 'a');
	mkid(gone, '9');
	save_simple(s, a, "x", 1);
	int fd = ctr_lock(s, a);
	CHECK(fd >= 0);
	/* flock is per open file: a second open cannot take it while we hold it. */
	cleanup_free char *lp = ctr_path(s, a, "lock");
	cleanup_close int fd2 = open(lp, O_RDWR | O_CLOEXEC);
	CHECK(fd2 >= 0 && flock(fd2, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK);
	close(fd);
	CHECK(flock(fd2, LOCK_EX | LOCK_NB) == 0);
	CHECK(ctr_lock(s, gone) == -ENOENT);
	int all = ctr_lock_all(s);
	CHECK(all >= 0);
	close(all);
	CHECK(ctr_storage_remove(s, a) == 0);
	cleanup_free char *dir = ctr_path(s, a, NULL);
	CHECK(access(dir, F_OK) < 0 && errno == ENOENT);
	struct ctr_record *r = NULL;
	CHECK(ctr_record_load(s, a, &r) == -ENOENT);
	CHECK(ctr_storage_remove(s, a) == 0); /* already gone: fine */
	/* Nothing is left behind in containers/ but the lock file. */
	cleanup_free char *cd = ctr_path(s, NULL, NULL);
	DIR *d = opendir(cd);
	for (struct dirent *e; d && (e = readdir(d));)
		if (!STREQ(e->d_name, ".") && !STREQ(e->d_name, ".."))
			CHECK_STREQ(e->d_name, "containers.lock");
	if (d)
		closedir(d);
}

TEST(names_and_ids)
{
	CHECK(ctr_name_valid("a"));
	CHECK(ctr_name_valid("web_1.prod-2"));
	CHECK(ctr_name_valid("0abc"));
	CHECK(!ctr_name_valid(""));
	CHECK(!ctr_name_valid("_a"));
	CHECK(!ctr_name_valid("-a"));
	CHECK(!ctr_name_valid(".a"));
	CHECK(!ctr_name_valid("a/b"));
	CHECK(!ctr_name_valid("a b"));
	CHECK(!ctr_name_valid("a:b"));
	CHECK(!ctr_name_valid("caf\xc3\xa9"));
	char n[130];
	memset(n, 'x', sizeof(n));
	n[128] = 0;
	CHECK(ctr_name_valid(n));
	n[128] = 'x';
	n[129] = 0;
	CHECK(!ctr_name_valid(n));

	char id1[CTR_ID_LEN + 1], id2[CTR_ID_LEN + 1];
	CHECK(ctr_new_id(id1) == 0 && ctr_new_id(id2) == 0);
	CHECK(strlen(id1) == CTR_ID_LEN && strspn(id1, "0123456789abcdef") == CTR_ID_LEN);
	CHECK(!STREQ(id1, id2));
	for (int i = 0; i < 20; i++) {
		cleanup_free char *rn = ctr_random_name();
		CHECK(rn && ctr_name_valid(rn) && strchr(rn, '_'));
		CHECK(rn && strspn(rn, "abcdefghijklmnopqrstuvwxyz_") == strlen(rn));
	}
	CHECK_STREQ(ctr_status_name(CTR_STATUS_CREATED), "created");
	CHECK_STREQ(ctr_status_name(CTR_STATUS_STARTING), "starting");
	CHECK_STREQ(ctr_status_name(CTR_STATUS_RUNNING), "running");
	CHECK_STREQ(ctr_status_name(CTR_STATUS_EXITED), "exited");
	CHECK_STREQ(ctr_status_name(CTR_STATUS_REMOVING), "removing");
	CHECK_STREQ(ctr_status_name((enum ctr_status)99), "unknown");
	CHECK_STREQ(ctr_status_name((enum ctr_status) - 1), "unknown");
}

/* ---- status ---- */

static uint64_t my_start(void)
{
	uint64_t t = 0;
	CHECK(ctr_proc_start_time(getpid(), &t) == 0);
	CHECK(t > 0);
	return t;
}

TEST(boot_id_is_the_kernels)
{
	const char *b = ctr_boot_id();
	cleanup_free char *k = NULL;
	CHECK(b && strlen(b) > 0);
	if (fs_read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 128, &k, NULL) == 0) {
		k[strcspn(k, "\n")] = 0;
		CHECK_STREQ(b, k);
	}
	CHECK(ctr_boot_id() == b); /* cached */
}

TEST(running_means_same_pid_same_start_same_boot)
{
	struct ctr_record r = {
	    .state = CTR_RUNNING, .pid = getpid(), .pid_start = my_start(), .boot_id = (char *)ctr_boot_id()};
	CHECK(ctr_status(&r) == CTR_STATUS_RUNNING);
	/* A pid that was reused: the start time differs. */
	r.pid_start += 1;
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	r.pid_start = 0; /* no start time recorded: any process with the pid */
	CHECK(ctr_status(&r) == CTR_STATUS_RUNNING);
	r.pid_start = my_start();
	/* ps after a reboot: the record's boot id is another boot's. */
	r.boot_id = "00000000-0000-0000-0000-000000000000";
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	r.boot_id = NULL;
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	r.boot_id = (char *)ctr_boot_id();
	r.pid = 0;
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	r.pid = -1;
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
}

TEST(dead_and_zombie_pids_are_exited)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	CHECK(c > 0);
	uint64_t t = 0;
	CHECK(ctr_proc_start_time(c, &t) == 0);
	struct ctr_record r = {.state = CTR_RUNNING, .pid = c, .pid_start = t, .boot_id = (char *)ctr_boot_id()};
	CHECK(ctr_status(&r) == CTR_STATUS_RUNNING);
	CHECK(ctr_proc_alive(c, t));
	kill(c, SIGKILL);
	/* Not reaped yet: a zombie is not running. Wait until the kernel says so. */
	siginfo_t si;
	CHECK(waitid(P_PID, (id_t)c, &si, WEXITED | WNOWAIT) == 0);
	CHECK(!ctr_proc_alive(c, t));
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	CHECK(ctr_proc_start_time(c, &t) == 0); /* the zombie still has its stat */
	waitpid(c, NULL, 0);
	CHECK(!ctr_proc_alive(c, 0));
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	CHECK(ctr_proc_start_time(c, &t) == -ESRCH);
}

TEST(other_states_are_taken_from_the_record)
{
	struct ctr_record r = {.pid = getpid(), .pid_start = my_start(), .boot_id = (char *)ctr_boot_id()};
	r.state = CTR_CREATED;
	CHECK(ctr_status(&r) == CTR_STATUS_CREATED);
	r.state = CTR_EXITED; /* even with a live pid */
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
	r.state = CTR_REMOVING;
	CHECK(ctr_status(&r) == CTR_STATUS_REMOVING);
	r.state = (enum ctr_state)42;
	CHECK(ctr_status(&r) == CTR_STATUS_EXITED);
}

/* "starting" holds only while the monitor (pid + start time, same boot) lives. */
TEST(starting_needs_a_live_monitor)
{
	struct ctr_record r = {.state = CTR_STARTING,
			       .monitor_pid = getpid(),
			       .monitor_start = my_start(),
			       .boot_id = (char *)ctr_boot_id()};
	CHECK(ctr_monitor_alive(&r));
	CHECK(ctr_status(&r) == CTR_STATUS_STARTING);
	r.monitor_start += 1;
	CHECK(!ctr_monitor_alive(&r));
	CHECK(ctr_status(&r) == CTR_STATUS_CREATED);
	r.monitor_start -= 1;
	r.boot_id = "another-boot";
	CHECK(!ctr_monitor_alive(&r));
	CHECK(ctr_status(&r) == CTR_STATUS_CREATED);
	r.boot_id = (char *)ctr_boot_id();
	r.monitor_pid = 0;
	CHECK(!ctr_monitor_alive(&r));
	CHECK(ctr_status(&r) == CTR_STATUS_CREATED);
}

/* The comm field may hold ") " and digits: the start time is read after the last ')'. */
TEST(start_time_survives_a_hostile_comm)
{
	int go[2], done[2];
	CHECK(pipe(go) == 0 && pipe(done) == 0);
	pid_t c = fork();
	if (c == 0) {
		char ch;
		if (read(go[0], &ch, 1) != 1)
			_exit(1);
		prctl(PR_SET_NAME, "x) Z 1 2 3 (4");
		if (write(done[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	uint64_t before = 0, after = 0;
	CHECK(ctr_proc_start_time(c, &before) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	char ch;
	CHECK(read(done[0], &ch, 1) == 1);
	char p[64], comm[64] = "";
	snprintf(p, sizeof(p), "/proc/%d/comm", (int)c);
	cleanup_free char *cm = NULL;
	CHECK(fs_read_file_at(AT_FDCWD, p, 64, &cm, NULL) == 0);
	snprintf(comm, sizeof(comm), "%s", cm ? cm : "");
	CHECK_CONTAINS(comm, "x) Z 1 2");
	CHECK(ctr_proc_start_time(c, &after) == 0);
	CHECK(before == after && after > 0);
	CHECK(ctr_proc_alive(c, before)); /* "Z" in the name is not the state */
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

TEST(cleanup_scratch)
{
	if (st.rootfd >= 0)
		close(st.rootfd);
	st.rootfd = -EBADF;
	CHECK(fs_rm_rf(tmp) == 0);
}

TAP_MAIN
