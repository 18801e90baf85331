// SPDX-License-Identifier: GPL-2.0
/*
 * hv-lanes: x86_64/debian x86_64/debug
 *
 * net_hostile: a raw guest drives a virtio-net device on a tap this test
 * makes, and breaks each rule the device checks: transmit chains too
 * short, with writable descriptors, empty, with a GSO header the tap
 * refuses; receive buffers too small, missing, device-readable; control
 * commands malformed or without room for the ack. For each: the counter
 * of net_stats/ that must move moves (and no other), NEEDS_RESET only for
 * a ring rule, and the device serves the next valid frame or command.
 * A device with several queue pairs (net_mq: a multi-queue tap) gets the
 * multi-queue command (CTRL_MQ VQ_PAIRS_SET) malformed and out of range,
 * on the control queue that follows the pairs. A transmit queue kept full
 * by a guest thread (net_fair) must not delay a blk device of the same
 * zone whose worker shares the CPU. On a macvtap (net_macvtap, on a veth
 * the test makes): frames both ways, a macvtap too full to take a frame
 * (the device waits without spinning and loses nothing), the link
 * following the macvtap, and its deletion under the device and before.
 *
 * The root's side of the tap is an AF_PACKET socket bound to it: what it
 * sends, the tap queues for its reader (the device: the guest receives
 * it); what the guest transmits, it receives. The test never reads the
 * tap's fd: the device does.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include <kselftest_harness.h>
#include "hv_guest.h"
#include "hv_net.h"

#define ZONE		15
#define IRQ		70
#define BASE		HVG_MMIO_BASE
#define NUM		32
#define MTU		1500
#define TAP		"hvt0"
#define HDR_LEN		HVG_NET_HDR_LEN
#define ETYPE		0x88b5	/* IEEE local experimental */
#define RXQ		0
#define TXQ		1
#define CTRLQ		2

#define F(x)		BIT_ULL(VIRTIO_NET_F_##x)
/* What the test negotiates; MRG_RXBUF per test. */
#define WANT		(HVG_F_VERSION_1 | F(MAC) | F(STATUS) | F(CTRL_VQ) | \
			 F(CTRL_RX) | F(CTRL_MAC_ADDR))

/* The window, length and interrupt of a second net device, after BASE's. */
#define NET_DEV2	.type = HVV_DEV_NET, .addr = BASE + HVG_DEV_LEN, \
			.len = HVG_DEV_LEN, .irq = IRQ + 1

static const __u8 root_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

FIXTURE(net) {
	struct hvg g;
	struct hvg_dev d;
	struct hvg_vq vq[3];	/* RXQ, TXQ, CTRLQ */
	__u64 rxbuf[NUM];	/* receive buffer posted at each head */
	__u32 rxlen[NUM];
	int added;		/* the device exists */
	int tap;
	int pkt;		/* AF_PACKET socket on the tap: the root */
	int ifindex;
	__u64 offered;
	__u8 mac[ETH_ALEN];	/* the device's, from config space */
};

#define G	(&self->g)
#define VQ(i)	(&self->vq[i])

/* A net_stats/ counter of the device. */
static __u64 ns(struct _test_data_net *self, const char *name)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "net_stats/%s", name);
	return hvg_sysfs_u64(self->d.name, attr);
}

/* Wait up to @ms for counter @name to reach @want; returns its value. */
static __u64 ns_wait(struct _test_data_net *self, const char *name,
		     __u64 want, int ms)
{
	__u64 end = hvg_ms() + ms, v;

	while ((v = ns(self, name)) < want && hvg_ms() < end)
		hvg_sleep_ms(5);
	return v;
}

/* A counter of the tap: /sys/class/net/TAP/statistics/@name. */
static __u64 tap_stat(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/class/net/" TAP "/statistics/%s",
		 name);
	if (hvg_read_file(path, buf, sizeof(buf)))
		return ~0ULL;
	return strtoull(buf, NULL, 0);
}

/* Byte @i of the payload of frame @seq. */
static __u8 pay(unsigned int seq, unsigned int i)
{
	return (__u8)(seq * 31 + i * 7 + 3);
}

/* An Ethernet frame of @len bytes (>= 16) to @dst from @src, number @seq. */
static void make_frame(__u8 *f, unsigned int len, unsigned int seq,
		       const __u8 *dst, const __u8 *src)
{
	unsigned int i;

	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = ETYPE >> 8;
	f[13] = ETYPE & 0xff;
	f[14] = seq >> 8;
	f[15] = seq & 0xff;
	for (i = 16; i < len; i++)
		f[i] = pay(seq, i);
}

/* The root transmits frame @seq of @len bytes on the tap: to the guest. */
static void root_send(struct __test_metadata *_metadata,
		      struct _test_data_net *self, unsigned int len,
		      unsigned int seq)
{
	__u8 f[2048];

	make_frame(f, len, seq, self->mac, root_mac);
	ASSERT_EQ((ssize_t)len, send(self->pkt, f, len, 0))
		TH_LOG("root send: %s", strerror(errno));
}

/*
 * The next frame of ours (our EtherType) the tap passed to the root,
 * within @ms: its length, or -1.
 */
static int root_recv(struct _test_data_net *self, __u8 *buf, size_t size,
		     int ms)
{
	__u64 end = hvg_ms() + ms, now;

	for (;;) {
		struct pollfd pfd = { .fd = self->pkt, .events = POLLIN };
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n;

		n = recvfrom(self->pkt, buf, size, MSG_DONTWAIT,
			     (struct sockaddr *)&sll, &sl);
		if (n >= ETH_HLEN && sll.sll_pkttype != PACKET_OUTGOING &&
		    buf[12] == ETYPE >> 8 && buf[13] == (ETYPE & 0xff))
			return n;
		if (n >= 0)
			continue;	/* the root's own, or not ours */
		now = hvg_ms();
		if (now >= end)
			return -1;
		poll(&pfd, 1, end - now);
	}
}

static void root_drain(struct _test_data_net *self)
{
	__u8 buf[2048];

	while (recv(self->pkt, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		;
}

/* Reset and initialise the driver with WANT | @extra and three queues. */
static int net_init(struct _test_data_net *self, __u64 extra)
{
	int ret;

	memset(self->rxbuf, 0, sizeof(self->rxbuf));
	ret = hvg_virtio_init(G, BASE, WANT | extra, self->vq, 3, NUM);
	hvg_drain_irqs(G);
	return ret;
}

/*
 * Add the device @dc (its backend set) to the zone set up in @self->g,
 * check what it offers and initialise the driver (net_init()).
 */
static void net_add(struct __test_metadata *_metadata,
		    struct _test_data_net *self, struct hvv_dev_config *dc)
{
	unsigned int i;
	int ret;

	ret = hvg_add_dev_full(G, dc);
	ASSERT_EQ(0, ret) TH_LOG("net add: %s", strerror(-ret));
	self->added = 1;
	memcpy(self->d.name, dc->name, sizeof(self->d.name));
	self->d.base = BASE;
	self->d.irq = IRQ;
	ASSERT_EQ((__u32)VIRTIO_ID_NET, hvg_rd32(G, BASE,
						 VIRTIO_MMIO_DEVICE_ID));
	self->offered = hvg_device_features(G, BASE);
	ASSERT_EQ(WANT | F(MRG_RXBUF),
		  self->offered & (WANT | F(MRG_RXBUF)));
	ASSERT_EQ(0, net_init(self, 0));
	for (i = 0; i < ETH_ALEN; i++)
		self->mac[i] = hvg_rd(G, BASE + VIRTIO_MMIO_CONFIG + i, 1);
	root_drain(self);
}

FIXTURE_SETUP(net)
{
	struct hvv_dev_config dc = {
		.type = HVV_DEV_NET,
		.addr = BASE,
		.len = HVG_DEV_LEN,
		.irq = IRQ,
		.net.mtu = MTU,
	};
	int ret;

	self->tap = -1;
	self->pkt = -1;
	ret = hvg_setup(G, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ret = hvg_tap_create(TAP, &self->tap, 1, 0, &self->ifindex);
	ASSERT_EQ(0, ret) TH_LOG("tap " TAP ": %s", strerror(-ret));
	self->pkt = hvg_packet_open(self->ifindex);
	ASSERT_LE(0, self->pkt) TH_LOG("packet socket: %s",
				       strerror(-self->pkt));
	dc.backend_fd = self->tap;
	net_add(_metadata, self, &dc);
}

FIXTURE_TEARDOWN(net)
{
	/* The driver lets go, so that the device frees (and closes) the tap. */
	if (self->added)
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, hvg_teardown(G));
	if (self->pkt >= 0)
		close(self->pkt);
	if (self->tap < 0)
		return;
	close(self->tap);
	EXPECT_EQ(0, hvg_tap_wait_gone(TAP))
		TH_LOG("the device still holds the tap after its removal");
}

/* No rule broken: the device still runs. */
static void serving(struct __test_metadata *_metadata,
		    struct _test_data_net *self)
{
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE))
		TH_LOG("the device gave up (status %#x)", hvg_status(G, BASE));
}

/* ------------------------------------------------------------------ */
/* Transmit                                                            */

#define RD(gpa, len)	((struct hvg_buf){ (gpa), (len), 0 })
#define WR(gpa, len)	((struct hvg_buf){ (gpa), (len), 1 })

/* Zone RAM holding a zero header and frame @seq of @len bytes. */
static __u64 tx_data(struct _test_data_net *self, unsigned int len,
		     unsigned int seq)
{
	__u64 gpa = hvg_alloc(G, HDR_LEN + len, 16);

	make_frame(hvg_ptr(G, gpa + HDR_LEN), len, seq, root_mac, self->mac);
	return gpa;
}

/* Transmit the chain @bufs[0..n); the used length, or -1 if none came. */
static long tx(struct _test_data_net *self, const struct hvg_buf *bufs,
	       unsigned int n)
{
	return hvg_chain(G, BASE, VQ(TXQ), bufs, n, HVG_WAIT_MS);
}

