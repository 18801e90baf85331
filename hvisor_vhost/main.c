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

static const struct hv_hypervisor_client hv_registry_client = {
	.attach = hv_registry_attach,
	.detach = hv_registry_detach,
};

static int __init hvisor_vhost_init(void)
{
	int ret;

	ret = hv_threads_init();
	if (ret)
		return ret;
	ret = hv_sysfs_init();
	if (ret)
		goto err_threads;
	ret = hv_console_init();
	if (ret)
		goto err_sysfs;
	ret = hv_blk_init();
	if (ret)
		goto err_console;
	ret = hv_ctl_init();
	if (ret)
		goto err_blk;
	ret = hv_hypervisor_init(&hv_registry_client);
	if (ret)
		goto err_ctl;
	return 0;

err_ctl:
	hv_ctl_exit();
err_blk:
	hv_blk_exit();
err_console:
	hv_console_exit();
err_sysfs:
	hv_sysfs_exit();
err_threads:
	hv_threads_exit();
	return ret;
}

static void __exit hvisor_vhost_exit(void)
{
	hv_hypervisor_exit();
	hv_ctl_exit();
	hv_blk_exit();
	hv_console_exit();
	hv_sysfs_exit();
	hv_threads_exit();
}

module_init(hvisor_vhost_init);
module_exit(hvisor_vhost_exit);
MODULE_DESCRIPTION("In-kernel virtio-mmio backends for hvisor zones");
MODULE_LICENSE("GPL");
MODULE_VERSION(HVV_VERSION);
