// SPDX-License-Identifier: GPL-2.0
/*
 * Simulated zones: their CPUs, RAM regions and virtio trap regions, and
 * the delivery of injected interrupts to whoever plays the zone (bound
 * files of raw guests, in-kernel guests).
 */
#define pr_fmt(fmt) "hvisor_sim: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/sched/isolation.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>

#include "sim.h"

#define HVSIM_MAX_RAM_RANGES	256	/* System RAM ranges we look at */

static bool hvsim_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static void hvsim_zone_release(struct kref *ref)
{
	struct hvsim_szone *z = container_of(ref, struct hvsim_szone, ref);
	u32 i;

	for (i = 0; i < z->nr_ram; i++)
		if (z->ram[i].virt)
			free_pages_exact(z->ram[i].virt, z->ram[i].size);
	kfree(z);
}

/**
 * hvsim_zone_put() - drop a zone reference
 * @z: the zone (may be NULL)
 */
void hvsim_zone_put(struct hvsim_szone *z)
{
	if (z)
		kref_put(&z->ref, hvsim_zone_release);
}

/**
 * hvsim_zone_get() - look a zone up by id
 * @id: zone id
 *
 * Return: the zone with a reference held, or NULL.
 */
struct hvsim_szone *hvsim_zone_get(u32 id)
{
	struct hvsim_szone *z = NULL;
	unsigned long flags;

	if (id > HVSIM_MAX_ZONE_ID)
		return NULL;
	spin_lock_irqsave(&hvsim.zone_lock, flags);
	z = hvsim.zones[id];
	if (z)
		kref_get(&z->ref);
	spin_unlock_irqrestore(&hvsim.zone_lock, flags);
	return z;
}

/**
 * hvsim_zone_get_by_cpu() - the zone owning a simulated CPU
 * @cpu: simulated physical CPU
 *
 * Return: the zone with a reference held, or NULL.
 */
struct hvsim_szone *hvsim_zone_get_by_cpu(u32 cpu)
{
	struct hvsim_szone *z;
	unsigned long flags;

	spin_lock_irqsave(&hvsim.zone_lock, flags);
	z = hvsim.cpu_zone[cpu];
	if (z)
		kref_get(&z->ref);
	spin_unlock_irqrestore(&hvsim.zone_lock, flags);
	return z;
}

/**
 * hvsim_zone_exists() - hvisor's find_zone(), callable from any context
 * @id: zone id
 * @first_cpu: out: the zone's first CPU, its interrupt target
 *
 * Return: true if the zone exists.
 */
bool hvsim_zone_exists(u32 id, u32 *first_cpu)
{
	struct hvsim_szone *z;
	unsigned long flags;

	if (id > HVSIM_MAX_ZONE_ID)
		return false;
	spin_lock_irqsave(&hvsim.zone_lock, flags);
	z = hvsim.zones[id];
	if (z)
		*first_cpu = z->first_cpu;
	spin_unlock_irqrestore(&hvsim.zone_lock, flags);
	return z;
}

/* ------------------------------------------------------------------ */
/* RAM                                                                 */

struct hvsim_ram_walk {
	u32 nr;
	struct hvsim_ram *r;
};

static int hvsim_ram_walk_cb(struct resource *res, void *arg)
{
	struct hvsim_ram_walk *w = arg;
	u64 start = PAGE_ALIGN(res->start);
	u64 end = (res->end + 1) & PAGE_MASK;

	if (end <= start || w->nr >= HVSIM_MAX_RAM_RANGES)
		return 0;
	w->r[w->nr].gpa = start;
	w->r[w->nr].hpa = start;
	w->r[w->nr].size = end - start;
	w->nr++;
	return 0;
}

static int hvsim_ram_cmp_size(const void *a, const void *b)
{
	const struct hvsim_ram *x = a, *y = b;

	return x->size < y->size ? 1 : x->size > y->size ? -1 : 0;
}

static int hvsim_ram_cmp_addr(const void *a, const void *b)
{
	const struct hvsim_ram *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa ? 1 : 0;
}

/*
 * Identity zones describe root System RAM 1:1. Ranges below 1 MiB on x86
 * are skipped: the kernel reserves the whole first MiB, so no buffer of
 * the in-kernel guest ever lives there. If more than HVSIM_MAX_REGIONS
 * remain, the largest are kept (ranges are never merged: a merged range
 * would cover holes that are not RAM, and memremap() refuses those).
 */
