// SPDX-License-Identifier: GPL-2.0
/*
 * sim_compat: the simulated hypervisor seen through its hvisor.ko-compatible
 * face. A small userspace responder of our own plays hvisor-tool's daemon
 * (mmap /dev/hvisor at 0, eventfd through HVISOR_SET_EVENTFD, the
 * need_wakeup sleep handshake) and answers the requests that raw-guest
 * accesses (HVSIM_MMIO) produce.
 *
 * Each test reloads hvisor_sim with register_provider=0, so that the bridge
 * belongs to /dev/hvisor, and restores the previous state afterwards.
 * Timeouts use HVSIM_MMIO's per-access timeout_ms, which the simulator
 * logs quietly: only its default timeout prints the "STALL:" line the test
 * runner treats as a failure.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/hvisor_sim.h>

#include "kselftest_harness.h"

/* hvisor-tool include/hvisor.h */
#define HVISOR_INIT_VIRTIO	_IO(1, 0)
#define HVISOR_FINISH_REQ	_IO(1, 2)
#define HVISOR_SET_EVENTFD	_IOW(1, 7, int)

#define MAX_REQ		32
#define MAX_CPUS	32

struct device_req {
	__u64 src_cpu;
	__u64 address;
	__u64 size;
	__u64 value;
	__u32 src_zone;
	__u8 is_write;
	__u8 need_interrupt;
	__u16 padding;
};

struct device_res {
	__u32 target_zone;
	__u32 irq_id;
};

struct bridge {
	__u32 req_front;
	__u32 req_rear;
	__u32 res_front;
	__u32 res_rear;
	struct device_req req_list[MAX_REQ];
	struct device_res res_list[MAX_REQ];
	__u64 cfg_flags[MAX_CPUS];
	__u64 cfg_values[MAX_CPUS];
	__u64 mmio_addrs[8];
	__u8 mmio_avail;
	__u8 need_wakeup;
};

static_assert(offsetof(struct bridge, cfg_flags) == 0x610, "layout");
static_assert(offsetof(struct bridge, need_wakeup) == 0x851, "layout");

#define ZONE		5
#define FIRST_CPU	4
#define ZONE_CPUS		2
#define RAM_GPA		0x40000000ULL
#define RAM_SIZE	0x100000ULL
#define MMIO_BASE	0x0a000000ULL
#define MMIO_SIZE	0x4000ULL
#define DEV2		(MMIO_BASE + 0x200)	/* not at region start */
#define ID_ZONE		6
#define ID_CPU		8
/* set by add_identity_zone(): above all RAM of the identity zone */
static __u64 guest_addr;
#define GUEST_ADDR	guest_addr
#define GUEST_IRQ	77
#define TEST_DEV_ID	0x7ff	/* no driver binds to it */

#define MAGIC		0x74726976
#define VENDOR		0x48564953
#define LOG_MAX		256

/* Our hvisor-tool daemon stand-in. */
struct responder {
	int fd;
	int efd;
	struct bridge *b;
	pthread_t th;
	int running;
	atomic_int stop;
	atomic_int paused;
	atomic_int nlog;
	struct device_req log[LOG_MAX];
	atomic_uint wakeups;
	/* the toy device at GUEST_ADDR */
	__u32 magic;
	__u32 status;
	atomic_uint int_status;
	__u32 feat_sel;
	atomic_uint isr_reads;
	atomic_uint isr_acks;
};

static __u64 dev_read(struct responder *r, __u64 addr)
{
	__u64 off;

	if (addr == MMIO_BASE || addr == DEV2)
		return MAGIC;
	if (addr < GUEST_ADDR || addr >= GUEST_ADDR + 0x200)
		return 0;
	off = addr - GUEST_ADDR;
	switch (off) {
	case 0x00:
		return r->magic;
	case 0x04:
		return 2;
	case 0x08:
		return TEST_DEV_ID;
	case 0x0c:
		return VENDOR;
	case 0x10:
		return r->feat_sel == 1 ? 1 : 0; /* VERSION_1 */
	case 0x34:
		return 0; /* no queues */
	case 0x60:
		atomic_fetch_add(&r->isr_reads, 1);
		return atomic_load(&r->int_status);
	case 0x70:
		return r->status;
	default:
		return 0;
	}
}

