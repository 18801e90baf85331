#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 300
# hv-lanes: x86_64/debian
#
# The bed itself: a guest notify the simulator pushes later (the request
# ring was full) while both of the zone's simulated CPUs are held by
# synchronous accesses whose callers cannot run, because their CPU spins
# with interrupts off in virtio_console's put_chars() waiting for that
# very notify. On hvisor an asynchronous access never waits for a vCPU's
# synchronous one; a simulator whose deferred push took a CPU slot wedged
# the test VM this way (Documentation/hvisor_sim.rst).
. "$(dirname "$0")/lib.sh"

vhost=/sys/module/hvisor_vhost/parameters
sim=/sys/module/hvisor_sim/parameters
sim_stat() { hvisor-sim stats | sed -n "s/^$1[ :=]*//p"; }

modprobe virtio_console
guest_zone_up
root_side_begin
# This script and what it starts run on the root's CPUs, unless told.
taskset -pc "$root_cpus" $$ >/dev/null
addr=$(dev_addr 0)
hvisorctl add console zone="$GUEST_ZONE" addr="$addr" len=0x200 \
	irq="$GUEST_IRQ_BASE" >/dev/null
hvisor-sim guest add zone="$GUEST_ZONE" addr="$addr" irq="$GUEST_IRQ_BASE"
check "the guest's console is up" wait_for 10 test -c /dev/hvc0
read -r first count < <(hvisor-sim zone info "$GUEST_ZONE" |
			 sed -n 's/.*cpus=\([0-9]*\):\([0-9]*\).*/\1 \2/p')
check "the zone has two simulated CPUs" test "$count" = 2

# The backend hears no wake-up and sleeps long: pushed requests wait in
# the ring. (The current sleep ends within the old idle_sleep_ms.)
recheck=$(cat $vhost/wakeup_recheck_ms) idle=$(cat $vhost/idle_sleep_ms)
echo 60000 >$vhost/wakeup_recheck_ms
echo 60000 >$vhost/idle_sleep_ms
echo 1 >$sim/lose_wakeup_every
sleep $((idle / 1000 + 1))

# A synchronous read on each of the zone's CPUs, their callers on CPU 0,
# where the guest's write will spin.
requests=$(sim_stat requests)
readers=
for cpu in "$first" $((first + 1)); do
	taskset -c 0 hvisor-sim read "$GUEST_ZONE" "$cpu" "$addr" 4 >/dev/null &
	readers="$readers $!"
done
reads_pushed() { [ "$(sim_stat requests)" -ge $((requests + 2)) ]; }
check "both reads wait in the ring" wait_for 10 reads_pushed

# The guest writes on CPU 0; its notify is deferred (as with a full ring).
echo 0 >$sim/lose_wakeup_every
echo 1 >$sim/defer_notifies
deferred=$(sim_stat deferred_notifies)
taskset -c 0 sh -c 'echo through > /dev/hvc0' &
writer=$!
check "the guest's write completes" \
	wait_for 20 sh -c "! kill -0 $writer 2>/dev/null"
check "its notify was deferred" \
	test "$(sim_stat deferred_notifies)" -gt "$deferred"
# shellcheck disable=SC2086
check "the reads complete" wait $readers

echo 0 >$sim/defer_notifies
echo "$recheck" >$vhost/wakeup_recheck_ms
echo "$idle" >$vhost/idle_sleep_ms
hvisor-sim guest del zone="$GUEST_ZONE" addr="$addr"
root_side_end
e2e_done
