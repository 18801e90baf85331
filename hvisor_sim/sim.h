/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisor_sim private interfaces.
 *
 * Lock order (outer to inner):
 *   hvsim.ctl_mutex > hvsim.cpu_mutex[] > zone->lock
 *   hvsim.req_lock > hvsim.res_lock > hvsim.irq_lock > hvsim.zone_lock
 *   zone->lock > hvsim_listener.lock
 * The spinlocks are all taken with interrupts disabled: the provider's
 * hypercall may be issued from any context.
 */
#ifndef _HVISOR_SIM_H
#define _HVISOR_SIM_H

#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/kfifo.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/version.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/hvisor_sim.h>

#include "hvisor_abi.h"

/*
 * Kernel API differences: the module is built for 6.1 up to 6.12.
 * find_vqs() takes struct virtqueue_info since 6.11; eventfd_signal()
 * lost its count argument in 6.8.
 */
#define HVSIM_HAVE_VQS_INFO	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0))
#define HVSIM_EVENTFD_NO_COUNT	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0))

#define HVSIM_NAME		"hvisor_sim"
#define HVSIM_EVENT_QUEUE	256	/* hvsim_irq_event records per reader */

struct hvsim_szone;

/**
 * struct hvsim_ram - one RAM region of a zone; immutable after creation
 * @gpa: guest-physical start
 * @size: bytes
 * @hpa: root-physical start
 * @virt: backing memory of a raw zone (alloc_pages_exact), NULL for identity
 */
struct hvsim_ram {
	u64 gpa;
	u64 size;
	phys_addr_t hpa;
	void *virt;
};

/**
 * struct hvsim_window - a virtio trap region of a zone
 * @base: region physical_start; need_interrupt is relative to it
 * @size: bytes
 * @guest: added by HVSIM_GUEST_ADD, removed with its guest
 */
struct hvsim_window {
	u64 base;
	u64 size;
	bool guest;
};

/**
 * struct hvsim_listener - interrupt events for one bound file
 * @node: in hvsim_zone.listeners, under zone->lock
 * @lock: protects @fifo
 * @fifo: injected interrupts not read yet
 * @wait: read() and poll() sleep here
 */
struct hvsim_listener {
	struct list_head node;
	spinlock_t lock;	/* protects fifo */
	DECLARE_KFIFO(fifo, struct hvsim_irq_event, HVSIM_EVENT_QUEUE);
	wait_queue_head_t wait;
};

/**
 * struct hvsim_szone - a simulated non-root zone (uapi: struct hvsim_zone)
 * @ref: the zone table, bound files, guests and waiters hold references;
 *	the RAM is freed with the last one (mappings hold their file)
 * @id: zone id, immutable
 * @flags: HVSIM_ZONE_F_*, immutable
 * @first_cpu: first simulated physical CPU, immutable
 * @nr_cpus: number of CPUs, immutable
 * @nr_ram: entries of @ram, immutable
 * @ram: RAM regions, immutable
 * @lock: protects @nr_mmio, @mmio, @listeners, @guests and @dead
 * @nr_mmio: entries of @mmio (under @lock)
 * @mmio: virtio trap regions (under @lock; additions and removals also
 *	under hvsim.ctl_mutex)
 * @listeners: struct hvsim_listener of bound files (under @lock)
 * @guests: in-kernel guests, struct hvsim_guest_dev (under @lock;
 *	additions and removals also under hvsim.ctl_mutex)
 * @dead: destroyed; waiters give up, reads see end of file (under @lock,
 *	read locklessly with READ_ONCE by waiters)
 * @cpu_rr: rotor to spread guest accesses over the zone's CPUs
 */
struct hvsim_szone {
	struct kref ref;
	u32 id;
	u32 flags;
	u32 first_cpu;
	u32 nr_cpus;
	u32 nr_ram;
	struct hvsim_ram ram[HVSIM_MAX_REGIONS];
	spinlock_t lock;	/* mmio, listeners, guests, dead */
	u32 nr_mmio;
	struct hvsim_window mmio[HVSIM_MAX_MMIO];
	struct list_head listeners;
	struct list_head guests;
	bool dead;
	atomic_t cpu_rr;
};

/**
 * struct hvsim_pending - hvisor's per-CPU VIRTIO_IRQS list
 * @len: distinct IRQs pending
 * @irq: the IRQs, in arrival order
 */
