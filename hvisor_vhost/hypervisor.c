// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor layer: the provider of hypercalls and of the wake-up IRQ.
 *
 * On hvisor the provider is built in: the hypercall instruction of each
 * architecture (hvisor-abi.md §3.1) and the wake-up IRQ of the
 * /hvisor_virtio_device device-tree node (x86: hypercall 86). For tests,
 * hvisor_sim.ko registers itself as the provider instead.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_irq.h>
#include <linux/slab.h>
#include <linux/interrupt.h>

#include "hvisor_abi.h"
#include "hvisor_provider.h"
#include "hypervisor.h"

static char *hypervisor = "auto";
module_param(hypervisor, charp, 0444);
MODULE_PARM_DESC(hypervisor,
		 "auto: use hvisor if the /hvisor_virtio_device DT node exists; hvisor: force it (needed on x86); none: wait for a provider module (the simulator)");

static const struct hvv_hypervisor_client *hvv_client;

#if defined(CONFIG_ARM64)
static long hvv_real_hypercall(u64 code, u64 arg0, u64 arg1)
{
	register u64 x0 asm("x0") = code;
	register u64 x1 asm("x1") = arg0;
	register u64 x2 asm("x2") = arg1;

	asm volatile("hvc #0x4856" : "+r"(x0) : "r"(x1), "r"(x2) : "memory");
	return x0;
}
#elif defined(CONFIG_RISCV)
#define HVV_SBI_EID_HVISOR	0x114514

static long hvv_real_hypercall(u64 code, u64 arg0, u64 arg1)
{
	register unsigned long a0 asm("a0") = code;
	register unsigned long a1 asm("a1") = arg0;
	register unsigned long a2 asm("a2") = arg1;
	register unsigned long a7 asm("a7") = HVV_SBI_EID_HVISOR;

	asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a7)
		     : "memory");
	/* a0 is the SBI error, a1 hvisor's result. */
	return a0 ? -EIO : (long)a1;
}
#elif defined(CONFIG_LOONGARCH)
static long hvv_real_hypercall(u64 code, u64 arg0, u64 arg1)
{
	register unsigned long a0 asm("$a0") = code;
	register unsigned long a1 asm("$a1") = arg0;
	register unsigned long a2 asm("$a2") = arg1;

	/* hvcl 0, spelled out for assemblers without virtualization. */
	asm volatile(".word 0x002b8000" : "+r"(a0) : "r"(a1), "r"(a2)
		     : "memory");
	return a0;
}
#elif defined(CONFIG_X86_64)
static long hvv_real_hypercall(u64 code, u64 arg0, u64 arg1)
{
	long ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(code), "D"(arg0), "S"(arg1)
		     : "memory");
	return ret;
}
#else
static long hvv_real_hypercall(u64 code, u64 arg0, u64 arg1)
{
	return -EOPNOTSUPP;
}
#endif

static struct hvisor_provider hvv_real = {
	.name = "hvisor",
	.owner = THIS_MODULE,
	.hypercall = hvv_real_hypercall,
#ifdef CONFIG_LOONGARCH
	.loongarch_deassert = true,
#endif
};

static bool hvv_real_attached;

/* Find the wake-up IRQ; returns it, or a negative errno. */
static int hvv_real_wakeup_irq(void)
{
#ifdef CONFIG_X86_64
	u32 *irq;
	long ret;

	irq = kzalloc(sizeof(*irq), GFP_KERNEL);
	if (!irq)
		return -ENOMEM;
	ret = hvv_real_hypercall(HVISOR_HC_GET_VIRTIO_IRQ, __pa(irq), 0);
	ret = ret ? ret : *irq;
	kfree(irq);
	return ret ? ret : -ENODEV;
#elif defined(CONFIG_OF)
	struct device_node *np;
	int irq;

	np = of_find_node_by_path("/hvisor_virtio_device");
	if (!np)
		return -ENODEV;
	irq = of_irq_get(np, 0);
	of_node_put(np);
	hvv_real.irq_flags = IRQF_TRIGGER_RISING;
	return irq > 0 ? irq : (irq ? irq : -ENODEV);
#else
	return -ENODEV;
#endif
}

/* Does the device tree have hvisor's node (are we hvisor's root)? */
static bool hvv_real_dt_node(void)
{
	struct device_node *np = of_find_node_by_path("/hvisor_virtio_device");
	bool found = np;

	of_node_put(np);
	return found;
}

static int hvv_real_probe(void)
{
	bool forced = !strcmp(hypervisor, "hvisor");
	int irq, ret;

	if (!strcmp(hypervisor, "none"))
		return 0;
	if (strcmp(hypervisor, "auto") && !forced) {
		pr_err("hypervisor=%s: expected auto, hvisor or none\n",
		       hypervisor);
		return -EINVAL;
	}
	/* x86 cannot probe safely: vmcall outside hvisor faults. */
	if (IS_ENABLED(CONFIG_X86_64) && !forced)
		return 0;
	if (!IS_ENABLED(CONFIG_X86_64) && !forced && !hvv_real_dt_node())
		return 0;

	irq = hvv_real_wakeup_irq();
	if (irq < 0) {
		pr_err("hvisor: no wake-up IRQ (%d); the root device tree needs:\n"
		       "  hvisor_virtio_device { compatible = \"hvisor\"; interrupt-parent = <&gic>; interrupts = <0x00 0x20 0x01>; };\n",
		       irq);
		return forced ? irq : 0;
	}
	hvv_real.wakeup_irq = irq;
	ret = hvv_client->attach(&hvv_real);
	if (!ret)
		hvv_real_attached = true;
	return ret;
}

/**
 * hvisor_provider_register - make a module the hypervisor provider
 * @prov: the provider; must stay valid until unregistered
 *
 * The bridge page is registered through @prov->hypercall and the wake-up
 * IRQ requested before this returns.
 *
 * Return: 0, -EBUSY if a provider is attached, or another negative errno.
 */
int hvisor_provider_register(const struct hvisor_provider *prov)
{
	if (!prov->hypercall || !prov->name)
		return -EINVAL;
	return hvv_client->attach(prov);
}
EXPORT_SYMBOL_GPL(hvisor_provider_register);

/**
 * hvisor_provider_unregister - the provider leaves
 * @prov: the provider
 *
 * Every device and zone is removed first. The provider must not touch the
 * bridge page afterwards: it is freed.
 */
void hvisor_provider_unregister(const struct hvisor_provider *prov)
{
	hvv_client->detach(prov, true);
}
EXPORT_SYMBOL_GPL(hvisor_provider_unregister);

/**
 * hvv_hypervisor_init - attach the real hypervisor if there is one
 * @client: who serves providers
 *
 * Return: 0 or a negative errno.
 */
int hvv_hypervisor_init(const struct hvv_hypervisor_client *client)
{
	hvv_client = client;
	return hvv_real_probe();
}

/**
 * hvv_hypervisor_exit - detach the real hypervisor (its bridge page stays)
 */
void hvv_hypervisor_exit(void)
{
	if (hvv_real_attached)
		hvv_client->detach(&hvv_real, false);
	hvv_real_attached = false;
}
