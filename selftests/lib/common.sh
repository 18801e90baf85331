# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Shared settings for the test-bed scripts: cache location, repo root and
# logging. Sourced by bash scripts only.

HV_CACHE=${HVISOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvisor_vhost}
mkdir -p "$HV_CACHE"
# The repository root (this file is selftests/lib/common.sh).
HV_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

hv_log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
hv_die() { hv_log "error: $*"; exit 1; }

# hv_lock NAME: serialise cache population between parallel runs.
hv_lock() {
	exec 9>"$HV_CACHE/.$1.lock"
	flock 9
}

# hv_host_arch: the host's architecture in the bed's spelling.
hv_host_arch() {
	case $(uname -m) in
	x86_64|amd64) echo x86_64 ;;
	aarch64|arm64) echo arm64 ;;
	riscv64) echo riscv64 ;;
	*) uname -m ;;
	esac
}

# hv_shquote ARG...: print the arguments quoted for any POSIX shell
# (busybox ash included), separated by spaces.
hv_shquote() {
	local a sep=
	for a; do
		printf "%s'%s'" "$sep" "${a//\'/\'\\\'\'}"
		sep=' '
	done
}
