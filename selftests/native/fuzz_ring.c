// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ring states against hvisor_vhost/vq.c.
 *
 * The input describes a queue (size, features, where its rings lie), the
 * guest memory (descriptors, indirect tables, avail entries) and then a
 * program: worker steps (sync, pop, serve, push, flush, notification
 * enable/disable, unpop) and completions published outside the worker
 * (hvv_vq_complete(), for the current or a stale generation),
 * interleaved with guest steps (post a head, scribble on the rings) and
 * device steps (reset and reconfigure, queue disable, backend failure,
 * interrupt ACK), in the zone of hv_tlayout whose regions are guarded by
 * ASan-poisoned areas.
 *
 * After each step the target checks vq.c against a model written from
 * the rules in vq.c's header and dev.h, independently of it:
 *  - hvv_vq_pop() accepts a chain if and only if the model's walk does,
 *    with the same segments; every segment lies inside zone RAM; a chain
 *    has at most 2 * num_max segments, and its lengths add up;
 *  - a refused chain marks the device broken, and a broken device is not
 *    served (hvv_vq_sync() false) and gets nothing published until reset;
 *  - guest memory changes only where the step may write: nothing for a
 *    pop, the one used entry for a push, used->idx for a publishing
 *    flush, the flags or avail_event for notification changes, and the
 *    chain's writable buffers for copies into it;
 *  - interrupts follow VRING_AVAIL_F_NO_INTERRUPT or EVENT_IDX.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/kernel.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "doubles.h"
#include "fdp.h"
#include "shim/hv_shim_test.h"

#define F_IND		BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC)
#define F_EVT		BIT_ULL(VIRTIO_RING_F_EVENT_IDX)
#define F_V1		BIT_ULL(VIRTIO_F_VERSION_1)
#define NUM_MAX_MAX	16
#define MAX_SEGS	(2 * NUM_MAX_MAX)
#define MEM_SIZE	(0x3000 + 0x1000)	/* R0 + R1 + R2 */
#define MAX_WINDOWS	(MAX_SEGS + 4)
#define TABLES		0x10400ULL	/* where indirect tables mostly are */
#define NR_TABLES	4

/* Where the rings lie: the driver's configuration. */
struct ring_cfg {
	u32 num;
	u64 desc;
	u64 avail;
	u64 used;
};

struct seg {
	void *va;
	u32 len;
};

/* The model of the device and of the worker's state. */
struct model {
	u16 num_max;
	bool indirect;
	bool event_idx;
	struct ring_cfg cfg;	/* as the driver configured it */
	bool enabled;		/* QueueReady */
	bool driver_ok;
	bool broken;
	bool new_gen;		/* the ring changed since the last sync */
	bool running;		/* the worker's copy is usable (last sync) */
	struct ring_cfg wr;	/* the worker's copy */
	bool wr_indirect;
	bool wr_event_idx;
	u16 last_avail;
	u16 avail_seen;
	u16 used_idx;
	u16 published;
	u16 signalled;
	bool signalled_valid;
	bool can_unpop;
	bool have_chain;
	struct seg segs[MAX_SEGS];	/* the last chain popped */
	unsigned int nr_out, nr_in;
	u32 out_len, in_len;
	u16 head;
	bool held[16];		/* heads popped and not returned */
};

/* A guest-physical window a step may write. */
struct window {
	u64 gpa;
	u64 len;
};

static struct hvv_dev dev;
static struct hvv_zone *zone;
static struct hvv_vq *vq;
static struct model m;
static unsigned char shadow[MEM_SIZE];
static struct window win[MAX_WINDOWS];
static unsigned int nr_win;

/* Guest memory by gpa, [gpa, gpa + len) in one region, else NULL. */
static void *gmem(u64 gpa, u64 len)
{
	unsigned int i;

	for (i = 0; i < HV_TLAYOUT_NR; i++) {
		const struct hvv_mem_region *r = &hv_tlayout[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size &&
		    len <= r->size - (gpa - r->gpa))
			return hv_tmem(gpa);
	}
	return NULL;
}

