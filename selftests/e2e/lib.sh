# SPDX-License-Identifier: GPL-2.0
# Helpers for end-to-end scripts run inside the test VM (see selftests/vm-run).
# The in-kernel guest is the simulator's virtio transport: upstream virtio
# drivers bound to devices that hvisor_vhost serves through the trap path.

set -euo pipefail

E2E_NAME=${0##*/}
E2E_FAILED=0
# A command that fails outside check() ends the script (set -e): say which.
trap 'printf "not ok - %s line %s: \"%s\" failed\n" "$E2E_NAME" "$LINENO" "$BASH_COMMAND"' ERR

# Each result line ends with the seconds since the previous one (or the
# script's start), so that a lane's slow steps show in its log.
E2E_LAST=$SECONDS
e2e_result() {
	printf '%s - %s [+%ss]\n' "$1" "$2" $((SECONDS - E2E_LAST))
	E2E_LAST=$SECONDS
}
e2e_log() { printf '# %s\n' "$*"; }
e2e_fail() { e2e_result "not ok" "$*"; E2E_FAILED=1; }
e2e_pass() { e2e_result ok "$*"; }

# scaled N: how much data a test moves through a path, N (MiB, or a
# count) on the x86_64/debian lane and a quarter of it (at least 1) on
# the lanes that run what only they can catch, the debug kernel's
# sanitizers and 6.12's APIs and guest drivers: there every path still
# runs, and its volume would only cost time (Documentation/testing.rst).
scaled() {
	if [ "${HV_KERNEL:-debian}" = debian ]; then
		echo "$1"
	else
		echo $(($1 / 4 > 0 ? $1 / 4 : 1))
	fi
}

# check DESCRIPTION CMD...: run CMD, report the outcome.
check() {
	local what=$1; shift
	if "$@"; then e2e_pass "$what"; else e2e_fail "$what"; fi
}

e2e_done() {
	if [ "$E2E_FAILED" -ne 0 ]; then
		echo "# $E2E_NAME: FAILED"
		exit 1
	fi
	echo "# $E2E_NAME: all passed"
	exit 0
}

# wait_for TIMEOUT_S CMD...: poll until CMD succeeds.
wait_for() {
	local deadline=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# root_side_begin: keep the root's side of a console test on the root's
# CPUs until root_side_end: sets $root_cpus and moves the unbound
# workqueues (the tty layer's flush work) there; root CMD... runs CMD
# there. virtio_console waits for each write spinning with interrupts
# off, and khvcd spins on its lock meanwhile: both of the zone's CPUs can
# be taken. On hvisor the root never runs there; here the in-kernel guest
# shares a kernel with the root, and the root's flush work queued on a
# spinning zone CPU would leave the device's output to the root's tty
# undelivered, and the guest spinning on it, for good.
WQ_CPUMASK=/sys/devices/virtual/workqueue/cpumask
root_side_begin() {
	root_cpus=$(cat /sys/module/hvisor_vhost/parameters/cpus)
	if ! [[ $root_cpus =~ ^([0-9]+)-([0-9]+)$ ]]; then
		e2e_fail "vm-run gives the root CPUs as a range, not '$root_cpus'"
		e2e_done
	fi
	wq_saved=$(cat "$WQ_CPUMASK")
	printf '%x' $(( (2 << BASH_REMATCH[2]) - (1 << BASH_REMATCH[1]) )) \
		> "$WQ_CPUMASK"
}
root_side_end() { echo "$wq_saved" > "$WQ_CPUMASK"; }
root() { taskset -c "$root_cpus" "$@"; }

# Zone 1: the in-kernel guest, its RAM the root's own (identity regions).
GUEST_ZONE=1
GUEST_IRQ_BASE=40

# guest_zone_up: create zone 1 in the simulator and in hvisor_vhost.
guest_zone_up() {
	hvisor-sim zone add "$GUEST_ZONE" identity cpus=2:2
	# shellcheck disable=SC2046
	hvisorctl zone add "$GUEST_ZONE" $(hvisor-sim zone info "$GUEST_ZONE" | grep -o "mem=[^ ]*")
}

# dev_addr N: window of the Nth device, each at the start of its own region
# so that its QueueNotify is asynchronous (hvisor's rule), in the PCI hole
# below 4 GiB: outside the identity zone's RAM.
dev_addr() { printf '0x%x' $(( 0xd0000000 + $1 * 0x1000 )); }

# virtio_dev_of ADDR: the guest's virtio device name for a window.
virtio_dev_of() {
	local d
	for d in /sys/bus/virtio/devices/virtio*; do
		if grep -qi "$(printf '%x' "$1")" "$d/../uevent" 2>/dev/null ||
		   readlink -f "$d" | grep -qi "$(printf '%x' "$1")"; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# hv_devices: the module's devices, one name per line (detached ones too).
hv_devices() { hvisorctl list | awk 'NR > 1 { print $1 }'; }

# sum FILE: checksum.
sum() { sha256sum "$1" | cut -d' ' -f1; }

# ---------------------------------------------------------------------
# virtio-blk helpers (blk_*.sh)

# No udev in the test VM: without /dev/fd, bash's <(...) does not work.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd 2>/dev/null || true

# vdisks: the guest's virtio disks, one per line.
vdisks() {
	local d
	for d in /sys/block/vd*; do
		[ -e "$d" ] && basename "$d"
	done
	return 0
}

# guest_disk_add N: plug device window N (dev_addr N, irq GUEST_IRQ_BASE+N)
# into the guest and print the disk virtio_blk created for it (vda, ...).
guest_disk_add() {
	local before d
	before=" $(vdisks | tr '\n' ' ') "
	hvisor-sim guest add zone="$GUEST_ZONE" addr="$(dev_addr "$1")" \
		irq=$((GUEST_IRQ_BASE + $1)) >&2 || return 1
	for _ in $(seq 200); do
		for d in $(vdisks); do
			if [[ $before != *" $d "* ]] &&
			   [ "$(cat "/sys/block/$d/size" 2>/dev/null)" != "" ]; then
				udev_settle_disk "$d"
				echo "$d"
				return 0
			fi
		done
		sleep 0.1
	done
	echo "guest_disk_add: no new virtio disk for window $1" >&2
	return 1
}

# guest_disk_del N: unplug device window N from the guest.
guest_disk_del() {
	hvisor-sim guest del zone="$GUEST_ZONE" addr="$(dev_addr "$1")"
}

# udev_settle_disk NAME: no udev in the test VM: wait for devtmpfs to
# create /dev/NAME (make it if it does not; the debug kernel on a loaded
# host can take seconds).
udev_settle_disk() {
	local dev
	# A program that wrote to the disk while it was gone made a file.
	if [ -e "/dev/$1" ] && [ ! -b "/dev/$1" ]; then
		e2e_log "/dev/$1 was a plain file; removed" >&2
		rm -f "/dev/$1"
	fi
	wait_for 30 test -b "/dev/$1" && return 0
	if dev=$(cat "/sys/block/$1/dev") &&
	   { mknod "/dev/$1" b "${dev%:*}" "${dev#*:}" 2>/dev/null ||
	     test -b "/dev/$1"; }; then
		return 0
	fi
	e2e_fail "/dev/$1 appears (sysfs dev: ${dev:-none}; $(ls -l "/dev/$1" 2>&1))"
	return 1
}

# blk_add N IMG [KEY=VALUE...]: hvisorctl add blk on window N; prints the name.
blk_add() {
	local n=$1 img=$2
	shift 2
	hvisorctl add blk zone="$GUEST_ZONE" addr="$(dev_addr "$n")" len=0x200 \
		irq=$((GUEST_IRQ_BASE + n)) img="$img" "$@"
}

# same_data A B [BYTES]: A and B hold the same first BYTES (default: all of A).
same_data() {
	local n=${3:-$(blockdev --getsize64 "$1" 2>/dev/null || stat -c %s "$1")}
	cmp -n "$n" "$1" "$2"
}

# tree_sums DIR: checksums of every file under DIR, sorted, relative paths.
tree_sums() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# module_ns DEV: the CPU time (ns, schedstat) hvisor_vhost's dispatcher
# and DEV's queue workers (hv-DEV-qN) have run so far.
module_ns() {
	local f c s ns=0
	for f in /proc/[0-9]*/task/[0-9]*/comm; do
		read -r c 2>/dev/null <"$f" || continue
		case $c in
		hv-dispatch|"hv-$1-q"*)
			read -r s _ 2>/dev/null <"${f%comm}schedstat" &&
				ns=$((ns + s)) ;;
		esac
	done
	echo "$ns"
}
