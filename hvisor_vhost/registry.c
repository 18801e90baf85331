// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of zones and devices: their names and lifetimes.
 *
 * Everything here runs under hvv_ctl_lock (the control plane, provider
 * attach/detach). A device is added to the dispatcher (dispatch.c) once it
 * can be served and removed from it before its workers are stopped and
 * its memory freed.
 *
 * A device removed while its driver uses it may be detached instead
 * (hvv_dev_unplug(), see dev.c): it loses its name but stays in the lists
 * until its driver resets it or its zone is reset or deleted; then it is
 * reaped here.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/device.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/hvisor_vhost.h>

#include "backend.h"
#include "bridge.h"
#include "dev.h"
#include "dispatch.h"
#include "hvisor_abi.h"
#include "hvisor_provider.h"
#include "registry.h"
#include "sysfs.h"
#include "zone.h"

static unsigned int max_zone_irqs = HVISOR_MAX_PENDING_IRQS;
module_param(max_zone_irqs, uint, 0644);
MODULE_PARM_DESC(max_zone_irqs,
		 "Distinct device IRQs allowed per zone (default 7: hvisor panics with more pending on one CPU)");

/*
 * Smallest and largest virtio-mmio window we accept: the smallest (0x200)
 * holds the registers and the whole config space; a shorter one would cut
 * the config space the driver reads, and the zone would fault on it.
 */
#define HVV_DEV_MIN_LEN		(HVV_MMIO_CONFIG + HVV_CONFIG_SIZE)
#define HVV_DEV_MAX_LEN		0x10000

static DEFINE_MUTEX(hvv_ctl_lock);
/* The attached provider; hvv_ctl_lock. */
static const struct hvisor_provider *hvv_prov;
/* All zones; hvv_ctl_lock. */
static LIST_HEAD(hvv_zones);
/* All devices, reachable or not (yet); hvv_ctl_lock. */
static LIST_HEAD(hvv_devices);

static void hvv_reap_fn(struct work_struct *work);
/* Queued by a detached device's reset; reaps under hvv_ctl_lock. */
static DECLARE_WORK(hvv_reap_work, hvv_reap_fn);

static struct hvv_zone *hvv_zone_find(u32 zone_id)
{
	struct hvv_zone *zone;

	lockdep_assert_held(&hvv_ctl_lock);
	list_for_each_entry(zone, &hvv_zones, node)
		if (zone->id == zone_id)
			return zone;
	return NULL;
}

static struct hvv_dev *hvv_dev_find(const char *name)
{
	struct hvv_dev *dev;

	lockdep_assert_held(&hvv_ctl_lock);
	list_for_each_entry(dev, &hvv_devices, node)
		if (!dev->detached && !strcmp(dev->name, name))
			return dev;
	return NULL;
}

/**
 * hvv_registry_attach - a provider arrived: start the bridge
 * @prov: the provider
 *
 * Return: 0, -EBUSY if a provider is attached, or the bridge's error.
 */
