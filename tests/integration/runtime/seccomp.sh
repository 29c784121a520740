#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.seccomp (runtime-spec config-linux.md): the filter is installed (Seccomp: 2 and
# Seccomp_filters in /proc/self/status), each action (ERRNO with errnoRet, KILL_PROCESS, KILL,
# TRAP, LOG, ALLOW, NOTIFY to an agent at listenerPath), argument conditions (EQ, MASKED_EQ),
# flags, unknown syscall names; and kakuri's default profile (`spec --seccomp default`):
# busybox applets, a shell script and kk-workload run without an unexpected EPERM/ENOSYS,
# the dangerous calls answer EPERM, exec'd processes get the filter, compiled filters are
# cached under the state root, and a malformed profile fails naming the JSON path. Values
# are read from inside the container; each case runs as root and rootless.
. "$(dirname "$0")/../../lib.sh"

HELPERS=$KK_REPO/build/helpers

# seccomp_json DEFAULT RULES-JSON [EXTRA-JQ [JQ-OPTIONS...]]: a linux.seccomp object with
# defaultAction DEFAULT and syscalls RULES, then EXTRA-JQ applied (JQ-OPTIONS such as --arg
# go to jq).
seccomp_json() {
	local d=$1 rules=$2 extra=${3:-}
	shift $(($# < 3 ? $# : 3))
	jq -nc --arg d "$d" --argjson rules "$rules" "$@" "{defaultAction: \$d, syscalls: \$rules}${extra:+ | $extra}"
}

# add_helpers BUNDLE NAME...: copies static test helpers into the bundle's /bin (owned like
# the rootfs, so a rootless container's root owns them).
add_helpers() {
	local b=$1 h owner
	shift
	owner=$(stat -c %u:%g "$b/rootfs")
	for h in "$@"; do
		if [ ! -x "$HELPERS/$h" ]; then
			fail "$HELPERS/$h missing (make builds it)"
			return 1
		fi
		cp "$HELPERS/$h" "$b/rootfs/bin/$h" && chown "$owner" "$b/rootfs/bin/$h" || return 1
	done
}

# bundle_for MODE: a fresh bundle for MODE (root|rootless) with the helpers; MODE rootless
# skips when there is no rootless user.
bundle_for() {
	if [ "$1" = rootless ]; then
		new_bundle --rootless || return 1
	else
		new_bundle || return 1
	fi
}

run_in() { # MODE ARGS...: rt or rl_rt
	local mode=$1
	shift
	if [ "$mode" = rootless ]; then rl_rt "$@"; else rt "$@"; fi
}

need_mode() { # MODE
	[ "$1" = rootless ] || return 0
	need_rootless
}

set_seccomp() { # BUNDLE JSON
	jq_config "$1" '.linux.seccomp = $s' --argjson s "$2"
}

status_of() { # OUT FIELD
	proc_status_field "$1" "$2" | tr -s ' \t' ' '
}

# The default profile converted by `spec --seccomp default` (for the spec's default
# capabilities), cached per file. It is plain linux.seccomp, so when the runtime under test
# is not kakuri, this tree's kakuri-runtime converts it and the other runtime runs it.
default_seccomp() {
	local d=$T_DIR/.default-seccomp kakuri=$RUNTIME
	if ! is_kakuri; then
		kakuri=$KK_REPO/build/kakuri-runtime
		[ -x "$kakuri" ] || {
			skip "no kakuri-runtime to convert the default profile (make)"
			return 1
		}
	fi
	if [ ! -s "$d.json" ]; then
		rm -rf "$d" && mkdir -p "$d" || return 1
		"$kakuri" spec --seccomp default --bundle "$d" >"$d.err" 2>&1 || {
			fail "spec --seccomp default failed: $(cat "$d.err")"
			return 1
		}
		jq -c .linux.seccomp "$d/config.json" >"$d.json" || return 1
	fi
	cat "$d.json"
}

# --- the filter is installed ------------------------------------------------------------

test_status_shows_filter() { # MODE
	local b id
	need_mode "$1" || return 0
	b=$(bundle_for "$1") || return
	id=$(new_id)
	set_seccomp "$b" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]')" || return
	set_args "$b" cat /proc/self/status
	capture run_in "$1" run -b "$b" "$id"
	assert_ok run || return
	assert_eq 2 "$(status_of "$OUT" Seccomp)" "Seccomp (2 = filter mode)" || return
	assert_eq 1 "$(status_of "$OUT" Seccomp_filters)" "Seccomp_filters"
}

test_no_seccomp_no_filter() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" cat /proc/self/status
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq 0 "$(status_of "$OUT" Seccomp)" "Seccomp without linux.seccomp"
}

