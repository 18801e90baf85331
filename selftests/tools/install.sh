#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-timeout: 600
#
# Installing like a kernel package: "make install" into a staging DESTDIR
# lists exactly the product files (hvisor_vhost.ko, not the simulator;
# hvisorctl, its man page, the systemd unit, the modprobe.d example); one
# version everywhere (HVV_VERSION: MODULE_VERSION, hvisorctl --version,
# dkms.conf, the man page); the man page renders and names every command;
# the unit runs the installed hvisorctl; the modprobe.d example names real
# parameters; plain "make" needs no linux-source, and "make demo"
# installs its packages first.
#
# Usage: install.sh   (in the x86_64/debian lane: its kernel headers)

set -u

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

pass=0
fail=0

check() {
	local name=$1

	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name" >&2
	fi
}

lane=$("$SRC/selftests/lib/lane.sh" x86_64 debian) || exit 2
eval "$lane"
: "${KDIR:?}" "${KVER:?}"

version=$(sed -n 's/^#define HVV_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
	"$SRC/include/uapi/linux/hvisor_vhost.h")
check "HVV_VERSION is defined" test -n "$version"

# staged FILES...: the files of the staging tree are exactly these.
staged() {
	[ "$(cd "$1" && find . ! -type d | sed 's|^\./||' | sort)" = \
	  "$(shift; printf '%s\n' "$@" | sort)" ]
}

stage=$T/stage
if ! make -s -C "$SRC" install DESTDIR="$stage" KDIR="$KDIR" >"$T/log" 2>&1; then
	cat "$T/log" >&2
	echo "install: make install failed" >&2
	exit 1
fi
check "make install stages exactly the product" staged "$stage" \
	"lib/modules/$KVER/updates/hvisor_vhost.ko" \
	usr/sbin/hvisorctl \
	usr/share/man/man8/hvisorctl.8 \
	lib/systemd/system/hvisor-vhost.service \
	usr/share/doc/hvisor_vhost/examples/modprobe.d/hvisor_vhost.conf
ko=$stage/lib/modules/$KVER/updates/hvisor_vhost.ko
check "the module is hvisor_vhost" test "$(modinfo -F name "$ko")" = hvisor_vhost
check "the module is for $KVER" \
	sh -c "modinfo -F vermagic '$ko' | grep -q '^$KVER '"
check "MODULE_VERSION is HVV_VERSION" test "$(modinfo -F version "$ko")" = "$version"
check "hvisorctl --version is HVV_VERSION" \
	test "$("$stage/usr/sbin/hvisorctl" --version)" = "hvisorctl $version (hvisor_vhost API 3)"
check "dkms.conf's PACKAGE_VERSION is HVV_VERSION" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$SRC/dkms.conf"
check "dkms.conf builds hvisor_vhost only" \
	test "$(grep -c '^BUILT_MODULE_NAME' "$SRC/dkms.conf")" = 1
check "the man page's version is HVV_VERSION" \
	grep -q "^\.TH HVISORCTL 8 .* \"hvisor_vhost $version\"" "$SRC/Documentation/hvisorctl.8"
unit=$stage/lib/systemd/system/hvisor-vhost.service
check "the unit loads /etc/hvisor/virtio_cfg.json with the installed hvisorctl" \
	grep -qx 'ExecStart=/usr/sbin/hvisorctl load --replace /etc/hvisor/virtio_cfg.json' "$unit"
check "the unit unloads it when stopped" \
	grep -qx 'ExecStop=/usr/sbin/hvisorctl unload /etc/hvisor/virtio_cfg.json' "$unit"
check "no placeholder left in the unit" sh -c "! grep -q @ '$unit'"

# PREFIX moves the tool, the man page and the unit's command with it.
stage2=$T/stage2
make -s -C "$SRC" install DESTDIR="$stage2" PREFIX=/usr/local KDIR="$KDIR" >"$T/log" 2>&1
check "PREFIX=/usr/local" test -x "$stage2/usr/local/sbin/hvisorctl"
check "PREFIX=/usr/local: the man page" test -f "$stage2/usr/local/share/man/man8/hvisorctl.8"
check "PREFIX=/usr/local: the unit runs /usr/local/sbin/hvisorctl" \
	grep -q '^ExecStart=/usr/local/sbin/hvisorctl ' \
	"$stage2/lib/systemd/system/hvisor-vhost.service"

# The modprobe.d example: commented out, and every option it names is a
# parameter of the module.
conf=$stage/usr/share/doc/hvisor_vhost/examples/modprobe.d/hvisor_vhost.conf
check "the modprobe.d example sets nothing by itself" \
	sh -c "! grep -Eq '^[[:space:]]*[^#[:space:]]' '$conf'"
params=$(modinfo -F parm "$ko" | cut -d: -f1)
while read -r p; do
	check "modprobe.d example: $p is a parameter" grep -qx "$p" <<<"$params"
done < <(sed -n 's/^#options hvisor_vhost \([a-z_]*\)=.*/\1/p' "$conf")

# The man page renders without a warning, and names every command.
if command -v man >/dev/null; then
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$SRC/Documentation/hvisorctl.8" 2>&1 >"$T/man.txt")
	check "man -l renders hvisorctl.8 without warnings" test -z "$warn"
	check "man -l: a NAME section" grep -q '^NAME' "$T/man.txt"
else
	echo "# man not installed: rendering not checked"
fi
for c in $("$stage/usr/sbin/hvisorctl" --help | sed -n 's/^  hvisorctl \([a-z]*\).*/\1/p' | sort -u); do
	check "the man page describes $c" grep -Eq "^\.B[IR]? \"?$c\b" "$SRC/Documentation/hvisorctl.8"
done

# Plain make: the module and the tools, nothing from linux-source; demo
# sets up its packages as check does.
make -s -C "$SRC" -n -B all KDIR="$KDIR" >"$T/plain" 2>&1
check "plain make builds the modules" grep -q 'kbuild\.sh' "$T/plain"
check "plain make builds hvisorctl" grep -q -- '-o [^ ]*/hvisorctl ' "$T/plain"
check "plain make fetches no linux-source" sh -c "! grep -q fetch-source '$T/plain'"
make -s -C "$SRC" -n demo >"$T/demo" 2>&1
check "make demo installs its packages" grep -q 'install-deps.sh x86_64' "$T/demo"

echo "install: $pass passed, $fail failed"
[ "$fail" = 0 ]
