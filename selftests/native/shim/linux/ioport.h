/* SPDX-License-Identifier: GPL-2.0 */
/*
 * region_intersects() against the shim's list of root System RAM ranges
 * (hv_shim_add_system_ram()): REGION_INTERSECTS when the range lies wholly
 * in System RAM, REGION_DISJOINT when it touches none, REGION_MIXED else.
 */
#ifndef _HV_SHIM_LINUX_IOPORT_H
#define _HV_SHIM_LINUX_IOPORT_H

#include <linux/types.h>

#define IORESOURCE_MEM		0x00000200UL
#define IORESOURCE_SYSRAM	0x01000000UL
#define IORESOURCE_BUSY		0x80000000UL
#define IORESOURCE_SYSTEM_RAM	(IORESOURCE_MEM | IORESOURCE_SYSRAM)
#define IORES_DESC_NONE		0UL

enum {
	REGION_DISJOINT = 0,
	REGION_INTERSECTS,
	REGION_MIXED,
};

int region_intersects(resource_size_t start, size_t size,
		      unsigned long flags, unsigned long desc);

#endif /* _HV_SHIM_LINUX_IOPORT_H */
