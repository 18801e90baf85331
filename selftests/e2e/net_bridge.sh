#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
# hv-lanes: x86_64/debian (two zones on a bridge; net.sh runs one on every lane)
#
# Two zones, each with a virtio-net device on its own tap, both taps on one
# Linux bridge in the root: zone-to-zone traffic. Both zones are in-kernel
# guest zones of the simulator (identity zones 1 and 2 on CPUs of their
# own), so both guest drivers are this kernel's virtio_net; each zone's
# interface is moved into a namespace of its own (z1, z2). What z1 sends to
# z2 leaves through zone 1's device, crosses the bridge (namespace rt,
# which also has an address on it) and arrives through zone 2's. Nothing
# leaves the VM.
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

modprobe tun
modprobe virtio_net
modprobe bridge
guest_zone_up
# The second zone: same identity RAM, CPUs 4-5 (zone 1 has 2-3).
hvisor-sim zone add 2 identity cpus=4:2
# shellcheck disable=SC2046
hvisorctl zone add 2 $(hvisor-sim zone info 2 | grep -o "mem=[^ ]*")
work=$(mktemp -d)
ip netns add rt
ip netns add z1
ip netns add z2
rt() { ip netns exec rt "$@"; }
z1() { ip netns exec z1 "$@"; }
z2() { ip netns exec z2 "$@"; }
# zone_net_del ZONE N: zone ZONE's guest unplugs window N.
# shellcheck disable=SC2317 # called through check
zone_net_del() { GUEST_ZONE=$1 guest_net_del "$2"; }

ip -n rt link add br0 type bridge forward_delay 0
ip -n rt addr add 10.9.0.1/24 dev br0
ip -n rt link set br0 up
ip -n rt link set lo up

names=()
for i in 1 2; do
	mac=02:00:00:00:01:0$i
	ip tuntap add dev "tap$i" mode tap vnet_hdr
	names[i]=$(GUEST_ZONE=$i net_add $((i - 1)) "tap$i" mac=$mac)
	check "device $i: hvisorctl adds ${names[i]} on tap$i" \
		test "$(cat "/sys/class/hvisor/${names[i]}/backend")" = "tap$i"
	check "device $i: in zone $i" \
		test "$(cat "/sys/class/hvisor/${names[i]}/zone")" = $i
	read -r _ eth < <(GUEST_ZONE=$i guest_net_add $((i - 1)) $mac)
	check "device $i: the guest's interface ($eth) has MAC $mac" test -n "$eth"
	ip link set "tap$i" netns rt
	ip -n rt link set "tap$i" master br0
	ip -n rt link set "tap$i" up
	ns_addr "z$i" "$eth" "10.9.0.$((i + 1))/24"
done
check "two zones, one net device each" test "$(hvisorctl list |
	awk 'NR > 1 && $2 == "net" { print $3 }' | sort -u | tr '\n' ' ')" = "1 2 "
sleep 1

check "z1 pings z2 across the bridge" z1 ping -q -c 3 -W 5 10.9.0.3
check "z2 pings z1 across the bridge" z2 ping -q -c 3 -W 5 10.9.0.2
check "z1 pings the bridge's address" z1 ping -q -c 3 -W 5 10.9.0.1
check "z2 pings the bridge's address" z2 ping -q -c 3 -W 5 10.9.0.1
check "the bridge pings both" sh -c \
	"ip netns exec rt ping -q -c 2 -W 5 10.9.0.2 && ip netns exec rt ping -q -c 2 -W 5 10.9.0.3"
check "the bridge learned both MACs on their taps" sh -c "
	ip -n rt link show tap1 >/dev/null &&
	bridge -n rt fdb show br br0 | grep -q '02:00:00:00:01:01 dev tap1' &&
	bridge -n rt fdb show br br0 | grep -q '02:00:00:00:01:02 dev tap2'"
check "1500-byte frames, don't fragment, z1 <-> z2" sh -c \
	"ip netns exec z1 ping -q -c 2 -W 5 -M do -s 1472 10.9.0.3 &&
	 ip netns exec z2 ping -q -c 2 -W 5 -M do -s 1472 10.9.0.2"
check "fragmented 30000-byte pings, z1 <-> z2" sh -c \
	"ip netns exec z1 ping -q -c 2 -W 5 -s 30000 10.9.0.3 &&
	 ip netns exec z2 ping -q -c 2 -W 5 -s 30000 10.9.0.2"

# Bulk TCP with a content check, both ways: GSO frames of one device's
# driver cross the bridge into the other device's receive buffers.
xfer=$(dirname "$0")/net_xfer.py
bytes=$((4 << 20))
start=$SECONDS
z2 python3 "$xfer" recv 5001 > "$work/z2_got" &
pid=$!
sleep 1
sent=$(z1 timeout 120 python3 "$xfer" send 10.9.0.3 5001 $bytes 1) || true
wait $pid || true
check "4 MiB z1 -> z2 over TCP arrive intact" test "$sent" = "$(cat "$work/z2_got")"
z1 python3 "$xfer" recv 5002 > "$work/z1_got" &
pid=$!
sleep 1
sent=$(z2 timeout 120 python3 "$xfer" send 10.9.0.2 5002 $bytes 2) || true
wait $pid || true
check "4 MiB z2 -> z1 over TCP arrive intact" test "$sent" = "$(cat "$work/z1_got")"
e2e_log "TCP both ways: $((SECONDS - start)) s"

# Both zones at once to the bridge's address: the two devices' workers
# run side by side.
rt python3 "$xfer" recv 5003 > "$work/rt_got1" &
pid1=$!
rt python3 "$xfer" recv 5004 > "$work/rt_got2" &
pid2=$!
sleep 1
z1 timeout 120 python3 "$xfer" send 10.9.0.1 5003 $bytes 3 > "$work/z1_sent" &
spid1=$!
z2 timeout 120 python3 "$xfer" send 10.9.0.1 5004 $bytes 4 > "$work/z2_sent" &
spid2=$!
wait $spid1 $spid2 $pid1 $pid2 || true
check "z1 and z2 send 4 MiB each to the bridge at once, intact" sh -c \
	"[ -s $work/z1_sent ] && cmp -s $work/z1_sent $work/rt_got1 &&
	 cmp -s $work/z2_sent $work/rt_got2"

for i in 1 2; do
	stats=/sys/class/hvisor/${names[i]}/net_stats
	check "${names[i]}: frames both ways" sh -c \
		"[ \$(cat $stats/rx_packets) -gt 0 ] && [ \$(cat $stats/tx_packets) -gt 0 ]"
	for f in rx_too_small rx_errors tx_malformed ctrl_errors; do
		check "${names[i]}: counter $f is 0" test "$(cat "$stats/$f")" = 0
	done
	check "${names[i]}: interrupts raised" \
		test "$(cat "/sys/class/hvisor/${names[i]}/stats/interrupts")" -gt 0
	e2e_log "${names[i]}: $(for f in "$stats"/*; do printf '%s=%s ' "${f##*/}" "$(cat "$f")"; done)"
done

for i in 1 2; do
	check "device $i: zone $i's guest lets go" zone_net_del $i $((i - 1))
	check "device $i: hvisorctl del ${names[i]}" hvisorctl del "${names[i]}"
done
check "no device left" test -z "$(hv_devices)"
for z in 1 2; do
	hvisorctl zone del $z
	hvisor-sim zone del $z
done
ip netns del z1
ip netns del z2
ip netns del rt
rm -rf "$work"
e2e_done