static int hvsim_zone_fill_identity(struct hvsim_szone *z)
{
	struct hvsim_ram_walk w = { };
	u32 i, keep;

	w.r = kcalloc(HVSIM_MAX_RAM_RANGES, sizeof(*w.r), GFP_KERNEL);
	if (!w.r)
		return -ENOMEM;
	walk_iomem_res_desc(IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
			    0, U64_MAX, &w, hvsim_ram_walk_cb);

	if (IS_ENABLED(CONFIG_X86)) {
		for (i = 0; i < w.nr; i++) {
			if (w.r[i].gpa + w.r[i].size > SZ_1M)
				continue;
			pr_info("zone %u: identity RAM %#llx+%#llx below 1 MiB skipped\n",
				z->id, w.r[i].gpa, w.r[i].size);
			w.r[i].size = 0;
		}
	}
	sort(w.r, w.nr, sizeof(*w.r), hvsim_ram_cmp_size, NULL);
	for (keep = 0; keep < w.nr && w.r[keep].size; keep++)
		;
	for (i = HVSIM_MAX_REGIONS; i < keep; i++)
		pr_info("zone %u: identity RAM %#llx+%#llx skipped: more than %d System RAM ranges\n",
			z->id, w.r[i].gpa, w.r[i].size, HVSIM_MAX_REGIONS);
	keep = min_t(u32, keep, HVSIM_MAX_REGIONS);
	sort(w.r, keep, sizeof(*w.r), hvsim_ram_cmp_addr, NULL);
	memcpy(z->ram, w.r, keep * sizeof(*w.r));
	z->nr_ram = keep;
	kfree(w.r);
	return keep ? 0 : -ENOMEM;
}

static int hvsim_zone_alloc_ram(struct hvsim_szone *z,
				const struct hvsim_zone *cfg)
{
	u32 i, j;

	if (!cfg->nr_regions || cfg->nr_regions > HVSIM_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < cfg->nr_regions; i++) {
		const struct hvsim_region *r = &cfg->regions[i];

		if (!r->size || !PAGE_ALIGNED(r->gpa) || !PAGE_ALIGNED(r->size) ||
		    r->size > HVSIM_MAX_REGION_SIZE || r->gpa + r->size < r->gpa)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (hvsim_overlap(r->gpa, r->size, cfg->regions[j].gpa,
					  cfg->regions[j].size))
				return -EBUSY;
	}
	for (i = 0; i < cfg->nr_regions; i++) {
		struct hvsim_ram *r = &z->ram[i];

		r->gpa = cfg->regions[i].gpa;
		r->size = cfg->regions[i].size;
		r->virt = alloc_pages_exact(r->size, GFP_KERNEL | __GFP_ZERO |
					    __GFP_NOWARN);
		if (!r->virt)
			return -ENOMEM;	/* the caller frees what we got */
		r->hpa = virt_to_phys(r->virt);
		z->nr_ram = i + 1;
	}
	return 0;
}

/**
 * hvsim_zone_find_ram() - the RAM region holding [gpa, gpa + len)
 * @z: zone
 * @gpa: guest-physical start
 * @len: bytes
 *
 * Return: the region, or NULL if the range is not inside one region.
 */
const struct hvsim_ram *hvsim_zone_find_ram(struct hvsim_szone *z, u64 gpa,
					    u64 len)
{
	u32 i;

	if (gpa + len < gpa)
		return NULL;
	for (i = 0; i < z->nr_ram; i++)
		if (gpa >= z->ram[i].gpa &&
		    gpa + len <= z->ram[i].gpa + z->ram[i].size)
			return &z->ram[i];
	return NULL;
}

/**
 * hvsim_zone_get_by_hpa() - the zone whose RAM holds [hpa, hpa + len)
 * @hpa: root-physical start
 * @len: bytes
 *
 * Return: the zone with a reference held, or NULL.
 */
struct hvsim_szone *hvsim_zone_get_by_hpa(phys_addr_t hpa, u64 len)
{
	struct hvsim_szone *z, *found = NULL;
	unsigned long flags;
	u32 id, i;

	spin_lock_irqsave(&hvsim.zone_lock, flags);
	for (id = 0; id <= HVSIM_MAX_ZONE_ID && !found; id++) {
		z = hvsim.zones[id];
		if (!z)
			continue;
		for (i = 0; i < z->nr_ram; i++) {
			if (hpa >= z->ram[i].hpa &&
			    hpa + len <= z->ram[i].hpa + z->ram[i].size) {
				kref_get(&z->ref);
				found = z;
				break;
			}
		}
	}
	spin_unlock_irqrestore(&hvsim.zone_lock, flags);
	return found;
}

/* ------------------------------------------------------------------ */
/* Zones                                                               */

