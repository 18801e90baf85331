// SPDX-License-Identifier: GPL-2.0
/*
 * Doubles of dev.c and worker.c for the native build; see doubles.h. The
 * register effects follow the contracts in dev.h: a broken device gets
 * NEEDS_RESET and a config interrupt when DRIVER_OK is set, an interrupt
 * is injected only when none is outstanding, a reset clears every register
 * and disables the queues with a new ring generation. Like dev.c, they
 * take dev->lock: the shim aborts if a caller already holds it.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "doubles.h"
#include "mmio.h"
#include "shim/hv_shim_test.h"

struct hv_calls hv_calls;

void hv_calls_clear(void)
{
	memset(&hv_calls, 0, sizeof(hv_calls));
}

/* dev->lock held; returns true if an interrupt must be injected. */
static bool hv_double_set_isr(struct hvv_dev *dev, u32 bits)
{
	lockdep_assert_held(&dev->lock);
	dev->isr |= bits;
	if (dev->irq_asserted)
		return false;
	dev->irq_asserted = true;
	return true;
}

void hvv_dev_raise(struct hvv_dev *dev, u32 isr_bits)
{
	unsigned long flags;
	bool inject;

	hv_calls.raise++;
	hv_calls.raise_bits |= isr_bits;
	spin_lock_irqsave(&dev->lock, flags);
	inject = hv_double_set_isr(dev, isr_bits);
	spin_unlock_irqrestore(&dev->lock, flags);
	if (inject)
		hv_calls.injections++;
}

void hvv_dev_deassert(struct hvv_dev *dev)
{
	hv_calls.deassert++;
}

void hvv_dev_reassert(struct hvv_dev *dev)
{
	hv_calls.injections++;
}

