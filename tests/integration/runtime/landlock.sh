#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Landlock (runtime-spec proposal #1111/#1241: linux.landlock, or the io.kakuri.landlock
# annotation): a container confined to a read-only / and a read-write /tmp can write /tmp
# and gets EACCES writing /etc (root and rootless, with and without noNewPrivileges, and
# for `exec`); best effort drops rights the ABI lacks (io.kakuri.landlock.abi caps it here,
# since this kernel knows every right) and disableBestEffort turns that into an error; a
# malformed ruleset fails at create naming the field and leaves nothing behind.
. "$(dirname "$0")/../../lib.sh"

ALL_RIGHTS='["execute","write_file","read_file","read_dir","remove_dir","remove_file","make_char","make_dir",
	"make_reg","make_sock","make_fifo","make_block","make_sym","refer","truncate","ioctl_dev"]'

# ll_ro_root_rw_tmp: the Landlock object: everything handled, / readable and executable,
# /tmp and /dev (for /dev/null) fully writable.
ll_ro_root_rw_tmp() {
	jq -nc --argjson all "$ALL_RIGHTS" '{
		ruleset: {handledAccessFS: $all},
		rules: {pathBeneath: [
			{allowedAccess: ["execute", "read_file", "read_dir"], paths: ["/"]},
			{allowedAccess: $all, paths: ["/tmp", "/dev"]}]}}'
}

# The probe: a write to /tmp, then to /etc, each reported with its outcome.
PROBE='if echo in-tmp >/tmp/kk-ll && [ "$(cat /tmp/kk-ll)" = in-tmp ]; then echo tmp-ok; else echo tmp-FAILED; fi
	if (echo x >/etc/kk-ll) 2>/tmp/kk-err; then echo etc-WRITTEN; else echo "etc: $(cat /tmp/kk-err)"; fi'

need_landlock() {
	kakuri_only "linux.landlock is a kakuri extension (runtime-spec proposal)" || return 1
	[ -n "${KK_LL_ABI:-}" ] || KK_LL_ABI=$(landlock_abi)
	[ "$KK_LL_ABI" -ge 1 ] 2>/dev/null && return 0
	if [ "$KK_LL_ABI" = unknown ]; then
		skip "test helper kk-escape not built (make)"
	else
		skip "this kernel has no Landlock"
	fi
	return 1
}

# landlock_abi: the kernel's Landlock ABI version (0: none), from the kk-escape helper.
landlock_abi() {
	local h
	h=$(helper_bin kk-escape) && "$h" landlock-abi && return
	echo unknown
}

# check_confined OUT ERR WHAT: the probe output of a confined container.
check_confined() {
	assert_contains "$1" tmp-ok "$3: write to /tmp" || return
	assert_not_contains "$1" etc-WRITTEN "$3: write to /etc" || return
	assert_contains "$1" "etc: " "$3: write to /etc" || return
	assert_contains "$1" "Permission denied" "$3: the /etc write error is EACCES"
}

run_confined() { # RT NNP(true|false) [--rootless]
	local run=$1 nnp=$2 b id
	b=$(new_bundle ${3:-}) || return
	id=$(new_id)
	set_args "$b" sh -c "$PROBE"
	# Control: without Landlock the container's root can write /etc.
	capture "$run" run -b "$b" "$id"
	assert_ok "run without Landlock" || return
	assert_contains "$OUT" etc-WRITTEN "control: /etc is writable without Landlock" || return
	rm -f "$b/rootfs/etc/kk-ll"
	id=$(new_id)
	jq_config "$b" '.linux.landlock = $ll | .process.noNewPrivileges = $nnp' \
		--argjson ll "$(ll_ro_root_rw_tmp)" --argjson nnp "$nnp" || return
	capture "$run" run -b "$b" "$id"
	assert_ok "run with linux.landlock" || return
	check_confined "$OUT" "$ERR" "noNewPrivileges=$nnp" || return
	[ ! -e "$b/rootfs/etc/kk-ll" ] || fail "the confined container created /etc/kk-ll in the rootfs"
}

test_root_nnp() {
	need_landlock || return 0
	run_confined rt true
}

test_root_no_nnp() {
	need_landlock || return 0
	run_confined rt false
}

test_rootless_nnp() {
	need_rootless || return 0
	need_landlock || return 0
	run_confined rl_rt true --rootless
}

