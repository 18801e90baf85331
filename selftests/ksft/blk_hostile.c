// SPDX-License-Identifier: GPL-2.0
/*
 * blk_hostile: a raw guest sends malformed virtio-blk requests to a blk
 * device backed by an image file, and checks for each one: the status
 * byte (IOERR or UNSUPP) when the chain has a writable byte (used length
 * 0 and nothing written when it has none), the image unchanged (content
 * and size: the device never grows it), no NEEDS_RESET, and the next
 * valid request served. The runner checks that the kernel log stays
 * clean.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/fs.h>

#include <kselftest_harness.h>
#include "hv_guest.h"

#define ZONE		14
#define IRQ		60
#define BASE		HVG_MMIO_BASE
#define NUM		16
#define SECTORS		2048ULL
#define IMG_SIZE	(SECTORS * 512)
#define SERIAL		"hostile-serial-01"

/* What the test negotiates, when offered. */
#define WANT (HVG_F_VERSION_1 | HVG_F_INDIRECT | \
	      BIT_ULL(VIRTIO_BLK_F_SIZE_MAX) | BIT_ULL(VIRTIO_BLK_F_SEG_MAX) | \
	      BIT_ULL(VIRTIO_BLK_F_BLK_SIZE) | BIT_ULL(VIRTIO_BLK_F_RO) | \
	      BIT_ULL(VIRTIO_BLK_F_FLUSH) | BIT_ULL(VIRTIO_BLK_F_TOPOLOGY) | \
	      BIT_ULL(VIRTIO_BLK_F_DISCARD) | \
	      BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES))

struct seg {
	__u64 sector;
	__u32 num;
	__u32 flags;
};

FIXTURE(blk) {
	struct hvg g;
	struct hvg_blk b;
	int fd;
	char path[64];
	unsigned char *img;	/* what the image must contain */
	__u64 offered;
	__u64 cap;
	unsigned int seq;
	int bfd;		/* what the device serves: @fd or the slow dm */
	int slow;		/* the slow backing (dm-delay on loop) is set up */
	char loopdev[32];
};

static unsigned char pattern(__u64 off)
{
	return (unsigned char)(off * 7 + (off >> 9) * 13 + 1);
}

/*
 * The slow backing: the image through a loop device and a dm-delay target
 * that holds every request for SLOW_MS before the loop device does it.
 */
#define SLOW_DM		"hvslow"
#define SLOW_MS		100

/*
 * Put the device on another backing (@fd, @flags) as an operator would:
 * the driver lets go of it (reset) first, for a removed device stays in
 * use until then. Returns 0 or -errno.
 */
static int replug(struct _test_data_blk *self, int fd, __u32 flags,
		  const char *serial)
{
	int ret;

	ret = hvg_wr32(&self->g, BASE, VIRTIO_MMIO_STATUS, 0);
	if (!ret)
		ret = hvg_del_dev(&self->g, self->b.d.name);
	if (!ret)
		ret = hvg_add_blk(&self->g, BASE, IRQ, fd, flags, serial,
				  &self->b);
	return ret;
}

/*
 * Put the device on a backing where every request waits SLOW_MS before
 * the data moves, so that reads are surely in flight when the test resets
 * or removes the device. Where the kernel has no dm-delay (the debug
 * kernel) or the guest no losetup and dmsetup (arm64 guests do not see
 * the host's root), the test runs on the image file, where the window is
 * narrow.
 */
static void use_slow_backing_ms(struct __test_metadata *_metadata,
				struct _test_data_blk *self, int ms)
{
	char dmdev[64] = "/dev/mapper/" SLOW_DM;

	if (hvg_sh(NULL, 0, "command -v losetup && command -v dmsetup && %s",
		   "modprobe dm_delay >/dev/null 2>&1")) {
		TH_LOG("no dm-delay, losetup or dmsetup here: the in-flight window is narrow");
		return;
	}
	ASSERT_EQ(0, hvg_sh(self->loopdev, sizeof(self->loopdev),
			    "losetup -f --show %s", self->path));
	ASSERT_EQ(0, hvg_sh(NULL, 0,
			    "dmsetup create %s --table '0 %llu delay %s 0 %d' && dmsetup mknodes %s",
			    SLOW_DM, SECTORS, self->loopdev, ms, SLOW_DM));
	self->slow = 1;
	self->bfd = open(dmdev, O_RDWR);
	ASSERT_LE(0, self->bfd) TH_LOG("%s: %s", dmdev, strerror(errno));
	ASSERT_EQ(0, replug(self, self->bfd, 0, SERIAL));
	/* A block device may offer less (DISCARD, WRITE_ZEROES). */
	self->offered = hvg_device_features(&self->g, BASE);
	ASSERT_EQ(0, hvg_blk_init(&self->g, &self->b, self->offered & WANT,
				  NUM));
}

static void use_slow_backing(struct __test_metadata *_metadata,
			     struct _test_data_blk *self)
{
	use_slow_backing_ms(_metadata, self, SLOW_MS);
}

