/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_MM_H
#define _HV_SHIM_LINUX_MM_H

#include <linux/kernel.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		BIT(PAGE_SHIFT)
#define PAGE_ALIGNED(addr)	IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)

#endif /* _HV_SHIM_LINUX_MM_H */