/* Frame @seq of @len bytes goes out: the root gets it as sent. */
static void tx_good(struct __test_metadata *_metadata,
		    struct _test_data_net *self, unsigned int len,
		    unsigned int seq)
{
	__u64 packets = ns(self, "tx_packets"), bytes = ns(self, "tx_bytes");
	__u64 gpa = tx_data(self, len, seq);
	__u8 got[2048];
	int n;

	ASSERT_EQ(0, tx(self, &RD(gpa, HDR_LEN + len), 1))
		TH_LOG("frame %u was not returned with used length 0", seq);
	n = root_recv(self, got, sizeof(got), HVG_WAIT_MS);
	ASSERT_EQ((int)len, n) TH_LOG("frame %u did not reach the root", seq);
	EXPECT_EQ(0, memcmp(got, hvg_ptr(G, gpa + HDR_LEN), len));
	EXPECT_EQ(packets + 1, ns(self, "tx_packets"));
	EXPECT_EQ(bytes + len, ns(self, "tx_bytes"));
	serving(_metadata, self);
}

/* A chain dropped: returned with used length 0, nothing reaches the root. */
static void tx_dropped(struct __test_metadata *_metadata,
		       struct _test_data_net *self, const struct hvg_buf *bufs,
		       unsigned int n, const char *counter, const char *what)
{
	static const char *const counters[] = {
		"tx_packets", "tx_malformed", "tx_errors",
	};
	__u64 before[ARRAY_SIZE(counters)];
	__u8 got[2048];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(counters); i++)
		before[i] = ns(self, counters[i]);
	EXPECT_EQ(0, tx(self, bufs, n)) TH_LOG("%s: not returned, or used length not 0",
					       what);
	/* Braces: the harness runs TH_LOG after the EXPECT statement. */
	for (i = 0; i < ARRAY_SIZE(counters); i++) {
		EXPECT_EQ(before[i] + !strcmp(counter, counters[i]),
			  ns(self, counters[i]))
			TH_LOG("%s: %s", what, counters[i]);
	}
	EXPECT_EQ(-1, root_recv(self, got, sizeof(got), HVG_QUIET_MS))
		TH_LOG("%s: a frame reached the root", what);
	serving(_metadata, self);
}

/* 1. A good frame reaches the tap; any layout (header split) too. */
TEST_F(net, tx_good_frame)
{
	__u64 gpa;

	tx_good(_metadata, self, 60, 1);
	tx_good(_metadata, self, MTU + ETH_HLEN, 2);
	/* The header in two pieces, the frame in three. */
	gpa = tx_data(self, 60, 3);
	{
		struct hvg_buf b[] = {
			RD(gpa, 5), RD(gpa + 5, 7), RD(gpa + 12, 1),
			RD(gpa + 13, 40), RD(gpa + 53, 19),
		};
		__u8 got[128];

		ASSERT_EQ(0, tx(self, b, ARRAY_SIZE(b)));
		ASSERT_EQ(60, root_recv(self, got, sizeof(got), HVG_WAIT_MS));
		EXPECT_EQ(0, memcmp(got, hvg_ptr(G, gpa + HDR_LEN), 60));
	}
	EXPECT_EQ(0U, ns(self, "tx_malformed"));
	EXPECT_EQ(0U, ns(self, "tx_errors"));
}

/* 2. Shorter than a header, or than a header and an Ethernet header. */
TEST_F(net, tx_too_short)
{
	__u64 gpa = tx_data(self, 60, 10);

	tx_dropped(_metadata, self, &RD(gpa, 8), 1, "tx_malformed",
		   "8 bytes: a truncated header");
	tx_dropped(_metadata, self, &RD(gpa, HDR_LEN), 1, "tx_malformed",
		   "a header alone");
	tx_dropped(_metadata, self, &RD(gpa, HDR_LEN + ETH_HLEN - 1), 1,
		   "tx_malformed", "a header and 13 bytes");
	{
		struct hvg_buf b[] = { RD(gpa, 6), RD(gpa + 6, 19) };

		tx_dropped(_metadata, self, b, 2, "tx_malformed",
			   "25 bytes in two descriptors");
	}
	EXPECT_EQ(4U, ns(self, "tx_malformed"));
	tx_good(_metadata, self, 60, 11);
}

/* 3. A transmit chain with a device-writable descriptor. */
TEST_F(net, tx_writable_descriptor)
{
	__u64 gpa = tx_data(self, 60, 20);
	__u64 w = hvg_alloc(G, 64, 16);
	struct hvg_buf b[] = { RD(gpa, HDR_LEN + 60), WR(w, 64) };
	struct hvg_buf only[] = { WR(gpa, HDR_LEN + 60) };
	unsigned int i;

	memset(hvg_ptr(G, w), 0x5a, 64);
	tx_dropped(_metadata, self, b, 2, "tx_malformed",
		   "a frame and a writable buffer");
	tx_dropped(_metadata, self, only, 1, "tx_malformed",
		   "a frame in a writable buffer");
	for (i = 0; i < 64; i++)
		if (hvg_byte(G, w + i) != 0x5a)
			break;
	EXPECT_EQ(64U, i) TH_LOG("the device wrote into a transmit chain");
	EXPECT_EQ(2U, ns(self, "tx_malformed"));
	tx_good(_metadata, self, 60, 21);
}

/* 4. An empty chain: one readable descriptor of length 0. */
TEST_F(net, tx_empty_chain)
{
	__u64 gpa = hvg_alloc(G, 16, 16);
	struct hvg_buf zeros[] = { RD(gpa, 0), RD(gpa, 0), RD(gpa, 0) };

	tx_dropped(_metadata, self, &RD(gpa, 0), 1, "tx_malformed",
		   "one empty descriptor");
	tx_dropped(_metadata, self, zeros, 3, "tx_malformed",
		   "three empty descriptors");
	tx_good(_metadata, self, 60, 30);
	/* The device goes on with what was queued after an empty chain. */
	tx_dropped(_metadata, self, &RD(gpa, 0), 1, "tx_malformed",
		   "one empty descriptor again");
	tx_good(_metadata, self, 100, 31);
}

/* Frame @seq of 60 bytes behind header @h: its zone address. */
static __u64 tx_data_hdr(struct _test_data_net *self, unsigned int seq,
			 const struct virtio_net_hdr_v1 *h)
{
	__u64 gpa = tx_data(self, 60, seq);

	memcpy(hvg_ptr(G, gpa), h, HDR_LEN);
	return gpa;
}

/*
 * 5. A GSO header that does not match the frame: the tap refuses the
 * frame (tx_errors), the device goes on.
 */
TEST_F(net, tx_bad_gso_header)
{
	static const struct {
		const char *what;
		struct virtio_net_hdr_v1 h;
	} bad[] = {
		{ "TCPV4 with gso_size 0",
		  { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 0 } },
		{ "TCPV4 with hdr_len beyond the frame",
		  { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1400,
		    .hdr_len = 2000 } },
		{ "NEEDS_CSUM beyond the frame",
		  { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		    .csum_start = 3000, .csum_offset = 6 } },
	};
	unsigned int i;

	ASSERT_EQ(F(CSUM) | F(HOST_TSO4),
		  self->offered & (F(CSUM) | F(HOST_TSO4)));
	ASSERT_EQ(0, net_init(self, F(CSUM) | F(HOST_TSO4)));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		tx_dropped(_metadata, self,
			   &RD(tx_data_hdr(self, 40 + i, &bad[i].h),
			       HDR_LEN + 60), 1,
			   "tx_errors", bad[i].what);
	EXPECT_EQ(ARRAY_SIZE(bad), ns(self, "tx_errors"));
	tx_good(_metadata, self, 60, 49);
}

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5	/* Linux 6.2 */
#endif

/*
 * 5b. A header asking for an offload the driver did not negotiate (virtio
 * 1.2, 5.1.6.2): returned unsent (tx_malformed), not handed to the tap,
 * which would take it. The same header passes once the driver has it.
 */
TEST_F(net, tx_offload_not_negotiated)
{
	const __u64 tso = F(CSUM) | F(HOST_TSO4);
	static const struct virtio_net_hdr_v1 partial = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = ETH_HLEN, .csum_offset = 2,
	};
/* A GSO header of @type, with a partial checksum, for a 60-byte frame. */
#define GSO_HDR(type)	{ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,		\
			  .gso_type = (type), .gso_size = 20,		\
			  .hdr_len = ETH_HLEN, .csum_start = ETH_HLEN,	\
			  .csum_offset = 2 }
	const struct {
		const char *what;
		__u64 features;
		struct virtio_net_hdr_v1 h;
	} bad[] = {
		{ "NEEDS_CSUM without CSUM", 0, partial },
		{ "TCPV4 without HOST_TSO4", F(CSUM),
		  GSO_HDR(VIRTIO_NET_HDR_GSO_TCPV4) },
		{ "TCPV6 with HOST_TSO4 only", tso,
		  GSO_HDR(VIRTIO_NET_HDR_GSO_TCPV6) },
		{ "TCPV4 and ECN without HOST_ECN", tso,
		  GSO_HDR(VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN) },
		{ "UDP_L4 without HOST_USO", tso,
		  GSO_HDR(VIRTIO_NET_HDR_GSO_UDP_L4) },
		{ "an unknown gso_type", tso,
		  { .gso_type = 0x42, .gso_size = 1400 } },
	};
#undef GSO_HDR
	__u8 got[128];
	unsigned int i;

	ASSERT_EQ(tso, self->offered & tso);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(0, net_init(self, bad[i].features));
		tx_dropped(_metadata, self,
			   &RD(tx_data_hdr(self, 50 + i, &bad[i].h),
			       HDR_LEN + 60), 1,
			   "tx_malformed", bad[i].what);
	}
	EXPECT_EQ(ARRAY_SIZE(bad), ns(self, "tx_malformed"));

	ASSERT_EQ(0, net_init(self, F(CSUM)));
	ASSERT_EQ(0, tx(self, &RD(tx_data_hdr(self, 59, &partial),
				  HDR_LEN + 60), 1));
	EXPECT_EQ(60, root_recv(self, got, sizeof(got), HVG_WAIT_MS))
		TH_LOG("a partial checksum frame with CSUM did not go out");
	EXPECT_EQ(ARRAY_SIZE(bad), ns(self, "tx_malformed"));
	EXPECT_EQ(0U, ns(self, "tx_errors"));
}

/* ------------------------------------------------------------------ */
/* Receive                                                             */

