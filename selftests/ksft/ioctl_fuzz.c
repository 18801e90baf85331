// SPDX-License-Identifier: GPL-2.0
/*
 * hv-lanes: x86_64/debian x86_64/debug
 * ioctl_fuzz: every ioctl of /dev/hvisor_vhost, /dev/hvisor_sim and
 * /dev/hvisor with random and edge arguments, for HV_FUZZ_SECONDS
 * (default 15) from a seed (HV_FUZZ_SEED, default from the clock; both
 * printed), by HV_FUZZ_PROCS processes at once (default 2).
 *
 * Arguments: random bytes, or structures mostly well-formed with one
 * field or more at an edge (ids 0 and beyond the maximum, every device
 * type, unaligned, wrapping and huge addresses and sizes, non-zero
 * padding, unterminated and made-up names, every flag), placed in normal
 * memory, at NULL, in an unmapped or a read-only page, across the end of
 * a writable page into a read-only one or of a read-only page into an
 * unmapped one, at a kernel address, misaligned. Backend descriptors of
 * every kind: the image file read-write, read-only, write-only,
 * append-only, empty, not whole sectors, a memfd (sealed or not), a loop
 * device, a pipe, a socket, a directory, an O_PATH descriptor,
 * /dev/null, an eventfd, the control devices themselves, a procfs, a
 * sysfs and a 9p file, a closed descriptor, -1, large numbers, and for
 * net devices a tap, queues of a multi-queue tap and opens of a macvtap
 * (as one fd, or arrays of them for queue pairs: queues of one tap, of
 * several, the same one twice, anything else of the pool). Unknown
 * command numbers, known numbers with the wrong size or direction,
 * commands of one device sent to another. The control files are closed
 * and reopened, mapped, read and polled in between.
 *
 * Zones stay in pools so that the test never hands hvisor_vhost memory
 * that may go away: hvisor_vhost zones map only the RAM of one simulated
 * zone the test keeps for the whole run (or addresses that are no memory
 * at all), and identity zones of the simulator get ids hvisor_vhost never
 * sees, so no in-kernel guest can bind. Then everything left is removed
 * as hvg_purge_zone() does, nothing may remain, and a zone with a console
 * and a blk device is added, used and removed.
 *
 * The same again without privileges: a child without capabilities and a
 * child running as nobody must get EPERM or EACCES everywhere and change
 * nothing (sysfs, the zones of both modules, a device's state). A third
 * test uses a blk device on each backend that is accepted, odd ones
 * included.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include <kselftest_harness.h>
#include "hv_guest.h"
#include "hv_net.h"

#define POOL_A		1	/* zones 1..6: hvisor_vhost and simulator */
#define POOL_A_N	6
#define POOL_B		7	/* zones 7..8: simulator only (identity) */
#define POOL_B_N	2
#define RAM_ZONE	30	/* the simulated zone whose RAM is lent */
#define RAM_CPU		31
#define RAM_SIZE	HVG_RAM_SIZE
#define CHECK_ZONE	20	/* the zone of the final check */
#define IMG_SIZE	(64 * 1024)
#define FZ_TAP		"hvif0"		/* a tap */
#define FZ_TAP_MQ	"hvif1"		/* a multi-queue tap, 3 queues */
#define FZ_MVT		"hvifm0"	/* a macvtap, opened twice, */
#define FZ_MVT_LOWER	"hvifv0"	/* on a veth */
#define FZ_MVT_PEER	"hvifv1"	/* whose peer is unused */

enum ioctl_op {
	OP_VERSION, OP_ZONE_ADD, OP_ZONE_ID, OP_DEV_ADD, OP_DEV_NAME,
	OP_UNKNOWN, OP_SIM_CREATE, OP_SIM_BY_VALUE, OP_SIM_INFO,
	OP_SIM_MMIO_REGION, OP_SIM_MMIO, OP_SIM_GUEST, OP_SIM_STATS,
	OP_COMPAT, OP_REOPEN, OP_MMAP, OP_READ, NR_OPS
};

#define NR_CTL		2
#define NR_SIM		4
#define NR_COMPAT	2
#define NR_MAPS		8
#define NR_NAMES	64
#define ARENA_PAGES	4
#define ERRNO_MAX	140

/* hvisor-tool's /dev/hvisor ioctls (sim_compat.c) */
#define HVISOR_INIT_VIRTIO	_IO(1, 0)
#define HVISOR_FINISH_REQ	_IO(1, 2)
#define HVISOR_SET_EVENTFD	_IOW(1, 7, int)

#ifndef __printf
/* printf format checking (the kernel's name for it) */
#define __printf(a, b)		__attribute__((format(printf, \
						      a, b)))
#endif

/* A backend descriptor candidate and whether a blk device takes it. */
struct bfd {
	const char *what;
	int fd;
	int rw;			/* 1: taken, 0: refused, -1: either */
	int ro;			/* the same for a read-only device */
	int own;		/* an open descriptor of ours, closed at the end */
	int tap;		/* a queue of a tap or macvtap: a net backend */
};

struct ctx {
	__u64 rng;
	int proc;
	int solo;		/* the only fuzzing process */
	int unpriv;		/* every call must be refused */
	__u64 ram_hpa;
	__u64 page;
	int ctl[NR_CTL];
	int sim[NR_SIM];
	int compat[NR_COMPAT];
	struct bfd *bfds;
	unsigned int nr_bfds;
	unsigned char *arena;	/* RW, RW, RO, none */
	void *maps[NR_MAPS];
	size_t map_len[NR_MAPS];
	char names[NR_NAMES][HVV_NAME_LEN];
	unsigned int nr_names;
	__u32 zone_cpu[HVSIM_MAX_ZONE_ID + 1];	/* first CPU, +1 */
	__u64 zone_win[HVSIM_MAX_ZONE_ID + 1];	/* a trap region's base */
	__u64 zone_win_size[HVSIM_MAX_ZONE_ID + 1];
	__u64 ops;
	__u64 calls;
	__u64 successes;
	__u64 devs_added;
	__u64 nets_added;	/* of which net devices */
	__u64 zones_added;
	__u64 compat_ok;	/* /dev/hvisor calls and mappings that worked */
	__u64 op_ok[NR_OPS];	/* operations with a call that worked */
	__u64 op_n[NR_OPS];
	__u64 err[ERRNO_MAX + 1];
	__u64 unexpected;
	char first_err[200];
};

/* ------------------------------------------------------------------ */
/* Randomness, environment, reporting                                  */