struct hvsim_pending {
	u32 len;
	u32 irq[HVISOR_MAX_DEVS];
};

/**
 * struct hvsim_stat_counters - internal form of struct hvsim_stats
 */
struct hvsim_stat_counters {
	atomic64_t requests;
	atomic64_t wakeups;
	atomic64_t finish_req;
	atomic64_t injections;
	atomic64_t dropped_results;
	atomic64_t pending_irq_overflow;
	atomic64_t stalls;
	atomic64_t lost_wakeups;
	atomic64_t timeouts;
	atomic64_t deferred_notifies;
	atomic64_t ring_full_waits;
	atomic64_t unknown_hypercalls;
	atomic64_t events_dropped;
	atomic64_t hypervisor_panics;
};

/**
 * struct hvsim - the simulator; one instance
 * @req_lock: hvisor's req_lock: serialises request producers
 * @res_lock: hvisor's res_lock: serialises FINISH_REQ
 * @bridge: the registered bridge page; written under @req_lock and
 *	@res_lock, read under either or with READ_ONCE by waiters. Pages are
 *	never freed while the simulator may read them (the provider keeps
 *	its page, compat pages live until module exit)
 * @bridge_owner: HVSIM_OWNER_* (under @req_lock, READ_ONCE elsewhere)
 * @irq_lock: protects @pending (hvisor's VIRTIO_IRQS lock)
 * @pending: per target CPU, IRQs to inject (under @irq_lock)
 * @deliver_work: injects @pending: the target CPUs' check_events()
 * @zone_lock: protects @zones and @cpu_zone for atomic-context lookups
 * @zones: zone table by id (under @zone_lock; changes also under
 *	@ctl_mutex)
 * @cpu_zone: owner of each simulated CPU (under @zone_lock)
 * @ctl_mutex: serialises configuration changes (zones, windows, guests)
 * @cpu_mutex: one per simulated CPU: a vCPU has at most one synchronous
 *	request outstanding
 * @stale: CPU whose last synchronous request was abandoned (timeout,
 *	signal, zone death) and not completed yet (under @cpu_mutex[cpu])
 * @stale_flag: cfg_flags[cpu] sampled for that request (same)
 * @wq: delivery, guest interrupt and deferred notify work
 * @domain: irq_domain of the wake-up line
 * @fwnode: its fwnode
 * @wakeup_irq: Linux IRQ number of the wake-up line
 * @wakeup_work: raises @wakeup_irq on this CPU (single-CPU fallback)
 * @wakeup_csd: raises @wakeup_irq on another CPU, from its IPI handler
 * @wakeup_inflight: @wakeup_csd is queued (atomic; raises merge meanwhile)
 * @wakeup_seq: wake-ups asked for, for lose_wakeup_every
 * @provider_registered: hvisor_vhost accepted our provider
 * @parent: parent device of the in-kernel guests' virtio devices
 * @stats: counters
 */
struct hvsim {
	spinlock_t req_lock;	/* request producers, bridge */
	spinlock_t res_lock;	/* FINISH_REQ, bridge */
	struct hvisor_bridge *bridge;
	u32 bridge_owner;

	spinlock_t irq_lock;	/* pending */
	struct hvsim_pending pending[HVISOR_MAX_CPUS];
	struct work_struct deliver_work;

	spinlock_t zone_lock;	/* zones, cpu_zone */
	struct hvsim_szone *zones[HVSIM_MAX_ZONE_ID + 1];
	struct hvsim_szone *cpu_zone[HVISOR_MAX_CPUS];

	struct mutex ctl_mutex;	/* configuration changes */
	struct mutex cpu_mutex[HVISOR_MAX_CPUS];	/* one sync request per CPU */
	bool stale[HVISOR_MAX_CPUS];
	u64 stale_flag[HVISOR_MAX_CPUS];

	struct workqueue_struct *wq;
	struct irq_domain *domain;
	struct fwnode_handle *fwnode;
	unsigned int wakeup_irq;
	struct irq_work wakeup_work;
	call_single_data_t wakeup_csd;
	atomic_t wakeup_inflight;
	atomic_t wakeup_seq;
	bool provider_registered;
	struct device *parent;

	struct hvsim_stat_counters stats;
};

extern struct hvsim hvsim;

