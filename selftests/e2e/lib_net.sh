# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# virtio-net helpers for the net_*.sh scripts, sourced after lib.sh.
# Every device is one of the in-kernel guest's (zone GUEST_ZONE): window N
# at dev_addr N, irq GUEST_IRQ_BASE + N. Interfaces are found by their MAC
# (no udev: the kernel names them eth0, eth1, ... in the root namespace).

# net_add N TAP [KEY=VALUE...]: hvisorctl add net on window N, backed by
# TAP; prints the device's name (net0, ...).
net_add() {
	local n=$1 tap=$2 out
	shift 2
	out=$(hvisorctl add net zone="$GUEST_ZONE" addr="$(dev_addr "$n")" \
		len=0x200 irq=$((GUEST_IRQ_BASE + n)) tap="$tap" "$@") || return 1
	echo "${out%% *}"
}

# net_iface_of MAC: "VDEV IFACE" of the virtio_net interface with MAC, in
# the root namespace (sysfs shows only its interfaces).
net_iface_of() {
	local n d
	for n in /sys/bus/virtio/drivers/virtio_net/virtio*/net/*; do
		[ "$(cat "$n/address" 2>/dev/null)" = "$1" ] || continue
		d=${n%/net/*}
		echo "${d##*/} ${n##*/}"
		return 0
	done
	return 1
}

# guest_net_add N MAC: plug window N into the guest; prints "VDEV IFACE"
# of the interface virtio_net made for it, which must have MAC.
guest_net_add() {
	hvisor-sim guest add zone="$GUEST_ZONE" addr="$(dev_addr "$1")" \
		irq=$((GUEST_IRQ_BASE + $1)) >&2 || return 1
	if ! wait_for 20 net_iface_of "$2" >/dev/null; then
		echo "guest_net_add: no virtio_net interface with MAC $2 for window $1" >&2
		return 1
	fi
	net_iface_of "$2"
}

# guest_net_del N: unplug window N from the guest (bounded).
guest_net_del() {
	timeout 60 hvisor-sim guest del zone="$GUEST_ZONE" addr="$(dev_addr "$1")"
}

# ns_addr NS IFACE CIDR: move IFACE into namespace NS (unless it is there),
# give it CIDR and bring it and NS's loopback up.
ns_addr() {
	if [ -e "/sys/class/net/$2" ]; then
		ip link set "$2" netns "$1" || return 1
	fi
	ip -n "$1" addr add "$3" dev "$2" &&
	ip -n "$1" link set "$2" up &&
	ip -n "$1" link set lo up
}

# no_carrier NS IFACE: IFACE in NS reports no carrier (a tap nobody holds,
# a virtio_net link the device reports down).
no_carrier() { ip -n "$1" link show "$2" | grep -q NO-CARRIER; }

# has_carrier NS IFACE: IFACE in NS is up with carrier.
has_carrier() { ip -n "$1" link show "$2" | grep -q LOWER_UP; }

# tcp_one_way FROM TO ADDR PORT SEED WHAT: 4 MiB of pseudo-random bytes
# (from SEED) over TCP from FROM to TO (the caller's namespace functions),
# TO listening on ADDR:PORT; the contents checked. $work: scratch.
xfer=$(dirname "${BASH_SOURCE[0]}")/net_xfer.py
tcp_one_way() {
	local from=$1 to=$2 addr=$3 port=$4 seed=$5 what=$6 got sent
	"$to" python3 "$xfer" recv "$port" > "$work/got_$port" &
	sleep 1
	sent=$("$from" timeout 300 python3 "$xfer" send "$addr" "$port" \
		$((4 << 20)) "$seed")
	wait $! || true
	got=$(cat "$work/got_$port")
	check "4 MiB $what over TCP arrive intact" test "$sent" = "$got"
}

# tcp_both_ways: tcp_one_way from namespace gz (the zone, 10.9.0.2) to rt
# (the root, 10.9.0.1) and back.
tcp_both_ways() {
	tcp_one_way gz rt 10.9.0.1 5001 1 "zone -> root"
	tcp_one_way rt gz 10.9.0.2 5002 2 "root -> zone"
}
