// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueues: the device side of the ring, in zone memory.
 *
 * Guest memory is hostile. Every descriptor is copied out once and the copy
 * is validated: head and next indices below the table size, chains no longer
 * than the queue (direct) or the indirect table, no nested indirect tables,
 * indirect lengths a multiple of 16, readable segments before writable ones,
 * every buffer wholly inside zone RAM, no head made available again while
 * the device holds its chain. A violation marks the device broken
 * (NEEDS_RESET) instead of trusting the guest any further. The device in
 * turn returns only chains it holds, each once (a backend that does not
 * is a bug: a warning).
 *
 * The ring pointers a worker uses are its private copy (hvv_vq.wr) of what
 * the driver enabled; used entries are published under the lock only if
 * the ring is still the same generation, so a reset never sees a late
 * update.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/bitmap.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/virtio_ring.h>

#include "vq.h"
#include "zone.h"

/* A descriptor in host byte order, after it was copied out of the ring. */
struct hvv_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

/* Ring fields are little-endian (VERSION_1), read and written once. */
static u16 hvv_ring_get16(const __virtio16 *p)
{
	return le16_to_cpu((__force __le16)READ_ONCE(*p));
}

static void hvv_ring_put16(__virtio16 *p, u16 val)
{
	WRITE_ONCE(*p, (__force __virtio16)cpu_to_le16(val));
}

static void hvv_ring_put32(__virtio32 *p, u32 val)
{
	WRITE_ONCE(*p, (__force __virtio32)cpu_to_le32(val));
}

static void hvv_vq_read_desc(struct hvv_desc *dst, const struct vring_desc *src)
{
	dst->addr = le64_to_cpu((__force __le64)READ_ONCE(src->addr));
	dst->len = le32_to_cpu((__force __le32)READ_ONCE(src->len));
	dst->flags = hvv_ring_get16(&src->flags);
	dst->next = hvv_ring_get16(&src->next);
}

/**
 * hvv_vq_alloc - allocate a queue's worker-side buffers
 * @vq: the queue, with @num_max set
 *
 * Return: 0 or -ENOMEM.
 */
int hvv_vq_alloc(struct hvv_vq *vq)
{
	vq->segs = kcalloc(HVV_VQ_MAX_SEGS(vq->num_max), sizeof(*vq->segs),
			   GFP_KERNEL);
	vq->indirect_buf = kcalloc(vq->num_max, sizeof(*vq->indirect_buf),
				   GFP_KERNEL);
	vq->in_use = bitmap_zalloc(vq->num_max, GFP_KERNEL);
	spin_lock_init(&vq->used_lock);
	if (!vq->segs || !vq->indirect_buf || !vq->in_use) {
		hvv_vq_free(vq);
		return -ENOMEM;
	}
	return 0;
}

/**
 * hvv_vq_free - free what hvv_vq_alloc() allocated
 * @vq: the queue
 */
void hvv_vq_free(struct hvv_vq *vq)
{
	kfree(vq->segs);
	kfree(vq->indirect_buf);
	bitmap_free(vq->in_use);
	vq->segs = NULL;
	vq->indirect_buf = NULL;
	vq->in_use = NULL;
}

static void *hvv_vq_map(struct hvv_vq *vq, u64 gpa, u64 len, u64 align,
			const char *what)
{
	void *va;

	if (gpa & (align - 1)) {
		pr_warn_ratelimited("%s: queue %u: %s at %#llx misaligned\n",
				    vq->name, vq->index, what, gpa);
		return NULL;
	}
	va = hvv_zone_translate(vq->zone, gpa, len, NULL);
	if (!va)
		pr_warn_ratelimited("%s: queue %u: %s [%#llx, +%#llx) is not zone RAM\n",
				    vq->name, vq->index, what, gpa, len);
	return va;
}

/**
 * hvv_vq_enable - validate the ring the driver configured and map it
 * @vq: the queue; its lock held
 * @features: the features the driver negotiated
 *
 * Return: 0, or -EINVAL if the queue size or a ring address is invalid.
 */
