# SPDX-License-Identifier: GPL-2.0
# Helpers for end-to-end scripts run inside the test VM (see selftests/vm-run).
# The in-kernel guest is the simulator's virtio transport: upstream virtio
# drivers bound to devices that hvisor_vhost serves through the trap path.

set -euo pipefail

E2E_NAME=${0##*/}
E2E_FAILED=0

e2e_log() { printf '# %s\n' "$*"; }
e2e_fail() { printf 'not ok - %s\n' "$*"; E2E_FAILED=1; }
e2e_pass() { printf 'ok - %s\n' "$*"; }

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

# sum FILE: checksum.
sum() { sha256sum "$1" | cut -d' ' -f1; }
