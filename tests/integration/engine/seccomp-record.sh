#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `kakuri run|create --seccomp-record FILE` and `kakuri audit --suggest` (docs/audit.md):
#   - a busybox shell script and a small static C server (kk-server, one request over a
#     unix socket, the client on the host): the recorded profile exists when `run` returns
#     (foreground), has at most 25% of the syscalls the default profile allows (both numbers
#     printed), the workload passes under --security-opt seccomp=RECORDED, and a syscall it
#     never made (getpriority) gets ENOSYS there while the default profile allows it;
#   - rootless: the profile belongs to the user; a relative FILE is resolved from the cwd;
#   - --runtime crun, a missing or unwritable directory: exit 125 naming --seccomp-record,
#     no container left;
#   - audit --suggest: a run that never chroots gets SYS_CHROOT to drop, one that chroots
#     keeps it; table and JSON (jq-validated) with the --cap-drop flags; a container run
#     without recording gets told how to record (exit 1).
. "$(dirname "$0")/common.bash"

cp "$RUNTIME" "$T_DIR/bin/kakuri-runtime" && chmod 0755 "$T_DIR/bin/kakuri-runtime"
IMG=docker.io/library/kakuri-busybox:latest
ARCHIVE=$T_DIR/busybox.tar
"$KK_TESTS/fixtures/mkimage.sh" "$ARCHIVE" "$IMG" >"$T_DIR/mkimage.log" 2>&1 ||
	kk_bail "mkimage.sh failed: $(tail -n 3 "$T_DIR/mkimage.log")"
chmod 0644 "$ARCHIVE"
# The static helpers, readable by the rootless user, bind-mounted at /kk.
H=$T_DIR/helpers
mkdir -p "$H"
for h in kk-rec kk-server; do
	[ -x "$KK_REPO/build/helpers/$h" ] || kk_bail "build/helpers/$h missing (make builds it)"
	cp "$KK_REPO/build/helpers/$h" "$H/"
done
chmod -R a+rX "$H"

ROOT_CONF=$T_DIR/containers-root.conf
RL_CONF=$T_DIR/containers-rl.conf
mkdir -p "$T_DIR/run-root" "$T_DIR/run-rl"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-root" >"$ROOT_CONF"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-rl" >"$RL_CONF"
chmod 0644 "$ROOT_CONF" "$RL_CONF"
[ "$KK_RL_OK" = 1 ] && chown "$KK_RL_UID:$KK_RL_GID" "$T_DIR/run-rl"
export CONTAINERS_CONF=$ROOT_CONF

# The default profile's allowed syscalls (any ALLOW rule): the 25% yardstick.
DEFAULT_ALLOWED=$(jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | length' \
	"$KK_REPO/data/seccomp/default.json")

K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then kk "$@"; else rl_kk CONTAINERS_CONF="$RL_CONF" "$@"; fi
}

as_mode() { # MODE CMD...: a host command as the mode's user
	local mode=$1
	shift
	if [ "$mode" = root ]; then "$@"; else run_as_user "$@"; fi
}

loaded=""
setup() { # MODE
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	defer "K $1 rm -af"
	case " $loaded " in *" $1 "*) return 0 ;; esac
	must K "$1" load -q -i "$ARCHIVE" || return 1
	loaded="$loaded $1"
}

out_dir() { # MODE: a directory the mode's user can write
	local d
	d=$(mktemp -d "$T_DIR/out.XXXXXX") && chmod 0755 "$d" || return 1
	[ "$1" = rootless ] && chown "$KK_RL_UID:$KK_RL_GID" "$d"
	echo "$d"
}

allowed_count() { jq '[.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]] | unique | length' "$1"; }

# check_small PROFILE WHAT: at most 25% of the default profile's syscalls.
check_small() {
	local n
	n=$(allowed_count "$1") || {
		fail "$1 is not a profile"
		return 1
	}
	diag "$2: the recorded profile allows $n syscalls, the default profile $DEFAULT_ALLOWED ($((100 * n / DEFAULT_ALLOWED))%)"
	[ $((n * 4)) -le "$DEFAULT_ALLOWED" ] || {
		fail "$2: $n syscalls is more than 25% of $DEFAULT_ALLOWED"
		return 1
	}
}

SCRIPT='set -e; mkdir -p /tmp/w; for i in 1 2 3; do echo "line $i" >>/tmp/w/f; done
n=$(wc -l </tmp/w/f); cat /tmp/w/f | grep -c line >/dev/null; sed s/line/row/ /tmp/w/f | sort -r | head -n 1
test "$n" -eq 3 && echo "done $n"'
SCRIPT_OUT="row 3
done 3"

