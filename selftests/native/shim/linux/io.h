/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memremap() of zone RAM: see shim.c. By default each call returns fresh
 * zeroed memory between two ASan-poisoned guard areas, so that an access
 * one byte outside a region is reported. From hpa hv_shim_fake_from on
 * (none by default) it returns an address nobody may dereference (hpa +
 * PAGE_SIZE), for translations over regions far too large to allocate.
 */
#ifndef _HV_SHIM_LINUX_IO_H
#define _HV_SHIM_LINUX_IO_H

#include <linux/types.h>

#define MEMREMAP_WB	1UL

void *memremap(resource_size_t offset, size_t size, unsigned long flags);
void memunmap(void *addr);

#endif /* _HV_SHIM_LINUX_IO_H */
