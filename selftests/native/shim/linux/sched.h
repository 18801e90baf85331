/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_SCHED_H
#define _HV_SHIM_LINUX_SCHED_H

struct task_struct;

#endif /* _HV_SHIM_LINUX_SCHED_H */