static void dev_write(struct responder *r, __u64 addr, __u64 v)
{
	if (addr < GUEST_ADDR || addr >= GUEST_ADDR + 0x200)
		return;
	switch (addr - GUEST_ADDR) {
	case 0x14:
		r->feat_sel = (__u32)v;
		break;
	case 0x64:
		atomic_fetch_and(&r->int_status, ~(__u32)v);
		atomic_fetch_add(&r->isr_acks, 1);
		break;
	case 0x70:
		r->status = (__u32)v;
		break;
	}
}

static void handle(struct responder *r, const struct device_req *q)
{
	int n = atomic_load(&r->nlog);
	__u64 v = 0;

	if (n < LOG_MAX) {
		r->log[n] = *q;
		atomic_store(&r->nlog, n + 1);
	}
	if (q->is_write)
		dev_write(r, q->address, q->value);
	else
		v = dev_read(r, q->address);
	if (q->need_interrupt || q->src_cpu >= MAX_CPUS)
		return;
	r->b->cfg_values[q->src_cpu] = v;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&r->b->cfg_flags[q->src_cpu],
			 r->b->cfg_flags[q->src_cpu] + 1, __ATOMIC_RELEASE);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *responder_main(void *arg)
{
	struct responder *r = arg;
	struct bridge *b = r->b;
	long idle_since = 0;

	while (!atomic_load(&r->stop)) {
		__u32 front, rear;

		if (atomic_load(&r->paused)) {
			usleep(1000);
			continue;
		}
		front = __atomic_load_n(&b->req_front, __ATOMIC_RELAXED);
		rear = __atomic_load_n(&b->req_rear, __ATOMIC_ACQUIRE);
		if (front != rear) {
			struct device_req q = b->req_list[front];

			handle(r, &q);
			__atomic_store_n(&b->req_front, (front + 1) & (MAX_REQ - 1),
					 __ATOMIC_RELEASE);
			idle_since = 0;
			continue;
		}
		/*
		 * Spin for 1-2 ms, by the clock: a count of yields
		 * lasts anything from microseconds to most of the gap
		 * between a test's accesses under TCG.
		 */
		if (!idle_since)
			idle_since = now_ms();
		if (now_ms() - idle_since < 2) {
			sched_yield();
			continue;
		}
		/* The Dekker handshake of hvisor-tool PR #80. */
		__atomic_store_n(&b->need_wakeup, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&b->req_rear, __ATOMIC_RELAXED) == front) {
			struct pollfd p = { .fd = r->efd, .events = POLLIN };
			__u64 cnt;

			if (poll(&p, 1, 200) == 1 &&
			    read(r->efd, &cnt, sizeof(cnt)) == sizeof(cnt))
				atomic_fetch_add(&r->wakeups, 1);
		}
		__atomic_store_n(&b->need_wakeup, 0, __ATOMIC_RELAXED);
		idle_since = 0;
	}
	return NULL;
}

/* INIT_VIRTIO, eventfd, mmap; the thread only if @start. */
static int responder_open(struct responder *r, int start)
{
	memset(r, 0, sizeof(*r));
	r->magic = MAGIC;
	r->fd = open("/dev/hvisor", O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (ioctl(r->fd, HVISOR_INIT_VIRTIO))
		return -errno;
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0 || ioctl(r->fd, HVISOR_SET_EVENTFD, r->efd))
		return -errno;
	r->b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->b == MAP_FAILED) {
		r->b = NULL;
		return -errno;
	}
	if (start) {
		if (pthread_create(&r->th, NULL, responder_main, r))
			return -1;
		r->running = 1;
	}
	return 0;
}

static void responder_start(struct responder *r)
{
	if (!r->running && !pthread_create(&r->th, NULL, responder_main, r))
		r->running = 1;
}

