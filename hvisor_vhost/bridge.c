// SPDX-License-Identifier: GPL-2.0
/*
 * The bridge: hvisor's shared page between the hypervisor and the root.
 *
 * req_list has one consumer at a time: the wake-up IRQ, which serves a
 * short batch at once within its limits, or the dispatcher thread, which
 * takes over whatever the IRQ leaves (see hvv_bridge_irq_serve()). The
 * consumer answers every synchronous request (need_interrupt == 0) exactly
 * once through cfg_values/cfg_flags and never answers asynchronous ones. A
 * device may take over the answer of a request it cannot finish at once
 * (a reset that waits for in-flight I/O): hvisor allows one synchronous
 * request per CPU, so that CPU's slot is the device's until it answers.
 * res_list has many producers (the virtqueue workers), serialised by
 * res_lock; one FINISH_REQ hypercall drains all entries.
 *
 * Sleeping follows hvisor-tool's handshake: set need_wakeup, full barrier,
 * re-check req_rear, sleep. hvisor has no StoreLoad barrier between its
 * req_rear store and its need_wakeup load, so a wake-up can be lost for a
 * request pushed while we go to sleep: the first sleep is short, and so
 * is every sleep while the IRQ serves, and the ring is checked again
 * before a long one.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/gfp.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include "bridge.h"
#include "hvisor_abi.h"
#include "hvisor_provider.h"
#include "worker.h"

static unsigned int poll_us;
module_param(poll_us, uint, 0644);
MODULE_PARM_DESC(poll_us,
		 "Max busy-poll window (us) after the request ring empties before sleeping; adapts to the traffic; 0 = off (default)");

static unsigned int wakeup_recheck_ms = 10;
module_param(wakeup_recheck_ms, uint, 0644);
MODULE_PARM_DESC(wakeup_recheck_ms,
		 "First sleep (ms) after announcing need_wakeup; covers a wake-up the hypervisor may lose (default 10)");

static unsigned int idle_sleep_ms = 1000;
module_param(idle_sleep_ms, uint, 0644);
MODULE_PARM_DESC(idle_sleep_ms,
		 "Longest sleep (ms) without a wake-up IRQ before the ring is polled again (default 1000)");

static unsigned int irq_share_pct = 25;
module_param(irq_share_pct, uint, 0644);
MODULE_PARM_DESC(irq_share_pct,
		 "Share of each tick (percent) the wake-up IRQ may spend serving requests before it leaves them to the dispatcher thread; 0 = the thread serves all (default 25)");

/* Requests served between two cond_resched() calls. */
#define HVV_DISPATCH_BUDGET	64
/* Requests the wake-up IRQ serves at most before it hands over. */
#define HVV_IRQ_BATCH		16
/*
 * Wake-up IRQs per second that serve (spread over the ticks); past them
 * they wake the dispatcher.
 */
#define HVV_IRQ_RATE_MAX	4000
#define HVV_IRQ_TICK_MAX	DIV_ROUND_UP(HVV_IRQ_RATE_MAX, HZ)
/* Bit of hvv_bridge.consumer: the context that holds it consumes req_list. */
#define HVV_BRIDGE_CONSUMING	0
/* FINISH_REQ attempts to make room in a full res_list before giving up. */
#define HVV_RES_FULL_RETRIES	1000

/**
 * struct hvv_bridge - the bridge and the dispatcher serving it
 * @page: the shared page; fields per the ABI, see hvisor_abi.h
 * @prov: the provider that registered @page with the hypervisor
 * @handler: serves each request
 * @dispatcher: the thread that serves what the wake-up IRQ leaves
 * @consumer: bit HVV_BRIDGE_CONSUMING is held by the context consuming
 *	req_list (the dispatcher or the wake-up IRQ); it protects
 *	@req_front, @irq_tick, @irq_ns, @irq_count and the consumer's @stats
 * @req_front: consumer index
 * @irq_tick: the jiffy @irq_ns and @irq_count count for
 * @irq_ns: time the wake-up IRQ spent serving in @irq_tick
 * @irq_count: wake-up IRQs that claimed the ring in @irq_tick
 * @wq: the dispatcher sleeps here
 * @woken: set by the wake-up IRQ, cleared by the dispatcher
 * @long_sleep: set by the dispatcher while it sleeps idle_sleep_ms; the
 *	wake-up IRQ then wakes it even when it served everything
 * @res_lock: serialises res_list producers; protects @res_rear
 * @res_rear: producer index of res_list (the page holds the published copy)
 * @stats: counters; each written by one context (the consumer, the IRQ,
 *	the dispatcher, or under @res_lock), read racily; not
 *	@stats.finish_req
 * @finish_req: FINISH_REQ hypercalls, issued from any context
 * @unfinished: set after an interrupt was pushed, taken (xchg) by the
 *	FINISH_REQ of hvv_bridge_flush() that delivers it
 */
