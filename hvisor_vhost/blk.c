// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backend: the protocol (virtio 1.2, 5.2). Requests are parsed
 * and checked here, served by the I/O engine (blk_io.c), and their used
 * entries published by the queue's worker.
 *
 * A request is a 16-byte readable header (type, ioprio, sector), the data,
 * and a writable status byte: the last writable byte of the chain. Any
 * framing is accepted (VERSION_1). Every request is checked against the
 * capacity before anything is done; a malformed one gets IOERR (UNSUPP for
 * an unknown type or flag), and a chain without a writable byte is returned
 * with length 0, untouched.
 *
 * The worker never waits for I/O: it submits and moves on. Completions
 * (from any context) are queued on the queue's lock-free list and kick the
 * worker, which writes the status bytes, pushes the used entries and
 * interrupts the driver once per batch. Each completion carries the ring
 * generation it was submitted under; after a reset of the queue it is
 * dropped. A reset waits for every request in the I/O engine to come back
 * (quiesce), so none writes into zone memory after the reset is answered.
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
#include <linux/idr.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "backend.h"
#include "blk.h"

#define HV_BLK_MAX		256	/* devices */
#define HV_BLK_MAX_QUEUES	8
#define HV_BLK_QUEUE_SIZE	256
#define HV_BLK_BUDGET		64	/* new requests per worker run */
/* Data segments: an indirect table holds the header and status too. */
#define HV_BLK_SEG_MAX		(HV_BLK_QUEUE_SIZE - 2)
/* Any segment size works; this only bounds what the guest builds. */
#define HV_BLK_SIZE_MAX		SZ_1M
#define HV_BLK_DWZ_SEG		32
#define HV_BLK_DWZ_SECTORS	(SZ_1G >> SECTOR_SHIFT)
/* A reset still waiting for the backing after this long says so. */
#define HV_BLK_QUIESCE_WARN	(30 * HZ)
/* The request went to the I/O engine; its status comes later. */
#define HV_BLK_SUBMITTED	(-1)

static DEFINE_IDA(hv_blk_ida);

static struct hv_blk *to_blk(struct hv_dev *dev)
{
	return container_of(dev, struct hv_blk, dev);
}

static void hv_blk_req_put(struct hv_blk_queue *q, struct hv_blk_req *req)
{
	hv_blk_io_unmap(&req->io);
	q->free[q->nr_free++] = req;
}

/* Write the status, return the chain, recycle the request. */
static void hv_blk_publish(struct hv_blk_queue *q, struct hv_blk_req *req)
{
	if (req->result == VIRTIO_BLK_S_OK)
		hv_blk_io_finish(&req->io);
	else
		atomic64_inc(&q->blk->dev.stats.errors);
	WRITE_ONCE(*req->status, req->result);
	hv_vq_push(q->vq, req->head, req->used_len);
	hv_blk_req_put(q, req);
}

/* Publish what the I/O engine completed. Worker only. */
static void hv_blk_reap(struct hv_blk_queue *q)
{
	struct llist_node *list = llist_del_all(&q->done);
	struct hv_blk_req *req, *tmp;

	list = llist_reverse_order(list);
	llist_for_each_entry_safe(req, tmp, list, node) {
		if (hv_vq_current(q->vq, req->gen))
			hv_blk_publish(q, req);
		else	/* the driver reset the queue meanwhile */
			hv_blk_req_put(q, req);
	}
}

/* A request came back from the I/O engine: no longer busy. */
static void hv_blk_idle_put(struct hv_blk *blk)
{
	if (atomic_dec_and_test(&blk->busy))
		wake_up_all(&blk->idle);
}

/*
 * The I/O engine finished a request (its end_io; any context): queue it
 * for the worker and drop its in-flight reference.
 */
static void hv_blk_end_io(struct hv_blk_io *io, blk_status_t status)
{
	struct hv_blk_req *req = container_of(io, struct hv_blk_req, io);
	struct hv_blk_queue *q = req->q;
	struct hv_blk *blk = q->blk;

	if (status != BLK_STS_OK) {
		/* The guest only sees IOERR: say what the backing said. */
		hv_blk_io_report(blk->dev.sysdev, io);
		req->result = VIRTIO_BLK_S_IOERR;
	} else {
		req->result = VIRTIO_BLK_S_OK;
	}
	llist_add(&req->node, &q->done);
	hv_worker_kick(&q->vq->worker);
	/* The request is the worker's again: do not touch it. */
	hv_blk_idle_put(blk);
	percpu_ref_put(&blk->inflight);
}

