// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net backend: the device. Creation on a tap (or macvtap) file
 * that the caller opened, features, config space, the offloads applied to
 * the tap, sysfs, removal and the backend's registration. Its data path
 * is net.c's.
 *
 * The tap driver is a module (tun, tap) that hvisor_vhost.ko must not
 * depend on: blk and console users never load it, and insmod must work
 * where it is absent. Its socket lookup is resolved with symbol_get()
 * when a net device is created, which also pins the module while the
 * device holds its file; the fd the caller passes proves the module is
 * loaded. Hence one module for every type, and no exported core API.
 *
 * The link state follows pair 0's interface: a tun/tap one by its name,
 * from the file's fdinfo, looked up once at creation; a macvtap (or
 * ipvtap) one from its queue. A reference is held, and a netdevice
 * notifier (one for the module, see hvv_net_netdev_event()) reports its
 * state to net.c.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/idr.h>
#include <linux/if_arp.h>
#include <linux/if_tap.h>
#include <linux/if_tun.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <net/sock.h>

#include "backend.h"
#include "net.h"

#define HVV_NET_MAX		256	/* devices */
#define HVV_NET_MIN_MTU		68

static DEFINE_IDA(hvv_net_ida);

/*
 * The devices whose tap interface is followed (hvv_net.tap_node), and
 * each one's tap fields: taken by the notifier under the RTNL, so after
 * the RTNL when both are taken, and never around anything that takes
 * hvv_ctl_lock (which is held around the RTNL).
 */
static DEFINE_MUTEX(hvv_net_taps_lock);
static LIST_HEAD(hvv_net_taps);

