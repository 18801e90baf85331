// SPDX-License-Identifier: GPL-2.0
/*
 * vq_hostile: a raw guest breaks each rule of the split ring and of queue
 * configuration on one console (the victim) while a second console of the
 * same zone (the bystander) keeps working.
 *
 * For every rule: the victim ends in NEEDS_RESET, with a config interrupt
 * if DRIVER_OK was set, stops serving its queues, and works again after a
 * reset and re-initialisation; the bystander works before, during and
 * after. The victim sits at the start of the virtio region (asynchronous
 * QueueNotify), the bystander after it (synchronous); one test swaps them.
 */
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <kselftest_harness.h>
#include "hv_guest.h"

#define ZONE		12
#define IRQ_A		40
#define IRQ_B		41
#define BASE_A		HVG_MMIO_BASE
#define BASE_B		(HVG_MMIO_BASE + 0x200)
#define NUM		8
#define FEAT		(HVG_F_VERSION_1 | HVG_F_INDIRECT)

struct hctx {
	struct hvg g;
	struct hvg_con a;
	struct hvg_con b;
	struct hvg_con *v;	/* victim */
	struct hvg_con *o;	/* bystander */
	__u64 v_errors;		/* victim's error count before the breach */
	__u16 v_used;		/* its transmit used index then */
	unsigned int seq;	/* bystander messages */
	int trace_err;		/* hvv_broken tracing could not start */
};

#define TRACEFS		"/sys/kernel/tracing"
#define TRACE_BROKEN	TRACEFS "/events/hvisor_vhost/hvv_broken/enable"

static int write_file(const char *path, const char *s)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Record hvv_broken from now on, in an empty trace buffer. Without the
 * task names tracing would record by default: those come from probes on
 * the scheduler's tracepoints, whose every (un)registration live-patches
 * the scheduler on all CPUs (once took the debug kernel under TCG past
 * the soft-lockup limit); toggling hvv_broken patches only its own site.
 * The fixture's teardown turns the event off and task names back on.
 */
static int trace_broken_start(void)
{
	if (access(TRACEFS "/events", F_OK) &&
	    mount("nodev", TRACEFS, "tracefs", 0, NULL))
		return -errno;
	return write_file(TRACEFS "/options/record-cmd", "0") ?:
	       write_file(TRACEFS "/trace", "") ?:
	       write_file(TRACE_BROKEN, "1");
}

/*
 * Stop recording; the number of hvv_broken records for device @name with
 * zone @zone and a reason, or -1 if the trace cannot be read.
 */
static int trace_broken_stop(const char *name, __u32 zone)
{
	char want[64], line[512];
	int n = 0;
	FILE *f;

	write_file(TRACE_BROKEN, "0");
	f = fopen(TRACEFS "/trace", "r");
	if (!f)
		return -1;
	snprintf(want, sizeof(want), "hvv_broken: %s zone=%u reason=\"", name,
		 zone);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, want);

		if (p && p[strlen(want)] && p[strlen(want)] != '"')
			n++;
	}
	fclose(f);
	write_file(TRACEFS "/trace", "");
	return n;
}

/* Console @c works: @s reaches its tty, with a used-buffer interrupt. */
static void con_works(struct __test_metadata *_metadata, struct hvg *g,
		      struct hvg_con *c, const char *s)
{
	char buf[32] = "";

	ASSERT_EQ(0, hvg_con_tx(g, c, s, HVG_WAIT_MS))
		TH_LOG("%s did not use the chain \"%s\"", c->d.name, s);
	EXPECT_EQ(strlen(s), hvg_tty_read(c->tty, buf, strlen(s),
					  HVG_WAIT_MS));
	EXPECT_STREQ(s, buf);
	EXPECT_EQ(0, hvg_irq_wait(g, c->d.irq, HVG_WAIT_MS));
	EXPECT_EQ(1U, hvg_isr(g, c->d.base));
	hvg_ack(g, c->d.base, 1);
	EXPECT_EQ(0U, hvg_isr(g, c->d.base));
}

static void bystander_works(struct __test_metadata *_metadata,
			    struct hctx *h)
{
	char s[16];

	snprintf(s, sizeof(s), "by%u", h->seq++);
	con_works(_metadata, &h->g, h->o, s);
}

/*
 * The victim's driver is about to break a rule: remember its error count
 * (its registers are then left alone until the check).
 */
