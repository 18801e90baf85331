// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor side of the virtio bridge, as hvisor v0.4 implements it
 * (src/device/virtio_trampoline.rs, src/hypercall/mod.rs):
 *
 * - the request producer of a trapping vCPU (mmio_virtio_handler): one
 *   device_req per access, need_interrupt by region offset, synchronous
 *   wait on cfg_flags[cpu];
 * - the wake-up line: a Linux IRQ of our own irq_domain, raised from
 *   irq_work whenever need_wakeup reads 1 right after a push;
 * - the hypercalls: INIT_VIRTIO, FINISH_REQ (hv_virtio_inject_irq), the
 *   no-op GET_VIRTIO_IRQ, and "unknown code returns 0";
 * - interrupt delivery: per target CPU a list of distinct pending IRQs,
 *   injected later from a work item, never inside the hypercall.
 */
#define pr_fmt(fmt) "hvisor_sim: " fmt

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/version.h>

#include "sim.h"

/* Atomic-context pushes: hvisor's backoff, 1, 2, 4 .. 1024 spins, bounded. */
#define HVSIM_ATOMIC_BACKOFF_MAX	1024
#define HVSIM_ATOMIC_ROUNDS		16
/* Synchronous waits: spin this many polls, then sleep-poll. */
#define HVSIM_SPIN_POLLS		200
#define HVSIM_SLEEP_MIN_US		5
#define HVSIM_SLEEP_MAX_US		500

/* ------------------------------------------------------------------ */
/* The wake-up line                                                    */

static void hvsim_irq_noop(struct irq_data *d)
{
}

/* The affinity chooses where hvsim_raise_wakeup() sends the upcall. */
static int hvsim_irq_set_affinity(struct irq_data *d,
				  const struct cpumask *mask, bool force)
{
	irq_data_update_effective_affinity(d, mask);
	return IRQ_SET_MASK_OK;
}

static struct irq_chip hvsim_irq_chip = {
	.name			= HVSIM_NAME,
	.irq_mask		= hvsim_irq_noop,
	.irq_unmask		= hvsim_irq_noop,
	.irq_set_affinity	= hvsim_irq_set_affinity,
};

static int hvsim_irq_map(struct irq_domain *d, unsigned int virq,
			 irq_hw_number_t hw)
{
	irq_set_chip_and_handler(virq, &hvsim_irq_chip, handle_simple_irq);
	irq_set_noprobe(virq);
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
	/*
	 * Apply an affinity at once: otherwise x86 defers the move to the
	 * next interrupt's ack, which this chip never does, and the upcall
	 * keeps going to any CPU, spinning zone CPUs included.
	 */
	irq_set_status_flags(virq, IRQ_MOVE_PCNTXT);
#endif
	return 0;
}

static const struct irq_domain_ops hvsim_irq_domain_ops = {
	.map	= hvsim_irq_map,
};

/* Hard interrupt context, interrupts disabled: as a real upcall IRQ. */
static void hvsim_wakeup_fire(struct irq_work *work)
{
	generic_handle_irq(hvsim.wakeup_irq);
}

/*
 * IPI handler on the target CPU: hard interrupt context. The wake-up is
 * taken before it is handled, as an interrupt controller acknowledges an
 * edge: one raised while the handler runs is delivered again after it.
 * The csd is free again here (an asynchronous csd is released before its
 * function runs).
 */
static void hvsim_wakeup_ipi(void *info)
{
	atomic_set(&hvsim.wakeup_inflight, 0);
	generic_handle_irq(hvsim.wakeup_irq);
}

/*
 * hvisor's send_event(root CPU0, SGI 7, IPI_EVENT_WAKEUP_VIRTIO_DEVICE).
 * The upcall goes to the first CPU of the IRQ's affinity (CPU0 by
 * default), never to the trapping CPU itself: a simulated vCPU is a root
 * CPU that may be spinning with interrupts off (virtio_console's
 * put_chars), and on hvisor the upcall never lands on the trapping CPU.
 * Wake-ups raised while one is still queued merge, as an edge pending in
 * the interrupt controller does.
 */
static unsigned int hvsim_wakeup_target(unsigned int this)
{
	const struct cpumask *aff = irq_get_affinity_mask(hvsim.wakeup_irq);
	unsigned int cpu;

	if (aff)
		for_each_cpu_and(cpu, aff, cpu_online_mask)
			if (cpu != this)
				return cpu;
	return this && cpu_online(0) ? 0 :
	       cpumask_any_but(cpu_online_mask, this);
}

