// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hvisor_vhost/vq.c: chains popped from hostile rings,
 * used entries and interrupts, notification suppression. Queue 0 of a
 * test device in the zone of hv_tlayout; rings at fixed addresses.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "doubles.h"
#include "mmio.h"
#include "harness.h"
#include "shim/hv_shim_test.h"

#define NUM		8
#define DESC		0x0ULL
#define AVAIL		0x1000ULL
#define USED		0x1800ULL
#define TABLE		0x10000ULL	/* indirect tables */
#define BUF		0x400ULL	/* buffers */
#define F_IND		BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVT		BIT_ULL(VIRTIO_RING_F_EVENT_IDX)
#define F_V1		BIT_ULL(VIRTIO_F_VERSION_1)

static struct hvv_dev dev;
static struct hvv_zone *zone;
static struct hvv_vq *vq;
static struct hvv_chain chain;

/* A device with queue 0 enabled and DRIVER_OK, with @features. */
static void setup(u64 features)
{
	zone = hv_tzone();
	ASSERT(zone);
	ASSERT_EQ(hv_tdev_init(&dev, &hv_tdev_ops, zone, 1, NUM, 0), 0);
	vq = &dev.vqs[0];
	hv_tdev_negotiate(&dev, features | F_V1);
	ASSERT_EQ(hv_tdev_queue(&dev, 0, NUM, DESC, AVAIL, USED), 1);
	hv_tdev_driver_ok(&dev);
	ASSERT(!dev.broken);
	hv_calls_clear();
}

static void teardown(void)
{
	hv_tdev_fini(&dev);
	hvv_zone_destroy(zone);
}

static struct vring_desc *desc_at(u64 table, unsigned int i)
{
	return hv_tmem(table + i * sizeof(struct vring_desc));
}

static void set_desc(u64 table, unsigned int i, u64 addr, u32 len, u16 flags,
		     u16 next)
{
	struct vring_desc *d = desc_at(table, i);

	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static struct vring_avail *avail(void)
{
	return hv_tmem(AVAIL);
}

static struct vring_used *used(void)
{
	return hv_tmem(USED);
}

static void post(u16 head)
{
	struct vring_avail *a = avail();

	a->ring[a->idx % NUM] = head;
	a->idx++;
}

/* Post @head, sync and pop: hvv_vq_pop()'s result. */
static int post_pop(u16 head)
{
	post(head);
	if (!hvv_vq_sync(vq))
		return -100;
	return hvv_vq_pop(vq, &chain);
}

HV_TEST(vq_alloc_failure)
{
	unsigned int n;

	/*
	 * The queue array, then each queue's segments, indirect copy and
	 * bitmap of the heads it holds.
	 */
	for (n = 1; n <= 4; n++) {
		hv_shim_fail_alloc = n;
		EXPECT_EQ(hv_tdev_init(&dev, &hv_tdev_ops, NULL, 1, NUM, 0),
			  -ENOMEM);
		EXPECT(!dev.vqs || !dev.vqs[0].segs);
	}
	EXPECT_EQ(hv_tdev_init(&dev, &hv_tdev_ops, NULL, 1, NUM, 0), 0);
	hv_tdev_fini(&dev);
}

HV_TEST(vq_simple_chain)
{
	char out[16], in[32];
	struct iov_iter it;

	setup(0);
	memcpy(hv_tmem(BUF), "0123456789abcdef", 16);
	set_desc(DESC, 0, BUF, 16, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF + 0x100, 32, VRING_DESC_F_WRITE, 0);
	ASSERT_EQ(post_pop(0), 1);
	EXPECT_EQ(chain.head, 0);
	EXPECT_EQ(chain.nr_out, 1);
	EXPECT_EQ(chain.nr_in, 1);
	EXPECT_EQ(chain.out_len, 16);
	EXPECT_EQ(chain.in_len, 32);
	EXPECT(chain.segs[0].iov_base == hv_tmem(BUF));
	EXPECT(chain.segs[1].iov_base == hv_tmem(BUF + 0x100));
	hvv_chain_iter_out(&chain, &it);
	iov_iter_advance(&it, 4);
	EXPECT_EQ(copy_from_iter(out, sizeof(out), &it), 12);
	EXPECT(!memcmp(out, "456789abcdef", 12));
	memset(in, 'x', sizeof(in));
	hvv_chain_iter_in(&chain, &it);
	EXPECT_EQ(copy_to_iter(in, sizeof(in), &it), 32);
	EXPECT(!memcmp(hv_tmem(BUF + 0x100), in, 32));
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 0);
	hvv_vq_push(vq, 0, 32);
	EXPECT_EQ(used()->idx, 0);	/* not before the flush */
	hvv_vq_flush(vq);
	EXPECT_EQ(used()->idx, 1);
	EXPECT_EQ(used()->ring[0].id, 0);
	EXPECT_EQ(used()->ring[0].len, 32);
	EXPECT_EQ(hv_calls.raise, 1);
	EXPECT_EQ(hv_calls.raise_bits, VIRTIO_MMIO_INT_VRING);
	EXPECT_EQ(atomic64_read(&dev.stats.vq.requests), 1);
	EXPECT_EQ(atomic64_read(&dev.stats.vq.bytes_out), 16);
	EXPECT_EQ(atomic64_read(&dev.stats.vq.bytes_in), 32);
	teardown();
}

