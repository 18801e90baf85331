/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisorctl - parsing of numbers, memory lists, MAC addresses and device
 * keys. Every parser returns NULL on success or a message saying what is
 * wrong with the value (without naming the argument: the caller does).
 */
#ifndef HVISORCTL_PARSE_H
#define HVISORCTL_PARSE_H

#include <stddef.h>
#include <linux/types.h>

#include "hvisorctl.h"

const char *parse_u64(const char *s, __u64 *out);
const char *parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);
const char *parse_mac(const char *s, __u8 mac[6]);
const char *parse_dev_name(const char *s);
const char *parse_zone_id(const char *s, __u32 *out);
/* A network interface name (tap=), without looking it up. */
const char *check_ifname(const char *s);

/* GPA:HPA:SIZE[,GPA:HPA:SIZE...] appended to @regs (*nr used of @max). */
const char *parse_mem_list(const char *s, struct hvv_mem_region *regs,
			   __u32 *nr, __u32 max);
const char *check_region(const struct hvv_mem_region *r);
int ranges_overlap(__u64 a, __u64 alen, __u64 b, __u64 blen);
const char *check_regions(const struct hvv_mem_region *regs, __u32 nr);

/* Device keys, as in "hvisorctl add blk irq=78 img=disk.img". */
enum dev_key {
	DK_ZONE,
	DK_ADDR,
	DK_LEN,
	DK_IRQ,
	DK_IMG,
	DK_RO,
	DK_QUEUES,
	DK_SERIAL,
	DK_TAP,
	DK_MAC,
	DK_MTU,
	DK_NR
};

#define DEV_LEN_DEFAULT		0x200

extern const char *const dev_key_name[DK_NR];

int dev_type_lookup(const char *name);
int dev_type_foreign(const char *name);
int dev_key_lookup(const char *name, size_t len);
int dev_key_valid(unsigned int type, int key);

/*
 * Build @spec from the values of @val (NULL: not given) for a device of
 * @type. On error, *bad_key is the key at fault; the message is "missing"
 * for a required key that was not given.
 */
const char *dev_spec_build(struct dev_spec *spec, unsigned int type,
			   const char *const val[DK_NR], int *bad_key);

#endif /* HVISORCTL_PARSE_H */
