#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Escape class: cgroup v1 release_agent (CVE-2022-0492).
# From a default container (rootful and rootless) the attacker tries what the CVE did:
# mount a cgroup v1 hierarchy (rdma, memory, a named one) directly and after
# `unshare -Urmc` (a user namespace gives CAP_SYS_ADMIN over new mount and cgroup
# namespaces), then write release_agent and notify_on_release; also write every
# release_agent visible under the container's /sys/fs/cgroup. Every write must fail, and
# every release_agent of the host must be unchanged afterwards.
. "$(dirname "$0")/../../lib.sh"

host_agents() {
	local f
	for f in /sys/fs/cgroup/*/release_agent; do
		printf '%s=%s\n' "$f" "$(cat "$f" 2>/dev/null)"
	done
}

# attack RT [--rootless]
attack() {
	local run=$1 b id before out
	before=$(host_agents)
	b=$(new_bundle ${2:-}) || return
	install_helper "$b" kk-escape || return 0
	id=$(new_id)
	# The helper, then the same with busybox's own unshare and mount (as a shell attacker
	# would do it): any success prints PWNED.
	set_args "$b" sh -c 'kk-escape release-agent; echo "helper-exit=$?"
		mkdir -p /tmp/cg
		for c in rdma memory; do
			if mount -t cgroup -o $c cgroup /tmp/cg 2>/dev/null; then
				echo /kk-pwned >/tmp/cg/release_agent 2>/dev/null && echo "PWNED direct $c"; umount /tmp/cg
			else echo "direct mount $c refused"; fi
			unshare -Urm sh -c "mount -t cgroup -o $c cgroup /tmp/cg 2>/dev/null && { echo /kk-pwned >/tmp/cg/release_agent 2>/dev/null && echo PWNED userns $c; } || echo userns mount $c refused"
		done'
	capture "$run" run -b "$b" "$id"
	out=$OUT
	diag "attacker: $(grep -E 'step=|refused' <<<"$out" | tr '\n' ';' | cut -c1-900)"
	assert_contains "$out" "written=0" "release_agent writes by the helper" || return
	assert_contains "$out" "helper-exit=0" "the helper found no successful write" || return
	assert_not_contains "$out" PWNED "release_agent writes by the shell attacker" || return
	assert_not_contains "$out" "write-release_agent-rdma errno=0" "release_agent write (rdma)" || return
	assert_not_contains "$out" "write-release_agent-memory errno=0" "release_agent write (memory)" || return
	assert_eq "$before" "$(host_agents)" "the host's release_agent files"
}

test_root() { attack rt; }
test_rootless() {
	need_rootless || return 0
	attack rl_rt --rootless
}

# The same with the default seccomp profile, when the runtime has one.
test_root_default_profile() {
	local d
	d=$(mktemp -d "$T_DIR/spec.XXXXXX")
	if ! (cd "$d" && "$RUNTIME" spec --seccomp default >/dev/null 2>&1); then
		skip "spec --seccomp not available"
		return 0
	fi
	local b id before
	before=$(host_agents)
	b=$(new_bundle) || return
	install_helper "$b" kk-escape || return 0
	jq_config "$b" '.linux.seccomp = $s' --argjson s "$(jq .linux.seccomp "$d/config.json")" || return
	id=$(new_id)
	set_args "$b" kk-escape release-agent
	capture rt run -b "$b" "$id"
	assert_contains "$OUT" "written=0" "release_agent writes under the default profile" || return
	assert_eq "$before" "$(host_agents)" "the host's release_agent files"
}

run_test "CVE-2022-0492 release_agent, root default container: cgroup v1 mounts (direct, unshare -Urmc) and writes fail, host agents unchanged" test_root
run_test "CVE-2022-0492 release_agent, rootless default container: every step fails, host agents unchanged" test_rootless
run_test "CVE-2022-0492 release_agent under the default seccomp profile: every write fails" test_root_default_profile
done_testing
