// SPDX-License-Identifier: GPL-2.0
/* Unit tests of hvisor_vhost/mmio.c: the virtio-mmio register file. */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "doubles.h"
#include "mmio.h"
#include "harness.h"
#include "shim/hv_shim_test.h"

#define F_V1		BIT_ULL(VIRTIO_F_VERSION_1)
#define S_ACK		VIRTIO_CONFIG_S_ACKNOWLEDGE
#define S_DRV		VIRTIO_CONFIG_S_DRIVER
#define S_FOK		VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK		VIRTIO_CONFIG_S_DRIVER_OK

static struct hvv_dev dev;
static struct hvv_zone *zone;

static void setup(const struct hvv_dev_ops *ops, unsigned int nr_queues)
{
	hv_calls_clear();
	zone = hv_tzone();
	ASSERT(zone);
	ASSERT_EQ(hv_tdev_init(&dev, ops, zone, nr_queues, 16, BIT_ULL(0)), 0);
}

static void teardown(void)
{
	hv_tdev_fini(&dev);
	hvv_zone_destroy(zone);
}

static u32 rd(u64 off)
{
	return hv_tdev_read(&dev, off);
}

static void wr(u64 off, u32 val)
{
	hv_tdev_write(&dev, off, val);
}

static u64 errors(void)
{
	return atomic64_read(&dev.stats.errors);
}

HV_TEST(mmio_identity)
{
	setup(&hv_tdev_ops, 2);
	EXPECT_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	EXPECT_EQ(rd(VIRTIO_MMIO_VERSION), 2);
	EXPECT_EQ(rd(VIRTIO_MMIO_DEVICE_ID), 3);
	EXPECT_EQ(rd(VIRTIO_MMIO_VENDOR_ID), 0x48564953);
	EXPECT_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES),
		  BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		  BIT(VIRTIO_RING_F_EVENT_IDX) | 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	EXPECT_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1);	/* VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	EXPECT_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	EXPECT_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	EXPECT_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0xffffffff);
	EXPECT_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	EXPECT_EQ(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	EXPECT_EQ(rd(VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffff);
	EXPECT_EQ(rd(VIRTIO_MMIO_QUEUE_NOTIFY), 0);	/* write-only */
	EXPECT_EQ(rd(0xfc), 0);
	EXPECT_EQ(errors(), 0);
	EXPECT_EQ(atomic64_read(&dev.stats.reg_reads), 14);
	teardown();
}

