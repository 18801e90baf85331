/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block I/O engine (blk_io.c): asynchronous I/O on an image file or a
 * block device, into and out of zone memory. It knows the backing and its
 * own requests, nothing of the device, its queues or the virtio protocol
 * that uses it.
 *
 * Its user embeds a struct hvv_blk_io in each of its requests, sets it up
 * once (hvv_blk_io_setup()) with the backing and a completion callback,
 * and for each request fills in @op, @pos, @len and @flags, describes the
 * data (hvv_blk_io_map(), from a kvec iov_iter, or @ranges) and submits it
 * (hvv_blk_io_submit()).
 * The callback runs exactly once per submitted request, in any context,
 * interrupts included; after it returns the engine does not touch the
 * request again. hvv_blk_io_unmap() frees what a request allocated.
 */
#ifndef _HVV_BLK_IO_H
#define _HVV_BLK_IO_H

#include <linux/atomic.h>
#include <linux/blk_types.h>
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <uapi/linux/virtio_blk.h>

struct device;

#define HVV_BLK_INLINE_VECS	4

/* What a request asks of the backing. */
enum hvv_blk_op {
	HVV_BLK_OP_READ,
	HVV_BLK_OP_WRITE,
	HVV_BLK_OP_FLUSH,
	HVV_BLK_OP_DISCARD,
	HVV_BLK_OP_WRITE_ZEROES,
};

/* hvv_blk_io.flags: the user's */
#define HVV_BLK_IO_FUA		BIT(0)	/* write through (no FLUSH feature) */
/* ... and the engine's own */
#define HVV_BLK_IO_PAGES		BIT(1)	/* @bvec, not @kvec */
#define HVV_BLK_IO_DIRECT	BIT(2)	/* try direct I/O */
#define HVV_BLK_IO_STARTED	BIT(3)	/* kiocb_start_write() done */
#define HVV_BLK_IO_BOUNCE	BIT(4)	/* I/O on @bounce, @kvec is the guest's */

/**
 * struct hvv_blk_backing - the file behind a device and what it allows
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
 * @bounce_pages: bounce pages its requests hold (atomic; at most
 *	HVV_BLK_BOUNCE_PAGES)
 * @wq: where its requests that block run (buffered I/O, FLUSH, DISCARD,
 *	WRITE_ZEROES); one per backing, so that a device's slow requests
 *	never hold back another device's
 *
 * Written by hvv_blk_io_open() and hvv_blk_io_close() only, while no request
 * is in the engine; read-only in between (but @bounce_pages).
 */
struct hvv_blk_backing {
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
	atomic_t bounce_pages;
	struct workqueue_struct *wq;
};

struct hvv_blk_io;

/**
 * typedef hvv_blk_end_io_t - a submitted request is done
 * @io: the request; its user's again
 * @status: BLK_STS_OK, or BLK_STS_IOERR with @io->error set
 *
 * Any context, interrupts included.
 */
typedef void (*hvv_blk_end_io_t)(struct hvv_blk_io *io, blk_status_t status);

/**
 * struct hvv_blk_io - one request of the engine
 * @backing: the backing it is done on; set by hvv_blk_io_setup()
 * @end_io: its completion; set by hvv_blk_io_setup()
 * @op: HVV_BLK_OP_*, set by the user
 * @flags: HVV_BLK_IO_*: the user clears them before hvv_blk_io_map() and
 *	may set HVV_BLK_IO_FUA; the engine owns the others
 * @pos: file offset (bytes), set by the user for a read or write
 * @len: bytes to transfer, or the number of @ranges; set by the user
 * @error: what the backing answered when @end_io gets BLK_STS_IOERR: a
 *	negative errno, or the bytes a read or write moved instead of @len
 * @nr_vecs: entries of @bvec or @kvec
 * @vecs: @bvec, @kvec or @ranges: @inline_vecs or kmalloc()ed, or NULL
 * @bvec: data buffers as pages (zone memory in the linear map)
 * @kvec: data buffers as kernel addresses (any zone memory)
 * @ranges: DISCARD and WRITE_ZEROES segments, kmalloc()ed, copied and
 *	validated by the user (the engine frees them in hvv_blk_io_unmap())
 * @inline_vecs: storage for small @bvec / @kvec arrays
 * @bounce: pages the I/O uses instead of zone memory without struct pages
 * @nr_bounce: entries of @bounce
 * @bounce_held: pages counted in the backing's @bounce_pages for it
 * @iocb: the I/O
 * @work: punted I/O (buffered, flush, discard, write zeroes)
 *
 * Between hvv_blk_io_submit() and @end_io the request is the engine's;
 * before and after, its user's. No field is shared: no lock.
 */
struct hvv_blk_io {
	struct hvv_blk_backing *backing;
	hvv_blk_end_io_t end_io;
	u8 op;
	u32 flags;
	loff_t pos;
	size_t len;
	long error;
	unsigned int nr_vecs;
	union {
		void *vecs;
		struct bio_vec *bvec;
		struct kvec *kvec;
		struct virtio_blk_discard_write_zeroes *ranges;
	};
	union {
		struct bio_vec bvec[HVV_BLK_INLINE_VECS];
		struct kvec kvec[HVV_BLK_INLINE_VECS];
	} inline_vecs;
	struct bio_vec *bounce;
	unsigned int nr_bounce;
	unsigned int bounce_held;
	struct kiocb iocb;
	struct work_struct work;
};

int hvv_blk_io_open(struct hvv_blk_backing *b, int fd, bool ro,
		    const char *name);
void hvv_blk_io_close(struct hvv_blk_backing *b);
loff_t hvv_blk_io_size(const struct hvv_blk_backing *b);
void hvv_blk_io_setup(struct hvv_blk_io *io, struct hvv_blk_backing *backing,
		      hvv_blk_end_io_t end_io);
int hvv_blk_io_map(struct hvv_blk_io *io, const struct iov_iter *data);
void hvv_blk_io_unmap(struct hvv_blk_io *io);
void hvv_blk_io_submit(struct hvv_blk_io *io);
void hvv_blk_io_finish(struct hvv_blk_io *io);

/**
 * hvv_blk_io_needs_finish - has hvv_blk_io_finish() work to do?
 * @io: a request back from the engine with BLK_STS_OK
 *
 * Return: true for a read through bounce pages: its data is still to be
 * copied to the guest.
 */
static inline bool hvv_blk_io_needs_finish(const struct hvv_blk_io *io)
{
	return io->flags & HVV_BLK_IO_BOUNCE && io->op == HVV_BLK_OP_READ;
}

void hvv_blk_io_report(struct device *dev, const struct hvv_blk_io *io);

#endif /* _HVV_BLK_IO_H */
