// SPDX-License-Identifier: GPL-2.0
/*
 * Register-read round trip: a vCPU reads MagicValue, the trap goes through
 * the bridge and back. Measured in one run for
 *   - hvisor_vhost in the kernel (requests served by the wake-up IRQ, the
 *     default; by the dispatcher thread alone, irq_share_pct=0; with
 *     adaptive polling, poll_us=50 and 1000);
 *   - hvisor-tool's architecture: a userspace daemon on /dev/hvisor (the
 *     simulator's hvisor.ko face) woken by an eventfd, with hvisor-tool's
 *     busy-poll after every request and without it.
 * Every value read is checked; the figures are printed with ratios.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "hv_guest.h"

#define RTT_READS	1000
#define RTT_MAGIC	0x74726976

/* hvisor-tool include/hvisor.h */
#define HVISOR_INIT_VIRTIO	_IO(1, 0)
#define HVISOR_SET_EVENTFD	_IOW(1, 7, int)
#define DAEMON_POLL_COUNT	10000000	/* hvisor-tool MAX_POLL_COUNT */

struct rtt {
	double avg, p50, p99;
};

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Time RTT_READS MagicValue reads by @cpu of @zone at @addr. */
static int measure(int sim_fd, __u32 zone, __u32 cpu, __u64 addr,
		   struct rtt *out)
{
	static __u64 t[RTT_READS];
	__u64 sum = 0;
	int i;

	for (i = 0; i < RTT_READS; i++) {
		struct hvsim_mmio m = {
			.zone_id = zone, .cpu = cpu, .addr = addr, .size = 4,
		};
		__u64 t0 = now_ns();

		if (ioctl(sim_fd, HVSIM_MMIO, &m) || m.value != RTT_MAGIC)
			return -1;
		t[i] = now_ns() - t0;
		sum += t[i];
	}
	qsort(t, RTT_READS, sizeof(t[0]), cmp_u64);
	out->avg = sum / 1000.0 / RTT_READS;
	out->p50 = t[RTT_READS / 2] / 1000.0;
	out->p99 = t[RTT_READS * 99 / 100] / 1000.0;
	return 0;
}

static void print_rtt(const char *what, const struct rtt *r,
		      const struct rtt *base)
{
	printf("# %-42s avg %8.1f us  p50 %8.1f us  p99 %8.1f us  (p50 x%.2f of row 1)\n",
	       what, r->avg, r->p50, r->p99, r->p50 / base->p50);
}

static void set_param(const char *name, const char *v)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/hvisor_vhost/parameters/%s",
		 name);
	f = fopen(path, "w");
	if (f) {
		fputs(v, f);
		fclose(f);
	}
}

/* The parameter's value into @buf (size 16), "" if it cannot be read. */
static void get_param(const char *name, char *buf)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/hvisor_vhost/parameters/%s",
		 name);
	if (hvg_read_file(path, buf, 16))
		buf[0] = 0;
}

static void set_poll_us(const char *v)
{
	set_param("poll_us", v);
}

/* A responder shaped like hvisor-tool's daemon (tools/virtio/virtio.c). */
struct daemon {
	__u32 *req_front, *req_rear;
	__u8 *need_wakeup;
	__u64 *cfg_flags, *cfg_values;
	char *base;
	int evfd;
	long poll_count;
	atomic_int stop;
};

static void daemon_serve(struct daemon *d, __u32 front)
{
	char *req = d->base + 0x10 + 40 * front;
	__u64 cpu = __atomic_load_n((__u64 *)req, __ATOMIC_RELAXED);

	if (__atomic_load_n((__u8 *)(req + 0x25), __ATOMIC_RELAXED))
		return;		/* need_interrupt: asynchronous */
	/* Only MagicValue is read. The value before the flag. */
	__atomic_store_n(&d->cfg_values[cpu], RTT_MAGIC, __ATOMIC_RELAXED);
	__atomic_store_n(&d->cfg_flags[cpu], d->cfg_flags[cpu] + 1,
			 __ATOMIC_RELEASE);
}

