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
 * Every request handed to the engine holds a reference on the device's
 * in-flight count until its completion is queued for the worker; removal
 * kills the count and waits for it to drain. It is also counted as busy
 * until then: a reset waits for that count to reach zero, so that no read
 * writes into zone memory after the driver was told the reset is done.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/blkdev.h>
#include <linux/falloc.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "blk.h"

/* Zero pages per write when WRITE_ZEROES falls back to writing. */
#define HV_BLK_ZERO_PAGES	16

static bool blk_zero_copy = true;
module_param(blk_zero_copy, bool, 0644);
MODULE_PARM_DESC(blk_zero_copy,
		 "blk: direct I/O into zone memory that has struct pages (default); N: through bounce pages or the page cache, as zone memory without struct pages is");

static struct workqueue_struct *hv_blk_wq;

static struct hv_blk_backing *hv_blk_req_io(struct hv_blk_req *req)
{
	return &req->q->blk->io;
}

/* Hand the request back to its queue and drop its in-flight reference. */
static void hv_blk_io_end(struct hv_blk_req *req, u8 status)
{
	struct hv_blk *blk = req->q->blk;

	req->result = status;
	hv_blk_req_done(req);
	/* The request is the worker's again: do not touch it. */
	hv_blk_idle_put(blk);
	percpu_ref_put(&blk->inflight);
}

static void hv_blk_end_write(struct hv_blk_req *req)
{
	if (req->flags & HV_BLK_REQ_STARTED) {
		req->flags &= ~HV_BLK_REQ_STARTED;
		kiocb_end_write(&req->iocb);
	}
}

/* The guest only sees IOERR: say what the backing said. */
static void hv_blk_io_error(struct hv_blk_req *req, long err)
{
	static const char * const ops[] = {
		[HV_BLK_OP_READ] = "read",
		[HV_BLK_OP_WRITE] = "write",
		[HV_BLK_OP_FLUSH] = "flush",
		[HV_BLK_OP_DISCARD] = "discard",
		[HV_BLK_OP_WRITE_ZEROES] = "write zeroes",
	};

	if (req->op == HV_BLK_OP_READ || req->op == HV_BLK_OP_WRITE)
		dev_warn_ratelimited(req->q->blk->dev.sysdev,
				     "%s of %zu bytes at %lld: %ld\n",
				     ops[req->op], req->len, req->pos, err);
	else
		dev_warn_ratelimited(req->q->blk->dev.sysdev, "%s: %ld\n",
				     ops[req->op], err);
}

static void hv_blk_rw_end(struct hv_blk_req *req, long ret)
{
	hv_blk_end_write(req);
	if (ret != req->len)
		hv_blk_io_error(req, ret);
	hv_blk_io_end(req, ret == req->len ? VIRTIO_BLK_S_OK :
					     VIRTIO_BLK_S_IOERR);
}

/* Direct I/O the file would not take: do it through the page cache. */
static bool hv_blk_dio_refused(struct hv_blk_req *req, long ret)
{
	if (!(req->flags & HV_BLK_REQ_DIRECT) ||
	    (ret != -EINVAL && ret != -ENOTBLK))
		return false;
	hv_blk_end_write(req);
	req->flags &= ~HV_BLK_REQ_DIRECT;
	queue_work(hv_blk_wq, &req->work);
	return true;
}

/* ki_complete: any context, interrupts included. */
static void hv_blk_aio_complete(struct kiocb *iocb, long ret)
{
	struct hv_blk_req *req = container_of(iocb, struct hv_blk_req, iocb);

	if (!hv_blk_dio_refused(req, ret))
		hv_blk_rw_end(req, ret);
}

/*
 * Start a read or write. Direct requests are asynchronous (-EIOCBQUEUED
 * unless the file completed or refused them at once); buffered ones are
 * synchronous.
 */
