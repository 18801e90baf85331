// SPDX-License-Identifier: GPL-2.0
/*
 * The device types and their constructors.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/err.h>
#include <linux/printk.h>
#include <linux/hvisor_vhost.h>
#include <linux/virtio_ids.h>

#include "backends.h"
#include "dev.h"

/**
 * hv_backend_create - create a device of the requested type
 * @ud: from userspace
 *
 * Return: the initialised (not yet started) device, or an ERR_PTR.
 */
struct hv_dev *hv_backend_create(const struct hvv_dev *ud)
{
	switch (ud->type) {
	case HVV_DEV_CONSOLE:
		return hv_console_create(ud);
	case HVV_DEV_BLK:
		return hv_blk_create(ud);
	default:
		pr_err("device type %u is not supported\n", ud->type);
		return ERR_PTR(-EOPNOTSUPP);
	}
}

/**
 * hv_backend_resize - follow a change of the backing size
 * @dev: the device
 *
 * Return: 0 or -EOPNOTSUPP if the type has no size.
 */
int hv_backend_resize(struct hv_dev *dev)
{
	if (dev->ops->device_id == VIRTIO_ID_BLOCK)
		return hv_blk_resize(dev);
	return -EOPNOTSUPP;
}

int hv_backends_init(void)
{
	int ret;

	ret = hv_console_init();
	if (ret)
		return ret;
	ret = hv_blk_init();
	if (ret)
		hv_console_exit();
	return ret;
}

void hv_backends_exit(void)
{
	hv_blk_exit();
	hv_console_exit();
}
