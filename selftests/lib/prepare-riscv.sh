#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-riscv.sh: a riscv64 defconfig tree of linux-source-6.1 after
# "make modules_prepare" (cached), for compile-checking the modules: there
# is no Debian riscv64 kernel in bookworm. Prints "KVER OBJDIR".
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=selftests/lib/common.sh
. "$here/common.sh"

src=$("$here/fetch-source.sh")
obj=$HV_CACHE/riscv-prep-6.1
args=(-s -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-)
if [ ! -e "$obj/.done" ]; then
	hv_lock riscv-prep
	if [ ! -e "$obj/.done" ]; then
		hv_log "preparing a riscv64 module build tree in $obj"
		rm -rf "$obj" && mkdir -p "$obj"
		make "${args[@]}" defconfig >/dev/null
		make "${args[@]}" -j"$(nproc)" modules_prepare >"$obj/prepare.log" 2>&1 ||
			{ tail -n 30 "$obj/prepare.log" >&2; hv_die "riscv64 modules_prepare failed"; }
		touch "$obj/.done"
	fi
fi
echo "$(cat "$obj/include/config/kernel.release") $obj"
