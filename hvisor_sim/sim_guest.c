// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel guest: a virtio transport following the virtio-mmio v2
 * register protocol, whose every register access is a trapped access of a
 * simulated vCPU of an identity zone. The upstream virtio drivers of this
 * kernel bind to it and play the non-root zone against hvisor_vhost.
 *
 * Rules (DESIGN section 3): QueueNotify is asynchronous because the device
 * sits at the start of its own virtio region, so drivers may notify from
 * atomic context; everything else waits for the backend and is done only
 * from contexts that may sleep, including interrupt handling, which runs in
 * a work item. Rings and buffers are addressed physically (no DMA API:
 * VIRTIO_F_ACCESS_PLATFORM is never accepted), which the identity zone maps
 * 1:1.
 */
#define pr_fmt(fmt) "hvisor_sim: " fmt

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_mmio.h>

#include "sim.h"

#define HVSIM_GUEST_DEFAULT_LEN	0x200
#define HVSIM_GUEST_MAX_VQS	64
#define HVSIM_MAGIC		0x74726976	/* "virt" */
#define HVSIM_RESET_POLLS	1000

/**
 * struct hvsim_guest_dev - one in-kernel guest device
 * @vdev: the virtio device
 * @hook: zone linkage, address, IRQ and interrupt work
 * @zone: its zone (reference held), immutable
 * @own_window: the virtio region was added for this device, immutable
 * @broken: a synchronous access stalled; later accesses fail at once
 *	(WRITE_ONCE/READ_ONCE)
 * @cfg_irq_ok: the virtio core is initialised enough for
 *	virtio_config_changed() (set in get_features, during probe)
 * @vq_lock: protects @vqs against the interrupt work
 * @vqs: struct hvsim_guest_vq (under @vq_lock)
 * @notify_pending: queues whose notify waits for @notify_work (atomic bitops)
 * @notify_work: pushes deferred notifies from a context that may sleep
 */
struct hvsim_guest_dev {
	struct virtio_device vdev;
	struct hvsim_guest_hook hook;
	struct hvsim_szone *zone;
	bool own_window;
	bool broken;
	bool cfg_irq_ok;
	spinlock_t vq_lock;	/* vqs */
	struct list_head vqs;
	DECLARE_BITMAP(notify_pending, HVSIM_GUEST_MAX_VQS);
	struct work_struct notify_work;
};

/**
 * struct hvsim_guest_vq - a virtqueue of an in-kernel guest
 * @vq: the virtqueue
 * @node: in hvsim_guest_dev.vqs, under vq_lock
 */
struct hvsim_guest_vq {
	struct virtqueue *vq;
	struct list_head node;
};

static struct hvsim_guest_dev *to_guest(struct virtio_device *vdev)
{
	return container_of(vdev, struct hvsim_guest_dev, vdev);
}

/* ------------------------------------------------------------------ */
/* Register access                                                     */

static int hvsim_guest_rw(struct hvsim_guest_dev *g, u32 off, u32 size,
			  bool is_write, u64 *val)
{
	struct hvsim_access a = {
		.size = size,
		.is_write = is_write,
		.addr = g->hook.addr + off,
		.value = is_write ? *val : 0,
	};
	int cpu, ret;

	if (READ_ONCE(g->broken))
		return -EIO;
	cpu = hvsim_cpu_get(g->zone, -1);
	a.cpu = cpu;
	ret = hvsim_trap_sync(g->zone, &a);
	hvsim_cpu_put(cpu);
	if (ret) {
		if (ret == -ETIMEDOUT || ret == -EBUSY) {
			WRITE_ONCE(g->broken, true);
			pr_err_ratelimited("zone %u guest %#llx: register %#x %s failed (%d); device marked broken\n",
					   g->zone->id, g->hook.addr, off,
					   is_write ? "write" : "read", ret);
		}
		return ret;
	}
	if (!is_write)
		*val = size < 8 ? a.value & GENMASK_ULL(size * 8 - 1, 0) : a.value;
	return 0;
}

