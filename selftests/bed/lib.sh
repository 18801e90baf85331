# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for the bed's self-tests. These run on the host (selftests/check
# runs them with the lane in HV_ARCH/HV_KERNEL) and drive selftests/vm-run.

set -euo pipefail
bed_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_run=$bed_dir/../vm-run
: "${HV_ARCH:=x86_64}" "${HV_KERNEL:=debian}"

# vm NAME ARGS...: run vm-run for this lane without rebuilding; its output
# lands in $out, its exit status in $rc.
vm() {
	set +e
	out=$("$vm_run" --arch "$HV_ARCH" --kernel "$HV_KERNEL" --no-build "$@" 2>&1)
	rc=$?
	set -e
	printf '%s\n' "$out"
	echo "# vm-run exit status: $rc"
}

ok() { echo "ok: $*"; }
not_ok() { echo "not ok: $*"; exit 1; }
expect_rc() { [ "$rc" -eq "$1" ] || not_ok "expected exit status $1, got $rc"; ok "exit status $1"; }
expect_out() { grep -qE -- "$1" <<<"$out" || not_ok "no '$1' in the output"; ok "output has '$1'"; }