static void hvsim_raise_wakeup(void)
{
	unsigned int n = hvsim_lose_wakeup_every;
	unsigned int this, target;

	if (n && (u32)atomic_inc_return(&hvsim.wakeup_seq) % n == 0) {
		hvsim_count(lost_wakeups);
		return;
	}
	hvsim_count(wakeups);
	this = get_cpu();
	target = hvsim_wakeup_target(this);
	if (target >= nr_cpu_ids) {
		irq_work_queue(&hvsim.wakeup_work);
	} else if (!atomic_cmpxchg(&hvsim.wakeup_inflight, 0, 1)) {
		if (smp_call_function_single_async(target, &hvsim.wakeup_csd))
			atomic_set(&hvsim.wakeup_inflight, 0);
	}
	put_cpu();
}

/* ------------------------------------------------------------------ */
/* Hypercalls                                                          */

static void hvsim_panic(const char *what)
{
	hvsim_count(hypervisor_panics);
	pr_crit("HYPERVISOR PANIC: %s\n", what);
}

/* hv_virtio_init(): store the base address; replacing it is allowed. */
static long hvsim_hc_init_virtio(u64 pa)
{
	unsigned long flags;

	if (!PAGE_ALIGNED(pa) || !pfn_valid(PHYS_PFN(pa))) {
		pr_crit("HYPERVISOR PANIC: HVISOR_HC_INIT_VIRTIO with bad address %#llx\n",
			pa);
		hvsim_count(hypervisor_panics);
		return -EINVAL;
	}
	spin_lock_irqsave(&hvsim.req_lock, flags);
	spin_lock(&hvsim.res_lock);
	WRITE_ONCE(hvsim.bridge, phys_to_virt(pa));
	spin_unlock(&hvsim.res_lock);
	spin_unlock_irqrestore(&hvsim.req_lock, flags);
	return 0;
}

/*
 * Queue @irq for @cpu unless already pending; hvisor asserts
 * len + 1 < MAX_DEVS before adding a new distinct IRQ.
 */
static bool hvsim_pend_irq(u32 cpu, u32 irq, u32 zone)
{
	struct hvsim_pending *p = &hvsim.pending[cpu];
	u32 i;

	lockdep_assert_held(&hvsim.irq_lock);
	for (i = 0; i < p->len; i++)
		if (p->irq[i] == irq)
			return false;
	if (p->len + 1 >= HVISOR_MAX_DEVS) {
		hvsim_count(pending_irq_overflow);
		pr_crit("HYPERVISOR PANIC: more than %d distinct pending virtio IRQs for cpu %u (zone %u irq %u): hvisor's assert!(len + 1 < MAX_DEVS) fails\n",
			HVISOR_MAX_PENDING_IRQS, cpu, zone, irq);
		return false;
	}
	p->irq[p->len++] = irq;
	return true;
}

/* hv_virtio_inject_irq(): drain res_list, one hypercall drains all. */
static long hvsim_hc_finish_req(void)
{
	struct hvisor_bridge *b;
	unsigned long flags;
	bool queued = false;
	u32 front, rear;

	hvsim_count(finish_req);
	spin_lock_irqsave(&hvsim.res_lock, flags);
	b = hvsim.bridge;
	if (!b) {
		spin_unlock_irqrestore(&hvsim.res_lock, flags);
		hvsim_panic("FINISH_REQ before INIT_VIRTIO: VirtioBridge not enabled");
		return -ENXIO;
	}
	front = READ_ONCE(b->res_front) & (HVISOR_MAX_REQ - 1);
	for (;;) {
		struct hvisor_device_res res;
		u32 first_cpu;

		/* is_empty(): res_rear != res_front, then fence(Acquire) */
		rear = smp_load_acquire(&b->res_rear);
		if (rear == front)
			break;
		if (rear >= HVISOR_MAX_REQ) {
			/* hvisor would loop here forever: front never gets there */
			hvsim_panic("res_rear out of range: hv_virtio_inject_irq spins forever");
			break;
		}
		res.target_zone = READ_ONCE(b->res_list[front].target_zone);
		res.irq_id = READ_ONCE(b->res_list[front].irq_id);

		/* find_zone() and the VIRTIO_IRQS update, atomically */
		spin_lock(&hvsim.irq_lock);
		if (hvsim_zone_exists(res.target_zone, &first_cpu))
			queued |= hvsim_pend_irq(first_cpu, res.irq_id,
						 res.target_zone);
		else
			hvsim_count(dropped_results);
		spin_unlock(&hvsim.irq_lock);
		front = hvisor_ring_next(front);
		/*
		 * advance_front(): fence(Release), then the index: our reads
		 * of the slot complete before the backend may reuse it.
		 */
		smp_store_release(&b->res_front, front);
	}
	spin_unlock_irqrestore(&hvsim.res_lock, flags);

	/* send_event(target, IPI_EVENT_VIRTIO_INJECT_IRQ): later, elsewhere */
	if (queued)
		queue_work(hvsim.wq, &hvsim.deliver_work);
	return 0;
}

