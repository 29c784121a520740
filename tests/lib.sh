# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers for the runtime integration tests (bash). A test file looks like:
#
#   . "$(dirname "$0")/../../lib.sh"
#   test_run_prints_hello() {
#       local b id; b=$(new_bundle); id=$(new_id)
#       set_args "$b" echo hello
#       capture rt run -b "$b" "$id"
#       assert_ok "run" || return
#       assert_eq hello "$OUT" "container stdout"
#   }
#   run_test "run prints the container's stdout" test_run_prints_hello
#   done_testing
#
# Each run_test runs its function in a subshell (an early `return`, `exit` or `cd` stays
# inside the test) and prints one TAP line; then it force-deletes every container that test
# created (root and rootless) and runs its `defer`red commands. done_testing adds a last test
# that every container of the file left no state dir, mount or process, and prints the plan.
# An EXIT trap force-deletes containers again, kills processes the file's runtime calls left
# behind, unmounts anything under the file's temp dir and removes it, even on failure.
#
# Environment (run.sh sets all of these; defaults make a file runnable on its own as root):
#   RUNTIME           runtime binary (default: build/kakuri-runtime)
#   KK_TMP            world-readable scratch dir shared by a run (default: a new /tmp one)
#   KK_CACHE          pristine rootfs cache for mkbundle.sh (default: $KK_TMP/cache)
#   KK_ROOTLESS_USER  unprivileged user for rootless cases (default kktest; empty: skip them)
#   KK_NOSUB_USER     a user with no /etc/subuid range (default kknosub)
#   KK_CMD_TIMEOUT    seconds any one runtime command may take (default 30)

set -u
shopt -s nullglob

KK_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KK_REPO=$(dirname "$KK_TESTS")
KK_FILE=$(basename "$0" .sh)
KK_CMD_TIMEOUT=${KK_CMD_TIMEOUT:-30}
KK_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

_T_NUM=0
_T_FAILS=0
# TAP lines and comments go to fd 9, a copy of stdout, so that diag/fail work inside $(...)
# too; the runtime never gets fd 9 (rt closes it).
exec 9>&1
_KK_DONE=0
_KK_OWN_TMP=0

kk_bail() {
	echo "Bail out! $KK_FILE: $*"
	exit 1
}

# ---- runtime ---------------------------------------------------------------------------
if [ -z "${RUNTIME:-}" ]; then
	[ -x "$KK_REPO/build/kakuri-runtime" ] || kk_bail "RUNTIME unset and build/kakuri-runtime missing"
	RUNTIME=$KK_REPO/build/kakuri-runtime