static __u64 rnd(struct ctx *c)
{
	__u64 z = (c->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 below(struct ctx *c, __u64 n)
{
	return n ? rnd(c) % n : 0;
}

static int pct(struct ctx *c, unsigned int p)
{
	return below(c, 100) < p;
}

static __u64 env_u64(const char *name, __u64 def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

/* One seed for the whole run, taken before the harness forks a test. */
static __u64 run_seed;

static void __attribute__((constructor)) fuzz_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	run_seed = env_u64("HV_FUZZ_SEED", (__u64)ts.tv_sec * 1000003ULL ^
			   ts.tv_nsec ^ ((__u64)getpid() << 32));
}

static __printf(2, 3) void unexpected(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->unexpected++)
		return;
	va_start(ap, fmt);
	vsnprintf(c->first_err, sizeof(c->first_err), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# proc %d op %llu: %s\n", c->proc,
		(unsigned long long)c->ops, c->first_err);
}

/* ------------------------------------------------------------------ */
/* Argument memory                                                     */

enum place { P_NORMAL, P_NULL, P_NONE, P_RO, P_RW_RO, P_RO_NONE, P_KERNEL,
	     P_ODD };

static unsigned char *arena_page(struct ctx *c, unsigned int i)
{
	return c->arena + i * c->page;
}

static void arena_ro(struct ctx *c, int ro)
{
	mprotect(arena_page(c, 2), c->page, ro ? PROT_READ :
		 PROT_READ | PROT_WRITE);
}

/*
 * Put @size bytes of @data where the kernel will look for them: mostly
 * in normal memory (returned in *@where as P_NORMAL), sometimes at an
 * address it cannot read or write wholly.
 */
static void *place(struct ctx *c, const void *data, size_t size,
		   enum place *where)
{
	unsigned int r = below(c, 100);
	size_t half = size / 2 ? size / 2 : 1;
	unsigned char *p;

	*where = P_NORMAL;
	if (r < 70) {
		p = arena_page(c, 0);
		memcpy(p, data, size);
		/* Now and then nothing but random bytes. */
		if (pct(c, 7)) {
			size_t i;

			for (i = 0; i < size; i++)
				p[i] = rnd(c);
		}
		return p;
	}
	if (r < 74) {
		*where = P_NULL;
		return NULL;
	}
	if (r < 78) {
		*where = P_NONE;
		return arena_page(c, 3);
	}
	if (r < 96) {
		arena_ro(c, 0);
		if (r < 83) {
			*where = P_RO;
			p = arena_page(c, 2);
			memcpy(p, data, size);
		} else if (r < 88) {
			*where = P_RW_RO;
			p = arena_page(c, 2) - half;
			memcpy(p, data, size);
		} else if (r < 93) {
			*where = P_RO_NONE;
			p = arena_page(c, 3) - half;
			memcpy(p, data, half);
		} else {
			*where = P_ODD;
			p = arena_page(c, 1) + 1;
			memcpy(p, data, size);
		}
		arena_ro(c, 1);
		return p;
	}
	*where = P_KERNEL;
	return (void *)~0xfffUL;
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

static int is_one_of(int fd, const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fd >= 0 && fds[i] == fd)
			return 1;
	return 0;
}

/* An ioctl, counted; returns 0 (or its value) or -errno. */
static long call(struct ctx *c, int fd, unsigned long cmd, unsigned long arg,
		 const char *what)
{
	long r = ioctl(fd, cmd, arg);
	int e = r < 0 ? errno : 0;

	c->calls++;
	c->err[e < ERRNO_MAX ? e : ERRNO_MAX]++;
	if (!e)
		c->successes++;
	if (!e && is_one_of(fd, c->compat, NR_COMPAT))
		c->compat_ok++;
	if (r > 0)
		unexpected(c, "%s returned %ld", what, r);
	if (c->unpriv && is_one_of(fd, c->ctl, NR_CTL) && e != EPERM)
		unexpected(c, "%s without privileges: %s", what,
			   e ? strerror(e) : "success");
	return e ? -e : r;
}

static int pick_fd(struct ctx *c, const int *fds, unsigned int n)
{
	return fds[below(c, n)];
}

static int ctl_fd(struct ctx *c)
{
	return pick_fd(c, c->ctl, NR_CTL);
}

static int sim_fd(struct ctx *c)
{
	return pick_fd(c, c->sim, NR_SIM);
}

/* ------------------------------------------------------------------ */
/* Random values                                                       */

static __u32 pool_a(struct ctx *c)
{
	return POOL_A + below(c, POOL_A_N);
}

/*
 * An hvisor_vhost zone id: the pool, or one it must refuse; without
 * privileges also the zone the test watches.
 */
static __u32 vhost_zone(struct ctx *c)
{
	static const __u32 edge[] = {
		0, HVV_MAX_ZONE_ID + 1, 64, 0x7fffffff, 0x80000000,
		0xffffffff,
	};

	if (c->unpriv && pct(c, 30))
		return CHECK_ZONE;
	return pct(c, 85) ? pool_a(c) : edge[below(c, ARRAY_SIZE(edge))];
}

/* A simulator zone id: both pools, or one it must refuse. */
static __u32 sim_zone(struct ctx *c)
{
	static const __u32 edge[] = {
		0, HVSIM_MAX_ZONE_ID + 1, 0x80000000, 0xffffffff,
	};
	unsigned int r = below(c, 100);

	if (r < 60)
		return pool_a(c);
	if (r < 85)
		return POOL_B + below(c, POOL_B_N);
	return edge[below(c, ARRAY_SIZE(edge))];
}

static __u64 edge64(struct ctx *c)
{
	static const __u64 v[] = {
		0, 1, 0xfff, 0x1000, 0xffffffff, 0x100000000ULL,
		1ULL << 40, 1ULL << 52, 1ULL << 63, ~0ULL, ~0ULL - 0xfff,
		0x7fffffffffffffffULL,
	};

	return pct(c, 70) ? v[below(c, ARRAY_SIZE(v))] : rnd(c);
}

/* A root-physical address: the lent RAM, or no memory at all. */
static __u64 pick_hpa(struct ctx *c)
{
	unsigned int r = below(c, 100);

	if (r < 70)
		return c->ram_hpa + c->page * below(c, RAM_SIZE / c->page);
	if (r < 78)
		return c->ram_hpa + 1 + below(c, c->page - 1);
	if (r < 84)
		return 1ULL << (52 + below(c, 12));
	if (r < 90)
		return ~0ULL - c->page * below(c, 4) + 1 - c->page;
	return rnd(c) | (1ULL << 62);
}

static __u64 pick_gpa(struct ctx *c)
{
	unsigned int r = below(c, 100);

	if (r < 75)
		return HVG_RAM_GPA + c->page * below(c, 2 * RAM_SIZE / c->page);
	if (r < 85)
		return HVG_RAM_GPA + 1 + below(c, 4095);
	return edge64(c);
}

static __u64 pick_region_size(struct ctx *c)
{
	unsigned int r = below(c, 100);

	if (r < 70)
		return c->page * (1 + below(c, 64));
	if (r < 80)
		return RAM_SIZE;
	if (r < 85)
		return c->page + 1 + below(c, 100);
	return edge64(c);
}

/* A device window base, mostly where the simulated zones trap. */
static __u64 pick_addr(struct ctx *c)
{
	unsigned int r = below(c, 100);

	if (r < 80)
		return HVG_MMIO_BASE + 0x200ULL * below(c, 32);
	if (r < 88)
		return HVG_MMIO_BASE + 1 + below(c, 3);
	return edge64(c);
}

static void fill_name(struct ctx *c, char *name)
{
	static const char * const made_up[] = {
		"console0", "blk0", "net0", "console63", "console64",
		"blk255", "blk256", "bridge_requests", "..", ".", "power",
		"subsystem", "console0/", "",
	};
	unsigned int r = below(c, 100), i;

	memset(name, 0, HVV_NAME_LEN);
	if (r < 60 && c->nr_names) {
		memcpy(name, c->names[below(c, c->nr_names)], HVV_NAME_LEN);
	} else if (r < 75) {
		snprintf(name, HVV_NAME_LEN, "%s%u",
			 pct(c, 50) ? "console" : "blk", below(c, 300));
	} else if (r < 85) {
		snprintf(name, HVV_NAME_LEN, "%s",
			 made_up[below(c, ARRAY_SIZE(made_up))]);
	} else if (r < 92) {
		memset(name, 'a' + below(c, 26), HVV_NAME_LEN);
	} else {
		for (i = 0; i < HVV_NAME_LEN; i++)
			name[i] = rnd(c);
	}
}

static int pick_backend(struct ctx *c)
{
	return c->bfds[below(c, c->nr_bfds)].fd;
}

/* Mostly a tap's or a macvtap's queue: index into c->bfds. */
static unsigned int pick_tap(struct ctx *c)
{
	unsigned int i, n = 0, k;

	for (i = 0; i < c->nr_bfds; i++)
		n += c->bfds[i].tap;
	if (!n || pct(c, 20))
		return below(c, c->nr_bfds);
	k = below(c, n);
	for (i = 0; i < c->nr_bfds; i++)
		if (c->bfds[i].tap && !k--)
			break;
	return i;
}

/*
 * HVV_DEV_NET's tap_fds for @queues pairs: fds of the pool in a row from
 * a tap's (queues of one tap when it has enough), or picked one by one;
 * or an address that holds none.
 */
static __u64 pick_tap_fds(struct ctx *c, __u32 queues)
{
	static __s32 fds[16];
	unsigned int r = below(c, 100), i, first = pick_tap(c);
	unsigned int n = queues < ARRAY_SIZE(fds) ? queues : ARRAY_SIZE(fds);

	if (r < 5)
		return 0;
	if (r < 9)
		return (unsigned long)arena_page(c, 3);	/* unmapped */
	if (r < 12)
		return ~0xfffULL;			/* the kernel's */
	if (r < 14)
		return rnd(c);
	for (i = 0; i < n; i++)
		fds[i] = r < 60 ? c->bfds[(first + i) % c->nr_bfds].fd :
			 c->bfds[pick_tap(c)].fd;
	return (unsigned long)fds;
}

/* ------------------------------------------------------------------ */
/* /dev/hvisor_vhost                                                   */

static void op_version(struct ctx *c)
{
	struct hvv_version v;
	enum place w;
	void *p;

	memset(&v, 0xa5, sizeof(v));
	p = place(c, &v, sizeof(v), &w);
	if (!call(c, ctl_fd(c), HVV_GET_VERSION, (unsigned long)p,
		  "HVV_GET_VERSION") && w == P_NORMAL) {
		memcpy(&v, p, sizeof(v));
		if (v.api_version != HVV_API_VERSION ||
		    v.max_regions != HVV_MAX_REGIONS)
			unexpected(c, "HVV_GET_VERSION: %u %u", v.api_version,
				   v.max_regions);
	}
}

static void op_zone_add(struct ctx *c)
{
	static const __u32 nr[] = { 1, 1, 1, 2, 3, 0, HVV_MAX_REGIONS,
				    HVV_MAX_REGIONS + 1, 0xffffffff };
	struct hvv_zone_config *z = calloc(1, sizeof(*z));
	unsigned int i, n;
	enum place w;
	__u64 off = 0;
	void *p;

	if (!z)
		return;
	z->zone_id = vhost_zone(c);
	z->nr_regions = nr[below(c, ARRAY_SIZE(nr))];
	n = z->nr_regions < HVV_MAX_REGIONS ? z->nr_regions : HVV_MAX_REGIONS;
	if (pct(c, 5))
		z->flags = rnd(c);
	if (pct(c, 5))
		z->pad = rnd(c);
	for (i = 0; i < n; i++) {
		struct hvv_mem_region *r = &z->regions[i];

		/* Mostly consecutive pieces of the lent RAM. */
		if (pct(c, 80)) {
			r->gpa = HVG_RAM_GPA + off;
			r->hpa = c->ram_hpa + off;
			r->size = c->page * (1 + below(c, 16));
			if (i + 1 == n && pct(c, 50))
				r->size = off < RAM_SIZE ? RAM_SIZE - off :
					  c->page;
			off += r->size;
		} else {
			r->gpa = pick_gpa(c);
			r->hpa = pick_hpa(c);
			r->size = pick_region_size(c);
		}
	}
	if (pct(c, 3) && n < HVV_MAX_REGIONS)
		z->regions[n].size = c->page;	/* beyond nr_regions */
	p = place(c, z, sizeof(*z), &w);
	if (!call(c, ctl_fd(c), HVV_ZONE_ADD, (unsigned long)p,
		  "HVV_ZONE_ADD"))
		c->zones_added++;
	free(z);
}

static void op_zone_id(struct ctx *c)
{
	struct hvv_zone_id zid = { .zone_id = vhost_zone(c) };
	int del = pct(c, 50);
	enum place w;
	void *p;

	if (pct(c, 5))
		zid.pad = rnd(c);
	p = place(c, &zid, sizeof(zid), &w);
	call(c, ctl_fd(c), del ? HVV_ZONE_DEL : HVV_ZONE_RESET,
	     (unsigned long)p, del ? "HVV_ZONE_DEL" : "HVV_ZONE_RESET");
}

/* A device that was added must be what was asked for. */
static void check_added(struct ctx *c, const struct hvv_dev_config *d)
{
	struct hvv_dev_info info;
	int fd = ctl_fd(c);

	memset(&info, 0, sizeof(info));
	memcpy(info.name, d->name, sizeof(info.name));
	if (!d->name[0] || strnlen(d->name, HVV_NAME_LEN) == HVV_NAME_LEN) {
		unexpected(c, "HVV_DEV_ADD succeeded without a name");
		return;
	}
	/*
	 * Another process may have removed it already, or even removed it
	 * and added another device that got the freed name.
	 */
	if (ioctl(fd, HVV_DEV_INFO, &info) || !c->solo)
		return;
	if (info.type != d->type || info.zone_id != d->zone_id ||
	    info.addr != d->addr || info.len != d->len ||
	    info.irq != d->irq || info.index != d->index)
		unexpected(c, "%s: DEV_INFO: type %u zone %u addr %#llx len %#llx irq %u index %u",
			   d->name, info.type, info.zone_id,
			   (unsigned long long)info.addr,
			   (unsigned long long)info.len, info.irq,
			   info.index);
}

static void op_dev_add(struct ctx *c)
{
	static const __u32 types[] = {
		HVV_DEV_CONSOLE, HVV_DEV_BLK, HVV_DEV_NET, 0, 4, 255,
		0xffffffff, 0x80000003,
	};
	static const __u64 lens[] = {
		0x200, 0x200, 0x200, 0x1ff, 0x100, 0x1000, 0x10000, 0x10001, 0,
		~0ULL,
	};
	static const __u32 flags[] = {
		HVV_BLK_F_RO, HVV_NET_F_MAC, 2, 1U << 31, 4,
	};
	static const __u32 queues[] = { 1, 2, 8, 9, 0xffffffff };
	/* The caller's size (the ioctl number's), and a tail past ours. */
	static const int sizes[] = { 0, 8, -8, -1, 1, 8, 64, 512 };
	struct {
		struct hvv_dev_config d;
		__u8 tail[512];
	} buf;
	struct hvv_dev_config d;
	unsigned int r = below(c, 100), i;
	size_t size = sizeof(d);
	int tail = 0;
	enum place w;
	void *p;

	memset(&d, 0, sizeof(d));
	memset(buf.tail, 0, sizeof(buf.tail));
	d.type = r < 40 ? HVV_DEV_CONSOLE : r < 75 ? HVV_DEV_BLK :
		 r < 90 ? HVV_DEV_NET : types[below(c, ARRAY_SIZE(types))];
	d.zone_id = vhost_zone(c);
	d.addr = pick_addr(c);
	d.len = pct(c, 70) ? 0x200 : lens[below(c, ARRAY_SIZE(lens))];
	d.irq = pct(c, 85) ? 32 + below(c, 10) : (__u32)edge64(c);
	if (pct(c, 25))
		d.blk.flags = flags[below(c, ARRAY_SIZE(flags))];
	if (pct(c, 3))
		d.flags = flags[below(c, ARRAY_SIZE(flags))];
	d.backend_fd = d.type == HVV_DEV_CONSOLE && pct(c, 80) ? -1 :
		       pick_backend(c);
	if (pct(c, 15))
		d.queues = queues[below(c, ARRAY_SIZE(queues))];
	if (d.type == HVV_DEV_NET) {
		if (pct(c, 40)) {
			if (!d.queues || pct(c, 70))
				d.queues = 2 + below(c, 3);
			d.net.tap_fds = pick_tap_fds(c, d.queues);
			if (pct(c, 90))
				d.backend_fd = -1;
		} else if (pct(c, 80)) {
			d.backend_fd = c->bfds[pick_tap(c)].fd;
		}
		if (pct(c, 50))
			d.net.flags = HVV_NET_F_MAC;
		for (i = 0; i < sizeof(d.net.mac); i++)
			d.net.mac[i] = rnd(c);
		if (pct(c, 30))
			d.net.mtu = pct(c, 50) ? 1500 : rnd(c);
		if (pct(c, 5))
			d.net.pad[below(c, 2)] = 1 + below(c, 255);
	}
	if (pct(c, 3))
		d.pad = 1 + below(c, 255);
	r = below(c, 100);
	/* blk's; over net's part, or a console's reserved bytes, too */
	if (r < 20) {
		snprintf(d.blk.serial, sizeof(d.blk.serial), "s%llu",
			 (unsigned long long)rnd(c));
	} else if (r < 25) {
		memset(d.blk.serial, 'S', sizeof(d.blk.serial)); /* no NUL */
	} else if (r < 30) {
		for (i = 0; i < sizeof(d.blk.serial); i++)
			d.blk.serial[i] = rnd(c);
	}
	if (pct(c, 3))
		fill_name(c, d.name);
	if (pct(c, 3))
		d.index = rnd(c);
	if (pct(c, 3))
		d.reserved[below(c, ARRAY_SIZE(d.reserved))] = rnd(c);
	if (pct(c, 10)) {
		size += sizes[below(c, ARRAY_SIZE(sizes))];
		if (size > sizeof(d) && pct(c, 50)) {
			tail = 1;
			buf.tail[below(c, size - sizeof(d))] = 1 + below(c, 255);
		}
	}
	buf.d = d;
	p = place(c, &buf, size, &w);
	if (call(c, ctl_fd(c), HVV_DEV_ADD_SIZE(size), (unsigned long)p,
		 "HVV_DEV_ADD"))
		return;
	c->devs_added++;
	/*
	 * Only the out fields (name, index) are written back: an argument
	 * whose second half is read-only may hold them in its first.
	 */
	if (w != P_NORMAL && w != P_ODD &&
	    !(w == P_RW_RO && offsetof(struct hvv_dev_config, index) +
			      sizeof(d.index) <= size / 2)) {
		unexpected(c, "HVV_DEV_ADD of %zu bytes succeeded with argument kind %d",
			   size, w);
		return;
	}
	/* nonzero past our structure: E2BIG; too small: EINVAL */
	if (size < HVV_DEV_CONFIG_SIZE_VER0 || tail)
		unexpected(c, "HVV_DEV_ADD of %zu bytes%s succeeded", size,
			   tail ? " with a nonzero tail" : "");
	memcpy(&d, p, sizeof(d));
	c->nets_added += d.type == HVV_DEV_NET;
	check_added(c, &d);
	if (c->nr_names < NR_NAMES)
		memcpy(c->names[c->nr_names++], d.name, HVV_NAME_LEN);
}

static void op_dev_name(struct ctx *c)
{
	struct hvv_dev_info info;
	unsigned int r = below(c, 3);
	unsigned long cmd;
	const char *what;
	enum place w;
	void *p;

	memset(&info, 0, sizeof(info));
	fill_name(c, info.name);
	if (r == 0) {
		cmd = HVV_DEV_DEL;
		what = "HVV_DEV_DEL";
	} else if (r == 1) {
		cmd = HVV_DEV_RESIZE;
		what = "HVV_DEV_RESIZE";
	} else {
		cmd = HVV_DEV_INFO;
		what = "HVV_DEV_INFO";
	}
	p = place(c, &info, r == 2 ? sizeof(info) : HVV_NAME_LEN, &w);
	call(c, ctl_fd(c), cmd, (unsigned long)p, what);
}

/* A command number for device @magic that it does not have. */
static unsigned long unknown_cmd(struct ctx *c, unsigned int magic)
{
	static const unsigned int dirs[] = {
		_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	unsigned int r = below(c, 100);

	if (r < 40)
		return _IOC(dirs[below(c, 4)], magic, 0x20 + below(c, 0xe0),
			    below(c, 0x4000));
	if (r < 70)	/* a known number, another size or direction */
		return _IOC(dirs[below(c, 4)], magic, below(c, 0x20),
			    below(c, 2) ? 4 : below(c, 0x4000));
	if (r < 85)
		return _IO(magic, below(c, 256));
	/* A command of the other devices, or of nobody. */
	return _IOC(dirs[below(c, 4)],
		    below(c, 2) ? HVV_IOC_MAGIC : HVSIM_IOC_MAGIC,
		    below(c, 0x40), below(c, 0x800));
}

static void op_unknown(struct ctx *c)
{
	unsigned int r = below(c, 3);
	int fd;

	if (r == 0)
		fd = ctl_fd(c);
	else if (r == 1)
		fd = sim_fd(c);
	else
		fd = pick_fd(c, c->compat, NR_COMPAT);
	call(c, fd, unknown_cmd(c, r == 0 ? HVV_IOC_MAGIC :
				   r == 1 ? HVSIM_IOC_MAGIC : 1),
	     pct(c, 80) ? (unsigned long)arena_page(c, 0) : rnd(c),
	     "unknown command");
}

/* ------------------------------------------------------------------ */
/* /dev/hvisor_sim                                                     */

static void note_zone(struct ctx *c, const struct hvsim_zone *z)
{
	if (z->zone_id > HVSIM_MAX_ZONE_ID)
		return;
	c->zone_cpu[z->zone_id] = z->first_cpu + 1;
	if (z->nr_mmio && z->nr_mmio <= HVSIM_MAX_MMIO) {
		c->zone_win[z->zone_id] = z->mmio[0].base;
		c->zone_win_size[z->zone_id] = z->mmio[0].size;
	}
}

static void op_sim_create(struct ctx *c)
{
	struct hvsim_zone *z = calloc(1, sizeof(*z));
	unsigned int i, n;
	enum place w;
	void *p;

	if (!z)
		return;
	z->zone_id = sim_zone(c);
	if (pct(c, 50))
		z->flags |= HVSIM_ZONE_F_FD_OWNED;
	/* Identity zones only where hvisor_vhost has no zone. */
	if (z->zone_id >= POOL_B && z->zone_id < POOL_B + POOL_B_N &&
	    pct(c, 50))
		z->flags |= HVSIM_ZONE_F_IDENTITY;
	if (pct(c, 3))
		z->flags |= 1U << (2 + below(c, 30));
	z->first_cpu = below(c, pct(c, 90) ? 31 : 40);
	z->nr_cpus = pct(c, 30) ? 0 : pct(c, 90) ? 1 + below(c, 2) :
		     below(c, 40);
	z->nr_regions = pct(c, 90) ? 1 + below(c, 2) : below(c, 20);
	n = z->nr_regions < HVSIM_MAX_REGIONS ? z->nr_regions :
	    HVSIM_MAX_REGIONS;
	for (i = 0; i < n; i++) {
		z->regions[i].gpa = pct(c, 80) ? HVG_RAM_GPA + i * RAM_SIZE :
				    pick_gpa(c);
		/* Small: every zone is real memory. */
		z->regions[i].size = pct(c, 90) ?
				     c->page * (1 + below(c, 16)) :
				     pct(c, 50) ? HVSIM_MAX_REGION_SIZE :
				     edge64(c);
	}
	if (pct(c, 3))
		z->pad = 1;
	if (pct(c, 3))
		z->nr_mmio = 1;
	p = place(c, z, sizeof(*z), &w);
	if (!call(c, sim_fd(c), HVSIM_ZONE_CREATE, (unsigned long)p,
		  "HVSIM_ZONE_CREATE") && w == P_NORMAL) {
		memcpy(z, p, sizeof(*z));
		note_zone(c, z);
	}
	free(z);
}

static void op_sim_by_value(struct ctx *c)
{
	static const unsigned long edge[] = {
		0, HVSIM_MAX_ZONE_ID + 1, 0xffffffff, 0x100000001UL, ~0UL,
	};
	unsigned long id;

	if (pct(c, 85))
		id = sim_zone(c);
	else
		id = edge[below(c, ARRAY_SIZE(edge))];
	/* The lent RAM's zone is never destroyed: it is not in the pools. */
	if (pct(c, 50)) {
		call(c, sim_fd(c), HVSIM_ZONE_DESTROY, id,
		     "HVSIM_ZONE_DESTROY");
		if (id <= HVSIM_MAX_ZONE_ID) {
			c->zone_cpu[id] = 0;
			c->zone_win_size[id] = 0;
		}
	} else {
		call(c, sim_fd(c), HVSIM_ZONE_BIND, pct(c, 10) ? RAM_ZONE : id,
		     "HVSIM_ZONE_BIND");
	}
}

static void op_sim_info(struct ctx *c)
{
	struct hvsim_zone z;
	enum place w;
	void *p;

	memset(&z, 0, sizeof(z));
	z.zone_id = pct(c, 10) ? RAM_ZONE : sim_zone(c);
	p = place(c, &z, sizeof(z), &w);
	if (!call(c, sim_fd(c), HVSIM_ZONE_INFO, (unsigned long)p,
		  "HVSIM_ZONE_INFO") && w == P_NORMAL) {
		memcpy(&z, p, sizeof(z));
		note_zone(c, &z);
	}
}

static void op_sim_mmio_region(struct ctx *c)
{
	struct hvsim_mmio_region r = {
		.zone_id = sim_zone(c),
		.base = pct(c, 80) ? HVG_MMIO_BASE + 0x1000ULL * below(c, 8) :
			edge64(c),
		.size = pct(c, 80) ? 0x1000ULL << below(c, 3) : edge64(c),
	};
	enum place w;
	void *p;

	if (pct(c, 5))
		r.pad = 1;
	p = place(c, &r, sizeof(r), &w);
	if (!call(c, sim_fd(c), HVSIM_ZONE_ADD_MMIO, (unsigned long)p,
		  "HVSIM_ZONE_ADD_MMIO") && r.zone_id <= HVSIM_MAX_ZONE_ID) {
		c->zone_win[r.zone_id] = r.base;
		c->zone_win_size[r.zone_id] = r.size;
	}
}

/* A trapped access: hvisor_vhost must answer whatever it is. */
static void op_sim_mmio(struct ctx *c)
{
	static const __u32 sizes[] = { 1, 2, 4, 4, 4, 8, 0, 3, 9, 16 };
	struct hvsim_mmio m;
	enum place w;
	void *p;

	memset(&m, 0, sizeof(m));
	m.zone_id = pct(c, 85) ? pool_a(c) : sim_zone(c);
	m.cpu = below(c, 34);
	m.addr = pct(c, 85) ? HVG_MMIO_BASE + below(c, 0x8000) : edge64(c);
	m.size = sizes[below(c, ARRAY_SIZE(sizes))];
	/* Mostly where a zone (known to this process) traps. */
	if (m.zone_id <= HVSIM_MAX_ZONE_ID && c->zone_cpu[m.zone_id] &&
	    pct(c, 80))
		m.cpu = c->zone_cpu[m.zone_id] - 1;
	if (m.zone_id <= HVSIM_MAX_ZONE_ID && c->zone_win_size[m.zone_id] &&
	    pct(c, 80)) {
		m.addr = c->zone_win[m.zone_id] +
			 (below(c, c->zone_win_size[m.zone_id]) & ~3ULL);
		if (pct(c, 70))
			m.size = 4;
	}
	m.is_write = pct(c, 95) ? below(c, 2) : rnd(c);
	m.value = pct(c, 50) ? below(c, 4) : rnd(c);
	/* The default limit only rarely: its expiry is a loud stall. */
	m.timeout_ms = pct(c, 97) ? 1 + below(c, 50) : 0;
	if (pct(c, 3))
		m.pad = 1;
	p = place(c, &m, sizeof(m), &w);
	call(c, sim_fd(c), HVSIM_MMIO, (unsigned long)p, "HVSIM_MMIO");
}

static void op_sim_guest(struct ctx *c)
{
	struct hvsim_guest g = {
		.zone_id = pct(c, 70) ? POOL_B + below(c, POOL_B_N) :
			   sim_zone(c),
		.irq = pct(c, 90) ? 32 + below(c, 10) : 0,
		.addr = pct(c, 80) ? 0x200000000ULL + 0x1000ULL * below(c, 4) :
			edge64(c),
		.len = pct(c, 80) ? 0 : edge64(c),
	};
	int add = pct(c, 60);
	enum place w;
	void *p;

	p = place(c, &g, sizeof(g), &w);
	call(c, sim_fd(c), add ? HVSIM_GUEST_ADD : HVSIM_GUEST_DEL,
	     (unsigned long)p, add ? "HVSIM_GUEST_ADD" : "HVSIM_GUEST_DEL");
}

static void op_sim_stats(struct ctx *c)
{
	struct hvsim_stats st;
	enum place w;
	void *p;

	memset(&st, 0, sizeof(st));
	p = place(c, &st, sizeof(st), &w);
	call(c, sim_fd(c), HVSIM_STATS, (unsigned long)p, "HVSIM_STATS");
}

/* ------------------------------------------------------------------ */
/* /dev/hvisor                                                         */

static void op_compat(struct ctx *c)
{
	int fd = pick_fd(c, c->compat, NR_COMPAT);
	unsigned int r = below(c, 100);

	if (r < 25)
		call(c, fd, HVISOR_INIT_VIRTIO, 0, "HVISOR_INIT_VIRTIO");
	else if (r < 50)
		call(c, fd, HVISOR_FINISH_REQ, 0, "HVISOR_FINISH_REQ");
	else if (r < 80)
		call(c, fd, HVISOR_SET_EVENTFD,
		     pct(c, 70) ? (unsigned long)pick_backend(c) : rnd(c),
		     "HVISOR_SET_EVENTFD");
	else
		call(c, fd, unknown_cmd(c, 1), rnd(c), "HVISOR unknown");
}

/* ------------------------------------------------------------------ */
/* Descriptors: reopen, map, read, poll                                */

static int open_dev(const char *path)
{
	return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
}

static void reopen(struct ctx *c, int *fd, const char *path)
{
	if (*fd >= 0)
		close(*fd);
	*fd = open_dev(path);
	if (*fd < 0 && !c->unpriv)
		unexpected(c, "open %s: %s", path, strerror(errno));
}

static void op_reopen(struct ctx *c)
{
	unsigned int r = below(c, 3);

	/* Without privileges, ctl[0] is root's: keep it. */
	if (r == 0)
		reopen(c, &c->ctl[c->unpriv ? NR_CTL - 1 :
				  below(c, NR_CTL)], "/dev/hvisor_vhost");
	else if (r == 1)
		reopen(c, &c->sim[below(c, NR_SIM)], "/dev/hvisor_sim");
	else
		reopen(c, &c->compat[below(c, NR_COMPAT)], "/dev/hvisor");
}

static void unmap_one(struct ctx *c, unsigned int i)
{
	if (c->maps[i])
		munmap(c->maps[i], c->map_len[i]);
	c->maps[i] = NULL;
}

/* mmap of the control files at random offsets; touch what maps. */
static void op_mmap(struct ctx *c)
{
	unsigned int i = below(c, NR_MAPS), r = below(c, 100);
	size_t len = c->page * (pct(c, 80) ? 1 + below(c, 4) : 1024);
	int fd, compat = r < 50;
	__u64 off;
	void *p;

	unmap_one(c, i);
	if (r < 50) {
		fd = pick_fd(c, c->compat, NR_COMPAT);
		off = pct(c, 70) ? c->ram_hpa + c->page * below(c, 8) :
		      pct(c, 50) ? 0 : pick_hpa(c) & ~(__u64)(c->page - 1);
	} else if (r < 90) {
		fd = sim_fd(c);
		off = pct(c, 80) ? pick_gpa(c) & ~(__u64)(c->page - 1) :
		      edge64(c) & ~(__u64)(c->page - 1);
	} else {
		fd = ctl_fd(c);
		off = 0;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	c->calls++;
	if (p == MAP_FAILED)
		return;
	c->successes++;
	c->compat_ok += compat;
	/* Only the lent RAM is ever written. */
	(void)__atomic_load_n((unsigned char *)p, __ATOMIC_RELAXED);
	c->maps[i] = p;
	c->map_len[i] = len;
}

static void op_read(struct ctx *c)
{
	struct hvsim_irq_event ev[4];
	struct pollfd pfd = { .fd = sim_fd(c), .events = POLLIN };

	c->calls++;
	if (pct(c, 50))
		poll(&pfd, 1, 0);
	else if (read(pfd.fd, ev, pct(c, 90) ? sizeof(ev) : 3) > 0)
		c->successes++;
}

/* /sys/class/hvisor's devices, for names that exist. */
static void refresh_names(struct ctx *c)
{
	struct dirent *de;
	DIR *dir;

	c->nr_names = 0;
	dir = opendir(HVG_SYSFS);
	if (!dir)
		return;
	while ((de = readdir(dir)) && c->nr_names < NR_NAMES) {
		if (de->d_type != DT_LNK ||
		    strlen(de->d_name) >= HVV_NAME_LEN)
			continue;
		memset(c->names[c->nr_names], 0, HVV_NAME_LEN);
		memcpy(c->names[c->nr_names++], de->d_name,
		       strlen(de->d_name));
	}
	closedir(dir);
}

/* ------------------------------------------------------------------ */
/* The loop                                                            */

static const char * const op_names[NR_OPS] = {
	"version", "zone_add", "zone_del/reset", "dev_add",
	"dev_del/resize/info", "unknown", "sim_create", "sim_destroy/bind",
	"sim_info", "sim_add_mmio", "sim_mmio", "sim_guest", "sim_stats",
	"compat", "reopen", "mmap", "read/poll",
};

static const unsigned int weight[NR_OPS] = {
	[OP_VERSION] = 2, [OP_ZONE_ADD] = 10, [OP_ZONE_ID] = 6,
	[OP_DEV_ADD] = 16, [OP_DEV_NAME] = 12, [OP_UNKNOWN] = 5,
	[OP_SIM_CREATE] = 6, [OP_SIM_BY_VALUE] = 4, [OP_SIM_INFO] = 3,
	[OP_SIM_MMIO_REGION] = 4, [OP_SIM_MMIO] = 12, [OP_SIM_GUEST] = 3,
	[OP_SIM_STATS] = 1, [OP_COMPAT] = 3, [OP_REOPEN] = 2, [OP_MMAP] = 3,
	[OP_READ] = 2,
};

/* One operation, from its own stream (see guest_fuzz.c, fz_one()). */
static void one_op(struct ctx *c)
{
	__u64 ok = c->successes, op_seed = rnd(c), main_stream = c->rng;
	unsigned int total = 0, i, r;

	c->rng = op_seed;
	for (i = 0; i < NR_OPS; i++)
		total += weight[i];
	r = below(c, total);
	for (i = 0; i < NR_OPS - 1 && r >= weight[i]; i++)
		r -= weight[i];
	switch (i) {
	case OP_VERSION:
		op_version(c);
		break;
	case OP_ZONE_ADD:
		op_zone_add(c);
		break;
	case OP_ZONE_ID:
		op_zone_id(c);
		break;
	case OP_DEV_ADD:
		op_dev_add(c);
		break;
	case OP_DEV_NAME:
		op_dev_name(c);
		break;
	case OP_UNKNOWN:
		op_unknown(c);
		break;
	case OP_SIM_CREATE:
		op_sim_create(c);
		break;
	case OP_SIM_BY_VALUE:
		op_sim_by_value(c);
		break;
	case OP_SIM_INFO:
		op_sim_info(c);
		break;
	case OP_SIM_MMIO_REGION:
		op_sim_mmio_region(c);
		break;
	case OP_SIM_MMIO:
		op_sim_mmio(c);
		break;
	case OP_SIM_GUEST:
		op_sim_guest(c);
		break;
	case OP_SIM_STATS:
		op_sim_stats(c);
		break;
	case OP_COMPAT:
		op_compat(c);
		break;
	case OP_REOPEN:
		op_reopen(c);
		break;
	case OP_MMAP:
		op_mmap(c);
		break;
	case OP_READ:
		op_read(c);
		break;
	}
	c->rng = main_stream;
	c->op_n[i]++;
	c->op_ok[i] += c->successes != ok;
	c->ops++;
}

/* The per-process state: its descriptors and argument pages. */
static int ctx_init(struct ctx *c, __u64 seed, int proc, __u64 ram_hpa,
		    struct bfd *bfds, unsigned int nr_bfds)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->rng = seed + proc * 0x632be59bd9b4e019ULL;
	c->proc = proc;
	c->ram_hpa = ram_hpa;
	c->page = sysconf(_SC_PAGESIZE);
	c->bfds = bfds;
	c->nr_bfds = nr_bfds;
	for (i = 0; i < NR_CTL; i++)
		c->ctl[i] = open_dev("/dev/hvisor_vhost");
	for (i = 0; i < NR_SIM; i++)
		c->sim[i] = open_dev("/dev/hvisor_sim");
	for (i = 0; i < NR_COMPAT; i++)
		c->compat[i] = open_dev("/dev/hvisor");
	c->arena = mmap(NULL, ARENA_PAGES * c->page, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->arena == MAP_FAILED)
		return -1;
	mprotect(arena_page(c, 3), c->page, PROT_NONE);
	arena_ro(c, 1);
	return 0;
}

static void ctx_fini(struct ctx *c)
{
	unsigned int i;

	for (i = 0; i < NR_MAPS; i++)
		unmap_one(c, i);
	for (i = 0; i < NR_CTL; i++)
		if (c->ctl[i] >= 0)
			close(c->ctl[i]);
	for (i = 0; i < NR_SIM; i++)
		if (c->sim[i] >= 0)
			close(c->sim[i]);
	for (i = 0; i < NR_COMPAT; i++)
		if (c->compat[i] >= 0)
			close(c->compat[i]);
	if (c->arena && c->arena != MAP_FAILED)
		munmap(c->arena, ARENA_PAGES * c->page);
}

/* What a fuzzing process tells the test. */
struct result {
	__u64 ops;
	__u64 calls;
	__u64 successes;
	__u64 devs_added;
	__u64 nets_added;
	__u64 zones_added;
	__u64 compat_ok;
	__u64 unexpected;
	__u64 op_ok[NR_OPS];
	__u64 op_n[NR_OPS];
	__u64 err[ERRNO_MAX + 1];
	char first_err[200];
};

static void fuzz_for(struct ctx *c, __u64 ms)
{
	__u64 end = hvg_ms() + ms;

	refresh_names(c);
	while (hvg_ms() < end) {
		one_op(c);
		if (!(c->ops % 64))
			refresh_names(c);
	}
}

static void result_of(struct result *res, const struct ctx *c)
{
	res->ops = c->ops;
	res->calls = c->calls;
	res->successes = c->successes;
	res->devs_added = c->devs_added;
	res->nets_added = c->nets_added;
	res->zones_added = c->zones_added;
	res->compat_ok = c->compat_ok;
	res->unexpected = c->unexpected;
	memcpy(res->op_ok, c->op_ok, sizeof(res->op_ok));
	memcpy(res->op_n, c->op_n, sizeof(res->op_n));
	memcpy(res->err, c->err, sizeof(res->err));
	memcpy(res->first_err, c->first_err, sizeof(res->first_err));
}

/* ------------------------------------------------------------------ */
/* Setup, cleanup, checks                                              */

struct env {
	struct bfd bfds[40];
	unsigned int nr_bfds;
	char img[64];
	char img_empty[64];
	char img_odd[64];
	char img_loop[64];
	char loop[32];		/* a loop device over img_loop, if any */
	int ram_fd;		/* owns RAM_ZONE */
	__u64 ram_hpa;
};

static int tmpfile_of(char *path, const char *name, size_t size)
{
	char *buf;
	int fd;

	snprintf(path, 64, "/tmp/%s.XXXXXX", name);
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	buf = calloc(1, size + 1);
	if (!buf || pwrite(fd, buf, size, 0) != (ssize_t)size) {
		free(buf);
		close(fd);
		return -1;
	}
	free(buf);
	return fd;
}

static void add_bfd(struct env *e, const char *what, int fd, int rw, int ro)
{
	if (e->nr_bfds < ARRAY_SIZE(e->bfds))
		e->bfds[e->nr_bfds++] = (struct bfd){ what, fd, rw, ro,
						      fd >= 0, 0 };
}

/* A net backend (never a blk one): the open queue @fd of a tap. */
static void add_tap(struct env *e, const char *what, int fd)
{
	if (fd >= 0 && e->nr_bfds < ARRAY_SIZE(e->bfds))
		e->bfds[e->nr_bfds++] = (struct bfd){ what, fd, 0, 0, 1, 1 };
}

/* Net backends: a tap, queues of a multi-queue tap, opens of a macvtap. */
static void add_taps(struct env *e)
{
	int fds[3], ifindex;
	unsigned int i;

	if (!hvg_tap_create(FZ_TAP, fds, 1, O_NONBLOCK, &ifindex))
		add_tap(e, "tap", fds[0]);
	if (!hvg_tap_create(FZ_TAP_MQ, fds, 3, O_NONBLOCK, &ifindex))
		for (i = 0; i < 3; i++)
			add_tap(e, "queue of a multi-queue tap", fds[i]);
	hvg_sh(NULL, 0, "ip link del " FZ_MVT_LOWER " 2>&1");	/* an earlier run's */
	if (!hvg_sh(NULL, 0, "ip link add " FZ_MVT_LOWER
		    " type veth peer name " FZ_MVT_PEER " 2>&1 && ip link add link "
		    FZ_MVT_LOWER " name " FZ_MVT " type macvtap 2>&1"))
		for (i = 0; i < 2; i++)
			add_tap(e, "macvtap", hvg_macvtap_open(FZ_MVT, O_NONBLOCK));
}

/* A descriptor number that is not open (none of them may be taken). */
static void add_number(struct env *e, const char *what, int fd)
{
	if (e->nr_bfds < ARRAY_SIZE(e->bfds))
		e->bfds[e->nr_bfds++] = (struct bfd){ what, fd, 0, 0, 0, 0 };
}

/* A block device backend: a loop device, where the guest has losetup. */
static void add_loop(struct env *e)
{
	char cmd[128];
	int fd;

	fd = tmpfile_of(e->img_loop, "ioctl_fuzz_loop", IMG_SIZE);
	if (fd < 0)
		return;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "command -v losetup >/dev/null && losetup -f --show %s",
		 e->img_loop);
	if (hvg_sh(e->loop, sizeof(e->loop), "%s", cmd) ||
	    strncmp(e->loop, "/dev/", 5)) {
		e->loop[0] = 0;
		return;
	}
	add_bfd(e, "loop device", open(e->loop, O_RDWR), 1, 1);
	add_bfd(e, "loop device O_RDONLY", open(e->loop, O_RDONLY), 0, 1);
}

/* Every kind of descriptor a backend could be given. */
static int env_init(struct env *e)
{
	struct hvsim_zone *z = calloc(1, sizeof(*z));
	int fd, p[2], sv[2];

	memset(e, 0, sizeof(*e));
	e->ram_fd = -1;
	fd = tmpfile_of(e->img, "ioctl_fuzz", IMG_SIZE);
	if (fd < 0 || !z)
		return -1;
	add_bfd(e, "image", fd, 1, 1);
	add_bfd(e, "image O_RDONLY", open(e->img, O_RDONLY), 0, 1);
	add_bfd(e, "image O_WRONLY", open(e->img, O_WRONLY), 0, 0);
	add_bfd(e, "image O_APPEND", open(e->img, O_RDWR | O_APPEND), 1, 1);
	add_bfd(e, "image O_PATH", open(e->img, O_PATH), 0, 0);
	add_bfd(e, "empty file", tmpfile_of(e->img_empty, "ioctl_fuzz_0", 0),
		1, 1);
	add_bfd(e, "1000-byte file",
		tmpfile_of(e->img_odd, "ioctl_fuzz_odd", 1000), 1, 1);
	fd = memfd_create("ioctl_fuzz", 0);
	if (fd >= 0 && ftruncate(fd, IMG_SIZE))
		fd = -1;
	add_bfd(e, "memfd", fd, 1, 1);
	fd = memfd_create("ioctl_fuzz_sealed", MFD_ALLOW_SEALING);
	if (fd >= 0 && (ftruncate(fd, IMG_SIZE) ||
			fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
			      F_SEAL_GROW)))
		fd = -1;
	add_bfd(e, "sealed memfd", fd, 1, 1);
	if (!pipe(p)) {
		add_bfd(e, "pipe (read end)", p[0], 0, 0);
		add_bfd(e, "pipe (write end)", p[1], 0, 0);
	}
	if (!socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		add_bfd(e, "socket", sv[0], 0, 0);
	add_bfd(e, "directory", open("/tmp", O_RDONLY | O_DIRECTORY), 0, 0);
	add_bfd(e, "/dev/null", open("/dev/null", O_RDWR), 0, 0);
	add_bfd(e, "eventfd", eventfd(0, 0), 0, 0);
	add_bfd(e, "/dev/hvisor_vhost", open("/dev/hvisor_vhost", O_RDWR), 0,
		0);
	add_bfd(e, "/dev/hvisor_sim", open("/dev/hvisor_sim", O_RDWR), 0, 0);
	/* Regular files: whether they can be read depends on their fs. */
	add_bfd(e, "procfs file", open("/proc/self/status", O_RDONLY), 0, -1);
	add_bfd(e, "sysfs file", open(HVG_SYSFS "/bridge_requests",
				      O_RDONLY), 0, -1);
	add_bfd(e, "this program (9p or initramfs)",
		open("/proc/self/exe", O_RDONLY), 0, -1);
	add_loop(e);
	add_taps(e);
	/* Last: no later open of ours may take its number. */
	fd = open("/dev/null", O_RDONLY);
	close(fd);
	add_number(e, "closed descriptor", fd);
	add_number(e, "-1", -1);
	add_number(e, "-2", -2);
	add_number(e, "INT_MAX", INT_MAX);
	add_number(e, "1 << 20", 1 << 20);
	add_number(e, "1023", 1023);

	/* The RAM hvisor_vhost zones may map, alive for the whole run. */
	z->zone_id = RAM_ZONE;
	z->flags = HVSIM_ZONE_F_FD_OWNED;
	z->first_cpu = RAM_CPU;
	z->nr_cpus = 1;
	z->nr_regions = 1;
	z->regions[0].gpa = HVG_RAM_GPA;
	z->regions[0].size = RAM_SIZE;
	e->ram_fd = open("/dev/hvisor_sim", O_RDWR | O_CLOEXEC);
	if (e->ram_fd < 0 || ioctl(e->ram_fd, HVSIM_ZONE_CREATE, z)) {
		free(z);
		return -1;
	}
	e->ram_hpa = z->regions[0].hpa;
	free(z);
	return 0;
}

/* Remove every device, zone and simulated zone; returns the leaks. */
static int purge_all(int ctl, int sim, char *msg, size_t len)
{
	struct dirent *de;
	unsigned int z;
	int leaks = 0;
	DIR *dir;

	msg[0] = 0;
	dir = opendir(HVG_SYSFS);
	if (dir) {
		while ((de = readdir(dir))) {
			struct hvv_dev_name dn = { { 0 } };

			if (de->d_type != DT_LNK ||
			    strlen(de->d_name) >= sizeof(dn.name))
				continue;
			memcpy(dn.name, de->d_name, strlen(de->d_name));
			if (ioctl(ctl, HVV_DEV_DEL, &dn) && errno != ENOENT) {
				snprintf(msg, len, "cannot remove %s: %s",
					 dn.name, strerror(errno));
				leaks++;
			}
		}
		closedir(dir);
	}
	for (z = 1; z <= HVV_MAX_ZONE_ID; z++) {
		struct hvv_zone_id zid = { .zone_id = z };

		/* Frees the devices removed while their driver ran. */
		ioctl(ctl, HVV_ZONE_RESET, &zid);
		if (ioctl(ctl, HVV_ZONE_DEL, &zid) && errno != ENOENT) {
			snprintf(msg, len, "cannot remove zone %u: %s", z,
				 strerror(errno));
			leaks++;
		}
	}
	for (z = 1; z <= HVSIM_MAX_ZONE_ID; z++)
		if (z != RAM_ZONE)
			ioctl(sim, HVSIM_ZONE_DESTROY, z);
	return leaks;
}

/* What exists: devices in sysfs, zones of both modules. */
struct snapshot {
	char devs[1024];
	__u32 vhost_zones;
	__u32 sim_zones;
};

static void snapshot(int ctl, int sim, struct snapshot *s)
{
	struct hvv_zone_config *vz = calloc(1, sizeof(*vz));
	struct hvsim_zone *sz = calloc(1, sizeof(*sz));
	struct dirent *de;
	unsigned int z;
	DIR *dir;

	memset(s, 0, sizeof(*s));
	dir = opendir(HVG_SYSFS);
	while (dir && (de = readdir(dir))) {
		if (de->d_type != DT_LNK)
			continue;
		strncat(s->devs, de->d_name,
			sizeof(s->devs) - strlen(s->devs) - 2);
		strcat(s->devs, " ");
	}
	if (dir)
		closedir(dir);
	for (z = 1; z <= HVV_MAX_ZONE_ID && vz && sz; z++) {
		/* No regions: EEXIST for a zone that exists, else EINVAL. */
		vz->zone_id = z;
		if (ioctl(ctl, HVV_ZONE_ADD, vz) && errno == EEXIST)
			s->vhost_zones |= 1U << z;
		sz->zone_id = z;
		if (!ioctl(sim, HVSIM_ZONE_INFO, sz))
			s->sim_zones |= 1U << z;
	}
	free(vz);
	free(sz);
}

static void print_errnos(const __u64 *err)
{
	char line[512] = "";
	unsigned int e;
	size_t n = 0;

	for (e = 0; e <= ERRNO_MAX && n < sizeof(line) - 32; e++)
		if (err[e])
			n += snprintf(line + n, sizeof(line) - n, " %s:%llu",
				      e ? (e < ERRNO_MAX ? strerrorname_np(e) :
					   "other") : "ok",
				      (unsigned long long)err[e]);
	ksft_print_msg("results:%s\n", line);
}

static void print_ops(const struct result *r)
{
	char line[768] = "";
	unsigned int i;
	size_t n = 0;

	for (i = 0; i < NR_OPS && n < sizeof(line) - 48; i++)
		n += snprintf(line + n, sizeof(line) - n, " %s:%llu/%llu",
			      op_names[i], (unsigned long long)r->op_ok[i],
			      (unsigned long long)r->op_n[i]);
	ksft_print_msg("worked/tried:%s\n", line);
}

/* A zone with a console and a blk device: added, used, removed. */
static void module_works(struct __test_metadata *_metadata, int img)
{
	struct hvg_con con = { .tty = -1 };
	struct hvg_blk blk;
	struct hvg g;
	char buf[8] = "";
	__u64 data;
	int ret;

	ret = hvg_setup(&g, CHECK_ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ASSERT_EQ(0, hvg_add_console(&g, HVG_MMIO_BASE, HVG_DEV_LEN, 40,
				     &con.d));
	ASSERT_EQ(0, hvg_add_blk(&g, HVG_MMIO_BASE + 0x200, 41, img, 0, NULL,
				 &blk));
	con.tty = hvg_tty_open(con.d.index);
	ASSERT_LE(0, con.tty);
	ASSERT_EQ(0, hvg_con_init(&g, &con, HVG_F_VERSION_1, 8));
	EXPECT_EQ(0, hvg_con_tx(&g, &con, "works", HVG_WAIT_MS));
	EXPECT_EQ(5U, hvg_tty_read(con.tty, buf, 5, HVG_WAIT_MS));
	EXPECT_STREQ("works", buf);
	ASSERT_EQ(0, hvg_blk_init(&g, &blk, HVG_F_VERSION_1, 8));
	data = hvg_alloc(&g, 512, 512);
	memset(hvg_ptr(&g, data), 'w', 512);
	EXPECT_EQ(0, hvg_blk_req(&g, &blk, VIRTIO_BLK_T_OUT, 3, data, 512));
	memset(hvg_ptr(&g, data), 0, 512);
	EXPECT_EQ(0, hvg_blk_req(&g, &blk, VIRTIO_BLK_T_IN, 3, data, 512));
	EXPECT_EQ('w', hvg_byte(&g, data + 511));
	close(con.tty);
	hvg_wr32(&g, con.d.base, VIRTIO_MMIO_STATUS, 0);
	hvg_wr32(&g, blk.d.base, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, hvg_teardown(&g));
}

/* Nothing of the module is left: no device, no zone in either module. */
static void nothing_left(struct __test_metadata *_metadata, int ram_zone)
{
	struct snapshot s;
	int ctl = open("/dev/hvisor_vhost", O_RDWR);
	int sim = open("/dev/hvisor_sim", O_RDWR);

	ASSERT_LE(0, ctl);
	ASSERT_LE(0, sim);
	snapshot(ctl, sim, &s);
	EXPECT_STREQ("", s.devs);
	EXPECT_EQ(0U, s.vhost_zones);
	EXPECT_EQ(ram_zone ? 1U << RAM_ZONE : 0U, s.sim_zones);
	close(ctl);
	close(sim);
}

/*
 * Use a blk device on backend @b: every request is answered, reads and
 * writes land where they must, the backing never grows.
 */
static void use_blk(struct __test_metadata *_metadata, struct hvg *g,
		    struct hvg_blk *blk, const struct bfd *b, int ro)
{
	struct stat st0, st1;
	__u64 cap, data, sectors;
	unsigned char want[512];
	int st, have_stat;

	ASSERT_EQ(0, hvg_blk_init(g, blk, HVG_F_VERSION_1 |
				  BIT_ULL(VIRTIO_BLK_F_FLUSH), 8))
		TH_LOG("%s: initialisation refused", b->what);
	have_stat = !fstat(b->fd, &st0);
	cap = hvg_blk_capacity(g, blk->d.base);
	sectors = cap;
	if (have_stat && S_ISREG(st0.st_mode))
		sectors = st0.st_size / 512;
	EXPECT_EQ(sectors, cap) TH_LOG("%s: capacity", b->what);
	data = hvg_alloc(g, 512, 512);
	st = hvg_blk_req(g, blk, VIRTIO_BLK_T_IN, 0, data, 512);
	/* sysfs reports a size its files do not have: a short read. */
	if (!(b->ro < 0 && st == VIRTIO_BLK_S_IOERR))
		EXPECT_EQ(cap ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR, st)
			TH_LOG("%s: read of sector 0", b->what);
	st = hvg_blk_req(g, blk, VIRTIO_BLK_T_IN, cap, data, 512);
	EXPECT_EQ(VIRTIO_BLK_S_IOERR, st) TH_LOG("%s: read past the end",
						 b->what);
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  hvg_blk_req(g, blk, VIRTIO_BLK_T_GET_ID, 0, data, 20));
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  hvg_blk_req(g, blk, VIRTIO_BLK_T_FLUSH, 0, 0, 0));
	if (ro || cap < 2)
		return;
	memset(want, 0x5a, sizeof(want));
	memcpy(hvg_ptr(g, data), want, 512);
	st = hvg_blk_req(g, blk, VIRTIO_BLK_T_OUT, 1, data, 512);
	if (strstr(b->what, "sealed")) {
		EXPECT_EQ(VIRTIO_BLK_S_IOERR, st) TH_LOG("%s: write", b->what);
		return;
	}
	EXPECT_EQ(VIRTIO_BLK_S_OK, st) TH_LOG("%s: write", b->what);
	memset(hvg_ptr(g, data), 0, 512);
	EXPECT_EQ(VIRTIO_BLK_S_OK,
		  hvg_blk_req(g, blk, VIRTIO_BLK_T_IN, 1, data, 512));
	EXPECT_EQ(0, memcmp(hvg_ptr(g, data), want, 512))
		TH_LOG("%s: sector 1 read back differs", b->what);
	/* It went to sector 1 of the file, which did not grow. */
	memset(want, 0, sizeof(want));
	EXPECT_EQ(512, pread(b->fd, want, 512, 512));
	EXPECT_EQ(0x5a, want[0]) TH_LOG("%s: not at sector 1", b->what);
	EXPECT_EQ(0, fstat(b->fd, &st1));
	EXPECT_EQ(st0.st_size, st1.st_size) TH_LOG("%s: the file grew",
						   b->what);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

FIXTURE(io) {
	struct env e;
	struct result *res;	/* shared with the fuzzing processes */
	pid_t pids[8];
	unsigned int nr_procs;
	__u64 seed;
	__u64 seconds;
};

FIXTURE_SETUP(io)
{
	self->seed = run_seed;
	self->seconds = env_u64("HV_FUZZ_SECONDS", 15);
	self->nr_procs = env_u64("HV_FUZZ_PROCS", 2);
	if (self->nr_procs < 1 || self->nr_procs > ARRAY_SIZE(self->pids))
		self->nr_procs = 2;
	ASSERT_GE(3000ULL, self->seconds) TH_LOG("HV_FUZZ_SECONDS above 3000");
	self->res = mmap(NULL, sizeof(*self->res) * ARRAY_SIZE(self->pids),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
	ASSERT_EQ(0, env_init(&self->e));
	ksft_print_msg("HV_FUZZ_SEED=%#llx HV_FUZZ_SECONDS=%llu HV_FUZZ_PROCS=%u\n",
		       (unsigned long long)self->seed,
		       (unsigned long long)self->seconds, self->nr_procs);
	fflush(stdout);	/* the harness ends tests with _exit() */
}

FIXTURE_TEARDOWN(io)
{
	int ctl = open("/dev/hvisor_vhost", O_RDWR);
	int sim = open("/dev/hvisor_sim", O_RDWR);
	unsigned int i;
	char msg[200];

	if (ctl >= 0 && sim >= 0)
		purge_all(ctl, sim, msg, sizeof(msg));
	if (ctl >= 0)
		close(ctl);
	if (sim >= 0)
		close(sim);
	if (self->e.ram_fd >= 0)
		close(self->e.ram_fd);
	for (i = 0; i < self->e.nr_bfds; i++)
		if (self->e.bfds[i].own)
			close(self->e.bfds[i].fd);
	if (self->e.loop[0]) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "losetup -d %s", self->e.loop);
		hvg_sh(NULL, 0, "%s", cmd);
	}
	hvg_sh(NULL, 0, "ip link del " FZ_MVT_LOWER " 2>&1");
	if (self->e.img_loop[0])
		unlink(self->e.img_loop);
	if (self->e.img[0])
		unlink(self->e.img);
	if (self->e.img_empty[0])
		unlink(self->e.img_empty);
	if (self->e.img_odd[0])
		unlink(self->e.img_odd);
}

