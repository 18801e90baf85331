// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backend: the request protocol (virtio 1.2, 5.2). Requests are
 * parsed and checked here, served by the I/O engine (blk_io.h), and their
 * used entries published by the queue's worker. The device itself (its
 * creation, config space, features and removal) is blk_dev.c's.
 *
 * A request is a 16-byte readable header (type, ioprio, sector), the data,
 * and a writable status byte: the last writable byte of the chain. Any
 * framing is accepted (VERSION_1). Every request is checked against the
 * capacity before anything is done; a malformed one gets IOERR (UNSUPP for
 * an unknown type or flag), and a chain without a writable byte is returned
 * with length 0, untouched.
 *
 * The worker never waits for I/O: it submits and moves on. A completion
 * (from any context) that comes while the worker sleeps is published where
 * it is: status byte, used entry and, if due, the interrupt
 * (hvv_vq_complete()), which saves a wake-up of the worker per request.
 * One that comes while the worker runs (in the worker's own submission,
 * too) is queued on the queue's lock-free list for the worker, which
 * publishes its batch at once with one interrupt. Each completion carries
 * the ring generation it was submitted under; after a reset of the queue
 * it is dropped. A reset waits for every request in the I/O engine to come
 * back (quiesce), so none writes into zone memory after the reset is
 * answered.
 *
 * Every request handed to the engine holds a reference on the device's
 * in-flight count until its completion is queued for the worker; removal
 * kills the count and waits for it to drain. It is also counted as busy
 * until then: a reset waits for that count to reach zero, so that no read
 * writes into zone memory after the driver was told the reset is done.
 * Requests come from a per-queue pool as large as the ring, which bounds
 * what a guest can have in flight.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/blkdev.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "blk.h"
#include "trace.h"

/* A reset still waiting for the backing after this long says so. */
#define HVV_BLK_QUIESCE_WARN	(30 * HZ)
/* The request went to the I/O engine; its status comes later. */
#define HVV_BLK_SUBMITTED	(-1)

static void hvv_blk_req_put(struct hvv_blk_queue *q, struct hvv_blk_req *req)
{
	hvv_blk_io_unmap(&req->io);
	q->free[q->nr_free++] = req;
}

/* The guest's data and status in place: the chain can be returned. */
static void hvv_blk_write_status(struct hvv_blk_queue *q,
				 struct hvv_blk_req *req)
{
	if (req->result == VIRTIO_BLK_S_OK)
		hvv_blk_io_finish(&req->io);
	else
		atomic64_inc(&q->blk->dev.stats.errors);
	WRITE_ONCE(*req->status, req->result);
}

/* Write the status, return the chain, recycle the request. */
static void hvv_blk_publish(struct hvv_blk_queue *q, struct hvv_blk_req *req)
{
	hvv_blk_write_status(q, req);
	hvv_vq_push(q->vq, req->head, req->used_len);
	hvv_blk_req_put(q, req);
}

/* Publish what the I/O engine completed. Worker only. */
static void hvv_blk_reap(struct hvv_blk_queue *q)
{
	struct llist_node *list = llist_del_all(&q->done);
	struct hvv_blk_req *req, *tmp;

	list = llist_reverse_order(list);
	llist_for_each_entry_safe(req, tmp, list, node) {
		if (!req->published && hvv_vq_current(q->vq, req->gen))
			hvv_blk_publish(q, req);
		else	/* published, or the driver reset the queue since */
			hvv_blk_req_put(q, req);
	}
}

/*
 * A completion that comes while the worker sleeps is published in its own
 * context (hvv_vq_complete()), which saves the worker a wake-up. While the
 * worker runs (in its own submission, too), it is handed to the worker,
 * which publishes it with the rest of its batch; so is a read through
 * bounce pages, whose copy to the guest is not for an interrupt handler.
 *
 * Return: true if the request was published here (or its ring is gone);
 * it is then on @q->done only to be recycled.
 */
static bool hvv_blk_publish_here(struct hvv_blk_queue *q,
				 struct hvv_blk_req *req)
{
	if (hvv_worker_busy(&q->vq->worker) ||
	    (req->result == VIRTIO_BLK_S_OK && hvv_blk_io_needs_finish(&req->io)))
		return false;
	/* As the worker's reap: nothing into a ring the driver reset. */
	if (hvv_vq_current(q->vq, req->gen)) {
		hvv_blk_write_status(q, req);
		hvv_vq_complete(q->vq, req->gen, req->head, req->used_len);
	}
	req->published = true;
	llist_add(&req->node, &q->done);
	/* llist_add() is a full barrier: pairs with hvv_blk_req_get(). */
	if (atomic_read(&q->starved) && atomic_xchg(&q->starved, 0))
		hvv_worker_kick(&q->vq->worker);
	return true;
}

