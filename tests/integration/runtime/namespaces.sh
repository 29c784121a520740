#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# linux.namespaces: each new namespace differs from the host's, read from inside the
# container; joining existing namespaces by path.
. "$(dirname "$0")/../../lib.sh"

# ns_inside RT BUNDLE ID TYPE...: runs the bundle and prints "TYPE LINK" per namespace type.
ns_inside() {
	local run=$1 b=$2 id=$3
	shift 3
	set_args "$b" sh -c 'for t; do echo "$t $(readlink /proc/self/ns/$t)"; done' sh "$@"
	capture "$run" run -b "$b" "$id"
}

# new_ns_differs TYPE [CONFIG-NS-TYPE]: a container with a new TYPE namespace sees a
# different /proc/self/ns/TYPE than the host.
new_ns_differs() {
	local t=$1 ct=${2:-$1} b id link
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.namespaces |= ((map(select(.type != $t))) + [{"type": $t}])' --arg t "$ct" || return
	ns_inside rt "$b" "$id" "$t"
	assert_ok "run with a new $ct namespace" || return
	link=$(awk -v t="$t" '$1 == t { print $2 }' <<<"$OUT")
	assert_match "^$t:\[[0-9]+\]$" "$link" "/proc/self/ns/$t inside" || return
	assert_ne "$(host_ns "$t")" "$link" "$t namespace inside vs host"
}

test_pid_ns() {
	new_ns_differs pid || return
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'echo $$; ps -o pid= 2>/dev/null | wc -l'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq 1 "$(sed -n 1p <<<"$OUT")" "pid of the container process inside"
}

test_uts_ns() {
	new_ns_differs uts || return
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.hostname = "kk-host"' || return
	set_args "$b" hostname
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq kk-host "$OUT" "hostname inside"
	assert_ne kk-host "$(hostname)" "host hostname (must be untouched)"
}

test_domainname() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.hostname = "kk-host" | .domainname = "kk.example"' || return
	set_args "$b" cat /proc/sys/kernel/domainname
	capture rt run -b "$b" "$id"
	assert_ok run || return
	if [ "$OUT" = "(none)" ] && ! is_kakuri; then
		skip "$KK_RUNTIME_NAME ignores domainname (runtime-spec 1.1)"
		return
	fi
	assert_eq kk.example "$OUT" "domainname inside"
	assert_ne kk.example "$(cat /proc/sys/kernel/domainname)" "host domainname (must be untouched)"
}

test_ipc_ns() { new_ns_differs ipc; }
test_mount_ns() { new_ns_differs mnt mount; }
test_cgroup_ns() { new_ns_differs cgroup; }

test_net_ns_only_lo() {
	new_ns_differs net network || return
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_eq lo "$OUT" "network interfaces inside" || return
	# ... and it is up, as with runc and crun: 127.0.0.1 works in a fresh namespace.
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'ip -o link show lo'
	capture rt run -b "$b" "$id"
	assert_ok run || return
	assert_match 'lo: <[^>]*[<,]UP[,>]' "$OUT" "the loopback of a new network namespace is up"
}

test_user_ns() {
	local b id link
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' || return
	ns_inside rt "$b" "$id" user
	assert_ok "run with a new user namespace" || return
	link=$(awk '$1 == "user" { print $2 }' <<<"$OUT")
	assert_match '^user:\[[0-9]+\]$' "$link" "/proc/self/ns/user inside" || return
	assert_ne "$(host_ns user)" "$link" "user namespace inside vs host"
}

test_time_ns() {
	if ! runtime_has_ns time; then
		kakuri_only "no time namespace in features" || return 0
	fi
	local b id up host_up
	b=$(new_bundle) || return
	id=$(new_id)
	# 10 days of boottime and 5 days of monotonic offset.
	jq_config "$b" '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"boottime": {"secs": 864000, "nanosecs": 0},
		                        "monotonic": {"secs": 432000, "nanosecs": 0}}' || return
	set_args "$b" sh -c 'readlink /proc/self/ns/time; cut -d. -f1 /proc/uptime'
	host_up=$(cut -d. -f1 /proc/uptime)
	capture rt run -b "$b" "$id"
	assert_ok "run with a time namespace" || return
	assert_ne "$(host_ns time)" "$(sed -n 1p <<<"$OUT")" "time namespace inside vs host"
	up=$(sed -n 2p <<<"$OUT")
	assert_match '^[0-9]+$' "$up" "uptime inside" || return
	if [ "$up" -lt $((host_up + 864000)) ] || [ "$up" -gt $((host_up + 864000 + 60)) ]; then
		fail "uptime inside is $up s, expected host's $host_up s + 864000 s (boottime offset)"
	fi
}

