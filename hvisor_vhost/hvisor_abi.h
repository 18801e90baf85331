/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvisor's virtio bridge ABI: the page shared between the hypervisor and the
 * root zone, and the hypercall numbers around it.
 *
 * Bit-exact with hvisor v0.4 (src/device/virtio_trampoline.rs) and
 * hvisor-tool (include/hvisor.h): every offset is checked at build time by
 * hvisor_abi_check_layout(). All fields are native-endian.
 */
#ifndef _HVISOR_ABI_H
#define _HVISOR_ABI_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

#define HVISOR_MAX_REQ		32	/* ring slots; power of two */
#define HVISOR_MAX_DEVS		8	/* hypervisor's irq list: [len, irq x 8] */
#define HVISOR_MAX_CPUS		32	/* cfg_flags/cfg_values entries */

/* hvisor asserts len + 1 < MAX_DEVS: at most 7 distinct pending IRQs per CPU. */
#define HVISOR_MAX_PENDING_IRQS	(HVISOR_MAX_DEVS - 1)

/* Hypercall codes (hvisor-tool include/hvisor.h, hvisor src/hypercall). */
#define HVISOR_HC_INIT_VIRTIO		0
#define HVISOR_HC_FINISH_REQ		1
#define HVISOR_HC_CLEAR_INJECT_IRQ	11	/* LoongArch, newer hvisor */
#define HVISOR_HC_GET_VIRTIO_IRQ	86	/* x86_64 */

/* The LoongArch root wake-up line (CPUINTC HWI2), re-armed by hypercall 11. */
#define HVISOR_LOONGARCH_WAKEUP_HWI	4

/* Offset of QueueNotify: the one access hvisor forwards asynchronously. */
#define HVISOR_QUEUE_NOTIFY_OFFSET	0x50

/**
 * struct hvisor_device_req - one trapped MMIO access (hypervisor -> root)
 * @src_cpu: physical CPU of the trapping vCPU; index into cfg_flags/values
 * @address: absolute guest-physical address of the access
 * @size: access width in bytes
 * @value: value written (full source register, not masked)
 * @src_zone: zone of the trapping vCPU
 * @is_write: 1 for a write
 * @need_interrupt: 1 = asynchronous (no cfg_flags completion), 0 = vCPU waits
 * @padding: zero
 */
struct hvisor_device_req {
	u64 src_cpu;
	u64 address;
	u64 size;
	u64 value;
	u32 src_zone;
	u8 is_write;
	u8 need_interrupt;
	u16 padding;
};

/**
 * struct hvisor_device_res - one interrupt to inject (root -> hypervisor)
 * @target_zone: zone to inject into
 * @irq_id: interrupt number as the zone's interrupt controller sees it
 */
struct hvisor_device_res {
	u32 target_zone;
	u32 irq_id;
};

/**
 * struct hvisor_bridge - the shared page
 * @req_front: request ring consumer index (root writes)
 * @req_rear: request ring producer index (hypervisor writes)
 * @res_front: result ring consumer index (hypervisor writes)
 * @res_rear: result ring producer index (root writes)
 * @req_list: request ring
 * @res_list: result ring
 * @cfg_flags: per-CPU completion counters, bumped by root after cfg_values
 * @cfg_values: per-CPU values of completed synchronous reads
 * @mmio_addrs: unused by the hypervisor (hvisor-tool writes it)
 * @mmio_avail: unused by the hypervisor
 * @need_wakeup: root sets 1 before sleeping; hypervisor then sends the IRQ
 */
struct hvisor_bridge {
	u32 req_front;
	u32 req_rear;
	u32 res_front;
	u32 res_rear;
	struct hvisor_device_req req_list[HVISOR_MAX_REQ];
	struct hvisor_device_res res_list[HVISOR_MAX_REQ];
	u64 cfg_flags[HVISOR_MAX_CPUS];
	u64 cfg_values[HVISOR_MAX_CPUS];
	u64 mmio_addrs[HVISOR_MAX_DEVS];
	u8 mmio_avail;
	u8 need_wakeup;
};

static inline u32 hvisor_ring_next(u32 idx)
{
	return (idx + 1) & (HVISOR_MAX_REQ - 1);
}

static inline void hvisor_abi_check_layout(void)
{
	BUILD_BUG_ON(HVISOR_MAX_REQ & (HVISOR_MAX_REQ - 1));
	BUILD_BUG_ON(sizeof(struct hvisor_device_req) != 40);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, address) != 0x08);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, size) != 0x10);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, value) != 0x18);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, src_zone) != 0x20);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, is_write) != 0x24);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, need_interrupt) != 0x25);
	BUILD_BUG_ON(offsetof(struct hvisor_device_req, padding) != 0x26);
	BUILD_BUG_ON(sizeof(struct hvisor_device_res) != 8);
	BUILD_BUG_ON(offsetof(struct hvisor_device_res, irq_id) != 4);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, req_rear) != 0x004);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, res_front) != 0x008);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, res_rear) != 0x00c);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, req_list) != 0x010);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, res_list) != 0x510);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, cfg_flags) != 0x610);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, cfg_values) != 0x710);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, mmio_addrs) != 0x810);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, mmio_avail) != 0x850);
	BUILD_BUG_ON(offsetof(struct hvisor_bridge, need_wakeup) != 0x851);
	BUILD_BUG_ON(sizeof(struct hvisor_bridge) != 2136);
}

#endif /* _HVISOR_ABI_H */