/**
 * hvsim_hypercall() - the provider's hypercall, as hvisor executes it
 * @code: hypercall number
 * @arg0: first argument
 * @arg1: second argument
 *
 * Callable from any context.
 *
 * Return: hvisor's result, 0 or a negative errno.
 */
long hvsim_hypercall(u64 code, u64 arg0, u64 arg1)
{
	switch (code) {
	case HVISOR_HC_INIT_VIRTIO:
		return hvsim_hc_init_virtio(arg0);
	case HVISOR_HC_FINISH_REQ:
		return hvsim_hc_finish_req();
	case HVISOR_HC_GET_VIRTIO_IRQ:
		return 0;
	default:
		hvsim_count(unknown_hypercalls);
		pr_warn_ratelimited("unknown hypercall %llu (%#llx, %#llx): hvisor warns and returns 0\n",
				    code, arg0, arg1);
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* Delivery: the target CPU's check_events() -> handle_virtio_irq()     */

static void hvsim_deliver(struct work_struct *work)
{
	u32 cpu;

	for (cpu = 0; cpu < HVISOR_MAX_CPUS; cpu++) {
		struct hvsim_pending p;
		struct hvsim_szone *z;
		u32 i;

		spin_lock_irq(&hvsim.irq_lock);
		p = hvsim.pending[cpu];
		hvsim.pending[cpu].len = 0;
		z = p.len ? hvsim_zone_get_by_cpu(cpu) : NULL;
		spin_unlock_irq(&hvsim.irq_lock);
		if (!z)
			continue;
		for (i = 0; i < p.len; i++)
			hvsim_zone_inject(z, p.irq[i]);
		hvsim_zone_put(z);
	}
}

/**
 * hvsim_drop_pending() - forget pending IRQs of a zone being destroyed
 * @z: the zone, already out of the zone table
 *
 * As hv_zone_shutdown() does with irq_list[0] = 0 for each of its CPUs.
 */
void hvsim_drop_pending(const struct hvsim_szone *z)
{
	u32 cpu;

	spin_lock_irq(&hvsim.irq_lock);
	for (cpu = z->first_cpu; cpu < z->first_cpu + z->nr_cpus; cpu++)
		hvsim.pending[cpu].len = 0;
	spin_unlock_irq(&hvsim.irq_lock);
}

/* ------------------------------------------------------------------ */
/* Request production: mmio_virtio_handler()                          */

/*
 * Push @req, backing off while the ring is full. In atomic context spin
 * with hvisor's exponential backoff for a bounded number of rounds and
 * return -EBUSY; otherwise sleep until @deadline.
 */
static int hvsim_push(const struct hvisor_device_req *req, bool atomic,
		      ktime_t deadline, struct hvsim_szone *z, bool killable)
{
	unsigned int backoff = 1, rounds = 0, sleep_us = HVSIM_SLEEP_MIN_US;
	bool counted = false;

	for (;;) {
		struct hvisor_device_req *slot;
		struct hvisor_bridge *b;
		unsigned long flags;
		u32 rear, front;

		spin_lock_irqsave(&hvsim.req_lock, flags);
		b = hvsim.bridge;
		rear = READ_ONCE(b->req_rear);
		front = READ_ONCE(b->req_front);
		if (hvisor_ring_next(rear) != front) {
			slot = &b->req_list[rear & (HVISOR_MAX_REQ - 1)];
			WRITE_ONCE(slot->src_cpu, req->src_cpu);
			WRITE_ONCE(slot->address, req->address);
			WRITE_ONCE(slot->size, req->size);
			WRITE_ONCE(slot->value, req->value);
			WRITE_ONCE(slot->src_zone, req->src_zone);
			WRITE_ONCE(slot->is_write, req->is_write);
			WRITE_ONCE(slot->need_interrupt, req->need_interrupt);
			WRITE_ONCE(slot->padding, 0);
			/* push_req(): fence(Release), then req_rear */
			smp_store_release(&b->req_rear, hvisor_ring_next(rear));
			spin_unlock_irqrestore(&hvsim.req_lock, flags);
			hvsim_count(requests);
			/*
			 * check_need_wakeup_and_send_ipi(): u8 load, then
			 * fence(Acquire). Like hvisor, no StoreLoad barrier
			 * after the req_rear store: the backend must survive a
			 * lost wake-up (ABI file 2.6).
			 */
			if (READ_ONCE(b->need_wakeup) == 1) {
				/* hvisor's fence(Acquire) after the load */
				smp_rmb();
				hvsim_raise_wakeup();
			}
			return 0;
		}
		spin_unlock_irqrestore(&hvsim.req_lock, flags);

		if (!counted) {
			hvsim_count(ring_full_waits);
			counted = true;
		}
		if (atomic) {
			unsigned int i;

			if (backoff > HVSIM_ATOMIC_BACKOFF_MAX) {
				if (++rounds >= HVSIM_ATOMIC_ROUNDS)
					return -EBUSY;
				backoff = HVSIM_ATOMIC_BACKOFF_MAX;
			}
			for (i = 0; i < backoff; i++)
				cpu_relax();
			backoff <<= 1;
			continue;
		}
		if (ktime_after(ktime_get(), deadline))
			return -ETIMEDOUT;
		if (killable && fatal_signal_pending(current))
			return -EINTR;
		if (READ_ONCE(z->dead))
			return -ENODEV;
		usleep_range(sleep_us, sleep_us * 2);
		sleep_us = min(sleep_us * 2, HVSIM_SLEEP_MAX_US);
	}
}

/* is_cfg_updated(): cfg_flags[cpu] read + fence(Acquire), "!= old" */
static bool hvsim_cfg_updated(u32 cpu, u64 old, u64 *value)
{
	struct hvisor_bridge *b = READ_ONCE(hvsim.bridge);

	/* Pairs with the backend's smp_wmb() between cfg_values and flags. */
	if (smp_load_acquire(&b->cfg_flags[cpu]) == old)
		return false;
	if (value)
		*value = READ_ONCE(b->cfg_values[cpu]);
	return true;
}

static int hvsim_wait_cfg(struct hvsim_szone *z, u32 cpu, u64 old,
			  ktime_t deadline, u64 *value, bool killable)
{
	unsigned int i, sleep_us = HVSIM_SLEEP_MIN_US;

	for (i = 0; i < HVSIM_SPIN_POLLS; i++) {
		if (hvsim_cfg_updated(cpu, old, value))
			return 0;
		cpu_relax();
	}
	for (;;) {
		if (hvsim_cfg_updated(cpu, old, value))
			return 0;
		if (ktime_after(ktime_get(), deadline))
			return -ETIMEDOUT;
		if (killable && fatal_signal_pending(current))
			return -EINTR;
		if (READ_ONCE(z->dead))
			return -ENODEV;
		usleep_range(sleep_us, sleep_us * 2);
		sleep_us = min(sleep_us * 2, HVSIM_SLEEP_MAX_US);
	}
}

/*
 * Common front half: find the region, build the request. Returns 1 for an
 * asynchronous access (need_interrupt), 0 for a synchronous one.
 */
static int hvsim_build_req(struct hvsim_szone *z, const struct hvsim_access *a,
			   struct hvisor_device_req *req)
{
	struct hvsim_window w;
	int ret;

	ret = hvsim_zone_find_window(z, a->addr, &w);
	if (ret)
		return ret;
	if (!READ_ONCE(hvsim.bridge)) {
		pr_warn_ratelimited("zone %u cpu %u: virtio access at %#llx before HVISOR_HC_INIT_VIRTIO (hvisor would panic)\n",
				    z->id, a->cpu, a->addr);
		return -ENXIO;
	}
	memset(req, 0, sizeof(*req));
	req->src_cpu = a->cpu;
	req->address = a->addr;		/* absolute: physical_start + offset */
	req->size = a->size;
	req->value = a->is_write ? a->value : 0;
	req->src_zone = z->id;
	req->is_write = a->is_write;
	req->need_interrupt = a->addr - w.base == HVISOR_QUEUE_NOTIFY_OFFSET;
	return req->need_interrupt;
}

/**
 * hvsim_trap_atomic() - an asynchronous access from atomic context
 * @z: zone of the vCPU
 * @a: the access; must be asynchronous (a QueueNotify at region offset 0x50)
 *
 * Return: 0 when pushed, -EBUSY if the ring stayed full (the caller
 * defers the push to a context that may sleep), another errno if the
 * access cannot be made.
 */
int hvsim_trap_atomic(struct hvsim_szone *z, struct hvsim_access *a)
{
	struct hvisor_device_req req;
	int ret;

	ret = hvsim_build_req(z, a, &req);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EWOULDBLOCK;	/* synchronous: would wait */
	return hvsim_push(&req, true, 0, z, false);
}

/**
 * hvsim_trap_async() - an asynchronous access from a context that may sleep
 * @z: zone of the vCPU
 * @a: the access; must be asynchronous (a QueueNotify at region offset 0x50)
 *
 * Waits for room in the request ring only. No CPU slot is needed: on
 * hvisor an asynchronous access waits for no completion, so it never
 * queues behind a vCPU's synchronous request. (An in-kernel guest's
 * synchronous waiter may sleep on a zone CPU that a guest spinning with
 * interrupts off then takes: its slot stays held until that spin ends,
 * and a notify queued behind it would end the spin only after it.)
 *
 * Return: 0 when pushed, -EWOULDBLOCK for a synchronous access,
 * -ETIMEDOUT if the ring stayed full, -ENODEV if the zone died, another
 * errno if the access cannot be made.
 */
int hvsim_trap_async(struct hvsim_szone *z, struct hvsim_access *a)
{
	struct hvisor_device_req req;
	ktime_t deadline;
	int ret;

	ret = hvsim_build_req(z, a, &req);
	if (ret < 0)
		return ret;
	if (!ret)
		return -EWOULDBLOCK;
	deadline = ktime_add_ms(ktime_get(), hvsim_stall_timeout_ms);
	return hvsim_push(&req, false, deadline, z, false);
}

/**
 * hvsim_trap_sync() - a trapped access from a context that may sleep
 * @z: zone of the vCPU
 * @a: the access; the caller holds the CPU slot of a->cpu (hvsim_cpu_get())
 *
 * Synchronous accesses wait for the backend's cfg_flags completion; a read
 * returns cfg_values[cpu] verbatim. Asynchronous ones (region offset 0x50)
 * return once pushed.
 *
 * Return: 0, -ETIMEDOUT after the timeout, -EBUSY if an abandoned request
 * of this CPU is still outstanding, -EINTR on a fatal signal, -ENODEV if
 * the zone died, -EFAULT if @a->addr is in no virtio region, -ENXIO
 * without a bridge.
 */
int hvsim_trap_sync(struct hvsim_szone *z, struct hvsim_access *a)
{
	unsigned int tmo = a->timeout_ms ? a->timeout_ms : hvsim_stall_timeout_ms;
	struct hvisor_device_req req;
	ktime_t deadline;
	u64 old, value = 0;
	int ret;

	lockdep_assert_held(&hvsim.cpu_mutex[a->cpu]);
	ret = hvsim_build_req(z, a, &req);
	if (ret < 0)
		return ret;
	deadline = ktime_add_ms(ktime_get(), tmo);
	if (ret) {
		ret = hvsim_push(&req, false, deadline, z, a->killable);
		a->value = 0;
		goto out_err;
	}

	if (hvsim.stale[a->cpu]) {
		if (!hvsim_cfg_updated(a->cpu, hvsim.stale_flag[a->cpu], NULL)) {
			pr_info_ratelimited("zone %u cpu %u: an abandoned synchronous request is still outstanding\n",
					    z->id, a->cpu);
			return -EBUSY;
		}
		hvsim.stale[a->cpu] = false;
	}

	/* old_cfg_flag is sampled before the push */
	old = smp_load_acquire(&READ_ONCE(hvsim.bridge)->cfg_flags[a->cpu]);
	ret = hvsim_push(&req, false, deadline, z, a->killable);
	if (!ret) {
		ret = hvsim_wait_cfg(z, a->cpu, old, deadline, &value,
				     a->killable);
		if (ret) {
			hvsim.stale[a->cpu] = true;
			hvsim.stale_flag[a->cpu] = old;
		}
	}
	if (!ret && !a->is_write)
		a->value = value;

out_err:
	if (ret == -ETIMEDOUT) {
		if (a->timeout_ms) {
			hvsim_count(timeouts);
			pr_info_ratelimited("zone %u cpu %u addr %#llx: no completion within %u ms (per-access timeout)\n",
					    z->id, a->cpu, a->addr, tmo);
		} else {
			hvsim_count(stalls);
			pr_err_ratelimited("STALL: zone %u cpu %u addr %#llx size %u %s: no completion from the backend after %u ms\n",
					   z->id, a->cpu, a->addr, a->size,
					   a->is_write ? "write" : "read", tmo);
		}
	}
	return ret;
}

/**
 * hvsim_cpu_get() - become a simulated vCPU of @z
 * @z: the zone
 * @cpu: the CPU to use (a raw guest's choice; the wait is killable), or
 *	-1 for any CPU of the zone (in-kernel guests; not killable)
 *
 * Return: the CPU, to be released with hvsim_cpu_put(), or -EINTR.
 */
int hvsim_cpu_get(struct hvsim_szone *z, int cpu)
{
	u32 i, start;

	if (cpu >= 0) {
		if (mutex_lock_killable(&hvsim.cpu_mutex[cpu]))
			return -EINTR;
		return cpu;
	}
	start = (u32)atomic_inc_return(&z->cpu_rr);
	for (i = 0; i < z->nr_cpus; i++) {
		cpu = z->first_cpu + (start + i) % z->nr_cpus;
		if (mutex_trylock(&hvsim.cpu_mutex[cpu]))
			return cpu;
	}
	cpu = z->first_cpu + start % z->nr_cpus;
	mutex_lock(&hvsim.cpu_mutex[cpu]);
	return cpu;
}

/**
 * hvsim_cpu_put() - release a CPU taken with hvsim_cpu_get()
 * @cpu: the CPU
 */
void hvsim_cpu_put(int cpu)
{
	mutex_unlock(&hvsim.cpu_mutex[cpu]);
}

/* ------------------------------------------------------------------ */

int hvsim_bridge_init(void)
{
	int i;

	spin_lock_init(&hvsim.req_lock);
	spin_lock_init(&hvsim.res_lock);
	spin_lock_init(&hvsim.irq_lock);
	for (i = 0; i < HVISOR_MAX_CPUS; i++)
		mutex_init(&hvsim.cpu_mutex[i]);
	INIT_WORK(&hvsim.deliver_work, hvsim_deliver);
	/* Hard interrupt context even on PREEMPT_RT. */
	hvsim.wakeup_work = IRQ_WORK_INIT_HARD(hvsim_wakeup_fire);
	INIT_CSD(&hvsim.wakeup_csd, hvsim_wakeup_ipi, NULL);

	hvsim.fwnode = irq_domain_alloc_named_fwnode(HVSIM_NAME);
	if (!hvsim.fwnode)
		return -ENOMEM;
	hvsim.domain = irq_domain_create_linear(hvsim.fwnode, 1,
						&hvsim_irq_domain_ops, NULL);
	if (!hvsim.domain)
		goto err_free_fwnode;
	hvsim.wakeup_irq = irq_create_mapping(hvsim.domain, 0);
	if (!hvsim.wakeup_irq)
		goto err_remove_domain;
	return 0;

err_remove_domain:
	irq_domain_remove(hvsim.domain);
err_free_fwnode:
	irq_domain_free_fwnode(hvsim.fwnode);
	return -ENOMEM;
}

/* Nobody may push, hypercall or request the wake-up IRQ any more. */
void hvsim_bridge_exit(void)
{
	irq_work_sync(&hvsim.wakeup_work);
	while (atomic_read(&hvsim.wakeup_inflight))
		usleep_range(100, 200);
	synchronize_irq(hvsim.wakeup_irq);
	irq_dispose_mapping(hvsim.wakeup_irq);
	irq_domain_remove(hvsim.domain);
	irq_domain_free_fwnode(hvsim.fwnode);
}
