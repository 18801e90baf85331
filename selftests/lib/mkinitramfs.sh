#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh BUSYBOX KVER [KMODS]: build (once, cached) the guest's
# initramfs and print its path. It holds a static busybox, the bed's /init
# (guest-init.sh) and, for modular kernels, the modules that mounting the
# 9p shares needs (virtio_pci, 9pnet_virtio, 9p and their dependencies) in
# load order. Everything else (the project's modules, test programs, the
# host's userland on x86_64) reaches the guest through 9p shares, so this
# archive does not change from one run to the next.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib/common.sh
. "$here/common.sh"

busybox=$1 kver=$2 kmods=${3:-}
[ -x "$busybox" ] || hv_die "no busybox at $busybox"
key=$( { cat "$here/guest-init.sh" "$here/mkinitramfs.sh"; ls -lL "$busybox";
	 echo "$kver $kmods"; } | md5sum | cut -c1-12)
out=$HV_CACHE/initramfs/$kver-$key.cpio.gz
if [ ! -e "$out" ]; then
	hv_lock initramfs
	if [ ! -e "$out" ]; then
		tmp=$(mktemp -d "$HV_CACHE/initramfs.XXXXXX")
		trap 'rm -rf "$tmp"' EXIT
		root=$tmp/root
		mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,newroot,hvout,lib/hv-boot}
		cp "$busybox" "$root/bin/busybox"
		cp "$here/guest-init.sh" "$root/init"
		chmod 755 "$root/init" "$root/bin/busybox"
		: >"$root/etc/hv-insmod"
		if [ -n "$kmods" ] && [ -e "$kmods/modules.dep" ]; then
			base=${kmods%/lib/modules/*}
			modprobe -d "$base" -S "$kver" --show-depends -a \
				virtio_pci 9pnet_virtio 9p |
				awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
				while read -r ko; do
					cp "$ko" "$root/lib/hv-boot/"
					echo "${ko##*/}" >>"$root/etc/hv-insmod"
				done
		fi
		(cd "$root" && find . | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$tmp/initrd"
		mkdir -p "${out%/*}"
		mv "$tmp/initrd" "$out"
		# Older archives of this kernel (another init) are garbage.
		find "${out%/*}" -name "$kver-*.cpio.gz" ! -path "$out" -mmin +60 -delete
	fi
fi
echo "$out"
