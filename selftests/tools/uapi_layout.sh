#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The uapi's layout on every architecture hvisor runs on: uapi_layout.c
# (sizes, field offsets and ioctl numbers, as static assertions) compiles
# for each target with the same values, 64 and 32 bit. A target the
# installed clang does not know is skipped and named.
#
# Usage: uapi_layout.sh

set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CC=clang-14
command -v "$CC" >/dev/null || { echo "uapi_layout: no $CC: skipped"; exit 4; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

pass=0
fail=0
for target in x86_64-linux-gnu i386-linux-gnu aarch64-linux-gnu \
	      arm-linux-gnueabihf riscv64-linux-gnu riscv32-linux-gnu \
	      loongarch64-linux-gnu; do
	# The system's uapi headers stand in for each target's: the types
	# used (__u8 to __u64, _IOC) are the same generic ones everywhere.
	if "$CC" --target="$target" -ffreestanding -fsyntax-only \
		-I"$SRC/include/uapi" -I/usr/include/x86_64-linux-gnu \
		"$SRC/selftests/tools/uapi_layout.c" 2>"$T/err"; then
		pass=$((pass + 1))
	elif grep -q 'unknown target triple' "$T/err"; then
		echo "uapi_layout: $target: not a target of $CC, skipped"
	else
		fail=$((fail + 1))
		echo "FAIL: $target" >&2
		cat "$T/err" >&2
	fi
done

echo "uapi_layout: $pass passed, $fail failed"
[ "$fail" = 0 ]
