#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Container networking (docs/networking.md), root and rootless:
#   none: loopback only, up; ICMP echo to 127.0.0.1 without CAP_NET_RAW through
#         net.ipv4.ping_group_range (the "0 0" default: gid 0 may, gid 1000 may not);
#   host: the host's network namespace;
#   /etc files: hostname, hosts (--add-host, host.containers.internal only where the mode
#         reaches the host), resolv.conf (--dns, --dns-search, --dns-option);
#   rootless pasta and slirp4netns: a server on the host's loopback reached from inside, a
#         published port (random host port, `port`, `ps`) serving a file to curl, no helper
#         left after rm, nor after the monitor was SIGKILLed and the container removed;
#   /dev/net/tun not accessible (this host: 0600): explicit pasta/slirp4netns fail at once
#         naming the device, its mode and the fix; the implicit default warns and runs with
#         none; rootless host ports below net.ipv4.ip_unprivileged_port_start are refused;
#   rootful: the default is a bridge; -p 127.0.0.1:PORT:80 serves a file; container:NAME
#         and ns:PATH join those namespaces.
# /dev/net/tun: the host's stays as it is (0600 here); commands that need pasta/slirp4netns
# run where a private 0666 node of the same device is mounted over it (T, below). Servers
# listen on 127.0.0.1 only; no traffic leaves the machine.
. "$(dirname "$0")/common.bash"

modes_env
# The same image with ExposedPorts 80/tcp and 53/udp (for -P), tagged kakuri-exposed.
EXPOSED=docker.io/library/kakuri-exposed:latest
python3 - "$ARCHIVE" "$T_DIR/exposed.tar" "$EXPOSED" <<'PY' || kk_bail "cannot make the -P image"
import hashlib, io, json, sys, tarfile
src, dst, name = sys.argv[1:]
files = {m.name: (m, tarfile.open(src).extractfile(m).read() if m.isfile() else None) for m in tarfile.open(src)}
def blob(d): return files["blobs/sha256/" + d.split(":")[1]][1]
index = json.loads(files["index.json"][1])
man = json.loads(blob(index["manifests"][0]["digest"]))
cfg = json.loads(blob(man["config"]["digest"]))
cfg.setdefault("config", {})["ExposedPorts"] = {"80/tcp": {}, "53/udp": {}}
out = {}
def put(data):
    d = hashlib.sha256(data).hexdigest()
    out["blobs/sha256/" + d] = data
    return "sha256:" + d, len(data)
man["config"]["digest"], man["config"]["size"] = put(json.dumps(cfg).encode())
md, ms = put(json.dumps(man).encode())
index["manifests"] = [dict(index["manifests"][0], digest=md, size=ms,
                           annotations={"org.opencontainers.image.ref.name": name})]
with tarfile.open(dst, "w") as t:
    for n, (m, data) in files.items():
        if n == "index.json":
            data = json.dumps(index).encode()
        if data is None:
            t.addfile(m)
            continue
        m.size = len(data)
        t.addfile(m, io.BytesIO(data))
    for n, data in out.items():
        m = tarfile.TarInfo(n)
        m.size = len(data)
        t.addfile(m, io.BytesIO(data))
PY
chmod 0644 "$T_DIR/exposed.tar"
PING=$(helper_bin kk-ping) || kk_bail "kk-ping not built (make)"
cp "$PING" "$T_DIR/bin/kk-ping" && chmod 0755 "$T_DIR/bin/kk-ping"
PING=$T_DIR/bin/kk-ping

TUN=/dev/net/tun
TUN_MODE=$(stat -c %a "$TUN" 2>/dev/null)

# T MODE ARGS...: K, but with a usable /dev/net/tun: the command runs in a private mount
# namespace where a fresh 0666 node for the same device (10:200, on a tmpfs of this test) is
# bind-mounted over /dev/net/tun; its monitor and pasta/slirp4netns inherit that view. The
# host's device keeps its mode (this host: 0600), so other test files running in parallel,
# and test_tun_not_accessible, see the real one. Rootful commands need no such thing.
TUNWRAP=$T_DIR/tunwrap.sh
printf '%s\n' '#!/bin/sh' 'set -e' 'd=$(mktemp -d "$KK_TUN_DIR/tun.XXXXXX")' \
	'mount -t tmpfs -o mode=0755,size=64k kk-tun "$d"' 'mknod -m 0666 "$d/tun" c 10 200' \
	'mount --bind "$d/tun" /dev/net/tun' 'exec "$@"' >"$TUNWRAP"
