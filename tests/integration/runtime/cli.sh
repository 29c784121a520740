#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The runc-compatible command line itself: --version, spec, features, errors, --log.
. "$(dirname "$0")/../../lib.sh"

test_version_shape() {
	capture rt --version
	assert_ok "--version" || return
	local l1 l2 l3
	l1=$(sed -n 1p <<<"$OUT")
	l2=$(sed -n 2p <<<"$OUT")
	l3=$(sed -n 3p <<<"$OUT")
	assert_match '^[a-z-]+ version [0-9]' "$l1" "first line" || return
	assert_match '^commit: .+' "$l2" "second line"
	assert_match '^spec: [0-9]+\.[0-9]+\.[0-9]+' "$l3" "third line"
	if is_kakuri; then
		assert_match '^kakuri-runtime version [0-9]+\.[0-9]+\.[0-9]+' "$l1" "first line"
		assert_eq "spec: 1.2.0" "$l3" "spec line"
		assert_eq 3 "$(wc -l <<<"$OUT")" "number of --version lines"
	fi
}

test_spec_writes_valid_config() {
	local d=$T_DIR/spec
	mkdir -p "$d"
	capture sh -c 'cd "$1" && "$2" spec' sh "$d" "$RUNTIME"
	assert_ok "spec" || return
	capture jq -e '.ociVersion and (.process.args | type == "array") and .root.path == "rootfs"
		and (.linux.namespaces | map(.type) | index("mount") != null)' "$d/config.json"
	assert_ok "config.json has ociVersion, process.args, root.path rootfs and a mount namespace"
	if is_kakuri; then
		assert_eq 1.2.0 "$(jq -r .ociVersion "$d/config.json")" "ociVersion"
	fi
}

test_spec_refuses_to_overwrite() {
	local d=$T_DIR/spec2
	mkdir -p "$d"
	echo '{"keep": "me"}' >"$d/config.json"
	capture sh -c 'cd "$1" && "$2" spec' sh "$d" "$RUNTIME"
	assert_failed "spec over an existing config.json"
	assert_eq '{"keep": "me"}' "$(cat "$d/config.json")" "existing config.json"
}

test_spec_bundle_option() {
	local d=$T_DIR/spec3
	mkdir -p "$d"
	capture "$RUNTIME" spec --bundle "$d"
	assert_ok "spec --bundle DIR" || return
	capture jq -e .ociVersion "$d/config.json"
	assert_ok "jq parses DIR/config.json"
}

test_spec_rootless_as_user() {
	need_rootless || return 0
	local d=$T_DIR/spec-rl
	mkdir -p "$d"
	chown "$KK_RL_UID:$KK_RL_GID" "$d"
	capture run_as_user sh -c 'cd "$1" && "$2" spec --rootless' sh "$d" "$RUNTIME"
	assert_ok "spec --rootless as $KK_ROOTLESS_USER" || return
	local c=$d/config.json
	capture jq -e '.linux.namespaces | map(.type) | index("user") != null' "$c"
	assert_ok "spec --rootless has a user namespace"
	assert_eq "0 $KK_RL_UID 1" "$(jq -r '.linux.uidMappings[0] | "\(.containerID) \(.hostID) \(.size)"' "$c")" \
		"uidMappings[0] maps 0 to the caller"
	assert_eq "0 $KK_RL_GID 1" "$(jq -r '.linux.gidMappings[0] | "\(.containerID) \(.hostID) \(.size)"' "$c")" \
		"gidMappings[0] maps 0 to the caller's gid"
	assert_eq "null" "$(jq -c '.linux.resources.devices // null' "$c")" \
		"no device cgroup rules (a rootless user cannot apply them)"
}

test_features_json() {
	capture rt features
	assert_ok "features" || return
	capture jq -e '(.ociVersionMin | type == "string") and (.ociVersionMax | type == "string")' <<<"$OUT"
	assert_ok "features is JSON with ociVersionMin and ociVersionMax" || return
	local f
	f=$(runtime_features)
	capture jq -e '.hooks | index("createRuntime") != null and index("poststop") != null' <<<"$f"
	assert_ok "features lists the hooks"
	capture jq -e '.linux.namespaces | (index("pid") != null and index("user") != null)' <<<"$f"
	assert_ok "features lists the namespaces"
	if is_kakuri; then
		assert_eq 1.2.0 "$(jq -r .ociVersionMax <<<"$f")" "ociVersionMax"
		capture jq -e '.linux.namespaces | index("time") != null' <<<"$f"
		assert_ok "kakuri lists the time namespace"
	fi
}

test_unknown_command() {
	capture rt kk-no-such-command
	assert_failed "unknown command" || return
	assert_contains "$OUT$ERR" kk-no-such-command "message"
}

test_help_lists_commands() {
	capture rt --help
	assert_ok "--help" || return
	local c
	for c in create start run state kill delete exec ps list spec features; do
		assert_contains "$OUT" "$c" "--help"
	done
}

test_state_missing_container() {
	capture rt state kk-missing-container
	assert_failed "state of a missing container" || return
	assert_ne "" "$ERR" "error message"
	if is_kakuri; then
		assert_contains "$ERR" "kk-missing-container" "error message"
	fi
}

test_log_json() {
	local log=$T_DIR/rt.log
	capture rt --log "$log" --log-format json state kk-missing-container
	assert_failed "state of a missing container" || return
	[ -s "$log" ] || {
		fail "--log $log is empty"
		return
	}
	local line n=0
	while IFS= read -r line; do
		n=$((n + 1))
		jq -e '(.level | type == "string") and (.msg | type == "string") and (.time | type == "string")' \
			<<<"$line" >/dev/null 2>&1 || fail "log line $n is not JSON with level/msg/time: $line"
	done <"$log"
	capture jq -r 'select(.level == "error") | .msg' "$log"
	assert_ne "" "$OUT" "an error-level message in the log"
}

test_log_text_default() {
	local log=$T_DIR/rt-text.log
	capture rt --log "$log" state kk-missing-container
	assert_failed "state of a missing container" || return
	[ -s "$log" ] || fail "--log $log (text format) is empty"
}

run_test "--version prints '<name> version X', 'commit: ...', 'spec: X.Y.Z'" test_version_shape
run_test "spec writes a config.json that jq parses" test_spec_writes_valid_config
run_test "spec refuses to overwrite an existing config.json" test_spec_refuses_to_overwrite
run_test "spec --bundle DIR writes DIR/config.json" test_spec_bundle_option
run_test "spec --rootless as an unprivileged user maps container root to that user" test_spec_rootless_as_user
run_test "features is JSON with ociVersionMin/Max, hooks and namespaces" test_features_json
run_test "an unknown command fails with a message naming it" test_unknown_command
run_test "--help lists the runc commands" test_help_lists_commands
run_test "state of a missing container fails with a message (kakuri: naming it)" test_state_missing_container
run_test "--log FILE --log-format json writes JSON lines with level, msg, time" test_log_json
run_test "--log FILE writes the error in the default text format" test_log_text_default
done_testing
