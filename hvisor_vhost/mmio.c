// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio version 2 register file of a device.
 *
 * Runs in dispatcher context (the wake-up IRQ or the dispatcher thread) for
 * every trapped access, under dev->lock, and never blocks: queue work is
 * only kicked. Where hvisor-tool's daemon
 * is lenient or wrong (hvisor-abi.md §5.3), this file follows the virtio
 * specification: registers below the config space are accessed with 32-bit
 * accesses only, QueueSel is bounds checked, DriverFeatures words are
 * replaced, FEATURES_OK is refused for features not offered, a reset clears
 * everything, and ring addresses are validated when a queue is enabled.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/device.h>
#include <linux/log2.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "dev.h"
#include "hvisor_abi.h"
#include "mmio.h"
#include "trace.h"

#define HVV_MMIO_MAGIC		0x74726976	/* "virt" */
#define HVV_MMIO_VERSION		2
#define HVV_MMIO_VENDOR		0x48564953	/* "HVIS", as hvisor-tool */

static void hvv_mmio_reject(struct hvv_dev *dev, const char *what, u64 off,
			    u64 size)
{
	atomic64_inc(&dev->stats.errors);
	dev_dbg_ratelimited(dev->sysdev, "%s at %#llx size %llu ignored\n",
			    what, off, size);
}

static struct hvv_vq *hvv_mmio_sel_vq(struct hvv_dev *dev)
{
	if (dev->queue_sel >= dev->nr_queues)
		return NULL;
	return &dev->vqs[dev->queue_sel];
}

