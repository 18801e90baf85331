// SPDX-License-Identifier: GPL-2.0
/*
 * Device core: lifecycle of a virtio-mmio device, its queue workers, and
 * the device-side events (interrupts, config changes, reset, NEEDS_RESET).
 *
 * A reset takes effect on the registers at once; the write that asked for
 * it is answered only once the device has let go of the zone's memory: no
 * worker run that started before it is still going, and no I/O the backend
 * started still writes into guest buffers. Until then the vCPU waits, as
 * it would on a device that resets synchronously; Linux's virtio_mmio does
 * not read Status back after writing 0, so the write is where it waits.
 * Meanwhile the queues are not served, even if another vCPU of the zone
 * sets the device up again: the wait covers only what started before the
 * reset, and a guest cannot make it last for ever.
 *
 * Removal: a device no driver uses is made unreachable by the registry,
 * then destroyed here. One removed while its driver uses it would strand
 * the driver: its requests would never complete. If the backend can
 * detach, such a device loses its sysfs entry, control work and backend
 * at once (hvv_dev_unplug()) but stays reachable, failing every request,
 * until the driver resets it (or its zone is reset or deleted); then the
 * registry reaps it. Its window is not free before that.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/workqueue.h>

#include "bridge.h"
#include "dev.h"
#include "hvisor_abi.h"
#include "sysfs.h"
#include "trace.h"
#include "zone.h"

static void __hvv_dev_raise(struct hvv_dev *dev, u32 isr_bits, bool batched);

/*
 * One pass of a queue's worker. The interrupts it raises are delivered
 * together at its end: one FINISH_REQ per pass, not per interrupt.
 */
static bool hvv_vq_work(void *data)
{
	struct hvv_vq *vq = data;
	bool again;

	if (!hvv_vq_sync(vq))
		return false;
	again = vq->dev->ops->handle_queue(vq);
	hvv_bridge_flush();
	return again;
}

static bool hvv_dev_vq_serving(struct hvv_vq *vq)
{
	return hvv_dev_serving_locked(vq->dev);
}

static void hvv_dev_vq_broken(struct hvv_vq *vq, const char *reason)
{
	hvv_dev_broken(vq->dev, reason);
}

/* From the queue's worker pass (batched), or any other context. */
static void hvv_dev_vq_signal(struct hvv_vq *vq)
{
	__hvv_dev_raise(vq->dev, VIRTIO_MMIO_INT_VRING,
			hvv_worker_is_current(&vq->worker));
}

static const struct hvv_vq_ops hvv_dev_vq_ops = {
	.serving = hvv_dev_vq_serving,
	.broken = hvv_dev_vq_broken,
	.signal = hvv_dev_vq_signal,
};

/*
 * Wait until the device has let go of the zone's memory: every worker run
 * that may have used the old rings has ended (later runs see the new
 * generation and start nothing), then the backend's in-flight I/O is
 * done. In that order: a run still popping the old ring may start I/O
 * after the backend found none in flight.
 */
static void hvv_dev_quiesce(struct hvv_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nr_queues; i++)
		hvv_worker_sync(&dev->vqs[i].worker);
	if (dev->ops->quiesce)
		dev->ops->quiesce(dev);
}

static void hvv_dev_release_work(struct work_struct *work)
{
	struct hvv_dev *dev = container_of(work, struct hvv_dev, release_work);
	struct work_struct *reap_work;
	unsigned int cpu, covered;
	unsigned long waiters, flags;
	bool resume;

	/*
	 * The resets counted and the waiters taken here are covered: they
	 * happened before the quiesce below. Later ones requeue us.
	 */
	spin_lock_irqsave(&dev->lock, flags);
	covered = dev->releases_pending;
	spin_unlock_irqrestore(&dev->lock, flags);
	waiters = xchg(&dev->release_waiters, 0);
	hvv_dev_quiesce(dev);
	for_each_set_bit(cpu, &waiters, BITS_PER_LONG)
		hvv_bridge_answer(cpu, 0);
	spin_lock_irqsave(&dev->lock, flags);
	dev->releases_pending -= covered;
	resume = !dev->releases_pending;
	reap_work = dev->reap_work;
	spin_unlock_irqrestore(&dev->lock, flags);
	/* What the driver posted since, if it set the device up again. */
	if (resume && covered)
		hvv_dev_kick_all(dev);
	if (reap_work)
		queue_work(system_unbound_wq, reap_work);
}

