/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tests and fuzz targets see of the shim: its knobs and its
 * records of zone RAM mappings and messages.
 */
#ifndef _HV_SHIM_TEST_H
#define _HV_SHIM_TEST_H

#include <linux/types.h>

/* Guard bytes poisoned on each side of a real mapping. */
#define HV_SHIM_GUARD		4096
/* A real mapping larger than this fails (memremap() returns NULL). */
#define HV_SHIM_MAP_MAX		(4UL << 20)

extern unsigned int hv_shim_fail_alloc;	/* linux/slab.h */
extern unsigned int hv_shim_phys_bits;	/* linux/mmzone.h, default 46 */
extern u64 hv_shim_fake_from;		/* linux/io.h: fake mappings from */
extern unsigned int hv_shim_fail_map;	/* Nth memremap() from now fails */
extern unsigned long hv_shim_nr_logs;	/* messages logged */
extern char hv_shim_last_log[256];	/* the last one, formatted */

/* Back to the defaults: no System RAM, knobs off; mappings stay. */
void hv_shim_reset(void);
/* Declare [start, start + size) root System RAM (non-overlapping). */
void hv_shim_add_system_ram(u64 start, u64 size);
/* Mappings memremap() made and memunmap() did not undo. */
unsigned int hv_shim_live_maps(void);
/* Is [p, p + len) inside one live real mapping? */
bool hv_shim_mapped(const void *p, size_t len);
/* The kernel address of @hpa inside a live mapping, or NULL. */
void *hv_shim_hpa_va(u64 hpa);
/* Does the last message contain @s? */
bool hv_shim_logged(const char *s);

#endif /* _HV_SHIM_TEST_H */
