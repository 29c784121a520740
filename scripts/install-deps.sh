#!/bin/sh
# Installs everything kakuri needs to build and to run its test suite on Debian 12.
# Usage: scripts/install-deps.sh [build|test]   (default: test, which includes build)
set -eu
what=${1:-test}
build_pkgs="gcc make pkg-config libc6-dev libseccomp-dev libjson-c-dev libcurl4-openssl-dev zlib1g-dev libzstd-dev busybox-static nftables
  passt slirp4netns"
test_pkgs="clang libclang-rt-14-dev uidmap crun runc podman containerd hyperfine jq
  util-linux procps iproute2 libcap2-bin strace python3 e2fsprogs time
  docker-registry skopeo apache2-utils fuse-overlayfs zstd curl
  nftables iperf3"
pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$pkgs $test_pkgs"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
