/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw guest for tests: a zone owned by this process through hvisor_sim
 * (its RAM mmapped here, its vCPU accesses issued by ioctl), served by
 * hvisor_vhost, plus a minimal split-ring virtio driver that tests can
 * also use to break every rule on purpose.
 */
#ifndef _HV_GUEST_H
#define _HV_GUEST_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/hvisor_sim.h>
#include <linux/hvisor_vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#define HVG_RAM_GPA	0x40000000ULL
#define HVG_RAM_SIZE	(4ULL << 20)
#define HVG_MMIO_BASE	0x0a000000ULL
#define HVG_MMIO_SIZE	0x4000ULL
#define HVG_DEV_LEN	0x200ULL
#define HVG_FIRST_CPU	2
#define HVG_NR_CPUS	2

struct hvg {
	int sim_fd;
	int ctl_fd;
	uint32_t zone;
	uint32_t cpu;
	void *ram;
	uint64_t ram_hpa;
	uint64_t alloc;		/* bump allocator in zone RAM (gpa) */
};

struct hvg_vq {
	uint16_t index;
	uint16_t num;
	uint64_t desc_gpa;
	uint64_t avail_gpa;
	uint64_t used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;
	uint16_t last_used;
};

static inline void *hvg_ptr(struct hvg *g, uint64_t gpa)
{
	return (char *)g->ram + (gpa - HVG_RAM_GPA);
}

/* Allocate zeroed zone RAM; returns its guest-physical address. */
static inline uint64_t hvg_alloc(struct hvg *g, uint64_t size, uint64_t align)
{
	uint64_t gpa = (g->alloc + align - 1) & ~(align - 1);

	if (gpa + size > HVG_RAM_GPA + HVG_RAM_SIZE) {
		fprintf(stderr, "hvg: zone RAM exhausted\n");
		abort();
	}
	g->alloc = gpa + size;
	memset(hvg_ptr(g, gpa), 0, size);
	return gpa;
}

/*
 * Create zone @zone in the simulator with one RAM region and one virtio
 * region, and register it with hvisor_vhost. Returns 0 or -errno.
 */
static inline int hvg_setup(struct hvg *g, uint32_t zone)
{
	struct hvsim_zone sz = {
		.zone_id = zone,
		.flags = HVSIM_ZONE_F_FD_OWNED,
		.first_cpu = HVG_FIRST_CPU,
		.nr_cpus = HVG_NR_CPUS,
		.nr_regions = 1,
		.regions = { { .gpa = HVG_RAM_GPA, .size = HVG_RAM_SIZE } },
	};
	struct hvsim_mmio_region mr = {
		.zone_id = zone,
		.base = HVG_MMIO_BASE,
		.size = HVG_MMIO_SIZE,
	};
	struct hvv_zone *vz;
	int ret;

	memset(g, 0, sizeof(*g));
	g->zone = zone;
	g->cpu = HVG_FIRST_CPU;
	g->alloc = HVG_RAM_GPA;
	g->sim_fd = open("/dev/hvisor_sim", O_RDWR | O_CLOEXEC);
	if (g->sim_fd < 0)
		return -errno;
	g->ctl_fd = open("/dev/hvisor_vhost", O_RDWR | O_CLOEXEC);
	if (g->ctl_fd < 0)
		return -errno;
	if (ioctl(g->sim_fd, HVSIM_ZONE_CREATE, &sz) ||
	    ioctl(g->sim_fd, HVSIM_ZONE_ADD_MMIO, &mr))
		return -errno;
	g->ram_hpa = sz.regions[0].hpa;
	g->ram = mmap(NULL, HVG_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      g->sim_fd, HVG_RAM_GPA);
	if (g->ram == MAP_FAILED)
		return -errno;
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
	return ret;
}

/* Remove every device of the zone named in @names, then the zone. */
static inline void hvg_teardown(struct hvg *g)
{
	struct hvv_zone_id zid = { .zone_id = g->zone };

	ioctl(g->ctl_fd, HVV_ZONE_DEL, &zid);
	close(g->ctl_fd);
	close(g->sim_fd);
}

static inline int hvg_del_dev(struct hvg *g, const char *name)
{
	struct hvv_dev_name dn = { { 0 } };

	snprintf(dn.name, sizeof(dn.name), "%s", name);
	return ioctl(g->ctl_fd, HVV_DEV_DEL, &dn) ? -errno : 0;
}

/* Add a device of @type at @addr; its name goes to @name (32 bytes). */
static inline int hvg_add_dev(struct hvg *g, uint32_t type, uint64_t addr,
			      uint32_t irq, int fd, char *name)
{
	struct hvv_dev d = {
		.type = type,
		.zone_id = g->zone,
		.addr = addr,
		.len = HVG_DEV_LEN,
		.irq = irq,
		.backend_fd = fd,
	};

	if (ioctl(g->ctl_fd, HVV_DEV_ADD, &d))
		return -errno;
	if (name)
		memcpy(name, d.name, sizeof(d.name));
	return 0;
}

