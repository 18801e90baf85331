#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# virtio-blk benchmark (make bench; figures, not pass/fail). In one VM run:
# fio 4k randread QD1 and QD32, 4k randwrite QD32 and 128k sequential read
# QD16, natively on a backing store and through hvisor_vhost's virtio-blk
# (the simulated zone's upstream virtio_blk) on the same backing, with 1
# and 2 queues (and as many fio jobs, the queue depth split between them).
# Backings: null_blk (blk-mq, not memory backed: the cost of the path
# alone) and a preallocated image file on tmpfs (buffered, as an image
# file on a file system without O_DIRECT is served).
#
# Prints IOPS, MB/s, p50/p99 completion latency and the ratio to native,
# and the CPU time per request: for native rows fio's usr+sys, for virtio
# rows the root's: hvisor_vhost's kthreads (hv-dispatch and the device's
# hv-<dev>-q<N> workers, their schedstat run time) plus irq and softirq
# time of the root CPUs (/proc/stat), per request the device completed;
# and the ratio of the two. Then blk_load (selftests/ksft/blk_load.c):
# the backend's own ceiling, a raw guest without driver or interrupts
# against fio on null_blk pinned to the root CPUs (a null_blk blk_load
# loads itself: completions from a timer interrupt 20 us after submission,
# as a disk's come from its interrupt).
# The "vpoll" rows repeat the 1-queue virtio runs with the dispatcher's
# adaptive busy-polling on (hvisor_vhost.poll_us=BENCH_POLL_US); the
# "bounce" rows with hvisor_vhost.blk_zero_copy=N: direct I/O on bounce
# pages, as zone RAM without struct pages (hvisor's no-map) is served.
# Environment: BENCH_RUNTIME (seconds per job, default 5), BENCH_RAMP
# (default 1), BENCH_POLL_US (default 200), BENCH_LOAD=0 (no blk_load).
. "$(dirname "$0")/../e2e/lib.sh"

runtime=${BENCH_RUNTIME:-5}
BENCH_POLL_US=${BENCH_POLL_US:-200}
poll=/sys/module/hvisor_vhost/parameters/poll_us
poll0=$(cat "$poll")
zcopy=/sys/module/hvisor_vhost/parameters/blk_zero_copy
ramp=${BENCH_RAMP:-1}
work=$(mktemp -d)

modprobe virtio_blk
modprobe null_blk nr_devices=1 gb=1 submit_queues=2
guest_zone_up
fallocate -l 256M "$work/img"

# The jobs: label, fio arguments (total queue depth in QD).
jobs=(
	"4k randread QD1|--rw=randread --bs=4k|1"
	"4k randread QD32|--rw=randread --bs=4k|32"
	"4k randwrite QD32|--rw=randwrite --bs=4k|32"
	"128k read QD16|--rw=read --bs=128k|16"
)

# run_fio TARGET KIND NJOBS ARGS QD: one job, JSON summary on stdout as
# "iops mbps p50_us p99_us cpu_us", the last fio's usr+sys per request
# (usr_cpu and sys_cpu are percentages of job_runtime, the jobs' summed
# run time).
run_fio() {
	local target=$1 kind=$2 njobs=$3 args=$4 qd=$5 engine direct
	engine=libaio direct=1
	if [ "$kind" = file ]; then
		# tmpfs: no O_DIRECT; io_uring serves buffered I/O asynchronously.
		engine=io_uring direct=0
	fi
	# shellcheck disable=SC2086 # $args is a list of options
	fio --name=b --filename="$target" --ioengine=$engine --direct=$direct \
		$args --iodepth=$(( (qd + njobs - 1) / njobs )) --numjobs="$njobs" \
		--size=256M --time_based --runtime="$runtime" --ramp_time="$ramp" \
		--group_reporting --norandommap --randrepeat=0 \
		--output-format=json --output="$work/out.json" >/dev/null 2>&1 ||
		{ echo "0 0 0 0 0"; return; }
	python3 - "$work/out.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
d = j["read"] if j["read"]["io_bytes"] else j["write"]
pct = d.get("clat_ns", {}).get("percentile", {})
cpu_ms = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"]
print("%.0f %.1f %.1f %.1f %.2f" % (d["iops"], d["bw_bytes"] / 1e6,
      pct.get("50.000000", 0) / 1e3, pct.get("99.000000", 0) / 1e3,
      cpu_ms * 1e3 / d["total_ios"] if d["total_ios"] else 0))
EOF
}

