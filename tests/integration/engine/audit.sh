#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kakuri audit, audit --host and inspect --namespaces, against the kernel's own view:
#   six containers, one per defense-in-depth tier (privileged+root, privileged+user,
#   rootful+root, rootful+user, rootless+root, rootless+user): the tier and exactly the
#   expected findings; -v /:/rootfs with SYS_CHROOT, seccomp=unconfined, --read-only and
#   limits; processes kakuri did not start (unshare as the rootless user and as root, a
#   podman/runc container) audited by --pid; --fail-on exit codes and errors; --host values
#   true to this host; the namespace view against /proc/PID/ns.
# Every JSON output is checked by python3's parser before jq reads it.
. "$(dirname "$0")/common.bash"

modes_env

# run_d MODE NAME [OPTIONS...]: a detached `sleep` container (no network: fast, and the
# network namespace is its own).
run_d() {
	local mode=$1 name=$2
	shift 2
	must K "$mode" run -d --name "$name" --network none "${MARK[@]}" "$@" "$IMG" sleep 1000
}

# audit_json MODE ARGS...: `audit --format json ARGS`, validated by python3 (sets OUT, RC).
audit_json() {
	local mode=$1
	shift
	capture K "$mode" audit --format json "$@"
	if ! python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" 2>/dev/null; then
		fail "audit output is not valid JSON"
		_kk_context
		return 1
	fi
}

fids() { jq -r '[.[0].findings[].id] | sort | join(" ")' <<<"$OUT"; }
fsev() { jq -r --arg id "$1" '[.[0].findings[] | select(.id == $id) | .severity] | join(",")' <<<"$OUT"; }
fremedy() { jq -r --arg id "$1" '.[0].findings[] | select(.id == $id) | .remedy' <<<"$OUT"; }
sorted() { tr ' ' '\n' <<<"$*" | grep . | sort | tr '\n' ' ' | sed 's/ $//'; }

# The cap-* findings a container holding every capability of this host's bounding set
# should get: decoded here, independently of kakuri, from /proc/self/status.
CAP_NAMES=(chown dac-override dac-read-search fowner fsetid kill setgid setuid setpcap linux-immutable
	net-bind-service net-broadcast net-admin net-raw ipc-lock ipc-owner sys-module sys-rawio sys-chroot
	sys-ptrace sys-pacct sys-admin sys-boot sys-nice sys-resource sys-time sys-tty-config mknod lease
	audit-write audit-control setfcap mac-override mac-admin syslog wake-alarm block-suspend audit-read
	perfmon bpf checkpoint-restore)
