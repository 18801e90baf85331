#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
# hv-lanes: x86_64/debian x86_64/debian-6.12
#
# virtio-console flooded in both directions at once, with the upstream
# virtio_console driver in the (simulated) zone.
#
# Raw on both sides: both streams arrive intact, nothing is dropped.
# Echo on in the zone (a login console's default): every byte the root
# sends comes back as a one-byte write of virtio_console, each a trap and
# a round trip through the device, spinning with interrupts off. The
# zone's tty takes input far faster than it can echo it, and its reader
# waits in flush_work() until the backlog is echoed (issue 11: a flood
# that never ends hangs the reader; that is the zone's tty layer, not the
# device). A bounded flood must end with every line read and the device
# clean; removal afterwards must be clean.
#
# HV_KNOWN_BUG=1 also unplugs the zone's device during an echoed flood:
# virtio_console's remove_vqs() then frees a put_chars() buffer as if it
# were a port_buffer and the zone's kernel crashes (a guest driver bug,
# see Documentation/design.rst). Off by default.
. "$(dirname "$0")/lib.sh"

modprobe virtio_console
guest_zone_up
addr=$(dev_addr 0)
read -r name tty < <(hvisorctl add console zone=$GUEST_ZONE addr="$addr" \
	len=0x200 irq=$GUEST_IRQ_BASE)
stats=/sys/class/hvisor/$name/stats
hvisor-sim guest add zone=$GUEST_ZONE addr="$addr" irq=$GUEST_IRQ_BASE
check "the guest's virtio_console created /dev/hvc0" wait_for 10 test -c /dev/hvc0

# The root's side runs on the root's CPUs (see root_side_begin in lib.sh).
root_side_begin

work=$(mktemp -d)
exec 5<>"$tty" 6<>/dev/hvc0
stty raw -echo <&5

# ---- raw both ways -------------------------------------------------
stty raw -echo <&6
len=524288
head -c $len /dev/urandom > "$work/down"
head -c $len /dev/urandom > "$work/up"
start=$(date +%s)
root timeout 300 head -c $len <&5 > "$work/up_got" &
root_reader=$!
timeout 300 head -c $len <&6 > "$work/down_got" &
guest_reader=$!
root timeout 300 cat "$work/down" >&5 &
root_writer=$!
taskset -c 0 timeout 300 cat "$work/up" >&6 &
guest_writer=$!
wait $root_writer $guest_writer $root_reader $guest_reader || true
e2e_log "raw two-way: 2 x $((len / 1024)) KiB in $(( $(date +%s) - start )) s"
check "raw: root -> guest arrives intact" \
	test "$(sum "$work/down")" = "$(sum "$work/down_got")"
check "raw: guest -> root arrives intact" \
	test "$(sum "$work/up")" = "$(sum "$work/up_got")"
check "raw: nothing dropped" test "$(cat $stats/dropped)" = 0

# ---- echo on in the zone, a bounded flood ---------------------------
# The zone's tty work now echoes, spinning with interrupts off: it must
# stay on the zone's CPUs (a root CPU spinning there strands the very
# worker it waits for). The root's tty work goes back there too, so a
# starved root reader may make the device drop output (see
# e2e/console.sh): only the zone's side is checked here.
root_side_end
stty sane <&6
stty -onlcr <&6		# the echo comes back byte for byte
lines=200
for i in $(seq $lines); do printf 'line %05d of the flood, echoed back\n' "$i"; done \
	> "$work/lines"
size=$(stat -c %s "$work/lines")
root timeout 300 cat <&5 > "$work/echo_got" &
root_reader=$!
timeout 300 head -n $lines <&6 > "$work/lines_got" &
guest_reader=$!
taskset -c 0 timeout 300 sh -c "head -c 65536 /dev/zero | tr '\\0' x" >&6 &
guest_writer=$!
start=$(date +%s)
root cat "$work/lines" >&5
wait $guest_reader || true
took=$(( $(date +%s) - start ))
wait $guest_writer || true
e2e_log "echo on: $lines lines ($size bytes) read by the zone in $took s"
check "echo: the zone's reader gets every line" \
	test "$(sum "$work/lines")" = "$(sum "$work/lines_got")"
check "echo: the echo reaches the root" test -s "$work/echo_got"
kill $root_reader 2>/dev/null || true
wait $root_reader 2>/dev/null || true
check "echo: no device error" test "$(cat $stats/errors)" = 0
e2e_log "echo: $(stat -c %s "$work/echo_got") bytes of echo and output read by the root, $(cat $stats/dropped) dropped"

if [ "${HV_KNOWN_BUG:-0}" = 1 ]; then
	e2e_log "HV_KNOWN_BUG=1: unplugging during an echoed flood (the zone's kernel may crash)"
	root timeout 60 cat "$work/lines" "$work/lines" "$work/lines" >&5 &
	sleep 2
fi

# Unplug in the zone, then remove the device: both clean.
exec 6>&-
hvisor-sim guest del zone=$GUEST_ZONE addr="$addr"
exec 5>&-
hvisorctl del "$name"
check "the device is gone" test ! -e "/sys/class/hvisor/$name"
hvisorctl zone del $GUEST_ZONE
hvisor-sim zone del $GUEST_ZONE
e2e_done
