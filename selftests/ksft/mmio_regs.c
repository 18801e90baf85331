// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_regs: virtio-mmio register conformance of hvisor_vhost, driven by a
 * raw guest (hvisor_sim zone owned by this process).
 *
 * Every register at every access size, reset, feature negotiation with a
 * refused FEATURES_OK, QueueSel out of range, reserved offsets, config
 * space at every width and offset, addresses without a device, interrupt
 * status/ACK with one injection outstanding at most, synchronous and
 * asynchronous QueueNotify, and the sysfs view of all that.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <kselftest_harness.h>
#include "hv_guest.h"

#define ZONE		11
#define IRQ		33
#define IRQ2		34
/* Not at the region's start: QueueNotify is synchronous, like every access. */
#define BASE		(HVG_MMIO_BASE + 0x200)
#define NUM		8

/* CONSOLE_F_SIZE, CONSOLE_F_EMERG_WRITE, RING_INDIRECT_DESC, RING_EVENT_IDX */
#define DEV_FEAT_LO	0x30000005U
#define DEV_FEAT_HI	0x00000001U	/* VERSION_1 */

/* Offsets that read something other than 0 with a proper access. */
static int reg_readable(__u32 off)
{
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
	case VIRTIO_MMIO_VERSION:
	case VIRTIO_MMIO_DEVICE_ID:
	case VIRTIO_MMIO_VENDOR_ID:
	case VIRTIO_MMIO_DEVICE_FEATURES:
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_INTERRUPT_STATUS:
	case VIRTIO_MMIO_STATUS:
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return 1;
	}
	return 0;
}

/* The console's config space as the driver must see it. */
static void console_config(__u8 cfg[256])
{
	memset(cfg, 0, 256);
	cfg[0] = 80;	/* cols */
	cfg[2] = 25;	/* rows */
	cfg[4] = 1;	/* max_nr_ports */
}

FIXTURE(regs) {
	struct hvg g;
	struct hvg_con c;
};

FIXTURE_SETUP(regs)
{
	int ret;

	ret = hvg_setup(&self->g, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ret = hvg_add_console(&self->g, BASE, HVG_DEV_LEN, IRQ, &self->c.d);
	ASSERT_EQ(0, ret) TH_LOG("console add: %s", strerror(-ret));
	self->c.tty = -1;
}

FIXTURE_TEARDOWN(regs)
{
	if (self->c.tty >= 0)
		close(self->c.tty);
	EXPECT_EQ(0, hvg_teardown(&self->g));
}

#define G	(&self->g)
#define RD(off)		hvg_rd32(G, BASE, (off))
#define WR(off, v)	hvg_wr32(G, BASE, (off), (v))
#define ERRORS()	hvg_stat(&self->c.d, "errors")

TEST_F(regs, identification)
{
	static const __u32 ro[] = {
		VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION,
		VIRTIO_MMIO_DEVICE_ID, VIRTIO_MMIO_VENDOR_ID,
		VIRTIO_MMIO_DEVICE_FEATURES, VIRTIO_MMIO_QUEUE_NUM_MAX,
		VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_CONFIG_GENERATION,
		VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_BASE_HIGH,
	};
	__u64 errors;
	unsigned int i;

	EXPECT_EQ(0x74726976U, RD(VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ(2U, RD(VIRTIO_MMIO_VERSION));
	EXPECT_EQ(3U, RD(VIRTIO_MMIO_DEVICE_ID));
	EXPECT_EQ(0x48564953U, RD(VIRTIO_MMIO_VENDOR_ID));

	/* Read-only registers: writes are ignored and counted. */
	errors = ERRORS();
	for (i = 0; i < ARRAY_SIZE(ro); i++)
		EXPECT_EQ(0, WR(ro[i], 0xdeadbeef));
	EXPECT_EQ(errors + ARRAY_SIZE(ro), ERRORS());
	EXPECT_EQ(0x74726976U, RD(VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ(2U, RD(VIRTIO_MMIO_VERSION));
	EXPECT_EQ(3U, RD(VIRTIO_MMIO_DEVICE_ID));
	EXPECT_EQ(0x48564953U, RD(VIRTIO_MMIO_VENDOR_ID));
	EXPECT_EQ(DEV_FEAT_LO, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	EXPECT_EQ(256U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_LEN_LOW));
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_BASE_HIGH));
}

/* Below 0x100 only aligned 32-bit reads return anything; all are answered. */
TEST_F(regs, read_sizes_below_config)
{
	static const __u32 sizes[] = { 1, 2, 3, 5, 6, 7, 8 };
	__u64 errors, reads, v;
	unsigned int bad = 0, n = 0, i;
	__u32 off, k;
	int ret;

	/* Non-zero state everywhere it can be. */
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	errors = ERRORS();
	reads = hvg_stat(&self->c.d, "reg_reads");
	for (off = 0; off < 0x100; off += 4) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			v = 0x5a5a5a5a5a5a5a5aULL;
			ret = hvg_access(G, BASE + off, sizes[i], 0, &v);
			n++;
			if (ret || v) {
				TH_LOG("read %#x size %u: ret %d value %#llx",
				       off, sizes[i], ret,
				       (unsigned long long)v);
				bad++;
			}
		}
		for (k = 1; k < 4; k++) {
			v = 0x5a5a5a5a5a5a5a5aULL;
			ret = hvg_access(G, BASE + off + k, 4, 0, &v);
			n++;
			if (ret || v) {
				TH_LOG("read %#x size 4: ret %d value %#llx",
				       off + k, ret, (unsigned long long)v);
				bad++;
			}
		}
	}
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(errors + n, ERRORS());
	EXPECT_EQ(reads + n, hvg_stat(&self->c.d, "reg_reads"));
	/* The proper accesses still work. */
	EXPECT_EQ(0x74726976U, RD(VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ((__u32)HVG_S_OK, RD(VIRTIO_MMIO_STATUS));
}

/* Writes of the wrong size or alignment change nothing. */
TEST_F(regs, write_sizes_below_config)
{
	static const __u32 sizes[] = { 1, 2, 3, 8 };
	__u64 errors, writes;
	unsigned int i, n = 0;
	char feat[32];

	errors = ERRORS();
	writes = hvg_stat(&self->c.d, "reg_writes");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		__u32 s = sizes[i];

		EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_STATUS, s, 1));
		EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_QUEUE_SEL, s, 5));
		EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_DEVICE_FEATURES_SEL,
				    s, 1));
		EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_DRIVER_FEATURES, s,
				    0x100000001ULL));
		EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_QUEUE_NOTIFY, s, 1));
		n += 5;
	}
	/* Misaligned 32-bit writes. */
	EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_STATUS + 1, 4, 1));
	EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_STATUS + 2, 4, 1));
	EXPECT_EQ(0, hvg_wr(G, BASE + VIRTIO_MMIO_QUEUE_SEL - 1, 4,
			    0x05000000));
	n += 3;

	EXPECT_EQ(errors + n, ERRORS());
	EXPECT_EQ(writes + n, hvg_stat(&self->c.d, "reg_writes"));
	EXPECT_EQ(0ULL, hvg_stat(&self->c.d, "notifies"));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));
	/* QueueSel still 0, DeviceFeaturesSel still 0. */
	EXPECT_EQ(256U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));
	EXPECT_EQ(DEV_FEAT_LO, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	ASSERT_EQ(0, hvg_sysfs_str(self->c.d.name, "driver_features", feat,
				   sizeof(feat)));
	EXPECT_EQ(0ULL, strtoull(feat, NULL, 0));
}

