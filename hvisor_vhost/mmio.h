/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio register file of a device (mmio.c); dispatcher context.
 */
#ifndef _HV_MMIO_H
#define _HV_MMIO_H

#include <linux/types.h>

struct hv_dev;

u64 hv_mmio_read(struct hv_dev *dev, u64 off, u64 size);
bool hv_mmio_write(struct hv_dev *dev, u64 off, u64 size, u64 value,
		   int waiter);

#endif /* _HV_MMIO_H */
