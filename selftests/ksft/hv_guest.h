/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw guest for tests: a zone owned by this process through hvisor_sim
 * (its RAM mmapped here, its vCPU accesses issued by ioctl), served by
 * hvisor_vhost, plus a minimal split-ring virtio driver that tests can
 * also use to break every rule on purpose.
 *
 * Layout of the zone: RAM [HVG_RAM_GPA, HVG_RAM_END), one virtio trap
 * region [HVG_MMIO_BASE, +HVG_MMIO_SIZE). A device at the region's start
 * gets an asynchronous QueueNotify, anywhere else a synchronous one.
 *
 * Everything is little-endian on the architectures we test (x86_64,
 * arm64), so rings are written natively.
 */
#ifndef _HV_GUEST_H
#define _HV_GUEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/hvisor_sim.h>
#include <linux/hvisor_vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#define HVG_RAM_GPA	0x40000000ULL
#define HVG_RAM_SIZE	(4ULL << 20)
#define HVG_RAM_END	(HVG_RAM_GPA + HVG_RAM_SIZE)
#define HVG_MMIO_BASE	0x0a000000ULL
#define HVG_MMIO_SIZE	0x4000ULL
#define HVG_DEV_LEN	0x200ULL
#define HVG_FIRST_CPU	2
#define HVG_NR_CPUS	2

#define HVG_MAX_DEVS	8	/* devices a test adds to its zone */
#define HVG_MAX_IRQ	256	/* interrupt numbers tests may use */
#define HVG_WAIT_MS	3000	/* "should happen": generous, TCG is slow */
#define HVG_QUIET_MS	300	/* "should not happen" observation window */

#define HVG_SYSFS	"/sys/class/hvisor"

#ifndef BIT_ULL
#define BIT_ULL(nr)	(1ULL << (nr))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* virtio-mmio registers newer than some uapi headers */
#ifndef VIRTIO_MMIO_SHM_SEL
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#endif
#define HVG_MMIO_QUEUE_RESET		0x0c0	/* virtio 1.2; not offered */

/* Status bits as a driver writes them in order. */
#define HVG_S_ACK	VIRTIO_CONFIG_S_ACKNOWLEDGE
#define HVG_S_DRV	(HVG_S_ACK | VIRTIO_CONFIG_S_DRIVER)
#define HVG_S_FEAT	(HVG_S_DRV | VIRTIO_CONFIG_S_FEATURES_OK)
#define HVG_S_OK	(HVG_S_FEAT | VIRTIO_CONFIG_S_DRIVER_OK)

/* What hvisor_vhost's console offers. */
#define HVG_F_VERSION_1	BIT_ULL(VIRTIO_F_VERSION_1)
#define HVG_F_INDIRECT	BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)
#define HVG_F_EVENT_IDX	BIT_ULL(VIRTIO_RING_F_EVENT_IDX)
#define HVG_CONSOLE_FEATURES \
	(HVG_F_VERSION_1 | HVG_F_INDIRECT | HVG_F_EVENT_IDX | \
	 BIT_ULL(VIRTIO_CONSOLE_F_SIZE) | BIT_ULL(VIRTIO_CONSOLE_F_EMERG_WRITE))
#define HVG_CONSOLE_RX	0
#define HVG_CONSOLE_TX	1

struct hvg {
	int sim_fd;
	int ctl_fd;
	__u32 zone;
	__u32 cpu;
	void *ram;
	__u64 ram_hpa;
	__u64 alloc;		/* bump allocator in zone RAM (gpa) */
	int zone_added;		/* registered with hvisor_vhost */
	unsigned int nr_devs;
	char devs[HVG_MAX_DEVS][HVV_NAME_LEN];	/* removed by hvg_teardown */
	unsigned int irqs[HVG_MAX_IRQ];	/* injections read, not yet taken */
	unsigned int irq_other;		/* injections of larger numbers */
};

/* A device the test added. */
struct hvg_dev {
	char name[HVV_NAME_LEN];
	__u32 index;		/* console N is /dev/ttyHV<N> */
	__u64 base;
	__u32 irq;
};

struct hvg_vq {
	__u16 index;
	__u16 num;
	__u64 desc_gpa;
	__u64 avail_gpa;
	__u64 used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	__u16 avail_idx;
	__u16 last_used;
};

static inline __u64 hvg_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static inline void hvg_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static inline void *hvg_ptr(struct hvg *g, __u64 gpa)
{
	return (char *)g->ram + (gpa - HVG_RAM_GPA);
}

/* Allocate zeroed zone RAM; returns its guest-physical address. */
static inline __u64 hvg_alloc(struct hvg *g, __u64 size, __u64 align)
{
	__u64 gpa = (g->alloc + align - 1) & ~(align - 1);

	if (gpa + size > HVG_RAM_END) {
		fprintf(stderr, "hvg: zone RAM exhausted\n");
		abort();
	}
	g->alloc = gpa + size;
	memset(hvg_ptr(g, gpa), 0, size);
	return gpa;
}

