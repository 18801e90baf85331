#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A hanging guest command is cut off by the timeout and fails the run.
# hv-lanes: x86_64/debian arm64/debian
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

start=$SECONDS
vm --timeout 20 -- sleep 1000
took=$((SECONDS - start))
expect_rc 124
expect_out 'CMD timed out after 20 s'
[ $took -lt 120 ] || not_ok "took $took s"
ok "cut off after $took s"
