/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hvisor_sim: the simulated hypervisor used to test hvisor_vhost.
 * ioctls on /dev/hvisor_sim. Test-only interface; not a stable ABI.
 *
 * A simulated zone has an id, a set of simulated physical CPUs (the
 * src_cpu values its traps carry), RAM regions and virtio MMIO regions.
 * Accesses inside a virtio region trap exactly as on hvisor: need_interrupt
 * is 1 only for offset 0x50 from the start of the *region*.
 */
#ifndef _UAPI_LINUX_HVISOR_SIM_H
#define _UAPI_LINUX_HVISOR_SIM_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define HVSIM_MAX_REGIONS	16	/* RAM regions per zone */
#define HVSIM_MAX_MMIO		16	/* virtio trap regions per zone */
#define HVSIM_MAX_ZONE_ID	31	/* zone ids are 1..31; 0 is the root */
#define HVSIM_MAX_CPUS		32	/* simulated physical CPUs 0..31 */

/**
 * struct hvsim_region - a zone RAM region
 * @gpa: guest-physical address (in)
 * @size: bytes, page aligned (in)
 * @hpa: root-physical address of the backing memory (out)
 */
struct hvsim_region {
	__u64 gpa;
	__u64 size;
	__u64 hpa;
};

/**
 * struct hvsim_range - a virtio trap region as reported by HVSIM_ZONE_INFO
 * @base: region physical_start (guest-physical)
 * @size: bytes
 */
struct hvsim_range {
	__u64 base;
	__u64 size;
};

/* hvsim_zone.flags */
/* RAM = root System RAM, gpa == hpa; the regions are filled in (out) */
#define HVSIM_ZONE_F_IDENTITY	(1U << 0)
/* destroyed when the creating fd is closed; that fd is bound to the zone */
#define HVSIM_ZONE_F_FD_OWNED	(1U << 1)

/**
 * struct hvsim_zone - HVSIM_ZONE_CREATE (in/out), HVSIM_ZONE_INFO (out)
 * @zone_id: 1..31
 * @flags: HVSIM_ZONE_F_*
 * @first_cpu: first simulated physical CPU of the zone (0..31); the zone's
 *	first CPU receives its interrupts, as on hvisor
 * @nr_cpus: number of simulated CPUs (1..32 - first_cpu). 0 on
 *	HVSIM_ZONE_CREATE: one CPU, the lowest free one from 1 up (first_cpu
 *	is then ignored and written back). The CPUs of two zones never overlap.
 * @nr_regions: RAM regions (without IDENTITY: 1..HVSIM_MAX_REGIONS, the
 *	simulator allocates zeroed, physically contiguous backing memory of
 *	at most HVSIM_MAX_REGION_SIZE per region; with IDENTITY: out)
 * @pad: zero
 * @regions: RAM regions
 * @nr_mmio: out: virtio trap regions (ignored on create, must be 0)
 * @pad2: zero
 * @mmio: out: virtio trap regions
 */
struct hvsim_zone {
	__u32 zone_id;
	__u32 flags;
	__u32 first_cpu;
	__u32 nr_cpus;
	__u32 nr_regions;
	__u32 pad;
	struct hvsim_region regions[HVSIM_MAX_REGIONS];
	__u32 nr_mmio;
	__u32 pad2;
	struct hvsim_range mmio[HVSIM_MAX_MMIO];
};

/* Largest raw-zone RAM region: one physically contiguous allocation. */
#define HVSIM_MAX_REGION_SIZE	(4U << 20)

/**
 * struct hvsim_mmio_region - HVSIM_ZONE_ADD_MMIO: a virtio trap region
 * @zone_id: zone
 * @pad: zero
 * @base: region physical_start (guest-physical)
 * @size: region size
 */
struct hvsim_mmio_region {
	__u32 zone_id;
	__u32 pad;
	__u64 base;
	__u64 size;
};

/**
 * struct hvsim_mmio - HVSIM_MMIO: one trapped access by a simulated vCPU
 * @zone_id: zone of the vCPU
 * @cpu: simulated physical CPU (must belong to the zone)
 * @addr: guest-physical address (inside one of the zone's virtio regions)
 * @size: 1..8 (1, 2, 4 and 8 are what hvisor produces; the others are
 *	passed through as they are, for robustness tests). 0 or > 8: -EINVAL
 * @is_write: 1 = write
 * @pad: zero
 * @value: in: value to write; out: value read (as the hypervisor would
 *	place it in the guest register: verbatim from cfg_values). An
 *	asynchronous access (region offset 0x50) returns at once and reads 0.
 * @timeout_ms: give up waiting for a synchronous completion after this
 *	(0 = the simulator's default, module parameter stall_timeout_ms);
 *	-ETIMEDOUT then. Only a timeout with the default logs the loud
 *	"hvisor_sim: STALL:" line (a test failure for the runner) and counts
 *	in hvsim_stats.stalls; an explicit timeout counts in .timeouts and
 *	logs quietly. The request stays in the ring: until the backend
 *	completes it, further synchronous accesses on that CPU get -EBUSY
 *	(a vCPU never has two synchronous requests outstanding).
 */
struct hvsim_mmio {
	__u32 zone_id;
	__u32 cpu;
	__u64 addr;
	__u32 size;
	__u32 is_write;
	__u64 value;
	__u32 timeout_ms;
	__u32 pad;
};

