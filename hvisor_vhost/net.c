// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net backend: the data path (virtio 1.2, 5.1.6), through the tap's
 * socket. The tap was opened with IFF_VNET_HDR and a 12-byte header, so
 * every frame crosses the socket with the very header the driver reads or
 * writes (struct virtio_net_hdr_v1): the offloads need no translation.
 *
 * Receive (queue 2N of pair N): driven by the tap's wait queue (rx_poll) and by the
 * driver's notifications. For each frame the tap holds, the worker takes
 * enough of the driver's buffers (several with MRG_RXBUF), reads the
 * frame straight into them and returns them with num_buffers set. When
 * the driver has not posted enough, the frame stays in the tap and the
 * worker waits for the driver's notification: the device drops nothing
 * (the tap's queue fills and the kernel counts its drops there). A frame
 * no buffer can ever hold (a single buffer too small without MRG_RXBUF)
 * is dropped and counted.
 *
 * Transmit (queue 2N + 1): driven by notifications; each chain is a header and
 * a frame, written to the tap in one sendmsg() if the header uses only
 * offloads the driver negotiated. When the tap cannot take it yet
 * (-EAGAIN) the chain is given back and tx_poll kicks the worker when the
 * tap has room: nothing is lost. A chain that breaks the rules,
 * or a frame the tap refuses, is returned unsent and counted.
 *
 * Control (the last queue): CTRL_RX (promiscuous and all-multicast modes
 * are accepted: the tap delivers every frame anyway), CTRL_MAC (the
 * filter table is accepted, the address is taken into config space) and
 * CTRL_MQ (every pair is served whatever the driver uses).
 *
 * The link (VIRTIO_NET_S_LINK_UP) is the tap's: net_dev.c reports its
 * interface's state, the workers report a tap that went away for good.
 *
 * Each queue pair has its own queue of the tap (a multi-queue tap with
 * several pairs), so the pairs never share a socket.
 *
 * Each worker pass is bounded by the core's weight (hvv_vq_pass_spent()),
 * so that a flood on one queue lets the other threads run.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/etherdevice.h>
#include <linux/if_tun.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/virtio_config.h>

#include "net.h"

/* The buffers gathered for one frame. */
struct hvv_net_bufs {
	unsigned int nr;
	unsigned int nr_segs;
	size_t len;
};

/*
 * Config space says LINK_UP while the tap runs with carrier and has not
 * failed for good. Written, with a config interrupt, only when that
 * changes; under link_lock, so that the writes follow the changes in
 * order.
 */
static void hvv_net_link_update_locked(struct hvv_net *net)
{
	bool up = net->link_carrier && !net->link_gone;
	__le16 status = cpu_to_le16(up ? VIRTIO_NET_S_LINK_UP : 0);

	lockdep_assert_held(&net->link_lock);
	if (up == net->link_up)
		return;
	net->link_up = up;
	if (net->dev.device_features & BIT_ULL(VIRTIO_NET_F_STATUS))
		hvv_dev_set_config(&net->dev,
				   offsetof(struct virtio_net_config, status),
				   &status, sizeof(status), true);
	if (!net->link_gone)
		pr_info_ratelimited("%s: link %s, as the tap's\n",
				    net->dev.name, up ? "up" : "down");
}

/**
 * hvv_net_link_carrier - the tap's interface changed state
 * @net: the device
 * @carrier: the interface runs and has carrier
 *
 * Process context (creation, the netdevice notifier).
 */
void hvv_net_link_carrier(struct hvv_net *net, bool carrier)
{
	mutex_lock(&net->link_lock);
	net->link_carrier = carrier;
	hvv_net_link_update_locked(net);
	mutex_unlock(&net->link_lock);
}

/**
 * hvv_net_link_gone - the tap failed for good: the link is down for good
 * @net: the device
 *
 * Process context (the workers, the netdevice notifier).
 */
void hvv_net_link_gone(struct hvv_net *net)
{
	if (READ_ONCE(net->link_gone))
		return;
	mutex_lock(&net->link_lock);
	if (!net->link_gone) {
		WRITE_ONCE(net->link_gone, true);
		hvv_net_link_update_locked(net);
		pr_warn_ratelimited("%s: the tap went away; link down\n",
				    net->dev.name);
	}
	mutex_unlock(&net->link_lock);
}

static void hvv_net_rx_unpop(struct hvv_vq *vq, struct hvv_net_rx *rx,
			     unsigned int from, unsigned int to)
{
	while (to-- > from)
		hvv_vq_unpop(vq, &rx->chains[to]);
}

/*
 * Take the driver's buffers until they hold @need bytes (only one without
 * MRG_RXBUF). Returns 0 with @b filled (@b->len may still be short of
 * @need: nothing more can be taken for this frame, as when the buffers
 * taken hold the whole descriptor table), -EAGAIN if the driver has not
 * posted enough yet (nothing taken), -EIO if it broke a rule.
 */
static int hvv_net_rx_gather(struct hvv_net_pair *pair, struct hvv_vq *vq,
			     size_t need, bool mrg, struct hvv_net_bufs *b)
{
	struct hvv_net_rx *rx = &pair->rx;
	unsigned int max_segs = HVV_VQ_MAX_SEGS(vq->num_max);
	unsigned int descs = 0;
	int ret;

	b->nr = 0;
	b->nr_segs = 0;
	b->len = 0;
	while (b->len < need && (mrg || !b->nr) && b->nr < vq->num_max) {
		struct hvv_chain *c = &rx->chains[b->nr];

		ret = hvv_vq_pop_into(vq, c, rx->segs + b->nr_segs,
				      max_segs - b->nr_segs);
		if (ret == -ENOSPC)
			break;	/* more segments than a ring can lend */
		if (ret < 0)
			return ret;
		if (!ret) {
			/* The driver has nothing left to post: it never fits. */
			if (descs >= vq->wr.num)
				break;
			hvv_net_rx_unpop(vq, rx, 0, b->nr);
			return -EAGAIN;
		}
		if (c->nr_out) {
			hvv_dev_broken(&pair->net->dev,
				       "receive buffer with device-readable descriptors");
			return -EIO;
		}
		descs += c->nr_descs;
		b->nr_segs += c->nr_in;
		b->len += c->in_len;
		b->nr++;
	}
	return 0;
}

/*
 * Drop the frame at the head of the tap: a read into a buffer shorter
 * than the header takes the frame and fails (an empty one takes nothing).
 */
static void hvv_net_rx_discard(struct socket *sock)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	u8 scratch;
	struct kvec kv = { .iov_base = &scratch, .iov_len = sizeof(scratch) };

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &kv, 1, kv.iov_len);
	sock->ops->recvmsg(sock, &msg, kv.iov_len, MSG_DONTWAIT | MSG_TRUNC);
}