/* A request came back from the I/O engine: no longer busy. */
static void hvv_blk_idle_put(struct hvv_blk *blk)
{
	if (atomic_dec_and_test(&blk->busy))
		wake_up_all(&blk->idle);
}

/*
 * The I/O engine finished a request (its end_io; any context): queue it
 * for the worker and drop its in-flight reference.
 */
static void hvv_blk_end_io(struct hvv_blk_io *io, blk_status_t status)
{
	struct hvv_blk_req *req = container_of(io, struct hvv_blk_req, io);
	struct hvv_blk_queue *q = req->q;
	struct hvv_blk *blk = q->blk;

	if (status != BLK_STS_OK) {
		/* The guest only sees IOERR: say what the backing said. */
		hvv_blk_io_report(blk->dev.sysdev, io);
		req->result = VIRTIO_BLK_S_IOERR;
	} else {
		req->result = VIRTIO_BLK_S_OK;
	}
	trace_hvv_blk_complete(blk->dev.name, q->vq->index, io->op,
			       io->pos >> SECTOR_SHIFT, io->len, req->result);
	if (!hvv_blk_publish_here(q, req)) {
		llist_add(&req->node, &q->done);
		/*
		 * Completed by the engine inside the worker's own submission
		 * (a blk-mq device that completes in the submitter's
		 * context): the reap that ends the worker's run publishes it.
		 */
		if (!hvv_worker_is_current(&q->vq->worker))
			hvv_worker_kick(&q->vq->worker);
	}
	/* The request is the worker's again: do not touch it. */
	hvv_blk_idle_put(blk);
	percpu_ref_put(&blk->inflight);
}

static struct hvv_blk_req *hvv_blk_req_get(struct hvv_blk_queue *q)
{
	if (!q->nr_free)
		hvv_blk_reap(q);
	if (!q->nr_free) {
		/*
		 * Every request in flight: the next completion kicks us,
		 * also one published in its own context. Say so, then look
		 * again, for one that came before it could see it.
		 */
		atomic_set(&q->starved, 1);
		/* @starved before @done: pairs with llist_add()'s barrier */
		smp_mb();
		hvv_blk_reap(q);
		if (q->nr_free)
			atomic_set(&q->starved, 0);
	}
	return q->nr_free ? q->free[--q->nr_free] : NULL;
}

/*
 * The status byte: the chain's last writable byte, or NULL. Its address,
 * not an iterator: it is written when the request completes, after the
 * chain's segments were reused by the next pop.
 */
static u8 *hvv_blk_status_byte(const struct hvv_chain *chain)
{
	unsigned int i;

	for (i = chain->nr_out + chain->nr_in; i > chain->nr_out; i--)
		if (chain->segs[i - 1].iov_len)
			return chain->segs[i - 1].iov_base +
			       chain->segs[i - 1].iov_len - 1;
	return NULL;
}

/* Sectors the guest may address: never past the backing's end. */
static bool hvv_blk_in_range(struct hvv_blk *blk, u64 sector, u64 nr)
{
	u64 cap = min_t(u64, READ_ONCE(blk->capacity),
			hvv_blk_io_size(&blk->backing) >> SECTOR_SHIFT);

	return sector <= cap && nr <= cap - sector;
}

static int hvv_blk_submit(struct hvv_blk *blk, struct hvv_blk_req *req)
{
	/* Removal started: no new I/O. */
	if (!percpu_ref_tryget_live(&blk->inflight))
		return VIRTIO_BLK_S_IOERR;
	atomic_inc(&blk->busy);
	trace_hvv_blk_submit(blk->dev.name, req->q->vq->index, req->io.op,
			     req->io.pos >> SECTOR_SHIFT, req->io.len, 0);
	hvv_blk_io_submit(&req->io);
	return HVV_BLK_SUBMITTED;
}

/*
 * A read or write. A write's data is the rest of @out (after the header),
 * a read's the writable bytes before the status.
 */