/* What the tap may hand over, from what the driver can take. */
static unsigned long hvv_net_tap_offloads(u64 features)
{
	unsigned long offloads = TUN_F_CSUM;

	if (!(features & BIT_ULL(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	if (features & BIT_ULL(VIRTIO_NET_F_GUEST_TSO4))
		offloads |= TUN_F_TSO4;
	if (features & BIT_ULL(VIRTIO_NET_F_GUEST_TSO6))
		offloads |= TUN_F_TSO6;
	/* ECN qualifies TSO: tun refuses it alone (so does virtio 5.1.3.1). */
	if (features & BIT_ULL(VIRTIO_NET_F_GUEST_ECN) &&
	    offloads & (TUN_F_TSO4 | TUN_F_TSO6))
		offloads |= TUN_F_TSO_ECN;
#ifdef TUN_F_USO4
	if (features & BIT_ULL(VIRTIO_NET_F_GUEST_USO4))
		offloads |= TUN_F_USO4;
	if (features & BIT_ULL(VIRTIO_NET_F_GUEST_USO6))
		offloads |= TUN_F_USO6;
#endif
	return offloads;
}

/*
 * TUNSETOFFLOAD takes its argument by value: callable from the kernel.
 * Offloads are the tap's, whichever of its queues is asked.
 */
static int hvv_net_set_offloads(struct hvv_net *net, unsigned long offloads)
{
	struct file *file = net->pairs[0].file;

	return file->f_op->unlocked_ioctl(file, TUNSETOFFLOAD, offloads);
}

static void hvv_net_control(struct hvv_dev *dev, unsigned long events)
{
	struct hvv_net *net = to_net(dev);
	unsigned long offloads;
	int ret;

	if (!(events & HVV_NET_EV_OFFLOADS))
		return;
	offloads = hvv_net_tap_offloads(READ_ONCE(net->features));
	ret = hvv_net_set_offloads(net, offloads);
	if (ret)
		dev_warn(dev->sysdev,
			 "the tap refused offloads %#lx (%d): the driver gets plain frames\n",
			 offloads, ret);
}

static void hvv_net_status_changed(struct hvv_dev *dev, u32 old, u32 status)
{
	struct hvv_net *net = to_net(dev);
	unsigned long flags;

	if (!(status & ~old & VIRTIO_CONFIG_S_FEATURES_OK))
		return;
	spin_lock_irqsave(&dev->lock, flags);
	WRITE_ONCE(net->features, dev->driver_features);
	spin_unlock_irqrestore(&dev->lock, flags);
	/* TUNSETOFFLOAD takes the RTNL: not here. */
	hvv_dev_control(dev, HVV_NET_EV_OFFLOADS);
}

/*
 * The interface name of a tun/tap file, as tun reports it in fdinfo
 * ("iff:"): tun gives no other way to it from the kernel. Fills @name and
 * returns true if the file shows one (a macvtap shows no fdinfo, a tun
 * queue that is not attached shows an empty name). Takes the RTNL.
 */
static bool hvv_net_fdinfo_name(struct file *file, char *name)
{
	struct seq_file m = { .size = PAGE_SIZE };
	bool found;

	if (!file->f_op->show_fdinfo)
		return false;
	m.buf = kzalloc(m.size, GFP_KERNEL);
	if (!m.buf)
		return false;
	file->f_op->show_fdinfo(&m, file);
	found = sscanf(m.buf, "iff: %15s", name) == 1;
	kfree(m.buf);
	return found;
}

static bool hvv_net_is_tun(const struct net_device *ndev)
{
	return ndev->rtnl_link_ops && ndev->rtnl_link_ops->kind &&
	       !strcmp(ndev->rtnl_link_ops->kind, "tun");
}

/* Stop following the interface and drop the reference; taps lock held. */
static void hvv_net_tap_put_locked(struct hvv_net *net)
{
	lockdep_assert_held(&hvv_net_taps_lock);
	if (!net->tap)
		return;
	list_del_init(&net->tap_node);
	netdev_put(net->tap, &net->tap_tracker);
	net->tap = NULL;
}

static bool hvv_net_tap_carrier(const struct net_device *ndev)
{
	return netif_running(ndev) && netif_carrier_ok(ndev);
}

/* Drop the reference on the module of a pair's socket lookup. */
static void hvv_net_put_tun(void)
{
	symbol_put(tun_get_socket);
}

#if IS_ENABLED(CONFIG_TAP)
static void hvv_net_put_tap(void)
{
	symbol_put(tap_get_socket);
}
#endif

/* Is @pair's file a macvtap (or ipvtap) queue rather than a tun/tap one? */
static bool hvv_net_pair_is_macvtap(const struct hvv_net_pair *pair)
{
#if IS_ENABLED(CONFIG_TAP)
	return pair->put_socket_symbol == hvv_net_put_tap;
#else
	return false;
#endif
}

/*
 * The interface a macvtap (or ipvtap) queue is attached to, NULL once it
 * was deleted. The RTNL held: the tap driver attaches and detaches its
 * queues under it.
 */
static struct net_device *hvv_net_macvtap_dev(const struct hvv_net_pair *pair)
{
#if IS_ENABLED(CONFIG_TAP)
	struct tap_queue *q = container_of(pair->sock, struct tap_queue, sock);
	struct tap_dev *tap;

	ASSERT_RTNL();
	tap = rtnl_dereference(q->tap);
	return tap ? tap->dev : NULL;
#else
	return NULL;
#endif
}

/*
 * Are the files of @a and @b queues of one interface (creation, the
 * caller's context)? A tun queue attached to none (no name) is taken as
 * it is: its transfers fail.
 */
static bool hvv_net_same_tap(const struct hvv_net_pair *a,
			     const struct hvv_net_pair *b)
{
	char name_a[IFNAMSIZ], name_b[IFNAMSIZ];
	bool same;

	if (hvv_net_pair_is_macvtap(a) != hvv_net_pair_is_macvtap(b))
		return false;
	if (hvv_net_pair_is_macvtap(a)) {
		rtnl_lock();
		same = hvv_net_macvtap_dev(a) == hvv_net_macvtap_dev(b);
		rtnl_unlock();
		return same;
	}
	if (!hvv_net_fdinfo_name(a->file, name_a) ||
	    !hvv_net_fdinfo_name(b->file, name_b))
		return true;
	return !strcmp(name_a, name_b) &&
	       net_eq(sock_net(a->sock->sk), sock_net(b->sock->sk));
}

/* The device that follows @ndev, or NULL (hvv_net_taps_lock). */
static struct hvv_net *hvv_net_tap_holder(const struct net_device *ndev)
{
	struct hvv_net *net;

	lockdep_assert_held(&hvv_net_taps_lock);
	list_for_each_entry(net, &hvv_net_taps, tap_node)
		if (net->tap == ndev)
			return net;
	return NULL;
}

/*
 * Find pair 0's interface (creation, the caller's context): a macvtap's
 * from its queue; a tun/tap's by its fdinfo name, looked up in the netns
 * of its socket, where tun attached it. From then on the notifier reports
 * its state, and the link starts as the interface is. A rename between
 * the fdinfo read and the lookup could find another interface: the name
 * is read again once the interface is held, and must not have changed.
 * One device per interface: a multi-queue tap, or a macvtap, takes more
 * queues while a device holds some, and would share its frames out among
 * the devices by flow. Returns 0 (the interface followed, or none to
 * follow: a tun queue not attached, whose first transfer fails), -EBUSY
 * (another device follows it), -EINVAL (a tun, not a tap), -ENOLINK (a
 * macvtap deleted meanwhile; TUNSETOFFLOAD refused one deleted before)
 * or -EAGAIN.
 */
static int hvv_net_tap_follow(struct hvv_net *net)
{
	struct hvv_net_pair *pair = &net->pairs[0];
	char name[IFNAMSIZ] = "", again[IFNAMSIZ];
	bool macvtap = hvv_net_pair_is_macvtap(pair);
	struct net_device *ndev;
	struct hvv_net *holder;

	if (!macvtap && !hvv_net_fdinfo_name(pair->file, name))
		return 0;
	rtnl_lock();
	if (macvtap) {
		ndev = hvv_net_macvtap_dev(pair);
	} else {
		ndev = __dev_get_by_name(sock_net(pair->sock->sk), name);
		if (ndev && !hvv_net_is_tun(ndev))
			ndev = NULL;
		/* IFF_TUN: IP packets without an Ethernet header. */
		if (ndev && ndev->type != ARPHRD_ETHER) {
			pr_err("net: %s is a tun interface, not a tap\n", name);
			rtnl_unlock();
			return -EINVAL;
		}
	}
	mutex_lock(&hvv_net_taps_lock);
	holder = ndev ? hvv_net_tap_holder(ndev) : NULL;
	if (holder) {
		pr_err("net: %s is already the tap of %s\n", ndev->name,
		       holder->dev.name);
		mutex_unlock(&hvv_net_taps_lock);
		rtnl_unlock();
		return -EBUSY;
	}
	if (ndev) {
		netdev_hold(ndev, &net->tap_tracker, GFP_KERNEL);
		net->tap = ndev;
		list_add_tail(&net->tap_node, &hvv_net_taps);
		hvv_net_link_carrier(net, hvv_net_tap_carrier(ndev));
		strscpy(name, ndev->name, sizeof(name));
	}
	strscpy(net->tap_name, name, sizeof(net->tap_name));
	mutex_unlock(&hvv_net_taps_lock);
	rtnl_unlock();
	if (macvtap && !ndev) {
		pr_err("net: the macvtap of the fd was deleted\n");
		return -ENOLINK;
	}
	if (!ndev) {
		pr_warn("net: %s is not a tun/tap interface in the tap's netns: the link follows the tap's deletion only\n",
			name);
		return 0;
	}
	/* A tap deleted meanwhile shows no name (the notifier saw it go). */
	if (!macvtap && hvv_net_fdinfo_name(pair->file, again) &&
	    strcmp(name, again)) {
		pr_err("net: the tap %s was renamed while the device was created\n",
		       name);
		return -EAGAIN;
	}
	return 0;
}

/* Let go of the interface (shutdown, or a failed creation). */
static void hvv_net_tap_unfollow(struct hvv_net *net)
{
	mutex_lock(&hvv_net_taps_lock);
	hvv_net_tap_put_locked(net);
	mutex_unlock(&hvv_net_taps_lock);
}

/*
 * The state of a followed interface changed: report it to the device's
 * link. One notifier for the module rather than one per device on the
 * interface's netns (register_netdevice_notifier_dev_net()): that one
 * must be unregistered, taking the RTNL, before the interface is freed,
 * hence after NETDEV_UNREGISTER, which runs under the RTNL and must drop
 * the reference at once for the deletion to end. A module-wide one also
 * sees the interface in any netns it moves to. Process context, the RTNL
 * held.
 *
 * NETDEV_UNREGISTER also comes when the interface moves to another netns,
 * where it is registered again (NETDEV_REGISTER): only one whose
 * unregistration began is gone for good. Moving and renaming update the
 * name; the carrier is read after every event that may change it.
 */
static int hvv_net_netdev_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct net_device *ndev = netdev_notifier_info_to_dev(ptr);
	struct hvv_net *net, *tmp;

	switch (event) {
	case NETDEV_REGISTER:
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
	case NETDEV_CHANGENAME:
	case NETDEV_UNREGISTER:
		break;
	default:
		return NOTIFY_DONE;
	}
	mutex_lock(&hvv_net_taps_lock);
	list_for_each_entry_safe(net, tmp, &hvv_net_taps, tap_node) {
		if (net->tap != ndev)
			continue;
		if (event == NETDEV_UNREGISTER &&
		    READ_ONCE(ndev->reg_state) == NETREG_UNREGISTERING) {
			hvv_net_tap_put_locked(net);
			net->tap_deleted = true;
			hvv_net_link_gone(net);
			continue;
		}
		strscpy(net->tap_name, ndev->name, sizeof(net->tap_name));
		hvv_net_link_carrier(net, hvv_net_tap_carrier(ndev));
	}
	mutex_unlock(&hvv_net_taps_lock);
	return NOTIFY_DONE;
}

static struct notifier_block hvv_net_notifier = {
	.notifier_call = hvv_net_netdev_event,
};

/*
 * The tap's interface name (it follows renames), "<name> (deleted)" once
 * it was deleted, "tap" when there is none to follow.
 */
static ssize_t hvv_net_backend_show(struct hvv_dev *dev, char *buf)
{
	struct hvv_net *net = to_net(dev);
	ssize_t ret;

	mutex_lock(&hvv_net_taps_lock);
	if (!net->tap_name[0])
		ret = sysfs_emit(buf, "tap\n");
	else if (net->tap_deleted)
		ret = sysfs_emit(buf, "%s (deleted)\n", net->tap_name);
	else
		ret = sysfs_emit(buf, "%s\n", net->tap_name);
	mutex_unlock(&hvv_net_taps_lock);
	return ret;
}

static void hvv_net_poll_stop(struct hvv_net *net, unsigned int nr)
{
	while (nr--) {
		hvv_poll_stop(&net->pairs[nr].rx_poll);
		hvv_poll_stop(&net->pairs[nr].tx_poll);
	}
}

/* Start following the tap once the workers run. */
static int hvv_net_publish(struct hvv_dev *dev)
{
	struct hvv_net *net = to_net(dev);
	struct hvv_net_pair *pair;
	unsigned int i;
	int ret;

	for (i = 0; i < net->nr_pairs; i++) {
		pair = &net->pairs[i];
		ret = hvv_poll_start(&pair->rx_poll, pair->file);
		if (!ret)
			ret = hvv_poll_start(&pair->tx_poll, pair->file);
		if (ret) {
			hvv_net_poll_stop(net, i + 1);
			return ret;
		}
	}
	net->polling = true;
	return 0;
}

/*
 * Removal, or detaching: no more kicks from the tap, and runs that start
 * from now on leave its sockets alone (the core then waits for the runs
 * that started before, and a detached device lets go of the tap).
 */
static void hvv_net_shutdown(struct hvv_dev *dev)
{
	struct hvv_net *net = to_net(dev);
	unsigned int i;

	hvv_net_tap_unfollow(net);
	for (i = 0; i < net->nr_pairs; i++)
		WRITE_ONCE(net->pairs[i].sock, NULL);
	if (!net->polling)
		return;
	hvv_net_poll_stop(net, net->nr_pairs);
	net->polling = false;
}

/* Let go of the tap queue (and of the tap driver's module). */
static void hvv_net_pair_put_tap(struct hvv_net_pair *pair)
{
	if (!pair->file)
		return;
	fput(pair->file);
	pair->file = NULL;
	pair->put_socket_symbol();
}

/*
 * Detached (removed while the driver runs): no worker run uses the tap
 * any more (shutdown, then the core's wait), so it is let go at once,
 * free for another device; frames the driver sends are counted and
 * returned, none arrives.
 */
static void hvv_net_detach(struct hvv_dev *dev)
{
	struct hvv_net *net = to_net(dev);
	unsigned int i;

	for (i = 0; i < net->nr_pairs; i++)
		hvv_net_pair_put_tap(&net->pairs[i]);
}

static void hvv_net_pair_put(struct hvv_net_pair *pair)
{
	hvv_net_rx_free(pair);
	hvv_net_pair_put_tap(pair);
}

static void hvv_net_free(struct hvv_net *net)
{
	unsigned int i;

	hvv_net_tap_unfollow(net);
	for (i = 0; net->pairs && i < net->nr_pairs; i++)
		hvv_net_pair_put(&net->pairs[i]);
	kfree(net->pairs);
	mutex_destroy(&net->link_lock);
	ida_free(&hvv_net_ida, net->dev.index);
	kfree(net);
}

static void hvv_net_release(struct hvv_dev *dev)
{
	hvv_net_free(to_net(dev));
}

/* One show() for every counter: the attribute carries its offset. */
static ssize_t hvv_net_stat_show(struct device *d,
				 struct device_attribute *attr, char *buf)
{
	struct dev_ext_attribute *ea = container_of(attr, typeof(*ea), attr);
	struct hvv_net *net = to_net(dev_get_drvdata(d));
	atomic64_t *counter = (void *)&net->stats + (uintptr_t)ea->var;

	return sysfs_emit(buf, "%lld\n", atomic64_read(counter));
}

static struct dev_ext_attribute hvv_net_stats[] = {
	{ __ATTR(rx_packets, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, rx_packets) },
	{ __ATTR(rx_bytes, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, rx_bytes) },
	{ __ATTR(rx_too_small, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, rx_too_small) },
	{ __ATTR(rx_errors, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, rx_errors) },
	{ __ATTR(tx_packets, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, tx_packets) },
	{ __ATTR(tx_bytes, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, tx_bytes) },
	{ __ATTR(tx_malformed, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, tx_malformed) },
	{ __ATTR(tx_errors, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, tx_errors) },
	{ __ATTR(ctrl_errors, 0444, hvv_net_stat_show, NULL),
	  (void *)offsetof(struct hvv_net_stats, ctrl_errors) },
};

static struct attribute *hvv_net_stat_attrs[ARRAY_SIZE(hvv_net_stats) + 1];

static struct attribute_group hvv_net_stat_group = {
	.name = "net_stats",
	.attrs = hvv_net_stat_attrs,
};

static const struct hvv_dev_ops hvv_net_ops = {
	.type = "net",
	.device_id = VIRTIO_ID_NET,
	.handle_queue = hvv_net_handle_queue,
	.status_changed = hvv_net_status_changed,
	.control = hvv_net_control,
	.backend_show = hvv_net_backend_show,
	.sysfs_group = &hvv_net_stat_group,
	.publish = hvv_net_publish,
	.can_detach = true,
	.shutdown = hvv_net_shutdown,
	.detach = hvv_net_detach,
	.release = hvv_net_release,
};

/* The socket of a tun/tap or macvtap file, and a reference on its module. */
static int hvv_net_get_socket(struct hvv_net_pair *pair)
{
	struct socket *(*get_socket)(struct file *file);
	struct socket *sock;

	get_socket = symbol_get(tun_get_socket);
	if (get_socket) {
		sock = get_socket(pair->file);
		if (!IS_ERR(sock)) {
			pair->sock = sock;
			pair->put_socket_symbol = hvv_net_put_tun;
			return 0;
		}
		symbol_put(tun_get_socket);
	}
#if IS_ENABLED(CONFIG_TAP)
	get_socket = symbol_get(tap_get_socket);
	if (get_socket) {
		sock = get_socket(pair->file);
		if (!IS_ERR(sock)) {
			pair->sock = sock;
			pair->put_socket_symbol = hvv_net_put_tap;
			return 0;
		}
		symbol_put(tap_get_socket);
	}
#endif
	return -EINVAL;
}

/* Take the tap queue @fd for @pair (the caller's context). */
static int hvv_net_pair_get(struct hvv_net_pair *pair, int fd)
{
	int ret;

	pair->file = fget(fd);
	if (!pair->file) {
		pr_err("net: fd %d: not open\n", fd);
		return -EBADF;
	}
	ret = hvv_net_get_socket(pair);
	if (ret) {
		fput(pair->file);
		pair->file = NULL;
		pr_err("net: fd %d is not a tap\n", fd);
	}
	return ret;
}

/* The fds of the pairs: backend_fd, or the array at net.tap_fds. */
static int hvv_net_get_pairs(struct hvv_net *net,
			     const struct hvv_dev_config *ud)
{
	s32 fds[HVV_NET_MAX_PAIRS];
	unsigned int i, j;
	int ret;

	if (net->nr_pairs == 1) {
		fds[0] = ud->backend_fd;
	} else if (copy_from_user(fds, u64_to_user_ptr(ud->net.tap_fds),
				  net->nr_pairs * sizeof(fds[0]))) {
		return -EFAULT;
	}
	for (i = 0; i < net->nr_pairs; i++) {
		net->pairs[i].net = net;
		ret = hvv_net_pair_get(&net->pairs[i], fds[i]);
		if (ret)
			return ret;
		/* A queue of the tap per pair: they never share a socket. */
		for (j = 0; j < i; j++) {
			if (net->pairs[j].file == net->pairs[i].file) {
				pr_err("net: fd %d of pair %u is the tap queue of pair %u\n",
				       fds[i], i, j);
				return -EINVAL;
			}
		}
		if (i && !hvv_net_same_tap(&net->pairs[0], &net->pairs[i])) {
			pr_err("net: fd %d of pair %u is not a queue of pair 0's tap\n",
			       fds[i], i);
			return -EINVAL;
		}
	}
	return 0;
}

static u64 hvv_net_features(const struct hvv_dev_config *ud)
{
	u64 features = BIT_ULL(VIRTIO_NET_F_MAC) |
		       BIT_ULL(VIRTIO_NET_F_STATUS) |
		       BIT_ULL(VIRTIO_NET_F_CSUM) |
		       BIT_ULL(VIRTIO_NET_F_GUEST_CSUM) |
		       BIT_ULL(VIRTIO_NET_F_HOST_TSO4) |
		       BIT_ULL(VIRTIO_NET_F_HOST_TSO6) |
		       BIT_ULL(VIRTIO_NET_F_HOST_ECN) |
		       BIT_ULL(VIRTIO_NET_F_GUEST_TSO4) |
		       BIT_ULL(VIRTIO_NET_F_GUEST_TSO6) |
		       BIT_ULL(VIRTIO_NET_F_GUEST_ECN) |
		       BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) |
		       BIT_ULL(VIRTIO_NET_F_CTRL_VQ) |
		       BIT_ULL(VIRTIO_NET_F_CTRL_RX) |
		       BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR);

#ifdef TUN_F_USO4
	/* The tap takes UDP segmentation offloads (6.2 and later). */
	features |= BIT_ULL(VIRTIO_NET_F_HOST_USO) |
		    BIT_ULL(VIRTIO_NET_F_GUEST_USO4) |
		    BIT_ULL(VIRTIO_NET_F_GUEST_USO6);
#endif
	if (ud->net.mtu)
		features |= BIT_ULL(VIRTIO_NET_F_MTU);
	if (ud->queues > 1)
		features |= BIT_ULL(VIRTIO_NET_F_MQ);
	return features;
}

