// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - parsing of numbers, memory lists, MAC addresses and device
 * keys.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "module_limits.h"
#include "parse.h"

/* Messages that carry a value are formatted here (one at a time). */
static char msgbuf[256];

const char *parse_u64(const char *s, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (!*s)
		return "empty value";
	if (*s == '-')
		return "negative";
	if (!isdigit((unsigned char)*s))
		return "not a number";
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return "out of range (more than 64 bits)";
	if (*end) {
		if (s[0] == '0' && isdigit((unsigned char)s[1]))
			return "not a number (a leading 0 means octal)";
		return "not a number";
	}
	*out = v;
	return NULL;
}

const char *parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	const char *msg;
	__u64 v;

	msg = parse_u64(s, &v);
	if (msg)
		return msg;
	if (v < min) {
		if (min == 1)
			return "must not be 0";
		snprintf(msgbuf, sizeof(msgbuf), "too small (min %u)", min);
		return msgbuf;
	}
	if (v > max) {
		snprintf(msgbuf, sizeof(msgbuf), "too large (max %u)", max);
		return msgbuf;
	}
	*out = (__u32)v;
	return NULL;
}

const char *parse_zone_id(const char *s, __u32 *out)
{
	const char *msg;
	__u32 v;

	msg = parse_u32(s, 0, HVV_MAX_ZONE_ID, &v);
	if (msg)
		return msg;
	if (v == 0)
		return "zone 0 is the root zone (expected 1..31)";
	*out = v;
	return NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hvisor-tool's list form, one number per byte: 0x00,0x16,0x3e,... */
static const char *parse_mac_list(const char *s, __u8 mac[6])
{
	char buf[64], tmp[64], *p, *comma;
	const char *msg;
	__u32 v;
	int i;

	if (strlen(s) >= sizeof(buf))
		return "expected xx:xx:xx:xx:xx:xx";
	strcpy(buf, s);
	p = buf;
	for (i = 0; i < 6; i++) {
		comma = strchr(p, ',');
		if (i < 5 && !comma)
			return "expected 6 bytes";
		if (i == 5 && comma)
			return "expected 6 bytes";
		if (comma)
			*comma = '\0';
		msg = parse_u32(p, 0, 255, &v);
		if (msg) {
			snprintf(tmp, sizeof(tmp), "%s", msg);
			snprintf(msgbuf, sizeof(msgbuf), "byte %d: %s",
				 i + 1, tmp);
			return msgbuf;
		}
		mac[i] = (__u8)v;
		if (comma)	/* the last byte has none */
			p = comma + 1;
	}
	return NULL;
}

const char *parse_mac(const char *s, __u8 mac[6])
{
	const char *msg;
	int i, hi, lo;

	if (!*s)
		return "empty value";
	if (strchr(s, ',')) {
		msg = parse_mac_list(s, mac);
		if (msg)
			return msg;
	} else {
		if (strlen(s) != 17)
			return "expected xx:xx:xx:xx:xx:xx";
		for (i = 0; i < 6; i++) {
			hi = hexval((unsigned char)s[3 * i]);
			lo = hexval((unsigned char)s[3 * i + 1]);
			if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
				return "expected xx:xx:xx:xx:xx:xx";
			mac[i] = (__u8)(hi << 4 | lo);
		}
	}
	if (mac[0] & 1)
		return "multicast address (the first byte must be even)";
	for (i = 0; i < 6; i++)
		if (mac[i])
			return NULL;
	return "all-zero address";
}

const char *parse_dev_name(const char *s)
{
	if (!*s)
		return "empty name";
	if (strlen(s) >= HVV_NAME_LEN)
		return "name too long (max 31 characters)";
	if (strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, ".."))
		return "not a device name";
	return NULL;
}

static unsigned long page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (unsigned long)ps : 4096;
}