static u32 hvsim_guest_read32(struct hvsim_guest_dev *g, u32 off)
{
	u64 v;

	return hvsim_guest_rw(g, off, 4, false, &v) ? ~0U : (u32)v;
}

static void hvsim_guest_write32(struct hvsim_guest_dev *g, u32 off, u32 val)
{
	u64 v = val;

	hvsim_guest_rw(g, off, 4, true, &v);
}

/* ------------------------------------------------------------------ */
/* virtio_config_ops                                                   */

static void hvsim_get(struct virtio_device *vdev, unsigned int offset,
		      void *buf, unsigned int len)
{
	struct hvsim_guest_dev *g = to_guest(vdev);
	u32 base = VIRTIO_MMIO_CONFIG + offset;
	__le16 w;
	__le32 l[2];
	u64 v = 0;
	u8 *p = buf;

	switch (len) {
	case 1:
		hvsim_guest_rw(g, base, 1, false, &v);
		*p = v;
		break;
	case 2:
		hvsim_guest_rw(g, base, 2, false, &v);
		w = cpu_to_le16(v);
		memcpy(buf, &w, sizeof(w));
		break;
	case 4:
		l[0] = cpu_to_le32(hvsim_guest_read32(g, base));
		memcpy(buf, l, 4);
		break;
	case 8:
		l[0] = cpu_to_le32(hvsim_guest_read32(g, base));
		l[1] = cpu_to_le32(hvsim_guest_read32(g, base + 4));
		memcpy(buf, l, 8);
		break;
	default:
		for (; len; len--, base++, p++) {
			hvsim_guest_rw(g, base, 1, false, &v);
			*p = v;
		}
	}
}

static void hvsim_set(struct virtio_device *vdev, unsigned int offset,
		      const void *buf, unsigned int len)
{
	struct hvsim_guest_dev *g = to_guest(vdev);
	u32 base = VIRTIO_MMIO_CONFIG + offset;
	const u8 *p = buf;
	__le16 w;
	__le32 l[2];
	u64 v;

	switch (len) {
	case 1:
		v = *p;
		hvsim_guest_rw(g, base, 1, true, &v);
		break;
	case 2:
		memcpy(&w, buf, sizeof(w));
		v = le16_to_cpu(w);
		hvsim_guest_rw(g, base, 2, true, &v);
		break;
	case 4:
		memcpy(l, buf, 4);
		hvsim_guest_write32(g, base, le32_to_cpu(l[0]));
		break;
	case 8:
		memcpy(l, buf, 8);
		hvsim_guest_write32(g, base, le32_to_cpu(l[0]));
		hvsim_guest_write32(g, base + 4, le32_to_cpu(l[1]));
		break;
	default:
		for (; len; len--, base++, p++) {
			v = *p;
			hvsim_guest_rw(g, base, 1, true, &v);
		}
	}
}

static u32 hvsim_generation(struct virtio_device *vdev)
{
	return hvsim_guest_read32(to_guest(vdev), VIRTIO_MMIO_CONFIG_GENERATION);
}

static u8 hvsim_get_status(struct virtio_device *vdev)
{
	return hvsim_guest_read32(to_guest(vdev), VIRTIO_MMIO_STATUS) & 0xff;
}

static void hvsim_set_status(struct virtio_device *vdev, u8 status)
{
	hvsim_guest_write32(to_guest(vdev), VIRTIO_MMIO_STATUS, status);
}