test_join_netns_path() {
	local name=kk-$$-$RANDOM b id ino inside
	command -v ip >/dev/null || {
		skip "ip (iproute2) not installed"
		return
	}
	must ip netns add "$name" || return
	defer "ip netns del $name"
	ino=$(stat -L -c %i "/run/netns/$name")
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.namespaces |= (map(select(.type != "network")) + [{"type": "network", "path": $p}])' \
		--arg p "/run/netns/$name" || return
	ns_inside rt "$b" "$id" net
	assert_ok "run joining /run/netns/$name" || return
	inside=$(awk '$1 == "net" { print $2 }' <<<"$OUT")
	assert_eq "net:[$ino]" "$inside" "network namespace inside vs /run/netns/$name"
}

test_join_uts_of_other_container() {
	local ba bb ida idb pid
	ba=$(new_bundle) || return
	bb=$(new_bundle) || return
	ida=$(new_id a)
	idb=$(new_id b)
	jq_config "$ba" '.hostname = "kk-first"' || return
	must rt run -d -b "$ba" "$ida" || return
	pid=$(ctr_pid rt "$ida") || { fail "no pid for $ida"; return; }
	# No hostname in the joining container: setting one would rename the first one's.
	jq_config "$bb" 'del(.hostname) | .linux.namespaces |= (map(select(.type != "uts")) + [{"type": "uts", "path": $p}])' \
		--arg p "/proc/$pid/ns/uts" || return
	set_args "$bb" sh -c 'hostname; readlink /proc/self/ns/uts'
	capture rt run -b "$bb" "$idb"
	assert_ok "run joining the first container's uts namespace" || return
	assert_eq "kk-first" "$(sed -n 1p <<<"$OUT")" "hostname seen in the joining container"
	assert_eq "$(readlink "/proc/$pid/ns/uts")" "$(sed -n 2p <<<"$OUT")" "uts namespace link"
}

test_no_ns_shares_host() {
	local b id
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.namespaces |= map(select(.type != "network"))' || return
	ns_inside rt "$b" "$id" net
	assert_ok "run without a network namespace" || return
	assert_eq "$(host_ns net)" "$(awk '$1 == "net" { print $2 }' <<<"$OUT")" \
		"network namespace is the host's when none is configured"
}

test_rootless_namespaces() {
	need_rootless || return 0
	local b id t link
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.linux.namespaces |= (map(select(.type != "network" and .type != "cgroup"))
		+ [{"type": "network"}, {"type": "cgroup"}])' || return
	ns_inside rl_rt "$b" "$id" user mnt pid ipc uts net cgroup
	assert_ok "rootless run" || return
	for t in user mnt pid ipc uts net cgroup; do
		link=$(awk -v t="$t" '$1 == t { print $2 }' <<<"$OUT")
		assert_match "^$t:\[[0-9]+\]$" "$link" "$t link inside" || continue
		assert_ne "$(host_ns "$t")" "$link" "rootless $t namespace vs host"
	done
}

test_rootless_uts() {
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.hostname = "kk-rootless"' || return
	set_args "$b" hostname
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run" || return
	assert_eq kk-rootless "$OUT" "hostname inside"
}

run_test "pid: new namespace differs from the host's; the process is pid 1" test_pid_ns
run_test "uts: new namespace; hostname comes from the config" test_uts_ns
run_test "uts: domainname comes from the config" test_domainname
run_test "ipc: new namespace differs from the host's" test_ipc_ns
run_test "mount: new namespace differs from the host's" test_mount_ns
run_test "cgroup: new namespace differs from the host's" test_cgroup_ns
run_test "network: new namespace holds only lo, and it is up" test_net_ns_only_lo
run_test "user: new namespace differs from the host's" test_user_ns
run_test "time: new namespace; timeOffsets shift /proc/uptime by the boottime offset" test_time_ns
run_test "network path: joins a netns from 'ip netns add' (same inode)" test_join_netns_path
run_test "uts path: joins another container's /proc/PID/ns/uts and sees its hostname" test_join_uts_of_other_container
run_test "a namespace type absent from the config is shared with the host" test_no_ns_shares_host
run_test "rootless: user, mount, pid, ipc, uts, network, cgroup namespaces all differ from the host's" test_rootless_namespaces
run_test "rootless: hostname from the config" test_rootless_uts
done_testing