enum { PRIV, NO_CAPS, NOBODY };

static int drop_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	return syscall(SYS_capset, &hdr, data);
}

static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	return 0;
}

/*
 * A fuzzing process without privileges: the simulator's control file
 * must not open; hvisor_vhost's, opened before (inherited) or now, must
 * refuse every call (the checks in call()).
 */
static void unpriv_start(struct ctx *c, int mode, int inherited_ctl)
{
	int fd;

	c->unpriv = mode;
	fd = open("/dev/hvisor_sim", O_RDWR);
	if (fd >= 0 || (errno != EPERM && errno != EACCES))
		unexpected(c, "/dev/hvisor_sim opened without privileges");
	if (fd >= 0)
		close(fd);
	fd = open("/dev/hvisor_vhost", O_RDWR);
	if (fd < 0 && errno != EACCES)
		unexpected(c, "/dev/hvisor_vhost: %s", strerror(errno));
	if (mode == NOBODY && fd >= 0)
		unexpected(c, "/dev/hvisor_vhost opened by nobody");
	if (fd >= 0)
		close(fd);
	/* A descriptor root opened is no key either. */
	if (c->ctl[0] >= 0)
		close(c->ctl[0]);
	c->ctl[0] = dup(inherited_ctl);
}

/* Run @n fuzzing processes for @ms, with privileges or without. */
static void run_procs(struct __test_metadata *_metadata,
		      struct _test_data_io *self, unsigned int n, __u64 ms,
		      int mode)
{
	int inherited = open("/dev/hvisor_vhost", O_RDWR);
	unsigned int i;

	ASSERT_LE(0, inherited);
	memset(self->res, 0, sizeof(*self->res) * n);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			struct ctx *c = calloc(1, sizeof(*c));

			if (!c)
				_exit(2);
			if ((mode == NO_CAPS && drop_caps()) ||
			    (mode == NOBODY && become_nobody()))
				_exit(3);
			if (ctx_init(c, self->seed, i, self->e.ram_hpa,
				     self->e.bfds, self->e.nr_bfds))
				_exit(4);
			c->solo = n == 1;
			if (mode != PRIV)
				unpriv_start(c, mode, inherited);
			fuzz_for(c, ms);
			result_of(&self->res[i], c);
			ctx_fini(c);
			_exit(0);
		}
		self->pids[i] = pid;
	}
	close(inherited);
	for (i = 0; i < n; i++) {
		__u64 end = hvg_ms() + ms + 60000;
		int status = -1;

		while (waitpid(self->pids[i], &status, WNOHANG) == 0) {
			if (hvg_ms() > end) {
				kill(self->pids[i], SIGKILL);
				waitpid(self->pids[i], &status, 0);
				break;
			}
			hvg_sleep_ms(20);
		}
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("seed %#llx: fuzzing process %u: status %#x",
			       (unsigned long long)self->seed, i, status);
	}
}

