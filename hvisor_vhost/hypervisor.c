// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor layer: registration of the provider (the real hvisor or the
 * simulator) that executes hypercalls and raises the wake-up IRQ.
 */
#include <linux/module.h>

#include "hvisor_provider.h"

int hvisor_provider_register(const struct hvisor_provider *prov)
{
	return -ENOSYS;
}
EXPORT_SYMBOL_GPL(hvisor_provider_register);

void hvisor_provider_unregister(const struct hvisor_provider *prov)
{
}
EXPORT_SYMBOL_GPL(hvisor_provider_unregister);
