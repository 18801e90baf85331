// SPDX-License-Identifier: GPL-2.0
/*
 * hvisor_sim: a simulated hvisor hypervisor for testing hvisor_vhost.
 *
 * It registers itself as hvisor_vhost's hypervisor provider and then
 * behaves as hvisor does: it owns the hypercall side of the virtio bridge,
 * produces device requests for trapped accesses of simulated zones, raises
 * the wake-up IRQ and injects interrupts. Zones are played by raw guests
 * (/dev/hvisor_sim), by in-kernel guests (a virtio transport for this
 * kernel's own drivers) or served by hvisor-tool's daemon (/dev/hvisor).
 */
#define pr_fmt(fmt) "hvisor_sim: " fmt

#include <linux/device.h>
#include <linux/module.h>

#include "hvisor_provider.h"
#include "sim.h"

struct hvsim hvsim;

static bool register_provider = true;
module_param(register_provider, bool, 0444);
MODULE_PARM_DESC(register_provider,
		 "Become hvisor_vhost's hypervisor provider (default Y); N leaves the bridge to /dev/hvisor");

unsigned int hvsim_stall_timeout_ms = 10000;
module_param_named(stall_timeout_ms, hvsim_stall_timeout_ms, uint, 0644);
MODULE_PARM_DESC(stall_timeout_ms,
		 "Default wait for a synchronous completion before the loud STALL error (ms, default 10000)");

unsigned int hvsim_lose_wakeup_every;
module_param_named(lose_wakeup_every, hvsim_lose_wakeup_every, uint, 0644);
MODULE_PARM_DESC(lose_wakeup_every,
		 "Drop every Nth wake-up IRQ, as a lost IPI would (0 = never)");

bool hvsim_defer_notifies;
module_param_named(defer_notifies, hvsim_defer_notifies, bool, 0644);
MODULE_PARM_DESC(defer_notifies,
		 "In-kernel guests push every notify from the work item that takes them when the request ring is full (tests; default N)");

static long hvsim_provider_hypercall(u64 code, u64 arg0, u64 arg1)
{
	long ret = hvsim_hypercall(code, arg0, arg1);

	if (code == HVISOR_HC_INIT_VIRTIO && !ret)
		WRITE_ONCE(hvsim.bridge_owner, HVSIM_OWNER_PROVIDER);
	return ret;
}

static struct hvisor_provider hvsim_provider = {
	.name			= HVSIM_NAME,
	.owner			= THIS_MODULE,
	.hypercall		= hvsim_provider_hypercall,
	.allow_system_ram	= true,
};

/**
 * hvsim_get_stats() - HVSIM_STATS
 * @st: filled in
 */
void hvsim_get_stats(struct hvsim_stats *st)
{
	struct hvsim_stat_counters *c = &hvsim.stats;

	memset(st, 0, sizeof(*st));
	st->requests = atomic64_read(&c->requests);
	st->wakeups = atomic64_read(&c->wakeups);
	st->finish_req = atomic64_read(&c->finish_req);
	st->injections = atomic64_read(&c->injections);
	st->dropped_results = atomic64_read(&c->dropped_results);
	st->pending_irq_overflow = atomic64_read(&c->pending_irq_overflow);
	st->stalls = atomic64_read(&c->stalls);
	st->bridge_registered = !!READ_ONCE(hvsim.bridge);
	st->bridge_owner = READ_ONCE(hvsim.bridge_owner);
	st->lost_wakeups = atomic64_read(&c->lost_wakeups);
	st->timeouts = atomic64_read(&c->timeouts);
	st->deferred_notifies = atomic64_read(&c->deferred_notifies);
	st->ring_full_waits = atomic64_read(&c->ring_full_waits);
	st->unknown_hypercalls = atomic64_read(&c->unknown_hypercalls);
	st->events_dropped = atomic64_read(&c->events_dropped);
	st->hypervisor_panics = atomic64_read(&c->hypervisor_panics);
}

static int hvsim_register_provider(void)
{
	int ret;

	if (!register_provider) {
		pr_info("not registering as hvisor_vhost's provider (register_provider=0)\n");
		return 0;
	}
	hvsim_provider.wakeup_irq = hvsim.wakeup_irq;
	ret = hvisor_provider_register(&hvsim_provider);
	if (ret) {
		pr_err("hvisor_provider_register: %d\n", ret);
		return ret;
	}
	WRITE_ONCE(hvsim.provider_registered, true);
	return 0;
}

static int __init hvisor_sim_init(void)
{
	int ret;

	hvisor_abi_check_layout();
	mutex_init(&hvsim.ctl_mutex);
	spin_lock_init(&hvsim.zone_lock);

	hvsim.wq = alloc_workqueue("hvisor_sim", WQ_UNBOUND, 0);
	if (!hvsim.wq)
		return -ENOMEM;
	hvsim.parent = root_device_register(HVSIM_NAME);
	if (IS_ERR(hvsim.parent)) {
		ret = PTR_ERR(hvsim.parent);
		goto err_destroy_wq;
	}
	ret = hvsim_bridge_init();
	if (ret)
		goto err_unregister_parent;
	ret = hvsim_compat_init();
	if (ret)
		goto err_bridge_exit;
	ret = hvsim_cdev_init();
	if (ret)
		goto err_compat_exit;
	ret = hvsim_register_provider();
	if (ret)
		goto err_cdev_exit;
	pr_info("loaded: wake-up irq %u, provider %s\n", hvsim.wakeup_irq,
		hvsim.provider_registered ? "registered" : "not registered");
	return 0;

err_cdev_exit:
	hvsim_cdev_exit();
err_compat_exit:
	hvsim_compat_exit();
err_bridge_exit:
	hvsim_bridge_exit();
err_unregister_parent:
	root_device_unregister(hvsim.parent);
err_destroy_wq:
	destroy_workqueue(hvsim.wq);
	return ret;
}

static void __exit hvisor_sim_exit(void)
{
	/* No file is open: nobody issues raw accesses or maps zone RAM. */
	hvsim_cdev_exit();
	/* Guests go first, while hvisor_vhost still serves them. */
	hvsim_zone_destroy_all();
	if (hvsim.provider_registered) {
		/* hvisor_vhost frees its bridge page: forget it first. */
		hvisor_provider_unregister(&hvsim_provider);
		spin_lock_irq(&hvsim.req_lock);
		spin_lock(&hvsim.res_lock);
		WRITE_ONCE(hvsim.bridge, NULL);
		spin_unlock(&hvsim.res_lock);
		spin_unlock_irq(&hvsim.req_lock);
	}
	/* No more hypercalls: drain the deliveries they queued. */
	flush_workqueue(hvsim.wq);
	hvsim_compat_exit();
	hvsim_bridge_exit();
	root_device_unregister(hvsim.parent);
	destroy_workqueue(hvsim.wq);
	pr_info("unloaded\n");
}

module_init(hvisor_sim_init);
module_exit(hvisor_sim_exit);
MODULE_DESCRIPTION("Simulated hvisor hypervisor for hvisor_vhost tests");
MODULE_LICENSE("GPL");