static bool hvv_mmio_config_size_ok(u64 size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static u64 hvv_mmio_config_read(struct hvv_dev *dev, u64 off, u64 size)
{
	u64 value = 0;

	off -= HVV_MMIO_CONFIG;
	if (off >= HVV_CONFIG_SIZE || size > HVV_CONFIG_SIZE - off) {
		hvv_mmio_reject(dev, "config read out of bounds", off, size);
		return 0;
	}
	/* Little-endian guest register image of the bytes at @off. */
	memcpy(&value, dev->config + off, size);
	return le64_to_cpu((__force __le64)value);
}

static u64 hvv_mmio_read_locked(struct hvv_dev *dev, u64 off, u64 size)
{
	struct hvv_vq *vq;

	if (off >= HVV_MMIO_CONFIG) {
		if (!hvv_mmio_config_size_ok(size)) {
			hvv_mmio_reject(dev, "config read of odd size", off,
					size);
			return 0;
		}
		return hvv_mmio_config_read(dev, off, size);
	}
	if (size != 4 || off & 3) {
		hvv_mmio_reject(dev, "register read not 32-bit", off, size);
		return 0;
	}

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return HVV_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return HVV_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return HVV_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (dev->dev_features_sel > 1)
			return 0;
		return (u32)(dev->device_features >>
			     (32 * dev->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		vq = hvv_mmio_sel_vq(dev);
		return vq ? vq->num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		vq = hvv_mmio_sel_vq(dev);
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return dev->isr;
	case VIRTIO_MMIO_STATUS:
		return dev->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		/* No shared memory regions: all ones per the spec. */
		return 0xffffffff;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->config_gen;
	default:
		/* Write-only and unknown registers read as 0. */
		return 0;
	}
}

/**
 * hvv_mmio_read - serve a register read
 * @dev: the device
 * @off: offset in the window
 * @size: access size in bytes
 *
 * Return: the value, not yet masked to @size (the bridge does that).
 */
u64 hvv_mmio_read(struct hvv_dev *dev, u64 off, u64 size)
{
	unsigned long flags;
	u64 value;

	atomic64_inc(&dev->stats.reg_reads);
	spin_lock_irqsave(&dev->lock, flags);
	value = hvv_mmio_read_locked(dev, off, size);
	spin_unlock_irqrestore(&dev->lock, flags);
	return value;
}

static void hvv_mmio_set_addr(u64 *reg, bool high, u32 value)
{
	if (high)
		*reg = (*reg & 0xffffffffULL) | ((u64)value << 32);
	else
		*reg = (*reg & ~0xffffffffULL) | value;
}

/* The driver wrote QueueDesc/Driver/Device: only while the queue is off. */
static void hvv_mmio_queue_addr(struct hvv_dev *dev, u64 off, u32 value)
{
	struct hvv_vq *vq = hvv_mmio_sel_vq(dev);
	bool high = off & 4;

	if (!vq || vq->ready) {
		hvv_mmio_reject(dev, vq ? "ring address of an enabled queue" :
			       "ring address of a missing queue", off, 4);
		return;
	}
	switch (off & ~4ULL) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		hvv_mmio_set_addr(&vq->desc_gpa, high, value);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		hvv_mmio_set_addr(&vq->avail_gpa, high, value);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		hvv_mmio_set_addr(&vq->used_gpa, high, value);
		break;
	}
}

/* Returns what must be done once dev->lock is dropped. */
enum hvv_mmio_after {
	HVV_AFTER_NONE,
	HVV_AFTER_RESET,
	HVV_AFTER_RELEASE,
	HVV_AFTER_STATUS,
	HVV_AFTER_NOTIFY,
	HVV_AFTER_CONFIG,
	HVV_AFTER_DEASSERT,
	HVV_AFTER_REASSERT,
	HVV_AFTER_BROKEN,
};

/*
 * QueueReady: enabling checks the ring (HVV_AFTER_BROKEN if invalid);
 * disabling an enabled queue is answered once the device let go of the
 * ring and its buffers (HVV_AFTER_RELEASE), as the driver may free them
 * when it reads 0 back.
 */
static enum hvv_mmio_after hvv_mmio_queue_ready(struct hvv_dev *dev,
						u32 value)
{
	struct hvv_vq *vq = hvv_mmio_sel_vq(dev);

	if (!vq) {
		hvv_mmio_reject(dev, "QueueReady of a missing queue",
				VIRTIO_MMIO_QUEUE_READY, 4);
		return HVV_AFTER_NONE;
	}
	if (!value) {
		if (!vq->ready)
			return HVV_AFTER_NONE;
		vq->ready = false;
		hvv_vq_new_gen(vq);
		hvv_dev_begin_release_locked(dev);
		return HVV_AFTER_RELEASE;
	}
	if (vq->ready)
		return HVV_AFTER_NONE;
	if (hvv_vq_enable(vq, dev->driver_features))
		return HVV_AFTER_BROKEN;
	vq->ready = true;
	hvv_vq_new_gen(vq);
	/* A backend may have data waiting for this queue. */
	hvv_worker_kick(&vq->worker);
	return HVV_AFTER_NONE;
}

/*
 * FEATURES_OK: accept only a subset of what was offered, with VERSION_1
 * (this is a modern-only device). Returns false to refuse the bit.
 */
static bool hvv_mmio_features_ok(struct hvv_dev *dev)
{
	u64 features = dev->driver_features;

	return !(features & ~dev->device_features) &&
	       features & BIT_ULL(VIRTIO_F_VERSION_1);
}

/* Returns true if the write changed the status (not a reset). */
static bool hvv_mmio_status(struct hvv_dev *dev, u32 value)
{
	u32 old = dev->status;

	if (value & ~old & VIRTIO_CONFIG_S_FEATURES_OK &&
	    !hvv_mmio_features_ok(dev)) {
		hvv_mmio_reject(dev, "FEATURES_OK with features not offered",
				VIRTIO_MMIO_STATUS, 4);
		value &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	}
	value &= ~VIRTIO_CONFIG_S_NEEDS_RESET;	/* the device's to set */
	if ((old & ~value) & ~VIRTIO_CONFIG_S_NEEDS_RESET) {
		/* Clearing bits other than by a reset is not allowed. */
		hvv_mmio_reject(dev, "status bits cleared without reset",
				VIRTIO_MMIO_STATUS, 4);
		return false;
	}
	dev->status = value | (old & VIRTIO_CONFIG_S_NEEDS_RESET);
	return dev->status != old;
}

static enum hvv_mmio_after hvv_mmio_write_locked(struct hvv_dev *dev, u64 off,
						 u64 size, u64 value,
					       u32 *old_status)
{
	u32 val = value, acked;

	if (off >= HVV_MMIO_CONFIG) {
		if (!hvv_mmio_config_size_ok(size) ||
		    off - HVV_MMIO_CONFIG >= HVV_CONFIG_SIZE ||
		    size > HVV_CONFIG_SIZE - (off - HVV_MMIO_CONFIG) ||
		    !dev->ops->config_write) {
			hvv_mmio_reject(dev, "config write", off, size);
			return HVV_AFTER_NONE;
		}
		return HVV_AFTER_CONFIG;
	}
	if (size != 4 || off & 3) {
		hvv_mmio_reject(dev, "register write not 32-bit", off, size);
		return HVV_AFTER_NONE;
	}

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (dev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
			hvv_mmio_reject(dev, "DriverFeatures after FEATURES_OK",
					off, size);
			break;
		}
		if (dev->drv_features_sel == 0)
			dev->driver_features = (dev->driver_features &
						~0xffffffffULL) | val;
		else if (dev->drv_features_sel == 1)
			dev->driver_features = (dev->driver_features &
						0xffffffffULL) |
					       ((u64)val << 32);
		else if (val)
			hvv_mmio_reject(dev, "DriverFeatures word > 1", off,
					size);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		/* Any value is stored; accesses through it are checked. */
		dev->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (!hvv_mmio_sel_vq(dev) || hvv_mmio_sel_vq(dev)->ready) {
			hvv_mmio_reject(dev, "QueueNum", off, size);
			break;
		}
		hvv_mmio_sel_vq(dev)->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		return hvv_mmio_queue_ready(dev, val);
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		return HVV_AFTER_NOTIFY;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		acked = dev->isr & val;
		dev->isr &= ~val;
		if (!dev->irq_asserted)
			break;
		if (!dev->isr) {
			dev->irq_asserted = false;
			return HVV_AFTER_DEASSERT;
		}
		/*
		 * A cause raised after the driver read InterruptStatus, which
		 * its handler will not see: tell it with a new injection, or
		 * it would never be told (one injection is outstanding until
		 * every cause is ACKed).
		 */
		if (acked)
			return HVV_AFTER_REASSERT;
		break;
	case VIRTIO_MMIO_STATUS:
		*old_status = dev->status;
		if (!val)
			return HVV_AFTER_RESET;
		if (hvv_mmio_status(dev, val))
			return HVV_AFTER_STATUS;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		hvv_mmio_queue_addr(dev, off, val);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		dev->shm_sel = val;
		break;
	default:
		hvv_mmio_reject(dev, "write to a read-only or unknown register",
				off, size);
		break;
	}
	return HVV_AFTER_NONE;
}