static u16 get16(u64 gpa)
{
	u16 v;

	memcpy(&v, gmem(gpa, 2), 2);
	return le16_to_cpu(v);
}

static void put16(u64 gpa, u16 val)
{
	void *p = gmem(gpa, 2);

	val = cpu_to_le16(val);
	if (p)
		memcpy(p, &val, 2);
}

/* --- the model of hvv_vq_enable() and hvv_vq_pop() --- */

static bool ref_area_ok(u64 gpa, u64 len, u64 align)
{
	return !(gpa & (align - 1)) && gmem(gpa, len);
}

static bool ref_enable_ok(const struct ring_cfg *c)
{
	if (!c->num || c->num > m.num_max || (c->num & (c->num - 1)))
		return false;
	return ref_area_ok(c->desc, 16ULL * c->num, 16) &&
	       ref_area_ok(c->avail, 6 + 2ULL * c->num, 2) &&
	       ref_area_ok(c->used, 6 + 8ULL * c->num, 4);
}

struct ref_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

static void ref_read_desc(u64 gpa, struct ref_desc *d)
{
	const unsigned char *p = gmem(gpa, 16);
	u64 addr;
	u32 len;
	u16 flags, next;

	memcpy(&addr, p, 8);
	memcpy(&len, p + 8, 4);
	memcpy(&flags, p + 12, 2);
	memcpy(&next, p + 14, 2);
	d->addr = le64_to_cpu(addr);
	d->len = le32_to_cpu(len);
	d->flags = le16_to_cpu(flags);
	d->next = le16_to_cpu(next);
}

struct ref_chain {
	struct seg segs[MAX_SEGS];
	unsigned int nr_out, nr_in;
	u32 out_len, in_len;
	u16 head;
};

/* The region holding @gpa, or NULL. */
static const struct hvv_mem_region *ref_region(u64 gpa)
{
	unsigned int i;

	for (i = 0; i < HV_TLAYOUT_NR; i++)
		if (gpa >= hv_tlayout[i].gpa &&
		    gpa - hv_tlayout[i].gpa < hv_tlayout[i].size)
			return &hv_tlayout[i];
	return NULL;
}

static bool ref_add(struct ref_chain *c, const struct ref_desc *d)
{
	bool w = d->flags & VRING_DESC_F_WRITE;
	u64 gpa = d->addr, left = d->len, end;

	if (!w && c->nr_in)
		return false;
	if (check_add_overflow(gpa, left, &end))
		return false;
	if (check_add_overflow(w ? c->in_len : c->out_len, d->len,
			       w ? &c->in_len : &c->out_len))
		return false;
	do {
		const struct hvv_mem_region *r = ref_region(gpa);
		u64 piece;

		if (!r || c->nr_out + c->nr_in >= 2U * m.num_max)
			return false;
		piece = min(left, r->gpa + r->size - gpa);
		c->segs[c->nr_out + c->nr_in].va = hv_tmem(gpa);
		c->segs[c->nr_out + c->nr_in].len = piece;
		if (w)
			c->nr_in++;
		else
			c->nr_out++;
		gpa += piece;
		left -= piece;
	} while (left);
	return true;
}

/* 1 with @c filled, 0 when nothing is available, -1 for a bad chain. */
static int ref_pop(struct ref_chain *c)
{
	u64 table = m.wr.desc;
	u32 size = m.wr.num, count = 0;
	bool in_indirect = false;
	struct ref_desc d;
	u16 avail_idx, i;

	avail_idx = get16(m.wr.avail + 2);
	m.avail_seen = avail_idx;
	if (avail_idx == m.last_avail)
		return 0;
	if ((u16)(avail_idx - m.last_avail) > m.wr.num)
		return -1;
	memset(c, 0, sizeof(*c));
	c->head = get16(m.wr.avail + 4 + 2 * (m.last_avail % m.wr.num));
	if (c->head >= m.wr.num)
		return -1;
	i = c->head;
	for (;;) {
		if (++count > size)
			return -1;
		ref_read_desc(table + 16ULL * i, &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (in_indirect || !m.wr_indirect ||
			    d.flags & VRING_DESC_F_NEXT || !d.len || d.len % 16 ||
			    d.len / 16 > m.num_max || !gmem(d.addr, d.len))
				return -1;
			table = d.addr;
			size = d.len / 16;
			in_indirect = true;
			count = 0;
			i = 0;
			continue;
		}
		if (!ref_add(c, &d))
			return -1;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 1;
		i = d.next;
		if (i >= size)
			return -1;
	}
}

