// SPDX-License-Identifier: GPL-2.0
/*
 * hvisorctl - control tool for hvisor_vhost, the in-kernel virtio-mmio
 * backend for the hvisor partitioning hypervisor: command dispatch, usage,
 * and the zone and device commands.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devargs.h"
#include "hvisorctl.h"
#include "json.h"
#include "module_limits.h"
#include "parse.h"

#define MEM_SYNTAX	"mem=GPA:HPA:SIZE[,...]"

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis;
	const char *help;
};

void err_msg(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("hvisorctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help");
}

/* zone add|del|reset */

static int zone_id_arg(const char *ctx, const char *s, __u32 *id)
{
	const char *msg = parse_zone_id(s, id);

	if (msg) {
		err_msg("%s: ID '%s': %s", ctx, s, msg);
		return -1;
	}
	return 0;
}

static int zone_add(int argc, char **argv)
{
	static struct hvv_zone_config zone;
	const char *msg;
	char ctx[64];
	int i, fd, ret;

	if (argc < 2) {
		err_msg("zone add: missing ID (usage: %s)",
			"hvisorctl zone add ID mem=GPA:HPA:SIZE[,...]");
		return EXIT_USAGE;
	}
	memset(&zone, 0, sizeof(zone));
	if (zone_id_arg("zone add", argv[1], &zone.zone_id))
		return EXIT_USAGE;
	for (i = 2; i < argc; i++) {
		if (strncmp(argv[i], "mem=", 4)) {
			if (strchr(argv[i], '='))
				err_msg("zone add: %s: unknown key (expected %s)",
					argv[i], MEM_SYNTAX);
			else
				err_msg("zone add: '%s': expected %s", argv[i],
					MEM_SYNTAX);
			return EXIT_USAGE;
		}
		msg = parse_mem_list(argv[i] + 4, zone.regions,
				     &zone.nr_regions, HVV_MAX_REGIONS);
		if (msg) {
			err_msg("zone add: %s: %s", argv[i], msg);
			return EXIT_USAGE;
		}
	}
	if (!zone.nr_regions) {
		err_msg("zone add: missing %s", MEM_SYNTAX);
		return EXIT_USAGE;
	}
	msg = check_regions(zone.regions, zone.nr_regions);
	if (msg) {
		err_msg("zone add: mem: %s", msg);
		return EXIT_USAGE;
	}
	snprintf(ctx, sizeof(ctx), "zone add %u", zone.zone_id);
	fd = ctl_open(ctx);
	if (fd < 0)
		return EXIT_FAIL;
	ret = ctl_ioctl(fd, HVV_ZONE_ADD, &zone, OP_ZONE_ADD, ctx);
	close(fd);
	return ret ? EXIT_FAIL : 0;
}

static int zone_simple(int argc, char **argv, const char *what,
		       unsigned long req, enum ctl_op op)
{
	struct hvv_zone_id zid;
	char ctx[64];
	int fd, ret;

	snprintf(ctx, sizeof(ctx), "zone %s", what);
	if (argc != 2) {
		err_msg("%s: %s (usage: hvisorctl zone %s ID)", ctx,
			argc < 2 ? "missing ID" : "too many arguments", what);
		return EXIT_USAGE;
	}
	memset(&zid, 0, sizeof(zid));
	if (zone_id_arg(ctx, argv[1], &zid.zone_id))
		return EXIT_USAGE;
	snprintf(ctx, sizeof(ctx), "zone %s %u", what, zid.zone_id);
	fd = ctl_open(ctx);
	if (fd < 0)
		return EXIT_FAIL;
	ret = ctl_ioctl(fd, req, &zid, op, ctx);
	close(fd);
	return ret ? EXIT_FAIL : 0;
}