HV_TEST(vq_no_interrupt_flag)
{
	setup(0);
	avail()->flags = VRING_AVAIL_F_NO_INTERRUPT;
	set_desc(DESC, 3, BUF, 8, 0, 0);
	ASSERT_EQ(post_pop(3), 1);
	hvv_vq_push(vq, 3, 0);
	hvv_vq_flush(vq);
	EXPECT_EQ(used()->idx, 1);
	EXPECT_EQ(hv_calls.raise, 0);
	/* Nothing pushed: nothing published, no interrupt. */
	avail()->flags = 0;
	hvv_vq_flush(vq);
	EXPECT_EQ(hv_calls.raise, 0);
	teardown();
}

HV_TEST(vq_buffer_split_at_adjacent_regions)
{
	setup(0);
	set_desc(DESC, 0, 0x1f00, 0x200, VRING_DESC_F_WRITE, 0);
	ASSERT_EQ(post_pop(0), 1);
	EXPECT_EQ(chain.nr_in, 2);
	EXPECT_EQ(chain.in_len, 0x200);
	EXPECT(chain.segs[0].iov_base == hv_tmem(0x1f00));
	EXPECT_EQ(chain.segs[0].iov_len, 0x100);
	EXPECT(chain.segs[1].iov_base == hv_tmem(0x2000));
	EXPECT_EQ(chain.segs[1].iov_len, 0x100);
	teardown();
}

/* Pop of a bad chain: -EIO, broken, the reason containing @why. */
static void expect_broken(const char *why)
{
	EXPECT_EQ(hv_calls.broken, 1);
	EXPECT(dev.broken);
	EXPECT(dev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
	EXPECT(hv_calls.broken_reason &&
	       strstr(hv_calls.broken_reason, why));
	if (hv_calls.broken_reason && !strstr(hv_calls.broken_reason, why))
		printf("#   reason: %s\n", hv_calls.broken_reason);
	/* A config interrupt, and no more service until a reset. */
	EXPECT(dev.isr & VIRTIO_MMIO_INT_CONFIG);
	EXPECT(!hvv_vq_sync(vq));
}

HV_TEST(vq_buffer_into_gap)
{
	setup(0);
	set_desc(DESC, 0, 0x2f00, 0x200, 0, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("outside zone RAM");
	teardown();
}

HV_TEST(vq_zero_length_buffers)
{
	setup(0);
	set_desc(DESC, 0, BUF, 0, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, 0x3000, 0, 0, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("outside zone RAM");
	teardown();
}

HV_TEST(vq_loop)
{
	setup(0);
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF, 8, VRING_DESC_F_NEXT, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("too long or looping");
	teardown();
}

HV_TEST(vq_longest_chain)
{
	unsigned int i;

	setup(0);
	for (i = 0; i < NUM; i++)
		set_desc(DESC, i, BUF + i, 1, i < NUM - 1 ? VRING_DESC_F_NEXT : 0,
			 i + 1);
	ASSERT_EQ(post_pop(0), 1);
	EXPECT_EQ(chain.nr_out, NUM);
	EXPECT_EQ(chain.out_len, NUM);
	teardown();
}

/* A head the device holds made available again: the device breaks. */
HV_TEST(vq_head_made_available_while_held)
{
	setup(0);
	set_desc(DESC, 0, BUF, 16, 0, 0);
	ASSERT_EQ(post_pop(0), 1);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 0);
	post(0);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), -EIO);
	expect_broken("while in use");
	teardown();
}