static void responder_close(struct responder *r)
{
	if (r->running) {
		atomic_store(&r->stop, 1);
		pthread_join(r->th, NULL);
	}
	if (r->b)
		munmap(r->b, 4096);
	if (r->efd > 0)
		close(r->efd);
	if (r->fd > 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
}

/* Push one result to res_list. */
static int responder_push(struct responder *r, __u32 zone, __u32 irq)
{
	struct bridge *b = r->b;
	__u32 rear = b->res_rear;

	if (((rear + 1) & (MAX_REQ - 1)) ==
	    __atomic_load_n(&b->res_front, __ATOMIC_ACQUIRE))
		return -ENOSPC;
	b->res_list[rear].target_zone = zone;
	b->res_list[rear].irq_id = irq;
	__atomic_store_n(&b->res_rear, (rear + 1) & (MAX_REQ - 1),
			 __ATOMIC_RELEASE);
	return 0;
}

/* virtio_inject_irq(): push a result and FINISH_REQ. */
static int responder_inject(struct responder *r, __u32 zone, __u32 irq)
{
	int ret = responder_push(r, zone, irq);

	if (ret)
		return ret;
	return ioctl(r->fd, HVISOR_FINISH_REQ) ? -errno : 0;
}

static int ring_count(struct bridge *b)
{
	return (__atomic_load_n(&b->req_rear, __ATOMIC_ACQUIRE) - b->req_front) &
	       (MAX_REQ - 1);
}

static int sim_access(int fd, __u32 zone, __u32 cpu, __u64 addr,
		      __u32 size, int write, __u64 *val, __u32 tmo)
{
	struct hvsim_mmio m = {
		.zone_id = zone, .cpu = cpu, .addr = addr, .size = size,
		.is_write = write, .value = val ? *val : 0, .timeout_ms = tmo,
	};

	if (ioctl(fd, HVSIM_MMIO, &m))
		return -errno;
	if (val)
		*val = m.value;
	return 0;
}

static int sim_stats(int fd, struct hvsim_stats *st)
{
	return ioctl(fd, HVSIM_STATS, st) ? -errno : 0;
}

/* ------------------------------------------------------------------ */

static int param_is(const char *want)
{
	char buf[8] = "";
	FILE *f = fopen("/sys/module/hvisor_sim/parameters/register_provider", "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return buf[0] == want[0];
}

static int sim_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/hvisor_sim", &st);
}

FIXTURE(sim)
{
	int was_loaded;
	int was_provider;
	int fd;		/* /dev/hvisor_sim, bound to ZONE */
	struct responder r;
};

FIXTURE_SETUP(sim)
{
	struct hvsim_zone z = {
		.zone_id = ZONE,
		.flags = HVSIM_ZONE_F_FD_OWNED,
		.first_cpu = FIRST_CPU,
		.nr_cpus = ZONE_CPUS,
		.nr_regions = 1,
		.regions = { { .gpa = RAM_GPA, .size = RAM_SIZE } },
	};
	struct hvsim_mmio_region mr = {
		.zone_id = ZONE, .base = MMIO_BASE, .size = MMIO_SIZE,
	};

	self->fd = -1;
	self->was_loaded = sim_loaded();
	self->was_provider = self->was_loaded && param_is("Y");
	if (system("rmmod hvisor_sim 2>/dev/null; modprobe hvisor_sim register_provider=0"))
		SKIP(return, "cannot load hvisor_sim register_provider=0");
	ASSERT_TRUE(param_is("N"));

	self->fd = open("/dev/hvisor_sim", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	ASSERT_EQ(FIRST_CPU, z.first_cpu);
	ASSERT_EQ(1, z.nr_regions);
	ASSERT_NE(0, z.regions[0].hpa);
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_ZONE_ADD_MMIO, &mr));
}

FIXTURE_TEARDOWN(sim)
{
	int ret;

	responder_close(&self->r);
	if (self->fd >= 0)
		close(self->fd);
	if (self->was_loaded)
		ret = system(self->was_provider ?
			     "rmmod hvisor_sim && modprobe hvisor_sim" :
			     "rmmod hvisor_sim && modprobe hvisor_sim register_provider=0");
	else
		ret = system("rmmod hvisor_sim");
	EXPECT_EQ(0, ret);
}

TEST_F(sim, magic_read)
{
	struct device_req *q;
	__u64 v = 0;

	ASSERT_EQ(0, responder_open(&self->r, 1));
	ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 4, 0, &v, 0));
	EXPECT_EQ(MAGIC, v);
	ASSERT_EQ(1, atomic_load(&self->r.nlog));
	q = &self->r.log[0];
	EXPECT_EQ(FIRST_CPU, q->src_cpu);
	EXPECT_EQ(MMIO_BASE, q->address);
	EXPECT_EQ(4, q->size);
	EXPECT_EQ(ZONE, q->src_zone);
	EXPECT_EQ(0, q->is_write);
	EXPECT_EQ(0, q->need_interrupt);

	/* the other CPU, an unknown register: answered with 0 */
	v = 0xdead;
	ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU + 1, MMIO_BASE + 0x1000,
				4, 0, &v, 0));
	EXPECT_EQ(0, v);
	EXPECT_EQ(FIRST_CPU + 1, self->r.log[1].src_cpu);
	EXPECT_EQ(MMIO_BASE + 0x1000, self->r.log[1].address);

	/* a write carries the full value */
	v = 0x1122334455667788ULL;
	ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE + 0x70, 4, 1,
				&v, 0));
	EXPECT_EQ(1, self->r.log[2].is_write);
	EXPECT_EQ(0x1122334455667788ULL, self->r.log[2].value);
}