static void hvv_dev_control_work(struct work_struct *work)
{
	struct hvv_dev *dev = container_of(work, struct hvv_dev, control_work);

	dev->ops->control(dev, atomic_long_xchg(&dev->control_events, 0));
}

/**
 * hvv_dev_control - have the backend's control op run in process context
 * @dev: the device; its backend has a @control op
 * @events: backend-defined bits, or'ed into the next run's events
 *
 * Any context. Does nothing once removal began.
 */
void hvv_dev_control(struct hvv_dev *dev, unsigned long events)
{
	unsigned long flags;

	if (WARN_ON_ONCE(!dev->ops->control))
		return;
	spin_lock_irqsave(&dev->lock, flags);
	if (!dev->control_closed) {
		atomic_long_or(events, &dev->control_events);
		queue_work(system_unbound_wq, &dev->control_work);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
}

/* Removal began: no control work from now on; waits for a run. */
static void hvv_dev_close_control(struct hvv_dev *dev)
{
	unsigned long flags;

	spin_lock_irqsave(&dev->lock, flags);
	dev->control_closed = true;
	spin_unlock_irqrestore(&dev->lock, flags);
	cancel_work_sync(&dev->control_work);
}

/**
 * hvv_dev_init - initialise the generic part of a device
 * @dev: the device (embedded in the backend's structure, zeroed)
 * @ops: backend ops
 * @ud: the configuration from userspace (addr, len, irq)
 * @nr_queues: number of virtqueues (1..HVV_MAX_QUEUES)
 * @num_max: QueueNumMax of every queue (power of two)
 * @features: backend features; the core adds VERSION_1, INDIRECT_DESC and
 *	EVENT_IDX
 *
 * Return: 0, -EINVAL for a queue count out of range (a backend bug), or
 * -ENOMEM. Undo with hvv_dev_stop().
 */
int hvv_dev_init(struct hvv_dev *dev, const struct hvv_dev_ops *ops,
		 const struct hvv_dev_config *ud, unsigned int nr_queues, u16 num_max,
		u64 features)
{
	unsigned int i;

	if (WARN_ON_ONCE(!nr_queues || nr_queues > HVV_MAX_QUEUES))
		return -EINVAL;
	dev->ops = ops;
	dev->addr = ud->addr;
	dev->len = ud->len;
	dev->irq = ud->irq;
	dev->device_features = features | BIT_ULL(VIRTIO_F_VERSION_1) |
			       BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
			       BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	spin_lock_init(&dev->lock);
	INIT_LIST_HEAD(&dev->node);
	INIT_LIST_HEAD(&dev->dispatch_node);
	INIT_WORK(&dev->release_work, hvv_dev_release_work);
	INIT_WORK(&dev->control_work, hvv_dev_control_work);
	dev->vqs = kcalloc(nr_queues, sizeof(*dev->vqs), GFP_KERNEL);
	if (!dev->vqs)
		return -ENOMEM;
	dev->nr_queues = nr_queues;
	for (i = 0; i < nr_queues; i++) {
		struct hvv_vq *vq = &dev->vqs[i];

		vq->ops = &hvv_dev_vq_ops;
		vq->dev = dev;
		vq->lock = &dev->lock;
		vq->name = dev->name;
		vq->stats = &dev->stats.vq;
		vq->index = i;
		vq->num_max = num_max;
		if (hvv_vq_alloc(vq)) {
			hvv_dev_stop(dev);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Start the queue workers ("hv-<name>-q<N>"), on consecutive turns. On
 * failure, those started keep running until hvv_dev_stop().
 */
static int hvv_dev_start(struct hvv_dev *dev)
{
	unsigned int first = hvv_threads_take_turns(dev->nr_queues);
	unsigned int i;
	int ret;

	for (i = 0; i < dev->nr_queues; i++) {
		dev->vqs[i].zone = dev->zone;
		ret = hvv_worker_start(&dev->vqs[i].worker, hvv_vq_work,
				       &dev->vqs[i], first + i, dev->name, i);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * hvv_dev_stop - stop the workers and free the queues
 * @dev: the device, no longer reachable from the dispatcher
 */
void hvv_dev_stop(struct hvv_dev *dev)
{
	unsigned int i;

	if (!dev->vqs)
		return;
	for (i = 0; i < dev->nr_queues; i++) {
		hvv_worker_stop(&dev->vqs[i].worker);
		hvv_vq_free(&dev->vqs[i]);
	}
	kfree(dev->vqs);
	dev->vqs = NULL;
}

/* Set ISR bits; returns true if an injection must be sent. */
static bool hvv_dev_set_isr_locked(struct hvv_dev *dev, u32 bits)
{
	lockdep_assert_held(&dev->lock);
	dev->isr |= bits;
	if (dev->irq_asserted)
		return false;
	dev->irq_asserted = true;
	return true;
}

/*
 * Queue an injection. It is delivered at once, or with @batched by the
 * hvv_bridge_flush() that ends the caller's worker pass (hvv_vq_work()).
 */
static void hvv_dev_inject(struct hvv_dev *dev, bool batched)
{
	atomic64_inc(&dev->stats.interrupts);
	trace_hvv_irq(dev->name, dev->zone->id, dev->irq, READ_ONCE(dev->isr));
	hvv_bridge_push_result(dev->zone->id, dev->irq);
	if (!batched)
		hvv_bridge_flush();
}

static void __hvv_dev_raise(struct hvv_dev *dev, u32 isr_bits, bool batched)
{
	unsigned long flags;
	bool inject = false;

	spin_lock_irqsave(&dev->lock, flags);
	if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
		inject = hvv_dev_set_isr_locked(dev, isr_bits);
	spin_unlock_irqrestore(&dev->lock, flags);
	if (inject)
		hvv_dev_inject(dev, batched);
}

/**
 * hvv_dev_raise - interrupt the driver
 * @dev: the device
 * @isr_bits: VIRTIO_MMIO_INT_VRING and/or VIRTIO_MMIO_INT_CONFIG
 *
 * At most one injection is outstanding per device: further events only set
 * InterruptStatus bits until the driver ACKs them all. Nothing before the
 * driver sets DRIVER_OK, as after a reset that came after the event (a
 * queue's worker publishes, the driver resets the device, the worker
 * signals): an interrupt outstanding then would hold back the next
 * driver's. Any context.
 */
void hvv_dev_raise(struct hvv_dev *dev, u32 isr_bits)
{
	__hvv_dev_raise(dev, isr_bits, false);
}

/**
 * hvv_dev_reassert - the driver ACKed some causes, and others are left
 * @dev: the device
 *
 * Inject once more for the causes raised after the driver read them.
 */
void hvv_dev_reassert(struct hvv_dev *dev)
{
	hvv_dev_inject(dev, false);
}

/**
 * hvv_dev_deassert - the driver ACKed every interrupt cause
 * @dev: the device
 */
void hvv_dev_deassert(struct hvv_dev *dev)
{
	hvv_bridge_deassert(dev->zone->id, dev->irq);
}

/**
 * hvv_dev_serving_locked - may the device use buffers?
 * @dev: the device; dev->lock held
 *
 * Return: true if the driver set DRIVER_OK, the device is not broken and
 * no reset still waits for the device to let go of the zone's memory.
 */
bool hvv_dev_serving_locked(const struct hvv_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	return dev->status & VIRTIO_CONFIG_S_DRIVER_OK && !dev->broken &&
	       !dev->releases_pending;
}

/**
 * hvv_dev_kick_all - make every queue's worker look at its queue
 * @dev: the device
 */
void hvv_dev_kick_all(struct hvv_dev *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nr_queues; i++)
		hvv_worker_kick(&dev->vqs[i].worker);
}

/**
 * hvv_dev_set_config - change device config space
 * @dev: the device
 * @off: offset in config space
 * @buf: new bytes
 * @len: their number
 * @notify: a change the driver must be told about (config interrupt)
 */
void hvv_dev_set_config(struct hvv_dev *dev, unsigned int off, const void *buf,
			unsigned int len, bool notify)
{
	unsigned long flags;
	bool inject = false;

	if (WARN_ON_ONCE(off > HVV_CONFIG_SIZE || len > HVV_CONFIG_SIZE - off))
		return;
	spin_lock_irqsave(&dev->lock, flags);
	memcpy(dev->config + off, buf, len);
	if (notify) {
		dev->config_gen++;
		if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
			inject = hvv_dev_set_isr_locked(dev,
							VIRTIO_MMIO_INT_CONFIG);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (inject)
		hvv_dev_inject(dev, false);
}

/**
 * hvv_dev_broken - give up on a driver that broke the rules
 * @dev: the device
 * @reason: logged (ratelimited)
 *
 * Sets NEEDS_RESET, stops serving the queues until the driver resets the
 * device, and sends a config interrupt if the driver is running.
 */
void hvv_dev_broken(struct hvv_dev *dev, const char *reason)
{
	unsigned long flags;
	bool inject = false;

	atomic64_inc(&dev->stats.errors);
	spin_lock_irqsave(&dev->lock, flags);
	if (!dev->broken) {
		dev->broken = true;
		dev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
		trace_hvv_broken(dev->name, dev->zone->id, reason);
		if (dev->status & VIRTIO_CONFIG_S_DRIVER_OK)
			inject = hvv_dev_set_isr_locked(dev,
							VIRTIO_MMIO_INT_CONFIG);
		dev_warn_ratelimited(dev->sysdev,
				     "zone %u: %s; device needs reset\n",
				     dev->zone->id, reason);
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	if (inject)
		hvv_dev_inject(dev, false);
}

/**
 * hvv_dev_begin_release_locked - the driver takes back the zone's memory
 *	the device may be using (a reset, a queue disabled)
 * @dev: the device; dev->lock held
 *
 * The queues are not served from now on until hvv_dev_release(), which
 * the caller must call once it dropped the lock, has waited.
 */
void hvv_dev_begin_release_locked(struct hvv_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	dev->releases_pending++;
}

/**
 * hvv_dev_release - wait for the device to let go of the zone's memory,
 *	then answer the write that asked for it
 * @dev: the device, after hvv_dev_begin_release_locked()
 * @waiter: the CPU waiting for the answer (below HVISOR_MAX_CPUS), or
 *	HVV_NO_WAITER
 *
 * Does not sleep: the wait runs in @dev->release_work, which serves the
 * queues again once no release is pending.
 *
 * Return: true if the answer to @waiter was taken over.
 */
bool hvv_dev_release(struct hvv_dev *dev, int waiter)
{
	BUILD_BUG_ON(HVISOR_MAX_CPUS > BITS_PER_LONG);
	if (waiter != HVV_NO_WAITER)
		set_bit(waiter, &dev->release_waiters);
	queue_work(system_unbound_wq, &dev->release_work);
	return waiter != HVV_NO_WAITER;
}

/**
 * hvv_dev_reset - reset the device as a Status write of 0 does
 * @dev: the device
 * @waiter: the CPU waiting for the answer to the write (below
 *	HVISOR_MAX_CPUS), or HVV_NO_WAITER
 *
 * Clears every register and disables the queues (their workers drop the
 * old rings: late completions of in-flight requests are discarded), tells
 * the backend, and starts the wait for the device to let go of the zone's
 * memory, after which @waiter is answered. Does not sleep.
 *
 * Return: true if the answer to @waiter was taken over.
 */
bool hvv_dev_reset(struct hvv_dev *dev, int waiter)
{
	unsigned long flags;
	bool deassert;
	unsigned int i;

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
	hvv_dev_begin_release_locked(dev);
	for (i = 0; i < dev->nr_queues; i++) {
		struct hvv_vq *vq = &dev->vqs[i];

		vq->ready = false;
		vq->num = 0;
		vq->desc_gpa = 0;
		vq->avail_gpa = 0;
		vq->used_gpa = 0;
		hvv_vq_new_gen(vq);
	}
	spin_unlock_irqrestore(&dev->lock, flags);

	if (deassert)
		hvv_dev_deassert(dev);
	hvv_dev_kick_all(dev);
	return hvv_dev_release(dev, waiter);
}

/**
 * hvv_dev_reset_sync - reset from process context and wait until the
 * device has let go of the zone's memory
 * @dev: the device
 */
void hvv_dev_reset_sync(struct hvv_dev *dev)
{
	hvv_dev_reset(dev, HVV_NO_WAITER);
	flush_work(&dev->release_work);
}

/* Answer a pending reset before the device goes away. */
static void hvv_dev_flush_release(struct hvv_dev *dev)
{
	flush_work(&dev->release_work);
}

/*
 * Does a driver own the device? DRIVER is set from probe on; a failed
 * probe sets FAILED; a driver that let go resets the device, and Linux
 * then sets ACKNOWLEDGE alone again.
 */
static bool hvv_dev_in_use_locked(const struct hvv_dev *dev)
{
	lockdep_assert_held(&dev->lock);
	return dev->status & VIRTIO_CONFIG_S_DRIVER &&
	       !(dev->status & VIRTIO_CONFIG_S_FAILED);
}

/*
 * Mark a device removed while its driver uses it; @reap_work is queued
 * once the driver has reset it. A device no driver owns (never probed, or
 * let go) is not marked: it can go at once. Returns true if marked.
 */
static bool hvv_dev_mark_detached(struct hvv_dev *dev,
				  struct work_struct *reap_work)
{
	unsigned long flags;
	bool detached;

	spin_lock_irqsave(&dev->lock, flags);
	detached = hvv_dev_in_use_locked(dev);
	if (detached) {
		dev->detached = true;
		dev->reap_work = reap_work;
	}
	spin_unlock_irqrestore(&dev->lock, flags);
	return detached;
}

/**
 * hvv_dev_reapable - may a detached device be freed?
 * @dev: the device
 *
 * Return: true if @dev was detached and no driver owns it any more.
 */
bool hvv_dev_reapable(struct hvv_dev *dev)
{
	unsigned long flags;
	bool reapable;

	spin_lock_irqsave(&dev->lock, flags);
	reapable = dev->detached && !hvv_dev_in_use_locked(dev);
	spin_unlock_irqrestore(&dev->lock, flags);
	return reapable;
}

/**
 * hvv_dev_publish - make a created device servable
 * @dev: the device, named and in its zone, not yet reachable
 *
 * Adds its sysfs entry, starts its workers and lets the backend publish
 * what it offers outside the module (a tty). Process context.
 *
 * Return: 0, or a negative errno after everything was undone; the caller
 * then frees the device with hvv_dev_destroy().
 */
int hvv_dev_publish(struct hvv_dev *dev)
{
	int ret;

	ret = hvv_sysfs_add(dev);
	if (!ret)
		ret = hvv_dev_start(dev);
	if (!ret && dev->ops->publish)
		ret = dev->ops->publish(dev);
	return ret;
}

/**
 * hvv_dev_unplug - removal of a device whose driver may still use it
 * @dev: the device, reachable from the dispatcher
 * @reap_work: queued once the driver has reset a detached device
 *
 * If the backend can detach and a driver owns the device, the device is
 * detached: it loses its sysfs entry, control work and backend now, and
 * stays reachable, failing the driver's requests, until the driver resets
 * it (hvv_dev_reapable()). Otherwise nothing is done. Process context.
 *
 * Return: true if the device was detached; false if the caller must make
 * it unreachable and call hvv_dev_destroy().
 */
bool hvv_dev_unplug(struct hvv_dev *dev, struct work_struct *reap_work)
{
	unsigned int i;

	if (!dev->ops->can_detach || !hvv_dev_mark_detached(dev, reap_work))
		return false;
	dev_info(dev->sysdev,
		 "removed while zone %u's driver uses it: its requests fail until it resets the device\n",
		 dev->zone->id);
	hvv_dev_close_control(dev);
	if (dev->ops->shutdown)
		dev->ops->shutdown(dev);
	/* After shutdown: a console's tty is a child of the entry. */
	hvv_sysfs_hide(dev);
	/* Runs that started before may still use the backend. */
	for (i = 0; i < dev->nr_queues; i++)
		hvv_worker_sync(&dev->vqs[i].worker);
	if (dev->ops->detach)
		dev->ops->detach(dev);
	return true;
}

/**
 * hvv_dev_destroy - tear down a device the dispatcher cannot reach (any
 *	more) and free it
 * @dev: the device, created (published or not, detached or not)
 *
 * Answers a pending reset, ends control work, lets the backend shut down
 * (unless it was detached), stops the workers, removes the sysfs entry
 * and releases the backend's structure. Process context.
 */
void hvv_dev_destroy(struct hvv_dev *dev)
{
	hvv_dev_flush_release(dev);
	hvv_dev_close_control(dev);
	if (!dev->detached && dev->ops->shutdown)
		dev->ops->shutdown(dev);
	hvv_dev_stop(dev);
	hvv_sysfs_remove(dev);
	dev->ops->release(dev);
}