static void before_breach(struct hctx *h)
{
	h->v_errors = hvg_stat(&h->v->d, "errors");
	h->v_used = hvg_vq_used_idx(&h->v->vq[HVG_CONSOLE_TX]);
	h->trace_err = trace_broken_start();
}

/*
 * The victim broke a rule with @status set before (HVG_S_OK or
 * HVG_S_FEAT). Check NEEDS_RESET, the config interrupt (only with
 * DRIVER_OK), that its receive queue is no longer served and that the
 * bystander works; then reset and re-initialise the victim, and check that
 * it works again, including the input held back meanwhile.
 */
static void broken_then_recovers(struct __test_metadata *_metadata,
				 struct hctx *h, __u32 status)
{
	struct hvg *g = &h->g;
	struct hvg_con *v = h->v;
	struct hvg_vq *rx = &v->vq[HVG_CONSOLE_RX];
	__u64 base = v->d.base, gpa;
	__u32 s;
	char c;

	s = hvg_wait_status(g, base, VIRTIO_CONFIG_S_NEEDS_RESET,
			    HVG_WAIT_MS);
	ASSERT_EQ(status | VIRTIO_CONFIG_S_NEEDS_RESET, s)
		TH_LOG("status %#x: the device did not give up", s);
	EXPECT_EQ((__u64)s, hvg_sysfs_u64(v->d.name, "status"));
	EXPECT_LT(h->v_errors, hvg_stat(&v->d, "errors"));
	/* The tracepoint says so once, with a reason. */
	ASSERT_EQ(0, h->trace_err);
	EXPECT_EQ(1, trace_broken_stop(v->d.name, g->zone))
		TH_LOG("no (or more than one) hvv_broken record for %s",
		       v->d.name);
	/* Nothing of the bad chain was consumed. */
	EXPECT_EQ(h->v_used, hvg_vq_used_idx(&v->vq[HVG_CONSOLE_TX]));
	if (status & VIRTIO_CONFIG_S_DRIVER_OK) {
		EXPECT_EQ(0, hvg_irq_wait(g, v->d.irq, HVG_WAIT_MS))
			TH_LOG("no config interrupt");
		EXPECT_EQ((__u32)VIRTIO_MMIO_INT_CONFIG, hvg_isr(g, base));
	} else {
		EXPECT_EQ(0U, hvg_irq_count(g, v->d.irq, HVG_QUIET_MS));
		EXPECT_EQ(0U, hvg_isr(g, base));
	}
	/* It stays broken: more status bits do not clear NEEDS_RESET. */
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, status);
	EXPECT_EQ(status | VIRTIO_CONFIG_S_NEEDS_RESET, hvg_status(g, base));

	bystander_works(_metadata, h);

	/* The (valid) receive queue is not served while broken. */
	gpa = hvg_alloc(g, 16, 16);
	hvg_vq_post(g, base, rx, gpa, 16, VRING_DESC_F_WRITE);
	ASSERT_EQ(1, write(v->tty, "x", 1));
	EXPECT_EQ(-1, hvg_vq_wait_used(rx, HVG_QUIET_MS, NULL))
		TH_LOG("a broken device still serves its queues");
	EXPECT_EQ(0U, hvg_irq_count(g, v->d.irq, 0));

	/* The driver's way out: reset, initialise again. */
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0U, hvg_status(g, base));
	EXPECT_EQ(0U, hvg_isr(g, base));
	EXPECT_EQ(0U, hvg_queue_ready(g, base, 0));
	EXPECT_EQ(0U, hvg_queue_ready(g, base, 1));
	ASSERT_EQ(0, hvg_con_init(g, v, FEAT, NUM));
	con_works(_metadata, g, v, "ok");

	/* The byte typed while it was broken was kept. */
	gpa = hvg_alloc(g, 16, 16);
	hvg_vq_post(g, base, rx, gpa, 16, VRING_DESC_F_WRITE);
	EXPECT_EQ(1, hvg_vq_wait_used(rx, HVG_WAIT_MS, NULL));
	c = *(char *)hvg_ptr(g, gpa);
	EXPECT_EQ('x', c);
	EXPECT_EQ(0, hvg_irq_wait(g, v->d.irq, HVG_WAIT_MS));
	hvg_ack(g, base, 1);

	bystander_works(_metadata, h);
	EXPECT_EQ(0U, h->g.irq_other);
}

FIXTURE(hostile) {
	struct hctx h;
};

