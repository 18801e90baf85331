#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-lanes: x86_64/debian arm64/debian (the bed's plumbing, the same on every kernel)
# The guest command's exit status, output (stdout and stderr) and arguments
# come back to the host unchanged.
# shellcheck disable=SC2016 # the $ are for the guest's shell
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

vm -- sh -c 'echo "to stdout"; echo "to stderr" >&2; printf "<%s>" "$@"; echo; exit 3' \
	sh 'a b' "it's" '' '$HOME'
expect_rc 3
expect_out '^to stdout$'
expect_out '^to stderr$'
expect_out "^<a b><it's><><\\\$HOME>$"