/*
 * Without mac=, a stable locally administered address: 02:48:56 ("HV"),
 * the zone, and a 16-bit fold of the window's address (in 512-byte
 * units, the smallest window), so that it stays across reboots.
 */
static void hvv_net_default_mac(const struct hvv_dev_config *ud, u8 *mac)
{
	u64 a = ud->addr >> 9;
	u16 fold = 0;

	for (; a; a >>= 16)
		fold ^= a & 0xffff;
	mac[0] = 0x02;
	mac[1] = 0x48;
	mac[2] = 0x56;
	mac[3] = ud->zone_id;
	mac[4] = fold >> 8;
	mac[5] = fold & 0xff;
}

static void hvv_net_set_config(struct hvv_net *net,
			       const struct hvv_dev_config *ud)
{
	struct virtio_net_config cfg = {};

	if (ud->net.flags & HVV_NET_F_MAC)
		memcpy(cfg.mac, ud->net.mac, ETH_ALEN);
	else
		hvv_net_default_mac(ud, cfg.mac);
	cfg.status = (__force __virtio16)cpu_to_le16(VIRTIO_NET_S_LINK_UP);
	cfg.max_virtqueue_pairs = (__force __virtio16)
		cpu_to_le16(net->nr_pairs);
	cfg.mtu = (__force __virtio16)cpu_to_le16(ud->net.mtu);
	hvv_dev_set_config(&net->dev, 0, &cfg, sizeof(cfg), false);
}

