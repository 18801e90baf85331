// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: hvisorctl's value parsers (tools/hvisorctl/parse.c):
 * numbers, zone ids, MAC addresses, device names, memory lists and
 * device key=value sets. The first byte picks the parser; the rest is
 * its text (key=value pairs one per line). A parser either refuses with
 * a message or accepts a value that satisfies what it promises, and what
 * it accepted, printed back, is accepted again as the same value.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdp.h"
#include "hvisorctl.h"
#include "module_limits.h"
#include "parse.h"

static struct hvv_mem_region regs[HVV_MAX_REGIONS];

static void check_u64(const char *s)
{
	char buf[32];
	__u64 v, w;

	if (parse_u64(s, &v))
		return;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	fuzz_assert(!parse_u64(buf, &w) && w == v);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	fuzz_assert(!parse_u64(buf, &w) && w == v);
}

static void check_u32(const char *s, __u32 min, __u32 max)
{
	__u32 v = 0xdeadbeef;

	if (!parse_u32(s, min, max, &v))
		fuzz_assert(v >= min && v <= max);
	else
		fuzz_assert(v == 0xdeadbeef);
}

static void check_mac(const char *s)
{
	__u8 mac[6], again[6];
	char buf[24];
	int i, nonzero = 0;

	if (parse_mac(s, mac))
		return;
	fuzz_assert(!(mac[0] & 1));
	for (i = 0; i < 6; i++)
		nonzero |= mac[i];
	fuzz_assert(nonzero);
	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0],
		 mac[1], mac[2], mac[3], mac[4], mac[5]);
	fuzz_assert(!parse_mac(buf, again) && !memcmp(mac, again, 6));
	snprintf(buf, sizeof(buf), "%u,%u,%u,%u,%u,%u", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	fuzz_assert(!parse_mac(buf, again) && !memcmp(mac, again, 6));
}

static void check_name(const char *s)
{
	if (parse_dev_name(s))
		return;
	fuzz_assert(*s && strlen(s) < HVV_NAME_LEN && !strchr(s, '/'));
	fuzz_assert(strcmp(s, ".") && strcmp(s, ".."));
}

static void check_mem(const char *s, __u32 max)
{
	__u32 nr = 0, i, j;
	const char *msg;
	int overlap = 0;

	msg = parse_mem_list(s, regs, &nr, max);
	fuzz_assert(nr <= max);
	if (msg) {
		fuzz_assert(*msg);
		return;
	}
	fuzz_assert(nr >= 1);
	for (i = 0; i < nr; i++) {
		fuzz_assert(!check_region(&regs[i]));
		fuzz_assert(regs[i].size && regs[i].size <= LIMIT_REGION_SIZE);
		for (j = 0; j < i; j++)
			overlap |= ranges_overlap(regs[i].gpa, regs[i].size,
						  regs[j].gpa, regs[j].size) ||
				   ranges_overlap(regs[i].hpa, regs[i].size,
						  regs[j].hpa, regs[j].size);
	}
	fuzz_assert(!check_regions(regs, nr) == !overlap);
}

/* "key=value" lines for a device of the type picked by @t. */
static void check_dev(char *text, unsigned int t)
{
	const char *val[DK_NR] = { NULL };
	struct dev_spec spec;
	const char *msg;
	char *line, *eq;
	int k, bad = -1;

	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		eq = strchr(line, '=');
		if (!eq)
			continue;
		k = dev_key_lookup(line, (size_t)(eq - line));
		if (k >= 0 && !val[k])
			val[k] = eq + 1;
	}
	msg = dev_spec_build(&spec, t, val, &bad);
	if (msg) {
		fuzz_assert(*msg && bad >= 0 && bad < DK_NR);
		return;
	}
	fuzz_assert(val[DK_ZONE] && val[DK_ADDR] && val[DK_IRQ]);
	fuzz_assert(spec.dev.type == t && spec.dev.backend_fd == -1);
	fuzz_assert(spec.dev.zone_id >= 1 &&
		    spec.dev.zone_id <= HVV_MAX_ZONE_ID);
	fuzz_assert(spec.dev.addr && !(spec.dev.addr % LIMIT_DEV_ADDR_ALIGN));
	fuzz_assert(spec.dev.len >= LIMIT_DEV_MIN_LEN &&
		    spec.dev.len <= LIMIT_DEV_MAX_LEN);
	fuzz_assert(spec.dev.addr + spec.dev.len > spec.dev.addr);
	fuzz_assert(spec.dev.irq >= 1);
	fuzz_assert(spec.dev.queues <= LIMIT_BLK_QUEUES);
	fuzz_assert(!(spec.dev.flags & ~HVV_DEV_F_ALL));
	fuzz_assert(t != HVV_DEV_BLK || !(spec.dev.blk.flags & ~HVV_BLK_F_ALL));
	fuzz_assert(t != HVV_DEV_NET || !(spec.dev.net.flags & ~HVV_NET_F_ALL));
	/* a console's part of the union: nothing is set in it */
	for (k = 0; t == HVV_DEV_CONSOLE && k < (int)ARRAY_SIZE(spec.dev.reserved);
	     k++)
		fuzz_assert(!spec.dev.reserved[k]);
	fuzz_assert(t != HVV_DEV_BLK || (spec.img && *spec.img));
	fuzz_assert(t != HVV_DEV_NET || (spec.tap && *spec.tap));
	for (k = 0; k < DK_NR; k++)
		fuzz_assert(!val[k] || dev_key_valid(t, k));
}

int fuzz_one_input(const unsigned char *data, size_t size)
{
	unsigned int sel, a, b;
	char *s;
	__u32 id;
	struct fdp f;

	fdp_init(&f, data, size);
	sel = fdp_u8(&f);
	a = fdp_u32(&f);
	b = fdp_u32(&f);
	s = malloc(f.left + 1);
	if (!s)
		return 0;
	memcpy(s, f.p, f.left);
	s[f.left] = '\0';
	switch (sel % 7) {
	case 0:
		check_u64(s);
		break;
	case 1:
		check_u32(s, a < b ? a : b, a < b ? b : a);
		break;
	case 2:
		check_mac(s);
		break;
	case 3:
		check_name(s);
		break;
	case 4:
		if (!parse_zone_id(s, &id))
			fuzz_assert(id >= 1 && id <= HVV_MAX_ZONE_ID);
		break;
	case 5:
		check_mem(s, a % (HVV_MAX_REGIONS + 1));
		break;
	default:
		check_dev(s, b % 5);
		break;
	}
	free(s);
	return 0;
}