int hvv_vq_enable(struct hvv_vq *vq, u64 features)
{
	struct hvv_ring *ring = &vq->ring;
	u32 num = vq->num;

	lockdep_assert_held(vq->lock);
	if (!num || num > vq->num_max || !is_power_of_2(num)) {
		pr_warn_ratelimited("%s: queue %u: size %u invalid (max %u, power of two)\n",
				    vq->name, vq->index, num, vq->num_max);
		return -EINVAL;
	}
	ring->desc = hvv_vq_map(vq, vq->desc_gpa, sizeof(struct vring_desc) * (u64)num, 16,
				"descriptor table");
	ring->avail = hvv_vq_map(vq, vq->avail_gpa, 6 + 2 * (u64)num, 2,
				 "driver area");
	ring->used = hvv_vq_map(vq, vq->used_gpa,
				6 + sizeof(struct vring_used_elem) * (u64)num,
			       4, "device area");
	if (!ring->desc || !ring->avail || !ring->used)
		return -EINVAL;
	ring->num = num;
	ring->event_idx = features & BIT_ULL(VIRTIO_RING_F_EVENT_IDX);
	ring->indirect = features & BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC);
	return 0;
}

/**
 * hvv_vq_sync - take the worker's copy of the ring; start of every run
 * @vq: the queue
 *
 * A queue is served only once the driver set DRIVER_OK (virtio 1.2
 * 2.1.2: no buffer is used before); buffers posted earlier are served
 * when it does. A broken device is not served until its reset.
 *
 * Return: true if the queue is enabled and the device usable; if not,
 * the worker's copy is disabled and hvv_vq_push() publishes nothing.
 */
bool hvv_vq_sync(struct hvv_vq *vq)
{
	unsigned long flags;
	bool usable;

	spin_lock_irqsave(&vq->used_lock, flags);
	spin_lock(vq->lock);
	usable = vq->ready && vq->ops->serving(vq);
	if (usable && (vq->wr.gen != vq->ring.gen || !vq->wr.num)) {
		vq->wr = vq->ring;
		vq->last_avail_idx = 0;
		vq->avail_seen = 0;
		vq->used_idx = 0;
		vq->published_idx = 0;
		vq->signalled_valid = false;
		bitmap_zero(vq->in_use, vq->num_max);
	} else if (!usable) {
		vq->wr.num = 0;
	}
	spin_unlock(vq->lock);
	spin_unlock_irqrestore(&vq->used_lock, flags);
	return usable;
}

static int hvv_vq_fail(struct hvv_vq *vq, const char *reason)
{
	vq->ops->broken(vq, reason);
	return -EIO;
}

/*
 * Add the buffer of @desc to @chain (room for @max_segs), split at region
 * boundaries.
 */
static int hvv_vq_add_buffer(struct hvv_vq *vq, struct hvv_chain *chain,
			     unsigned int max_segs, const struct hvv_desc *desc)
{
	bool writable = desc->flags & VRING_DESC_F_WRITE;
	u64 gpa = desc->addr, left = desc->len, avail;
	u64 end;

	if (!writable && chain->nr_in)
		return hvv_vq_fail(vq, "readable descriptor after a writable one");
	if (check_add_overflow(gpa, left, &end))
		return hvv_vq_fail(vq, "buffer wraps around");
	if (writable) {
		if (check_add_overflow(chain->in_len, desc->len,
				       &chain->in_len))
			return hvv_vq_fail(vq, "chain longer than 4 GiB");
	} else if (check_add_overflow(chain->out_len, desc->len,
				      &chain->out_len)) {
		return hvv_vq_fail(vq, "chain longer than 4 GiB");
	}
	do {
		unsigned int n = chain->nr_out + chain->nr_in;
		void *va = hvv_zone_translate(vq->zone, gpa, left, &avail);

		if (!va)
			return hvv_vq_fail(vq, "buffer outside zone RAM");
		if (n >= HVV_VQ_MAX_SEGS(vq->num_max))
			return hvv_vq_fail(vq, "too many buffer segments");
		if (n >= max_segs)
			return -ENOSPC;	/* the caller's array: not the guest's fault */
		chain->segs[n].iov_base = va;
		chain->segs[n].iov_len = avail;
		if (writable)
			chain->nr_in++;
		else
			chain->nr_out++;
		gpa += avail;
		left -= avail;
	} while (left);
	return 0;
}

/* Copy an indirect table out of zone memory; returns its entry count. */
static int hvv_vq_copy_indirect(struct hvv_vq *vq, const struct hvv_desc *d)
{
	const void *table;
	u32 entries;

	if (!vq->wr.indirect)
		return hvv_vq_fail(vq, "indirect descriptor not negotiated");
	if (d->flags & VRING_DESC_F_NEXT)
		return hvv_vq_fail(vq, "indirect descriptor with NEXT");
	if (!d->len || d->len % sizeof(struct vring_desc))
		return hvv_vq_fail(vq, "indirect table length not a multiple of 16");
	entries = d->len / sizeof(struct vring_desc);
	if (entries > vq->num_max)
		return hvv_vq_fail(vq, "indirect table larger than the queue");
	table = hvv_zone_translate(vq->zone, d->addr, d->len, NULL);
	if (!table)
		return hvv_vq_fail(vq, "indirect table outside zone RAM");
	memcpy(vq->indirect_buf, table, d->len);
	return entries;
}