/* Copy @len bytes into fresh zone RAM; returns their address. */
static inline __u64 hvg_put(struct hvg *g, const void *data, size_t len)
{
	__u64 gpa = hvg_alloc(g, len ? len : 1, 16);

	memcpy(hvg_ptr(g, gpa), data, len);
	return gpa;
}

/* ------------------------------------------------------------------ */
/* sysfs                                                               */

/* Read a sysfs file, without the trailing newline. Returns 0 or -errno. */
static inline int hvg_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

/* Is @comm hvisor_vhost's dispatcher, or a queue worker of @dev (any if NULL)? */
static inline int hvg_module_thread(const char *comm, const char *dev)
{
	char prefix[48];

	if (!strcmp(comm, "hv-dispatch"))
		return 1;
	if (!dev)
		return !strncmp(comm, "hv-", 3) && strstr(comm, "-q");
	snprintf(prefix, sizeof(prefix), "hv-%s-q", dev);
	return !strncmp(comm, prefix, strlen(prefix));
}

/*
 * How much hvisor_vhost's dispatcher and the queue workers of @dev (of
 * every device if NULL) have run so far, from their schedstat (exact):
 * CPU time in ns and the times they were put on a CPU (each wake-up, and
 * each return after preemption), in all and the dispatcher's part.
 */
struct hvg_kthread_use {
	__u64 ns, runs;
	__u64 dispatch_ns, dispatch_runs;
};

static inline void hvg_module_use(const char *dev, struct hvg_kthread_use *u)
{
	unsigned long long ns, runs;
	struct dirent *p, *t;
	DIR *proc, *task;
	char path[600], buf[128], comm[32];

	memset(u, 0, sizeof(*u));
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((p = readdir(proc))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		/* Kernel threads have no command line. */
		snprintf(path, sizeof(path), "/proc/%s/cmdline", p->d_name);
		if (hvg_read_file(path, buf, sizeof(buf)) || buf[0])
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", p->d_name);
		task = opendir(path);
		if (!task)
			continue;
		while ((t = readdir(task))) {
			if (t->d_name[0] < '0' || t->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/comm",
				 p->d_name, t->d_name);
			if (hvg_read_file(path, comm, sizeof(comm)) ||
			    !hvg_module_thread(comm, dev))
				continue;
			snprintf(path, sizeof(path),
				 "/proc/%s/task/%s/schedstat", p->d_name,
				 t->d_name);
			/* run time (ns), wait time (ns), timeslices */
			if (hvg_read_file(path, buf, sizeof(buf)) ||
			    sscanf(buf, "%llu %*u %llu", &ns, &runs) != 2)
				continue;
			u->ns += ns;
			u->runs += runs;
			if (!strcmp(comm, "hv-dispatch")) {
				u->dispatch_ns += ns;
				u->dispatch_runs += runs;
			}
		}
		closedir(task);
	}
	closedir(proc);
}

/* CPU time in ns of the module's threads (hvg_module_use()). */
static inline __u64 hvg_module_cpu_ns(const char *dev)
{
	struct hvg_kthread_use u;

	hvg_module_use(dev, &u);
	return u.ns;
}

/* /sys/class/hvisor/<dev>/<attr> as text. Returns 0 or -errno. */
static inline int hvg_sysfs_str(const char *dev, const char *attr, char *buf,
				size_t size)
{
	char path[640];

	snprintf(path, sizeof(path), HVG_SYSFS "/%s/%s", dev, attr);
	return hvg_read_file(path, buf, size);
}

/* /sys/class/hvisor/<dev>/<attr> as a number (any base); ~0 on error. */
static inline __u64 hvg_sysfs_u64(const char *dev, const char *attr)
{
	char buf[64], *end;
	__u64 v;

	if (hvg_sysfs_str(dev, attr, buf, sizeof(buf)) || !buf[0])
		return ~0ULL;
	v = strtoull(buf, &end, 0);
	return *end ? ~0ULL : v;
}

/* A device counter: /sys/class/hvisor/<dev>/stats/<name>. */
static inline __u64 hvg_stat(const struct hvg_dev *d, const char *name)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "stats/%s", name);
	return hvg_sysfs_u64(d->name, attr);
}

/* A bridge counter: /sys/class/hvisor/bridge_<name>. */
static inline __u64 hvg_bridge_stat(const char *name)
{
	char attr[64];

	snprintf(attr, sizeof(attr), "bridge_%s", name);
	return hvg_sysfs_u64(".", attr);
}

/*
 * Run a shell command (printf format); its first output line, newline
 * cut, into @out. Returns its exit status, or -1.
 */
static inline int hvg_sh(char *out, size_t len, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	FILE *p;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && fgets(out, len, p))
		out[strcspn(out, "\n")] = 0;
	/* Read the rest: a child writing to a closed pipe would fail. */
	while (fgets(cmd, sizeof(cmd), p))
		;
	ret = pclose(p);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

