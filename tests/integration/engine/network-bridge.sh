#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rootful bridge network backend: `kakuri network create/ls/inspect/rm/prune` (and their
# errors), the backend driven directly on network namespaces made here (`network
# connect-netns`: veth, address, route, IPAM, /etc/hosts peers, DNAT from the host's
# loopback, isolation, teardown), then end to end through `kakuri run --network NAME`: two
# containers reach each other by IP and by name, a host server on 127.0.0.1 only is not
# reachable, `-p 127.0.0.1:PORT:80` serves a file to curl on the host, and nothing (veth, nft
# rule, lease) is left after `rm`, also after the monitor was SIGKILLed. Rootless: a clear
# error. Everything runs on loopback and in private namespaces; the file's networks (subnets
# 10.231.x.0/24) and namespaces are removed at the end, and the nft table too when no other
# kakuri bridge is left.
. "$(dirname "$0")/common.bash"

[ "$(id -u)" = 0 ] || kk_bail "needs root"
for _t in ip nft curl busybox python3; do
	command -v "$_t" >/dev/null || kk_bail "$_t not found (scripts/install-deps.sh test)"
done
cp "$RUNTIME" "$T_DIR/bin/kakuri-runtime" && chmod 0755 "$T_DIR/bin/kakuri-runtime"

TAG=b2$$
# Tests run in subshells: what the end must remove is listed in files.
mkns() { # NAME: a network namespace of this file, removed at the end
	ip netns add "$TAG$1" || return 1
	echo "$TAG$1" >>"$T_DIR/netns.list"
}
mknet() { # NAME ARGS...: a network of this file (kakuri network create ARGS NAME)
	local n=$1
	shift
	echo "$n" >>"$T_DIR/nets.list"
	must kk network create "$@" "$n"
}
nsx() { # NAME CMD...: CMD in that namespace
	local n=$1
	shift
	ip netns exec "$TAG$n" "$@"
}
leases() { # BRIDGE: the lease file
	cat "/run/kakuri-engine/networks/$1/leases.json" 2>/dev/null
}
veth_of() { echo "kk${1:0:12}"; } # ID → host end of its veth

ROOT_CONF=$T_DIR/containers-root.conf
mkdir -p "$T_DIR/run-root"
printf '[engine]\ntmp_dir = "%s"\n' "$T_DIR/run-root" >"$ROOT_CONF"
export CONTAINERS_CONF=$ROOT_CONF

touch "$T_DIR/netns.list" "$T_DIR/nets.list"
final_cleanup() {
	kk rm -af >/dev/null 2>&1
	local n id st
	# A failed test may have left namespaces attached (connect-netns leases are never
	# reclaimed by themselves): detach them, in whichever of the file's stores they are.
	while read -r n; do
		for id in $(leases "kk-$n" | jq -r '.leases[].id' 2>/dev/null); do
			for st in "$KK_STORE" "$T_DIR/store2"; do
				"$KAKURI" --root "$st" network disconnect-netns "$n" "$id" >/dev/null 2>&1
			done
		done
	done <"$T_DIR/nets.list"
	while read -r n; do ip netns del "$n" 2>/dev/null; done <"$T_DIR/netns.list"
	while read -r n; do
		kk network rm "$n" >/dev/null 2>&1
		"$KAKURI" --root "$T_DIR/store2" network rm "$n" >/dev/null 2>&1
	done <"$T_DIR/nets.list"
	# The table goes when no kakuri bridge of anyone else remains in it.
	if nft list set inet kakuri bridges 2>/dev/null | grep -q 'elements'; then
		:
	else
		nft delete table inet kakuri 2>/dev/null
	fi
}

# ---- network commands ------------------------------------------------------------------

