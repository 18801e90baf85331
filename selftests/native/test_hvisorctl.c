// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of hvisorctl's parsers and configuration loader
 * (tools/hvisorctl/json.c, parse.c, cfg.c), and the reproducers of what
 * the fuzz targets found in them.
 */
#define _GNU_SOURCE	/* memfd_create() */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "harness.h"
#include "hvctl_stubs.h"
#include "hvisorctl.h"
#include "json.h"
#include "parse.h"

void hv_test_before(void)
{
	hvctl_nr_errors = 0;
	hvctl_last_error[0] = '\0';
	setenv("HVISORCTL_PARAMS", "/nonexistent/hvisorctl-params", 1);
}

int hv_test_after(void)
{
	return 0;
}

/*
 * Found by fuzz-parse: the last field of GPA:HPA:SIZE and the last byte
 * of a MAC list advanced a NULL pointer ("p = colon + 1" with no colon),
 * undefined behaviour on every valid value (UBSan: applying non-zero
 * offset 1 to null pointer).
 */
HV_TEST(hvctl_mem_list_last_field)
{
	struct hvv_mem_region r[2];
	__u32 nr = 0;

	EXPECT(!parse_mem_list("0x1000:0x200000:0x2000", r, &nr, 2));
	EXPECT_EQ(nr, 1);
	EXPECT_EQ(r[0].gpa, 0x1000);
	EXPECT_EQ(r[0].hpa, 0x200000);
	EXPECT_EQ(r[0].size, 0x2000);
}

HV_TEST(hvctl_mac_list_last_byte)
{
	__u8 mac[6];

	EXPECT(!parse_mac("0x02,0,0,0,0,0xff", mac));
	EXPECT_EQ(mac[0], 2);
	EXPECT_EQ(mac[5], 0xff);
	EXPECT(parse_mac("2,0,0,0,0", mac));
	EXPECT(parse_mac("2,0,0,0,0,1,", mac));
}

HV_TEST(hvctl_mem_list_errors)
{
	struct hvv_mem_region r[2];
	const char *msg;
	__u32 nr = 0;

	msg = parse_mem_list("0:0:0x1000,0x1000:0x1000", r, &nr, 2);
	EXPECT(msg && strstr(msg, "expected GPA:HPA:SIZE"));
	nr = 0;
	msg = parse_mem_list("0:0:0x1000,0x1000:0x1000:0x1000,0x2000:0x2000:0x1000",
			     r, &nr, 2);
	EXPECT(msg && strstr(msg, "too many regions (max 2)"));
	EXPECT_EQ(nr, 2);
}

/* Parse @text, print it back compactly into @out. */
static int roundtrip(const char *text, char *out, size_t len, char *err)
{
	struct json_value *v = json_parse(text, strlen(text), err, 160);
	FILE *f;

	if (!v)
		return -1;
	f = fmemopen(out, len, "w");
	if (!f)
		return -1;
	json_print(f, v);
	fclose(f);
	json_free(v);
	return 0;
}

HV_TEST(hvctl_json)
{
	static const char text[] =
		" {\"a\": [1, -0.5e3, \"x\\u00e9\\ud83d\\ude00\", true, null],\n"
		"  \"b\": {}}\n";
	char out[256], err[160];
	char deep[80];
	int i;

	ASSERT_EQ(roundtrip(text, out, sizeof(out), err), 0);
	EXPECT(!strcmp(out, "{\"a\":[1,-0.5e3,\"x\xc3\xa9\xf0\x9f\x98\x80\",true,null],\"b\":{}}"));
	EXPECT_EQ(roundtrip("{\"a\":1,}", out, sizeof(out), err), -1);
	EXPECT(!strcmp(err, "1:8: trailing comma in object"));
	EXPECT_EQ(roundtrip("{\"a\":1,\n \"a\":2}", out, sizeof(out), err), -1);
	EXPECT(!strcmp(err, "2:2: duplicate key \"a\" (first at 1:2)"));
	EXPECT_EQ(roundtrip("\"\\udc00\"", out, sizeof(out), err), -1);
	EXPECT_EQ(roundtrip("01", out, sizeof(out), err), -1);
	for (i = 0; i < 33; i++)
		deep[i] = '[';
	deep[i] = '\0';
	EXPECT_EQ(roundtrip(deep, out, sizeof(out), err), -1);
	EXPECT(strstr(err, "nesting too deep"));
}