static int hvsim_zone_pick_cpus(struct hvsim_szone *z,
				const struct hvsim_zone *cfg)
{
	u32 cpu, id;

	lockdep_assert_held(&hvsim.ctl_mutex);
	if (!cfg->nr_cpus) {
		for (cpu = 1; cpu < HVISOR_MAX_CPUS; cpu++)
			if (!hvsim.cpu_zone[cpu])
				break;
		if (cpu == HVISOR_MAX_CPUS)
			return -EBUSY;
		z->first_cpu = cpu;
		z->nr_cpus = 1;
		return 0;
	}
	z->first_cpu = cfg->first_cpu;
	z->nr_cpus = cfg->nr_cpus;
	for (cpu = z->first_cpu; cpu < z->first_cpu + z->nr_cpus; cpu++) {
		if (hvsim.cpu_zone[cpu]) {
			id = hvsim.cpu_zone[cpu]->id;
			pr_info("zone %u: cpu %u already belongs to zone %u\n",
				z->id, cpu, id);
			return -EBUSY;
		}
	}
	return 0;
}

/**
 * hvsim_zone_create() - create and publish a zone
 * @out: if not NULL, receives the zone with an extra reference
 * @cfg: the request; validated here
 *
 * Return: 0 or a negative errno; nothing is left behind on failure.
 */
int hvsim_zone_create(struct hvsim_szone **out, const struct hvsim_zone *cfg)
{
	struct hvsim_szone *z;
	u32 cpu;
	int ret;

	if (!cfg->zone_id || cfg->zone_id > HVSIM_MAX_ZONE_ID ||
	    cfg->flags & ~(HVSIM_ZONE_F_IDENTITY | HVSIM_ZONE_F_FD_OWNED) ||
	    cfg->pad || cfg->pad2 || cfg->nr_mmio)
		return -EINVAL;
	if (cfg->nr_cpus && (cfg->first_cpu >= HVISOR_MAX_CPUS ||
			     cfg->nr_cpus > HVISOR_MAX_CPUS - cfg->first_cpu))
		return -EINVAL;

	z = kzalloc(sizeof(*z), GFP_KERNEL);
	if (!z)
		return -ENOMEM;
	kref_init(&z->ref);
	spin_lock_init(&z->lock);
	INIT_LIST_HEAD(&z->listeners);
	INIT_LIST_HEAD(&z->guests);
	z->id = cfg->zone_id;
	z->flags = cfg->flags;

	if (z->flags & HVSIM_ZONE_F_IDENTITY)
		ret = hvsim_zone_fill_identity(z);
	else
		ret = hvsim_zone_alloc_ram(z, cfg);
	if (ret)
		goto err_put;

	mutex_lock(&hvsim.ctl_mutex);
	if (hvsim.zones[z->id]) {
		ret = -EEXIST;
		goto err_unlock;
	}
	ret = hvsim_zone_pick_cpus(z, cfg);
	if (ret)
		goto err_unlock;
	spin_lock_irq(&hvsim.zone_lock);
	hvsim.zones[z->id] = z;
	for (cpu = z->first_cpu; cpu < z->first_cpu + z->nr_cpus; cpu++)
		hvsim.cpu_zone[cpu] = z;
	spin_unlock_irq(&hvsim.zone_lock);
	if (out) {
		kref_get(&z->ref);
		*out = z;
	}
	mutex_unlock(&hvsim.ctl_mutex);
	return 0;

err_unlock:
	mutex_unlock(&hvsim.ctl_mutex);
err_put:
	hvsim_zone_put(z);
	return ret;
}

/* Unpublish @z: the table's reference goes; holders see it dead. */
static void hvsim_zone_kill_locked(struct hvsim_szone *z)
{
	struct hvsim_listener *l;
	u32 cpu;

	lockdep_assert_held(&hvsim.ctl_mutex);
	if (z->dead)
		return;
	/* Guests first, while the zone still answers their accesses. */
	hvsim_guest_remove_all(z);

	spin_lock_irq(&hvsim.zone_lock);
	hvsim.zones[z->id] = NULL;
	for (cpu = z->first_cpu; cpu < z->first_cpu + z->nr_cpus; cpu++)
		hvsim.cpu_zone[cpu] = NULL;
	spin_unlock_irq(&hvsim.zone_lock);
	hvsim_drop_pending(z);

	spin_lock_irq(&z->lock);
	WRITE_ONCE(z->dead, true);
	list_for_each_entry(l, &z->listeners, node)
		wake_up_interruptible(&l->wait);
	spin_unlock_irq(&z->lock);
	hvsim_zone_put(z);
}

/**
 * hvsim_zone_kill() - destroy @z unless already destroyed
 * @z: the zone, a reference held by the caller
 */