static struct hv_blk_req *hv_blk_req_get(struct hv_blk_queue *q)
{
	if (!q->nr_free)
		hv_blk_reap(q);
	return q->nr_free ? q->free[--q->nr_free] : NULL;
}

/* The status byte: the chain's last writable byte, or NULL. */
static u8 *hv_blk_status_byte(const struct hv_chain *chain)
{
	unsigned int i;

	for (i = chain->nr_out + chain->nr_in; i > chain->nr_out; i--)
		if (chain->segs[i - 1].len)
			return chain->segs[i - 1].va + chain->segs[i - 1].len - 1;
	return NULL;
}

/* Sectors the guest may address: never past the backing's end. */
static bool hv_blk_in_range(struct hv_blk *blk, u64 sector, u64 nr)
{
	u64 cap = min_t(u64, READ_ONCE(blk->capacity),
			hv_blk_io_size(&blk->backing) >> SECTOR_SHIFT);

	return sector <= cap && nr <= cap - sector;
}

static int hv_blk_submit(struct hv_blk *blk, struct hv_blk_req *req)
{
	/* Removal started: no new I/O. */
	if (!percpu_ref_tryget_live(&blk->inflight))
		return VIRTIO_BLK_S_IOERR;
	atomic_inc(&blk->busy);
	hv_blk_io_submit(&req->io);
	return HV_BLK_SUBMITTED;
}

static int hv_blk_start_rw(struct hv_blk *blk, struct hv_blk_req *req,
			   const struct hv_chain *chain, u64 sector,
			   bool write)
{
	const size_t hdr = sizeof(struct virtio_blk_outhdr);
	size_t len;
	int ret;

	if (write) {
		if (chain->in_len != 1)
			return VIRTIO_BLK_S_IOERR;
		len = chain->out_len - hdr;
	} else {
		if (chain->out_len != hdr)
			return VIRTIO_BLK_S_IOERR;
		len = chain->in_len - 1;
	}
	if (write && blk->ro)
		return VIRTIO_BLK_S_IOERR;
	if (len % SECTOR_SIZE ||
	    !hv_blk_in_range(blk, sector, len >> SECTOR_SHIFT))
		return VIRTIO_BLK_S_IOERR;
	if (!write)
		req->used_len = chain->in_len;
	if (!len)
		return VIRTIO_BLK_S_OK;
	req->io.op = write ? HV_BLK_OP_WRITE : HV_BLK_OP_READ;
	req->io.pos = sector << SECTOR_SHIFT;
	req->io.len = len;
	/* A write's data follows the header, a read's is before the status. */
	if (write)
		ret = hv_blk_io_map(&req->io, chain->segs, chain->nr_out, hdr);
	else
		ret = hv_blk_io_map(&req->io, chain->segs + chain->nr_out,
				    chain->nr_in, 0);
	if (ret)
		return VIRTIO_BLK_S_IOERR;
	if (write && READ_ONCE(blk->writethrough))
		req->io.flags |= HV_BLK_IO_FUA;
	return hv_blk_submit(blk, req);
}

static int hv_blk_start_flush(struct hv_blk *blk, struct hv_blk_req *req,
			      const struct hv_chain *chain)
{
	if (chain->out_len != sizeof(struct virtio_blk_outhdr) ||
	    chain->in_len != 1)
		return VIRTIO_BLK_S_IOERR;
	if (blk->ro)
		return VIRTIO_BLK_S_OK;
	req->io.op = HV_BLK_OP_FLUSH;
	return hv_blk_submit(blk, req);
}

static int hv_blk_get_id(struct hv_blk *blk, struct hv_blk_req *req,
			 const struct hv_chain *chain)
{
	size_t n;

	if (chain->out_len != sizeof(struct virtio_blk_outhdr))
		return VIRTIO_BLK_S_IOERR;
	n = min_t(size_t, chain->in_len - 1, VIRTIO_BLK_ID_BYTES);
	req->used_len = hv_chain_copy_to(chain, 0, blk->serial, n) + 1;
	return VIRTIO_BLK_S_OK;
}

