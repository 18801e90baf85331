// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - "hvisorctl load virtio_cfg.json": hvisor-tool's virtio
 * configuration file. The whole file is checked first, then every backend
 * is opened (but for the taps that load --replace frees, see
 * open_backends()), then zones and devices are added; if an ioctl fails,
 * what this run added is removed again.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "devargs.h"
#include "hvisorctl.h"
#include "json.h"
#include "module_limits.h"
#include "parse.h"
#include "tap.h"

#define CFG_MAX_DEVS	256

struct cfg_dev {
	struct dev_spec spec;
	char where[64];		/* zones[I].devices[J] */
	int created;
	int deferred;		/* its tap opened once --replace removed its holder */
};

/* An enabled device of a type the module does not serve. */
struct cfg_unserved {
	char where[64];		/* zones[I].devices[J] */
	const struct json_value *type;	/* its "type" value */
};

struct cfg {
	const char *cmd;	/* "load", "unload", "virtio start" */
	const char *file;	/* NULL: the command line */
	int shared_ram;		/* --allow-shared-ram */
	int replace;		/* --replace */
	int replaced;		/* zones removed by --replace */
	struct hvv_zone_config zones[HVV_MAX_ZONE_ID];
	char zone_where[HVV_MAX_ZONE_ID][32];
	unsigned int nr_zones;
	int zone_added[HVV_MAX_ZONE_ID];
	/* virtio start --device, no --mem: hvisor-tool's default RAM */
	int zone_implied[HVV_MAX_ZONE_ID];
	struct cfg_dev devs[CFG_MAX_DEVS];
	unsigned int nr_devs;
	char skipped[CFG_MAX_DEVS][128];
	unsigned int nr_skipped;
	struct cfg_unserved unserved[CFG_MAX_DEVS];
	unsigned int nr_unserved;
};

/* "CMD: FILE: WHERE", or "CMD: WHERE" for the command line. */
static const char *cfg_ctx(const struct cfg *cfg, char *buf, size_t len,
			   const char *where)
{
	if (cfg->file)
		snprintf(buf, len, "%s: %s: %s", cfg->cmd, cfg->file, where);
	else
		snprintf(buf, len, "%s: %s", cfg->cmd, where);
	return buf;
}

static __printf(4, 5) void cfg_err(const struct cfg *cfg, const struct json_value *v,
		    const char *where, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_msg("%s: %s:%u:%u: %s: %s", cfg->cmd, cfg->file, v->line, v->col,
		where, msg);
}

/*
 * hvisor-tool ignores the keys it does not know: so does load, with a
 * warning. @type: the key is one of other device types than @type.
 */
static void key_warn(const struct cfg *cfg, const struct json_value *m,
		     const char *where, const char *type)
{
	if (type)
		err_msg("%s: %s:%u:%u: %s: warning: \"%s\" is not a key of %s devices, ignored",
			cfg->cmd, cfg->file, m->key_line, m->key_col, where,
			m->key, type);
	else
		err_msg("%s: %s:%u:%u: %s: warning: unknown key \"%s\", ignored",
			cfg->cmd, cfg->file, m->key_line, m->key_col, where,
			m->key);
}

/* Warn about keys not in @allowed (NULL terminated). */
static void check_keys(const struct cfg *cfg, const struct json_value *obj,
		       const char *where, const char *const *allowed)
{
	const struct json_value *m;
	const char *const *a;
	size_t i;

	for (i = 0; i < obj->count; i++) {
		m = &obj->items[i];
		for (a = allowed; *a; a++)
			if (!strcmp(*a, m->key))
				break;
		if (!*a)
			key_warn(cfg, m, where, NULL);
	}
}

static int expect_type(const struct cfg *cfg, const struct json_value *v,
		       const char *where, enum json_type type)
{
	if (v->type == type)
		return 0;
	cfg_err(cfg, v, where, "expected %s, got %s", json_type_name(type),
		json_type_name(v->type));
	return -1;
}

/* A number given as a JSON number or as a string (hex, decimal, octal). */
static const char *num_text(const struct cfg *cfg, const struct json_value *v,
			    const char *where)
{
	if (v->type == JSON_NUMBER && strpbrk(v->str, ".eE")) {
		cfg_err(cfg, v, where, "not an integer");
		return NULL;
	}
	if (v->type == JSON_NUMBER || v->type == JSON_STRING)
		return v->str;
	cfg_err(cfg, v, where, "expected a number or a string, got %s",
		json_type_name(v->type));
	return NULL;
}

static int get_u64(const struct cfg *cfg, const struct json_value *obj,
		   const char *where, const char *key, __u64 *out)
{
	const struct json_value *v = json_get(obj, key);
	char w[128];
	const char *s, *msg;

	snprintf(w, sizeof(w), "%s.%s", where, key);
	if (!v) {
		cfg_err(cfg, obj, where, "missing \"%s\"", key);
		return -1;
	}
	s = num_text(cfg, v, w);
	if (!s)
		return -1;
	msg = parse_u64(s, out);
	if (msg) {
		cfg_err(cfg, v, w, "%s", msg);
		return -1;
	}
	return 0;
}

/*
 * One of a region's addresses (@what: "guest-physical", "root-physical").
 * hvisor-tool's parser needs both too, so a file without one is no file
 * for hvisor-tool either (its 3a6000-loongarch64 example has no zone0_ipa).
 */
static int get_region_addr(const struct cfg *cfg, const struct json_value *r,
			   const char *where, const char *key,
			   const char *what, __u64 *out)
{
	if (!json_get(r, key)) {
		cfg_err(cfg, r, where,
			"missing \"%s\" (the region's %s address; hvisor-tool requires it too)",
			key, what);
		return -1;
	}
	return get_u64(cfg, r, where, key, out);
}