/**
 * hvv_vq_pop_into - take the next available chain into the caller's array
 * @vq: the queue (after hvv_vq_sync() returned true)
 * @chain: filled in
 * @segs: where its segments go, so that several chains may be held at once
 * @max_segs: entries of @segs
 *
 * Return: 1 with a chain, 0 if none is available, -ENOSPC if the next
 * chain has more than @max_segs segments (nothing was taken: pop again
 * with more room; HVV_VQ_MAX_SEGS(num_max) is always enough), -EIO if the
 * driver broke a rule (the device is then marked broken).
 */
int hvv_vq_pop_into(struct hvv_vq *vq, struct hvv_chain *chain,
		    struct kvec *segs, unsigned int max_segs)
{
	const struct hvv_ring *r = &vq->wr;
	const struct vring_desc *table = r->desc;
	u32 table_size = r->num, count = 0;
	bool indirect = false;
	u16 avail_idx, head, i;
	struct hvv_desc d;
	int ret;

	avail_idx = hvv_ring_get16(&r->avail->idx);
	vq->avail_seen = avail_idx;
	if (avail_idx == vq->last_avail_idx)
		return 0;
	if ((u16)(avail_idx - vq->last_avail_idx) > r->num)
		return hvv_vq_fail(vq, "available index moved past the queue size");
	/* Read the ring entry only after the index that published it. */
	smp_rmb();
	head = hvv_ring_get16(&r->avail->ring[vq->last_avail_idx &
					     (r->num - 1)]);
	if (head >= r->num)
		return hvv_vq_fail(vq, "head index out of range");

	memset(chain, 0, sizeof(*chain));
	chain->head = head;
	chain->segs = segs;
	i = head;
	for (;;) {
		if (++count > table_size)
			return hvv_vq_fail(vq, "descriptor chain too long or looping");
		/* An indirect table is read from our private copy. */
		hvv_vq_read_desc(&d, &table[i]);
		if (!indirect)
			chain->nr_descs++;
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (indirect)
				return hvv_vq_fail(vq, "nested indirect table");
			ret = hvv_vq_copy_indirect(vq, &d);
			if (ret < 0)
				return ret;
			table = vq->indirect_buf;
			table_size = ret;
			indirect = true;
			count = 0;
			i = 0;
			continue;
		}
		ret = hvv_vq_add_buffer(vq, chain, max_segs, &d);
		if (ret)
			return ret;
		if (!(d.flags & VRING_DESC_F_NEXT))
			break;
		i = d.next;
		if (i >= table_size)
			return hvv_vq_fail(vq, "next index out of range");
	}
	if (test_and_set_bit(head, vq->in_use))
		return hvv_vq_fail(vq, "head made available while in use");
	vq->last_avail_idx++;
	atomic64_inc(&vq->stats->requests);
	atomic64_add(chain->out_len, &vq->stats->bytes_out);
	return 1;
}

/**
 * hvv_vq_pop - take the next available chain
 * @vq: the queue (after hvv_vq_sync() returned true)
 * @chain: filled in; its segments are in the queue's array, valid until
 *	the next pop
 *
 * Return: 1 with a chain, 0 if none is available, -EIO if the driver broke
 * a rule (the device is then marked broken).
 */
int hvv_vq_pop(struct hvv_vq *vq, struct hvv_chain *chain)
{
	return hvv_vq_pop_into(vq, chain, vq->segs,
			      HVV_VQ_MAX_SEGS(vq->num_max));
}

/**
 * hvv_vq_unpop - give a popped chain back (it will be popped again)
 * @vq: the queue
 * @chain: the last chain popped and not given back: several are given
 *	back in the reverse order of their pops
 */
void hvv_vq_unpop(struct hvv_vq *vq, const struct hvv_chain *chain)
{
	clear_bit(chain->head, vq->in_use);
	vq->last_avail_idx--;
	atomic64_dec(&vq->stats->requests);
}

/* hvv_vq_push() with hvv_vq.used_lock held. */
static void __hvv_vq_push(struct hvv_vq *vq, u16 head, u32 len)
{
	struct vring_used_elem *elem;

	lockdep_assert_held(&vq->used_lock);
	/*
	 * The one gate of used entries: none after hvv_vq_sync() found the
	 * queue disabled or the device broken (completions of I/O that was
	 * in flight then are dropped; the driver must reset the device).
	 */
	if (!vq->wr.num)
		return;
	if (WARN_ONCE(head >= vq->wr.num || !test_and_clear_bit(head, vq->in_use),
		      "queue %u: head %u returned but not held\n", vq->index, head))
		return;
	elem = &vq->wr.used->ring[vq->used_idx & (vq->wr.num - 1)];
	hvv_ring_put32(&elem->id, head);
	hvv_ring_put32(&elem->len, len);
	vq->used_idx++;
	atomic64_add(len, &vq->stats->bytes_in);
}