# --- actions ----------------------------------------------------------------------------

# probe_with MODE SECCOMP-JSON PROBE ARGS...: runs kk-probe in a container; sets OUT/RC.
probe_with() {
	local mode=$1 sc=$2 b id
	shift 2
	b=$(bundle_for "$mode") || return 1
	id=$(new_id)
	add_helpers "$b" kk-probe kk-workload || return 1
	set_seccomp "$b" "$sc" || return 1
	set_args "$b" "$@"
	capture run_in "$mode" run -b "$b" "$id"
}

test_errno_with_errno_ret() { # MODE
	need_mode "$1" || return 0
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]')" \
		kk-probe getppid || return
	assert_eq "errno=EACCES" "$OUT" "getppid under ERRNO errnoRet 13" || return
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO"}]')" \
		kk-probe getppid || return
	assert_eq "errno=EPERM" "$OUT" "getppid under ERRNO without errnoRet (EPERM)"
}

test_kill_process() { # MODE
	need_mode "$1" || return 0
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"}]')" \
		kk-probe getppid || return
	assert_eq 159 "$RC" "exit status of a process killed by SIGSYS (128 + 31)" || return
	assert_eq "" "$OUT" "output of the killed probe"
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_KILL"}]')" \
		kk-probe getppid || return
	assert_eq 159 "$RC" "SCMP_ACT_KILL (thread) on a single-threaded process"
}

test_trap() { # MODE
	need_mode "$1" || return 0
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_TRAP"}]')" \
		kk-workload --sigsys || return
	assert_ok "kk-workload --sigsys under TRAP" || return
	assert_eq "SIGSYS si_code=SYS_SECCOMP si_syscall=getppid" "$OUT" "what the SIGSYS handler saw"
}

test_log_and_allow() { # MODE
	need_mode "$1" || return 0
	# LOG as a rule: the call goes through (and is logged).
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_LOG"}]')" \
		kk-probe getppid || return
	assert_eq ok "$OUT" "getppid under SCMP_ACT_LOG" || return
	# LOG as the default and ALLOW / ERRNO rules next to it.
	probe_with "$1" "$(seccomp_json SCMP_ACT_LOG '[{"names": ["getppid"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22}]')" \
		sh -c 'kk-probe getppid; kk-probe kexec' || return
	assert_eq "ok
errno=EINVAL" "$OUT" "ALLOW and ERRNO rules under defaultAction LOG"
}

test_allow_list_with_kill_default() { # MODE
	need_mode "$1" || return 0
	local sc
	sc=$(default_seccomp) || return
	sc=$(jq -c '.defaultAction = "SCMP_ACT_KILL_PROCESS" | del(.defaultErrnoRet)' <<<"$sc") || return
	probe_with "$1" "$sc" sh -c 'echo a | grep a && kk-probe getppid' || return
	assert_ok "a shell pipeline and a probe with only the ALLOW rules letting anything through" || return
	assert_eq "a
ok" "$OUT" "output"
	# personality(2) with a flag no rule allows hits the default: killed.
	probe_with "$1" "$sc" kk-probe personality 0x0040000 || return
	assert_eq 159 "$RC" "an unlisted call under defaultAction KILL_PROCESS"
}

# --- arguments --------------------------------------------------------------------------

test_args_eq_and_masked_eq() { # MODE
	need_mode "$1" || return 0
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		"args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}]')" \
		sh -c 'kk-probe personality; kk-probe personality 0' || return
	assert_eq "errno=EACCES
ok" "$OUT" "personality(0xffffffff) matched by EQ, personality(0) not" || return
	# CLONE_NEWUTS = 0x04000000: only unshare calls with that bit set match.
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
		"args": [{"index": 0, "value": 67108864, "valueTwo": 67108864, "op": "SCMP_CMP_MASKED_EQ"}]}]')" \
		sh -c 'kk-probe unshare-uts; kk-probe unshare-ipc' || return
	assert_eq "errno=EACCES" "$(head -n 1 <<<"$OUT")" "unshare(CLONE_NEWUTS) matched by MASKED_EQ" || return
	assert_ne "errno=EACCES" "$(sed -n 2p <<<"$OUT")" "unshare(CLONE_NEWIPC) is not matched"
}