TEST_F(sim, wakeup_irq_reaches_eventfd)
{
	struct hvsim_stats st0, st1;
	__u64 v = 0;
	int i;

	ASSERT_EQ(0, responder_open(&self->r, 1));
	ASSERT_EQ(0, sim_stats(self->fd, &st0));
	EXPECT_EQ(HVSIM_OWNER_COMPAT, st0.bridge_owner);
	EXPECT_EQ(1, st0.bridge_registered);
	/* Let the responder fall asleep between accesses. */
	for (i = 0; i < 5; i++) {
		usleep(50000);
		ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 4, 0,
					&v, 0));
		EXPECT_EQ(MAGIC, v);
	}
	ASSERT_EQ(0, sim_stats(self->fd, &st1));
	EXPECT_LE(1, st1.wakeups - st0.wakeups);
	EXPECT_LE(1, atomic_load(&self->r.wakeups));
	EXPECT_EQ(5, st1.requests - st0.requests);
}

TEST_F(sim, irq_round_trip)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	struct hvsim_irq_event ev[4];
	struct hvsim_stats st0, st1;

	ASSERT_EQ(0, responder_open(&self->r, 1));
	ASSERT_EQ(0, sim_stats(self->fd, &st0));
	ASSERT_EQ(0, responder_inject(&self->r, ZONE, 78));
	ASSERT_EQ(1, poll(&p, 1, 2000));
	ASSERT_EQ(sizeof(ev[0]), read(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(ZONE, ev[0].zone_id);
	EXPECT_EQ(78, ev[0].irq);

	/* Same IRQ twice in one drain: hvisor's list holds it once. */
	ASSERT_EQ(0, responder_push(&self->r, 9, 1));	/* no such zone */
	ASSERT_EQ(0, responder_push(&self->r, ZONE, 79));
	ASSERT_EQ(0, responder_push(&self->r, ZONE, 79));
	ASSERT_EQ(0, ioctl(self->r.fd, HVISOR_FINISH_REQ));
	ASSERT_EQ(1, poll(&p, 1, 2000));
	usleep(100000);
	ASSERT_EQ(sizeof(ev[0]), read(self->fd, ev, sizeof(ev)));
	EXPECT_EQ(79, ev[0].irq);
	EXPECT_EQ(0, poll(&p, 1, 100));
	ASSERT_EQ(0, sim_stats(self->fd, &st1));
	EXPECT_EQ(1, st1.dropped_results - st0.dropped_results);
	EXPECT_EQ(2, st1.injections - st0.injections);
	EXPECT_EQ(0, st1.pending_irq_overflow);
	EXPECT_EQ(self->r.b->res_rear, self->r.b->res_front);
}

TEST_F(sim, notify_at_region_offset_0x50_is_async)
{
	__u64 v = 1, flags;
	struct device_req *q;
	long t0;

	ASSERT_EQ(0, responder_open(&self->r, 0));	/* nobody answers */
	flags = self->r.b->cfg_flags[FIRST_CPU];
	t0 = now_ms();
	ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE + 0x50, 4, 1,
				&v, 2000));
	EXPECT_GT(1000, now_ms() - t0);
	ASSERT_EQ(1, ring_count(self->r.b));
	q = &self->r.b->req_list[self->r.b->req_front];
	EXPECT_EQ(1, q->need_interrupt);
	EXPECT_EQ(1, q->is_write);
	EXPECT_EQ(MMIO_BASE + 0x50, q->address);
	EXPECT_EQ(flags, self->r.b->cfg_flags[FIRST_CPU]);

	/* QueueNotify of a device at region offset 0x200 is synchronous. */
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, sim_access(self->fd, ZONE, FIRST_CPU, DEV2 + 0x50, 4,
					 1, &v, 300));
	EXPECT_LE(250, now_ms() - t0);
	ASSERT_EQ(2, ring_count(self->r.b));
	q = &self->r.b->req_list[(self->r.b->req_front + 1) & (MAX_REQ - 1)];
	EXPECT_EQ(0, q->need_interrupt);
	EXPECT_EQ(DEV2 + 0x50, q->address);

	/* Its request is still outstanding: that vCPU cannot issue another. */
	EXPECT_EQ(-EBUSY, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 4, 0,
				     &v, 300));
	/* Once the backend answers it, the CPU is usable again. */
	responder_start(&self->r);
	for (t0 = now_ms(); ring_count(self->r.b) && now_ms() - t0 < 3000;)
		usleep(1000);
	usleep(10000);
	ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 4, 0, &v, 0));
	EXPECT_EQ(MAGIC, v);
	EXPECT_EQ(1, self->r.log[0].need_interrupt);
	EXPECT_EQ(0, self->r.log[1].need_interrupt);
}