/* zone del [-f|--force] ID */
static int zone_del(int argc, char **argv)
{
	static const char usage[] = "hvisorctl zone del [--force] ID";
	struct hvv_zone_id zid;
	int force = 0, fd, ret;
	const char *id = NULL;
	char ctx[64];
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force")) {
			force = 1;
		} else if (argv[i][0] == '-' && !isdigit((unsigned char)argv[i][1])) {
			err_msg("zone del: unknown option '%s'", argv[i]);
			return EXIT_USAGE;
		} else if (!id) {
			id = argv[i];
		} else {
			err_msg("zone del: too many arguments (usage: %s)", usage);
			return EXIT_USAGE;
		}
	}
	if (!id) {
		err_msg("zone del: missing ID (usage: %s)", usage);
		return EXIT_USAGE;
	}
	memset(&zid, 0, sizeof(zid));
	if (zone_id_arg("zone del", id, &zid.zone_id))
		return EXIT_USAGE;
	snprintf(ctx, sizeof(ctx), "zone del %u", zid.zone_id);
	fd = ctl_open(ctx);
	if (fd < 0)
		return EXIT_FAIL;
	if (force)
		ret = zone_force_del(fd, zid.zone_id, ctx, 0);
	else
		ret = ctl_ioctl(fd, HVV_ZONE_DEL, &zid, OP_ZONE_DEL, ctx);
	close(fd);
	return ret ? EXIT_FAIL : 0;
}

static int cmd_zone(int argc, char **argv)
{
	if (argc < 2) {
		err_msg("zone: missing subcommand (add, del, reset or list)");
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "add"))
		return zone_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return zone_del(argc - 1, argv + 1);
	if (!strcmp(argv[1], "reset"))
		return zone_simple(argc - 1, argv + 1, "reset", HVV_ZONE_RESET,
				   OP_ZONE_RESET);
	if (!strcmp(argv[1], "list"))
		return cmd_zone_list(argc - 1, argv + 1);
	err_msg("zone: unknown subcommand '%s' (expected add, del, reset or list)",
		argv[1]);
	return EXIT_USAGE;
}

/* add TYPE KEY=VALUE... */

static int cmd_add(int argc, char **argv)
{
	struct dev_spec spec;
	struct dev_args a;
	int i, fd, ret;

	if (argc < 2) {
		err_msg("add: missing device type (console, blk or net)");
		return EXIT_USAGE;
	}
	/* hvisor-tool's old "--device blk,addr=...,irq=..." form too */
	ret = dev_args_start(&a, "add", argv[1]);
	if (ret)
		goto out;
	ret = EXIT_USAGE;
	if (dev_args_rest(&a))
		goto out;
	for (i = 2; i < argc; i++)
		if (dev_args_word(&a, argv[i], 0))
			goto out;
	if (dev_args_build(&a, &spec))
		goto out;
	if (!limit_type_served((unsigned int)a.type)) {
		err_msg("%s: \"%s\" devices are not served by hvisor_vhost (it serves %s)",
			a.ctx, a.tname, LIMIT_SERVED_TEXT);
		goto out;
	}
	ret = EXIT_FAIL;
	if (backend_open(&spec, a.ctx))
		goto out;
	fd = ctl_open(a.ctx);
	if (fd >= 0) {
		if (!dev_add(fd, &spec, a.ctx)) {
			dev_print_created(&spec.dev);
			ret = 0;
		}
		close(fd);
	}
	backend_close(&spec);
out:
	dev_args_end(&a);
	return ret;
}

/* del, info, resize NAME */

static int name_arg(int argc, char **argv, struct hvv_dev_name *dn)
{
	const char *msg;

	if (argc != 2) {
		err_msg("%s: %s (usage: hvisorctl %s NAME)", argv[0],
			argc < 2 ? "missing NAME" : "too many arguments",
			argv[0]);
		return -1;
	}
	msg = parse_dev_name(argv[1]);
	if (msg) {
		err_msg("%s: '%s': %s", argv[0], argv[1], msg);
		return -1;
	}
	memset(dn, 0, sizeof(*dn));
	strcpy(dn->name, argv[1]);
	return 0;
}