/* ------------------------------------------------------------------ */
/* Zone and devices                                                    */

static inline int hvg_del_dev(struct hvg *g, const char *name)
{
	struct hvv_dev_name dn = { { 0 } };
	unsigned int i;

	snprintf(dn.name, sizeof(dn.name), "%s", name);
	if (ioctl(g->ctl_fd, HVV_DEV_DEL, &dn))
		return -errno;
	for (i = 0; i < g->nr_devs; i++) {
		if (strcmp(g->devs[i], dn.name))
			continue;
		memmove(g->devs[i], g->devs[i + 1],
			(g->nr_devs - i - 1) * sizeof(g->devs[0]));
		g->nr_devs--;
		break;
	}
	return 0;
}

/*
 * Remove what an earlier, aborted test may have left in hvisor_vhost for
 * zone @zone: its devices (found through sysfs), then the zone.
 */
static inline void hvg_purge_zone(int ctl_fd, __u32 zone)
{
	struct hvv_zone_id zid = { .zone_id = zone };
	struct dirent *de;
	DIR *dir;

	dir = opendir(HVG_SYSFS);
	if (dir) {
		while ((de = readdir(dir))) {
			struct hvv_dev_name dn = { { 0 } };

			if (de->d_name[0] == '.' ||
			    strlen(de->d_name) >= sizeof(dn.name) ||
			    hvg_sysfs_u64(de->d_name, "zone") != zone)
				continue;
			memcpy(dn.name, de->d_name, strlen(de->d_name));
			ioctl(ctl_fd, HVV_DEV_DEL, &dn);
		}
		closedir(dir);
	}
	ioctl(ctl_fd, HVV_ZONE_DEL, &zid);
}

/*
 * Create zone @zone in the simulator with one RAM region and one virtio
 * region, its simulated CPUs @first_cpu.. (@nr_cpus of them; accesses
 * are issued from @first_cpu), and register it with hvisor_vhost. Two
 * zones need disjoint CPUs. Returns 0 or -errno; call hvg_teardown() in
 * any case.
 */
static inline int hvg_setup_cpus(struct hvg *g, __u32 zone, __u32 first_cpu,
				 __u32 nr_cpus)
{
	struct hvsim_zone sz = {
		.zone_id = zone,
		.flags = HVSIM_ZONE_F_FD_OWNED,
		.first_cpu = first_cpu,
		.nr_cpus = nr_cpus,
		.nr_regions = 1,
		.regions = { { .gpa = HVG_RAM_GPA, .size = HVG_RAM_SIZE } },
	};
	struct hvsim_mmio_region mr = {
		.zone_id = zone,
		.base = HVG_MMIO_BASE,
		.size = HVG_MMIO_SIZE,
	};
	struct hvv_zone_config *vz;
	void *ram;
	int ret;

	memset(g, 0, sizeof(*g));
	g->sim_fd = -1;
	g->ctl_fd = -1;
	g->zone = zone;
	g->cpu = first_cpu;
	g->alloc = HVG_RAM_GPA;
	g->sim_fd = open("/dev/hvisor_sim", O_RDWR | O_CLOEXEC);
	if (g->sim_fd < 0)
		return -errno;
	g->ctl_fd = open("/dev/hvisor_vhost", O_RDWR | O_CLOEXEC);
	if (g->ctl_fd < 0)
		return -errno;
	hvg_purge_zone(g->ctl_fd, zone);
	if (ioctl(g->sim_fd, HVSIM_ZONE_CREATE, &sz) ||
	    ioctl(g->sim_fd, HVSIM_ZONE_ADD_MMIO, &mr))
		return -errno;
	g->ram_hpa = sz.regions[0].hpa;
	ram = mmap(NULL, HVG_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   g->sim_fd, HVG_RAM_GPA);
	if (ram == MAP_FAILED)
		return -errno;
	g->ram = ram;
	vz = calloc(1, sizeof(*vz));
	if (!vz)
		return -ENOMEM;
	vz->zone_id = zone;
	vz->nr_regions = 1;
	vz->regions[0].gpa = HVG_RAM_GPA;
	vz->regions[0].hpa = g->ram_hpa;
	vz->regions[0].size = HVG_RAM_SIZE;
	ret = ioctl(g->ctl_fd, HVV_ZONE_ADD, vz) ? -errno : 0;
	free(vz);
	if (!ret)
		g->zone_added = 1;
	return ret;
}

/*
 * Create zone @zone on CPUs HVG_FIRST_CPU.. (HVG_NR_CPUS), as
 * hvg_setup_cpus() does.
 */
static inline int hvg_setup(struct hvg *g, __u32 zone)
{
	return hvg_setup_cpus(g, zone, HVG_FIRST_CPU, HVG_NR_CPUS);
}

/*
 * Remove every device the test added (and did not remove itself), then
 * the hvisor_vhost zone, then the simulated zone (it dies with its fd).
 * Returns 0 or the first -errno.
 */
