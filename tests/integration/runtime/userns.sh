#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# User namespaces: uid/gid maps written directly by root, the rootless single mapping
# (no helpers), rootless multi-range maps through newuidmap/newgidmap, and the errors when
# /etc/subuid does not allow a mapping.
. "$(dirname "$0")/../../lib.sh"

# squeeze: uid_map lines with runs of blanks collapsed ("0 100000 65536").
squeeze() { sed 's/^[[:space:]]*//; s/[[:space:]]\{1,\}/ /g'; }

userns_bundle() { # BUNDLE UIDMAPS-JSON GIDMAPS-JSON
	jq_config "$1" '.linux.namespaces |= (map(select(.type != "user")) + [{"type": "user"}])
		| .linux.uidMappings = $u | .linux.gidMappings = $g' --argjson u "$2" --argjson g "$3"
}

test_root_direct_mapping() {
	local b id m='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	b=$(new_bundle) || return
	id=$(new_id)
	userns_bundle "$b" "$m" "$m" || return
	set_args "$b" sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map; id -u; touch /tmp/made-inside'
	capture rt run -b "$b" "$id"
	assert_ok "run with a user namespace as root" || return
	assert_eq "0 100000 65536
0 100000 65536
0" "$(squeeze <<<"$OUT")" "uid_map, gid_map, uid inside"
	assert_eq "100000:100000" "$(stat -c %u:%g "$b/rootfs/tmp/made-inside" 2>&1)" \
		"host owner of a file created by container root"
}

test_root_mapping_nonroot_user() {
	local b id m='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	b=$(new_bundle) || return
	id=$(new_id)
	userns_bundle "$b" "$m" "$m" || return
	jq_config "$b" '.process.user = {"uid": 1000, "gid": 1000}' || return
	set_args "$b" sh -c 'touch /tmp/made-by-1000'
	capture rt run -b "$b" "$id"
	assert_ok "run as uid 1000 in a user namespace" || return
	assert_eq "101000:101000" "$(stat -c %u:%g "$b/rootfs/tmp/made-by-1000" 2>&1)" \
		"host owner of a file created by container uid 1000"
}

test_root_mapping_host_files_foreign() {
	local b id m='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	b=$(new_bundle) || return
	id=$(new_id)
	userns_bundle "$b" "$m" "$m" || return
	# The image belongs to host root, which is unmapped: container root sees the overflow
	# uid and cannot write to it.
	set_args "$b" sh -c 'stat -c %u /etc/hostname; echo x >>/etc/hostname && echo WROTE'
	capture rt run -b "$b" "$id"
	assert_eq 65534 "$(sed -n 1p <<<"$OUT")" "owner of a host-root file seen inside"
	assert_not_contains "$OUT" WROTE "output"
	assert_eq kakuri "$(cat "$b/rootfs/etc/hostname")" "host file content"
}

test_rootless_single_mapping() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	set_args "$b" sh -c 'cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups; id -u; touch /tmp/rl-made'
	# A PATH without newuidmap/newgidmap: the single mapping must not need them.
	_kk_track rootless run -b "$b" "$id"
	capture run_as_user env PATH=/kk-no-helpers KK_RT_MARK="$T_DIR" \
		"$(command -v timeout)" -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$KK_RL_ROOT" run -b "$b" "$id"
	assert_ok "rootless run with PATH lacking newuidmap" || return
	assert_eq "0 $KK_RL_UID 1
0 $KK_RL_GID 1
deny
0" "$(squeeze <<<"$OUT")" "uid_map, gid_map, setgroups, uid inside"
	assert_eq "$KK_RL_UID" "$(stat -c %u "$b/rootfs/tmp/rl-made" 2>&1)" "host owner of a file made inside"
}

test_rootless_multi_range() {
	need_rootless || return 0
	local b id u g
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	u=$(jq -nc --argjson id "$KK_RL_UID" '[{"containerID": 0, "hostID": $id, "size": 1},
		{"containerID": 1, "hostID": 100000, "size": 65536}]')
	g=$(jq -nc --argjson id "$KK_RL_GID" '[{"containerID": 0, "hostID": $id, "size": 1},
		{"containerID": 1, "hostID": 100000, "size": 65536}]')
	userns_bundle "$b" "$u" "$g" || return
	set_args "$b" sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map'
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run with two ranges" || return
	assert_eq "0 $KK_RL_UID 1
1 100000 65536
0 $KK_RL_GID 1
1 100000 65536" "$(squeeze <<<"$OUT")" "uid_map and gid_map inside"
}

test_rootless_multi_range_user() {
	need_rootless || return 0
	local b id u g
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	u=$(jq -nc --argjson id "$KK_RL_UID" '[{"containerID": 0, "hostID": $id, "size": 1},
		{"containerID": 1, "hostID": 100000, "size": 65536}]')
	g=$(jq -nc --argjson id "$KK_RL_GID" '[{"containerID": 0, "hostID": $id, "size": 1},
		{"containerID": 1, "hostID": 100000, "size": 65536}]')
	userns_bundle "$b" "$u" "$g" || return
	jq_config "$b" '.process.user = {"uid": 1000, "gid": 1000}' || return
	set_args "$b" sh -c 'id -u; id -g; touch /tmp/by-1000'
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run as uid 1000 with two ranges" || return
	assert_eq "1000
1000" "$OUT" "uid and gid inside"
	assert_eq "100999:100999" "$(stat -c %u:%g "$b/rootfs/tmp/by-1000" 2>&1)" "host owner of a file made by uid 1000"
}

