// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: register sequences against hvisor_vhost/mmio.c.
 *
 * The input picks a device (queues, QueueNumMax, offered features,
 * writable config space or not) and then a sequence of accesses: reads
 * and writes at any offset (mostly registers) with any size and value,
 * which reach resets, QueueReady, FEATURES_OK and notifies, interleaved
 * with device-side events (an interrupt raised, the backend failing, a
 * config change).
 *
 * After every access the device is compared with a model of the
 * virtio-mmio register file written from the virtio 1.2 specification
 * (4.2.2) and the rules in mmio.c's header: every register, queue
 * register, counter and call to the device core (reset, kicks,
 * deassert, broken, status and config callbacks). Invariants are checked
 * on their own too: FEATURES_OK only with offered features and
 * VERSION_1, NEEDS_RESET exactly when the device is broken, an enabled
 * queue's rings are validated zone RAM and its registers are frozen, and
 * dev->lock is free between accesses.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/kernel.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "doubles.h"
#include "mmio.h"
#include "fdp.h"
#include "shim/hv_shim_test.h"

#define MAX_Q		4
#define S_FOK		VIRTIO_CONFIG_S_FEATURES_OK
#define S_DOK		VIRTIO_CONFIG_S_DRIVER_OK
#define S_NR		VIRTIO_CONFIG_S_NEEDS_RESET

struct mq {
	u32 num;
	u64 desc, avail, used;
	bool ready;
	u32 gen;
};

/* The model: registers, counters and the calls the device makes. */
struct model {
	unsigned int nr_queues;
	u16 num_max;
	bool config_writable;
	u64 dev_features;
	u32 status;
	u64 drv_features;
	u32 dev_sel, drv_sel, queue_sel, shm_sel;
	u32 isr;
	bool irq_asserted;
	bool broken;
	u32 config_gen;
	struct mq q[MAX_Q];
	u64 errors, reads, writes, notifies;
	struct hv_calls calls;
};

static struct hvv_dev dev;
static struct hvv_zone *zone;
static struct model m;

static const u64 offsets[] = {
	VIRTIO_MMIO_MAGIC_VALUE, VIRTIO_MMIO_VERSION, VIRTIO_MMIO_DEVICE_ID,
	VIRTIO_MMIO_VENDOR_ID, VIRTIO_MMIO_DEVICE_FEATURES,
	VIRTIO_MMIO_DEVICE_FEATURES_SEL, VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL, VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM_MAX, VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY, VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_STATUS, VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS, VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH, VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH, VIRTIO_MMIO_QUEUE_USED_LOW,
	VIRTIO_MMIO_QUEUE_USED_HIGH, VIRTIO_MMIO_SHM_SEL,
	VIRTIO_MMIO_SHM_LEN_LOW, VIRTIO_MMIO_SHM_LEN_HIGH,
	VIRTIO_MMIO_SHM_BASE_LOW, VIRTIO_MMIO_SHM_BASE_HIGH,
	VIRTIO_MMIO_CONFIG_GENERATION, 0x100, 0x104, 0x1fc,
};