test_network_commands() {
	mknet "${TAG}x" --subnet 10.231.1.0/24 || return
	defer "kk network rm ${TAG}x"
	capture kk network ls
	assert_contains "$OUT" "kakuri" "ls" || return
	assert_contains "$OUT" "${TAG}x" "ls" || return
	assert_contains "$OUT" "10.231.1.0/24" "ls" || return
	capture kk network ls -q
	assert_contains "$OUT" "${TAG}x" || return
	capture kk network inspect "${TAG}x"
	assert_ok || return
	assert_eq "10.231.1.1" "$(jq -r '.[0].gateway' <<<"$OUT")" "gateway" || return
	assert_eq "kk-${TAG}x" "$(jq -r '.[0].bridge' <<<"$OUT")" "bridge" || return
	capture kk network inspect kakuri
	assert_eq "10.89.0.0/24" "$(jq -r '.[0].subnet' <<<"$OUT")" "default subnet" || return

	# Errors name the offending option and value, and leave nothing behind.
	capture kk network create --subnet 10.231.1.128/25 "${TAG}y"
	assert_failed || return
	assert_contains "$ERR" "overlaps subnet 10.231.1.0/24 of network '${TAG}x'" || return
	capture kk network create --subnet 10.231.2.1/24 "${TAG}y"
	assert_contains "$ERR" "--subnet '10.231.2.1/24' has host bits set" || return
	capture kk network create --subnet 10.231.2.0/24 --gateway 10.231.3.1 "${TAG}y"
	assert_contains "$ERR" "--gateway 10.231.3.1 is not a usable address in subnet 10.231.2.0/24" || return
	capture kk network create --subnet nonsense "${TAG}y"
	assert_contains "$ERR" "--subnet 'nonsense'" || return
	capture kk network create "${TAG}x"
	assert_contains "$ERR" "network '${TAG}x' already exists" || return
	capture kk network create 'bad/name'
	assert_contains "$ERR" "invalid network name 'bad/name'" || return
	capture kk network ls -q
	assert_not_contains "$OUT" "${TAG}y" || return
	capture kk network rm kakuri
	assert_failed && assert_contains "$ERR" "default network 'kakuri' cannot be removed" || return
	capture kk network inspect nope
	assert_contains "$ERR" "network 'nope' not found" || return

	# prune removes unused networks (never the default).
	mknet "${TAG}p" --subnet 10.231.9.0/24 || return
	capture kk network prune -f
	assert_contains "$OUT" "${TAG}p" || return
	assert_contains "$OUT" "${TAG}x" || return
	capture kk network ls -q
	assert_eq "kakuri" "$OUT" "after prune" || return
	# rm of a created-but-never-used network works too.
	must kk network create --subnet 10.231.1.0/24 "${TAG}x" || return
	capture kk network rm "${TAG}x"
	assert_ok && assert_eq "${TAG}x" "$OUT" || return
}

test_rootless_is_refused() {
	need_rootless || return
	capture rl_kk network create --subnet 10.231.5.0/24 "${TAG}r"
	assert_failed || return
	assert_contains "$ERR" "bridge networks need root" || return
}

# ---- the backend on namespaces made here -----------------------------------------------