static int name_cmd(int argc, char **argv, unsigned long req,
		    enum ctl_op op)
{
	struct hvv_dev_name dn;
	char ctx[64];
	int fd, ret;

	if (name_arg(argc, argv, &dn))
		return EXIT_USAGE;
	snprintf(ctx, sizeof(ctx), "%s %s", argv[0], dn.name);
	fd = ctl_open(ctx);
	if (fd < 0)
		return EXIT_FAIL;
	ret = ctl_ioctl(fd, req, &dn, op, ctx);
	close(fd);
	return ret ? EXIT_FAIL : 0;
}

static int cmd_del(int argc, char **argv)
{
	return name_cmd(argc, argv, HVV_DEV_DEL, OP_DEV_DEL);
}

static int cmd_resize(int argc, char **argv)
{
	return name_cmd(argc, argv, HVV_DEV_RESIZE, OP_DEV_RESIZE);
}

static const struct {
	__u32 bit;
	const char *name;
} status_bits[] = {
	{ 1, "ACKNOWLEDGE" },
	{ 2, "DRIVER" },
	{ 8, "FEATURES_OK" },
	{ 4, "DRIVER_OK" },
	{ 64, "DEVICE_NEEDS_RESET" },
	{ 128, "FAILED" },
};

/* HVV_DEV_INFO's flags, the per-type ones of @info->type: " ro" or " -". */
static const char *info_flags(const struct hvv_dev_info *info)
{
	if (info->type == HVV_DEV_BLK && info->flags & HVV_BLK_F_RO)
		return " ro";
	if (info->type == HVV_DEV_NET && info->flags & HVV_NET_F_MAC)
		return " mac";
	return " -";
}

static void print_status(__u32 status)
{
	size_t i;

	printf("%-16s 0x%x", "status", status);
	for (i = 0; i < ARRAY_SIZE(status_bits); i++)
		if (status & status_bits[i].bit)
			printf(" %s", status_bits[i].name);
	if (!status)
		printf(" (reset)");
	putchar('\n');
}

/*
 * info without root: what /sys/class/hvisor/@name shows, in @info. The
 * flags are not there. Returns 0 or an exit status after a message.
 */
static int info_sysfs(const char *ctx, const char *name,
		      struct hvv_dev_info *info)
{
	static const char *const attrs[] = {
		"zone", "addr", "len", "irq", "status", "device_features",
		"driver_features",
	};
	char val[128];
	__u64 v[ARRAY_SIZE(attrs)], index;
	const char *digits;
	size_t i;
	int type;

	if (sysfs_attr(name, "type", val, sizeof(val))) {
		err_msg("%s: no such device in %s (not root: read from sysfs)",
			ctx, sysfs_root());
		return EXIT_FAIL;
	}
	type = dev_type_lookup(val);
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		if (type < 0 || sysfs_attr(name, attrs[i], val, sizeof(val)) ||
		    parse_u64(val, &v[i])) {
			err_msg("%s: %s/%s/%s: unreadable (not root: read from sysfs)",
				ctx, sysfs_root(), name,
				type < 0 ? "type" : attrs[i]);
			return EXIT_FAIL;
		}
	}
	/* The index is the name's number (console0, blk1). */
	digits = name + strcspn(name, "0123456789");
	if (!*digits || parse_u64(digits, &index) || index > UINT32_MAX)
		index = 0;
	info->type = type;
	info->zone_id = v[0];
	info->addr = v[1];
	info->len = v[2];
	info->irq = v[3];
	info->status = v[4];
	info->device_features = v[5];
	info->driver_features = v[6];
	info->index = index;
	return 0;
}

/*
 * info --json: one object, the counters of sysfs in "stats"; "ro" is
 * null without @flags (read from sysfs).
 */