struct pusher {
	int fd;
	atomic_int done;
	int ret;
};

static void *push_32nd(void *arg)
{
	struct pusher *p = arg;
	__u64 v = 0;

	p->ret = sim_access(p->fd, ZONE, FIRST_CPU + 1, MMIO_BASE + 0x50, 4, 1,
			    &v, 10000);
	atomic_store(&p->done, 1);
	return NULL;
}

TEST_F(sim, ring_full_backpressure)
{
	struct pusher p = { .fd = self->fd };
	struct hvsim_stats st;
	pthread_t th;
	__u64 v = 0;
	long t0;
	int i;

	ASSERT_EQ(0, responder_open(&self->r, 0));
	for (i = 0; i < MAX_REQ - 1; i++) {
		v = i & 1;
		ASSERT_EQ(0, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE + 0x50,
					4, 1, &v, 1000));
	}
	ASSERT_EQ(MAX_REQ - 1, ring_count(self->r.b));
	ASSERT_EQ(0, pthread_create(&th, NULL, push_32nd, &p));
	usleep(300000);
	EXPECT_EQ(0, atomic_load(&p.done));
	ASSERT_EQ(0, sim_stats(self->fd, &st));
	EXPECT_LE(1, st.ring_full_waits);

	responder_start(&self->r);
	for (t0 = now_ms(); !atomic_load(&p.done) && now_ms() - t0 < 5000;)
		usleep(1000);
	pthread_join(th, NULL);
	EXPECT_EQ(0, p.ret);
	for (t0 = now_ms(); atomic_load(&self->r.nlog) < MAX_REQ &&
	     now_ms() - t0 < 3000;)
		usleep(1000);
	ASSERT_EQ(MAX_REQ, atomic_load(&self->r.nlog));
	for (i = 0; i < MAX_REQ; i++)
		EXPECT_EQ(1, self->r.log[i].need_interrupt);
	EXPECT_EQ(FIRST_CPU + 1, self->r.log[MAX_REQ - 1].src_cpu);
}

TEST_F(sim, stall_times_out)
{
	struct hvsim_stats st0, st1;
	__u64 v = 0;
	long t0;

	ASSERT_EQ(0, responder_open(&self->r, 0));
	ASSERT_EQ(0, sim_stats(self->fd, &st0));
	t0 = now_ms();
	EXPECT_EQ(-ETIMEDOUT, sim_access(self->fd, ZONE, FIRST_CPU + 1, MMIO_BASE,
					 4, 0, &v, 200));
	EXPECT_LE(190, now_ms() - t0);
	EXPECT_GT(3000, now_ms() - t0);
	ASSERT_EQ(0, sim_stats(self->fd, &st1));
	EXPECT_EQ(1, st1.timeouts - st0.timeouts);
	EXPECT_EQ(st0.stalls, st1.stalls);
}

TEST_F(sim, no_bridge_yet)
{
	__u64 v = 0;

	EXPECT_EQ(-ENXIO, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 4, 0,
				     &v, 100));
}

