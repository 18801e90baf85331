#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A hanging guest command is cut off by the timeout and fails the run; the
# report shows where its tasks were. A guest too wedged to report gets an
# NMI before the VM's limit (x86_64) and panics with its CPUs' stacks.
# hv-lanes: x86_64/debian arm64/debian
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

start=$SECONDS
vm --timeout 20 -- sleep 1000
took=$((SECONDS - start))
expect_rc 124
expect_out 'CMD timed out after 20 s'
expect_out 'hv-init: task [0-9]+ \(sleep 1000 \) state S wchan '
[ $took -lt 120 ] || not_ok "took $took s"
ok "cut off after $took s"

[ "$HV_ARCH" = x86_64 ] || exit 0
# The NMI comes 1 s after QEMU starts, the guest's own watchdog at least
# one boot later: the guest gets it while CMD still sleeps.
start=$SECONDS
HV_BOOT_GRACE=31 vm --timeout 30 -- sleep 1000
took=$((SECONDS - start))
expect_rc 125
expect_out 'the VM did not finish: NMI sent at 31 s'
expect_out 'Kernel panic - not syncing: NMI'
expect_out 'NMI backtrace for cpu [0-9]'
ok "wedged guest reported after $took s"
