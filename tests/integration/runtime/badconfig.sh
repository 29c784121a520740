#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Invalid configurations: each must fail create with a non-zero status and leave no state
# dir, mount or process behind. kakuri must also print exactly one error line naming the
# offending field (for other runtimes only the failure is asserted).
. "$(dirname "$0")/../../lib.sh"

# bad_config FIELD JQ-FILTER [JQ OPTIONS...]: create with the edited config must fail.
bad_config() {
	local field=$1 filter=$2 b id
	shift 2
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true || return
	jq_config "$b" "$filter" "$@" || return
	expect_create_fails "$b" "$id" "$field"
}

expect_create_fails() { # BUNDLE ID FIELD
	local b=$1 id=$2 field=$3
	capture rt create -b "$b" "$id"
	assert_failed "create with a bad $field" || return
	assert_ne "" "$ERR" "error message"
	if is_kakuri; then
		assert_contains "$ERR" "$field" "error message"
		assert_eq 1 "$(grep -c . <<<"$ERR")" "number of error lines"
	fi
	capture rt state "$id"
	assert_failed "state of the container whose create failed"
	leftovers_check "$id"
}

test_unknown_namespace() { bad_config linux.namespaces '.linux.namespaces += [{"type": "bogus"}]'; }
test_duplicate_namespace() { bad_config linux.namespaces '.linux.namespaces += [{"type": "pid"}]'; }
test_args_not_array() { bad_config process.args '.process.args = "sh -c true"'; }
test_args_empty() { bad_config process.args '.process.args = []'; }
test_cwd_relative() { bad_config process.cwd '.process.cwd = "tmp"'; }
test_root_missing() { bad_config root.path '.root.path = "no-such-rootfs"'; }
test_root_absent() { bad_config root 'del(.root)'; }
test_mount_no_destination() { bad_config 'mounts[' '.mounts += [{"type": "tmpfs", "source": "tmpfs"}]'; }
test_cap_unknown() {
	if ! is_kakuri; then
		skip "runc 1.1 only warns about unknown capability names"
		return
	fi
	bad_config process.capabilities.bounding '.process.capabilities.bounding += ["CAP_BOGUS"]'
}

test_rlimit_unknown() { bad_config process.rlimits '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'; }
test_rlimit_soft_above_hard() {
	bad_config process.rlimits '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 10}]'
}

test_mount_dotdot_escape() {
	local b id n
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	mkdir -p "$T_DIR/escape-probe"
	jq_config "$b" '.mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]' \
		--arg d "/../../../../../..$T_DIR/escape-probe/kk-escaped" || return
	n=$(jq '.mounts | length - 1' "$b/config.json")
	capture rt create -b "$b" "$id"
	# Whatever the runtime does, nothing may appear outside the rootfs.
	[ ! -e "$T_DIR/escape-probe/kk-escaped" ] || fail "the mount destination escaped the rootfs"
	if is_kakuri; then
		assert_failed "create with a mount destination containing .." || return
		assert_contains "$ERR" "mounts[$n]" "error message"
		assert_eq 1 "$(grep -c . <<<"$ERR")" "number of error lines"
	elif [ "$RC" = 0 ]; then
		diag "note: $KK_RUNTIME_NAME accepted the destination (resolved inside the rootfs)"
		must rt delete --force "$id"
	fi
	leftovers_check "$id"
}

test_invalid_json() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	head -c 40 "$b/config.json" >"$b/config.json.tmp" && mv "$b/config.json.tmp" "$b/config.json"
	expect_create_fails "$b" "$id" config.json
}

test_missing_config() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	rm -f "$b/config.json"
	expect_create_fails "$b" "$id" config.json
}

bad_version() { # VERSION
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	jq_config "$b" '.ociVersion = $v' --arg v "$1" || return
	capture rt create -b "$b" "$id"
	if [ "$RC" = 0 ] && ! is_kakuri; then
		skip "$KK_RUNTIME_NAME does not validate ociVersion"
		return
	fi
	capture rt delete --force "$id"
	expect_create_fails "$b" "$id" ociVersion
}
test_oci_version_garbage() { bad_version banana; }
test_oci_version_major() { bad_version 2.0.0; }

test_rootless_bad_config() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.process.args = "not-an-array"' || return
	capture rl_rt create -b "$b" "$id"
	assert_failed "rootless create with a bad process.args" || return
	is_kakuri && assert_contains "$ERR" process.args "error message"
	leftovers_check "$id"
}

test_failed_create_keeps_other_containers() {
	local good bad idg idb
	good=$(new_bundle) || return
	bad=$(new_bundle) || return
	idg=$(new_id good)
	idb=$(new_id bad)
	must rt run -d -b "$good" "$idg" || return
	jq_config "$bad" '.linux.namespaces += [{"type": "bogus"}]' || return
	capture rt create -b "$bad" "$idb"
	assert_failed "create with a bad config" || return
	assert_eq running "$(state_field rt "$idg" .status)" "status of an unrelated container"
}

run_test "unknown namespace type fails (kakuri: names linux.namespaces)" test_unknown_namespace
run_test "duplicate namespace type fails (kakuri: names linux.namespaces)" test_duplicate_namespace
run_test "process.args that is not an array fails (kakuri: names process.args)" test_args_not_array
run_test "empty process.args fails (kakuri: names process.args)" test_args_empty
run_test "relative process.cwd fails (kakuri: names process.cwd)" test_cwd_relative
run_test "missing rootfs directory fails (kakuri: names root.path)" test_root_missing
run_test "config without root fails (kakuri: names root)" test_root_absent
run_test "mount without destination fails (kakuri: names mounts[N])" test_mount_no_destination
run_test "mount destination escaping via .. never lands outside the rootfs (kakuri: rejected, names mounts[N])" test_mount_dotdot_escape
run_test "unknown rlimit type fails (kakuri: names process.rlimits)" test_rlimit_unknown
run_test "rlimit soft above hard fails (kakuri: names process.rlimits)" test_rlimit_soft_above_hard
run_test "unknown capability name fails (kakuri: names process.capabilities.bounding)" test_cap_unknown
run_test "invalid JSON fails (kakuri: names config.json)" test_invalid_json
run_test "missing config.json fails (kakuri: names config.json)" test_missing_config
run_test "ociVersion 'banana' fails (kakuri: names ociVersion)" test_oci_version_garbage
run_test "ociVersion 2.0.0 (unsupported major) fails (kakuri: names ociVersion)" test_oci_version_major
run_test "rootless: a bad config fails and leaves nothing behind" test_rootless_bad_config
run_test "a failed create leaves other containers alone" test_failed_create_keeps_other_containers
done_testing
