#!/bin/sh
# podman (through conmon) drives $RUNTIME: create/start/exit status of `run --rm`, detached
# containers, exec, and `rm -f` (kill + delete), the way podman uses a runc-compatible runtime.
# podman gets private everything: --root/--runroot/--tmpdir under a temp dir, its own
# containers.conf and storage.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF), file locks and
# file events instead of /dev/shm and journald, --network none, cgroupfs under a private
# cgroup parent, and a private runtime state dir (--runtime-flag root=...).
# podman 4.3 still writes outside those: its blob-info cache to /var/lib/containers/cache,
# and its exit command (`podman container cleanup`) runs `RUNTIME delete --force` without
# the --runtime-flag root, i.e. in the runtime's default root under /run. So the file
# re-runs itself in a private mount namespace where /var/lib and /run are throw-away
# overlays (upper dirs on a private tmpfs), and the host never sees those writes.
# Env: RUNTIME (absolute path, default build/kakuri-runtime), KK_CACHE (image cache),
#      PODMAN_STORAGE_DRIVER (default overlay, vfs when overlay does not work here).
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
RUNTIME=${RUNTIME:-$top/build/kakuri-runtime}
# conmon runs it from another directory: make the path absolute.
case $RUNTIME in
/*) ;;
*/*) RUNTIME=$PWD/$RUNTIME ;;
*) RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME") ;;
esac
export RUNTIME

# Mounts podman makes (container rootfs, the /var/lib overlay) then die with the namespace.
if [ -z "${KK_PODMAN_NS:-}" ] && command -v unshare >/dev/null 2>&1 &&
	unshare -m --propagation private true 2>/dev/null; then
	KK_PODMAN_NS=1 exec unshare -m --propagation private /bin/sh "$0" "$@"
fi

# Seconds one ctr/podman command may take: a hanging runtime must not eat run.sh's
# per-file budget (KK_FILE_TIMEOUT, 300 s) on its own.
TIMEOUT=${KK_ENGINE_TIMEOUT:-20}
image=docker.io/library/kakuri-busybox:latest

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /' "$@"; }

tests="podman loads the mkimage.sh OCI archive into private storage
podman run --rm propagates exit status 4 from sh -c 'exit 4'
podman run --rm passes the container's stdout through conmon
podman run -d starts a detached container that is running
RUNTIME state sees the detached container in the private runtime root
podman exec prints hi from inside the running container
podman rm -f kills and removes the running container
podman reached the host's /var/lib and /run only through private overlays"
plan=$(printf '%s\n' "$tests" | wc -l)
echo "1..$plan"

skip_all() {
	printf '%s\n' "$tests" | while IFS= read -r t; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP $1"
	done
	exit 0
}
command -v podman >/dev/null 2>&1 || skip_all "podman is not installed"
command -v conmon >/dev/null 2>&1 || skip_all "conmon is not installed"

tmp=$(mktemp -d "${KK_TMP:-${TMPDIR:-/tmp}}/kk-podman.XXXXXX")
cgparent=/kakuri-podman-$$
masked=""
driver=

our_pids() {
	for p in /proc/[0-9]*; do
		case $(tr '\0' ' ' 2>/dev/null <"$p/cmdline") in
		*conmon*"$tmp"* | *podman*"$tmp"*) echo "${p#/proc/}" ;;
		esac
	done
}
cleanup() {
	if [ -n "$driver" ]; then
		pm rm -a -f -t 0 >/dev/null 2>&1
		pm rmi -a -f >/dev/null 2>&1
	fi
	# conmon and the `podman container cleanup` it spawns outlive podman, and the latter
	# writes the runtime's default root: wait for them while /run is still masked, then
	# kill what is left. Only ours have our temp dir on their command line.
	i=0
	while [ -n "$(our_pids)" ] && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	for p in $(our_pids); do kill -KILL "$p" 2>/dev/null; done
	for d in $masked; do umount -l "$d"; done
	grep -F " $tmp/" /proc/self/mounts | cut -d' ' -f2 | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp"
	for d in /sys/fs/cgroup/*"$cgparent" /sys/fs/cgroup/*/"${cgparent#/}"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
}
trap cleanup EXIT
# A reader that goes away (| head) must not kill us before the EXIT trap has cleaned up.
trap 'exit 130' INT TERM HUP PIPE