/* Chains held at once in the caller's arrays; given back in reverse. */
HV_TEST(vq_pop_into_several_chains)
{
	struct kvec segs_a[2], segs_b[2];
	struct hvv_chain a, b;

	setup(0);
	set_desc(DESC, 0, BUF, 16, 0, 0);
	set_desc(DESC, 1, BUF + 0x100, 32, VRING_DESC_F_WRITE, 0);
	post(0);
	post(1);
	ASSERT(hvv_vq_sync(vq));
	ASSERT_EQ(hvv_vq_pop_into(vq, &a, segs_a, 2), 1);
	ASSERT_EQ(hvv_vq_pop_into(vq, &b, segs_b, 2), 1);
	/* The first chain's segments are still its own. */
	EXPECT(a.segs == segs_a && a.nr_out == 1 && a.nr_in == 0);
	EXPECT(a.segs[0].iov_base == hv_tmem(BUF) && a.segs[0].iov_len == 16);
	EXPECT(b.segs == segs_b && b.nr_out == 0 && b.nr_in == 1);
	EXPECT(b.segs[0].iov_base == hv_tmem(BUF + 0x100));
	EXPECT_EQ(atomic64_read(&dev.stats.vq.requests), 2);
	hvv_vq_unpop(vq, &b);
	hvv_vq_unpop(vq, &a);
	EXPECT_EQ(atomic64_read(&dev.stats.vq.requests), 0);
	ASSERT_EQ(hvv_vq_pop(vq, &chain), 1);
	EXPECT_EQ(chain.head, 0);
	ASSERT_EQ(hvv_vq_pop(vq, &chain), 1);
	EXPECT_EQ(chain.head, 1);
	EXPECT(!dev.broken);
	teardown();
}

/* Too little room is the caller's problem: nothing taken, not broken. */
HV_TEST(vq_pop_into_short_array)
{
	struct kvec segs[2];

	setup(0);
	/* Three segments: one spans the regions at 0x2000, plus one more. */
	set_desc(DESC, 0, 0x1f00, 0x200, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF, 16, 0, 0);
	post(0);
	ASSERT(hvv_vq_sync(vq));
	EXPECT_EQ(hvv_vq_pop_into(vq, &chain, segs, 2), -ENOSPC);
	EXPECT_EQ(hv_calls.broken, 0);
	EXPECT_EQ(vq->last_avail_idx, 0);
	EXPECT_EQ(atomic64_read(&dev.stats.vq.requests), 0);
	ASSERT_EQ(hvv_vq_pop(vq, &chain), 1);
	EXPECT_EQ(chain.nr_out, 3);
	EXPECT(!dev.broken);
	teardown();
}

/* Given back, pushed, or a new generation: the head is free again. */
HV_TEST(vq_head_free_after_unpop_push_and_reset)
{
	setup(0);
	set_desc(DESC, 0, BUF, 16, 0, 0);
	ASSERT_EQ(post_pop(0), 1);
	hvv_vq_unpop(vq, &chain);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 1);
	hvv_vq_push(vq, 0, 0);
	post(0);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 1);
	EXPECT(!dev.broken);
	/* Held across a reset: the new ring starts with nothing held. */
	hv_tdev_write(&dev, VIRTIO_MMIO_STATUS, 0);
	hv_tdev_negotiate(&dev, F_V1);
	ASSERT_EQ(hv_tdev_queue(&dev, 0, NUM, DESC, AVAIL, USED), 1);
	hv_tdev_driver_ok(&dev);
	memset(avail(), 0, 4);
	EXPECT_EQ(post_pop(0), 1);
	EXPECT(!dev.broken);
	teardown();
}

/*
 * The device returns only heads it holds: a push of any other is a bug
 * of the backend, a warning (which ends the program here). In a child,
 * its message out of the log.
 */
HV_TEST(vq_push_of_a_head_not_held_warns)
{
	int status, fd;
	pid_t pid;

	setup(0);
	set_desc(DESC, 0, BUF, 16, 0, 0);
	ASSERT_EQ(post_pop(0), 1);
	hvv_vq_push(vq, 0, 0);
	fflush(NULL);
	pid = fork();
	ASSERT(pid >= 0);
	if (!pid) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		hvv_vq_push(vq, 0, 0);	/* a second time */
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	EXPECT_EQ(vq->used_idx, 1);
	teardown();
}

