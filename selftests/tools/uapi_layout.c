// SPDX-License-Identifier: GPL-2.0
/*
 * The control ABI, pinned: every struct of <linux/hvisor_vhost.h> has the
 * same size and field offsets, and every ioctl the same number, on every
 * architecture hvisor runs on, 64 and 32 bit, so that one module serves
 * 32-bit userspace through compat_ptr_ioctl(). uapi_layout.sh compiles
 * this for each target; nothing runs. A failure here is an ABI change.
 */
#include <stddef.h>
#include <linux/hvisor_vhost.h>

#define SIZE(s, n)	_Static_assert(sizeof(struct s) == (n), "size of " #s)
#define OFF(s, f, n)	_Static_assert(offsetof(struct s, f) == (n), #s "." #f)
#define IOC(cmd, n)	_Static_assert((cmd) == (n), #cmd)

SIZE(hvv_version, 8);
OFF(hvv_version, api_version, 0);
OFF(hvv_version, max_regions, 4);

SIZE(hvv_mem_region, 24);
OFF(hvv_mem_region, gpa, 0);
OFF(hvv_mem_region, hpa, 8);
OFF(hvv_mem_region, size, 16);

SIZE(hvv_zone_config, 1552);
OFF(hvv_zone_config, zone_id, 0);
OFF(hvv_zone_config, nr_regions, 4);
OFF(hvv_zone_config, flags, 8);
OFF(hvv_zone_config, pad, 12);
OFF(hvv_zone_config, regions, 16);

SIZE(hvv_zone_id, 8);
OFF(hvv_zone_id, zone_id, 0);
OFF(hvv_zone_id, pad, 4);

SIZE(hvv_blk_config, 24);
OFF(hvv_blk_config, flags, 0);
OFF(hvv_blk_config, serial, 4);

SIZE(hvv_net_config, 24);
OFF(hvv_net_config, flags, 0);
OFF(hvv_net_config, mtu, 4);
OFF(hvv_net_config, tap_fds, 8);
OFF(hvv_net_config, mac, 16);
OFF(hvv_net_config, pad, 22);

SIZE(hvv_console_config, 8);
OFF(hvv_console_config, flags, 0);
OFF(hvv_console_config, pad, 4);

SIZE(hvv_dev_config, 144);
_Static_assert(sizeof(struct hvv_dev_config) == HVV_DEV_CONFIG_SIZE_VER0,
	       "HVV_DEV_CONFIG_SIZE_VER0");
OFF(hvv_dev_config, type, 0);
OFF(hvv_dev_config, zone_id, 4);
OFF(hvv_dev_config, addr, 8);
OFF(hvv_dev_config, len, 16);
OFF(hvv_dev_config, irq, 24);
OFF(hvv_dev_config, flags, 28);
OFF(hvv_dev_config, backend_fd, 32);
OFF(hvv_dev_config, queues, 36);
OFF(hvv_dev_config, name, 40);
OFF(hvv_dev_config, index, 72);
OFF(hvv_dev_config, pad, 76);
OFF(hvv_dev_config, blk, 80);
OFF(hvv_dev_config, net, 80);
OFF(hvv_dev_config, console, 80);
OFF(hvv_dev_config, reserved, 80);
_Static_assert(sizeof(((struct hvv_dev_config *)0)->reserved) == 64,
	       "hvv_dev_config's union");

SIZE(hvv_dev_name, 32);
OFF(hvv_dev_name, name, 0);

SIZE(hvv_dev_info, 120);
OFF(hvv_dev_info, name, 0);
OFF(hvv_dev_info, type, 32);
OFF(hvv_dev_info, zone_id, 36);
OFF(hvv_dev_info, addr, 40);
OFF(hvv_dev_info, len, 48);
OFF(hvv_dev_info, irq, 56);
OFF(hvv_dev_info, status, 60);
OFF(hvv_dev_info, device_features, 64);
OFF(hvv_dev_info, driver_features, 72);
OFF(hvv_dev_info, index, 80);
OFF(hvv_dev_info, flags, 84);
OFF(hvv_dev_info, reserved, 88);

IOC(HVV_GET_VERSION, 0x8008bd00);
IOC(HVV_ZONE_ADD, 0x4610bd01);
IOC(HVV_ZONE_DEL, 0x4008bd02);
IOC(HVV_ZONE_RESET, 0x4008bd03);
IOC(HVV_DEV_ADD, 0xc090bd14);
IOC(HVV_DEV_ADD_SIZE(0), 0xc000bd14);
IOC(HVV_DEV_DEL, 0x4020bd11);
IOC(HVV_DEV_RESIZE, 0x4020bd12);
IOC(HVV_DEV_INFO, 0xc078bd13);
