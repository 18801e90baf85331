// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvisor_sim: the control interface, and the raw guest. A file bound
 * to a zone (HVSIM_ZONE_CREATE with FD_OWNED, or HVSIM_ZONE_BIND) maps the
 * zone's RAM (mmap offset = guest-physical address) and reads the
 * interrupts injected into the zone; any file issues trapped accesses as a
 * vCPU of a zone it names (HVSIM_MMIO).
 */
#define pr_fmt(fmt) "hvisor_sim: " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "sim.h"

/**
 * struct hvsim_file - an open /dev/hvisor_sim
 * @lock: protects @zone and @owner
 * @zone: bound zone (reference held), set once
 * @owner: the zone is FD_OWNED by this file
 * @listener: receives the bound zone's interrupts
 */
struct hvsim_file {
	struct mutex lock;	/* zone, owner */
	struct hvsim_szone *zone;
	bool owner;
	struct hvsim_listener listener;
};

static int hvsim_cdev_open(struct inode *inode, struct file *file)
{
	struct hvsim_file *f;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	hvsim_listener_init(&f->listener);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int hvsim_cdev_release(struct inode *inode, struct file *file)
{
	struct hvsim_file *f = file->private_data;

	if (f->zone) {
		hvsim_listener_detach(f->zone, &f->listener);
		if (f->owner)
			hvsim_zone_kill(f->zone);
		hvsim_zone_put(f->zone);
	}
	kfree(f);
	return 0;
}

/* Bind @f to @z, consuming the caller's reference on success. */
static int hvsim_bind(struct hvsim_file *f, struct hvsim_szone *z, bool owner)
{
	mutex_lock(&f->lock);
	if (f->zone) {
		mutex_unlock(&f->lock);
		return -EBUSY;
	}
	f->zone = z;
	f->owner = owner;
	hvsim_listener_attach(z, &f->listener);
	mutex_unlock(&f->lock);
	return 0;
}

static struct hvsim_szone *hvsim_bound(struct hvsim_file *f)
{
	struct hvsim_szone *z;

	mutex_lock(&f->lock);
	z = f->zone;
	mutex_unlock(&f->lock);
	return z;	/* stays valid: set once, put at release */
}

static long hvsim_ioc_zone_create(struct hvsim_file *f, void __user *arg)
{
	struct hvsim_zone *cfg;
	struct hvsim_szone *z;
	bool fd_owned;
	long ret;

	cfg = memdup_user(arg, sizeof(*cfg));
	if (IS_ERR(cfg))
		return PTR_ERR(cfg);
	fd_owned = cfg->flags & HVSIM_ZONE_F_FD_OWNED;
	if (fd_owned && hvsim_bound(f)) {
		ret = -EBUSY;
		goto out_free;
	}
	ret = hvsim_zone_create(&z, cfg);
	if (ret)
		goto out_free;
	hvsim_zone_info(z, cfg);
	if (fd_owned) {
		ret = hvsim_bind(f, z, true);
		if (ret) {
			hvsim_zone_kill(z);
			hvsim_zone_put(z);
			goto out_free;
		}
	} else {
		hvsim_zone_put(z);
	}
	/* The zone exists now; a failed copy-out does not undo it. */
	if (copy_to_user(arg, cfg, sizeof(*cfg)))
		ret = -EFAULT;
out_free:
	kfree(cfg);
	return ret;
}

static long hvsim_ioc_zone_info(void __user *arg)
{
	struct hvsim_zone *info;
	struct hvsim_szone *z;
	u32 id;
	long ret = 0;

	if (get_user(id, (u32 __user *)arg))
		return -EFAULT;
	z = hvsim_zone_get(id);
	if (!z)
		return -ENOENT;
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info) {
		ret = -ENOMEM;
		goto out_put;
	}
	hvsim_zone_info(z, info);
	if (copy_to_user(arg, info, sizeof(*info)))
		ret = -EFAULT;
	kfree(info);
out_put:
	hvsim_zone_put(z);
	return ret;
}

static long hvsim_ioc_add_mmio(void __user *arg)
{
	struct hvsim_mmio_region r;
	struct hvsim_szone *z;
	long ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.pad)
		return -EINVAL;
	z = hvsim_zone_get(r.zone_id);
	if (!z)
		return -ENOENT;
	mutex_lock(&hvsim.ctl_mutex);
	ret = hvsim_zone_add_window(z, r.base, r.size, false);
	mutex_unlock(&hvsim.ctl_mutex);
	hvsim_zone_put(z);
	return ret;
}

static long hvsim_ioc_bind(struct hvsim_file *f, unsigned long id)
{
	struct hvsim_szone *z;
	int ret;

	z = hvsim_zone_get(id);
	if (!z)
		return -ENOENT;
	ret = hvsim_bind(f, z, false);
	if (ret)
		hvsim_zone_put(z);
	return ret;
}

