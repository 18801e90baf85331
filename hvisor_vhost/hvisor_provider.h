/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hypervisor interface of hvisor_vhost: who executes hypercalls and
 * raises the wake-up IRQ. On hvisor hardware that is the real provider built
 * into hvisor_vhost (hypercall instructions, device-tree IRQ); for tests it is
 * hvisor_sim.ko, which registers itself here and then behaves exactly as the
 * hypervisor does, hypercall for hypercall.
 */
#ifndef _HVISOR_PROVIDER_H
#define _HVISOR_PROVIDER_H

#include <linux/types.h>

struct module;

/**
 * struct hvisor_provider - a source of hypercalls and wake-up interrupts
 * @name: shown in logs and sysfs
 * @owner: module implementing the callbacks
 * @hypercall: issue hypercall @code with two arguments; returns hvisor's
 *	result (0 or a negative errno). Callable from any context, including
 *	with a spinlock held.
 * @wakeup_irq: Linux IRQ number of the wake-up line (requested shared)
 * @irq_flags: extra request_irq() flags (trigger type)
 * @allow_system_ram: zone memory may lie in root System RAM. Only the
 *	simulator sets this (its "guest" is the root kernel itself); on real
 *	hardware zone RAM is reserved memory the root never uses.
 * @loongarch_deassert: issue HVISOR_HC_CLEAR_INJECT_IRQ when a device's
 *	interrupt status drops to zero and on the wake-up IRQ
 */
struct hvisor_provider {
	const char *name;
	struct module *owner;
	long (*hypercall)(u64 code, u64 arg0, u64 arg1);
	int wakeup_irq;
	unsigned long irq_flags;
	bool allow_system_ram;
	bool loongarch_deassert;
};

int hvisor_provider_register(const struct hvisor_provider *prov);
void hvisor_provider_unregister(const struct hvisor_provider *prov);

#endif /* _HVISOR_PROVIDER_H */
