/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HV_ZONE_H
#define _HV_ZONE_H

#include <linux/list.h>
#include <linux/types.h>

struct hvv_zone;

/**
 * struct hv_region - one range of zone RAM, mapped into the root kernel
 * @gpa: guest-physical start
 * @hpa: root-physical start
 * @size: bytes
 * @va: memremap()ed kernel address of @hpa
 */
struct hv_region {
	u64 gpa;
	u64 hpa;
	u64 size;
	void *va;
};

/**
 * struct hv_zone - a non-root zone whose devices we serve
 * @id: hvisor zone id
 * @node: entry in the control plane's zone list (hv_ctl_lock)
 * @nr_devices: devices attached (hv_ctl_lock); the zone cannot go while > 0
 * @nr_regions: entries in @regions
 * @regions: RAM, sorted by @gpa, non-overlapping; immutable after creation
 */
struct hv_zone {
	u32 id;
	struct list_head node;
	unsigned int nr_devices;
	unsigned int nr_regions;
	struct hv_region regions[];
};

struct hv_zone *hv_zone_create(const struct hvv_zone *uz, bool allow_ram);
void hv_zone_destroy(struct hv_zone *zone);
void *hv_zone_translate(const struct hv_zone *zone, u64 gpa, u64 len,
			u64 *avail);

#endif /* _HV_ZONE_H */