# root_cpu_list CPULIST: the CPUs of a list ("2-3", "0,2-5"), separated
# by spaces; every CPU if it is not one (hvisor_vhost's cpus= unset).
root_cpu_list() {
	local c=$1 r
	[[ $c =~ ^[0-9,-]+$ ]] || c=0-$(($(nproc --all) - 1))
	for r in ${c//,/ }; do
		seq -s ' ' "${r%-*}" "${r#*-}"
	done | paste -s -d ' '
}
root_cpus=$(root_cpu_list "$(cat /sys/module/hvisor_vhost/parameters/cpus)")
hz=$(getconf CLK_TCK)

# cost_snap DEV: "kthread_ns irq_ticks requests": the run time of
# hvisor_vhost's dispatcher and of DEV's queue workers (schedstat, ns),
# the irq + softirq ticks of the root CPUs (/proc/stat), DEV's requests.
cost_snap() {
	local ticks
	ticks=$(awk -v cpus=" $root_cpus " '
		/^cpu[0-9]/ && index(cpus, " " substr($1, 4) " ") { t += $7 + $8 }
		END { print t + 0 }' /proc/stat)
	echo "$(module_ns "$1") $ticks $(cat "/sys/class/hvisor/$1/stats/requests")"
}

# cost_per_req BEFORE AFTER: root CPU us per request between two snaps.
cost_per_req() {
	awk -v a="$1" -v b="$2" -v hz="$hz" 'BEGIN {
		split(a, x); split(b, y); n = y[3] - x[3]
		if (n > 0)
			printf "%.2f", ((y[1] - x[1]) / 1e3 + (y[2] - x[2]) * 1e6 / hz) / n
		else
			print 0 }'
}

# pct A B: A / B in percent, or "-".
pct() {
	awk -v a="$1" -v b="$2" \
		'BEGIN { if (a > 0 && b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'
}

declare -A native

row() {
	printf '%-9s %-7s %-2s %-18s %9s %8s %9s %9s %6s %8s %6s\n' "$@"
}

# bench BACKING KIND TARGET: native runs, then virtio with 1 and 2 queues.
bench() {
	local backing=$1 kind=$2 target=$3 q j label args qd r name disk
	local iops mbps p50 p99 cpu ncpu ratio v path n=0 s0 s1
	for q in 1 2; do
		for j in "${jobs[@]}"; do
			IFS='|' read -r label args qd <<<"$j"
			r=$(run_fio "$target" "$kind" $q "$args" "$qd")
			native["$backing/$q/$label"]=$r
			read -r iops mbps p50 p99 cpu <<<"$r"
			row "$backing" native "$q" "$label" "$iops" "$mbps" "$p50" \
				"$p99" - "$cpu" -
		done
	done
	for v in 1 2 1p 1b; do
		q=${v%[pb]}
		path=virtio
		case $v in
		1p)	path=vpoll
			echo "$BENCH_POLL_US" > "$poll" ;;
		1b)	path=bounce
			echo N > "$zcopy" ;;
		esac
		name=$(blk_add $n "$target" queues="$q")
		disk=$(guest_disk_add $n)
		finish0=$(cat /sys/class/hvisor/bridge_finish_req)
		for j in "${jobs[@]}"; do
			IFS='|' read -r label args qd <<<"$j"
			s0=$(cost_snap "$name")
			r=$(run_fio "/dev/$disk" dev "$q" "$args" "$qd")
			s1=$(cost_snap "$name")
			read -r iops mbps p50 p99 _ <<<"$r"
			read -r _ _ _ _ ncpu <<<"${native["$backing/$q/$label"]}"
			ratio=$(pct "$iops" "${native["$backing/$q/$label"]%% *}")
			cpu=$(cost_per_req "$s0" "$s1")
			row "$backing" "$path" "$q" "$label" "$iops" "$mbps" "$p50" \
				"$p99" "$ratio" "$cpu" "$(pct "$cpu" "$ncpu")"
		done
		echo "$poll0" > "$poll"
		echo Y > "$zcopy"
		e2e_log "$name $path queues=$q: $(cat "/sys/class/hvisor/$name/stats/requests") requests, $(cat "/sys/class/hvisor/$name/stats/interrupts") interrupts, $(cat "/sys/class/hvisor/$name/stats/notifies") notifies, $(($(cat /sys/class/hvisor/bridge_finish_req) - finish0)) FINISH_REQ"
		guest_disk_del $n
		hvisorctl del "$name"
		n=$((n + 1))
	done
}

echo "# kernel $(uname -r), $(nproc) CPUs usable by tasks ($(nproc --all) in all), fio $(fio --version)"
echo "# ${runtime} s per job after ${ramp} s ramp; 'ratio' is virtio IOPS / native IOPS, same backing, same number of fio jobs; q: queues of the virtio disk = fio jobs (queue depth split between them)"
echo "# cpu/rq: CPU us per request; native: fio's usr+sys; virtio: the root's, hvisor_vhost's kthreads + irq/softirq of the root CPUs ($root_cpus), not the zone's (tmpfs-img: without the buffered I/O's work items); cpu%: virtio / native"
row backing path q job IOPS MB/s "p50(us)" "p99(us)" ratio "cpu/rq" "cpu%"
bench null_blk dev /dev/nullb0
bench tmpfs-img file "$work/img"

hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"

# The backend's own ceiling: a raw guest, no driver, no interrupts, on a
# null_blk of blk_load's own that completes from a timer interrupt.
if [ "${BENCH_LOAD:-1}" != 0 ]; then
	rmmod null_blk
	echo
	BLK_LOAD_FULL=1 BLK_LOAD_SECONDS=$runtime blk_load |
		sed -n 's/^# \{0,1\}//p' |
		grep -v -E '^(Starting|  *(RUN|OK) |PASSED|Totals)'
fi
