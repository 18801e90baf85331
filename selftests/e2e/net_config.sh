#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-lanes: x86_64/debian (hvisorctl load of a net device; net.sh runs the data path on every lane)
#
# hvisor-tool's x86_64 example (examples/nuc14mnk-x86_64/virtio_cfg.json:
# a console, a net device on tap0 with its "mac" array of strings, and a
# disk) loaded with "hvisorctl load", moved onto the simulator's guest
# zone: its one RAM region becomes the identity zone's regions, each
# window the start of a page in the PCI hole (dev_addr), the irqs the
# guest's. Every other key stays as hvisor-tool writes it. Loaded again
# with "load --replace", twice (a boot script run again), the net device
# takes over the single-queue tap0 from the one it replaces. The zone's
# virtio_net gets the file's MAC and passes traffic to the tap; then
# "hvisorctl unload FILE" removes the devices and the zone, and leaves the
# tap alone (hvisorctl never creates or deletes interfaces).
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=selftests/e2e/lib_net.sh
. "$(dirname "$0")/lib_net.sh"

modprobe tun
modprobe virtio_net
fixtures=$(cd "$(dirname "$0")/../fixtures/hvisor-tool" && pwd)
work=$(mktemp -d)
cd "$work"

# The example as hvisor-tool has it.
cp "$fixtures/nuc14mnk-x86_64.json" orig.json
truncate -s 4M rootfs2.img

# The simulator's zone: identity RAM (the root's), as guest_zone_up
# makes it, but the hvisor_vhost side comes from the file.
hvisor-sim zone add "$GUEST_ZONE" identity cpus=2:2
mem=$(hvisor-sim zone info "$GUEST_ZONE" | grep -o 'mem=[^ ]*')
# Device i: window dev_addr i, irq GUEST_IRQ_BASE + i.
cat >rewrite.py <<'EOF'
import json, sys
zone, mem, addrs, irq = int(sys.argv[1]), sys.argv[2], sys.argv[3:6], int(sys.argv[6])
cfg = json.load(sys.stdin)
z = cfg["zones"][0]
z["id"] = zone
regions = []
for r in mem.split(","):
    gpa, hpa, size = r.split(":")
    regions.append({"zone0_ipa": hpa, "zonex_ipa": gpa, "size": size})
z["memory_region"] = regions
for i, d in enumerate(z["devices"]):
    d["addr"] = addrs[i]
    d["irq"] = irq + i
json.dump(cfg, sys.stdout, indent=4)
EOF
python3 rewrite.py "$GUEST_ZONE" "${mem#mem=}" "$(dev_addr 0)" "$(dev_addr 1)" \
	"$(dev_addr 2)" "$GUEST_IRQ_BASE" <orig.json >virtio_cfg.json
net_addr=$(dev_addr 1)
check "the net entry keeps hvisor-tool's keys and its mac array" python3 -c '
import json
o = json.load(open("orig.json"))["zones"][0]["devices"][1]
n = json.load(open("virtio_cfg.json"))["zones"][0]["devices"][1]
assert list(o) == list(n), (list(o), list(n))
assert all(o[k] == n[k] for k in o if k not in ("addr", "irq")), n
assert n["mac"] == ["0x00", "0x16", "0x3e", "0x10", "0x10", "0x10"], n
'

ip tuntap add dev tap0 mode tap vnet_hdr
e2e_log "load -n: $(hvisorctl load -n virtio_cfg.json 2>&1 | grep -v 'zone add' | tr '\n' ';')"
check "load -n: the net device with the file's MAC" sh -c \
	"hvisorctl load -n virtio_cfg.json | grep -q 'add net zone=$GUEST_ZONE addr=$net_addr len=0x200 irq=$((GUEST_IRQ_BASE + 1)) tap=tap0 mac=00:16:3e:10:10:10'"
out=$(hvisorctl load virtio_cfg.json 2>&1) || e2e_fail "hvisorctl load: $out"
e2e_log "load: $(echo "$out" | tr '\n' ';')"
# A boot script run again (the packaged service: load --replace): the
# zone's net device holds tap0's only queue, which load --replace takes
# over once it has removed the zone.
out=$(hvisorctl load virtio_cfg.json 2>&1) || true
check "load again: tap0 in use by the zone's net device" \
	grep -q "tap0: already in use by net[0-9]* of zone $GUEST_ZONE" <<<"$out"
check "load again: --replace is the way" \
	grep -q "load --replace replaces zone $GUEST_ZONE, and net[0-9]* with it" <<<"$out"
for i in 1 2; do
	if out=$(hvisorctl load --replace virtio_cfg.json 2>&1); then
		e2e_pass "load --replace ($i) with the net device on tap0"
	else
		e2e_fail "load --replace ($i) with the net device on tap0: $out"
	fi
done
net=$(hvisorctl list | awk -v z="$GUEST_ZONE" -v a="$net_addr" \
	'NR > 1 && $2 == "net" && $3 == z && $4 == a { print $1 }')
check "load: a console, a net device and a disk in zone $GUEST_ZONE" test \
	"$(hvisorctl list | awk -v z="$GUEST_ZONE" 'NR > 1 && $3 == z { print $2 }' | sort | tr '\n' ' ')" = \
	"blk console net "
check "load: the net device's backend is tap0" \
	test "$(cat "/sys/class/hvisor/$net/backend" 2>/dev/null)" = tap0

read -r _ eth < <(guest_net_add 1 00:16:3e:10:10:10) || true
check "the zone's interface has the file's MAC 00:16:3e:10:10:10" test -n "${eth:-}"
ip netns add gz
ip netns add rt
ip link set tap0 netns rt
ip -n rt addr add 10.9.0.1/24 dev tap0
ip -n rt link set tap0 up
ns_addr gz "$eth" 10.9.0.2/24
check "the zone pings the tap" ip netns exec gz ping -q -c 3 -W 5 10.9.0.1
check "the tap pings the zone" ip netns exec rt ping -q -c 3 -W 5 10.9.0.2
check "1500-byte frames both ways" sh -c \
	"ip netns exec gz ping -q -c 2 -W 5 -M do -s 1472 10.9.0.1 &&
	 ip netns exec rt ping -q -c 2 -W 5 -M do -s 1472 10.9.0.2"
e2e_log "$net: $(for f in "/sys/class/hvisor/$net/net_stats"/*; do printf '%s=%s ' "${f##*/}" "$(cat "$f")"; done)"

check "the guest lets go of the net device" guest_net_del 1
out=$(hvisorctl unload virtio_cfg.json 2>&1) || e2e_fail "hvisorctl unload: $out"
e2e_log "unload: $(echo "$out" | tr '\n' ';')"
check "unload FILE: the net device is among those removed" sh -c "echo '$out' | grep -qx '$net'"
check "unload FILE: no device left" test -z "$(hv_devices)"
check "unload FILE: the zone is gone" sh -c "! hvisorctl zone del $GUEST_ZONE 2>/dev/null"
check "unload FILE: the tap stays, released (no carrier)" no_carrier rt tap0
check "unload FILE twice" sh -c "hvisorctl unload virtio_cfg.json >/dev/null 2>&1"

hvisor-sim zone del "$GUEST_ZONE"
ip netns del gz
ip netns del rt
cd /
rm -rf "$work"
e2e_done