FIXTURE_SETUP(blk)
{
	__u64 i;
	int ret;

	self->fd = -1;
	self->img = malloc(IMG_SIZE);
	ASSERT_NE(NULL, self->img);
	for (i = 0; i < IMG_SIZE; i++)
		self->img[i] = pattern(i);
	strcpy(self->path, "/tmp/blk_hostile.XXXXXX");
	self->fd = mkstemp(self->path);
	self->bfd = self->fd;
	ASSERT_LE(0, self->fd);
	ASSERT_EQ((ssize_t)IMG_SIZE, pwrite(self->fd, self->img, IMG_SIZE, 0));

	ret = hvg_setup(&self->g, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ret = hvg_add_blk(&self->g, BASE, IRQ, self->fd, 0, SERIAL, &self->b);
	ASSERT_EQ(0, ret) TH_LOG("blk add: %s", strerror(-ret));
	ASSERT_EQ((__u32)VIRTIO_ID_BLOCK,
		  hvg_rd32(&self->g, BASE, VIRTIO_MMIO_DEVICE_ID));
	self->offered = hvg_device_features(&self->g, BASE);
	ASSERT_TRUE(self->offered & HVG_F_VERSION_1);
	ASSERT_TRUE(self->offered & BIT_ULL(VIRTIO_BLK_F_FLUSH));
	ASSERT_TRUE(self->offered & BIT_ULL(VIRTIO_BLK_F_DISCARD));
	ASSERT_TRUE(self->offered & BIT_ULL(VIRTIO_BLK_F_WRITE_ZEROES));
	ASSERT_FALSE(self->offered & BIT_ULL(VIRTIO_BLK_F_RO));
	ASSERT_EQ(0, hvg_blk_init(&self->g, &self->b, self->offered & WANT,
				  NUM));
	self->cap = hvg_blk_capacity(&self->g, BASE);
	ASSERT_EQ(SECTORS, self->cap);
}

FIXTURE_TEARDOWN(blk)
{
	EXPECT_EQ(0, hvg_teardown(&self->g));
	if (self->bfd != self->fd && self->bfd >= 0)
		close(self->bfd);
	if (self->slow) {
		EXPECT_EQ(0, hvg_sh(NULL, 0, "dmsetup remove %s", SLOW_DM));
		EXPECT_EQ(0, hvg_sh(NULL, 0, "losetup -d %s", self->loopdev));
	}
	if (self->fd >= 0) {
		close(self->fd);
		unlink(self->path);
	}
	free(self->img);
}

#define G	(&self->g)
#define B	(&self->b)
#define VQ	(&self->b.vq)

/* A buffer of @len bytes of zone RAM filled with @c. */
static __u64 fill(struct hvg *g, __u32 len, int c)
{
	__u64 gpa = hvg_alloc(g, len ? len : 1, 16);

	memset(hvg_ptr(g, gpa), c, len);
	return gpa;
}

/* The image holds what it must, and has its size. */
static void image_unchanged(struct __test_metadata *_metadata,
			    struct _test_data_blk *self)
{
	unsigned char *now = malloc(IMG_SIZE);
	struct stat st;
	size_t i;

	ASSERT_NE(NULL, now);
	ASSERT_EQ(0, fstat(self->bfd, &st));
	if (S_ISREG(st.st_mode))
		EXPECT_EQ((off_t)IMG_SIZE, st.st_size)
			TH_LOG("the image file changed size");
	ASSERT_EQ((ssize_t)IMG_SIZE, pread(self->bfd, now, IMG_SIZE, 0));
	for (i = 0; i < IMG_SIZE && now[i] == self->img[i]; i++)
		;
	EXPECT_EQ(IMG_SIZE, i)
		TH_LOG("the image differs at byte %zu (sector %zu)", i, i / 512);
	free(now);
}

/* Read @n sectors at @sector and compare with the expected image. */
static void read_ok(struct __test_metadata *_metadata,
		    struct _test_data_blk *self, __u64 sector, __u32 n)
{
	__u64 buf = fill(G, n * 512, 0xa5);

	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_IN, sector, buf, n * 512));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, buf), self->img + sector * 512,
			    n * 512)) TH_LOG("read of sector %llu: wrong data",
					     (unsigned long long)sector);
}

/* Write one sector of fresh data at @sector, as the image must then hold. */
static void write_ok(struct __test_metadata *_metadata,
		     struct _test_data_blk *self, __u64 sector)
{
	__u64 buf = fill(G, 512, 0x30 + (self->seq++ % 64));

	ASSERT_EQ(VIRTIO_BLK_S_OK,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, sector, buf, 512));
	memcpy(self->img + sector * 512, hvg_ptr(G, buf), 512);
}

/*
 * After a malformed request: no NEEDS_RESET, the image untouched, and
 * valid requests (read, write, read back, flush) work.
 */
static void still_works(struct __test_metadata *_metadata,
			struct _test_data_blk *self)
{
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE))
		TH_LOG("the device gave up on a malformed request");
	image_unchanged(_metadata, self);
	read_ok(_metadata, self, 3, 2);
	write_ok(_metadata, self, 100);
	read_ok(_metadata, self, 100, 1);
	EXPECT_EQ(VIRTIO_BLK_S_OK, hvg_blk_req(G, B, VIRTIO_BLK_T_FLUSH, 0,
					       0, 0));
	image_unchanged(_metadata, self);
}

/*
 * Send the chain @bufs[0..n); its status byte is the last byte of the
 * last buffer, which must be writable. Checks the used length and
 * returns the status byte.
 */
static int chain_status(struct __test_metadata *_metadata,
			struct _test_data_blk *self, struct hvg_buf *bufs,
			unsigned int n)
{
	__u64 st = bufs[n - 1].gpa + bufs[n - 1].len - 1;
	__u32 in_len = 0;
	unsigned int i;
	long len;

	for (i = 0; i < n; i++)
		if (bufs[i].write)
			in_len += bufs[i].len;
	*(__u8 *)hvg_ptr(G, st) = 0xee;
	len = hvg_chain(G, BASE, VQ, bufs, n, HVG_WAIT_MS);
	EXPECT_LE(1, len) TH_LOG("no used entry, or no byte written");
	EXPECT_GE((long)in_len, len);
	return hvg_byte(G, st);
}

/* A chain without any writable byte: used with length 0, nothing written. */
static void no_status(struct __test_metadata *_metadata,
		      struct _test_data_blk *self, struct hvg_buf *bufs,
		      unsigned int n)
{
	__u64 last = bufs[n - 1].gpa + bufs[n - 1].len - 1;
	__u8 before = hvg_byte(G, last);

	EXPECT_EQ(0, hvg_chain(G, BASE, VQ, bufs, n, HVG_WAIT_MS))
		TH_LOG("a chain without a status byte was not returned");
	EXPECT_EQ(before, hvg_byte(G, last));
}

#define HDR(type, sector) \
	((struct hvg_buf){ hvg_blk_hdr(G, (type), (sector)), 16, 0 })
#define RD(gpa, len)	((struct hvg_buf){ (gpa), (len), 0 })
#define WR(gpa, len)	((struct hvg_buf){ (gpa), (len), 1 })
#define STATUS()	WR(fill(G, 1, 0xee), 1)

TEST_F(blk, baseline)
{
	char id[VIRTIO_BLK_ID_BYTES + 1] = "";
	__u64 buf;

	read_ok(_metadata, self, 0, 1);
	read_ok(_metadata, self, SECTORS - 8, 8);
	write_ok(_metadata, self, SECTORS - 1);
	read_ok(_metadata, self, SECTORS - 1, 1);
	buf = fill(G, VIRTIO_BLK_ID_BYTES, 0x55);
	ASSERT_EQ(VIRTIO_BLK_S_OK, hvg_blk_req(G, B, VIRTIO_BLK_T_GET_ID, 0,
					       buf, VIRTIO_BLK_ID_BYTES));
	memcpy(id, hvg_ptr(G, buf), VIRTIO_BLK_ID_BYTES);
	EXPECT_STREQ(SERIAL, id);
	EXPECT_EQ(0, ((char *)hvg_ptr(G, buf))[VIRTIO_BLK_ID_BYTES - 1])
		TH_LOG("GET_ID is NUL padded");
	EXPECT_NE(0U, hvg_cfg32(G, BASE, HVG_BLK_MAX_DISCARD_SECTORS));
	EXPECT_NE(0U, hvg_cfg32(G, BASE, HVG_BLK_MAX_DISCARD_SEG));
	EXPECT_NE(0U, hvg_cfg32(G, BASE, HVG_BLK_MAX_WZ_SECTORS));
	EXPECT_NE(0U, hvg_cfg32(G, BASE, HVG_BLK_MAX_WZ_SEG));
	if (self->offered & BIT_ULL(VIRTIO_BLK_F_SEG_MAX))
		EXPECT_NE(0U, hvg_cfg32(G, BASE, HVG_BLK_SEG_MAX));
	if (self->offered & BIT_ULL(VIRTIO_BLK_F_SIZE_MAX))
		EXPECT_LE(4096U, hvg_cfg32(G, BASE, HVG_BLK_SIZE_MAX));
	if (self->offered & BIT_ULL(VIRTIO_BLK_F_BLK_SIZE))
		EXPECT_EQ(0U, hvg_cfg32(G, BASE, HVG_BLK_BLK_SIZE) % 512);
	still_works(_metadata, self);
}