/* --- write confinement --- */

static void snapshot(void)
{
	unsigned char *s = shadow;
	unsigned int i;

	for (i = 0; i < HV_TLAYOUT_NR; i++) {
		memcpy(s, hv_tmem(hv_tlayout[i].gpa), hv_tlayout[i].size);
		s += hv_tlayout[i].size;
	}
	nr_win = 0;
}

static void allow(u64 gpa, u64 len)
{
	fuzz_assert(nr_win < MAX_WINDOWS);
	win[nr_win].gpa = gpa;
	win[nr_win].len = len;
	nr_win++;
}

/*
 * @now and @was are the bytes from @gpa on, @len of them: any that differ
 * must be in a window. The gaps between windows are compared whole, and
 * only a gap that differs is searched for the first byte that does.
 */
static noinline __no_sanitize_coverage void
check_range(const unsigned char *now, const unsigned char *was, u64 gpa,
	    size_t len)
{
	u64 p = gpa, end = gpa + len, next, i;
	unsigned int w;

	while (p < end) {
		next = end;
		for (w = 0; w < nr_win; w++) {
			if (p >= win[w].gpa && p - win[w].gpa < win[w].len)
				break;
			if (win[w].gpa > p && win[w].gpa < next)
				next = win[w].gpa;
		}
		if (w < nr_win) {
			/* In window w: anything may have changed. */
			p = win[w].gpa + win[w].len;
			continue;
		}
		if (memcmp(now + (p - gpa), was + (p - gpa), next - p)) {
			for (i = p; now[i - gpa] == was[i - gpa]; i++)
				;
			fprintf(stderr, "write to gpa %#llx not allowed\n", i);
			fuzz_assert(0);
		}
		p = next;
	}
}

static noinline __no_sanitize_coverage void check_writes(void)
{
	const unsigned char *s = shadow;
	unsigned int i;

	for (i = 0; i < HV_TLAYOUT_NR; i++) {
		check_range(hv_tmem(hv_tlayout[i].gpa), s, hv_tlayout[i].gpa,
			    hv_tlayout[i].size);
		s += hv_tlayout[i].size;
	}
}

/* The gpa of a segment's va (segments are inside hv_tlayout). */
static u64 seg_gpa(const void *va)
{
	unsigned int i;

	for (i = 0; i < HV_TLAYOUT_NR; i++) {
		const char *base = hv_tmem(hv_tlayout[i].gpa);

		if ((const char *)va >= base &&
		    (const char *)va - base < (long)hv_tlayout[i].size)
			return hv_tlayout[i].gpa + ((const char *)va - base);
	}
	fuzz_assert(0);
	return 0;
}

/* --- device steps, through the register file --- */

static noinline __no_sanitize_coverage void check_device(void)
{
	fuzz_assert(!dev.lock.held);
	fuzz_assert(dev.broken == m.broken);
	fuzz_assert(!!(dev.status & VIRTIO_CONFIG_S_NEEDS_RESET) == m.broken);
	fuzz_assert(vq->ready == m.enabled);
}

static void enable_queue(void)
{
	u32 ready = hv_tdev_queue(&dev, 0, m.cfg.num, m.cfg.desc, m.cfg.avail,
				  m.cfg.used);
	bool ok = ref_enable_ok(&m.cfg);

	fuzz_assert(ready == ok);
	if (ok) {
		fuzz_assert(vq->ring.desc == gmem(m.cfg.desc, 1));
		fuzz_assert(vq->ring.avail == gmem(m.cfg.avail, 1));
		fuzz_assert(vq->ring.used == gmem(m.cfg.used, 1));
	}
	m.enabled = ok;
	m.broken |= !ok;
	m.new_gen |= ok;
}

