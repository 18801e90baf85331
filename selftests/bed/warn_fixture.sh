#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A kernel warning fails the run although the command succeeds: the
# test-only warn_fixture.ko WARN_ON()s when it loads.
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

fixture=$(ls "$HV_BUILD"/fixtures/warn_fixture.ko)
vm --load "$fixture" -- true
expect_rc 125
expect_out 'vm-run: FAIL: kernel log reports a problem'
expect_out 'WARNING:'

# Control: the same module, told not to warn, passes (a fact about the
# fixture, the same on every kernel: not repeated on the slow debug boot).
[ "$HV_KERNEL" != debug ] || exit 0
vm --no-load -- sh -c "insmod $fixture fire=0 && rmmod warn_fixture"
expect_rc 0