FIXTURE_SETUP(hostile)
{
	struct hctx *h = &self->h;
	int ret;

	h->a.tty = -1;
	h->b.tty = -1;
	ret = hvg_setup(&h->g, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ASSERT_EQ(0, hvg_add_console(&h->g, BASE_A, HVG_DEV_LEN, IRQ_A,
				     &h->a.d));
	ASSERT_EQ(0, hvg_add_console(&h->g, BASE_B, HVG_DEV_LEN, IRQ_B,
				     &h->b.d));
	h->a.tty = hvg_tty_open(h->a.d.index);
	ASSERT_LE(0, h->a.tty);
	h->b.tty = hvg_tty_open(h->b.d.index);
	ASSERT_LE(0, h->b.tty);
	ASSERT_EQ(0, hvg_con_init(&h->g, &h->a, FEAT, NUM));
	ASSERT_EQ(0, hvg_con_init(&h->g, &h->b, FEAT, NUM));
	h->v = &h->a;
	h->o = &h->b;
	bystander_works(_metadata, h);
}

FIXTURE_TEARDOWN(hostile)
{
	struct hctx *h = &self->h;

	if (h->a.tty >= 0)
		close(h->a.tty);
	if (h->b.tty >= 0)
		close(h->b.tty);
	EXPECT_EQ(0, hvg_teardown(&h->g));
	/* Tracing as it was, whichever way the test ended (event off first). */
	write_file(TRACE_BROKEN, "0");
	write_file(TRACEFS "/options/record-cmd", "1");
}

#define H		(&self->h)
#define G		(&self->h.g)
#define VBASE		(self->h.v->d.base)
#define TX		(&self->h.v->vq[HVG_CONSOLE_TX])

/* A good buffer of zone RAM. */
static __u64 good_buf(struct hvg *g)
{
	return hvg_put(g, "ok", 2);
}

/* A descriptor table of @n entries in zone RAM. */
static struct vring_desc *table(struct hvg *g, unsigned int n, __u64 *gpa)
{
	*gpa = hvg_alloc(g, 16ULL * n, 16);
	return hvg_ptr(g, *gpa);
}

/* Make chain @head available on the victim's transmit queue and notify. */
static void breach(struct hctx *h, __u16 head)
{
	before_breach(h);
	hvg_vq_kick(&h->g, h->v->d.base, &h->v->vq[HVG_CONSOLE_TX], head);
}

/* ---- available ring ---------------------------------------------- */

TEST_F(hostile, avail_idx_past_queue_size)
{
	hvg_desc(TX, 0, good_buf(G), 2, 0, 0);
	before_breach(H);
	TX->avail->ring[0] = 0;
	__atomic_store_n(&TX->avail->idx, NUM + 1, __ATOMIC_RELEASE);
	hvg_notify(G, VBASE, HVG_CONSOLE_TX);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, avail_idx_moved_back)
{
	hvg_desc(TX, 0, good_buf(G), 2, 0, 0);
	before_breach(H);
	__atomic_store_n(&TX->avail->idx, 0xffff, __ATOMIC_RELEASE);
	hvg_notify(G, VBASE, HVG_CONSOLE_TX);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, head_out_of_range)
{
	hvg_desc(TX, 0, good_buf(G), 2, 0, 0);
	breach(H, NUM);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, head_far_out_of_range)
{
	breach(H, 0xffff);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* ---- descriptor chains ------------------------------------------- */

TEST_F(hostile, next_out_of_range)
{
	hvg_desc(TX, 0, good_buf(G), 2, VRING_DESC_F_NEXT, NUM);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, chain_loop)
{
	hvg_desc(TX, 0, good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_desc(TX, 1, good_buf(G), 2, VRING_DESC_F_NEXT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, chain_self_loop)
{
	hvg_desc(TX, 3, good_buf(G), 2, VRING_DESC_F_NEXT, 3);
	breach(H, 3);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* A chain through every descriptor, then back into itself. */
TEST_F(hostile, chain_longer_than_queue)
{
	unsigned int i;

	for (i = 0; i < NUM; i++)
		hvg_desc(TX, i, good_buf(G), 2, VRING_DESC_F_NEXT,
			 (i + 1) % NUM);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, readable_after_writable)
{
	hvg_desc(TX, 0, hvg_alloc(G, 16, 16), 16,
		 VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	hvg_desc(TX, 1, good_buf(G), 2, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* ---- buffers ----------------------------------------------------- */

TEST_F(hostile, buffer_outside_ram)
{
	hvg_desc(TX, 0, 0x1000, 4, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, buffer_crosses_ram_end)
{
	hvg_desc(TX, 0, HVG_RAM_END - 2, 4, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, buffer_crosses_ram_start)
{
	hvg_desc(TX, 0, HVG_RAM_GPA - 2, 4, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, buffer_wraps)
{
	hvg_desc(TX, 0, 0xfffffffffffffffeULL, 4, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, buffer_huge)
{
	hvg_desc(TX, 0, HVG_RAM_GPA, 0xffffffff, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* The second descriptor of an otherwise good chain is the bad one. */
TEST_F(hostile, second_buffer_outside_ram)
{
	hvg_desc(TX, 0, good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_desc(TX, 1, HVG_RAM_END, 2, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* ---- indirect descriptors ---------------------------------------- */

TEST_F(hostile, indirect_not_negotiated)
{
	struct vring_desc *t;
	__u64 tg;

	/* Same driver, without VIRTIO_RING_F_INDIRECT_DESC. */
	ASSERT_EQ(0, hvg_con_init(G, H->v, HVG_F_VERSION_1, NUM));
	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], good_buf(G), 2, 0, 0);
	hvg_desc(TX, 0, tg, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_with_next)
{
	struct vring_desc *t;
	__u64 tg;

	t = table(G, 1, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, 0, 0);
	hvg_desc(TX, 0, tg, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	hvg_desc(TX, 1, good_buf(G), 2, 0, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_len_zero)
{
	__u64 tg;

	table(G, 1, &tg);
	hvg_desc(TX, 0, tg, 0, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_len_not_multiple_of_16)
{
	struct vring_desc *t;
	__u64 tg;

	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, 0, 0);
	hvg_desc(TX, 0, tg, 24, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* More entries than the largest queue (QueueNumMax, 256). */
TEST_F(hostile, indirect_too_many_entries)
{
	struct vring_desc *t;
	unsigned int i;
	__u64 tg, buf = good_buf(G);

	t = table(G, 257, &tg);
	for (i = 0; i < 257; i++)
		hvg_set_desc(&t[i], buf, 2,
			     i < 256 ? VRING_DESC_F_NEXT : 0, i + 1);
	hvg_desc(TX, 0, tg, 257 * 16, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_nested)
{
	struct vring_desc *t, *t2;
	__u64 tg, tg2;

	t2 = table(G, 1, &tg2);
	hvg_set_desc(&t2[0], good_buf(G), 2, 0, 0);
	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], tg2, 16, VRING_DESC_F_INDIRECT, 0);
	hvg_desc(TX, 0, tg, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_table_outside_ram)
{
	hvg_desc(TX, 0, 0x1000, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_table_crosses_ram_end)
{
	hvg_desc(TX, 0, HVG_RAM_END - 16, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_next_out_of_range)
{
	struct vring_desc *t;
	__u64 tg;

	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], good_buf(G), 2, VRING_DESC_F_NEXT, 2);
	hvg_desc(TX, 0, tg, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_loop)
{
	struct vring_desc *t;
	__u64 tg;

	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], good_buf(G), 2, VRING_DESC_F_NEXT, 0);
	hvg_desc(TX, 0, tg, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_buffer_outside_ram)
{
	struct vring_desc *t;
	__u64 tg;

	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], good_buf(G), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], HVG_RAM_END - 1, 2, 0, 0);
	hvg_desc(TX, 0, tg, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

TEST_F(hostile, indirect_readable_after_writable)
{
	struct vring_desc *t;
	__u64 tg;

	t = table(G, 2, &tg);
	hvg_set_desc(&t[0], hvg_alloc(G, 16, 16), 16,
		     VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], good_buf(G), 2, 0, 0);
	hvg_desc(TX, 0, tg, 32, VRING_DESC_F_INDIRECT, 0);
	breach(H, 0);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* ---- the bystander at the region's start, the victim after it ----- */

TEST_F(hostile, sync_notify_victim)
{
	H->v = &H->b;
	H->o = &H->a;
	hvg_desc(TX, 0, good_buf(G), 2, 0, 0);
	breach(H, NUM);
	broken_then_recovers(_metadata, H, HVG_S_OK);
}

/* ---- QueueReady with an invalid configuration -------------------- */

/*
 * Reset the victim, negotiate, enable its receive queue properly, then
 * enable its transmit queue with @num entries and these ring addresses.
 * The device must refuse it: QueueReady reads 0, the device is broken.
 * With @driver_ok, DRIVER_OK is set before the transmit queue.
 */
static void bad_queue(struct __test_metadata *_metadata, struct hctx *h,
		      __u32 num, __u64 desc, __u64 avail, __u64 used,
		      int driver_ok)
{
	struct hvg *g = &h->g;
	struct hvg_con *v = h->v;
	__u64 b = v->d.base;

	ASSERT_EQ(0, hvg_negotiate(g, b, FEAT));
	hvg_vq_alloc(g, &v->vq[HVG_CONSOLE_RX], HVG_CONSOLE_RX, NUM);
	hvg_vq_enable(g, b, &v->vq[HVG_CONSOLE_RX]);
	ASSERT_EQ(1U, hvg_rd32(g, b, VIRTIO_MMIO_QUEUE_READY));
	if (driver_ok)
		hvg_driver_ok(g, b);
	before_breach(h);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_SEL, HVG_CONSOLE_TX);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_NUM, num);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_DESC_LOW, (__u32)desc);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_DESC_HIGH, desc >> 32);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (__u32)avail);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, avail >> 32);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_USED_LOW, (__u32)used);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_USED_HIGH, used >> 32);
	hvg_wr32(g, b, VIRTIO_MMIO_QUEUE_READY, 1);
	EXPECT_EQ(0U, hvg_rd32(g, b, VIRTIO_MMIO_QUEUE_READY));
	broken_then_recovers(_metadata, h, driver_ok ? HVG_S_OK : HVG_S_FEAT);
}

/* Ring parts of a good NUM-entry ring, for one of them to be spoiled. */
struct rings {
	__u64 desc, avail, used;
};

static struct rings good_rings(struct hvg *g)
{
	struct rings r;

	r.desc = hvg_alloc(g, 16 * NUM, 4096);
	r.avail = hvg_alloc(g, 6 + 2 * NUM, 4096);
	r.used = hvg_alloc(g, 6 + 8 * NUM, 4096);
	return r;
}

TEST_F(hostile, qready_num_zero)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, 0, r.desc, r.avail, r.used, 0);
}

TEST_F(hostile, qready_num_not_power_of_2)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, 6, r.desc, r.avail, r.used, 0);
}

TEST_F(hostile, qready_num_too_big)
{
	struct rings r;

	r.desc = hvg_alloc(G, 16 * 512, 4096);
	r.avail = hvg_alloc(G, 6 + 2 * 512, 4096);
	r.used = hvg_alloc(G, 6 + 8 * 512, 4096);
	bad_queue(_metadata, H, 512, r.desc, r.avail, r.used, 0);
}

TEST_F(hostile, qready_desc_outside_ram)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, 0x1000, r.avail, r.used, 0);
}

TEST_F(hostile, qready_desc_crosses_ram_end)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, HVG_RAM_END - 16 * NUM + 16, r.avail,
		  r.used, 0);
}

TEST_F(hostile, qready_desc_above_4g)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc + (1ULL << 32), r.avail, r.used,
		  0);
}

TEST_F(hostile, qready_desc_misaligned)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc + 8, r.avail, r.used, 0);
}

