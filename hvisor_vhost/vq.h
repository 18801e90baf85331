/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues, device side (vq.c). A queue knows its ring, the zone's
 * memory and nothing of the device around it: it asks whether it may serve
 * and reports a broken driver or a due interrupt through struct hvv_vq_ops.
 */
#ifndef _HVV_VQ_H
#define _HVV_VQ_H

#include <linux/atomic.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <uapi/linux/virtio_ring.h>

#include "worker.h"

struct hvv_dev;
struct hvv_vq;
struct hvv_zone;

/**
 * struct hvv_ring - a split ring as the worker uses it
 * @num: entries (power of two)
 * @desc: descriptor table (zone memory)
 * @avail: driver area
 * @used: device area
 * @event_idx: VIRTIO_RING_F_EVENT_IDX negotiated
 * @indirect: VIRTIO_RING_F_INDIRECT_DESC negotiated
 * @gen: generation; changes whenever the driver (re)configures the queue
 *	or resets the device
 */
struct hvv_ring {
	u32 num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	bool event_idx;
	bool indirect;
	u32 gen;
};

/* Segments a chain may have: one descriptor may span adjacent regions. */
#define HVV_VQ_MAX_SEGS(num_max)	(2 * (num_max))

/**
 * struct hvv_chain - a descriptor chain, validated and copied out of the ring
 * @head: head descriptor index, to return in the used ring
 * @nr_out: device-readable segments (first in @segs)
 * @nr_in: device-writable segments (after the readable ones)
 * @out_len: bytes readable
 * @in_len: bytes writable
 * @nr_descs: entries of the queue's descriptor table the chain holds (an
 *	indirect table counts as the one entry that points to it)
 * @segs: the segments, kernel addresses in zone memory: the queue's array
 *	(hvv_vq_pop(); valid until the next pop) or the caller's
 *	(hvv_vq_pop_into(), to hold several chains at once)
 *
 * Backends read and write a chain through iov_iters over its segments
 * (hvv_chain_iter_out(), hvv_chain_iter_in()), not by walking them.
 */
struct hvv_chain {
	u16 head;
	unsigned int nr_out;
	unsigned int nr_in;
	u32 out_len;
	u32 in_len;
	unsigned int nr_descs;
	struct kvec *segs;
};

/**
 * struct hvv_vq_stats - what the queues of a device count (shared by them)
 * @requests: chains popped and not given back
 * @bytes_out: bytes readable in those chains
 * @bytes_in: bytes reported written in used entries
 */
struct hvv_vq_stats {
	atomic64_t requests;
	atomic64_t bytes_out;
	atomic64_t bytes_in;
};

/**
 * struct hvv_vq_ops - how a queue reaches the device around it
 * @serving: may the queue use buffers (the driver set DRIVER_OK and the
 *	device is not broken)? Called with *hvv_vq.lock held
 * @broken: the driver broke a ring rule; the device must stop using the
 *	queue until a reset (NEEDS_RESET). Worker or dispatcher context
 * @signal: used entries were published that the driver asked to hear
 *	about: interrupt it. Worker context
 */
struct hvv_vq_ops {
	bool (*serving)(struct hvv_vq *vq);
	void (*broken)(struct hvv_vq *vq, const char *reason);
	void (*signal)(struct hvv_vq *vq);
};

/**
 * struct hvv_vq - one virtqueue
 * @ops: the device's callbacks (constant)
 * @dev: the owning device, for the backend (vq.c does not use it)
 * @lock: the device's register lock, which the "(lock)" fields below
 *	belong to (constant)
 * @zone: the zone whose memory the ring and buffers live in (set before
 *	the worker starts)
 * @name: the device's name, for messages (constant address)
 * @stats: the device's counters (constant)
 * @index: queue index
 * @num_max: QueueNumMax
 * @worker: the thread serving the queue (started and kicked by the device)
 * @num: QueueNum register (lock)
 * @desc_gpa: QueueDesc register (lock)
 * @avail_gpa: QueueDriver register (lock)
 * @used_gpa: QueueDevice register (lock)
 * @ready: QueueReady register (lock)
 * @ring: the ring as the driver last enabled it (lock); its @gen is
 *	changed with WRITE_ONCE() (hvv_vq_new_gen()) and also read lock-free
 *	(hvv_vq_current()): a stale read only publishes into the old ring
 *	what hvv_vq_flush() then refuses under the lock, and the device
 *	waits for the worker's run after a reset, which orders it for every
 *	later run
 * @used_lock: the used side of the queue (the "(used)" fields below): the
 *	worker takes it to push, flush and sync, other contexts to publish
 *	a completion themselves (hvv_vq_complete()). Taken before @lock
 * @wr: the worker's copy of @ring; written by the worker under
 *	@used_lock, read by the worker without it (used)
 * @last_avail_idx: next avail entry to pop (worker only)
 * @avail_seen: the driver's avail index as the last pop read it (worker
 *	only); hvv_vq_enable_notify() asks to hear of buffers beyond it
 * @used_idx: next used entry to fill (used)
 * @published_idx: used->idx last published (used)
 * @signalled_used: used index at the last interrupt (used)
 * @signalled_valid: @signalled_used is meaningful (used)
 * @in_use: heads popped and not yet pushed or given back, one bit per
 *	descriptor: set by the worker's pop, cleared by a push (used) or
 *	the worker's unpop, with atomic bit operations; zeroed with a new
 *	generation (used)
 * @segs: the queue's segment array for chains, HVV_VQ_MAX_SEGS(@num_max)
 *	entries (worker only)
 * @indirect_buf: private copy of an indirect table (worker only)
 * @priv: backend per-queue data
 */