HV_TEST(vq_indices)
{
	setup(0);
	set_desc(DESC, 0, BUF, 8, 0, 0);
	EXPECT_EQ(post_pop(NUM), -EIO);
	expect_broken("head index out of range");
	teardown();

	setup(0);
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_NEXT, NUM);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("next index out of range");
	teardown();

	setup(0);
	avail()->idx = NUM + 1;
	ASSERT(hvv_vq_sync(vq));
	EXPECT_EQ(hvv_vq_pop(vq, &chain), -EIO);
	expect_broken("available index moved past");
	teardown();
}

HV_TEST(vq_readable_after_writable)
{
	setup(0);
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF, 8, 0, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("readable descriptor after a writable one");
	teardown();
}

HV_TEST(vq_indirect)
{
	setup(F_IND);
	set_desc(TABLE, 0, BUF, 4, VRING_DESC_F_NEXT, 2);
	set_desc(TABLE, 2, BUF + 8, 6, VRING_DESC_F_WRITE, 0);
	set_desc(DESC, 5, TABLE, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	ASSERT_EQ(post_pop(5), 1);
	EXPECT_EQ(chain.head, 5);
	EXPECT_EQ(chain.nr_out, 1);
	EXPECT_EQ(chain.nr_in, 1);
	EXPECT_EQ(chain.in_len, 6);
	EXPECT(chain.segs[1].iov_base == hv_tmem(BUF + 8));
	/* A direct chain may end with the indirect table (as in vhost). */
	set_desc(DESC, 6, BUF + 0x40, 2, VRING_DESC_F_NEXT, 5);
	ASSERT_EQ(post_pop(6), 1);
	EXPECT_EQ(chain.nr_out, 2);
	EXPECT_EQ(chain.out_len, 6);
	teardown();
}

HV_TEST(vq_indirect_rules)
{
	static const struct {
		u32 len;
		u16 flags;
		u64 addr;
		u64 features;
		const char *why;
	} bad[] = {
		{ 32, 0, TABLE, 0, "not negotiated" },
		{ 32, VRING_DESC_F_NEXT, TABLE, F_IND, "with NEXT" },
		{ 24, 0, TABLE, F_IND, "multiple of 16" },
		{ 0, 0, TABLE, F_IND, "multiple of 16" },
		{ 16 * (NUM + 1), 0, TABLE, F_IND, "larger than the queue" },
		{ 32, 0, 0x1ff0, F_IND, "indirect table outside zone RAM" },
		{ 32, 0, 0x3000, F_IND, "indirect table outside zone RAM" },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		setup(bad[i].features);
		set_desc(TABLE, 0, BUF, 4, 0, 0);
		set_desc(TABLE, 1, BUF, 4, 0, 0);
		set_desc(0x1ff0, 0, BUF, 4, 0, 0);
		set_desc(DESC, 0, bad[i].addr, bad[i].len,
			 VRING_DESC_F_INDIRECT | bad[i].flags, 1);
		set_desc(DESC, 1, BUF, 4, 0, 0);
		EXPECT_EQ(post_pop(0), -EIO);
		expect_broken(bad[i].why);
		teardown();
	}

	setup(F_IND);
	set_desc(TABLE, 0, TABLE + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(DESC, 0, TABLE, 16, VRING_DESC_F_INDIRECT, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("nested indirect table");
	teardown();

	setup(F_IND);
	set_desc(TABLE, 0, BUF, 4, VRING_DESC_F_NEXT, 0);
	set_desc(DESC, 0, TABLE, 16, VRING_DESC_F_INDIRECT, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("too long or looping");
	teardown();
}

HV_TEST(vq_segment_limit)
{
	unsigned int i;

	/* NUM descriptors of two segments each: the most a chain gets. */
	setup(F_IND);
	for (i = 0; i < NUM; i++)
		set_desc(TABLE, i, 0x1ff0, 0x20, i < NUM - 1 ? VRING_DESC_F_NEXT : 0,
			 i + 1);
	set_desc(DESC, 0, TABLE, NUM * 16, VRING_DESC_F_INDIRECT, 0);
	ASSERT_EQ(post_pop(0), 1);
	EXPECT_EQ(chain.nr_out, 2 * NUM);
	/* One direct descriptor more is one too many. */
	set_desc(DESC, 1, 0x1ff0, 0x20, VRING_DESC_F_NEXT, 0);
	EXPECT_EQ(post_pop(1), -EIO);
	expect_broken("too many buffer segments");
	teardown();
}

HV_TEST(vq_chain_over_4g)
{
	struct hvv_zone_config uz = { .zone_id = 2, .nr_regions = 1 };
	struct hvv_zone *big;

	/*
	 * The ring is mapped from the usual zone; buffers are translated
	 * in a zone of one 4 GiB region, mapped fake: pop does not
	 * dereference buffers.
	 */
	uz.regions[0].gpa = 1ULL << 32;
	uz.regions[0].hpa = 1ULL << 36;
	uz.regions[0].size = 1ULL << 32;
	hv_shim_fake_from = 1ULL << 36;
	big = hvv_zone_create(&uz, false);
	ASSERT(!IS_ERR(big));
	setup(0);
	vq->zone = big;
	set_desc(DESC, 0, 1ULL << 32, 0xffffffff, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, 1ULL << 32, 1, 0, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("longer than 4 GiB");
	vq->zone = zone;
	teardown();
	hvv_zone_destroy(big);
}

HV_TEST(vq_buffer_wraps)
{
	setup(0);
	set_desc(DESC, 0, ~0ULL - 4, 8, 0, 0);
	EXPECT_EQ(post_pop(0), -EIO);
	expect_broken("wraps around");
	teardown();
}

HV_TEST(vq_unpop)
{
	setup(0);
	set_desc(DESC, 2, BUF, 8, 0, 0);
	ASSERT_EQ(post_pop(2), 1);
	hvv_vq_unpop(vq, &chain);
	EXPECT_EQ(atomic64_read(&dev.stats.vq.requests), 0);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 1);
	EXPECT_EQ(chain.head, 2);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 0);
	teardown();
}

HV_TEST(vq_not_before_driver_ok)
{
	zone = hv_tzone();
	ASSERT(zone);
	ASSERT_EQ(hv_tdev_init(&dev, &hv_tdev_ops, zone, 1, NUM, 0), 0);
	vq = &dev.vqs[0];
	hv_tdev_negotiate(&dev, F_V1);
	ASSERT_EQ(hv_tdev_queue(&dev, 0, NUM, DESC, AVAIL, USED), 1);
	set_desc(DESC, 0, BUF, 8, 0, 0);
	post(0);
	EXPECT(!hvv_vq_sync(vq));
	hvv_vq_push(vq, 0, 8);
	hvv_vq_flush(vq);
	EXPECT_EQ(used()->idx, 0);
	EXPECT_EQ(used()->ring[0].len, 0);
	hv_tdev_driver_ok(&dev);
	EXPECT_EQ(hv_calls.kick_all, 1);
	ASSERT(hvv_vq_sync(vq));
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 1);
	teardown();
}

HV_TEST(vq_disabled_queue_gets_nothing)
{
	setup(0);
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_WRITE, 0);
	ASSERT_EQ(post_pop(0), 1);
	/* The driver disables the queue while the request is served. */
	hv_tdev_write(&dev, VIRTIO_MMIO_QUEUE_READY, 0);
	hvv_vq_push(vq, 0, 8);
	hvv_vq_flush(vq);
	EXPECT_EQ(used()->idx, 0);
	EXPECT_EQ(hv_calls.raise, 0);
	/* The next run finds it disabled: not even the entry is written. */
	EXPECT(!hvv_vq_sync(vq));
	hvv_vq_push(vq, 0, 8);
	EXPECT_EQ(used()->ring[1].len, 0);
	teardown();
}

HV_TEST(vq_reset_drops_completion)
{
	setup(0);
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_WRITE, 0);
	ASSERT_EQ(post_pop(0), 1);
	EXPECT(hvv_vq_current(vq, vq->wr.gen));
	EXPECT(!hvv_mmio_write(&dev, VIRTIO_MMIO_STATUS, 4, 0, HVV_NO_WAITER));
	EXPECT_EQ(hv_calls.reset, 1);
	EXPECT(!hvv_vq_current(vq, vq->wr.gen));
	hvv_vq_push(vq, 0, 8);
	hvv_vq_flush(vq);
	EXPECT_EQ(used()->idx, 0);
	teardown();
}

