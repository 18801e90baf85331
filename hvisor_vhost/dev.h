/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio-mmio device served in the root kernel: its register file (mmio.c),
 * its virtqueues (vq.c) and the ops a backend (console, blk, net) provides.
 */
#ifndef _HVV_DEV_H
#define _HVV_DEV_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/hvisor_vhost.h>

#include "vq.h"

struct attribute_group;
struct device;
struct hvv_dev;
struct hvv_zone;

#define HVV_MAX_QUEUES		16
#define HVV_CONFIG_SIZE		256	/* device config space bytes */
#define HVV_MMIO_CONFIG		0x100	/* config space offset */
/* No vCPU waits for the access (an asynchronous one, or from the root). */
#define HVV_NO_WAITER		(-1)

/**
 * struct hvv_dev_ops - what a backend provides
 * @type: "console", "blk", "net"
 * @device_id: virtio device ID
 * @handle_queue: serve a queue; worker context, may sleep; return true to
 *	be run again (budget exhausted or retry wanted)
 * @quiesce: after a reset or a queue disable, wait until I/O the backend
 *	started no longer writes into zone memory (optional; workqueue
 *	context, may sleep)
 * @status_changed: the driver set status bits; dispatcher context (may
 *	be hard interrupt context) under rcu_read_lock() (the device's
 *	lookup), no device lock: must not sleep, nor wait on anything but a
 *	short spinlock taken with interrupts off; hand the rest to @control
 * @config_write: the driver wrote config space; same context
 * @control: work the hooks above (or the workers) asked for with
 *	hvv_dev_control(), when it may sleep or wait (optional): process
 *	context, one work item per device, never concurrent with itself;
 *	@events are the bits asked for since the last run. Never runs once
 *	removal began (before @shutdown or @detach)
 * @backend_show: sysfs "backend" text
 * @sysfs_group: the backend's own attributes in the device's sysfs entry
 *	(optional); their drvdata is the &struct hvv_dev
 * @resize: follow a change of the backing's size (optional: types without
 *	a size); process context, hvv_ctl_lock held
 * @publish: make the device reachable from outside the module (a tty)
 *	once it can be served: its workers run, and the zone reaches it
 *	right after. Optional; process context, hvv_ctl_lock held. On
 *	failure it undoes itself; @shutdown undoes success.
 * @can_detach: the device may be detached (see dev.c) when it is removed
 *	while its driver uses it: it then fails the driver's requests (its
 *	workers keep running) until the driver resets it
 * @shutdown: removal, step 1 (also of a device being detached): stop
 *	external event sources and wait for in-flight I/O, whose results the
 *	workers still publish. The dispatcher may still reach a device being
 *	detached, no other. Process context.
 * @detach: detaching, step 2 (optional): after @shutdown and after every
 *	worker run that started before it ended, let go of the backend
 *	(close it); every later request must fail, so that the driver sees
 *	errors instead of requests that never end. Process context.
 * @release: removal, step 2: workers are stopped and the sysfs entry is
 *	gone; free the device. Process context.
 */
struct hvv_dev_ops {
	const char *type;
	u32 device_id;
	bool (*handle_queue)(struct hvv_vq *vq);
	void (*quiesce)(struct hvv_dev *dev);
	void (*status_changed)(struct hvv_dev *dev, u32 old, u32 status);
	void (*config_write)(struct hvv_dev *dev, u32 off, u32 size, u64 val);
	void (*control)(struct hvv_dev *dev, unsigned long events);
	ssize_t (*backend_show)(struct hvv_dev *dev, char *buf);
	const struct attribute_group *sysfs_group;
	int (*resize)(struct hvv_dev *dev);
	int (*publish)(struct hvv_dev *dev);
	bool can_detach;
	void (*shutdown)(struct hvv_dev *dev);
	void (*detach)(struct hvv_dev *dev);
	void (*release)(struct hvv_dev *dev);
};

/**
 * struct hvv_dev_stats - counters, shown in sysfs
 * @reg_reads: register reads
 * @reg_writes: register writes
 * @notifies: QueueNotify writes
 * @interrupts: interrupts injected
 * @vq: what the queues count: descriptor chains served, bytes the device
 *	read from the guest and wrote to it
 * @errors: rejected accesses and malformed requests
 * @dropped: bytes the backend could not deliver and discarded (console:
 *	guest output a stalled tty reader did not take)
 */
struct hvv_dev_stats {
	atomic64_t reg_reads;
	atomic64_t reg_writes;
	atomic64_t notifies;
	atomic64_t interrupts;
	struct hvv_vq_stats vq;
	atomic64_t errors;
	atomic64_t dropped;
};

