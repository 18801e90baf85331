// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane of hvisor_vhost at the ioctl level: every malformed or
 * conflicting request gets its errno and changes nothing; CAP_SYS_ADMIN is
 * required; sysfs shows what was configured.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stddef.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "hv_guest.h"

#define ZONE	9

FIXTURE(ctl) {
	struct hvg g;
};

FIXTURE_SETUP(ctl)
{
	ASSERT_EQ(0, hvg_setup(&self->g, ZONE));
}

FIXTURE_TEARDOWN(ctl)
{
	hvg_teardown(&self->g);
}

static int zone_add(int fd, struct hvv_zone_config *z)
{
	return ioctl(fd, HVV_ZONE_ADD, z) ? errno : 0;
}

static int dev_add(int fd, struct hvv_dev_config *d)
{
	return ioctl(fd, HVV_DEV_ADD, d) ? errno : 0;
}

static struct hvv_dev_config console(__u64 addr, __u32 irq)
{
	struct hvv_dev_config d = {
		.type = HVV_DEV_CONSOLE, .zone_id = ZONE, .addr = addr,
		.len = HVG_DEV_LEN, .irq = irq, .backend_fd = -1,
	};

	return d;
}

TEST_F(ctl, version)
{
	struct hvv_version v;

	ASSERT_EQ(0, ioctl(self->g.ctl_fd, HVV_GET_VERSION, &v));
	EXPECT_EQ(HVV_API_VERSION, v.api_version);
	EXPECT_EQ(HVV_MAX_REGIONS, v.max_regions);
	EXPECT_EQ(-1, ioctl(self->g.ctl_fd, _IO(HVV_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(ctl, zone_add_rejects)
{
	struct hvv_zone_config *z = calloc(1, sizeof(*z));
	int fd = self->g.ctl_fd;

	ASSERT_NE(NULL, z);
#define RESET_ZONE() do {						\
	memset(z, 0, sizeof(*z));					\
	z->zone_id = 11;						\
	z->nr_regions = 1;						\
	z->regions[0].gpa = 0x80000000;					\
	z->regions[0].hpa = self->g.ram_hpa;				\
	z->regions[0].size = 0x1000;					\
} while (0)
	RESET_ZONE(); z->zone_id = 0;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->zone_id = HVV_MAX_ZONE_ID + 1;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->zone_id = ZONE;
	EXPECT_EQ(EEXIST, zone_add(fd, z));
	RESET_ZONE(); z->nr_regions = 0;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->nr_regions = HVV_MAX_REGIONS + 1;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->flags = 1;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->pad = 1;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[1].size = 0x1000;	/* beyond nr_regions */
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[0].size = 0;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[0].size = 1ULL << 41;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[0].gpa = 0x80000800;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[0].hpa += 0x10;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[0].gpa = ~0ULL & ~0xfffULL;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	/* Beyond any physical address width: refused, without a warning. */
	RESET_ZONE(); z->regions[0].hpa = 1ULL << 52;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->regions[0].hpa = (1ULL << 63) - 0x1000;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->nr_regions = 2;		/* overlapping gpa */
	z->regions[1] = z->regions[0];
	z->regions[1].hpa += 0x1000;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	RESET_ZONE(); z->nr_regions = 2;		/* overlapping hpa */
	z->regions[1] = z->regions[0];
	z->regions[1].gpa += 0x1000;
	EXPECT_EQ(EINVAL, zone_add(fd, z));
	/* Nothing was half-created: zone 11 does not exist. */
	struct hvv_zone_id zid = { .zone_id = 11 };

	EXPECT_EQ(-1, ioctl(fd, HVV_ZONE_DEL, &zid));
	EXPECT_EQ(ENOENT, errno);
	/* A valid one works and can be removed. */
	RESET_ZONE();
	EXPECT_EQ(0, zone_add(fd, z));
	EXPECT_EQ(0, ioctl(fd, HVV_ZONE_DEL, &zid));
	zid.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, HVV_ZONE_DEL, &zid));
	EXPECT_EQ(EINVAL, errno);
	free(z);
}

TEST_F(ctl, dev_add_rejects)
{
	int fd = self->g.ctl_fd;
	struct hvv_dev_config d;

	d = console(HVG_MMIO_BASE, 40); d.zone_id = 12;
	EXPECT_EQ(ENOENT, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.type = 99;
	EXPECT_EQ(EOPNOTSUPP, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 0);
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.len = 0xff;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	/* The registers without the whole config space. */
	d = console(HVG_MMIO_BASE, 40); d.len = 0x100;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.len = 0x1ff;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.len = 0x20000;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE + 2, 40);
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(~0ULL - 0xff, 40);
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.flags = 1U << 31;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.reserved[3] = 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.name[0] = 'x';
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.backend_fd = 0;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));	/* a console has no backend */
	d = console(HVG_MMIO_BASE, 40); d.flags = 1;	/* no common flag */
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.type = 0;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	EXPECT_EQ(0, access(HVG_SYSFS "/console0", F_OK) == 0 ? 1 : 0);

	/* A good one, then conflicts with it. */
	d = console(HVG_MMIO_BASE, 40);
	ASSERT_EQ(0, dev_add(fd, &d));
	memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
	d = console(HVG_MMIO_BASE + 0x100, 41);
	EXPECT_EQ(EADDRINUSE, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE + 0x200, 40);
	EXPECT_EQ(EBUSY, dev_add(fd, &d));

	struct hvv_dev_name dn = { "nosuchdev" };

	EXPECT_EQ(-1, ioctl(fd, HVV_DEV_DEL, &dn));
	EXPECT_EQ(ENOENT, errno);
	memset(&dn, 'a', sizeof(dn));			/* not terminated */
	EXPECT_EQ(-1, ioctl(fd, HVV_DEV_DEL, &dn));
	EXPECT_EQ(EINVAL, errno);
	struct hvv_zone_id zid = { .zone_id = ZONE };

	EXPECT_EQ(-1, ioctl(fd, HVV_ZONE_DEL, &zid));	/* has a device */
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(fd, HVV_DEV_RESIZE, self->g.devs[0]));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* HVV_DEV_ADD with a structure of @size bytes at @d. */
static int dev_add_size(int fd, void *d, size_t size)
{
	return ioctl(fd, HVV_DEV_ADD_SIZE(size), d) ? errno : 0;
}