static const struct ring_cfg placements[] = {
	{ 0, 0x0, 0x1000, 0x1800 },
	{ 0, 0x2000, 0x2800, 0x2c00 },
	{ 0, 0x10000, 0x1ff0, 0x10c00 },
	{ 0, 0x1f00, 0x800, 0x2f00 },	/* desc fits below 0x2000 for 16 */
	{ 0, 0x10800, 0x10200, 0x0 },
	{ 0, 0x800, 0x2f80, 0x1f80 },
};

static void pick_cfg(struct fdp *f)
{
	unsigned int sel = fdp_u8(f), pl = fdp_u8(f);

	if (sel & 0x80)
		m.cfg.num = sel & 0x1f;
	else
		m.cfg.num = m.num_max >> (sel % 3);
	if (pl < 224) {
		m.cfg.desc = placements[pl % ARRAY_SIZE(placements)].desc;
		m.cfg.avail = placements[pl % ARRAY_SIZE(placements)].avail;
		m.cfg.used = placements[pl % ARRAY_SIZE(placements)].used;
	} else {
		m.cfg.desc = fdp_u16(f);
		m.cfg.avail = fdp_u16(f);
		m.cfg.used = fdp_u16(f);
	}
}

/* The driver resets the device and sets it up again. */
static void reinit(struct fdp *f, bool reset)
{
	u64 features = F_V1 | (m.indirect ? F_IND : 0) |
		       (m.event_idx ? F_EVT : 0);

	if (reset) {
		fuzz_assert(!hv_tdev_write(&dev, VIRTIO_MMIO_STATUS, 0));
		m.enabled = false;
		m.driver_ok = false;
		m.broken = false;
		m.new_gen = true;
		check_device();
	}
	hv_tdev_negotiate(&dev, features);
	fuzz_assert(dev.driver_features == features);
	pick_cfg(f);
	enable_queue();
	if (fdp_u8(f) < 240) {
		hv_tdev_driver_ok(&dev);
		m.driver_ok = true;
	}
	check_device();
}

/* --- worker steps --- */

static void step_sync(void)
{
	bool usable = m.enabled && m.driver_ok && !m.broken;

	fuzz_assert(hvv_vq_sync(vq) == usable);
	if (usable && (m.new_gen || !m.running)) {
		m.wr = m.cfg;
		m.wr_indirect = m.indirect;
		m.wr_event_idx = m.event_idx;
		m.last_avail = 0;
		m.avail_seen = 0;
		m.used_idx = 0;
		m.published = 0;
		m.signalled_valid = false;
		m.new_gen = false;
		memset(m.held, 0, sizeof(m.held));
	}
	m.running = usable;
	m.can_unpop = false;
	m.have_chain = false;
	if (usable) {
		fuzz_assert(vq->wr.num == m.wr.num);
		fuzz_assert(vq->last_avail_idx == m.last_avail);
		fuzz_assert(vq->used_idx == m.used_idx);
	}
}

