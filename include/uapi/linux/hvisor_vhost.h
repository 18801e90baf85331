/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvisor_vhost control interface: ioctls on /dev/hvisor_vhost.
 *
 * Every structure but HVV_DEV_ADD's has a fixed size (that one's is the
 * caller's, see below); all have explicit padding and the same layout on
 * 32- and 64-bit ABIs (32-bit callers go through compat_ioctl unchanged;
 * selftests/tools/uapi_layout.sh pins sizes, offsets and ioctl numbers);
 * padding and reserved fields must be zero (EINVAL otherwise) so that they
 * can be given a meaning later. HVV_GET_VERSION reports HVV_API_VERSION; a
 * caller built against a newer header must check it. Every ioctl needs
 * CAP_SYS_ADMIN.
 *
 * Growth (from API version 3 on, which only ever adds): HVV_DEV_ADD's
 * structure has a common part and a union of per-type parts. A type's
 * part grows into the union's reserved bytes and gains flag bits; common
 * fields, or a larger union, are appended and make the structure larger.
 * The caller's size travels in the size bits of the ioctl number (what
 * _IOWR() computes from the header the caller was built with, like DRM's
 * ioctls), not in a field that could disagree with it; the module
 * matches HVV_DEV_ADD on its type, number and direction only and handles
 * the size as copy_struct_from_user() does:
 *
 *  - the caller's structure is larger (built against a newer header): the
 *    bytes the module does not know must be zero, E2BIG otherwise;
 *  - it is smaller (an older caller, down to HVV_DEV_CONFIG_SIZE_VER0):
 *    the module reads zeros for the rest, the defaults of what is new;
 *    smaller than HVV_DEV_CONFIG_SIZE_VER0 is EINVAL;
 *  - the module writes back only the out fields, @name and @index (the
 *    bytes from offsetof(name) to the end of @index), and never past the
 *    caller's size.
 *
 * A flag bit or a per-type field in the reserved bytes that the module
 * does not know is EINVAL, like nonzero padding (a type no backend serves
 * is EOPNOTSUPP). So a newer caller on an older module gets E2BIG or
 * EINVAL for what it asked for that the module cannot do, never a device
 * that silently lacks it, and an older caller keeps working on a newer
 * module.
 *
 * Whether the module knows an appended common field can be asked without
 * side effects: a structure of zeros but for a nonzero byte at offset N
 * gets E2BIG if N lies past the module's structure, EINVAL (type 0)
 * otherwise. That is all it tells: a byte inside the union is "known"
 * whether or not the module knows that type's field there, and a nonzero
 * @type makes it a request for that type, with that type's errors. What a
 * type's part supports follows api_version.
 *
 * History: version 1 used magic 0xB7; 2 moved to 0xBD; 3 gave HVV_DEV_ADD
 * its common part, per-type union and size convention (number 0x14, was
 * 0x10) and moved the read-only and MAC flags from the common flags into
 * the per-type ones. HVV_DEV_INFO kept its number and layout, but its
 * @flags are the per-type flags since: bit 0 is HVV_BLK_F_RO for blk and
 * HVV_NET_F_MAC for net (in version 2 MAC was bit 1), which a version-2
 * caller would misread.
 */
#ifndef _UAPI_LINUX_HVISOR_VHOST_H
#define _UAPI_LINUX_HVISOR_VHOST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define HVV_API_VERSION		3

/*
 * The release of hvisor_vhost: the module's MODULE_VERSION and
 * "hvisorctl --version", defined here only.
 */
#define HVV_VERSION		"0.1"

#define HVV_MAX_REGIONS		64	/* memory regions per zone */
#define HVV_MAX_ZONE_ID		31	/* hvisor-tool: MAX_ZONES 32 */
#define HVV_NAME_LEN		32	/* device name, NUL included */
#define HVV_SERIAL_LEN		20	/* virtio-blk GET_ID length */

/* Device types: the virtio device IDs. */
#define HVV_DEV_NET		1
#define HVV_DEV_BLK		2
#define HVV_DEV_CONSOLE		3

/**
 * struct hvv_version - HVV_GET_VERSION
 * @api_version: HVV_API_VERSION of the module
 * @max_regions: HVV_MAX_REGIONS
 */