/* The header the tap wrote at the start of the buffers @b. */
static bool hvv_net_rx_hdr_read(struct hvv_net_rx *rx,
				const struct hvv_net_bufs *b,
				struct virtio_net_hdr_v1 *hdr)
{
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, rx->segs, b->nr_segs, b->len);
	return copy_from_iter(hdr, sizeof(*hdr), &iter) == sizeof(*hdr);
}

/* The feature bits a header's offloads need, one set per direction. */
struct hvv_net_offload_bits {
	u64 csum;
	u64 ecn;
	u64 tso4;
	u64 tso6;
	u64 uso;	/* any of these */
};

static const struct hvv_net_offload_bits hvv_net_rx_offloads = {
	.csum = BIT_ULL(VIRTIO_NET_F_GUEST_CSUM),
	.ecn = BIT_ULL(VIRTIO_NET_F_GUEST_ECN),
	.tso4 = BIT_ULL(VIRTIO_NET_F_GUEST_TSO4),
	.tso6 = BIT_ULL(VIRTIO_NET_F_GUEST_TSO6),
#ifdef TUN_F_USO4
	/* One type for both: the tap knows which it may build. */
	.uso = BIT_ULL(VIRTIO_NET_F_GUEST_USO4) |
	       BIT_ULL(VIRTIO_NET_F_GUEST_USO6),
#endif
};

