// SPDX-License-Identifier: GPL-2.0
/* Unit tests of hvisor_vhost/zone.c: validation and translation. */
#include <linux/err.h>
#include <linux/hvisor_vhost.h>

#include "doubles.h"
#include "harness.h"
#include "shim/hv_shim_test.h"

#define TB	BIT_ULL(40)

static struct hvv_zone_config uz;

static void uz_init(u32 id)
{
	memset(&uz, 0, sizeof(uz));
	uz.zone_id = id;
}

static void uz_add(u64 gpa, u64 hpa, u64 size)
{
	struct hvv_mem_region *r = &uz.regions[uz.nr_regions++];

	r->gpa = gpa;
	r->hpa = hpa;
	r->size = size;
}

/* hvv_zone_create(): 0 (and the zone destroyed) or the errno. */
static long create(bool allow_ram)
{
	struct hvv_zone *zone = hvv_zone_create(&uz, allow_ram);

	if (IS_ERR(zone))
		return PTR_ERR(zone);
	hvv_zone_destroy(zone);
	return 0;
}

HV_TEST(zone_regions_sorted_and_mapped)
{
	struct hvv_zone *zone;

	uz_init(3);
	uz_add(0x20000, 0x500000, 0x1000);
	uz_add(0x0, 0x600000, 0x2000);
	uz_add(0x10000, 0x400000, 0x1000);
	zone = hvv_zone_create(&uz, false);
	ASSERT(!IS_ERR(zone));
	EXPECT_EQ(zone->id, 3);
	EXPECT_EQ(zone->nr_regions, 3);
	EXPECT_EQ(zone->regions[0].gpa, 0x0);
	EXPECT_EQ(zone->regions[1].gpa, 0x10000);
	EXPECT_EQ(zone->regions[2].gpa, 0x20000);
	EXPECT_EQ(zone->regions[1].hpa, 0x400000);
	EXPECT(zone->regions[1].va == hv_shim_hpa_va(0x400000));
	EXPECT_EQ(hv_shim_live_maps(), 3);
	hvv_zone_destroy(zone);
	EXPECT_EQ(hv_shim_live_maps(), 0);
}

HV_TEST(zone_id_and_region_count)
{
	unsigned int i;

	uz_init(0);
	uz_add(0, 0x100000, 0x1000);
	EXPECT_EQ(create(false), -EINVAL);
	uz.zone_id = HVV_MAX_ZONE_ID + 1;
	EXPECT_EQ(create(false), -EINVAL);
	uz.zone_id = HVV_MAX_ZONE_ID;
	EXPECT_EQ(create(false), 0);
	uz.nr_regions = 0;
	EXPECT_EQ(create(false), -EINVAL);
	uz_init(1);
	for (i = 0; i < HVV_MAX_REGIONS; i++)
		uz_add(i * 0x2000ULL, 0x100000 + i * 0x2000ULL, 0x1000);
	EXPECT_EQ(create(false), 0);
	uz.nr_regions = HVV_MAX_REGIONS + 1;
	EXPECT_EQ(create(false), -EINVAL);
}

HV_TEST(zone_region_size_and_alignment)
{
	hv_shim_fake_from = 0;
	uz_init(1);
	uz_add(0, 0x100000, 0);
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[0].size = TB;
	EXPECT_EQ(create(false), 0);
	uz.regions[0].size = TB + 0x1000;
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[0].size = 0x1800;
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[0].size = 0x1000;
	uz.regions[0].gpa = 0x800;
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[0].gpa = 0;
	uz.regions[0].hpa = 0x100010;
	EXPECT_EQ(create(false), -EINVAL);
	EXPECT(hv_shim_logged("not page aligned"));
}

HV_TEST(zone_region_wraps)
{
	hv_shim_fake_from = 0;
	hv_shim_phys_bits = 64;
	uz_init(1);
	uz_add(0xfffffffffffff000ULL, 0x100000, 0x2000);
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[0].size = 0x1000;	/* ends at exactly 2^64: wraps too */
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[0].gpa = 0xffffffffffffe000ULL;
	EXPECT_EQ(create(false), 0);
	uz.regions[0].hpa = 0xfffffffffffff000ULL;
	EXPECT_EQ(create(false), -EINVAL);
	EXPECT(hv_shim_logged("wraps around"));
}