HV_TEST(vq_broken_publishes_nothing)
{
	setup(0);
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_WRITE, 0);
	set_desc(DESC, 1, 0x5000, 8, 0, 0);
	ASSERT_EQ(post_pop(0), 1);
	post(1);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), -EIO);
	hvv_vq_push(vq, 0, 8);
	hvv_vq_flush(vq);
	EXPECT_EQ(used()->idx, 0);
	EXPECT_EQ(hv_calls.raise, 0);
	EXPECT(!hvv_vq_sync(vq));
	/* After a reset and a new setup, the queue serves again. */
	hv_tdev_write(&dev, VIRTIO_MMIO_STATUS, 0);
	EXPECT(!dev.broken);
	hv_tdev_negotiate(&dev, F_V1);
	EXPECT_EQ(hv_tdev_queue(&dev, 0, NUM, DESC, AVAIL, USED), 1);
	hv_tdev_driver_ok(&dev);
	avail()->idx = 0;
	EXPECT_EQ(post_pop(0), 1);
	teardown();
}

HV_TEST(vq_event_idx)
{
	u16 *used_event, *avail_event;
	unsigned int i;

	setup(F_EVT);
	used_event = (u16 *)&avail()->ring[NUM];
	avail_event = (u16 *)&used()->ring[NUM];
	for (i = 0; i < 4; i++)
		set_desc(DESC, i, BUF, 8, 0, 0);
	/* The first publication always interrupts. */
	ASSERT_EQ(post_pop(0), 1);
	hvv_vq_push(vq, 0, 0);
	hvv_vq_flush(vq);
	EXPECT_EQ(hv_calls.raise, 1);
	/* used_event 5: no interrupt until used idx passes it. */
	*used_event = 5;
	ASSERT_EQ(post_pop(1), 1);
	hvv_vq_push(vq, 1, 0);
	hvv_vq_flush(vq);
	EXPECT_EQ(hv_calls.raise, 1);
	/* Already passed: still none (event not in [old, new)). */
	*used_event = 1;
	ASSERT_EQ(post_pop(2), 1);
	hvv_vq_push(vq, 2, 0);
	hvv_vq_flush(vq);
	EXPECT_EQ(hv_calls.raise, 1);
	*used_event = 3;
	ASSERT_EQ(post_pop(2), 1);
	hvv_vq_push(vq, 2, 0);
	hvv_vq_flush(vq);
	EXPECT_EQ(hv_calls.raise, 2);
	/* Notifications: avail_event set to the next entry to pop. */
	hvv_vq_disable_notify(vq);
	EXPECT_EQ(used()->flags, 0);
	EXPECT(!hvv_vq_enable_notify(vq));
	EXPECT_EQ(*avail_event, 4);
	post(3);
	EXPECT(hvv_vq_enable_notify(vq));
	teardown();
}