test_unknown_names_skipped() { # MODE
	need_mode "$1" || return 0
	probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["kk_no_such_syscall", "getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]')" \
		kk-probe getppid || return
	assert_eq "errno=EACCES" "$OUT" "the rule applies to the names that exist"
}

test_flags() { # MODE
	need_mode "$1" || return 0
	local flag
	for flag in SECCOMP_FILTER_FLAG_LOG SECCOMP_FILTER_FLAG_SPEC_ALLOW; do
		probe_with "$1" "$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]' \
			".flags = [\"$flag\"]")" sh -c 'grep -E "^(Seccomp|Speculation_Store_Bypass):" /proc/self/status; kk-probe getppid; true' || return
		if ! is_kakuri && [[ $ERR == *"flags are not yet supported"* ]]; then
			skip "$KK_RUNTIME_NAME does not support linux.seccomp.flags"
			return 0
		fi
		assert_ok "run with flags [$flag]" || return
		assert_contains "$OUT" "errno=EACCES" "$flag: the filter applies" || return
		assert_eq 2 "$(status_of "$OUT" Seccomp)" "$flag: Seccomp" || return
		diag "$flag: Speculation_Store_Bypass: $(status_of "$OUT" Speculation_Store_Bypass)"
	done
}

# --- NOTIFY -----------------------------------------------------------------------------

test_notify_agent() { # MODE
	need_mode "$1" || return 0
	local mode=$1 b id d agent pid sc i
	b=$(bundle_for "$mode") || return
	id=$(new_id)
	add_helpers "$b" kk-probe || return
	d=$(mktemp -d "$T_DIR/agent.XXXXXX") && chmod 0755 "$d" || return
	cp "$HELPERS/kk-seccomp-agent" "$d/" || return
	[ "$mode" = rootless ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$d"
	if [ "$mode" = rootless ]; then
		run_as_user "$d/kk-seccomp-agent" "$d/agent.sock" 42 "$d/state.json" >"$d/out" 2>"$d/err" &
	else
		"$d/kk-seccomp-agent" "$d/agent.sock" 42 "$d/state.json" >"$d/out" 2>"$d/err" &
	fi
	pid=$!
	defer "kill $pid"
	for i in $(seq 50); do [ -S "$d/agent.sock" ] && break; sleep 0.1; done
	[ -S "$d/agent.sock" ] || { fail "the agent did not listen: $(cat "$d/err")"; return 1; }
	sc=$(seccomp_json SCMP_ACT_ALLOW '[{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]' \
		'.listenerPath = $p | .listenerMetadata = "kk-meta"' --arg p "$d/agent.sock") || return
	set_seccomp "$b" "$sc" || return
	set_args "$b" kk-probe getppid
	capture run_in "$mode" run -b "$b" "$id"
	assert_eq "errno=ENOMSG" "$OUT" "getppid answered by the agent with errno 42" || return
	wait "$pid"
	assert_eq 0 "$?" "agent exit status ($(cat "$d/err"))" || return
	assert_match '^notified: syscall [0-9]+ pid [0-9]+$' "$(cat "$d/out")" "agent output" || return
	jq -e --arg id "$id" '.fds == ["seccompFd"] and .metadata == "kk-meta" and .pid > 0
		and .state.id == $id and .state.pid == .pid and (.ociVersion | type) == "string"' \
		"$d/state.json" >/dev/null || fail "container process state sent to the agent: $(cat "$d/state.json")"
}

# --- the default profile ----------------------------------------------------------------

# default_bundle MODE: a bundle with the default profile and the helpers.
default_bundle() {
	local b sc
	b=$(bundle_for "$1") || return 1
	add_helpers "$b" kk-probe kk-workload || return 1
	sc=$(default_seccomp) || return 1
	set_seccomp "$b" "$sc" || return 1
	echo "$b"
}

APPLETS_SCRIPT='#!/bin/sh
set -e
cd /tmp
ls -la / >/dev/null
cat /etc/passwd | grep "^root:" | sed "s/root/toor/" | awk -F: "{ print \$1 }"
printf "b\na\n" | sort | tr "\n" " "; echo
ps >/dev/null
top -bn1 >/dev/null
mkdir -p t/sub && echo data >t/sub/f
tar cf t.tar t && gzip t.tar && gunzip t.tar.gz && tar tf t.tar | sort | tr "\n" " "; echo
find /tmp/t -name f -type f
date +%Y >/dev/null
id -u
sh -c "echo x | tr x y" | wc -l
seq 1 3 | xargs echo
head -c 100 /dev/urandom | md5sum >/dev/null
sleep 0.1 & wait
ln -s f t/sub/l && readlink t/sub/l && rm -rf t t.tar
echo done
'

test_default_busybox_applets() { # MODE
	need_mode "$1" || return 0
	local b id
	b=$(default_bundle "$1") || return
	id=$(new_id)
	printf '%s' "$APPLETS_SCRIPT" >"$b/rootfs/bin/kk-applets.sh" && chmod 0755 "$b/rootfs/bin/kk-applets.sh" || return
	chown "$(stat -c %u:%g "$b/rootfs")" "$b/rootfs/bin/kk-applets.sh"
	# The script is executed directly (#! line), not through sh.
	set_args "$b" /bin/kk-applets.sh
	capture run_in "$1" run -b "$b" "$id"
	assert_ok "busybox applets under the default profile" || return
	assert_eq "toor
a b 
t/ t/sub/ t/sub/f 
/tmp/t/sub/f
0
1
1 2 3
f
done" "$OUT" "applet output" || return
	assert_not_contains "$ERR" "not implemented" "stderr" || return
	assert_not_contains "$ERR" "not permitted" "stderr" || return
	assert_not_contains "$ERR" "Bad system call" "stderr"
}

test_default_workload() { # MODE
	need_mode "$1" || return 0
	local b id
	b=$(default_bundle "$1") || return
	id=$(new_id)
	# Rootful bundles have their own network namespace, whose lo starts down: CAP_NET_ADMIN
	# lets kk-workload bring it up for the loopback TCP/UDP checks (the profile gates
	# nothing on it). Rootless containers share the host's network namespace.
	if [ "$1" = root ]; then
		jq_config "$b" '.process.capabilities |= (.bounding += ["CAP_NET_ADMIN"] | .effective += ["CAP_NET_ADMIN"]
			| .permitted += ["CAP_NET_ADMIN"])' || return
	fi
	set_args "$b" kk-workload
	capture run_in "$1" run -b "$b" "$id"
	assert_ok "kk-workload under the default profile" || return
	assert_match '^kk-workload: [0-9]+ checks, 0 failed$' "$(tail -n 1 <<<"$OUT")" "summary"
}

test_default_nnp_off_other_user() { # MODE
	need_mode "$1" || return 0
	local b id
	b=$(default_bundle "$1") || return
	id=$(new_id)
	# Without noNewPrivileges the filter goes in before the uid switch and the capability
	# drop, so the profile must allow the runtime's own last steps too.
	if [ "$1" = root ]; then
		jq_config "$b" '.process.noNewPrivileges = false | .process.user = {"uid": 1000, "gid": 1000, "additionalGids": [5]}' || return
	else
		jq_config "$b" '.process.noNewPrivileges = false' || return
	fi
	set_args "$b" sh -c 'id -u; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
	capture run_in "$1" run -b "$b" "$id"
	assert_ok "run with noNewPrivileges false" || return
	assert_contains "$(tr -s '\t' ' ' <<<"$OUT")" "NoNewPrivs: 0
Seccomp: 2" "output"
}

test_default_refuses_dangerous() { # MODE
	need_mode "$1" || return 0
	local b id p out=""
	b=$(default_bundle "$1") || return
	id=$(new_id)
	set_args "$b" sh -c 'for p in ptrace kexec kexec_file keyctl add_key open_by_handle_at unshare-user unshare-mount \
		clone-newuser mount bpf perf_event_open userfaultfd io_uring init_module finit_module delete_module \
		reboot swapon acct clock_settime syslog; do printf "%s %s\n" "$p" "$(kk-probe $p)"; done'
	capture run_in "$1" run -b "$b" "$id"
	assert_ok run || return
	for p in ptrace kexec kexec_file keyctl add_key open_by_handle_at unshare-user unshare-mount clone-newuser \
		mount bpf perf_event_open userfaultfd io_uring init_module finit_module delete_module reboot swapon \
		acct clock_settime syslog; do
		out+="$p errno=EPERM"$'\n'
	done
	assert_eq "${out%$'\n'}" "$OUT" "every dangerous call answers EPERM"
}

test_default_unknown_is_enosys() { # MODE
	need_mode "$1" || return 0
	local b id
	b=$(default_bundle "$1") || return
	id=$(new_id)
	# personality(ADDR_COMPAT_LAYOUT) is outside the allowed values: the default action.
	set_args "$b" sh -c 'kk-probe personality 0x0040000; kk-probe getppid; grep -E "^Seccomp(_filters)?:" /proc/self/status'
	capture run_in "$1" run -b "$b" "$id"
	assert_eq "errno=ENOSYS
ok
Seccomp: 2
Seccomp_filters: 1" "$(tr -s '\t' ' ' <<<"$OUT")" "the default errno and the filter status"
}

test_default_exec_gets_filter() { # MODE
	need_mode "$1" || return 0
	local b id
	b=$(default_bundle "$1") || return
	id=$(new_id)
	set_args "$b" sleep 60
	must run_in "$1" run -d -b "$b" "$id" || return
	capture run_in "$1" exec "$id" sh -c 'grep "^Seccomp:" /proc/self/status; kk-probe keyctl; true'
	assert_ok exec || return
	assert_eq "Seccomp: 2
errno=EPERM" "$(tr -s '\t' ' ' <<<"$OUT")" "an exec'd process is filtered too"
}

test_default_filter_cache() { # MODE
	kakuri_only "the filter cache is kakuri's" || return 0
	need_mode "$1" || return 0
	local b id root files f owner
	root=$KK_ROOT owner=0
	[ "$1" = rootless ] && root=$KK_RL_ROOT owner=$KK_RL_UID
	b=$(default_bundle "$1") || return
	id=$(new_id)
	set_args "$b" kk-probe keyctl
	# Only this profile's entry: earlier tests cached their own.
	rm -rf "$root/.cache/seccomp"
	capture run_in "$1" run -b "$b" "$id"
	assert_eq "errno=EPERM" "$OUT" "first run (compiles and stores the filter)" || return
	files=$(find "$root/.cache/seccomp" -name '*.bpf' 2>/dev/null)
	assert_ne "" "$files" "a cached filter under $root/.cache/seccomp" || return
	for f in $files; do
		assert_eq "600 $owner" "$(stat -c '%a %u' "$f")" "mode and owner of $f" || return
	done
	assert_eq "700 $owner" "$(stat -c '%a %u' "$root/.cache/seccomp")" "cache directory" || return
	# A cache file someone else could have written is not used: the filter is compiled
	# again, and the container is still filtered.
	chmod 0666 $files
	id=$(new_id)
	capture run_in "$1" run -b "$b" "$id"
	assert_eq "errno=EPERM" "$OUT" "run with an untrusted cache file" || return
	for f in $files; do
		assert_eq "600" "$(stat -c '%a' "$f")" "the untrusted file was replaced" || return
	done
	# Garbage of a wrong size is ignored too.
	for f in $files; do printf 'garbage' >"$f"; done
	id=$(new_id)
	capture run_in "$1" run -b "$b" "$id"
	assert_eq "errno=EPERM" "$OUT" "run with a malformed cache file"
}

test_malformed_profile() { # MODE
	kakuri_only "spec --seccomp" || return 0
	need_mode "$1" || return 0
	local d p
	d=$(mktemp -d "$T_DIR/badprof.XXXXXX") && chmod 0755 "$d" || return
	p=$d/profile.json
	cat >"$p" <<'EOF'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_FOO"}]}
  ]
}
EOF
	[ "$1" = rootless ] && chown -R "$KK_RL_UID:$KK_RL_GID" "$d"
	if [ "$1" = rootless ]; then
		capture run_as_user "$RUNTIME" spec --rootless --seccomp "$p" --bundle "$d"
	else
		capture "$RUNTIME" spec --seccomp "$p" --bundle "$d"
	fi
	assert_failed "spec --seccomp with a bad operator" || return
	assert_contains "$ERR" "$p: syscalls[1].args[0].op: unknown operator 'SCMP_CMP_FOO'" "error" || return
	[ ! -e "$d/config.json" ] || fail "config.json written despite the error"
	# The other classes of mistakes, each naming its path.
	local cases=(
		'{"defaultAction": "SCMP_ACT_NOPE"}|defaultAction: unknown action '"'"'SCMP_ACT_NOPE'"'"
		'{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, "op": "SCMP_CMP_EQ"}]}]}|syscalls[0].args[0].index: must be an integer between 0 and 5'
		'{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": "read", "action": "SCMP_ACT_ALLOW"}]}|syscalls[0].names: must be an array of strings'
		'{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": "1"}]}|syscalls[0].errnoRet: must be an integer'
		'{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [}|invalid JSON'
	)
	local c
	for c in "${cases[@]}"; do
		printf '%s\n' "${c%%|*}" >"$p"
		capture "$RUNTIME" spec --seccomp "$p" --bundle "$d"
		assert_failed "spec --seccomp with ${c%%|*}" || return
		assert_contains "$ERR" "$p: ${c#*|}" "error" || return
		[ ! -e "$d/config.json" ] || { fail "config.json written for ${c%%|*}"; return 1; }
	done
}