static void *daemon_thread(void *arg)
{
	struct daemon *d = arg;
	__u32 front = __atomic_load_n(d->req_front, __ATOMIC_RELAXED);
	cpu_set_t set;
	__u64 v;
	long idle = 0;

	/* hvisor-tool pins its threads to a root CPU. */
	CPU_ZERO(&set);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) - 1, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!atomic_load(&d->stop)) {
		__u32 rear = __atomic_load_n(d->req_rear, __ATOMIC_ACQUIRE);

		if (front != rear) {
			daemon_serve(d, front);
			front = (front + 1) & 31;
			__atomic_store_n(d->req_front, front, __ATOMIC_RELEASE);
			idle = 0;
			continue;
		}
		if (++idle < d->poll_count)
			continue;
		__atomic_store_n(d->need_wakeup, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(d->req_rear, __ATOMIC_ACQUIRE) == front) {
			struct pollfd p = { .fd = d->evfd, .events = POLLIN };

			if (poll(&p, 1, 100) == 1 &&
			    read(d->evfd, &v, sizeof(v)) < 0)
				break;
		}
		__atomic_store_n(d->need_wakeup, 0, __ATOMIC_RELAXED);
		idle = 0;
	}
	return NULL;
}

/* Time the userspace daemon path; returns 0 or -1. */
static int measure_daemon(long poll_count, struct rtt *out)
{
	struct hvsim_zone sz = {
		.zone_id = 7, .flags = HVSIM_ZONE_F_FD_OWNED,
		.first_cpu = HVG_FIRST_CPU, .nr_cpus = 1, .nr_regions = 1,
		.regions = { { .gpa = HVG_RAM_GPA, .size = HVG_RAM_SIZE } },
	};
	struct hvsim_mmio_region mr = {
		.zone_id = 7, .base = HVG_MMIO_BASE, .size = HVG_MMIO_SIZE,
	};
	struct daemon d = {
		.poll_count = poll_count, .base = MAP_FAILED, .evfd = -1,
	};
	int hv_fd, sim_fd, ret = -1;
	pthread_t thread;

	hv_fd = open("/dev/hvisor", O_RDWR);
	sim_fd = open("/dev/hvisor_sim", O_RDWR);
	if (hv_fd < 0 || sim_fd < 0 || ioctl(hv_fd, HVISOR_INIT_VIRTIO))
		goto out;
	d.base = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, hv_fd, 0);
	d.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d.base == MAP_FAILED || d.evfd < 0 ||
	    ioctl(hv_fd, HVISOR_SET_EVENTFD, d.evfd))
		goto out;
	d.req_front = (__u32 *)d.base;
	d.req_rear = (__u32 *)(d.base + 4);
	d.cfg_flags = (__u64 *)(d.base + 0x610);
	d.cfg_values = (__u64 *)(d.base + 0x710);
	d.need_wakeup = (__u8 *)(d.base + 0x851);
	if (ioctl(sim_fd, HVSIM_ZONE_CREATE, &sz) ||
	    ioctl(sim_fd, HVSIM_ZONE_ADD_MMIO, &mr))
		goto out;
	if (pthread_create(&thread, NULL, daemon_thread, &d))
		goto out;
	ret = measure(sim_fd, 7, HVG_FIRST_CPU, HVG_MMIO_BASE, out);
	atomic_store(&d.stop, 1);
	pthread_join(thread, NULL);
out:
	if (d.base != MAP_FAILED)
		munmap(d.base, 4096);
	if (d.evfd >= 0)
		close(d.evfd);
	if (sim_fd >= 0)
		close(sim_fd);
	if (hv_fd >= 0)
		close(hv_fd);
	return ret;
}

