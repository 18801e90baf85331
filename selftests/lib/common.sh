# SPDX-License-Identifier: GPL-2.0
# Shared settings for the test-bed scripts: cache location and logging.

HV_CACHE=${HVISOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hvisor_vhost}
mkdir -p "$HV_CACHE"

hv_log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
hv_die() { hv_log "error: $*"; exit 1; }

# hv_lock NAME: serialise cache population between parallel runs.
hv_lock() {
	exec 9>"$HV_CACHE/.$1.lock"
	flock 9
}
