#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 900
#
# virtio-net end to end: upstream virtio_net in the (simulated) zone talks
# through hvisor_vhost to a tap in the root. The zone's interface and the
# tap each live in a network namespace this test makes (gz, rt): traffic
# crosses the device, and nothing leaves the VM.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_net.sh"

modprobe tun
modprobe virtio_net
guest_zone_up
addr=$(dev_addr 0)
ip tuntap add dev tap0 mode tap vnet_hdr
out=$(hvisorctl add net zone=$GUEST_ZONE addr="$addr" len=0x200 \
	irq=$GUEST_IRQ_BASE tap=tap0)
name=${out%% *}
check "hvisorctl adds net0" test "$name" = net0
sys=/sys/class/hvisor/$name
check "sysfs backend is the tap" test "$(cat $sys/backend)" = tap0
hvisor-sim guest add zone=$GUEST_ZONE addr="$addr" irq=$GUEST_IRQ_BASE
# The VM's own virtio devices are PCI ones for 9p: ours is virtio_net's.
net_vdev() { ls -d /sys/bus/virtio/drivers/virtio_net/virtio* 2>/dev/null; }
check "the guest's virtio_net binds" wait_for 10 net_vdev
vdev=$(basename "$(net_vdev)")
check "the guest's interface appears" wait_for 10 \
	sh -c "ls /sys/bus/virtio/devices/$vdev/net/ | grep -q ."
eth=$(ls /sys/bus/virtio/devices/"$vdev"/net/)

# Placement ("CPU placement" in design.rst): on two CPUs, a queue pair's
# receive worker starts on the dispatcher's CPU and its transmit worker on
# the other one, where they stay (the bed's root CPUs are isolated).
last_cpu() { awk '{ print $39 }' "/proc/$(pgrep -x "$1")/stat"; }
if [[ $(cat /sys/module/hvisor_vhost/parameters/cpus) =~ ^([0-9]+)-([0-9]+)$ ]] &&
	((BASH_REMATCH[2] == BASH_REMATCH[1] + 1)); then
	placed="$(last_cpu hv-net0-q0) $(last_cpu hv-net0-q1)"
	d=$(last_cpu hv-dispatch)
	check "receive worker on the dispatcher's CPU $d, transmit on the other" \
		test "$placed" = "$d $((BASH_REMATCH[1] + BASH_REMATCH[2] - d))"
fi
check "the default MAC is 02:48:56:<zone>:<fold of addr>" \
	test "$(cat /sys/class/net/"$eth"/address)" = 02:48:56:01:00:68

# Negotiated: what the device offers and virtio_net takes.
feat=$(cat /sys/bus/virtio/devices/"$vdev"/features)
want="0 1 5 7 8 9 11 12 13 15 16 17 18 23 28 29 32"
if [ "$(printf '%s\n' "$(uname -r)" 6.2 | sort -V | head -1)" = 6.2 ]; then
	want+=" 54 55 56"	# USO, where tun has it
fi
missing=
for b in $want; do
	[ "${feat:$b:1}" = 1 ] || missing+=" $b"
done
check "negotiated features include every offered bit ($want)" \
	test -z "$missing"
[ -z "$missing" ] || e2e_log "missing feature bits:$missing ($feat)"

ip netns add gz
ip netns add rt
ip link set "$eth" netns gz
ip link set tap0 netns rt
ip -n gz addr add 10.9.0.2/24 dev "$eth"
ip -n gz link set "$eth" up
ip -n gz link set lo up
# The link is the tap's, which is down: so is the zone's, from its probe.
check "the zone's link starts down, as the tap" wait_for 5 no_carrier gz "$eth"
ip -n rt addr add 10.9.0.1/24 dev tap0
ip -n rt link set tap0 up
ip -n rt link set lo up
check "the zone's link comes up with the tap (moved to another netns)" \
	wait_for 10 has_carrier gz "$eth"
gz() { ip netns exec gz "$@"; }
rt() { ip netns exec rt "$@"; }
stats=$sys/net_stats
# Frames the zone sent while the tap was still down were refused: count
# from here.
sleep 1
tx_errors0=$(cat $stats/tx_errors)

check "root pings the zone" rt ping -c 3 -W 5 10.9.0.2
check "the zone pings the root" gz ping -c 3 -W 5 10.9.0.1
check "1500-byte frames, don't fragment, both ways" sh -c \
	"ip netns exec rt ping -c 2 -W 5 -M do -s 1472 10.9.0.2 &&
	 ip netns exec gz ping -c 2 -W 5 -M do -s 1472 10.9.0.1"
