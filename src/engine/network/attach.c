/* SPDX-License-Identifier: GPL-2.0-or-later */
/* net_attach/net_detach (network.h): loopback, pasta, slirp4netns and the bridge for a
 * created container's network namespace (pid's). Helpers are started as daemons that outlive
 * the monitor (a monitor killed while the container runs must not cut its network); the
 * record keeps their pid and start time so that stop/rm/crash cleanup stops exactly them. */
#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/container/record.h"
#include "engine/container/util.h"
#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"

#define HELPER_TIMEOUT_MS 10000
#define log_oom() log_error_errno(-ENOMEM, "Out of memory")

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_netns(pid_t pid)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* ---- helpers (pasta, slirp4netns) ---- */

static char *log_tail(const char *path)
{
	cleanup_free char *d = NULL;
	if (fs_read_file_at(AT_FDCWD, path, 1u << 16, &d, NULL) < 0 || !d)
		return NULL;
	size_t l = strlen(d);
	while (l > 0 && (d[l - 1] == '\n' || d[l - 1] == ' '))
		d[--l] = 0;
	for (char *p = d; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return l ? strdup(d) : NULL;
}

/* Forks and execs argv as a daemon: its own session, stdio /dev/null, stderr to log_path,
 * fds[0..n) as fds 3.., default signal dispositions and mask. */
static pid_t spawn_helper(char *const *argv, const char *log_path, const int *fds, int n)
{
	int logfd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0)
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(logfd);
		return r;
	}
	if (pid == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		setsid();
		int devnull = open("/dev/null", O_RDWR);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(logfd, 2) < 0)
			_exit(127);
		/* Above every fd we map first, so that dup2 never overwrites a source. */
		int hi[8];
		for (int i = 0; i < n && i < 8; i++)
			if ((hi[i] = fcntl(fds[i], F_DUPFD, 100)) < 0)
				_exit(127);
		for (int i = 0; i < n && i < 8; i++)
			if (dup2(hi[i], 3 + i) < 0)
				_exit(127);
		close_range(3 + (unsigned)n, ~0U, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	return pid;
}