/* Write 0, then wait until Status reads 0 (virtio spec 4.2.2.1). */
static void hvsim_reset(struct virtio_device *vdev)
{
	struct hvsim_guest_dev *g = to_guest(vdev);
	unsigned int i;

	hvsim_guest_write32(g, VIRTIO_MMIO_STATUS, 0);
	for (i = 0; i < HVSIM_RESET_POLLS; i++) {
		u32 st = hvsim_guest_read32(g, VIRTIO_MMIO_STATUS);

		if (!st || READ_ONCE(g->broken))
			goto sync;
		usleep_range(100, 200);
	}
	dev_err(&vdev->dev, "device did not finish its reset (Status stays non-zero)\n");
sync:
	/*
	 * As virtio-pci synchronizes its vectors: once reset returns no
	 * vring callback runs (a later one finds InterruptStatus 0).
	 * virtcons_remove() detaches the buffers of its queues after the
	 * reset without their locks; an in_intr() still running then
	 * corrupted the queue (BUG in virtqueue_detach_unused_buf()).
	 */
	flush_work(&g->hook.irq_work);
}

static u64 hvsim_get_features(struct virtio_device *vdev)
{
	struct hvsim_guest_dev *g = to_guest(vdev);
	u64 features;

	/* Called by virtio_dev_probe(): the core's config state is ready. */
	WRITE_ONCE(g->cfg_irq_ok, true);
	hvsim_guest_write32(g, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	features = hvsim_guest_read32(g, VIRTIO_MMIO_DEVICE_FEATURES);
	features <<= 32;
	hvsim_guest_write32(g, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	features |= hvsim_guest_read32(g, VIRTIO_MMIO_DEVICE_FEATURES);
	/* Ring and buffer addresses are physical: no platform DMA. */
	return features & ~BIT_ULL(VIRTIO_F_ACCESS_PLATFORM);
}

static int hvsim_finalize_features(struct virtio_device *vdev)
{
	struct hvsim_guest_dev *g = to_guest(vdev);

	vring_transport_features(vdev);
	__virtio_clear_bit(vdev, VIRTIO_F_ACCESS_PLATFORM);
	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1)) {
		dev_err(&vdev->dev, "device does not offer VIRTIO_F_VERSION_1, required by virtio-mmio v2\n");
		return -EINVAL;
	}
	hvsim_guest_write32(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	hvsim_guest_write32(g, VIRTIO_MMIO_DRIVER_FEATURES,
			    upper_32_bits(vdev->features));
	hvsim_guest_write32(g, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	hvsim_guest_write32(g, VIRTIO_MMIO_DRIVER_FEATURES,
			    lower_32_bits(vdev->features));
	return READ_ONCE(g->broken) ? -EIO : 0;
}

static const char *hvsim_bus_name(struct virtio_device *vdev)
{
	return HVSIM_NAME;
}

/* ------------------------------------------------------------------ */
/* Notifications: guest -> backend                                     */

static void hvsim_guest_notify_work(struct work_struct *work)
{
	struct hvsim_guest_dev *g = container_of(work, struct hvsim_guest_dev,
						 notify_work);
	struct hvsim_szone *z = g->zone;
	struct hvsim_access a = {
		.size = 4,
		.is_write = true,
		.addr = g->hook.addr + VIRTIO_MMIO_QUEUE_NOTIFY,
	};
	unsigned int idx;
	int ret;

	for_each_set_bit(idx, g->notify_pending, HVSIM_GUEST_MAX_VQS) {
		if (!test_and_clear_bit(idx, g->notify_pending) ||
		    READ_ONCE(g->broken))
			continue;
		/* Region offset 0x50: asynchronous, only the push may wait. */
		a.cpu = z->first_cpu + raw_smp_processor_id() % z->nr_cpus;
		a.value = idx;
		ret = hvsim_trap_async(z, &a);
		if (!ret)
			continue;
		if (ret == -ETIMEDOUT)
			WRITE_ONCE(g->broken, true);
		pr_err_ratelimited("zone %u guest %#llx: deferred notify of queue %u failed (%d)%s\n",
				   z->id, g->hook.addr, idx, ret,
				   ret == -ETIMEDOUT ? "; device marked broken" : "");
	}
}

/* Push deferred notifies from a root CPU (see hvsim_hyp_side_cpu()). */
static void hvsim_guest_queue_notify(struct hvsim_guest_dev *g)
{
	int cpu = hvsim_hyp_side_cpu();

	if (cpu < 0)
		queue_work(hvsim.wq, &g->notify_work);
	else
		queue_work_on(cpu, system_highpri_wq, &g->notify_work);
}

/* vq->notify: any context, often atomic. */
static bool hvsim_guest_notify(struct virtqueue *vq)
{
	struct hvsim_guest_dev *g = to_guest(vq->vdev);
	struct hvsim_szone *z = g->zone;
	struct hvsim_access a = {
		.size = 4,
		.is_write = true,
		.addr = g->hook.addr + VIRTIO_MMIO_QUEUE_NOTIFY,
		.value = vq->index,
	};
	int ret;

	if (READ_ONCE(g->broken))
		return false;
	/* Keep order behind notifies already deferred. */
	if (!bitmap_empty(g->notify_pending, HVSIM_GUEST_MAX_VQS) ||
	    READ_ONCE(hvsim_defer_notifies))
		goto defer;
	a.cpu = z->first_cpu + raw_smp_processor_id() % z->nr_cpus;
	ret = hvsim_trap_atomic(z, &a);
	if (ret == -EBUSY)
		goto defer;
	if (ret) {
		pr_err_ratelimited("zone %u guest %#llx: notify of queue %u failed (%d)\n",
				   z->id, g->hook.addr, vq->index, ret);
		return false;
	}
	return true;

defer:
	hvsim_count(deferred_notifies);
	set_bit(vq->index, g->notify_pending);
	hvsim_guest_queue_notify(g);
	return true;
}

/* ------------------------------------------------------------------ */
/* Interrupts: backend -> guest, in a thread                           */

static void hvsim_guest_irq_work(struct work_struct *work)
{
	struct hvsim_guest_dev *g = container_of(work, struct hvsim_guest_dev,
						 hook.irq_work);
	struct hvsim_guest_vq *info;
	unsigned long flags;
	u32 status;

	status = hvsim_guest_read32(g, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (READ_ONCE(g->broken) || !status)
		return;
	hvsim_guest_write32(g, VIRTIO_MMIO_INTERRUPT_ACK, status);

	if ((status & VIRTIO_MMIO_INT_CONFIG) && READ_ONCE(g->cfg_irq_ok))
		virtio_config_changed(&g->vdev);

	if (status & VIRTIO_MMIO_INT_VRING) {
		/* Callbacks expect interrupt context: irqs off, softirqs after. */
		local_bh_disable();
		spin_lock_irqsave(&g->vq_lock, flags);
		list_for_each_entry(info, &g->vqs, node)
			vring_interrupt(0, info->vq);
		spin_unlock_irqrestore(&g->vq_lock, flags);
		local_bh_enable();
	}
}

/* ------------------------------------------------------------------ */
/* Virtqueues                                                          */

static struct virtqueue *hvsim_setup_vq(struct virtio_device *vdev,
					unsigned int index,
					void (*callback)(struct virtqueue *vq),
					const char *name, bool ctx)
{
	struct hvsim_guest_dev *g = to_guest(vdev);
	struct hvsim_guest_vq *info;
	struct virtqueue *vq;
	u64 addr;
	u32 num;
	int ret;

	if (index >= HVSIM_GUEST_MAX_VQS)
		return ERR_PTR(-EINVAL);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);

	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_SEL, index);
	if (hvsim_guest_read32(g, VIRTIO_MMIO_QUEUE_READY)) {
		ret = READ_ONCE(g->broken) ? -EIO : -ENOENT;
		goto err_free_info;
	}
	num = hvsim_guest_read32(g, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (!num || num == ~0U) {
		ret = -ENOENT;
		goto err_free_info;
	}

	vq = vring_create_virtqueue(index, num, PAGE_SIZE, vdev, true, true,
				    ctx, hvsim_guest_notify, callback, name);
	if (!vq) {
		ret = -ENOMEM;
		goto err_free_info;
	}
	vq->num_max = num;

	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_NUM, virtqueue_get_vring_size(vq));
	addr = virtqueue_get_desc_addr(vq);
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_DESC_LOW, lower_32_bits(addr));
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_DESC_HIGH, upper_32_bits(addr));
	addr = virtqueue_get_avail_addr(vq);
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_AVAIL_LOW, lower_32_bits(addr));
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, upper_32_bits(addr));
	addr = virtqueue_get_used_addr(vq);
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_USED_LOW, lower_32_bits(addr));
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_USED_HIGH, upper_32_bits(addr));
	hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_READY, 1);
	if (READ_ONCE(g->broken)) {
		ret = -EIO;
		goto err_del_vq;
	}

	info->vq = vq;
	vq->priv = info;
	spin_lock_irq(&g->vq_lock);
	list_add_tail(&info->node, &g->vqs);
	spin_unlock_irq(&g->vq_lock);
	return vq;

