// SPDX-License-Identifier: GPL-2.0
/*
 * console_raw: the virtio-console data path of hvisor_vhost, driven by a
 * raw guest (hvisor_sim zone owned by this process) on one side and
 * /dev/ttyHV<N> on the other.
 *
 * Transmit to the tty, receive from it (also what was written before the
 * guest posted buffers, and beyond the FIFO: the writer waits), indirect
 * descriptors, EVENT_IDX and NO_INTERRUPT, emerg_wr, the history replayed
 * to the first opener (also through a tcflush() right after open), a
 * reader that stops reading, and TIOCSWINSZ as a config change.
 */
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kselftest_harness.h>
#include "hv_guest.h"

#define ZONE		13
#define IRQ		50
#define BASE		HVG_MMIO_BASE
#define NUM		8
#define FEAT		(HVG_F_VERSION_1 | HVG_F_INDIRECT | \
			 BIT_ULL(VIRTIO_CONSOLE_F_SIZE) | \
			 BIT_ULL(VIRTIO_CONSOLE_F_EMERG_WRITE))
#define FIFO_SIZE	16384
#define HISTORY_SIZE	65536

FIXTURE(con) {
	struct hvg g;
	struct hvg_con c;
};

FIXTURE_SETUP(con)
{
	int ret;

	self->c.tty = -1;
	ret = hvg_setup(&self->g, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ret = hvg_add_console(&self->g, BASE, HVG_DEV_LEN, IRQ, &self->c.d);
	ASSERT_EQ(0, ret) TH_LOG("console add: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(con)
{
	if (self->c.tty >= 0)
		close(self->c.tty);
	EXPECT_EQ(0, hvg_teardown(&self->g));
}

#define G	(&self->g)
#define C	(&self->c)
#define RXQ	(&self->c.vq[HVG_CONSOLE_RX])
#define TXQ	(&self->c.vq[HVG_CONSOLE_TX])

static void open_tty(struct __test_metadata *_metadata, struct hvg_con *c)
{
	c->tty = hvg_tty_open(c->d.index);
	ASSERT_LE(0, c->tty) TH_LOG("open ttyHV%u: %s", c->d.index,
				    strerror(-c->tty));
}

/* Exactly @len bytes equal to @want arrive on the tty, then nothing. */
static void tty_gets(struct __test_metadata *_metadata, int tty,
		     const void *want, size_t len)
{
	static char buf[HISTORY_SIZE + 64];
	size_t n;

	n = hvg_tty_read(tty, buf, len, HVG_WAIT_MS);
	EXPECT_EQ(len, n);
	EXPECT_EQ(0, memcmp(buf, want, n < len ? n : len));
	EXPECT_EQ(0U, hvg_tty_read(tty, buf, 1, 100));
}

/* The interrupt of a used buffer: injected, bit 0, ACKed. */
static void vring_irq(struct __test_metadata *_metadata, struct hvg *g)
{
	EXPECT_EQ(0, hvg_irq_wait(g, IRQ, HVG_WAIT_MS));
	EXPECT_EQ((__u32)VIRTIO_MMIO_INT_VRING, hvg_isr(g, BASE));
	hvg_ack(g, BASE, VIRTIO_MMIO_INT_VRING);
}

TEST_F(con, tx_reaches_tty)
{
	unsigned char all[256];
	__u64 out0;
	__u32 id;
	int i;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	out0 = hvg_stat(&C->d, "bytes_out");

	EXPECT_EQ(0, hvg_con_tx(G, C, "hello, world\r\n", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "hello, world\r\n", 14);
	vring_irq(_metadata, G);

	/* Three readable descriptors. */
	hvg_desc(TXQ, 5, hvg_put(G, "abc", 3), 3, VRING_DESC_F_NEXT, 2);
	hvg_desc(TXQ, 2, hvg_put(G, "def", 3), 3, VRING_DESC_F_NEXT, 7);
	hvg_desc(TXQ, 7, hvg_put(G, "ghi", 3), 3, 0, 0);
	hvg_vq_kick(G, BASE, TXQ, 5);
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(5U, id);
	tty_gets(_metadata, C->tty, "abcdefghi", 9);
	vring_irq(_metadata, G);

	/* A writable part is not output; used len stays 0. */
	hvg_desc(TXQ, 0, hvg_put(G, "rw", 2), 2, VRING_DESC_F_NEXT, 1);
	hvg_desc(TXQ, 1, hvg_put(G, "XXXX", 4), 4, VRING_DESC_F_WRITE, 0);
	hvg_vq_kick(G, BASE, TXQ, 0);
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(0U, id);
	tty_gets(_metadata, C->tty, "rw", 2);
	EXPECT_EQ(0, memcmp(hvg_ptr(G, TXQ->desc[1].addr), "XXXX", 4));
	vring_irq(_metadata, G);

	/* Every byte value, untranslated. */
	for (i = 0; i < 256; i++)
		all[i] = i;
	hvg_vq_send(G, BASE, TXQ, all, sizeof(all));
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, NULL));
	tty_gets(_metadata, C->tty, all, sizeof(all));

	EXPECT_EQ(out0 + 14 + 9 + 2 + 256, hvg_stat(&C->d, "bytes_out"));
	EXPECT_EQ(4ULL, hvg_stat(&C->d, "requests"));
}

/* A full ring of chains made available at once, one notify. */
TEST_F(con, tx_full_ring)
{
	char want[NUM + 1] = "", s[2] = "";
	unsigned int i;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	for (i = 0; i < NUM; i++) {
		s[0] = 'a' + i;
		want[i] = s[0];
		hvg_desc(TXQ, i, hvg_put(G, s, 1), 1, 0, 0);
		hvg_vq_publish(TXQ, i);
	}
	hvg_notify(G, BASE, HVG_CONSOLE_TX);
	for (i = 0; i < NUM; i++) {
		__u32 id = ~0U;

		EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, &id));
		EXPECT_EQ(i, id);
	}
	tty_gets(_metadata, C->tty, want, NUM);
	vring_irq(_metadata, G);
}

/*
 * A transmit chain larger than what the tty buffers (64 KiB)
 * still reaches a reader, and does not hold the queue forever.
 */