static int load_regions(struct cfg *cfg, const struct json_value *arr,
			const char *zwhere, struct hvv_zone_config *zone)
{
	static const char *const keys[] = {
		"zone0_ipa", "zonex_ipa", "size", "type", NULL
	};
	const struct json_value *r, *t;
	struct hvv_mem_region *reg;
	char where[64];
	const char *msg;
	unsigned int i;

	snprintf(where, sizeof(where), "%s.memory_region", zwhere);
	if (expect_type(cfg, arr, where, JSON_ARRAY))
		return -1;
	if (arr->count == 0 || arr->count > HVV_MAX_REGIONS) {
		cfg_err(cfg, arr, where, "expected 1 to %d regions, got %zu",
			HVV_MAX_REGIONS, arr->count);
		return -1;
	}
	for (i = 0; i < arr->count; i++) {
		r = &arr->items[i];
		reg = &zone->regions[i];
		snprintf(where, sizeof(where), "%s.memory_region[%u]", zwhere,
			 i);
		if (expect_type(cfg, r, where, JSON_OBJECT))
			return -1;
		check_keys(cfg, r, where, keys);
		t = json_get(r, "type");
		if (t && expect_type(cfg, t, where, JSON_STRING))
			return -1;
		if (get_region_addr(cfg, r, where, "zonex_ipa", "guest-physical",
				    &reg->gpa) ||
		    get_region_addr(cfg, r, where, "zone0_ipa", "root-physical",
				    &reg->hpa) ||
		    get_u64(cfg, r, where, "size", &reg->size))
			return -1;
		msg = check_region(reg);
		if (msg) {
			cfg_err(cfg, r, where, "%s", msg);
			return -1;
		}
	}
	zone->nr_regions = (__u32)arr->count;
	msg = check_regions(zone->regions, zone->nr_regions);
	if (msg) {
		snprintf(where, sizeof(where), "%s.memory_region", zwhere);
		cfg_err(cfg, arr, where, "%s", msg);
		return -1;
	}
	return 0;
}

/* The mac array of hvisor-tool, one byte per entry, or "xx:xx:..". */
static const char *mac_text(const struct cfg *cfg, const struct json_value *v,
			    const char *where, char *buf, size_t len)
{
	const char *s, *msg;
	char w[160];
	__u32 b;
	unsigned int i;

	if (v->type == JSON_STRING)
		return v->str;
	if (v->type != JSON_ARRAY) {
		cfg_err(cfg, v, where, "expected an array of 6 bytes or a string, got %s",
			json_type_name(v->type));
		return NULL;
	}
	if (v->count != 6) {
		cfg_err(cfg, v, where, "expected 6 bytes, got %zu", v->count);
		return NULL;
	}
	buf[0] = '\0';
	for (i = 0; i < 6; i++) {
		snprintf(w, sizeof(w), "%s[%u]", where, i);
		s = num_text(cfg, &v->items[i], w);
		if (!s)
			return NULL;
		msg = parse_u32(s, 0, 255, &b);
		if (msg) {
			cfg_err(cfg, &v->items[i], w, "%s", msg);
			return NULL;
		}
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%02x",
			 i ? ":" : "", b);
	}
	return buf;
}

static int key_value(const struct cfg *cfg, int k, const struct json_value *v,
		     const char *where, const char **val, char *macbuf,
		     size_t maclen)
{
	switch (k) {
	case DK_MAC:
		*val = mac_text(cfg, v, where, macbuf, maclen);
		break;
	case DK_IMG:
	case DK_TAP:
	case DK_SERIAL:
		if (expect_type(cfg, v, where, JSON_STRING))
			return -1;
		*val = v->str;
		break;
	case DK_RO:
		if (v->type == JSON_BOOL)
			*val = v->boolean ? "1" : "0";
		else
			*val = num_text(cfg, v, where);
		break;
	default:
		*val = num_text(cfg, v, where);
		break;
	}
	return *val ? 0 : -1;
}

/* Named all together once the whole file is read: see report_unserved(). */
static int add_unserved(struct cfg *cfg, const struct json_value *d,
			const char *where, const struct json_value *ty)
{
	struct cfg_unserved *cu;

	if (cfg->nr_unserved >= CFG_MAX_DEVS) {
		cfg_err(cfg, d, where, "too many devices (max %d)",
			CFG_MAX_DEVS);
		return -1;
	}
	cu = &cfg->unserved[cfg->nr_unserved++];
	snprintf(cu->where, sizeof(cu->where), "%s", where);
	cu->type = ty;
	return 0;
}

static int load_device(struct cfg *cfg, const struct json_value *d,
		       const char *where, __u32 zone_id)
{
	const struct json_value *src[DK_NR] = { NULL };
	const char *val[DK_NR] = { NULL };
	const struct json_value *m, *st, *ty;
	char zid[16], macbuf[24], w[128];
	struct cfg_dev *cd;
	const char *msg;
	int type, k;
	size_t i;

	if (expect_type(cfg, d, where, JSON_OBJECT))
		return -1;
	ty = json_get(d, "type");
	st = json_get(d, "status");
	if (!ty || !st) {
		cfg_err(cfg, d, where, "missing \"%s\"", ty ? "status" : "type");
		return -1;
	}
	if (expect_type(cfg, ty, where, JSON_STRING) ||
	    expect_type(cfg, st, where, JSON_STRING))
		return -1;
	if (strcmp(st->str, "enable") && strcmp(st->str, "disable")) {
		snprintf(w, sizeof(w), "%s.status", where);
		cfg_err(cfg, st, w, "expected \"enable\" or \"disable\", got \"%.40s\"",
			st->str);
		return -1;
	}
	if (!strcmp(st->str, "disable")) {
		if (cfg->nr_skipped < CFG_MAX_DEVS)
			snprintf(cfg->skipped[cfg->nr_skipped++], 128,
				 "%s: %.16s disabled, skipped", where, ty->str);
		return 0;
	}
	type = dev_type_lookup(ty->str);
	if (type < 0 && !dev_type_foreign(ty->str)) {
		snprintf(w, sizeof(w), "%s.type", where);
		cfg_err(cfg, ty, w, "unknown device type \"%.40s\" (expected console, blk or net)",
			ty->str);
		return -1;
	}
	if (type < 0)	/* gpu, scmi: their keys are not ours to check */
		return add_unserved(cfg, d, where, ty);
	for (i = 0; i < d->count; i++) {
		m = &d->items[i];
		if (!strcmp(m->key, "type") || !strcmp(m->key, "status"))
			continue;
		k = dev_key_lookup(m->key, strlen(m->key));
		if (k < 0 || k == DK_ZONE) {
			key_warn(cfg, m, where, NULL);
			continue;
		}
		if (!dev_key_valid((unsigned int)type, k)) {
			key_warn(cfg, m, where, ty->str);
			continue;
		}
		snprintf(w, sizeof(w), "%s.%s", where, m->key);
		if (key_value(cfg, k, m, w, &val[k], macbuf, sizeof(macbuf)))
			return -1;
		src[k] = m;
	}
	if (cfg->nr_devs >= CFG_MAX_DEVS) {
		cfg_err(cfg, d, where, "too many devices (max %d)",
			CFG_MAX_DEVS);
		return -1;
	}
	snprintf(zid, sizeof(zid), "%u", zone_id);
	val[DK_ZONE] = zid;
	cd = &cfg->devs[cfg->nr_devs];
	msg = dev_spec_build(&cd->spec, (unsigned int)type, val, &k);
	if (msg) {
		if (!src[k]) {
			cfg_err(cfg, d, where, "missing \"%s\"",
				dev_key_name[k]);
		} else {
			snprintf(w, sizeof(w), "%s.%s", where, src[k]->key);
			cfg_err(cfg, src[k], w, "%s", msg);
		}
		return -1;
	}
	/* a type of ours that the module does not serve yet: checked all the same */
	if (!limit_type_served((unsigned int)type))
		return add_unserved(cfg, d, where, ty);
	snprintf(cd->where, sizeof(cd->where), "%s", where);
	cfg->nr_devs++;
	return 0;
}