err_del_vq:
	vring_del_virtqueue(vq);
err_free_info:
	kfree(info);
	return ERR_PTR(ret);
}

static void hvsim_del_vqs(struct virtio_device *vdev)
{
	struct hvsim_guest_dev *g = to_guest(vdev);
	struct virtqueue *vq, *n;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list) {
		struct hvsim_guest_vq *info = vq->priv;

		spin_lock_irq(&g->vq_lock);
		list_del(&info->node);
		spin_unlock_irq(&g->vq_lock);

		hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_SEL, vq->index);
		hvsim_guest_write32(g, VIRTIO_MMIO_QUEUE_READY, 0);
		vring_del_virtqueue(vq);
		kfree(info);
	}
}

#if HVSIM_HAVE_VQS_INFO
static int hvsim_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			  struct virtqueue *vqs[],
			  struct virtqueue_info vqs_info[],
			  struct irq_affinity *desc)
{
	unsigned int i, queue_idx = 0;

	for (i = 0; i < nvqs; i++) {
		struct virtqueue_info *vqi = &vqs_info[i];

		if (!vqi->name) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = hvsim_setup_vq(vdev, queue_idx++, vqi->callback,
					vqi->name, vqi->ctx);
		if (IS_ERR(vqs[i])) {
			int ret = PTR_ERR(vqs[i]);

			hvsim_del_vqs(vdev);
			return ret;
		}
	}
	return 0;
}
#else
static int hvsim_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			  struct virtqueue *vqs[], vq_callback_t *callbacks[],
			  const char * const names[], const bool *ctx,
			  struct irq_affinity *desc)
{
	unsigned int i, queue_idx = 0;