chmod 0755 "$TUNWRAP"
T() {
	local mode=$1 uid gid home
	shift
	[ "$mode" = rootless ] || {
		K "$mode" "$@"
		return
	}
	uid=$KK_RL_UID gid=$KK_RL_GID
	home=$(getent passwd "$KK_ROOTLESS_USER" | cut -d: -f6)
	(cd / && KK_TUN_DIR=$T_DIR exec unshare -m --propagation private "$TUNWRAP" setpriv --reuid="$uid" \
		--regid="$gid" --init-groups env -i HOME="$home" PATH="$KK_PATH" XDG_RUNTIME_DIR="/run/user/$uid" \
		KK_TEST_DIR="$T_DIR" CONTAINERS_CONF="$RL_CONF" timeout -k 5 "$KK_CMD_TIMEOUT" "$KAKURI" \
		--root "$KK_RL_STORE" "$@" 9>&-)
}

need_helpers() {
	[ -c "$TUN" ] || {
		skip "no $TUN on this host"
		return 1
	}
	if ! command -v pasta >/dev/null || ! command -v slirp4netns >/dev/null; then
		skip "pasta (passt) or slirp4netns not installed (scripts/install-deps.sh)"
		return 1
	fi
}

# serve_loopback DIR: an HTTP server on 127.0.0.1 (a free port) for DIR; prints the port.
serve_loopback() {
	local pf=$T_DIR/srv.port.$RANDOM
	env KK_TEST_DIR="$T_DIR" python3 -c '
import functools, http.server, sys
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
s = http.server.HTTPServer(("127.0.0.1", 0), h)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()' "$1" "$pf" >/dev/null 2>&1 &
	defer "kill $!"
	for _ in $(seq 50); do
		[ -s "$pf" ] && break
		sleep 0.05
	done
	cat "$pf"
}

# record_field MODE NAME JQ: a field of the container record (teardown data).
record_field() {
	local st=$KK_STORE id
	[ "$1" = rootless ] && st=$KK_RL_STORE
	id=$(K "$1" inspect --format '{{.Id}}' "$2") || return 1
	jq -r "$3" "$st/containers/$id/container.json"
}

# wait_http URL: curl until it answers (the published port is up once `run -d` returns;
# the server inside may still be starting).
wait_http() {
	local out
	for _ in $(seq 40); do
		out=$(curl -s --max-time 2 "$1") && [ -n "$out" ] && {
			echo "$out"
			return 0
		}
		sleep 0.05
	done
	return 1
}

# gone PID: PID exits within 3 s (a zombie counts: its reaper is pid 1, not us).
gone() {
	local st
	for _ in $(seq 60); do
		st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
		[ "$st" = Z ] && return 0
		sleep 0.05
	done
	return 1
}

HTTPD='mkdir -p /www && echo "$0" >/www/index.html && exec httpd -f -p 80 -h /www'

test_none_loopback_ping() {
	local mode=$1 capeff
	setup "$mode" || return 0
	capture K "$mode" run --rm --network none -v "$PING:/kk-ping:ro" "$IMG" sh -c \
		'ip -o link | cut -d: -f2 | tr -d " "; ip -o link show lo | grep -o "<[^>]*>"; grep CapEff /proc/self/status; /kk-ping 127.0.0.1'
	assert_ok "run --network none" || return
	assert_eq "lo" "$(sed -n 1p <<<"$OUT")" "only the loopback interface" || return
	assert_contains "$(sed -n 2p <<<"$OUT")" ",UP" "the loopback is up" || return
	capeff=$(sed -n 3p <<<"$OUT" | awk '{ print $2 }')
	assert_eq 0 "$((0x$capeff & (1 << 13)))" "no CAP_NET_RAW in the container" || return
	assert_eq ok "$(sed -n 4p <<<"$OUT")" "ICMP echo to 127.0.0.1 without NET_RAW" || return
	# The range is the containers.conf default "0 0": another gid may not.
	capture K "$mode" run --rm --network none -u 1000:1000 -v "$PING:/kk-ping:ro" "$IMG" /kk-ping 127.0.0.1
	assert_eq "errno=EACCES" "$OUT" "gid 1000 is outside net.ipv4.ping_group_range" || return
}