/* Waits for pid with a deadline; its exit status, or -ETIMEDOUT (killed). */
static int wait_deadline(pid_t pid, int64_t deadline)
{
	for (;;) {
		int st;
		pid_t p = waitpid(pid, &st, WNOHANG);
		if (p == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (p < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -ETIMEDOUT;
		}
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* A watcher that stops the helper when the container's init exits: the monitor does that
 * itself, but a monitor killed while the container runs leaves the helper running (it must:
 * the container keeps its network), and nothing else would notice the container's end.
 * pidfds on both sides: neither pid can be mistaken for a reused one. Best effort. */
static void spawn_watcher(pid_t init, pid_t helper)
{
	int ipfd = (int)syscall(SYS_pidfd_open, init, 0), hpfd = (int)syscall(SYS_pidfd_open, helper, 0);
	pid_t w = ipfd >= 0 && hpfd >= 0 ? fork() : -1;
	if (w == 0) {
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		signal(SIGHUP, SIG_IGN);
		setsid();
		prctl(PR_SET_NAME, "kakuri-netwatch", 0, 0, 0);
		/* Nothing but the two pidfds (as 0 and 1): no lock, socket or pipe of the monitor. */
		if (dup2(ipfd, 0) < 0 || dup2(hpfd, 1) < 0)
			_exit(1);
		close_range(2, ~0U, 0);
		struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = 1, .events = POLLIN}};
		while (poll(p, 2, -1) < 0 && errno == EINTR)
			;
		if (p[0].revents && !p[1].revents)
			syscall(SYS_pidfd_send_signal, 1, SIGTERM, NULL, 0);
		_exit(0);
	}
	if (ipfd >= 0)
		close(ipfd);
	if (hpfd >= 0)
		close(hpfd);
}

static int helper_record(json_object *state, const char *name, pid_t pid)
{
	uint64_t start = 0;
	int r = ctr_proc_start_time(pid, &start);
	if (r < 0)
		return r;
	ju_add_str(state, "helper", name);
	json_object_object_add(state, "helper_pid", json_object_new_int(pid));
	json_object_object_add(state, "helper_start", json_object_new_uint64(start));
	return 0;
}

static void helper_stop(json_object *state)
{
	pid_t pid = (pid_t)ju_int64(state, "helper_pid");
	uint64_t start = (uint64_t)ju_int64(state, "helper_start");
	if (pid <= 0 || !ctr_proc_alive(pid, start))
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 200 && ctr_proc_alive(pid, start); i++) {
		/* Our own child (the monitor is the helpers' subreaper) must be reaped. */
		waitpid(pid, NULL, WNOHANG);
		struct timespec ts = {0, 5 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (ctr_proc_alive(pid, start))
		kill(pid, SIGKILL);
	waitpid(pid, NULL, WNOHANG);
}

static int push(char ***v, const char *s)
{
	return cu_strv_append(v, s) < 0 ? -ENOMEM : 0;
}

/* 0: /dev/net/tun can be opened; 1: it cannot, and the mode was only the default (warned:
 * the container runs with its loopback only, as if created on such a host); else an error. */
static int tun_usable(const struct net_attach_req *req)
{
	cleanup_free char *msg = NULL;
	int r = net_tun_check(&msg);
	if (r < 0 && ju_bool(req->settings, "implicit")) {
		log_warn("default network: %s; the container runs with its loopback only",
			 msg ? msg : "/dev/net/tun is not accessible");
		return 1;
	}
	if (r < 0)
		return log_error_errno(r, "%s", msg ? msg : "/dev/net/tun is not accessible");
	return 0;
}

/* pasta's -t/-u spec for the ports of one protocol: "[ip/]h[-h2]:c[-c2],…" or "none". */
static char *pasta_ports(const struct net_port *ports, size_t n, bool udp)
{
	char *out = strdup("");
	for (size_t i = 0; out && i < n; i++) {
		const struct net_port *p = &ports[i];
		if (p->udp != udp)
			continue;
		char *next = NULL, h[16], c[16];
		snprintf(h, sizeof(h), p->count > 1 ? "%u-%u" : "%u", p->host_port, p->host_port + p->count - 1);
		snprintf(c, sizeof(c), p->count > 1 ? "%u-%u" : "%u", p->ctr_port, p->ctr_port + p->count - 1);
		if (asprintf(&next, "%s%s%s%s%s:%s", out, *out ? "," : "", p->host_ip, p->host_ip[0] ? "/" : "", h, c) <
		    0)
			next = NULL;
		free(out);
		out = next;
	}
	if (out && !*out) {
		free(out);
		out = strdup("none");
	}
	return out;
}

static int attach_pasta(const struct net_attach_req *req, int netns_fd, int userns_fd, const struct net_port *ports,
			size_t n_ports, json_object *state)
{
	json_object *s = req->settings;
	cleanup_strv char **argv = calloc(1, sizeof(char *));
	cleanup_free char *tcp = pasta_ports(ports, n_ports, false), *udp = pasta_ports(ports, n_ports, true);
	cleanup_free char *pidfile = NULL, *logp = NULL;
	int r;
	if (!argv || !tcp || !udp || asprintf(&pidfile, "%s/pasta.pid", req->userdata) < 0 ||
	    asprintf(&logp, "%s/pasta.log", req->userdata) < 0)
		return log_oom();
	r = tun_usable(req);
	if (r != 0)
		return r;
	/* -T/-U none: no automatic forwarding from the container to the host's ports; the host
	 * is reached through the gateway address (pasta maps it to the host's loopback). */
	r = push(&argv, "pasta");
	/* The namespaces as our own fds (3: net, 4: user): the init is not dumpable until it
	 * execs, and pasta, which drops its capabilities early, could not open its /proc files.
	 * pasta never exits by itself then (--no-netns-quit): teardown stops it. */
	const char *fixed[] = {"--config-net", "--quiet", "-t", tcp, "-u", udp, "-T", "none", "-U", "none",
			       "-P", pidfile, "--netns", "/proc/self/fd/3", "--no-netns-quit"};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fixed); i++)
		r = push(&argv, fixed[i]);
	if (r >= 0 && ju_bool(s, "dns_forward")) {
		r = push(&argv, "--dns-forward");
		r = r < 0 ? r : push(&argv, NET_PASTA_DNS);
	}
	if (r >= 0 && ju_str(s, "mac")) {
		r = push(&argv, "--ns-mac-addr");
		r = r < 0 ? r : push(&argv, ju_str(s, "mac"));
	}
	if (r >= 0 && ju_str(s, "ip")) {
		r = push(&argv, "--address");
		r = r < 0 ? r : push(&argv, ju_str(s, "ip"));
	}
	/* --network pasta:OPT,OPT: pasta's own options, as podman passes them. */
	cleanup_strv char **extra = ju_str(s, "arg") ? cu_strv_split(ju_str(s, "arg"), ',') : NULL;
	for (size_t i = 0; r >= 0 && extra && extra[i]; i++)
		r = push(&argv, extra[i]);
	if (r >= 0 && req->rootless) {
		r = push(&argv, "--userns");
		r = r < 0 ? r : push(&argv, "/proc/self/fd/4");
	} else if (r >= 0) {
		/* As root pasta would switch to nobody first, who cannot enter the namespace. */
		r = push(&argv, "--runas");
		r = r < 0 ? r : push(&argv, "0");
	}
	if (r < 0)
		return log_oom();
	unlink(pidfile);
	pid_t p = spawn_helper(argv, logp, (int[]){netns_fd, userns_fd}, req->rootless ? 2 : 1);
	if (p < 0)
		return log_error_errno(p, "Cannot start pasta: %m");
	/* pasta forks into the background once the namespace is configured. */
	r = wait_deadline(p, now_ms() + HELPER_TIMEOUT_MS);
	if (r != 0) {
		cleanup_free char *why = log_tail(logp);
		if (r == -ETIMEDOUT)
			return log_error_errno(-ETIMEDOUT, "pasta did not finish its set-up in %d s%s%s", HELPER_TIMEOUT_MS / 1000,
					       why ? ": " : "", why ? why : "");
		return log_error_errno(-EIO, "pasta failed (exit status %d)%s%s", r, why ? ": " : "",
				       why ? why : (r == 127 ? "is the passt package installed?" : ""));
	}
	cleanup_free char *pd = NULL;
	if (fs_read_file_at(AT_FDCWD, pidfile, 64, &pd, NULL) < 0)
		return log_error_errno(-EIO, "pasta wrote no pid file %s", pidfile);
	unlink(pidfile);
	pid_t daemon = (pid_t)strtol(pd, NULL, 10);
	if (daemon <= 0 || helper_record(state, "pasta", daemon) < 0)
		return log_error_errno(-ESRCH, "pasta exited right after its set-up: %s", logp);
	spawn_watcher(req->pid, daemon);
	return 0;
}