NET=${TAG}n
BR=kk-$NET
test_backend_two_namespaces() {
	mknet "$NET" --subnet 10.231.2.0/24 || return
	mkns a && mkns b || return
	printf '127.0.0.1\tlocalhost\n' >"$T_DIR/hosts-a"
	printf '127.0.0.1\tlocalhost\n' >"$T_DIR/hosts-b"
	capture kk network connect-netns --name alpha --hosts "$T_DIR/hosts-a" "$NET" "/run/netns/${TAG}a" "${TAG}ida"
	assert_ok "connect a" || return
	assert_eq "10.231.2.2" "$(jq -r .ip <<<"$OUT")" "first lease" || return
	capture kk network connect-netns --name beta --hosts "$T_DIR/hosts-b" --ip 10.231.2.77 "$NET" "/run/netns/${TAG}b" "${TAG}idb"
	assert_ok "connect b with --ip" || return
	assert_eq "10.231.2.77" "$(jq -r .ip <<<"$OUT")" "--ip" || return

	capture nsx a ip -4 -o addr show eth0
	assert_contains "$OUT" "10.231.2.2/24" "eth0 in a" || return
	capture nsx a ip route
	assert_contains "$OUT" "default via 10.231.2.1 dev eth0" || return
	capture ip -o link show "$(veth_of "${TAG}ida")"
	assert_contains "$OUT" "master $BR" "host veth" || return
	capture nsx a busybox ping -c1 -W2 10.231.2.77
	assert_ok "a pings b" || return
	# Each side's /etc/hosts names the other (the one connected first learns of b later).
	assert_contains "$(cat "$T_DIR/hosts-a")" "10.231.2.77	beta" "hosts of a" || return
	assert_contains "$(cat "$T_DIR/hosts-b")" "10.231.2.2	alpha" "hosts of b" || return
	assert_contains "$(cat "$T_DIR/hosts-a")" "127.0.0.1	localhost" "hosts of a kept" || return
	# A container end has only its own prefix: no way onto other kakuri bridges.
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] || fail "ip_forward not enabled" || return
	[ "$(cat /proc/sys/net/ipv4/conf/$BR/route_localnet)" = 1 ] || fail "route_localnet not set on $BR" || return

	# --ip taken / outside: an error naming the address and the subnet; nothing is left.
	mkns c || return
	capture kk network connect-netns --ip 10.231.2.77 "$NET" "/run/netns/${TAG}c" "${TAG}idc"
	assert_failed || return
	assert_contains "$ERR" "--ip 10.231.2.77 is already in use on network '$NET' (subnet 10.231.2.0/24) by container beta" || return
	capture kk network connect-netns --ip 10.231.3.5 "$NET" "/run/netns/${TAG}c" "${TAG}idc"
	assert_contains "$ERR" "--ip 10.231.3.5 is not a usable address in subnet 10.231.2.0/24" || return
	capture nsx c ip -o link
	assert_not_contains "$OUT" "eth0" "c after failures" || return
	assert_not_contains "$(leases "$BR")" "${TAG}idc" "leases" || return

	# rm is refused while the network is in use, naming a user.
	capture kk network rm "$NET"
	assert_failed || return
	assert_contains "$ERR" "network '$NET' is in use by container alpha" || return
}

test_backend_published_port_and_loopback() {
	local port web hp
	mkns w || return
	port=$(free_port)
	capture kk network connect-netns --name web -p "127.0.0.1:$port:80" "$NET" "/run/netns/${TAG}w" "${TAG}idw"
	assert_ok "connect w -p" || return
	web=$(jq -r .ip <<<"$OUT")
	mkdir -p "$T_DIR/www" && echo "served-by-bridge" >"$T_DIR/www/index.html"
	# Not through nsx: $! must be httpd itself (ip netns exec and env exec it), not a subshell.
	ip netns exec "${TAG}w" env KK_TEST_DIR="$T_DIR" busybox httpd -f -p 80 -h "$T_DIR/www" >/dev/null 2>&1 &
	local httpd=$!
	defer "kill $httpd"
	sleep 0.3
	capture curl -s -m 5 "http://127.0.0.1:$port/index.html"
	assert_eq "served-by-bridge" "$OUT" "curl via the host's loopback" || return
	capture nsx a curl -s -m 5 "http://$web/index.html"
	assert_eq "served-by-bridge" "$OUT" "a → w by IP" || return
	capture nft list chain inet kakuri ports
	assert_contains "$OUT" "kakuri:ctr:${TAG}idw" "tagged rule" || return

	# A server listening on the host's 127.0.0.1 only is out of reach: neither through the
	# gateway nor through the namespace's own loopback.
	hp=$(free_port)
	env KK_TEST_DIR="$T_DIR" python3 -m http.server --bind 127.0.0.1 "$hp" --directory "$T_DIR/www" >/dev/null 2>&1 &
	local py=$!
	defer "kill $py"
	sleep 0.5
	capture curl -s -m 5 "http://127.0.0.1:$hp/index.html"
	assert_eq "served-by-bridge" "$OUT" "the host server itself works" || return
	capture nsx a curl -s -m 3 "http://10.231.2.1:$hp/index.html"
	assert_failed "reaching a host-loopback server through the gateway" || return
	capture nsx a curl -s -m 3 "http://127.0.0.1:$hp/index.html"
	assert_failed "reaching a host-loopback server through 127.0.0.1" || return

	# Detach removes exactly w's rules, veth and lease; a's and b's stay.
	kill "$httpd" 2>/dev/null
	must kk network disconnect-netns "$NET" "${TAG}idw" || return
	capture nft list table inet kakuri
	assert_not_contains "$OUT" "${TAG}idw" "nft after detach" || return
	assert_contains "$OUT" "kakuri:net:$BR" "network rules stay" || return
	capture ip link show "$(veth_of "${TAG}idw")"
	assert_failed "veth of w after detach" || return
	assert_not_contains "$(leases "$BR")" "${TAG}idw" "lease of w" || return
	assert_contains "$(leases "$BR")" "${TAG}ida" "lease of a" || return
	# Detaching again is fine.
	must kk network disconnect-netns "$NET" "${TAG}idw" || return
}

