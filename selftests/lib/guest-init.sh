#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
#
# /init of the test-bed guest (busybox sh, PID 1), put into the initramfs by
# mkinitramfs.sh and driven by selftests/vm-run.
#
# The host passes the run's parameters through the writable 9p share
# "hvout": config (shell assignments), env (KEY=VALUE lines for CMD) and cmd
# (a shell snippet that cds and execs CMD). Back through the same share go
# CMD's output, the kernel log, the kmemleak report and the result line.
#
# Why the result line cannot be forged by CMD (even by one that reads the
# nonce, which is in /proc/cmdline and in the kernel log): the files of the
# share are opened by this init on fds 5-8, then the share is lazily
# unmounted, so CMD has no path to it, and CMD runs with those fds closed.
# CMD's own output goes to a different file ("output") that the host never
# parses for the verdict. The nonce (hv.nonce= on the kernel command line,
# read here before CMD starts, never exported) ties the result line to this
# boot, so a stale result file or one left by another run cannot pass.
# On top of that, CMD sees a /proc/cmdline with the nonce blanked out.
# This guards against accidents, not against a malicious root program.

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# What udev would add: /dev/fd (bash's process substitution), stdin...
ln -s /proc/self/fd /dev/fd
ln -s /proc/self/fd/0 /dev/stdin
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
# The kernel runs /sbin/modprobe from init's root, this initramfs, to load
# modules on demand (file systems, crypto): busybox's, on the same
# /lib/modules tree as CMD's.
mkdir -p /sbin
ln -s /bin/busybox /sbin/modprobe
exec </dev/null >/dev/console 2>&1
set -f