/* Any layout (VERSION_1): a split header, data and status in one buffer. */
TEST_F(blk, any_layout)
{
	__u64 hdr = hvg_blk_hdr(G, VIRTIO_BLK_T_IN, 7);
	__u64 io = fill(G, 1024 + 1, 0xa5);
	struct hvg_buf bufs[] = {
		RD(hdr, 8), RD(hdr + 8, 8), WR(io, 1000), WR(io + 1000, 25),
	};

	EXPECT_EQ(VIRTIO_BLK_S_OK, chain_status(_metadata, self, bufs, 4));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, io), self->img + 7 * 512, 1024));

	/* A write whose data is split at odd offsets. */
	hdr = hvg_blk_hdr(G, VIRTIO_BLK_T_OUT, 9);
	io = fill(G, 512, 0x77);
	{
		struct hvg_buf w[] = {
			RD(hdr, 16), RD(io, 3), RD(io + 3, 509), STATUS(),
		};

		EXPECT_EQ(VIRTIO_BLK_S_OK, chain_status(_metadata, self, w, 4));
	}
	memset(self->img + 9 * 512, 0x77, 512);
	still_works(_metadata, self);
}

TEST_F(blk, header_too_short)
{
	__u64 hdr = hvg_blk_hdr(G, VIRTIO_BLK_T_IN, 0);
	struct hvg_buf b1[] = { RD(hdr, 8), STATUS() };
	struct hvg_buf b2[] = { RD(hdr, 15), WR(fill(G, 513, 0), 513) };
	struct hvg_buf b3[] = { STATUS() };
	struct hvg_buf b4[] = {
		RD(hvg_blk_hdr(G, VIRTIO_BLK_T_OUT, 0), 12),
		RD(fill(G, 512, 0x11), 512), STATUS(),
	};

	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, b1, 2));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, b2, 2));
	/* No header at all: only a writable status byte. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, b3, 1));
	/* A write whose header is 12 bytes: nothing is written. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, b4, 3));
	still_works(_metadata, self);
}

TEST_F(blk, status_not_writable)
{
	__u64 st = fill(G, 1, 0xee);
	struct hvg_buf w[] = {
		HDR(VIRTIO_BLK_T_OUT, 0), RD(fill(G, 512, 0x11), 512), RD(st, 1),
	};
	struct hvg_buf r[] = {
		HDR(VIRTIO_BLK_T_IN, 0), RD(fill(G, 513, 0x22), 513),
	};
	struct hvg_buf f[] = { HDR(VIRTIO_BLK_T_FLUSH, 0), RD(st, 1) };

	/* A write with a readable status: not performed, not answered. */
	no_status(_metadata, self, w, 3);
	no_status(_metadata, self, r, 2);
	no_status(_metadata, self, f, 2);
	still_works(_metadata, self);
}

TEST_F(blk, no_status_byte)
{
	struct hvg_buf h[] = { HDR(VIRTIO_BLK_T_IN, 0) };
	struct hvg_buf w[] = {
		HDR(VIRTIO_BLK_T_OUT, 0), RD(fill(G, 512, 0x11), 512),
	};
	struct hvg_buf z[] = {
		HDR(VIRTIO_BLK_T_WRITE_ZEROES, 0),
		RD(hvg_put(G, &(struct seg){ 0, 8, 0 }, 16), 16),
	};
	__u64 io = fill(G, 512, 0xa5);
	struct hvg_buf r[] = { HDR(VIRTIO_BLK_T_IN, 1), WR(io, 512) };

	no_status(_metadata, self, h, 1);
	no_status(_metadata, self, w, 2);
	no_status(_metadata, self, z, 2);
	/*
	 * A read with one writable sector: its last byte is the status, so
	 * the data is 511 bytes, not a multiple of 512.
	 */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, r, 2));
	still_works(_metadata, self);
}

TEST_F(blk, sector_past_capacity)
{
	static const __u64 bad[] = {
		SECTORS, SECTORS + 1, 1ULL << 32, 1ULL << 54, 1ULL << 55,
		~0ULL >> 9, (~0ULL >> 9) + 1, ~0ULL - 1, ~0ULL,
	};
	unsigned int i;
	__u64 io;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		io = fill(G, 512, 0x5a);
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_IN, bad[i], io, 512))
			TH_LOG("read at sector %#llx", (unsigned long long)bad[i]);
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, bad[i], io, 512))
			TH_LOG("write at sector %#llx",
			       (unsigned long long)bad[i]);
	}
	/* Straddling the end: nothing of it is written. */
	io = fill(G, 4096, 0x5b);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, SECTORS - 4, io, 4096));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_IN, SECTORS - 4, io, 4096));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, SECTORS - 1, io, 1024));
	image_unchanged(_metadata, self);
	/* Up to the last sector is fine. */
	read_ok(_metadata, self, SECTORS - 8, 8);
	still_works(_metadata, self);
}

TEST_F(blk, length_not_multiple_of_512)
{
	static const __u32 lens[] = { 1, 100, 511, 513, 1000, 4095 };
	unsigned int i;
	__u64 io;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		io = fill(G, lens[i], 0x5a);
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, 16, io, lens[i]))
			TH_LOG("write of %u bytes", lens[i]);
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_IN, 16, io, lens[i]))
			TH_LOG("read of %u bytes", lens[i]);
	}
	still_works(_metadata, self);
}

TEST_F(blk, huge_lengths)
{
	__u32 big = 3U << 20;	/* 3 MiB: more than the 1 MiB disk */
	__u64 io = fill(G, big, 0x5c);
	struct hvg_buf many[HVG_BLK_MAX_BUFS];
	unsigned int i;

	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, 0, io, big));
	image_unchanged(_metadata, self);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_IN, 0, io, big));

	/* The same 3 MiB buffer 14 times: 42 MiB of data in one chain. */
	many[0] = HDR(VIRTIO_BLK_T_OUT, 0);
	for (i = 1; i < HVG_BLK_MAX_BUFS - 1; i++)
		many[i] = RD(io, big);
	many[i] = STATUS();
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  chain_status(_metadata, self, many, HVG_BLK_MAX_BUFS));
	image_unchanged(_metadata, self);
	many[0] = HDR(VIRTIO_BLK_T_IN, 0);
	for (i = 1; i < HVG_BLK_MAX_BUFS; i++)
		many[i] = WR(io, big);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  chain_status(_metadata, self, many, HVG_BLK_MAX_BUFS));
	still_works(_metadata, self);
}

/* Pages of @fd's first @len bytes in the page cache. */
static long cached_pages(int fd, size_t len)
{
	long page = sysconf(_SC_PAGESIZE), n = 0;
	unsigned char *vec;
	size_t i;
	void *map;

	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -1;
	vec = calloc(len / page, 1);
	if (vec && !mincore(map, len, vec))
		for (i = 0; i < len / page; i++)
			n += vec[i] & 1;
	else
		n = -1;
	free(vec);
	munmap(map, len);
	return n;
}

