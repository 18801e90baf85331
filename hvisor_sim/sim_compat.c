// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvisor: the virtio part of hvisor-tool's hvisor.ko (ABI file 4.3 and
 * 4.4), so that hvisor-tool's userspace daemon, or a test's own responder,
 * can serve simulated zones. The simulator plays the hypervisor behind it.
 *
 * Differences from hvisor.ko: HVISOR_INIT_VIRTIO fails with -EBUSY while
 * hvisor_vhost owns the bridge through the provider interface (load the
 * simulator with register_provider=0); bridge pages are kept until module
 * unload instead of being leaked or freed under the hypervisor; mmap at a
 * non-zero offset (a root-physical address) is limited to the RAM of
 * simulated zones instead of any memory at all. That includes identity
 * zones, whose RAM is the root's own System RAM (as an in-kernel guest
 * sees it), so that a daemon can serve the upstream guest drivers: the
 * mapping then reaches kernel memory, as hvisor.ko's does on a real
 * machine; it needs CAP_SYS_RAWIO at mmap time, as /dev/mem does.
 */
#define pr_fmt(fmt) "hvisor_sim: " fmt

#include <linux/capability.h>
#include <linux/eventfd.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/miscdevice.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "sim.h"

/* hvisor-tool include/hvisor.h */
#define HVISOR_INIT_VIRTIO	_IO(1, 0)
#define HVISOR_FINISH_REQ	_IO(1, 2)
#define HVISOR_SET_EVENTFD	_IOW(1, 7, int)

/**
 * struct hvsim_compat_page - a bridge page handed out by HVISOR_INIT_VIRTIO
 * @node: in hvsim_compat.pages
 * @addr: the page
 */
struct hvsim_compat_page {
	struct list_head node;
	unsigned long addr;
};

/**
 * struct hvsim_compat - state of /dev/hvisor (global, as in hvisor.ko)
 * @lock: protects @pages and @bridge
 * @pages: every bridge page allocated, freed at module unload
 * @bridge: the page of the latest HVISOR_INIT_VIRTIO, mapped at offset 0
 * @ev_lock: protects @ctx against the IRQ handler
 * @ctx: eventfd signalled on the wake-up IRQ
 */
static struct hvsim_compat {
	struct mutex lock;	/* pages, bridge */
	struct list_head pages;
	void *bridge;
	spinlock_t ev_lock;	/* ctx */
	struct eventfd_ctx *ctx;
} hvsim_compat;

static irqreturn_t hvsim_compat_irq(int irq, void *dev_id)
{
	struct eventfd_ctx *ctx;
	bool handled;

	spin_lock(&hvsim_compat.ev_lock);
	ctx = hvsim_compat.ctx;
	if (ctx) {
#if HVSIM_EVENTFD_NO_COUNT
		eventfd_signal(ctx);
#else
		eventfd_signal(ctx, 1);
#endif
	}
	spin_unlock(&hvsim_compat.ev_lock);
	/* Our line when we own the bridge, even with no eventfd yet. */
	handled = ctx || READ_ONCE(hvsim.bridge_owner) == HVSIM_OWNER_COMPAT;
	return handled ? IRQ_HANDLED : IRQ_NONE;
}

static long hvsim_compat_init_virtio(void)
{
	struct hvsim_compat_page *p;
	long ret;

	if (READ_ONCE(hvsim.provider_registered))
		return -EBUSY;
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->addr = get_zeroed_page(GFP_KERNEL);
	if (!p->addr) {
		kfree(p);
		return -ENOMEM;
	}
	mutex_lock(&hvsim_compat.lock);
	ret = hvsim_hypercall(HVISOR_HC_INIT_VIRTIO, virt_to_phys((void *)p->addr), 0);
	if (!ret) {
		list_add_tail(&p->node, &hvsim_compat.pages);
		hvsim_compat.bridge = (void *)p->addr;
		WRITE_ONCE(hvsim.bridge_owner, HVSIM_OWNER_COMPAT);
	}
	mutex_unlock(&hvsim_compat.lock);
	if (ret) {
		free_page(p->addr);
		kfree(p);
	}
	return ret;
}