HV_TEST(vq_notify_flags)
{
	setup(0);
	hvv_vq_sync(vq);
	hvv_vq_disable_notify(vq);
	EXPECT_EQ(used()->flags, VRING_USED_F_NO_NOTIFY);
	EXPECT(!hvv_vq_enable_notify(vq));
	EXPECT_EQ(used()->flags, 0);
	set_desc(DESC, 0, BUF, 8, 0, 0);
	post(0);
	EXPECT(hvv_vq_enable_notify(vq));
	teardown();
}

/*
 * Chains given back because they were not enough (a receive that needs
 * more buffers): enabling notifications waits for more, it does not
 * report those again, or the caller would spin on them.
 */
HV_TEST(vq_notify_after_unpop_waits_for_more)
{
	struct kvec segs[4];
	struct hvv_chain two[2];
	u16 *avail_event;

	setup(F_EVT);
	avail_event = (u16 *)&used()->ring[NUM];
	set_desc(DESC, 0, BUF, 8, VRING_DESC_F_WRITE, 0);
	set_desc(DESC, 1, BUF + 8, 8, VRING_DESC_F_WRITE, 0);
	post(0);
	post(1);
	ASSERT(hvv_vq_sync(vq));
	ASSERT_EQ(hvv_vq_pop_into(vq, &two[0], segs, 2), 1);
	ASSERT_EQ(hvv_vq_pop_into(vq, &two[1], segs + 2, 2), 1);
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 0);
	hvv_vq_unpop(vq, &two[1]);
	hvv_vq_unpop(vq, &two[0]);
	EXPECT(!hvv_vq_enable_notify(vq));
	EXPECT_EQ(*avail_event, 2);
	set_desc(DESC, 2, BUF + 16, 8, VRING_DESC_F_WRITE, 0);
	post(2);
	EXPECT(hvv_vq_enable_notify(vq));
	/* All three come back, in order. */
	EXPECT_EQ(hvv_vq_pop(vq, &chain), 1);
	EXPECT_EQ(chain.head, 0);
	EXPECT(!dev.broken);
	teardown();
}