/*
 * Zone memory without struct pages is bounced, up to a budget per device:
 * a 42 MiB read (the most a chain of direct descriptors holds here; a
 * guest may ask for 4 GiB) goes through the page cache instead.
 */
TEST_F(blk, bounce_budget)
{
	const char *zc = "/sys/module/hvisor_vhost/parameters/blk_zero_copy";
	const __u32 big = 3U << 20, disk = 48U << 20;
	struct hvg_buf many[HVG_BLK_MAX_BUFS];
	char loop[32], path[] = "/tmp/blk_bounce.XXXXXX";
	int fd, bfd, zcfd;
	unsigned int i;
	__u64 io;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, disk));
	/* util-linux's or busybox's losetup (arm64 guests have only that). */
	if (hvg_sh(loop, sizeof(loop),
		   "l=$(losetup -f) && losetup \"$l\" %s && echo \"$l\"",
		   path)) {
		close(fd);
		unlink(path);
		SKIP(return, "no loop device here");
	}
	bfd = open(loop, O_RDWR);
	ASSERT_LE(0, bfd) TH_LOG("%s: %s", loop, strerror(errno));
	ASSERT_EQ(0, replug(self, bfd, 0, SERIAL));
	ASSERT_EQ(0, hvg_blk_init(&self->g, &self->b,
				  hvg_device_features(&self->g, BASE) & WANT,
				  NUM));
	zcfd = open(zc, O_WRONLY);
	ASSERT_LE(0, zcfd);
	ASSERT_EQ(1, write(zcfd, "N", 1));

	io = fill(G, big, 0x5c);
	many[0] = HDR(VIRTIO_BLK_T_IN, 0);
	for (i = 1; i < HVG_BLK_MAX_BUFS - 1; i++)
		many[i] = WR(io, big);
	many[i] = STATUS();
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  chain_status(_metadata, self, many, HVG_BLK_MAX_BUFS));
	EXPECT_EQ(0, hvg_byte(G, io));
	EXPECT_EQ(0, hvg_byte(G, io + big - 1));
	EXPECT_LT(0, cached_pages(bfd, (HVG_BLK_MAX_BUFS - 2) * (size_t)big))
		TH_LOG("42 MiB bounced: beyond the budget of pages held");

	/* Within the budget: bounced (direct I/O, not the page cache). */
	i = 0;
	many[i++] = HDR(VIRTIO_BLK_T_IN, (disk - big) / 512);
	many[i++] = WR(io, big);
	many[i++] = STATUS();
	EXPECT_EQ(VIRTIO_BLK_S_OK, chain_status(_metadata, self, many, i));
	EXPECT_EQ(0, cached_pages(bfd, disk) -
		  cached_pages(bfd, disk - big));

	EXPECT_EQ(1, write(zcfd, "Y", 1));
	close(zcfd);
	EXPECT_EQ(0, hvg_wr32(&self->g, BASE, VIRTIO_MMIO_STATUS, 0));
	EXPECT_EQ(0, hvg_del_dev(&self->g, self->b.d.name));
	close(bfd);
	EXPECT_EQ(0, hvg_sh(NULL, 0, "losetup -d %s", loop));
	close(fd);
	unlink(path);
}

TEST_F(blk, wrong_direction)
{
	__u64 ro = fill(G, 512, 0x66);
	struct hvg_buf out_w[] = {
		HDR(VIRTIO_BLK_T_OUT, 20), WR(fill(G, 512, 0x11), 512),
		STATUS(),
	};
	struct hvg_buf in_r[] = {
		HDR(VIRTIO_BLK_T_IN, 20), RD(ro, 512), STATUS(),
	};
	struct hvg_buf id_r[] = {
		HDR(VIRTIO_BLK_T_GET_ID, 0), RD(ro, 20), STATUS(),
	};
	unsigned char want[512];

	memset(want, 0x66, sizeof(want));
	/* A write whose data the device could only write into. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, out_w, 3));
	image_unchanged(_metadata, self);
	/* A read into readable buffers: those are never written. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, chain_status(_metadata, self, in_r, 3));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, ro), want, 512))
		TH_LOG("the device wrote into a readable buffer");
	/* GET_ID with a readable buffer: not written either. */
	EXPECT_NE(VIRTIO_BLK_S_OK, chain_status(_metadata, self, id_r, 3));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, ro), want, 512))
		TH_LOG("the device wrote into a readable buffer");
	still_works(_metadata, self);
}

/* A DISCARD or WRITE_ZEROES with the segment list @segs of @len bytes. */
static int dwz(struct __test_metadata *_metadata, struct _test_data_blk *self,
	       __u32 type, const void *segs, __u32 len)
{
	struct hvg_buf b[] = {
		HDR(type, 0), RD(hvg_put(G, segs, len), len), STATUS(),
	};

	return chain_status(_metadata, self, b, 3);
}

#define DWZ(type, ...) ({ \
	struct seg s_[] = { __VA_ARGS__ }; \
	dwz(_metadata, self, (type), s_, sizeof(s_)); })

static void segment_lists_that_lie(struct __test_metadata *_metadata,
				   struct _test_data_blk *self, __u32 type)
{
	__u32 max_sec, max_seg, n, i;
	struct seg *many;

	if (type == VIRTIO_BLK_T_DISCARD) {
		max_sec = hvg_cfg32(G, BASE, HVG_BLK_MAX_DISCARD_SECTORS);
		max_seg = hvg_cfg32(G, BASE, HVG_BLK_MAX_DISCARD_SEG);
	} else {
		max_sec = hvg_cfg32(G, BASE, HVG_BLK_MAX_WZ_SECTORS);
		max_seg = hvg_cfg32(G, BASE, HVG_BLK_MAX_WZ_SEG);
	}
	TH_LOG("type %u: max sectors %u, max segments %u", type, max_sec,
	       max_seg);

	/* Past the capacity, straddling it, wrapping around. */
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, DWZ(type, { SECTORS, 1, 0 }));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, DWZ(type, { SECTORS - 8, 16, 0 }));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, DWZ(type, { 0, SECTORS + 1, 0 }));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, DWZ(type, { ~0ULL - 7, 16, 0 }));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, DWZ(type, { ~0ULL >> 9, 8, 0 }));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, DWZ(type, { 64, 0xffffffff, 0 }));
	image_unchanged(_metadata, self);
	/* More sectors than the limit in one segment. */
	if (max_sec < SECTORS - 64) {
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  DWZ(type, { 64, max_sec + 1, 0 }));
		image_unchanged(_metadata, self);
	}
	/* A list that is not a whole number of segments. */
	{
		struct seg s[2] = { { 64, 8, 0 }, { 128, 8, 0 } };

		EXPECT_EQ(VIRTIO_BLK_S_IOERR, dwz(_metadata, self, type, s, 24));
		EXPECT_EQ(VIRTIO_BLK_S_IOERR, dwz(_metadata, self, type, s, 8));
		EXPECT_EQ(VIRTIO_BLK_S_IOERR, dwz(_metadata, self, type, s, 17));
		image_unchanged(_metadata, self);
	}
	/* More segments than the limit. */
	n = max_seg + 1;
	if (n > 1 && n <= 4096) {
		many = calloc(n, sizeof(*many));
		ASSERT_NE(NULL, many);
		for (i = 0; i < n; i++)
			many[i] = (struct seg){ 256 + (i % 256) * 4, 1, 0 };
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  dwz(_metadata, self, type, many, n * sizeof(*many)));
		free(many);
		image_unchanged(_metadata, self);
	}
	/* Unknown flags: UNSUPP. */
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, DWZ(type, { 64, 8, 2 }));
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, DWZ(type, { 64, 8, 0x80000000 }));
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP, DWZ(type, { 64, 8, 0xffffffff }));
	image_unchanged(_metadata, self);
}

