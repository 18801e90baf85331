/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisorctl - the limits hvisor_vhost enforces that are not in its uapi
 * header, so that hvisorctl, and "load -n" above all, refuses what the
 * module would refuse. Each one is defined here and nowhere else in
 * hvisorctl, with where the module enforces it: keep them in step.
 */
#ifndef HVISORCTL_MODULE_LIMITS_H
#define HVISORCTL_MODULE_LIMITS_H

#include <linux/hvisor_vhost.h>

/*
 * Virtio-mmio window of a device: hvv_dev_check_placement() in
 * hvisor_vhost/registry.c (HVV_DEV_MIN_LEN, HVV_DEV_MAX_LEN; EINVAL). The
 * base is 4-byte aligned and the window does not wrap around.
 */
#define LIMIT_DEV_MIN_LEN	0x200
#define LIMIT_DEV_MAX_LEN	0x10000
#define LIMIT_DEV_ADDR_ALIGN	4

/*
 * Distinct device irqs per zone: hvv_dev_check_placement(), module
 * parameter max_zone_irqs (ENOSPC). Its default is HVISOR_MAX_PENDING_IRQS
 * of hvisor_vhost/hvisor_abi.h. The same irq twice in a zone is refused
 * (EBUSY), so this bounds the devices of a zone too. limit_zone_irqs()
 * reads the live value.
 */
#define LIMIT_ZONE_IRQS_DEFAULT	7
#define LIMIT_PARAMS_PATH	"/sys/module/hvisor_vhost/parameters"

/*
 * Device types the module serves: the backends that register in the
 * table of hvisor_vhost/backend.c (console.c, blk_dev.c, net_dev.c). HVV_DEV_ADD
 * of any other type fails with EOPNOTSUPP; "load" refuses a file that
 * enables one before adding anything. hvisor-tool's gpu and scmi are not
 * device types of the uapi at all.
 */
#define LIMIT_SERVED_TYPES	((1U << HVV_DEV_CONSOLE) | (1U << HVV_DEV_BLK) | \
				 (1U << HVV_DEV_NET))
#define LIMIT_SERVED_TEXT	"console, blk and net"

static inline int limit_type_served(unsigned int type)
{
	return type < 32 && (LIMIT_SERVED_TYPES >> type & 1);
}

/* Consoles in all zones: HVV_CONSOLE_MAX, hvisor_vhost/console.c (ENOSPC). */
#define LIMIT_CONSOLES		64

/* blk devices in all zones: HVV_BLK_MAX, hvisor_vhost/blk_dev.c (ENOSPC). */
#define LIMIT_BLKS		256

/*
 * queues= of a blk device: HVV_BLK_MAX_QUEUES, hvisor_vhost/blk_dev.c
 * (EINVAL).
 */
#define LIMIT_BLK_QUEUES	8

/*
 * queues= of a net device (queue pairs): HVV_NET_MAX_PAIRS,
 * hvisor_vhost/net.h (EINVAL); more than one needs a multi-queue tap.
 */
/* net devices in all zones: HVV_NET_MAX, hvisor_vhost/net_dev.c (ENOSPC). */
#define LIMIT_NETS		256

#define LIMIT_NET_QUEUES	7

/*
 * mtu= of a net device, offered with VIRTIO_NET_F_MTU: 68..65535
 * (struct hvv_net_config, EINVAL otherwise).
 */
#define LIMIT_NET_MIN_MTU	68
#define LIMIT_NET_MAX_MTU	65535

/*
 * A blk device's capacity is its backing's size in 512-byte sectors,
 * rounded down (hvv_blk_create() and hvv_blk_resize(),
 * hvisor_vhost/blk_dev.c): the guest does not see the end of an image that
 * is not a multiple.
 */
#define LIMIT_BLK_SECTOR	512

/*
 * Size of one memory region: HVV_ZONE_MAX_REGION_SIZE, hvv_region_check()
 * in hvisor_vhost/zone.c (EINVAL). Regions of one zone overlap neither in
 * GPA nor in HPA (hvv_zone_create(); check_regions() here).
 */
#define LIMIT_REGION_SIZE	0x10000000000ULL	/* 1 << 40 */
#define LIMIT_REGION_SIZE_TEXT	"1 TiB"

/*
 * The module's max_zone_irqs: LIMIT_PARAMS_PATH/max_zone_irqs (or
 * $HVISORCTL_PARAMS/max_zone_irqs) when it exists, else the default.
 */
unsigned int limit_zone_irqs(void);

#endif /* HVISORCTL_MODULE_LIMITS_H */