struct hvv_bridge {
	struct hvisor_bridge *page;
	const struct hvisor_provider *prov;
	hvv_req_handler_t handler;
	struct task_struct *dispatcher;
	unsigned long consumer;
	u32 req_front;
	unsigned long irq_tick;
	u64 irq_ns;
	unsigned int irq_count;
	wait_queue_head_t wq;
	bool woken;
	bool long_sleep;
	spinlock_t res_lock;	/* res_list producers; @res_rear */
	u32 res_rear;
	struct hvv_bridge_stats stats;
	atomic64_t finish_req;
	atomic_t unfinished;
};

/*
 * Set while a provider is attached; changed only by start/stop, which the
 * hypervisor layer serialises and which run with no device present. The
 * statistics' readers (sysfs) may run at any time: they read it under
 * rcu_read_lock(), and a bridge is freed a grace period after it was
 * cleared.
 */
static struct hvv_bridge *hvv_bridge;

static u64 hvv_size_mask(u64 size)
{
	switch (size) {
	case 1:
	case 2:
	case 4:
		return (1ULL << (size * 8)) - 1;
	case 8:
		return ~0ULL;
	default:
		return 0;
	}
}

/* Only the answerer of @cpu's one outstanding request writes its slot. */
static void hvv_bridge_complete(struct hvv_bridge *b, u64 cpu, u64 value)
{
	struct hvisor_bridge *page = b->page;

	WRITE_ONCE(page->cfg_values[cpu], value);
	/* The value must be visible before the flag the vCPU spins on. */
	smp_wmb();
	WRITE_ONCE(page->cfg_flags[cpu], READ_ONCE(page->cfg_flags[cpu]) + 1);
}

/**
 * hvv_bridge_answer - answer a synchronous request a handler deferred
 * @cpu: the request's src_cpu
 * @value: the value read (0 for a write), already zero-extended
 *
 * Any context. Devices call it before they go away, so the bridge is there.
 */
void hvv_bridge_answer(u32 cpu, u64 value)
{
	struct hvv_bridge *b = hvv_bridge;

	if (WARN_ON_ONCE(!b || cpu >= HVISOR_MAX_CPUS))
		return;
	hvv_bridge_complete(b, cpu, value);
}

static void hvv_bridge_serve(struct hvv_bridge *b,
			     const struct hvisor_device_req *slot)
{
	struct hvisor_device_req req;
	u64 mask, value;
	bool deferred;

	/* Copy once: the slot is hypervisor memory. */
	req.src_cpu = READ_ONCE(slot->src_cpu);
	req.address = READ_ONCE(slot->address);
	req.size = READ_ONCE(slot->size);
	req.value = READ_ONCE(slot->value);
	req.src_zone = READ_ONCE(slot->src_zone);
	req.is_write = READ_ONCE(slot->is_write);
	req.need_interrupt = READ_ONCE(slot->need_interrupt);
	req.padding = 0;

	b->req_front = hvisor_ring_next(b->req_front);
	/*
	 * Free the slot before serving: the producer may be waiting for it.
	 * Release: our reads of the slot happen before the producer reuses it.
	 */
	smp_store_release(&b->page->req_front, b->req_front);
	b->stats.requests++;

	if (!req.need_interrupt && req.src_cpu >= HVISOR_MAX_CPUS) {
		/* Nobody to answer: do not serve what would stay pending. */
		b->stats.bad_cpu++;
		pr_err_ratelimited("bridge: request from cpu %llu cannot be answered (max %u)\n",
				   req.src_cpu, HVISOR_MAX_CPUS);
		return;
	}
	mask = hvv_size_mask(req.size);
	req.value &= mask;
	value = 0;
	deferred = b->handler(&req, &value) == HVV_REQ_DEFERRED;
	if (req.need_interrupt)
		return;
	if (deferred) {
		b->stats.deferred++;
		return;
	}
	hvv_bridge_complete(b, req.src_cpu, req.is_write ? 0 : value & mask);
	b->stats.completions++;
}

