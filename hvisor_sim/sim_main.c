// SPDX-License-Identifier: GPL-2.0
/*
 * hvisor_sim: a simulated hvisor hypervisor for testing hvisor_vhost.
 */
#include <linux/module.h>

static int __init hvisor_sim_init(void)
{
	return 0;
}

static void __exit hvisor_sim_exit(void)
{
}

module_init(hvisor_sim_init);
module_exit(hvisor_sim_exit);
MODULE_DESCRIPTION("Simulated hvisor hypervisor for hvisor_vhost tests");
MODULE_LICENSE("GPL");