/*
 * The uapi's size convention: the caller's size is the ioctl number's; a
 * larger structure is taken if it is zero past the module's (E2BIG
 * otherwise), the out fields are written within it; below version 3's
 * size, EINVAL; version 2's fixed number is gone. Nothing is created by
 * a refused one.
 */
TEST_F(ctl, dev_add_sizes)
{
	struct {
		struct hvv_dev_config d;
		__u8 tail[64];
	} big;
	static const __u8 zero[sizeof(big.tail)];
	struct hvv_dev_config d;
	int fd = self->g.ctl_fd;
	size_t n = sizeof(big.d);

	ASSERT_EQ(HVV_DEV_CONFIG_SIZE_VER0, sizeof(d));
	memset(&big, 0, sizeof(big));
	big.d = console(HVG_MMIO_BASE, 40);
	big.tail[63] = 1;
	EXPECT_EQ(E2BIG, dev_add_size(fd, &big, sizeof(big)));
	big.tail[63] = 0;
	big.tail[0] = 1;
	EXPECT_EQ(E2BIG, dev_add_size(fd, &big, n + 1));
	EXPECT_NE(0, access(HVG_SYSFS "/console0", F_OK));
	/* The unknown byte is checked first: E2BIG even for type 0. */
	memset(&big, 0, sizeof(big));
	big.tail[0] = 1;
	EXPECT_EQ(E2BIG, dev_add_size(fd, &big, n + 1));
	/* ... and a known one is EINVAL (the probe of the uapi header). */
	((__u8 *)&big.d)[n - 1] = 1;
	big.tail[0] = 0;
	EXPECT_EQ(EINVAL, dev_add_size(fd, &big, n + 1));

	/* Smaller than version 3's: EINVAL, whatever the rest says. */
	d = console(HVG_MMIO_BASE, 40);
	EXPECT_EQ(EINVAL, dev_add_size(fd, &d, n - 8));
	EXPECT_EQ(EINVAL, dev_add_size(fd, &d, 0));
	EXPECT_EQ(ENOTTY, ioctl(fd, _IOWR(HVV_IOC_MAGIC, 0x10,
					  struct hvv_dev_config), &d) ?
		  errno : 0);
	EXPECT_NE(0, access(HVG_SYSFS "/console0", F_OK));

	/* Larger with a zero tail: added, the name written, not past @d. */
	memset(&big, 0, sizeof(big));
	big.d = console(HVG_MMIO_BASE, 40);
	ASSERT_EQ(0, dev_add_size(fd, &big, sizeof(big)));
	memcpy(self->g.devs[self->g.nr_devs++], big.d.name, HVV_NAME_LEN);
	EXPECT_EQ(0, access(HVG_SYSFS "/console0", F_OK));
	EXPECT_STREQ("console0", big.d.name);
	EXPECT_EQ(0, memcmp(big.tail, zero, sizeof(big.tail)));
	/* The exact size, through the header's HVV_DEV_ADD. */
	d = console(HVG_MMIO_BASE + 0x200, 41);
	ASSERT_EQ(0, dev_add(fd, &d));
	memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
}