static bool hvv_bridge_claim(struct hvv_bridge *b)
{
	return !test_and_set_bit_lock(HVV_BRIDGE_CONSUMING, &b->consumer);
}

static void hvv_bridge_release(struct hvv_bridge *b)
{
	clear_bit_unlock(HVV_BRIDGE_CONSUMING, &b->consumer);
}

/*
 * Serve up to @budget requests; returns how many were served. The caller
 * holds HVV_BRIDGE_CONSUMING.
 */
static unsigned int hvv_bridge_drain(struct hvv_bridge *b, unsigned int budget)
{
	struct hvisor_bridge *page = b->page;
	unsigned int n;

	for (n = 0; n < budget; n++) {
		/* Acquire: pairs with hvisor's fence(Release) before req_rear. */
		u32 rear = smp_load_acquire(&page->req_rear) &
			   (HVISOR_MAX_REQ - 1);

		if (rear == b->req_front)
			break;
		hvv_bridge_serve(b, &page->req_list[b->req_front]);
	}
	return n;
}

static bool hvv_bridge_ring_empty(struct hvv_bridge *b)
{
	/* Acquire: pairs with hvisor's fence(Release) before req_rear. */
	return (smp_load_acquire(&b->page->req_rear) &
		(HVISOR_MAX_REQ - 1)) == b->req_front;
}

/*
 * Busy-poll up to *window us for new requests. The window adapts between
 * poll_us / 8 and poll_us: it doubles when polling caught a request and
 * halves when it did not.
 */
static bool hvv_bridge_poll(struct hvv_bridge *b, unsigned int *window)
{
	unsigned int max = READ_ONCE(poll_us), min = max(max / 8, 1U);
	u64 end;

	*window = clamp(*window, min, max);
	end = ktime_get_ns() + (u64)*window * NSEC_PER_USEC;
	while (ktime_get_ns() < end && !need_resched()) {
		if (!hvv_bridge_ring_empty(b)) {
			*window = min(max, *window * 2);
			return true;
		}
		cpu_relax();
	}
	*window = max(min, *window / 2);
	return false;
}

/*
 * Sleep until woken, with the handshake; returns when there may be work.
 * The IRQ serves requests without waking us, except out of a long sleep:
 * while it serves, we sleep short, so that a lost wake-up costs
 * wakeup_recheck_ms at most.
 */
static void hvv_bridge_sleep(struct hvv_bridge *b)
{
	struct hvisor_bridge *page = b->page;
	unsigned int ms;
	bool idle = false;
	u64 irq_served;

	WRITE_ONCE(page->need_wakeup, 1);
	/* Order the need_wakeup store before the req_rear load (Dekker). */
	smp_mb();
	while (hvv_bridge_ring_empty(b) && !kthread_should_stop()) {
		b->stats.sleeps++;
		irq_served = READ_ONCE(b->stats.irq_requests);
		WRITE_ONCE(b->long_sleep, idle);
		ms = idle ? idle_sleep_ms : wakeup_recheck_ms;
		/* Nothing for a whole sleep, not even in the IRQ: sleep long. */
		idle = !wait_event_interruptible_timeout(b->wq,
							 READ_ONCE(b->woken) ||
							 kthread_should_stop(),
							 msecs_to_jiffies(ms) ?: 1) &&
		       READ_ONCE(b->stats.irq_requests) == irq_served;
		WRITE_ONCE(b->woken, false);
	}
	WRITE_ONCE(b->long_sleep, false);
	WRITE_ONCE(page->need_wakeup, 0);
}

static int hvv_bridge_dispatcher(void *data)
{
	struct hvv_bridge *b = data;
	unsigned int window = UINT_MAX, served;

	while (!kthread_should_stop()) {
		/* Held by the wake-up IRQ on another CPU for one batch. */
		if (!hvv_bridge_claim(b)) {
			cpu_relax();
			continue;
		}
		served = hvv_bridge_drain(b, HVV_DISPATCH_BUDGET);
		hvv_bridge_release(b);
		if (served) {
			cond_resched();
			continue;
		}
		if (READ_ONCE(poll_us) && hvv_bridge_poll(b, &window))
			continue;
		hvv_bridge_sleep(b);
	}
	return 0;
}

/*
 * Serve a batch from the wake-up IRQ: for the first HVV_IRQ_TICK_MAX
 * wake-ups of a tick (16 at HZ=250), and while the IRQ has spent less
 * than irq_share_pct of the tick serving; past that, the dispatcher
 * serves until the next tick. Return: true if nothing is left for the
 * dispatcher. The IRQ leaves everything to the dispatcher when polling is
 * on (the dispatcher then stays awake to poll), or when the dispatcher
 * consumes.
 */
