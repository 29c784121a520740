#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: inheritable capabilities (CVE-2022-29162, CVE-2022-27650).
# runc and crun gave the container process a non-empty inheritable set, so a binary with
# file capabilities "+ei" gained them on exec even as a non-root user. Here a copy of
# kk-caps in the image carries `setcap cap_net_bind_service,cap_sys_admin+ei`; run as a
# non-root user (with and without noNewPrivileges, through run and exec) it must come up
# with empty CapInh, CapPrm, CapEff and CapAmb; as root it must not gain CAP_SYS_ADMIN.
. "$(dirname "$0")/../../lib.sh"

CAP_SYS_ADMIN_BIT=21
CAP_NET_BIND_SERVICE_BIT=10

# fcap_bundle [--rootless]: a bundle whose /bin/kk-caps-fcap has the file capabilities.
fcap_bundle() {
	local b
	command -v setcap >/dev/null || { skip "setcap not installed (libcap2-bin)"; return 1; }
	b=$(new_bundle "$@") || return 1
	install_helper "$b" kk-caps || return 1
	cp "$b/rootfs/bin/kk-caps" "$b/rootfs/bin/kk-caps-fcap"
	if ! setcap cap_net_bind_service,cap_sys_admin+ei "$b/rootfs/bin/kk-caps-fcap" 2>"$T_DIR/setcap.err"; then
		skip "setcap failed on the bundle's filesystem: $(cat "$T_DIR/setcap.err")"
		return 1
	fi
	[ "${1:-}" = --rootless ] && chown -h "$KK_RL_UID:$KK_RL_GID" "$b/rootfs/bin/kk-caps" "$b/rootfs/bin/kk-caps-fcap" &&
		setcap cap_net_bind_service,cap_sys_admin+ei "$b/rootfs/bin/kk-caps-fcap"
	echo "$b"
}

hex_has_bit() { # HEX BIT
	(((0x$1 >> $2) & 1))
}

# check_no_gain OUT WHAT UID
check_no_gain() {
	local out=$1 what=$2 uid=$3 f v
	assert_contains "$out" "CapEff:" "$what: kk-caps output" || return
	if [ "$uid" != 0 ]; then
		for f in CapInh CapPrm CapEff CapAmb; do
			v=$(proc_status_field "$out" "$f")
			assert_eq 0000000000000000 "$v" "$what: $f of the +ei binary run as uid $uid" || return
		done
	else
		assert_eq 0000000000000000 "$(proc_status_field "$out" CapInh)" "$what: CapInh as root" || return
		for f in CapPrm CapEff; do
			v=$(proc_status_field "$out" "$f")
			! hex_has_bit "$v" $CAP_SYS_ADMIN_BIT || fail "$what: $f $v has CAP_SYS_ADMIN" || return
		done
	fi
}

run_fcap() { # RT NNP UID [--rootless]
	local run=$1 nnp=$2 uid=$3 b id
	b=$(fcap_bundle ${4:-}) || return 0
	id=$(new_id)
	jq_config "$b" '.process.user = {"uid": $u, "gid": $u} | .process.noNewPrivileges = $n' \
		--argjson u "$uid" --argjson n "$nnp" || return
	set_args "$b" /bin/kk-caps-fcap
	capture "$run" run -b "$b" "$id"
	assert_ok "run the +ei binary as uid $uid (noNewPrivileges $nnp)" || return
	check_no_gain "$OUT" "run, noNewPrivileges $nnp" "$uid"
}

test_nonroot_no_nnp() { run_fcap rt false 1000; }
test_nonroot_nnp() { run_fcap rt true 1000; }
test_root_no_nnp() { run_fcap rt false 0; }

test_exec_nonroot() {
	local b id
	b=$(fcap_bundle) || return 0
	id=$(new_id)
	jq_config "$b" '.process.noNewPrivileges = false' || return
	must rt run -d -b "$b" "$id" || return
	capture rt exec --user 1000:1000 "$id" /bin/kk-caps-fcap
	assert_ok "exec of the +ei binary as uid 1000" || return
	check_no_gain "$OUT" "exec --user 1000" 1000 || return
	# An exec'd root process has an empty inheritable set too.
	capture rt exec "$id" /bin/kk-caps
	assert_ok "exec of kk-caps as root" || return
	assert_eq 0000000000000000 "$(proc_status_field "$OUT" CapInh)" "CapInh of an exec'd root process"
}

test_rootless_nonroot() {
	need_rootless || return 0
	local b id
	b=$(fcap_bundle --rootless) || return 0
	id=$(new_id)
	# A rootless single-id mapping has only uid 0; map a range when the user has one.
	jq_config "$b" '.process.noNewPrivileges = false' || return
	set_args "$b" /bin/kk-caps-fcap
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run of the +ei binary" || return
	check_no_gain "$OUT" "rootless, as the container's root" 0
}

run_test "CVE-2022-29162 +ei file caps, uid 1000, noNewPrivileges false: CapInh/CapPrm/CapEff/CapAmb all empty" test_nonroot_no_nnp
run_test "CVE-2022-29162 +ei file caps, uid 1000, noNewPrivileges true: nothing gained" test_nonroot_nnp
run_test "CVE-2022-29162 +ei file caps as root: CapInh empty, no CAP_SYS_ADMIN" test_root_no_nnp
run_test "CVE-2022-27650 exec --user 1000 of a +ei binary: nothing gained; exec'd root has CapInh empty" test_exec_nonroot
run_test "CVE-2022-29162 +ei file caps, rootless: CapInh empty, no CAP_SYS_ADMIN" test_rootless_nonroot
done_testing