/*
 * The module refuses these too, but only after earlier ones were added.
 * The zones of the file are new (adding one that exists fails), so the
 * devices of the file are all the devices of their zones. A tap serves
 * one device, in any zone: a second one would fail to attach to a
 * single-queue tap, and share the flows of a multi-queue one.
 */
static const char *dev_conflict(const struct cfg *cfg, const struct cfg_dev *cd)
{
	const struct hvv_dev_config *a = &cd->spec.dev, *b;
	unsigned int i, in_zone = 0, consoles = 0;
	static char msg[160];

	for (i = 0; cfg->devs + i < cd; i++) {
		b = &cfg->devs[i].spec.dev;
		if (b->type == HVV_DEV_CONSOLE)
			consoles++;
		if (cd->spec.tap && cfg->devs[i].spec.tap &&
		    !strcmp(cd->spec.tap, cfg->devs[i].spec.tap)) {
			snprintf(msg, sizeof(msg),
				 "tap %s already used by %s (one device per tap)",
				 cd->spec.tap, cfg->devs[i].where);
			return msg;
		}
		if (a->zone_id != b->zone_id)
			continue;
		in_zone++;
		if (a->addr < b->addr + b->len && b->addr < a->addr + a->len) {
			snprintf(msg, sizeof(msg),
				 "window 0x%llx+0x%llx overlaps %s",
				 (unsigned long long)a->addr,
				 (unsigned long long)a->len,
				 cfg->devs[i].where);
			return msg;
		}
		if (a->irq == b->irq) {
			snprintf(msg, sizeof(msg), "irq %u already used by %s",
				 a->irq, cfg->devs[i].where);
			return msg;
		}
	}
	/* every device of a zone has an irq of its own (checked above) */
	if (in_zone + 1 > limit_zone_irqs()) {
		snprintf(msg, sizeof(msg),
			 "irq %u: more than %u distinct irqs in zone %u (max_zone_irqs)",
			 a->irq, limit_zone_irqs(), a->zone_id);
		return msg;
	}
	if (a->type == HVV_DEV_CONSOLE && consoles + 1 > LIMIT_CONSOLES) {
		snprintf(msg, sizeof(msg),
			 "more than %u consoles (hvisor_vhost's limit, all zones together)",
			 LIMIT_CONSOLES);
		return msg;
	}
	return NULL;
}

/*
 * Zone RAM is the root-physical memory a zone's drivers point the devices
 * at: two zones sharing some would let one reach the other's memory
 * through its devices. The module cannot tell (it sees one zone at a time).
 */
static int shared_ram(const struct cfg *cfg, const struct hvv_zone_config *zone,
		      unsigned int *ri, unsigned int *zk, unsigned int *rj)
{
	const struct hvv_mem_region *a, *b;
	unsigned int i, k, j;

	for (i = 0; i < zone->nr_regions; i++) {
		a = &zone->regions[i];
		for (k = 0; k < cfg->nr_zones; k++) {
			if (&cfg->zones[k] == zone)
				continue;
			for (j = 0; j < cfg->zones[k].nr_regions; j++) {
				b = &cfg->zones[k].regions[j];
				if (ranges_overlap(a->hpa, a->size, b->hpa,
						   b->size)) {
					*ri = i;
					*zk = k;
					*rj = j;
					return 1;
				}
			}
		}
	}
	return 0;
}

static int check_shared_ram(const struct cfg *cfg, const struct json_value *mr,
			    const char *zwhere, const struct hvv_zone_config *zone)
{
	const struct hvv_mem_region *a;
	unsigned int i, k, j;
	char w[64];

	if (cfg->shared_ram || !shared_ram(cfg, zone, &i, &k, &j))
		return 0;
	a = &zone->regions[i];
	snprintf(w, sizeof(w), "%s.memory_region[%u]", zwhere, i);
	cfg_err(cfg, &mr->items[i], w,
		"HPA 0x%llx+0x%llx overlaps %s.memory_region[%u] of zone %u (load --allow-shared-ram accepts it)",
		(unsigned long long)a->hpa, (unsigned long long)a->size,
		cfg->zone_where[k], j, cfg->zones[k].zone_id);
	return -1;
}