HV_TEST(mmio_register_access_size)
{
	setup(&hv_tdev_ops, 1);
	EXPECT_EQ(hvv_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	EXPECT_EQ(hvv_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
	EXPECT_EQ(hvv_mmio_read(&dev, VIRTIO_MMIO_MAGIC_VALUE + 1, 4), 0);
	EXPECT_EQ(errors(), 3);
	hvv_mmio_write(&dev, VIRTIO_MMIO_STATUS, 1, S_ACK, HVV_NO_WAITER);
	hvv_mmio_write(&dev, VIRTIO_MMIO_STATUS + 2, 4, S_ACK, HVV_NO_WAITER);
	EXPECT_EQ(dev.status, 0);
	EXPECT_EQ(errors(), 5);
	/* Writes to read-only registers are refused. */
	wr(VIRTIO_MMIO_MAGIC_VALUE, 1);
	wr(VIRTIO_MMIO_INTERRUPT_STATUS, 1);
	EXPECT_EQ(errors(), 7);
	teardown();
}

HV_TEST(mmio_feature_negotiation)
{
	setup(&hv_tdev_ops, 1);
	/* Without VERSION_1: FEATURES_OK does not stick. */
	hv_tdev_negotiate(&dev, 1);
	EXPECT_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	/* A feature not offered. */
	wr(VIRTIO_MMIO_STATUS, 0);
	hv_tdev_negotiate(&dev, F_V1 | BIT_ULL(1));
	EXPECT_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV);
	wr(VIRTIO_MMIO_STATUS, 0);
	hv_tdev_negotiate(&dev, F_V1 | 1);
	EXPECT_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK | S_DRV | S_FOK);
	EXPECT_EQ(dev.driver_features, F_V1 | 1);
	/* Fixed from FEATURES_OK on. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	EXPECT_EQ(dev.driver_features, F_V1 | 1);
	teardown();

	setup(&hv_tdev_ops, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	EXPECT_EQ(errors(), 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	EXPECT_EQ(errors(), 1);
	EXPECT_EQ(dev.driver_features, 0);
	teardown();
}

HV_TEST(mmio_status)
{
	setup(&hv_tdev_ops, 2);
	wr(VIRTIO_MMIO_STATUS, S_ACK);
	EXPECT_EQ(hv_calls.status_changed, 1);
	EXPECT_EQ(hv_calls.status_old, 0);
	EXPECT_EQ(hv_calls.status_new, S_ACK);
	/* Bits are cleared by a reset only. */
	wr(VIRTIO_MMIO_STATUS, S_DRV);
	EXPECT_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK);
	EXPECT_EQ(hv_calls.status_changed, 1);
	/* NEEDS_RESET is the device's to set. */
	wr(VIRTIO_MMIO_STATUS, S_ACK | VIRTIO_CONFIG_S_NEEDS_RESET);
	EXPECT_EQ(rd(VIRTIO_MMIO_STATUS), S_ACK);
	hvv_dev_broken(&dev, "test");
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV);
	EXPECT_EQ(rd(VIRTIO_MMIO_STATUS),
		  S_ACK | S_DRV | VIRTIO_CONFIG_S_NEEDS_RESET);
	/* DRIVER_OK kicks every queue (buffers posted before it). */
	wr(VIRTIO_MMIO_STATUS, S_ACK | S_DRV | S_DOK);
	EXPECT_EQ(hv_calls.kick_all, 1);
	EXPECT_EQ(hv_calls.kicks[1], 1);
	/* The reset: answered later only if a vCPU waits. */
	EXPECT(hvv_mmio_write(&dev, VIRTIO_MMIO_STATUS, 4, 0, 5));
	EXPECT_EQ(hv_calls.reset, 1);
	EXPECT_EQ(hv_calls.reset_waiter, 5);
	EXPECT(!hvv_mmio_write(&dev, VIRTIO_MMIO_STATUS, 4, 0, HVV_NO_WAITER));
	EXPECT_EQ(hv_calls.reset, 2);
	/* A value with the upper 32 bits only is a reset too (u32 register). */
	EXPECT(hvv_mmio_write(&dev, VIRTIO_MMIO_STATUS, 4, 1ULL << 32, 0));
	EXPECT_EQ(hv_calls.reset, 3);
	teardown();
}

HV_TEST(mmio_queue_setup)
{
	struct hvv_vq *vq;
	u32 gen;

	setup(&hv_tdev_ops, 2);
	vq = &dev.vqs[1];
	hv_tdev_negotiate(&dev, F_V1);
	EXPECT_EQ(hv_tdev_queue(&dev, 1, 4, 0x10000, 0x10400, 0x10800), 1);
	EXPECT_EQ(hv_calls.kicks[1], 1);
	EXPECT_EQ(vq->ring.num, 4);
	EXPECT(vq->ring.desc == hv_tmem(0x10000));
	EXPECT(vq->ring.avail == hv_tmem(0x10400));
	EXPECT(vq->ring.used == hv_tmem(0x10800));
	EXPECT(!vq->ring.event_idx);
	/* No change of an enabled queue. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 2);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x0);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 1);
	EXPECT_EQ(vq->num, 4);
	EXPECT_EQ(vq->desc_gpa, 0x10000);
	EXPECT_EQ(vq->used_gpa, 0x10800);
	EXPECT_EQ(errors(), 3);
	gen = vq->ring.gen;
	wr(VIRTIO_MMIO_QUEUE_READY, 1);		/* already: nothing */
	EXPECT_EQ(vq->ring.gen, gen);
	/* Disabling waits for the device to let go of the ring. */
	EXPECT(hvv_mmio_write(&dev, VIRTIO_MMIO_QUEUE_READY, 4, 0, 3));
	EXPECT(!vq->ready);
	EXPECT_EQ(vq->ring.gen, gen + 1);
	EXPECT_EQ(hv_calls.release, 1);
	EXPECT_EQ(hv_calls.release_waiter, 3);
	/* A disabled queue: nothing to wait for. */
	EXPECT(!hvv_mmio_write(&dev, VIRTIO_MMIO_QUEUE_READY, 4, 0, 3));
	EXPECT_EQ(vq->ring.gen, gen + 1);
	EXPECT_EQ(hv_calls.release, 1);
	wr(VIRTIO_MMIO_QUEUE_USED_HIGH, 1);
	EXPECT_EQ(vq->used_gpa, 0x100010800ULL);
	/* Queues that do not exist. */
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT_EQ(errors(), 6);
	EXPECT_EQ(hv_calls.broken, 0);
	teardown();
}