TEST_F(blk, discard_segments_that_lie)
{
	segment_lists_that_lie(_metadata, self, VIRTIO_BLK_T_DISCARD);
	/* unmap is only for WRITE_ZEROES: UNSUPP on a DISCARD. */
	EXPECT_EQ(VIRTIO_BLK_S_UNSUPP,
		  DWZ(VIRTIO_BLK_T_DISCARD,
		      { 64, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP }));
	image_unchanged(_metadata, self);
	/* A valid two-segment discard. */
	EXPECT_EQ(VIRTIO_BLK_S_OK, DWZ(VIRTIO_BLK_T_DISCARD,
				       { 512, 8, 0 }, { 1024, 8, 0 }));
	/* The contents of discarded sectors are undefined from now on. */
	ASSERT_EQ((ssize_t)4096, pread(self->bfd, self->img + 512 * 512, 4096,
				       512 * 512));
	ASSERT_EQ((ssize_t)4096, pread(self->bfd, self->img + 1024 * 512, 4096,
				       1024 * 512));
	still_works(_metadata, self);
}

TEST_F(blk, write_zeroes_segments_that_lie)
{
	segment_lists_that_lie(_metadata, self, VIRTIO_BLK_T_WRITE_ZEROES);
	/* Valid ones, with and without unmap: zeros read back. */
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  DWZ(VIRTIO_BLK_T_WRITE_ZEROES, { 512, 8, 0 },
		      { 1000, 3, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP }));
	memset(self->img + 512 * 512, 0, 8 * 512);
	memset(self->img + 1000 * 512, 0, 3 * 512);
	image_unchanged(_metadata, self);
	read_ok(_metadata, self, 510, 12);
	read_ok(_metadata, self, 999, 5);
	still_works(_metadata, self);
}

TEST_F(blk, unknown_type)
{
	static const __u32 types[] = {
		2, 3, 6, 7, 9, 10, 12, 14, 15, 16, 18, 20, 22, 24, 26,
		0x55, 0xffff, 0x80000000, 0x80000001, 0xffffffff,
	};
	unsigned int i;
	__u64 io;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		io = fill(G, 512, 0x5d);
		/* Data direction of a read, then of a write. */
		EXPECT_EQ(VIRTIO_BLK_S_UNSUPP,
			  hvg_blk_req(G, B, types[i], 0, io, 0))
			TH_LOG("type %#x", types[i]);
		{
			struct hvg_buf b[] = {
				HDR(types[i], 0), RD(io, 512), STATUS(),
			};

			EXPECT_EQ(VIRTIO_BLK_S_UNSUPP,
				  chain_status(_metadata, self, b, 3))
				TH_LOG("type %#x with data", types[i]);
		}
	}
	image_unchanged(_metadata, self);
	still_works(_metadata, self);
}

/* A read-only device refuses every write, whatever the image allows. */
TEST_F(blk, read_only)
{
	__u64 io;
	int st;

	ASSERT_EQ(0, replug(self, self->fd, HVV_BLK_F_RO, NULL));
	self->offered = hvg_device_features(G, BASE);
	EXPECT_TRUE(self->offered & BIT_ULL(VIRTIO_BLK_F_RO));
	ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, NUM));
	read_ok(_metadata, self, 0, 8);
	io = fill(G, 4096, 0x42);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, 0, io, 4096));
	st = DWZ(VIRTIO_BLK_T_WRITE_ZEROES, { 0, 8, 0 });
	EXPECT_TRUE(st == VIRTIO_BLK_S_IOERR || st == VIRTIO_BLK_S_UNSUPP)
		TH_LOG("WRITE_ZEROES on a read-only device: status %d", st);
	st = DWZ(VIRTIO_BLK_T_DISCARD, { 0, 8, 0 });
	EXPECT_TRUE(st == VIRTIO_BLK_S_IOERR || st == VIRTIO_BLK_S_UNSUPP)
		TH_LOG("DISCARD on a read-only device: status %d", st);
	image_unchanged(_metadata, self);
	/* Without RO negotiated too: the device still refuses. */
	ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT &
				  ~BIT_ULL(VIRTIO_BLK_F_RO), NUM));
	EXPECT_EQ(VIRTIO_BLK_S_IOERR,
		  hvg_blk_req(G, B, VIRTIO_BLK_T_OUT, 0, io, 4096));
	image_unchanged(_metadata, self);
	read_ok(_metadata, self, 0, 8);
	/* A derived serial is not empty. */
	io = fill(G, VIRTIO_BLK_ID_BYTES, 0);
	EXPECT_EQ(VIRTIO_BLK_S_OK, hvg_blk_req(G, B, VIRTIO_BLK_T_GET_ID, 0, io,
					       VIRTIO_BLK_ID_BYTES));
	EXPECT_NE(0, hvg_byte(G, io));
}

/* ---- reset and removal with requests in flight ----------------------- */

#define FLIGHT		5		/* chains of 3 descriptors in NUM */
#define FLIGHT_LEN	(256 << 10)
/* Zone RAM the requests in flight take, whatever their alignment. */
#define FLIGHT_AREA	(FLIGHT * (FLIGHT_LEN + 3 * 4096))

/*
 * Make FLIGHT requests of FLIGHT_LEN available at once (writes at even
 * slots, reads at odd ones) and notify; the read buffers go to @rd. In
 * @direct rounds the buffers are page aligned: the device does direct I/O
 * into them; otherwise they are not, and it reads through the page cache,
 * emptied first so that the reads wait for the slow backing too. The
 * buffers are in FLIGHT_AREA at @area; what is allocated next (rings of a
 * reinitialised queue) comes after it, at the same place every round.
 */
