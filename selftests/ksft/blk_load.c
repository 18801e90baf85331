// SPDX-License-Identifier: GPL-2.0
/*
 * blk_load: the backend's own ceiling. A raw guest (this program, owning
 * a zone through hvisor_sim) keeps N virtio-blk requests in flight on a
 * device backed by null_blk: 4 KiB reads at random offsets, one thread
 * per queue, VIRTIO_RING_F_EVENT_IDX negotiated. It never waits for an
 * interrupt: used_event stays half the index space ahead, so the device
 * interrupts at most once per queue (its first publication after the
 * queue is enabled signals whatever used_event says, as vhost's does), and
 * the threads watch the used index. They kick
 * only when the device's avail_event asks for it. No guest driver, no
 * interrupt, no trapped InterruptStatus read or ACK: what is left is the
 * QueueNotify trap when the worker went idle, and the backend itself.
 *
 * For each configuration it prints requests/s and the root CPU time spent
 * per request by the module, "virt us": the sum of
 *   kthreads  hv-dispatch and the device's queue workers hv-<dev>-q<N>,
 *         from /proc/<pid>/task/<tid>/schedstat (run time in ns, exact;
 *         it includes the interrupts and softirqs that ran while they were
 *         current: the Debian kernels have no IRQ_TIME_ACCOUNTING). No
 *         work item is queued on this path (direct I/O is submitted by the
 *         worker and its completion handed back to it), so none to add;
 *   irq/softirq  on the root CPUs (the module's cpus=), from /proc/stat:
 *         tick-sampled, so only the part that a tick caught, a tick that
 *         hit an interrupt inside a kthread counting twice;
 * and, as a cross-check, how long the root CPUs were not idle (idle time
 * from /proc/stat, measured at idle entry and exit), which includes
 * everything else that ran there. Native null_blk: fio (libaio, direct,
 * 4k randread, the same total queue depth over as many jobs as queues,
 * pinned to the root CPUs), its usr+sys per request from its JSON output,
 * "nat us". Then the ratios virtio/native of the rate and of the CPU per
 * request, the kicks (trapped QueueNotify writes) per request and the
 * interrupts the device sent. Under TCG the clocks run on while a vCPU
 * thread waits for a host core: on a busy host every CPU time here grows.
 *
 * It also checks the device: every request completes with used length
 * 4097 and status OK, no head comes back twice or unasked, the device
 * neither breaks (NEEDS_RESET) nor counts errors, and nothing is lost.
 * null_blk without memory_backed moves no data, so there is none to
 * check.
 *
 * The 1-queue device gets our O_DIRECT descriptor of /dev/nullb0
 * (hvg_add_blk()); the 2-queue one is added by "hvisorctl add blk ...
 * queues=2", which opens it itself (the module does direct I/O on a block
 * device either way).
 *
 * null_blk, when this test loads it, completes each request from a timer
 * interrupt 20 us after its submission (irqmode=2), as a disk does
 * from its own interrupt: the device then publishes a completion that
 * comes while its worker sleeps in the completion's context, without
 * waking the worker. A null_blk loaded before (bench/blk.sh's) is used as
 * it is; the header says how it completes.
 *
 * By default (make check): QD 8 and 256 on 1 and on 2 queues for 1 s each.
 * QD 256 is the whole ring: the worker runs out of requests and waits for
 * a completion to kick it (a lost kick is a stall, which fails the test).
 * BLK_LOAD_FULL=1 (bench/blk.sh): QD 1, 8, 32 and 128 on 1 and 2 queues.
 * BLK_LOAD_SECONDS: seconds per run (default 1, or 5 with the full grid).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>

#include "kselftest_harness.h"
#include "hv_guest.h"

#define ZONE		21
#define IRQ		61
#define BASE		HVG_MMIO_BASE
#define NULLB		"/dev/nullb0"
/* Completions from a timer interrupt 20 us after submission. */
#define NULLB_PARAMS	"nr_devices=1 gb=1 submit_queues=2 irqmode=2 completion_nsec=20000"
#define RING		256	/* the device's queue size */
#define MAX_QUEUES	2
#define MAX_DEPTH	RING	/* per queue: one ring slot per request */
#define SECTOR_STEP	8	/* 4 KiB */
#define DATA_LEN	4096
#define STATUS_NONE	0xee
#define RAMP_MS		300
#define STALL_MS	20000	/* no completion at all for this long: stuck */
#define SPIN_POLLS	200	/* empty polls of the used index before a nap */
#define NAP_NS		20000