test_rootless_no_nnp() {
	need_rootless || return 0
	need_landlock || return 0
	run_confined rl_rt false --rootless
}

test_annotation_form() {
	need_landlock || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c "$PROBE"
	jq_config "$b" '.annotations["io.kakuri.landlock"] = $ll' --arg ll "$(ll_ro_root_rw_tmp)" || return
	capture rt run -b "$b" "$id"
	assert_ok "run with the io.kakuri.landlock annotation" || return
	check_confined "$OUT" "$ERR" "annotation"
}

test_exec_is_confined() {
	need_landlock || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.landlock = $ll' --argjson ll "$(ll_ro_root_rw_tmp)" || return
	must rt run -d -b "$b" "$id" || return
	capture rt exec "$id" sh -c "$PROBE"
	assert_ok "exec in a Landlock container" || return
	check_confined "$OUT" "$ERR" "exec"
}

# Best effort: truncate is ABI 3. With the ABI capped at 2 it cannot be enforced: a warning
# names it and truncating a file in /etc works; at the kernel's own ABI it is refused.
test_best_effort_drops_unknown_right() {
	need_landlock || return 0
	[ "$KK_LL_ABI" -ge 3 ] || { skip "Landlock ABI $KK_LL_ABI has no truncate right"; return 0; }
	local b id ll
	ll='{"ruleset": {"handledAccessFS": ["truncate"]}, "rules": {"pathBeneath": [{"allowedAccess": ["truncate"], "paths": ["/tmp"]}]}}'
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'truncate -s 0 /etc/hostname 2>&1 && echo truncated'
	jq_config "$b" '.linux.landlock = $ll' --argjson ll "$ll" || return
	capture rt run -b "$b" "$id"
	assert_contains "$OUT" "Permission denied" "truncate at ABI $KK_LL_ABI" || return
	assert_eq kakuri "$(cat "$b/rootfs/etc/hostname")" "/etc/hostname after the refused truncate" || return
	id=$(new_id)
	jq_config "$b" '.annotations["io.kakuri.landlock.abi"] = "2"' || return
	capture rt run -b "$b" "$id"
	assert_ok "run with truncate handled on a (capped) ABI 2" || return
	assert_eq truncated "$OUT" "truncate is not enforced by ABI 2" || return
	assert_contains "$ERR" "lacks the access right 'truncate'" "best-effort warning"
}

test_disable_best_effort_is_an_error() {
	need_landlock || return 0
	local b id ll
	ll='{"ruleset": {"handledAccessFS": ["write_file", "truncate"]}, "disableBestEffort": true}'
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	jq_config "$b" '.linux.landlock = $ll | .annotations["io.kakuri.landlock.abi"] = "2"' --argjson ll "$ll" || return
	capture rt create -b "$b" "$id"
	assert_failed "create with disableBestEffort and a right the ABI lacks" || return
	assert_contains "$ERR" "linux.landlock: disableBestEffort is true but Landlock ABI 2" "error" || return
	assert_contains "$ERR" "'truncate'" "error names the right" || return
	leftovers_check "$id"
}

malformed() { # JQ-VALUE EXPECTED-ERROR
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	jq_config "$b" ".linux.landlock = $1" || return
	capture rt create -b "$b" "$id"
	assert_failed "create with linux.landlock = $1" || return
	assert_contains "$ERR" "$2" "error for $1" || return
	leftovers_check "$id"
}

test_malformed_rulesets() {
	kakuri_only "linux.landlock is a kakuri extension (runtime-spec proposal)" || return 0
	malformed '{"ruleset": {"handledAccessFS": ["write_file", "wirte_file"]}}' \
		"linux.landlock.ruleset.handledAccessFS[1]: unknown Landlock access right 'wirte_file'" || return
	malformed '{"ruleset": {"handledAccessFS": "write_file"}}' \
		"linux.landlock.ruleset.handledAccessFS: must be an array" || return
	malformed '{"ruleset": {"handledAccessFS": ["read_file"]}, "rules": {"pathBeneath": [{"allowedAccess": ["read_file"], "paths": ["etc"]}]}}' \
		"linux.landlock.rules.pathBeneath[0].paths[0]: 'etc' must be an absolute path" || return
	malformed '{"ruleset": {"handledAccessFS": ["read_file"]}, "rules": {"pathBeneath": [{"allowedAccess": ["write_file"], "paths": ["/"]}]}}' \
		"linux.landlock.rules.pathBeneath[0].allowedAccess[0]: 'write_file' is not in ruleset.handledAccessFS" || return
	malformed '{"disableBestEffort": 1}' "linux.landlock.disableBestEffort: must be a boolean" || return
	malformed '[]' "linux.landlock: must be an object"
}