TEST_F(sim, bad_inputs)
{
	struct hvsim_zone z = {
		.zone_id = 7, .first_cpu = 12, .nr_cpus = 1, .nr_regions = 1,
		.regions = { { .gpa = 0x80000000ULL, .size = 0x10000 } },
	};
	struct hvsim_mmio_region mr = { .zone_id = ZONE };
	struct hvsim_guest g = { .zone_id = ZONE, .irq = 5, .addr = 0xc000000 };
	char buf[16];
	__u64 v = 0;
	int fd;

	ASSERT_EQ(0, responder_open(&self->r, 1));
	/* HVSIM_MMIO */
	EXPECT_EQ(-ENOENT, sim_access(self->fd, 9, FIRST_CPU, MMIO_BASE, 4, 0, &v, 100));
	EXPECT_EQ(-EINVAL, sim_access(self->fd, ZONE, FIRST_CPU + ZONE_CPUS, MMIO_BASE,
				      4, 0, &v, 100));
	EXPECT_EQ(-EINVAL, sim_access(self->fd, ZONE, FIRST_CPU - 1, MMIO_BASE, 4, 0,
				      &v, 100));
	EXPECT_EQ(-EFAULT, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE + MMIO_SIZE,
				      4, 0, &v, 100));
	EXPECT_EQ(-EFAULT, sim_access(self->fd, ZONE, FIRST_CPU, RAM_GPA, 4, 0, &v, 100));
	EXPECT_EQ(-EINVAL, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 0, 0, &v, 100));
	EXPECT_EQ(-EINVAL, sim_access(self->fd, ZONE, FIRST_CPU, MMIO_BASE, 9, 0, &v, 100));

	/* HVSIM_ZONE_ADD_MMIO */
	mr.base = MMIO_BASE + 0x1000;
	mr.size = 0x1000;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_ADD_MMIO, &mr));
	EXPECT_EQ(EBUSY, errno);
	mr.base = RAM_GPA;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_ADD_MMIO, &mr));
	EXPECT_EQ(EBUSY, errno);
	mr.base = 0x20000000;
	mr.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_ADD_MMIO, &mr));
	EXPECT_EQ(EINVAL, errno);
	mr.size = 0x1000;
	mr.zone_id = 9;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_ADD_MMIO, &mr));
	EXPECT_EQ(ENOENT, errno);

	/* HVSIM_ZONE_CREATE: each broken in one way; then the good one */
	z.zone_id = ZONE;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EEXIST, errno);
	z.zone_id = 0;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EINVAL, errno);
	z.zone_id = 32;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EINVAL, errno);
	z.zone_id = 7;
	z.first_cpu = FIRST_CPU + 1;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EBUSY, errno);
	z.first_cpu = 31;
	z.nr_cpus = 2;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EINVAL, errno);
	z.first_cpu = 12;
	z.nr_cpus = 1;
	z.regions[0].gpa = 0x80000800ULL;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EINVAL, errno);
	z.regions[0].gpa = 0x80000000ULL;
	z.nr_regions = 2;
	z.regions[1].gpa = 0x8000f000ULL;
	z.regions[1].size = 0x2000;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EBUSY, errno);
	z.nr_regions = 1;
	z.regions[0].size = 64ULL << 20;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EINVAL, errno);
	z.regions[0].size = 0x10000;
	z.flags = 0x80;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EINVAL, errno);
	z.flags = HVSIM_ZONE_F_FD_OWNED;	/* this fd is bound already */
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(EBUSY, errno);
	z.flags = 0;
	EXPECT_EQ(0, ioctl(self->fd, HVSIM_ZONE_CREATE, &z));
	EXPECT_EQ(0, ioctl(self->fd, HVSIM_ZONE_DESTROY, 7));
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_DESTROY, 7));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_BIND, 7));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_ZONE_BIND, ZONE));	/* bound */
	EXPECT_EQ(EBUSY, errno);

	/* in-kernel guests need an identity zone */
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
	EXPECT_EQ(EINVAL, errno);
	g.zone_id = 9;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_DEL, &g));
	EXPECT_EQ(ENOENT, errno);

	EXPECT_EQ(-1, ioctl(self->fd, _IO(HVSIM_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->r.fd, _IO(1, 1)));	/* HVISOR_GET_TASK */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->r.fd, HVISOR_SET_EVENTFD, -1));
	EXPECT_EQ(EBADF, errno);

	/* an unbound file has no events and no RAM */
	fd = open("/dev/hvisor_sim", O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADFD, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, RAM_GPA));
	close(fd);
	/* a bound one maps only inside its RAM */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->fd,
				   RAM_GPA + RAM_SIZE - 4096));
}