/* Guest memory of hv_tlayout: is [gpa, gpa + len) in one region? */
static bool in_ram(u64 gpa, u64 len)
{
	unsigned int i;

	for (i = 0; i < HV_TLAYOUT_NR; i++) {
		const struct hvv_mem_region *r = &hv_tlayout[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return true;
	}
	return false;
}

static bool ring_ok(const struct mq *q)
{
	if (!q->num || q->num > m.num_max || (q->num & (q->num - 1)))
		return false;
	return !(q->desc & 15) && in_ram(q->desc, 16ULL * q->num) &&
	       !(q->avail & 1) && in_ram(q->avail, 6 + 2ULL * q->num) &&
	       !(q->used & 3) && in_ram(q->used, 6 + 8ULL * q->num);
}

static struct mq *sel_q(void)
{
	return m.queue_sel < m.nr_queues ? &m.q[m.queue_sel] : NULL;
}

/* The device core's side (dev.h): interrupt, broken, reset. */
static void model_isr(u32 bits)
{
	m.isr |= bits;
	if (!m.irq_asserted) {
		m.irq_asserted = true;
		m.calls.injections++;
	}
}

static void model_broken(void)
{
	m.calls.broken++;
	m.errors++;
	if (m.broken)
		return;
	m.broken = true;
	m.status |= S_NR;
	if (m.status & S_DOK)
		model_isr(VIRTIO_MMIO_INT_CONFIG);
}

static void model_kick_all(void)
{
	unsigned int i;

	m.calls.kick_all++;
	for (i = 0; i < m.nr_queues; i++)
		m.calls.kicks[i]++;
}

static void model_reset(int waiter)
{
	unsigned int i;

	m.calls.reset++;
	m.calls.reset_waiter = waiter;
	if (m.irq_asserted)
		m.calls.deassert++;
	m.status = 0;
	m.drv_features = 0;
	m.dev_sel = 0;
	m.drv_sel = 0;
	m.queue_sel = 0;
	m.shm_sel = 0;
	m.isr = 0;
	m.irq_asserted = false;
	m.broken = false;
	for (i = 0; i < m.nr_queues; i++) {
		m.q[i].ready = false;
		m.q[i].num = 0;
		m.q[i].desc = 0;
		m.q[i].avail = 0;
		m.q[i].used = 0;
		m.q[i].gen++;
	}
	model_kick_all();
}

/* --- the register file, from the specification --- */

static u64 model_read(u64 off, u64 size)
{
	struct mq *q = sel_q();

	m.reads++;
	if (off >= HVV_MMIO_CONFIG) {
		u64 c = off - HVV_MMIO_CONFIG, v = 0;
		unsigned int i;

		if ((size != 1 && size != 2 && size != 4 && size != 8) ||
		    c >= HVV_CONFIG_SIZE || size > HVV_CONFIG_SIZE - c) {
			m.errors++;
			return 0;
		}
		for (i = 0; i < size; i++)
			v |= (u64)dev.config[c + i] << (8 * i);
		return v;
	}
	if (size != 4 || off & 3) {
		m.errors++;
		return 0;
	}
	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return 0x74726976;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev.ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return 0x48564953;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (m.dev_sel == 0)
			return (u32)m.dev_features;
		return m.dev_sel == 1 ? m.dev_features >> 32 : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? m.num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return m.isr;
	case VIRTIO_MMIO_STATUS:
		return m.status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffff;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return m.config_gen;
	default:
		return 0;
	}
}

static void model_status(u32 val)
{
	u32 old = m.status;
	bool ok = !(m.drv_features & ~m.dev_features) &&
		  m.drv_features & BIT_ULL(VIRTIO_F_VERSION_1);

	if (val & ~old & S_FOK && !ok) {
		m.errors++;
		val &= ~S_FOK;
	}
	val &= ~S_NR;
	if (old & ~val & ~S_NR) {
		m.errors++;
		return;
	}
	m.status = val | (old & S_NR);
	if (m.status == old)
		return;
	m.calls.status_changed++;
	m.calls.status_old = old;
	m.calls.status_new = m.status;
	if (m.status & ~old & S_DOK)
		model_kick_all();
}

static void model_queue_addr(u64 off, u32 val)
{
	struct mq *q = sel_q();
	u64 *reg;

	if (!q || q->ready) {
		m.errors++;
		return;
	}
	switch (off & ~4ULL) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		reg = &q->desc;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		reg = &q->avail;
		break;
	default:
		reg = &q->used;
		break;
	}
	if (off & 4)
		*reg = (*reg & 0xffffffffULL) | (u64)val << 32;
	else
		*reg = (*reg & ~0xffffffffULL) | val;
}

/* Returns true if the write starts a release (the answer waits). */
static bool model_queue_ready(u32 val)
{
	struct mq *q = sel_q();

	if (!q) {
		m.errors++;
		return false;
	}
	if (!val) {
		if (!q->ready)
			return false;
		q->ready = false;
		q->gen++;
		return true;
	} else if (!q->ready) {
		if (!ring_ok(q)) {
			model_broken();
			return false;
		}
		q->ready = true;
		q->gen++;
		m.calls.kicks[q - m.q]++;
	}
	return false;
}

/* Returns what hvv_mmio_write() must return. */
static bool model_write(u64 off, u64 size, u64 value, int waiter)
{
	u32 val = value, acked;
	struct mq *q;

	m.writes++;
	if (off >= HVV_MMIO_CONFIG) {
		u64 c = off - HVV_MMIO_CONFIG;

		if ((size != 1 && size != 2 && size != 4 && size != 8) ||
		    c >= HVV_CONFIG_SIZE || size > HVV_CONFIG_SIZE - c ||
		    !m.config_writable) {
			m.errors++;
			return false;
		}
		m.calls.config_write++;
		m.calls.config_off = c;
		m.calls.config_size = size;
		m.calls.config_val = value;
		return false;
	}
	if (size != 4 || off & 3) {
		m.errors++;
		return false;
	}
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		m.dev_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (m.status & S_FOK)
			m.errors++;
		else if (m.drv_sel == 0)
			m.drv_features = (m.drv_features & ~0xffffffffULL) | val;
		else if (m.drv_sel == 1)
			m.drv_features = (m.drv_features & 0xffffffffULL) |
					 (u64)val << 32;
		else if (val)
			m.errors++;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		m.drv_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		m.queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		q = sel_q();
		if (!q || q->ready)
			m.errors++;
		else
			q->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!model_queue_ready(val))
			break;
		m.calls.release++;
		m.calls.release_waiter = waiter;
		return waiter != HVV_NO_WAITER;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		m.notifies++;
		if (val < m.nr_queues)
			m.calls.kicks[val]++;
		else
			m.errors++;
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		acked = m.isr & val;
		m.isr &= ~val;
		if (!m.isr && m.irq_asserted) {
			m.irq_asserted = false;
			m.calls.deassert++;
		} else if (m.isr && m.irq_asserted && acked) {
			m.calls.injections++;	/* causes left: told again */
		}
		break;
	case VIRTIO_MMIO_STATUS:
		if (!val) {
			model_reset(waiter);
			return waiter != HVV_NO_WAITER;
		}
		model_status(val);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		model_queue_addr(off, val);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		m.shm_sel = val;
		break;
	default:
		m.errors++;
		break;
	}
	return false;
}