test_backend_isolation_between_networks() {
	mknet "${TAG}o" --subnet 10.231.4.0/24 || return
	mkns o || return
	capture kk network connect-netns "${TAG}o" "/run/netns/${TAG}o" "${TAG}ido"
	assert_ok || return
	capture nsx o busybox ping -c1 -W1 10.231.4.1
	assert_ok "o reaches its gateway" || return
	capture nsx o busybox ping -c1 -W2 10.231.2.2
	assert_failed "o reaches a container of another network" || return
	must kk network disconnect-netns "${TAG}o" "${TAG}ido" || return
	capture kk network rm "${TAG}o"
	assert_ok || return
	capture ip link show "kk-${TAG}o"
	assert_failed "bridge after network rm" || return
	capture nft list table inet kakuri
	assert_not_contains "$OUT" "kk-${TAG}o" "rules after network rm" || return
}

test_backend_concurrent_attach_detach() {
	local i ips
	for i in 1 2 3 4 5 6; do mkns "p$i" || return; done
	for i in 1 2 3 4 5 6; do
		kk network connect-netns "$NET" "/run/netns/${TAG}p$i" "${TAG}idp$i" >"$T_DIR/par.$i" 2>&1 &
	done
	wait
	ips=$(for i in 1 2 3 4 5 6; do jq -r .ip "$T_DIR/par.$i" 2>/dev/null; done | sort -u | grep -c '^10\.231\.2\.')
	assert_eq 6 "$ips" "distinct addresses from 6 concurrent attaches" || {
		diag "$(cat "$T_DIR"/par.*)"
		return 1
	}
	for i in 1 2 3 4 5 6; do kk network disconnect-netns "$NET" "${TAG}idp$i" & done
	wait
	assert_not_contains "$(leases "$BR")" "${TAG}idp" "leases after concurrent detaches" || return
	capture ip -o link show master "$BR"
	assert_not_contains "$OUT" "kk${TAG}idp" "veths after concurrent detaches" || return
}

# Bridge names are host-wide, definitions per store: the same name in two stores with two
# subnets must not share a bridge while one is in use.
test_backend_same_name_in_two_stores() {
	local k2=("$KAKURI" --root "$T_DIR/store2")
	mknet "${TAG}d" --subnet 10.231.10.0/24 || return
	must "${k2[@]}" network create --subnet 10.231.11.0/24 "${TAG}d" || return
	defer "$KAKURI --root $T_DIR/store2 network rm ${TAG}d"
	mkns d1 && mkns d2 || return
	must kk network connect-netns "${TAG}d" "/run/netns/${TAG}d1" "${TAG}idd1" || return
	capture "${k2[@]}" network connect-netns "${TAG}d" "/run/netns/${TAG}d2" "${TAG}idd2"
	assert_failed || return
	assert_contains "$ERR" "bridge kk-${TAG}d is in use with subnet 10.231.10.0/24" || return
	must kk network disconnect-netns "${TAG}d" "${TAG}idd1" || return
	capture "${k2[@]}" network connect-netns "${TAG}d" "/run/netns/${TAG}d2" "${TAG}idd2"
	assert_ok "once unused, the other store's network takes the bridge" || return
	capture ip -4 -o addr show "kk-${TAG}d"
	assert_contains "$OUT" "10.231.11.1/24" || return
	assert_not_contains "$OUT" "10.231.10.1" "the old gateway is gone" || return
	must "${k2[@]}" network disconnect-netns "${TAG}d" "${TAG}idd2" || return
	must "${k2[@]}" network rm "${TAG}d" || return
}