test_host() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" run --rm --network host "$IMG" readlink /proc/self/ns/net
	assert_ok || return
	assert_eq "$(readlink /proc/self/ns/net)" "$OUT" "the host's network namespace" || return
	capture K "$mode" run --rm --network host "$IMG" hostname
	assert_eq "$(hostname)" "$OUT" "the host's hostname" || return
	capture K "$mode" run --rm --network host -p 8080:80 "$IMG" true
	assert_eq 125 "$RC" "-p with --network host" || return
	assert_contains "$ERR" "ports cannot be published with --network host" || return
}

test_etc_files() {
	local mode=$1
	setup "$mode" || return 0
	capture K "$mode" run --rm --network none --hostname web1 --name etc1 --dns 192.0.2.53 --dns 2001:db8::53 \
		--dns-search example.test --dns-option ndots:3 --add-host db:192.0.2.10 --add-host v6:2001:db8::10 \
		"$IMG" sh -c 'cat /etc/hostname; echo ---; cat /etc/resolv.conf; echo ---; cat /etc/hosts'
	assert_ok || return
	local hn resolv hosts
	hn=$(sed -n '1p' <<<"$OUT")
	resolv=$(awk '/^---$/ { n++; next } n == 1' <<<"$OUT")
	hosts=$(awk '/^---$/ { n++; next } n == 2' <<<"$OUT")
	assert_eq web1 "$hn" "/etc/hostname" || return
	assert_eq "search example.test"$'\n'"nameserver 192.0.2.53"$'\n'"nameserver 2001:db8::53"$'\n'"options ndots:3" \
		"$resolv" "--dns/--dns-search/--dns-option replace the host's" || return
	assert_contains "$hosts" $'192.0.2.10\tdb' "--add-host" || return
	assert_contains "$hosts" $'2001:db8::10\tv6' "--add-host with an IPv6 address" || return
	assert_contains "$hosts" $'127.0.1.1\tweb1 etc1' "hostname and name" || return
	assert_not_contains "$hosts" "host.containers.internal" "--network none has no route to the host" || return
	# Without --dns: the host's resolvers (none has nothing to translate).
	capture K "$mode" run --rm --network none "$IMG" cat /etc/resolv.conf
	assert_eq "$(grep -E '^nameserver' /etc/resolv.conf | head -1)" "$(grep -E '^nameserver' <<<"$OUT" | head -1)" \
		"the host's first nameserver" || return
	capture K "$mode" run --rm --network none --no-hosts "$IMG" cat /etc/hosts
	assert_not_contains "$OUT" "127.0.1.1" "--no-hosts keeps the image's /etc/hosts" || return
	# Bad values: a clear error naming the option, nothing created.
	local bad
	for bad in "--add-host nocolon" "--add-host db:999.1.1.1" "--add-host gw:host-gateway" "--network bogus:x" \
		"-p 70000:80" "-p 1.2.3:80:80" "--network slirp4netns:cidr=10.1.0.0/24" "--ip 10.0.0.5" \
		"--network ns:$T_DIR/missing"; do
		# shellcheck disable=SC2086
		capture K "$mode" create --network none $bad "$IMG" true
		assert_eq 125 "$RC" "create $bad" || return
		assert_contains "$ERR" "${bad%% *}" "the error names the option ($ERR)" || return
	done
	capture K "$mode" ps -aq
	assert_eq "" "$OUT" "no container left by the refused creates" || return
}

