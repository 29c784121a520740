#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cgroups and linux.resources: limits enforced (memory/OOM + events, pids, cpu quota,
# devices, hugetlb), pause/resume, update, ps, kill --all, events --stats, cgroupsPath
# semantics, cleanup after delete / failed create / a runtime killed mid-create; the same
# cases again on pure cgroup v2 (a private mount namespace with only cgroup2 at
# /sys/fs/cgroup, where the controllers the host binds to v1 are missing and skipped by
# name); rootless with and without a delegated cgroup.
#
# Each case takes the runtime wrapper as $1: rt (the host's own layout, hybrid on the CI
# machine) or rt2 (pure v2). Cgroup directories are found from /proc/PID/cgroup, as seen
# from this (host) mount namespace, so the checks do not depend on the runtime's naming.
. "$(dirname "$0")/../../lib.sh"

# ---- cgroup helpers ----------------------------------------------------------------------

# rt2 ARGS...: the runtime in a private mount namespace whose /sys/fs/cgroup is cgroup2 only.
# The v2 hierarchy is the host's (one per kernel), so the cgroups it makes are visible here
# under the host's cgroup2 mount. Containers it creates are deleted with rt2 (defer).
rt2() {
	env KK_RT_MARK="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" unshare -m --propagation private \
		sh -c 'umount -l /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' sh \
		"$RUNTIME" --root "$KK_ROOT" "$@" 9>&-
}

mode_of() { [ "$1" = rt2 ] && echo v2 || echo host; }

# cg_mount_v1 CTRL: mount point of the v1 hierarchy holding CTRL here, or nothing.
cg_mount_v1() {
	awk -v c="$1" '{ for (i = 7; i <= NF; i++) if ($i == "-") break }
		$(i + 1) == "cgroup" { n = split($(i + 3), o, ","); for (k = 1; k <= n; k++) if (o[k] == c) { print $5; exit } }' \
		/proc/self/mountinfo
}

# cg_mount_v2: mount point of the cgroup2 hierarchy here.
cg_mount_v2() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") break } $(i + 1) == "cgroup2" { print $5; exit }' /proc/self/mountinfo
}

# cg_dir MODE CTRL PID: the directory of PID's cgroup that serves CTRL in MODE (host: the
# v1 hierarchy holding CTRL, else v2; v2: always the v2 hierarchy).
cg_dir() {
	local mode=$1 c=$2 pid=$3 m="" path=""
	[ "$mode" != v2 ] && m=$(cg_mount_v1 "$c")
	if [ -n "$m" ]; then
		path=$(awk -F: -v c="$c" '{ n = split($2, s, ","); for (k = 1; k <= n; k++) if (s[k] == c) { print $3; exit } }' \
			"/proc/$pid/cgroup")
	else
		m=$(cg_mount_v2)
		path=$(awk -F: '$1 == "0" { print $3; exit }' "/proc/$pid/cgroup")
	fi
	[ -n "$m" ] && [ -n "$path" ] || return 1
	[ "$path" = / ] && path=
	echo "$m$path"
}

# cg_all_dirs MODE PID: every cgroup directory of PID (all hierarchies) that is not a root.
cg_all_dirs() {
	local mode=$1 pid=$2 line id subs path m
	while IFS=: read -r id subs path; do
		[ "$path" = / ] && continue
		if [ "$id" = 0 ]; then
			m=$(cg_mount_v2)
		else
			[ "$mode" = v2 ] && continue
			m=$(cg_mount_v1 "${subs%%,*}")
		fi
		[ -n "$m" ] && echo "$m$path"
	done <"/proc/$pid/cgroup"
}

# have_ctrl MODE CTRL: CTRL can be used in MODE (v1 hierarchy, or listed by the v2 root).
have_ctrl() {
	local v2name=$2
	[ "$2" = blkio ] && v2name=io
	[ "$1" != v2 ] && [ -n "$(cg_mount_v1 "$2")" ] && return 0
	tr ' ' '\n' <"$(cg_mount_v2)/cgroup.controllers" 2>/dev/null | grep -qx "$v2name"
}

