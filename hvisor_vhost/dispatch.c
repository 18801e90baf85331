// SPDX-License-Identifier: GPL-2.0
/*
 * The data path's entry: each trapped access the bridge hands over is
 * routed to the register file of the device whose window holds it.
 *
 * The dispatcher finds devices under RCU only. The control plane adds and
 * removes them (its callers serialise those calls); a removed device is
 * unreachable once hvv_dispatch_remove() returns.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/rculist.h>

#include "bridge.h"
#include "dev.h"
#include "dispatch.h"
#include "hvisor_abi.h"
#include "mmio.h"
#include "trace.h"
#include "zone.h"

/* Reachable devices: RCU readers, writers serialised by their callers. */
static LIST_HEAD(hvv_dispatch_devices);

/**
 * hvv_dispatch_add - make a device reachable from its zone
 * @dev: the device, started; its window is not another device's
 *
 * Callers serialise hvv_dispatch_add() and hvv_dispatch_remove().
 */
void hvv_dispatch_add(struct hvv_dev *dev)
{
	list_add_tail_rcu(&dev->dispatch_node, &hvv_dispatch_devices);
}

/**
 * hvv_dispatch_remove - make a device unreachable
 * @dev: the device, added
 *
 * When this returns, no access is being served by @dev and none will be.
 * Process context; may sleep (an RCU grace period).
 */
void hvv_dispatch_remove(struct hvv_dev *dev)
{
	list_del_rcu(&dev->dispatch_node);
	synchronize_rcu();
}

static struct hvv_dev *hvv_dispatch_lookup_rcu(u32 zone_id, u64 addr)
{
	struct hvv_dev *dev;

	list_for_each_entry_rcu(dev, &hvv_dispatch_devices, dispatch_node)
		if (dev->zone->id == zone_id && addr >= dev->addr &&
		    addr - dev->addr < dev->len)
			return dev;
	return NULL;
}

/**
 * hvv_dispatch - the bridge's request handler
 * @req: the trapped access
 * @value: the value a read returns
 *
 * Dispatcher context: the device's register file is served under
 * rcu_read_lock() and must not sleep. An address no device holds reads 0
 * and ignores writes.
 *
 * Return: 0, or HVV_REQ_DEFERRED if the device answers the vCPU later.
 */
int hvv_dispatch(const struct hvisor_device_req *req, u64 *value)
{
	struct hvv_dev *dev;
	int ret = 0;

	rcu_read_lock();
	dev = hvv_dispatch_lookup_rcu(req->src_zone, req->address);
	if (!dev) {
		pr_debug_ratelimited("zone %u: %s %#llx: no device\n",
				     req->src_zone,
				     req->is_write ? "write" : "read",
				     req->address);
	} else if (req->is_write) {
		if (hvv_mmio_write(dev, req->address - dev->addr, req->size,
				   req->value, req->need_interrupt ?
				  HVV_NO_WAITER : (int)req->src_cpu))
			ret = HVV_REQ_DEFERRED;
		trace_hvv_request(dev->name, req->src_zone,
				  req->address - dev->addr, req->size, true,
				  req->value);
	} else {
		*value = hvv_mmio_read(dev, req->address - dev->addr,
				       req->size);
		trace_hvv_request(dev->name, req->src_zone,
				  req->address - dev->addr, req->size, false,
				  *value);
	}
	rcu_read_unlock();
	return ret;
}