static void step_pop(void)
{
	unsigned int broken = hv_calls.broken, i;
	struct hvv_chain chain;
	struct ref_chain ref;
	int want, ret;

	snapshot();
	want = ref_pop(&ref);
	if (want > 0 && m.held[ref.head])
		want = -1;	/* made available again while in use */
	ret = hvv_vq_pop(vq, &chain);
	check_writes();
	m.can_unpop = false;
	if (want < 0) {
		fuzz_assert(ret == -EIO);
		fuzz_assert(hv_calls.broken == broken + 1);
		m.broken = true;
		m.have_chain = false;
		return;
	}
	fuzz_assert(ret == want);
	fuzz_assert(hv_calls.broken == broken);
	if (!ret)
		return;
	fuzz_assert(chain.head == ref.head);
	fuzz_assert(chain.nr_out == ref.nr_out && chain.nr_in == ref.nr_in);
	fuzz_assert(chain.out_len == ref.out_len);
	fuzz_assert(chain.in_len == ref.in_len);
	fuzz_assert(chain.nr_out + chain.nr_in <= 2U * m.num_max);
	m.out_len = 0;
	m.in_len = 0;
	for (i = 0; i < chain.nr_out + chain.nr_in; i++) {
		fuzz_assert(chain.segs[i].iov_base == ref.segs[i].va);
		fuzz_assert(chain.segs[i].iov_len == ref.segs[i].len);
		fuzz_assert(hv_shim_mapped(chain.segs[i].iov_base, chain.segs[i].iov_len));
		m.segs[i].va = chain.segs[i].iov_base;
		m.segs[i].len = chain.segs[i].iov_len;
		if (i < chain.nr_out)
			m.out_len += chain.segs[i].iov_len;
		else
			m.in_len += chain.segs[i].iov_len;
	}
	fuzz_assert(m.out_len == chain.out_len && m.in_len == chain.in_len);
	m.nr_out = chain.nr_out;
	m.nr_in = chain.nr_in;
	m.head = chain.head;
	m.held[chain.head] = true;
	m.last_avail++;
	fuzz_assert(vq->last_avail_idx == m.last_avail);
	m.can_unpop = true;
	m.have_chain = true;
}

/* Rebuild a struct hvv_chain from the model's copy of the last one. */
static void model_chain(struct hvv_chain *c, struct kvec *segs)
{
	unsigned int i;

	for (i = 0; i < m.nr_out + m.nr_in; i++) {
		segs[i].iov_base = m.segs[i].va;
		segs[i].iov_len = m.segs[i].len;
	}
	c->head = m.head;
	c->nr_out = m.nr_out;
	c->nr_in = m.nr_in;
	c->out_len = m.out_len;
	c->in_len = m.in_len;
	c->segs = segs;
}

static void step_serve(struct fdp *f)
{
	static unsigned char buf[0x4000];
	struct kvec segs[MAX_SEGS];
	size_t skip = fdp_u16(f) % 0x3000, len = fdp_u16(f) % sizeof(buf);
	struct iov_iter it;
	struct hvv_chain c;
	size_t n, want;
	unsigned int i;

	if (!m.have_chain)
		return;
	model_chain(&c, segs);
	snapshot();
	hvv_chain_iter_out(&c, &it);
	fuzz_assert(iov_iter_count(&it) == m.out_len);
	iov_iter_advance(&it, skip);
	want = m.out_len > skip ? min(len, m.out_len - skip) : 0;
	n = copy_from_iter(buf, len, &it);
	fuzz_assert(n == want);
	fuzz_assert(iov_iter_count(&it) ==
		    m.out_len - min_t(size_t, m.out_len, skip) - n);
	check_writes();
	for (i = m.nr_out; i < m.nr_out + m.nr_in; i++)
		allow(seg_gpa(m.segs[i].va), m.segs[i].len);
	memset(buf, fdp_u8(f), len);
	hvv_chain_iter_in(&c, &it);
	fuzz_assert(iov_iter_count(&it) == m.in_len);
	iov_iter_advance(&it, skip);
	want = m.in_len > skip ? min(len, m.in_len - skip) : 0;
	n = copy_to_iter(buf, len, &it);
	fuzz_assert(n == want);
	check_writes();
}

/*
 * The chain a push returns, from the input: while the device runs, one it
 * holds (none: false), which the model then no longer counts as held;
 * otherwise any head, which must change nothing.
 */
static bool pick_push(struct fdp *f, u16 *headp, u32 *lenp)
{
	u16 head = m.have_chain && fdp_u8(f) < 200 ? m.head : fdp_u16(f);
	u32 len = fdp_u8(f) < 200 ? fdp_u16(f) : fdp_u32(f);
	unsigned int i;

	if (m.running) {
		/* Only a chain the device holds is returned, once. */
		for (i = 0; i < m.wr.num && !m.held[head % m.wr.num]; i++)
			head++;
		if (i == m.wr.num)
			return false;
		head %= m.wr.num;
		m.held[head] = false;
	}
	*headp = head;
	*lenp = len;
	return true;
}