static void hvv_mmio_notify(struct hvv_dev *dev, u32 index)
{
	atomic64_inc(&dev->stats.notifies);
	trace_hvv_notify(dev->name, index);
	if (index >= dev->nr_queues) {
		hvv_mmio_reject(dev, "QueueNotify of a missing queue",
				VIRTIO_MMIO_QUEUE_NOTIFY, 4);
		return;
	}
	hvv_worker_kick(&dev->vqs[index].worker);
}

/**
 * hvv_mmio_write - serve a register write
 * @dev: the device
 * @off: offset in the window
 * @size: access size in bytes
 * @value: value, masked to @size
 * @waiter: the CPU waiting for the answer, or HVV_NO_WAITER
 *
 * Return: true if the device answers @waiter later (a reset, a queue
 * disabled).
 */
bool hvv_mmio_write(struct hvv_dev *dev, u64 off, u64 size, u64 value,
		    int waiter)
{
	enum hvv_mmio_after after;
	unsigned long flags;
	u32 old_status = 0, status;

	atomic64_inc(&dev->stats.reg_writes);
	spin_lock_irqsave(&dev->lock, flags);
	after = hvv_mmio_write_locked(dev, off, size, value, &old_status);
	status = dev->status;
	spin_unlock_irqrestore(&dev->lock, flags);

	switch (after) {
	case HVV_AFTER_NONE:
		break;
	case HVV_AFTER_RESET:
		return hvv_dev_reset(dev, waiter);
	case HVV_AFTER_RELEASE:
		return hvv_dev_release(dev, waiter);
	case HVV_AFTER_DEASSERT:
		hvv_dev_deassert(dev);
		break;
	case HVV_AFTER_REASSERT:
		hvv_dev_reassert(dev);
		break;
	case HVV_AFTER_BROKEN:
		hvv_dev_broken(dev, "invalid virtqueue configuration");
		break;
	case HVV_AFTER_STATUS:
		if (dev->ops->status_changed)
			dev->ops->status_changed(dev, old_status, status);
		/* Serve what the driver posted before DRIVER_OK. */
		if (status & ~old_status & VIRTIO_CONFIG_S_DRIVER_OK)
			hvv_dev_kick_all(dev);
		break;
	case HVV_AFTER_NOTIFY:
		hvv_mmio_notify(dev, value);
		break;
	case HVV_AFTER_CONFIG:
		dev->ops->config_write(dev, off - HVV_MMIO_CONFIG, size, value);
		break;
	}
	return false;
}
