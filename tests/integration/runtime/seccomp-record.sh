#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Seccomp profile recording (annotation io.kakuri.seccomp.record, runtime/seccomp-record.h):
# the profile is written when the container ends (atomically, owned by the caller), holds
# what the workload called, including a thread's (getcpu) and a forked child's (sysinfo)
# syscalls, and not what the configured filter denied; replayed as linux.seccomp it runs
# the same workload and answers an unobserved syscall with ENOSYS; a 32-bit syscall (int
# 0x80 on x86_64) is recorded with its architecture (archMap sub-architecture) and replays.
# The recorder outlives create/start in its own session, holding only /dev/null as stdio,
# the listener and the output directory, exits after writing, and goes away without writing
# when the container is deleted before start. Bad annotations fail create, naming it, with
# no state left. Each case runs as root and rootless.
. "$(dirname "$0")/../../lib.sh"

HELPERS=$KK_REPO/build/helpers
ANN=io.kakuri.seccomp.record

if ! is_kakuri; then
	run_test "recording is a kakuri-runtime feature" skip "$KK_RUNTIME_NAME: io.kakuri.seccomp.record is kakuri's"
	done_testing
	exit 0
fi

run_in() { # MODE ARGS...
	local mode=$1
	shift
	if [ "$mode" = rootless ]; then rl_rt "$@"; else rt "$@"; fi
}

need_mode() { # MODE
	[ "$1" = rootless ] || return 0
	need_rootless
}

# out_dir MODE: a fresh directory the mode's user can write.
out_dir() {
	local d
	d=$(mktemp -d "$T_DIR/out.XXXXXX") && chmod 0755 "$d" || return 1
	[ "$1" = rootless ] && chown "$KK_RL_UID:$KK_RL_GID" "$d"
	echo "$d"
}

# rec_bundle MODE PROFILE ARGS...: a bundle running ARGS with kk-rec in /bin, the default
# profile as linux.seccomp and recording into PROFILE.
rec_bundle() {
	local mode=$1 prof=$2 b owner
	shift 2
	if [ "$mode" = rootless ]; then b=$(new_bundle --rootless) || return 1; else b=$(new_bundle) || return 1; fi
	owner=$(stat -c %u:%g "$b/rootfs")
	cp "$HELPERS/kk-rec" "$b/rootfs/bin/kk-rec" && chown "$owner" "$b/rootfs/bin/kk-rec" || return 1
	jq_config "$b" '.linux.seccomp = $s[0] | .annotations[$k] = $p' --slurpfile s "$(default_seccomp_file)" \
		--arg k "$ANN" --arg p "$prof" || return 1
	set_args "$b" "$@" || return 1
	echo "$b"
}

default_seccomp_file() {
	local d=$T_DIR/.default-seccomp
	if [ ! -s "$d.json" ]; then
		rm -rf "$d" && mkdir -p "$d" &&
			"$RUNTIME" spec --seccomp default --bundle "$d" >/dev/null 2>&1 &&
			jq -c .linux.seccomp "$d/config.json" >"$d.json"
	fi
	echo "$d.json"
}

# wait_file PATH: the recorder writes right after the container's last process is gone.
wait_file() {
	local i
	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	fail "$1 was not written"
	return 1
}

names_of() { jq -r '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | .[]' "$1"; }

has_name() { # PROFILE NAME
	names_of "$1" | grep -qx "$2"
}

test_records_threads_and_children() { # MODE
	local mode=$1 d b id owner
	need_mode "$mode" || return 0
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "$d/p.json" /bin/kk-rec record) || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	assert_ok "run kk-rec record" || return
	assert_eq recorded "$OUT" "workload output" || return
	wait_file "$d/p.json" || return
	jq -e . "$d/p.json" >/dev/null || {
		fail "not JSON: $(head -c 300 "$d/p.json")"
		return 1
	}
	assert_eq "SCMP_ACT_ERRNO 38 SCMP_ARCH_X86_64" \
		"$(jq -r '"\(.defaultAction) \(.defaultErrnoRet) \(.archMap[0].architecture)"' "$d/p.json")" \
		"defaultAction, defaultErrnoRet, native architecture" || return
	local n
	for n in times getcpu sysinfo execve exit_group; do
		has_name "$d/p.json" "$n" || {
			fail "$n (main/thread/child/runtime) not recorded: $(names_of "$d/p.json" | tr '\n' ' ')"
			return 1
		}
	done
	! has_name "$d/p.json" getpriority || {
		fail "getpriority recorded but never called"
		return 1
	}
	# Sorted, unique names in the first rule.
	assert_eq "$(jq -r '.syscalls[0].names[]' "$d/p.json" | sort -u)" "$(jq -r '.syscalls[0].names[]' "$d/p.json")" \
		"names sorted and unique" || return
	owner=0:0
	[ "$mode" = rootless ] && owner=$KK_RL_UID:$KK_RL_GID
	assert_eq "$owner 644" "$(stat -c '%u:%g %a' "$d/p.json")" "profile owner and mode" || return
	assert_eq "" "$(find "$d" -name '.*tmp' | head -1)" "no temporary file left"
}

