/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The root's side of a raw guest's net device: the tap it is attached to
 * (made as hvisorctl attaches to one) and packet sockets on it. For the
 * tests that include hv_guest.h and drive a net device.
 */
#ifndef HV_NET_H
#define HV_NET_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>

#include "hv_guest.h"

/* struct virtio_net_hdr_v1: the header hvisorctl sets on the tap. */
#define HVG_NET_HDR_LEN		12

/*
 * Make the tap @name as hvisorctl attaches to one (IFF_TAP | IFF_NO_PI |
 * IFF_VNET_HDR, 12-byte header), with @n queues (IFF_MULTI_QUEUE if more
 * than one: their fds in @fds[0..n), opened with @open_flags added to
 * O_RDWR | O_CLOEXEC), with IPv6 off so that the root's stack sends
 * nothing on its own, and bring it up. Returns 0 or -errno
 * (the fds opened are closed then).
 */
static inline int hvg_tap_create(const char *name, int *fds, unsigned int n,
				 int open_flags, int *ifindex)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	char path[96];
	unsigned int i;
	int sfd, hdr = HVG_NET_HDR_LEN, ret = 0;

	if (n > 1)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (i = 0; i < n && !ret; i++) {
		fds[i] = open("/dev/net/tun", O_RDWR | O_CLOEXEC | open_flags);
		if (fds[i] < 0)
			ret = -errno;
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		if (!ret && (ioctl(fds[i], TUNSETIFF, &ifr) ||
			     ioctl(fds[i], TUNSETVNETHDRSZ, &hdr)))
			ret = -errno;
	}
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 name);
	sfd = ret ? -1 : open(path, O_WRONLY);
	if (sfd >= 0) {
		if (write(sfd, "1", 1) != 1)
			fprintf(stderr, "# cannot disable IPv6 on %s\n", name);
		close(sfd);
	}
	sfd = ret ? -1 : socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!ret && (sfd < 0 || ioctl(sfd, SIOCGIFFLAGS, &ifr)))
		ret = -errno;
	ifr.ifr_flags |= IFF_UP | IFF_NOARP;
	if (!ret && ioctl(sfd, SIOCSIFFLAGS, &ifr))
		ret = -errno;
	if (!ret && ioctl(sfd, SIOCGIFINDEX, &ifr))
		ret = -errno;
	if (sfd >= 0)
		close(sfd);
	if (ret) {
		for (i = 0; i < n; i++) {
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = -1;
		}
		return ret;
	}
	*ifindex = ifr.ifr_ifindex;
	return 0;
}

/* Wait until the tap @name is gone (its last fd closed): 0, or -1. */
static inline int hvg_tap_wait_gone(const char *name)
{
	char path[64];
	__u64 end = hvg_ms() + HVG_WAIT_MS;

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	while (!access(path, F_OK) && hvg_ms() < end)
		hvg_sleep_ms(10);
	return access(path, F_OK) ? 0 : -1;
}

/* The root's side: a raw packet socket bound to the tap. fd or -errno. */
static inline int hvg_packet_open(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
		.sll_ifindex = ifindex,
	};
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Open a queue of the macvtap @name (its character device /dev/tapN)
 * with the header the module takes, as hvisorctl does, and @open_flags
 * added to O_RDWR | O_CLOEXEC: an fd, or -errno.
 */
static inline int hvg_macvtap_open(const char *name, int open_flags)
{
	char path[64], idx[16];
	int fd, hdr = HVG_NET_HDR_LEN, ret;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", name);
	if (hvg_read_file(path, idx, sizeof(idx)))
		return -ENODEV;
	snprintf(path, sizeof(path), "/dev/tap%s", idx);
	fd = open(path, O_RDWR | O_CLOEXEC | open_flags);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Bring interface @name up with IPv6 and ARP off (the root's stack sends
 * nothing on its own): 0, or the shell's exit status.
 */
static inline int hvg_if_up(const char *name)
{
	return hvg_sh(NULL, 0,
		      "sysctl -qw net.ipv6.conf.%s.disable_ipv6=1 && ip link set %s arp off up 2>&1",
		      name, name);
}

#endif /* HV_NET_H */