/* Make a receive buffer of @len bytes available (no notification). */
static __u16 rx_publish(struct _test_data_net *self, __u32 len, __u16 flags)
{
	struct hvg_vq *vq = VQ(RXQ);
	__u16 head = vq->avail_idx % vq->num;
	__u64 gpa = hvg_alloc(G, len, 16);

	memset(hvg_ptr(G, gpa), 0xcc, len);
	self->rxbuf[head] = gpa;
	self->rxlen[head] = len;
	hvg_desc(vq, head, gpa, len, flags, 0);
	hvg_vq_publish(vq, head);
	return head;
}

/* Post a writable receive buffer of @len bytes and notify. */
static __u16 rx_post(struct _test_data_net *self, __u32 len)
{
	__u16 head = rx_publish(self, len, VRING_DESC_F_WRITE);

	hvg_notify(G, BASE, RXQ);
	return head;
}

/*
 * The next used receive entry must hold frame @seq of @len bytes, alone
 * in its buffer (num_buffers 1).
 */
static void rx_expect(struct __test_metadata *_metadata,
		      struct _test_data_net *self, unsigned int len,
		      unsigned int seq)
{
	struct virtio_net_hdr_v1 h;
	__u8 want[2048];
	__u32 id = ~0U;
	long used;

	used = hvg_vq_wait_used(VQ(RXQ), HVG_WAIT_MS, &id);
	ASSERT_EQ((long)(HDR_LEN + len), used)
		TH_LOG("frame %u: used length %ld", seq, used);
	ASSERT_GT(NUM, id);
	ASSERT_NE(0ULL, self->rxbuf[id]);
	memcpy(&h, hvg_ptr(G, self->rxbuf[id]), HDR_LEN);
	EXPECT_EQ(1, h.num_buffers);
	EXPECT_EQ(0, h.gso_type);
	make_frame(want, len, seq, self->mac, root_mac);
	EXPECT_EQ(0, memcmp(want, hvg_ptr(G, self->rxbuf[id] + HDR_LEN), len))
		TH_LOG("frame %u: wrong bytes (head %u)", seq, id);
}

/* 6. Without MRG_RXBUF, a frame larger than the one buffer is dropped. */
TEST_F(net, rx_too_small_without_mrg)
{
	__u16 head;

	head = rx_post(self, 128);
	root_send(_metadata, self, 1000, 60);
	EXPECT_EQ(1U, ns_wait(self, "rx_too_small", 1, HVG_WAIT_MS))
		TH_LOG("the oversized frame was not counted");
	EXPECT_EQ(0, hvg_vq_used_idx(VQ(RXQ)))
		TH_LOG("the buffer was used for a frame it cannot hold");
	/* The buffer is still the driver's to fill: a small frame lands. */
	root_send(_metadata, self, 64, 61);
	rx_expect(_metadata, self, 64, 61);
	EXPECT_EQ(head, VQ(RXQ)->used->ring[0].id);
	EXPECT_EQ(1U, ns(self, "rx_too_small"));
	EXPECT_EQ(1U, ns(self, "rx_packets"));
	EXPECT_EQ(64U, ns(self, "rx_bytes"));
	EXPECT_EQ(0U, ns(self, "rx_errors"));
	serving(_metadata, self);
}

/* 7. With MRG_RXBUF, a frame spans as many buffers as it needs. */
TEST_F(net, rx_mergeable_buffers)
{
	const unsigned int len = 1000, size = 256;
	unsigned int nbufs = (HDR_LEN + len + size - 1) / size, i, off = 0;
	struct virtio_net_hdr_v1 h;
	__u8 want[1024], got[1024 + HDR_LEN];
	long used[8];
	__u32 id[8];

	ASSERT_EQ(0, net_init(self, F(MRG_RXBUF)));
	for (i = 0; i < 8; i++)
		rx_publish(self, size, VRING_DESC_F_WRITE);
	hvg_notify(G, BASE, RXQ);
	root_send(_metadata, self, len, 70);
	for (i = 0; i < nbufs; i++) {
		used[i] = hvg_vq_wait_used(VQ(RXQ), HVG_WAIT_MS, &id[i]);
		ASSERT_LE(0, used[i]) TH_LOG("buffer %u of %u not used", i,
					     nbufs);
		ASSERT_EQ(i, id[i]) TH_LOG("buffers used out of order");
		EXPECT_EQ((long)(i + 1 < nbufs ? size :
				 HDR_LEN + len - (nbufs - 1) * size), used[i]);
		memcpy(got + off, hvg_ptr(G, self->rxbuf[id[i]]), used[i]);
		off += used[i];
	}
	ASSERT_EQ(HDR_LEN + len, off);
	EXPECT_EQ(-1, hvg_vq_wait_used(VQ(RXQ), HVG_QUIET_MS, NULL))
		TH_LOG("more buffers used than the frame needs");
	memcpy(&h, got, HDR_LEN);
	EXPECT_EQ(nbufs, h.num_buffers);
	make_frame(want, len, 70, self->mac, root_mac);
	EXPECT_EQ(0, memcmp(want, got + HDR_LEN, len));
	EXPECT_EQ(1U, ns(self, "rx_packets"));
	EXPECT_EQ(len, ns(self, "rx_bytes"));
	EXPECT_EQ(0U, ns(self, "rx_too_small"));

	/* The buffers it did not need take the next frame. */
	root_send(_metadata, self, 100, 71);
	rx_expect(_metadata, self, 100, 71);
	EXPECT_EQ(nbufs, VQ(RXQ)->used->ring[nbufs].id);
	serving(_metadata, self);
}

/*
 * 7b. With MRG_RXBUF, a frame larger than all the buffers the whole ring
 * can lend is dropped and counted: the queue does not wait for buffers
 * that cannot come, and the buffers take the next frame that fits.
 */
TEST_F(net, rx_larger_than_the_ring_with_mrg)
{
	const unsigned int size = 16, len = 64;
	unsigned int i, nbufs = (HDR_LEN + len + size - 1) / size;
	struct virtio_net_hdr_v1 h;
	__u8 want[64], got[64 + HDR_LEN];
	unsigned int off = 0;
	long used;
	__u32 id;

	ASSERT_GT(HDR_LEN + 1000, NUM * size);
	ASSERT_EQ(0, net_init(self, F(MRG_RXBUF)));
	for (i = 0; i < NUM; i++)
		rx_publish(self, size, VRING_DESC_F_WRITE);
	hvg_notify(G, BASE, RXQ);
	root_send(_metadata, self, 1000, 75);
	EXPECT_EQ(1U, ns_wait(self, "rx_too_small", 1, HVG_WAIT_MS))
		TH_LOG("the frame no ring can hold was not dropped");
	EXPECT_EQ(0, hvg_vq_used_idx(VQ(RXQ)));

	root_send(_metadata, self, len, 76);
	for (i = 0; i < nbufs; i++) {
		used = hvg_vq_wait_used(VQ(RXQ), HVG_WAIT_MS, &id);
		ASSERT_LE(0, used) TH_LOG("buffer %u of %u not used", i, nbufs);
		ASSERT_EQ(i, id);
		memcpy(got + off, hvg_ptr(G, self->rxbuf[id]), used);
		off += used;
	}
	ASSERT_EQ(HDR_LEN + len, off);
	memcpy(&h, got, HDR_LEN);
	EXPECT_EQ(nbufs, h.num_buffers);
	make_frame(want, len, 76, self->mac, root_mac);
	EXPECT_EQ(0, memcmp(want, got + HDR_LEN, len));
	EXPECT_EQ(1U, ns(self, "rx_too_small"));
	EXPECT_EQ(1U, ns(self, "rx_packets"));
	serving(_metadata, self);
}

/*
 * The root sends frame @seq of @len bytes with a partial checksum (at
 * bytes 16-17, over the bytes from 16): through a packet socket that
 * takes a virtio-net header, so that the skb stays CHECKSUM_PARTIAL
 * where the tap offers checksum offload.
 */
static void root_send_partial(struct __test_metadata *_metadata,
			      struct _test_data_net *self, unsigned int len,
			      unsigned int seq)
{
	struct {
		struct virtio_net_hdr h;
		__u8 f[256];
	} m = {
		.h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.h.csum_start = 16,
		.h.csum_offset = 0,
	};
	int one = 1, fd;

	ASSERT_GE(sizeof(m.f), len);
	ASSERT_EQ(sizeof(m.h), offsetof(typeof(m), f));
	fd = hvg_packet_open(self->ifindex);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one,
				sizeof(one)));
	make_frame(m.f, len, seq, self->mac, root_mac);
	EXPECT_EQ((ssize_t)(sizeof(m.h) + len),
		  send(fd, &m, sizeof(m.h) + len, 0))
		TH_LOG("root send: %s", strerror(errno));
	close(fd);
}

/*
 * Does a partial checksum reach the driver, once the tap took the
 * offloads it negotiated (control work after FEATURES_OK)? Frames 90 on.
 */
static int rx_partial_csum_passes(struct __test_metadata *_metadata,
				  struct _test_data_net *self)
{
	struct virtio_net_hdr_v1 h = { 0 };
	unsigned int tries;
	__u32 id;

	for (tries = 0; tries < 20; tries++) {
		rx_post(self, 256);
		root_send_partial(_metadata, self, 100, 90 + tries);
		if (hvg_vq_wait_used(VQ(RXQ), HVG_WAIT_MS, &id) < 0)
			return 0;
		memcpy(&h, hvg_ptr(G, self->rxbuf[id]), HDR_LEN);
		if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			return 1;
		hvg_sleep_ms(50);
	}
	return 0;
}

/*
 * 7c. Frames the tap queued with the offloads of an earlier driver (a
 * partial checksum) do not reach a driver that did not negotiate them:
 * dropped and counted in rx_errors.
 */
TEST_F(net, rx_offloads_of_an_earlier_driver)
{
	ASSERT_EQ(0, net_init(self, F(GUEST_CSUM)));
	ASSERT_TRUE(rx_partial_csum_passes(_metadata, self))
		TH_LOG("the tap never passed a partial checksum on");
	EXPECT_EQ(0U, ns(self, "rx_errors"));

	/* Queued while the driver has no buffer, then a new driver. */
	root_send_partial(_metadata, self, 100, 120);
	hvg_sleep_ms(HVG_QUIET_MS);
	ASSERT_EQ(0, net_init(self, 0));
	rx_post(self, 256);
	EXPECT_EQ(1U, ns_wait(self, "rx_errors", 1, HVG_WAIT_MS))
		TH_LOG("a partial checksum reached a driver without GUEST_CSUM");
	EXPECT_EQ(0, hvg_vq_used_idx(VQ(RXQ)));
	/* The buffer takes the next frame. */
	root_send(_metadata, self, 64, 121);
	rx_expect(_metadata, self, 64, 121);
	serving(_metadata, self);
}

