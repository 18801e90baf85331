#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
# hv-lanes: x86_64/debian (the macvtap side; net.sh runs the data path on every lane)
#
# A net device on a macvtap: "hvisorctl add net tap=mvt0 queues=2" (two
# opens of the macvtap, one per queue pair), mvt0 a macvtap in bridge
# mode on one end of a veth pair whose other end is the root's side
# (namespace rt); upstream virtio_net in the zone (namespace gz).
# Without mac= the device takes the macvtap's address, the only unicast
# address the macvtap passes on. Pings and bulk TCP both ways; a second
# device on the macvtap refused; the zone's link following the macvtap,
# its lower device's carrier and its deletion. Nothing leaves the VM.
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

modprobe macvtap
modprobe virtio_net
guest_zone_up
work=$(mktemp -d)
ip netns add gz
ip netns add rt
gz() { ip netns exec gz "$@"; }
rt() { ip netns exec rt "$@"; }

ip link add mvl0 type veth peer name mvp0
ip link add link mvl0 name mvt0 type macvtap mode bridge
ip link set mvl0 up
ip link set mvt0 up
mac=$(cat /sys/class/net/mvt0/address)
name=$(net_add 0 mvt0 queues=2)
check "hvisorctl adds a device of two queue pairs on the macvtap" test -n "$name"
sys=/sys/class/hvisor/$name
check "sysfs backend is the macvtap" test "$(cat "$sys/backend")" = mvt0
out=$(net_add 1 mvt0 2>&1) || true
check "a second device on the macvtap is refused: in use by $name" \
	grep -q "mvt0: already in use by $name of zone" <<<"$out"
ip link add link mvl0 name mvt1 type macvtap mode bridge
out=$(net_add 1 mvt1 mac=02:00:00:00:00:09 2>&1)
check "mac= other than the macvtap's address: a warning" \
	grep -q "mvt1: warning: mac= is not the macvtap's address" <<<"$out"
check "... and the device all the same" hvisorctl del "${out##*$'\n'}"
ip link del mvt1

read -r _ eth < <(guest_net_add 0 "$mac")
check "the zone's interface has the macvtap's address $mac" test -n "$eth"
check "the zone has two receive queues" \
	test "$(ls -d /sys/class/net/"$eth"/queues/rx-* | wc -l)" = 2
ns_addr gz "$eth" 10.9.0.2/24
ns_addr rt mvp0 10.9.0.1/24
check "the zone's link is up" wait_for 10 has_carrier gz "$eth"
check "root pings the zone" rt ping -c 3 -W 5 10.9.0.2
check "the zone pings the root" gz ping -c 3 -W 5 10.9.0.1
check "fragmented 60000-byte pings, both ways" sh -c \
	"ip netns exec rt ping -c 2 -W 5 -s 60000 10.9.0.2 &&
	 ip netns exec gz ping -c 2 -W 5 -s 60000 10.9.0.1"
tcp_both_ways

ip link set mvt0 down
check "macvtap down: the zone's link goes down" wait_for 10 no_carrier gz "$eth"
ip link set mvt0 up
check "macvtap up: the zone's link comes back" wait_for 10 has_carrier gz "$eth"
ip -n rt link set mvp0 down
check "the macvtap's lower device loses carrier: so does the zone" \
	wait_for 10 no_carrier gz "$eth"
ip -n rt link set mvp0 up
check "carrier back: the zone pings the root" wait_for 20 \
	ip netns exec gz ping -c 1 -W 2 10.9.0.1
ip link del mvt0
check "macvtap deleted: the zone's link goes down" wait_for 10 no_carrier gz "$eth"
check "sysfs backend says deleted" test "$(cat "$sys/backend")" = "mvt0 (deleted)"
check "the device is removed" hvisorctl del "$name"
guest_net_del 0
ip link del mvl0
ip netns del gz
ip netns del rt
rm -rf "$work"
e2e_done