TEST_F(regs, device_features)
{
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	EXPECT_EQ(DEV_FEAT_LO, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	EXPECT_EQ(DEV_FEAT_HI, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0xffffffff);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0x80000001);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	/* The selector is write-only. */
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_DEVICE_FEATURES_SEL));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	EXPECT_EQ(DEV_FEAT_HI, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	EXPECT_EQ(HVG_CONSOLE_FEATURES,
		  hvg_sysfs_u64(self->c.d.name, "device_features"));
}

/* Each DriverFeatures write replaces the selected word. */
TEST_F(regs, driver_features_replaced)
{
	const char *n = self->c.d.name;
	struct hvv_dev_info info;
	__u64 errors;

	WR(VIRTIO_MMIO_STATUS, HVG_S_ACK);
	WR(VIRTIO_MMIO_STATUS, HVG_S_DRV);
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	WR(VIRTIO_MMIO_DRIVER_FEATURES, DEV_FEAT_LO);
	EXPECT_EQ((__u64)DEV_FEAT_LO, hvg_sysfs_u64(n, "driver_features"));
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0x1);
	EXPECT_EQ(0x1ULL, hvg_sysfs_u64(n, "driver_features"));
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0x3);
	EXPECT_EQ(0x300000001ULL, hvg_sysfs_u64(n, "driver_features"));
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0x1);
	EXPECT_EQ(0x100000001ULL, hvg_sysfs_u64(n, "driver_features"));
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	EXPECT_EQ(0x100000000ULL, hvg_sysfs_u64(n, "driver_features"));

	/* Words beyond 1 do not exist: ignored. */
	errors = ERRORS();
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	EXPECT_EQ(0x100000000ULL, hvg_sysfs_u64(n, "driver_features"));
	EXPECT_EQ(errors + 1, ERRORS());

	/* Write-only registers read 0. */
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_DRIVER_FEATURES));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_DRIVER_FEATURES_SEL));

	ASSERT_EQ(0, hvg_dev_info(G, n, &info));
	EXPECT_EQ(0x100000000ULL, info.driver_features);
	EXPECT_EQ(HVG_CONSOLE_FEATURES, info.device_features);
	EXPECT_EQ((__u32)HVG_S_DRV, info.status);
}