static const struct hvv_net_offload_bits hvv_net_tx_offloads = {
	.csum = BIT_ULL(VIRTIO_NET_F_CSUM),
	.ecn = BIT_ULL(VIRTIO_NET_F_HOST_ECN),
	.tso4 = BIT_ULL(VIRTIO_NET_F_HOST_TSO4),
	.tso6 = BIT_ULL(VIRTIO_NET_F_HOST_TSO6),
#ifdef TUN_F_USO4
	.uso = BIT_ULL(VIRTIO_NET_F_HOST_USO),
#endif
};

/*
 * Were the offloads of this header negotiated (virtio 1.2, 5.1.6.2 and
 * 5.1.6.4)? On receive, the tap takes the offloads a driver negotiated
 * from the control work after FEATURES_OK, so frames it queued before
 * carry those of the previous driver, or none; on transmit the driver
 * must not use others, and the tap would take them all.
 */
static bool hvv_net_hdr_allowed(const struct virtio_net_hdr_v1 *hdr,
				u64 features,
				const struct hvv_net_offload_bits *bits)
{
	u64 need = 0;

	if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		need |= bits->csum;
	if (hdr->gso_type & VIRTIO_NET_HDR_GSO_ECN)
		need |= bits->ecn;
	switch (hdr->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		need |= bits->tso4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		need |= bits->tso6;
		break;
#ifdef TUN_F_USO4
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (!(features & bits->uso))
			return false;
		break;
#endif
	default:
		return false;
	}
	return (features & need) == need;
}

/*
 * The frame of @len bytes (header included, @hdr as the tap wrote it) is
 * in the buffers: set the header fields the tap does not, give back the
 * buffers it did not need and return the others.
 */
static void hvv_net_rx_publish(struct hvv_net_pair *pair, struct hvv_vq *vq,
			       const struct hvv_net_bufs *b, size_t len,
			       struct virtio_net_hdr_v1 *hdr, u64 features)
{
	struct hvv_net *net = pair->net;
	struct hvv_net_rx *rx = &pair->rx;
	size_t left = len;
	struct iov_iter iter;
	unsigned int used, i;

	for (used = 0; used < b->nr && left; used++)
		left -= min_t(size_t, left, rx->chains[used].in_len);
	hvv_net_rx_unpop(vq, rx, used, b->nr);

	/* Fix up the header the tap wrote: it leaves num_buffers alone. */
	hdr->num_buffers = (__force __virtio16)cpu_to_le16(used);
	if (!(features & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM)))
		hdr->flags = 0;	/* not even DATA_VALID */
	iov_iter_kvec(&iter, ITER_DEST, rx->segs, b->nr_segs, b->len);
	if (copy_to_iter(hdr, sizeof(*hdr), &iter) != sizeof(*hdr))
		atomic64_inc(&net->dev.stats.errors);

	left = len;
	for (i = 0; i < used; i++) {
		u32 n = min_t(size_t, left, rx->chains[i].in_len);

		hvv_vq_push(vq, rx->chains[i].head, n);
		left -= n;
	}
	atomic64_inc(&net->stats.rx_packets);
	atomic64_add(len - HVV_NET_HDR_LEN, &net->stats.rx_bytes);
}

/* One frame from the tap into the driver's buffers. */
static int hvv_net_rx_one(struct hvv_net_pair *pair, struct hvv_vq *vq,
			  struct socket *sock, int peek, u64 features)
{
	struct hvv_net *net = pair->net;
	bool mrg = features & BIT_ULL(VIRTIO_NET_F_MRG_RXBUF);
	size_t need = peek + HVV_NET_HDR_LEN;
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct virtio_net_hdr_v1 hdr;
	struct hvv_net_bufs b;
	int ret;