static int hvv_blk_start_rw(struct hvv_blk *blk, struct hvv_blk_req *req,
			    const struct hvv_chain *chain,
			    struct iov_iter *out, u64 sector, bool write)
{
	struct iov_iter in, *data = out;
	size_t len;
	int ret;

	if (write) {
		if (chain->in_len != 1)
			return VIRTIO_BLK_S_IOERR;
	} else {
		if (iov_iter_count(out))
			return VIRTIO_BLK_S_IOERR;
		hvv_chain_iter_in(chain, &in);
		iov_iter_truncate(&in, chain->in_len - 1);
		data = &in;
	}
	len = iov_iter_count(data);
	if (write && blk->ro)
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR_SIZE ||
	    !hvv_blk_in_range(blk, sector, len >> SECTOR_SHIFT))
		return VIRTIO_BLK_S_IOERR;
	if (!write)
		req->used_len = chain->in_len;
	if (!len)
		return VIRTIO_BLK_S_OK;
	req->io.op = write ? HVV_BLK_OP_WRITE : HVV_BLK_OP_READ;
	req->io.pos = sector << SECTOR_SHIFT;
	req->io.len = len;
	ret = hvv_blk_io_map(&req->io, data);
	if (ret)
		return VIRTIO_BLK_S_IOERR;
	if (write && READ_ONCE(blk->writethrough))
		req->io.flags |= HVV_BLK_IO_FUA;
	return hvv_blk_submit(blk, req);
}

static int hvv_blk_start_flush(struct hvv_blk *blk, struct hvv_blk_req *req,
			       const struct hvv_chain *chain)
{
	if (chain->out_len != sizeof(struct virtio_blk_outhdr) ||
	    chain->in_len != 1)
		return VIRTIO_BLK_S_IOERR;
	if (blk->ro)
		return VIRTIO_BLK_S_OK;
	req->io.op = HVV_BLK_OP_FLUSH;
	return hvv_blk_submit(blk, req);
}

static int hvv_blk_get_id(struct hvv_blk *blk, struct hvv_blk_req *req,
			  const struct hvv_chain *chain)
{
	struct iov_iter in;
	size_t n;

	if (chain->out_len != sizeof(struct virtio_blk_outhdr))
		return VIRTIO_BLK_S_IOERR;
	n = min_t(size_t, chain->in_len - 1, VIRTIO_BLK_ID_BYTES);
	hvv_chain_iter_in(chain, &in);
	req->used_len = copy_to_iter(blk->serial, n, &in) + 1;
	return VIRTIO_BLK_S_OK;
}

/*
 * DISCARD and WRITE_ZEROES: copy the segment list (@out, after the
 * header) once, check it all.
 */
static int hvv_blk_start_dwz(struct hvv_blk *blk, struct hvv_blk_req *req,
			     const struct hvv_chain *chain,
			     struct iov_iter *out, bool discard)
{
	struct virtio_blk_discard_write_zeroes *r;
	size_t bytes = iov_iter_count(out);
	unsigned int i, n = bytes / sizeof(*r);

	if (blk->ro)
		return VIRTIO_BLK_S_IOERR;
	if (discard && !blk->backing.discard)
		return VIRTIO_BLK_S_UNSUPP;
	if (chain->in_len != 1 || !n || bytes % sizeof(*r) ||
	    n > HVV_BLK_DWZ_SEG)
		return VIRTIO_BLK_S_IOERR;
	r = kmalloc_array(n, sizeof(*r), GFP_KERNEL);
	if (!r)
		return VIRTIO_BLK_S_IOERR;
	req->io.ranges = r;	/* freed with the request */
	if (copy_from_iter(r, bytes, out) != bytes)
		return VIRTIO_BLK_S_IOERR;
	for (i = 0; i < n; i++) {
		u32 flags = le32_to_cpu(r[i].flags);

		/* Unknown flags, or unmap on a discard. */
		if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP ||
		    (discard && flags))
			return VIRTIO_BLK_S_UNSUPP;
	}
	for (i = 0; i < n; i++) {
		u32 nr = le32_to_cpu(r[i].num_sectors);

		if (nr > HVV_BLK_DWZ_SECTORS ||
		    !hvv_blk_in_range(blk, le64_to_cpu(r[i].sector), nr))
			return VIRTIO_BLK_S_IOERR;
	}
	req->io.op = discard ? HVV_BLK_OP_DISCARD : HVV_BLK_OP_WRITE_ZEROES;
	req->io.len = n;
	return hvv_blk_submit(blk, req);
}

