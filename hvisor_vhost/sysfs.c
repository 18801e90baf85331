// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/class/hvisor: one entry per device with its configuration, state
 * and counters (Documentation/ABI/testing/sysfs-class-hvisor), and as
 * class attributes the bridge counters, the zones and the detached
 * devices (the registry's, read under hvv_ctl_lock: no attribute of the
 * class is removed with it held).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/device.h>
#include <linux/kdev_t.h>
#include <linux/version.h>
#include <linux/sysfs.h>

#include "bridge.h"
#include "dev.h"
#include "sysfs.h"
#include "zone.h"

static struct hvv_dev *to_hv_dev(struct device *d)
{
	return dev_get_drvdata(d);
}

#define HVV_DEV_ATTR(_name, _fmt, _expr)					\
static ssize_t _name##_show(struct device *d,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct hvv_dev *dev = to_hv_dev(d);				\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static DEVICE_ATTR_RO(_name)

HVV_DEV_ATTR(type, "%s", dev->ops->type);
HVV_DEV_ATTR(zone, "%u", dev->zone->id);
HVV_DEV_ATTR(addr, "%#llx", dev->addr);
HVV_DEV_ATTR(len, "%#llx", dev->len);
HVV_DEV_ATTR(irq, "%u", dev->irq);
HVV_DEV_ATTR(device_features, "%#018llx", dev->device_features);

static ssize_t backend_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	struct hvv_dev *dev = to_hv_dev(d);

	if (!dev->ops->backend_show)
		return sysfs_emit(buf, "\n");
	return dev->ops->backend_show(dev, buf);
}
static DEVICE_ATTR_RO(backend);

static ssize_t status_show(struct device *d, struct device_attribute *attr,
			   char *buf)
{
	struct hvv_dev *dev = to_hv_dev(d);
	unsigned long flags;
	u32 status;

	spin_lock_irqsave(&dev->lock, flags);
	status = dev->status;
	spin_unlock_irqrestore(&dev->lock, flags);
	return sysfs_emit(buf, "%#04x\n", status);
}
static DEVICE_ATTR_RO(status);

static ssize_t driver_features_show(struct device *d,
				    struct device_attribute *attr, char *buf)
{
	struct hvv_dev *dev = to_hv_dev(d);
	unsigned long flags;
	u64 features;

	spin_lock_irqsave(&dev->lock, flags);
	features = dev->driver_features;
	spin_unlock_irqrestore(&dev->lock, flags);
	return sysfs_emit(buf, "%#018llx\n", features);
}
static DEVICE_ATTR_RO(driver_features);

static struct attribute *hvv_dev_attrs[] = {
	&dev_attr_type.attr,
	&dev_attr_zone.attr,
	&dev_attr_addr.attr,
	&dev_attr_len.attr,
	&dev_attr_irq.attr,
	&dev_attr_backend.attr,
	&dev_attr_status.attr,
	&dev_attr_device_features.attr,
	&dev_attr_driver_features.attr,
	NULL,
};

static const struct attribute_group hvv_dev_group = {
	.attrs = hvv_dev_attrs,
};

/* One show() for every counter: the attribute carries its offset. */
static ssize_t hvv_stat_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr, typeof(*ea), attr);
	atomic64_t *counter = (void *)&to_hv_dev(d)->stats +
			      (uintptr_t)ea->var;

	return sysfs_emit(buf, "%lld\n", atomic64_read(counter));
}

static struct dev_ext_attribute hvv_stats[] = {
	{ __ATTR(reg_reads, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, reg_reads) },
	{ __ATTR(reg_writes, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, reg_writes) },
	{ __ATTR(notifies, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, notifies) },
	{ __ATTR(interrupts, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, interrupts) },
	{ __ATTR(requests, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, vq.requests) },
	{ __ATTR(bytes_out, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, vq.bytes_out) },
	{ __ATTR(bytes_in, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, vq.bytes_in) },
	{ __ATTR(errors, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, errors) },
	{ __ATTR(dropped, 0444, hvv_stat_show, NULL),
	  (void *)offsetof(struct hvv_dev_stats, dropped) },
};

static struct attribute *hvv_stat_attrs[] = {
	&hvv_stats[0].attr.attr,
	&hvv_stats[1].attr.attr,
	&hvv_stats[2].attr.attr,
	&hvv_stats[3].attr.attr,
	&hvv_stats[4].attr.attr,
	&hvv_stats[5].attr.attr,
	&hvv_stats[6].attr.attr,
	&hvv_stats[7].attr.attr,
	&hvv_stats[8].attr.attr,
	NULL,
};

static const struct attribute_group hvv_stat_group = {
	.name = "stats",
	.attrs = hvv_stat_attrs,
};

