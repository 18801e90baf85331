#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of "hvisorctl console": a pty stands for the console's
# tty (its master plays the zone). What the zone wrote before the attach
# arrives, standard input reaches the zone up to the detach key (Ctrl-])
# and no further, the zone's output arrives, and end of input detaches;
# names are resolved through a fake /sys/class/hvisor, and bad names are
# refused with a message.
#
# Usage: hvisorctl_console.sh PATH/TO/hvisorctl
# hv-args: "$HV_BIN/hvisorctl"

set -u

BIN=${1:?usage: $0 PATH/TO/hvisorctl}
[ -x "$BIN" ] || { echo "$0: $BIN: not executable" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$0: no python3" >&2; exit 4; }
T=$(mktemp -d)
trap '[ -n "${HV_KEEP:-}" ] || rm -rf "$T"' EXIT

pass=0
fail=0
check() {
	local what=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $what"
	fi
}

# The zone's side: a pty; the master writes the "history", then reads
# what hvisorctl relays, then writes live output.
cat > "$T/zone.py" <<'PY'
import os, pty, select, subprocess, sys, time, tty
binary, sysfs, mode = sys.argv[1], sys.argv[2], sys.argv[3]
m, s = pty.openpty()
tty.setraw(s)
path = os.ttyname(s)
os.write(m, b"boot log\n")
env = dict(os.environ, HVISORCTL_SYSFS=sysfs)
os.makedirs(sysfs + "/console3", exist_ok=True)
open(sysfs + "/console3/type", "w").write("console\n")
open(sysfs + "/console3/backend", "w").write("ttyHV3\n")
arg = path
p = subprocess.Popen([binary, "console", arg], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
os.close(s)
def zone_read(want, timeout=5):
    got = b""
    end = time.time() + timeout
    while len(got) < want and time.time() < end:
        r, _, _ = select.select([m], [], [], 0.1)
        if r:
            try:
                got += os.read(m, 4096)
            except OSError:
                break
    return got
time.sleep(0.3)
p.stdin.write(b"typed\r")
p.stdin.flush()
got_in = zone_read(6)
os.write(m, b"live\n")
time.sleep(0.3)
if mode == "detach":
    p.stdin.write(b"ab\x1dnot sent")
    p.stdin.flush()
    got_in += zone_read(2)
else:
    p.stdin.close()
    p.stdin = None
try:
    out, err = p.communicate(timeout=5)
except subprocess.TimeoutExpired:
    p.kill()
    out, err = p.communicate()
    print("hvisorctl did not detach")
got_in += zone_read(100, 0.3)
print("rc=%d" % p.returncode)
print("in=%r" % got_in)
print("out=%r" % out)
print("err=%r" % err)
PY

python3 "$T/zone.py" "$BIN" "$T/sys" detach > "$T/detach" 2>&1
check "replay and live output arrive, in order" \
	grep -qxF "out=b'boot log\\nlive\\n'" "$T/detach"
check "input reaches the zone up to Ctrl-], not beyond" \
	grep -qxF "in=b'typed\\rab'" "$T/detach"
check "Ctrl-] detaches with status 0" grep -qx 'rc=0' "$T/detach"

python3 "$T/zone.py" "$BIN" "$T/sys" eof > "$T/eof" 2>&1
check "end of input detaches with status 0" grep -qx 'rc=0' "$T/eof"
check "end of input: the output came" \
	grep -qxF "out=b'boot log\\nlive\\n'" "$T/eof"

# Names go through the sysfs class.
mkdir -p "$T/sys/blk0" "$T/sys/console3"
echo blk > "$T/sys/blk0/type"
echo console > "$T/sys/console3/type"
echo ttyHV3 > "$T/sys/console3/backend"
run() { HVISORCTL_SYSFS=$T/sys "$BIN" "$@" > "$T/out" 2> "$T/err"; echo $? > "$T/rc"; }
run console blk0
check "a blk device is refused" grep -qxF 'hvisorctl: console: blk0: a blk device, not a console' "$T/err"
check "... with status 1" grep -qx 1 "$T/rc"
run console nosuch
check "an unknown device is refused" grep -qxF "hvisorctl: console: nosuch: no such device in $T/sys (see hvisorctl list)" "$T/err"
check "... with status 2" grep -qx 2 "$T/rc"
run console ../x
check "a name with a slash is refused" grep -qxF "hvisorctl: console: '../x': not a device name (see hvisorctl list)" "$T/err"
run console
check "a missing name is refused" grep -qxF 'hvisorctl: console: missing NAME (usage: hvisorctl console NAME)' "$T/err"
run console console3 x
check "an extra argument is refused" grep -qxF 'hvisorctl: console: too many arguments (usage: hvisorctl console NAME)' "$T/err"
run console console3 </dev/null
check "a console's tty is /dev/<backend>" grep -qF '/dev/ttyHV3' "$T/err"

echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