TEST_F(regs, features_ok_accepted)
{
	const char *n = self->c.d.name;
	const __u64 f = HVG_F_VERSION_1 | BIT_ULL(VIRTIO_CONSOLE_F_SIZE);
	__u64 errors;

	ASSERT_EQ(0, hvg_negotiate(G, BASE, f));
	EXPECT_EQ((__u32)HVG_S_FEAT, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ((__u64)HVG_S_FEAT, hvg_sysfs_u64(n, "status"));
	EXPECT_EQ(f, hvg_sysfs_u64(n, "driver_features"));

	/* DriverFeatures is frozen once FEATURES_OK is set. */
	errors = ERRORS();
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	EXPECT_EQ(f, hvg_sysfs_u64(n, "driver_features"));
	EXPECT_EQ(errors + 2, ERRORS());

	/* Every offered feature at once is fine too. */
	ASSERT_EQ(0, hvg_negotiate(G, BASE, HVG_CONSOLE_FEATURES));
	EXPECT_EQ(HVG_CONSOLE_FEATURES, hvg_sysfs_u64(n, "driver_features"));
	/* And VERSION_1 alone. */
	ASSERT_EQ(0, hvg_negotiate(G, BASE, HVG_F_VERSION_1));
	EXPECT_EQ(HVG_F_VERSION_1, hvg_sysfs_u64(n, "driver_features"));
}

/*
 * Ask console @c for @features and FEATURES_OK; the device must refuse
 * (status stays ACK|DRIVER, the rejection counted), then accept a valid
 * set.
 */
static void refuse_features(struct __test_metadata *_metadata, struct hvg *g,
			    struct hvg_con *c, __u64 features)
{
	__u64 b = c->d.base, errors;

	hvg_wr32(g, b, VIRTIO_MMIO_STATUS, 0);
	hvg_wr32(g, b, VIRTIO_MMIO_STATUS, HVG_S_ACK);
	hvg_wr32(g, b, VIRTIO_MMIO_STATUS, HVG_S_DRV);
	hvg_driver_features(g, b, features);
	errors = hvg_stat(&c->d, "errors");
	hvg_wr32(g, b, VIRTIO_MMIO_STATUS, HVG_S_FEAT);
	EXPECT_EQ((__u32)HVG_S_DRV, hvg_status(g, b))
		TH_LOG("features %#llx accepted",
		       (unsigned long long)features);
	EXPECT_EQ((__u64)HVG_S_DRV, hvg_sysfs_u64(c->d.name, "status"));
	EXPECT_EQ(errors + 1, hvg_stat(&c->d, "errors"));
	/* DRIVER_OK on top is refused the same way: still no FEATURES_OK. */
	hvg_wr32(g, b, VIRTIO_MMIO_STATUS, HVG_S_OK);
	EXPECT_EQ(0U, hvg_status(g, b) & VIRTIO_CONFIG_S_FEATURES_OK);

	/* The refusal is not sticky: fix the features and try again. */
	EXPECT_EQ(0, hvg_negotiate(g, b, HVG_F_VERSION_1));
	EXPECT_EQ((__u32)HVG_S_FEAT, hvg_status(g, b));
}

TEST_F(regs, features_ok_refused_unoffered)
{
	/* VIRTIO_CONSOLE_F_MULTIPORT (1) is not offered. */
	refuse_features(_metadata, G, &self->c, HVG_F_VERSION_1 |
			BIT_ULL(VIRTIO_CONSOLE_F_MULTIPORT));
	/* VIRTIO_F_ACCESS_PLATFORM (33) is not offered. */
	refuse_features(_metadata, G, &self->c, HVG_F_VERSION_1 | BIT_ULL(33));
	/* Nor is bit 63. */
	refuse_features(_metadata, G, &self->c,
			HVG_CONSOLE_FEATURES | BIT_ULL(63));
}

TEST_F(regs, features_ok_refused_without_version_1)
{
	refuse_features(_metadata, G, &self->c, 0);
	refuse_features(_metadata, G, &self->c, HVG_CONSOLE_FEATURES &
			~HVG_F_VERSION_1);
}

/* Status bits are only cleared by writing 0. */
TEST_F(regs, status_bits)
{
	__u64 errors;

	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));
	WR(VIRTIO_MMIO_STATUS, HVG_S_ACK);
	EXPECT_EQ((__u32)HVG_S_ACK, RD(VIRTIO_MMIO_STATUS));
	WR(VIRTIO_MMIO_STATUS, HVG_S_DRV);
	EXPECT_EQ((__u32)HVG_S_DRV, RD(VIRTIO_MMIO_STATUS));

	errors = ERRORS();
	WR(VIRTIO_MMIO_STATUS, HVG_S_ACK);
	EXPECT_EQ((__u32)HVG_S_DRV, RD(VIRTIO_MMIO_STATUS));
	WR(VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_DRIVER);
	EXPECT_EQ((__u32)HVG_S_DRV, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ(errors + 2, ERRORS());

	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_F_VERSION_1, NUM));
	EXPECT_EQ((__u32)HVG_S_OK, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ((__u64)HVG_S_OK, hvg_sysfs_u64(self->c.d.name, "status"));
	WR(VIRTIO_MMIO_STATUS, HVG_S_FEAT);
	EXPECT_EQ((__u32)HVG_S_OK, RD(VIRTIO_MMIO_STATUS));
	/* FAILED may be added. */
	WR(VIRTIO_MMIO_STATUS, HVG_S_OK | VIRTIO_CONFIG_S_FAILED);
	EXPECT_EQ((__u32)(HVG_S_OK | VIRTIO_CONFIG_S_FAILED),
		  RD(VIRTIO_MMIO_STATUS));
	WR(VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ(0ULL, hvg_sysfs_u64(self->c.d.name, "status"));
}

/* NEEDS_RESET is the device's bit: a driver write does not set it. */
TEST_F(regs, driver_cannot_set_needs_reset)
{
	WR(VIRTIO_MMIO_STATUS, HVG_S_ACK);
	WR(VIRTIO_MMIO_STATUS, HVG_S_DRV | VIRTIO_CONFIG_S_NEEDS_RESET);
	EXPECT_EQ((__u32)HVG_S_DRV, RD(VIRTIO_MMIO_STATUS));
}

/* Status = 0 resets every register of the device. */
TEST_F(regs, reset_clears_everything)
{
	const char *n = self->c.d.name;
	struct hvg_vq *tx = &self->c.vq[HVG_CONSOLE_TX];

	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	/* An interrupt outstanding, selectors moved. */
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "x", HVG_WAIT_MS));
	ASSERT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	ASSERT_EQ(1U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	WR(VIRTIO_MMIO_QUEUE_SEL, 7);
	ASSERT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));

	WR(VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ(0ULL, hvg_sysfs_u64(n, "status"));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(0ULL, hvg_sysfs_u64(n, "driver_features"));
	/* DeviceFeaturesSel and QueueSel back to 0. */
	EXPECT_EQ(DEV_FEAT_LO, RD(VIRTIO_MMIO_DEVICE_FEATURES));
	EXPECT_EQ(256U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_READY));
	EXPECT_EQ(0U, hvg_queue_ready(G, BASE, 1));
	/* DriverFeaturesSel back to 0: this lands in word 0. */
	WR(VIRTIO_MMIO_DRIVER_FEATURES, 0x5);
	EXPECT_EQ(0x5ULL, hvg_sysfs_u64(n, "driver_features"));
	WR(VIRTIO_MMIO_STATUS, 0);

	/* QueueNum of queue 0 is back to 0: enabling it is invalid. */
	WR(VIRTIO_MMIO_QUEUE_SEL, 0);
	WR(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_READY));
	EXPECT_EQ((__u32)VIRTIO_CONFIG_S_NEEDS_RESET,
		  RD(VIRTIO_MMIO_STATUS));
	WR(VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));
	/* The ring addresses of queue 1 are back to 0: not zone RAM. */
	WR(VIRTIO_MMIO_QUEUE_SEL, 1);
	WR(VIRTIO_MMIO_QUEUE_NUM, NUM);
	WR(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_READY));
	EXPECT_EQ((__u32)VIRTIO_CONFIG_S_NEEDS_RESET,
		  RD(VIRTIO_MMIO_STATUS));
	WR(VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));

	/* The old rings are left alone; the reset device works again. */
	EXPECT_EQ(1, hvg_vq_used_idx(tx));
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	EXPECT_EQ(0, hvg_con_tx(G, &self->c, "y", HVG_WAIT_MS));
	/* No ACK was given: the reset itself re-armed the interrupt. */
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ(1U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
}