static int load_zone(struct cfg *cfg, const struct json_value *z,
		     unsigned int zi)
{
	static const char *const keys[] = {
		"id", "zone_id", "name", "memory_region", "devices", NULL
	};
	const struct json_value *id, *alt, *devs, *name, *mr;
	struct hvv_zone_config *zone;
	char where[32], w[64];
	const char *s, *msg;
	unsigned int i, j;

	snprintf(where, sizeof(where), "zones[%u]", zi);
	if (expect_type(cfg, z, where, JSON_OBJECT))
		return -1;
	check_keys(cfg, z, where, keys);
	id = json_get(z, "id");
	alt = json_get(z, "zone_id");
	if (id && alt) {
		cfg_err(cfg, alt, where, "both \"id\" and \"zone_id\" given");
		return -1;
	}
	if (!id)
		id = alt;
	if (!id) {
		cfg_err(cfg, z, where, "missing \"id\"");
		return -1;
	}
	name = json_get(z, "name");
	if (name && expect_type(cfg, name, where, JSON_STRING))
		return -1;
	zone = &cfg->zones[cfg->nr_zones];
	memset(zone, 0, sizeof(*zone));
	snprintf(w, sizeof(w), "%s.%s", where, id->key);
	s = num_text(cfg, id, w);
	if (!s)
		return -1;
	msg = parse_zone_id(s, &zone->zone_id);
	if (msg) {
		cfg_err(cfg, id, w, "%s", msg);
		return -1;
	}
	for (i = 0; i < cfg->nr_zones; i++) {
		if (cfg->zones[i].zone_id == zone->zone_id) {
			cfg_err(cfg, id, w, "zone %u already defined by %s",
				zone->zone_id, cfg->zone_where[i]);
			return -1;
		}
	}
	mr = json_get(z, "memory_region");
	if (!mr) {
		cfg_err(cfg, z, where, "missing \"memory_region\"");
		return -1;
	}
	if (load_regions(cfg, mr, where, zone) ||
	    check_shared_ram(cfg, mr, where, zone))
		return -1;
	snprintf(cfg->zone_where[cfg->nr_zones], sizeof(cfg->zone_where[0]),
		 "%s", where);
	cfg->nr_zones++;

	devs = json_get(z, "devices");
	if (!devs)
		return 0;
	snprintf(w, sizeof(w), "%s.devices", where);
	if (expect_type(cfg, devs, w, JSON_ARRAY))
		return -1;
	for (j = 0; j < devs->count; j++) {
		i = cfg->nr_devs;
		snprintf(w, sizeof(w), "%s.devices[%u]", where, j);
		if (load_device(cfg, &devs->items[j], w, zone->zone_id))
			return -1;
		if (cfg->nr_devs <= i)
			continue;
		msg = dev_conflict(cfg, &cfg->devs[i]);
		if (msg) {
			cfg_err(cfg, &devs->items[j], cfg->devs[i].where, "%s",
				msg);
			return -1;
		}
	}
	return 0;
}

static int load_root(struct cfg *cfg, const struct json_value *root)
{
	static const char *const keys[] = { "zones", NULL };
	const struct json_value *zones;
	unsigned int i;

	if (expect_type(cfg, root, "top level", JSON_OBJECT))
		return -1;
	check_keys(cfg, root, "top level", keys);
	zones = json_get(root, "zones");
	if (!zones && json_get(root, "devices")) {
		/* an early format, devices with a "zone_id" and no zones */
		cfg_err(cfg, root, "top level",
			"missing \"zones\" (a top-level \"devices\" array is not read, by current hvisor-tool either: put the devices in zones[].devices, with the zone's \"id\" and \"memory_region\")");
		return -1;
	}
	if (!zones) {
		cfg_err(cfg, root, "top level", "missing \"zones\"");
		return -1;
	}
	if (expect_type(cfg, zones, "zones", JSON_ARRAY))
		return -1;
	if (zones->count == 0 || zones->count > HVV_MAX_ZONE_ID) {
		cfg_err(cfg, zones, "zones", "expected 1 to %d zones, got %zu",
			HVV_MAX_ZONE_ID, zones->count);
		return -1;
	}
	for (i = 0; i < zones->count; i++)
		if (load_zone(cfg, &zones->items[i], i))
			return -1;
	return 0;
}