struct hvv_version {
	__u32 api_version;
	__u32 max_regions;
};

/**
 * struct hvv_mem_region - one range of zone RAM
 * @gpa: guest-physical (zone) address
 * @hpa: root-physical address
 * @size: bytes; page aligned, like @gpa and @hpa
 */
struct hvv_mem_region {
	__u64 gpa;
	__u64 hpa;
	__u64 size;
};

/**
 * struct hvv_zone_config - HVV_ZONE_ADD
 * @zone_id: hvisor zone id (1..HVV_MAX_ZONE_ID; zone 0 is the root)
 * @nr_regions: used entries of @regions (1..HVV_MAX_REGIONS)
 * @flags: zero
 * @pad: zero
 * @regions: the zone's RAM
 */
struct hvv_zone_config {
	__u32 zone_id;
	__u32 nr_regions;
	__u32 flags;
	__u32 pad;
	struct hvv_mem_region regions[HVV_MAX_REGIONS];
};

/**
 * struct hvv_zone_id - HVV_ZONE_DEL, HVV_ZONE_RESET
 * @zone_id: the zone
 * @pad: zero
 */
struct hvv_zone_id {
	__u32 zone_id;
	__u32 pad;
};

/* hvv_dev_config.flags: no common flag is defined yet */
#define HVV_DEV_F_ALL		0U

/* hvv_blk_config.flags */
#define HVV_BLK_F_RO		(1U << 0)	/* read-only device */
#define HVV_BLK_F_ALL		HVV_BLK_F_RO

/* hvv_net_config.flags */
#define HVV_NET_F_MAC		(1U << 0)	/* @mac is valid */
#define HVV_NET_F_ALL		HVV_NET_F_MAC

/* hvv_console_config.flags: none defined yet */
#define HVV_CONSOLE_F_ALL	0U

/**
 * struct hvv_blk_config - the blk part of struct hvv_dev_config
 * @flags: HVV_BLK_F_*
 * @serial: GET_ID string, NUL padded (empty = derived)
 */
struct hvv_blk_config {
	__u32 flags;
	char serial[HVV_SERIAL_LEN];
};

/**
 * struct hvv_net_config - the net part of struct hvv_dev_config
 * @flags: HVV_NET_F_*
 * @mtu: MTU offered to the driver with VIRTIO_NET_F_MTU (68..65535;
 *	0: not offered, the driver assumes 1500)
 * @tap_fds: with @queues > 1: user address of an array of @queues __s32
 *	fds, one per queue pair, each a different queue of one multi-queue
 *	tap (IFF_MULTI_QUEUE, otherwise opened as for @backend_fd) or a
 *	different open of one macvtap (the same queue twice, or queues of
 *	two interfaces, is -EINVAL), which then must be -1; zero otherwise
 * @mac: MAC address (with HVV_NET_F_MAC; without it the module derives a
 *	stable locally administered one from @zone_id and @addr)
 * @pad: zero
 */
struct hvv_net_config {
	__u32 flags;
	__u32 mtu;
	__u64 tap_fds;
	__u8 mac[6];
	__u8 pad[2];
};

/**
 * struct hvv_console_config - the console part of struct hvv_dev_config
 * @flags: HVV_CONSOLE_F_* (none yet: zero)
 * @pad: zero
 */
struct hvv_console_config {
	__u32 flags;
	__u32 pad;
};

/**
 * struct hvv_dev_config - HVV_DEV_ADD
 * @type: HVV_DEV_*
 * @zone_id: zone the device belongs to (must have been added)
 * @addr: base guest-physical address of the virtio-mmio window, as the
 *	hypervisor reports it (region physical_start + offset)
 * @len: window length, 0x200 (the registers and 256 bytes of config
 *	space) to 0x10000; 0x200 or 0x1000 in hvisor's configs
 * @irq: interrupt injected into the zone
 * @flags: HVV_DEV_F_*, the flags of every type (none yet: zero)
 * @backend_fd: blk: open image file or block device; net: an fd of the
 *	tap (or macvtap), opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR
 *	and TUNSETVNETHDRSZ of 12 (struct virtio_net_hdr_v1), or -1 with
 *	@net.tap_fds; a tap another net device uses is -EBUSY, a tun
 *	(IFF_TUN) interface -EINVAL; console: -1
 * @queues: blk: number of request queues (0 = 1); net: queue pairs
 *	(0 = 1; more than one needs @net.tap_fds); console: 0
 * @name: out: the device's name (sysfs entry, hvisorctl del NAME); zero
 *	on input
 * @index: out: per-type index (console N is /dev/ttyHV<N>); zero on input
 * @pad: zero
 * @blk: HVV_DEV_BLK's part
 * @net: HVV_DEV_NET's part
 * @console: HVV_DEV_CONSOLE's part
 * @reserved: the size of the union: every byte past the part of @type
 *	must be zero, so that a type's part can grow into it
 *
 * The size is not fixed: HVV_DEV_ADD takes the caller's size from the
 * ioctl number, see HVV_DEV_ADD_SIZE() below.
 */