int hvv_registry_attach(const struct hvisor_provider *prov)
{
	int ret;

	mutex_lock(&hvv_ctl_lock);
	if (hvv_prov) {
		pr_err("provider %s refused: %s is attached\n", prov->name,
		       hvv_prov->name);
		ret = -EBUSY;
		goto out;
	}
	ret = hvv_bridge_start(prov, hvv_dispatch, prov->owner != THIS_MODULE);
	if (!ret)
		hvv_prov = prov;
out:
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/* Free a device the dispatcher cannot reach (any more). */
static void hvv_dev_free(struct hvv_dev *dev)
{
	struct module *owner = dev->owner;

	hvv_dev_destroy(dev);
	hvv_backend_put(owner);
}

static void hvv_dev_remove(struct hvv_dev *dev)
{
	lockdep_assert_held(&hvv_ctl_lock);
	list_del(&dev->node);
	hvv_dispatch_remove(dev);
	dev->zone->nr_devices--;
	hvv_dev_free(dev);
}

/*
 * Free detached devices: with @zone, all of that zone's (it is going
 * away); without, those no driver owns any more.
 */
static void hvv_reap(const struct hvv_zone *zone)
{
	struct hvv_dev *dev, *tmp;

	lockdep_assert_held(&hvv_ctl_lock);
	list_for_each_entry_safe(dev, tmp, &hvv_devices, node)
		if (zone ? dev->zone == zone && dev->detached :
		    hvv_dev_reapable(dev))
			hvv_dev_remove(dev);
}

/* The zone's devices that were removed but still wait for its driver. */
static unsigned int hvv_zone_nr_detached(const struct hvv_zone *zone)
{
	unsigned int detached = 0;
	struct hvv_dev *dev;

	lockdep_assert_held(&hvv_ctl_lock);
	list_for_each_entry(dev, &hvv_devices, node)
		if (dev->zone == zone && dev->detached)
			detached++;
	return detached;
}

static void hvv_reap_fn(struct work_struct *work)
{
	mutex_lock(&hvv_ctl_lock);
	hvv_reap(NULL);
	mutex_unlock(&hvv_ctl_lock);
}

/**
 * hvv_registry_detach - the provider leaves: remove everything
 * @prov: the provider
 * @free_bridge: the provider will not touch the bridge page again
 */
void hvv_registry_detach(const struct hvisor_provider *prov, bool free_bridge)
{
	struct hvv_zone *zone, *tmp;

	mutex_lock(&hvv_ctl_lock);
	if (hvv_prov != prov)
		goto out;
	while (!list_empty(&hvv_devices))
		hvv_dev_remove(list_first_entry(&hvv_devices, struct hvv_dev,
						node));
	list_for_each_entry_safe(zone, tmp, &hvv_zones, node) {
		list_del(&zone->node);
		hvv_zone_destroy(zone);
	}
	hvv_bridge_stop(prov, free_bridge);
	hvv_prov = NULL;
out:
	mutex_unlock(&hvv_ctl_lock);
	/* Queued by a reset of a device freed above: nothing left to reap. */
	cancel_work_sync(&hvv_reap_work);
}

/**
 * hvv_registry_add_zone - add a zone and map its RAM
 * @uz: from userspace
 *
 * Return: 0, -ENODEV without a provider, -EEXIST for a known zone id, or
 * the validation error of hvv_zone_create().
 */
int hvv_registry_add_zone(const struct hvv_zone_config *uz)
{
	struct hvv_zone *zone;
	int ret = 0;

	mutex_lock(&hvv_ctl_lock);
	if (!hvv_prov) {
		ret = -ENODEV;
		goto out;
	}
	if (hvv_zone_find(uz->zone_id)) {
		pr_err("zone %u exists\n", uz->zone_id);
		ret = -EEXIST;
		goto out;
	}
	zone = hvv_zone_create(uz, hvv_prov->allow_system_ram);
	if (IS_ERR(zone)) {
		ret = PTR_ERR(zone);
		goto out;
	}
	list_add_tail(&zone->node, &hvv_zones);
out:
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/**
 * hvv_registry_del_zone - remove a zone without devices
 * @zone_id: the zone
 *
 * Devices removed while the zone's drivers used them go with it; a
 * refused deletion leaves them to those drivers.
 *
 * Return: 0, -ENOENT, or -EBUSY while devices remain.
 */
int hvv_registry_del_zone(u32 zone_id)
{
	struct hvv_zone *zone;
	unsigned int remain;
	int ret = 0;

	mutex_lock(&hvv_ctl_lock);
	zone = hvv_zone_find(zone_id);
	if (!zone) {
		ret = -ENOENT;
		goto out;
	}
	remain = zone->nr_devices - hvv_zone_nr_detached(zone);
	if (remain) {
		pr_err("zone %u still has %u devices\n", zone_id, remain);
		ret = -EBUSY;
		goto out;
	}
	hvv_reap(zone);
	list_del(&zone->node);
	hvv_zone_destroy(zone);
out:
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/**
 * hvv_registry_reset_zone - reset every device of a zone (zone restart)
 * @zone_id: the zone
 *
 * Devices removed while the zone's drivers used them are freed.
 *
 * Return: 0 or -ENOENT.
 */
int hvv_registry_reset_zone(u32 zone_id)
{
	struct hvv_dev *dev;
	int ret = -ENOENT;

	mutex_lock(&hvv_ctl_lock);
	if (hvv_zone_find(zone_id)) {
		list_for_each_entry(dev, &hvv_devices, node)
			if (dev->zone->id == zone_id)
				hvv_dev_reset_sync(dev);
		hvv_reap(NULL);
		ret = 0;
	}
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/* Window, IRQ and per-zone IRQ budget checks of a new device. */
static int hvv_dev_check_placement(const struct hvv_dev_config *ud,
				   const struct hvv_zone *zone)
{
	unsigned int distinct = 0;
	struct hvv_dev *dev;
	bool irq_known = false;

	if (ud->len < HVV_DEV_MIN_LEN || ud->len > HVV_DEV_MAX_LEN ||
	    ud->addr & 3 || ud->addr + ud->len < ud->addr) {
		pr_err("zone %u: window %#llx+%#llx invalid (length %#x..%#x, 4-byte aligned)\n",
		       zone->id, ud->addr, ud->len, HVV_DEV_MIN_LEN,
		       HVV_DEV_MAX_LEN);
		return -EINVAL;
	}
	if (!ud->irq) {
		pr_err("zone %u: irq 0 is not valid\n", zone->id);
		return -EINVAL;
	}
	list_for_each_entry(dev, &hvv_devices, node) {
		if (dev->zone != zone)
			continue;
		if (ud->addr < dev->addr + dev->len &&
		    dev->addr < ud->addr + ud->len) {
			if (dev->detached)
				pr_err("zone %u: window %#llx+%#llx overlaps removed %s, still in use by the zone's driver until it resets the device (or the zone is reset)\n",
				       zone->id, ud->addr, ud->len,
				       dev->name);
			else
				pr_err("zone %u: window %#llx+%#llx overlaps %s\n",
				       zone->id, ud->addr, ud->len,
				       dev->name);
			return -EADDRINUSE;
		}
		if (dev->irq == ud->irq)
			irq_known = true;
		distinct++;
	}
	if (irq_known) {
		pr_err("zone %u: irq %u is used by another device\n",
		       zone->id, ud->irq);
		return -EBUSY;
	}
	if (distinct + 1 > max_zone_irqs) {
		pr_err("zone %u: an IRQ beyond %u per zone could make hvisor panic (max_zone_irqs)\n",
		       zone->id, max_zone_irqs);
		return -ENOSPC;
	}
	return 0;
}

/**
 * hvv_registry_add_dev - create a device and make it reachable
 * @ud: from userspace; name and index are filled in
 * @report: copies @ud's name and index out to @uarg, with the device
 *	created but not yet reachable; its error undoes the add
 * @uarg: the caller's structure, for @report
 *
 * @report runs under the control lock, so no other control operation sees
 * the device before the caller has its name, and an add that fails there
 * cannot touch a device of someone else's.
 *
 * Return: 0 or a negative errno; nothing is left behind on failure.
 */
int hvv_registry_add_dev(struct hvv_dev_config *ud,
			 int (*report)(const struct hvv_dev_config *ud,
				       void __user *uarg),
			 void __user *uarg)
{
	struct hvv_zone *zone;
	struct hvv_dev *dev;
	int ret;

	mutex_lock(&hvv_ctl_lock);
	if (!hvv_prov) {
		ret = -ENODEV;
		goto out;
	}
	zone = hvv_zone_find(ud->zone_id);
	if (!zone) {
		pr_err("zone %u does not exist\n", ud->zone_id);
		ret = -ENOENT;
		goto out;
	}
	/* A window whose driver has just let go is free now, not later. */
	hvv_reap(NULL);
	ret = hvv_dev_check_placement(ud, zone);
	if (ret)
		goto out;

	dev = hvv_backend_create(ud);
	if (IS_ERR(dev)) {
		ret = PTR_ERR(dev);
		goto out;
	}
	dev->zone = zone;
	snprintf(ud->name, sizeof(ud->name), "%s", dev->name);
	ud->index = dev->index;

	ret = report(ud, uarg);
	if (!ret)
		ret = hvv_dev_publish(dev);
	if (ret) {
		hvv_dev_free(dev);
		goto out;
	}
	zone->nr_devices++;
	list_add_tail(&dev->node, &hvv_devices);
	hvv_dispatch_add(dev);
	dev_info(dev->sysdev, "zone %u addr %#llx len %#llx irq %u\n",
		 zone->id, dev->addr, dev->len, dev->irq);
out:
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/**
 * hvv_registry_del_dev - remove a device, waiting for its in-flight work
 * @name: device name
 *
 * The backend is released before this returns; a device its driver still
 * uses keeps failing the driver's requests until the driver resets it.
 *
 * Return: 0 or -ENOENT.
 */
int hvv_registry_del_dev(const char *name)
{
	struct hvv_dev *dev;
	int ret = 0;

	mutex_lock(&hvv_ctl_lock);
	dev = hvv_dev_find(name);
	if (!dev)
		ret = -ENOENT;
	else if (!hvv_dev_unplug(dev, &hvv_reap_work))
		hvv_dev_remove(dev);
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/**
 * zones_show - the zones, for /sys/class/hvisor/zones
 * @c: the class
 * @a: the attribute
 * @buf: a sysfs page
 *
 * One line per zone, in the order they were added: its id, its number of
 * RAM regions, its devices (detached ones included) and its detached
 * devices, decimal, separated by spaces. Lines that do not fit the page
 * are left out.
 *
 * Return: the length written.
 */
static ssize_t zones_show(HVV_CLASS_CONST struct class *c,
			  HVV_CLASS_CONST struct class_attribute *a, char *buf)
{
	struct hvv_zone *zone;
	ssize_t len = 0;

	mutex_lock(&hvv_ctl_lock);
	list_for_each_entry(zone, &hvv_zones, node)
		len += sysfs_emit_at(buf, len, "%u %u %u %u\n", zone->id,
				     zone->nr_regions, zone->nr_devices,
				     hvv_zone_nr_detached(zone));
	mutex_unlock(&hvv_ctl_lock);
	return len;
}

/**
 * detached_show - the detached devices, for
 *	/sys/class/hvisor/detached
 * @c: the class
 * @a: the attribute
 * @buf: a sysfs page
 *
 * One line per device removed while its driver used it and not yet
 * released by the driver (it has no sysfs entry of its own): the name it
 * had, type, zone, window base and length, irq, separated by spaces.
 * Lines that do not fit the page are left out.
 *
 * Return: the length written.
 */
static ssize_t detached_show(HVV_CLASS_CONST struct class *c,
			     HVV_CLASS_CONST struct class_attribute *a,
			     char *buf)
{
	struct hvv_dev *dev;
	ssize_t len = 0;

	mutex_lock(&hvv_ctl_lock);
	list_for_each_entry(dev, &hvv_devices, node)
		if (dev->detached)
			len += sysfs_emit_at(buf, len, "%s %s %u %#llx %#llx %u\n",
					     dev->name, dev->ops->type,
					     dev->zone->id, dev->addr,
					     dev->len, dev->irq);
	mutex_unlock(&hvv_ctl_lock);
	return len;
}

static CLASS_ATTR_RO(zones);
static CLASS_ATTR_RO(detached);

static struct attribute *hvv_registry_class_attrs[] = {
	&class_attr_zones.attr,
	&class_attr_detached.attr,
	NULL,
};

/* /sys/class/hvisor/zones and /detached, for hvv_sysfs_init(). */
const struct attribute_group hvv_registry_class_group = {
	.attrs = hvv_registry_class_attrs,
};

/**
 * hvv_registry_dev_info - describe a device
 * @info: name in, the rest out
 *
 * Return: 0 or -ENOENT.
 */
int hvv_registry_dev_info(struct hvv_dev_info *info)
{
	unsigned long flags;
	struct hvv_dev *dev;
	int ret = 0;

	mutex_lock(&hvv_ctl_lock);
	dev = hvv_dev_find(info->name);
	if (!dev) {
		ret = -ENOENT;
		goto out;
	}
	info->type = dev->ops->device_id;
	info->zone_id = dev->zone->id;
	info->addr = dev->addr;
	info->len = dev->len;
	info->irq = dev->irq;
	info->index = dev->index;
	info->flags = dev->flags;
	info->device_features = dev->device_features;
	spin_lock_irqsave(&dev->lock, flags);
	info->status = dev->status;
	info->driver_features = dev->driver_features;
	spin_unlock_irqrestore(&dev->lock, flags);
out:
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}

/**
 * hvv_registry_resize_dev - re-read a device's backing size
 * @name: device name
 *
 * Return: 0, -ENOENT, or -EOPNOTSUPP for a device that has no size.
 */
int hvv_registry_resize_dev(const char *name)
{
	struct hvv_dev *dev;
	int ret;

	mutex_lock(&hvv_ctl_lock);
	dev = hvv_dev_find(name);
	if (!dev)
		ret = -ENOENT;
	else if (!dev->ops->resize)
		ret = -EOPNOTSUPP;
	else
		ret = dev->ops->resize(dev);
	mutex_unlock(&hvv_ctl_lock);
	return ret;
}
