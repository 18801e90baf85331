// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: hvisor_vhost/zone.c against a reference model.
 *
 * The input describes a zone as userspace would hand it to HVV_ZONE_ADD
 * (id, regions with any gpa/hpa/size), the root's System RAM, the
 * physical address width, whether zone RAM may be System RAM, and failures
 * of allocation or mapping; then guest-physical ranges to translate.
 *
 * hvv_zone_create() must return what the model of its validation returns
 * (the same errno, rules from zone.c's documentation and
 * include/uapi/linux/hvisor_vhost.h: id 1..31, 1..64 regions, each 1
 * byte..1 TiB, page aligned, not wrapping, inside the physical address
 * width, not root System RAM unless allowed, no overlap in gpa or hpa),
 * leave no mapping behind on failure, and on success hold the regions
 * sorted. hvv_zone_translate() must agree with a linear search over the
 * regions for every range, with and without @avail. Mappings are fake
 * (never dereferenced), so regions may be as large as the model allows.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/err.h>
#include <linux/hvisor_vhost.h>
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/mm.h>

#include "doubles.h"
#include "fdp.h"
#include "shim/hv_shim_test.h"

#define TB		BIT_ULL(40)

static struct hvv_zone_config uz;

static u64 pick_addr(struct fdp *f)
{
	static const u64 edges[] = {
		0, TB, 1ULL << 46, 1ULL << 52, ~0ULL - 0xfff, ~0ULL - 0x1fff,
		1ULL << 63, 0xfffff000,
	};
	unsigned int sel = fdp_u8(f);

	if (sel < 192)
		return (u64)(fdp_u8(f) % 64) * PAGE_SIZE;
	if (sel < 240)
		return edges[sel % ARRAY_SIZE(edges)] +
		       (u64)(fdp_u8(f) % 4) * PAGE_SIZE;
	return fdp_u64(f);
}

static u64 pick_size(struct fdp *f)
{
	static const u64 sizes[] = { 0, TB, TB + PAGE_SIZE, TB - PAGE_SIZE,
				     0x800, PAGE_SIZE + 1 };
	unsigned int sel = fdp_u8(f);

	if (sel < 200)
		return (u64)(1 + fdp_u8(f) % 8) * PAGE_SIZE;
	if (sel < 240)
		return sizes[sel % ARRAY_SIZE(sizes)];
	return fdp_u64(f);
}

/* --- the model of hvv_zone_create()'s validation --- */

static int ref_region(const struct hvv_mem_region *r, unsigned int bits,
		      bool allow_ram)
{
	u64 end;

	if (!r->size || r->size > TB)
		return -EINVAL;
	if (r->gpa % PAGE_SIZE || r->hpa % PAGE_SIZE || r->size % PAGE_SIZE)
		return -EINVAL;
	if (check_add_overflow(r->gpa, r->size, &end) ||
	    check_add_overflow(r->hpa, r->size, &end))
		return -EINVAL;
	if (bits < 64 && end > BIT_ULL(bits))
		return -EINVAL;
	switch (region_intersects(r->hpa, r->size, IORESOURCE_SYSTEM_RAM,
				  IORES_DESC_NONE)) {
	case REGION_DISJOINT:
		return 0;
	case REGION_INTERSECTS:
		return allow_ram ? 0 : -EPERM;
	default:
		return -EINVAL;
	}
}

static bool overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	/* Both ranges are known not to wrap. */
	return a < b + blen && b < a + alen;
}

static int ref_create(unsigned int bits, bool allow_ram)
{
	unsigned int i, j;
	int ret;

	if (!uz.zone_id || uz.zone_id > HVV_MAX_ZONE_ID)
		return -EINVAL;
	if (!uz.nr_regions || uz.nr_regions > HVV_MAX_REGIONS)
		return -EINVAL;
	for (i = 0; i < uz.nr_regions; i++) {
		const struct hvv_mem_region *a = &uz.regions[i];

		ret = ref_region(a, bits, allow_ram);
		if (ret)
			return ret;
		for (j = 0; j < i; j++) {
			const struct hvv_mem_region *b = &uz.regions[j];

			if (overlap(a->gpa, a->size, b->gpa, b->size) ||
			    overlap(a->hpa, a->size, b->hpa, b->size))
				return -EINVAL;
		}
	}
	return 0;
}

/* --- the model of hvv_zone_translate() --- */

static void *ref_translate(u64 gpa, u64 len, u64 *avail)
{
	unsigned int i;

	for (i = 0; i < uz.nr_regions; i++) {
		const struct hvv_mem_region *r = &uz.regions[i];
		u64 off = gpa - r->gpa, left = r->size - off;

		if (gpa < r->gpa || off >= r->size)
			continue;
		if (avail)
			*avail = len < left ? len : left;
		else if (len > left)
			return NULL;
		/* A fake mapping: hpa + PAGE_SIZE (linux/io.h). */
		return (char *)(uintptr_t)(r->hpa + PAGE_SIZE) + off;
	}
	return NULL;
}

