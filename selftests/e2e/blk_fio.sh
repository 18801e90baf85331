#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 1800
#
# virtio-blk end to end, data path and features, through the upstream
# virtio_blk of the (simulated) zone:
#   fio randwrite + verify at QD1 and QD32, 4k and 128k, with 1, 2 and 4
#   queues (the guest must see that many hardware queues), and the image
#   read natively equal to what the guest reads;
#   DISCARD punches holes in a sparse image; WRITE_ZEROES reads back zeros;
#   ro=1; GET_ID (serial=); resize; FLUSH reaching the backing device.
. "$(dirname "$0")/lib.sh"

modprobe virtio_blk
modprobe ext4
modprobe loop
guest_zone_up
work=$(mktemp -d)

# blocks FILE: 512-byte blocks allocated to FILE.
blocks() { stat -c %b "$1"; }

# worker_cpus DEV: the CPUs DEV's queue workers last ran on, as a sorted
# cpulist-like "2,3"; allowed_cpus DEV: each worker's allowed CPUs, once
# per distinct list.
worker_cpus() {
	local pid
	for pid in $(pgrep "^hv-$1-q"); do
		awk '{ print $39 }' "/proc/$pid/stat"
	done | sort -nu | paste -sd,
}
allowed_cpus() {
	local pid
	for pid in $(pgrep "^hv-$1-q"); do
		awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$pid/status"
	done | sort -u
}

# fio_verify LABEL DISK ARGS...: a randwrite + verify job; fio exits non-zero
# on a verify mismatch or an I/O error.
fio_verify() {
	local label=$1 disk=$2
	shift 2
	check "fio $label" fio --name=v --filename="/dev/$disk" --direct=1 \
		--ioengine=libaio --rw=randwrite --verify=crc32c --verify_fatal=1 \
		--do_verify=1 --verify_state_save=0 --output="$work/fio.log" "$@"
	grep -E "err=|IOPS" "$work/fio.log" | sed 's/^/# /' || true
}

