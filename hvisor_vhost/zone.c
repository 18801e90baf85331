// SPDX-License-Identifier: GPL-2.0
/*
 * Zones: the RAM of a non-root zone as seen from the root kernel, and the
 * translation of guest-physical ranges into kernel pointers.
 *
 * On hvisor, zone RAM is memory the root reserves with no-map; it is mapped
 * write-back with memremap(). Every translation checks the whole range.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/hvisor_vhost.h>
#include <asm/processor.h>

#include "zone.h"

/* Larger than any machine hvisor runs on: catches garbage sizes. */
#define HVV_ZONE_MAX_REGION_SIZE	BIT_ULL(40)

static int hvv_region_cmp(const void *a, const void *b)
{
	const struct hvv_region *ra = a, *rb = b;

	if (ra->gpa != rb->gpa)
		return ra->gpa < rb->gpa ? -1 : 1;
	return 0;
}

static bool hvv_ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * Physical address bits the root can map: an address beyond them is not
 * memory (and mapping it warns on x86).
 */
static unsigned int hvv_phys_bits(void)
{
#if defined(CONFIG_X86)
	return boot_cpu_data.x86_phys_bits;
#elif defined(MAX_PHYSMEM_BITS)
	return MAX_PHYSMEM_BITS;
#else
	return 64;
#endif
}

static int hvv_region_check(u32 zone_id, unsigned int i,
			    const struct hvv_mem_region *r, bool allow_ram)
{
	unsigned int bits = hvv_phys_bits();
	u64 end, hpa_end;

	if (!r->size || r->size > HVV_ZONE_MAX_REGION_SIZE) {
		pr_err("zone %u: region %u: size %#llx out of range (1 byte .. 1 TiB)\n",
		       zone_id, i, r->size);
		return -EINVAL;
	}
	if (!PAGE_ALIGNED(r->gpa) || !PAGE_ALIGNED(r->hpa) ||
	    !PAGE_ALIGNED(r->size)) {
		pr_err("zone %u: region %u: gpa %#llx hpa %#llx size %#llx not page aligned\n",
		       zone_id, i, r->gpa, r->hpa, r->size);
		return -EINVAL;
	}
	if (check_add_overflow(r->gpa, r->size, &end) ||
	    check_add_overflow(r->hpa, r->size, &hpa_end)) {
		pr_err("zone %u: region %u: range wraps around\n",
		       zone_id, i);
		return -EINVAL;
	}
	if (bits < 64 && hpa_end > BIT_ULL(bits)) {
		pr_err("zone %u: region %u: hpa %#llx size %#llx lies beyond the %u-bit physical address space\n",
		       zone_id, i, r->hpa, r->size, bits);
		return -EINVAL;
	}
	switch (region_intersects(r->hpa, r->size, IORESOURCE_SYSTEM_RAM,
				  IORES_DESC_NONE)) {
	case REGION_DISJOINT:
		return 0;
	case REGION_INTERSECTS:
		if (allow_ram)
			return 0;
		pr_err("zone %u: region %u: hpa %#llx size %#llx is root System RAM; zone RAM must be reserved (no-map) memory\n",
		       zone_id, i, r->hpa, r->size);
		return -EPERM;
	default:
		pr_err("zone %u: region %u: hpa %#llx size %#llx mixes System RAM and other memory\n",
		       zone_id, i, r->hpa, r->size);
		return -EINVAL;
	}
}

/**
 * hvv_zone_create - validate and map a zone's RAM
 * @uz: the zone as userspace described it
 * @allow_ram: the provider allows zone RAM inside root System RAM
 *
 * Return: the zone, or an ERR_PTR: -EINVAL for malformed or overlapping
 * regions, -EPERM for root System RAM, -ENOMEM if a region cannot be mapped.
 */
struct hvv_zone *hvv_zone_create(const struct hvv_zone_config *uz, bool allow_ram)
{
	struct hvv_zone *zone;
	unsigned int i, j;
	int ret;