# Host paths podman may write although it has been told otherwise (see the top).
mask_host_dirs() {
	mkdir -p "$tmp/ovl"
	mount -t tmpfs -o mode=0700 kk-podman-ovl "$tmp/ovl" || return 1
	for d in /var/lib /run; do
		case $tmp/ in "$d"/*) continue ;; esac
		u=$tmp/ovl/$(echo "$d" | tr / _)
		mkdir -p "$u.up" "$u.work"
		mount -t overlay kk-podman-mask -o "lowerdir=$d,upperdir=$u.up,workdir=$u.work" "$d" ||
			return 1
		masked="$masked $d"
	done
}
if [ -n "${KK_PODMAN_NS:-}" ]; then
	mask_host_dirs || echo "# could not mask /var/lib and /run: podman may write there"
fi
# Not masked, so checked: the host's shared-memory locks and network/image configuration.
host_state() { ls -a /dev/shm /etc/cni/net.d /etc/containers 2>/dev/null; }
before=$(host_state)

export CONTAINERS_CONF="$tmp/containers.conf"
export CONTAINERS_STORAGE_CONF="$tmp/storage.conf"
# Never read the host's or root's per-user podman configuration either.
export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" HOME="$tmp/home"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$HOME" "$tmp/net"

write_conf() {
	cat >"$CONTAINERS_CONF" <<EOF
[containers]
netns = "none"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$tmp/events.log"
lock_type = "file"
tmp_dir = "$tmp/tmp"
static_dir = "$tmp/root/libpod"
volume_path = "$tmp/root/volumes"

[network]
network_config_dir = "$tmp/net"
EOF
	cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "$1"
graphroot = "$tmp/root"
runroot = "$tmp/run"
EOF
}

pm() {
	timeout "$TIMEOUT" podman --root "$tmp/root" --runroot "$tmp/run" --tmpdir "$tmp/tmp" \
		--storage-driver "$driver" --cgroup-manager cgroupfs --events-backend file \
		--network-config-dir "$tmp/net" --runtime "$RUNTIME" \
		--runtime-flag "root=$tmp/rt" "$@"
}

# overlay unless this filesystem cannot host it; probed in a scratch store without
# $RUNTIME, since a store remembers its first driver and $RUNTIME may be broken.
driver=${PODMAN_STORAGE_DRIVER:-overlay}
write_conf "$driver"
if [ -z "${PODMAN_STORAGE_DRIVER:-}" ] &&
	! timeout "$TIMEOUT" podman --root "$tmp/probe/root" --runroot "$tmp/probe/run" \
		--tmpdir "$tmp/probe/tmp" --storage-driver overlay info >/dev/null 2>&1; then
	driver=vfs
	write_conf "$driver"
fi
echo "# podman $(podman --version | cut -d' ' -f3), storage $driver, runtime $RUNTIME"

archive=$tmp/image.tar
if "$top/tests/fixtures/mkimage.sh" "$archive" "$image" >"$tmp/load.log" 2>&1 &&
	pm load -i "$archive" >>"$tmp/load.log" 2>&1 &&
	pm image exists "$image"; then
	ok "podman loads the mkimage.sh OCI archive into private storage"
else
	not_ok "podman loads the mkimage.sh OCI archive into private storage"
	diag "$tmp/load.log"
fi

# The host's default rlimits cannot be raised here (no CAP_SYS_RESOURCE), so name them.
set -- --network none --cgroup-parent "$cgparent" \
	--ulimit nofile=20000:20000 --ulimit nproc=1000:1000

pm run --rm "$@" "$image" sh -c 'exit 4' >"$tmp/out" 2>&1
rc=$?
if [ $rc = 4 ]; then ok "podman run --rm propagates exit status 4 from sh -c 'exit 4'"; else
	not_ok "podman run --rm propagates exit status 4 from sh -c 'exit 4'"
	echo "# exit status $rc, expected 4"
	diag "$tmp/out"
fi

# The container's shell, not ours, must do the arithmetic.
# shellcheck disable=SC2016
out=$(pm run --rm "$@" "$image" sh -c 'echo hello-$((6 * 7))' 2>&1)
if [ "$out" = hello-42 ]; then ok "podman run --rm passes the container's stdout through conmon"; else
	not_ok "podman run --rm passes the container's stdout through conmon"
	printf '# got: %s\n' "$out" | head -5
fi

ctr=kk-detached
if pm run -d --name $ctr "$@" "$image" sleep 1000 >"$tmp/out" 2>&1 &&
	[ "$(pm inspect --format '{{.State.Status}}' $ctr 2>/dev/null)" = running ]; then
	ok "podman run -d starts a detached container that is running"
else
	not_ok "podman run -d starts a detached container that is running"
	diag "$tmp/out"
fi

cid=$(pm inspect --format '{{.Id}}' $ctr 2>/dev/null)
st=$(timeout "$TIMEOUT" "$RUNTIME" --root "$tmp/rt" state "${cid:-none}" 2>&1)
if printf '%s' "$st" | grep -q '"status": *"running"'; then
	ok "RUNTIME state sees the detached container in the private runtime root"
else
	not_ok "RUNTIME state sees the detached container in the private runtime root"
	printf '%s\n' "$st" | head -10 | diag
fi

out=$(pm exec $ctr echo hi 2>&1)
if [ "$out" = hi ]; then ok "podman exec prints hi from inside the running container"; else
	not_ok "podman exec prints hi from inside the running container"
	printf '# got: %s\n' "$out" | head -5
fi

if pm rm -f -t 0 $ctr >"$tmp/out" 2>&1 && ! pm container exists $ctr &&
	[ -z "$(pm ps -a -q)" ]; then
	ok "podman rm -f kills and removes the running container"
else
	not_ok "podman rm -f kills and removes the running container"
	diag "$tmp/out"
	pm ps -a 2>&1 | diag
fi

if [ -z "$masked" ]; then
	ok "podman reached the host's /var/lib and /run only through private overlays # SKIP no private mount namespace with overlays here"
elif [ "$(host_state)" = "$before" ]; then
	ok "podman reached the host's /var/lib and /run only through private overlays"
else
	not_ok "podman reached the host's /var/lib and /run only through private overlays"
	printf '%s\n' "$before" >"$tmp/before"
	host_state | diff "$tmp/before" - | diag
fi
for d in $masked; do
	u=$tmp/ovl/$(echo "$d" | tr / _).up
	w=$(cd "$u" && find . -mindepth 1 -maxdepth 3 | sed "s|^\.|$d|" | tr '\n' ' ')
	[ -n "$w" ] && echo "# podman wrote (privately) under $d: $w"
done

[ $failed = 0 ]