TEST_F(hostile, qready_avail_outside_ram)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, HVG_RAM_END, r.used, 0);
}

TEST_F(hostile, qready_avail_crosses_ram_end)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, HVG_RAM_END - (6 + 2 * NUM) + 2,
		  r.used, 0);
}

TEST_F(hostile, qready_avail_misaligned)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, r.avail + 1, r.used, 0);
}

TEST_F(hostile, qready_used_outside_ram)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, r.avail, HVG_RAM_GPA - 4096, 0);
}

TEST_F(hostile, qready_used_crosses_ram_end)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, r.avail,
		  HVG_RAM_END - (6 + 8 * NUM) + 4, 0);
}

TEST_F(hostile, qready_used_misaligned)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, r.avail, r.used + 2, 0);
}

/* The same after DRIVER_OK: a config interrupt tells the driver. */
TEST_F(hostile, qready_after_driver_ok)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, 0, r.desc, r.avail, r.used, 1);
}

TEST_F(hostile, qready_bad_address_after_driver_ok)
{
	struct rings r = good_rings(G);

	bad_queue(_metadata, H, NUM, r.desc, r.avail, r.used + 2, 1);
}

/* ---- what is legal must keep working ------------------------------ */

/* Transmit the chain at @head on the victim and read @len bytes back. */
static void tx_accepted(struct __test_metadata *_metadata, struct hctx *h,
			__u16 head, const char *want)
{
	struct hvg_con *v = h->v;
	struct hvg_vq *tx = &v->vq[HVG_CONSOLE_TX];
	size_t len = strlen(want);
	char buf[300] = "";
	__u32 id = ~0U;

	hvg_vq_kick(&h->g, v->d.base, tx, head);
	EXPECT_EQ(0, hvg_vq_wait_used(tx, HVG_WAIT_MS, &id));
	EXPECT_EQ(head, id);
	EXPECT_EQ(len, hvg_tty_read(v->tty, buf, len, HVG_WAIT_MS));
	EXPECT_STREQ(want, buf);
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(&h->g, v->d.base));
	EXPECT_EQ(h->v_errors, hvg_stat(&v->d, "errors"));
	ASSERT_EQ(0, h->trace_err);
	EXPECT_EQ(0, trace_broken_stop(v->d.name, h->g.zone));
}