	ret = hvv_net_rx_gather(pair, vq, need, mrg, &b);
	if (ret)
		return ret;
	if (b.len < need) {
		/* No buffer the driver posted can ever hold this frame. */
		hvv_net_rx_unpop(vq, &pair->rx, 0, b.nr);
		hvv_net_rx_discard(sock);
		atomic64_inc(&net->stats.rx_too_small);
		return 0;
	}
	iov_iter_kvec(&msg.msg_iter, ITER_DEST, pair->rx.segs, b.nr_segs,
		      b.len);
	ret = sock->ops->recvmsg(sock, &msg, b.len, MSG_DONTWAIT | MSG_TRUNC);
	if (ret < 0 || ret > b.len || ret < HVV_NET_HDR_LEN) {
		hvv_net_rx_unpop(vq, &pair->rx, 0, b.nr);
		if (ret == -EAGAIN)
			return -EAGAIN;	/* nothing after all */
		if (ret < 0) {
			atomic64_inc(&net->stats.rx_errors);
			return ret;
		}
		atomic64_inc(&net->stats.rx_too_small);
		return 0;
	}
	if (!hvv_net_rx_hdr_read(&pair->rx, &b, &hdr) ||
	    !hvv_net_hdr_allowed(&hdr, features, &hvv_net_rx_offloads)) {
		/* Its bytes overwrote nothing the driver may look at. */
		hvv_net_rx_unpop(vq, &pair->rx, 0, b.nr);
		atomic64_inc(&net->stats.rx_errors);
		return 0;
	}
	hvv_net_rx_publish(pair, vq, &b, ret, &hdr, features);
	return ret;
}

static bool hvv_net_receive(struct hvv_vq *vq)
{
	struct hvv_net_pair *pair = vq->priv;
	struct hvv_net *net = pair->net;
	struct socket *sock = READ_ONCE(pair->sock);
	u64 features = READ_ONCE(net->features);
	struct hvv_vq_pass pass = {};
	bool more = false;
	int peek, ret;

	if (!sock)
		return false;
	hvv_vq_disable_notify(vq);
	for (;;) {
		peek = sock->ops->peek_len(sock);
		if (peek <= 0) {
			/* A deleted tap wakes us and has nothing to read. */
			if (vfs_poll(pair->file, NULL) & EPOLLERR)
				hvv_net_link_gone(net);
			break;	/* rx_poll kicks us when a frame comes */
		}
		ret = hvv_net_rx_one(pair, vq, sock, peek, features);
		if (ret == -EAGAIN) {
			/* Not enough buffers: the frame waits in the tap. */
			if (!hvv_vq_enable_notify(vq))
				break;
			/* The driver posted meanwhile: gather again. */
			hvv_vq_disable_notify(vq);
			ret = 0;
		} else if (ret == -EBADFD || ret == -EIO) {
			if (ret == -EBADFD)
				hvv_net_link_gone(net);
			break;
		} else if (ret < 0) {
			ret = 0;	/* that frame was lost and counted */
		}
		if (hvv_vq_pass_spent(&pass, ret)) {
			more = true;
			break;
		}
	}
	hvv_vq_flush(vq);
	return more;
}

/*
 * One transmit chain: 0 when done with (sent, or dropped and counted), or
 * -EAGAIN while the tap is full (tx_poll kicks the worker when it has
 * room again).
 */