const char *check_region(const struct hvv_mem_region *r)
{
	unsigned long ps = page_size();

	if (r->size == 0)
		return "SIZE must not be 0";
	if (r->size > LIMIT_REGION_SIZE) {
		snprintf(msgbuf, sizeof(msgbuf),
			 "SIZE 0x%llx too large (max 0x%llx, %s)",
			 (unsigned long long)r->size, LIMIT_REGION_SIZE,
			 LIMIT_REGION_SIZE_TEXT);
		return msgbuf;
	}
	if (r->gpa % ps || r->hpa % ps || r->size % ps) {
		snprintf(msgbuf, sizeof(msgbuf),
			 "%s 0x%llx is not page aligned (0x%lx)",
			 r->gpa % ps ? "GPA" : r->hpa % ps ? "HPA" : "SIZE",
			 (unsigned long long)(r->gpa % ps ? r->gpa :
					      r->hpa % ps ? r->hpa : r->size),
			 ps);
		return msgbuf;
	}
	if (r->gpa + r->size < r->gpa)
		return "GPA+SIZE wraps around";
	if (r->hpa + r->size < r->hpa)
		return "HPA+SIZE wraps around";
	return NULL;
}

int ranges_overlap(__u64 a, __u64 alen, __u64 b, __u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Within one zone; hvv_zone_create() refuses both overlaps. */
const char *check_regions(const struct hvv_mem_region *regs, __u32 nr)
{
	const struct hvv_mem_region *a, *b;
	__u32 i, j;

	for (i = 0; i < nr; i++) {
		for (j = i + 1; j < nr; j++) {
			a = &regs[i];
			b = &regs[j];
			if (ranges_overlap(a->gpa, a->size, b->gpa, b->size)) {
				snprintf(msgbuf, sizeof(msgbuf),
					 "regions %u and %u overlap (GPA 0x%llx and 0x%llx)",
					 i + 1, j + 1,
					 (unsigned long long)a->gpa,
					 (unsigned long long)b->gpa);
				return msgbuf;
			}
			if (ranges_overlap(a->hpa, a->size, b->hpa, b->size)) {
				snprintf(msgbuf, sizeof(msgbuf),
					 "regions %u and %u overlap (HPA 0x%llx and 0x%llx)",
					 i + 1, j + 1,
					 (unsigned long long)a->hpa,
					 (unsigned long long)b->hpa);
				return msgbuf;
			}
		}
	}
	return NULL;
}

/* One GPA:HPA:SIZE entry of @len bytes at @s. */
static const char *parse_region(const char *s, size_t len,
				struct hvv_mem_region *r)
{
	static const char *const field[3] = { "GPA", "HPA", "SIZE" };
	char buf[128], *p, *colon;
	__u64 v[3];
	const char *msg;
	int i;

	if (len == 0)
		return "empty entry in the list";
	if (len >= sizeof(buf))
		return "entry too long";
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = buf;
	for (i = 0; i < 3; i++) {
		colon = strchr(p, ':');
		if ((i < 2 && !colon) || (i == 2 && colon))
			return "expected GPA:HPA:SIZE";
		if (colon)
			*colon = '\0';
		msg = parse_u64(p, &v[i]);
		if (msg) {
			snprintf(msgbuf, sizeof(msgbuf), "%s: %s",
				 field[i], msg);
			return msgbuf;
		}
		if (colon)	/* SIZE, the last field, has none */
			p = colon + 1;
	}
	r->gpa = v[0];
	r->hpa = v[1];
	r->size = v[2];
	return check_region(r);
}

const char *parse_mem_list(const char *s, struct hvv_mem_region *regs,
			   __u32 *nr, __u32 max)
{
	int several = !!strchr(s, ',');
	const char *msg, *end;
	char tmp[128];
	size_t len, n;

	if (!*s)
		return "empty value";
	for (;;) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		if (*nr >= max) {
			snprintf(msgbuf, sizeof(msgbuf),
				 "too many regions (max %u)", max);
			return msgbuf;
		}
		msg = parse_region(s, len, &regs[*nr]);
		if (msg) {
			if (!several || !len)
				return msg;
			n = strlen(msg);
			if (n >= sizeof(tmp))
				n = sizeof(tmp) - 1;
			memcpy(tmp, msg, n);
			tmp[n] = '\0';
			snprintf(msgbuf, sizeof(msgbuf), "%.*s: %s",
				 (int)(len > 64 ? 64 : len), s, tmp);
			return msgbuf;
		}
		(*nr)++;
		if (!end)
			return NULL;
		s = end + 1;
	}
}

