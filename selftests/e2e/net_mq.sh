#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
# hv-lanes: x86_64/debian (the pairs' code paths; net.sh runs on every lane)
#
# virtio-net with two queue pairs on a multi-queue tap: virtio_net uses
# both, TCP flows spread over both, and every pair's workers carry
# traffic; a second device on the tap is refused. Namespaces as in
# net.sh.
. "$(dirname "$0")/lib.sh"

modprobe tun
modprobe virtio_net
guest_zone_up
addr=$(dev_addr 0)
ip tuntap add dev tapmq mode tap multi_queue vnet_hdr
out=$(hvisorctl add net zone=$GUEST_ZONE addr="$addr" len=0x200 \
	irq=$GUEST_IRQ_BASE tap=tapmq queues=2)
name=${out%% *}
check "hvisorctl adds a net device with two queue pairs" test "$name" = net0
out=$(hvisorctl add net zone=$GUEST_ZONE addr="$(dev_addr 1)" len=0x200 \
	irq=$((GUEST_IRQ_BASE + 1)) tap=tapmq 2>&1) || true
check "a second device on the multi-queue tap is refused: in use by net0" \
	grep -q "tapmq: already in use by net0 of zone" <<<"$out"
hvisor-sim guest add zone=$GUEST_ZONE addr="$addr" irq=$GUEST_IRQ_BASE
net_vdev() { ls -d /sys/bus/virtio/drivers/virtio_net/virtio* 2>/dev/null; }
check "the guest's virtio_net binds" wait_for 10 net_vdev
vdev=$(basename "$(net_vdev)")
eth=$(ls /sys/bus/virtio/devices/"$vdev"/net/)
feat=$(cat /sys/bus/virtio/devices/"$vdev"/features)
check "MQ (bit 22) is negotiated" test "${feat:22:1}" = 1
check "the guest has two receive queues" \
	test "$(ls -d /sys/class/net/"$eth"/queues/rx-* | wc -l)" = 2

ip netns add gz
ip netns add rt
ip link set "$eth" netns gz
ip link set tapmq netns rt
ip -n gz addr add 10.9.0.2/24 dev "$eth"
ip -n gz link set "$eth" up
ip -n rt addr add 10.9.0.1/24 dev tapmq
ip -n rt link set tapmq up
gz() { ip netns exec gz "$@"; }
rt() { ip netns exec rt "$@"; }
check "ping through the two-pair device" rt ping -c 3 -W 5 10.9.0.2

# Runs of each queue's worker thread ("hv-net0-q<N>"): the third field of
# its schedstat counts the times it was scheduled.
runs() {
	local pid
	pid=$(pgrep -x "hv-$name-q$1")
	cut -d' ' -f3 "/proc/$pid/schedstat"
}
declare -A before
for q in 0 1 2 3; do before[$q]=$(runs $q); done
# Eight TCP flows each way: the tap and virtio_net hash them over both
# pairs.
gz iperf3 -s -D -1 -p 5201
sleep 1
check "iperf3 with 8 flows, root -> zone" \
	rt timeout 90 iperf3 -c 10.9.0.2 -p 5201 -t 3 -P 8 --logfile /dev/null
# The zone's transmit queue follows its sending CPU (XPS): one server per
# CPU sends back.
for cpu in 0 1 2 3; do
	gz taskset -c $cpu iperf3 -s -D -1 -p $((5210 + cpu))
done
sleep 1
for cpu in 0 1 2 3; do
	check "iperf3 zone -> root, sent from the zone's CPU $cpu" \
		rt timeout 90 iperf3 -c 10.9.0.2 -p $((5210 + cpu)) -t 2 -R \
		--logfile /dev/null
done
for q in 0 1 2 3; do
	n=$(( $(runs $q) - before[$q] ))
	check "queue $q's worker served traffic ($n runs)" test "$n" -gt 10
done
stats=/sys/class/hvisor/$name/net_stats
for f in rx_too_small rx_errors tx_malformed ctrl_errors; do
	check "device counter $f is 0" test "$(cat $stats/$f)" = 0
done

timeout 60 hvisor-sim guest del zone=$GUEST_ZONE addr="$addr"
hvisorctl del "$name"
check "the device is gone" sh -c "! hvisorctl list | grep -q $name"
e2e_done