/**
 * struct hvsim_guest - HVSIM_GUEST_ADD / HVSIM_GUEST_DEL: in-kernel guest
 * @zone_id: an IDENTITY zone
 * @irq: interrupt the backend injects for this device
 * @addr: window base; a virtio region [addr, addr + len) is added to the
 *	zone if none covers it, so the device sits at its region's start
 * @len: window length (0 = 0x200)
 *
 * ADD fails with -ENODEV if MagicValue/Version/DeviceID read through the
 * trap path do not show a virtio-mmio v2 device (nobody serves it), and
 * with -EINVAL if @addr lies inside an existing region but not at its
 * start (QueueNotify would then be synchronous, see the ABI file 2.4).
 */
struct hvsim_guest {
	__u32 zone_id;
	__u32 irq;
	__u64 addr;
	__u64 len;
};

/**
 * struct hvsim_irq_event - what read() on a zone-bound fd returns
 * @zone_id: zone
 * @irq: injected interrupt
 */
struct hvsim_irq_event {
	__u32 zone_id;
	__u32 irq;
};

/**
 * struct hvsim_stats - HVSIM_STATS
 * @requests: device_req entries pushed
 * @wakeups: wake-up IRQs raised
 * @finish_req: HVISOR_HC_FINISH_REQ hypercalls
 * @injections: interrupts delivered
 * @dropped_results: results for zones that no longer exist
 * @pending_irq_overflow: times hvisor's assert (>= 7 distinct pending IRQs
 *	per CPU) would have fired, i.e. a real hypervisor panic
 * @stalls: synchronous accesses that timed out
 * @bridge_registered: 1 once HVISOR_HC_INIT_VIRTIO was called
 * @bridge_owner: HVSIM_OWNER_*: who registered the current bridge
 * @lost_wakeups: wake-ups dropped on purpose (lose_wakeup_every)
 * @timeouts: synchronous accesses that gave up after an explicit timeout
 * @deferred_notifies: atomic-context notifies deferred to a work item
 *	because the request ring stayed full
 * @ring_full_waits: pushes that found the request ring full
 * @unknown_hypercalls: hypercalls with an unknown code (hvisor returns 0)
 * @events_dropped: interrupt events lost because a reader's queue was full
 * @hypervisor_panics: other conditions that would panic or hang hvisor
 *	(bad INIT_VIRTIO address, FINISH_REQ without bridge, res_rear garbage)
 */
struct hvsim_stats {
	__u64 requests;
	__u64 wakeups;
	__u64 finish_req;
	__u64 injections;
	__u64 dropped_results;
	__u64 pending_irq_overflow;
	__u64 stalls;
	__u32 bridge_registered;
	__u32 bridge_owner;
	__u64 lost_wakeups;
	__u64 timeouts;
	__u64 deferred_notifies;
	__u64 ring_full_waits;
	__u64 unknown_hypercalls;
	__u64 events_dropped;
	__u64 hypervisor_panics;
};

#define HVSIM_OWNER_NONE	0
#define HVSIM_OWNER_PROVIDER	1	/* hvisor_vhost, via the provider */
#define HVSIM_OWNER_COMPAT	2	/* /dev/hvisor HVISOR_INIT_VIRTIO */

#define HVSIM_IOC_MAGIC		0xBE	/* free; the test bed's only */

/* Create a zone; with FD_OWNED the fd is bound to it (mmap, read). */
#define HVSIM_ZONE_CREATE	_IOWR(HVSIM_IOC_MAGIC, 0x00, struct hvsim_zone)
/* Destroy a zone (argument: zone id by value). */
#define HVSIM_ZONE_DESTROY	_IO(HVSIM_IOC_MAGIC, 0x01)
/* Read a zone back (zone_id in). */
#define HVSIM_ZONE_INFO		_IOWR(HVSIM_IOC_MAGIC, 0x02, struct hvsim_zone)
#define HVSIM_ZONE_ADD_MMIO	_IOW(HVSIM_IOC_MAGIC, 0x03, struct hvsim_mmio_region)
/* Bind this fd to an existing zone (argument: zone id by value). */
#define HVSIM_ZONE_BIND		_IO(HVSIM_IOC_MAGIC, 0x04)
#define HVSIM_MMIO		_IOWR(HVSIM_IOC_MAGIC, 0x10, struct hvsim_mmio)
#define HVSIM_GUEST_ADD		_IOW(HVSIM_IOC_MAGIC, 0x20, struct hvsim_guest)
#define HVSIM_GUEST_DEL		_IOW(HVSIM_IOC_MAGIC, 0x21, struct hvsim_guest)
#define HVSIM_STATS		_IOR(HVSIM_IOC_MAGIC, 0x30, struct hvsim_stats)

/*
 * Errors: unknown zone -ENOENT; zone id, CPU, size or flag out of range, or
 * non-zero padding -EINVAL; zone id taken -EEXIST; CPUs or regions that
 * overlap -EBUSY; an address outside every virtio region of the zone
 * -EFAULT; no bridge registered yet -ENXIO (hvisor would panic); unbound fd
 * where one is needed -EBADFD; every ioctl needs CAP_SYS_ADMIN (at open).
 *
 * mmap() on a bound fd: the file offset is a guest-physical address; the
 * mapping must lie inside one RAM region of the zone (not IDENTITY zones).
 * read() on a bound fd returns struct hvsim_irq_event records of interrupts
 * injected into the zone (blocking unless O_NONBLOCK; poll() works).
 */

#endif /* _UAPI_LINUX_HVISOR_SIM_H */