TEST_F(con, tx_large_chain_with_reader)
{
	static unsigned char pat[1 << 20], got[1 << 20];
	size_t i, n;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (i * 5 + i / 4093) & 0xff;
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	hvg_vq_send(G, BASE, TXQ, pat, sizeof(pat));
	n = hvg_tty_read(C->tty, got, sizeof(got), HVG_WAIT_MS);
	ASSERT_EQ(sizeof(pat), n) TH_LOG("the reader got %zu bytes", n);
	EXPECT_EQ(0, memcmp(got, pat, n));
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, NULL));
	/* The queue goes on. */
	EXPECT_EQ(0, hvg_con_tx(G, C, "next", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "next", 4);
}

/*
 * A reader that stops taking bytes holds the guest back for about a
 * second, no more: virtio_console waits for every write with interrupts
 * off. What the tty's buffers (64 KiB and the line discipline's) cannot
 * take is dropped and counted. Once the reader reads again, output
 * reaches it again.
 */
TEST_F(con, tx_stalled_reader_does_not_hold_the_guest)
{
	static unsigned char pat[1 << 20], got[3 << 20];
	__u64 gpa, start, took = 0, dropped = 0;
	size_t i, n, sent = 0;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (i * 7 + i / 4091) & 0xff;
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	gpa = hvg_put(G, pat, sizeof(pat));
	while (!dropped && sent < sizeof(got)) {
		start = hvg_ms();
		hvg_vq_post(G, BASE, TXQ, gpa, sizeof(pat), 0);
		ASSERT_LE(0, hvg_vq_wait_used(TXQ, 3 * HVG_WAIT_MS, NULL))
			TH_LOG("the guest is still held back");
		took = hvg_ms() - start;
		sent += sizeof(pat);
		dropped = hvg_stat(&C->d, "dropped");
	}
	ASSERT_LT(0ULL, dropped) TH_LOG("%zu bytes and no drop", sent);
	TH_LOG("%zu bytes sent, %llu dropped after %llu ms", sent,
	       (unsigned long long)dropped, (unsigned long long)took);
	EXPECT_LE(900ULL, took) TH_LOG("dropped without holding back");
	ASSERT_GT(sent, dropped);

	/* What was not dropped is the start of the output, intact. */
	n = hvg_tty_read(C->tty, got, sent - dropped, HVG_WAIT_MS);
	EXPECT_EQ(sent - dropped, n);
	for (i = 0; i < n && got[i] == pat[i % sizeof(pat)]; i++)
		;
	EXPECT_EQ(n, i) TH_LOG("byte %zu differs", i);
	EXPECT_EQ(0U, hvg_tty_read(C->tty, got, 1, 100));

	EXPECT_EQ(0, hvg_con_tx(G, C, "next", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "next", 4);
	EXPECT_EQ(dropped, hvg_stat(&C->d, "dropped"));
}

/* A pseudo-random number for timing variations. */
static unsigned int rnd(unsigned int *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 16;
}

/* Does the device want a notification for avail entries [@old, @new)? */
static int want_notify(struct hvg_vq *vq, int event_idx, __u16 new,
		       __u16 old)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (event_idx)
		return vring_need_event(hvg_vq_avail_event(vq), new, old);
	return !(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
		 VRING_USED_F_NO_NOTIFY);
}

#define SUPP_CHAINS	200

/*
 * Transmit in random bursts, notifying only when the device asks for it
 * (as Linux does); every chain must be consumed.
 */
static void tx_suppressed(struct __test_metadata *_metadata, struct hvg *g,
			  struct hvg_con *c, int event_idx)
{
	struct hvg_vq *tx = &c->vq[HVG_CONSOLE_TX];
	unsigned int i = 0, notifies = 0, seed = 7;
	char want[SUPP_CHAINS];
	__u64 end;

	while (i < SUPP_CHAINS) {
		unsigned int burst = 1 + rnd(&seed) % 4;
		__u16 old = tx->avail_idx;

		for (; burst && i < SUPP_CHAINS; burst--, i++) {
			want[i] = 'A' + i % 26;
			hvg_desc(tx, i, hvg_put(g, &want[i], 1), 1, 0, 0);
			hvg_vq_publish(tx, i);
		}
		if (want_notify(tx, event_idx, tx->avail_idx, old)) {
			hvg_notify(g, c->d.base, HVG_CONSOLE_TX);
			notifies++;
		}
		if (rnd(&seed) % 3 == 0)
			usleep(rnd(&seed) % 1500);
	}
	end = hvg_ms() + HVG_WAIT_MS;
	while (hvg_vq_used_idx(tx) != SUPP_CHAINS && hvg_ms() < end)
		hvg_sleep_ms(1);
	EXPECT_EQ(SUPP_CHAINS, hvg_vq_used_idx(tx))
		TH_LOG("%u notifies", notifies);
	tty_gets(_metadata, c->tty, want, SUPP_CHAINS);
	TH_LOG("%u chains, %u notifies", SUPP_CHAINS, notifies);
}

TEST_F(con, tx_notify_suppression_event_idx)
{
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT | HVG_F_EVENT_IDX, 256));
	tx_suppressed(_metadata, G, C, 1);
}

TEST_F(con, tx_notify_suppression_flags)
{
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, 256));
	tx_suppressed(_metadata, G, C, 0);
}

#define SUPP_BYTES	3000
#define SUPP_BUFS	8

/*
 * A writer types in random chunks while the guest keeps a few receive
 * buffers posted, notifying only when the device asks for it.
 */
static void rx_suppressed(struct __test_metadata *_metadata, struct hvg *g,
			  struct hvg_con *c, int event_idx)
{
	static unsigned char pat[SUPP_BYTES], got[SUPP_BYTES];
	struct hvg_vq *rx = &c->vq[HVG_CONSOLE_RX];
	unsigned int out = 0, notifies = 0, seed = 3, i;
	__u64 gpa[256], end;
	size_t n = 0;
	char path[32];
	pid_t pid;
	int st;

