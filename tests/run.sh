#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The one test entry point (`make test`). Usage: tests/run.sh [FILTER]
#
#  1. builds `make` and `make SAN=1` (skipped when RUNTIME is given and FILTER selects no
#     unit test); a failed build is a failure, shown with its error lines;
#  2. runs every unit test build/san/tests/test-* (ASan+UBSan, leak checking on);
#  3. runs every tests/integration/{runtime,engine}/*.sh as root; their rootless cases run as the
#     unprivileged user made by tests/setup-rootless.sh (lib.sh's run_as_user).
# Each test program prints TAP; every line is shown prefixed with the program's name
# (unit/test-json, runtime/lifecycle.sh). FILTER keeps only programs whose name contains
# it. A program that exits non-zero without a "not ok" line, prints no plan, or runs a
# different number of tests than its plan counts as one more failure; so does one that
# outlives KK_FILE_TIMEOUT (300 s). The last line is always `N passed, N failed, N skipped`;
# the exit status is non-zero if anything failed.
#
# Env: RUNTIME=/path/to/runtime (default: this tree's kakuri-runtime, installed with
# `make install PREFIX=<temp dir>` so the rootless user can run it; KK_SAN_RUNTIME=1 installs
# the sanitizer build instead), KK_ROOTLESS_USER (default kktest; empty disables the rootless
# cases), KK_FILE_TIMEOUT, KK_KEEP_TMP=1 (keep the scratch dir for debugging).
set -u
shopt -s nullglob lastpipe

cd "$(dirname "$0")/.." || exit 1
FILTER=${1:-}
FILE_TIMEOUT=${KK_FILE_TIMEOUT:-300}
JOBS=${KK_JOBS:-2}

passed=0
failed=0
skipped=0
is_root=0
[ "$(id -u)" = 0 ] && is_root=1

KK_TMP=$(mktemp -d /tmp/kakuri-test.XXXXXX) || {
	echo "run.sh: mktemp failed"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
}
chmod 0755 "$KK_TMP"
export KK_TMP KK_CACHE=$KK_TMP/cache

cleanup() {
	if [ "${KK_KEEP_TMP:-0}" = 1 ]; then
		echo "# scratch dir kept: $KK_TMP"
		return
	fi
	# Test files unmount their own dirs; never recurse through a mount that is left.
	if grep -qF -- "$KK_TMP" /proc/self/mountinfo; then
		echo "# mounts remain under $KK_TMP; not removing it"
	else
		rm -rf --one-file-system "$KK_TMP"
	fi
}

summary() {
	cleanup
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
	exit $?
}
trap 'echo "# interrupted"; failed=$((failed + 1)); summary' INT TERM HUP

# reap_marked: kills whatever a test file's runtime calls left running (lib.sh marks them
# with KK_RT_MARK=<its dir under $KK_TMP>); normally nothing, since each file cleans up, but
# a file killed on timeout cannot.
reap_marked() {
	local f p
	for f in $(grep -lz -- "^KK_RT_MARK=$KK_TMP/" /proc/[0-9]*/environ 2>/dev/null); do
		p=${f#/proc/}
		kill -KILL "${p%/environ}" 2>/dev/null
	done
}

matches() { [ -z "$FILTER" ] || [[ $1 == *"$FILTER"* ]]; }

# result NAME ok|fail|skip DESCRIPTION: one harness-level TAP line.
result() {
	case $2 in
	ok) passed=$((passed + 1)); echo "$1: ok - $3" ;;
	skip) skipped=$((skipped + 1)); echo "$1: ok - $3 # SKIP ${4:-}" ;;
	*) failed=$((failed + 1)); echo "$1: not ok - $3" ;;
	esac
}