/* DISCARD and WRITE_ZEROES: copy the segment list once, check it all. */
static int hv_blk_start_dwz(struct hv_blk *blk, struct hv_blk_req *req,
			    const struct hv_chain *chain, bool discard)
{
	const size_t hdr = sizeof(struct virtio_blk_outhdr);
	struct virtio_blk_discard_write_zeroes *r;
	size_t bytes = chain->out_len - hdr;
	unsigned int i, n = bytes / sizeof(*r);

	if (blk->ro)
		return VIRTIO_BLK_S_IOERR;
	if (discard && !blk->backing.discard)
		return VIRTIO_BLK_S_UNSUPP;
	if (chain->in_len != 1 || !n || bytes % sizeof(*r) ||
	    n > HV_BLK_DWZ_SEG)
		return VIRTIO_BLK_S_IOERR;
	r = kmalloc_array(n, sizeof(*r), GFP_KERNEL);
	if (!r)
		return VIRTIO_BLK_S_IOERR;
	req->io.ranges = r;	/* freed with the request */
	hv_chain_copy_from(chain, hdr, r, bytes);
	for (i = 0; i < n; i++) {
		u32 flags = le32_to_cpu(r[i].flags);

		/* Unknown flags, or unmap on a discard. */
		if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP ||
		    (discard && flags))
			return VIRTIO_BLK_S_UNSUPP;
	}
	for (i = 0; i < n; i++) {
		u32 nr = le32_to_cpu(r[i].num_sectors);

		if (nr > HV_BLK_DWZ_SECTORS ||
		    !hv_blk_in_range(blk, le64_to_cpu(r[i].sector), nr))
			return VIRTIO_BLK_S_IOERR;
	}
	req->io.op = discard ? HV_BLK_OP_DISCARD : HV_BLK_OP_WRITE_ZEROES;
	req->io.len = n;
	return hv_blk_submit(blk, req);
}

