#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 1800
#
# virtio-blk end to end, failures: a backing device that fails I/O (a
# device-mapper table swapped to "error" targets, then dm-flakey), the
# guest's driver reset (unbind/bind) with I/O in flight on a slow backing
# (dm-delay, when the kernel has it), and the device removed (hvisorctl
# del) under a mounted, busy file system. The guest must see I/O errors,
# never a hang; the device must recover when the backing does; and the
# kernel log must stay clean (the runner checks it).
. "$(dirname "$0")/lib.sh"

modprobe virtio_blk
modprobe ext4
modprobe loop
modprobe dm_mod
modprobe dm_flakey
# dm-delay makes sure that requests are in flight at the reset; the debug
# kernel has none: then the reset happens during fio on the plain backing.
delay=0
modprobe dm_delay 2>/dev/null && delay=1
guest_zone_up
work=$(mktemp -d)
SECT=131072	# 64 MiB

truncate -s 64M "$work/base.img"
lo=$(losetup -f --show "$work/base.img")

# dm_create NAME TABLE / dm_swap NAME TABLE (no udev here: mknodes).
dm_create() {
	dmsetup create "$1" --table "$2" && dmsetup mknodes "$1"
}
dm_swap() {
	dmsetup suspend --noflush "$1" && dmsetup load "$1" --table "$2" &&
		dmsetup resume "$1"
}
linear="0 $SECT linear $lo 0"

# dev_status NAME: the virtio status register.
dev_status() { echo $(( $(cat "/sys/class/hvisor/$1/status") )); }
no_needs_reset() { [ $(( $(dev_status "$1") & 0x40 )) -eq 0 ]; }
# rd DISK MIB_OFF MIB_COUNT: direct read to stdout (no hang: timeout).
rd() {
	timeout 60 dd if="/dev/$1" bs=1M skip="$2" count="$3" iflag=direct \
		status=none
}
# wr DISK MIB_OFF FILE: direct write of FILE.
wr() {
	timeout 60 dd if="$3" of="/dev/$1" bs=1M seek="$2" oflag=direct \
		conv=notrunc status=none
}

check "dm device" dm_create hvbad "$linear"
name=$(blk_add 0 /dev/mapper/hvbad)
disk=$(guest_disk_add 0)
e2e_log "$name is /dev/$disk on /dev/mapper/hvbad"
head -c 8M /dev/urandom > "$work/data"
check "write 8 MiB" wr "$disk" 0 "$work/data"
check "read it back" cmp <(rd "$disk" 0 8) "$work/data"

# ---- a range of the backing fails ------------------------------------
check "swap in an error range (MiB 2..4)" dm_swap hvbad \
	"0 4096 linear $lo 0
4096 4096 error
8192 $((SECT - 8192)) linear $lo 8192"
dmesg -c > /dev/null
check "reads before the bad range work" \
	cmp <(rd "$disk" 0 2) <(head -c 2M "$work/data")
check "a read in the bad range fails" \
	sh -c "! timeout 60 dd if=/dev/$disk bs=1M skip=2 count=1 iflag=direct status=none of=/dev/null 2>/dev/null"
check "a write in the bad range fails" \
	sh -c "! timeout 60 dd if=/dev/zero of=/dev/$disk bs=4k seek=700 count=1 oflag=direct status=none 2>/dev/null"
check "reads after the bad range work" \
	cmp <(rd "$disk" 4 4) <(tail -c 4M "$work/data")
check "the guest logged I/O errors for /dev/$disk" \
	sh -c "dmesg | grep -q 'I/O error, dev $disk'"
check "no NEEDS_RESET after backing errors" no_needs_reset "$name"

# ---- all of it fails --------------------------------------------------
check "swap in an all-error table" dm_swap hvbad "0 $SECT error"
check "every read fails" \
	sh -c "! timeout 60 dd if=/dev/$disk of=/dev/null bs=64k count=4 iflag=direct status=none 2>/dev/null"
check "every write fails" \
	sh -c "! timeout 60 dd if=/dev/zero of=/dev/$disk bs=64k count=4 oflag=direct status=none 2>/dev/null"