/* --- comparison and invariants --- */

static noinline __no_sanitize_coverage void
check_calls(const struct hv_calls *a, const struct hv_calls *b)
{
	unsigned int i;

	fuzz_assert(a->broken == b->broken);
	fuzz_assert(a->broken_reason == b->broken_reason);
	fuzz_assert(a->raise == b->raise && a->raise_bits == b->raise_bits);
	fuzz_assert(a->injections == b->injections);
	fuzz_assert(a->deassert == b->deassert);
	fuzz_assert(a->reset == b->reset);
	fuzz_assert(a->reset_waiter == b->reset_waiter);
	fuzz_assert(a->release == b->release);
	fuzz_assert(a->release_waiter == b->release_waiter);
	fuzz_assert(a->kick_all == b->kick_all);
	for (i = 0; i < HVV_MAX_QUEUES; i++)
		fuzz_assert(a->kicks[i] == b->kicks[i]);
	fuzz_assert(a->status_changed == b->status_changed);
	fuzz_assert(a->status_old == b->status_old);
	fuzz_assert(a->status_new == b->status_new);
	fuzz_assert(a->config_write == b->config_write);
	fuzz_assert(a->config_off == b->config_off);
	fuzz_assert(a->config_size == b->config_size);
	fuzz_assert(a->config_val == b->config_val);
}

static noinline __no_sanitize_coverage void check(void)
{
	unsigned int i;

	fuzz_assert(!dev.lock.held);
	fuzz_assert(!dev.releases_pending);
	fuzz_assert(dev.status == m.status);
	fuzz_assert(dev.driver_features == m.drv_features);
	fuzz_assert(dev.dev_features_sel == m.dev_sel);
	fuzz_assert(dev.drv_features_sel == m.drv_sel);
	fuzz_assert(dev.queue_sel == m.queue_sel);
	fuzz_assert(dev.shm_sel == m.shm_sel);
	fuzz_assert(dev.isr == m.isr);
	fuzz_assert(dev.irq_asserted == m.irq_asserted);
	fuzz_assert(dev.broken == m.broken);
	fuzz_assert(dev.config_gen == m.config_gen);
	fuzz_assert((u64)atomic64_read(&dev.stats.errors) == m.errors);
	fuzz_assert((u64)atomic64_read(&dev.stats.reg_reads) == m.reads);
	fuzz_assert((u64)atomic64_read(&dev.stats.reg_writes) == m.writes);
	fuzz_assert((u64)atomic64_read(&dev.stats.notifies) == m.notifies);
	check_calls(&hv_calls, &m.calls);
	/* The invariants, on their own. */
	if (dev.status & S_FOK) {
		fuzz_assert(!(dev.driver_features & ~dev.device_features));
		fuzz_assert(dev.driver_features & BIT_ULL(VIRTIO_F_VERSION_1));
	}
	fuzz_assert(!!(dev.status & S_NR) == dev.broken);
	for (i = 0; i < m.nr_queues; i++) {
		const struct hvv_vq *vq = &dev.vqs[i];

		fuzz_assert(vq->ready == m.q[i].ready);
		fuzz_assert(vq->num == m.q[i].num);
		fuzz_assert(vq->desc_gpa == m.q[i].desc);
		fuzz_assert(vq->avail_gpa == m.q[i].avail);
		fuzz_assert(vq->used_gpa == m.q[i].used);
		fuzz_assert(vq->ring.gen == m.q[i].gen);
		if (!vq->ready)
			continue;
		fuzz_assert(vq->ring.num == vq->num);
		fuzz_assert(vq->ring.num && vq->ring.num <= vq->num_max);
		fuzz_assert(!(vq->ring.num & (vq->ring.num - 1)));
		fuzz_assert(vq->ring.desc == hv_tmem(vq->desc_gpa));
		fuzz_assert(vq->ring.avail == hv_tmem(vq->avail_gpa));
		fuzz_assert(vq->ring.used == hv_tmem(vq->used_gpa));
		fuzz_assert(hv_shim_mapped(vq->ring.desc, 16 * vq->ring.num));
		fuzz_assert(hv_shim_mapped(vq->ring.avail,
					   6 + 2 * vq->ring.num));
		fuzz_assert(hv_shim_mapped(vq->ring.used,
					   6 + 8 * vq->ring.num));
	}
}

