// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk backend: the device. Creation on an image file or a block
 * device, features, config space and serial, resize, the sysfs backend
 * text, removal, and the backend's registration. Its requests are blk.c's
 * (the request protocol), their I/O the engine's (blk_io.h).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/blkdev.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "backend.h"
#include "blk.h"

#define HVV_BLK_MAX		256	/* devices */
#define HVV_BLK_MAX_QUEUES	8
/* Data segments: an indirect table holds the header and status too. */
#define HVV_BLK_SEG_MAX		(HVV_BLK_QUEUE_SIZE - 2)
/* Any segment size works; this only bounds what the guest builds. */
#define HVV_BLK_SIZE_MAX		SZ_1M

static DEFINE_IDA(hvv_blk_ida);

static void hvv_blk_status_changed(struct hvv_dev *dev, u32 old, u32 status)
{
	struct hvv_blk *blk = to_blk(dev);
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

static ssize_t hvv_blk_backend_show(struct hvv_dev *dev, char *buf)
{
	struct hvv_blk *blk = to_blk(dev);
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

/*
 * Detached (removed while the driver runs): let go of the backing. What
 * was in flight has completed (shutdown) and the workers publish it;
 * later requests fail.
 */
static void hvv_blk_detach(struct hvv_dev *dev)
{
	hvv_blk_io_close(&to_blk(dev)->backing);
}

static void hvv_blk_free(struct hvv_blk *blk)
{
	hvv_blk_queues_free(blk, blk->dev.nr_queues);
	hvv_blk_inflight_exit(blk);
	hvv_blk_io_close(&blk->backing);
	ida_free(&hvv_blk_ida, blk->dev.index);
	kfree(blk);
}

static void hvv_blk_release(struct hvv_dev *dev)
{
	hvv_blk_free(to_blk(dev));
}

/**
 * hvv_blk_resize - take the backing's current size as the capacity and
 *	tell the driver (config interrupt)
 * @dev: a blk device
 *
 * Return: 0.
 */
static int hvv_blk_resize(struct hvv_dev *dev)
{
	struct hvv_blk *blk = to_blk(dev);
	u64 cap = hvv_blk_io_size(&blk->backing) >> SECTOR_SHIFT;
	__le64 le = cpu_to_le64(cap);

	WRITE_ONCE(blk->capacity, cap);
	hvv_dev_set_config(dev, offsetof(struct virtio_blk_config, capacity),
			   &le, sizeof(le), true);
	dev_info(dev->sysdev, "capacity %llu sectors\n", cap);
	return 0;
}

static const struct hvv_dev_ops hvv_blk_ops = {
	.type = "blk",
	.device_id = VIRTIO_ID_BLOCK,
	.handle_queue = hvv_blk_handle_queue,
	.quiesce = hvv_blk_quiesce,
	.status_changed = hvv_blk_status_changed,
	.backend_show = hvv_blk_backend_show,
	.resize = hvv_blk_resize,
	.can_detach = true,
	.shutdown = hvv_blk_shutdown,
	.detach = hvv_blk_detach,
	.release = hvv_blk_release,
};

static void hvv_blk_set_config(struct hvv_blk *blk)
{
	const struct hvv_blk_backing *b = &blk->backing;
	struct virtio_blk_config cfg = {};

	cfg.capacity = (__force __virtio64)cpu_to_le64(blk->capacity);
	cfg.size_max = (__force __virtio32)cpu_to_le32(HVV_BLK_SIZE_MAX);
	cfg.seg_max = (__force __virtio32)cpu_to_le32(HVV_BLK_SEG_MAX);
	cfg.blk_size = (__force __virtio32)cpu_to_le32(b->lbs);
	cfg.physical_block_exp = ilog2(b->pbs / b->lbs);
	cfg.min_io_size = (__force __virtio16)
		cpu_to_le16(min_t(u32, b->io_min / b->lbs, U16_MAX));
	cfg.opt_io_size = (__force __virtio32)cpu_to_le32(b->io_opt /
							  b->lbs);
	cfg.num_queues = (__force __virtio16)cpu_to_le16(blk->dev.nr_queues);
	cfg.max_discard_sectors = (__force __virtio32)
		cpu_to_le32(HVV_BLK_DWZ_SECTORS);
	cfg.max_discard_seg = (__force __virtio32)cpu_to_le32(HVV_BLK_DWZ_SEG);
	cfg.discard_sector_alignment = (__force __virtio32)
		cpu_to_le32(b->discard_granularity >> SECTOR_SHIFT);
	cfg.max_write_zeroes_sectors = (__force __virtio32)
		cpu_to_le32(HVV_BLK_DWZ_SECTORS);
	cfg.max_write_zeroes_seg = (__force __virtio32)
		cpu_to_le32(HVV_BLK_DWZ_SEG);
	cfg.write_zeroes_may_unmap = 1;
	hvv_dev_set_config(&blk->dev, 0, &cfg, sizeof(cfg), false);
}

static u64 hvv_blk_features(const struct hvv_blk *blk, unsigned int nr_queues)
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
static void hvv_blk_set_serial(struct hvv_blk *blk, const struct hvv_dev_config *ud)
{
	char id[32];

	if (ud->blk.serial[0]) {
		memcpy(blk->serial, ud->blk.serial, VIRTIO_BLK_ID_BYTES);
		return;
	}
	snprintf(id, sizeof(id), "hvisor-%u-%u", ud->zone_id, blk->dev.index);
	memcpy(blk->serial, id, min(strlen(id), sizeof(blk->serial)));
}

/**
 * hvv_blk_create - create a virtio-blk device on an image file or block
 *	device
 * @ud: from userspace: backend_fd (open for reading, and writing unless
 *	HVV_BLK_F_RO), queues (0 = 1, up to 8), blk.serial; its flags and
 *	padding are checked by ctl.c
 *
 * Runs in the caller's context, where @ud->backend_fd is looked up.
 *
 * Return: the device or an ERR_PTR.
 */
static struct hvv_dev *hvv_blk_create(const struct hvv_dev_config *ud)
{
	unsigned int nr_queues = ud->queues ? ud->queues : 1;
	struct hvv_blk *blk;
	int index, ret;

	if (nr_queues > HVV_BLK_MAX_QUEUES) {
		pr_err("blk: queues=%u: 1 to %u\n", ud->queues,
		       HVV_BLK_MAX_QUEUES);
		return ERR_PTR(-EINVAL);
	}
	if (ud->backend_fd < 0) {
		pr_err("blk: needs an image file or a block device\n");
		return ERR_PTR(-EBADF);
	}
	index = ida_alloc_max(&hvv_blk_ida, HVV_BLK_MAX - 1, GFP_KERNEL);
	if (index < 0)
		return ERR_PTR(index);
	blk = kzalloc(sizeof(*blk), GFP_KERNEL);
	if (!blk) {
		ida_free(&hvv_blk_ida, index);
		return ERR_PTR(-ENOMEM);
	}
	blk->dev.index = index;
	snprintf(blk->dev.name, sizeof(blk->dev.name), "blk%d", index);
	blk->dev.flags = ud->blk.flags;
	blk->ro = ud->blk.flags & HVV_BLK_F_RO;
	/* From here on, hvv_blk_free() undoes everything. */
	ret = hvv_blk_inflight_init(blk);
	if (ret) {
		ida_free(&hvv_blk_ida, index);
		kfree(blk);
		return ERR_PTR(ret);
	}
	ret = hvv_blk_io_open(&blk->backing, ud->backend_fd, blk->ro,
			      blk->dev.name);
	if (ret)
		goto err_free;
	blk->capacity = hvv_blk_io_size(&blk->backing) >> SECTOR_SHIFT;
	hvv_blk_set_serial(blk, ud);

	ret = hvv_dev_init(&blk->dev, &hvv_blk_ops, ud, nr_queues,
			   HVV_BLK_QUEUE_SIZE, hvv_blk_features(blk, nr_queues));
	if (ret)
		goto err_free;
	ret = hvv_blk_queues_alloc(blk);
	if (ret)
		goto err_stop;
	hvv_blk_set_config(blk);
	return &blk->dev;

err_stop:
	hvv_dev_stop(&blk->dev);
err_free:
	hvv_blk_free(blk);
	return ERR_PTR(ret);
}

static struct hvv_backend hvv_blk_backend = {
	.type = HVV_DEV_BLK,
	.name = "blk",
	.owner = THIS_MODULE,
	.create = hvv_blk_create,
};

int hvv_blk_init(void)
{
	return hvv_backend_register(&hvv_blk_backend);
}

void hvv_blk_exit(void)
{
	hvv_backend_unregister(&hvv_blk_backend);
}