/*
 * The per-type union: a part's unknown flags, padding, and the bytes of
 * the union past it (another type's fields, reserved room) are EINVAL,
 * before anything else is looked at (blk and net without a backend would
 * be EBADF).
 */
TEST_F(ctl, dev_add_union)
{
	int fd = self->g.ctl_fd;
	struct hvv_dev_config d;

	d = console(HVG_MMIO_BASE, 40); d.console.flags = 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.console.pad = 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.blk.serial[0] = 'x';
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.net.mac[0] = 2;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d = console(HVG_MMIO_BASE, 40); d.reserved[7] = 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));

	d = console(HVG_MMIO_BASE, 40); d.type = HVV_DEV_BLK;
	EXPECT_EQ(EBADF, dev_add(fd, &d));	/* all checked but the fd */
	d.blk.flags = HVV_BLK_F_RO << 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d.blk.flags = 0;
	d.reserved[3] = 1;			/* past blk's part */
	EXPECT_EQ(EINVAL, dev_add(fd, &d));

	d = console(HVG_MMIO_BASE, 40); d.type = HVV_DEV_NET;
	EXPECT_EQ(EBADF, dev_add(fd, &d));
	d.net.flags = HVV_NET_F_MAC << 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d.net.flags = 0;
	d.net.pad[1] = 1;
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	d.net.pad[1] = 0;
	d.reserved[3] = 1;			/* past net's part */
	EXPECT_EQ(EINVAL, dev_add(fd, &d));
	EXPECT_NE(0, access(HVG_SYSFS "/console0", F_OK));
}

/*
 * An argument the result cannot be written to: EFAULT, and no device
 * was created (it once existed, in sysfs, after the EFAULT).
 */
TEST_F(ctl, dev_add_result_not_writable)
{
	struct hvv_dev_config d = console(HVG_MMIO_BASE, 40), *ro;

	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	memcpy(ro, &d, sizeof(d));
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	EXPECT_EQ(EFAULT, dev_add(self->g.ctl_fd, ro));
	EXPECT_NE(0, access(HVG_SYSFS "/console0", F_OK));
	/* The window and the IRQ are free. */
	ASSERT_EQ(0, dev_add(self->g.ctl_fd, &d));
	memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
	munmap(ro, 4096);
}

