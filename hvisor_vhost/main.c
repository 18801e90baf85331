// SPDX-License-Identifier: GPL-2.0
/*
 * hvisor_vhost: in-kernel virtio-mmio backends for hvisor zones.
 *
 * Layers, each calling only downward: hypervisor (provider) -> bridge ->
 * zone -> mmio/vq/worker (dev) -> backend table -> backends (console,
 * blk), which register their types in the table -> registry, which
 * creates devices through the table -> ctl and sysfs.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>
#include <linux/hvisor_vhost.h>

#include "backend.h"
#include "ctl.h"
#include "hypervisor.h"
#include "registry.h"
#include "sysfs.h"
#include "worker.h"

static const struct hvv_hypervisor_client hvv_registry_client = {
	.attach = hvv_registry_attach,
	.detach = hvv_registry_detach,
};

static int __init hvisor_vhost_init(void)
{
	int ret;

	ret = hvv_threads_init();
	if (ret)
		return ret;
	ret = hvv_sysfs_init(&hvv_registry_class_group);
	if (ret)
		goto err_threads;
	ret = hvv_console_init();
	if (ret)
		goto err_sysfs;
	ret = hvv_blk_init();
	if (ret)
		goto err_console;
	ret = hvv_net_init();
	if (ret)
		goto err_blk;
	ret = hvv_ctl_init();
	if (ret)
		goto err_net;
	ret = hvv_hypervisor_init(&hvv_registry_client);
	if (ret)
		goto err_ctl;
	return 0;

err_ctl:
	hvv_ctl_exit();
err_net:
	hvv_net_exit();
err_blk:
	hvv_blk_exit();
err_console:
	hvv_console_exit();
err_sysfs:
	hvv_sysfs_exit();
err_threads:
	hvv_threads_exit();
	return ret;
}

static void __exit hvisor_vhost_exit(void)
{
	hvv_hypervisor_exit();
	hvv_ctl_exit();
	hvv_net_exit();
	hvv_blk_exit();
	hvv_console_exit();
	hvv_sysfs_exit();
	hvv_threads_exit();
}

module_init(hvisor_vhost_init);
module_exit(hvisor_vhost_exit);
MODULE_DESCRIPTION("In-kernel virtio-mmio backends for hvisor zones");
MODULE_LICENSE("GPL");
MODULE_VERSION(HVV_VERSION);