/* Returns a VIRTIO_BLK_S_* status, or HVV_BLK_SUBMITTED. */
static int hvv_blk_start(struct hvv_blk *blk, struct hvv_blk_req *req,
			 const struct hvv_chain *chain)
{
	struct virtio_blk_outhdr hdr;
	struct iov_iter out;
	u64 sector;
	u32 type;

	/* Removed (detached): the backing may be gone already. */
	if (percpu_ref_is_dying(&blk->inflight))
		return VIRTIO_BLK_S_IOERR;
	/* The header; @out goes on with what follows it. */
	hvv_chain_iter_out(chain, &out);
	if (copy_from_iter(&hdr, sizeof(hdr), &out) != sizeof(hdr))
		return VIRTIO_BLK_S_IOERR;
	type = le32_to_cpu((__force __le32)hdr.type);
	sector = le64_to_cpu((__force __le64)hdr.sector);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		return hvv_blk_start_rw(blk, req, chain, &out, sector, false);
	case VIRTIO_BLK_T_OUT:
		return hvv_blk_start_rw(blk, req, chain, &out, sector, true);
	case VIRTIO_BLK_T_FLUSH:
		return hvv_blk_start_flush(blk, req, chain);
	case VIRTIO_BLK_T_GET_ID:
		return hvv_blk_get_id(blk, req, chain);
	case VIRTIO_BLK_T_DISCARD:
		return hvv_blk_start_dwz(blk, req, chain, &out, true);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return hvv_blk_start_dwz(blk, req, chain, &out, false);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static void hvv_blk_serve(struct hvv_blk_queue *q, struct hvv_blk_req *req,
			  const struct hvv_chain *chain)
{
	int ret;

	req->gen = q->vq->wr.gen;
	req->published = false;
	req->head = chain->head;
	req->used_len = 1;
	req->io.flags = 0;
	req->io.pos = 0;
	req->io.len = 0;
	req->status = hvv_blk_status_byte(chain);
	if (!req->status) {
		/* Nowhere to tell the driver: return the chain untouched. */
		atomic64_inc(&q->blk->dev.stats.errors);
		hvv_vq_push(q->vq, chain->head, 0);
		hvv_blk_req_put(q, req);
		return;
	}
	ret = hvv_blk_start(q->blk, req, chain);
	if (ret == HVV_BLK_SUBMITTED)
		return;
	req->result = ret;
	hvv_blk_publish(q, req);
}

/**
 * hvv_blk_handle_queue - serve a queue: publish what the I/O engine
 *	completed, parse and submit new requests
 * @vq: the queue (its &struct hvv_blk_queue in @vq->priv)
 *
 * Worker context (the &hvv_dev_ops.handle_queue of blk devices).
 *
 * Return: true if the budget ran out with requests left.
 */
bool hvv_blk_handle_queue(struct hvv_vq *vq)
{
	struct hvv_blk_queue *q = vq->priv;
	struct hvv_blk_req *req = NULL;
	struct hvv_vq_pass pass = {};
	struct hvv_chain chain;
	struct blk_plug plug;
	unsigned int noio;
	bool more = false;
	int ret = 0;

	/*
	 * With the simulator, the zone is this very kernel: its reclaim may
	 * wait for our I/O, so our allocations must not wait for its.
	 */
	noio = memalloc_noio_save();
	hvv_blk_reap(q);
	/* One batch of bios for the backing device per run. */
	blk_start_plug(&plug);
	do {
		hvv_vq_disable_notify(vq);
		while ((req = hvv_blk_req_get(q))) {
			ret = hvv_vq_pop(vq, &chain);
			if (ret <= 0) {
				hvv_blk_req_put(q, req);
				break;
			}
			hvv_blk_serve(q, req, &chain);
			/* Its data moves in the engine, not in this pass. */
			if (hvv_vq_pass_spent(&pass, 0)) {
				more = true;
				goto out;
			}
		}
		/* Every request in flight: a completion kicks us. */
		if (!req)
			goto out;
	} while (!ret && hvv_vq_enable_notify(vq));
out:
	blk_finish_plug(&plug);
	hvv_blk_reap(q);
	hvv_vq_flush(vq);
	memalloc_noio_restore(noio);
	/*
	 * Starved, but requests came back in this very run (completed in
	 * our own submission, which kicks no one): serve the ring again,
	 * or the driver, whose notifications are off, would wait forever.
	 */
	if (q->nr_free && atomic_read(&q->starved)) {
		atomic_set(&q->starved, 0);
		more = true;
	}
	return more;
}

/**
 * hvv_blk_quiesce - after a reset: wait until no read still writes into
 *	zone memory
 * @dev: a blk device (&hvv_dev_ops.quiesce)
 */
void hvv_blk_quiesce(struct hvv_dev *dev)
{
	struct hvv_blk *blk = to_blk(dev);

	while (!wait_event_timeout(blk->idle, !atomic_read(&blk->busy),
				   HVV_BLK_QUIESCE_WARN))
		dev_warn(dev->sysdev,
			 "reset waits for %d requests the backing has not completed\n",
			 atomic_read(&blk->busy));
}

static void hvv_blk_drained(struct percpu_ref *ref)
{
	struct hvv_blk *blk = container_of(ref, struct hvv_blk, inflight);

	complete(&blk->drained);
}

/**
 * hvv_blk_shutdown - removal: no new I/O; wait for what is in flight
 *	(workers still run)
 * @dev: a blk device (&hvv_dev_ops.shutdown)
 */
void hvv_blk_shutdown(struct hvv_dev *dev)
{
	struct hvv_blk *blk = to_blk(dev);

	percpu_ref_kill(&blk->inflight);
	wait_for_completion(&blk->drained);
}

/**
 * hvv_blk_inflight_init - set up the counts of requests in the I/O engine
 * @blk: the device, zeroed
 *
 * Return: 0 or -ENOMEM.
 */
int hvv_blk_inflight_init(struct hvv_blk *blk)
{
	init_completion(&blk->drained);
	init_waitqueue_head(&blk->idle);
	return percpu_ref_init(&blk->inflight, hvv_blk_drained, 0, GFP_KERNEL);
}

/**
 * hvv_blk_inflight_exit - undo hvv_blk_inflight_init()
 * @blk: the device, nothing in flight
 */
void hvv_blk_inflight_exit(struct hvv_blk *blk)
{
	percpu_ref_exit(&blk->inflight);
}

/**
 * hvv_blk_queues_free - free the per-queue state and the requests' buffers
 * @blk: the device; its workers stopped
 * @nr: queues to free
 */
void hvv_blk_queues_free(struct hvv_blk *blk, unsigned int nr)
{
	unsigned int i, j;

	if (!blk->queues)
		return;
	for (i = 0; i < nr; i++) {
		struct hvv_blk_queue *q = &blk->queues[i];

		/* Completed but never published requests still hold buffers. */
		if (q->reqs)
			for (j = 0; j < HVV_BLK_QUEUE_SIZE; j++)
				hvv_blk_io_unmap(&q->reqs[j].io);
		kvfree(q->reqs);
		kvfree(q->free);
	}
	kfree(blk->queues);
	blk->queues = NULL;
}

/**
 * hvv_blk_queues_alloc - per-queue state and request pools
 * @blk: the device, its virtqueues set up (hvv_dev_init())
 *
 * Return: 0 or -ENOMEM (hvv_blk_queues_free() frees what was allocated).
 */
int hvv_blk_queues_alloc(struct hvv_blk *blk)
{
	unsigned int i, j;

	blk->queues = kcalloc(blk->dev.nr_queues, sizeof(*blk->queues),
			      GFP_KERNEL);
	if (!blk->queues)
		return -ENOMEM;
	for (i = 0; i < blk->dev.nr_queues; i++) {
		struct hvv_blk_queue *q = &blk->queues[i];

		q->blk = blk;
		q->vq = &blk->dev.vqs[i];
		q->vq->priv = q;
		init_llist_head(&q->done);
		q->reqs = kvcalloc(HVV_BLK_QUEUE_SIZE, sizeof(*q->reqs),
				   GFP_KERNEL);
		q->free = kvcalloc(HVV_BLK_QUEUE_SIZE, sizeof(*q->free),
				   GFP_KERNEL);
		if (!q->reqs || !q->free)
			return -ENOMEM;
		for (j = 0; j < HVV_BLK_QUEUE_SIZE; j++) {
			q->reqs[j].q = q;
			hvv_blk_io_setup(&q->reqs[j].io, &blk->backing,
					 hvv_blk_end_io);
			q->free[j] = &q->reqs[j];
		}
		q->nr_free = HVV_BLK_QUEUE_SIZE;
	}
	return 0;
}
