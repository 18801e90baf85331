#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
#
# virtio-console end to end: upstream virtio_console in the (simulated) zone
# talks through hvisor_vhost to /dev/ttyHV<n> in the root.
. "$(dirname "$0")/lib.sh"

modprobe virtio_console
guest_zone_up
addr=$(dev_addr 0)
out=$(hvisorctl add console zone=$GUEST_ZONE addr="$addr" len=0x200 \
	irq=$GUEST_IRQ_BASE)
read -r name tty <<<"$out"
check "hvisorctl prints the device and its tty" \
	test "$name" = console0 -a "$tty" = /dev/ttyHV0
check "the kernel log names the tty" \
	sh -c "dmesg | grep -q 'hvisor_vhost: zone $GUEST_ZONE: console0 at $addr: tty /dev/ttyHV0\$'"
hvisor-sim guest add zone=$GUEST_ZONE addr="$addr" irq=$GUEST_IRQ_BASE
check "the guest's virtio_console created /dev/hvc0" wait_for 10 test -c /dev/hvc0
check "sysfs shows DRIVER_OK" wait_for 5 \
	sh -c "[ \$(( \$(cat /sys/class/hvisor/$name/status) & 4 )) -ne 0 ]"
check "sysfs backend is the tty" \
	test "$(cat /sys/class/hvisor/$name/backend)" = ttyHV0

# udev: the tty's device is the hvisor entry (what ATTRS{zone} and $id in
# Documentation/hvisorctl.rst's rule read), and the entry's uevent names
# the zone, the device and its type.
check "the tty's device link is the hvisor entry" \
	test "$(readlink -f /sys/class/tty/ttyHV0/device)" = \
	     "$(readlink -f /sys/class/hvisor/$name)" -a \
	     "$(basename "$(readlink /sys/class/tty/ttyHV0/device)")" = "$name"
check "the udev rule's attributes, through the tty's parent" \
	test "$(cat /sys/class/tty/ttyHV0/device/zone)" = "$GUEST_ZONE" -a \
	     "$(cat /sys/class/tty/ttyHV0/device/type)" = console
for kv in "HVISOR_ZONE=$GUEST_ZONE" "HVISOR_DEVICE=$name" HVISOR_TYPE=console; do
	check "the entry's uevent has $kv" \
		grep -qx "$kv" "/sys/class/hvisor/$name/uevent"
done
check "udevadm sees the tty under the hvisor entry" \
	sh -c "udevadm info -a /dev/ttyHV0 | grep -q 'ATTRS{zone}==\"$GUEST_ZONE\"'"
# The rules exactly as hvisorctl.rst documents them, through udev's own
# rule engine (udevadm test: no daemon needed; /run is the VM's own).
mkdir -p /run/udev/rules.d
grep -o 'SUBSYSTEM=="tty", KERNEL=="ttyHV\*".*' \
	"$(dirname "$0")/../../Documentation/hvisorctl.rst" \
	>/run/udev/rules.d/60-hvisor.rules
check "hvisorctl.rst documents two udev rules" \
	test "$(wc -l </run/udev/rules.d/60-hvisor.rules)" = 2
work_udev=$(mktemp)
udevadm test --action=add /sys/class/tty/ttyHV0 >"$work_udev" 2>&1 || true
for link in "zone$GUEST_ZONE-console" "zone$GUEST_ZONE-$name"; do
	check "the documented rules link /dev/hvisor/$link" \
		grep -q "^DEVLINKS=.*/dev/hvisor/$link\( \|\$\)" "$work_udev"
done
rm -f /run/udev/rules.d/60-hvisor.rules "$work_udev"

# Hold both ttys open: termios would revert to cooked mode (echo!) on
# the last close.
exec 5<>"$tty" 6<>/dev/hvc0
stty raw -echo <&5
stty raw -echo <&6
work=$(mktemp -d)
stats=/sys/class/hvisor/$name/stats
head -c 1048576 /dev/urandom > "$work/out"
head -c 1048576 /dev/urandom > "$work/in"

# Guest -> root, 1 MiB, the root's side on the root's CPUs (see
# root_side_begin in lib.sh).
root_side_begin
root timeout 300 head -c 1048576 <&5 > "$work/got_out" &
reader=$!
start=$(date +%s%N)
taskset -c 0 timeout 300 cat "$work/out" >&6
wait $reader || true
end=$(date +%s%N)
root_side_end
check "1 MiB guest -> root arrives intact" \
	test "$(sum "$work/out")" = "$(sum "$work/got_out")"
e2e_log "guest -> root: $(( 1048576 * 1000 / ((end - start) / 1000000 + 1) / 1024 )) KiB/s," \
	"$(stat -c %s "$work/got_out") bytes read," \
	"$(cat $stats/dropped) dropped"

# Root -> guest, 1 MiB.
timeout 120 head -c 1048576 <&6 > "$work/got_in" &
reader=$!
start=$(date +%s%N)
timeout 120 cat "$work/in" >&5
wait $reader || true
end=$(date +%s%N)
check "1 MiB root -> guest arrives intact" \
	test "$(sum "$work/in")" = "$(sum "$work/got_in")"
e2e_log "root -> guest: $(( 1048576 * 1000 / ((end - start) / 1000000 + 1) / 1024 )) KiB/s"

# The guest does not read for a while: nothing may be lost.
timeout 60 cat "$work/in" >&5 &
writer=$!
sleep 3
timeout 60 head -c 1048576 <&6 > "$work/late_in"
wait $writer || true
check "root -> guest with a late reader loses nothing" \
	test "$(sum "$work/in")" = "$(sum "$work/late_in")"