/*
 * 7d. GUEST_ECN without GUEST_TSO4/6 (which a driver should not ask
 * for): the tap still takes the checksum offload.
 */
TEST_F(net, rx_guest_ecn_without_tso)
{
	ASSERT_EQ(0, net_init(self, F(GUEST_CSUM) | F(GUEST_ECN)));
	EXPECT_TRUE(rx_partial_csum_passes(_metadata, self))
		TH_LOG("the tap refused the offloads: plain frames only");
	EXPECT_EQ(0U, ns(self, "rx_errors"));
	serving(_metadata, self);
}

/*
 * 8. No drop by the device: frames wait in the tap while the driver has
 * no buffers, and arrive in order once it posts some.
 */
TEST_F(net, rx_no_buffers_no_drop)
{
	const unsigned int n = 20, len = 100;
	__u64 dropped = tap_stat("tx_dropped"), lost;
	unsigned int i, got;

	ASSERT_NE(~0ULL, dropped);
	for (i = 0; i < n; i++)
		root_send(_metadata, self, len, 80 + i);
	hvg_sleep_ms(HVG_QUIET_MS);
	EXPECT_EQ(0, hvg_vq_used_idx(VQ(RXQ)));
	EXPECT_EQ(0U, ns(self, "rx_too_small"));
	EXPECT_EQ(0U, ns(self, "rx_packets"));

	lost = tap_stat("tx_dropped") - dropped;
	EXPECT_EQ(0U, lost) TH_LOG("the tap dropped %llu of %u frames",
				   (unsigned long long)lost, n);
	for (i = 0; i < n; i++)
		rx_publish(self, 256, VRING_DESC_F_WRITE);
	hvg_notify(G, BASE, RXQ);
	for (got = 0; got < n - lost; got++)
		rx_expect(_metadata, self, len, 80 + got);
	EXPECT_EQ(n - lost, got);
	EXPECT_EQ(n - lost, ns(self, "rx_packets"));
	EXPECT_EQ(0U, ns(self, "rx_too_small"));
	serving(_metadata, self);
}

/* 9. A receive buffer with a device-readable descriptor: NEEDS_RESET. */
TEST_F(net, rx_readable_buffer)
{
	__u32 st, id;
	unsigned int seq;
	long used;

	rx_publish(self, 256, 0);
	hvg_notify(G, BASE, RXQ);
	root_send(_metadata, self, 100, 90);
	st = hvg_wait_status(G, BASE, VIRTIO_CONFIG_S_NEEDS_RESET,
			     HVG_WAIT_MS);
	ASSERT_TRUE(st & VIRTIO_CONFIG_S_NEEDS_RESET)
		TH_LOG("status %#x after a readable receive buffer", st);
	EXPECT_TRUE(hvg_isr(G, BASE) & VIRTIO_MMIO_INT_CONFIG)
		TH_LOG("no config interrupt for NEEDS_RESET");
	EXPECT_EQ(0, hvg_vq_used_idx(VQ(RXQ)));
	EXPECT_EQ(0U, ns(self, "rx_packets"));

	/* Reset and start again: the device serves, frame 90 first. */
	ASSERT_EQ(0, net_init(self, 0));
	rx_post(self, 256);
	rx_post(self, 256);
	root_send(_metadata, self, 100, 91);
	used = hvg_vq_wait_used(VQ(RXQ), HVG_WAIT_MS, &id);
	ASSERT_EQ(HDR_LEN + 100, used);
	seq = ((__u8 *)hvg_ptr(G, self->rxbuf[id]))[HDR_LEN + 15];
	EXPECT_TRUE(seq == 90 || seq == 91) TH_LOG("frame %u came", seq);
	if (seq == 90)
		rx_expect(_metadata, self, 100, 91);
	EXPECT_LE(1U, ns(self, "rx_packets"));
	serving(_metadata, self);
}

/* ------------------------------------------------------------------ */
/* Control                                                             */

/*
 * Send a control command (@len bytes: class, command, data) with a one
 * byte ack buffer on the control queue @vq of the device at @base;
 * checks the used length and returns the ack.
 */
static int ctrl_on(struct __test_metadata *_metadata, struct hvg *g,
		   __u64 base, struct hvg_vq *vq, const void *cmd, size_t len)
{
	__u64 ack = hvg_alloc(g, 1, 1);
	struct hvg_buf b[2] = {
		RD(hvg_put(g, cmd, len), len), WR(ack, 1),
	};

	*(__u8 *)hvg_ptr(g, ack) = 0xee;
	EXPECT_EQ(1, hvg_chain(g, base, vq, b, 2, HVG_WAIT_MS))
		TH_LOG("command %zu bytes: not used with length 1", len);
	return hvg_byte(g, ack);
}

static int ctrl(struct __test_metadata *_metadata,
		struct _test_data_net *self, const void *cmd, size_t len)
{
	return ctrl_on(_metadata, G, BASE, VQ(CTRLQ), cmd, len);
}

static void cfg_mac(struct _test_data_net *self, __u8 *mac)
{
	unsigned int i;

	for (i = 0; i < ETH_ALEN; i++)
		mac[i] = hvg_rd(G, BASE + VIRTIO_MMIO_CONFIG + i, 1);
}

#define C_RX	VIRTIO_NET_CTRL_RX
#define C_MAC	VIRTIO_NET_CTRL_MAC
#define PROMISC	VIRTIO_NET_CTRL_RX_PROMISC
#define TABLE	VIRTIO_NET_CTRL_MAC_TABLE_SET
#define ADDR	VIRTIO_NET_CTRL_MAC_ADDR_SET