static int hvv_net_check(const struct hvv_dev_config *ud)
{
	if (ud->queues > HVV_NET_MAX_PAIRS) {
		pr_err("net: queues=%u: 1 to %u queue pairs\n", ud->queues,
		       HVV_NET_MAX_PAIRS);
		return -EINVAL;
	}
	if (ud->queues > 1 && (!ud->net.tap_fds || ud->backend_fd != -1)) {
		pr_err("net: queues=%u: one tap queue per pair in tap_fds, backend_fd -1\n",
		       ud->queues);
		return -EINVAL;
	}
	if (ud->queues <= 1 && ud->net.tap_fds) {
		pr_err("net: tap_fds is for several queue pairs\n");
		return -EINVAL;
	}
	if (ud->net.mtu &&
	    (ud->net.mtu < HVV_NET_MIN_MTU || ud->net.mtu > U16_MAX)) {
		pr_err("net: mtu=%u: %u to %u\n", ud->net.mtu, HVV_NET_MIN_MTU,
		       U16_MAX);
		return -EINVAL;
	}
	if (ud->net.flags & HVV_NET_F_MAC &&
	    !is_valid_ether_addr(ud->net.mac)) {
		pr_err("net: mac=%pM: not a unicast address\n", ud->net.mac);
		return -EINVAL;
	}
	if (ud->queues <= 1 && ud->backend_fd < 0) {
		pr_err("net: needs a tap\n");
		return -EBADF;
	}
	return 0;
}

