/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio register file of a device (mmio.c); dispatcher context.
 */
#ifndef _HVV_MMIO_H
#define _HVV_MMIO_H

#include <linux/types.h>

struct hvv_dev;

u64 hvv_mmio_read(struct hvv_dev *dev, u64 off, u64 size);
bool hvv_mmio_write(struct hvv_dev *dev, u64 off, u64 size, u64 value,
		    int waiter);

#endif /* _HVV_MMIO_H */