test_spec_seccomp_default_shape() {
	kakuri_only "spec --seccomp" || return 0
	local d sc
	d=$(mktemp -d "$T_DIR/spec.XXXXXX") || return
	must "$RUNTIME" spec --seccomp default --bundle "$d" || return
	sc=$(jq -c '.linux.seccomp | [.defaultAction, .defaultErrnoRet, .architectures[0],
		([.syscalls[] | select(.names | index("clone3")) | .action] | unique)]' "$d/config.json")
	assert_eq "[\"SCMP_ACT_ERRNO\",38,\"SCMP_ARCH_$(uname -m | tr a-z A-Z)\",[\"SCMP_ACT_ERRNO\"]]" "$sc" \
		"defaultAction, defaultErrnoRet, native arch first, clone3 without CAP_SYS_ADMIN" || return
	# Plain spec stays without a profile.
	rm -f "$d/config.json"
	must "$RUNTIME" spec --bundle "$d" || return
	assert_eq null "$(jq -c .linux.seccomp "$d/config.json")" "plain spec has no linux.seccomp"
}

for mode in root rootless; do
	run_test "$mode: linux.seccomp installs a filter (Seccomp: 2, Seccomp_filters: 1)" test_status_shows_filter $mode
	run_test "$mode: SCMP_ACT_ERRNO returns errnoRet (13), EPERM without it" test_errno_with_errno_ret $mode
	run_test "$mode: SCMP_ACT_KILL_PROCESS and SCMP_ACT_KILL end the process with SIGSYS (status 159)" test_kill_process $mode
	run_test "$mode: SCMP_ACT_TRAP delivers SIGSYS with si_code SYS_SECCOMP to a handler" test_trap $mode
	run_test "$mode: SCMP_ACT_LOG allows; ALLOW/ERRNO rules under defaultAction LOG" test_log_and_allow $mode
	run_test "$mode: the default profile's ALLOW rules suffice under defaultAction KILL_PROCESS" test_allow_list_with_kill_default $mode
	run_test "$mode: args with SCMP_CMP_EQ and SCMP_CMP_MASKED_EQ select calls by argument" test_args_eq_and_masked_eq $mode
	run_test "$mode: unknown syscall names are skipped, the rest of the rule applies" test_unknown_names_skipped $mode
	run_test "$mode: flags SECCOMP_FILTER_FLAG_LOG and SPEC_ALLOW are accepted and the filter applies" test_flags $mode
	run_test "$mode: SCMP_ACT_NOTIFY: the agent at listenerPath gets the fd and state and answers errno 42" test_notify_agent $mode
	run_test "$mode: default profile: busybox applets and a #! shell script run cleanly" test_default_busybox_applets $mode
	run_test "$mode: default profile: kk-workload (threads, fork, exec, sockets, mmap, signals, timers, epoll) has no failure" test_default_workload $mode
	run_test "$mode: default profile with noNewPrivileges false (filter before the uid switch)" test_default_nnp_off_other_user $mode
	run_test "$mode: default profile: ptrace, kexec, keyctl, open_by_handle_at, unshare(CLONE_NEWUSER), mount, ... get EPERM" test_default_refuses_dangerous $mode
	run_test "$mode: default profile: an unlisted call gets ENOSYS" test_default_unknown_is_enosys $mode
	run_test "$mode: default profile: exec'd processes are filtered" test_default_exec_gets_filter $mode
	run_test "$mode: compiled filters are cached under the state root (0600, owner), untrusted or malformed entries ignored" test_default_filter_cache $mode
	run_test "$mode: spec --seccomp with a malformed profile fails naming the JSON path and writes no config.json" test_malformed_profile $mode
done
run_test "no linux.seccomp: no filter (Seccomp: 0)" test_no_seccomp_no_filter
run_test "spec --seccomp default: ENOSYS default, native arch first, clone3 ENOSYS; plain spec unchanged" test_spec_seccomp_default_shape
done_testing