/* After snapshot(): what a push may write. */
static void expect_push(void)
{
	if (m.running) {
		allow(m.wr.used + 4 + 8 * (m.used_idx % m.wr.num), 8);
		m.used_idx++;
	}
}

static void verify_push(u16 head, u32 len)
{
	if (m.running) {
		u64 elem = m.wr.used + 4 + 8 * ((u16)(m.used_idx - 1) % m.wr.num);
		u32 id, l;

		memcpy(&id, gmem(elem, 4), 4);
		memcpy(&l, gmem(elem + 4, 4), 4);
		fuzz_assert(le32_to_cpu(id) == head && le32_to_cpu(l) == len);
	}
	fuzz_assert(vq->used_idx == m.used_idx || !m.running);
}

static void step_push(struct fdp *f)
{
	u16 head;
	u32 len;

	if (!pick_push(f, &head, &len))
		return;
	snapshot();
	expect_push();
	hvv_vq_push(vq, head, len);
	check_writes();
	verify_push(head, len);
}

static bool ref_need_event(u16 event, u16 new, u16 old)
{
	return (u16)(new - event - 1) < (u16)(new - old);
}

/* What a flush does, expected before it and checked after it. */
struct flush_expect {
	bool publish;
	bool signal;
	u16 before;		/* used->idx before */
	unsigned int raise;	/* interrupts raised before */
};

/* Before the flush: @e->before and @e->raise first, then after snapshot(). */
static void expect_flush_before(struct flush_expect *e)
{
	e->raise = hv_calls.raise;
	e->before = m.running ? get16(m.wr.used + 2) : 0;
}

static void expect_flush(struct flush_expect *e)
{
	e->publish = m.running && m.used_idx != m.published && m.enabled &&
		     !m.new_gen && !m.broken;
	e->signal = false;
	if (!e->publish)
		return;
	allow(m.wr.used + 2, 2);
	if (!m.wr_event_idx) {
		e->signal = !(get16(m.wr.avail) & VRING_AVAIL_F_NO_INTERRUPT);
	} else if (!m.signalled_valid) {
		e->signal = true;
	} else {
		e->signal = ref_need_event(get16(m.wr.avail + 4 + 2 * m.wr.num),
					   m.used_idx, m.signalled);
	}
}

static void verify_flush(const struct flush_expect *e)
{
	if (e->publish) {
		fuzz_assert(get16(m.wr.used + 2) == m.used_idx);
		m.published = m.used_idx;
		if (m.wr_event_idx) {
			m.signalled = m.used_idx;
			m.signalled_valid = true;
		}
	} else if (m.running) {
		fuzz_assert(get16(m.wr.used + 2) == e->before);
	}
	fuzz_assert(hv_calls.raise == e->raise + e->signal);
	if (e->signal)
		fuzz_assert(hv_calls.raise_bits == VIRTIO_MMIO_INT_VRING);
}

static void step_flush(void)
{
	struct flush_expect e;

	expect_flush_before(&e);
	snapshot();
	expect_flush(&e);
	hvv_vq_flush(vq);
	check_writes();
	verify_flush(&e);
}

/*
 * A completion published outside the worker (hvv_vq_complete()): a push
 * and a flush at once, for the generation the worker popped under, or
 * nothing at all (false) for another generation, a stopped queue, or a
 * ring the driver changed since the last sync.
 */
static void step_complete(struct fdp *f)
{
	bool stale = fdp_u8(f) >= 224;
	u32 gen = vq->wr.gen - stale;
	struct flush_expect e;
	u16 head;
	u32 len;

	if (!m.running || m.new_gen || stale) {
		head = fdp_u16(f);
		len = fdp_u16(f);
		snapshot();
		fuzz_assert(!hvv_vq_complete(vq, gen, head, len));
		check_writes();
		return;
	}
	if (!pick_push(f, &head, &len))
		return;
	expect_flush_before(&e);
	snapshot();
	expect_push();
	expect_flush(&e);
	fuzz_assert(hvv_vq_complete(vq, gen, head, len));
	check_writes();
	verify_push(head, len);
	verify_flush(&e);
}