#define HVV_BRIDGE_ATTR(_name)						\
static ssize_t bridge_##_name##_show(HVV_CLASS_CONST struct class *c,	\
				     HVV_CLASS_CONST struct class_attribute *a, \
				     char *buf)				\
{									\
	struct hvv_bridge_stats stats;					\
									\
	hvv_bridge_get_stats(&stats);					\
	return sysfs_emit(buf, "%llu\n", stats._name);			\
}									\
static CLASS_ATTR_RO(bridge_##_name)

HVV_BRIDGE_ATTR(requests);
HVV_BRIDGE_ATTR(completions);
HVV_BRIDGE_ATTR(deferred);
HVV_BRIDGE_ATTR(bad_cpu);
HVV_BRIDGE_ATTR(wakeups);
HVV_BRIDGE_ATTR(irq_requests);
HVV_BRIDGE_ATTR(irq_handoffs);
HVV_BRIDGE_ATTR(sleeps);
HVV_BRIDGE_ATTR(results);
HVV_BRIDGE_ATTR(finish_req);

static struct attribute *hvv_class_attrs[] = {
	&class_attr_bridge_requests.attr,
	&class_attr_bridge_completions.attr,
	&class_attr_bridge_deferred.attr,
	&class_attr_bridge_bad_cpu.attr,
	&class_attr_bridge_wakeups.attr,
	&class_attr_bridge_irq_requests.attr,
	&class_attr_bridge_irq_handoffs.attr,
	&class_attr_bridge_sleeps.attr,
	&class_attr_bridge_results.attr,
	&class_attr_bridge_finish_req.attr,
	NULL,
};

static const struct attribute_group hvv_class_group = {
	.attrs = hvv_class_attrs,
};

/* The bridge's, and the registry's given to hvv_sysfs_init(). */
static const struct attribute_group *hvv_class_groups[3] = {
	&hvv_class_group,
};

/*
 * What udev rules match on without reading attributes: the zone, the
 * device's name and its type. Called while the entry exists, when the
 * device and its zone do.
 */
static int hvv_dev_uevent(HVV_UEVENT_CONST struct device *d,
			  struct kobj_uevent_env *env)
{
	const struct hvv_dev *dev = dev_get_drvdata(d);

	if (!dev)
		return 0;
	return add_uevent_var(env, "HVISOR_ZONE=%u", dev->zone->id) ?:
	       add_uevent_var(env, "HVISOR_DEVICE=%s", dev->name) ?:
	       add_uevent_var(env, "HVISOR_TYPE=%s", dev->ops->type);
}

static struct class hvv_class = {
	.name = "hvisor",
	.class_groups = hvv_class_groups,
	.dev_uevent = hvv_dev_uevent,
};

/**
 * hvv_sysfs_add - create /sys/class/hvisor/<name>
 * @dev: the device, named
 *
 * Return: 0 or a negative errno.
 */
int hvv_sysfs_add(struct hvv_dev *dev)
{
	struct device *d;

	dev->sysfs_groups[0] = &hvv_dev_group;
	dev->sysfs_groups[1] = &hvv_stat_group;
	dev->sysfs_groups[2] = dev->ops->sysfs_group;
	dev->sysfs_groups[3] = NULL;
	d = device_create_with_groups(&hvv_class, NULL, MKDEV(0, 0), dev,
				      dev->sysfs_groups, "%s", dev->name);
	if (IS_ERR(d))
		return PTR_ERR(d);
	dev->sysdev = d;
	return 0;
}

/**
 * hvv_sysfs_remove - remove the entry; no attribute runs afterwards
 * @dev: the device (the entry may not exist)
 */
void hvv_sysfs_remove(struct hvv_dev *dev)
{
	if (!dev->sysdev)
		return;
	if (device_is_registered(dev->sysdev))
		device_unregister(dev->sysdev);
	else	/* hidden: only the reference is left */
		put_device(dev->sysdev);
	dev->sysdev = NULL;
}

/**
 * hvv_sysfs_hide - remove the entry but keep the struct device, which the
 *	device's log messages still name, until hvv_sysfs_remove()
 * @dev: the device, its entry added
 */
void hvv_sysfs_hide(struct hvv_dev *dev)
{
	device_del(dev->sysdev);
}

/**
 * hvv_sysfs_init - register /sys/class/hvisor
 * @above: class attributes of the layer above (the registry's zones and
 *	detached devices), which this file does not call
 *
 * Return: 0 or a negative errno.
 */
int hvv_sysfs_init(const struct attribute_group *above)
{
	hvv_class_groups[1] = above;
	return class_register(&hvv_class);
}

void hvv_sysfs_exit(void)
{
	class_unregister(&hvv_class);
}