static inline int hvg_teardown(struct hvg *g)
{
	struct hvv_zone_id zid = { .zone_id = g->zone };
	int ret = 0, r;

	while (g->nr_devs) {
		r = hvg_del_dev(g, g->devs[g->nr_devs - 1]);
		if (r) {
			fprintf(stderr, "hvg: cannot remove %s: %s\n",
				g->devs[g->nr_devs - 1], strerror(-r));
			ret = ret ? ret : r;
			g->nr_devs--;
		}
	}
	if (g->zone_added) {
		if (ioctl(g->ctl_fd, HVV_ZONE_DEL, &zid)) {
			r = -errno;
			fprintf(stderr, "hvg: cannot remove zone %u: %s\n",
				g->zone, strerror(errno));
			ret = ret ? ret : r;
		}
		g->zone_added = 0;
	}
	if (g->ram) {
		munmap(g->ram, HVG_RAM_SIZE);
		g->ram = NULL;
	}
	if (g->ctl_fd >= 0)
		close(g->ctl_fd);
	if (g->sim_fd >= 0)
		close(g->sim_fd);
	g->ctl_fd = -1;
	g->sim_fd = -1;
	return ret;
}

/* Add a device described by @d (zone_id filled in); records its name. */
static inline int hvg_add_dev_full(struct hvg *g, struct hvv_dev_config *d)
{
	d->zone_id = g->zone;
	if (ioctl(g->ctl_fd, HVV_DEV_ADD, d))
		return -errno;
	if (g->nr_devs < HVG_MAX_DEVS)
		memcpy(g->devs[g->nr_devs++], d->name, HVV_NAME_LEN);
	return 0;
}

/* Add a device of @type at @addr; its name goes to @name (32 bytes). */
static inline int hvg_add_dev(struct hvg *g, __u32 type, __u64 addr,
			      __u32 irq, int fd, char *name)
{
	struct hvv_dev_config d = {
		.type = type,
		.addr = addr,
		.len = HVG_DEV_LEN,
		.irq = irq,
		.backend_fd = fd,
	};
	int ret;

	ret = hvg_add_dev_full(g, &d);
	if (!ret && name)
		memcpy(name, d.name, sizeof(d.name));
	return ret;
}

/* Add a console with a window of @len bytes at @addr. */
static inline int hvg_add_console(struct hvg *g, __u64 addr, __u64 len,
				  __u32 irq, struct hvg_dev *out)
{
	struct hvv_dev_config d = {
		.type = HVV_DEV_CONSOLE,
		.addr = addr,
		.len = len,
		.irq = irq,
		.backend_fd = -1,
	};
	int ret;

	ret = hvg_add_dev_full(g, &d);
	if (ret)
		return ret;
	memcpy(out->name, d.name, sizeof(out->name));
	out->index = d.index;
	out->base = addr;
	out->irq = irq;
	return 0;
}

static inline int hvg_dev_info(struct hvg *g, const char *name,
			       struct hvv_dev_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", name);
	return ioctl(g->ctl_fd, HVV_DEV_INFO, info) ? -errno : 0;
}

/* ------------------------------------------------------------------ */
/* Trapped accesses                                                    */

/*
 * One trapped access with an explicit timeout (0: the simulator's default,
 * whose expiry is a loud stall). Returns 0 or -errno, the value read in
 * *val.
 */
static inline int hvg_access_tmo(struct hvg *g, __u64 addr, __u32 size,
				 int write, __u64 *val,
				 unsigned int timeout_ms)
{
	struct hvsim_mmio m = {
		.zone_id = g->zone,
		.cpu = g->cpu,
		.addr = addr,
		.size = size,
		.is_write = write,
		.value = *val,
		.timeout_ms = timeout_ms,
	};

	if (ioctl(g->sim_fd, HVSIM_MMIO, &m))
		return -errno;
	*val = m.value;
	return 0;
}

/* One trapped access; returns 0 or -errno, the value read in *val. */
static inline int hvg_access(struct hvg *g, __u64 addr, __u32 size,
			     int write, __u64 *val)
{
	return hvg_access_tmo(g, addr, size, write, val, 0);
}

static inline __u64 hvg_rd(struct hvg *g, __u64 addr, __u32 size)
{
	__u64 v = 0;
	int ret;

	ret = hvg_access(g, addr, size, 0, &v);
	if (ret) {
		fprintf(stderr, "hvg: read %#llx size %u failed: %s\n",
			(unsigned long long)addr, size, strerror(-ret));
		return ~0ULL;
	}
	return v;
}

static inline int hvg_wr(struct hvg *g, __u64 addr, __u32 size,
			 __u64 value)
{
	int ret = hvg_access(g, addr, size, 1, &value);

	if (ret)
		fprintf(stderr, "hvg: write %#llx size %u failed: %s\n",
			(unsigned long long)addr, size, strerror(-ret));
	return ret;
}

static inline __u32 hvg_rd32(struct hvg *g, __u64 base, __u32 off)
{
	return hvg_rd(g, base + off, 4);
}