/**
 * hvv_net_create - create a virtio-net device on a tap
 * @ud: from userspace: backend_fd (a tap opened with IFF_VNET_HDR and a
 *	12-byte header) or, for several queue pairs, net.tap_fds (one queue
 *	of a multi-queue tap per pair), net.mac (with HVV_NET_F_MAC),
 *	net.mtu, queues; its flags and padding are checked by ctl.c
 *
 * Runs in the caller's context, where the fds are looked up.
 *
 * Return: the device or an ERR_PTR.
 */
static struct hvv_dev *hvv_net_create(const struct hvv_dev_config *ud)
{
	struct hvv_net *net;
	unsigned int i;
	int index, ret;

	ret = hvv_net_check(ud);
	if (ret)
		return ERR_PTR(ret);
	index = ida_alloc_max(&hvv_net_ida, HVV_NET_MAX - 1, GFP_KERNEL);
	if (index < 0)
		return ERR_PTR(index);
	net = kzalloc(sizeof(*net), GFP_KERNEL);
	if (!net) {
		ida_free(&hvv_net_ida, index);
		return ERR_PTR(-ENOMEM);
	}
	net->dev.index = index;
	snprintf(net->dev.name, sizeof(net->dev.name), "net%d", index);
	net->dev.flags = ud->net.flags;
	net->nr_pairs = ud->queues ? ud->queues : 1;
	INIT_LIST_HEAD(&net->tap_node);
	mutex_init(&net->link_lock);
	/* Up until the tap's interface says otherwise (config space too). */
	net->link_carrier = true;
	net->link_up = true;
	/* From here on, hvv_net_free() undoes everything. */
	net->pairs = kcalloc(net->nr_pairs, sizeof(*net->pairs), GFP_KERNEL);
	if (!net->pairs) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = hvv_net_get_pairs(net, ud);
	if (ret)
		goto err_free;
	/* Nothing offloaded until a driver asks. */
	ret = hvv_net_set_offloads(net, 0);
	if (ret) {
		pr_err("net: the tap refuses TUNSETOFFLOAD (%d)%s\n", ret,
		       ret == -ENOLINK ? ": it was deleted" : "");
		goto err_free;
	}
	ret = hvv_dev_init(&net->dev, &hvv_net_ops, ud, 2 * net->nr_pairs + 1,
			   HVV_NET_QUEUE_SIZE, hvv_net_features(ud));
	if (ret)
		goto err_free;
	for (i = 0; i < net->nr_pairs; i++) {
		struct hvv_net_pair *pair = &net->pairs[i];
		struct hvv_vq *rxq = &net->dev.vqs[2 * i];
		struct hvv_vq *txq = &net->dev.vqs[2 * i + 1];

		ret = hvv_net_rx_alloc(pair, rxq->num_max);
		if (ret)
			goto err_stop;
		rxq->priv = pair;
		txq->priv = pair;
		hvv_poll_init(&pair->rx_poll, &rxq->worker, EPOLLIN);
		hvv_poll_init(&pair->tx_poll, &txq->worker, EPOLLOUT);
	}
	hvv_net_set_config(net, ud);
	/* No driver sees the device yet: its first link change is silent. */
	ret = hvv_net_tap_follow(net);
	if (ret)
		goto err_stop;
	return &net->dev;

err_stop:
	hvv_dev_stop(&net->dev);
err_free:
	hvv_net_free(net);
	return ERR_PTR(ret);
}

static struct hvv_backend hvv_net_backend = {
	.type = HVV_DEV_NET,
	.name = "net",
	.owner = THIS_MODULE,
	.create = hvv_net_create,
};

int hvv_net_init(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(hvv_net_stats); i++)
		hvv_net_stat_attrs[i] = &hvv_net_stats[i].attr.attr;
	ret = register_netdevice_notifier(&hvv_net_notifier);
	if (ret)
		return ret;
	ret = hvv_backend_register(&hvv_net_backend);
	if (ret)
		unregister_netdevice_notifier(&hvv_net_notifier);
	return ret;
}

void hvv_net_exit(void)
{
	hvv_backend_unregister(&hvv_net_backend);
	unregister_netdevice_notifier(&hvv_net_notifier);
}
