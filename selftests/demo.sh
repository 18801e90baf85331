#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a simulated hvisor zone whose "guest" is the upstream Linux
# virtio drivers, served in the kernel by hvisor_vhost. Runs inside the VM.
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

if [ -x "${HV_SRC:-.}/selftests/demo-blk.sh" ]; then
	"${HV_SRC:-.}/selftests/demo-blk.sh"
fi

say "Tear down"
run hvisor-sim guest del zone=1 addr=0xd0000000
run hvisorctl del console0
run hvisorctl zone del 1
run hvisor-sim zone del 1