# In a private network namespace of its own (and its own state dir), so that deleting the
# table cannot disturb anyone: the next attach notices and reinstalls the rules.
test_backend_rules_come_back_after_table_deletion() {
	cat >"$T_DIR/tabledel.sh" <<EOF
set -e
# Never in the host's namespace: this deletes the table.
[ "\$(readlink /proc/self/ns/net)" != "$(readlink /proc/self/ns/net)" ] || exit 99
export KAKURI_NETWORK_RUN_DIR=$T_DIR/rundir
ip link set lo up
$KAKURI --root $T_DIR/store3 network create --subnet 10.231.12.0/24 ${TAG}t >/dev/null
ip netns add ${TAG}u1
ip netns add ${TAG}u2
trap 'ip netns del ${TAG}u1; ip netns del ${TAG}u2' EXIT
$KAKURI --root $T_DIR/store3 network connect-netns ${TAG}t /run/netns/${TAG}u1 u1 >/dev/null
nft delete table inet kakuri
$KAKURI --root $T_DIR/store3 network connect-netns ${TAG}t /run/netns/${TAG}u2 u2 >/dev/null
nft list table inet kakuri | grep -c 'kakuri:net:kk-${TAG}t'
ip netns exec ${TAG}u2 busybox ping -c1 -W2 10.231.12.2 >/dev/null && echo ping-ok
EOF
	capture unshare --net bash "$T_DIR/tabledel.sh"
	assert_ok || return
	assert_contains "$OUT" "ping-ok" || return
	assert_match '^[1-9][0-9]*' "$OUT" "network rules reinstalled" || return
}

test_backend_teardown() {
	must kk network disconnect-netns "$NET" "${TAG}ida" || return
	must kk network disconnect-netns "$NET" "${TAG}idb" || return
	assert_not_contains "$(leases "$BR")" "${TAG}id" "leases" || return
	# a left, so b's peers block lost it.
	assert_not_contains "$(cat "$T_DIR/hosts-b")" "alpha" "hosts of b after a left" || return
}

# ---- end to end: kakuri run --network NAME ---------------------------------------------

IMG=docker.io/library/kakuri-busybox:latest
E2E=${TAG}e
e2e_setup() {
	local e2e_ready
	e2e_ready=$(cat "$T_DIR/e2e.state" 2>/dev/null)
	if [ -z "$e2e_ready" ]; then
		e2e_ready=no
		echo no >"$T_DIR/e2e.state"
		"$KK_TESTS/fixtures/mkimage.sh" "$T_DIR/busybox.tar" "$IMG" >"$T_DIR/mkimage.log" 2>&1 || {
			skip "mkimage.sh failed"
			return 1
		}
		kk load -q -i "$T_DIR/busybox.tar" >/dev/null 2>&1 || {
			skip "kakuri load failed"
			return 1
		}
		mknet "$E2E" --subnet 10.231.6.0/24 || return 1
		capture kk run --rm --network "$E2E" "$IMG" ip -4 -o addr show eth0
		if [ "$RC" != 0 ] || [[ $OUT != *10.231.6.* ]]; then
			echo "kakuri run --network NAME does not work yet: $(head -c 200 <<<"$ERR" | tr '\n' ' ')" >"$T_DIR/e2e.why"
		else
			e2e_ready=yes
			echo yes >"$T_DIR/e2e.state"
		fi
	fi
	if [ "$e2e_ready" != yes ]; then
		fail "$(cat "$T_DIR/e2e.why" 2>/dev/null || echo "end-to-end setup failed")"
		return 1
	fi
	defer "kk rm -af"
}