# A root opener that stops reading holds the guest back for a second at
# most (virtio_console spins with interrupts off meanwhile): what the tty
# cannot take then goes to the history only, counted as dropped.
check "nothing dropped while the reader kept up" test "$(cat $stats/dropped)" = 0
check "a root reader that stops does not hold the guest's output" \
	timeout 120 sh -c 'head -c 196608 /dev/zero >&6'
check "what it did not take is counted as dropped" \
	test "$(cat $stats/dropped)" -gt 0
# The reader comes back: it gets what was buffered, then new output.
stty min 0 time 20 <&5
timeout 30 cat <&5 > "$work/buffered"
stty min 1 time 0 <&5
check "the stopped reader gets what the tty buffered" \
	test "$(( $(stat -c %s "$work/buffered") + $(cat $stats/dropped) ))" = 196608
dropped=$(cat $stats/dropped)
printf 'flowing\n' >&6
check "output reaches the reader again" \
	sh -c 'timeout 10 head -c 8 <&5 | grep -q flowing'
check "and is not dropped" test "$(cat $stats/dropped)" = "$dropped"

# Window size follows TIOCSWINSZ.
stty rows 50 cols 132 <&5
check "the guest sees the new window size" \
	wait_for 5 sh -c 'stty size <&6 | grep -qx "50 132"'

# Guest reset (driver unbind/bind) with the root side kept open.
exec 6>&-
vdev=$(ls /sys/bus/virtio/drivers/virtio_console | grep -m1 "^virtio")
echo "$vdev" > /sys/bus/virtio/drivers/virtio_console/unbind
# virtio_dev_remove() resets the device, then sets ACKNOWLEDGE again.
check "reset: features cleared, status ACKNOWLEDGE after unbind" \
	wait_for 5 sh -c "[ \$(cat /sys/class/hvisor/$name/status) = 0x01 ] &&
			  [ \$(cat /sys/class/hvisor/$name/driver_features) = 0x0000000000000000 ]"
echo "$vdev" > /sys/bus/virtio/drivers/virtio_console/bind
check "rebind recreates /dev/hvc0" wait_for 10 test -c /dev/hvc0
exec 6<>/dev/hvc0
stty raw -echo <&6
printf 'after-reset\n' >&6
check "the open root tty still receives after the guest reset" \
	sh -c 'timeout 10 head -c 12 <&5 | grep -q after-reset'
exec 5>&-

# Remove the device while the guest holds /dev/hvc0 open: the guest's
# output is still consumed (virtio_console spins until the device takes
# it), and the window is free once the guest's driver lets go.
hvisorctl del "$name"
check "the device is gone from sysfs" test ! -e "/sys/class/hvisor/$name"
check "its tty is gone" test ! -e "$tty"
check "the guest's output to the removed device completes" \
	timeout 20 sh -c 'printf "into the void\n" >&6'
check "the window stays taken while the guest's driver uses it" \
	sh -c "! hvisorctl add console zone=$GUEST_ZONE addr=$addr len=0x200 irq=$GUEST_IRQ_BASE 2>/dev/null"
check "hvisorctl list shows the device as detached" \
	sh -c "hvisorctl list | grep -Eq '^$name +console +$GUEST_ZONE +$addr +0x200 +$GUEST_IRQ_BASE +detached +-\$'"
check "hvisorctl zone list counts it as detached" \
	sh -c "hvisorctl zone list | grep -Eq '^$GUEST_ZONE +[0-9]+ +[0-9]+ +1\$'"
exec 6>&-
hvisor-sim guest del zone=$GUEST_ZONE addr="$addr"
out=$(hvisorctl add console zone=$GUEST_ZONE addr="$addr" len=0x200 \
	irq=$GUEST_IRQ_BASE)
read -r name tty <<<"$out"
hvisor-sim guest add zone=$GUEST_ZONE addr="$addr" irq=$GUEST_IRQ_BASE
check "after re-adding, the guest binds again" wait_for 10 test -c /dev/hvc0
check "hvisorctl list no longer shows a detached device" \
	sh -c "! hvisorctl list | grep -q detached"
exec 6<>/dev/hvc0
stty raw -echo <&6
timeout 10 head -c 6 "$tty" > "$work/readd" &
reader=$!
sleep 0.5
printf 'again\n' >&6
wait $reader || true
check "data flows after re-adding" grep -q again "$work/readd"

# History: a first opener sees earlier output.
printf 'history-marker\n' >&6
sleep 0.5
check "the first opener gets the latest output replayed" \
	sh -c "timeout 5 cat $tty | grep -q -m1 history-marker"

# hvisorctl console: the replay and live output to standard output,
# standard input to the guest up to Ctrl-], which detaches.
timeout 20 head -c 9 <&6 > "$work/attach_in" &
reader=$!
(sleep 1; printf 'live-attach\n' >&6) &
(sleep 2; printf 'to-guest\n'; sleep 1; printf '\035after-detach\n') |
	timeout 20 hvisorctl console "$name" > "$work/attach_out"
check "hvisorctl console detaches on Ctrl-] with status 0" test $? = 0
wait $reader || true
check "hvisorctl console shows the replay" grep -q history-marker "$work/attach_out"
check "hvisorctl console shows live output" grep -q live-attach "$work/attach_out"
check "hvisorctl console sends input to the guest" \
	test "$(cat "$work/attach_in")" = to-guest

check "counters moved" test "$(cat /sys/class/hvisor/$name/stats/requests)" -gt 0
exec 6>&-
hvisor-sim guest del zone=$GUEST_ZONE addr="$addr"
hvisorctl del "$name"
hvisorctl zone del $GUEST_ZONE
hvisor-sim zone del $GUEST_ZONE
e2e_done