static ssize_t hv_blk_rw(struct hv_blk_req *req)
{
	struct file *file = hv_blk_req_io(req)->file;
	bool write = req->op == HV_BLK_OP_WRITE;
	unsigned int dir = write ? ITER_SOURCE : ITER_DEST;
	struct kiocb *iocb = &req->iocb;
	struct iov_iter iter;

	if (req->flags & HV_BLK_REQ_BOUNCE)
		iov_iter_bvec(&iter, dir, req->bounce, req->nr_bounce,
			      req->len);
	else if (req->flags & HV_BLK_REQ_PAGES)
		iov_iter_bvec(&iter, dir, req->bvec, req->nr_vecs, req->len);
	else
		iov_iter_kvec(&iter, dir, req->kvec, req->nr_vecs, req->len);
	init_sync_kiocb(iocb, file);
	iocb->ki_pos = req->pos;
	/* Our own choice of direct I/O; never at the end of the file. */
	iocb->ki_flags &= ~(IOCB_APPEND | IOCB_DIRECT);
	if (req->flags & HV_BLK_REQ_DIRECT) {
		iocb->ki_flags |= IOCB_DIRECT;
		iocb->ki_complete = hv_blk_aio_complete;
	}
	if (!write)
		return file->f_op->read_iter(iocb, &iter);
	if (req->flags & HV_BLK_REQ_FUA)
		iocb->ki_flags |= IOCB_DSYNC;
	if (S_ISREG(file_inode(file)->i_mode)) {
		kiocb_start_write(iocb);
		req->flags |= HV_BLK_REQ_STARTED;
	}
	return file->f_op->write_iter(iocb, &iter);
}