TEST_F(regs, queue_num_max_and_sel_out_of_range)
{
	static const __u32 sels[] = { 2, 3, 16, 0x10000, 0xffffffff };
	__u64 errors;
	unsigned int i;

	WR(VIRTIO_MMIO_QUEUE_SEL, 0);
	EXPECT_EQ(256U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));
	WR(VIRTIO_MMIO_QUEUE_SEL, 1);
	EXPECT_EQ(256U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_SEL));	/* write-only */

	WR(VIRTIO_MMIO_STATUS, HVG_S_ACK);
	WR(VIRTIO_MMIO_STATUS, HVG_S_DRV);
	for (i = 0; i < ARRAY_SIZE(sels); i++) {
		struct hvg_vq vq;

		hvg_vq_alloc(G, &vq, 0, NUM);
		WR(VIRTIO_MMIO_QUEUE_SEL, sels[i]);
		EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_NUM_MAX));
		errors = ERRORS();
		/* A complete, valid ring for a queue that does not exist. */
		WR(VIRTIO_MMIO_QUEUE_NUM, NUM);
		WR(VIRTIO_MMIO_QUEUE_DESC_LOW, (__u32)vq.desc_gpa);
		WR(VIRTIO_MMIO_QUEUE_DESC_HIGH, vq.desc_gpa >> 32);
		WR(VIRTIO_MMIO_QUEUE_AVAIL_LOW, (__u32)vq.avail_gpa);
		WR(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, vq.avail_gpa >> 32);
		WR(VIRTIO_MMIO_QUEUE_USED_LOW, (__u32)vq.used_gpa);
		WR(VIRTIO_MMIO_QUEUE_USED_HIGH, vq.used_gpa >> 32);
		WR(VIRTIO_MMIO_QUEUE_READY, 1);
		EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_READY))
			TH_LOG("QueueSel %#x", sels[i]);
		EXPECT_EQ(errors + 8, ERRORS());
		/* Ignored, not a broken device. */
		EXPECT_EQ((__u32)HVG_S_DRV, RD(VIRTIO_MMIO_STATUS));
	}
	/* Nothing leaked into the real queues. */
	EXPECT_EQ(0U, hvg_queue_ready(G, BASE, 0));
	EXPECT_EQ(0U, hvg_queue_ready(G, BASE, 1));
	WR(VIRTIO_MMIO_QUEUE_SEL, 0);
	WR(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_READY));	/* QueueNum is 0 */
}

/* QueueNum and ring addresses cannot change under an enabled queue. */
TEST_F(regs, queue_regs_locked_while_ready)
{
	__u64 errors;

	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	WR(VIRTIO_MMIO_QUEUE_SEL, 1);
	ASSERT_EQ(1U, RD(VIRTIO_MMIO_QUEUE_READY));
	errors = ERRORS();
	WR(VIRTIO_MMIO_QUEUE_NUM, 3);
	WR(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8);
	WR(VIRTIO_MMIO_QUEUE_DESC_HIGH, 0xffff);
	WR(VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x1);
	WR(VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0xffff);
	WR(VIRTIO_MMIO_QUEUE_USED_LOW, 0x2);
	WR(VIRTIO_MMIO_QUEUE_USED_HIGH, 0xffff);
	EXPECT_EQ(errors + 7, ERRORS());
	/* Re-enabling validates the latched values: still the good ones. */
	WR(VIRTIO_MMIO_QUEUE_READY, 0);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_READY));
	WR(VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT_EQ(1U, RD(VIRTIO_MMIO_QUEUE_READY));
	EXPECT_EQ((__u32)HVG_S_OK, RD(VIRTIO_MMIO_STATUS));
	/* The re-enabled queue starts from index 0 again. */
	self->c.vq[HVG_CONSOLE_TX].avail_idx = 0;
	self->c.vq[HVG_CONSOLE_TX].last_used = 0;
	self->c.vq[HVG_CONSOLE_TX].avail->idx = 0;
	EXPECT_EQ(0, hvg_con_tx(G, &self->c, "z", HVG_WAIT_MS));
}

