/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_STDDEF_H
#define _HV_SHIM_LINUX_STDDEF_H

#include_next <linux/stddef.h>
#include <stddef.h>

#endif /* _HV_SHIM_LINUX_STDDEF_H */
