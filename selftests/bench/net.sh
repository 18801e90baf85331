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
# measurement; then the CPU per packet of each throughput measurement:
# the whole VM's busy time (every CPU's, from /proc/stat: both network
# stacks, iperf3, the device) per packet the link carried either way, for
# veth and virtio, and the part of it hvisor_vhost's threads ran
# (schedstat). Then the TCP and unthrottled UDP measurements again with
# two flows (one iperf3 client and server per flow, flow N on CPU N) over
# a second device with two queue pairs on a multi-queue tap (virtio2,
# namespaces gz2 and rt2; the zone's XPS sends CPU N's packets on pair
# N), against veth with the same two flows (veth2).
# Environment: BENCH_RUNTIME (seconds per iperf3 run, default 4),
# BENCH_UDP_RATE (the below-saturation rate, iperf3 -b syntax; default:
# half the virtio unthrottled rate of each direction).
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=selftests/e2e/lib_net.sh
. "$(dirname "$0")/../e2e/lib_net.sh"

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
# virtio2: two queue pairs, one queue of tap1 each; window 1.
mac2=02:48:56:01:00:22
ip tuntap add dev tap1 mode tap multi_queue vnet_hdr
name2=$(net_add 1 tap1 queues=2 mac=$mac2)
sys2=/sys/class/hvisor/$name2
read -r _ eth2 <<<"$(guest_net_add 1 $mac2)"
link_up gz2 "$eth2" 10.10.0.2
link_up rt2 tap1 10.10.0.1
rxq2=$(ip netns exec gz2 sh -c "ls -d /sys/class/net/$eth2/queues/rx-*" | wc -l)
ip netns add vz
ip netns add vr
ip -n vz link add vzeth type veth peer name vreth netns vr
link_up vz vzeth 10.8.0.2
link_up vr vreth 10.8.0.1

# Per configuration: the zone's namespace, the root's, the zone's
# address, the device (sysfs) and tap, the number of flows.
declare -A zns=([virtio]=gz [veth]=vz [virtio2]=gz2 [veth2]=vz)
declare -A rns=([virtio]=rt [veth]=vr [virtio2]=rt2 [veth2]=vr)
declare -A zip=([virtio]=10.9.0.2 [veth]=10.8.0.2 [virtio2]=10.10.0.2
	[veth2]=10.8.0.2)
declare -A dsys=([virtio]=$sys [virtio2]=$sys2) dtap=([virtio]=tap0 [virtio2]=tap1)
declare -A flows=([virtio2]=2 [veth2]=2)
# Two flows, two pairs: flow N's processes run on CPU N on both sides, and
# the zone's virtio_net transmits from CPU N on pair N (XPS), so that
# each flow's packets both ways, which the tap steers after the zone's
# transmit queue, stay on their pair. (One iperf3 -P 2 process, on one
# CPU, put both flows on one pair.)
ip netns exec gz2 sh -c "echo 1 > /sys/class/net/$eth2/queues/tx-0/xps_cpus &&
	echo 2 > /sys/class/net/$eth2/queues/tx-1/xps_cpus"
wait_for 10 ip netns exec rt ping -c 1 -W 1 10.9.0.2 >/dev/null
wait_for 10 ip netns exec rt2 ping -c 1 -W 1 10.10.0.2 >/dev/null
wait_for 10 ip netns exec vr ping -c 1 -W 1 10.8.0.2 >/dev/null
# Frames the zone sent before the tap was up were refused: count from here.
tx_errors0=$(cat "$sys/net_stats/tx_errors")
tx_errors20=$(cat "$sys2/net_stats/tx_errors")

# counters SYSDIR: the device's interrupts notifies packets (rx + tx).
counters() {
	echo "$(cat "$1/stats/interrupts") $(cat "$1/stats/notifies")" \
		"$(( $(cat "$1/net_stats/rx_packets") + $(cat "$1/net_stats/tx_packets") ))"
}
dev_counters() { if [ -n "${dsys[$1]:-}" ]; then counters "${dsys[$1]}"; fi; }
# qruns: times each of virtio2's queue workers ("hv-<name>-q<N>") was
# scheduled (the third field of its schedstat): which queues carried it.
qruns() {
	local q pid
	for q in 0 1 2 3; do
		pid=$(pgrep -x "hv-$name2-q$q") &&
			printf '%s ' "$(cut -d' ' -f3 "/proc/$pid/schedstat")" ||
			printf '0 '
	done
}
# Drops on the way: the tap's (frames the zone had no buffer for yet) and
# UDP receive-buffer overflows in both namespaces.
drops() {
	local c=$1
	local tap=0
	if [ -n "${dtap[$c]:-}" ]; then
		tap=$(ip netns exec "${rns[$c]}" cat "/sys/class/net/${dtap[$c]}/statistics/tx_dropped")
	fi
	echo "$tap" \
		"$(udp_rcvbuf_errors "${zns[$c]}")" "$(udp_rcvbuf_errors "${rns[$c]}")"
}
udp_rcvbuf_errors() {
	# shellcheck disable=SC2016 # awk's $6
	ip netns exec "$1" awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp
}