/**
 * hvv_vq_push - return a chain to the driver (published by hvv_vq_flush())
 * @vq: the queue, after hvv_vq_sync()
 * @head: the chain's head index
 * @len: bytes written into the chain's writable buffers
 */
void hvv_vq_push(struct hvv_vq *vq, u16 head, u32 len)
{
	unsigned long flags;

	spin_lock_irqsave(&vq->used_lock, flags);
	__hvv_vq_push(vq, head, len);
	spin_unlock_irqrestore(&vq->used_lock, flags);
}

static bool hvv_vq_need_signal(struct hvv_vq *vq)
{
	const struct hvv_ring *r = &vq->wr;
	u16 old, event;

	if (!r->event_idx)
		return !(hvv_ring_get16(&r->avail->flags) &
			 VRING_AVAIL_F_NO_INTERRUPT);
	old = vq->signalled_used;
	vq->signalled_used = vq->published_idx;
	if (!vq->signalled_valid) {
		vq->signalled_valid = true;
		return true;
	}
	event = hvv_ring_get16(&r->avail->ring[r->num]);
	return vring_need_event(event, vq->published_idx, old);
}

/**
 * hvv_vq_current - is a generation still the ring the driver enabled?
 * @vq: the queue
 * @gen: a generation the worker saw (hvv_vq.wr.gen when it popped a chain)
 *
 * The worker, or a context the device's reset waits for (a backend's I/O
 * completion: &hvv_dev_ops.quiesce). A reset changes the generation before
 * it waits for the worker's run and for such contexts to end, so one that
 * finds it current may still use the ring it has.
 */
bool hvv_vq_current(const struct hvv_vq *vq, u32 gen)
{
	return READ_ONCE(vq->ring.gen) == gen;
}

/*
 * Publish the pushed entries if the ring is still the one the driver
 * enabled; hvv_vq.used_lock held. Return: true if the driver asked to be
 * interrupted for them.
 */
static bool hvv_vq_publish(struct hvv_vq *vq)
{
	bool current_ring;

	lockdep_assert_held(&vq->used_lock);
	if (vq->used_idx == vq->published_idx)
		return false;
	spin_lock(vq->lock);
	current_ring = vq->ready && vq->ring.gen == vq->wr.gen &&
		       vq->ops->serving(vq);
	if (current_ring) {
		/* Entries before the index that publishes them. */
		smp_wmb();
		hvv_ring_put16(&vq->wr.used->idx, vq->used_idx);
		vq->published_idx = vq->used_idx;
	}
	spin_unlock(vq->lock);
	if (!current_ring)
		return false;
	/* The index store before reading the driver's suppression state. */
	smp_mb();
	return hvv_vq_need_signal(vq);
}

/**
 * hvv_vq_flush - publish the pushed entries and interrupt the driver if it
 * asked for it
 * @vq: the queue
 */
void hvv_vq_flush(struct hvv_vq *vq)
{
	unsigned long flags;
	bool signal;

	spin_lock_irqsave(&vq->used_lock, flags);
	signal = hvv_vq_publish(vq);
	spin_unlock_irqrestore(&vq->used_lock, flags);
	if (signal)
		vq->ops->signal(vq);
}

/**
 * hvv_vq_complete - return a chain and publish it at once, outside the
 *	worker
 * @vq: the queue
 * @gen: the worker's ring generation when it popped the chain
 *	(hvv_vq.wr.gen then)
 * @head: the chain's head index
 * @len: bytes written into the chain's writable buffers, which the
 *	caller wrote before
 *
 * For a backend whose chain completes in another context (an I/O
 * completion, interrupts included) while its worker sleeps: it saves the
 * worker a wake-up. Everything the worker pushed so far is published with
 * it. Any context.
 *
 * Return: false, with nothing done, if the driver reconfigured or reset
 * the queue since @gen (or broke the device): the chain is not the
 * driver's to get back any more.
 */