/**
 * struct hvv_dev - one virtio-mmio device of one zone
 * @ops: backend
 * @owner: the backend's module, referenced until the device is released
 *	(set by hvv_backend_create(), then constant)
 * @zone: zone (pinned by zone->nr_devices)
 * @addr: window base (guest-physical)
 * @len: window length
 * @irq: interrupt injected into the zone
 * @index: per-type index
 * @flags: the per-type flags of the uapi (HVV_BLK_F_*, HVV_NET_F_*), set
 *	by the backend before the device is published, then constant
 * @name: e.g. "console0"
 * @device_features: offered features; set before the device is visible
 * @nr_queues: number of virtqueues
 * @vqs: the virtqueues
 * @node: entry in the registry's device list (hvv_ctl_lock)
 * @dispatch_node: entry in the dispatcher's list of reachable devices (RCU
 *	readers; writers serialised by hvv_ctl_lock)
 * @sysdev: the /sys/class/hvisor entry
 * @sysfs_groups: its attribute groups: the core's and the backend's
 *	(constant while @sysdev exists)
 * @stats: counters
 * @release_work: waits for the device to let go of zone memory after a reset
 *	or a queue disable and answers the waiting vCPUs
 * @release_waiters: bitmap of CPUs whose write (Status 0, QueueReady 0) is
 *	still to be answered; set by the dispatcher, taken (xchg) by
 *	@release_work
 * @control_work: runs @ops->control
 * @control_events: events for the next run of @control_work (or-ed in,
 *	taken with an exchange by the run)
 * @reap_work: set (dev->lock) when the device was detached (removed while
 *	its driver ran); @release_work queues it after the driver's reset, to
 *	free what is left
 * @lock: protects the register state below and every field marked
 *	dev->lock in struct hvv_vq; taken by the dispatcher, the workers and
 *	sysfs; never held across sleeping or bridge calls
 * @status: Status register
 * @driver_features: DriverFeatures (both words)
 * @dev_features_sel: DeviceFeaturesSel
 * @drv_features_sel: DriverFeaturesSel
 * @queue_sel: QueueSel
 * @shm_sel: SHMSel
 * @isr: InterruptStatus
 * @irq_asserted: an injection is outstanding; no new one until the driver
 *	ACKs (hvisor-tool's model, which also bounds hvisor's pending list)
 * @config_gen: ConfigGeneration
 * @broken: the device gave up on the driver (NEEDS_RESET)
 * @releases_pending: resets and queue disables whose wait for the device
 *	to let go of the zone's memory (@release_work) has not ended; under
 *	@lock. The queues are not served meanwhile, even if another vCPU of
 *	the zone sets the device up again, so that the wait covers only what
 *	started before the write
 * @control_closed: removal began: hvv_dev_control() queues nothing more
 *	(set and read under @lock)
 * @detached: removed while its driver ran: no name, no backend; serves
 *	the zone's accesses until the driver resets it. Written under both
 *	hvv_ctl_lock (registry.c) and @lock; read under either
 * @config: device config space
 */
struct hvv_dev {
	const struct hvv_dev_ops *ops;
	struct module *owner;
	struct hvv_zone *zone;
	u64 addr;
	u64 len;
	u32 irq;
	u32 index;
	u32 flags;
	char name[HVV_NAME_LEN];
	u64 device_features;
	unsigned int nr_queues;
	struct hvv_vq *vqs;
	struct list_head node;
	struct list_head dispatch_node;
	struct device *sysdev;
	const struct attribute_group *sysfs_groups[4];
	struct hvv_dev_stats stats;
	struct work_struct release_work;
	unsigned long release_waiters;
	struct work_struct control_work;
	atomic_long_t control_events;
	struct work_struct *reap_work;

	spinlock_t lock;	/* register state, hvv_vq dev->lock fields */
	u32 status;
	u64 driver_features;
	u32 dev_features_sel;
	u32 drv_features_sel;
	u32 queue_sel;
	u32 shm_sel;
	u32 isr;
	bool irq_asserted;
	u32 config_gen;
	bool broken;
	unsigned int releases_pending;
	bool control_closed;
	bool detached;
	u8 config[HVV_CONFIG_SIZE];
};

/* dev.c: lifecycle and the glue to the bridge */
int hvv_dev_init(struct hvv_dev *dev, const struct hvv_dev_ops *ops,
		 const struct hvv_dev_config *ud, unsigned int nr_queues, u16 num_max,
		u64 features);
void hvv_dev_stop(struct hvv_dev *dev);
void hvv_dev_raise(struct hvv_dev *dev, u32 isr_bits);
void hvv_dev_deassert(struct hvv_dev *dev);
void hvv_dev_reassert(struct hvv_dev *dev);
void hvv_dev_set_config(struct hvv_dev *dev, unsigned int off, const void *buf,
			unsigned int len, bool notify);
void hvv_dev_broken(struct hvv_dev *dev, const char *reason);
void hvv_dev_control(struct hvv_dev *dev, unsigned long events);
void hvv_dev_begin_release_locked(struct hvv_dev *dev);
bool hvv_dev_release(struct hvv_dev *dev, int waiter);
bool hvv_dev_reset(struct hvv_dev *dev, int waiter);
void hvv_dev_reset_sync(struct hvv_dev *dev);
int hvv_dev_publish(struct hvv_dev *dev);
bool hvv_dev_unplug(struct hvv_dev *dev, struct work_struct *reap_work);
void hvv_dev_destroy(struct hvv_dev *dev);
bool hvv_dev_reapable(struct hvv_dev *dev);
bool hvv_dev_serving_locked(const struct hvv_dev *dev);
void hvv_dev_kick_all(struct hvv_dev *dev);

#endif /* _HVV_DEV_H */