TEST(register_read_round_trip)
{
	struct rtt kern, kern_thread, kern_poll, kern_poll1k, daemon_poll,
		daemon_sleep;
	__u64 irq0, irq1, irq2;
	struct hvg_dev con;
	char share[16];
	struct hvg g;
	int ret;

	ASSERT_EQ(0, hvg_setup(&g, 7));
	ASSERT_EQ(0, hvg_add_console(&g, HVG_MMIO_BASE, HVG_DEV_LEN, 40, &con));
	set_poll_us("0");
	get_param("irq_share_pct", share);
	irq0 = hvg_bridge_stat("irq_requests");
	ret = measure(g.sim_fd, 7, g.cpu, HVG_MMIO_BASE, &kern);
	irq1 = hvg_bridge_stat("irq_requests");
	set_param("irq_share_pct", "0");
	ret = ret ?: measure(g.sim_fd, 7, g.cpu, HVG_MMIO_BASE, &kern_thread);
	irq2 = hvg_bridge_stat("irq_requests");
	set_param("irq_share_pct", share);
	set_poll_us("50");
	ret = ret ?: measure(g.sim_fd, 7, g.cpu, HVG_MMIO_BASE, &kern_poll);
	set_poll_us("1000");
	ret = ret ?: measure(g.sim_fd, 7, g.cpu, HVG_MMIO_BASE, &kern_poll1k);
	/* Back to the default before anything can end the test. */
	set_poll_us("0");
	hvg_teardown(&g);
	ASSERT_EQ(0, ret);
	/*
	 * Reads were answered from the IRQ (at most 16 wake-ups a tick; the
	 * dispatcher serves beyond), none without its share.
	 */
	EXPECT_LT(irq0, irq1);
	EXPECT_EQ(irq1, irq2);

	/* The daemon's bridge: hvisor_vhost must not own it. */
	ASSERT_EQ(0, system("rmmod hvisor_sim && modprobe hvisor_sim register_provider=0"));
	EXPECT_EQ(0, measure_daemon(DAEMON_POLL_COUNT, &daemon_poll));
	EXPECT_EQ(0, measure_daemon(0, &daemon_sleep));
	ASSERT_EQ(0, system("rmmod hvisor_sim && modprobe hvisor_sim"));

	print_rtt("hvisor_vhost (served in the wake-up IRQ)", &kern, &kern);
	print_rtt("hvisor_vhost, thread only (irq_share_pct=0)", &kern_thread,
		  &kern);
	printf("# (the first row: %llu of %d reads served in the IRQ)\n",
	       irq1 - irq0, RTT_READS);
	print_rtt("hvisor_vhost, poll_us=50", &kern_poll, &kern);
	print_rtt("hvisor_vhost, poll_us=1000", &kern_poll1k, &kern);
	print_rtt("userspace daemon, hvisor-tool busy-poll", &daemon_poll, &kern);
	print_rtt("userspace daemon, sleeping", &daemon_sleep, &kern);
	fflush(stdout);	/* the harness child ends with _exit() */
}

/*
 * With a share of 1 % of each tick, the wake-up IRQ runs out of it within
 * a tick of back-to-back reads and leaves the rest to the dispatcher:
 * every read is still answered, by one or the other.
 */
TEST(irq_share_hands_over)
{
	__u64 irq0, irq1, off0, off1;
	struct hvg_dev con;
	char share[16];
	struct rtt r;
	struct hvg g;
	int ret;

	ASSERT_EQ(0, hvg_setup(&g, 7));
	ASSERT_EQ(0, hvg_add_console(&g, HVG_MMIO_BASE, HVG_DEV_LEN, 40, &con));
	set_poll_us("0");
	get_param("irq_share_pct", share);
	set_param("irq_share_pct", "1");
	irq0 = hvg_bridge_stat("irq_requests");
	off0 = hvg_bridge_stat("irq_handoffs");
	ret = measure(g.sim_fd, 7, g.cpu, HVG_MMIO_BASE, &r);
	irq1 = hvg_bridge_stat("irq_requests");
	off1 = hvg_bridge_stat("irq_handoffs");
	set_param("irq_share_pct", share);
	hvg_teardown(&g);
	ASSERT_EQ(0, ret) TH_LOG("a read went unanswered or read wrong");
	printf("# %d reads, share 1 %%: %llu served in the IRQ, %llu handed over; p50 %.1f us\n",
	       RTT_READS, irq1 - irq0, off1 - off0, r.p50);
	fflush(stdout);
	EXPECT_LT(irq0, irq1);
	EXPECT_LT(off0, off1);
	EXPECT_GT(irq0 + RTT_READS, irq1);
}

#define IDLE_SAMPLES	200
#define IDLE_CPU_MAX_NS	(10 * 1000 * 1000ULL)	/* per idle second */

static void sleep_us(unsigned int us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (us % 1000000) * 1000L };

	nanosleep(&ts, NULL);
}

static void summarise(__u64 *t, int n, struct rtt *out)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < n; i++)
		sum += t[i];
	qsort(t, n, sizeof(t[0]), cmp_u64);
	out->avg = sum / 1000.0 / n;
	out->p50 = t[n / 2] / 1000.0;
	out->p99 = t[n * 99 / 100] / 1000.0;
}