static inline int hvg_wr32(struct hvg *g, __u64 base, __u32 off,
			   __u32 value)
{
	return hvg_wr(g, base + off, 4, value);
}

/* Status register, for NEEDS_RESET checks. */
static inline __u32 hvg_status(struct hvg *g, __u64 base)
{
	return hvg_rd32(g, base, VIRTIO_MMIO_STATUS);
}

/*
 * Wait up to @ms until the status has one of the bits of @mask; returns
 * the last status read.
 */
static inline __u32 hvg_wait_status(struct hvg *g, __u64 base, __u32 mask,
				    int ms)
{
	__u64 end = hvg_ms() + ms;
	__u32 s;

	for (;;) {
		s = hvg_status(g, base);
		if ((s & mask) || hvg_ms() >= end)
			return s;
		hvg_sleep_ms(1);
	}
}

/*
 * Wait up to @ms until register @off reads 0, as a driver does after a
 * write the device may answer late (Status 0, QueueReady 0); returns the
 * last value read.
 */
static inline __u32 hvg_wait_reg_zero(struct hvg *g, __u64 base, __u64 off,
				      int ms)
{
	__u64 end = hvg_ms() + ms;
	__u32 v;

	while ((v = hvg_rd32(g, base, off)) && hvg_ms() < end)
		hvg_sleep_ms(1);
	return v;
}

static inline __u32 hvg_isr(struct hvg *g, __u64 base)
{
	return hvg_rd32(g, base, VIRTIO_MMIO_INTERRUPT_STATUS);
}

static inline int hvg_ack(struct hvg *g, __u64 base, __u32 bits)
{
	return hvg_wr32(g, base, VIRTIO_MMIO_INTERRUPT_ACK, bits);
}

/* ------------------------------------------------------------------ */
/* Interrupts                                                          */

/*
 * Wait up to @ms for an interrupt injected into the zone; returns the irq
 * number, or -1 on timeout. Bypasses the per-IRQ accounting below.
 */
static inline int hvg_wait_irq(struct hvg *g, int ms)
{
	struct pollfd pfd = { .fd = g->sim_fd, .events = POLLIN };
	struct hvsim_irq_event ev;

	if (poll(&pfd, 1, ms) != 1 || !(pfd.revents & POLLIN))
		return -1;
	if (read(g->sim_fd, &ev, sizeof(ev)) != sizeof(ev))
		return -1;
	return ev.irq;
}

/* Drop every pending interrupt event. */
static inline void hvg_drain_irqs(struct hvg *g)
{
	while (hvg_wait_irq(g, 0) >= 0)
		;
	memset(g->irqs, 0, sizeof(g->irqs));
	g->irq_other = 0;
}

/* Read the injections available within @ms into the per-IRQ counts. */
static inline int hvg_irq_pump(struct hvg *g, int ms)
{
	struct pollfd pfd = { .fd = g->sim_fd, .events = POLLIN };
	struct hvsim_irq_event ev[16];
	ssize_t n;
	int i;

	if (poll(&pfd, 1, ms) != 1 || !(pfd.revents & POLLIN))
		return 0;
	n = read(g->sim_fd, ev, sizeof(ev));
	if (n <= 0)
		return 0;
	for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
		if (ev[i].zone_id != g->zone || ev[i].irq >= HVG_MAX_IRQ)
			g->irq_other++;
		else
			g->irqs[ev[i].irq]++;
	}
	return i;
}

/* Wait up to @ms for one injection of @irq and take it; 0 or -1. */
static inline int hvg_irq_wait(struct hvg *g, __u32 irq, int ms)
{
	__u64 end = hvg_ms() + ms, now;

	for (;;) {
		if (g->irqs[irq]) {
			g->irqs[irq]--;
			return 0;
		}
		now = hvg_ms();
		if (now >= end)
			return -1;
		hvg_irq_pump(g, end - now);
	}
}

/* Injections of @irq seen within @ms, all taken. */
static inline unsigned int hvg_irq_count(struct hvg *g, __u32 irq, int ms)
{
	__u64 end = hvg_ms() + ms, now;
	unsigned int n;

	while ((now = hvg_ms()) < end)
		hvg_irq_pump(g, end - now);
	hvg_irq_pump(g, 0);
	n = g->irqs[irq];
	g->irqs[irq] = 0;
	return n;
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */

/* Write @features into DriverFeatures, both words. */
static inline void hvg_driver_features(struct hvg *g, __u64 base,
				       __u64 features)
{
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES, (__u32)features);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
}

/*
 * Negotiate @features (must be offered) on the device at @base up to
 * FEATURES_OK, from Status 0 (no reset of its own). Returns 0 or -1 if
 * the device refused.
 */
static inline int hvg_negotiate_from_reset(struct hvg *g, __u64 base,
					   __u64 features)
{
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, HVG_S_ACK);
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, HVG_S_DRV);
	hvg_driver_features(g, base, features);
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, HVG_S_FEAT);
	if (!(hvg_rd32(g, base, VIRTIO_MMIO_STATUS) &
	      VIRTIO_CONFIG_S_FEATURES_OK))
		return -1;
	return 0;
}