static void step_notify(bool enable)
{
	u16 flags = get16(m.wr.used);

	snapshot();
	if (m.wr_event_idx)
		allow(m.wr.used + 4 + 8 * m.wr.num, 2);
	else
		allow(m.wr.used, 2);
	if (enable) {
		bool more = get16(m.wr.avail + 2) != m.avail_seen;

		fuzz_assert(hvv_vq_enable_notify(vq) == more);
		if (m.wr_event_idx)
			fuzz_assert(get16(m.wr.used + 4 + 8 * m.wr.num) ==
				    m.avail_seen);
		else
			fuzz_assert(get16(m.wr.used) ==
				    (flags & ~VRING_USED_F_NO_NOTIFY));
	} else {
		hvv_vq_disable_notify(vq);
		if (!m.wr_event_idx)
			fuzz_assert(get16(m.wr.used) ==
				    (flags | VRING_USED_F_NO_NOTIFY));
	}
	check_writes();
}

/* --- guest steps --- */

static u64 pick_gpa(struct fdp *f)
{
	static const u64 spots[] = {
		0x1f00, 0x1ff0, 0x2000, 0x2ff0, 0x3000, 0x10000, 0x10ff0,
		0x11000, 0xfff0, 0x10800, 0x10400,
	};
	unsigned int sel = fdp_u8(f);

	if (sel < 128)
		return 0x400 + fdp_u16(f) % 0x1c00;
	if (sel < 192)
		return spots[sel % ARRAY_SIZE(spots)] + fdp_u8(f) % 32;
	if (sel < 232)
		return 0x10000 + fdp_u16(f) % 0x1000;
	if (sel < 248)
		return TABLES + 0x100 * (sel % NR_TABLES);
	return fdp_u64(f);
}

static u32 pick_len(struct fdp *f)
{
	unsigned int sel = fdp_u8(f);

	if (sel < 128)
		return fdp_u8(f);
	if (sel < 176)
		return 16 * (fdp_u8(f) % (NUM_MAX_MAX + 2));
	if (sel < 240)
		return fdp_u16(f) % 0x2400;
	return fdp_u32(f);
}

static void write_desc(struct fdp *f, u64 gpa, u32 table_size)
{
	unsigned char d[16];
	unsigned int fl = fdp_u8(f);
	u64 addr = cpu_to_le64(pick_gpa(f));
	u32 len = cpu_to_le32(pick_len(f));
	u16 flags = fl & 3, next = fdp_u8(f) % (table_size + 1);
	void *p = gmem(gpa, 16);

	if ((fl & 0x1c) == 0x1c)
		flags |= VRING_DESC_F_INDIRECT;
	if (fl >= 0xf0)
		flags = fdp_u16(f);
	flags = cpu_to_le16(flags);
	next = cpu_to_le16(next);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	if (p)
		memcpy(p, d, 16);
}

/*
 * The guest fills its descriptor table and a few indirect tables, most
 * at the places pick_gpa() often points at.
 */
static void guest_fill(struct fdp *f)
{
	unsigned int i, t, n;
	u64 base;

	if (!m.enabled)
		return;
	for (i = 0; i < m.cfg.num; i++)
		write_desc(f, m.cfg.desc + 16 * i, m.cfg.num);
	for (t = fdp_u8(f) % (NR_TABLES + 1); t > 0; t--) {
		base = fdp_u8(f) < 200 ? TABLES + 0x100 * (t - 1) :
					 pick_gpa(f) & ~15ULL;
		n = fdp_u8(f) % (NUM_MAX_MAX + 1);
		for (i = 0; i < n; i++)
			write_desc(f, base + 16 * i, n);
	}
	put16(m.cfg.avail, fdp_u8(f) < 32 ? VRING_AVAIL_F_NO_INTERRUPT : 0);
	put16(m.cfg.avail + 4 + 2 * m.cfg.num, fdp_u8(f));
}