struct hvv_vq {
	const struct hvv_vq_ops *ops;
	struct hvv_dev *dev;
	spinlock_t *lock;	/* the device's register lock */
	struct hvv_zone *zone;
	const char *name;
	struct hvv_vq_stats *stats;
	unsigned int index;
	u16 num_max;
	struct hvv_worker worker;

	u32 num;
	u64 desc_gpa;
	u64 avail_gpa;
	u64 used_gpa;
	bool ready;
	struct hvv_ring ring;

	spinlock_t used_lock;	/* the used side */
	struct hvv_ring wr;
	u16 last_avail_idx;
	u16 avail_seen;
	u16 used_idx;
	u16 published_idx;
	u16 signalled_used;
	bool signalled_valid;
	unsigned long *in_use;
	struct kvec *segs;
	struct vring_desc *indirect_buf;
	void *priv;
};

/*
 * The weight of one worker pass: a backend that served this many chains
 * or bytes returns "run again" and lets the other threads of the root's
 * CPUs in (fairness between queues and devices).
 */
#define HVV_VQ_PASS_CHAINS	64
#define HVV_VQ_PASS_BYTES	(512 * 1024)

/**
 * struct hvv_vq_pass - what a worker pass has served so far
 * @chains: chains served
 * @bytes: bytes moved for them, either way
 */
struct hvv_vq_pass {
	unsigned int chains;
	size_t bytes;
};

/**
 * hvv_vq_pass_spent - count a served chain against the pass's weight
 * @pass: the pass, zeroed at its start
 * @bytes: bytes the chain moved
 *
 * Return: true if the pass has served its weight and should end.
 */
static inline bool hvv_vq_pass_spent(struct hvv_vq_pass *pass, size_t bytes)
{
	pass->chains++;
	pass->bytes += bytes;
	return pass->chains >= HVV_VQ_PASS_CHAINS ||
	       pass->bytes >= HVV_VQ_PASS_BYTES;
}

/**
 * hvv_vq_new_gen - the ring the driver configured changes (or goes away)
 * @vq: the queue; its lock held
 *
 * The generation is read lock-free by the worker (hvv_vq_current()).
 */
static inline void hvv_vq_new_gen(struct hvv_vq *vq)
{
	WRITE_ONCE(vq->ring.gen, vq->ring.gen + 1);
}

/* Worker context unless noted. */
int hvv_vq_alloc(struct hvv_vq *vq);				/* process */
void hvv_vq_free(struct hvv_vq *vq);				/* process */
int hvv_vq_enable(struct hvv_vq *vq, u64 features);	/* lock held */
bool hvv_vq_sync(struct hvv_vq *vq);
int hvv_vq_pop(struct hvv_vq *vq, struct hvv_chain *chain);
int hvv_vq_pop_into(struct hvv_vq *vq, struct hvv_chain *chain,
		    struct kvec *segs, unsigned int max_segs);
void hvv_vq_unpop(struct hvv_vq *vq, const struct hvv_chain *chain);
void hvv_vq_push(struct hvv_vq *vq, u16 head, u32 len);
void hvv_vq_flush(struct hvv_vq *vq);
bool hvv_vq_complete(struct hvv_vq *vq, u32 gen, u16 head, u32 len); /* any */
bool hvv_vq_current(const struct hvv_vq *vq, u32 gen);
void hvv_vq_disable_notify(struct hvv_vq *vq);
bool hvv_vq_enable_notify(struct hvv_vq *vq);
bool hvv_vq_serve(struct hvv_vq *vq,
		  int (*serve)(struct hvv_vq *vq, const struct hvv_chain *chain));
void hvv_chain_iter_out(const struct hvv_chain *chain, struct iov_iter *iter);
void hvv_chain_iter_in(const struct hvv_chain *chain, struct iov_iter *iter);

#endif /* _HVV_VQ_H */
