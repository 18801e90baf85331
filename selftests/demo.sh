#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a simulated hvisor zone whose "guest" is the upstream Linux
# virtio drivers, served in the kernel by hvisor_vhost: a console, a disk
# and a network interface. Runs inside the VM.
set -euo pipefail

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

say "The modules: hvisor_vhost (the backend) and hvisor_sim (the simulated hypervisor)"
lsmod | grep -E '^hvisor' || true
run ls -l /dev/hvisor_vhost
ps -eo pid,psr,comm | grep -E ' hv-' || true

say "Zone 1 in the simulator (its RAM is the root's own, identity-mapped)"
modprobe virtio_console
run hvisor-sim zone add 1 identity cpus=2:2
mem=$(hvisor-sim zone info 1 | grep -o 'mem=[^ ]*')
run hvisorctl zone add 1 "$mem"

say "A console for zone 1, then the zone's virtio-mmio device appears"
run hvisorctl add console zone=1 addr=0xd0000000 len=0x200 irq=40
run hvisor-sim guest add zone=1 addr=0xd0000000 irq=40
for _ in $(seq 50); do [ -c /dev/hvc0 ] && break; sleep 0.1; done
run hvisorctl list
run hvisorctl info console0

say "Talk: root /dev/ttyHV0 <-> the zone's /dev/hvc0"
exec 5<>/dev/ttyHV0 6<>/dev/hvc0
stty raw -echo <&6
printf 'hello from the zone\n' >&6
printf 'root reads on /dev/ttyHV0: %s\n' "$(timeout 5 head -n 1 <&5 | tr -d '\r')"
printf 'hello from the root\n' >&5
printf 'zone reads on /dev/hvc0:   %s\n' "$(timeout 5 head -n 1 <&6 | tr -d '\r')"
stty rows 40 cols 120 <&5
sleep 0.5
printf 'window size the zone sees:  %s\n' "$(stty size <&6)"
exec 5>&- 6>&-

say "State and statistics in /sys/class/hvisor/console0"
for f in type zone addr irq backend status driver_features; do
	printf '%-16s %s\n' "$f" "$(cat /sys/class/hvisor/console0/$f)"
done
for f in /sys/class/hvisor/console0/stats/*; do
	printf 'stats/%-10s %s\n' "${f##*/}" "$(cat "$f")"
done

say "A disk for zone 1: an image file that hvisorctl opens and hands over"
modprobe -a virtio_blk ext4 loop
img=$(mktemp /tmp/zone1-disk.XXXXXX)
truncate -s 64M "$img"
run hvisorctl add blk zone=1 addr=0xd0001000 len=0x200 irq=41 img="$img" serial=zone1-root
run hvisor-sim guest add zone=1 addr=0xd0001000 irq=41
disk=
for _ in $(seq 100); do
	for b in /sys/block/vd*; do
		[ "$(cat "$b/serial" 2>/dev/null)" = zone1-root ] && disk=${b##*/}
	done
	[ -n "$disk" ] && break
	sleep 0.1
done
[ -n "$disk" ] || { echo "the zone's disk did not appear" >&2; exit 1; }
# No udev here: devtmpfs makes the node, or we do.
for _ in $(seq 50); do [ -b "/dev/$disk" ] && break; sleep 0.1; done
[ -b "/dev/$disk" ] || mknod "/dev/$disk" b $(tr ':' ' ' < "/sys/block/$disk/dev")
printf 'the zone sees /dev/%s: %s sectors, serial %s\n' "$disk" \
	"$(cat "/sys/block/$disk/size")" "$(cat "/sys/block/$disk/serial")"

say "The zone makes a file system on its disk and uses it"
mnt=$(mktemp -d)
run mkfs.ext4 -q -L zone1 "/dev/$disk"
run mount "/dev/$disk" "$mnt"
echo "written by zone 1 through virtio-blk" > "$mnt/hello.txt"
run cp -r /etc/apt "$mnt/"
run sync
run df -h "$mnt"
run umount "$mnt"
run hvisorctl info blk0
for f in /sys/class/hvisor/blk0/stats/*; do
	printf 'stats/%-10s %s\n' "${f##*/}" "$(cat "$f")"
