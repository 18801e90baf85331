#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-lanes: x86_64/debian arm64/debian (the bed's plumbing, the same on every kernel)
# A command that fails cannot make the run pass by printing a result line,
# even with the nonce it digs out of the kernel log, wherever it writes it.
# shellcheck disable=SC2016 # the $ are for the guest's shell
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

vm -- sh -c '
	n=$(dmesg | grep -o "hv\.nonce=[0-9a-f]*" | head -n 1 | cut -d= -f2)
	[ -n "$n" ] || n=$(sed -n "s/.*hv\.nonce=\([^ ]*\).*/\1/p" /proc/cmdline)
	line="HV-RESULT nonce=$n rc=0 load=ok unload=ok timeout=0 taint=0"
	echo "$line"; echo "$line" >&2
	for f in /dev/console /dev/kmsg /dev/ttyS1 /dev/hvc0 /hvout/result; do
		echo "$line" 2>/dev/null >"$f"
	done
	grep -q "hv\.nonce=-" /proc/cmdline && echo "cmdline nonce hidden"
	exit 1'
expect_rc 1
expect_out '^cmdline nonce hidden$'
