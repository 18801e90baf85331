/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_HYPERVISOR_H
#define _HVV_HYPERVISOR_H

#include <linux/types.h>

struct hvisor_provider;

/**
 * struct hvv_hypervisor_client - who is told when a provider comes and goes
 * @attach: a provider registered; return 0 to accept it
 * @detach: it leaves; @free_bridge: it will never touch the bridge again
 */
struct hvv_hypervisor_client {
	int (*attach)(const struct hvisor_provider *prov);
	void (*detach)(const struct hvisor_provider *prov, bool free_bridge);
};

int hvv_hypervisor_init(const struct hvv_hypervisor_client *client);
void hvv_hypervisor_exit(void);

#endif /* _HVV_HYPERVISOR_H */