TEST_F(sim, zone_ram_shared_with_compat_mmap)
{
	struct hvsim_zone info = { .zone_id = ZONE };
	__u32 *a, *b;

	ASSERT_EQ(0, responder_open(&self->r, 0));
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_ZONE_INFO, &info));
	ASSERT_EQ(1, info.nr_regions);
	EXPECT_EQ(RAM_GPA, info.regions[0].gpa);
	EXPECT_EQ(1, info.nr_mmio);
	EXPECT_EQ(MMIO_BASE, info.mmio[0].base);
	EXPECT_EQ(FIRST_CPU, info.first_cpu);

	a = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 RAM_GPA);
	ASSERT_NE(MAP_FAILED, a);
	b = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->r.fd,
		 info.regions[0].hpa);
	ASSERT_NE(MAP_FAILED, b);
	/* Two mappings of the same page: atomics keep the compiler honest. */
	EXPECT_EQ(0, __atomic_load_n(&a[100], __ATOMIC_SEQ_CST));
	__atomic_store_n(&a[100], 0x5a5aa5a5, __ATOMIC_SEQ_CST);
	EXPECT_EQ(0x5a5aa5a5, __atomic_load_n(&b[100], __ATOMIC_SEQ_CST));
	/* /dev/hvisor maps no other memory */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->r.fd,
				   info.regions[0].hpa + RAM_SIZE));
	munmap((void *)a, RAM_SIZE);
	munmap((void *)b, RAM_SIZE);
}

/* A persistent identity zone for the in-kernel guest. */
static int add_identity_zone(int fd)
{
	struct hvsim_zone z = {
		.zone_id = ID_ZONE, .flags = HVSIM_ZONE_F_IDENTITY,
		.first_cpu = ID_CPU, .nr_cpus = 1,
	};
	__u32 i;

	if (ioctl(fd, HVSIM_ZONE_CREATE, &z))
		return -errno;
	if (!z.nr_regions)
		return -ENOMEM;
	guest_addr = 0;
	for (i = 0; i < z.nr_regions; i++) {
		if (z.regions[i].gpa != z.regions[i].hpa || !z.regions[i].size)
			return -EINVAL;
		if (z.regions[i].gpa + z.regions[i].size > guest_addr)
			guest_addr = z.regions[i].gpa + z.regions[i].size;
	}
	/* virtio windows may not overlap the zone's RAM */
	guest_addr = (guest_addr + (32ULL << 20)) & ~((16ULL << 20) - 1);
	return 0;
}

/* The root-physical address of one of our own pages (root: pagemap has PFNs). */
static __u64 own_page_pa(void *page)
{
	__u64 entry = 0;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (uintptr_t)page / 4096 * sizeof(entry)) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * 4096;
}

/*
 * mmap one page of @fd at @pa in a child without CAP_SYS_RAWIO in its
 * effective set; the child's errno (0 if it mapped).
 */
static int mmap_without_rawio(int fd, __u64 pa)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (syscall(SYS_capget, &hdr, data))
			_exit(255);
		data[CAP_SYS_RAWIO / 32].effective &= ~(1U << (CAP_SYS_RAWIO % 32));
		if (syscall(SYS_capset, &hdr, data))
			_exit(254);
		_exit(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, pa) ==
		      MAP_FAILED ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * hvisor-tool's daemon maps each zone's RAM by root-physical address; an
 * identity zone's RAM is the root's own, so a page of this process,
 * mapped again through /dev/hvisor at its physical address, is the same
 * memory both ways. Outside the zone's RAM nothing is mapped.
 */
