#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Latency from idle and CPU after the last access (make bench; figures,
# though the test itself fails on idle CPU above 10 ms): ksft/mmio_rtt,
# which make check runs too, its figures alone. A raw guest's register
# round trip back to back (the dispatcher sleeping, polling, and a
# userspace responder built like hvisor-tool's daemon), a register read
# and a console notify-to-used after 5 ms of idleness, and after 0.5 ms
# with poll_us=1000; then the module's CPU in the second after the last
# access. See Documentation/benchmarks.rst, "Latency from idle".
# shellcheck source=selftests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"

echo "# kernel $(uname -r), $(nproc) CPUs usable by tasks ($(nproc --all) in all)"
mmio_rtt 2>&1 | sed -n 's/^# \{0,1\}//p' |
	grep -v -E '^(Starting|  *(RUN|OK) |PASSED|Totals)'