static void check_zone(const struct hvv_zone *zone)
{
	unsigned int i, j;

	fuzz_assert(zone->id == uz.zone_id);
	fuzz_assert(zone->nr_regions == uz.nr_regions);
	for (i = 0; i < zone->nr_regions; i++) {
		const struct hvv_region *r = &zone->regions[i];

		if (i)
			fuzz_assert(r->gpa > zone->regions[i - 1].gpa);
		for (j = 0; j < uz.nr_regions; j++)
			if (uz.regions[j].gpa == r->gpa)
				break;
		fuzz_assert(j < uz.nr_regions);
		fuzz_assert(uz.regions[j].hpa == r->hpa);
		fuzz_assert(uz.regions[j].size == r->size);
		fuzz_assert(r->va == (char *)(uintptr_t)(r->hpa + PAGE_SIZE));
	}
}

static void query(struct fdp *f, const struct hvv_zone *zone)
{
	const struct hvv_mem_region *r = &uz.regions[fdp_u8(f) % uz.nr_regions];
	static const s64 deltas[] = { -1, 0, 1, PAGE_SIZE - 1, PAGE_SIZE };
	u64 gpa, len, got_avail = ~0ULL, want_avail = ~0ULL;
	unsigned int sel = fdp_u8(f);
	bool with_avail = sel & 1;
	void *got, *want;

	sel >>= 1;
	if (sel < 40)
		gpa = r->gpa + deltas[sel % ARRAY_SIZE(deltas)];
	else if (sel < 80)
		gpa = r->gpa + r->size + deltas[sel % ARRAY_SIZE(deltas)];
	else if (sel < 120)
		gpa = r->gpa + fdp_u64(f) % (r->size ? r->size : 1);
	else
		gpa = fdp_u64(f);
	sel = fdp_u8(f);
	if (sel < 64)
		len = sel % 4;
	else if (sel < 128)
		len = r->gpa + r->size - gpa + (s64)(sel % 3) - 1;
	else if (sel < 224)
		len = fdp_u32(f);
	else
		len = fdp_u64(f);
	want = ref_translate(gpa, len, with_avail ? &want_avail : NULL);
	got = hvv_zone_translate(zone, gpa, len, with_avail ? &got_avail : NULL);
	fuzz_assert(got == want);
	if (with_avail && want)
		fuzz_assert(got_avail == want_avail);
	if (!want)
		fuzz_assert(got_avail == ~0ULL);
}

int fuzz_one_input(const u8 *data, size_t size)
{
	unsigned int i, n, bits, sel, nr_ram;
	struct hvv_zone *zone;
	bool allow_ram;
	u64 ram_at = 0;
	int want;
	struct fdp f;

	fdp_init(&f, data, size);
	hv_shim_reset();
	hv_shim_fake_from = 0;
	memset(&uz, 0, sizeof(uz));
	sel = fdp_u8(&f);
	uz.zone_id = sel < 240 ? 1 + sel % HVV_MAX_ZONE_ID : fdp_u32(&f);
	sel = fdp_u8(&f);
	uz.nr_regions = sel < 224 ? 1 + sel % 6 : fdp_u8(&f) % 70;
	n = min_t(unsigned int, uz.nr_regions, HVV_MAX_REGIONS);
	for (i = 0; i < n; i++) {
		uz.regions[i].gpa = pick_addr(&f);
		uz.regions[i].hpa = pick_addr(&f);
		uz.regions[i].size = pick_size(&f);
	}
	sel = fdp_u8(&f);
	hv_shim_phys_bits = sel < 192 ? 46 : 32 + sel % 33;
	bits = hv_shim_phys_bits;
	allow_ram = fdp_u8(&f) & 1;
	for (nr_ram = fdp_u8(&f) % 4; nr_ram > 0; nr_ram--) {
		ram_at += (u64)(fdp_u8(&f) % 16) * PAGE_SIZE;
		sel = 1 + fdp_u8(&f) % 16;
		hv_shim_add_system_ram(ram_at, sel * PAGE_SIZE);
		ram_at += sel * PAGE_SIZE;
	}
	want = ref_create(bits, allow_ram);
	sel = fdp_u8(&f);
	if (!want && sel >= 240) {
		/* Allocation, or the mapping of one region, fails. */
		if (sel & 1)
			hv_shim_fail_alloc = 1;
		else
			hv_shim_fail_map = 1 + sel % uz.nr_regions;
		want = -ENOMEM;
	}
	zone = hvv_zone_create(&uz, allow_ram);
	if (want) {
		fuzz_assert(IS_ERR(zone) && PTR_ERR(zone) == want);
		fuzz_assert(hv_shim_live_maps() == 0);
		return 0;
	}
	fuzz_assert(!IS_ERR(zone));
	fuzz_assert(hv_shim_live_maps() == uz.nr_regions);
	check_zone(zone);
	for (i = 0; i < 64 && fdp_more(&f); i++)
		query(&f, zone);
	hvv_zone_destroy(zone);
	fuzz_assert(hv_shim_live_maps() == 0);
	return 0;
}