/* One trapped access; returns 0 or -errno, the value read in *val. */
static inline int hvg_access(struct hvg *g, uint64_t addr, uint32_t size,
			     int write, uint64_t *val)
{
	struct hvsim_mmio m = {
		.zone_id = g->zone,
		.cpu = g->cpu,
		.addr = addr,
		.size = size,
		.is_write = write,
		.value = *val,
	};

	if (ioctl(g->sim_fd, HVSIM_MMIO, &m))
		return -errno;
	*val = m.value;
	return 0;
}

static inline uint64_t hvg_rd(struct hvg *g, uint64_t addr, uint32_t size)
{
	uint64_t v = 0;

	if (hvg_access(g, addr, size, 0, &v)) {
		fprintf(stderr, "hvg: read %#llx failed: %s\n",
			(unsigned long long)addr, strerror(errno));
		return ~0ULL;
	}
	return v;
}

static inline int hvg_wr(struct hvg *g, uint64_t addr, uint32_t size,
			 uint64_t value)
{
	return hvg_access(g, addr, size, 1, &value);
}

static inline uint32_t hvg_rd32(struct hvg *g, uint64_t base, uint32_t off)
{
	return hvg_rd(g, base + off, 4);
}

static inline int hvg_wr32(struct hvg *g, uint64_t base, uint32_t off,
			   uint32_t value)
{
	return hvg_wr(g, base + off, 4, value);
}

/*
 * Wait up to @ms for an interrupt injected into the zone; returns the irq
 * number, or -1 on timeout.
 */
static inline int hvg_wait_irq(struct hvg *g, int ms)
{
	struct pollfd pfd = { .fd = g->sim_fd, .events = POLLIN };
	struct hvsim_irq_event ev;

	if (poll(&pfd, 1, ms) != 1)
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
}

/*
 * Negotiate @features (must be offered) on the device at @base up to
 * FEATURES_OK. Returns 0 or -1 if the device refused.
 */
static inline int hvg_negotiate(struct hvg *g, uint64_t base,
				uint64_t features)
{
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, 0);
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		 VIRTIO_CONFIG_S_DRIVER);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	hvg_wr32(g, base, VIRTIO_MMIO_DRIVER_FEATURES, features >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE |
		 VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(hvg_rd32(g, base, VIRTIO_MMIO_STATUS) &
	      VIRTIO_CONFIG_S_FEATURES_OK))
		return -1;
	return 0;
}

/* Allocate a ring of @num entries in zone RAM (not yet given to the device). */
static inline void hvg_vq_alloc(struct hvg *g, struct hvg_vq *vq,
				uint16_t index, uint16_t num)
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
static inline void hvg_vq_enable(struct hvg *g, uint64_t base,
				 struct hvg_vq *vq)
{
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_SEL, vq->index);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_NUM, vq->num);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)vq->desc_gpa);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_DESC_HIGH, vq->desc_gpa >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)vq->avail_gpa);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, vq->avail_gpa >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)vq->used_gpa);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_USED_HIGH, vq->used_gpa >> 32);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_READY, 1);
}

static inline void hvg_driver_ok(struct hvg *g, uint64_t base)
{
	hvg_wr32(g, base, VIRTIO_MMIO_STATUS,
		 hvg_rd32(g, base, VIRTIO_MMIO_STATUS) |
		 VIRTIO_CONFIG_S_DRIVER_OK);
}

/* Write descriptor @i. */
static inline void hvg_desc(struct hvg_vq *vq, uint16_t i, uint64_t addr,
			    uint32_t len, uint16_t flags, uint16_t next)
{
	vq->desc[i].addr = addr;
	vq->desc[i].len = len;
	vq->desc[i].flags = flags;
	vq->desc[i].next = next;
}

/* Publish chain @head and notify queue @vq->index. */
static inline void hvg_vq_kick(struct hvg *g, uint64_t base,
			       struct hvg_vq *vq, uint16_t head)
{
	vq->avail->ring[vq->avail_idx % vq->num] = head;
	__atomic_store_n(&vq->avail->idx, ++vq->avail_idx, __ATOMIC_RELEASE);
	hvg_wr32(g, base, VIRTIO_MMIO_QUEUE_NOTIFY, vq->index);
}

/*
 * Wait up to @ms for the next used entry; returns its len (and head in
 * *id), or -1 on timeout.
 */
static inline long hvg_vq_wait_used(struct hvg_vq *vq, int ms, uint32_t *id)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < ms; i++) {
		uint16_t idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);

		if (idx != vq->last_used) {
			struct vring_used_elem *e =
				&vq->used->ring[vq->last_used % vq->num];

			vq->last_used++;
			if (id)
				*id = e->id;
			return e->len;
		}
		nanosleep(&ts, NULL);
	}
	return -1;
}

/* Status register, for NEEDS_RESET checks. */
static inline uint32_t hvg_status(struct hvg *g, uint64_t base)
{
	return hvg_rd32(g, base, VIRTIO_MMIO_STATUS);
}

#endif /* _HV_GUEST_H */