/* Write zeroes by writing zero pages (no fallocate mode worked). */
static int hv_blk_write_zero_pages(struct file *file, loff_t pos, loff_t len)
{
	struct bio_vec bv[HV_BLK_ZERO_PAGES];
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

static int hv_blk_fallocate(struct file *file, int mode, loff_t pos,
			    loff_t len)
{
	return vfs_fallocate(file, mode | FALLOC_FL_KEEP_SIZE, pos, len);
}

static int hv_blk_write_zeroes(struct hv_blk_backing *io, loff_t pos,
			       loff_t len, bool unmap)
{
	int ret;

	/* On a block device, PUNCH_HOLE is a write zeroes with unmap. */
	if (unmap) {
		ret = hv_blk_fallocate(io->file, FALLOC_FL_PUNCH_HOLE, pos,
				       len);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	ret = hv_blk_fallocate(io->file, FALLOC_FL_ZERO_RANGE, pos, len);
	if (ret != -EOPNOTSUPP)
		return ret;
	if (!unmap && !io->bdev) {
		/* e.g. tmpfs: a hole reads back as zeroes too. */
		ret = hv_blk_fallocate(io->file, FALLOC_FL_PUNCH_HOLE, pos,
				       len);
		if (ret != -EOPNOTSUPP)
			return ret;
	}
	return hv_blk_write_zero_pages(io->file, pos, len);
}

static int hv_blk_discard(struct hv_blk_backing *io, loff_t pos, loff_t len)
{
	int ret;

	if (io->bdev)
		ret = blkdev_issue_discard(io->bdev, pos >> SECTOR_SHIFT,
					   len >> SECTOR_SHIFT, GFP_KERNEL);
	else
		ret = hv_blk_fallocate(io->file, FALLOC_FL_PUNCH_HOLE, pos,
				       len);
	/* A discard is a hint: a backing that cannot is not an error. */
	return ret == -EOPNOTSUPP ? 0 : ret;
}

/* DISCARD and WRITE_ZEROES: the ranges were validated when parsed. */
static int hv_blk_dwz(struct hv_blk_req *req)
{
	struct hv_blk_backing *io = hv_blk_req_io(req);
	unsigned int i;
	int ret = 0;

	for (i = 0; i < req->len && !ret; i++) {
		const struct virtio_blk_discard_write_zeroes *r =
			&req->ranges[i];
		loff_t pos = (loff_t)le64_to_cpu(r->sector) << SECTOR_SHIFT;
		loff_t len = (loff_t)le32_to_cpu(r->num_sectors) <<
			     SECTOR_SHIFT;

		if (!len)
			continue;
		if (req->op == HV_BLK_OP_DISCARD)
			ret = hv_blk_discard(io, pos, len);
		else
			ret = hv_blk_write_zeroes(io, pos, len,
						  le32_to_cpu(r->flags) &
						  VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	}
	return ret;
}

/* Workqueue: what blocks. */
static void hv_blk_io_work(struct work_struct *work)
{
	struct hv_blk_req *req = container_of(work, struct hv_blk_req, work);
	unsigned int noio;
	int ret;

	/*
	 * With the simulator, the zone is this very kernel: its reclaim may
	 * wait for our I/O, so our allocations must not wait for its.
	 */
	noio = memalloc_noio_save();
	switch (req->op) {
	case HV_BLK_OP_READ:
	case HV_BLK_OP_WRITE:
		hv_blk_rw_end(req, hv_blk_rw(req));
		break;
	default:
		if (req->op == HV_BLK_OP_FLUSH)
			ret = vfs_fsync(hv_blk_req_io(req)->file, 1);
		else
			ret = hv_blk_dwz(req);
		if (ret)
			hv_blk_io_error(req, ret);
		hv_blk_io_end(req, ret ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
		break;
	}
	memalloc_noio_restore(noio);
}

/**
 * hv_blk_io_submit - start a request; it comes back through
 *	hv_blk_req_done(), from any context
 * @req: the request, holding a reference on the in-flight count; worker
 *	context
 */
void hv_blk_io_submit(struct hv_blk_req *req)
{
	ssize_t ret;

	if (req->flags & HV_BLK_REQ_DIRECT) {
		ret = hv_blk_rw(req);
		if (ret == -EIOCBQUEUED || hv_blk_dio_refused(req, ret))
			return;
		hv_blk_rw_end(req, ret);
		return;
	}
	queue_work(hv_blk_wq, &req->work);
}

/**
 * hv_blk_io_init_req - prepare a pool entry
 * @req: the request
 */
void hv_blk_io_init_req(struct hv_blk_req *req)
{
	INIT_WORK(&req->work, hv_blk_io_work);
}

/* Copy between the bounce pages and the guest's buffers (@kvec). */
static void hv_blk_bounce_copy(struct hv_blk_req *req, bool to_guest)
{
	struct iov_iter guest;
	unsigned int i;

	iov_iter_kvec(&guest, to_guest ? ITER_DEST : ITER_SOURCE, req->kvec,
		      req->nr_vecs, req->len);
	for (i = 0; i < req->nr_bounce; i++) {
		const struct bio_vec *bv = &req->bounce[i];

		if (to_guest)
			copy_page_to_iter(bv->bv_page, 0, bv->bv_len, &guest);
		else
			copy_page_from_iter(bv->bv_page, 0, bv->bv_len,
					    &guest);
	}
}

/* Pages for the I/O of a request whose zone memory has none. */
static int hv_blk_bounce_alloc(struct hv_blk_req *req, bool write)
{
	unsigned int i, n = DIV_ROUND_UP(req->len, PAGE_SIZE);

	req->bounce = kcalloc(n, sizeof(*req->bounce), GFP_KERNEL);
	if (!req->bounce)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page)
			return -ENOMEM;
		req->bounce[i].bv_page = page;
		req->bounce[i].bv_len = min_t(size_t, PAGE_SIZE,
					      req->len - i * PAGE_SIZE);
		req->nr_bounce = i + 1;
	}
	req->flags |= HV_BLK_REQ_BOUNCE;
	if (write)
		hv_blk_bounce_copy(req, false);
	return 0;
}

/**
 * hv_blk_io_finish - last step of a completed request, before its status
 *	is published: a read through bounce pages reaches the guest
 * @req: the request; worker context, the ring generation still current
 */
void hv_blk_io_finish(struct hv_blk_req *req)
{
	if (req->flags & HV_BLK_REQ_BOUNCE && req->op == HV_BLK_OP_READ &&
	    req->result == VIRTIO_BLK_S_OK)
		hv_blk_bounce_copy(req, true);
}

/* The data bytes of a request, piece by piece: one per segment. */
struct hv_blk_walk {
	const struct hv_chain *chain;
	unsigned int seg;	/* next segment */
	unsigned int end;	/* past the last segment */
	size_t skip;		/* bytes still to skip */
	size_t left;		/* bytes still to walk */
};

static void hv_blk_walk_init(struct hv_blk_walk *w,
			     const struct hv_chain *chain, bool writable,
			     size_t skip, size_t len)
{
	w->chain = chain;
	w->seg = writable ? chain->nr_out : 0;
	w->end = writable ? chain->nr_out + chain->nr_in : chain->nr_out;
	w->skip = skip;
	w->left = len;
}

static bool hv_blk_walk_next(struct hv_blk_walk *w, void **va, size_t *len)
{
	while (w->seg < w->end && w->left) {
		const struct hv_seg *seg = &w->chain->segs[w->seg++];

		if (w->skip >= seg->len) {
			w->skip -= seg->len;
			continue;
		}
		*va = seg->va + w->skip;
		*len = min(seg->len - w->skip, w->left);
		w->skip = 0;
		w->left -= *len;
		return true;
	}
	return false;
}

/**
 * hv_blk_io_map - describe a request's data buffers for the I/O
 * @req: the request, with @op, @pos and @len set
 * @chain: its chain
 * @writable: the data is in the writable segments (a read)
 * @skip: bytes of those segments before the data
 *
 * Chooses how the request is served: direct I/O into zone memory that has
 * struct pages, direct I/O through bounce pages for zone memory without,
 * or buffered I/O when the file cannot take this request directly (see
 * the top of this file). Worker context.
 *
 * Return: 0, or -ENOMEM (hv_blk_io_unmap() frees what was allocated).
 */
int hv_blk_io_map(struct hv_blk_req *req, const struct hv_chain *chain,
		  bool writable, size_t skip)
{
	const struct hv_blk_backing *io = hv_blk_req_io(req);
	bool pages = READ_ONCE(blk_zero_copy), aligned, dio;
	struct hv_blk_walk walk;
	unsigned int n = 0;
	size_t len;
	void *va;

	/* Direct I/O on bounce pages needs only the file range aligned. */
	dio = io->dio && !((req->pos | req->len) & io->dio_off_mask);
	aligned = dio;
	hv_blk_walk_init(&walk, chain, writable, skip, req->len);
	while (hv_blk_walk_next(&walk, &va, &len)) {
		if (!virt_addr_valid(va) || !virt_addr_valid(va + len - 1))
			pages = false;
		if ((uintptr_t)va & io->dio_mem_mask || len & io->dio_off_mask)
			aligned = false;
		n++;
	}
	if (WARN_ON_ONCE(walk.left))
		return -EINVAL;

	/* struct bio_vec and struct kvec are both two words. */
	BUILD_BUG_ON(sizeof(struct bio_vec) != sizeof(struct kvec));
	req->vecs = req->inline_vecs.bvec;
	if (n > HV_BLK_INLINE_VECS) {
		req->vecs = kmalloc_array(n, sizeof(struct bio_vec),
					  GFP_KERNEL);
		if (!req->vecs)
			return -ENOMEM;
	}
	req->nr_vecs = n;
	if (pages)
		req->flags |= HV_BLK_REQ_PAGES;

	hv_blk_walk_init(&walk, chain, writable, skip, req->len);
	for (n = 0; hv_blk_walk_next(&walk, &va, &len); n++) {
		if (pages) {
			req->bvec[n].bv_page = virt_to_page(va);
			req->bvec[n].bv_offset = offset_in_page(va);
			req->bvec[n].bv_len = len;
		} else {
			req->kvec[n].iov_base = va;
			req->kvec[n].iov_len = len;
		}
	}

	if (pages && aligned) {
		req->flags |= HV_BLK_REQ_DIRECT;
	} else if (!pages && dio) {
		if (hv_blk_bounce_alloc(req, req->op == HV_BLK_OP_WRITE))
			return -ENOMEM;
		req->flags |= HV_BLK_REQ_DIRECT;
	}
	return 0;
}

/**
 * hv_blk_io_unmap - free what hv_blk_io_map() (or the parser) allocated
 * @req: the request
 */
void hv_blk_io_unmap(struct hv_blk_req *req)
{
	unsigned int i;

	if (req->vecs != (void *)&req->inline_vecs)
		kfree(req->vecs);
	req->vecs = NULL;
	for (i = 0; i < req->nr_bounce; i++)
		__free_page(req->bounce[i].bv_page);
	kfree(req->bounce);
	req->bounce = NULL;
	req->nr_bounce = 0;
}

/* Regular file: 512-byte blocks; direct I/O as statx reports it. */
static void hv_blk_probe_file(struct hv_blk_backing *io)
{
	struct inode *inode = file_inode(io->file);
	struct super_block *sb = inode->i_sb;
	u32 bs = max_t(u32, sb->s_blocksize, SECTOR_SIZE);
	u32 off = 0, mem = 0;
	struct kstat st = {};

	if (io->file->f_mode & FMODE_CAN_ODIRECT) {
		if (!vfs_getattr(&io->file->f_path, &st, STATX_DIOALIGN,
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
	io->dio = off && mem && is_power_of_2(off) && is_power_of_2(mem);
	if (io->dio) {
		io->dio_off_mask = off - 1;
		io->dio_mem_mask = mem - 1;
	}
	io->lbs = SECTOR_SIZE;
	io->pbs = bs;
	if (io->dio && off > bs)
		io->pbs = off;
	io->io_min = io->pbs;
	io->io_opt = 0;
	io->discard = true;
	io->discard_granularity = bs;
}

/* Block device: its own limits. */
static void hv_blk_probe_bdev(struct hv_blk_backing *io)
{
	struct block_device *bdev = io->bdev;

	io->lbs = bdev_logical_block_size(bdev);
	io->pbs = max(bdev_physical_block_size(bdev), io->lbs);
	io->io_min = max(bdev_io_min(bdev), io->lbs);
	io->io_opt = max(bdev_io_opt(bdev), 0);
	io->dio = io->file->f_mode & FMODE_CAN_ODIRECT;
	io->dio_off_mask = io->lbs - 1;
	io->dio_mem_mask = bdev_dma_alignment(bdev);
	io->discard = bdev_max_discard_sectors(bdev);
	io->discard_granularity = max(bdev_discard_granularity(bdev), io->lbs);
}

/**
 * hv_blk_io_open - take the backing file from the caller's descriptor
 * @io: filled in
 * @fd: the descriptor (caller's context: the HVV_DEV_ADD ioctl)
 * @ro: read-only device: the file need not be writable
 *
 * Return: 0, -EBADF (not open, or not for reading and, unless @ro,
 * writing) or -EINVAL (neither a regular file nor a block device).
 */
int hv_blk_io_open(struct hv_blk_backing *io, int fd, bool ro)
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
	io->file = file;
	if (S_ISBLK(mode)) {
		io->bdev = I_BDEV(file->f_mapping->host);
		hv_blk_probe_bdev(io);
	} else {
		hv_blk_probe_file(io);
	}
	return 0;
}

/**
 * hv_blk_io_close - drop the backing file
 * @io: opened by hv_blk_io_open()
 */
void hv_blk_io_close(struct hv_blk_backing *io)
{
	if (io->file)
		fput(io->file);
	io->file = NULL;
	io->bdev = NULL;
}

/**
 * hv_blk_io_size - the backing file's size now
 * @io: the backing
 *
 * Return: bytes.
 */
loff_t hv_blk_io_size(const struct hv_blk_backing *io)
{
	if (io->bdev)
		return bdev_nr_bytes(io->bdev);
	return i_size_read(file_inode(io->file));
}

int hv_blk_io_init(void)
{
	/* Unbound; its CPUs: /sys/devices/virtual/workqueue/hv_blk/. */
	hv_blk_wq = alloc_workqueue("hv_blk", WQ_UNBOUND | WQ_SYSFS, 0);
	return hv_blk_wq ? 0 : -ENOMEM;
}

void hv_blk_io_exit(void)
{
	destroy_workqueue(hv_blk_wq);
}
