#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio-net benchmark (make bench; figures, not pass/fail). In one VM run,
# the same measurements over two links between a "zone" namespace and a
# "root" namespace:
#
#   virtio  the simulated zone's upstream virtio_net (namespace gz) served
#           by hvisor_vhost from a tap (namespace rt), as e2e/net.sh sets up
#   veth    a veth pair between two namespaces (vz, vr): the baseline, the
#           same kernel stacks without a device in between
#
# Measurements (iperf3 servers in the zone namespace, clients and pings in
# the root namespace): TCP throughput both ways; UDP 1472-byte datagrams
# unthrottled (throughput and loss), then at half the virtio link's
# unthrottled rate (loss below saturation); UDP 64-byte datagrams
# unthrottled (packet rate); 100 pings at 10 ms (p50 and average round
# trip); a flood ping (one request in flight: round trips per second).
# Prints a table with the ratio to veth and, for virtio, the device's
# interrupts, notifies and packets (rx + tx) per interrupt during each
# measurement. One queue pair (e2e/net_mq covers two).
# Environment: BENCH_RUNTIME (seconds per iperf3 run, default 4),
# BENCH_UDP_RATE (the below-saturation rate, iperf3 -b syntax; default:
# half the virtio unthrottled rate of each direction).
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"

t=${BENCH_RUNTIME:-4}
work=$(mktemp -d)
port=5300

modprobe -a tun virtio_net veth

# virtio: as e2e/net.sh does it.
guest_zone_up
addr=$(dev_addr 0)
ip tuntap add dev tap0 mode tap vnet_hdr
name=$(hvisorctl add net zone="$GUEST_ZONE" addr="$addr" len=0x200 \
	irq="$GUEST_IRQ_BASE" tap=tap0)
name=${name%% *}
sys=/sys/class/hvisor/$name
hvisor-sim guest add zone="$GUEST_ZONE" addr="$addr" irq="$GUEST_IRQ_BASE"
net_vdev() { ls -d /sys/bus/virtio/drivers/virtio_net/virtio* 2>/dev/null; }
wait_for 10 net_vdev
vdev=$(basename "$(net_vdev)")
wait_for 10 sh -c "ls /sys/bus/virtio/devices/$vdev/net/ | grep -q ."
eth=$(ls /sys/bus/virtio/devices/"$vdev"/net/)

# link_up NS DEV ADDR: move DEV into NS (made if needed), address it, up.
link_up() {
	ip netns list | grep -qw "$1" || ip netns add "$1"
	ip link show "$2" >/dev/null 2>&1 && ip link set "$2" netns "$1"
	ip -n "$1" addr add "$3"/24 dev "$2"
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
}
link_up gz "$eth" 10.9.0.2
link_up rt tap0 10.9.0.1
ip netns add vz
ip netns add vr
ip -n vz link add vzeth type veth peer name vreth netns vr
link_up vz vzeth 10.8.0.2
link_up vr vreth 10.8.0.1

# Per configuration: the zone's namespace, the root's, the zone's address.
declare -A zns=([virtio]=gz [veth]=vz) rns=([virtio]=rt [veth]=vr)
declare -A zip=([virtio]=10.9.0.2 [veth]=10.8.0.2)
wait_for 10 ip netns exec rt ping -c 1 -W 1 10.9.0.2 >/dev/null
wait_for 10 ip netns exec vr ping -c 1 -W 1 10.8.0.2 >/dev/null
# Frames the zone sent before the tap was up were refused: count from here.
tx_errors0=$(cat "$sys/net_stats/tx_errors")

# The device's counters: interrupts notifies packets (rx + tx).
counters() {
	echo "$(cat "$sys/stats/interrupts") $(cat "$sys/stats/notifies")" \
		"$(( $(cat "$sys/net_stats/rx_packets") + $(cat "$sys/net_stats/tx_packets") ))"
}
dev_counters() { if [ "$1" = virtio ]; then counters; fi; }
# Drops on the way: the tap's (frames the zone had no buffer for yet) and
# UDP receive-buffer overflows in both namespaces.
drops() {
	local c=$1
	local tap=0
	if [ "$c" = virtio ]; then
		tap=$(ip netns exec rt cat /sys/class/net/tap0/statistics/tx_dropped)
	fi
	echo "$tap" \
		"$(udp_rcvbuf_errors "${zns[$c]}")" "$(udp_rcvbuf_errors "${rns[$c]}")"
}
udp_rcvbuf_errors() {
	# shellcheck disable=SC2016 # awk's $6
	ip netns exec "$1" awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp
}