test_shell_script() { # MODE
	local mode=$1 d
	setup "$mode" || return 0
	d=$(out_dir "$mode") || return
	capture K "$mode" run --rm --seccomp-record "$d/sh.json" "$IMG" sh -c "$SCRIPT"
	assert_ok "recording run" || return
	assert_eq "$SCRIPT_OUT" "$OUT" "script output while recording" || return
	# Foreground run returns after the profile is written: no waiting here.
	[ -s "$d/sh.json" ] || {
		fail "no profile when run returned"
		return 1
	}
	local owner=0:0
	[ "$mode" = rootless ] && owner=$KK_RL_UID:$KK_RL_GID
	assert_eq "$owner" "$(stat -c %u:%g "$d/sh.json")" "profile owner" || return
	check_small "$d/sh.json" "$mode busybox script" || return
	capture K "$mode" run --rm --security-opt seccomp="$d/sh.json" "$IMG" sh -c "$SCRIPT"
	assert_ok "the script under its recorded profile" || return
	assert_eq "$SCRIPT_OUT" "$OUT" "script output under the recorded profile" || return
	capture K "$mode" run --rm -v "$H:/kk:ro" --security-opt seccomp="$d/sh.json" "$IMG" /kk/kk-rec call getpriority
	assert_eq "getpriority=errno 38" "$OUT" "an unobserved syscall under the recorded profile" || return
	capture K "$mode" run --rm -v "$H:/kk:ro" "$IMG" /kk/kk-rec call getpriority
	assert_eq "getpriority=ok" "$OUT" "the same syscall under the default profile"
}

# serve MODE PROFILE-OPTION...: runs kk-server detached with a socket in a fresh volume,
# asks it once from the host; sets SRV_ID, SRV_ANSWER.
serve() {
	local mode=$1 sd i
	shift
	sd=$(out_dir "$mode") || return 1
	capture K "$mode" run -d -v "$H:/kk:ro" -v "$sd:/sock" "$@" "$IMG" /kk/kk-server /sock/s
	assert_ok "kk-server detached" || return 1
	SRV_ID=$OUT
	for i in $(seq 100); do [ -S "$sd/s" ] && break; sleep 0.05; done
	[ -S "$sd/s" ] || {
		fail "the server did not listen: $(K "$mode" logs "$SRV_ID" 2>&1)"
		return 1
	}
	SRV_ANSWER=$(as_mode "$mode" "$H/kk-server" --client "$sd/s" kakuri 2>&1)
	local crc=$?
	[ -n "$SRV_ANSWER" ] || diag "client exit status $crc, server log: $(K "$mode" logs "$SRV_ID" 2>&1)"
	capture K "$mode" wait "$SRV_ID"
	assert_eq 0 "$OUT" "kk-server exit code" || return 1
}

test_server() { # MODE
	local mode=$1 d i
	setup "$mode" || return 0
	d=$(out_dir "$mode") || return
	serve "$mode" --seccomp-record "$d/srv.json" || return
	assert_eq "hello, kakuri" "$SRV_ANSWER" "answer while recording" || return
	# Detached: the profile follows the container's exit by moments.
	for i in $(seq 100); do [ -s "$d/srv.json" ] && break; sleep 0.05; done
	[ -s "$d/srv.json" ] || {
		fail "no profile after the server exited"
		return 1
	}
	check_small "$d/srv.json" "$mode kk-server" || return
	serve "$mode" --security-opt seccomp="$d/srv.json" || return
	assert_eq "hello, kakuri" "$SRV_ANSWER" "answer under the recorded profile" || return
	capture K "$mode" run --rm -v "$H:/kk:ro" --security-opt seccomp="$d/srv.json" "$IMG" /kk/kk-rec call getpriority
	assert_eq "getpriority=errno 38" "$OUT" "an unobserved syscall under the server's profile"
}

test_relative_path_and_create() { # MODE
	local mode=$1 d
	setup "$mode" || return 0
	d=$(out_dir "$mode") || return
	# create + start, FILE relative to the CLI's cwd.
	if [ "$mode" = root ]; then
		capture env -C "$d" "$KAKURI" --root "$KK_STORE" create --name rel --seccomp-record rel.json "$IMG" true
	else
		capture run_as_user env -C "$d" CONTAINERS_CONF="$RL_CONF" "$KAKURI" --root "$KK_RL_STORE" create --name rel \
			--seccomp-record rel.json "$IMG" true
	fi
	assert_ok "create with a relative --seccomp-record" || return
	assert_eq "$d/rel.json" "$(K "$mode" inspect --format '{{index .Config.Annotations "io.kakuri.seccomp.record"}}' rel 2>/dev/null ||
		K "$mode" inspect rel | jq -r '.[0].Config.Annotations["io.kakuri.seccomp.record"]')" "annotation (absolute)" || return
	capture K "$mode" start -a rel
	assert_ok "start -a" || return
	local i
	for i in $(seq 100); do [ -s "$d/rel.json" ] && break; sleep 0.05; done
	[ -s "$d/rel.json" ] || fail "no profile after create + start"
}

