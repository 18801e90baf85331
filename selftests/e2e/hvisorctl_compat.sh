#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-lanes: x86_64/debian (hvisorctl against the module; the rest repeats it)
#
# hvisorctl's commands for users of hvisor-tool, against the module: its
# version (the module's), "virtio start --device" (zones it adds or finds), "virtio start
# FILE", "unload FILE", "zone del --force" and "load --replace" twice, on
# a raw zone of the simulator whose devices are probed through the trap
# path (the magic value and device ID of each window).
. "$(dirname "$0")/lib.sh"

Z=3
CPU=4
MAGIC=$((0x74726976))
work=$(mktemp -d)
img=$work/disk.img
truncate -s 1M "$img"

# probe ADDR: the device ID of the window at ADDR, 0 if nothing answers
# as a virtio-mmio device there.
probe() {
	local magic id

	magic=$(hvisor-sim read $Z $CPU "$1" 4)
	[ "$((magic))" -eq "$MAGIC" ] || { echo 0; return; }
	id=$(hvisor-sim read $Z $CPU $(($1 + 8)) 4)
	echo $((id))
}

# devices: the names of zone Z's devices, sorted, on one line.
devices() {
	hvisorctl list | awk -v z=$Z 'NR > 1 && $3 == z { print $1 }' |
		sort | tr '\n' ' '
}

# one version: the module's MODULE_VERSION and hvisorctl's
ver=$(hvisorctl --version | awk '{ print $2 }')
e2e_log "hvisorctl --version: $(hvisorctl --version)"
check "hvisorctl --version is the module's version" \
	test "$ver" = "$(cat /sys/module/hvisor_vhost/version)"

hvisor-sim zone add $Z cpus=$CPU:1 mem=0x40000000:0x100000 mmio=0x0a000000:0x1000
mem=$(hvisor-sim zone info $Z | grep -o 'mem=[^ ]*')
mem=${mem#mem=}

# virtio start --device, hvisor-tool's syntax: addr and len hexadecimal
out=$(hvisorctl virtio start --mem "$Z=$mem" \
	--device "console,addr=a000000,len=200,irq=33,zone_id=$Z" \
	--device "blk,addr=a000200,len=200,irq=34,zone_id=$Z,img=$img" 2>&1)
e2e_log "$(echo "$out" | tr "\n" " ")"
check "virtio start --device: a console and a disk" \
	test "$(echo "$out" | sed 's/ .*//' | sort | tr '\n' ' ')" = "$(devices)"
check "virtio start --device: the console answers" test "$(probe 0x0a000000)" -eq 3
check "virtio start --device: the disk answers" test "$(probe 0x0a000200)" -eq 2
# list --json and info --json, read by python's JSON parser
check "list --json: both devices, zone a number, the counters" python3 -c '
import json, subprocess, sys
devs = [d for d in json.loads(subprocess.check_output(["hvisorctl", "list", "--json"]))
        if d["zone"] == int(sys.argv[1])]
assert sorted(d["type"] for d in devs) == ["blk", "console"], devs
assert all(d["stats"]["reg_reads"] > 0 for d in devs), devs
assert all(d["addr"].startswith("0xa000") for d in devs), devs
' $Z
blk=$(hvisorctl list | awk -v z=$Z '$2 == "blk" && $3 == z { print $1 }')
check "info --json: the disk, with its counters" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output(["hvisorctl", "info", "--json", sys.argv[1]]))
assert d["type"] == "blk" and d["irq"] == 34 and d["addr"] == "0xa000200", d
assert d["stats"]["reg_reads"] >= 2, d
' "$blk"
check "info without root: what sysfs shows" sh -c "
	setpriv --reuid=65534 --regid=65534 --clear-groups hvisorctl info $blk >$work/info.out &&
	grep -qx 'type             blk' $work/info.out &&
	grep -qx 'irq              34' $work/info.out &&
	grep -qx 'flags            ? (needs root)' $work/info.out"