/* The same, starting with a reset. */
static inline int hvg_negotiate(struct hvg *g, __u64 base,
				__u64 features)
{
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, 0);
	return hvg_negotiate_from_reset(g, base, features);
}

/* Allocate a ring of @num entries in zone RAM (not yet given to the device). */
static inline void hvg_vq_alloc(struct hvg *g, struct hvg_vq *vq,
				__u16 index, __u16 num)
{
	memset(vq, 0, sizeof(*vq));
	vq->index = index;
	vq->num = num;
	vq->desc_gpa = hvg_alloc(g, 16ULL * num, 4096);
	vq->avail_gpa = hvg_alloc(g, 6 + 2ULL * num, 4096);
	vq->used_gpa = hvg_alloc(g, 6 + 8ULL * num, 4096);
	vq->desc = hvg_ptr(g, vq->desc_gpa);
	vq->avail = hvg_ptr(g, vq->avail_gpa);
	vq->used = hvg_ptr(g, vq->used_gpa);
}

/* Program the queue registers and set QueueReady. */
static inline void hvg_vq_enable(struct hvg *g, __u64 base,
				 struct hvg_vq *vq)
{
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_SEL, vq->index);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_NUM, vq->num);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_DESC_LOW, (__u32)vq->desc_gpa);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_DESC_HIGH, vq->desc_gpa >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (__u32)vq->avail_gpa);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, vq->avail_gpa >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_USED_LOW, (__u32)vq->used_gpa);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_USED_HIGH, vq->used_gpa >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_READY, 1);
}

/* QueueReady of queue @index (selects it). */
static inline __u32 hvg_queue_ready(struct hvg *g, __u64 base, __u32 index)
{
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_SEL, index);
	return hvg_rd32(g, base, VIRTIO_MMIO_QUEUE_READY);
}

static inline void hvg_driver_ok(struct hvg *g, __u64 base)
{
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS,
		 hvg_rd32(g, base, VIRTIO_MMIO_STATUS) |
		 VIRTIO_CONFIG_S_DRIVER_OK);
}

/*
 * Full driver initialisation: reset, negotiate @features, allocate and
 * enable @nr queues of @num entries (queue i is @vqs[i]), DRIVER_OK.
 * Returns 0, or -1 if any step was refused.
 */
static inline int hvg_virtio_init(struct hvg *g, __u64 base,
				  __u64 features, struct hvg_vq *vqs,
				  unsigned int nr, __u16 num)
{
	unsigned int i;

	if (hvg_negotiate(g, base, features))
		return -1;
	for (i = 0; i < nr; i++) {
		hvg_vq_alloc(g, &vqs[i], i, num);
		hvg_vq_enable(g, base, &vqs[i]);
		if (hvg_rd32(g, base, VIRTIO_MMIO_QUEUE_READY) != 1)
			return -1;
	}
	hvg_driver_ok(g, base);
	return hvg_status(g, base) == HVG_S_OK ? 0 : -1;
}

/* Fill in a descriptor (of a ring or of an indirect table). */
static inline void hvg_set_desc(struct vring_desc *d, __u64 addr, __u32 len,
				__u16 flags, __u16 next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Write descriptor @i. */
static inline void hvg_desc(struct hvg_vq *vq, __u16 i, __u64 addr,
			    __u32 len, __u16 flags, __u16 next)
{
	hvg_set_desc(&vq->desc[i], addr, len, flags, next);
}

/* Make chain @head available without notifying. */
static inline void hvg_vq_publish(struct hvg_vq *vq, __u16 head)
{
	vq->avail->ring[vq->avail_idx % vq->num] = head;
	__atomic_store_n(&vq->avail->idx, ++vq->avail_idx, __ATOMIC_RELEASE);
}

static inline int hvg_notify(struct hvg *g, __u64 base, __u16 index)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_NOTIFY, index);
}

/* Publish chain @head and notify queue @vq->index. */
static inline void hvg_vq_kick(struct hvg *g, __u64 base,
			       struct hvg_vq *vq, __u16 head)
{
	hvg_vq_publish(vq, head);
	hvg_notify(g, base, vq->index);
}

/*
 * Post a one-descriptor chain (descriptor index = its avail slot) for
 * the buffer [@gpa, +@len) with @flags, and notify. Returns the head.
 */
static inline __u16 hvg_vq_post(struct hvg *g, __u64 base, struct hvg_vq *vq,
				__u64 gpa, __u32 len, __u16 flags)
{
	__u16 head = vq->avail_idx % vq->num;

	hvg_desc(vq, head, gpa, len, flags, 0);
	hvg_vq_kick(g, base, vq, head);
	return head;
}

/* Send @len bytes of @data as one readable descriptor; returns the head. */
static inline __u16 hvg_vq_send(struct hvg *g, __u64 base, struct hvg_vq *vq,
				const void *data, size_t len)
{
	return hvg_vq_post(g, base, vq, hvg_put(g, data, len), len, 0);
}