www_cmd='mkdir -p /www && echo "hello-from-$(hostname)" >/www/index.html && exec httpd -f -p 80 -h /www'

test_e2e_peers_by_ip_and_name() {
	e2e_setup || return
	local ip
	must kk run -d --name "${TAG}web" --network "$E2E" "$IMG" sh -c "$www_cmd" || return
	ip=$(jq -r ".[0].containers | to_entries[] | select(.value.name == \"${TAG}web\") | .value.ip" <<<"$(kk network inspect "$E2E")")
	assert_match '^10\.231\.6\.[0-9]+$' "$ip" "lease of web" || return
	sleep 0.3
	capture kk run --rm --network "$E2E" "$IMG" wget -q -O- "http://$ip/index.html"
	assert_contains "$OUT" "hello-from-" "by IP" || return
	capture kk run --rm --network "$E2E" "$IMG" wget -q -O- "http://${TAG}web/index.html"
	assert_contains "$OUT" "hello-from-" "by name" || return
}

test_e2e_host_loopback_configured() {
	e2e_setup || return
	local hp net=${TAG}hl
	hp=$(free_port)
	mkdir -p "$T_DIR/hlwww" && echo "host-loopback-only" >"$T_DIR/hlwww/index.html"
	env KK_TEST_DIR="$T_DIR" python3 -m http.server --bind 127.0.0.1 "$hp" --directory "$T_DIR/hlwww" >/dev/null 2>&1 &
	defer "kill $!"
	mknet "$net" --subnet 10.231.9.0/24 --host-loopback || return
	capture kk network inspect "$net"
	assert_eq true "$(jq -r '.[0].host_loopback // .host_loopback' <<<"$OUT")" "inspect shows host_loopback" || return
	local n=20
	while ! curl -s -m 1 "http://127.0.0.1:$hp/" >/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	capture kk run --rm --network "$net" "$IMG" sh -c "grep host.containers.internal /etc/hosts; wget -q -O- http://host.containers.internal:$hp/index.html"
	assert_contains "$OUT" "10.231.9.1" "host.containers.internal is the gateway" || return
	assert_contains "$OUT" "host-loopback-only" "the host's loopback-only server through the alias" || return
	# Only the gateway is redirected: the container's own loopback stays its own.
	capture kk run --rm --network "$net" "$IMG" sh -c "wget -q -O- http://127.0.0.1:$hp/index.html"
	assert_not_contains "$OUT" "host-loopback-only" "127.0.0.1 inside is the container's" || return
	capture kk network create --internal --host-loopback "${net}2"
	assert_failed "--internal with --host-loopback" || return
	assert_contains "$ERR" "--host-loopback and --internal" "the error names both" || return
}

test_e2e_host_loopback_unreachable_and_published_port() {
	e2e_setup || return
	local hp port=18080
	hp=$(free_port)
	mkdir -p "$T_DIR/hostwww" && echo "host-only" >"$T_DIR/hostwww/index.html"
	env KK_TEST_DIR="$T_DIR" python3 -m http.server --bind 127.0.0.1 "$hp" --directory "$T_DIR/hostwww" >/dev/null 2>&1 &
	defer "kill $!"
	sleep 0.5
	capture kk run --rm --network "$E2E" "$IMG" sh -c "wget -q -O- http://10.231.6.1:$hp/index.html; wget -q -O- http://127.0.0.1:$hp/index.html"
	assert_not_contains "$OUT" "host-only" "host loopback server from a container" || return

	# The brief's port if it is free, else any free one.
	if python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then :; else port=$(free_port); fi
	must kk run -d --name "${TAG}pub" --network "$E2E" -p "127.0.0.1:$port:80" "$IMG" sh -c "$www_cmd" || return
	local n=30
	while [ $n -gt 0 ]; do
		capture curl -s -m 2 "http://127.0.0.1:$port/index.html"
		[ "$RC" = 0 ] && break
		sleep 0.2
		n=$((n - 1))
	done
	assert_contains "$OUT" "hello-from-" "curl 127.0.0.1:$port on the host" || return
}