check "fragmented 60000-byte pings, both ways" sh -c \
	"ip netns exec rt ping -c 2 -W 5 -s 60000 10.9.0.2 &&
	 ip netns exec gz ping -c 2 -W 5 -s 60000 10.9.0.1"

# Bulk TCP with a content check, both ways (GSO frames up to 64 KiB with
# the offloads, spread over several receive buffers with MRG_RXBUF).
work=$(mktemp -d)
tcp_both_ways
check "large receives were spread over several buffers (GSO + MRG_RXBUF)" \
	test "$(( $(cat $stats/rx_bytes) / ($(cat $stats/rx_packets) + 1) ))" -gt 1514

# iperf3 both ways, and UDP below the bed's saturation: no loss.
gz iperf3 -s -D -1 -p 5201 --logfile "$work/iperf_s"
sleep 1
check "iperf3 TCP root -> zone" rt timeout 60 iperf3 -c 10.9.0.2 -p 5201 -t 2 \
	--json --logfile "$work/iperf_tcp_in"
gz iperf3 -s -D -1 -p 5202 --logfile "$work/iperf_s2"
sleep 1
check "iperf3 TCP zone -> root (reverse)" rt timeout 60 iperf3 -c 10.9.0.2 -p 5202 -t 2 -R \
	--json --logfile "$work/iperf_tcp_out"
udp_lost() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["end"]["sum"]["lost_packets"])' "$1"; }
for dir in "" -R; do
	gz iperf3 -s -D -1 -p 5203 --logfile "$work/iperf_s3"
	sleep 1
	rt timeout 60 iperf3 -c 10.9.0.2 -p 5203 -u -b 2M -t 2 $dir --json \
		> "$work/udp" || true
	check "UDP at 2 Mbit/s ${dir:+(reverse) }loses nothing" \
		test "$(udp_lost "$work/udp")" = 0
done
for f in rx_too_small rx_errors tx_malformed ctrl_errors; do
	check "device counter $f is 0" test "$(cat $stats/$f)" = 0
done
check "the tap refused no frame once up" \
	test "$(cat $stats/tx_errors)" = "$tx_errors0"
e2e_log "net_stats: $(for f in $stats/*; do printf '%s=%s ' "${f##*/}" "$(cat "$f")"; done)"
e2e_log "interrupts $(cat $sys/stats/interrupts) notifies $(cat $sys/stats/notifies)"

# The link follows the tap's state, each change told with a config
# interrupt that the zone's virtio_net answers by reading the status.
ip -n rt link set tap0 down
check "tap down: the zone's link goes down" wait_for 10 no_carrier gz "$eth"
ip -n rt link set tap0 name hvtap0
check "sysfs backend follows a rename of the tap" \
	test "$(cat $sys/backend)" = hvtap0
ip -n rt link set hvtap0 name tap0
ip -n rt link set tap0 up
check "tap up: the zone's link comes back" wait_for 10 has_carrier gz "$eth"
check "tap up: the zone pings the root" gz ping -c 3 -W 5 10.9.0.1
ip -n rt link set tap0 carrier off
check "tap carrier off: the zone's link goes down" wait_for 10 \
	no_carrier gz "$eth"
ip -n rt link set tap0 carrier on
check "tap carrier on: the zone's link comes back" wait_for 10 \
	has_carrier gz "$eth"
check "tap carrier on: the root pings the zone" rt ping -c 3 -W 5 10.9.0.2

# The tap deleted under the running device: the zone sees the link go
# down, nothing breaks, and the device does not hold the deletion up.
rt ping -i 0.05 -c 400 -W 1 10.9.0.2 > /dev/null 2>&1 &
flood=$!
sleep 1
check "the tap's deletion ends (the device lets go of it)" \
	timeout 30 ip -n rt link del tap0
kill "$flood" 2>/dev/null || true
wait "$flood" || true
gz ping -c 3 -W 1 10.9.0.1 > /dev/null 2>&1 || true
check "the zone's link goes down when the tap is deleted" wait_for 10 \
	no_carrier gz "$eth"
check "sysfs backend says the tap was deleted" \
	test "$(cat $sys/backend)" = "tap0 (deleted)"

# Removal while the driver holds the device, then the driver lets go.
hvisorctl del "$name"
check "removed while in use: listed as detached" \
	sh -c "hvisorctl list | grep -q detached"
timeout 60 hvisor-sim guest del zone=$GUEST_ZONE addr="$addr"
check "the detached device is gone once the driver let go" wait_for 10 \
	sh -c "! hvisorctl list | grep -q detached"
e2e_done
