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

#define HVSIM_MAX_REGIONS	16

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

/* hvsim_zone.flags */
#define HVSIM_ZONE_F_IDENTITY	(1U << 0) /* RAM = root System RAM, gpa == hpa;
					   * regions are filled in (out) */
#define HVSIM_ZONE_F_FD_OWNED	(1U << 1) /* destroyed when the fd is closed */

/**
 * struct hvsim_zone - HVSIM_ZONE_CREATE (in/out), HVSIM_ZONE_INFO (out)
 * @zone_id: 1..31
 * @flags: HVSIM_ZONE_F_*
 * @first_cpu: first simulated physical CPU of the zone (0..31); the zone's
 *	first CPU receives its interrupts, as on hvisor
 * @nr_cpus: number of simulated CPUs (1..32 - first_cpu)
 * @nr_regions: RAM regions (without IDENTITY: 1..HVSIM_MAX_REGIONS, the
 *	simulator allocates zeroed backing pages; with IDENTITY: out)
 * @pad: zero
 * @regions: RAM regions
 */
struct hvsim_zone {
	__u32 zone_id;
	__u32 flags;
	__u32 first_cpu;
	__u32 nr_cpus;
	__u32 nr_regions;
	__u32 pad;
	struct hvsim_region regions[HVSIM_MAX_REGIONS];
};

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
 * @size: 1, 2, 4 or 8 (other values are passed through as hvisor would)
 * @is_write: 1 = write
 * @pad: zero
 * @value: in: value to write; out: value read (as the hypervisor would
 *	place it in the guest register: verbatim from cfg_values)
 * @timeout_ms: give up waiting for a synchronous completion after this
 *	(0 = the simulator's default); -ETIMEDOUT then
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
 * @pad: zero
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
	__u32 pad;
};

#define HVSIM_IOC_MAGIC		0xB8

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
 * mmap() on a bound fd: the file offset is a guest-physical address; the
 * mapping must lie inside one RAM region of the zone (not IDENTITY zones).
 * read() on a bound fd returns struct hvsim_irq_event records of interrupts
 * injected into the zone (blocking unless O_NONBLOCK; poll() works).
 */

#endif /* _UAPI_LINUX_HVISOR_SIM_H */
