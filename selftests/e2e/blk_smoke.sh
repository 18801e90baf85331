#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 900
# hv-lanes: x86_64/debian (fs and fio on every backing; blk_fs and blk_fio
# repeat that part on the other lanes, the bounce path is only here)
#
# virtio-blk smoke test: the upstream virtio_blk driver in the (simulated)
# zone on an image file served by hvisor_vhost. For each backing (an image
# on tmpfs: buffered I/O; an image on ext4: direct I/O; a block device):
# mkfs.ext4, mount, write a tree of files, sync, unmount, fsck -f clean,
# and the backing read natively in the root holds the same files; then
# fio with verification on the raw disk. Also GET_ID (the guest finds its
# disks by serial), MQ, DISCARD and WRITE_ZEROES, ro=1, resize, and the
# bounce path for zone memory without struct pages. The data path's
# tracepoints fire for a read and a write of the first disk.
. "$(dirname "$0")/lib.sh"

modprobe -a virtio_blk ext4 loop
guest_zone_up
work=$(mktemp -d)
mkdir -p "$work/mnt" "$work/native"
irq=$GUEST_IRQ_BASE
slot=0

# guest_disk SERIAL: the guest's disk with this serial (GET_ID).
guest_disk() {
	local b
	for b in /sys/block/vd*; do
		[ -e "$b/serial" ] || continue
		if [ "$(cat "$b/serial")" = "$1" ]; then
			echo "/dev/${b##*/}"
			return 0
		fi
	done
	return 1
}

# add_disk SERIAL ARGS...: a blk device and its guest disk; sets $name,
# $addr, $disk.
add_disk() {
	local serial=$1; shift
	addr=$(dev_addr $slot)
	name=$(hvisorctl add blk zone=$GUEST_ZONE addr="$addr" len=0x200 \
		irq=$irq serial="$serial" "$@")
	hvisor-sim guest add zone=$GUEST_ZONE addr="$addr" irq=$irq
	wait_for 10 guest_disk "$serial" >/dev/null || return 1
	disk=$(guest_disk "$serial")
	slot=$((slot + 1))
	irq=$((irq + 1))
}

del_disk() {
	hvisor-sim guest del zone=$GUEST_ZONE addr="$1"
	hvisorctl del "$2"
}

# tree DIR: write a tree of files of many sizes.
tree() {
	local i
	mkdir -p "$1/a/b/c" "$1/d"
	for i in 1 2 3 4 5 6 7 8; do
		head -c $((i * i * 37000 + i)) /dev/urandom > "$1/a/f$i"
		head -c $((i * 511)) /dev/urandom > "$1/a/b/s$i"
	done
	head -c 20000000 /dev/urandom > "$1/a/b/c/big"
	cp -r /usr/share/doc/e2fsprogs "$1/d/" 2>/dev/null || true
	ln -s a/f1 "$1/link"
}

sums() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

# fs_roundtrip WHAT BACKING MOUNTOPTS: the whole file system cycle.
fs_roundtrip() {
	local what=$1 backing=$2
	check "$what: mkfs.ext4 on $disk" mkfs.ext4 -q -F "$disk"
	check "$what: mount" mount "$disk" "$work/mnt"
	tree "$work/mnt"
	sums "$work/mnt" > "$work/sums.guest"
	check "$what: sync" sync
	check "$what: unmount" umount "$work/mnt"
	check "$what: fsck -f is clean" e2fsck -f -n "$disk"
	check "$what: mount again, files intact" sh -c "
		mount '$disk' '$work/mnt' &&
		(cd '$work/mnt' && sha256sum --quiet -c '$work/sums.guest') &&
		umount '$work/mnt'"
	# The root reads the backing itself, the guest's cache aside.
	check "$what: fsck -f of the backing, read natively" \
		e2fsck -f -n "$backing"
	check "$what: the backing holds the same files" sh -c "
		mount -o ro$([ -f "$backing" ] && echo ,loop) '$backing' '$work/native' &&
		(cd '$work/native' && sha256sum --quiet -c '$work/sums.guest');
		r=\$?; umount '$work/native'; exit \$r"
}

fio_verify() {
	local what=$1; shift
	check "$what" fio --name=v --filename="$disk" --direct=1 \
		--ioengine=libaio --verify=crc32c --do_verify=1 \
		--verify_fatal=1 --verify_state_save=0 --output="$work/fio.log" "$@"
	grep -E "IOPS|err=" "$work/fio.log" | sed 's/^/# /' | head -4 || true
}

