/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel type names on top of the system's uapi <linux/types.h> (__u32,
 * __le16, __virtio16 come from there, as in the kernel).
 */
#ifndef _HV_SHIM_LINUX_TYPES_H
#define _HV_SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

typedef u64 phys_addr_t;
typedef u64 resource_size_t;
typedef u32 gfp_t;

struct list_head {
	struct list_head *next, *prev;
};

#endif /* _HV_SHIM_LINUX_TYPES_H */