/* 10. Malformed commands are refused and counted; good ones accepted. */
TEST_F(net, ctrl_commands)
{
	static const struct {
		const char *what;
		__u8 cmd[40];
		size_t len;
		int ok;
	} cases[] = {
		{ "no header", { 0 }, 0, 0 },
		{ "a header of one byte", { C_RX }, 1, 0 },
		{ "unknown class", { 0x7f, 0, 1 }, 3, 0 },
		{ "VLAN class (not offered)", { VIRTIO_NET_CTRL_VLAN, 0,
						1, 0 }, 4, 0 },
		{ "ANNOUNCE class (not offered)",
		  { VIRTIO_NET_CTRL_ANNOUNCE, 0 }, 2, 0 },
		{ "RX PROMISC without data", { C_RX, PROMISC }, 2, 0 },
		{ "RX PROMISC with 2 bytes", { C_RX, PROMISC, 1, 0 }, 4, 0 },
		{ "RX ALLUNI (CTRL_RX_EXTRA not offered)",
		  { C_RX, VIRTIO_NET_CTRL_RX_ALLUNI, 1 }, 3, 0 },
		{ "RX unknown command", { C_RX, 0x55, 1 }, 3, 0 },
		{ "RX PROMISC on", { C_RX, PROMISC, 1 }, 3, 1 },
		{ "RX PROMISC off", { C_RX, PROMISC, 0 }, 3, 1 },
		{ "RX ALLMULTI on", { C_RX, VIRTIO_NET_CTRL_RX_ALLMULTI, 1 },
		  3, 1 },
		{ "MAC unknown command", { C_MAC, 0x33, 0 }, 3, 0 },
		{ "MAC table: 5 unicast entries, none there",
		  { C_MAC, TABLE, 5, 0, 0, 0, 0, 0, 0, 0 }, 10, 0 },
		{ "MAC table: an entry count that overflows times 6",
		  { C_MAC, TABLE, 0xab, 0xaa, 0xaa, 0x2a, 0, 0, 0, 0 },
		  10, 0 },
		{ "MAC table: 2 multicast entries, one there",
		  { C_MAC, TABLE, 0, 0, 0, 0, 2, 0, 0, 0,
		    0x01, 0, 0x5e, 0, 0, 1 }, 16, 0 },
		{ "MAC table: the multicast table missing",
		  { C_MAC, TABLE, 0, 0, 0, 0 }, 6, 0 },
		{ "MAC table: a byte too many",
		  { C_MAC, TABLE, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 11, 0 },
		{ "MAC table: empty", { C_MAC, TABLE, 0, 0, 0, 0, 0, 0, 0, 0 },
		  10, 1 },
		{ "MAC table: 1 unicast, 2 multicast",
		  { C_MAC, TABLE, 1, 0, 0, 0, 0x02, 1, 2, 3, 4, 5,
		    2, 0, 0, 0, 0x01, 0, 0x5e, 0, 0, 1,
		    0x33, 0x33, 0, 0, 0, 1 }, 28, 1 },
		{ "MAC address: multicast",
		  { C_MAC, ADDR, 0x01, 0, 0x5e, 0, 0, 1 }, 8, 0 },
		{ "MAC address: broadcast",
		  { C_MAC, ADDR, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 8, 0 },
		{ "MAC address: zero", { C_MAC, ADDR }, 8, 0 },
		{ "MAC address: 5 bytes", { C_MAC, ADDR, 2, 1, 2, 3, 4 }, 7,
		  0 },
		{ "MAC address: 7 bytes", { C_MAC, ADDR, 2, 1, 2, 3, 4, 5, 6 },
		  9, 0 },
	};
	static const __u8 new_mac[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44,
						0x55 };
	__u8 cmd[2 + ETH_ALEN] = { C_MAC, ADDR }, mac[ETH_ALEN];
	unsigned int i, errors = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ack = ctrl(_metadata, self, cases[i].cmd, cases[i].len);
		int want = VIRTIO_NET_ERR;

		if (cases[i].ok)
			want = VIRTIO_NET_OK;
		EXPECT_EQ(want, ack)
			TH_LOG("%s: ack %#x", cases[i].what, ack);
		errors += !cases[i].ok;
		EXPECT_EQ(errors, ns(self, "ctrl_errors"))
			TH_LOG("%s: ctrl_errors", cases[i].what);
	}
	cfg_mac(self, mac);
	EXPECT_EQ(0, memcmp(mac, self->mac, ETH_ALEN))
		TH_LOG("a refused command changed the MAC address");

	/* A valid address, split over descriptors: config space has it. */
	memcpy(cmd + 2, new_mac, ETH_ALEN);
	{
		__u64 c = hvg_put(G, cmd, sizeof(cmd));
		__u64 ack = hvg_alloc(G, 1, 1);
		struct hvg_buf b[] = {
			RD(c, 1), RD(c + 1, 4), RD(c + 5, 3), WR(ack, 1),
		};

		*(__u8 *)hvg_ptr(G, ack) = 0xee;
		EXPECT_EQ(1, hvg_chain(G, BASE, VQ(CTRLQ), b, ARRAY_SIZE(b),
				       HVG_WAIT_MS));
		EXPECT_EQ(VIRTIO_NET_OK, hvg_byte(G, ack));
	}
	cfg_mac(self, mac);
	EXPECT_EQ(0, memcmp(mac, new_mac, ETH_ALEN))
		TH_LOG("config space: %02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		       mac[1], mac[2], mac[3], mac[4], mac[5]);
	EXPECT_EQ(errors, ns(self, "ctrl_errors"));
	serving(_metadata, self);
}

/* 11. A control chain with no writable byte: returned untouched. */
TEST_F(net, ctrl_no_ack_byte)
{
	static const __u8 promisc[] = { C_RX, PROMISC, 1 };
	__u64 c = hvg_put(G, promisc, sizeof(promisc));
	__u64 z = hvg_alloc(G, 1, 1);
	struct hvg_buf only[] = { RD(c, sizeof(promisc)) };
	struct hvg_buf empty_ack[] = { RD(c, sizeof(promisc)), WR(z, 0) };

	*(__u8 *)hvg_ptr(G, z) = 0xee;
	EXPECT_EQ(0, hvg_chain(G, BASE, VQ(CTRLQ), only, 1, HVG_WAIT_MS));
	EXPECT_EQ(1U, ns(self, "ctrl_errors"));
	EXPECT_EQ(0, hvg_chain(G, BASE, VQ(CTRLQ), empty_ack, 2,
			       HVG_WAIT_MS));
	EXPECT_EQ(2U, ns(self, "ctrl_errors"));
	EXPECT_EQ(0xee, hvg_byte(G, z));
	EXPECT_EQ(VIRTIO_NET_OK, ctrl(_metadata, self, promisc,
				      sizeof(promisc)));
	EXPECT_EQ(2U, ns(self, "ctrl_errors"));
	serving(_metadata, self);
}

/* ------------------------------------------------------------------ */
/* Several queue pairs                                                 */

#define MQ_TAP		"hvt1"
#define PAIRS		3
#define MQ_CTRLQ	(2 * PAIRS)	/* the control queue: after the pairs */
#define MQ_NVQ		(2 * PAIRS + 1)
#define C_MQ		VIRTIO_NET_CTRL_MQ
#define PAIRS_SET	VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET

/* A device with PAIRS queue pairs, one queue of a multi-queue tap each. */
FIXTURE(net_mq) {
	struct hvg g;
	struct hvg_vq vq[MQ_NVQ];
	char name[HVV_NAME_LEN];
	int tap[PAIRS];
};

FIXTURE_SETUP(net_mq)
{
	struct hvv_dev_config dc = {
		.type = HVV_DEV_NET,
		.addr = BASE,
		.len = HVG_DEV_LEN,
		.irq = IRQ,
		.backend_fd = -1,
		.queues = PAIRS,
	};
	int ret, ifindex;
	unsigned int i;

	for (i = 0; i < PAIRS; i++)
		self->tap[i] = -1;
	ret = hvg_setup(G, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ret = hvg_tap_create(MQ_TAP, self->tap, PAIRS, 0, &ifindex);
	ASSERT_EQ(0, ret) TH_LOG("tap " MQ_TAP ": %s", strerror(-ret));
	dc.net.tap_fds = (__u64)(unsigned long)self->tap;
	ret = hvg_add_dev_full(G, &dc);
	ASSERT_EQ(0, ret) TH_LOG("net add, %u pairs: %s", PAIRS,
				 strerror(-ret));
	memcpy(self->name, dc.name, sizeof(self->name));
	ASSERT_EQ(WANT | F(MQ), hvg_device_features(G, BASE) & (WANT | F(MQ)));
	ASSERT_EQ(0, hvg_virtio_init(G, BASE, WANT | F(MQ), self->vq, MQ_NVQ,
				     NUM));
	hvg_drain_irqs(G);
}

FIXTURE_TEARDOWN(net_mq)
{
	unsigned int i;

	if (self->name[0])
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, hvg_teardown(G));
	if (self->tap[0] < 0)
		return;
	for (i = 0; i < PAIRS; i++)
		close(self->tap[i]);
	EXPECT_EQ(0, hvg_tap_wait_gone(MQ_TAP))
		TH_LOG("the device still holds the tap after its removal");
}

/*
 * 12. With MQ: the control queue is queue 2N (N = max_virtqueue_pairs),
 * the last one. VQ_PAIRS_SET takes 1 to N pairs as a 16-bit
 * little-endian count, nothing more or less; every other one is refused
 * and counted, and the device goes on.
 */
TEST_F(net_mq, ctrl_vq_pairs_set)
{
	static const struct {
		const char *what;
		__u8 cmd[8];
		size_t len;
		int ok;
	} cases[] = {
		{ "0 pairs", { C_MQ, PAIRS_SET, 0, 0 }, 4, 0 },
		{ "max_virtqueue_pairs + 1", { C_MQ, PAIRS_SET, PAIRS + 1, 0 },
		  4, 0 },
		{ "0x8000 pairs", { C_MQ, PAIRS_SET, 0, 0x80 }, 4, 0 },
		{ "0xffff pairs", { C_MQ, PAIRS_SET, 0xff, 0xff }, 4, 0 },
		{ "1 pair big-endian (256)", { C_MQ, PAIRS_SET, 0, 1 }, 4, 0 },
		{ "1 byte of payload", { C_MQ, PAIRS_SET, 1 }, 3, 0 },
		{ "no payload", { C_MQ, PAIRS_SET }, 2, 0 },
		{ "3 bytes of payload", { C_MQ, PAIRS_SET, 1, 0, 0 }, 5, 0 },
		{ "RSS_CONFIG (RSS not offered)",
		  { C_MQ, VIRTIO_NET_CTRL_MQ_RSS_CONFIG, 1, 0 }, 4, 0 },
		{ "HASH_CONFIG (HASH_REPORT not offered)",
		  { C_MQ, VIRTIO_NET_CTRL_MQ_HASH_CONFIG, 1, 0 }, 4, 0 },
		{ "an unknown MQ command", { C_MQ, 0x42, 1, 0 }, 4, 0 },
		{ "1 pair", { C_MQ, PAIRS_SET, 1, 0 }, 4, 1 },
		{ "max_virtqueue_pairs", { C_MQ, PAIRS_SET, PAIRS, 0 }, 4, 1 },
		{ "0 pairs after valid ones", { C_MQ, PAIRS_SET, 0, 0 }, 4, 0 },
		{ "2 pairs", { C_MQ, PAIRS_SET, 2, 0 }, 4, 1 },
	};
	static const __u8 one[] = { C_MQ, PAIRS_SET, 1, 0 };
	__u64 max_pairs = BASE + VIRTIO_MMIO_CONFIG +
		offsetof(struct virtio_net_config, max_virtqueue_pairs);
	unsigned int i, errors = 0;

	/* The layout: N in config space, queues 0 to 2N and no more. */
	EXPECT_EQ((__u64)PAIRS, hvg_rd(G, max_pairs, 2));
	for (i = 0; i <= MQ_NVQ; i++) {
		__u32 num_max;

		hvg_wr32(G, BASE, VIRTIO_MMIO_QUEUE_SEL, i);
		num_max = hvg_rd32(G, BASE, VIRTIO_MMIO_QUEUE_NUM_MAX);
		EXPECT_EQ(i < MQ_NVQ, num_max != 0)
			TH_LOG("queue %u: QueueNumMax %u", i, num_max);
	}

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int ack = ctrl_on(_metadata, G, BASE, VQ(MQ_CTRLQ),
				  cases[i].cmd, cases[i].len);
		int want = VIRTIO_NET_ERR;

		if (cases[i].ok)
			want = VIRTIO_NET_OK;
		EXPECT_EQ(want, ack)
			TH_LOG("VQ_PAIRS_SET, %s: ack %#x", cases[i].what, ack);
		errors += !cases[i].ok;
		EXPECT_EQ(errors, hvg_sysfs_u64(self->name,
						"net_stats/ctrl_errors"))
			TH_LOG("%s: ctrl_errors", cases[i].what);
		EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE))
			TH_LOG("%s: the device gave up (status %#x)",
			       cases[i].what, hvg_status(G, BASE));
	}

	/* The count split over two descriptors is still one count. */
	{
		__u64 c = hvg_put(G, one, sizeof(one));
		__u64 ack = hvg_alloc(G, 1, 1);
		struct hvg_buf b[] = {
			RD(c, 2), RD(c + 2, 1), RD(c + 3, 1), WR(ack, 1),
		};

		*(__u8 *)hvg_ptr(G, ack) = 0xee;
		EXPECT_EQ(1, hvg_chain(G, BASE, VQ(MQ_CTRLQ), b,
				       ARRAY_SIZE(b), HVG_WAIT_MS));
		EXPECT_EQ(VIRTIO_NET_OK, hvg_byte(G, ack));
	}
	EXPECT_EQ(errors, hvg_sysfs_u64(self->name, "net_stats/ctrl_errors"));
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE));
}

/*
 * MQ offered but not negotiated, CTRL_VQ negotiated. Virtio 1.2, 5.1.2:
 * N is 1 when MQ is not negotiated, so the control queue is queue 2, not
 * 2 * max_virtqueue_pairs (queue 6 here).
 */
