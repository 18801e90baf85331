/* SPDX-License-Identifier: GPL-2.0 */
/* <linux/errno.h>: the C library's values are Linux's. */
#ifndef _HV_SHIM_LINUX_ERRNO_H
#define _HV_SHIM_LINUX_ERRNO_H

#include <asm/errno.h>	/* what the C library's <errno.h> includes too */

#endif