declare -A val cnt cpu
# cpu_snap CONFIG: "BUSY_TICKS KTHREAD_NS PACKETS": every CPU's busy time
# (/proc/stat: all but idle and iowait), the run time of hv-dispatch and
# the device's queue workers, and the packets of the link (the device's
# rx + tx; for veth the zone end's).
cpu_snap() {
	local ns=0 pkts dev=${dsys[$1]:-}
	if [ -n "$dev" ]; then
		ns=$(module_ns "${dev##*/}")
		pkts=$(( $(cat "$dev/net_stats/rx_packets") + $(cat "$dev/net_stats/tx_packets") ))
	else
		# shellcheck disable=SC2016 # expanded by the inner sh
		pkts=$(ip netns exec "${zns[$1]}" sh -c \
			'cd /sys/class/net/vzeth/statistics && echo $(( $(cat rx_packets) + $(cat tx_packets) ))')
	fi
	# shellcheck disable=SC2016 # awk's fields
	echo "$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat) $ns $pkts"
}
# cpu_per_pkt BEFORE AFTER: "ALL_US MODULE_US" per packet, or "- -".
cpu_per_pkt() {
	awk -v a="$1" -v b="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {
		split(a, x); split(b, y); n = y[3] - x[3]
		if (n > 0)
			printf "%.2f %.2f\n", (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) / 1e3 / n
		else
			print "- -" }'
}
# server_start CONFIG, server_stop: an iperf3 server per flow in the
# zone's namespace, flow N's on port $port + N and CPU N.
server_start() {
	local i
	port=$((port + 2))
	for ((i = 0; i < ${flows[$1]:-1}; i++)); do
		ip netns exec "${zns[$1]}" taskset -c $i \
			iperf3 -s -D -p $((port + i)) -I "$work/iperf$i.pid"
		wait_for 10 sh -c "ip netns exec ${zns[$1]} ss -Hltn 'sport = :$((port + i))' | grep -q ."
	done
}
server_stop() {
	local f
	for f in "$work"/iperf*.pid; do
		[ -e "$f" ] || continue
		kill "$(cat "$f")" 2>/dev/null || true
		rm -f "$f"
	done
}
# iperf CONFIG KEY ARGS...: one iperf3 client per flow (flow N on CPU N)
# against the servers in the zone's namespace (server_start), at once;
# stores val[CONFIG/KEY], the flows' sum (Mbit/s received; for UDP
# "Mbit/s loss% packets/s").
iperf() {
	local c=$1 key=$2 kind=tcp r c0 c1 d0 d1 q0 q1 s0 s1 qs='' t0=$SECONDS
	local i n=${flows[$1]:-1} pids=()
	shift 2
	[[ " $* " == *" -u "* ]] && kind=udp
	c0=$(dev_counters "$c")
	d0=$(drops "$c")
	q0=$(qruns)
	s0=$(cpu_snap "$c")
	for ((i = 0; i < n; i++)); do
		ip netns exec "${rns[$c]}" taskset -c $i timeout $((t + 60)) \
			iperf3 -c "${zip[$c]}" -p $((port + i)) -t "$t" --json "$@" \
			>"$work/$c-$key-$i.json" 2>"$work/$c-$key-$i.err" &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	s1=$(cpu_snap "$c")
	cpu[$c/$key]=$(cpu_per_pkt "$s0" "$s1")
	c1=$(dev_counters "$c")
	d1=$(drops "$c")
	q1=$(qruns)
	[ "$c" != virtio2 ] || qs="queue 0-3 worker runs +$(delta "$q0" "$q1")"
	# Each flow's "sum_received": bits/s, packets, lost packets, seconds;
	# then their sum (loss: of all the flows' packets).
	r=$(for ((i = 0; i < n; i++)); do
		awk '
		/"sum_received":/ { on = 1; next }
		on && /}/ { on = 0 }
		on { k = $1; gsub(/[":]/, "", k); v = $2; sub(/,$/, "", v); f[k] = v }
		END {
			if (!("bits_per_second" in f)) print "-"
			else print f["bits_per_second"], f["packets"] + 0,
				f["lost_packets"] + 0, f["seconds"]
		}' "$work/$c-$key-$i.json"
	done | awk -v kind=$kind -v n="$n" '
		$1 == "-" { bad = 1 }
		{ bps += $1; pk += $2; lost += $3; secs += $4 }
		END {
			if (bad || NR != n) { print "- - -"; exit }
			if (kind == "tcp") printf "%.1f\n", bps / 1e6
			else printf "%.1f %.1f %.0f\n", bps / 1e6,
				pk ? 100 * lost / pk : 0, (pk - lost) / (secs / n)
		}')
	val[$c/$key]=$r
	[ -z "$c0" ] || cnt[$c/$key]=$(delta "$c0" "$c1")
	e2e_log "$c $key ($n flow(s)${*:+, }$*): $r; tap drops, UDP rcvbuf errors zone, root: +$(delta "$d0" "$d1")${qs:+; $qs}($((SECONDS - t0)) s)"
	if [ "${r%% *}" = - ]; then
		e2e_log "$c $key failed: $(cat "$work/$c-$key-"*.err) $(grep -h '"error"' "$work/$c-$key-"*.json || true)"
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

# bench CONFIG [two]: every measurement on one configuration; with "two",
# the two-flow ones only (TCP, unthrottled UDP).
bench() {
	local c=$1 two=${2:-}
	server_start "$c"
	iperf "$c" tcp_in
	iperf "$c" tcp_out -R
	iperf "$c" udp_in -u -b 0 -l 1472
	iperf "$c" udp_out -u -b 0 -l 1472 -R
	if [ -z "$two" ]; then
		# Below saturation: half of what virtio received unthrottled
		# (the same rate for both configurations; virtio runs first).
		rate_in=${BENCH_UDP_RATE:-${rate_in:-$(half "${val[virtio/udp_in]}")}}
		rate_out=${BENCH_UDP_RATE:-${rate_out:-$(half "${val[virtio/udp_out]}")}}
		iperf "$c" udpr_in -u -b "$rate_in" -l 1472
		iperf "$c" udpr_out -u -b "$rate_out" -l 1472 -R
	fi
	iperf "$c" udp64_in -u -b 0 -l 64
	iperf "$c" udp64_out -u -b 0 -l 64 -R
	server_stop
	[ -n "$two" ] || pings "$c"
}
# half "MBPS ...": half of MBPS as an iperf3 rate in kbit/s (at least 1M).
half() {
	awk -v m="${1%% *}" 'BEGIN { k = int(m * 500); if (k < 1000) k = 1000; print k "K" }'
}

echo "# kernel $(uname -r), $(nproc) CPUs usable by tasks ($(nproc --all) in all), $(iperf3 --version | head -1)"
echo "# virtio: the zone's virtio_net (ns gz) <-> hvisor_vhost <-> tap0 (ns rt); veth: a veth pair (ns vz <-> vr), the baseline"
echo "# virtio2: a second device, 2 queue pairs on tap1 (multi-queue; ns gz2 <-> rt2; the zone's virtio_net has $rxq2 receive queues), and veth2 (the same veth pair), with 2 flows (one iperf3 client and server per flow, flow N on CPU N in both namespaces; virtio2's XPS: CPU N on pair N)"
echo "# ${t} s per iperf3 run; in = root -> zone (the device's receive queues), out = zone -> root (its transmit queues)"
start=$(date +%s)
bench virtio
e2e_log "virtio done in $(( $(date +%s) - start )) s"
bench veth
e2e_log "veth done in $(( $(date +%s) - start )) s"
bench virtio2 two
bench veth2 two
e2e_log "all done in $(( $(date +%s) - start )) s"

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
	"2:tcp_in|2 queues, 2 flows: TCP in|Mbit/s|1|tp"
	"2:tcp_out|2 queues, 2 flows: TCP out|Mbit/s|1|tp"
	"2:udp_in|  UDP 1472B in|Mbit/s|1|tp"
	"2:udp_in|  loss|%|2|loss"
	"2:udp_out|  UDP 1472B out|Mbit/s|1|tp"
	"2:udp_out|  loss|%|2|loss"
	"2:udp64_in|  UDP 64B in|pkt/s|3|tp"
	"2:udp64_in|  loss|%|2|loss"
	"2:udp64_out|  UDP 64B out|pkt/s|3|tp"
	"2:udp64_out|  loss|%|2|loss"
)
row() { printf '%-28s %-7s %9s %9s %7s %8s %8s %7s\n' "$@"; }
echo
row measurement unit veth virtio ratio irqs notifies pkt/irq
for r in "${rows[@]}"; do
	IFS='|' read -r key label unit f kind <<<"$r"
	# "2:KEY": the two-queue device and veth with two flows.
	cv=virtio ce=veth
	if [[ $key == 2:* ]]; then
		key=${key#2:} cv=virtio2 ce=veth2
	fi
	va=$(cut -d' ' -f"$f" <<<"${val[$ce/$key]:--}")
	vb=$(cut -d' ' -f"$f" <<<"${val[$cv/$key]:--}")
	ratio=$(awk -v a="$va" -v b="$vb" -v k="$kind" 'BEGIN {
		if (k == "loss" || a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || a + 0 == 0 || b + 0 == 0) print "-"
		else if (k == "lat") printf "x%.1f\n", b / a
		else printf "%.0f%%\n", 100 * b / a }')
	irqs=- notifs=- ppi=-
	if [ "$kind" != loss ] && [ "$label" != "ping -i 0.01, avg" ] &&
	   [ -n "${cnt[$cv/$key]:-}" ]; then
		read -r irqs notifs pkts <<<"${cnt[$cv/$key]}"
		ppi=$(awk -v p="$pkts" -v i="$irqs" 'BEGIN { if (i > 0) printf "%.1f", p / i; else print "-" }')
	fi
	row "$label" "$unit" "$va" "$vb" "$ratio" "$irqs" "$notifs" "$ppi"
done
echo "# ratio: virtio / veth (latency rows: how many times veth's round trip); irqs, notifies, pkt/irq: the virtio device's interrupts, notifies and (rx + tx packets) / interrupts during that measurement (veth has no device)"

# CPU per packet of the throughput measurements.
crow() { printf '%-28s %12s %12s %7s %14s\n' "$@"; }
echo
crow measurement "veth us/pkt" "virtio" ratio "hvisor_vhost"
for r in "${rows[@]}"; do
	IFS='|' read -r key label unit f kind <<<"$r"
	if [ "$kind" != tp ] || [ "$key" = flood ]; then
		continue
	fi
	cv=virtio ce=veth
	if [[ $key == 2:* ]]; then
		key=${key#2:} cv=virtio2 ce=veth2
	fi
	read -r va _ <<<"${cpu[$ce/$key]:-- -}"
	read -r vb vm <<<"${cpu[$cv/$key]:-- -}"
	crow "$label" "$va" "$vb" "$(awk -v a="$va" -v b="$vb" 'BEGIN {
		if (a + 0 > 0 && b + 0 > 0) printf "%.0f%%", 100 * b / a; else print "-" }')" "$vm"
done
echo "# us/pkt: the whole VM's busy CPU time (all $(nproc --all) CPUs, /proc/stat ticks: both stacks, iperf3, the device) per packet the link carried either way (virtio: the device's rx + tx; veth: the zone end's); ratio: virtio / veth; hvisor_vhost: the part its threads ran (hv-dispatch and the device's queue workers, schedstat), per packet"

# totals NAME SYSDIR TAP NS TX_ERRORS0: the device's totals and errors.
totals() {
	local irqs notifs pkts
	read -r irqs notifs pkts <<<"$(counters "$2")"
	echo "# $1 totals: $irqs interrupts, $notifs notifies, rx $(cat "$2/net_stats/rx_packets") + tx $(cat "$2/net_stats/tx_packets") packets ($(awk -v p="$pkts" -v i="$irqs" 'BEGIN { printf "%.1f", i ? p / i : 0 }') per interrupt), rx_too_small $(cat "$2/net_stats/rx_too_small"), rx_errors $(cat "$2/net_stats/rx_errors"), tx_errors $(( $(cat "$2/net_stats/tx_errors") - $5 )), tx_malformed $(cat "$2/net_stats/tx_malformed"); $3 TX dropped $(ip netns exec "$4" cat "/sys/class/net/$3/statistics/tx_dropped")"
}
totals "$name" "$sys" tap0 rt "$tx_errors0"
totals "$name2" "$sys2" tap1 rt2 "$tx_errors20"

guest_net_del 1
hvisorctl del "$name2"

hvisor-sim guest del zone="$GUEST_ZONE" addr="$addr"
hvisorctl del "$name"
hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
ip netns del vz
ip netns del vr
ip netns del gz2
ip netns del rt2