/* module parameters (sim_main.c) */
extern unsigned int hvsim_stall_timeout_ms;
extern bool hvsim_defer_notifies;
extern unsigned int hvsim_lose_wakeup_every;

#define hvsim_count(name)	atomic64_inc(&hvsim.stats.name)

/* sim_main.c */
void hvsim_get_stats(struct hvsim_stats *st);

/* sim_bridge.c: the hypervisor side of the bridge */
int hvsim_bridge_init(void);
void hvsim_bridge_exit(void);
long hvsim_hypercall(u64 code, u64 arg0, u64 arg1);
void hvsim_drop_pending(const struct hvsim_szone *z);

/**
 * struct hvsim_access - one trapped MMIO access of a simulated vCPU
 * @cpu: simulated physical CPU (src_cpu)
 * @size: access width
 * @is_write: write access
 * @addr: absolute guest-physical address
 * @value: in: value written; out: value read
 * @timeout_ms: synchronous wait limit, 0 = stall_timeout_ms (loud)
 * @killable: a fatal signal abandons the wait (raw guests); in-kernel
 *	guests wait as a vCPU does, until completion or timeout
 */
struct hvsim_access {
	u32 cpu;
	u32 size;
	bool is_write;
	bool killable;
	u64 addr;
	u64 value;
	unsigned int timeout_ms;
};

int hvsim_trap_sync(struct hvsim_szone *z, struct hvsim_access *a);
int hvsim_trap_atomic(struct hvsim_szone *z, struct hvsim_access *a);
int hvsim_trap_async(struct hvsim_szone *z, struct hvsim_access *a);
int hvsim_cpu_get(struct hvsim_szone *z, int cpu);
void hvsim_cpu_put(int cpu);

/* sim_zone.c */
int hvsim_zone_create(struct hvsim_szone **out, const struct hvsim_zone *cfg);
int hvsim_zone_destroy(u32 id);
void hvsim_zone_destroy_all(void);
void hvsim_zone_kill(struct hvsim_szone *z);
struct hvsim_szone *hvsim_zone_get(u32 id);
struct hvsim_szone *hvsim_zone_get_by_cpu(u32 cpu);
void hvsim_zone_put(struct hvsim_szone *z);
bool hvsim_zone_exists(u32 id, u32 *first_cpu);
void hvsim_zone_info(struct hvsim_szone *z, struct hvsim_zone *out);
int hvsim_zone_add_window(struct hvsim_szone *z, u64 base, u64 size,
			  bool guest);
void hvsim_zone_del_window(struct hvsim_szone *z, u64 base);
int hvsim_zone_find_window(struct hvsim_szone *z, u64 addr,
			   struct hvsim_window *out);
const struct hvsim_ram *hvsim_zone_find_ram(struct hvsim_szone *z, u64 gpa,
					    u64 len);
struct hvsim_szone *hvsim_zone_get_by_hpa(phys_addr_t hpa, u64 len);
void hvsim_zone_inject(struct hvsim_szone *z, u32 irq);
int hvsim_zone_side_cpu(void);
int hvsim_hyp_side_cpu(void);
void hvsim_listener_init(struct hvsim_listener *l);
void hvsim_listener_attach(struct hvsim_szone *z, struct hvsim_listener *l);
void hvsim_listener_detach(struct hvsim_szone *z, struct hvsim_listener *l);

/**
 * struct hvsim_guest_hook - what the zone knows of an in-kernel guest
 * @node: in hvsim_zone.guests (under zone->lock)
 * @addr: device base, immutable
 * @irq: interrupt the backend injects for it, immutable
 * @irq_work: the guest's interrupt handler thread, queued on hvsim.wq
 */
struct hvsim_guest_hook {
	struct list_head node;
	u64 addr;
	u32 irq;
	struct work_struct irq_work;
};

/* sim_guest.c: the in-kernel guest's virtio transport */
int hvsim_guest_add(const struct hvsim_guest *cfg);
int hvsim_guest_del(const struct hvsim_guest *cfg);
void hvsim_guest_remove_all(struct hvsim_szone *z);

/* sim_cdev.c: /dev/hvisor_sim */
int hvsim_cdev_init(void);
void hvsim_cdev_exit(void);

/* sim_compat.c: /dev/hvisor */
int hvsim_compat_init(void);
void hvsim_compat_exit(void);

#endif /* _HVISOR_SIM_H */