fi
RUNTIME=$(command -v "$RUNTIME") || kk_bail "RUNTIME '$RUNTIME' not found"
case $RUNTIME in /*) ;; *) RUNTIME=$PWD/$RUNTIME ;; esac
export RUNTIME
KK_RUNTIME_NAME=$("$RUNTIME" --version 2>/dev/null | awk 'NR == 1 { print $1 }')

is_kakuri() { [ "$KK_RUNTIME_NAME" = kakuri-runtime ]; }

for _kk_tool in jq timeout setpriv; do
	command -v "$_kk_tool" >/dev/null || kk_bail "$_kk_tool not found (scripts/install-deps.sh)"
done
[ "$(id -u)" = 0 ] || kk_bail "the runtime integration tests run as root (rootless cases use run_as_user)"

# ---- scratch dirs ----------------------------------------------------------------------
if [ -z "${KK_TMP:-}" ]; then
	KK_TMP=$(mktemp -d /tmp/kakuri-test.XXXXXX) || kk_bail "mktemp failed"
	chmod 0755 "$KK_TMP"
	_KK_OWN_TMP=1
fi
export KK_TMP
export KK_CACHE=${KK_CACHE:-$KK_TMP/cache}
T_DIR=$(mktemp -d "$KK_TMP/$KK_FILE.XXXXXX") || kk_bail "mktemp in $KK_TMP failed"
chmod 0755 "$T_DIR"
KK_ROOT=$T_DIR/state
mkdir -m 0700 "$KK_ROOT"
: >"$T_DIR/.tracked"

# ---- rootless user ---------------------------------------------------------------------
KK_ROOTLESS_USER=${KK_ROOTLESS_USER-kktest}
KK_NOSUB_USER=${KK_NOSUB_USER-kknosub}
export KK_ROOTLESS_USER
KK_RL_OK=0
KK_RL_WHY=${KK_ROOTLESS_WHY:-"no rootless user configured (KK_ROOTLESS_USER is empty)"}
KK_RL_ROOT=$T_DIR/rl-state
if [ -n "$KK_ROOTLESS_USER" ]; then
	if ! KK_RL_UID=$(id -u "$KK_ROOTLESS_USER" 2>/dev/null); then
		KK_RL_WHY="user $KK_ROOTLESS_USER missing: run tests/setup-rootless.sh"
	elif [ ! -d "/run/user/$KK_RL_UID" ]; then
		KK_RL_WHY="/run/user/$KK_RL_UID missing: run tests/setup-rootless.sh"
	else
		KK_RL_GID=$(id -g "$KK_ROOTLESS_USER")
		KK_RL_OK=1
		mkdir -m 0700 "$KK_RL_ROOT"
		chown "$KK_RL_UID:$KK_RL_GID" "$KK_RL_ROOT"
	fi
fi

# run_as NAME CMD...: runs CMD as user NAME with a clean environment (HOME, PATH,
# XDG_RUNTIME_DIR), from /, since the repository may not be traversable by that user.
run_as() {
	local name=$1 uid gid home
	shift
	uid=$(id -u "$name") || return 125
	gid=$(id -g "$name")
	home=$(getent passwd "$name" | cut -d: -f6)
	(cd / && exec setpriv --reuid="$uid" --regid="$gid" --init-groups \
		env -i HOME="$home" PATH="$KK_PATH" XDG_RUNTIME_DIR="/run/user/$uid" "$@" 9>&-)
}

# run_as_user CMD...: runs CMD as the rootless test user.
run_as_user() {
	[ "$KK_RL_OK" = 1 ] || {
		echo "run_as_user: $KK_RL_WHY" >&2
		return 125
	}
	run_as "$KK_ROOTLESS_USER" "$@"
}

# ---- TAP -------------------------------------------------------------------------------
# diag TEXT...: prints TEXT as TAP comment lines.
diag() {
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do printf '# %s\n' "$line"; done >&9
}

# fail MSG: marks the current test failed, with MSG as a comment. Returns 1.
fail() {
	: >"$T_DIR/.fail"
	diag "FAIL: $*"
	return 1
}

# skip REASON: the current test is reported as "ok N - name # SKIP REASON". The caller
# returns right after: `skip "no time namespace"; return`.
skip() {
	printf '%s' "$*" >"$T_DIR/.skip"
}

# need_rootless: skips the test (and returns 1) when no rootless user is available.
need_rootless() {
	[ "$KK_RL_OK" = 1 ] && return 0
	skip "$KK_RL_WHY"
	return 1
}

# kakuri_only REASON: skips (returns 1) unless the runtime under test is kakuri.
kakuri_only() {
	is_kakuri && return 0
	skip "$KK_RUNTIME_NAME: $*"
	return 1
}

_kk_show() {
	local label=$1 val=$2
	if [ -z "$val" ]; then
		diag "  $label: (empty)"
	else
		diag "  $label:"
		printf '%s\n' "$val" | sed 's/^/#     /' >&9
	fi
}

# _kk_context: shows the last capture's command, status and output after a failure.
_kk_context() {
	[ -n "${CMD:-}" ] || return 0
	diag "  last command: $CMD  (status ${RC:-?})"
	_kk_show stdout "${OUT:-}"
	_kk_show stderr "${ERR:-}"
}

assert_eq() { # EXPECTED ACTUAL [WHAT]
	[ "$1" = "$2" ] && return 0
	fail "${3:-values differ}: expected '$1', got '$2'"
	_kk_context
	return 1
}

assert_ne() { # UNEXPECTED ACTUAL [WHAT]
	[ "$1" != "$2" ] && return 0
	fail "${3:-values equal}: did not expect '$1'"
	_kk_context
	return 1
}

assert_contains() { # HAYSTACK NEEDLE [WHAT]
	case $1 in *"$2"*) return 0 ;; esac
	fail "${3:-output} does not contain '$2'"
	_kk_show "${3:-output}" "$1"
	_kk_context
	return 1
}

assert_not_contains() { # HAYSTACK NEEDLE [WHAT]
	case $1 in *"$2"*) ;; *) return 0 ;; esac
	fail "${3:-output} contains '$2'"
	_kk_show "${3:-output}" "$1"
	_kk_context
	return 1
}

assert_match() { # ERE STRING [WHAT]
	[[ $2 =~ $1 ]] && return 0
	fail "${3:-output} does not match /$1/"
	_kk_show "${3:-output}" "$2"
	_kk_context
	return 1
}

# capture CMD...: runs CMD, sets OUT (stdout), ERR (stderr), RC and CMD. Trailing newlines
# are dropped, as with $(...). Output goes through fresh files (OUTF, ERRF), never a pipe:
# a detached container inherits the runtime's stdio and would hold a pipe open forever.
_kk_cap_seq=0
capture() {
	_kk_cap_seq=$((_kk_cap_seq + 1))
	OUTF=$T_DIR/.out.$_T_NUM.$_kk_cap_seq.$BASHPID
	ERRF=$T_DIR/.err.$_T_NUM.$_kk_cap_seq.$BASHPID
	CMD="$*"
	"$@" >"$OUTF" 2>"$ERRF"
	RC=$?
	OUT=$(cat "$OUTF")
	ERR=$(cat "$ERRF")
	return 0
}

assert_ok() { # [WHAT]: the last capture exited 0
	[ "$RC" = 0 ] && return 0
	fail "${1:-command} failed with status $RC"
	_kk_context
	return 1
}

assert_failed() { # [WHAT]: the last capture exited non-zero
	[ "$RC" != 0 ] && return 0
	fail "${1:-command} succeeded but should have failed"
	_kk_context
	return 1
}

# must CMD...: runs CMD (output discarded unless it fails); on failure marks the test
# failed, shows the output and returns 1, so a test can `must ... || return`.
must() {
	capture "$@"
	[ "$RC" = 0 ] && return 0
	fail "command failed with status $RC"
	_kk_context
	return 1
}

# defer CMD...: runs CMD (a string for eval) after the current test, even when it fails.
# Commands run in reverse order, after the test's containers are force-deleted.
defer() {
	printf '%s\n' "$*" >>"$T_DIR/.defer.$_T_NUM"
}

_kk_run_defers() {
	local f=$1 cmd
	[ -f "$f" ] || return 0
	tac "$f" | while IFS= read -r cmd; do eval "$cmd" >/dev/null 2>&1 </dev/null; done
	rm -f "$f"
}

# run_test NAME FUNC [ARGS...]: runs one test and prints its TAP line.
run_test() {
	local name=$1 rc reason
	shift
	_T_NUM=$((_T_NUM + 1))
	rm -f "$T_DIR/.skip" "$T_DIR/.fail"
	(
		CMD=
		cd "$T_DIR" || exit 1
		"$@" </dev/null
		rc=$?
		if [ "$rc" != 0 ] && [ ! -e "$T_DIR/.skip" ] && [ ! -e "$T_DIR/.fail" ]; then
			diag "FAIL: test body returned status $rc"
			_kk_context
		fi
		exit "$rc"
	)
	rc=$?
	[ -e "$T_DIR/.fail" ] && rc=1
	_kk_cleanup_test "$_T_NUM"
	if [ -e "$T_DIR/.skip" ]; then
		reason=$(cat "$T_DIR/.skip")
		echo >&9 "ok $_T_NUM - $name # SKIP ${reason:-skipped}"
	elif [ "$rc" = 0 ]; then
		echo >&9 "ok $_T_NUM - $name"
	else
		echo >&9 "not ok $_T_NUM - $name"
		_T_FAILS=$((_T_FAILS + 1))
	fi
	rm -f "$T_DIR/.skip" "$T_DIR/.fail"
}

# done_testing: the file's last call. Checks nothing was left behind; prints the plan.
done_testing() {
	run_test "no container of $KK_FILE.sh left a state dir, mount, cgroup or process behind" _kk_final_check
	echo >&9 "1..$_T_NUM"
	_KK_DONE=1
}

# ---- containers ------------------------------------------------------------------------
_kk_id_seq=0
# new_id [TAG]: a container id unique to this run (runc's id rules: [A-Za-z0-9_+.-]).
new_id() {
	_kk_id_seq=$((_kk_id_seq + 1))
	printf 'kk-%s-%s%s-%d-%d\n' "$KK_FILE" "${1:+$1-}" "$_T_NUM" "$_kk_id_seq" "$((RANDOM % 10000))"
}

# mkbundle DIR [--rootless]: see tests/fixtures/mkbundle.sh.
mkbundle() {
	"$KK_TESTS/fixtures/mkbundle.sh" "$@"
}

_kk_bundle_seq=0
# new_bundle [--rootless]: makes a bundle in a fresh dir under $T_DIR and prints its path.
new_bundle() {
	local d
	_kk_bundle_seq=$((_kk_bundle_seq + 1))
	d=$T_DIR/b$_T_NUM.$_kk_bundle_seq.$RANDOM
	if ! mkbundle "$d" "$@" >"$T_DIR/.mkbundle.log" 2>&1; then
		fail "mkbundle $d $* failed"
		sed 's/^/#     /' "$T_DIR/.mkbundle.log" >&9
		return 1
	fi
	echo "$d"
}

# jq_config DIR FILTER [JQ OPTIONS...]: rewrites DIR/config.json through jq (OPTIONS such as
# --arg/--argjson go before the filter), keeping the file's owner and mode (rootless
# bundles belong to the rootless user).
jq_config() {
	local dir=$1 filter=$2 tmp
	shift 2
	tmp=$(mktemp "$T_DIR/.cfg.XXXXXX")
	if ! jq "$@" "$filter" "$dir/config.json" >"$tmp" 2>"$tmp.err"; then
		fail "jq_config $dir '$filter' failed: $(cat "$tmp.err")"
		rm -f "$tmp" "$tmp.err"
		return 1
	fi
	cat "$tmp" >"$dir/config.json"
	rm -f "$tmp" "$tmp.err"
}

# json_array ARG...: prints the arguments as a JSON array of strings. (jq 1.6 has no safe
# --args/NUL input, so each argument goes in as a named --arg.)
json_array() {
	local i=0 a opts=()
	for a in "$@"; do
		opts+=(--arg "a$i" "$a")
		i=$((i + 1))
	done
	jq -nc "${opts[@]}" '$ARGS.named | to_entries | sort_by(.key[1:] | tonumber) | map(.value)'
}

# set_args DIR ARG...: sets process.args.
set_args() {
	local dir=$1
	shift
	jq_config "$dir" '.process.args = $a' --argjson a "$(json_array "$@")"
}

# _kk_track MODE ARGS...: remembers the id and bundle of a create/run so the harness can
# force-delete the container and check for leftovers.
_kk_track() {
	local mode=$1 sub="" bundle=$PWD id="" a
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--root | --log | --log-format | --criu | --rootless) shift 2 ;;
		-*) shift ;;
		*)
			sub=$1
			shift
			break
			;;
		esac
	done
	case $sub in create | run) ;; *) return 0 ;; esac
	while [ $# -gt 0 ]; do
		a=$1
		shift
		case $a in
		-b | --bundle) bundle=${1:-}; [ $# -gt 0 ] && shift ;;
		-b=* | --bundle=*) bundle=${a#*=} ;;
		--console-socket | --pid-file | --preserve-fds | --pidfd-socket) [ $# -gt 0 ] && shift ;;
		-*) ;;
		*) id=$a ;;
		esac
	done
	# An id that is not a plain name (tests of refused ids) names no state dir to check.
	case $id in "" | . | .. | */*) return 0 ;; esac
	case $bundle in /*) ;; *) bundle=$PWD/$bundle ;; esac
	printf '%s\t%s\t%s\t%s\n' "$mode" "$id" "${bundle%/}" "$_T_NUM" >>"$T_DIR/.tracked"
}

# rt ARGS...: the runtime as root with this file's private --root; bounded by
# KK_CMD_TIMEOUT. KK_RT_MARK lets the leftover check find processes it left behind.
rt() {
	_kk_track root "$@"
	env KK_RT_MARK="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$KK_ROOT" "$@" 9>&-
}

# rl_rt ARGS...: the runtime as the rootless user with its own private --root.
rl_rt() {
	_kk_track rootless "$@"
	run_as_user env KK_RT_MARK="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$KK_RL_ROOT" "$@"
}

# rt_as USER ARGS...: the runtime as another user, with a private --root owned by it
# ($T_DIR/state-USER, made on first use).
rt_as() {
	local user=$1 root=$T_DIR/state-$1
	shift
	if [ ! -d "$root" ]; then
		mkdir -m 0700 "$root" && chown "$(id -u "$user"):$(id -g "$user")" "$root" || return 125
	fi
	_kk_track "as:$user:$root" "$@"
	run_as "$user" env KK_RT_MARK="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$RUNTIME" --root "$root" "$@"
}

# state_field RT ID JQ-PATH: one field of `RT state ID` (RT is rt or rl_rt).
state_field() {
	local out
	out=$("$1" state "$2" 2>/dev/null) || return 1
	jq -r "$3" <<<"$out"
}

# wait_status RT ID STATUS [SECONDS]: polls `state` until status is STATUS.
wait_status() {
	local run=$1 id=$2 want=$3 n=$((${4:-10} * 10)) got=""
	while [ "$n" -gt 0 ]; do
		got=$(state_field "$run" "$id" .status) && [ "$got" = "$want" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	fail "container $id did not reach status '$want' (last: '${got:-no state}')"
	return 1
}

_kk_starttime() { # PID: field 22 of /proc/PID/stat (after the parenthesised comm)
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	set -- $stat
	printf '%s\n' "${20}"
}

_kk_alive() { # PID STARTTIME: the process exists, is not a zombie and has that start time
	local st
	st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ "$st" != Z ] && [ "$(_kk_starttime "$1")" = "$2" ]
}

# ctr_pid RT ID: prints the container's init pid from `state` and records it (with its start
# time) for the leftover check.
ctr_pid() {
	local pid
	pid=$(state_field "$1" "$2" .pid) || return 1
	[ -n "$pid" ] && [ "$pid" != null ] || return 1
	track_pid "$2" "$pid"
	echo "$pid"
}

# track_pid ID PID: the leftover check for ID also requires PID to be gone.
track_pid() {
	local st
	st=$(_kk_starttime "$2") || return 0
	printf 'pid\t%s\t%s\t%s\t%s\n' "$1" "$2" "$st" "$_T_NUM" >>"$T_DIR/.tracked"
}

# _kk_env_pids VAR=VALUE: pids whose initial environment holds exactly VAR=VALUE.
_kk_env_pids() {
	local f
	for f in $(grep -lzxF -- "$1" /proc/[0-9]*/environ 2>/dev/null); do
		f=${f#/proc/}
		echo "${f%/environ}"
	done
}

