/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net backend, private to its two files: the device (net_dev.c:
 * creation on a tap, features, config space, offloads, removal) and its
 * data path (net.c: receive, transmit and the control queue, through the
 * tap's socket). net_dev.c calls net.c; nothing calls back up but through
 * the core's ops.
 */
#ifndef _HVV_NET_H
#define _HVV_NET_H

#include <linux/atomic.h>
#include <linux/if_ether.h>
#include <linux/if.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/types.h>
#include <uapi/linux/virtio_net.h>

#include "dev.h"
#include "poll.h"

#define HVV_NET_QUEUE_SIZE	256
/* The header of every frame: virtio 1.x always has num_buffers. */
#define HVV_NET_HDR_LEN		sizeof(struct virtio_net_hdr_v1)
/*
 * Queues: receive 2N and transmit 2N + 1 of queue pair N, then the
 * control queue; within the core's HVV_MAX_QUEUES.
 */
#define HVV_NET_MAX_PAIRS	((HVV_MAX_QUEUES - 1) / 2)

/* Control events (hvv_dev_control()). */
#define HVV_NET_EV_OFFLOADS	BIT(0)	/* apply the negotiated offloads */

/**
 * struct hvv_net_stats - what the data path counts, shown in sysfs
 * @rx_packets: frames delivered to the driver
 * @rx_bytes: their bytes, without the virtio-net header
 * @rx_too_small: frames dropped because no buffer the driver posted can
 *	hold them (a single buffer without MRG_RXBUF, or more buffers than a
 *	ring can lend)
 * @rx_errors: frames the tap had that the driver did not get: reads that
 *	failed, offloads the driver did not negotiate
 * @tx_packets: frames the tap took
 * @tx_bytes: their bytes, without the virtio-net header
 * @tx_malformed: chains dropped because they break the transmit rules
 *	(writable descriptors, shorter than a header and an Ethernet header)
 * @tx_errors: frames the tap refused (a bad GSO header, the tap gone)
 * @ctrl_errors: control commands answered VIRTIO_NET_ERR
 */
struct hvv_net_stats {
	atomic64_t rx_packets;
	atomic64_t rx_bytes;
	atomic64_t rx_too_small;
	atomic64_t rx_errors;
	atomic64_t tx_packets;
	atomic64_t tx_bytes;
	atomic64_t tx_malformed;
	atomic64_t tx_errors;
	atomic64_t ctrl_errors;
};

struct hvv_net;

/**
 * struct hvv_net_rx - a receive queue's buffers for one frame
 * @chains: chains gathered for the frame, HVV_NET_QUEUE_SIZE entries
 * @segs: their segments, one after the other, HVV_VQ_MAX_SEGS entries
 *
 * The receive worker's only.
 */
struct hvv_net_rx {
	struct hvv_chain *chains;
	struct kvec *segs;
};

/**
 * struct hvv_net_pair - a queue pair and the tap queue behind it
 * @net: the device
 * @file: the tap queue's file; a reference held from creation to release
 * @sock: its socket; NULL from the device's shutdown on (workers read it
 *	with READ_ONCE(); after the core's hvv_worker_sync() of every queue,
 *	which follows shutdown, no run sees the old one)
 * @put_socket_symbol: drops the reference symbol_get() took on the tap
 *	driver's module (tun or tap) when the socket was looked up
 * @rx_poll: kicks the receive worker when the tap queue has frames
 * @tx_poll: kicks the transmit worker when the tap queue has room again
 * @rx: receive buffers (receive worker)
 *
 * The pair's queues have it as &hvv_vq.priv.
 */
struct hvv_net_pair {
	struct hvv_net *net;
	struct file *file;
	struct socket *sock;
	void (*put_socket_symbol)(void);
	struct hvv_poll rx_poll;
	struct hvv_poll tx_poll;
	struct hvv_net_rx rx;
};

/**
 * struct hvv_net - a virtio-net device on a tap
 * @dev: the virtio device
 * @nr_pairs: queue pairs (constant)
 * @pairs: the pairs; pair 0's file also takes the tap's offloads, and
 *	its interface gives the link state
 * @polling: the pairs' polls are started (hvv_ctl_lock: publish and
 *	shutdown)
 * @features: the driver's features, taken at FEATURES_OK (WRITE_ONCE;
 *	the workers read them with READ_ONCE, once per pass)
 * @tap: pair 0's interface (tun/tap, macvtap or ipvtap), followed by
 *	net_dev.c's netdevice notifier; a reference (@tap_tracker) is held
 *	from creation until the interface is unregistered or the device
 *	shuts down, then NULL (always NULL on a tun queue that had none)
 * @tap_tracker: tracks the reference on @tap
 * @tap_node: entry in net_dev.c's list of followed interfaces while
 *	@tap is set, empty otherwise
 * @tap_name: the interface's name, following renames; empty when
 *	there is none
 * @tap_deleted: the interface was unregistered under the device
 * @link_lock: serialises the link state and its writes to config space
 *	(net.c); taken in process context only, never around a wait for
 *	the RTNL or for net_dev.c's lock
 * @link_carrier: the interface runs and has carrier (@link_lock); stays
 *	true when nothing follows it
 * @link_gone: the tap failed for good (@link_lock to set; one way, so
 *	the workers may test it with READ_ONCE() first)
 * @link_up: what config space says: @link_carrier and not @link_gone
 *	(@link_lock)
 * @stats: counters
 *
 * @tap, @tap_node, @tap_name and @tap_deleted are net_dev.c's, under its
 * hvv_net_taps_lock, which its notifier takes under the RTNL. Lock order:
 * the RTNL, hvv_net_taps_lock, @link_lock, then &hvv_dev.lock. The
 * workers take @link_lock alone; the link state changes in one place,
 * hvv_net_link_update_locked(), which raises one config interrupt per
 * change of @link_up, whoever saw the tap change (the notifier, or a
 * worker that found it gone).
 */
struct hvv_net {
	struct hvv_dev dev;
	unsigned int nr_pairs;
	struct hvv_net_pair *pairs;
	bool polling;
	u64 features;
	struct net_device *tap;
	netdevice_tracker tap_tracker;
	struct list_head tap_node;
	char tap_name[IFNAMSIZ];
	bool tap_deleted;
	struct mutex link_lock;	/* link state, see above */
	bool link_carrier;
	bool link_gone;
	bool link_up;
	struct hvv_net_stats stats;
};

static inline struct hvv_net *to_net(struct hvv_dev *dev)
{
	return container_of(dev, struct hvv_net, dev);
}

/* net.c */
bool hvv_net_handle_queue(struct hvv_vq *vq);
int hvv_net_rx_alloc(struct hvv_net_pair *pair, u16 num_max);
void hvv_net_link_carrier(struct hvv_net *net, bool carrier);
void hvv_net_link_gone(struct hvv_net *net);
void hvv_net_rx_free(struct hvv_net_pair *pair);

#endif /* _HVV_NET_H */