TEST_F_TIMEOUT(io, random, 3600)
{
	struct result sum;
	unsigned int i, j;
	char msg[200];
	__u64 t0 = hvg_ms(), elapsed;
	int ctl, sim;

	run_procs(_metadata, self, self->nr_procs, self->seconds * 1000, 0);
	elapsed = hvg_ms() - t0;
	memset(&sum, 0, sizeof(sum));
	for (i = 0; i < self->nr_procs; i++) {
		const struct result *r = &self->res[i];

		sum.ops += r->ops;
		sum.calls += r->calls;
		sum.successes += r->successes;
		sum.devs_added += r->devs_added;
		sum.nets_added += r->nets_added;
		sum.zones_added += r->zones_added;
		for (j = 0; j <= ERRNO_MAX; j++)
			sum.err[j] += r->err[j];
		for (j = 0; j < NR_OPS; j++) {
			sum.op_ok[j] += r->op_ok[j];
			sum.op_n[j] += r->op_n[j];
		}
		EXPECT_EQ(0ULL, r->unexpected)
			TH_LOG("seed %#llx, process %u: %s",
			       (unsigned long long)self->seed, i,
			       r->first_err);
	}
	ksft_print_msg("%llu operations, %llu calls (%llu succeeded) in %llu ms: %llu calls/s\n",
		       (unsigned long long)sum.ops,
		       (unsigned long long)sum.calls,
		       (unsigned long long)sum.successes,
		       (unsigned long long)elapsed,
		       (unsigned long long)(sum.calls * 1000 / (elapsed ?: 1)));
	ksft_print_msg("%llu devices (%llu net) and %llu zones added\n",
		       (unsigned long long)sum.devs_added,
		       (unsigned long long)sum.nets_added,
		       (unsigned long long)sum.zones_added);
	print_errnos(sum.err);
	print_ops(&sum);
	fflush(stdout);

	/* Clean up as hvg_purge_zone() does: nothing may resist. */
	ctl = open("/dev/hvisor_vhost", O_RDWR);
	sim = open("/dev/hvisor_sim", O_RDWR);
	ASSERT_LE(0, ctl);
	ASSERT_LE(0, sim);
	EXPECT_EQ(0, purge_all(ctl, sim, msg, sizeof(msg)))
		TH_LOG("seed %#llx: %s", (unsigned long long)self->seed, msg);
	close(ctl);
	close(sim);
	nothing_left(_metadata, 1);
	module_works(_metadata, self->e.bfds[0].fd);
	nothing_left(_metadata, 1);
}