/* Quote for a shell when needed. */
static void print_word(const char *key, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_./+-:,@%", *p))
			break;
	if (*s && !*p) {
		printf(" %s=%s", key, s);
		return;
	}
	printf(" %s='", key);
	for (p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

static void dry_run(const struct cfg *cfg)
{
	const struct hvv_dev_config *d;
	const struct dev_spec *s;
	unsigned int i, j;
	char serial[HVV_SERIAL_LEN + 1], ctx[160];
	struct stat st;

	for (i = 0; i < cfg->nr_zones; i++) {
		if (cfg->zone_implied[i])
			printf("# zone %u: no --mem: hvisor-tool's RAM, unless it exists\n",
			       cfg->zones[i].zone_id);
		printf("hvisorctl zone add %u mem=", cfg->zones[i].zone_id);
		for (j = 0; j < cfg->zones[i].nr_regions; j++)
			printf("%s0x%llx:0x%llx:0x%llx", j ? "," : "",
			       (unsigned long long)cfg->zones[i].regions[j].gpa,
			       (unsigned long long)cfg->zones[i].regions[j].hpa,
			       (unsigned long long)cfg->zones[i].regions[j].size);
		putchar('\n');
	}
	for (i = 0; i < cfg->nr_devs; i++) {
		s = &cfg->devs[i].spec;
		d = &s->dev;
		/* an image that is not there yet is not an error here */
		if (s->img && !stat(s->img, &st)) {
			img_size_warn(cfg_ctx(cfg, ctx, sizeof(ctx),
					      cfg->devs[i].where), s->img, &st);
		}
		printf("hvisorctl add %s zone=%u addr=0x%llx len=0x%llx irq=%u",
		       dev_type_name(d->type), d->zone_id,
		       (unsigned long long)d->addr,
		       (unsigned long long)d->len, d->irq);
		if (s->img)
			print_word("img", s->img);
		if (d->type == HVV_DEV_BLK && d->blk.flags & HVV_BLK_F_RO)
			printf(" ro=1");
		if (d->queues)
			printf(" queues=%u", d->queues);
		if (d->type == HVV_DEV_BLK && d->blk.serial[0]) {
			memcpy(serial, d->blk.serial, HVV_SERIAL_LEN);
			serial[HVV_SERIAL_LEN] = '\0';
			print_word("serial", serial);
		}
		if (s->tap)
			print_word("tap", s->tap);
		if (d->type == HVV_DEV_NET && d->net.flags & HVV_NET_F_MAC)
			printf(" mac=%02x:%02x:%02x:%02x:%02x:%02x",
			       d->net.mac[0], d->net.mac[1], d->net.mac[2],
			       d->net.mac[3], d->net.mac[4], d->net.mac[5]);
		if (d->type == HVV_DEV_NET && d->net.mtu)
			printf(" mtu=%u", d->net.mtu);
		putchar('\n');
	}
	for (i = 0; i < cfg->nr_skipped; i++)
		printf("# %s\n", cfg->skipped[i]);
	for (i = 0; i < cfg->nr_unserved; i++)
		printf("# %s: %s: not served by hvisor_vhost, set \"status\": \"disable\"\n",
		       cfg->unserved[i].where, cfg->unserved[i].type->str);
}

/* The enabled devices of types the module does not serve: all of them. */
static void report_unserved(const struct cfg *cfg)
{
	const struct cfg_unserved *cu;
	unsigned int i;
	char w[80];

	for (i = 0; i < cfg->nr_unserved; i++) {
		cu = &cfg->unserved[i];
		snprintf(w, sizeof(w), "%s.type", cu->where);
		cfg_err(cfg, cu->type, w, "\"%s\" devices are not served by hvisor_vhost (it serves %s); set \"status\": \"disable\" to skip it",
			cu->type->str, LIMIT_SERVED_TEXT);
	}
}

static void undo_added(struct cfg *cfg, int fd)
{
	struct hvv_zone_id zid;
	struct hvv_dev_name dn;
	char ctx[96];
	int failed = 0;
	unsigned int i;

	for (i = cfg->nr_devs; i-- > 0;) {
		if (!cfg->devs[i].created)
			continue;
		memset(&dn, 0, sizeof(dn));
		memcpy(dn.name, cfg->devs[i].spec.dev.name, HVV_NAME_LEN);
		snprintf(ctx, sizeof(ctx), "%s: rollback: del %s", cfg->cmd,
			 dn.name);
		if (ctl_ioctl(fd, HVV_DEV_DEL, &dn, OP_DEV_DEL, ctx))
			failed = 1;
	}
	for (i = cfg->nr_zones; i-- > 0;) {
		if (!cfg->zone_added[i])
			continue;
		memset(&zid, 0, sizeof(zid));
		zid.zone_id = cfg->zones[i].zone_id;
		snprintf(ctx, sizeof(ctx), "%s: rollback: zone del %u",
			 cfg->cmd, zid.zone_id);
		if (ctl_ioctl(fd, HVV_ZONE_DEL, &zid, OP_ZONE_DEL, ctx))
			failed = 1;
	}
	if (failed)
		err_msg("%s: rollback incomplete, see hvisorctl list", cfg->cmd);
	else
		err_msg("%s: nothing was applied (what this run added was removed)",
			cfg->cmd);
	if (cfg->replaced)
		err_msg("%s: the %d zone%s --replace removed %s not restored",
			cfg->cmd, cfg->replaced, cfg->replaced == 1 ? "" : "s",
			cfg->replaced == 1 ? "is" : "are");
}

/*
 * hvisor-tool's RAM of every zone under its --device syntax (2024):
 * NON_ROOT_PHYS_START and NON_ROOT_PHYS_SIZE of its include/hvisor.h,
 * mapped at the same guest-physical address.
 */
#define COMPAT_MEM_START	0x50000000ULL
#define COMPAT_MEM_SIZE		0x30000000ULL
#define COMPAT_MEM_TEXT		"0x50000000:0x50000000:0x30000000"

static int apply_zones(struct cfg *cfg, int fd)
{
	char ctx[160], where[64];
	unsigned int i;
	int ret;

	for (i = 0; i < cfg->nr_zones; i++) {
		snprintf(where, sizeof(where), "%s: zone add %u",
			 cfg->zone_where[i], cfg->zones[i].zone_id);
		cfg_ctx(cfg, ctx, sizeof(ctx), where);
		/* a zone the devices imply may have been added by hand */
		ret = ctl_ioctl_unless(fd, HVV_ZONE_ADD, &cfg->zones[i],
				       OP_ZONE_ADD, ctx,
				       cfg->zone_implied[i] ? EEXIST : 0);
		if (ret < 0)
			return -1;
		if (ret)
			continue;
		cfg->zone_added[i] = 1;
		if (cfg->zone_implied[i])
			err_msg("%s: zone %u: warning: no --mem, hvisor-tool's RAM: mem=%s",
				cfg->cmd, cfg->zones[i].zone_id,
				COMPAT_MEM_TEXT);
	}
	return 0;
}

/* Zone @zone_id is one of the file's (those --replace removes). */
static int defines_zone(const struct cfg *cfg, __u32 zone_id)
{
	unsigned int i;

	for (i = 0; i < cfg->nr_zones; i++)
		if (cfg->zones[i].zone_id == zone_id)
			return 1;
	return 0;
}

/*
 * Every backend, before anything changes: an image or a tap that cannot
 * be had leaves the zones as they are. The exception: with --replace, a
 * single-queue tap whose queue a net device of a zone being replaced
 * holds (an earlier load of the file) is only free once that zone is
 * removed, so it is opened then (open_deferred()).
 */
static int open_backends(struct cfg *cfg)
{
	struct sysfs_dev holder;
	struct cfg_dev *cd;
	int ret, of_file;
	char ctx[160];
	unsigned int i;

	for (i = 0; i < cfg->nr_devs; i++) {
		cd = &cfg->devs[i];
		cfg_ctx(cfg, ctx, sizeof(ctx), cd->where);
		ret = backend_open_unless_busy(&cd->spec, ctx);
		if (ret < 0)
			return -1;
		if (!ret)
			continue;
		/* A device of one of the file's zones: an earlier load? */
		of_file = !tap_holder(cd->spec.tap, &holder) &&
			  defines_zone(cfg, holder.zone);
		if (!of_file || !cfg->replace) {
			tap_busy_err(ctx, cd->spec.tap);
			if (of_file)
				err_msg("%s: load --replace replaces zone %u, and %s with it",
					ctx, holder.zone, holder.name);
			return -1;
		}
		cd->deferred = 1;
	}
	return 0;
}

/* The taps of the devices --replace removed, released with them. */
static int open_deferred(struct cfg *cfg)
{
	struct cfg_dev *cd;
	char ctx[160];
	unsigned int i;

	for (i = 0; i < cfg->nr_devs; i++) {
		cd = &cfg->devs[i];
		if (cd->deferred &&
		    backend_open(&cd->spec, cfg_ctx(cfg, ctx, sizeof(ctx),
						    cd->where)))
			return -1;
	}
	return 0;
}

static int apply(struct cfg *cfg)
{
	struct cfg_dev *cd;
	unsigned int i;
	char ctx[160], where[96];
	int fd, ret = EXIT_FAIL;

	if (open_backends(cfg))
		goto close;
	fd = ctl_open(cfg->cmd);
	if (fd < 0)
		goto close;
	for (i = 0; cfg->replace && i < cfg->nr_zones; i++) {
		snprintf(where, sizeof(where), "%s: --replace: zone del --force %u",
			 cfg->zone_where[i], cfg->zones[i].zone_id);
		switch (zone_force_del(fd, cfg->zones[i].zone_id,
				       cfg_ctx(cfg, ctx, sizeof(ctx), where), 1)) {
		case 0:
			cfg->replaced++;
			break;
		case 1:		/* not there */
			break;
		default:
			goto undo;
		}
	}
	if (open_deferred(cfg) || apply_zones(cfg, fd))
		goto undo;
	for (i = 0; i < cfg->nr_devs; i++) {
		cd = &cfg->devs[i];
		snprintf(where, sizeof(where), "%s: add %s at 0x%llx",
			 cd->where, dev_type_name(cd->spec.dev.type),
			 (unsigned long long)cd->spec.dev.addr);
		if (dev_add(fd, &cd->spec, cfg_ctx(cfg, ctx, sizeof(ctx),
						   where)))
			goto undo;
		cd->created = 1;
	}
	for (i = 0; i < cfg->nr_devs; i++)
		dev_print_created(&cfg->devs[i].spec.dev);
	ret = 0;
	goto out;
undo:
	undo_added(cfg, fd);
out:
	close(fd);
close:
	for (i = 0; i < cfg->nr_devs; i++)
		backend_close(&cfg->devs[i].spec);
	return ret;
}

/* The file checked, then applied or, with -n, printed. */
static int load_file(struct cfg *cfg, const char *file, int dry)
{
	struct json_value *root;
	char err[512];
	int ret;

	root = json_parse_file(file, err, sizeof(err));
	if (!root) {
		err_msg("%s: %s", cfg->cmd, err);
		return EXIT_USAGE;
	}
	cfg->file = strcmp(file, "-") ? file : JSON_STDIN_NAME;
	if (load_root(cfg, root)) {
		ret = EXIT_USAGE;
	} else if (cfg->nr_unserved) {
		if (dry)
			dry_run(cfg);
		report_unserved(cfg);
		ret = EXIT_USAGE;
	} else if (dry) {
		dry_run(cfg);
		ret = 0;
	} else {
		ret = apply(cfg);
	}
	json_free(root);
	return ret;
}

/* load and virtio start FILE: @argv[0] is the command's last word. */
static int load_main(int argc, char **argv, const char *cmd,
		     const char *usage)
{
	static struct cfg cfg;
	int i, dry = 0, shared_ram = 0, replace = 0;
	const char *file = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") || !strcmp(argv[i], "--dry-run")) {
			dry = 1;
		} else if (!strcmp(argv[i], "--allow-shared-ram")) {
			shared_ram = 1;
		} else if (!strcmp(argv[i], "--replace")) {
			replace = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			err_msg("%s: unknown option '%s'", cmd, argv[i]);
			return EXIT_USAGE;
		} else if (!file) {
			file = argv[i];
		} else {
			err_msg("%s: too many arguments ('%s')", cmd, argv[i]);
			return EXIT_USAGE;
		}
	}
	if (!file) {
		err_msg("%s: missing FILE (usage: %s)", cmd, usage);
		return EXIT_USAGE;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.cmd = cmd;
	cfg.shared_ram = shared_ram;
	cfg.replace = replace;
	return load_file(&cfg, file, dry);
}

int cmd_load(int argc, char **argv)
{
	return load_main(argc, argv, "load",
			 "hvisorctl load [-n] [--allow-shared-ram] [--replace] virtio_cfg.json");
}

/*
 * The device of @cd in the sysfs class: same zone, window base and type
 * (windows of a zone do not overlap).
 */
static const struct sysfs_dev *find_loaded(const struct cfg_dev *cd,
					   const struct sysfs_dev *devs,
					   unsigned int nr)
{
	const struct hvv_dev_config *d = &cd->spec.dev;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (devs[i].zone == d->zone_id && devs[i].addr == d->addr &&
		    devs[i].type == d->type)
			return &devs[i];
	return NULL;
}

/* Remove the devices and zones of the file, as load created them. */
static int unload(struct cfg *cfg)
{
	struct hvv_zone_id zid;
	const struct sysfs_dev *sd;
	struct sysfs_dev *devs;
	struct hvv_dev_name dn;
	char ctx[160], where[96];
	unsigned int i, nr;
	int fd, ret = 0, r, e;

	fd = ctl_open(cfg->cmd);
	if (fd < 0)
		return EXIT_FAIL;
	if (sysfs_devices(&devs, &nr)) {
		e = errno;
		err_msg("%s: %s: %s", cfg->cmd, sysfs_root(), errno_str(e));
		close(fd);
		return EXIT_FAIL;
	}
	for (i = 0; i < cfg->nr_devs; i++) {
		sd = find_loaded(&cfg->devs[i], devs, nr);
		if (!sd)
			continue;	/* removed already */
		memset(&dn, 0, sizeof(dn));
		memcpy(dn.name, sd->name, sizeof(dn.name));
		snprintf(where, sizeof(where), "%s: del %s", cfg->devs[i].where,
			 dn.name);
		r = ctl_ioctl_unless(fd, HVV_DEV_DEL, &dn, OP_DEV_DEL,
				     cfg_ctx(cfg, ctx, sizeof(ctx), where),
				     ENOENT);
		if (r < 0)
			ret = EXIT_FAIL;
		else if (!r)
			printf("%s\n", dn.name);
	}
	free(devs);
	for (i = 0; i < cfg->nr_zones; i++) {
		memset(&zid, 0, sizeof(zid));
		zid.zone_id = cfg->zones[i].zone_id;
		snprintf(where, sizeof(where), "%s: zone del %u",
			 cfg->zone_where[i], zid.zone_id);
		cfg_ctx(cfg, ctx, sizeof(ctx), where);
		/* ENOENT: not there; EBUSY: devices the file does not list */
		if (ctl_ioctl_unless(fd, HVV_ZONE_DEL, &zid, OP_ZONE_DEL, ctx,
				     ENOENT) < 0)
			ret = EXIT_FAIL;
	}
	close(fd);
	return ret;
}

/* unload FILE: what load FILE added, removed. */
int cmd_unload(int argc, char **argv)
{
	static struct cfg cfg;
	struct json_value *root;
	char err[512];
	int ret;

	if (argc != 2 || (argv[1][0] == '-' && argv[1][1])) {
		if (argc == 2)
			err_msg("unload: unknown option '%s'", argv[1]);
		else
			err_msg("unload: %s (usage: hvisorctl unload virtio_cfg.json)",
				argc < 2 ? "missing FILE" : "too many arguments");
		return EXIT_USAGE;
	}
	root = json_parse_file(argv[1], err, sizeof(err));
	if (!root) {
		err_msg("unload: %s", err);
		return EXIT_USAGE;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.cmd = "unload";
	cfg.file = strcmp(argv[1], "-") ? argv[1] : JSON_STDIN_NAME;
	/* devices of types not served were never added: nothing to do */
	ret = load_root(&cfg, root) ? EXIT_USAGE : unload(&cfg);
	json_free(root);
	return ret;
}

/*
 * --mem ZONE=GPA:HPA:SIZE[,...] of virtio start --device. Parsed aside
 * and stored once it is known to be a new zone: the zones given so far
 * may fill @cfg->zones already (every zone once, then a repeat).
 */
static int virtio_mem(struct cfg *cfg, const char *arg)
{
	const char *eq = strchr(arg, '='), *msg;
	struct hvv_zone_config zone;
	char id[16];
	unsigned int i;

	if (!eq || (size_t)(eq - arg) >= sizeof(id)) {
		err_msg("%s: --mem %s: expected ZONE=GPA:HPA:SIZE[,...]",
			cfg->cmd, arg);
		return -1;
	}
	memcpy(id, arg, (size_t)(eq - arg));
	id[eq - arg] = '\0';
	memset(&zone, 0, sizeof(zone));
	msg = parse_zone_id(id, &zone.zone_id);
	if (msg) {
		err_msg("%s: --mem %s: ZONE %s: %s", cfg->cmd, arg, id, msg);
		return -1;
	}
	msg = parse_mem_list(eq + 1, zone.regions, &zone.nr_regions,
			     HVV_MAX_REGIONS);
	if (!msg)
		msg = check_regions(zone.regions, zone.nr_regions);
	if (msg) {
		err_msg("%s: --mem %s: %s", cfg->cmd, arg, msg);
		return -1;
	}
	for (i = 0; i < cfg->nr_zones; i++) {
		if (cfg->zones[i].zone_id == zone.zone_id) {
			err_msg("%s: --mem %s: zone %u already given",
				cfg->cmd, arg, zone.zone_id);
			return -1;
		}
	}
	/* distinct zone IDs, 1 to HVV_MAX_ZONE_ID: there is room */
	if (cfg->nr_zones >= ARRAY_SIZE(cfg->zones)) {
		err_msg("%s: --mem %s: too many zones (max %zu)", cfg->cmd,
			arg, ARRAY_SIZE(cfg->zones));
		return -1;
	}
	cfg->zones[cfg->nr_zones] = zone;
	snprintf(cfg->zone_where[cfg->nr_zones], sizeof(cfg->zone_where[0]),
		 "--mem %u", zone.zone_id);
	cfg->nr_zones++;
	return 0;
}

/* --device TYPE,KEY=VALUE,... of virtio start */
static int virtio_device(struct cfg *cfg, struct dev_args *a, const char *arg)
{
	struct cfg_dev *cd = &cfg->devs[cfg->nr_devs];
	const char *msg;
	char ctx[96];
	int ret;

	snprintf(ctx, sizeof(ctx), "%s: --device %.64s", cfg->cmd, arg);
	ret = dev_args_start(a, ctx, arg);
	if (ret)
		return ret;
	memcpy(a->ctx, ctx, sizeof(a->ctx));
	if (dev_args_rest(a) || dev_args_build(a, &cd->spec))
		return EXIT_USAGE;
	if (!limit_type_served((unsigned int)a->type)) {
		err_msg("%s: \"%s\" devices are not served by hvisor_vhost (it serves %s)",
			a->ctx, a->tname, LIMIT_SERVED_TEXT);
		return EXIT_USAGE;
	}
	snprintf(cd->where, sizeof(cd->where), "--device %u", cfg->nr_devs + 1);
	msg = dev_conflict(cfg, cd);
	if (msg) {
		err_msg("%s: %s", a->ctx, msg);
		return EXIT_USAGE;
	}
	cfg->nr_devs++;
	return 0;
}

/* The zones the devices name and --mem does not: hvisor-tool's RAM. */
static int virtio_zones(struct cfg *cfg, unsigned int nr_mem)
{
	unsigned int i, j, k, ri, rj;
	struct hvv_zone_config *zone;
	__u32 id, implied = 0;

	for (i = 0; i < nr_mem; i++) {
		for (j = 0; j < cfg->nr_devs; j++)
			if (cfg->devs[j].spec.dev.zone_id == cfg->zones[i].zone_id)
				break;
		if (j == cfg->nr_devs) {
			err_msg("%s: --mem %u: no --device of zone %u",
				cfg->cmd, cfg->zones[i].zone_id,
				cfg->zones[i].zone_id);
			return -1;
		}
	}
	for (j = 0; j < cfg->nr_devs; j++) {
		id = cfg->devs[j].spec.dev.zone_id;
		for (k = 0; k < cfg->nr_zones; k++)
			if (cfg->zones[k].zone_id == id)
				break;
		if (k < cfg->nr_zones)
			continue;
		if (implied) {
			err_msg("%s: zones %u and %u: no --mem, hvisor-tool's RAM is one zone's",
				cfg->cmd, implied, id);
			return -1;
		}
		implied = id;
		zone = &cfg->zones[cfg->nr_zones];
		memset(zone, 0, sizeof(*zone));
		zone->zone_id = id;
		zone->nr_regions = 1;
		zone->regions[0].gpa = COMPAT_MEM_START;
		zone->regions[0].hpa = COMPAT_MEM_START;
		zone->regions[0].size = COMPAT_MEM_SIZE;
		cfg->zone_implied[cfg->nr_zones] = 1;
		snprintf(cfg->zone_where[cfg->nr_zones],
			 sizeof(cfg->zone_where[0]), "zone %u (no --mem)", id);
		cfg->nr_zones++;
	}
	for (k = 0; k < cfg->nr_zones && !cfg->shared_ram; k++) {
		if (shared_ram(cfg, &cfg->zones[k], &ri, &i, &rj)) {
			err_msg("%s: %s: HPA overlaps the RAM of %s (%s)",
				cfg->cmd, cfg->zone_where[k],
				cfg->zone_where[i],
				"--allow-shared-ram accepts it");
			return -1;
		}
	}
	return 0;
}

/*
 * hvisor-tool's "hvisor virtio start --device SPEC [--device SPEC...]":
 * the devices, and the zones they name unless they exist.
 */
static int virtio_start_devices(int argc, char **argv)
{
	static struct dev_args args[CFG_MAX_DEVS];
	static struct cfg cfg;
	unsigned int nr_mem = 0, n = 0, i;
	int k, dry = 0, ret = EXIT_USAGE;
	const char *opt, *val;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cmd = "virtio start";
	/* the --mem options first: devices are checked against their zones */
	for (k = 1; k < argc; k++) {
		opt = argv[k];
		if (!strcmp(opt, "-n") || !strcmp(opt, "--dry-run")) {
			dry = 1;
			continue;
		}
		if (!strcmp(opt, "--allow-shared-ram")) {
			cfg.shared_ram = 1;
			continue;
		}
		if (strcmp(opt, "--mem") && strncmp(opt, "--mem=", 6) &&
		    strcmp(opt, "--device") && strncmp(opt, "--device=", 9)) {
			err_msg("virtio start: %s '%s' (usage: %s)",
				opt[0] == '-' ? "unknown option" :
				"unexpected argument", opt,
				"hvisorctl virtio start [-n] [--mem ZONE=GPA:HPA:SIZE[,...]]... --device SPEC...");
			return EXIT_USAGE;
		}
		val = strchr(opt, '=');
		if (val) {
			val++;
		} else if (++k < argc) {
			val = argv[k];
		} else {
			err_msg("virtio start: %s: missing its value", opt);
			return EXIT_USAGE;
		}
		if (!strncmp(opt, "--mem", 5)) {
			if (virtio_mem(&cfg, val))
				return EXIT_USAGE;
			nr_mem++;
		}
	}
	for (k = 1; k < argc; k++) {
		opt = argv[k];
		if (strcmp(opt, "--mem") && strncmp(opt, "--mem=", 6) &&
		    strcmp(opt, "--device") && strncmp(opt, "--device=", 9))
			continue;
		val = strchr(opt, '=');
		val = val ? val + 1 : argv[++k];
		if (strncmp(opt, "--device", 8))
			continue;
		if (n == CFG_MAX_DEVS) {
			err_msg("virtio start: too many devices (max %d)",
				CFG_MAX_DEVS);
			goto out;
		}
		ret = virtio_device(&cfg, &args[n++], val);
		if (ret)
			goto out;
	}
	ret = EXIT_USAGE;
	if (!cfg.nr_devs) {
		err_msg("virtio start: missing --device or FILE");
		goto out;
	}
	if (virtio_zones(&cfg, nr_mem))
		goto out;
	if (dry) {
		dry_run(&cfg);
		ret = 0;
	} else {
		ret = apply(&cfg);
	}
out:
	for (i = 0; i < n; i++)
		dev_args_end(&args[i]);
	return ret;
}

/* hvisor-tool's "hvisor virtio start", with either of its syntaxes. */
int cmd_virtio(int argc, char **argv)
{
	int i;

	if (argc < 2 || strcmp(argv[1], "start")) {
		err_msg("virtio: %s (hvisor-tool's \"virtio start\" is the only one)",
			argc < 2 ? "missing subcommand" : "unknown subcommand");
		return EXIT_USAGE;
	}
	for (i = 2; i < argc; i++)
		if (!strncmp(argv[i], "--device", 8) ||
		    !strncmp(argv[i], "--mem", 5))
			return virtio_start_devices(argc - 1, argv + 1);
	return load_main(argc - 1, argv + 1, "virtio start",
			 "hvisorctl virtio start [-n] virtio_cfg.json | --device SPEC...");
}

/* Hidden, for tests: parse a JSON file and print it back compactly. */
int cmd_json_check(int argc, char **argv)
{
	struct json_value *root;
	char err[512];

	if (argc != 2) {
		err_msg("__json-check: expected FILE");
		return EXIT_USAGE;
	}
	root = json_parse_file(argv[1], err, sizeof(err));
	if (!root) {
		err_msg("%s", err);
		return EXIT_USAGE;
	}
	json_print(stdout, root);
	putchar('\n');
	json_free(root);
	return 0;
}