# What a container leaves after rm: nothing of its network.
assert_no_trace() { # ID
	local id=$1
	capture ip link show "$(veth_of "$id")"
	assert_failed "veth of $id after rm" || return
	capture nft list table inet kakuri
	assert_not_contains "$OUT" "kakuri:ctr:$id" "nft rules after rm" || return
	assert_not_contains "$(leases "kk-$E2E")" "$id" "lease after rm" || return
}

test_e2e_rm_leaves_nothing() {
	e2e_setup || return
	local id port
	port=$(free_port)
	capture kk run -d --network "$E2E" -p "127.0.0.1:$port:80" "$IMG" sleep 300
	assert_ok || return
	id=$OUT
	capture ip link show "$(veth_of "$id")"
	assert_ok "veth while running" || return
	assert_contains "$(nft list chain inet kakuri ports)" "kakuri:ctr:$id" "port rule while running" || return
	must kk rm -f "$id" || return
	assert_no_trace "$id"
}

test_e2e_monitor_killed_then_rm() {
	e2e_setup || return
	local id port mon
	port=$(free_port)
	capture kk run -d --network "$E2E" -p "127.0.0.1:$port:80" "$IMG" sleep 300
	assert_ok || return
	id=$OUT
	mon=$(kk inspect "$id" | jq -r '.[0].State.ConmonPid')
	[ -n "$mon" ] && [ "$mon" != 0 ] || {
		fail "no monitor pid in inspect"
		return
	}
	kill -KILL "$mon"
	must kk rm -f "$id" || return
	assert_no_trace "$id"
}

test_e2e_rootless_bridge_refused() {
	need_rootless || return
	e2e_setup || return
	chmod 0644 "$T_DIR/busybox.tar"
	must rl_kk load -q -i "$T_DIR/busybox.tar" || return
	capture rl_kk run --rm --network bridge "$IMG" true
	assert_failed || return
	assert_contains "$ERR" "root" "rootless --network bridge" || return
}

run_test "network create/ls/inspect/rm/prune; bad subnets, gateways, names are errors naming them" test_network_commands
run_test "rootless: network create is a clear error" test_rootless_is_refused
run_test "backend: two namespaces get veths, addresses, routes, --ip, /etc/hosts peers; --ip conflicts leave nothing" test_backend_two_namespaces
run_test "backend: -p 127.0.0.1:PORT:80 from the host's loopback; host-loopback servers unreachable; detach is exact" test_backend_published_port_and_loopback
run_test "backend: networks are isolated from each other; network rm removes bridge and rules" test_backend_isolation_between_networks
run_test "backend: 6 concurrent attaches get distinct addresses; concurrent detaches leave nothing" test_backend_concurrent_attach_detach
run_test "backend: one network name in two stores never mixes two subnets on one bridge" test_backend_same_name_in_two_stores
run_test "backend: a deleted nft table is noticed and the rules are reinstalled" test_backend_rules_come_back_after_table_deletion
run_test "backend: detach releases leases and updates the peers' /etc/hosts" test_backend_teardown
run_test "run: two containers on a bridge reach each other by IP and by name" test_e2e_peers_by_ip_and_name
run_test "run: a host server on 127.0.0.1 is unreachable; -p 127.0.0.1:18080:80 serves curl on the host" test_e2e_host_loopback_unreachable_and_published_port
run_test "run: a --host-loopback network reaches a host 127.0.0.1 server as host.containers.internal" test_e2e_host_loopback_configured
run_test "run: after rm -f no veth, nft rule or lease is left" test_e2e_rm_leaves_nothing
run_test "run: after the monitor is SIGKILLed, rm -f leaves no veth, nft rule or lease" test_e2e_monitor_killed_then_rm
run_test "run: rootless --network bridge is a clear error" test_e2e_rootless_bridge_refused
final_cleanup
done_testing