# leftovers_check ID: asserts that container ID left nothing behind: no state dir under
# either --root, no mount in /proc/self/mountinfo whose path contains its bundle, no
# process from it (its recorded pids, or any process carrying its bundle's KK_BUNDLE
# marker). Returns 1 (and marks the test failed) if anything remains.
leftovers_check() {
	local id=$1 bad=0 r bundle pid st p
	for r in "$KK_ROOT" "$KK_RL_ROOT" $(awk -F'\t' -v id="$id" '$2 == id && $1 ~ /^as:/ { sub(/^as:[^:]*:/, "", $1); print $1 }' "$T_DIR/.tracked"); do
		if [ -e "$r/$id" ]; then
			fail "state dir $r/$id remains"
			bad=1
		fi
	done
	while IFS=$'\t' read -r bundle; do
		if grep -qF -- "$bundle" /proc/self/mountinfo; then
			fail "mounts of $id's bundle remain in the host mount namespace"
			grep -F -- "$bundle" /proc/self/mountinfo | sed 's/^/#     /' >&9
			bad=1
		fi
		for p in $(_kk_env_pids "KK_BUNDLE=$bundle"); do
			fail "process $p of $id remains: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
			bad=1
		done
	done < <(awk -F'\t' -v id="$id" '$1 != "pid" && $2 == id { print $3 }' "$T_DIR/.tracked" | sort -u)
	while IFS=$'\t' read -r pid st; do
		if _kk_alive "$pid" "$st"; then
			fail "process $pid of $id remains: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
			bad=1
		fi
	done < <(awk -F'\t' -v id="$id" '$1 == "pid" && $2 == id { print $3 "\t" $4 }' "$T_DIR/.tracked")
	return $bad
}

