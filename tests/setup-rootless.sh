#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Prepares an unprivileged user for the rootless integration tests. Idempotent; run as root.
#   tests/setup-rootless.sh [--no-subids] [USER]   (default user: kktest, or $KK_ROOTLESS_USER)
# It creates USER (useradd -m), gives it the subordinate ranges USER:100000:65536 in
# /etc/subuid and /etc/subgid (replacing any line it had), creates its XDG_RUNTIME_DIR
# /run/user/UID (0700, owned by USER) and checks that newuidmap/newgidmap (package uidmap)
# are setuid root or carry file capabilities. On success the last lines printed say how to
# run a command as USER. Exits non-zero, with the reason on stderr, if anything is missing.
# --no-subids instead removes every /etc/subuid and /etc/subgid line of USER (the tests use
# such a user, kknosub, to check the error for a user without subordinate ranges).
set -eu

subids=true
if [ "${1:-}" = --no-subids ]; then
	subids=false
	shift
fi
user=${1:-${KK_ROOTLESS_USER:-kktest}}
sub_start=100000
sub_count=65536

die() {
	echo "setup-rootless.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (it edits /etc/passwd, /etc/subuid, /etc/subgid)"

if ! getent passwd "$user" >/dev/null; then
	useradd -m -s /bin/sh "$user" || die "useradd -m $user failed"
fi
uid=$(id -u "$user")
gid=$(id -g "$user")
home=$(getent passwd "$user" | cut -d: -f6)
[ -d "$home" ] || { mkdir -p "$home" && chown "$uid:$gid" "$home"; }

# Replace (never append a second) line for the user, so repeated runs stay at one range.
# Both the name and the numeric uid form are replaced: shadow-utils accepts either.
set_subid() {
	file=$1
	touch "$file"
	tmp=$(mktemp "$file.XXXXXX")
	grep -v -e "^$user:" -e "^$uid:" "$file" >"$tmp" || true
	$subids && echo "$user:$sub_start:$sub_count" >>"$tmp"
	chmod 0644 "$tmp"
	mv "$tmp" "$file"
}
set_subid /etc/subuid
set_subid /etc/subgid

rundir=/run/user/$uid
mkdir -p "$rundir"
chown "$uid:$gid" "$rundir"
chmod 0700 "$rundir"

# newuidmap/newgidmap must be able to write maps for ranges the user does not own: that
# needs setuid root or file capabilities (cap_setuid / cap_setgid).
for helper in newuidmap newgidmap; do
	path=$(command -v "$helper" 2>/dev/null) ||
		die "$helper not found: install the uidmap package (apt-get install uidmap)"
	if [ -u "$path" ] && [ "$(stat -c %u "$path")" = 0 ]; then
		continue
	fi
	if command -v getcap >/dev/null 2>&1 && getcap "$path" | grep -q 'cap_set[ug]id'; then
		continue
	fi
	die "$path is neither setuid root nor has file capabilities (reinstall uidmap)"
done

# Unprivileged user namespaces must be allowed for any rootless container.
if [ -r /proc/sys/kernel/unprivileged_userns_clone ] &&
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
	die "kernel.unprivileged_userns_clone=0: unprivileged user namespaces are disabled"
fi
if [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)" = 0 ]; then
	die "user.max_user_namespaces=0: user namespaces are disabled"
fi

if $subids; then
	ranges="subuid/subgid $user:$sub_start:$sub_count"
else
	ranges="no subuid/subgid ranges"
fi
cat <<EOF
rootless user: $user (uid $uid, gid $gid), $ranges
XDG_RUNTIME_DIR=$rundir
run a command as $user:
  setpriv --reuid=$uid --regid=$gid --init-groups env -i HOME=$home XDG_RUNTIME_DIR=$rundir PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin CMD...
  runuser -u $user -- env HOME=$home XDG_RUNTIME_DIR=$rundir CMD...
EOF