#define WANT_FEATURES	(HVG_F_VERSION_1 | HVG_F_INDIRECT | HVG_F_EVENT_IDX)

/* One request slot: ring descriptor i, its indirect table, its buffers. */
struct slot {
	struct vring_desc *table;	/* 3 entries: header, data, status */
	struct virtio_blk_outhdr *hdr;
	__u8 *status;
	int busy;			/* posted, not yet used */
};

/* One queue and the thread driving it. */
struct lq {
	struct hvg g;			/* a copy: its own simulated CPU */
	struct hvg_vq vq;
	struct slot slots[MAX_DEPTH];
	unsigned int depth;
	__u64 sectors;			/* capacity, in 4 KiB steps */
	__u64 rnd;
	atomic_ullong done;		/* completed with status OK */
	atomic_ullong kicks;
	atomic_int stop;		/* stop posting, drain */
	pthread_t thread;
	char err[160];			/* first failure, or empty */
};

struct cpu_snap {
	__u64 ns;		/* monotonic clock */
	struct hvg_kthread_use kthr;	/* module kthreads */
	__u64 irq_ticks;	/* irq + softirq on the root CPUs */
	__u64 idle_ticks;	/* idle + iowait there */
	unsigned int nr_cpus;	/* root CPUs */
	__u64 done;		/* completed requests */
};

struct result {
	double rate;		/* requests/s */
	double cpu_us;		/* root CPU per request, µs */
	double kthr_us, irq_us;
	double disp_us;		/* the dispatcher's part of @kthr_us */
	double runs, disp_runs;	/* kthreads put on a CPU, per request */
	double busy_us;		/* root CPUs not idle, per request */
	__u64 requests, kicks, notifies, interrupts;
};

FIXTURE(load) {
	struct hvg g;
	int fd;
	int loaded_nullb;
	int have_fio;
	char root_cpus[64];
	unsigned char root_set[1024];
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static __u64 xorshift(__u64 *s)
{
	__u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

/* ---- where the root's CPU time goes ---------------------------------- */

/* Parse a cpulist ("2-3", "0,2-5") into @set; 0 or -1. */
static int parse_cpulist(const char *s, unsigned char *set, size_t n)
{
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			return -1;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b >= n || a > b)
			return -1;
		while (a <= b)
			set[a++] = 1;
		s = end;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s && !isspace((unsigned char)*s))
			return -1;
		break;
	}
	return 0;
}

/* The root CPUs: hvisor_vhost's cpus=, or every CPU when it has none. */
static void root_cpus(struct _test_data_load *self)
{
	char buf[64] = "";

	hvg_read_file("/sys/module/hvisor_vhost/parameters/cpus", buf,
		      sizeof(buf));
	if (!buf[0] || !strcmp(buf, "(null)") ||
	    parse_cpulist(buf, self->root_set, sizeof(self->root_set))) {
		snprintf(buf, sizeof(buf), "0-%ld",
			 sysconf(_SC_NPROCESSORS_ONLN) - 1);
		parse_cpulist(buf, self->root_set, sizeof(self->root_set));
	}
	snprintf(self->root_cpus, sizeof(self->root_cpus), "%s", buf);
}

/*
 * From /proc/stat, over the root CPUs: irq + softirq (tick-sampled) and
 * idle + iowait (measured at idle entry and exit on a tickless kernel),
 * in USER_HZ ticks; returns how many root CPUs there are.
 */
static unsigned int root_ticks(struct _test_data_load *self, __u64 *irq,
			       __u64 *idle)
{
	unsigned long long v[7];
	unsigned int cpu, n = 0;
	char line[512];
	FILE *f;

	*irq = *idle = 0;
	f = fopen("/proc/stat", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu%u %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			   &v[6]) != 8 ||
		    cpu >= sizeof(self->root_set) || !self->root_set[cpu])
			continue;
		*irq += v[5] + v[6];
		*idle += v[3] + v[4];
		n++;
	}
	fclose(f);
	return n;
}

static void snap(struct _test_data_load *self, const char *dev,
		 struct lq *q, unsigned int nq, struct cpu_snap *s)
{
	unsigned int i;

