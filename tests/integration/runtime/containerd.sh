#!/bin/sh
# containerd drives $RUNTIME through its io.containerd.runc.v2 shim (`ctr run --runc-binary`):
# create/start/wait/exit status, detached tasks, exec, kill -a and delete, the way real
# deployments call a runc-compatible runtime.
# A private containerd is started for this file only: its own socket, root, state, runc root,
# FIFO dir and containerd namespace, a config with CRI and every network-needing plugin off.
# Everything it made is removed on exit. Skips only when containerd itself cannot start.
# Env: RUNTIME (absolute path, default build/kakuri-runtime), KK_CACHE (image cache),
#      CTR_SNAPSHOTTER (default overlayfs, native when overlayfs is unusable),
#      CTR_CGROUP (if set, passed as `ctr run --cgroup "$CTR_CGROUP"`; "" disables cgroups).
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
RUNTIME=${RUNTIME:-$top/build/kakuri-runtime}
# The shim runs it from another directory: make the path absolute.
case $RUNTIME in
/*) ;;
*/*) RUNTIME=$PWD/$RUNTIME ;;
*) RUNTIME=$(command -v "$RUNTIME" || echo "$RUNTIME") ;;
esac
# Seconds one ctr/podman command may take: a hanging runtime must not eat run.sh's
# per-file budget (KK_FILE_TIMEOUT, 300 s) on its own.
TIMEOUT=${KK_ENGINE_TIMEOUT:-20}
image=docker.io/library/kakuri-busybox:latest

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
diag() { sed 's/^/# /' "$@"; }

tests="containerd starts on a private socket and imports the busybox OCI archive
ctr run --rm true exits 0
ctr run --rm propagates exit status 7 from sh -c 'exit 7'
ctr run --rm passes the container's stdout through the shim
ctr run -d starts a detached task that is RUNNING
RUNTIME state sees the detached container in the shim's runc root
ctr task exec --exec-id prints hi from inside the running container
ctr task kill -a -s SIGKILL stops the task
ctr task delete removes the stopped task
ctr container delete removes the container"
plan=$(printf '%s\n' "$tests" | wc -l)
echo "1..$plan"

skip_all() {
	printf '%s\n' "$tests" | while IFS= read -r t; do
		n=$((n + 1))
		echo "ok $n - $t # SKIP $1"
	done
	exit 0
}

command -v containerd >/dev/null 2>&1 || skip_all "containerd is not installed"
command -v ctr >/dev/null 2>&1 || skip_all "ctr is not installed"
command -v containerd-shim-runc-v2 >/dev/null 2>&1 ||
	skip_all "containerd-shim-runc-v2 is not installed"

# Short paths: the gRPC socket path must fit in sun_path (108 bytes).
tmp=$(mktemp -d "${KK_TMP:-${TMPDIR:-/tmp}}/kk-ctd.XXXXXX")
ns=kakuri-test-$$
sock=$tmp/ctd.sock
runc_root=$tmp/runc
ctd_pid=
run_existed=0
[ -d /run/containerd ] && run_existed=1

ctr_() { timeout "$TIMEOUT" ctr --address "$sock" --namespace "$ns" "$@"; }