void hvsim_zone_kill(struct hvsim_szone *z)
{
	mutex_lock(&hvsim.ctl_mutex);
	hvsim_zone_kill_locked(z);
	mutex_unlock(&hvsim.ctl_mutex);
}

/**
 * hvsim_zone_destroy() - HVSIM_ZONE_DESTROY
 * @id: zone id
 *
 * Return: 0 or -ENOENT.
 */
int hvsim_zone_destroy(u32 id)
{
	struct hvsim_szone *z;

	mutex_lock(&hvsim.ctl_mutex);
	z = id <= HVSIM_MAX_ZONE_ID ? hvsim.zones[id] : NULL;
	if (z)
		hvsim_zone_kill_locked(z);
	mutex_unlock(&hvsim.ctl_mutex);
	return z ? 0 : -ENOENT;
}

/** hvsim_zone_destroy_all() - module unload: destroy every zone */
void hvsim_zone_destroy_all(void)
{
	u32 id;

	for (id = 0; id <= HVSIM_MAX_ZONE_ID; id++)
		hvsim_zone_destroy(id);
}

/**
 * hvsim_zone_info() - HVSIM_ZONE_INFO
 * @z: zone
 * @out: filled in
 */
void hvsim_zone_info(struct hvsim_szone *z, struct hvsim_zone *out)
{
	u32 i;

	memset(out, 0, sizeof(*out));
	out->zone_id = z->id;
	out->flags = z->flags;
	out->first_cpu = z->first_cpu;
	out->nr_cpus = z->nr_cpus;
	out->nr_regions = z->nr_ram;
	for (i = 0; i < z->nr_ram; i++) {
		out->regions[i].gpa = z->ram[i].gpa;
		out->regions[i].size = z->ram[i].size;
		out->regions[i].hpa = z->ram[i].hpa;
	}
	spin_lock_irq(&z->lock);
	out->nr_mmio = z->nr_mmio;
	for (i = 0; i < z->nr_mmio; i++) {
		out->mmio[i].base = z->mmio[i].base;
		out->mmio[i].size = z->mmio[i].size;
	}
	spin_unlock_irq(&z->lock);
}

/* ------------------------------------------------------------------ */
/* Virtio trap regions                                                 */

/**
 * hvsim_zone_add_window() - add a virtio trap region
 * @z: zone
 * @base: region physical_start
 * @size: bytes
 * @guest: added on behalf of an in-kernel guest
 *
 * Return: 0, -EINVAL (empty or wrapping), -EBUSY (overlaps a RAM or
 * virtio region), -ENOSPC (too many), -ENODEV (zone destroyed).
 */
int hvsim_zone_add_window(struct hvsim_szone *z, u64 base, u64 size,
			  bool guest)
{
	int ret = 0;
	u32 i;

	lockdep_assert_held(&hvsim.ctl_mutex);
	if (!size || base + size < base)
		return -EINVAL;
	for (i = 0; i < z->nr_ram; i++)
		if (hvsim_overlap(base, size, z->ram[i].gpa, z->ram[i].size))
			return -EBUSY;
	spin_lock_irq(&z->lock);
	if (z->dead) {
		ret = -ENODEV;
		goto out;
	}
	for (i = 0; i < z->nr_mmio; i++) {
		if (hvsim_overlap(base, size, z->mmio[i].base, z->mmio[i].size)) {
			ret = -EBUSY;
			goto out;
		}
	}
	if (z->nr_mmio == HVSIM_MAX_MMIO) {
		ret = -ENOSPC;
		goto out;
	}
	z->mmio[z->nr_mmio].base = base;
	z->mmio[z->nr_mmio].size = size;
	z->mmio[z->nr_mmio].guest = guest;
	z->nr_mmio++;
out:
	spin_unlock_irq(&z->lock);
	return ret;
}

/**
 * hvsim_zone_del_window() - remove the trap region starting at @base
 * @z: zone
 * @base: region physical_start
 */
void hvsim_zone_del_window(struct hvsim_szone *z, u64 base)
{
	u32 i;

	lockdep_assert_held(&hvsim.ctl_mutex);
	spin_lock_irq(&z->lock);
	for (i = 0; i < z->nr_mmio; i++) {
		if (z->mmio[i].base == base) {
			z->mmio[i] = z->mmio[--z->nr_mmio];
			break;
		}
	}
	spin_unlock_irq(&z->lock);
}

/**
 * hvsim_zone_find_window() - the virtio region containing @addr
 * @z: zone
 * @addr: guest-physical address
 * @out: a copy of the region
 *
 * Return: 0 or -EFAULT. Callable from any context.
 */