# run_tap NAME CMD...: runs one TAP program under a timeout and counts its results.
run_tap() {
	local name=$1 err=$KK_TMP/stderr.log line plan="" n=0 nfail=0 rc="" bad=""
	shift
	: >"$err"
	{
		timeout -k 30 "$FILE_TIMEOUT" "$@" 2>"$err" </dev/null
		echo "__kk_rc=$?"
	} | while IFS= read -r line; do
		case $line in
		__kk_rc=*)
			rc=${line#__kk_rc=}
			continue
			;;
		"ok "* | "ok" | "not ok"*) n=$((n + 1)) ;;&
		"not ok"*)
			nfail=$((nfail + 1))
			failed=$((failed + 1))
			;;
		ok*)
			if [[ $line =~ \#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
				skipped=$((skipped + 1))
			else
				passed=$((passed + 1))
			fi
			;;
		1..*)
			plan=${line#1..}
			plan=${plan%%[!0-9]*}
			# "1..0 # SKIP reason": the whole program was skipped.
			if [ "$plan" = 0 ] && [[ $line =~ \#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
				skipped=$((skipped + 1))
			fi
			;;
		"Bail out!"*) bad="bailed out" ;;
		esac
		echo "$name: $line"
	done
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		bad="timed out after ${FILE_TIMEOUT}s"
	elif [ -z "$plan" ]; then
		bad=${bad:-"no TAP plan (crashed or exited early, status $rc)"}
	elif [ "$n" != "$plan" ]; then
		bad="planned $plan tests but ran $n"
	elif [ "$rc" != 0 ] && [ "$nfail" = 0 ]; then
		bad="exited with status $rc without a failing test"
	fi
	if [ -n "$bad" ]; then
		result "$name" fail "$bad"
	fi
	if [ -n "$bad" ] || [ "$nfail" != 0 ]; then
		if [ -s "$err" ]; then
			echo "$name: # stderr (last 40 lines):"
			tail -n 40 "$err" | sed "s|^|$name: #   |"
		fi
	fi
}

# ---- 1. build --------------------------------------------------------------------------
show_build_errors() { # LOG: the compiler's error lines (or the log's end), as comments
	local errs
	errs=$(grep -E 'error|Error|undefined reference' "$1" | head -n 40)
	[ -n "$errs" ] || errs=$(tail -n 40 "$1")
	printf '%s\n' "$errs" | cut -c1-400 | sed 's|^|build: #   |'
}
need_build=1
if [ -n "${RUNTIME:-}" ]; then
	need_build=0
	for src in tests/unit/test-*.c; do
		t=${src#tests/unit/}
		matches "unit/${t%.c}" && need_build=1
	done
fi
build_ok=0
san_ok=0
if [ "$need_build" = 1 ]; then
	if make -j"$JOBS" >"$KK_TMP/build.log" 2>&1; then
		result build ok "make"
		build_ok=1
	else
		result build fail "make"
		show_build_errors "$KK_TMP/build.log"
	fi
	if make -j"$JOBS" SAN=1 >"$KK_TMP/build-san.log" 2>&1; then
		result build ok "make SAN=1"
		san_ok=1
	else
		result build fail "make SAN=1"
		show_build_errors "$KK_TMP/build-san.log"
	fi
fi

# ---- the runtime under test ------------------------------------------------------------
runtime_ok=1
if [ -n "${RUNTIME:-}" ]; then
	RUNTIME=$(command -v "$RUNTIME") || {
		echo "run.sh: RUNTIME '${RUNTIME}' not found"
		runtime_ok=0
	}
	[ "$runtime_ok" = 1 ] && case $RUNTIME in /*) ;; *) RUNTIME=$PWD/$RUNTIME ;; esac
elif [ "$build_ok" = 1 ]; then
	san_arg=""
	[ "${KK_SAN_RUNTIME:-0}" = 1 ] && san_arg=SAN=1
	if make $san_arg install PREFIX="$KK_TMP/prefix" >"$KK_TMP/install.log" 2>&1; then
		RUNTIME=$KK_TMP/prefix/bin/kakuri-runtime
	else
		result build fail "make install PREFIX=$KK_TMP/prefix"
		sed 's|^|build: #   |' "$KK_TMP/install.log"
		runtime_ok=0
	fi
else
	# Nothing to test the integration suite with: end here, as a failure.
	summary
fi
export RUNTIME=${RUNTIME:-}

# ---- 2. unit tests ---------------------------------------------------------------------
if [ "$need_build" = 1 ]; then
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
	if [ "$san_ok" = 1 ]; then
		for t in build/san/tests/test-*; do
			[ -x "$t" ] && [ ! -d "$t" ] || continue
			name=unit/${t##*/}
			matches "$name" || continue
			run_tap "$name" "$t"
		done
	fi
fi

# ---- 3. integration tests --------------------------------------------------------------
# tname FILE: "runtime/x.sh" or "engine/x.sh", the name a test file is reported under.
tname() {
	local d=${1%/*}
	echo "${d##*/}/${1##*/}"
}
files=()
for f in tests/integration/runtime/*.sh tests/integration/engine/*.sh; do
	matches "$(tname "$f")" && files+=("$f")
done

if [ "${#files[@]}" -gt 0 ] && [ "$runtime_ok" = 1 ]; then
	if [ "$is_root" = 0 ]; then
		for f in "${files[@]}"; do result "$(tname "$f")" skip "integration tests" "need root"; done
	else
		# The rootless user must be able to reach the runtime: /work/... may not be
		# traversable by it, so a runtime outside a world-readable path is copied.
		export KK_ROOTLESS_USER=${KK_ROOTLESS_USER-kktest}
		if [ -n "$KK_ROOTLESS_USER" ]; then
			if tests/setup-rootless.sh "$KK_ROOTLESS_USER" >"$KK_TMP/setup-rootless.log" 2>&1; then
				uid=$(id -u "$KK_ROOTLESS_USER")
				if ! setpriv --reuid="$uid" --regid="$(id -g "$KK_ROOTLESS_USER")" --init-groups \
					test -x "$RUNTIME" 2>/dev/null; then
					mkdir -p "$KK_TMP/bin"
					cp "$RUNTIME" "$KK_TMP/bin/"
					chmod 0755 "$KK_TMP/bin" "$KK_TMP/bin/${RUNTIME##*/}"
					RUNTIME=$KK_TMP/bin/${RUNTIME##*/}
				fi
				# A user with no subordinate ranges, for the missing-/etc/subuid case.
				KK_NOSUB_USER=${KK_NOSUB_USER-kknosub}
				if [ -n "$KK_NOSUB_USER" ]; then
					tests/setup-rootless.sh --no-subids "$KK_NOSUB_USER" >>"$KK_TMP/setup-rootless.log" 2>&1 ||
						KK_NOSUB_USER=""
				fi
				export KK_NOSUB_USER
			else
				echo "# rootless setup failed; rootless cases will be skipped:"
				sed 's/^/#   /' "$KK_TMP/setup-rootless.log"
				export KK_ROOTLESS_USER=""
				KK_ROOTLESS_WHY="tests/setup-rootless.sh failed: $(tail -n 1 "$KK_TMP/setup-rootless.log")"
				export KK_ROOTLESS_WHY
			fi
		fi
		echo "# runtime under test: $RUNTIME ($("$RUNTIME" --version 2>&1 | head -n 1))"
		for f in "${files[@]}"; do
			run_tap "$(tname "$f")" bash "$f"
			reap_marked
		done
	fi
fi

summary