	/* The counters that go with the clock first; the /proc scan last. */
	s->done = 0;
	for (i = 0; i < nq; i++)
		s->done += atomic_load(&q[i].done);
	s->ns = now_ns();
	s->nr_cpus = root_ticks(self, &s->irq_ticks, &s->idle_ticks);
	hvg_module_use(dev, &s->kthr);
}

/* ---- the raw guest's queues ------------------------------------------ */

/* Lay out @depth slots (ring descriptor i = slot i, indirect) in zone RAM. */
static void lq_layout(struct lq *q, unsigned int depth)
{
	struct hvg *g = &q->g;
	/* The data buffers together: page-aligned without padding. */
	__u64 data0 = hvg_alloc(g, (__u64)depth * DATA_LEN, 4096);
	unsigned int i;

	q->depth = depth;
	for (i = 0; i < depth; i++) {
		struct slot *s = &q->slots[i];
		__u64 table = hvg_alloc(g, 3 * sizeof(struct vring_desc), 16);
		__u64 hdr = hvg_alloc(g, sizeof(*s->hdr), 16);
		__u64 data = data0 + (__u64)i * DATA_LEN;
		__u64 st = hvg_alloc(g, 1, 1);

		s->table = hvg_ptr(g, table);
		s->hdr = hvg_ptr(g, hdr);
		s->status = hvg_ptr(g, st);
		s->busy = 0;
		hvg_set_desc(&s->table[0], hdr, sizeof(*s->hdr),
			     VRING_DESC_F_NEXT, 1);
		hvg_set_desc(&s->table[1], data, DATA_LEN,
			     VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
		hvg_set_desc(&s->table[2], st, 1, VRING_DESC_F_WRITE, 0);
		hvg_desc(&q->vq, i, table, 3 * sizeof(struct vring_desc),
			 VRING_DESC_F_INDIRECT, 0);
	}
}

/* Fill in slot @i's request and put it in the avail ring (not published). */
static void lq_queue(struct lq *q, unsigned int i)
{
	struct slot *s = &q->slots[i];

	s->hdr->type = VIRTIO_BLK_T_IN;
	s->hdr->ioprio = 0;
	s->hdr->sector = xorshift(&q->rnd) % q->sectors * SECTOR_STEP;
	*s->status = STATUS_NONE;
	s->busy = 1;
	q->vq.avail->ring[q->vq.avail_idx % q->vq.num] = i;
	q->vq.avail_idx++;
}

/* Publish the avail index; kick if the device asked (EVENT_IDX). */
static void lq_publish(struct lq *q, __u16 old)
{
	__u16 now = q->vq.avail_idx;

	if (now == old)
		return;
	__atomic_store_n(&q->vq.avail->idx, now, __ATOMIC_RELEASE);
	/* The index before the device's avail_event (virtio 2.7.10). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vring_need_event(hvg_vq_avail_event(&q->vq), now, old)) {
		hvg_wr32(&q->g, BASE, VIRTIO_MMIO_QUEUE_NOTIFY, q->vq.index);
		atomic_fetch_add(&q->kicks, 1);
	}
}

static void *lq_thread(void *arg)
{
	struct lq *q = arg;
	struct hvg_vq *vq = &q->vq;
	unsigned int i, inflight = 0, idle = 0;
	__u64 last = hvg_ms();
	__u16 old = vq->avail_idx;

	for (i = 0; i < q->depth; i++)
		lq_queue(q, i);
	inflight = q->depth;
	hvg_vq_set_used_event(vq, vq->last_used + 0x8000);
	lq_publish(q, old);

	while (inflight) {
		int stop = atomic_load(&q->stop);
		__u16 used = hvg_vq_used_idx(vq);

		if (used == vq->last_used) {
			if (hvg_ms() - last > STALL_MS) {
				snprintf(q->err, sizeof(q->err),
					 "queue %u: no completion for %d ms (%u in flight, avail %u, used %u, avail_event %u)",
					 vq->index, STALL_MS, inflight,
					 vq->avail_idx, used,
					 hvg_vq_avail_event(vq));
				break;
			}
			if (++idle > SPIN_POLLS) {
				struct timespec ts = { 0, NAP_NS };

				nanosleep(&ts, NULL);
			}
			continue;
		}
		idle = 0;
		last = hvg_ms();
		old = vq->avail_idx;
		while (vq->last_used != used) {
			struct vring_used_elem *e =
				&vq->used->ring[vq->last_used % vq->num];
			__u32 id = e->id, len = e->len;
			struct slot *s = &q->slots[id < q->depth ? id : 0];

			vq->last_used++;
			if (id >= q->depth || !s->busy) {
				snprintf(q->err, sizeof(q->err),
					 "queue %u: used head %u was not in flight",
					 vq->index, id);
				return NULL;
			}
			if (len != DATA_LEN + 1 || *s->status != VIRTIO_BLK_S_OK) {
				snprintf(q->err, sizeof(q->err),
					 "queue %u: head %u used with length %u, status %#x (sector %llu)",
					 vq->index, id, len, *s->status,
					 (unsigned long long)s->hdr->sector);
				return NULL;
			}
			s->busy = 0;
			atomic_fetch_add_explicit(&q->done, 1,
						  memory_order_relaxed);
			if (stop)
				inflight--;
			else
				lq_queue(q, id);
		}
		hvg_vq_set_used_event(vq, vq->last_used + 0x8000);
		lq_publish(q, old);
	}
	return NULL;
}

/* ---- one configuration ----------------------------------------------- */

/* Add the device: 1 queue from our O_DIRECT fd, more through hvisorctl. */
static int add_device(struct _test_data_load *self, unsigned int nq,
		      char *name)
{
	struct hvg_blk b;
	int ret;

	if (nq == 1) {
		ret = hvg_add_blk(&self->g, BASE, IRQ, self->fd, 0, NULL, &b);
		if (!ret)
			memcpy(name, b.d.name, HVV_NAME_LEN);
		return ret;
	}
	ret = hvg_sh(name, HVV_NAME_LEN,
		     "hvisorctl add blk zone=%u addr=%#llx irq=%u img=%s queues=%u 2>&1",
		     ZONE, (unsigned long long)BASE, IRQ, NULLB, nq);
	if (ret)
		return -EIO;
	/* hvg_teardown() removes it if the test stops half-way. */
	if (self->g.nr_devs < HVG_MAX_DEVS)
		memcpy(self->g.devs[self->g.nr_devs++], name, HVV_NAME_LEN);
	return 0;
}

/*
 * Run @qd requests in flight over @nq queues for @secs seconds; fill in
 * @r. Every check is an EXPECT/ASSERT of the caller's test.
 */
static void run_virtio(struct __test_metadata *_metadata,
		       struct _test_data_load *self, unsigned int nq,
		       unsigned int qd, unsigned int secs, struct result *r)
{
	static struct lq q[MAX_QUEUES];
	__u64 mark = self->g.alloc, before_req, before_notif, before_int;
	struct cpu_snap s0, s1;
	char name[HVV_NAME_LEN] = "";
	struct hvg_dev d;
	unsigned int i;
	__u64 cap, want;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(q, 0, sizeof(q));
	ret = add_device(self, nq, name);
	ASSERT_EQ(0, ret) TH_LOG("adding the device (%u queues): %s", nq,
				 ret == -EIO ? name : strerror(-ret));
	snprintf(d.name, sizeof(d.name), "%s", name);
	cap = hvg_blk_capacity(&self->g, BASE) / SECTOR_STEP;
	ASSERT_LT(0ULL, cap);
	want = WANT_FEATURES | (nq > 1 ? BIT_ULL(VIRTIO_BLK_F_MQ) : 0);
	ASSERT_EQ(want, hvg_device_features(&self->g, BASE) & want);
	if (nq > 1)
		ASSERT_EQ(nq, hvg_cfg32(&self->g, BASE, HVG_BLK_NUM_QUEUES) &
			  0xffff);
	ASSERT_EQ(0, hvg_negotiate(&self->g, BASE, want));
	for (i = 0; i < nq; i++) {
		q[i].g = self->g;
		q[i].g.cpu = self->g.cpu + i;
		q[i].sectors = cap;
		q[i].rnd = 0x9e3779b97f4a7c15ULL * (i + 1) ^ now_ns();
		hvg_vq_alloc(&self->g, &q[i].vq, i, RING);
		hvg_vq_enable(&self->g, BASE, &q[i].vq);
		q[i].g.alloc = self->g.alloc;
		lq_layout(&q[i], (qd + nq - 1) / nq);
		self->g.alloc = q[i].g.alloc;
	}
	hvg_driver_ok(&self->g, BASE);
	ASSERT_EQ((__u32)HVG_S_OK, hvg_status(&self->g, BASE));
	before_req = hvg_stat(&d, "requests");
	before_notif = hvg_stat(&d, "notifies");
	before_int = hvg_stat(&d, "interrupts");

	for (i = 0; i < nq; i++)
		ASSERT_EQ(0, pthread_create(&q[i].thread, NULL, lq_thread,
					    &q[i]));
	hvg_sleep_ms(RAMP_MS);
	snap(self, name, q, nq, &s0);
	hvg_sleep_ms(secs * 1000);
	snap(self, name, q, nq, &s1);
	for (i = 0; i < nq; i++)
		atomic_store(&q[i].stop, 1);
	for (i = 0; i < nq; i++) {
		pthread_join(q[i].thread, NULL);
		EXPECT_STREQ("", q[i].err);
		r->kicks += atomic_load(&q[i].kicks);
	}

	/* Nothing lost, nothing broken. */
	r->requests = hvg_stat(&d, "requests") - before_req;
	r->notifies = hvg_stat(&d, "notifies") - before_notif;
	r->interrupts = hvg_stat(&d, "interrupts") - before_int;
	/* EVENT_IDX: used_event far ahead holds the interrupts back. */
	EXPECT_GE((__u64)nq, r->interrupts)
		TH_LOG("%llu interrupts on %u queues",
		       (unsigned long long)r->interrupts, nq);
	EXPECT_EQ((__u32)HVG_S_OK, hvg_status(&self->g, BASE))
		TH_LOG("the device broke or needs a reset");
	EXPECT_EQ(0ULL, hvg_stat(&d, "errors"));
	{
		__u64 done = 0;

		for (i = 0; i < nq; i++)
			done += atomic_load(&q[i].done);
		EXPECT_EQ(done, r->requests)
			TH_LOG("completed %llu, the device counted %llu",
			       (unsigned long long)done,
			       (unsigned long long)r->requests);
		EXPECT_LT(0ULL, s1.done - s0.done);
	}

	if (s1.done > s0.done) {
		double n = s1.done - s0.done;
		double tick_us = 1e6 / sysconf(_SC_CLK_TCK);

		r->rate = n / ((s1.ns - s0.ns) / 1e9);
		r->kthr_us = (s1.kthr.ns - s0.kthr.ns) / 1e3 / n;
		r->disp_us = (s1.kthr.dispatch_ns - s0.kthr.dispatch_ns) / 1e3 / n;
		r->runs = (s1.kthr.runs - s0.kthr.runs) / n;
		r->disp_runs = (s1.kthr.dispatch_runs - s0.kthr.dispatch_runs) / n;
		r->irq_us = (s1.irq_ticks - s0.irq_ticks) * tick_us / n;
		r->busy_us = ((s1.ns - s0.ns) / 1e3 * s1.nr_cpus -
			      (s1.idle_ticks - s0.idle_ticks) * tick_us) / n;
		r->cpu_us = r->kthr_us + r->irq_us;
	}

	/* Let go of the device: reset, remove; the zone RAM is reused. */
	hvg_wr32(&self->g, BASE, VIRTIO_MMIO_STATUS, 0);
	EXPECT_EQ(0, hvg_del_dev(&self->g, name));
	hvg_drain_irqs(&self->g);
	self->g.alloc = mark;
}

/* ---- native null_blk with fio ---------------------------------------- */

/* The number after "key" : in @json, searched from @from; -1 if none. */
static double json_num(const char *json, const char *from, const char *key)
{
	char pat[64];
	const char *p = from ? strstr(json, from) : json;

	if (!p)
		return -1;
	snprintf(pat, sizeof(pat), "\"%s\" : ", key);
	p = strstr(p, pat);
	return p ? strtod(p + strlen(pat), NULL) : -1;
}

/* What fio does, as blk.sh's null_blk jobs; one job per CPU of the list. */
#define FIO_JOB	"--name=n --filename=" NULLB " --ioengine=libaio --direct=1 --rw=randread --bs=4k"
#define FIO_OPTS "--cpus_allowed_policy=split --time_based --group_reporting " \
	"--norandommap --randrepeat=0 --output-format=json"

#define FIO_CMD	"fio %s %s --iodepth=%u --numjobs=%u --cpus_allowed=%s --runtime=%u " \
	"--ramp_time=%ums --output=%s >/dev/null 2>&1"

/* system() of a printf format (longer than hvg_sh() takes); 0 on success. */
static int run_cmd(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (ret < 0 || ret >= (int)sizeof(cmd))
		return -1;
	ret = system(cmd);
	return WIFEXITED(ret) ? WEXITSTATUS(ret) : -1;
}

/* fio on null_blk, @nq jobs pinned to the root CPUs; 0 or -1. */
static int run_native(struct _test_data_load *self, unsigned int nq,
		      unsigned int qd, unsigned int secs, struct result *r)
{
	char out[] = "/tmp/blk_load.XXXXXX";
	double ios, iops, usr, sys, job_ms;
	char *json = NULL;
	int fd, ret = -1;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	fd = mkstemp(out);
	if (fd < 0)
		return -1;
	if (run_cmd(FIO_CMD, FIO_JOB, FIO_OPTS, (qd + nq - 1) / nq, nq,
		    self->root_cpus, secs, RAMP_MS, out))
		goto out;
	json = calloc(1, 1 << 20);
	if (!json)
		goto out;
	n = read(fd, json, (1 << 20) - 1);
	if (n <= 0)
		goto out;
	ios = json_num(json, "\"read\" : {", "total_ios");
	iops = json_num(json, "\"read\" : {", "iops");
	job_ms = json_num(json, NULL, "job_runtime");
	usr = json_num(json, NULL, "usr_cpu");
	sys = json_num(json, NULL, "sys_cpu");
	if (ios <= 0 || iops <= 0 || job_ms <= 0 || usr < 0 || sys < 0)
		goto out;
	/* usr_cpu, sys_cpu: percent of job_runtime, the jobs' summed time. */
	r->requests = ios;
	r->rate = iops;
	r->cpu_us = (usr + sys) / 100 * job_ms * 1e3 / ios;
	ret = 0;
out:
	free(json);
	close(fd);
	unlink(out);
	return ret;
}

/* ---- the test -------------------------------------------------------- */

FIXTURE_SETUP(load)
{
	int ret, i;

	self->fd = -1;
	root_cpus(self);
	if (access(NULLB, F_OK)) {
		if (hvg_sh(NULL, 0, "modprobe null_blk %s 2>&1", NULLB_PARAMS))
			SKIP(return, "no null_blk module");
		self->loaded_nullb = 1;
		for (i = 0; i < 500 && access(NULLB, F_OK); i++)
			hvg_sleep_ms(10);
	}
	self->fd = open(NULLB, O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", NULLB, strerror(errno));
	self->have_fio = !hvg_sh(NULL, 0, "command -v fio >/dev/null 2>&1");
	ret = hvg_setup(&self->g, ZONE);
	ASSERT_EQ(0, ret) TH_LOG("zone setup: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(load)
{
	EXPECT_EQ(0, hvg_teardown(&self->g));
	if (self->fd >= 0)
		close(self->fd);
	if (self->loaded_nullb)
		hvg_sh(NULL, 0, "rmmod null_blk 2>&1");
}

static void ratio(char *buf, size_t len, double a, double b)
{
	if (a > 0 && b > 0)
		snprintf(buf, len, "%.0f%%", 100 * a / b);
	else
		snprintf(buf, len, "-");
}

TEST_F_TIMEOUT(load, ceiling, 1400)
{
	static const unsigned int grid_qd[] = { 1, 8, 32, 128 };
	/* 0: the whole ring of every queue */
	static const unsigned int quick_qd[] = { 8, 0 };
	const char *full = getenv("BLK_LOAD_FULL");
	const char *env_secs = getenv("BLK_LOAD_SECONDS");
	int is_full = full && *full && strcmp(full, "0");
	const unsigned int *qds = is_full ? grid_qd : quick_qd;
	unsigned int nqd = is_full ? ARRAY_SIZE(grid_qd) : ARRAY_SIZE(quick_qd);
	unsigned int secs = env_secs ? atoi(env_secs) : is_full ? 5 : 1;
	char irqmode[16] = "?";
	unsigned int nq, i, qd;

	if (_metadata->skip)	/* the harness runs us after a SKIP in setup */
		return;
	if (!secs)
		secs = 1;
	hvg_read_file("/sys/module/null_blk/parameters/irqmode", irqmode,
		      sizeof(irqmode));
	printf("# raw guest (EVENT_IDX, no interrupts) vs fio on %s ", NULLB);
	printf("(irqmode %s: completions %s); root CPUs %s; %u s per run\n",
	       irqmode,
	       !strcmp(irqmode, "2") ? "from a timer interrupt" :
	       !strcmp(irqmode, "0") ? "in the submitter" :
	       "in the submitter, or a softirq", self->root_cpus, secs);
	printf("# %-3s %4s %10s %10s %6s %9s %9s %6s %7s %7s\n", "q", "QD",
	       "virtio/s", "native/s", "ratio", "virt us", "nat us", "ratio",
	       "kick/rq", "irqs");
	fflush(stdout);
	for (nq = 1; nq <= MAX_QUEUES; nq++) {
		for (i = 0; i < nqd; i++) {
			struct result v, n = { 0 };
			char rr[16], rc[16];

			qd = qds[i] ? qds[i] : RING * nq;

			run_virtio(_metadata, self, nq, qd, secs, &v);
			if (self->have_fio &&
			    run_native(self, nq, qd, secs, &n))
				TH_LOG("fio failed (q %u, QD %u)", nq, qd);
			ratio(rr, sizeof(rr), v.rate, n.rate);
			ratio(rc, sizeof(rc), v.cpu_us, n.cpu_us);
			printf("# %-3u %4u %10.0f %10.0f %6s %9.2f %9.2f %6s %7.3f %7llu\n",
			       nq, qd, v.rate, n.rate, rr, v.cpu_us,
			       n.cpu_us, rc,
			       v.requests ? (double)v.kicks / v.requests : 0,
			       (unsigned long long)v.interrupts);
			printf("#     virtio: kthreads %.2f (dispatcher %.2f) + irq %.2f us/rq",
			       v.kthr_us, v.disp_us, v.irq_us);
			printf(" (root busy %.2f), %.3f thread runs/rq (dispatcher %.3f);",
			       v.busy_us, v.runs, v.disp_runs);
			printf(" %llu requests, %llu kicks, %llu notifies seen\n",
			       (unsigned long long)v.requests,
			       (unsigned long long)v.kicks,
			       (unsigned long long)v.notifies);
			fflush(stdout);
		}
	}
	if (!self->have_fio)
		printf("# no fio here: no native baseline\n");
	fflush(stdout);
}

/*
 * The whole ring in flight on a slow backing (dm-delay, 50 ms, over
 * null_blk): the worker runs out of requests and sleeps until a
 * completion kicks it. The completions arrive while it sleeps and are
 * published in their own context; the guest reposts at once and, as
 * EVENT_IDX lets it, kicks only if the device's avail_event asks. A device
 * that forgets the starved worker stalls here (lq_thread's STALL_MS).
 */
#define SLOW	"hvload-slow"

TEST_F_TIMEOUT(load, full_ring_slow_backing, 120)
{
	char sectors[32], table[96];
	struct result v;
	int fd, saved = self->fd;

	if (_metadata->skip)	/* the harness runs us after a SKIP in setup */
		return;
	if (hvg_sh(NULL, 0, "modprobe dm_delay 2>&1; command -v dmsetup >/dev/null"))
		SKIP(return, "no dm-delay or dmsetup");
	ASSERT_EQ(0, hvg_sh(sectors, sizeof(sectors), "blockdev --getsz %s", NULLB));
	snprintf(table, sizeof(table), "0 %s delay %s 0 50", sectors, NULLB);
	ASSERT_EQ(0, hvg_sh(NULL, 0, "dmsetup create %s --table '%s' && dmsetup mknodes %s",
			    SLOW, table, SLOW));
	fd = open("/dev/mapper/" SLOW, O_RDWR | O_DIRECT | O_CLOEXEC);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		self->fd = fd;
		run_virtio(_metadata, self, 1, RING, 2, &v);
		self->fd = saved;
		close(fd);
		printf("# whole ring, 50 ms backing: %.0f requests/s, ", v.rate);
		printf("%.3f thread runs/rq, %llu kicks\n", v.runs,
		       (unsigned long long)v.kicks);
		fflush(stdout);
	}
	hvg_sh(NULL, 0, "dmsetup remove --retry %s 2>&1", SLOW);
}

TEST_HARNESS_MAIN
