#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
# hv-lanes: x86_64/debian
# shellcheck disable=SC2317 # functions called through check
#
# virtio-net between states, under load: a ping flood from the root into
# the zone and iperf3 out of it (or into the root) while
#   (a) the guest's driver is unbound and bound again: traffic resumes;
#   (b) hvisorctl del removes the device: detached, the tap released at
#       once, freed once the guest's driver lets go (hvisor-sim guest del);
#   (c) the zone is deleted: hvisorctl zone del --force while the guest's
#       driver still runs (its detached device goes with the zone, the
#       driver then removed), and the other way round, the zone stopping
#       first (hvisor-sim zone del removes its drivers) and then its
#       devices and zone removed with zone del --force;
#   (d) the modules go: rmmod hvisor_vhost is refused while hvisor_sim
#       uses it (nothing changes), rmmod hvisor_sim removes the guest, the
#       device and the zone under traffic, as in lifecycle_load.sh; then
#       hvisor_vhost, which has served a net device, unloads and both
#       load again;
#   (e) the tap is deleted (ip link del) during an iperf3 run into the
#       zone: the zone sees its link go down; then the device is removed.
# Every step is bounded by a timeout; the bed fails the run on any splat
# (WARN, BUG, KASAN, lockdep, hung task, ...) in the kernel log.
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

modprobe tun
modprobe virtio_net
guest_zone_up
work=$(mktemp -d)
MAC=02:00:00:00:02:01
ip netns add gz
ip netns add rt
gz() { ip netns exec gz "$@"; }
rt() { ip netns exec rt "$@"; }

# up: net device on window 0 with tap0 (a new tap in rt, 10.9.0.1), the
# zone's interface in gz (10.9.0.2); sets $name, $vdev and $eth.
up() {
	ip -n rt link del tap0 2>/dev/null || true
	ip tuntap add dev tap0 mode tap vnet_hdr || return 1
	name=$(net_add 0 tap0 mac="$MAC") || return 1
	ip link set tap0 netns rt &&
	ip -n rt addr add 10.9.0.1/24 dev tap0 &&
	ip -n rt link set tap0 up &&
	ip -n rt link set lo up || return 1
	read -r vdev eth < <(guest_net_add 0 "$MAC") || true
	[ -n "${eth:-}" ] || return 1
	ns_addr gz "$eth" 10.9.0.2/24 || return 1
	wait_for 20 rt ping -q -c 1 -W 1 10.9.0.2 >/dev/null
}

# load_start [-R]: a ping flood root -> zone and iperf3 between them
# (root -> zone, or zone -> root with -R), 60 s at most.
load_start() {
	rm -f "$work/iperf.pid"
	gz iperf3 -s -D -1 -p 5201 -I "$work/iperf.pid" --logfile "$work/iperf_s"
	wait_for 10 test -s "$work/iperf.pid"
	# Not through rt(): $! must be the process (ip netns exec execs it).
	ip netns exec rt timeout 90 ping -q -i 0.005 -W 1 -w 60 10.9.0.2 \
		>/dev/null 2>&1 &
	load_pids=$!
	ip netns exec rt timeout 90 iperf3 -c 10.9.0.2 -p 5201 -t 60 "$@" \
		>"$work/iperf_c" 2>&1 &
	load_pids="$load_pids $!"
	sleep 2
}

# load_stop: end what load_start started.
load_stop() {
	local p
	# shellcheck disable=SC2086
	kill $load_pids 2>/dev/null || true
	# The server (-1) may be ending, its pid file going.
	p=$(cat "$work/iperf.pid" 2>/dev/null) || true
	[ -z "$p" ] || kill "$p" 2>/dev/null || true
	for p in $load_pids; do
		wait "$p" 2>/dev/null || true
	done
	load_pids=
}

# bytes: what the device moved so far, both ways.
bytes() {
	echo $(( $(cat "/sys/class/hvisor/$name/net_stats/rx_bytes") +
		 $(cat "/sys/class/hvisor/$name/net_stats/tx_bytes") ))
}

