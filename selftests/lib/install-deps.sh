#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-deps.sh ARCH [KERNEL]...: install the Debian (bookworm) packages a
# lane needs, with apt-get --no-install-recommends. Fast when everything is
# there already: it only asks dpkg. ARCH is x86_64, arm64 or riscv64;
# KERNEL "debug" adds what building a kernel needs. Needs root (or sudo)
# only when something is missing.
set -euo pipefail
# shellcheck source=selftests/lib/common.sh
. "$(dirname "$0")/common.sh"

pkgs=(make gcc libc6-dev bc flex bison libelf-dev libssl-dev dwarves cpio kmod
      xz-utils rsync perl git busybox-static util-linux procps python3)
foreign=
for a in "$@"; do
	case $a in
	x86_64) pkgs+=(qemu-system-x86 sparse shellcheck fio iperf3 e2fsprogs
		       iproute2 iputils-ping udev clang-14 libclang-rt-14-dev
		       libfuzzer-14-dev man-db) ;;
	arm64) pkgs+=(qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
	       foreign=arm64 ;;
	riscv64) pkgs+=(gcc-riscv64-linux-gnu libc6-dev-riscv64-cross) ;;
	debug|debian|debian-6.12|source|default) ;;
	*) hv_die "unknown lane part '$a'" ;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$s" = "install ok installed" ] || missing+=("$p")
done
need_arch=0
if [ -n "$foreign" ] && ! dpkg --print-foreign-architectures | grep -qx "$foreign"; then
	need_arch=1
fi
# The kernels are fetched with apt-get download: package lists must exist
# (for arm64 too, to download arm64 packages).
need_update=0
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
	need_update=1
fi
if [ -n "$foreign" ] && ! compgen -G "/var/lib/apt/lists/*binary-${foreign}_Packages*" >/dev/null; then
	need_update=1
fi
[ ${#missing[@]} -gt 0 ] && need_update=1
[ $need_arch = 1 ] && need_update=1
[ $need_update = 1 ] || exit 0

sudo=()
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null ||
		hv_die "not root and no sudo; install: ${missing[*]:-} (and dpkg --add-architecture $foreign)"
	sudo=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive
if [ $need_arch = 1 ]; then
	hv_log "adding the $foreign architecture"
	"${sudo[@]}" dpkg --add-architecture "$foreign"
fi
hv_log "apt-get update"
"${sudo[@]}" apt-get update -q >/dev/null
if [ ${#missing[@]} -gt 0 ]; then
	hv_log "installing ${missing[*]}"
	"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