static bool hvv_bridge_irq_serve(struct hvv_bridge *b)
{
	u64 share = div_u64((u64)TICK_NSEC * READ_ONCE(irq_share_pct), 100);
	unsigned long now = jiffies;
	u64 start;

	if (READ_ONCE(poll_us) || !share || !hvv_bridge_claim(b))
		return false;
	if (b->irq_tick != now) {
		b->irq_tick = now;
		b->irq_ns = 0;
		b->irq_count = 0;
	}
	if (b->irq_ns < share && ++b->irq_count <= HVV_IRQ_TICK_MAX) {
		start = ktime_get_ns();
		b->stats.irq_requests += hvv_bridge_drain(b, HVV_IRQ_BATCH);
		b->irq_ns += ktime_get_ns() - start;
	}
	hvv_bridge_release(b);
	/* Beyond the batch or the share, or pushed meanwhile: hand over. */
	if (hvv_bridge_ring_empty(b))
		return true;
	b->stats.irq_handoffs++;
	return false;
}

/*
 * The wake-up IRQ. Serving a request here saves the dispatcher's wake-up,
 * a context switch on the way to every answer; the limits bound what a
 * zone's traps can take from the root CPU in hard interrupt context.
 */
static irqreturn_t hvv_bridge_irq(int irq, void *data)
{
	struct hvv_bridge *b = data;

	b->stats.wakeups++;
	if (b->prov->loongarch_deassert)
		b->prov->hypercall(HVISOR_HC_CLEAR_INJECT_IRQ, 0,
				   HVISOR_LOONGARCH_WAKEUP_HWI);
	if (hvv_bridge_irq_serve(b) && !READ_ONCE(b->long_sleep))
		return IRQ_HANDLED;
	WRITE_ONCE(b->woken, true);
	wake_up(&b->wq);
	return IRQ_HANDLED;
}

/**
 * hvv_bridge_push_result - queue an interrupt for injection into a zone
 * @zone: target zone
 * @irq: interrupt
 *
 * The interrupt is delivered by the next hvv_bridge_flush() (or
 * hvv_bridge_finish()): the caller issues one at the end of its batch.
 * Any context.
 */
void hvv_bridge_push_result(u32 zone, u32 irq)
{
	struct hvv_bridge *b = hvv_bridge;
	struct hvisor_bridge *page = b->page;
	struct hvisor_device_res *res;
	unsigned int tries = 0;
	unsigned long flags;
	u32 next;

	for (;;) {
		spin_lock_irqsave(&b->res_lock, flags);
		next = hvisor_ring_next(b->res_rear);
		if (next != (READ_ONCE(page->res_front) & (HVISOR_MAX_REQ - 1)))
			break;
		spin_unlock_irqrestore(&b->res_lock, flags);
		if (++tries > HVV_RES_FULL_RETRIES) {
			pr_err_ratelimited("bridge: res_list stays full; interrupt %u for zone %u dropped\n",
					   irq, zone);
			return;
		}
		/*
		 * The hypervisor drains the whole list in the hypercall;
		 * issued without the lock, in the caller's IRQ state.
		 */
		hvv_bridge_finish();
		cpu_relax();
	}
	res = &page->res_list[b->res_rear];
	WRITE_ONCE(res->target_zone, zone);
	WRITE_ONCE(res->irq_id, irq);
	/* The entry must be visible before the index that publishes it. */
	smp_wmb();
	WRITE_ONCE(page->res_rear, next);
	b->res_rear = next;
	b->stats.results++;
	spin_unlock_irqrestore(&b->res_lock, flags);
	/* After the entry: a flush that takes this delivers it. */
	atomic_set_release(&b->unfinished, 1);
}

/**
 * hvv_bridge_finish - have the hypervisor inject every queued interrupt
 *
 * Any context.
 */
void hvv_bridge_finish(void)
{
	struct hvv_bridge *b = hvv_bridge;

	b->prov->hypercall(HVISOR_HC_FINISH_REQ, 0, 0);
	atomic64_inc(&b->finish_req);
}

/**
 * hvv_bridge_flush - deliver the interrupts pushed so far, if any
 *
 * One FINISH_REQ for every interrupt pushed since the last flush, by any
 * context; none if there is nothing to deliver. Any context.
 */
