#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the native tests of hvisor_vhost, in userspace (no VM): zone.c,
# vq.c and mmio.c built against selftests/native/shim, and hvisorctl's
# parsers, under ASan and UBSan. See Documentation/testing.rst.
#
# usage: selftests/native/run.sh check | fuzz [SECONDS [TARGET...]]
#   check    build, run the unit tests, then every fuzz target for
#            NATIVE_FUZZ_SECONDS (10) from its seeds with a fixed seed;
#            fails on any test failure, crash, leak or UB report
#            (make native; the "native" kind of make check)
#   fuzz     build, run every fuzz target (or those named) for SECONDS
#            (600) each, keeping the corpus in build/native/corpus/;
#            prints libFuzzer's final stats per target and a table
#            (make fuzz [FUZZ_SECONDS=N])
# Crashes are saved in build/native/artifacts/; a run's log per target in
# build/native/logs/. Needs clang-14 and libfuzzer-14-dev.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=$src/build/native
all_targets=(ring mmio zone json parse cfg)

# What fails a run besides the exit status.
problems='ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|invariant broken|hv_shim: |deadly signal'

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

build() {
	command -v clang-14 >/dev/null ||
		{ echo "run.sh: clang-14 missing (selftests/lib/install-deps.sh x86_64)"; return 1; }
	make -s -C "$here" -j"$(nproc)" O="$out" all
}

# fuzz_one TARGET SECONDS CORPUS LOG [EXTRA...]: run one target; its
# status is the fuzzer's, or 1 if the log reports a problem.
fuzz_one() {
	local t=$1 secs=$2 corpus=$3 log=$4 args
	shift 4
	args=(-max_total_time="$secs" -print_final_stats=1 -timeout=25
	      -rss_limit_mb=2048 -max_len=4096
	      -artifact_prefix="$out/artifacts/$t-")
	[ -e "$here/$t.dict" ] && args+=(-dict="$here/$t.dict")
	mkdir -p "$corpus" "$out/artifacts"
	"$out/fuzz-$t" "${args[@]}" "$@" "$corpus" "$here/corpus/$t" >"$log" 2>&1
	local rc=$?
	if grep -qE "$problems" "$log"; then
		return 1
	fi
	return $rc
}

# stats LOG: "EXECS SECONDS COV FT CORPUS" from libFuzzer's log.
stats() {
	local log=$1 execs secs last cov ft corp
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$last")
	echo "${execs:-?} ${secs:-?} ${cov:-?} ${ft:-?} ${corp:-?}"
}

# excerpt LOG: the report of a failed run.
excerpt() {
	grep -E -A 12 "$problems" "$1" | head -n 40
	grep -E '^(MS:|artifact_prefix|Base64)' "$1" | head -n 3
}

cmd_check() {
	local secs=${NATIVE_FUZZ_SECONDS:-10} status=0 t u log s
	echo "# native: build"
	if ! build; then
		echo "FAIL native build"
		return 1
	fi
	mkdir -p "$out/logs"
	for u in unit_module unit_hvisorctl; do
		log=$out/logs/$u.log
		if "$out/$u" >"$log" 2>&1 && ! grep -qE "$problems" "$log"; then
			echo "# $u: $(tail -n 1 "$log" | sed 's/^# //')"
		else
			echo "FAIL $u (log: ${log#"$src"/})"
			grep -E '^(not ok|#   )' "$log" | head -n 20
			excerpt "$log"
			status=1
		fi
	done
	for t in "${all_targets[@]}"; do
		log=$out/logs/check-$t.log
		rm -rf "$out/check-corpus/$t"
		if fuzz_one "$t" "$secs" "$out/check-corpus/$t" "$log" -seed=1; then
			read -r -a s <<<"$(stats "$log")"
			echo "# fuzz-$t: ${s[0]} executions in ${s[1]} s, cov ${s[2]}, ft ${s[3]}: no finding"
		else
			echo "FAIL fuzz-$t (log: ${log#"$src"/})"
			excerpt "$log"
			status=1
		fi
	done
	return $status
}

cmd_fuzz() {
	local secs=${1:-600} status=0 t log s rows=() crashes
	shift || true
	local targets=("$@")
	[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
	build || return 1
	mkdir -p "$out/logs"
	for t in "${targets[@]}"; do
		[ -x "$out/fuzz-$t" ] || { echo "run.sh: no target '$t'"; return 2; }
		log=$out/logs/fuzz-$t.log
		echo "== fuzz-$t: $secs s (log: ${log#"$src"/})"
		crashes=0
		if ! fuzz_one "$t" "$secs" "$out/corpus/$t" "$log"; then
			excerpt "$log"
			crashes=1
			status=1
		fi
		grep -E '^stat::' "$log"
		grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1
		read -r -a s <<<"$(stats "$log")"
		rows+=("$(printf '%-10s %12s %8s %6s %7s %7s %9s' "fuzz-$t" \
			"${s[0]}" "${s[1]}" "${s[2]}" "${s[3]}" "${s[4]}" "$crashes")")
	done
	echo
	printf '%-10s %12s %8s %6s %7s %7s %9s\n' target executions seconds cov ft corpus findings
	printf '%s\n' "${rows[@]}"
	return $status
}

case ${1:-} in
check) cmd_check ;;
fuzz) shift; cmd_fuzz "$@" ;;
*) sed -n 's/^# \{0,1\}//; /^usage:/,/^Crashes/p' "$0" >&2; exit 2 ;;
esac