TEST_F(net_mq, ctrl_queue_without_mq)
{
	static const __u8 promisc[] = { C_RX, PROMISC, 1 };
	struct hvg_vq vq[3];

	ASSERT_EQ(0, hvg_virtio_init(G, BASE, WANT, vq, 3, NUM));
	EXPECT_EQ(VIRTIO_NET_OK, ctrl_on(_metadata, G, BASE, &vq[2], promisc,
					 sizeof(promisc)));
	EXPECT_EQ(0U, hvg_sysfs_u64(self->name, "net_stats/ctrl_errors"));
}

/*
 * Each pair needs a queue of the tap of its own: the same queue's fd for
 * two pairs is refused (two workers would read one socket, each sizing
 * buffers for a frame the other may take), and so is a queue of another
 * tap (the link follows pair 0's); two queues of the tap are not.
 */
#define MQ_TAP2		"hvt3"
#define MQ_TAP3		"hvt4"

TEST_F(net_mq, one_tap_queue_for_two_pairs)
{
	struct hvv_dev_config dc = {
		NET_DEV2,
		.backend_fd = -1,
		.queues = 2,
	};
	int tap[2], same[2], mixed[2], ifindex, ret;

	ret = hvg_tap_create(MQ_TAP2, tap, 2, 0, &ifindex);
	ASSERT_EQ(0, ret) TH_LOG("tap " MQ_TAP2 ": %s", strerror(-ret));
	same[0] = tap[1];
	same[1] = dup(tap[1]);
	ASSERT_LE(0, same[1]);
	dc.net.tap_fds = (__u64)(unsigned long)same;
	EXPECT_EQ(-EINVAL, hvg_add_dev_full(G, &dc));
	ret = hvg_tap_create(MQ_TAP3, &mixed[1], 1, 0, &ifindex);
	ASSERT_EQ(0, ret) TH_LOG("tap " MQ_TAP3 ": %s", strerror(-ret));
	mixed[0] = tap[0];
	dc.net.tap_fds = (__u64)(unsigned long)mixed;
	EXPECT_EQ(-EINVAL, hvg_add_dev_full(G, &dc))
		TH_LOG("queues of two taps taken for one device");
	close(mixed[1]);
	EXPECT_EQ(0, hvg_tap_wait_gone(MQ_TAP3));
	dc.net.tap_fds = (__u64)(unsigned long)tap;
	EXPECT_EQ(0, hvg_add_dev_full(G, &dc));
	EXPECT_EQ(0, hvg_del_dev(G, dc.name));
	close(same[1]);
	close(tap[0]);
	close(tap[1]);
	EXPECT_EQ(0, hvg_tap_wait_gone(MQ_TAP2))
		TH_LOG("a device still holds the tap after its removal");
}

/*
 * A multi-queue tap takes more queues while a device holds some: a second
 * device on them would see a share of the tap's flows, chosen by their
 * hash. Refused (-EBUSY), with one queue or several; it goes once the
 * first device went.
 */
TEST_F(net_mq, second_device_on_the_tap)
{
	struct hvv_dev_config dc = {
		NET_DEV2,
		.backend_fd = -1,
	};
	int more[2], ifindex, ret;

	ret = hvg_tap_create(MQ_TAP, more, 2, 0, &ifindex);
	ASSERT_EQ(0, ret) TH_LOG("two more queues of " MQ_TAP ": %s",
				 strerror(-ret));
	dc.backend_fd = more[0];
	EXPECT_EQ(-EBUSY, hvg_add_dev_full(G, &dc))
		TH_LOG("a queue of a tap a device holds taken for another");
	dc.backend_fd = -1;
	dc.queues = 2;
	dc.net.tap_fds = (__u64)(unsigned long)more;
	EXPECT_EQ(-EBUSY, hvg_add_dev_full(G, &dc));
	hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
	ASSERT_EQ(0, hvg_del_dev(G, self->name));
	self->name[0] = 0;
	EXPECT_EQ(0, hvg_add_dev_full(G, &dc));
	EXPECT_EQ(0, hvg_del_dev(G, dc.name));
	close(more[0]);
	close(more[1]);
}

/* ------------------------------------------------------------------ */
/* Fairness                                                            */

#define FAIR_TAP	"hvt2"
#define FAIR_BLK	(BASE + HVG_DEV_LEN)
#define FAIR_BLK_IRQ	(IRQ + 1)
#define FAIR_MS		3000	/* the flood lasts this long */
#define FAIR_MAX_MS	1000	/* no blk request may wait longer meanwhile */
#define FAIR_FRAME	60

/*
 * A net device whose transmit queue a guest thread keeps full, and a blk
 * device of the same zone; hvisor_vhost reloaded with all its threads on
 * one CPU (cpus=), so that the two devices' workers share it.
 */
FIXTURE(net_fair) {
	struct hvg g;
	struct hvg_vq vq[3];	/* the net device's RXQ, TXQ, CTRLQ */
	struct hvg_blk blk;
	char cpus[64];		/* hvisor_vhost's cpus= before the test */
	int reloaded;
	int tap;
	int memfd;		/* the blk device's backing */
};

struct fair_flood {
	struct hvg g;		/* a vCPU of its own */
	struct hvg_vq *vq;
	atomic_int stop;
	unsigned long sent;	/* frames the device took */
	char err[128];
};

/*
 * Reload hvisor_vhost, its threads on CPU list @cpus ("": all), and the
 * simulator that uses it: 0, or -1.
 */
static int vhost_reload(const char *cpus)
{
	return hvg_sh(NULL, 0,
		      "rmmod hvisor_sim hvisor_vhost && modprobe hvisor_vhost%s%s && modprobe hvisor_sim 2>&1",
		      *cpus ? " cpus=" : "", cpus);
}

/* The last CPU of a CPU list ("2-3" -> "3"), or "0" for none. */
static void last_cpu(const char *list, char *out, size_t size)
{
	const char *p = list + strlen(list);

	while (p > list && isdigit((unsigned char)p[-1]))
		p--;
	snprintf(out, size, "%s", isdigit((unsigned char)*p) ? p : "0");
}

FIXTURE_SETUP(net_fair)
{
	struct hvv_dev_config dc = {
		.type = HVV_DEV_NET,
		.addr = BASE,
		.len = HVG_DEV_LEN,
		.irq = IRQ,
		.net.mtu = MTU,
	};
	char one[16];
	int ret, ifindex;

	self->tap = -1;
	self->memfd = -1;
	ASSERT_EQ(0, hvg_read_file("/sys/module/hvisor_vhost/parameters/cpus",
				   self->cpus, sizeof(self->cpus)));
	if (!strcmp(self->cpus, "(null)"))	/* never set: every CPU */
		self->cpus[0] = 0;
	last_cpu(self->cpus, one, sizeof(one));
	if (vhost_reload(one))
		SKIP(return, "cannot reload hvisor_vhost with cpus=%s", one);
	self->reloaded = 1;
	ret = hvg_setup(G, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ret = hvg_tap_create(FAIR_TAP, &self->tap, 1, 0, &ifindex);
	ASSERT_EQ(0, ret) TH_LOG("tap " FAIR_TAP ": %s", strerror(-ret));
	dc.backend_fd = self->tap;
	ret = hvg_add_dev_full(G, &dc);
	ASSERT_EQ(0, ret) TH_LOG("net add: %s", strerror(-ret));
	ASSERT_EQ(0, hvg_virtio_init(G, BASE, WANT, self->vq, 3, NUM));
	self->memfd = memfd_create("fair-blk", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, 1 << 20));
	ret = hvg_add_blk(G, FAIR_BLK, FAIR_BLK_IRQ, self->memfd, 0, NULL,
			  &self->blk);
	ASSERT_EQ(0, ret) TH_LOG("blk add: %s", strerror(-ret));
	ASSERT_EQ(0, hvg_blk_init(G, &self->blk, HVG_F_VERSION_1, NUM));
	hvg_drain_irqs(G);
}

FIXTURE_TEARDOWN(net_fair)
{
	if (self->reloaded) {
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
		hvg_wr32(G, FAIR_BLK, VIRTIO_MMIO_STATUS, 0);
		EXPECT_EQ(0, hvg_teardown(G));
	}
	if (self->tap >= 0) {
		close(self->tap);
		EXPECT_EQ(0, hvg_tap_wait_gone(FAIR_TAP));
	}
	if (self->memfd >= 0)
		close(self->memfd);
	if (self->reloaded)
		EXPECT_EQ(0, vhost_reload(self->cpus))
			TH_LOG("hvisor_vhost not reloaded with cpus=%s", self->cpus);
}

/*
 * Keep the transmit ring full: every used chain is made available again
 * at once; notify only when the device asks (it does not while it polls).
 */
static void *fair_flood_thread(void *arg)
{
	struct fair_flood *f = arg;
	struct hvg_vq *vq = f->vq;
	__u16 i;

	for (i = 0; i < vq->num; i++)
		hvg_vq_publish(vq, i);
	hvg_notify(&f->g, BASE, vq->index);
	while (!atomic_load(&f->stop)) {
		__u16 used = hvg_vq_used_idx(vq), n = 0;

		while (vq->last_used != used) {
			struct vring_used_elem *e =
				&vq->used->ring[vq->last_used++ % vq->num];

			if (e->id >= vq->num) {
				snprintf(f->err, sizeof(f->err),
					 "used head %u out of range", e->id);
				return NULL;
			}
			hvg_vq_publish(vq, e->id);
			n++;
		}
		f->sent += n;
		if (n && !(__atomic_load_n(&vq->used->flags, __ATOMIC_ACQUIRE) &
			   VRING_USED_F_NO_NOTIFY))
			hvg_notify(&f->g, BASE, vq->index);
	}
	return NULL;
}

/*
 * 14. A guest that keeps one queue full cannot starve another device
 * whose worker shares the CPU: with every worker and the dispatcher on
 * one CPU, blk requests of the same zone complete within FAIR_MAX_MS each
 * while the net device transmits without a break. What makes it hold: a
 * worker pass ends after its weight (64 chains or 512 KiB) or when the
 * ring is empty, and the guest cannot make more available before the
 * pass publishes what it used, so a pass is bounded by the ring (this
 * test still passes with the weight removed); workers are preemptible
 * threads, one per queue, and the dispatcher waits for none of them. It
 * fails if anything makes the other device wait for the flood: a pass
 * without end or without preemption, a thread or lock shared with the
 * flooded queue.
 */