void hvv_bridge_flush(void)
{
	if (atomic_xchg(&hvv_bridge->unfinished, 0))
		hvv_bridge_finish();
}

/**
 * hvv_bridge_deassert - lower a level-like interrupt line (LoongArch)
 * @zone: zone
 * @irq: interrupt
 */
void hvv_bridge_deassert(u32 zone, u32 irq)
{
	struct hvv_bridge *b = hvv_bridge;

	if (b->prov->loongarch_deassert)
		b->prov->hypercall(HVISOR_HC_CLEAR_INJECT_IRQ, zone, irq);
}

/**
 * hvv_bridge_get_stats - snapshot the counters
 * @stats: filled in (zeroes if no provider is attached)
 */
void hvv_bridge_get_stats(struct hvv_bridge_stats *stats)
{
	struct hvv_bridge *b;

	memset(stats, 0, sizeof(*stats));
	rcu_read_lock();
	b = READ_ONCE(hvv_bridge);
	if (b) {
		*stats = b->stats;
		stats->finish_req = atomic64_read(&b->finish_req);
	}
	rcu_read_unlock();
}

/**
 * hvv_bridge_start - allocate the shared page, register it, start serving
 * @prov: the provider
 * @handler: serves each request
 * @free_page: on failure after registration, the page may be freed
 *
 * Return: 0 or a negative errno.
 */
int hvv_bridge_start(const struct hvisor_provider *prov,
		     hvv_req_handler_t handler, bool free_page)
{
	struct hvv_bridge *b;
	struct page *page;
	long hret;
	int ret;

	hvisor_abi_check_layout();
	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	b->prov = prov;
	b->handler = handler;
	init_waitqueue_head(&b->wq);
	spin_lock_init(&b->res_lock);

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		ret = -ENOMEM;
		goto err_free;
	}
	SetPageReserved(page);
	b->page = page_address(page);

	/* Before any zone traps: hvisor panics on a trap without a bridge. */
	hret = prov->hypercall(HVISOR_HC_INIT_VIRTIO, page_to_phys(page), 0);
	if (hret) {
		pr_err("bridge: %s refused the bridge page: %ld\n", prov->name,
		       hret);
		ret = hret < 0 ? (int)hret : -EIO;
		goto err_page;
	}
	WRITE_ONCE(hvv_bridge, b);

	b->dispatcher = hvv_thread_run(hvv_bridge_dispatcher, b,
				       hvv_threads_take_turns(1), "hv-dispatch");
	if (IS_ERR(b->dispatcher)) {
		ret = PTR_ERR(b->dispatcher);
		goto err_registered;
	}
	ret = request_irq(prov->wakeup_irq, hvv_bridge_irq,
			  IRQF_SHARED | prov->irq_flags, "hvisor_vhost", b);
	if (ret) {
		pr_err("bridge: cannot request wake-up IRQ %d: %d\n",
		       prov->wakeup_irq, ret);
		goto err_thread;
	}
	ret = hvv_threads_irq_affinity(prov->wakeup_irq);
	if (ret)
		pr_info("bridge: wake-up IRQ %d keeps its affinity (%d)\n",
			prov->wakeup_irq, ret);
	pr_info("bridge: serving requests from %s, wake-up IRQ %d\n",
		prov->name, prov->wakeup_irq);
	return 0;

err_thread:
	kthread_stop(b->dispatcher);
err_registered:
	WRITE_ONCE(hvv_bridge, NULL);
	synchronize_rcu();	/* hvv_bridge_get_stats() */
	/* The hypervisor knows the page now: only its provider may free it. */
	if (!free_page) {
		kfree(b);
		return ret;
	}
err_page:
	ClearPageReserved(page);
	__free_page(page);
err_free:
	kfree(b);
	return ret;
}

/**
 * hvv_bridge_stop - stop serving; no device may exist any more
 * @prov: the provider going away
 * @free_page: the provider will never touch the page again. A real
 *	hypervisor has no way to forget a bridge: its page stays allocated.
 */
void hvv_bridge_stop(const struct hvisor_provider *prov, bool free_page)
{
	struct hvv_bridge *b = hvv_bridge;

	free_irq(prov->wakeup_irq, b);
	kthread_stop(b->dispatcher);
	WRITE_ONCE(hvv_bridge, NULL);
	synchronize_rcu();	/* hvv_bridge_get_stats() */
	if (free_page) {
		struct page *page = virt_to_page(b->page);

		ClearPageReserved(page);
		__free_page(page);
	}
	kfree(b);
}
