#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lint.sh: the style gate (make lint). checkpatch.pl --strict from the
# cached linux-source over every C file of the project, sparse (make C=2)
# over the kernel code against Debian's 6.1 headers, and shellcheck over
# the bed's own scripts when it is installed. Silent when clean; prints the
# problems and exits non-zero otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=selftests/lib/common.sh
. "$here/common.sh"
cd "$HV_SRC" || exit 1

status=0
src=$("$here/fetch-source.sh") || exit 1

dirs=(hvisor_vhost hvisor_sim include tools selftests/ksft selftests/fixtures
      selftests/native)
if git rev-parse --git-dir >/dev/null 2>&1; then
	mapfile -t files < <(git ls-files -co --exclude-standard -- \
		"${dirs[@]/%//*.[ch]}" | grep -v '\.mod\.c$')
else
	mapfile -t files < <(find "${dirs[@]}" -name '*.[ch]' ! -name '*.mod.c' 2>/dev/null | sort)
fi

# checkpatch: --no-tree because this is not a kernel tree. Ignored, as
# they cannot apply to a module built for several kernels out of tree:
# LINUX_VERSION_CODE (version checks are how it supports 6.1 and 6.12),
# and CONSTANT_COMPARISON on those very lines ("LINUX_VERSION_CODE >=
# KERNEL_VERSION(...)" has an upper-case name on the left), dropped by the
# awk filter below and nowhere else.
if [ ${#files[@]} -gt 0 ]; then
	out=$("$src/scripts/checkpatch.pl" --strict --no-tree --quiet --show-types \
		--no-summary --ignore LINUX_VERSION_CODE -f "${files[@]}" 2>&1 |
		awk -v RS= -v ORS='\n\n' '!/^[A-Z]+:CONSTANT_COMPARISON:.*\n.*\n\+.*LINUX_VERSION_CODE/')
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "lint: checkpatch found problems"
		status=1
	fi
fi

# sparse over the modules and the fixtures, Debian 6.1 headers.
eval "$("$here/lane.sh" x86_64 debian)" || exit 1
export KDIR KARCH CROSS_COMPILE
if ! out=$("$here/kbuild.sh" "$BUILD/src" "$HV_SRC"/./{Kbuild,hvisor_vhost,hvisor_sim,include} \
	-- C=2 CHECK=sparse 2>&1); then
	printf '%s\n' "$out"
	echo "lint: sparse found problems in the modules"
	status=1
fi
# Layers call only downward (Documentation/design.rst): no call loops.
if ! python3 "$here/call-loops.py" "$BUILD/src/hvisor_vhost/hvisor_vhost.mod"; then
	echo "lint: files of hvisor_vhost call each other in a loop"
	status=1
fi
if ! out=$("$here/kbuild.sh" "$BUILD/fixtures" "$HV_SRC/selftests/fixtures/./" \
	-- C=2 CHECK=sparse 2>&1); then
	printf '%s\n' "$out"
	echo "lint: sparse found problems in the fixtures"
	status=1
fi

if command -v shellcheck >/dev/null; then
	if ! shellcheck -x selftests/vm-run selftests/check selftests/lib/*.sh \
		selftests/bed/*.sh selftests/native/run.sh .ci/run; then
		echo "lint: shellcheck found problems in the bed's scripts"
		status=1
	fi
fi
exit $status