	if (uz->zone_id == 0 || uz->zone_id > HVV_MAX_ZONE_ID) {
		pr_err("zone id %u out of range 1..%u\n", uz->zone_id,
		       HVV_MAX_ZONE_ID);
		return ERR_PTR(-EINVAL);
	}
	if (uz->nr_regions == 0 || uz->nr_regions > HVV_MAX_REGIONS) {
		pr_err("zone %u: %u memory regions, expected 1..%u\n",
		       uz->zone_id, uz->nr_regions, HVV_MAX_REGIONS);
		return ERR_PTR(-EINVAL);
	}
	for (i = 0; i < uz->nr_regions; i++) {
		const struct hvv_mem_region *a = &uz->regions[i];

		ret = hvv_region_check(uz->zone_id, i, a, allow_ram);
		if (ret)
			return ERR_PTR(ret);
		for (j = 0; j < i; j++) {
			const struct hvv_mem_region *b = &uz->regions[j];

			if (hvv_ranges_overlap(a->gpa, a->size, b->gpa, b->size) ||
			    hvv_ranges_overlap(a->hpa, a->size, b->hpa, b->size)) {
				pr_err("zone %u: regions %u and %u overlap\n",
				       uz->zone_id, j, i);
				return ERR_PTR(-EINVAL);
			}
		}
	}

	zone = kzalloc(struct_size(zone, regions, uz->nr_regions), GFP_KERNEL);
	if (!zone)
		return ERR_PTR(-ENOMEM);
	zone->id = uz->zone_id;
	INIT_LIST_HEAD(&zone->node);
	for (i = 0; i < uz->nr_regions; i++) {
		struct hvv_region *r = &zone->regions[i];

		r->gpa = uz->regions[i].gpa;
		r->hpa = uz->regions[i].hpa;
		r->size = uz->regions[i].size;
		r->va = memremap(r->hpa, r->size, MEMREMAP_WB);
		if (!r->va) {
			pr_err("zone %u: cannot map hpa %#llx size %#llx\n",
			       zone->id, r->hpa, r->size);
			ret = -ENOMEM;
			goto err_unmap;
		}
		zone->nr_regions++;
	}
	sort(zone->regions, zone->nr_regions, sizeof(zone->regions[0]),
	     hvv_region_cmp, NULL);
	return zone;

err_unmap:
	hvv_zone_destroy(zone);
	return ERR_PTR(ret);
}

/**
 * hvv_zone_destroy - unmap and free a zone without devices
 * @zone: the zone
 */
void hvv_zone_destroy(struct hvv_zone *zone)
{
	unsigned int i;

	for (i = 0; i < zone->nr_regions; i++)
		memunmap(zone->regions[i].va);
	kfree(zone);
}

/**
 * hvv_zone_translate - map a guest-physical range to a kernel pointer
 * @zone: the zone
 * @gpa: start of the range
 * @len: its length (may be 0)
 * @avail: if not NULL, the range may extend past the region holding @gpa;
 *	*@avail is set to the bytes available in that region (<= @len).
 *	If NULL, all of [@gpa, @gpa + @len) must lie in one region.
 *
 * Return: kernel address of @gpa, or NULL if it is not zone RAM.
 */
void *hvv_zone_translate(const struct hvv_zone *zone, u64 gpa, u64 len,
			 u64 *avail)
{
	unsigned int lo = 0, hi = zone->nr_regions;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		const struct hvv_region *r = &zone->regions[mid];
		u64 off;

		if (gpa < r->gpa) {
			hi = mid;
			continue;
		}
		off = gpa - r->gpa;
		if (off >= r->size) {
			lo = mid + 1;
			continue;
		}
		if (avail)
			*avail = min(len, r->size - off);
		else if (len > r->size - off)
			return NULL;
		return r->va + off;
	}
	return NULL;
}