cleanup() {
	if [ -n "$ctd_pid" ] && kill -0 "$ctd_pid" 2>/dev/null; then
		for id in $(ctr_ task ls -q 2>/dev/null); do
			ctr_ task kill -a -s SIGKILL "$id" >/dev/null 2>&1
			ctr_ task delete -f "$id" >/dev/null 2>&1
		done
		for id in $(ctr_ container ls -q 2>/dev/null); do
			ctr_ container delete "$id" >/dev/null 2>&1
		done
		kill -TERM "$ctd_pid" 2>/dev/null
		i=0
		while kill -0 "$ctd_pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		kill -KILL "$ctd_pid" 2>/dev/null
		wait "$ctd_pid" 2>/dev/null
	fi
	# Shims are re-parented away from containerd; only ours carry our socket address.
	for p in /proc/[0-9]*; do
		case $(tr '\0' ' ' 2>/dev/null <"$p/cmdline") in
		*containerd-shim*"$sock"*) kill -KILL "${p#/proc/}" 2>/dev/null ;;
		esac
	done
	# Container rootfs mounts (overlay) live under the private state dir.
	grep -F " $tmp/" /proc/self/mounts | cut -d' ' -f2 | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$tmp"
	# runc-style runtimes put v1 cgroups at /<namespace>/<id> in each hierarchy.
	for d in /sys/fs/cgroup/*/"$ns" /sys/fs/cgroup/"$ns"; do
		[ -d "$d" ] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# The shim socket dir (/run/containerd/s) is hard-coded in containerd 1.6.
	if [ $run_existed = 0 ]; then
		rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc \
			/run/containerd 2>/dev/null
	fi
}
trap cleanup EXIT
# A reader that goes away (| head) must not kill us before the EXIT trap has cleaned up.
trap 'exit 130' INT TERM HUP PIPE

mkdir -p "$tmp/root" "$tmp/state" "$runc_root" "$tmp/fifo"
cat >"$tmp/config.toml" <<EOF
version = 2
root = "$tmp/root"
state = "$tmp/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
]

[grpc]
  address = "$sock"

[ttrpc]
  address = "$sock.ttrpc"

[debug]
  address = ""

[metrics]
  address = ""
EOF

containerd --config "$tmp/config.toml" >"$tmp/containerd.log" 2>&1 &
ctd_pid=$!
i=0
until ctr_ version >/dev/null 2>&1; do
	i=$((i + 1))
	if ! kill -0 "$ctd_pid" 2>/dev/null || [ $i -ge 100 ]; then
		reason=$(grep -E 'level=(fatal|error)' "$tmp/containerd.log" | tail -1 | cut -c1-160)
		skip_all "containerd cannot start: ${reason:-no socket after 20s}"
	fi
	sleep 0.2
done

snap=${CTR_SNAPSHOTTER:-overlayfs}
if [ -z "${CTR_SNAPSHOTTER:-}" ] &&
	! ctr_ plugins ls 2>/dev/null | grep -Eq 'snapshotter\.v1[[:space:]]+overlayfs[[:space:]].*[[:space:]]ok'; then
	snap=native
fi
echo "# containerd $(containerd --version | cut -d' ' -f3), snapshotter $snap, runtime $RUNTIME"

archive=$tmp/image.tar
if "$top/tests/fixtures/mkimage.sh" "$archive" "$image" >"$tmp/import.log" 2>&1 &&
	ctr_ image import --snapshotter "$snap" "$archive" >>"$tmp/import.log" 2>&1 &&
	ctr_ image ls -q | grep -qx "$image"; then
	ok "containerd starts on a private socket and imports the busybox OCI archive"
else
	not_ok "containerd starts on a private socket and imports the busybox OCI archive"
	diag "$tmp/import.log"
fi

set -- --snapshotter "$snap" --runc-binary "$RUNTIME" --runc-root "$runc_root" \
	--fifo-dir "$tmp/fifo"
[ -n "${CTR_CGROUP+x}" ] && set -- "$@" --cgroup "$CTR_CGROUP"

ctr_ run --rm "$@" "$image" kk-true true >"$tmp/out" 2>&1
rc=$?
if [ $rc = 0 ]; then ok "ctr run --rm true exits 0"; else
	not_ok "ctr run --rm true exits 0"
	echo "# exit status $rc"
	diag "$tmp/out"
fi

ctr_ run --rm "$@" "$image" kk-exit sh -c 'exit 7' >"$tmp/out" 2>&1
rc=$?
if [ $rc = 7 ]; then ok "ctr run --rm propagates exit status 7 from sh -c 'exit 7'"; else
	not_ok "ctr run --rm propagates exit status 7 from sh -c 'exit 7'"
	echo "# exit status $rc, expected 7"
	diag "$tmp/out"
fi

# The container's shell, not ours, must do the arithmetic.
# shellcheck disable=SC2016
out=$(ctr_ run --rm "$@" "$image" kk-echo sh -c 'echo hello-$((6 * 7))' 2>&1)
if [ "$out" = hello-42 ]; then ok "ctr run --rm passes the container's stdout through the shim"; else
	not_ok "ctr run --rm passes the container's stdout through the shim"
	echo "# got: $out" | head -5
fi

id=kk-detached
running() { ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'; }
if ctr_ run -d --null-io "$@" "$image" $id sleep 1000 >"$tmp/out" 2>&1 &&
	[ "$(running $id)" = RUNNING ]; then
	ok "ctr run -d starts a detached task that is RUNNING"
else
	not_ok "ctr run -d starts a detached task that is RUNNING"
	diag "$tmp/out"
	ctr_ task ls 2>&1 | diag
fi

# The v2 shim keeps runtime state in <runc-root>/<namespace>.
st=$(timeout "$TIMEOUT" "$RUNTIME" --root "$runc_root/$ns" state $id 2>&1)
if printf '%s' "$st" | grep -q '"status": *"running"'; then
	ok "RUNTIME state sees the detached container in the shim's runc root"
else
	not_ok "RUNTIME state sees the detached container in the shim's runc root"
	printf '%s\n' "$st" | head -10 | diag
fi

out=$(ctr_ task exec --exec-id x $id sh -c 'echo hi' 2>&1)
if [ "$out" = hi ]; then ok "ctr task exec --exec-id prints hi from inside the running container"; else
	not_ok "ctr task exec --exec-id prints hi from inside the running container"
	printf '# got: %s\n' "$out" | head -5
fi

ctr_ task kill -a -s SIGKILL $id >"$tmp/out" 2>&1
i=0
while [ "$(running $id)" = RUNNING ] && [ $i -lt 50 ]; do
	sleep 0.2
	i=$((i + 1))
done
if [ "$(running $id)" = STOPPED ]; then ok "ctr task kill -a -s SIGKILL stops the task"; else
	not_ok "ctr task kill -a -s SIGKILL stops the task"
	diag "$tmp/out"
	ctr_ task ls 2>&1 | diag
fi

if ctr_ task delete $id >"$tmp/out" 2>&1 && ! ctr_ task ls -q | grep -qx $id; then ok "ctr task delete removes the stopped task"; else
	not_ok "ctr task delete removes the stopped task"
	diag "$tmp/out"
fi

if ctr_ container delete $id >"$tmp/out" 2>&1 && [ -z "$(ctr_ container ls -q)" ]; then
	ok "ctr container delete removes the container"
else
	not_ok "ctr container delete removes the container"
	diag "$tmp/out"
	ctr_ container ls 2>&1 | diag
fi

[ $failed = 0 ]