TEST_F_TIMEOUT(net_fair, tx_flood_delays_no_other_device, 60)
{
	struct fair_flood f = { .vq = VQ(TXQ) };
	__u64 data = hvg_alloc(G, 4096, 4096), start, t, worst = 0;
	unsigned int done = 0;
	pthread_t thread;
	__u16 i;
	int st;

	if (_metadata->skip)	/* the harness runs us after a SKIP in setup */
		return;
	/* Descriptor i: frame i, laid out before the thread uses a copy of G. */
	for (i = 0; i < NUM; i++) {
		__u64 gpa = hvg_alloc(G, HDR_LEN + FAIR_FRAME, 16);

		make_frame(hvg_ptr(G, gpa + HDR_LEN), FAIR_FRAME, i, root_mac,
			   root_mac);
		hvg_desc(VQ(TXQ), i, gpa, HDR_LEN + FAIR_FRAME, 0, 0);
	}
	f.g = self->g;
	f.g.cpu = self->g.cpu + 1;
	ASSERT_EQ(0, pthread_create(&thread, NULL, fair_flood_thread, &f));
	start = hvg_ms();
	while (hvg_ms() - start < FAIR_MS) {
		t = hvg_ms();
		st = hvg_blk_req(G, &self->blk, VIRTIO_BLK_T_IN, 8 * (done % 64),
				 data, 4096);
		t = hvg_ms() - t;
		if (st != VIRTIO_BLK_S_OK)
			break;
		worst = t > worst ? t : worst;
		done++;
	}
	atomic_store(&f.stop, 1);
	pthread_join(thread, NULL);
	EXPECT_STREQ("", f.err);
	EXPECT_EQ(VIRTIO_BLK_S_OK, st)
		TH_LOG("blk request %u not completed within %d ms during the flood",
		       done, HVG_WAIT_MS);
	EXPECT_GE(FAIR_MAX_MS, worst)
		TH_LOG("a blk request waited %llu ms", (unsigned long long)worst);
	/* The flood was one: the transmit worker had work all along. */
	EXPECT_LT(1000UL, f.sent);
	printf("# flood: %lu frames in %d ms; blk: %u requests, the slowest %llu ms\n",
	       f.sent, FAIR_MS, done, (unsigned long long)worst);
	fflush(stdout);
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE));
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, FAIR_BLK));
}

/* ------------------------------------------------------------------ */
/* A macvtap                                                           */

#define MVT_LOWER	"hvmv0"	/* the macvtaps' lower device, a veth */
#define MVT_PEER	"hvmv1"	/* its peer: the root's packet socket */
#define MVT		"hvmt0"	/* the device's macvtap */
#define MVT_SINK	"hvmt1"	/* a macvtap at the root's MAC, unread */
#define MVT_MAC		"02:00:00:00:00:42"
#define MVT_SNDBUF	16384	/* the device's macvtap: a few frames */
#define MVT_FRAMES	32
#define MVT_LEN		1000
#define VQ_N(i)		(&n->vq[i])

static const __u8 mvt_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x42 };

/*
 * A net device on a macvtap (a /dev/tapN file, which callers of the ioctl
 * may pass instead of a tun/tap one) in bridge mode on one end of a veth
 * pair; the root's packet socket is on the other end. A second macvtap
 * on the same veth (MVT_SINK, with the root's MAC) takes the device's
 * frames without the test reading them: they stay charged to the
 * device's macvtap until read, which fills it.
 */
FIXTURE(net_macvtap) {
	struct _test_data_net n;
	int sink;		/* MVT_SINK's file, or -1 */
};

/* Make the macvtap @name with @mac on MVT_LOWER, up: 0, or not. */
static int mvt_create(const char *name, const char *mac)
{
	return hvg_sh(NULL, 0, "ip link add link " MVT_LOWER
		      " name %s address %s type macvtap mode bridge 2>&1",
		      name, mac) || hvg_if_up(name);
}

FIXTURE_SETUP(net_macvtap)
{
	struct _test_data_net *n = &self->n;
	struct hvv_dev_config dc = {
		.type = HVV_DEV_NET,
		.addr = BASE,
		.len = HVG_DEV_LEN,
		.irq = IRQ,
		.net.mtu = MTU,
		.net.flags = HVV_NET_F_MAC,
	};
	char idx[16];
	int ret;

	n->tap = -1;
	n->pkt = -1;
	self->sink = -1;
	ret = hvg_setup(&n->g, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	hvg_sh(NULL, 0, "ip link del " MVT_LOWER " 2>&1");	/* an earlier run's */
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link add " MVT_LOWER
			    " type veth peer name " MVT_PEER " 2>&1"));
	ASSERT_EQ(0, hvg_if_up(MVT_LOWER));
	ASSERT_EQ(0, hvg_if_up(MVT_PEER));
	ASSERT_EQ(0, mvt_create(MVT, MVT_MAC));
	n->tap = hvg_macvtap_open(MVT, 0);
	ASSERT_LE(0, n->tap) TH_LOG("/dev/tapN of " MVT ": %s",
				    strerror(-n->tap));
	ASSERT_EQ(0, hvg_read_file("/sys/class/net/" MVT_PEER "/ifindex", idx,
				   sizeof(idx)));
	n->pkt = hvg_packet_open(atoi(idx));
	ASSERT_LE(0, n->pkt) TH_LOG("packet socket: %s", strerror(-n->pkt));
	memcpy(dc.net.mac, mvt_mac, ETH_ALEN);
	dc.backend_fd = n->tap;
	net_add(_metadata, n, &dc);
	ASSERT_EQ(0, memcmp(n->mac, mvt_mac, ETH_ALEN));
}

FIXTURE_TEARDOWN(net_macvtap)
{
	struct _test_data_net *n = &self->n;

	if (n->added)
		hvg_wr32(&n->g, BASE, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, hvg_teardown(&n->g));
	if (n->pkt >= 0)
		close(n->pkt);
	if (n->tap >= 0)
		close(n->tap);
	if (self->sink >= 0)
		close(self->sink);
	EXPECT_EQ(0, hvg_sh(NULL, 0, "ip link del " MVT_LOWER " 2>&1"));
}

/* 15. Frames go both ways through a macvtap, as through a tun/tap. */
TEST_F(net_macvtap, frames_both_ways)
{
	struct _test_data_net *n = &self->n;

	tx_good(_metadata, n, 60, 1);
	tx_good(_metadata, n, MTU + ETH_HLEN, 2);
	rx_post(n, 2048);
	root_send(_metadata, n, 100, 3);
	rx_expect(_metadata, n, 100, 3);
	rx_post(n, 2048);
	root_send(_metadata, n, MTU + ETH_HLEN, 4);
	rx_expect(_metadata, n, MTU + ETH_HLEN, 4);
	EXPECT_EQ(0U, ns(n, "tx_errors"));
	EXPECT_EQ(0U, ns(n, "rx_errors"));
	serving(_metadata, n);
}

/*
 * Make the device's macvtap fill up: its send buffer MVT_SNDBUF, and
 * MVT_SINK, at the root's MAC, takes its frames without reading them.
 */
static void mvt_fill(struct __test_metadata *_metadata,
		     struct _test_data_net_macvtap *self)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int sndbuf = MVT_SNDBUF;

	ASSERT_EQ(0, ioctl(self->n.tap, TUNSETSNDBUF, &sndbuf));
	ASSERT_EQ(0, mvt_create(MVT_SINK, "02:00:00:00:00:01"));
	self->sink = hvg_macvtap_open(MVT_SINK, 0);
	ASSERT_LE(0, self->sink);
	/* The test reads bare frames from it. */
	ASSERT_EQ(0, ioctl(self->sink, TUNSETIFF, &ifr));
}

/* Post MVT_FRAMES frames, numbered from @seq, with one notification. */
static void mvt_post(struct _test_data_net *n, unsigned int seq)
{
	unsigned int i;

	for (i = 0; i < MVT_FRAMES; i++) {
		__u16 head = VQ_N(TXQ)->avail_idx % NUM;

		hvg_desc(VQ_N(TXQ), head, tx_data(n, MVT_LEN, seq + i),
			 HDR_LEN + MVT_LEN, 0, 0);
		hvg_vq_publish(VQ_N(TXQ), head);
	}
	hvg_notify(&n->g, BASE, TXQ);
}

/*
 * Read the next frame from MVT_SINK within @ms: 0 if it is frame @seq,
 * -1 if none came, -2 if another one did.
 */
static int mvt_sink_read(struct _test_data_net_macvtap *self,
			 unsigned int seq, int ms)
{
	struct pollfd pfd = { .fd = self->sink, .events = POLLIN };
	__u8 want[2048], got[2048];

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	make_frame(want, MVT_LEN, seq, root_mac, mvt_mac);
	if (read(self->sink, got, sizeof(got)) != MVT_LEN ||
	    memcmp(want, got, MVT_LEN))
		return -2;
	return 0;
}

/*
 * 16. A macvtap that cannot take a frame yet (its send buffer full) has
 * the device wait without spinning, and every frame goes out, in order,
 * once it has room: transmit is retried, never dropped.
 */
TEST_F(net_macvtap, tx_full_tap_waits_and_loses_nothing)
{
	struct _test_data_net *n = &self->n;
	__u64 packets = ns(n, "tx_packets"), cpu;
	unsigned int i;
	__u16 used;

	mvt_fill(_metadata, self);
	cpu = hvg_module_cpu_ns(n->d.name);
	mvt_post(n, 100);
	hvg_sleep_ms(HVG_QUIET_MS);
	used = hvg_vq_used_idx(VQ_N(TXQ));
	EXPECT_GT(MVT_FRAMES / 2, used)
		TH_LOG("%u of %u frames returned while the tap had room for a few",
		       used, MVT_FRAMES);
	cpu = hvg_module_cpu_ns(n->d.name) - cpu;
	printf("# tap full: %u of %u frames returned, the module's threads ran %llu us in %d ms\n",
	       used, MVT_FRAMES, (unsigned long long)(cpu / 1000), HVG_QUIET_MS);
	fflush(stdout);
	EXPECT_GT(HVG_QUIET_MS * 1000000ULL / 4, cpu)
		TH_LOG("the device used %llu ms of CPU waiting for the tap",
		       (unsigned long long)(cpu / 1000000));
	for (i = 0; i < MVT_FRAMES; i++)
		ASSERT_EQ(0, mvt_sink_read(self, 100 + i, HVG_WAIT_MS))
			TH_LOG("frame %u lost, or out of order", i);
	for (i = 0; i < MVT_FRAMES; i++)
		EXPECT_EQ(0, hvg_vq_wait_used(VQ_N(TXQ), HVG_WAIT_MS, NULL));
	EXPECT_EQ(packets + MVT_FRAMES, ns(n, "tx_packets"));
	EXPECT_EQ(0U, ns(n, "tx_errors"));
	serving(_metadata, n);
}