static int hvv_net_transmit_one(struct hvv_vq *vq,
				const struct hvv_chain *chain)
{
	struct hvv_net_pair *pair = vq->priv;
	struct socket *sock = READ_ONCE(pair->sock);
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT };
	struct hvv_net *net = pair->net;
	struct virtio_net_hdr_v1 hdr;
	int ret;

	if (chain->nr_in || chain->out_len < HVV_NET_HDR_LEN + ETH_HLEN) {
		atomic64_inc(&net->stats.tx_malformed);
		return 0;
	}
	/*
	 * Detached, or the tap deleted: a deleted tun/tap refuses the frame,
	 * a deleted macvtap would take it and drop it.
	 */
	if (!sock || READ_ONCE(net->link_gone)) {
		atomic64_inc(&net->stats.tx_errors);
		return 0;
	}
	hvv_chain_iter_out(chain, &msg.msg_iter);
	/*
	 * The tap reads the header again: a driver that changes it meanwhile
	 * gets what the tap accepts, no more than without this check.
	 */
	if (copy_from_iter(&hdr, sizeof(hdr), &msg.msg_iter) != sizeof(hdr) ||
	    !hvv_net_hdr_allowed(&hdr, READ_ONCE(net->features),
				 &hvv_net_tx_offloads)) {
		atomic64_inc(&net->stats.tx_malformed);
		return 0;
	}
	iov_iter_revert(&msg.msg_iter, sizeof(hdr));
	ret = sock->ops->sendmsg(sock, &msg, chain->out_len);
	if (ret == -EAGAIN) {
		/*
		 * The tap wakes tx_poll when it frees room only once it
		 * knows someone waits for it: polling tells it so, and sees
		 * the room freed before that (macvtap; tun never fills).
		 */
		if (vfs_poll(pair->file, NULL) & EPOLLOUT)
			hvv_worker_kick(&vq->worker);
		return -EAGAIN;
	}
	if (ret < 0) {
		atomic64_inc(&net->stats.tx_errors);
		if (ret == -EBADFD)
			hvv_net_link_gone(net);
		return 0;
	}
	atomic64_inc(&net->stats.tx_packets);
	atomic64_add(chain->out_len - HVV_NET_HDR_LEN, &net->stats.tx_bytes);
	return 0;
}

/* CTRL_MAC: the filter table is accepted if well formed. */
static u8 hvv_net_ctrl_mac(struct hvv_net *net, u8 cmd, struct iov_iter *data)
{
	u8 mac[ETH_ALEN];
	unsigned int t;
	__le32 n;

	switch (cmd) {
	case VIRTIO_NET_CTRL_MAC_ADDR_SET:
		if (!(READ_ONCE(net->features) &
		      BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR)) ||
		    copy_from_iter(mac, ETH_ALEN, data) != ETH_ALEN ||
		    iov_iter_count(data) || !is_valid_ether_addr(mac))
			return VIRTIO_NET_ERR;
		hvv_dev_set_config(&net->dev,
				   offsetof(struct virtio_net_config, mac),
				   mac, ETH_ALEN, false);
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MAC_TABLE_SET:
		/* Two tables: unicast, then multicast addresses. */
		for (t = 0; t < 2; t++) {
			if (copy_from_iter(&n, sizeof(n), data) != sizeof(n) ||
			    le32_to_cpu(n) > iov_iter_count(data) / ETH_ALEN)
				return VIRTIO_NET_ERR;
			iov_iter_advance(data, le32_to_cpu(n) * ETH_ALEN);
		}
		return iov_iter_count(data) ? VIRTIO_NET_ERR : VIRTIO_NET_OK;
	default:
		return VIRTIO_NET_ERR;
	}
}

/*
 * CTRL_MQ: the driver says how many pairs it uses. Every pair is served
 * anyway; the tap spreads frames over the queues attached to it.
 */
static u8 hvv_net_ctrl_mq(struct hvv_net *net, u8 cmd, struct iov_iter *data)
{
	__le16 pairs;

	if (!(READ_ONCE(net->features) & BIT_ULL(VIRTIO_NET_F_MQ)) ||
	    cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET ||
	    copy_from_iter(&pairs, sizeof(pairs), data) != sizeof(pairs) ||
	    iov_iter_count(data) || !le16_to_cpu(pairs) ||
	    le16_to_cpu(pairs) > net->nr_pairs)
		return VIRTIO_NET_ERR;
	return VIRTIO_NET_OK;
}