errors() { cat "/sys/class/hvisor/$1/stats/errors"; }

# trace_check: the data path's tracepoints (events/hvisor_vhost/ in
# tracefs) fire with the device's name and the request's fields for a
# direct 8 KiB read and 16 KiB write of the guest's disk $disk.
trace_check() {
	local t=/sys/kernel/tracing e out=$work/trace.txt
	if [ ! -e $t/events ]; then
		mount -t tracefs nodev $t 2>/dev/null ||
			t=/sys/kernel/debug/tracing
	fi
	for e in hvv_request hvv_notify hvv_irq hvv_blk_submit \
		 hvv_blk_complete hvv_broken; do
		check "trace: events/hvisor_vhost/$e exists" \
			test -e $t/events/hvisor_vhost/$e/enable
	done
	echo > $t/trace
	# No task names: recording them hooks the scheduler's tracepoints,
	# and live-patching those on every CPU at each enable and disable
	# once never finished under TCG (the VM spun until the timeout).
	echo 0 > $t/options/record-cmd
	echo 1 > $t/events/hvisor_vhost/enable
	check "trace: direct read" dd if="$disk" of=/dev/null bs=8k count=1 \
		skip=3 iflag=direct status=none
	check "trace: direct write" dd if=/dev/urandom of="$disk" bs=16k \
		count=1 seek=50 oflag=direct status=none
	echo 0 > $t/events/hvisor_vhost/enable
	echo 1 > $t/options/record-cmd
	cat $t/trace > "$out"
	echo > $t/trace
	grep -m 8 "hvisor_vhost\|hvv_" "$out" | sed 's/^/# /' || true
	check "trace: hvv_request of the QueueNotify register" grep -q \
		"hvv_request: $name zone=$GUEST_ZONE write off=0x50 size=4 value=0x0" "$out"
	check "trace: hvv_request of a read" grep -q \
		"hvv_request: $name zone=$GUEST_ZONE read off=0x60 size=4" "$out"
	check "trace: hvv_notify of queue 0" grep -q \
		"hvv_notify: $name queue=0" "$out"
	check "trace: hvv_irq, used buffer" grep -Eq \
		"hvv_irq: $name zone=$GUEST_ZONE irq=[0-9]+ isr=0x[13]\$" "$out"
	check "trace: hvv_blk_submit of the read" grep -q \
		"hvv_blk_submit: $name queue=0 op=read sector=48 bytes=8192 status=0" "$out"
	check "trace: hvv_blk_complete of the read" grep -q \
		"hvv_blk_complete: $name queue=0 op=read sector=48 bytes=8192 status=0" "$out"
	check "trace: hvv_blk_submit of the write" grep -q \
		"hvv_blk_submit: $name queue=0 op=write sector=1600 bytes=16384 status=0" "$out"
	check "trace: hvv_blk_complete of the write" grep -q \
		"hvv_blk_complete: $name queue=0 op=write sector=1600 bytes=16384 status=0" "$out"
	check "trace: no hvv_broken" sh -c "! grep -q hvv_broken '$out'"
	check "trace: disabled, nothing more recorded" sh -c "
		dd if='$disk' of=/dev/null bs=4k count=1 iflag=direct status=none &&
		! grep -q hvv_ $t/trace"
}

# 1. Image on tmpfs: buffered I/O (tmpfs has no direct I/O on 6.1).
img=$work/tmpfs.img
truncate -s 256M "$img"
add_disk smoke-tmpfs img="$img"
check "blk device named blkN" test "${name#blk}" != "$name"
check "sysfs backend is the image" \
	test "$(cat /sys/class/hvisor/$name/backend)" = "$img"
check "guest sees 256 MiB" test "$(cat /sys/block/${disk#/dev/}/size)" = 524288
trace_check
fs_roundtrip tmpfs "$img"
fio_verify "tmpfs: fio randwrite 4k QD32 verify" --rw=randwrite --bs=4k \
	--iodepth=32 --size=32M
fio_verify "tmpfs: fio write 128k QD4 verify" --rw=write --bs=128k \
	--iodepth=4 --size=64M
used=$(du -k "$img" | cut -f1)
check "tmpfs: discard" blkdiscard -o 0 -l 128M "$disk"
check "tmpfs: discard punched holes in the image" \
	test "$(du -k "$img" | cut -f1)" -lt "$used"