bool hvv_vq_complete(struct hvv_vq *vq, u32 gen, u16 head, u32 len)
{
	unsigned long flags;
	bool current_gen, signal = false;

	spin_lock_irqsave(&vq->used_lock, flags);
	current_gen = vq->wr.num && vq->wr.gen == gen &&
		      hvv_vq_current(vq, gen);
	if (current_gen) {
		__hvv_vq_push(vq, head, len);
		signal = hvv_vq_publish(vq);
	}
	spin_unlock_irqrestore(&vq->used_lock, flags);
	if (signal)
		vq->ops->signal(vq);
	return current_gen;
}

/**
 * hvv_vq_disable_notify - ask the driver not to notify (while we poll)
 * @vq: the queue
 */
void hvv_vq_disable_notify(struct hvv_vq *vq)
{
	struct vring_used *used = vq->wr.used;

	if (vq->wr.event_idx)
		return;	/* avail_event is only moved forward when enabling */
	hvv_ring_put16(&used->flags,
		       hvv_ring_get16(&used->flags) | VRING_USED_F_NO_NOTIFY);
}

/**
 * hvv_vq_enable_notify - ask the driver to notify again
 * @vq: the queue
 *
 * The driver is asked to notify for buffers beyond those the last pop
 * saw, so that a caller who gave chains back (hvv_vq_unpop()) because
 * they were not enough waits for more instead of finding them again.
 *
 * Return: true if buffers were added meanwhile (poll again).
 */
bool hvv_vq_enable_notify(struct hvv_vq *vq)
{
	const struct hvv_ring *r = &vq->wr;
	struct vring_used *used = r->used;
	u16 avail_idx;

	if (r->event_idx)
		hvv_ring_put16((__virtio16 *)&used->ring[r->num],
			       vq->avail_seen);
	else
		hvv_ring_put16(&used->flags, hvv_ring_get16(&used->flags) &
			      ~VRING_USED_F_NO_NOTIFY);
	/* Publish the request before checking for a missed buffer. */
	smp_mb();
	avail_idx = hvv_ring_get16(&r->avail->idx);
	return avail_idx != vq->avail_seen;
}

/**
 * hvv_vq_serve - a worker pass that serves a queue's chains one at a time
 * @vq: the queue
 * @serve: serves one chain; returns the bytes it wrote into the chain (its
 *	used length), or -EAGAIN to give the chain back untouched and end
 *	the pass (the backend then sees to a kick when it can go on)
 *
 * Pops chains until the ring is empty with notifications enabled again,
 * the pass has served its weight, or @serve asks to wait, and publishes
 * the used entries once at the end. For backends whose chains are
 * independent of each other and served at once (transmit-like queues).
 *
 * Return: true if the weight ran out (run the pass again).
 */
bool hvv_vq_serve(struct hvv_vq *vq,
		  int (*serve)(struct hvv_vq *vq, const struct hvv_chain *chain))
{
	struct hvv_vq_pass pass = {};
	struct hvv_chain chain;
	bool more = false;
	int ret, len;

	do {
		hvv_vq_disable_notify(vq);
		while ((ret = hvv_vq_pop(vq, &chain)) > 0) {
			len = serve(vq, &chain);
			if (len < 0) {
				hvv_vq_unpop(vq, &chain);
				goto out;
			}
			hvv_vq_push(vq, chain.head, len);
			if (hvv_vq_pass_spent(&pass, chain.out_len + len)) {
				more = true;
				goto out;
			}
		}
	} while (!ret && hvv_vq_enable_notify(vq));
out:
	hvv_vq_flush(vq);
	return more;
}

/**
 * hvv_chain_iter_out - an iterator over the bytes a chain gives the device
 * @chain: the chain
 * @iter: set to its readable segments, @chain->out_len bytes (ITER_KVEC,
 *	ITER_SOURCE): for copy_from_iter(), a socket's sendmsg() or a
 *	file's write_iter()
 *
 * The iterator refers to @chain->segs and is valid as long as they are.
 */
void hvv_chain_iter_out(const struct hvv_chain *chain, struct iov_iter *iter)
{
	iov_iter_kvec(iter, ITER_SOURCE, chain->segs, chain->nr_out,
		      chain->out_len);
}

/**
 * hvv_chain_iter_in - an iterator over the buffers a chain gives the device
 *	to write
 * @chain: the chain
 * @iter: set to its writable segments, @chain->in_len bytes (ITER_KVEC,
 *	ITER_DEST): for copy_to_iter(), a socket's recvmsg() or a file's
 *	read_iter()
 *
 * The iterator refers to @chain->segs and is valid as long as they are.
 */
void hvv_chain_iter_in(const struct hvv_chain *chain, struct iov_iter *iter)
{
	iov_iter_kvec(iter, ITER_DEST, chain->segs + chain->nr_out,
		      chain->nr_in, chain->in_len);
}