void hvv_dev_broken(struct hvv_dev *dev, const char *reason)
{
	unsigned long flags;
	bool inject = false;

	hv_calls.broken++;
	hv_calls.broken_reason = reason;
	atomic64_inc(&dev->stats.errors);
	spin_lock_irqsave(&dev->lock, flags);
	if (!dev->broken) {
		dev->broken = true;
		dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
			inject = hv_double_set_isr(dev, VIRTIO_MMIO_INT_CONFIG);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (inject)
		hv_calls.injections++;
}

bool hvv_dev_serving_locked(const struct hvv_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	return dev->status & VIRTIO_CONFIG_S_DRIVER_OK && !dev->broken;
}

void hvv_worker_kick(struct hvv_worker *w)
{
	struct hvv_vq *vq = container_of(w, struct hvv_vq, worker);

	hv_calls.kicks[vq->index]++;
}

void hvv_dev_kick_all(struct hvv_dev *dev)
{
	unsigned int i;

	hv_calls.kick_all++;
	for (i = 0; i < dev->nr_queues; i++)
		hvv_worker_kick(&dev->vqs[i].worker);
}

void hvv_dev_begin_release_locked(struct hvv_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	dev->releases_pending++;
}

/* No release work here: the release ends at once. */
bool hvv_dev_release(struct hvv_dev *dev, int waiter)
{
	unsigned long flags;

	hv_calls.release++;
	hv_calls.release_waiter = waiter;
	spin_lock_irqsave(&dev->lock, flags);
	dev->releases_pending--;
	spin_unlock_irqrestore(&dev->lock, flags);
	return waiter != HVV_NO_WAITER;
}

bool hvv_dev_reset(struct hvv_dev *dev, int waiter)
{
	unsigned long flags;
	bool deassert;
	unsigned int i;

	hv_calls.reset++;
	hv_calls.reset_waiter = waiter;
	spin_lock_irqsave(&dev->lock, flags);
	deassert = dev->irq_asserted;
	dev->status = 0;
	dev->driver_features = 0;
	dev->dev_features_sel = 0;
	dev->drv_features_sel = 0;
	dev->queue_sel = 0;
	dev->shm_sel = 0;
	dev->isr = 0;
	dev->irq_asserted = false;
	dev->broken = false;
	for (i = 0; i < dev->nr_queues; i++) {
		struct hvv_vq *vq = &dev->vqs[i];

		vq->ready = false;
		vq->num = 0;
		vq->desc_gpa = 0;
		vq->avail_gpa = 0;
		vq->used_gpa = 0;
		vq->ring.gen++;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (deassert)
		hvv_dev_deassert(dev);
	hvv_dev_kick_all(dev);
	return waiter != HVV_NO_WAITER;
}

static void hv_tdev_status_changed(struct hvv_dev *dev, u32 old, u32 status)
{
	hv_calls.status_changed++;
	hv_calls.status_old = old;
	hv_calls.status_new = status;
}

static void hv_tdev_config_write(struct hvv_dev *dev, u32 off, u32 size,
				 u64 val)
{
	hv_calls.config_write++;
	hv_calls.config_off = off;
	hv_calls.config_size = size;
	hv_calls.config_val = val;
}

const struct hvv_dev_ops hv_tdev_ops = {
	.type = "test",
	.device_id = 3,
	.status_changed = hv_tdev_status_changed,
	.config_write = hv_tdev_config_write,
};

const struct hvv_dev_ops hv_tdev_ops_ro = {
	.type = "test-ro",
	.device_id = 2,
	.status_changed = hv_tdev_status_changed,
};

/* The callbacks hvv_dev_init() gives each queue, onto the doubles above. */
static bool hv_tvq_serving(struct hvv_vq *vq)
{
	return hvv_dev_serving_locked(vq->dev);
}

static void hv_tvq_broken(struct hvv_vq *vq, const char *reason)
{
	hvv_dev_broken(vq->dev, reason);
}

static void hv_tvq_signal(struct hvv_vq *vq)
{
	hvv_dev_raise(vq->dev, VIRTIO_MMIO_INT_VRING);
}

static const struct hvv_vq_ops hv_tvq_ops = {
	.serving = hv_tvq_serving,
	.broken = hv_tvq_broken,
	.signal = hv_tvq_signal,
};

int hv_tdev_init(struct hvv_dev *dev, const struct hvv_dev_ops *ops,
		 struct hvv_zone *zone, unsigned int nr_queues, u16 num_max,
		 u64 features)
{
	unsigned int i;

	memset(dev, 0, sizeof(*dev));
	dev->ops = ops;
	dev->zone = zone;
	dev->device_features = features | BIT_ULL(VIRTIO_F_VERSION_1) |
			       BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
			       BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	spin_lock_init(&dev->lock);
	INIT_LIST_HEAD(&dev->node);
	dev->vqs = kcalloc(nr_queues, sizeof(*dev->vqs), GFP_KERNEL);
	if (!dev->vqs)
		return -ENOMEM;
	dev->nr_queues = nr_queues;
	for (i = 0; i < nr_queues; i++) {
		struct hvv_vq *vq = &dev->vqs[i];

		vq->ops = &hv_tvq_ops;
		vq->dev = dev;
		vq->lock = &dev->lock;
		vq->zone = zone;
		vq->name = dev->name;
		vq->stats = &dev->stats.vq;
		vq->index = i;
		vq->num_max = num_max;
		if (hvv_vq_alloc(vq)) {
			hv_tdev_fini(dev);
			return -ENOMEM;
		}
	}
	return 0;
}

void hv_tdev_fini(struct hvv_dev *dev)
{
	unsigned int i;

	if (!dev->vqs)
		return;
	for (i = 0; i < dev->nr_queues; i++)
		hvv_vq_free(&dev->vqs[i]);
	kfree(dev->vqs);
	dev->vqs = NULL;
}

u32 hv_tdev_read(struct hvv_dev *dev, u64 off)
{
	return hvv_mmio_read(dev, off, 4);
}

bool hv_tdev_write(struct hvv_dev *dev, u64 off, u32 value)
{
	return hvv_mmio_write(dev, off, 4, value, HVV_NO_WAITER);
}

void hv_tdev_negotiate(struct hvv_dev *dev, u64 features)
{
	u32 s = VIRTIO_CONFIG_S_ACKNOWLEDGE;

	hv_tdev_write(dev, VIRTIO_MMIO_STATUS, s);
	s |= VIRTIO_CONFIG_S_DRIVER;
	hv_tdev_write(dev, VIRTIO_MMIO_STATUS, s);
	hv_tdev_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	hv_tdev_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, (u32)features);
	hv_tdev_write(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	hv_tdev_write(dev, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	hv_tdev_write(dev, VIRTIO_MMIO_STATUS, s);
}

u32 hv_tdev_queue(struct hvv_dev *dev, u32 q, u32 num, u64 desc, u64 avail,
		  u64 used)
{
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_SEL, q);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_NUM, num);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (u32)avail);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_USED_LOW, (u32)used);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
	hv_tdev_write(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	return hv_tdev_read(dev, VIRTIO_MMIO_QUEUE_READY);
}

void hv_tdev_driver_ok(struct hvv_dev *dev)
{
	hv_tdev_write(dev, VIRTIO_MMIO_STATUS,
		      hv_tdev_read(dev, VIRTIO_MMIO_STATUS) |
		      VIRTIO_CONFIG_S_DRIVER_OK);
}

void *hv_tgpa(const struct hvv_mem_region *regs, unsigned int nr, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (gpa >= regs[i].gpa && gpa - regs[i].gpa < regs[i].size)
			return hv_shim_hpa_va(regs[i].hpa + (gpa - regs[i].gpa));
	return NULL;
}

const struct hvv_mem_region hv_tlayout[HV_TLAYOUT_NR] = {
	{ .gpa = 0x0, .hpa = 0x100000, .size = 0x2000 },
	{ .gpa = 0x2000, .hpa = 0x200000, .size = 0x1000 },
	{ .gpa = 0x10000, .hpa = 0x300000, .size = 0x1000 },
};

struct hvv_zone *hv_tzone(void)
{
	static struct hvv_zone_config uz;
	struct hvv_zone *zone;

	memset(&uz, 0, sizeof(uz));
	uz.zone_id = 1;
	uz.nr_regions = HV_TLAYOUT_NR;
	memcpy(uz.regions, hv_tlayout, sizeof(hv_tlayout));
	zone = hvv_zone_create(&uz, false);
	return IS_ERR(zone) ? NULL : zone;
}

void *hv_tmem(u64 gpa)
{
	return hv_tgpa(hv_tlayout, HV_TLAYOUT_NR, gpa);
}