HV_TEST(zone_physical_address_width)
{
	hv_shim_fake_from = 0;
	hv_shim_phys_bits = 40;
	uz_init(1);
	uz_add(0, TB - 0x2000, 0x2000);
	EXPECT_EQ(create(false), 0);
	uz.regions[0].hpa = TB - 0x1000;
	EXPECT_EQ(create(false), -EINVAL);
	EXPECT(hv_shim_logged("40-bit physical address space"));
}

HV_TEST(zone_system_ram)
{
	hv_shim_add_system_ram(0x100000, 0x10000);
	uz_init(1);
	uz_add(0, 0x104000, 0x2000);
	EXPECT_EQ(create(false), -EPERM);
	EXPECT_EQ(create(true), 0);
	/* Half in System RAM: refused even where RAM is allowed. */
	uz.regions[0].hpa = 0x10f000;
	EXPECT_EQ(create(false), -EINVAL);
	EXPECT_EQ(create(true), -EINVAL);
	uz.regions[0].hpa = 0x110000;
	EXPECT_EQ(create(false), 0);
}

HV_TEST(zone_overlaps)
{
	uz_init(1);
	uz_add(0x0, 0x100000, 0x2000);
	uz_add(0x2000, 0x102000, 0x1000);	/* adjacent in both: fine */
	EXPECT_EQ(create(false), 0);
	uz.regions[1].gpa = 0x1000;
	EXPECT_EQ(create(false), -EINVAL);
	uz.regions[1].gpa = 0x2000;
	uz.regions[1].hpa = 0x101000;
	EXPECT_EQ(create(false), -EINVAL);
	EXPECT(hv_shim_logged("regions 0 and 1 overlap"));
}

HV_TEST(zone_map_failure_unwinds)
{
	uz_init(1);
	uz_add(0x0, 0x100000, 0x1000);
	uz_add(0x1000, 0x200000, 0x1000);
	uz_add(0x2000, 0x300000, 0x1000);
	hv_shim_fail_map = 3;
	EXPECT_EQ(create(false), -ENOMEM);
	EXPECT_EQ(hv_shim_live_maps(), 0);
	hv_shim_fail_alloc = 1;
	EXPECT_EQ(create(false), -ENOMEM);
	EXPECT_EQ(create(false), 0);
}

HV_TEST(zone_translate)
{
	struct hvv_zone *zone = hv_tzone();
	char *r0 = hv_tmem(0x0), *r1 = hv_tmem(0x2000), *r2 = hv_tmem(0x10000);
	u64 avail = 0;

	ASSERT(zone);
	EXPECT(hvv_zone_translate(zone, 0x0, 0x2000, NULL) == r0);
	EXPECT(hvv_zone_translate(zone, 0x1fff, 1, NULL) == r0 + 0x1fff);
	/* One region must hold the whole range without @avail. */
	EXPECT(!hvv_zone_translate(zone, 0x1fff, 2, NULL));
	EXPECT(hvv_zone_translate(zone, 0x1fff, 2, &avail) == r0 + 0x1fff);
	EXPECT_EQ(avail, 1);
	EXPECT(hvv_zone_translate(zone, 0x2000, 0, NULL) == r1);
	EXPECT(hvv_zone_translate(zone, 0x2800, 0x100, &avail) == r1 + 0x800);
	EXPECT_EQ(avail, 0x100);
	EXPECT(hvv_zone_translate(zone, 0x2fff, ~0ULL, &avail) == r1 + 0xfff);
	EXPECT_EQ(avail, 1);
	EXPECT(!hvv_zone_translate(zone, 0x3000, 0, &avail));
	EXPECT(!hvv_zone_translate(zone, 0xffff, 1, NULL));
	EXPECT(hvv_zone_translate(zone, 0x10000, 0x1000, NULL) == r2);
	EXPECT(!hvv_zone_translate(zone, 0x11000, 1, NULL));
	EXPECT(!hvv_zone_translate(zone, ~0ULL, 1, NULL));
	EXPECT(!hvv_zone_translate(zone, 0x10001, ~0ULL, NULL));
	hvv_zone_destroy(zone);
}