	for (i = 0; i < SUPP_BYTES; i++)
		pat[i] = (i * 11 + i / 255) & 0xff;
	for (i = 0; i < rx->num; i++)
		gpa[i] = hvg_alloc(g, 16, 16);
	snprintf(path, sizeof(path), "/dev/ttyHV%u", c->d.index);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd = open(path, O_WRONLY | O_NOCTTY);
		size_t done = 0, k;

		if (fd < 0)
			_exit(1);
		while (done < SUPP_BYTES) {
			k = 1 + rnd(&seed) % 50;
			if (k > SUPP_BYTES - done)
				k = SUPP_BYTES - done;
			if (write(fd, pat + done, k) != (ssize_t)k)
				_exit(2);
			done += k;
			if (rnd(&seed) % 2)
				usleep(rnd(&seed) % 1000);
		}
		_exit(0);
	}
	end = hvg_ms() + 2 * HVG_WAIT_MS;
	while (n < SUPP_BYTES && hvg_ms() < end) {
		long len;
		__u32 id;

		while (out < SUPP_BUFS) {
			__u16 old = rx->avail_idx, slot = old % rx->num;

			hvg_desc(rx, slot, gpa[slot], 16, VRING_DESC_F_WRITE,
				 0);
			hvg_vq_publish(rx, slot);
			out++;
			if (want_notify(rx, event_idx, rx->avail_idx, old)) {
				hvg_notify(g, c->d.base, HVG_CONSOLE_RX);
				notifies++;
			}
		}
		len = hvg_vq_wait_used(rx, 2, &id);
		if (len < 0)
			continue;
		out--;
		ASSERT_GE(16, len);
		ASSERT_GE(SUPP_BYTES, n + len);
		memcpy(got + n, hvg_ptr(g, gpa[id]), len);
		n += len;
	}
	EXPECT_EQ((size_t)SUPP_BYTES, n) TH_LOG("%u notifies", notifies);
	EXPECT_EQ(0, memcmp(got, pat, n));
	/*
	 * With every byte read the writer is past its last write, at most a
	 * sleep away from exiting: wait for it. Short, it may be blocked.
	 */
	if (n < SUPP_BYTES)
		kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	TH_LOG("%u bytes, %u notifies", SUPP_BYTES, notifies);
}

TEST_F(con, rx_notify_suppression_event_idx)
{
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT | HVG_F_EVENT_IDX, 256));
	rx_suppressed(_metadata, G, C, 1);
}

TEST_F(con, rx_notify_suppression_flags)
{
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, 256));
	rx_suppressed(_metadata, G, C, 0);
}

TEST_F(con, rx_from_tty)
{
	__u64 b0, b1, gpa[4];
	unsigned char all[256], got[256];
	unsigned int i, n = 0;
	__u32 id;
	long len;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	b0 = hvg_alloc(G, 16, 16);
	b1 = hvg_alloc(G, 16, 16);
	hvg_vq_post(G, BASE, RXQ, b0, 16, VRING_DESC_F_WRITE);
	hvg_vq_post(G, BASE, RXQ, b1, 16, VRING_DESC_F_WRITE);
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, 100));

	ASSERT_EQ(4, write(C->tty, "ping", 4));
	EXPECT_EQ(4, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(0U, id);
	EXPECT_EQ(0, memcmp(hvg_ptr(G, b0), "ping", 4));
	vring_irq(_metadata, G);

	ASSERT_EQ(5, write(C->tty, "pong\n", 5));
	EXPECT_EQ(5, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(1U, id);
	EXPECT_EQ(0, memcmp(hvg_ptr(G, b1), "pong\n", 5));
	vring_irq(_metadata, G);
	EXPECT_EQ(9ULL, hvg_stat(&C->d, "bytes_in"));

	/* Every byte value, across four buffers, in order. */
	for (i = 0; i < 256; i++)
		all[i] = 255 - i;
	for (i = 0; i < 4; i++) {
		gpa[i] = hvg_alloc(G, 64, 16);
		hvg_desc(RXQ, i + 2, gpa[i], 64, VRING_DESC_F_WRITE, 0);
		hvg_vq_publish(RXQ, i + 2);
	}
	hvg_notify(G, BASE, HVG_CONSOLE_RX);
	ASSERT_EQ(256, write(C->tty, all, sizeof(all)));
	while (n < 256) {
		len = hvg_vq_wait_used(RXQ, HVG_WAIT_MS, &id);
		ASSERT_LT(0, len);
		ASSERT_LE(2U, id);
		ASSERT_GT(6U, id);
		memcpy(got + n, hvg_ptr(G, gpa[id - 2]), len);
		n += len;
	}
	EXPECT_EQ(256U, n);
	EXPECT_EQ(0, memcmp(all, got, 256));
	EXPECT_EQ(9ULL + 256, hvg_stat(&C->d, "bytes_in"));
}

/* Receive into buffers posted one by one; returns the bytes received. */
static size_t rx_collect(struct __test_metadata *_metadata, struct hvg *g,
			 struct hvg_vq *rx, void *out, size_t want)
{
	size_t n = 0;
	__u64 gpa = hvg_alloc(g, 512, 16);
	long len;

	while (n < want) {
		hvg_vq_post(g, BASE, rx, gpa, 512, VRING_DESC_F_WRITE);
		len = hvg_vq_wait_used(rx, HVG_WAIT_MS, NULL);
		if (len <= 0) {
			TH_LOG("no input after %zu of %zu bytes", n, want);
			break;
		}
		memcpy((char *)out + n, hvg_ptr(g, gpa), len);
		n += len;
	}
	return n;
}

/* Input that arrives while the guest has no buffers waits for them. */
TEST_F(con, rx_written_before_buffers)
{
	char buf[32] = "";

	open_tty(_metadata, C);
	/* Before the driver even started. */
	ASSERT_EQ(5, write(C->tty, "early", 5));
	hvg_sleep_ms(100);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	hvg_sleep_ms(100);
	/* After, with no buffers posted. */
	ASSERT_EQ(5, write(C->tty, "later", 5));
	hvg_sleep_ms(HVG_QUIET_MS);
	EXPECT_EQ(0, hvg_vq_used_idx(RXQ));
	EXPECT_EQ(10U, rx_collect(_metadata, G, RXQ, buf, 10));
	EXPECT_STREQ("earlylater", buf);
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
}

/* Beyond the FIFO the writer is held back: nothing is dropped. */
TEST_F(con, rx_fifo_full_writer_waits)
{
	static unsigned char pat[20000], got[20000 + 200];
	char path[32];
	size_t i, n;
	pid_t pid;
	int st, fl;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (i * 7 + i / 251) & 0xff;
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, 64));

	fl = fcntl(C->tty, F_GETFL);
	ASSERT_EQ(0, fcntl(C->tty, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(FIFO_SIZE, write(C->tty, pat, sizeof(pat)));
	EXPECT_EQ(-1, write(C->tty, pat, 1));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, fcntl(C->tty, F_SETFL, fl));

	/* A blocking writer of 100 more bytes, on its own open file. */
	snprintf(path, sizeof(path), "/dev/ttyHV%u", C->d.index);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char z[100];
		int fd = open(path, O_WRONLY | O_NOCTTY);

		memset(z, 'Z', sizeof(z));
		_exit(fd >= 0 && write(fd, z, sizeof(z)) == sizeof(z) ? 0 : 1);
	}
	hvg_sleep_ms(HVG_QUIET_MS);
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG))
		TH_LOG("the writer did not wait");

	n = rx_collect(_metadata, G, RXQ, got, FIFO_SIZE + 100);
	EXPECT_EQ((size_t)FIFO_SIZE + 100, n);
	EXPECT_EQ(0, memcmp(got, pat, FIFO_SIZE));
	for (i = 0; i < 100; i++)
		if (got[FIFO_SIZE + i] != 'Z')
			break;
	EXPECT_EQ(100U, i);
	if (waitpid(pid, &st, 0) != pid) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* The rest of the pattern, now that there is room. */
	ASSERT_EQ((ssize_t)(sizeof(pat) - FIFO_SIZE),
		  write(C->tty, pat + FIFO_SIZE, sizeof(pat) - FIFO_SIZE));
	n = rx_collect(_metadata, G, RXQ, got, sizeof(pat) - FIFO_SIZE);
	EXPECT_EQ(sizeof(pat) - FIFO_SIZE, n);
	EXPECT_EQ(0, memcmp(got, pat + FIFO_SIZE, n));
	EXPECT_EQ((__u64)sizeof(pat) + 100, hvg_stat(&C->d, "bytes_in"));
}

