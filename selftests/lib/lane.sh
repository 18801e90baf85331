#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lane.sh [--var NAME] ARCH [KERNEL]: describe one build/test lane, fetching
# or building its kernel into the cache first if needed.
#
#   ARCH    x86_64 | arm64 | riscv64
#   KERNEL  debian | debian-6.12 | debug | source | default
#           ("default": the running kernel's headers when ARCH is the host's
#           and /lib/modules/$(uname -r)/build exists, else debian; riscv64
#           only has "source", a modules_prepare'd linux-source-6.1 tree)
#
# Prints shell assignments (eval them), or the bare value of NAME with --var:
#   HV_ARCH HV_KERNEL KVER KDIR KIMAGE KMODS KARCH CROSS_COMPILE
#   BUILD (per-kernel build dir) BIN (per-arch userspace dir) QEMU CONSOLE
#   BUSYBOX
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=selftests/lib/common.sh
. "$here/common.sh"

var=
if [ "${1:-}" = --var ]; then var=$2; shift 2; fi
arch=${1:?usage: lane.sh [--var NAME] ARCH [KERNEL]}
kernel=${2:-default}

kimage='' kmods='' busybox='' qemu='' console='' cross=''
case $arch in
x86_64) karch=x86 ;;
arm64) karch=arm64 ;;
riscv64) karch=riscv ;;
*) hv_die "unknown arch '$arch' (x86_64, arm64, riscv64)" ;;
esac
if [ "$arch" != "$(hv_host_arch)" ]; then
	case $arch in
	x86_64) cross=x86_64-linux-gnu- ;;
	arm64) cross=aarch64-linux-gnu- ;;
	riscv64) cross=riscv64-linux-gnu- ;;
	esac
fi

if [ "$kernel" = default ]; then
	if [ "$arch" = riscv64 ]; then
		kernel=source
	elif [ "$arch" = "$(hv_host_arch)" ] && [ -d "/lib/modules/$(uname -r)/build" ]; then
		kernel=host
	else
		kernel=debian
	fi
fi

case $arch/$kernel in
*/host)
	kver=$(uname -r)
	kdir=/lib/modules/$kver/build
	;;
x86_64/debian|x86_64/debian-6.12|arm64/debian)
	flavour=$kernel
	[ "$arch" = arm64 ] && flavour=arm64
	read -r kver kroot < <("$here/fetch-kernel.sh" "$flavour")
	kdir=$kroot/usr/src/linux-headers-$kver
	kimage=$kroot/boot/vmlinuz-$kver
	kmods=$kroot/lib/modules/$kver
	[ "$arch" = arm64 ] && busybox=$kroot/bin/busybox
	# x86_64: boot the uncompressed ELF through its PVH entry point when
	# the kernel has one: decompressing a bzImage costs seconds under TCG.
	if [ "$arch" = x86_64 ] && grep -q '^CONFIG_PVH=y' "$kroot/boot/config-$kver"; then
		elf=$kroot/boot/vmlinux-$kver
		if [ ! -e "$elf" ]; then
			src=$("$here/fetch-source.sh")
			"$src/scripts/extract-vmlinux" "$kimage" >"$elf.$$" && mv "$elf.$$" "$elf"
		fi
		kimage=$elf
	fi
	;;
x86_64/debug)
	read -r kver kdir < <("$here/build-debug-kernel.sh")
	kimage=$kdir/arch/x86/boot/bzImage
	if grep -q '^CONFIG_PVH=y' "$kdir/.config" && [ -e "$kdir/vmlinux" ]; then
		kimage=$kdir/vmlinux
	fi
	# The O= tree has no installed modules directory: make one (the
	# built-in list plus the few =m modules) for modprobe and depmod.
	kroot=$kdir/hv-kroot
	kmods=$kroot/lib/modules/$kver
	if [ ! -e "$kroot/.done" ]; then
		hv_lock "debug-kroot"
		if [ ! -e "$kroot/.done" ]; then
			rm -rf "$kroot" && mkdir -p "$kmods/kernel"
			for f in modules.builtin modules.builtin.modinfo modules.order; do
				if [ -e "$kdir/$f" ]; then cp "$kdir/$f" "$kmods/"; fi
			done
			(cd "$kdir" && find . -path ./hv-kroot -prune -o -name '*.ko' -print |
				while read -r ko; do
					mkdir -p "$kmods/kernel/$(dirname "$ko")"
					cp "$ko" "$kmods/kernel/$ko"
				done)
			depmod -b "$kroot" "$kver"
			touch "$kroot/.done"
		fi
	fi
	;;
riscv64/source)
	read -r kver kdir < <("$here/prepare-riscv.sh")
	;;
*)
	hv_die "no kernel '$kernel' for $arch"
	;;
esac

case $arch in
x86_64) qemu=qemu-system-x86_64 console=ttyS0 ;;
arm64) qemu=qemu-system-aarch64 console=ttyAMA0 ;;
riscv64) qemu=qemu-system-riscv64 console=ttyS0 ;;
esac
[ -n "$busybox" ] || busybox=$(command -v busybox || echo /bin/busybox)
# Kernel release as the headers see it: Debian's include/config/kernel.release
# holds the upstream version, utsrelease.h the full ABI name.
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' "$kdir/include/generated/utsrelease.h")

declare -A out=(
	[HV_ARCH]=$arch [HV_KERNEL]=$kernel [KVER]=$kver [KDIR]=$kdir
	[KIMAGE]=$kimage [KMODS]=$kmods [KARCH]=$karch [CROSS_COMPILE]=$cross
	[BUILD]=$HV_SRC/build/$arch-$kver [BIN]=$HV_SRC/build/bin-$arch
	[QEMU]=$qemu [CONSOLE]=$console [BUSYBOX]=$busybox
)
if [ -n "$var" ]; then
	[ -n "${out[$var]+set}" ] || hv_die "unknown variable '$var'"
	printf '%s\n' "${out[$var]}"
	exit 0
fi
for k in "${!out[@]}"; do
	printf '%s=%s\n' "$k" "$(hv_shquote "${out[$k]}")"
done | sort