done
run hvisor-sim guest del zone=1 addr=0xd0001000
run hvisorctl del blk0

say "The root reads the zone's file system natively, from the image"
run e2fsck -fn "$img"
run mount -o ro,loop "$img" "$mnt"
run cat "$mnt/hello.txt"
run diff -r /etc/apt "$mnt/apt" && echo "the copied tree is identical"
umount "$mnt"
rm -f "$img"

say "A network for zone 1: a tap in the root, the zone's virtio_net on the other end"
modprobe -a tun virtio_net
run ip tuntap add dev tap0 mode tap vnet_hdr
run hvisorctl add net zone=1 addr=0xd0002000 len=0x200 irq=42 tap=tap0
run hvisor-sim guest add zone=1 addr=0xd0002000 irq=42
eth=
for _ in $(seq 100); do
	eth=$(ls /sys/bus/virtio/drivers/virtio_net/virtio*/net/ 2>/dev/null) && [ -n "$eth" ] && break
	sleep 0.1
done
[ -n "$eth" ] || { echo "the zone's interface did not appear" >&2; exit 1; }
printf 'the zone sees %s, MAC %s\n' "$eth" "$(cat "/sys/class/net/$eth/address")"
# Both ends live in this one kernel: a namespace each, so that traffic
# between them crosses the device instead of the loopback. The tap first:
# frames the zone sends while it is down are refused (tx_errors).
run ip netns add root
run ip link set tap0 netns root
run ip -n root addr add 10.0.0.1/24 dev tap0
run ip -n root link set tap0 up
run ip netns add zone1
run ip link set "$eth" netns zone1
run ip -n zone1 addr add 10.0.0.2/24 dev "$eth"
run ip -n zone1 link set "$eth" up
zone() { ip netns exec zone1 "$@"; }
for _ in $(seq 20); do zone ping -c 1 -W 1 10.0.0.1 >/dev/null && break; done

say "The zone pings the root"
run ip netns exec zone1 ping -c 3 10.0.0.1

say "The zone fetches a file over TCP from an HTTP server in the root"
www=$(mktemp -d)
head -c 4M /dev/urandom > "$www/zone1.bin"
printf '$ ip netns exec root python3 -m http.server 8080 --bind 10.0.0.1 &\n'
ip netns exec root python3 -m http.server 8080 --bind 10.0.0.1 \
	--directory "$www" >/dev/null 2>&1 &
http=$!
for _ in $(seq 100); do
	ip netns exec root ss -Hltn 'sport = :8080' | grep -q . && break
	sleep 0.1
done
run ip netns exec zone1 busybox wget -q -O /tmp/zone1-got.bin http://10.0.0.1:8080/zone1.bin
run sha256sum "$www/zone1.bin" /tmp/zone1-got.bin
[ "$(sha256sum < "$www/zone1.bin")" = "$(sha256sum < /tmp/zone1-got.bin)" ] ||
	{ echo "the file the zone received differs" >&2; exit 1; }
echo "the zone received the root's 4 MiB file intact"
kill "$http"
wait "$http" 2>/dev/null || true
rm -rf "$www" /tmp/zone1-got.bin
run hvisorctl info net0
for f in /sys/class/hvisor/net0/stats/interrupts /sys/class/hvisor/net0/stats/notifies \
	 /sys/class/hvisor/net0/net_stats/*; do
	printf '%-22s %s\n' "${f#/sys/class/hvisor/net0/}" "$(cat "$f")"
done
run hvisor-sim guest del zone=1 addr=0xd0002000
run hvisorctl del net0
ip netns del zone1
ip netns del root

say "Tear down"
run hvisor-sim guest del zone=1 addr=0xd0000000
run hvisorctl del console0
run hvisorctl zone del 1
run hvisor-sim zone del 1
