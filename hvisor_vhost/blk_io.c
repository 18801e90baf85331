// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk I/O engine: asynchronous kiocb I/O on the backing file, the
 * way drivers/block/loop.c does it, for image files and block devices alike.
 *
 * Reads and writes go straight from and into zone memory when it has
 * struct pages (it is in the linear map) and the request meets the file's
 * direct I/O alignment: they are submitted from the queue worker as direct,
 * asynchronous I/O (ITER_BVEC, IOCB_DIRECT, zero copy); the worker moves on
 * and ki_complete hands the request back. Zone memory without struct pages
 * (hvisor's usual no-map reservation) cannot be the target of a bio: an
 * aligned request then does the same direct I/O on bounce pages, copied
 * from the guest before a write and to the guest, by the worker, after a
 * read. Anything else is buffered I/O through the page cache, which
 * blocks, so it runs from an unbound workqueue, as do FLUSH (fdatasync),
 * DISCARD and WRITE_ZEROES (fallocate). A direct request the file refuses
 * (-EINVAL: alignment the probe did not predict) is retried buffered.
 *
 * The engine knows the backing and its own requests (blk_io.h), not the
 * device or the protocol that uses them: each request carries the backing
 * and a completion callback, which its user set. Errors go back to the
 * user with what the backing answered (hvv_blk_io_report() words them).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/blkdev.h>
#include <linux/falloc.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "blk_io.h"

/* Zero pages per write when WRITE_ZEROES falls back to writing. */
#define HVV_BLK_ZERO_PAGES	16
/*
 * Bounce pages the requests of one backing may hold at once (32 MiB):
 * requests beyond are served through the page cache, which pins nothing.
 * A guest's request may be 4 GiB long.
 */
#define HVV_BLK_BOUNCE_PAGES	(SZ_32M >> PAGE_SHIFT)
/*
 * Blocking requests of one backing that run at once, each in a kworker
 * (the rest wait in its workqueue): as many threads as QEMU's thread pool
 * may take for a guest.
 */
#define HVV_BLK_WQ_ACTIVE	64

static bool blk_zero_copy = true;
module_param(blk_zero_copy, bool, 0644);
MODULE_PARM_DESC(blk_zero_copy,
		 "blk: direct I/O into zone memory that has struct pages (default); N: through bounce pages or the page cache, as zone memory without struct pages is");

/* Hand the request back to its user: do not touch it afterwards. */
static void hvv_blk_io_end(struct hvv_blk_io *io, bool ok, long err)
{
	if (ok) {
		io->end_io(io, BLK_STS_OK);
		return;
	}
	io->error = err;
	io->end_io(io, BLK_STS_IOERR);
}

static void hvv_blk_end_write(struct hvv_blk_io *io)
{
	if (io->flags & HVV_BLK_IO_STARTED) {
		io->flags &= ~HVV_BLK_IO_STARTED;
		kiocb_end_write(&io->iocb);
	}
}

/**
 * hvv_blk_io_report - say what the backing answered to a failed request
 * @dev: the device the message is about
 * @io: a request its end_io saw fail (@io->error set)
 *
 * Rate limited; any context.
 */
void hvv_blk_io_report(struct device *dev, const struct hvv_blk_io *io)
{
	static const char * const ops[] = {
		[HVV_BLK_OP_READ] = "read",
		[HVV_BLK_OP_WRITE] = "write",
		[HVV_BLK_OP_FLUSH] = "flush",
		[HVV_BLK_OP_DISCARD] = "discard",
		[HVV_BLK_OP_WRITE_ZEROES] = "write zeroes",
	};

	if (io->op == HVV_BLK_OP_READ || io->op == HVV_BLK_OP_WRITE)
		dev_warn_ratelimited(dev, "%s of %zu bytes at %lld: %ld\n",
				     ops[io->op], io->len, io->pos, io->error);
	else
		dev_warn_ratelimited(dev, "%s: %ld\n", ops[io->op],
				     io->error);
}

static void hvv_blk_rw_end(struct hvv_blk_io *io, long ret)
{
	hvv_blk_end_write(io);
	/* A short transfer is an error too, even of 0 bytes. */
	hvv_blk_io_end(io, ret == io->len, ret);
}

/* Direct I/O the file would not take: do it through the page cache. */
static bool hvv_blk_dio_refused(struct hvv_blk_io *io, long ret)
{
	if (!(io->flags & HVV_BLK_IO_DIRECT) ||
	    (ret != -EINVAL && ret != -ENOTBLK))
		return false;
	hvv_blk_end_write(io);
	io->flags &= ~HVV_BLK_IO_DIRECT;
	queue_work(io->backing->wq, &io->work);
	return true;
}

/* ki_complete: any context, interrupts included. */
static void hvv_blk_aio_complete(struct kiocb *iocb, long ret)
{
	struct hvv_blk_io *io = container_of(iocb, struct hvv_blk_io, iocb);

	if (!hvv_blk_dio_refused(io, ret))
		hvv_blk_rw_end(io, ret);
}

/*
 * Start a read or write. Direct requests are asynchronous (-EIOCBQUEUED
 * unless the file completed or refused them at once); buffered ones are
 * synchronous.
 */
static ssize_t hvv_blk_rw(struct hvv_blk_io *io)
{
	struct file *file = io->backing->file;
	bool write = io->op == HVV_BLK_OP_WRITE;
	unsigned int dir = write ? ITER_SOURCE : ITER_DEST;
	struct kiocb *iocb = &io->iocb;
	struct iov_iter iter;

	if (io->flags & HVV_BLK_IO_BOUNCE)
		iov_iter_bvec(&iter, dir, io->bounce, io->nr_bounce,
			      io->len);
	else if (io->flags & HVV_BLK_IO_PAGES)
		iov_iter_bvec(&iter, dir, io->bvec, io->nr_vecs, io->len);
	else
		iov_iter_kvec(&iter, dir, io->kvec, io->nr_vecs, io->len);
	init_sync_kiocb(iocb, file);
	iocb->ki_pos = io->pos;
	/* Our own choice of direct I/O; never at the end of the file. */
	iocb->ki_flags &= ~(IOCB_APPEND | IOCB_DIRECT);
	if (io->flags & HVV_BLK_IO_DIRECT) {
		iocb->ki_flags |= IOCB_DIRECT;
		iocb->ki_complete = hvv_blk_aio_complete;
	}
	if (!write)
		return file->f_op->read_iter(iocb, &iter);
	if (io->flags & HVV_BLK_IO_FUA)
		iocb->ki_flags |= IOCB_DSYNC;
	if (S_ISREG(file_inode(file)->i_mode)) {
		kiocb_start_write(iocb);
		io->flags |= HVV_BLK_IO_STARTED;
	}
	return file->f_op->write_iter(iocb, &iter);
}

/* Write zeroes by writing zero pages (no fallocate mode worked). */
static int hvv_blk_write_zero_pages(struct file *file, loff_t pos, loff_t len)
{
	struct bio_vec bv[HVV_BLK_ZERO_PAGES];
	struct iov_iter iter;
	unsigned int i;
	ssize_t ret;
	size_t n;

	for (i = 0; i < ARRAY_SIZE(bv); i++) {
		bv[i].bv_page = ZERO_PAGE(0);
		bv[i].bv_offset = 0;
		bv[i].bv_len = PAGE_SIZE;
	}
	while (len > 0) {
		n = min_t(loff_t, len, ARRAY_SIZE(bv) * PAGE_SIZE);
		iov_iter_bvec(&iter, ITER_SOURCE, bv, DIV_ROUND_UP(n, PAGE_SIZE),
			      n);
		file_start_write(file);
		ret = vfs_iter_write(file, &iter, &pos, 0);
		file_end_write(file);
		if (ret <= 0)
			return ret ? ret : -EIO;
		len -= ret;
		cond_resched();
	}
	return 0;
}

static int hvv_blk_fallocate(struct file *file, int mode, loff_t pos,
			     loff_t len)
{
	return vfs_fallocate(file, mode | FALLOC_FL_KEEP_SIZE, pos, len);
}

static int hvv_blk_write_zeroes(struct hvv_blk_backing *b, loff_t pos,
				loff_t len, bool unmap)
{
	int ret;

	/* On a block device, PUNCH_HOLE is a write zeroes with unmap. */
	if (unmap) {
		ret = hvv_blk_fallocate(b->file, FALLOC_FL_PUNCH_HOLE, pos,
					len);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	ret = hvv_blk_fallocate(b->file, FALLOC_FL_ZERO_RANGE, pos, len);
	if (ret != -EOPNOTSUPP)
		return ret;
	if (!unmap && !b->bdev) {
		/* e.g. tmpfs: a hole reads back as zeroes too. */
		ret = hvv_blk_fallocate(b->file, FALLOC_FL_PUNCH_HOLE, pos,
					len);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	return hvv_blk_write_zero_pages(b->file, pos, len);
}

static int hvv_blk_discard(struct hvv_blk_backing *b, loff_t pos, loff_t len)
{
	int ret;

	if (b->bdev)
		ret = blkdev_issue_discard(b->bdev, pos >> SECTOR_SHIFT,
					   len >> SECTOR_SHIFT, GFP_KERNEL);
	else
		ret = hvv_blk_fallocate(b->file, FALLOC_FL_PUNCH_HOLE, pos,
					len);
	/* A discard is a hint: a backing that cannot is not an error. */
	return ret == -EOPNOTSUPP ? 0 : ret;
}

/* DISCARD and WRITE_ZEROES: the ranges were validated when parsed. */
static int hvv_blk_dwz(struct hvv_blk_io *io)
{
	struct hvv_blk_backing *b = io->backing;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < io->len && !ret; i++) {
		const struct virtio_blk_discard_write_zeroes *r =
			&io->ranges[i];
		loff_t pos = (loff_t)le64_to_cpu(r->sector) << SECTOR_SHIFT;
		loff_t len = (loff_t)le32_to_cpu(r->num_sectors) <<
			     SECTOR_SHIFT;

		if (!len)
			continue;
		if (io->op == HVV_BLK_OP_DISCARD)
			ret = hvv_blk_discard(b, pos, len);
		else
			ret = hvv_blk_write_zeroes(b, pos, len,
						   le32_to_cpu(r->flags) &
						  VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	}
	return ret;
}

/* Workqueue: what blocks. */
static void hvv_blk_io_work(struct work_struct *work)
{
	struct hvv_blk_io *io = container_of(work, struct hvv_blk_io, work);
	unsigned int noio;
	int ret;

	/*
	 * With the simulator, the zone is this very kernel: its reclaim may
	 * wait for our I/O, so our allocations must not wait for its.
	 */
	noio = memalloc_noio_save();
	switch (io->op) {
	case HVV_BLK_OP_READ:
	case HVV_BLK_OP_WRITE:
		hvv_blk_rw_end(io, hvv_blk_rw(io));
		break;
	default:
		if (io->op == HVV_BLK_OP_FLUSH)
			ret = vfs_fsync(io->backing->file, 1);
		else
			ret = hvv_blk_dwz(io);
		hvv_blk_io_end(io, !ret, ret);
		break;
	}
	memalloc_noio_restore(noio);
}

/**
 * hvv_blk_io_submit - start a request; it comes back through its end_io,
 *	from any context
 * @io: the request, set up, filled in and mapped; the caller's context
 *	(a queue worker), which it does not block on direct I/O
 */
void hvv_blk_io_submit(struct hvv_blk_io *io)
{
	ssize_t ret;

	if (io->flags & HVV_BLK_IO_DIRECT) {
		ret = hvv_blk_rw(io);
		if (ret == -EIOCBQUEUED || hvv_blk_dio_refused(io, ret))
			return;
		hvv_blk_rw_end(io, ret);
		return;
	}
	queue_work(io->backing->wq, &io->work);
}

/**
 * hvv_blk_io_setup - prepare a request once, before its first use
 * @io: the request (zeroed memory)
 * @backing: what it is done on
 * @end_io: its completion
 */
void hvv_blk_io_setup(struct hvv_blk_io *io, struct hvv_blk_backing *backing,
		      hvv_blk_end_io_t end_io)
{
	io->backing = backing;
	io->end_io = end_io;
	INIT_WORK(&io->work, hvv_blk_io_work);
}

/* Copy between the bounce pages and the guest's buffers (@kvec). */
static void hvv_blk_bounce_copy(struct hvv_blk_io *io, bool to_guest)
{
	struct iov_iter guest;
	unsigned int i;

	iov_iter_kvec(&guest, to_guest ? ITER_DEST : ITER_SOURCE, io->kvec,
		      io->nr_vecs, io->len);
	for (i = 0; i < io->nr_bounce; i++) {
		const struct bio_vec *bv = &io->bounce[i];

		if (to_guest)
			copy_page_to_iter(bv->bv_page, 0, bv->bv_len, &guest);
		else
			copy_page_from_iter(bv->bv_page, 0, bv->bv_len,
					    &guest);
	}
}

/*
 * Count the bounce pages of a request against its backing's budget.
 * Returns false if they do not fit.
 */
static bool hvv_blk_bounce_hold(struct hvv_blk_io *io)
{
	atomic_t *held = &io->backing->bounce_pages;
	size_t n = DIV_ROUND_UP(io->len, PAGE_SIZE);

	if (n > HVV_BLK_BOUNCE_PAGES)
		return false;
	if (atomic_add_return(n, held) > HVV_BLK_BOUNCE_PAGES) {
		atomic_sub(n, held);
		return false;
	}
	io->bounce_held = n;
	return true;
}

/* Pages for the I/O of a request whose zone memory has none. */
static int hvv_blk_bounce_alloc(struct hvv_blk_io *io, bool write)
{
	unsigned int i, n = io->bounce_held;

	io->bounce = kcalloc(n, sizeof(*io->bounce), GFP_KERNEL);
	if (!io->bounce)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page)
			return -ENOMEM;
		io->bounce[i].bv_page = page;
		io->bounce[i].bv_len = min_t(size_t, PAGE_SIZE,
					     io->len - i * PAGE_SIZE);
		io->nr_bounce = i + 1;
	}
	io->flags |= HVV_BLK_IO_BOUNCE;
	if (write)
		hvv_blk_bounce_copy(io, false);
	return 0;
}

/**
 * hvv_blk_io_finish - last step of a request that succeeded: a read
 *	through bounce pages reaches the guest
 * @io: the request, back from the engine with BLK_STS_OK; the user's
 *	context, when the guest's buffers may still be written
 */
void hvv_blk_io_finish(struct hvv_blk_io *io)
{
	if (hvv_blk_io_needs_finish(io))
		hvv_blk_bounce_copy(io, true);
}

/*
 * The data of a request, piece by piece (one per non-empty segment), from
 * the kvec iterator its user gave: where each piece lies decides how the
 * request is served, and the pieces are kept as pages or kernel addresses.
 *
 * This walk reads the iterator's segments itself because the block layer
 * cannot: iov_iter_get_pages2() refuses ITER_KVEC on 6.1 (-EFAULT), and
 * where later kernels take pages of a kvec (iov_iter_extract_pages(), for
 * bio_iov_iter_get_pages()), they use virt_to_page(), which is wrong for
 * zone memory without struct pages. No iov_iter interface tells either
 * whether a piece has struct pages. And the pieces must be copied in any
 * case: the chain's segments do not outlive its pop.
 */
struct hvv_blk_walk {
	const struct kvec *seg;	/* next segment */
	const struct kvec *end;	/* past the last segment */
	size_t skip;			/* bytes still to skip */
	size_t left;			/* bytes still to walk */
};

static void hvv_blk_walk_init(struct hvv_blk_walk *w,
			      const struct iov_iter *data, size_t len)
{
	w->seg = data->kvec;
	w->end = data->kvec + data->nr_segs;
	w->skip = data->iov_offset;
	w->left = len;
}

static bool hvv_blk_walk_next(struct hvv_blk_walk *w, void **va, size_t *len)
{
	while (w->seg < w->end && w->left) {
		const struct kvec *seg = w->seg++;

		if (w->skip >= seg->iov_len) {
			w->skip -= seg->iov_len;
			continue;
		}
		*va = seg->iov_base + w->skip;
		*len = min(seg->iov_len - w->skip, w->left);
		w->skip = 0;
		w->left -= *len;
		return true;
	}
	return false;
}

/**
 * hvv_blk_io_map - describe a request's data buffers for the I/O
 * @io: the request, with @op, @pos and @len set
 * @data: the buffers, a kvec iterator over zone memory (ITER_KVEC) of at
 *	least @len bytes, e.g. part of a chain (hvv_chain_iter_out() or
 *	hvv_chain_iter_in()); not advanced, and not used after the call
 *
 * Chooses how the request is served: direct I/O into zone memory that has
 * struct pages, direct I/O through bounce pages for zone memory without,
 * or buffered I/O when the file cannot take this request directly (see
 * the top of this file). Worker context.
 *
 * Return: 0, -ENOMEM (hvv_blk_io_unmap() frees what was allocated), or
 * -EINVAL if @data is not a kvec iterator of @len bytes (a bug).
 */
int hvv_blk_io_map(struct hvv_blk_io *io, const struct iov_iter *data)
{
	const struct hvv_blk_backing *b = io->backing;
	bool pages = READ_ONCE(blk_zero_copy), aligned, dio;
	struct hvv_blk_walk walk;
	unsigned int n = 0;
	size_t len;
	void *va;

	if (WARN_ON_ONCE(!iov_iter_is_kvec(data) ||
			 iov_iter_count(data) < io->len))
		return -EINVAL;
	/* Direct I/O on bounce pages needs only the file range aligned. */
	dio = b->dio && !((io->pos | io->len) & b->dio_off_mask);
	aligned = dio;
	hvv_blk_walk_init(&walk, data, io->len);
	while (hvv_blk_walk_next(&walk, &va, &len)) {
		if (!virt_addr_valid(va) || !virt_addr_valid(va + len - 1))
			pages = false;
		if ((uintptr_t)va & b->dio_mem_mask || len & b->dio_off_mask)
			aligned = false;
		n++;
	}
	if (WARN_ON_ONCE(walk.left))
		return -EINVAL;

	/* struct bio_vec and struct kvec are both two words. */
	BUILD_BUG_ON(sizeof(struct bio_vec) != sizeof(struct kvec));
	io->vecs = io->inline_vecs.bvec;
	if (n > HVV_BLK_INLINE_VECS) {
		io->vecs = kmalloc_array(n, sizeof(struct bio_vec), GFP_KERNEL);
		if (!io->vecs)
			return -ENOMEM;
	}
	io->nr_vecs = n;
	if (pages)
		io->flags |= HVV_BLK_IO_PAGES;

	hvv_blk_walk_init(&walk, data, io->len);
	for (n = 0; hvv_blk_walk_next(&walk, &va, &len); n++) {
		if (pages) {
			io->bvec[n].bv_page = virt_to_page(va);
			io->bvec[n].bv_offset = offset_in_page(va);
			io->bvec[n].bv_len = len;
		} else {
			io->kvec[n].iov_base = va;
			io->kvec[n].iov_len = len;
		}
	}

	if (pages && aligned) {
		io->flags |= HVV_BLK_IO_DIRECT;
	} else if (!pages && dio && hvv_blk_bounce_hold(io)) {
		if (hvv_blk_bounce_alloc(io, io->op == HVV_BLK_OP_WRITE))
			return -ENOMEM;
		io->flags |= HVV_BLK_IO_DIRECT;
	}
	return 0;
}

/**
 * hvv_blk_io_unmap - free what hvv_blk_io_map() allocated, or the user's
 *	@ranges
 * @io: the request
 */
void hvv_blk_io_unmap(struct hvv_blk_io *io)
{
	unsigned int i;

	if (io->vecs != (void *)&io->inline_vecs)
		kfree(io->vecs);
	io->vecs = NULL;
	for (i = 0; i < io->nr_bounce; i++)
		__free_page(io->bounce[i].bv_page);
	kfree(io->bounce);
	io->bounce = NULL;
	io->nr_bounce = 0;
	atomic_sub(io->bounce_held, &io->backing->bounce_pages);
	io->bounce_held = 0;
}

/* Regular file: 512-byte blocks; direct I/O as statx reports it. */
static void hvv_blk_probe_file(struct hvv_blk_backing *b)
{
	struct inode *inode = file_inode(b->file);
	struct super_block *sb = inode->i_sb;
	u32 bs = max_t(u32, sb->s_blocksize, SECTOR_SIZE);
	u32 off = 0, mem = 0;
	struct kstat st = {};

	if (b->file->f_mode & FMODE_CAN_ODIRECT) {
		if (!vfs_getattr(&b->file->f_path, &st, STATX_DIOALIGN,
				 AT_STATX_SYNC_AS_STAT) &&
		    st.result_mask & STATX_DIOALIGN) {
			off = st.dio_offset_align;
			mem = st.dio_mem_align;
		} else {
			/* No report: a guess; a refusal falls back. */
			off = sb->s_bdev ? bdev_logical_block_size(sb->s_bdev) :
					   PAGE_SIZE;
			mem = off;
		}
	}
	b->dio = off && mem && is_power_of_2(off) && is_power_of_2(mem);
	if (b->dio) {
		b->dio_off_mask = off - 1;
		b->dio_mem_mask = mem - 1;
	}
	b->lbs = SECTOR_SIZE;
	b->pbs = bs;
	if (b->dio && off > bs)
		b->pbs = off;
	b->io_min = b->pbs;
	b->io_opt = 0;
	b->discard = true;
	b->discard_granularity = bs;
}

/* Block device: its own limits. */
static void hvv_blk_probe_bdev(struct hvv_blk_backing *b)
{
	struct block_device *bdev = b->bdev;

	b->lbs = bdev_logical_block_size(bdev);
	b->pbs = max(bdev_physical_block_size(bdev), b->lbs);
	b->io_min = max(bdev_io_min(bdev), b->lbs);
	b->io_opt = max(bdev_io_opt(bdev), 0);
	b->dio = b->file->f_mode & FMODE_CAN_ODIRECT;
	b->dio_off_mask = b->lbs - 1;
	b->dio_mem_mask = bdev_dma_alignment(bdev);
	b->discard = bdev_max_discard_sectors(bdev);
	b->discard_granularity = max(bdev_discard_granularity(bdev), b->lbs);
}

/**
 * hvv_blk_io_open - take the backing file from the caller's descriptor
 * @b: filled in
 * @fd: the descriptor (caller's context: the HVV_DEV_ADD ioctl)
 * @ro: read-only device: the file need not be writable
 * @name: the device's name, for its workqueue's ("hvv_blk-<name>")
 *
 * Return: 0, -EBADF (not open, or not for reading and, unless @ro,
 * writing), -EINVAL (neither a regular file nor a block device) or
 * -ENOMEM.
 */
int hvv_blk_io_open(struct hvv_blk_backing *b, int fd, bool ro,
		    const char *name)
{
	struct file *file = fget(fd);
	umode_t mode;

	if (!file) {
		pr_err("blk: backend fd %d is not open\n", fd);
		return -EBADF;
	}
	mode = file_inode(file)->i_mode;
	if (!S_ISREG(mode) && !S_ISBLK(mode)) {
		pr_err("blk: the backend is not a regular file or a block device\n");
		fput(file);
		return -EINVAL;
	}
	if (!(file->f_mode & FMODE_READ) || !file->f_op->read_iter) {
		pr_err("blk: the backend is not open for reading\n");
		fput(file);
		return -EBADF;
	}
	if (!ro && (!(file->f_mode & FMODE_WRITE) ||
		    !file->f_op->write_iter)) {
		pr_err("blk: the backend is not open for writing (use ro=1 for a read-only device)\n");
		fput(file);
		return -EBADF;
	}
	b->wq = alloc_workqueue("hvv_blk-%s", WQ_UNBOUND, HVV_BLK_WQ_ACTIVE,
				name);
	if (!b->wq) {
		fput(file);
		return -ENOMEM;
	}
	b->file = file;
	if (S_ISBLK(mode)) {
		b->bdev = I_BDEV(file->f_mapping->host);
		hvv_blk_probe_bdev(b);
	} else {
		hvv_blk_probe_file(b);
	}
	return 0;
}

/**
 * hvv_blk_io_close - drop the backing file
 * @b: opened by hvv_blk_io_open() (or not: then nothing is done), with
 *	no request in the engine
 */
void hvv_blk_io_close(struct hvv_blk_backing *b)
{
	if (b->wq)
		destroy_workqueue(b->wq);
	b->wq = NULL;
	if (b->file)
		fput(b->file);
	b->file = NULL;
	b->bdev = NULL;
}

/**
 * hvv_blk_io_size - the backing file's size now
 * @b: the backing
 *
 * Return: bytes.
 */
loff_t hvv_blk_io_size(const struct hvv_blk_backing *b)
{
	if (b->bdev)
		return bdev_nr_bytes(b->bdev);
	return i_size_read(file_inode(b->file));
}
