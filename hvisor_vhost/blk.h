/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk backend, private to its two files: the device (blk_dev.c:
 * creation, config space, features, removal) and its request protocol
 * (blk.c), on the block I/O engine (blk_io.h). blk_dev.c calls blk.c,
 * both call the engine, and nothing calls back up but through the
 * engine's completion callback and the core's ops.
 */
#ifndef _HVV_BLK_H
#define _HVV_BLK_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/llist.h>
#include <linux/percpu-refcount.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <uapi/linux/virtio_blk.h>

#include "blk_io.h"
#include "dev.h"

#define HVV_BLK_QUEUE_SIZE	256
#define HVV_BLK_DWZ_SEG		32	/* DISCARD, WRITE_ZEROES segments */
#define HVV_BLK_DWZ_SECTORS	(SZ_1G >> SECTOR_SHIFT)	/* per segment */

struct hvv_blk;
struct hvv_blk_queue;

/**
 * struct hvv_blk_req - one request between its pop and its used entry
 * @io: what the I/O engine does for it
 * @q: the queue it came from
 * @node: entry in the queue's completion list
 * @status: the status byte in zone memory
 * @gen: ring generation at submission; a completion for another one is
 *	dropped (the driver reset the queue meanwhile)
 * @head: head descriptor index
 * @result: VIRTIO_BLK_S_*, set on completion
 * @published: its completion published it already (hvv_vq_complete()):
 *	the worker only recycles it
 * @used_len: bytes written into the chain, reported in the used entry
 *
 * The queue's worker's, but for the time the I/O engine has it (from
 * hvv_blk_io_submit() to its end_io and that end_io's llist_add()): no
 * lock.
 */
struct hvv_blk_req {
	struct hvv_blk_io io;
	struct hvv_blk_queue *q;
	struct llist_node node;
	u8 *status;
	u32 gen;
	u16 head;
	u8 result;
	bool published;
	u32 used_len;
};

/**
 * struct hvv_blk_queue - per-virtqueue state
 * @blk: the device
 * @vq: the virtqueue
 * @done: completed requests, from any context, for the worker to publish
 *	or (@published) only to recycle
 * @reqs: the request pool (one per ring entry)
 * @free: free requests (worker only)
 * @nr_free: entries in @free (worker only)
 * @starved: 1 while the worker found every request in flight and waits
 *	for one: set by the worker, then a full barrier before it looks at
 *	@done again; cleared with atomic_xchg() by the completion that kicks
 *	it (an atomic_t: xchg() of a byte is not on every architecture), or
 *	by the worker once it has requests again
 */
struct hvv_blk_queue {
	struct hvv_blk *blk;
	struct hvv_vq *vq;
	struct llist_head done;
	struct hvv_blk_req *reqs;
	struct hvv_blk_req **free;
	unsigned int nr_free;
	atomic_t starved;
};

/**
 * struct hvv_blk - a virtio-blk device
 * @dev: the virtio device
 * @backing: the backing file
 * @queues: per-queue state, dev.nr_queues entries
 * @inflight: one reference per request handed to the I/O engine; killed
 *	on removal, which waits for @drained
 * @drained: @inflight reached zero after the kill
 * @busy: requests handed to the I/O engine and not yet handed back: I/O
 *	that may still write into zone memory; a reset waits on @idle for it
 *	to reach zero (@inflight, put after it, keeps the device alive)
 * @idle: woken when @busy reaches zero
 * @capacity: 512-byte sectors the guest may address; WRITE_ONCE() by a
 *	resize, READ_ONCE() by the workers, no lock
 * @ro: read-only device; set at creation
 * @writethrough: the driver did not negotiate FLUSH: writes are FUA;
 *	WRITE_ONCE() by the dispatcher (FEATURES_OK), READ_ONCE() by the
 *	workers, no lock
 * @serial: GET_ID answer, NUL padded; set at creation
 *
 * @backing is opened at creation and closed once nothing can be in
 * flight (detach, after the in-flight count drained, or release).
 */
struct hvv_blk {
	struct hvv_dev dev;
	struct hvv_blk_backing backing;
	struct hvv_blk_queue *queues;
	struct percpu_ref inflight;
	struct completion drained;
	atomic_t busy;
	wait_queue_head_t idle;
	u64 capacity;
	bool ro;
	bool writethrough;
	char serial[VIRTIO_BLK_ID_BYTES];
};

static inline struct hvv_blk *to_blk(struct hvv_dev *dev)
{
	return container_of(dev, struct hvv_blk, dev);
}

/* blk.c: the request protocol */
int hvv_blk_inflight_init(struct hvv_blk *blk);
void hvv_blk_inflight_exit(struct hvv_blk *blk);
int hvv_blk_queues_alloc(struct hvv_blk *blk);
void hvv_blk_queues_free(struct hvv_blk *blk, unsigned int nr);
bool hvv_blk_handle_queue(struct hvv_vq *vq);
void hvv_blk_quiesce(struct hvv_dev *dev);
void hvv_blk_shutdown(struct hvv_dev *dev);

#endif /* _HVV_BLK_H */