static void info_json(const char *name, const struct hvv_dev_info *info,
		      int flags)
{
	char backend[256];
	int first = 1;
	size_t i;

	printf("{\"name\": ");
	json_print_string(stdout, name);
	printf(", \"type\": \"%s\", \"zone\": %u, \"addr\": \"0x%llx\", \"len\": \"0x%llx\"",
	       dev_type_name(info->type), info->zone_id,
	       (unsigned long long)info->addr, (unsigned long long)info->len);
	printf(", \"irq\": %u, \"index\": %u", info->irq, info->index);
	if (info->type == HVV_DEV_CONSOLE)
		printf(", \"tty\": \"/dev/ttyHV%u\"", info->index);
	printf(", \"backend\": ");
	if (sysfs_attr(name, "backend", backend, sizeof(backend)))
		fputs("null", stdout);
	else
		json_print_string(stdout, backend);
	printf(", \"ro\": %s", !flags ? "null" :
	       info->type == HVV_DEV_BLK && info->flags & HVV_BLK_F_RO ?
	       "true" : "false");
	printf(", \"status\": %u, \"status_bits\": [", info->status);
	for (i = 0; i < ARRAY_SIZE(status_bits); i++) {
		if (info->status & status_bits[i].bit) {
			printf("%s\"%s\"", first ? "" : ", ",
			       status_bits[i].name);
			first = 0;
		}
	}
	printf("], \"device_features\": \"0x%016llx\", \"driver_features\": \"0x%016llx\"",
	       (unsigned long long)info->device_features,
	       (unsigned long long)info->driver_features);
	printf(", \"stats\": ");
	sysfs_stats_json(name);
	puts("}");
}