check "tmpfs: write zeroes reads back zeroes" sh -c "
	blkdiscard -z -o 200M -l 3M '$disk' &&
	cmp -n 3145728 -i 209715200 '$disk' /dev/zero"
check "tmpfs: no request errors" test "$(errors "$name")" = 0

# Resize: grow the image, the guest follows.
truncate -s 320M "$img"
hvisorctl resize "$name"
check "resize: the guest sees 320 MiB" wait_for 10 \
	test "$(cat /sys/block/${disk#/dev/}/size)" = 655360
del_disk "$addr" "$name"

rm -f "$img"

# 2. Image on ext4 (on a loop device): direct I/O.
truncate -s 300M "$work/ext4.fs"
loop=$(losetup -f --show "$work/ext4.fs")
mkfs.ext4 -q -F "$loop"
mkdir -p "$work/ext4"
mount "$loop" "$work/ext4"
img=$work/ext4/disk.img
truncate -s 200M "$img"
add_disk smoke-ext4 img="$img" queues=2
check "ext4: two queues" test "$(ls /sys/block/${disk#/dev/}/mq | wc -l)" = 2
fs_roundtrip ext4 "$img"
fio_verify "ext4: fio randwrite 4k QD32 verify, 2 jobs" --rw=randwrite \
	--bs=4k --iodepth=32 --size=16M --numjobs=2 --offset_increment=32M
fio_verify "ext4: fio randrw 64k QD8 verify" --rw=randrw --bs=64k \
	--iodepth=8 --size=48M
fio_verify "ext4: fio unaligned 512 QD4 verify" --rw=randwrite --bs=512 \
	--iodepth=4 --size=2M
check "ext4: no request errors" test "$(errors "$name")" = 0
del_disk "$addr" "$name"
umount "$work/ext4"
losetup -d "$loop"
rm -f "$work/ext4.fs"

# 3. A block device (a loop device): direct I/O on it.
truncate -s 256M "$work/bdev"
loop=$(losetup -f --show "$work/bdev")
add_disk smoke-bdev img="$loop"
check "bdev: guest sees 256 MiB" \
	test "$(cat /sys/block/${disk#/dev/}/size)" = 524288
fs_roundtrip bdev "$loop"
fio_verify "bdev: fio randwrite 4k QD32 verify" --rw=randwrite --bs=4k \
	--iodepth=32 --size=32M
if [ "$(cat /sys/block/${disk#/dev/}/queue/discard_max_bytes)" = 0 ]; then
	e2e_fail "bdev: the loop device can discard, the disk cannot"
fi
check "bdev: write zeroes" sh -c "
	blkdiscard -z -o 8M -l 1M '$disk' &&
	cmp -n 1048576 -i 8388608 '$disk' /dev/zero"
check "bdev: discard" blkdiscard -o 1M -l 4M "$disk"
# Zone memory without struct pages (hvisor's no-map RAM): bounce pages.
zc=/sys/module/hvisor_vhost/parameters/blk_zero_copy
echo N > $zc
sync; echo 3 > /proc/sys/vm/drop_caches
fio_verify "bounce: fio randwrite 4k QD32 verify" --rw=randwrite --bs=4k \
	--iodepth=32 --size=16M
fio_verify "bounce: fio write 256k QD4 verify" --rw=write --bs=256k \
	--iodepth=4 --size=32M --offset=64M
check "bounce: direct I/O, not the page cache" \
	test "$(fincore -n -b -o RES "$loop" | tr -d " ")" = 0
echo Y > $zc
check "bdev: no request errors" test "$(errors "$name")" = 0
del_disk "$addr" "$name"
losetup -d "$loop"
rm -f "$work/bdev"

# 4. Read-only: writes fail in the guest, the image is unchanged.
img=$work/ro.img
head -c 8M /dev/urandom > "$img"
before=$(sum "$img")
add_disk smoke-ro img="$img" ro=1
check "ro: the guest disk is read-only" \
	test "$(cat /sys/block/${disk#/dev/}/ro)" = 1
check "ro: reads match" cmp "$img" "$disk"
check "ro: a write fails" sh -c "! dd if=/dev/zero of='$disk' bs=4k count=1 \
	oflag=direct 2>/dev/null"
check "ro: the image is unchanged" test "$(sum "$img")" = "$before"
del_disk "$addr" "$name"

hvisorctl zone del $GUEST_ZONE
hvisor-sim zone del $GUEST_ZONE
e2e_done
