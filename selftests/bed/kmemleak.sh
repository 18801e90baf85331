#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# On the debug kernel, a leak fails the run: leak_fixture.ko leaks one
# object on load.
# hv-lanes: x86_64/debug
# hv-timeout: 400
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

vm --load "$HV_BUILD/fixtures/leak_fixture.ko" -- true
expect_rc 125
expect_out 'kmemleak found leaks'
expect_out 'unreferenced object'