static void post_flight(struct _test_data_blk *self, __u64 *rd, int direct,
			__u64 area)
{
	unsigned int i;

	self->g.alloc = area;
	if (!direct && self->slow)
		ioctl(self->bfd, BLKFLSBUF, 0);
	for (i = 0; i < FLIGHT; i++) {
		int write = !(i & 1);
		__u32 type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
		__u64 data = hvg_alloc(G, FLIGHT_LEN, direct ? 4096 : 16);
		__u16 d = i * 3;

		memset(hvg_ptr(G, data), write ? 0x99 : 0xa5, FLIGHT_LEN);
		rd[i] = write ? 0 : data;
		hvg_desc(VQ, d, hvg_blk_hdr(G, type, i * (FLIGHT_LEN / 512)),
			 16, VRING_DESC_F_NEXT, d + 1);
		hvg_desc(VQ, d + 1, data, FLIGHT_LEN,
			 VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE),
			 d + 2);
		hvg_desc(VQ, d + 2, fill(G, 1, 0xee), 1, VRING_DESC_F_WRITE, 0);
		hvg_vq_publish(VQ, d);
	}
	hvg_notify(G, BASE, 0);
	self->g.alloc = area + FLIGHT_AREA;
}

/*
 * The device let go of the rings: from now on nothing is written into
 * the read buffers and no used entry appears.
 */
static void quiet_after(struct __test_metadata *_metadata,
			struct _test_data_blk *self, const __u64 *rd)
{
	__u16 used = hvg_vq_used_idx(VQ);
	unsigned int i, j;

	for (i = 0; i < FLIGHT; i++)
		if (rd[i])
			memset(hvg_ptr(G, rd[i]), 0x3c, FLIGHT_LEN);
	hvg_sleep_ms(2 * HVG_QUIET_MS);
	EXPECT_EQ(used, hvg_vq_used_idx(VQ))
		TH_LOG("a used entry was published after the device let go");
	for (i = 0; i < FLIGHT; i++) {
		const __u8 *p = hvg_ptr(G, rd[i]);

		if (!rd[i])
			continue;
		for (j = 0; j < FLIGHT_LEN && p[j] == 0x3c; j++)
			;
		EXPECT_EQ(FLIGHT_LEN, j)
			TH_LOG("late write by read %u (sector %u): byte %u is %#x, image %#x",
			       i, i * (FLIGHT_LEN / 512), j, p[j],
			       self->img[i * FLIGHT_LEN + j]);
	}
	/* The writes may or may not have happened: take the image as is. */
	ASSERT_EQ((ssize_t)IMG_SIZE, pread(self->bfd, self->img, IMG_SIZE, 0));
}

TEST_F(blk, reset_with_io_in_flight)
{
	__u64 rd[FLIGHT], mark, deferred;
	int round;

	use_slow_backing(_metadata, self);
	deferred = hvg_bridge_stat("deferred");
	mark = self->g.alloc;
	for (round = 0; round < 10; round++) {
		post_flight(self, rd, round & 1, mark);
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
		/* The driver waits for the reset to complete. */
		ASSERT_EQ(0U, hvg_wait_reg_zero(G, BASE, VIRTIO_MMIO_STATUS,
						HVG_WAIT_MS))
			TH_LOG("the reset does not complete");
		quiet_after(_metadata, self, rd);
		ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, NUM));
		still_works(_metadata, self);
		hvg_drain_irqs(G);
	}
	/* Each reset write waited for the device (hvg_blk_init resets too). */
	EXPECT_LE(deferred + 10, hvg_bridge_stat("deferred"));
}

/*
 * The driver disables the queue (QueueReady 0) with requests in flight,
 * without a reset: once it reads 0 back the device has let go of the ring
 * and its buffers (virtio 1.2, 4.2.3.3), as after a reset.
 */
TEST_F(blk, queue_disabled_with_io_in_flight)
{
	__u64 rd[FLIGHT], mark;
	int round;

	use_slow_backing(_metadata, self);
	mark = self->g.alloc;
	for (round = 0; round < 4; round++) {
		post_flight(self, rd, round & 1, mark);
		hvg_wr32(G, BASE, VIRTIO_MMIO_QUEUE_SEL, 0);
		hvg_wr32(G, BASE, VIRTIO_MMIO_QUEUE_READY, 0);
		ASSERT_EQ(0U, hvg_wait_reg_zero(G, BASE,
						VIRTIO_MMIO_QUEUE_READY,
						HVG_WAIT_MS))
			TH_LOG("the queue stays enabled");
		quiet_after(_metadata, self, rd);
		ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, NUM));
		still_works(_metadata, self);
		hvg_drain_irqs(G);
	}
}

/*
 * The device is removed while the driver uses it: every request comes
 * back (what the backing had completes, the rest fails; none waits
 * forever), nothing is written into the read buffers once they did, and
 * the window stays taken until the driver resets the device.
 */
TEST_F(blk, removal_with_io_in_flight)
{
	__u64 rd[FLIGHT], mark, end;
	struct hvg_blk again;
	int round;

	use_slow_backing(_metadata, self);
	mark = self->g.alloc;
	for (round = 0; round < 5; round++) {
		post_flight(self, rd, round & 1, mark);
		ASSERT_EQ(0, hvg_del_dev(G, B->d.name));
		/* Each request comes back: served, or failed once removed. */
		end = hvg_ms() + HVG_WAIT_MS;
		while ((__u16)(hvg_vq_used_idx(VQ) - VQ->last_used) < FLIGHT &&
		       hvg_ms() < end)
			hvg_sleep_ms(1);
		ASSERT_EQ(FLIGHT, (__u16)(hvg_vq_used_idx(VQ) - VQ->last_used))
			TH_LOG("round %d: requests never complete (used %u, last %u)",
			       round, hvg_vq_used_idx(VQ), VQ->last_used);
		VQ->last_used += FLIGHT;
		hvg_drain_irqs(G);
		hvg_ack(G, BASE, hvg_isr(G, BASE));
		quiet_after(_metadata, self, rd);
		EXPECT_EQ(-ENOENT, hvg_del_dev(G, B->d.name));
		EXPECT_EQ(~0ULL, hvg_sysfs_u64(B->d.name, "zone"))
			TH_LOG("the removed device is still in sysfs");
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_IN, 0,
				      fill(G, 4096, 0x11), 4096));
		EXPECT_EQ(VIRTIO_BLK_S_IOERR,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
		EXPECT_EQ(-EADDRINUSE, hvg_add_blk(G, BASE, IRQ, self->bfd, 0,
						   SERIAL, &again));
		EXPECT_EQ(0U, hvg_status(G, BASE) &
			  VIRTIO_CONFIG_S_NEEDS_RESET);
		/* The driver lets go: a reset frees the window. */
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
		ASSERT_EQ(0, hvg_add_blk(G, BASE, IRQ, self->bfd, 0, SERIAL, B));
		ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, NUM));
		still_works(_metadata, self);
		hvg_drain_irqs(G);
	}
}

/*
 * The driver breaks a ring rule while requests are in flight, then the
 * device is removed while the driver still owns it. The device gave up on
 * the ring: the completions of those requests publish nothing, and write
 * nothing past the used ring (they once did, the ring size taken as 0).
 */