/* Write-only, reserved and unknown offsets read 0. */
TEST_F(regs, unreadable_offsets_read_zero)
{
	unsigned int bad = 0;
	__u32 off, v;

	/* Put something in every write-only register first. */
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	WR(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	WR(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	WR(VIRTIO_MMIO_QUEUE_SEL, 1);
	WR(VIRTIO_MMIO_SHM_SEL, 3);
	for (off = 0; off < 0x100; off += 4) {
		if (reg_readable(off))
			continue;
		v = RD(off);
		if (v) {
			TH_LOG("offset %#x reads %#x", off, v);
			bad++;
		}
	}
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(0U, RD(0x018));
	EXPECT_EQ(0U, RD(HVG_MMIO_QUEUE_RESET));
	EXPECT_EQ(0U, RD(0x0f8));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_DESC_LOW));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_QUEUE_NUM));
}

/* Writes to reserved offsets are ignored and counted. */
TEST_F(regs, reserved_writes_ignored)
{
	static const __u32 offs[] = {
		0x018, 0x01c, 0x028, 0x03c, 0x040, 0x048, 0x054, 0x068,
		0x074, 0x088, 0x098, 0x0a8, HVG_MMIO_QUEUE_RESET, 0x0c4,
		0x0f8,
	};
	__u64 errors;
	unsigned int i;

	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	errors = ERRORS();
	for (i = 0; i < ARRAY_SIZE(offs); i++)
		EXPECT_EQ(0, WR(offs[i], 0xffffffff));
	EXPECT_EQ(errors + ARRAY_SIZE(offs), ERRORS());
	EXPECT_EQ((__u32)HVG_S_OK, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ(1U, hvg_queue_ready(G, BASE, 0));
	EXPECT_EQ(1U, hvg_queue_ready(G, BASE, 1));
	EXPECT_EQ(0, hvg_con_tx(G, &self->c, "r", HVG_WAIT_MS));
}

TEST_F(regs, shm_and_config_generation)
{
	__u32 gen;

	WR(VIRTIO_MMIO_SHM_SEL, 0);
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_LEN_LOW));
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_LEN_HIGH));
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_BASE_LOW));
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_BASE_HIGH));
	WR(VIRTIO_MMIO_SHM_SEL, 5);
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_LEN_LOW));
	EXPECT_EQ(0xffffffffU, RD(VIRTIO_MMIO_SHM_BASE_HIGH));
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_SHM_SEL));

	/* Stable while the config does not change, also across a reset. */
	gen = RD(VIRTIO_MMIO_CONFIG_GENERATION);
	EXPECT_EQ(gen, RD(VIRTIO_MMIO_CONFIG_GENERATION));
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	EXPECT_EQ(gen, RD(VIRTIO_MMIO_CONFIG_GENERATION));
}

/* Config space: every offset, sizes 1, 2, 4, 8 little-endian, others 0. */
TEST_F(regs, config_space_reads)
{
	static const __u32 sizes[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	__u64 errors, want, v;
	unsigned int i, bad = 0, rejected = 0;
	__u8 cfg[256];
	__u32 off;

	console_config(cfg);
	errors = ERRORS();
	for (off = 0; off < 256; off++) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			__u32 s = sizes[i];

			want = 0;
			if ((s == 1 || s == 2 || s == 4 || s == 8) &&
			    off + s <= 256)
				memcpy(&want, cfg + off, s);
			else
				rejected++;
			v = hvg_rd(G, BASE + 0x100 + off, s);
			if (v != want) {
				TH_LOG("config %#x size %u: %#llx, want %#llx",
				       off, s, (unsigned long long)v,
				       (unsigned long long)want);
				bad++;
			}
		}
	}
	EXPECT_EQ(0U, bad);
	EXPECT_EQ(errors + rejected, ERRORS());
	EXPECT_EQ(80U, hvg_rd(G, BASE + 0x100, 2));
	EXPECT_EQ(25U, hvg_rd(G, BASE + 0x102, 2));
	EXPECT_EQ(1U, hvg_rd(G, BASE + 0x104, 4));
	EXPECT_EQ(0x0000000100190050ULL, hvg_rd(G, BASE + 0x100, 8));
	EXPECT_EQ(0U, hvg_rd(G, BASE + 0x108, 4));	/* emerg_wr */
}

/* A window larger than 0x100 + 256: the rest reads 0, counted. */
TEST_F(regs, config_space_bounds)
{
	struct hvg_dev big;
	__u64 errors, base = HVG_MMIO_BASE + 0x1000;
	__u64 v;

	ASSERT_EQ(0, hvg_add_console(G, base, 0x400, IRQ2, &big));
	errors = hvg_stat(&big, "errors");
	EXPECT_EQ(0x74726976U, hvg_rd32(G, base, 0));
	EXPECT_EQ(0x50U, hvg_rd(G, base + 0x100, 1));
	EXPECT_EQ(0U, hvg_rd(G, base + 0x1fc, 8));	/* crosses the end */
	EXPECT_EQ(0U, hvg_rd(G, base + 0x1fe, 4));
	EXPECT_EQ(0U, hvg_rd(G, base + 0x1ff, 2));
	EXPECT_EQ(0U, hvg_rd(G, base + 0x200, 4));
	EXPECT_EQ(0U, hvg_rd(G, base + 0x200, 1));
	EXPECT_EQ(0U, hvg_rd(G, base + 0x300, 8));
	EXPECT_EQ(0U, hvg_rd(G, base + 0x3fc, 4));
	EXPECT_EQ(errors + 7, hvg_stat(&big, "errors"));
	/* Writes there are ignored and counted, and answered. */
	EXPECT_EQ(0, hvg_wr(G, base + 0x208, 4, 'A'));
	EXPECT_EQ(0, hvg_wr(G, base + 0x3ff, 1, 'A'));
	EXPECT_EQ(errors + 9, hvg_stat(&big, "errors"));
	v = hvg_rd(G, base + 0x1f8, 8);		/* last valid qword */
	EXPECT_EQ(0ULL, v);
	EXPECT_EQ(errors + 9, hvg_stat(&big, "errors"));
}