TEST_F(con, indirect_descriptors)
{
	struct vring_desc *t;
	__u64 tg, r0, r1;
	__u32 id;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));

	/* Transmit: one indirect descriptor with three buffers. */
	tg = hvg_alloc(G, 3 * 16, 16);
	t = hvg_ptr(G, tg);
	hvg_set_desc(&t[0], hvg_put(G, "ab", 2), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], hvg_put(G, "cd", 2), 2, VRING_DESC_F_NEXT, 2);
	hvg_set_desc(&t[2], hvg_put(G, "ef", 2), 2, 0, 0);
	hvg_desc(TXQ, 0, tg, 48, VRING_DESC_F_INDIRECT, 0);
	hvg_vq_kick(G, BASE, TXQ, 0);
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(0U, id);
	tty_gets(_metadata, C->tty, "abcdef", 6);
	vring_irq(_metadata, G);

	/* A direct descriptor chained to an indirect one. */
	tg = hvg_alloc(G, 2 * 16, 16);
	t = hvg_ptr(G, tg);
	hvg_set_desc(&t[0], hvg_put(G, "12", 2), 2, VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], hvg_put(G, "34", 2), 2, 0, 0);
	hvg_desc(TXQ, 1, hvg_put(G, "xy", 2), 2, VRING_DESC_F_NEXT, 4);
	hvg_desc(TXQ, 4, tg, 32, VRING_DESC_F_INDIRECT, 0);
	hvg_vq_kick(G, BASE, TXQ, 1);
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(1U, id);
	tty_gets(_metadata, C->tty, "xy1234", 6);
	vring_irq(_metadata, G);

	/* Receive into an indirect table of two writable buffers. */
	r0 = hvg_alloc(G, 4, 16);
	r1 = hvg_alloc(G, 4, 16);
	tg = hvg_alloc(G, 2 * 16, 16);
	t = hvg_ptr(G, tg);
	hvg_set_desc(&t[0], r0, 4, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	hvg_set_desc(&t[1], r1, 4, VRING_DESC_F_WRITE, 0);
	hvg_desc(RXQ, 3, tg, 32, VRING_DESC_F_INDIRECT, 0);
	hvg_vq_kick(G, BASE, RXQ, 3);
	ASSERT_EQ(6, write(C->tty, "123456", 6));
	EXPECT_EQ(6, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(3U, id);
	EXPECT_EQ(0, memcmp(hvg_ptr(G, r0), "1234", 4));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, r1), "56", 2));
	vring_irq(_metadata, G);
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE));
}