/* hvv_vq_serve()'s callback: a scripted answer per call. */
static const int *serve_script;
static unsigned int serve_calls;

static int serve_scripted(struct hvv_vq *q, const struct hvv_chain *c)
{
	EXPECT(q == vq);
	return serve_script[serve_calls++];
}

/*
 * A pass of hvv_vq_serve(): used entries with the lengths the backend
 * gave, one publication at the end; a chain the backend cannot take yet
 * is given back and ends the pass; the weight ends it too.
 */
HV_TEST(vq_serve_pass)
{
	static const int first[] = { 1, 2, -EAGAIN };
	static const int second[] = { 0, 300 * 1024, 300 * 1024 };
	unsigned int i;

	setup(0);
	for (i = 0; i < 4; i++) {
		set_desc(DESC, i, BUF + i * 8, 8, VRING_DESC_F_WRITE, 0);
		post(i);
	}
	ASSERT(hvv_vq_sync(vq));
	serve_script = first;
	serve_calls = 0;
	EXPECT(!hvv_vq_serve(vq, serve_scripted));
	EXPECT_EQ(serve_calls, 3);
	EXPECT_EQ(used()->idx, 2);
	EXPECT_EQ(used()->ring[0].id, 0);
	EXPECT_EQ(used()->ring[0].len, 1);
	EXPECT_EQ(used()->ring[1].id, 1);
	EXPECT_EQ(used()->ring[1].len, 2);
	EXPECT_EQ(hv_calls.raise, 1);
	/* Head 2 comes back first; 600 KiB moved end the pass early. */
	post(0);
	serve_script = second;
	serve_calls = 0;
	EXPECT(hvv_vq_serve(vq, serve_scripted));
	EXPECT_EQ(serve_calls, 3);
	EXPECT_EQ(used()->idx, 5);
	EXPECT_EQ(used()->ring[2].id, 2);
	EXPECT_EQ(used()->ring[4].id, 0);
	EXPECT(!dev.broken);
	teardown();
}

/*
 * The chain as iterators: readable segments for the device to read, then
 * the writable ones, each in order, across a region boundary and past
 * zero-length buffers; skips and copies stop at the chain's end.
 */
HV_TEST(vq_chain_iterators)
{
	static const char text[] = "abcdefghij";
	struct iov_iter it;
	char out[16];

	setup(0);
	memcpy(hv_tmem(0x1ffc), text, 4);
	memcpy(hv_tmem(0x2000), text + 4, 6);
	memcpy(hv_tmem(BUF), "klm", 3);
	memset(hv_tmem(BUF + 0x100), '.', 8);
	memset(hv_tmem(BUF + 0x200), '.', 8);
	set_desc(DESC, 0, 0x1ffc, 10, VRING_DESC_F_NEXT, 1);
	set_desc(DESC, 1, BUF + 0x80, 0, VRING_DESC_F_NEXT, 2);
	set_desc(DESC, 2, BUF, 3, VRING_DESC_F_NEXT, 3);
	set_desc(DESC, 3, BUF + 0x100, 5, VRING_DESC_F_WRITE |
		 VRING_DESC_F_NEXT, 4);
	set_desc(DESC, 4, BUF + 0x180, 0, VRING_DESC_F_WRITE |
		 VRING_DESC_F_NEXT, 5);
	set_desc(DESC, 5, BUF + 0x200, 4, VRING_DESC_F_WRITE, 0);
	ASSERT_EQ(post_pop(0), 1);
	ASSERT_EQ(chain.nr_out, 4);
	ASSERT_EQ(chain.nr_in, 3);

	hvv_chain_iter_out(&chain, &it);
	EXPECT_EQ(iov_iter_rw(&it), WRITE);
	EXPECT_EQ(iov_iter_count(&it), 13);
	EXPECT_EQ(copy_from_iter(out, 2, &it), 2);
	EXPECT(!memcmp(out, "ab", 2));
	iov_iter_advance(&it, 4);
	EXPECT_EQ(copy_from_iter(out, sizeof(out), &it), 7);
	EXPECT(!memcmp(out, "ghijklm", 7));
	EXPECT_EQ(iov_iter_count(&it), 0);
	EXPECT_EQ(copy_from_iter(out, sizeof(out), &it), 0);
	hvv_chain_iter_out(&chain, &it);
	iov_iter_advance(&it, 100);
	EXPECT_EQ(iov_iter_count(&it), 0);
	EXPECT_EQ(copy_from_iter(out, 1, &it), 0);

	hvv_chain_iter_in(&chain, &it);
	EXPECT_EQ(iov_iter_rw(&it), READ);
	EXPECT_EQ(iov_iter_count(&it), 9);
	iov_iter_advance(&it, 3);
	EXPECT_EQ(copy_to_iter("XYZ12345", 8, &it), 6);
	EXPECT_EQ(copy_to_iter("!", 1, &it), 0);
	EXPECT(!memcmp(hv_tmem(BUF + 0x100), "...XY...", 8));
	EXPECT(!memcmp(hv_tmem(BUF + 0x200), "Z123....", 8));
	/* The readable buffers are not written. */
	EXPECT(!memcmp(hv_tmem(0x1ffc), "abcd", 4));
	EXPECT(!memcmp(hv_tmem(BUF), "klm", 3));
	teardown();
}

