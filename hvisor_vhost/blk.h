/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk backend: the device and its requests (blk.c), and the
 * asynchronous I/O engine on the backing file (blk_io.c).
 */
#ifndef _HV_BLK_H
#define _HV_BLK_H

#include <linux/bvec.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/llist.h>
#include <linux/percpu-refcount.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <uapi/linux/virtio_blk.h>

#include "dev.h"

#define HV_BLK_INLINE_VECS	4

/* What a request asks of the backing file. */
enum hv_blk_op {
	HV_BLK_OP_READ,
	HV_BLK_OP_WRITE,
	HV_BLK_OP_FLUSH,
	HV_BLK_OP_DISCARD,
	HV_BLK_OP_WRITE_ZEROES,
};

/* hv_blk_req.flags */
#define HV_BLK_REQ_PAGES	BIT(0)	/* @bvec, not @kvec */
#define HV_BLK_REQ_DIRECT	BIT(1)	/* try direct I/O */
#define HV_BLK_REQ_FUA		BIT(2)	/* write through (no FLUSH feature) */
#define HV_BLK_REQ_STARTED	BIT(3)	/* kiocb_start_write() done */
#define HV_BLK_REQ_BOUNCE	BIT(4)	/* I/O on @bounce, @kvec is the guest's */

/**
 * struct hv_blk_backing - the file behind a device and what it allows
 * @file: the image file or block device (our reference)
 * @bdev: its block device if it is one, else NULL
 * @dio: direct I/O is possible
 * @dio_off_mask: file offsets and lengths must be multiples of this + 1
 * @dio_mem_mask: buffer addresses must be multiples of this + 1
 * @lbs: logical block size offered to the guest
 * @pbs: physical block size (>= @lbs)
 * @io_min: minimum I/O size hint, bytes
 * @io_opt: optimal I/O size hint, bytes (0: none)
 * @discard: DISCARD can be served
 * @discard_granularity: bytes
 */
struct hv_blk_backing {
	struct file *file;
	struct block_device *bdev;
	bool dio;
	u32 dio_off_mask;
	u32 dio_mem_mask;
	u32 lbs;
	u32 pbs;
	u32 io_min;
	u32 io_opt;
	bool discard;
	u32 discard_granularity;
};

struct hv_blk;
struct hv_blk_queue;

/**
 * struct hv_blk_req - one request between its pop and its used entry
 * @q: the queue it came from
 * @node: entry in the queue's completion list
 * @status: the status byte in zone memory
 * @gen: ring generation at submission; a completion for another one is
 *	dropped (the driver reset the queue meanwhile)
 * @head: head descriptor index
 * @op: HV_BLK_OP_*
 * @result: VIRTIO_BLK_S_*, set on completion
 * @used_len: bytes written into the chain, reported in the used entry
 * @flags: HV_BLK_REQ_*
 * @pos: file offset (bytes)
 * @len: bytes to transfer, or the number of @ranges
 * @nr_vecs: entries of @bvec or @kvec
 * @vecs: @bvec, @kvec or @ranges: @inline_vecs or kmalloc()ed, or NULL
 * @bvec: data buffers as pages (zone memory in the linear map)
 * @kvec: data buffers as kernel addresses (any zone memory)
 * @ranges: DISCARD and WRITE_ZEROES segments, copied and validated
 * @inline_vecs: storage for small @bvec / @kvec arrays
 * @bounce: pages the I/O uses instead of zone memory without struct pages
 * @nr_bounce: entries of @bounce
 * @iocb: the I/O
 * @work: punted I/O (buffered, flush, discard, write zeroes)
 */
struct hv_blk_req {
	struct hv_blk_queue *q;
	struct llist_node node;
	u8 *status;
	u32 gen;
	u16 head;
	u8 op;
	u8 result;
	u32 used_len;
	u32 flags;
	loff_t pos;
	size_t len;
	unsigned int nr_vecs;
	union {
		void *vecs;
		struct bio_vec *bvec;
		struct kvec *kvec;
		struct virtio_blk_discard_write_zeroes *ranges;
	};
	union {
		struct bio_vec bvec[HV_BLK_INLINE_VECS];
		struct kvec kvec[HV_BLK_INLINE_VECS];
	} inline_vecs;
	struct bio_vec *bounce;
	unsigned int nr_bounce;
	struct kiocb iocb;
	struct work_struct work;
};

/**
 * struct hv_blk_queue - per-virtqueue state
 * @blk: the device
 * @vq: the virtqueue
 * @done: completed requests, from any context, for the worker to publish
 * @reqs: the request pool (one per ring entry)
 * @free: free requests (worker only)
 * @nr_free: entries in @free (worker only)
 */
struct hv_blk_queue {
	struct hv_blk *blk;
	struct hv_vq *vq;
	struct llist_head done;
	struct hv_blk_req *reqs;
	struct hv_blk_req **free;
	unsigned int nr_free;
};

/**
 * struct hv_blk - a virtio-blk device
 * @dev: the virtio device
 * @io: the backing file
 * @queues: per-queue state, dev.nr_queues entries
 * @inflight: one reference per request handed to the I/O engine; killed
 *	on removal, which waits for @drained
 * @drained: @inflight reached zero after the kill
 * @busy: requests handed to the I/O engine and not yet handed back: I/O
 *	that may still write into zone memory; a reset waits on @idle for it
 *	to reach zero (@inflight, put after it, keeps the device alive)
 * @idle: woken when @busy reaches zero
 * @capacity: 512-byte sectors the guest may address
 * @ro: read-only device
 * @writethrough: the driver did not negotiate FLUSH: writes are FUA
 * @serial: GET_ID answer, NUL padded
 */
struct hv_blk {
	struct hv_dev dev;
	struct hv_blk_backing io;
	struct hv_blk_queue *queues;
	struct percpu_ref inflight;
	struct completion drained;
	atomic_t busy;
	wait_queue_head_t idle;
	u64 capacity;
	bool ro;
	bool writethrough;
	char serial[VIRTIO_BLK_ID_BYTES];
};

/* blk.c */
void hv_blk_req_done(struct hv_blk_req *req);
void hv_blk_idle_put(struct hv_blk *blk);

/* blk_io.c */
int hv_blk_io_init(void);
void hv_blk_io_exit(void);
int hv_blk_io_open(struct hv_blk_backing *io, int fd, bool ro);
void hv_blk_io_close(struct hv_blk_backing *io);
loff_t hv_blk_io_size(const struct hv_blk_backing *io);
int hv_blk_io_map(struct hv_blk_req *req, const struct hv_chain *chain,
		  bool writable, size_t skip);
void hv_blk_io_unmap(struct hv_blk_req *req);
void hv_blk_io_finish(struct hv_blk_req *req);
void hv_blk_io_init_req(struct hv_blk_req *req);
void hv_blk_io_submit(struct hv_blk_req *req);

#endif /* _HV_BLK_H */