/* EVENT_IDX: used_event decides the interrupts, avail_event is kept. */
TEST_F(con, event_idx)
{
	__u64 irqs;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT | HVG_F_EVENT_IDX, NUM));
	irqs = hvg_stat(&C->d, "interrupts");

	/* used_event 0: interrupt when used idx goes past 0. */
	EXPECT_EQ(0, hvg_con_tx(G, C, "1", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "1", 1);
	vring_irq(_metadata, G);
	EXPECT_EQ(1, hvg_vq_avail_event(TXQ));
	EXPECT_EQ(0, TXQ->used->flags);

	/* used_event 2: not for used idx 2, but for 3. */
	hvg_vq_set_used_event(TXQ, 2);
	EXPECT_EQ(0, hvg_con_tx(G, C, "2", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "2", 1);
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(0U, hvg_isr(G, BASE));
	EXPECT_EQ(2, hvg_vq_avail_event(TXQ));
	EXPECT_EQ(0, hvg_con_tx(G, C, "3", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "3", 1);
	vring_irq(_metadata, G);
	EXPECT_EQ(3, hvg_vq_avail_event(TXQ));

	/* With EVENT_IDX, NO_INTERRUPT is ignored. */
	TXQ->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	hvg_vq_set_used_event(TXQ, 3);
	EXPECT_EQ(0, hvg_con_tx(G, C, "4", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "4", 1);
	vring_irq(_metadata, G);
	EXPECT_EQ(4, hvg_vq_avail_event(TXQ));

	/* used_event far behind (already passed): no interrupt. */
	hvg_vq_set_used_event(TXQ, 1);
	EXPECT_EQ(0, hvg_con_tx(G, C, "5", HVG_WAIT_MS));
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(irqs + 3, hvg_stat(&C->d, "interrupts"));

	/* Receive side: interrupt only once used idx passes used_event. */
	{
		__u64 b = hvg_alloc(G, 16, 16);

		hvg_vq_set_used_event(RXQ, 1);
		hvg_vq_post(G, BASE, RXQ, b, 16, VRING_DESC_F_WRITE);
		ASSERT_EQ(1, write(C->tty, "a", 1));
		EXPECT_EQ(1, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, NULL));
		/* The first used entry of a queue always interrupts. */
		vring_irq(_metadata, G);
		hvg_vq_post(G, BASE, RXQ, b, 16, VRING_DESC_F_WRITE);
		ASSERT_EQ(1, write(C->tty, "b", 1));
		EXPECT_EQ(1, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, NULL));
		vring_irq(_metadata, G);
		hvg_vq_post(G, BASE, RXQ, b, 16, VRING_DESC_F_WRITE);
		ASSERT_EQ(1, write(C->tty, "c", 1));
		EXPECT_EQ(1, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, NULL));
		EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
		EXPECT_EQ(0U, hvg_isr(G, BASE));
	}
}

/* Without EVENT_IDX, VRING_AVAIL_F_NO_INTERRUPT suppresses interrupts. */
TEST_F(con, no_interrupt_flag)
{
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, HVG_F_VERSION_1, NUM));
	TXQ->avail->flags = VRING_AVAIL_F_NO_INTERRUPT;
	EXPECT_EQ(0, hvg_con_tx(G, C, "quiet", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "quiet", 5);
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(0U, hvg_isr(G, BASE));
	/* The device asks for notifications again once idle. */
	EXPECT_EQ(0, TXQ->used->flags);

	TXQ->avail->flags = 0;
	EXPECT_EQ(0, hvg_con_tx(G, C, "loud", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "loud", 4);
	vring_irq(_metadata, G);
	EXPECT_EQ(1ULL, hvg_stat(&C->d, "interrupts"));
}

TEST_F(con, emerg_wr)
{
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_negotiate(G, BASE, FEAT));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 4, 'E'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 1, 'M'));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 2, 0x4152));	/* 'R' */
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 4, 0x12345647));	/* 'G' */
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 8, 0xffULL << 56 | 0xff));
	tty_gets(_metadata, C->tty, "EMRG\xff", 5);
	/* Not a queue: nothing used, no interrupt, no error. */
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, 100));
	EXPECT_EQ(0ULL, hvg_stat(&C->d, "errors"));
	EXPECT_EQ(0U, hvg_rd(G, BASE + 0x108, 4));
}

/* The first opener sees what the guest wrote before, once. */
TEST_F(con, history_replay)
{
	static const char want[] = "boot: line 1\nboot: line 2\n!";
	char buf[64];
	int second;

	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	EXPECT_EQ(0, hvg_con_tx(G, C, "boot: line 1\n", HVG_WAIT_MS));
	EXPECT_EQ(0, hvg_con_tx(G, C, "boot: line 2\n", HVG_WAIT_MS));
	EXPECT_EQ(0, hvg_wr(G, BASE + 0x108, 1, '!'));
	/* With nobody reading, the guest is not held back. */
	EXPECT_EQ(2, hvg_vq_used_idx(TXQ));

	open_tty(_metadata, C);
	tty_gets(_metadata, C->tty, want, sizeof(want) - 1);

	/* A second opener while the first is open: no second replay. */
	second = hvg_tty_open(C->d.index);
	ASSERT_LE(0, second);
	EXPECT_EQ(0U, hvg_tty_read(second, buf, sizeof(buf), HVG_QUIET_MS));
	EXPECT_EQ(0U, hvg_tty_read(C->tty, buf, sizeof(buf), 50));

	/* Live output arrives once. */
	EXPECT_EQ(0, hvg_con_tx(G, C, "live", HVG_WAIT_MS));
	EXPECT_EQ(4U, hvg_tty_read(second, buf, 4, HVG_WAIT_MS));
	EXPECT_EQ(0, memcmp(buf, "live", 4));
	EXPECT_EQ(0U, hvg_tty_read(C->tty, buf, sizeof(buf), 100));
	close(second);

	/* The replay was not echoed back into the guest's input. */
	{
		__u64 b = hvg_alloc(G, 64, 16);

		hvg_vq_post(G, BASE, RXQ, b, 64, VRING_DESC_F_WRITE);
		EXPECT_EQ(-1, hvg_vq_wait_used(RXQ, HVG_QUIET_MS, NULL));
	}
}

/*
 * screen(1) flushes the tty's input right after opening it
 * (tcflush(TCIOFLUSH)): the first input flush after the first open
 * delivers the history again, so the flush does not throw it away. A
 * later flush does not.
 */
TEST_F(con, history_survives_flush_after_open)
{
	static const char want[] = "boot: line 1\nboot: line 2\n";
	char buf[64];

	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	EXPECT_EQ(0, hvg_con_tx(G, C, "boot: line 1\n", HVG_WAIT_MS));
	EXPECT_EQ(0, hvg_con_tx(G, C, "boot: line 2\n", HVG_WAIT_MS));

	open_tty(_metadata, C);
	ASSERT_EQ(0, tcflush(C->tty, TCIFLUSH));
	tty_gets(_metadata, C->tty, want, sizeof(want) - 1);

	/* Only the first flush: this one discards, and replays nothing. */
	EXPECT_EQ(0, hvg_con_tx(G, C, "live", HVG_WAIT_MS));
	EXPECT_EQ(0, tcflush(C->tty, TCIOFLUSH));
	EXPECT_EQ(0U, hvg_tty_read(C->tty, buf, sizeof(buf), HVG_QUIET_MS));

	/* Output after the flush arrives once. */
	EXPECT_EQ(0, hvg_con_tx(G, C, "more", HVG_WAIT_MS));
	tty_gets(_metadata, C->tty, "more", 4);
}