/* A chain without writable, or without readable, buffers. */
HV_TEST(vq_chain_iterators_one_sided)
{
	struct iov_iter it;
	char out[8];

	setup(0);
	memcpy(hv_tmem(BUF), "12345678", 8);
	set_desc(DESC, 0, BUF, 8, 0, 0);
	set_desc(DESC, 1, BUF, 8, VRING_DESC_F_WRITE, 0);
	ASSERT_EQ(post_pop(0), 1);
	hvv_chain_iter_in(&chain, &it);
	EXPECT_EQ(iov_iter_count(&it), 0);
	EXPECT_EQ(copy_to_iter("abcd", 4, &it), 0);
	EXPECT(!memcmp(hv_tmem(BUF), "12345678", 8));
	hvv_chain_iter_out(&chain, &it);
	EXPECT_EQ(copy_from_iter(out, sizeof(out), &it), 8);
	EXPECT(!memcmp(out, "12345678", 8));

	post(1);
	ASSERT_EQ(hvv_vq_pop(vq, &chain), 1);
	hvv_chain_iter_out(&chain, &it);
	EXPECT_EQ(iov_iter_count(&it), 0);
	EXPECT_EQ(copy_from_iter(out, sizeof(out), &it), 0);
	hvv_chain_iter_in(&chain, &it);
	EXPECT_EQ(copy_to_iter("abcdefghij", 10, &it), 8);
	EXPECT(!memcmp(hv_tmem(BUF), "abcdefgh", 8));
	teardown();
}

HV_TEST(vq_bad_ring_configuration)
{
	static const struct {
		u32 num;
		u64 desc, avail, used;
	} bad[] = {
		{ 3, DESC, AVAIL, USED },
		{ 0, DESC, AVAIL, USED },
		{ 2 * NUM, DESC, AVAIL, USED },
		{ NUM, DESC + 8, AVAIL, USED },
		{ NUM, DESC, AVAIL + 1, USED },
		{ NUM, DESC, AVAIL, USED + 2 },
		{ NUM, 0x1fc0, AVAIL, USED },	/* across two regions */
		{ NUM, DESC, 0x2ff0, USED },	/* its end in the gap */
		{ NUM, DESC, AVAIL, 0x5000 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		zone = hv_tzone();
		ASSERT(zone);
		ASSERT_EQ(hv_tdev_init(&dev, &hv_tdev_ops, zone, 1, NUM, 0), 0);
		vq = &dev.vqs[0];
		hv_tdev_negotiate(&dev, F_V1);
		hv_calls_clear();
		if (hv_tdev_queue(&dev, 0, bad[i].num, bad[i].desc,
				  bad[i].avail, bad[i].used))
			EXPECT_EQ(i, ~0U);
		EXPECT_EQ(hv_calls.broken, 1);
		EXPECT(!vq->ready);
		teardown();
	}
}
