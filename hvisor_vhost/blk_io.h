/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The block I/O engine (blk_io.c): asynchronous I/O on an image file or a
 * block device, into and out of zone memory. It knows the backing and its
 * own requests, nothing of the device, its queues or the virtio protocol
 * that uses it.
 *
 * Its user embeds a struct hv_blk_io in each of its requests, sets it up
 * once (hv_blk_io_setup()) with the backing and a completion callback,
 * and for each request fills in @op, @pos, @len and @flags, describes the
 * data (hv_blk_io_map(), or @ranges) and submits it (hv_blk_io_submit()).
 * The callback runs exactly once per submitted request, in any context,
 * interrupts included; after it returns the engine does not touch the
 * request again. hv_blk_io_unmap() frees what a request allocated.
 */
#ifndef _HV_BLK_IO_H
#define _HV_BLK_IO_H

#include <linux/blk_types.h>
#include <linux/bvec.h>
#include <linux/fs.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <uapi/linux/virtio_blk.h>

struct device;

#define HV_BLK_INLINE_VECS	4

/* What a request asks of the backing. */
enum hv_blk_op {
	HV_BLK_OP_READ,
	HV_BLK_OP_WRITE,
	HV_BLK_OP_FLUSH,
	HV_BLK_OP_DISCARD,
	HV_BLK_OP_WRITE_ZEROES,
};

/* hv_blk_io.flags: the user's */
#define HV_BLK_IO_FUA		BIT(0)	/* write through (no FLUSH feature) */
/* ... and the engine's own */
#define HV_BLK_IO_PAGES		BIT(1)	/* @bvec, not @kvec */
#define HV_BLK_IO_DIRECT	BIT(2)	/* try direct I/O */
#define HV_BLK_IO_STARTED	BIT(3)	/* kiocb_start_write() done */
#define HV_BLK_IO_BOUNCE	BIT(4)	/* I/O on @bounce, @kvec is the guest's */

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
 *
 * Written by hv_blk_io_open() and hv_blk_io_close() only, while no request
 * is in the engine; read-only in between.
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

struct hv_blk_io;

/**
 * typedef hv_blk_end_io_t - a submitted request is done
 * @io: the request; its user's again
 * @status: BLK_STS_OK, or BLK_STS_IOERR with @io->error set
 *
 * Any context, interrupts included.
 */
typedef void (*hv_blk_end_io_t)(struct hv_blk_io *io, blk_status_t status);

/**
 * struct hv_blk_io - one request of the engine
 * @backing: the backing it is done on; set by hv_blk_io_setup()
 * @end_io: its completion; set by hv_blk_io_setup()
 * @op: HV_BLK_OP_*, set by the user
 * @flags: HV_BLK_IO_*: the user clears them before hv_blk_io_map() and
 *	may set HV_BLK_IO_FUA; the engine owns the others
 * @pos: file offset (bytes), set by the user for a read or write
 * @len: bytes to transfer, or the number of @ranges; set by the user
 * @error: what the backing answered when @end_io gets BLK_STS_IOERR: a
 *	negative errno, or the bytes a read or write moved instead of @len
 * @nr_vecs: entries of @bvec or @kvec
 * @vecs: @bvec, @kvec or @ranges: @inline_vecs or kmalloc()ed, or NULL
 * @bvec: data buffers as pages (zone memory in the linear map)
 * @kvec: data buffers as kernel addresses (any zone memory)
 * @ranges: DISCARD and WRITE_ZEROES segments, kmalloc()ed, copied and
 *	validated by the user (the engine frees them in hv_blk_io_unmap())
 * @inline_vecs: storage for small @bvec / @kvec arrays
 * @bounce: pages the I/O uses instead of zone memory without struct pages
 * @nr_bounce: entries of @bounce
 * @iocb: the I/O
 * @work: punted I/O (buffered, flush, discard, write zeroes)
 *
 * Between hv_blk_io_submit() and @end_io the request is the engine's;
 * before and after, its user's. No field is shared: no lock.
 */
struct hv_blk_io {
	struct hv_blk_backing *backing;
	hv_blk_end_io_t end_io;
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
		struct bio_vec bvec[HV_BLK_INLINE_VECS];
		struct kvec kvec[HV_BLK_INLINE_VECS];
	} inline_vecs;
	struct bio_vec *bounce;
	unsigned int nr_bounce;
	struct kiocb iocb;
	struct work_struct work;
};

int hv_blk_io_init(void);
void hv_blk_io_exit(void);
int hv_blk_io_open(struct hv_blk_backing *b, int fd, bool ro);
void hv_blk_io_close(struct hv_blk_backing *b);
loff_t hv_blk_io_size(const struct hv_blk_backing *b);
void hv_blk_io_setup(struct hv_blk_io *io, struct hv_blk_backing *backing,
		     hv_blk_end_io_t end_io);
int hv_blk_io_map(struct hv_blk_io *io, const struct kvec *segs,
		  unsigned int nr_segs, size_t skip);
void hv_blk_io_unmap(struct hv_blk_io *io);
void hv_blk_io_submit(struct hv_blk_io *io);
void hv_blk_io_finish(struct hv_blk_io *io);
void hv_blk_io_report(struct device *dev, const struct hv_blk_io *io);

#endif /* _HV_BLK_IO_H */