struct hvv_dev_config {
	__u32 type;
	__u32 zone_id;
	__u64 addr;
	__u64 len;
	__u32 irq;
	__u32 flags;
	__s32 backend_fd;
	__u32 queues;
	char name[HVV_NAME_LEN];
	__u32 index;
	__u32 pad;
	union {
		struct hvv_blk_config blk;
		struct hvv_net_config net;
		struct hvv_console_config console;
		__u64 reserved[8];
	};
};

/* The size of struct hvv_dev_config in API version 3, the smallest taken. */
#define HVV_DEV_CONFIG_SIZE_VER0	144

/**
 * struct hvv_dev_name - HVV_DEV_DEL
 * @name: device name, NUL terminated
 */
struct hvv_dev_name {
	char name[HVV_NAME_LEN];
};

/**
 * struct hvv_dev_info - HVV_DEV_INFO
 * @name: in: device name
 * @type: HVV_DEV_*
 * @zone_id: zone
 * @addr: window base
 * @len: window length
 * @irq: interrupt
 * @status: virtio device status register
 * @device_features: features offered
 * @driver_features: features the driver accepted (valid after FEATURES_OK)
 * @index: per-type index
 * @flags: the per-type flags the device was added with: HVV_BLK_F_* or
 *	HVV_NET_F_*, as @type says
 * @reserved: zero on output
 */
struct hvv_dev_info {
	char name[HVV_NAME_LEN];
	__u32 type;
	__u32 zone_id;
	__u64 addr;
	__u64 len;
	__u32 irq;
	__u32 status;
	__u64 device_features;
	__u64 driver_features;
	__u32 index;
	__u32 flags;
	__u64 reserved[4];
};

/*
 * Free in Documentation/userspace-api/ioctl/ioctl-number.rst (0xB7 is
 * nsfs' and remoteproc's, 0xB8 mshv's, 0xBA liveupdate's); API version 1
 * used 0xB7.
 */
#define HVV_IOC_MAGIC		0xBD

#define HVV_GET_VERSION		_IOR(HVV_IOC_MAGIC, 0x00, struct hvv_version)
#define HVV_ZONE_ADD		_IOW(HVV_IOC_MAGIC, 0x01, struct hvv_zone_config)
#define HVV_ZONE_DEL		_IOW(HVV_IOC_MAGIC, 0x02, struct hvv_zone_id)
#define HVV_ZONE_RESET		_IOW(HVV_IOC_MAGIC, 0x03, struct hvv_zone_id)
/*
 * HVV_DEV_ADD of a structure of @size bytes, the size of a struct
 * hvv_dev_config built against another version of this header (see the
 * top of this file); 0x10 was the fixed-size HVV_DEV_ADD of version 2.
 */
#define HVV_DEV_ADD_SIZE(size)	_IOC(_IOC_READ | _IOC_WRITE, HVV_IOC_MAGIC, \
				     0x14, (size))
#define HVV_DEV_ADD		HVV_DEV_ADD_SIZE(sizeof(struct hvv_dev_config))
#define HVV_DEV_DEL		_IOW(HVV_IOC_MAGIC, 0x11, struct hvv_dev_name)
#define HVV_DEV_RESIZE		_IOW(HVV_IOC_MAGIC, 0x12, struct hvv_dev_name)
#define HVV_DEV_INFO		_IOWR(HVV_IOC_MAGIC, 0x13, struct hvv_dev_info)

#endif /* _UAPI_LINUX_HVISOR_VHOST_H */
