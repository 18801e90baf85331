// SPDX-License-Identifier: GPL-2.0
/*
 * hvisor_vhost: in-kernel virtio-mmio backends for hvisor zones.
 */
#include <linux/module.h>

#include "hvisor_abi.h"

static int __init hvisor_vhost_init(void)
{
	hvisor_abi_check_layout();
	return 0;
}

static void __exit hvisor_vhost_exit(void)
{
}

module_init(hvisor_vhost_init);
module_exit(hvisor_vhost_exit);
MODULE_DESCRIPTION("In-kernel virtio backends for hvisor zones");
MODULE_LICENSE("GPL");