step() { e2e_log "step $1 ($((SECONDS - t0)) s so far)"; }
t0=$SECONDS

# (a) unbind and bind virtio_net under load
step a
check "(a) device up" up
load_start -R
b0=$(bytes)
sleep 1
check "(a) traffic flows" test "$(bytes)" -gt "$b0"
drv=/sys/bus/virtio/drivers/virtio_net
check "(a) virtio_net unbinds under load" timeout 60 sh -c "echo $vdev > $drv/unbind"
check "(a) the interface is gone" sh -c "! ip -n gz link show $eth 2>/dev/null"
step "a: bind"
check "(a) virtio_net binds again" timeout 60 sh -c "echo $vdev > $drv/bind"
read -r _ eth < <(wait_for 20 net_iface_of $MAC >/dev/null && net_iface_of $MAC) || true
check "(a) a new interface with the same MAC" test -n "${eth:-}"
ns_addr gz "$eth" 10.9.0.2/24
check "(a) the root reaches the zone again" wait_for 30 rt ping -q -c 1 -W 1 10.9.0.2
check "(a) the zone reaches the root again" gz ping -q -c 3 -W 5 10.9.0.1
step "a: TCP"
check "(a) TCP again: 1 MiB zone -> root intact" sh -c "
	ip netns exec rt python3 $(dirname "$0")/net_xfer.py recv 5002 >$work/got &
	sleep 1
	sent=\$(ip netns exec gz timeout 60 python3 $(dirname "$0")/net_xfer.py send 10.9.0.1 5002 1048576 1)
	wait
	[ \"\$sent\" = \"\$(cat $work/got)\" ]"
load_stop

# (b) hvisorctl del under load, the driver still bound
step b
load_start
check "(b) hvisorctl del under load" timeout 60 hvisorctl del "$name"
check "(b) listed as detached" sh -c "hvisorctl list | grep -q detached"
check "(b) the tap is released at once (no carrier)" wait_for 10 no_carrier rt tap0
check "(b) ... and can back a new device (window 1)" sh -c "
	ip netns exec rt hvisorctl add net zone=$GUEST_ZONE addr=$(dev_addr 1) len=0x200 \
		irq=$((GUEST_IRQ_BASE + 1)) tap=tap0 >$work/readd 2>&1 &&
	hvisorctl del \$(cut -d' ' -f1 $work/readd)"
e2e_log "(b) hvisorctl add net tap=tap0 said: $(cat "$work/readd" 2>/dev/null)"
sleep 2
check "(b) the zone's sends go nowhere, no hang" sh -c \
	"timeout 30 ip netns exec gz ping -q -c 2 -W 1 -i 0.2 10.9.0.1 >/dev/null 2>&1; [ \$? != 124 ]"
check "(b) the guest lets go under load" guest_net_del 0
check "(b) the detached device is freed" wait_for 10 sh -c "[ -z \"\$(hvisorctl list | awk 'NR > 1')\" ]"
load_stop

# (c) zone deletion under load, the driver still bound: its device is
# detached and goes with the zone; then the driver is removed (the zone
# stopping, which on hvisor would come first), its window answering
# nothing.
step c
check "(c) device up" up
load_start -R
check "(c) hvisorctl zone del --force under load" \
	timeout 60 hvisorctl zone del --force "$GUEST_ZONE"
check "(c) no device left" test -z "$(hv_devices)"
check "(c) the zone is gone" sh -c "! hvisorctl zone del $GUEST_ZONE 2>/dev/null"
check "(c) the tap is released (no carrier)" wait_for 10 no_carrier rt tap0
check "(c) the guest's driver goes with the simulator's zone" \
	timeout 60 hvisor-sim zone del "$GUEST_ZONE"
check "(c) no virtio_net device left" sh -c "! ls $drv | grep -q '^virtio'"
load_stop

# The zone stops first (the simulator's zone deletion removes its
# drivers under load), then its devices and the zone go.
guest_zone_up
check "(c') device up" up
load_start -R
check "(c') the zone stops under load (hvisor-sim zone del)" \
	timeout 60 hvisor-sim zone del "$GUEST_ZONE"
check "(c') its driver is gone" sh -c "! ls $drv | grep -q '^virtio'"
check "(c') the device stays, not detached (reset by its driver)" \
	sh -c "hvisorctl list | grep -w $name | grep -vq detached"
check "(c') hvisorctl zone del --force" timeout 60 hvisorctl zone del --force "$GUEST_ZONE"
check "(c') no device left" test -z "$(hv_devices)"
load_stop

# (d) the modules go under load
step d
guest_zone_up
check "(d) device up" up
load_start -R
check "(d) rmmod hvisor_vhost is refused while hvisor_sim uses it" \
	sh -c '! rmmod hvisor_vhost 2>/dev/null'
check "(d) the device survives the refused rmmod" test -e "/sys/class/hvisor/$name"
b0=$(bytes)
sleep 1
check "(d) traffic still flows" test "$(bytes)" -gt "$b0"
check "(d) rmmod hvisor_sim under load" timeout 120 rmmod hvisor_sim
check "(d) no device is left" test -z "$(hv_devices)"
check "(d) no virtio_net device left" sh -c "! ls $drv | grep -q '^virtio'"
check "(d) the tap is released (no carrier)" wait_for 10 no_carrier rt tap0
load_stop
check "(d) rmmod hvisor_vhost once the simulator is gone" timeout 60 rmmod hvisor_vhost
check "(d) both load again" sh -c "modprobe hvisor_vhost && modprobe hvisor_sim"

# (e) the tap deleted during an iperf3 run into the zone (-R: the root
# sends, the zone only acknowledges): the device must see the tap go
# (its wait queue is woken) and report the link down although the zone
# sends nothing more; then, once the zone sends, its frames are refused
# and counted; then the device is removed.
step e
guest_zone_up
check "(e) device up" up
gz iperf3 -s -D -1 -p 5301 -I "$work/iperf_gz.pid" --logfile "$work/iperf_gz"
wait_for 10 test -s "$work/iperf_gz.pid"
ip netns exec rt timeout 30 iperf3 -c 10.9.0.2 -p 5301 -t 10 -R \
	>"$work/iperf_e" 2>&1 &
client=$!
sleep 3
b0=$(bytes)
sleep 1
check "(e) iperf3 runs" test "$(bytes)" -gt "$b0"
check "(e) ip link del tap0 during the run" timeout 30 ip -n rt link del tap0
check "(e) the zone's link goes down (no send from the zone needed)" \
	wait_for 10 no_carrier gz "$eth"
tx_errors0=$(cat "/sys/class/hvisor/$name/net_stats/tx_errors")
ip netns exec gz timeout 30 ping -q -c 3 -W 1 -i 0.2 10.9.0.1 >/dev/null 2>&1 || true
check "(e) the zone's link is down once it sent" wait_for 10 no_carrier gz "$eth"
e2e_log "(e) tx_errors $tx_errors0 -> $(cat "/sys/class/hvisor/$name/net_stats/tx_errors"), backend: $(cat "/sys/class/hvisor/$name/backend")"
check "(e) iperf3 ends (bounded)" wait_for 40 sh -c "! kill -0 $client 2>/dev/null"
wait "$client" 2>/dev/null || true
p=$(cat "$work/iperf_gz.pid" 2>/dev/null) || true
[ -z "$p" ] || kill "$p" 2>/dev/null || true
check "(e) hvisorctl del" timeout 60 hvisorctl del "$name"
check "(e) the guest lets go" guest_net_del 0
check "(e) no device left" wait_for 10 sh -c "[ -z \"\$(hvisorctl list | awk 'NR > 1')\" ]"

step end
hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
ip netns del gz
ip netns del rt
rm -rf "$work"
e2e_done