declare -A val cnt
# server_start CONFIG, server_stop: an iperf3 server in the zone's namespace.
server_start() {
	port=$((port + 1))
	ip netns exec "${zns[$1]}" iperf3 -s -D -p $port -I "$work/iperf.pid"
	wait_for 10 sh -c "ip netns exec ${zns[$1]} ss -Hltn 'sport = :$port' | grep -q ."
}
server_stop() {
	kill "$(cat "$work/iperf.pid")" 2>/dev/null || true
	rm -f "$work/iperf.pid"
}
# iperf CONFIG KEY ARGS...: one iperf3 run against the server in the
# zone's namespace (server_start); stores val[CONFIG/KEY] (Mbit/s received; for
# UDP "Mbit/s loss% packets/s").
iperf() {
	local c=$1 key=$2 kind=tcp r c0 c1 d0 d1 t0=$SECONDS
	shift 2
	[[ " $* " == *" -u "* ]] && kind=udp
	c0=$(dev_counters "$c")
	d0=$(drops "$c")
	ip netns exec "${rns[$c]}" timeout $((t + 60)) \
		iperf3 -c "${zip[$c]}" -p $port -t "$t" --json "$@" \
		>"$work/$c-$key.json" 2>"$work/$c-$key.err" || true
	c1=$(dev_counters "$c")
	d1=$(drops "$c")
	r=$(awk -v kind=$kind '
		/"sum_received":/ { on = 1; next }
		on && /}/ { on = 0 }
		on { k = $1; gsub(/[":]/, "", k); v = $2; sub(/,$/, "", v); f[k] = v }
		END {
			if (!("bits_per_second" in f)) { print "- - -"; exit }
			if (kind == "tcp") printf "%.1f\n", f["bits_per_second"] / 1e6
			else printf "%.1f %.1f %.0f\n", f["bits_per_second"] / 1e6,
				f["lost_percent"], (f["packets"] - f["lost_packets"]) / f["seconds"]
		}' "$work/$c-$key.json")
	val[$c/$key]=$r
	[ -z "$c0" ] || cnt[$c/$key]=$(delta "$c0" "$c1")
	e2e_log "$c $key ($*): $r; tap drops, UDP rcvbuf errors zone, root: +$(delta "$d0" "$d1")($((SECONDS - t0)) s)"
	if [ "${r%% *}" = - ]; then
		e2e_log "$c $key failed: $(cat "$work/$c-$key.err") $(grep '"error"' "$work/$c-$key.json" || true)"
		# A server left in a bad state would fail the next runs too.
		server_stop
		server_start "$c"
	fi
}
# delta "A B C" "A' B' C'": "A'-A B'-B C'-C".
delta() {
	local -a a b
	local i
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	for i in "${!a[@]}"; do printf '%s ' $((b[i] - a[i])); done
}

# pings CONFIG: 100 pings at 10 ms, then a flood ping (one in flight).
pings() {
	local c=$1 c0 c1 out t0=$SECONDS
	c0=$(dev_counters "$c")
	out=$(ip netns exec "${rns[$c]}" ping -n -c 100 -i 0.01 -W 2 "${zip[$c]}" || true)
	c1=$(dev_counters "$c")
	val[$c/ping]=$(sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' <<<"$out" | sort -g |
		awk '{ v[n++] = $1 * 1000; s += $1 * 1000 }
		     END { if (n) printf "%.0f %.0f %.0f %.0f %d\n", v[int((n - 1) / 2)], s / n,
				v[int((n - 1) * 0.9)], v[n - 1], n; else print "- - - - 0" }')
	[ -z "$c0" ] || cnt[$c/ping]=$(delta "$c0" "$c1")
	c0=$(dev_counters "$c")
	out=$(ip netns exec "${rns[$c]}" ping -n -q -f -c 5000 -w "$t" "${zip[$c]}" || true)
	c1=$(dev_counters "$c")
	val[$c/flood]=$(awk '/received/ { for (i = 1; i <= NF; i++) {
			if ($(i + 1) ~ /^received/) r = $i
			if ($i == "time") { sub("ms", "", $(i + 1)); ms = $(i + 1) } } }
		END { if (ms > 0) printf "%.0f\n", r * 1000 / ms; else print "-" }' <<<"$out")
	[ -z "$c0" ] || cnt[$c/flood]=$(delta "$c0" "$c1")
	e2e_log "$c pings: p50 avg p90 max (us) replies ${val[$c/ping]}, flood ${val[$c/flood]} round trips/s ($((SECONDS - t0)) s)"
}

# bench CONFIG: every measurement on one configuration.
bench() {
	local c=$1
	server_start "$c"
	iperf "$c" tcp_in
	iperf "$c" tcp_out -R
	iperf "$c" udp_in -u -b 0 -l 1472
	iperf "$c" udp_out -u -b 0 -l 1472 -R
	# Below saturation: half of what virtio received unthrottled (the
	# same rate for both configurations; virtio runs first).
	rate_in=${BENCH_UDP_RATE:-${rate_in:-$(half "${val[virtio/udp_in]}")}}
	rate_out=${BENCH_UDP_RATE:-${rate_out:-$(half "${val[virtio/udp_out]}")}}
	iperf "$c" udpr_in -u -b "$rate_in" -l 1472
	iperf "$c" udpr_out -u -b "$rate_out" -l 1472 -R
	iperf "$c" udp64_in -u -b 0 -l 64
	iperf "$c" udp64_out -u -b 0 -l 64 -R
	server_stop
	pings "$c"
}
# half "MBPS ...": half of MBPS as an iperf3 rate in kbit/s (at least 1M).
half() {
	awk -v m="${1%% *}" 'BEGIN { k = int(m * 500); if (k < 1000) k = 1000; print k "K" }'
}

echo "# kernel $(uname -r), $(nproc) CPUs usable by tasks ($(nproc --all) in all), $(iperf3 --version | head -1)"
echo "# virtio: the zone's virtio_net (ns gz) <-> hvisor_vhost <-> tap0 (ns rt); veth: a veth pair (ns vz <-> vr), the baseline"
echo "# one queue pair; ${t} s per iperf3 run; in = root -> zone (the device's receive queue), out = zone -> root (its transmit queue)"
start=$(date +%s)
bench virtio
e2e_log "virtio done in $(( $(date +%s) - start )) s"
bench veth
e2e_log "both done in $(( $(date +%s) - start )) s"

# The table. Each row: key label unit field kind (tp: higher is better,
# lat: lower is better, loss: no ratio).
rows=(
	"tcp_in|TCP in|Mbit/s|1|tp"
	"tcp_out|TCP out|Mbit/s|1|tp"
	"udp_in|UDP 1472B in, unthrottled|Mbit/s|1|tp"
	"udp_in|  loss|%|2|loss"
	"udp_out|UDP 1472B out, unthrottled|Mbit/s|1|tp"
	"udp_out|  loss|%|2|loss"
	"udpr_in|UDP 1472B in at $rate_in|Mbit/s|1|tp"
	"udpr_in|  loss|%|2|loss"
	"udpr_out|UDP 1472B out at $rate_out|Mbit/s|1|tp"
	"udpr_out|  loss|%|2|loss"
	"udp64_in|UDP 64B in, unthrottled|pkt/s|3|tp"
	"udp64_in|  loss|%|2|loss"
	"udp64_out|UDP 64B out, unthrottled|pkt/s|3|tp"
	"udp64_out|  loss|%|2|loss"
	"ping|ping -i 0.01, p50|us|1|lat"
	"ping|ping -i 0.01, avg|us|2|lat"
	"flood|ping -f (1 in flight)|rtt/s|1|tp"
)
row() { printf '%-28s %-7s %9s %9s %7s %8s %8s %7s\n' "$@"; }
echo
row measurement unit veth virtio ratio irqs notifies pkt/irq
for r in "${rows[@]}"; do
	IFS='|' read -r key label unit f kind <<<"$r"
	va=$(cut -d' ' -f"$f" <<<"${val[veth/$key]:--}")
	vb=$(cut -d' ' -f"$f" <<<"${val[virtio/$key]:--}")
	ratio=$(awk -v a="$va" -v b="$vb" -v k="$kind" 'BEGIN {
		if (k == "loss" || a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || a + 0 == 0 || b + 0 == 0) print "-"
		else if (k == "lat") printf "x%.1f\n", b / a
		else printf "%.0f%%\n", 100 * b / a }')
	irqs=- notifs=- ppi=-
	if [ "$kind" != loss ] && [ "$label" != "ping -i 0.01, avg" ] &&
	   [ -n "${cnt[virtio/$key]:-}" ]; then
		read -r irqs notifs pkts <<<"${cnt[virtio/$key]}"
		ppi=$(awk -v p="$pkts" -v i="$irqs" 'BEGIN { if (i > 0) printf "%.1f", p / i; else print "-" }')
	fi
	row "$label" "$unit" "$va" "$vb" "$ratio" "$irqs" "$notifs" "$ppi"
done
echo "# ratio: virtio / veth (latency rows: how many times veth's round trip); irqs, notifies, pkt/irq: the virtio device's interrupts, notifies and (rx + tx packets) / interrupts during that measurement (veth has no device)"

read -r irqs notifs pkts <<<"$(counters)"
echo "# $name totals: $irqs interrupts, $notifs notifies, rx $(cat "$sys/net_stats/rx_packets") + tx $(cat "$sys/net_stats/tx_packets") packets ($(awk -v p="$pkts" -v i="$irqs" 'BEGIN { printf "%.1f", i ? p / i : 0 }') per interrupt), rx_too_small $(cat "$sys/net_stats/rx_too_small"), rx_errors $(cat "$sys/net_stats/rx_errors"), tx_errors $(( $(cat "$sys/net_stats/tx_errors") - tx_errors0 )), tx_malformed $(cat "$sys/net_stats/tx_malformed"); tap0 TX dropped $(ip netns exec rt cat /sys/class/net/tap0/statistics/tx_dropped)"

hvisor-sim guest del zone="$GUEST_ZONE" addr="$addr"
hvisorctl del "$name"
hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
ip netns del vz
ip netns del vr