/*
 * Without capabilities, and as nobody: everything refused, nothing
 * created, removed or changed.
 */
TEST_F_TIMEOUT(io, unprivileged, 3600)
{
	static const char * const modes[] = { "", "no capabilities", "nobody" };
	__u64 ms = self->seconds * 1000 / 3;
	struct snapshot before, after;
	struct hvg_con con = { .tty = -1 };
	__u32 status, mode;
	struct hvg g;
	int ret;

	ms = ms < 2000 ? 2000 : ms;
	ret = hvg_setup(&g, CHECK_ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	ASSERT_EQ(0, hvg_add_console(&g, HVG_MMIO_BASE, HVG_DEV_LEN, 40,
				     &con.d));
	ASSERT_EQ(0, hvg_negotiate(&g, con.d.base, HVG_CONSOLE_FEATURES));
	status = hvg_status(&g, con.d.base);
	snapshot(g.ctl_fd, g.sim_fd, &before);
	for (mode = NO_CAPS; mode <= NOBODY; mode++) {
		const struct result *r = &self->res[0];

		run_procs(_metadata, self, 1, ms, mode);
		ksft_print_msg("%s: %llu calls, %llu succeeded on /dev/hvisor\n",
			       modes[mode], (unsigned long long)r->calls,
			       (unsigned long long)r->compat_ok);
		EXPECT_EQ(r->compat_ok, r->successes)
			TH_LOG("%s: a call other than on /dev/hvisor worked",
			       modes[mode]);
		print_errnos(r->err);
		EXPECT_EQ(0ULL, r->unexpected)
			TH_LOG("seed %#llx, %s: %s",
			       (unsigned long long)self->seed, modes[mode],
			       r->first_err);
	}
	fflush(stdout);
	snapshot(g.ctl_fd, g.sim_fd, &after);
	EXPECT_STREQ(before.devs, after.devs);
	EXPECT_EQ(before.vhost_zones, after.vhost_zones);
	EXPECT_EQ(before.sim_zones, after.sim_zones);
	EXPECT_EQ(status, hvg_status(&g, con.d.base));
	EXPECT_EQ(HVG_CONSOLE_FEATURES,
		  hvg_sysfs_u64(con.d.name, "driver_features"));
	hvg_wr32(&g, con.d.base, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, hvg_teardown(&g));
	nothing_left(_metadata, 1);
}

/* A blk device on each backend hvisor_vhost takes, used; the rest refused. */
TEST_F(io, backends)
{
	const __u64 base = HVG_MMIO_BASE;
	unsigned int i, ro;
	struct hvg g;
	int ret;

	ret = hvg_setup(&g, CHECK_ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
	for (i = 0; i < self->e.nr_bfds; i++) {
		const struct bfd *b = &self->e.bfds[i];

		for (ro = 0; ro < 2; ro++) {
			int want = ro ? b->ro : b->rw;
			struct hvg_blk blk;

			g.alloc = HVG_RAM_GPA;
			ret = hvg_add_blk(&g, base, 41, b->fd,
					  ro ? HVV_BLK_F_RO : 0, NULL, &blk);
			if (want >= 0)
				EXPECT_EQ(want, !ret)
					TH_LOG("%s%s: %s", b->what,
					       ro ? ", read-only" : "",
					       ret ? strerror(-ret) : "taken");
			if (ret)
				continue;
			use_blk(_metadata, &g, &blk, b, ro);
			hvg_wr32(&g, base, VIRTIO_MMIO_STATUS, 0);
			EXPECT_EQ(0, hvg_del_dev(&g, blk.d.name));
		}
	}
	EXPECT_EQ(0, hvg_teardown(&g));
}

TEST_HARNESS_MAIN