	for (i = 0; i < nvqs; i++) {
		if (!names[i]) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = hvsim_setup_vq(vdev, queue_idx++, callbacks[i],
					names[i], ctx ? ctx[i] : false);
		if (IS_ERR(vqs[i])) {
			int ret = PTR_ERR(vqs[i]);

			hvsim_del_vqs(vdev);
			return ret;
		}
	}
	return 0;
}
#endif

static const struct virtio_config_ops hvsim_config_ops = {
	.get			= hvsim_get,
	.set			= hvsim_set,
	.generation		= hvsim_generation,
	.get_status		= hvsim_get_status,
	.set_status		= hvsim_set_status,
	.reset			= hvsim_reset,
	.find_vqs		= hvsim_find_vqs,
	.del_vqs		= hvsim_del_vqs,
	.get_features		= hvsim_get_features,
	.finalize_features	= hvsim_finalize_features,
	.bus_name		= hvsim_bus_name,
};

/* ------------------------------------------------------------------ */
/* Adding and removing                                                 */

static void hvsim_guest_release(struct device *dev)
{
	struct virtio_device *vdev = dev_to_virtio(dev);

	kfree(to_guest(vdev));
}

/* Is there a virtio-mmio v2 device at g's address? */
static int hvsim_guest_probe_regs(struct hvsim_guest_dev *g)
{
	u32 zone = g->zone->id;
	u64 addr = g->hook.addr;
	u32 magic, version, id;

	magic = hvsim_guest_read32(g, VIRTIO_MMIO_MAGIC_VALUE);
	if (READ_ONCE(g->broken))
		return -ETIMEDOUT;
	if (magic != HVSIM_MAGIC) {
		pr_err("zone %u addr %#llx: no virtio-mmio device (MagicValue %#x); is a backend serving this address?\n",
		       zone, addr, magic);
		return -ENODEV;
	}
	version = hvsim_guest_read32(g, VIRTIO_MMIO_VERSION);
	if (version != 2) {
		pr_err("zone %u addr %#llx: virtio-mmio version %u, only version 2 is supported\n",
		       zone, addr, version);
		return -ENODEV;
	}
	id = hvsim_guest_read32(g, VIRTIO_MMIO_DEVICE_ID);
	if (!id || id == ~0U) {
		pr_err("zone %u addr %#llx: DeviceID %#x: no device\n",
		       zone, addr, id);
		return -ENODEV;
	}
	g->vdev.id.device = id;
	g->vdev.id.vendor = hvsim_guest_read32(g, VIRTIO_MMIO_VENDOR_ID);
	return READ_ONCE(g->broken) ? -ETIMEDOUT : 0;
}