/* TCIOFLUSH too, and output that came between open and flush is kept. */
TEST_F(con, history_survives_ioflush_after_open)
{
	static const char want[] = "boot\nlate\n";

	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	EXPECT_EQ(0, hvg_con_tx(G, C, "boot\n", HVG_WAIT_MS));
	open_tty(_metadata, C);
	EXPECT_EQ(0, hvg_con_tx(G, C, "late\n", HVG_WAIT_MS));
	ASSERT_EQ(0, tcflush(C->tty, TCIOFLUSH));
	tty_gets(_metadata, C->tty, want, sizeof(want) - 1);
}

/* An output flush, or an input flush long after open, replays nothing. */
TEST_F(con, history_not_replayed_by_late_or_output_flush)
{
	static const char want[] = "boot\n";
	char buf[64];

	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	EXPECT_EQ(0, hvg_con_tx(G, C, "boot\n", HVG_WAIT_MS));
	open_tty(_metadata, C);
	tty_gets(_metadata, C->tty, want, sizeof(want) - 1);
	EXPECT_EQ(0, tcflush(C->tty, TCOFLUSH));
	EXPECT_EQ(0U, hvg_tty_read(C->tty, buf, sizeof(buf), HVG_QUIET_MS));
	/* The module replays on a flush up to 2 s after the first open. */
	hvg_sleep_ms(2500);
	EXPECT_EQ(0, tcflush(C->tty, TCIFLUSH));
	EXPECT_EQ(0U, hvg_tty_read(C->tty, buf, sizeof(buf), HVG_QUIET_MS));
}

/* The history keeps the latest 64 KiB. */
TEST_F(con, history_is_bounded)
{
	static unsigned char pat[70000];
	size_t i, off;

	for (i = 0; i < sizeof(pat); i++)
		pat[i] = (i * 13 + i / 256) & 0xff;
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	for (off = 0; off < sizeof(pat); off += 4096) {
		size_t len = sizeof(pat) - off < 4096 ? sizeof(pat) - off :
							4096;

		hvg_vq_send(G, BASE, TXQ, pat + off, len);
		ASSERT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, NULL));
	}
	open_tty(_metadata, C);
	tty_gets(_metadata, C->tty, pat + sizeof(pat) - HISTORY_SIZE,
		 HISTORY_SIZE);
}

/* TIOCSWINSZ becomes cols/rows in config space and a config change. */
TEST_F(con, window_size)
{
	struct winsize ws = { .ws_row = 50, .ws_col = 132 }, got;
	__u32 gen, gen2;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	gen = hvg_rd32(G, BASE, VIRTIO_MMIO_CONFIG_GENERATION);
	EXPECT_EQ(80U, hvg_rd(G, BASE + 0x100, 2));
	EXPECT_EQ(25U, hvg_rd(G, BASE + 0x102, 2));

	ASSERT_EQ(0, ioctl(C->tty, TIOCSWINSZ, &ws));
	EXPECT_EQ(132U, hvg_rd(G, BASE + 0x100, 2));
	EXPECT_EQ(50U, hvg_rd(G, BASE + 0x102, 2));
	EXPECT_EQ(50U << 16 | 132, hvg_rd(G, BASE + 0x100, 4));
	EXPECT_EQ(1U, hvg_rd(G, BASE + 0x104, 4));
	gen2 = hvg_rd32(G, BASE, VIRTIO_MMIO_CONFIG_GENERATION);
	EXPECT_NE(gen, gen2);
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ((__u32)VIRTIO_MMIO_INT_CONFIG, hvg_isr(G, BASE));
	hvg_ack(G, BASE, VIRTIO_MMIO_INT_CONFIG);
	EXPECT_EQ(0U, hvg_isr(G, BASE));
	ASSERT_EQ(0, ioctl(C->tty, TIOCGWINSZ, &got));
	EXPECT_EQ(132, got.ws_col);
	EXPECT_EQ(50, got.ws_row);

	/* Once more: another generation, another interrupt. */
	ws.ws_col = 100;
	ws.ws_row = 40;
	ASSERT_EQ(0, ioctl(C->tty, TIOCSWINSZ, &ws));
	EXPECT_EQ(40U << 16 | 100, hvg_rd(G, BASE + 0x100, 4));
	EXPECT_NE(gen2, hvg_rd32(G, BASE, VIRTIO_MMIO_CONFIG_GENERATION));
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
	EXPECT_EQ((__u32)VIRTIO_MMIO_INT_CONFIG, hvg_isr(G, BASE));
	hvg_ack(G, BASE, VIRTIO_MMIO_INT_CONFIG);

	/* Before DRIVER_OK: the config changes, without an interrupt. */
	ASSERT_EQ(0, hvg_negotiate(G, BASE, FEAT));
	gen = hvg_rd32(G, BASE, VIRTIO_MMIO_CONFIG_GENERATION);
	ws.ws_col = 90;
	ws.ws_row = 30;
	ASSERT_EQ(0, ioctl(C->tty, TIOCSWINSZ, &ws));
	EXPECT_EQ(30U << 16 | 90, hvg_rd(G, BASE + 0x100, 4));
	EXPECT_NE(gen, hvg_rd32(G, BASE, VIRTIO_MMIO_CONFIG_GENERATION));
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(0U, hvg_isr(G, BASE));
}

/*
 * Output held back for a reader that does not read (a full tty buffer)
 * is taken once the device is removed while the driver still uses it:
 * it goes to the history. It once waited for a retry the removal had
 * cancelled, and virtio_console spun on it for ever.
 */
TEST_F(con, held_output_completes_after_removal)
{
	static unsigned char pat[1 << 20];
	__u64 start;

	memset(pat, 'h', sizeof(pat));
	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	hvg_vq_send(G, BASE, TXQ, pat, sizeof(pat));
	/* The tty's buffer fills; the rest waits for the reader. */
	hvg_sleep_ms(200);
	EXPECT_EQ(0, hvg_vq_used_idx(TXQ));
	start = hvg_ms();
	ASSERT_EQ(0, hvg_del_dev(G, C->d.name));
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, NULL))
		TH_LOG("the held chain never completes after removal");
	TH_LOG("completed %llu ms after removal", hvg_ms() - start);
	hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
}