static int cmd_info(int argc, char **argv)
{
	struct hvv_dev_name dn;
	struct hvv_dev_info info;
	char ctx[64], *args[3], backend[256];
	int fd, ret, i, n = 0, json = 0, flags = 0;

	/* --json anywhere; then as for del NAME */
	for (i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--json"))
			json = 1;
		else if (n < 3)
			args[n++] = argv[i];
		else
			n++;
	}
	if (n > 3)
		n = 3;
	if (name_arg(n, args, &dn))
		return EXIT_USAGE;
	snprintf(ctx, sizeof(ctx), "info %s", dn.name);
	memset(&info, 0, sizeof(info));
	memcpy(info.name, dn.name, sizeof(info.name));
	/* Without root, what sysfs shows: all but the flags. */
	fd = ctl_open_unless_perm(ctx, 1);
	if (fd == -1)
		return EXIT_FAIL;
	if (fd >= 0) {
		ret = ctl_ioctl_unless(fd, HVV_DEV_INFO, &info, OP_DEV_INFO,
				       ctx, EPERM);
		close(fd);
		if (ret < 0)
			return EXIT_FAIL;
		flags = !ret;
	}
	if (!flags && info_sysfs(ctx, dn.name, &info))
		return EXIT_FAIL;
	if (json) {
		info_json(dn.name, &info, flags);
		return 0;
	}
	printf("%-16s %s\n", "name", dn.name);
	printf("%-16s %s\n", "type", dev_type_name(info.type));
	printf("%-16s %u\n", "zone", info.zone_id);
	printf("%-16s 0x%llx\n", "addr", (unsigned long long)info.addr);
	printf("%-16s 0x%llx\n", "len", (unsigned long long)info.len);
	printf("%-16s %u\n", "irq", info.irq);
	printf("%-16s %u\n", "index", info.index);
	if (info.type == HVV_DEV_CONSOLE)
		printf("%-16s /dev/ttyHV%u\n", "tty", info.index);
	/* the image, the tap: as the module's sysfs shows it */
	if (!sysfs_attr(dn.name, "backend", backend, sizeof(backend)))
		printf("%-16s %s\n", "backend", backend);
	if (flags)
		printf("%-16s%s\n", "flags", info_flags(&info));
	else
		printf("%-16s ? (needs root)\n", "flags");
	print_status(info.status);
	printf("%-16s 0x%016llx\n", "device_features",
	       (unsigned long long)info.device_features);
	printf("%-16s 0x%016llx\n", "driver_features",
	       (unsigned long long)info.driver_features);
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct cmd cmds[] = {
	{ "zone", cmd_zone,
	  "zone add ID mem=GPA:HPA:SIZE[,...] | zone del [--force] ID | zone reset ID | zone list [--json]",
	  "  zone add ID mem=GPA:HPA:SIZE[,GPA:HPA:SIZE...] [mem=...]\n"
	  "      Register zone ID (1..31) with its RAM: guest-physical address,\n"
	  "      root-physical address and size of each region, page aligned,\n"
	  "      at most 64 regions (mem= may be given several times).\n"
	  "  zone del [-f|--force] ID\n"
	  "      Forget a zone; delete its devices first, or give --force to\n"
	  "      have them deleted (those of /sys/class/hvisor), then the zone.\n"
	  "  zone reset ID\n"
	  "      Reset every device of the zone (before restarting it).\n"
	  "  zone list [--json]\n"
	  "      One line per zone: id, RAM regions, devices, detached devices\n"
	  "      (removed while their driver used them), from\n"
	  "      /sys/class/hvisor/zones.\n" },
	{ "add", cmd_add,
	  "add console|blk|net KEY=VALUE...",
	  "  add TYPE zone=ID addr=ADDR irq=IRQ [len=LEN] [KEY=VALUE...]\n"
	  "      Add a device and print its name (and tty for a console).\n"
	  "      addr: the virtio-mmio window as the hypervisor sees it;\n"
	  "      len: window length (0x200..0x10000, default 0x200);\n"
	  "      zone_id= means zone=.\n"
	  "  console: no other key. Prints e.g. \"console0 /dev/ttyHV0\".\n"
	  "  blk: img=PATH (required, opened here, read-write unless ro=1),\n"
	  "       ro=0|1, queues=N (1..8), serial=STRING (up to 20 bytes).\n"
	  "  net: tap=IFNAME (required, an existing tap or macvtap interface:\n"
	  "       attached to, never created), mac=xx:xx:xx:xx:xx:xx (default:\n"
	  "       derived by the module, 02:48:56:ZONE:xx:xx from the zone and\n"
	  "       addr; a macvtap passes the frames to its own MAC only),\n"
	  "       queues=N (queue pairs, 1..7; more than 1 needs a multi_queue\n"
	  "       tap), mtu=N (68..65535, default: the tap's MTU). One device\n"
	  "       per tap. Needs CAP_NET_ADMIN for a tap, access to /dev/tapN\n"
	  "       for a macvtap.\n"
	  "  hvisor-tool's form \"add blk,addr=...,irq=...\" is accepted too.\n" },
	{ "del", cmd_del, "del NAME",
	  "  del NAME\n"
	  "      Remove a device (e.g. blk0).\n" },
	{ "info", cmd_info, "info [--json] NAME",
	  "  info [--json] NAME\n"
	  "      Show a device: zone, window, irq, status, features; with\n"
	  "      --json, one JSON object, with the counters of its stats/.\n" },
	{ "console", cmd_console, "console NAME",
	  "  console NAME\n"
	  "      Attach to a console's tty (e.g. console0): the zone's latest\n"
	  "      output is replayed, then standard input goes to the zone and\n"
	  "      its output to standard output, raw, until Ctrl-] or the end\n"
	  "      of standard input (detach) or the device's removal.\n" },
	{ "resize", cmd_resize, "resize NAME",
	  "  resize NAME\n"
	  "      Re-read the size of a blk device's image and tell the guest.\n" },
	{ "list", cmd_list, "list [--json]",
	  "  list [--json]\n"
	  "      One line per device, from /sys/class/hvisor/; with --json, a\n"
	  "      JSON array of objects (zone and irq numbers, the others\n"
	  "      strings, null when missing; stats: the device's counters).\n" },
	{ "load", cmd_load,
	  "load [-n] [--allow-shared-ram] [--replace] virtio_cfg.json",
	  "  load [-n|--dry-run] [--allow-shared-ram] [--replace] FILE\n"
	  "      Apply an hvisor-tool virtio_cfg.json: add its zones and\n"
	  "      enabled devices. The whole file is checked first, against\n"
	  "      the module's limits too; if adding fails, what was added is\n"
	  "      removed again. -n only checks the file and prints the\n"
	  "      equivalent hvisorctl commands. Zones whose RAM (HPA) overlaps\n"
	  "      are refused unless --allow-shared-ram is given. --replace\n"
	  "      first removes the zones of FILE that exist, with their\n"
	  "      devices (zone del --force), so that a boot script can run\n"
	  "      twice. FILE - is standard input.\n" },
	{ "unload", cmd_unload, "unload virtio_cfg.json",
	  "  unload FILE\n"
	  "      Remove what load FILE added: its devices (found by zone,\n"
	  "      address and type in /sys/class/hvisor), then its zones,\n"
	  "      printing the devices removed. What is gone already is\n"
	  "      skipped; a zone with other devices is kept (zone del\n"
	  "      --force removes them too).\n" },
	{ "virtio", cmd_virtio,
	  "virtio start [-n] virtio_cfg.json | virtio start [-n] --device SPEC...",
	  "  virtio start [-n] [--allow-shared-ram] FILE\n"
	  "      hvisor-tool's form of load FILE.\n"
	  "  virtio start [-n] [--mem ZONE=GPA:HPA:SIZE[,...]]... --device SPEC...\n"
	  "      hvisor-tool's historic form: each SPEC is TYPE,KEY=VALUE,...\n"
	  "      (blk,addr=a003c00,len=200,irq=78,zone_id=1,img=rootfs.ext4),\n"
	  "      addr and len hexadecimal with or without 0x, irq and zone_id\n"
	  "      decimal, as hvisor-tool reads them. A zone the devices name is\n"
	  "      added with the RAM --mem gives; without --mem, unless it\n"
	  "      exists, with hvisor-tool's default 0x50000000:0x50000000:0x30000000\n"
	  "      (one zone only). Then the devices are added, as load does.\n" },
	{ "help", cmd_help, "help [COMMAND]",
	  "  help [COMMAND]\n"
	  "      Show help for all commands or one.\n" },
};

#define NR_CMDS		ARRAY_SIZE(cmds)

static void usage(FILE *f)
{
	size_t i;

	fputs("Usage: hvisorctl COMMAND [ARGS...]\n"
	      "Control hvisor_vhost, the in-kernel virtio backend for hvisor zones.\n"
	      "\nCommands:\n", f);
	for (i = 0; i < NR_CMDS; i++)
		fprintf(f, "  hvisorctl %s\n", cmds[i].synopsis);
	fputs("\nOptions: -h, --help (also: hvisorctl help COMMAND); -V, --version\n"
	      "Numbers: decimal, 0x hexadecimal or 0 octal.\n"
	      "Exit status: 0 done, 1 bad arguments or configuration, 2 failed\n"
	      "(the control device, an ioctl or a backend file).\n", f);
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int show_help(const char *name)
{
	const struct cmd *c = find_cmd(name);

	if (!c) {
		err_msg("help: unknown command '%s'", name);
		return EXIT_USAGE;
	}
	printf("Usage: hvisorctl %s\n\n%s", c->synopsis, c->help);
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2) {
		err_msg("help: too many arguments");
		return EXIT_USAGE;
	}
	return show_help(argv[1]);
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("hvisorctl %s (hvisor_vhost API %d)\n", HVV_VERSION,
		       HVV_API_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "__json-check"))
		return cmd_json_check(argc - 1, argv + 1);
	c = find_cmd(argv[1]);
	if (!c) {
		err_msg("unknown command '%s' (see hvisorctl --help)", argv[1]);
		return EXIT_USAGE;
	}
	for (i = 2; i < argc; i++) {
		if (is_help(argv[i]))
			return show_help(argv[1]);
	}
	return c->fn(argc - 1, argv + 1);
}