/* Returns a VIRTIO_BLK_S_* status, or HV_BLK_SUBMITTED. */
static int hv_blk_start(struct hv_blk *blk, struct hv_blk_req *req,
			const struct hv_chain *chain)
{
	struct virtio_blk_outhdr hdr;
	u64 sector;
	u32 type;

	/* Removed (detached): the backing may be gone already. */
	if (chain->out_len < sizeof(hdr) ||
	    percpu_ref_is_dying(&blk->inflight))
		return VIRTIO_BLK_S_IOERR;
	hv_chain_copy_from(chain, 0, &hdr, sizeof(hdr));
	type = le32_to_cpu((__force __le32)hdr.type);
	sector = le64_to_cpu((__force __le64)hdr.sector);

	switch (type) {
	case VIRTIO_BLK_T_IN:
		return hv_blk_start_rw(blk, req, chain, sector, false);
	case VIRTIO_BLK_T_OUT:
		return hv_blk_start_rw(blk, req, chain, sector, true);
	case VIRTIO_BLK_T_FLUSH:
		return hv_blk_start_flush(blk, req, chain);
	case VIRTIO_BLK_T_GET_ID:
		return hv_blk_get_id(blk, req, chain);
	case VIRTIO_BLK_T_DISCARD:
		return hv_blk_start_dwz(blk, req, chain, true);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return hv_blk_start_dwz(blk, req, chain, false);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static void hv_blk_serve(struct hv_blk_queue *q, struct hv_blk_req *req,
			 const struct hv_chain *chain)
{
	int ret;

	req->gen = q->vq->wr.gen;
	req->head = chain->head;
	req->used_len = 1;
	req->io.flags = 0;
	req->status = hv_blk_status_byte(chain);
	if (!req->status) {
		/* Nowhere to tell the driver: return the chain untouched. */
		atomic64_inc(&q->blk->dev.stats.errors);
		hv_vq_push(q->vq, chain->head, 0);
		hv_blk_req_put(q, req);
		return;
	}
	ret = hv_blk_start(q->blk, req, chain);
	if (ret == HV_BLK_SUBMITTED)
		return;
	req->result = ret;
	hv_blk_publish(q, req);
}

static bool hv_blk_handle_queue(struct hv_vq *vq)
{
	struct hv_blk_queue *q = vq->priv;
	struct hv_blk_req *req = NULL;
	unsigned int served = 0;
	struct hv_chain chain;
	struct blk_plug plug;
	unsigned int noio;
	bool more = false;
	int ret = 0;

	/*
	 * With the simulator, the zone is this very kernel: its reclaim may
	 * wait for our I/O, so our allocations must not wait for its.
	 */
	noio = memalloc_noio_save();
	hv_blk_reap(q);
	/* One batch of bios for the backing device per run. */
	blk_start_plug(&plug);
	do {
		hv_vq_disable_notify(vq);
		while ((req = hv_blk_req_get(q))) {
			ret = hv_vq_pop(vq, &chain);
			if (ret <= 0) {
				hv_blk_req_put(q, req);
				break;
			}
			hv_blk_serve(q, req, &chain);
			if (++served == HV_BLK_BUDGET) {
				more = true;
				goto out;
			}
		}
		/* Every request in flight: a completion kicks us. */
		if (!req)
			goto out;
	} while (!ret && hv_vq_enable_notify(vq));
out:
	blk_finish_plug(&plug);
	hv_blk_reap(q);
	hv_vq_flush(vq);
	memalloc_noio_restore(noio);
	return more;
}

static void hv_blk_status_changed(struct hv_dev *dev, u32 old, u32 status)
{
	struct hv_blk *blk = to_blk(dev);
	unsigned long flags;
	u64 features;

	if (!(status & ~old & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	spin_lock_irqsave(&dev->lock, flags);
	features = dev->driver_features;
	spin_unlock_irqrestore(&dev->lock, flags);
	/* No FLUSH: the driver expects a write-through cache. */
	WRITE_ONCE(blk->writethrough,
		   !(features & BIT_ULL(VIRTIO_BLK_F_FLUSH)));
}

static ssize_t hv_blk_backend_show(struct hv_dev *dev, char *buf)
{
	struct hv_blk *blk = to_blk(dev);
	char *tmp, *path;
	ssize_t ret;

	tmp = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	path = file_path(blk->backing.file, tmp, PATH_MAX);
	if (IS_ERR(path))
		ret = PTR_ERR(path);
	else
		ret = sysfs_emit(buf, "%s\n", path);
	kfree(tmp);
	return ret;
}

/* After a reset: wait until no read still writes into zone memory. */
static void hv_blk_quiesce(struct hv_dev *dev)
{
	struct hv_blk *blk = to_blk(dev);

	while (!wait_event_timeout(blk->idle, !atomic_read(&blk->busy),
				   HV_BLK_QUIESCE_WARN))
		dev_warn(dev->sysdev,
			 "reset waits for %d requests the backing has not completed\n",
			 atomic_read(&blk->busy));
}

static void hv_blk_drained(struct percpu_ref *ref)
{
	struct hv_blk *blk = container_of(ref, struct hv_blk, inflight);

	complete(&blk->drained);
}

/* Removal: no new I/O; wait for what is in flight (workers still run). */
static void hv_blk_shutdown(struct hv_dev *dev)
{
	struct hv_blk *blk = to_blk(dev);

	percpu_ref_kill(&blk->inflight);
	wait_for_completion(&blk->drained);
}

/*
 * Removal while the driver runs: let go of the backing. Requests in
 * flight complete (the workers publish them); later ones fail.
 */
static void hv_blk_publish_done(void *data)
{
	struct hv_blk_queue *q = data;

	hv_blk_reap(q);
	hv_vq_flush(q->vq);
}

static void hv_blk_detach(struct hv_dev *dev)
{
	struct hv_blk *blk = to_blk(dev);
	unsigned int i;

	hv_blk_shutdown(dev);
	/*
	 * Publish what completed now, not at the next kick; this also waits
	 * for runs that started before the kill and may still look at the
	 * backing's size.
	 */
	for (i = 0; i < dev->nr_queues; i++)
		hv_worker_call(&dev->vqs[i].worker, hv_blk_publish_done,
			       &blk->queues[i]);
	hv_blk_io_close(&blk->backing);
}

static void hv_blk_queues_free(struct hv_blk *blk, unsigned int nr)
{
	unsigned int i, j;

	if (!blk->queues)
		return;
	for (i = 0; i < nr; i++) {
		struct hv_blk_queue *q = &blk->queues[i];

		/* Completed but never published requests still hold buffers. */
		if (q->reqs)
			for (j = 0; j < HV_BLK_QUEUE_SIZE; j++)
				hv_blk_io_unmap(&q->reqs[j].io);
		kvfree(q->reqs);
		kvfree(q->free);
	}
	kfree(blk->queues);
	blk->queues = NULL;
}

static void hv_blk_free(struct hv_blk *blk)
{
	hv_blk_queues_free(blk, blk->dev.nr_queues);
	percpu_ref_exit(&blk->inflight);
	hv_blk_io_close(&blk->backing);
	ida_free(&hv_blk_ida, blk->dev.index);
	kfree(blk);
}

static void hv_blk_release(struct hv_dev *dev)
{
	hv_blk_free(to_blk(dev));
}

/**
 * hv_blk_resize - take the backing's current size as the capacity and
 *	tell the driver (config interrupt)
 * @dev: a blk device
 *
 * Return: 0.
 */
static int hv_blk_resize(struct hv_dev *dev)
{
	struct hv_blk *blk = to_blk(dev);
	u64 cap = hv_blk_io_size(&blk->backing) >> SECTOR_SHIFT;
	__le64 le = cpu_to_le64(cap);

	WRITE_ONCE(blk->capacity, cap);
	hv_dev_set_config(dev, offsetof(struct virtio_blk_config, capacity),
			  &le, sizeof(le), true);
	dev_info(dev->sysdev, "capacity %llu sectors\n", cap);
	return 0;
}

static const struct hv_dev_ops hv_blk_ops = {
	.type = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.handle_queue = hv_blk_handle_queue,
	.quiesce = hv_blk_quiesce,
	.status_changed = hv_blk_status_changed,
	.backend_show = hv_blk_backend_show,
	.resize = hv_blk_resize,
	.shutdown = hv_blk_shutdown,
	.detach = hv_blk_detach,
	.release = hv_blk_release,
};

static int hv_blk_queues_alloc(struct hv_blk *blk)
{
	unsigned int i, j;

	blk->queues = kcalloc(blk->dev.nr_queues, sizeof(*blk->queues),
			      GFP_KERNEL);
	if (!blk->queues)
		return -ENOMEM;
	for (i = 0; i < blk->dev.nr_queues; i++) {
		struct hv_blk_queue *q = &blk->queues[i];

		q->blk = blk;
		q->vq = &blk->dev.vqs[i];
		q->vq->priv = q;
		init_llist_head(&q->done);
		q->reqs = kvcalloc(HV_BLK_QUEUE_SIZE, sizeof(*q->reqs),
				   GFP_KERNEL);
		q->free = kvcalloc(HV_BLK_QUEUE_SIZE, sizeof(*q->free),
				   GFP_KERNEL);
		if (!q->reqs || !q->free)
			return -ENOMEM;
		for (j = 0; j < HV_BLK_QUEUE_SIZE; j++) {
			q->reqs[j].q = q;
			hv_blk_io_setup(&q->reqs[j].io, &blk->backing,
					hv_blk_end_io);
			q->free[j] = &q->reqs[j];
		}
		q->nr_free = HV_BLK_QUEUE_SIZE;
	}
	return 0;
}

static void hv_blk_set_config(struct hv_blk *blk)
{
	const struct hv_blk_backing *io = &blk->backing;
	struct virtio_blk_config cfg = {};

	cfg.capacity = (__force __virtio64)cpu_to_le64(blk->capacity);
	cfg.size_max = (__force __virtio32)cpu_to_le32(HV_BLK_SIZE_MAX);
	cfg.seg_max = (__force __virtio32)cpu_to_le32(HV_BLK_SEG_MAX);
	cfg.blk_size = (__force __virtio32)cpu_to_le32(io->lbs);
	cfg.physical_block_exp = ilog2(io->pbs / io->lbs);
	cfg.min_io_size = (__force __virtio16)
		cpu_to_le16(min_t(u32, io->io_min / io->lbs, U16_MAX));
	cfg.opt_io_size = (__force __virtio32)cpu_to_le32(io->io_opt /
							  io->lbs);
	cfg.num_queues = (__force __virtio16)cpu_to_le16(blk->dev.nr_queues);
	cfg.max_discard_sectors = (__force __virtio32)
		cpu_to_le32(HV_BLK_DWZ_SECTORS);
	cfg.max_discard_seg = (__force __virtio32)cpu_to_le32(HV_BLK_DWZ_SEG);
	cfg.discard_sector_alignment = (__force __virtio32)
		cpu_to_le32(io->discard_granularity >> SECTOR_SHIFT);
	cfg.max_write_zeroes_sectors = (__force __virtio32)
		cpu_to_le32(HV_BLK_DWZ_SECTORS);
	cfg.max_write_zeroes_seg = (__force __virtio32)
		cpu_to_le32(HV_BLK_DWZ_SEG);
	cfg.write_zeroes_may_unmap = 1;
	hv_dev_set_config(&blk->dev, 0, &cfg, sizeof(cfg), false);
}

static u64 hv_blk_features(const struct hv_blk *blk, unsigned int nr_queues)
{
	u64 features = BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) |
		       BIT_ULL(VIRTIO_BLK_F_SEG_MAX) |
		       BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) |
		       BIT_ULL(VIRTIO_BLK_F_TOPOLOGY) |
		       BIT_ULL(VIRTIO_BLK_F_FLUSH);

	if (nr_queues > 1)
		features |= BIT_ULL(VIRTIO_BLK_F_MQ);
	if (blk->ro)
		return features | BIT_ULL(VIRTIO_BLK_F_RO);
	features |= BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES);
	if (blk->backing.discard)
		features |= BIT_ULL(VIRTIO_BLK_F_DISCARD);
	return features;
}

/* GET_ID: serial= as given, else "hvisor-<zone>-<index>". */
static void hv_blk_set_serial(struct hv_blk *blk, const struct hvv_dev *ud)
{
	char id[32];

	if (ud->serial[0]) {
		memcpy(blk->serial, ud->serial, VIRTIO_BLK_ID_BYTES);
		return;
	}
	snprintf(id, sizeof(id), "hvisor-%u-%u", ud->zone_id, blk->dev.index);
	memcpy(blk->serial, id, min(strlen(id), sizeof(blk->serial)));
}

/**
 * hv_blk_create - create a virtio-blk device on an image file or block
 *	device
 * @ud: from userspace: backend_fd (open for reading, and writing unless
 *	HVV_DEV_F_RO), queues (0 = 1, up to 8), serial
 *
 * Runs in the caller's context, where @ud->backend_fd is looked up.
 *
 * Return: the device or an ERR_PTR.
 */
static struct hv_dev *hv_blk_create(const struct hvv_dev *ud)
{
	unsigned int nr_queues = ud->queues ? ud->queues : 1;
	struct hv_blk *blk;
	int index, ret;

	if (ud->flags & ~HVV_DEV_F_RO) {
		pr_err("blk: only the ro flag applies\n");
		return ERR_PTR(-EINVAL);
	}
	if (nr_queues > HV_BLK_MAX_QUEUES) {
		pr_err("blk: queues=%u: 1 to %u\n", ud->queues,
		       HV_BLK_MAX_QUEUES);
		return ERR_PTR(-EINVAL);
	}
	if (ud->backend_fd < 0) {
		pr_err("blk: needs an image file or a block device\n");
		return ERR_PTR(-EBADF);
	}
	index = ida_alloc_max(&hv_blk_ida, HV_BLK_MAX - 1, GFP_KERNEL);
	if (index < 0)
		return ERR_PTR(index);
	blk = kzalloc(sizeof(*blk), GFP_KERNEL);
	if (!blk) {
		ida_free(&hv_blk_ida, index);
		return ERR_PTR(-ENOMEM);
	}
	blk->dev.index = index;
	snprintf(blk->dev.name, sizeof(blk->dev.name), "blk%d", index);
	blk->ro = ud->flags & HVV_DEV_F_RO;
	init_completion(&blk->drained);
	init_waitqueue_head(&blk->idle);
	/* From here on, hv_blk_free() undoes everything. */
	ret = percpu_ref_init(&blk->inflight, hv_blk_drained, 0, GFP_KERNEL);
	if (ret) {
		ida_free(&hv_blk_ida, index);
		kfree(blk);
		return ERR_PTR(ret);
	}
	ret = hv_blk_io_open(&blk->backing, ud->backend_fd, blk->ro);
	if (ret)
		goto err_free;
	blk->capacity = hv_blk_io_size(&blk->backing) >> SECTOR_SHIFT;
	hv_blk_set_serial(blk, ud);

	ret = hv_dev_init(&blk->dev, &hv_blk_ops, ud, nr_queues,
			  HV_BLK_QUEUE_SIZE, hv_blk_features(blk, nr_queues));
	if (ret)
		goto err_free;
	ret = hv_blk_queues_alloc(blk);
	if (ret)
		goto err_stop;
	hv_blk_set_config(blk);
	return &blk->dev;

err_stop:
	hv_dev_stop(&blk->dev);
err_free:
	hv_blk_free(blk);
	return ERR_PTR(ret);
}

static struct hv_backend hv_blk_backend = {
	.type = HVV_DEV_BLK,
	.name = "blk",
	.owner = THIS_MODULE,
	.create = hv_blk_create,
};

int hv_blk_init(void)
{
	int ret;

	ret = hv_blk_io_init();
	if (ret)
		return ret;
	ret = hv_backend_register(&hv_blk_backend);
	if (ret)
		hv_blk_io_exit();
	return ret;
}

void hv_blk_exit(void)
{
	hv_backend_unregister(&hv_blk_backend);
	hv_blk_io_exit();
}
