# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Helpers for the engine (kakuri) integration tests, on top of tests/lib.sh:
#
#   kk ARGS...          kakuri as root with this file's private store ($KK_STORE)
#   rl_kk ARGS...       kakuri as the rootless test user with its own store ($KK_RL_STORE)
#   engine_fixtures     builds (once per run, cached in $KK_CACHE) tests/fixtures/mkimages.py
#                       build + hostile, prints the directory
#   start_registry NAME [HTPASSWD]   a docker-registry (distribution 2.8) on 127.0.0.1 with
#                       its own config and data dir; sets REG_<NAME>=127.0.0.1:PORT. Stopped
#                       when the file exits (lib.sh kills what carries KK_TEST_DIR).
#   push SRC NAME [CREDS]  skopeo copy SRC (e.g. oci:DIR) to docker://NAME, plain http
#   store_listing DIR   a listing of a store (for "store unchanged" checks)
#   modes_env           for files that run each case as root and as the rootless user:
#                       kakuri-runtime in $T_DIR/bin, the built-in busybox image $IMG in
#                       $ARCHIVE, one containers.conf per mode ($ROOT_CONF, $RL_CONF: tmp_dir
#                       below $T_DIR), MARK=(-e KK_TEST_DIR=...), and then
#     K MODE ARGS...    kakuri as root (MODE root) or as the rootless user (rootless)
#     setup MODE        skips a rootless case without the user, loads the image once per
#                       mode, removes the mode's containers when the test ends
#
# Env: KAKURI (default: kakuri next to $RUNTIME, else build/kakuri).
. "$(dirname "$0")/../../lib.sh"

if [ -z "${KAKURI:-}" ]; then
	KAKURI=$(dirname "$RUNTIME")/kakuri
	[ -x "$KAKURI" ] || KAKURI=$KK_REPO/build/kakuri
fi
[ -x "$KAKURI" ] || kk_bail "kakuri not found (KAKURI=$KAKURI): build it with make"
for _kk_tool in python3 skopeo docker-registry curl zstd; do
	command -v "$_kk_tool" >/dev/null || kk_bail "$_kk_tool not found (scripts/install-deps.sh test)"
done
# A private copy the rootless user can always reach (the tree may not be traversable).
mkdir -p "$T_DIR/bin"
cp "$KAKURI" "$T_DIR/bin/kakuri"
chmod 0755 "$T_DIR/bin" "$T_DIR/bin/kakuri"
KAKURI=$T_DIR/bin/kakuri
KK_STORE=$T_DIR/store
KK_RL_STORE=$T_DIR/rl-store
if [ "$KK_RL_OK" = 1 ]; then
	mkdir -m 0700 "$KK_RL_STORE"
	chown "$KK_RL_UID:$KK_RL_GID" "$KK_RL_STORE"
fi

# fresh_store MODE: an empty store for the test (root or rootless).
fresh_store() {
	local st=$KK_STORE
	[ "$1" = rootless ] && st=$KK_RL_STORE
	[ -d "$st" ] || [ "$1" = root ] || return 0
	if grep -qF -- "$st/" /proc/self/mountinfo; then
		fail "mounts remain in $st"
		return 1
	fi
	rm -rf "$st"
	mkdir -m 0700 "$st"
	[ "$1" = rootless ] && chown "$KK_RL_UID:$KK_RL_GID" "$st"
	return 0
}

kk() {
	env KK_TEST_DIR="$T_DIR" timeout -k 5 "$KK_CMD_TIMEOUT" "$KAKURI" --root "$KK_STORE" "$@" 9>&-
}