/* Only emerg_wr is writable; the rest of config space does not change. */
TEST_F(regs, config_space_writes)
{
	__u64 errors;

	errors = ERRORS();
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x100, 2, 132));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x102, 2, 50));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x104, 4, 8));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x100, 8, ~0ULL));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x109, 1, 'A'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x10c, 4, 'A'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x1ff, 1, 'A'));
	EXPECT_EQ(errors + 7, ERRORS());
	EXPECT_EQ(0x0000000100190050ULL, hvg_rd(G, BASE + 0x100, 8));
	EXPECT_EQ(0ULL, hvg_rd(G, BASE + 0x108, 8));
	/* emerg_wr is accepted (its byte goes to the tty; console_raw). */
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 4, 'e'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 1, 'f'));
	EXPECT_EQ(errors + 7, ERRORS());
	EXPECT_EQ(0U, hvg_rd(G, BASE + 0x108, 4));
}

/* An odd-sized config write is not a valid access: no byte reaches the tty. */
TEST_F(regs, config_write_odd_size_ignored)
{
	__u64 errors;
	char buf[8];
	int tty;

	tty = hvg_tty_open(self->c.d.index);
	ASSERT_LE(0, tty);
	self->c.tty = tty;
	errors = ERRORS();
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 3, 'Q'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 5, 'Q'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 4, 'k'));
	EXPECT_EQ(1U, hvg_tty_read(tty, buf, sizeof(buf), HVG_QUIET_MS));
	EXPECT_EQ('k', buf[0]) TH_LOG("tty got %#x first", buf[0]);
	EXPECT_EQ(errors + 2, ERRORS());
}

/* An address of the virtio region with no device: reads 0, answered. */
TEST_F(regs, no_device_reads_zero)
{
	static const __u64 addrs[] = {
		HVG_MMIO_BASE,			/* region start, nobody there */
		HVG_MMIO_BASE + 0x1fc,
		BASE + HVG_DEV_LEN,		/* just past our device */
		HVG_MMIO_BASE + 0x1000,
		HVG_MMIO_BASE + 0x1070,
		HVG_MMIO_BASE + 0x1100,
		HVG_MMIO_BASE + HVG_MMIO_SIZE - 8,
	};
	static const __u32 sizes[] = { 1, 2, 3, 4, 8 };
	__u64 reads, t, v, worst = 0;
	unsigned int i, j, bad = 0;
	int ret;

	reads = hvg_stat(&self->c.d, "reg_reads");
	for (i = 0; i < ARRAY_SIZE(addrs); i++) {
		for (j = 0; j < ARRAY_SIZE(sizes); j++) {
			v = 0x5a5a5a5a5a5a5a5aULL;
			t = hvg_ms();
			ret = hvg_access_tmo(G, addrs[i], sizes[j], 0, &v,
					     2000);
			t = hvg_ms() - t;
			worst = t > worst ? t : worst;
			if (ret || v) {
				TH_LOG("read %#llx size %u: ret %d value %#llx",
				       (unsigned long long)addrs[i], sizes[j],
				       ret, (unsigned long long)v);
				bad++;
			}
			v = 0x74726976;
			ret = hvg_access_tmo(G, addrs[i], sizes[j], 1, &v,
					     2000);
			if (ret) {
				TH_LOG("write %#llx size %u: ret %d",
				       (unsigned long long)addrs[i], sizes[j],
				       ret);
				bad++;
			}
		}
	}
	EXPECT_EQ(0U, bad);
	TH_LOG("slowest answer %llu ms", (unsigned long long)worst);
	EXPECT_GT(1000ULL, worst)
		TH_LOG("slowest answer %llu ms", (unsigned long long)worst);
	/* Not our device's accesses. */
	EXPECT_EQ(reads, hvg_stat(&self->c.d, "reg_reads"));
	/* Our device did not notice anything. */
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_STATUS));
	/* Outside every virtio region the simulator itself refuses. */
	v = 0;
	EXPECT_EQ(-EFAULT, hvg_access_tmo(G, HVG_MMIO_BASE + HVG_MMIO_SIZE,
					  4, 0, &v, 2000));
}