_kk_force_delete() { # MODE ID
	local user
	case $1 in
	root) KK_CMD_TIMEOUT=30 rt delete --force "$2" ;;
	rootless) [ "$KK_RL_OK" = 1 ] && KK_CMD_TIMEOUT=30 rl_rt delete --force "$2" ;;
	as:*)
		user=${1#as:}
		KK_CMD_TIMEOUT=30 rt_as "${user%%:*}" delete --force "$2"
		;;
	esac
}

_kk_cleanup_test() { # TESTNUM
	local mode id
	while IFS=$'\t' read -r mode id _ _; do
		_kk_force_delete "$mode" "$id" </dev/null >/dev/null 2>&1
	done < <(awk -F'\t' -v n="$1" '$1 != "pid" && $4 == n' "$T_DIR/.tracked")
	_kk_run_defers "$T_DIR/.defer.$1"
}

# The engine's container cgroups (/kakuri/ID in every hierarchy) that exist before an engine
# test file runs: any other one left at the end is a leak. (Only the engine makes them; the
# runtime tests skip the check so that a parallel engine run cannot fail them.)
_kk_engine_cgroups() {
	case $0 in */engine/*) find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path '*/kakuri/*' 2>/dev/null | sort ;; esac
}
_KK_CG_BEFORE=$(_kk_engine_cgroups)

_kk_final_check() {
	local id p n=30 bad=0 cg
	for id in $(awk -F'\t' '$1 != "pid" { print $2 }' "$T_DIR/.tracked" | sort -u); do
		leftovers_check "$id" || bad=1
	done
	# The runtime and anything it forked before exec carry KK_RT_MARK: give short-lived
	# ones (a `run` whose container was just killed) a moment to exit.
	while [ -n "$(_kk_env_pids "KK_RT_MARK=$T_DIR")" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	for p in $(_kk_env_pids "KK_RT_MARK=$T_DIR"); do
		fail "runtime process $p remains: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
		bad=1
	done
	for id in "$KK_ROOT"/* "$KK_RL_ROOT"/* "$T_DIR"/state-*/*; do
		fail "unexpected entry in a state root after all deletes: $id"
		bad=1
	done
	for cg in $(comm -13 <(printf '%s\n' "$_KK_CG_BEFORE") <(_kk_engine_cgroups)); do
		fail "engine cgroup left behind: $cg"
		bad=1
	done
	if grep -qF -- "$T_DIR" /proc/self/mountinfo; then
		fail "mounts under $T_DIR remain"
		grep -F -- "$T_DIR" /proc/self/mountinfo | sed 's/^/#     /' >&9
		bad=1
	fi
	return $bad
}