static u8 hvv_net_ctrl_command(struct hvv_net *net,
			       const struct hvv_chain *chain)
{
	struct virtio_net_ctrl_hdr hdr;
	struct iov_iter data;
	u8 on;

	hvv_chain_iter_out(chain, &data);
	if (copy_from_iter(&hdr, sizeof(hdr), &data) != sizeof(hdr))
		return VIRTIO_NET_ERR;
	switch (hdr.class) {
	case VIRTIO_NET_CTRL_RX:
		if ((hdr.cmd != VIRTIO_NET_CTRL_RX_PROMISC &&
		     hdr.cmd != VIRTIO_NET_CTRL_RX_ALLMULTI) ||
		    iov_iter_count(&data) != sizeof(on))
			return VIRTIO_NET_ERR;
		return VIRTIO_NET_OK;
	case VIRTIO_NET_CTRL_MAC:
		return hvv_net_ctrl_mac(net, hdr.cmd, &data);
	case VIRTIO_NET_CTRL_MQ:
		return hvv_net_ctrl_mq(net, hdr.cmd, &data);
	default:
		return VIRTIO_NET_ERR;
	}
}

/* One control command; the used length is that of the ack. */
static int hvv_net_control_one(struct hvv_vq *vq,
			       const struct hvv_chain *chain)
{
	struct hvv_net *net = to_net(vq->dev);
	struct iov_iter ack;
	u8 status;

	if (!chain->in_len) {
		/* Nowhere to answer: return it untouched. */
		atomic64_inc(&net->stats.ctrl_errors);
		return 0;
	}
	status = hvv_net_ctrl_command(net, chain);
	if (status != VIRTIO_NET_OK)
		atomic64_inc(&net->stats.ctrl_errors);
	/* The ack is the last writable byte. */
	hvv_chain_iter_in(chain, &ack);
	iov_iter_advance(&ack, chain->in_len - 1);
	if (copy_to_iter(&status, 1, &ack) != 1)
		atomic64_inc(&net->stats.ctrl_errors);
	return 1;
}

/**
 * hvv_net_handle_queue - serve a queue of a net device
 * @vq: the queue
 *
 * The driver's features give the layout (virtio 1.2, 5.1.2): N pairs
 * with MQ, one without, then the control queue with CTRL_VQ, so that
 * without MQ the control queue is queue 2 whatever the device offers.
 * A queue outside that layout is not served.
 *
 * Worker context (the &hvv_dev_ops.handle_queue of net devices).
 *
 * Return: true if the pass's weight ran out with work left.
 */
bool hvv_net_handle_queue(struct hvv_vq *vq)
{
	struct hvv_net *net = to_net(vq->dev);
	u64 features = READ_ONCE(net->features);
	unsigned int data_queues = 2;

	if (features & BIT_ULL(VIRTIO_NET_F_MQ))
		data_queues = 2 * net->nr_pairs;
	if (vq->index == data_queues &&
	    (features & BIT_ULL(VIRTIO_NET_F_CTRL_VQ)))
		return hvv_vq_serve(vq, hvv_net_control_one);
	if (vq->index >= data_queues)
		return false;
	if (vq->index & 1)
		return hvv_vq_serve(vq, hvv_net_transmit_one);
	return hvv_net_receive(vq);
}

/**
 * hvv_net_rx_alloc - allocate a receive queue's buffer arrays
 * @pair: the queue pair
 * @num_max: the receive queue's QueueNumMax
 *
 * Return: 0 or -ENOMEM.
 */
int hvv_net_rx_alloc(struct hvv_net_pair *pair, u16 num_max)
{
	pair->rx.chains = kcalloc(num_max, sizeof(*pair->rx.chains),
				  GFP_KERNEL);
	pair->rx.segs = kcalloc(HVV_VQ_MAX_SEGS(num_max),
				sizeof(*pair->rx.segs), GFP_KERNEL);
	if (!pair->rx.chains || !pair->rx.segs) {
		hvv_net_rx_free(pair);
		return -ENOMEM;
	}
	return 0;
}

void hvv_net_rx_free(struct hvv_net_pair *pair)
{
	kfree(pair->rx.chains);
	kfree(pair->rx.segs);
	pair->rx.chains = NULL;
	pair->rx.segs = NULL;
}