/*
 * 17. A reset, then the device's removal, while the device waits for
 * room in the macvtap: each completes, the device goes on after the
 * reset, and no chain of a ring the driver took back reaches the root.
 */
TEST_F(net_macvtap, tx_full_tap_reset_and_removal)
{
	struct _test_data_net *n = &self->n;
	unsigned int i;
	__u16 used;

	mvt_fill(_metadata, self);
	mvt_post(n, 100);
	hvg_sleep_ms(HVG_QUIET_MS);
	used = hvg_vq_used_idx(VQ_N(TXQ));
	ASSERT_GT(MVT_FRAMES, used);
	ASSERT_EQ(0, net_init(n, 0));
	/* The frames the tap took, then none of the old ring. */
	for (i = 0; i < used; i++)
		ASSERT_EQ(0, mvt_sink_read(self, 100 + i, HVG_WAIT_MS));
	EXPECT_EQ(-1, mvt_sink_read(self, 0, HVG_QUIET_MS))
		TH_LOG("a chain of the ring before the reset was sent");
	EXPECT_EQ(0, tx(n, &RD(tx_data(n, MVT_LEN, 200), HDR_LEN + MVT_LEN), 1));
	EXPECT_EQ(0, mvt_sink_read(self, 200, HVG_WAIT_MS))
		TH_LOG("no frame after the reset");

	mvt_post(n, 300);
	hvg_sleep_ms(HVG_QUIET_MS);
	used = hvg_vq_used_idx(VQ_N(TXQ)) - 1;	/* frame 200 too */
	ASSERT_GT(MVT_FRAMES, used);
	ASSERT_EQ(0, hvg_del_dev(&n->g, n->d.name));
	n->added = 0;
	for (i = 0; i < used; i++)
		ASSERT_EQ(0, mvt_sink_read(self, 300 + i, HVG_WAIT_MS));
	EXPECT_EQ(-1, mvt_sink_read(self, 0, HVG_QUIET_MS))
		TH_LOG("a chain was sent after the device's removal");
}

/*
 * The device's link (config space status, with STATUS) becomes @up, with
 * a config interrupt, within HVG_WAIT_MS: 0, or -1.
 */
static int link_becomes(struct _test_data_net *self, int up)
{
	__u64 end = hvg_ms() + HVG_WAIT_MS;
	unsigned int off = offsetof(struct virtio_net_config, status);
	int irq = 0;

	do {
		irq |= !hvg_irq_wait(G, IRQ, 10) &&
		       hvg_isr(G, BASE) & VIRTIO_MMIO_INT_CONFIG;
		if (irq && !!(hvg_rd(G, BASE + VIRTIO_MMIO_CONFIG + off, 2) &
			      VIRTIO_NET_S_LINK_UP) == up) {
			hvg_ack(G, BASE, VIRTIO_MMIO_INT_CONFIG);
			return 0;
		}
	} while (hvg_ms() < end);
	return -1;
}

static void backend_is(struct __test_metadata *_metadata,
		       struct _test_data_net *self, const char *want)
{
	char got[64] = "";

	EXPECT_EQ(0, hvg_sysfs_str(self->d.name, "backend", got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

/*
 * 18. The link follows the macvtap's interface: down and up, its lower
 * device's carrier, its name.
 */
TEST_F(net_macvtap, link_follows_the_macvtap)
{
	struct _test_data_net *n = &self->n;

	backend_is(_metadata, n, MVT);
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link set " MVT " down 2>&1"));
	EXPECT_EQ(0, link_becomes(n, 0)) TH_LOG("macvtap down: link still up");
	/* Renamed (Linux renames interfaces that are down only). */
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link set " MVT " name hvmt9 2>&1"));
	backend_is(_metadata, n, "hvmt9");
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link set hvmt9 name " MVT " up 2>&1"));
	EXPECT_EQ(0, link_becomes(n, 1)) TH_LOG("macvtap up: link still down");
	/* The lower device loses its carrier with its veth peer. */
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link set " MVT_PEER " down 2>&1"));
	EXPECT_EQ(0, link_becomes(n, 0)) TH_LOG("no carrier: link still up");
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link set " MVT_PEER " up 2>&1"));
	EXPECT_EQ(0, link_becomes(n, 1)) TH_LOG("carrier: link still down");
	tx_good(_metadata, n, 60, 1);
}

/*
 * 19. The macvtap deleted under the running device: the link goes down
 * for good, frames are still returned, counted as errors as on a deleted
 * tun/tap (a deleted macvtap would take them and drop them), nothing
 * spins, and the device lets go of the file when removed.
 */
TEST_F(net_macvtap, deleted_under_the_device)
{
	struct _test_data_net *n = &self->n;
	__u64 cpu, sent, errors;

	tx_good(_metadata, n, 60, 1);
	rx_post(n, 2048);
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link del " MVT " 2>&1"));
	EXPECT_EQ(0, link_becomes(n, 0)) TH_LOG("deleted: link still up");
	backend_is(_metadata, n, MVT " (deleted)");
	sent = ns(n, "tx_packets");
	errors = ns(n, "tx_errors");
	cpu = hvg_module_cpu_ns(n->d.name);
	EXPECT_EQ(0, tx(n, &RD(tx_data(n, 60, 2), HDR_LEN + 60), 1));
	EXPECT_EQ(sent, ns(n, "tx_packets"))
		TH_LOG("a frame to a deleted macvtap counted as sent");
	EXPECT_EQ(errors + 1, ns(n, "tx_errors"));
	hvg_sleep_ms(HVG_QUIET_MS);
	cpu = hvg_module_cpu_ns(n->d.name) - cpu;
	EXPECT_GT(HVG_QUIET_MS * 1000000ULL / 4, cpu)
		TH_LOG("the device used %llu ms of CPU after the deletion",
		       (unsigned long long)(cpu / 1000000));
	EXPECT_EQ(0, hvg_vq_used_idx(VQ_N(RXQ)));
	serving(_metadata, n);
}

/*
 * 20. Queue pairs on a macvtap: one open of it per pair; a queue of
 * another macvtap, or of a tun/tap, for the second pair is refused, and
 * so is a second device on the macvtap while the first one holds it.
 */
TEST_F(net_macvtap, queue_pairs_of_one_macvtap)
{
	struct _test_data_net *n = &self->n;
	int fds[2], tun, ifindex;
	struct hvv_dev_config dc = {
		NET_DEV2,
		.backend_fd = -1,
		.queues = 2,
		.net.tap_fds = (__u64)(unsigned long)fds,
	};

	fds[0] = hvg_macvtap_open(MVT, 0);
	ASSERT_LE(0, fds[0]);
	ASSERT_EQ(0, mvt_create(MVT_SINK, "02:00:00:00:00:43"));
	self->sink = hvg_macvtap_open(MVT_SINK, 0);
	ASSERT_LE(0, self->sink);
	fds[1] = self->sink;
	EXPECT_EQ(-EINVAL, hvg_add_dev_full(&n->g, &dc))
		TH_LOG("queues of two macvtaps taken for one device");
	ASSERT_EQ(0, hvg_tap_create(MQ_TAP3, &tun, 1, 0, &ifindex));
	fds[1] = tun;
	EXPECT_EQ(-EINVAL, hvg_add_dev_full(&n->g, &dc))
		TH_LOG("a macvtap's and a tap's queue taken for one device");
	close(tun);
	fds[1] = hvg_macvtap_open(MVT, 0);
	ASSERT_LE(0, fds[1]);
	/* The fixture's device holds MVT: one device per macvtap. */
	EXPECT_EQ(-EBUSY, hvg_add_dev_full(&n->g, &dc))
		TH_LOG("a second device on a macvtap a device holds");
	hvg_wr32(&n->g, BASE, VIRTIO_MMIO_STATUS, 0);
	ASSERT_EQ(0, hvg_del_dev(&n->g, n->d.name));
	n->added = 0;
	EXPECT_EQ(0, hvg_add_dev_full(&n->g, &dc));
	EXPECT_EQ(0, hvg_del_dev(&n->g, dc.name));
	close(fds[0]);
	close(fds[1]);
}

/* 21. The file of a macvtap deleted before is refused (-ENOLINK). */
TEST_F(net_macvtap, deleted_before_creation)
{
	struct _test_data_net *n = &self->n;
	struct hvv_dev_config dc = {
		NET_DEV2,
	};
	int fd;

	ASSERT_EQ(0, mvt_create(MVT_SINK, "02:00:00:00:00:43"));
	fd = hvg_macvtap_open(MVT_SINK, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hvg_sh(NULL, 0, "ip link del " MVT_SINK " 2>&1"));
	dc.backend_fd = fd;
	EXPECT_EQ(-ENOLINK, hvg_add_dev_full(&n->g, &dc));
	close(fd);
	tx_good(_metadata, n, 60, 1);
}

/*
 * 22. A tun interface (IFF_TUN: IP packets, no Ethernet header) is not a
 * tap: the zone would get packets it cannot parse. Refused (-EINVAL).
 */
TEST_F(net, tun_interface_refused)
{
	struct ifreq ifr = {
		.ifr_name = "hvtun0",
		.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR,
	};
	struct hvv_dev_config dc = {
		NET_DEV2,
	};
	int hdr = HDR_LEN, fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, TUNSETIFF, &ifr));
	ASSERT_EQ(0, ioctl(fd, TUNSETVNETHDRSZ, &hdr));
	dc.backend_fd = fd;
	EXPECT_EQ(-EINVAL, hvg_add_dev_full(G, &dc))
		TH_LOG("a device on a tun interface");
	close(fd);
	EXPECT_EQ(0, hvg_tap_wait_gone("hvtun0"));
	tx_good(_metadata, self, 60, 1);
}

TEST_HARNESS_MAIN
