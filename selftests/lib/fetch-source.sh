#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-source.sh: extract Debian's linux-source-6.1 into the cache (a fixed
# absolute path, as out-of-tree builds against an O= tree require) and print
# the source directory.
set -euo pipefail
# shellcheck source=selftests/lib/common.sh
. "$(dirname "$0")/common.sh"

src=$HV_CACHE/src/linux-source-6.1
if [ ! -e "$src/.done" ]; then
	hv_lock src
	if [ ! -e "$src/.done" ]; then
		hv_log "extracting linux-source-6.1 into $src"
		rm -rf "$HV_CACHE/src" && mkdir -p "$HV_CACHE/src/deb"
		(cd "$HV_CACHE/src/deb" && apt-get download -q linux-source-6.1 >/dev/null 2>&1) ||
			hv_die "apt-get download linux-source-6.1 failed"
		dpkg -x "$HV_CACHE"/src/deb/linux-source-6.1_*.deb "$HV_CACHE/src/deb/x"
		tar -C "$HV_CACHE/src" -xJf "$HV_CACHE"/src/deb/x/usr/src/linux-source-6.1.tar.xz
		rm -rf "$HV_CACHE/src/deb"
		touch "$src/.done"
	fi
fi
echo "$src"