say() { echo "hv-init: $*"; }
# The bed itself broke: power off without a result line; the host reports
# "no result line" and shows the console log.
die() {
	say "FATAL: $*"
	poweroff -f
	while :; do sleep 1; done
}
uptime_s() { cut -d. -f1 /proc/uptime; }
# for_each_user_proc FN: run FN PID STATE for every process but init,
# kthreadd and kernel threads. No forks (no $(...) either: its subshell
# would be one of the processes): this runs in a loop and TCG makes
# forks slow.
for_each_user_proc() {
	fn=$1
	set +f
	for s in /proc/[0-9]*/stat; do
		p=${s#/proc/}
		p=${p%/stat}
		[ "$p" = 1 ] || [ "$p" = 2 ] && continue
		read -r line 2>/dev/null <"$s" || continue
		# shellcheck disable=SC2086 # split the fields after "(comm)"
		set -- ${line##*) }
		[ "$2" = 2 ] || "$fn" "$p" "$1"
	done
	set -f
}

# count_user_procs: set $procs to how many user processes are alive
# (zombies do not count).
count_one() { [ "$2" = Z ] || procs=$((procs + 1)); }
count_user_procs() {
	procs=0
	for_each_user_proc count_one
}

# dump_tasks: where every user process is, user and kernel side: a hung
# test is then diagnosed from its report. The kernel log gets the
# blocked tasks and every CPU's stack (a CPU spinning with interrupts
# off), on the serial console too, which the host keeps even if the guest
# never finishes.
dump_one() {
	w=$(cat "/proc/$1/wchan" 2>/dev/null)
	echo "hv-init: task $1 ($(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)) state $2 wchan $w"
	# A parent waiting for its children says it all in one line.
	[ "$w" = do_wait ] || sed 's/^/hv-init:     /' "/proc/$1/stack" 2>/dev/null
}
dump_tasks() {
	for_each_user_proc dump_one
	echo 7 >/proc/sys/kernel/printk
	echo w >/proc/sysrq-trigger
	echo l >/proc/sysrq-trigger
}

nonce=
# shellcheck disable=SC2013 # words, not lines
for w in $(cat /proc/cmdline); do
	case $w in hv.nonce=*) nonce=${w#hv.nonce=} ;; esac
done
[ -n "$nonce" ] || die "no hv.nonce= on the kernel command line"

while read -r ko; do
	insmod "/lib/hv-boot/$ko" || die "insmod $ko failed"
done </etc/hv-insmod

p9=trans=virtio,version=9p2000.L,msize=262144
mount -t 9p -o "$p9" hvout /hvout || die "cannot mount the hvout share"
mkdir -p /etc/hv
cp /hvout/config /hvout/cmd /hvout/env /etc/hv/ || die "no run configuration"
# shellcheck source=/dev/null
. /etc/hv/config
exec 5>/hvout/dmesg 6>/hvout/kmemleak 7>/hvout/result 8>/hvout/output
umount -l /hvout

hostname hvguest
ip link set lo up 2>/dev/null

# The root CMD runs in: the host's own root, read-only over 9p (x86_64), or
# this initramfs plus the repository over 9p (arm64: no host userland).
if [ "$HV_MODE" = chroot ]; then
	R=/newroot
	mount -t 9p -o "$p9,ro,cache=$HV_ROOT_CACHE" hvroot $R || die "cannot mount the host root"
	# A view of the host root without the mounts below, to bring back
	# what the tmpfs mounts hide but CMD needs (a repository in /tmp).
	mkdir -p /hvroot
	mount -o bind $R /hvroot
	mount -t proc proc $R/proc
	mount -t sysfs sysfs $R/sys
	mount -t devtmpfs devtmpfs $R/dev
	mount -t tmpfs -o mode=755 tmpfs $R/run
	mount -t tmpfs -o mode=1777 tmpfs $R/tmp
	mount -t tmpfs -o mode=1777 tmpfs $R/var/tmp
	for p in $HV_KEEP; do
		case $p in
		/tmp/*|/run/*|/var/tmp/*)
			mkdir -p "$R$p"
			mount -o bind "/hvroot$p" "$R$p"
			;;
		esac
	done
else
	R=
	mount -t tmpfs -o mode=755 tmpfs /run
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mkdir -p "$HV_SRC"
	mount -t 9p -o "$p9,ro" hvsrc "$HV_SRC" || die "cannot mount the source share"
fi
mkdir -p $R/dev/pts $R/dev/shm $R/tmp/home /lib/modules
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -n "$R" ] && mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
# Modules are loaded and unloaded with busybox, from /lib/modules of the
# initramfs; CMD sees the same tree at its /lib/modules.
mount -t 9p -o "$p9,ro" hvmod /lib/modules || die "cannot mount the modules share"
[ -z "$R" ] || mount -o bind /lib/modules $R/lib/modules
# Static device nodes of modular drivers (loop-control, net/tun, fuse,
# mapper/control...), as systemd creates them: opening one loads the module.
kver=$(uname -r)
if [ -e "/lib/modules/$kver/modules.devname" ]; then
	while read -r _ node dev; do
		case $dev in [bc][0-9]*:[0-9]*) ;; *) continue ;; esac
		[ -e "/dev/$node" ] && continue
		case $node in */*) mkdir -p "/dev/${node%/*}" ;; esac
		maj=${dev#?}
		mknod -m 0600 "/dev/$node" "${dev%"${dev#?}"}" "${maj%:*}" "${maj#*:}"
	done <"/lib/modules/$kver/modules.devname"
	[ ! -e /dev/net/tun ] || chmod 0666 /dev/net/tun
fi
sed 's/hv\.nonce=[^ ]*/hv.nonce=-/' /proc/cmdline >/etc/hv/cmdline
mount -o bind /etc/hv/cmdline $R/proc/cmdline

# inroot CMD...: run in CMD's root with CMD's environment, output to fd 8.
set --
while IFS= read -r kv; do set -- "$@" "$kv"; done </etc/hv/env
inroot() {
	if [ -n "$R" ]; then
		env -i "$@" chroot $R "$cmd_shell" -c "$script"
	else
		env -i "$@" "$cmd_shell" -c "$script"
	fi
}
cmd_shell=/bin/sh

j_load=$(sed -n 's/^jiffies: *//p' /proc/timer_list 2>/dev/null | head -n 1)
# Up to here nothing of the project ran: vm-run retries a boot that died
# before this line (a platform flake, not the test's doing).
say "loading modules"
load=ok
loaded=
for m in $HV_LOAD; do
	if ! modprobe "$m" >&8 2>&8; then
		echo "hv-init: modprobe $m failed" >&8
		load=fail
		break
	fi
	loaded="$m $loaded"
done

rc=125
timeout=0
if [ $load = ok ]; then
	say "running the command"
	script=$(cat /etc/hv/cmd)
	inroot "$@" >&8 2>&8 5>&- 6>&- 7>&- 8>&- &
	cmdpid=$!
	# The watchdog: at the time limit, show where every task is (see
	# dump_tasks), kill everything but init;
	# if CMD cannot die (stuck in the kernel), interrupt init's wait so
	# that it still reports, with the kernel log.
	trap : USR1
	(
		sleep "$HV_TIMEOUT"
		: >/etc/hv/timedout
		echo "hv-init: timeout after $HV_TIMEOUT s, killing the command" >&8
		dump_tasks >&8 2>&1
		kill -KILL -1
		sleep 10
		echo "hv-init: the command does not die, giving up on it" >&8
		kill -USR1 1
	) 5>&- 6>&- 7>&- &
	wdpid=$!
	wait $cmdpid
	rc=$?
	kill $wdpid 2>/dev/null
	[ -e /etc/hv/timedout ] && timeout=1
fi

# Kill whatever CMD left behind (init itself is spared by kill -1), give it
# time to exit, then unload: modules still in use fail the run.
kill -KILL -1 2>/dev/null
i=0
while count_user_procs && [ $procs != 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
unload=ok
for m in $loaded; do
	i=0
	until rmmod "$m" >&8 2>&8; do
		i=$((i + 1))
		if [ $i -ge 3 ]; then
			echo "hv-init: rmmod $m failed" >&8
			unload=fail
			break
		fi
		sleep 1
	done
done

# kmemleak (debug kernel): two scans at the end. A leak is reported by
# the second scan after its allocation: the first one finds its checksum
# changed (from the initial 0) and leaves it gray; objects younger than
# 5 s are not reported either, and a scan takes longer than that (10-30 s
# under TCG+KASAN). So there is no baseline scan at boot; the "since" line
# (jiffies before the modules were loaded) lets the host ignore objects
# allocated before this run.
kmemleak=/sys/kernel/debug/kmemleak
if [ "$HV_KMEMLEAK" = 1 ] && [ -w $kmemleak ]; then
	echo scan >$kmemleak
	echo scan >$kmemleak
	echo "since ${j_load:-0}" >&6
	cat $kmemleak >&6
fi

taint=$(cat /proc/sys/kernel/tainted)
dmesg >&5
echo "HV-RESULT nonce=$nonce rc=$rc load=$load unload=$unload timeout=$timeout taint=$taint" >&7
exec 5>&- 6>&- 7>&- 8>&-
say "done (rc=$rc)"
poweroff -f
while :; do sleep 1; done