check "QD32 I/O against failing storage ends (no hang)" \
	timeout 120 fio --name=e --filename="/dev/$disk" --direct=1 \
	--ioengine=libaio --rw=randrw --bs=4k --iodepth=32 --size=16M \
	--number_ios="$(scaled 2000)" --continue_on_error=all --output=/dev/null
check "a flush to failing storage ends" \
	timeout 60 sh -c "dd if=/dev/zero of=/dev/$disk bs=4k count=1 conv=fsync status=none 2>/dev/null; true"
check "no NEEDS_RESET" no_needs_reset "$name"

# ---- recovery ---------------------------------------------------------
check "the backing recovers" dm_swap hvbad "$linear"
check "after recovery: the data reads back" cmp <(rd "$disk" 0 8) "$work/data"
check "after recovery: fio randwrite + verify" \
	fio --name=v --filename="/dev/$disk" --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --iodepth=32 --size="$(scaled 8)M" --offset=16M \
	--verify=crc32c --verify_fatal=1 --verify_state_save=0 --output=/dev/null

# ---- intermittent failures (dm-flakey: 1 s up, 1 s down) -------------
check "swap in dm-flakey" dm_swap hvbad "0 $SECT flakey $lo 0 1 1"
check "QD32 fio through flaky storage ends" \
	timeout 120 fio --name=f --filename="/dev/$disk" --direct=1 \
	--ioengine=libaio --rw=randrw --bs=16k --iodepth=32 --size=16M \
	--offset=32M --time_based --runtime=5 --continue_on_error=all \
	--output=/dev/null
check "the backing recovers again" dm_swap hvbad "$linear"
check "after flakiness: the data reads back" cmp <(rd "$disk" 0 8) "$work/data"
check "after flakiness: fio randwrite + verify" \
	fio --name=v --filename="/dev/$disk" --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=64k --iodepth=16 --size="$(scaled 8)M" --offset=16M \
	--verify=crc32c --verify_fatal=1 --verify_state_save=0 --output=/dev/null
check "no NEEDS_RESET" no_needs_reset "$name"

# ---- guest reset (unbind/bind) with I/O in flight ---------------------
if [ $delay = 1 ]; then
	check "swap in dm-delay (200 ms)" dm_swap hvbad "0 $SECT delay $lo 0 200"
else
	e2e_log "no dm_delay module: the reset runs on the plain backing"
fi
vdev=$(basename "$(readlink -f "/sys/block/$disk/device")")
fio --name=r --filename="/dev/$disk" --direct=1 --ioengine=libaio \
	--rw=randrw --bs=4k --iodepth=32 --size=16M --offset=16M \
	--time_based --runtime=60 --continue_on_error=all \
	--allow_file_create=0 --output=/dev/null 2>/dev/null &
fiopid=$!
sleep 3
req0=$(cat "/sys/class/hvisor/$name/stats/requests")
check "requests are in flight" test "$req0" -gt 0
echo "$vdev" > /sys/bus/virtio/drivers/virtio_blk/unbind &
unbind=$!
check "the unbind completes" wait_for 60 sh -c "! kill -0 $unbind 2>/dev/null"
wait $unbind
check "fio ends (its disk is gone)" wait_for 60 sh -c "! kill -0 $fiopid 2>/dev/null"
wait $fiopid || true
check "reset: status ACKNOWLEDGE after unbind" \
	wait_for 5 sh -c "[ \$(cat /sys/class/hvisor/$name/status) = 0x01 ]"
check "the backing recovers" dm_swap hvbad "$linear"
echo "$vdev" > /sys/bus/virtio/drivers/virtio_blk/bind
check "rebind: the disk is back" wait_for 20 test -e "/sys/block/$disk"
udev_settle_disk "$disk"
check "after the reset: the data reads back" cmp <(rd "$disk" 0 8) "$work/data"
check "after the reset: fio randwrite + verify" \
	fio --name=v --filename="/dev/$disk" --direct=1 --ioengine=libaio \
	--rw=randwrite --bs=4k --iodepth=32 --size="$(scaled 8)M" --offset=16M \
	--verify=crc32c --verify_fatal=1 --verify_state_save=0 --output=/dev/null

