/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_SHIM_LINUX_BITMAP_H
#define _HV_SHIM_LINUX_BITMAP_H

#include <string.h>
#include <linux/bitops.h>
#include <linux/slab.h>

#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)

static inline unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t gfp)
{
	return kcalloc(BITS_TO_LONGS(nbits), sizeof(unsigned long), gfp);
}

static inline void bitmap_free(unsigned long *map)
{
	kfree(map);
}

static inline void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

#endif /* _HV_SHIM_LINUX_BITMAP_H */