/* One slirp4netns API request (one per connection); 0 if it answered "return". */
static int slirp_api(const char *sock, const char *req, char **ret_err)
{
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (fd < 0)
		return -errno;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -errno;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req))
		return -EIO;
	shutdown(fd, SHUT_WR);
	char buf[4096];
	size_t n = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (n < sizeof(buf) - 1 && poll(&p, 1, 5000) > 0) {
		ssize_t k = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	buf[n] = 0;
	cleanup_json json_object *o = json_tokener_parse(buf);
	json_object *e;
	if (o && json_object_object_get_ex(o, "return", &e))
		return 0;
	if (o && json_object_object_get_ex(o, "error", &e))
		*ret_err = strdup(ju_str(e, "desc") ? ju_str(e, "desc") : json_object_to_json_string(e));
	else
		*ret_err = strdup(n ? buf : "no answer");
	return -EIO;
}

/* add_hostfwd for every port of every range. */
static int slirp_publish(const char *sock, const struct net_port *ports, size_t n_ports)
{
	int r = 0;
	for (size_t i = 0; r >= 0 && i < n_ports; i++)
		for (unsigned k = 0; r >= 0 && k < ports[i].count; k++) {
			cleanup_free char *q = NULL, *err = NULL;
			const char *ip = ports[i].host_ip[0] ? ports[i].host_ip : "0.0.0.0";
			if (asprintf(&q,
				     "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", \"host_addr\": "
				     "\"%s\", \"host_port\": %u, \"guest_port\": %u}}",
				     ports[i].udp ? "udp" : "tcp", ip, ports[i].host_port + k, ports[i].ctr_port + k) < 0)
				r = log_oom();
			else if (slirp_api(sock, q, &err) < 0)
				r = log_error_errno(-EIO, "slirp4netns cannot publish port %s:%u: %s", ip,
						    ports[i].host_port + k, err ? err : "no answer");
		}
	return r;
}

/* fd 3: the ready pipe; 4, 5: the namespaces (see attach_pasta). OPTS (podman's names,
 * validated at create): allow_host_loopback=true|false, mtu=N, enable_ipv6=true|false. */