check "info --json without root: ro is null" sh -c "
	setpriv --reuid=65534 --regid=65534 --clear-groups hvisorctl info --json $blk |
	grep -qF '\"irq\": 34, \"index\": '"
check "virtio start --device: a zone given by --mem must be new" \
	sh -c "! hvisorctl virtio start --mem $Z=$mem --device console,addr=a000400,irq=35,zone_id=$Z 2>/dev/null"

# zone del --force: the devices, then the zone
check "zone del without --force refused" sh -c "! hvisorctl zone del $Z 2>/dev/null"
check "zone del --force" hvisorctl zone del --force $Z
check "zone del --force: no device left" test -z "$(devices)"
check "zone del --force: nothing answers" test "$(probe 0x0a000000)" -eq 0
check "zone del --force: the zone is gone" sh -c "! hvisorctl zone del $Z 2>/dev/null"

# virtio start --device without --mem, the zone added before: used as is
hvisorctl zone add $Z "mem=$mem"
check "virtio start --device: an existing zone, no warning" \
	sh -c "hvisorctl virtio start --device console,addr=a000000,irq=33,zone_id=$Z 2>&1 >/dev/null | grep -c . | grep -qx 0"
check "virtio start --device: its console answers" test "$(probe 0x0a000000)" -eq 3
hvisorctl zone del --force $Z

# the same zone in hvisor-tool's file: zone0_ipa is the root-physical
# address the simulator gave its RAM
IFS=: read -r gpa hpa size <<<"$mem"
cat >"$work/cfg.json" <<EOF
{ "zones": [ { "id": $Z,
    "memory_region": [ { "zone0_ipa": "$hpa", "zonex_ipa": "$gpa",
                         "size": "$size" } ],
    "devices": [
      { "type": "console", "addr": "0xa000000", "len": "0x200", "irq": 33,
        "status": "enable", "comment": "a key hvisor-tool ignores" },
      { "type": "blk", "addr": "0xa000200", "len": "0x200", "irq": 34,
        "img": "$img", "status": "enable" } ] } ] }
EOF

check "load -n warns about the unknown key" \
	sh -c "hvisorctl load -n $work/cfg.json 2>&1 >/dev/null | grep -q 'warning: unknown key \"comment\"'"
check "virtio start FILE (stdin)" sh -c "hvisorctl virtio start - <$work/cfg.json >/dev/null 2>&1"
check "virtio start FILE: the disk answers" test "$(probe 0x0a000200)" -eq 2
before=$(devices)
check "load again is refused (the zone exists)" sh -c "! hvisorctl load $work/cfg.json 2>/dev/null"
check "load --replace" sh -c "hvisorctl load --replace $work/cfg.json >/dev/null 2>&1"
check "load --replace twice" sh -c "hvisorctl load --replace $work/cfg.json >/dev/null 2>&1"
check "load --replace: the same devices" test "$(devices)" = "$before"
check "load --replace: the console answers" test "$(probe 0x0a000000)" -eq 3
check "unload FILE" sh -c "hvisorctl unload $work/cfg.json >/dev/null 2>&1"
check "unload FILE: no device left" test -z "$(devices)"
check "unload FILE: the zone is gone" sh -c "! hvisorctl zone del $Z 2>/dev/null"
check "unload FILE twice" sh -c "hvisorctl unload $work/cfg.json >/dev/null 2>&1"

# a net device whose tap does not exist: refused before anything is added
sed 's/"type": "console"/"type": "net", "tap": "hvnotap0"/' "$work/cfg.json" >"$work/net.json"
check "load of a net device without its tap refused" sh -c "! hvisorctl load $work/net.json 2>/dev/null"
check "... and nothing added" test -z "$(devices)"
check "... the zone neither" sh -c "hvisorctl zone add $Z mem=$mem && hvisorctl zone del $Z"

hvisor-sim zone del $Z
rm -rf "$work"
e2e_done