test_errors() { # MODE
	local mode=$1 d
	setup "$mode" || return 0
	d=$(out_dir "$mode") || return
	capture K "$mode" run --rm --runtime crun --seccomp-record "$d/x.json" "$IMG" true
	assert_eq 125 "$RC" "--runtime crun" || return
	assert_contains "$ERR" "--seccomp-record: only kakuri-runtime can record" || return
	capture K "$mode" run --rm --seccomp-record /nonexistent-kk/x.json "$IMG" true
	assert_eq 125 "$RC" "missing directory" || return
	assert_contains "$ERR" "--seccomp-record '/nonexistent-kk/x.json': directory '/nonexistent-kk'" || return
	if [ "$mode" = rootless ]; then
		local ro
		ro=$(mktemp -d "$T_DIR/ro.XXXXXX") && chmod 0755 "$ro" || return
		capture K "$mode" run --rm --seccomp-record "$ro/x.json" "$IMG" true
		assert_eq 125 "$RC" "unwritable directory" || return
		assert_contains "$ERR" "is not writable" || return
	fi
	capture K "$mode" ps -aq
	assert_eq "" "$OUT" "no container left by the refused runs" || return
	assert_eq "" "$(ls -A "$d")" "nothing written"
}

SUGGEST=(audit --suggest)
suggest_verb() {
	K "$1" audit --suggest --help >/dev/null 2>&1 || SUGGEST=(audit-suggest)
}

test_audit_suggest() { # MODE
	local mode=$1 d
	setup "$mode" || return 0
	suggest_verb "$mode"
	diag "via kakuri ${SUGGEST[*]}"
	d=$(out_dir "$mode") || return
	must K "$mode" run --name nochroot --seccomp-record "$d/a.json" "$IMG" sh -c 'echo hi; ls / >/dev/null' || return
	must K "$mode" run --name chrooter --seccomp-record "$d/b.json" "$IMG" chroot / true || return
	capture K "$mode" "${SUGGEST[@]}" nochroot
	assert_ok "${SUGGEST[*]} nochroot" || return
	assert_match 'CAP_SYS_CHROOT +drop +none of chroot, setns observed' "$OUT" "SYS_CHROOT advice" || return
	assert_match 'CAP_DAC_OVERRIDE +unknown +cannot be determined from syscalls' "$OUT" "DAC_OVERRIDE advice" || return
	assert_contains "$OUT" "Method: " "the method is stated" || return
	assert_match 'Suggested: .*--cap-drop SYS_CHROOT' "$OUT" "suggested flags" || return
	capture K "$mode" "${SUGGEST[@]}" --format json nochroot
	assert_ok "--format json" || return
	jq -e . <<<"$OUT" >/dev/null || {
		fail "not JSON: $OUT"
		return 1
	}
	assert_eq drop "$(jq -r '.capabilities[] | select(.capability == "CAP_SYS_CHROOT") | .advice' <<<"$OUT")" "json advice" || return
	assert_eq true "$(jq '.cap_drop | index("--cap-drop=SYS_CHROOT") != null' <<<"$OUT")" "json cap_drop" || return
	assert_eq unknown "$(jq -r '.capabilities[] | select(.capability == "CAP_FOWNER") | .advice' <<<"$OUT")" "json FOWNER" || return
	capture K "$mode" "${SUGGEST[@]}" --format json chrooter
	assert_eq keep "$(jq -r '.capabilities[] | select(.capability == "CAP_SYS_CHROOT") | .advice' <<<"$OUT")" \
		"a run that chroots keeps SYS_CHROOT" || return
	assert_eq '["chroot"]' "$(jq -c '.capabilities[] | select(.capability == "CAP_SYS_CHROOT") | .observed' <<<"$OUT")" \
		"the evidence" || return
	# The advice holds: the workload runs without what it says to drop.
	capture K "$mode" run --rm $(jq -r '.cap_drop[]' <<<"$(K "$mode" "${SUGGEST[@]}" --format json nochroot)") \
		"$IMG" sh -c 'echo hi; ls / >/dev/null'
	assert_eq hi "$OUT" "nochroot's workload with the suggested --cap-drop flags" || return
	must K "$mode" run --name plain "$IMG" true || return
	capture K "$mode" "${SUGGEST[@]}" plain
	assert_eq 1 "$RC" "a container without a recorded run" || return
	assert_contains "$ERR" "no recorded run" || return
	assert_contains "$ERR" "--seccomp-record FILE" "how to record"
}

for mode in root rootless; do
	run_test "$mode: busybox script: profile written when run returns, <= 25% of default, replays, unobserved call ENOSYS" test_shell_script $mode
	run_test "$mode: kk-server: profile <= 25% of default, serves under it, unobserved call ENOSYS" test_server $mode
	run_test "$mode: create + start with a relative FILE: absolute annotation, profile written" test_relative_path_and_create $mode
	run_test "$mode: --runtime crun, missing/unwritable directory: exit 125 naming --seccomp-record, nothing left" test_errors $mode
	run_test "$mode: audit --suggest: SYS_CHROOT drop without chroot, keep with it; table, JSON, no-recording hint" test_audit_suggest $mode
done
done_testing