TEST_F(hostile, buffer_at_ram_end_accepted)
{
	before_breach(H);
	memcpy(hvg_ptr(G, HVG_RAM_END - 2), "ed", 2);
	hvg_desc(TX, 0, HVG_RAM_END - 2, 2, 0, 0);
	tx_accepted(_metadata, H, 0, "ed");
}

TEST_F(hostile, chain_of_queue_size_accepted)
{
	__u64 one = hvg_put(G, "c", 1);
	unsigned int i;

	before_breach(H);
	for (i = 0; i < NUM; i++)
		hvg_desc(TX, i, one, 1, i < NUM - 1 ? VRING_DESC_F_NEXT : 0,
			 i + 1);
	tx_accepted(_metadata, H, 0, "cccccccc");
}

/* An indirect table at the end of RAM, as large as QueueNumMax allows. */
TEST_F(hostile, indirect_max_entries_accepted)
{
	__u64 tg = HVG_RAM_END - 256 * 16, one = hvg_put(G, "i", 1);
	struct vring_desc *t = hvg_ptr(G, tg);
	char want[257];
	unsigned int i;

	before_breach(H);
	for (i = 0; i < 256; i++)
		hvg_set_desc(&t[i], one, 1,
			     i < 255 ? VRING_DESC_F_NEXT : 0, i + 1);
	memset(want, 'i', 256);
	want[256] = 0;
	hvg_desc(TX, 0, tg, 256 * 16, VRING_DESC_F_INDIRECT, 0);
	tx_accepted(_metadata, H, 0, want);
}

