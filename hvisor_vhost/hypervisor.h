/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_HYPERVISOR_H
#define _HV_HYPERVISOR_H

#include <linux/types.h>

struct hvisor_provider;

/**
 * struct hv_hypervisor_client - who is told when a provider comes and goes
 * @attach: a provider registered; return 0 to accept it
 * @detach: it leaves; @free_bridge: it will never touch the bridge again
 */
struct hv_hypervisor_client {
	int (*attach)(const struct hvisor_provider *prov);
	void (*detach)(const struct hvisor_provider *prov, bool free_bridge);
};

int hv_hypervisor_init(const struct hv_hypervisor_client *client);
void hv_hypervisor_exit(void);

#endif /* _HV_HYPERVISOR_H */
