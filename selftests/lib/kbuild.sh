#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild.sh [-a ALLOW_RE] DEST SOURCE... [-- MAKE_ARGS...]: copy module
# sources into DEST (rsync; SOURCE paths use rsync -R's "/./" marker to say
# where the relative part starts) and build them there as external modules
# against $KDIR (ARCH=$KARCH CROSS_COMPILE=$CROSS_COMPILE). Building in a
# per-kernel copy keeps lanes from clobbering each other's objects.
#
# Warnings are errors: W=1, KCFLAGS=-Werror for the compiler, and any other
# line of the build's output that mentions a warning (modpost, objtool,
# sparse with C=2) fails the build unless it matches ALLOW_RE (default:
# $HV_KBUILD_ALLOW, else nothing).
set -euo pipefail
# shellcheck source=selftests/lib/common.sh
. "$(dirname "$0")/common.sh"

allow=${HV_KBUILD_ALLOW:-'^$'}
if [ "${1:-}" = -a ]; then allow=$2; shift 2; fi
dest=${1:?usage: kbuild.sh [-a ALLOW_RE] DEST SOURCE... [-- MAKE_ARGS...]}
shift
srcs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do srcs+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
: "${KDIR:?KDIR is not set}" "${KARCH:?KARCH is not set}"

mkdir -p "$dest"
# One build at a time in DEST (make check, lint and vm-run may overlap).
exec 8>"$dest/.kbuild.lock"
flock 8
# Only sources are copied; objects in DEST are left alone (excluded files
# are protected from --delete), so rebuilds stay incremental.
rsync -aR --delete --exclude='*.mod.c' --include='*/' --include='*.[chS]' \
	--include=Kbuild --include=Makefile --exclude='*' "${srcs[@]}" "$dest/"

log=$dest/build.log
set +e
make -C "$KDIR" M="$dest" ARCH="$KARCH" CROSS_COMPILE="${CROSS_COMPILE:-}" \
	W=1 KCFLAGS=-Werror ${V:+V=$V} -s -j"$(nproc)" "$@" modules >"$log" 2>&1
rc=$?
set -e
# Harmless and not ours: BTF for modules needs a vmlinux the headers lack.
bad=$(grep -iE 'warning|error' "$log" | grep -vE 'Skipping BTF generation' |
      grep -vE "$allow" || true)
if [ $rc -ne 0 ] || [ -n "$bad" ]; then
	cat "$log" >&2
	[ $rc -ne 0 ] || hv_log "the build printed warnings: failing (see above)"
	hv_die "module build in $dest failed (KDIR=$KDIR)"
fi
# Not an error, but say what else the build printed (e.g. BTF notes) when asked.
[ -z "${V:-}" ] || cat "$log" >&2