test_denied_not_recorded() { # MODE
	local mode=$1 d b id
	need_mode "$mode" || return 0
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "$d/p.json" /bin/kk-rec call getpriority) || return
	jq_config "$b" '.linux.seccomp.syscalls = [{"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}] + .linux.seccomp.syscalls' || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	assert_eq "getpriority=errno 13" "$OUT" "the configured filter still denies getpriority" || return
	wait_file "$d/p.json" || return
	! has_name "$d/p.json" getpriority || {
		fail "a syscall the configured filter denied was recorded"
		return 1
	}
	has_name "$d/p.json" write || fail "write (the printf) not recorded"
}

test_replay() { # MODE
	local mode=$1 d b id conv
	need_mode "$mode" || return 0
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "$d/p.json" /bin/kk-rec record) || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	assert_ok "recording run" || return
	wait_file "$d/p.json" || return
	conv=$(mktemp -d "$T_DIR/conv.XXXXXX") || return
	must "$RUNTIME" spec --seccomp "$d/p.json" --bundle "$conv" || return
	jq_config "$b" '.linux.seccomp = $s[0] | del(.annotations[$k])' --slurpfile s <(jq -c .linux.seccomp "$conv/config.json") \
		--arg k "$ANN" || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	assert_ok "the workload under its recorded profile" || return
	assert_eq recorded "$OUT" "output under the recorded profile" || return
	set_args "$b" /bin/kk-rec call getpriority || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	assert_eq "getpriority=errno 38" "$OUT" "an unobserved syscall gets ENOSYS"
}

test_compat_arch() { # MODE
	local mode=$1 d b id conv
	need_mode "$mode" || return 0
	[ "$(uname -m)" = x86_64 ] || {
		skip "32-bit compat syscalls are tested on x86_64 only"
		return 0
	}
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "$d/p.json" /bin/kk-rec int80) || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	if [ "$OUT" = "int80=errno 38" ]; then
		skip "this kernel has no 32-bit syscall entry (IA32_EMULATION off)"
		return 0
	fi
	assert_eq "int80=1" "$OUT" "i386 getpid as the container's pid 1" || return
	wait_file "$d/p.json" || return
	assert_eq '["SCMP_ARCH_X86"]' "$(jq -c '.archMap[0].subArchitectures' "$d/p.json")" \
		"the i386 architecture recorded as a sub-architecture" || return
	has_name "$d/p.json" getpid || {
		fail "the i386 getpid was not recorded by name"
		return 1
	}
	conv=$(mktemp -d "$T_DIR/conv.XXXXXX") || return
	must "$RUNTIME" spec --seccomp "$d/p.json" --bundle "$conv" || return
	assert_eq '["SCMP_ARCH_X86_64","SCMP_ARCH_X86"]' "$(jq -c .linux.seccomp.architectures "$conv/config.json")" \
		"converted architectures" || return
	jq_config "$b" '.linux.seccomp = $s[0] | del(.annotations[$k])' --slurpfile s <(jq -c .linux.seccomp "$conv/config.json") \
		--arg k "$ANN" || return
	id=$(new_id)
	capture run_in "$mode" run -b "$b" "$id"
	assert_eq "int80=1" "$OUT" "the 32-bit call under its recorded profile"
}