/*
 * Removing the device hangs its tty up. The driver, still running, is
 * not left waiting: its output is consumed until it resets the device,
 * which frees the window.
 */
TEST_F(con, tty_hangup_on_remove)
{
	struct hvg_dev again;
	char buf[8];
	__u64 end;
	ssize_t n;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	ASSERT_EQ(0, hvg_del_dev(G, C->d.name));
	n = read(C->tty, buf, sizeof(buf));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-1, write(C->tty, "x", 1));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(-ENOENT, hvg_del_dev(G, C->d.name));
	EXPECT_EQ(~0ULL, hvg_sysfs_u64(C->d.name, "zone"));
	EXPECT_EQ(0x74726976U, hvg_rd32(G, BASE, VIRTIO_MMIO_MAGIC_VALUE));
	EXPECT_EQ(0, hvg_con_tx(G, C, "late output", HVG_WAIT_MS))
		TH_LOG("guest output to a removed console never completes");
	EXPECT_EQ(-EADDRINUSE, hvg_add_console(G, BASE, HVG_DEV_LEN, IRQ,
					       &again));
	/* The driver lets go: the window is freed, soon (a work item). */
	hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
	end = hvg_ms() + HVG_WAIT_MS;
	while (hvg_rd32(G, BASE, VIRTIO_MMIO_MAGIC_VALUE) && hvg_ms() < end)
		hvg_sleep_ms(1);
	EXPECT_EQ(0U, hvg_rd32(G, BASE, VIRTIO_MMIO_MAGIC_VALUE));
}

/* ---- both directions at once ------------------------------------------ */

#define FLOOD_LEN	(256 << 10)
#define FLOOD_PIECE	4096

static unsigned char flood_byte(size_t i, unsigned int dir)
{
	return (unsigned char)(i * 13 + (i >> 11) + dir * 101);
}

/*
 * The root's side of a flood: a child writing FLOOD_LEN bytes into the
 * tty (@write) or reading as many and checking them. Exits 0 when all
 * arrived intact.
 */
static pid_t flood_root_side(int tty, int write_side)
{
	static unsigned char buf[FLOOD_LEN];
	pid_t pid = fork();
	size_t i, n;

	if (pid)
		return pid;
	if (write_side) {
		for (i = 0; i < FLOOD_LEN; i++)
			buf[i] = flood_byte(i, 0);
		for (i = 0; i < FLOOD_LEN; i += n) {
			ssize_t w = write(tty, buf + i, FLOOD_LEN - i);

			if (w <= 0)
				_exit(2);
			n = w;
		}
		_exit(0);
	}
	n = hvg_tty_read(tty, buf, FLOOD_LEN, 20000);
	if (n != FLOOD_LEN)
		_exit(3);
	for (i = 0; i < FLOOD_LEN; i++)
		if (buf[i] != flood_byte(i, 1))
			_exit(4);
	_exit(0);
}

/*
 * Guest output and input at full speed together, the root reading and
 * writing the tty meanwhile: every transmit chain comes back exactly
 * once, with its own head and length 0; every receive buffer with its own
 * head and no more than it holds; both streams arrive intact. This is
 * what a correct device owes virtio_console under a two-way flood.
 */