extra_cap_ids() {
	local bnd i out=""
	bnd=$((16#$(awk '/^CapBnd/ { print $2 }' /proc/self/status)))
	for i in "${!CAP_NAMES[@]}"; do
		(((bnd >> i) & 1)) || continue
		((16#800405fb >> i & 1)) && continue
		out="$out cap-${CAP_NAMES[$i]}"
	done
	echo "$out"
}

# check_tier MODE NAME TIER MODE-NAME EXPECTED-FINDINGS...
check_tier() {
	local mode=$1 name=$2 tier=$3 mname=$4
	shift 4
	audit_json "$mode" "$name" || return 1
	assert_ok "audit $name" || return 1
	assert_eq "$tier" "$(jq -r '.[0].tier' <<<"$OUT")" "$name: tier" || return 1
	assert_eq "$mname" "$(jq -r '.[0].mode' <<<"$OUT")" "$name: mode" || return 1
	assert_ne "" "$(jq -r '.[0].reason' <<<"$OUT")" "$name: a reason line" || return 1
	assert_eq "$(sorted "$@")" "$(fids)" "$name: exactly these findings"
}

test_tier1_privileged_root() {
	setup root || return 0
	run_d root t1 --privileged || return
	check_tier root t1 1 privileged privileged seccomp-off sys-rw cgroup-rw devices-extra masked-paths-off \
		readonly-paths-off rootfs-writable no-memory-limit no-cpu-limit $(extra_cap_ids) || return
	assert_eq critical "$(fsev privileged)" "tier 1 is critical" || return
	assert_eq critical "$(fsev cap-sys-admin)" "SYS_ADMIN is critical" || return
	assert_eq high "$(fsev devices-extra)" "host block devices: high" || return
	assert_eq "true 0 0" "$(jq -r '.[0] | "\(.rootInside) \(.layers.userNamespace.hostUidOfRoot) \(.layers.seccomp.mode)"' <<<"$OUT")" \
		"root inside, container root = host uid 0, seccomp mode 0"
}

test_tier2_privileged_user() {
	setup root || return 0
	run_d root t2 --privileged -u 1000 || return
	# kakuri gives a non-root user the capabilities added by name (here all) as ambient,
	# so it holds them; inheritable is flagged with them.
	check_tier root t2 2 privileged privileged seccomp-off sys-rw cgroup-rw devices-extra masked-paths-off \
		readonly-paths-off rootfs-writable no-memory-limit no-cpu-limit caps-inheritable $(extra_cap_ids) || return
	assert_eq high "$(fsev privileged)" "tier 2 is high" || return
	assert_eq "false 1000" "$(jq -r '.[0] | "\(.rootInside) \(.layers.userNamespace.uidInside)"' <<<"$OUT")" "uid 1000 inside"
}

test_tier3_rootful_root() {
	setup root || return 0
	run_d root t3 || return
	check_tier root t3 3 rootful host-root rootfs-writable no-memory-limit no-cpu-limit || return
	assert_eq "2 true" "$(jq -r '.[0].layers | "\(.seccomp.mode) \(.noNewPrivs)"' <<<"$OUT")" "seccomp filter, no_new_privs" || return
	assert_eq "2048" "$(jq -r '.[0].layers.cgroup.pids.limit' <<<"$OUT")" "containers.conf's default pids limit, read from the cgroup" || return
	assert_eq "0" "$(jq -r '.[0].layers.devices.extra | length' <<<"$OUT")" "default devices only" || return
	assert_eq "$(awk '/^CapEff/ { print $2 }' "/proc/$(kk inspect --format '{{.State.Pid}}' t3)/status")" 00000000800405fb "the kernel agrees: 11 caps"
}

test_tier4_rootful_user() {
	setup root || return 0
	run_d root t4 -u 1000 || return
	check_tier root t4 4 rootful no-userns rootfs-writable no-memory-limit no-cpu-limit
}

# Rootless on this host (cgroup v1, nothing delegated): no limits at all; the cgroup
# namespace is the host's. The host's /sys/fs/cgroup is bound read-only recursively ("rro"):
# no cgroup-rw finding (a plain "ro" bind left the v1 hierarchies below it writable).
RL_COMMON="no-pids-limit ns-cgroup rootfs-writable no-memory-limit no-cpu-limit"

test_tier5_rootless_root() {
	setup rootless || return 0
	run_d rootless t5 || return
	check_tier rootless t5 5 rootless root-inside $RL_COMMON || return
	assert_eq "$KK_RL_UID" "$(jq -r '.[0].layers.userNamespace.hostUidOfRoot' <<<"$OUT")" "container root is the user" || return
	# root audits the same process by --pid and gets the same tier
	local pid
	pid=$(K rootless inspect --format '{{.State.Pid}}' t5)
	audit_json root --pid "$pid" || return
	assert_eq 5 "$(jq -r '.[0].tier' <<<"$OUT")" "root's audit by --pid"
}

test_tier6_rootless_user() {
	setup rootless || return 0
	run_d rootless t6 -u 1000 || return
	check_tier rootless t6 6 rootless $RL_COMMON || return
	assert_eq "1000 100999" "$(jq -r '.[0].layers.userNamespace | "\(.uidInside) \(.hostUid)"' <<<"$OUT")" "uid 1000 inside is 100999 outside"
}

test_host_root_and_chroot() {
	setup root || return 0
	run_d root chr -v /:/rootfs --cap-add SYS_CHROOT || return
	audit_json root chr || return
	assert_eq critical "$(fsev host-root-mount)" "the host's / read-write: critical" || return
	assert_eq "remove -v /:/rootfs" "$(fremedy host-root-mount)" "its remedy" || return
	assert_eq high "$(fsev chroot-host-root)" "SYS_CHROOT with the host's /" || return
	assert_contains "$(fremedy chroot-host-root)" "--cap-drop SYS_CHROOT" "its remedy" || return
	capture K root audit chr
	assert_contains "$OUT" "host-root-mount" "the table names it" || return
	assert_contains "$OUT" "-> remove -v /:/rootfs" "with the remedy" || return
	# without SYS_CHROOT only the mount remains
	run_d root chr2 -v /:/rootfs:ro --cap-drop SYS_CHROOT || return
	audit_json root chr2 || return
	assert_eq high "$(fsev host-root-mount)" "read-only: high" || return
	assert_eq "" "$(fsev chroot-host-root)" "no chroot finding without the capability"
}

test_seccomp_unconfined_readonly_limits() {
	setup root || return 0
	run_d root unc --security-opt seccomp=unconfined || return
	audit_json root unc || return
	assert_eq high "$(fsev seccomp-off)" "seccomp=unconfined is flagged" || return
	assert_contains "$(fremedy seccomp-off)" "seccomp=unconfined" "the remedy names the option" || return
	assert_eq "0 disabled" "$(jq -r '.[0].layers.seccomp | "\(.mode) \(.modeName)"' <<<"$OUT")" "mode 0" || return
	run_d root lim --read-only --memory 64m --pids-limit 100 --cpus 0.5 || return
	audit_json root lim || return
	assert_eq "host-root" "$(fids)" "read-only with limits: only the tier finding is left" || return
	assert_eq "true 67108864 100 50000/100000" \
		"$(jq -r '.[0].layers | "\(.mounts.rootfsReadOnly) \(.cgroup.memory.limit) \(.cgroup.pids.limit) \(.cgroup.cpu.limit)"' <<<"$OUT")" \
		"the limits as the cgroup files hold them"
}

# wait_comm PID COMM: until PID runs COMM (after its execs); child_of PID COMM: its child
# running COMM. Never "the newest sleep": other test files run in parallel.
wait_comm() {
	local n=50
	while [ $n -gt 0 ]; do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
child_of() {
	local n=50 p
	while [ $n -gt 0 ]; do
		p=$(pgrep -P "$1" -x "$2") && { echo "$p"; return 0; }
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

test_pid_unshare_rootless() {
	need_rootless || return 0
	# run_as_user's own subshells would hide the pid: exec the chain directly.
	(cd / && exec setpriv --reuid="$KK_RL_UID" --regid="$KK_RL_GID" --init-groups env -i KK_TEST_DIR="$T_DIR" \
		PATH="$KK_PATH" unshare -Ur --pid --fork sleep 1001 </dev/null >/dev/null 2>&1 9>&-) &
	local up=$! pid
	defer "kill $up"
	wait_comm "$up" unshare && pid=$(child_of "$up" sleep) || { fail "unshare did not start"; return 1; }
	defer "kill -KILL $pid"
	# Audited by root and by the user who started it: the same tier.
	for who in root rootless; do
		capture K "$who" audit --format json --pid "$pid"
		assert_ok "audit --pid as $who" || return
		python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" || { fail "not JSON"; return 1; }
		assert_eq "5 rootless $KK_RL_UID" "$(jq -r '.[0] | "\(.tier) \(.mode) \(.layers.userNamespace.hostUidOfRoot)"' <<<"$OUT")" \
			"$who: rootless with root inside, container root = the user" || return
		local f
		f=" $(fids) "
		for id in privileged seccomp-off nnp-off rootfs-host host-proc ns-mnt ns-net cap-sys-admin root-inside; do
			assert_contains "$f" " $id " "$who: finding $id" || return
		done
		assert_not_contains "$f" " ns-pid " "$who: it has its own pid namespace" || return
		assert_eq medium "$(fsev privileged)" "privileged only within its user namespace" || return
		assert_eq high "$(fsev cap-sys-admin)" "SYS_ADMIN over a user namespace: one level lower" || return
	done
}

test_pid_unshare_root() {
	env KK_TEST_DIR="$T_DIR" unshare --mount sleep 1002 </dev/null >/dev/null 2>&1 &
	local pid=$! f
	defer "kill -KILL $pid"
	wait_comm "$pid" sleep || { fail "unshare did not start"; return 1; }
	audit_json root --pid "$pid" || return
	assert_eq "1 privileged true" "$(jq -r '.[0] | "\(.tier) \(.mode) \(.layers.userNamespace.sharedWithHost)"' <<<"$OUT")" \
		"a root process with the host's caps, no seccomp: tier 1" || return
	f=" $(fids) "
	for id in privileged rootfs-host ns-net ns-pid ns-ipc ns-uts sys-rw host-dev cgroup-rw nnp-off seccomp-off cap-sys-admin; do
		assert_contains "$f" " $id " "finding $id" || return
	done
	assert_not_contains "$f" " ns-mnt " "its own mount namespace" || return
	assert_not_contains "$f" " host-proc " "the host's /proc, but it shares the pid namespace (ns-pid says it)" || return
	# As the rootless user: what it cannot read is said, not guessed.
	if [ "$KK_RL_OK" = 1 ]; then
		capture K rootless audit --format json --pid "$pid"
		assert_ok "the rootless user audits root's process" || return
		assert_eq "1 info" "$(jq -r '.[0] | "\(.tier) \([.findings[] | select(.id == "audit-incomplete") | .severity] | join(","))"' <<<"$OUT")" \
			"same tier; namespaces and /dev unreadable: audit-incomplete" || return
	fi
}

test_pid_podman_runc() {
	command -v podman >/dev/null && command -v runc >/dev/null || { skip "podman or runc not installed"; return 0; }
	local pm=$T_DIR/podman
	mkdir -p "$pm"
	# podman 4.3 writes outside the dirs it is given: run it in a throw-away mount namespace
	# (as bench/engine-run.sh does); the container's pid is audited from there too.
	cat >"$pm/run.sh" <<-'EOS'
		set -e
		pm=$1 img=$2 arch=$3 K=$4
		mkdir -p "$pm/root" "$pm/run" "$pm/tmp" "$pm/net" "$pm/config" "$pm/home"
		printf '[containers]\nnetns = "none"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s/events.log"\nlock_type = "file"\ntmp_dir = "%s/tmp"\nstatic_dir = "%s/root/libpod"\nvolume_path = "%s/root/volumes"\n[network]\nnetwork_config_dir = "%s/net"\n' "$pm" "$pm" "$pm" "$pm" "$pm" >"$pm/containers.conf"
		printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/root"\nrunroot = "%s/run"\n' "$pm" "$pm" >"$pm/storage.conf"
		export CONTAINERS_STORAGE_CONF=$pm/storage.conf XDG_CONFIG_HOME=$pm/config HOME=$pm/home CONTAINERS_CONF=$pm/containers.conf
		P="podman --root $pm/root --runroot $pm/run --tmpdir $pm/tmp --storage-driver overlay --cgroup-manager cgroupfs --events-backend file --network-config-dir $pm/net --runtime runc"
		$P load -q -i "$arch" >/dev/null
		# This host's root lacks CAP_SYS_RESOURCE: podman's default rlimits cannot be set.
		$P run -d --name pa --network none --ulimit nofile=20000:20000 --ulimit nproc=1000:1000 "$img" sleep 1003 >/dev/null
		pid=$($P inspect --format '{{.State.Pid}}' pa)
		rc=0
		"$K" audit --format json --pid "$pid" || rc=$?
		$P rm -f -t 0 pa >/dev/null 2>&1 || true
		exit $rc
	EOS
	capture env KK_TEST_DIR="$T_DIR" unshare -m --propagation private sh "$pm/run.sh" "$pm" "$IMG" "$ARCHIVE" "$KAKURI"
	assert_ok "podman run + audit --pid" || return
	python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" || { fail "not JSON"; return 1; }
	assert_eq 3 "$(jq -r '.[0].tier' <<<"$OUT")" "podman rootful, root inside: tier 3" || return
	# podman 4.3's defaults as the kernel shows them: docker's 14 capabilities (NET_RAW,
	# MKNOD, AUDIT_WRITE beyond ours), no_new_privs off, /proc/interrupts not masked, no
	# cgroup namespace on cgroup v1, pids limit 2048.
	assert_eq "$(sorted cap-audit-write cap-mknod cap-net-raw host-root masked-paths-off nnp-off ns-cgroup no-cpu-limit no-memory-limit rootfs-writable)" \
		"$(fids)" "exactly podman's weaker spots"
}

test_fail_on_and_errors() {
	setup root || return 0
	run_d root fo || return
	capture K root audit fo
	assert_eq 0 "$RC" "no --fail-on: 0 whatever the findings" || return
	capture K root audit --fail-on medium fo
	assert_eq 1 "$RC" "a medium finding (host-root) with --fail-on medium: 1" || return
	capture K root audit --fail-on=high --format json fo
	assert_eq 0 "$RC" "nothing high: 0" || return
	capture K root audit --fail-on info --pid $$
	assert_eq 1 "$RC" "--pid with --fail-on info: 1" || return
	capture K root audit --fail-on severe fo
	assert_eq 125 "$RC" "a bad level: 125" || return
	assert_contains "$ERR" "--fail-on: unknown level 'severe'" "the error names the option" || return
	capture K root audit --format yaml fo
	assert_eq 125 "$RC" "a bad format: 125" || return
	capture K root audit nosuch
	assert_eq 125 "$RC" "an unknown container: 125" || return
	assert_contains "$ERR" "nosuch" "the error names it" || return
	capture K root audit --pid notapid
	assert_eq 125 "$RC" "--pid notapid: 125" || return
	sleep 0.01 &
	local gone=$!
	wait $gone
	capture K root audit --pid "$gone"
	assert_eq 125 "$RC" "an exited pid: 125" || return
	assert_contains "$ERR" "no such process" "says so" || return
	must K root create --name cr --network none "$IMG" true || return
	capture K root audit cr
	assert_eq 125 "$RC" "a container that is not running: 125" || return
	assert_contains "$ERR" "not running" "says so" || return
	capture K root audit
	assert_eq 125 "$RC" "no target: 125" || return
	audit_json root --all || return
	assert_eq "fo" "$(jq -r '[.[].target.name] | join(" ")' <<<"$OUT")" "--all: the running containers" || return
}

test_host() {
	setup root || return 0
	run_d root priv --privileged || return
	capture K root audit --host --format json
	assert_ok "audit --host" || return
	python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" || { fail "not JSON"; return 1; }
	local k
	for k in kernel userNamespaces subordinateIds newuidmap newgidmap seccomp landlock lsm cgroups overlay engineSockets containers findings; do
		assert_eq true "$(jq --arg k "$k" 'has($k)' <<<"$OUT")" "key $k" || return
	done
	assert_eq "$(uname -r)" "$(jq -r .kernel <<<"$OUT")" "kernel version" || return
	# Landlock: the kernel's ABI, asked independently with python's syscall().
	local abi
	abi=$(python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(444, None, 0, 1))')
	assert_eq "true $abi" "$(jq -r '.landlock | "\(.available) \(.abi)"' <<<"$OUT")" "Landlock available, its ABI" || return
	local aa=false se=false
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && aa=true
	[ -e /sys/fs/selinux/enforce ] && se=true
	assert_eq "$aa $se" "$(jq -r '.lsm | "\(.apparmor) \(.selinux)"' <<<"$OUT")" "AppArmor/SELinux as this host has them" || return
	local range
	range=$(awk -F: -v u="$KK_ROOTLESS_USER" '$1 == u { print $2, $3 }' /etc/subuid)
	assert_eq "$range true" "$(jq -r --arg u "$KK_ROOTLESS_USER" '.subordinateIds.subuid[] | select(.user == $u) | "\(.start) \(.count) \(.enough)"' <<<"$OUT")" \
		"the test user's /etc/subuid range" || return
	local suid=false
	[ -u /usr/bin/newuidmap ] && [ "$(stat -c %u /usr/bin/newuidmap)" = 0 ] && suid=true
	assert_eq "$suid true" "$(jq -r '.newuidmap | "\(.setuidRoot) \(.privileged)"' <<<"$OUT")" "newuidmap setuid root" || return
	local mode=v1
	[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && mode=v2
	[ "$mode" = v1 ] && [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && mode=hybrid
	assert_eq "$mode" "$(jq -r .cgroups.mode <<<"$OUT")" "cgroup mode" || return
	assert_eq "true" "$(jq -r '.seccomp.available' <<<"$OUT")" "seccomp" || return
	assert_eq "1 container-privileged critical" \
		"$(jq -r '[.containers.running[] | select(.name == "priv") | .tier][0] as $t | "\($t) \([.findings[] | select(.id == "container-privileged") | "\(.id) \(.severity)"] | join(","))"' <<<"$OUT")" \
		"the privileged container is listed and flagged" || return
	capture K root audit --host --fail-on critical
	assert_eq 1 "$RC" "--host --fail-on critical with a privileged container: 1" || return
	capture K root audit --host --pid 1
	assert_eq 125 "$RC" "--host with a target: 125" || return
	if [ "$KK_RL_OK" = 1 ]; then
		capture K rootless audit --host --format json
		assert_ok "rootless audit --host" || return
		assert_eq "$KK_RL_UID false" "$(jq -r '.cgroups | "\(.uid) \(.delegated)"' <<<"$OUT")" \
			"no cgroup delegated to the rootless user on this host" || return
	fi
}

test_inspect_namespaces() {
	setup root || return 0
	run_d root ns1 || return
	must K root run -d --name ns2 --network host "${MARK[@]}" "$IMG" sleep 1000 || return
	local pid t got want
	pid=$(kk inspect --format '{{.State.Pid}}' ns1)
	capture K root inspect --namespaces --format json ns1
	assert_ok "inspect --namespaces" || return
	python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$OUT" || { fail "not JSON"; return 1; }
	for t in cgroup ipc mnt net pid time user uts; do
		want=$(readlink "/proc/$pid/ns/$t" | tr -dc 0-9)
		got=$(jq -r --arg t "$t" '.[0].Namespaces[] | select(.type == $t) | .inode' <<<"$OUT")
		assert_eq "$want" "$got" "$t: the container's inode" || return
	done
	assert_eq "time user" "$(jq -r '[.[0].Namespaces[] | select(.shared) | .type] | join(" ")' <<<"$OUT")" \
		"rootful: only the user and time namespaces are the host's" || return
	assert_eq "$(readlink /proc/self/ns/net | tr -dc 0-9)" "$(jq -r '.[0].Namespaces[] | select(.type == "net") | .host' <<<"$OUT")" \
		"the host's net namespace" || return
	capture K root inspect --namespaces ns2
	assert_match 'net +[0-9]+ +[0-9]+ +shared' "$OUT" "--network host: net marked shared in the table" || return
	capture K root inspect --namespaces nosuch
	assert_eq 125 "$RC" "an unknown container" || return
	capture K root inspect ns1
	assert_contains "$OUT" '"Id"' "plain inspect still works" || return
	if [ "$KK_RL_OK" = 1 ]; then
		setup rootless || return 0
		run_d rootless ns3 || return
		capture K rootless inspect --namespaces --format json ns3
		assert_ok "rootless inspect --namespaces" || return
		assert_eq "cgroup time" "$(jq -r '[.[0].Namespaces[] | select(.shared) | .type] | join(" ")' <<<"$OUT")" \
			"rootless: its own user namespace; the host's cgroup and time namespaces" || return
	fi
}

run_test "tier 1: --privileged, root inside: tier, and exactly its findings" test_tier1_privileged_root
run_test "tier 2: --privileged -u 1000: tier, and exactly its findings" test_tier2_privileged_user
run_test "tier 3: rootful, root inside: tier, and exactly its findings" test_tier3_rootful_root
run_test "tier 4: rootful -u 1000: tier, and exactly its findings" test_tier4_rootful_user
run_test "tier 5: rootless, root inside: tier, and exactly its findings" test_tier5_rootless_root
run_test "tier 6: rootless -u 1000: tier, and exactly its findings" test_tier6_rootless_user
run_test "-v /:/rootfs --cap-add SYS_CHROOT: both findings with their remedies" test_host_root_and_chroot
run_test "seccomp=unconfined flagged; --read-only and limits read from the kernel" test_seccomp_unconfined_readonly_limits
run_test "--pid: unshare -Ur --pid as the rootless user: tier 5, audited by root and by the user" test_pid_unshare_rootless
run_test "--pid: unshare --mount as root: tier 1, host namespaces; unreadable parts said" test_pid_unshare_root
run_test "--pid: a podman (runc) container: tier 3 and podman's defaults" test_pid_podman_runc
run_test "--fail-on exit codes; errors are 125 and name the problem" test_fail_on_and_errors
run_test "audit --host: keys present, values true to this host" test_host
run_test "inspect --namespaces: inodes as /proc/PID/ns has them, shared ones marked" test_inspect_namespaces
done_testing