/*
 * Only the out fields (name, index) are written back: a structure whose
 * every other byte after them lies in read-only memory is taken; one
 * whose index reaches into it is EFAULT, with no device.
 */
TEST_F(ctl, dev_add_writes_only_out_fields)
{
	const size_t out_end = offsetof(struct hvv_dev_config, index) +
			       sizeof(__u32);
	struct hvv_dev_config d = console(HVG_MMIO_BASE + 0x200, 41), *p;
	char *map;

	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* index just reaches into the read-only page: refused */
	p = (void *)(map + 4096 - out_end + 2);
	memcpy(p, &d, sizeof(d));
	ASSERT_EQ(0, mprotect(map + 4096, 4096, PROT_READ));
	EXPECT_EQ(EFAULT, dev_add(self->g.ctl_fd, p));
	EXPECT_NE(0, access(HVG_SYSFS "/console0", F_OK));
	/* the out fields end where the read-only page begins: taken */
	ASSERT_EQ(0, mprotect(map + 4096, 4096, PROT_READ | PROT_WRITE));
	p = (void *)(map + 4096 - out_end);
	memcpy(p, &d, sizeof(d));
	ASSERT_EQ(0, mprotect(map + 4096, 4096, PROT_READ));
	ASSERT_EQ(0, dev_add(self->g.ctl_fd, p));
	EXPECT_STREQ("console0", p->name);
	memcpy(self->g.devs[self->g.nr_devs++], p->name, HVV_NAME_LEN);
	munmap(map, 8192);
}

TEST_F(ctl, sysfs_matches)
{
	struct hvv_dev_config d = console(HVG_MMIO_BASE + 0x400, 45);
	struct hvv_dev_info info;
	char buf[64];

	memset(&info, 0, sizeof(info));
	ASSERT_EQ(0, dev_add(self->g.ctl_fd, &d));
	memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
	ASSERT_EQ(0, hvg_sysfs_str(d.name, "type", buf, sizeof(buf)));
	EXPECT_STREQ("console", buf);
	EXPECT_EQ(ZONE, hvg_sysfs_u64(d.name, "zone"));
	EXPECT_EQ(HVG_MMIO_BASE + 0x400, hvg_sysfs_u64(d.name, "addr"));
	EXPECT_EQ(HVG_DEV_LEN, hvg_sysfs_u64(d.name, "len"));
	EXPECT_EQ(45, hvg_sysfs_u64(d.name, "irq"));
	memcpy(info.name, d.name, sizeof(info.name));
	ASSERT_EQ(0, ioctl(self->g.ctl_fd, HVV_DEV_INFO, &info));
	EXPECT_EQ(HVV_DEV_CONSOLE, info.type);
	EXPECT_EQ(ZONE, info.zone_id);
	EXPECT_EQ(45, info.irq);
	EXPECT_EQ(d.index, info.index);
	EXPECT_EQ(hvg_sysfs_u64(d.name, "device_features"),
		  info.device_features);
}

/* hvisor panics with an 8th distinct pending IRQ on a CPU. */
TEST_F(ctl, eighth_irq_refused)
{
	FILE *f;
	int i;

	for (i = 0; i < 7; i++) {
		struct hvv_dev_config d = console(HVG_MMIO_BASE + i * 0x200, 50 + i);

		ASSERT_EQ(0, dev_add(self->g.ctl_fd, &d));
		memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
	}
	struct hvv_dev_config d = console(HVG_MMIO_BASE + 7 * 0x200, 57);

	EXPECT_EQ(ENOSPC, dev_add(self->g.ctl_fd, &d));
	f = fopen("/sys/module/hvisor_vhost/parameters/max_zone_irqs", "w");
	ASSERT_NE(NULL, f);
	fputs("8", f);
	fclose(f);
	EXPECT_EQ(0, dev_add(self->g.ctl_fd, &d));
	memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
	f = fopen("/sys/module/hvisor_vhost/parameters/max_zone_irqs", "w");
	ASSERT_NE(NULL, f);
	fputs("7", f);
	fclose(f);
}