TEST_F(con, two_way_flood)
{
	static unsigned char got[FLOOD_LEN];
	__u64 tx_buf[NUM], rx_buf[NUM];
	__u32 tx_len[NUM] = { 0 }, rx_len[NUM] = { 0 };
	bool tx_busy[NUM] = { false }, rx_busy[NUM] = { false };
	size_t sent = 0, recvd = 0, done_tx = 0;
	pid_t writer, reader;
	unsigned int i, seed = 1;
	__u64 end;
	int st;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_con_init(G, C, FEAT, NUM));
	for (i = 0; i < NUM; i++) {
		tx_buf[i] = hvg_alloc(G, FLOOD_PIECE, 16);
		rx_buf[i] = hvg_alloc(G, FLOOD_PIECE, 16);
	}
	reader = flood_root_side(C->tty, 0);
	ASSERT_LE(0, reader);
	writer = flood_root_side(C->tty, 1);
	ASSERT_LE(0, writer);

	end = hvg_ms() + 60000;
	while ((done_tx < FLOOD_LEN || recvd < FLOOD_LEN) && hvg_ms() < end) {
		__u32 id;
		long len;

		/* Keep every free slot posted. */
		for (i = 0; i < NUM; i++) {
			if (!rx_busy[i] && recvd < FLOOD_LEN) {
				seed = seed * 1103515245 + 12345;
				rx_len[i] = 1 + (seed >> 8) % FLOOD_PIECE;
				hvg_desc(RXQ, i, rx_buf[i], rx_len[i],
					 VRING_DESC_F_WRITE, 0);
				hvg_vq_publish(RXQ, i);
				rx_busy[i] = true;
				hvg_notify(G, BASE, HVG_CONSOLE_RX);
			}
			if (!tx_busy[i] && sent < FLOOD_LEN) {
				unsigned char *p = hvg_ptr(G, tx_buf[i]);
				__u32 k;

				seed = seed * 1103515245 + 12345;
				tx_len[i] = 1 + (seed >> 8) % FLOOD_PIECE;
				if (tx_len[i] > FLOOD_LEN - sent)
					tx_len[i] = FLOOD_LEN - sent;
				for (k = 0; k < tx_len[i]; k++)
					p[k] = flood_byte(sent + k, 1);
				sent += tx_len[i];
				hvg_desc(TXQ, i, tx_buf[i], tx_len[i], 0, 0);
				hvg_vq_publish(TXQ, i);
				tx_busy[i] = true;
				hvg_notify(G, BASE, HVG_CONSOLE_TX);
			}
		}
		/* Reap both queues. */
		while ((len = hvg_vq_wait_used(TXQ, 0, &id)) >= 0) {
			ASSERT_GT(NUM, id);
			ASSERT_TRUE(tx_busy[id]) TH_LOG("transmit head %u used twice", id);
			ASSERT_EQ(0, len);
			tx_busy[id] = false;
			done_tx += tx_len[id];
		}
		while ((len = hvg_vq_wait_used(RXQ, 0, &id)) >= 0) {
			ASSERT_GT(NUM, id);
			ASSERT_TRUE(rx_busy[id]) TH_LOG("receive head %u used twice", id);
			ASSERT_GE(rx_len[id], len);
			ASSERT_GE(FLOOD_LEN - recvd, (size_t)len);
			memcpy(got + recvd, hvg_ptr(G, rx_buf[id]), len);
			recvd += len;
			rx_busy[id] = false;
		}
		if (hvg_wait_irq(G, 0) >= 0)
			hvg_ack(G, BASE, hvg_isr(G, BASE));
		hvg_sleep_ms(1);
	}
	EXPECT_EQ(FLOOD_LEN, done_tx) TH_LOG("transmit stalled");
	EXPECT_EQ(FLOOD_LEN, recvd) TH_LOG("receive stalled");
	for (i = 0; i < recvd && got[i] == flood_byte(i, 0); i++)
		;
	EXPECT_EQ(recvd, i) TH_LOG("input differs at byte %u", i);
	ASSERT_EQ(writer, waitpid(writer, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	ASSERT_EQ(reader, waitpid(reader, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("the root's reader: status %#x", st);
	EXPECT_EQ(0ULL, hvg_stat(&C->d, "dropped"));
	EXPECT_EQ(0ULL, hvg_stat(&C->d, "errors"));
}

/*
 * virtio 1.2 2.1.2: no buffer is used, and no used-buffer interrupt sent,
 * before DRIVER_OK. What the driver posted before is served once it is
 * set (drivers may fill queues first, 3.1.1).
 */
TEST_F(con, no_buffer_used_before_driver_ok)
{
	char byte[1];
	__u64 rx;
	__u32 id;
	int i;

	open_tty(_metadata, C);
	ASSERT_EQ(0, hvg_negotiate(G, BASE, FEAT));
	for (i = 0; i < 2; i++) {
		hvg_vq_alloc(G, &C->vq[i], i, NUM);
		hvg_vq_enable(G, BASE, &C->vq[i]);
		ASSERT_EQ(1U, hvg_queue_ready(G, BASE, i));
	}
	rx = hvg_alloc(G, 16, 16);
	hvg_vq_post(G, BASE, RXQ, rx, 16, VRING_DESC_F_WRITE);
	hvg_vq_send(G, BASE, TXQ, "early tx", 8);
	ASSERT_EQ(8, write(C->tty, "early rx", 8));
	/* Nothing happens: no used entry, no output, no interrupt. */
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(0, hvg_vq_used_idx(RXQ));
	EXPECT_EQ(0, hvg_vq_used_idx(TXQ));
	EXPECT_EQ(0U, hvg_tty_read(C->tty, byte, 1, 100));

	hvg_driver_ok(G, BASE);
	EXPECT_EQ(8, hvg_vq_wait_used(RXQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, rx), "early rx", 8));
	EXPECT_EQ(0, hvg_vq_wait_used(TXQ, HVG_WAIT_MS, &id));
	tty_gets(_metadata, C->tty, "early tx", 8);
	EXPECT_EQ(0, hvg_irq_wait(G, IRQ, HVG_WAIT_MS));
}

/*
 * Input to a console whose zone has no driver waits in the FIFO: close()
 * must not wait for it to drain (it held the tty lock for the 30 s
 * closing_wait, and removal, holding the control lock, waited behind it).
 */
TEST_F(con, close_does_not_wait_for_the_guest)
{
	struct hvv_dev_info info;
	struct hvg_dev other;
	__u64 start;
	int pid, st;

	ASSERT_EQ(0, hvg_add_console(G, BASE + HVG_DEV_LEN, HVG_DEV_LEN,
				     IRQ + 1, &other));
	open_tty(_metadata, C);
	ASSERT_EQ(6, write(C->tty, "unread", 6));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* The last close: exit status 1 if it took a second. */
		hvg_sleep_ms(50);
		start = hvg_ms();
		close(C->tty);
		_exit(hvg_ms() - start >= 1000);
	}
	close(C->tty);
	C->tty = -1;
	hvg_sleep_ms(200);
	/* Removal while the child closes, and the control plane meanwhile. */
	start = hvg_ms();
	ASSERT_EQ(0, hvg_del_dev(G, C->d.name));
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", other.name);
	EXPECT_EQ(0, ioctl(G->ctl_fd, HVV_DEV_INFO, &info));
	EXPECT_GT(1000U, hvg_ms() - start) TH_LOG("removal and info took %llu ms",
						  hvg_ms() - start);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
		TH_LOG("close() waited for the guest");
}

/*
 * The tty appears only once the device can be served: a writer racing
 * with HVV_DEV_ADD and HVV_DEV_DEL must never reach a device whose
 * workers do not exist yet (a NULL-pointer crash in 6.1 within seconds).
 */
TEST_F(con, tty_written_while_added_and_removed)
{
	struct hvg_dev d;
	__u64 end;
	int pid, st, rounds = 0;

	ASSERT_EQ(0, hvg_del_dev(G, C->d.name));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned int n = 0;

		/* An open tty keeps its index: the next device takes another. */
		end = hvg_ms() + 4000;
		while (hvg_ms() < end) {
			char path[32];
			int fd;

			snprintf(path, sizeof(path), "/dev/ttyHV%u", n++ % 4);
			fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK);
			if (fd < 0)
				continue;
			if (write(fd, "x", 1) < 0 && errno != EAGAIN)
				_exit(2);
			close(fd);
		}
		_exit(0);
	}
	end = hvg_ms() + 4000;
	while (hvg_ms() < end) {
		ASSERT_EQ(0, hvg_add_console(G, BASE, HVG_DEV_LEN, IRQ, &d));
		ASSERT_EQ(0, hvg_del_dev(G, d.name));
		rounds++;
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	TH_LOG("%d add/del rounds", rounds);
	/* The fixture's teardown expects its device. */
	ASSERT_EQ(0, hvg_add_console(G, BASE, HVG_DEV_LEN, IRQ, &C->d));
}

TEST_HARNESS_MAIN