static struct hvsim_guest_dev *hvsim_guest_find(struct hvsim_szone *z, u64 addr)
{
	struct hvsim_guest_hook *h;

	lockdep_assert_held(&hvsim.ctl_mutex);
	list_for_each_entry(h, &z->guests, node)
		if (h->addr == addr)
			return container_of(h, struct hvsim_guest_dev, hook);
	return NULL;
}

/**
 * hvsim_guest_add() - HVSIM_GUEST_ADD
 * @cfg: zone, address, length, interrupt
 *
 * Return: 0 or a negative errno; nothing is left behind on failure.
 */
int hvsim_guest_add(const struct hvsim_guest *cfg)
{
	u64 len = cfg->len ? cfg->len : HVSIM_GUEST_DEFAULT_LEN;
	struct hvsim_guest_dev *g;
	struct hvsim_window w;
	struct hvsim_szone *z;
	int ret;

	if (len < VIRTIO_MMIO_CONFIG || cfg->addr + len < cfg->addr || !cfg->irq)
		return -EINVAL;
	z = hvsim_zone_get(cfg->zone_id);
	if (!z)
		return -ENOENT;
	if (!(z->flags & HVSIM_ZONE_F_IDENTITY)) {
		pr_info("zone %u: in-kernel guests need an identity zone\n", z->id);
		ret = -EINVAL;
		goto err_put_zone;
	}

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		ret = -ENOMEM;
		goto err_put_zone;
	}
	g->zone = z;
	g->hook.addr = cfg->addr;
	g->hook.irq = cfg->irq;
	INIT_WORK(&g->hook.irq_work, hvsim_guest_irq_work);
	INIT_WORK(&g->notify_work, hvsim_guest_notify_work);
	spin_lock_init(&g->vq_lock);
	INIT_LIST_HEAD(&g->vqs);
	g->vdev.dev.parent = hvsim.parent;
	g->vdev.dev.release = hvsim_guest_release;
	g->vdev.config = &hvsim_config_ops;

	mutex_lock(&hvsim.ctl_mutex);
	if (READ_ONCE(z->dead)) {
		ret = -ENOENT;
		goto err_unlock;
	}
	if (hvsim_guest_find(z, cfg->addr)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	if (!hvsim_zone_find_window(z, cfg->addr, &w)) {
		if (w.base != cfg->addr) {
			pr_info("zone %u: guest at %#llx is inside the virtio region at %#llx, not at its start: its QueueNotify would be synchronous\n",
				z->id, cfg->addr, w.base);
			ret = -EINVAL;
			goto err_unlock;
		}
	} else {
		ret = hvsim_zone_add_window(z, cfg->addr, len, true);
		if (ret)
			goto err_unlock;
		g->own_window = true;
	}

	ret = hvsim_guest_probe_regs(g);
	if (ret)
		goto err_del_window;

	/* Interrupts must reach the device while its driver probes. */
	spin_lock_irq(&z->lock);
	list_add_tail(&g->hook.node, &z->guests);
	spin_unlock_irq(&z->lock);

	ret = register_virtio_device(&g->vdev);
	if (ret) {
		pr_err("zone %u addr %#llx: register_virtio_device: %d\n",
		       z->id, cfg->addr, ret);
		goto err_unlink;
	}
	dev_info(&g->vdev.dev, "in-kernel guest: zone %u addr %#llx irq %u device id %u\n",
		 z->id, cfg->addr, cfg->irq, g->vdev.id.device);
	mutex_unlock(&hvsim.ctl_mutex);
	return 0;

err_unlink:
	spin_lock_irq(&z->lock);
	list_del(&g->hook.node);
	spin_unlock_irq(&z->lock);
	cancel_work_sync(&g->hook.irq_work);
	cancel_work_sync(&g->notify_work);
	if (g->own_window)
		hvsim_zone_del_window(z, cfg->addr);
	mutex_unlock(&hvsim.ctl_mutex);
	/* register_virtio_device() initialised the device: put, not free */
	put_device(&g->vdev.dev);
	hvsim_zone_put(z);
	return ret;

err_del_window:
	if (g->own_window)
		hvsim_zone_del_window(z, cfg->addr);
err_unlock:
	mutex_unlock(&hvsim.ctl_mutex);
	kfree(g);
err_put_zone:
	hvsim_zone_put(z);
	return ret;
}