# Reset again, this time with the guest idle, several times in a row.
for i in 1 2 3; do
	echo "$vdev" > /sys/bus/virtio/drivers/virtio_blk/unbind
	echo "$vdev" > /sys/bus/virtio/drivers/virtio_blk/bind
done
check "three more resets: the disk is back" wait_for 20 test -e "/sys/block/$disk"
udev_settle_disk "$disk"
check "three more resets: the data reads back" cmp <(rd "$disk" 0 8) "$work/data"
guest_disk_del 0
check "hvisorctl del" hvisorctl del "$name"

# ---- removal while mounted --------------------------------------------
# The device goes while the guest's file system is mounted and busy. The
# removed device keeps failing the driver's requests until the driver
# resets it, so nothing in the guest waits forever: not the writes after
# the removal, not the journal, and not the guest's own removal of the
# disk (since 6.6, del_gendisk syncs the mounted file system first).
name=$(blk_add 1 /dev/mapper/hvbad)
disk=$(guest_disk_add 1)
check "mkfs.ext4" mkfs.ext4 -q -F -E nodiscard "/dev/$disk"
mkdir -p "$work/mnt"
check "mount" mount "/dev/$disk" "$work/mnt"
mkdir -p "$work/mnt/dir"
for i in $(seq 1 20); do
	head -c $((i * 10000)) /dev/urandom > "$work/mnt/dir/f$i"
done
tree_sums "$work/mnt" > "$work/sums"
sync -f "$work/mnt"
# A writer is busy when the device goes.
(while :; do head -c 64k /dev/urandom > "$work/mnt/busy" &&
	sync -f "$work/mnt" || break; done) 2>/dev/null &
busy=$!
sleep 1
check "hvisorctl del under a mounted, busy file system" hvisorctl del "$name"
check "the device is gone from sysfs" test ! -e "/sys/class/hvisor/$name"
check "the backing is released at once" \
	test "$(dmsetup info -c --noheadings -o open hvbad | tr -d ' ')" = 0
check "the busy writer sees an error and stops" \
	wait_for 60 sh -c "! kill -0 $busy 2>/dev/null"
wait $busy || true
check "the guest sees errors: a new file cannot be synced" \
	sh -c "! (head -c 1M /dev/urandom > $work/mnt/new && sync -f $work/mnt/new) 2>/dev/null"
check "the guest sees errors: uncached data cannot be read" \
	sh -c "echo 3 > /proc/sys/vm/drop_caches; ! cat $work/mnt/dir/f20 > /dev/null 2>&1"
fails() { ! "$@"; }
check "the window stays taken while the driver uses it" \
	fails blk_add 1 /dev/mapper/hvbad 2>/dev/null
check "umount of the dead file system" timeout 60 umount "$work/mnt"
check "the guest's driver lets go of the removed device" \
	timeout 60 hvisor-sim guest del zone="$GUEST_ZONE" addr="$(dev_addr 1)"
# The data synced before the removal is on the backing store.
check "e2fsck repairs the backing store" \
	sh -c "e2fsck -f -y /dev/mapper/hvbad > /dev/null; [ \$? -le 1 ]"
check "then it is clean" e2fsck -f -n /dev/mapper/hvbad
mkdir -p "$work/native"
check "native mount" mount -o ro /dev/mapper/hvbad "$work/native"
check "the synced files are intact" \
	cmp -s "$work/sums" <(tree_sums "$work/native" | grep -v ' \./busy$')
umount "$work/native"

# ---- the same device again, after all that -----------------------------
name=$(blk_add 1 /dev/mapper/hvbad)
disk=$(guest_disk_add 1)
check "re-added: e2fsck through virtio is clean" e2fsck -f -n "/dev/$disk"
guest_disk_del 1
hvisorctl del "$name"

dmsetup remove hvbad
losetup -d "$lo"
hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
e2e_done