/* InterruptStatus bits, ACK semantics, one injection outstanding. */
TEST_F(regs, interrupt_status_and_ack)
{
	struct hvg_vq *tx = &self->c.vq[HVG_CONSOLE_TX];
	struct winsize ws = { .ws_row = 30, .ws_col = 90 };
	__u64 irqs;
	int tty;

	tty = hvg_tty_open(self->c.d.index);
	ASSERT_LE(0, tty);
	self->c.tty = tty;
	/* Without EVENT_IDX every used buffer asks for an interrupt. */
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_F_VERSION_1, NUM));
	irqs = hvg_stat(&self->c.d, "interrupts");
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));

	/* A used buffer: one injection, bit 0. */
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "1", HVG_WAIT_MS));
	ASSERT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ(1U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(irqs + 1, hvg_stat(&self->c.d, "interrupts"));

	/* More used buffers before the ACK: no new injection. */
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "2", HVG_WAIT_MS));
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "3", HVG_WAIT_MS));
	EXPECT_EQ(3, hvg_vq_used_idx(tx));
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(irqs + 1, hvg_stat(&self->c.d, "interrupts"));
	EXPECT_EQ(1U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));

	/* A config change meanwhile: bit 1 too, still no injection. */
	ASSERT_EQ(0, ioctl(tty, TIOCSWINSZ, &ws));
	EXPECT_EQ(3U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));

	/* ACK of nothing, of a bit not set: no change. */
	hvg_ack(G, BASE, 0);
	EXPECT_EQ(3U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	hvg_ack(G, BASE, 0xfffffffc);
	EXPECT_EQ(3U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	/*
	 * Partial ACK, as a driver that read bit 0 only: bit 1 stays and is
	 * told with one more injection (else it would never be).
	 */
	hvg_ack(G, BASE, 1);
	EXPECT_EQ(2U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ(irqs + 2, hvg_stat(&self->c.d, "interrupts"));
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "4", HVG_WAIT_MS));
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(3U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(irqs + 2, hvg_stat(&self->c.d, "interrupts"));
	/* InterruptACK is write-only. */
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_INTERRUPT_ACK));

	/* Full ACK: the next event injects again. */
	hvg_ack(G, BASE, 3);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "5", HVG_WAIT_MS));
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ(1U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	EXPECT_EQ(irqs + 3, hvg_stat(&self->c.d, "interrupts"));
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	hvg_ack(G, BASE, 1);
	EXPECT_EQ(0U, RD(VIRTIO_MMIO_INTERRUPT_STATUS));
	/* Nobody else was interrupted. */
	EXPECT_EQ(0U, self->g.irq_other);
}

/*
 * Transmit @s on console @c and check that the notify took @completions
 * bridge completions (0: asynchronous, 1: synchronous).
 */
static void notify_kind(struct __test_metadata *_metadata, struct hvg *g,
			struct hvg_con *c, const char *s,
			__u64 completions)
{
	__u64 req0, comp0, end;
	struct hvg_vq *tx = &c->vq[HVG_CONSOLE_TX];
	__u32 id;
	__u16 head;
	char buf[16] = "";

	req0 = hvg_bridge_stat("requests");
	comp0 = hvg_bridge_stat("completions");
	head = tx->avail_idx % tx->num;
	hvg_desc(tx, head, hvg_put(g, s, strlen(s)), strlen(s), 0, 0);
	hvg_vq_publish(tx, head);
	ASSERT_EQ(0, hvg_notify(g, c->d.base, HVG_CONSOLE_TX));
	ASSERT_EQ(0, hvg_vq_wait_used(tx, HVG_WAIT_MS, &id));
	EXPECT_EQ(head, id);
	end = hvg_ms() + 1000;
	do {
		hvg_sleep_ms(20);
	} while (hvg_bridge_stat("completions") - comp0 < completions &&
		 hvg_ms() < end);
	hvg_sleep_ms(50);
	EXPECT_EQ(req0 + 1, hvg_bridge_stat("requests"));
	EXPECT_EQ(comp0 + completions, hvg_bridge_stat("completions"));
	EXPECT_EQ(strlen(s), hvg_tty_read(c->tty, buf, strlen(s),
					  HVG_WAIT_MS));
	EXPECT_STREQ(s, buf);
	EXPECT_EQ(1ULL, hvg_stat(&c->d, "notifies"));
}

/* QueueNotify at the region's start is asynchronous, elsewhere synchronous. */
TEST_F(regs, notify_async_and_sync)
{
	struct hvg_con a = { .tty = -1 };

	ASSERT_EQ(0, hvg_add_console(G, HVG_MMIO_BASE, HVG_DEV_LEN, IRQ2,
				     &a.d));
	a.tty = hvg_tty_open(a.d.index);
	ASSERT_LE(0, a.tty);
	self->c.tty = hvg_tty_open(self->c.d.index);
	ASSERT_LE(0, self->c.tty);
	ASSERT_EQ(0, hvg_con_init(G, &a, HVG_CONSOLE_FEATURES, NUM));
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));

	notify_kind(_metadata, G, &a, "async", 0);
	notify_kind(_metadata, G, &self->c, "sync", 1);
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ2, HVG_WAIT_MS));
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	close(a.tty);
}