# need_ctrl MODE CTRL: skips (returns 1) when CTRL is missing, saying why.
need_ctrl() {
	have_ctrl "$1" "$2" && return 0
	local why="the kernel has no $2 controller"
	if awk -v c="$2" '$1 == c && $2 != 0 { f = 1 } END { exit !f }' /proc/cgroups; then
		why="the $2 controller is bound to a cgroup v1 hierarchy on this host, so cgroup v2 cannot have it"
	elif awk -v c="$2" '$1 == c { f = 1 } END { exit !f }' /proc/cgroups; then
		why="the cgroup v2 root does not offer the $2 controller"
	fi
	if [ "$1" = v2 ]; then skip "pure cgroup v2: $why"; else skip "$why"; fi
	return 1
}

# freezer_state MODE PID: FROZEN/THAWED from the freezer serving PID's container.
freezer_state() {
	local d
	d=$(cg_dir "$1" freezer "$2") || return 1
	if [ -f "$d/freezer.state" ]; then
		cat "$d/freezer.state"
	elif grep -qx 'frozen 1' "$d/cgroup.events"; then
		echo FROZEN
	else
		echo THAWED
	fi
}

# assert_gone DIR...: no such directory remains.
assert_gone() {
	local d bad=0
	for d in "$@"; do
		if [ -e "$d" ]; then
			fail "cgroup directory $d remains"
			bad=1
		fi
	done
	return $bad
}

# start_ctr RT ID BUNDLE: create + start; registers an rt2 container for deletion.
start_ctr() {
	[ "$1" = rt2 ] && defer "rt2 delete --force $2"
	must "$1" create -b "$3" "$2" || return 1
	must "$1" start "$2"
}

create_ctr() {
	[ "$1" = rt2 ] && defer "rt2 delete --force $2"
	must "$1" create -b "$3" "$2"
}

# wait_stopped RT ID [SECONDS]
wait_stopped() { wait_status "$1" "$2" stopped "${3:-20}"; }

