/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_WORKQUEUE_H
#define _HV_SHIM_LINUX_WORKQUEUE_H

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct work_struct {
	work_func_t func;
};

#endif /* _HV_SHIM_LINUX_WORKQUEUE_H */
