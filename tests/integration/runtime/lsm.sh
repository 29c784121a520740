#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# LSM labels: process.apparmorProfile, process.selinuxLabel, linux.mountLabel, and exec's
# --apparmor/--process-label. On a host where the LSM is not active (this test machine
# has neither AppArmor nor SELinux) a label request fails create/exec with an error naming
# the field, unless the annotation io.kakuri.lsm.optional=true marks labels optional (then
# a warning, and the container runs); an apparmorProfile of "unconfined" is what such a
# host gives anyway and is accepted. Where the LSM is active, the label is checked from
# /proc/PID/attr of the container process.
. "$(dirname "$0")/../../lib.sh"

lsm_active() { # NAME: apparmor or selinux, from the runtime's point of view
	case $1 in
	apparmor) [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] ;;
	selinux) [ -e /sys/fs/selinux/enforce ] ;;
	esac
}

# refused FIELD-JQ WANT-ERROR LSM
refused() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" true
	jq_config "$b" "$1" || return
	capture rt create -b "$b" "$id"
	assert_failed "create with $1 and $3 inactive" || return
	assert_contains "$ERR" "$2" "the error names the field" || return
	leftovers_check "$id"
}

test_labels_refused_without_lsm() {
	kakuri_only "the label checks are kakuri's" || return 0
	if ! lsm_active apparmor; then
		refused '.process.apparmorProfile = "kk-profile"' \
			"process.apparmorProfile 'kk-profile': AppArmor is not enabled on this host" AppArmor || return
	fi
	if ! lsm_active selinux; then
		refused '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"' \
			"process.selinuxLabel 'system_u:system_r:container_t:s0:c1,c2': SELinux is not enabled on this host" SELinux || return
		refused '.linux.mountLabel = "system_u:object_r:container_file_t:s0"' \
			"linux.mountLabel 'system_u:object_r:container_file_t:s0': SELinux is not enabled on this host" SELinux || return
	fi
	refused '.annotations["io.kakuri.lsm.optional"] = "maybe" | .process.apparmorProfile = "x"' \
		'annotations["io.kakuri.lsm.optional"]' "(bad annotation)"
}

test_optional_labels_warn() {
	kakuri_only "io.kakuri.lsm.optional is kakuri's" || return 0
	lsm_active apparmor && lsm_active selinux && { skip "both LSMs are active"; return 0; }
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" echo ran
	jq_config "$b" '.annotations["io.kakuri.lsm.optional"] = "true" | .process.apparmorProfile = "kk-profile"
		| .process.selinuxLabel = "system_u:system_r:container_t:s0" | .linux.mountLabel = "system_u:object_r:container_file_t:s0"' || return
	capture rt run -b "$b" "$id"
	assert_ok "run with optional labels" || return
	assert_eq ran "$OUT" "the container ran" || return
	assert_contains "$ERR" "warning" "a warning for the skipped label"
}

test_unconfined_without_apparmor() {
	lsm_active apparmor && { skip "AppArmor is active"; return 0; }
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" echo ran
	jq_config "$b" '.process.apparmorProfile = "unconfined"' || return
	capture rt run -b "$b" "$id"
	assert_ok "run with apparmorProfile unconfined on a host without AppArmor" || return
	assert_eq ran "$OUT" "the container ran"
}

test_exec_labels() {
	kakuri_only "the label checks are kakuri's" || return 0
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	must rt run -d -b "$b" "$id" || return
	if ! lsm_active apparmor; then
		capture rt exec --apparmor kk-profile "$id" true
		assert_failed "exec --apparmor without AppArmor" || return
		assert_contains "$ERR" "process.apparmorProfile 'kk-profile': AppArmor is not enabled" "error" || return
	fi
	if ! lsm_active selinux; then
		capture rt exec --process-label system_u:system_r:container_t:s0 "$id" true
		assert_failed "exec --process-label without SELinux" || return
		assert_contains "$ERR" "SELinux is not enabled" "error" || return
	fi
	capture rt exec "$id" echo plain
	assert_eq plain "$OUT" "an exec without labels still works"
}

# Where the LSM is active: the container process carries the label.
test_label_applied() {
	local b id pid attr
	if lsm_active apparmor; then
		b=$(new_bundle) || return
		id=$(new_id)
		jq_config "$b" '.process.apparmorProfile = "unconfined"' || return
		must rt run -d -b "$b" "$id" || return
		pid=$(ctr_pid rt "$id") || return
		attr=$(cat "/proc/$pid/attr/apparmor/current" 2>/dev/null || cat "/proc/$pid/attr/current")
		assert_contains "$attr" unconfined "the init's AppArmor label"
	elif lsm_active selinux; then
		skip "SELinux is active but no container label is known to be loaded"
	else
		skip "neither AppArmor nor SELinux is active on this host"
	fi
}

run_test "labels for an inactive LSM (apparmorProfile, selinuxLabel, mountLabel) fail create naming the field" test_labels_refused_without_lsm
run_test "io.kakuri.lsm.optional=true: labels for an inactive LSM warn and the container runs" test_optional_labels_warn
run_test "apparmorProfile 'unconfined' on a host without AppArmor is accepted" test_unconfined_without_apparmor
run_test "exec --apparmor / --process-label for an inactive LSM fail naming the field" test_exec_labels
run_test "with the LSM active the container process carries the requested label" test_label_applied
done_testing