# wait_file_nonempty FILE [SECONDS]
wait_file_nonempty() {
	local n=$((${2:-10} * 10))
	while [ $n -gt 0 ]; do
		[ -s "$1" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# ---- cases (RT = rt or rt2) --------------------------------------------------------------

test_placed_in_cgroup() {
	local RT=$1 mode b id pid dirs
	mode=$(mode_of "$RT")
	b=$(new_bundle) || return
	id=$(new_id)
	create_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	dirs=$(cg_all_dirs "$mode" "$pid")
	[ -n "$dirs" ] || { fail "the init ($pid) is in no container cgroup: $(cat /proc/$pid/cgroup)"; return; }
	if is_kakuri; then
		local d
		for d in $dirs; do
			assert_match "/kakuri/$id\$" "$d" "cgroup of the init (default path /kakuri/ID)" || return
			grep -qx "$pid" "$d/cgroup.procs" || fail "$pid not in $d/cgroup.procs"
		done
		# hybrid: every v1 hierarchy, name=systemd included, and the v2 one
		[ "$mode" = v2 ] || [ "$(wc -l <<<"$dirs")" = "$(grep -c . "/proc/$pid/cgroup")" ] ||
			fail "not in every hierarchy: $(cat /proc/$pid/cgroup)"
	fi
	must "$RT" delete --force "$id" || return
	# shellcheck disable=SC2086
	assert_gone $dirs
}

test_oom_kill_and_event() {
	local RT=$1 mode b id pid d ev out
	mode=$(mode_of "$RT")
	need_ctrl "$mode" memory || return 0
	b=$(new_bundle) || return
	install_helper "$b" kk-alloc || return 0
	id=$(new_id)
	# swap = limit: memory+swap capped too, so the 64 MiB cannot go to swap instead
	jq_config "$b" '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}
		| .process.args = ["sh", "-c", "kk-alloc mem 64 | tail -n 1; echo done"]' || return
	create_ctr "$RT" "$id" "$b" || return
	out=$OUTF
	pid=$(ctr_pid "$RT" "$id") || return
	d=$(cg_dir "$mode" memory "$pid") || { fail "no memory cgroup"; return; }
	if [ -f "$d/memory.limit_in_bytes" ]; then
		assert_eq 33554432 "$(cat "$d/memory.limit_in_bytes")" "memory.limit_in_bytes"
	else
		assert_eq 33554432 "$(cat "$d/memory.max")" "memory.max"
	fi
	ev=$T_DIR/events.$id
	"$RT" events "$id" >"$ev" 2>"$ev.err" &
	local evpid=$!
	sleep 0.3
	must "$RT" start "$id" || return
	wait_stopped "$RT" "$id" 30 || return
	# events ends by itself once the container stopped
	local n=100
	while kill -0 "$evpid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	kill "$evpid" 2>/dev/null
	wait "$evpid" 2>/dev/null
	assert_not_contains "$(cat "$out")" "allocated 64 MiB" "container output" || return
	assert_contains "$(cat "$out")" "done" "container output (sh survives its killed child)"
	capture jq -c 'select(.type == "oom")' "$ev"
	assert_eq "{\"type\":\"oom\",\"id\":\"$id\"}" "$(head -n 1 <<<"$OUT")" "the oom event of \`events\` ($(cat "$ev.err"))"
	must "$RT" delete "$id" || return
	assert_gone "$d"
}

test_pids_limit_fork_bomb() {
	local RT=$1 mode b id
	mode=$(mode_of "$RT")
	need_ctrl "$mode" pids || return 0
	b=$(new_bundle) || return
	install_helper "$b" kk-alloc || return 0
	id=$(new_id)
	jq_config "$b" '.linux.resources.pids = {"limit": 20} | .process.args = ["kk-alloc", "forks", "1000"]' || return
	[ "$RT" = rt2 ] && defer "rt2 delete --force $id"
	capture "$RT" run -b "$b" "$id"
	assert_ok "run of the fork loop" || return
	assert_match 'fork failed after (1[0-9]): errno=EAGAIN' "$OUT" "fork loop output" || return
	[[ $OUT =~ after\ ([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -le 19 ] || fail "more than 20 tasks: $OUT"
	# the host still forks
	capture sh -c 'true & wait'
	assert_ok "the host can still fork"
}

test_cpu_quota() {
	local RT=$1 mode b id pid d u0 u1 t0 t1 pct
	mode=$(mode_of "$RT")
	need_ctrl "$mode" cpu || return 0
	b=$(new_bundle) || return
	install_helper "$b" kk-alloc || return 0
	id=$(new_id)
	jq_config "$b" '.linux.resources.cpu = {"quota": 20000, "period": 100000} | .process.args = ["kk-alloc", "spin", "60"]' || return
	start_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	sleep 0.5
	# the cgroup's own usage counter (ns), not wall time of the process
	if [ "$mode" != v2 ] && d=$(cg_dir "$mode" cpuacct "$pid") && [ -f "$d/cpuacct.usage" ]; then
		usage() { cat "$d/cpuacct.usage"; }
	else
		d=$(cg_dir v2 cpu "$pid") || return
		usage() { echo $(($(awk '$1 == "usage_usec" { print $2 }' "$d/cpu.stat") * 1000)); }
	fi
	u0=$(usage)
	t0=$(date +%s%N)
	sleep 3
	u1=$(usage)
	t1=$(date +%s%N)
	pct=$(((u1 - u0) * 1000 / (t1 - t0)))
	diag "cpu usage over 3 s with a 20% quota: $((pct / 10)).$((pct % 10))%"
	[ "$pct" -ge 130 ] && [ "$pct" -le 270 ] || fail "cpu usage $((pct / 10)).$((pct % 10))% is not within 20% ± 7%"
}

test_pause_resume() {
	local RT=$1 mode b id pid c1 c2 c3 st
	mode=$(mode_of "$RT")
	b=$(new_bundle) || return
	id=$(new_id)
	# written then renamed: a reader (or the freezer) never sees a truncated file
	set_args "$b" sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.05; done' || return
	start_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	wait_file_nonempty "$b/rootfs/tmp/count" 5 || { fail "the counter did not start"; return; }
	capture "$RT" pause "$id"
	assert_ok "pause" || return
	assert_eq paused "$(state_field "$RT" "$id" .status)" "status after pause" || return
	assert_eq FROZEN "$(freezer_state "$mode" "$pid")" "freezer of the container"
	st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat")
	diag "state of the frozen init: $st"
	case $st in D | S | T) ;; *) fail "frozen init is in state $st" ;; esac
	c1=$(cat "$b/rootfs/tmp/count")
	sleep 0.6
	c2=$(cat "$b/rootfs/tmp/count")
	assert_eq "$c1" "$c2" "counter while paused" || return
	capture "$RT" pause "$id"
	assert_failed "pausing a paused container"
	capture "$RT" resume "$id"
	assert_ok "resume" || return
	assert_eq running "$(state_field "$RT" "$id" .status)" "status after resume"
	sleep 0.6
	c3=$(cat "$b/rootfs/tmp/count")
	[ "$c3" -gt "$c2" ] || fail "counter did not move after resume ($c2 → $c3)"
	capture "$RT" resume "$id"
	assert_failed "resuming a running container"
}

test_delete_paused() {
	local RT=$1 mode b id pid dirs
	mode=$(mode_of "$RT")
	b=$(new_bundle) || return
	id=$(new_id)
	start_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	dirs=$(cg_all_dirs "$mode" "$pid")
	must "$RT" pause "$id" || return
	capture "$RT" delete "$id"
	assert_failed "delete of a paused container without --force" || return
	capture "$RT" delete --force "$id"
	assert_ok "delete --force of a paused container" || return
	# shellcheck disable=SC2086
	assert_gone $dirs
	[ -e "/proc/$pid" ] && [ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$pid/stat")" != Z ] && fail "init $pid survived"
	return 0
}

test_update_live() {
	local RT=$1 mode b id pid dm dp dc
	mode=$(mode_of "$RT")
	need_ctrl "$mode" memory || return 0
	need_ctrl "$mode" pids || return 0
	need_ctrl "$mode" cpu || return 0
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.resources.memory = {"limit": 33554432} | .linux.resources.pids = {"limit": 20}' || return
	start_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	dm=$(cg_dir "$mode" memory "$pid") && dp=$(cg_dir "$mode" pids "$pid") && dc=$(cg_dir "$mode" cpu "$pid") || return
	capture "$RT" update --memory 64m --pids-limit 30 --cpu-quota 50000 --cpu-period 100000 "$id"
	assert_ok "update with flags" || return
	if [ -f "$dm/memory.limit_in_bytes" ]; then
		assert_eq 67108864 "$(cat "$dm/memory.limit_in_bytes")" "memory limit after update"
		assert_eq 50000 "$(cat "$dc/cpu.cfs_quota_us")" "cpu quota after update"
	else
		assert_eq 67108864 "$(cat "$dm/memory.max")" "memory.max after update"
		assert_eq "50000 100000" "$(cat "$dc/cpu.max")" "cpu.max after update"
	fi
	assert_eq 30 "$(cat "$dp/pids.max")" "pids.max after update"
	echo '{"pids": {"limit": 40}}' >"$T_DIR/res.$id.json"
	capture "$RT" update --resources "$T_DIR/res.$id.json" "$id"
	assert_ok "update --resources FILE" || return
	assert_eq 40 "$(cat "$dp/pids.max")" "pids.max after --resources"
	echo '{"pids": {"limit": 50}}' >"$T_DIR/res2.$id.json"
	capture "$RT" update -r - "$id" <"$T_DIR/res2.$id.json"
	assert_ok "update -r - (stdin)" || return
	assert_eq 50 "$(cat "$dp/pids.max")" "pids.max after -r -"
	capture "$RT" update --memory lots "$id"
	assert_failed "update --memory lots"
	is_kakuri && assert_contains "$ERR" "--memory" "error message"
	return 0
}

test_ps_and_kill_all() {
	local RT=$1 mode b id pid d n
	mode=$(mode_of "$RT")
	b=$(new_bundle) || return
	id=$(new_id)
	set_args "$b" sh -c 'sleep 1000 & sleep 1000 & wait' || return
	start_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	d=$(cg_dir "$mode" freezer "$pid") || d=$(cg_dir v2 pids "$pid") || return
	n=50
	while [ "$(grep -c . "$d/cgroup.procs")" -lt 3 ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	capture "$RT" ps --format json "$id"
	assert_ok "ps --format json" || return
	assert_eq "$(sort -n "$d/cgroup.procs" | tr '\n' ' ')" "$(jq -r '.[]' <<<"$OUT" | sort -n | tr '\n' ' ')" \
		"ps pids vs cgroup.procs" || return
	assert_eq 3 "$(jq length <<<"$OUT")" "number of processes"
	capture "$RT" ps "$id"
	assert_ok "ps (table)" || return
	assert_contains "$OUT" "sleep 1000" "ps table"
	capture "$RT" kill --all "$id" KILL
	assert_ok "kill --all KILL" || return
	wait_stopped "$RT" "$id" 10 || return
	n=50
	while [ -s "$d/cgroup.procs" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	assert_eq "" "$(cat "$d/cgroup.procs" 2>/dev/null)" "cgroup.procs after kill --all"
}

test_devices_filter() {
	local RT=$1 b id
	[ -c /dev/fuse ] || { skip "no /dev/fuse on the host"; return 0; }
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.mounts += [{"destination": "/dev/fuse", "type": "bind", "source": "/dev/fuse", "options": ["bind"]}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"}]' || return
	set_args "$b" sh -c '(exec 3</dev/fuse) 2>/dev/null && echo fuse-read; (exec 3</dev/null) && echo null-read; true' || return
	[ "$RT" = rt2 ] && defer "rt2 delete --force $id"
	capture "$RT" run -b "$b" "$id"
	assert_ok "run with deny-all devices" || return
	assert_eq null-read "$OUT" "fuse denied, the standard /dev/null allowed"
	id=$(new_id)
	jq_config "$b" '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]' || return
	[ "$RT" = rt2 ] && defer "rt2 delete --force $id"
	capture "$RT" run -b "$b" "$id"
	assert_ok "run with fuse allowed read-only" || return
	assert_eq "fuse-read
null-read" "$OUT" "fuse readable once a rule allows it"
}

test_hugetlb_limit() {
	local RT=$1 mode b id pid d
	mode=$(mode_of "$RT")
	need_ctrl "$mode" hugetlb || return 0
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]' || return
	create_ctr "$RT" "$id" "$b" || return
	pid=$(ctr_pid "$RT" "$id") || return
	d=$(cg_dir "$mode" hugetlb "$pid") || return
	if [ -f "$d/hugetlb.2MB.limit_in_bytes" ]; then
		assert_eq 4194304 "$(cat "$d/hugetlb.2MB.limit_in_bytes")" "hugetlb.2MB.limit_in_bytes"
	else
		assert_eq 4194304 "$(cat "$d/hugetlb.2MB.max")" "hugetlb.2MB.max (v2, also on a hybrid host)"
	fi
}

test_events_stats() {
	local RT=$1 b id
	b=$(new_bundle) || return
	id=$(new_id)
	start_ctr "$RT" "$id" "$b" || return
	local stats
	capture "$RT" events --stats "$id"
	assert_ok "events --stats" || return
	stats=$OUT
	assert_eq 1 "$(grep -c . <<<"$stats")" "one line"
	capture jq -e --arg id "$id" '.type == "stats" and .id == $id and (.data.cpu.usage.total > 0)' <<<"$stats"
	assert_ok "stats event of runc's shape with cpu usage" || return
	if have_ctrl "$(mode_of "$RT")" memory; then
		capture jq -e '.data.memory.usage.usage > 0' <<<"$stats"
		assert_ok "memory usage in the stats"
	fi
	if have_ctrl "$(mode_of "$RT")" pids; then
		capture jq -e '.data.pids.current >= 1' <<<"$stats"
		assert_ok "pids.current in the stats"
	fi
}

test_failed_create_cleans_up() {
	local RT=$1 mode b id cgp
	mode=$(mode_of "$RT")
	b=$(new_bundle) || return
	id=$(new_id)
	cgp=/kk-failtest/$id
	# fails after the cgroup exists: a createRuntime hook exits 1
	jq_config "$b" '.linux.cgroupsPath = $p
		| .hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}]' --arg p "$cgp" || return
	[ "$RT" = rt2 ] && defer "rt2 delete --force $id"
	defer "rmdir $(cg_mount_v2)/kk-failtest /sys/fs/cgroup/*/kk-failtest"
	capture "$RT" create -b "$b" "$id"
	assert_failed "create with a failing createRuntime hook" || return
	# shellcheck disable=SC2046
	assert_gone $(cg_mount_v2)$cgp $([ "$mode" = v2 ] || echo /sys/fs/cgroup/*"$cgp") || return
	[ ! -e "$KK_ROOT/$id" ] || fail "state dir $KK_ROOT/$id remains"
	if [ "$mode" != v2 ] && have_ctrl host cpuset; then
		# fails while applying the resources: no such CPU
		id=$(new_id)
		jq_config "$b" 'del(.hooks) | .linux.cgroupsPath = $p | .linux.resources.cpu = {"cpus": "999"}' --arg p "/kk-failtest/$id" || return
		capture "$RT" create -b "$b" "$id"
		assert_failed "create with cpus 999" || return
		is_kakuri && assert_contains "$ERR" "cpu.cpus" "error names the field"
		# shellcheck disable=SC2046
		assert_gone /sys/fs/cgroup/*/kk-failtest/"$id" || return
		[ ! -e "$KK_ROOT/$id" ] || fail "state dir $KK_ROOT/$id remains"
	fi
	return 0
}

test_sigkill_mid_create() {
	local RT=$1 mode b id cgp hookpid rpid n
	mode=$(mode_of "$RT")
	b=$(new_bundle) || return
	id=$(new_id)
	cgp=/kk-killtest/$id
	jq_config "$b" '.linux.cgroupsPath = $p
		| .hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo $$ > \($f); exec sleep 60"]}]' \
		--arg p "$cgp" --arg f "$T_DIR/hook.$id" || return
	defer "rmdir $(cg_mount_v2)/kk-killtest /sys/fs/cgroup/*/kk-killtest"
	defer "[ -s $T_DIR/hook.$id ] && kill \$(cat $T_DIR/hook.$id)"
	# directly (not through rt): $! must be the runtime itself
	if [ "$RT" = rt2 ]; then
		env KK_RT_MARK="$T_DIR" unshare -m --propagation private \
			sh -c 'umount -l /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' sh \
			"$RUNTIME" --root "$KK_ROOT" create -b "$b" "$id" >/dev/null 2>&1 &
	else
		_kk_track root create -b "$b" "$id"
		env KK_RT_MARK="$T_DIR" "$RUNTIME" --root "$KK_ROOT" create -b "$b" "$id" >/dev/null 2>&1 9>&- &
	fi
	rpid=$!
	wait_file_nonempty "$T_DIR/hook.$id" 10 || { kill -KILL "$rpid"; fail "the createRuntime hook did not run"; return; }
	hookpid=$(cat "$T_DIR/hook.$id")
	[ -d "$(cg_mount_v2)$cgp" ] || fail "no cgroup while the hook runs (cgroups are made before createRuntime)"
	kill -KILL "$rpid"
	wait "$rpid" 2>/dev/null
	capture "$RT" delete --force "$id"
	assert_ok "delete --force after the runtime was killed" || return
	n=50
	while [ -e "$(cg_mount_v2)$cgp" ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	# shellcheck disable=SC2046
	assert_gone $(cg_mount_v2)$cgp $([ "$mode" = v2 ] || echo /sys/fs/cgroup/*"$cgp") || return
	[ ! -e "$KK_ROOT/$id" ] || fail "state dir $KK_ROOT/$id remains"
	kill "$hookpid" 2>/dev/null
	return 0
}

# ---- kakuri-specific -----------------------------------------------------------------------

test_cgroups_path_forms() {
	kakuri_only "kakuri's cgroupsPath mapping" || return 0
	local b id pid own line
	b=$(new_bundle) || return
	own=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	[ "$own" = / ] && own=
	defer "rmdir /sys/fs/cgroup/*/kk-abs /sys/fs/cgroup/memory$own/kk-rel /sys/fs/cgroup/*/kk-rel /sys/fs/cgroup/*/kk.slice"
	# absolute: below each mount's root
	id=$(new_id abs)
	jq_config "$b" '.linux.cgroupsPath = $p' --arg p "/kk-abs/$id" || return
	must rt create -b "$b" "$id" || return
	pid=$(ctr_pid rt "$id") || return
	assert_eq "/kk-abs/$id" "$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")" "absolute path (memory)"
	assert_eq "/kk-abs/$id" "$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")" "absolute path (v2)"
	must rt delete --force "$id" || return
	# relative: below the runtime's own cgroup (v1), whatever that is per hierarchy
	id=$(new_id rel)
	jq_config "$b" '.linux.cgroupsPath = $p' --arg p "kk-rel/$id" || return
	must rt create -b "$b" "$id" || return
	pid=$(ctr_pid rt "$id") || return
	assert_eq "$own/kk-rel/$id" "$(awk -F: '$2 == "memory" { print $3 }' "/proc/$pid/cgroup")" "relative path (memory)"
	must rt delete --force "$id" || return
	# systemd form: where systemd would put the unit
	id=$(new_id slice)
	jq_config "$b" '.linux.cgroupsPath = $p' --arg p "kk.slice:kakuri:$id" || return
	must rt create -b "$b" "$id" || return
	pid=$(ctr_pid rt "$id") || return
	assert_eq "/kk.slice/kakuri-$id.scope" "$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")" "slice:prefix:name"
	must rt delete --force "$id" || return
	# refused
	id=$(new_id bad)
	jq_config "$b" '.linux.cgroupsPath = "/a/../../b"' || return
	capture rt create -b "$b" "$id"
	assert_failed "create with .. in cgroupsPath" || return
	assert_contains "$ERR" "linux.cgroupsPath" "error message"
}

test_nonempty_cgroup_refused() {
	kakuri_only "kakuri's check" || return 0
	local b id1 id2
	b=$(new_bundle) || return
	id1=$(new_id)
	id2=$(new_id)
	defer "rmdir /sys/fs/cgroup/*/kk-shared-$id1 $(cg_mount_v2)/kk-shared-$id1"
	jq_config "$b" '.linux.cgroupsPath = $p' --arg p "/kk-shared-$id1/x" || return
	must rt create -b "$b" "$id1" || return
	capture rt create -b "$b" "$id2"
	assert_failed "a second container in the same cgroup" || return
	assert_contains "$ERR" "already has processes" "error message"
	assert_eq created "$(state_field rt "$id1" .status)" "the first container is untouched"
}

test_systemd_manager_refused() {
	kakuri_only "kakuri's message" || return 0
	[ "$(cat /proc/1/comm)" = systemd ] && { skip "systemd is PID 1 here"; return 0; }
	local b id
	b=$(new_bundle) || return
	for opt in --cgroup-manager=systemd --systemd-cgroup; do
		id=$(new_id)
		capture rt "$opt" create -b "$b" "$id"
		assert_failed "$opt create" || return
		assert_contains "$ERR" "PID 1" "$opt error"
		[ ! -e "$KK_ROOT/$id" ] || fail "state dir left by $opt"
	done
}

test_manager_disabled() {
	kakuri_only "--cgroup-manager disabled" || return 0
	local b id pid
	b=$(new_bundle) || return
	id=$(new_id)
	jq_config "$b" '.linux.resources.memory = {"limit": 33554432}' || return
	must rt --cgroup-manager=disabled create -b "$b" "$id" || return
	pid=$(ctr_pid rt "$id") || return
	assert_not_contains "$(cat "/proc/$pid/cgroup")" "$id" "/proc/PID/cgroup"
	capture rt pause "$id"
	assert_failed "pause without a cgroup" || return
	assert_contains "$ERR" "no cgroup" "pause error"
	capture rt ps --format json "$id"
	assert_ok "ps without a cgroup (pid namespace scan)" || return
	assert_eq "[$pid]" "$OUT" "ps"
}

# ---- rootless ----------------------------------------------------------------------------

test_rootless_limit_without_delegation() {
	kakuri_only "kakuri's rootless cgroup policy" || return 0
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	jq_config "$b" '.linux.resources.memory = {"limit": 33554432}' || return
	capture rl_rt run -b "$b" "$id"
	assert_failed "rootless run with a memory limit and no delegated cgroup" || return
	assert_contains "$ERR" "memory.limit" "error names the field"
	assert_contains "$ERR" "not writable by uid $KK_RL_UID" "error says why"
	assert_contains "$ERR" "--cgroup-manager disabled" "error says what to do"
	[ ! -e "$KK_RL_ROOT/$id" ] || fail "state dir left behind"
	id=$(new_id)
	set_args "$b" echo limits-off || return
	capture rl_rt --cgroup-manager=disabled run -b "$b" "$id"
	assert_ok "rootless run with --cgroup-manager disabled" || return
	assert_eq limits-off "$OUT" "output"
}

test_rootless_no_limits_warns_once() {
	kakuri_only "kakuri's warning" || return 0
	need_rootless || return 0
	local b id
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	set_args "$b" echo hi || return
	capture rl_rt run -b "$b" "$id"
	assert_ok "rootless run without limits" || return
	assert_eq hi "$OUT" "output"
	assert_eq 1 "$(grep -c 'running without a cgroup' <<<"$ERR")" "one warning ($ERR)"
}

# rootless_in_delegation DIR ARGS...: the runtime as the rootless user, started from
# DIR/shell (root moves the process there first, as systemd does for a delegated unit).
rootless_in_delegation() {
	local dir=$1
	shift
	echo "$BASHPID" >"$dir/shell/cgroup.procs" || return 125
	run_as_user env KK_RT_MARK="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$KK_RL_ROOT" "$@"
}

test_rootless_delegated_v2() {
	kakuri_only "kakuri's delegation support" || return 0
	need_rootless || return 0
	local v2 dir b id pid cg f
	v2=$(cg_mount_v2)
	[ -n "$v2" ] || { skip "no cgroup v2 hierarchy"; return 0; }
	dir=$v2/kk-deleg-$$-$RANDOM
	mkdir "$dir" "$dir/shell" || return
	defer "rmdir $dir/kakuri $dir/shell $dir"
	for f in "$dir" "$dir/shell"; do
		chown "$KK_RL_UID:$KK_RL_GID" "$f" "$f/cgroup.procs" "$f/cgroup.subtree_control" "$f/cgroup.threads" || return
	done
	b=$(new_bundle --rootless) || return
	id=$(new_id)
	_kk_track rootless run -b "$b" "$id"
	capture rootless_in_delegation "$dir" run -d -b "$b" "$id"
	assert_ok "rootless run -d from a delegated cgroup" || return
	pid=$(ctr_pid rl_rt "$id") || return
	cg=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
	assert_eq "${dir#"$v2"}/kakuri/$id" "$cg" "the container's v2 cgroup (below the delegated one)" || return
	capture rl_rt ps --format json "$id"
	assert_ok "ps" || return
	assert_eq "[$pid]" "$OUT" "ps from the cgroup"
	capture rl_rt pause "$id"
	assert_ok "rootless pause (cgroup.freeze of the delegated subtree)" || return
	assert_eq paused "$(state_field rl_rt "$id" .status)" "status"
	capture rl_rt delete --force "$id"
	assert_ok "delete --force" || return
	assert_gone "$dir/kakuri/$id"
}

for RT in rt rt2; do
	case $RT in
	rt) M="" ;;
	rt2) M=" (pure cgroup v2)" ;;
	esac
	run_test "the init is placed in its cgroup in every hierarchy; delete removes the dirs$M" test_placed_in_cgroup $RT
	run_test "memory limit 32 MiB: allocating 64 MiB is OOM-killed and \`events\` reports it$M" test_oom_kill_and_event $RT
	run_test "pids.limit 20 stops a fork bomb with EAGAIN; the host still forks$M" test_pids_limit_fork_bomb $RT
	run_test "cpu quota 20%: the cgroup's own usage counter stays within 20% ± 7% of wall time$M" test_cpu_quota $RT
	run_test "pause freezes (status paused, freezer FROZEN, no progress); resume continues$M" test_pause_resume $RT
	run_test "delete --force of a paused container kills it and removes the cgroup$M" test_delete_paused $RT
	run_test "update changes live limits (flags, --resources FILE and -); bad values fail$M" test_update_live $RT
	run_test "ps lists exactly the cgroup's processes; kill --all empties it$M" test_ps_and_kill_all $RT
	run_test "devices: deny-all refuses a bind-mounted /dev/fuse but not /dev/null; a rule allows it$M" test_devices_filter $RT
	run_test "hugepageLimits 2MB is written to the hugetlb cgroup$M" test_hugetlb_limit $RT
	run_test "events --stats prints one stats event in runc's shape$M" test_events_stats $RT
	run_test "a failed create leaves no cgroup dir and no state$M" test_failed_create_cleans_up $RT
	run_test "runtime SIGKILLed mid-create, then delete --force: no cgroup dir, no state$M" test_sigkill_mid_create $RT
done
run_test "cgroupsPath: absolute, relative (below the runtime's cgroup), slice:prefix:name; '..' refused" test_cgroups_path_forms
run_test "a cgroup that already has processes is refused for a new container" test_nonempty_cgroup_refused
run_test "--cgroup-manager systemd / --systemd-cgroup: a clear error when systemd is not PID 1" test_systemd_manager_refused
run_test "--cgroup-manager disabled: no cgroup, limits ignored, pause fails clearly, ps still works" test_manager_disabled
run_test "rootless: a memory limit without a delegated cgroup is an error naming why; disabled runs" test_rootless_limit_without_delegation
run_test "rootless without limits runs and warns once that limits are not enforced" test_rootless_no_limits_warns_once
run_test "rootless in a delegated cgroup v2 subtree: placed below it; ps, pause, delete work" test_rootless_delegated_v2
done_testing