/* Device keys. */

#define T(x)		(1U << (x))
#define T_ALL		(T(HVV_DEV_NET) | T(HVV_DEV_BLK) | T(HVV_DEV_CONSOLE))

const char *const dev_key_name[DK_NR] = {
	[DK_ZONE]	= "zone",
	[DK_ADDR]	= "addr",
	[DK_LEN]	= "len",
	[DK_IRQ]	= "irq",
	[DK_IMG]	= "img",
	[DK_RO]		= "ro",
	[DK_QUEUES]	= "queues",
	[DK_SERIAL]	= "serial",
	[DK_TAP]	= "tap",
	[DK_MAC]	= "mac",
	[DK_MTU]	= "mtu",
};

static const unsigned int dev_key_types[DK_NR] = {
	[DK_ZONE]	= T_ALL,
	[DK_ADDR]	= T_ALL,
	[DK_LEN]	= T_ALL,
	[DK_IRQ]	= T_ALL,
	[DK_IMG]	= T(HVV_DEV_BLK),
	[DK_RO]		= T(HVV_DEV_BLK),
	[DK_QUEUES]	= T(HVV_DEV_BLK) | T(HVV_DEV_NET),
	[DK_SERIAL]	= T(HVV_DEV_BLK),
	[DK_TAP]	= T(HVV_DEV_NET),
	[DK_MAC]	= T(HVV_DEV_NET),
	[DK_MTU]	= T(HVV_DEV_NET),
};

int dev_type_lookup(const char *name)
{
	if (!strcmp(name, "console"))
		return HVV_DEV_CONSOLE;
	if (!strcmp(name, "blk"))
		return HVV_DEV_BLK;
	if (!strcmp(name, "net"))
		return HVV_DEV_NET;
	return -1;
}

/* hvisor-tool's device types that hvisor_vhost does not have at all */
int dev_type_foreign(const char *name)
{
	return !strcmp(name, "gpu") || !strcmp(name, "scmi");
}

int dev_key_lookup(const char *name, size_t len)
{
	int k;

	/* hvisor-tool's historic --device syntax spelled it zone_id */
	if (len == 7 && !strncmp(name, "zone_id", 7))
		return DK_ZONE;
	for (k = 0; k < DK_NR; k++)
		if (strlen(dev_key_name[k]) == len &&
		    !strncmp(name, dev_key_name[k], len))
			return k;
	return -1;
}

int dev_key_valid(unsigned int type, int key)
{
	return type < 32 && (dev_key_types[key] & T(type));
}