static int slirp_argv(const char *opts_text, const char *sock, bool rootless, char ***argv)
{
	cleanup_strv char **opts = opts_text ? cu_strv_split(opts_text, ',') : NULL;
	cleanup_free char *mtuopt = NULL, *sockopt = NULL;
	const char *mtu = "65520";
	bool loopback = false, ipv6 = false;
	int r = 0;
	for (size_t i = 0; opts && opts[i]; i++) {
		if (STREQ(opts[i], "allow_host_loopback=true"))
			loopback = true;
		else if (STREQ(opts[i], "enable_ipv6=true"))
			ipv6 = true;
		else if (strncmp(opts[i], "mtu=", 4) == 0)
			mtu = opts[i] + 4;
	}
	if (asprintf(&mtuopt, "--mtu=%s", mtu) < 0 || asprintf(&sockopt, "--api-socket=%s", sock) < 0)
		return log_oom();
	const char *fixed[] = {"slirp4netns", "--configure", mtuopt, sockopt, "--ready-fd=3", "--netns-type=path"};
	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(fixed); i++)
		r = push(argv, fixed[i]);
	if (r >= 0 && !loopback)
		r = push(argv, "--disable-host-loopback");
	if (r >= 0 && ipv6)
		r = push(argv, "--enable-ipv6");
	if (r >= 0 && rootless)
		r = push(argv, "--userns-path=/proc/self/fd/5");
	if (r >= 0)
		r = push(argv, "/proc/self/fd/4");
	if (r >= 0)
		r = push(argv, "tap0");
	return r < 0 ? log_oom() : 0;
}

static int attach_slirp(const struct net_attach_req *req, int netns_fd, int userns_fd, const struct net_port *ports,
			size_t n_ports, json_object *state)
{
	json_object *s = req->settings;
	cleanup_strv char **argv = calloc(1, sizeof(char *));
	cleanup_free char *logp = NULL, *sock = NULL;
	char dir[] = "/tmp/kakuri-slirp-XXXXXX";
	int r, ready[2];
	if (!argv || asprintf(&logp, "%s/slirp4netns.log", req->userdata) < 0)
		return log_oom();
	r = tun_usable(req);
	if (r != 0)
		return r;
	if (!mkdtemp(dir))
		return log_error_errno(-errno, "Cannot create a directory in /tmp for the slirp4netns API socket: %m");
	if (asprintf(&sock, "%s/api.sock", dir) < 0)
		r = log_oom();
	else
		r = slirp_argv(ju_str(s, "arg"), sock, req->rootless, &argv);
	if (r < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		rmdir(dir);
		return r < 0 ? r : log_error_errno(-errno, "pipe failed: %m");
	}
	pid_t p = spawn_helper(argv, logp, (int[]){ready[1], netns_fd, userns_fd}, req->rootless ? 3 : 2);
	close(ready[1]);
	if (p < 0) {
		close(ready[0]);
		rmdir(dir);
		return log_error_errno(p, "Cannot start slirp4netns: %m");
	}
	/* Ready: it writes "1" on fd 3; EOF means it died. */
	struct pollfd pf = {.fd = ready[0], .events = POLLIN};
	char c = 0;
	int pr = poll(&pf, 1, HELPER_TIMEOUT_MS);
	bool ok = pr > 0 && read(ready[0], &c, 1) == 1 && c == '1';
	close(ready[0]);
	if (ok)
		r = helper_record(state, "slirp4netns", p);
	if (!ok || r < 0) {
		kill(p, SIGKILL);
		int st = 0;
		waitpid(p, &st, 0);
		unlink(sock);
		rmdir(dir);
		cleanup_free char *why = log_tail(logp);
		if (pr == 0)
			return log_error_errno(-ETIMEDOUT, "slirp4netns did not get ready in %d s%s%s",
					       HELPER_TIMEOUT_MS / 1000, why ? ": " : "", why ? why : "");
		return log_error_errno(-EIO, "slirp4netns failed%s%s", why ? ": " : "",
				       why ? why : (WIFEXITED(st) && WEXITSTATUS(st) == 127
							? " (is the slirp4netns package installed?)"
							: ""));
	}
	r = slirp_publish(sock, ports, n_ports);
	/* The API is not needed after the ports are set. */
	unlink(sock);
	rmdir(dir);
	if (r < 0) {
		helper_stop(state);
		return r;
	}
	spawn_watcher(req->pid, p);
	return 0;
}

/* ---- bridge ---- */

static json_object *attachment_to_json(const struct bridge_attachment *a)
{
	json_object *o = json_object_new_object();
	ju_add_str(o, "network", a->network);
	ju_add_str(o, "bridge", a->bridge);
	ju_add_str(o, "host_veth", a->host_veth);
	ju_add_str(o, "ip", a->ip);
	ju_add_str(o, "gateway", a->gateway);
	ju_add_str(o, "mac", a->mac);
	json_object_object_add(o, "prefix_len", json_object_new_int((int)a->prefix_len));
	return o;
}