test_malformed_annotation() {
	kakuri_only "io.kakuri.landlock is a kakuri annotation" || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	jq_config "$b" '.annotations["io.kakuri.landlock"] = "{\"rules\": {\"pathBeneath\": [1]}}"' || return
	capture rt create -b "$b" "$id"
	assert_failed "create with a malformed io.kakuri.landlock annotation" || return
	assert_contains "$ERR" 'annotations["io.kakuri.landlock"]: rules.pathBeneath[0]: must be an object' "error" || return
	leftovers_check "$id"
}

test_missing_rule_path() {
	need_landlock || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	jq_config "$b" '.linux.landlock = {"ruleset": {"handledAccessFS": ["read_file"]},
		"rules": {"pathBeneath": [{"allowedAccess": ["read_file"], "paths": ["/", "/kk-no-such-dir"]}]}}' || return
	capture rt run -b "$b" "$id"
	assert_failed "run with a rule path missing in the container" || return
	assert_contains "$ERR" "linux.landlock.rules.pathBeneath[0].paths[1] '/kk-no-such-dir'" "error names the path" || return
	leftovers_check "$id"
}

# The rule paths are resolved inside the container: a rootfs symlink to a host directory
# cannot make a rule grant access to that host path's inode.
test_rule_paths_resolve_in_root() {
	need_landlock || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	# On the host this would climb out of the rootfs to the host's /tmp.
	ln -s ../../../../../../../../../../tmp "$b/rootfs/kk-link"
	set_args "$b" sh -c 'echo x >/tmp/kk-ll-rootfs 2>/dev/null && echo rootfs-tmp-written; echo done'
	jq_config "$b" '.linux.landlock = {"ruleset": {"handledAccessFS": ["write_file", "make_reg"]},
		"rules": {"pathBeneath": [{"allowedAccess": ["write_file", "make_reg"], "paths": ["/kk-link", "/dev"]}]}}' || return
	capture rt run -b "$b" "$id"
	assert_ok "run with a rule path that is an escaping symlink" || return
	# /kk-link resolves (clamped) to the container's own /tmp, which is then writable.
	assert_eq "rootfs-tmp-written
done" "$OUT" "the rule applies to the container's /tmp" || return
	[ -e "$b/rootfs/tmp/kk-ll-rootfs" ] || fail "the write did not land in the rootfs' /tmp"
}

run_test "landlock: root, noNewPrivileges: read-only / + rw /tmp: /tmp writable, /etc EACCES" test_root_nnp
run_test "landlock: root, noNewPrivileges false (restricted with CAP_SYS_ADMIN before the uid switch): same confinement" test_root_no_nnp
run_test "landlock: rootless, noNewPrivileges: /tmp writable, /etc EACCES" test_rootless_nnp
run_test "landlock: rootless, noNewPrivileges false: /tmp writable, /etc EACCES" test_rootless_no_nnp
run_test "landlock: the io.kakuri.landlock annotation confines like linux.landlock" test_annotation_form
run_test "landlock: a process started by exec is confined by the container's ruleset" test_exec_is_confined
run_test "landlock: best effort drops a right the (capped) ABI lacks with a warning naming it" test_best_effort_drops_unknown_right
run_test "landlock: disableBestEffort with a right the ABI lacks fails create naming the right" test_disable_best_effort_is_an_error
run_test "landlock: malformed linux.landlock fails create naming the JSON field, nothing left behind" test_malformed_rulesets
run_test "landlock: a malformed io.kakuri.landlock annotation fails naming the annotation and field" test_malformed_annotation
run_test "landlock: a rule path missing inside the container is an error naming it" test_missing_rule_path
run_test "landlock: rule paths resolve inside the container root (an escaping symlink is clamped)" test_rule_paths_resolve_in_root
done_testing