TEST_F(regs, notify_missing_queue)
{
	__u64 errors;

	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	errors = ERRORS();
	WR(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	WR(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffff);
	WR(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	EXPECT_EQ(errors + 3, ERRORS());
	EXPECT_EQ(3ULL, hvg_stat(&self->c.d, "notifies"));
	EXPECT_EQ((__u32)HVG_S_OK, RD(VIRTIO_MMIO_STATUS));
	EXPECT_EQ(0, hvg_con_tx(G, &self->c, "n", HVG_WAIT_MS));
}

TEST_F(regs, sysfs_values)
{
	const char *n = self->c.d.name;
	struct hvv_dev_info info;
	char buf[64], want[64];

	ASSERT_EQ(0, hvg_sysfs_str(n, "type", buf, sizeof(buf)));
	EXPECT_STREQ("console", buf);
	EXPECT_EQ((__u64)ZONE, hvg_sysfs_u64(n, "zone"));
	EXPECT_EQ(BASE, hvg_sysfs_u64(n, "addr"));
	EXPECT_EQ(HVG_DEV_LEN, hvg_sysfs_u64(n, "len"));
	EXPECT_EQ((__u64)IRQ, hvg_sysfs_u64(n, "irq"));
	ASSERT_EQ(0, hvg_sysfs_str(n, "backend", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "ttyHV%u", self->c.d.index);
	EXPECT_STREQ(want, buf);
	snprintf(want, sizeof(want), "console%u", self->c.d.index);
	EXPECT_STREQ(want, n);
	EXPECT_EQ(HVG_CONSOLE_FEATURES, hvg_sysfs_u64(n, "device_features"));
	EXPECT_EQ(0ULL, hvg_sysfs_u64(n, "driver_features"));
	EXPECT_EQ(0ULL, hvg_sysfs_u64(n, "status"));

	/* status follows the driver step by step. */
	WR(VIRTIO_MMIO_STATUS, HVG_S_ACK);
	EXPECT_EQ((__u64)HVG_S_ACK, hvg_sysfs_u64(n, "status"));
	WR(VIRTIO_MMIO_STATUS, HVG_S_DRV);
	EXPECT_EQ((__u64)HVG_S_DRV, hvg_sysfs_u64(n, "status"));
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_F_VERSION_1 |
				  HVG_F_EVENT_IDX, NUM));
	EXPECT_EQ((__u64)HVG_S_OK, hvg_sysfs_u64(n, "status"));
	EXPECT_EQ(HVG_F_VERSION_1 | HVG_F_EVENT_IDX,
		  hvg_sysfs_u64(n, "driver_features"));

	ASSERT_EQ(0, hvg_dev_info(G, n, &info));
	EXPECT_EQ((__u32)HVV_DEV_CONSOLE, info.type);
	EXPECT_EQ((__u32)ZONE, info.zone_id);
	EXPECT_EQ(BASE, info.addr);
	EXPECT_EQ(HVG_DEV_LEN, info.len);
	EXPECT_EQ((__u32)IRQ, info.irq);
	EXPECT_EQ((__u32)HVG_S_OK, info.status);
	EXPECT_EQ(HVG_CONSOLE_FEATURES, info.device_features);
	EXPECT_EQ(HVG_F_VERSION_1 | HVG_F_EVENT_IDX, info.driver_features);
	EXPECT_EQ(self->c.d.index, info.index);
}

/* Every counter moves by exactly what the guest did. */
TEST_F(regs, counters_move)
{
	const struct hvg_dev *d = &self->c.d;
	__u64 rd, wr, nt, rq, bo, bi, in, er;
	struct hvg_vq *rx = &self->c.vq[HVG_CONSOLE_RX];
	__u64 gpa;
	char buf[16];
	int tty;

	tty = hvg_tty_open(d->index);
	ASSERT_LE(0, tty);
	self->c.tty = tty;
	ASSERT_EQ(0, hvg_con_init(G, &self->c, HVG_CONSOLE_FEATURES, NUM));
	rd = hvg_stat(d, "reg_reads");
	wr = hvg_stat(d, "reg_writes");
	nt = hvg_stat(d, "notifies");
	rq = hvg_stat(d, "requests");
	bo = hvg_stat(d, "bytes_out");
	bi = hvg_stat(d, "bytes_in");
	in = hvg_stat(d, "interrupts");
	er = hvg_stat(d, "errors");

	RD(VIRTIO_MMIO_MAGIC_VALUE);
	RD(VIRTIO_MMIO_STATUS);
	hvg_rd(G, BASE + 0x100, 2);
	EXPECT_EQ(rd + 3, hvg_stat(d, "reg_reads"));
	EXPECT_EQ(wr, hvg_stat(d, "reg_writes"));

	/* TX of 5 bytes: 1 write (notify), 1 request, 5 bytes, 1 irq. */
	ASSERT_EQ(0, hvg_con_tx(G, &self->c, "hello", HVG_WAIT_MS));
	ASSERT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ(5U, hvg_tty_read(tty, buf, 5, HVG_WAIT_MS));
	EXPECT_EQ(wr + 1, hvg_stat(d, "reg_writes"));
	EXPECT_EQ(nt + 1, hvg_stat(d, "notifies"));
	EXPECT_EQ(rq + 1, hvg_stat(d, "requests"));
	EXPECT_EQ(bo + 5, hvg_stat(d, "bytes_out"));
	EXPECT_EQ(bi, hvg_stat(d, "bytes_in"));
	EXPECT_EQ(in + 1, hvg_stat(d, "interrupts"));
	WR(VIRTIO_MMIO_INTERRUPT_ACK, 1);

	/* RX of 3 bytes into a 16-byte buffer. */
	gpa = hvg_alloc(G, 16, 16);
	hvg_vq_post(G, BASE, rx, gpa, 16, VRING_DESC_F_WRITE);
	ASSERT_EQ(3, write(tty, "abc", 3));
	EXPECT_EQ(3, hvg_vq_wait_used(rx, HVG_WAIT_MS, NULL));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, gpa), "abc", 3));
	ASSERT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ(wr + 3, hvg_stat(d, "reg_writes"));
	EXPECT_EQ(nt + 2, hvg_stat(d, "notifies"));
	EXPECT_EQ(rq + 2, hvg_stat(d, "requests"));
	EXPECT_EQ(bo + 5, hvg_stat(d, "bytes_out"));
	EXPECT_EQ(bi + 3, hvg_stat(d, "bytes_in"));
	EXPECT_EQ(in + 2, hvg_stat(d, "interrupts"));
	EXPECT_EQ(er, hvg_stat(d, "errors"));

	/* One rejected access. */
	hvg_rd(G, BASE + 2, 2);
	EXPECT_EQ(er + 1, hvg_stat(d, "errors"));
}

TEST_HARNESS_MAIN