/* --- input --- */

static u64 pick_value(struct fdp *f, u64 off)
{
	static const u64 gpas[] = {
		0x0, 0x1000, 0x1800, 0x1ff0, 0x2000, 0x2800, 0x2ffa, 0x3000,
		0x10000, 0x10800, 0x10ff0, 0x11000,
	};
	unsigned int sel = fdp_u8(f);

	if (sel < 64)
		return fdp_u8(f);
	if (sel < 96)
		return gpas[sel % ARRAY_SIZE(gpas)] + fdp_u8(f) % 16;
	if (sel < 128 && off == VIRTIO_MMIO_STATUS)
		return m.status | BIT(fdp_u8(f) % 8);
	if (sel < 144)
		return 1U << (fdp_u8(f) % 32);
	if (sel < 160)
		return m.num_max >> (fdp_u8(f) % 3);
	if (sel < 240)
		return fdp_u32(f);
	return fdp_u64(f);
}

static u64 pick_size(struct fdp *f)
{
	static const u64 sizes[] = { 1, 2, 8, 3, 0, 16, 4 };
	unsigned int sel = fdp_u8(f);

	return sel < 200 ? 4 : sizes[sel % ARRAY_SIZE(sizes)];
}

static void do_access(struct fdp *f)
{
	unsigned int sel = fdp_u8(f);
	u64 off, size, value, got, want;
	int waiter;

	if (sel < 224)
		off = offsets[fdp_u8(f) % ARRAY_SIZE(offsets)];
	else if (sel < 250)
		off = fdp_u16(f) % 0x300;
	else
		off = fdp_u64(f);
	size = pick_size(f);
	if (fdp_u8(f) & 1) {
		want = model_read(off, size);
		got = hvv_mmio_read(&dev, off, size);
		fuzz_assert(got == want);
		return;
	}
	value = pick_value(f, off);
	waiter = fdp_u8(f) < 128 ? HVV_NO_WAITER : (int)(fdp_u8(f) % 32);
	want = model_write(off, size, value, waiter);
	got = hvv_mmio_write(&dev, off, size, value, waiter);
	fuzz_assert(got == want);
}

static void device_event(struct fdp *f)
{
	unsigned int sel = fdp_u8(f) % 4, i;

	switch (sel) {
	case 0:
		sel = 1 + fdp_u8(f) % 3;
		hvv_dev_raise(&dev, sel);
		m.calls.raise++;
		m.calls.raise_bits |= sel;
		model_isr(sel);
		break;
	case 1:
		hvv_dev_broken(&dev, "backend failure");
		model_broken();
		m.calls.broken_reason = hv_calls.broken_reason;
		break;
	case 2:
		for (i = 0; i < 8; i++)
			dev.config[fdp_u8(f)] = fdp_u8(f);
		dev.config_gen++;
		m.config_gen++;
		break;
	default:
		break;
	}
}

int fuzz_one_input(const u8 *data, size_t size)
{
	unsigned int b, steps = 0;
	struct fdp f;

	fdp_init(&f, data, size);
	memset(&m, 0, sizeof(m));
	hv_calls_clear();
	b = fdp_u8(&f);
	m.nr_queues = 1 + b % MAX_Q;
	m.num_max = 1U << (b / MAX_Q % 6);
	m.config_writable = !(b & 0x80);
	zone = hv_tzone();
	fuzz_assert(zone);
	if (hv_tdev_init(&dev, m.config_writable ? &hv_tdev_ops :
			 &hv_tdev_ops_ro, zone, m.nr_queues, m.num_max,
			 fdp_u8(&f) < 128 ? 0 : fdp_u64(&f))) {
		hvv_zone_destroy(zone);
		return 0;
	}
	m.dev_features = dev.device_features;
	while (fdp_more(&f) && steps++ < 1024) {
		if (fdp_u8(&f) < 240)
			do_access(&f);
		else
			device_event(&f);
		if (hv_calls.broken)
			m.calls.broken_reason = hv_calls.broken_reason;
		check();
	}
	hv_tdev_fini(&dev);
	hvv_zone_destroy(zone);
	return 0;
}
