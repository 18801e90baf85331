#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio-console benchmark (make bench; figures, not pass/fail). In one VM
# run, BENCH_CONSOLE_MIB (default 2) MiB each way, raw mode, 64 KiB
# writes and reads:
#
#   virtio  the zone's /dev/hvc0 (upstream virtio_console) <-> hvisor_vhost
#           <-> the root's /dev/ttyHV0; "out" is zone -> root (the
#           device's transmit queue), "in" root -> zone (its receive queue)
#   pty     a pty pair, what hvisor-tool's daemon gives the console today
#           (the slave as the zone's end, the master as the root's): the
#           baseline, the same tty layer without a device in between
#
# The zone's end is written and read on CPU 0 (the in-kernel guest's), the
# root's on the root CPUs, as e2e/console.sh places them. Prints KiB/s,
# the ratio to pty, and the CPU per KiB moved: the whole VM's busy time
# (every CPU, /proc/stat ticks: both ends, the tty layers, the device)
# and, for virtio, the part hvisor_vhost's threads ran (hv-dispatch and
# the device's queue workers, schedstat).
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"

mib=${BENCH_CONSOLE_MIB:-2}

modprobe virtio_console
guest_zone_up
addr=$(dev_addr 0)
read -r name tty <<<"$(hvisorctl add console zone="$GUEST_ZONE" \
	addr="$addr" len=0x200 irq="$GUEST_IRQ_BASE")"
hvisor-sim guest add zone="$GUEST_ZONE" addr="$addr" irq="$GUEST_IRQ_BASE"
wait_for 10 test -c /dev/hvc0
root_side_begin

echo "# kernel $(uname -r), $(nproc --all) CPUs; $mib MiB each way, 64 KiB writes; zone end on CPU 0, root end on CPUs $root_cpus"
python3 - "$mib" "$name" "$tty" "$root_cpus" <<'EOF'
import glob, os, sys, time, tty

mib, dev, root_tty, root_cpus = sys.argv[1:5]
size = int(mib) << 20
lo, hi = map(int, root_cpus.split("-"))
ROOT, ZONE = set(range(lo, hi + 1)), {0}
HZ = os.sysconf("SC_CLK_TCK")


def busy_ticks():
    f = list(map(int, open("/proc/stat").readline().split()[1:]))
    return f[0] + f[1] + f[2] + f[5] + f[6] + f[7]


def module_ns():
    ns = 0
    for comm in glob.glob("/proc/[0-9]*/task/[0-9]*/comm"):
        try:
            c = open(comm).read().strip()
            if c == "hv-dispatch" or c.startswith("hv-%s-q" % dev):
                ns += int(open(comm[:-4] + "schedstat").read().split()[0])
        except OSError:
            pass
    return ns


def transfer(wfd, rfd):
    """size bytes from wfd (written on the zone's or root's CPUs by a child)
    to rfd; returns (seconds, busy us per KiB, module us per KiB)."""
    data = os.urandom(65536)
    t0, b0, m0 = time.monotonic(), busy_ticks(), module_ns()
    pid = os.fork()
    if pid == 0:
        os.sched_setaffinity(0, writer_cpus)
        left = size
        while left:
            left -= os.write(wfd, data[:min(left, len(data))])
        os._exit(0)
    os.sched_setaffinity(0, reader_cpus)
    got = 0
    while got < size:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        got += len(chunk)
    os.waitpid(pid, 0)
    t = time.monotonic() - t0
    kib = got / 1024
    if got != size:
        print("# short transfer: %d of %d bytes" % (got, size))
    return (t, (busy_ticks() - b0) * 1e6 / HZ / kib,
            (module_ns() - m0) / 1e3 / kib)


zone_fd = os.open("/dev/hvc0", os.O_RDWR | os.O_NOCTTY)
root_fd = os.open(root_tty, os.O_RDWR | os.O_NOCTTY)
master, slave = os.openpty()
for fd in (zone_fd, root_fd, slave):
    tty.setraw(fd)

rows = {}
for kind, zfd, rfd in (("virtio", zone_fd, root_fd), ("pty", slave, master)):
    writer_cpus, reader_cpus = ZONE, ROOT
    rows[kind, "out"] = transfer(zfd, rfd)
    writer_cpus, reader_cpus = ROOT, ZONE
    rows[kind, "in"] = transfer(rfd, zfd)

fmt = "%-22s %10s %10s %7s %13s %13s %14s"
print(fmt % ("direction", "pty KiB/s", "virtio", "ratio", "pty us/KiB",
             "virtio us/KiB", "hvisor_vhost"))
for d, label in (("out", "out (zone -> root)"), ("in", "in (root -> zone)")):
    p, v = rows["pty", d], rows["virtio", d]
    rp, rv = size / 1024 / p[0], size / 1024 / v[0]
    print(fmt % (label, "%.0f" % rp, "%.0f" % rv, "%.0f%%" % (100 * rv / rp),
                 "%.2f" % p[1], "%.2f" % v[1], "%.2f" % v[2]))
print("# us/KiB: the whole VM's busy CPU time per KiB moved (all CPUs, "
      "/proc/stat ticks); hvisor_vhost: its threads' part (schedstat)")
EOF
root_side_end

e2e_log "$name: $(grep -H . /sys/class/hvisor/"$name"/stats/* | sed 's|.*/||' | tr '\n' ' ')"
hvisor-sim guest del zone="$GUEST_ZONE" addr="$addr"
hvisorctl del "$name"
hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
