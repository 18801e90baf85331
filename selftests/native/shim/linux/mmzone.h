/* SPDX-License-Identifier: GPL-2.0 */
/*
 * No CONFIG_X86 here (zone.c would read boot_cpu_data): the physical
 * address width is MAX_PHYSMEM_BITS, a variable tests may change.
 */
#ifndef _HV_SHIM_LINUX_MMZONE_H
#define _HV_SHIM_LINUX_MMZONE_H

extern unsigned int hv_shim_phys_bits;
#define MAX_PHYSMEM_BITS	hv_shim_phys_bits

#endif /* _HV_SHIM_LINUX_MMZONE_H */