_kk_exit() {
	local rc=$? mode id bundle f p mnt
	trap - EXIT INT TERM HUP
	while IFS=$'\t' read -r mode id _ _; do
		_kk_force_delete "$mode" "$id" </dev/null >/dev/null 2>&1
	done < <(awk -F'\t' '$1 != "pid"' "$T_DIR/.tracked" 2>/dev/null)
	for f in "$T_DIR"/.defer.*; do _kk_run_defers "$f"; done
	for p in $(_kk_env_pids "KK_RT_MARK=$T_DIR") $(_kk_env_pids "KK_TEST_DIR=$T_DIR"); do
		kill -KILL "$p" 2>/dev/null
	done
	while IFS=$'\t' read -r mode id bundle _; do
		for p in $(_kk_env_pids "KK_BUNDLE=$bundle"); do kill -KILL "$p" 2>/dev/null; done
	done < <(awk -F'\t' '$1 != "pid"' "$T_DIR/.tracked" 2>/dev/null)
	# Never rm -rf through a mount (a bind of a host dir would be emptied): unmount first,
	# deepest first, and keep the dir if anything is still mounted.
	for _ in 1 2 3; do
		awk -v d="$T_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
			while IFS= read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	done
	if awk -v d="$T_DIR" 'index($5, d) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		echo "# $KK_FILE: mounts remain under $T_DIR; not removing it" >&2
	else
		rm -rf --one-file-system "$T_DIR"
		[ "$_KK_OWN_TMP" = 1 ] && rm -rf --one-file-system "$KK_TMP"
	fi
	if [ "$_KK_DONE" != 1 ]; then
		echo "# $KK_FILE: exited (status $rc) before done_testing" >&2
		[ "$rc" = 0 ] && rc=1
	elif [ "$_T_FAILS" -gt 0 ]; then
		rc=1
	fi
	exit "$rc"
}
trap _kk_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

