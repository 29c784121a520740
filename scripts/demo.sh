#!/bin/sh
# kakuri's main job in one minute: build kakuri-runtime, make a busybox bundle, and run a
# container in fresh namespaces, including a user namespace that maps container root (uid 0)
# to host uid 100000. The container prints its hostname, its process list (it is pid 1),
# its uid map, its identity, and its namespaces next to the host's. Then the engine:
# `kakuri` loads the built-in busybox image, runs a container as the image's user `sync`,
# and audits a default and a --privileged container (tier, layers, findings).
# Usage (as root): scripts/demo.sh
# Env: RUNTIME=/path/to/runtime skips the build and uses that runtime instead (any
#      runc-compatible one works, e.g. RUNTIME=runc while kakuri is unfinished).
# Needs only the build dependencies (scripts/install-deps.sh build): no jq.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it creates namespaces and maps uid 100000)" >&2; exit 1; }

if [ -n "${RUNTIME:-}" ]; then
	rt=$(command -v "$RUNTIME") || { echo "demo.sh: $RUNTIME not found" >&2; exit 1; }
else
	echo "==> building kakuri (make)"
	make -C "$top" -s || {
		echo "demo.sh: the build failed; RUNTIME=runc $0 shows the same demo with runc" >&2
		exit 1
	}
	rt=$top/build/kakuri-runtime
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kakuri-demo.XXXXXX")
id=demo-$(basename "$tmp" | cut -d. -f2)
state=$tmp/state
bundle=$tmp/bundle
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	"$rt" --root "$state" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

echo "==> building a busybox bundle in $bundle"
mkdir -p "$bundle" "$state"
# Container root (host uid 100000) must be able to reach its rootfs through these dirs.
chmod 755 "$tmp" "$bundle"
"$top/tests/fixtures/mkrootfs.sh" "$bundle/rootfs"

# What the container runs. It cannot see the host's /proc, so the host's namespace ids are
# handed in through the environment (HOST_NS) to compare against its own.
cat >"$bundle/rootfs/demo" <<'EOF'
#!/bin/sh
echo "hostname:      $(hostname)"
echo "id:            $(id)"
echo "uid_map:       $(cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')  (container uid, host uid, count)"
echo "ps (pid 1 is this script):"
procs=$(ps -o pid,user,comm,args)
printf '%s\n' "$procs" | sed 's/^/    /'
echo "namespaces (container vs host):"
for ns in user pid mnt uts ipc net cgroup; do
	mine=$(readlink /proc/self/ns/$ns)
	host=$(printf '%s\n' $HOST_NS | sed -n "s/^$ns=//p")
	if [ "$mine" = "$host" ]; then same="SHARED with the host"; else same="new"; fi
	printf '    %-7s %-22s host %-22s %s\n' "$ns" "$mine" "$host" "$same"
done
EOF
chmod 755 "$bundle/rootfs/demo"
# Container root is host uid/gid 100000, so the image's files should belong to it.
chown -R 100000:100000 "$bundle/rootfs"

host_ns=""
for ns in user pid mnt uts ipc net cgroup; do
	host_ns="$host_ns $ns=$(readlink /proc/self/ns/$ns)"
done

# Written by hand rather than by `kakuri-runtime spec` + jq, so the demo needs no jq.
# No cgroupsPath, resources or rlimits: nothing this demo shows needs them.
cat >"$bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": ["/demo"],
    "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOST_NS=$host_ns"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "kakuri-demo",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "strictatime", "mode=755", "size=65536k"] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts",
      "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
      "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs",
      "options": ["nosuid", "noexec", "nodev", "ro"] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
      "options": ["nosuid", "nodev", "mode=1777"] }
  ],
  "linux": {
    "uidMappings": [{ "containerID": 0, "hostID": 100000, "size": 65536 }],
    "gidMappings": [{ "containerID": 0, "hostID": 100000, "size": 65536 }],
    "namespaces": [
      { "type": "user" }, { "type": "pid" }, { "type": "mount" }, { "type": "uts" },
      { "type": "ipc" }, { "type": "network" }, { "type": "cgroup" }
    ],
    "maskedPaths": ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
}
EOF

echo "==> $rt --root $state run --bundle $bundle $id"
echo
rc=0
"$rt" --root "$state" run --bundle "$bundle" "$id" </dev/null || rc=$?
echo
if [ $rc = 0 ]; then
	echo "==> container $id exited 0"
else
	echo "==> container $id failed (exit status $rc); cleaning up $tmp" >&2
	exit $rc
fi

# Part 2: the engine (kakuri) on the built-in image, in a private store under $tmp.
# --network none: the demo changes nothing on the host's network.
[ -n "${RUNTIME:-}" ] && exit 0 # the engine part needs kakuri itself
k() { "$top/build/kakuri" --root "$tmp/store" "$@"; }
mkdir -p "$tmp/run"
printf '[engine]\ntmp_dir = "%s"\n' "$tmp/run" >"$tmp/containers.conf"
export CONTAINERS_CONF="$tmp/containers.conf"
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup_engine() {
	k rm -af >/dev/null 2>&1 || true
	cleanup
}
trap cleanup_engine EXIT
echo
echo "==> the engine: building the built-in busybox image (tests/fixtures/mkimage.sh) and loading it"
"$top/tests/fixtures/mkimage.sh" "$tmp/busybox.tar" >/dev/null
k load -i "$tmp/busybox.tar"
echo
echo "==> kakuri run --rm --network none -u sync kakuri-busybox id   (the user is looked up in the image)"
k run --rm --network none -u sync kakuri-busybox id
echo
echo "==> a default and a --privileged container, and what kakuri audit reads from the kernel"
k run -d --name demo-default --network none kakuri-busybox sleep 60 >/dev/null
k run -d --name demo-privileged --network none --privileged kakuri-busybox sleep 60 >/dev/null
k ps
echo
k audit demo-default || true
echo
out=$(k audit demo-privileged || true)
printf '%s\n' "$out" | sed -n '1,3p'
printf '  ... %s findings, %s of them critical (kakuri audit demo-privileged shows them all)\n' \
	"$(printf '%s\n' "$out" | grep -c -- '->')" "$(printf '%s\n' "$out" | grep -c '^  critical')"
echo
echo "==> done; removing the containers and $tmp"
exit 0