int hvsim_zone_find_window(struct hvsim_szone *z, u64 addr,
			   struct hvsim_window *out)
{
	unsigned long flags;
	int ret = -EFAULT;
	u32 i;

	spin_lock_irqsave(&z->lock, flags);
	for (i = 0; i < z->nr_mmio; i++) {
		if (addr >= z->mmio[i].base &&
		    addr - z->mmio[i].base < z->mmio[i].size) {
			*out = z->mmio[i];
			ret = 0;
			break;
		}
	}
	spin_unlock_irqrestore(&z->lock, flags);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Interrupts into the zone                                            */

/*
 * In-kernel guests share the test VM's kernel with the root: the bed
 * isolates the root's CPUs (isolcpus, hvisor_vhost.cpus) and leaves the
 * others, the housekeeping CPUs, to the zone. Work the simulator does for
 * a guest is placed explicitly, not on the unbound workqueue: that
 * follows the unbound cpumask, which tests move around, and a guest
 * spinning with interrupts off on every CPU of one side must not strand
 * work the other side waits for.
 */

/**
 * hvsim_zone_side_cpu() - where an in-kernel guest takes its interrupts
 *
 * hvisor runs a zone's handlers on the zone's own CPUs: a housekeeping
 * CPU. A handler spinning on a guest lock (virtio_console's in_intr() on
 * the hvc lock) on a root CPU would strand the root's threads that the
 * lock's holder waits for.
 *
 * Return: the first online housekeeping CPU.
 */
int hvsim_zone_side_cpu(void)
{
	unsigned int cpu;

	cpu = cpumask_any_and(housekeeping_cpumask(HK_TYPE_DOMAIN),
			      cpu_online_mask);
	return cpu < nr_cpu_ids ? cpu : raw_smp_processor_id();
}

/**
 * hvsim_hyp_side_cpu() - where a guest's deferred trap is pushed
 *
 * On hvisor a trapping vCPU pushes its request itself, in the
 * hypervisor. A notify the guest could not push at once (the request
 * ring was full) is pushed by a work item instead; on the zone's CPUs it
 * would wait behind the guest spinning there for that very request
 * (virtio_console's put_chars()).
 *
 * Return: an online CPU outside the housekeeping set (a root CPU), or
 * -1 if every CPU is a housekeeping CPU (no isolcpus).
 */
int hvsim_hyp_side_cpu(void)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (!cpumask_test_cpu(cpu, housekeeping_cpumask(HK_TYPE_DOMAIN)))
			return cpu;
	return -1;
}

/**
 * hvsim_zone_inject() - the zone's first vCPU takes virtual IRQ @irq
 * @z: zone
 * @irq: the interrupt
 */
void hvsim_zone_inject(struct hvsim_szone *z, u32 irq)
{
	struct hvsim_irq_event ev = { .zone_id = z->id, .irq = irq };
	struct hvsim_guest_hook *g;
	struct hvsim_listener *l;

	hvsim_count(injections);
	spin_lock_irq(&z->lock);
	list_for_each_entry(l, &z->listeners, node) {
		spin_lock(&l->lock);
		if (!kfifo_put(&l->fifo, ev))
			hvsim_count(events_dropped);
		spin_unlock(&l->lock);
		wake_up_interruptible(&l->wait);
	}
	list_for_each_entry(g, &z->guests, node)
		if (g->irq == irq)
			queue_work_on(hvsim_zone_side_cpu(),
				      system_highpri_wq, &g->irq_work);
	spin_unlock_irq(&z->lock);
}

/**
 * hvsim_listener_init() - prepare a listener
 * @l: listener
 */
void hvsim_listener_init(struct hvsim_listener *l)
{
	INIT_LIST_HEAD(&l->node);
	spin_lock_init(&l->lock);
	INIT_KFIFO(l->fifo);
	init_waitqueue_head(&l->wait);
}

/**
 * hvsim_listener_attach() - receive @z's interrupts in @l
 * @z: zone
 * @l: listener
 */
void hvsim_listener_attach(struct hvsim_szone *z, struct hvsim_listener *l)
{
	spin_lock_irq(&z->lock);
	list_add_tail(&l->node, &z->listeners);
	spin_unlock_irq(&z->lock);
}

/**
 * hvsim_listener_detach() - stop receiving @z's interrupts
 * @z: zone
 * @l: listener
 */
void hvsim_listener_detach(struct hvsim_szone *z, struct hvsim_listener *l)
{
	spin_lock_irq(&z->lock);
	list_del_init(&l->node);
	spin_unlock_irq(&z->lock);
}