# ---- small shared helpers --------------------------------------------------------------
# host_ns TYPE: the test's own namespace link for TYPE (e.g. "net:[4026531840]").
host_ns() { readlink "/proc/self/ns/$1"; }

# runtime_features: cached output of `$RUNTIME features` ("" if it has none).
runtime_features() {
	[ -f "$T_DIR/.features" ] || { rt features >"$T_DIR/.features" 2>/dev/null || : >"$T_DIR/.features"; }
	cat "$T_DIR/.features"
}

# runtime_has_ns TYPE: features lists namespace TYPE.
runtime_has_ns() {
	runtime_features | jq -e --arg t "$1" '(.linux.namespaces // []) | index($t) != null' >/dev/null 2>&1
}

# proc_status_field PIDSTATUS NAME: a "Name:\tvalue" field out of a /proc/PID/status text.
proc_status_field() {
	awk -v n="$2:" '$1 == n { $1 = ""; sub(/^[ \t]+/, ""); print; exit }' <<<"$1"
}

# helper_bin NAME: path of the static test helper NAME (tests/helpers/NAME.c, built by
# `make` into build/helpers; KK_HELPERS overrides the dir). Fails if it is not built.
helper_bin() {
	local f=${KK_HELPERS:-$KK_REPO/build/helpers}/$1
	[ -x "$f" ] || return 1
	echo "$f"
}

# install_helper BUNDLE NAME...: copies the helpers into BUNDLE/rootfs/bin (mode 0755);
# skips the current test (and returns 1) when one is not built.
install_helper() {
	local b=$1 n f
	shift
	for n in "$@"; do
		if ! f=$(helper_bin "$n"); then
			skip "test helper $n not built (make)"
			return 1
		fi
		cp "$f" "$b/rootfs/bin/$n" && chmod 0755 "$b/rootfs/bin/$n" || return 1
	done
}
