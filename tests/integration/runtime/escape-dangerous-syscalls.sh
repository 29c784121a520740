#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: dangerous syscalls under the default posture (SECURITY-NOTES: kexec_*,
# open_by_handle_at (the "shocker" host-file read), keyctl/add_key (the kernel keyring is
# not namespaced), ptrace).
# Under kakuri's default seccomp profile (`spec --seccomp default`) each must be refused
# with EPERM, for root and rootless containers, for the init and for exec. Without any
# seccomp filter, open_by_handle_at and kexec_load must still be refused, because
# CAP_DAC_READ_SEARCH and CAP_SYS_BOOT are not in the default capabilities.
. "$(dirname "$0")/../../lib.sh"

PROBES="ptrace kexec kexec_file keyctl add_key open_by_handle_at"

# default_profile: the linux.seccomp object of `spec --seccomp default`, or fails.
default_profile() {
	local d
	d=$(mktemp -d "$T_DIR/spec.XXXXXX") || return 1
	(cd "$d" && "$RUNTIME" spec --seccomp default >/dev/null 2>&1) || return 1
	jq -c '.linux.seccomp // empty' "$d/config.json"
}

PROBE_SCRIPT='for p; do echo "$p $(kk-probe "$p" 2>&1)"; done'

# check_refused WHAT OUT PROBES...: every probe answered EPERM. Without a filter, a kernel
# built without kexec answers ENOSYS for kexec_*: not there at all, which is fine too.
check_refused() {
	local what=$1 out=$2 p
	shift 2
	for p in "$@"; do
		case $what:$p in
		none*:kexec*)
			if grep -qx "$p errno=ENOSYS" <<<"$out"; then
				diag "$p: ENOSYS (this kernel has no kexec)"
				continue
			fi
			;;
		esac
		assert_contains "$out" "$p errno=EPERM" "$p under $what" || return
	done
}

run_probes() { # RT MODE(profile|none) BUNDLE-OPT PROBES...
	local run=$1 mode=$2 opt=$3 b id prof p
	shift 3
	b=$(new_bundle $opt) || return
	install_helper "$b" kk-probe || return 0
	if [ "$mode" = profile ]; then
		prof=$(default_profile) || { skip "spec --seccomp not available"; return 0; }
		[ -n "$prof" ] || { skip "spec --seccomp default wrote no linux.seccomp"; return 0; }
		jq_config "$b" '.linux.seccomp = $s' --argjson s "$prof" || return
	else
		jq_config "$b" 'del(.linux.seccomp)' || return
	fi
	id=$(new_id)
	set_args "$b" sh -c "$PROBE_SCRIPT" sh "$@"
	capture "$run" run -b "$b" "$id"
	assert_ok "run of the probes ($mode)" || return
	check_refused "$mode" "$OUT" "$@" || return
	# The same through exec.
	id=$(new_id)
	set_args "$b" sleep 3600
	must "$run" run -d -b "$b" "$id" || return
	capture "$run" exec "$id" sh -c "$PROBE_SCRIPT" sh "$@"
	assert_ok "exec of the probes ($mode)" || return
	check_refused "$mode via exec" "$OUT" "$@"
}

test_profile_root() { run_probes rt profile "" $PROBES; }
test_profile_rootless() {
	need_rootless || return 0
	run_probes rl_rt profile --rootless $PROBES
}
test_no_seccomp_caps_root() { run_probes rt none "" open_by_handle_at kexec; }
test_no_seccomp_caps_rootless() {
	need_rootless || return 0
	run_probes rl_rt none --rootless open_by_handle_at kexec
}

# Without the profile the same container reaches the kernel for ptrace and keyctl: the
# probes themselves work, so EPERM above is the filter's doing.
test_probes_are_live() {
	local b id
	b=$(new_bundle) || return
	install_helper "$b" kk-probe || return 0
	jq_config "$b" 'del(.linux.seccomp)' || return
	id=$(new_id)
	set_args "$b" sh -c "$PROBE_SCRIPT" sh ptrace keyctl
	capture rt run -b "$b" "$id"
	assert_ok "run of the probes without seccomp" || return
	assert_contains "$OUT" "ptrace ok" "ptrace without seccomp" || return
	assert_not_contains "$OUT" "keyctl errno=EPERM" "keyctl without seccomp"
}

run_test "dangerous syscalls, root, default seccomp profile: ptrace, kexec_load, kexec_file_load, keyctl, add_key, open_by_handle_at all EPERM (run and exec)" test_profile_root
run_test "dangerous syscalls, rootless, default seccomp profile: all EPERM (run and exec)" test_profile_rootless
run_test "open_by_handle_at EPERM and kexec_load EPERM (or ENOSYS: no kexec) without seccomp (no CAP_DAC_READ_SEARCH/CAP_SYS_BOOT), root" test_no_seccomp_caps_root
run_test "open_by_handle_at EPERM and kexec_load EPERM (or ENOSYS) without seccomp, rootless" test_no_seccomp_caps_rootless
run_test "the probes are live: ptrace and keyctl succeed without a filter (so EPERM is the filter's)" test_probes_are_live
done_testing
