#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bridge: no CPU when idle, and every request answered although the
# hypervisor loses wake-ups (hvisor has no StoreLoad barrier, ABI §2.6).
. "$(dirname "$0")/lib.sh"

ticks() {
	local pid
	pid=$(pgrep -x hv-dispatch)
	awk '{ print $14 + $15 }' "/proc/$pid/stat"
}

sleep 1
t0=$(ticks)
sleep 5
t1=$(ticks)
e2e_log "dispatcher CPU time while idle for 5 s: $((t1 - t0)) ticks"
check "the idle dispatcher uses (almost) no CPU" test $((t1 - t0)) -le 2

# A raw zone (the simulator allocates its RAM) with one console.
rmmod hvisor_sim
modprobe hvisor_sim lose_wakeup_every=2
hvisor-sim zone add 3 cpus=4:1 mem=0x40000000:0x100000 mmio=0x0a000000:0x1000
mem=$(hvisor-sim zone info 3 | grep -o 'mem=[^ ]*')
hvisorctl zone add 3 "$mem"
hvisorctl add console zone=3 addr=0x0a000000 len=0x200 irq=33 >/dev/null
bad=0
start=$(date +%s%N)
for _ in $(seq 40); do
	v=$(hvisor-sim read 3 4 0x0a000000 4)
	[ "$((v))" -eq $((0x74726976)) ] || bad=$((bad + 1))
done
end=$(date +%s%N)
lost=$(hvisor-sim stats | awk '$1 == "lost_wakeups" { print $2 }')
e2e_log "40 reads, every 2nd wake-up lost: $(( (end - start) / 40000000 )) ms each; $lost lost"
check "every read answered correctly despite lost wake-ups" test "$bad" -eq 0
check "the simulator did lose wake-ups" test "$lost" -gt 0
check "no stall" test "$(hvisor-sim stats | awk '$1 == "stalls" { print $2 }')" -eq 0
hvisorctl del console0
hvisorctl zone del 3
hvisor-sim zone del 3

# The bridge's counters are read while the provider comes and goes (the
# bridge is freed then): KASAN's lanes see a read of a freed bridge.
bridge_reader() {
	while :; do
		cat /sys/class/hvisor/bridge_* >/dev/null 2>&1
	done
}
bridge_reader &
reader=$!
want=$(scaled 20)	# a module reload costs 7 s on the debug kernel
cycles=0
for _ in $(seq "$want"); do
	rmmod hvisor_sim && modprobe hvisor_sim && cycles=$((cycles + 1))
done
kill "$reader"
wait "$reader" 2>/dev/null || true
check "the provider left and came back $want times under sysfs reads" \
	test "$cycles" -eq "$want"
e2e_done