test_tun_not_accessible() {
	need_rootless || return 0
	setup rootless || return 0
	[ -c "$TUN" ] || {
		skip "no $TUN on this host"
		return
	}
	[ "$TUN_MODE" = 600 ] || {
		skip "$TUN is mode $TUN_MODE here, not the 0600 this test is about"
		return
	}
	local m
	for m in pasta slirp4netns; do
		capture K rootless run --rm --network $m "$IMG" true
		assert_eq 125 "$RC" "--network $m with $TUN 0600" || return
		assert_contains "$ERR" "/dev/net/tun (mode 0600" "names the device and its mode" || return
		assert_contains "$ERR" "chmod 0666 /dev/net/tun" "and the fix" || return
		assert_contains "$ERR" "--network none" "and the alternatives" || return
	done
	# The implicit default (pasta): one warning line, then a working container without
	# a network of its own beyond the loopback.
	capture K rootless run --name dflt "$IMG" sh -c 'ip -o link | wc -l'
	assert_ok "the default network on such a host" || return
	assert_eq 1 "$OUT" "only the loopback" || return
	assert_eq 1 "$(grep -c . <<<"$ERR")" "one line on stderr" || return
	assert_contains "$ERR" "warning: default network pasta unavailable: /dev/net/tun (mode 0600" || return
	capture K rootless inspect --format '{{.HostConfig.NetworkMode}}' dflt
	assert_eq none "$OUT" "recorded as none" || return
}

test_rootless_ports_low() {
	need_rootless || return 0
	setup rootless || return 0
	local start
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[ "$start" -gt 80 ] || {
		skip "net.ipv4.ip_unprivileged_port_start is $start here"
		return
	}
	need_helpers || return 0
	capture T rootless create --network slirp4netns -p 80:80 "$IMG" true
	assert_eq 125 "$RC" "rootless -p 80:80" || return
	assert_contains "$ERR" "net.ipv4.ip_unprivileged_port_start ($start here)" "names the sysctl and its value" || return
	capture K rootless ps -aq
	assert_eq "" "$OUT" "nothing created" || return
	capture K rootless create --network bridge "$IMG" true
	assert_eq 125 "$RC" "rootless --network bridge" || return
	assert_contains "$ERR" "cannot create bridges" || return
}