/* cmd_load() of @json with @args, its standard output in @out. */
static int load(const char *json, const char *opt, char *out, size_t len)
{
	char path[64], *argv[4];
	int fd, saved, argc = 0, ret;
	FILE *tmp;
	size_t n;

	fd = memfd_create("virtio_cfg.json", 0);
	if (fd < 0 || write(fd, json, strlen(json)) != (ssize_t)strlen(json))
		return -100;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	argv[argc++] = "load";
	argv[argc++] = (char *)opt;
	argv[argc++] = path;
	argv[argc] = NULL;
	tmp = tmpfile();
	if (!tmp)
		return -100;
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(tmp), 1);
	ret = cmd_load(argc, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	close(fd);
	return ret;
}

HV_TEST(hvctl_load_dry_run)
{
	static const char *const lines[] = {
		"{\"zones\": [{\"id\": 1, \"memory_region\": [",
		"  {\"zone0_ipa\": \"0x50000000\", \"zonex_ipa\": \"0x50000000\",",
		"   \"size\": \"0x10000\"}],",
		" \"devices\": [{\"type\": \"console\", \"addr\": \"0xa003800\",",
		"   \"len\": \"0x200\", \"irq\": 76, \"status\": \"enable\"},",
		"  {\"type\": \"gpu\", \"status\": \"disable\"}]}]}",
	};
	char cfg[512] = "", out[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lines); i++) {
		strcat(cfg, lines[i]);
		strcat(cfg, "\n");
	}
	EXPECT_EQ(load(cfg, "-n", out, sizeof(out)), 0);
	EXPECT(!strcmp(out,
		       "hvisorctl zone add 1 mem=0x50000000:0x50000000:0x10000\n"
		       "hvisorctl add console zone=1 addr=0xa003800 len=0x200 irq=76\n"
		       "# zones[0].devices[1]: gpu disabled, skipped\n"));
	EXPECT_EQ(hvctl_nr_errors, 0);
	EXPECT_EQ(load("{\"zones\": []}", "-n", out, sizeof(out)), EXIT_USAGE);
	EXPECT(strstr(hvctl_last_error, "expected 1 to 31 zones, got 0"));
}

/*
 * Unknown keys are warnings (hvisor-tool ignores them); enabled devices
 * of types the module does not serve are all named, and refuse the file.
 */
HV_TEST(hvctl_load_warn_unserved)
{
	static const char cfg[] =
		"{\"zones\": [{\"id\": 1, \"cpus\": [0],\n"
		" \"memory_region\": [{\"zone0_ipa\": \"0x50000000\",\n"
		"  \"zonex_ipa\": \"0x50000000\", \"size\": \"0x10000\"}],\n"
		" \"devices\": [{\"type\": \"gpu\", \"width\": 800, \"status\": \"enable\"},\n"
		"  {\"type\": \"console\", \"addr\": \"0xa003800\", \"irq\": 76,\n"
		"   \"status\": \"enable\"},\n"
		"  {\"type\": \"scmi\", \"status\": \"enable\"}]}]}\n";
	static const char want[] =
		"hvisorctl zone add 1 mem=0x50000000:0x50000000:0x10000\n"
		"hvisorctl add console zone=1 addr=0xa003800 len=0x200 irq=76\n"
		"# zones[0].devices[0]: gpu: not served by hvisor_vhost, set \"status\": \"disable\"\n"
		"# zones[0].devices[2]: scmi: not served by hvisor_vhost, set \"status\": \"disable\"\n"
		"";
	static const char want_err[] =
		":7:12: zones[0].devices[2].type: \"scmi\" devices are not served by hvisor_vhost";
	static const char warn[] =
		"{\"zones\": [{\"id\": 1, \"x\": 1, \"memory_region\": [{\"zone0_ipa\": \"0\",\n"
		"  \"zonex_ipa\": \"0\", \"size\": \"0x1000\"}]}]}";
	char out[512];

	EXPECT_EQ(load(cfg, "-n", out, sizeof(out)), EXIT_USAGE);
	EXPECT(!strcmp(out, want));
	/* the warning, then one error per device */
	EXPECT_EQ(hvctl_nr_errors, 3);
	EXPECT(strstr(hvctl_last_error, want_err));
	hvctl_nr_errors = 0;
	EXPECT_EQ(load(warn, "-n", out, sizeof(out)), 0);
	EXPECT_EQ(hvctl_nr_errors, 1);
	EXPECT(strstr(hvctl_last_error, ":1:22: zones[0]: warning: unknown key \"x\", ignored"));
}

