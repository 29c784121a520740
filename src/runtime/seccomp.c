/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <json.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/log.h"
#include "lib/sha256.h"
#include "runtime/seccomp-cache.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

struct seccomp_prog {
	struct sock_filter *insns;
	unsigned short len;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_*, NEW_LISTENER included when notify */
	bool notify;
};

static void seccomp_ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

void seccomp_prog_free(struct seccomp_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog);
}

static void seccomp_prog_freep(struct seccomp_prog **p)
{
	seccomp_prog_free(*p);
}

/* runtime-spec architecture names -> libseccomp's own names. Resolving by name (rather than
 * with SCMP_ARCH_* constants) lets an older libseccomp say "unsupported" for the newer
 * ones instead of failing to build. */
static const struct {
	const char *spec, *scmp;
} arch_table[] = {
    {"SCMP_ARCH_X86", "x86"},
    {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},
    {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"},
    {"SCMP_ARCH_MIPS", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32"},
    {"SCMP_ARCH_MIPSEL", "mipsel"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {"SCMP_ARCH_PPC", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_S390", "s390"},
    {"SCMP_ARCH_S390X", "s390x"},
    {"SCMP_ARCH_PARISC", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64"},
    {"SCMP_ARCH_RISCV64", "riscv64"},
    {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
    {"SCMP_ARCH_M68K", "m68k"},
    {"SCMP_ARCH_SH", "sh"},
    {"SCMP_ARCH_SHEB", "sheb"},
};

static const struct {
	const char *name;
	unsigned int flag;
} flag_table[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};


/* errnoRet applies to ERRNO (the errno returned) and TRACE (the value the tracer sees in
 * PTRACE_GETEVENTMSG); both default to EPERM, as in runc. */
static int action_to_scmp(int action, bool has_ret, uint32_t ret, const char *field, uint32_t *out)
{
	uint32_t data = has_ret ? ret : EPERM;

	if ((action == OCI_SCMP_ACT_ERRNO || action == OCI_SCMP_ACT_TRACE) && data > 0xffff)
		return log_error_errno(-EINVAL, "%s: errnoRet %u is out of range (at most 65535)", field, data);
	switch (action) {
	case OCI_SCMP_ACT_KILL:
	case OCI_SCMP_ACT_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case OCI_SCMP_ACT_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case OCI_SCMP_ACT_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case OCI_SCMP_ACT_ERRNO:
		*out = SCMP_ACT_ERRNO(data);
		return 0;
	case OCI_SCMP_ACT_TRACE:
		*out = SCMP_ACT_TRACE(data);
		return 0;
	case OCI_SCMP_ACT_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case OCI_SCMP_ACT_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case OCI_SCMP_ACT_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	}
	return log_error_errno(-EINVAL, "%s: unknown action %d", field, action);
}

static int op_to_scmp(int op, enum scmp_compare *out)
{
	switch (op) {
	case OCI_SCMP_CMP_NE:
		*out = SCMP_CMP_NE;
		return 0;
	case OCI_SCMP_CMP_LT:
		*out = SCMP_CMP_LT;
		return 0;
	case OCI_SCMP_CMP_LE:
		*out = SCMP_CMP_LE;
		return 0;
	case OCI_SCMP_CMP_EQ:
		*out = SCMP_CMP_EQ;
		return 0;
	case OCI_SCMP_CMP_GE:
		*out = SCMP_CMP_GE;
		return 0;
	case OCI_SCMP_CMP_GT:
		*out = SCMP_CMP_GT;
		return 0;
	case OCI_SCMP_CMP_MASKED_EQ:
		*out = SCMP_CMP_MASKED_EQ;
		return 0;
	}
	return -EINVAL;
}

/* The kernel's answer for an unknown flag is EINVAL; for a known one with a NULL program it
 * is EFAULT (flags are checked before the program is copied in). Same probe as libseccomp. */
static bool kernel_has_filter_flag(unsigned int flag)
{
	if (flag == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		flag |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static int add_architectures(scmp_filter_ctx ctx, char **arches)
{
	size_t i = 0;
	for (char **a = arches; a && *a; a++, i++) {
		const char *scmp = NULL;
		for (size_t j = 0; j < ELEMENTSOF(arch_table); j++)
			if (STREQ(arch_table[j].spec, *a))
				scmp = arch_table[j].scmp;
		if (!scmp)
			return log_error_errno(-EINVAL, "linux.seccomp.architectures[%zu]: unknown architecture '%s'",
					       i, *a);
		uint32_t token = seccomp_arch_resolve_name(scmp);
		if (token == 0) {
			log_warn(
			    "linux.seccomp.architectures[%zu]: '%s' is not supported by this libseccomp, ignoring it",
			    i, *a);
			continue;
		}
		int r = seccomp_arch_add(ctx, token);
		if (r < 0 && r != -EEXIST)
			return log_error_errno(r, "linux.seccomp.architectures[%zu]: cannot add '%s': %m", i, *a);
	}
	return 0;
}

static int parse_flags(char **flags, unsigned int *ret)
{
	unsigned int out = 0;
	size_t i = 0;
	for (char **f = flags; f && *f; f++, i++) {
		unsigned int flag = 0;
		for (size_t j = 0; j < ELEMENTSOF(flag_table); j++)
			if (STREQ(flag_table[j].name, *f))
				flag = flag_table[j].flag;
		if (!flag)
			return log_error_errno(-EINVAL, "linux.seccomp.flags[%zu]: unknown flag '%s'", i, *f);
		if (!kernel_has_filter_flag(flag)) {
			log_warn("linux.seccomp.flags[%zu]: '%s' is not supported by this kernel, ignoring it", i, *f);
			continue;
		}
		out |= flag;
	}
	*ret = out;
	return 0;
}

/* True if two conditions test the same argument: libseccomp refuses that in one rule (it
 * would be an AND of two tests on one value); runc and crun then add one rule per
 * condition, an OR. We do the same. */
static bool args_repeat_index(const struct oci_seccomp_syscall *sc)
{
	for (size_t i = 0; i < sc->n_args; i++)
		for (size_t j = i + 1; j < sc->n_args; j++)
			if (sc->args[i].index == sc->args[j].index)
				return true;
	return false;
}

static int add_rule(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *sc, size_t idx, uint32_t action)
{
	struct scmp_arg_cmp cmps[6];
	bool split = args_repeat_index(sc);
	int r;

	if (sc->n_args > 6 && !split)
		return log_error_errno(
		    -EINVAL, "linux.seccomp.syscalls[%zu].args: at most 6 conditions on distinct arguments", idx);
	for (size_t a = 0; a < sc->n_args; a++) {
		enum scmp_compare op;
		if (sc->args[a].index > 5)
			return log_error_errno(-EINVAL,
					       "linux.seccomp.syscalls[%zu].args[%zu].index: %u is out of range (0-5)",
					       idx, a, sc->args[a].index);
		if (op_to_scmp(sc->args[a].op, &op) < 0)
			return log_error_errno(-EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator %d",
					       idx, a, sc->args[a].op);
	}

	size_t n = 0;
	for (char **name = sc->names; name && *name; name++, n++) {
		int nr = seccomp_syscall_resolve_name(*name);
		if (nr == __NR_SCMP_ERROR) {
			log_debug("linux.seccomp.syscalls[%zu]: unknown syscall '%s', skipping it", idx, *name);
			continue;
		}
		if (sc->n_args == 0) {
			r = seccomp_rule_add_array(ctx, action, nr, 0, NULL);
		} else {
			size_t per_rule = split ? 1 : sc->n_args;
			r = 0;
			for (size_t start = 0; start < sc->n_args && r >= 0; start += per_rule) {
				for (size_t a = 0; a < per_rule; a++) {
					const struct oci_seccomp_arg *arg = &sc->args[start + a];
					enum scmp_compare op = SCMP_CMP_EQ;
					(void)op_to_scmp(arg->op, &op);
					cmps[a] = (struct scmp_arg_cmp){
					    .arg = arg->index,
					    .op = op,
					    .datum_a = arg->value,
					    .datum_b = arg->value_two,
					};
				}
				r = seccomp_rule_add_array(ctx, action, nr, (unsigned)per_rule, cmps);
			}
		}
		if (r < 0)
			return log_error_errno(r, "linux.seccomp.syscalls[%zu]: cannot add a rule for '%s': %m", idx,
					       *name);
	}
	return 0;
}

/* libseccomp 2.5 has no seccomp_export_bpf_mem() (2.6 does), so export through a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct seccomp_prog *prog)
{
	cleanup_close int fd = memfd_create("kakuri-seccomp", MFD_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) != 0)
		return -EIO;
	size_t n = (size_t)st.st_size / sizeof(struct sock_filter);
	if (n > BPF_MAXINSNS)
		return -E2BIG;
	prog->insns = malloc((size_t)st.st_size);
	if (!prog->insns)
		return -ENOMEM;
	if (pread(fd, prog->insns, (size_t)st.st_size, 0) != st.st_size)
		return -EIO;
	prog->len = (unsigned short)n;
	return 0;
}

/* The program's flags and whether it has a listener, and the default action: everything
 * but the BPF itself, so a program loaded from the cache gets them from the spec and this
 * kernel. Cheap: no libseccomp context. */
static int prepare(const struct oci_seccomp *spec, struct seccomp_prog *prog, uint32_t *ret_def)
{
	uint32_t def;
	int r;

	r = action_to_scmp(spec->default_action, spec->has_default_errno_ret, spec->default_errno_ret,
			   "linux.seccomp.defaultAction", &def);
	if (r < 0)
		return r;
	/* Every syscall, including the runtime's own last steps before execve, would wait for
	 * an agent that does not have the listener fd yet. */
	if (spec->default_action == OCI_SCMP_ACT_NOTIFY)
		return log_error_errno(-EINVAL,
				       "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	r = parse_flags(spec->flags, &prog->flags);
	if (r < 0)
		return r;

	/* A NOTIFY rule counts when it makes it into the filter: its action differs from the
	 * default (else generate() skips it) and one of its names is a syscall here. */
	for (size_t i = 0; i < spec->n_syscalls && !prog->notify; i++) {
		const struct oci_seccomp_syscall *sc = &spec->syscalls[i];
		if (sc->action != OCI_SCMP_ACT_NOTIFY)
			continue;
		for (char **name = sc->names; name && *name && !prog->notify; name++)
			prog->notify = seccomp_syscall_resolve_name(*name) != __NR_SCMP_ERROR;
	}

	if (prog->notify && !spec->listener_path)
		return log_error_errno(-EINVAL, "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used");
	if (prog->notify) {
		prog->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
		/* TSYNC with a listener needs TSYNC_ESRCH (5.7); the init is single-threaded,
		 * so without it TSYNC has nothing to do and is dropped. */
		if (prog->flags & SECCOMP_FILTER_FLAG_TSYNC) {
			if (kernel_has_filter_flag(SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
				prog->flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
			else
				prog->flags &= ~(unsigned)SECCOMP_FILTER_FLAG_TSYNC;
		}
	} else if (prog->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
		log_debug("linux.seccomp.flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV has no effect without "
			  "SCMP_ACT_NOTIFY, dropping it");
		prog->flags &= ~(unsigned)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	*ret_def = def;
	return 0;
}

/* The BPF program, built by libseccomp. */
static int generate(const struct oci_seccomp *spec, uint32_t def, struct seccomp_prog *prog)
{
	CLEANUP(seccomp_ctx_releasep) scmp_filter_ctx ctx = NULL;
	int r;

	ctx = seccomp_init(def);
	if (!ctx)
		return log_error_errno(-EINVAL, "linux.seccomp: cannot initialize libseccomp with defaultAction %s",
				       spec_seccomp_action_name(spec->default_action));
	/* A binary search over the syscall numbers instead of libseccomp's default linear list
	 * (sorted by number, so a low-numbered syscall like read(2) is compared against every
	 * rule first): a few comparisons per syscall for any profile size. Kernels from 5.11
	 * skip the filter entirely for syscalls it allows unconditionally, but every other
	 * syscall, and older kernels, run the program; and building that shortcut at install
	 * time evaluates the filter once per syscall number, quadratic for a list (default
	 * profile: 0.35 ms as a tree, 1 ms as a list). The tree compiles slower, which the
	 * cache absorbs (bench/README.md, seccomp.sh). */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (r < 0)
		log_debug_errno(r, "linux.seccomp: libseccomp cannot build a binary tree (%m), using a list");
	r = add_architectures(ctx, spec->architectures);
	if (r < 0)
		return r;

	for (size_t i = 0; i < spec->n_syscalls; i++) {
		const struct oci_seccomp_syscall *sc = &spec->syscalls[i];
		char field[64];
		uint32_t act;

		snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu].action", i);
		r = action_to_scmp(sc->action, sc->has_errno_ret, sc->errno_ret, field, &act);
		if (r < 0)
			return r;
		/* libseccomp rejects a rule with the default action (EACCES); it is a no-op. */
		if (act == def) {
			log_debug("linux.seccomp.syscalls[%zu]: action equals defaultAction, skipping it", i);
			continue;
		}
		r = add_rule(ctx, sc, i, act);
		if (r < 0)
			return r;
	}

	r = export_bpf(ctx, prog);
	if (r == -E2BIG)
		return log_error_errno(r, "linux.seccomp: the filter exceeds the kernel's %d-instruction limit",
				       BPF_MAXINSNS);
	if (r < 0)
		return log_error_errno(r, "linux.seccomp: cannot export the BPF program: %m");
	return 0;
}

int seccomp_compile_cached(const struct oci_seccomp *spec, const char *cache_dir, struct seccomp_prog **ret)
{
	CLEANUP(seccomp_prog_freep) struct seccomp_prog *prog = NULL;
	char key[SHA256_HEX_SIZE] = "";
	uint32_t def = 0;
	int r;

	if (!spec || !spec->present) {
		*ret = NULL;
		return 0;
	}
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return log_error_errno(-ENOMEM, "linux.seccomp: out of memory");
	r = prepare(spec, prog, &def);
	if (r < 0)
		return r;

	if (cache_dir) {
		struct sock_filter *insns = NULL;
		size_t n = 0;

		r = seccomp_cache_key(spec, key);
		if (r >= 0)
			r = seccomp_cache_load(cache_dir, key, &insns, &n);
		if (r >= 0) {
			prog->insns = insns;
			prog->len = (unsigned short)n;
			log_debug("linux.seccomp: using the cached filter %s/%s.bpf (%zu instructions)", cache_dir, key,
				  n);
			*ret = TAKE_PTR(prog);
			return 0;
		}
		if (r != -ENOENT)
			log_debug_errno(r, "linux.seccomp: not using the filter cache in '%s': %m", cache_dir);
	}

	r = generate(spec, def, prog);
	if (r < 0)
		return r;
	if (cache_dir && key[0]) {
		r = seccomp_cache_store(cache_dir, key, prog->insns, prog->len);
		if (r < 0)
			log_debug_errno(r, "linux.seccomp: cannot store the filter in the cache '%s': %m", cache_dir);
	}
	*ret = TAKE_PTR(prog);
	return 0;
}

int seccomp_compile(const struct oci_seccomp *spec, struct seccomp_prog **ret)
{
	return seccomp_compile_cached(spec, NULL, ret);
}

int seccomp_install(struct seccomp_prog *prog, int *ret_listener_fd)
{
	struct sock_fprog fprog;
	long r;

	if (!prog) {
		if (ret_listener_fd)
			*ret_listener_fd = -EBADF;
		return 0;
	}
	fprog = (struct sock_fprog){.len = prog->len, .filter = prog->insns};
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, prog->flags, &fprog);
	if (r < 0 && errno == ENOSYS && prog->flags == 0)
		r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
	if (r < 0) {
		int e = -errno;
		if (e == -EACCES)
			return log_error_errno(e, "linux.seccomp: cannot install the filter: %m; it needs "
						  "process.noNewPrivileges or CAP_SYS_ADMIN at install time");
		return log_error_errno(e, "linux.seccomp: cannot install the filter (flags 0x%x): %m", prog->flags);
	}
	/* The listener fd is created O_CLOEXEC by the kernel. */
	if (ret_listener_fd)
		*ret_listener_fd = prog->notify ? (int)r : -EBADF;
	else if (prog->notify)
		close((int)r);
	return 0;
}

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* runtime-spec "containerProcessState", sent with the listener fd. */
static int build_process_state(const struct oci_seccomp *spec, const char *state_json, char **ret)
{
	CLEANUP(json_putp) json_object *state = NULL, *msg = NULL;
	json_object *v, *fds;

	state = json_tokener_parse(state_json);
	if (!state || !json_object_is_type(state, json_type_object))
		return -EINVAL;
	msg = json_object_new_object();
	fds = json_object_new_array();
	if (!msg || !fds) {
		json_object_put(fds);
		return -ENOMEM;
	}
	if (json_object_object_get_ex(state, "ociVersion", &v))
		json_object_object_add(msg, "ociVersion", json_object_get(v));
	else
		json_object_object_add(msg, "ociVersion", json_object_new_string("1.2.0"));
	json_object_array_add(fds, json_object_new_string("seccompFd"));
	json_object_object_add(msg, "fds", fds);
	if (json_object_object_get_ex(state, "pid", &v))
		json_object_object_add(msg, "pid", json_object_get(v));
	if (spec->listener_metadata)
		json_object_object_add(msg, "metadata", json_object_new_string(spec->listener_metadata));
	json_object_object_add(msg, "state", TAKE_PTR(state));

	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	if (!s)
		return -ENOMEM;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

int seccomp_connect_listener(const struct oci_seccomp *spec)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *path = spec ? spec->listener_path : NULL;

	if (!path)
		return log_error_errno(-EINVAL, "linux.seccomp.listenerPath: not set");
	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "linux.seccomp.listenerPath '%s': longer than %zu bytes", path,
				       sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return log_error_errno(-errno, "linux.seccomp.listenerPath '%s': socket: %m", path);
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;
		close(sock);
		return log_error_errno(r, "linux.seccomp.listenerPath '%s': cannot connect: %m", path);
	}
	return sock;
}

int seccomp_send_listener(const struct oci_seccomp *spec, int sock, int listener_fd, const char *state_json)
{
	cleanup_free char *msg = NULL;
	const char *path = spec && spec->listener_path ? spec->listener_path : "?";
	int r;

	if (listener_fd < 0)
		return log_error_errno(-EBADF, "linux.seccomp.listenerPath '%s': no seccomp listener fd to send", path);
	r = build_process_state(spec, state_json ?: "{}", &msg);
	if (r < 0)
		return log_error_errno(
		    r, "linux.seccomp.listenerPath '%s': cannot build the container process state: %m", path);

	size_t len = strlen(msg);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = {};
	struct iovec iov = {.iov_base = msg, .iov_len = len};
	struct msghdr mh = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = control.buf,
	    .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &listener_fd, sizeof(int));

	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return log_error_errno(-errno, "linux.seccomp.listenerPath '%s': cannot send the listener fd: %m",
				       path);
	/* A stream socket may take the message in pieces; the fd went with the first. */
	for (size_t off = (size_t)n; off < len;) {
		n = send(sock, msg + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return log_error_errno(-errno, "linux.seccomp.listenerPath '%s': cannot send the state: %m",
					       path);
		off += (size_t)n;
	}
	return 0;
}