/* used->idx as the device published it. */
static inline __u16 hvg_vq_used_idx(struct hvg_vq *vq)
{
	return __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
}

/* used_event (avail->ring[num]) and avail_event (used->ring[num]). */
static inline void hvg_vq_set_used_event(struct hvg_vq *vq, __u16 v)
{
	__atomic_store_n(&vq->avail->ring[vq->num], v, __ATOMIC_RELEASE);
}

static inline __u16 hvg_vq_avail_event(struct hvg_vq *vq)
{
	__u16 *p = (__u16 *)&vq->used->ring[vq->num];

	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * Wait up to @ms for the next used entry; returns its len (and head in
 * *id), or -1 on timeout.
 */
static inline long hvg_vq_wait_used(struct hvg_vq *vq, int ms, __u32 *id)
{
	__u64 end = hvg_ms() + ms;

	for (;;) {
		__u16 idx = hvg_vq_used_idx(vq);

		if (idx != vq->last_used) {
			struct vring_used_elem *e =
				&vq->used->ring[vq->last_used % vq->num];

			vq->last_used++;
			if (id)
				*id = e->id;
			return e->len;
		}
		if (hvg_ms() >= end)
			return -1;
		hvg_sleep_ms(1);
	}
}

/* ------------------------------------------------------------------ */
/* A console driver                                                    */

struct hvg_con {
	struct hvg_dev d;
	struct hvg_vq vq[2];	/* HVG_CONSOLE_RX, HVG_CONSOLE_TX */
	int tty;		/* -1 until the test opens it */
};

/* Reset and initialise console @c with @features and rings of @num. */
static inline int hvg_con_init(struct hvg *g, struct hvg_con *c,
			       __u64 features, __u16 num)
{
	return hvg_virtio_init(g, c->d.base, features, c->vq, 2, num);
}

/*
 * Transmit the string @s as one readable descriptor and wait up to @ms
 * for the device to use it. Returns the used length, or -1 if no used
 * entry (or one for another head) came.
 */
static inline long hvg_con_tx(struct hvg *g, struct hvg_con *c, const char *s,
			      int ms)
{
	struct hvg_vq *vq = &c->vq[HVG_CONSOLE_TX];
	__u16 head;
	__u32 id;
	long len;

	head = hvg_vq_send(g, c->d.base, vq, s, strlen(s));
	len = hvg_vq_wait_used(vq, ms, &id);
	if (len < 0 || id != head)
		return -1;
	return len;
}

/* ------------------------------------------------------------------ */
/* The console's tty                                                   */

/* Open /dev/ttyHV<index> raw. Returns the fd or -errno. */
static inline int hvg_tty_open(__u32 index)
{
	struct termios t;
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/dev/ttyHV%u", index);
	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (tcgetattr(fd, &t)) {
		close(fd);
		return -errno;
	}
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t)) {
		close(fd);
		return -errno;
	}
	return fd;
}

/*
 * Read from @fd until @len bytes arrived or @ms passed without them.
 * Returns the bytes read.
 */
static inline size_t hvg_tty_read(int fd, void *buf, size_t len, int ms)
{
	__u64 end = hvg_ms() + ms, now;
	size_t done = 0;

	while (done < len && (now = hvg_ms()) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, end - now) != 1)
			continue;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (n == 0)
			hvg_sleep_ms(1);	/* VMIN 0: nothing yet */
		if (n > 0)
			done += n;
	}
	return done;
}

/* ------------------------------------------------------------------ */
/* A virtio-blk driver (for blk_*.c tests)                             */

#include <linux/virtio_blk.h>

/* virtio-blk config space offsets (struct virtio_blk_config) */
#define HVG_BLK_CAPACITY		0x00
#define HVG_BLK_SIZE_MAX		0x08
#define HVG_BLK_SEG_MAX			0x0c
#define HVG_BLK_BLK_SIZE		0x14
#define HVG_BLK_NUM_QUEUES		0x22
#define HVG_BLK_MAX_DISCARD_SECTORS	0x24
#define HVG_BLK_MAX_DISCARD_SEG		0x28
#define HVG_BLK_DISCARD_ALIGN		0x2c
#define HVG_BLK_MAX_WZ_SECTORS		0x30
#define HVG_BLK_MAX_WZ_SEG		0x34

/* One buffer of a chain: [gpa, +len), device-writable if @write. */
struct hvg_buf {
	__u64 gpa;
	__u32 len;
	int write;
};

#define HVG_BLK_MAX_BUFS	16

struct hvg_blk {
	struct hvg_dev d;
	struct hvg_vq vq;	/* request queue 0 */
};

/*
 * Add a blk device at @addr backed by the open file @fd, with @flags
 * (HVV_BLK_F_RO) and @serial (NULL: derived). Returns 0 or -errno.
 */