static void attachment_from_json(json_object *o, struct bridge_attachment *a)
{
	*a = (struct bridge_attachment){0};
	snprintf(a->network, sizeof(a->network), "%s", ju_str(o, "network") ? ju_str(o, "network") : "");
	snprintf(a->bridge, sizeof(a->bridge), "%s", ju_str(o, "bridge") ? ju_str(o, "bridge") : "");
	snprintf(a->host_veth, sizeof(a->host_veth), "%s", ju_str(o, "host_veth") ? ju_str(o, "host_veth") : "");
	snprintf(a->ip, sizeof(a->ip), "%s", ju_str(o, "ip") ? ju_str(o, "ip") : "");
	snprintf(a->gateway, sizeof(a->gateway), "%s", ju_str(o, "gateway") ? ju_str(o, "gateway") : "");
	snprintf(a->mac, sizeof(a->mac), "%s", ju_str(o, "mac") ? ju_str(o, "mac") : "");
	a->prefix_len = (unsigned)ju_int64(o, "prefix_len");
}

static int attach_bridge(const struct net_attach_req *req, int netns_fd, const struct net_port *ports,
			 size_t n_ports, json_object *state, char **ret_ip, char **ret_gw)
{
	cleanup_free char *hosts = NULL;
	if (asprintf(&hosts, "%s/hosts", req->userdata) < 0)
		return log_oom();
	struct bridge_request br = {
	    .network = ju_str(req->settings, "arg"),
	    .ctr_id = req->id,
	    .ctr_name = req->name,
	    .netns_fd = netns_fd,
	    .ip = ju_str(req->settings, "ip"),
	    .mac = ju_str(req->settings, "mac"),
	    .ports = ports,
	    .n_ports = n_ports,
	    .hosts_path = ju_bool(req->settings, "no_hosts") ? NULL : hosts,
	};
	struct bridge_attachment a;
	int r = bridge_attach(req->store_root, &br, &a);
	if (r < 0)
		return r;
	json_object_object_add(state, "bridge", attachment_to_json(&a));
	*ret_ip = strdup(a.ip);
	*ret_gw = strdup(a.gateway);
	return 0;
}

/* ---- the entry points ---- */

int net_attach(const struct net_attach_req *req, json_object **ret_state, char **ret_ip, char **ret_gw)
{
	const char *mode = ju_str(req->settings, "mode");
	enum net_mode m = NET_MODE_NONE;
	for (int i = NET_MODE_NONE; mode && i <= NET_MODE_NS; i++)
		if (STREQ(mode, net_mode_name((enum net_mode)i)))
			m = (enum net_mode)i;
	*ret_state = NULL;
	*ret_ip = *ret_gw = NULL;
	if (m == NET_MODE_HOST || m == NET_MODE_CONTAINER || m == NET_MODE_NS)
		return 0;
	/* The loopback is up already: the runtime brings up the loopback of a network
	 * namespace it creates (kakuri-runtime, runc and crun alike). */
	if (m == NET_MODE_NONE)
		return 0;
	cleanup_close int netns = open_netns(req->pid);
	if (netns < 0)
		return log_error_errno(netns, "Cannot open the network namespace of the container's init %d: %m",
				       (int)req->pid);
	int r;
	json_object *j = NULL;
	json_object_object_get_ex(req->settings, "ports", &j);
	struct net_port *ports = NULL;
	size_t n_ports = 0;
	r = net_ports_from_json(j, &ports, &n_ports);
	if (r < 0)
		return log_oom();
	json_object *state = json_object_new_object();
	cleanup_free char *ip = NULL, *gw = NULL;
	cleanup_close int userns = -EBADF;
	if (req->rootless && m != NET_MODE_BRIDGE) {
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/ns/user", (int)req->pid);
		userns = open(p, O_RDONLY | O_CLOEXEC);
		if (userns < 0) {
			free(ports);
			json_object_put(state);
			return log_error_errno(-errno, "Cannot open %s: %m", p);
		}
	}
	if (m == NET_MODE_PASTA)
		r = attach_pasta(req, netns, userns, ports, n_ports, state);
	else if (m == NET_MODE_SLIRP)
		r = attach_slirp(req, netns, userns, ports, n_ports, state);
	else
		r = attach_bridge(req, netns, ports, n_ports, state, &ip, &gw);
	free(ports);
	if (r != 0) { /* 1: nothing attached */
		json_object_put(state);
		return r < 0 ? r : 0;
	}
	*ret_state = state;
	*ret_ip = TAKE_PTR(ip);
	*ret_gw = TAKE_PTR(gw);
	return 0;
}

void net_detach(const char *store_root, const char *id, json_object *state)
{
	if (!state)
		return;
	helper_stop(state);
	json_object *b;
	if (json_object_object_get_ex(state, "bridge", &b)) {
		struct bridge_attachment a;
		attachment_from_json(b, &a);
		bridge_detach(store_root, id, &a);
	}
}
