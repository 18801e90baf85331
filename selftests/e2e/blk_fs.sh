#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 1800
# hv-lanes: x86_64/debian-6.12 (6.1 runs this in blk_smoke; the debug
# lane gets the data path from blk_fio and the failure paths from blk_errors)
#
# virtio-blk end to end, file system: the (simulated) zone's upstream
# virtio_blk gets a disk, mkfs.ext4, mounts it, writes a tree of files,
# syncs and unmounts; e2fsck -f is clean through the virtio disk, the tree
# reads back after a remount, and the backing store read natively in the
# root (after the device is removed) is a clean file system with the same
# files. Three backings: an image file on tmpfs (no direct I/O), an image
# file on ext4 on a loop device (direct I/O), and a block device (a
# memory-backed null_blk made through configfs: that works whether
# null_blk is a module or built in, as in the debug kernel).
. "$(dirname "$0")/lib.sh"

modprobe virtio_blk
modprobe ext4
modprobe loop
modprobe null_blk nr_devices=0
guest_zone_up
work=$(mktemp -d)
mkdir -p "$work/mnt" "$work/native" "$work/lower"

# The ext4-on-loop file system that holds the direct-I/O-capable image.
truncate -s 320M "$work/lower.img"
mkfs.ext4 -q -F "$work/lower.img"
lowerdev=$(losetup -f --show "$work/lower.img")
mount "$lowerdev" "$work/lower"

# same_sums A B: two tree_sums outputs are equal; the differences go to
# the log.
same_sums() {
	diff "$1" "$2" | head -n 20 | sed 's/^/# /'
	cmp -s "$1" "$2"
}

# make_tree DIR SEED: a tree of files of various sizes (about 24 MiB).
make_tree() {
	local dir=$1 seed=$2 i j
	mkdir -p "$dir/big"
	for i in $(seq 1 6); do
		mkdir -p "$dir/d$i/sub"
		for j in $(seq 1 12); do
			head -c $(( (seed * 131 + i * 977 + j * 4099) % 300000 )) \
				/dev/urandom > "$dir/d$i/f$j"
			head -c $(( j * 512 + i )) /dev/urandom > "$dir/d$i/sub/s$j"
		done
		ln -s "f1" "$dir/d$i/link"
	done
	: > "$dir/empty"
	head -c 16M /dev/urandom > "$dir/big/sixteen"
	dd if=/dev/urandom of="$dir/big/sparse" bs=4k count=1 seek=5000 \
		status=none
}

# run_fs N LABEL IMG: the whole sequence on device window N backed by IMG.
run_fs() {
	local n=$1 label=$2 img=$3 name disk sums
	sums=$work/$label.sums
	name=$(blk_add "$n" "$img")
	check "$label: hvisorctl add prints a blk name" \
		grep -qx "blk[0-9]*" <<<"$name"
	check "$label: sysfs type is blk" \
		test "$(cat "/sys/class/hvisor/$name/type")" = blk
	if ! disk=$(guest_disk_add "$n"); then
		e2e_fail "$label: the guest got no disk"
		hvisorctl del "$name"
		return
	fi
	e2e_log "$label: $name is /dev/$disk, backend $(cat "/sys/class/hvisor/$name/backend")"
	check "$label: the guest sees the image's size" \
		test "$(cat "/sys/block/$disk/size")" = \
		"$(( $(blockdev --getsize64 "$img" 2>/dev/null || stat -c %s "$img") / 512 ))"

	check "$label: mkfs.ext4" mkfs.ext4 -q -F -E nodiscard "/dev/$disk"
	check "$label: mount" mount -o noatime "/dev/$disk" "$work/mnt"
	make_tree "$work/mnt" "$n"
	tree_sums "$work/mnt" > "$sums"
	check "$label: sync" sync -f "$work/mnt"
	check "$label: umount" umount "$work/mnt"
	check "$label: e2fsck -f through the virtio disk is clean" \
		e2fsck -f -n "/dev/$disk"
	# Read back through the guest from cold caches.
	echo 3 > /proc/sys/vm/drop_caches
	check "$label: remount" mount -o ro "/dev/$disk" "$work/mnt"
	tree_sums "$work/mnt" > "$sums.virtio"
	check "$label: the files read back through virtio match" \
		same_sums "$sums" "$sums.virtio"
	umount "$work/mnt"
	check "$label: requests were counted" \
		test "$(cat "/sys/class/hvisor/$name/stats/requests")" -gt 100

	guest_disk_del "$n"
	check "$label: hvisorctl del" hvisorctl del "$name"
	check "$label: the device is gone from sysfs" \
		test ! -e "/sys/class/hvisor/$name"

	# The backing store, natively.
	echo 3 > /proc/sys/vm/drop_caches
	check "$label: e2fsck -f of the backing store in the root is clean" \
		e2fsck -f -n "$img"
	if [ -b "$img" ]; then
		check "$label: native mount" mount -o ro "$img" "$work/native"
	else
		check "$label: native loop mount" mount -o ro,loop "$img" "$work/native"
	fi
	tree_sums "$work/native" > "$sums.native"
	check "$label: the files read natively match" \
		same_sums "$sums" "$sums.native"
	check "$label: the symlinks survived" \
		test "$(readlink "$work/native/d3/link")" = f1
	umount "$work/native"
}

# 1. An image file on tmpfs: no O_DIRECT there, buffered I/O.
truncate -s 128M "$work/tmpfs.img"
if dd if=/dev/zero of="$work/tmpfs.img" bs=4k count=1 oflag=direct conv=notrunc \
	status=none 2>/dev/null; then
	e2e_log "tmpfs unexpectedly supports O_DIRECT"
fi
run_fs 0 tmpfs-file "$work/tmpfs.img"

# 2. An image file on ext4 (on loop): O_DIRECT works there.
truncate -s 128M "$work/lower/ext4.img"
check "ext4 supports O_DIRECT on the image" \
	dd if=/dev/zero of="$work/lower/ext4.img" bs=4k count=1 oflag=direct \
	conv=notrunc status=none
run_fs 1 ext4-file "$work/lower/ext4.img"

# 3. A block device.
if [ ! -d /sys/kernel/config/nullb ]; then
	mount -t configfs configfs /sys/kernel/config
fi
nb=/sys/kernel/config/nullb/hvfs
mkdir "$nb"
echo 128 > "$nb/size"
echo 1 > "$nb/memory_backed"
echo 1 > "$nb/power"
# Named after the configfs directory (6.1), or nullb<index> (older).
nullb=hvfs
[ -e /sys/block/$nullb ] || nullb=nullb$(cat "$nb/index")
udev_settle_disk "$nullb"
check "null_blk is 128 MiB" test "$(blockdev --getsize64 "/dev/$nullb")" = $((128 << 20))
run_fs 2 null_blk "/dev/$nullb"
echo 0 > "$nb/power"
rmdir "$nb"

umount "$work/lower"
losetup -d "$lowerdev"
hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
e2e_done
