/* SPDX-License-Identifier: GPL-2.0 */
/* The piece of <linux/uio.h> the module's native files use. */
#ifndef _HV_SHIM_LINUX_UIO_H
#define _HV_SHIM_LINUX_UIO_H

#include <linux/types.h>

struct kvec {
	void *iov_base;
	size_t iov_len;
};

#endif