# rl_kk [VAR=VALUE...] ARGS...: leading assignments become environment of the command.
rl_kk() {
	local envs=()
	while [ $# -gt 0 ] && [[ $1 == [A-Z_]*=* ]]; do
		envs+=("$1")
		shift
	done
	run_as_user env KK_TEST_DIR="$T_DIR" "${envs[@]}" timeout -k 5 "$KK_CMD_TIMEOUT" "$KAKURI" --root "$KK_RL_STORE" "$@"
}

engine_fixtures() {
	local d=$KK_CACHE/engine-fx
	mkdir -p "$KK_CACHE"
	(
		flock 8
		if [ ! -f "$d/.done" ]; then
			rm -rf "$d"
			python3 "$KK_TESTS/fixtures/mkimages.py" build "$d" >&2 &&
				python3 "$KK_TESTS/fixtures/mkimages.py" hostile "$d/hostile" >&2 &&
				chmod -R a+rX "$d" && touch "$d/.done"
		fi
	) 8>"$KK_CACHE/engine-fx.lock"
	[ -f "$d/.done" ] || return 1
	echo "$d"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_registry() {
	local name=$1 htpasswd=${2:-} port dir=$T_DIR/registry-$1 n=100
	port=$(free_port) || return 1
	mkdir -p "$dir/data"
	{
		printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
		printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/data"
		printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
		if [ -n "$htpasswd" ]; then
			printf 'auth:\n  htpasswd:\n    realm: kakuri-test\n    path: %s\n' "$htpasswd"
		fi
	} >"$dir/config.yml"
	env KK_TEST_DIR="$T_DIR" setsid docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	disown
	while [ $n -gt 0 ]; do
		case $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/") in
		200 | 401)
			printf -v "REG_$name" '%s' "127.0.0.1:$port"
			return 0
			;;
		esac
		sleep 0.1
		n=$((n - 1))
	done
	diag "registry $name did not start:" "$(cat "$dir/log")"
	return 1
}

push() { # SRC NAME [USER:PASS]
	local creds=()
	[ -n "${3:-}" ] && creds=(--dest-creds "$3")
	skopeo copy -q --all --dest-tls-verify=false "${creds[@]}" "$1" "docker://$2" >/dev/null
}

# store_listing DIR: every path of a store with type, size and owner (not times), minus
# the lock file; "store unchanged" compares two of these.
store_listing() {
	(cd "$1" && find . -path ./storage.lock -prune -o -printf '%p %y %s %U:%G %m\n' | sort)
}

# check_store STORE-CMD: `system check` must pass.
check_store() {
	capture "$@" system check
	[ "$RC" = 0 ] && return 0
	fail "system check failed"
	_kk_context
	return 1
}

modes_env() {
	cp "$RUNTIME" "$T_DIR/bin/kakuri-runtime" && chmod 0755 "$T_DIR/bin/kakuri-runtime"
	IMG=docker.io/library/kakuri-busybox:latest
	ARCHIVE=$T_DIR/busybox.tar
	"$KK_TESTS/fixtures/mkimage.sh" "$ARCHIVE" "$IMG" >"$T_DIR/mkimage.log" 2>&1 ||
		kk_bail "mkimage.sh failed: $(tail -n 3 "$T_DIR/mkimage.log")"
	chmod 0644 "$ARCHIVE"
	ROOT_CONF=$T_DIR/containers-root.conf
	RL_CONF=$T_DIR/containers-rl.conf
	mkdir -p "$T_DIR/run-root" "$T_DIR/run-rl"
	printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-root" >"$ROOT_CONF"
	printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-rl" >"$RL_CONF"
	chmod 0644 "$ROOT_CONF" "$RL_CONF"
	[ "$KK_RL_OK" = 1 ] && chown "$KK_RL_UID:$KK_RL_GID" "$T_DIR/run-rl"
	export CONTAINERS_CONF=$ROOT_CONF
	MARK=(-e "KK_TEST_DIR=$T_DIR")
}

K() {
	local mode=$1
	shift
	if [ "$mode" = root ]; then kk "$@"; else rl_kk CONTAINERS_CONF="$RL_CONF" "$@"; fi
}

_kk_loaded=""
setup() { # MODE
	if [ "$1" = rootless ]; then
		need_rootless || return 1
	fi
	defer "K $1 rm -af"
	case " $_kk_loaded " in *" $1 "*) return 0 ;; esac
	must K "$1" load -q -i "$ARCHIVE" || return 1
	_kk_loaded="$_kk_loaded $1"
}