TEST_F(ctl, needs_cap_sys_admin)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	struct hvv_version v;
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		syscall(SYS_capget, &hdr, data);
		data[0].effective &= ~(1U << CAP_SYS_ADMIN);
		if (syscall(SYS_capset, &hdr, data))
			_exit(2);
		_exit(ioctl(self->g.ctl_fd, HVV_GET_VERSION, &v) == -1 &&
		      errno == EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Requests of a zone hvisor_vhost does not know are answered (0). */
TEST(unknown_zone_answered)
{
	struct hvsim_zone sz = {
		.zone_id = 13, .flags = HVSIM_ZONE_F_FD_OWNED,
		.first_cpu = 6, .nr_cpus = 1, .nr_regions = 1,
		.regions = { { .gpa = HVG_RAM_GPA, .size = 0x10000 } },
	};
	struct hvsim_mmio_region mr = {
		.zone_id = 13, .base = HVG_MMIO_BASE, .size = 0x1000,
	};
	struct hvsim_mmio m = {
		.zone_id = 13, .cpu = 6, .addr = HVG_MMIO_BASE, .size = 4,
		.value = 0x1234, .timeout_ms = 2000,
	};
	int fd = open("/dev/hvisor_sim", O_RDWR);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, HVSIM_ZONE_CREATE, &sz));
	ASSERT_EQ(0, ioctl(fd, HVSIM_ZONE_ADD_MMIO, &mr));
	ASSERT_EQ(0, ioctl(fd, HVSIM_MMIO, &m));
	EXPECT_EQ(0, m.value);
	m.is_write = 1;
	EXPECT_EQ(0, ioctl(fd, HVSIM_MMIO, &m));
	close(fd);
}

/* Zone reset returns every device of the zone to its initial state. */
TEST_F(ctl, zone_reset)
{
	struct hvv_dev_config d = console(HVG_MMIO_BASE, 40);
	struct hvv_zone_id zid = { .zone_id = ZONE };

	ASSERT_EQ(0, dev_add(self->g.ctl_fd, &d));
	memcpy(self->g.devs[self->g.nr_devs++], d.name, HVV_NAME_LEN);
	ASSERT_EQ(0, hvg_negotiate(&self->g, HVG_MMIO_BASE,
				   HVG_CONSOLE_FEATURES));
	EXPECT_NE(0, hvg_status(&self->g, HVG_MMIO_BASE));
	ASSERT_EQ(0, ioctl(self->g.ctl_fd, HVV_ZONE_RESET, &zid));
	EXPECT_EQ(0, hvg_status(&self->g, HVG_MMIO_BASE));
	EXPECT_EQ(0, hvg_sysfs_u64(d.name, "driver_features"));
	zid.zone_id = 30;
	EXPECT_EQ(-1, ioctl(self->g.ctl_fd, HVV_ZONE_RESET, &zid));
	EXPECT_EQ(ENOENT, errno);
}

/* The whole of /sys/class/hvisor/@file into @buf ("" if unreadable). */
static void class_file(const char *file, char *buf, size_t len)
{
	char path[128];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/hvisor/%s", file);
	fd = open(path, O_RDONLY);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
}

/* This test's zone in /sys/class/hvisor/zones: devices and detached. */
static int zone_line(unsigned int *devices, unsigned int *detached)
{
	unsigned int id, regions;
	char buf[4096], *line;

	class_file("zones", buf, sizeof(buf));
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (sscanf(line, "%u %u %u %u", &id, &regions, devices,
			   detached) == 4 && id == ZONE)
			return regions;
	return -1;
}

/*
 * Zones are listed in /sys/class/hvisor/zones; a device removed while its
 * driver uses it ("detached") has no entry of its own but is listed in
 * /sys/class/hvisor/detached until the driver lets go.
 */
