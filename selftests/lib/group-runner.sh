#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# group-runner.sh: vm-run's CMD when several tests share one boot (lanes
# whose boot and kmemleak scans cost more than most tests; see "One boot
# for all" in Documentation/testing.rst). Runs in the x86_64 guest's
# chroot, as root.
#
# usage: group-runner.sh NAME LIMIT COMMAND [NAME LIMIT COMMAND]...
#
# For each test, in order:
#   "hv-group: begin NAME" on stdout and in the kernel log;
#   COMMAND (bash -c) in a process group of its own, killed after LIMIT
#   seconds; whatever the group left behind is killed;
#   the kernel log since the marker is checked as vm-run checks a whole
#   boot, so a splat is pinned on the test that caused it;
#   the bed's modules are unloaded (a failure is the test's) and loaded
#   again, so that every test starts from freshly loaded modules;
#   the kernel-wide settings tests change for a while (the unbound
#   workqueues' cpumask, see root_side_begin in e2e/lib.sh) are put back
#   as the boot had them: a test that leaves one changed fails
#   (problem=leaked-WHAT), and the next test does not inherit it;
#   "hv-group: end NAME rc=RC secs=S[ problem=WHAT]" on stdout.
# A test whose processes survive SIGKILL (stuck in the kernel) ends the
# group with problem=hung, after the blocked tasks' stacks are logged.
# The exit status is 0: check reads the verdicts from the end lines.
set -u
# shellcheck source=selftests/lib/splat.sh
. "$HV_SRC/selftests/lib/splat.sh"

modules=(hvisor_vhost hvisor_sim)	# vm-run's default load list

# Kernel-wide settings a test may change and must put back: name, file.
settings=(wq-cpumask /sys/devices/virtual/workqueue/cpumask)
declare -A boot_value
for ((i = 0; i < ${#settings[@]}; i += 2)); do
	boot_value[${settings[i]}]=$(cat "${settings[i + 1]}")
done

# restore_settings: put back what differs from the boot's values; prints
# the first name that differed.
restore_settings() {
	local i name file leaked=
	for ((i = 0; i < ${#settings[@]}; i += 2)); do
		name=${settings[i]} file=${settings[i + 1]}
		[ "$(cat "$file")" != "${boot_value[$name]}" ] || continue
		echo "${boot_value[$name]}" >"$file"
		leaked=${leaked:-$name}
	done
	echo "$leaked"
}

# unload: the bed's modules, last loaded first; fails if one stays.
unload() {
	local m
	for m in $(printf '%s\n' "${modules[@]}" | tac); do
		[ -d "/sys/module/$m" ] || continue
		for _ in 1 2 3; do
			rmmod "$m" 2>/dev/null && break
			sleep 1
		done
		[ ! -d "/sys/module/$m" ] || return 1
	done
}

while [ $# -ge 3 ]; do
	name=$1 limit=$2 cmd=$3
	shift 3
	echo "hv-group: begin $name"
	echo "hv-group: begin $name" >/dev/kmsg
	start=$SECONDS
	# timeout puts itself and the test in a process group of their own
	# (pgid: its pid), and signals the group at the limit. Not a session:
	# its leader would make the first tty the test opens (a console's)
	# its controlling terminal, unlike a test that has the boot alone.
	timeout -k 10 "$limit" bash -c "$cmd" </dev/null 2>&1 &
	pgid=$!
	wait $pgid
	rc=$?
	secs=$((SECONDS - start))
	problem=
	[ $rc -ne 124 ] && [ $rc -ne 137 ] || problem=timeout
	pkill -KILL -g "$pgid" 2>/dev/null
	until ! pgrep -g "$pgid" >/dev/null || [ $((SECONDS - start - secs)) -ge 5 ]; do
		sleep 0.2
	done
	if pgrep -g "$pgid" >/dev/null; then
		# Alive 5 s after SIGKILL: stuck in the kernel. The rest
		# cannot run on this boot: have the kernel log the blocked
		# tasks' stacks, and end (check fails the tests left).
		echo "hv-group: processes of the test survive SIGKILL (stuck in the kernel?)"
		echo w >/proc/sysrq-trigger
		echo "hv-group: end $name rc=$rc secs=$secs problem=hung"
		exit 0
	fi
	splats=$(dmesg | sed -n "/hv-group: begin $name\$/,\$p" | grep -E -A 30 "$HV_SPLAT")
	if [ -n "$splats" ]; then
		problem=kernel-log
		head -n 60 <<<"$splats" | sed 's/^/hv-group: | /'
	fi
	leaked=$(restore_settings)
	[ -z "$leaked" ] || problem=${problem:-leaked-$leaked}
	if unload; then
		for m in "${modules[@]}"; do
			modprobe "$m" || problem=${problem:-module-reload}
		done
	else
		problem=${problem:-module-unload}
	fi
	echo "hv-group: end $name rc=$rc secs=$secs${problem:+ problem=$problem}"
done
exit 0
