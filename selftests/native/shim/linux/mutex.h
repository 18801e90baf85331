/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_MUTEX_H
#define _HV_SHIM_LINUX_MUTEX_H

struct mutex {
	int held;
};

#endif /* _HV_SHIM_LINUX_MUTEX_H */