# MODE=pasta|slirp4netns, rootless.
test_rootless_user_net() {
	local net=$1 port hostport hostaddr www helper out
	need_rootless || return 0
	setup rootless || return 0
	www=$T_DIR/www-$net
	mkdir -p "$www" && echo "from-the-host-$net" >"$www/index.html" && chmod -R a+rX "$www"
	port=$(serve_loopback "$www")
	[ -n "$port" ] || {
		fail "the loopback server did not start"
		return
	}
	local opt=$net
	[ "$net" = slirp4netns ] && opt=slirp4netns:allow_host_loopback=true
	# The host's loopback through host.containers.internal (pasta: the gateway address that
	# pasta maps to the host; slirp4netns: 10.0.2.2 with allow_host_loopback).
	need_helpers || return 0
	capture T rootless run --rm --network "$opt" "$IMG" sh -c \
		"grep host.containers.internal /etc/hosts; timeout 5 wget -q -O- http://host.containers.internal:$port/"
	assert_ok "run --network $opt" || return
	assert_contains "$OUT" "from-the-host-$net" "the host's loopback server, from inside" || return
	if [ "$net" = slirp4netns ]; then
		capture T rootless run --rm --network slirp4netns "$IMG" sh -c \
			"grep -c host.containers.internal /etc/hosts; timeout 3 wget -q -O- http://10.0.2.2:$port/"
		assert_failed "without allow_host_loopback the host's loopback is closed" || return
		assert_eq 0 "$(sed -n 1p <<<"$OUT")" "and /etc/hosts has no host alias" || return
	fi
	# A published port: a random host port, shown by port and ps.
	must T rootless run -d --name web-$net --network "$net" -p 127.0.0.1::80 "${MARK[@]}" "$IMG" sh -c "$HTTPD" \
		"served-by-$net" || return
	capture K rootless port web-$net 80
	assert_match '^127\.0\.0\.1:[0-9]+$' "$OUT" "port web 80" || return
	hostaddr=$OUT
	hostport=${OUT##*:}
	out=$(wait_http "http://$hostaddr/") || {
		fail "nothing answers on the published $hostaddr"
		return
	}
	assert_eq "served-by-$net" "$out" "curl on the host gets the file" || return
	capture K rootless ps
	assert_contains "$OUT" "127.0.0.1:$hostport->80/tcp" "ps PORTS" || return
	helper=$(record_field rootless web-$net '.net_state.helper_pid')
	assert_match '^[0-9]+$' "$helper" "the record names the $net process" || return
	assert_contains "$(tr '\0' ' ' <"/proc/$helper/cmdline")" "$net" "a live $net" || return
	must K rootless rm -f web-$net || return
	gone "$helper" || {
		fail "$net ($helper) outlived rm -f"
		return
	}
	local d
	for d in /tmp/kakuri-slirp-*; do
		[ -e "$d" ] && fail "a slirp4netns API socket dir remains in /tmp: $d"
	done
	return 0
}

test_rootless_monitor_killed() {
	local helper mon init hostaddr out
	need_rootless || return 0
	setup rootless || return 0
	need_helpers || return 0
	must T rootless run -d --name mk --network pasta -p 127.0.0.1::80 "${MARK[@]}" "$IMG" sh -c "$HTTPD" mk-file ||
		return
	hostaddr=$(K rootless port mk 80)
	helper=$(record_field rootless mk '.net_state.helper_pid')
	mon=$(K rootless inspect --format '{{.State.ConmonPid}}' mk)
	assert_match '^[0-9]+$' "$mon" "the monitor's pid" || return
	kill -KILL "$mon"
	sleep 0.2
	# The container's network outlives its monitor ...
	out=$(wait_http "http://$hostaddr/") || {
		fail "the published port died with the monitor"
		return
	}
	assert_eq mk-file "$out" || return
	# ... and rm -f stops the helper the monitor would have stopped.
	must K rootless rm -f mk || return
	gone "$helper" || {
		fail "pasta ($helper) outlived rm -f after the monitor was killed"
		return
	}
	# A container that ends by itself once its monitor is gone: no kakuri command runs, its
	# helper still goes (the watcher on the init's pidfd).
	must T rootless run -d --name mk2 --network slirp4netns "${MARK[@]}" "$IMG" sleep 1000 || return
	helper=$(record_field rootless mk2 '.net_state.helper_pid')
	mon=$(K rootless inspect --format '{{.State.ConmonPid}}' mk2)
	init=$(K rootless inspect --format '{{.State.Pid}}' mk2)
	kill -KILL "$mon"
	sleep 0.1
	[ -e "/proc/$helper" ] || {
		fail "slirp4netns died with the monitor"
		return
	}
	kill -KILL "$init"
	gone "$helper" || fail "slirp4netns ($helper) outlived its container (monitor killed first)"
}

test_root_bridge() {
	local out
	setup root || return 0
	capture K root run --rm "$IMG" sh -c 'ip -o -4 addr show eth0 | awk "{ print \$4 }"; cat /etc/hosts'
	assert_ok "the rootful default network" || return
	assert_match '^10\.89\.0\.[0-9]+/24' "$(sed -n 1p <<<"$OUT")" "an address of the default bridge network" || return
	assert_contains "$OUT" $'10.89.0.1\thost.containers.internal' "the gateway as the host's alias" || return
	assert_contains "$OUT" "$(sed -n 1p <<<"$OUT" | cut -d/ -f1)"$'\t' "its own address in /etc/hosts" || return
	local port=$((20000 + RANDOM % 20000))
	must K root run -d --name rweb -p "127.0.0.1:$port:80" "${MARK[@]}" "$IMG" sh -c "$HTTPD" root-file || return
	out=$(wait_http "http://127.0.0.1:$port/") || {
		fail "nothing answers on 127.0.0.1:$port"
		return
	}
	assert_eq root-file "$out" "-p 127.0.0.1:$port:80 serves the file" || return
	capture K root port rweb
	assert_eq "80/tcp -> 127.0.0.1:$port" "$OUT" "port" || return
	# -P: the image's ExposedPorts, each on a free host port.
	must K root load -q -i "$T_DIR/exposed.tar" || return
	must K root create --name pub -P "$EXPOSED" true || return
	capture K root port pub
	assert_match '^53/udp -> 0\.0\.0\.0:[0-9]+'$'\n''80/tcp -> 0\.0\.0\.0:[0-9]+$' "$(sort <<<"$OUT")" "port after -P" || return
	capture K root inspect --format '{{json .NetworkSettings.Ports}}' rweb
	assert_eq "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" "$OUT" "inspect NetworkSettings.Ports" ||
		return
}

test_root_user_net() {
	setup root || return 0
	need_helpers || return 0
	capture K root run --rm --network pasta "$IMG" sh -c 'ip -o -4 addr show eth0 | wc -l; grep -c host.containers /etc/hosts'
	assert_ok "rootful --network pasta" || return
	assert_eq "1"$'\n'"1" "$OUT" "an eth0 with an address, the gateway as host alias" || return
	capture K root run --rm --network slirp4netns "$IMG" sh -c 'ip -o -4 addr show tap0 | grep -o "inet [0-9./]*"'
	assert_eq "inet 10.0.2.100/24" "$OUT" "rootful --network slirp4netns" || return
	local left
	left=$(ps -eo args | grep -E "^(pasta|slirp4netns) " | grep -F "$KK_STORE" || true)
	[ -z "$left" ] || fail "a helper outlived its container: $left"
}

test_root_join() {
	local pid ns
	setup root || return 0
	must K root run -d --name netowner --network none "${MARK[@]}" "$IMG" sleep 100 || return
	pid=$(K root inspect --format '{{.State.Pid}}' netowner)
	capture K root run --rm --network container:netowner "$IMG" readlink /proc/self/ns/net
	assert_ok || return
	assert_eq "$(readlink "/proc/$pid/ns/net")" "$OUT" "container:NAME shares its network namespace" || return
	must K root stop -t 0 netowner || return
	capture K root run --rm --network container:netowner "$IMG" true
	assert_eq 125 "$RC" "container:NAME of a stopped container" || return
	assert_contains "$ERR" "not running" || return
	ns=kk-net-test-$$
	ip netns add "$ns" || {
		fail "ip netns add failed"
		return
	}
	defer "ip netns del $ns"
	capture K root run --rm --network "ns:/run/netns/$ns" "$IMG" readlink /proc/self/ns/net
	assert_ok || return
	assert_eq "net:[$(stat -L -c %i "/run/netns/$ns")]" "$OUT" "ns:PATH joins that namespace" || return
	need_rootless || return 0
	capture K rootless create --network container:whatever "$IMG" true
	assert_eq 125 "$RC" "rootless container:NAME" || return
}

for mode in rootless root; do
	run_test "$mode: --network none: loopback up, ICMP echo without NET_RAW (ping_group_range)" test_none_loopback_ping $mode
	run_test "$mode: --network host: the host's namespace and hostname; -p refused" test_host $mode
	run_test "$mode: /etc/hostname, hosts (--add-host), resolv.conf (--dns*); bad options refused" test_etc_files $mode
done
run_test "rootless: $TUN 0600: pasta/slirp4netns fail naming it; the default warns, runs with none" test_tun_not_accessible
run_test "rootless: host port < ip_unprivileged_port_start and bridge refused with the reason" test_rootless_ports_low
run_test "rootless: pasta: host loopback via host.containers.internal, published port, no pasta after rm" \
	test_rootless_user_net pasta
run_test "rootless: slirp4netns: host loopback only with allow_host_loopback, published port, cleanup" \
	test_rootless_user_net slirp4netns
run_test "rootless: monitor SIGKILLed: the network stays; rm -f, or the container's end, stops the helper" \
	test_rootless_monitor_killed
run_test "root: default bridge: address, host alias, -p 127.0.0.1:PORT:80 serves a file" test_root_bridge
run_test "root: pasta and slirp4netns work rootful too, and leave nothing" test_root_user_net
run_test "root: container:NAME and ns:PATH join; a stopped NAME is refused" test_root_join
done_testing
