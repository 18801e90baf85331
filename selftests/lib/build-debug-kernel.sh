#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh: build (once, cached) an x86_64 kernel from Debian's
# linux-source-6.1 with KASAN, lockdep, atomic-sleep checks, kmemleak and
# UBSAN, with everything the tests need built in. Prints "KVER OBJDIR".
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=selftests/lib/common.sh
. "$here/common.sh"

src=$("$here/fetch-source.sh")
# The cache key is the config fragment below: change it and the kernel is rebuilt.
fragment="-e KASAN -e KASAN_GENERIC -e KASAN_INLINE -e PROVE_LOCKING
-e DEBUG_ATOMIC_SLEEP -e DEBUG_LIST -e DEBUG_KMEMLEAK -d DEBUG_KMEMLEAK_AUTO_SCAN
-e UBSAN -e UBSAN_BOUNDS -e UBSAN_SHIFT -d UBSAN_TRAP -e DEBUG_INFO_NONE
-d DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_DWARF5
-e SOFTLOCKUP_DETECTOR -e DETECT_HUNG_TASK -e PANIC_ON_OOPS
-e TUN -e TAP -e MACVLAN -e MACVTAP -e VETH -e BRIDGE -e BLK_DEV_LOOP
-e BLK_DEV_NULL_BLK -e BLK_DEV_RAM -e MD -e BLK_DEV_DM -e DM_FLAKEY -e DM_DELAY
-e EXT4_FS -e CRYPTO_CRC32C -e TMPFS -e TMPFS_POSIX_ACL -e DEVTMPFS
-e DEVTMPFS_MOUNT -e IKCONFIG -e IKCONFIG_PROC -e VIRTIO_CONSOLE -e VIRTIO_BLK
-e VIRTIO_NET -e VIRTIO_MMIO -e NET_9P -e NET_9P_VIRTIO -e 9P_FS
-e 9P_FS_POSIX_ACL -e UNIX98_PTYS -e NAMESPACES -e NET_NS
-d MODULE_SIG -d MODVERSIONS -d DRM -d SOUND -d USB_SUPPORT -d WLAN
-d WIRELESS -d INPUT_JOYSTICK -d INPUT_TABLET -d INPUT_TOUCHSCREEN -d HID
-d ETHERNET -d NETFILTER -d SCSI -d ATA -d NFS_FS -d NFSD -d FB -d AGP
-d PCCARD -d SECURITY_SELINUX -d AUDIT -d HIBERNATION -d CPU_FREQ -d RFKILL
-d MACINTOSH_DRIVERS -d PROFILING"
key=$(printf '%s\n' "$fragment" | md5sum | cut -c1-8)
obj=$HV_CACHE/debug-6.1-$key
if [ ! -e "$obj/.done" ]; then
	hv_lock debug-kernel
	if [ ! -e "$obj/.done" ]; then
		hv_log "building the debug kernel in $obj (about 12 min on 2 cores)"
		rm -rf "$obj" && mkdir -p "$obj"
		make -s -C "$src" O="$obj" defconfig >/dev/null
		make -s -C "$src" O="$obj" kvm_guest.config >/dev/null
		# shellcheck disable=SC2086
		"$src/scripts/config" --file "$obj/.config" $fragment
		make -s -C "$src" O="$obj" olddefconfig >/dev/null
		make -s -C "$src" O="$obj" -j"$(nproc)" bzImage modules >"$obj/build.log" 2>&1 ||
			{ tail -n 30 "$obj/build.log" >&2; hv_die "debug kernel build failed"; }
		# Keep only what module builds and boots need.
		find "$obj" \( -name '*.o' -o -name '*.a' -o -name '.*.cmd' \) -delete
		rm -f "$obj"/vmlinux.o "$obj"/.tmp_vmlinux*
		touch "$obj/.done"
	fi
fi
echo "$(cat "$obj/include/config/kernel.release") $obj"