TEST_F(blk, removal_of_a_broken_device_with_io_in_flight)
{
	static __u8 before[4096];
	__u64 rd[FLIGHT], tail, mark;
	size_t tail_len;
	unsigned int i;
	__u16 used;

	use_slow_backing(_metadata, self);
	/* The device's used index goes past the ring size first. */
	for (i = 0; i < NUM + 3; i++)
		ASSERT_EQ(VIRTIO_BLK_S_OK,
			  hvg_blk_req(G, B, VIRTIO_BLK_T_GET_ID, 0,
				      fill(G, VIRTIO_BLK_ID_BYTES, 0),
				      VIRTIO_BLK_ID_BYTES));
	hvg_drain_irqs(G);
	hvg_ack(G, BASE, hvg_isr(G, BASE));
	/* The requests' buffers lie far from the used ring's page. */
	mark = (self->g.alloc + 0xffff) & ~0xffffULL;
	post_flight(self, rd, 1, mark);
	hvg_vq_kick(G, BASE, VQ, NUM + 5);	/* a head beyond the table */
	ASSERT_TRUE(hvg_wait_status(G, BASE, VIRTIO_CONFIG_S_NEEDS_RESET,
				    HVG_WAIT_MS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	used = hvg_vq_used_idx(VQ);
	tail = VQ->used_gpa + 6 + 8 * NUM;
	tail_len = 4096 - (6 + 8 * NUM);
	memcpy(before, hvg_ptr(G, tail), tail_len);

	ASSERT_EQ(0, hvg_del_dev(G, B->d.name));
	hvg_sleep_ms(2 * HVG_QUIET_MS);
	EXPECT_EQ(used, hvg_vq_used_idx(VQ))
		TH_LOG("a broken device published used entries");
	EXPECT_EQ(0, memcmp(before, hvg_ptr(G, tail), tail_len))
		TH_LOG("written past the end of the used ring");
	/* The writes in flight may or may not have happened. */
	ASSERT_EQ((ssize_t)IMG_SIZE, pread(self->bfd, self->img, IMG_SIZE, 0));
	/* The driver lets go: the window is freed. */
	hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
	ASSERT_EQ(0, hvg_add_blk(G, BASE, IRQ, self->bfd, 0, SERIAL, B));
	ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, NUM));
	still_works(_metadata, self);
}

/*
 * A head made available a second time while its first request is in
 * flight: the device would serve one chain twice and return it twice.
 * It marks itself broken instead, and recovers with a reset.
 */
TEST_F(blk, head_made_available_while_in_use)
{
	__u64 data;

	use_slow_backing(_metadata, self);
	if (!self->slow)
		SKIP(return, "no slow backing: the request would not stay in flight");
	data = hvg_alloc(G, 4096, 4096);
	hvg_desc(VQ, 0, hvg_blk_hdr(G, VIRTIO_BLK_T_IN, 8), 16,
		 VRING_DESC_F_NEXT, 1);
	hvg_desc(VQ, 1, data, 4096, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	hvg_desc(VQ, 2, fill(G, 1, 0xee), 1, VRING_DESC_F_WRITE, 0);
	hvg_vq_publish(VQ, 0);
	hvg_vq_publish(VQ, 0);
	hvg_notify(G, BASE, 0);
	EXPECT_TRUE(hvg_wait_status(G, BASE, VIRTIO_CONFIG_S_NEEDS_RESET,
				    HVG_WAIT_MS) & VIRTIO_CONFIG_S_NEEDS_RESET)
		TH_LOG("the device took a head it holds a second time");
	ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, NUM));
	still_works(_metadata, self);
}

/*
 * virtio 1.2 2.1.2: no buffer is used before DRIVER_OK; what the driver
 * posted before is served when it sets it.
 */
TEST_F(blk, no_request_served_before_driver_ok)
{
	__u64 data, st;
	__u32 id;

	ASSERT_EQ(0, hvg_negotiate(G, BASE, self->offered & WANT));
	hvg_vq_alloc(G, VQ, 0, NUM);
	hvg_vq_enable(G, BASE, VQ);
	ASSERT_EQ(1U, hvg_queue_ready(G, BASE, 0));
	data = fill(G, 512, 0);
	st = fill(G, 1, 0xee);
	hvg_desc(VQ, 0, hvg_blk_hdr(G, VIRTIO_BLK_T_IN, 1), 16,
		 VRING_DESC_F_NEXT, 1);
	hvg_desc(VQ, 1, data, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	hvg_desc(VQ, 2, st, 1, VRING_DESC_F_WRITE, 0);
	hvg_vq_kick(G, BASE, VQ, 0);
	EXPECT_EQ(0U, hvg_irq_count(G, IRQ, HVG_QUIET_MS));
	EXPECT_EQ(0, hvg_vq_used_idx(VQ));
	EXPECT_EQ(0xee, hvg_byte(G, st));

	hvg_driver_ok(G, BASE);
	EXPECT_EQ(513, hvg_vq_wait_used(VQ, HVG_WAIT_MS, &id));
	EXPECT_EQ(0U, id);
	EXPECT_EQ(VIRTIO_BLK_S_OK, hvg_byte(G, st));
	EXPECT_EQ(0, memcmp(hvg_ptr(G, data), self->img + 512, 512));
}

/*
 * A device no driver owns goes at once: after Linux's virtio_dev_remove()
 * (reset, then ACKNOWLEDGE again), and after a failed probe.
 */
TEST_F(blk, removal_after_the_driver_let_go)
{
	static const __u32 left[] = {
		VIRTIO_CONFIG_S_ACKNOWLEDGE,
		HVG_S_DRV | VIRTIO_CONFIG_S_FAILED,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(left); i++) {
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, 0);
		ASSERT_EQ(0U, hvg_status(G, BASE));
		hvg_wr32(G, BASE, VIRTIO_MMIO_STATUS, left[i]);
		ASSERT_EQ(left[i], hvg_status(G, BASE));
		ASSERT_EQ(0, hvg_del_dev(G, B->d.name));
		EXPECT_EQ(0U, hvg_rd32(G, BASE, VIRTIO_MMIO_MAGIC_VALUE))
			TH_LOG("status %#x: the window is still served", left[i]);
		ASSERT_EQ(0, hvg_add_blk(G, BASE, IRQ, self->fd, 0, SERIAL,
					 B));
	}
}

/*
 * Requests that wait on one device's slow backing do not hold back
 * another device's: the device fills its whole ring (256 requests, one
 * indirect descriptor each) with reads the page cache serves (buffers
 * not aligned for direct I/O) from a backing that holds every read
 * STALL_MS, then a second device on the image file must answer a read
 * (through the page cache too) long before the first read of the slow
 * one can have come back. Until blocking requests ran on a workqueue
 * per device, the shared one had 256 slots: the second device's read
 * waited for the slow one's.
 */
#define STALL_MS	2000
#define STALL_NUM	256
#define OTHER_BASE	(BASE + HVG_DEV_LEN)