TEST_F(sim, identity_zone_ram_maps_through_compat)
{
	struct hvsim_zone info = { .zone_id = ID_ZONE };
	__u32 *own, *m;
	__u64 pa;
	__u32 i;
	int inside = 0;

	ASSERT_EQ(0, responder_open(&self->r, 0));
	ASSERT_EQ(0, add_identity_zone(self->fd));
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_ZONE_INFO, &info));
	own = aligned_alloc(4096, 4096);
	ASSERT_NE(NULL, own);
	memset(own, 0, 4096);
	ASSERT_EQ(0, mlock(own, 4096));
	pa = own_page_pa(own);
	ASSERT_NE(0, pa);
	for (i = 0; i < info.nr_regions; i++)
		if (pa >= info.regions[i].hpa &&
		    pa + 4096 <= info.regions[i].hpa + info.regions[i].size)
			inside = 1;
	ASSERT_EQ(1, inside);

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->r.fd, pa);
	ASSERT_NE(MAP_FAILED, m);
	/* two mappings of one page: atomics keep the compiler honest */
	__atomic_store_n(&own[7], 0x1dea1dea, __ATOMIC_SEQ_CST);
	EXPECT_EQ(0x1dea1dea, __atomic_load_n(&m[7], __ATOMIC_SEQ_CST));
	__atomic_store_n(&m[9], 0xc0ffee, __ATOMIC_SEQ_CST);
	EXPECT_EQ(0xc0ffee, __atomic_load_n(&own[9], __ATOMIC_SEQ_CST));
	munmap(m, 4096);

	/* the root's RAM needs CAP_SYS_RAWIO, as /dev/mem does */
	EXPECT_EQ(EPERM, mmap_without_rawio(self->r.fd, pa));

	/* above the zone's RAM (where its devices go): refused */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->r.fd, GUEST_ADDR));
	/* the zone gone, its RAM is no zone's */
	EXPECT_EQ(0, ioctl(self->fd, HVSIM_ZONE_DESTROY, ID_ZONE));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->r.fd, pa));
	free(own);
}

TEST_F(sim, guest_add_without_device_fails)
{
	struct hvsim_guest g = { .zone_id = ID_ZONE, .irq = GUEST_IRQ };
	struct hvsim_zone info = { .zone_id = ID_ZONE };

	ASSERT_EQ(0, responder_open(&self->r, 1));
	self->r.magic = 0;	/* as the daemon answers unknown addresses */
	ASSERT_EQ(0, add_identity_zone(self->fd));
	g.addr = GUEST_ADDR;
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
	EXPECT_EQ(ENODEV, errno);
	/* nothing left behind: the region it added is gone */
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_ZONE_INFO, &info));
	EXPECT_EQ(0, info.nr_mmio);
	/* a guest inside a region but not at its start is refused */
	{
		struct hvsim_mmio_region mr = {
			.zone_id = ID_ZONE, .base = GUEST_ADDR - 0x200, .size = 0x1000,
		};

		ASSERT_EQ(0, ioctl(self->fd, HVSIM_ZONE_ADD_MMIO, &mr));
		EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(0, ioctl(self->fd, HVSIM_ZONE_DESTROY, ID_ZONE));
}

TEST_F(sim, guest_registers_and_takes_interrupts)
{
	struct hvsim_guest g = { .zone_id = ID_ZONE, .irq = GUEST_IRQ };
	char cmd[256];
	long t0;

	ASSERT_EQ(0, responder_open(&self->r, 1));
	ASSERT_EQ(0, add_identity_zone(self->fd));
	g.addr = GUEST_ADDR;
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
	EXPECT_EQ(EEXIST, errno);
	snprintf(cmd, sizeof(cmd),
		 "grep -qx 0x%04x /sys/bus/virtio/devices/*/device", TEST_DEV_ID);
	EXPECT_EQ(0, system(cmd));
	/* register_virtio_device() reset it and set ACKNOWLEDGE */
	EXPECT_EQ(1, self->r.status & 1);

	/* interrupt: read InterruptStatus, ACK it, in a thread */
	atomic_store(&self->r.int_status, 1);
	ASSERT_EQ(0, responder_inject(&self->r, ID_ZONE, GUEST_IRQ));
	for (t0 = now_ms(); atomic_load(&self->r.isr_acks) < 1 && now_ms() - t0 < 3000;)
		usleep(1000);
	EXPECT_LE(1, atomic_load(&self->r.isr_reads));
	EXPECT_EQ(1, atomic_load(&self->r.isr_acks));
	EXPECT_EQ(0, atomic_load(&self->r.int_status));

	ASSERT_EQ(0, ioctl(self->fd, HVSIM_GUEST_DEL, &g));
	EXPECT_NE(0, system(cmd));
	EXPECT_EQ(-1, ioctl(self->fd, HVSIM_GUEST_DEL, &g));
	EXPECT_EQ(ENOENT, errno);

	/* zone destruction takes its guests along */
	ASSERT_EQ(0, ioctl(self->fd, HVSIM_GUEST_ADD, &g));
	EXPECT_EQ(0, ioctl(self->fd, HVSIM_ZONE_DESTROY, ID_ZONE));
	EXPECT_NE(0, system(cmd));
}

TEST_HARNESS_MAIN
