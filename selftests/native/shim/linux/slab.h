/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Allocations are malloc()'s (so ASan sees them); hv_shim_fail_alloc
 * makes the Nth allocation from now fail, for the error paths.
 */
#ifndef _HV_SHIM_LINUX_SLAB_H
#define _HV_SHIM_LINUX_SLAB_H

#include <linux/overflow.h>
#include <linux/types.h>

#define GFP_KERNEL	0U
#define GFP_ATOMIC	1U

/* 0: allocations succeed; N: the Nth one from now fails (then 0 again). */
extern unsigned int hv_shim_fail_alloc;

void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void kfree(const void *p);

#endif /* _HV_SHIM_LINUX_SLAB_H */