TEST_F(ctl, zones_and_detached_in_sysfs)
{
	struct hvv_dev_config d = console(HVG_MMIO_BASE, 40), again;
	unsigned int devices, detached;
	char buf[4096], want[128];
	__u64 end;

	EXPECT_EQ(1, zone_line(&devices, &detached));
	EXPECT_EQ(0U, devices);
	EXPECT_EQ(0U, detached);
	ASSERT_EQ(0, dev_add(self->g.ctl_fd, &d));
	EXPECT_EQ(1, zone_line(&devices, &detached));
	EXPECT_EQ(1U, devices);
	EXPECT_EQ(0U, detached);
	class_file("detached", buf, sizeof(buf));
	EXPECT_EQ(NULL, strstr(buf, d.name));

	ASSERT_EQ(0, hvg_negotiate(&self->g, HVG_MMIO_BASE,
				   HVG_CONSOLE_FEATURES));
	ASSERT_EQ(0, hvg_del_dev(&self->g, d.name));
	EXPECT_EQ(1, zone_line(&devices, &detached));
	EXPECT_EQ(1U, devices);
	EXPECT_EQ(1U, detached);
	snprintf(want, sizeof(want), "%s console %u %#llx %#llx 40\n", d.name,
		 ZONE, (unsigned long long)HVG_MMIO_BASE,
		 (unsigned long long)HVG_DEV_LEN);
	class_file("detached", buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("detached: '%s'", buf);
	again = console(HVG_MMIO_BASE, 41);
	EXPECT_EQ(EADDRINUSE, dev_add(self->g.ctl_fd, &again));

	/* The driver lets go: reaped (a work item), gone from both. */
	hvg_wr32(&self->g, HVG_MMIO_BASE, VIRTIO_MMIO_STATUS, 0);
	end = hvg_ms() + HVG_WAIT_MS;
	do {
		class_file("detached", buf, sizeof(buf));
		if (!strstr(buf, want))
			break;
		hvg_sleep_ms(5);
	} while (hvg_ms() < end);
	EXPECT_EQ(NULL, strstr(buf, want));
	EXPECT_EQ(1, zone_line(&devices, &detached));
	EXPECT_EQ(0U, devices);
	EXPECT_EQ(0U, detached);
}

/*
 * A zone deletion refused because a device remains leaves the zone as it
 * was: a detached device its driver still uses keeps being served.
 */
TEST_F(ctl, refused_zone_del_keeps_detached_devices)
{
	struct hvv_dev_config d = console(HVG_MMIO_BASE, 40);
	struct hvv_dev_config other = console(HVG_MMIO_BASE + HVG_DEV_LEN, 41);
	struct hvv_zone_id zid = { .zone_id = ZONE };
	unsigned int devices, detached;
	__u32 status;

	ASSERT_EQ(0, dev_add(self->g.ctl_fd, &d));
	ASSERT_EQ(0, dev_add(self->g.ctl_fd, &other));
	memcpy(self->g.devs[self->g.nr_devs++], other.name, HVV_NAME_LEN);
	ASSERT_EQ(0, hvg_negotiate(&self->g, HVG_MMIO_BASE,
				   HVG_CONSOLE_FEATURES));
	status = hvg_status(&self->g, HVG_MMIO_BASE);
	ASSERT_NE(0U, status);
	ASSERT_EQ(0, hvg_del_dev(&self->g, d.name));

	EXPECT_EQ(-1, ioctl(self->g.ctl_fd, HVV_ZONE_DEL, &zid));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(1, zone_line(&devices, &detached));
	EXPECT_EQ(2U, devices);
	EXPECT_EQ(1U, detached);
	EXPECT_EQ(status, hvg_status(&self->g, HVG_MMIO_BASE));
	EXPECT_EQ(VIRTIO_ID_CONSOLE,
		  hvg_rd32(&self->g, HVG_MMIO_BASE, VIRTIO_MMIO_DEVICE_ID));
}

TEST_HARNESS_MAIN
