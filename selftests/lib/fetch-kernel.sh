#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh FLAVOUR: download a Debian kernel image and its headers
# into the cache (apt-get download + dpkg -x; nothing is installed) and print
# "KVER KROOT" on stdout. FLAVOUR is one of debian, debian-6.12, arm64.
set -euo pipefail
# shellcheck source=selftests/lib/common.sh
. "$(dirname "$0")/common.sh"

flavour=${1:-debian}
case $flavour in
debian) meta=linux-image-amd64 ; arch=amd64 ;;
debian-6.12) meta=linux-image-6.12-amd64 ; arch=amd64 ;;
arm64) meta=linux-image-arm64 ; arch=arm64 ;;
*) hv_die "unknown kernel flavour '$flavour'" ;;
esac

# Resolve the ABI from the metapackage: linux-image-6.1.0-56-amd64 etc.
resolve_kver() {
	local pkg=$1
	apt-cache depends "$pkg:$arch" 2>/dev/null | awk '
		/Depends: linux-image-[0-9]/ { sub("linux-image-", "", $2);
					      sub(":.*", "", $2); print $2; exit }'
}

kver=$(resolve_kver "$meta")
if [ -z "$kver" ] && [ "$flavour" = debian-6.12 ]; then
	kver=$(apt-cache pkgnames linux-image-6.12 | grep -E '^linux-image-6\.12\.[0-9.]+\+deb12-amd64$' |
	       sort -V | tail -n 1 | sed 's/^linux-image-//')
fi
[ -n "$kver" ] || hv_die "cannot resolve a kernel version from $meta (apt-get update?)"

kroot=$HV_CACHE/kroot-$kver
if [ ! -e "$kroot/.done" ]; then
	hv_lock "kroot-$kver"
	if [ ! -e "$kroot/.done" ]; then
		hv_log "fetching kernel $kver into $kroot"
		rm -rf "$kroot" "$kroot.debs" && mkdir -p "$kroot.debs"
		common=$(apt-cache depends "linux-headers-$kver:$arch" |
			 awk '/Depends: <?linux-headers-.*-common/ { gsub("[<>]", "", $2);
				sub(":.*", "", $2); print $2; exit }')
		kbuild=$(apt-cache depends "linux-headers-$kver:$arch" |
			 awk '/Depends: linux-kbuild-/ { sub(":.*", "", $2); print $2; exit }')
		if [ -z "$common" ] || [ -z "$kbuild" ]; then
			hv_die "cannot resolve headers of $kver"
		fi
		pkgs="linux-image-$kver:$arch linux-headers-$kver:$arch $common $kbuild:amd64"
		[ "$arch" = arm64 ] && pkgs="$pkgs busybox-static:arm64"
		# shellcheck disable=SC2086
		(cd "$kroot.debs" && apt-get download -q $pkgs >/dev/null 2>&1) ||
			hv_die "apt-get download $pkgs failed"
		for d in "$kroot.debs"/*.deb; do dpkg -x "$d" "$kroot"; done
		# shellcheck disable=SC2016 # $(...) is make syntax here
		sed -i 's|^include /usr/src/|include $(dir $(lastword $(MAKEFILE_LIST)))../|' \
			"$kroot/usr/src/linux-headers-$kver/Makefile"
		# 6.12 ships xz-compressed modules: decompress so busybox and
		# insmod handle them, then rebuild the dependency index.
		find "$kroot/lib/modules" -name '*.ko.xz' -exec xz -d {} +
		depmod -b "$kroot" "$kver"
		rm -rf "$kroot.debs"
		touch "$kroot/.done"
	fi
fi
echo "$kver $kroot"