/*
 * @gap_us after each access: a MagicValue read, then (separately) a
 * one-byte transmit from its QueueNotify to its used entry, spinning on
 * the used index. Returns 0, or -1 if an access failed or a chain was not
 * used within HVG_WAIT_MS.
 */
static int measure_idle(struct hvg *g, struct hvg_con *c, unsigned int gap_us,
			struct rtt *reg, struct rtt *notify)
{
	struct hvg_vq *vq = &c->vq[HVG_CONSOLE_TX];
	static __u64 t[IDLE_SAMPLES];
	__u64 gpa = hvg_put(g, "x", 1);
	int i;

	for (i = 0; i < IDLE_SAMPLES; i++) {
		__u64 t0;

		sleep_us(gap_us);
		t0 = now_ns();
		if (hvg_rd32(g, c->d.base, VIRTIO_MMIO_MAGIC_VALUE) != RTT_MAGIC)
			return -1;
		t[i] = now_ns() - t0;
	}
	summarise(t, IDLE_SAMPLES, reg);

	for (i = 0; i < IDLE_SAMPLES; i++) {
		__u16 head = vq->avail_idx % vq->num;
		__u64 t0, end;

		sleep_us(gap_us);
		hvg_desc(vq, head, gpa, 1, 0, 0);
		hvg_vq_publish(vq, head);
		t0 = now_ns();
		hvg_notify(g, c->d.base, vq->index);
		end = t0 + HVG_WAIT_MS * 1000000ULL;
		while (hvg_vq_used_idx(vq) == vq->last_used)
			if (now_ns() > end)
				return -1;
		t[i] = now_ns() - t0;
		vq->last_used++;
	}
	summarise(t, IDLE_SAMPLES, notify);
	hvg_drain_irqs(g);
	return 0;
}

TEST(latency_from_idle)
{
	struct rtt reg_sleep, ntf_sleep, reg_poll, ntf_poll;
	__u64 idle_sleep, idle_poll, c0;
	struct hvg_con con = { .tty = -1 };
	struct hvg g;
	int ret;

	ASSERT_EQ(0, hvg_setup(&g, 7));
	ASSERT_EQ(0, hvg_add_console(&g, HVG_MMIO_BASE, HVG_DEV_LEN, 40, &con.d));
	ASSERT_EQ(0, hvg_con_init(&g, &con, HVG_F_VERSION_1, 64));
	con.tty = hvg_tty_open(con.d.index);
	ASSERT_LE(0, con.tty);

	/* Sleeping: 5 ms between accesses, nothing polls. */
	set_poll_us("0");
	ASSERT_EQ(0, measure_idle(&g, &con, 5000, &reg_sleep, &ntf_sleep));
	c0 = hvg_module_cpu_ns(NULL);
	ASSERT_LT(0, c0) TH_LOG("no CPU time of hv-dispatch or hv-*-q* found");
	sleep_us(1000000);
	idle_sleep = hvg_module_cpu_ns(NULL) - c0;

	/* The opt-in poll, each access inside the window the last one opened. */
	set_poll_us("1000");
	ret = measure_idle(&g, &con, 500, &reg_poll, &ntf_poll);
	c0 = hvg_module_cpu_ns(NULL);
	sleep_us(1000000);
	idle_poll = hvg_module_cpu_ns(NULL) - c0;
	/* Back to the default before anything can end the test. */
	set_poll_us("0");
	ASSERT_EQ(0, ret);

	close(con.tty);
	hvg_teardown(&g);

	print_rtt("register read, 5 ms idle (sleeping)", &reg_sleep, &reg_sleep);
	print_rtt("register read, 0.5 ms idle, poll_us=1000", &reg_poll,
		  &reg_sleep);
	print_rtt("notify to used, 5 ms idle (sleeping)", &ntf_sleep, &ntf_sleep);
	print_rtt("notify to used, 0.5 ms idle, poll_us=1000", &ntf_poll,
		  &ntf_sleep);
	printf("# module CPU, idle second after: %.2f ms sleeping, %.2f ms poll_us=1000\n",
	       idle_sleep / 1e6, idle_poll / 1e6);
	fflush(stdout);
	/* Nothing runs while nothing happens. */
	EXPECT_GT(IDLE_CPU_MAX_NS, idle_sleep);
	EXPECT_GT(IDLE_CPU_MAX_NS, idle_poll);
}

TEST_HARNESS_MAIN
