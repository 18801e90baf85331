/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisorctl - the tap interface behind a net device: attached to, never
 * created or changed.
 */
#ifndef HVISORCTL_TAP_H
#define HVISORCTL_TAP_H

#include "hvisorctl.h"

/* Where the network interfaces and the tun device are (tests: overridable). */
#define TAP_NET_SYSFS		"/sys/class/net"	/* $HVISORCTL_NET_SYSFS */
#define TAP_TUN_PATH		"/dev/net/tun"		/* $HVISORCTL_TUN */
#define TAP_DEV_DIR		"/dev"	/* macvtaps' tap<ifindex>: $HVISORCTL_DEV_DIR */

/* The virtio-net header the module exchanges: struct virtio_net_hdr_v1. */
#define TAP_VNET_HDR_LEN	12

/*
 * Attach to the existing tap interface @spec->tap as struct
 * hvv_dev_config documents it: IFF_TAP | IFF_NO_PI | IFF_VNET_HDR (and
 * IFF_MULTI_QUEUE for a multi-queue tap), a virtio-net header of
 * TAP_VNET_HDR_LEN bytes. Without mtu=, the interface's MTU goes into
 * @spec->dev.net.mtu. One queue pair: the fd is left in @spec->dev.backend_fd;
 * several: one fd per pair in @spec->tap_fds (dev_add() points
 * @spec->dev.net.tap_fds there). 0, or -1 after a message starting with @ctx;
 * if @busy_ok, 1 without a message, nothing left open, when the tap is
 * attached elsewhere (EBUSY: a single-queue tap's queue is taken).
 */
int tap_open(struct dev_spec *spec, const char *ctx, int busy_ok);
/* Close the fds of several queue pairs. */
void tap_close(struct dev_spec *spec);
/*
 * The device of the sysfs class whose backend is the tap @ifname (the
 * module shows the tap's current name): 0 with it in @holder, or -1.
 */
int tap_holder(const char *ifname, struct sysfs_dev *holder);
/*
 * The message for a tap attached elsewhere (EBUSY from TUNSETIFF): the
 * device that holds it, if one of the module's does.
 */
void tap_busy_err(const char *ctx, const char *ifname);

#endif /* HVISORCTL_TAP_H */