TEST_F(blk, slow_device_does_not_stall_another)
{
	__u64 data[STALL_NUM], start, took, end;
	struct hvg_blk other;
	unsigned int i, bad = 0;
	__u64 buf;

	use_slow_backing_ms(_metadata, self, STALL_MS);
	if (!self->slow)
		SKIP(return, "no dm-delay here: no backing slow enough");
	ASSERT_EQ(0, hvg_add_blk(G, OTHER_BASE, IRQ + 1, self->fd, 0, NULL,
				 &other));
	ASSERT_EQ(0, hvg_blk_init(G, &other, self->offered & WANT, NUM));
	ASSERT_EQ(0, hvg_blk_init(G, B, self->offered & WANT, STALL_NUM));
	ASSERT_TRUE(hvg_device_features(G, BASE) & HVG_F_INDIRECT);
	ioctl(self->bfd, BLKFLSBUF, 0);
	for (i = 0; i < STALL_NUM; i++) {
		__u64 tbl = hvg_alloc(G, 2 * sizeof(struct vring_desc), 16);
		struct vring_desc *t = hvg_ptr(G, tbl);

		/* 512 bytes of data and the status, 8 bytes past an edge. */
		data[i] = hvg_alloc(G, 8 + 513, 512) + 8;
		memset(hvg_ptr(G, data[i]), 0xa5, 513);
		hvg_set_desc(&t[0], hvg_blk_hdr(G, VIRTIO_BLK_T_IN, i * 8), 16,
			     VRING_DESC_F_NEXT, 1);
		hvg_set_desc(&t[1], data[i], 513, VRING_DESC_F_WRITE, 0);
		hvg_desc(VQ, i, tbl, 2 * sizeof(*t), VRING_DESC_F_INDIRECT, 0);
		hvg_vq_publish(VQ, i);
	}
	hvg_notify(G, BASE, 0);
	/* Let the worker hand all of them to the engine. */
	hvg_sleep_ms(200);
	EXPECT_EQ(0, hvg_vq_used_idx(VQ))
		TH_LOG("the slow backing was not slow: the test proves nothing");

	buf = fill(G, 1024 + 8, 0x5a) + 8;
	start = hvg_ms();
	ASSERT_EQ(VIRTIO_BLK_S_OK, hvg_blk_req(G, &other, VIRTIO_BLK_T_IN, 5,
					       buf, 512));
	took = hvg_ms() - start;
	EXPECT_EQ(0, memcmp(hvg_ptr(G, buf), self->img + 5 * 512, 512));
	EXPECT_GT(STALL_MS / 4, took)
		TH_LOG("the other device's read took %llu ms, behind the slow device's",
		       (unsigned long long)took);

	/* Every slow read comes back, with the image's data. */
	end = hvg_ms() + 60000;
	while (hvg_vq_used_idx(VQ) != STALL_NUM && hvg_ms() < end) {
		hvg_drain_irqs(G);
		hvg_sleep_ms(20);
	}
	ASSERT_EQ(STALL_NUM, hvg_vq_used_idx(VQ));
	for (i = 0; i < STALL_NUM; i++) {
		const __u8 *p = hvg_ptr(G, data[i]);

		bad += p[512] != VIRTIO_BLK_S_OK ||
		       memcmp(p, self->img + i * 4096, 512);
	}
	EXPECT_EQ(0U, bad) TH_LOG("%u slow reads failed or read wrong data",
				  bad);
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE));
}

/*
 * A reset's answer waits for the I/O that started before it, and only
 * for that: while one vCPU waits for it, another sets the device up again
 * (no reset of its own, DRIVER_OK) and keeps requests in flight on the
 * slow backing, a new one every SLOW_STAGGER_MS. The device must not
 * serve them before the reset is answered (when it did, the wait never
 * ended while they kept coming, and removing the device would have hung
 * under the control lock), and serves them after.
 */
#define SLOW_HOLD_MS	1000
#define SLOW_STAGGER_MS	250
#define SLOW_POSTS	20	/* 5 s of posting: far beyond the old I/O */
#define SLOW_RING	64	/* SLOW_POSTS chains of 3 descriptors */

struct reset_waiter {
	struct hvg g;		/* the other vCPU of the zone */
	int ret;
	__u64 answered;		/* hvg_ms() of the answer */
};

static void *reset_from_other_vcpu(void *arg)
{
	struct reset_waiter *w = arg;
	__u64 zero = 0;

	w->ret = hvg_access_tmo(&w->g, BASE + VIRTIO_MMIO_STATUS, 4, 1, &zero,
				30000);
	__atomic_store_n(&w->answered, hvg_ms(), __ATOMIC_RELEASE);
	return NULL;
}

TEST_F(blk, reset_wait_ends_while_another_vcpu_posts)
{
	__u64 features = self->offered & WANT, rd[FLIGHT], start, answered;
	struct reset_waiter w = { .ret = -1 };
	struct hvg_vq vq2;
	pthread_t thread;
	unsigned int posted = 0, i;

	use_slow_backing_ms(_metadata, self, SLOW_HOLD_MS);
	if (!self->slow)
		SKIP(return, "no dm-delay here: no backing slow enough");
	post_flight(self, rd, 1, self->g.alloc);
	w.g = self->g;
	w.g.cpu = self->g.cpu + 1;
	start = hvg_ms();
	ASSERT_EQ(0, pthread_create(&thread, NULL, reset_from_other_vcpu, &w));
	hvg_sleep_ms(100);
	ASSERT_EQ(0U, hvg_status(G, BASE)) TH_LOG("the reset did not happen");

	/* This vCPU sets the device up again, without a reset of its own. */
	ASSERT_EQ(0, hvg_negotiate_from_reset(G, BASE, features));
	hvg_vq_alloc(G, &vq2, 0, SLOW_RING);
	hvg_vq_enable(G, BASE, &vq2);
	hvg_driver_ok(G, BASE);
	ASSERT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE));

	while (!__atomic_load_n(&w.answered, __ATOMIC_ACQUIRE) &&
	       posted < SLOW_POSTS) {
		__u16 d = posted * 3;
		__u64 data = hvg_alloc(G, 4096, 4096);

		hvg_desc(&vq2, d, hvg_blk_hdr(G, VIRTIO_BLK_T_IN, posted * 8),
			 16, VRING_DESC_F_NEXT, d + 1);
		hvg_desc(&vq2, d + 1, data, 4096,
			 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, d + 2);
		hvg_desc(&vq2, d + 2, fill(G, 1, 0xee), 1, VRING_DESC_F_WRITE,
			 0);
		hvg_vq_publish(&vq2, d);
		hvg_notify(G, BASE, 0);
		posted++;
		hvg_sleep_ms(SLOW_STAGGER_MS);
	}
	pthread_join(thread, NULL);
	ASSERT_EQ(0, w.ret) TH_LOG("the reset was never answered");
	answered = w.answered - start;
	EXPECT_GT(3 * SLOW_HOLD_MS, answered)
		TH_LOG("the reset was answered after %llu ms, the I/O before it took %d",
		       (unsigned long long)answered, SLOW_HOLD_MS);

	/* Then what this vCPU posted is served. */
	for (i = 0; i < posted; i++)
		EXPECT_LE(0, hvg_vq_wait_used(&vq2, HVG_WAIT_MS + SLOW_HOLD_MS,
					      NULL))
			TH_LOG("request %u of %u posted during the reset never came back",
			       i, posted);
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(G, BASE));
	hvg_drain_irqs(G);
}

TEST_HARNESS_MAIN