HV_TEST(mmio_invalid_ring_breaks_device)
{
	setup(&hv_tdev_ops, 1);
	hv_tdev_negotiate(&dev, F_V1);
	EXPECT_EQ(hv_tdev_queue(&dev, 0, 4, 0x3000, 0x10400, 0x10800), 0);
	EXPECT_EQ(hv_calls.broken, 1);
	EXPECT(hv_calls.broken_reason &&
	       !strcmp(hv_calls.broken_reason, "invalid virtqueue configuration"));
	EXPECT(rd(VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	teardown();
}

HV_TEST(mmio_notify)
{
	setup(&hv_tdev_ops, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	EXPECT_EQ(hv_calls.kicks[1], 1);
	EXPECT_EQ(hv_calls.kicks[0], 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	hvv_mmio_write(&dev, VIRTIO_MMIO_QUEUE_NOTIFY, 4, 1ULL << 32,
		       HVV_NO_WAITER);
	EXPECT_EQ(hv_calls.kicks[0], 1);	/* the register is 32-bit */
	EXPECT_EQ(atomic64_read(&dev.stats.notifies), 3);
	EXPECT_EQ(errors(), 1);
	teardown();
}

HV_TEST(mmio_interrupt_ack)
{
	setup(&hv_tdev_ops, 1);
	hvv_dev_raise(&dev, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	EXPECT_EQ(hv_calls.injections, 1);
	EXPECT_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	/*
	 * The driver ACKs what it read; a cause it had not read is left:
	 * one more injection tells it, else it would never hear of it.
	 */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	EXPECT_EQ(hv_calls.deassert, 0);
	EXPECT_EQ(hv_calls.injections, 2);
	EXPECT_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffff);
	EXPECT_EQ(hv_calls.deassert, 1);
	EXPECT(!dev.irq_asserted);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffff);
	EXPECT_EQ(hv_calls.deassert, 1);
	teardown();
}

HV_TEST(mmio_config_space)
{
	unsigned int i;

	setup(&hv_tdev_ops, 1);
	for (i = 0; i < HVV_CONFIG_SIZE; i++)
		dev.config[i] = i;
	EXPECT_EQ(hvv_mmio_read(&dev, 0x100, 1), 0x00);
	EXPECT_EQ(hvv_mmio_read(&dev, 0x101, 2), 0x0201);
	EXPECT_EQ(hvv_mmio_read(&dev, 0x103, 4), 0x06050403);
	EXPECT_EQ(hvv_mmio_read(&dev, 0x1f8, 8), 0xfffefdfcfbfaf9f8ULL);
	EXPECT_EQ(hvv_mmio_read(&dev, 0x1f9, 8), 0);
	EXPECT_EQ(hvv_mmio_read(&dev, 0x200, 1), 0);
	EXPECT_EQ(hvv_mmio_read(&dev, 0x100, 3), 0);
	EXPECT_EQ(hvv_mmio_read(&dev, ~0ULL, 1), 0);
	EXPECT_EQ(errors(), 4);
	EXPECT_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	dev.config_gen = 7;
	EXPECT_EQ(rd(VIRTIO_MMIO_CONFIG_GENERATION), 7);
	hvv_mmio_write(&dev, 0x108, 2, 0xbeef, HVV_NO_WAITER);
	EXPECT_EQ(hv_calls.config_write, 1);
	EXPECT_EQ(hv_calls.config_off, 8);
	EXPECT_EQ(hv_calls.config_size, 2);
	EXPECT_EQ(hv_calls.config_val, 0xbeef);
	hvv_mmio_write(&dev, 0x1ff, 2, 0, HVV_NO_WAITER);
	hvv_mmio_write(&dev, 0x100, 16, 0, HVV_NO_WAITER);
	EXPECT_EQ(hv_calls.config_write, 1);
	teardown();

	setup(&hv_tdev_ops_ro, 1);
	hvv_mmio_write(&dev, 0x108, 2, 0xbeef, HVV_NO_WAITER);
	EXPECT_EQ(hv_calls.config_write, 0);
	EXPECT_EQ(errors(), 1);
	teardown();
}