/* Unregister first: the driver may still need the device to go away. */
static void hvsim_guest_remove(struct hvsim_guest_dev *g)
{
	struct hvsim_szone *z = g->zone;

	lockdep_assert_held(&hvsim.ctl_mutex);
	get_device(&g->vdev.dev);
	unregister_virtio_device(&g->vdev);

	spin_lock_irq(&z->lock);
	list_del(&g->hook.node);
	spin_unlock_irq(&z->lock);
	cancel_work_sync(&g->hook.irq_work);
	cancel_work_sync(&g->notify_work);
	if (g->own_window)
		hvsim_zone_del_window(z, g->hook.addr);
	put_device(&g->vdev.dev);
	hvsim_zone_put(z);
}

/**
 * hvsim_guest_del() - HVSIM_GUEST_DEL
 * @cfg: zone and address
 *
 * Safe while a driver is bound: the device is unregistered first.
 *
 * Return: 0 or -ENOENT.
 */
int hvsim_guest_del(const struct hvsim_guest *cfg)
{
	struct hvsim_guest_dev *g;
	struct hvsim_szone *z;

	z = hvsim_zone_get(cfg->zone_id);
	if (!z)
		return -ENOENT;
	mutex_lock(&hvsim.ctl_mutex);
	g = hvsim_guest_find(z, cfg->addr);
	if (g)
		hvsim_guest_remove(g);
	mutex_unlock(&hvsim.ctl_mutex);
	hvsim_zone_put(z);
	return g ? 0 : -ENOENT;
}

/**
 * hvsim_guest_remove_all() - remove every guest of a zone being destroyed
 * @z: the zone
 */
void hvsim_guest_remove_all(struct hvsim_szone *z)
{
	struct hvsim_guest_hook *h, *n;

	lockdep_assert_held(&hvsim.ctl_mutex);
	/* Only ctl_mutex holders change the list: no need for z->lock here. */
	list_for_each_entry_safe(h, n, &z->guests, node)
		hvsim_guest_remove(container_of(h, struct hvsim_guest_dev, hook));
}
