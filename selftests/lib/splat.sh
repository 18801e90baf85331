# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# HV_SPLAT: an extended regular expression matching the kernel log lines
# that fail a run (warnings, sanitizer reports, lockdep, oopses, stalls,
# the simulator's own alarms). Sourced by vm-run on the host and by
# group-runner.sh in the guest, so both judge a log the same way.
HV_SPLAT='BUG:|BUG [^ ]+ \(|kernel BUG at|WARNING:|KASAN|UBSAN|KFENCE|Oops|Call Trace|'
HV_SPLAT+='general protection fault|Kernel panic|circular locking|possible recursive locking|'
HV_SPLAT+='inconsistent lock state|suspicious RCU usage|sleeping function called|'
HV_SPLAT+='scheduling while atomic|soft lockup|hard LOCKUP|blocked for more than|'
HV_SPLAT+='rcu_[a-z]+ detected stalls|detected stall|list_(add|del) corruption|'
HV_SPLAT+='hvisor_sim: HYPERVISOR PANIC|hvisor_sim: STALL'