/* Rings that end exactly at (avail) or just below (used) the end of RAM. */
TEST_F(hostile, rings_at_ram_end_accepted)
{
	struct hvg_con *v = H->v;
	struct hvg_vq *tx = &v->vq[HVG_CONSOLE_TX];

	ASSERT_EQ(0, hvg_negotiate(G, VBASE, FEAT));
	hvg_vq_alloc(G, &v->vq[HVG_CONSOLE_RX], HVG_CONSOLE_RX, NUM);
	hvg_vq_enable(G, VBASE, &v->vq[HVG_CONSOLE_RX]);
	memset(tx, 0, sizeof(*tx));
	tx->index = HVG_CONSOLE_TX;
	tx->num = NUM;
	tx->avail_gpa = HVG_RAM_END - (6 + 2 * NUM);
	tx->used_gpa = (tx->avail_gpa - (6 + 8 * NUM)) & ~3ULL;
	tx->desc_gpa = (tx->used_gpa - 16 * NUM) & ~15ULL;
	tx->desc = hvg_ptr(G, tx->desc_gpa);
	tx->avail = hvg_ptr(G, tx->avail_gpa);
	tx->used = hvg_ptr(G, tx->used_gpa);
	memset(tx->desc, 0, HVG_RAM_END - tx->desc_gpa);
	hvg_vq_enable(G, VBASE, tx);
	ASSERT_EQ(1U, hvg_rd32(G, VBASE, VIRTIO_MMIO_QUEUE_READY));
	hvg_driver_ok(G, VBASE);
	ASSERT_EQ((__u32)HVG_S_OK, hvg_status(G, VBASE));
	before_breach(H);
	hvg_desc(tx, 0, hvg_put(G, "end", 3), 3, 0, 0);
	tx_accepted(_metadata, H, 0, "end");
}

TEST_HARNESS_MAIN