/* json_parse_file() of "[   ...   ]", @size bytes. */
static struct json_value *parse_sized(size_t size, char *err, size_t errlen)
{
	struct json_value *v;
	char path[64], *buf;
	int fd;

	buf = malloc(size);
	fd = memfd_create("sized.json", 0);
	if (!buf || fd < 0)
		abort();
	memset(buf, ' ', size);
	buf[0] = '[';
	buf[size - 1] = ']';
	if (write(fd, buf, size) != (ssize_t)size)
		abort();
	free(buf);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	v = json_parse_file(path, err, errlen);
	close(fd);
	return v;
}

/*
 * json_parse_file() reads into a buffer the size of the file: files up to
 * the limit and one beyond, and a file of /proc whose size is 0.
 */
HV_TEST(hvctl_json_file_sizes)
{
	static const size_t sizes[] = {
		2, 3, 4096, 4097, JSON_MAX_SIZE / 2, JSON_MAX_SIZE / 2 + 1,
		JSON_MAX_SIZE - 1, JSON_MAX_SIZE,
	};
	struct json_value *v;
	char err[512];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		err[0] = '\0';
		v = parse_sized(sizes[i], err, sizeof(err));
		EXPECT(v && v->type == JSON_ARRAY && !v->count);
		if (!v)
			fprintf(stderr, "#   %zu bytes: %s\n", sizes[i], err);
		json_free(v);
	}
	v = parse_sized(JSON_MAX_SIZE + 1, err, sizeof(err));
	EXPECT(!v);
	EXPECT(strstr(err, ": file too large (max 1048576 bytes)"));
	json_free(v);
	/* A number and a newline, st_size 0, and no partial reads. */
	v = json_parse_file("/proc/sys/kernel/pid_max", err, sizeof(err));
	EXPECT(v && v->type == JSON_NUMBER && atoi(v->str) > 0);
	json_free(v);
	v = json_parse_file("/dev/null", err, sizeof(err));
	EXPECT(!v);
	EXPECT(!strcmp(err, "/dev/null: not a regular file"));
}

/* dev_spec_build() of a net device from KEY=VALUE strings. */
static const char *net_spec(struct dev_spec *spec, const char *queues,
			    const char *mtu, const char *mac, int *bad)
{
	const char *val[DK_NR] = { NULL };

	val[DK_ZONE] = "1";
	val[DK_ADDR] = "0xa003600";
	val[DK_IRQ] = "75";
	val[DK_TAP] = "tap0";
	val[DK_QUEUES] = queues;
	val[DK_MTU] = mtu;
	val[DK_MAC] = mac;
	return dev_spec_build(spec, HVV_DEV_NET, val, bad);
}

HV_TEST(hvctl_net_spec)
{
	struct dev_spec spec;
	const char *msg;
	int bad;

	ASSERT(!net_spec(&spec, NULL, NULL, NULL, &bad));
	EXPECT_EQ(spec.dev.type, HVV_DEV_NET);
	EXPECT_EQ(spec.dev.backend_fd, -1);
	EXPECT_EQ(spec.dev.queues, 0);
	EXPECT_EQ(spec.dev.net.mtu, 0);
	EXPECT_EQ(spec.dev.flags, 0);
	EXPECT_EQ(spec.dev.net.flags, 0);
	EXPECT(!strcmp(spec.tap, "tap0"));
	ASSERT(!net_spec(&spec, "1", "9000", "02:16:3e:10:10:ff", &bad));
	EXPECT_EQ(spec.dev.queues, 1);
	EXPECT_EQ(spec.dev.net.mtu, 9000);
	EXPECT_EQ(spec.dev.flags, 0);
	EXPECT_EQ(spec.dev.net.flags, HVV_NET_F_MAC);
	EXPECT_EQ(spec.dev.net.mac[0], 2);
	EXPECT_EQ(spec.dev.net.mac[5], 0xff);
	msg = net_spec(&spec, "7", NULL, NULL, &bad);
	EXPECT(!msg);
	EXPECT_EQ(spec.dev.queues, 7);
	msg = net_spec(&spec, "8", NULL, NULL, &bad);
	EXPECT(msg && !strcmp(msg, "too large (max 7)"));
	EXPECT_EQ(bad, DK_QUEUES);
	msg = net_spec(&spec, NULL, "67", NULL, &bad);
	EXPECT(msg && !strcmp(msg, "too small (min 68)"));
	EXPECT_EQ(bad, DK_MTU);
	EXPECT(!net_spec(&spec, NULL, "68", NULL, &bad));
	EXPECT(!net_spec(&spec, NULL, "65535", NULL, &bad));
	EXPECT(net_spec(&spec, NULL, "65536", NULL, &bad));
	msg = net_spec(&spec, NULL, NULL, "ff:16:3e:10:10:10", &bad);
	EXPECT(msg && strstr(msg, "multicast"));
	EXPECT_EQ(bad, DK_MAC);
	EXPECT(net_spec(&spec, NULL, NULL, "02:16:3e:10:10", &bad));
	EXPECT(net_spec(&spec, NULL, NULL, "02:16:3e:10:10:10:10", &bad));
	EXPECT(net_spec(&spec, NULL, NULL, "02,16,3e,10,10,10", &bad));
	EXPECT(!net_spec(&spec, NULL, NULL, "2,0x16,0x3e,16,16,16", &bad));
	EXPECT_EQ(spec.dev.net.mac[1], 0x16);
	EXPECT_EQ(spec.dev.net.mac[3], 16);
	/* the keys of net devices only */
	EXPECT(dev_key_valid(HVV_DEV_NET, DK_MTU));
	EXPECT(!dev_key_valid(HVV_DEV_BLK, DK_MTU));
	EXPECT(dev_key_valid(HVV_DEV_NET, DK_QUEUES));
	EXPECT(!dev_key_valid(HVV_DEV_NET, DK_IMG));
}