static inline int hvg_add_blk(struct hvg *g, __u64 addr, __u32 irq, int fd,
			      __u32 flags, const char *serial,
			      struct hvg_blk *out)
{
	struct hvv_dev_config d = {
		.type = HVV_DEV_BLK,
		.addr = addr,
		.len = HVG_DEV_LEN,
		.irq = irq,
		.backend_fd = fd,
		.blk.flags = flags,
	};
	int ret;

	if (serial)
		memcpy(d.blk.serial, serial,
		       strnlen(serial, sizeof(d.blk.serial)));
	ret = hvg_add_dev_full(g, &d);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	memcpy(out->d.name, d.name, sizeof(out->d.name));
	out->d.index = d.index;
	out->d.base = addr;
	out->d.irq = irq;
	return 0;
}

/* A 32-bit read of config space at @off. */
static inline __u32 hvg_cfg32(struct hvg *g, __u64 base, __u32 off)
{
	return hvg_rd32(g, base, VIRTIO_MMIO_CONFIG + off);
}

/* The capacity in sectors (two 32-bit reads, generation checked). */
static inline __u64 hvg_blk_capacity(struct hvg *g, __u64 base)
{
	__u32 gen, lo, hi;

	do {
		gen = hvg_rd32(g, base, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = hvg_cfg32(g, base, HVG_BLK_CAPACITY);
		hi = hvg_cfg32(g, base, HVG_BLK_CAPACITY + 4);
	} while (gen != hvg_rd32(g, base, VIRTIO_MMIO_CONFIG_GENERATION));
	return (__u64)hi << 32 | lo;
}

/* The features the device offers (both words). */
static inline __u64 hvg_device_features(struct hvg *g, __u64 base)
{
	__u64 f;

	hvg_wr32(g, base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (__u64)hvg_rd32(g, base, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	hvg_wr32(g, base, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | hvg_rd32(g, base, VIRTIO_MMIO_DEVICE_FEATURES);
}

/* Reset and initialise @b with @features and one queue of @num entries. */
static inline int hvg_blk_init(struct hvg *g, struct hvg_blk *b,
			       __u64 features, __u16 num)
{
	return hvg_virtio_init(g, b->d.base, features, &b->vq, 1, num);
}

/* A request header in fresh zone RAM; returns its address. */
static inline __u64 hvg_blk_hdr(struct hvg *g, __u32 type, __u64 sector)
{
	struct virtio_blk_outhdr h = {
		.type = type,
		.ioprio = 0,
		.sector = sector,
	};

	return hvg_put(g, &h, sizeof(h));
}

/*
 * Post the chain @bufs[0..n) as descriptors 0..n-1 of queue @vq (the
 * previous request must have completed) and wait up to @ms for the
 * device to use it. Returns the used length, or -1 if no used entry (or
 * one for another head) came. Pending interrupts are taken and ACKed.
 */
static inline long hvg_chain(struct hvg *g, __u64 base, struct hvg_vq *vq,
			     const struct hvg_buf *bufs, unsigned int n, int ms)
{
	unsigned int i;
	__u32 id = ~0U;
	long len;

	for (i = 0; i < n; i++)
		hvg_desc(vq, i, bufs[i].gpa, bufs[i].len,
			 (bufs[i].write ? VRING_DESC_F_WRITE : 0) |
			 (i + 1 < n ? VRING_DESC_F_NEXT : 0), i + 1);
	hvg_vq_kick(g, base, vq, 0);
	len = hvg_vq_wait_used(vq, ms, &id);
	hvg_drain_irqs(g);
	hvg_ack(g, base, hvg_isr(g, base));
	if (len < 0 || id != 0)
		return -1;
	return len;
}

/* The byte at @gpa. */
static inline __u8 hvg_byte(struct hvg *g, __u64 gpa)
{
	return __atomic_load_n((__u8 *)hvg_ptr(g, gpa), __ATOMIC_ACQUIRE);
}

/*
 * A well-formed request: header, @len bytes of data at @data (readable
 * for OUT and the commands that send data, writable for IN and GET_ID;
 * none if @len is 0), a status byte. Returns the status, or -1 if the
 * request was not completed within HVG_WAIT_MS.
 */
static inline int hvg_blk_req(struct hvg *g, struct hvg_blk *b, __u32 type,
			      __u64 sector, __u64 data, __u32 len)
{
	struct hvg_buf bufs[3];
	unsigned int n = 0;
	__u64 st = hvg_alloc(g, 1, 1);

	*(__u8 *)hvg_ptr(g, st) = 0xee;
	bufs[n++] = (struct hvg_buf){ hvg_blk_hdr(g, type, sector), 16, 0 };
	if (len)
		bufs[n++] = (struct hvg_buf){ data, len,
			type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID };
	bufs[n++] = (struct hvg_buf){ st, 1, 1 };
	if (hvg_chain(g, b->d.base, &b->vq, bufs, n, HVG_WAIT_MS) < 0)
		return -1;
	return hvg_byte(g, st);
}

#endif /* _HV_GUEST_H */