# recorder_pid: the process of this file holding a seccomp listener (the recorder).
recorder_pid() {
	local p f
	for p in /proc/[0-9]*; do
		grep -qzx "KK_RT_MARK=$T_DIR" "$p/environ" 2>/dev/null || continue
		for f in "$p"/fd/*; do
			[ "$(readlink "$f" 2>/dev/null)" = "anon_inode:seccomp notify" ] && {
				echo "${p#/proc/}"
				return 0
			}
		done
	done
	return 1
}

test_recorder_is_detached() { # MODE
	local mode=$1 d b id pid i fds
	need_mode "$mode" || return 0
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "$d/p.json" sh -c 'kk-rec record; sleep 10') || return
	jq_config "$b" '.process.terminal = false' || return
	id=$(new_id)
	capture run_in "$mode" create -b "$b" "$id"
	assert_ok create || return
	capture run_in "$mode" start "$id"
	assert_ok start || return
	for i in $(seq 50); do pid=$(recorder_pid) && break; sleep 0.05; done
	[ -n "$pid" ] || {
		fail "no recorder process holds a seccomp listener after start"
		return 1
	}
	# Only /dev/null as stdio, the listener and the output directory: no container stdio,
	# no sync socket, no log file.
	fds=$(for f in /proc/"$pid"/fd/*; do printf '%s=%s\n' "${f##*/}" "$(readlink "$f")"; done | sort -n)
	assert_eq "0=/dev/null
1=/dev/null
2=/dev/null" "$(grep -E '^[012]=' <<<"$fds")" "recorder stdio" || return
	assert_eq 2 "$(grep -cvE '^[012]=' <<<"$fds")" "recorder fds besides stdio ($fds)" || return
	grep -q "=$d\$" <<<"$fds" || {
		fail "the recorder does not hold the output directory: $fds"
		return 1
	}
	assert_ne "$(ps -o sid= -p $$ | tr -d ' ')" "$(ps -o sid= -p "$pid" | tr -d ' ')" "recorder session" || return
	capture run_in "$mode" kill "$id" KILL
	wait_file "$d/p.json" || return
	has_name "$d/p.json" sysinfo || fail "child syscall not recorded after create/start"
	for i in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.05; done
	[ ! -d "/proc/$pid" ] || fail "the recorder is still there after writing"
}

test_delete_before_start() { # MODE
	local mode=$1 d b id
	need_mode "$mode" || return 0
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "$d/p.json" /bin/kk-rec record) || return
	id=$(new_id)
	capture run_in "$mode" create -b "$b" "$id"
	assert_ok create || return
	capture run_in "$mode" delete --force "$id"
	assert_ok "delete --force" || return
	sleep 0.3
	assert_eq "" "$(ls -A "$d")" "nothing written for a container that never started"
	# (done_testing's leftover check fails if the recorder lingers: it carries KK_RT_MARK.)
}

test_bad_annotation() { # MODE
	local mode=$1 d b id
	need_mode "$mode" || return 0
	d=$(out_dir "$mode") || return
	b=$(rec_bundle "$mode" "relative.json" true) || return
	id=$(new_id)
	capture run_in "$mode" create -b "$b" "$id"
	assert_failed "create with a relative path" || return
	assert_contains "$ERR" "annotations[\"$ANN\"]: 'relative.json' is not an absolute path" || return
	jq_config "$b" '.annotations[$k] = "/nonexistent-kk/p.json"' --arg k "$ANN" || return
	capture run_in "$mode" create -b "$b" "$id"
	assert_failed "create into a missing directory" || return
	assert_contains "$ERR" "directory '/nonexistent-kk'" || return
	jq_config "$b" '.annotations[$k] = $p | .linux.seccomp.listenerPath = "/run/x.sock"' --arg k "$ANN" --arg p "$d/p.json" || return
	capture run_in "$mode" create -b "$b" "$id"
	assert_failed "create with listenerPath" || return
	assert_contains "$ERR" "listenerPath" || return
	capture run_in "$mode" state "$id"
	assert_failed "state of a container whose create failed"
}

for mode in root rootless; do
	run_test "$mode: the profile has the main thread's, a thread's and a child's syscalls, owned by the caller" test_records_threads_and_children $mode
	run_test "$mode: what the configured filter denies is denied and not recorded" test_denied_not_recorded $mode
	run_test "$mode: replayed as linux.seccomp the workload runs; an unobserved syscall gets ENOSYS" test_replay $mode
	run_test "$mode: a 32-bit (int 0x80) syscall is recorded with its architecture and replays" test_compat_arch $mode
	run_test "$mode: the recorder outlives create/start in its own session with only /dev/null, listener and directory" test_recorder_is_detached $mode
	run_test "$mode: deleted before start: the recorder exits and writes nothing" test_delete_before_start $mode
	run_test "$mode: relative path, missing directory, listenerPath: create fails naming the annotation" test_bad_annotation $mode
done
done_testing
