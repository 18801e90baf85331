#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hv-lanes: x86_64/debian (lib/group-runner.sh, which the debug lane uses)
# Tests sharing one boot keep their own verdicts: a kernel warning is
# pinned on the test that caused it, not on the next one; each test's
# exit status is its own; processes a test leaves in its process group are
# killed; a test that keeps the bed's modules busy is the one that fails;
# a test that leaves a kernel-wide setting changed fails and the next one
# finds it as the boot had it;
# the modules are fresh for every test; a test stuck in the kernel ends
# the boot's tests.
# shellcheck disable=SC2016 # the $ are for the guest's shell
# shellcheck source=selftests/bed/lib.sh
. "$(dirname "$0")/lib.sh"

fixture=$(ls "$HV_BUILD"/fixtures/warn_fixture.ko)
loads="dmesg | grep -c 'hvisor_sim: loaded'"
wq=/sys/devices/virtual/workqueue/cpumask
vm -- bash "$bed_dir/../lib/group-runner.sh" \
	first 60 "$loads >/tmp/loads; cat $wq >/tmp/wq; sleep 1001 & echo \$! >/tmp/left; exit 0" \
	fails 60 "kill -0 \$(cat /tmp/left) && exit 1; [ \$($loads) = \$((\$(cat /tmp/loads) + 1)) ] || exit 2; exit 3" \
	leaks 60 "echo 1 >$wq" \
	finds 60 "[ \$(cat $wq) = \$(cat /tmp/wq) ] || exit 4" \
	warns 60 "insmod $fixture && rmmod warn_fixture" \
	holds 60 "setsid sh -c 'exec 3</dev/hvisor_vhost; exec sleep 1000' & sleep 1" \
	stuck 2 "insmod $fixture fire=0 stall_s=40" \
	never 60 "true"
# The boot as a whole fails (the warning is in its log) ...
expect_rc 125
expect_out 'vm-run: FAIL: kernel log reports a problem'
# ... but each test has its own verdict.
expect_out '^hv-group: end first rc=0 secs=[0-9]+$'
expect_out '^hv-group: end fails rc=3 secs=[0-9]+$'
expect_out '^hv-group: end leaks rc=0 secs=[0-9]+ problem=leaked-wq-cpumask$'
expect_out '^hv-group: end finds rc=0 secs=[0-9]+$'
expect_out '^hv-group: end warns rc=0 secs=[0-9]+ problem=kernel-log$'
expect_out '^hv-group: \| .*WARNING:'
expect_out '^hv-group: end holds rc=0 secs=[0-9]+ problem=module-unload$'
# A test that SIGKILL cannot end (killed at 2 + 10 s) ends the boot's
# tests at once, with the blocked task's stack in the kernel log.
expect_out '^hv-group: end stuck rc=137 secs=1[2-9] problem=hung$'
expect_out 'task:insmod .*state:D'
grep -q 'hv-group: begin never' <<<"$out" && not_ok "a test ran after the stuck one"
ok "no test runs after the stuck one"
