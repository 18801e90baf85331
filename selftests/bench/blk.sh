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
# Prints IOPS, MB/s, p50/p99 completion latency and the ratio to native.
# The "vpoll" rows repeat the 1-queue virtio runs with the dispatcher's
# adaptive busy-polling on (hvisor_vhost.poll_us=BENCH_POLL_US); the
# "bounce" rows with hvisor_vhost.blk_zero_copy=N: direct I/O on bounce
# pages, as zone RAM without struct pages (hvisor's no-map) is served.
# Environment: BENCH_RUNTIME (seconds per job, default 5), BENCH_RAMP
# (default 1), BENCH_POLL_US (default 200).
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
# "iops mbps p50_us p99_us".
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
		{ echo "0 0 0 0"; return; }
	python3 - "$work/out.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
d = j["read"] if j["read"]["io_bytes"] else j["write"]
pct = d.get("clat_ns", {}).get("percentile", {})
print("%.0f %.1f %.1f %.1f" % (d["iops"], d["bw_bytes"] / 1e6,
      pct.get("50.000000", 0) / 1e3, pct.get("99.000000", 0) / 1e3))
EOF
}

declare -A native

row() {
	printf '%-9s %-7s %-2s %-18s %9s %8s %9s %9s %6s\n' "$@"
}

# bench BACKING KIND TARGET: native runs, then virtio with 1 and 2 queues.
bench() {
	local backing=$1 kind=$2 target=$3 q j label args qd r name disk
	local iops mbps p50 p99 ratio v path n=0
	for q in 1 2; do
		for j in "${jobs[@]}"; do
			IFS='|' read -r label args qd <<<"$j"
			r=$(run_fio "$target" "$kind" $q "$args" "$qd")
			native["$backing/$q/$label"]=$r
			read -r iops mbps p50 p99 <<<"$r"
			row "$backing" native "$q" "$label" "$iops" "$mbps" "$p50" \
				"$p99" -
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
			r=$(run_fio "/dev/$disk" dev $q "$args" "$qd")
			read -r iops mbps p50 p99 <<<"$r"
			ratio=$(awk -v a="$iops" -v b="${native["$backing/$q/$label"]%% *}" \
				'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }')
			row "$backing" "$path" "$q" "$label" "$iops" "$mbps" "$p50" \
				"$p99" "$ratio"
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
row backing path q job IOPS MB/s "p50(us)" "p99(us)" ratio
bench null_blk dev /dev/nullb0
bench tmpfs-img file "$work/img"

hvisorctl zone del "$GUEST_ZONE"
hvisor-sim zone del "$GUEST_ZONE"