# ---- data path, 1, 2 and 4 queues -----------------------------------
# The debug kernel: 1 and 4 (2 takes 4's paths, at the sanitizers' cost).
queues="1 2 4"
[ "${HV_KERNEL:-}" != debug ] || queues="1 4"
n=0
for q in $queues; do
	img=$work/q$q.img
	truncate -s 128M "$img"
	name=$(blk_add $n "$img" queues=$q)
	if ! disk=$(guest_disk_add $n); then
		e2e_fail "queues=$q: the guest got no disk"
		continue
	fi
	e2e_log "queues=$q: $name is /dev/$disk"
	check "queues=$q: the guest has $q hardware queue(s)" \
		test "$(find "/sys/block/$disk/mq" -mindepth 1 -maxdepth 1 | wc -l)" = $q
	# The root CPUs are isolated (isolcpus=, as vm-run models hvisor):
	# the scheduler moves no thread between them, so the module spreads
	# its threads itself; each may still run on any of them.
	if [ $q = 4 ]; then
		cpus=$(cat /sys/module/hvisor_vhost/parameters/cpus)
		e2e_log "queues=4: workers on CPUs $(worker_cpus "$name") of $cpus"
		check "queues=4: the workers are spread over cpus=$cpus" \
			test "$(worker_cpus "$name")" = "$(seq -s, "${cpus%-*}" "${cpus#*-}")"
		check "queues=4: each worker may run on all of cpus=$cpus" \
			test "$(allowed_cpus "$name")" = "$cpus"
	fi
	check "queues=$q: write cache (FLUSH negotiated)" \
		test "$(cat "/sys/block/$disk/queue/write_cache")" = "write back"
	if [ $q = 1 ]; then
		fio_verify "4k QD1" "$disk" --bs=4k --iodepth=1 \
			--size="$(scaled 8)M"
		fio_verify "4k QD32" "$disk" --bs=4k --iodepth=32 \
			--size="$(scaled 16)M" --offset=16M
		fio_verify "128k QD1" "$disk" --bs=128k --iodepth=1 \
			--size="$(scaled 16)M" --offset=32M
		fio_verify "128k QD32" "$disk" --bs=128k --iodepth=32 \
			--size="$(scaled 32)M" --offset=64M
		# Mixed sizes, unaligned to the 4k pages of the image.
		fio_verify "512..64k QD16" "$disk" --bsrange=512-64k \
			--blockalign=512 --iodepth=16 --size="$(scaled 8)M" \
			--offset=100M
	else
		# One job per CPU the guest's tasks run on: requests on every
		# hardware queue at once, each job verifying its own region.
		fio_verify "queues=$q: 4k QD32 x$q jobs" "$disk" --bs=4k \
			--iodepth=32 --size="$(scaled 8)M" --numjobs=$q \
			--offset_increment=16M
		fio_verify "queues=$q: 128k QD16 x$q jobs" "$disk" --bs=128k \
			--iodepth=16 --size="$(scaled 8)M" --numjobs=$q \
			--offset=64M --offset_increment=16M
	fi
	# What the guest reads is what the image holds.
	check "queues=$q: the image read natively equals the guest's disk" \
		cmp <(dd if="/dev/$disk" bs=1M iflag=direct status=none) "$img"
	guest_disk_del $n
	hvisorctl del "$name"
	n=$((n + 1))
done

# ---- DISCARD and WRITE_ZEROES on a sparse image ----------------------
img=$work/sparse.img
truncate -s 128M "$img"
name=$(blk_add $n "$img")
disk=$(guest_disk_add $n)
check "discard: the guest's queue supports discard" \
	test "$(cat "/sys/block/$disk/queue/discard_max_bytes")" -gt 0
check "write zeroes: the guest's queue supports write zeroes" \
	test "$(cat "/sys/block/$disk/queue/write_zeroes_max_bytes")" -gt 0
dd if=/dev/urandom of="/dev/$disk" bs=1M count=48 oflag=direct status=none
b0=$(blocks "$img")
e2e_log "sparse image: $b0 blocks allocated after writing 48 MiB"
check "the written data is allocated in the image" test "$b0" -ge $((48 * 2048))
check "blkdiscard of 32 MiB" blkdiscard -o 0 -l 32M "/dev/$disk"
b1=$(blocks "$img")
e2e_log "after discarding 32 MiB: $b1 blocks"
check "DISCARD punched holes in the image (>= 30 MiB freed)" \
	test $((b0 - b1)) -ge $((30 * 2048))
check "the rest is intact" \
	cmp <(dd if="/dev/$disk" bs=1M skip=32 count=16 iflag=direct status=none) \
	    <(dd if="$img" bs=1M skip=32 count=16 status=none)
check "blkdiscard -z (WRITE_ZEROES) of 8 MiB" \
	blkdiscard -z -o 36M -l 8M "/dev/$disk"
check "WRITE_ZEROES: the guest reads zeros" \
	cmp -n 8388608 <(dd if="/dev/$disk" bs=1M skip=36 count=8 iflag=direct \
		status=none) /dev/zero
check "WRITE_ZEROES: the image holds zeros" \
	cmp -n 8388608 <(dd if="$img" bs=1M skip=36 count=8 status=none) /dev/zero
check "WRITE_ZEROES: the neighbours are intact" \
	cmp <(dd if="/dev/$disk" bs=1M skip=32 count=4 iflag=direct status=none) \
	    <(dd if="$img" bs=1M skip=32 count=4 status=none)
check "the image did not grow" test "$(stat -c %s "$img")" = $((128 << 20))
guest_disk_del $n
hvisorctl del "$name"
n=$((n + 1))

# ---- ro=1 -----------------------------------------------------------
img=$work/ro.img
head -c 32M /dev/urandom > "$img"
sum0=$(sum "$img")
name=$(blk_add $n "$img" ro=1)
disk=$(guest_disk_add $n)
check "ro=1: the guest's disk is read-only" \
	test "$(cat "/sys/block/$disk/ro")" = 1
check "ro=1: a write fails in the guest" \
	sh -c "! dd if=/dev/zero of=/dev/$disk bs=4k count=1 oflag=direct status=none 2>/dev/null"
check "ro=1: a discard fails in the guest" \
	sh -c "! blkdiscard -o 0 -l 1M /dev/$disk 2>/dev/null"
check "ro=1: reads return the image" \
	cmp <(dd if="/dev/$disk" bs=1M iflag=direct status=none) "$img"
check "ro=1: the image is unchanged" test "$(sum "$img")" = "$sum0"
check "ro=1: hvisorctl info shows the flag" \
	sh -c "hvisorctl info $name | grep '^flags' | grep -qw ro"
check "ro=1: VIRTIO_BLK_F_RO (bit 5) negotiated" \
	test $(( $(cat "/sys/class/hvisor/$name/driver_features") >> 5 & 1 )) = 1
guest_disk_del $n
hvisorctl del "$name"
n=$((n + 1))

# ---- GET_ID ---------------------------------------------------------
img=$work/id.img
truncate -s 16M "$img"
name=$(blk_add $n "$img" serial=hvtest-serial-42)
disk=$(guest_disk_add $n)
check "serial= is the disk's serial" \
	test "$(cat "/sys/block/$disk/serial")" = hvtest-serial-42
guest_disk_del $n
hvisorctl del "$name"
name=$(blk_add $n "$img" serial=ABCDEFGHIJKLMNOPQRST)
disk=$(guest_disk_add $n)
check "a 20-byte serial (no NUL) is whole" \
	test "$(cat "/sys/block/$disk/serial")" = ABCDEFGHIJKLMNOPQRST
guest_disk_del $n
hvisorctl del "$name"
name=$(blk_add $n "$img")
disk=$(guest_disk_add $n)
serial=$(cat "/sys/block/$disk/serial")
e2e_log "derived serial: '$serial'"
check "without serial=, a derived serial" test -n "$serial"
guest_disk_del $n
hvisorctl del "$name"
n=$((n + 1))

# ---- resize ---------------------------------------------------------
img=$work/resize.img
truncate -s 64M "$img"
name=$(blk_add $n "$img")
disk=$(guest_disk_add $n)
check "resize: 64 MiB at first" test "$(cat "/sys/block/$disk/size")" = 131072
truncate -s 96M "$img"
check "resize: not before hvisorctl resize" \
	test "$(cat "/sys/block/$disk/size")" = 131072
check "hvisorctl resize" hvisorctl resize "$name"
check "resize: the guest sees 96 MiB" \
	wait_for 10 sh -c "[ \$(cat /sys/block/$disk/size) = 196608 ]"
head -c 1M /dev/urandom > "$work/tail"
check "resize: a write into the new space" \
	dd if="$work/tail" of="/dev/$disk" bs=1M seek=95 oflag=direct status=none
check "resize: it landed in the image" \
	cmp <(dd if="$img" bs=1M skip=95 status=none) "$work/tail"
check "resize: writing past the new end fails" \
	sh -c "! dd if=$work/tail of=/dev/$disk bs=1M seek=96 oflag=direct status=none 2>/dev/null"
check "resize: the image did not grow" test "$(stat -c %s "$img")" = $((96 << 20))
guest_disk_del $n
hvisorctl del "$name"
n=$((n + 1))

# ---- FLUSH reaches the backing store --------------------------------
# Flush bios queued to the backing loop device are counted with the
# block_bio_queue trace event (rwbs starting with F: REQ_PREFLUSH or
# REQ_OP_FLUSH). Backings: the loop device itself, and an image file on
# ext4 on it (the backend's fsync of the file makes ext4 flush the loop
# device). The guest's writes are O_DIRECT: without its fsync nothing
# asks for a flush.
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs tracefs $T
echo 0 > $T/tracing_on
echo > $T/trace
# No task names: recording them hooks the scheduler's tracepoints, whose
# live-patching at enable and disable has hung TCG guests (blk_smoke.sh).
echo 0 > $T/options/record-cmd
echo 1 > $T/events/block/block_bio_queue/enable
echo 1 > $T/tracing_on
# flushes DEV: flush bios queued to block device DEV since tracing began.
flushes() {
	local mm
	mm=$(tr : , < "/sys/block/$1/dev")
	grep -c "block_bio_queue: $mm F" $T/trace || true
}
truncate -s 160M "$work/flush.img"
loopdev=$(losetup -f --show "$work/flush.img")
loop=${loopdev#/dev/}
check "the loop device has a write-back cache" \
	test "$(cat "/sys/block/$loop/queue/write_cache")" = "write back"
dd if=/dev/zero of="$loopdev" bs=4k count=1 conv=fsync status=none
check "the trace sees a native fsync's flush of the loop device" \
	test "$(flushes "$loop")" -ge 1

name=$(blk_add $n "$loopdev")
disk=$(guest_disk_add $n)
dd if=/dev/urandom of="/dev/$disk" bs=64k count=16 oflag=direct status=none
f0=$(flushes "$loop")
check "guest fdatasync on the disk" \
	dd if=/dev/urandom of="/dev/$disk" bs=64k count=1 seek=32 conv=fdatasync \
	status=none
f1=$(flushes "$loop")
e2e_log "block device backing: loop flushes $f0 -> $f1"
check "FLUSH reached the backing block device" test "$f1" -gt "$f0"
for i in 1 2 3 4 5; do
	dd if=/dev/zero of="/dev/$disk" bs=4k count=1 seek=$i conv=fsync status=none
done
f2=$(flushes "$loop")
e2e_log "after 5 more fsyncs: loop flushes $f1 -> $f2"
check "every guest FLUSH reached it (5 fsyncs, >= 5 flushes)" \
	test $((f2 - f1)) -ge 5
guest_disk_del $n
hvisorctl del "$name"
n=$((n + 1))

mkfs.ext4 -q -F "$loopdev"
mkdir -p "$work/ext4"
mount "$loopdev" "$work/ext4"
truncate -s 64M "$work/ext4/img"
sync -f "$work/ext4"
name=$(blk_add $n "$work/ext4/img")
disk=$(guest_disk_add $n)
dd if=/dev/urandom of="/dev/$disk" bs=64k count=16 oflag=direct status=none
sleep 1
f0=$(flushes "$loop")
check "guest write + fdatasync (file on ext4)" \
	dd if=/dev/urandom of="/dev/$disk" bs=64k count=4 seek=64 conv=fdatasync \
	status=none
f1=$(flushes "$loop")
e2e_log "file on ext4 backing: loop flushes $f0 -> $f1"
check "FLUSH reached the file's block device" test "$f1" -gt "$f0"
guest_disk_del $n
hvisorctl del "$name"
umount "$work/ext4"
losetup -d "$loopdev"
echo 0 > $T/tracing_on
echo 0 > $T/events/block/block_bio_queue/enable
echo 1 > $T/options/record-cmd

hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
e2e_done
