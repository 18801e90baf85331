// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - the tap interface behind a net device. hvisorctl attaches
 * to an interface that exists (ip tuntap add dev NAME mode tap, or a
 * macvtap: ip link add link ETH name NAME type macvtap), hands the fd to
 * the module in HVV_DEV_ADD and closes its own: the module keeps a
 * reference. It never creates an interface nor changes one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_tun.h>

#include "module_limits.h"
#include "parse.h"
#include "tap.h"

static const char *env_or(const char *name, const char *def)
{
	const char *p = getenv(name);

	return p && *p ? p : def;
}

/*
 * Attribute @attr of interface @ifname in sysfs, its first line in @buf:
 * 0, or -1 with errno.
 */
static int net_attr(const char *ifname, const char *attr, char *buf,
		    size_t size)
{
	char path[512];
	ssize_t n;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s/%s",
		 env_or("HVISORCTL_NET_SYSFS", TAP_NET_SYSFS), ifname, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * The tun_flags of interface @ifname (tun.c prints them "0x%x"): 0, or -1
 * with errno, ENOENT when the interface is not a tun/tap one.
 */
static int read_tun_flags(const char *ifname, __u64 *flags)
{
	char buf[32];

	if (net_attr(ifname, "tun_flags", buf, sizeof(buf)))
		return -1;
	if (parse_u64(buf, flags)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * The ifindex of interface @ifname if it is a macvtap (or ipvtap): its
 * character device, /dev/tap<ifindex>, is linked from its sysfs directory.
 * -1 otherwise.
 */
static int macvtap_index(const char *ifname)
{
	char buf[32], attr[48];
	__u64 idx;

	if (net_attr(ifname, "ifindex", buf, sizeof(buf)) ||
	    parse_u64(buf, &idx) || !idx || idx > 0x7fffffff)
		return -1;
	snprintf(attr, sizeof(attr), "tap%llu/dev", (unsigned long long)idx);
	return net_attr(ifname, attr, buf, sizeof(buf)) ? -1 : (int)idx;
}

/*
 * A macvtap hands over the frames to its own address only: without mac=
 * the device takes it; a different mac= gets a warning.
 */
static void macvtap_set_mac(struct dev_spec *spec, const char *ctx)
{
	struct hvv_net_config *nc = &spec->dev.net;
	char buf[32];
	__u8 mac[6];

	if (net_attr(spec->tap, "address", buf, sizeof(buf)) ||
	    parse_mac(buf, mac)) {
		err_msg("%s: %s: warning: the macvtap's address is unreadable",
			ctx, spec->tap);
		return;
	}
	if (!(nc->flags & HVV_NET_F_MAC)) {
		memcpy(nc->mac, mac, sizeof(mac));
		nc->flags |= HVV_NET_F_MAC;
	} else if (memcmp(nc->mac, mac, sizeof(mac))) {
		err_msg("%s: %s: warning: mac= is not the macvtap's address %s: %s",
			ctx, spec->tap, buf,
			"frames to the zone do not get through it");
	}
}

/*
 * The interface exists and is a tap, multi-queue if @queues > 1, or a
 * macvtap (each open of its character device is one more queue): 0 with
 * the tap's tun_flags in @flags, or a macvtap's ifindex in @mvt (-1 for
 * a tap); -1 (reported).
 */
static int tap_check(const char *ifname, unsigned int queues, __u64 *flags,
		     int *mvt, const char *ctx)
{
	const char *root = env_or("HVISORCTL_NET_SYSFS", TAP_NET_SYSFS);
	char path[512];
	struct stat st;
	int e;

	*mvt = -1;
	snprintf(path, sizeof(path), "%s/%s", root, ifname);
	if (stat(path, &st)) {
		e = errno;
		if (e == ENOENT)
			err_msg("%s: %s: no such interface (%s %s mode tap)",
				ctx, ifname, "create it with: ip tuntap add dev",
				ifname);
		else
			err_msg("%s: %s: %s", ctx, path, errno_str(e));
		return -1;
	}
	if (read_tun_flags(ifname, flags)) {
		e = errno;
		*mvt = e == ENOENT ? macvtap_index(ifname) : -1;
		if (*mvt > 0)
			return 0;
		if (e == ENOENT)
			err_msg("%s: %s: not a tap interface (not a tun/tap or macvtap device)",
				ctx, ifname);
		else
			err_msg("%s: %s/tun_flags: %s", ctx, path,
				e == EINVAL ? "unreadable" : errno_str(e));
		return -1;
	}
	if ((*flags & (IFF_TUN | IFF_TAP)) != IFF_TAP) {
		err_msg("%s: %s: not a tap interface (a tun interface: %s)",
			ctx, ifname, "ip tuntap add ... mode tap makes a tap");
		return -1;
	}
	if (queues > 1 && !(*flags & IFF_MULTI_QUEUE)) {
		err_msg("%s: %s: queues=%u needs a multi-queue tap (%s %s %s)",
			ctx, ifname, queues, "ip tuntap add dev", ifname,
			"mode tap multi_queue vnet_hdr");
		return -1;
	}
	return 0;
}

/* The interface's MTU: 0, or -1 with errno. */
static int tap_mtu(const char *ifname, int *mtu)
{
	struct ifreq ifr;
	int sock, ret, e;

	/* any socket reaches the device ioctls; AF_UNIX needs no protocol */
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ret = ioctl(sock, SIOCGIFMTU, &ifr);
	e = errno;
	close(sock);
	if (ret) {
		errno = e;
		return -1;
	}
	*mtu = ifr.ifr_mtu;
	return 0;
}

/*
 * Without mtu=, the interface's MTU is offered (if the module can offer
 * it); with mtu= larger than it, a warning: the host side would not carry
 * the frames the guest is told it may send.
 */
static void tap_set_mtu(struct dev_spec *spec, const char *ctx)
{
	int mtu, e;

	if (tap_mtu(spec->tap, &mtu)) {
		e = errno;
		if (!spec->dev.net.mtu)
			err_msg("%s: %s: warning: SIOCGIFMTU: %s, no MTU offered",
				ctx, spec->tap, errno_str(e));
		return;
	}
	if (spec->dev.net.mtu) {
		if (spec->dev.net.mtu > (__u32)mtu)
			err_msg("%s: %s: warning: mtu=%u is larger than the interface's MTU %d",
				ctx, spec->tap, spec->dev.net.mtu, mtu);
		return;
	}
	if (mtu < LIMIT_NET_MIN_MTU || mtu > LIMIT_NET_MAX_MTU) {
		err_msg("%s: %s: warning: MTU %d outside %u..%u, no MTU offered",
			ctx, spec->tap, mtu, LIMIT_NET_MIN_MTU,
			LIMIT_NET_MAX_MTU);
		return;
	}
	spec->dev.net.mtu = (__u32)mtu;
}

static const char *tunsetiff_hint(int e)
{
	switch (e) {
	case EPERM:
	case EACCES:
		return " (needs CAP_NET_ADMIN, or to be the tap's owner or group)";
	case EINVAL:
		return " (the tap refused IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)";
	}
	return "";
}

int tap_holder(const char *ifname, struct sysfs_dev *holder)
{
	struct sysfs_dev *devs;
	char backend[64];
	unsigned int i, nr;
	int ret = -1;

	if (sysfs_devices(&devs, &nr))
		return -1;
	for (i = 0; i < nr && ret; i++) {
		if (devs[i].type != HVV_DEV_NET ||
		    sysfs_attr(devs[i].name, "backend", backend,
			       sizeof(backend)) ||
		    strcmp(backend, ifname))
			continue;
		*holder = devs[i];
		ret = 0;
	}
	free(devs);
	return ret;
}

void tap_busy_err(const char *ctx, const char *ifname)
{
	struct sysfs_dev h;

	if (!tap_holder(ifname, &h))
		err_msg("%s: %s: already in use by %s of zone %u (see hvisorctl list)",
			ctx, ifname, h.name, h.zone);
	else
		err_msg("%s: %s: already in use by %s", ctx, ifname,
			"another process (hvisor-tool's daemon?) or an hvisor_vhost device (hvisorctl list)");
}

/*
 * Attach one fd to the tap (a queue of it when @mq), or open one more
 * queue of the macvtap of ifindex @mvt (if not -1): the fd, or -1; -2
 * without a message if the tap is attached elsewhere and @busy_ok.
 */
static int tap_attach(const char *ifname, int mq, int mvt, const char *ctx,
		      int busy_ok)
{
	const char *path = env_or("HVISORCTL_TUN", TAP_TUN_PATH);
	int hdr = TAP_VNET_HDR_LEN;
	char mvt_path[512];
	const char *hint = "";
	struct ifreq ifr;
	int fd, e;

	if (mvt >= 0) {
		snprintf(mvt_path, sizeof(mvt_path), "%s/tap%d",
			 env_or("HVISORCTL_DEV_DIR", TAP_DEV_DIR), mvt);
		path = mvt_path;
	}
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (mvt >= 0 && e == ENOENT)
			hint = " (the macvtap's device node is missing)";
		else if (e == ENOENT || e == ENODEV || e == ENXIO)
			hint = " (is the tun module loaded? modprobe tun)";
		else if (mvt < 0 && (e == EACCES || e == EPERM))
			hint = " (needs CAP_NET_ADMIN)";
		err_msg("%s: %s: %s: %s%s", ctx, ifname, path, errno_str(e),
			hint);
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (mq)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		e = errno;
		close(fd);
		if (e == EBUSY && busy_ok)
			return -2;
		if (e == EBUSY)
			tap_busy_err(ctx, ifname);
		else
			err_msg("%s: %s: TUNSETIFF: %s%s", ctx, ifname,
				errno_str(e), tunsetiff_hint(e));
		return -1;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr)) {
		e = errno;
		err_msg("%s: %s: TUNSETVNETHDRSZ %d: %s", ctx, ifname, hdr,
			errno_str(e));
		close(fd);
		return -1;
	}
	return fd;
}

int tap_open(struct dev_spec *spec, const char *ctx, int busy_ok)
{
	unsigned int queues = spec->dev.queues ? spec->dev.queues : 1;
	struct sysfs_dev holder;
	__u64 flags = 0;
	int fd, mq, mvt;

	/* dev_spec_build() checked the name; the NUL must fit all the same */
	if (!spec->tap || check_ifname(spec->tap)) {
		err_msg("%s: tap: not an interface name", ctx);
		return -1;
	}
	if (queues > LIMIT_NET_QUEUES) {
		err_msg("%s: queues=%u: at most %u", ctx, queues,
			LIMIT_NET_QUEUES);
		return -1;
	}
	if (tap_check(spec->tap, queues, &flags, &mvt, ctx))
		return -1;
	mq = mvt < 0 && flags & IFF_MULTI_QUEUE;
	/*
	 * A macvtap or a multi-queue tap takes more queues while a device
	 * holds some (the module refuses the device): one device per tap.
	 */
	if ((mvt >= 0 || mq) && !tap_holder(spec->tap, &holder)) {
		if (busy_ok)
			return 1;
		tap_busy_err(ctx, spec->tap);
		return -1;
	}
	if (queues == 1) {
		fd = tap_attach(spec->tap, mq, mvt, ctx, busy_ok);
		if (fd < 0)
			return fd == -2 ? 1 : -1;
		spec->dev.backend_fd = fd;
	} else {
		/* One queue of the tap per queue pair. */
		for (spec->nr_tap_fds = 0; spec->nr_tap_fds < queues;
		     spec->nr_tap_fds++) {
			fd = tap_attach(spec->tap, mq, mvt, ctx, busy_ok);
			if (fd < 0) {
				tap_close(spec);
				return fd == -2 ? 1 : -1;
			}
			spec->tap_fds[spec->nr_tap_fds] = fd;
		}
	}
	tap_set_mtu(spec, ctx);
	if (mvt >= 0)
		macvtap_set_mac(spec, ctx);
	return 0;
}

void tap_close(struct dev_spec *spec)
{
	while (spec->nr_tap_fds)
		close(spec->tap_fds[--spec->nr_tap_fds]);
}