HV_TEST(hvctl_ifname)
{
	EXPECT(!check_ifname("tap0"));
	EXPECT(!check_ifname("a23456789012345"));
	EXPECT(check_ifname("a234567890123456"));
	EXPECT(check_ifname(""));
	EXPECT(check_ifname("."));
	EXPECT(check_ifname(".."));
	EXPECT(check_ifname("a/b"));
	EXPECT(check_ifname("a:b"));
	EXPECT(check_ifname("a b"));
}

/*
 * hvisor-tool's x86_64 example (examples/nuc14mnk-x86_64): a net device
 * with the MAC bytes as hex strings loads; queues 8 does not.
 */
/* @out is @first then @second (@end: NULL, for the line lengths' sake). */
static int lines_are(const char *out, const char *first, const char *second,
		     const char *end)
{
	size_t n = strlen(first);

	return !end && !strncmp(out, first, n) && !strcmp(out + n, second);
}

#define NET_CFG(extra)							\
	"{\"zones\": [{\"id\": 1, \"memory_region\": [\n"			\
	"  {\"zone0_ipa\": \"0x100000000\", \"zonex_ipa\": \"0x0\",\n"	\
	"   \"size\": \"0x119220000\"}],\n"					\
	" \"devices\": [{\"type\": \"net\", \"addr\": \"0x119220200\",\n"	\
	"   \"len\": \"0x200\", \"irq\": 14, \"tap\": \"tap0\",\n"		\
	"   \"mac\": [\"0x00\", \"0x16\", \"0x3e\", \"0x10\", \"0x10\", \"0x10\"],\n" \
	"   \"status\": \"enable\"" extra "}]}]}\n"

HV_TEST(hvctl_load_net)
{
	char out[512];

	EXPECT_EQ(load(NET_CFG(""), "-n", out, sizeof(out)), 0);
	EXPECT(lines_are(out, "hvisorctl zone add 1 mem=0x0:0x100000000:0x119220000\n",
			 "hvisorctl add net zone=1 addr=0x119220200 len=0x200 irq=14 tap=tap0 mac=00:16:3e:10:10:10\n",
			 NULL));
	EXPECT_EQ(hvctl_nr_errors, 0);
	EXPECT_EQ(load(NET_CFG(", \"queues\": 1, \"mtu\": \"0x2328\""), "-n", out,
		       sizeof(out)), 0);
	EXPECT(strstr(out, " irq=14 queues=1 tap=tap0 mac=00:16:3e:10:10:10 mtu=9000\n"));
	EXPECT_EQ(hvctl_nr_errors, 0);
	EXPECT_EQ(load(NET_CFG(", \"queues\": 8"), "-n", out, sizeof(out)),
		  EXIT_USAGE);
	EXPECT(!out[0]);
	EXPECT(strstr(hvctl_last_error,
		      ":7:34: zones[0].devices[0].queues: too large (max 7)"));
	EXPECT_EQ(load(NET_CFG(", \"mtu\": 67"), "-n", out, sizeof(out)),
		  EXIT_USAGE);
	EXPECT(strstr(hvctl_last_error, "zones[0].devices[0].mtu: too small (min 68)"));
}