# A mapping the user's /etc/subuid does not grant must fail cleanly.
rootless_denied() { # RT-USER-FUNC USER UID GID WHAT
	local user=$1 uid=$2 gid=$3 start=$4 b id u g
	b=$(KK_ROOTLESS_USER=$user new_bundle --rootless) || return
	id=$(new_id)
	u=$(jq -nc --argjson id "$uid" --argjson s "$start" '[{"containerID": 0, "hostID": $id, "size": 1},
		{"containerID": 1, "hostID": $s, "size": 65536}]')
	g=$(jq -nc --argjson id "$gid" --argjson s "$start" '[{"containerID": 0, "hostID": $id, "size": 1},
		{"containerID": 1, "hostID": $s, "size": 65536}]')
	userns_bundle "$b" "$u" "$g" || return
	set_args "$b" true
	capture rt_as "$user" run -b "$b" "$id"
	assert_failed "rootless run with a mapping not in /etc/subuid" || return
	if is_kakuri; then
		assert_contains "$ERR" /etc/subuid "error message"
		assert_contains "$ERR" "$user" "error message"
	else
		assert_ne "" "$ERR" "error message"
	fi
	leftovers_check "$id"
}

test_missing_subuid() {
	need_rootless || return 0
	[ -n "$KK_NOSUB_USER" ] && id -u "$KK_NOSUB_USER" >/dev/null 2>&1 || {
		skip "no user without subordinate ids (run.sh makes $KK_NOSUB_USER)"
		return
	}
	if grep -q "^$KK_NOSUB_USER:" /etc/subuid 2>/dev/null; then
		skip "$KK_NOSUB_USER has an /etc/subuid range"
		return
	fi
	rootless_denied "$KK_NOSUB_USER" "$(id -u "$KK_NOSUB_USER")" "$(id -g "$KK_NOSUB_USER")" 100000
}

test_subuid_range_not_granted() {
	need_rootless || return 0
	# kktest owns 100000-165535; 300000 is outside it.
	rootless_denied "$KK_ROOTLESS_USER" "$KK_RL_UID" "$KK_RL_GID" 300000
}

test_root_setgroups_allowed() {
	local b id m='[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	b=$(new_bundle) || return
	id=$(new_id)
	userns_bundle "$b" "$m" "$m" || return
	jq_config "$b" '.process.user = {"uid": 0, "gid": 0, "additionalGids": [10, 20]}' || return
	set_args "$b" sh -c 'cat /proc/self/setgroups; grep ^Groups: /proc/self/status'
	capture rt run -b "$b" "$id"
	assert_ok "run" || return
	assert_eq allow "$(sed -n 1p <<<"$OUT")" "setgroups with a full mapping written by root"
	assert_eq "10 20" "$(sed -n 2p <<<"$OUT" | awk '{ $1 = ""; sub(/^ /, ""); print }')" "supplementary groups"
}

test_already_in_userns() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	# No user namespace in config.json, but the runtime itself runs in one (as under a
	# rootless engine or in a CI sandbox): devices must be bound, not mknod'ed, and the
	# cgroup set-up must behave as rootless.
	jq_config "$b" '.linux.namespaces |= map(select(.type != "user" and .type != "cgroup"))
		| del(.linux.cgroupsPath)' || return
	set_args "$b" sh -c 'stat -c "%t:%T %F" /dev/null; cat /proc/self/uid_map'
	capture unshare -Ur --mount timeout -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$T_DIR/nsroot" run -b "$b" "$id"
	assert_ok "run inside unshare -Ur" || return
	assert_eq "1:3 character special file" "$(sed -n 1p <<<"$OUT")" "/dev/null is the host's node"
	assert_eq "0 0 1" "$(sed -n 2p <<<"$OUT" | squeeze)" "the outer namespace's map"
}

run_test "root: maps written directly (uid_map shows 0 100000 65536); container root's files are host uid 100000" test_root_direct_mapping
run_test "root: container uid 1000 creates files as host uid 101000" test_root_mapping_nonroot_user
run_test "root: container root cannot write image files owned by unmapped host root" test_root_mapping_host_files_foreign
run_test "root: setgroups stays allowed and additionalGids apply in a mapped user namespace" test_root_setgroups_allowed
run_test "root inside an existing user namespace, config without one: devices are bound, cgroups rootless" test_already_in_userns
run_test "rootless: single mapping 0 -> own uid works without newuidmap; setgroups is deny" test_rootless_single_mapping
run_test "rootless: two ranges through newuidmap/newgidmap show in uid_map/gid_map" test_rootless_multi_range
run_test "rootless: container uid 1000 maps to subordinate host uid 100999" test_rootless_multi_range_user
run_test "rootless: a user without /etc/subuid ranges gets a clear error (kakuri: names /etc/subuid and the user)" test_missing_subuid
run_test "rootless: a range outside the user's /etc/subuid grant fails and leaves nothing" test_subuid_range_not_granted
done_testing