/* What the kernel's dev_valid_name() accepts: IFNAMSIZ includes the NUL. */
const char *check_ifname(const char *s)
{
	const char *p;

	if (!*s)
		return "empty value";
	if (strlen(s) > 15)
		return "interface name too long (max 15 characters)";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "not an interface name";
	for (p = s; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return "not an interface name";
	return NULL;
}

/* queues= of a net device: queue pairs. */
static const char *net_queues(const char *v, __u32 *out)
{
	return parse_u32(v, 1, LIMIT_NET_QUEUES, out);
}

static const char *check_serial(const char *s)
{
	const char *p;

	if (!*s)
		return "empty value";
	if (strlen(s) > HVV_SERIAL_LEN)
		return "too long (max 20 bytes)";
	for (p = s; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return "not printable ASCII";
	return NULL;
}

static int required(unsigned int type, int key)
{
	switch (key) {
	case DK_ZONE:
	case DK_ADDR:
	case DK_IRQ:
		return 1;
	case DK_IMG:
		return type == HVV_DEV_BLK;
	case DK_TAP:
		return type == HVV_DEV_NET;
	default:
		return 0;
	}
}

static const char *build_key(struct dev_spec *spec, int key, const char *v)
{
	struct hvv_dev_config *d = &spec->dev;
	const char *msg;

	switch (key) {
	case DK_ZONE:
		return parse_zone_id(v, &d->zone_id);
	case DK_ADDR:
		msg = parse_u64(v, &d->addr);
		if (!msg && d->addr == 0)
			msg = "must not be 0";
		if (!msg && d->addr % LIMIT_DEV_ADDR_ALIGN) {
			snprintf(msgbuf, sizeof(msgbuf),
				 "not %u-byte aligned", LIMIT_DEV_ADDR_ALIGN);
			msg = msgbuf;
		}
		return msg;
	case DK_LEN:
		msg = parse_u64(v, &d->len);
		if (msg)
			return msg;
		if (d->len < LIMIT_DEV_MIN_LEN) {
			snprintf(msgbuf, sizeof(msgbuf), "too small (min 0x%x)",
				 LIMIT_DEV_MIN_LEN);
			return msgbuf;
		}
		if (d->len > LIMIT_DEV_MAX_LEN) {
			snprintf(msgbuf, sizeof(msgbuf), "too large (max 0x%x)",
				 LIMIT_DEV_MAX_LEN);
			return msgbuf;
		}
		if (d->addr + d->len < d->addr)
			return "addr+len wraps around";
		return NULL;
	case DK_IRQ:
		return parse_u32(v, 1, 0xffffffffU, &d->irq);
	case DK_IMG:
		spec->img = v;
		return *v ? NULL : "empty value";
	case DK_RO:
		if (strcmp(v, "0") && strcmp(v, "1"))
			return "expected 0 or 1";
		if (*v == '1')
			d->blk.flags |= HVV_BLK_F_RO;
		return NULL;
	case DK_QUEUES:
		if (d->type == HVV_DEV_NET)
			return net_queues(v, &d->queues);
		return parse_u32(v, 1, LIMIT_BLK_QUEUES, &d->queues);
	case DK_SERIAL:
		msg = check_serial(v);
		if (!msg)
			memcpy(d->blk.serial, v, strlen(v));
		return msg;
	case DK_TAP:
		spec->tap = v;
		return check_ifname(v);
	case DK_MAC:
		d->net.flags |= HVV_NET_F_MAC;
		return parse_mac(v, d->net.mac);
	case DK_MTU:
		return parse_u32(v, LIMIT_NET_MIN_MTU, LIMIT_NET_MAX_MTU,
				 &d->net.mtu);
	}
	return "unknown key";
}

const char *dev_spec_build(struct dev_spec *spec, unsigned int type,
			   const char *const val[DK_NR], int *bad_key)
{
	const char *msg;
	int k;

	memset(spec, 0, sizeof(*spec));
	spec->dev.type = type;
	spec->dev.backend_fd = -1;
	spec->dev.len = DEV_LEN_DEFAULT;
	/* wrong values first, then missing keys */
	for (k = 0; k < DK_NR; k++) {
		*bad_key = k;
		if (!val[k])
			continue;
		if (!dev_key_valid(type, k))
			return "not valid for this device type";
		msg = build_key(spec, k, val[k]);
		if (msg)
			return msg;
	}
	for (k = 0; k < DK_NR; k++) {
		*bad_key = k;
		if (!val[k] && required(type, k))
			return "missing";
	}
	/* the default len was not checked against addr */
	if (spec->dev.addr + spec->dev.len < spec->dev.addr) {
		*bad_key = DK_ADDR;
		return "addr+len wraps around";
	}
	return NULL;
}