static void guest_post(struct fdp *f)
{
	u16 idx;

	if (!m.enabled)
		return;
	idx = get16(m.cfg.avail + 2);
	put16(m.cfg.avail + 4 + 2 * (idx % m.cfg.num),
	      fdp_u8(f) % (m.cfg.num + 1));
	put16(m.cfg.avail + 2, idx + 1);
}

static void guest_scribble(struct fdp *f)
{
	u64 gpa;

	switch (fdp_u8(f) % 4) {
	case 0:
		gpa = m.cfg.desc + fdp_u8(f) % (16 * m.cfg.num + 1);
		break;
	case 1:
		gpa = m.cfg.avail + fdp_u8(f) % (2 * m.cfg.num + 6);
		break;
	case 2:
		write_desc(f, pick_gpa(f) & ~15ULL, fdp_u8(f) % 17);
		return;
	default:
		gpa = pick_gpa(f);
		break;
	}
	put16(gpa, fdp_u16(f));
}

/* --- the target --- */

static bool setup(struct fdp *f)
{
	unsigned int b = fdp_u8(f);

	memset(&m, 0, sizeof(m));
	hv_calls_clear();
	m.num_max = 1U << (b % 5);
	m.indirect = b & 0x20;
	m.event_idx = b & 0x40;
	zone = hv_tzone();
	fuzz_assert(zone);
	if (hv_tdev_init(&dev, &hv_tdev_ops, zone, 1, m.num_max, 0)) {
		hvv_zone_destroy(zone);
		return false;
	}
	vq = &dev.vqs[0];
	reinit(f, false);
	guest_fill(f);
	return true;
}

static void device_step(struct fdp *f)
{
	switch (fdp_u8(f) % 6) {
	case 0:
		reinit(f, true);
		if (fdp_u8(f) & 1)
			guest_fill(f);
		break;
	case 1:
		hv_tdev_write(&dev, VIRTIO_MMIO_QUEUE_READY, 0);
		m.enabled = false;
		m.new_gen = true;
		if (fdp_u8(f) & 1)
			enable_queue();
		break;
	case 2:
		hvv_dev_broken(&dev, "backend failure");
		m.broken = true;
		break;
	case 3:
		hv_tdev_write(&dev, VIRTIO_MMIO_INTERRUPT_ACK, fdp_u8(f) & 3);
		break;
	default:
		guest_fill(f);
		break;
	}
	check_device();
}

int fuzz_one_input(const u8 *data, size_t size)
{
	unsigned int steps = 0;
	struct fdp f;

	fdp_init(&f, data, size);
	if (!setup(&f))
		return 0;
	while (fdp_more(&f) && steps++ < 512) {
		switch (fdp_u8(&f) % 16) {
		case 0:
		case 1:
			step_sync();
			break;
		case 2:
		case 3:
		case 4:
			if (m.running)
				step_pop();
			break;
		case 5:
			step_serve(&f);
			break;
		case 6:
			step_push(&f);
			break;
		case 7:
			if (fdp_u8(&f) < 192)
				step_flush();
			else
				step_complete(&f);
			break;
		case 8:
			if (m.running)
				step_notify(fdp_u8(&f) & 1);
			break;
		case 9:
			if (m.can_unpop) {
				struct hvv_chain last = { .head = m.head };

				hvv_vq_unpop(vq, &last);
				m.held[m.head] = false;
				m.last_avail--;
				m.can_unpop = false;
				m.have_chain = false;
			}
			break;
		case 10:
		case 11:
		case 12:
			guest_post(&f);
			break;
		case 13:
			guest_scribble(&f);
			break;
		default:
			device_step(&f);
			break;
		}
		check_device();
	}
	hv_tdev_fini(&dev);
	hvv_zone_destroy(zone);
	fuzz_assert(hv_shim_live_maps() == 0);
	return 0;
}