static long hvsim_ioc_mmio(void __user *arg)
{
	struct hvsim_access a = { .killable = true };
	struct hvsim_mmio m;
	struct hvsim_szone *z;
	long ret;
	int cpu;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.pad || m.is_write > 1 || !m.size || m.size > 8)
		return -EINVAL;
	z = hvsim_zone_get(m.zone_id);
	if (!z)
		return -ENOENT;
	if (m.cpu < z->first_cpu || m.cpu - z->first_cpu >= z->nr_cpus) {
		ret = -EINVAL;
		goto out_put;
	}
	cpu = hvsim_cpu_get(z, m.cpu);
	if (cpu < 0) {
		ret = cpu;
		goto out_put;
	}
	a.cpu = cpu;
	a.size = m.size;
	a.is_write = m.is_write;
	a.addr = m.addr;
	a.value = m.value;
	a.timeout_ms = m.timeout_ms;
	ret = hvsim_trap_sync(z, &a);
	hvsim_cpu_put(cpu);
	if (!ret && !m.is_write) {
		m.value = a.value;
		if (copy_to_user(arg, &m, sizeof(m)))
			ret = -EFAULT;
	}
out_put:
	hvsim_zone_put(z);
	return ret;
}

static long hvsim_ioc_guest(unsigned int cmd, void __user *arg)
{
	struct hvsim_guest cfg;

	if (copy_from_user(&cfg, arg, sizeof(cfg)))
		return -EFAULT;
	return cmd == HVSIM_GUEST_ADD ? hvsim_guest_add(&cfg) :
					hvsim_guest_del(&cfg);
}

static long hvsim_ioc_stats(void __user *arg)
{
	struct hvsim_stats st;

	hvsim_get_stats(&st);
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long hvsim_cdev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct hvsim_file *f = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case HVSIM_ZONE_CREATE:
		return hvsim_ioc_zone_create(f, uarg);
	case HVSIM_ZONE_DESTROY:
		return arg > HVSIM_MAX_ZONE_ID ? -ENOENT : hvsim_zone_destroy(arg);
	case HVSIM_ZONE_INFO:
		return hvsim_ioc_zone_info(uarg);
	case HVSIM_ZONE_ADD_MMIO:
		return hvsim_ioc_add_mmio(uarg);
	case HVSIM_ZONE_BIND:
		return hvsim_ioc_bind(f, arg);
	case HVSIM_MMIO:
		return hvsim_ioc_mmio(uarg);
	case HVSIM_GUEST_ADD:
	case HVSIM_GUEST_DEL:
		return hvsim_ioc_guest(cmd, uarg);
	case HVSIM_STATS:
		return hvsim_ioc_stats(uarg);
	default:
		return -ENOTTY;
	}
}

static ssize_t hvsim_cdev_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	struct hvsim_file *f = file->private_data;
	struct hvsim_listener *l = &f->listener;
	struct hvsim_irq_event ev;
	struct hvsim_szone *z;
	size_t done = 0;
	int ret;

	z = hvsim_bound(f);
	if (!z)
		return -EBADFD;
	if (count < sizeof(ev))
		return -EINVAL;
	for (;;) {
		if (!kfifo_is_empty(&l->fifo) || READ_ONCE(z->dead))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(l->wait,
					       !kfifo_is_empty(&l->fifo) ||
					       READ_ONCE(z->dead));
		if (ret)
			return ret;
	}
	while (done + sizeof(ev) <= count) {
		bool got;

		spin_lock_irq(&l->lock);
		got = kfifo_get(&l->fifo, &ev);
		spin_unlock_irq(&l->lock);
		if (!got)
			break;
		if (copy_to_user(buf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	return done;	/* 0: end of file, the zone is gone */
}

static __poll_t hvsim_cdev_poll(struct file *file, poll_table *wait)
{
	struct hvsim_file *f = file->private_data;
	struct hvsim_szone *z = hvsim_bound(f);
	__poll_t mask = 0;

	if (!z)
		return EPOLLERR;
	poll_wait(file, &f->listener.wait, wait);
	if (!kfifo_is_empty(&f->listener.fifo))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(z->dead))
		mask |= EPOLLHUP;
	return mask;
}

static int hvsim_cdev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct hvsim_file *f = file->private_data;
	u64 gpa = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	const struct hvsim_ram *r;
	struct hvsim_szone *z;

	z = hvsim_bound(f);
	if (!z)
		return -EBADFD;
	if (z->flags & HVSIM_ZONE_F_IDENTITY)
		return -EINVAL;
	r = hvsim_zone_find_ram(z, gpa, len);
	if (!r)
		return -EINVAL;
	/* The zone's RAM lives until the file, which the mapping holds, goes. */
	return remap_pfn_range(vma, vma->vm_start,
			       PHYS_PFN(r->hpa + (gpa - r->gpa)), len,
			       vma->vm_page_prot);
}

static const struct file_operations hvsim_cdev_fops = {
	.owner		= THIS_MODULE,
	.open		= hvsim_cdev_open,
	.release	= hvsim_cdev_release,
	.unlocked_ioctl	= hvsim_cdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.read		= hvsim_cdev_read,
	.poll		= hvsim_cdev_poll,
	.mmap		= hvsim_cdev_mmap,
};

static struct miscdevice hvsim_cdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= HVSIM_NAME,
	.fops	= &hvsim_cdev_fops,
	.mode	= 0600,
};

int hvsim_cdev_init(void)
{
	return misc_register(&hvsim_cdev);
}

void hvsim_cdev_exit(void)
{
	misc_deregister(&hvsim_cdev);
}