static long hvsim_compat_set_eventfd(int fd)
{
	struct eventfd_ctx *ctx, *old;

	ctx = eventfd_ctx_fdget(fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	spin_lock_irq(&hvsim_compat.ev_lock);
	old = hvsim_compat.ctx;
	hvsim_compat.ctx = ctx;
	spin_unlock_irq(&hvsim_compat.ev_lock);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static long hvsim_compat_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	switch (cmd) {
	case HVISOR_INIT_VIRTIO:
		return hvsim_compat_init_virtio();
	case HVISOR_FINISH_REQ:
		return hvsim_hypercall(HVISOR_HC_FINISH_REQ, 0, 0);
	case HVISOR_SET_EVENTFD:
		return hvsim_compat_set_eventfd((int)arg);
	default:
		return -EINVAL;
	}
}

static void hvsim_compat_vm_open(struct vm_area_struct *vma)
{
	struct hvsim_szone *z = vma->vm_private_data;

	kref_get(&z->ref);
}

static void hvsim_compat_vm_close(struct vm_area_struct *vma)
{
	hvsim_zone_put(vma->vm_private_data);
}

/* Zone RAM mapped by root-physical address: the zone lives while mapped. */
static const struct vm_operations_struct hvsim_compat_vm_ops = {
	.open	= hvsim_compat_vm_open,
	.close	= hvsim_compat_vm_close,
};

static int hvsim_compat_mmap(struct file *file, struct vm_area_struct *vma)
{
	u64 len = vma->vm_end - vma->vm_start;
	struct hvsim_szone *z;
	phys_addr_t pa;
	int ret;

	if (!vma->vm_pgoff) {
		if (len > PAGE_SIZE)
			return -EINVAL;
		mutex_lock(&hvsim_compat.lock);
		pa = hvsim_compat.bridge ? virt_to_phys(hvsim_compat.bridge) : 0;
		mutex_unlock(&hvsim_compat.lock);
		if (!pa)
			return -ENXIO;
		/* Compat pages are freed only at module unload. */
		return remap_pfn_range(vma, vma->vm_start, PHYS_PFN(pa), len,
				       vma->vm_page_prot);
	}

	pa = (phys_addr_t)vma->vm_pgoff << PAGE_SHIFT;
	z = hvsim_zone_get_by_hpa(pa, len);
	if (!z) {
		pr_info_ratelimited("/dev/hvisor: mmap of %#llx+%#llx refused: not the RAM of a simulated zone\n",
				    (u64)pa, len);
		return -EINVAL;
	}
	/* The root's own RAM: what /dev/mem would ask for. */
	if (z->flags & HVSIM_ZONE_F_IDENTITY && !capable(CAP_SYS_RAWIO)) {
		hvsim_zone_put(z);
		return -EPERM;
	}
	ret = remap_pfn_range(vma, vma->vm_start, vma->vm_pgoff, len,
			      vma->vm_page_prot);
	if (ret) {
		hvsim_zone_put(z);
		return ret;
	}
	vma->vm_private_data = z;
	vma->vm_ops = &hvsim_compat_vm_ops;
	return 0;
}

static const struct file_operations hvsim_compat_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hvsim_compat_ioctl,
	.compat_ioctl	= hvsim_compat_ioctl,
	.mmap		= hvsim_compat_mmap,
};

static struct miscdevice hvsim_compat_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvisor",
	.fops	= &hvsim_compat_fops,
	.mode	= 0600,
};

int hvsim_compat_init(void)
{
	int ret;

	mutex_init(&hvsim_compat.lock);
	INIT_LIST_HEAD(&hvsim_compat.pages);
	spin_lock_init(&hvsim_compat.ev_lock);

	ret = request_irq(hvsim.wakeup_irq, hvsim_compat_irq, IRQF_SHARED,
			  "hvisor_virtio_device", &hvsim_compat);
	if (ret)
		return ret;
	ret = misc_register(&hvsim_compat_dev);
	if (ret)
		goto err_free_irq;
	return 0;

err_free_irq:
	free_irq(hvsim.wakeup_irq, &hvsim_compat);
	return ret;
}

/* No file is open (module reference), so nothing maps the pages. */
void hvsim_compat_exit(void)
{
	struct hvsim_compat_page *p, *n;

	misc_deregister(&hvsim_compat_dev);
	free_irq(hvsim.wakeup_irq, &hvsim_compat);
	if (hvsim_compat.ctx)
		eventfd_ctx_put(hvsim_compat.ctx);
	list_for_each_entry_safe(p, n, &hvsim_compat.pages, node) {
		free_page(p->addr);
		kfree(p);
	}
}
