/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HVV_ZONE_H
#define _HVV_ZONE_H

#include <linux/list.h>
#include <linux/types.h>

struct hvv_zone_config;

/**
 * struct hvv_region - one range of zone RAM, mapped into the root kernel
 * @gpa: guest-physical start
 * @hpa: root-physical start
 * @size: bytes
 * @va: memremap()ed kernel address of @hpa
 */
struct hvv_region {
	u64 gpa;
	u64 hpa;
	u64 size;
	void *va;
};

/**
 * struct hvv_zone - a non-root zone whose devices we serve
 * @id: hvisor zone id
 * @node: entry in the control plane's zone list (hvv_ctl_lock)
 * @nr_devices: devices attached (hvv_ctl_lock); the zone cannot go while > 0
 * @nr_regions: entries in @regions
 * @regions: RAM, sorted by @gpa, non-overlapping; immutable after creation
 */
struct hvv_zone {
	u32 id;
	struct list_head node;
	unsigned int nr_devices;
	unsigned int nr_regions;
	struct hvv_region regions[];
};

struct hvv_zone *hvv_zone_create(const struct hvv_zone_config *uz, bool allow_ram);
void hvv_zone_destroy(struct hvv_zone *zone);
void *hvv_zone_translate(const struct hvv_zone *zone, u64 gpa, u64 len,
			 u64 *avail);

#endif /* _HVV_ZONE_H */
